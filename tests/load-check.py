#!/usr/bin/env python3
"""load-check.py DUCKDB_TYPES FILE...: do other tools read npskit's output
as it means? For each TSV file, from its own bytes:

- a column whose non-empty values are all numbers is numeric; a column
  that mixes numbers with a missing-value word (NA, nan, inf, null, -)
  is an error by itself: a missing number must be an empty field;
- DuckDB's read_csv (types listed in DUCKDB_TYPES by load-duckdb.mjs,
  or "-" when DuckDB is absent) must type each numeric column as a
  number and count every row;
- Python's csv module with its defaults (but the tab) must give the
  fields a plain split gives (a field starting with a quote would not);
- pandas.read_csv(sep="\\t") defaults, when pandas is here: numeric
  columns numeric, as many rows;
- mlr --itsv --ojson, when mlr is here: numbers as JSON numbers.
  A field that begins with a quote is not loaded by the CSV readers'
  defaults (npskit(7), Quotes): tests/load.bats checks that apart.
Prints each failure; exit 1 if any."""
import csv
import json
import re
import shutil
import subprocess
import sys

NUMBER = re.compile(r'^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$')
MISSING_WORDS = {'na', 'n/a', 'nan', 'inf', '-inf', 'null', 'none', '-', '.'}
DUCK_NUMERIC = ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT',
                'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'FLOAT',
                'DOUBLE', 'DECIMAL')
failures = []


def fail(msg):
    failures.append(msg)
    print(msg)


def numeric_columns(path, header, rows):
    numeric = []
    for i, name in enumerate(header):
        values = [r[i] for r in rows if r[i] != '']
        nums = [v for v in values if NUMBER.match(v)]
        words = [v for v in values if v.lower() in MISSING_WORDS]
        if words and len(nums) + len(words) == len(values):
            fail(f'{path}: column {name} writes a missing number as "{words[0]}", not empty')
        if values and len(nums) == len(values):
            numeric.append(name)
    return numeric


def main():
    types_file, files = sys.argv[1], sys.argv[2:]
    duck = {}
    if types_file != '-':
        with open(types_file) as f:
            for line in f:
                file, col, typ = line.rstrip('\n').split('\t')
                duck.setdefault(file, {})[col] = typ
    try:
        import pandas
    except ImportError:
        pandas = None
        print('load-check: pandas not installed: its check is not run')
    mlr = shutil.which('mlr')
    for path in files:
        with open(path, newline='') as f:
            text = f.read()
        lines = text.split('\n')
        if lines and lines[-1] == '':
            lines.pop()
        split = [l.split('\t') for l in lines]
        header, rows = split[0], split[1:]
        numeric = numeric_columns(path, header, rows)
        if not rows:
            fail(f'{path}: no rows to check')
        # Python's csv module, defaults but the delimiter
        with open(path, newline='') as f:
            parsed = list(csv.reader(f, delimiter='\t'))
        if parsed != split:
            bad = next(i for i, (a, b) in enumerate(zip(parsed, split)) if a != b) \
                if len(parsed) == len(split) else min(len(parsed), len(split))
            fail(f'{path}: the csv module reads line {bad + 1} differently from its tabs')
        if types_file != '-':
            t = duck.get(path, {})
            if t.get('#rows') != str(len(rows)):
                fail(f'{path}: DuckDB read {t.get("#rows")} rows, not {len(rows)}')
            for name in numeric:
                typ = t.get(name, 'missing')
                if not typ.startswith(DUCK_NUMERIC):
                    fail(f'{path}: DuckDB types numeric column {name} as {typ}')
        if pandas is not None:
            df = pandas.read_csv(path, sep='\t')
            if len(df) != len(rows):
                fail(f'{path}: pandas read {len(df)} rows, not {len(rows)}')
            for name in numeric:
                if not pandas.api.types.is_numeric_dtype(df[name]):
                    fail(f'{path}: pandas types numeric column {name} as {df[name].dtype}')
        if mlr:
            # --no-auto-unflatten: JSON output would otherwise split
            # column names at dots ("...why?" stops mlr 6.6 outright)
            out = subprocess.run([mlr, '--itsv', '--ojson', '--no-auto-unflatten', 'cat', path],
                                 capture_output=True, text=True)
            if out.returncode != 0:
                fail(f'{path}: mlr --itsv failed: {out.stderr.strip()}')
                continue
            records = json.loads(out.stdout) if out.stdout.strip() else []
            if len(records) != len(rows):
                fail(f'{path}: mlr read {len(records)} records, not {len(rows)}')
            for rec in records:
                for name in numeric:
                    v = rec.get(name)
                    if v != '' and not isinstance(v, (int, float)):
                        fail(f'{path}: mlr reads numeric column {name} value {v!r} as text')
                        break
    sys.exit(1 if failures else 0)


main()

#!/usr/bin/env python3
"""helpdesk-ref.py [--baseline|--tickets] FILE QUESTION [GROUP]: what the
help-desk pipe should give on a help-desk export, worked out here from the
definitions alone (npskit(7), nps-agg(1), nps-baseline(1), nps-route(1)),
for the test to compare. The rows are first those of nps-classify -u
customer --keep latest -t created_at:

- one row per customer: the one with the latest created_at in UTC; of
  equal times the later in the file;
- an empty score is unanswered.

Without a mode, nps-agg -s QUESTION -t created_at -p week [-g GROUP]:
period n promoters passives detractors nps se unanswered response_rate
first_date last_date partial, one line per (group and) ISO week, where

- a week is the ISO week of the date as written (before the offset);
- an unanswered question is not in n;
- partial: the data (after removing duplicates) begin after the week's
  Monday or end before its Sunday.

--baseline: nps-baseline (no -g, defaults) on those weeks: period
expected seasonal adjusted residual flag. One series, so not pooled and
no earlier year: seasonal 0, adjusted = nps; a partial week is not judged
(flag partial, no expected) and is no part of the history; the others'
expected is the interquartile mean (floor(k/4) dropped at each end of the
k sorted values) of the adjusted values of the last 12 earlier weeks with
responses; residual = nps - expected; flag insufficient_history before 8
such weeks (this file has 3 whole weeks, so no other flag is worked out).

--tickets: nps-route -s QUESTION -i ticket -t created_at --owner agent,
the built-in rules and no customer value: one ticket per answered row
(none for an unanswered one): ticket_id T- + FNV-1a 64 of the ticket id,
priority/action/SLA/reason by segment (detractor 2, 24 h; passive 4, 72 h;
promoter 6, 168 h; automatic_remedy, the segment as reason), owner the
agent, no escalation column, due_at = created_at in UTC + SLA, sorted by
priority, due_at, ticket id (bytes)."""
import datetime
import math
import sys

mode = sys.argv.pop(1) if sys.argv[1].startswith('--') else None
path, question = sys.argv[1], sys.argv[2]
group = sys.argv[3] if len(sys.argv) > 3 else None
with open(path) as f:
    lines = [l.rstrip('\n').split('\t') for l in f]
head, rows = lines[0], lines[1:]
col = {name: i for i, name in enumerate(head)}


def utc(r):
    return datetime.datetime.fromisoformat(
        r[col['created_at']].replace('Z', '+00:00')).astimezone(datetime.timezone.utc)


kept = {}
for pos, r in enumerate(rows):
    t = utc(r)
    key = r[col['customer']]
    if key not in kept or t >= kept[key][0]:
        kept[key] = (t, pos, r)


def segment(s):
    return 'promoter' if s >= 9 else 'passive' if s >= 7 else 'detractor'


def fixed(v, places):
    return '' if v is None else '%.*f' % (places, v)


def tickets():
    rule = {'detractor': (2, 24), 'passive': (4, 72), 'promoter': (6, 168)}
    out = []
    for t, pos, r in kept.values():
        s = r[col[question]]
        if s == '':
            continue
        seg = segment(int(s))
        priority, sla = rule[seg]
        due = t + datetime.timedelta(hours=sla)
        rid = r[col['ticket']].encode()
        h = 0xcbf29ce484222325
        for b in rid:
            h = ((h ^ b) * 0x100000001b3) % 2**64
        out.append((priority, due, rid, [
            'T-%016x' % h, r[col['ticket']], seg, str(int(s)), str(priority),
            'automatic_remedy', r[col['agent']], '',
            due.strftime('%Y-%m-%dT%H:%M:%SZ'), seg]))
    for *_, fields in sorted(out):
        print('\t'.join(fields))


CODE = {'promoter': 'P', 'passive': 'A', 'detractor': 'D'}
cells = {}
first_all = last_all = None
for t, pos, r in kept.values():
    day = datetime.date.fromisoformat(r[col['created_at']][:10])
    y, w, _ = day.isocalendar()
    key = ((r[col[group]],) if group else ()) + ((y, w),)
    c = cells.setdefault(key, {'P': 0, 'A': 0, 'D': 0, 'U': 0, 'first': day, 'last': day})
    c['first'] = min(c['first'], day)
    c['last'] = max(c['last'], day)
    first_all = day if first_all is None else min(first_all, day)
    last_all = day if last_all is None else max(last_all, day)
    s = r[col[question]]
    if s == '':
        c['U'] += 1
    else:
        c[CODE[segment(int(s))]] += 1


def interquartile_mean(values):
    v = sorted(values)
    cut = len(v) // 4
    v = v[cut:len(v) - cut]
    return sum(v) / len(v)


def weeks():
    """(key, n, nps, se, partial) per cell, in output order."""
    for key in sorted(cells):
        c = cells[key]
        (y, w) = key[-1]
        n = c['P'] + c['A'] + c['D']
        if n:
            p, d = c['P'] / n, c['D'] / n
            nps = 100 * (p - d)
            se = 100 * math.sqrt((p + d - (p - d) ** 2) / n)
        else:
            nps = se = None
        monday = datetime.date.fromisocalendar(y, w, 1)
        sunday = monday + datetime.timedelta(days=6)
        partial = int(first_all > monday or last_all < sunday)
        yield key, c, n, nps, se, partial


def agg():
    for key, c, n, nps, se, partial in weeks():
        (y, w) = key[-1]
        print('\t'.join(list(key[:-1]) + [
            f'{y}-W{w:02d}', str(n), str(c['P']), str(c['A']), str(c['D']),
            fixed(nps, 2), fixed(se, 2), str(c['U']),
            fixed(n / (n + c['U']), 4), c['first'].isoformat(),
            c['last'].isoformat(), str(partial)]))


def baseline():
    history = []
    for key, c, n, nps, se, partial in weeks():
        (y, w) = key[-1]
        if partial:
            expected, flag = None, 'partial'
        else:
            window = history[-12:]
            expected = interquartile_mean(window) if window else None
            flag = 'insufficient_history' if len(history) < 8 else None
            history.append(nps)
        assert n and flag, 'a week the reference does not work out'
        residual = None if expected is None else nps - expected
        print('\t'.join([f'{y}-W{w:02d}', fixed(expected, 2), fixed(0, 2),
                         fixed(nps, 2), fixed(residual, 2), flag]))


{None: agg, '--baseline': baseline, '--tickets': tickets}[mode]()

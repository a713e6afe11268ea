// load-duckdb.mjs FILE...: each file through DuckDB's read_csv with
// nothing but auto-detection, as a user would load it; prints
// "file<TAB>column<TAB>type" per column and "file<TAB>#rows<TAB>N".
// @duckdb/node-api is looked up in $NPSKIT_NODE_DIR (default build/node),
// where tests/setup installs it.
import { createRequire } from 'node:module';
import path from 'node:path';

const dir = process.env.NPSKIT_NODE_DIR ||
	path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'build', 'node');
const require = createRequire(path.join(path.resolve(dir), 'package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
for (const file of process.argv.slice(2)) {
	const q = file.replaceAll("'", "''");
	const cols = await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_csv('${q}')`);
	for (const row of cols.getRows())
		process.stdout.write(`${file}\t${row[0]}\t${row[1]}\n`);
	const n = await conn.runAndReadAll(`SELECT count(*) FROM read_csv('${q}')`);
	process.stdout.write(`${file}\t#rows\t${n.getRows()[0][0]}\n`);
}

// duckdb-import.mjs: the nps-import step in DuckDB, for bench/run: a CSV
// read with read_csv (every column as text, as nps-import keeps it) and
// written back as TSV with COPY.
// Usage: node bench/duckdb-import.mjs CSV OUT [RUNS [THREADS]]
// Times the COPY, RUNS times (default 3) in one process, and prints the
// best time in seconds and the mean CPU seconds (user + system, every
// thread) of a run; OUT holds the last run's TSV (for the check that it
// has nps-import's bytes). @duckdb/node-api is looked up where
// duckdb-agg.mjs looks for it (build/node/node_modules, from tests/setup).
import { createRequire } from 'node:module';

const [file, out, runsArg, threadsArg] = process.argv.slice(2);
if (!file || !out) {
	process.stderr.write('usage: node bench/duckdb-import.mjs CSV OUT [RUNS [THREADS]]\n');
	process.exit(64);
}
const runs = runsArg ? Number(runsArg) : 3;

const require = createRequire(new URL('../build/node/package.json', import.meta.url));
const { DuckDBInstance } = require('@duckdb/node-api');

const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
if (threadsArg)
	await conn.run(`PRAGMA threads=${Number(threadsArg)}`);

const q = (s) => s.replaceAll("'", "''");
const sql = `COPY (SELECT * FROM read_csv('${q(file)}', header = true, all_varchar = true))
	TO '${q(out)}' (DELIMITER '\t', HEADER true)`;

let best = Infinity, cpu = 0;
for (let i = 0; i < runs; i++) {
	const c0 = process.cpuUsage();
	const t0 = process.hrtime.bigint();
	await conn.run(sql);
	const s = Number(process.hrtime.bigint() - t0) / 1e9;
	const c = process.cpuUsage(c0);
	cpu += (c.user + c.system) / 1e6;
	if (s < best)
		best = s;
}
process.stdout.write(best.toFixed(3) + '\t' + (cpu / runs).toFixed(2) + '\n');

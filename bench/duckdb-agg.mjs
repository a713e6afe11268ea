// duckdb-agg.mjs: the nps-agg -g store query in DuckDB, for bench/run.
// Usage: node bench/duckdb-agg.mjs FILE [RUNS [THREADS]] [--print]
// Times only the query (CSV read + group + fetch of the rows), RUNS times
// (default 3) in one process, and prints the best time in seconds and the
// mean CPU seconds (user + system, every thread) of a run. THREADS
// (default: DuckDB's own, one per core) sets PRAGMA threads. --print writes
// the result as TSV instead (store n promoters passives detractors nps se),
// for the check that DuckDB counts what nps-agg counts.
// @duckdb/node-api is looked up in build/node/node_modules, where
// tests/setup installs it (npm install --prefix build/node @duckdb/node-api).
import { createRequire } from 'node:module';

const args = process.argv.slice(2);
const print = args.includes('--print');
const [file, runsArg, threadsArg] = args.filter((a) => a !== '--print');
if (!file) {
	process.stderr.write('usage: node bench/duckdb-agg.mjs FILE [RUNS [THREADS]] [--print]\n');
	process.exit(64);
}
const runs = runsArg ? Number(runsArg) : 3;

const require = createRequire(new URL('../build/node/package.json', import.meta.url));
const { DuckDBInstance } = require('@duckdb/node-api');

const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
if (threadsArg)
	await conn.run(`PRAGMA threads=${Number(threadsArg)}`);

const path = file.replaceAll("'", "''");
const sql = `
SELECT store, n, promoters, n - promoters - detractors AS passives, detractors,
       100.0 * (promoters - detractors) / n AS nps,
       100.0 * sqrt((promoters + detractors) / n - ((promoters - detractors) / n) ^ 2) / sqrt(n) AS se
FROM (SELECT store, count(*) AS n,
             count(*) FILTER (WHERE score >= 9) AS promoters,
             count(*) FILTER (WHERE score <= 6) AS detractors
      FROM read_csv('${path}', delim = '\t', header = true)
      GROUP BY store)
ORDER BY store`;

let best = Infinity, cpu = 0, rows;
for (let i = 0; i < runs; i++) {
	const c0 = process.cpuUsage();
	const t0 = process.hrtime.bigint();
	const reader = await conn.runAndReadAll(sql);
	rows = reader.getRows();
	const s = Number(process.hrtime.bigint() - t0) / 1e9;
	const c = process.cpuUsage(c0);
	cpu += (c.user + c.system) / 1e6;
	if (s < best)
		best = s;
}
if (print) {
	const out = ['store\tn\tpromoters\tpassives\tdetractors\tnps\tse'];
	for (const r of rows)
		out.push(r.map((v, j) => (j >= 5 ? Number(v).toFixed(2) : String(v))).join('\t'));
	process.stdout.write(out.join('\n') + '\n');
} else {
	process.stdout.write(best.toFixed(3) + '\t' + (cpu / runs).toFixed(2) + '\n');
}

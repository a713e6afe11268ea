// duckdb-drivers.mjs: what nps-drivers -g store --bootstrap 0 computes from
// the data, in DuckDB, for bench/run: per store the count, each rating's
// mean and the correlation of every pair of the score and the eight
// drivers (36 corr aggregates: the matrix nps-drivers derives everything
// from). The regression, relative weights and LMG come after, from the
// matrix; DuckDB is given the easier half of the job.
// Usage: node bench/duckdb-drivers.mjs FILE [RUNS [THREADS]] [--print]
// Prints the best time in seconds and the mean CPU seconds of a run, or
// with --print the store, n and corr(score, driver) of each driver (TSV),
// for the check that DuckDB finds the correlations nps-drivers finds.
import { createRequire } from 'node:module';

const args = process.argv.slice(2);
const print = args.includes('--print');
const [file, runsArg, threadsArg] = args.filter((a) => a !== '--print');
if (!file) {
	process.stderr.write('usage: node bench/duckdb-drivers.mjs FILE [RUNS [THREADS]] [--print]\n');
	process.exit(64);
}
const runs = runsArg ? Number(runsArg) : 3;

const require = createRequire(new URL('../build/node/package.json', import.meta.url));
const { DuckDBInstance } = require('@duckdb/node-api');

const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
if (threadsArg)
	await conn.run(`PRAGMA threads=${Number(threadsArg)}`);

const vars = ['score', 'sat_wait', 'sat_staff', 'sat_price', 'sat_quality',
	'sat_clean', 'sat_checkout', 'sat_stock', 'sat_parking'];
const aggs = ['count(*) AS n'];
for (const v of vars)
	aggs.push(`avg(${v}) AS mean_${v}`);
for (let a = 0; a < vars.length; a++)
	for (let b = a + 1; b < vars.length; b++)
		aggs.push(`corr(${vars[a]}, ${vars[b]}) AS r_${a}_${b}`);
const path = file.replaceAll("'", "''");
const sql = `SELECT store, ${aggs.join(', ')}
FROM read_csv('${path}', delim = '\t', header = true)
GROUP BY store ORDER BY store`;

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
	const out = ['store\tdriver\tn\tr'];
	for (const r of rows)
		for (let j = 1; j < vars.length; j++)
			out.push([r[0], vars[j], String(r[1]), Number(r[2 + vars.length + j - 1]).toFixed(4)].join('\t'));
	process.stdout.write(out.join('\n') + '\n');
} else {
	process.stdout.write(best.toFixed(3) + '\t' + (cpu / runs).toFixed(2) + '\n');
}

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
import { connect, parseArgs, printTimes, sqlString, timeRuns } from './duckdb.mjs';

const { file, runs, threads, print } = parseArgs(
	'bench/duckdb-drivers.mjs FILE [RUNS [THREADS]] [--print]', ['file', 'runs?', 'threads?']);
const conn = await connect(threads);

const vars = ['score', 'sat_wait', 'sat_staff', 'sat_price', 'sat_quality',
	'sat_clean', 'sat_checkout', 'sat_stock', 'sat_parking'];
const aggs = ['count(*) AS n'];
for (const v of vars)
	aggs.push(`avg(${v}) AS mean_${v}`);
for (let a = 0; a < vars.length; a++)
	for (let b = a + 1; b < vars.length; b++)
		aggs.push(`corr(${vars[a]}, ${vars[b]}) AS r_${a}_${b}`);
const sql = `SELECT store, ${aggs.join(', ')}
FROM read_csv('${sqlString(file)}', delim = '\t', header = true)
GROUP BY store ORDER BY store`;

const times = await timeRuns(runs, async () => (await conn.runAndReadAll(sql)).getRows());
if (print) {
	const out = ['store\tdriver\tn\tr'];
	for (const r of times.last)
		for (let j = 1; j < vars.length; j++)
			out.push([r[0], vars[j], String(r[1]), Number(r[2 + vars.length + j - 1]).toFixed(4)].join('\t'));
	process.stdout.write(out.join('\n') + '\n');
} else {
	printTimes(times);
}

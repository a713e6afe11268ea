// duckdb-agg.mjs: the nps-agg -g store query in DuckDB, for bench/run.
// Usage: node bench/duckdb-agg.mjs FILE [RUNS [THREADS]] [--print]
// Times only the query (CSV read + group + fetch of the rows), RUNS times
// (default 3) in one process, and prints the best time in seconds and the
// mean CPU seconds (user + system, every thread) of a run. THREADS
// (default: DuckDB's own, one per core) sets PRAGMA threads. --print writes
// the result as TSV instead (store n promoters passives detractors nps se),
// for the check that DuckDB counts what nps-agg counts.
import { connect, parseArgs, printTimes, sqlString, timeRuns } from './duckdb.mjs';

const { file, runs, threads, print } = parseArgs(
	'bench/duckdb-agg.mjs FILE [RUNS [THREADS]] [--print]', ['file', 'runs?', 'threads?']);
const conn = await connect(threads);

const sql = `
SELECT store, n, promoters, n - promoters - detractors AS passives, detractors,
       100.0 * (promoters - detractors) / n AS nps,
       100.0 * sqrt((promoters + detractors) / n - ((promoters - detractors) / n) ^ 2) / sqrt(n) AS se
FROM (SELECT store, count(*) AS n,
             count(*) FILTER (WHERE score >= 9) AS promoters,
             count(*) FILTER (WHERE score <= 6) AS detractors
      FROM read_csv('${sqlString(file)}', delim = '\t', header = true)
      GROUP BY store)
ORDER BY store`;

const times = await timeRuns(runs, async () => (await conn.runAndReadAll(sql)).getRows());
if (print) {
	const out = ['store\tn\tpromoters\tpassives\tdetractors\tnps\tse'];
	for (const r of times.last)
		out.push(r.map((v, j) => (j >= 5 ? Number(v).toFixed(2) : String(v))).join('\t'));
	process.stdout.write(out.join('\n') + '\n');
} else {
	printTimes(times);
}

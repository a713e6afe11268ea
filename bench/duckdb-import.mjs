// duckdb-import.mjs: the nps-import step in DuckDB, for bench/run: a CSV
// read with read_csv (every column as text, as nps-import keeps it) and
// written back as TSV with COPY.
// Usage: node bench/duckdb-import.mjs CSV OUT [RUNS [THREADS]]
// Times the COPY, RUNS times (default 3) in one process, and prints the
// best time in seconds and the mean CPU seconds (user + system, every
// thread) of a run; OUT holds the last run's TSV (for the check that it
// has nps-import's bytes).
import { connect, parseArgs, printTimes, sqlString, timeRuns } from './duckdb.mjs';

const { file, out, runs, threads } = parseArgs(
	'bench/duckdb-import.mjs CSV OUT [RUNS [THREADS]]', ['file', 'out', 'runs?', 'threads?']);
const conn = await connect(threads);

const sql = `COPY (SELECT * FROM read_csv('${sqlString(file)}', header = true, all_varchar = true))
	TO '${sqlString(out)}' (DELIMITER '\t', HEADER true)`;

printTimes(await timeRuns(runs, () => conn.run(sql)));

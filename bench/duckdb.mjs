// duckdb.mjs: what bench/duckdb-*.mjs share: the command line, a DuckDB
// connection and the timing of a query, RUNS times in one process.
// @duckdb/node-api is looked up in build/node/node_modules, where
// tests/setup installs it (npm install --prefix build/node @duckdb/node-api).
import { createRequire } from 'node:module';

// The arguments after the script's name: the named positional ones
// (names ending in '?' are optional) and whether --print was given. Too
// few: the usage line on stderr, exit 64.
export function parseArgs(usage, names) {
	const args = process.argv.slice(2);
	const print = args.includes('--print');
	const given = args.filter((a) => a !== '--print');
	const out = { print };
	names.forEach((name, i) => {
		const optional = name.endsWith('?');
		const key = optional ? name.slice(0, -1) : name;
		if (!optional && !given[i]) {
			process.stderr.write(`usage: node ${usage}\n`);
			process.exit(64);
		}
		out[key] = given[i];
	});
	out.runs = out.runs ? Number(out.runs) : 3;
	return out;
}

// An in-memory database's connection; threads (if given) sets PRAGMA threads
// (DuckDB's default: one per core).
export async function connect(threads) {
	const require = createRequire(new URL('../build/node/package.json', import.meta.url));
	const { DuckDBInstance } = require('@duckdb/node-api');
	const instance = await DuckDBInstance.create(':memory:');
	const conn = await instance.connect();
	if (threads)
		await conn.run(`PRAGMA threads=${Number(threads)}`);
	return conn;
}

// A string inside SQL quotes.
export const sqlString = (s) => s.replaceAll("'", "''");

// Runs query() runs times; returns the best wall time in seconds, the mean
// CPU seconds of a run (user + system, every thread) and the last result.
export async function timeRuns(runs, query) {
	let best = Infinity, cpu = 0, last;
	for (let i = 0; i < runs; i++) {
		const c0 = process.cpuUsage();
		const t0 = process.hrtime.bigint();
		last = await query();
		const s = Number(process.hrtime.bigint() - t0) / 1e9;
		const c = process.cpuUsage(c0);
		cpu += (c.user + c.system) / 1e6;
		if (s < best)
			best = s;
	}
	return { best, cpu: cpu / runs, last };
}

// The line bench/run reads: best seconds TAB mean CPU seconds.
export function printTimes({ best, cpu }) {
	process.stdout.write(best.toFixed(3) + '\t' + cpu.toFixed(2) + '\n');
}

# bench/lib.sh: what bench/run and bench/threads share. Sourced with
# RUNS (timed runs per command) and RES (the results file) set.

have() { command -v "$1" > /dev/null 2>&1; }

# put KEY SECONDS CPU: one result line (SECONDS may be a note instead).
put() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$RES"; }

# timeit KEY COMMAND: best wall-clock of RUNS runs, output to /dev/null,
# and the mean cpu seconds (user + system) of a run with hyperfine.
timeit() {
	echo "timing $1: $2" >&2
	if have hyperfine; then
		if hyperfine --style none --runs "$RUNS" --export-csv "$D/hf.csv" \
			-n "$1" "$2" > /dev/null 2> "$D/hf.err"; then
			awk -F, -v k="$1" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
				{ printf "%s\t%.3f\t%.2f\n", k, $c["min"], $c["user"] + $c["system"] }' \
				"$D/hf.csv" >> "$RES"
		else
			put "$1" failed "-"
			cat "$D/hf.err" >&2
		fi
	else
		best=
		i=0
		while [ $i -lt "$RUNS" ]; do
			t0=$(date +%s%N)
			if ! sh -c "$2" > /dev/null; then put "$1" failed "-"; return 0; fi
			t1=$(date +%s%N)
			best=$(awk -v a="$t0" -v b="$t1" -v m="$best" \
				'BEGIN { s = (b - a) / 1e9; if (m != "" && m < s) s = m; printf "%.3f", s }')
			i=$((i + 1))
		done
		put "$1" "$best" "-"
	fi
}

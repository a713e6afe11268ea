#!/usr/bin/env bats
# Outputs other tools load: each program's output on the fixtures goes
# through DuckDB's read_csv with auto-detection, Python's csv module (and
# pandas' defaults, when pandas is here) and mlr --tsv; every column whose values are numbers must be read as numbers,
# and a missing number is an empty field (npskit(7), MISSING NUMBERS).
# tests/load-duckdb.mjs lists DuckDB's types, tests/load-check.py checks.
load helper

# load_check FILE...: the checks above; prints what failed.
load_check() {
	need duckdb
	need python3
	need mlr
	NPSKIT_NODE_DIR="${duckdb_modules%/node_modules}" node "$BATS_TEST_DIRNAME/load-duckdb.mjs" "$@" >"$BATS_TEST_TMPDIR/types"
	run python3 "$BATS_TEST_DIRNAME/load-check.py" "$BATS_TEST_TMPDIR/types" "$@"
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
}

@test "nps-import's output loads with numbers typed as numbers, N/A read as empty" {
	d=$BATS_TEST_TMPDIR
	nps-import -r 'Ticket ID=ticket' -r 'Created=created_at' -r '/^How likely/=q1' -r '/^Speed/=q2' \
		-r '/^Knowledge/=q3' -r '/^Courtesy/=q4' -r '/^Resolution/=q5' -r '/^Ease/=q6' \
		--date 'created_at=%d/%m/%Y %H:%M:%S%z' "$data/helpdesk.csv" >"$d/helpdesk.tsv"
	# the export's N/A (an unanswered question) is an empty field
	[ "$(cut -f 5-10 "$d/helpdesk.tsv" | grep -c -x -e '.*N/A.*')" -eq 0 ]
	[ "$(cut -f 5-10 "$d/helpdesk.tsv" | sed 1d | tr '\t' '\n' | grep -c -x '')" -gt 0 ]
	load_check "$d/helpdesk.tsv"
}

# A double quote is an ordinary byte in TSV, also first in a field: the
# Sudzilla export's answer """Bar out of hell: return of the bar""" is
# imported as "Bar out of hell: return of the bar", quotes included. The
# CSV readers' defaults take it for a quoted field and drop the quotes;
# told there is no quoting (npskit(7), Quotes) they read the bytes.
@test "a field that begins with a quote: read as written by the readers npskit(7) names, told there is no quoting" {
	need python3
	need mlr
	d=$BATS_TEST_TMPDIR
	nps-import "$data/prepbench/case_040_input_02.csv" >"$d/sudzilla.tsv"
	col="What was your favourite 'Soap Box' (breakout / customer speaker) session?"
	[ "$(cut -f 11 "$d/sudzilla.tsv" | grep -c -x '"Bar out of hell: return of the bar"')" -eq 1 ]
	run python3 -c 'import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline=""), delimiter="\t", quoting=csv.QUOTE_NONE))
print(sum(r[10] == "\"Bar out of hell: return of the bar\"" for r in rows), len(rows))' "$d/sudzilla.tsv"
	[ "$output" = "1 $(wc -l <"$d/sudzilla.tsv")" ]
	[ "$(mlr --tsv --no-auto-unflatten cut -f "$col" "$d/sudzilla.tsv" | grep -c -x '"Bar out of hell: return of the bar"')" -eq 1 ]
}

@test "nps-classify's output loads with numbers typed as numbers" {
	d=$BATS_TEST_TMPDIR
	nps-classify --rejects /dev/null "$data/classify-mixed.tsv" >"$d/mixed.tsv" 2>/dev/null
	printf 'id\tq1\tq2\n1\t9\t\n2\t\t3\n3\t7\t10\n' | nps-classify -s q1,q2 >"$d/questions.tsv"
	nps-classify -u country,store,name --keep earliest -t completed_at --rejects "$d/rej.tsv" \
		"$data/prepbench-050.tsv" >"$d/earliest.tsv" 2>/dev/null
	load_check "$d/mixed.tsv" "$d/questions.tsv" "$d/earliest.tsv" "$d/rej.tsv"
}

@test "nps-agg's output loads with numbers typed as numbers, empty where a figure does not exist" {
	d=$BATS_TEST_TMPDIR
	nps-agg -g store -t day --rollup --min-n 2 "$data/agg-unanswered.tsv" >"$d/periods.tsv"
	nps-agg -g region,store -w w --rollup "$data/agg-weighted.tsv" >"$d/weighted.tsv"
	printf 'store\tscore\tw\nA\t9\t0\nA\t3\t0\nB\t7\t1\n' | nps-agg -g store -w w >"$d/zero-weights.tsv"
	nps-agg -g store --interval score "$data/agg-basic.tsv" >"$d/basic.tsv"
	# the figures of the n 0 and all-zero-weight rows are empty
	grep -q "$(printf '^B\t2026-02\t0\t0\t0\t0\t\t\t\t\t\t\t\t1\t')" "$d/periods.tsv"
	grep -q "$(printf '^A\t2\t1\t0\t1\t\t\t\t\t\t\t\t0\t')" "$d/zero-weights.tsv"
	load_check "$d/periods.tsv" "$d/weighted.tsv" "$d/zero-weights.tsv" "$d/basic.tsv"
}

@test "nps-signif's output loads with numbers typed as numbers" {
	d=$BATS_TEST_TMPDIR
	nps-signif "$data/signif-example.tsv" >"$d/pairs.tsv"
	nps-signif --tiers "$data/signif-tiers.tsv" >"$d/tiers.tsv"
	nps-signif --trend -g store "$data/signif-trend.tsv" >"$d/trend.tsv"
	load_check "$d/pairs.tsv" "$d/tiers.tsv" "$d/trend.tsv"
}

@test "nps-route's output loads with numbers typed as numbers" {
	d=$BATS_TEST_TMPDIR
	nps-route "$data/route-sla.tsv" >"$d/sla.tsv"
	nps-route --rejects "$d/rej.tsv" "$data/route-mixed.tsv" >"$d/mixed.tsv" 2>/dev/null
	load_check "$d/sla.tsv" "$d/mixed.tsv"
}

@test "nps-audit's output loads with numbers typed as numbers" {
	d=$BATS_TEST_TMPDIR
	nps-audit -g store "$data/audit-six.tsv" >"$d/audit.tsv"
	nps-audit -g store --min-n 50 "$data/audit-six.tsv" >"$d/small.tsv"
	nps-audit -g store --sample 3 "$data/audit-six.tsv" >"$d/sample.tsv"
	load_check "$d/audit.tsv" "$d/small.tsv" "$d/sample.tsv"
}

@test "nps-themes' output loads with numbers typed as numbers" {
	d=$BATS_TEST_TMPDIR
	printf 'id\tcomment\n1\tToo expensive, and rude staff\n2\tnothing to say\n3\t\n' |
		nps-themes --themes "$data/themes-dict.tsv" >"$d/themes.tsv"
	load_check "$d/themes.tsv"
}

@test "nps-baseline's output loads with numbers typed as numbers, empty where a figure does not exist" {
	d=$BATS_TEST_TMPDIR
	nps-baseline -g store "$data/baseline-seasonal4.tsv" >"$d/pooled.tsv"
	nps-baseline --events "$data/baseline-event.events.tsv" "$data/baseline-event.tsv" >"$d/events.tsv"
	# the help desk's weeks: a partial first week, no expectation before
	# the second whole one, a week with no responses (ben's first two)
	nps-classify -s q1,q2 -u customer --keep latest -t created_at "$data/helpdesk.tsv" 2>/dev/null |
		nps-agg -g agent -s q1 -t created_at -p week | nps-baseline -g agent >"$d/helpdesk.tsv"
	# the partial week's expected, residual, z, lower and upper are empty
	grep -q "$(printf '^chen	2026-W02	.*	1		0.00	0.00	0.00					partial$')" "$d/helpdesk.tsv"
	load_check "$d/pooled.tsv" "$d/events.tsv" "$d/helpdesk.tsv"
}

@test "nps-drivers' output loads with numbers typed as numbers, empty where a figure does not exist" {
	d=$BATS_TEST_TMPDIR
	D='-d price,staff,speed'
	nps-drivers -g store $D "$data/drivers-basic.tsv" >"$d/boot.tsv"
	nps-drivers $D --bootstrap 0 --lmg-max 2 --levels "$data/drivers-levels.tsv" "$data/drivers-basic.tsv" >"$d/levels.tsv"
	nps-drivers -d x1,flat,x2,sum12 --bootstrap 0 "$data/drivers-flags.tsv" >"$d/flags.tsv"
	# flat (zero variance) is out of the regression: r ... importance,
	# its rank and quadrant empty
	[ "$(grep '^flat' "$d/flags.tsv" | cut -f 6-11,14,19,21)" = "$(printf '\t\t\t\t\t\t\t\tzero_variance')" ]
	# the partial sums that --merge reads
	nps-drivers -g store $D --partial "$data/drivers-basic.tsv" >"$d/partial.tsv"
	load_check "$d/boot.tsv" "$d/levels.tsv" "$d/flags.tsv" "$d/partial.tsv"
}

#!/usr/bin/env bats
# The monthly report (examples/monthly) on the bundled sample: the figures
# of its summary, worked out here from examples/sample.tsv with awk alone,
# and the Makefile's idempotence and -j safety.
load helper

top="$BATS_TEST_DIRNAME/.."
sample="$top/examples/sample.tsv"
monthly="$top/examples/monthly"

# One run of the report for 2026-10, shared by the tests that only read it.
setup_file() {
	export REPORT="$BATS_FILE_TMPDIR/report"
	make -s -C "$monthly" NPS_BIN="$bin" OUT="$REPORT" >/dev/null
}

# month_counts MONTH: "n promoters passives detractors" of the sample's
# responses in MONTH (responded_at is column 2, score column 7).
month_counts() {
	awk -F '\t' -v m="$1" 'NR > 1 && substr($2, 1, 7) == m {
		n++; if ($7 >= 9) p++; else if ($7 >= 7) a++; else d++ }
		END { print n, p, a, d }' "$sample"
}

# nps_line N P A D: the company line the summary must print, from the
# counts: NPS = 100 (P - D) / N, se = 100 sqrt((p + d - (p - d)^2) / N)
# with p = P/N, d = D/N, interval NPS -+ 1.959964 se.
nps_line() {
	awk -v n="$1" -v P="$2" -v A="$3" -v D="$4" 'BEGIN {
		p = P / n; d = D / n; nps = 100 * (p - d)
		se = 100 * sqrt((p + d - (p - d) ^ 2) / n)
		printf "**NPS %.2f** (95%% interval %.2f to %.2f) from %d responses: %d promoters, %d passives, %d detractors.\n",
			nps, nps - 1.959964 * se, nps + 1.959964 * se, n, P, A, D }'
}

@test "the sample's 2026-10 counts are the ones worked by hand below" {
	# Pins the data the next test's comment works through.
	[ "$(month_counts 2026-10)" = "308 135 96 77" ]
	[ "$(month_counts 2026-09)" = "332 142 88 102" ]
}

@test "summary: company NPS, n and interval for 2026-10, as counted from the sample" {
	# 308 responses, 135 promoters, 96 passives, 77 detractors:
	# NPS = 100 (135 - 77) / 308 = 18.831; p + d = 212/308 = 0.688312,
	# (p - d)^2 = (58/308)^2 = 0.035461, se = 100 sqrt(0.652851 / 308) = 4.6040,
	# interval 18.831 -+ 1.959964 x 4.6040 = 18.831 -+ 9.0237 = 9.81 .. 27.85.
	[ "$(nps_line 308 135 96 77)" = "**NPS 18.83** (95% interval 9.81 to 27.85) from 308 responses: 135 promoters, 96 passives, 77 detractors." ]
	# shellcheck disable=SC2046
	grep -qxF "$(nps_line $(month_counts 2026-10))" "$REPORT/summary.md"
}

@test "summary: the change since 2026-09 and that it is not significant" {
	# 2026-09: 332 responses, 142 promoters, 102 detractors: NPS = 100 x 40/332
	# = 12.048; 2026-10: 308, 135, 77: 18.831. Change 6.783. nps-signif's
	# adjusted Wald test adds 0.75 promoters, 1.5 passives and 0.75
	# detractors to each month: centres 100 (135.75 - 77.75) / 311 = 18.650
	# and 100 (142.75 - 102.75) / 335 = 11.940, difference 6.709; se
	# sqrt(v1 + v0) = 6.5120, z = 1.03 < 1.959964: not significant even
	# before the adjustment for 9 comparisons. The interval is centred on
	# the adjusted difference.
	want=$(awk 'BEGIN {
		n1 = 308; P1 = 135; D1 = 77; n0 = 332; P0 = 142; D0 = 102
		x1 = 100 * (P1 - D1) / n1; x0 = 100 * (P0 - D0) / n0
		p1 = (P1 + .75) / (n1 + 3); d1 = (D1 + .75) / (n1 + 3)
		p0 = (P0 + .75) / (n0 + 3); d0 = (D0 + .75) / (n0 + 3)
		v1 = 10000 * (p1 + d1 - (p1 - d1) ^ 2) / (n1 + 3); v0 = 10000 * (p0 + d0 - (p0 - d0) ^ 2) / (n0 + 3)
		se = sqrt(v1 + v0); c = 100 * (p1 - d1) - 100 * (p0 - d0)
		printf "Change since 2026-09: +%.2f points (from %.2f), 95%% interval %.2f to %.2f: not significant\n",
			x1 - x0, x0, c - 1.959964 * se, c + 1.959964 * se }')
	[ "$want" = "Change since 2026-09: +6.78 points (from 12.05), 95% interval -6.05 to 19.47: not significant" ]
	grep -qF "$want (p = " "$REPORT/summary.md"
	grep -qF "over the 9 month-on-month changes" "$REPORT/summary.md"
}

@test "summary: each region's n and NPS for 2026-10, as counted from the sample" {
	# region is column 3; NPS = 100 (P - D) / n per region.
	awk -F '\t' 'NR > 1 && substr($2, 1, 7) == "2026-10" {
		n[$3]++; if ($7 >= 9) x[$3] += 100; else if ($7 <= 6) x[$3] -= 100 }
		END { for (r in n) printf "%s %d %.2f\n", r, n[r], x[r] / n[r] }' "$sample" |
		sort >"$BATS_TEST_TMPDIR/want"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/want")" -eq 8 ]
	sed -n '/^## Regions/,/^## Stores/p' "$REPORT/summary.md" |
		awk -F ' *[|] *' '$2 ~ /^[a-z]+$/ && $2 != "region" { print $2, $3, $4 }' |
		sort >"$BATS_TEST_TMPDIR/got"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# west: 20 responses, 14 promoters, 1 detractor: 100 x 13/20 = 65, up from
	# 0 in 2026-09 (the generator raises S012 in 2026-10).
	grep -qE '^\| west +\| +20 \| +65\.00 \|.*\| +\+65\.00 \| yes ' "$REPORT/summary.md"
}

@test "summary: stores with fewer than 10 responses in 2026-10 are counted as not judged" {
	# store is column 4; the flags of the other 8 are nps-baseline's, only
	# their number is checked here.
	small=$(awk -F '\t' 'NR > 1 && substr($2, 1, 7) == "2026-10" { n[$4]++ }
		END { for (s in n) if (n[s] < 10) print s }' "$sample" | sort | paste -sd ' ')
	[ "$small" = "S004 S006 S007 S009 S010 S012 S013 S014 S015 S016 S018 S019 S020 S022 S023 S024" ]
	line=$(grep '^24 stores: ' "$REPORT/summary.md")
	[[ "$line" == *"; not judged: 16 (fewer than 10 responses this month: 16 - ${small// /, }; insufficient history: 0; no responses this month: 0)." ]]
	[[ "$line" =~ ^24\ stores:\ ([0-9]+)\ high,\ ([0-9]+)\ low,\ ([0-9]+)\ normal ]]
	[ $((BASH_REMATCH[1] + BASH_REMATCH[2] + BASH_REMATCH[3])) -eq 8 ]
	# Every region has 10 or more (the fewest: coast, 19): all 8 judged.
	line=$(grep '^8 regions: ' "$REPORT/summary.md")
	[[ "$line" == *"; not judged: 0 (fewer than 10 responses this month: 0; insufficient history: 0; no responses this month: 0)." ]]
}

@test "summary: the top detractor reasons, as counted from the sample" {
	# Detractors (score 0..6) of 2026-10 by reason (column 8), most first,
	# ties by name; the share is of all 77 detractors.
	awk -F '\t' 'NR > 1 && substr($2, 1, 7) == "2026-10" && $7 <= 6 { n[$8 == "" ? "(none given)" : $8]++; t++ }
		END { for (r in n) printf "%s %d %.1f%%\n", r, n[r], 100 * n[r] / t }' "$sample" |
		sort -k2,2nr -k1,1 | head -n 5 >"$BATS_TEST_TMPDIR/want"
	sed -n '/^## Top detractor reasons/,/^From the comments/p' "$REPORT/summary.md" |
		awk -F ' *[|] *' 'NF > 3 && $3 ~ /^[0-9]+$/ && $2 != "all detractors" { print $2, $3, $4 }' >"$BATS_TEST_TMPDIR/got"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# staff 17, wait_time 16, product_quality 15, stock 15, price 14: 77.
	[ "$(head -n 1 "$BATS_TEST_TMPDIR/want")" = "staff 17 22.1%" ]
	grep -qE '^\| all detractors +\| +77 \| 100\.0% \|$' "$REPORT/summary.md"
}

@test "summary: tickets by priority for the month's detractors and passives" {
	# Built-in rules: high value is customer_value (column 6) >= 1500.
	awk -F '\t' 'NR > 1 && substr($2, 1, 7) == "2026-10" && $7 <= 8 {
		k = ($7 <= 6 ? 1 : 3) + ($6 >= 1500 ? 0 : 1); n[k]++ }
		END { for (k = 1; k <= 4; k++) print k, n[k] }' "$sample" >"$BATS_TEST_TMPDIR/want"
	[ "$(cat "$BATS_TEST_TMPDIR/want")" = "$(printf '1 21\n2 56\n3 19\n4 77')" ]
	sed -n '/^## Open tickets/,$p' "$REPORT/summary.md" |
		awk -F ' *[|] *' '$2 ~ /^[0-9]+$/ { print $2, $5 }' >"$BATS_TEST_TMPDIR/got"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# 77 detractors + 96 passives = 173 tickets.
	grep -qE '^\| +\| +\| total +\| +173 \|$' "$REPORT/summary.md"
	[ "$(($(wc -l <"$REPORT/tickets.tsv") - 1))" -eq 173 ]
}

@test "summary: our brand's weighted NPS over the 12 months of the benchmark" {
	# us, 2025-11..2026-10: 100 (sum w promoters - sum w detractors) / sum w.
	want=$(awk -F '\t' '$1 == "us" && substr($2, 1, 7) >= "2025-11" && substr($2, 1, 7) <= "2026-10" {
		n++; w += $4; if ($3 >= 9) x += $4; else if ($3 <= 6) x -= $4 }
		END { printf "%.2f %d", 100 * x / w, n }' "$top/examples/benchmark.tsv")
	[ "$want" = "28.18 400" ]
	grep -qE '^\| +1 \| us +\| +28\.18 \| .* \| 400 \| ' "$REPORT/summary.md"
	grep -qxF "us is in tier 1, with gamma and alpha." "$REPORT/summary.md"
	# competitors.tsv, merged from months, is one pass over the window's rows.
	awk -F '\t' 'NR == 1 || (substr($2, 1, 7) >= "2025-11" && substr($2, 1, 7) <= "2026-10")' \
		"$top/examples/benchmark.tsv" | nps-agg -g brand -w weight | cmp - "$REPORT/competitors.tsv"
}

@test "every output is there, and no temporary file is left" {
	for f in responses agg baseline-regions baseline-stores change competitors tiers tickets; do
		[ -s "$REPORT/$f.tsv" ]
	done
	[ -s "$REPORT/summary.md" ]
	[ -z "$(find "$REPORT" -name '*.tmp')" ]
}

@test "a second make does nothing: no file is rewritten" {
	out="$BATS_TEST_TMPDIR/again"
	make -s -C "$monthly" NPS_BIN="$bin" OUT="$out" >/dev/null
	touch "$BATS_TEST_TMPDIR/stamp"
	run env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C "$monthly" NPS_BIN="$bin" OUT="$out"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Nothing to be done for 'all'"* ]]
	[ -z "$(find "$out" -newer "$BATS_TEST_TMPDIR/stamp")" ]
}

@test "make -j4 from clean writes the same bytes as make -j1" {
	make -s -j1 -C "$monthly" NPS_BIN="$bin" OUT="$BATS_TEST_TMPDIR/j1" >/dev/null
	make -s -j4 -C "$monthly" NPS_BIN="$bin" OUT="$BATS_TEST_TMPDIR/j4" >/dev/null
	diff -r "$BATS_TEST_TMPDIR/j1" "$BATS_TEST_TMPDIR/j4"
	cmp "$BATS_TEST_TMPDIR/j1/summary.md" "$REPORT/summary.md"
}

@test "a bad row stops the job, named by its line in the input, and leaves no half file" {
	{ head -n 3 "$sample"; printf 'R9\t26-10-01\tnorth\tS001\tweb\t10\t9\t\t\n'; } >"$BATS_TEST_TMPDIR/bad.tsv"
	run --separate-stderr make -s -C "$monthly" NPS_BIN="$bin" MONTH=2026-10 \
		INPUT="$BATS_TEST_TMPDIR/bad.tsv" OUT="$BATS_TEST_TMPDIR/bad"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"nps-agg: $BATS_TEST_TMPDIR/bad.tsv:4: responded_at must be a date "*'("26-10-01")'* ]]
	# A bad score in the month reported: the line in the input, not in a
	# filtered copy; -j4 too.
	{ head -n 3 "$sample"; printf 'R9\t2026-10-01\tnorth\tS001\tweb\t10\t11\t\t\n'; } >"$BATS_TEST_TMPDIR/bad.tsv"
	run --separate-stderr make -s -j4 -C "$monthly" NPS_BIN="$bin" MONTH=2026-10 \
		INPUT="$BATS_TEST_TMPDIR/bad.tsv" OUT="$BATS_TEST_TMPDIR/bad"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"nps-agg: $BATS_TEST_TMPDIR/bad.tsv:4: score must be an integer 0..10 (\"11\")"* ]]
	[[ "$stderr" != *nps-classify* ]]
	[ ! -e "$BATS_TEST_TMPDIR/bad/agg.tsv" ]
	[ ! -e "$BATS_TEST_TMPDIR/bad/responses.tsv" ]
	[ ! -e "$BATS_TEST_TMPDIR/bad/summary.md" ]
	[ -z "$(find "$BATS_TEST_TMPDIR/bad" -name '*.tmp')" ]
}

@test "MONTH must be a month" {
	run --separate-stderr make -s -C "$monthly" NPS_BIN="$bin" MONTH=2026-13 OUT="$BATS_TEST_TMPDIR/x"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *'MONTH must be a month like 2026-10, not "2026-13"'* ]]
	[ ! -e "$BATS_TEST_TMPDIR/x" ]
}

@test "another month: 2026-03, the launch, with its own last month and benchmark window" {
	out="$BATS_TEST_TMPDIR/march"
	make -s -C "$monthly" NPS_BIN="$bin" MONTH=2026-03 OUT="$out" >/dev/null
	# shellcheck disable=SC2046
	grep -qxF "$(nps_line $(month_counts 2026-03))" "$out/summary.md"
	grep -q '^Change since 2026-02: ' "$out/summary.md"
	grep -qx '## Competitors, 2025-04 to 2026-03' "$out/summary.md"
	# agg.tsv stops at the month reported.
	[ "$(cut -f 3 "$out/agg.tsv" | sed 1d | sort -u | tail -n 1)" = 2026-03 ]
}

@test "summary: what to fix first, the company's drivers as one pass over the survey's window gives them, and each region" {
	# drivers.tsv's company rows (region *) come from merged region partials:
	# they must be the figures of nps-drivers run once on 2026-08..2026-10.
	awk -F '\t' 'NR == 1 || (substr($2, 1, 7) >= "2026-08" && substr($2, 1, 7) <= "2026-10")' \
		"$top/examples/drivers.tsv" >"$BATS_TEST_TMPDIR/window.tsv"
	nps-drivers --drivers-prefix sat_ "$BATS_TEST_TMPDIR/window.tsv" | sed 1d >"$BATS_TEST_TMPDIR/one"
	awk -F '\t' '$1 == "*"' "$REPORT/drivers.tsv" | cut -f 2- | cmp - "$BATS_TEST_TMPDIR/one"
	summary=$(cat "$REPORT/summary.md")
	[[ "$summary" == *"## What to fix first, 2026-08 to 2026-10"* ]]
	fix=$(awk -F '\t' '$19 == "fix_first" { f = f (f ? ", " : "") $1 } END { print f }' "$BATS_TEST_TMPDIR/one")
	[ -n "$fix" ]
	[[ "$summary" == *"Fix first: $fix."* ]]
	# a line per region of the sample, each with its responses
	for r in central coast east lakes mountain north south west; do
		n=$(awk -F '\t' -v r="$r" 'NR > 1 && $3 == r' "$BATS_TEST_TMPDIR/window.tsv" | wc -l)
		printf '%s\n' "$summary" | grep -Eq "^\| $r +\| +$n \|"
	done
}

@test "a month the data cover only in part is noted in the summary, with its dates" {
	# The sample cut after 2026-10-15 (every row of October up to the 15th).
	awk -F '\t' 'NR == 1 || substr($2, 1, 10) <= "2026-10-15"' "$sample" >"$BATS_TEST_TMPDIR/in.tsv"
	make -s -C "$monthly" NPS_BIN="$bin" OUT="$BATS_TEST_TMPDIR/out" MONTH=2026-10 INPUT="$BATS_TEST_TMPDIR/in.tsv" >/dev/null
	first=$(awk -F '\t' 'substr($2, 1, 7) == "2026-10" { print substr($2, 1, 10) }' "$BATS_TEST_TMPDIR/in.tsv" | sort | head -n 1)
	[ "$(sed -n 4p "$BATS_TEST_TMPDIR/out/summary.md")" = "The data cover this month only in part ($first to 2026-10-15): read it as part of a month, not a whole one." ]
	# the whole month of the bundled sample has no such line
	! grep -q 'only in part' "$REPORT/summary.md"
}

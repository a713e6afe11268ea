#!/usr/bin/env bats
load helper

H='n	promoters	passives	detractors	pct_promoters	pct_passives	pct_detractors	nps	se	ci_low	ci_high	unanswered	response_rate'

# Worked by hand, z = 1.959964 (95%):
# A: 9 10 7 3 -> 2 promoters, 1 passive, 1 detractor, n 4; nps = 50 - 25 = 25;
#    var = (p + d - (p - d)^2) / n = (.75 - .0625) / 4 = .171875; se = 41.4578;
#    25 -/+ 1.959964 * 41.4578 = -56.26 / 106.26 -> clamped to 100.
# B: 0 9 -> p = d = .5; nps 0; var = 1 / 2; se = 70.7107; +-138.59 -> clamped.
# C: 9 alone -> nps 100, se 0: the Wald interval collapses to the point.
@test "NPS, se and a 95% interval per group, sorted by key" {
	run nps-agg -g store "$data/agg-basic.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'store\t%s\n' "$H"; tsv \
		'A 4 2 1 1 50.00 25.00 25.00 25.00 41.46 -56.26 100.00 0 1.0000' \
		'B 2 1 0 1 50.00 0.00 50.00 0.00 70.71 -100.00 100.00 0 1.0000' \
		'C 1 1 0 0 100.00 0.00 0.00 100.00 0.00 100.00 100.00 0 1.0000')" ]
}

# All 7: 4 promoters, 1 passive, 2 detractors; p = 4/7, d = 2/7, nps = 28.5714;
# var = (6/7 - (2/7)^2) / 7 = .1107872; se = 33.2847; +-65.2368.
@test "no -g gives the grand total; stdin and a file give the same bytes" {
	run nps-agg "$data/agg-basic.tsv"
	[ "$output" = "$(printf '%s\n' "$H"; tsv '7 4 1 2 57.14 14.29 28.57 28.57 33.28 -36.67 93.81 0 1.0000')" ]
	[ "$(nps-agg <"$data/agg-basic.tsv")" = "$output" ]
}

@test "--precision sets the decimals" {
	run nps-agg --precision 4 "$data/agg-basic.tsv"
	[ "$output" = "$(printf '%s\n' "$H"; tsv '7 4 1 2 57.1429 14.2857 28.5714 28.5714 33.2847 -36.6654 93.8083 0 1.000000')" ]
	run nps-agg --precision 0 "$data/agg-basic.tsv"
	[ "$output" = "$(printf '%s\n' "$H"; tsv '7 4 1 2 57 14 29 29 33 -37 94 0 1.00')" ]
}

# 90%: z = 1.644854; 28.5714 -/+ 1.644854 * 33.2847 = -26.1770 / 83.3199.
@test "--confidence sets the interval level" {
	run nps-agg --confidence 0.90 --precision 4 "$data/agg-basic.tsv"
	[ "$output" = "$(printf '%s\n' "$H"; tsv '7 4 1 2 57.1429 14.2857 28.5714 28.5714 33.2847 -26.1770 83.3199 0 1.000000')" ]
}

# Adjusted Wald for A: p' = 2.75/7, d' = 1.75/7, centre 14.2857;
# se' = 100 sqrt((p' + d' - (p' - d')^2) / 7) = 29.8197; +-58.4454.
# B: p' = d' = 1.75/5, centre 0, se' = 100 sqrt(.7 / 5) = 37.4166; +-73.34.
# For C: p' = 1.75/4, d' = .75/4, centre 25; se' = 100 sqrt((.625 - .0625) / 4) = 37.5;
# +-73.4986 -> -48.50 / 98.50.
@test "--interval adjusted adds pseudo-counts 0.75/1.5/0.75" {
	run nps-agg -g store --interval adjusted "$data/agg-basic.tsv"
	[ "$(printf '%s\n' "$output" | cut -f 1,11,12)" = "$(tsv 'store ci_low ci_high' 'A -44.16 72.73' \
		'B -73.34 73.34' 'C -48.50 98.50')" ]
}

# Score interval, checked against a brute-force search (restricted MLE by
# ternary search, bisection on the bound). For a lone promoter it has the
# closed form (1 - z^2) / (1 + z^2) = -0.586901.
@test "--interval score (Tango/Rocks) does not collapse for a lone promoter" {
	run nps-agg -g store --interval score --precision 4 "$data/agg-basic.tsv"
	[ "$(printf '%s\n' "$output" | cut -f 1,11,12 | sed -n '2p;4p')" = "$(tsv 'A -50.4687 77.8338' 'C -58.6901 100.0000')" ]
}

@test "every period kind, ISO weeks across year ends" {
	run nps-agg -t day -p week "$data/agg-dates.tsv"
	# 2020-12-31 and 2021-01-03 are 2020-W53; 2021-01-04 is 2021-W01;
	# 2024-12-30 (local date of 08:00+02:00) is 2025-W01; 2025-03-31 (Mon)
	# and 2025-04-01 share 2025-W14.
	[ "$(printf '%s\n' "$output" | cut -f 1-5)" = "$(tsv 'period n promoters passives detractors' \
		'2020-W53 2 1 0 1' '2021-W01 1 1 0 0' '2024-W52 1 0 1 0' '2025-W01 1 1 0 0' '2025-W14 2 1 0 1')" ]
	run nps-agg -t day -p day "$data/agg-dates.tsv"
	[ "$(printf '%s\n' "$output" | cut -f 1 | paste -sd' ')" = 'period 2020-12-31 2021-01-03 2021-01-04 2024-12-29 2024-12-30 2025-03-31 2025-04-01' ]
	run nps-agg -t day -p month "$data/agg-dates.tsv"
	[ "$(printf '%s\n' "$output" | cut -f 1,2 | paste -sd' ')" = "$(printf 'period\tn 2020-12\t1 2021-01\t2 2024-12\t2 2025-03\t1 2025-04\t1')" ]
	run nps-agg -t day -p quarter "$data/agg-dates.tsv"
	[ "$(printf '%s\n' "$output" | cut -f 1,2 | paste -sd' ')" = "$(printf 'period\tn 2020-Q4\t1 2021-Q1\t2 2024-Q4\t2 2025-Q1\t1 2025-Q2\t1')" ]
	run nps-agg -t day -p year "$data/agg-dates.tsv"
	[ "$(printf '%s\n' "$output" | cut -f 1,2 | paste -sd' ')" = "$(printf 'period\tn 2020\t1 2021\t2 2024\t2 2025\t2')" ]
}

@test "-t without -p means months; groups come before the period" {
	run nps-agg -g store -t day <<<"$(tsv 'store day score' 'B 2026-02-01 9' 'A 2026-03-05 9' 'A 2026-01-31 0')"
	[ "$(printf '%s\n' "$output" | cut -f 1-3)" = "$(tsv 'store period n' 'A 2026-01 1' 'A 2026-03 1' 'B 2026-02 1')" ]
}

@test "nps-classify output is read by its segment column" {
	run nps-agg -g store <<<"$(tsv 'store score segment nps_points' 'A x promoter 100' 'A y detractor -100')"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | cut -f 1-5)" = "$(tsv 'store n promoters passives detractors' 'A 2 1 0 1')" ]
	[ "$(nps-classify "$data/agg-basic.tsv" | nps-agg -g store)" = "$(nps-agg -g store "$data/agg-basic.tsv")" ]
}

# Total: W = 6 (promoters 4, passives 1, detractors 1), x = .5;
# sum w^2 (x_i - x)^2 = 6.5 * .25 + 1 * .25 + 1 * 2.25 = 4.125; n = 5:
# se = 100 sqrt(5/4 * 4.125) / 6 = 37.8457; n_eff = 36 / 8.5 = 4.2353.
# N/A: W = 3, x = 1/3; 4 * (2/3)^2 + 1 * (4/3)^2 = 32/9; se = 100 sqrt(2 * 32/9) / 3 = 88.8889.
# N: W = 4, x = .25; 4 * .5625 + .0625 + 1.5625 = 3.875; se = 100 sqrt(1.5 * 3.875) / 4 = 60.2728.
@test "weighted shares, Taylor se, weight_sum and Kish n_eff, with roll-ups" {
	run nps-agg -g region,store -w w --rollup "$data/agg-weighted.tsv"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | cut -f 1-2,7-11,16-17)" = "$(tsv \
		'region store pct_promoters pct_passives pct_detractors nps se weight_sum n_eff' \
		'* * 66.67 16.67 16.67 50.00 37.85 6.00 4.24' \
		'N * 50.00 25.00 25.00 25.00 60.27 4.00 2.67' \
		'N A 66.67 0.00 33.33 33.33 88.89 3.00 1.80' \
		'N B 0.00 100.00 0.00 0.00 0.00 1.00 1.00' \
		'S * 100.00 0.00 0.00 100.00 0.00 2.00 1.60' \
		'S C 100.00 0.00 0.00 100.00 0.00 2.00 1.60')" ]
	[ "$(printf '%s\n' "$output" | sed -n '1p;2p' | cut -f 18-)" = "$(tsv \
		'w_promoters w_passives w_detractors w2_promoters w2_passives w2_detractors' \
		'4.000000 1.000000 1.000000 6.500000000000 1.000000000000 1.000000000000')" ]
}

@test "a negative, non-numeric or empty weight is a bad row" {
	printf 'score\tw\n9\t1\n9\t-1\n9\tabc\n9\t\n9\t1e309\n' >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr nps-agg -w w --rejects "$BATS_TEST_TMPDIR/rej" "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | cut -f 1)" = "$(printf 'n\n1')" ]
	[ "$(cut -f 3 "$BATS_TEST_TMPDIR/rej")" = "$(printf '%s\n' reject_reason \
		'w must be 0 or a number from 1e-400 to below 1e308 ("-1")' 'w must be 0 or a number from 1e-400 to below 1e308 ("abc")' \
		'w must be 0 or a number from 1e-400 to below 1e308 ("")' 'w must be 0 or a number from 1e-400 to below 1e308 ("1e309")')" ]
	run --separate-stderr nps-agg -w w "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-agg: $BATS_TEST_TMPDIR/in:3: w must be 0 or a number from 1e-400 to below 1e308 (\"-1\")" ]
}

@test "weights that are all zero give empty figures, not NA nor a division by zero" {
	run nps-agg -w w <<<"$(tsv 'score w' '9 0' '3 0')"
	[ "$output" = "$(printf '%s\tweight_sum\tn_eff\tw_promoters\tw_passives\tw_detractors\tw2_promoters\tw2_passives\tw2_detractors\n' "$H"; \
		printf '2\t1\t0\t1\t\t\t\t\t\t\t\t0\t1.0000\t0.00\t0.00\t0.000000\t0.000000\t0.000000\t0.000000000000\t0.000000000000\t0.000000000000')" ]
}

@test "--rollup orders each subtotal before the rows it sums, grand total first" {
	run nps-agg -g region,store -t day -p year --rollup <<<"$(tsv 'region store day score' \
		'S A 2026-01-01 9' 'N B 2025-01-01 0' 'N A 2026-01-01 7' 'N A 2025-06-01 9')"
	[ "$(printf '%s\n' "$output" | cut -f 1-4)" = "$(tsv 'region store period n' \
		'* * 2025 2' '* * 2026 2' 'N * 2025 2' 'N * 2026 1' 'N A 2025 1' 'N A 2026 1' 'N B 2025 1' 'S * 2026 1' 'S A 2026 1')" ]
}

@test "--min-n marks small groups in low_n" {
	run nps-agg -g store --min-n 2 "$data/agg-basic.tsv"
	[ "$(printf '%s\n' "$output" | cut -f 1,2,15)" = "$(tsv 'store n low_n' 'A 4 0' 'B 2 0' 'C 1 1')" ]
}

@test "--min-n with --drop-small leaves small groups out; subtotals still count them" {
	run nps-agg -g store --min-n 2 --drop-small "$data/agg-basic.tsv"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | cut -f 1,2)" = "$(tsv 'store n' 'A 4' 'B 2')" ]
	[ "$(printf '%s\n' "$output" | head -n 1 | cut -f 15)" = "" ]
	run nps-agg -g store --min-n 5 --drop-small --rollup "$data/agg-basic.tsv"
	[ "$(printf '%s\n' "$output" | cut -f 1,2)" = "$(tsv 'store n' '* 7')" ]
	run --separate-stderr nps-agg -g store --drop-small "$data/agg-basic.tsv"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-agg: --drop-small needs --min-n' ]
}

@test "group columns in any order; keys compare column by column" {
	run nps-agg -g store,id <<<"$(tsv 'id store score' '2 a 9' '10 a 9' '1 ab 9')"
	[ "$(printf '%s\n' "$output" | cut -f 1-3)" = "$(tsv 'store id n' 'a 10 1' 'a 2 1' 'ab 1 1')" ]
}

split3() { # file -> $BATS_TEST_TMPDIR/part.a{a,b,c}, each with the header
	tail -n +2 "$1" >"$BATS_TEST_TMPDIR/body"
	split -n l/3 "$BATS_TEST_TMPDIR/body" "$BATS_TEST_TMPDIR/body."
	for p in aa ab ac; do
		{ head -n 1 "$1"; cat "$BATS_TEST_TMPDIR/body.$p"; } >"$BATS_TEST_TMPDIR/part.$p"
	done
}

@test "--merge of three shards gives the bytes of one pass" {
	split3 "$BATS_TEST_DIRNAME/../examples/sample.tsv"
	for p in aa ab ac; do
		nps-agg -g region,store -t responded_at -p month "$BATS_TEST_TMPDIR/part.$p" >"$BATS_TEST_TMPDIR/agg.$p"
	done
	nps-agg -g region,store -t responded_at -p month "$BATS_TEST_DIRNAME/../examples/sample.tsv" >"$BATS_TEST_TMPDIR/one"
	nps-agg --merge -g region,store "$BATS_TEST_TMPDIR"/agg.a? >"$BATS_TEST_TMPDIR/merged"
	cmp "$BATS_TEST_TMPDIR/one" "$BATS_TEST_TMPDIR/merged"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/one")" -gt 500 ]
}

@test "--merge of weighted shards is exact too" {
	split3 "$BATS_TEST_DIRNAME/../examples/sample.tsv"
	for p in aa ab ac; do
		nps-agg -g region -w customer_value -t responded_at -p quarter "$BATS_TEST_TMPDIR/part.$p" >"$BATS_TEST_TMPDIR/agg.$p"
	done
	nps-agg -g region -w customer_value -t responded_at -p quarter "$BATS_TEST_DIRNAME/../examples/sample.tsv" >"$BATS_TEST_TMPDIR/one"
	nps-agg --merge -g region "$BATS_TEST_TMPDIR"/agg.a? >"$BATS_TEST_TMPDIR/merged"
	cmp "$BATS_TEST_TMPDIR/one" "$BATS_TEST_TMPDIR/merged"
}

@test "--merge re-groups store rows into regions, and days into months" {
	s="$BATS_TEST_DIRNAME/../examples/sample.tsv"
	nps-agg -g region,store -t responded_at -p day "$s" | nps-agg --merge -g region -p month >"$BATS_TEST_TMPDIR/merged"
	nps-agg -g region -t responded_at -p month "$s" | cmp - "$BATS_TEST_TMPDIR/merged"
	nps-agg -g region,store -t responded_at -p month "$s" | nps-agg --merge >"$BATS_TEST_TMPDIR/all"
	nps-agg -t responded_at "$s" | cmp - "$BATS_TEST_TMPDIR/all"
}

@test "--merge refuses to merge weeks into months" {
	run --separate-stderr nps-agg --merge -p month <<<"$(nps-agg -t day -p week "$data/agg-dates.tsv")"
	[ "$status" -eq 64 ]
	[ "$stderr" = 'nps-agg: stdin:2: cannot merge week periods into month periods ("2020-W53")' ]
}

@test "--merge rejects counts that do not add up or are not counts" {
	run --separate-stderr nps-agg --merge --rejects "$BATS_TEST_TMPDIR/rej" <<<"$(tsv \
		'n promoters passives detractors' '3 1 1 1' '3 1 1 2' '2 -1 2 1' '1 1.5 0 0')"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | cut -f 1-4)" = "$(tsv 'n promoters passives detractors' '3 1 1 1')" ]
	[ "$(cut -f 5 "$BATS_TEST_TMPDIR/rej")" = "$(printf '%s\n' reject_reason \
		'n is not promoters + passives + detractors ("3")' 'promoters must be a count ("-1")' \
		'promoters must be a count ("1.5")')" ]
}

@test "--merge without count columns is a usage error listing the columns" {
	run --separate-stderr nps-agg --merge <<<"$(tsv 'store score' 'A 9')"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-agg: no column "n" in stdin (columns: store, score)' ]
}

@test "bad rows: score, date, field count; rows in = rows out + rejected" {
	printf 'store\tday\tscore\nA\t2026-01-05\t9\nA\t2026-02-30\t9\nA\t2026-13-01\t9\nB\t2026-01-05\t11\nB\t2026-01-05\nB\t2026-01-05T25:00Z\t9\nB\t2026-01-05T10:00+24:00\t9\nB\t2026-01-06\t0\n' >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr nps-agg -g store -t day --rejects "$BATS_TEST_TMPDIR/rej" "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$stderr" = "nps-agg: 6 bad rows written to $BATS_TEST_TMPDIR/rej" ]
	[ "$(printf '%s\n' "$output" | cut -f 1-3)" = "$(tsv 'store period n' 'A 2026-01 1' 'B 2026-01 1')" ]
	[ $(($(wc -l <"$BATS_TEST_TMPDIR/rej") - 1)) -eq 6 ]
	run --separate-stderr nps-agg -g store -t day "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-agg: $BATS_TEST_TMPDIR/in:3: day must be a date YYYY-MM-DD or a timestamp YYYY-MM-DDThh:mm[:ss][Z|+hh:mm] (\"2026-02-30\")" ]
}

@test "empty input and a header alone give the header alone" {
	run nps-agg -g store </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'store\t%s' "$H")" ]
	run nps-agg -g store --rollup <<<"$(tsv 'store score')"
	[ "$output" = "$(printf 'store\t%s' "$H")" ]
}

@test "usage errors exit 64" {
	run --separate-stderr nps-agg -p fortnight -t day
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-agg: --period must be day, week, month, quarter or year ("fortnight")' ]
	run --separate-stderr nps-agg --confidence 1.5
	[ "$status" -eq 64 ]
	run --separate-stderr nps-agg --precision 16
	[ "$status" -eq 64 ]
	run --separate-stderr nps-agg -p month
	[ "$status" -eq 64 ]
	run --separate-stderr nps-agg -g nope "$data/agg-basic.tsv"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = "nps-agg: no column \"nope\" in $data/agg-basic.tsv (columns: id, store, score)" ]
}

@test "missing file 66, /dev/full 74" {
	run --separate-stderr nps-agg /nonexistent
	[ "$status" -eq 66 ]
	[ "$stderr" = 'nps-agg: cannot open /nonexistent: No such file or directory' ]
	run --separate-stderr bash -c "nps-agg -g store '$data/agg-basic.tsv' >/dev/full"
	[ "$status" -eq 74 ]
	[ "$stderr" = 'nps-agg: write error on standard output: No space left on device' ]
}

@test "numbers use a dot under a comma-decimal locale" {
	need locale-de; loc=$(comma_locale)
	[ "$(LC_ALL=$loc nps-agg -g store "$data/agg-basic.tsv")" = "$(nps-agg -g store "$data/agg-basic.tsv")" ]
	[ "$(LC_ALL=$loc nps-agg -w w <<<"$(tsv 'score w' '9 0.5')" | cut -f 14)" = "$(printf 'weight_sum\n0.50')" ]
}

@test "the man page's GNU parallel recipe gives the single-pass bytes" {
	need parallel
	s="$BATS_TEST_DIRNAME/../examples/sample.tsv"
	parallel --will-cite --pipe --header 1 --block 40k nps-agg -g region,store -t responded_at -p month <"$s" |
		nps-agg --merge -g region,store >"$BATS_TEST_TMPDIR/merged"
	nps-agg -g region,store -t responded_at -p month "$s" | cmp - "$BATS_TEST_TMPDIR/merged"
}

@test "a header repeated inside the stream is skipped (concatenated outputs)" {
	run nps-agg --merge <<<"$(tsv 'n promoters passives detractors' '1 1 0 0' 'n promoters passives detractors' '2 0 1 1')"
	[ "$(printf '%s\n' "$output" | cut -f 1-4)" = "$(tsv 'n promoters passives detractors' '3 1 1 1')" ]
}

@test "-g may not name a column twice, nor like a column nps-agg writes" {
	run --separate-stderr nps-agg -g store,store "$data/agg-basic.tsv"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-agg: -g names store twice' ]
	run --separate-stderr nps-agg -g period -t day <<<"$(tsv 'period day score' 'a 2026-01-01 9')"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-agg: -g period: a group column may not be named like a column nps-agg writes' ]
}

@test "--merge skips rows with no responses, as a single pass has none" {
	run nps-agg --merge -g g <<<"$(tsv 'g n promoters passives detractors' 'a 0 0 0 0' 'b 2 1 1 0')"
	[ "$(printf '%s\n' "$output" | cut -f 1-5)" = "$(tsv 'g n promoters passives detractors' 'b 2 1 1 0')" ]
}

@test "--merge refuses counts that overflow" {
	# 9223372036854775799 * 2 + 19 wraps around 2^64 to 1
	run --separate-stderr nps-agg --merge <<<"$(tsv 'n promoters passives detractors' '1 9223372036854775799 9223372036854775799 19')"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-agg: stdin:2: n is not promoters + passives + detractors ("1")' ]
	run --separate-stderr nps-agg --merge <<<"$(tsv 'n promoters passives detractors' '9000000000000000000 9000000000000000000 0 0' '9000000000000000000 9000000000000000000 0 0')"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-agg: stdin:3: counts too large to add up' ]
}

@test "usage errors name the option; --help to a full disk is exit 74" {
	run --separate-stderr nps-agg -g
	[ "$status" -eq 64 ]
	[ "$stderr" = "$(printf '%s\n' 'nps-agg: option -g needs a value' "Try 'nps-agg --help' for more information.")" ]
	run --separate-stderr nps-agg --bogus
	[ "${stderr%%$'\n'*}" = 'nps-agg: unknown option --bogus' ]
	run --separate-stderr bash -c 'nps-agg --help >/dev/full'
	[ "$status" -eq 74 ]
}

# Weights at the edges (issue 14): sums are exact decimals, whatever the
# scale of the weights and the order of the rows.

@test "tiny weights are weights: 1e-7 and 4e-7 against 6e-7 and 1.4e-6 is NPS -60" {
	# W = 2.5e-6, promoters 5e-7: x = (5e-7 - 2e-6) / 2.5e-6 = -0.6;
	# sum w^2 (x_i - x)^2 = 17e-14 * 1.6^2 + 232e-14 * 0.4^2 = 80.64e-14;
	# se = 100 sqrt(4/3 * 80.64e-14) / 2.5e-6 = 41.4767; n_eff = 6.25e-12 /
	# 249e-14 = 2.5100; interval -60 -+ 1.959964 * 41.4767 = -141.29 (-100)
	# .. 21.29. The sums are written exactly, 6 (12) decimals or more.
	run nps-agg -w w <<<"$(tsv 'score w' '10 1e-7' '9 4e-7' '0 6e-7' '3 1.4e-6')"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | cut -f 8-)" = "$(tsv \
		'nps se ci_low ci_high unanswered response_rate weight_sum n_eff w_promoters w_passives w_detractors w2_promoters w2_passives w2_detractors' \
		'-60.00 41.48 -100.00 21.29 0 1.0000 0.00 2.51 0.0000005 0.000000 0.000002 0.00000000000017 0.000000000000 0.00000000000232')" ]
}

@test "every figure is the same when the weights are multiplied by 10^k, k = -15..9" {
	# 60 responses, weights 0.001 .. 60.000 with three decimals each,
	# written as mantissa e k: the shares, NPS, se, the three intervals and
	# n_eff at 15 decimals do not move; weight_sum moves by 10^k exactly.
	gen() { awk -v k="$1" 'BEGIN { print "score\tw"; for (i = 1; i <= 60; i++) printf "%d\t%d.%03de%d\n", (i * 7) % 11, i, (i * 37) % 1000, k }'; }
	for interval in wald adjusted score; do
		want=$(gen 0 | nps-agg -w w --interval "$interval" --precision 15 | cut -f 5-11,15)
		for k in -15 -9 -7 -3 3 9; do
			[ "$(gen "$k" | nps-agg -w w --interval "$interval" --precision 15 | cut -f 5-11,15)" = "$want" ]
		done
	done
	# the sum of i + ((37 i) mod 1000) / 1000 for i = 1..60 is 1830 + 28.71
	[ "$(gen 9 | nps-agg -w w | cut -f 14)" = "$(printf 'weight_sum\n1858710000000.00')" ]
	[ "$(gen -15 | nps-agg -w w --precision 15 | cut -f 14)" = "$(printf 'weight_sum\n0.000000000001859')" ]
}

@test "weight sums past 9.2e12 and below 1e-6 are exact, and merge in any order" {
	# Three shards, merged in six orders: the same bytes as one pass.
	{
		printf 'g\tscore\tw\n'
		for i in $(seq 1 30); do printf 'a\t%d\t%d.5e12\nb\t%d\t0.%07d\n' $((i % 11)) "$i" $(((i * 3) % 11)) "$i"; done
	} >"$BATS_TEST_TMPDIR/in"
	split3 "$BATS_TEST_TMPDIR/in"
	for p in aa ab ac; do nps-agg -g g -w w "$BATS_TEST_TMPDIR/part.$p" >"$BATS_TEST_TMPDIR/agg.$p"; done
	nps-agg -g g -w w "$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/one"
	for order in 'aa ab ac' 'aa ac ab' 'ab aa ac' 'ab ac aa' 'ac aa ab' 'ac ab aa'; do
		set -- $order
		nps-agg --merge -g g "$BATS_TEST_TMPDIR/agg.$1" "$BATS_TEST_TMPDIR/agg.$2" "$BATS_TEST_TMPDIR/agg.$3" |
			cmp - "$BATS_TEST_TMPDIR/one"
	done
	# a: sum of (i + 0.5) e12 = (465 + 15) e12 = 4.8e14, exactly
	[ "$(cut -f 15 "$BATS_TEST_TMPDIR/one")" = "$(printf 'weight_sum\n480000000000000.00\n0.00')" ]
	# b: sum of i * 1e-7 = 465e-7, split by segment; w2 = sum of i^2 1e-14
	# = 9455e-14 in all: every digit kept
	[ "$(awk -F '\t' 'NR == 3 { print $17 + $18 + $19, $20 + $21 + $22 }' "$BATS_TEST_TMPDIR/one")" = "4.65e-05 9.455e-11" ]
}

@test "a --merge of old partials (6 and 12 decimals) reads them exactly" {
	run nps-agg --merge <<<"$(tsv 'n promoters passives detractors w_promoters w_passives w_detractors w2_promoters w2_passives w2_detractors' \
		'2 1 0 1 1.500000 0.000000 0.250000 2.250000000000 0.000000000000 0.062500000000' \
		'1 1 0 0 0.000001 0 0 0.000000000001 0 0')"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | cut -f 16-)" = "$(tsv 'w_promoters w_passives w_detractors w2_promoters w2_passives w2_detractors' \
		'1.500001 0.000000 0.250000 2.250000000001 0.000000000000 0.062500000000')" ]
}

@test "the divisors: weights of 1 give sqrt(n/(n-1)) times the plain se (8.165 against 8.124)" {
	# 45/30/25 of 100: plain se = 100 sqrt((.45 + .25 - .04) / 100) =
	# 100 sqrt(.0066) = 8.1240; weighted (Taylor, n/(n-1)): 8.1240 *
	# sqrt(100/99) = 8.1650.
	{ printf 'score\tw\n'; for i in $(seq 45); do printf '9\t1\n'; done
	  for i in $(seq 30); do printf '7\t1\n'; done; for i in $(seq 25); do printf '0\t1\n'; done; } >"$BATS_TEST_TMPDIR/in"
	[ "$(nps-agg --precision 3 "$BATS_TEST_TMPDIR/in" | cut -f 9)" = "$(printf 'se\n8.124')" ]
	[ "$(nps-agg -w w --precision 3 "$BATS_TEST_TMPDIR/in" | cut -f 9)" = "$(printf 'se\n8.165')" ]
}

@test "the weighted score interval is right however small a segment's share" {
	# 2 promoters and 1 detractor at 5e9, one passive at 0.000001 (share
	# 6.7e-17): the interval of 2/0/1, [-58.47, 87.70] (tests/check-stats.py
	# sweeps the passive's share down to 1e-310 against an independent
	# search of the likelihood); it was 5.21 .. 79.26.
	run nps-agg -w w --interval score <<<"$(tsv 'score w' '10 5e9' '10 5e9' '0 5e9' '7 0.000001')"
	[ "$(printf '%s\n' "$output" | cut -f 8,10,11)" = "$(tsv 'nps ci_low ci_high' '33.33 -58.47 87.70')" ]
	run nps-agg --interval score <<<"$(tsv 'score' 10 10 0)"
	[ "$(printf '%s\n' "$output" | cut -f 8,10,11)" = "$(tsv 'nps ci_low ci_high' '33.33 -58.47 87.70')" ]
}

# tests/data/agg-unanswered.tsv, by hand: the data run from 2026-01-05 to
# 2026-03-31, so January is partial (it starts on the 5th), February and
# March are whole. A Jan: 9 and an unanswered row: n 1, response_rate 1/2.
# B Feb: only an unanswered row: n 0, every figure empty, response_rate 0.
# B Mar: 7 and 8: two passives, nps 0, se 0. Subtotals add the counts and
# span their rows' dates: * Jan n 2 (9, 3), 1 unanswered: 2/3 = 0.6667.
@test "unanswered rows: counted apart, response_rate, empty figures for n 0, first/last dates and partial" {
	run nps-agg -g store -t day --rollup "$data/agg-unanswered.tsv"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | head -n 1)" = "$(printf 'store\tperiod\t%s\tfirst_date\tlast_date\tpartial' "$H")" ]
	[ "$(printf '%s\n' "$output" | cut -f 1-6,10,14-18)" = "$(printf '%s\n' \
		'store	period	n	promoters	passives	detractors	nps	unanswered	response_rate	first_date	last_date	partial' \
		'*	2026-01	2	1	0	1	0.00	1	0.6667	2026-01-05	2026-01-31	1' \
		'*	2026-02	1	1	0	0	100.00	1	0.5000	2026-02-03	2026-02-10	0' \
		'*	2026-03	2	0	2	0	0.00	0	1.0000	2026-03-01	2026-03-31	0' \
		'A	2026-01	1	1	0	0	100.00	1	0.5000	2026-01-05	2026-01-20	1' \
		'A	2026-02	1	1	0	0	100.00	0	1.0000	2026-02-10	2026-02-10	0' \
		'B	2026-01	1	0	0	1	-100.00	0	1.0000	2026-01-31	2026-01-31	1' \
		'B	2026-02	0	0	0	0		1	0.0000	2026-02-03	2026-02-03	0' \
		'B	2026-03	2	0	2	0	0.00	0	1.0000	2026-03-01	2026-03-31	0')" ]
	# n 0: the shares, nps, se and interval are empty fields, not NA
	[ "$(printf '%s\n' "$output" | grep -P '^B\t2026-02' | cut -f 3-18)" = \
		"$(printf '0\t0\t0\t0\t\t\t\t\t\t\t\t1\t0.0000\t2026-02-03\t2026-02-03\t0')" ]
}

@test "nps-classify's unanswered segment counts as the empty score does" {
	nps-agg -g store -t day "$data/agg-unanswered.tsv" >"$BATS_TEST_TMPDIR/raw"
	nps-classify "$data/agg-unanswered.tsv" | nps-agg -g store -t day | cmp - "$BATS_TEST_TMPDIR/raw"
	run --separate-stderr nps-agg <<<"$(tsv 'segment' 'promoter' 'unanswered' 'Unanswered')"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-agg: stdin:4: segment must be promoter, passive, detractor or unanswered ("Unanswered")' ]
	run --separate-stderr nps-agg <<<"$(tsv 'score' '9' 'n/a')"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-agg: stdin:3: score must be an integer 0..10 ("n/a")' ]
}

# Shard 1 holds January (its own span starts 01-05: January partial),
# shard 2 February and March (its span starts 02-03: February partial in
# it alone). Merged, the span is the whole input's again.
@test "--merge: unanswered, response_rate, first/last dates and partial give the single-pass bytes" {
	f="$data/agg-unanswered.tsv"
	head -n 4 "$f" >"$BATS_TEST_TMPDIR/s1"
	{ head -n 1 "$f"; tail -n +5 "$f"; } >"$BATS_TEST_TMPDIR/s2"
	for s in s1 s2; do nps-agg -g store -t day "$BATS_TEST_TMPDIR/$s" >"$BATS_TEST_TMPDIR/$s.agg"; done
	[ "$(cut -f 1,2,18 "$BATS_TEST_TMPDIR/s2.agg" | paste -sd' ')" = "$(printf 'store\tperiod\tpartial A\t2026-02\t1 B\t2026-02\t1 B\t2026-03\t0')" ]
	nps-agg -g store -t day "$f" >"$BATS_TEST_TMPDIR/one"
	nps-agg --merge -g store "$BATS_TEST_TMPDIR/s1.agg" "$BATS_TEST_TMPDIR/s2.agg" | cmp - "$BATS_TEST_TMPDIR/one"
	# days into months, and roll-ups over merged rows
	nps-agg -g store -t day --rollup "$f" >"$BATS_TEST_TMPDIR/one"
	nps-agg -g store -t day -p day "$f" | nps-agg --merge -g store -p month --rollup | cmp - "$BATS_TEST_TMPDIR/one"
	# weeks: 2026-W02 begins on Monday 01-05, the data's first day: whole
	nps-agg -t day -p week "$f" >"$BATS_TEST_TMPDIR/one"
	[ "$(cut -f 1,15-17 "$BATS_TEST_TMPDIR/one" | sed -n '2p;$p')" = "$(printf '2026-W02\t2026-01-05\t2026-01-05\t0\n2026-W14\t2026-03-31\t2026-03-31\t1')" ]
	nps-agg -g store -t day -p day "$f" | nps-agg --merge -p week | cmp - "$BATS_TEST_TMPDIR/one"
}

@test "--merge: first_date and last_date are required with periods, and checked" {
	run --separate-stderr nps-agg --merge <<<"$(tsv 'period n promoters passives detractors' '2026-01 1 1 0 0')"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-agg: no column "first_date" in stdin (columns: period, n, promoters, passives, detractors)' ]
	run --separate-stderr nps-agg --merge --rejects "$BATS_TEST_TMPDIR/rej" <<<"$(tsv \
		'period n promoters passives detractors unanswered first_date last_date' \
		'2026-01 1 1 0 0 0 2026-01-02 2026-01-09' '2026-01 1 1 0 0 0 2026-02-01 2026-01-09' \
		'2026-01 1 1 0 0 0 2026-01-02 2026-1-9' '2026-01 1 1 0 0 0 2026-01-20 2026-01-09' \
		'2026-01 1 1 0 0 x 2026-01-02 2026-01-09' '2026-01 0 0 0 0 2 2026-01-02 2026-01-03')"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | cut -f 1,2,13- | paste -sd' ')" = "$(printf 'period\tn\tunanswered\tresponse_rate\tfirst_date\tlast_date\tpartial 2026-01\t1\t2\t0.3333\t2026-01-02\t2026-01-09\t1')" ]
	[ "$(cut -f 9 "$BATS_TEST_TMPDIR/rej")" = "$(printf '%s\n' reject_reason \
		'first_date must be a date YYYY-MM-DD in period "2026-01" ("2026-02-01")' \
		'last_date must be a date YYYY-MM-DD in period "2026-01" ("2026-1-9")' \
		'first_date is after last_date ("2026-01-20")' \
		'unanswered must be a count ("x")')" ]
}

@test "--merge reads output without an unanswered column as none unanswered" {
	run nps-agg --merge <<<"$(tsv 'n promoters passives detractors' '2 1 1 0')"
	[ "$output" = "$(printf '%s\n' "$H"; tsv '2 1 1 0 50.00 50.00 0.00 50.00 35.36 -19.30 100.00 0 1.0000')" ]
}

# nps-classify -s q1,q2: q1 9, 3, (none); q2 (none), 7, 10.
@test "-s picks the question of several-question nps-classify output" {
	printf 'store\tq1\tq2\nA\t9\t\nA\t3\t7\nB\t\t10\n' >"$BATS_TEST_TMPDIR/in"
	nps-classify -s q1,q2 "$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/c"
	run nps-agg -g store -s q1 "$BATS_TEST_TMPDIR/c"
	[ "$(printf '%s\n' "$output" | cut -f 1-5,13,14)" = "$(printf '%s\n' 'store	n	promoters	passives	detractors	unanswered	response_rate' \
		'A	2	1	0	1	0	1.0000' 'B	0	0	0	0	1	0.0000')" ]
	run nps-agg -g store -s q2 "$BATS_TEST_TMPDIR/c"
	[ "$(printf '%s\n' "$output" | cut -f 1-5,13,14)" = "$(printf '%s\n' 'store	n	promoters	passives	detractors	unanswered	response_rate' \
		'A	1	0	1	0	1	0.5000' 'B	1	1	0	0	0	1.0000')" ]
	# the raw scores give the same, and so does naming the segment column
	[ "$(nps-agg -g store -s q2 "$BATS_TEST_TMPDIR/in")" = "$output" ]
	[ "$(nps-agg -g store -s q2_segment "$BATS_TEST_TMPDIR/c")" = "$output" ]
	run --separate-stderr nps-agg -g store "$BATS_TEST_TMPDIR/c"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-agg: no column segment or score, but q1_segment: name the question with -s q1' ]
}

@test "-g may not be named like the new columns" {
	run --separate-stderr nps-agg -g unanswered <<<"$(tsv 'unanswered score' 'a 9')"
	[ "$status" -eq 64 ]
	run --separate-stderr nps-agg -g partial -t day <<<"$(tsv 'partial day score' 'a 2026-01-01 9')"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-agg: -g partial: a group column may not be named like a column nps-agg writes' ]
	run nps-agg -g partial <<<"$(tsv 'partial score' 'a 9')"
	[ "$status" -eq 0 ]
}

@test "thousands of groups of every short key length, and longer: each counted apart" {
	# 3,000 keys of 0 to 8 bytes (kept in the hash slot itself) and 500 of
	# 9 to 12 (hashed), each met 1 to 3 times, interleaved, so that the
	# table grows several times, and 80 that differ only in length; awk
	# counts the rows and promoters per key
	awk 'BEGIN {
		srand(7); print "g\tscore"
		for (r = 0; r < 3; r++)
			for (i = 0; i < 3500; i++) {
				if (r > 0 && i % (r + 2)) continue
				len = i < 3000 ? i % 9 : 9 + i % 4
				k = sprintf("%0" len "d", i); if (len == 0) k = ""
				k = substr(k "", length(k) - len + 1)
				print k "\t" (i + r) % 11
			}
		# one byte repeated, 1 to 8 times: the same packed word at
		# every length, told apart only by the length
		for (c = 0; c < 10; c++)
			for (len = 1; len <= 8; len++) {
				k = ""
				for (j = 0; j < len; j++) k = k c
				for (r = 0; r < len; r++) print k "\t" (c + r) % 11
			}
	}' > "$BATS_TEST_TMPDIR/in"
	nps-agg -g g "$BATS_TEST_TMPDIR/in" | tail -n +2 | cut -f 1-3 | sort > "$BATS_TEST_TMPDIR/got"
	awk -F '\t' 'NR > 1 { n[$1]++; if ($2 >= 9) p[$1]++ }
		END { for (k in n) print k "\t" n[k] "\t" p[k] + 0 }' "$BATS_TEST_TMPDIR/in" |
		sort > "$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/want"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/want")" -gt 2000 ]
}

#!/usr/bin/env bats
# nps-audit: signals of gaming per unit, the verdict, the callback sample.
load helper

six="$data/audit-six.tsv"     # six stores; A has 30 tens of 45, peers 65 of 300
burst="$data/audit-burst.tsv" # R: six answers in five minutes, three from one device

# The columns of nps-audit's table for $1 (a TSV file), by name.
cols() { # FILE COL...
	local f=$1; shift
	awk -F '\t' -v want="$*" 'BEGIN { n = split(want, w, " ") }
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ s = ""; for (i = 1; i <= n; i++) s = s (i > 1 ? "\t" : "") $c[w[i]]; print s }' "$f"
}

@test "every peer figure of the six stores agrees with an independent computation" {
	need python3
	nps-audit -g store "$six" > "$BATS_TEST_TMPDIR/out"
	# tests/audit-check.py: exact binomial sums, closed-form chi-square
	# tails, DerSimonian-Laird and BH written again from nps-audit(1).
	run python3 "$BATS_TEST_DIRNAME/audit-check.py" "$six" "$BATS_TEST_TMPDIR/out"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "the store with 30 tens of 45 among peers at 21.7% is under review, the others are not" {
	nps-audit -g store "$six" > "$BATS_TEST_TMPDIR/out"
	# top_box p = P(Bin(45, 65/300) >= 30) = 1.208e-10 (binom.test,
	# greater), BH over six stores 7.25e-10; shape X2 39.79 on 3 df.
	run cols "$BATS_TEST_TMPDIR/out" store n pct_tens top_box signals verdict
	[ "$output" = "$(printf '%s\n' \
		'A	45	66.6667	45.0000	top_box;shape	review' \
		'B	60	21.6667	-7.1053		ok' \
		'C	60	21.6667	-7.1053		ok' \
		'D	60	21.6667	-7.1053		ok' \
		'E	60	23.3333	-5.0877		ok' \
		'F	60	20.0000	-9.1228		ok')" ]
	# top_box = 100 (x/n - peers' share): A 100 (30/45 - 35/255)... no:
	# the peers of A hold 65 tens of 300: 100 (0.666667 - 0.216667) = 45;
	# of B, 82 of 285: 100 (13/60 - 82/285) = -7.1053.
	run cols "$BATS_TEST_TMPDIR/out" top_box_p top_box_p_adj
	awk -F '\t' 'NR == 1 { exit !($1 > 1.15e-10 && $1 < 1.25e-10 && $2 > 7.15e-10 && $2 < 7.35e-10) }' <<< "$output"
}

@test "an empty score is an unanswered invitation: counted, and the response rate is n / (n + unanswered)" {
	tsv 'store score' 'A 10' 'A ' 'A 9' 'B 3' | nps-audit -g store --min-n 1 > "$BATS_TEST_TMPDIR/out"
	# A: 2 answers, 1 unanswered: rate 2/3; NPS 100, 10s 1 of 2.
	run cols "$BATS_TEST_TMPDIR/out" store n unanswered response_rate nps pct_tens
	[ "$output" = "$(printf '%s\n' 'A	2	1	0.6667	100.0000	50.0000' 'B	1	0	1.0000	-100.0000	0.0000')" ]
}

@test "a unit below --min-n gets too_few, no signal and no verdict" {
	nps-audit -g store --min-n 50 "$six" > "$BATS_TEST_TMPDIR/out"
	run cols "$BATS_TEST_TMPDIR/out" store top_box top_box_p shape funnel p_combined signals verdict
	[ "${lines[0]}" = "A							too_few" ]
	[[ "${lines[1]}" == B*ok ]]
}

@test "answers too soon after the transaction: the leave-one-out binomial by hand" {
	{
		printf 'store\tresponded_at\tdone_at\tscore\n'
		for i in 0 1 2 3 4; do printf 'P\t2026-03-0%dT10:01:00Z\t2026-03-0%dT10:00:00Z\t9\n' $((i + 1)) $((i + 1)); done
		for i in 0 1 2 3 4; do printf 'P\t2026-03-0%dT10:00:00Z\t2026-03-0%dT10:00:00Z\t9\n' $((i + 5)) $((i + 3)); done
		printf 'Q\t2026-03-01T10:01:00Z\t2026-03-01T10:00:00Z\t9\n'
		for i in $(seq 10 48); do printf 'Q\t2026-03-%02dT10:00:00Z\t2026-02-01T10:00:00Z\t9\n' $((i % 28 + 1)); done
	} > "$BATS_TEST_TMPDIR/in"
	nps-audit -g store -t responded_at -T done_at --min-n 1 "$BATS_TEST_TMPDIR/in" > "$BATS_TEST_TMPDIR/out"
	# P: 5 of 10 within 60 s (< --min-delay 120); Q: 1 of 40. P's peers'
	# share 1/40: stat 100 (0.5 - 0.025) = 47.5; p = sum_{k=5..10}
	# C(10,k) 0.025^k 0.975^(10-k) = 2.2154e-06. Q: 100 (0.025 - 0.5).
	run cols "$BATS_TEST_TMPDIR/out" store n fast
	[ "$output" = "$(printf '%s\n' 'P	10	47.5000' 'Q	40	-47.5000')" ]
	run cols "$BATS_TEST_TMPDIR/out" fast_p
	awk 'NR == 1 { exit !($1 > 2.15e-06 && $1 < 2.25e-06) }' <<< "$output"
}

@test "bursts and a shared device are explained in words, with their counts" {
	run -0 nps-audit -g store -t responded_at --contact device --min-n 1 --explain "$burst"
	# R's window 10:00-10:10 holds 6 answers (>= --burst-size 5); dev1
	# answered 3 times (> --contact-max 2). S has neither.
	[ "${lines[0]}" = "store	signal	explanation" ]
	[[ "${lines[1]}" == "R	burst	6 of 10 answers came in bursts of 5 or more within 600 s (60.0%), against 0.0% among its peers; p "* ]]
	[[ "${lines[2]}" == "R	contact	3 of 10 answers came from contacts that answered more than 2 times (30.0%), against 0.0% among its peers; p "* ]]
	[ "${#lines[@]}" -eq 3 ]
	run cols <(nps-audit -g store -t responded_at --contact device --min-n 1 "$burst") store burst contact signals verdict
	[ "$output" = "$(printf '%s\n' 'R	60.0000	30.0000	burst;contact	review' 'S	-60.0000	-30.0000		ok')" ]
}

@test "burst windows over years and before 1970 are counted exactly, aligned on the epoch" {
	# R: 5 answers in 2020-01-01 10:00-10:04 and 5 in 2025-06-01 12:00-12:04
	# (bursts: 10); 3 at 20-minute steps and 4 + 1 across 10:10 (none): 10
	# of 18. T: 5 in 1960-01-01 00:00-00:04 (a window before the epoch), 5
	# on five days: 5 of 10. U: 5 in 2026-02-01 08:00-08:04 (exactly
	# --burst-size), 5 on five days: 5 of 10. S: one a day: 0 of 18. The
	# windows of R and T span years (counted by sorting them), those of S
	# and U days (in an array). burst = the unit's share minus its peers',
	# in percent: R 10/18 - 10/38, S 0 - 20/38, T and U 5/10 - 15/46.
	run cols <(nps-audit -g store -t responded_at --min-n 1 "$data/audit-burst-years.tsv") store n burst
	[ "$output" = "$(printf '%s\n' 'R	18	29.2398' 'S	18	-52.6316' 'T	10	17.3913' 'U	10	17.3913')" ]
}

@test "a jump in the share of 10s against the unit's own months: Laney z by hand" {
	{
		printf 'store\tat\tscore\n'
		for m in 01 02 03; do
			for i in $(seq 1 8); do printf 'X\t2026-%s-05\t10\n' $m; done
			for i in $(seq 1 32); do printf 'X\t2026-%s-05\t7\n' $m; done
		done
		for i in $(seq 1 20); do printf 'X\t2026-04-05\t10\n'; done
		for i in $(seq 1 20); do printf 'X\t2026-04-05\t7\n'; done
	} > "$BATS_TEST_TMPDIR/in"
	nps-audit -g store -t at -p month "$BATS_TEST_TMPDIR/in" > "$BATS_TEST_TMPDIR/out"
	# Three months at 8 of 40: pbar 0.2, moving ranges 0, so sigma_z is
	# floored at 1; April 20 of 40: z = (0.5 - 0.2) / sqrt(0.2 * 0.8 / 40)
	# = 4.7434. No history before April; no peers, so no peer signal.
	run cols "$BATS_TEST_TMPDIR/out" period trend top_box
	[ "$output" = "$(printf '%s\n' '2026-01		' '2026-02		' '2026-03		' '2026-04	4.7434	')" ]
}

@test "the callback sample: 80% from units under review, the rest spread over the others" {
	run -0 nps-audit -g store --sample 10 --seed 3 "$six"
	[ "${lines[0]}" = "store	score	audit_verdict	audit_stratum" ]
	counts=$(printf '%s\n' "${lines[@]:1}" | cut -f1,3,4 | sort | uniq -c | awk '{ print $1, $2, $3, $4 }')
	[ "$counts" = "$(printf '%s\n' '8 A review review' '1 B ok reference' '1 C ok reference')" ]
}

@test "the sample depends on the seed and the rows, not on their order" {
	nps-audit -g store --sample 10 --seed 3 "$six" > "$BATS_TEST_TMPDIR/a"
	{ head -n 1 "$six"; tail -n +2 "$six" | sort; } | nps-audit -g store --sample 10 --seed 3 > "$BATS_TEST_TMPDIR/b"
	cmp "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	nps-audit -g store --sample 10 --seed 4 "$six" > "$BATS_TEST_TMPDIR/c"
	run ! cmp -s "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/c"
}

@test "a bad score stops the run with its line, exit 65" {
	run -65 nps-audit -g store <(tsv 'store score' 'A 9' 'A 11')
	[[ "$output" == "nps-audit: /dev/fd/"*":3: score must be an integer 0..10 or empty (\"11\")" ]]
}

@test "a bad time is a bad row; --rejects keeps every row: counted + rejected = read" {
	tsv 'store at score' 'A 2026-01-05 9' 'A 2026-13-01 9' 'A 2026-01-06 ' 'B 2026-01-07 x' 'B 2026-01-07 3' \
		> "$BATS_TEST_TMPDIR/in"
	run -65 nps-audit -g store -t at -p month "$BATS_TEST_TMPDIR/in"
	[ "$output" = "nps-audit: $BATS_TEST_TMPDIR/in:3: at must be a date or timestamp (\"2026-13-01\")" ]
	run -0 nps-audit -g store -t at -p month --min-n 1 --rejects "$BATS_TEST_TMPDIR/rej" "$BATS_TEST_TMPDIR/in"
	[ "$(cut -f4 "$BATS_TEST_TMPDIR/rej")" = "$(printf '%s\n' reject_reason 'at must be a date or timestamp ("2026-13-01")' 'score must be an integer 0..10 or empty ("x")')" ]
	# 5 rows read: A 1 answered + 1 unanswered, B 1 answered, 2 rejected.
	counted=$(nps-audit -g store -t at -p month --min-n 1 --rejects /dev/null "$BATS_TEST_TMPDIR/in" |
		awk -F '\t' 'NR > 1 { s += $3 + $4 } END { print s }')
	[ "$counted" -eq 3 ]
}

@test "usage errors exit 64 with a hint" {
	run -64 nps-audit "$six"
	[ "${lines[0]}" = "nps-audit: -g COLS is required: the columns that name a unit" ]
	run -64 nps-audit -g store -p month "$six"
	[ "${lines[0]}" = "nps-audit: --period needs -t COL, the response time" ]
	run -64 nps-audit -g store --alpha 0 "$six"
	run -64 nps-audit -g store --adjust sidak "$six"
	[ "${lines[0]}" = "nps-audit: --adjust must be bh or holm (\"sidak\")" ]
	run -64 nps-audit -g store --burst-size 1 "$six"
	run -64 nps-audit -g nosuch "$six"
	[[ "${lines[0]}" == "nps-audit: no column \"nosuch\""* ]]
	run -66 nps-audit -g store /nonexistent
}

@test "an empty input gives the header alone; a failed write exits 74" {
	run -0 nps-audit -g store,staff < /dev/null
	[[ "$output" == "store	staff	n	unanswered	response_rate	nps	pct_tens	top_box	"*"	verdict" ]]
	run -74 sh -c "nps-audit -g store \"$six\" > /dev/full"
}

@test "--help and --version" {
	run -0 nps-audit --help
	[[ "${lines[0]}" == "Usage: nps-audit -g COLS [options] [file ...]" ]]
	run -0 nps-audit --version
	[[ "$output" == "nps-audit "* ]]
}

@test "with periods, the callback sample comes from the latest period only" {
	{
		printf 'store\tat\tscore\n'
		for m in 01 02; do for s in A B; do for i in 1 2 3; do printf '%s\t2026-%s-0%d\t9\n' $s $m $i; done; done; done
	} > "$BATS_TEST_TMPDIR/in"
	run -0 nps-audit -g store -t at -p month --min-n 1 --sample 4 "$BATS_TEST_TMPDIR/in"
	# 4 of February's 6 rows, none of January's; no unit is under review:
	# all reference, 2 a store.
	[ "$(printf '%s\n' "${lines[@]:1}" | cut -f1,2 | cut -c1-9 | sort | uniq -c | awk '{ print $1, $2, $3 }')" = "$(printf '%s\n' '2 A 2026-02' '2 B 2026-02')" ]
}

#!/usr/bin/env bats
# The reasons from free text in the monthly report, and its weekly variant
# (examples/monthly/themes.mk), on the bundled sample and on small inputs
# whose figures are worked out here by hand.
load helper

top="$BATS_TEST_DIRNAME/.."
sample="$top/examples/sample.tsv"
monthly="$top/examples/monthly"

@test "gen-responses -c adds a comment column and leaves the other columns' bytes alone" {
	gen-responses -s 24 300 >"$BATS_TEST_TMPDIR/plain"
	gen-responses -s 24 -c 300 >"$BATS_TEST_TMPDIR/comments"
	cut -f 1-8 "$BATS_TEST_TMPDIR/comments" | cmp - "$BATS_TEST_TMPDIR/plain"
	[ "$(head -n 1 "$BATS_TEST_TMPDIR/comments" | cut -f 9)" = comment ]
	# The bundled sample is gen-responses -s 24 -c 8000.
	gen-responses -s 24 -c 8000 | cmp - "$sample"
}

@test "every generated detractor comment is tagged with its own reason code, and only it" {
	# The generator writes a detractor's comment about its reason (column 8),
	# sometimes after a denied theme ("Not expensive, but ..."): with the
	# example dictionary, theme = reason, and no other theme is reported
	# plainly.
	nps-classify "$sample" | nps-themes --themes "$top/examples/themes.tsv" |
		awk -F '\t' '$10 == "detractor" && $9 != "" { n++; split($12, t, ";"); p = 0
			for (i in t) if (t[i] !~ /:negated$/) p++
			if ($13 != $8 || p != 1) { print "mismatch: " $0; bad++ } }
			END { print n " detractors"; exit bad > 0 }' >"$BATS_TEST_TMPDIR/out"
	# every one of them checked: the sample's detractors (score <= 6) with a comment
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/out")" = "$(awk -F '\t' 'NR > 1 && $7 <= 6 && $9 != ""' "$sample" | wc -l) detractors" ]
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/out")" = "1961 detractors" ]
}

@test "monthly summary: detractor reasons from the comments, as counted from the sample's reason codes" {
	make -s -C "$monthly" NPS_BIN="$bin" OUT="$BATS_TEST_TMPDIR/r" >/dev/null
	# 2026-10's detractors with a comment, by reason code (the test above
	# shows theme = reason for each); those without: no theme found. Shares
	# of all 77 detractors.
	awk -F '\t' 'NR > 1 && substr($2, 1, 7) == "2026-10" && $7 <= 6 { t++; if ($9 == "") none++; else n[$8]++ }
		END { for (r in n) printf "%s %d %.1f%%\n", r, n[r], 100 * n[r] / t
		      printf "~(no theme found) %d %.1f%%\n", none, 100 * none / t }' "$sample" |
		sort -k2,2nr -k1,1 | sed 's/^~//' >"$BATS_TEST_TMPDIR/want"
	[ "$(cat "$BATS_TEST_TMPDIR/want")" = "$(printf 'staff 16 20.8%%\nwait_time 16 20.8%%\nproduct_quality 15 19.5%%\nprice 14 18.2%%\nstock 14 18.2%%\n(no theme found) 2 2.6%%')" ]
	sed -n '/^From the comments/,/^## Competitors/p' "$BATS_TEST_TMPDIR/r/summary.md" |
		awk -F ' *[|] *' 'NF > 3 && $3 ~ /^[0-9]+$/ && $2 != "all detractors" { print $2, $3, $4 }' >"$BATS_TEST_TMPDIR/got"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	grep -A 12 '^From the comments' "$BATS_TEST_TMPDIR/r/summary.md" | grep -qE '^\| all detractors +\| +77 \| 100\.0% \|$'
	[ -s "$BATS_TEST_TMPDIR/r/themes.tsv" ]
}

@test "monthly: an input without a comment column still makes the report, and says so" {
	cut -f 1-8 "$sample" >"$BATS_TEST_TMPDIR/in.tsv"
	make -s -C "$monthly" NPS_BIN="$bin" INPUT="$BATS_TEST_TMPDIR/in.tsv" OUT="$BATS_TEST_TMPDIR/r" >/dev/null
	grep -qx 'The responses have no comment column: no reasons from free text.' "$BATS_TEST_TMPDIR/r/summary.md"
	grep -q '^| staff ' "$BATS_TEST_TMPDIR/r/summary.md"
}

# A small input for the weekly report: 2026-W41 (Mon 2026-10-05) and
# 2026-W42 (Mon 2026-10-12). W41: 40 detractors, 4 about the wait, 20 about
# price; W42: 40 detractors, 20 about the wait, 18 about price, 2 rude staff;
# promoters and passives are not counted.
weekly_input() {
	{
		printf 'response_id\tresponded_at\tscore\tcomment\n'
		for i in $(seq 1 40); do
			if [ "$i" -le 4 ]; then c='Long wait at the till.'; elif [ "$i" -le 24 ]; then c='Too expensive.'; else c='Bad.'; fi
			printf 'a%d\t2026-10-06\t%d\t%s\n' "$i" $((i % 7)) "$c"
			if [ "$i" -le 20 ]; then c='Long wait at the till.'; elif [ "$i" -le 38 ]; then c='Too expensive.'; else c='Rude staff.'; fi
			printf 'b%d\t2026-10-13\t%d\t%s\n' "$i" $((i % 7)) "$c"
			printf 'p%d\t2026-10-13\t10\tLong wait, but fine.\n' "$i"
		done
	} >"$1"
}

@test "weekly: the top three themes among detractors, their change since the week before and its significance" {
	weekly_input "$BATS_TEST_TMPDIR/in.tsv"
	run make -s -C "$monthly" NPS_BIN="$bin" PERIOD=week INPUT="$BATS_TEST_TMPDIR/in.tsv" \
		MONTH=2026-10 WEEK_OUT="$BATS_TEST_TMPDIR/w"
	[ "$status" -eq 0 ]
	# wait: 4/40 = 10% -> 20/40 = 50%: +40 points; se^2 = 10000 (0.1 x 0.9 / 40
	# + 0.5 x 0.5 / 40) = 85, se = 9.2195, z = 4.3386, p = 1.43e-05; Holm over
	# 3 themes (price 50 -> 45, staff 0 -> 5): the smallest p times 3.
	want=$(awk 'BEGIN { se = sqrt(10000 * (0.1 * 0.9 / 40 + 0.5 * 0.5 / 40)); printf "%.4f %.2f", 40 / se, se }')
	[ "$want" = "4.3386 9.22" ]
	[ "${lines[0]}" = "# Top detractor reasons, 2026-W42" ]
	[[ "$output" == *"40 detractors in 2026-W42 (40 in 2026-W41)."* ]]
	[[ "$output" == *"| wait_time        |         20 |  50.00% |     10.00% |  +40.00 | "*" | yes         |"* ]]
	[[ "$output" == *"| price            |         18 |  45.00% |     50.00% |   -5.00 | "*" | no          |"* ]]
	[[ "$output" == *"| staff            |          2 |   5.00% |      0.00% |   +5.00 | "*" | no          |"* ]]
	[[ "$output" == *"Grew significantly since 2026-W41: wait_time."* ]]
	# trend.tsv holds the test: se_change and z as worked out above.
	awk -F '\t' '$1 == "wait_time" { print $7, $10 }' "$BATS_TEST_TMPDIR/w/trend.tsv" | grep -qx '9.22 4.34'
}

@test "weekly: WEEK picks the week; a second make does nothing" {
	weekly_input "$BATS_TEST_TMPDIR/in.tsv"
	make -s -C "$monthly" NPS_BIN="$bin" weekly WEEK=2026-W41 INPUT="$BATS_TEST_TMPDIR/in.tsv" \
		MONTH=2026-10 WEEK_OUT="$BATS_TEST_TMPDIR/w" >"$BATS_TEST_TMPDIR/out"
	# W41 is the first week: nothing before it to compare with.
	grep -qx 'No two weeks of detractors with comments to compare.' "$BATS_TEST_TMPDIR/out"
	run env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C "$monthly" NPS_BIN="$bin" \
		INPUT="$BATS_TEST_TMPDIR/in.tsv" MONTH=2026-10 WEEK_OUT="$BATS_TEST_TMPDIR/w" "$BATS_TEST_TMPDIR/w/weekly.md"
	[[ "$output" == *"is up to date"* ]]
}

@test "weekly on the sample: the last week, 2026-W44, against 2026-W43" {
	run make -s -C "$monthly" NPS_BIN="$bin" PERIOD=week WEEK_OUT="$BATS_TEST_TMPDIR/w"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "# Top detractor reasons, 2026-W44" ]
	# detractors in the week (2026-10-26..31, the sample ends on the 31st)
	n=$(awk -F '\t' 'NR > 1 && $7 <= 6 && substr($2, 1, 10) >= "2026-10-26" { n++ } END { print n }' "$sample")
	p=$(awk -F '\t' 'NR > 1 && $7 <= 6 && substr($2, 1, 10) >= "2026-10-19" && substr($2, 1, 10) < "2026-10-26" { n++ } END { print n }' "$sample")
	[[ "$output" == *"$n detractors in 2026-W44 ($p in 2026-W43)."* ]]
	[ "$(printf '%s\n' "$output" | grep -c '^| [a-z_]* *| *[0-9]* |')" -eq 3 ]
}

#!/usr/bin/env bats
load helper

# The expected figures come from tests/drivers-ref.py, an independent
# reference in pure Python (two-pass correlations, Gauss-Jordan, the
# Denman-Beavers matrix square root for Johnson's relative weights, LMG as
# the average over all 3! orders), run on tests/data/drivers-basic.tsv:
#   python3 tests/drivers-ref.py tests/data/drivers-basic.tsv score price,staff,speed [--pairwise] [--weight weight]
# and rounded to the decimals below; never from nps-drivers' own output.
# The fixture: 48 rows, two stores, ratings 1..5, scores 0..10, three
# ratings and one score left empty (rows R006 R018 R031, R041).

D='-d price,staff,speed'
# driver n rated mean top_box r beta pratt rw lmg quadrant, then r2.
point() { cut -f 1-10,19 | sed 1d | tr '\t' ' '; }
r2() { sed -n 2p | cut -f 24; }

@test "complete cases: r, beta, Pratt, relative weights, LMG, quadrants and R² as the reference computes them" {
	run nps-drivers $D --bootstrap 0 --precision 4 "$data/drivers-basic.tsv"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | point)" = "$(printf '%s\n' \
		'price 44 47 3.0638 40.4255 0.630601 0.506910 54.4051 53.6475 53.5554 fix_first' \
		'staff 44 48 3.2292 43.7500 0.580934 0.410567 40.5943 41.2273 41.3914 keep' \
		'speed 44 46 3.2174 43.4783 0.200381 0.146627 5.0006 5.1252 5.0532 maintain')" ]
	[ "$(printf '%s\n' "$output" | r2)" = 0.587551 ]
	# gap: the largest |rw - lmg|, staff's 41.227284 - 41.391366 = 0.164082
	[ "$(printf '%s\n' "$output" | sed -n 2p | cut -f 29)" = 0.1641 ]
}

@test "--pairwise: each correlation over the rows that rate both" {
	run nps-drivers $D --pairwise --bootstrap 0 --precision 4 "$data/drivers-basic.tsv"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | point)" = "$(printf '%s\n' \
		'price 46 47 3.0638 40.4255 0.623669 0.503345 54.4258 53.7651 53.7117 fix_first' \
		'staff 47 48 3.2292 43.7500 0.569519 0.410949 40.5771 41.1583 41.2610 keep' \
		'speed 45 46 3.2174 43.4783 0.196611 0.146597 4.9971 5.0766 5.0273 maintain')" ]
	[ "$(printf '%s\n' "$output" | r2)" = 0.576786 ]
}

@test "-w: weighted moments; drivers ordered by importance" {
	run nps-drivers $D -w weight --bootstrap 0 --precision 4 "$data/drivers-basic.tsv"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | point)" = "$(printf '%s\n' \
		'staff 44 48 3.2263 43.0657 0.627043 0.493082 55.9547 55.0124 55.2194 keep' \
		'price 44 47 3.0741 41.4815 0.551742 0.416045 41.5430 41.9847 41.8921 fix_first' \
		'speed 44 46 3.3282 48.8550 0.148680 0.092996 2.5023 3.0029 2.8885 maintain')" ]
	[ "$(printf '%s\n' "$output" | r2)" = 0.552559 ]
}

@test "-g: one analysis per group, groups sorted" {
	# The reference run on each store's rows alone (north staff beta
	# 0.5348284968: 0.534828, not the 0.534829 of rounding its 8-digit print).
	run nps-drivers -g store $D --bootstrap 0 --precision 4 "$data/drivers-basic.tsv"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | cut -f 1-11,20 | sed 1d | tr '\t' ' ')" = "$(printf '%s\n' \
		'north staff 22 24 3.0417 33.3333 0.662326 0.534828 62.2131 60.0841 60.2961 fix_first' \
		'north price 22 24 3.0833 41.6667 0.522662 0.362060 33.2351 34.3151 34.1880 fix_first' \
		'north speed 22 22 3.3636 54.5455 0.234307 0.110613 4.5518 5.6008 5.5159 maintain' \
		'south price 22 23 3.0435 39.1304 0.745964 0.677733 75.0168 71.8486 71.7002 fix_first' \
		'south staff 22 24 3.4167 54.1667 0.485034 0.249337 17.9449 21.2121 21.4362 maintain' \
		'south speed 22 24 3.0833 33.3333 0.215973 0.219626 7.0383 6.9393 6.8636 low_priority')" ]
	[ "$(printf '%s\n' "$output" | sed -n '2p;5p' | cut -f 25)" = "$(printf '0.569384\n0.673935')" ]
}

@test "the generator's known effects: importance order and quadrants recovered on 200,000 rows" {
	# eval/drivers/gen.c: independent latent drivers, so the true share of
	# R² is beta^2 / sum beta^2; gen-drivers -t prints it with the quadrant
	# that share and the rating's mu imply.
	gen="$bin/gen-drivers"
	[ -x "$gen" ] || gen="$BATS_TEST_DIRNAME/../build/gen-drivers"
	"$gen" 200000 >"$BATS_TEST_TMPDIR/g.tsv"
	run nps-drivers --drivers-prefix sat_ --bootstrap 200 "$BATS_TEST_TMPDIR/g.tsv"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | sed 1d | cut -f 1,14,19)" = "$("$gen" -t | sed 1d | sort -t "$(printf '\t')" -k3,3gr | awk -F '\t' -v OFS='\t' '{ print $1, NR, $5 }')" ]
	# Every rank interval is the rank itself, every quadrant stable.
	[ "$(printf '%s\n' "$output" | sed 1d | awk -F '\t' '$14 != $15 || $14 != $16 || $20 < 0.99' | wc -l)" -eq 0 ]
}

@test "--partial shards merged give the bytes of one pass (plain, weighted, pairwise; merged partials too)" {
	f="$data/drivers-basic.tsv"
	t="$BATS_TEST_TMPDIR"
	{ head -n 1 "$f"; sed -n 2,20p "$f"; } >"$t/s1.tsv"
	{ head -n 1 "$f"; sed -n '21,$p' "$f"; } >"$t/s2.tsv"
	for o in "" "-w weight" "--pairwise"; do
		nps-drivers -g store $D $o "$f" >"$t/one.tsv"
		nps-drivers -g store $D $o --partial "$t/s2.tsv" >"$t/p2.tsv"
		nps-drivers -g store $D $o --partial "$t/s1.tsv" >"$t/p1.tsv"
		nps-drivers --merge -g store ${o/-w weight/} "$t/p2.tsv" "$t/p1.tsv" >"$t/merged.tsv"
		cmp "$t/one.tsv" "$t/merged.tsv"
		nps-drivers -g store $D $o --partial "$f" >"$t/pall.tsv"
		nps-drivers --merge --partial -g store "$t/p1.tsv" "$t/p2.tsv" | cmp - "$t/pall.tsv"
	done
	# Store partials merged without -g: the whole input's analysis.
	nps-drivers $D "$f" >"$t/all.tsv"
	nps-drivers -g store $D --partial "$f" | nps-drivers --merge | cmp - "$t/all.tsv"
}

@test "--partial: exact integer sums for integer ratings" {
	# Bucket of each row: its bytes' hash, so take the whole-group sums.
	run nps-drivers -d x1,x2 --partial "$data/drivers-flags.tsv"
	[ "$status" -eq 0 ]
	# score = 2t over t = 1..5, five rows each: sum 150, sum of squares
	# 5 * 4 * (1 + 4 + 9 + 16 + 25) = 1100; n = 25.
	[ "$(printf '%s\n' "$output" | awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ n += $c["n"]; s += $c["sum:score"]; q += $c["cross:score:score"] } END { print n, s, q }')" = "25 150 1100" ]
	[ "$(printf '%s\n' "$output" | sed -n 2p | cut -f 4-6)" != "" ]
	! printf '%s\n' "$output" | sed 1d | grep -q '\.'
}

@test "bootstrap: the same bytes every run, the interval around the estimate, another --seed moves it" {
	f="$data/drivers-basic.tsv"
	run nps-drivers $D "$f"
	[ "$status" -eq 0 ]
	[ "$(nps-drivers $D "$f")" = "$output" ]
	printf '%s\n' "$output" | sed 1d | awk -F '\t' '!($12 <= $11 && $11 <= $13 && $15 <= $14 && $14 <= $16) { exit 1 }'
	[ "$(printf '%s\n' "$output" | sed -n 2p | cut -f 28)" = 1000 ]
	[ "$(nps-drivers $D --seed 7 "$f" | cut -f 12)" != "$(printf '%s\n' "$output" | cut -f 12)" ]
	[ "$(nps-drivers $D --bootstrap 10 "$f" | sed -n 2p | cut -f 28)" = 10 ]
	[ "$(nps-drivers $D --bootstrap 0 "$f" | sed -n 2p | cut -f 12,13,15-18,20,27,28)" = $'\t\t\t\t\t\t\t\t0' ]
}

@test "three drivers of equal true weight are reported as a tie" {
	# score = a + b + c + noise over 60 rows: no driver stands out.
	{ printf 'score\ta\tb\tc\n'
	  for i in $(seq 1 60); do
		a=$(( (i * 7) % 5 + 1 )) b=$(( (i * 11) % 5 + 1 )) c=$(( (i * 13) % 5 + 1 ))
		printf '%d\t%d\t%d\t%d\n' $(( (a + b + c + (i * 17) % 7) / 2 )) $a $b $c
	  done; } >"$BATS_TEST_TMPDIR/tie.tsv"
	run nps-drivers -d a,b,c "$BATS_TEST_TMPDIR/tie.tsv"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | sed 1d | cut -f 27 | sort -u)" = tied ]
}

@test "a suppressor's negative Pratt share, a constant driver and a collinear one are flagged, never NaN" {
	# x1 = t + e, x2 = e + [t >= 4], score = 2t, t, e = 1..5: x2 correlates
	# with the score (r > 0) but enters with a negative beta. flat is all 3;
	# sum12 = x1 + x2 exactly.
	run nps-drivers -d x1,flat,x2,sum12 --bootstrap 0 "$data/drivers-flags.tsv"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | sed 1d | cut -f 1,19,21)" = "$(tsv 'x1 keep ok' 'x2 low_priority suppressor' 'flat  zero_variance' 'sum12  collinear')" ]
	printf '%s\n' "$output" | sed -n 3p | cut -f 8 | grep -q '^-'
	# a missing figure is an empty field, never NA or NaN (npskit(7))
	[ "$(printf '%s\n' "$output" | sed -n 4p | cut -f 6-11)" = $'\t\t\t\t\t' ]
	[ -z "$(printf '%s\n' "$output" | grep -iw -e nan -e na)" ]
}

@test "too few cases, a constant score, no ratings: flags, not figures" {
	run nps-drivers -d a,b --bootstrap 0 <<<"$(tsv 'score a b' '1 2 3' '5 4 1' '7 1 2')"
	[ "$(printf '%s\n' "$output" | sed 1d | cut -f 21 | sort -u)" = few_cases ]
	run nps-drivers -d a,b --bootstrap 0 <<<"$(tsv 'score a b' '7 2 3' '7 4 1' '7 1 2' '7 5 5' '7 3 3')"
	[ "$(printf '%s\n' "$output" | sed 1d | cut -f 21 | sort -u)" = outcome_constant ]
	run nps-drivers -d a,b --bootstrap 0 <<<"$(printf 'score\ta\tb\n1\t\t3\n5\t\t1\n7\t\t2\n9\t\t5\n')"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep '^a' | cut -f 2,3,4,21)" = "$(tsv '0 0  not_rated')" ]
}

@test "--cut median and explicit cut lines move the quadrants" {
	# Shares 53.5554 / 41.3914 / 5.0532, means 3.0638 / 3.2292 / 3.2174:
	# median cuts 41.3914 and 3.2174: price fix_first, staff keep (both
	# on or above), speed maintain (3.2174 >= 3.2174).
	run nps-drivers $D --bootstrap 0 --cut median "$data/drivers-basic.tsv"
	[ "$(printf '%s\n' "$output" | sed 1d | cut -f 1,19,25,26)" = "$(tsv 'price fix_first 41.39 3.22' 'staff keep 41.39 3.22' 'speed maintain 41.39 3.22')" ]
	# 50% and 3.1: only price is important, and it is below 3.1.
	run nps-drivers $D --bootstrap 0 --cut 50,3.1 "$data/drivers-basic.tsv"
	[ "$(printf '%s\n' "$output" | sed 1d | cut -f 1,19)" = "$(tsv 'price fix_first' 'staff maintain' 'speed maintain')" ]
}

@test "--method rw and --lmg-max: relative weights rank the drivers" {
	run nps-drivers $D --bootstrap 0 --method rw "$data/drivers-basic.tsv"
	[ "$(printf '%s\n' "$output" | sed -n 2p | cut -f 9,11)" = "$(tsv '53.65 53.65')" ]
	run nps-drivers $D --bootstrap 0 --lmg-max 2 "$data/drivers-basic.tsv"
	[ "$(printf '%s\n' "$output" | sed -n 2p | cut -f 9-11)" = "$(tsv '53.65  53.65')" ]
}

@test "--drivers-prefix takes every column so named; CRLF and a BOM change nothing" {
	printf 'score\tsat_a\tother\tsat_b\n' >"$BATS_TEST_TMPDIR/p.tsv"
	sed 1d "$data/drivers-flags.tsv" | cut -f 1-3 | awk -F '\t' -v OFS='\t' '{ print $1, $2, 0, $3 }' >>"$BATS_TEST_TMPDIR/p.tsv"
	run nps-drivers --drivers-prefix sat_ --bootstrap 0 "$BATS_TEST_TMPDIR/p.tsv"
	[ "$(printf '%s\n' "$output" | sed 1d | cut -f 1)" = "$(printf 'sat_a\nsat_b')" ]
	printf '\357\273\277' >"$BATS_TEST_TMPDIR/crlf.tsv"
	sed 's/$/\r/' "$data/drivers-basic.tsv" >>"$BATS_TEST_TMPDIR/crlf.tsv"
	[ "$(nps-drivers $D "$BATS_TEST_TMPDIR/crlf.tsv")" = "$(nps-drivers $D "$data/drivers-basic.tsv")" ]
}

@test "a bad rating stops with its line (65), or goes to --rejects" {
	run --separate-stderr nps-drivers -d a,b <<<"$(tsv 'score a b' '7 2 3' '5 x 1' '7 1 2')"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-drivers: stdin:3: a must be a number with at most 3 decimals, below 1e6 in size, or empty ("x")' ]
	run --separate-stderr nps-drivers -d a,b <<<"$(tsv 'score a b' '7 2.0001 3')"
	[ "$status" -eq 65 ]
	run --separate-stderr nps-drivers -d a,b -w w <<<"$(tsv 'score a b w' '7 2 3 -1')"
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'w must be a number from 0 to 1e12 ("-1")'* ]]
	run --separate-stderr nps-drivers -d a,b --bootstrap 0 --rejects "$BATS_TEST_TMPDIR/rej.tsv" \
		<<<"$(tsv 'score a b' '7 2 3' '5 x 1' '7 1 2' '3 1')"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | sed -n 2p | cut -f 22)" = 2 ]
	[ "$(cut -f 4 "$BATS_TEST_TMPDIR/rej.tsv" | sed -n 2p)" = 'a must be a number with at most 3 decimals, below 1e6 in size, or empty ("x")' ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/rej.tsv")" -eq 3 ]
}

@test "usage errors exit 64, a missing file 66, /dev/full 74" {
	run --separate-stderr nps-drivers "$data/drivers-basic.tsv"
	[ "$status" -eq 64 ]
	run --separate-stderr nps-drivers -d price,nosuch "$data/drivers-basic.tsv"
	[ "$status" -eq 64 ]
	run --separate-stderr nps-drivers -d price,price "$data/drivers-basic.tsv"
	[ "$status" -eq 64 ]
	run --separate-stderr nps-drivers -d score,price "$data/drivers-basic.tsv"
	[ "$status" -eq 64 ]
	run --separate-stderr nps-drivers --merge -d price "$data/drivers-basic.tsv"
	[ "$status" -eq 64 ]
	run --separate-stderr nps-drivers $D --cut 5 "$data/drivers-basic.tsv"
	[ "$status" -eq 64 ]
	run --separate-stderr nps-drivers $D --method shapley "$data/drivers-basic.tsv"
	[ "$status" -eq 64 ]
	run --separate-stderr nps-drivers --merge "$data/drivers-basic.tsv"
	[ "$status" -eq 64 ]
	run --separate-stderr nps-drivers $D "$data/nosuch.tsv"
	[ "$status" -eq 66 ]
	run --separate-stderr bash -c "nps-drivers $D '$data/drivers-basic.tsv' >/dev/full"
	[ "$status" -eq 74 ]
	run nps-drivers --help
	[ "$status" -eq 0 ]
	[[ "$output" == Usage:* ]]
}

@test "--merge: a damaged partial is bad data (65), another --buckets too" {
	nps-drivers $D --partial "$data/drivers-basic.tsv" >"$BATS_TEST_TMPDIR/p.tsv"
	awk -F '\t' -v OFS='\t' 'NR == 2 { $5 = "x" } 1' "$BATS_TEST_TMPDIR/p.tsv" >"$BATS_TEST_TMPDIR/bad.tsv"
	run --separate-stderr nps-drivers --merge "$BATS_TEST_TMPDIR/bad.tsv"
	[ "$status" -eq 65 ]
	[[ "$stderr" == *':2: sum:score must be an exact sum with at most 3 decimals ("x")' ]]
	run --separate-stderr nps-drivers --merge --buckets 10 "$BATS_TEST_TMPDIR/p.tsv"
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'buckets must be 10, as --buckets says ("50")' ]]
}

@test "an empty input gives the header alone" {
	run nps-drivers -d a,b </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$(nps-drivers -d a,b <<<"$(tsv 'score a b')")" ]
	[ "$(printf '%s\n' "$output" | cut -f 1-3)" = "$(tsv 'driver n rated')" ]
}

@test "--levels: stage importance on the score, driver within stage, their product" {
	# tests/drivers-ref.py ... --levels tests/data/drivers-levels.tsv: each
	# row's stage score the mean of its drivers' ratings (price: buying;
	# staff, speed: service), LMG of the score on the stages, of service on
	# staff and speed.
	run nps-drivers $D --bootstrap 0 --precision 4 --levels "$data/drivers-levels.tsv" "$data/drivers-basic.tsv"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | cut -f 1,30- | tr '\t' ' ')" = "$(printf '%s\n' \
		'driver stage stage_importance within_stage total_weight' \
		'price buying 61.9610 100.0000 61.9610' \
		'staff service 38.0390 47.8950 18.2188' \
		'speed service 38.0390 52.1050 19.8202')" ]
	run --separate-stderr nps-drivers $D --levels <(tsv 'driver stage' 'nosuch buying') "$data/drivers-basic.tsv"
	[ "$status" -eq 65 ]
	[[ "$stderr" == *':2: driver "nosuch" is not one of the drivers' ]]
}

@test "a rating of twenty digits is a bad row, not an overflow (found by fuzz-drivers)" {
	run --separate-stderr nps-drivers -d a <<<"$(tsv 'score a' '5 63333333333333333333')"
	[ "$status" -eq 65 ]
	[[ "$stderr" == *'a must be a number with at most 3 decimals, below 1e6 in size, or empty ("63333333333333333333")' ]]
}

@test "--merge: a negative count, or more cases than rows, is bad data" {
	nps-drivers $D --partial "$data/drivers-basic.tsv" >"$BATS_TEST_TMPDIR/p.tsv"
	awk -F '\t' -v OFS='\t' 'NR == 2 { $4 = -$4 } 1' "$BATS_TEST_TMPDIR/p.tsv" >"$BATS_TEST_TMPDIR/bad.tsv"
	run --separate-stderr nps-drivers --merge "$BATS_TEST_TMPDIR/bad.tsv"
	[ "$status" -eq 65 ]
	[[ "$stderr" == *':2: counts and weights must not be negative, nor n above rows' ]]
	awk -F '\t' -v OFS='\t' 'NR == 2 { $4 = $3 + 1 } 1' "$BATS_TEST_TMPDIR/p.tsv" >"$BATS_TEST_TMPDIR/bad.tsv"
	run --separate-stderr nps-drivers --merge "$BATS_TEST_TMPDIR/bad.tsv"
	[ "$status" -eq 65 ]
}

@test "--merge: sums past 2^127 - 1 are too large to add up (65), at the row that overflows" {
	# sum:score 8e34 is 8e37 thousandths; two rows of the same group and
	# bucket hold 1.6e38 < 2^127 - 1 = 1.70e38, the third would be 2.4e38
	nps-drivers -d price,staff,speed --partial "$data/drivers-basic.tsv" |
		awk -F '\t' -v OFS='\t' 'NR == 1 { print; next }
			NR == 2 { $5 = "80000000000000000000000000000000000"; print; print; print }' >"$BATS_TEST_TMPDIR/big.tsv"
	run --separate-stderr nps-drivers --merge --partial "$BATS_TEST_TMPDIR/big.tsv"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-drivers: $BATS_TEST_TMPDIR/big.tsv:4: sums too large to add up" ]
	head -n 3 "$BATS_TEST_TMPDIR/big.tsv" >"$BATS_TEST_TMPDIR/two.tsv"
	run nps-drivers --merge --partial "$BATS_TEST_TMPDIR/two.tsv"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | sed -n 2p | cut -f 5)" = "160000000000000000000000000000000000" ]
}

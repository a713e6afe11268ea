#!/usr/bin/env bats
load helper

# Figures used throughout. se^2 = 10000 * (p + d - (p - d)^2) / n, in points^2:
#   60/20/20 of 100:  p .6 d .2  nps  40  se^2 = 10000 * .64 / 100 = 64  (se 8)
#   30/60/10 of 100:  p .3 d .1  nps  20  se^2 = 10000 * .36 / 100 = 36  (se 6)
#   10/60/30 of 100:  p .1 d .3  nps -20  se^2 = 36                      (se 6)
#   240/80/80 of 400: p .6 d .2  nps  40  se^2 = 10000 * .64 / 400 = 16  (se 4)
#   320/80/0 of 400:  p .8 d 0   nps  80  se^2 = 10000 * .16 / 400 = 4   (se 2)
#   10/5/10 of 25:    p .4 d .4  nps   0  se^2 = 10000 * .80 / 25 = 320
# p = 2 * (1 - Phi(|z|)) = erfc(|z| / sqrt 2); z_.975 = 1.959964;
# z_.8 = 0.841621, so (z_.975 + z_.8) = 2.801585 and its square 7.848880.

head_pairs='a b nps_a nps_b diff se_diff ci_low ci_high z p p_adj significant small_n'
counts='n promoters passives detractors'

@test "two groups: the z test on the difference, by hand" {
	# A 40 (se 8), B 20 (se 6): diff 20, se_diff = sqrt(64 + 36) = 10,
	# z = 2, p = erfc(2 / sqrt 2) = 0.0455003; one pair: p_adj = p.
	# interval 20 -+ 1.959964 * 10 = 0.400360 .. 39.599640
	run --separate-stderr nps-signif --test wald <<<"$(tsv "brand $counts" 'A 100 60 20 20' 'B 100 30 60 10')"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "$output" = "$(tsv "$head_pairs" 'A B 40.00 20.00 20.00 10.00 0.40 39.60 2.00 0.0455 0.0455 yes no')" ]
}

@test "--confidence sets the interval, --alpha the verdict, --precision the decimals" {
	# z_.95 = 1.644854: 20 -+ 16.44854 = 3.551464 .. 36.448536
	# alpha .01: p .0455003 > .01, not significant. precision 3: p with 5.
	run nps-signif --test wald --confidence 0.90 --alpha 0.01 --precision 3 <<<"$(tsv "brand $counts" 'A 100 60 20 20' 'B 100 30 60 10')"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv "$head_pairs" 'A B 40.000 20.000 20.000 10.000 3.551 36.449 2.000 0.04550 0.04550 no no')" ]
}

@test "all pairs: input order of keys, a before b, Holm over the six pairs" {
	# lambda 0 (se^2 320, n 25), mu -20 (36), kappa 40 (64), nu -20 (36)
	# lambda-mu: diff 20, se sqrt(356) = 18.867962, z 1.059998, p 0.289146,
	#   interval 20 -+ 36.980526 = -16.980526 .. 56.980526
	# lambda-kappa: -40, sqrt(384) = 19.595918, z -2.041241, p 0.041227,
	#   -40 -+ 38.407293 = -78.407293 .. -1.592707
	# mu-kappa, kappa-nu: -+60, se 10, z -+6, p 1.973175e-09,
	#   -+60 -+ 19.599640 ; mu-nu: 0, sqrt(72) = 8.485281, z 0, p 1,
	#   0 -+ 16.630846
	# Holm, m = 6, ascending p (ties by output order):
	#   mu-kappa 6 * 1.973175e-09 = 1.183905e-08; kappa-nu 5 * p, raised to
	#   the running max 1.183905e-08; lambda-kappa 4 * 0.041227 = 0.164907;
	#   lambda-mu 3 * 0.289146 = 0.867437; lambda-nu 2 * 0.289146 = 0.578
	#   raised to 0.867437; mu-nu 1 * 1 = 1.
	run nps-signif --test wald --include-small "$data/signif-tiers.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv "$head_pairs" \
		'lambda mu 0.00 -20.00 20.00 18.87 -16.98 56.98 1.06 0.2891 0.8674 no yes' \
		'lambda kappa 0.00 40.00 -40.00 19.60 -78.41 -1.59 -2.04 0.0412 0.1649 no yes' \
		'lambda nu 0.00 -20.00 20.00 18.87 -16.98 56.98 1.06 0.2891 0.8674 no yes' \
		'mu kappa -20.00 40.00 -60.00 10.00 -79.60 -40.40 -6.00 1.97e-09 1.18e-08 yes no' \
		'mu nu -20.00 -20.00 0.00 8.49 -16.63 16.63 0.00 1.0000 1.0000 no no' \
		'kappa nu 40.00 -20.00 60.00 10.00 40.40 79.60 6.00 1.97e-09 1.18e-08 yes no')" ]
}

@test "Holm on a fixed list of p-values (--p-values)" {
	# m = 5 (NA left out). Ascending: .005 * 5 = .025; .01 * 4 = .04;
	# .027 * 3 = .081; .044 * 2 = .088; .20 * 1 = .20 (each >= the one before)
	run nps-signif --p-values p <<<"$(tsv 'test p' 't1 0.01' 't2 0.044' 't3 0.027' 't4 0.005' 't5 0.20' 't6 NA')"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv 'test p p_adj significant' 't1 0.01 0.0400 yes' 't2 0.044 0.0880 no' \
		't3 0.027 0.0810 no' 't4 0.005 0.0250 yes' 't5 0.20 0.2000 no' 't6 NA  ')" ]
}

@test "Holm takes the running maximum" {
	# .01 * 3 = .03; .015 * 2 = .03; .02 * 1 = .02 -> raised to .03
	run nps-signif --p-values p <<<"$(tsv 'p' '0.02' '0.015' '0.01')"
	[ "$output" = "$(tsv 'p p_adj significant' '0.02 0.0300 yes' '0.015 0.0300 yes' '0.01 0.0300 yes')" ]
}

@test "Benjamini-Hochberg on the same list" {
	# p * m / rank: .005*5/1 = .025; .01*5/2 = .025; .027*5/3 = .045;
	# .044*5/4 = .055; .20*5/5 = .20; then the running minimum from the top
	# (already increasing, so unchanged).
	run nps-signif --p-values p --adjust bh <<<"$(tsv 'test p' 't1 0.01' 't2 0.044' 't3 0.027' 't4 0.005' 't5 0.20' 't6 NA')"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv 'test p p_adj significant' 't1 0.01 0.0250 yes' 't2 0.044 0.0550 no' \
		't3 0.027 0.0450 yes' 't4 0.005 0.0250 yes' 't5 0.20 0.2000 no' 't6 NA  ')" ]
}

@test "BH takes the running minimum from the largest p down" {
	# rank 3: .04*3/3 = .04; rank 2: .03*3/2 = .045 -> .04; rank 1: .001*3 = .003
	run nps-signif --p-values p --adjust bh <<<"$(tsv 'p' '0.03' '0.04' '0.001')"
	[ "$output" = "$(tsv 'p p_adj significant' '0.03 0.0400 yes' '0.04 0.0400 yes' '0.001 0.00300 yes')" ]
}

@test "Bonferroni and none" {
	# m * p capped at 1: .05 .22 .135 .025 1; alpha .03 keeps only .025
	run nps-signif --p-values p --adjust bonferroni --alpha 0.03 <<<"$(tsv 'p' '0.01' '0.044' '0.027' '0.005' '0.20')"
	[ "$output" = "$(tsv 'p p_adj significant' '0.01 0.0500 no' '0.044 0.2200 no' '0.027 0.1350 no' '0.005 0.0250 yes' '0.20 1.0000 no')" ]
	run nps-signif --p-values p --adjust none <<<"$(tsv 'p' '0.01' '0.2')"
	[ "$output" = "$(tsv 'p p_adj significant' '0.01 0.0100 yes' '0.2 0.2000 no')" ]
}

@test "a p-value outside 0..1 is a bad row" {
	run --separate-stderr nps-signif --p-values p <<<"$(tsv 'p' '0.5' '1.5')"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-signif: stdin:3: p must be a p-value 0..1, empty or NA ("1.5")' ]
}

@test "the worked example of the man page: us against four competitors" {
	# us 40 (se^2 16) against:
	#   acme 20 (36): diff 20, se sqrt 52 = 7.211103, z 2.773501, p 0.005546,
	#     20 -+ 14.133501 = 5.866499 .. 34.133501
	#   globex 80 (4): -40, sqrt 20 = 4.472136, z -8.944272, p 3.744097e-19,
	#     -40 -+ 8.765225 = -48.765225 .. -31.234775
	#   initech 0 (320, n 25 < 30): 40, sqrt 336 = 18.330303, z 2.182179,
	#     p 0.029096, 40 -+ 35.926733 = 4.073267 .. 75.926733
	#   umbrella 40 (64): 0, sqrt 80 = 8.944272, z 0, p 1, 0 -+ 17.530451
	# Holm, m = 4: globex 4 * 3.744097e-19 = 1.497639e-18; acme 3 * 0.005546
	#   = 0.016637; initech 2 * 0.029096 = 0.058193; umbrella 1.
	# mdd = 2.801585 * se: 20.202518, 12.529070, 51.353905, 25.058140
	# n for 10 points = 7.848880 * (v_us + v_other) / 10^2, v = 10000 * var:
	#   acme (6400 + 3600) -> 784.89 -> 785; globex (6400 + 1600) -> 627.91
	#   -> 628; initech (6400 + 8000) -> 1130.24 -> 1131; umbrella
	#   (6400 + 6400) -> 1004.66 -> 1005
	run --separate-stderr nps-signif --test wald --include-small --ref us --mdd --sample-size 10 "$data/signif-example.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv "$head_pairs mdd n_needed" \
		'us acme 40.00 20.00 20.00 7.21 5.87 34.13 2.77 0.00555 0.0166 yes no 20.20 785' \
		'us globex 40.00 80.00 -40.00 4.47 -48.77 -31.23 -8.94 3.74e-19 1.50e-18 yes no 12.53 628' \
		'us initech 40.00 0.00 40.00 18.33 4.07 75.93 2.18 0.0291 0.0582 no yes 51.35 1131' \
		'us umbrella 40.00 40.00 0.00 8.94 -17.53 17.53 0.00 1.0000 1.0000 no no 25.06 1005')" ]
}

@test "--power changes the mdd" {
	# power .5: z_.5 = 0, mdd = 1.959964 * 10 = 19.599640
	run nps-signif --test wald --mdd --power 0.5 <<<"$(tsv "brand $counts" 'A 100 60 20 20' 'B 100 30 60 10')"
	[ "$output" = "$(tsv "$head_pairs mdd" 'A B 40.00 20.00 20.00 10.00 0.40 39.60 2.00 0.0455 0.0455 yes no 19.60')" ]
}

@test "tiers and letters with overlapping groups" {
	# From the Holm figures of the all-pairs test: only kappa-mu and
	# kappa-nu differ. Rank: kappa 40, lambda 0, mu -20, nu -20 (a tie,
	# kept in input order). Tier 1: kappa and every key not significantly
	# below it: lambda. Tier 2: mu and nu.
	# Letters (insert and absorb): {k,l,m,n} split on k-m into {l,m,n} and
	# {k,l,n}; on k-n {k,l,n} into {l,n} (absorbed by {l,m,n}) and {k,l}.
	# a = {k,l}, b = {l,m,n}.
	run nps-signif --test wald --include-small --tiers "$data/signif-tiers.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv 'key nps tier letters small_n' 'kappa 40.00 1 a no' 'lambda 0.00 1 ab yes' \
		'mu -20.00 2 b no' 'nu -20.00 2 b no')" ]
}

@test "more than 52 letters are numbered and separated by commas" {
	# 53 keys of 1,000,000 responses, passives 0, NPS -78, -75, ..., 78 (key
	# j: promoters 110000 + 15000 j). se <= 100 sqrt(1 / 1e6) = 0.1, so
	# neighbours 3 points apart have z >= 3 / 0.1414 = 21, p < 1e-90: every
	# pair differs, even times 1378 pairs. Each key is its own tier and
	# letter, best first.
	{
		printf 'k\tn\tpromoters\tpassives\tdetractors\n'
		for j in $(seq 0 52); do printf 'k%d\t1000000\t%d\t0\t%d\n' $j $((110000 + 15000 * j)) $((890000 - 15000 * j)); done
	} >"$BATS_TEST_TMPDIR/in"
	{
		printf 'key\tnps\ttier\tletters\tsmall_n\n'
		for r in $(seq 1 53); do j=$((53 - r)); printf 'k%d\t%d.00\t%d\t%d\tno\n' $j $((-78 + 3 * j)) $r $r; done
	} >"$BATS_TEST_TMPDIR/want"
	nps-signif --tiers "$BATS_TEST_TMPDIR/in" | diff - "$BATS_TEST_TMPDIR/want"
}

@test "tiers of the worked example: a noisy key can sit in a higher tier" {
	# Ten pairs, Holm (m = 10), ascending p:
	#   acme-globex  -60/sqrt40 = -9.4868  p 2.38e-21 *10
	#   us-globex    -40/sqrt20 = -8.9443  p 3.74e-19 *9
	#   globex-umb    40/sqrt68 =  4.8507  p 1.23e-06 *8  = 9.84e-06
	#   globex-init   80/sqrt324 = 4.4444  p 8.81e-06 *7  = 6.17e-05
	#   us-acme       20/sqrt52 =  2.7735  p 0.005546 *6  = 0.0333  yes
	#   us-initech    40/sqrt336 = 2.1822  p 0.029096 *5  = 0.1455  no
	#   initech-umb  -40/sqrt384 = -2.0412 p 0.041227 *4  = 0.1649  no
	#   acme-umb     -20/sqrt100 = -2      p 0.045500 *3  = 0.1365 -> 0.1649
	#   acme-initech  20/sqrt356 = 1.0600  p 0.289146 *2  = 0.5783  no
	#   us-umbrella   0                    p 1               1      no
	# Rank: globex 80, us 40, umbrella 40 (tie: input order), acme 20,
	# initech 0. Tier 1 globex (differs from all); tier 2 us with umbrella
	# and initech (not below us); tier 3 acme.
	# Letters: globex splits off alone (a); us-acme splits {u,m,a,i} into
	# {u,m,i} (b) and {m,a,i} (c).
	run nps-signif --test wald --include-small --tiers "$data/signif-example.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv 'key nps tier letters small_n' 'globex 80.00 1 a no' 'us 40.00 2 b no' \
		'umbrella 40.00 2 bc no' 'acme 20.00 3 c no' 'initech 0.00 2 bc yes')" ]
}

@test "trend across three periods, per group, periods sorted" {
	# S1: 2026-01 20 (se^2 36), 2026-02 40 (64), 2026-03 80 (4)
	#   Feb: +20, se 10, z 2, p 0.045500, 20 -+ 19.599640
	#   Mar: +40, se sqrt 68 = 8.246211, z 4.850713, p 1.230188e-06,
	#     40 -+ 16.162277 = 23.837723 .. 56.162277
	# S2: 2026-01 40 (64), 2026-02 40 (64): 0, se sqrt 128 = 11.313708,
	#   z 0, p 1, 0 -+ 22.174461
	# Holm over the three changes: 3 * 1.230188e-06 = 3.690563e-06;
	#   2 * 0.045500 = 0.091001; 1.
	run --separate-stderr nps-signif --test wald --trend -g store "$data/signif-trend.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv 'store period previous nps_previous nps change se_change ci_low ci_high z p p_adj significant small_n partial' \
		'S1 2026-02 2026-01 20.00 40.00 20.00 10.00 0.40 39.60 2.00 0.0455 0.0910 no no ' \
		'S1 2026-03 2026-02 40.00 80.00 40.00 8.25 23.84 56.16 4.85 1.23e-06 3.69e-06 yes no ' \
		'S2 2026-02 2026-01 40.00 40.00 0.00 11.31 -22.17 22.17 0.00 1.0000 1.0000 no no ')" ]
}

@test "trend without groups is one series; -t names the period column; a gap is compared with the last period present" {
	# 2026-W01 20 (36) -> 2026-W03 40 (64): as the two-group case, one change.
	run nps-signif --test wald --trend -t week <<<"$(tsv "week $counts" '2026-W03 100 60 20 20' '2026-W01 100 30 60 10')"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv 'week previous nps_previous nps change se_change ci_low ci_high z p p_adj significant small_n partial' \
		'2026-W03 2026-W01 20.00 40.00 20.00 10.00 0.40 39.60 2.00 0.0455 0.0455 yes no ')" ]
}

@test "trend: a bad period, a mixed period kind, a group and period twice" {
	run --separate-stderr nps-signif --trend <<<"$(tsv "period $counts" '2026-13 1 1 0 0')"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-signif: stdin:2: period must be like 2026-11-24, 2026-W48, 2026-11, 2026-Q4 or 2026 ("2026-13")' ]
	run --separate-stderr nps-signif --trend <<<"$(tsv "period $counts" '2026-01 1 1 0 0' '2026-Q1 1 1 0 0')"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-signif: stdin:3: period is a quarter, the first period a month ("2026-Q1")' ]
	run --separate-stderr nps-signif --trend -g s <<<"$(tsv "s period $counts" 'x 2026-01 1 1 0 0' 'y 2026-01 1 1 0 0' 'x 2026-01 2 2 0 0')"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-signif: stdin:4: group and period appear twice, first on stdin:2 ("2026-01")' ]
}

@test "weighted input: the Taylor se from the weight sums" {
	# a: promoters w 2 (w2 2), detractors w 2 (w2 4), n 3. x = 0,
	#   se = 100 * sqrt(3/2 * (2 * 1^2 + 4 * 1^2)) / 4 = 100 * 3 / 4 = 75;
	#   n_eff = 4^2 / 6 = 2.67 < 30.
	# b: promoters only: se 0. diff -100, se_diff 75, z -1.333333,
	#   p 0.182422; -100 -+ 146.997 -> -246.997 clamped to -200 .. 46.997
	# n for 50 points: v_a = 10000 * (.5 + .5 - 0) = 10000, v_b = 0:
	#   7.848880 * 10000 / 2500 = 31.40 -> 32
	run nps-signif --test wald --include-small --sample-size 50 "$data/signif-weighted.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv "$head_pairs n_needed" 'a b 0.00 100.00 -100.00 75.00 -200.00 47.00 -1.33 0.1824 0.1824 no yes 32')" ]
}

@test "--test wald, zero variance: equal gives z 0 and p 1; different gives no z and p 0" {
	# all promoters (se 0) twice: diff 0, se 0 -> z 0, p 1.
	# all promoters against all detractors: diff 200, se 0 -> z NA, p 0;
	# the interval is the point 200. Holm: 2 * 0, 2 * 0 -> 0, 0; 1.
	# mdd 0; n_needed max(1, 0) = 1.
	run nps-signif --test wald --mdd --sample-size 5 <<<"$(tsv "k $counts" 'all 40 40 0 0' 'same 50 50 0 0' 'none 40 0 0 40')"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv "$head_pairs mdd n_needed" \
		'all same 100.00 100.00 0.00 0.00 0.00 0.00 0.00 1.0000 1.0000 no no 0.00 1' \
		'all none 100.00 -100.00 200.00 0.00 200.00 200.00  0.0000 0.0000 yes no 0.00 1' \
		'same none 100.00 -100.00 200.00 0.00 200.00 200.00  0.0000 0.0000 yes no 0.00 1')" ]
}

@test "equal NPS from different counts are an exact tie" {
	# 3/5/2 of 10 and 4/14/2 of 20 are both NPS 10 (in doubles .3 - .2 and
	# .2 - .1 differ in the last bit); the tie keeps input order.
	run nps-signif --include-small --tiers <<<"$(tsv "k $counts" 'x 10 3 5 2' 'y 20 4 14 2')"
	[ "$output" = "$(tsv 'key nps tier letters small_n' 'x 10.00 1 a yes' 'y 10.00 1 a yes')" ]
	run nps-signif --include-small --tiers <<<"$(tsv "k $counts" 'y 20 4 14 2' 'x 10 3 5 2')"
	[ "$output" = "$(tsv 'key nps tier letters small_n' 'y 10.00 1 a yes' 'x 10.00 1 a yes')" ]
}

@test "small samples: a side below --min-n is not judged; --min-n moves the line" {
	# 29 and 30 promoters, adjusted (0.75/1.5/0.75 added):
	#   a: p~ 29.75/32, d~ .75/32: centre 100 * 29/32 = 90.625,
	#      var = 10000 (30.5/32 - (29/32)^2) / 32 = 41.198730
	#   b: p~ 30.75/33, d~ .75/33: centre 100 * 30/33 = 90.909091,
	#      var = 10000 (31.5/33 - (30/33)^2) / 33 = 38.817931
	#   centre -0.284091, se sqrt(80.016661) = 8.945203, z -0.031759,
	#   p 0.974664; ci -0.284091 -+ 17.532276 = -17.816367 .. 17.248185
	# 29 < 30: not judged (significant "small", no p_adj, out of the
	# family); with --min-n 29 it is judged, alone in its family.
	run nps-signif <<<"$(tsv "k $counts" 'a 29 29 0 0' 'b 30 30 0 0')"
	[ "$output" = "$(tsv "$head_pairs" 'a b 100.00 100.00 0.00 8.95 -17.82 17.25 -0.03 0.9747  small yes')" ]
	run nps-signif --min-n 29 <<<"$(tsv "k $counts" 'a 29 29 0 0' 'b 30 30 0 0')"
	[ "$output" = "$(tsv "$head_pairs" 'a b 100.00 100.00 0.00 8.95 -17.82 17.25 -0.03 0.9747 0.9747 no no')" ]
}

@test "a single key: headers only" {
	run nps-signif <<<"$(tsv "k $counts" 'a 10 5 5 0')"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv "$head_pairs")" ]
	run nps-signif --ref a <<<"$(tsv "k $counts" 'a 10 5 5 0')"
	[ "$output" = "$(tsv "$head_pairs")" ]
	run nps-signif --tiers <<<"$(tsv "k $counts" 'a 10 5 5 0')"
	[ "$output" = "$(tsv 'key nps tier letters small_n' 'a 50.00   yes')" ]
	run nps-signif --tiers --include-small <<<"$(tsv "k $counts" 'a 10 5 5 0')"
	[ "$output" = "$(tsv 'key nps tier letters small_n' 'a 50.00 1 a yes')" ]
}

@test "-k names the key column; keys pass through as written" {
	run nps-signif -k brand <<<"$(tsv "region brand $counts" 'x A\tb 100 60 20 20' 'x B 100 30 60 10')"
	[ "$output" = "$(tsv "$head_pairs" 'A\tb B 40.00 20.00 20.00 9.88 0.05 38.78 1.97 0.0494 0.0494 yes no')" ]
}

@test "empty input gives empty output; a header alone gives the header" {
	run nps-signif </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	run nps-signif --tiers <<<"$(tsv "k $counts")"
	[ "$output" = "key	nps	tier	letters	small_n" ]
}

@test "missing count columns: exit 64 listing the columns" {
	run --separate-stderr nps-signif <<<"$(tsv 'brand n promoters detractors' 'a 2 1 1')"
	[ "$status" -eq 64 ]
	[ "$stderr" = "$(printf 'nps-signif: no column "passives" in stdin (columns: brand, n, promoters, detractors)\nTry '"'"'nps-signif --help'"'"' for more information.')" ]
}

bad_row() { # input line 2, expected message
	run --separate-stderr nps-signif <<<"$(printf 'k\tn\tpromoters\tpassives\tdetractors\n%s\n' "$1")"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-signif: stdin:2: $2" ]
	[ "$output" = "" ]
}

@test "a negative count is a bad row" {
	bad_row $'a\t2\t-1\t2\t1' 'promoters must be a count ("-1")'
}
@test "a non-integer count is a bad row" {
	bad_row $'a\t2\t1\t1.5\t0' 'passives must be a count ("1.5")'
}
@test "n that is not the sum of the segments is a bad row" {
	bad_row $'a\t3\t1\t1\t0' 'n is not promoters + passives + detractors ("3")'
}
@test "n of 0 is a bad row: there is no NPS to compare" {
	bad_row $'a\t0\t0\t0\t0' 'n is 0: no NPS to compare'
}
@test "a row with too few fields is a bad row" {
	bad_row $'a\t2\t1' 'expected 5 fields, found 3'
}

@test "a key that appears twice is a bad row naming the first line" {
	run --separate-stderr nps-signif <<<"$(tsv "k $counts" 'a 1 1 0 0' 'b 1 1 0 0' 'a 2 1 1 0')"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-signif: stdin:4: key appears twice, first on stdin:2 ("a")' ]
	printf 'k\tn\tpromoters\tpassives\tdetractors\nb\t1\t1\t0\t0\n' >"$BATS_TEST_TMPDIR/one"
	run --separate-stderr nps-signif "$BATS_TEST_TMPDIR/one" - <<<"$(tsv "k $counts" 'a 1 1 0 0' 'b 1 1 0 0')"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-signif: stdin:3: key appears twice, first on $BATS_TEST_TMPDIR/one:2 (\"b\")" ]
}

@test "--ref naming no key is a usage error (64)" {
	run --separate-stderr nps-signif --ref nobody "$data/signif-example.tsv"
	[ "$status" -eq 64 ]
	[ "$stderr" = "$(printf 'nps-signif: --ref "nobody" is not a key in column brand (nearest: "globex", "us", "acme")\nTry '"'"'nps-signif --help'"'"' for more information.')" ]
	# Levenshtein distances to "nobody": globex 5, us 6, acme 6, initech 6,
	# umbrella 7 (ties in input order); to "acmee": acme 1 first.
	run --separate-stderr nps-signif --ref acmee "$data/signif-example.tsv"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-signif: --ref "acmee" is not a key in column brand (nearest: "acme", "us", "globex")' ]
}

@test "--ref naming no key leaves an old rejects file as it was" {
	printf 'old\n' >"$BATS_TEST_TMPDIR/old.rej"
	run --separate-stderr nps-signif --ref nosuch --rejects "$BATS_TEST_TMPDIR/old.rej" <<<"$(tsv "k $counts" 'a 1 1 0 0' 'x 1 -1 0 0')"
	[ "$status" -eq 64 ]
	[ "$(cat "$BATS_TEST_TMPDIR/old.rej")" = old ]
	[ -z "$(ls "$BATS_TEST_TMPDIR" | grep nps-signif-tmp)" ]
	# a --ref that is found replaces it, as any run with --rejects does
	run --separate-stderr nps-signif --ref a --rejects "$BATS_TEST_TMPDIR/old.rej" <<<"$(tsv "k $counts" 'a 1 1 0 0' 'x 1 -1 0 0')"
	[ "$status" -eq 0 ]
	[ "$stderr" = "nps-signif: 1 bad row written to $BATS_TEST_TMPDIR/old.rej" ]
	[ "$(cut -f 6 "$BATS_TEST_TMPDIR/old.rej")" = "$(printf 'reject_reason\npromoters must be a count ("-1")')" ]
	[ -z "$(ls "$BATS_TEST_TMPDIR" | grep nps-signif-tmp)" ]
}

@test "--rejects keeps going: rows in = rows out + rows rejected" {
	# 6 rows in; the bad ones: -1, a duplicate a, n 0; three keys remain
	# (a 40 se 8, b 20 se 6, c 10/60/30 -20 se 6): 3 pairs.
	run --separate-stderr nps-signif --test wald --ref a --adjust none --rejects "$BATS_TEST_TMPDIR/rej" <<<"$(tsv "k $counts" \
		'a 100 60 20 20' 'x 3 -1 2 2' 'b 100 30 60 10' 'a 100 60 20 20' 'z 0 0 0 0' 'c 100 10 60 30')"
	[ "$status" -eq 0 ]
	[ "$stderr" = "nps-signif: 3 bad rows written to $BATS_TEST_TMPDIR/rej" ]
	# a-b: as the two-group case. a-c: diff 60, se 10, z 6, p 1.973e-09,
	# 60 -+ 19.599640 = 40.400360 .. 79.599640
	[ "$output" = "$(tsv "$head_pairs" 'a b 40.00 20.00 20.00 10.00 0.40 39.60 2.00 0.0455 0.0455 yes no' \
		'a c 40.00 -20.00 60.00 10.00 40.40 79.60 6.00 1.97e-09 1.97e-09 yes no')" ]
	[ "$(cat "$BATS_TEST_TMPDIR/rej")" = "$(printf '%s\t%s\n' "$(tsv "k $counts")" reject_reason \
		"$(tsv 'x 3 -1 2 2')" 'promoters must be a count ("-1")' \
		"$(tsv 'a 100 60 20 20')" 'key appears twice, first on stdin:2 ("a")' \
		"$(tsv 'z 0 0 0 0')" 'n is 0: no NPS to compare')" ]
	# keys kept = comparisons with a + a itself = 2 + 1; rejected = 3
	kept=$(($(printf '%s\n' "$output" | wc -l) - 1 + 1))
	rejected=$(($(wc -l <"$BATS_TEST_TMPDIR/rej") - 1))
	[ "$kept" -eq 3 ] && [ "$rejected" -eq 3 ] && [ $((kept + rejected)) -eq 6 ]
}

@test "usage errors" {
	run --separate-stderr nps-signif --adjust fdr </dev/null
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-signif: --adjust must be holm, bh, bonferroni or none ("fdr")' ]
	run --separate-stderr nps-signif --alpha 1.5 </dev/null
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-signif: --alpha must be a number between 0 and 1, exclusive ("1.5")' ]
	run --separate-stderr nps-signif --tiers --trend </dev/null
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-signif: --ref, --tiers, --trend and --p-values exclude each other' ]
	run --separate-stderr nps-signif --tiers --mdd </dev/null
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-signif: --mdd and --sample-size apply to comparisons, not to --tiers' ]
	run --separate-stderr nps-signif --sample-size 0 </dev/null
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-signif: --sample-size must be a difference in points, 0.01 <= DIFF <= 200 ("0")' ]
	run --separate-stderr nps-signif -g store </dev/null
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-signif: -g and -t apply to --trend only' ]
	run --separate-stderr nps-signif -t month </dev/null
	[ "$status" -eq 64 ]
	run --separate-stderr nps-signif -k nope "$data/signif-example.tsv"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-signif: no column "nope" in '"$data"'/signif-example.tsv (columns: brand, n, promoters, passives, detractors, pct_promoters, pct_passives, pct_detractors, nps, se, ci_low, ci_high)' ]
}

@test "a missing file exits 66" {
	run --separate-stderr nps-signif /nonexistent/x.tsv
	[ "$status" -eq 66 ]
	[ "$stderr" = "nps-signif: cannot open /nonexistent/x.tsv: No such file or directory" ]
}

@test "a failed write is exit 74, never a silent success" {
	run --separate-stderr bash -c "nps-signif '$data/signif-example.tsv' >/dev/full"
	[ "$status" -eq 74 ]
	[ "$stderr" = "nps-signif: write error on standard output: No space left on device" ]
}

@test "output is the same under a comma-decimal locale" {
	need locale-de; loc=$(comma_locale)
	[ "$(LC_ALL=$loc nps-signif --ref us "$data/signif-example.tsv")" = "$(nps-signif --ref us "$data/signif-example.tsv")" ]
}

@test "reads what nps-agg writes" {
	command -v nps-agg >/dev/null || skip "nps-agg not built"
	# A 60/20/20 of 100 and B 30/60/10 of 100, as raw scores: the two-group case.
	{
		printf 'brand\tscore\n'
		for i in $(seq 60); do printf 'A\t10\n'; done
		for i in $(seq 20); do printf 'A\t7\n'; done
		for i in $(seq 20); do printf 'A\t0\n'; done
		for i in $(seq 30); do printf 'B\t9\n'; done
		for i in $(seq 60); do printf 'B\t8\n'; done
		for i in $(seq 10); do printf 'B\t3\n'; done
	} >"$BATS_TEST_TMPDIR/raw"
	nps-agg -g brand "$BATS_TEST_TMPDIR/raw" >"$BATS_TEST_TMPDIR/agg" || skip "nps-agg failed"
	run nps-signif --test wald "$BATS_TEST_TMPDIR/agg"
	[ "$output" = "$(tsv "$head_pairs" 'A B 40.00 20.00 20.00 10.00 0.40 39.60 2.00 0.0455 0.0455 yes no')" ]
}

@test "unknown option and --help and --version" {
	run --separate-stderr nps-signif --bogus
	[ "$status" -eq 64 ]
	run nps-signif --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Usage: nps-signif [options] [file ...]" ]
	run nps-signif --version
	[ "$status" -eq 0 ]
	[ "$output" = "nps-signif 0.1.0" ]
}

@test "--trend on a header alone writes the header alone" {
	run nps-signif --trend -g store <<<"$(tsv 'store period n promoters passives detractors')"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv 'store period previous nps_previous nps change se_change ci_low ci_high z p p_adj significant small_n partial')" ]
}

# Statistics at the edges (issue 14): the adjusted Wald test, groups below
# --min-n, p.adjust at the boundary, p-values to three digits.
# Adjusted: 0.75 promoters, 1.5 passives, 0.75 detractors added to a group
# of n: p~ = (P + .75) / (n + 3), d~ = (D + .75) / (n + 3), centre
# 100 (p~ - d~), var = 10000 (p~ + d~ - (p~ - d~)^2) / (n + 3).

@test "one promoter against one detractor is not significant" {
	# promoter: p~ 1.75/4, d~ .75/4: centre 25, var 10000 (.625 - .0625) / 4
	#   = 1406.25; detractor: centre -25, var 1406.25.
	# centre 50, se sqrt(2812.5) = 53.033009, z 0.942809, p 0.345779;
	# ci 50 -+ 1.959964 * 53.033009 = -53.94 .. 153.94
	# mdd 2.801585 * 53.033009 = 148.58; n_needed for 5 points:
	#   7.848880 * (5625 + 5625) / 25 = 3531.996 -> 3532
	run nps-signif --include-small --mdd --sample-size 5 <<<"$(tsv "k $counts" 'p 1 1 0 0' 'd 1 0 0 1')"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv "$head_pairs mdd n_needed" 'p d 100.00 -100.00 200.00 53.03 -53.94 153.94 0.94 0.3458 0.3458 no yes 148.58 3532')" ]
	# By default both are below --min-n 30: not judged at all.
	run nps-signif <<<"$(tsv "k $counts" 'p 1 1 0 0' 'd 1 0 0 1')"
	[ "$output" = "$(tsv "$head_pairs" 'p d 100.00 -100.00 200.00 53.03 -53.94 153.94 0.94 0.3458  small yes')" ]
}

@test "a day with 1 response against a day with 4 is not a change of +175" {
	# before: 1 detractor: centre -25, var 1406.25. now: 3 promoters, 1
	# passive: p~ 3.75/7, d~ .75/7, centre 42.857143, var 10000 (4.5/7 -
	# (3/7)^2) / 7 = 655.976676. change 175; centre 67.857143, se
	# sqrt(2062.226676) = 45.411746, z 1.494264, p 0.135107;
	# ci 67.857143 -+ 89.005286 = -21.15 .. 156.86
	run nps-signif --trend --include-small <<<"$(tsv "period $counts" '2026-11-01 1 0 0 1' '2026-11-02 4 3 1 0')"
	[ "$output" = "$(tsv 'period previous nps_previous nps change se_change ci_low ci_high z p p_adj significant small_n partial' \
		'2026-11-02 2026-11-01 -100.00 75.00 175.00 45.41 -21.15 156.86 1.49 0.1351 0.1351 no yes ')" ]
}

@test "a key below --min-n gets no tier; --include-small ranks it, and it drags the rest along" {
	# big 240/80/80 of 400 (40), mid 160/80/160 of 400 (0): centres
	# 100 * 160/403 = 39.702 and 0; var 10000 (321.5/403 - (160/403)^2) / 403
	# = 15.884 and 10000 (321.5/403) / 403 = 19.796: z 6.65, a difference.
	# one (a lone promoter, centre 25, var 1406.25) differs from neither
	# (z -0.39 and 0.66), so with --include-small all three share tier 1.
	in="$(tsv "k $counts" 'big 400 240 80 80' 'one 1 1 0 0' 'mid 400 160 80 160')"
	run nps-signif --tiers <<<"$in"
	[ "$output" = "$(tsv 'key nps tier letters small_n' 'one 100.00   yes' 'big 40.00 1 a no' 'mid 0.00 2 b no')" ]
	run nps-signif --tiers --include-small <<<"$in"
	[ "$output" = "$(tsv 'key nps tier letters small_n' 'one 100.00 1 ab yes' 'big 40.00 1 a no' 'mid 0.00 1 b no')" ]
}

@test "n_eff just under --min-n by rounding is not small" {
	# 30 promoters of weight 0.003: W = 0.09, sum w^2 = 0.00027, n_eff =
	# 0.0081 / 0.00027 = 30 (29.999999999999996 in doubles); b: 100 of 1.
	run nps-signif --test wald <<<"$(tsv "k $counts w_promoters w_passives w_detractors w2_promoters w2_passives w2_detractors" \
		'a 30 30 0 0 0.09 0 0 0.00027 0 0' 'b 100 100 0 0 100 0 0 100 0 0')"
	[ "$output" = "$(tsv "$head_pairs" 'a b 100.00 100.00 0.00 0.00 0.00 0.00 0.00 1.0000 1.0000 no no')" ]
}

@test "BH and Holm equal R's p.adjust exactly at alpha" {
	# R: p.adjust(c(.05,.05,.05,.9,.9,.9), "BH") is (6/3) * .05 = 0.1
	# exactly (not .05 * 6 / 3 = 0.10000000000000002), so at alpha 0.1 the
	# three are significant; the .9s: (6/6) * .9 = .9.
	run nps-signif --p-values p --adjust bh --alpha 0.1 <<<"$(tsv 'p' 0.05 0.05 0.05 0.9 0.9 0.9)"
	[ "$output" = "$(tsv 'p p_adj significant' '0.05 0.1000 yes' '0.05 0.1000 yes' '0.05 0.1000 yes' \
		'0.9 0.9000 no' '0.9 0.9000 no' '0.9 0.9000 no')" ]
	# Holm: 2 * .025 = .05, at alpha .05 significant; then max(.05, .5).
	run nps-signif --p-values p --adjust holm <<<"$(tsv 'p' 0.025 0.5)"
	[ "$output" = "$(tsv 'p p_adj significant' '0.025 0.0500 yes' '0.5 0.5000 no')" ]
}

@test "p-values keep three significant digits" {
	# fixed while 4 decimals show three digits, more decimals below 0.01,
	# scientific below 0.0001
	run nps-signif --p-values p --adjust none <<<"$(tsv 'p' 0.0000080412 0.0055462 0.00012345 0.045500 1)"
	[ "$output" = "$(tsv 'p p_adj significant' '0.0000080412 8.04e-06 yes' '0.0055462 0.00555 yes' \
		'0.00012345 0.000123 yes' '0.045500 0.0455 yes' '1 1.0000 no')" ]
}

@test "option values that would give an infinite, negative or overflowed figure are refused" {
	for o in '--sample-size 1e-10' '--sample-size 0.0099' '--power 0.01' '--power 0.49' '--power 1' '--alpha 0' '--confidence 1'; do
		run --separate-stderr nps-signif $o "$data/signif-example.tsv"
		[ "$status" -eq 64 ]
	done
	# --alpha 1e-300 is a level like another: z = -Phi^-1(5e-301) =
	# 37.065788 (python's statistics.NormalDist), mdd (37.065788 + 0.841621)
	# * 53.033009 = 2010.34 for one promoter against one detractor.
	run nps-signif --include-small --alpha 1e-300 --mdd <<<"$(tsv "k $counts" 'p 1 1 0 0' 'd 1 0 0 1')"
	[ "$status" -eq 0 ]
	[ "$(cut -f 14 <<<"$output")" = "$(printf 'mdd\n2010.34')" ]
}

@test "--trend says when either period of a change is partial (nps-agg's partial column)" {
	# 2026-W01 (partial) -> W02 -> W03; as the two-group case, per change.
	in="$(tsv "week $counts partial" '2026-W01 100 30 60 10 1' '2026-W02 100 60 20 20 0' '2026-W03 100 30 60 10 0')"
	run nps-signif --test wald --adjust none --trend -t week <<<"$in"
	[ "$status" -eq 0 ]
	[ "$(cut -f 1,2,14 <<<"$output")" = "$(tsv 'week previous partial' '2026-W02 2026-W01 yes' '2026-W03 2026-W02 no')" ]
	run --separate-stderr nps-signif --trend -t week <<<"$(tsv "week $counts partial" '2026-W01 100 30 60 10 yes')"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-signif: stdin:2: partial must be 0 or 1 ("yes")' ]
}

@test "1,000 random groups agree with the formulas, computed independently (tests/check-stats.py)" {
	need python3
	# nps-agg (NPS, se, n_eff, weight_sum, the wald, adjusted and score
	# intervals) and nps-signif --ref (every column, Holm, small groups),
	# plain and weighted; n = 1..5 and all-alike groups among them.
	run python3 "$BATS_TEST_DIRNAME/check-stats.py" "$bin"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "${lines[-1]}" = "all figures agree" ]
}

#!/usr/bin/env bats
load helper

# The fixtures are nps-agg output (-g store -p month) with counts chosen so
# that the arithmetic is easy. Per 100 responses:
#   60/20/20 (promoters/passives/detractors): nps 40, se = 100*sqrt((.6+.2-.4^2)/100) = 8
#   80/0/20:  nps 60, se = 100*sqrt((.8+.2-.6^2)/100) = 8
#   44/32/24: nps 20, se = 100*sqrt((.44+.24-.2^2)/100) = 8
#   32/36/32: nps 0,  se = 100*sqrt((.32+.32-0)/100) = 8
#   80/20/0:  nps 80, se = 100*sqrt((.8-.8^2)/100) = 4
# The input has 13 columns; `judged` keeps store, period and the nine
# appended ones: expected seasonal event_effect adjusted residual z lower
# upper flag.
judged() { nps-baseline "$@" 2>/dev/null | cut -f 1,2,14-; }
H='store period expected seasonal event_effect adjusted residual z lower upper flag'

@test "constant series: expected is the level, z = residual / se, flags high and low" {
	# Months 1-9 at 40 (se 8), 10 at 80 (se 4), 11 at 0 (se 8), 12 at 40.
	# level = median of the earlier adjusted values = 40 throughout
	# (month 12: median of nine 40s, 80 and 0 = 40); every earlier residual
	# is 0 but at most one or two, so their median |residual| is 0 and the
	# process variance is 0. Band = 3 * se: 40 -+ 24 = 16..64.
	# Month 10: residual 80 - 40 = 40, z = 40/4 = 10, band 40 -+ 12 -> high.
	# Month 11: residual -40, z = -40/8 = -5 -> low.
	# Months 2-8 have fewer than 8 earlier periods; month 1 has none.
	run judged "$data/baseline-constant.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv "$H" \
		'A 2025-01  0.00 0.00 40.00     insufficient_history' \
		'A 2025-02 40.00 0.00 0.00 40.00 0.00 0.00 16.00 64.00 insufficient_history' \
		'A 2025-03 40.00 0.00 0.00 40.00 0.00 0.00 16.00 64.00 insufficient_history' \
		'A 2025-04 40.00 0.00 0.00 40.00 0.00 0.00 16.00 64.00 insufficient_history' \
		'A 2025-05 40.00 0.00 0.00 40.00 0.00 0.00 16.00 64.00 insufficient_history' \
		'A 2025-06 40.00 0.00 0.00 40.00 0.00 0.00 16.00 64.00 insufficient_history' \
		'A 2025-07 40.00 0.00 0.00 40.00 0.00 0.00 16.00 64.00 insufficient_history' \
		'A 2025-08 40.00 0.00 0.00 40.00 0.00 0.00 16.00 64.00 insufficient_history' \
		'A 2025-09 40.00 0.00 0.00 40.00 0.00 0.00 16.00 64.00 normal' \
		'A 2025-10 40.00 0.00 0.00 80.00 40.00 10.00 28.00 52.00 high' \
		'A 2025-11 40.00 0.00 0.00 0.00 -40.00 -5.00 16.00 64.00 low' \
		'A 2025-12 40.00 0.00 0.00 40.00 0.00 0.00 16.00 64.00 normal')" ]
}

@test "the input columns pass through unchanged, the nine columns appended" {
	run --separate-stderr nps-baseline "$data/baseline-constant.tsv"
	[ "${lines[0]}" = "$(head -n 1 "$data/baseline-constant.tsv")	expected	seasonal	event_effect	adjusted	residual	z	lower	upper	flag" ]
	[ "$(printf '%s\n' "$output" | cut -f 1-13)" = "$(cat "$data/baseline-constant.tsv")" ]
}

@test "-z and --min-history move the band and the start of judgement" {
	# Month 10 again: band 40 -+ 11*4 = -4..84 contains 80 -> normal;
	# month 11: 40 -+ 11*8 = -48..128, clamped to -100..100. Month 9 has
	# 8 earlier periods, fewer than 9.
	run judged -z 11 --min-history 9 "$data/baseline-constant.tsv"
	[ "${lines[9]}" = "$(tsv 'A 2025-09 40.00 0.00 0.00 40.00 0.00 0.00 -48.00 100.00 insufficient_history')" ]
	[ "${lines[10]}" = "$(tsv 'A 2025-10 40.00 0.00 0.00 80.00 40.00 10.00 -4.00 84.00 normal')" ]
	[ "${lines[11]}" = "$(tsv 'A 2025-11 40.00 0.00 0.00 0.00 -40.00 -5.00 -48.00 100.00 normal')" ]
}

@test "one series alone: a December seen once is not told from noise, and stderr says so" {
	# Two years, every month 40 but December 20 (se 8).
	# 2024-12: no December seen yet: seasonal 0, expected = level 40,
	#   residual -20, z = -20/8 = -2.5 -> normal at k = 3. It teaches a
	#   December deviation of 20 - 40 = -20, of noise variance
	#   (se^2 + v) (1 + 1/W) = 64 * 13/12 = 69.333 (v = 0: the residuals
	#   before are all 0).
	# 2025-12: empirical Bayes over the 12 months. December: one deviation,
	#   clipped to 2 sqrt(69.333) = 16.653: m = -16.653, N = 69.333;
	#   m^2 - N = 208.0. January: one deviation 0 (2025-01; 2024-01 had no
	#   level): -69.333. February-November: two deviations 0 each, N =
	#   69.333/2: -34.667 each, -346.67 for the ten. A = max(0, (208.0 -
	#   69.333 - 346.67) / 12) = 0: the seasons do not stand out of the
	#   noise, so seasonal = 0; the level is the interquartile mean of
	#   {20, eleven 40s} = 40: expected 40, residual -20, z -2.5 (the
	#   spread's clipped mean of eleven 0s and one -20 is below 0: v = 0).
	run --separate-stderr nps-baseline "$data/baseline-seasonal.tsv"
	[ "$status" -eq 0 ]
	[ "$(cut -f 1,2,14- <<<"${lines[12]}")" = "$(tsv 'A 2024-12 40.00 0.00 0.00 20.00 -20.00 -2.50 16.00 64.00 normal')" ]
	[ "$(cut -f 1,2,14- <<<"${lines[24]}")" = "$(tsv 'A 2025-12 40.00 0.00 0.00 20.00 -20.00 -2.50 16.00 64.00 normal')" ]
	[ "$stderr" = 'nps-baseline: one series alone cannot estimate its seasonal effects (they do not stand out of its noise): taken as 0; give several series that share a calendar to pool them' ]
	# --season off or pooling: nothing to say
	run --separate-stderr nps-baseline --season off "$data/baseline-seasonal.tsv"
	[ "$stderr" = "" ]
	run --separate-stderr nps-baseline -g store "$data/baseline-seasonal4.tsv"
	[ "$stderr" = "" ]
	run --separate-stderr nps-baseline -g store --no-pool "$data/baseline-seasonal4.tsv"
	[ "$stderr" = 'nps-baseline: 4 of 4 series, each alone (--no-pool), cannot estimate their seasonal effects (they do not stand out of their noise): taken as 0' ]
}

@test "--season off: no seasonal effect is learned or applied" {
	# 2025-12 now expected at the level 40: residual -20, z -2.5.
	run judged --season off "$data/baseline-seasonal.tsv"
	[ "${lines[24]}" = "$(tsv 'A 2025-12 40.00 0.00 0.00 20.00 -20.00 -2.50 16.00 64.00 normal')" ]
}

@test "four stores with the same season learn it from each other (pooled by default)" {
	# Stores A-D, each the series above. 2024-12, store A: the other three
	# stores' deviations this period, 20 - 40 = -20 each, k = 3:
	#   seasonal = -20 * 3/4 = -15, expected 25, adjusted 35, residual -5,
	#   z = -5/8 = -0.625, band 25 -+ 24 = 1..49.
	# 2025-12: level = median(35, eleven 40s) = 40 (January-November effects
	#   are medians of zeros); deviations: the four of 2024-12 and three
	#   others now, all -20, k = 7: seasonal = -20 * 7/8 = -17.5,
	#   expected 22.5, adjusted 37.5, residual -2.5, z = -2.5/8 = -0.3125,
	#   band 22.5 -+ 24 = -1.5..46.5.
	run judged -g store --precision 4 "$data/baseline-seasonal4.tsv"
	[ "$status" -eq 0 ]
	[ "${lines[12]}" = "$(tsv 'A 2024-12 25.0000 -15.0000 0.0000 35.0000 -5.0000 -0.6250 1.0000 49.0000 normal')" ]
	[ "${lines[24]}" = "$(tsv 'A 2025-12 22.5000 -17.5000 0.0000 37.5000 -2.5000 -0.3125 -1.5000 46.5000 normal')" ]
	[ "${lines[96]}" = "$(tsv 'D 2025-12 22.5000 -17.5000 0.0000 37.5000 -2.5000 -0.3125 -1.5000 46.5000 normal')" ]
}

@test "one event: its first occurrence is a surprise, the second is expected" {
	# Months 1-9 and 11 at 40, the "promo" months 10 and 12 at 60 (se 8).
	# Month 10: no earlier promo: event_effect 0, expected 40, residual 20,
	#   z = 20/8 = 2.5 -> normal; it teaches promo = 60 - 40 - 0 = 20.
	# Month 11: level = median(nine 40s, 60) = 40, residual 0.
	# Month 12: promo seen once: 20 * 1/2 = 10; level = median(ten 40s,
	#   60) = 40; expected 50, adjusted 60 - 10 = 50, residual 10,
	#   z = 10/8 = 1.25, band 50 -+ 24 = 26..74.
	run judged --events "$data/baseline-event.events.tsv" "$data/baseline-event.tsv"
	[ "$status" -eq 0 ]
	[ "${lines[10]}" = "$(tsv 'A 2025-10 40.00 0.00 0.00 60.00 20.00 2.50 16.00 64.00 normal')" ]
	[ "${lines[11]}" = "$(tsv 'A 2025-11 40.00 0.00 0.00 40.00 0.00 0.00 16.00 64.00 normal')" ]
	[ "${lines[12]}" = "$(tsv 'A 2025-12 50.00 0.00 10.00 50.00 10.00 1.25 26.00 74.00 normal')" ]
}

@test "the man page's worked example" {
	cd "$data"
	run --separate-stderr bash -c "nps-baseline --events baseline-event.events.tsv baseline-event.tsv | cut -f 2,10,14-19,22 | tail -n 4"
	[ "$output" = "$(tsv '2025-09 40.00 40.00 0.00 0.00 40.00 0.00 0.00 normal' \
		'2025-10 60.00 40.00 0.00 0.00 60.00 20.00 2.50 normal' \
		'2025-11 40.00 40.00 0.00 0.00 40.00 0.00 0.00 normal' \
		'2025-12 60.00 50.00 0.00 10.00 50.00 10.00 1.25 normal')" ]
}

@test "--pool: a first occurrence is estimated from the other stores' same period" {
	# Stores A-D at 40 for nine months, all at 60 in the promo month 10.
	# No store is event-free in October, so seasonal is 0. Store A: the
	# others' deviations 60 - 40 - 0 = 20, k = 3: event_effect 20 * 3/4 = 15;
	# expected 55, adjusted 45, residual 5, z = 5/8 = 0.625, band 31..79.
	run judged -g store --pool --precision 3 --events "$data/baseline-event.events.tsv" "$data/baseline-event4.tsv"
	[ "$status" -eq 0 ]
	[ "${lines[10]}" = "$(tsv 'A 2025-10 55.000 0.000 15.000 45.000 5.000 0.625 31.000 79.000 normal')" ]
	[ "${lines[40]}" = "$(tsv 'D 2025-10 55.000 0.000 15.000 45.000 5.000 0.625 31.000 79.000 normal')" ]
}

@test "events scoped by a group column apply to that group only" {
	# promo for store A only, in October; B's October is judged without it.
	printf 'start\tend\tlabel\tstore\n2025-10-01\t2025-10-31\tpromo\tA\n' >"$BATS_TEST_TMPDIR/ev"
	run judged -g store --pool --precision 3 --events "$BATS_TEST_TMPDIR/ev" "$data/baseline-event4.tsv"
	[ "$status" -eq 0 ]
	# A: no other store has the promo: event_effect 0; but its October is
	# not event-free, so the season is learned from B-D only: their
	# deviations 20, k = 3: seasonal 15. Expected 40 + 15 + 0 = 55.
	[ "${lines[10]}" = "$(tsv 'A 2025-10 55.000 15.000 0.000 45.000 5.000 0.625 31.000 79.000 normal')" ]
	# B: seasonal from C and D (its own deviation left out), k = 2:
	# 20 * 2/3 = 13.333; expected 53.333, residual 6.667, z = 0.833.
	[ "${lines[20]}" = "$(tsv 'B 2025-10 53.333 13.333 0.000 46.667 6.667 0.833 29.333 77.333 normal')" ]
	# A range of whole days; an empty scope value means every store.
	printf 'start\tend\tlabel\tstore\n2025-09-30\t2025-10-01\tpromo\t\n' >"$BATS_TEST_TMPDIR/ev"
	run judged -g store --pool --precision 3 --events "$BATS_TEST_TMPDIR/ev" "$data/baseline-event4.tsv"
	# September (nps 40) now has the promo too: every store teaches
	# promo = 0 in September, and October's estimate for A is the median
	# of four 0s (September) and three 20s (the others' October) = 0, k = 7.
	[ "${lines[10]}" = "$(tsv 'A 2025-10 40.000 0.000 0.000 60.000 20.000 2.500 16.000 64.000 normal')" ]
}

@test "volatility: residual spread beyond sampling is process variance" {
	# 40, 60, 40, 60 ... (se 8), one series alone, --season off. The level
	# is the interquartile mean of the earlier values (n/4 dropped at each
	# end): {40} 40, {40, 60} 50, {40, 60, 40} 46.667.
	# Month 2: no residual yet: process variance 0, z = 20/8 = 2.5.
	# Month 3: residuals so far {20}. With q = qnorm(0.75) = 0.67449 the
	#   median estimate is v0 = (20/q)^2 - 64 = 815.24; the clipped mean
	#   takes min(20^2, 6.25 (64 + v0)) / 0.97756 - 64 = 345.18 from one
	#   residual, shrunk toward 0 by a prior worth 3W = 36 residuals:
	#   v = 345.18 / 37 = 9.3292; sqrt(64 + v) = 8.5632,
	#   z = (40 - 50) / 8.5632 = -1.1678, band 50 -+ 25.6897.
	# Month 4: residuals {20, -10}: v0 = median of (400/q^2 - 64,
	#   100/q^2 - 64) = 485.53; clipped mean ((400 + 100) / 0.97756 - 128)
	#   / 2 = 191.74, times 2/38: v = 10.0915, sqrt(64 + v) = 8.6076,
	#   z = (60 - 46.667) / 8.6076 = 1.5490, band 46.667 -+ 25.8229.
	run judged --season off --precision 4 "$data/baseline-volatile.tsv"
	[ "$status" -eq 0 ]
	[ "${lines[2]}" = "$(tsv 'A 2025-02 40.0000 0.0000 0.0000 60.0000 20.0000 2.5000 16.0000 64.0000 insufficient_history')" ]
	[ "${lines[3]}" = "$(tsv 'A 2025-03 50.0000 0.0000 0.0000 40.0000 -10.0000 -1.1678 24.3103 75.6897 insufficient_history')" ]
	[ "${lines[4]}" = "$(tsv 'A 2025-04 46.6667 0.0000 0.0000 60.0000 13.3333 1.5490 20.8437 72.4896 insufficient_history')" ]
}

@test "--pool: a series' process variance is shrunk toward the panel's" {
	# A: 40, 60, 40 (se 8); B: 40, 40, 40 (se 8); --season off. Write
	# q = qnorm(0.75) = 0.67449 and a = 20^2 / q^2, the variance a
	# residual of 20 implies before its sampling variance 64 is taken off.
	# Month 2: no residuals before it, the panel has none: z = r / se.
	# Month 3: the panel's residuals are A's 20 and B's 0, implying a - 64
	#   and -64: median a/2 - 64, worth min(2W, 2) = 2 residuals.
	#   A: own a - 64 from 1 residual: process ((a - 64) + 2 (a/2 - 64)) / 3,
	#      se^2 + process = 2a/3, sqrt = 24.2108 (alone: 20/q = 29.6520);
	#      z = (40 - 50) / 24.2108 = -0.4130, lower 50 - 72.6324.
	#   B: own max(0, -64) = 0: process 2 (a/2 - 64) / 3, se^2 + process =
	#      (a + 64) / 3, sqrt = 17.7317 (alone: 8); lower 40 - 53.1952.
	{
		head -n 4 "$data/baseline-volatile.tsv"
		tail -n +2 "$data/baseline-constant.tsv" | head -n 3 | sed 's/^A/B/'
	} >"$BATS_TEST_TMPDIR/in"
	run judged -g store --season off --precision 4 "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "${lines[2]}" = "$(tsv 'A 2025-02 40.0000 0.0000 0.0000 60.0000 20.0000 2.5000 16.0000 64.0000 insufficient_history')" ]
	[ "${lines[3]}" = "$(tsv 'A 2025-03 50.0000 0.0000 0.0000 40.0000 -10.0000 -0.4130 -22.6324 100.0000 insufficient_history')" ]
	[ "${lines[5]}" = "$(tsv 'B 2025-02 40.0000 0.0000 0.0000 40.0000 0.0000 0.0000 16.0000 64.0000 insufficient_history')" ]
	[ "${lines[6]}" = "$(tsv 'B 2025-03 40.0000 0.0000 0.0000 40.0000 0.0000 0.0000 -13.1952 93.1952 insufficient_history')" ]
	# --pool is the default; with --no-pool each series stands alone (A's
	# month 3 as in the test above)
	[ "$(judged -g store --pool --season off --precision 4 "$BATS_TEST_TMPDIR/in")" = "$output" ]
	run judged -g store --no-pool --season off --precision 4 "$BATS_TEST_TMPDIR/in"
	[ "${lines[3]}" = "$(tsv 'A 2025-03 50.0000 0.0000 0.0000 40.0000 -10.0000 -1.1678 24.3103 75.6897 insufficient_history')" ]
	[ "${lines[6]}" = "$(tsv 'B 2025-03 40.0000 0.0000 0.0000 40.0000 0.0000 0.0000 16.0000 64.0000 insufficient_history')" ]
}

@test "--window: the level from the last W periods, the spread from the last 3W" {
	# The constant series (40 x 9, then 80 with se 4, 0, 40) alone, with
	# --window 1: the level is the previous month. October: the three
	# residuals before it are 0, process variance 0, z = 40 / 4 = 10.
	# November: residuals 0, 0 (se 8) and 40 (se 4): the median estimate
	# is max(0, -64) = 0, so October's square is clipped at 6.25 * 16 =
	# 100: (100 / 0.97756 - 16) + 2 * (0 - 64) < 0: v = 0, z = -80/8.
	# December's residuals are those of September (0, se 8), October (40,
	# se 4) and November (-80, se 8); with q = qnorm(0.75) they imply -64,
	# 1600/q^2 - 16 and 6400/q^2 - 64: median v0 = 3500.97. None is
	# clipped (6.25 (se^2 + v0) > 6400): the mean of 0/0.97756 - 64,
	# 1600/0.97756 - 16 and 6400/0.97756 - 64 is 2679.88, times
	# 3 / (3 + 3W) = 1/2: v = 1339.94, sqrt(64 + v) = 37.4692,
	# z = (40 - 0) / 37.4692 = 1.0675, band 0 -+ 112.4 clamped.
	run judged --season off --window 1 --precision 4 "$data/baseline-constant.tsv"
	[ "$status" -eq 0 ]
	[ "${lines[10]}" = "$(tsv 'A 2025-10 40.0000 0.0000 0.0000 80.0000 40.0000 10.0000 28.0000 52.0000 high')" ]
	[ "${lines[11]}" = "$(tsv 'A 2025-11 80.0000 0.0000 0.0000 0.0000 -80.0000 -10.0000 56.0000 100.0000 low')" ]
	[ "${lines[12]}" = "$(tsv 'A 2025-12 0.0000 0.0000 0.0000 40.0000 40.0000 1.0675 -100.0000 100.0000 normal')" ]
}

@test "--level trend: a steady trend is carried, not lagged" {
	# NPS 40, 41, 42 ... (60+i promoters, 20-i passives, 20 detractors
	# out of 100), --season off, --window 2. From May (four months
	# before it) the last two months' median is 40+i-1.5 at period i-1.5
	# and the two before them 40+i-3.5 at i-3.5: slope 1, carried 1.5
	# periods: level 40+i, residual 0, z 0. Until then the plain median:
	# April's window {41, 42} gives 41.5, residual 1.5. Without the trend
	# May is 42.5 (residual 1.5), like every later month.
	{
		printf 'period\tn\tpromoters\tpassives\tdetractors\n'
		for i in 0 1 2 3 4 5 6 7; do
			printf '2025-%02d\t100\t%d\t%d\t20\n' $((i + 1)) $((60 + i)) $((20 - i))
		done
	} >"$BATS_TEST_TMPDIR/in"
	run sh -c 'nps-baseline --season off --window 2 --level trend "$1" | cut -f 1,6-11' sh "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "${lines[4]%$'\t'*}" = "$(tsv '2025-04 41.50 0.00 0.00 43.00 1.50')" ]
	[ "${lines[5]}" = "$(tsv '2025-05 44.00 0.00 0.00 44.00 0.00 0.00')" ]
	[ "${lines[8]}" = "$(tsv '2025-08 47.00 0.00 0.00 47.00 0.00 0.00')" ]
	run sh -c 'nps-baseline --season off --window 2 "$1" | cut -f 1,6-10' sh "$BATS_TEST_TMPDIR/in"
	[ "${lines[5]}" = "$(tsv '2025-05 42.50 0.00 0.00 44.00 1.50')" ]
	run nps-baseline --level line "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 64 ]
	[ "${lines[0]}" = 'nps-baseline: --level must be median or trend ("line")' ]
}

@test "appending later periods never changes earlier rows (20 vs 24 months)" {
	# 6 stores, 24 months from 2024-01, with events and gaps; pooled.
	args=(-g store --pool --events "$data/baseline-synth.events.tsv")
	nps-baseline "${args[@]}" "$data/baseline-synth.tsv" >"$BATS_TEST_TMPDIR/24"
	awk -F '\t' 'NR == 1 || $2 <= "2025-08"' "$data/baseline-synth.tsv" |
		nps-baseline "${args[@]}" >"$BATS_TEST_TMPDIR/20"
	awk -F '\t' 'NR == 1 || $2 <= "2025-08"' "$BATS_TEST_TMPDIR/24" >"$BATS_TEST_TMPDIR/24cut"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/20")" -eq 118 ]
	cmp "$BATS_TEST_TMPDIR/20" "$BATS_TEST_TMPDIR/24cut"
	# and without pooling
	nps-baseline -g store "$data/baseline-synth.tsv" | awk -F '\t' 'NR == 1 || $2 <= "2025-08"' >"$BATS_TEST_TMPDIR/24"
	awk -F '\t' 'NR == 1 || $2 <= "2025-08"' "$data/baseline-synth.tsv" | nps-baseline -g store >"$BATS_TEST_TMPDIR/20"
	cmp "$BATS_TEST_TMPDIR/20" "$BATS_TEST_TMPDIR/24"
	# and with the trend, at work from month 17 (2W = 16 before it)
	awk -F '\t' 'NR == 1 || $2 <= "2025-08"' "$data/baseline-synth.tsv" >"$BATS_TEST_TMPDIR/in20"
	nps-baseline -g store --level trend --window 8 "$data/baseline-synth.tsv" | awk -F '\t' 'NR == 1 || $2 <= "2025-08"' >"$BATS_TEST_TMPDIR/24"
	nps-baseline -g store --level trend --window 8 "$BATS_TEST_TMPDIR/in20" >"$BATS_TEST_TMPDIR/20"
	cmp "$BATS_TEST_TMPDIR/20" "$BATS_TEST_TMPDIR/24"
	nps-baseline -g store --window 8 "$BATS_TEST_TMPDIR/in20" >"$BATS_TEST_TMPDIR/flat"
	run cmp -s "$BATS_TEST_TMPDIR/20" "$BATS_TEST_TMPDIR/flat"
	[ "$status" -eq 1 ]
}

@test "a missing month is a gap, not a zero" {
	# The constant series without October: November (nps 0) is judged on
	# the nine 40s before it, December on those and November.
	grep -v '2025-10' "$data/baseline-constant.tsv" >"$BATS_TEST_TMPDIR/in"
	run judged "$BATS_TEST_TMPDIR/in"
	[ "${lines[10]}" = "$(tsv 'A 2025-11 40.00 0.00 0.00 0.00 -40.00 -5.00 16.00 64.00 low')" ]
	[ "${lines[11]}" = "$(tsv 'A 2025-12 40.00 0.00 0.00 40.00 0.00 0.00 16.00 64.00 normal')" ]
}

@test "series keep the input order; interleaved series are separate" {
	# Rows of A and B alternate; B's first row has no history whatever A had.
	tsv 'store period n promoters passives detractors' \
		'A 2025-01 100 60 20 20' 'B 2025-01 100 80 0 20' \
		'A 2025-02 100 60 20 20' 'B 2025-02 100 80 0 20' >"$BATS_TEST_TMPDIR/in"
	run nps-baseline -g store "$BATS_TEST_TMPDIR/in"
	[ "$output" = "$(tsv 'store period n promoters passives detractors expected seasonal event_effect adjusted residual z lower upper flag' \
		'A 2025-01 100 60 20 20  0.00 0.00 40.00     insufficient_history' \
		'B 2025-01 100 80 0 20  0.00 0.00 60.00     insufficient_history' \
		'A 2025-02 100 60 20 20 40.00 0.00 0.00 40.00 0.00 0.00 16.00 64.00 insufficient_history' \
		'B 2025-02 100 80 0 20 60.00 0.00 0.00 60.00 0.00 0.00 36.00 84.00 insufficient_history')" ]
}

@test "nps and se are recomputed from the counts, not read" {
	# The printed nps (99) and se (1) are wrong; the counts say 40 and 8.
	tsv 'period n promoters passives detractors nps se' \
		'2025-01 100 60 20 20 99 1' '2025-02 100 60 20 20 99 1' >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr nps-baseline "$BATS_TEST_TMPDIR/in"
	[ "${lines[2]}" = "$(tsv '2025-02 100 60 20 20 99 1 40.00 0.00 0.00 40.00 0.00 0.00 16.00 64.00 insufficient_history')" ]
}

@test "weeks: week-of-year seasons, across a year end" {
	# 2025-W52, 2026-W01, W02 at 40: a week series like any other.
	tsv 'period n promoters passives detractors' '2025-W52 100 60 20 20' \
		'2026-W01 100 60 20 20' '2026-W02 25 15 5 5' >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr nps-baseline --min-history 1 "$BATS_TEST_TMPDIR/in"
	# W02: n 25, se = 100*sqrt(.64/25) = 16; band 40 -+ 48.
	[ "${lines[3]}" = "$(tsv '2026-W02 25 15 5 5 40.00 0.00 0.00 40.00 0.00 0.00 -8.00 88.00 normal')" ]
}

@test "a row whose counts weigh nothing: empty figures, flag no_responses, no history" {
	tsv 'period n promoters passives detractors' '2025-01 100 60 20 20' \
		'2025-02 0 0 0 0' '2025-03 100 60 20 20' >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr nps-baseline --min-history 1 "$BATS_TEST_TMPDIR/in"
	[ "${lines[2]}" = "$(tsv '2025-02 0 0 0 0         no_responses')" ]
	[ "${lines[3]}" = "$(tsv '2025-03 100 60 20 20 40.00 0.00 0.00 40.00 0.00 0.00 16.00 64.00 normal')" ]
}

bad_row() { # rows after the header, expected message for line $2
	run --separate-stderr nps-baseline -g store <<<"$(printf 'store\tperiod\tn\tpromoters\tpassives\tdetractors\n%s\n' "$1")"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-baseline: stdin:$2: $3" ]
	[ "$output" = "" ]
}

@test "a period earlier than the one before it in the series is a bad row" {
	bad_row $'A\t2025-05\t1\t1\t0\t0\nB\t2025-01\t1\t1\t0\t0\nA\t2025-03\t1\t1\t0\t0' 4 \
		'period is earlier than 2025-05 before it: a series must be in time order ("2025-03")'
}
@test "a duplicate period within a series is a bad row" {
	bad_row $'A\t2025-05\t1\t1\t0\t0\nA\t2025-05\t1\t1\t0\t0' 3 'duplicate period in this series ("2025-05")'
}
@test "a period of another granularity is a bad row" {
	bad_row $'A\t2025-05\t1\t1\t0\t0\nA\t2025-W30\t1\t1\t0\t0' 3 'period is not a month like the first row'"'"'s ("2025-W30")'
	run --separate-stderr nps-baseline -p week <<<"$(tsv 'period n promoters passives detractors' '2025-05 1 1 0 0')"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-baseline: stdin:2: period is not a week as --period says ("2025-05")' ]
}
@test "a period that is not one is a bad row" {
	bad_row $'A\t2025-13\t1\t1\t0\t0' 2 'period must be a day, week, month, quarter or year: YYYY-MM-DD, YYYY-Www, YYYY-MM, YYYY-Qn or YYYY ("2025-13")'
}
@test "counts that do not add up are a bad row" {
	bad_row $'A\t2025-01\t3\t1\t0\t0' 2 'n is not promoters + passives + detractors ("3")'
	bad_row $'A\t2025-01\tx\t1\t0\t0' 2 'n must be a count ("x")'
}
@test "a row with too few fields is a bad row" {
	bad_row $'A\t2025-01\t1' 2 'expected 6 fields, found 3'
}

@test "--rejects keeps going: rows in = rows out + rows rejected" {
	tsv 'store period n promoters passives detractors' 'A 2025-01 100 60 20 20' \
		'A 2025-01 100 60 20 20' 'A 2025-W02 1 1 0 0' 'A 2025-02 5 1 0 0' \
		'A 2025-03 100 60 20 20' 'B 2024-12 100 60 20 20' 'A 2025-02 100 60 20 20' >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr nps-baseline -g store --rejects "$BATS_TEST_TMPDIR/rej" "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$stderr" = "nps-baseline: 4 bad rows written to $BATS_TEST_TMPDIR/rej" ]
	# A's 2025-03 follows its 2025-01: level 40 from one period.
	[ "$output" = "$(tsv "store period n promoters passives detractors ${H#store period }" \
		'A 2025-01 100 60 20 20  0.00 0.00 40.00     insufficient_history' \
		'A 2025-03 100 60 20 20 40.00 0.00 0.00 40.00 0.00 0.00 16.00 64.00 insufficient_history' \
		'B 2024-12 100 60 20 20  0.00 0.00 40.00     insufficient_history')" ]
	{
		tsv 'store period n promoters passives detractors reject_reason'
		printf '%s\t%s\n' "$(tsv 'A 2025-01 100 60 20 20')" 'duplicate period in this series ("2025-01")' \
			"$(tsv 'A 2025-W02 1 1 0 0')" 'period is not a month like the first row'"'"'s ("2025-W02")' \
			"$(tsv 'A 2025-02 5 1 0 0')" 'n is not promoters + passives + detractors ("5")' \
			"$(tsv 'A 2025-02 100 60 20 20')" 'period is earlier than 2025-03 before it: a series must be in time order ("2025-02")'
	} >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/rej"
	in=$(($(wc -l <"$BATS_TEST_TMPDIR/in") - 1))
	out=$(($(printf '%s\n' "$output" | wc -l) - 1))
	rej=$(($(wc -l <"$BATS_TEST_TMPDIR/rej") - 1))
	[ "$in" -eq 7 ] && [ "$out" -eq 3 ] && [ "$rej" -eq 4 ]
}

@test "missing n or period columns are usage errors naming them" {
	run --separate-stderr nps-baseline <<<"$(tsv 'store period nps se' 'A 2025-01 40 8')"
	[ "$status" -eq 64 ]
	[ "$stderr" = "$(printf 'nps-baseline: no column "n" in stdin (columns: store, period, nps, se)\nTry '"'"'nps-baseline --help'"'"' for more information.')" ]
	run --separate-stderr nps-baseline <<<"$(tsv 'store n promoters passives detractors' 'A 1 1 0 0')"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-baseline: no column "period" in stdin (columns: store, n, promoters, passives, detractors)' ]
	run --separate-stderr nps-baseline -g region "$data/baseline-constant.tsv"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = "nps-baseline: no column \"region\" in $data/baseline-constant.tsv (columns: store, period, n, promoters, passives, detractors, pct_promoters, pct_passives, pct_detractors, nps, se, ci_low, ci_high)" ]
}

bad_events() { # events file content, expected message after "FILE:"
	printf '%s\n' "$1" >"$BATS_TEST_TMPDIR/ev"
	run --separate-stderr nps-baseline -g store --events "$BATS_TEST_TMPDIR/ev" "$data/baseline-constant.tsv"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-baseline: $BATS_TEST_TMPDIR/ev:$2" ]
	[ "$output" = "" ]
}

@test "a malformed events file is an error naming its line" {
	bad_events $'start\tend\tlabel\n2025-01-01\t2025-01-31\tx\n2025-02-30\t2025-03-01\ty' \
		'3: start must be a date or a period ("2025-02-30")'
	bad_events $'start\tend\tlabel\n2025-01-01\tsoon\tx' '2: end must be a date or a period ("soon")'
	bad_events $'start\tend\tlabel\n2025-03\t2025-01\tx' '2: end is before start ("2025-01")'
	bad_events $'start\tend\tlabel\n2025-03\t2025-04\t' '2: label is empty'
	bad_events $'start\tend\tlabel\n2025-03\t2025-04' '2: expected 3 fields, found 2'
	bad_events $'start\tend\tlabel\tregion\n2025-03\t2025-04\tx\tn' \
		'1: column "region" is neither start, end, label nor a group column'
	printf 'begin\tend\tlabel\n' >"$BATS_TEST_TMPDIR/ev"
	run --separate-stderr nps-baseline --events "$BATS_TEST_TMPDIR/ev" "$data/baseline-constant.tsv"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = "nps-baseline: no column \"start\" in $BATS_TEST_TMPDIR/ev (columns: begin, end, label)" ]
	run --separate-stderr nps-baseline --events /nonexistent/ev.tsv "$data/baseline-constant.tsv"
	[ "$status" -eq 66 ]
	[ "$stderr" = "nps-baseline: cannot open /nonexistent/ev.tsv: No such file or directory" ]
}

@test "bad option values are usage errors" {
	for args in "-z 0" "-z x" "-k 3" "--min-history 0" "--window 0" "--precision 16" "--season maybe" "-p decade"; do
		run --separate-stderr nps-baseline $args "$data/baseline-constant.tsv"
		[ "$status" -eq 64 ]
	done
	run --separate-stderr nps-baseline --season maybe "$data/baseline-constant.tsv"
	[ "${stderr%%$'\n'*}" = 'nps-baseline: --season must be on or off ("maybe")' ]
	run --separate-stderr nps-baseline -z -1 "$data/baseline-constant.tsv"
	[ "${stderr%%$'\n'*}" = 'nps-baseline: --threshold must be a number above 0 ("-1")' ]
	run --separate-stderr nps-baseline --min-history 0 "$data/baseline-constant.tsv"
	[ "${stderr%%$'\n'*}" = 'nps-baseline: --min-history must be an integer of at least 1 ("0")' ]
}

@test "empty input gives empty output; a header alone gives the header" {
	run nps-baseline </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	run nps-baseline <<<"$(tsv 'period n promoters passives detractors')"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv 'period n promoters passives detractors expected seasonal event_effect adjusted residual z lower upper flag')" ]
}

@test "a missing file exits 66" {
	run --separate-stderr nps-baseline /nonexistent/x.tsv
	[ "$status" -eq 66 ]
	[ "$stderr" = "nps-baseline: cannot open /nonexistent/x.tsv: No such file or directory" ]
}

@test "a failed write is exit 74, never a silent success" {
	run --separate-stderr bash -c "nps-baseline --season off '$data/baseline-constant.tsv' >/dev/full"
	[ "$status" -eq 74 ]
	[ "$stderr" = "nps-baseline: write error on standard output: No space left on device" ]
}

@test "output is the same under a comma-decimal locale" {
	need locale-de; loc=$(comma_locale)
	[ "$(LC_ALL=$loc nps-baseline -g store --pool "$data/baseline-synth.tsv")" = "$(nps-baseline -g store --pool "$data/baseline-synth.tsv")" ]
}

@test "unknown option and --help and --version" {
	run --separate-stderr nps-baseline --bogus
	[ "$status" -eq 64 ]
	run nps-baseline --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Usage: nps-baseline [options] [file ...]" ]
	run nps-baseline --version
	[ "$status" -eq 0 ]
	[ "$output" = "nps-baseline 0.1.0" ]
}

@test "a usage error leaves an old rejects file alone" {
	echo keep >"$BATS_TEST_TMPDIR/rej"
	run --separate-stderr nps-baseline --rejects "$BATS_TEST_TMPDIR/rej" <<<"$(printf 'x\n1')"
	[ "$status" -eq 64 ]
	[ "$(cat "$BATS_TEST_TMPDIR/rej")" = keep ]
}

@test "a partial period is not judged (flag partial) and is no history" {
	# nps-agg's partial column. Month 2 (nps 80, se 4) is partial: it gets
	# figures (level 40 from month 1: residual 40, z 40/4 = 10, band
	# 40 -+ 12) but flag partial, and month 3's level is the median of
	# month 1 alone, 40 (with month 2 counted it would be 60).
	tsv 'period n promoters passives detractors partial' '2025-01 100 60 20 20 0' \
		'2025-02 100 80 20 0 1' '2025-03 100 60 20 20 0' >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr nps-baseline --min-history 1 "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv "period n promoters passives detractors partial ${H#store period }" \
		'2025-01 100 60 20 20 0  0.00 0.00 40.00     insufficient_history' \
		'2025-02 100 80 20 0 1 40.00 0.00 0.00 80.00 40.00 10.00 28.00 52.00 partial' \
		'2025-03 100 60 20 20 0 40.00 0.00 0.00 40.00 0.00 0.00 16.00 64.00 normal')" ]
	run --separate-stderr nps-baseline <<<"$(tsv 'period n promoters passives detractors partial' '2025-01 1 1 0 0 yes')"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-baseline: stdin:2: partial must be 0 or 1 ("yes")' ]
}

@test "interleaved series without -g: stderr says -g is probably missing, and which columns" {
	tsv 'region store period n promoters passives detractors' 'N A 2025-01 1 1 0 0' \
		'N B 2025-01 1 1 0 0' 'N A 2025-02 1 1 0 0' 'N B 2025-02 1 1 0 0' >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr nps-baseline "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-baseline: periods repeat and no -g was given: rows of several series seem interleaved; -g is probably missing (the series key looks like \"region\", \"store\")
nps-baseline: $BATS_TEST_TMPDIR/in:3: duplicate period in this series (\"2025-01\")" ]
	# said once, even when every later row is rejected
	run --separate-stderr nps-baseline --rejects "$BATS_TEST_TMPDIR/rej" "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'probably missing' <<<"$stderr")" -eq 1 ]
	# with -g, nothing to say
	run --separate-stderr nps-baseline -g region,store "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
}

@test "-k is the key letter across npskit, not the threshold: a usage error pointing to -z" {
	run --separate-stderr nps-baseline -k 3 "$data/baseline-constant.tsv"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-baseline: -k is a key column in npskit; the threshold is -z or --threshold' ]
	[ "$(nps-baseline -z 11 "$data/baseline-constant.tsv")" = "$(nps-baseline --threshold 11 "$data/baseline-constant.tsv")" ]
}

@test "a long series costs O(n W), not O(n^2): 100,000 months within seconds" {
	# Before the windows were bounded, 120,000 periods took 70 s.
	awk 'BEGIN { print "period\tn\tpromoters\tpassives\tdetractors"
		for (i = 0; i < 100000; i++)
			printf "%04d-%02d\t100\t%d\t%d\t20\n", 1000 + int(i / 12), i % 12 + 1, 40 + i % 17, 40 - i % 17 }' >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr timeout 60 nps-baseline "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 100001 ]
}

@test "unscoped events are not copied per series: 200 series x 200,000 events in little memory" {
	# Before, each series kept the list of events covering it: 8 bytes a
	# series and event, 320 MB here (3.2 GB for 400 x 1M).
	[[ "$(command -v nps-baseline)" != *build-san* ]] || skip "ASan reserves more address space than the limit"
	awk 'BEGIN { print "start\tend\tlabel"
		for (i = 0; i < 200000; i++) printf "2025-%02d-%02d\t2025-%02d-%02d\tl%d\n", i % 12 + 1, i % 28 + 1, i % 12 + 1, i % 28 + 1, i % 7 }' >"$BATS_TEST_TMPDIR/ev"
	awk 'BEGIN { print "store\tperiod\tn\tpromoters\tpassives\tdetractors"
		for (s = 0; s < 200; s++) for (m = 1; m <= 12; m++) printf "S%d\t2025-%02d\t100\t60\t20\t20\n", s, m }' >"$BATS_TEST_TMPDIR/in"
	run bash -c 'ulimit -v 200000; nps-baseline -g store --events "$1" "$2" | tail -n 1' sh "$BATS_TEST_TMPDIR/ev" "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv 'S199 2025-12 100 60 20 20 40.00 0.00 0.00 40.00 0.00 0.00 16.00 64.00 normal')" ]
}

@test "days: day-of-week seasons, learned across stores" {
	# Stores A and B, 2025-01-06 (a Monday) to 2025-01-19, 40 every day
	# (se 8) but Saturdays at 20 (44/32/24 -> 20). Pooled (the default).
	# Sat 01-11, store A: level 40 (Monday-Friday); the Saturday deviations
	#   of the panel are B's this day, 20 - 40 = -20, k = 1: seasonal
	#   -20 * 1/2 = -10, expected 30, residual -10, z = -10/8 = -1.25.
	# Sat 01-18, store A: level = median(eleven 40s, 01-11's adjusted 30)
	#   = 40; deviations A's and B's of 01-11 and B's of this day, all -20,
	#   k = 3: seasonal -15, expected 25, adjusted 35, residual -5,
	#   z = -5/8 = -0.625 (process variance 0: the median residual is 0),
	#   band 25 -+ 24.
	{
		printf 'store\tperiod\tn\tpromoters\tpassives\tdetractors\n'
		for s in A B; do
			for d in 06 07 08 09 10 11 12 13 14 15 16 17 18 19; do
				case $d in 11|18) printf '%s\t2025-01-%s\t100\t44\t32\t24\n' $s $d ;;
				*) printf '%s\t2025-01-%s\t100\t60\t20\t20\n' $s $d ;; esac
			done
		done
	} >"$BATS_TEST_TMPDIR/in"
	run sh -c 'nps-baseline -g store --precision 3 "$1" | cut -f 1,2,7-' sh "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "${lines[6]}" = "$(tsv 'A 2025-01-11 30.000 -10.000 0.000 30.000 -10.000 -1.250 6.000 54.000 insufficient_history')" ]
	[ "${lines[13]}" = "$(tsv 'A 2025-01-18 25.000 -15.000 0.000 35.000 -5.000 -0.625 1.000 49.000 normal')" ]
}

@test "days, pooled by default, with holidays: later days never change earlier verdicts" {
	# Three stores, 40 days of varied counts, an unscoped holiday and a
	# promotion for B; the first 30 days judged alone and within 40 days.
	awk 'BEGIN { print "store\tperiod\tn\tpromoters\tpassives\tdetractors"
		split("A B C", st, " ")
		for (s = 1; s <= 3; s++) for (d = 0; d < 40; d++) {
			p = 40 + (d * 7 + s * 5) % 21; q = 20 + (d * 3 + s) % 11
			printf "%s\t2025-%02d-%02d\t100\t%d\t%d\t%d\n", st[s], d < 31 ? 1 : 2, d < 31 ? d + 1 : d - 30, p, 100 - p - q, q }}' >"$BATS_TEST_TMPDIR/in"
	printf 'start\tend\tlabel\tstore\n2025-01-20\t2025-01-20\tholiday\t\n2025-01-10\t2025-01-12\tpromo\tB\n2025-02-01\t2025-02-02\tpromo\tB\n' >"$BATS_TEST_TMPDIR/ev"
	awk -F '\t' 'NR == 1 || $2 <= "2025-01-30"' "$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/in30"
	for pool in --pool --no-pool; do
		nps-baseline -g store $pool --events "$BATS_TEST_TMPDIR/ev" "$BATS_TEST_TMPDIR/in" 2>/dev/null |
			awk -F '\t' 'NR == 1 || $2 <= "2025-01-30"' >"$BATS_TEST_TMPDIR/40"
		nps-baseline -g store $pool --events "$BATS_TEST_TMPDIR/ev" "$BATS_TEST_TMPDIR/in30" 2>/dev/null >"$BATS_TEST_TMPDIR/30"
		[ "$(wc -l <"$BATS_TEST_TMPDIR/30")" -eq 91 ]
		cmp "$BATS_TEST_TMPDIR/30" "$BATS_TEST_TMPDIR/40"
	done
}

@test "an event in a period where no row can teach it (found by fuzz-baseline: qsort of NULL)" {
	# Pooled; the launch is in the first month, where no store has a level
	# yet, so no deviation teaches it: an empty list to sort (a NULL array,
	# undefined behaviour under UBSan). Its effect is 0.
	printf 'start\tend\tlabel\n2025-01\t2025-01\tlaunch\n' >"$BATS_TEST_TMPDIR/ev"
	tsv 'store period n promoters passives detractors' 'A 2025-01 100 60 20 20' \
		'B 2025-01 100 60 20 20' 'A 2025-02 100 60 20 20' 'B 2025-02 100 60 20 20' >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr nps-baseline -g store --min-history 1 --events "$BATS_TEST_TMPDIR/ev" "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$(cut -f 1,2,7- <<<"${lines[1]}")" = "$(tsv 'A 2025-01  0.00 0.00 40.00     insufficient_history')" ]
	[ "$(cut -f 1,2,7- <<<"${lines[3]}")" = "$(tsv 'A 2025-02 40.00 0.00 0.00 40.00 0.00 0.00 16.00 64.00 normal')" ]
}

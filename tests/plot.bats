#!/usr/bin/env bats
# nps-plot: SVG charts. Positions are worked out from the layout that
# nps-plot(1) gives (margins, nice ticks, a linear scale); accessibility
# is computed from each SVG by tests/svg-check.py.
load helper

dots_in() { tsv 'key nps ci_low ci_high' 'b -50 -60 -40' 'a 50 40 60'; }
stack_in() { tsv 'key pct_promoters pct_passives pct_detractors nps' 'x 50 30 20 30'; }
trend_in() {
	tsv 'period n nps ci_low ci_high expected lower upper flag partial' \
		'2026-01 40 10 0 20 12 -8 32 normal 0' \
		'2026-02 40 40 30 50 12 -8 32 high 0' \
		'2026-03 10 0 -20 20 12 -8 32 partial 1'
}
funnel_in() {
	tsv 'store n nps funnel_target funnel_v1 funnel_tau2 verdict' \
		'A 100 20 10 6400 0 ok' 'B 400 60 10 6400 0 review' 'C 25 -10 10 6400 0 ok'
}
quadrant_in() {
	tsv 'driver mean importance importance_low importance_high quadrant cut_mean cut_importance' \
		'wait 2 50 45 55 fix_first 3 25' 'staff 4 30 25 35 keep 3 25' \
		'parking 4 5 2 8 maintain 3 25' 'stock 2 15 10 20 low_priority 3 25'
}

@test "dots: a dot per group where the scale puts it, sorted high to low" {
	run -0 nps-plot dots --id t < <(dots_in)
	# width 720: the area runs from 150 to 720 - 100 = 620; the values
	# -60..60 widen to nice ticks -100..100 (step 50), so 50 is at
	# 150 + 150/200 * 470 = 502.5 and -50 at 267.5. Height: 30 (title) +
	# 70 + 22 a row + 8 = 152; rows from 38 to 100, 31 px each: centres
	# 53.5 (a, the higher) and 84.5 (b).
	[ "${lines[0]}" = '<svg xmlns="http://www.w3.org/2000/svg" width="720.0" height="152.0" viewBox="0 0 720.0 152.0" role="img" aria-labelledby="t-title t-desc" font-family="sans-serif">' ]
	[ "${lines[1]}" = '<title id="t-title">NPS by group</title>' ]
	[ "${lines[2]}" = '<desc id="t-desc">dots chart of 2 groups. Highest NPS 50.0 (a), lowest -50.0 (b).</desc>' ]
	[[ "$output" == *'<circle cx="502.5" cy="53.5" r="4.5" fill="#0072B2" stroke="#0072B2" stroke-width="1.5" class="mark"><title>a: NPS 50.0 (40.0 to 60.0)</title></circle>'* ]]
	[[ "$output" == *'<circle cx="267.5" cy="84.5" r="4.5" fill="#0072B2" stroke="#0072B2" stroke-width="1.5" class="mark"><title>b: NPS -50.0 (-60.0 to -40.0)</title></circle>'* ]]
	# the whisker of a: 40..60 at 150 + 140/200 * 470 = 479 .. 526
	[[ "$output" == *'<line x1="479.0" y1="53.5" x2="526.0" y2="53.5" stroke="#0072B2" stroke-width="1.5" class="mark whisker"/>'* ]]
	[ "${lines[-1]}" = '</svg>' ]
}

@test "stack: diverging bars centred on the passives" {
	run -0 nps-plot stack --width 750 --id s < <(stack_in)
	# Reach: 20 + 30/2 = 35 left, 50 + 15 = 65 right -> ticks -100..100;
	# area 150..734: 2.92 px a point. Detractors from -35 to -15, passives
	# -15..15, promoters 15..65. Row: top 30 + 8 + 22 (the key) = 60,
	# bottom 30 + 92 - 44 = 78; the bar 15% down, 70% high: 62.7, 12.6.
	[[ "$output" == *'<rect x="339.8" y="62.7" width="58.4" height="12.6" fill="#C14F00" class="mark" stroke="#FFFFFF" stroke-width="1"><title>x: detractors 20.0%</title></rect>'* ]]
	[[ "$output" == *'<rect x="398.2" y="62.7" width="87.6" height="12.6" fill="#6E6E6E" class="mark" stroke="#FFFFFF" stroke-width="1"><title>x: passives 30.0%</title></rect>'* ]]
	[[ "$output" == *'<rect x="485.8" y="62.7" width="146.0" height="12.6" fill="#0072B2" class="mark" stroke="#FFFFFF" stroke-width="1"><title>x: promoters 50.0%</title></rect>'* ]]
	# the key says each colour in words
	[[ "$output" == *'>detractors</text>'*'>passives</text>'*'>promoters</text>'* ]]
}

@test "trend: flagged and partial periods are marked by shape, and said in the description" {
	run -0 nps-plot trend --id r < <(trend_in)
	[ "${lines[2]}" = '<desc id="r-desc">trend chart of 3 period values. Highest NPS 40.0 (2026-02), lowest 0.0 (2026-03). 1 flagged as unusual.</desc>' ]
	# February: an upward triangle in vermillion, labelled "high"
	[[ "$output" == *'fill="#C14F00" stroke="#C14F00" stroke-width="1.5" class="mark"><title>2026-02: NPS 40.0, flagged high</title></polygon>'* ]]
	[[ "$output" == *'>high</text>'* ]]
	# March is partial: a hollow marker (white fill)
	[[ "$output" == *'fill="#FFFFFF" stroke="#0072B2" stroke-width="1.5" class="mark"><title>2026-03: NPS 0.0, partial period</title>'* ]]
	# the key names the expected line, the usual range and the partial mark
	[[ "$output" == *'>expected</text>'*'>usual range</text>'*'>unusual (high, low)</text>'*'>partial period</text>'* ]]
}

@test "funnel: limits at 95% and 99.8% around the target; units under review named" {
	run -0 nps-plot funnel --id f < <(funnel_in)
	[[ "$output" == *'class="mark limit"'* ]]
	[ "$(grep -c 'class="mark limit"' <<< "$output")" -eq 4 ]
	[[ "$output" == *'<title>B: NPS 60.0 from 400 responses, under review</title></polygon>'* ]]
	[[ "$output" == *'>B</text>'* ]]
	[[ "$output" == *'<desc id="f-desc">funnel chart of 3 groups. Highest NPS 60.0 (B), lowest -10.0 (C). 1 under review.</desc>'* ]]
}

@test "quadrant: the cut lines, the four quadrants named, a shape per quadrant" {
	run -0 nps-plot quadrant --id q < <(quadrant_in)
	[[ "$output" == *'>fix first</text>'*'>keep</text>'*'>low priority</text>'*'>maintain</text>'* ]]
	[ "$(grep -c 'class="mark cut"' <<< "$output")" -eq 2 ]
	[[ "$output" == *'<title>wait: importance 50.0, performance 2.00, fix_first</title></polygon>'* ]]
	[[ "$output" == *'<title>staff: importance 30.0, performance 4.00, keep</title></circle>'* ]]
	[[ "$output" == *'<title>parking: importance 5.0, performance 4.00, maintain</title></rect>'* ]]
}

@test "every chart kind is valid XML and keeps the accessibility promises" {
	need python3
	need xmllint
	dots_in | nps-plot dots > "$BATS_TEST_TMPDIR/dots.svg"
	stack_in | nps-plot stack > "$BATS_TEST_TMPDIR/stack.svg"
	trend_in | nps-plot trend > "$BATS_TEST_TMPDIR/trend.svg"
	funnel_in | nps-plot funnel > "$BATS_TEST_TMPDIR/funnel.svg"
	quadrant_in | nps-plot quadrant > "$BATS_TEST_TMPDIR/quadrant.svg"
	{ trend_in; tsv '2026-01 40 -10 -20 0 12 -8 32 low 0'; } | sed '1s/^/region\t/; 2,4s/^/north\t/; 5s/^/south\t/' |
		nps-plot trend --facet region > "$BATS_TEST_TMPDIR/facets.svg"
	for f in "$BATS_TEST_TMPDIR"/*.svg; do xmllint --noout "$f"; done
	run python3 "$BATS_TEST_DIRNAME/svg-check.py" "$BATS_TEST_TMPDIR"/*.svg
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "the accessibility check fails a chart that breaks a promise" {
	need python3
	# a yellow mark (WCAG luminance 0.744: 1.05 / 0.794 = 1.32:1), grey text
	# #AAAAAA (luminance 0.402: 2.32:1), two colours of one shape
	printf '%s\n' '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="a b"><title id="a">t</title><desc id="b">d</desc>' \
		'<circle cx="1" cy="1" r="2" fill="#F0E442" stroke="#F0E442" class="mark"/>' \
		'<circle cx="5" cy="1" r="2" fill="#0072B2" stroke="#0072B2" class="mark"/>' \
		'<text fill="#AAAAAA">x</text></svg>' > "$BATS_TEST_TMPDIR/bad.svg"
	run -1 python3 "$BATS_TEST_DIRNAME/svg-check.py" "$BATS_TEST_TMPDIR/bad.svg"
	[[ "$output" == *"mark circle fill #F0E442 is 1.32:1 against white"* ]]
	[[ "$output" == *"text #AAAAAA is 2.32:1 against white"* ]]
	[[ "$output" == *"markers of two colours share the shape circle0"* ]]
}

@test "a long label is cut with an ellipsis and kept whole in a tooltip" {
	run -0 nps-plot dots < <(tsv 'key nps' 'a-very-long-store-name-indeed-and-more 10')
	[[ "$output" == *'<title>a-very-long-store-name-indeed-and-more</title>a-very-long-store-nam…</text>'* ]]
}

@test "the same input gives the same bytes; options may come before or after the kind" {
	a=$(funnel_in | nps-plot funnel --width 600)
	b=$(funnel_in | nps-plot --width 600 funnel)
	[ "$a" = "$b" ]
	[[ "$a" == '<svg xmlns="http://www.w3.org/2000/svg" width="600.0"'* ]]
}

@test "an empty input draws an empty chart that says no data (exit 0)" {
	run -0 nps-plot dots < /dev/null
	[[ "$output" == *'>no data</text>'* ]]
	[[ "$output" == *'dots chart of 0 groups. No data.'* ]]
}

@test "a missing column is a usage error naming it (64); a bad number names its line (65)" {
	run -64 nps-plot trend < <(dots_in)
	[ "${lines[0]}" = 'nps-plot: trend needs a column "period" (nps-agg -t COL -p KIND)' ]
	run -64 nps-plot funnel < <(dots_in)
	[ "${lines[0]}" = 'nps-plot: funnel needs a column "n" (nps-audit)' ]
	run -65 nps-plot dots < <(tsv 'key nps' 'a 10' 'b ten')
	[ "$output" = 'nps-plot: stdin:3: nps must be a number ("ten")' ]
	# an empty field or NA is a missing value: nothing drawn for it
	run -0 nps-plot dots < <(tsv 'key nps' 'a 10' 'b NA')
	[[ "$output" == *'dots chart of 1 groups.'* ]]
}

@test "usage: no kind, an unknown kind, a bad width; a failed write is 74" {
	run -64 nps-plot
	[ "${lines[0]}" = 'nps-plot: which chart? trend, dots, funnel, stack or quadrant' ]
	run -64 nps-plot pie
	[ "${lines[0]}" = 'nps-plot: unknown chart "pie": trend, dots, funnel, stack or quadrant' ]
	run -64 nps-plot dots --width 10
	run -64 nps-plot trend --tiers x
	run -74 sh -c 'printf "key\tnps\na\t1\n" | nps-plot dots > /dev/full'
	run -0 nps-plot --help
	[[ "${lines[0]}" == 'Usage: nps-plot KIND [options] [file ...]' ]]
}

@test "dots with --tiers: each group's tier from nps-signif --tiers, joined by key" {
	tsv 'key nps tier letters' 'a 50 1 a' 'b -50 2 b' > "$BATS_TEST_TMPDIR/tiers"
	run -0 nps-plot dots --tiers "$BATS_TEST_TMPDIR/tiers" < <(dots_in)
	[[ "$output" == *'>tier 1</text>'*'>tier 2</text>'* ]]
	[[ "$output" == *'>50.0 a</text>'* ]]
}

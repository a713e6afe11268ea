#!/usr/bin/env bats
# The monthly report's HTML page (examples/monthly/report), rendered in a
# real browser: headless Chromium, no console error, the page's figures
# equal to those of the TSV files it was made from.
load helper

setup_file() {
	export OUTDIR="$BATS_FILE_TMPDIR/out"
	make -s -C "$BATS_TEST_DIRNAME/../examples/monthly" NPS_BIN="${NPS_BIN:-$BATS_TEST_DIRNAME/../build}" \
		OUT="$OUTDIR" "$OUTDIR/report.html" > /dev/null
}

# Chromium as the probe ran it: headless, no network of its own; prints
# the DOM after load, and its console on stderr.
chrome() { # URL OUT ERR
	chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$BATS_TEST_TMPDIR/chrome" --enable-logging=stderr --v=0 \
		--virtual-time-budget=2000 --dump-dom "$1" > "$2" 2> "$3"
}

# The text of the element with id $2 in the DOM file $1.
text_of() { sed -n "s/.*id=\"$2\"[^>]*>\\([^<]*\\)<.*/\\1/p" "$1" | head -n 1; }

@test "the report renders in Chromium with no console error" {
	need chromium
	chrome "file://$OUTDIR/report.html" "$BATS_TEST_TMPDIR/dom" "$BATS_TEST_TMPDIR/err"
	[ -s "$BATS_TEST_TMPDIR/dom" ]
	run ! grep 'CONSOLE' "$BATS_TEST_TMPDIR/err"
	# eight charts made it into the rendered page
	[ "$(grep -o "<svg " "$BATS_TEST_TMPDIR/dom" | wc -l)" -eq 8 ]
}

@test "the console check sees an error when a page has one" {
	need chromium
	printf '<!DOCTYPE html><html><body><script>console.error("boom")</script></body></html>' \
		> "$BATS_TEST_TMPDIR/bad.html"
	chrome "file://$BATS_TEST_TMPDIR/bad.html" "$BATS_TEST_TMPDIR/dom" "$BATS_TEST_TMPDIR/err"
	grep 'CONSOLE.*boom' "$BATS_TEST_TMPDIR/err"
}

@test "the rendered page's figures are those of the TSV files" {
	need chromium
	chrome "file://$OUTDIR/report.html" "$BATS_TEST_TMPDIR/dom" "$BATS_TEST_TMPDIR/err"
	dom="$BATS_TEST_TMPDIR/dom"
	month=$(awk -F '\t' 'NR > 1 && $1 == "*" && $2 == "*" { m = $3 } END { print m }' "$OUTDIR/agg.tsv")
	# The company row of agg.tsv for the month: nps, ci_low, ci_high, n.
	read -r nps lo hi n < <(awk -F '\t' -v m="$month" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$1 == "*" && $2 == "*" && $3 == m { print $c["nps"], $c["ci_low"], $c["ci_high"], $c["n"] }' "$OUTDIR/agg.tsv")
	[ "$(text_of "$dom" company-nps)" = "$nps" ]
	[ "$(text_of "$dom" company-ci)" = "$lo to $hi" ]
	[ "$(text_of "$dom" company-n)" = "$n" ]
	tickets=$(($(wc -l < "$OUTDIR/tickets.tsv") - 1))
	[ "$(text_of "$dom" tickets)" = "$tickets" ]
	review=$(awk -F '\t' -v m="$month" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["period"] == m && $c["verdict"] == "review"' "$OUTDIR/audit.tsv" | wc -l)
	[ "$(text_of "$dom" review)" = "$review" ]
	detractors=$(awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["segment"] == "detractor"' "$OUTDIR/responses.tsv" | wc -l)
	[ "$(text_of "$dom" detractors)" = "$detractors" ]
	# The company chart's description names its highest month, as agg.tsv has it.
	best=$(awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$1 == "*" && $2 == "*" && (b == "" || $c["nps"] + 0 > b + 0) { b = $c["nps"]; p = $3 }
		END { printf "Highest NPS %.1f (%s)", b, p }' "$OUTDIR/agg.tsv")
	grep -q "<desc id=\"company-desc\">trend chart of [0-9]* period values. $best" "$dom"
}

@test "every chart of the report is valid XML and keeps the accessibility promises" {
	need python3
	need xmllint
	awk '/<svg /, /<\/svg>/' "$OUTDIR/report.html" | csplit -s -z -f "$BATS_TEST_TMPDIR/svg" - '/<svg /' '{*}'
	n=0
	for f in "$BATS_TEST_TMPDIR"/svg*; do xmllint --noout "$f"; n=$((n + 1)); done
	[ "$n" -eq 8 ]
	run python3 "$BATS_TEST_DIRNAME/svg-check.py" "$OUTDIR/report.html"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	# self-contained: no script, no link or image from anywhere else
	run ! grep -Eq '<script|<link|<img|https?://[^"]*"[^>]*(src|href)=' "$OUTDIR/report.html"
}

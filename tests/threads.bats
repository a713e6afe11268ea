#!/usr/bin/env bats
# Reading by byte ranges on several threads (npskit(7), NPSKIT_THREADS):
# every thread count gives the bytes of one thread, whatever the ranges
# cut through: long lines, CRLF, a last line without newline, repeated
# headers, several files, standard input, bad rows at a range's edge.
load helper

setup_file() {
	export D="$BATS_FILE_TMPDIR"
	# 40,000 responses, 2.5 MB: ranges of 19.5 KB (16 threads) to 156 KB (2)
	"$bin/gen-responses" 40000 > "$D/r.tsv"
	# a 300 KB answer in the middle: it spans several ranges at any count
	awk -F'\t' -v OFS='\t' 'NR == 20000 { $8 = sprintf("%300000s", "") }
		{ print }' "$D/r.tsv" | tr ' ' 'w' > "$D/long.tsv"
	sed 's/$/\r/' "$D/r.tsv" > "$D/crlf.tsv"
	head -c -1 "$D/r.tsv" > "$D/nonl.tsv"
	head -n 15000 "$D/r.tsv" > "$D/a.tsv"
	tail -n +15001 "$D/r.tsv" > "$D/b-rows.tsv"
	{ head -n 1 "$D/r.tsv"; cat "$D/b-rows.tsv"; } > "$D/b.tsv"
	cat "$D/a.tsv" "$D/b.tsv" > "$D/repeated.tsv"
}

# same CMD...: stdout, stderr and exit status of CMD at each of 2..16 threads are
# those at one thread (stdout kept in $D/one for further checks).
same() {
	NPSKIT_THREADS=1 "$@" > "$D/one" 2> "$D/one.err" && s1=0 || s1=$?
	for n in $(seq 2 16); do
		NPSKIT_THREADS=$n "$@" > "$D/many" 2> "$D/many.err" && sn=0 || sn=$?
		[ "$sn" = "$s1" ] || { echo "exit $sn at $n threads, $s1 at one"; return 1; }
		cmp "$D/one" "$D/many" || { echo "stdout differs at $n threads"; return 1; }
		cmp "$D/one.err" "$D/many.err" || { echo "stderr differs at $n threads"; cat "$D/many.err"; return 1; }
	done
}

@test "nps-agg: every thread count gives the same table, and it counts every row" {
	same nps-agg -g region,store -t responded_at -p week "$D/r.tsv"
	# the total of n is the number of rows with a score, counted apart
	rows=$(awk -F'\t' 'NR > 1 && $7 != ""' "$D/r.tsv" | wc -l)
	[ "$(awk -F'\t' 'NR > 1 { s += $4 } END { print s }' "$D/one")" = "$rows" ]
	same nps-agg -g channel "$D/r.tsv"
	same nps-agg -g region -w customer_value "$D/r.tsv"
}

@test "nps-classify: every thread count gives the same rows, in input order" {
	same nps-classify "$D/r.tsv"
	[ "$(wc -l < "$D/one")" = 40001 ]
	cut -f 1-8 "$D/one" | cmp - "$D/r.tsv"
}

@test "nps-route: every thread count gives the same tickets, sorted or as they come" {
	same nps-route "$D/r.tsv"
	sorted=$(md5sum < "$D/one")
	# one ticket per answered row (the built-in rules), counted apart
	[ "$(( $(wc -l < "$D/one") - 1 ))" = "$(awk -F'\t' 'NR > 1 && $7 != ""' "$D/r.tsv" | wc -l)" ]
	same nps-route --no-sort "$D/r.tsv"
	# the same tickets either way, in input order without sorting
	[ "$(LC_ALL=C sort "$D/one" | md5sum)" != "$sorted" ]
	[ "$(cut -f 2 "$D/one" | tail -n +2)" = "$(awk -F'\t' 'NR > 1 && $7 != "" { print $1 }' "$D/r.tsv")" ]
	same nps-route --no-sort -t '' "$D/long.tsv"
	# ids longer than a ticket record holds (11 bytes), and contacts that
	# differ for the same id, priority and due time: ordered by their text
	awk -F'\t' -v OFS='\t' 'NR > 1 { $1 = "a-long-response-id-" (NR % 1000); $4 = "S" NR % 3 } { print }' \
		"$D/r.tsv" > "$D/ids.tsv"
	same nps-route "$D/ids.tsv"
}

@test "nps-themes: every thread count tags the same rows, wide and long, with spans" {
	"$bin/gen-responses" -c 20000 > "$D/c.tsv"
	dict="$BATS_TEST_DIRNAME/../examples/themes.tsv"
	same nps-themes --themes "$dict" "$D/c.tsv"
	[ "$(wc -l < "$D/one")" = 20001 ]
	same nps-themes --themes "$dict" --long --spans "$D/c.tsv"
}

@test "nps-audit: every thread count gives the same verdicts, explanations and sample" {
	# a region's windows of a day hold bursts; channel as the contact is shared
	a="-g region -t responded_at -p month --burst-window 86400 --contact channel"
	same nps-audit $a "$D/r.tsv"
	# every answer of the 40,000 is in some unit-month, counted apart
	[ "$(awk -F'\t' 'NR > 1 { s += $3 + $4 } END { print s }' "$D/one")" = 40000 ]
	# and some are in bursts (the burst share is not zero everywhere)
	awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "burst") c = i; next }
		$c != "0.0000" && $c != "" { found = 1 } END { exit !found }' "$D/one"
	same nps-audit $a --explain "$D/r.tsv"
	same nps-audit -g store -t responded_at -p week "$D/r.tsv"
	same nps-audit -g region,channel -t responded_at --sample 500 "$D/r.tsv"
	[ "$(wc -l < "$D/one")" = 501 ]
}

@test "nps-drivers: every thread count gives the same analysis, partials and merge" {
	gen="$bin/gen-drivers"
	[ -x "$gen" ] || gen="$BATS_TEST_DIRNAME/../build/gen-drivers"
	# 30,000 rows of 40 stores, 5% of ratings missing, some with decimals
	"$gen" -s 40 -m 0.05 30000 | awk -F'\t' -v OFS='\t' 'NR > 1 && NR % 11 == 0 { $6 = $6 ".5" } { print }' > "$D/d.tsv"
	same nps-drivers -g store --drivers-prefix sat_ --bootstrap 20 "$D/d.tsv"
	# a row per store and driver: 40 x 8, and the header
	[ "$(wc -l < "$D/one")" = 321 ]
	same nps-drivers -g region --drivers-prefix sat_ --pairwise -w sat_parking --bootstrap 20 "$D/d.tsv"
	# the groups are analysed on every thread too, 64 a thread at a time:
	# 240 groups of store and parking rating are two windows at 2 threads
	same nps-drivers -g store,sat_parking --drivers-prefix sat_ --bootstrap 5 "$D/d.tsv"
	groups=$(awk -F'\t' 'NR > 1 { print $3 "\t" $12 }' "$D/d.tsv" | sort -u | wc -l)
	[ "$(wc -l < "$D/one")" = $((1 + groups * 8)) ]
	[ "$groups" -gt 128 ]
	same nps-drivers -g store --drivers-prefix sat_ --partial "$D/d.tsv"
	cp "$D/one" "$D/partial.tsv"
	same nps-drivers --merge -g store --bootstrap 20 "$D/partial.tsv"
	# the merged partials are the analysis of the rows themselves
	NPSKIT_THREADS=1 nps-drivers -g store --drivers-prefix sat_ --bootstrap 20 "$D/d.tsv" | cmp - "$D/one"
	# a bad rating on either side of a range's edge stops at its own line
	L=$(first_of_range1 "$D/d.tsv")
	for bad in $((L - 1)) $L; do
		awk -F'\t' -v OFS='\t' -v l=$bad 'NR == l { $5 = "x" } { print }' "$D/d.tsv" > "$D/dbad.tsv"
		same nps-drivers -g store --drivers-prefix sat_ --bootstrap 0 "$D/dbad.tsv"
		[ "$(cat "$D/one.err")" = "nps-drivers: $D/dbad.tsv:$bad: sat_wait must be a number with at most 3 decimals, below 1e6 in size, or empty (\"x\")" ]
	done
}

@test "a line longer than several ranges, CRLF, no final newline" {
	for f in long crlf nonl; do
		same nps-classify "$D/$f.tsv"
		same nps-audit -g store -t responded_at "$D/$f.tsv"
		same nps-agg -g store "$D/$f.tsv"
	done
	[ "$(wc -l < "$D/one")" = 401 ] # 400 stores and the header
}

@test "repeated headers, several files and standard input read as one stream" {
	same nps-agg -g store "$D/r.tsv"
	cp "$D/one" "$D/whole"
	same nps-agg -g store "$D/repeated.tsv"
	cmp "$D/one" "$D/whole"
	same nps-agg -g store "$D/a.tsv" "$D/b.tsv"
	cmp "$D/one" "$D/whole"
	from_stdin() { "$@" < "$D/r.tsv"; }
	same from_stdin nps-agg -g store -
	cmp "$D/one" "$D/whole"
	b_from_stdin() { "$@" < "$D/b.tsv"; }
	same b_from_stdin nps-classify "$D/a.tsv" -
	cmp "$D/one" <(nps-classify "$D/r.tsv")
	same nps-audit -g store -t responded_at "$D/repeated.tsv"
	cmp "$D/one" <(nps-audit -g store -t responded_at "$D/r.tsv")
}

@test "standard input that starts inside a file starts there at every count" {
	# the header line is read away first: the rest is data, with a header given
	run_from_line2() { { IFS= read -r _; "$@"; } < "$D/r.tsv"; }
	same run_from_line2 nps-agg -g store --header-from "$D/r.tsv"
	cmp "$D/one" <(nps-agg -g store "$D/r.tsv")
	same run_from_line2 nps-audit -g store -t responded_at --header-from "$D/r.tsv"
	cmp "$D/one" <(nps-audit -g store -t responded_at "$D/r.tsv")
}

# The line that begins range 1 at 2 threads: the first whose newline
# before it is at or after the cut, total / 16 + 1 bytes (npskit(7)).
first_of_range1() {
	awk -v cut="$(( $(wc -c < "$1") / 16 + 1 ))" \
		'{ if (at > cut) { print NR; exit } at += length($0) + 1 }' "$1"
}

@test "a bad row on either side of a range's edge stops at its own line" {
	L=$(first_of_range1 "$D/r.tsv")
	for bad in $((L - 1)) $L; do
		awk -F'\t' -v OFS='\t' -v l=$bad 'NR == l { $7 = "x" } { print }' \
			"$D/r.tsv" > "$D/bad.tsv"
		for prog in nps-agg nps-classify nps-route; do
			same $prog "$D/bad.tsv"
			[ "$(cat "$D/one.err")" = "$prog: $D/bad.tsv:$bad: score must be an integer 0..10 (\"x\")" ]
			# nps-classify has written every row before the bad one
			[ $prog != nps-classify ] || [ "$(wc -l < "$D/one")" = $((bad - 1)) ]
		done
		same nps-audit -g store "$D/bad.tsv"
		[ "$(cat "$D/one.err")" = "nps-audit: $D/bad.tsv:$bad: score must be an integer 0..10 or empty (\"x\")" ]
	done
}

@test "only the first bad row in input order is reported, wherever the others are" {
	# bad rows at 30,000 and 7 (the last range and the first)
	awk -F'\t' -v OFS='\t' 'NR == 30000 { $7 = "11" } NR == 7 { $7 = "-1" } { print }' \
		"$D/r.tsv" > "$D/bad2.tsv"
	same nps-agg -g store "$D/bad2.tsv"
	[ "$(cat "$D/one.err")" = "nps-agg: $D/bad2.tsv:7: score must be an integer 0..10 (\"-1\")" ]
	[ "$(cat "$D/one.err")" = "$(cat "$D/many.err")" ]
}

@test "--rejects: the same bad rows in input order, rows in = rows out + rejects" {
	awk -F'\t' -v OFS='\t' 'NR % 997 == 0 { $7 = "x" NR } NR == 12345 { $3 = "" ; $0 = $0 "\textra" }
		{ print }' "$D/r.tsv" > "$D/bads.tsv"
	same nps-classify --rejects "$D/rej" "$D/bads.tsv"
	bad=$(( 40001 / 997 + 1 ))
	[ "$(cat "$D/one.err")" = "nps-classify: $bad bad rows written to $D/rej" ]
	[ "$(( $(wc -l < "$D/one") - 1 + $(wc -l < "$D/rej") - 1 ))" = 40000 ]
	[ "$(cut -f 1 "$D/rej" | tail -n +2 | head -n 3 | tr '\n' ' ')" = "R00000996 R00001993 R00002990 " ]
	NPSKIT_THREADS=5 nps-classify --rejects "$D/rej5" "$D/bads.tsv" > /dev/null 2>&1
	cmp "$D/rej" "$D/rej5"
	same nps-agg -g store --rejects "$D/rej" "$D/bads.tsv"
	NPSKIT_THREADS=7 nps-agg -g store --rejects "$D/rej7" "$D/bads.tsv" > /dev/null 2>&1
	cmp "$D/rej" "$D/rej7"
}

@test "a second file whose header differs stops there, at every count" {
	{ printf 'other\theader\n'; tail -n +2 "$D/r.tsv"; } > "$D/other.tsv"
	same nps-agg -g store "$D/r.tsv" "$D/other.tsv"
	[ "$(cat "$D/one.err")" = "nps-agg: $D/other.tsv:1: header differs from the header of $D/r.tsv" ]
}

@test "a failed write is exit 74 at every count" {
	for n in 1 2 8; do
		run -74 bash -c 'NPSKIT_THREADS=$1 nps-classify "$2" > /dev/full' _ $n "$D/r.tsv"
		[ "$output" = "nps-classify: write error on standard output: No space left on device" ]
	done
}

@test "NPSKIT_THREADS: 0 and 1 are one thread; not a number is a usage error" {
	NPSKIT_THREADS=0 nps-agg -g store "$D/r.tsv" | cmp - <(NPSKIT_THREADS=1 nps-agg -g store "$D/r.tsv")
	run -64 env NPSKIT_THREADS=two nps-agg -g store "$D/r.tsv"
	[ "${lines[0]}" = 'nps-agg: NPSKIT_THREADS must be a whole number 0..256 ("two")' ]
	run -64 env NPSKIT_THREADS=257 nps-classify "$D/r.tsv"
	[ "${lines[0]}" = 'nps-classify: NPSKIT_THREADS must be a whole number 0..256 ("257")' ]
}

# A random file (seed $1) of 20-60 KB: scores mostly good, some empty, a
# few bad; now and then a line of 5-20 KB, CRLF line ends, the header
# again, and maybe no newline at the end.
random_file() {
	awk -v seed="$1" 'BEGIN {
		srand(seed); crlf = rand() < 0.3; size = 20000 + int(rand() * 40000)
		h = "response_id\tstore\tscore\tresponded_at\tnote"
		printf "%s%s\n", h, crlf ? "\r" : ""
		for (i = 1; at < size; i++) {
			r = rand(); s = int(rand() * 11)
			if (r < 0.05) s = ""; else if (r < 0.06) s = "x" i
			note = rand() < 0.01 ? sprintf("%*s", 5000 + int(rand() * 15000), "n") : "ok"
			line = sprintf("R%d\tS%d\t%s\t2026-01-%02d\t%s", i, int(rand() * 5), s, 1 + int(rand() * 28), note)
			if (rand() < 0.005) line = h
			if (rand() < 0.003) line = line "\textra"
			out = line (crlf ? "\r" : "")
			at += length(out) + 1
			if (at >= size && rand() < 0.5) printf "%s", out; else printf "%s\n", out
		}
	}'
}

# same_at "N..." CMD...: as same, at the thread counts given.
same_at() {
	local counts=$1 n
	shift
	NPSKIT_THREADS=1 "$@" > "$D/one" 2> "$D/one.err" && s1=0 || s1=$?
	for n in $counts; do
		NPSKIT_THREADS=$n "$@" > "$D/many" 2> "$D/many.err" && sn=0 || sn=$?
		[ "$sn" = "$s1" ] && cmp -s "$D/one" "$D/many" && cmp -s "$D/one.err" "$D/many.err" ||
			{ echo "differs at $n threads: $*"; diff "$D/one.err" "$D/many.err"; return 1; }
	done
}

@test "40 random files, good and bad, with and without --rejects: one thread's bytes at 2, 5 and 16" {
	for seed in $(seq 1 40); do
		random_file $seed > "$D/rand.tsv"
		same_at "2 5 16" nps-agg -g store -t responded_at -p week "$D/rand.tsv"
		same_at "2 5 16" nps-agg -g store --rejects "$D/rej.$seed" "$D/rand.tsv"
		same_at "2 5 16" nps-classify "$D/rand.tsv"
		same_at "2 5 16" nps-classify --rejects "$D/rej.$seed" "$D/rand.tsv"
		same_at "2 5 16" nps-route --no-sort "$D/rand.tsv"
		same_at "2 5 16" nps-route --rejects "$D/rej.$seed" "$D/rand.tsv"
		same_at "2 5 16" nps-audit -g store -t responded_at "$D/rand.tsv"
		same_at "2 5 16" nps-audit -g store -t responded_at --rejects "$D/rej.$seed" "$D/rand.tsv"
		# rows in = rows out + rejects (classify), counted apart
		NPSKIT_THREADS=7 nps-classify --rejects "$D/rej.$seed" "$D/rand.tsv" > "$D/out" 2> /dev/null
		rows=$(awk 'NR > 1 && $0 != h && $0 != h "\r" { n++ } NR == 1 { h = $0 } END { print n + 0 }' "$D/rand.tsv")
		[ $(( $(wc -l < "$D/out") - 1 + $(wc -l < "$D/rej.$seed") - 1 )) = "$rows" ]
	done
}

#!/usr/bin/env bats
# The row splitters (lib/tsv-advance.h: plain C, SSE2, AVX2, AVX-512; the
# machine's best by default, NPSKIT_SPLIT names one for tests, falling
# back to the best the machine has): each splits every line exactly as awk
# does. Lines around the 64 bytes a step reads, fields longer than that,
# more than 64 TABs in 64 bytes, empty lines and fields, CRLF, no final
# newline.
load helper

setup_file() {
	export D="$BATS_FILE_TMPDIR"
	# score + 8 columns; 3,000 lines: two in three of 9 fields (scores
	# 0..10), the others of 1..90 fields but not 9; field lengths 0..3,
	# 55..70 or 150; a line in 100 only TABs, 69 or 139; one line in five
	# ends in CRLF
	awk 'BEGIN {
		srand(23); OFS = ""
		printf "score\ta\tb\tc\td\te\tf\tg\th\n"
		for (i = 1; i <= 3000; i++) {
			good = rand() < 2 / 3
			n = good ? 9 : 1 + int(rand() * 90)
			if (n == 9) n = 10
			line = good ? int(rand() * 11) : ""
			for (k = good ? 2 : 1; k <= n; k++) {
				u = rand()
				len = u < 0.3 ? 0 : u < 0.7 ? int(rand() * 4) : u < 0.95 ? 55 + int(rand() * 16) : 150
				f = ""
				for (j = 0; j < len; j++) f = f substr("abcdefghij", 1 + int(rand() * 10), 1)
				line = (k == 1 ? "" : line "\t") f
			}
			if (i % 100 == 0) { /* 69 or 139 TABs and nothing else */
				line = ""
				for (k = i % 200 ? 69 : 139; k > 0; k--) line = line "\t"
			}
			if (rand() < 0.2) line = line "\r"
			printf "%s%s", line, i < 3000 ? "\n" : ""
		}
	}' > "$D/lines.tsv"
	# what nps-classify makes of it, by awk: a row of 9 fields with its
	# segment and points, any other a reject naming its width
	awk -F '\t' -v out="$D/want.out" -v rej="$D/want.rej" '
	{ sub(/\r$/, "") }
	NR == 1 { print $0 "\tsegment\tnps_points" > out; print $0 "\treject_reason" > rej; next }
	{
		nf = $0 == "" ? 1 : NF
		if (nf != 9) { print $0 "\texpected 9 fields, found " nf > rej; next }
		s = $1 + 0
		print $0 "\t" (s >= 9 ? "promoter\t100" : s >= 7 ? "passive\t0" : "detractor\t-100") > out
	}' "$D/lines.tsv"
}

@test "the file has what the splitters must meet" {
	# long lines, lines of 63..65 bytes, more than 64 TABs in a row of
	# empty fields, CRLF, no final newline
	[ "$(awk 'length($0) > 128' "$D/lines.tsv" | wc -l)" -gt 500 ]
	[ "$(awk 'length($0) >= 63 && length($0) <= 65' "$D/lines.tsv" | wc -l)" -gt 5 ]
	grep -q "$(printf '\t%.0s' $(seq 70))" "$D/lines.tsv"
	[ "$(grep -c $'\r$' "$D/lines.tsv")" -gt 500 ]
	[ "$(tail -c 1 "$D/lines.tsv" | od -An -c | tr -d ' ')" != '\n' ]
	[ "$(wc -l < "$D/want.rej")" -gt 900 ]
}

@test "every splitter splits every line as awk does" {
	for s in c sse2 avx2 avx512; do
		NPSKIT_SPLIT=$s NPSKIT_THREADS=1 nps-classify --rejects "$D/$s.rej" \
			"$D/lines.tsv" > "$D/$s.out" 2> "$D/$s.err"
		cmp "$D/$s.out" "$D/want.out" || { echo "splitter $s: output"; return 1; }
		cmp "$D/$s.rej" "$D/want.rej" || { echo "splitter $s: rejects"; return 1; }
		grep -qx "nps-classify: $(($(wc -l < "$D/want.rej") - 1)) bad rows written to $D/$s.rej" "$D/$s.err"
	done
}

@test "every splitter, on ranges of the file on 4 threads, too" {
	for s in c sse2 avx2 avx512; do
		NPSKIT_SPLIT=$s NPSKIT_THREADS=4 nps-classify --rejects "$D/$s.rej" "$D/lines.tsv" \
			> "$D/$s.out" 2> /dev/null
		cmp "$D/$s.out" "$D/want.out" && cmp "$D/$s.rej" "$D/want.rej" ||
			{ echo "splitter $s"; return 1; }
	done
}

# nps-agg's common case reads only the score and the group columns of
# plain rows (lib/tsv-pick.h, tsv_pick); every other row goes through the
# full split. 20,000 rows where the score's TAB falls on either side of
# the 64th byte and the group span too, mixed with rows of 128 bytes or
# more, CRLF, wrong widths, empty and bad scores, the header again (with
# and without a BOM) and rows as long as the header: counted by awk.
make_picks() {
	awk 'BEGIN {
		srand(29); OFS = "\t"
		h = "id\tnote\tstore\tregion\tscore\ttail"
		print h
		for (i = 1; i <= 20000; i++) {
			u = rand()
			note = ""
			len = u < 0.5 ? int(rand() * 70) : u < 0.9 ? 40 + int(rand() * 40) : 100 + int(rand() * 60)
			for (j = 0; j < len; j++) note = note substr("abcdefghij", 1 + int(rand() * 10), 1)
			score = int(rand() * 11)
			v = rand()
			if (v < 0.02) score = ""
			else if (v < 0.03) score = "x" int(rand() * 3)
			else if (v < 0.035) score = 11
			line = i OFS note OFS "s" int(rand() * 12) OFS "r" int(rand() * 3) OFS score OFS (rand() < 0.5 ? "" : "t")
			w = rand()
			if (w < 0.01) line = line "\textra"
			else if (w < 0.02) line = i "\t" note "\tshort"
			else if (w < 0.03) line = line "\r"
			if (i % 997 == 0) print h
			if (i % 1999 == 0) print "\357\273\277" h
			if (i % 1500 == 0) line = substr("1234567890123456789012345678901234567", 1, length(h) - 11) "\ts1\tr1\t9\t"
			print line
		}
	}' > "$D/picks.tsv"
	# by awk: each row as nps-agg -g store,region counts it, or its reject
	awk -F '\t' -v out="$D/picks.want" -v rej="$D/picks.rej.want" '
	{ sub(/\r$/, "") }
	NR == 1 { h = $0; print $0 "\treject_reason" > rej; next }
	$0 == h || $0 == "\357\273\277" h { next }
	{
		nf = $0 == "" ? 1 : NF
		if (nf != 6) { print $0 "\texpected 6 fields, found " nf > rej; next }
		k = $3 "\t" $4
		if ($5 == "") { un[k]++; seen[k] = 1; next }
		if ($5 !~ /^([0-9]|10)$/) { print $0 "\tscore must be an integer 0..10 (\"" $5 "\")" > rej; next }
		seen[k] = 1; n[k]++
		if ($5 >= 9) p[k]++; else if ($5 >= 7) m[k]++; else d[k]++
	}
	END { for (k in seen) print k, n[k] + 0, p[k] + 0, m[k] + 0, d[k] + 0, un[k] + 0 | "LC_ALL=C sort > " out }' OFS='\t' "$D/picks.tsv"
	sed -i 's/\r\t/\t/' "$D/picks.rej.want"
}

@test "nps-agg's picked rows: every splitter, 1 and 3 threads, counts and rejects as awk's" {
	make_picks
	# the file has what the picking must meet
	[ "$(awk 'length($0) >= 128' "$D/picks.tsv" | wc -l)" -gt 1000 ]
	# rows under 128 bytes whose score ends past byte 64, whose score
	# starts past it, whose group span (after TAB 2, to TAB 4) crosses it
	awk -F '\t' 'NF == 6 && length($0) < 128 {
		t2 = length($1 $2) + 1; t4 = length($1 $2 $3 $4) + 3; t5 = t4 + length($5) + 1
		if (t4 < 64 && t5 >= 64) ends++
		if (t4 >= 64) starts++
		if (t2 < 64 && t4 >= 64) span++
	} END { exit !(ends > 50 && starts > 50 && span > 50) }' "$D/picks.tsv"
	[ "$(grep -c $'\r$' "$D/picks.tsv")" -gt 100 ]
	[ "$(wc -l < "$D/picks.rej.want")" -gt 600 ]
	for s in c sse2 avx2 avx512; do
		for t in 1 3; do
			NPSKIT_SPLIT=$s NPSKIT_THREADS=$t nps-agg -g store,region \
				--rejects "$D/picks.rej" "$D/picks.tsv" > "$D/picks.out" 2> /dev/null
			cut -f 1-6,14 "$D/picks.out" | tail -n +2 > "$D/picks.got"
			cmp "$D/picks.got" "$D/picks.want" || { echo "splitter $s, $t threads: counts"; return 1; }
			cmp "$D/picks.rej" "$D/picks.rej.want" || { echo "splitter $s, $t threads: rejects"; return 1; }
		done
	done
}

@test "nps-agg's picked rows: the first bad one stops the run at its line" {
	make_picks
	# the rows of the wrong width made plain: the first bad score is
	# then the first bad row
	awk -F '\t' '{ x = $0; sub(/\r$/, "", x) } NR == 1 || split(x, f, "\t") == 6 || x == "" { print; next } { print "0\tpad\ts1\tr1\t5\t" }' \
		"$D/picks.tsv" > "$D/picks-w.tsv"
	want=$(awk -F '\t' 'NR > 1 { sub(/\r$/, "") } NR > 1 && NF == 6 && $5 != "" && $5 !~ /^([0-9]|10)$/ { print NR ": score must be an integer 0..10 (\"" $5 "\")"; exit }' "$D/picks-w.tsv")
	[ "${want%%:*}" -gt 10 ]
	for s in c avx512; do
		run env NPSKIT_SPLIT=$s NPSKIT_THREADS=1 nps-agg -g store,region "$D/picks-w.tsv"
		[ "$status" -eq 65 ]
		[ "$output" = "nps-agg: $D/picks-w.tsv:$want" ]
	done
}

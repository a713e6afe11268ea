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

#!/usr/bin/env bats
load helper

@test "every score 0..10 gets its segment and points" {
	run nps-classify <<<"$(printf 'score\n'; seq 0 10)"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv 'score segment nps_points' \
		'0 detractor -100' '1 detractor -100' '2 detractor -100' \
		'3 detractor -100' '4 detractor -100' '5 detractor -100' \
		'6 detractor -100' '7 passive 0' '8 passive 0' \
		'9 promoter 100' '10 promoter 100')" ]
}

@test "accepted spellings: padded, 9.0, 10.00, leading zero" {
	printf 'id\tscore\na\t 9 \nb\t9.0\nc\t10.00\nd\t08\ne\t6.\n' >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr nps-classify --rejects "$BATS_TEST_TMPDIR/rej" "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$stderr" = "nps-classify: 1 bad row written to $BATS_TEST_TMPDIR/rej" ]
	[ "$output" = "$(printf 'id\tscore\tsegment\tnps_points\na\t 9 \tpromoter\t100\nb\t9.0\tpromoter\t100\nc\t10.00\tpromoter\t100\nd\t08\tpassive\t0')" ]
	[ "$(cat "$BATS_TEST_TMPDIR/rej")" = "$(printf 'id\tscore\treject_reason\ne\t6.\tscore must be an integer 0..10 ("6.")')" ]
}

bad_row() { # input line 2, expected message
	run --separate-stderr nps-classify <<<"$(printf 'id\tscore\n%s\n' "$1")"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-classify: stdin:2: $2" ]
	# the rows before the bad one are written, whole: here the header
	[ "$output" = "$(printf 'id\tscore\tsegment\tnps_points')" ]
}

@test "a non-numeric score is a bad row" {
	bad_row $'1\tabc' 'score must be an integer 0..10 ("abc")'
}
@test "a score of 11 is a bad row" {
	bad_row $'1\t11' 'score must be an integer 0..10 ("11")'
}
@test "a score of -1 is a bad row" {
	bad_row $'1\t-1' 'score must be an integer 0..10 ("-1")'
}
@test "a fractional score 9.5 is a bad row" {
	bad_row $'1\t9.5' 'score must be an integer 0..10 ("9.5")'
}
@test "an empty score is unanswered: segment unanswered, nps_points empty" {
	run --separate-stderr nps-classify <<<"$(printf 'id\tscore\n1\t\n3\t9\n')"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "$output" = "$(printf 'id\tscore\tsegment\tnps_points\n1\t\tunanswered\t\n3\t9\tpromoter\t100')" ]
}
@test "a score of spaces is still a bad row" {
	bad_row $'1\t  ' 'score must be an integer 0..10 ("  ")'
}
@test "--unanswered reject makes an empty score a bad row again" {
	run --separate-stderr nps-classify --unanswered reject <<<"$(printf 'id\tscore\n1\t\n')"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-classify: stdin:2: score must be an integer 0..10 ("")' ]
	run --separate-stderr nps-classify --unanswered keep <<<"$(printf 'id\tscore\n1\t\n')"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'id\tscore\tsegment\tnps_points\n1\t\tunanswered\t')" ]
	run --separate-stderr nps-classify --unanswered skip <<<"$(printf 'id\tscore\n1\t\n')"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-classify: --unanswered must be keep or reject ("skip")' ]
}
@test "a row with too few fields is a bad row" {
	bad_row '1' 'expected 2 fields, found 1'
}
@test "a row with too many fields is a bad row" {
	bad_row $'1\t9\tx' 'expected 2 fields, found 3'
}
@test "the line number counts the header and is per file" {
	printf 'score\n1\n2\n' >"$BATS_TEST_TMPDIR/a"
	printf 'score\n3\nzz\n' >"$BATS_TEST_TMPDIR/b"
	run --separate-stderr nps-classify "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-classify: $BATS_TEST_TMPDIR/b:3: score must be an integer 0..10 (\"zz\")" ]
}

@test "--rejects keeps going: rows in = rows out + rows rejected" {
	run --separate-stderr nps-classify --rejects "$BATS_TEST_TMPDIR/rej" "$data/classify-mixed.tsv"
	[ "$status" -eq 0 ]
	[ "$stderr" = "nps-classify: 3 bad rows written to $BATS_TEST_TMPDIR/rej" ]
	[ "$output" = "$(cat "$data/classify-mixed.out")" ]
	[ "$(cat "$BATS_TEST_TMPDIR/rej")" = "$(cat "$data/classify-mixed.rej")" ]
	in=$(($(wc -l <"$data/classify-mixed.tsv") - 1))
	out=$(($(printf '%s\n' "$output" | wc -l) - 1))
	rej=$(($(wc -l <"$BATS_TEST_TMPDIR/rej") - 1))
	[ "$in" -eq 10 ] && [ "$out" -eq 7 ] && [ "$rej" -eq 3 ]
}

@test "-s names the score column" {
	run nps-classify -s likely <<<"$(tsv 'likely id' '8 a')"
	[ "$output" = "$(tsv 'likely id segment nps_points' '8 a passive 0')" ]
	run nps-classify --score=likely <<<"$(tsv 'likely id' '3 a')"
	[ "$output" = "$(tsv 'likely id segment nps_points' '3 a detractor -100')" ]
}

@test "--unique keeps the first response of each respondent" {
	run --separate-stderr nps-classify -u id --rejects "$BATS_TEST_TMPDIR/rej" <<<"$(tsv 'id score' 'a 9' 'b 1' 'a 3' 'b 10' 'c 7')"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv 'id score segment nps_points' 'a 9 promoter 100' 'b 1 detractor -100' 'c 7 passive 0')" ]
	[ "$(cat "$BATS_TEST_TMPDIR/rej")" = "$(printf 'id\tscore\treject_reason\na\t3\tduplicate id ("a")\nb\t10\tduplicate id ("b")')" ]
	[ "$stderr" = "$(printf '%s\n' "nps-classify: 2 duplicates (-u id) written to $BATS_TEST_TMPDIR/rej" \
		"nps-classify: 0 bad rows written to $BATS_TEST_TMPDIR/rej")" ]
}

@test "without --rejects duplicates are removed and counted as duplicates, not bad rows" {
	run --separate-stderr nps-classify --unique id <<<"$(tsv 'id score' 'a 9' 'a 9' 'a 1')"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv 'id score segment nps_points' 'a 9 promoter 100')" ]
	[ "$stderr" = 'nps-classify: 2 duplicates (-u id) removed' ]
	run --separate-stderr nps-classify --unique id <<<"$(tsv 'id score' 'a 9' 'b 9')"
	[ "$stderr" = '' ]
}

@test "-u a,b: the columns together are the key; a row with an empty key is nobody's duplicate" {
	run --separate-stderr nps-classify -u cust,wave --rejects "$BATS_TEST_TMPDIR/rej" <<<"$(printf '%s\n' \
		'cust	wave	score' 'a	1	9' 'a	2	3' 'a	1	0' 'b	1	7' '		5' '		6' 'a	2	10')"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' 'cust	wave	score	segment	nps_points' 'a	1	9	promoter	100' \
		'a	2	3	detractor	-100' 'b	1	7	passive	0' '		5	detractor	-100' '		6	detractor	-100')" ]
	[ "$(cat "$BATS_TEST_TMPDIR/rej")" = "$(printf '%s\n' 'cust	wave	score	reject_reason' \
		'a	1	0	duplicate cust,wave ("a", "1")' 'a	2	10	duplicate cust,wave ("a", "2")')" ]
}

# Lines 2..6; key a at 2026-01-03 (line 2), 2026-01-01 (4), 2026-01-03 (6);
# key b at 2026-01-02T10:00+02:00 = 08:00Z (3), 2026-01-02T09:00Z (5).
# first: a line 2, b line 3. last: a line 6, b line 5. earliest: a line 4,
# b line 3 (08:00Z before 09:00Z although 10:00 is written). latest: a line 6
# (ties with line 2: the later row), b line 5. Output in input order.
keep_input() {
	tsv 'id t score' 'a 2026-01-03 9' 'b 2026-01-02T10:00+02:00 8' 'a 2026-01-01 0' \
		'b 2026-01-02T09:00Z 6' 'a 2026-01-03 10'
}
@test "--keep first|last|earliest|latest choose the row of each key" {
	run --separate-stderr nps-classify -u id --keep first <<<"$(keep_input)"
	[ "$(printf '%s\n' "$output" | cut -f 1,3 | paste -sd' ')" = "$(printf 'id\tscore a\t9 b\t8')" ]
	run --separate-stderr nps-classify -u id --keep last <<<"$(keep_input)"
	[ "$(printf '%s\n' "$output" | cut -f 1,3 | paste -sd' ')" = "$(printf 'id\tscore b\t6 a\t10')" ]
	run --separate-stderr nps-classify -u id --keep earliest -t t <<<"$(keep_input)"
	[ "$(printf '%s\n' "$output" | cut -f 1,3 | paste -sd' ')" = "$(printf 'id\tscore b\t8 a\t0')" ]
	run --separate-stderr nps-classify -u id --keep latest --time t --rejects "$BATS_TEST_TMPDIR/rej" <<<"$(keep_input)"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv 'id t score segment nps_points' 'b 2026-01-02T09:00Z 6 detractor -100' 'a 2026-01-03 10 promoter 100')" ]
	# Each removed row once, in the order it was displaced or refused.
	[ "$(cut -f 1,3 "$BATS_TEST_TMPDIR/rej" | paste -sd' ')" = "$(printf 'id\tscore a\t0 b\t8 a\t9')" ]
	[ "${stderr%%$'\n'*}" = "nps-classify: 3 duplicates (-u id) written to $BATS_TEST_TMPDIR/rej" ]
}

@test "--keep earliest: a row without a valid time is a bad row, not a duplicate" {
	run --separate-stderr nps-classify -u id --keep earliest -t t <<<"$(printf 'id\tt\tscore\na\t2026-01-01\t9\na\t\t3\n')"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-classify: stdin:3: t must be a date YYYY-MM-DD or a timestamp YYYY-MM-DDThh:mm[:ss][Z|+hh:mm] ("")' ]
	run --separate-stderr nps-classify -u id --keep latest -t t --rejects "$BATS_TEST_TMPDIR/rej" <<<"$(printf 'id\tt\tscore\na\t2026-01-01\t9\na\tyesterday\t3\n')"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv 'id t score segment nps_points' 'a 2026-01-01 9 promoter 100')" ]
	[ "$stderr" = "nps-classify: 1 bad row written to $BATS_TEST_TMPDIR/rej" ]
}

@test "-u, --keep and -t usage errors" {
	run --separate-stderr nps-classify -u nope <<<"$(tsv 'id score' 'a 9')"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-classify: no column "nope" in stdin (columns: id, score)' ]
	run --separate-stderr nps-classify -u id,nope <<<"$(tsv 'id score' 'a 9')"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-classify: no column "nope" in stdin (columns: id, score)' ]
	run --separate-stderr nps-classify -u id,id <<<"$(tsv 'id score' 'a 9')"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-classify: -u names id twice' ]
	run --separate-stderr nps-classify --keep last <<<"$(tsv 'id score' 'a 9')"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-classify: --keep needs -u/--unique' ]
	run --separate-stderr nps-classify -u id --keep earliest <<<"$(tsv 'id score' 'a 9')"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-classify: --keep earliest needs -t/--time' ]
	run --separate-stderr nps-classify -u id -t t <<<"$(tsv 'id t score' 'a 2026-01-01 9')"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-classify: -t/--time is for --keep earliest or latest' ]
	run --separate-stderr nps-classify -u id --keep oldest <<<"$(tsv 'id score' 'a 9')"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-classify: --keep must be first, last, earliest or latest ("oldest")' ]
	run --separate-stderr nps-classify -u id --keep latest -t when <<<"$(tsv 'id score' 'a 9')"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-classify: no column "when" in stdin (columns: id, score)' ]
}

# prepbench case 050 (tests/data/prepbench-050.tsv: its 28 responses, the
# names cleaned and the dates read by hand from case_050_input_01.csv;
# response 8's "Monday - 13th Jan" has no year and is left empty). The
# published answer (output_01.csv) keeps each customer's first and latest
# response; England's first impressions: 12 customers, promoters Ross 10
# and Jon 10, detractors Kamilla 2, Alice 6, Bona (Wimbledon) 4, Etienne 6:
# (2 - 4) / 12 = -16.67. Latest: promoters Jon; detractors Juliana 1,
# Ross 0, Kamilla, Alice, Angelos 3, Bona, Etienne: (1 - 7) / 12 = -50.00.
# The file order (--keep first) takes Ross's 0 of 13 Jan before his 10 of
# 7 Jan: (1 - 5) / 12 = -33.33, the wrong answer.
@test "prepbench 050: --keep earliest and latest give the published first and latest NPS" {
	f="$data/prepbench-050.tsv"
	k='-u country,store,name -t completed_at --rejects /dev/null'
	run --separate-stderr bash -c "nps-classify $k --keep earliest '$f' | nps-agg -g country | cut -f 1,2,9"
	[ "$output" = "$(printf '%s\n' 'country	n	nps' 'England	12	-16.67' 'Netherlands	4	25.00' \
		'Scotland	2	-100.00' 'United States	2	0.00')" ]
	run --separate-stderr bash -c "nps-classify $k --keep latest '$f' | nps-agg -g country | cut -f 1,2,9"
	[ "$(printf '%s\n' "$output" | sed -n 2p)" = "$(tsv 'England 12 -50.00')" ]
	run --separate-stderr bash -c "nps-classify -u country,store,name --rejects /dev/null '$f' | nps-agg -g country | cut -f 1,2,9"
	[ "$(printf '%s\n' "$output" | sed -n 2p)" = "$(tsv 'England 12 -33.33')" ]
}

# The published answer's own rows, counted with awk: each customer's
# "First" row, and the "Latest" row where there is one.
@test "prepbench 050: the kept rows are the published answer's" {
	pb="$BATS_TEST_DIRNAME/data/prepbench/case_050_output_01.csv"
	[ -f "$pb" ] || skip "tests/data/prepbench not present"
	f="$data/prepbench-050.tsv"
	# country, store, name, day/month/year hh:mm and score of each published row
	want() { # First or Latest
		awk -F, -v r="$1" 'NR > 1 && ($5 == r || (r == "Latest" && $5 == "First")) { print $1 "\t" $2 "\t" $3 "\t" $6 }' "$pb" |
			awk -F'\t' -v r="$1" '{ k = $1 FS $2 FS $3; v[k] = $0 } END { for (k in v) print v[k] }' | LC_ALL=C sort
	}
	got() {
		nps-classify -u country,store,name --keep "$1" -t completed_at --rejects /dev/null "$f" 2>/dev/null |
			cut -f 2,3,4,6 | tail -n +2 | LC_ALL=C sort
	}
	[ "$(got earliest)" = "$(want First)" ]
	[ "$(got latest)" = "$(want Latest)" ]
}

@test "CRLF line ends and a BOM are accepted and not written" {
	printf '\xef\xbb\xbfid\tscore\r\n1\t9\r\n2\t0\r\n' >"$BATS_TEST_TMPDIR/in"
	run nps-classify "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$(nps-classify "$BATS_TEST_TMPDIR/in" | od -c)" = "$(printf 'id\tscore\tsegment\tnps_points\n1\t9\tpromoter\t100\n2\t0\tdetractor\t-100\n' | od -c)" ]
}

@test "a missing final newline is accepted" {
	[ "$(printf 'score\n9\n10' | nps-classify | od -c)" = "$(printf 'score\tsegment\tnps_points\n9\tpromoter\t100\n10\tpromoter\t100\n' | od -c)" ]
}

@test "empty input gives empty output" {
	run nps-classify </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

@test "a header alone gives the header alone" {
	[ "$(printf 'id\tscore\n' | nps-classify | od -c)" = "$(printf 'id\tscore\tsegment\tnps_points\n' | od -c)" ]
}

@test "several files with the same header are one stream" {
	printf 'id\tscore\n1\t9\n' >"$BATS_TEST_TMPDIR/a"
	printf 'id\tscore\n2\t5\n' >"$BATS_TEST_TMPDIR/b"
	run nps-classify "$BATS_TEST_TMPDIR/a" - "$BATS_TEST_TMPDIR/b" <<<"$(tsv 'id score' '3 8')"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv 'id score segment nps_points' '1 9 promoter 100' '3 8 passive 0' '2 5 detractor -100')" ]
}

@test "files with different headers are an error naming both" {
	printf 'id\tscore\n1\t9\n' >"$BATS_TEST_TMPDIR/a"
	printf 'score\tid\n9\t2\n' >"$BATS_TEST_TMPDIR/b"
	run --separate-stderr nps-classify "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-classify: $BATS_TEST_TMPDIR/b:1: header differs from the header of $BATS_TEST_TMPDIR/a" ]
}

@test "a 10 MB field passes through whole" {
	head -c 10000000 /dev/zero | tr '\0' x >"$BATS_TEST_TMPDIR/big"
	{ printf 'comment\tscore\n'; cat "$BATS_TEST_TMPDIR/big"; printf '\t9\n'; } >"$BATS_TEST_TMPDIR/in"
	nps-classify "$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
	{ printf 'comment\tscore\tsegment\tnps_points\n'; cat "$BATS_TEST_TMPDIR/big"; printf '\t9\tpromoter\t100\n'; } | cmp - "$BATS_TEST_TMPDIR/out"
}

@test "escapes in fields pass through untouched" {
	printf 'note\tscore\na\\tb\\\\c\\nd\\r\t9\n' >"$BATS_TEST_TMPDIR/in"
	nps-classify "$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
	printf 'note\tscore\tsegment\tnps_points\na\\tb\\\\c\\nd\\r\t9\tpromoter\t100\n' | cmp - "$BATS_TEST_TMPDIR/out"
}

@test "an unknown column is a usage error listing the columns" {
	run --separate-stderr nps-classify -s scor <<<"$(tsv 'id score store' '1 9 x')"
	[ "$status" -eq 64 ]
	[ "$stderr" = "$(printf 'nps-classify: no column "scor" in stdin (columns: id, score, store)\nTry '"'"'nps-classify --help'"'"' for more information.')" ]
}

@test "a missing file exits 66" {
	run --separate-stderr nps-classify /nonexistent/x.tsv
	[ "$status" -eq 66 ]
	[ "$stderr" = "nps-classify: cannot open /nonexistent/x.tsv: No such file or directory" ]
}

@test "a directory as input exits 66" {
	run --separate-stderr nps-classify "$BATS_TEST_TMPDIR"
	[ "$status" -eq 66 ]
	[ "$stderr" = "nps-classify: cannot read $BATS_TEST_TMPDIR: Is a directory" ]
}

@test "a failed write is exit 74, never a silent success" {
	run --separate-stderr bash -c "nps-classify '$data/classify-mixed.tsv' --rejects /dev/null >/dev/full"
	[ "$status" -eq 74 ]
	[ "$stderr" = "nps-classify: write error on standard output: No space left on device" ]
}

@test "a rejects file that cannot be written exits 74" {
	run --separate-stderr nps-classify --rejects /dev/full <<<"$(tsv 'score' 'x')"
	[ "$status" -eq 74 ]
	[ "$stderr" = "nps-classify: write error on /dev/full: No space left on device" ]
}

@test "a closed pipe downstream ends the program quietly" {
	seq 1 300000 | awk 'BEGIN { print "score" } { print $1 % 11 }' >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr bash -c "nps-classify '$BATS_TEST_TMPDIR/in' | head -n 1"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv 'score segment nps_points')" ]
	[ "$stderr" = "" ]
}

@test "output is the same under a comma-decimal locale" {
	need locale-de; loc=$(comma_locale)
	[ "$(LC_ALL=$loc nps-classify "$data/classify-mixed.tsv" --rejects /dev/null 2>/dev/null)" = "$(cat "$data/classify-mixed.out")" ]
}

@test "unknown option and --help and --version" {
	run --separate-stderr nps-classify --bogus
	[ "$status" -eq 64 ]
	run nps-classify --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Usage: nps-classify [options] [file ...]" ]
	run nps-classify --version
	[ "$status" -eq 0 ]
	[ "$output" = "nps-classify 0.1.0" ]
}

# q1: 9 -> promoter; q2: empty -> unanswered; q3: 6 -> detractor.
@test "-s q1,q2,q3 classifies each question, appending q_segment q_nps_points in order" {
	run --separate-stderr nps-classify -s q3,q1,q2 <<<"$(printf 'id\tq1\tq2\tq3\na\t9\t\t6\nb\t\t\t\n')"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' \
		'id	q1	q2	q3	q3_segment	q3_nps_points	q1_segment	q1_nps_points	q2_segment	q2_nps_points' \
		'a	9		6	detractor	-100	promoter	100	unanswered	' \
		'b				unanswered		unanswered		unanswered	')" ]
}

@test "several questions: one bad value makes the row bad, naming its column" {
	run --separate-stderr nps-classify -s q1,q2 <<<"$(printf 'id\tq1\tq2\na\t9\t7\nb\t9\t77\n')"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-classify: stdin:3: q2 must be an integer 0..10 ("77")' ]
	# row a, before the bad row, is written
	[ "$output" = "$(printf 'id\tq1\tq2\tq1_segment\tq1_nps_points\tq2_segment\tq2_nps_points\na\t9\t7\tpromoter\t100\tpassive\t0')" ]
}

@test "a question named twice, or a column nps-classify adds already in the input, is a usage error" {
	run --separate-stderr nps-classify -s q1,q2,q1 <<<"$(tsv 'q1 q2' '9 9')"
	[ "$status" -eq 64 ]
	[ "$stderr" = "$(printf '%s\n' 'nps-classify: -s names q1 twice' "Try 'nps-classify --help' for more information.")" ]
	run --separate-stderr nps-classify <<<"$(tsv 'score segment' '9 x')"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-classify: the input has a column segment already: nps-classify adds it' ]
	run --separate-stderr nps-classify -s q1,q2 <<<"$(tsv 'q1 q2 q2_nps_points' '9 9 x')"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-classify: the input has a column q2_nps_points already: nps-classify adds it' ]
	run --separate-stderr nps-classify -s q1,nope <<<"$(tsv 'q1 q2' '9 9')"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-classify: no column "nope" in stdin (columns: q1, q2)' ]
}

@test "--keep latest on a failed write exits 74" {
	run --separate-stderr bash -c "nps-classify -u id --keep latest -t t >/dev/full" <<<"$(tsv 'id t score' 'a 2026-01-01 9')"
	[ "$status" -eq 74 ]
	[ "$stderr" = "nps-classify: write error on standard output: No space left on device" ]
}

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
	[ "$output" = "" ]
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
@test "an empty score is a bad row" {
	bad_row $'1\t' 'score must be an integer 0..10 ("")'
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
	[ "$stderr" = "nps-classify: 4 bad rows written to $BATS_TEST_TMPDIR/rej" ]
	[ "$output" = "$(cat "$data/classify-mixed.out")" ]
	[ "$(cat "$BATS_TEST_TMPDIR/rej")" = "$(cat "$data/classify-mixed.rej")" ]
	in=$(($(wc -l <"$data/classify-mixed.tsv") - 1))
	out=$(($(printf '%s\n' "$output" | wc -l) - 1))
	rej=$(($(wc -l <"$BATS_TEST_TMPDIR/rej") - 1))
	[ "$in" -eq 10 ] && [ "$out" -eq 6 ] && [ "$rej" -eq 4 ]
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
	run --separate-stderr nps-classify --unique id <<<"$(tsv 'id score' 'a 9' 'a 9')"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-classify: stdin:3: duplicate id ("a")' ]
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

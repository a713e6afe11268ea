#!/usr/bin/env bats
# nps-import: CSV as the survey tools write it, encodings, names, dates,
# missing values, bad records. Expected outputs are written by hand from
# the inputs (or computed by tests/tz-ref.py / iconv / Miller, named where
# used), never pasted from the program.
load helper

put() { printf "$@" >"$BATS_TEST_TMPDIR/in.csv"; }
imp() { run --separate-stderr nps-import "$@"; }

# ---- CSV ----

@test "quoted separators, doubled quotes and line breaks inside quotes" {
	put 'name,comment,score\n"Schmeler, Schimmel and Collier","said ""fine""",9\n"Ann","two\nlines",7\n'
	imp "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'name\tcomment\tscore\nSchmeler, Schimmel and Collier\tsaid "fine"\t9\nAnn\ttwo\\nlines\t7')" ]
}

@test "CRLF and LF line ends give the same output, with LF" {
	put 'a,b\r\n1,2\r\n3,4\r\n'
	imp "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\tb\n1\t2\n3\t4')" ]
	nps-import "$BATS_TEST_TMPDIR/in.csv" | od -c | grep -qv '\\r'
}

@test "a CR alone ends a line too (old Mac exports); inside quotes it is data" {
	put 'a,b\r1,"x\ry"\r'
	imp "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\tb\n1\tx\\ry')" ]
}

@test "TAB, newline, CR and backslash inside fields are written as escapes" {
	put 'a,b\n"t\tab","n\nl"\n"c\r\nr","back\\\\slash"\nun\tquoted,x\\y\n'
	imp "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\tb\nt\\tab\tn\\nl\nc\\r\\nr\tback\\\\\\\\slash\nun\\tquoted\tx\\\\y')" ]
}

@test "a quote inside an unquoted field is kept as written" {
	put 'size,n\n12" pizza,3\n'
	imp "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'size\tn\n12" pizza\t3')" ]
}

@test "empty fields, quoted empty fields, a missing final newline" {
	put 'a,b,c\n,"",\n1,2,3'
	imp "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\tb\tc\n\t\t\n1\t2\t3')" ]
}

@test "empty lines are skipped; other lines are counted as physical lines" {
	put 'a,b\n\n1,2\r\n\r\n"x\ny",3,4\n'
	imp "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-import: $BATS_TEST_TMPDIR/in.csv:5: expected 2 fields, found 3" ]
}

@test "empty input gives empty output; a header alone gives the header" {
	imp </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	run --separate-stderr nps-import <<<'a,b'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\tb')" ]
}

# ---- the separator ----

@test "the separator is detected from the header: semicolon (Excel, comma-decimal locales)" {
	put 'store;score;amount\r\n"A;1";9;12,5\r\n'
	imp "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'store\tscore\tamount\nA;1\t9\t12,5')" ]
}

@test "the separator is detected from the header: TAB and pipe" {
	put 'a\tb\n"x\ty"\t2\n'
	imp "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\tb\nx\\ty\t2')" ]
	put 'a|b|c,d\n1|2|3,4\n'
	imp "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\tb\tc,d\n1\t2\t3,4')" ]
}

@test "separators inside quoted header names do not count" {
	put '"a;b;c",d\n1,2\n'
	imp "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a;b;c\td\n1\t2')" ]
}

@test "-F gives the separator (as awk's -F); tab may be written tab or \\t" {
	put 'a;b,c\n1;2,3\n'
	imp -F ';' "$BATS_TEST_TMPDIR/in.csv"
	[ "$output" = "$(printf 'a\tb,c\n1\t2,3')" ]
	imp --separator , "$BATS_TEST_TMPDIR/in.csv"
	[ "$output" = "$(printf 'a;b\tc\n1;2\t3')" ]
	put 'a,b\tc\n'
	imp -F tab "$BATS_TEST_TMPDIR/in.csv"
	[ "$output" = "$(printf 'a,b\tc')" ]
	imp -F '\t' "$BATS_TEST_TMPDIR/in.csv"
	[ "$output" = "$(printf 'a,b\tc')" ]
}

@test "-F with more than one character, or a quote, is a usage error" {
	imp -F ';;' </dev/null
	[ "$status" -eq 64 ]
	[[ "$stderr" == "nps-import: -F ;;: the separator must be one character"* ]]
	imp -F '"' </dev/null
	[ "$status" -eq 64 ]
}

# ---- encodings ----

@test "a UTF-8 byte-order mark is dropped" {
	put '\xef\xbb\xbfscore,caf\xc3\xa9\n9,\xc3\xa9t\xc3\xa9\n'
	imp "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'score\tcafé\n9\tété')" ]
}

@test "UTF-16 LE and BE with a byte-order mark (Excel's Unicode text)" {
	# "a\tb\r\n1\té\r\n" by hand, one code unit each
	put '\xff\xfea\x00\t\x00b\x00\r\x00\n\x001\x00\t\x00\xe9\x00\r\x00\n\x00'
	imp "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\tb\n1\té')" ]
	put '\xfe\xff\x00a\x00,\x00b\x00\n\x001\x00,\xd8\x3d\xde\x00\x00\n'
	imp "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\tb\n1\t\xf0\x9f\x98\x80')" ] # U+1F600 from its surrogate pair
}

@test "--encoding latin1 and cp1252" {
	put 'store,comment\nK\xf6ln,\x80 5 \x96 tr\xe8s bien\n'
	imp --encoding latin1 "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'store\tcomment\nKöln\t\xc2\x80 5 \xc2\x96 très bien')" ]
	imp --encoding cp1252 "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'store\tcomment\nKöln\t€ 5 – très bien')" ]
}

@test "other encodings through iconv (ISO-8859-15, Shift_JIS)" {
	put 'a,b\n\xa4,x\n'
	imp --encoding ISO-8859-15 "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\tb\n€\tx')" ]
	printf 'q,reason\n1,価格\n' | iconv -f UTF-8 -t SHIFT_JIS >"$BATS_TEST_TMPDIR/sj.csv"
	imp --encoding SHIFT_JIS "$BATS_TEST_TMPDIR/sj.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'q\treason\n1\t価格')" ]
}

@test "an unknown encoding is a usage error" {
	imp --encoding no-such-encoding </dev/null
	[ "$status" -eq 64 ]
	[[ "$stderr" == "nps-import: --encoding no-such-encoding: unknown encoding"* ]]
}

@test "invalid UTF-8 is a bad row, named by column, with a hint" {
	put 'id,comment\n1,ok\n2,K\xf6ln\n'
	imp "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-import: $BATS_TEST_TMPDIR/in.csv:3: comment is not valid UTF-8 (\"K\\xF6ln\"); try --encoding latin1 or cp1252" ]
}

@test "bytes cp1252 leaves undefined, and a lone UTF-16 surrogate, are bad rows" {
	put 'id,c\n1,a\x81b\n2,ok\n'
	imp --encoding cp1252 --rejects "$BATS_TEST_TMPDIR/rej" "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'id\tc\n2\tok')" ]
	[ "$(cat "$BATS_TEST_TMPDIR/rej")" = "$(printf 'file\tline\trecord\treject_reason\n%s\t2\t1,a\xef\xbf\xbdb\tc has bytes not valid in cp1252 ("a\\\\xFFb")' "$BATS_TEST_TMPDIR/in.csv")" ]
	put '\xff\xfea\x00\n\x00\x00\xd8\n\x00'
	imp "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 65 ]
	[[ "$stderr" == "nps-import: $BATS_TEST_TMPDIR/in.csv:2: a has bytes not valid in UTF-16LE"* ]]
}

# ---- names ----

@test "-r renames: an exact name, a PREFIX*, a /REGEX/ with its groups" {
	put 'id,How likely are you to recommend us to a friend?,Q2 store name,Q3 region name\n1,9,S1,north\n'
	imp -r id=response_id -r 'How likely*=score' -r '/^Q[0-9]+ (.*) name$/=\1' "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'response_id\tscore\tstore\tregion\n1\t9\tS1\tnorth')" ]
}

@test "a rename that matches no column, or names two columns alike, is a usage error" {
	put 'a,b\n1,2\n'
	imp -r zz=y "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = "nps-import: -r zz=y: no column matches (columns: a, b)" ]
	imp -r 'a=b' "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-import: -r: two columns would be named "b"' ]
	imp -r '/(/=x' "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 64 ]
	imp -r 'noequals' "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 64 ]
}

@test "--keep writes the columns listed, in that order; --drop all but those" {
	put 'a,b,c,d\n1,2,3,4\n'
	imp --keep d,b "$BATS_TEST_TMPDIR/in.csv"
	[ "$output" = "$(printf 'd\tb\n4\t2')" ]
	imp --drop b,c "$BATS_TEST_TMPDIR/in.csv"
	[ "$output" = "$(printf 'a\td\n1\t4')" ]
	imp -r a=x --keep x "$BATS_TEST_TMPDIR/in.csv"
	[ "$output" = "$(printf 'x\n1')" ]
}

@test "--keep of an unknown column, --keep with --drop, dropping all: usage errors" {
	put 'a,b\n1,2\n'
	imp --keep a,zz "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = "nps-import: no column \"zz\" in $BATS_TEST_TMPDIR/in.csv (columns: a, b)" ]
	imp --keep a --drop b "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 64 ]
	imp --drop a,b "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 64 ]
}

# ---- dates ----

@test "--date rewrites day-first, month-first and named-month dates as ISO 8601" {
	put 'a,b,c\n13/01/2020 08:21:00,5/20/2019,7 Dec 2019\n01/02/2020 23:59:59,12/31/2019,20 jan 2020\n'
	imp --date 'a=%d/%m/%Y %H:%M:%S' --date 'b=%m/%d/%Y' --date 'c=%d %b %Y' "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\tb\tc\n2020-01-13T08:21:00\t2019-05-20\t2019-12-07\n2020-02-01T23:59:59\t2019-12-31\t2020-01-20')" ]
}

@test "--date: 12-hour clocks, fractions, offsets, two-digit years, 24:00" {
	put 'a,b,c,d\n11/1/2019 2:30:36 PM,2019-11-01 08:51:12.402,2026-06-01T10:00:00+0530,31/12/99 24:00\n11/2/2019 12:05:00 am,2019-11-01 08:51:12.5,2026-06-01T10:00:00Z,01/01/68 00:00\n'
	imp --date 'a=%m/%d/%Y %I:%M:%S %p' --date 'b=%Y-%m-%d %H:%M:%S.%f' --date 'c=%Y-%m-%dT%H:%M:%S%z' --date 'd=%d/%m/%y %H:%M' "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\tb\tc\td\n2019-11-01T14:30:36\t2019-11-01T08:51:12.402\t2026-06-01T10:00:00+05:30\t2000-01-01T00:00:00\n2019-11-02T00:05:00\t2019-11-01T08:51:12.5\t2026-06-01T10:00:00+00:00\t2068-01-01T00:00:00')" ]
}

@test "--date given twice for a column: the formats are tried in order" {
	put 'd\n2020/01/19\n15/1/2020\n2020-01-12\n'
	imp --date 'd=%Y/%m/%d' --date 'd=%d/%m/%Y' --date 'd=%Y-%m-%d' "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'd\n2020-01-19\n2020-01-15\n2020-01-12')" ]
}

@test "a date that does not match, or does not exist, is a bad row; an empty one stays empty" {
	put 'id,d\n1,\n2,NA\n3,30/02/2020\n4,Monday - 13th Jan\n5,01/02/2020\n'
	imp --date 'd=%d/%m/%Y' --rejects "$BATS_TEST_TMPDIR/rej" "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'id\td\n1\t\n2\t\n5\t2020-02-01')" ]
	[ "$(cat "$BATS_TEST_TMPDIR/rej")" = "$(printf 'file\tline\trecord\treject_reason\n%s\t4\t3,30/02/2020\td is not a date of the form %%d/%%m/%%Y ("30/02/2020")\n%s\t5\t4,Monday - 13th Jan\td is not a date of the form %%d/%%m/%%Y ("Monday - 13th Jan")' "$BATS_TEST_TMPDIR/in.csv" "$BATS_TEST_TMPDIR/in.csv")" ]
	[ "$stderr" = "nps-import: 2 bad rows written to $BATS_TEST_TMPDIR/rej" ]
}

@test "--date with an unknown directive or without a day, or an unknown column: usage errors" {
	put 'd\n1\n'
	imp --date 'd=%Y-%m-%Q' "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = "nps-import: --date d=%Y-%m-%Q: unknown directive %Q (see nps-import(1))" ]
	imp --date 'd=%Y-%m' "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 64 ]
	imp --date 'x=%Y-%m-%d' "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = "nps-import: --date: no column \"x\" in $BATS_TEST_TMPDIR/in.csv (columns: d)" ]
}

@test "--tz: summer and winter offsets, the spring gap a bad row, the autumn repeat the earlier instant" {
	need tzdata
	# Europe/Paris: +01:00 in winter, +02:00 in summer; 2026-03-29 02:00
	# jumps to 03:00, 2026-10-25 03:00 falls back to 02:00 (tz database)
	put 'id,t\n1,2026-01-15 12:00\n2,2026-07-15 12:00\n3,2026-03-29 01:59\n4,2026-03-29 02:30\n5,2026-03-29 03:00\n6,2026-10-25 01:59\n7,2026-10-25 02:30\n8,2026-10-25 03:00\n'
	imp --date 't=%Y-%m-%d %H:%M' --tz Europe/Paris --rejects "$BATS_TEST_TMPDIR/rej" "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'id\tt\n1\t2026-01-15T12:00:00+01:00\n2\t2026-07-15T12:00:00+02:00\n3\t2026-03-29T01:59:00+01:00\n5\t2026-03-29T03:00:00+02:00\n6\t2026-10-25T01:59:00+02:00\n7\t2026-10-25T02:30:00+02:00\n8\t2026-10-25T03:00:00+01:00')" ]
	[ "$(cat "$BATS_TEST_TMPDIR/rej")" = "$(printf 'file\tline\trecord\treject_reason\n%s\t5\t4,2026-03-29 02:30\tlocal time does not exist in Europe/Paris ("2026-03-29 02:30")' "$BATS_TEST_TMPDIR/in.csv")" ]
}

@test "--tz leaves dates without a time, and times with an offset, as they are" {
	need tzdata
	put 'a,b\n2026-07-01,2026-07-01 10:00 +0000\n'
	imp --date 'a=%Y-%m-%d' --date 'b=%Y-%m-%d %H:%M %z' --tz America/New_York "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\tb\n2026-07-01\t2026-07-01T10:00:00+00:00')" ]
}

@test "--tz around every change of offset agrees with Python's zoneinfo (tests/tz-ref.py)" {
	need python3
	need tzdata
	local t=$BATS_TEST_TMPDIR zy
	# Lord Howe moves by 30 minutes; Sao Paulo (2018) changed at midnight
	for zy in Europe/Paris:2026 America/New_York:2026 Australia/Lord_Howe:2026 America/Sao_Paulo:2018; do
		python3 "$BATS_TEST_DIRNAME/tz-ref.py" "${zy%:*}" "${zy#*:}" "$t/local.csv" "$t/ref.tsv" "$t/ref.gaps"
		nps-import --date 't=%Y-%m-%d %H:%M' --tz "${zy%:*}" --rejects "$t/rej" "$t/local.csv" >"$t/got.tsv" 2>/dev/null
		cmp "$t/ref.tsv" "$t/got.tsv"
		sed 1d "$t/rej" | cut -f 3 | cut -d , -f 1 | cmp "$t/ref.gaps" -
		[ -s "$t/ref.gaps" ]
	done
}

@test "--tz with a zone the tz database does not have is a usage error" {
	imp --tz Mars/Olympus_Mons </dev/null
	[ "$status" -eq 64 ]
	[[ "$stderr" == "nps-import: --tz Mars/Olympus_Mons: no such time zone"* ]]
	imp --tz ../../etc/passwd </dev/null
	[ "$status" -eq 64 ]
}

# ---- missing values ----

@test "empty, NA, N/A, NULL and #N/A become empty fields; other text stays" {
	put 'a,b,c,d,e,f\nNA,N/A,NULL,#N/A,"NA",na\n'
	imp "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\tb\tc\td\te\tf\n\t\t\t\t\tna')" ]
}

@test "--na sets the list; --na '' keeps every value" {
	put 'a,b,c\nNA,-,n/a\n'
	imp --na '-,n/a' "$BATS_TEST_TMPDIR/in.csv"
	[ "$output" = "$(printf 'a\tb\tc\nNA\t\t')" ]
	imp --na '' "$BATS_TEST_TMPDIR/in.csv"
	[ "$output" = "$(printf 'a\tb\tc\nNA\t-\tn/a')" ]
}

@test "R's write.csv: the \"\" row-name column and NA" {
	put '"","id","nps"\n"1",101,9\n"2",102,NA\n'
	imp "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '\tid\tnps\n1\t101\t9\n2\t102\t')" ]
	imp --drop '' "$BATS_TEST_TMPDIR/in.csv"
	[ "$output" = "$(printf 'id\tnps\n101\t9\n102\t')" ]
}

# ---- bad records ----

@test "a row of the wrong width stops with the physical line where the record starts" {
	put 'a,b\n"x\ny\nz",1\n"p\nq",2,3\n'
	imp "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-import: $BATS_TEST_TMPDIR/in.csv:5: expected 2 fields, found 3" ]
	[ "$output" = "" ]
}

@test "an unterminated quote at the end of the file is a bad record, never a merge" {
	put 'a,b\n1,2\n3,"never closed\n4,5\n'
	imp "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-import: $BATS_TEST_TMPDIR/in.csv:3: quoted field not closed before the end of the file" ]
	imp --rejects "$BATS_TEST_TMPDIR/rej" "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\tb\n1\t2')" ]
	[ "$(cat "$BATS_TEST_TMPDIR/rej")" = "$(printf 'file\tline\trecord\treject_reason\n%s\t3\t3,"never closed\\n4,5\\n\tquoted field not closed before the end of the file' "$BATS_TEST_TMPDIR/in.csv")" ]
}

@test "text after a closing quote is a bad record" {
	put 'a,b\n"x"y,1\n2,3\n'
	imp --rejects "$BATS_TEST_TMPDIR/rej" "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\tb\n2\t3')" ]
	[ "$(sed 1d "$BATS_TEST_TMPDIR/rej")" = "$(printf '%s\t2\t"x"y,1\ttext after a closing quote (""x"y,1")' "$BATS_TEST_TMPDIR/in.csv")" ]
}

@test "--rejects: rows in = rows out + rows rejected, the raw record kept with its escapes" {
	put 'id,score,when\n1,9,01/02/2020\n2,"a\tb",x\n3,7\n"4\nfour",10,02/02/2020\n5,"x",03/02/2020,9\n'
	imp --date 'when=%d/%m/%Y' --rejects "$BATS_TEST_TMPDIR/rej" "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'id\tscore\twhen\n1\t9\t2020-02-01\n4\\nfour\t10\t2020-02-02')" ]
	[ "$(cat "$BATS_TEST_TMPDIR/rej")" = "$(printf 'file\tline\trecord\treject_reason\n%s\t3\t2,"a\\tb",x\twhen is not a date of the form %%d/%%m/%%Y ("x")\n%s\t4\t3,7\texpected 3 fields, found 2\n%s\t7\t5,"x",03/02/2020,9\texpected 3 fields, found 4' "$BATS_TEST_TMPDIR/in.csv" "$BATS_TEST_TMPDIR/in.csv" "$BATS_TEST_TMPDIR/in.csv")" ]
	[ "$stderr" = "nps-import: 3 bad rows written to $BATS_TEST_TMPDIR/rej" ]
	# 5 records in = 2 out + 3 rejected
	[ $(( $(printf '%s\n' "$output" | wc -l) - 1 + $(wc -l <"$BATS_TEST_TMPDIR/rej") - 1 )) -eq 5 ]
}

@test "several files: one header, identical headers required, line numbers per file" {
	printf 'a,b\n1,2\n' >"$BATS_TEST_TMPDIR/x.csv"
	printf '\xef\xbb\xbfa,b\r\n3,4\r\n5\r\n' >"$BATS_TEST_TMPDIR/y.csv"
	printf 'a,c\n1,2\n' >"$BATS_TEST_TMPDIR/z.csv"
	imp --rejects "$BATS_TEST_TMPDIR/rej" "$BATS_TEST_TMPDIR/x.csv" "$BATS_TEST_TMPDIR/y.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\tb\n1\t2\n3\t4')" ]
	[ "$(sed 1d "$BATS_TEST_TMPDIR/rej")" = "$(printf '%s\t3\t5\texpected 2 fields, found 1' "$BATS_TEST_TMPDIR/y.csv")" ]
	imp "$BATS_TEST_TMPDIR/x.csv" "$BATS_TEST_TMPDIR/z.csv"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-import: $BATS_TEST_TMPDIR/z.csv:1: header differs from the header of $BATS_TEST_TMPDIR/x.csv" ]
}

@test "exit codes: a missing file 66, an unknown option 64, a failed write 74" {
	imp "$BATS_TEST_TMPDIR/none.csv"
	[ "$status" -eq 66 ]
	[[ "$stderr" == "nps-import: cannot open $BATS_TEST_TMPDIR/none.csv: "* ]]
	imp --bogus
	[ "$status" -eq 64 ]
	put 'a\n1\n'
	run nps-import "$BATS_TEST_TMPDIR/in.csv" --rejects /dev/full
	[ "$status" -eq 74 ]
	run sh -c 'nps-import "$1" > /dev/full' sh "$BATS_TEST_TMPDIR/in.csv"
	[ "$status" -eq 74 ]
	imp -h
	[ "$status" -eq 0 ]
	[[ "$output" == "Usage: nps-import"* ]]
	imp --version
	[ "$status" -eq 0 ]
}

@test "a closed pipe downstream ends quietly" {
	awk 'BEGIN { print "a,b"; for (i = 0; i < 200000; i++) print i ",x" }' >"$BATS_TEST_TMPDIR/big.csv"
	run bash -c 'set -o pipefail; nps-import "$1" | head -n 1' bash "$BATS_TEST_TMPDIR/big.csv"
	[ "$output" = "$(printf 'a\tb')" ]
	[ "$status" -eq 141 ]
}

@test "a record longer than the read block, and one across block ends, come out whole" {
	awk 'BEGIN { printf "a,b\n\""; for (i = 0; i < 300000; i++) printf "xy\"\"z,"; printf "\",1\n"; for (i = 0; i < 100000; i++) printf "\"%07d\",\"q\"\"\"\n", i }' >"$BATS_TEST_TMPDIR/long.csv"
	run --separate-stderr nps-import "$BATS_TEST_TMPDIR/long.csv"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | sed -n 2p)" = "$(awk 'BEGIN { for (i = 0; i < 300000; i++) printf "xy\"z,"; printf "\t1\n" }')" ]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 100002 ]
	[ "$(printf '%s\n' "$output" | tail -n 1)" = "$(printf '0099999\tq"')" ]
}

# ---- round trips: TSV -> CSV (Miller) -> nps-import gives the same bytes ----

roundtrip_tsv() { # every special character, quotes, separators, non-ASCII
	printf 'id\tcomment\tscore\twhen\n'
	printf '1\ttab\\there\t9\t2026-03-29T01:59:00+01:00\n'
	printf '2\tnew\\nline and cr\\r\\n\t10\t2026-03-29T03:00:00+02:00\n'
	printf '3\tback\\\\slash, comma; semi | pipe\t0\t2026-10-25T02:30:00+02:00\n'
	printf '4\t"quoted" and ""doubled""\t7\t2026-10-25T02:30:00+01:00\n'
	printf '5\tKöln € – 価格 😀\t\t2026-10-25T03:00:00+01:00\n'
	printf '6\t\t5\t\n'
}

@test "round trip through Miller's CSV: the same bytes" {
	need mlr
	roundtrip_tsv >"$BATS_TEST_TMPDIR/rt.tsv"
	mlr --itsv --ocsv cat "$BATS_TEST_TMPDIR/rt.tsv" >"$BATS_TEST_TMPDIR/rt.csv"
	nps-import "$BATS_TEST_TMPDIR/rt.csv" >"$BATS_TEST_TMPDIR/back.tsv"
	cmp "$BATS_TEST_TMPDIR/rt.tsv" "$BATS_TEST_TMPDIR/back.tsv"
	# every field quoted, CRLF, semicolons
	mlr --itsv --ocsv --quote-all --ofs ';' --ors crlf cat "$BATS_TEST_TMPDIR/rt.tsv" >"$BATS_TEST_TMPDIR/rt2.csv"
	nps-import "$BATS_TEST_TMPDIR/rt2.csv" >"$BATS_TEST_TMPDIR/back2.tsv"
	cmp "$BATS_TEST_TMPDIR/rt.tsv" "$BATS_TEST_TMPDIR/back2.tsv"
}

@test "round trip through Miller's CSV in every encoding (iconv), with a BOM where one is needed" {
	need mlr
	roundtrip_tsv | grep -v '価格' >"$BATS_TEST_TMPDIR/rt.tsv" # Latin-1 cannot hold it
	mlr --itsv --ocsv cat "$BATS_TEST_TMPDIR/rt.tsv" >"$BATS_TEST_TMPDIR/rt.csv"
	for enc in ISO-8859-1:latin1 CP1252:cp1252 ISO-8859-15:ISO-8859-15 UTF-16LE:bom UTF-16BE:bom UTF-8:bom UTF-16LE:utf-16le; do
		to=${enc%%:*} how=${enc#*:}
		if [ "$how" = bom ]; then
			{ printf '\xef\xbb\xbf' | iconv -f UTF-8 -t "$to"; iconv -f UTF-8 -t "$to" "$BATS_TEST_TMPDIR/rt.csv"; } >"$BATS_TEST_TMPDIR/e.csv"
			nps-import "$BATS_TEST_TMPDIR/e.csv" >"$BATS_TEST_TMPDIR/back.tsv"
		else
			iconv -f UTF-8 -t "$to" "$BATS_TEST_TMPDIR/rt.csv" >"$BATS_TEST_TMPDIR/e.csv"
			nps-import --encoding "$how" "$BATS_TEST_TMPDIR/e.csv" >"$BATS_TEST_TMPDIR/back.tsv"
		fi
		cmp "$BATS_TEST_TMPDIR/rt.tsv" "$BATS_TEST_TMPDIR/back.tsv" || { echo "differs: $enc"; false; }
	done
}

@test "round trip of DST edges: ISO times -> local times in CSV -> --tz gives them back" {
	need tzdata
	need mlr
	roundtrip_tsv | cut -f 1,4 >"$BATS_TEST_TMPDIR/rt.tsv"
	# the export a survey tool writes: local wall-clock time, day first, no offset
	mlr --itsv --ocsv put 'if ($when != "") { $when = sub($when, "^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9:]{5}):00.*", "\3/\2/\1 \4") }' \
		"$BATS_TEST_TMPDIR/rt.tsv" >"$BATS_TEST_TMPDIR/rt.csv"
	nps-import --date 'when=%d/%m/%Y %H:%M' --tz Europe/Paris --rejects "$BATS_TEST_TMPDIR/rej" "$BATS_TEST_TMPDIR/rt.csv" >"$BATS_TEST_TMPDIR/back.tsv"
	# the one ambiguous time written in winter time (row 4) comes back as
	# the earlier instant, summer time: the documented choice
	sed '5s/+01:00$/+02:00/' "$BATS_TEST_TMPDIR/rt.tsv" | cmp - "$BATS_TEST_TMPDIR/back.tsv"
}

@test "the bundled sample exported as a survey tool would (examples/export-csv) reads back into the same bytes" {
	"$BATS_TEST_DIRNAME/../examples/export-csv" "$BATS_TEST_DIRNAME/../examples/sample.tsv" >"$BATS_TEST_TMPDIR/export.csv"
	head -c 3 "$BATS_TEST_TMPDIR/export.csv" | od -An -tx1 | grep -q 'ef bb bf'
	nps-import -r 'How likely are you*=score' "$BATS_TEST_TMPDIR/export.csv" | cmp - "$BATS_TEST_DIRNAME/../examples/sample.tsv"
}

@test "two lanes (a second core) and one (NPSKIT_THREADS=1) write the same bytes, rejects and lines too" {
	# 4000 records over 300 KB: blocks are split between two lanes, often
	# inside a quoted field of three lines (then the second lane's work is
	# dropped and redone); every 97th record has a bad date, every 89th
	# a missing field
	awk 'BEGIN { print "id,comment,when"
		for (i = 1; i <= 4000; i++) {
			d = i % 97 == 0 ? "31/02/2020" : sprintf("%02d/%02d/2020 10:%02d", i % 28 + 1, i % 12 + 1, i % 60)
			if (i % 89 == 0) printf "%d,\"only two\"\n", i
			else printf "%d,\"line one, of %d\nline \"\"two\"\"\r\nthree\",%s\n", i, i, d
		} }' >"$BATS_TEST_TMPDIR/big.csv"
	local args=(--date 'when=%d/%m/%Y %H:%M' --tz Europe/Paris "$BATS_TEST_TMPDIR/big.csv")
	NPSKIT_THREADS=1 nps-import --rejects "$BATS_TEST_TMPDIR/rej1" "${args[@]}" >"$BATS_TEST_TMPDIR/out1" 2>/dev/null
	nps-import --rejects "$BATS_TEST_TMPDIR/rej2" "${args[@]}" >"$BATS_TEST_TMPDIR/out2" 2>/dev/null
	cmp "$BATS_TEST_TMPDIR/out1" "$BATS_TEST_TMPDIR/out2"
	cmp "$BATS_TEST_TMPDIR/rej1" "$BATS_TEST_TMPDIR/rej2"
	# records in = rows out + rejected, the bad ones counted by awk
	bad=$(awk 'BEGIN { for (i = 1; i <= 4000; i++) if (i % 89 == 0 || i % 97 == 0) n++; print n }')
	[ "$(($(wc -l <"$BATS_TEST_TMPDIR/out1") - 1))" -eq $((4000 - bad)) ]
	[ "$(($(wc -l <"$BATS_TEST_TMPDIR/rej1") - 1))" -eq "$bad" ]
	# record i starts on physical line 2 + 3 * (i - 1), less 2 for each
	# short (one-line) record before it; the first bad one is record 89
	awk -F '\t' 'NR > 1 { split($3, f, ","); i = f[1]; short = int((i - 1) / 89)
		if ($2 != 2 + 3 * (i - 1) - 2 * short) { print "record " i " at line " $2; exit 1 } }' "$BATS_TEST_TMPDIR/rej1"
	NPSKIT_THREADS=1 run --separate-stderr nps-import "${args[@]}"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-import: $BATS_TEST_TMPDIR/big.csv:266: expected 3 fields, found 2" ]
	run --separate-stderr nps-import "${args[@]}"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-import: $BATS_TEST_TMPDIR/big.csv:266: expected 3 fields, found 2" ]
}

@test "nps-import(1)'s examples: a Google Forms export (case 040) by month; an Excel export in cp1252 with semicolons" {
	need tzdata
	run --separate-stderr bash -c 'nps-import -r "On a scale of 0-10, how would you rate Sudzilla*=score" --tz Europe/Paris \
		--date "Timestamp=%m/%d/%Y %H:%M:%S" "$1" | nps-classify | nps-agg -t Timestamp -p month' \
		bash "$BATS_TEST_DIRNAME/data/prepbench/case_040_input_01.csv"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | cut -f 1-5)" = "$(printf 'period\tn\tpromoters\tpassives\tdetractors\n2019-11\t39\t8\t9\t22')" ]
	# "Köln" and "€" in cp1252; a day-first date written two ways
	printf 'id;Datum;Q1 Wie wahrscheinlich (0-10);Kommentar\r\n1;03.11.2026 14:05;9;K\xf6ln\r\n2;04.11.2026;6;zu teuer \x80\r\n' >"$BATS_TEST_TMPDIR/export.csv"
	run --separate-stderr nps-import --encoding cp1252 -r '/^Q1[^a-z]/=score' \
		--date 'Datum=%d.%m.%Y %H:%M' --date 'Datum=%d.%m.%Y' \
		--keep id,Datum,score "$BATS_TEST_TMPDIR/export.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'id\tDatum\tscore\n1\t2026-11-03T14:05:00\t9\n2\t2026-11-04\t6')" ]
}

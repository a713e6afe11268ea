#!/usr/bin/env bats
# Input without a header line (a byte range of a file, as Hadoop or Spark
# hand it to a mapper): --columns a,b,c or --header-from FILE give the
# header, with the same meaning in every program that reads responses.
load helper

setup() {
	d=$BATS_TEST_TMPDIR
	sample="$BATS_TEST_DIRNAME/../examples/sample.tsv"
	head -n 1 "$sample" >"$d/header.tsv"
	tail -n +2 "$sample" >"$d/body"
	columns=$(head -n 1 "$sample" | tr '\t' ',')
}

# same PROG ARGS...: the program on the body with each option gives the
# bytes it gives on the whole file (examples/sample.tsv, or $file).
same() {
	local f=${file:-$sample}
	head -n 1 "$f" >"$d/h.tsv"
	tail -n +2 "$f" >"$d/b.tsv"
	"$@" "$f" >"$d/want"
	"$@" --columns "$(tr '\t' ',' <"$d/h.tsv")" "$d/b.tsv" >"$d/got1"
	"$@" --header-from "$d/h.tsv" <"$d/b.tsv" >"$d/got2"
	cmp "$d/want" "$d/got1"
	cmp "$d/want" "$d/got2"
	[ "$(wc -l <"$d/want")" -gt 1 ]
}

@test "nps-classify: --columns and --header-from give the bytes of the file with its header" {
	same nps-classify
}

@test "nps-agg: --columns and --header-from, plain, dated, weighted and rolled up" {
	same nps-agg -g region,store
	same nps-agg -g region,store -t responded_at -p month
	same nps-agg -g region -w customer_value
	same nps-agg -g region,channel -t responded_at -p quarter --rollup
}

@test "nps-route: --columns and --header-from" {
	same nps-route -v customer_value
}

@test "nps-audit, nps-themes and nps-drivers: --columns and --header-from" {
	same nps-audit -g store -t responded_at -p month --min-n 5
	same nps-audit -g region -t responded_at --sample 20
	same nps-themes --themes "$BATS_TEST_DIRNAME/../examples/themes.tsv"
	same nps-themes --suggest 10
	file="$data/drivers-basic.tsv" same nps-drivers -g store -d price,staff,speed --bootstrap 20
	file="$data/drivers-basic.tsv" same nps-drivers -d price,staff,speed -w weight --partial
}

@test "a line equal to the given header is skipped (the split that starts the file holds it)" {
	run nps-classify --header-from "$d/header.tsv" "$sample"
	[ "$status" -eq 0 ]
	[ "$output" = "$(nps-classify "$sample")" ]
	printf '\xef\xbb\xbf' | cat - "$sample" >"$d/bom"
	run nps-agg -g region --columns "$columns" "$d/bom"
	[ "$output" = "$(nps-agg -g region "$sample")" ]
}

@test "the given header names the columns: a missing one is 64, a short row 65, like a read header" {
	tsv 'a 9' 'b 3' >"$d/in"
	run --separate-stderr nps-classify --columns id,rating "$d/in"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-classify: no column "score" in --columns (columns: id, rating)' ]
	run --separate-stderr nps-classify --columns id,score,extra "$d/in"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-classify: $d/in:1: expected 3 fields, found 2" ]
	# line numbers count the lines of the input: there is no header line
	tsv 'a 9' 'b 11' >"$d/in"
	run --separate-stderr nps-classify --columns id,score "$d/in"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-classify: $d/in:2: score must be an integer 0..10 (\"11\")" ]
	# empty input: the header alone, as for a file holding only its header
	run nps-classify --columns id,score </dev/null
	[ "$output" = "$(tsv 'id score segment nps_points')" ]
}

@test "--columns with --header-from, an empty --columns, a missing or empty header file" {
	run --separate-stderr nps-agg -g a --columns a,score --header-from "$d/header.tsv" </dev/null
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = "nps-agg: --columns and --header-from both give the header: give one" ]
	run --separate-stderr nps-classify --columns '' </dev/null
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = "nps-classify: --columns needs the names of the columns, as a,b,c" ]
	run --separate-stderr nps-route --header-from "$d/none" </dev/null
	[ "$status" -eq 66 ]
	[ "$stderr" = "nps-route: cannot open $d/none: No such file or directory" ]
	: >"$d/empty"
	run --separate-stderr nps-classify --header-from "$d/empty" </dev/null
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-classify: $d/empty: no header line (--header-from)" ]
}

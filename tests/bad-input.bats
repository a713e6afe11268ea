#!/usr/bin/env bats
# The bad-input catalogue, run against every program: each case gets a
# clear error with its exit code, or an acceptance documented in
# npskit(7) (FORMAT); nothing crashes; rows in = rows out + rejects.
#
# Each program is fed the same shapes through a small table: its
# arguments, its header, and a row built from a key (a text field the
# program keeps or groups by), a number it reads, and a date it reads.
load helper

PROGS="nps-classify nps-agg nps-signif nps-baseline nps-route"

args() {
	case $1 in
	nps-agg) echo "-g store -t date -p month" ;;
	nps-baseline) echo "-g store --min-history 2" ;;
	*) echo "" ;;
	esac
}

header() {
	case $1 in
	nps-classify) printf 'id\tscore' ;;
	nps-agg) printf 'store\tdate\tscore' ;;
	nps-signif) printf 'brand\tn\tpromoters\tpassives\tdetractors' ;;
	nps-baseline) printf 'store\tperiod\tn\tpromoters\tpassives\tdetractors' ;;
	nps-route) printf 'response_id\tresponded_at\tstore\tregion\tscore' ;;
	esac
}

# The column the number goes in, and the date's.
numcol() {
	case $1 in
	nps-signif | nps-baseline) echo n ;;
	*) echo score ;;
	esac
}
datecol() {
	case $1 in
	nps-agg) echo date ;; nps-baseline) echo period ;;
	nps-route) echo responded_at ;;
	esac
}

# row PROG KEY [NUMBER [DATE]]: one row, without its line end. Defaults
# make a good row (route's score 3: a detractor, so it makes a ticket).
row() {
	local p=$1 k=$2 n=$3 d=$4
	case $p in
	nps-classify) printf '%s\t%s' "$k" "${n:-9}" ;;
	nps-agg) printf '%s\t%s\t%s' "$k" "${d:-2026-01-15}" "${n:-9}" ;;
	nps-signif) printf '%s\t%s\t1\t0\t0' "$k" "${n:-1}" ;;
	nps-baseline) printf '%s\t%s\t%s\t1\t0\t0' "$k" "${d:-2026-01}" "${n:-1}" ;;
	nps-route) printf '%s\t%s\tS1\tN\t%s' "$k" "${d:-2026-01-15T10:00Z}" "${n:-3}" ;;
	esac
}

# Output rows (lines after the header) a run of p over R good input rows
# with distinct keys gives: one per row, for nps-signif one per pair.
rows_out() {
	case $1 in nps-signif) echo $(($2 * ($2 - 1) / 2)) ;; *) echo "$2" ;; esac
}

# rows PROG N: N good rows with keys k1..kN, made by awk (bats traces every
# bash command, so loops in bash are slow).
rows() {
	# index/substr, not sub(): mawk compiles a dynamic regex at every call
	row "$1" @K@ | awk -v n="$2" '{
		at = index($0, "@K@"); pre = substr($0, 1, at - 1); post = substr($0, at + 3)
		for (i = 1; i <= n; i++) print pre "k" i post }'
}

# runp PROG FILE [extra args]
runp() {
	local p=$1 f=$2
	shift 2
	# shellcheck disable=SC2046
	run --separate-stderr "$p" $(args "$p") "$@" "$f"
}

no_crash() { # the status is a documented one and no sanitizer spoke
	case $status in 0 | 64 | 65 | 66 | 74) ;; *) echo "status $status"; return 1 ;; esac
	[[ $stderr != *Sanitizer* && $stderr != *"runtime error"* ]]
}

@test "catalogue: a good two-row input works for every program (the baseline of the table)" {
	for p in $PROGS; do
		{ header $p; echo; row $p k1; echo; row $p k2; echo; } >"$BATS_TEST_TMPDIR/in"
		runp $p "$BATS_TEST_TMPDIR/in"
		[ "$status" -eq 0 ] || { echo "$p: $stderr"; false; }
		[ "${#lines[@]}" -eq $((1 + $(rows_out $p 2))) ]
	done
}

@test "NUL bytes and invalid UTF-8 in a kept field are passed through" {
	for p in $PROGS; do
		{ header $p; echo; row $p $'a\x01b'; echo; row $p $'\xff\xfe\xc3('; echo; } |
			sed 's/\x01/\x00/' >"$BATS_TEST_TMPDIR/in"
		runp $p "$BATS_TEST_TMPDIR/in"
		[ "$status" -eq 0 ] || { echo "$p: $stderr"; false; }
		run bash -c "$p $(args $p) '$BATS_TEST_TMPDIR/in' | LC_ALL=C grep -ac \$'\\xff\\xfe\\xc3('"
		[ "$output" -ge 1 ] || { echo "$p: no invalid UTF-8 in the output"; false; }
		run bash -c "$p $(args $p) '$BATS_TEST_TMPDIR/in' | tr '\\0' '@' | grep -c 'a@b'"
		[ "$output" -ge 1 ] || { echo "$p: no NUL in the output"; false; }
	done
}

@test "a NUL byte in a number is a bad row (65), shown escaped as \\x00" {
	for p in $PROGS; do
		{ header $p; echo; row $p k1 $'9\x01'; echo; } | sed 's/\x01/\x00/' >"$BATS_TEST_TMPDIR/in"
		runp $p "$BATS_TEST_TMPDIR/in"
		[ "$status" -eq 65 ] || { echo "$p: $status $stderr"; false; }
		[[ $stderr == "$p: $BATS_TEST_TMPDIR/in:2: $(numcol $p) "*'("9\x00")' ]]
	done
}

@test "numbers like 1e309, nan, inf, 0x10, 1e1, -0 are bad rows (65) everywhere" {
	for p in $PROGS; do
		for v in 1e309 nan inf 0x10 1e1 -0; do
			{ header $p; echo; row $p k1 "$v"; echo; } >"$BATS_TEST_TMPDIR/in"
			runp $p "$BATS_TEST_TMPDIR/in"
			[ "$status" -eq 65 ] || { echo "$p $v: $status $stderr"; false; }
			[[ $stderr == "$p: $BATS_TEST_TMPDIR/in:2: $(numcol $p) "*"(\"$v\")" ]]
			# what is written before the bad row: a header at most
			[ "${#lines[@]}" -le 1 ]
			[[ $p = nps-classify || $p = nps-route ]] || [ "$output" = "" ]
		done
	done
}

@test "weights and customer values like 1e309, nan, 0x10 are bad rows (65)" {
	for v in 1e309 nan 0x10 inf; do
		tsv 'store score w' "S $v 9" >/dev/null
		printf 'store\tscore\tw\nS\t9\t%s\n' "$v" >"$BATS_TEST_TMPDIR/in"
		run --separate-stderr nps-agg -g store -w w "$BATS_TEST_TMPDIR/in"
		[ "$status" -eq 65 ]
		[ "$stderr" = "nps-agg: $BATS_TEST_TMPDIR/in:2: w must be 0 or a number from 1e-400 to below 1e308 (\"$v\")" ]
		printf 'response_id\tresponded_at\tstore\tregion\tscore\tcv\nr\t2026-01-15\tS\tN\t3\t%s\n' "$v" >"$BATS_TEST_TMPDIR/in"
		run --separate-stderr nps-route -v cv "$BATS_TEST_TMPDIR/in"
		[ "$status" -eq 65 ]
		[ "$stderr" = "nps-route: $BATS_TEST_TMPDIR/in:2: cv must be a number, empty or NA (\"$v\")" ]
	done
}

@test "impossible dates and periods are bad rows (65)" {
	for p in nps-agg nps-baseline nps-route; do
		for d in 2026-02-30 2026-13-01 2025-02-29 2026-00-10 2026-1-5; do
			{ header $p; echo; row $p k1 "" "$d"; echo; } >"$BATS_TEST_TMPDIR/in"
			runp $p "$BATS_TEST_TMPDIR/in"
			[ "$status" -eq 65 ] || { echo "$p $d: $status $stderr"; false; }
			[[ $stderr == "$p: $BATS_TEST_TMPDIR/in:2: $(datecol $p) must be a "*"(\"$d\")" ]]
		done
	done
	# 2024 was a leap year.
	{ header nps-agg; echo; row nps-agg k1 "" 2024-02-29; echo; } >"$BATS_TEST_TMPDIR/in"
	runp nps-agg "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
}

@test "timestamps with bad offsets are bad rows (65); the documented forms are accepted" {
	for p in nps-agg nps-route; do
		for d in 2026-01-15T10:00+25:00 2026-01-15T10:00+05:60 2026-01-15T10:00+0500 \
			2026-01-15T10:00+5 2026-01-15T10:00+05: 2026-01-15T10:00Z+01:00 \
			2026-01-15T10:00z 2026-01-15T24:00Z 2026-01-15T10:60Z 2026-01-15T10Z; do
			{ header $p; echo; row $p k1 "" "$d"; echo; } >"$BATS_TEST_TMPDIR/in"
			runp $p "$BATS_TEST_TMPDIR/in"
			[ "$status" -eq 65 ] || { echo "$p $d: $status $stderr"; false; }
			[[ $stderr == "$p: $BATS_TEST_TMPDIR/in:2: $(datecol $p) must be a "*"(\"$d\")" ]]
		done
		# npskit(7): no offset is UTC; -00:00 and offsets to +-23:59;
		# a leap second :60; a space for the T.
		for d in 2026-01-15T10:00 2026-01-15T10:00-00:00 2026-01-15T10:00+23:59 \
			2026-01-15T10:00:60Z '2026-01-15 10:00Z'; do
			{ header $p; echo; row $p k1 "" "$d"; echo; } >"$BATS_TEST_TMPDIR/in"
			runp $p "$BATS_TEST_TMPDIR/in"
			[ "$status" -eq 0 ] || { echo "$p $d: $status $stderr"; false; }
		done
	done
}

@test "rows in = rows out + rejects, with every bad value of the catalogue mixed in" {
	for p in $PROGS; do
		local good=0 bad=0 i=0 v
		{
			header $p; echo
			# (not ' ': a score of spaces is unanswered, npskit(7))
			for v in 1e309 nan 0x10 9.5 $'9\\' -1; do
				row $p "g$i"; echo; good=$((good + 1)); i=$((i + 1))
				row $p "b$i" "$v"; echo; bad=$((bad + 1))
			done
			if [ -n "$(datecol $p)" ]; then
				for v in 2026-02-30 2026-13-01 2026-01-15T10:00+25:00; do
					row $p "d$i" "" "$v"; echo; bad=$((bad + 1)); i=$((i + 1))
				done
			fi
			row $p short | cut -f 1; bad=$((bad + 1))
		} >"$BATS_TEST_TMPDIR/in"
		[ "$(wc -l <"$BATS_TEST_TMPDIR/in")" -eq $((1 + good + bad)) ]
		runp $p "$BATS_TEST_TMPDIR/in" --rejects "$BATS_TEST_TMPDIR/rej"
		[ "$status" -eq 0 ] || { echo "$p: $status $stderr"; false; }
		[ "${#lines[@]}" -eq $((1 + $(rows_out $p $good))) ] || { echo "$p: ${#lines[@]} lines"; false; }
		# Rejects: the header and one line per bad row, each unchanged
		# with a reason appended.
		[ "$(wc -l <"$BATS_TEST_TMPDIR/rej")" -eq $((1 + bad)) ]
		[ "$stderr" = "$p: $bad bad rows written to $BATS_TEST_TMPDIR/rej" ]
	done
}

@test "nps-agg: rows in = n summed over the output + rejects" {
	{
		printf 'store\tdate\tscore\n'
		for i in $(seq 1 50); do printf 'S%d\t2026-01-%02d\t%d\n' $((i % 7)) $((i % 28 + 1)) $((i % 11)); done
		printf 'S1\t2026-02-30\t9\nS1\t2026-01-01\tnan\nS1\t2026-01-01\t1e309\n'
	} >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr nps-agg -g store -t date -p week --rejects "$BATS_TEST_TMPDIR/rej" "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	# 50 good rows out as counts (column n, the 3rd), 3 rejected.
	[ "$(printf '%s\n' "${lines[@]:1}" | awk -F '\t' '{ s += $3 } END { print s }')" -eq 50 ]
	[ "$stderr" = "nps-agg: 3 bad rows written to $BATS_TEST_TMPDIR/rej" ]
}

@test "a 64 MB line: a key of 64 MiB goes through every program" {
	local big="$BATS_TEST_TMPDIR/big"
	head -c $((64 << 20)) /dev/zero | tr '\0' x >"$big.key"
	for p in $PROGS; do
		{
			header $p; echo
			row $p k1; echo
			cat "$big.key"; row $p ""; echo
		} >"$big"
		"$p" $(args $p) "$big" >"$big.out" 2>"$big.err" && status=0 || status=$?
		[ "$status" -eq 0 ] || { echo "$p: $status $(head -c 200 "$big.err")"; false; }
		# The output holds the key whole: a line longer than 64 MiB.
		[ "$(wc -L <"$big.out")" -gt $((64 << 20)) ]
		[ "$(wc -l <"$big.out")" -eq $((1 + $(rows_out $p 2))) ]
	done
}

@test "100,000 columns: found by name, the rest passed through" {
	local cols="$BATS_TEST_TMPDIR/cols"
	seq -f 'c%.0f' 1 100000 | paste -sd '\t' >"$cols.h"
	seq 1 100000 | paste -sd '\t' >"$cols.r"
	for p in $PROGS; do
		{
			header $p; printf '\t%s\n' "$(cat "$cols.h")"
			row $p k1; printf '\t%s\n' "$(cat "$cols.r")"
			row $p k2; printf '\t%s\n' "$(cat "$cols.r")"
		} >"$cols"
		runp $p "$cols"
		[ "$status" -eq 0 ] || { echo "$p: $status $stderr"; false; }
		[ "${#lines[@]}" -eq $((1 + $(rows_out $p 2))) ]
	done
	# nps-classify keeps every column: id score, 100,000, segment nps_points.
	{
		header nps-classify; printf '\t%s\n' "$(cat "$cols.h")"
		row nps-classify k2; printf '\t%s\n' "$(cat "$cols.r")"
	} >"$cols"
	run nps-classify "$cols"
	[ "$(head -n 1 <<<"$output" | tr '\t' '\n' | wc -l)" -eq 100004 ]
	[ "$(tail -n 1 <<<"$output" | cut -f 1-2,100001-100004)" = "$(printf 'k2\t9\t99999\t100000\tpromoter\t100')" ]
	# A row one field short among them is a bad row.
	{ cat "$cols.h"; cut -f 2- "$cols.r"; } >"$cols"
	run --separate-stderr nps-classify -s c1 "$cols"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-classify: $cols:2: expected 100000 fields, found 99999" ]
}

@test "a header naming a column twice: 64 when that column is used, accepted otherwise" {
	for p in $PROGS; do
		local c
		c=$(numcol $p)
		{ printf '%s\t%s\n' "$(header $p)" "$c"; printf '%s\t1\n' "$(row $p k1)"; } >"$BATS_TEST_TMPDIR/in"
		runp $p "$BATS_TEST_TMPDIR/in"
		[ "$status" -eq 64 ] || { echo "$p: $status $stderr"; false; }
		[ "${stderr%%$'\n'*}" = "$p: column \"$c\" appears twice in the header of $BATS_TEST_TMPDIR/in" ]
		# An unused name twice is just two columns.
		{ printf '%s\tx\tx\n' "$(header $p)"; printf '%s\t1\t2\n' "$(row $p k1)"; } >"$BATS_TEST_TMPDIR/in"
		runp $p "$BATS_TEST_TMPDIR/in"
		[ "$status" -eq 0 ] || { echo "$p: $status $stderr"; false; }
	done
}

@test "an empty header name is a column like another (accepted)" {
	for p in $PROGS; do
		{ printf '\t%s\n' "$(header $p)"; printf 'v\t%s\n' "$(row $p k1)"; } >"$BATS_TEST_TMPDIR/in"
		runp $p "$BATS_TEST_TMPDIR/in"
		[ "$status" -eq 0 ] || { echo "$p: $status $stderr"; false; }
	done
	{ printf '\t%s\n' "$(header nps-classify)"; printf 'v\t%s\n' "$(row nps-classify k1)"; } >"$BATS_TEST_TMPDIR/in"
	run nps-classify "$BATS_TEST_TMPDIR/in"
	[ "$output" = "$(printf '\tid\tscore\tsegment\tnps_points\nv\tk1\t9\tpromoter\t100')" ]
}

@test "only a BOM is an empty input, as an empty file is, for every program" {
	printf '\xef\xbb\xbf' >"$BATS_TEST_TMPDIR/bom"
	printf '\xef\xbb\xbf\n' >"$BATS_TEST_TMPDIR/bom-nl"
	for p in $PROGS; do
		run --separate-stderr "$p" /dev/null
		local empty=$output
		for f in bom bom-nl; do
			run --separate-stderr "$p" "$BATS_TEST_TMPDIR/$f"
			[ "$status" -eq 0 ] || { echo "$p $f: $status $stderr"; false; }
			[ "$stderr" = "" ]
			[ "$output" = "$empty" ]
		done
	done
}

@test "a lone CR is not a line end: a CR-only file is one header line, so a column is missing (64)" {
	for p in $PROGS; do
		{ header $p; printf '\r'; row $p k1; printf '\r'; } >"$BATS_TEST_TMPDIR/in"
		runp $p "$BATS_TEST_TMPDIR/in"
		[ "$status" -eq 64 ] || { echo "$p: $status $stderr"; false; }
		[[ $stderr == "$p: no column "* ]]
	done
}

@test "a last line without a newline is a row, even ending in a TAB (it was lost)" {
	# fuzz/regressions/tsv-final-row-ends-in-tab: "k2<TAB>" at the very
	# end was dropped silently: 2 rows in, 1 out, 0 rejected.
	for p in $PROGS; do
		# (nps-route: an empty score is unanswered, npskit(7); a bad date
		# makes the row bad)
		local d=
		[ "$p" = nps-route ] && d=2026-02-30
		{ header $p; echo; row $p k1; echo; row $p k2 "" $d | sed 's/[^\t]*$//'; } >"$BATS_TEST_TMPDIR/in"
		runp $p "$BATS_TEST_TMPDIR/in" --rejects "$BATS_TEST_TMPDIR/rej"
		[ "$status" -eq 0 ] || { echo "$p: $status $stderr"; false; }
		case $p in
		nps-classify | nps-agg) # an empty score: an unanswered row (npskit(7)), kept
			[ "$stderr" = "$p: 0 bad rows written to $BATS_TEST_TMPDIR/rej" ] || { echo "$p: $stderr"; false; }
			[[ $output == *k2* ]] ;;
		*)
			[ "$stderr" = "$p: 1 bad row written to $BATS_TEST_TMPDIR/rej" ] || { echo "$p: $stderr"; false; }
			[ "$(tail -n +2 "$BATS_TEST_TMPDIR/rej" | cut -f 1)" = k2 ] ;;
		esac
	done
	run --separate-stderr nps-classify --rejects "$BATS_TEST_TMPDIR/rej" "$BATS_TEST_DIRNAME/../fuzz/regressions/tsv-final-row-ends-in-tab"
	[ "$output" = "$(printf 'id\tscore\tsegment\tnps_points\nk1\t9\tpromoter\t100\nk2\t\tunanswered\t')" ]
	[ "$(cat "$BATS_TEST_TMPDIR/rej")" = "$(printf 'id\tscore\treject_reason')" ]
}

@test "a truncated final escape: kept as is in a kept field, a bad row in a read one" {
	for p in $PROGS; do
		# In the key, at the very end of the file (no final newline).
		{ header $p; echo; row $p 'k1' ; echo; printf '%s' "$(row $p k2 | cut -f 1)" ; } >/dev/null
		{ header $p; echo; row $p 'k1\' ; } >"$BATS_TEST_TMPDIR/in"
		runp $p "$BATS_TEST_TMPDIR/in"
		[ "$status" -eq 0 ] || { echo "$p: $status $stderr"; false; }
		# In the number, at the very end of the file.
		{ header $p; echo; row $p k1 '1\'; } >"$BATS_TEST_TMPDIR/in"
		if [ "$p" = nps-classify ] || [ "$p" = nps-agg ] || [ "$p" = nps-route ]; then
			# the score is the last field
			runp $p "$BATS_TEST_TMPDIR/in"
			[ "$status" -eq 65 ] || { echo "$p: $status $stderr"; false; }
			[[ $stderr == "$p: $BATS_TEST_TMPDIR/in:2: score "*'("1\")' ]]
		fi
	done
	run nps-classify <<<"$(printf 'id\tscore\nk1\\\t9')"
	[ "$output" = "$(printf 'id\tscore\tsegment\tnps_points\nk1\\\t9\tpromoter\t100')" ]
}

@test "extremely long group keys (1 MiB, differing only in the last byte) stay apart" {
	local k
	k=$(head -c $((1 << 20)) /dev/zero | tr '\0' k)
	for p in $PROGS; do
		{ header $p; echo; row $p "${k}1"; echo; row $p "${k}2"; echo; row $p "${k}1"; echo; } >"$BATS_TEST_TMPDIR/in"
		case $p in
		nps-agg)
			runp $p "$BATS_TEST_TMPDIR/in"
			[ "$status" -eq 0 ]
			[ "${#lines[@]}" -eq 3 ]
			[ "$(cut -f 3 <<<"${lines[1]}")" = 2 ] ;; # two responses for ...1
		nps-signif | nps-baseline | nps-route)
			# keys repeat: nps-signif and nps-baseline see a duplicate
			# (ok or an error, but no crash); route two tickets of one id
			runp $p "$BATS_TEST_TMPDIR/in"
			no_crash ;;
		*)
			runp $p "$BATS_TEST_TMPDIR/in"
			[ "$status" -eq 0 ]
			[ "${#lines[@]}" -eq 4 ] ;;
		esac
	done
}

@test "nps-agg: 1,000,000 distinct groups" {
	awk 'BEGIN { print "store\tscore"; for (i = 0; i < 1000000; i++) printf "s%d\t%d\n", i, i % 11 }' >"$BATS_TEST_TMPDIR/in"
	run bash -c "nps-agg -g store '$BATS_TEST_TMPDIR/in' | awk -F '\t' 'NR > 1 { n++; s += \$2 } END { print n, s }'"
	[ "$status" -eq 0 ]
	# one row per group, each of n = 1: 1,000,000 groups, 1,000,000 rows
	[ "$output" = "1000000 1000000" ]
}

# ---- I/O faults ----

@test "output to /dev/full: exit 74 for every program" {
	for p in $PROGS; do
		{ header $p; echo; row $p k1; echo; row $p k2; echo; } >"$BATS_TEST_TMPDIR/in"
		run --separate-stderr bash -c "$p $(args $p) '$BATS_TEST_TMPDIR/in' >/dev/full"
		[ "$status" -eq 74 ] || { echo "$p: $status $stderr"; false; }
		[ "$stderr" = "$p: write error on standard output: No space left on device" ]
	done
}

@test "output pipe closed early: quiet, killed by SIGPIPE" {
	for p in $PROGS; do
		local n=20000
		[ $p = nps-signif ] && n=400 # 79,800 pairs
		{ header $p; echo; rows $p $n; } >"$BATS_TEST_TMPDIR/in"
		run --separate-stderr bash -c "$p $(args $p) '$BATS_TEST_TMPDIR/in' | head -c 10 >/dev/null; echo \${PIPESTATUS[0]}"
		[ "$output" = 141 ] || { echo "$p: $output $stderr"; false; }
		[ "$stderr" = "" ]
	done
}

@test "unreadable input (66), a directory (66), a missing file (66)" {
	for p in $PROGS; do
		run --separate-stderr "$p" $(args $p) "$BATS_TEST_TMPDIR"
		[ "$status" -eq 66 ] || { echo "$p: $status $stderr"; false; }
		[ "$stderr" = "$p: cannot read $BATS_TEST_TMPDIR: Is a directory" ]
		run --separate-stderr "$p" $(args $p) "$BATS_TEST_TMPDIR/none"
		[ "$status" -eq 66 ]
		[ "$stderr" = "$p: cannot open $BATS_TEST_TMPDIR/none: No such file or directory" ]
	done
	if [ "$(id -u)" = 0 ]; then
		skip "running as root: chmod 000 does not stop reading"
	fi
	for p in $PROGS; do
		{ header $p; echo; } >"$BATS_TEST_TMPDIR/locked"
		chmod 000 "$BATS_TEST_TMPDIR/locked"
		run --separate-stderr "$p" $(args $p) "$BATS_TEST_TMPDIR/locked"
		[ "$status" -eq 66 ]
		[ "$stderr" = "$p: cannot open $BATS_TEST_TMPDIR/locked: Permission denied" ]
	done
}

@test "a file that shrinks while read: the rows up to the cut, in = out + rejects" {
	# Staged: the program writes into a FIFO nobody reads yet, so it
	# blocks after about 128 KiB of output, having read only the start
	# of a 2.6 MB file; the file is then cut in the middle of a row, and
	# the FIFO drained. The program sees the shorter file: its rows,
	# then a half row, a bad row.
	local d=$BATS_TEST_TMPDIR f=$BATS_TEST_TMPDIR/in
	{ header nps-classify; echo; rows nps-classify 200000; } >"$f"
	mkfifo "$d/fifo"
	# (an empty score is an unanswered row: --unanswered reject, so that
	# a cut just after the tab makes a bad row too)
	nps-classify --unanswered reject --rejects "$d/rej" "$f" >"$d/fifo" 2>"$d/err" &
	local pid=$!
	exec 7<"$d/fifo"
	sleep 0.5
	local size=$(($(stat -c %s "$f") / 2))
	truncate -s "$size" "$f"
	[ "$(tail -c 1 "$f")" != "" ] # the cut is inside a row
	cat <&7 >"$d/out"
	exec 7<&-
	wait $pid && status=0 || status=$?
	stderr=$(cat "$d/err")
	[ "$status" -eq 0 ] || { echo "$status $stderr"; false; }
	# rows in: the lines of the cut file after the header, the half one too
	local in=$(($(wc -l <"$f"))) out rej
	out=$(($(wc -l <"$d/out") - 1))
	rej=$(($(wc -l <"$d/rej") - 1))
	[ "$rej" -eq 1 ]
	[ "$stderr" = "nps-classify: 1 bad row written to $d/rej" ]
	[ "$in" -eq $((out + rej)) ]
	# and the rows out are the file's, in order
	[ "$(tail -n +2 "$d/out" | cut -f 1-2)" = "$(sed -n "2,${in}p" "$f")" ]
}

@test "the events and rules files: a directory or a missing one is 66; empty or only a BOM" {
	local in="$BATS_TEST_TMPDIR/in" d=$BATS_TEST_TMPDIR
	{ header nps-route; echo; row nps-route r1; echo; } >"$in"
	printf '\xef\xbb\xbf' >"$d/bom"
	for f in "$d" "$d/none"; do
		run --separate-stderr nps-route --rules "$f" "$in"
		[ "$status" -eq 66 ]
		run --separate-stderr nps-baseline --events "$f" "$data/baseline-constant.tsv"
		[ "$status" -eq 66 ]
	done
	[ "$stderr" = "nps-baseline: cannot open $d/none: No such file or directory" ]
	# No rules is an error; no events is no events.
	for f in /dev/null "$d/bom"; do
		run --separate-stderr nps-route --rules "$f" "$in"
		[ "$status" -eq 65 ]
		[ "$stderr" = "nps-route: $f: no rules (a header line and at least one rule are needed)" ]
		run --separate-stderr nps-baseline --events "$f" "$data/baseline-constant.tsv"
		[ "$status" -eq 0 ]
		[ "$output" = "$(nps-baseline "$data/baseline-constant.tsv")" ]
	done
}

# The general rules of the second reliability round: each holds for every
# program, because it lives in lib.

@test "--rejects naming an input is refused (64) before anything is written; so is output appended to an input" {
	local d=$BATS_TEST_TMPDIR
	for p in $PROGS; do
		{ header $p; echo; row $p k1; echo; row $p k2; echo; } >"$d/in"
		cp "$d/in" "$d/copy"
		runp $p "$d/in" --rejects "$d/in"
		[ "$status" -eq 64 ] || { echo "$p: $status $stderr"; false; }
		[ "$stderr" = "$p: --rejects $d/in is the input $d/in: writing it would destroy the input while it is read" ]
		[ "$output" = "" ]
		cmp "$d/in" "$d/copy"
		# another name for the same file, and the input given as stdin
		ln -f "$d/in" "$d/link"
		run --separate-stderr bash -c "$p $(args $p) --rejects '$d/link' <'$d/in'"
		[ "$status" -eq 64 ] || { echo "$p: $status $stderr"; false; }
		[ "$stderr" = "$p: --rejects $d/link is the input stdin: writing it would destroy the input while it is read" ]
		cmp "$d/in" "$d/copy"
		run --separate-stderr bash -c "$p $(args $p) '$d/in' >>'$d/in'"
		[ "$status" -eq 64 ] || { echo "$p: $status $stderr"; false; }
		[ "$stderr" = "$p: standard output is the input $d/in: writing it would destroy the input while it is read" ]
		cmp "$d/in" "$d/copy"
		# the rejects file and the output the same file: refused too
		run --separate-stderr bash -c "$p $(args $p) --rejects '$d/out' '$d/in' >'$d/out'"
		[ "$status" -eq 64 ] || { echo "$p: $status $stderr"; false; }
		[ "$stderr" = "$p: --rejects $d/out is standard output: the bad rows would be mixed into the output" ]
	done
	# /dev/null as input and output is no file: accepted
	run nps-classify </dev/null >/dev/null
	[ "$status" -eq 0 ]
}

@test "closed standard output, error or input: no file takes their place" {
	local d=$BATS_TEST_TMPDIR
	tsv 'id score' 'a 9' 'b 11' >"$d/in"
	# stdout closed: the rejects file would have become fd 1 and taken
	# the output (exit 0); now writing the output fails (74) and no
	# output row is in the rejects file.
	run --separate-stderr bash -c "nps-classify --rejects '$d/rej' '$d/in' >&-"
	[ "$status" -eq 74 ]
	[ "$stderr" = "nps-classify: write error on standard output: Bad file descriptor" ]
	run grep -c promoter "$d/rej"
	[ "$output" = 0 ]
	# stderr closed: the summary does not land in the rejects file
	run bash -c "nps-classify --rejects '$d/rej' '$d/in' 2>&-"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tsv 'id score segment nps_points' 'a 9 promoter 100')" ]
	[ "$(cat "$d/rej")" = "$(printf 'id\tscore\treject_reason\nb\t11\tscore must be an integer 0..10 ("11")')" ]
	# stdin closed: it cannot be read (66), for every program
	for p in $PROGS; do
		run --separate-stderr bash -c "$p $(args $p) <&-"
		[ "$status" -eq 66 ] || { echo "$p: $status $stderr"; false; }
		[ "$stderr" = "$p: cannot read stdin: Bad file descriptor" ]
	done
}

@test "a read error on an input is 66 (cannot read), not 74" {
	[ -r /proc/self/mem ] || skip "no /proc/self/mem"
	for p in $PROGS; do
		runp $p /proc/self/mem
		[ "$status" -eq 66 ] || { echo "$p: $status $stderr"; false; }
		[ "$stderr" = "$p: cannot read /proc/self/mem: Input/output error" ]
	done
}

@test "names and values in messages: control bytes and escape sequences are shown escaped" {
	local d=$BATS_TEST_TMPDIR
	# a header name with a terminal escape sequence, in the "no column" list
	printf 'id\t\033[31mred\033]0;title\007\nx\ty\n' >"$d/in"
	run --separate-stderr nps-classify "$d/in"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-classify: no column "score" in '"$d"'/in (columns: id, \x1b[31mred\x1b]0;title\x07)' ]
	# an option value, a column name asked for, a file name
	run --separate-stderr nps-agg -p $'\033[2J' "$d/in"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-agg: --period must be day, week, month, quarter or year ("\x1b[2J")' ]
	run --separate-stderr nps-classify -s $'sc\rore' "$d/in"
	[ "$status" -eq 64 ]
	[[ ${stderr%%$'\n'*} == 'nps-classify: no column "sc\rore" in '* ]]
	run --separate-stderr nps-classify "$d/no"$'\033'"[1mfile"
	[ "$status" -eq 66 ]
	[ "$stderr" = "nps-classify: cannot open $d/no\\x1b[1mfile: No such file or directory" ]
	# a value in a bad row: a NUL and an ESC, and a C1 control (U+009B, CSI)
	printf 'id\tscore\na\t9\001\033\302\233\n' >"$d/in"
	run --separate-stderr nps-classify "$d/in"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-classify: '"$d"'/in:2: score must be an integer 0..10 ("9\x01\x1b\xc2\x9b")' ]
	# no raw control byte anywhere on stderr
	run bash -c "nps-classify '$d/in' 2>&1 >/dev/null | LC_ALL=C tr -d '\n' | LC_ALL=C grep -c '[[:cntrl:]]'"
	[ "$output" = 0 ]
}

@test "a usage error found after reading leaves an old rejects file as it was" {
	local d=$BATS_TEST_TMPDIR
	echo "the rejects of an earlier run" >"$d/old.rej"
	tsv 'brand n promoters passives detractors' 'A 10 5 3 2' 'B 10 2 3 5' >"$d/in"
	run --separate-stderr nps-signif --ref nosuch --rejects "$d/old.rej" "$d/in"
	[ "$status" -eq 64 ]
	[ "$(cat "$d/old.rej")" = "the rejects of an earlier run" ]
	# an unknown column, found after the header is read: the same
	for p in $PROGS; do
		{ header $p; echo; row $p k1; echo; } >"$d/in"
		runp $p "$d/in" --rejects "$d/old.rej" -s nosuch
		[ "$status" -eq 64 ] || { echo "$p: $status $stderr"; false; }
		[ "$(cat "$d/old.rej")" = "the rejects of an earlier run" ]
	done
	# a run that goes through empties it and writes its own
	tsv 'id score' 'a 9' >"$d/in"
	run --separate-stderr nps-classify --rejects "$d/old.rej" "$d/in"
	[ "$status" -eq 0 ]
	[ "$(cat "$d/old.rej")" = "$(tsv 'id score reject_reason')" ]
}

@test "nps-agg -g '' is refused (64): it names no column" {
	tsv 'store score' 'S 9' >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr nps-agg -g '' "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = "nps-agg: no column \"\" in $BATS_TEST_TMPDIR/in (columns: store, score)" ]
}

@test "years 0000 and 9999 are bad dates (65): no period or time is written with a sign or five digits" {
	local d=$BATS_TEST_TMPDIR
	for date in 0000-01-01 0000-06-15 9999-12-31 9999-01-01T00:00Z; do
		for p in nps-agg nps-route; do
			{ header $p; echo; row $p k1 "" "$date"; echo; } >"$d/in"
			runp $p "$d/in"
			[ "$status" -eq 65 ] || { echo "$p $date: $status $stderr"; false; }
			[[ $stderr == "$p: $d/in:2: $(datecol $p) must be a "*"(\"$date\")" ]]
		done
	done
	for period in 0000-01 0000-W01 0000 9999-Q4; do
		{ header nps-baseline; echo; row nps-baseline k1 "" "$period"; echo; } >"$d/in"
		runp nps-baseline "$d/in"
		[ "$status" -eq 65 ] || { echo "$period: $status $stderr"; false; }
	done
	# the years next to them are fine: 0001-01-01 is a Monday, in week 1
	tsv 'store date score' 'S 0001-01-01 9' 'S 9998-12-31 9' >"$d/in"
	run --separate-stderr nps-agg -g store -t date -p week "$d/in"
	[ "$status" -eq 0 ]
	[ "$(cut -f 1-3 <<<"$output")" = "$(tsv 'store period n' 'S 0001-W01 1' 'S 9998-W53 1')" ]
}

@test "a header with no TAB but commas or semicolons: the input looks like CSV, convert it with nps-import (64)" {
	local d=$BATS_TEST_TMPDIR
	for p in $PROGS; do
		for sep in , ';'; do
			{ header $p | tr '\t' "$sep"; echo; row $p k1 | tr '\t' "$sep"; echo; } >"$d/in.csv"
			runp $p "$d/in.csv"
			[ "$status" -eq 64 ] || { echo "$p: $status $stderr"; false; }
			local what=commas
			[ "$sep" = , ] || what=semicolons
			[[ ${stderr%%$'\n'*} == "$p: no column \""*"\" in $d/in.csv: its header has no TAB but has $what, so the input looks like CSV; convert it with nps-import first (header: $(header $p | tr '\t' "$sep"))" ]] ||
				{ echo "$p: $stderr"; false; }
		done
	done
	# a TSV header (it has a TAB) with a comma in a name: the plain message
	printf 'id,x\tscore\n' >"$d/in"
	run --separate-stderr nps-classify -s nosuch "$d/in"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = "nps-classify: no column \"nosuch\" in $d/in (columns: id,x, score)" ]
}

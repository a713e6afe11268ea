#!/usr/bin/env bats
load helper

# Ticket ids are "T-" + FNV-1a 64 of the response id's bytes (offset basis
# 0xcbf29ce484222325, prime 0x100000001b3), worked out apart from the
# program: h = basis; for each byte: h ^= byte, h *= prime (mod 2^64).
# Published vectors: "a" -> af63dc4c8601ec8c, "foobar" -> 85944171f73967e8.

HEAD=$'ticket_id\tresponse_id\tsegment\tscore\tpriority\taction\towner\tescalate_to\tdue_at\treason'

@test "ticket ids are FNV-1a 64 of the id: the published vectors" {
	run nps-route <<<"$(tsv 'response_id responded_at store region score' \
		'a 2026-01-01T00:00:00Z S1 n 0' 'foobar 2026-01-01T00:00:00Z S1 n 0')"
	[ "$status" -eq 0 ]
	[ "$output" = "$HEAD
$(tsv 'T-af63dc4c8601ec8c a detractor 0 2 automatic_remedy S1 n 2026-01-02T00:00:00Z detractor' \
	'T-85944171f73967e8 foobar detractor 0 2 automatic_remedy S1 n 2026-01-02T00:00:00Z detractor')" ]
}

# route-segments.tsv: scores 0 6 7 8 9 10 at 2026-03-10T09:00:00Z.
# Default rules, no -v (nobody high-value): detractors (0, 6) priority 2,
# due +24 h = 2026-03-11T09:00:00Z; passives (7, 8) priority 4, +72 h =
# 2026-03-13T09:00:00Z; promoters (9, 10) priority 6, +168 h = 7 days =
# 2026-03-17T09:00:00Z. Same priority and due: by id in byte order, so
# s10 comes before s9.
@test "each segment and the boundary scores 6/7 and 8/9, default rules" {
	run --separate-stderr nps-route "$data/route-segments.tsv"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "$output" = "$(cat "$data/route-segments.out")" ]
}

# With -v customer_value: s0 (2000) and s7 (1500, the threshold itself)
# are high-value: personal_call at priority 1 and 3; s6 (1499.99) is not;
# s10 (empty) and s8 (NA) have no value: not high.
@test "high-value customers get a personal call, the others a remedy" {
	run nps-route -v customer_value "$data/route-segments.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$data/route-segments-value.out")" ]
}

# route-values.tsv: eight detractors (score 3) at 2026-05-01T00:00:00Z,
# due 2026-05-02T00:00:00Z. Values: v1 1499.99, v2 1500, v3 1500.00,
# v4 empty, v5 NA, v6 1e4, v7 -5, v8 " 1500.001 ".
@test "the value boundary: from --high-value up is high, missing is not" {
	due=2026-05-02T00:00:00Z
	run nps-route -v customer_value "$data/route-values.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$HEAD
$(tsv "T-08cf0e07b5709641 v2 detractor 3 1 personal_call S1 north $due high-value_detractor" \
	"T-08cf0d07b570948e v3 detractor 3 1 personal_call S1 north $due high-value_detractor" \
	"T-08cf1207b5709d0d v6 detractor 3 1 personal_call S1 north $due high-value_detractor" \
	"T-08cf0407b5708543 v8 detractor 3 1 personal_call S1 north $due high-value_detractor" \
	"T-08cf0b07b5709128 v1 detractor 3 2 automatic_remedy S1 north $due detractor" \
	"T-08cf1007b57099a7 v4 detractor 3 2 automatic_remedy S1 north $due detractor" \
	"T-08cf0f07b57097f4 v5 detractor 3 2 automatic_remedy S1 north $due detractor" \
	"T-08cf1107b5709b5a v7 detractor 3 2 automatic_remedy S1 north $due detractor" | sed 's/high-value_detractor/high-value detractor/')" ]
	# 1500.001 is high from 1500.001 on (equal counts), 1500 is not.
	[ "$(nps-route -v customer_value --high-value 1500.001 "$data/route-values.tsv" | cut -f 2,5 | tail -n +2 | tr '\t\n' ': ')" = "v6:1 v8:1 v1:2 v2:2 v3:2 v4:2 v5:2 v7:2 " ]
	[ "$(nps-route -v customer_value --high-value 1e4 "$data/route-values.tsv" | cut -f 2,5 | tail -n +2 | tr '\t\n' ': ')" = "v6:1 v1:2 v2:2 v3:2 v4:2 v5:2 v7:2 v8:2 " ]
	[ "$(nps-route -v customer_value --high-value -5 "$data/route-values.tsv" | cut -f 2,5 | tail -n +2 | tr '\t\n' ': ')" = "v1:1 v2:1 v3:1 v6:1 v7:1 v8:1 v4:2 v5:2 " ]
}

# route-sla.tsv, each due time worked out by hand:
#   a8  2016-12-31T23:59:60Z (leap second = 2017-01-01T00:00:00Z) +24h = 2017-01-02T00:00:00Z
#   a1  2026-01-31T23:30:00Z +24h (month end)           = 2026-02-01T23:30:00Z
#   a6  2026-03-01T02:00:00+05:30 = 2026-02-28T20:30Z +24h = 2026-03-01T20:30:00Z
#   a10 "2026-04-05 08:15" (space, no seconds) +24h      = 2026-04-06T08:15:00Z
#   a11 2026-10-31T23:59:59.5Z (fraction dropped) +24h  = 2026-11-01T23:59:59Z
#   a5  2026-12-31T20:00:00-05:00 = 2027-01-01T01:00Z +24h = 2027-01-02T01:00:00Z
#   a2  2026-02-27T12:00:00Z +72h (2026: no 29 Feb)      = 2026-03-02T12:00:00Z
#   a7  2026-06-30 (midnight UTC) +72h                   = 2026-07-03T00:00:00Z
#   a12 2026-12-31T23:00:00+14:00 = 2026-12-31T09:00Z +72h = 2027-01-03T09:00:00Z
#   a3  2028-02-27T12:00:00Z +72h (2028: 29 Feb)         = 2028-03-01T12:00:00Z
#   a9  2024-02-29T23:00:00+01:00 = 22:00Z +168h         = 2024-03-07T22:00:00Z
#   a4  2026-12-28T10:00:00Z +168h (year end)            = 2027-01-04T10:00:00Z
@test "SLA arithmetic across month and year ends, leap days and offsets" {
	run nps-route "$data/route-sla.tsv"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$data/route-sla.out")" ]
}

@test "most urgent first: priority, then due time, then id in byte order" {
	run nps-route <<<"$(tsv 'response_id responded_at store region score' \
		'b 2026-01-01T00:00:00Z S n 9' 'A9 2026-01-01T00:00:00Z S n 3' \
		'a 2026-01-01T00:00:00Z S n 3' 'A10 2026-01-01T00:00:00Z S n 3' \
		'R1 2026-01-01T01:00:00Z S n 3' 'R2 2025-12-31T23:59:59Z S n 3' \
		'R3 2025-12-01T00:00:00Z S n 9')"
	[ "$status" -eq 0 ]
	# detractors (priority 2): R2 due 2026-01-01T23:59:59Z first, then
	# A10 A9 a (all due 2026-01-02T00:00:00Z; bytes: "A1" < "A9" < "a"),
	# then R1 (01:00); promoters (priority 6) R3 (due 12-08) before b (01-08).
	[ "$(printf '%s\n' "$output" | cut -f 2,9 | tail -n +2 | tr '\t\n' '@ ')" = "R2@2026-01-01T23:59:59Z A10@2026-01-02T00:00:00Z A9@2026-01-02T00:00:00Z a@2026-01-02T00:00:00Z R1@2026-01-02T01:00:00Z R3@2025-12-08T00:00:00Z b@2026-01-08T00:00:00Z " ]
}

@test "long ids (kept outside the record) sort and print whole" {
	long1=0f8fad5b-d9cb-469f-a165-70867728950e
	long2=0f8fad5b-d9cb-469f-a165-70867728950
	run nps-route <<<"$(tsv 'response_id responded_at store region score' \
		"$long1 2026-01-01T00:00:00Z S n 3" "short 2026-01-01T00:00:00Z S n 3" \
		"$long2 2026-01-01T00:00:00Z S n 3" "12345678901 2026-01-01T00:00:00Z S n 3" \
		"123456789012 2026-01-01T00:00:00Z S n 3")"
	[ "$status" -eq 0 ]
	# byte order: "0f8f...950" is a prefix of "0f8f...950e", so first.
	[ "$(printf '%s\n' "$output" | cut -f 2 | tail -n +2 | tr '\n' ' ')" = "$long2 $long1 12345678901 123456789012 short " ]
}

@test "the same response id twice gives the same ticket id twice" {
	run nps-route <<<"$(tsv 'response_id responded_at store region score' \
		'a 2026-01-01T00:00:00Z S1 n 0' 'a 2026-01-01T00:00:00Z S2 n 0')"
	[ "$status" -eq 0 ]
	[ "$output" = "$HEAD
$(tsv 'T-af63dc4c8601ec8c a detractor 0 2 automatic_remedy S1 n 2026-01-02T00:00:00Z detractor' \
	'T-af63dc4c8601ec8c a detractor 0 2 automatic_remedy S2 n 2026-01-02T00:00:00Z detractor')" ]
}

@test "re-running over overlapping input gives each response the same ticket" {
	head -n 2001 "$BATS_TEST_DIRNAME/../examples/sample.tsv" >"$BATS_TEST_TMPDIR/a"
	{ head -n 1 "$BATS_TEST_DIRNAME/../examples/sample.tsv"; tail -n +1001 "$BATS_TEST_DIRNAME/../examples/sample.tsv"; } >"$BATS_TEST_TMPDIR/b"
	nps-route -v customer_value "$BATS_TEST_TMPDIR/a" >"$BATS_TEST_TMPDIR/ta"
	nps-route -v customer_value "$BATS_TEST_TMPDIR/b" >"$BATS_TEST_TMPDIR/tb"
	# Responses 1000..2000 (1001 of them) are in both runs: the same tickets.
	sed -n '1001,2001p' "$BATS_TEST_DIRNAME/../examples/sample.tsv" | cut -f 1 | sed 's/^/\t/; s/$/\t/' >"$BATS_TEST_TMPDIR/ids"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/ids")" -eq 1001 ]
	grep -F -f "$BATS_TEST_TMPDIR/ids" "$BATS_TEST_TMPDIR/ta" | sort >"$BATS_TEST_TMPDIR/in-a"
	grep -F -f "$BATS_TEST_TMPDIR/ids" "$BATS_TEST_TMPDIR/tb" | sort >"$BATS_TEST_TMPDIR/in-b"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/in-a")" -eq 1001 ]
	cmp "$BATS_TEST_TMPDIR/in-a" "$BATS_TEST_TMPDIR/in-b"
	# And the same run twice gives the same bytes.
	nps-route -v customer_value "$BATS_TEST_TMPDIR/a" | cmp - "$BATS_TEST_TMPDIR/ta"
	# The ticket id depends on the response id alone.
	[ "$(nps-route <<<"$(tsv 'response_id responded_at store region score' 'a 2031-07-01 X y 10')" | tail -n 1 | cut -f 1)" = T-af63dc4c8601ec8c ]
}

@test "the sorted output is the --no-sort output, sorted" {
	nps-route -v customer_value --no-sort "$BATS_TEST_DIRNAME/../examples/sample.tsv" >"$BATS_TEST_TMPDIR/stream"
	nps-route -v customer_value "$BATS_TEST_DIRNAME/../examples/sample.tsv" >"$BATS_TEST_TMPDIR/sorted"
	{ head -n 1 "$BATS_TEST_TMPDIR/stream"; tail -n +2 "$BATS_TEST_TMPDIR/stream" | LC_ALL=C sort -t "$(printf '\t')" -k 5,5n -k 9,9 -k 2,2; } | cmp - "$BATS_TEST_TMPDIR/sorted"
	# --no-sort keeps input order: the ids come as in the input.
	[ "$(cut -f 2 "$BATS_TEST_TMPDIR/stream" | tail -n +2 | head -n 3 | tr '\n' ' ')" = "$(cut -f 1 "$BATS_TEST_DIRNAME/../examples/sample.tsv" | sed -n 2,4p | tr '\n' ' ')" ]
	# Every response of the sample gets a ticket with the built-in rules.
	[ "$(wc -l <"$BATS_TEST_TMPDIR/sorted")" -eq "$(wc -l <"$BATS_TEST_DIRNAME/../examples/sample.tsv")" ]
}

@test "many owners, long and short ids, ties: sorted = --no-sort sorted" {
	# 20000 responses, 5000 distinct owners, 50 distinct times, ids of 2 to
	# 40 bytes, some repeated: the contacts table grows, ties are many.
	awk 'BEGIN { OFS = "\t"; print "response_id", "responded_at", "store", "region", "customer_value", "score"
		for (i = 0; i < 20000; i++) {
			id = (i % 3 == 0) ? sprintf("long-response-id-%023d", i % 7000) : "r" (i % 9000)
			print id, sprintf("2026-%02d-%02dT%02d:00:00Z", 1 + i % 12, 1 + i % 28, i % 5), \
				"owner" (i * 7 % 5000), "region" (i % 13), (i * 37 % 3000), i % 11 } }' >"$BATS_TEST_TMPDIR/in"
	nps-route -v customer_value --no-sort "$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/stream"
	nps-route -v customer_value "$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/sorted"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/sorted")" -eq 20001 ]
	{ head -n 1 "$BATS_TEST_TMPDIR/stream"; tail -n +2 "$BATS_TEST_TMPDIR/stream" | LC_ALL=C sort -t "$(printf '\t')" -k 5,5n -k 9,9 -k 2,2 -k 1,1 -k 7,8; } >"$BATS_TEST_TMPDIR/expect"
	# Lines with equal priority, due and id may differ only in their owners:
	# compare as sorted sets within each (priority, due, id).
	cut -f 2,5,9 "$BATS_TEST_TMPDIR/sorted" | cmp - <(cut -f 2,5,9 "$BATS_TEST_TMPDIR/expect")
	sort "$BATS_TEST_TMPDIR/sorted" | cmp - <(sort "$BATS_TEST_TMPDIR/expect")
}

@test "--no-sort writes each ticket as its response arrives" {
	coproc ROUTE { nps-route --no-sort; }
	printf 'response_id\tresponded_at\tstore\tregion\tscore\n' >&"${ROUTE[1]}"
	printf 'a\t2026-01-01T00:00:00Z\tS1\tn\t0\n' >&"${ROUTE[1]}"
	read -r -t 10 head <&"${ROUTE[0]}"
	read -r -t 10 ticket <&"${ROUTE[0]}"
	[ "$head" = "$HEAD" ]
	[ "$ticket" = "$(tsv 'T-af63dc4c8601ec8c a detractor 0 2 automatic_remedy S1 n 2026-01-02T00:00:00Z detractor')" ]
	printf 'b\t2026-01-01T00:00:00Z\tS1\tn\t10\n' >&"${ROUTE[1]}"
	read -r -t 10 ticket <&"${ROUTE[0]}"
	[ "$ticket" = "$(tsv 'T-af63df4c8601f1a5 b promoter 10 6 automatic_remedy S1 n 2026-01-08T00:00:00Z promoter')" ]
	exec {ROUTE[1]}>&-
	wait
}

@test "--print-rules writes the built-in rules" {
	run nps-route --print-rules
	[ "$status" -eq 0 ]
	[ "$output" = "# nps-route built-in rules: the closed loop. The first rule that
# matches a response wins. A detractor hears from someone within
# 24 hours, a passive within 3 days, a promoter within 7 days; a
# high-value customer (value >= 1500) gets a personal call, the
# others an automatic remedy. An empty owner or escalate names the
# --owner or --escalate column. See nps-route(1).
$(tsv 'segment score value action sla_hours priority owner escalate reason' \
	'detractor * 1500.. personal_call 24 1   high-value_detractor' \
	'detractor * * automatic_remedy 24 2   detractor' \
	'passive * 1500.. personal_call 72 3   high-value_passive' \
	'passive * * automatic_remedy 72 4   passive' \
	'promoter * 1500.. personal_call 168 5   high-value_promoter' \
	'promoter * * automatic_remedy 168 6   promoter' | sed 's/high-value_/high-value /')" ]
	[ "$(nps-route --print-rules --high-value 999.5 | grep -c '	999\.5\.\.	')" -eq 3 ]
}

@test "the built-in rules and --print-rules fed back give the same tickets" {
	sample="$BATS_TEST_DIRNAME/../examples/sample.tsv"
	nps-route --print-rules >"$BATS_TEST_TMPDIR/rules"
	nps-route -v customer_value "$sample" >"$BATS_TEST_TMPDIR/builtin"
	nps-route --rules "$BATS_TEST_TMPDIR/rules" -v customer_value "$sample" | cmp - "$BATS_TEST_TMPDIR/builtin"
	nps-route --print-rules --high-value 700 >"$BATS_TEST_TMPDIR/rules700"
	nps-route --high-value 700 -v customer_value "$sample" >"$BATS_TEST_TMPDIR/builtin700"
	nps-route --rules "$BATS_TEST_TMPDIR/rules700" -v customer_value "$sample" | cmp - "$BATS_TEST_TMPDIR/builtin700"
	# The threshold matters: 700 gives more personal calls than 1500.
	[ "$(grep -c personal_call "$BATS_TEST_TMPDIR/builtin700")" -gt "$(grep -c personal_call "$BATS_TEST_TMPDIR/builtin")" ]
	nps-route --rules "$data/route-segments.rules" "$data/route-segments.tsv" | cmp - "$data/route-segments.out"
}

# Rules: 1: score 5..7 -> A (priority 1, 1 h); 2: passive -> B (2, 2 h).
# Score 7 is a passive, but rule 1 comes first: A. Score 8: B. Scores 5
# and 6: A. Scores 3 and 9 match no rule: no ticket.
@test "the first rule that matches wins; unmatched responses get no ticket" {
	tsv 'score segment action sla_hours priority' '5..7 * A 1 1' '* passive B 2 2' >"$BATS_TEST_TMPDIR/rules"
	run nps-route --rules "$BATS_TEST_TMPDIR/rules" --owner '' --escalate '' <<<"$(tsv 'response_id responded_at score' \
		'x3 2026-01-01T00:00:00Z 3' 'x5 2026-01-01T00:00:00Z 5' 'x6 2026-01-01T00:00:00Z 6' \
		'x7 2026-01-01T00:00:00Z 7' 'x8 2026-01-01T00:00:00Z 8' 'x9 2026-01-01T00:00:00Z 9')"
	[ "$status" -eq 0 ]
	# Generated reasons: the conditions as written.
	[ "$output" = "$HEAD
T-08f10307b58d69f6	x5	detractor	5	1	A			2026-01-01T01:00:00Z	score 5..7
T-08f10207b58d6843	x6	detractor	6	1	A			2026-01-01T01:00:00Z	score 5..7
T-08f10107b58d6690	x7	passive	7	1	A			2026-01-01T01:00:00Z	score 5..7
T-08f11007b58d800d	x8	passive	8	2	B			2026-01-01T02:00:00Z	passive" ]
}

@test "a rules file: comments, blank lines, any column order, owners, none" {
	printf '%s\n' '# comment before the header' '' \
		'reason	priority	sla_hours	action	value	score	segment	owner	escalate' \
		'# comment between rules' \
		'top customer	1	4	call	2000..	*	detractor	manager	-' \
		'  	2	24	remedy	*	0..3	*		' \
		' skip 	9	0	none	*	*	promoter		' \
		'	3	48	note	..100	*	*	region	store' >"$BATS_TEST_TMPDIR/rules"
	run nps-route --rules "$BATS_TEST_TMPDIR/rules" -v value <<<"$(tsv 'response_id responded_at store region manager value score' \
		'c1 2026-01-01T00:00:00Z S1 north Ann 2500 4' 'c2 2026-01-01T00:00:00Z S1 north Ann 2500 2' \
		'c3 2026-01-01T00:00:00Z S2 south Bob 10 9' 'c4 2026-01-01T00:00:00Z S2 south Bob 99.99 8' \
		'c5 2026-01-01T00:00:00Z S2 south Bob 100 8')"
	[ "$status" -eq 0 ]
	# c1: rule 1 (detractor, 2500 in 2000..): owner from manager, no escalation.
	# c2: rule 1 too (first match). c3: promoter -> none, no ticket.
	# c4: 99.99 < 100 -> note, owner region, escalation store, due +48 h.
	# c5: 100 is not below 100 -> no rule.
	[ "$output" = "$HEAD
T-08a27f07b54a6859	c1	detractor	4	1	call	Ann		2026-01-01T04:00:00Z	top customer
T-08a27c07b54a6340	c2	detractor	2	1	call	Ann		2026-01-01T04:00:00Z	top customer
T-08a28207b54a6d72	c4	passive	8	3	note	south	S2	2026-01-03T00:00:00Z	value ..100" ]
	# Rule 2's reason (empty) would be "score 0..3".
	run nps-route --rules "$BATS_TEST_TMPDIR/rules" -v value <<<"$(tsv 'response_id responded_at store region manager value score' 'c2 2026-01-01T00:00:00Z S1 north Ann 10 2')"
	[ "$(printf '%s\n' "$output" | tail -n 1 | cut -f 6,10)" = "$(printf 'remedy\tscore 0..3')" ]
}

@test "a rules file with a BOM and CRLF line ends is read" {
	printf '\xef\xbb\xbfaction\tsla_hours\tpriority\r\nlook\t1\t7\r\n' >"$BATS_TEST_TMPDIR/rules"
	run nps-route --rules "$BATS_TEST_TMPDIR/rules" <<<"$(tsv 'response_id responded_at store region score' 'a 2026-01-01T00:00:00Z S1 n 5')"
	[ "$status" -eq 0 ]
	[ "$output" = "$HEAD
$(tsv 'T-af63dc4c8601ec8c a detractor 5 7 look S1 n 2026-01-01T01:00:00Z any_response' | sed 's/any_response/any response/')" ]
}

@test "value high follows --high-value in a rules file" {
	tsv 'value action sla_hours priority' 'high vip 1 1' '* other 1 2' >"$BATS_TEST_TMPDIR/rules"
	[ "$(nps-route --rules "$BATS_TEST_TMPDIR/rules" -v customer_value "$data/route-values.tsv" | cut -f 2,6 | tail -n +2 | tr '\t\n' ': ')" = "v2:vip v3:vip v6:vip v8:vip v1:other v4:other v5:other v7:other " ]
	[ "$(nps-route --rules "$BATS_TEST_TMPDIR/rules" --high-value 1500.0011 -v customer_value "$data/route-values.tsv" | cut -f 2,6 | tail -n +2 | tr '\t\n' ': ')" = "v6:vip v1:other v2:other v3:other v4:other v5:other v7:other v8:other " ]
}

bad_rules() { # rules file content (printf format), expected message after FILE:
	printf "$1" >"$BATS_TEST_TMPDIR/rules"
	run --separate-stderr nps-route --rules "$BATS_TEST_TMPDIR/rules" "$data/route-segments.tsv"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-route: $BATS_TEST_TMPDIR/rules:$2" ]
	[ "$output" = "" ]
}

H='segment\tscore\tvalue\taction\tsla_hours\tpriority\n'

@test "bad rules: an unknown column" {
	bad_rules 'segment\tcolour\taction\tsla_hours\tpriority\n' '1: unknown column "colour" (known: segment, score, value, action, sla_hours, priority, owner, escalate, reason)'
	bad_rules '# c\n\nsegmnet\taction\tsla_hours\tpriority\n' '3: unknown column "segmnet" (known: segment, score, value, action, sla_hours, priority, owner, escalate, reason)'
}
@test "bad rules: a column twice, a required column missing" {
	bad_rules 'score\taction\tscore\tsla_hours\tpriority\n' '1: column "score" appears twice'
	bad_rules 'segment\taction\tpriority\n*\tx\t1\n' '1: no column "sla_hours" (needed: action, sla_hours, priority)'
}
@test "bad rules: a rule with too few or too many fields" {
	bad_rules "$H"'detractor\t*\t*\tcall\t24\n' '2: expected 6 fields, found 5'
	bad_rules "$H"'detractor\t*\t*\tcall\t24\t1\t\n' '2: expected 6 fields, found 7'
}
@test "bad rules: a bad segment" {
	bad_rules "$H"'detractors\t*\t*\tcall\t24\t1\n' '2: segment must be promoter, passive, detractor or * ("detractors")'
	bad_rules "$H"'\t*\t*\tcall\t24\t1\n' '2: segment must be promoter, passive, detractor or * ("")'
}
@test "bad rules: bad score ranges" {
	bad_rules "$H"'*\t7..11\t*\tcall\t24\t1\n' '2: score must be *, N or A..B with 0 <= A <= B <= 10 ("7..11")'
	bad_rules "$H"'*\t8..7\t*\tcall\t24\t1\n' '2: score must be *, N or A..B with 0 <= A <= B <= 10 ("8..7")'
	bad_rules "$H"'*\t5..\t*\tcall\t24\t1\n' '2: score must be *, N or A..B with 0 <= A <= B <= 10 ("5..")'
	bad_rules "$H"'*\t-1\t*\tcall\t24\t1\n' '2: score must be *, N or A..B with 0 <= A <= B <= 10 ("-1")'
	bad_rules "$H"'*\tlow\t*\tcall\t24\t1\n' '2: score must be *, N or A..B with 0 <= A <= B <= 10 ("low")'
}
@test "bad rules: bad value ranges" {
	bad_rules "$H"'*\t*\t9..1\tcall\t24\t1\n' '2: value must be *, high, A.., ..B or A..B with A < B ("9..1")'
	bad_rules "$H"'*\t*\t5..5\tcall\t24\t1\n' '2: value must be *, high, A.., ..B or A..B with A < B ("5..5")'
	bad_rules "$H"'*\t*\t..\tcall\t24\t1\n' '2: value must be *, high, A.., ..B or A..B with A < B ("..")'
	bad_rules "$H"'*\t*\t1000\tcall\t24\t1\n' '2: value must be *, high, A.., ..B or A..B with A < B ("1000")'
	bad_rules "$H"'*\t*\tlots..\tcall\t24\t1\n' '2: value must be *, high, A.., ..B or A..B with A < B ("lots..")'
}
@test "bad rules: a bad SLA, a bad priority, an empty action" {
	bad_rules "$H"'*\t*\t*\tcall\t24h\t1\n' '2: sla_hours must be an integer 0..1000000 ("24h")'
	bad_rules "$H"'*\t*\t*\tcall\t1000001\t1\n' '2: sla_hours must be an integer 0..1000000 ("1000001")'
	bad_rules "$H"'*\t*\t*\tcall\t-1\t1\n' '2: sla_hours must be an integer 0..1000000 ("-1")'
	bad_rules "$H"'*\t*\t*\tcall\t24\thigh\n' '2: priority must be an integer 0..999999 ("high")'
	bad_rules "$H"'*\t*\t*\tcall\t24\t1000000\n' '2: priority must be an integer 0..999999 ("1000000")'
	bad_rules "$H"'*\t*\t*\t \t24\t1\n' '2: action must not be empty'
}
@test "bad rules: a rule that can never match" {
	bad_rules "$H"'promoter\t0..6\t*\tcall\t24\t1\n' '2: rule can never match: no promoter has a score in 0..6'
	bad_rules "$H"'*\t0..6\t*\tcall\t24\t1\n# c\ndetractor\t2..3\t*\tcall\t24\t1\n' '4: rule can never match: the rule on line 2 takes every response it would'
	bad_rules "$H"'*\t*\t100..\tcall\t24\t1\n*\t*\t200..300\tcall\t24\t1\n' '3: rule can never match: the rule on line 2 takes every response it would'
	bad_rules "$H"'detractor\t*\t*\tcall\t24\t1\ndetractor\t*\thigh\tcall\t24\t1\n' '3: rule can never match: the rule on line 2 takes every response it would'
}
@test "bad rules: no rules at all, and garbage" {
	bad_rules '' ' no rules (a header line and at least one rule are needed)'
	bad_rules '# only\n# comments\n' ' no rules (a header line and at least one rule are needed)'
	bad_rules "$H" ' no rules (a header line and at least one rule are needed)'
	bad_rules '\x7fELF\x02\x01\x01\x00\x00\n' '1: unknown column "\x7fELF\x02\x01\x01\x00\x00" (known: segment, score, value, action, sla_hours, priority, owner, escalate, reason)'
	bad_rules 'action,sla_hours,priority\ncall,24,1\n' '1: unknown column "action,sla_hours,priority" (known: segment, score, value, action, sla_hours, priority, owner, escalate, reason)'
}
@test "bad rules: more than 1000 rules" {
	{ printf 'value\taction\tsla_hours\tpriority\n'; seq 0 1000 | awk '{ printf "%d..%d\tx\t1\t1\n", $1, $1 + 1 }'; } >"$BATS_TEST_TMPDIR/rules"
	run --separate-stderr nps-route --rules "$BATS_TEST_TMPDIR/rules" "$data/route-segments.tsv"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-route: $BATS_TEST_TMPDIR/rules:1002: more than 1000 rules" ]
}
@test "a rules file that cannot be opened exits 66" {
	run --separate-stderr nps-route --rules /nonexistent/rules.tsv "$data/route-segments.tsv"
	[ "$status" -eq 66 ]
	[ "$stderr" = "nps-route: cannot open /nonexistent/rules.tsv: No such file or directory" ]
}
@test "a rule naming a column the input lacks is a usage error" {
	printf 'action\tsla_hours\tpriority\towner\ncall\t1\t1\tmanager\n' >"$BATS_TEST_TMPDIR/rules"
	run --separate-stderr nps-route --rules "$BATS_TEST_TMPDIR/rules" "$data/route-segments.tsv"
	[ "$status" -eq 64 ]
	[ "$stderr" = "nps-route: $BATS_TEST_TMPDIR/rules:2: no column \"manager\" in $data/route-segments.tsv (columns: response_id, responded_at, region, store, channel, customer_value, score)" ]
}

bad_row() { # input line 2, expected message; columns: id time store region value score
	run --separate-stderr nps-route -v value <<<"$(printf 'id\ttime\tstore\tregion\tvalue\tscore\n%s\n' "$1")" -i id -t time
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-route: stdin:2: $2" ]
	# what was written before the bad row: the header only
	[ "$output" = "$(printf 'ticket_id\tresponse_id\tsegment\tscore\tpriority\taction\towner\tescalate_to\tdue_at\treason')" ]
}

@test "bad rows: a missing id" {
	bad_row $'\t2026-01-01\tS\tn\t1\t3' 'id must not be empty'
	bad_row $'  \t2026-01-01\tS\tn\t1\t3' 'id must not be empty'
}
@test "bad rows: a bad timestamp" {
	bad_row $'a\t2026-02-30\tS\tn\t1\t3' 'time must be a date or timestamp ("2026-02-30")'
	bad_row $'a\tyesterday\tS\tn\t1\t3' 'time must be a date or timestamp ("yesterday")'
	bad_row $'a\t\tS\tn\t1\t3' 'time must be a date or timestamp ("")'
	bad_row $'a\t2026-01-01T24:00:00Z\tS\tn\t1\t3' 'time must be a date or timestamp ("2026-01-01T24:00:00Z")'
	bad_row $'a\t2026-01-01T10:00:00+5\tS\tn\t1\t3' 'time must be a date or timestamp ("2026-01-01T10:00:00+5")'
}
@test "bad rows: a bad time of day on a date already seen" {
	for t in 2026-01-01T24:00:00Z 2026-01-01T10:60:00Z 2026-01-01T10:00:61Z 2026-01-01T1a:00:00Z; do
		run --separate-stderr nps-route <<<"$(tsv 'response_id responded_at store region score' \
			'a 2026-01-01T10:00:00Z S n 3' "b $t S n 3")"
		[ "$status" -eq 65 ]
		[ "$stderr" = "nps-route: stdin:3: responded_at must be a date or timestamp (\"$t\")" ]
	done
	# 23:59:60 (a leap second) is accepted: the next day's 00:00:00.
	run nps-route <<<"$(tsv 'response_id responded_at store region score' \
		'a 2026-06-30T10:00:00Z S n 3' 'b 2026-06-30T23:59:60Z S n 3')"
	[ "$(printf '%s\n' "$output" | tail -n 1 | cut -f 2,9)" = "$(printf 'b\t2026-07-02T00:00:00Z')" ]
}

@test "bad rows: a bad score" {
	bad_row $'a\t2026-01-01\tS\tn\t1\t11' 'score must be an integer 0..10 ("11")'
	bad_row $'a\t2026-01-01\tS\tn\t1\tabc' 'score must be an integer 0..10 ("abc")'
	bad_row $'a\t2026-01-01\tS\tn\t1\tNA' 'score must be an integer 0..10 ("NA")'
	bad_row $'a\t2026-01-01\tS\tn\t1\t9.5' 'score must be an integer 0..10 ("9.5")'
}
@test "bad rows: a bad customer value" {
	bad_row $'a\t2026-01-01\tS\tn\tlots\t3' 'value must be a number, empty or NA ("lots")'
	bad_row $'a\t2026-01-01\tS\tn\t1,5\t3' 'value must be a number, empty or NA ("1,5")'
	bad_row $'a\t2026-01-01\tS\tn\tinf\t3' 'value must be a number, empty or NA ("inf")'
}
@test "bad rows: too few or too many fields" {
	bad_row $'a\t2026-01-01\tS\tn\t1' 'expected 6 fields, found 5'
	bad_row $'a\t2026-01-01\tS\tn\t1\t3\tx' 'expected 6 fields, found 7'
}

@test "a segment column alone, or checked against the score" {
	run nps-route <<<"$(tsv 'response_id responded_at store region segment' \
		'a 2026-01-31T12:00:00+02:00 S1 n detractor' 'b 2026-12-31T23:30:00-01:00 S2 n promoter')"
	[ "$status" -eq 0 ]
	# a: 10:00Z +24 h; b: 2027-01-01T00:30Z +168 h. No score: empty.
	[ "$output" = "$HEAD
$(printf 'T-af63dc4c8601ec8c\ta\tdetractor\t\t2\tautomatic_remedy\tS1\tn\t2026-02-01T10:00:00Z\tdetractor')
$(printf 'T-af63df4c8601f1a5\tb\tpromoter\t\t6\tautomatic_remedy\tS2\tn\t2027-01-08T00:30:00Z\tpromoter')" ]
	run --separate-stderr nps-route <<<"$(tsv 'response_id responded_at store region segment' 'a 2026-01-01 S n promoters')"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-route: stdin:2: segment must be promoter, passive, detractor or unanswered ("promoters")' ]
	# nps-classify output: both columns, and they must agree.
	run nps-classify "$data/route-segments.tsv"
	printf '%s\n' "$output" | nps-route | cmp - "$data/route-segments.out"
	run --separate-stderr nps-route <<<"$(tsv 'response_id responded_at store region score segment' 'a 2026-01-01 S n 7 promoter')"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-route: stdin:2: segment does not match score 7 ("promoter")' ]
	# A rule with a score range needs a score: segment-only rows skip it.
	tsv 'score action sla_hours priority' '0..6 low 1 1' '* any 1 2' >"$BATS_TEST_TMPDIR/rules"
	[ "$(nps-route --rules "$BATS_TEST_TMPDIR/rules" <<<"$(tsv 'response_id responded_at store region segment' 'a 2026-01-01 S n detractor')" | tail -n 1 | cut -f 6)" = any ]
}

# Several questions (npskit(7)): nps-classify -s q1,q2 appends q1_segment
# q1_nps_points q2_segment q2_nps_points, and -s q1 picks the question,
# reading q1_segment checked against the score q1. a: q1 3 (detractor, +24 h,
# priority 2), q2 9 (promoter, +168 h, priority 6); b: q1 10 (promoter), q2
# unanswered (no ticket). No store or region: owners empty.
QQ_HEAD='response_id responded_at q1 q2 q1_segment q1_nps_points q2_segment q2_nps_points'
qq_input() {
	printf '%s\n' "${QQ_HEAD// /	}" \
		$'a\t2026-01-01T00:00:00Z\t3\t9\tdetractor\t-100\tpromoter\t100' \
		$'b\t2026-01-01T00:00:00Z\t10\t\tpromoter\t100\tunanswered\t'
}

@test "-s q1 reads the question's q1_segment, as nps-classify -s q1,q2 names it" {
	run nps-route -s q1 <<<"$(qq_input)"
	[ "$status" -eq 0 ]
	[ "$output" = "$HEAD
$(printf 'T-af63dc4c8601ec8c\ta\tdetractor\t3\t2\tautomatic_remedy\t\t\t2026-01-02T00:00:00Z\tdetractor')
$(printf 'T-af63df4c8601f1a5\tb\tpromoter\t10\t6\tautomatic_remedy\t\t\t2026-01-08T00:00:00Z\tpromoter')" ]
	run nps-route -s q2 <<<"$(qq_input)"
	[ "$status" -eq 0 ]
	[ "$output" = "$HEAD
$(printf 'T-af63dc4c8601ec8c\ta\tpromoter\t9\t6\tautomatic_remedy\t\t\t2026-01-08T00:00:00Z\tpromoter')" ]
	# The same columns as nps-classify writes them: the same bytes.
	qq_input | cut -f 1-4 | nps-classify -s q1,q2 | nps-route -s q2 >"$BATS_TEST_TMPDIR/piped"
	[ "$(cat "$BATS_TEST_TMPDIR/piped")" = "$output" ]
}

@test "-s q1 with q1_segment alone, or -s q1_segment: segments, no score" {
	for args in '-s q1' '-s q1_segment' '--score=q1_segment'; do
		run nps-route $args <<<"$(qq_input | cut -f 1,2,5-)"
		[ "$status" -eq 0 ]
		[ "$output" = "$HEAD
$(printf 'T-af63dc4c8601ec8c\ta\tdetractor\t\t2\tautomatic_remedy\t\t\t2026-01-02T00:00:00Z\tdetractor')
$(printf 'T-af63df4c8601f1a5\tb\tpromoter\t\t6\tautomatic_remedy\t\t\t2026-01-08T00:00:00Z\tpromoter')" ]
	done
	# One question (nps-classify -s likely): its segment is "segment".
	run --separate-stderr nps-route -s likely <<<"$(tsv 'response_id responded_at likely segment' 'a 2026-01-01 7 promoter')"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-route: stdin:2: segment does not match score 7 ("promoter")' ]
}

@test "-s q1: a q1_segment that is not a segment, or disagrees with q1, is a bad row" {
	run --separate-stderr nps-route -s q1 <<<"$(qq_input | sed '2s/detractor/passive/')"
	[ "$status" -eq 65 ]
	[ "$output" = "$(printf 'ticket_id\tresponse_id\tsegment\tscore\tpriority\taction\towner\tescalate_to\tdue_at\treason')" ]
	[ "$stderr" = 'nps-route: stdin:2: q1_segment does not match score 3 ("passive")' ]
	run --separate-stderr nps-route -s q1 <<<"$(qq_input | sed '3s/promoter/yes/')"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-route: stdin:3: q1_segment must be promoter, passive, detractor or unanswered ("yes")' ]
	run --separate-stderr nps-route -s q2 <<<"$(qq_input | sed '3s/unanswered/promoter/')"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-route: stdin:3: q2_segment does not match an empty score ("promoter")' ]
	run --separate-stderr nps-route -s q1 --rejects "$BATS_TEST_TMPDIR/rej" <<<"$(qq_input | sed '2s/detractor/passive/')"
	[ "$status" -eq 0 ]
	[ "$stderr" = "nps-route: 1 bad row written to $BATS_TEST_TMPDIR/rej" ]
	[ "$(cat "$BATS_TEST_TMPDIR/rej")" = "$(printf '%s\treject_reason\n' "${QQ_HEAD// /	}")
$(printf 'a\t2026-01-01T00:00:00Z\t3\t9\tpassive\t-100\tpromoter\t100\tq1_segment does not match score 3 ("passive")')" ]
}

@test "-s q3 with neither q3 nor q3_segment, or no -s on several questions: usage errors" {
	run --separate-stderr nps-route -s q3 <<<"$(qq_input)"
	[ "$status" -eq 64 ]
	[ "$output" = "" ]
	[ "$stderr" = "$(printf 'nps-route: no column "q3" or "q3_segment" in stdin (columns: response_id, responded_at, q1, q2, q1_segment, q1_nps_points, q2_segment, q2_nps_points)\nTry '"'"'nps-route --help'"'"' for more information.')" ]
	run --separate-stderr nps-route -s q1_segment <<<"$(qq_input | cut -f 1-4)"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-route: no column "q1_segment" in stdin (columns: response_id, responded_at, q1, q2)' ]
	run --separate-stderr nps-route <<<"$(qq_input)"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-route: no column segment or score, but q1_segment: name the question with -s q1' ]
}

@test "--rejects keeps going: rows in = tickets + rows rejected" {
	run --separate-stderr nps-route -v customer_value --rejects "$BATS_TEST_TMPDIR/rej" "$data/route-mixed.tsv"
	[ "$status" -eq 0 ]
	[ "$stderr" = "nps-route: 6 bad rows written to $BATS_TEST_TMPDIR/rej" ]
	[ "$output" = "$(cat "$data/route-mixed.out")" ]
	[ "$(cat "$BATS_TEST_TMPDIR/rej")" = "$(cat "$data/route-mixed.rej")" ]
	in=$(($(wc -l <"$data/route-mixed.tsv") - 1))
	out=$(($(printf '%s\n' "$output" | wc -l) - 1))
	rej=$(($(wc -l <"$BATS_TEST_TMPDIR/rej") - 1))
	[ "$in" -eq 11 ] && [ "$out" -eq 5 ] && [ "$rej" -eq 6 ]
	run --separate-stderr nps-route -v customer_value "$data/route-mixed.tsv"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-route: '"$data"'/route-mixed.tsv:3: response_id must not be empty' ]
}

@test "columns by option: -i -s -t -v --owner --escalate" {
	run nps-route -i rid -s likely -t at -v ltv --owner mgr --escalate boss <<<"$(tsv 'rid at likely ltv mgr boss' 'a 2026-01-01T00:00:00Z 9 5000 Ann Zoe')"
	[ "$status" -eq 0 ]
	[ "$output" = "$HEAD
$(tsv 'T-af63dc4c8601ec8c a promoter 9 5 personal_call Ann Zoe 2026-01-08T00:00:00Z high-value_promoter' | sed 's/_promoter/ promoter/')" ]
	run nps-route --id=rid --score=likely --time=at --value=ltv --owner= --escalate= <<<"$(tsv 'rid at likely ltv' 'a 2026-01-01T00:00:00Z 9 5')"
	[ "$status" -eq 0 ]
	[ "$output" = "$HEAD
$(tsv 'T-af63dc4c8601ec8c a promoter 9 6 automatic_remedy' | tr -d '\n')			2026-01-08T00:00:00Z	promoter" ]
}

@test "an owner or escalation column named and missing is a usage error listing the columns" {
	run --separate-stderr nps-route --owner store <<<"$(tsv 'response_id responded_at region score' 'a 2026-01-01 n 3')"
	[ "$status" -eq 64 ]
	[ "$stderr" = "$(printf 'nps-route: no column "store" in stdin (columns: response_id, responded_at, region, score)\nTry '"'"'nps-route --help'"'"' for more information.')" ]
	run --separate-stderr nps-route --owner x <<<"$(tsv 'response_id responded_at store score' 'a 2026-01-01 S 3')"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-route: no column "x" in stdin (columns: response_id, responded_at, store, score)' ]
	run --separate-stderr nps-route <<<"$(tsv 'response_id responded_at store region' 'a 2026-01-01 S n')"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-route: no column "score" or "segment" in stdin (columns: response_id, responded_at, store, region)' ]
	run --separate-stderr nps-route -v customer_value <<<"$(tsv 'response_id responded_at store region score' 'a 2026-01-01 S n 3')"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-route: no column "customer_value" in stdin (columns: response_id, responded_at, store, region, score)' ]
}

@test "owner values pass through as written, escapes and all" {
	run nps-route <<<"$(printf 'response_id\tresponded_at\tstore\tregion\tscore\na\t2026-01-01\tSt\\\\tore\\tX\tn\\\\\t0\n')"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | tail -n 1 | cut -f 7,8)" = "$(printf 'St\\\\tore\\tX\tn\\\\')" ]
}

@test "empty input gives empty output; a header alone gives the header" {
	run nps-route </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(printf 'response_id\tresponded_at\tstore\tregion\tscore\n' | nps-route | od -c)" = "$(printf '%s\n' "$HEAD" | od -c)" ]
}

@test "the man page examples run on the bundled sample" {
	cd "$BATS_TEST_DIRNAME/.."
	[ "$(nps-route -v customer_value examples/sample.tsv | head -n 5 | wc -l)" -eq 5 ]
	nps-classify examples/sample.tsv | nps-route -v customer_value --rejects "$BATS_TEST_TMPDIR/bad.tsv" >"$BATS_TEST_TMPDIR/t" 2>/dev/null
	[ "$(wc -l <"$BATS_TEST_TMPDIR/t")" -eq "$(wc -l <examples/sample.tsv)" ]
	nps-route --print-rules --high-value 1000 >"$BATS_TEST_TMPDIR/my-rules.tsv"
	nps-route --rules "$BATS_TEST_TMPDIR/my-rules.tsv" -v customer_value examples/sample.tsv >"$BATS_TEST_TMPDIR/t"
	run nps-route --rules examples/rules.tsv -v customer_value examples/sample.tsv
	[ "$status" -eq 0 ]
	# Ordinary promoters get no ticket; the first tickets are regional calls.
	[ "$(printf '%s\n' "$output" | sed -n 2p | cut -f 6,8)" = "$(printf 'regional_call\t')" ]
	[ "$(printf '%s\n' "$output" | awk -F '\t' '$3 == "promoter" && $6 != "thank_you_call"' | wc -l)" -eq 0 ]
	nps-route -v customer_value examples/sample.tsv | awk -F '\t' 'NR > 1 && $9 < "2025-02-01"' | cut -f 7 | sort | uniq -c >/dev/null
	# no time, store or region: due_at and owners empty, sla_hours last
	cut -f 1,7 examples/sample.tsv | nps-route | head -n 3 >"$BATS_TEST_TMPDIR/t"
	[ "$(awk -F '\t' 'NR == 1 { print $NF; next } { print $7 $8 $9 "|" $11 }' "$BATS_TEST_TMPDIR/t" | tr '\n' ' ')" = "sla_hours |24 |24 " ]
}

@test "a missing file exits 66" {
	run --separate-stderr nps-route /nonexistent/x.tsv
	[ "$status" -eq 66 ]
	[ "$stderr" = "nps-route: cannot open /nonexistent/x.tsv: No such file or directory" ]
}

@test "a failed write is exit 74, never a silent success" {
	run --separate-stderr bash -c "nps-route '$data/route-sla.tsv' >/dev/full"
	[ "$status" -eq 74 ]
	[ "$stderr" = "nps-route: write error on standard output: No space left on device" ]
	run --separate-stderr bash -c "nps-route --no-sort '$data/route-sla.tsv' >/dev/full"
	[ "$status" -eq 74 ]
	[ "$stderr" = "nps-route: write error on standard output: No space left on device" ]
	run --separate-stderr bash -c "nps-route --print-rules >/dev/full"
	[ "$status" -eq 74 ]
	[ "$stderr" = "nps-route: write error on standard output: No space left on device" ]
	run --separate-stderr nps-route --rejects /dev/full "$data/route-mixed.tsv"
	[ "$status" -eq 74 ]
	[ "$stderr" = "nps-route: write error on /dev/full: No space left on device" ]
}

@test "a closed pipe downstream ends the program quietly" {
	awk 'BEGIN { OFS = "\t"; print "response_id", "responded_at", "store", "region", "score"
		for (i = 0; i < 300000; i++) print "r" i, "2026-01-01T00:00:00Z", "S", "n", i % 11 }' >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr bash -c "nps-route '$BATS_TEST_TMPDIR/in' | head -n 1"
	[ "$status" -eq 0 ]
	[ "$output" = "$HEAD" ]
	[ "$stderr" = "" ]
}

@test "output is the same under a comma-decimal locale" {
	need locale-de; loc=$(comma_locale)
	[ "$(LC_ALL=$loc nps-route -v customer_value "$data/route-values.tsv")" = "$(nps-route -v customer_value "$data/route-values.tsv")" ]
}

@test "options: unknown, bad --high-value, --print-rules with --rules, --help, --version" {
	run --separate-stderr nps-route --bogus
	[ "$status" -eq 64 ]
	run --separate-stderr nps-route --high-value lots
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-route: --high-value must be a number ("lots")' ]
	run --separate-stderr nps-route --print-rules --rules x
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-route: --print-rules writes the built-in rules; it takes no --rules' ]
	run nps-route --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Usage: nps-route [options] [file ...]" ]
	run nps-route --version
	[ "$status" -eq 0 ]
	[ "$output" = "nps-route 0.1.0" ]
}

# Enough tickets for the sorted path's second thread (and its blocks and
# buckets): the same bytes as one thread, in the documented order, which
# sort(1) gives the unsorted tickets; also when most tickets share a due
# time (one bucket holds them) and ids are long.
@test "many tickets: one thread or two, the documented order" {
	gen-responses 200000 >"$BATS_TEST_TMPDIR/in"
	awk 'BEGIN { OFS = "\t"; print "response_id", "responded_at", "store", "region", "score"
		for (i = 0; i < 150000; i++)
			print "response-number-" (i * 7919 % 150000), (i % 10 ? "2026-01-01" : "2026-01-0" (1 + i % 9)), "S" (i % 50), "n", i % 11 }' >"$BATS_TEST_TMPDIR/skew"
	for f in in skew; do
		for v in "" "-v customer_value"; do
			[ "$f" = skew ] && [ -n "$v" ] && continue
			nps-route $v "$BATS_TEST_TMPDIR/$f" >"$BATS_TEST_TMPDIR/two"
			NPSKIT_THREADS=1 nps-route $v "$BATS_TEST_TMPDIR/$f" >"$BATS_TEST_TMPDIR/one"
			cmp "$BATS_TEST_TMPDIR/one" "$BATS_TEST_TMPDIR/two"
			{ echo "$HEAD"; nps-route --no-sort $v "$BATS_TEST_TMPDIR/$f" | tail -n +2 |
				LC_ALL=C sort -s -t $'\t' -k5,5n -k9,9 -k2,2; } >"$BATS_TEST_TMPDIR/sorted"
			cmp "$BATS_TEST_TMPDIR/sorted" "$BATS_TEST_TMPDIR/two"
		done
	done
	run --separate-stderr bash -c "nps-route '$BATS_TEST_TMPDIR/in' >/dev/full"
	[ "$status" -eq 74 ]
	[ "$stderr" = "nps-route: write error on standard output: No space left on device" ]
}

# Issue 18. 32,768 detractors of one time: one priority, one due time, so
# every ticket ties and the sorted writer's units are all in one bucket;
# the units after it are empty, and the second thread's one wrote nothing
# (under SAN=1, UBSan stopped the run: out_write(NULL, 0)). The writer
# skips n == 0 itself now (lib/out.h), the caller no longer checks: under
# SAN=1 this tests both. The order of ties is the response id's bytes,
# which sort(1) gives independently.
@test "32,768 tickets with one priority and one due time are written whole, in id order" {
	awk 'BEGIN { OFS = "\t"; print "response_id", "responded_at", "store", "region", "score"
		for (i = 0; i < 32768; i++) print "r" (i * 7919 % 32768), "2026-05-01T08:00:00Z", "S", "n", 3 }' >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr nps-route "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/sorted"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/sorted")" -eq 32769 ]
	{ echo "$HEAD"; nps-route --no-sort "$BATS_TEST_TMPDIR/in" | tail -n +2 | LC_ALL=C sort -t $'\t' -k2,2; } |
		cmp - "$BATS_TEST_TMPDIR/sorted"
	# every line the same but for the ids: detractor, priority 2, +24 h
	[ "$(cut -f 3- "$BATS_TEST_TMPDIR/sorted" | tail -n +2 | sort -u)" = "$(tsv 'detractor 3 2 automatic_remedy S n 2026-05-02T08:00:00Z detractor')" ]
}

# Issue 18: an owner of 17 MB stopped the sorted run with exit 65 and no
# FILE:LINE (the store kept owners of at most 16 MB). No limit short of
# memory: it is written whole, sorted as unsorted.
@test "an owner field of 17 MB is written whole, sorted or not" {
	awk 'BEGIN { OFS = "\t"; big = "x"; while (length(big) < 17 * 1024 * 1024) big = big big
		big = substr(big, 1, 17 * 1024 * 1024)
		print "response_id", "responded_at", "store", "region", "score"
		print "b", "2026-01-01", "S1", "n", 0
		print "a", "2026-01-01", big, "n", 0 }' >"$BATS_TEST_TMPDIR/in"
	nps-route "$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/sorted"
	[ "$(cut -f 2 "$BATS_TEST_TMPDIR/sorted" | tr '\n' ' ')" = "response_id a b " ]
	[ "$(sed -n 2p "$BATS_TEST_TMPDIR/sorted" | cut -f 7 | wc -c)" -eq $((17 * 1024 * 1024 + 1)) ]
	{ echo "$HEAD"; nps-route --no-sort "$BATS_TEST_TMPDIR/in" | tail -n +2 | LC_ALL=C sort -t $'\t' -k2,2; } |
		cmp - "$BATS_TEST_TMPDIR/sorted"
}

# Issue 18: a due time past 9999-12-31T23:59:59Z was written with a
# five-digit year (10000-01-01T...), which no reader of ISO dates takes
# back. Such a row is bad: its due time cannot be written. Response times
# stop at year 9998 (npskit(7)), so a long SLA takes it there: 9000 h =
# 375 days, and 9998-12-21T23:59:59Z + 375 days = 9999-12-31T23:59:59Z,
# the last second that can be written, accepted; a second later is not.
@test "a due time past year 9999 is a bad row; the last second of 9999 is not" {
	tsv 'action sla_hours priority' 'call 9000 1' >"$BATS_TEST_TMPDIR/rules"
	in=$(tsv 'response_id responded_at store region score' \
		'a 9998-12-21T23:59:59Z S n 0' 'b 9998-12-22T00:00:00Z S n 0')
	run --separate-stderr nps-route --rules "$BATS_TEST_TMPDIR/rules" <<<"$in"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-route: stdin:3: responded_at + 9000 hours is past 9999-12-31T23:59:59Z, the last due_at that can be written ("9998-12-22T00:00:00Z")' ]
	run --separate-stderr nps-route --rules "$BATS_TEST_TMPDIR/rules" --rejects "$BATS_TEST_TMPDIR/rej" <<<"$in"
	[ "$status" -eq 0 ]
	[ "$output" = "$HEAD
$(tsv 'T-af63dc4c8601ec8c a detractor 0 1 call S n 9999-12-31T23:59:59Z any_response' | sed 's/any_response/any response/')" ]
	[ "$(cut -f 1,6 "$BATS_TEST_TMPDIR/rej" | tail -n 1)" = "$(printf 'b\tresponded_at + 9000 hours is past 9999-12-31T23:59:59Z, the last due_at that can be written ("9998-12-22T00:00:00Z")')" ]
}

# Issue 13: no assumed layout. Without the default time column the tickets
# have no due_at (empty) and say their SLA in a last column sla_hours; the
# order is then priority, SLA, id. Without store and region, owner and
# escalate_to are empty. No flag is needed for either.
# Ids: "a" T-af63dc4c8601ec8c, "b" T-af63df4c8601f1a5, "foobar"
# T-85944171f73967e8 (FNV-1a 64, above). a (0) and foobar (3): detractors,
# priority 2, 24 h; b (7): passive, priority 4, 72 h.
@test "no time column: due_at empty, sla_hours written; no store or region: owner and escalation empty" {
	in=$(tsv 'response_id channel score' 'b web 7' 'foobar app 3' 'a web 0')
	run --separate-stderr nps-route <<<"$in"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "$output" = "$(printf '%s\tsla_hours\n' "$HEAD"
printf 'T-af63dc4c8601ec8c\ta\tdetractor\t0\t2\tautomatic_remedy\t\t\t\tdetractor\t24\n'
printf 'T-85944171f73967e8\tfoobar\tdetractor\t3\t2\tautomatic_remedy\t\t\t\tdetractor\t24\n'
printf 'T-af63df4c8601f1a5\tb\tpassive\t7\t4\tautomatic_remedy\t\t\t\tpassive\t72')" ]
	# --no-sort: the same lines, in input order
	[ "$(nps-route --no-sort <<<"$in" | cut -f 2,11 | tr '\n' ' ')" = "$(printf 'response_id\tsla_hours b\t72 foobar\t24 a\t24 ')" ]
	# a rule's SLA orders tickets of one priority: 48 h after 1 h
	tsv 'segment action sla_hours priority' 'promoter thank 48 1' 'detractor call 1 1' >"$BATS_TEST_TMPDIR/rules"
	[ "$(nps-route --rules "$BATS_TEST_TMPDIR/rules" <<<"$(tsv 'response_id score' 'p 10' 'q 0')" | cut -f 2,11 | tr '\n' ' ')" = "$(printf 'response_id\tsla_hours q\t1 p\t48 ')" ]
	# a time column named with -t must be there
	run --separate-stderr nps-route -t responded_at <<<"$in"
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = 'nps-route: no column "responded_at" in stdin (columns: response_id, channel, score)' ]
}

# Issue 13 and npskit(7): an empty score (nothing, or spaces) is a question
# not answered, as is the segment "unanswered" that nps-classify writes for
# it: no ticket, and not a bad row. A segment that disagrees still is.
@test "unanswered responses get no ticket and are not bad rows" {
	run --separate-stderr nps-route --rejects "$BATS_TEST_TMPDIR/rej" <<<"$(printf 'response_id\tresponded_at\tstore\tregion\tscore\na\t2026-01-01\tS\tn\t\nb\t2026-01-01\tS\tn\t  \nc\t2026-01-01\tS\tn\t0\n')"
	[ "$status" -eq 0 ]
	[ "$stderr" = "nps-route: 0 bad rows written to $BATS_TEST_TMPDIR/rej" ]
	[ "$(printf '%s\n' "$output" | cut -f 2 | tr '\n' ' ')" = "response_id c " ]
	[ "$(cat "$BATS_TEST_TMPDIR/rej")" = "$(tsv 'response_id responded_at store region score reject_reason')" ]
	# nps-classify's output: score empty, segment unanswered, nps_points empty
	run --separate-stderr nps-route <<<"$(printf 'response_id\tresponded_at\tstore\tregion\tscore\tsegment\tnps_points\na\t2026-01-01\tS\tn\t\tunanswered\t\nc\t2026-01-01\tS\tn\t0\tdetractor\t-100\n')"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | cut -f 2 | tr '\n' ' ')" = "response_id c " ]
	# a segment alone
	run --separate-stderr nps-route <<<"$(tsv 'response_id responded_at store region segment' 'a 2026-01-01 S n unanswered' 'c 2026-01-01 S n detractor')"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | cut -f 2 | tr '\n' ' ')" = "response_id c " ]
	# the rest of an unanswered row is checked all the same
	run --separate-stderr nps-route <<<"$(printf 'response_id\tresponded_at\tstore\tregion\tscore\na\t2026-02-30\tS\tn\t\n')"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-route: stdin:2: responded_at must be a date or timestamp ("2026-02-30")' ]
	# disagreeing: bad rows
	run --separate-stderr nps-route <<<"$(printf 'response_id\tresponded_at\tstore\tregion\tscore\tsegment\na\t2026-01-01\tS\tn\t\tdetractor\n')"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-route: stdin:2: segment does not match an empty score ("detractor")' ]
	run --separate-stderr nps-route <<<"$(printf 'response_id\tresponded_at\tstore\tregion\tscore\tsegment\na\t2026-01-01\tS\tn\t7\tunanswered\n')"
	[ "$status" -eq 65 ]
	[ "$stderr" = 'nps-route: stdin:2: segment does not match score 7 ("unanswered")' ]
}

# Found by the route fuzz target: a rule whose owner column name began
# with a NUL byte was taken for "none" and its copy leaked; a NUL byte
# would cut any such name short. It is a bad rule, as other bad fields.
@test "bad rules: an owner or escalate column name with a NUL byte" {
	printf 'action\tsla_hours\tpriority\towner\ncall\t1\t1\t\0-\n' >"$BATS_TEST_TMPDIR/rules"
	run --separate-stderr nps-route --rules "$BATS_TEST_TMPDIR/rules" "$data/route-segments.tsv"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-route: $BATS_TEST_TMPDIR/rules:2: owner must be a column name, without NUL bytes (\"\\x00-\")" ]
	printf 'action\tsla_hours\tpriority\tescalate\ncall\t1\t1\tboss\0\n' >"$BATS_TEST_TMPDIR/rules"
	run --separate-stderr nps-route --rules "$BATS_TEST_TMPDIR/rules" "$data/route-segments.tsv"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-route: $BATS_TEST_TMPDIR/rules:2: escalate must be a column name, without NUL bytes (\"boss\\x00\")" ]
}

#!/usr/bin/env bats
# The "done when" case of real responses: a help-desk export
# (tests/data/helpdesk.tsv) with six questions, about half of them
# unanswered, 12 customers who answered twice with the rows out of time
# order and timestamps in four offsets, data from Wednesday 2026-01-07
# (so 2026-W02 is partial) to Sunday 2026-02-01. Only the columns are
# named; the answers come from tests/helpdesk-ref.py, which works them
# out from the definitions alone, through nps-baseline and nps-route too.
load helper

H='period	n	promoters	passives	detractors	nps	se	unanswered	response_rate	first_date	last_date	partial'

classified() {
	nps-classify -s q1,q2,q3,q4,q5,q6 -u customer --keep latest -t created_at "$data/helpdesk.tsv"
}

@test "help desk: classify all six questions, one row per customer, the latest" {
	run --separate-stderr classified
	[ "$status" -eq 0 ]
	[ "$stderr" = 'nps-classify: 12 duplicates (-u customer) removed' ]
	# 64 rows in, 52 customers out; twelve new columns after the ten
	[ "${#lines[@]}" -eq 53 ]
	[ "$(printf '%s\n' "${lines[0]}" | cut -f 11-)" = "$(printf 'q1_segment\tq1_nps_points\tq2_segment\tq2_nps_points\tq3_segment\tq3_nps_points\tq4_segment\tq4_nps_points\tq5_segment\tq5_nps_points\tq6_segment\tq6_nps_points')" ]
}

@test "help desk: NPS, response rate and partial weeks of each question are the independent answers" {
	need python3
	classified 2>/dev/null >"$BATS_TEST_TMPDIR/c"
	for q in q1 q2 q3 q4 q5 q6; do
		got=$(nps-agg -s "$q" -t created_at -p week "$BATS_TEST_TMPDIR/c" | cut -f 1-5,9,10,13-)
		want=$(printf '%s\n' "$H"; python3 "$BATS_TEST_DIRNAME/helpdesk-ref.py" "$data/helpdesk.tsv" "$q")
		[ "$got" = "$want" ] || { echo "$q:"; diff <(echo "$want") <(echo "$got"); false; }
	done
	got=$(nps-agg -g agent -s q1 -t created_at -p week "$BATS_TEST_TMPDIR/c" | cut -f 1-6,10,11,14-)
	want=$(printf 'agent\t%s\n' "$H"; python3 "$BATS_TEST_DIRNAME/helpdesk-ref.py" "$data/helpdesk.tsv" q1 agent)
	[ "$got" = "$want" ] || { diff <(echo "$want") <(echo "$got"); false; }
}

@test "help desk: shards by week merge into the single-pass bytes" {
	classified 2>/dev/null >"$BATS_TEST_TMPDIR/c"
	nps-agg -g agent -s q1 -t created_at -p week "$BATS_TEST_TMPDIR/c" >"$BATS_TEST_TMPDIR/one"
	for w in 01-0 01-1 01-2 01-3 02-0; do
		awk -F '\t' -v w="2026-$w" 'NR == 1 || index($4, w) == 1' "$BATS_TEST_TMPDIR/c" |
			nps-agg -g agent -s q1 -t created_at -p week
	done | nps-agg --merge -g agent | cmp - "$BATS_TEST_TMPDIR/one"
}

# nps-baseline on each question's weeks: the partial first week 2026-W02
# is flagged partial, not judged, and is no part of the history (so
# 2026-W03 has no expectation either); the three whole weeks are too few
# to judge (insufficient_history). Columns: period expected seasonal
# adjusted residual flag.
B='period	expected	seasonal	adjusted	residual	flag'

@test "help desk: nps-baseline flags the partial first week partial, and the whole weeks are the independent answers" {
	need python3
	classified 2>/dev/null >"$BATS_TEST_TMPDIR/c"
	for q in q1 q2 q3 q4 q5 q6; do
		got=$(nps-agg -s "$q" -t created_at -p week "$BATS_TEST_TMPDIR/c" | nps-baseline | cut -f 1,18,19,21,22,26)
		want=$(printf '%s\n' "$B"; python3 "$BATS_TEST_DIRNAME/helpdesk-ref.py" --baseline "$data/helpdesk.tsv" "$q")
		[ "$got" = "$want" ] || { echo "$q:"; diff <(echo "$want") <(echo "$got"); false; }
		[ "$(printf '%s\n' "$got" | sed -n 2p | cut -f 1,6)" = "$(printf '2026-W02\tpartial')" ]
	done
}

# nps-route on the classified rows, each question in turn: one ticket per
# customer who answered it (an unanswered question gets none), owned by the
# agent, due by the built-in closed loop; the tickets are those the
# reference works out, and their segments add up to the weeks' counts.
T='ticket_id	response_id	segment	score	priority	action	owner	escalate_to	due_at	reason'

@test "help desk: nps-route gives each answered question a ticket, an unanswered one none: the independent tickets" {
	need python3
	classified 2>/dev/null >"$BATS_TEST_TMPDIR/c"
	for q in q1 q2 q3 q4 q5 q6; do
		nps-route -s "$q" -i ticket -t created_at --owner agent "$BATS_TEST_TMPDIR/c" >"$BATS_TEST_TMPDIR/t"
		want=$(printf '%s\n' "$T"; python3 "$BATS_TEST_DIRNAME/helpdesk-ref.py" --tickets "$data/helpdesk.tsv" "$q")
		[ "$(cat "$BATS_TEST_TMPDIR/t")" = "$want" ] || { echo "$q:"; diff <(echo "$want") "$BATS_TEST_TMPDIR/t"; false; }
		# tickets by segment = the weeks' promoters, passives, detractors;
		# tickets + unanswered = the 52 customers
		got=$(awk -F '\t' 'NR > 1 { n[$3]++ } END { print n["promoter"] + 0, n["passive"] + 0, n["detractor"] + 0, NR - 1 }' "$BATS_TEST_TMPDIR/t")
		want=$(python3 "$BATS_TEST_DIRNAME/helpdesk-ref.py" "$data/helpdesk.tsv" "$q" |
			awk -F '\t' '{ p += $3; a += $4; d += $5; n += $2; u += $8 } END { print p, a, d, n; if (n + u != 52) print "not 52 customers" }')
		[ "$got" = "$want" ] || { echo "$q: $got, want $want"; false; }
	done
}

# The same export as the survey tool writes it (tests/data/helpdesk.csv:
# CSV, CRLF, long question titles, N/A for an unanswered question, local
# times day-first with their offset): import, naming the columns and the
# date's format, then the same pipe gives the same independent answers.
@test "help desk from the CSV export: import -> classify -> agg -> baseline, and -> route, give the independent answers" {
	need python3
	nps-import -r 'Ticket ID=ticket' -r 'Customer=customer' -r 'Agent=agent' -r 'Created=created_at' \
		-r '/^How likely/=q1' -r '/^Speed/=q2' -r '/^Knowledge/=q3' -r '/^Courtesy/=q4' \
		-r '/^Resolution/=q5' -r '/^Ease/=q6' --date 'created_at=%d/%m/%Y %H:%M:%S%z' \
		"$data/helpdesk.csv" >"$BATS_TEST_TMPDIR/in.tsv"
	nps-classify -s q1,q2,q3,q4,q5,q6 -u customer --keep latest -t created_at "$BATS_TEST_TMPDIR/in.tsv" \
		2>/dev/null >"$BATS_TEST_TMPDIR/c"
	for q in q1 q2 q3 q4 q5 q6; do
		nps-agg -s "$q" -t created_at -p week "$BATS_TEST_TMPDIR/c" >"$BATS_TEST_TMPDIR/agg"
		got=$(cut -f 1-5,9,10,13- "$BATS_TEST_TMPDIR/agg")
		want=$(printf '%s\n' "$H"; python3 "$BATS_TEST_DIRNAME/helpdesk-ref.py" "$data/helpdesk.tsv" "$q")
		[ "$got" = "$want" ] || { echo "$q:"; diff <(echo "$want") <(echo "$got"); false; }
		got=$(nps-baseline "$BATS_TEST_TMPDIR/agg" | cut -f 1,18,19,21,22,26)
		want=$(printf '%s\n' "$B"; python3 "$BATS_TEST_DIRNAME/helpdesk-ref.py" --baseline "$data/helpdesk.tsv" "$q")
		[ "$got" = "$want" ] || { echo "$q baseline:"; diff <(echo "$want") <(echo "$got"); false; }
		got=$(nps-route -s "$q" -i ticket -t created_at --owner agent "$BATS_TEST_TMPDIR/c")
		want=$(printf '%s\n' "$T"; python3 "$BATS_TEST_DIRNAME/helpdesk-ref.py" --tickets "$data/helpdesk.tsv" "$q")
		[ "$got" = "$want" ] || { echo "$q tickets:"; diff <(echo "$want") <(echo "$got"); false; }
	done
}

#!/usr/bin/env bats
# nps-themes: every expected output below is worked out by hand from the
# dictionary tests/data/themes-dict.tsv (theme order: price, wait_time,
# staff, service, customer_service, delivery).
load helper

dict="$data/themes-dict.tsv"

# themes TEXT...: the themes and theme columns for each text, "themes|theme"
# one a line.
themes() {
	{ printf 'comment\n'; printf '%s\n' "$@"; } |
		nps-themes --themes "$dict" | tail -n +2 | cut -f 2,3 | tr '\t' '|'
}

@test "the row is kept and themes, theme appended; other when nothing matches" {
	run nps-themes --themes "$dict" <<<"$(printf 'id\tcomment\n1\tToo expensive, and rude staff\n2\tnothing to say\n3\t\n')"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'id\tcomment\tthemes\ttheme\n1\tToo expensive, and rude staff\tprice;staff\tprice\n2\tnothing to say\tother\tother\n3\t\tother\tother')" ]
}

@test "themes come in dictionary order, whatever the order in the text" {
	[ "$(themes 'rude staff, long wait, high price')" = "price;wait_time;staff|price" ]
}

@test "case and Latin accents are folded: très = tres = TRES, Œ = oe" {
	printf 'theme\tphrase\nq\ttrès lent\nr\tcoeur\ns\tGRÜN\n' >"$BATS_TEST_TMPDIR/d"
	run nps-themes --themes "$BATS_TEST_TMPDIR/d" <<<"$(printf 'comment\ntres lent\nTRES LENT\nTrès  lent\nCŒUR\ngrun\nGrün\n')"
	[ "$(printf '%s\n' "$output" | cut -f 2 | tail -n +2 | paste -sd ' ')" = "q q q r s s" ]
}

@test "spaced scripts match on word bounds; a phrase with * matches as a word prefix" {
	# price: not in priceless or prices; wait*: waiting, waited, wait
	[ "$(themes 'priceless' 'prices' 'price!' 'waiting' "l'attente" 'attentes' 'livraisons')" = \
		"$(printf 'other|other\nother|other\nprice|price\nwait_time|wait_time\nwait_time|wait_time\nother|other\ndelivery|delivery')" ]
}

@test "Chinese phrases match as plain substrings" {
	[ "$(themes '价格太贵了' '服务态度很差' '太贵')" = "$(printf 'price|price\nstaff|staff\nprice|price')" ]
}

@test "the longest of overlapping phrases wins: customer service is not also service" {
	[ "$(themes 'customer service was slow' 'the service was slow' 'customer service, and the service')" = \
		"$(printf 'customer_service|customer_service\nservice|service\nservice;customer_service|service')" ]
}

@test "an exclusion phrase (-price match) drops its theme from the text" {
	[ "$(themes 'they did a price match' 'price match, but expensive')" = "$(printf 'other|other\nother|other')" ]
}

@test "negation before a phrase, in its clause: theme:negated, and theme skips it" {
	[ "$(themes 'not expensive' "wasn't expensive at all" 'never rude' 'no wait' \
		'pas cher' "n'est pas cher" 'jamais cher' 'aucune attente' 'sans attente' \
		'不贵' '没有态度' '别等了' '未等了')" = "$(printf 'price:negated|other\n%.0s' 1 2)$(printf '\nstaff:negated|other\nwait_time:negated|other')$(printf '\nprice:negated|other%.0s' 1 2 3)$(printf '\nwait_time:negated|other%.0s' 1 2)$(printf '\nprice:negated|other\nstaff:negated|other\nwait_time:negated|other\nwait_time:negated|other')" ]
}

@test "negation stops at the clause: punctuation, but, mais, 但, and three words back" {
	# not at all the expensive: the, all, at are the three words before
	[ "$(themes 'not cheap, expensive' 'not good but expensive' 'pas bien mais cher' \
		'不好，态度' '不行但态度' 'not at all the expensive' 'not the very expensive')" = \
		"$(printf 'price|price\nprice|price\nprice|price\nstaff|staff\nstaff|staff\nprice|price\nprice:negated|other')" ]
}

@test "Chinese words that contain a negator do not negate: 不错 特别 未来" {
	[ "$(themes '不错的态度' '特别贵' '未来贵')" = "$(printf 'staff|staff\nprice|price\nprice|price')" ]
}

@test "a negator negates the next phrase only: not expensive and rude staff" {
	[ "$(themes 'not expensive and rude staff' 'pas cher et personnel impoli')" = "$(printf 'price:negated;staff|staff\nprice:negated;staff|staff')" ]
}

@test "a theme found both negated and not is reported plainly" {
	[ "$(themes 'not expensive? no: expensive')" = "price|price" ]
}

@test "a phrase that holds a negator is matched as it is, not negated" {
	[ "$(themes '我没有收到' '一直没有收到')" = "$(printf 'delivery|delivery\ndelivery|delivery')" ]
}

@test "--spans: byte offsets of each match in the text, end exclusive" {
	# "Pas cher, mais l’attente" : P0 a1 s2 _3 c4..r7 ,8 _9 m10..s13 _14 l15
	# ’ is 3 bytes (16-18), attente 19..25: cher 4-8, attente 19-26.
	# "价格太贵了": 3 bytes a character, 贵 the fourth: 9-12.
	run nps-themes --themes "$dict" --spans <<<"$(printf 'comment\nPas cher, mais l’attente\n价格太贵了\nTRÈS cher\nfine\n')"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'comment\tthemes\ttheme\tspans\nPas cher, mais l’attente\tprice:negated;wait_time\twait_time\tprice:negated@4-8;wait_time@19-26\n价格太贵了\tprice\tprice\tprice@9-12\nTRÈS cher\tprice\tprice\tprice@6-10\nfine\tother\tother\t')" ]
}

@test "--long: a row per response and theme, other for none, so nps-agg -g theme counts them" {
	printf 'id\tscore\tcomment\n1\t2\texpensive and rude staff\n2\t9\tfine\n3\t4\ttoo expensive\n4\t10\tnot expensive\n' >"$BATS_TEST_TMPDIR/in"
	run nps-themes --themes "$dict" --long "$BATS_TEST_TMPDIR/in"
	[ "$output" = "$(printf 'id\tscore\tcomment\ttheme\n1\t2\texpensive and rude staff\tprice\n1\t2\texpensive and rude staff\tstaff\n2\t9\tfine\tother\n3\t4\ttoo expensive\tprice\n4\t10\tnot expensive\tprice:negated')" ]
	# price: responses 1 and 3, both detractors: n 2, NPS -100.
	run bash -c "nps-themes --themes '$dict' --long '$BATS_TEST_TMPDIR/in' | nps-agg -g theme | cut -f 1,2,9"
	[ "$output" = "$(printf 'theme\tn\tnps\nother\t1\t100.00\nprice\t2\t-100.00\nprice:negated\t1\t100.00\nstaff\t1\t-100.00')" ]
}

@test "--long --spans: each theme's own spans" {
	run nps-themes --themes "$dict" --long --spans <<<"$(printf 'comment\nrude staff, price\n')"
	[ "$output" = "$(printf 'comment\ttheme\tspans\nrude staff, price\tprice\tprice@12-17\nrude staff, price\tstaff\tstaff@0-4;staff@5-10')" ]
}

@test "-c names the text column; escapes \\t \\n in it are spaces" {
	run nps-themes --themes "$dict" -c why <<<"$(printf 'why\tcomment\nrude\\\\nstaff\tx\nwait\\\\tx\tx\n')"
	[ "$output" = "$(printf 'why\tcomment\tthemes\ttheme\nrude\\\\nstaff\tx\tstaff\tstaff\nwait\\\\tx\tx\twait_time\twait_time')" ]
}

@test "invalid UTF-8 in a text is passed through and matched bytewise" {
	printf 'comment\n\377expensive \303 rude\n\344\270\215\350\264\265\n' >"$BATS_TEST_TMPDIR/in"
	run nps-themes --themes "$dict" "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	printf 'comment\tthemes\ttheme\n\377expensive \303 rude\tprice;staff\tprice\n\344\270\215\350\264\265\tprice:negated\tother\n' >"$BATS_TEST_TMPDIR/want"
	nps-themes --themes "$dict" "$BATS_TEST_TMPDIR/in" | cmp - "$BATS_TEST_TMPDIR/want"
}

@test "--suggest: words, two-word phrases and Chinese bigrams of untagged texts, per response" {
	printf 'comment\nThe parking lot was full\nparking lot full, parking lot!\nexpensive parking\n停车位太少\n停车位不够\n' >"$BATS_TEST_TMPDIR/in"
	# Tagged (expensive): line 4, left out. parking: 2 responses; lot 2; full 2;
	# parking lot 2; lot full 1 (line 3: "lot full"; line 2 "lot was full" has
	# the stop word was between). 停车 2, 车位 2, 位太 1, 太少 1, 位不 1, 不够 1.
	run nps-themes --themes "$dict" --suggest 3 "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'kind\tphrase\tresponses\nword\tfull\t2\nword\tlot\t2\nword\tparking\t2\ntwo_words\tparking lot\t2\ntwo_words\tlot full\t1\ncjk_bigram\t停车\t2\ncjk_bigram\t车位\t2\ncjk_bigram\t不够\t1')" ]
}

@test "--suggest without a dictionary counts every text" {
	run nps-themes --suggest 1 <<<"$(printf 'comment\ntoo expensive\nexpensive\n')"
	[ "$output" = "$(printf 'kind\tphrase\tresponses\nword\texpensive\t2')" ]
}

# bad_dict CONTENT MESSAGE: the dictionary is rejected, exit 65.
bad_dict() {
	printf "$1" >"$BATS_TEST_TMPDIR/d"
	run --separate-stderr nps-themes --themes "$BATS_TEST_TMPDIR/d" <<<"$(printf 'comment\nx\n')"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-themes: $BATS_TEST_TMPDIR/d:$2" ]
	[ "$output" = "" ]
}

@test "a dictionary line without a phrase: FILE:LINE, 65" {
	bad_dict 'theme\tphrase\nprice\tcheap\nstaff\n' '3: a dictionary line needs a theme and a phrase (1 fields, the header has 2)'
}
@test "an empty phrase, or one of only - or *: FILE:LINE, 65" {
	bad_dict 'theme\tphrase\nprice\t\n' '2: the phrase is empty ("")'
	bad_dict 'theme\tphrase\nprice\t-*\n' '2: the phrase is empty ("-*")'
	bad_dict 'theme\tphrase\nprice\t  \n' '2: the phrase is empty ("  ")'
}
@test "invalid UTF-8 in the dictionary: FILE:LINE, 65" {
	bad_dict 'theme\tphrase\nprice\tcheap\nprice\tch\351r\n' '3: the phrase is not valid UTF-8 ("ch'$'\351''r")'
	bad_dict 'theme\tphrase\npr\300\257ice\tcheap\n' '2: the theme is not valid UTF-8 ("pr'$'\300\257''ice")'
}
@test "an empty theme, a theme named other or holding ; : a bad dictionary line" {
	bad_dict 'theme\tphrase\n\tcheap\n' '2: the theme is empty'
	bad_dict 'theme\tphrase\nother\tcheap\n' '2: the theme "other" is kept for texts with no theme'
	bad_dict 'theme\tphrase\na;b\tcheap\n' '2: a theme is a name without ; : @ or spaces ("a;b")'
}
@test "one phrase for two themes is an error naming both lines" {
	bad_dict 'theme\tphrase\nprice\tcheap\nstaff\tx\nvalue\tCHEAP\n' '4: the phrase "CHEAP" is also theme price'"'"'s, on line 2'
}
@test "the same phrase twice for one theme is fine" {
	printf 'theme\tphrase\nprice\tcheap\nprice\tcheap\n' >"$BATS_TEST_TMPDIR/d"
	run nps-themes --themes "$BATS_TEST_TMPDIR/d" <<<"$(printf 'comment\ncheap\n')"
	[ "$output" = "$(printf 'comment\tthemes\ttheme\ncheap\tprice\tprice')" ]
}
@test "a dictionary without theme and phrase columns, empty, or without phrases: 65" {
	printf 'name\tphrase\nprice\tcheap\n' >"$BATS_TEST_TMPDIR/d"
	run --separate-stderr nps-themes --themes "$BATS_TEST_TMPDIR/d" </dev/null
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-themes: $BATS_TEST_TMPDIR/d:1: the dictionary's header must name the columns theme and phrase" ]
	: >"$BATS_TEST_TMPDIR/d"
	run --separate-stderr nps-themes --themes "$BATS_TEST_TMPDIR/d" </dev/null
	[ "$status" -eq 65 ]
	printf 'theme\tphrase\n' >"$BATS_TEST_TMPDIR/d"
	run --separate-stderr nps-themes --themes "$BATS_TEST_TMPDIR/d" </dev/null
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-themes: $BATS_TEST_TMPDIR/d: the dictionary has no phrases" ]
}
@test "a dictionary that cannot be opened: 66" {
	run --separate-stderr nps-themes --themes "$BATS_TEST_TMPDIR/none" </dev/null
	[ "$status" -eq 66 ]
	[[ "$stderr" == "nps-themes: cannot open $BATS_TEST_TMPDIR/none: "* ]]
}

@test "usage errors: no dictionary, a bad --suggest, an unknown column: 64" {
	run --separate-stderr nps-themes <<<"comment"
	[ "$status" -eq 64 ]
	[[ "$stderr" == "nps-themes: --themes FILE is needed (or --suggest N)"* ]]
	run --separate-stderr nps-themes --suggest 0 <<<"comment"
	[ "$status" -eq 64 ]
	run --separate-stderr nps-themes --suggest x <<<"comment"
	[ "$status" -eq 64 ]
	run --separate-stderr nps-themes --suggest 3 --long <<<"comment"
	[ "$status" -eq 64 ]
	run --separate-stderr nps-themes --themes "$dict" -c why <<<"comment"
	[ "$status" -eq 64 ]
	run --separate-stderr nps-themes --themes "$dict" --bogus <<<"comment"
	[ "$status" -eq 64 ]
}

@test "a row of the wrong width stops the program (65), or goes to --rejects" {
	printf 'id\tcomment\n1\trude\n2\n3\tcher\n' >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr nps-themes --themes "$dict" "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 65 ]
	[ "$stderr" = "nps-themes: $BATS_TEST_TMPDIR/in:3: expected 2 fields, found 1" ]
	run --separate-stderr nps-themes --themes "$dict" --rejects "$BATS_TEST_TMPDIR/rej" "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'id\tcomment\tthemes\ttheme\n1\trude\tstaff\tstaff\n3\tcher\tprice\tprice')" ]
	[ "$(cat "$BATS_TEST_TMPDIR/rej")" = "$(printf 'id\tcomment\treject_reason\n2\texpected 2 fields, found 1')" ]
}

@test "a failed write exits 74; a closed pipe ends quietly" {
	run bash -c "nps-themes --themes '$dict' <<<\"\$(printf 'comment\nrude\n')\" >/dev/full"
	[ "$status" -eq 74 ]
	run bash -c "set -o pipefail; yes 'rude staff' | head -n 200000 | sed '1i comment' | nps-themes --themes '$dict' | head -n 1"
	[ "$output" = "$(printf 'comment\tthemes\ttheme')" ]
}

@test "empty input: no output" {
	run nps-themes --themes "$dict" </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

@test "nps-themes(1)'s accuracy table is what eval/themes/score.sh measures now" {
	run "$BATS_TEST_DIRNAME/../eval/themes/score.sh" -m
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 12 ]
	for l in "${lines[@]}"; do
		grep -qxF "$l" "$BATS_TEST_DIRNAME/../man/nps-themes.1.scd" || { echo "not in the man page: $l"; false; }
	done
	NPS_BIN="$bin" "$BATS_TEST_DIRNAME/../eval/themes/score.sh" | cmp - "$BATS_TEST_DIRNAME/../eval/themes/scores.tsv"
}

#!/usr/bin/env bats
# Three published Preppin' Data NPS challenges (tests/data/prepbench, MIT
# licence, README and LICENSE beside them), each export read by
# nps-import as it comes and run through the programs; the expected
# figures are read from each case's published answer file (output_*.csv)
# by awk, never from the programs.
load helper

pb="$BATS_TEST_DIRNAME/data/prepbench"

# ---- case 040: Sudzilla, NPS of one event ----

# The answer key: "NPS Score,Total Respondents,Promoter,Detractor".
key040() { tr -d '\r' <"$pb/case_040_output_01.csv" | awk -F , 'NR == 2 { printf "%s %s %s %s", $2, $3, $4, $1 }'; }

@test "case 040 (Sudzilla): NPS -35.9 from 39 respondents, 8 promoters, 22 detractors" {
	[ "$(key040)" = "39 8 22 -35.9" ]
	local f
	# both exports: M/D/Y 12-hour times with CRLF, and ISO-like with LF
	for f in case_040_input_01.csv case_040_input_02.csv; do
		run --separate-stderr bash -c 'nps-import -r "/^On a scale of 0-10, how would you rate Sudzilla/=score" --keep score "$1" |
			nps-agg --precision 1' bash "$pb/$f"
		[ "$status" -eq 0 ]
		[ "$(printf '%s\n' "$output" | awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			{ printf "%s %s %s %s", $c["n"], $c["promoters"], $c["detractors"], $c["nps"] }')" = "$(key040)" ]
	done
}

@test "case 040: the two exports' timestamps agree once --date has read each" {
	nps-import --keep Timestamp --date 'Timestamp=%m/%d/%Y %H:%M:%S' "$pb/case_040_input_01.csv" >"$BATS_TEST_TMPDIR/a"
	nps-import --keep Timestamp --date 'Timestamp=%Y-%m-%d %H:%M:%S.%f' "$pb/case_040_input_02.csv" |
		sed 's/\.[0-9]*$//' >"$BATS_TEST_TMPDIR/b"
	# the second export has one more row than the first: every row of the
	# first is in it, in order
	[ "$(sed -n 2p "$BATS_TEST_TMPDIR/a")" = "2019-11-01T08:51:12" ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/a")" -eq 40 ]
	grep -c -x -F -f "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b" | grep -qx 40
}

# ---- case 122: airlines, NPS per airline and Prep Air's z-score ----

@test "case 122 (airlines): Prep Air NPS 21 and z 1.12 with the key's floored shares; 21.20 exact" {
	[ "$(tr -d '\r' <"$pb/case_122_output_01.csv" | sed -n 2p)" = "Prep Air,21,1.12" ]
	# Airline names hold commas ("Schmeler, Schimmel and Collier"); the two
	# exports are read as one stream; airlines with fewer than 50 answers
	# are left out (low_n); the key floors each share before subtracting
	# (its query says so) and divides by the sample standard deviation.
	run --separate-stderr bash -c 'nps-import -r "How likely*=score" "$1" "$2" | nps-agg -g Airline --min-n 50' \
		bash "$pb/case_122_input_01.csv" "$pb/case_122_input_02.csv"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/agg"
	zscore() { # floor|exact: "NPS Z" of Prep Air among the airlines kept
		awk -F '\t' -v how="$1" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			$c["low_n"] == 0 { k++; n = $c["n"]; p = $c["promoters"]; d = $c["detractors"]
				v[k] = how == "floor" ? int(100 * p / n) - int(100 * d / n) : 100 * (p - d) / n
				if ($c["Airline"] == "Prep Air") me = k; s += v[k] }
			END { m = s / k; for (i = 1; i <= k; i++) q += (v[i] - m) ^ 2
				printf "%.2f %.2f", v[me], (v[me] - m) / sqrt(q / (k - 1)) }' "$BATS_TEST_TMPDIR/agg"
	}
	[ "$(zscore floor)" = "21.00 1.12" ]
	# nps-agg's own figure for Prep Air: 74 promoters, 35 detractors of 184
	# = 100 * 39 / 184 = 21.20 (the key's 21 is 40 - 19 after flooring)
	[ "$(awk -F '\t' '$1 == "Prep Air" { print $2, $3, $5, $9 }' "$BATS_TEST_TMPDIR/agg")" = "184 74 35 21.20" ]
	[ "$(zscore exact)" = "21.20 1.13" ]
	[ "$(awk -F '\t' 'NR > 1 && $NF == 0' "$BATS_TEST_TMPDIR/agg" | wc -l)" -eq 59 ]
}

# ---- case 050: C&BS Co, first and latest answer of each customer ----

# The key's rows as "country store name ISO-time result score", sorted:
# its dates are DD/MM/YYYY HH:MM:SS, turned around by awk.
key050_rows() {
	awk -F , 'NR > 1 { split($4, t, "[/ ]"); printf "%s\t%s\t%s\t%s-%s-%sT%s\t%s\t%s\n", $1, $2, $3, t[3], t[2], t[1], t[4], $5, $6 }' \
		"$pb/case_050_output_01.csv" | LC_ALL=C sort
}

# The export is one row per answer (question 1 the date, 2 the time, 3 the
# score). nps-import reads it; awk pivots it to one row per response and
# cleans the names the challenge asks to clean (country misspellings, a
# store's other name, ordinal suffixes); nps-import reads the date and the
# time with every format the export uses. nps-classify then keeps each
# customer's (country, store, name) earliest answer; the answers it
# removes (its --rejects, reason duplicate) hold, for each customer who
# answered more than once, the latest: their own --keep latest. Written
# as the key's columns: country store name completed result score.
pipeline050() {
	local -a dates=()
	local d t
	for d in '%d/%m/%Y' '%m/%d/%Y' '%d %b %Y' '%Y/%m/%d' '%Y-%m-%d'; do
		for t in '%H:%M' '%H%M' '%I.%M %p' '%I.%M%p'; do
			dates+=(--date "completed=$d $t")
		done
	done
	local w=$BATS_TEST_TMPDIR key=country,store,name
	nps-import "$pb/case_050_input_01.csv" |
		awk -F '\t' -v OFS='\t' '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{
			r = $c["Response"]; q = $c["Question Number"]
			if (!(r in country)) {
				order[++n] = r; country[r] = $c["Country"]; store[r] = $c["Store"]; name[r] = $c["Name"]
			}
			if (!((r, q) in answer)) answer[r, q] = $c["Answer"]
		}
		END {
			print "response", "country", "store", "name", "completed", "score"
			for (k = 1; k <= n; k++) {
				r = order[k]; co = country[r]; st = store[r]; day = answer[r, 1]
				if (co ~ /^(England|Ingland|Egland|Eggland|3ngland|ENGLAND)$/) co = "England"
				if (co ~ /^(Scotland|Sc0tland|Scottish)$/) co = "Scotland"
				if (co ~ /^(United State|United States)$/) co = "United States"
				if (co ~ /^(The Netherlands|Netherlands)$/) co = "Netherlands"
				if (st == "Amstelveen") st = "Amsterdam"
				while (match(day, /[0-9](st|nd|rd|th)/))
					day = substr(day, 1, RSTART) substr(day, RSTART + RLENGTH)
				print r, co, st, name[r], day " " answer[r, 2], answer[r, 3]
			}
		}' |
		nps-import -F tab "${dates[@]}" --rejects "$w/rej050" >"$w/responses050"
	nps-classify -u $key --keep earliest -t completed --rejects "$w/later050" \
		"$w/responses050" >"$w/first050" 2>"$w/stderr050"
	nps-classify -u $key --keep latest -t completed "$w/later050" >"$w/latest050" 2>/dev/null
	printf 'country\tstore\tname\tcompleted\tresult\tscore\n'
	cut -f 2-6 "$w/first050" | awk -F '\t' -v OFS='\t' 'NR > 1 { print $1, $2, $3, $4, "First", $5 }'
	cut -f 2-6 "$w/latest050" | awk -F '\t' -v OFS='\t' 'NR > 1 { print $1, $2, $3, $4, "Latest", $5 }'
}

@test "case 050 (C&BS Co): each customer's first and latest answer, as the key has them" {
	pipeline050 >"$BATS_TEST_TMPDIR/kept"
	[ "$(sed 1d "$BATS_TEST_TMPDIR/kept" | LC_ALL=C sort)" = "$(key050_rows)" ]
	[ "$(sed 1d "$BATS_TEST_TMPDIR/kept" | wc -l)" -eq 26 ]
	# 28 responses in the export, one set aside (below): 27 read; the key
	# has 20 customers (First) and 6 Latest rows, so 27 - 20 = 7 answers
	# are removed as duplicates (one customer answered three times), and
	# said so
	[ "$(($(wc -l <"$BATS_TEST_TMPDIR/responses050") - 1))" -eq 27 ]
	[ "$(cat "$BATS_TEST_TMPDIR/stderr050")" = "nps-classify: 7 duplicates (-u country,store,name) written to $BATS_TEST_TMPDIR/later050
nps-classify: 0 bad rows written to $BATS_TEST_TMPDIR/later050" ]
	[ "$(($(wc -l <"$BATS_TEST_TMPDIR/later050") - 1))" -eq 7 ]
	[ "$(awk -F '\t' 'NR > 1 { print substr($NF, 1, 10) }' "$BATS_TEST_TMPDIR/later050" | sort -u)" = "duplicate " ]
	# one answer's date cannot be read ("Monday - 13th Jan"): set aside, as
	# the key drops it
	[ "$(sed 1d "$BATS_TEST_TMPDIR/rej050" | cut -f 4)" = 'completed is not a date of the form %d/%m/%Y %H:%M or the others given ("Monday - 13 Jan 15:16")' ]
}

@test "case 050: NPS per country of the first and of the latest answers" {
	pipeline050 | nps-agg -g country,result >"$BATS_TEST_TMPDIR/agg"
	# from the key: per country and result, 100 * (promoters - detractors) / n
	expected=$(awk -F , 'NR > 1 { k = $1 "\t" $5; n[k]++; if ($6 >= 9) p[k]++; else if ($6 <= 6) d[k]++ }
		END { for (k in n) printf "%s\t%d\t%.2f\n", k, n[k], 100 * (p[k] - d[k]) / n[k] }' \
		"$pb/case_050_output_01.csv" | LC_ALL=C sort)
	[ "$(awk -F '\t' -v OFS='\t' 'NR > 1 { print $1, $2, $3, $10 }' "$BATS_TEST_TMPDIR/agg")" = "$expected" ]
	# England's first answers: 12 customers, NPS -16.67
	grep -qx $'England\tFirst\t12\t-16.67' <<<"$expected"
}

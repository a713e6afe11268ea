#!/usr/bin/env bats
# Replays the whole-program inputs that once crashed a fuzz target
# (fuzz/regressions/<program>-*) against the real programs, so `make check`
# and `make check SAN=1` keep them fixed without clang. The layout is
# fuzz/prog.h's: an optional "#! args" line ("@aux" is the auxiliary file;
# tokens with '/' dropped), for nps-baseline and nps-route the auxiliary
# file up to a line "%%", then the TSV input.
load helper

regressions="$BATS_TEST_DIRNAME/../fuzz/regressions"

# replay FILE PROGRAM [default args...]: runs it; sets status and stderr.
replay() {
	local f=$1 prog=$2 aux=none
	shift 2
	local -a args=("$@") tok=()
	local first
	first=$(head -n 1 "$f")
	local body="$BATS_TEST_TMPDIR/body"
	if [[ $first == '#!'* ]]; then
		read -r -a tok <<<"${first#\#!}"
		args=()
		tail -n +2 "$f" >"$body"
	else
		cp "$f" "$body"
	fi
	if [ "$prog" = nps-baseline ] || [ "$prog" = nps-route ] || [ "$prog" = nps-drivers ]; then
		if grep -qx '%%' "$body"; then
			aux="$BATS_TEST_TMPDIR/aux"
			sed '/^%%$/,$d' "$body" >"$aux"
			sed '1,/^%%$/d' "$body" >"$BATS_TEST_TMPDIR/in"
			mv "$BATS_TEST_TMPDIR/in" "$body"
		fi
	fi
	local t out=()
	for t in "${tok[@]}" "${args[@]}"; do
		[[ $t == */* ]] && continue
		if [ "$t" = @aux ]; then
			if [ "$aux" = none ]; then
				unset 'out[${#out[@]}-1]'
			else
				out+=("$aux")
			fi
		else
			out+=("$t")
		fi
	done
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr "$prog" "${out[@]}" "$body"
}

# Exits with one of the documented codes, without a sanitizer report.
clean_exit() {
	case $status in 0 | 64 | 65 | 66) ;; *) echo "exit $status: $stderr"; return 1 ;; esac
	if [[ $stderr == *Sanitizer* || $stderr == *"runtime error"* ]]; then
		echo "$stderr"
		return 1
	fi
}

@test "nps-baseline: unscoped events (null scopes buffer + 0 was undefined)" {
	replay "$regressions/baseline-unscoped-events-null-offset" nps-baseline \
		-g store --min-history 2 --events @aux
	clean_exit
	[ "$status" -eq 0 ]
	# 12 months of store A, one output row each after the header.
	[ "${#lines[@]}" -eq 13 ]
}

@test "every whole-program regression ends with a documented exit code, no sanitizer report" {
	local f p n=0
	for f in "$regressions"/*-*; do
		p=${f##*/}
		p=nps-${p%%-*}
		# the rest are lib targets (parse-*, tsv-*), not programs
		command -v "$p" >/dev/null || continue
		# without a "#!" line, the target's default arguments
		case $p in
		nps-agg) replay "$f" $p -g store ;;
		nps-baseline) replay "$f" $p -g store --min-history 2 --events @aux ;;
		nps-route) replay "$f" $p -v customer_value --rules @aux ;;
		nps-audit) replay "$f" $p -g store --min-n 1 ;;
		nps-drivers) replay "$f" $p -g store -d a,b,c --bootstrap 20 --buckets 4 --levels @aux ;;
		*) replay "$f" $p ;;
		esac
		clean_exit || { echo "$f"; false; }
		n=$((n + 1))
	done
	[ "$n" -ge 1 ]
}

@test "nps-audit --sample: a unit with only unanswered rows kept no row (qsort of NULL)" {
	replay "$regressions/audit-unanswered-only-unit-qsort-null" nps-audit
	clean_exit
	[ "$status" -eq 0 ]
	# 3 of 40 rows sampled, after the header; "E\0\0\0\0" and "A3" are units.
	[ "${#lines[@]}" -eq 4 ]
}

@test "nps-signif --trend on empty input: its group columns were leaked" {
	replay "$regressions/signif-trend-empty-input-leak" nps-signif
	clean_exit
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

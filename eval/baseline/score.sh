#!/bin/sh
# score.sh: scores nps-baseline's flags against the truth of gen.c's synthetic
# panel, side by side with two naive rules.
#
#   eval/baseline/score.sh [visible|fixed] [trend] [month|week|day] [SEED ...]
#
# Shifts "visible" (default) or "fixed" (see gen.c); seeds default to 1 2 3,
# each 80 stores x 36 months (weeks: 50 stores x 156 weeks; days: 50 stores
# x 90 days). The programs come from NPS_BIN (default: build/ of this
# repository). A store-period is scored once its store has 8 earlier
# periods (nps-baseline's --min-history), the same cells for every method.
# Prints one table; the same arguments give the same bytes.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${NPS_BIN:-$here/../../build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${CC:-cc} -O2 -std=c11 -Wall -o "$tmp/gen" "$here/gen.c" -lm
shifts=visible
case ${1:-} in visible|fixed) shifts=$1; shift ;; esac
trend=
case ${1:-} in trend) trend=trend; shift ;; esac
kind=month stores=80 periods=36
case ${1:-} in
month) shift ;;
week) kind=week stores=50 periods=156; shift ;;
day) kind=day stores=50 periods=90; shift ;;
esac
[ $# -gt 0 ] || set -- 1 2 3

for seed in "$@"; do
	s=$tmp/s$seed
	"$tmp/gen" "$s" "$seed" $stores $periods "$shifts" "${trend:-flat}" $kind
	"$bin/nps-baseline" -g store --events "$s.events.tsv" "$s.agg.tsv" >"$s.pool"
	"$bin/nps-baseline" -g store --no-pool --events "$s.events.tsv" "$s.agg.tsv" >"$s.own" 2>/dev/null
	"$bin/nps-baseline" -g store "$s.agg.tsv" >"$s.noev"
	# One line per scored cell: anomaly, the two naive verdicts, the
	# three nps-baseline verdicts, |z| of the first, the naive |z|, the
	# month-over-month |change|, the oracle's |z| (the truth's forecast and
	# sd: the best any method could do) and |z| of the second.
	awk -F '\t' '
	FNR == 1 { file++; for (i = 1; i <= NF; i++) col[file, $i] = i; next }
	file == 1 {
		truth[$1, $2] = $(col[1, "anomaly"]); tt[$1, $2] = $(col[1, "t"])
		forecast[$1, $2] = $(col[1, "forecast"]); sd[$1, $2] = $(col[1, "usual_sd"])
		next
	}
	file == 2 {	# the input: the naive rules, and which cells are scored
		t = tt[$1, $2]
		nps = $(col[2, "nps"]); se = $(col[2, "se"])
		if ($1 != store) { store = $1; seen = 0; delete at }
		key = $1 SUBSEP $2
		scored[key] = seen >= 8; cells[++ncell] = key; seen++
		mom[key] = (t - 1) in at && (nps - at[t - 1] > 10 || at[t - 1] - nps > 10)
		sum = 0; k = 0
		for (j = t - 12; j < t; j++) if (j in at) { sum += at[j]; k++ }
		z = k && se > 0 ? (nps - sum / k) / se : 0
		z2[key] = z > 2 || z < -2
		naivez[key] = z < 0 ? -z : z
		change[key] = (t - 1) in at ? (nps > at[t - 1] ? nps - at[t - 1] : at[t - 1] - nps) : 0
		z = (nps - forecast[key]) / sd[key]; oracle[key] = z < 0 ? -z : z
		at[t] = nps
		next
	}
	{
		key = $1 SUBSEP $2
		flag[file, key] = $(col[file, "flag"]) ~ /^(high|low)$/
		z = $(col[file, "z"]); z = z == "" ? 1e9 : z < 0 ? -z : z
		if (file == 3) absz[key] = z
		if (file == 4) ownz[key] = z
	}
	END {
		for (c = 1; c <= ncell; c++) {
			key = cells[c]
			if (scored[key])
				printf "%d %d %d %d %d %d %s %s %s %s %s\n", truth[key],
					mom[key], z2[key], flag[3, key], flag[4, key],
					flag[5, key], absz[key], naivez[key], change[key],
					oracle[key], ownz[key]
		}
	}' "$s.truth.tsv" "$s.agg.tsv" "$s.pool" "$s.own" "$s.noev" >>"$tmp/cells"
done
# The first n cells by one statistic (column $1 of the cells), largest
# first: how many it takes to find $2 shifts, as "cells found cut".
top() {
	sort -k"$1,$1"gr "$tmp/cells" | awk -v want="$2" -v c="$1" '
	{ found += $1; if (found >= want) { print NR, found, $c; exit } }'
}
ours=$(awk '$4 { n += $1 } END { print n + 0 }' "$tmp/cells")
awk -v shifts="$shifts${trend:+, trends}" -v seeds="$*" -v kind="$kind" \
	-v at_mom="$(top 7 "$(awk '$2 { n += $1 } END { print n + 0 }' "$tmp/cells")")" \
	-v at_z2="$(top 7 "$(awk '$3 { n += $1 } END { print n + 0 }' "$tmp/cells")")" \
	-v z2_at_ours="$(top 8 "$ours")" -v mom_at_ours="$(top 9 "$ours")" '
BEGIN {
	name[2] = "naive: |period-over-period change| > 10 points"
	name[3] = "naive: |z| > 2, trailing 12-period mean, sampling se"
	name[4] = "nps-baseline --events (pooled; k = 3)"
	name[5] = "nps-baseline --events --no-pool (k = 3)"
	name[6] = "nps-baseline, pooled, no events file (k = 3)"
	same[2] = at_mom; same[3] = at_z2
	fmt[2] = "  nps-baseline --events -z %.2f (same recall)"
	fmt[3] = fmt[2]
	same[4] = mom_at_ours; same[5] = z2_at_ours
	fmt[4] = "  naive change > %.2f points (same recall)"
	fmt[5] = "  naive |z| > %.2f (same recall)"
}
{ cells++; pos += $1; for (m = 2; m <= 6; m++) if ($m) { fl[m]++; tp[m] += $1 } }
function row(label, flagged, found) {
	printf "%-52s %7d %5d %9.2f %6.2f\n", label, flagged, found,
		flagged ? found / flagged : 0, found / pos
}
END {
	printf "%ss, shifts %s, seeds %s: %d scored store-%ss, %d shifted\n\n",
		kind, shifts, seeds, cells, kind, pos
	printf "%-52s %7s %5s %9s %6s\n", "method", "flagged", "true",
		"precision", "recall"
	for (m = 2; m <= 6; m++) {
		row(name[m], fl[m], tp[m])
		if (m == 4) { # the naive statistics cut where we are
			split(same[4], a, " "); row(sprintf(fmt[4], a[3]), a[1], a[2])
			split(same[5], a, " "); row(sprintf(fmt[5], a[3]), a[1], a[2])
		}
		if (m > 3) continue
		split(same[m], a, " "); row(sprintf(fmt[m], a[3]), a[1], a[2])
	}
}' "$tmp/cells"

# Precision at equal recall, over the whole range: each method ranks the
# cells by its own statistic (no threshold to choose), and is cut where it
# has found that share of the shifts.
pos=$(awk '{ n += $1 } END { print n }' "$tmp/cells")
printf '\n%-41s  0.50  0.65  0.80  0.90  0.95\n' 'precision at recall'
for m in "9 naive: |period-over-period change|" "8 naive: |z|, 12-period mean, sampling se" \
	"11 nps-baseline --events --no-pool" "7 nps-baseline --events (pooled)" \
	"10 oracle: true forecast and sd"; do
	sort -k"${m%% *},${m%% *}"gr "$tmp/cells" | awk -v pos="$pos" -v name="${m#* }" -v c="${m%% *}" '
	BEGIN { n = split("0.50 0.65 0.80 0.90 0.95", want, " "); j = 1; printf "%-41s", name }
	{ found += $1; while (j <= n && found >= want[j] * pos) { printf " %5.2f", found / NR; j++ } }
	END { print "" }'
done

#!/bin/sh
# score.sh [-m] [DICT]: per-theme precision and recall of nps-themes with
# the dictionary DICT (default examples/themes.tsv) on the hand-coded
# comments, dev and held-out test apart. See README.md. -m: the table as
# nps-themes(1) prints it.
set -eu
cd "$(dirname "$0")/../.."
export LC_ALL=C
man=
if [ "${1:-}" = -m ]; then man=1; shift; fi
dict=${1:-examples/themes.tsv}
bin=${NPS_BIN:-build}
"$bin/nps-themes" -c comment --themes "$dict" eval/themes/comments.tsv |
awk -F '\t' '
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
{
	s = $c["split"]
	split("", g); split("", p)
	n = split($c["gold"], f, ";"); for (i = 1; i <= n; i++) if (f[i] != "other") g[f[i]] = 1
	n = split($c["themes"], f, ";"); for (i = 1; i <= n; i++) if (f[i] != "other") p[f[i]] = 1
	for (t in p) { labels[t] = 1; if (t in g) tp[s, t]++; else fp[s, t]++ }
	for (t in g) { labels[t] = 1; if (!(t in p)) fn[s, t]++ }
	texts[s]++
}
function pct(a, b) { return b ? sprintf("%.0f%%", 100 * a / b) : "-" }
END {
	k = 0; for (t in labels) names[++k] = t
	for (i = 2; i <= k; i++) for (j = i; j > 1 && names[j - 1] > names[j]; j--) { x = names[j]; names[j] = names[j - 1]; names[j - 1] = x }
	print "split\ttheme\ttp\tfp\tfn\tprecision\trecall"
	for (si = 1; si <= 2; si++) {
		s = si == 1 ? "dev" : "test"; TP = FP = FN = 0
		for (i = 1; i <= k; i++) {
			t = names[i]; x = tp[s, t] + 0; y = fp[s, t] + 0; z = fn[s, t] + 0
			printf "%s\t%s\t%d\t%d\t%d\t%s\t%s\n", s, t, x, y, z, pct(x, x + y), pct(x, x + z)
			if (t !~ /:negated$/) { TP += x; FP += y; FN += z }
		}
		printf "%s\tall themes (%d texts)\t%d\t%d\t%d\t%s\t%s\n", s, texts[s], TP, FP, FN, pct(TP, TP + FP), pct(TP, TP + FN)
	}
}' | if [ -n "$man" ]; then
awk -F '\t' '
NR > 1 && $2 !~ /:negated$/ { t = $2; sub(/ \(.*/, "", t); if (!(t in seen)) { seen[t] = 1; order[++n] = t }
	r[$1, t] = sprintf("%3d %3d %3d %4s %4s", $3, $4, $5, $6, $7); if (t == "all themes") texts[$1] = $2 }
NR > 1 && $2 ~ /:negated$/ { tp[$1] += $3; fp[$1] += $4; fn[$1] += $5 }
END {
	printf "%-15s %-24s   %s\n", "", "dev", "test (held out)"
	printf "%-15s %3s %3s %3s %4s %4s   %3s %3s %3s %4s %4s\n", "theme", "tp", "fp", "fn", "prec", "rec", "tp", "fp", "fn", "prec", "rec"
	for (i = 1; i <= n; i++) printf "%-15s %s   %s\n", order[i], r["dev", order[i]], r["test", order[i]]
	printf "%-15s %3d %3d %3d %4s %4s   %3d %3d %3d\n", "negated labels", tp["dev"], fp["dev"], fn["dev"], "", "", tp["test"], fp["test"], fn["test"]
}'
else cat; fi

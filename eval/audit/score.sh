#!/bin/sh
# score.sh: how well nps-audit finds gaming, on eval/audit/gen's panel.
#
#   eval/audit/score.sh [SEED [UNITS [MONTHS]]]
#
# Generates the panel (seed 1 by default: 200 units, 12 months), runs
# nps-audit -g unit -t responded_at -p month -T transacted_at --contact
# device, joins its verdicts to the truth, and prints: at the default
# verdict (review) and along the ROC curve (every threshold on
# p_combined_adj), the false-alarm rate per clean unit-month and the recall
# per kind of gaming, by unit-month and by unit (a gaming unit is caught
# when any of its gamed months is flagged).
set -eu
cd "$(dirname "$0")/../.."
SEED=${1:-1}
W=build/eval-audit
mkdir -p $W
cc -O2 -o $W/gen eval/audit/gen.c -lm
$W/gen $W/panel "$SEED" ${2:-200} ${3:-12}
build/nps-audit -g unit -t responded_at -p month -T transacted_at \
	--contact device $W/panel.tsv > $W/audit.tsv
awk -F '\t' -v OFS='\t' '
NR == FNR { if (FNR > 1) kind[$1 "\t" $2] = $3; next }
FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
{
	k = kind[$1 "\t" $2]
	v = $col["verdict"]
	if (v == "too_few") { few[k]++; next }
	p = $col["p_combined_adj"]
	print k, $1, p, (v == "review")
}' $W/panel.truth.tsv $W/audit.tsv > $W/joined.tsv
awk -F '\t' '
{ kind = $1; unit = $2; p = $3; rev = $4
  n[kind]++; if (rev) r[kind]++
  if (kind != "clean") { gu[unit] = kind; if (rev) cu[unit] = 1 }
  ps[NR] = p; ks[NR] = kind; us[NR] = unit }
END {
	printf "unit-months judged: %d clean", n["clean"]
	for (k in n) if (k != "clean") printf ", %d %s", n[k], k
	printf "\n\nat the default verdict (review):\n"
	printf "  false alarms per clean unit-month: %.4f (%d of %d)\n", r["clean"] / n["clean"], r["clean"], n["clean"]
	for (k in n) if (k != "clean") printf "  recall %-8s unit-months %.3f (%d of %d)\n", k, r[k] / n[k], r[k], n[k]
	for (u in gu) { gk[gu[u]]++; if (cu[u]) ck[gu[u]]++; tot++; if (cu[u]) caught++ }
	for (k in gk) printf "  recall %-8s units       %.3f (%d of %d)\n", k, ck[k] / gk[k], ck[k], gk[k]
	printf "  recall all      units       %.3f (%d of %d)\n", caught / tot, caught, tot
}' $W/joined.tsv
echo
echo "ROC (threshold on p_combined_adj): false alarms per clean unit-month, recall of gamed unit-months"
sort -t "$(printf '\t')" -k3,3g $W/joined.tsv | awk -F '\t' '
{ kind[NR] = $1; p[NR] = $3; if ($1 == "clean") nc++; else ng++ }
END {
	split("0.0005 0.001 0.002 0.005 0.01 0.02 0.05 0.1", want, " ")
	fa = 0; hit = 0; w = 1
	for (i = 1; i <= NR; i++) {
		if (kind[i] == "clean") fa++; else hit++
		while (w <= 8 && (i == NR || fa / nc > want[w])) {
			f = kind[i] == "clean" ? fa - 1 : fa; h = kind[i] == "clean" ? hit : hit - 1
			printf "  fa <= %-6s recall %.3f (threshold %s)\n", want[w], h / ng, p[i]
			w++
		}
	}
}'

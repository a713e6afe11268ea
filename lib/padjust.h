/* padjust: p-values adjusted for multiplicity, as R's p.adjust computes
 * them (so that a value at alpha stays at alpha, not an ulp above it).
 * Used by nps-signif (comparisons) and nps-audit (units). No state; the
 * caller owns both arrays. */
#ifndef NPS_PADJUST_H
#define NPS_PADJUST_H

#include <stddef.h>

enum p_adjust { ADJUST_HOLM, ADJUST_BH, ADJUST_BONFERRONI, ADJUST_NONE };

/* p_adj[i] for each p[i]: Holm's running maximum of (m - j + 1) p(j), BH's
 * running minimum from the top of (m / j) p(j), Bonferroni m p, each at
 * most 1; none copies p. NaN p-values are left out of the family and get
 * NaN. */
void p_adjust(const double *p, double *p_adj, size_t count, enum p_adjust how);

#endif

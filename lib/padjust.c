/* padjust: p-values adjusted for multiplicity (see padjust.h). */
#include <math.h>
#include <stdlib.h>

#include "padjust.h"
#include "util.h"

struct ranked {
	double p;
	size_t i;
};

static int by_p(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;
	if (a->p != b->p)
		return a->p < b->p ? -1 : 1;
	return (a->i > b->i) - (a->i < b->i);
}

void p_adjust(const double *p, double *p_adj, size_t count,
	      enum p_adjust how)
{
	struct ranked *r = xmalloc((count ? count : 1) * sizeof *r);
	size_t m = 0;
	for (size_t k = 0; k < count; k++) {
		p_adj[k] = NAN;
		if (!isnan(p[k]))
			r[m++] = (struct ranked){ p[k], k };
	}
	qsort(r, m, sizeof *r, by_p);
	double run = how == ADJUST_BH ? 1 : 0;
	for (size_t j = 0; j < m; j++) {
		/* Holm: cummax of (m - j + 1) p(j); BH: cummin from the top
		 * of (m / j) p(j); both then at most 1. */
		size_t i = how == ADJUST_BH ? m - 1 - j : j;
		double v = r[i].p;
		if (how == ADJUST_BONFERRONI)
			v = (double)m * v;
		else if (how == ADJUST_HOLM)
			v = run = fmax(run, (double)(m - i) * v);
		else if (how == ADJUST_BH)
			v = run = fmin(run, (double)m / (double)(i + 1) * v);
		p_adj[r[i].i] = fmin(v, 1);
	}
	free(r);
}

/* The analysis of nps-drivers: from a group's exact sums to its
 * correlations, regression, relative weights, LMG shares, bootstrap,
 * quadrants and stages, and the rows written (see nps-drivers(1)). */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers.h"
#include "out.h"
#include "relimp.h"
#include "util.h"

/* ---- the analysis of one group ---- */

enum flag {
	FLAG_NOT_RATED = 1,      /* no rating at all */
	FLAG_ZERO_VARIANCE = 2,  /* every rating the same */
	FLAG_COLLINEAR = 4,      /* a linear combination of drivers before it */
	FLAG_FEW_CASES = 8,      /* fewer cases than drivers + 2 */
	FLAG_OUTCOME_CONSTANT = 16,
	FLAG_NOT_POSITIVE = 32,  /* pairwise matrix not positive definite */
	FLAG_NO_FIT = 64,        /* R² is 0 */
	FLAG_SUPPRESSOR = 128,   /* beta and r of opposite signs */
};
static const char *const flag_names[] = {
	"not_rated", "zero_variance", "collinear", "few_cases",
	"outcome_constant", "not_positive_definite", "no_fit", "suppressor",
};

enum quadrant { Q_NONE = -1, Q_FIX_FIRST, Q_KEEP, Q_MAINTAIN, Q_LOW_PRIORITY };
static const char *const quadrant_names[] = { "fix_first", "keep", "maintain",
					      "low_priority" };

/* Figures from a group's combined sums (doubles; the layout of a cell:
 * exact, then the INC block). */
struct moments {
	double rows, cases;
	double *corr;   /* q x q */
	double *mean;   /* q: mean rating, over every row that rates it */
	double *rated;  /* q: rows that rate it */
	double *used;   /* q: cases behind its correlation with the outcome */
	double *var;    /* q: its variance in the analysis */
	double min_pair; /* the fewest cases behind any correlation */
};

/* Everything one group's analysis needs, allocated once for all groups. */
struct work {
	i128 *exact;          /* the group's sums */
	double *tot, *cells;  /* the same as doubles; each cell's sums */
	unsigned char *has_inc; /* per cell */
	size_t ncells;
	unsigned *counts;     /* a resample: how often each cell is drawn */
	struct moments m, mb; /* of the group; of a resample */
	double *sub, *scratch, *out;
	unsigned char *keep;
	double *boot_imp, *boot_mean; /* resamples x p */
	int *boot_rank, *boot_quad;
	unsigned *flags;      /* per driver, enum flag bits */
	size_t *idx, k;       /* the drivers in the regression: idx[0..k) */
	double r2, cut_imp, cut_mean;
	double *beta, *rw, *lmg, *imp, *pratt, *sorted, *tmp, *topbox;
	size_t *need, nneed, ninc; /* the sums a resample needs: need[0..nneed);
				      the INC ones (from nneed - ninc) */
	size_t valid;         /* resamples that could be fitted */
	/* --levels */
	double *levels_cov, *levels_c, *levels_sub, *levels_sd;
	double *stage_share, *within; /* per driver */
	int *rank, *quad;
	size_t *order;        /* drivers in output order */
};

static void moments_of(const struct state *s, const double *t,
		       struct moments *m)
{
	const struct layout *l = &s->l;
	size_t q = l->q, np = l->pairs;
	const double *sum = t + E_SUM, *cross = sum + q, *inc = t + l->exact;
	double w = l->weighted ? t[E_W] : t[E_N];
	m->rows = t[E_ROWS];
	m->cases = t[E_N];
	m->min_pair = INFINITY;
	for (size_t v = 0; v < q; v++) {
		size_t k = l->pair[v * q + v];
		double iw = l->weighted ? inc[INC_W * np + k] : inc[INC_N * np + k];
		m->rated[v] = t[E_N] + inc[INC_N * np + k];
		double wv = w + iw;
		m->mean[v] = wv > 0 ? (sum[v] + inc[INC_SA * np + k]) / wv / 1000 : NAN;
	}
	for (size_t a = 0; a < q; a++) {
		for (size_t b = a; b < q; b++) {
			size_t k = l->pair[a * q + b];
			double n, pw, sa, sb, saa, sbb, sab;
			n = t[E_N], pw = w, sa = sum[a], sb = sum[b];
			saa = cross[l->pair[a * q + a]], sbb = cross[l->pair[b * q + b]];
			sab = cross[k];
			if (s->o.pairwise) {
				n += inc[INC_N * np + k];
				pw += l->weighted ? inc[INC_W * np + k] : inc[INC_N * np + k];
				sa += inc[INC_SA * np + k], sb += inc[INC_SB * np + k];
				saa += inc[INC_SAA * np + k], sbb += inc[INC_SBB * np + k];
				sab += inc[INC_SAB * np + k];
			}
			double r = 0, va = 0, vb = 0;
			if (pw > 0) {
				double ma = sa / pw, mb = sb / pw;
				va = saa / pw - ma * ma, vb = sbb / pw - mb * mb;
				double cov = sab / pw - ma * mb;
				if (va > 0 && vb > 0)
					r = cov / sqrt(va * vb);
				if (r > 1)
					r = 1;
				if (r < -1)
					r = -1;
			}
			if (a == b) {
				r = 1;
				m->var[a] = va > 0 ? va / 1e6 : 0;
			}
			m->corr[a * q + b] = m->corr[b * q + a] = r;
			if (a == 0)
				m->used[b] = n;
			if (a != b && n < m->min_pair)
				m->min_pair = n;
		}
	}
}

/* A variance this small next to the mean's square is a constant that
 * rounding made look otherwise. */
static int constant(double var, double mean)
{
	return !(var > 1e-12 * (1 + mean * mean));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The importance shares (%) of the drivers in idx[0..k) from the
 * correlation matrix, by the method asked for; 0 when the matrix does not
 * allow it. imp is indexed by driver. */
static int shares_of(const struct state *s, struct work *w, const double *corr,
		     const size_t *idx, size_t k, int lmg, double *imp,
		     double *raw_rw, double *raw_lmg)
{
	size_t p = s->l.p;
	memset(w->keep, 0, p);
	for (size_t j = 0; j < k; j++)
		w->keep[idx[j]] = 1;
	relimp_select(corr, p, w->keep, w->sub);
	double *raw = w->out, total = 0;
	if (lmg) {
		if (!relimp_lmg(w->sub, k, raw, w->scratch))
			return 0;
	} else if (!relimp_rw(w->sub, k, raw, w->scratch)) {
		return 0;
	}
	for (size_t j = 0; j < k; j++)
		total += raw[j];
	if (!(total > 0))
		return 0;
	for (size_t j = 0; j < k; j++) {
		imp[idx[j]] = 100 * raw[j] / total;
		if (lmg && raw_lmg)
			raw_lmg[idx[j]] = raw[j];
		if (!lmg && raw_rw)
			raw_rw[idx[j]] = raw[j];
	}
	return 1;
}

static enum quadrant quadrant_of(double imp, double mean, double cut_imp,
				 double cut_mean)
{
	int high = imp >= cut_imp, good = mean >= cut_mean;
	return high ? (good ? Q_KEEP : Q_FIX_FIRST) : (good ? Q_MAINTAIN : Q_LOW_PRIORITY);
}

/* The cut lines over the drivers in idx. */
static void cuts(const struct options *o, const size_t *idx, size_t k,
		 const double *imp, const double *mean, double *sorted,
		 double *cut_imp, double *cut_mean)
{
	if (o->cut == CUT_VALUES) {
		*cut_imp = o->cut_importance;
		*cut_mean = o->cut_mean;
		return;
	}
	double si = 0, sm = 0;
	for (size_t j = 0; j < k; j++)
		si += imp[idx[j]], sm += mean[idx[j] + 1];
	if (o->cut == CUT_MEAN) {
		*cut_imp = si / (double)k;
		*cut_mean = sm / (double)k;
		return;
	}
	for (size_t j = 0; j < k; j++)
		sorted[j] = imp[idx[j]];
	*cut_imp = median(sorted, k);
	for (size_t j = 0; j < k; j++)
		sorted[j] = mean[idx[j] + 1];
	*cut_mean = median(sorted, k);
}

static void moments_alloc(struct moments *m, size_t q)
{
	m->corr = xmalloc(q * q * sizeof *m->corr);
	m->mean = xmalloc(4 * q * sizeof *m->mean);
	m->rated = m->mean + q;
	m->used = m->rated + q;
	m->var = m->used + q;
}

static void work_alloc(const struct state *s, struct work *w)
{
	const struct layout *l = &s->l;
	size_t q = l->q, p = l->p, t = tot_size(l), k = s->o.buckets;
	size_t b = s->o.bootstrap ? s->o.bootstrap : 1;
	memset(w, 0, sizeof *w);
	w->exact = xmalloc(t * sizeof *w->exact);
	w->tot = xmalloc(t * sizeof *w->tot);
	w->cells = xmalloc(k * t * sizeof *w->cells);
	w->has_inc = xmalloc(k);
	w->counts = xmalloc(k * sizeof *w->counts);
	moments_alloc(&w->m, q);
	moments_alloc(&w->mb, q);
	w->sub = xmalloc(q * q * sizeof *w->sub);
	size_t scratch = relimp_rw_work(p) + p * p;
	size_t lmg_p = p < s->o.lmg_max ? p : s->o.lmg_max;
	if (relimp_lmg_work(lmg_p) > scratch)
		scratch = relimp_lmg_work(lmg_p);
	w->scratch = xmalloc(scratch * sizeof *w->scratch);
	w->out = xmalloc((2 * q + s->nstages) * sizeof *w->out);
	w->keep = xmalloc(3 * q + s->nstages);
	w->boot_imp = xmalloc(b * p * sizeof *w->boot_imp);
	w->boot_mean = xmalloc(b * p * sizeof *w->boot_mean);
	w->boot_rank = xmalloc(b * p * sizeof *w->boot_rank);
	w->boot_quad = xmalloc(b * p * sizeof *w->boot_quad);
	w->flags = xmalloc(p * sizeof *w->flags);
	w->idx = xmalloc(p * sizeof *w->idx);
	w->beta = xmalloc(7 * p * sizeof *w->beta);
	w->rw = w->beta + p;
	w->lmg = w->rw + p;
	w->imp = w->lmg + p;
	w->pratt = w->imp + p;
	w->tmp = w->pratt + p;
	w->topbox = w->tmp + p;
	w->sorted = xmalloc((b > q ? b : q) * sizeof *w->sorted);
	w->rank = xmalloc(2 * p * sizeof *w->rank);
	w->quad = w->rank + p;
	w->order = xmalloc(p * sizeof *w->order);
	size_t n = 1 + s->nstages + p;
	w->levels_cov = xmalloc(n * n * sizeof *w->levels_cov);
	w->levels_c = xmalloc(n * n * sizeof *w->levels_c);
	w->levels_sub = xmalloc(n * n * sizeof *w->levels_sub);
	w->levels_sd = xmalloc((q + 2 * s->nstages) * sizeof *w->levels_sd);
	w->stage_share = xmalloc(2 * p * sizeof *w->stage_share + 1);
	w->within = w->stage_share + p;
}

static void work_free(struct work *w)
{
	free(w->exact), free(w->tot), free(w->cells), free(w->has_inc);
	free(w->counts);
	free(w->m.corr), free(w->m.mean), free(w->mb.corr), free(w->mb.mean);
	free(w->sub), free(w->scratch), free(w->out), free(w->keep);
	free(w->boot_imp), free(w->boot_mean), free(w->boot_rank);
	free(w->boot_quad), free(w->flags), free(w->idx), free(w->beta);
	free(w->sorted), free(w->rank), free(w->order);
	free(w->levels_cov), free(w->levels_c), free(w->levels_sub);
	free(w->levels_sd), free(w->stage_share);
}

/* splitmix64: the bootstrap's generator, seeded per group (by --seed and
 * the group's key), so a group's figures do not depend on the others. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The group's sums: exact, then as doubles, and each cell's as doubles. */
static void gather(const struct state *s, struct work *w, const struct group *g)
{
	const struct layout *l = &s->l;
	size_t t = tot_size(l);
	memset(w->exact, 0, t * sizeof *w->exact);
	w->ncells = 0;
	for (size_t k = 0; k < s->o.buckets; k++) {
		const struct cell *c = g->cells[k];
		if (!c)
			continue;
		double *d = w->cells + w->ncells * t;
		for (size_t i = 0; i < l->exact; i++) {
			if (__builtin_add_overflow(w->exact[i], c->exact[i], &w->exact[i]))
				die(EX_DATA_, "sums too large to add up");
			d[i] = (double)c->exact[i];
		}
		w->has_inc[w->ncells] = c->inc != NULL;
		for (size_t i = 0; i < INC_KINDS * l->pairs; i++) {
			i128 v = c->inc ? c->inc[i] : 0;
			if (__builtin_add_overflow(w->exact[l->exact + i], v, &w->exact[l->exact + i]))
				die(EX_DATA_, "sums too large to add up");
			d[l->exact + i] = (double)v;
		}
		w->ncells++;
	}
	for (size_t i = 0; i < t; i++)
		w->tot[i] = (double)w->exact[i];
}

/* The point estimates: which drivers enter the regression, their
 * coefficients, weights and shares, and the quadrants. */
static void fit_group(const struct state *s, struct work *w)
{
	const struct layout *l = &s->l;
	size_t p = l->p;
	struct moments *m = &w->m;
	moments_of(s, w->tot, m);
	for (size_t d = 0; d < p; d++) {
		w->flags[d] = 0;
		w->beta[d] = w->rw[d] = w->lmg[d] = w->imp[d] = w->pratt[d] = NAN;
		w->rank[d] = 0;
		w->quad[d] = Q_NONE;
	}
	w->k = 0;
	w->r2 = w->cut_imp = w->cut_mean = NAN;
	unsigned all = 0;
	if (m->rated[0] == 0 || constant(m->var[0], m->mean[0]))
		all |= FLAG_OUTCOME_CONSTANT;
	size_t e = 0;
	for (size_t d = 0; d < p; d++) {
		if (m->rated[d + 1] == 0 || m->used[d + 1] == 0)
			w->flags[d] |= m->rated[d + 1] == 0 ? FLAG_NOT_RATED : FLAG_FEW_CASES;
		else if (constant(m->var[d + 1], m->mean[d + 1]))
			w->flags[d] |= FLAG_ZERO_VARIANCE;
		else
			w->idx[e++] = d;
	}
	/* Collinear drivers: screened in -d order among the eligible. */
	memset(w->keep, 0, p);
	for (size_t j = 0; j < e; j++)
		w->keep[w->idx[j]] = 1;
	relimp_select(m->corr, p, w->keep, w->sub);
	unsigned char *kept = w->keep + p; /* e bytes */
	relimp_screen(w->sub, e, kept, w->scratch);
	size_t k = 0;
	for (size_t j = 0; j < e; j++) {
		if (kept[j])
			w->idx[k++] = w->idx[j];
		else
			w->flags[w->idx[j]] |= FLAG_COLLINEAR;
	}
	double cases = s->o.pairwise ? m->min_pair : m->cases;
	if (k && cases < (double)k + 2)
		all |= FLAG_FEW_CASES;
	if (all || k == 0) {
		for (size_t j = 0; j < k; j++)
			w->flags[w->idx[j]] |= all;
		return;
	}
	memset(w->keep, 0, p);
	for (size_t j = 0; j < k; j++)
		w->keep[w->idx[j]] = 1;
	relimp_select(m->corr, p, w->keep, w->sub);
	double r2;
	if (!relimp_beta(w->sub, k, w->tmp, &r2, w->scratch) ||
	    !relimp_rw(w->sub, k, w->out, w->scratch)) {
		for (size_t j = 0; j < k; j++)
			w->flags[w->idx[j]] |= FLAG_NOT_POSITIVE;
		return;
	}
	if (!(r2 > 1e-12)) {
		for (size_t j = 0; j < k; j++)
			w->flags[w->idx[j]] |= FLAG_NO_FIT;
		return;
	}
	w->k = k;
	w->r2 = r2;
	for (size_t j = 0; j < k; j++) {
		size_t d = w->idx[j];
		double r = m->corr[d + 1];
		w->beta[d] = w->tmp[j];
		w->rw[d] = 100 * w->out[j] / r2;
		w->pratt[d] = 100 * w->beta[d] * r / r2;
		if (w->beta[d] * r < 0)
			w->flags[d] |= FLAG_SUPPRESSOR;
	}
	int lmg = k <= s->o.lmg_max;
	if (lmg && relimp_lmg(w->sub, k, w->out, w->scratch))
		for (size_t j = 0; j < k; j++)
			w->lmg[w->idx[j]] = 100 * w->out[j] / r2;
	int use_lmg = s->o.method == METHOD_LMG && lmg;
	for (size_t d = 0; d < p; d++)
		w->imp[d] = use_lmg ? w->lmg[d] : w->rw[d];
	/* Ranks: by importance, ties in -d order. */
	for (size_t j = 0; j < k; j++) {
		size_t d = w->idx[j];
		int rank = 1;
		for (size_t i = 0; i < k; i++) {
			size_t o = w->idx[i];
			rank += w->imp[o] > w->imp[d] || (w->imp[o] == w->imp[d] && o < d);
		}
		w->rank[d] = rank;
	}
	cuts(&s->o, w->idx, k, w->imp, m->mean, w->sorted, &w->cut_imp, &w->cut_mean);
	for (size_t j = 0; j < k; j++) {
		size_t d = w->idx[j];
		w->quad[d] = quadrant_of(w->imp[d], m->mean[d + 1], w->cut_imp, w->cut_mean);
	}
}

/* The sums a resample combines: every exact one, and of the INC block all
 * (pairwise) or only what the mean ratings need. */
static void need_init(const struct state *s, struct work *w)
{
	const struct layout *l = &s->l;
	w->need = xmalloc(tot_size(l) * sizeof *w->need);
	size_t n = 0;
	for (size_t i = 0; i < l->exact; i++)
		w->need[n++] = i;
	size_t first_inc = n;
	for (int kind = 0; kind < INC_KINDS; kind++)
		for (size_t a = 0; a < l->q; a++)
			for (size_t b = a; b < l->q; b++) {
				if (!s->o.pairwise && (a != b || kind > INC_SA))
					continue;
				w->need[n++] = l->exact + kind * l->pairs + l->pair[a * l->q + b];
			}
	w->nneed = n;
	w->ninc = n - first_inc;
}

/* Ranks of the drivers in idx by their importance (imp, by driver). */
static void ranks_of(const size_t *idx, size_t k, const double *imp, int *rank)
{
	for (size_t j = 0; j < k; j++) {
		size_t d = idx[j];
		int r = 1;
		for (size_t i = 0; i < k; i++) {
			size_t o = idx[i];
			r += imp[o] > imp[d] || (imp[o] == imp[d] && o < d);
		}
		rank[d] = r;
	}
}

#define BOOT_LMG_MAX 12

/* Resamples the group's cells with replacement (as many draws as cells)
 * and refits: the shares, ranks, means and quadrants of each resample. */
static void bootstrap(const struct state *s, struct work *w, struct slice key)
{
	const struct layout *l = &s->l;
	size_t p = l->p, t = tot_size(l), nc = w->ncells, k = w->k;
	w->valid = 0;
	if (!s->o.bootstrap || !k || nc < 2)
		return;
	uint64_t rng = s->o.seed * 0x9e3779b97f4a7c15ULL ^ hash_bytes(key.p, key.n);
	int use_lmg = s->o.method == METHOD_LMG && k <= s->o.lmg_max;
	/* LMG costs 2^k fits: past BOOT_LMG_MAX drivers, a resample's LMG
	 * share is taken as the point LMG plus the resample's change in
	 * relative weight (the two agree closely; Johnson 2000). */
	int proxy = use_lmg && k > BOOT_LMG_MAX;
	struct moments *m = &w->mb;
	for (unsigned long long b = 0; b < s->o.bootstrap; b++) {
		memset(w->counts, 0, nc * sizeof *w->counts);
		for (size_t i = 0; i < nc; i++)
			w->counts[(size_t)(((unsigned __int128)next_random(&rng) * nc) >> 64)]++;
		double *tb = w->tot;
		for (size_t i = 0; i < w->nneed; i++)
			tb[w->need[i]] = 0;
		for (size_t c = 0; c < nc; c++) {
			double f = w->counts[c];
			if (!f)
				continue;
			const double *cell = w->cells + c * t;
			size_t n = w->has_inc[c] ? w->nneed : w->nneed - w->ninc;
			for (size_t i = 0; i < n; i++)
				tb[w->need[i]] += f * cell[w->need[i]];
		}
		moments_of(s, tb, m);
		int ok = !constant(m->var[0], m->mean[0]);
		for (size_t j = 0; j < k && ok; j++)
			ok = m->used[w->idx[j] + 1] > 0 &&
			     !constant(m->var[w->idx[j] + 1], m->mean[w->idx[j] + 1]);
		double *imp = w->boot_imp + w->valid * p;
		if (!ok || !shares_of(s, w, m->corr, w->idx, k, use_lmg && !proxy, imp,
				      NULL, NULL))
			continue;
		for (size_t j = 0; j < k && proxy; j++)
			imp[w->idx[j]] += w->lmg[w->idx[j]] - w->rw[w->idx[j]];
		double *mean = w->boot_mean + w->valid * p;
		for (size_t d = 0; d < p; d++)
			mean[d] = m->mean[d + 1];
		ranks_of(w->idx, k, imp, w->boot_rank + w->valid * p);
		double ci, cm;
		cuts(&s->o, w->idx, k, imp, m->mean, w->sorted, &ci, &cm);
		int *quad = w->boot_quad + w->valid * p;
		for (size_t j = 0; j < k; j++) {
			size_t d = w->idx[j];
			quad[d] = quadrant_of(imp[d], m->mean[d + 1], ci, cm);
		}
		w->valid++;
	}
}

/* The inverse of the empirical distribution: the value at order
 * ceil(n * prob) (1-based) of the sorted v[0..n). */
static double quantile(const double *v, size_t n, double prob)
{
	double at = ceil((double)n * prob - 1e-9);
	size_t i = at < 1 ? 0 : (size_t)at - 1;
	return v[i < n ? i : n - 1];
}

/* The share of the top-two box: the weight of the driver's two highest
 * distinct ratings in the whole input (top[d]), over its rated weight. */
static void top_boxes(const struct state *s, struct work *w,
		      const struct group *g, const int64_t *top)
{
	const struct layout *l = &s->l;
	size_t q = l->q, np = l->pairs;
	const double *inc = w->tot + l->exact;
	for (size_t d = 0; d < l->p; d++) {
		size_t k = l->pair[(d + 1) * q + d + 1];
		double wv = l->weighted ? w->tot[E_W] + inc[INC_W * np + k]
					: w->tot[E_N] + inc[INC_N * np + k];
		double box = 0;
		for (int i = 0; i < g->top[d].count; i++)
			if (g->top[d].value[i] >= top[d])
				box += (double)g->top[d].weight[i];
		w->topbox[d] = wv > 0 ? 100 * box / wv : NAN;
	}
}

/* A figure that does not exist (NaN) is an empty field (npskit(7),
 * MISSING NUMBERS). */
static void write_fixed(struct writer *o, double v, int precision)
{
	writer_char(o, '\t');
	if (!isnan(v))
		writer_fixed(o, v, precision);
}

static void write_count(struct writer *o, double v)
{
	writer_char(o, '\t');
	writer_u64(o, (unsigned long long)v);
}

void drivers_write_header(const struct state *s)
{
	drivers_write_group_names(&s->o);
	out_str("driver\tn\trated\tmean\ttop_box\tr\tbeta\tpratt\trw\tlmg"
		"\timportance\timportance_low\timportance_high\trank\trank_low"
		"\trank_high\tabove_next\tdistinct\tquadrant\tstability\tflag"
		"\trows\tcases\tr2\tcut_importance\tcut_mean\ttop3\tresamples\tgap");
	if (s->o.levels)
		out_str("\tstage\tstage_importance\twithin_stage\ttotal_weight");
	out_char('\n');
}

static void write_group(const struct state *s, struct work *w, struct slice key,
			struct writer *o)
{
	const struct layout *l = &s->l;
	const struct moments *m = &w->m;
	size_t p = l->p, k = w->k, nb = w->valid;
	int prec = s->o.precision, fine = prec + 2;
	double alpha = 1 - s->o.confidence;
	/* Enough resamples fitted: the intervals are given. */
	int boot = nb > 0 && 2 * nb >= s->o.bootstrap;
	size_t n = 0;
	for (int r = 1; r <= (int)k; r++)
		for (size_t j = 0; j < k; j++)
			if (w->rank[w->idx[j]] == r)
				w->order[n++] = w->idx[j];
	for (size_t d = 0; d < p; d++)
		if (!w->rank[d])
			w->order[n++] = d;
	size_t by_rank[4] = { 0 };
	for (size_t j = 0; j < k; j++)
		if (w->rank[w->idx[j]] <= 3)
			by_rank[w->rank[w->idx[j]]] = w->idx[j];
	/* The largest gap between the two relative-importance methods. */
	double gap = NAN;
	for (size_t j = 0; j < k; j++) {
		double d = fabs(w->rw[w->idx[j]] - w->lmg[w->idx[j]]);
		if (!isnan(d) && !(d <= gap))
			gap = d;
	}
	const char *top3 = "";
	if (boot && k >= 3) {
		size_t above = 0;
		for (size_t b = 0; b < nb; b++)
			above += w->boot_imp[b * p + by_rank[1]] > w->boot_imp[b * p + by_rank[3]];
		top3 = (double)above >= (1 - alpha / 2) * (double)nb ? "distinct" : "tied";
	}
	for (size_t i = 0; i < p; i++) {
		size_t d = w->order[i];
		writer_write(o, key.p, key.n);
		if (s->ngroups_cols)
			writer_char(o, '\t');
		writer_str(o, l->names[d + 1]);
		int in = w->rank[d] > 0;
		int has_r = !(w->flags[d] & (FLAG_NOT_RATED | FLAG_ZERO_VARIANCE | FLAG_FEW_CASES)) &&
			    !(w->flags[d] & FLAG_OUTCOME_CONSTANT);
		write_count(o, s->o.pairwise ? m->used[d + 1] : m->cases);
		write_count(o, m->rated[d + 1]);
		write_fixed(o, m->mean[d + 1], prec);
		write_fixed(o, w->topbox[d], prec);
		write_fixed(o, has_r ? m->corr[d + 1] : NAN, fine);
		write_fixed(o, w->beta[d], fine);
		write_fixed(o, w->pratt[d], prec);
		write_fixed(o, w->rw[d], prec);
		write_fixed(o, w->lmg[d], prec);
		write_fixed(o, w->imp[d], prec);
		double lo = NAN, hi = NAN, rlo = NAN, rhi = NAN, next = NAN, stable = NAN;
		if (in && boot) {
			for (size_t b = 0; b < nb; b++)
				w->sorted[b] = w->boot_imp[b * p + d];
			qsort(w->sorted, nb, sizeof *w->sorted, cmp_double);
			lo = quantile(w->sorted, nb, alpha / 2);
			hi = quantile(w->sorted, nb, 1 - alpha / 2);
			for (size_t b = 0; b < nb; b++)
				w->sorted[b] = w->boot_rank[b * p + d];
			qsort(w->sorted, nb, sizeof *w->sorted, cmp_double);
			rlo = quantile(w->sorted, nb, alpha / 2);
			rhi = quantile(w->sorted, nb, 1 - alpha / 2);
			size_t same = 0, above = 0, after = p;
			for (size_t j = 0; j < k; j++)
				if (w->rank[w->idx[j]] == w->rank[d] + 1)
					after = w->idx[j];
			for (size_t b = 0; b < nb; b++) {
				same += w->boot_quad[b * p + d] == w->quad[d];
				if (after < p)
					above += w->boot_imp[b * p + d] > w->boot_imp[b * p + after];
			}
			stable = (double)same / (double)nb;
			if (after < p)
				next = (double)above / (double)nb;
		}
		write_fixed(o, lo, prec);
		write_fixed(o, hi, prec);
		writer_char(o, '\t');
		if (in)
			writer_u64(o, (unsigned long long)w->rank[d]);
		write_fixed(o, rlo, 0);
		write_fixed(o, rhi, 0);
		write_fixed(o, next, fine);
		writer_str(o, isnan(next) ? "\t" : next >= 1 - alpha / 2 ? "\tyes" : "\tno");
		writer_char(o, '\t');
		writer_str(o, in ? quadrant_names[w->quad[d]] : "");
		write_fixed(o, stable, fine);
		writer_char(o, '\t');
		if (!w->flags[d]) {
			writer_str(o, "ok");
		} else {
			int first = 1;
			for (size_t f = 0; f < sizeof flag_names / sizeof *flag_names; f++)
				if (w->flags[d] >> f & 1) {
					if (!first)
						writer_char(o, ',');
					writer_str(o, flag_names[f]);
					first = 0;
				}
		}
		write_count(o, m->rows);
		write_count(o, s->o.pairwise ? (isinf(m->min_pair) ? 0 : m->min_pair) : m->cases);
		write_fixed(o, w->r2, fine);
		write_fixed(o, w->cut_imp, prec);
		write_fixed(o, w->cut_mean, prec);
		writer_char(o, '\t');
		writer_str(o, top3);
		write_count(o, (double)nb);
		write_fixed(o, gap, prec);
		if (s->o.levels) {
			writer_char(o, '\t');
			writer_str(o, s->stage_of[d] >= 0 ? s->stages[s->stage_of[d]] : "");
			write_fixed(o, w->stage_share[d], prec);
			write_fixed(o, w->within[d], prec);
			write_fixed(o, w->stage_share[d] * w->within[d] / 100, prec);
		}
		writer_char(o, '\n');
	}
}

/* The importance shares (%) of the k predictors of a (k + 1) squared
 * correlation matrix (the outcome first), by the method asked for; NaN
 * for a predictor screened out, or all when the fit fails. */
static void shares_of_matrix(const struct state *s, struct work *w,
			     const double *c, size_t k, double *share)
{
	unsigned char *keep = w->keep + s->l.q;
	for (size_t j = 0; j < k; j++)
		share[j] = NAN;
	if (!k)
		return;
	relimp_screen(c, k, keep, w->scratch);
	double *sub = w->levels_sub;
	size_t kept = relimp_select(c, k, keep, sub);
	int lmg = s->o.method == METHOD_LMG && kept <= s->o.lmg_max;
	double *raw = w->out, total = 0;
	if (!kept || !(lmg ? relimp_lmg(sub, kept, raw, w->scratch)
			   : relimp_rw(sub, kept, raw, w->scratch)))
		return;
	for (size_t j = 0; j < kept; j++)
		total += raw[j];
	if (!(total > 1e-12))
		return;
	for (size_t j = 0, i = 0; j < k; j++)
		if (keep[j])
			share[j] = 100 * raw[i++] / total;
}

/* Stage scores are the means of their drivers' ratings: their
 * covariances follow from the drivers'. The score on the stages, then
 * each stage on its drivers. */
static void fit_levels(const struct state *s, struct work *w)
{
	const struct layout *l = &s->l;
	const struct moments *m = &w->m;
	size_t p = l->p, q = l->q, ns = s->nstages, n = 1 + ns + p;
	double *cov = w->levels_cov, *c = w->levels_c;
	for (size_t d = 0; d < p; d++)
		w->stage_share[d] = w->within[d] = NAN;
	if (!ns)
		return;
	/* Variables: 0 the score, 1..ns the stages, then the drivers. A driver
	 * without variance (or never rated) is left out of its stage. */
	for (size_t v = 0; v < n * n; v++)
		cov[v] = 0;
	double *sd = w->levels_sd, *members = sd + q;
	for (size_t v = 0; v < q; v++)
		sd[v] = sqrt(m->var[v]);
	for (size_t t = 0; t < ns; t++)
		members[t] = 0;
	int ok = !(w->flags[0] & FLAG_OUTCOME_CONSTANT) && m->rated[0] > 0 &&
		 !constant(m->var[0], m->mean[0]);
	for (size_t a = 0; a < q; a++)
		for (size_t b = 0; b < q; b++) {
			size_t va = a ? ns + a : 0, vb = b ? ns + b : 0;
			cov[va * n + vb] = m->corr[a * q + b] * sd[a] * sd[b];
		}
	for (size_t d = 0; d < p; d++)
		if (s->stage_of[d] >= 0 && !(w->flags[d] & (FLAG_NOT_RATED | FLAG_ZERO_VARIANCE |
							     FLAG_FEW_CASES)))
			members[s->stage_of[d]]++;
	/* A stage's column: the mean of its members' columns. */
	for (size_t t = 0; t < ns; t++) {
		if (!members[t])
			continue;
		for (size_t v = 0; v < n; v++) {
			if (v >= 1 && v <= ns)
				continue;
			double sum = 0;
			for (size_t d = 0; d < p; d++)
				if (s->stage_of[d] == (long)t &&
				    !(w->flags[d] & (FLAG_NOT_RATED | FLAG_ZERO_VARIANCE | FLAG_FEW_CASES)))
					sum += cov[(1 + ns + d) * n + v];
			cov[(1 + t) * n + v] = cov[v * n + 1 + t] = sum / members[t];
		}
	}
	for (size_t t = 0; t < ns; t++)
		for (size_t u = 0; u < ns; u++) {
			if (!members[t] || !members[u])
				continue;
			double sum = 0;
			for (size_t d = 0; d < p; d++)
				if (s->stage_of[d] == (long)t &&
				    !(w->flags[d] & (FLAG_NOT_RATED | FLAG_ZERO_VARIANCE | FLAG_FEW_CASES)))
					sum += cov[(1 + ns + d) * n + 1 + u];
			cov[(1 + t) * n + 1 + u] = sum / members[t];
		}
	/* The score on the stages that have members. */
	size_t idx[ns + 1], k = 0;
	idx[k++] = 0;
	for (size_t t = 0; t < ns; t++)
		if (members[t] && cov[(1 + t) * n + 1 + t] > 0)
			idx[k++] = 1 + t;
	double *stage_imp = w->levels_sd + q + ns; /* ns */
	for (size_t t = 0; t < ns; t++)
		stage_imp[t] = NAN;
	if (ok && k > 1) {
		for (size_t a = 0; a < k; a++)
			for (size_t b = 0; b < k; b++)
				c[a * k + b] = cov[idx[a] * n + idx[b]] /
					       sqrt(cov[idx[a] * n + idx[a]] * cov[idx[b] * n + idx[b]]);
		shares_of_matrix(s, w, c, k - 1, w->out + q);
		for (size_t j = 1; j < k; j++)
			stage_imp[idx[j] - 1] = w->out[q + j - 1];
	}
	/* Each stage on its drivers. */
	for (size_t t = 0; t < ns; t++) {
		size_t di[p + 1], kd = 0;
		di[kd++] = 1 + t;
		for (size_t d = 0; d < p; d++)
			if (s->stage_of[d] == (long)t &&
			    !(w->flags[d] & (FLAG_NOT_RATED | FLAG_ZERO_VARIANCE | FLAG_FEW_CASES)))
				di[kd++] = 1 + ns + d;
		if (kd < 2 || !(cov[(1 + t) * n + 1 + t] > 0))
			continue;
		for (size_t a = 0; a < kd; a++)
			for (size_t b = 0; b < kd; b++)
				c[a * kd + b] = cov[di[a] * n + di[b]] /
						sqrt(cov[di[a] * n + di[a]] * cov[di[b] * n + di[b]]);
		double *share = w->out + q;
		shares_of_matrix(s, w, c, kd - 1, share);
		for (size_t j = 1; j < kd; j++) {
			size_t d = di[j] - 1 - ns;
			w->within[d] = share[j - 1];
			w->stage_share[d] = stage_imp[t];
		}
	}
}

void drivers_write_group_names(const struct options *o)
{
	if (!o->group)
		return;
	for (const char *p = o->group; *p; p++)
		out_char(*p == ',' ? '\t' : *p);
	out_char('\t');
}

/* One group's analysis, written to o. */
static void report_group(const struct state *s, struct work *w,
			 const struct key_ref *ref, const int64_t *top, struct writer *o)
{
	const struct group *g = &s->groups[ref->id];
	struct slice key = { ref->p, ref->n };
	gather(s, w, g);
	fit_group(s, w);
	if (s->o.levels)
		fit_levels(s, w);
	top_boxes(s, w, g, top);
	bootstrap(s, w, key);
	write_group(s, w, key, o);
}

/* The groups are analysed on every core (threads_count()), each with a
 * work area of its own: a group's figures depend on its sums alone and
 * its bootstrap on its own seed, so any thread gives the same bytes.
 * A window of groups at a time; each group written into a buffer of its
 * own, the window's buffers then written in order. */
enum { WINDOW_PER_THREAD = 64 };

struct report {
	const struct state *s;
	const struct key_ref *order;
	const int64_t *top;
	struct writer *outs; /* the window's, one per group */
	size_t first, count; /* the window: order[first, first + count) */
	_Atomic size_t next;  /* the next group of the window to take */
};

struct reporter {
	OWN_LINES struct work w;
	struct report *rep;
	pthread_t thread;
	int started;
};

static void *report_window(void *arg)
{
	struct reporter *me = arg;
	struct report *rep = me->rep;
	for (size_t i; (i = atomic_fetch_add(&rep->next, 1)) < rep->count;)
		report_group(rep->s, &me->w, &rep->order[rep->first + i], rep->top,
			     &rep->outs[i]);
	return NULL;
}

void drivers_report(const struct state *s, const struct key_ref *order,
		    size_t n, const int64_t *top)
{
	size_t nthreads = threads_count();
	if (nthreads > n)
		nthreads = n ? n : 1;
	drivers_write_header(s);
	if (nthreads == 1) {
		struct work w;
		work_alloc(s, &w);
		need_init(s, &w);
		for (size_t i = 0; i < n; i++)
			report_group(s, &w, &order[i], top, &out);
		free(w.need);
		work_free(&w);
		return;
	}
	size_t window = nthreads * WINDOW_PER_THREAD;
	struct report rep = { s, order, top, xmalloc(window * sizeof *rep.outs), 0, 0, 0 };
	for (size_t i = 0; i < window; i++)
		writer_memory(&rep.outs[i]);
	struct reporter *team = xmalloc_lines(nthreads * sizeof *team);
	for (size_t t = 0; t < nthreads; t++) {
		team[t].rep = &rep;
		work_alloc(s, &team[t].w);
		need_init(s, &team[t].w);
	}
	for (rep.first = 0; rep.first < n; rep.first += rep.count) {
		rep.count = n - rep.first < window ? n - rep.first : window;
		atomic_store(&rep.next, 0);
		for (size_t t = 1; t < nthreads; t++)
			team[t].started = pthread_create(&team[t].thread, NULL,
							 report_window, &team[t]) == 0;
		report_window(&team[0]); /* this thread too: it takes all if none started */
		for (size_t t = 1; t < nthreads; t++)
			if (team[t].started)
				pthread_join(team[t].thread, NULL);
		for (size_t i = 0; i < rep.count; i++) {
			out_write(rep.outs[i].buf, rep.outs[i].len);
			rep.outs[i].len = 0;
		}
	}
	for (size_t t = 0; t < nthreads; t++) {
		free(team[t].w.need);
		work_free(&team[t].w);
	}
	free(team);
	for (size_t i = 0; i < window; i++)
		writer_close(&rep.outs[i]);
	free(rep.outs);
}

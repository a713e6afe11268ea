#include "nps.h"
#include "num.h"
#include "util.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

const char *const segment_names[3] = { "detractor", "passive", "promoter" };

int nps_score_spelled(struct slice s)
{
	s = slice_trim(s);
	size_t i = 0;
	int v = 0;
	while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9') {
		v = v * 10 + (s.p[i] - '0');
		if (v > 10)
			return -1;
		i++;
	}
	if (i == 0)
		return -1;
	if (i < s.n && s.p[i] == '.') {
		size_t zeros = ++i;
		while (i < s.n && s.p[i] == '0')
			i++;
		if (i == zeros)
			return -1;
	}
	return i == s.n ? v : -1;
}

int nps_segment_parse(struct slice s)
{
	for (int k = 0; k < 3; k++)
		if (slice_eq(s, segment_names[k]))
			return k;
	return -1;
}

int nps_names_segments(const char *name)
{
	size_t n = strlen(name);
	return strcmp(name, "segment") == 0 ||
	       (n > 8 && strcmp(name + n - 8, "_segment") == 0);
}

void nps_need_question(const struct tsv_reader *r)
{
	for (size_t k = 0; k < r->ncols; k++) {
		struct slice c = r->cols[k];
		if (c.n > 8 && memcmp(c.p + c.n - 8, "_segment", 8) == 0)
			die_usage("no column segment or score, but %.*s: name the question with -s %.*s",
				  (int)c.n, c.p, (int)(c.n - 8), c.p);
	}
}

int nps_weight(struct slice s, struct decimal *weight)
{
	return decimal_parse(s.p, s.n, weight);
}

int nps_weight_micro(struct slice s, long long *micro)
{
	double v;
	if (!num_double(s, &v) || v < 0 || v >= 1e12)
		return 0;
	*micro = llround(v * 1e6);
	return 1;
}

static struct nps_weights *weights_of(struct nps_counts *c)
{
	if (!c->w) {
		c->w = xmalloc(sizeof *c->w);
		memset(c->w, 0, sizeof *c->w);
	}
	return c->w;
}

void nps_add(struct nps_counts *c, enum segment seg, struct decimal weight)
{
	struct nps_weights *w = weights_of(c);
	c->n[seg]++;
	dsum_add(&w->w[seg], weight);
	dsum_add_square(&w->w2[seg], weight);
}

void nps_counts_free(struct nps_counts *c)
{
	if (c->w)
		for (int k = 0; k < 3; k++) {
			dsum_free(&c->w->w[k]);
			dsum_free(&c->w->w2[k]);
		}
	free(c->w);
	c->w = NULL;
}

int nps_merge(struct nps_counts *a, const struct nps_counts *b)
{
	for (int k = 0; k < 3; k++)
		if (__builtin_add_overflow(a->n[k], b->n[k], &a->n[k]) ||
		    a->n[k] > LLONG_MAX)
			return 0;
	if (b->w) {
		struct nps_weights *w = weights_of(a);
		for (int k = 0; k < 3; k++) {
			dsum_add_sum(&w->w[k], &b->w->w[k]);
			dsum_add_sum(&w->w2[k], &b->w->w2[k]);
		}
	}
	return 1;
}

/* The weight sums by segment as doubles, all scaled by one power of ten
 * (the sums of squares by its square) that depends on the sums alone:
 * weights multiplied by 10^k give the same doubles, bit for bit. The
 * exact total of the weights goes to *total. */
static void weighted_totals(const struct nps_counts *c, double tot[3],
			    double sq[3], double *total)
{
	struct buf d[7] = { { 0 } };
	long e[7], ref = LONG_MIN;
	tot[0] = tot[1] = tot[2] = sq[0] = sq[1] = sq[2] = *total = 0;
	if (!c->w)
		return;
	struct dsum all = { 0 };
	for (int k = 0; k < 3; k++) {
		dsum_digits(&c->w->w[k], &d[k], &e[k]);
		dsum_digits(&c->w->w2[k], &d[3 + k], &e[3 + k]);
		if (d[k].len && e[k] + (long)d[k].len > ref)
			ref = e[k] + (long)d[k].len;
		dsum_add_sum(&all, &c->w->w[k]);
	}
	dsum_digits(&all, &d[6], &e[6]);
	*total = dec_scaled(d[6].p, d[6].len, e[6], 0);
	if (ref != LONG_MIN)
		for (int k = 0; k < 3; k++) {
			tot[k] = dec_scaled(d[k].p, d[k].len, e[k], ref);
			sq[k] = dec_scaled(d[3 + k].p, d[3 + k].len, e[3 + k], 2 * ref);
		}
	dsum_free(&all);
	for (int k = 0; k < 7; k++)
		buf_free(&d[k]);
}

double nps_share_var(double p, double d) { return p + d - (p - d) * (p - d); }

void nps_adjusted(double n, double p, double d, double *nps, double *var,
		  double *unit_var)
{
	double pa = (n * p + 0.75) / (n + 3), da = (n * d + 0.75) / (n + 3);
	*nps = 100 * (pa - da);
	*unit_var = 10000 * nps_share_var(pa, da);
	*var = *unit_var / (n + 3);
}

void nps_compute(const struct nps_counts *c, int weighted,
		 enum nps_interval kind, double z, struct nps_stats *s)
{
	s->n = c->n[0] + c->n[1] + c->n[2];
	double tot[3], sq[3], total = 0, sum_sq = 0;
	if (weighted) {
		weighted_totals(c, tot, sq, &s->weight_sum);
	} else {
		for (int k = 0; k < 3; k++)
			tot[k] = sq[k] = (double)c->n[k];
		s->weight_sum = (double)s->n;
	}
	for (int k = 0; k < 3; k++) {
		total += tot[k];
		sum_sq += sq[k];
	}
	s->n_eff = sum_sq > 0 ? total * total / sum_sq : 0;
	if (total <= 0) {
		s->share[0] = s->share[1] = s->share[2] = NAN;
		s->nps = s->se = s->ci_low = s->ci_high = NAN;
		return;
	}
	for (int k = 0; k < 3; k++)
		s->share[k] = tot[k] / total;
	double p = s->share[PROMOTER], d = s->share[DETRACTOR], x = p - d;
	s->nps = 100 * x;
	if (!weighted) {
		s->se = 100 * sqrt(nps_share_var(p, d) / total);
	} else {
		/* Taylor linearisation, as survey::svymean: the residuals
		 * x_i - x are 1 - x, -x and -1 - x by segment. */
		double ss = sq[PROMOTER] * (1 - x) * (1 - x) + sq[PASSIVE] * x * x +
			    sq[DETRACTOR] * (1 + x) * (1 + x);
		double n = (double)s->n;
		double factor = s->n > 1 ? n / (n - 1) : 1;
		s->se = 100 * sqrt(factor * ss) / total;
	}
	double ne = weighted ? s->n_eff : total;
	double lo, hi;
	if (kind == INTERVAL_WALD) {
		lo = s->nps - z * s->se;
		hi = s->nps + z * s->se;
	} else if (kind == INTERVAL_ADJUSTED) {
		double centre, var, unit_var;
		nps_adjusted(ne, p, d, &centre, &var, &unit_var);
		lo = centre - z * sqrt(var);
		hi = centre + z * sqrt(var);
	} else {
		nps_score_interval(ne * p, ne * s->share[PASSIVE], ne * d, z, &lo,
				   &hi);
	}
	s->ci_low = lo < -100 ? -100 : lo;
	s->ci_high = hi > 100 ? 100 : hi;
}

static double clamp(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* The score statistic for NPS = 100 * delta: the restricted maximum
 * likelihood shares under p - d = delta give the variance the observed
 * difference is measured against (Tango's method). The likelihood
 * a ln p + b ln(1 - 2p + delta) + c ln(p - delta) is concave on the
 * feasible range; its stationary points solve 2n p^2 - B p + C = 0, a
 * downward parabola times a positive factor that is positive at the low
 * end of the range and negative at the high end (b > 0): the maximum is
 * always the larger root, clamped to the range (b = 0 puts it past the
 * high end). Choosing by comparing likelihoods instead fails when a
 * share is tiny: its log is -inf at a root rounded onto the boundary. */
static double score_stat(double a, double b, double c, double delta)
{
	double n = a + b + c;
	double B = a * (1 + 3 * delta) + 2 * b * delta + c * (1 + delta);
	double C = a * delta * (1 + delta);
	double disc = B * B - 8 * n * C;
	double root = sqrt(disc > 0 ? disc : 0);
	/* the larger root, without cancellation: r1 r2 = C / 2n */
	double r2 = B >= 0 ? (B + root) / (4 * n)
		    : B - root < 0 ? 2 * C / (B - root) : 0;
	double p = clamp(r2, delta > 0 ? delta : 0, (1 + delta) / 2);
	double d = p - delta;
	double var = nps_share_var(p, d) / n;
	double diff = (a - c) / n - delta;
	if (var <= 0)
		return diff > 0 ? INFINITY : diff < 0 ? -INFINITY : 0;
	return diff / sqrt(var);
}

void nps_score_interval(double a, double b, double c, double z, double *lo,
			double *hi)
{
	double est = (a - c) / (a + b + c);
	/* The statistic falls as delta rises: bisect each side. */
	double l = -1, h = est;
	for (int i = 0; i < 200; i++) {
		double m = (l + h) / 2;
		if (score_stat(a, b, c, m) > z)
			l = m;
		else
			h = m;
	}
	*lo = 100 * l;
	l = est, h = 1;
	for (int i = 0; i < 200; i++) {
		double m = (l + h) / 2;
		if (score_stat(a, b, c, m) < -z)
			h = m;
		else
			l = m;
	}
	*hi = 100 * h;
}

double normal_cdf(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

double normal_quantile(double p)
{
	if (p <= 0)
		return -INFINITY;
	if (p >= 1)
		return INFINITY;
	/* Bisection to the last bit: slow by the standards of a table,
	 * but it runs once per program and cannot be wrong in the tails. */
	double lo = -40, hi = 40;
	for (int i = 0; i < 200 && lo < hi; i++) {
		double mid = (lo + hi) / 2;
		if (mid == lo || mid == hi)
			break;
		if (normal_cdf(mid) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

double nps_z_of_confidence(double confidence)
{
	/* From the lower tail: 1 - (1 - c)/2 rounds to 1 (an infinite z)
	 * for c near 1, (1 - c)/2 does not. */
	return -normal_quantile((1 - confidence) / 2);
}

/* Output order of the segments: promoters, passives, detractors. */
static const enum segment out_order[3] = { PROMOTER, PASSIVE, DETRACTOR };
static const char *const seg_plural[3] = { "detractors", "passives",
					   "promoters" };

void nps_count_cols_find(const struct tsv_reader *r, struct nps_count_cols *cc)
{
	char name[32];
	memset(cc, 0, sizeof *cc);
	cc->n = tsv_col(r, "n");
	for (int k = 0; k < 3; k++)
		cc->seg[k] = tsv_col(r, seg_plural[k]);
	cc->weighted = tsv_col_find(r, "w_promoters") >= 0;
	if (!cc->weighted)
		return;
	for (int k = 0; k < 3; k++) {
		snprintf(name, sizeof name, "w_%s", seg_plural[k]);
		cc->w[k] = tsv_col(r, name);
		snprintf(name, sizeof name, "w2_%s", seg_plural[k]);
		cc->w2[k] = tsv_col(r, name);
	}
}

int nps_counts_read(struct tsv_reader *r, const struct nps_count_cols *cc,
		    struct nps_counts *c)
{
	unsigned long long n;
	memset(c, 0, sizeof *c);
	if (!num_count(r->fields[cc->n], &n)) {
		tsv_reject(r, "n must be a count (%s)", tsv_quote(r->fields[cc->n]));
		return 0;
	}
	for (int k = 0; k < 3; k++) {
		struct slice f = r->fields[cc->seg[k]];
		if (!num_count(f, &c->n[k])) {
			tsv_reject(r, "%s must be a count (%s)", seg_plural[k],
				   tsv_quote(f));
			return 0;
		}
	}
	unsigned long long sum;
	if (__builtin_add_overflow(c->n[0], c->n[1], &sum) ||
	    __builtin_add_overflow(sum, c->n[2], &sum) || sum != n) {
		tsv_reject(r, "n is not promoters + passives + detractors (\"%llu\")",
			   n);
		return 0;
	}
	if (!cc->weighted)
		return 1;
	struct nps_weights *w = weights_of(c);
	for (int k = 0; k < 3; k++) {
		struct slice f = r->fields[cc->w[k]], f2 = r->fields[cc->w2[k]];
		if (!dsum_parse(f.p, f.n, &w->w[k])) {
			tsv_reject(r, "w_%s must be a weight sum (%s)",
				   seg_plural[k], tsv_quote(f));
			nps_counts_free(c);
			return 0;
		}
		if (!dsum_parse(f2.p, f2.n, &w->w2[k])) {
			tsv_reject(r, "w2_%s must be a sum of squared weights (%s)",
				   seg_plural[k], tsv_quote(f2));
			nps_counts_free(c);
			return 0;
		}
	}
	return 1;
}

void nps_write_counts(struct writer *w, const struct nps_counts *c)
{
	writer_u64(w, c->n[0] + c->n[1] + c->n[2]);
	for (int k = 0; k < 3; k++) {
		writer_char(w, '\t');
		writer_u64(w, c->n[out_order[k]]);
	}
}

void nps_write_weight_sums(struct writer *w, const struct nps_counts *c)
{
	struct buf scratch = { 0 };
	static const struct nps_weights none;
	const struct nps_weights *ws = c->w ? c->w : &none;
	for (int k = 0; k < 3; k++) {
		if (k)
			writer_char(w, '\t');
		dsum_write(w, &ws->w[out_order[k]], 6, &scratch);
	}
	for (int k = 0; k < 3; k++) {
		writer_char(w, '\t');
		dsum_write(w, &ws->w2[out_order[k]], 12, &scratch);
	}
	buf_free(&scratch);
}

void nps_write_weight_sum(struct writer *w, const struct nps_counts *c,
			  int precision)
{
	struct dsum all = { 0 };
	struct buf digits = { 0 };
	long e;
	if (c->w)
		for (int k = 0; k < 3; k++)
			dsum_add_sum(&all, &c->w->w[k]);
	dsum_digits(&all, &digits, &e);
	dec_write(w, digits.p, digits.len, e, precision);
	dsum_free(&all);
	buf_free(&digits);
}

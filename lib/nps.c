#include "nps.h"
#include "num.h"

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

int nps_weight(struct slice s, long long *micro)
{
	double v;
	if (!num_double(s, &v) || v < 0 || v >= 1e12)
		return 0;
	*micro = llround(v * NPS_WEIGHT_SCALE);
	return 1;
}

int nps_add(struct nps_counts *c, enum segment seg, long long micro)
{
	c->n[seg]++;
	nps_u128 sq = (nps_u128)micro * (nps_u128)micro;
	if (__builtin_add_overflow(c->w[seg], micro, &c->w[seg]) ||
	    __builtin_add_overflow(c->w2[seg], sq, &c->w2[seg]))
		return 0;
	return 1;
}

void nps_counts_free(struct nps_counts *c) { (void)c; }

int nps_merge(struct nps_counts *a, const struct nps_counts *b)
{
	for (int k = 0; k < 3; k++) {
		if (__builtin_add_overflow(a->n[k], b->n[k], &a->n[k]) ||
		    a->n[k] > LLONG_MAX ||
		    __builtin_add_overflow(a->w[k], b->w[k], &a->w[k]) ||
		    __builtin_add_overflow(a->w2[k], b->w2[k], &a->w2[k]))
			return 0;
	}
	return 1;
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
	double tot[3], total = 0, sum_sq = 0;
	for (int k = 0; k < 3; k++) {
		tot[k] = weighted ? (double)c->w[k] / NPS_WEIGHT_SCALE
				  : (double)c->n[k];
		total += tot[k];
		sum_sq += weighted ? (double)c->w2[k] / 1e12 : (double)c->n[k];
	}
	s->weight_sum = total;
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
		double q[3];
		for (int k = 0; k < 3; k++)
			q[k] = (double)c->w2[k] / 1e12;
		double ss = q[PROMOTER] * (1 - x) * (1 - x) + q[PASSIVE] * x * x +
			    q[DETRACTOR] * (1 + x) * (1 + x);
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

/* Log-likelihood of the shares, with 0 * log 0 = 0. */
static double loglik(double a, double b, double c, double p, double d)
{
	double q[3] = { p, 1 - p - d, d }, k[3] = { a, b, c }, sum = 0;
	for (int i = 0; i < 3; i++)
		if (k[i] > 0)
			sum += q[i] > 0 ? k[i] * log(q[i]) : -INFINITY;
	return sum;
}

/* The score statistic for NPS = 100 * delta: the restricted maximum
 * likelihood shares under p - d = delta (a stationary point of the
 * likelihood solves a quadratic, Tango's method; of its roots in the
 * feasible range the likelier one is the maximum) give the variance the
 * observed difference is measured against. */
static double score_stat(double a, double b, double c, double delta)
{
	double n = a + b + c;
	double B = a * (1 + 3 * delta) + 2 * b * delta + c * (1 + delta);
	double C = a * delta * (1 + delta);
	double disc = B * B - 8 * n * C;
	double root = sqrt(disc > 0 ? disc : 0);
	double lo = delta > 0 ? delta : 0, hi = (1 + delta) / 2;
	double r1 = clamp((B - root) / (4 * n), lo, hi);
	double r2 = clamp((B + root) / (4 * n), lo, hi);
	double p = loglik(a, b, c, r1, r1 - delta) >= loglik(a, b, c, r2, r2 - delta)
			   ? r1 : r2;
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

void nps_write_fixed128(struct writer *w, nps_u128 v, int decimals)
{
	char tmp[48], *e = tmp + sizeof tmp, *s = e;
	int k = 0;
	do {
		if (k++ == decimals && decimals > 0)
			*--s = '.';
		*--s = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v || k <= decimals);
	writer_write(w, s, (size_t)(e - s));
}

int nps_parse_fixed128(struct slice s, int decimals, nps_u128 *v)
{
	s = slice_trim(s);
	nps_u128 x = 0;
	int after = -1;
	size_t i;
	for (i = 0; i < s.n; i++) {
		char ch = s.p[i];
		if (ch == '.' && after < 0 && i > 0) {
			after = 0;
			continue;
		}
		if (ch < '0' || ch > '9' ||
		    x > (((nps_u128)-1) - (unsigned)(ch - '0')) / 10)
			return 0;
		x = x * 10 + (unsigned)(ch - '0');
		if (after >= 0 && ++after > decimals)
			return 0;
	}
	if (s.n == 0 || after == 0) /* "", "5." */
		return 0;
	for (int k = after < 0 ? 0 : after; k < decimals; k++) {
		if (x > ((nps_u128)-1) / 10)
			return 0;
		x *= 10;
	}
	*v = x;
	return 1;
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
	for (int k = 0; k < 3; k++) {
		struct slice f = r->fields[cc->w[k]], f2 = r->fields[cc->w2[k]];
		nps_u128 w;
		if (!nps_parse_fixed128(f, 6, &w) || w > (nps_u128)LLONG_MAX) {
			tsv_reject(r, "w_%s must be a weight sum (%s)",
				   seg_plural[k], tsv_quote(f));
			return 0;
		}
		c->w[k] = (long long)w;
		if (!nps_parse_fixed128(f2, 12, &c->w2[k])) {
			tsv_reject(r, "w2_%s must be a sum of squared weights (%s)",
				   seg_plural[k], tsv_quote(f2));
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
	for (int k = 0; k < 3; k++) {
		if (k)
			writer_char(w, '\t');
		nps_write_fixed128(w, (nps_u128)c->w[out_order[k]], 6);
	}
	for (int k = 0; k < 3; k++) {
		writer_char(w, '\t');
		nps_write_fixed128(w, c->w2[out_order[k]], 12);
	}
}

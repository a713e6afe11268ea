/* nps-signif: are the gaps between NPS values real? Reads nps-agg output
 * (one row per key, or per group and period with --trend) and writes z
 * tests on the differences, adjusted for multiplicity, tiers and letters,
 * minimum detectable differences and the sample sizes a gap would need. */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "hash.h"
#include "nps.h"
#include "num.h"
#include "out.h"
#include "padjust.h"
#include "sort.h"
#include "tsv.h"
#include "util.h"
#include "version.h"

#include "nps-signif/letters.h"

enum mode { PAIRS, REF, TIERS, TREND, PVALUES };
enum test { TEST_ADJUSTED, TEST_WALD };

/* One input row that survived: its counts, what they give, where it was. */
struct entry {
	struct nps_counts counts;
	struct nps_stats stats;
	double centre;   /* the NPS the test uses: adjusted, or as observed */
	double var;      /* the variance of centre, points^2 */
	double unit_var; /* one response's variance, points^2 (n_needed) */
	int small;       /* below --min-n */
	int partial;     /* --trend: the data cover the period in part */
	size_t group;    /* --trend: the group's id */
	long period;     /* --trend: the period's key */
	const char *file;
	unsigned long line;
};

/* a against b: diff = nps_a - nps_b; centre is the difference the test
 * measures (the adjusted one by default). */
struct comparison {
	size_t a, b;
	double diff, centre, se, z, p, p_adj;
	int judged; /* in the adjustment family: neither side below --min-n */
};

/* Everything one run knows: the options, the input and what it gave. */
struct signif {
	enum mode mode;
	enum p_adjust adjust;
	enum test test;
	int weighted, precision, mdd, sample_size, include_small;
	double alpha, confidence, power, min_n, detect;
	double z_conf, z_alpha, z_power;
	const char *key_name, *ref, *group_list, *period_name, *rejects, *p_col;
	int time_given;

	struct tsv_reader r;
	struct nps_count_cols cc;
	size_t key_col, *group_cols, ngroups, period_col;
	long partial_col; /* --trend: nps-agg's partial column, -1 if none */
	struct hash keys; /* keys, or --trend's groups */
	enum period_kind kind;
	struct entry *all;
	size_t k;
	struct comparison *cmp;
	size_t ncmp;
};

static void usage(void)
{
	printf("Usage: nps-signif [options] [file ...]\n"
	       "Test which differences between NPS values (nps-agg output) are real.\n\n"
	       "  -k, --key COL         key column (default: the first column)\n"
	       "      --ref KEY         compare every key with KEY only\n"
	       "      --tiers           rank keys into tiers, with a letter display\n"
	       "      --trend           each period against the previous one\n"
	       "  -g, --group COLS      --trend: one series per value of COLS\n"
	       "  -t, --time COL        --trend: the period column (default: period)\n"
	       "      --test METHOD     adjusted (default: adjusted Wald) or wald\n"
	       "      --adjust METHOD   holm (default), bh, bonferroni or none\n"
	       "      --alpha A         significance level (default 0.05)\n"
	       "      --confidence C    interval of the difference (default 0.95)\n"
	       "      --mdd             add the minimum detectable difference\n"
	       "      --power P         power for --mdd and --sample-size, 0.5..1\n"
	       "                        (default 0.8)\n"
	       "      --sample-size D   add the responses per group to detect D points\n"
	       "      --min-n N         groups below N responses are not judged (default 30)\n"
	       "      --include-small   judge them all the same\n"
	       "      --p-values COL    adjust the p-values in COL of any TSV instead\n"
	       "      --precision N     decimals (default 2; p-values get N+2)\n"
	       "      --rejects FILE    write bad rows to FILE instead of stopping\n"
	       "  -h, --help            show this help\n"
	       "      --version         show the version\n");
}

/* Compares the NPS of two entries exactly: (P - D) / N by cross products
 * in 128 bits, so that equal shares are equal whatever their counts.
 * Weighted, the NPS computed from the exact weight sums decides. */
static int nps_order(const struct signif *s, const struct entry *x,
		     const struct entry *y)
{
	__int128 top[2], total[2];
	const struct entry *e[2] = { x, y };
	for (int i = 0; i < 2; i++) {
		const struct nps_counts *c = &e[i]->counts;
		top[i] = (__int128)c->n[PROMOTER] - (__int128)c->n[DETRACTOR];
		total[i] = (__int128)c->n[0] + c->n[1] + c->n[2];
		/* Beyond 2^62 the products could overflow: doubles decide. */
		if (s->weighted || total[i] > ((__int128)1 << 62)) {
			double a = x->stats.nps, b = y->stats.nps;
			return (a > b) - (a < b);
		}
	}
	__int128 l = top[0] * total[1], r = top[1] * total[0];
	return (l > r) - (l < r);
}

static void compare(const struct signif *s, struct comparison *c, size_t a,
		    size_t b)
{
	const struct entry *x = &s->all[a], *y = &s->all[b];
	int tie = nps_order(s, x, y) == 0;
	c->a = a;
	c->b = b;
	c->diff = tie ? 0 : x->stats.nps - y->stats.nps;
	c->centre = s->test == TEST_WALD ? c->diff : x->centre - y->centre;
	c->se = sqrt(x->var + y->var);
	c->judged = s->include_small || (!x->small && !y->small);
	if (c->se > 0) {
		c->z = c->centre / c->se;
		c->p = erfc(fabs(c->z) / sqrt(2.0));
	} else if (c->centre == 0) {
		c->z = 0; /* --test wald: nothing varies and nothing differs */
		c->p = 1;
	} else {
		c->z = NAN; /* infinite: written as an empty field */
		c->p = 0;
	}
}


/* Adjusts the comparisons that are judged, over them alone. */
static void adjust_comparisons(struct signif *s)
{
	double *p = xmalloc((s->ncmp ? s->ncmp : 1) * 2 * sizeof *p);
	double *p_adj = p + (s->ncmp ? s->ncmp : 1);
	for (size_t i = 0; i < s->ncmp; i++)
		p[i] = s->cmp[i].judged ? s->cmp[i].p : NAN;
	p_adjust(p, p_adj, s->ncmp, s->adjust);
	for (size_t i = 0; i < s->ncmp; i++)
		s->cmp[i].p_adj = p_adj[i];
	free(p);
}

/* A number, or an empty field when there is none. */
static void put_num(const struct signif *s, double v)
{
	out_char('\t');
	if (!isnan(v))
		writer_fixed(&out, v, s->precision);
}

/* A p-value with at least three significant digits: fixed with
 * precision + 2 decimals or as many more as that takes, scientific
 * (8.04e-06) below 10^-(precision + 2). */
static void put_p(const struct signif *s, double v)
{
	int decimals = s->precision + 2;
	out_char('\t');
	if (isnan(v))
		return;
	if (v > 0 && v < pow(10, -decimals)) {
		writer_printf(&out, "%.2e", v);
		return;
	}
	while (v > 0 && v < pow(10, 2 - decimals))
		decimals++;
	writer_fixed(&out, v, decimals);
}

static const char *yes_no(int v) { return v ? "yes" : "no"; }

static int significant(const struct signif *s, double p_adj)
{
	return p_adj <= s->alpha;
}

static const char *verdict(const struct signif *s, const struct comparison *c)
{
	return c->judged ? yes_no(significant(s, c->p_adj)) : "small";
}

/* diff se_diff ci_low ci_high z p p_adj significant small_n, then
 * `more` (--trend's partial), [mdd] [n_needed], each after a tab. */
static void put_tail(const struct signif *s, const struct comparison *c,
		     const char *more)
{
	double lo = c->centre - s->z_conf * c->se, hi = c->centre + s->z_conf * c->se;
	put_num(s, c->diff);
	put_num(s, c->se);
	put_num(s, lo < -200 ? -200 : lo);
	put_num(s, hi > 200 ? 200 : hi);
	put_num(s, c->z);
	put_p(s, c->p);
	put_p(s, c->p_adj);
	out_char('\t');
	out_str(verdict(s, c));
	out_char('\t');
	out_str(yes_no(s->all[c->a].small || s->all[c->b].small));
	out_str(more);
	double zz = s->z_alpha + s->z_power;
	if (s->mdd)
		put_num(s, zz * c->se);
	if (s->sample_size) {
		double v = s->all[c->a].unit_var + s->all[c->b].unit_var;
		double n = ceil(zz * zz * v / (s->detect * s->detect) * (1 - 1e-12));
		out_char('\t');
		writer_u64(&out, n < 1 ? 1 : (unsigned long long)n);
	}
	out_char('\n');
}

static void put_tail_header(const struct signif *s, const char *more)
{
	out_str("\tci_low\tci_high\tz\tp\tp_adj\tsignificant\tsmall_n");
	out_str(more);
	if (s->mdd)
		out_str("\tmdd");
	if (s->sample_size)
		out_str("\tn_needed");
	out_char('\n');
}

static void put_key(const struct hash *h, size_t id)
{
	out_write(h->keys[id], h->lens[id]);
}

/* Ranks entries best first (rank[] holds indexes into s->all); equal
 * ones keep input order. */
static int by_rank(const void *x, const void *y, const void *run)
{
	const struct signif *s = run;
	return nps_order(s, &s->all[*(const size_t *)y], &s->all[*(const size_t *)x]);
}

static int by_value(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

/* The largest p-value that is significant once the m p-values (sorted
 * ascending, in place) are adjusted as adjust_p does, with the same
 * arithmetic: a p-value is significant when it is at most this; -1 when
 * none is. Holm's adjusted values rise with p and BH's too, so the
 * significant ones are the smallest. */
static double significance_cutoff(const struct signif *s, double *p, size_t m)
{
	qsort(p, m, sizeof *p, by_value);
	double cut = -1, run = 0;
	switch (s->adjust) {
	case ADJUST_HOLM:
		for (size_t j = 0; j < m; j++) {
			run = fmax(run, (double)(m - j) * p[j]);
			if (!significant(s, fmin(run, 1)))
				break;
			cut = p[j];
		}
		break;
	case ADJUST_BH:
		for (size_t j = m; j-- > 0;)
			if (significant(s, fmin((double)m / (double)(j + 1) * p[j], 1)))
				return p[j];
		break;
	case ADJUST_BONFERRONI:
	case ADJUST_NONE:
		for (size_t j = 0; j < m; j++) {
			double v = s->adjust == ADJUST_NONE ? p[j] : (double)m * p[j];
			if (!significant(s, fmin(v, 1)))
				break;
			cut = p[j];
		}
		break;
	}
	return cut;
}

/* --tiers: keys ranked, the judged ones (not below --min-n) put in tiers
 * and letters from all pairs among them. O(k^2 log k): the pairs' p-values
 * are sorted once; the rest is bit rows over the keys. */
static void run_tiers(struct signif *s)
{
	size_t k = s->k, m = 0;
	size_t *rank = xmalloc((k ? k : 1) * 2 * sizeof *rank);
	for (size_t i = 0; i < k; i++)
		rank[i] = i;
	sort_stable(rank, k, sizeof *rank, by_rank, s);
	/* judged[0..m): the ranked keys that take part */
	size_t *judged = rank + k;
	for (size_t i = 0; i < k; i++)
		if (s->include_small || !s->all[rank[i]].small)
			judged[m++] = rank[i];
	size_t npairs = m > 1 ? m * (m - 1) / 2 : 0;
	double *sorted = xmalloc((npairs ? npairs : 1) * sizeof *sorted);
	struct comparison one;
	for (size_t i = 0, n = 0; i < m; i++)
		for (size_t j = i + 1; j < m; j++, n++) {
			compare(s, &one, judged[i], judged[j]);
			sorted[n] = one.p;
		}
	double cut = significance_cutoff(s, sorted, npairs);
	free(sorted);
	/* same: the pairs that do not differ, and each key with itself; each
	 * p computed again (the same bits) rather than held twice */
	struct bits same;
	bits_init(&same, m);
	for (size_t i = 0; i < m; i++) {
		bit_set(&same, i, i);
		for (size_t j = i + 1; j < m; j++) {
			compare(s, &one, judged[i], judged[j]);
			if (!(one.p <= cut)) {
				bit_set(&same, i, j);
				bit_set(&same, j, i);
			}
		}
	}
	size_t *tier = xmalloc((m ? m : 1) * sizeof *tier);
	tiers_assign(&same, m, tier);
	struct letters L = { 0 };
	letters_build(&L, &same, m);
	out_str("key\tnps\ttier\tletters\tsmall_n\n");
	for (size_t i = 0, at = 0; i < k; i++) {
		const struct entry *e = &s->all[rank[i]];
		put_key(&s->keys, rank[i]);
		put_num(s, e->stats.nps);
		out_char('\t');
		if (at < m && judged[at] == rank[i]) {
			writer_u64(&out, tier[at]);
			out_char('\t');
			letters_put(&L, at++);
		} else {
			out_char('\t'); /* below --min-n: no tier, no letters */
		}
		out_char('\t');
		out_str(yes_no(e->small));
		out_char('\n');
	}
	letters_free(&L);
	free(tier);
	bits_free(&same);
	free(rank);
}

static int by_series(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	return (a->period > b->period) - (a->period < b->period);
}

/* The test's figures of an entry whose stats are computed. */
static void entry_test(const struct signif *s, struct entry *e)
{
	const struct nps_stats *st = &e->stats;
	double ne = st->n_eff;
	if (s->test == TEST_WALD) {
		e->centre = st->nps;
		e->var = st->se * st->se;
		e->unit_var = 10000 * nps_share_var(st->share[PROMOTER],
						    st->share[DETRACTOR]);
	} else {
		nps_adjusted(ne, st->share[PROMOTER], st->share[DETRACTOR],
			     &e->centre, &e->var, &e->unit_var);
	}
	/* n_eff of 30 weights of 0.003 is 29.999999999999996: not below 30 */
	e->small = ne < s->min_n * (1 - 1e-9);
}

/* --trend: the row's group and period; 0 when rejected. */
static int trend_key(struct signif *s, struct entry *e, struct hash *seen,
		     struct buf *group, int *have_kind, size_t *id)
{
	struct tsv_reader *r = &s->r;
	struct slice f = r->fields[s->period_col];
	enum period_kind k;
	int added;
	if (!period_parse(f, &k, &e->period)) {
		tsv_reject(r, "period must be like 2026-11-24, 2026-W48, "
			      "2026-11, 2026-Q4 or 2026 (%s)",
			   tsv_quote(f));
		return 0;
	}
	if (*have_kind && k != s->kind) {
		tsv_reject(r, "period is a %s, the first period a %s (%s)",
			   period_kind_name(k), period_kind_name(s->kind), tsv_quote(f));
		return 0;
	}
	if (s->partial_col >= 0) {
		struct slice p = slice_trim(r->fields[s->partial_col]);
		if (!slice_eq(p, "0") && !slice_eq(p, "1")) {
			tsv_reject(r, "partial must be 0 or 1 (%s)", tsv_quote(p));
			return 0;
		}
		e->partial = p.p[0] == '1';
	}
	*have_kind = 1;
	s->kind = k;
	group->len = 0;
	for (size_t g = 0; g < s->ngroups; g++) {
		if (g)
			buf_addc(group, '\t');
		struct slice v = r->fields[s->group_cols[g]];
		buf_add(group, v.p, v.n);
	}
	e->group = hash_intern(&s->keys, group->p ? group->p : "", group->len, &added);
	struct { size_t group; long period; } at;
	memset(&at, 0, sizeof at);
	at.group = e->group;
	at.period = e->period;
	*id = hash_intern(seen, &at, sizeof at, &added);
	if (!added) {
		tsv_reject(r, "group and period appear twice, first on %s:%lu (%s)",
			   s->all[*id].file, s->all[*id].line, tsv_quote(f));
		return 0;
	}
	return 1;
}

/* Reads every row: its counts and its key (or, with --trend, its group
 * and period) into s->all. */
static void read_entries(struct signif *s)
{
	struct tsv_reader *r = &s->r;
	size_t cap = 0;
	struct hash seen = { 0 };
	struct buf group = { 0 };
	int have_kind = 0;
	while (tsv_next(r)) {
		if (!tsv_check_width(r))
			continue;
		struct entry e = { 0 };
		if (!nps_counts_read(r, &s->cc, &e.counts))
			continue;
		nps_compute(&e.counts, s->weighted, INTERVAL_WALD, 1.96, &e.stats);
		if (isnan(e.stats.nps)) {
			if (s->weighted)
				tsv_reject(r, "the weight sum is 0: no NPS to compare");
			else
				tsv_reject(r, "n is 0: no NPS to compare");
			nps_counts_free(&e.counts);
			continue;
		}
		entry_test(s, &e);
		e.file = r->name;
		e.line = r->line;
		size_t id;
		int added;
		if (s->mode == TREND) {
			if (!trend_key(s, &e, &seen, &group, &have_kind, &id)) {
				nps_counts_free(&e.counts);
				continue;
			}
		} else {
			struct slice f = r->fields[s->key_col];
			id = hash_intern(&s->keys, f.p, f.n, &added);
			if (!added) {
				tsv_reject(r, "key appears twice, first on %s:%lu (%s)",
					   s->all[id].file, s->all[id].line, tsv_quote(f));
				nps_counts_free(&e.counts);
				continue;
			}
		}
		if (s->k == cap) {
			cap = cap ? cap * 2 : 64;
			s->all = xrealloc(s->all, cap * sizeof *s->all);
		}
		s->all[s->k++] = e;
	}
	hash_free(&seen);
	buf_free(&group);
}

/* Levenshtein distance, for suggesting keys. */
static size_t distance(const char *a, size_t na, const char *b, size_t nb,
		       size_t *row)
{
	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[nb];
}

/* --ref naming no key: a usage error naming the nearest keys (at most
 * three, closest first, ties in input order). */
static _Noreturn void no_such_ref(const struct signif *s)
{
	size_t nref = strlen(s->ref), best[3], dist[3], nbest = 0;
	size_t *row = xmalloc((nref + 1) * sizeof *row);
	for (size_t i = 0; i < s->k; i++) {
		size_t d = distance(s->keys.keys[i], s->keys.lens[i], s->ref, nref, row);
		size_t at = nbest < 3 ? nbest++ : 3;
		while (at > 0 && dist[at - 1] > d) {
			if (at < 3) {
				best[at] = best[at - 1];
				dist[at] = dist[at - 1];
			}
			at--;
		}
		if (at < 3) {
			best[at] = i;
			dist[at] = d;
		}
	}
	free(row);
	struct buf msg = { 0 };
	for (size_t i = 0; i < nbest; i++) {
		struct slice key = { s->keys.keys[best[i]], s->keys.lens[best[i]] };
		const char *q = tsv_quote(key);
		buf_add(&msg, i ? ", " : " (nearest: ", i ? 2 : 11);
		buf_add(&msg, q, strlen(q));
	}
	if (nbest)
		buf_addc(&msg, ')');
	struct slice col = s->r.cols[s->key_col];
	die_usage("--ref %s is not a key in column %.*s%s",
		  tsv_quote((struct slice){ s->ref, nref }), (int)col.n, col.p,
		  buf_cstr(&msg));
}

static void put_pair_rows(struct signif *s)
{
	adjust_comparisons(s);
	out_str("a\tb\tnps_a\tnps_b\tdiff\tse_diff");
	put_tail_header(s, "");
	for (size_t i = 0; i < s->ncmp; i++) {
		const struct comparison *c = &s->cmp[i];
		put_key(&s->keys, c->a);
		out_char('\t');
		put_key(&s->keys, c->b);
		put_num(s, s->all[c->a].stats.nps);
		put_num(s, s->all[c->b].stats.nps);
		put_tail(s, c, "");
	}
}

/* Default: every pair, a before b in input order. */
static void run_pairs(struct signif *s)
{
	size_t k = s->k;
	s->cmp = xmalloc((k > 1 ? k * (k - 1) / 2 : 1) * sizeof *s->cmp);
	for (size_t i = 0; i < k; i++)
		for (size_t j = i + 1; j < k; j++)
			compare(s, &s->cmp[s->ncmp++], i, j);
	put_pair_rows(s);
}

/* --ref: every other key against the reference. */
static void run_ref(struct signif *s)
{
	size_t ref_id = s->k, n = strlen(s->ref);
	for (size_t i = 0; i < s->k; i++)
		if (s->keys.lens[i] == n && memcmp(s->keys.keys[i], s->ref, n) == 0)
			ref_id = i;
	if (ref_id == s->k)
		no_such_ref(s);
	s->cmp = xmalloc((s->k ? s->k : 1) * sizeof *s->cmp);
	for (size_t i = 0; i < s->k; i++)
		if (i != ref_id)
			compare(s, &s->cmp[s->ncmp++], ref_id, i);
	put_pair_rows(s);
}

/* --trend: each period against the previous one present in its group. */
static void run_trend(struct signif *s)
{
	if (s->k > 1)
		qsort(s->all, s->k, sizeof *s->all, by_series);
	s->cmp = xmalloc((s->k ? s->k : 1) * sizeof *s->cmp);
	for (size_t i = 1; i < s->k; i++)
		if (s->all[i].group == s->all[i - 1].group)
			compare(s, &s->cmp[s->ncmp++], i, i - 1);
	adjust_comparisons(s);
	for (size_t g = 0; g < s->ngroups; g++) {
		struct slice name = s->r.cols[s->group_cols[g]];
		out_write(name.p, name.n);
		out_char('\t');
	}
	struct slice pname = s->r.cols[s->period_col];
	out_write(pname.p, pname.n);
	out_str("\tprevious\tnps_previous\tnps\tchange\tse_change");
	put_tail_header(s, "\tpartial");
	for (size_t i = 0; i < s->ncmp; i++) {
		const struct entry *now = &s->all[s->cmp[i].a];
		const struct entry *before = &s->all[s->cmp[i].b];
		char when[48];
		if (s->ngroups) {
			put_key(&s->keys, now->group);
			out_char('\t');
		}
		period_format(s->kind, now->period, when);
		out_str(when);
		out_char('\t');
		period_format(s->kind, before->period, when);
		out_str(when);
		put_num(s, before->stats.nps);
		put_num(s, now->stats.nps);
		put_tail(s, &s->cmp[i], s->partial_col < 0 ? "\t"
				      : now->partial || before->partial ? "\tyes" : "\tno");
	}
}

/* --p-values: any TSV; appends p_adj and significant to every row. */
static void run_p_values(struct signif *s)
{
	struct tsv_reader *r = &s->r;
	size_t col = tsv_col(r, s->p_col);
	struct buf rows = { 0 };
	size_t *ends = NULL;
	double *p = NULL;
	size_t n = 0, cap = 0;
	while (tsv_next(r)) {
		if (!tsv_check_width(r))
			continue;
		struct slice f = slice_trim(r->fields[col]);
		double v = NAN;
		if (f.n && !slice_eq(f, "NA") && (!num_double(f, &v) || v < 0 || v > 1)) {
			tsv_reject(r, "%s must be a p-value 0..1, empty or NA (%s)",
				   s->p_col, tsv_quote(f));
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			ends = xrealloc(ends, cap * sizeof *ends);
			p = xrealloc(p, cap * sizeof *p);
		}
		buf_add(&rows, r->row.p, r->row.n);
		ends[n] = rows.len;
		p[n++] = v;
	}
	double *p_adj = xmalloc((n ? n : 1) * sizeof *p_adj);
	p_adjust(p, p_adj, n, s->adjust);
	tsv_write_header(r, &out);
	out_str("\tp_adj\tsignificant\n");
	for (size_t i = 0, start = 0; i < n; start = ends[i], i++) {
		out_write(rows.p + start, ends[i] - start);
		put_p(s, p_adj[i]);
		out_char('\t');
		if (!isnan(p_adj[i]))
			out_str(yes_no(significant(s, p_adj[i])));
		out_char('\n');
	}
	buf_free(&rows);
	free(ends);
	free(p);
	free(p_adj);
}

static void parse_options(struct signif *s, int argc, char **argv)
{
	enum { O_REF = 256, O_TIERS, O_TREND, O_TEST, O_ADJUST, O_ALPHA, O_CONF,
	       O_MDD, O_POWER, O_SIZE, O_MIN_N, O_SMALL, O_PVALUES, O_PRECISION,
	       O_REJECTS, O_VERSION };
	static const struct option options[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "ref", required_argument, NULL, O_REF },
		{ "tiers", no_argument, NULL, O_TIERS },
		{ "trend", no_argument, NULL, O_TREND },
		{ "group", required_argument, NULL, 'g' },
		{ "time", required_argument, NULL, 't' },
		{ "test", required_argument, NULL, O_TEST },
		{ "adjust", required_argument, NULL, O_ADJUST },
		{ "alpha", required_argument, NULL, O_ALPHA },
		{ "confidence", required_argument, NULL, O_CONF },
		{ "mdd", no_argument, NULL, O_MDD },
		{ "power", required_argument, NULL, O_POWER },
		{ "sample-size", required_argument, NULL, O_SIZE },
		{ "min-n", required_argument, NULL, O_MIN_N },
		{ "include-small", no_argument, NULL, O_SMALL },
		{ "p-values", required_argument, NULL, O_PVALUES },
		{ "precision", required_argument, NULL, O_PRECISION },
		{ "rejects", required_argument, NULL, O_REJECTS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ 0 },
	};
	static const char *const adjusts[] = { "holm", "bh", "bonferroni", "none" };
	int c, modes = 0;
	unsigned long long ull;
	s->alpha = 0.05;
	s->confidence = 0.95;
	s->power = 0.8;
	s->min_n = 30;
	s->precision = 2;
	s->period_name = "period";
	s->partial_col = -1;
	while ((c = getopt_long(argc, argv, "k:g:t:h", options, NULL)) != -1) {
		switch (c) {
		case 'k': s->key_name = optarg; break;
		case 'g': s->group_list = optarg; break;
		case 't': s->period_name = optarg; s->time_given = 1; break;
		case O_REF: s->ref = optarg; s->mode = REF; modes++; break;
		case O_TIERS: s->mode = TIERS; modes++; break;
		case O_TREND: s->mode = TREND; modes++; break;
		case O_PVALUES: s->p_col = optarg; s->mode = PVALUES; modes++; break;
		case O_TEST:
			if (strcmp(optarg, "adjusted") == 0)
				s->test = TEST_ADJUSTED;
			else if (strcmp(optarg, "wald") == 0)
				s->test = TEST_WALD;
			else
				die_usage("--test must be adjusted or wald (\"%s\")", optarg);
			break;
		case O_ADJUST:
			for (s->adjust = 0; s->adjust < 4; s->adjust++)
				if (strcmp(optarg, adjusts[s->adjust]) == 0)
					break;
			if (s->adjust == 4)
				die_usage("--adjust must be holm, bh, bonferroni or none (\"%s\")",
					  optarg);
			break;
		case O_ALPHA: s->alpha = num_opt_between("--alpha", optarg, 0, 1); break;
		case O_CONF: s->confidence = num_opt_between("--confidence", optarg, 0, 1); break;
		case O_POWER:
			/* below 0.5 z_power is negative and so could be the mdd */
			if (!num_arg_double(optarg, &s->power) || !(s->power >= 0.5) ||
			    !(s->power < 1))
				die_usage("--power must be a number from 0.5 to below 1 (\"%s\")",
					  optarg);
			break;
		case O_MDD: s->mdd = 1; break;
		case O_SIZE:
			/* from 0.01 points, n_needed stays far below 2^63 */
			if (!num_arg_double(optarg, &s->detect) || !(s->detect >= 0.01) ||
			    s->detect > 200)
				die_usage("--sample-size must be a difference in points, "
					  "0.01 <= DIFF <= 200 (\"%s\")", optarg);
			s->sample_size = 1;
			break;
		case O_MIN_N:
			if (!num_arg_count(optarg, &ull))
				die_usage("--min-n must be a count (\"%s\")", optarg);
			s->min_n = (double)ull;
			break;
		case O_SMALL: s->include_small = 1; break;
		case O_PRECISION: s->precision = num_opt_precision(optarg); break;
		case O_REJECTS: s->rejects = optarg; break;
		case 'h': usage(); exit_printed();
		case O_VERSION: printf("nps-signif %s\n", NPSKIT_VERSION); exit_printed();
		default: die_option(argv, "k:g:t:h");
		}
	}
	if (modes > 1)
		die_usage("--ref, --tiers, --trend and --p-values exclude each other");
	if ((s->mdd || s->sample_size) && (s->mode == TIERS || s->mode == PVALUES))
		die_usage("--mdd and --sample-size apply to comparisons, not to %s",
			  s->mode == TIERS ? "--tiers" : "--p-values");
	if ((s->group_list || s->time_given) && s->mode != TREND)
		die_usage("-g and -t apply to --trend only");
	if (s->key_name && (s->mode == TREND || s->mode == PVALUES))
		die_usage("-k does not apply to %s",
			  s->mode == TREND ? "--trend (use -g)" : "--p-values");
	/* Each z from the lower tail, where a tiny level stays finite. */
	s->z_conf = nps_z_of_confidence(s->confidence);
	s->z_alpha = -normal_quantile(s->alpha / 2);
	s->z_power = -normal_quantile(1 - s->power);
}

/* Opens the input and finds the columns; 0 when the input is empty. */
static int open_input(struct signif *s, int nfiles, char **files)
{
	struct tsv_reader *r = &s->r;
	tsv_open(r, nfiles, files);
	/* Every column is looked up before the rejects file is opened: a
	 * usage error must not empty it. */
	if (s->mode == PVALUES) {
		tsv_col(r, s->p_col);
	} else {
		nps_count_cols_find(r, &s->cc);
		s->weighted = s->cc.weighted;
		s->key_col = s->key_name ? tsv_col(r, s->key_name) : 0;
		if (s->mode == TREND) {
			s->ngroups = tsv_cols(r, s->group_list, &s->group_cols);
			s->period_col = tsv_col(r, s->period_name);
			s->partial_col = tsv_col_find(r, "partial");
		}
	}
	/* --ref is found wrong only once every row is read: lib empties the
	 * rejects file at its first write, not here, so that the usage error
	 * leaves an old one as it was. */
	if (s->rejects)
		tsv_rejects_open(r, s->rejects);
	return r->has_header;
}

static void finish(struct signif *s)
{
	writer_close(&out);
	tsv_close(&s->r);
	for (size_t i = 0; i < s->k; i++)
		nps_counts_free(&s->all[i].counts);
	free(s->all);
	free(s->cmp);
	free(s->group_cols);
	hash_free(&s->keys);
}

int main(int argc, char **argv)
{
	struct signif s = { 0 };
	prog_init(argv[0]);
	parse_options(&s, argc, argv);
	if (open_input(&s, argc - optind, argv + optind)) {
		if (s.mode != PVALUES)
			read_entries(&s);
		switch (s.mode) {
		case PAIRS: run_pairs(&s); break;
		case REF: run_ref(&s); break;
		case TIERS: run_tiers(&s); break;
		case TREND: run_trend(&s); break;
		case PVALUES: run_p_values(&s); break;
		}
	}
	finish(&s);
	return 0;
}

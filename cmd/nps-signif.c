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
#include "tsv.h"
#include "util.h"
#include "version.h"

enum mode { PAIRS, REF, TIERS, TREND, PVALUES };
enum adjust { ADJUST_HOLM, ADJUST_BH, ADJUST_BONFERRONI, ADJUST_NONE };

/* One input row that survived: its counts, what they give, where it was. */
struct entry {
	struct nps_counts counts;
	struct nps_stats stats;
	size_t group; /* --trend: the group's id */
	long period;  /* --trend: the period's key */
	const char *file;
	unsigned long line;
};

/* a against b: diff = nps_a - nps_b. */
struct comparison {
	size_t a, b;
	double diff, se, z, p, p_adj;
};

static struct {
	int weighted;
	int precision;
	double alpha, z_conf, z_alpha, z_power, min_n, detect;
	int mdd, sample_size;
} opt;

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
	       "      --adjust METHOD   holm (default), bh, bonferroni or none\n"
	       "      --alpha A         significance level (default 0.05)\n"
	       "      --confidence C    interval of the difference (default 0.95)\n"
	       "      --mdd             add the minimum detectable difference\n"
	       "      --power P         power for --mdd and --sample-size (default 0.8)\n"
	       "      --sample-size D   add the responses per group to detect D points\n"
	       "      --min-n N         flag comparisons with a side below N (default 30)\n"
	       "      --p-values COL    adjust the p-values in COL of any TSV instead\n"
	       "      --precision N     decimals (default 2; p-values get N+2)\n"
	       "      --rejects FILE    write bad rows to FILE instead of stopping\n"
	       "  -h, --help            show this help\n"
	       "      --version         show the version\n");
}

/* Compares the NPS of two entries exactly: (P - D) / N by cross products
 * in 128 bits, so that equal shares are equal whatever their counts. */
static int nps_order(const struct entry *x, const struct entry *y)
{
	__int128 top[2], total[2];
	const struct entry *e[2] = { x, y };
	for (int i = 0; i < 2; i++) {
		const struct nps_counts *c = &e[i]->counts;
		if (opt.weighted) {
			top[i] = (__int128)c->w[PROMOTER] - c->w[DETRACTOR];
			total[i] = (__int128)c->w[0] + c->w[1] + c->w[2];
		} else {
			top[i] = (__int128)c->n[PROMOTER] - (__int128)c->n[DETRACTOR];
			total[i] = (__int128)c->n[0] + c->n[1] + c->n[2];
		}
		/* Beyond 2^62 the products could overflow: doubles decide. */
		if (total[i] > ((__int128)1 << 62)) {
			double a = x->stats.nps, b = y->stats.nps;
			return (a > b) - (a < b);
		}
	}
	__int128 l = top[0] * total[1], r = top[1] * total[0];
	return (l > r) - (l < r);
}

static void compare(struct comparison *c, const struct entry *all, size_t a,
		    size_t b)
{
	const struct nps_stats *x = &all[a].stats, *y = &all[b].stats;
	c->a = a;
	c->b = b;
	c->diff = nps_order(&all[a], &all[b]) == 0 ? 0 : x->nps - y->nps;
	c->se = sqrt(x->se * x->se + y->se * y->se);
	if (c->se > 0) {
		c->z = c->diff / c->se;
		c->p = erfc(fabs(c->z) / sqrt(2.0));
	} else if (c->diff == 0) {
		c->z = 0; /* nothing varies and nothing differs */
		c->p = 1;
	} else {
		c->z = NAN; /* infinite: written NA */
		c->p = 0;
	}
}

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

/* p_adj for the p of each comparison (stride apart). NaN p-values are left
 * out of the family and get NaN. */
static void adjust_p(double *p, size_t stride, size_t count, enum adjust how)
{
#define P(k) (*(double *)((char *)p + (k) * stride))
#define PADJ(k) (*(double *)((char *)p + (k) * stride + sizeof(double)))
	struct ranked *r = xmalloc((count ? count : 1) * sizeof *r);
	size_t m = 0;
	for (size_t k = 0; k < count; k++) {
		PADJ(k) = NAN;
		if (!isnan(P(k)))
			r[m++] = (struct ranked){ P(k), k };
	}
	qsort(r, m, sizeof *r, by_p);
	double run = 0;
	for (size_t i = 0; i < m; i++) {
		double v = r[i].p;
		if (how == ADJUST_BONFERRONI)
			v *= (double)m;
		else if (how == ADJUST_HOLM)
			v *= (double)(m - i);
		if (v > 1)
			v = 1;
		if (how == ADJUST_HOLM) {
			if (v < run)
				v = run;
			run = v;
		}
		PADJ(r[i].i) = v;
	}
	if (how == ADJUST_BH) {
		run = 1;
		for (size_t i = m; i-- > 0;) {
			double v = r[i].p * (double)m / (double)(i + 1);
			if (v < run)
				run = v;
			PADJ(r[i].i) = run;
		}
	}
	free(r);
#undef P
#undef PADJ
}

static void adjust_comparisons(struct comparison *c, size_t count,
			       enum adjust how)
{
	/* p and p_adj are adjacent doubles in struct comparison. */
	_Static_assert(offsetof(struct comparison, p_adj) ==
			       offsetof(struct comparison, p) + sizeof(double),
		       "p_adj follows p");
	adjust_p(count ? &c[0].p : NULL, sizeof *c, count, how);
}

static void put_num(double v)
{
	out_char('\t');
	writer_fixed(&out, v, opt.precision);
}

static void put_p(double v)
{
	out_char('\t');
	writer_pvalue(&out, v, opt.precision + 2);
}

static const char *yes_no(int v) { return v ? "yes" : "no"; }

static int significant(double p_adj) { return p_adj <= opt.alpha; }

static int small(const struct entry *e) { return e->stats.n_eff < opt.min_n; }

/* Per-response variance of NPS points from a group's shares. */
static double response_var(const struct nps_stats *s)
{
	double p = s->share[PROMOTER], d = s->share[DETRACTOR];
	return 10000 * (p + d - (p - d) * (p - d));
}

/* diff se_diff ci_low ci_high z p p_adj significant small_n [mdd]
 * [n_needed], each preceded by a tab. */
static void put_tail(const struct comparison *c, const struct entry *all)
{
	double lo = c->diff - opt.z_conf * c->se, hi = c->diff + opt.z_conf * c->se;
	put_num(c->diff);
	put_num(c->se);
	put_num(lo < -200 ? -200 : lo);
	put_num(hi > 200 ? 200 : hi);
	put_num(c->z);
	put_p(c->p);
	put_p(c->p_adj);
	out_char('\t');
	out_str(yes_no(significant(c->p_adj)));
	out_char('\t');
	out_str(yes_no(small(&all[c->a]) || small(&all[c->b])));
	double zz = opt.z_alpha + opt.z_power;
	if (opt.mdd)
		put_num(zz * c->se);
	if (opt.sample_size) {
		double v = response_var(&all[c->a].stats) +
			   response_var(&all[c->b].stats);
		double n = ceil(zz * zz * v / (opt.detect * opt.detect) * (1 - 1e-12));
		out_char('\t');
		writer_u64(&out, n < 1 ? 1 : (unsigned long long)n);
	}
	out_char('\n');
}

static void put_tail_header(void)
{
	out_str("\tci_low\tci_high\tz\tp\tp_adj\tsignificant\tsmall_n");
	if (opt.mdd)
		out_str("\tmdd");
	if (opt.sample_size)
		out_str("\tn_needed");
	out_char('\n');
}

static void put_key(const struct hash *h, size_t id)
{
	out_write(h->keys[id], h->lens[id]);
}

/* Compact letter display by insert and absorb (Piepho 2004). Keys are in
 * rank order 0..k-1; sig[i * k + j] says i and j differ. Each letter is a
 * set of keys no two of which differ; every pair that does not differ
 * shares one. Letters go in the order of their best-ranked member. */
struct letters {
	uint64_t **sets; /* bit i of a set: key of rank i */
	size_t count, cap, words;
};

static int has(const uint64_t *set, size_t i) { return set[i / 64] >> (i % 64) & 1; }

static int set_within(const uint64_t *a, const uint64_t *b, size_t words)
{
	for (size_t w = 0; w < words; w++)
		if (a[w] & ~b[w])
			return 0;
	return 1;
}

static size_t set_words;

/* The set holding the best-ranked key that only one of them holds first. */
static int by_best_member(const void *x, const void *y)
{
	const uint64_t *a = *(uint64_t *const *)x, *b = *(uint64_t *const *)y;
	for (size_t w = 0; w < set_words; w++) {
		uint64_t d = a[w] ^ b[w];
		if (d)
			return (a[w] & d & -d) ? -1 : 1;
	}
	return 0;
}

static void letters_build(struct letters *L, const unsigned char *sig, size_t k)
{
	size_t words = L->words = (k + 63) / 64;
	L->cap = 8;
	L->sets = xmalloc(L->cap * sizeof *L->sets);
	L->sets[0] = xmalloc(words * sizeof(uint64_t));
	for (size_t i = 0; i < words; i++)
		L->sets[0][i] = i + 1 < words || k % 64 == 0 ? ~(uint64_t)0
				: ((uint64_t)1 << (k % 64)) - 1;
	L->count = 1;
	unsigned char *changed = xmalloc(8), *gone = xmalloc(8);
	size_t flags_cap = 8;
	for (size_t i = 0; i < k; i++)
		for (size_t j = i + 1; j < k; j++) {
			if (!sig[i * k + j])
				continue;
			size_t before = L->count, split = 0;
			for (size_t s = 0; s < before; s++) {
				uint64_t *set = L->sets[s];
				if (!has(set, i) || !has(set, j))
					continue;
				if (L->count == L->cap) {
					L->cap *= 2;
					L->sets = xrealloc(L->sets,
							   L->cap * sizeof *L->sets);
				}
				uint64_t *copy = xmalloc(words * sizeof *copy);
				memcpy(copy, set, words * sizeof *copy);
				copy[j / 64] &= ~((uint64_t)1 << (j % 64));
				set[i / 64] &= ~((uint64_t)1 << (i % 64));
				L->sets[L->count++] = copy;
				split++;
			}
			if (!split)
				continue;
			if (L->count > flags_cap) {
				flags_cap = L->cap;
				changed = xrealloc(changed, flags_cap);
				gone = xrealloc(gone, flags_cap);
			}
			for (size_t s = 0; s < L->count; s++) {
				const uint64_t *set = L->sets[s];
				changed[s] = s >= before || (!has(set, i) && has(set, j));
				gone[s] = 0;
			}
			/* Absorb: drop a set inside another (of equal ones, the
			 * later). Only a set just made smaller can be inside
			 * another: the rest were not before. */
			for (size_t s = 0; s < L->count; s++) {
				if (!changed[s])
					continue;
				for (size_t t = 0; t < L->count && !gone[s]; t++)
					if (t != s && set_within(L->sets[s], L->sets[t], words))
						gone[s] = t < s || !set_within(L->sets[t],
									       L->sets[s], words);
			}
			size_t kept = 0;
			for (size_t s = 0; s < L->count; s++) {
				if (gone[s])
					free(L->sets[s]);
				else
					L->sets[kept++] = L->sets[s];
			}
			L->count = kept;
		}
	free(changed);
	free(gone);
	set_words = words;
	qsort(L->sets, L->count, sizeof *L->sets, by_best_member);
}

static void put_letter(size_t s, int numbered, int first)
{
	static const char alphabet[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	if (!numbered) {
		out_char(alphabet[s]);
		return;
	}
	if (!first)
		out_char(',');
	writer_u64(&out, s + 1);
}

static const struct entry *rank_base;

static int by_rank(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	int o = nps_order(&rank_base[b], &rank_base[a]);
	return o ? o : (a > b) - (a < b);
}

static void tiers(struct entry *all, size_t k, const struct hash *keys,
		  enum adjust how)
{
	size_t *rank = xmalloc((k ? k : 1) * sizeof *rank);
	for (size_t i = 0; i < k; i++)
		rank[i] = i;
	rank_base = all;
	qsort(rank, k, sizeof *rank, by_rank);
	size_t npairs = k * (k - 1) / 2, n = 0;
	struct comparison *c = xmalloc((npairs ? npairs : 1) * sizeof *c);
	for (size_t i = 0; i < k; i++)
		for (size_t j = i + 1; j < k; j++)
			compare(&c[n++], all, rank[i], rank[j]);
	adjust_comparisons(c, npairs, how);
	unsigned char *sig = xmalloc(k * k + 1);
	memset(sig, 0, k * k + 1);
	n = 0;
	for (size_t i = 0; i < k; i++)
		for (size_t j = i + 1; j < k; j++, n++)
			sig[i * k + j] = sig[j * k + i] =
				(unsigned char)significant(c[n].p_adj);
	/* Tiers from the top: the best key left and every key left that is
	 * not significantly below it. */
	size_t *tier = xmalloc((k ? k : 1) * sizeof *tier);
	memset(tier, 0, (k ? k : 1) * sizeof *tier);
	size_t t = 0;
	for (size_t i = 0; i < k; i++) {
		if (tier[i])
			continue;
		tier[i] = ++t;
		for (size_t j = i + 1; j < k; j++)
			if (!tier[j] && !sig[i * k + j])
				tier[j] = t;
	}
	struct letters L = { 0 };
	if (k)
		letters_build(&L, sig, k);
	int numbered = L.count > 52;
	out_str("key\tnps\ttier\tletters\tsmall_n\n");
	for (size_t i = 0; i < k; i++) {
		put_key(keys, rank[i]);
		put_num(all[rank[i]].stats.nps);
		out_char('\t');
		writer_u64(&out, tier[i]);
		out_char('\t');
		int first = 1;
		for (size_t s = 0; s < L.count; s++)
			if (has(L.sets[s], i)) {
				put_letter(s, numbered, first);
				first = 0;
			}
		out_char('\t');
		out_str(yes_no(small(&all[rank[i]])));
		out_char('\n');
	}
	for (size_t s = 0; s < L.count; s++)
		free(L.sets[s]);
	free(L.sets);
	free(tier);
	free(sig);
	free(c);
	free(rank);
}

static int by_series(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	return (a->period > b->period) - (a->period < b->period);
}

/* Reads every row of r: its counts and, in --trend, its group and period;
 * or its key. Returns the entries (*count of them). */
static struct entry *read_entries(struct tsv_reader *r, size_t *count,
				  const struct nps_count_cols *cc, enum mode mode,
				  size_t key_col, size_t *group_cols,
				  size_t ngroups, size_t period_col,
				  struct hash *keys, enum period_kind *kind)
{
	struct entry *all = NULL;
	size_t n = 0, cap = 0;
	struct hash seen = { 0 };
	struct buf group = { 0 };
	int have_kind = 0;
	while (tsv_next(r)) {
		if (!tsv_check_width(r))
			continue;
		struct entry e = { 0 };
		if (!nps_counts_read(r, cc, &e.counts))
			continue;
		nps_compute(&e.counts, opt.weighted, INTERVAL_WALD, 1.96, &e.stats);
		if (isnan(e.stats.nps)) {
			if (opt.weighted)
				tsv_reject(r, "the weight sum is 0: no NPS to compare");
			else
				tsv_reject(r, "n is 0: no NPS to compare");
			continue;
		}
		e.file = r->name;
		e.line = r->line;
		size_t id;
		int added;
		if (mode == TREND) {
			struct slice f = r->fields[period_col];
			enum period_kind k;
			if (!period_parse(f, &k, &e.period)) {
				tsv_reject(r, "period must be like 2026-11-24, 2026-W48, "
					      "2026-11, 2026-Q4 or 2026 (%s)",
					   tsv_quote(f));
				continue;
			}
			if (have_kind && k != *kind) {
				tsv_reject(r, "period is a %s, the first period a %s (%s)",
					   period_kind_name(k), period_kind_name(*kind),
					   tsv_quote(f));
				continue;
			}
			have_kind = 1;
			*kind = k;
			group.len = 0;
			for (size_t g = 0; g < ngroups; g++) {
				if (g)
					buf_addc(&group, '\t');
				struct slice v = r->fields[group_cols[g]];
				buf_add(&group, v.p, v.n);
			}
			e.group = hash_intern(keys, group.p ? group.p : "", group.len,
					      &added);
			struct { size_t group; long period; } at;
			memset(&at, 0, sizeof at);
			at.group = e.group;
			at.period = e.period;
			id = hash_intern(&seen, &at, sizeof at, &added);
			if (!added) {
				tsv_reject(r, "group and period appear twice, first on %s:%lu (%s)",
					   all[id].file, all[id].line, tsv_quote(f));
				continue;
			}
		} else {
			struct slice f = r->fields[key_col];
			id = hash_intern(keys, f.p, f.n, &added);
			if (!added) {
				tsv_reject(r, "key appears twice, first on %s:%lu (%s)",
					   all[id].file, all[id].line, tsv_quote(f));
				continue;
			}
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			all = xrealloc(all, cap * sizeof *all);
		}
		all[n++] = e;
	}
	hash_free(&seen);
	buf_free(&group);
	*count = n;
	return all;
}

/* --p-values: any TSV; appends p_adj and significant to every row. */
static void p_values(struct tsv_reader *r, const char *col_name, enum adjust how)
{
	size_t col = tsv_col(r, col_name);
	if (!r->has_header)
		return;
	struct buf rows = { 0 };
	size_t *ends = NULL;
	double *p = NULL;
	size_t n = 0, cap = 0;
	while (tsv_next(r)) {
		if (!tsv_check_width(r))
			continue;
		struct slice f = r->fields[col];
		double v = NAN;
		if (!slice_eq(slice_trim(f), "NA") &&
		    (!num_double(f, &v) || v < 0 || v > 1)) {
			tsv_reject(r, "%s must be a p-value 0..1 or NA (%s)", col_name,
				   tsv_quote(f));
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			ends = xrealloc(ends, cap * sizeof *ends);
			p = xrealloc(p, 2 * cap * sizeof *p);
		}
		buf_add(&rows, r->row.p, r->row.n);
		ends[n] = rows.len;
		p[2 * n] = v;
		n++;
	}
	adjust_p(p, 2 * sizeof *p, n, how);
	tsv_write_header(r, &out);
	out_str("\tp_adj\tsignificant\n");
	for (size_t i = 0, start = 0; i < n; start = ends[i], i++) {
		out_write(rows.p + start, ends[i] - start);
		put_p(p[2 * i + 1]);
		out_char('\t');
		out_str(isnan(p[2 * i + 1]) ? "NA"
					    : yes_no(significant(p[2 * i + 1])));
		out_char('\n');
	}
	buf_free(&rows);
	free(ends);
	free(p);
}

int main(int argc, char **argv)
{
	const char *key_name = NULL, *ref = NULL, *group_list = NULL,
		   *period_name = "period", *rejects = NULL, *p_col = NULL;
	enum mode mode = PAIRS;
	int modes = 0, time_given = 0;
	enum adjust how = ADJUST_HOLM;
	double confidence = 0.95, power = 0.8;
	unsigned long long ull;
	opt.alpha = 0.05;
	opt.min_n = 30;
	opt.precision = 2;
	enum { O_REF = 256, O_TIERS, O_TREND, O_ADJUST, O_ALPHA, O_CONF, O_MDD,
	       O_POWER, O_SIZE, O_MIN_N, O_PVALUES, O_PRECISION, O_REJECTS,
	       O_VERSION };
	static const struct option options[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "ref", required_argument, NULL, O_REF },
		{ "tiers", no_argument, NULL, O_TIERS },
		{ "trend", no_argument, NULL, O_TREND },
		{ "group", required_argument, NULL, 'g' },
		{ "time", required_argument, NULL, 't' },
		{ "adjust", required_argument, NULL, O_ADJUST },
		{ "alpha", required_argument, NULL, O_ALPHA },
		{ "confidence", required_argument, NULL, O_CONF },
		{ "mdd", no_argument, NULL, O_MDD },
		{ "power", required_argument, NULL, O_POWER },
		{ "sample-size", required_argument, NULL, O_SIZE },
		{ "min-n", required_argument, NULL, O_MIN_N },
		{ "p-values", required_argument, NULL, O_PVALUES },
		{ "precision", required_argument, NULL, O_PRECISION },
		{ "rejects", required_argument, NULL, O_REJECTS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ 0 },
	};
	prog_init(argv[0]);
	int c;
	while ((c = getopt_long(argc, argv, "k:g:t:h", options, NULL)) != -1) {
		switch (c) {
		case 'k': key_name = optarg; break;
		case 'g': group_list = optarg; break;
		case 't': period_name = optarg; time_given = 1; break;
		case O_REF: ref = optarg; mode = REF; modes++; break;
		case O_TIERS: mode = TIERS; modes++; break;
		case O_TREND: mode = TREND; modes++; break;
		case O_PVALUES: p_col = optarg; mode = PVALUES; modes++; break;
		case O_ADJUST:
			if (strcmp(optarg, "holm") == 0)
				how = ADJUST_HOLM;
			else if (strcmp(optarg, "bh") == 0)
				how = ADJUST_BH;
			else if (strcmp(optarg, "bonferroni") == 0)
				how = ADJUST_BONFERRONI;
			else if (strcmp(optarg, "none") == 0)
				how = ADJUST_NONE;
			else
				die_usage("--adjust must be holm, bh, bonferroni or none (\"%s\")",
					  optarg);
			break;
		case O_ALPHA: opt.alpha = num_opt_between("--alpha", optarg, 0, 1); break;
		case O_CONF: confidence = num_opt_between("--confidence", optarg, 0, 1); break;
		case O_POWER: power = num_opt_between("--power", optarg, 0, 1); break;
		case O_MDD: opt.mdd = 1; break;
		case O_SIZE:
			if (!num_arg_double(optarg, &opt.detect) || !(opt.detect > 0) ||
			    opt.detect > 200)
				die_usage("--sample-size must be a difference in points, "
					  "0 < DIFF <= 200 (\"%s\")", optarg);
			opt.sample_size = 1;
			break;
		case O_MIN_N:
			if (!num_arg_count(optarg, &ull))
				die_usage("--min-n must be a count (\"%s\")", optarg);
			opt.min_n = (double)ull;
			break;
		case O_PRECISION: opt.precision = num_opt_precision(optarg); break;
		case O_REJECTS: rejects = optarg; break;
		case 'h': usage(); exit_printed();
		case O_VERSION: printf("nps-signif %s\n", NPSKIT_VERSION); exit_printed();
		default: die_option(argv, "k:g:t:h");
		}
	}
	if (modes > 1)
		die_usage("--ref, --tiers, --trend and --p-values exclude each other");
	if ((opt.mdd || opt.sample_size) && (mode == TIERS || mode == PVALUES))
		die_usage("--mdd and --sample-size apply to comparisons, not to %s",
			  mode == TIERS ? "--tiers" : "--p-values");
	if ((group_list || time_given) && mode != TREND)
		die_usage("-g and -t apply to --trend only");
	if (key_name && (mode == TREND || mode == PVALUES))
		die_usage("-k does not apply to %s",
			  mode == TREND ? "--trend (use -g)" : "--p-values");
	opt.z_conf = nps_z_of_confidence(confidence);
	opt.z_alpha = normal_quantile(1 - opt.alpha / 2);
	opt.z_power = normal_quantile(power);

	struct tsv_reader r;
	tsv_open(&r, argc - optind, argv + optind);
	if (mode == PVALUES) {
		tsv_col(&r, p_col); /* a usage error must not empty the rejects file */
		if (rejects)
			tsv_rejects_open(&r, rejects);
		p_values(&r, p_col, how);
		writer_close(&out);
		tsv_close(&r);
		return 0;
	}
	struct nps_count_cols cc;
	nps_count_cols_find(&r, &cc);
	opt.weighted = cc.weighted;
	size_t key_col = key_name ? tsv_col(&r, key_name) : 0;
	size_t *group_cols = NULL, ngroups = 0, period_col = 0;
	if (mode == TREND) {
		ngroups = tsv_cols(&r, group_list, &group_cols);
		period_col = tsv_col(&r, period_name);
	}
	if (rejects)
		tsv_rejects_open(&r, rejects);
	if (!r.has_header) {
		free(group_cols);
		writer_close(&out);
		tsv_close(&r);
		return 0;
	}

	struct hash keys = { 0 };
	enum period_kind kind = PERIOD_MONTH;
	size_t k;
	struct entry *all = read_entries(&r, &k, &cc, mode, key_col, group_cols,
					 ngroups, period_col, &keys, &kind);
	struct comparison *cmp = NULL;
	size_t ncmp = 0;
	if (mode == PAIRS) {
		cmp = xmalloc((k > 1 ? k * (k - 1) / 2 : 1) * sizeof *cmp);
		for (size_t i = 0; i < k; i++)
			for (size_t j = i + 1; j < k; j++)
				compare(&cmp[ncmp++], all, i, j);
	} else if (mode == REF) {
		size_t ref_id = k;
		for (size_t i = 0; i < k; i++)
			if (keys.lens[i] == strlen(ref) &&
			    memcmp(keys.keys[i], ref, keys.lens[i]) == 0)
				ref_id = i;
		if (ref_id == k)
			die_usage("--ref \"%s\" is not a key in column %.*s", ref,
				  (int)r.cols[key_col].n, r.cols[key_col].p);
		cmp = xmalloc((k ? k : 1) * sizeof *cmp);
		for (size_t i = 0; i < k; i++)
			if (i != ref_id)
				compare(&cmp[ncmp++], all, ref_id, i);
	} else if (mode == TREND) {
		if (k > 1)
			qsort(all, k, sizeof *all, by_series);
		cmp = xmalloc((k ? k : 1) * sizeof *cmp);
		for (size_t i = 1; i < k; i++)
			if (all[i].group == all[i - 1].group)
				compare(&cmp[ncmp++], all, i, i - 1);
	}

	if (mode == TIERS) {
		tiers(all, k, &keys, how);
	} else if (mode == TREND) {
		adjust_comparisons(cmp, ncmp, how);
		for (size_t g = 0; g < ngroups; g++) {
			struct slice name = r.cols[group_cols[g]];
			out_write(name.p, name.n);
			out_char('\t');
		}
		struct slice pname = r.cols[period_col];
		out_write(pname.p, pname.n);
		out_str("\tprevious\tnps_previous\tnps\tchange\tse_change");
		put_tail_header();
		for (size_t i = 0; i < ncmp; i++) {
			const struct entry *now = &all[cmp[i].a], *before = &all[cmp[i].b];
			char when[48];
			if (ngroups) {
				put_key(&keys, now->group);
				out_char('\t');
			}
			period_format(kind, now->period, when);
			out_str(when);
			out_char('\t');
			period_format(kind, before->period, when);
			out_str(when);
			put_num(before->stats.nps);
			put_num(now->stats.nps);
			put_tail(&cmp[i], all);
		}
	} else {
		adjust_comparisons(cmp, ncmp, how);
		out_str("a\tb\tnps_a\tnps_b\tdiff\tse_diff");
		put_tail_header();
		for (size_t i = 0; i < ncmp; i++) {
			put_key(&keys, cmp[i].a);
			out_char('\t');
			put_key(&keys, cmp[i].b);
			put_num(all[cmp[i].a].stats.nps);
			put_num(all[cmp[i].b].stats.nps);
			put_tail(&cmp[i], all);
		}
	}
	writer_close(&out);
	tsv_close(&r);
	free(cmp);
	free(all);
	free(group_cols);
	hash_free(&keys);
	return 0;
}

/* nps-drivers: key-driver analysis per group. Which ratings move the
 * recommendation score (correlation, standardized beta, Johnson's relative
 * weights, LMG/Shapley shares of R²), how sure that is (a bootstrap over
 * random groups of rows), and what to fix first (importance against
 * performance). One pass; each group keeps exact sums in a fixed number of
 * buckets, written with --partial and combined with --merge. This file
 * reads and sums; cmd/drivers/analysis.c turns the sums into figures. */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/drivers.h"
#include "hash.h"
#include "key.h"
#include "nps.h"
#include "num.h"
#include "out.h"
#include "tsv.h"
#include "util.h"
#include "version.h"

static void usage(void)
{
	printf("Usage: nps-drivers -d COLS [options] [file ...]\n"
	       "Which ratings drive the recommendation score, and what to fix first.\n\n"
	       "  -s, --score COL          the outcome (default score)\n"
	       "  -d, --drivers COLS       the driver ratings (comma-separated)\n"
	       "      --drivers-prefix P   every column whose name starts with P\n"
	       "  -g, --group COLS         one analysis per group\n"
	       "  -w, --weight COL         weight column\n"
	       "      --pairwise           pairwise-complete correlations (default:\n"
	       "                           complete cases)\n"
	       "      --method M           lmg (default) or rw: the importance used for\n"
	       "                           ranks and quadrants\n"
	       "      --lmg-max N          exact LMG up to N drivers (default 20, at most 24);\n"
	       "                           relative weights beyond\n"
	       "      --cut C              quadrant cut lines: mean (default), median, or\n"
	       "                           IMPORTANCE,MEAN (importance in %% of R²)\n"
	       "      --levels FILE        driver TAB stage: stage and total weights\n"
	       "      --bootstrap B        resamples (default 1000; 0: none)\n"
	       "      --buckets K          random groups of rows per group (default 50)\n"
	       "      --seed S             the resampling seed (default 1)\n"
	       "      --confidence X       interval level (default 0.95)\n"
	       "      --precision N        decimals (default 2)\n"
	       "      --partial            write the sufficient statistics instead\n"
	       "      --merge              input is --partial output: combine it\n"
	       "      --rejects FILE       write bad rows to FILE instead of stopping\n"
	       TSV_HEADER_USAGE
	       "  -h, --help               show this help\n"
	       "      --version            show the version\n");
}

static void layout_init(struct layout *l, size_t q, int weighted)
{
	l->q = q;
	l->p = q - 1;
	l->pairs = q * (q + 1) / 2;
	l->pair = xmalloc(q * q * sizeof *l->pair);
	size_t k = 0;
	for (size_t a = 0; a < q; a++)
		for (size_t b = a; b < q; b++, k++)
			l->pair[a * q + b] = l->pair[b * q + a] = k;
	l->exact = E_SUM + q + l->pairs;
	l->fast = F_SUM + q + l->pairs;
	l->weighted = weighted;
}

static _Noreturn void too_large(const struct tsv_reader *r)
{
	tsv_die(r, EX_DATA_, "sums too large to add up");
}

/* 0 when a weight sum would overflow. */
static inline int top_add(struct top *t, int64_t v, i128 w)
{
	if (t->count == 2 && v < t->value[1])
		return 1;
	for (int i = 0; i < t->count; i++)
		if (t->value[i] == v)
			return !__builtin_add_overflow(t->weight[i], w, &t->weight[i]);
	if (t->count < 2) {
		int i = t->count++;
		t->value[i] = v, t->weight[i] = w;
	} else if (v > t->value[1]) {
		t->value[1] = v, t->weight[1] = w;
	} else {
		return 1;
	}
	if (t->count == 2 && t->value[1] > t->value[0]) {
		int64_t v0 = t->value[0];
		i128 w0 = t->weight[0];
		t->value[0] = t->value[1], t->weight[0] = t->weight[1];
		t->value[1] = v0, t->weight[1] = w0;
	}
	return 1;
}


static struct group *group_of(struct state *s, const char *key, size_t n)
{
	int added;
	size_t id = hash_intern(&s->keys, key, n, &added);
	if (id >= s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		s->groups = xrealloc(s->groups, cap * sizeof *s->groups);
		s->cap = cap;
	}
	struct group *g = &s->groups[id];
	if (added) {
		g->cells = xmalloc(s->o.buckets * sizeof *g->cells);
		memset(g->cells, 0, s->o.buckets * sizeof *g->cells);
		size_t n = s->o.buckets * s->l.fast * sizeof *g->fast;
		g->fast = xmalloc(n);
		memset(g->fast, 0, n);
		g->top = xmalloc(s->l.p * sizeof *g->top + 1);
		memset(g->top, 0, s->l.p * sizeof *g->top);
	}
	return g;
}

static struct cell *cell_of(struct state *s, struct group *g, size_t k)
{
	if (!g->cells[k]) {
		struct cell *c = xmalloc(sizeof *c);
		c->exact = xmalloc(s->l.exact * sizeof *c->exact);
		memset(c->exact, 0, s->l.exact * sizeof *c->exact);
		c->inc = NULL;
		g->cells[k] = c;
	}
	return g->cells[k];
}

static i128 *cell_inc(const struct layout *l, struct cell *c)
{
	if (!c->inc) {
		size_t n = INC_KINDS * l->pairs * sizeof *c->inc;
		c->inc = xmalloc(n);
		memset(c->inc, 0, n);
	}
	return c->inc;
}

/* Moves bucket k's fast block into its cell. */
static void fast_flush(struct state *s, struct group *g, size_t k)
{
	const struct layout *l = &s->l;
	int32_t *f = g->fast + k * l->fast;
	if (!f[F_ROWS])
		return;
	struct cell *c = cell_of(s, g, k);
	c->exact[E_ROWS] += f[F_ROWS];
	c->exact[E_N] += f[F_ROWS];
	for (size_t v = 0; v < l->q; v++)
		c->exact[E_SUM + v] += (i128)f[F_SUM + v] * 1000;
	for (size_t k2 = 0; k2 < l->pairs; k2++)
		c->exact[E_SUM + l->q + k2] += (i128)f[F_SUM + l->q + k2] * 1000000;
	memset(f, 0, l->fast * sizeof *f);
}

static inline void add_checked(const struct tsv_reader *r, i128 *a, i128 b)
{
	if (__builtin_add_overflow(*a, b, a))
		too_large(r);
}

/* ---- reading ratings ---- */

/* A rating in thousandths: 1 on success, 0 for an empty field (not
 * answered), -1 when it is not a number with at most 3 decimals and an
 * absolute value below 1e6. */
static inline int rating_parse(struct slice s, int64_t *milli)
{
	if (s.n == 1 && s.p[0] >= '0' && s.p[0] <= '9') {
		*milli = (s.p[0] - '0') * 1000;
		return 1;
	}
	s = slice_trim(s);
	if (s.n == 0)
		return 0;
	const char *p = s.p, *e = s.p + s.n;
	int neg = 0;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	int64_t v = 0;
	int whole = 0, frac = 0;
	for (; p < e && *p >= '0' && *p <= '9'; p++, whole++) {
		if (whole == 6)
			return -1;
		v = v * 10 + (*p - '0');
	}
	v *= 1000;
	if (p < e && *p == '.') {
		p++;
		int64_t scale = 100;
		for (; p < e && *p >= '0' && *p <= '9'; p++, frac++) {
			if (frac == 3)
				return -1;
			v += (*p - '0') * scale;
			scale /= 10;
		}
	}
	if (p != e || whole + frac == 0)
		return -1;
	*milli = neg ? -v : v;
	return 1;
}

/* The fast row waiting in ring slot `at` into its block, if any. */
static inline void fast_add(struct state *s, size_t at)
{
	int32_t *f = s->ring_block[at];
	if (!f)
		return;
	size_t q = s->l.q;
	const int32_t *whole = s->ring_whole + at * q;
	int32_t *sum = f + F_SUM, *cross = sum + q;
	for (size_t a = 0; a < q; a++) {
		sum[a] += whole[a];
		for (size_t b = a; b < q; b++)
			*cross++ += whole[a] * whole[b];
	}
	s->ring_block[at] = NULL;
	struct group *g = &s->groups[s->ring_group[at]];
	struct top *top = g->top;
	for (size_t d = 1; d < q; d++)
		top_add(&top[d - 1], (int64_t)whole[d] * 1000, 1); /* 2^64 rows */
	if (++f[F_ROWS] == FAST_ROWS)
		fast_flush(s, g, s->ring_bucket[at]);
}

static void ring_drain(struct state *s)
{
	for (size_t at = 0; at < RING; at++)
		fast_add(s, at);
}

/* One input row into its group's cell. */
static void add_row(struct state *s, struct tsv_reader *r, struct group *g,
		    size_t bucket, long long weight)
{
	const struct layout *l = &s->l;
	size_t q = l->q;
	const int64_t *x = s->x;
	int complete = 1, small = 1;
	for (size_t v = 0; v < q; v++) {
		complete &= s->present[v];
		small &= x[v] <= FAST_MAX * 1000 && x[v] >= -FAST_MAX * 1000 &&
			 x[v] % 1000 == 0;
	}
	if (complete && small && !l->weighted) {
		size_t at = s->ring_at;
		s->ring_at = (at + 1) % RING;
		fast_add(s, at);
		int32_t *f = g->fast + bucket * l->fast, *whole = s->ring_whole + at * q;
		for (size_t i = 0; i < l->fast; i += 16)
			__builtin_prefetch(f + i, 1);
		for (size_t d = 0; d < l->p; d += 2)
			__builtin_prefetch(g->top + d, 1);
		for (size_t v = 0; v < q; v++)
			whole[v] = (int32_t)(x[v] / 1000);
		s->ring_block[at] = f;
		s->ring_group[at] = (size_t)(g - s->groups);
		s->ring_bucket[at] = bucket;
		return;
	}
	i128 w = l->weighted ? weight : 1;
	for (size_t d = 0; d < l->p; d++)
		if (s->present[d + 1] && !top_add(&g->top[d], x[d + 1], w))
			too_large(r);
	struct cell *c = cell_of(s, g, bucket);
	i128 *e = c->exact;
	e[E_ROWS]++;
	if (complete) {
		e[E_N]++;
		if (l->weighted)
			add_checked(r, &e[E_W], w);
		i128 *sum = e + E_SUM, *cross = sum + q;
		for (size_t a = 0; a < q; a++) {
			add_checked(r, &sum[a], w * x[a]);
			for (size_t b = a; b < q; b++)
				add_checked(r, cross++, w * (x[a] * x[b]));
		}
		return;
	}
	i128 *inc = cell_inc(l, c);
	size_t np = l->pairs;
	for (size_t a = 0; a < q; a++) {
		if (!s->present[a])
			continue;
		for (size_t b = a; b < q; b++) {
			if (!s->present[b])
				continue;
			size_t k = l->pair[a * q + b];
			inc[INC_N * np + k]++;
			add_checked(r, &inc[INC_W * np + k], w);
			add_checked(r, &inc[INC_SA * np + k], w * x[a]);
			add_checked(r, &inc[INC_SB * np + k], w * x[b]);
			add_checked(r, &inc[INC_SAA * np + k], w * (x[a] * x[a]));
			add_checked(r, &inc[INC_SBB * np + k], w * (x[b] * x[b]));
			add_checked(r, &inc[INC_SAB * np + k], w * (x[a] * x[b]));
		}
	}
}

/* Adds sums into cell c: the exact block, and the INC block when inc is
 * not NULL (--merge's rows, and the threads' cells at the end). 0 when a
 * sum would overflow. */
static int cell_add(const struct layout *l, struct cell *c, const i128 *exact,
		    const i128 *inc)
{
	for (size_t k = 0; k < l->exact; k++)
		if (__builtin_add_overflow(c->exact[k], exact[k], &c->exact[k]))
			return 0;
	if (inc) {
		i128 *to = cell_inc(l, c);
		for (size_t k = 0; k < INC_KINDS * l->pairs; k++)
			if (__builtin_add_overflow(to[k], inc[k], &to[k]))
				return 0;
	}
	return 1;
}

/* ---- exact decimals, for --partial and --merge ---- */

/* v / 10^decimals, trailing zeros dropped: "7", "7.5", "-0.25". */
static void write_exact(struct writer *w, i128 v, int decimals)
{
	char tmp[64], *e = tmp + sizeof tmp, *p = e;
	int neg = v < 0;
	unsigned __int128 u = neg ? -(unsigned __int128)v : (unsigned __int128)v;
	int k = 0, started = 0;
	do {
		int digit = (int)(u % 10);
		u /= 10;
		if (k < decimals && !started && digit == 0) {
			k++;
			continue;
		}
		if (k == decimals && started && decimals > 0)
			*--p = '.';
		started = 1;
		*--p = (char)('0' + digit);
		k++;
	} while (u || k <= decimals);
	if (!started)
		*--p = '0';
	else if (neg)
		*--p = '-';
	writer_write(w, p, (size_t)(e - p));
}

/* The form write_exact writes (at most `decimals` decimals); 1 on
 * success. */
static int parse_exact(struct slice s, int decimals, i128 *v)
{
	s = slice_trim(s);
	const char *p = s.p, *e = s.p + s.n;
	int neg = p < e && *p == '-';
	p += neg;
	unsigned __int128 x = 0, limit = ((unsigned __int128)1 << 126) / 10;
	int digits = 0, after = -1;
	for (; p < e; p++) {
		if (*p == '.' && after < 0 && digits) {
			after = 0;
			continue;
		}
		if (*p < '0' || *p > '9' || x > limit)
			return 0;
		x = x * 10 + (unsigned)(*p - '0');
		digits++;
		if (after >= 0 && ++after > decimals)
			return 0;
	}
	if (!digits || after == 0)
		return 0;
	for (int k = after < 0 ? 0 : after; k < decimals; k++) {
		if (x > limit)
			return 0;
		x *= 10;
	}
	*v = neg ? -(i128)x : (i128)x;
	return 1;
}

/* The scales (decimals) of each kind of sum. */
static int scale_w(const struct layout *l) { return l->weighted ? 6 : 0; }
static int scale_sum(const struct layout *l) { return l->weighted ? 9 : 3; }
static int scale_cross(const struct layout *l) { return l->weighted ? 12 : 6; }

static const char *const inc_names[INC_KINDS] = {
	"inc_n", "inc_w", "inc_sa", "inc_sb", "inc_saa", "inc_sbb", "inc_sab",
};

static int inc_scale(const struct layout *l, int kind)
{
	switch (kind) {
	case INC_N: return 0;
	case INC_W: return scale_w(l);
	case INC_SA: case INC_SB: return scale_sum(l);
	default: return scale_cross(l);
	}
}

static void write_partial_header(const struct state *s)
{
	const struct layout *l = &s->l;
	drivers_write_group_names(&s->o);
	out_str("bucket\tbuckets\trows\tn");
	if (l->weighted)
		out_str("\tw");
	for (size_t v = 0; v < l->q; v++)
		writer_printf(&out, "\tsum:%s", l->names[v]);
	for (size_t a = 0; a < l->q; a++)
		for (size_t b = a; b < l->q; b++)
			writer_printf(&out, "\tcross:%s:%s", l->names[a], l->names[b]);
	for (int k = 0; k < INC_KINDS; k++) {
		if (k == INC_W && !l->weighted)
			continue;
		for (size_t a = 0; a < l->q; a++)
			for (size_t b = a; b < l->q; b++)
				writer_printf(&out, "\t%s:%s:%s", inc_names[k],
					      l->names[a], l->names[b]);
	}
	for (size_t d = 1; d < l->q; d++)
		writer_printf(&out, "\ttop1:%s\ttop1_w:%s\ttop2:%s\ttop2_w:%s",
			      l->names[d], l->names[d], l->names[d], l->names[d]);
	out_char('\n');
}

static void write_partial_group(const struct state *s, struct slice key,
				const struct group *g)
{
	const struct layout *l = &s->l;
	int tops_written = 0;
	for (size_t k = 0; k < s->o.buckets; k++) {
		const struct cell *c = g->cells[k];
		if (!c)
			continue;
		out_write(key.p, key.n);
		if (s->ngroups_cols)
			out_char('\t');
		writer_u64(&out, k);
		out_char('\t');
		writer_u64(&out, s->o.buckets);
		out_char('\t');
		write_exact(&out, c->exact[E_ROWS], 0);
		out_char('\t');
		write_exact(&out, c->exact[E_N], 0);
		if (l->weighted) {
			out_char('\t');
			write_exact(&out, c->exact[E_W], 6);
		}
		for (size_t v = 0; v < l->q; v++) {
			out_char('\t');
			write_exact(&out, c->exact[E_SUM + v], scale_sum(l));
		}
		for (size_t k2 = 0; k2 < l->pairs; k2++) {
			out_char('\t');
			write_exact(&out, c->exact[E_SUM + l->q + k2], scale_cross(l));
		}
		for (int kind = 0; kind < INC_KINDS; kind++) {
			if (kind == INC_W && !l->weighted)
				continue;
			for (size_t k2 = 0; k2 < l->pairs; k2++) {
				out_char('\t');
				write_exact(&out, c->inc ? c->inc[kind * l->pairs + k2] : 0,
					    inc_scale(l, kind));
			}
		}
		for (size_t d = 0; d < l->p; d++) {
			const struct top *t = &g->top[d];
			for (int i = 0; i < 2; i++) {
				out_char('\t');
				if (!tops_written && i < t->count) {
					write_exact(&out, t->value[i], 3);
					out_char('\t');
					write_exact(&out, t->weight[i], scale_w(l));
				} else {
					out_char('\t');
				}
			}
		}
		tops_written = 1;
		out_char('\n');
	}
}

/* The columns of --partial output, found by name. */
struct partial_cols {
	size_t bucket, buckets, rows, n, w;
	size_t *sum, *cross, *inc, *top; /* inc: INC_KINDS * pairs; top: 4 * p */
};

/* The variables are the sum: columns, in order: the outcome first. */
static void partial_cols_find(struct state *s, const struct tsv_reader *r,
			      struct partial_cols *pc)
{
	struct layout *l = &s->l;
	size_t q = 0;
	for (size_t c = 0; c < r->ncols; c++)
		q += r->cols[c].n > 4 && memcmp(r->cols[c].p, "sum:", 4) == 0;
	if (q < 2)
		die_usage("--merge reads nps-drivers --partial output: no sum: columns for the score and a driver");
	layout_init(l, q, tsv_col_find(r, "w") >= 0);
	l->names = xmalloc(q * sizeof *l->names);
	q = 0;
	for (size_t c = 0; c < r->ncols; c++)
		if (r->cols[c].n > 4 && memcmp(r->cols[c].p, "sum:", 4) == 0)
			l->names[q++] = xstrndup(r->cols[c].p + 4, r->cols[c].n - 4);
	pc->bucket = tsv_col(r, "bucket");
	pc->buckets = tsv_col(r, "buckets");
	pc->rows = tsv_col(r, "rows");
	pc->n = tsv_col(r, "n");
	pc->w = l->weighted ? tsv_col(r, "w") : 0;
	pc->sum = xmalloc(q * sizeof *pc->sum);
	pc->cross = xmalloc(l->pairs * sizeof *pc->cross);
	pc->inc = xmalloc(INC_KINDS * l->pairs * sizeof *pc->inc);
	pc->top = xmalloc(4 * l->p * sizeof *pc->top + 1);
	struct buf name = { 0 };
	for (size_t v = 0; v < q; v++) {
		name.len = 0;
		buf_add(&name, "sum:", 4);
		buf_add(&name, l->names[v], strlen(l->names[v]));
		pc->sum[v] = tsv_col(r, buf_cstr(&name));
	}
	for (int kind = -1; kind < INC_KINDS; kind++) {
		if (kind == INC_W && !l->weighted)
			continue;
		for (size_t a = 0; a < q; a++)
			for (size_t b = a; b < q; b++) {
				name.len = 0;
				const char *prefix = kind < 0 ? "cross" : inc_names[kind];
				buf_add(&name, prefix, strlen(prefix));
				buf_addc(&name, ':');
				buf_add(&name, l->names[a], strlen(l->names[a]));
				buf_addc(&name, ':');
				buf_add(&name, l->names[b], strlen(l->names[b]));
				size_t col = tsv_col(r, buf_cstr(&name));
				size_t k = l->pair[a * q + b];
				if (kind < 0)
					pc->cross[k] = col;
				else
					pc->inc[kind * l->pairs + k] = col;
			}
	}
	static const char *const top_names[4] = { "top1:", "top1_w:", "top2:", "top2_w:" };
	for (size_t d = 0; d < l->p; d++)
		for (int i = 0; i < 4; i++) {
			name.len = 0;
			buf_add(&name, top_names[i], strlen(top_names[i]));
			buf_add(&name, l->names[d + 1], strlen(l->names[d + 1]));
			pc->top[4 * d + i] = tsv_col(r, buf_cstr(&name));
		}
	buf_free(&name);
}

static void partial_cols_free(struct partial_cols *pc)
{
	free(pc->sum);
	free(pc->cross);
	free(pc->inc);
	free(pc->top);
}

static int read_exact(struct tsv_reader *r, size_t col, int decimals, i128 *v)
{
	if (parse_exact(r->fields[col], decimals, v))
		return 1;
	tsv_reject(r, "%.*s must be an exact sum with at most %d decimals (%s)",
		   (int)r->cols[col].n, r->cols[col].p, decimals,
		   tsv_quote(r->fields[col]));
	return 0;
}

/* One row of --partial output into its group: every figure is read and
 * checked before any is added, so a rejected row adds nothing. */
static void merge_row(struct state *s, struct tsv_reader *r,
		      const struct partial_cols *pc, struct group **gp,
		      struct slice key, i128 *vals)
{
	const struct layout *l = &s->l;
	unsigned long long bucket, buckets;
	if (!num_count(r->fields[pc->buckets], &buckets) || buckets != s->o.buckets) {
		tsv_reject(r, "buckets must be %llu, as --buckets says (%s)",
			   s->o.buckets, tsv_quote(r->fields[pc->buckets]));
		return;
	}
	if (!num_count(r->fields[pc->bucket], &bucket) || bucket >= buckets) {
		tsv_reject(r, "bucket must be a count below buckets (%s)",
			   tsv_quote(r->fields[pc->bucket]));
		return;
	}
	size_t nv = 0;
	if (!read_exact(r, pc->rows, 0, &vals[nv++]) ||
	    !read_exact(r, pc->n, 0, &vals[nv++]) ||
	    (l->weighted && !read_exact(r, pc->w, 6, &vals[nv])))
		return;
	if (!l->weighted)
		vals[nv] = 0;
	nv++;
	for (size_t v = 0; v < l->q; v++)
		if (!read_exact(r, pc->sum[v], scale_sum(l), &vals[nv++]))
			return;
	for (size_t k = 0; k < l->pairs; k++)
		if (!read_exact(r, pc->cross[k], scale_cross(l), &vals[nv++]))
			return;
	int any_inc = 0;
	for (int kind = 0; kind < INC_KINDS; kind++)
		for (size_t k = 0; k < l->pairs; k++, nv++) {
			if (kind == INC_W && !l->weighted)
				vals[nv] = 0;
			else if (!read_exact(r, pc->inc[kind * l->pairs + k],
					     inc_scale(l, kind), &vals[nv]))
				return;
			any_inc |= vals[nv] != 0;
		}
	int has_top = 0;
	i128 *topv = vals + nv;
	for (size_t d = 0; d < l->p; d++)
		for (int i = 0; i < 2; i++) {
			size_t cv = pc->top[4 * d + 2 * i], cw = pc->top[4 * d + 2 * i + 1];
			struct slice fv = slice_trim(r->fields[cv]);
			struct slice fw = slice_trim(r->fields[cw]);
			if (fv.n == 0 && fw.n == 0) {
				topv[2 * (2 * d + i)] = INT64_MIN; /* none */
				continue;
			}
			int64_t rating;
			if (rating_parse(fv, &rating) != 1) {
				tsv_reject(r, "top%d:%s must be a rating (%s)", i + 1,
					   l->names[d + 1], tsv_quote(fv));
				return;
			}
			topv[2 * (2 * d + i)] = rating;
			if (!read_exact(r, cw, scale_w(l), &topv[2 * (2 * d + i) + 1]))
				return;
			has_top = 1;
		}
	/* Counts and weights are never negative, nor more cases than rows. */
	int sane = vals[E_ROWS] >= 0 && vals[E_N] >= 0 && vals[E_W] >= 0 &&
		   vals[E_N] <= vals[E_ROWS];
	for (size_t k = 0; k < l->pairs && sane; k++)
		sane = vals[l->exact + INC_N * l->pairs + k] >= 0 &&
		       vals[l->exact + INC_W * l->pairs + k] >= 0;
	for (size_t i = 0; i < 2 * l->p && sane; i++)
		sane = topv[2 * i] == INT64_MIN || topv[2 * i + 1] >= 0;
	if (!sane) {
		tsv_reject(r, "counts and weights must not be negative, nor n above rows");
		return;
	}
	if (vals[0] == 0 && !has_top)
		return; /* a single pass never writes an empty cell */
	struct group *g = *gp = group_of(s, key.p, key.n);
	if (!cell_add(l, cell_of(s, g, bucket), vals, any_inc ? vals + l->exact : NULL))
		too_large(r);
	for (size_t d = 0; d < l->p; d++)
		for (int i = 0; i < 2; i++)
			if (topv[2 * (2 * d + i)] != INT64_MIN &&
			    !top_add(&g->top[d], (int64_t)topv[2 * (2 * d + i)],
				     topv[2 * (2 * d + i) + 1]))
				too_large(r);
}

/* ---- --levels: journey stages ---- */

/* Reads "driver TAB stage" lines (with that header): every driver named
 * must be one of the drivers, once. */
static void levels_read(struct state *s)
{
	const struct layout *l = &s->l;
	struct tsv_reader r;
	char *files[] = { (char *)s->o.levels };
	tsv_open(&r, 1, files);
	s->stage_of = xmalloc((l->p ? l->p : 1) * sizeof *s->stage_of);
	for (size_t d = 0; d < l->p; d++)
		s->stage_of[d] = -1;
	if (!r.has_header) {
		tsv_close(&r);
		return;
	}
	size_t dc = tsv_col(&r, "driver"), sc = tsv_col(&r, "stage");
	struct hash names = { 0 };
	while (tsv_next(&r)) {
		if (r.nfields != r.ncols)
			tsv_die(&r, EX_DATA_, "expected %zu fields, found %zu", r.ncols,
				r.nfields);
		struct slice drv = slice_trim(r.fields[dc]), stage = slice_trim(r.fields[sc]);
		size_t d = 0;
		while (d < l->p && !(strlen(l->names[d + 1]) == drv.n &&
				     memcmp(l->names[d + 1], drv.p, drv.n) == 0))
			d++;
		if (d == l->p)
			tsv_die(&r, EX_DATA_, "driver %s is not one of the drivers",
				tsv_quote(drv));
		if (s->stage_of[d] >= 0)
			tsv_die(&r, EX_DATA_, "driver %s is given a stage twice",
				tsv_quote(drv));
		if (stage.n == 0)
			tsv_die(&r, EX_DATA_, "stage is empty");
		int added;
		size_t id = hash_intern(&names, stage.p, stage.n, &added);
		if (added) {
			s->stages = xrealloc(s->stages, (id + 1) * sizeof *s->stages);
			s->stages[id] = xstrndup(stage.p, stage.n);
			s->nstages = id + 1;
		}
		s->stage_of[d] = (long)id;
	}
	hash_free(&names);
	tsv_close(&r);
}

/* ---- options and the main loop ---- */

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option options[] = {
		{ "score", required_argument, NULL, 's' },
		{ "drivers", required_argument, NULL, 'd' },
		{ "drivers-prefix", required_argument, NULL, 'D' },
		{ "group", required_argument, NULL, 'g' },
		{ "weight", required_argument, NULL, 'w' },
		{ "pairwise", no_argument, NULL, 'W' },
		{ "method", required_argument, NULL, 'm' },
		{ "lmg-max", required_argument, NULL, 'L' },
		{ "cut", required_argument, NULL, 'c' },
		{ "levels", required_argument, NULL, 'l' },
		{ "bootstrap", required_argument, NULL, 'B' },
		{ "buckets", required_argument, NULL, 'K' },
		{ "seed", required_argument, NULL, 'S' },
		{ "confidence", required_argument, NULL, 'C' },
		{ "precision", required_argument, NULL, 'P' },
		{ "partial", no_argument, NULL, 'A' },
		{ "merge", no_argument, NULL, 'M' },
		{ "rejects", required_argument, NULL, 'R' },
		TSV_HEADER_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int c;
	memset(o, 0, sizeof *o);
	o->confidence = 0.95;
	o->precision = 2;
	o->bootstrap = 1000;
	o->buckets = 50;
	o->seed = 1;
	o->lmg_max = 20;
	while ((c = getopt_long(argc, argv, "s:d:g:w:h", options, NULL)) != -1) {
		switch (c) {
		case 's': o->score = optarg; break;
		case 'd': o->drivers = optarg; break;
		case 'D': o->prefix = optarg; break;
		case 'g': o->group = optarg; break;
		case 'w': o->weight = optarg; break;
		case 'W': o->pairwise = 1; break;
		case 'm':
			if (strcmp(optarg, "lmg") == 0)
				o->method = METHOD_LMG;
			else if (strcmp(optarg, "rw") == 0)
				o->method = METHOD_RW;
			else
				die_usage("--method must be lmg or rw (\"%s\")", optarg);
			break;
		case 'L':
			if (!num_arg_count(optarg, &o->lmg_max) || o->lmg_max > 24)
				die_usage("--lmg-max must be an integer 0..24 (\"%s\")", optarg);
			break;
		case 'c':
			if (strcmp(optarg, "mean") == 0) {
				o->cut = CUT_MEAN;
			} else if (strcmp(optarg, "median") == 0) {
				o->cut = CUT_MEDIAN;
			} else {
				const char *comma = strchr(optarg, ',');
				char *imp = comma ? xstrndup(optarg, (size_t)(comma - optarg)) : NULL;
				int ok = comma && num_arg_double(imp, &o->cut_importance) &&
					 num_arg_double(comma + 1, &o->cut_mean);
				free(imp);
				if (!ok)
					die_usage("--cut must be mean, median or IMPORTANCE,MEAN (\"%s\")", optarg);
				o->cut = CUT_VALUES;
			}
			break;
		case 'l': o->levels = optarg; break;
		case 'B':
			if (!num_arg_count(optarg, &o->bootstrap) || o->bootstrap > 1000000)
				die_usage("--bootstrap must be an integer 0..1000000 (\"%s\")", optarg);
			break;
		case 'K':
			if (!num_arg_count(optarg, &o->buckets) || o->buckets < 1 ||
			    o->buckets > 100000)
				die_usage("--buckets must be an integer 1..100000 (\"%s\")", optarg);
			break;
		case 'S':
			if (!num_arg_count(optarg, &o->seed))
				die_usage("--seed must be a non-negative integer (\"%s\")", optarg);
			break;
		case 'C':
			o->confidence = num_opt_between("--confidence", optarg, 0, 1);
			break;
		case 'P': o->precision = num_opt_precision(optarg); break;
		case 'A': o->partial = 1; break;
		case 'M': o->merge = 1; break;
		case 'R': o->rejects = optarg; break;
		case TSV_OPT_COLUMNS: case TSV_OPT_HEADER_FROM: tsv_header_option(&o->given, c, optarg); break;
		case 'h': usage(); exit_printed();
		case 'V': printf("nps-drivers %s\n", NPSKIT_VERSION); exit_printed();
		default: die_option(argv, "s:d:g:w:h");
		}
	}
	if (o->merge && (o->score || o->drivers || o->prefix || o->weight))
		die_usage("--merge reads --partial output: -s, -d, --drivers-prefix and -w do not apply");
	if (!o->merge && !o->drivers == !o->prefix)
		die_usage("give the drivers: -d COLS or --drivers-prefix PREFIX (one of them)");
	if (o->prefix && !*o->prefix)
		die_usage("--drivers-prefix must not be empty");
}

/* The variables of a pass over responses: the outcome, then the drivers
 * (-d, or every column named with the prefix, in header order). */
static size_t *find_variables(struct state *s, const struct tsv_reader *r)
{
	const struct options *o = &s->o;
	const char *score = o->score ? o->score : "score";
	size_t *cols, p = 0;
	size_t score_col = tsv_col(r, score);
	if (o->drivers) {
		size_t *d;
		p = tsv_cols(r, o->drivers, &d);
		cols = xmalloc((p + 1) * sizeof *cols);
		memcpy(cols + 1, d, p * sizeof *d);
		free(d);
	} else {
		size_t n = strlen(o->prefix);
		cols = xmalloc((r->ncols + 1) * sizeof *cols);
		for (size_t c = 0; c < r->ncols; c++)
			if (c != score_col && r->cols[c].n >= n &&
			    memcmp(r->cols[c].p, o->prefix, n) == 0)
				cols[1 + p++] = c;
		if (!p) {
			free(cols);
			die_usage("no column's name starts with --drivers-prefix %s", o->prefix);
		}
	}
	cols[0] = score_col;
	for (size_t a = 0; a <= p; a++)
		for (size_t b = a + 1; b <= p; b++)
			if (cols[a] == cols[b]) {
				struct slice twice = r->cols[cols[a]];
				free(cols); /* no leak at exit, whatever the stack holds */
				die_usage("-d names %.*s twice, or the score among the drivers",
					  (int)twice.n, twice.p);
			}
	layout_init(&s->l, p + 1, o->weight != NULL);
	s->l.names = xmalloc((p + 1) * sizeof *s->l.names);
	for (size_t v = 0; v <= p; v++)
		s->l.names[v] = xstrndup(r->cols[cols[v]].p, r->cols[cols[v]].n);
	return cols;
}

static int cmp_keys(const void *pa, const void *pb)
{
	const struct key_ref *a = pa, *b = pb;
	int c = memcmp(a->p, b->p, a->n < b->n ? a->n : b->n);
	return c ? c : (a->n > b->n) - (a->n < b->n);
}

static void finish(struct state *s)
{
	size_t n = s->keys.count;
	struct key_ref *order = xmalloc((n ? n : 1) * sizeof *order);
	for (size_t i = 0; i < n; i++)
		order[i] = (struct key_ref){ s->keys.keys[i], s->keys.lens[i], i };
	qsort(order, n, sizeof *order, cmp_keys);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < s->o.buckets; k++)
			fast_flush(s, &s->groups[i], k);
	if (s->o.partial) {
		write_partial_header(s);
		for (size_t i = 0; i < n; i++)
			write_partial_group(s, (struct slice){ order[i].p, order[i].n },
					    &s->groups[order[i].id]);
		free(order);
		return;
	}
	/* Each driver's second-highest distinct rating in the whole input:
	 * its top-two box starts there. */
	size_t p = s->l.p;
	int64_t *top = xmalloc((p ? p : 1) * sizeof *top);
	for (size_t d = 0; d < p; d++) {
		struct top all = { 0 };
		for (size_t i = 0; i < n; i++)
			for (int j = 0; j < s->groups[i].top[d].count; j++)
				top_add(&all, s->groups[i].top[d].value[j], 0);
		top[d] = all.count ? all.value[all.count - 1] : INT64_MAX;
	}
	drivers_report(s, order, n, top);
	free(top);
	free(order);
}

/* The row scratch of a state: its ratings and ring. */
static void row_alloc(struct state *s)
{
	s->x = xmalloc(s->l.q * sizeof *s->x);
	s->present = xmalloc(s->l.q);
	s->ring_whole = xmalloc(RING * s->l.q * sizeof *s->ring_whole);
	s->ring_block = xmalloc(RING * sizeof *s->ring_block);
	memset(s->ring_block, 0, RING * sizeof *s->ring_block);
	s->ring_group = xmalloc(RING * sizeof *s->ring_group);
	s->ring_bucket = xmalloc(RING * sizeof *s->ring_bucket);
	s->ring_at = 0;
}

static void row_free(struct state *s)
{
	free(s->x);
	free(s->present);
	free(s->ring_whole);
	free(s->ring_block);
	free(s->ring_group);
	free(s->ring_bucket);
}

static void groups_free(struct state *s)
{
	for (size_t i = 0; i < s->keys.count; i++) {
		struct group *g = &s->groups[i];
		for (size_t k = 0; k < s->o.buckets; k++)
			if (g->cells[k]) {
				free(g->cells[k]->exact);
				free(g->cells[k]->inc);
				free(g->cells[k]);
			}
		free(g->cells);
		free(g->fast);
		free(g->top);
	}
	free(s->groups);
	hash_free(&s->keys);
}

static void state_free(struct state *s)
{
	groups_free(s);
	for (size_t v = 0; v < s->l.q; v++)
		free(s->l.names[v]);
	free(s->l.names);
	free(s->l.pair);
	row_free(s);
	for (size_t t = 0; t < s->nstages; t++)
		free(s->stages[t]);
	free(s->stages);
	free(s->stage_of);
}

/* The output of an empty input (not even a header): the header of the
 * analysis, or of --partial when -d names the drivers. */
static void empty_output(struct state *s)
{
	if (s->o.partial && s->o.drivers) {
		size_t p = 1;
		for (const char *c = s->o.drivers; *c; c++)
			p += *c == ',';
		layout_init(&s->l, p + 1, s->o.weight != NULL);
		s->l.names = xmalloc((p + 1) * sizeof *s->l.names);
		s->l.names[0] = xstrndup(s->o.score ? s->o.score : "score",
					 strlen(s->o.score ? s->o.score : "score"));
		const char *c = s->o.drivers;
		for (size_t d = 1; d <= p; d++) {
			size_t n = strcspn(c, ",");
			s->l.names[d] = xstrndup(c, n);
			c += n + (c[n] == ',');
		}
		write_partial_header(s);
	} else if (!s->o.partial) {
		drivers_write_header(s);
	}
	writer_close(&out);
	state_free(s);
}

/* The input and what the row loop needs of it. */
struct input {
	struct tsv_reader r;
	size_t *group_cols, *var_cols, weight_col;
	int key_in_place;
	struct partial_cols pc; /* --merge */
	i128 *vals;             /* --merge: a row's sums */
	struct buf key;
};

/* Finds the columns and readies the state for rows; 0 when the input is
 * empty (not even a header). */
static int open_input(struct state *s, struct input *in, int nfiles, char **files)
{
	struct tsv_reader *r = &in->r;
	tsv_open_header(r, &s->o.given, nfiles, files);
	s->ngroups_cols = tsv_cols(r, s->o.group, &in->group_cols);
	in->key_in_place = key_in_place(in->group_cols, s->ngroups_cols);
	if (!r->has_header)
		return 0;
	if (s->o.merge) {
		partial_cols_find(s, r, &in->pc);
		in->vals = xmalloc((tot_size(&s->l) + 4 * s->l.p) * sizeof *in->vals);
	} else {
		in->var_cols = find_variables(s, r);
		if (s->o.weight)
			in->weight_col = tsv_col(r, s->o.weight);
	}
	if (s->o.levels)
		levels_read(s);
	row_alloc(s);
	if (s->o.rejects)
		tsv_rejects_open(r, s->o.rejects);
	return 1;
}

/* One response: its ratings and weight checked, added to its group. */
static void read_response(struct state *s, const struct input *in,
			  struct tsv_reader *r, struct slice key)
{
	for (size_t v = 0; v < s->l.q; v++) {
		int rc = rating_parse(r->fields[in->var_cols[v]], &s->x[v]);
		if (rc < 0) {
			tsv_reject(r, "%s must be a number with at most 3 decimals, below 1e6 in size, or empty (%s)",
				   s->l.names[v], tsv_quote(r->fields[in->var_cols[v]]));
			return;
		}
		s->present[v] = rc == 1;
		if (rc != 1)
			s->x[v] = 0;
	}
	long long micro = 0;
	if (s->o.weight && !nps_weight_micro(r->fields[in->weight_col], &micro)) {
		tsv_reject(r, "%s must be a number from 0 to 1e12 (%s)", s->o.weight,
			   tsv_quote(r->fields[in->weight_col]));
		return;
	}
	struct group *g = group_of(s, key.p, key.n);
	size_t bucket = (size_t)(hash_bytes(r->row.p, r->row.n) % s->o.buckets);
	add_row(s, r, g, bucket, micro);
}

/* The rows of r into s; key and vals are scratch (--merge: a row's sums). */
static void read_rows(struct state *s, const struct input *in, struct tsv_reader *r,
		      struct buf *key, i128 *vals)
{
	while (tsv_next(r)) {
		if (!tsv_check_width(r))
			continue;
		struct slice k = key_of_row(r->fields, in->group_cols, s->ngroups_cols,
					    in->key_in_place, key);
		if (s->o.merge) {
			struct group *g;
			merge_row(s, r, &in->pc, &g, k, vals);
		} else {
			read_response(s, in, r, k);
		}
	}
	ring_drain(s);
}

/* A thread reading ranges of the input: a state of its own (its groups,
 * its row and ring; the options and layout shared, read only), added
 * into the main state at the end (merge_lane). */
struct lane {
	OWN_LINES struct state s;
	const struct input *in;
	struct buf key;
	i128 *vals;
};

static void read_range(void *state, struct tsv_reader *r, struct writer *unused)
{
	(void)unused; /* the analysis is written at the end */
	struct lane *ln = state;
	read_rows(&ln->s, ln->in, r, &ln->key, ln->vals);
}

/* Adds a lane's groups into s, exactly (as --merge adds partial rows):
 * each cell's sums, its top ratings; then frees the lane's own parts. */
static void merge_lane(struct state *s, struct state *t)
{
	const struct layout *l = &s->l;
	for (size_t i = 0; i < t->keys.count; i++) {
		struct group *from = &t->groups[i];
		struct group *to = group_of(s, t->keys.keys[i], t->keys.lens[i]);
		for (size_t k = 0; k < s->o.buckets; k++) {
			fast_flush(t, from, k);
			const struct cell *c = from->cells[k];
			if (c && !cell_add(l, cell_of(s, to, k), c->exact, c->inc))
				die(EX_DATA_, "sums too large to add up");
		}
		for (size_t d = 0; d < l->p; d++)
			for (int j = 0; j < from->top[d].count; j++)
				if (!top_add(&to->top[d], from->top[d].value[j],
					     from->top[d].weight[j]))
					die(EX_DATA_, "sums too large to add up");
	}
	groups_free(t);
	row_free(t);
}

/* Every row into s: on one thread, or on ranges of the input on several,
 * each into a lane of its own, merged at the end. */
static void read_all(struct state *s, struct input *in)
{
	size_t n = tsv_range_threads(&in->r);
	if (n == 1) {
		read_rows(s, in, &in->r, &in->key, in->vals);
		return;
	}
	struct lane *lanes = xmalloc_lines(n * sizeof *lanes);
	for (size_t i = 0; i < n; i++) {
		struct lane *ln = &lanes[i];
		memset(ln, 0, sizeof *ln);
		ln->s = *s; /* options, layout and stages: read only */
		memset(&ln->s.keys, 0, sizeof ln->s.keys);
		ln->s.groups = NULL, ln->s.cap = 0;
		row_alloc(&ln->s);
		ln->in = in;
		if (s->o.merge)
			ln->vals = xmalloc((tot_size(&s->l) + 4 * s->l.p) * sizeof *ln->vals);
	}
	tsv_ranges(&in->r, n, read_range, lanes, sizeof *lanes);
	for (size_t i = 0; i < n; i++) {
		merge_lane(s, &lanes[i].s);
		buf_free(&lanes[i].key);
		free(lanes[i].vals);
	}
	free(lanes);
}

static void input_close(struct state *s, struct input *in)
{
	tsv_close(&in->r);
	buf_free(&in->key);
	free(in->group_cols);
	free(in->var_cols);
	free(in->vals);
	if (s->o.merge)
		partial_cols_free(&in->pc);
}

int main(int argc, char **argv)
{
	struct state s;
	memset(&s, 0, sizeof s);
	prog_init(argv[0]);
	parse_options(argc, argv, &s.o);

	struct input in = { 0 };
	if (!open_input(&s, &in, argc - optind, argv + optind)) {
		empty_output(&s); /* no input at all: the header alone */
		input_close(&s, &in);
		return 0;
	}
	read_all(&s, &in);
	finish(&s);
	writer_close(&out);
	input_close(&s, &in);
	state_free(&s);
	return 0;
}

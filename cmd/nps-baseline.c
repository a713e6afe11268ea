/* nps-baseline: judge each period of an NPS series against what was
 * expected of it, from the periods before it only. The model and every
 * formula are in man/nps-baseline.1.scd; the names below follow it:
 *
 *   level     pooled, the median of the last W adjusted values of the
 *             series; alone, their interquartile mean (with --level
 *             trend, carried along the slope between it and that of the
 *             W before)
 *   seasonal  the season's past deviations from the level: pooled, the
 *             panel's median, shrunk k/(k+1); alone, the series' mean,
 *             shrunk by empirical Bayes toward zero by its noise
 *   event     each active label's past deviations, shrunk k/(k+1)
 *   expected  level + seasonal + event_effect
 *   tau2      process variance from the last 3W residuals: pooled, their
 *             median implied variance shrunk toward the panel's; alone,
 *             their clipped mean shrunk toward zero
 *   z         residual / sqrt(se^2 + tau2)
 *
 * Every estimate looks back a bounded number of periods (W, or 3W), so a
 * series of n periods costs O(n W). The whole input is held (row text and
 * per-row figures), because a pooled estimate for one series needs the
 * other series' same period. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "date.h"
#include "hash.h"
#include "nps.h"
#include "num.h"
#include "out.h"
#include "tsv.h"
#include "util.h"
#include "version.h"

/* A growable array of T, grown by lib's one growth rule (array_grow in
 * buf.h): no allocation per row. */
#define VEC(T) struct { T *p; size_t n, cap; }
#define VEC_PUSH(v, x) do { \
	(v).p = array_grow((v).p, &(v).cap, (v).n + 1, sizeof *(v).p); \
	(v).p[(v).n++] = (x); \
} while (0)

typedef VEC(double) doubles;
typedef VEC(size_t) sizes;

#define NONE ((size_t)-1)

enum learned { LEARN_NONE, LEARN_SEASON, LEARN_EVENT };

struct row {
	size_t text, len;  /* the input line, in `texts` */
	size_t series;
	long period;
	int season;        /* 1..53; 0 when seasonality is off */
	int valid;         /* the counts weigh something: nps and se exist */
	int partial;       /* nps-agg's partial: the data cover it in part */
	int counted;       /* valid and whole: part of the series' history */
	double nps, se;
	size_t nlabels;    /* active event labels */
	size_t label;      /* the one active label, when nlabels == 1 */
	long history;      /* valid periods of the series before this one */
	double level, tau2, seasonal, event, adjusted, expected, residual, z;
	size_t spread_n;   /* residuals its own tau2 was taken from */
	enum learned learned; /* what its deviation `dev` teaches */
	double dev;
	double noise;      /* the variance of a deviation it teaches */
	size_t prev;       /* the series' previous row that taught the same
			      season or label; NONE */
};

struct event {
	long first_day, last_day;
	size_t label;
	size_t scope; /* its scope values, in `scopes`: one per scope column */
	int scoped;   /* some scope value is not empty */
};

/* A label active in row `row` of the period (its index there). */
struct label_row {
	size_t label, row;
};

struct series {
	sizes rows;        /* in time order */
	size_t group;      /* its -g values: groups.p[group .. + ngroup) */
	long history;      /* valid periods seen so far, while modelling */
	double season_weight; /* alone: its latest seasonal shrink factor */
};

/* What a pooled estimate draws on: a deviation (or an implied variance)
 * and the period that taught it, appended in time order. */
struct taught {
	long period;
	double v;
};
typedef VEC(struct taught) taughts;

struct baseline {
	/* options */
	enum period_kind kind;
	int kind_known, kind_from_option;
	int pool;          /* -1: pool when there are two series or more */
	int pooled;        /* whether the model pools, once it is known */
	int season, trend;
	double threshold;
	int min_history, window, precision; /* window 0: the default */
	size_t ngroup, *group; /* the -g columns */
	size_t nscope;
	long *scope_col;   /* per scope column of the events file: its -g index */
	int hinted;        /* that -g is probably missing */

	/* the input, held */
	struct buf texts, scopes;
	VEC(struct row) rows;
	VEC(struct series) series;
	VEC(struct slice) groups; /* per series, its -g values (in series_keys) */
	struct hash series_keys;
	VEC(struct event) events;
	struct hash label_names; /* label -> id */

	/* the model's working state, one period of all series at a time */
	taughts season_pool[54]; /* per season: every series' deviations */
	VEC(taughts) label_pool;  /* per label: every series' deviations */
	taughts spread_pool;      /* implied() of every series' residuals */
	struct hash chains;       /* (series, season or label) -> id */
	sizes chain_last;         /* per id: the last row that taught it */
	sizes active_all;         /* unscoped events that overlap the period */
	sizes active_scoped;      /* scoped ones */
	size_t next_event;        /* in by_start: the next to become active */
	size_t *by_start;         /* events by first day */
	sizes common;             /* this period's labels of every series */
	VEC(struct label_row) scoped; /* and those of some series only */
	VEC(struct label_row) taught_now; /* the rows that teach a label */
	sizes now;                /* rows whose deviation joins a pool */
	size_t *stamp;            /* per label: the mark it was last seen at */
	size_t *common_at;        /* per label: the period it was common in */
	size_t marks, periods;    /* counters behind those two */
	doubles tmp, sorted;
};

static void usage(void)
{
	printf("Usage: nps-baseline [options] [file ...]\n"
	       "Judge each period of nps-agg output against what was expected of it.\n\n"
	       "  -g, --group COLS      one series per value of these columns\n"
	       "  -p, --period KIND     require periods of this kind (day, week, month,\n"
	       "                        quarter, year; default: that of the first row)\n"
	       "      --no-pool         judge each series alone, even with several\n"
	       "      --pool            learn seasonal and event effects from all series,\n"
	       "                        and shrink each one's spread toward theirs\n"
	       "                        (the default with two series or more)\n"
	       "      --season on|off   month-of-year (week-of-year, day-of-week ...)\n"
	       "                        effects (default on)\n"
	       "      --events FILE     known events: TSV with start, end, label\n"
	       "                        [and group columns that scope them]\n"
	       "  -z, --threshold K     flag |z| > K (default 3)\n"
	       "      --min-history N   judge only after N earlier periods (default 8)\n"
	       "      --window N        periods behind the level (default 12; days: 28,\n"
	       "                        four of each weekday; spread: 3N)\n"
	       "      --level KIND      median: the window's median (default); trend: that\n"
	       "                        median carried along the trend of the last 2N periods\n"
	       "      --precision N     decimals of the figures (default 2)\n"
	       "      --rejects FILE    write bad rows to FILE instead of stopping\n"
	       "  -h, --help            show this help\n"
	       "      --version         show the version\n");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The median of sorted a[0..n) with the element at index `skip` left
 * out (skip >= n: none left out). NaN when nothing is left. */
static double median_sorted(const double *a, size_t n, size_t skip)
{
	size_t m = skip < n ? n - 1 : n;
	if (m == 0)
		return NAN;
#define AT(i) a[(skip < n && (i) >= skip) ? (i) + 1 : (i)]
	return m % 2 ? AT(m / 2) : (AT(m / 2 - 1) + AT(m / 2)) / 2;
#undef AT
}

static double median(double *a, size_t n)
{
	qsort(a, n, sizeof *a, cmp_double);
	return median_sorted(a, n, n);
}

/* An effect seen k times counts for k/(k+1) of its median: a prior of
 * "no effect" worth one observation. */
static double shrunk(double med, size_t k)
{
	return k ? med * (double)k / (double)(k + 1) : 0;
}

static long period_last_day(enum period_kind kind, long key)
{
	return period_first_day(kind, key + 1) - 1;
}

/* ---- the events file ---- */

static int event_period(struct slice s, long *first, long *last)
{
	enum period_kind kind;
	long key;
	if (!period_parse(slice_trim(s), &kind, &key))
		return 0;
	*first = period_first_day(kind, key);
	*last = period_last_day(kind, key);
	return 1;
}

static void events_read(struct baseline *b, const char *path,
			const struct tsv_reader *data)
{
	struct tsv_reader r;
	char *files[] = { (char *)path };
	tsv_open(&r, 1, files);
	if (!r.has_header) {
		tsv_close(&r);
		return;
	}
	size_t start = tsv_col(&r, "start"), end = tsv_col(&r, "end"),
	       label = tsv_col(&r, "label");
	/* Every other column must be a group column: it scopes the event. */
	size_t *scope_field = xmalloc(r.ncols * sizeof *scope_field);
	b->scope_col = xmalloc(r.ncols * sizeof *b->scope_col);
	for (size_t i = 0; i < r.ncols; i++) {
		if (i == start || i == end || i == label)
			continue;
		size_t g = 0;
		while (g < b->ngroup && !(r.cols[i].n == data->cols[b->group[g]].n &&
					  memcmp(r.cols[i].p, data->cols[b->group[g]].p,
						 r.cols[i].n) == 0))
			g++;
		if (g == b->ngroup) {
			r.line = 1;
			tsv_die(&r, EX_DATA_, "column %s is neither start, end, label nor a group column",
				tsv_quote(r.cols[i]));
		}
		scope_field[b->nscope] = i;
		b->scope_col[b->nscope++] = (long)g;
	}
	while (tsv_next(&r)) {
		if (r.nfields != r.ncols)
			tsv_die(&r, EX_DATA_, "expected %zu fields, found %zu", r.ncols,
				r.nfields);
		struct event e;
		long skip;
		if (!event_period(r.fields[start], &e.first_day, &skip))
			tsv_die(&r, EX_DATA_, "start must be a date or a period (%s)",
				tsv_quote(r.fields[start]));
		if (!event_period(r.fields[end], &skip, &e.last_day))
			tsv_die(&r, EX_DATA_, "end must be a date or a period (%s)",
				tsv_quote(r.fields[end]));
		if (e.last_day < e.first_day)
			tsv_die(&r, EX_DATA_, "end is before start (%s)",
				tsv_quote(r.fields[end]));
		struct slice l = r.fields[label];
		if (l.n == 0)
			tsv_die(&r, EX_DATA_, "label is empty");
		int added;
		e.label = hash_intern(&b->label_names, l.p, l.n, &added);
		/* Scope values, each as length + bytes; empty means any. */
		e.scope = b->scopes.len;
		e.scoped = 0;
		for (size_t s = 0; s < b->nscope; s++) {
			struct slice v = r.fields[scope_field[s]];
			buf_add(&b->scopes, &v.n, sizeof v.n);
			buf_add(&b->scopes, v.p, v.n);
			e.scoped |= v.n > 0;
		}
		VEC_PUSH(b->events, e);
	}
	free(scope_field);
	tsv_close(&r);
}

/* Does event e apply to series s? */
static int event_covers(const struct baseline *b, const struct event *e,
			size_t s)
{
	if (b->nscope == 0) /* unscoped; scopes.p may be NULL */
		return 1;
	const struct slice *group = b->groups.p + b->series.p[s].group;
	const char *p = b->scopes.p + e->scope;
	for (size_t i = 0; i < b->nscope; i++) {
		size_t n;
		memcpy(&n, p, sizeof n);
		p += sizeof n;
		struct slice g = group[b->scope_col[i]];
		if (n && !(g.n == n && memcmp(g.p, p, n) == 0))
			return 0;
		p += n;
	}
	return 1;
}

/* ---- reading the series ---- */

/* A new series for the key just interned as id: its -g values are slices
 * of the hash's own copy of the key ("v1\tv2\t"), which stays put. */
static void series_add(struct baseline *b, size_t id)
{
	struct series ns = { .group = b->groups.n };
	const char *p = b->series_keys.keys[id];
	for (size_t g = 0; g < b->ngroup; g++) {
		const char *tab = memchr(p, '\t', b->series_keys.lens[id] -
					 (size_t)(p - b->series_keys.keys[id]));
		struct slice v = { p, (size_t)(tab - p) };
		VEC_PUSH(b->groups, v);
		p = tab + 1;
	}
	VEC_PUSH(b->series, ns);
}

/* Rows of one series out of order, and no -g: most likely several series
 * interleaved. nps-agg writes its group columns before the period, so
 * those are the likely key; said once, before the bad row is. */
static void hint_group(struct baseline *b, const struct tsv_reader *r,
		       size_t period_col)
{
	if (b->ngroup || b->hinted || period_col == 0)
		return;
	b->hinted = 1;
	fprintf(stderr, "%s: periods repeat and no -g was given: rows of several series seem interleaved; -g is probably missing (the series key looks like ",
		prog_name);
	for (size_t i = 0; i < period_col; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", tsv_quote(r->cols[i]));
	fprintf(stderr, ")\n");
}

/* The partial column, when the input has one: 0 or 1; -1 when bad. */
static int read_partial(const struct tsv_reader *r, long col)
{
	if (col < 0)
		return 0;
	struct slice f = slice_trim(r->fields[col]);
	if (f.n == 1 && (f.p[0] == '0' || f.p[0] == '1'))
		return f.p[0] == '1';
	return -1;
}

static void read_rows(struct baseline *b, struct tsv_reader *r,
		      size_t period_col, const struct nps_count_cols *cc)
{
	long partial_col = tsv_col_find(r, "partial");
	struct buf key = { 0 };
	buf_grow(&key, 1); /* never a NULL key, even without -g */
	VEC(long) last = { 0 }; /* per series: its latest period */
	char shown[48];
	while (tsv_next(r)) {
		if (!tsv_check_width(r))
			continue;
		struct slice f = slice_trim(r->fields[period_col]);
		enum period_kind kind;
		long period;
		if (!period_parse(f, &kind, &period)) {
			tsv_reject(r, "period must be a " PERIOD_KIND_EXPECTED ": " PERIOD_EXPECTED " (%s)",
				   tsv_quote(f));
			continue;
		}
		if (!b->kind_known) {
			b->kind = kind;
			b->kind_known = 1;
		} else if (kind != b->kind) {
			tsv_reject(r, "period is not a %s %s (%s)", period_kind_name(b->kind),
				   b->kind_from_option ? "as --period says" : "like the first row's",
				   tsv_quote(f));
			continue;
		}
		struct nps_counts counts;
		if (!nps_counts_read(r, cc, &counts))
			continue;
		struct nps_stats st;
		nps_compute(&counts, cc->weighted, INTERVAL_WALD, 1.96, &st);
		nps_counts_free(&counts);
		int partial = read_partial(r, partial_col);
		if (partial < 0) {
			tsv_reject(r, "partial must be 0 or 1 (%s)",
				   tsv_quote(r->fields[partial_col]));
			continue;
		}
		key.len = 0;
		for (size_t g = 0; g < b->ngroup; g++) {
			struct slice v = r->fields[b->group[g]];
			buf_add(&key, v.p, v.n);
			buf_addc(&key, '\t');
		}
		int added;
		size_t s = hash_intern(&b->series_keys, key.p, key.len, &added);
		if (added) {
			series_add(b, s);
			VEC_PUSH(last, period);
		} else if (period <= last.p[s]) {
			hint_group(b, r, period_col);
			period_format(b->kind, last.p[s], shown);
			if (period == last.p[s])
				tsv_reject(r, "duplicate period in this series (%s)",
					   tsv_quote(f));
			else
				tsv_reject(r, "period is earlier than %s before it: a series must be in time order (%s)",
					   shown, tsv_quote(f));
			continue;
		}
		last.p[s] = period;

		struct row w = { .text = b->texts.len, .len = r->row.n, .series = s,
				 .period = period, .valid = !isnan(st.nps),
				 .partial = partial, .counted = !isnan(st.nps) && !partial,
				 .nps = st.nps, .se = st.se, .prev = NONE };
		buf_add(&b->texts, r->row.p, r->row.n);
		VEC_PUSH(b->series.p[s].rows, b->rows.n);
		VEC_PUSH(b->rows, w);
	}
	free(last.p);
	buf_free(&key);
}

/* ---- the model, one period of all series at a time ---- */

/* A sort key: rows by (period, series), events by (first day, index). */
struct sort_key {
	long when;
	size_t tie, index;
};

static int by_key(const void *x, const void *y)
{
	const struct sort_key *a = x, *c = y;
	if (a->when != c->when)
		return (a->when > c->when) - (a->when < c->when);
	return (a->tie > c->tie) - (a->tie < c->tie);
}

static void drop_ended(const struct baseline *b, sizes *active, long first)
{
	size_t keep = 0;
	for (size_t i = 0; i < active->n; i++)
		if (b->events.p[active->p[i]].last_day >= first)
			active->p[keep++] = active->p[i];
	active->n = keep;
}

/* The events that overlap [first, last]: a sweep over the events by
 * start, periods arriving in time order; nothing is kept per series. The
 * labels of unscoped events, each once, into b->common. */
static void events_active(struct baseline *b, long first, long last)
{
	drop_ended(b, &b->active_all, first);
	drop_ended(b, &b->active_scoped, first);
	for (; b->next_event < b->events.n; b->next_event++) {
		size_t e = b->by_start[b->next_event];
		if (b->events.p[e].first_day > last)
			break;
		if (b->events.p[e].last_day < first)
			continue;
		if (b->events.p[e].scoped)
			VEC_PUSH(b->active_scoped, e);
		else
			VEC_PUSH(b->active_all, e);
	}
	b->common.n = 0;
	for (size_t k = 0; k < b->active_all.n; k++) {
		size_t label = b->events.p[b->active_all.p[k]].label;
		if (b->common_at[label] != b->periods) {
			b->common_at[label] = b->periods;
			VEC_PUSH(b->common, label);
		}
	}
}

/* The labels of row w (the period's row i): the common ones, and those of
 * scoped events that cover it, each once, into b->scoped. */
static void find_labels(struct baseline *b, struct row *w, size_t i)
{
	w->nlabels = b->common.n;
	if (b->common.n)
		w->label = b->common.p[0];
	size_t mark = ++b->marks;
	for (size_t k = 0; k < b->active_scoped.n; k++) {
		const struct event *e = &b->events.p[b->active_scoped.p[k]];
		if (b->common_at[e->label] == b->periods || b->stamp[e->label] == mark ||
		    !event_covers(b, e, w->series))
			continue;
		b->stamp[e->label] = mark;
		struct label_row lr = { e->label, i };
		VEC_PUSH(b->scoped, lr);
		w->label = e->label;
		w->nlabels++;
	}
}

/* The process variance a residual implies if it is a typical one: a
 * median-sized |r| of a normal spread sd is 0.674490 sd, and sd^2 =
 * se^2 + process variance. Its median over many residuals is robust to the
 * unusual ones and weighs each against its own sampling variance, so
 * periods (or series) of different sizes mix. */
static double implied(const struct row *h)
{
	double spread = h->residual / 0.6744897501960817; /* normal_quantile(0.75) */
	return spread * spread - h->se * h->se;
}

/* The median of the periods of the counted rows among at[from .. to). */
static double median_period(const struct baseline *b, const size_t *at,
			    size_t from, size_t to, doubles *tmp)
{
	tmp->n = 0;
	for (size_t i = from; i < to; i++)
		if (b->rows.p[at[i]].counted)
			VEC_PUSH(*tmp, (double)b->rows.p[at[i]].period);
	return median(tmp->p, tmp->n);
}

/* The median adjusted value of the counted rows among at[from .. to). */
static double median_adjusted(const struct baseline *b, const size_t *at,
			      size_t from, size_t to, doubles *tmp)
{
	tmp->n = 0;
	for (size_t i = from; i < to; i++)
		if (b->rows.p[at[i]].counted)
			VEC_PUSH(*tmp, b->rows.p[at[i]].adjusted);
	return median(tmp->p, tmp->n);
}

/* --level trend: what the trend adds to the window's median by w's period.
 * The window at[first .. pos) holds W valid rows; the W valid rows before
 * it (if there are as many) make the earlier half. The slope is the
 * change of the two halves' medians over the distance of their middles:
 * two medians of W values are steady, where a line through noisy months
 * is not. */
static double trend_to(struct baseline *b, const struct row *w,
		       const size_t *at, size_t first, size_t pos)
{
	size_t before = first, n = 0;
	while (before > 0 && n < (size_t)b->window)
		n += b->rows.p[at[--before]].counted;
	if (n < (size_t)b->window)
		return 0;
	double old = median_adjusted(b, at, before, first, &b->tmp);
	double now = median_adjusted(b, at, first, pos, &b->tmp);
	double t_old = median_period(b, at, before, first, &b->tmp);
	double t_now = median_period(b, at, first, pos, &b->tmp);
	return (now - old) / (t_now - t_old) * ((double)w->period - t_now);
}

/* The mean of the middle half of a[0..n) (n/4 rounded down dropped at
 * each end): nearly as steady as a mean on normal noise, and an unusual
 * period in the window moves it little. */
static double interquartile_mean(double *a, size_t n)
{
	qsort(a, n, sizeof *a, cmp_double);
	double sum = 0;
	for (size_t i = n / 4; i < n - n / 4; i++)
		sum += a[i];
	return sum / (double)(n - 2 * (n / 4));
}

/* Alone, the process variance from the residuals of sr->p[.. pos): their
 * squares clipped at 2.5 sd (sd from the median estimate v0), averaged
 * (each less its sampling variance; 0.97756 = E min(Z^2, 2.5^2) for a
 * normal Z), then shrunk toward no process variance, a prior worth 3W
 * residuals. A mean of squares is far steadier than their median; the
 * clip keeps the unusual periods out; the prior keeps a few residuals
 * from making a band. */
static double clipped_spread(const struct baseline *b, const sizes *sr,
			     size_t pos, double v0)
{
	double sum = 0;
	size_t m = 0, seen = 0;
	for (size_t j = pos; j-- > 0 && seen < 3 * (size_t)b->window;) {
		const struct row *h = &b->rows.p[sr->p[j]];
		if (!h->counted)
			continue;
		seen++;
		if (isnan(h->residual))
			continue;
		double se2 = h->se * h->se;
		sum += fmin(h->residual * h->residual, 6.25 * (se2 + v0)) / 0.97756 - se2;
		m++;
	}
	if (!m)
		return 0;
	return fmax(0, sum / (double)m) * (double)m / ((double)m + 3.0 * b->window);
}

/* Level and process variance of row w: from its series' last W (level)
 * and 3W (spread) valid periods before it. A spread needs more periods
 * than a level: a median of twelve residuals wanders by a third. `pos` is
 * w's place in its series. */
static void level_and_spread(struct baseline *b, struct row *w, size_t pos)
{
	const sizes *sr = &b->series.p[w->series].rows;
	doubles *tmp = &b->tmp;
	tmp->n = 0;
	size_t first = pos; /* the window: sr->p[first .. pos), valid ones */
	for (size_t j = pos; j-- > 0 && tmp->n < (size_t)b->window;) {
		const struct row *h = &b->rows.p[sr->p[j]];
		if (h->counted) {
			VEC_PUSH(*tmp, h->adjusted);
			first = j;
		}
	}
	w->level = !tmp->n ? NAN : b->pooled ? median(tmp->p, tmp->n)
					    : interquartile_mean(tmp->p, tmp->n);
	if (b->trend && tmp->n == (size_t)b->window)
		w->level += trend_to(b, w, sr->p, first, pos);

	/* Their residuals: the median of the process variance each one
	 * implies (see implied()), never below zero. */
	tmp->n = 0;
	size_t seen = 0;
	for (size_t j = pos; j-- > 0 && seen < 3 * (size_t)b->window;) {
		const struct row *h = &b->rows.p[sr->p[j]];
		if (!h->counted)
			continue;
		seen++;
		if (!isnan(h->residual))
			VEC_PUSH(*tmp, implied(h));
	}
	w->spread_n = tmp->n;
	w->tau2 = tmp->n ? fmax(0, median(tmp->p, tmp->n)) : 0;
	if (!b->pooled)
		w->tau2 = clipped_spread(b, sr, pos, w->tau2);
}

/* Into b->sorted, sorted: the values of `pool` taught in the last `back`
 * distinct periods before this one, and the deviations of this period's
 * rows `now`. */
static void pool_sort(struct baseline *b, const taughts *pool, size_t back,
		      const sizes *now)
{
	doubles *sorted = &b->sorted;
	sorted->n = 0;
	size_t from = pool->n, periods = 0;
	while (from > 0) {
		if (from == pool->n || pool->p[from - 1].period != pool->p[from].period)
			if (++periods > back)
				break;
		from--;
	}
	for (size_t i = from; i < pool->n; i++)
		VEC_PUSH(*sorted, pool->p[i].v);
	for (size_t i = 0; now && i < now->n; i++)
		VEC_PUSH(*sorted, b->rows.p[now->p[i]].dev);
	if (sorted->n)
		qsort(sorted->p, sorted->n, sizeof *sorted->p, cmp_double);
}

/* The pooled estimate for row w: all of b->sorted but w's own deviation,
 * when it is among them. */
static double pooled(const struct baseline *b, const struct row *w, int w_in_now)
{
	const doubles *sorted = &b->sorted;
	size_t skip = sorted->n;
	if (w_in_now) /* any copy of an equal value will do */
		skip = (size_t)((double *)bsearch(&w->dev, sorted->p, sorted->n,
						   sizeof *sorted->p, cmp_double) - sorted->p);
	size_t k = skip < sorted->n ? sorted->n - 1 : sorted->n;
	return shrunk(median_sorted(sorted->p, sorted->n, skip), k);
}

/* The chain of what series s taught about `what` (a season, or
 * 64 + a label): its id in b->chains, added if new. */
static size_t chain(struct baseline *b, size_t s, size_t what)
{
	size_t key[2] = { s, what };
	int added;
	size_t id = hash_intern(&b->chains, key, sizeof key, &added);
	if (added)
		VEC_PUSH(b->chain_last, NONE);
	return id;
}

static size_t chain_of(const struct row *w)
{
	return w->learned == LEARN_SEASON ? (size_t)w->season : 64 + w->label;
}

/* The series-only estimate: the deviations its own last W rows that
 * taught `what` learned. */
static double own(struct baseline *b, const struct row *w, size_t what)
{
	doubles *tmp = &b->tmp;
	tmp->n = 0;
	size_t id = chain(b, w->series, what); /* may move chain_last.p */
	for (size_t j = b->chain_last.p[id];
	     j != NONE && tmp->n < (size_t)b->window; j = b->rows.p[j].prev)
		VEC_PUSH(*tmp, b->rows.p[j].dev);
	return shrunk(tmp->n ? median(tmp->p, tmp->n) : 0, tmp->n);
}

/* Level, spread and labels of the period's rows at[0 .. n); the season's
 * deviation of the event-free ones. */
static void period_start(struct baseline *b, const size_t *at, size_t n,
			 const size_t *pos, int season)
{
	b->scoped.n = 0;
	for (size_t i = 0; i < n; i++) {
		struct row *w = &b->rows.p[at[i]];
		struct series *s = &b->series.p[w->series];
		w->season = season;
		find_labels(b, w, i);
		w->history = s->history;
		s->history += w->counted;
		level_and_spread(b, w, pos[at[i]]);
		w->learned = LEARN_NONE;
		if (w->counted && !isnan(w->level) && season && w->nlabels == 0) {
			w->learned = LEARN_SEASON;
			w->dev = w->nps - w->level;
		}
	}
}

static int seasons_of(enum period_kind kind)
{
	return kind == PERIOD_DAY ? 7 : kind == PERIOD_WEEK ? 53
	     : kind == PERIOD_MONTH ? 12 : 4;
}

/* Alone, the seasonal effect of w's season by empirical Bayes. For each
 * season s of the series, m(s) is the mean of its last W deviations, each
 * clipped to 2 sd of its noise (an unusual period is not a season), and
 * N(s) the variance of that mean. The effects vary around 0 with variance
 * A = mean over seasons of m(s)^2 - N(s) (never below 0); the estimate is
 * m(s) A / (A + N(s)): a season is believed in proportion to how far the
 * series' seasons stand out of their noise. Returns the shrink factor of
 * w's season through *weight (0 when there is nothing to go on). */
static double own_season(struct baseline *b, const struct row *w, int season,
			 double *weight)
{
	double spread = 0, mine = 0, mine_noise = 0;
	int seen = 0, have_mine = 0;
	for (int s = 1; s <= seasons_of(b->kind); s++) {
		size_t id = chain(b, w->series, (size_t)s);
		double sum = 0, noise = 0;
		size_t k = 0;
		for (size_t j = b->chain_last.p[id]; j != NONE && k < (size_t)b->window;
		     j = b->rows.p[j].prev, k++) {
			const struct row *h = &b->rows.p[j];
			double clip = 2 * sqrt(h->noise);
			sum += fmax(-clip, fmin(clip, h->dev));
			noise += h->noise;
		}
		if (!k)
			continue;
		double m = sum / (double)k, n = noise / ((double)k * (double)k);
		spread += m * m - n;
		seen++;
		if (s == season) {
			mine = m;
			mine_noise = n;
			have_mine = 1;
		}
	}
	double a = seen ? fmax(0, spread / seen) : 0;
	*weight = have_mine && a > 0 ? a / (a + mine_noise) : 0;
	return mine * *weight;
}

static void seasonal_effects(struct baseline *b, const size_t *at, size_t n,
			     int season, int pool)
{
	if (season && pool) {
		b->now.n = 0;
		for (size_t i = 0; i < n; i++)
			if (b->rows.p[at[i]].learned == LEARN_SEASON)
				VEC_PUSH(b->now, at[i]);
		pool_sort(b, &b->season_pool[season], (size_t)b->window, &b->now);
	}
	for (size_t i = 0; i < n; i++) {
		struct row *w = &b->rows.p[at[i]];
		double weight;
		w->seasonal = !season ? 0
			: pool ? pooled(b, w, w->learned == LEARN_SEASON)
			: own_season(b, w, season, &weight);
		if (season && !pool)
			b->series.p[w->series].season_weight = weight;
	}
	/* then the event deviations they allow */
	for (size_t i = 0; i < n; i++) {
		struct row *w = &b->rows.p[at[i]];
		w->event = 0;
		if (w->counted && !isnan(w->level) && w->nlabels == 1) {
			w->learned = LEARN_EVENT;
			w->dev = w->nps - w->level - w->seasonal;
		}
	}
}

static int by_label(const void *x, const void *y)
{
	const struct label_row *a = x, *c = y;
	if (a->label != c->label)
		return (a->label > c->label) - (a->label < c->label);
	return (a->row > c->row) - (a->row < c->row);
}

/* Into b->sorted: the pool of `label` and the deviations of the period's
 * rows that teach it (b->taught_now, sorted by label). */
static void label_pool_sort(struct baseline *b, const size_t *at, size_t label)
{
	const struct label_row *t = b->taught_now.p;
	size_t lo = 0, hi = b->taught_now.n;
	while (lo < hi) { /* the first of `label` */
		size_t mid = lo + (hi - lo) / 2;
		if (t[mid].label < label)
			lo = mid + 1;
		else
			hi = mid;
	}
	b->now.n = 0;
	for (; lo < b->taught_now.n && t[lo].label == label; lo++)
		VEC_PUSH(b->now, at[t[lo].row]);
	pool_sort(b, &b->label_pool.p[label], (size_t)b->window, &b->now);
}

static double label_share(const struct baseline *b, const struct row *w,
			  size_t label)
{
	return pooled(b, w, w->learned == LEARN_EVENT && w->label == label);
}

/* Per active label, summed. Pooled, each label's pool is sorted once per
 * period, and every row of the period that has the label gets its share. */
static void event_effects(struct baseline *b, const size_t *at, size_t n,
			  int pool)
{
	if (!pool) {
		for (size_t i = 0; i < n; i++)
			for (size_t l = 0; l < b->common.n; l++)
				b->rows.p[at[i]].event += own(b, &b->rows.p[at[i]], 64 + b->common.p[l]);
		for (size_t k = 0; k < b->scoped.n; k++) {
			struct row *w = &b->rows.p[at[b->scoped.p[k].row]];
			w->event += own(b, w, 64 + b->scoped.p[k].label);
		}
		return;
	}
	b->taught_now.n = 0;
	for (size_t i = 0; i < n; i++)
		if (b->rows.p[at[i]].learned == LEARN_EVENT) {
			struct label_row t = { b->rows.p[at[i]].label, i };
			VEC_PUSH(b->taught_now, t);
		}
	if (b->taught_now.n) /* qsort of a NULL array is undefined, even of 0 */
		qsort(b->taught_now.p, b->taught_now.n, sizeof *b->taught_now.p, by_label);
	for (size_t l = 0; l < b->common.n; l++) {
		label_pool_sort(b, at, b->common.p[l]);
		for (size_t i = 0; i < n; i++)
			b->rows.p[at[i]].event += label_share(b, &b->rows.p[at[i]], b->common.p[l]);
	}
	if (b->scoped.n)
		qsort(b->scoped.p, b->scoped.n, sizeof *b->scoped.p, by_label);
	for (size_t k = 0; k < b->scoped.n; k++) {
		size_t label = b->scoped.p[k].label;
		if (k == 0 || b->scoped.p[k - 1].label != label)
			label_pool_sort(b, at, label);
		struct row *w = &b->rows.p[at[b->scoped.p[k].row]];
		w->event += label_share(b, w, label);
	}
}

/* The verdicts of the period's rows. Pooled, a series' own process
 * variance is shrunk toward the panel's: the median implied() of every
 * series' residuals of the last 3W periods, worth 2W residuals of its own
 * (or as many as the panel has, if fewer). */
static void verdicts(struct baseline *b, const size_t *at, size_t n, int pool)
{
	double panel = 0, panel_weight = 0;
	if (pool) {
		pool_sort(b, &b->spread_pool, 3 * (size_t)b->window, NULL);
		if (b->sorted.n) {
			panel = fmax(0, median_sorted(b->sorted.p, b->sorted.n, b->sorted.n));
			panel_weight = fmin(2.0 * b->window, (double)b->sorted.n);
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct row *w = &b->rows.p[at[i]];
		if (panel_weight > 0)
			w->tau2 = ((double)w->spread_n * w->tau2 + panel_weight * panel) /
				  ((double)w->spread_n + panel_weight);
		w->adjusted = w->nps - w->seasonal - w->event;
		w->expected = w->level + w->seasonal + w->event;
		w->residual = w->nps - w->expected;
		w->z = w->residual / sqrt(w->se * w->se + w->tau2);
		/* a deviation's variance: sampling, process, the level's error */
		w->noise = (w->se * w->se + w->tau2) * (1 + 1.0 / b->window);
	}
}

/* What the period teaches later ones. */
static void teach(struct baseline *b, const size_t *at, size_t n, int pool)
{
	for (size_t i = 0; i < n; i++) {
		size_t r = at[i];
		struct row *w = &b->rows.p[r];
		if (pool && w->counted && !isnan(w->residual)) {
			struct taught t = { w->period, implied(w) };
			VEC_PUSH(b->spread_pool, t);
		}
		if (w->learned == LEARN_NONE)
			continue;
		struct taught t = { w->period, w->dev };
		if (w->learned == LEARN_SEASON)
			VEC_PUSH(b->season_pool[w->season], t);
		else
			VEC_PUSH(b->label_pool.p[w->label], t);
		size_t id = chain(b, w->series, chain_of(w));
		w->prev = b->chain_last.p[id];
		b->chain_last.p[id] = r;
	}
}

/* Alone, a series of a full cycle (a year of months ...) or more whose
 * seasons do not stand out of its noise by its last period has its
 * seasonal effects taken as 0: said once on stderr, since a user may
 * believe they are modelled. */
static void note_seasons(const struct baseline *b)
{
	size_t weak = 0;
	for (size_t s = 0; s < b->series.n; s++)
		weak += b->series.p[s].season_weight == 0 &&
			b->series.p[s].history >= seasons_of(b->kind);
	if (weak == 0)
		return;
	if (b->series.n == 1)
		fprintf(stderr, "%s: one series alone cannot estimate its seasonal effects (they do not stand out of its noise): taken as 0; give several series that share a calendar to pool them\n",
			prog_name);
	else
		fprintf(stderr, "%s: %zu of %zu series, each alone (--no-pool), cannot estimate their seasonal effects (they do not stand out of their noise): taken as 0\n",
			prog_name, weak, b->series.n);
}

static void model(struct baseline *b)
{
	int pool = b->pooled = b->pool < 0 ? b->series.n > 1 : b->pool;
	/* Rows in (period, series) order: one period of every series at once. */
	size_t nrows = b->rows.n;
	size_t *order = xmalloc((nrows + 1) * sizeof *order),
	       *pos = xmalloc((nrows + 1) * sizeof *pos);
	size_t nkeys = nrows > b->events.n ? nrows : b->events.n;
	struct sort_key *keys = xmalloc((nkeys + 1) * sizeof *keys);
	for (size_t s = 0, done = 0; s < b->series.n; s++)
		for (size_t j = 0; j < b->series.p[s].rows.n; j++) {
			size_t i = b->series.p[s].rows.p[j];
			pos[i] = j;
			keys[done++] = (struct sort_key){ b->rows.p[i].period, s, i };
		}
	qsort(keys, nrows, sizeof *keys, by_key);
	for (size_t i = 0; i < nrows; i++)
		order[i] = keys[i].index;
	for (size_t e = 0; e < b->events.n; e++)
		keys[e] = (struct sort_key){ b->events.p[e].first_day, e, e };
	qsort(keys, b->events.n, sizeof *keys, by_key);
	b->by_start = xmalloc((b->events.n + 1) * sizeof *b->by_start);
	for (size_t e = 0; e < b->events.n; e++)
		b->by_start[e] = keys[e].index;
	free(keys);

	size_t nlabels = b->label_names.count;
	b->common_at = xmalloc((nlabels + 1) * sizeof *b->common_at);
	memset(b->common_at, 0, (nlabels + 1) * sizeof *b->common_at);
	b->stamp = xmalloc((nlabels + 1) * sizeof *b->stamp);
	memset(b->stamp, 0, (nlabels + 1) * sizeof *b->stamp);
	for (size_t l = 0; l < nlabels; l++) {
		taughts empty = { 0 };
		VEC_PUSH(b->label_pool, empty);
	}

	for (size_t a = 0, z; a < nrows; a = z) {
		long period = b->rows.p[order[a]].period;
		for (z = a; z < nrows && b->rows.p[order[z]].period == period; z++)
			;
		int season = b->season ? period_season(b->kind, period) : 0;
		b->periods++;
		events_active(b, period_first_day(b->kind, period),
			      period_last_day(b->kind, period));
		period_start(b, order + a, z - a, pos, season);
		seasonal_effects(b, order + a, z - a, season, pool);
		event_effects(b, order + a, z - a, pool);
		verdicts(b, order + a, z - a, pool);
		teach(b, order + a, z - a, pool);
	}
	if (b->season && !pool)
		note_seasons(b);
	free(order);
	free(pos);
}

/* ---- output ---- */

static void write_figure(const struct baseline *b, double v)
{
	out_char('\t');
	if (isfinite(v)) /* a missing figure is an empty field */
		writer_fixed(&out, v, b->precision);
}

static void write_row(const struct baseline *b, const struct row *w)
{
	out_write(b->texts.p + w->text, w->len);
	if (!w->valid) {
		out_str("\t\t\t\t\t\t\t\t\tno_responses\n");
		return;
	}
	double band = b->threshold * sqrt(w->se * w->se + w->tau2);
	double lower = w->expected - band, upper = w->expected + band;
	write_figure(b, w->expected);
	write_figure(b, w->seasonal);
	write_figure(b, w->event);
	write_figure(b, w->adjusted);
	write_figure(b, w->residual);
	write_figure(b, w->z);
	write_figure(b, lower < -100 ? -100 : lower);
	write_figure(b, upper > 100 ? 100 : upper);
	const char *flag = "normal";
	if (w->partial)
		flag = "partial";
	else if (w->history < b->min_history)
		flag = "insufficient_history";
	else if (w->residual > band)
		flag = "high";
	else if (w->residual < -band)
		flag = "low";
	out_char('\t');
	out_str(flag);
	out_char('\n');
}

static void baseline_free(struct baseline *b)
{
	for (size_t s = 0; s < b->series.n; s++)
		free(b->series.p[s].rows.p);
	for (int s = 0; s < 54; s++)
		free(b->season_pool[s].p);
	for (size_t l = 0; l < b->label_pool.n; l++)
		free(b->label_pool.p[l].p);
	buf_free(&b->texts);
	buf_free(&b->scopes);
	hash_free(&b->series_keys);
	hash_free(&b->label_names);
	hash_free(&b->chains);
	free(b->rows.p), free(b->series.p), free(b->groups.p), free(b->events.p);
	free(b->label_pool.p), free(b->spread_pool.p), free(b->chain_last.p);
	free(b->active_all.p), free(b->active_scoped.p), free(b->by_start);
	free(b->common.p), free(b->scoped.p), free(b->taught_now.p), free(b->now.p);
	free(b->stamp), free(b->common_at), free(b->tmp.p), free(b->sorted.p);
	free(b->group), free(b->scope_col);
}

static int int_arg(const char *name, const char *arg, int min)
{
	unsigned long long v;
	if (!num_arg_count(arg, &v) || v < (unsigned long long)min || v > 1000000)
		die_usage("%s must be an integer of at least %d (\"%s\")", name, min,
			  arg);
	return (int)v;
}

static void run(struct baseline *b, struct tsv_reader *r, const char *group_list,
		const char *events_path, const char *rejects)
{
	size_t period_col = tsv_col(r, "period");
	struct nps_count_cols cc;
	nps_count_cols_find(r, &cc);
	b->ngroup = group_list ? tsv_cols(r, group_list, &b->group) : 0;
	if (events_path)
		events_read(b, events_path, r);
	/* only now: a usage error must not empty an old rejects file */
	if (rejects)
		tsv_rejects_open(r, rejects);
	read_rows(b, r, period_col, &cc);
	if (b->kind == PERIOD_YEAR)
		b->season = 0;
	if (!b->window) /* days: four whole weeks, each weekday as often */
		b->window = b->kind == PERIOD_DAY ? 28 : 12;
	model(b);
	tsv_write_header(r, &out);
	out_str("\texpected\tseasonal\tevent_effect\tadjusted\tresidual\tz\tlower\tupper\tflag\n");
	for (size_t i = 0; i < b->rows.n; i++)
		write_row(b, &b->rows.p[i]);
}

static const struct option options[] = {
	{ "group", required_argument, NULL, 'g' },
	{ "period", required_argument, NULL, 'p' },
	{ "pool", no_argument, NULL, 'P' },
	{ "no-pool", no_argument, NULL, 'N' },
	{ "season", required_argument, NULL, 'S' },
	{ "events", required_argument, NULL, 'E' },
	{ "threshold", required_argument, NULL, 'z' },
	{ "min-history", required_argument, NULL, 'H' },
	{ "window", required_argument, NULL, 'W' },
	{ "level", required_argument, NULL, 'L' },
	{ "precision", required_argument, NULL, 'D' },
	{ "rejects", required_argument, NULL, 'R' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ 0 },
};
#define SHORT_OPTIONS "g:p:z:k:h"

/* An option that is one of two words: 0 for the first, 1 for the second. */
static int two_words(const char *name, const char *arg, const char *no,
		     const char *yes)
{
	if (strcmp(arg, no) && strcmp(arg, yes))
		die_usage("%s must be %s or %s (\"%s\")", name, no, yes, arg);
	return strcmp(arg, yes) == 0;
}

static enum period_kind period_arg(const char *arg)
{
	enum period_kind kind;
	if (!period_kind_parse(arg, &kind))
		die_usage("--period must be " PERIOD_KIND_EXPECTED " (\"%s\")", arg);
	return kind;
}

static double threshold_arg(const char *arg)
{
	double k;
	if (!num_arg_double(arg, &k) || !(k > 0))
		die_usage("--threshold must be a number above 0 (\"%s\")", arg);
	return k;
}

int main(int argc, char **argv)
{
	const char *group_list = NULL, *events_path = NULL, *rejects = NULL;
	struct baseline b = { .pool = -1, .season = 1, .threshold = 3,
			      .min_history = 8, .precision = 2 };
	prog_init(argv[0]);
	int c;
	while ((c = getopt_long(argc, argv, SHORT_OPTIONS, options, NULL)) != -1) {
		switch (c) {
		case 'g': group_list = optarg; break;
		case 'p': b.kind = period_arg(optarg); b.kind_known = b.kind_from_option = 1; break;
		case 'P': b.pool = 1; break;
		case 'N': b.pool = 0; break;
		case 'S': b.season = !two_words("--season", optarg, "on", "off"); break;
		case 'E': events_path = optarg; break;
		case 'z': b.threshold = threshold_arg(optarg); break;
		case 'k': die_usage("-k is a key column in npskit; the threshold is -z or --threshold");
		case 'H': b.min_history = int_arg("--min-history", optarg, 1); break;
		case 'W': b.window = int_arg("--window", optarg, 1); break;
		case 'L': b.trend = two_words("--level", optarg, "median", "trend"); break;
		case 'D': b.precision = num_opt_precision(optarg); break;
		case 'R': rejects = optarg; break;
		case 'h': usage(); exit_printed();
		case 'V': printf("nps-baseline %s\n", NPSKIT_VERSION); exit_printed();
		default: die_option(argv, SHORT_OPTIONS);
		}
	}

	struct tsv_reader r;
	tsv_open(&r, argc - optind, argv + optind);
	if (r.has_header)
		run(&b, &r, group_list, events_path, rejects);
	else if (rejects)
		tsv_rejects_open(&r, rejects);
	writer_close(&out);
	tsv_close(&r);
	baseline_free(&b);
	return 0;
}

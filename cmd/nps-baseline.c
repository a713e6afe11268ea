/* nps-baseline: judge each period of an NPS series against what was
 * expected of it, from the periods before it only. The model and every
 * formula are in man/nps-baseline.1.scd; the names below follow it:
 *
 *   level     median of the last W adjusted values of the series (with
 *             --level trend, carried along the slope between it and the
 *             median of the W before)
 *   seasonal  shrunk median of the season's past deviations from the level
 *   event     shrunk median of each active label's past deviations
 *   expected  level + seasonal + event_effect
 *   tau2      process variance: median over the last 3W residuals of the
 *             variance each implies beyond its sampling variance, never
 *             below zero; with --pool shrunk toward the panel's
 *   z         residual / sqrt(se^2 + tau2)
 *
 * The whole input is held (row text and per-row figures), because a
 * pooled estimate for one series needs the other series' same period. */
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

/* A growable array of T; amortised doubling, so no allocation per row. */
#define VEC(T) struct { T *p; size_t n, cap; }
#define VEC_PUSH(v, x) do { \
	if ((v).n == (v).cap) { \
		(v).cap = (v).cap ? (v).cap * 2 : 8; \
		(v).p = xrealloc((v).p, (v).cap * sizeof *(v).p); \
	} \
	(v).p[(v).n++] = (x); \
} while (0)

typedef VEC(double) doubles;
typedef VEC(size_t) sizes;

enum learned { LEARN_NONE, LEARN_SEASON, LEARN_EVENT };

struct row {
	size_t text, len;  /* the input line, in `texts` */
	size_t series;
	long period;
	int season;        /* 1..53; 0 when seasonality is off */
	int valid;         /* the counts weigh something: nps and se exist */
	double nps, se;
	size_t label0;     /* its active labels: labels.p[label0 .. +nlabels) */
	int nlabels;
	int history;       /* valid periods of the series before this one */
	double level, tau2, seasonal, event, adjusted, expected, residual, z;
	size_t spread_n;   /* residuals its own tau2 was taken from */
	enum learned learned; /* what its deviation `dev` teaches */
	double dev;
};

struct event {
	long first_day, last_day;
	size_t label;
	size_t scope; /* its scope values, in `scopes`: one per scope column */
};

struct series {
	sizes rows;   /* in time order */
	sizes events; /* the events whose scope covers it */
};

static struct buf texts, scopes;
static VEC(struct row) rows;
static VEC(struct series) series;
static VEC(struct event) events;
static sizes labels;            /* per row, its active labels (see struct row) */
static struct hash label_names; /* label -> id */

static struct {
	enum period_kind kind;
	int kind_known;
	int pool, season, trend;
	double k;
	int min_history, window, precision;
	size_t ngroup, *group;
	size_t nscope;
	long *scope_col;  /* per scope column of the events file: its -g index */
} opt = { .season = 1, .k = 3, .min_history = 8, .window = 12, .precision = 2 };

static void usage(void)
{
	printf("Usage: nps-baseline [options] [file ...]\n"
	       "Judge each period of nps-agg output against what was expected of it.\n\n"
	       "  -g, --group COLS      one series per value of these columns\n"
	       "  -p, --period KIND     require periods of this kind (day, week, month,\n"
	       "                        quarter, year; default: that of the first row)\n"
	       "      --pool            learn seasonal and event effects from all series,\n"
	       "                        and shrink each one's spread toward theirs\n"
	       "      --season on|off   month-of-year (week-of-year ...) effects (default on)\n"
	       "      --events FILE     known events: TSV with start, end, label\n"
	       "                        [and group columns that scope them]\n"
	       "  -k, --threshold K     flag |z| > K (default 3)\n"
	       "      --min-history N   judge only after N earlier periods (default 8)\n"
	       "      --window N        periods behind the level (default 12; spread: 3N)\n"
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

/* The season of a period: month 1..12, ISO week 1..53, quarter 1..4,
 * day of the week 1..7 (Monday 1); 0 for years. */
static int season_of(enum period_kind kind, long key)
{
	if (kind == PERIOD_DAY)
		return (int)(((key + 3) % 7 + 7) % 7) + 1; /* 1970-01-01: Thursday */
	return kind == PERIOD_YEAR ? 0 : period_season(kind, key);
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

static void events_read(const char *path, struct tsv_reader *data)
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
	opt.scope_col = xmalloc(r.ncols * sizeof *opt.scope_col);
	for (size_t i = 0; i < r.ncols; i++) {
		if (i == start || i == end || i == label)
			continue;
		size_t g = 0;
		while (g < opt.ngroup && !(r.cols[i].n == data->cols[opt.group[g]].n &&
					   memcmp(r.cols[i].p, data->cols[opt.group[g]].p,
						  r.cols[i].n) == 0))
			g++;
		if (g == opt.ngroup) {
			r.line = 1;
			tsv_die(&r, EX_DATA_, "column %s is neither start, end, label nor a group column",
				tsv_quote(r.cols[i]));
		}
		scope_field[opt.nscope] = i;
		opt.scope_col[opt.nscope++] = (long)g;
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
		e.label = hash_intern(&label_names, l.p, l.n, &added);
		/* Scope values, each as length + bytes; empty means any. */
		e.scope = scopes.len;
		for (size_t s = 0; s < opt.nscope; s++) {
			struct slice v = r.fields[scope_field[s]];
			buf_add(&scopes, &v.n, sizeof v.n);
			buf_add(&scopes, v.p, v.n);
		}
		VEC_PUSH(events, e);
	}
	free(scope_field);
	tsv_close(&r);
}

/* Does event e apply to the series whose group fields are `group`? */
static int event_covers(const struct event *e, const struct slice *group)
{
	if (opt.nscope == 0) /* unscoped; scopes.p may be NULL */
		return 1;
	const char *p = scopes.p + e->scope;
	for (size_t s = 0; s < opt.nscope; s++) {
		size_t n;
		memcpy(&n, p, sizeof n);
		p += sizeof n;
		struct slice g = group[opt.scope_col[s]];
		if (n && !(g.n == n && memcmp(g.p, p, n) == 0))
			return 0;
		p += n;
	}
	return 1;
}

/* ---- reading the series ---- */

static void read_rows(struct tsv_reader *r, size_t period_col,
		      const struct nps_count_cols *cc)
{
	int kind_from_option = opt.kind_known;
	struct hash keys = { 0 };
	struct buf key = { 0 };
	buf_grow(&key, 1); /* never a NULL key, even without -g */
	VEC(long) last = { 0 }; /* per series: its latest period */
	struct slice *group = xmalloc((opt.ngroup + 1) * sizeof *group);
	char shown[48];
	while (tsv_next(r)) {
		if (!tsv_check_width(r))
			continue;
		struct slice f = slice_trim(r->fields[period_col]);
		enum period_kind kind;
		long period;
		if (!period_parse(f, &kind, &period)) {
			tsv_reject(r, "period must be a day, week, month, quarter or year (%s)",
				   tsv_quote(f));
			continue;
		}
		if (!opt.kind_known) {
			opt.kind = kind;
			opt.kind_known = 1;
		} else if (kind != opt.kind) {
			tsv_reject(r, "period is not a %s %s (%s)", period_kind_name(opt.kind),
				   kind_from_option ? "as --period says" : "like the first row's",
				   tsv_quote(f));
			continue;
		}
		struct nps_counts counts;
		if (!nps_counts_read(r, cc, &counts))
			continue;
		key.len = 0;
		for (size_t g = 0; g < opt.ngroup; g++) {
			group[g] = r->fields[opt.group[g]];
			buf_add(&key, group[g].p, group[g].n);
			buf_addc(&key, '\t');
		}
		int added;
		size_t s = hash_intern(&keys, key.p, key.len, &added);
		if (added) {
			struct series ns = { 0 };
			for (size_t e = 0; e < events.n; e++)
				if (event_covers(&events.p[e], group))
					VEC_PUSH(ns.events, e);
			VEC_PUSH(series, ns);
			VEC_PUSH(last, period);
		} else if (period <= last.p[s]) {
			period_format(opt.kind, last.p[s], shown);
			if (period == last.p[s])
				tsv_reject(r, "duplicate period in this series (%s)",
					   tsv_quote(f));
			else
				tsv_reject(r, "period is earlier than %s before it: a series must be in time order (%s)",
					   shown, tsv_quote(f));
			continue;
		}
		last.p[s] = period;

		struct nps_stats st;
		nps_compute(&counts, cc->weighted, INTERVAL_WALD, 1.96, &st);
		struct row w = { .text = texts.len, .len = r->row.n, .series = s,
				 .period = period, .valid = !isnan(st.nps),
				 .nps = st.nps, .se = st.se };
		buf_add(&texts, r->row.p, r->row.n);
		VEC_PUSH(series.p[s].rows, rows.n);
		VEC_PUSH(rows, w);
	}
	free(group);
	free(last.p);
	buf_free(&key);
	hash_free(&keys);
}

/* ---- the model, one period of all series at a time ---- */

/* The active labels of row i, each once, into `labels`. */
static void find_labels(struct row *w)
{
	const struct series *s = &series.p[w->series];
	long first = period_first_day(opt.kind, w->period),
	     last = period_last_day(opt.kind, w->period);
	w->label0 = labels.n;
	for (size_t k = 0; k < s->events.n; k++) {
		const struct event *e = &events.p[s->events.p[k]];
		if (e->last_day < first || e->first_day > last)
			continue;
		int seen = 0;
		for (size_t j = w->label0; j < labels.n; j++)
			seen |= labels.p[j] == e->label;
		if (!seen) {
			VEC_PUSH(labels, e->label);
			w->nlabels++;
		}
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

/* The median of the periods of the valid rows among at[from .. to). */
static double median_period(const size_t *at, size_t from, size_t to,
			    doubles *tmp)
{
	tmp->n = 0;
	for (size_t i = from; i < to; i++)
		if (rows.p[at[i]].valid)
			VEC_PUSH(*tmp, (double)rows.p[at[i]].period);
	return median(tmp->p, tmp->n);
}

/* --level trend: what the trend adds to the window's median by w's period.
 * The window at[first .. pos) holds W valid rows; the W valid rows before
 * it (if there are as many) make the earlier half. The slope is the
 * change of the two halves' medians over the distance of their middles:
 * two medians of W values are steady, where a line through noisy months
 * is not. */
static double trend_to(const struct row *w, const size_t *at, size_t first,
		       size_t pos, doubles *tmp)
{
	size_t before = first, n = 0;
	while (before > 0 && n < (size_t)opt.window)
		n += rows.p[at[--before]].valid;
	if (n < (size_t)opt.window)
		return 0;
	tmp->n = 0;
	for (size_t i = before; i < first; i++)
		if (rows.p[at[i]].valid)
			VEC_PUSH(*tmp, rows.p[at[i]].adjusted);
	double old = median(tmp->p, tmp->n);
	tmp->n = 0;
	for (size_t i = first; i < pos; i++)
		if (rows.p[at[i]].valid)
			VEC_PUSH(*tmp, rows.p[at[i]].adjusted);
	double now = median(tmp->p, tmp->n);
	double t_old = median_period(at, before, first, tmp);
	double t_now = median_period(at, first, pos, tmp);
	return (now - old) / (t_now - t_old) * ((double)w->period - t_now);
}

/* Level, history and process variance of row w: from its series' last W
 * (level) and 3W (spread) valid periods before it. A spread needs more
 * periods than a level: a median of twelve residuals wanders by a third.
 * `pos` is w's place in its series. */
static void level_and_spread(struct row *w, size_t pos, doubles *tmp)
{
	const sizes *sr = &series.p[w->series].rows;
	w->history = 0;
	for (size_t j = 0; j < pos; j++)
		w->history += rows.p[sr->p[j]].valid;
	tmp->n = 0;
	size_t first = pos; /* the window: sr->p[first .. pos), valid ones */
	for (size_t j = pos; j-- > 0 && tmp->n < (size_t)opt.window;) {
		const struct row *h = &rows.p[sr->p[j]];
		if (h->valid) {
			VEC_PUSH(*tmp, h->adjusted);
			first = j;
		}
	}
	w->level = tmp->n ? median(tmp->p, tmp->n) : NAN;
	if (opt.trend && tmp->n == (size_t)opt.window)
		w->level += trend_to(w, sr->p, first, pos, tmp);

	/* Their residuals: the median of the process variance each one
	 * implies (see implied()), never below zero. */
	tmp->n = 0;
	size_t seen = 0;
	for (size_t j = pos; j-- > 0 && seen < 3 * (size_t)opt.window;) {
		const struct row *h = &rows.p[sr->p[j]];
		if (!h->valid)
			continue;
		seen++;
		if (!isnan(h->residual))
			VEC_PUSH(*tmp, implied(h));
	}
	w->spread_n = tmp->n;
	w->tau2 = tmp->n ? fmax(0, median(tmp->p, tmp->n)) : 0;
}

/* The deviations a pooled estimate draws on, sorted: those of earlier
 * periods (every series, `pool`) and those of this period (`now`). */
static void pool_sort(const doubles *pool, const sizes *now, doubles *sorted)
{
	sorted->n = 0;
	for (size_t i = 0; i < pool->n; i++)
		VEC_PUSH(*sorted, pool->p[i]);
	for (size_t i = 0; i < now->n; i++)
		VEC_PUSH(*sorted, rows.p[now->p[i]].dev);
	if (sorted->n)
		qsort(sorted->p, sorted->n, sizeof *sorted->p, cmp_double);
}

/* The pooled estimate for row w: all of them but w's own deviation, when
 * it is among them. */
static double pooled(const doubles *sorted, const struct row *w, int w_in_now)
{
	size_t skip = sorted->n;
	if (w_in_now) /* any copy of an equal value will do */
		skip = (size_t)((double *)bsearch(&w->dev, sorted->p, sorted->n,
						   sizeof *sorted->p, cmp_double) - sorted->p);
	size_t k = skip < sorted->n ? sorted->n - 1 : sorted->n;
	return shrunk(median_sorted(sorted->p, sorted->n, skip), k);
}

/* The series-only estimate: the deviations its own earlier rows learned
 * of the same kind (and season, or label). */
static double own(const struct row *w, size_t pos, enum learned kind,
		  size_t label, doubles *tmp)
{
	const sizes *sr = &series.p[w->series].rows;
	tmp->n = 0;
	for (size_t j = 0; j < pos; j++) {
		const struct row *h = &rows.p[sr->p[j]];
		if (h->learned != kind)
			continue;
		if (kind == LEARN_SEASON ? h->season != w->season
					 : labels.p[h->label0] != label)
			continue;
		VEC_PUSH(*tmp, h->dev);
	}
	return shrunk(tmp->n ? median(tmp->p, tmp->n) : 0, tmp->n);
}

static int by_period(const void *a, const void *b)
{
	const struct row *x = &rows.p[*(const size_t *)a],
			 *y = &rows.p[*(const size_t *)b];
	if (x->period != y->period)
		return (x->period > y->period) - (x->period < y->period);
	return (x->series > y->series) - (x->series < y->series);
}

static int has_label(const struct row *w, size_t label)
{
	for (int l = 0; l < w->nlabels; l++)
		if (labels.p[w->label0 + (size_t)l] == label)
			return 1;
	return 0;
}

static void model(void)
{
	/* Rows in (period, series) order: one period of every series at once. */
	size_t *order = xmalloc(rows.n * sizeof *order), *pos = xmalloc(rows.n * sizeof *pos);
	size_t done = 0;
	for (size_t s = 0; s < series.n; s++)
		for (size_t j = 0; j < series.p[s].rows.n; j++) {
			pos[series.p[s].rows.p[j]] = j;
			order[done++] = series.p[s].rows.p[j];
		}
	qsort(order, rows.n, sizeof *order, by_period);

	doubles season_pool[54] = { 0 }; /* per season: earlier deviations */
	VEC(doubles) label_pool = { 0 }; /* per label: earlier deviations */
	for (size_t l = 0; l < label_names.count; l++) {
		doubles empty = { 0 };
		VEC_PUSH(label_pool, empty);
	}
	doubles tmp = { 0 }, sorted = { 0 };
	doubles spread_pool = { 0 }; /* implied() of every earlier residual */
	sizes now = { 0 };
	/* per label: 1 + the first index in `order` of the period its
	 * pooled estimate was last made for */
	size_t *built = xmalloc((label_names.count + 1) * sizeof *built);
	memset(built, 0, (label_names.count + 1) * sizeof *built);

	for (size_t a = 0, b; a < rows.n; a = b) {
		long period = rows.p[order[a]].period;
		for (b = a; b < rows.n && rows.p[order[b]].period == period; b++)
			;
		int season = opt.season ? season_of(opt.kind, period) : 0;

		/* Level and spread; the season's deviation of event-free rows. */
		for (size_t i = a; i < b; i++) {
			struct row *w = &rows.p[order[i]];
			w->season = season;
			find_labels(w);
			level_and_spread(w, pos[order[i]], &tmp);
			w->learned = LEARN_NONE;
			if (w->valid && !isnan(w->level) && season && w->nlabels == 0) {
				w->learned = LEARN_SEASON;
				w->dev = w->nps - w->level;
			}
		}
		/* Seasonal effects; then the event deviations they allow. */
		now.n = 0;
		for (size_t i = a; i < b; i++)
			if (rows.p[order[i]].learned == LEARN_SEASON)
				VEC_PUSH(now, order[i]);
		if (season && opt.pool)
			pool_sort(&season_pool[season], &now, &sorted);
		for (size_t i = a; i < b; i++) {
			struct row *w = &rows.p[order[i]];
			w->seasonal = !season ? 0
				: opt.pool ? pooled(&sorted, w, w->learned == LEARN_SEASON)
				: own(w, pos[order[i]], LEARN_SEASON, 0, &tmp);
		}
		for (size_t i = a; i < b; i++) {
			struct row *w = &rows.p[order[i]];
			w->event = 0;
			if (w->valid && !isnan(w->level) && w->nlabels == 1) {
				w->learned = LEARN_EVENT;
				w->dev = w->nps - w->level - w->seasonal;
			}
		}
		/* Event effects: per active label, summed. */
		for (size_t i = a; i < b; i++) {
			struct row *w = &rows.p[order[i]];
			for (int l = 0; l < w->nlabels; l++) {
				size_t label = labels.p[w->label0 + (size_t)l];
				if (!opt.pool)
					w->event += own(w, pos[order[i]], LEARN_EVENT, label, &tmp);
				else if (built[label] != a + 1) {
					/* Once per label and period: every row of the
					 * period that has the label gets its share. */
					built[label] = a + 1;
					now.n = 0;
					for (size_t j = a; j < b; j++) {
						const struct row *o = &rows.p[order[j]];
						if (o->learned == LEARN_EVENT &&
						    labels.p[o->label0] == label)
							VEC_PUSH(now, order[j]);
					}
					pool_sort(&label_pool.p[label], &now, &sorted);
					for (size_t j = i; j < b; j++) {
						struct row *o = &rows.p[order[j]];
						if (has_label(o, label))
							o->event += pooled(&sorted, o,
								o->learned == LEARN_EVENT &&
								labels.p[o->label0] == label);
					}
				}
			}
		}
		/* Pooled, a series' own process variance is shrunk toward the
		 * panel's: the median implied() of every series' earlier
		 * residuals, worth 2W residuals of its own (or as many as the
		 * panel has, if fewer). */
		double panel = 0, panel_weight = 0;
		if (opt.pool && spread_pool.n) {
			panel = fmax(0, median(spread_pool.p, spread_pool.n));
			panel_weight = fmin(2.0 * opt.window, (double)spread_pool.n);
		}
		/* The verdicts; then what this period teaches later ones. */
		for (size_t i = a; i < b; i++) {
			struct row *w = &rows.p[order[i]];
			if (panel_weight > 0)
				w->tau2 = ((double)w->spread_n * w->tau2 + panel_weight * panel) /
					  ((double)w->spread_n + panel_weight);
			w->adjusted = w->nps - w->seasonal - w->event;
			w->expected = w->level + w->seasonal + w->event;
			w->residual = w->nps - w->expected;
			w->z = w->residual / sqrt(w->se * w->se + w->tau2);
		}
		for (size_t i = a; i < b; i++) {
			const struct row *w = &rows.p[order[i]];
			if (opt.pool && w->valid && !isnan(w->residual))
				VEC_PUSH(spread_pool, implied(w));
			if (w->learned == LEARN_SEASON)
				VEC_PUSH(season_pool[season], w->dev);
			else if (w->learned == LEARN_EVENT)
				VEC_PUSH(label_pool.p[labels.p[w->label0]], w->dev);
		}
	}
	for (int s = 0; s < 54; s++)
		free(season_pool[s].p);
	for (size_t l = 0; l < label_pool.n; l++)
		free(label_pool.p[l].p);
	free(label_pool.p);
	free(tmp.p);
	free(spread_pool.p);
	free(sorted.p);
	free(built);
	free(now.p);
	free(order);
	free(pos);
}

/* ---- output ---- */

static void put(double v)
{
	out_char('\t');
	if (isnan(v) || isinf(v))
		out_str("NA");
	else
		writer_fixed(&out, v, opt.precision);
}

static void write_row(const struct row *w)
{
	out_write(texts.p + w->text, w->len);
	if (!w->valid) {
		out_str("\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\n");
		return;
	}
	double band = opt.k * sqrt(w->se * w->se + w->tau2);
	double lower = w->expected - band, upper = w->expected + band;
	put(w->expected);
	put(w->seasonal);
	put(w->event);
	put(w->adjusted);
	put(w->residual);
	put(w->z);
	put(lower < -100 ? -100 : lower);
	put(upper > 100 ? 100 : upper);
	const char *flag = "normal";
	if (w->history < opt.min_history)
		flag = "insufficient_history";
	else if (w->residual > band)
		flag = "high";
	else if (w->residual < -band)
		flag = "low";
	out_char('\t');
	out_str(flag);
	out_char('\n');
}

static int int_arg(const char *name, const char *arg, int min)
{
	unsigned long long v;
	if (!num_arg_count(arg, &v) || v < (unsigned long long)min || v > 1000000)
		die_usage("%s must be an integer of at least %d (\"%s\")", name, min,
			  arg);
	return (int)v;
}

int main(int argc, char **argv)
{
	const char *group_list = NULL, *events_path = NULL, *rejects = NULL;
	static const struct option options[] = {
		{ "group", required_argument, NULL, 'g' },
		{ "period", required_argument, NULL, 'p' },
		{ "pool", no_argument, NULL, 'P' },
		{ "season", required_argument, NULL, 'S' },
		{ "events", required_argument, NULL, 'E' },
		{ "threshold", required_argument, NULL, 'k' },
		{ "min-history", required_argument, NULL, 'H' },
		{ "window", required_argument, NULL, 'W' },
		{ "level", required_argument, NULL, 'L' },
		{ "precision", required_argument, NULL, 'D' },
		{ "rejects", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	prog_init(argv[0]);
	int c;
	while ((c = getopt_long(argc, argv, "g:p:k:h", options, NULL)) != -1) {
		switch (c) {
		case 'g': group_list = optarg; break;
		case 'p':
			if (!period_kind_parse(optarg, &opt.kind))
				die_usage("--period must be " PERIOD_KIND_EXPECTED " (\"%s\")",
					  optarg);
			opt.kind_known = 1;
			break;
		case 'P': opt.pool = 1; break;
		case 'S':
			if (strcmp(optarg, "on") && strcmp(optarg, "off"))
				die_usage("--season must be on or off (\"%s\")", optarg);
			opt.season = strcmp(optarg, "on") == 0;
			break;
		case 'E': events_path = optarg; break;
		case 'k':
			if (!num_arg_double(optarg, &opt.k) || !(opt.k > 0))
				die_usage("--threshold must be a number above 0 (\"%s\")",
					  optarg);
			break;
		case 'H': opt.min_history = int_arg("--min-history", optarg, 1); break;
		case 'W': opt.window = int_arg("--window", optarg, 1); break;
		case 'L':
			if (strcmp(optarg, "median") && strcmp(optarg, "trend"))
				die_usage("--level must be median or trend (\"%s\")", optarg);
			opt.trend = strcmp(optarg, "trend") == 0;
			break;
		case 'D': opt.precision = num_opt_precision(optarg); break;
		case 'R': rejects = optarg; break;
		case 'h': usage(); exit_printed();
		case 'V': printf("nps-baseline %s\n", NPSKIT_VERSION); exit_printed();
		default: die_option(argv, "g:p:k:h");
		}
	}

	struct tsv_reader r;
	tsv_open(&r, argc - optind, argv + optind);
	if (r.has_header) {
		size_t period_col = tsv_col(&r, "period");
		struct nps_count_cols cc;
		nps_count_cols_find(&r, &cc);
		opt.ngroup = group_list ? tsv_cols(&r, group_list, &opt.group) : 0;
		if (events_path)
			events_read(events_path, &r);
		/* only now: a usage error must not empty an old rejects file */
		if (rejects)
			tsv_rejects_open(&r, rejects);
		read_rows(&r, period_col, &cc);
		if (opt.kind == PERIOD_YEAR)
			opt.season = 0;
		model();
		tsv_write_header(&r, &out);
		out_str("\texpected\tseasonal\tevent_effect\tadjusted\tresidual\tz\tlower\tupper\tflag\n");
		for (size_t i = 0; i < rows.n; i++)
			write_row(&rows.p[i]);
	} else if (rejects) {
		tsv_rejects_open(&r, rejects);
	}
	writer_close(&out);
	tsv_close(&r);
	return 0;
}

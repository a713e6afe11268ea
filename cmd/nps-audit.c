/* nps-audit: can these scores be trusted? Judges each unit (and period)
 * against its peers and its own history on several signals of gaming,
 * combines them into a verdict, and draws a callback sample. Memory grows
 * with the units, periods and contacts seen, and by 12 bytes a timed
 * answer (its burst window; 20 while they are counted at the end); the callback sample holds up to N rows per
 * unit. Ranges of a file are read on every core, each thread into a part
 * of its own, added up exactly at the end. */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
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

static void usage(void)
{
	printf("Usage: nps-audit -g COLS [options] [file ...]\n"
	       "Judge each unit's responses against its peers: signals of gaming, a verdict.\n\n"
	       "  -g, --group COLS        the units (comma-separated columns)\n"
	       "  -s, --score COL         score column (default: score); empty = unanswered\n"
	       "  -t, --time COL          response time (bursts; periods with -p)\n"
	       "  -p, --period KIND       judge per day, week, month, quarter or year\n"
	       "  -T, --transaction COL   transaction time: responses too soon after it\n"
	       "      --contact COL       contact, device or IP: the same one many times\n"
	       "      --min-delay SECS    a response sooner than this is too soon (default 120)\n"
	       "      --burst-window SECS burst windows (default 600)\n"
	       "      --burst-size N      responses in one window that make a burst (default 5)\n"
	       "      --contact-max N     responses per contact before it is shared (default 2)\n"
	       "      --deadline-days N   the last N days of a period (default 3)\n"
	       "      --min-n N           fewer responses: too_few, no verdict (default 30)\n"
	       "      --alpha X           level of a signal and of the verdict (default 0.01)\n"
	       "      --adjust METHOD     bh (default) or holm, across units\n"
	       "      --precision N       decimals (default 4)\n"
	       "      --explain           one line per raised signal, in words\n"
	       "      --sample N          write N responses to call back instead\n"
	       "      --seed S            the sample's seed (default 1)\n"
	       "      --rejects FILE      write bad rows to FILE instead of stopping\n"
	       TSV_HEADER_USAGE
	       "  -h, --help              show this help\n"
	       "      --version           show the version\n");
}

/* The signals, in output order. */
enum signal { TOP_BOX, SHAPE, FAST, BURST, CONTACT, DEADLINE, FUNNEL, TREND,
	      GATING, NSIGNALS };
static const char *const signal_names[NSIGNALS] = {
	"top_box", "shape", "fast", "burst", "contact", "deadline", "funnel",
	"trend", "gating",
};

enum mode { MODE_TABLE, MODE_EXPLAIN, MODE_SAMPLE };

struct options {
	const char *group, *score, *time, *transaction, *contact, *rejects;
	enum period_kind period;
	int has_period, precision;
	double min_delay, burst_window, alpha;
	unsigned long long burst_size, contact_max, deadline_days, min_n;
	unsigned long long sample, seed;
	enum mode mode;
	enum p_adjust adjust;
	struct tsv_header given; /* --columns, --header-from */
};

/* A row kept for the callback sample: its sampling key and its bytes. */
struct kept {
	uint64_t key;
	char *row;
	size_t len;
};

/* One unit in one period (the whole input when there are no periods). */
struct cell {
	uint32_t unit;
	long period;
	unsigned long long n, unanswered, score[11];
	unsigned long long timed, fast, burst, shared, late;
	/* Results. */
	int has[NSIGNALS];
	double stat[NSIGNALS], p[NSIGNALS], p_adj[NSIGNALS];
	double combined, combined_adj;
	int review, too_few;
	/* The callback sample: a max-heap of the smallest keys. */
	struct kept *kept;
	size_t nkept, quota;
};

/* Counts of contacts, each belonging to one cell. */
struct tally {
	struct hash keys; /* cell id, then the contact */
	unsigned long long *count;
	uint32_t *cell;
	size_t cap;
};

/* The peers of a period: its totals, and the funnel's parameters. */
struct period_totals {
	long period;
	struct cell sum;
	double funnel_target, funnel_v1, funnel_tau2;
};

/* The burst window of each timed answer, and its cell: counted per cell
 * and window at the end (count_bursts), which is faster than a table of
 * windows when most windows hold one answer, and adds up across threads
 * by concatenation. */
struct burst_log {
	uint32_t *cell;
	int64_t *window;
	size_t n, cell_cap, window_cap;
};

/* What a row adds to its cell, apart from the cell (464 bytes, mostly
 * results): two cache lines a cell, so that 10,000 unit-months fit the
 * second-level cache while the rows are read; copied into the cells at
 * the end (settle_counts). */
struct counts {
	unsigned long long n, unanswered, score[11], timed, fast, late;
};

/* What the rows make. Each thread reading ranges fills a part of its
 * own; the others are added into the first (struct audit's) at the end
 * (merge_part). */
struct part {
	OWN_LINES const struct audit *a; /* options and columns, read only */
	struct hash units; /* the group fields joined by TAB */
	struct hash cell_keys; /* unit id, period */
	struct cell *cells;
	size_t cells_cap;
	struct counts *counts; /* per cell, on cache lines of their own */
	size_t counts_cap;
	struct burst_log bursts;
	struct tally contacts;
	struct buf key; /* scratch for hash keys */
};

struct audit {
	struct options opt;
	struct tsv_reader in;
	size_t *group_cols, ngroups;
	size_t score_col;
	long time_col, transaction_col, contact_col;
	struct part all;
	struct period_totals *periods;
	size_t nperiods;
	uint32_t *order; /* cells in output order */
};

/* ---- distributions ---------------------------------------------------- */

/* The continued fraction of the incomplete beta function (modified Lentz). */
static double beta_fraction(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1);
	d = 1 / (fabs(d) < tiny ? tiny : d);
	double f = d;
	for (int m = 1; m <= 100000; m++) {
		double m2 = 2.0 * m;
		double num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
		d = 1 + num * d, c = 1 + num / c;
		d = 1 / (fabs(d) < tiny ? tiny : d), c = fabs(c) < tiny ? tiny : c;
		f *= d * c;
		num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + num * d, c = 1 + num / c;
		d = 1 / (fabs(d) < tiny ? tiny : d), c = fabs(c) < tiny ? tiny : c;
		double step = d * c;
		f *= step;
		if (fabs(step - 1) < 1e-15)
			break;
	}
	return f;
}

/* The regularized incomplete beta function I_x(a, b). */
static double beta_regularized(double a, double b, double x)
{
	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	double front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) +
			   b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_fraction(a, b, x) / a;
	return 1 - front * beta_fraction(b, a, 1 - x) / b;
}

/* P(X >= x) for X ~ Binomial(n, p); x and n may be fractional (the
 * quasi-binomial scaling), the identity P = I_p(x, n - x + 1) holds. */
static double binomial_upper(double x, double n, double p)
{
	if (x <= 0)
		return 1;
	if (x > n)
		return 0;
	return beta_regularized(x, n - x + 1, p);
}

/* The regularized upper incomplete gamma function Q(a, x). */
static double gamma_upper(double a, double x)
{
	if (x <= 0)
		return 1;
	double front = exp(a * log(x) - x - lgamma(a));
	if (x < a + 1) {
		double term = 1 / a, sum = term;
		for (int i = 1; i < 100000 && fabs(term) > fabs(sum) * 1e-16; i++)
			term *= x / (a + i), sum += term;
		return 1 - sum * front;
	}
	const double tiny = 1e-300;
	double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
	for (int i = 1; i < 100000; i++) {
		double an = -i * (i - a);
		b += 2;
		d = an * d + b, c = b + an / c;
		d = 1 / (fabs(d) < tiny ? tiny : d), c = fabs(c) < tiny ? tiny : c;
		double step = d * c;
		h *= step;
		if (fabs(step - 1) < 1e-16)
			break;
	}
	return front * h;
}

static double chisq_upper(double x, double df) { return gamma_upper(df / 2, x / 2); }
static double normal_upper(double z) { return 0.5 * erfc(z / sqrt(2.0)); }

/* ---- reading ---------------------------------------------------------- */

static void tally_add(struct tally *t, const void *key, size_t n, uint32_t cell,
		      unsigned long long count)
{
	int added;
	size_t id = hash_intern(&t->keys, key, n, &added);
	if (id >= t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		t->count = xrealloc(t->count, cap * sizeof *t->count);
		t->cell = xrealloc(t->cell, cap * sizeof *t->cell);
		t->cap = cap;
	}
	if (added)
		t->count[id] = 0, t->cell[id] = cell;
	t->count[id] += count;
}

static void burst_log_add(struct burst_log *l, uint32_t cell, int64_t window)
{
	l->cell = array_grow(l->cell, &l->cell_cap, l->n + 1, sizeof *l->cell);
	l->window = array_grow(l->window, &l->window_cap, l->n + 1, sizeof *l->window);
	l->cell[l->n] = cell;
	l->window[l->n++] = window;
}

/* The cell of a unit and period. Its key is the unit id and the period
 * in 8 bytes, which the hash finds inline, when the period fits in 32
 * bits (a date's always does); else in 12 (the same for it every time). */
static struct cell *cell_of(struct part *p, uint32_t unit, long period,
			    uint32_t *id_out)
{
	char key[sizeof unit + sizeof period];
	size_t n = sizeof unit + sizeof(int32_t);
	memcpy(key, &unit, sizeof unit);
	if (period >= INT32_MIN && period <= INT32_MAX) {
		int32_t narrow = (int32_t)period;
		memcpy(key + sizeof unit, &narrow, sizeof narrow);
	} else {
		memcpy(key + sizeof unit, &period, sizeof period);
		n = sizeof key;
	}
	int added;
	size_t id = hash_intern(&p->cell_keys, key, n, &added);
	p->cells = array_grow(p->cells, &p->cells_cap, id + 1, sizeof *p->cells);
	if (id >= p->counts_cap) { /* ids come one at a time: doubling is enough */
		size_t cap = p->counts_cap ? 2 * p->counts_cap : 256;
		struct counts *k = xmalloc_lines(cap * sizeof *k);
		if (p->counts_cap)
			memcpy(k, p->counts, p->counts_cap * sizeof *k);
		free(p->counts);
		p->counts = k, p->counts_cap = cap;
	}
	struct cell *c = &p->cells[id];
	if (added) {
		memset(c, 0, sizeof *c);
		memset(&p->counts[id], 0, sizeof p->counts[id]);
		c->unit = unit, c->period = period;
	}
	*id_out = (uint32_t)id;
	return c;
}

/* splitmix64: the callback sample's keys, the same on every machine. */
static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Keeps the row if its key is among the cell's `limit` smallest: the
 * sample depends on the seed and the rows, never on their order. */
static void sample_offer(struct cell *c, uint64_t key, struct slice row,
			 size_t limit)
{
	if (c->nkept == limit && key >= c->kept[0].key)
		return;
	struct kept k = { key, NULL, row.n };
	k.row = xmalloc(row.n ? row.n : 1);
	memcpy(k.row, row.p, row.n);
	size_t i;
	if (c->nkept < limit) {
		if (!c->kept)
			c->kept = xmalloc(limit * sizeof *c->kept);
		i = c->nkept++;
		while (i && c->kept[(i - 1) / 2].key < key) { /* sift up */
			c->kept[i] = c->kept[(i - 1) / 2];
			i = (i - 1) / 2;
		}
	} else {
		free(c->kept[0].row);
		i = 0;
		for (;;) { /* sift down from the root */
			size_t l = 2 * i + 1, big = i;
			uint64_t bigkey = key;
			if (l < c->nkept && c->kept[l].key > bigkey)
				big = l, bigkey = c->kept[l].key;
			if (l + 1 < c->nkept && c->kept[l + 1].key > bigkey)
				big = l + 1;
			if (big == i)
				break;
			c->kept[i] = c->kept[big];
			i = big;
		}
	}
	c->kept[i] = k;
}

static int parse_time(struct tsv_reader *r, long col, const char *what, struct when *w)
{
	struct slice f = r->fields[col];
	if (date_parse(f, w))
		return 1;
	tsv_reject(r, "%s must be a date or timestamp (%s)", what, tsv_quote(f));
	return 0;
}

/* One response into its cell's counts in p. 0 when the row is rejected. */
static int read_row(struct part *p, struct tsv_reader *r)
{
	const struct audit *a = p->a;
	const struct options *o = &a->opt;
	if (!tsv_check_width(r))
		return 0;
	struct slice scorefield = slice_trim(r->fields[a->score_col]);
	int score = scorefield.n ? nps_score(scorefield) : -2;
	if (score == -1) {
		tsv_reject(r, "%s must be an integer 0..10 or empty (%s)", o->score,
			   tsv_quote(r->fields[a->score_col]));
		return 0;
	}
	struct when at, done;
	if (a->time_col >= 0 && !parse_time(r, a->time_col, o->time, &at))
		return 0;
	if (a->transaction_col >= 0 && score >= 0 &&
	    r->fields[a->transaction_col].n &&
	    !parse_time(r, a->transaction_col, o->transaction, &done))
		return 0;

	p->key.len = 0;
	for (size_t g = 0; g < a->ngroups; g++) {
		if (g)
			buf_add(&p->key, "\t", 1);
		struct slice f = r->fields[a->group_cols[g]];
		buf_add(&p->key, f.p, f.n);
	}
	int added;
	uint32_t unit = (uint32_t)hash_intern(&p->units, p->key.p, p->key.len, &added);
	long period = o->has_period ? period_of_when(o->period, &at) : 0;
	uint32_t id;
	struct cell *c = cell_of(p, unit, period, &id);
	struct counts *k = &p->counts[id];
	if (score < 0) {
		k->unanswered++;
		return 1;
	}
	k->n++;
	k->score[score]++;
	if (a->transaction_col >= 0 && r->fields[a->transaction_col].n) {
		k->timed++;
		if ((double)(at.utc - done.utc) < o->min_delay)
			k->fast++;
	}
	if (a->time_col >= 0) {
		long long w = (long long)o->burst_window;
		long long window = at.utc >= 0 ? at.utc / w : -((-at.utc + w - 1) / w);
		burst_log_add(&p->bursts, id, window);
	}
	if (o->has_period) {
		long last = period_first_day(o->period, period + 1) - 1;
		if (at.days > last - (long)o->deadline_days)
			k->late++;
	}
	if (a->contact_col >= 0 && r->fields[a->contact_col].n) {
		struct slice f = r->fields[a->contact_col];
		p->key.len = 0;
		buf_add(&p->key, &id, sizeof id);
		buf_add(&p->key, f.p, f.n);
		tally_add(&p->contacts, p->key.p, p->key.len, id, 1);
	}
	if (o->mode == MODE_SAMPLE)
		sample_offer(c, mix64(hash_bytes(r->row.p, r->row.n) ^ mix64(o->seed)),
			     r->row, o->sample);
	return 1;
}

static void read_rows(void *state, struct tsv_reader *r, struct writer *unused)
{
	(void)unused; /* the verdicts are written at the end */
	struct part *p = state;
	while (tsv_next(r))
		read_row(p, r);
}

static void part_free(struct part *p)
{
	for (size_t i = 0; i < p->cell_keys.count; i++) {
		for (size_t k = 0; k < p->cells[i].nkept; k++)
			free(p->cells[i].kept[k].row);
		free(p->cells[i].kept);
	}
	free(p->cells);
	free(p->counts);
	hash_free(&p->units);
	hash_free(&p->cell_keys);
	free(p->bursts.cell), free(p->bursts.window);
	hash_free(&p->contacts.keys);
	free(p->contacts.count), free(p->contacts.cell);
	buf_free(&p->key);
}

/* Adds another thread's part into a->all: units and cells by their keys
 * (counts added), burst windows and contacts under the merged cells'
 * ids, and the sampled rows offered again (the sample keeps the smallest
 * keys, whoever offers them first). Then frees p. */
static void merge_part(struct audit *a, struct part *p)
{
	struct part *all = &a->all;
	uint32_t *unit_to = xmalloc((p->units.count + 1) * sizeof *unit_to);
	for (size_t u = 0; u < p->units.count; u++) {
		int added;
		unit_to[u] = (uint32_t)hash_intern(&all->units, p->units.keys[u],
						   p->units.lens[u], &added);
	}
	uint32_t *cell_to = xmalloc((p->cell_keys.count + 1) * sizeof *cell_to);
	for (size_t i = 0; i < p->cell_keys.count; i++) {
		struct cell *from = &p->cells[i];
		struct cell *to = cell_of(all, unit_to[from->unit], from->period, &cell_to[i]);
		struct counts *kf = &p->counts[i], *kt = &all->counts[cell_to[i]];
		kt->n += kf->n, kt->unanswered += kf->unanswered;
		for (int s = 0; s <= 10; s++)
			kt->score[s] += kf->score[s];
		kt->timed += kf->timed, kt->fast += kf->fast, kt->late += kf->late;
		for (size_t k = 0; k < from->nkept; k++)
			sample_offer(to, from->kept[k].key,
				     (struct slice){ from->kept[k].row, from->kept[k].len },
				     a->opt.sample);
	}
	for (size_t i = 0; i < p->bursts.n; i++)
		burst_log_add(&all->bursts, cell_to[p->bursts.cell[i]], p->bursts.window[i]);
	for (size_t id = 0; id < p->contacts.keys.count; id++) {
		uint32_t cell = cell_to[p->contacts.cell[id]];
		p->key.len = 0; /* the key again, after the merged cell id */
		buf_add(&p->key, &cell, sizeof cell);
		buf_add(&p->key, p->contacts.keys.keys[id] + sizeof cell,
			p->contacts.keys.lens[id] - sizeof cell);
		tally_add(&all->contacts, p->key.p, p->key.len, cell, p->contacts.count[id]);
	}
	free(unit_to);
	free(cell_to);
	part_free(p);
}

/* The rows into a->all: on one thread, or on ranges of the input on
 * several, each into a part of its own, merged at the end. */
static void read_all(struct audit *a)
{
	size_t n = tsv_range_threads(&a->in);
	if (n == 1) {
		a->all.a = a;
		buf_grow(&a->all.key, 64);
		read_rows(&a->all, &a->in, &out);
		return;
	}
	struct part *parts = xmalloc_lines(n * sizeof *parts);
	memset(parts, 0, n * sizeof *parts);
	for (size_t i = 0; i < n; i++) {
		parts[i].a = a;
		buf_grow(&parts[i].key, 64);
	}
	tsv_ranges(&a->in, n, read_rows, parts, sizeof *parts);
	a->all = parts[0];
	for (size_t i = 1; i < n; i++)
		merge_part(a, &parts[i]);
	free(parts);
}

/* The counts into their cells, for the signals. */
static void settle_counts(struct part *p)
{
	for (size_t i = 0; i < p->cell_keys.count; i++) {
		struct cell *c = &p->cells[i];
		const struct counts *k = &p->counts[i];
		c->n = k->n, c->unanswered = k->unanswered;
		memcpy(c->score, k->score, sizeof c->score);
		c->timed = k->timed, c->fast = k->fast, c->late = k->late;
	}
}

static int cmp_int64(const void *pa, const void *pb)
{
	int64_t x = *(const int64_t *)pa, y = *(const int64_t *)pb;
	return x < y ? -1 : x > y;
}

/* Each cell's answers in windows that hold --burst-size or more of its
 * answers. The log grouped by cell (a counting sort), then each cell's
 * windows counted: in an array over their range when that is at most
 * twice the answers plus 65536 (a period's windows, the rule), else by
 * sorting them. */
static void count_bursts(struct audit *a)
{
	const struct burst_log *l = &a->all.bursts;
	size_t ncells = a->all.cell_keys.count;
	unsigned long long size = a->opt.burst_size;
	size_t *start = xmalloc((ncells + 2) * sizeof *start);
	memset(start, 0, (ncells + 2) * sizeof *start);
	for (size_t i = 0; i < l->n; i++)
		start[l->cell[i] + 2]++;
	for (size_t c = 2; c < ncells + 2; c++)
		start[c] += start[c - 1];
	/* start[c + 1]: where cell c's windows go next; then its end */
	int64_t *w = xmalloc((l->n + 1) * sizeof *w);
	for (size_t i = 0; i < l->n; i++)
		w[start[l->cell[i] + 1]++] = l->window[i];
	uint32_t *count = NULL;
	size_t count_cap = 0;
	for (size_t c = 0; c < ncells; c++) {
		int64_t *v = w + start[c];
		size_t k = start[c + 1] - start[c];
		unsigned long long burst = 0;
		if (k < size)
			continue;
		int64_t lo = v[0], hi = v[0];
		for (size_t j = 1; j < k; j++)
			lo = v[j] < lo ? v[j] : lo, hi = v[j] > hi ? v[j] : hi;
		uint64_t range = (uint64_t)hi - (uint64_t)lo + 1;
		if (k <= UINT32_MAX && range <= 2 * (uint64_t)k + 65536) {
			if (range > count_cap) {
				free(count);
				count_cap = (size_t)range;
				count = xmalloc(count_cap * sizeof *count);
			}
			memset(count, 0, (size_t)range * sizeof *count);
			for (size_t j = 0; j < k; j++)
				count[v[j] - lo]++;
			for (size_t x = 0; x < range; x++)
				burst += count[x] >= size ? count[x] : 0;
		} else {
			qsort(v, k, sizeof *v, cmp_int64);
			for (size_t j = 0, run; j < k; j += run) {
				for (run = 1; j + run < k && v[j + run] == v[j]; run++)
					;
				burst += run >= size ? run : 0;
			}
		}
		a->all.cells[c].burst = burst;
	}
	free(count);
	free(w);
	free(start);
}

/* ---- the signals ------------------------------------------------------ */

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;
	return a < b ? -1 : a > b;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The count of a share signal: which responses of the cell it counts, and
 * out of how many. */
static void share_counts(const struct cell *c, enum signal s, double *x,
			 double *n)
{
	*n = (double)c->n;
	switch (s) {
	case TOP_BOX: *x = (double)c->score[10]; break;
	case FAST: *x = (double)c->fast, *n = (double)c->timed; break;
	case BURST: *x = (double)c->burst; break;
	case CONTACT: *x = (double)c->shared; break;
	case DEADLINE: *x = (double)c->late; break;
	default: *x = 0;
	}
}

/* The peers' share: the period's total without the cell. With no peer
 * counted at all, half a count, so that a share of 0 tests as rare rather
 * than impossible. */
static double peer_share(const struct period_totals *pt, const struct cell *c,
			 enum signal s, double *n_peers)
{
	double x, n, tx, tn;
	share_counts(c, s, &x, &n);
	share_counts(&pt->sum, s, &tx, &tn);
	*n_peers = tn - n;
	if (*n_peers <= 0)
		return NAN;
	double xp = tx - x;
	return (xp > 0 ? xp : 0.5) / *n_peers;
}

/* Cells of one period: [first, last) of a->order. */
struct span {
	size_t first, last;
};

/* Honest units differ in quality, so their share of 10s and the shape of
 * their scores differ by more than sampling noise, and the more so the
 * bigger the unit: an additive heterogeneity tau^2. With kappa = tau^2 /
 * (p (1 - p)), a unit of n responses has its sampling variance inflated by
 * phi = 1 + n kappa, and its test statistic is divided by phi (a
 * quasi-binomial test whose dispersion grows with size). kappa is the
 * median over the panel of what each unit's distance X^2 from the panel's
 * median shares implies, (X^2 / m - 1) / n with m the median of the null
 * distribution: robust to the units that game (neither the centre nor the
 * median moves with a few of them), and 0 when the units differ by
 * sampling noise only. */
static double heterogeneity(double *kappa_of_cell, size_t k)
{
	double kappa = k ? median(kappa_of_cell, k) : 0;
	return kappa > 0 ? kappa : 0;
}

/* A share signal for every judged cell of a period: the leave-one-out
 * binomial test. The share of 10s is quasi-binomial (heterogeneity
 * above); the other shares (answers too soon, in bursts, from shared
 * contacts, before the deadline) are properties of the survey process,
 * alike in honest units: plain binomial. */
static void share_signal(struct audit *a, const struct period_totals *pt,
			 struct span sp, enum signal s, double *scratch)
{
	size_t k = 0;
	for (size_t i = sp.first; i < sp.last && s == TOP_BOX; i++) {
		struct cell *c = &a->all.cells[a->order[i]];
		if (!c->too_few && c->n)
			scratch[k++] = (double)c->score[10] / (double)c->n;
	}
	double centre = k ? median(scratch, k) : 0;
	k = 0;
	for (size_t i = sp.first; i < sp.last && centre > 0 && centre < 1; i++) {
		struct cell *c = &a->all.cells[a->order[i]];
		if (c->too_few || !c->n)
			continue;
		double n = (double)c->n, x = (double)c->score[10];
		double x2 = (x - n * centre) * (x - n * centre) / (n * centre * (1 - centre));
		scratch[k++] = (x2 / 0.454936 - 1) / n;
	}
	double kappa = heterogeneity(scratch, k);
	for (size_t i = sp.first; i < sp.last; i++) {
		struct cell *c = &a->all.cells[a->order[i]];
		double x, n, np;
		share_counts(c, s, &x, &n);
		double p0 = peer_share(pt, c, s, &np);
		if (c->too_few || n <= 0 || isnan(p0))
			continue;
		double phi = 1 + n * kappa, tx, tn;
		share_counts(&pt->sum, s, &tx, &tn);
		c->has[s] = 1;
		c->stat[s] = 100 * (x / n - (tx - x) / np);
		c->p[s] = p0 >= 1 ? 1 : binomial_upper(x / phi, n / phi, p0);
	}
}

/* Score bins of the shape test: detractors, passives, 9, 10. */
static void shape_bins(const struct cell *c, double bin[4])
{
	bin[0] = bin[1] = 0;
	for (int s = 0; s <= 6; s++)
		bin[0] += (double)c->score[s];
	bin[1] = (double)(c->score[7] + c->score[8]);
	bin[2] = (double)c->score[9];
	bin[3] = (double)c->score[10];
}

/* Pearson's X^2 of the cell against its peers over the four bins. */
static double shape_chisq(const struct period_totals *pt, const struct cell *c,
			  int *df)
{
	double o[4], t[4];
	shape_bins(c, o);
	shape_bins(&pt->sum, t);
	double n = (double)c->n, all = (double)pt->sum.n, x2 = 0;
	*df = -1;
	if (all - n <= 0)
		return NAN;
	for (int b = 0; b < 4; b++) {
		if (t[b] <= 0)
			continue;
		(*df)++;
		double e = n * t[b] / all, ep = (all - n) * t[b] / all;
		double op = t[b] - o[b];
		x2 += (o[b] - e) * (o[b] - e) / e + (op - ep) * (op - ep) / ep;
	}
	return x2;
}

static void shape_signal(struct audit *a, const struct period_totals *pt,
			 struct span sp, double *scratch)
{
	/* The medians of chi-square with 1, 2, 3 degrees of freedom. */
	static const double chisq_median[4] = { 1, 0.454936, 1.386294, 2.365974 };
	double centre[4] = { 0 }, total = 0;
	size_t k = 0;
	for (int b = 0; b < 4; b++) {
		k = 0;
		for (size_t i = sp.first; i < sp.last; i++) {
			struct cell *c = &a->all.cells[a->order[i]];
			double bin[4];
			shape_bins(c, bin);
			if (!c->too_few && c->n)
				scratch[k++] = bin[b] / (double)c->n;
		}
		centre[b] = k ? median(scratch, k) : 0;
		total += centre[b];
	}
	k = 0;
	for (size_t i = sp.first; i < sp.last && total > 0; i++) {
		struct cell *c = &a->all.cells[a->order[i]];
		if (c->too_few || !c->n)
			continue;
		double bin[4], n = (double)c->n, x2 = 0;
		int df = -1;
		shape_bins(c, bin);
		for (int b = 0; b < 4; b++) {
			if (centre[b] <= 0)
				continue;
			double e = n * centre[b] / total;
			x2 += (bin[b] - e) * (bin[b] - e) / e, df++;
		}
		if (df > 0)
			scratch[k++] = (x2 / chisq_median[df] - 1) / n;
	}
	double kappa = heterogeneity(scratch, k);
	for (size_t i = sp.first; i < sp.last; i++) {
		struct cell *c = &a->all.cells[a->order[i]];
		int df;
		double x2 = shape_chisq(pt, c, &df);
		if (c->too_few || df <= 0)
			continue;
		c->has[SHAPE] = 1;
		c->stat[SHAPE] = x2;
		c->p[SHAPE] = chisq_upper(x2 / (1 + (double)c->n * kappa), df);
	}
}

static double nps_of(const struct cell *c, double *v1)
{
	double n = (double)c->n;
	double p = (double)(c->score[9] + c->score[10]) / n;
	double d = 0;
	for (int s = 0; s <= 6; s++)
		d += (double)c->score[s];
	d /= n;
	*v1 = 10000 * (p + d - (p - d) * (p - d));
	return 100 * (p - d);
}

/* The funnel: each cell's NPS against the period's, with the variance of
 * one response at the period's shares and an additive overdispersion
 * tau^2 (DerSimonian-Laird on z-scores winsorized at 10% and 90%, as
 * Spiegelhalter 2005). One-sided: an NPS too high for its size. */
static void funnel_signal(struct audit *a, struct period_totals *pt,
			  struct span sp, double *scratch)
{
	if (!pt->sum.n)
		return;
	double v1, target = nps_of(&pt->sum, &v1);
	pt->funnel_target = target, pt->funnel_v1 = v1, pt->funnel_tau2 = 0;
	if (v1 <= 0)
		return;
	size_t k = 0;
	double sw = 0, sw2 = 0;
	for (size_t i = sp.first; i < sp.last; i++) {
		struct cell *c = &a->all.cells[a->order[i]];
		if (c->too_few)
			continue;
		double vc, y = nps_of(c, &vc);
		double w = (double)c->n / v1;
		scratch[k++] = (y - target) * sqrt(w);
		sw += w, sw2 += w * w;
	}
	if (k >= 2) {
		double *sorted = scratch + k;
		memcpy(sorted, scratch, k * sizeof *scratch);
		qsort(sorted, k, sizeof *sorted, cmp_double);
		double lo = sorted[(size_t)floor(0.1 * (double)(k - 1))];
		double hi = sorted[(size_t)ceil(0.9 * (double)(k - 1))];
		double q = 0;
		for (size_t j = 0; j < k; j++) {
			double z = scratch[j] < lo ? lo : scratch[j] > hi ? hi : scratch[j];
			q += z * z;
		}
		double tau2 = (q - (double)(k - 1)) / (sw - sw2 / sw);
		pt->funnel_tau2 = tau2 > 0 ? tau2 : 0;
	}
	for (size_t i = sp.first; i < sp.last; i++) {
		struct cell *c = &a->all.cells[a->order[i]];
		if (c->too_few)
			continue;
		double vc, y = nps_of(c, &vc);
		double z = (y - target) / sqrt(v1 / (double)c->n + pt->funnel_tau2);
		c->has[FUNNEL] = 1;
		c->stat[FUNNEL] = z;
		c->p[FUNNEL] = normal_upper(z);
	}
}

static const struct period_totals *totals_of(const struct audit *a, long period)
{
	size_t lo = 0, hi = a->nperiods;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (a->periods[mid].period < period)
			lo = mid + 1;
		else
			hi = mid;
	}
	return &a->periods[lo];
}

/* Over a unit's own history (cells [first, at) of its periods, the last
 * 12 at most): a jump in its top-box share (Laney p' chart), and gating
 * (fewer answers while the score rises). Needs 3 earlier periods. */
static void history_signals(struct audit *a, const uint32_t *ids, size_t at)
{
	struct cell *c = &a->all.cells[ids[at]];
	if (c->too_few || at < 3)
		return;
	size_t from = at > 12 ? at - 12 : 0;
	double x = 0, n = 0, un = 0, vol = 0, period_vol = 0, peers_vol = 0;
	struct cell pooled = { 0 };
	for (size_t j = from; j < at; j++) {
		const struct cell *h = &a->all.cells[ids[j]];
		x += (double)h->score[10], n += (double)h->n, un += (double)h->unanswered;
		for (int s = 0; s <= 10; s++)
			pooled.score[s] += h->score[s];
		pooled.n += h->n;
		vol += (double)h->n;
		period_vol += (double)h->n + (double)h->unanswered;
		peers_vol += (double)totals_of(a, h->period)->sum.n;
	}
	double now_peers_vol = (double)totals_of(a, c->period)->sum.n;
	if (n <= 0)
		return;
	double pbar = (x > 0 && x < n) ? x / n : (x + 0.5) / (n + 1);
	/* Laney: the spread of the earlier periods' z-scores, from their
	 * moving ranges; never below 1 (no narrower than binomial limits). */
	double mr = 0, zprev = 0;
	int nmr = 0, first = 1;
	for (size_t j = from; j < at; j++) {
		const struct cell *h = &a->all.cells[ids[j]];
		if (!h->n)
			continue;
		double z = ((double)h->score[10] / (double)h->n - pbar) /
			   sqrt(pbar * (1 - pbar) / (double)h->n);
		if (!first)
			mr += fabs(z - zprev), nmr++;
		zprev = z, first = 0;
	}
	double sigma_z = nmr ? mr / nmr / 1.128 : 1;
	if (sigma_z < 1)
		sigma_z = 1;
	double z = ((double)c->score[10] / (double)c->n - pbar) /
		   sqrt(pbar * (1 - pbar) / (double)c->n) / sigma_z;
	c->has[TREND] = 1;
	c->stat[TREND] = z;
	c->p[TREND] = normal_upper(z);

	/* Gating: the answered share of invitations (or, with no unanswered
	 * rows, the volume) falls while NPS rises; the larger of the two
	 * one-sided p-values (an intersection-union test). */
	double z_drop = -INFINITY;
	double all_now = (double)c->n + (double)c->unanswered;
	if (un > 0 || c->unanswered) {
		double rr_h = n / period_vol, rr = (double)c->n / all_now;
		double v = rr_h * (1 - rr_h) * (1 / all_now + 1 / period_vol);
		if (v > 0)
			z_drop = (rr_h - rr) / sqrt(v);
	}
	/* The unit's share of its periods' answers, against its usual share. */
	double share_h = vol / peers_vol, share = (double)c->n / now_peers_vol;
	if (share_h > 0 && share_h < 1) {
		double z = (share_h - share) / sqrt(share_h * (1 - share_h) / now_peers_vol);
		z_drop = z > z_drop ? z : z_drop;
	}
	double v_now, v_hist;
	double y_now = nps_of(c, &v_now), y_hist = nps_of(&pooled, &v_hist);
	double se = sqrt(v_now / (double)c->n + v_hist / (double)pooled.n);
	if (z_drop == -INFINITY || !(se > 0))
		return; /* nothing to measure a fall or a rise by */
	double z_rise = (y_now - y_hist) / se;
	c->has[GATING] = 1;
	c->stat[GATING] = z_drop < z_rise ? z_drop : z_rise;
	c->p[GATING] = normal_upper(c->stat[GATING]);
}

/* ---- adjusting and combining ------------------------------------------ */

/* Fisher's method over a cell's p-values: -2 sum ln p ~ chi-square(2K). */
static double fisher(const struct cell *c)
{
	double x = 0;
	int k = 0;
	for (int s = 0; s < NSIGNALS; s++) {
		if (!c->has[s])
			continue;
		x += -2 * log(c->p[s] > 1e-300 ? c->p[s] : 1e-300);
		k++;
	}
	return k ? chisq_upper(x, 2.0 * k) : NAN;
}

/* Adjusts, across the cells that have it, signal s's p-values (s < 0:
 * the combined ones); p and adj are scratch of ncells each. */
static void adjust_cells(struct audit *a, size_t ncells, int s, double *p,
			 double *adj)
{
	size_t m = 0;
	for (size_t i = 0; i < ncells; i++) {
		struct cell *c = &a->all.cells[i];
		if (s >= 0 ? c->has[s] : !isnan(c->combined))
			p[m++] = s >= 0 ? c->p[s] : c->combined;
	}
	p_adjust(p, adj, m, a->opt.adjust);
	m = 0;
	for (size_t i = 0; i < ncells; i++) {
		struct cell *c = &a->all.cells[i];
		if (s >= 0 && c->has[s])
			c->p_adj[s] = adj[m++];
		else if (s < 0 && !isnan(c->combined))
			c->combined_adj = adj[m++];
	}
}

static void judge(struct audit *a, size_t ncells)
{
	double *p = xmalloc((ncells ? ncells : 1) * 2 * sizeof *p);
	double *adj = p + (ncells ? ncells : 1);
	for (int s = 0; s < NSIGNALS; s++)
		adjust_cells(a, ncells, s, p, adj);
	for (size_t i = 0; i < ncells; i++)
		a->all.cells[i].combined = fisher(&a->all.cells[i]);
	adjust_cells(a, ncells, -1, p, adj); /* the combination */
	/* Review: the signals together are significant after adjustment,
	 * and at least one signal is on its own. */
	for (size_t i = 0; i < ncells; i++) {
		struct cell *c = &a->all.cells[i];
		int raised = 0;
		for (int s = 0; s < NSIGNALS; s++)
			raised += c->has[s] && c->p_adj[s] < a->opt.alpha;
		c->review = !isnan(c->combined) && c->combined_adj < a->opt.alpha && raised;
	}
	free(p);
}

/* ---- order ------------------------------------------------------------ */

static int cmp_cells(const void *pa, const void *pb, const void *ctx)
{
	const struct audit *a = ctx;
	const struct cell *x = &a->all.cells[*(const uint32_t *)pa];
	const struct cell *y = &a->all.cells[*(const uint32_t *)pb];
	if (x->unit != y->unit) {
		size_t nx = a->all.units.lens[x->unit], ny = a->all.units.lens[y->unit];
		int r = memcmp(a->all.units.keys[x->unit], a->all.units.keys[y->unit],
			       nx < ny ? nx : ny);
		if (r || nx != ny)
			return r ? r : nx < ny ? -1 : 1;
	}
	return x->period < y->period ? -1 : x->period > y->period;
}

static int cmp_by_period(const void *pa, const void *pb, const void *ctx)
{
	const struct audit *a = ctx;
	const struct cell *x = &a->all.cells[*(const uint32_t *)pa];
	const struct cell *y = &a->all.cells[*(const uint32_t *)pb];
	if (x->period != y->period)
		return x->period < y->period ? -1 : 1;
	return cmp_cells(pa, pb, ctx);
}

static void compute(struct audit *a)
{
	const struct options *o = &a->opt;
	size_t ncells = a->all.cell_keys.count;
	count_bursts(a);
	for (size_t i = 0; i < a->all.contacts.keys.count; i++)
		if (a->all.contacts.count[i] > o->contact_max)
			a->all.cells[a->all.contacts.cell[i]].shared += a->all.contacts.count[i];
	for (size_t i = 0; i < ncells; i++)
		a->all.cells[i].too_few = a->all.cells[i].n < o->min_n;

	uint32_t *ids = xmalloc((ncells + 1) * sizeof *ids);
	double *scratch = xmalloc((2 * ncells + 2) * sizeof *scratch);
	for (size_t i = 0; i < ncells; i++)
		ids[i] = (uint32_t)i;

	/* Against the peers, period by period. */
	a->order = ids;
	sort_stable(ids, ncells, sizeof *ids, cmp_by_period, a);
	a->periods = xmalloc((ncells + 1) * sizeof *a->periods);
	a->nperiods = 0;
	for (size_t first = 0; first < ncells;) {
		size_t last = first;
		struct period_totals *pt = &a->periods[a->nperiods++];
		memset(pt, 0, sizeof *pt);
		pt->period = a->all.cells[ids[first]].period;
		for (; last < ncells && a->all.cells[ids[last]].period == pt->period; last++) {
			const struct cell *c = &a->all.cells[ids[last]];
			pt->sum.n += c->n, pt->sum.unanswered += c->unanswered;
			for (int s = 0; s <= 10; s++)
				pt->sum.score[s] += c->score[s];
			pt->sum.timed += c->timed, pt->sum.fast += c->fast;
			pt->sum.burst += c->burst, pt->sum.shared += c->shared;
			pt->sum.late += c->late;
		}
		struct span sp = { first, last };
		share_signal(a, pt, sp, TOP_BOX, scratch);
		shape_signal(a, pt, sp, scratch);
		if (a->transaction_col >= 0)
			share_signal(a, pt, sp, FAST, scratch);
		if (a->time_col >= 0)
			share_signal(a, pt, sp, BURST, scratch);
		if (a->contact_col >= 0)
			share_signal(a, pt, sp, CONTACT, scratch);
		if (o->has_period && o->period != PERIOD_DAY)
			share_signal(a, pt, sp, DEADLINE, scratch);
		funnel_signal(a, pt, sp, scratch);
		first = last;
	}

	/* Against the unit's own history. */
	sort_stable(ids, ncells, sizeof *ids, cmp_cells, a);
	if (o->has_period)
		for (size_t first = 0; first < ncells;) {
			size_t last = first;
			while (last < ncells && a->all.cells[ids[last]].unit == a->all.cells[ids[first]].unit)
				last++;
			for (size_t at = first; at < last; at++)
				history_signals(a, ids + first, at - first);
			first = last;
		}
	judge(a, ncells);
	free(scratch);
}

/* ---- output ----------------------------------------------------------- */

static int signal_enabled(const struct audit *a, enum signal s)
{
	switch (s) {
	case FAST: return a->transaction_col >= 0;
	case BURST: return a->time_col >= 0;
	case CONTACT: return a->contact_col >= 0;
	case DEADLINE: return a->opt.has_period && a->opt.period != PERIOD_DAY;
	case TREND: case GATING: return a->opt.has_period;
	default: return 1;
	}
}

static void write_unit(const struct audit *a, const struct cell *c)
{
	out_write(a->all.units.keys[c->unit], a->all.units.lens[c->unit]);
	if (a->opt.has_period) {
		char text[48];
		period_format(a->opt.period, c->period, text);
		out_char('\t');
		out_str(text);
	}
}

/* The group columns as -g names them: the header, even of an empty input. */
static void write_group_header(const struct audit *a)
{
	for (const char *p = a->opt.group; *p; p++)
		out_char(*p == ',' ? '\t' : *p);
	if (a->opt.has_period)
		out_str("\tperiod");
}

static void write_table(const struct audit *a)
{
	int prec = a->opt.precision;
	write_group_header(a);
	out_str("\tn\tunanswered\tresponse_rate\tnps\tpct_tens");
	for (int s = 0; s < NSIGNALS; s++)
		if (signal_enabled(a, s))
			writer_printf(&out, "\t%s\t%s_p\t%s_p_adj", signal_names[s],
				      signal_names[s], signal_names[s]);
	out_str("\tfunnel_target\tfunnel_v1\tfunnel_tau2\tp_combined\tp_combined_adj\tsignals\tverdict\n");
	for (size_t i = 0; i < a->all.cell_keys.count; i++) {
		const struct cell *c = &a->all.cells[a->order[i]];
		write_unit(a, c);
		out_char('\t');
		writer_u64(&out, c->n);
		out_char('\t');
		writer_u64(&out, c->unanswered);
		out_char('\t');
		if (c->n + c->unanswered)
			writer_fixed(&out, (double)c->n / (double)(c->n + c->unanswered), prec);
		out_char('\t');
		double v1;
		if (c->n) {
			writer_fixed(&out, nps_of(c, &v1), prec);
			out_char('\t');
			writer_fixed(&out, 100.0 * (double)c->score[10] / (double)c->n, prec);
		} else {
			out_char('\t');
		}
		for (int s = 0; s < NSIGNALS; s++) {
			if (!signal_enabled(a, s))
				continue;
			out_char('\t');
			if (!c->has[s]) {
				out_str("\t\t");
				continue;
			}
			writer_fixed(&out, c->stat[s], prec);
			out_char('\t');
			writer_pvalue(&out, c->p[s], prec);
			out_char('\t');
			writer_pvalue(&out, c->p_adj[s], prec);
		}
		const struct period_totals *pt = totals_of(a, c->period);
		out_char('\t');
		writer_fixed(&out, pt->funnel_target, prec);
		out_char('\t');
		writer_fixed(&out, pt->funnel_v1, prec);
		out_char('\t');
		writer_fixed(&out, pt->funnel_tau2, prec);
		out_char('\t');
		if (!isnan(c->combined)) {
			writer_pvalue(&out, c->combined, prec);
			out_char('\t');
			writer_pvalue(&out, c->combined_adj, prec);
		} else {
			out_char('\t');
		}
		out_char('\t');
		int any = 0;
		for (int s = 0; s < NSIGNALS; s++)
			if (c->has[s] && c->p_adj[s] < a->opt.alpha) {
				if (any++)
					out_char(';');
				out_str(signal_names[s]);
			}
		out_str(c->too_few ? "\ttoo_few\n" : c->review ? "\treview\n" : "\tok\n");
	}
}

/* What a raised signal means, in words. */
static void explain_signal(const struct audit *a, const struct cell *c,
			   enum signal s)
{
	const struct period_totals *pt = totals_of(a, c->period);
	double x, n, tx, tn, p0 = 0, v1;
	share_counts(c, s, &x, &n);
	share_counts(&pt->sum, s, &tx, &tn);
	if (tn > n)
		p0 = (tx - x) / (tn - n); /* the peers' share as it is */
	switch (s) {
	case TOP_BOX:
		writer_printf(&out, "%.0f of %.0f answers were 10 (%.1f%%), against %.1f%% among its peers", x, n, 100 * x / n, 100 * p0);
		break;
	case SHAPE:
		writer_printf(&out, "its scores are spread unlike its peers' (X2 %.2f over detractors, passives, 9s and 10s)", c->stat[s]);
		break;
	case FAST:
		writer_printf(&out, "%.0f of %.0f answers came less than %.0f s after the transaction (%.1f%%), against %.1f%% among its peers", x, n, a->opt.min_delay, 100 * x / n, 100 * p0);
		break;
	case BURST:
		writer_printf(&out, "%.0f of %.0f answers came in bursts of %llu or more within %.0f s (%.1f%%), against %.1f%% among its peers", x, n, a->opt.burst_size, a->opt.burst_window, 100 * x / n, 100 * p0);
		break;
	case CONTACT:
		writer_printf(&out, "%.0f of %.0f answers came from contacts that answered more than %llu times (%.1f%%), against %.1f%% among its peers", x, n, a->opt.contact_max, 100 * x / n, 100 * p0);
		break;
	case DEADLINE:
		writer_printf(&out, "%.0f of %.0f answers came in the last %llu days of the period (%.1f%%), against %.1f%% among its peers", x, n, a->opt.deadline_days, 100 * x / n, 100 * p0);
		break;
	case FUNNEL:
		writer_printf(&out, "NPS %.1f is above the funnel around %.1f for %llu responses (z %.2f with overdispersion)", nps_of(c, &v1), pt->funnel_target, c->n, c->stat[s]);
		break;
	case TREND:
		writer_printf(&out, "its share of 10s (%.1f%%) jumped against its own earlier periods (Laney z %.2f)", 100.0 * (double)c->score[10] / (double)c->n, c->stat[s]);
		break;
	case GATING:
		writer_printf(&out, "fewer answers while NPS rose against its own earlier periods (z %.2f)", c->stat[s]);
		break;
	default:
		break;
	}
	out_str("; p ");
	writer_pvalue(&out, c->p[s], a->opt.precision);
	out_str(", adjusted ");
	writer_pvalue(&out, c->p_adj[s], a->opt.precision);
	out_char('\n');
}

static void write_explain(const struct audit *a)
{
	write_group_header(a);
	out_str("\tsignal\texplanation\n");
	for (size_t i = 0; i < a->all.cell_keys.count; i++) {
		const struct cell *c = &a->all.cells[a->order[i]];
		for (int s = 0; s < NSIGNALS; s++) {
			if (!c->has[s] || c->p_adj[s] >= a->opt.alpha)
				continue;
			write_unit(a, c);
			writer_printf(&out, "\t%s\t", signal_names[s]);
			explain_signal(a, c, s);
		}
	}
}

/* With periods, the callbacks are for the latest one: the cells of
 * other periods are not sampled. */
static int sampled(const struct audit *a, const struct cell *c)
{
	return !a->opt.has_period || c->period == a->periods[a->nperiods - 1].period;
}

/* Spreads `budget` rows over the cells of one stratum as evenly as their
 * sizes allow; returns what could not be placed. */
static unsigned long long spread(struct audit *a, int review,
				 unsigned long long budget)
{
	for (;;) {
		size_t open = 0;
		for (size_t i = 0; i < a->all.cell_keys.count; i++) {
			struct cell *c = &a->all.cells[a->order[i]];
			open += sampled(a, c) && c->review == review && c->quota < c->nkept;
		}
		if (!open || !budget)
			return budget;
		unsigned long long each = budget / open, extra = budget % open;
		for (size_t i = 0; i < a->all.cell_keys.count && budget; i++) {
			struct cell *c = &a->all.cells[a->order[i]];
			if (!sampled(a, c) || c->review != review || c->quota >= c->nkept)
				continue;
			unsigned long long want = each + (extra ? 1 : 0);
			if (extra)
				extra--;
			unsigned long long room = c->nkept - c->quota;
			unsigned long long give = want < room ? want : room;
			c->quota += give, budget -= give;
		}
	}
}

static int cmp_kept(const void *pa, const void *pb)
{
	const struct kept *a = pa, *b = pb;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	size_t n = a->len < b->len ? a->len : b->len;
	int r = memcmp(a->row, b->row, n);
	return r ? r : a->len < b->len ? -1 : a->len > b->len;
}

/* The callback sample: 80% of it from units under review (all of it when
 * none is), the rest spread over every other unit, so that the callbacks
 * also check units judged ok. */
static void write_sample(struct audit *a)
{
	unsigned long long n = a->opt.sample, review_rows = 0;
	for (size_t i = 0; i < a->all.cell_keys.count; i++)
		if (a->all.cells[i].review && sampled(a, &a->all.cells[i]))
			review_rows += a->all.cells[i].nkept;
	unsigned long long to_review = review_rows ? (n * 4 + 4) / 5 : 0;
	unsigned long long left = spread(a, 1, to_review);
	left = spread(a, 0, n - to_review + left);
	spread(a, 1, left);
	if (a->in.has_header) {
		tsv_write_header(&a->in, &out);
		out_str("\taudit_verdict\taudit_stratum\n");
	}
	for (size_t i = 0; i < a->all.cell_keys.count; i++) {
		struct cell *c = &a->all.cells[a->order[i]];
		if (c->nkept)
			qsort(c->kept, c->nkept, sizeof *c->kept, cmp_kept);
		const char *verdict = c->too_few ? "too_few" : c->review ? "review" : "ok";
		for (size_t k = 0; k < c->quota; k++) {
			out_write(c->kept[k].row, c->kept[k].len);
			writer_printf(&out, "\t%s\t%s\n", verdict,
				      c->review ? "review" : "reference");
		}
	}
}

/* ---- options and main ------------------------------------------------- */

static unsigned long long count_option(const char *name, const char *arg,
				       unsigned long long min)
{
	unsigned long long v;
	if (!num_arg_count(arg, &v) || v < min)
		die_usage("%s must be a whole number of at least %llu (\"%s\")", name,
			  min, arg);
	return v;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option options[] = {
		{ "group", required_argument, NULL, 'g' },
		{ "score", required_argument, NULL, 's' },
		{ "time", required_argument, NULL, 't' },
		{ "period", required_argument, NULL, 'p' },
		{ "transaction", required_argument, NULL, 'T' },
		{ "contact", required_argument, NULL, 'c' },
		{ "min-delay", required_argument, NULL, 'D' },
		{ "burst-window", required_argument, NULL, 'W' },
		{ "burst-size", required_argument, NULL, 'B' },
		{ "contact-max", required_argument, NULL, 'X' },
		{ "deadline-days", required_argument, NULL, 'L' },
		{ "min-n", required_argument, NULL, 'm' },
		{ "alpha", required_argument, NULL, 'a' },
		{ "adjust", required_argument, NULL, 'A' },
		{ "precision", required_argument, NULL, 'P' },
		{ "explain", no_argument, NULL, 'E' },
		{ "sample", required_argument, NULL, 'S' },
		{ "seed", required_argument, NULL, 'Z' },
		{ "rejects", required_argument, NULL, 'R' },
		TSV_HEADER_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	memset(o, 0, sizeof *o);
	o->score = "score";
	o->min_delay = 120, o->burst_window = 600, o->alpha = 0.01;
	o->burst_size = 5, o->contact_max = 2, o->deadline_days = 3, o->min_n = 30;
	o->precision = 4, o->seed = 1, o->adjust = ADJUST_BH;
	int c;
	while ((c = getopt_long(argc, argv, "g:s:t:p:T:h", options, NULL)) != -1) {
		switch (c) {
		case 'g': o->group = optarg; break;
		case 's': o->score = optarg; break;
		case 't': o->time = optarg; break;
		case 'p':
			if (!period_kind_parse(optarg, &o->period))
				die_usage("--period must be day, week, month, quarter or year (\"%s\")", optarg);
			o->has_period = 1;
			break;
		case 'T': o->transaction = optarg; break;
		case 'c': o->contact = optarg; break;
		case 'D': o->min_delay = num_opt_between("--min-delay", optarg, 0, 1e9); break;
		case 'W': o->burst_window = floor(num_opt_between("--burst-window", optarg, 0.5, 1e9)); break;
		case 'B': o->burst_size = count_option("--burst-size", optarg, 2); break;
		case 'X': o->contact_max = count_option("--contact-max", optarg, 1); break;
		case 'L': o->deadline_days = count_option("--deadline-days", optarg, 1); break;
		case 'm': o->min_n = count_option("--min-n", optarg, 1); break;
		case 'a': o->alpha = num_opt_between("--alpha", optarg, 0, 1); break;
		case 'A':
			if (!strcmp(optarg, "bh"))
				o->adjust = ADJUST_BH;
			else if (!strcmp(optarg, "holm"))
				o->adjust = ADJUST_HOLM;
			else
				die_usage("--adjust must be bh or holm (\"%s\")", optarg);
			break;
		case 'P': o->precision = num_opt_precision(optarg); break;
		case 'E': o->mode = MODE_EXPLAIN; break;
		case 'S':
			o->sample = count_option("--sample", optarg, 1);
			if (o->sample > 10000000)
				die_usage("--sample must be at most 10000000 (\"%s\")", optarg);
			o->mode = MODE_SAMPLE;
			break;
		case 'Z': o->seed = count_option("--seed", optarg, 0); break;
		case 'R': o->rejects = optarg; break;
		case TSV_OPT_COLUMNS: case TSV_OPT_HEADER_FROM: tsv_header_option(&o->given, c, optarg); break;
		case 'h': usage(); exit_printed();
		case 'V': printf("nps-audit %s\n", NPSKIT_VERSION); exit_printed();
		default: die_option(argv, "g:s:t:p:T:h");
		}
	}
	if (!o->group || !*o->group)
		die_usage("-g COLS is required: the columns that name a unit");
	if (o->has_period && !o->time)
		die_usage("--period needs -t COL, the response time");
	if (o->transaction && !o->time)
		die_usage("-T needs -t COL too: the delay is response time minus transaction time");
}

static void release(struct audit *a)
{
	part_free(&a->all);
	free(a->order);
	free(a->periods);
	free(a->group_cols);
}

int main(int argc, char **argv)
{
	struct audit a = { 0 };
	prog_init(argv[0]);
	parse_options(argc, argv, &a.opt);

	tsv_open_header(&a.in, &a.opt.given, argc - optind, argv + optind);
	a.ngroups = tsv_cols(&a.in, a.opt.group, &a.group_cols);
	a.score_col = tsv_col(&a.in, a.opt.score);
	a.time_col = a.opt.time ? (long)tsv_col(&a.in, a.opt.time) : -1;
	a.transaction_col = a.opt.transaction ? (long)tsv_col(&a.in, a.opt.transaction) : -1;
	a.contact_col = a.opt.contact ? (long)tsv_col(&a.in, a.opt.contact) : -1;
	if (a.opt.rejects)
		tsv_rejects_open(&a.in, a.opt.rejects);
	read_all(&a);
	settle_counts(&a.all);
	compute(&a);
	switch (a.opt.mode) {
	case MODE_TABLE: write_table(&a); break;
	case MODE_EXPLAIN: write_explain(&a); break;
	case MODE_SAMPLE: write_sample(&a); break;
	}
	writer_close(&out);
	tsv_close(&a.in);
	release(&a);
	return 0;
}

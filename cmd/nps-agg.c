/* nps-agg: NPS per group and period, with standard errors, intervals,
 * roll-ups, unanswered questions and response rates, periods the data
 * cover only in part, and partial results that merge exactly (--merge). */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "hash.h"
#include "key.h"
#include "nps.h"
#include "num.h"
#include "out.h"
#include "sort.h"
#include "tsv.h"
#include "util.h"
#include "version.h"

static void usage(void)
{
	printf("Usage: nps-agg [options] [file ...]\n"
	       "NPS per group and period, with error bars.\n\n"
	       "  -g, --group COLS        group by these columns (comma-separated)\n"
	       "  -t, --time COL          date or timestamp column for periods\n"
	       "  -p, --period KIND       day, week, month (default), quarter or year\n"
	       "  -s, --score COL         score column (default: the segment column if\n"
	       "                          present, else score)\n"
	       "  -w, --weight COL        weight column\n"
	       "      --confidence X      interval level (default 0.95)\n"
	       "      --interval KIND     wald (default), adjusted or score\n"
	       "      --precision N       decimals (default 2)\n"
	       "      --rollup            subtotal rows for each prefix of the groups\n"
	       "      --min-n N           append low_n: 1 when n < N\n"
	       "      --drop-small        with --min-n: leave those rows out instead\n"
	       "      --merge             input is nps-agg output: re-aggregate it\n"
	       "      --rejects FILE      write bad rows to FILE instead of stopping\n"
	       TSV_HEADER_USAGE
	       "  -h, --help              show this help\n"
	       "      --version           show the version\n");
}

struct options {
	const char *group, *time, *score, *weight, *rejects;
	enum period_kind period;
	int has_period_kind, rollup, merge, precision;
	enum nps_interval interval;
	double confidence;
	unsigned long long min_n;
	int has_min_n, drop_small;
	struct tsv_header given; /* --columns, --header-from */
};

/* A row's segment when its question was not answered. */
enum { UNANSWERED = 3 };

/* What one output row sums: the responses, the unanswered rows, and with
 * periods the first and last response dates (days) in the period. */
struct cell {
	struct nps_counts c;
	unsigned long long unanswered;
	long first, last;
};

/* The aggregates of one level: the detail (all group columns) or a
 * roll-up (the first `level` of them). A key is the level's group fields
 * joined by TAB, then the period key's bytes when there are periods. */
struct level {
	struct hash keys;
	struct cell *cells; /* by hash id */
	size_t cap;
};

struct table {
	struct level *levels; /* [0, ngroups): roll-ups; [ngroups]: detail */
	size_t ngroups;
	int has_period;
	enum period_kind kind;
	long first, last; /* the whole input's first and last dates (days) */
};

struct row_ref {
	uint32_t level, id;
};

static inline __attribute__((always_inline)) struct cell *
intern(struct level *lv, const char *key, size_t n)
{
	int added;
	size_t id = hash_intern(&lv->keys, key, n, &added);
	if (id >= lv->cap) {
		size_t cap = lv->cap ? lv->cap * 2 : 1024;
		lv->cells = xrealloc(lv->cells, cap * sizeof *lv->cells);
		memset(lv->cells + lv->cap, 0, (cap - lv->cap) * sizeof *lv->cells);
		lv->cap = cap;
	}
	if (added) {
		lv->cells[id].first = LONG_MAX;
		lv->cells[id].last = LONG_MIN;
	}
	return &lv->cells[id];
}

static inline void span_add(long *first, long *last, long from, long to)
{
	if (from < *first)
		*first = from;
	if (to > *last)
		*last = to;
}

/* Adds b into a; 0 on overflow. */
static int cell_merge(struct cell *a, const struct cell *b)
{
	if (!nps_merge(&a->c, &b->c) || a->unanswered + b->unanswered < a->unanswered)
		return 0;
	a->unanswered += b->unanswered;
	span_add(&a->first, &a->last, b->first, b->last);
	return 1;
}

/* A key's group text, without the period. */
static struct slice key_text(const struct table *t, struct row_ref r)
{
	const struct hash *h = &t->levels[r.level].keys;
	struct slice s = { h->keys[r.id],
			   h->lens[r.id] - (t->has_period ? sizeof(long) : 0) };
	return s;
}

static long key_period(const struct table *t, struct row_ref r)
{
	const struct hash *h = &t->levels[r.level].keys;
	long p;
	memcpy(&p, h->keys[r.id] + h->lens[r.id] - sizeof p, sizeof p);
	return p;
}

/* Column by column; a rolled-up column ("*") sorts before any value, so
 * each subtotal comes just before the rows it sums. Then time order. */
static int cmp_rows(const void *pa, const void *pb, const void *table)
{
	const struct table *t = table;
	struct row_ref a = *(const struct row_ref *)pa;
	struct row_ref b = *(const struct row_ref *)pb;
	struct slice ka = key_text(t, a), kb = key_text(t, b);
	for (size_t c = 0; c < t->ngroups; c++) {
		if (c >= a.level || c >= b.level) {
			if (a.level != b.level)
				return a.level < b.level ? -1 : 1;
			break;
		}
		const char *ta = memchr(ka.p, '\t', ka.n);
		const char *tb = memchr(kb.p, '\t', kb.n);
		size_t na = ta ? (size_t)(ta - ka.p) : ka.n;
		size_t nb = tb ? (size_t)(tb - kb.p) : kb.n;
		int r = memcmp(ka.p, kb.p, na < nb ? na : nb);
		if (r || na != nb)
			return r ? r : na < nb ? -1 : 1;
		if (ta) {
			ka.p += na + 1, ka.n -= na + 1;
			kb.p += nb + 1, kb.n -= nb + 1;
		}
	}
	if (!t->has_period)
		return 0;
	long pa_ = key_period(t, a), pb_ = key_period(t, b);
	return pa_ < pb_ ? -1 : pa_ > pb_;
}

/* Sums each detail row into the subtotal of every proper prefix of the
 * group columns. */
static void add_rollups(struct table *t)
{
	struct level *detail = &t->levels[t->ngroups];
	struct buf key = { 0 };
	buf_grow(&key, 64); /* never NULL, even for an empty key */
	for (uint32_t id = 0; id < detail->keys.count; id++) {
		struct row_ref ref = { (uint32_t)t->ngroups, id };
		struct slice text = key_text(t, ref);
		long period = t->has_period ? key_period(t, ref) : 0;
		const char *end = text.p, *stop = text.p + text.n;
		for (size_t level = 0; level < t->ngroups; level++) {
			key.len = 0;
			buf_add(&key, text.p, (size_t)(end - text.p));
			if (t->has_period)
				buf_add(&key, &period, sizeof period);
			struct cell *sub = intern(&t->levels[level], key.p, key.len);
			if (!cell_merge(sub, &detail->cells[id]))
				die(EX_DATA_, "counts or weight sums too large to add up");
			const char *from = level == 0 ? text.p : end + 1;
			const char *tab = memchr(from, '\t', (size_t)(stop - from));
			end = tab ? tab : stop;
		}
	}
	buf_free(&key);
}

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option options[] = {
		{ "group", required_argument, NULL, 'g' },
		{ "time", required_argument, NULL, 't' },
		{ "period", required_argument, NULL, 'p' },
		{ "score", required_argument, NULL, 's' },
		{ "weight", required_argument, NULL, 'w' },
		{ "confidence", required_argument, NULL, 'C' },
		{ "interval", required_argument, NULL, 'I' },
		{ "precision", required_argument, NULL, 'P' },
		{ "rollup", no_argument, NULL, 'r' },
		{ "min-n", required_argument, NULL, 'm' },
		{ "drop-small", no_argument, NULL, 'D' },
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
	o->period = PERIOD_MONTH;
	while ((c = getopt_long(argc, argv, "g:t:p:s:w:h", options, NULL)) != -1) {
		switch (c) {
		case 'g': o->group = optarg; break;
		case 't': o->time = optarg; break;
		case 'p':
			if (!period_kind_parse(optarg, &o->period))
				die_usage("--period must be " PERIOD_KIND_EXPECTED " (\"%s\")", optarg);
			o->has_period_kind = 1;
			break;
		case 's': o->score = optarg; break;
		case 'w': o->weight = optarg; break;
		case 'C':
			o->confidence = num_opt_between("--confidence", optarg, 0, 1);
			break;
		case 'I':
			if (strcmp(optarg, "wald") == 0)
				o->interval = INTERVAL_WALD;
			else if (strcmp(optarg, "adjusted") == 0)
				o->interval = INTERVAL_ADJUSTED;
			else if (strcmp(optarg, "score") == 0)
				o->interval = INTERVAL_SCORE;
			else
				die_usage("--interval must be wald, adjusted or score (\"%s\")", optarg);
			break;
		case 'P':
			o->precision = num_opt_precision(optarg);
			break;
		case 'r': o->rollup = 1; break;
		case 'm':
			if (!num_arg_count(optarg, &o->min_n))
				die_usage("--min-n must be a count (\"%s\")", optarg);
			o->has_min_n = 1;
			break;
		case 'M': o->merge = 1; break;
		case 'D': o->drop_small = 1; break;
		case 'R': o->rejects = optarg; break;
		case TSV_OPT_COLUMNS: case TSV_OPT_HEADER_FROM: tsv_header_option(&o->given, c, optarg); break;
		case 'h': usage(); exit_printed();
		case 'V': printf("nps-agg %s\n", NPSKIT_VERSION); exit_printed();
		default: die_option(argv, "g:t:p:s:w:h");
		}
	}
	if (o->merge && (o->time || o->weight || o->score))
		die_usage("--merge reads counts: -t, -w and -s do not apply");
	if (o->drop_small && !o->has_min_n)
		die_usage("--drop-small needs --min-n");
	if (!o->merge && o->has_period_kind && !o->time)
		die_usage("--period needs -t/--time");
}

/* Whether a period of kind `from` lies wholly inside one of kind `to`. */
static int nests(enum period_kind from, enum period_kind to)
{
	if (from == to || from == PERIOD_DAY)
		return 1;
	if (from == PERIOD_WEEK)
		return 0;
	return to > from; /* month -> quarter -> year */
}

/* The output header must name each column once, or the next program
 * cannot find its columns: a group column may not be given twice, nor
 * be named like a column nps-agg adds. */
static void check_group_names(const struct options *o, const struct table *t)
{
	static const char *const added[] = {
		"n", "promoters", "passives", "detractors", "pct_promoters",
		"pct_passives", "pct_detractors", "nps", "se", "ci_low", "ci_high",
		"unanswered", "response_rate", "weight_sum", "n_eff",
		"w_promoters", "w_passives", "w_detractors", "w2_promoters",
		"w2_passives", "w2_detractors", "low_n",
		"period", "first_date", "last_date", "partial", /* with periods */
	};
	size_t n = sizeof added / sizeof *added, with_periods = n - 4;
	const char *p = o->group;
	for (size_t g = 0; g < t->ngroups; g++) {
		size_t len = strcspn(p, ",");
		for (size_t k = 0; k < n; k++)
			if (strlen(added[k]) == len && memcmp(p, added[k], len) == 0 &&
			    (k < with_periods || t->has_period))
				die_usage("-g %.*s: a group column may not be named like a column nps-agg writes",
					  (int)len, p);
		for (const char *q = p + len; *q == ',';) {
			q++;
			size_t l2 = strcspn(q, ",");
			if (l2 == len && memcmp(p, q, len) == 0)
				die_usage("-g names %.*s twice", (int)len, p);
			q += l2;
		}
		p += len + (p[len] == ',');
	}
}

static void write_header(const struct options *o, const struct table *t,
			 int weighted)
{
	if (o->group) {
		for (const char *p = o->group; *p; p++)
			out_char(*p == ',' ? '\t' : *p);
		out_char('\t');
	}
	if (t->has_period)
		out_str("period\t");
	out_str("n\tpromoters\tpassives\tdetractors\tpct_promoters\tpct_passives"
		"\tpct_detractors\tnps\tse\tci_low\tci_high\tunanswered\tresponse_rate");
	if (weighted)
		out_str("\tweight_sum\tn_eff\tw_promoters\tw_passives\tw_detractors"
			"\tw2_promoters\tw2_passives\tw2_detractors");
	if (t->has_period)
		out_str("\tfirst_date\tlast_date\tpartial");
	if (o->has_min_n && !o->drop_small)
		out_str("\tlow_n");
	out_char('\n');
}

/* A figure; one that does not exist (NaN) is an empty field. */
static void write_figure(double v, int precision)
{
	out_char('\t');
	if (!isnan(v))
		writer_fixed(&out, v, precision);
}

static void write_date(long days)
{
	long y;
	int m, d;
	civil_from_days(days, &y, &m, &d);
	writer_printf(&out, "\t%04ld-%02d-%02d", y, m, d);
}

static void write_row(const struct options *o, const struct table *t,
		      struct row_ref ref, int weighted, double z)
{
	struct slice text = key_text(t, ref);
	out_write(text.p, text.n);
	for (size_t c = ref.level; c < t->ngroups; c++)
		out_str(c == 0 ? "*" : "\t*");
	if (t->ngroups)
		out_char('\t');
	if (t->has_period) {
		char period[48];
		period_format(t->kind, key_period(t, ref), period);
		out_str(period);
		out_char('\t');
	}
	const struct cell *cell = &t->levels[ref.level].cells[ref.id];
	const struct nps_counts *c = &cell->c;
	struct nps_stats st;
	nps_compute(c, weighted, o->interval, z, &st);
	nps_write_counts(&out, c);
	double figures[] = { 100 * st.share[PROMOTER], 100 * st.share[PASSIVE],
			     100 * st.share[DETRACTOR], st.nps, st.se,
			     st.ci_low, st.ci_high };
	for (size_t k = 0; k < sizeof figures / sizeof *figures; k++)
		write_figure(figures[k], o->precision);
	out_char('\t');
	writer_u64(&out, cell->unanswered);
	write_figure((double)st.n / ((double)st.n + (double)cell->unanswered),
		     o->precision + 2);
	if (weighted) {
		out_char('\t');
		nps_write_weight_sum(&out, c, o->precision);
		write_figure(st.n_eff, o->precision);
		out_char('\t');
		nps_write_weight_sums(&out, c);
	}
	if (t->has_period) {
		long key = key_period(t, ref);
		long from = period_first_day(t->kind, key);
		long to = period_first_day(t->kind, key + 1) - 1;
		write_date(cell->first);
		write_date(cell->last);
		out_str(t->first > from || t->last < to ? "\t1" : "\t0");
	}
	if (o->has_min_n && !o->drop_small)
		out_str(st.n < o->min_n ? "\t1" : "\t0");
	out_char('\n');
}

/* The program's state: options, input, columns, the table. */
struct agg {
	struct options o;
	struct tsv_reader r;
	struct table t;
	size_t *group_cols;
	int key_in_place; /* the group columns are adjacent, in order */
	long time_col, period_col, weight_col;
	long unanswered_col, first_col, last_col; /* --merge */
	int use_segment, weighted;
	size_t value_col;
	const char *value_name;
	struct nps_count_cols cc;
	struct buf key; /* --merge */
	enum period_kind input_kind; /* --merge: the periods read so far */
	int input_kind_known, kind_known;
};

/* -s COL: COL_segment when the input has it (nps-classify -s q1,q2
 * output), else COL itself, read as segments when named so. No -s:
 * segment, else score. */
static void find_value_col(struct agg *a)
{
	const struct tsv_reader *r = &a->r;
	const char *name = a->o.score;
	if (name) {
		struct buf seg = { 0 };
		buf_add(&seg, name, strlen(name));
		buf_add(&seg, "_segment", 8);
		long c = tsv_col_find(r, buf_cstr(&seg));
		if (c >= 0) {
			a->value_col = (size_t)c;
			a->value_name = xstrndup(seg.p, seg.len);
			a->use_segment = 1;
		} else {
			size_t n = strlen(name);
			a->value_col = tsv_col(r, name);
			a->value_name = xstrndup(name, n);
			a->use_segment = nps_names_segments(name);
		}
		buf_free(&seg);
		return;
	}
	a->use_segment = tsv_col_find(r, "segment") >= 0;
	const char *dflt = a->use_segment ? "segment" : "score";
	if (!a->use_segment && tsv_col_find(r, "score") < 0)
		nps_need_question(r);
	a->value_col = tsv_col(r, dflt);
	a->value_name = xstrndup(dflt, strlen(dflt));
}

static void find_columns(struct agg *a)
{
	struct tsv_reader *r = &a->r;
	struct table *t = &a->t;
	t->ngroups = tsv_cols(r, a->o.group, &a->group_cols);
	t->levels = xmalloc((t->ngroups + 1) * sizeof *t->levels);
	memset(t->levels, 0, (t->ngroups + 1) * sizeof *t->levels);
	/* Group columns side by side in the input, in order, are their own
	 * key: no copy is needed when there are no periods either. */
	a->key_in_place = key_in_place(a->group_cols, t->ngroups);
	a->time_col = a->period_col = a->weight_col = -1;
	a->unanswered_col = a->first_col = a->last_col = -1;
	if (a->o.merge) {
		if (r->has_header) {
			nps_count_cols_find(r, &a->cc);
			a->weighted = a->cc.weighted;
			a->period_col = tsv_col_find(r, "period");
			a->unanswered_col = tsv_col_find(r, "unanswered");
			if (a->period_col >= 0) {
				a->first_col = (long)tsv_col(r, "first_date");
				a->last_col = (long)tsv_col(r, "last_date");
			}
		}
		t->has_period = a->period_col >= 0;
	} else {
		if (a->o.time)
			a->time_col = (long)tsv_col(r, a->o.time);
		if (a->o.weight)
			a->weight_col = (long)tsv_col(r, a->o.weight);
		a->weighted = a->o.weight != NULL;
		find_value_col(a);
		t->has_period = a->o.time != NULL;
	}
	t->kind = a->o.period;
	t->first = LONG_MAX;
	t->last = LONG_MIN;
	a->kind_known = !a->o.merge || a->o.has_period_kind;
}

/* What one thread adds up, responses read on ranges of the input (or
 * on all of it): the cells of the detail level, by key. The program's
 * state (struct agg) is shared, read only. */
struct part {
	OWN_LINES const struct agg *a;
	struct level *detail;
	struct buf key;
};

/* The current row's segment (or UNANSWERED); -1 if the row is bad. */
static inline __attribute__((always_inline)) int
read_segment(const struct agg *a, struct tsv_reader *r, const int use_segment)
{
	struct slice f = r->fields[a->value_col];
	if (use_segment) {
		int s = nps_segment_parse(f);
		if (s >= 0)
			return s;
		if (slice_eq(f, "unanswered"))
			return UNANSWERED;
		tsv_reject(r, "%s must be promoter, passive, detractor or unanswered (%s)",
			   a->value_name, tsv_quote(f));
		return -1;
	}
	int score = nps_score(f);
	if (score >= 0)
		return nps_segment_of(score);
	if (f.n == 0)
		return UNANSWERED;
	tsv_reject(r, "%s must be an integer 0..10 (%s)", a->value_name,
		   tsv_quote(f));
	return -1;
}

/* --merge: the current row's counts, and with periods its first and last
 * dates, into *row and its period into *period; 0 if the row is bad or
 * adds nothing. */
static int read_merged(struct agg *a, struct cell *row, long *period)
{
	struct tsv_reader *r = &a->r;
	if (!nps_counts_read(r, &a->cc, &row->c))
		return 0;
	row->unanswered = 0;
	if (a->unanswered_col >= 0 &&
	    !num_count(r->fields[a->unanswered_col], &row->unanswered)) {
		tsv_reject(r, "unanswered must be a count (%s)",
			   tsv_quote(r->fields[a->unanswered_col]));
		return 0;
	}
	if (a->period_col < 0)
		goto counted;
	enum period_kind kind;
	struct slice f = r->fields[a->period_col];
	if (!period_parse(f, &kind, period)) {
		tsv_reject(r, "period must be " PERIOD_EXPECTED " (%s)",
			   tsv_quote(f));
		return 0;
	}
	if (a->input_kind_known && kind != a->input_kind) {
		tsv_reject(r, "period %s is not of the same kind as the periods before it",
			   tsv_quote(f));
		return 0;
	}
	a->input_kind = kind;
	a->input_kind_known = 1;
	/* first_date and last_date: dates inside the row's period. */
	long *days[2] = { &row->first, &row->last };
	long cols[2] = { a->first_col, a->last_col };
	for (int k = 0; k < 2; k++) {
		struct slice d = r->fields[cols[k]];
		struct when w;
		if (!date_parse(d, &w) || d.n != 10 ||
		    period_of_days(kind, w.days) != *period) {
			tsv_reject(r, "%s must be a date YYYY-MM-DD in period %s (%s)",
				   k ? "last_date" : "first_date", tsv_quote(f),
				   tsv_quote(d));
			return 0;
		}
		*days[k] = w.days;
	}
	if (row->first > row->last) {
		tsv_reject(r, "first_date is after last_date (%s)",
			   tsv_quote(r->fields[a->first_col]));
		return 0;
	}
	if (!a->kind_known)
		a->t.kind = kind;
	else if (!nests(kind, a->t.kind))
		tsv_die(r, EX_USAGE_, "cannot merge %s periods into %s periods (%s)",
			period_kind_name(kind), period_kind_name(a->t.kind), tsv_quote(f));
	else
		*period = period_of_days(a->t.kind, period_first_day(kind, *period));
counted:
	/* No rows at all: a single pass never writes such a row, so the
	 * merge must not either. */
	return row->c.n[0] + row->c.n[1] + row->c.n[2] + row->unanswered > 0;
}

/* The cell of the current row's group and period, in detail. */
static inline struct cell *row_cell(const struct agg *a, struct tsv_reader *r,
				    struct level *detail, struct buf *key,
				    long period)
{
	const struct table *t = &a->t;
	struct slice k = key_of_row(r->fields, a->group_cols, t->ngroups,
				    a->key_in_place, key);
	if (!t->has_period)
		return intern(detail, k.p, k.n);
	if (k.p != key->p) { /* the row's own bytes: copied, to add the period */
		key->len = 0;
		buf_add(key, k.p, k.n);
	}
	buf_grow(key, sizeof period);
	memcpy(key->p + key->len, &period, sizeof period);
	key->len += sizeof period;
	return intern(detail, key->p, key->len);
}

/* The current row into p, for the modes given. It is inlined twice:
 * once with the common case's modes as constants (scores, no time,
 * weight or period, the key the row's own bytes), where the compiler
 * leaves out every test of a mode, and once with the modes read. */
static inline __attribute__((always_inline)) void
read_row(struct part *p, struct tsv_reader *r, const int use_segment,
	 const long time_col, const long weight_col, const int weighted,
	 const int has_period, const int in_place_only)
{
	const struct agg *a = p->a;
	const struct table *t = &a->t;
	if (!tsv_check_width(r))
		return;
	int seg = read_segment(a, r, use_segment);
	if (seg < 0)
		return;
	struct decimal weight = { 0, 0 };
	long period = 0, day = 0;
	if (time_col >= 0) {
		struct when w;
		if (!date_parse(r->fields[time_col], &w)) {
			tsv_reject(r, "%s must be " DATE_EXPECTED " (%s)",
				   a->o.time, tsv_quote(r->fields[time_col]));
			return;
		}
		period = period_of_when(t->kind, &w);
		day = w.days;
	}
	if (weight_col >= 0 && !nps_weight(r->fields[weight_col], &weight)) {
		tsv_reject(r, "%s must be 0 or a number from 1e-400 to below 1e308 (%s)",
			   a->o.weight, tsv_quote(r->fields[weight_col]));
		return;
	}
	struct cell *c;
	if (in_place_only) {
		struct slice first = r->fields[a->group_cols[0]],
			     last = r->fields[a->group_cols[t->ngroups - 1]];
		c = intern(p->detail, first.p, (size_t)(last.p + last.n - first.p));
	} else {
		c = row_cell(a, r, p->detail, &p->key, period);
	}
	if (seg == UNANSWERED)
		c->unanswered++;
	else if (!weighted)
		c->c.n[seg]++;
	else
		nps_add(&c->c, (enum segment)seg, weight);
	if (has_period)
		span_add(&c->first, &c->last, day, day);
}

/* The common case (scores, no time, weight or period, the groups side by
 * side): rows picked (tsv_pick), only the score and the group columns
 * found in each; a row that is not plain, or whose score is not, goes
 * through read_row as in any other case. */
static void read_plain(struct part *p, struct tsv_reader *r)
{
	const struct agg *a = p->a;
	const size_t first = a->group_cols[0], last = a->group_cols[a->t.ngroups - 1];
	const size_t spans[2][2] = { { a->value_col, a->value_col }, { first, last } };
	struct level *detail = p->detail;
	struct tsv_picks s;
	tsv_pick_spans(&s, spans, 2);
	for (;;) {
		size_t n = tsv_pick(r, &s);
		for (size_t i = 0; i < n; i++) {
			int score = nps_score(s.f[i][0]);
			if (score < 0) { /* unanswered, or a bad row */
				tsv_pick_row(r, &s, i);
				read_row(p, r, 0, -1, -1, 0, 0, 1);
				continue;
			}
			intern(detail, s.f[i][1].p, s.f[i][1].n)->c.n[nps_segment_of(score)]++;
		}
		if (n == TSV_PICK_ROWS)
			continue;
		if (!tsv_next(r))
			break;
		read_row(p, r, 0, -1, -1, 0, 0, 1);
	}
}

/* Responses (scores or segments), the rows of r into p (a tsv_rows_fn:
 * on all the input, or on one range of it after another). */
static void read_responses(void *state, struct tsv_reader *r, struct writer *unused)
{
	(void)unused; /* the table is written at the end */
	struct part *p = state;
	const struct agg *a = p->a;
	const int has_period = a->t.has_period;
	const int in_place_only = a->key_in_place && !has_period;
	if (!a->use_segment && a->time_col < 0 && a->weight_col < 0 &&
	    !a->weighted && in_place_only) {
		read_plain(p, r);
		return;
	}
	while (tsv_next(r))
		read_row(p, r, a->use_segment, a->time_col, a->weight_col,
			 a->weighted, has_period, in_place_only);
}

/* --merge: nps-agg output, counts added up again. */
static void read_merges(struct agg *a)
{
	struct tsv_reader *r = &a->r;
	while (tsv_next(r)) {
		struct cell row = { 0 };
		long period = 0;
		if (tsv_check_width(r) && read_merged(a, &row, &period) &&
		    !cell_merge(row_cell(a, r, &a->t.levels[a->t.ngroups], &a->key,
					 period), &row))
			tsv_die(r, EX_DATA_, "counts too large to add up");
		nps_counts_free(&row.c); /* its weight sums, if any */
	}
}

/* Responses, on one thread or on ranges of the input on several, each
 * into cells of its own, added up exactly at the end (as --merge does). */
static void read_all(struct agg *a)
{
	struct level *detail = &a->t.levels[a->t.ngroups];
	size_t n = tsv_range_threads(&a->r);
	struct part *parts = xmalloc_lines(n * sizeof *parts);
	/* the first thread adds into the table itself, the others into
	 * tables of their own (own[i], i >= 1) */
	struct level *own = xmalloc(n * sizeof *own);
	memset(own, 0, n * sizeof *own);
	for (size_t i = 0; i < n; i++) {
		parts[i] = (struct part){ a, i ? &own[i] : detail, { 0 } };
		buf_grow(&parts[i].key, 64); /* never NULL, even for an empty key */
	}
	if (n == 1)
		read_responses(&parts[0], &a->r, &out);
	else
		tsv_ranges(&a->r, n, read_responses, parts, sizeof *parts);
	for (size_t i = 1; i < n; i++) {
		const struct hash *h = &own[i].keys;
		for (size_t id = 0; id < h->count; id++) {
			struct cell *c = intern(detail, h->keys[id], h->lens[id]);
			if (!cell_merge(c, &own[i].cells[id]))
				die(EX_DATA_, "counts too large to add up");
			nps_counts_free(&own[i].cells[id].c);
		}
		free(own[i].cells);
		hash_free(&own[i].keys);
	}
	for (size_t i = 0; i < n; i++)
		buf_free(&parts[i].key);
	free(parts);
	free(own);
}

/* Every row of every level, sorted (cmp_rows), then written. */
static void write_table(const struct agg *a)
{
	const struct table *t = &a->t;
	size_t n = 0;
	for (size_t l = 0; l <= t->ngroups; l++)
		n += t->levels[l].keys.count;
	struct row_ref *order = xmalloc(n * sizeof *order);
	n = 0;
	for (uint32_t l = 0; l <= t->ngroups; l++)
		for (uint32_t id = 0; id < t->levels[l].keys.count; id++)
			order[n++] = (struct row_ref){ l, id };
	sort_stable(order, n, sizeof *order, cmp_rows, t);

	double z = nps_z_of_confidence(a->o.confidence);
	write_header(&a->o, t, a->weighted);
	for (size_t i = 0; i < n; i++) {
		const struct nps_counts *c = &t->levels[order[i].level].cells[order[i].id].c;
		if (a->o.drop_small && c->n[0] + c->n[1] + c->n[2] < a->o.min_n)
			continue;
		write_row(&a->o, t, order[i], a->weighted, z);
	}
	free(order);
}

int main(int argc, char **argv)
{
	struct agg a = { 0 };
	prog_init(argv[0]);
	parse_options(argc, argv, &a.o);
	tsv_open_header(&a.r, &a.o.given, argc - optind, argv + optind);
	find_columns(&a);
	struct table *t = &a.t;
	check_group_names(&a.o, t);
	if (a.o.rejects)
		tsv_rejects_open(&a.r, a.o.rejects);
	buf_grow(&a.key, 64); /* never NULL, even for an empty key */

	if (a.o.merge)
		read_merges(&a);
	else
		read_all(&a);

	/* The whole input's span: from its detail rows' dates. */
	const struct level *detail = &t->levels[t->ngroups];
	for (size_t id = 0; t->has_period && id < detail->keys.count; id++)
		span_add(&t->first, &t->last, detail->cells[id].first,
			 detail->cells[id].last);
	if (a.o.rollup)
		add_rollups(t);
	write_table(&a);
	writer_close(&out);
	tsv_close(&a.r);
	free(a.group_cols);
	free((char *)a.value_name);
	for (size_t l = 0; l <= t->ngroups; l++) {
		for (size_t id = 0; id < t->levels[l].keys.count; id++)
			nps_counts_free(&t->levels[l].cells[id].c);
		free(t->levels[l].cells);
		hash_free(&t->levels[l].keys);
	}
	free(t->levels);
	buf_free(&a.key);
	return 0;
}

/* nps-agg: NPS per group and period, with standard errors, intervals,
 * roll-ups, and partial results that merge exactly (--merge). */
#include <getopt.h>
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

/* The aggregates of one level: the detail (all group columns) or a
 * roll-up (the first `level` of them). A key is the level's group fields
 * joined by TAB, then the period key's bytes when there are periods. */
struct level {
	struct hash keys;
	struct nps_counts *counts; /* by hash id */
	size_t cap;
};

struct table {
	struct level *levels; /* [0, ngroups): roll-ups; [ngroups]: detail */
	size_t ngroups;
	int has_period;
	enum period_kind kind;
};

struct row_ref {
	uint32_t level, id;
};

static inline struct nps_counts *intern(struct level *lv, const char *key,
					 size_t n)
{
	int added;
	size_t id = hash_intern(&lv->keys, key, n, &added);
	if (id >= lv->cap) {
		size_t cap = lv->cap ? lv->cap * 2 : 1024;
		lv->counts = xrealloc(lv->counts, cap * sizeof *lv->counts);
		memset(lv->counts + lv->cap, 0, (cap - lv->cap) * sizeof *lv->counts);
		lv->cap = cap;
	}
	return &lv->counts[id];
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

static const struct table *sort_table;

/* Column by column; a rolled-up column ("*") sorts before any value, so
 * each subtotal comes just before the rows it sums. Then time order. */
static int cmp_rows(const void *pa, const void *pb)
{
	const struct table *t = sort_table;
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
			struct nps_counts *sub = intern(&t->levels[level], key.p, key.len);
			if (!nps_merge(sub, &detail->counts[id]))
				die(EX_DATA_, "counts too large to add up");
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
		case 'D': o->drop_small = 1; break;
		case 'M': o->merge = 1; break;
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
		"weight_sum", "n_eff", "w_promoters", "w_passives", "w_detractors",
		"w2_promoters", "w2_passives", "w2_detractors", "low_n", "period",
	};
	size_t n = sizeof added / sizeof *added; /* "period" last */
	const char *p = o->group;
	for (size_t g = 0; g < t->ngroups; g++) {
		size_t len = strcspn(p, ",");
		for (size_t k = 0; k < n; k++)
			if (strlen(added[k]) == len && memcmp(p, added[k], len) == 0 &&
			    (k + 1 < n || t->has_period))
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
		"\tpct_detractors\tnps\tse\tci_low\tci_high");
	if (weighted)
		out_str("\tweight_sum\tn_eff\tw_promoters\tw_passives\tw_detractors"
			"\tw2_promoters\tw2_passives\tw2_detractors");
	if (o->has_min_n && !o->drop_small)
		out_str("\tlow_n");
	out_char('\n');
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
	const struct nps_counts *c = &t->levels[ref.level].counts[ref.id];
	struct nps_stats st;
	nps_compute(c, weighted, o->interval, z, &st);
	nps_write_counts(&out, c);
	double figures[] = { 100 * st.share[PROMOTER], 100 * st.share[PASSIVE],
			     100 * st.share[DETRACTOR], st.nps, st.se,
			     st.ci_low, st.ci_high };
	for (size_t k = 0; k < sizeof figures / sizeof *figures; k++) {
		out_char('\t');
		writer_fixed(&out, figures[k], o->precision);
	}
	if (weighted) {
		out_char('\t');
		nps_write_weight_sum(&out, c, o->precision);
		out_char('\t');
		writer_fixed(&out, st.n_eff, o->precision);
		out_char('\t');
		nps_write_weight_sums(&out, c);
	}
	if (o->has_min_n && !o->drop_small)
		out_str(st.n < o->min_n ? "\t1" : "\t0");
	out_char('\n');
}

int main(int argc, char **argv)
{
	struct options o;
	prog_init(argv[0]);
	parse_options(argc, argv, &o);

	struct tsv_reader r;
	tsv_open_header(&r, &o.given, argc - optind, argv + optind);
	struct table t = { 0 };
	size_t *group_cols;
	t.ngroups = tsv_cols(&r, o.group, &group_cols);
	t.levels = xmalloc((t.ngroups + 1) * sizeof *t.levels);
	memset(t.levels, 0, (t.ngroups + 1) * sizeof *t.levels);
	struct level *detail = &t.levels[t.ngroups];
	/* Group columns side by side in the input, in order, are their own
	 * key: no copy is needed when there are no periods either. */
	int key_in_place = t.ngroups > 0;
	for (size_t g = 1; g < t.ngroups; g++)
		key_in_place &= group_cols[g] == group_cols[g - 1] + 1;

	long time_col = -1, period_col = -1, weight_col = -1;
	int use_segment = 0, weighted = 0;
	size_t value_col = 0;
	struct nps_count_cols cc;
	if (o.merge) {
		if (r.has_header) {
			nps_count_cols_find(&r, &cc);
			weighted = cc.weighted;
			period_col = tsv_col_find(&r, "period");
		}
		t.has_period = period_col >= 0;
	} else {
		if (o.time)
			time_col = (long)tsv_col(&r, o.time);
		if (o.weight)
			weight_col = (long)tsv_col(&r, o.weight);
		weighted = o.weight != NULL;
		use_segment = !o.score && tsv_col_find(&r, "segment") >= 0;
		value_col = tsv_col(&r, use_segment ? "segment" : o.score ? o.score : "score");
		t.has_period = o.time != NULL;
	}
	t.kind = o.period;
	check_group_names(&o, &t);
	int kind_known = !o.merge || o.has_period_kind;
	if (o.rejects)
		tsv_rejects_open(&r, o.rejects);

	struct buf key = { 0 };
	buf_grow(&key, 64); /* never NULL, even for an empty key */
	const char *score_name = o.score ? o.score : "score";
	enum period_kind input_kind = PERIOD_MONTH;
	int input_kind_known = 0;
	struct nps_counts row = { { 0 }, NULL }; /* --merge: the row's counts */
	while (tsv_next(&r)) {
		nps_counts_free(&row); /* the last row's weight sums, if any */
		if (!tsv_check_width(&r))
			continue;
		enum segment seg = DETRACTOR;
		struct decimal weight = { 0, 0 };
		long period = 0;
		if (o.merge) {
			if (!nps_counts_read(&r, &cc, &row))
				continue;
			/* No responses: a single pass never writes such a row,
			 * so the merge must not either. */
			if (row.n[0] + row.n[1] + row.n[2] == 0)
				continue;
		} else if (use_segment) {
			int s = nps_segment_parse(r.fields[value_col]);
			if (s < 0) {
				tsv_reject(&r, "segment must be promoter, passive or detractor (%s)",
					   tsv_quote(r.fields[value_col]));
				continue;
			}
			seg = (enum segment)s;
		} else {
			int score = nps_score(r.fields[value_col]);
			if (score < 0) {
				tsv_reject(&r, "%s must be an integer 0..10 (%s)", score_name,
					   tsv_quote(r.fields[value_col]));
				continue;
			}
			seg = nps_segment_of(score);
		}
		if (time_col >= 0) {
			struct when w;
			if (!date_parse(r.fields[time_col], &w)) {
				tsv_reject(&r, "%s must be " DATE_EXPECTED " (%s)",
					   o.time, tsv_quote(r.fields[time_col]));
				continue;
			}
			period = period_of_when(t.kind, &w);
		} else if (period_col >= 0) {
			enum period_kind kind;
			struct slice f = r.fields[period_col];
			if (!period_parse(f, &kind, &period)) {
				tsv_reject(&r, "period must be " PERIOD_EXPECTED " (%s)",
					   tsv_quote(f));
				continue;
			}
			if (input_kind_known && kind != input_kind) {
				tsv_reject(&r, "period %s is not of the same kind as the periods before it",
					   tsv_quote(f));
				continue;
			}
			input_kind = kind;
			input_kind_known = 1;
			if (!kind_known)
				t.kind = kind;
			else if (!nests(kind, t.kind))
				tsv_die(&r, EX_USAGE_, "cannot merge %s periods into %s periods (%s)",
					period_kind_name(kind), period_kind_name(t.kind), tsv_quote(f));
			else
				period = period_of_days(t.kind, period_first_day(kind, period));
		}
		if (weight_col >= 0 && !nps_weight(r.fields[weight_col], &weight)) {
			tsv_reject(&r, "%s must be 0 or a number from 1e-400 to below 1e308 (%s)",
				   o.weight, tsv_quote(r.fields[weight_col]));
			continue;
		}

		struct nps_counts *c;
		struct slice span = { "", 0 };
		if (key_in_place) {
			struct slice first = r.fields[group_cols[0]];
			struct slice last = r.fields[group_cols[t.ngroups - 1]];
			span.p = first.p;
			span.n = (size_t)(last.p + last.n - first.p);
		}
		if (key_in_place && !t.has_period) {
			c = intern(detail, span.p, span.n);
		} else {
			key.len = 0;
			if (key_in_place) {
				buf_add(&key, span.p, span.n);
			} else {
				for (size_t g = 0; g < t.ngroups; g++) {
					if (g)
						buf_addc(&key, '\t');
					buf_add(&key, r.fields[group_cols[g]].p,
						r.fields[group_cols[g]].n);
				}
			}
			if (t.has_period) {
				buf_grow(&key, sizeof period);
				memcpy(key.p + key.len, &period, sizeof period);
				key.len += sizeof period;
			}
			c = intern(detail, key.p, key.len);
		}
		if (o.merge) {
			if (!nps_merge(c, &row))
				tsv_die(&r, EX_DATA_, "counts too large to add up");
		} else if (weighted) {
			nps_add(c, seg, weight);
		} else {
			c->n[seg]++;
		}
	}

	nps_counts_free(&row);
	if (o.rollup)
		add_rollups(&t);
	size_t n = 0;
	for (size_t l = 0; l <= t.ngroups; l++)
		n += t.levels[l].keys.count;
	struct row_ref *order = xmalloc(n * sizeof *order);
	n = 0;
	for (uint32_t l = 0; l <= t.ngroups; l++)
		for (uint32_t id = 0; id < t.levels[l].keys.count; id++)
			order[n++] = (struct row_ref){ l, id };
	sort_table = &t;
	qsort(order, n, sizeof *order, cmp_rows);

	double z = nps_z_of_confidence(o.confidence);
	write_header(&o, &t, weighted);
	for (size_t i = 0; i < n; i++) {
		const struct nps_counts *c = &t.levels[order[i].level].counts[order[i].id];
		if (o.drop_small && c->n[0] + c->n[1] + c->n[2] < o.min_n)
			continue;
		write_row(&o, &t, order[i], weighted, z);
	}
	writer_close(&out);
	tsv_close(&r);
	free(order);
	free(group_cols);
	for (size_t l = 0; l <= t.ngroups; l++) {
		for (size_t id = 0; id < t.levels[l].keys.count; id++)
			nps_counts_free(&t.levels[l].counts[id]);
		free(t.levels[l].counts);
		hash_free(&t.levels[l].keys);
	}
	free(t.levels);
	buf_free(&key);
	return 0;
}

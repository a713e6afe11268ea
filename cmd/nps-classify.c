/* nps-classify: validate the score of each response (of each question,
 * with -s q1,q2) and append its segment (promoter | passive | detractor,
 * or unanswered for an empty score) and nps_points (100 | 0 | -100, empty
 * when unanswered). -u drops repeated respondents, keeping the first, the
 * last, the earliest or the latest row of each. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "hash.h"
#include "nps.h"
#include "out.h"
#include "tsv.h"
#include "util.h"
#include "version.h"

static void usage(void)
{
	printf("Usage: nps-classify [options] [file ...]\n"
	       "Append segment and nps_points to each response.\n\n"
	       "  -s, --score COLS        score column(s), comma-separated (default: score);\n"
	       "                          several: COL_segment COL_nps_points for each\n"
	       "      --unanswered WHAT   keep (default: segment unanswered) or reject an\n"
	       "                          empty score\n"
	       "  -u, --unique COLS       one row per value of these columns together\n"
	       "      --keep WHICH        first (default), last, earliest or latest row of each\n"
	       "  -t, --time COL          the time that earliest and latest compare\n"
	       "      --rejects FILE      write bad rows and duplicates to FILE instead of stopping\n"
	       TSV_HEADER_USAGE
	       "  -h, --help              show this help\n"
	       "      --version           show the version\n");
}

/* The segment of one answer: the three of enum segment, or none. */
enum { UNANSWERED = 3 };

enum keep { KEEP_FIRST, KEEP_LAST, KEEP_EARLIEST, KEEP_LATEST };

struct options {
	const char *score, *unique, *time, *rejects;
	enum keep keep;
	int reject_unanswered;
	struct tsv_header given; /* --columns, --header-from */
};

/* A row held to the end (--keep last, earliest, latest): one per key, and
 * one per row whose key is empty. */
struct held {
	struct buf line;  /* the output line: the input row, the suffixes, LF */
	size_t row_len;   /* the input row's length at the start of line */
	unsigned long seq; /* its position in the input: the output order */
	long long time;   /* seconds, for earliest and latest */
};

struct classify {
	struct options o;
	struct tsv_reader r;
	size_t *questions, nquestions;
	struct slice *names; /* of the questions, in -s */
	unsigned char *segs; /* the current row's segment, per question */
	size_t *unique_cols, nunique;
	long time_col;
	struct hash seen;    /* the keys met, -u */
	struct buf key, reason;
	unsigned long duplicates;
	struct held *held;   /* --keep other than first */
	size_t nheld, held_cap;
	size_t *held_of_key; /* by key id: index into held */
	size_t key_cap;
};

/* Each answer's suffix, by segment, and the same ending the line: the
last question's is written with the line end in one copy. */
static const struct slice suffix[4] = {
	{ "\tdetractor\t-100", 15 },
	{ "\tpassive\t0", 10 },
	{ "\tpromoter\t100", 13 },
	{ "\tunanswered\t", 12 },
};
static const struct slice suffix_nl[4] = {
	{ "\tdetractor\t-100\n", 16 },
	{ "\tpassive\t0\n", 11 },
	{ "\tpromoter\t100\n", 14 },
	{ "\tunanswered\t\n", 13 },
};

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option options[] = {
		{ "score", required_argument, NULL, 's' },
		{ "unanswered", required_argument, NULL, 'A' },
		{ "unique", required_argument, NULL, 'u' },
		{ "keep", required_argument, NULL, 'K' },
		{ "time", required_argument, NULL, 't' },
		{ "rejects", required_argument, NULL, 'R' },
		TSV_HEADER_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	static const char *const keeps[] = { "first", "last", "earliest", "latest" };
	int c, has_keep = 0;
	memset(o, 0, sizeof *o);
	o->score = "score";
	while ((c = getopt_long(argc, argv, "s:u:t:h", options, NULL)) != -1) {
		switch (c) {
		case 's': o->score = optarg; break;
		case 'A':
			if (strcmp(optarg, "keep") && strcmp(optarg, "reject"))
				die_usage("--unanswered must be keep or reject (\"%s\")", optarg);
			o->reject_unanswered = strcmp(optarg, "reject") == 0;
			break;
		case 'u': o->unique = optarg; break;
		case 'K':
			for (o->keep = 0; o->keep < 4; o->keep++)
				if (strcmp(optarg, keeps[o->keep]) == 0)
					break;
			if (o->keep == 4)
				die_usage("--keep must be first, last, earliest or latest (\"%s\")", optarg);
			has_keep = 1;
			break;
		case 't': o->time = optarg; break;
		case 'R': o->rejects = optarg; break;
		case TSV_OPT_COLUMNS: case TSV_OPT_HEADER_FROM: tsv_header_option(&o->given, c, optarg); break;
		case 'h': usage(); exit_printed();
		case 'V': printf("nps-classify %s\n", NPSKIT_VERSION); exit_printed();
		default: die_option(argv, "s:u:t:h");
		}
	}
	if (has_keep && !o->unique)
		die_usage("--keep needs -u/--unique");
	int timed = o->keep == KEEP_EARLIEST || o->keep == KEEP_LATEST;
	if (timed && !o->time)
		die_usage("--keep %s needs -t/--time", keeps[o->keep]);
	if (!timed && o->time)
		die_usage("-t/--time is for --keep earliest or latest");
}

/* A column list may not name a column twice. */
static void check_list(const char *opt, const char *list)
{
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		for (const char *q = p + len; *q == ',';) {
			q++;
			size_t l2 = strcspn(q, ",");
			if (l2 == len && memcmp(p, q, len) == 0)
				die_usage("%s names %.*s twice", opt, (int)len, p);
			q += l2;
		}
		p += len + (p[len] == ',');
	}
}

/* Writes the output header, or dies if a column it adds is in the input. */
static void write_header(struct classify *k)
{
	struct buf names = { 0 };
	if (k->nquestions == 1) {
		buf_add(&names, "\tsegment\tnps_points", 19);
	} else {
		for (size_t q = 0; q < k->nquestions; q++) {
			for (int pass = 0; pass < 2; pass++) {
				buf_addc(&names, '\t');
				buf_add(&names, k->names[q].p, k->names[q].n);
				buf_add(&names, pass ? "_nps_points" : "_segment",
					pass ? 11 : 8);
			}
		}
	}
	buf_addc(&names, '\t');
	for (size_t i = 1; i < names.len;) {
		size_t len = (size_t)((char *)memchr(names.p + i, '\t', names.len - i) -
				      (names.p + i));
		char *name = xstrndup(names.p + i, len);
		if (tsv_col_find(&k->r, name) >= 0)
			die_usage("the input has a column %s already: nps-classify adds it", name);
		free(name);
		i += len + 1;
	}
	tsv_write_header(&k->r, &out);
	out_write(names.p, names.len - 1);
	out_char('\n');
	buf_free(&names);
}

/* Fills segs from the current row; 0 if the row is bad (rejected). */
static inline int classify_row(const struct classify *k, struct tsv_reader *r,
			       unsigned char *segs)
{
	if (!tsv_check_width(r))
		return 0;
	for (size_t q = 0; q < k->nquestions; q++) {
		struct slice field = r->fields[k->questions[q]];
		int score = nps_score(field);
		if (score >= 0) {
			segs[q] = (unsigned char)nps_segment_of(score);
		} else if (field.n == 0 && !k->o.reject_unanswered) {
			segs[q] = UNANSWERED;
		} else {
			struct slice name = k->names[q];
			tsv_reject(r, "%.*s must be an integer 0..10 (%s)", (int)name.n,
				   name.p, tsv_quote(field));
			return 0;
		}
	}
	return 1;
}

static inline void write_suffixes(const struct classify *k,
				  const unsigned char *segs, struct writer *w)
{
	size_t last = k->nquestions - 1;
	for (size_t q = 0; q < last; q++)
		writer_write(w, suffix[segs[q]].p, suffix[segs[q]].n);
	writer_write(w, suffix_nl[segs[last]].p, suffix_nl[segs[last]].n);
}

/* The current row's key into k->key; 0 when every key field is empty: a
 * row that names no respondent is nobody's duplicate. */
static int row_key(struct classify *k)
{
	size_t filled = 0;
	k->key.len = 0;
	for (size_t u = 0; u < k->nunique; u++) {
		struct slice f = k->r.fields[k->unique_cols[u]];
		if (u)
			buf_addc(&k->key, '\t');
		buf_add(&k->key, f.p, f.n);
		filled += f.n;
	}
	return filled > 0;
}

/* A removed duplicate goes to the rejects file, if any, and is counted. */
static void drop_duplicate(struct classify *k, struct slice row)
{
	k->duplicates++;
	if (!k->r.rejecting)
		return;
	struct buf *b = &k->reason;
	b->len = 0;
	buf_add(b, "duplicate ", 10);
	buf_add(b, k->o.unique, strlen(k->o.unique));
	buf_add(b, " (", 2);
	for (size_t u = 0; u < k->nunique; u++) {
		const char *q = tsv_quote(k->r.fields[k->unique_cols[u]]);
		if (u)
			buf_add(b, ", ", 2);
		buf_add(b, q, strlen(q));
	}
	buf_addc(b, ')');
	struct writer *w = &k->r.rejects;
	writer_write(w, row.p, row.n);
	writer_char(w, '\t');
	writer_write(w, b->p, b->len);
	writer_char(w, '\n');
}

/* What a thread classifies with: the program's state, shared and read
 * only when rows are read on ranges (no -u), and the row's segments. */
struct lane {
	OWN_LINES struct classify *k;
	unsigned char *segs;
};

/* No -u, or --keep first: each row is written or dropped as it comes (a
 * tsv_rows_fn: on all the input, or without -u on ranges of it). */
static void run_stream(void *state, struct tsv_reader *r, struct writer *w)
{
	struct lane *l = state;
	struct classify *k = l->k;
	while (tsv_next(r)) {
		if (!classify_row(k, r, l->segs))
			continue;
		if (k->nunique && row_key(k)) {
			int added;
			hash_intern(&k->seen, k->key.p, k->key.len, &added);
			if (!added) {
				drop_duplicate(k, r->row);
				continue;
			}
		}
		writer_write(w, r->row.p, r->row.n);
		write_suffixes(k, l->segs, w);
	}
}

/* Without -u the rows are independent: read on ranges on every thread. */
static void run_lanes(struct classify *k)
{
	size_t n = k->nunique ? 1 : tsv_range_threads(&k->r);
	struct lane *lanes = xmalloc_lines(n * sizeof *lanes);
	for (size_t i = 0; i < n; i++)
		lanes[i] = (struct lane){ k, xmalloc_lines(k->nquestions) };
	if (n == 1)
		run_stream(&lanes[0], &k->r, &out);
	else
		tsv_ranges(&k->r, n, run_stream, lanes, sizeof *lanes);
	for (size_t i = 0; i < n; i++)
		free(lanes[i].segs);
	free(lanes);
}

/* Copies the current row and its suffixes into h. */
static void hold(struct classify *k, struct held *h, unsigned long seq,
		 long long time)
{
	h->line.len = 0;
	buf_add(&h->line, k->r.row.p, k->r.row.n);
	h->row_len = k->r.row.n;
	size_t last = k->nquestions - 1;
	for (size_t q = 0; q < last; q++)
		buf_add(&h->line, suffix[k->segs[q]].p, suffix[k->segs[q]].n);
	buf_add(&h->line, suffix_nl[k->segs[last]].p, suffix_nl[k->segs[last]].n);
	h->seq = seq;
	h->time = time;
}

static struct held *new_held(struct classify *k)
{
	k->held = array_grow(k->held, &k->held_cap, k->nheld + 1, sizeof *k->held);
	struct held *h = &k->held[k->nheld++];
	memset(h, 0, sizeof *h);
	return h;
}

static int by_seq(const void *a, const void *b)
{
	unsigned long x = ((const struct held *)a)->seq;
	unsigned long y = ((const struct held *)b)->seq;
	return x < y ? -1 : x > y;
}

/* --keep last, earliest or latest: one row per key is held, replaced as
 * a better one comes; all are written at the end, in input order. */
static void run_held(struct classify *k)
{
	struct tsv_reader *r = &k->r;
	unsigned long seq = 0;
	while (tsv_next(r)) {
		if (!classify_row(k, r, k->segs))
			continue;
		long long time = 0;
		if (k->time_col >= 0) {
			struct when w;
			if (!date_parse(r->fields[k->time_col], &w)) {
				tsv_reject(r, "%s must be " DATE_EXPECTED " (%s)",
					   k->o.time, tsv_quote(r->fields[k->time_col]));
				continue;
			}
			time = w.utc;
		}
		seq++;
		if (!row_key(k)) {
			hold(k, new_held(k), seq, time);
			continue;
		}
		int added;
		size_t id = hash_intern(&k->seen, k->key.p, k->key.len, &added);
		if (added) {
			k->held_of_key = array_grow(k->held_of_key, &k->key_cap, id + 1,
						    sizeof *k->held_of_key);
			k->held_of_key[id] = k->nheld;
			hold(k, new_held(k), seq, time);
			continue;
		}
		struct held *h = &k->held[k->held_of_key[id]];
		/* Ties keep file order: the earlier row for earliest, the
		 * later one for latest. */
		int better = k->o.keep == KEEP_LAST ||
			     (k->o.keep == KEEP_EARLIEST && time < h->time) ||
			     (k->o.keep == KEEP_LATEST && time >= h->time);
		if (!better) {
			drop_duplicate(k, r->row);
			continue;
		}
		struct slice old = { h->line.p, h->row_len };
		drop_duplicate(k, old);
		hold(k, h, seq, time);
	}
	if (k->nheld) /* qsort of NULL is undefined, even of nothing */
		qsort(k->held, k->nheld, sizeof *k->held, by_seq);
	for (size_t i = 0; i < k->nheld; i++) {
		out_write(k->held[i].line.p, k->held[i].line.len);
		buf_free(&k->held[i].line);
	}
}

/* The questions (-s), the respondent key (-u) and the time (-t), by
 * column; then the rejects file and the header. */
static void find_columns(struct classify *k)
{
	struct tsv_reader *r = &k->r;
	check_list("-s", k->o.score);
	k->nquestions = tsv_cols(r, k->o.score, &k->questions);
	if (k->nquestions == 0)
		die_usage("-s names no column");
	k->segs = xmalloc(k->nquestions);
	k->names = xmalloc(k->nquestions * sizeof *k->names);
	for (size_t q = 0, at = 0; q < k->nquestions; q++) {
		k->names[q].p = k->o.score + at;
		k->names[q].n = strcspn(k->names[q].p, ",");
		at += k->names[q].n + 1;
	}
	if (k->o.unique) {
		check_list("-u", k->o.unique);
		k->nunique = tsv_cols(r, k->o.unique, &k->unique_cols);
		if (k->nunique == 0)
			die_usage("-u names no column");
	}
	k->time_col = k->o.time ? (long)tsv_col(r, k->o.time) : -1;
	if (k->o.rejects)
		tsv_rejects_open(r, k->o.rejects);
	if (r->has_header)
		write_header(k);
}

/* The output closed, the duplicates counted on stderr, everything freed. */
static void finish(struct classify *k)
{
	writer_close(&out);
	if (k->duplicates)
		say("%lu duplicate%s (-u %s) %s%s", k->duplicates,
		    k->duplicates == 1 ? "" : "s", k->o.unique,
		    k->r.rejecting ? "written to " : "removed",
		    k->r.rejecting ? k->r.rejects.name : "");
	tsv_close(&k->r);
	hash_free(&k->seen);
	buf_free(&k->key);
	buf_free(&k->reason);
	free(k->held);
	free(k->held_of_key);
	free(k->questions);
	free(k->unique_cols);
	free(k->segs);
	free(k->names);
}

int main(int argc, char **argv)
{
	struct classify k = { 0 };
	prog_init(argv[0]);
	parse_options(argc, argv, &k.o);
	tsv_open_header(&k.r, &k.o.given, argc - optind, argv + optind);
	find_columns(&k);
	if (k.o.keep == KEEP_FIRST)
		run_lanes(&k);
	else
		run_held(&k);
	finish(&k);
	return 0;
}

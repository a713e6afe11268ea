/* nps-import: a survey export (CSV as the tools write it, in UTF-8,
 * UTF-16, Latin-1, cp1252 or whatever iconv reads) into the TSV of
 * npskit(7): columns renamed and chosen, dates rewritten as ISO 8601 with
 * their offset, missing values made empty. Streams in constant memory.
 * Here: the options, the header's columns, each row checked, rewritten and
 * written or rejected; cmd/nps-import/ decodes the input (decode.c), splits
 * its records (csv.c) and reads dates (when.c). */
#include <getopt.h>
#include <iconv.h>
#include <limits.h>
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "buf.h"
#include "date.h"
#include "nps-import/import.h"
#include "num.h"
#include "out.h"
#include "util.h"
#include "version.h"

struct import {
	/* options */
	const char *encoding;
	char **renames;
	size_t nrenames;
	const char *keep, *drop;
	char **dates;       /* COL=FORMAT, as given */
	size_t ndates;
	const char *tz;
	struct slice na[16];
	size_t nna;
	const char *rejects_path;

	struct source src;
	struct csv csv;     /* the separator (0: detected), --na, the header */

	/* the columns, from the first input's header */
	struct buf header;  /* the names as read (escaped), TAB after each */
	size_t *header_at;  /* input name i: header[header_at[i], [i + 1] - 1) */
	size_t ncols;
	const char *header_file;
	struct buf names;   /* the output names, TAB after each */
	size_t *name_at;    /* output name j: names[name_at[j], name_at[j + 1] - 1) */
	size_t *order;      /* output column j is input column order[j] */
	size_t nout;
	int identity;       /* every column, in input order */
	char ***formats;    /* per input column: its --date formats, or NULL */
	int any_date;

	/* bad rows */
	struct writer rejects;
	int rejecting;
	unsigned long nrejected;
};

/* ---- columns ---- */

/* "a\tb\t" style lists: the i-th entry of a TAB-terminated list. */
static struct slice entry(const struct buf *b, const size_t *at, size_t i)
{
	return (struct slice){ b->p + at[i], at[i + 1] - at[i] - 1 };
}

static _Noreturn void die_columns(const struct import *im, const char *fmt,
				  const char *what)
{
	struct buf list = { 0 };
	for (size_t i = 0; i < im->nout; i++) {
		if (i)
			buf_add(&list, ", ", 2);
		struct slice s = entry(&im->names, im->name_at, i);
		buf_add(&list, s.p, s.n);
	}
	die_usage(fmt, what, im->header_file, buf_cstr(&list));
}

/* The output column named name (n bytes); -1 if none. */
static long out_col(const struct import *im, const char *name, size_t n)
{
	for (size_t j = 0; j < im->nout; j++) {
		struct slice s = entry(&im->names, im->name_at, j);
		if (s.n == n && memcmp(s.p, name, n) == 0)
			return (long)j;
	}
	return -1;
}

/* Applies one -r OLD=NEW to every name: OLD as /REGEX/, PREFIX* or the
 * exact name. A rule that matches no column is a usage error. */
static void rename_columns(char **name, size_t n,
			   const char *rule)
{
	const char *eq = strchr(rule, '=');
	if (!eq || eq == rule)
		die_usage("-r %s: expected OLD=NEW", rule);
	size_t oldn = (size_t)(eq - rule);
	const char *new = eq + 1;
	int regex = oldn >= 2 && rule[0] == '/' && rule[oldn - 1] == '/';
	int prefix = !regex && rule[oldn - 1] == '*';
	regex_t re;
	if (regex) {
		char *pat = xstrndup(rule + 1, oldn - 2);
		int err = regcomp(&re, pat, REG_EXTENDED);
		free(pat);
		if (err) {
			char msg[200];
			regerror(err, &re, msg, sizeof msg);
			regfree(&re);
			die_usage("-r %s: %s", rule, msg);
		}
	}
	size_t matched = 0;
	for (size_t i = 0; i < n; i++) {
		regmatch_t m[10];
		int hit;
		if (regex)
			hit = regexec(&re, name[i], 10, m, 0) == 0;
		else if (prefix)
			hit = strncmp(name[i], rule, oldn - 1) == 0;
		else
			hit = strlen(name[i]) == oldn && memcmp(name[i], rule, oldn) == 0;
		if (!hit)
			continue;
		matched++;
		struct buf b = { 0 };
		for (const char *q = new; *q; q++) {
			if (regex && q[0] == '\\' && q[1] >= '0' && q[1] <= '9') {
				regmatch_t g = m[q[1] - '0'];
				if (g.rm_so >= 0)
					buf_add(&b, name[i] + g.rm_so, (size_t)(g.rm_eo - g.rm_so));
				q++;
			} else {
				buf_addc(&b, *q);
			}
		}
		free(name[i]);
		name[i] = buf_cstr(&b);
	}
	if (regex)
		regfree(&re);
	if (!matched) {
		struct buf list = { 0 };
		for (size_t i = 0; i < n; i++) {
			if (i)
				buf_add(&list, ", ", 2);
			buf_add(&list, name[i], strlen(name[i]));
		}
		for (size_t i = 0; i < n; i++)
			free(name[i]);
		free(name);
		die_usage("-r %s: no column matches (columns: %s)", rule, buf_cstr(&list));
	}
}

/* The first input's header: names, renames, the columns kept and in
 * which order, the date columns. */
static void setup_columns(struct import *im, const struct record *r)
{
	size_t n = r->nfields;
	im->ncols = n;
	buf_add(&im->header, im->csv.row.p, im->csv.row.len);
	im->header_at = xmalloc((n + 1) * sizeof *im->header_at);
	memcpy(im->header_at, im->csv.field, (n + 1) * sizeof *im->header_at);
	char **name = xmalloc(n * sizeof *name);
	for (size_t i = 0; i < n; i++)
		name[i] = xstrndup(im->csv.row.p + im->csv.field[i],
				   im->csv.field[i + 1] - im->csv.field[i] - 1);
	for (size_t k = 0; k < im->nrenames; k++)
		rename_columns(name, n, im->renames[k]);
	/* every column, for now: --keep and --drop name output names */
	im->name_at = xmalloc((n + 1) * sizeof *im->name_at);
	im->order = xmalloc(n * sizeof *im->order);
	for (size_t i = 0; i < n; i++) {
		im->name_at[i] = im->names.len;
		buf_add(&im->names, name[i], strlen(name[i]));
		buf_addc(&im->names, '\t');
		im->order[i] = i;
		free(name[i]);
	}
	free(name);
	im->name_at[n] = im->names.len;
	im->nout = n;
	for (size_t j = 0; j < n; j++) {
		struct slice s = entry(&im->names, im->name_at, j);
		long k = out_col(im, s.p, s.n);
		if (k != (long)j && im->nrenames) {
			char *dup = xstrndup(s.p, s.n);
			die_usage("-r: two columns would be named \"%s\"", dup);
		}
	}
	const char *list = im->keep ? im->keep : im->drop;
	if (list) {
		char *drop = xmalloc(n);
		memset(drop, im->keep != NULL, n);
		size_t *keep_order = xmalloc((strlen(list) + 1) * sizeof *keep_order);
		size_t nkeep = 0;
		for (const char *p = list;;) {
			const char *comma = strchr(p, ',');
			size_t len = comma ? (size_t)(comma - p) : strlen(p);
			long j = out_col(im, p, len);
			if (j < 0) {
				char *what = xstrndup(p, len);
				die_columns(im, "no column \"%s\" in %s (columns: %s)", what);
			}
			drop[j] = im->keep == NULL;
			keep_order[nkeep++] = (size_t)j;
			if (!comma)
				break;
			p = comma + 1;
		}
		struct buf names = { 0 };
		size_t *name_at = xmalloc((n + 1) * sizeof *name_at), nout = 0;
		for (size_t k = 0; k < (im->keep ? nkeep : n); k++) {
			size_t j = im->keep ? keep_order[k] : k;
			if (drop[j])
				continue;
			struct slice s = entry(&im->names, im->name_at, j);
			name_at[nout] = names.len;
			buf_add(&names, s.p, s.n + 1);
			im->order[nout++] = j;
		}
		name_at[nout] = names.len;
		free(drop);
		free(keep_order);
		buf_free(&im->names);
		free(im->name_at);
		im->names = names;
		im->name_at = name_at;
		im->nout = nout;
	}
	if (im->nout == 0)
		die_usage("--drop: no column left to write");
	im->identity = im->nout == n;
	for (size_t j = 0; j < im->nout; j++)
		im->identity &= im->order[j] == j;
	/* --date: each column's formats, in the order given */
	im->formats = xmalloc(n * sizeof *im->formats);
	memset(im->formats, 0, n * sizeof *im->formats);
	for (size_t k = 0; k < im->ndates; k++) {
		const char *eq = strchr(im->dates[k], '=');
		long j = out_col(im, im->dates[k], (size_t)(eq - im->dates[k]));
		if (j < 0) {
			char *what = xstrndup(im->dates[k], (size_t)(eq - im->dates[k]));
			die_columns(im, "--date: no column \"%s\" in %s (columns: %s)", what);
		}
		size_t i = im->order[j], c = 0;
		while (im->formats[i] && im->formats[i][c])
			c++;
		im->formats[i] = xrealloc(im->formats[i], (c + 2) * sizeof **im->formats);
		im->formats[i][c] = (char *)eq + 1;
		im->formats[i][c + 1] = NULL;
		im->any_date = 1;
	}
}

/* ---- rows, in lanes ---- */

/* The records of a block are taken by one lane, or when the machine has a
 * second core, by two: the first from the block's start, the second from
 * the first line start past the middle, in a thread of its own. The first
 * lane stops at the first record that reaches that point; if it ends
 * exactly there, the point was a record's start and both lanes' work
 * stands, else (a quoted line break across it) the second lane's is
 * dropped and its records are taken on the next round. A lane keeps the
 * rows it writes and the bad records it meets, with line numbers counted
 * from its own start, until the main thread writes them in input order. */
struct lane {
	struct csv csv;      /* csv.row: the rows written so far, then the record */
	char (*stamp)[96];   /* per output column: a rewritten date */
	size_t *stamp_len;
	struct tz_cache tzc;
	struct buf scratch;  /* a record to rewrite */
	struct buf bad;      /* bad records: relative line, TAB, the rest of a
			      * rejects line (record TAB reason), newline */
	unsigned long nbad;
	int failed;          /* a bad record without --rejects: the lane stopped */
	unsigned long failed_line;
	char message[640];
	/* the run: records of [from, end) starting before stop */
	struct import *im;
	const char *from, *stop, *end;
	int eof;
	const char *next;    /* where the lane stopped */
	unsigned long lines; /* the physical lines it went through */
};

#define QUOTED_MAX (40 * 4 + 8)

/* A value for a message, into q: at most 40 bytes, quoted, bytes that are
 * not text as \xHH. */
static const char *quote_bytes(struct slice s, char q[QUOTED_MAX])
{
	char *o = q;
	*o++ = '"';
	for (size_t i = 0; i < s.n && i < 40; i++) {
		unsigned char c = (unsigned char)s.p[i];
		size_t ok = c >= 0x80 ? utf8_valid((const unsigned char *)s.p + i, s.n - i) : 1;
		if (c >= 0x80 && ok) { /* a whole valid character */
			size_t k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
			memcpy(o, s.p + i, k);
			o += k;
			i += k - 1;
		} else if (c < 0x20 || c >= 0x7F) {
			o += sprintf(o, "\\x%02X", c);
		} else {
			*o++ = (char)c;
		}
	}
	if (s.n > 40)
		o += sprintf(o, "...");
	*o++ = '"';
	*o = '\0';
	return q;
}

static const char *encoding_name(const struct import *im)
{
	switch (im->src.enc) {
	case ENC_UTF8: return "UTF-8";
	case ENC_LATIN1: return "latin1";
	case ENC_CP1252: return "cp1252";
	case ENC_UTF16LE: return "UTF-16LE";
	case ENC_UTF16BE: return "UTF-16BE";
	default: return im->encoding;
	}
}

/* Appends s with the escapes of npskit(7); for an input not in UTF-8, a
 * unit that could not be decoded as U+FFFD. */
static void add_escaped(struct buf *b, const char *p, size_t n, int decoded)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		switch (c) {
		case '\t': buf_add(b, "\\t", 2); break;
		case '\n': buf_add(b, "\\n", 2); break;
		case '\r': buf_add(b, "\\r", 2); break;
		case '\\': buf_add(b, "\\\\", 2); break;
		default:
			if (c == BAD_UNIT && decoded)
				buf_add(b, "\xEF\xBF\xBD", 3);
			else
				buf_addc(b, (char)c);
		}
	}
}

static void reject(struct lane *ln, unsigned long line, struct slice raw,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The record (at line, counted from the lane's start) is bad: kept for
 * the rejects file, or, without --rejects, the lane stops on it. Its
 * bytes in the lane's rows are dropped. */
static void reject(struct lane *ln, unsigned long line, struct slice raw,
		   const char *fmt, ...)
{
	char reason[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	ln->csv.row.len = ln->csv.rec;
	if (!ln->im->rejecting) {
		ln->failed = 1;
		ln->failed_line = line;
		snprintf(ln->message, sizeof ln->message, "%s", reason);
		return;
	}
	char num[24];
	buf_add(&ln->bad, num, (size_t)snprintf(num, sizeof num, "%lu\t", line));
	add_escaped(&ln->bad, raw.p, raw.n, ln->im->src.enc != ENC_UTF8);
	buf_addc(&ln->bad, '\t');
	add_escaped(&ln->bad, reason, strlen(reason), 0);
	buf_addc(&ln->bad, '\n');
	ln->nbad++;
}

/* Field i of the lane's current record, or of its copy in scratch. */
static struct slice field_in(const struct lane *ln, const char *rec, size_t i)
{
	return (struct slice){ rec + ln->csv.field[i],
			       ln->csv.field[i + 1] - ln->csv.field[i] - 1 };
}

static inline int is_na(const struct import *im, struct slice s)
{
	if (s.n == 0 || s.n > im->csv.na_max || !im->csv.na_first[(unsigned char)s.p[0]])
		return 0;
	for (size_t k = 0; k < im->nna; k++)
		if (im->na[k].n == s.n && memcmp(im->na[k].p, s.p, s.n) == 0)
			return 1;
	return 0;
}

/* Rewrites output column j's value (a date) into the lane's stamp; 0
 * after rejecting the record. */
static int rewrite_date(struct lane *ln, unsigned long line, struct slice raw,
			size_t j, struct slice v)
{
	const struct import *im = ln->im;
	size_t i = im->order[j];
	struct slice t = slice_trim(v);
	struct stamp st;
	char **f = im->formats[i], q[QUOTED_MAX];
	for (; *f; f++)
		if (when_scan(*f, t, &st))
			break;
	if (!*f) {
		struct slice name = entry(&im->names, im->name_at, j);
		reject(ln, line, raw, "%.*s is not a date of the form %s%s (%s)", (int)name.n,
		       name.p, im->formats[i][0], im->formats[i][1] ? " or the others given" : "",
		       quote_bytes(v, q));
		return 0;
	}
	long off = st.zone * 60L;
	int has_offset = st.has_zone;
	if (st.has_time && !st.has_zone && im->tz) {
		long long local = (long long)days_from_civil(st.year, st.month, st.day) * 86400 +
				  st.hour * 3600 + st.min * 60 + st.sec;
		if (!when_tz_offset(&ln->tzc, local, &off)) {
			reject(ln, line, raw, "local time does not exist in %s (%s)", im->tz,
			       quote_bytes(v, q));
			return 0;
		}
		has_offset = 1;
	}
	ln->stamp_len[j] = when_format(&st, has_offset, off, ln->stamp[j]);
	return 1;
}

/* One data record, parsed onto the end of the lane's rows: checked, then
 * left there as it is (a TAB made a newline), rewritten, or dropped. */
static void take_row(struct lane *ln, const struct record *r, unsigned long line,
		     struct slice raw)
{
	const struct import *im = ln->im;
	struct buf *row = &ln->csv.row;
	char q[QUOTED_MAX];
	if (r->fault == FAULT_UNTERMINATED) {
		reject(ln, line, raw, "quoted field not closed before the end of the file");
		return;
	}
	if (r->fault == FAULT_AFTER_QUOTE) {
		reject(ln, line, raw, "text after a closing quote (%s)", quote_bytes(raw, q));
		return;
	}
	if (r->nfields != im->ncols) {
		reject(ln, line, raw, "expected %zu fields, found %zu", im->ncols, r->nfields);
		return;
	}
	const char *rec = row->p + ln->csv.rec;
	if (r->high) {
		for (size_t i = 0; i < r->nfields; i++) {
			struct slice v = field_in(ln, rec, i);
			if (utf8_valid((const unsigned char *)v.p, v.n) == v.n)
				continue;
			struct slice name = entry(&im->header, im->header_at, i);
			if (im->src.enc == ENC_UTF8)
				reject(ln, line, raw, "%.*s is not valid UTF-8 (%s); "
				       "try --encoding latin1 or cp1252", (int)name.n, name.p,
				       quote_bytes(v, q));
			else
				reject(ln, line, raw, "%.*s has bytes not valid in %s (%s)",
				       (int)name.n, name.p, encoding_name(im), quote_bytes(v, q));
			return;
		}
	}
	if (im->identity && !im->any_date) {
		int plain = 1;
		for (size_t i = 0; i < r->nfields && plain && r->maybe_na; i++)
			plain = !is_na(im, field_in(ln, rec, i));
		if (plain) {
			row->p[row->len - 1] = '\n';
			return;
		}
	}
	/* column by column, from a copy: dates first (a bad one rejects the
	 * record before anything is written), missing values emptied */
	for (size_t j = 0; j < im->nout && im->any_date; j++) {
		size_t i = im->order[j];
		struct slice v = field_in(ln, rec, i);
		if (im->formats[i] && v.n && !is_na(im, v) && !rewrite_date(ln, line, raw, j, v))
			return;
	}
	ln->scratch.len = 0;
	buf_add(&ln->scratch, rec, row->len - ln->csv.rec);
	rec = ln->scratch.p;
	row->len = ln->csv.rec;
	for (size_t j = 0; j < im->nout; j++) {
		size_t i = im->order[j];
		struct slice v = field_in(ln, rec, i);
		if (v.n && !is_na(im, v)) {
			if (im->formats[i])
				buf_add(row, ln->stamp[j], ln->stamp_len[j]);
			else
				buf_add(row, v.p, v.n);
		}
		buf_addc(row, j + 1 < im->nout ? '\t' : '\n');
	}
}

/* Takes the records of [from, end) that start before stop. */
static void *lane_run(void *arg)
{
	struct lane *ln = arg;
	const char *p = ln->from;
	ln->lines = 0;
	while (p < ln->stop && !ln->failed) {
		struct record r;
		if (csv_parse(&ln->csv, p, ln->end, ln->eof, &r) != PARSED)
			break;
		if (!r.blank)
			take_row(ln, &r, ln->lines, (struct slice){ p, r.rawlen });
		p += r.len;
		ln->lines += r.lines;
	}
	ln->next = p;
	return NULL;
}

static void lane_reset(struct lane *ln)
{
	ln->csv.row.len = 0;
	ln->bad.len = 0;
	ln->nbad = 0;
	ln->failed = 0;
}

/* Writes what the lane took (its first line is line), or exits 65 on the
 * record it stopped at. */
static void lane_write(struct import *im, struct lane *ln, unsigned long line)
{
	if (ln->failed)
		die(EX_DATA_, "%s:%lu: %s", im->src.name, line + ln->failed_line, ln->message);
	if (ln->csv.row.len)
		out_write(ln->csv.row.p, ln->csv.row.len);
	for (const char *p = ln->bad.p, *e = p ? p + ln->bad.len : p; p < e;) {
		char *tab;
		unsigned long rel = strtoul(p, &tab, 10);
		const char *nl = memchr(tab, '\n', (size_t)(e - tab));
		struct writer *w = &im->rejects;
		struct buf file = { 0 };
		add_escaped(&file, im->src.name, strlen(im->src.name), 0);
		writer_write(w, file.p, file.len);
		buf_free(&file);
		writer_char(w, '\t');
		writer_u64(w, line + rel);
		writer_write(w, tab, (size_t)(nl + 1 - tab));
		p = nl + 1;
	}
	im->nrejected += ln->nbad;
	lane_reset(ln);
}
static void lane_init(struct lane *ln, struct import *im)
{
	memset(ln, 0, sizeof *ln);
	ln->im = im;
	ln->csv.sep = im->csv.sep;
	ln->csv.na_max = im->csv.na_max;
	memcpy(ln->csv.na_first, im->csv.na_first, sizeof ln->csv.na_first);
	ln->tzc = (struct tz_cache){ LONG_MIN, 0 };
	ln->stamp = xmalloc(im->nout * sizeof *ln->stamp);
	ln->stamp_len = xmalloc(im->nout * sizeof *ln->stamp_len);
}

static void lane_free(struct lane *ln)
{
	csv_free(&ln->csv);
	free(ln->stamp);
	free(ln->stamp_len);
	buf_free(&ln->scratch);
	buf_free(&ln->bad);
}

/* A block this big or more is split between two lanes. */
#define SPLIT_MIN (32 << 10)

/* The records of the current input after its header, a block at a time. */
static void take_records(struct import *im, struct lane lanes[2], int threads)
{
	struct source *s = &im->src;
	struct lane *one = &lanes[0], *two = &lanes[1];
	for (;;) {
		const char *b = s->buf + s->start, *e = s->buf + s->end, *mid = NULL;
		if (threads && e - b >= SPLIT_MIN) {
			const char *half = b + (e - b) / 2;
			const char *nl = memchr(half, '\n', (size_t)(e - half));
			if (nl && nl + 1 < e)
				mid = nl + 1;
		}
		one->from = b, one->stop = mid ? mid : e, one->end = e, one->eof = s->eof;
		pthread_t thread;
		int started = 0;
		if (mid) {
			two->from = mid, two->stop = e, two->end = e, two->eof = s->eof;
			started = pthread_create(&thread, NULL, lane_run, two) == 0;
			if (!started)
				one->stop = e;
		}
		lane_run(one);
		if (started)
			pthread_join(thread, NULL);
		const char *next = one->next;
		unsigned long lines = one->lines;
		lane_write(im, one, s->line);
		if (started && next == mid) {
			lane_write(im, two, s->line + lines);
			next = two->next;
			lines += two->lines;
		} else if (started) {
			lane_reset(two); /* its start was inside a record */
		}
		s->start = (size_t)(next - s->buf);
		s->line += lines;
		if (s->start == s->end && s->eof)
			return;
		source_fill(s); /* the bytes move: the lanes' windows are stale */
		one->csv.win.blk = two->csv.win.blk = NULL;
	}
}

/* ---- options ---- */

static void usage(void)
{
	printf("Usage: nps-import [options] [file ...]\n"
	       "Convert a survey export (CSV, any usual encoding) into npskit TSV.\n\n"
	       "  -F, --separator C    field separator: , ; | or tab (default: detected\n"
	       "                       from the header)\n"
	       "      --encoding NAME  utf-8 (default), latin1, cp1252, utf-16le, utf-16be,\n"
	       "                       or any name iconv knows; a byte-order mark wins\n"
	       "  -r, --rename OLD=NEW rename a column; OLD is a name, a PREFIX* or a\n"
	       "                       /REGEX/ (repeatable)\n"
	       "      --keep COLS      write only these columns, in this order\n"
	       "      --drop COLS      write every column but these\n"
	       "      --date COL=FMT   rewrite COL as ISO 8601, read with the strptime-style\n"
	       "                       FMT (repeatable; several for a COL are tried in order)\n"
	       "      --tz ZONE        give local times in --date columns their offset in\n"
	       "                       ZONE (an IANA name such as Europe/Paris)\n"
	       "      --na LIST        values written as empty (default: NA,N/A,NULL,#N/A)\n"
	       "      --rejects FILE   write bad records to FILE instead of stopping\n"
	       "  -h, --help           show this help\n"
	       "      --version        show the version\n");
}

static char parse_separator(const char *arg)
{
	if (strcmp(arg, "\\t") == 0 || strcasecmp(arg, "tab") == 0)
		return '\t';
	if (strlen(arg) != 1 || strchr("\"\r\n", arg[0]) || arg[0] == '\0')
		die_usage("-F %s: the separator must be one character (, ; | tab ...)", arg);
	return arg[0];
}

static void parse_na(struct import *im, const char *list)
{
	im->nna = 0;
	im->csv.na_max = 0;
	memset(im->csv.na_first, 0, sizeof im->csv.na_first);
	for (const char *p = list; *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		if (im->nna == sizeof im->na / sizeof im->na[0])
			die_usage("--na: at most %zu values", sizeof im->na / sizeof im->na[0]);
		im->na[im->nna++] = (struct slice){ p, n };
		im->csv.na_first[(unsigned char)p[0]] = 1;
		if (n > im->csv.na_max)
			im->csv.na_max = n;
		if (!comma)
			break;
		p = comma + 1;
	}
}

static void check_tz(const char *zone)
{
	if (strcmp(zone, "UTC") == 0)
		return;
	const char *dir = getenv("TZDIR");
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	struct buf path = { 0 };
	buf_add(&path, dir, strlen(dir));
	buf_addc(&path, '/');
	buf_add(&path, zone, strlen(zone));
	struct stat st;
	int ok = zone[0] != '/' && !strstr(zone, "..") &&
		 stat(buf_cstr(&path), &st) == 0 && S_ISREG(st.st_mode);
	buf_free(&path);
	if (!ok)
		die_usage("--tz %s: no such time zone in the tz database (%s)", zone, dir);
}

/* The options, checked, and what they set up: the time zone, the
 * decoder, the rejects file. */
static void parse_options(struct import *im, int argc, char **argv)
{
	static const struct option options[] = {
		{ "separator", required_argument, NULL, 'F' },
		{ "encoding", required_argument, NULL, 'E' },
		{ "rename", required_argument, NULL, 'r' },
		{ "keep", required_argument, NULL, 'K' },
		{ "drop", required_argument, NULL, 'D' },
		{ "date", required_argument, NULL, 'T' },
		{ "tz", required_argument, NULL, 'Z' },
		{ "na", required_argument, NULL, 'N' },
		{ "rejects", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	parse_na(im, "NA,N/A,NULL,#N/A");
	im->renames = xmalloc((size_t)argc * sizeof *im->renames);
	im->dates = xmalloc((size_t)argc * sizeof *im->dates);
	int c;
	while ((c = getopt_long(argc, argv, "F:r:h", options, NULL)) != -1) {
		switch (c) {
		case 'F': im->csv.sep = parse_separator(optarg); break;
		case 'E': im->encoding = optarg; break;
		case 'r': im->renames[im->nrenames++] = optarg; break;
		case 'K': im->keep = optarg; break;
		case 'D': im->drop = optarg; break;
		case 'T': im->dates[im->ndates++] = optarg; break;
		case 'Z': im->tz = optarg; break;
		case 'N': parse_na(im, optarg); break;
		case 'R': im->rejects_path = optarg; break;
		case 'h': usage(); exit_printed();
		case 'V': printf("nps-import %s\n", NPSKIT_VERSION); exit_printed();
		default: die_option(argv, "F:r:h");
		}
	}
	if (im->keep && im->drop)
		die_usage("--keep and --drop: give one of them");
	for (size_t k = 0; k < im->ndates; k++) {
		const char *eq = strchr(im->dates[k], '=');
		if (!eq || eq == im->dates[k])
			die_usage("--date %s: expected COL=FORMAT", im->dates[k]);
		when_check_format(im->dates[k], eq + 1);
	}
	if (im->tz) {
		check_tz(im->tz);
		setenv("TZ", im->tz, 1);
		tzset();
	}
	if (encoding_of(im->encoding) == ENC_ICONV) {
		im->src.cd = iconv_open("UTF-8", im->encoding);
		if (im->src.cd == (iconv_t)-1)
			die_usage("--encoding %s: unknown encoding", im->encoding);
	}
	if (im->rejects_path) {
		writer_open(&im->rejects, im->rejects_path);
		im->rejecting = 1;
		writer_str(&im->rejects, "file\tline\trecord\treject_reason\n");
	}
}

/* One input file: its header (the first one's sets the columns, the
 * others' must equal it), then its records through the lanes. */
static void import_file(struct import *im, const char *file, struct lane lanes[2],
			int threads, int *have_header)
{
	struct source *s = &im->src;
	source_open(s, file, im->encoding);
	im->csv.win.blk = NULL;
	struct record r;
	/* the header: the first record that is not an empty line */
	enum record_status st;
	if (!im->csv.sep)
		im->csv.sep = csv_detect_separator(s);
	while ((st = csv_next(&im->csv, s, &r)) == REC_OK && r.blank) {
		s->start += r.len;
		s->line += r.lines;
	}
	if (st == REC_EOF) {
		source_close(s);
		return;
	}
	unsigned long line = s->line;
	struct slice raw = { s->buf + s->start, r.rawlen };
	char q[QUOTED_MAX];
	if (r.fault == FAULT_UNTERMINATED)
		die(EX_DATA_, "%s:%lu: quoted field not closed before the end of the file",
		    s->name, line);
	if (r.fault == FAULT_AFTER_QUOTE)
		die(EX_DATA_, "%s:%lu: text after a closing quote (%s)", s->name, line,
		    quote_bytes(raw, q));
	if (r.high && utf8_valid((const unsigned char *)im->csv.row.p, im->csv.row.len) != im->csv.row.len)
		die(EX_DATA_, "%s:%lu: header is not valid %s (%s)", s->name, line,
		    encoding_name(im), quote_bytes(raw, q));
	if (!*have_header) {
		*have_header = 1;
		im->header_file = s->name;
		setup_columns(im, &r);
		out_write(im->names.p, im->names.len - 1);
		out_char('\n');
		lane_init(&lanes[0], im);
		lane_init(&lanes[1], im);
	} else if (im->csv.row.len != im->header.len ||
		   memcmp(im->csv.row.p, im->header.p, im->csv.row.len) != 0) {
		die(EX_DATA_, "%s:%lu: header differs from the header of %s", s->name,
		    line, im->header_file);
	}
	s->start += r.len;
	s->line += r.lines;
	take_records(im, lanes, threads);
	source_close(s);
}

/* Output and rejects closed (the count reported), memory freed. */
static void finish(struct import *im, struct lane lanes[2], int have_header)
{
	writer_close(&out);
	if (im->rejecting) {
		writer_close(&im->rejects);
		fprintf(stderr, "nps-import: %lu bad row%s written to %s\n", im->nrejected,
			im->nrejected == 1 ? "" : "s", im->rejects_path);
	}
	if (im->src.cd)
		iconv_close(im->src.cd);
	for (size_t i = 0; i < im->ncols; i++)
		free(im->formats[i]);
	free(im->formats);
	if (have_header) {
		lane_free(&lanes[0]);
		lane_free(&lanes[1]);
	}
	free(im->header_at);
	free(im->order);
	free(im->name_at);
	free(im->renames);
	free(im->dates);
	buf_free(&im->names);
	buf_free(&im->header);
	csv_free(&im->csv);
	source_free(&im->src);
}

int main(int argc, char **argv)
{
	struct import im = { .src = { .fd = -1 } };
	prog_init(argv[0]);
	parse_options(&im, argc, argv);

	int nfiles = argc - optind;
	char *std_in[] = { "-" };
	char **files = nfiles > 0 ? argv + optind : std_in;
	int have_header = 0, threads = threads_wanted();
	struct lane lanes[2];
	for (int f = 0; f < (nfiles > 0 ? nfiles : 1); f++)
		import_file(&im, files[f], lanes, threads, &have_header);
	finish(&im, lanes, have_header);
	return 0;
}

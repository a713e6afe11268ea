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
#include "tsv.h"
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
	struct csv csv;     /* the separator (0: detected), --na, the record */
	struct tz_cache tzc;

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
	char (*stamp)[96];  /* per output column: a rewritten date */
	size_t *stamp_len;

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
	im->stamp = xmalloc(im->nout * sizeof *im->stamp);
	im->stamp_len = xmalloc(im->nout * sizeof *im->stamp_len);
}

/* ---- bad rows ---- */

/* Writes s with the escapes of npskit(7); for an input not in UTF-8, a
 * unit that could not be decoded as U+FFFD. */
static void write_escaped(struct writer *w, const char *p, size_t n, int decoded)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		switch (c) {
		case '\t': writer_write(w, "\\t", 2); break;
		case '\n': writer_write(w, "\\n", 2); break;
		case '\r': writer_write(w, "\\r", 2); break;
		case '\\': writer_write(w, "\\\\", 2); break;
		default:
			if (c == BAD_UNIT && decoded)
				writer_write(w, "\xEF\xBF\xBD", 3);
			else
				writer_char(w, (char)c);
		}
	}
}

struct where {
	const char *file;
	unsigned long line;
	struct slice raw;
};

static void reject(struct import *im, const struct where *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The record is bad: with --rejects, into the rejects file (file, line,
 * the raw record, the reason); without, the message and exit 65. */
static void reject(struct import *im, const struct where *at, const char *fmt, ...)
{
	char reason[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	if (!im->rejecting)
		die(EX_DATA_, "%s:%lu: %s", at->file, at->line, reason);
	struct writer *w = &im->rejects;
	write_escaped(w, at->file, strlen(at->file), 0);
	writer_char(w, '\t');
	writer_u64(w, at->line);
	writer_char(w, '\t');
	write_escaped(w, at->raw.p, at->raw.n, im->src.enc != ENC_UTF8);
	writer_char(w, '\t');
	write_escaped(w, reason, strlen(reason), 0);
	writer_char(w, '\n');
	im->nrejected++;
}

/* A value for a message: at most 40 bytes, bytes that are not text as
 * \xHH, quoted. */
static const char *quote_bytes(struct slice s)
{
	static char q[40 * 4 + 8];
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

/* ---- rows ---- */

static struct slice field_of(const struct import *im, size_t i)
{
	return (struct slice){ im->csv.row.p + im->csv.field[i],
			       im->csv.field[i + 1] - im->csv.field[i] - 1 };
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

/* Rewrites input column i's value (a date) into stamp; 0 after
 * rejecting the row. */
static int rewrite_date(struct import *im, const struct where *at, size_t j,
			struct slice v)
{
	size_t i = im->order[j];
	struct slice t = slice_trim(v);
	struct stamp st;
	char **f = im->formats[i];
	for (; *f; f++)
		if (when_scan(*f, t, &st))
			break;
	if (!*f) {
		struct slice name = entry(&im->names, im->name_at, j);
		reject(im, at, "%.*s is not a date of the form %s%s (%s)", (int)name.n,
		       name.p, im->formats[i][0], im->formats[i][1] ? " or the others given" : "",
		       tsv_quote(v));
		return 0;
	}
	long off = st.zone * 60L;
	int has_offset = st.has_zone;
	if (st.has_time && !st.has_zone && im->tz) {
		long long local = (long long)days_from_civil(st.year, st.month, st.day) * 86400 +
				  st.hour * 3600 + st.min * 60 + st.sec;
		if (!when_tz_offset(&im->tzc, local, &off)) {
			reject(im, at, "local time does not exist in %s (%s)", im->tz,
			       tsv_quote(v));
			return 0;
		}
		has_offset = 1;
	}
	im->stamp_len[j] = when_format(&st, has_offset, off, im->stamp[j]);
	return 1;
}

/* One data record: checked, rewritten, written (or rejected). */
static void take_row(struct import *im, const struct record *r, const struct where *at)
{
	if (r->fault == FAULT_UNTERMINATED) {
		reject(im, at, "quoted field not closed before the end of the file");
		return;
	}
	if (r->fault == FAULT_AFTER_QUOTE) {
		reject(im, at, "text after a closing quote (%s)", quote_bytes(at->raw));
		return;
	}
	if (r->nfields != im->ncols) {
		reject(im, at, "expected %zu fields, found %zu", im->ncols, r->nfields);
		return;
	}
	if (r->high) {
		for (size_t i = 0; i < r->nfields; i++) {
			struct slice v = field_of(im, i);
			if (utf8_valid((const unsigned char *)v.p, v.n) == v.n)
				continue;
			struct slice name = entry(&im->header, im->header_at, i);
			if (im->src.enc == ENC_UTF8)
				reject(im, at, "%.*s is not valid UTF-8 (%s); "
				       "try --encoding latin1 or cp1252", (int)name.n, name.p,
				       quote_bytes(v));
			else
				reject(im, at, "%.*s has bytes not valid in %s (%s)", (int)name.n,
				       name.p, encoding_name(im), quote_bytes(v));
			return;
		}
	}
	if (im->identity && !im->any_date) {
		int plain = 1;
		for (size_t i = 0; i < r->nfields && plain && r->maybe_na; i++)
			plain = !is_na(im, field_of(im, i));
		if (plain) {
			im->csv.row.p[im->csv.row.len - 1] = '\n';
			out_write(im->csv.row.p, im->csv.row.len);
			return;
		}
	}
	/* column by column: missing values emptied, dates rewritten first
	 * (a bad date rejects the row before anything is written) */
	for (size_t j = 0; j < im->nout && im->any_date; j++) {
		size_t i = im->order[j];
		struct slice v = field_of(im, i);
		if (im->formats[i] && v.n && !is_na(im, v) && !rewrite_date(im, at, j, v))
			return;
	}
	for (size_t j = 0; j < im->nout; j++) {
		size_t i = im->order[j];
		struct slice v = field_of(im, i);
		if (j)
			out_char('\t');
		if (v.n == 0 || is_na(im, v))
			continue;
		if (im->formats[i])
			out_write(im->stamp[j], im->stamp_len[j]);
		else
			out_write(v.p, v.n);
	}
	out_char('\n');
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

int main(int argc, char **argv)
{
	struct import im = { .src = { .fd = -1 }, .tzc = { LONG_MIN, 0 } };
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
	prog_init(argv[0]);
	parse_na(&im, "NA,N/A,NULL,#N/A");
	im.renames = xmalloc((size_t)argc * sizeof *im.renames);
	im.dates = xmalloc((size_t)argc * sizeof *im.dates);
	int c;
	while ((c = getopt_long(argc, argv, "F:r:h", options, NULL)) != -1) {
		switch (c) {
		case 'F': im.csv.sep = parse_separator(optarg); break;
		case 'E': im.encoding = optarg; break;
		case 'r': im.renames[im.nrenames++] = optarg; break;
		case 'K': im.keep = optarg; break;
		case 'D': im.drop = optarg; break;
		case 'T': im.dates[im.ndates++] = optarg; break;
		case 'Z': im.tz = optarg; break;
		case 'N': parse_na(&im, optarg); break;
		case 'R': im.rejects_path = optarg; break;
		case 'h': usage(); exit_printed();
		case 'V': printf("nps-import %s\n", NPSKIT_VERSION); exit_printed();
		default: die_option(argv, "F:r:h");
		}
	}
	if (im.keep && im.drop)
		die_usage("--keep and --drop: give one of them");
	for (size_t k = 0; k < im.ndates; k++) {
		const char *eq = strchr(im.dates[k], '=');
		if (!eq || eq == im.dates[k])
			die_usage("--date %s: expected COL=FORMAT", im.dates[k]);
		when_check_format(im.dates[k], eq + 1);
	}
	if (im.tz) {
		check_tz(im.tz);
		setenv("TZ", im.tz, 1);
		tzset();
	}
	if (encoding_of(im.encoding) == ENC_ICONV) {
		im.src.cd = iconv_open("UTF-8", im.encoding);
		if (im.src.cd == (iconv_t)-1)
			die_usage("--encoding %s: unknown encoding", im.encoding);
	}
	if (im.rejects_path) {
		writer_open(&im.rejects, im.rejects_path);
		im.rejecting = 1;
		writer_str(&im.rejects, "file\tline\trecord\treject_reason\n");
	}

	int nfiles = argc - optind;
	char *std_in[] = { "-" };
	char **files = nfiles > 0 ? argv + optind : std_in;
	if (nfiles == 0)
		nfiles = 1;
	int have_header = 0;
	for (int f = 0; f < nfiles; f++) {
		struct source *s = &im.src;
		source_open(s, files[f], im.encoding);
		im.csv.win.blk = NULL;
		struct record r;
		/* the header: the first record that is not an empty line */
		enum record_status st;
		if (!im.csv.sep)
			im.csv.sep = csv_detect_separator(s);
		while ((st = csv_next(&im.csv, s, &r)) == REC_OK && r.blank) {
			s->start += r.len;
			s->line += r.lines;
		}
		if (st == REC_EOF) {
			source_close(s);
			continue;
		}
		struct where at = { s->name, s->line, { s->buf + s->start, r.rawlen } };
		if (r.fault == FAULT_UNTERMINATED)
			die(EX_DATA_, "%s:%lu: quoted field not closed before the end of the file",
			    at.file, at.line);
		if (r.fault == FAULT_AFTER_QUOTE)
			die(EX_DATA_, "%s:%lu: text after a closing quote (%s)", at.file,
			    at.line, quote_bytes(at.raw));
		if (r.high && utf8_valid((const unsigned char *)im.csv.row.p, im.csv.row.len) != im.csv.row.len)
			die(EX_DATA_, "%s:%lu: header is not valid %s (%s)", at.file, at.line,
			    encoding_name(&im), quote_bytes(at.raw));
		if (!have_header) {
			have_header = 1;
			im.header_file = s->name;
			setup_columns(&im, &r);
			out_write(im.names.p, im.names.len - 1);
			out_char('\n');
		} else if (im.csv.row.len != im.header.len ||
			   memcmp(im.csv.row.p, im.header.p, im.csv.row.len) != 0) {
			die(EX_DATA_, "%s:%lu: header differs from the header of %s", at.file,
			    at.line, im.header_file);
		}
		s->start += r.len;
		s->line += r.lines;
		while ((st = csv_next(&im.csv, s, &r)) == REC_OK) {
			at.line = s->line;
			at.raw = (struct slice){ s->buf + s->start, r.rawlen };
			if (!r.blank)
				take_row(&im, &r, &at);
			s->start += r.len;
			s->line += r.lines;
		}
		source_close(s);
	}
	writer_close(&out);
	if (im.rejecting) {
		writer_close(&im.rejects);
		fprintf(stderr, "nps-import: %lu bad row%s written to %s\n", im.nrejected,
			im.nrejected == 1 ? "" : "s", im.rejects_path);
	}
	if (im.src.cd)
		iconv_close(im.src.cd);
	for (size_t i = 0; i < im.ncols; i++)
		free(im.formats[i]);
	free(im.formats);
	free(im.stamp);
	free(im.stamp_len);
	free(im.header_at);
	free(im.order);
	free(im.name_at);
	free(im.renames);
	free(im.dates);
	buf_free(&im.names);
	buf_free(&im.header);
	csv_free(&im.csv);
	source_free(&im.src);
	return 0;
}

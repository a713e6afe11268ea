/* nps-route: close the loop. Turns each response a rule selects into a work
 * order (ticket) with an action, an owner, an escalation and a due time,
 * most urgent first. Rules match on segment, score and customer value; the
 * first that matches wins. Without --no-sort the tickets are kept, compactly,
 * in chunks until the input ends, then sorted and written. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "date.h"
#include "nps.h"
#include "num.h"
#include "out.h"
#include "tsv.h"
#include "util.h"
#include "version.h"

static void usage(void)
{
	printf("Usage: nps-route [options] [file ...]\n"
	       "Write one work order per response that a rule selects, most urgent first.\n\n"
	       "  -i, --id COL          response id column (default: response_id)\n"
	       "  -s, --score COL       score column (default: score, else segment)\n"
	       "  -t, --time COL        response time column (default: responded_at)\n"
	       "  -v, --value COL       customer value column (default: none)\n"
	       "      --owner COL       owner column for rules naming none (default: store;\n"
	       "                        '' for no owner)\n"
	       "      --escalate COL    escalation column for rules naming none\n"
	       "                        (default: region; '' for none)\n"
	       "      --rules FILE      routing rules (default: the built-in closed loop)\n"
	       "      --print-rules     write the built-in rules as a rules file and exit\n"
	       "      --high-value X    the customer value from which a customer is\n"
	       "                        high-value (default: 1500)\n"
	       "      --no-sort         write each ticket as its response arrives\n"
	       "      --rejects FILE    write bad rows to FILE instead of stopping\n"
	       TSV_HEADER_USAGE
	       "  -h, --help            show this help\n"
	       "      --version         show the version\n");
}

/* ---- rules ---- */

/* What a response is, for matching: its score 0..10, or, when the input
 * has a segment but no score, SEG_ONLY + its segment. */
enum { SEG_ONLY = 11, KINDS = 14 };
#define MAX_RULES 1000
#define MAX_SLA_HOURS 1000000ULL
#define MAX_PRIORITY 999999ULL

struct rule {
	unsigned long line;
	unsigned mask;         /* bit k: takes responses of kind k */
	int value_any;         /* takes any value, a missing one too */
	double value_lo, value_hi; /* else: lo <= value < hi */
	int none;              /* action "none": selected, but no ticket */
	char *action, *reason;
	char *mid, *tail;      /* "priority\taction\t" and "reason\n" */
	size_t mid_n, tail_n;
	char *owner, *escalate; /* column names; NULL: the default; "": none */
	long long sla_seconds;
	unsigned priority;
	long owner_col, escalate_col; /* in the input; -1: none */
};

struct rules {
	const char *name;
	struct rule *v;
	size_t n;
	/* by kind: the first rule taking it, and the first taking it whatever
	 * its value (NULL: none) */
	const struct rule *first[KINDS], *plain[KINDS];
};

enum { F_SEGMENT, F_SCORE, F_VALUE, F_ACTION, F_SLA, F_PRIORITY, F_OWNER,
       F_ESCALATE, F_REASON, NFIELDS };
static const char *const field_names[NFIELDS] = {
	"segment", "score", "value", "action", "sla_hours", "priority", "owner",
	"escalate", "reason",
};

_Noreturn static void rules_die(const char *name, unsigned long line,
				const char *msg, struct slice v)
{
	if (v.p)
		die(EX_DATA_, "%s:%lu: %s (%s)", name, line, msg, tsv_quote(v));
	die(EX_DATA_, "%s:%lu: %s", name, line, msg);
}

/* The parts of "A..B" before and after the dots at `at`. */
static struct slice before(struct slice s, size_t at)
{
	return (struct slice){ s.p, at };
}

static struct slice after(struct slice s, size_t at)
{
	return (struct slice){ s.p + at + 2, s.n - at - 2 };
}

/* "A..B": the position of "..", or -1. */
static long find_dots(struct slice s)
{
	for (size_t i = 0; i + 1 < s.n; i++)
		if (s.p[i] == '.' && s.p[i + 1] == '.')
			return (long)i;
	return -1;
}

static int score_bound(struct slice s, unsigned *v)
{
	unsigned long long x;
	if (!num_count(s, &x) || x > 10)
		return 0;
	*v = (unsigned)x;
	return 1;
}

static int parse_score_range(struct slice s, unsigned *lo, unsigned *hi)
{
	long dots = find_dots(s);
	if (dots < 0)
		return score_bound(s, lo) && (*hi = *lo, 1);
	return score_bound(before(s, (size_t)dots), lo) &&
	       score_bound(after(s, (size_t)dots), hi) && *lo <= *hi;
}

static int parse_value_range(struct slice s, double high, double *lo,
			     double *hi)
{
	if (slice_eq(s, "high")) {
		*lo = high;
		*hi = INFINITY;
		return 1;
	}
	long dots = find_dots(s);
	if (dots < 0)
		return 0;
	struct slice a = slice_trim(before(s, (size_t)dots));
	struct slice b = slice_trim(after(s, (size_t)dots));
	if (a.n == 0 && b.n == 0)
		return 0;
	*lo = -INFINITY;
	*hi = INFINITY;
	if (a.n && !num_double(a, lo))
		return 0;
	if (b.n && !num_double(b, hi))
		return 0;
	return *lo < *hi;
}

static char *copy_slice(struct slice s) { return xstrndup(s.p, s.n); }

/* A reason for a rule that gives none: its conditions, as written. */
static char *describe(struct slice f[NFIELDS], const long col[NFIELDS])
{
	struct buf b = { 0 };
	static const char *const prefix[] = { "", "score ", "value " };
	for (int k = F_SEGMENT; k <= F_VALUE; k++) {
		if (col[k] < 0 || slice_eq(f[k], "*"))
			continue;
		if (b.len)
			buf_add(&b, ", ", 2);
		buf_add(&b, prefix[k], strlen(prefix[k]));
		buf_add(&b, f[k].p, f[k].n);
	}
	if (!b.len)
		buf_add(&b, "any response", 12);
	return buf_cstr(&b);
}

/* Does rule a take every response rule b would? */
static int covers(const struct rule *a, const struct rule *b)
{
	if (b->mask & ~a->mask)
		return 0;
	if (a->value_any)
		return 1;
	return !b->value_any && a->value_lo <= b->value_lo &&
	       b->value_hi <= a->value_hi;
}

static void parse_rule(struct rules *rs, unsigned long line, struct slice *f,
		       const long col[NFIELDS], double high)
{
	const char *name = rs->name;
	struct slice none = { NULL, 0 };
	struct slice v[NFIELDS];
	for (int k = 0; k < NFIELDS; k++)
		v[k] = col[k] >= 0 ? slice_trim(f[col[k]]) : (struct slice){ "*", 1 };
	if (rs->n == MAX_RULES)
		rules_die(name, line, "more than 1000 rules", none);
	struct rule *r = &rs->v[rs->n];
	memset(r, 0, sizeof *r);
	r->line = line;

	int seg = -1;
	if (!slice_eq(v[F_SEGMENT], "*") &&
	    (seg = nps_segment_parse(v[F_SEGMENT])) < 0)
		rules_die(name, line,
			  "segment must be promoter, passive, detractor or *",
			  v[F_SEGMENT]);
	unsigned lo = 0, hi = 10;
	int any_score = slice_eq(v[F_SCORE], "*");
	if (!any_score && !parse_score_range(v[F_SCORE], &lo, &hi))
		rules_die(name, line,
			  "score must be *, N or A..B with 0 <= A <= B <= 10",
			  v[F_SCORE]);
	for (unsigned s = lo; s <= hi; s++)
		if (seg < 0 || (int)nps_segment_of((int)s) == seg)
			r->mask |= 1u << s;
	for (int k = 0; k < 3 && any_score; k++)
		if (seg < 0 || seg == k)
			r->mask |= 1u << (SEG_ONLY + k);
	if (!r->mask)
		die(EX_DATA_, "%s:%lu: rule can never match: no %s has a score in "
		    "%.*s", name, line, segment_names[seg], (int)v[F_SCORE].n,
		    v[F_SCORE].p);

	r->value_any = slice_eq(v[F_VALUE], "*");
	if (!r->value_any &&
	    !parse_value_range(v[F_VALUE], high, &r->value_lo, &r->value_hi))
		rules_die(name, line,
			  "value must be *, high, A.., ..B or A..B with A < B",
			  v[F_VALUE]);

	if (v[F_ACTION].n == 0)
		rules_die(name, line, "action must not be empty", none);
	r->action = copy_slice(v[F_ACTION]);
	r->none = slice_eq(v[F_ACTION], "none");
	unsigned long long x;
	if (!num_count(v[F_SLA], &x) || x > MAX_SLA_HOURS)
		rules_die(name, line, "sla_hours must be an integer 0..1000000",
			  v[F_SLA]);
	r->sla_seconds = (long long)x * 3600;
	if (!num_count(v[F_PRIORITY], &x) || x > MAX_PRIORITY)
		rules_die(name, line, "priority must be an integer 0..999999",
			  v[F_PRIORITY]);
	r->priority = (unsigned)x;

	/* Absent or empty: the default column; "-": none. */
	struct slice o = col[F_OWNER] >= 0 ? v[F_OWNER] : none;
	struct slice e = col[F_ESCALATE] >= 0 ? v[F_ESCALATE] : none;
	r->owner = o.n == 0 ? NULL : slice_eq(o, "-") ? "" : copy_slice(o);
	r->escalate = e.n == 0 ? NULL : slice_eq(e, "-") ? "" : copy_slice(e);
	r->reason = col[F_REASON] >= 0 && v[F_REASON].n
			    ? copy_slice(v[F_REASON])
			    : describe(v, col);
	struct buf m = { 0 };
	char num[24];
	int k = snprintf(num, sizeof num, "%u\t", r->priority);
	buf_add(&m, num, (size_t)k);
	buf_add(&m, r->action, strlen(r->action));
	buf_addc(&m, '\t');
	r->mid_n = m.len;
	r->mid = buf_cstr(&m);
	r->tail_n = strlen(r->reason) + 1;
	r->tail = xmalloc(r->tail_n);
	memcpy(r->tail, r->reason, r->tail_n - 1);
	r->tail[r->tail_n - 1] = '\n';

	for (size_t i = 0; i < rs->n; i++)
		if (covers(&rs->v[i], r))
			die(EX_DATA_, "%s:%lu: rule can never match: the rule on "
			    "line %lu takes every response it would",
			    name, line, rs->v[i].line);
	rs->n++;
}

/* Reads rules from text (comments: lines starting with '#'; blank lines
 * are skipped; the first other line is the header). */
static void rules_parse(struct rules *rs, const char *name, char *text,
			size_t n, double high)
{
	rs->name = name;
	rs->v = xmalloc(MAX_RULES * sizeof *rs->v);
	rs->n = 0;
	long col[NFIELDS];
	int have_header = 0;
	size_t nhead = 0;
	struct slice *f = NULL;
	size_t fcap = 0;
	char *p = text, *end = text + n;
	if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	for (unsigned long line = 1; p < end; line++) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		struct slice row = { p, (size_t)((nl ? nl : end) - p) };
		p = nl ? nl + 1 : end;
		if (row.n && row.p[row.n - 1] == '\r')
			row.n--;
		if ((row.n && row.p[0] == '#') || slice_trim(row).n == 0)
			continue;
		size_t nf = 0;
		for (const char *q = row.p, *e = row.p + row.n;;) {
			const char *t = memchr(q, '\t', (size_t)(e - q));
			if (nf == fcap) {
				fcap = fcap ? fcap * 2 : 16;
				f = xrealloc(f, fcap * sizeof *f);
			}
			f[nf++] = (struct slice){ q, (size_t)((t ? t : e) - q) };
			if (!t)
				break;
			q = t + 1;
		}
		if (!have_header) {
			for (int k = 0; k < NFIELDS; k++)
				col[k] = -1;
			for (size_t i = 0; i < nf; i++) {
				struct slice h = slice_trim(f[i]);
				int k = 0;
				while (k < NFIELDS && !slice_eq(h, field_names[k]))
					k++;
				if (k == NFIELDS)
					die(EX_DATA_, "%s:%lu: unknown column %s (known: "
					    "segment, score, value, action, sla_hours, "
					    "priority, owner, escalate, reason)",
					    name, line, tsv_quote(h));
				if (col[k] >= 0)
					die(EX_DATA_, "%s:%lu: column \"%s\" appears twice",
					    name, line, field_names[k]);
				col[k] = (long)i;
			}
			for (int k = F_ACTION; k <= F_PRIORITY; k++)
				if (col[k] < 0)
					die(EX_DATA_, "%s:%lu: no column \"%s\" (needed: "
					    "action, sla_hours, priority)",
					    name, line, field_names[k]);
			have_header = 1;
			nhead = nf;
			continue;
		}
		if (nf != nhead)
			die(EX_DATA_, "%s:%lu: expected %zu fields, found %zu", name,
			    line, nhead, nf);
		parse_rule(rs, line, f, col, high);
	}
	free(f);
	if (!rs->n)
		die(EX_DATA_, "%s: no rules (a header line and at least one rule "
		    "are needed)", name);
	for (int k = 0; k < KINDS; k++) {
		rs->first[k] = rs->plain[k] = NULL;
		for (size_t i = 0; i < rs->n && !rs->plain[k]; i++) {
			if (!(rs->v[i].mask >> k & 1))
				continue;
			if (!rs->first[k])
				rs->first[k] = &rs->v[i];
			if (rs->v[i].value_any)
				rs->plain[k] = &rs->v[i];
		}
	}
}

static void rules_read(struct rules *rs, const char *path, double high)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		die(EX_NOINPUT_, "cannot open %s: %s", path, strerror(errno));
	struct buf b = { 0 };
	for (;;) {
		buf_grow(&b, 1 << 16);
		ssize_t k = read(fd, b.p + b.len, b.cap - b.len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			die(EX_NOINPUT_, "cannot read %s: %s", path, strerror(errno));
		if (k == 0)
			break;
		b.len += (size_t)k;
	}
	close(fd);
	rules_parse(rs, path, b.p, b.len, high);
	buf_free(&b);
}

static void rules_free(struct rules *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		struct rule *u = &rs->v[i];
		free(u->action);
		free(u->reason);
		free(u->mid);
		free(u->tail);
		if (u->owner && *u->owner)
			free(u->owner);
		if (u->escalate && *u->escalate)
			free(u->escalate);
	}
	free(rs->v);
}

/* A number written so that reading it back gives the same double. */
static void format_number(double v, char out[32])
{
	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(out, 32, "%.0f", v);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(out, 32, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

/* The built-in rules: the closed loop. */
static void default_rules(struct buf *b, double high)
{
	static const struct {
		const char *segment;
		int high;
		const char *action;
		int sla, priority;
		const char *reason;
	} rows[] = {
		{ "detractor", 1, "personal_call", 24, 1, "high-value detractor" },
		{ "detractor", 0, "automatic_remedy", 24, 2, "detractor" },
		{ "passive", 1, "personal_call", 72, 3, "high-value passive" },
		{ "passive", 0, "automatic_remedy", 72, 4, "passive" },
		{ "promoter", 1, "personal_call", 168, 5, "high-value promoter" },
		{ "promoter", 0, "automatic_remedy", 168, 6, "promoter" },
	};
	char num[32], line[512];
	format_number(high, num);
	snprintf(line, sizeof line,
		 "# nps-route built-in rules: the closed loop. The first rule that\n"
		 "# matches a response wins. A detractor hears from someone within\n"
		 "# 24 hours, a passive within 3 days, a promoter within 7 days; a\n"
		 "# high-value customer (value >= %s) gets a personal call, the\n",
		 num);
	buf_add(b, line, strlen(line));
	static const char rest[] =
		"# others an automatic remedy. An empty owner or escalate names the\n"
		"# --owner or --escalate column. See nps-route(1).\n"
		"segment\tscore\tvalue\taction\tsla_hours\tpriority\towner\tescalate\treason\n";
	buf_add(b, rest, sizeof rest - 1);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int n = snprintf(line, sizeof line, "%s\t*\t%s%s\t%s\t%d\t%d\t\t\t%s\n",
				 rows[i].segment, rows[i].high ? num : "*",
				 rows[i].high ? ".." : "", rows[i].action,
				 rows[i].sla, rows[i].priority, rows[i].reason);
		buf_add(b, line, (size_t)n);
	}
}

/* "a, b, c": the input's columns, for a message. */
static const char *column_list(const struct tsv_reader *r)
{
	static struct buf list;
	list.len = 0;
	for (size_t k = 0; k < r->ncols; k++) {
		if (k)
			buf_add(&list, ", ", 2);
		buf_add(&list, r->cols[k].p, r->cols[k].n);
	}
	return buf_cstr(&list);
}

/* The columns each rule's owner and escalation come from. */
static void rules_resolve(struct rules *rs, const struct tsv_reader *r,
			  const char *owner, const char *escalate)
{
	for (size_t i = 0; i < rs->n; i++) {
		struct rule *u = &rs->v[i];
		for (int which = 0; which < 2; which++) {
			const char *named = which ? u->escalate : u->owner;
			const char *name = named ? named : which ? escalate : owner;
			long c = -1;
			if (!u->none && *name) {
				c = tsv_col_find(r, name);
				if (c < 0 && !named)
					tsv_col(r, name); /* dies listing the columns */
				if (c < 0)
					die(EX_USAGE_, "%s:%lu: no column \"%s\" in %s "
					    "(columns: %s)", rs->name, u->line, name,
					    r->header_file, column_list(r));
			}
			if (which)
				u->escalate_col = c;
			else
				u->owner_col = c;
		}
	}
}

/* ---- the row ---- */

/* A customer value: 1 and *v for a number, 0 when missing ("" or "NA"),
 * -1 when bad. Plain decimals of up to 15 digits are read directly: a
 * mantissa below 2^53 divided by an exact power of ten is correctly
 * rounded, so the result is exactly strtod's. */
static int parse_value(struct slice s, double *v)
{
	s = slice_trim(s);
	if (s.n == 0 || slice_eq(s, "NA"))
		return 0;
	static const double pow10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
					1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
					1e15 };
	const char *p = s.p, *e = s.p + s.n;
	int neg = p < e && *p == '-';
	p += neg;
	uint64_t m = 0;
	int digits = 0, frac = -1;
	for (; p < e; p++) {
		if (*p >= '0' && *p <= '9') {
			m = m * 10 + (uint64_t)(*p - '0');
			if (++digits > 15)
				break;
			if (frac >= 0)
				frac++;
		} else if (*p == '.' && frac < 0) {
			frac = 0;
		} else {
			break;
		}
	}
	if (p == e && digits > 0 && frac != 0) {
		double x = (double)m / pow10[frac < 0 ? 0 : frac];
		*v = neg ? -x : x;
		return 1;
	}
	return num_double(s, v) ? 1 : -1;
}

/* The response time in seconds since the epoch, UTC (date_parse keeps
 * the dates it has checked, so a file of few dates is read fast). */
static int parse_time(struct slice s, long long *utc)
{
	struct when w;
	if (!date_parse(s, &w))
		return 0;
	*utc = w.utc;
	return 1;
}

/* The rule a response takes. rs->plain[kind]: the first rule taking
 * responses of that kind and any value, when no rule before it asks for a
 * value (or the value is missing, which only such rules take). */
static const struct rule *match(const struct rules *rs, int kind, int known,
				double value)
{
	const struct rule *u = rs->plain[kind];
	if (u && (!known || u == rs->first[kind]))
		return u;
	for (size_t i = 0; i < rs->n; i++) {
		u = &rs->v[i];
		if (!(u->mask >> kind & 1))
			continue;
		if (u->value_any ||
		    (known && value >= u->value_lo && value < u->value_hi))
			return u;
	}
	return NULL;
}

/* ---- the ticket ---- */

/* What a ticket line holds after the response id, by kind of response:
 * "segment\tscore\t". */
#define TEXT(s) { s, sizeof s - 1 }
static const struct {
	const char *p;
	size_t n;
} kind_text[KINDS] = {
	TEXT("detractor\t0\t"), TEXT("detractor\t1\t"), TEXT("detractor\t2\t"),
	TEXT("detractor\t3\t"), TEXT("detractor\t4\t"), TEXT("detractor\t5\t"),
	TEXT("detractor\t6\t"), TEXT("passive\t7\t"), TEXT("passive\t8\t"),
	TEXT("promoter\t9\t"), TEXT("promoter\t10\t"), TEXT("detractor\tNA\t"),
	TEXT("passive\tNA\t"), TEXT("promoter\tNA\t"),
};

static char *put(char *p, const void *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* 32 bits as 8 lowercase hex digits, without a loop: each nibble spread
 * to a byte of its own, then made a digit. */
static void put_hex32(char *p, uint32_t v)
{
	uint64_t x = v;
	x = (x | x << 16) & 0x0000ffff0000ffffULL;
	x = (x | x << 8) & 0x00ff00ff00ff00ffULL;
	x = (x | x << 4) & 0x0f0f0f0f0f0f0f0fULL; /* byte k: nibble k */
	uint64_t letter = (x + 0x0606060606060606ULL) >> 4 & 0x0101010101010101ULL;
	x += 0x3030303030303030ULL + letter * ('a' - '0' - 10);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	x = __builtin_bswap64(x); /* nibble 7 first */
#endif
	memcpy(p, &x, 8);
}

/* The ticket id: "T-" and the 64-bit FNV-1a hash of the response id's
 * bytes in 16 hex digits; byte-wise, so the same on every machine. */
static char *put_ticket_id(char *p, struct slice id)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < id.n; i++) {
		h ^= (unsigned char)id.p[i];
		h *= 0x100000001b3ULL;
	}
	*p++ = 'T';
	*p++ = '-';
	put_hex32(p, (uint32_t)(h >> 32));
	put_hex32(p + 8, (uint32_t)h);
	return p + 16;
}

/* "00" .. "59" */
static const char two_digits[] =
	"00010203040506070809101112131415161718192021222324252627282930"
	"31323334353637383940414243444546474849505152535455565758596061";

/* The date part of due times written last, by day: dates repeat. Each
 * thread that writes tickets has its own. */
struct day_cache {
	struct day_text {
		long days;
		char text[12];
		int n; /* 0: empty */
	} slot[1024];
};

/* YYYY-MM-DDThh:mm:ssZ */
static char *put_time(struct day_cache *dc, char *p, long long t)
{
	long long days = t / 86400, sec = t % 86400;
	if (sec < 0)
		sec += 86400, days--;
	struct day_text *c = &dc->slot[(size_t)days & 1023];
	if (!c->n || c->days != days) {
		long y;
		int m, d;
		civil_from_days((long)days, &y, &m, &d);
		c->days = (long)days;
		c->n = snprintf(c->text, sizeof c->text, "%04ld-%02d-%02d", y, m, d);
		if (c->n >= (int)sizeof c->text)
			c->n = (int)sizeof c->text - 1;
	}
	p = put(p, c->text, (size_t)c->n);
	int s = (int)sec, hh = s / 3600, mm = s / 60 % 60, ss = s % 60;
	p[0] = 'T';
	memcpy(p + 1, two_digits + 2 * hh, 2);
	p[3] = ':';
	memcpy(p + 4, two_digits + 2 * mm, 2);
	p[6] = ':';
	memcpy(p + 7, two_digits + 2 * ss, 2);
	p[9] = 'Z';
	return p + 10;
}

/* The most bytes a ticket line takes. */
static size_t ticket_size(size_t id_n, const struct rule *u, size_t contacts_n)
{
	return 2 + 16 + 1 + id_n + 1 + 14 + u->mid_n + contacts_n + 2 + 32 +
	       u->tail_n;
}

/* One ticket line at p, which has ticket_size bytes; returns its end.
 * contacts: the owner and the escalation, or both in one "owner\tescalate". */
static char *put_ticket(struct day_cache *dc, char *p, struct slice id,
			int kind, const struct rule *u,
			const struct slice *contacts, int ncontacts, long long due)
{
	p = put_ticket_id(p, id);
	*p++ = '\t';
	p = put(p, id.p, id.n);
	*p++ = '\t';
	p = put(p, kind_text[kind].p, kind_text[kind].n);
	p = put(p, u->mid, u->mid_n);
	for (int i = 0; i < ncontacts; i++) {
		if (i)
			*p++ = '\t';
		p = put(p, contacts[i].p, contacts[i].n);
	}
	*p++ = '\t';
	p = put_time(dc, p, due);
	*p++ = '\t';
	return put(p, u->tail, u->tail_n);
}

static struct day_cache main_days; /* the main thread's */

/* Writes one ticket line straight into the output buffer (through a
 * scratch buffer only when one line is longer than the whole buffer). */
static void write_ticket(struct slice id, int kind, const struct rule *u,
			 const struct slice *contacts, int ncontacts,
			 long long due)
{
	static struct buf scratch;
	size_t cn = 0;
	for (int i = 0; i < ncontacts; i++)
		cn += contacts[i].n;
	size_t need = ticket_size(id.n, u, cn);
	if (out.cap - out.len < need)
		writer_flush(&out);
	if (out.cap - out.len >= need) {
		char *start = out.buf + out.len;
		out.len += (size_t)(put_ticket(&main_days, start, id, kind, u,
					       contacts, ncontacts, due) - start);
		return;
	}
	buf_grow(&scratch, need);
	char *end = put_ticket(&main_days, scratch.p, id, kind, u, contacts,
			       ncontacts, due);
	out_write(scratch.p, (size_t)(end - scratch.p));
}

/* ---- the sort ---- */

/* A kept ticket, in 24 bytes. The key's low 50 bits order the tickets
 * (until the end: the priority rank above the biased due time; then
 * re-packed into as few bits as the data need); its top 14 bits say which
 * rule and which kind of response. Owner and escalation are interned as
 * one "owner\tescalate" string: few distinct values, one copy each. A
 * response id of up to 11 bytes is inline; a longer one lives in the
 * arena (4 bytes of length, then the bytes), id holding its offset. */
#define LONG_ID 255
struct record {
	uint64_t key;
	uint32_t contacts; /* id in the contacts table */
	uint8_t id_len;    /* LONG_ID: the id is in the arena */
	char id[11];
};
_Static_assert(sizeof(struct record) == 24, "a record is 24 bytes");
#define ORDER_BITS 50
#define ORDER_MASK ((1ULL << ORDER_BITS) - 1)
/* Due times stay within +-2^39 s: years 0..9999 plus at most 1e6 hours. */
#define DUE_BITS 40
#define DUE_BIAS (1LL << 39)

/* The distinct "owner\tescalate" strings, each stored once in text, ids
 * 0, 1, 2 ... in order of first sight: an open-addressing table with a
 * hash cheap enough for one lookup per row, taken of the two fields as
 * they are (a field holds no TAB, so the pair is the text). */
struct contacts {
	struct contact_slot {
		uint32_t id;   /* id + 1; 0: empty */
		uint32_t hash;
	} *slots;
	size_t nslots, count;
	struct buf text;
	uint64_t *where;  /* per id: offset << 24 | length */
};

static uint64_t mix_bytes(uint64_t h, const char *p, size_t n)
{
	uint64_t w = 0;
	if (n >= 8) {
		for (size_t i = 0; i + 8 < n; i += 8) {
			memcpy(&w, p + i, 8);
			h = (h ^ w) * 0xff51afd7ed558ccdULL;
			h ^= h >> 32;
		}
		memcpy(&w, p + n - 8, 8); /* the last 8 bytes, overlapping */
	} else if (n >= 4) {
		uint32_t a, b; /* the first 4 and the last 4, overlapping */
		memcpy(&a, p, 4);
		memcpy(&b, p + n - 4, 4);
		w = (uint64_t)a << 32 | b;
	} else if (n) {
		w = (uint64_t)(unsigned char)p[0] << 16 |
		    (uint64_t)(unsigned char)p[n / 2] << 8 | (unsigned char)p[n - 1];
	}
	h = (h ^ w ^ n) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ h >> 29;
}

static uint32_t contacts_hash(struct slice owner, struct slice escalate)
{
	uint64_t h = mix_bytes(mix_bytes(0x9e3779b97f4a7c15ULL, owner.p, owner.n),
			       escalate.p, escalate.n);
	return (uint32_t)(h ^ h >> 32);
}

/* memcmp(a, b, n) == 0, without a call for the short fields of a row. */
static int same_bytes(const char *a, const char *b, size_t n)
{
	if (n > 8)
		return memcmp(a, b, n) == 0;
	if (n >= 4) {
		uint32_t x[2], y[2];
		memcpy(&x[0], a, 4);
		memcpy(&x[1], a + n - 4, 4);
		memcpy(&y[0], b, 4);
		memcpy(&y[1], b + n - 4, 4);
		return x[0] == y[0] && x[1] == y[1];
	}
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static struct slice contacts_text(const struct contacts *c, uint32_t id)
{
	uint64_t at = c->where[id];
	return (struct slice){ c->text.p + (at >> 24), (size_t)(at & 0xffffff) };
}

static uint32_t contacts_intern(struct contacts *c, struct slice owner,
				struct slice escalate)
{
	size_t n = owner.n + 1 + escalate.n;
	if (n > 0xffffff)
		die(EX_DATA_, "an owner and escalation longer than 16 MB");
	if (c->count * 2 >= c->nslots) {
		size_t nslots = c->nslots ? c->nslots * 2 : 1024;
		struct contact_slot *slots = calloc(nslots, sizeof *slots);
		if (!slots)
			die(EX_SOFTWARE_, "out of memory (%zu slots)", nslots);
		for (size_t i = 0; i < c->nslots; i++) {
			if (!c->slots[i].id)
				continue;
			size_t j = c->slots[i].hash & (nslots - 1);
			while (slots[j].id)
				j = (j + 1) & (nslots - 1);
			slots[j] = c->slots[i];
		}
		free(c->slots);
		c->slots = slots;
		c->nslots = nslots;
		c->where = xrealloc(c->where, nslots / 2 * sizeof *c->where);
	}
	uint32_t hash = contacts_hash(owner, escalate);
	size_t j = hash & (c->nslots - 1);
	for (; c->slots[j].id; j = (j + 1) & (c->nslots - 1)) {
		if (c->slots[j].hash != hash)
			continue;
		struct slice t = contacts_text(c, c->slots[j].id - 1);
		if (t.n == n && same_bytes(t.p, owner.p, owner.n) &&
		    same_bytes(t.p + owner.n + 1, escalate.p, escalate.n))
			return c->slots[j].id - 1;
	}
	if (c->count >= UINT32_MAX - 1)
		die(EX_SOFTWARE_, "more than %u distinct owners", UINT32_MAX - 1);
	uint32_t id = (uint32_t)c->count++;
	c->where[id] = (uint64_t)c->text.len << 24 | n;
	buf_add(&c->text, owner.p, owner.n);
	buf_addc(&c->text, '\t');
	buf_add(&c->text, escalate.p, escalate.n);
	c->slots[j] = (struct contact_slot){ id + 1, hash };
	return id;
}

static void contacts_free(struct contacts *c)
{
	free(c->slots);
	free(c->where);
	buf_free(&c->text);
}

static struct slice field_or_empty(const struct slice *fields, long col)
{
	return col >= 0 ? fields[col] : (struct slice){ "", 0 };
}

/* Kept tickets live in chunks of CHUNK records: growing copies nothing,
 * and at the end each chunk is split by itself, in cache. With a second
 * core, once the first chunk is full, a thread allocates chunks ahead and
 * touches their pages: the page faults are then not the main thread's. */
#define CHUNK 65536
#define READY_CHUNKS 2
struct store {
	struct record **chunk;
	size_t n, nchunks, chunks_cap;
	struct buf arena;    /* long response ids */
	struct contacts contacts;
	unsigned prio_rank[MAX_RULES]; /* by rule: rank of its priority */
	long long min_due, max_due;
	/* the supplier of chunks */
	int supplying, stop;
	pthread_t supplier;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct record *ready[READY_CHUNKS];
	int nready;
};

static const struct buf *long_ids;

static struct slice record_id(const struct record *r)
{
	if (r->id_len != LONG_ID)
		return (struct slice){ r->id, r->id_len };
	uint64_t off;
	uint32_t n;
	memcpy(&off, r->id, sizeof off);
	memcpy(&n, long_ids->p + off, sizeof n);
	return (struct slice){ long_ids->p + off + sizeof n, n };
}

/* The order of kept tickets: by the order key, then by response id, then
 * by what else the ticket holds, so that records that still compare equal
 * write the same line. */
static int by_ticket(const void *pa, const void *pb)
{
	const struct record *a = pa, *b = pb;
	uint64_t ka = a->key & ORDER_MASK, kb = b->key & ORDER_MASK;
	if (ka != kb)
		return ka < kb ? -1 : 1;
	struct slice x = record_id(a), y = record_id(b);
	int c = memcmp(x.p, y.p, x.n < y.n ? x.n : y.n);
	if (c)
		return c;
	if (x.n != y.n)
		return x.n < y.n ? -1 : 1;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return (a->contacts > b->contacts) - (a->contacts < b->contacts);
}

static void sort_small(struct record *v, size_t n)
{
	if (n > 16) {
		qsort(v, n, sizeof *v, by_ticket);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		struct record x = v[i];
		size_t j = i;
		for (; j > 0 && by_ticket(&v[j - 1], &x) > 0; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* Moves v's records, in place, into the order of their digit
 * (key >> shift & mask), digit d to [edges[d], edges[d + 1]): one pass of
 * an MSD radix sort (American flag sort), no second array needed. */
static void partition(struct record *v, const size_t *edges, size_t ndigits,
		      int shift, uint64_t mask, size_t *head)
{
	memcpy(head, edges, ndigits * sizeof *head);
	for (size_t d = 0; d < ndigits; d++) {
		while (head[d] < edges[d + 1]) {
			struct record x = v[head[d]];
			size_t e = x.key >> shift & mask;
			while (e != d) { /* x goes to e's next place; take what was there */
				struct record t = v[head[e]];
				v[head[e]++] = x;
				x = t;
				e = x.key >> shift & mask;
			}
			v[head[d]++] = x;
		}
	}
}

/* LSD radix sort of v[0..n) on the low `bits` bits of the keys, through
 * tmp (n records), at most 10 bits a pass; the counts of every pass come
 * from one read, and a pass whose digit is the same in every key is
 * skipped. Then runs of equal order keys are sorted by by_ticket. */
#define LSD_DIGIT 10
static void lsd_sort(struct record *v, size_t n, int bits, struct record *tmp)
{
	enum { MAX_PASSES = (ORDER_BITS + LSD_DIGIT - 1) / LSD_DIGIT };
	size_t count[MAX_PASSES][1 << LSD_DIGIT];
	int passes = (bits + LSD_DIGIT - 1) / LSD_DIGIT;
	int d = passes ? (bits + passes - 1) / passes : 0;
	uint64_t mask = (1ULL << d) - 1;
	memset(count, 0, (size_t)passes * sizeof count[0]);
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < passes; k++)
			count[k][v[i].key >> (k * d) & mask]++;
	struct record *src = v, *dst = tmp;
	for (int k = 0; k < passes; k++) {
		size_t sum = 0, *c = count[k];
		int trivial = 0;
		for (size_t j = 0; j <= mask; j++) {
			size_t x = c[j];
			trivial |= x == n;
			c[j] = sum;
			sum += x;
		}
		if (trivial)
			continue;
		int shift = k * d;
		for (size_t i = 0; i < n; i++)
			dst[c[src[i].key >> shift & mask]++] = src[i];
		struct record *t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof *v);
	for (size_t i = 0, j; i < n; i = j) {
		uint64_t order = v[i].key & ORDER_MASK;
		for (j = i + 1; j < n && (v[j].key & ORDER_MASK) == order; j++)
			;
		if (j - i > 1)
			sort_small(v + i, j - i);
	}
}

/* Sorts v[0..n), whose order keys agree above their low `bits` bits. A
 * run that fits tmp (SORT_RUN records) is sorted there, in cache; a
 * longer one is first split, in place, by its top 8 bits. */
#define SORT_RUN 65536
static void sort_records(struct record *v, size_t n, int bits,
			 struct record *tmp)
{
	enum { D = 8 };
	size_t edges[(1 << D) + 1], head[1 << D];
	while (n > SORT_RUN && bits > 0) {
		int d = bits < D ? bits : D, shift = bits - d;
		size_t ndigits = (size_t)1 << d;
		uint64_t mask = ndigits - 1;
		memset(edges, 0, (ndigits + 1) * sizeof *edges);
		for (size_t i = 0; i < n; i++)
			edges[(v[i].key >> shift & mask) + 1]++;
		bits = shift;
		int one = 0; /* every key has the same digit: none to split by */
		for (size_t k = 0; k < ndigits; k++) {
			one |= edges[k + 1] == n;
			edges[k + 1] += edges[k];
		}
		if (one)
			continue;
		partition(v, edges, ndigits, shift, mask, head);
		for (size_t k = 0; k < ndigits; k++)
			sort_records(v + edges[k], edges[k + 1] - edges[k], shift, tmp);
		return;
	}
	if (n <= 32 || bits == 0)
		sort_small(v, n);
	else
		lsd_sort(v, n, bits, tmp);
}

/* The supplier thread: keeps READY_CHUNKS chunks allocated, one byte a
 * page written, until told to stop. */
static void *supplier(void *arg)
{
	struct store *s = arg;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (s->nready == READY_CHUNKS && !s->stop)
			pthread_cond_wait(&s->cond, &s->lock);
		if (s->stop)
			break;
		pthread_mutex_unlock(&s->lock);
		char *c = xmalloc(CHUNK * sizeof(struct record));
		for (size_t i = 0; i < CHUNK * sizeof(struct record); i += 4096)
			c[i] = 0;
		pthread_mutex_lock(&s->lock);
		s->ready[s->nready++] = (struct record *)(void *)c;
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static void new_chunk(struct store *s)
{
	if (s->nchunks == s->chunks_cap) {
		s->chunks_cap = s->chunks_cap ? s->chunks_cap * 2 : 64;
		s->chunk = xrealloc(s->chunk, s->chunks_cap * sizeof *s->chunk);
	}
	if (s->nchunks == 1 && threads_wanted()) {
		pthread_mutex_init(&s->lock, NULL);
		pthread_cond_init(&s->cond, NULL);
		s->supplying = pthread_create(&s->supplier, NULL, supplier, s) == 0;
	}
	struct record *c = NULL;
	if (s->supplying) { /* one that is ready, or none: no waiting */
		pthread_mutex_lock(&s->lock);
		if (s->nready)
			c = s->ready[--s->nready];
		pthread_cond_signal(&s->cond);
		pthread_mutex_unlock(&s->lock);
	}
	s->chunk[s->nchunks++] = c ? c : xmalloc(CHUNK * sizeof *c);
}

static void stop_supplier(struct store *s)
{
	if (!s->supplying)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = 1;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->supplier, NULL);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	while (s->nready)
		free(s->ready[--s->nready]);
	s->supplying = 0;
}

static void store_free(struct store *s)
{
	stop_supplier(s);
	for (size_t c = 0; c < s->nchunks; c++)
		free(s->chunk[c]);
	free(s->chunk);
	contacts_free(&s->contacts);
	buf_free(&s->arena);
}

static void store_add(struct store *s, const struct rules *rs,
		      const struct rule *u, const struct slice *fields,
		      struct slice id, int kind, long long due)
{
	if (s->n % CHUNK == 0)
		new_chunk(s);
	struct record *r = &s->chunk[s->n / CHUNK][s->n % CHUNK];
	s->n++;
	size_t rule = (size_t)(u - rs->v);
	r->key = (uint64_t)(rule * KINDS + (size_t)kind) << ORDER_BITS |
		 (uint64_t)s->prio_rank[rule] << DUE_BITS |
		 (uint64_t)(due + DUE_BIAS);
	r->contacts = contacts_intern(&s->contacts,
				      field_or_empty(fields, u->owner_col),
				      field_or_empty(fields, u->escalate_col));
	if (id.n < LONG_ID && id.n <= sizeof r->id) {
		r->id_len = (uint8_t)id.n;
		memcpy(r->id, id.p, id.n);
	} else {
		uint64_t off = s->arena.len;
		if (id.n > UINT32_MAX)
			die(EX_DATA_, "a response id longer than 4 GB");
		uint32_t n = (uint32_t)id.n;
		r->id_len = LONG_ID;
		memcpy(r->id, &off, sizeof off);
		buf_add(&s->arena, &n, sizeof n);
		buf_add(&s->arena, id.p, id.n);
	}
	if (s->n == 1 || due < s->min_due)
		s->min_due = due;
	if (s->n == 1 || due > s->max_due)
		s->max_due = due;
}

/* ---- the end: sorting and writing the kept tickets ---- */

/* After the input, the keys are re-packed, and each chunk is split by
 * their top digit into buckets, in cache: bucket d of chunk c is then one
 * piece of it, [at(c, d), at(c, d + 1)). Buckets are taken in order, in
 * units of about BLOCK_TICKETS tickets: a bucket's pieces are gathered,
 * sorted and written. With a second core, a helper thread splits half of
 * the chunks, then does every other unit into a buffer of its own, which
 * the main thread writes in turn: the same bytes as one thread writes. A
 * bucket bigger than a chunk (many equal keys) is not gathered but merged
 * from its pieces, sorted in place, by the main thread. */
#define TOP_DIGIT 11
#define BLOCK_TICKETS 16384

struct finish {
	const struct store *s;
	const struct rules *rs;
	struct record **chunk;  /* the store's, split */
	size_t half;            /* the helper splits chunks [half, nchunks) */
	size_t *start;          /* chunk c's bucket d begins at start[c * (nbuckets + 1) + d] */
	size_t *size;           /* by bucket: its tickets */
	size_t nbuckets;
	size_t *unit, nunits;   /* unit u: buckets [unit[u], unit[u + 1]) */
	unsigned char *mine;    /* by unit: 1 for the helper's */
	int shift;              /* bits below the top digit */
	int due_bits;
	/* the helper's side */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int split, planned;  /* the helper's chunks are split; units planned */
	struct buf text[2];  /* the helper's units, alternately */
	int full[2];         /* text[i] waits to be written */
};

/* What a thread needs to sort and write a unit. */
struct worker {
	struct record *gathered, *tmp; /* CHUNK records each */
	size_t *head;                  /* by bucket */
	struct day_cache days;
};
_Static_assert(CHUNK <= SORT_RUN, "a gathered bucket is sorted in tmp");

static size_t piece_at(const struct finish *f, size_t c, size_t d)
{
	return f->start[c * (f->nbuckets + 1) + d];
}

/* Chunk c's keys re-packed (rank << bits | due - min_due) and counted by
 * top digit; then the chunk is moved into the order of that digit, into
 * w->gathered, which becomes the chunk (and the chunk w->gathered). */
static void split_chunk(struct finish *f, size_t c, struct worker *w)
{
	const struct store *s = f->s;
	struct record *v = f->chunk[c];
	size_t n = c + 1 < s->nchunks ? CHUNK : s->n - c * CHUNK;
	size_t *at = f->start + c * (f->nbuckets + 1);
	uint64_t top_mask = f->nbuckets - 1, due_mask = (1ULL << DUE_BITS) - 1;
	for (size_t i = 0; i < n; i++) {
		uint64_t k = v[i].key;
		long long due = (long long)(k & due_mask) - DUE_BIAS;
		uint64_t rank = (k & ORDER_MASK) >> DUE_BITS;
		k = (k & ~ORDER_MASK) | rank << f->due_bits |
		    (uint64_t)(due - s->min_due);
		v[i].key = k;
		at[(k >> f->shift & top_mask) + 1]++;
	}
	for (size_t d = 0; d < f->nbuckets; d++)
		at[d + 1] += at[d];
	memcpy(w->head, at, f->nbuckets * sizeof *w->head);
	for (size_t i = 0; i < n; i++)
		w->gathered[w->head[v[i].key >> f->shift & top_mask]++] = v[i];
	f->chunk[c] = w->gathered;
	w->gathered = v;
}

/* One ticket, into `to`, or straight to the output when to is NULL. */
static void format_record(const struct finish *f, const struct record *r,
			  struct day_cache *dc, struct buf *to)
{
	const struct store *s = f->s;
	uint64_t which = r->key >> ORDER_BITS;
	long long due = (long long)(r->key & ((1ULL << f->due_bits) - 1)) +
			s->min_due;
	const struct rule *u = &f->rs->v[which / KINDS];
	int kind = (int)(which % KINDS);
	struct slice id = record_id(r);
	struct slice c = contacts_text(&s->contacts, r->contacts);
	if (!to) {
		write_ticket(id, kind, u, &c, 1, due);
		return;
	}
	buf_grow(to, ticket_size(id.n, u, c.n));
	char *e = put_ticket(dc, to->p + to->len, id, kind, u, &c, 1, due);
	to->len = (size_t)(e - to->p);
}

struct cursor {
	const struct record *p, *end;
};

static void sift_down(struct cursor *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < n && by_ticket(h[l].p, h[m].p) < 0)
			m = l;
		if (l + 1 < n && by_ticket(h[l + 1].p, h[m].p) < 0)
			m = l + 1;
		if (m == i)
			return;
		struct cursor t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/* Bucket d, too big to gather: its pieces, sorted in place, then merged
 * through a heap. */
static void merge_bucket(const struct finish *f, size_t d, struct worker *w)
{
	const struct store *s = f->s;
	struct cursor *h = xmalloc(s->nchunks * sizeof *h);
	size_t nh = 0;
	for (size_t c = 0; c < s->nchunks; c++) {
		struct record *v = f->chunk[c];
		size_t a = piece_at(f, c, d), b = piece_at(f, c, d + 1);
		sort_records(v + a, b - a, f->shift, w->tmp);
		if (a < b)
			h[nh++] = (struct cursor){ v + a, v + b };
	}
	for (size_t i = nh / 2; i-- > 0;)
		sift_down(h, nh, i);
	while (nh) {
		format_record(f, h[0].p, &w->days, NULL);
		if (++h[0].p == h[0].end)
			h[0] = h[--nh];
		sift_down(h, nh, 0);
	}
	free(h);
}

/* Unit u's tickets, into `to`, or straight to the output when to is NULL. */
static void do_unit(const struct finish *f, size_t u, struct worker *w,
		    struct buf *to)
{
	const struct store *s = f->s;
	for (size_t d = f->unit[u]; d < f->unit[u + 1]; d++) {
		if (f->size[d] > CHUNK) {
			merge_bucket(f, d, w);
			continue;
		}
		size_t n = 0;
		for (size_t c = 0; c < s->nchunks; c++) {
			size_t a = piece_at(f, c, d), b = piece_at(f, c, d + 1);
			memcpy(w->gathered + n, f->chunk[c] + a,
			       (b - a) * sizeof *w->gathered);
			n += b - a;
		}
		sort_records(w->gathered, n, f->shift, w->tmp);
		for (size_t i = 0; i < n; i++)
			format_record(f, &w->gathered[i], &w->days, to);
	}
}

static void set_flag(struct finish *f, int *flag, int v)
{
	pthread_mutex_lock(&f->lock);
	*flag = v;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

static void wait_flag(struct finish *f, const int *flag, int v)
{
	pthread_mutex_lock(&f->lock);
	while (*flag != v)
		pthread_cond_wait(&f->cond, &f->lock);
	pthread_mutex_unlock(&f->lock);
}

static void worker_init(struct worker *w, size_t nbuckets)
{
	w->gathered = xmalloc(CHUNK * sizeof *w->gathered);
	w->tmp = xmalloc(CHUNK * sizeof *w->tmp);
	w->head = xmalloc(nbuckets * sizeof *w->head);
}

static void worker_free(struct worker *w)
{
	free(w->gathered);
	free(w->tmp);
	free(w->head);
}

/* The buckets' sizes, and units of about BLOCK_TICKETS (a bucket to merge
 * is one of its own, the main thread's). */
static void plan_units(struct finish *f, int threaded)
{
	const struct store *s = f->s;
	size_t nb1 = f->nbuckets + 1;
	memset(f->size, 0, f->nbuckets * sizeof *f->size);
	for (size_t c = 0; c < s->nchunks; c++)
		for (size_t d = 0; d < f->nbuckets; d++)
			f->size[d] += f->start[c * nb1 + d + 1] - f->start[c * nb1 + d];
	for (size_t d = 0, turn = 0; d < f->nbuckets;) {
		size_t n = 0, from = d;
		int big = f->size[d] > CHUNK;
		if (big)
			d++;
		while (!big && d < f->nbuckets && f->size[d] <= CHUNK &&
		       n < BLOCK_TICKETS)
			n += f->size[d++];
		f->unit[f->nunits] = from;
		f->mine[f->nunits++] = threaded && !big && (turn++ & 1);
	}
	f->unit[f->nunits] = f->nbuckets;
}

static void *helper(void *arg)
{
	struct finish *f = arg;
	struct worker w = { 0 };
	worker_init(&w, f->nbuckets);
	for (size_t c = f->half; c < f->s->nchunks; c++)
		split_chunk(f, c, &w);
	set_flag(f, &f->split, 1);
	wait_flag(f, &f->planned, 1);
	for (size_t u = 0, i = 0; u < f->nunits; u++) {
		if (!f->mine[u])
			continue;
		wait_flag(f, &f->full[i], 0);
		f->text[i].len = 0;
		do_unit(f, u, &w, &f->text[i]);
		set_flag(f, &f->full[i], 1);
		i ^= 1;
	}
	worker_free(&w);
	return NULL;
}

static void store_write(struct store *s, const struct rules *rs)
{
	stop_supplier(s);
	if (!s->n)
		return;
	/* order = rank << bits | (due - min_due) */
	int bits = 0;
	while (bits < DUE_BITS && (uint64_t)(s->max_due - s->min_due) >> bits)
		bits++;
	unsigned max_rank = 0;
	for (size_t i = 0; i < rs->n; i++)
		if (s->prio_rank[i] > max_rank)
			max_rank = s->prio_rank[i];
	int rank_bits = 0;
	while (max_rank >> rank_bits)
		rank_bits++;
	int total = bits + rank_bits;
	int top = total < TOP_DIGIT ? total : TOP_DIGIT;
	struct finish f = { .s = s, .rs = rs, .chunk = s->chunk,
			    .shift = total - top, .due_bits = bits,
			    .nbuckets = (size_t)1 << top };
	size_t nb1 = f.nbuckets + 1;
	f.start = xmalloc(s->nchunks * nb1 * sizeof *f.start);
	memset(f.start, 0, s->nchunks * nb1 * sizeof *f.start);
	f.size = xmalloc(f.nbuckets * sizeof *f.size);
	f.unit = xmalloc((f.nbuckets + 1) * sizeof *f.unit);
	f.mine = xmalloc(f.nbuckets);
	long_ids = &s->arena;

	int threaded = s->n >= 2 * BLOCK_TICKETS && threads_wanted();
	f.half = threaded ? s->nchunks / 2 : s->nchunks;
	if (threaded) {
		pthread_mutex_init(&f.lock, NULL);
		pthread_cond_init(&f.cond, NULL);
		threaded = pthread_create(&f.thread, NULL, helper, &f) == 0;
		if (!threaded)
			f.half = s->nchunks;
	}
	struct worker w = { 0 };
	worker_init(&w, f.nbuckets);
	for (size_t c = 0; c < f.half; c++)
		split_chunk(&f, c, &w);
	if (threaded)
		wait_flag(&f, &f.split, 1);
	plan_units(&f, threaded);
	if (threaded)
		set_flag(&f, &f.planned, 1);
	for (size_t u = 0, i = 0; u < f.nunits; u++) {
		if (!f.mine[u]) {
			do_unit(&f, u, &w, NULL);
			continue;
		}
		wait_flag(&f, &f.full[i], 1);
		out_write(f.text[i].p, f.text[i].len);
		set_flag(&f, &f.full[i], 0);
		i ^= 1;
	}
	worker_free(&w);
	if (threaded) {
		pthread_join(f.thread, NULL);
		pthread_mutex_destroy(&f.lock);
		pthread_cond_destroy(&f.cond);
		buf_free(&f.text[0]);
		buf_free(&f.text[1]);
	}
	free(f.start);
	free(f.size);
	free(f.unit);
	free(f.mine);
}

static int by_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return (x > y) - (x < y);
}

/* The rank of each rule's priority among the distinct priorities. */
static void rank_priorities(const struct rules *rs, unsigned *rank)
{
	unsigned p[MAX_RULES];
	size_t n = 0;
	for (size_t i = 0; i < rs->n; i++)
		p[n++] = rs->v[i].priority;
	qsort(p, n, sizeof *p, by_uint);
	for (size_t i = 0; i < rs->n; i++) {
		rank[i] = 0;
		for (size_t j = 0; j < n && p[j] < rs->v[i].priority; j++)
			if (j == 0 || p[j] != p[j - 1])
				rank[i]++;
	}
}

/* In a live feed, a ticket is written as soon as no further line is
 * already waiting in the reader's buffer. */
static int input_waiting(const struct tsv_reader *r)
{
	return tsv_buffered(r);
}


int main(int argc, char **argv)
{
	const char *id_name = "response_id", *score_name = NULL,
		   *time_name = "responded_at", *value_name = NULL,
		   *owner_name = "store", *escalate_name = "region",
		   *rules_path = NULL, *rejects = NULL;
	struct tsv_header given = { 0 };
	double high = 1500;
	int print_rules = 0, no_sort = 0;
	enum { O_OWNER = 256, O_ESCALATE, O_RULES, O_PRINT, O_HIGH, O_NOSORT,
	       O_REJECTS, O_VERSION };
	static const struct option options[] = {
		{ "id", required_argument, NULL, 'i' },
		{ "score", required_argument, NULL, 's' },
		{ "time", required_argument, NULL, 't' },
		{ "value", required_argument, NULL, 'v' },
		{ "owner", required_argument, NULL, O_OWNER },
		{ "escalate", required_argument, NULL, O_ESCALATE },
		{ "rules", required_argument, NULL, O_RULES },
		{ "print-rules", no_argument, NULL, O_PRINT },
		{ "high-value", required_argument, NULL, O_HIGH },
		{ "no-sort", no_argument, NULL, O_NOSORT },
		{ "rejects", required_argument, NULL, O_REJECTS },
		TSV_HEADER_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ 0 },
	};
	prog_init(argv[0]);
	int c;
	while ((c = getopt_long(argc, argv, "i:s:t:v:h", options, NULL)) != -1) {
		switch (c) {
		case 'i': id_name = optarg; break;
		case 's': score_name = optarg; break;
		case 't': time_name = optarg; break;
		case 'v': value_name = optarg; break;
		case O_OWNER: owner_name = optarg; break;
		case O_ESCALATE: escalate_name = optarg; break;
		case O_RULES: rules_path = optarg; break;
		case O_PRINT: print_rules = 1; break;
		case O_HIGH:
			if (!num_arg_double(optarg, &high))
				die_usage("--high-value must be a number (\"%s\")", optarg);
			break;
		case O_NOSORT: no_sort = 1; break;
		case O_REJECTS: rejects = optarg; break;
		case TSV_OPT_COLUMNS: case TSV_OPT_HEADER_FROM: tsv_header_option(&given, c, optarg); break;
		case 'h': usage(); exit_printed();
		case O_VERSION: printf("nps-route %s\n", NPSKIT_VERSION); exit_printed();
		default: die_option(argv, "i:s:t:v:h");
		}
	}

	struct rules rs;
	if (print_rules) {
		if (rules_path)
			die_usage("--print-rules writes the built-in rules; it takes no --rules");
		struct buf b = { 0 };
		default_rules(&b, high);
		out_write(b.p, b.len);
		writer_close(&out);
		buf_free(&b);
		return 0;
	}
	if (rules_path) {
		rules_read(&rs, rules_path, high);
	} else {
		struct buf b = { 0 };
		default_rules(&b, high);
		rules_parse(&rs, "built-in rules", b.p, b.len, high);
		buf_free(&b);
	}

	struct tsv_reader r;
	tsv_open_header(&r, &given, argc - optind, argv + optind);
	if (!r.has_header) { /* empty input, empty output */
		writer_close(&out);
		tsv_close(&r);
		rules_free(&rs);
		return 0;
	}
	size_t id_col = tsv_col(&r, id_name);
	size_t time_col = tsv_col(&r, time_name);
	long score_col = score_name ? (long)tsv_col(&r, score_name)
				    : tsv_col_find(&r, "score");
	long segment_col = tsv_col_find(&r, "segment");
	if (score_col < 0 && segment_col < 0)
		die_usage("no column \"score\" or \"segment\" in %s (columns: %s)",
			  r.header_file, column_list(&r));
	long value_col = value_name ? (long)tsv_col(&r, value_name) : -1;
	rules_resolve(&rs, &r, owner_name, escalate_name);
	if (rejects)
		tsv_rejects_open(&r, rejects);

	out_str("ticket_id\tresponse_id\tsegment\tscore\tpriority\taction\towner\t"
		"escalate_to\tdue_at\treason\n");
	struct store s = { 0 };
	rank_priorities(&rs, s.prio_rank);
	while (tsv_next(&r)) {
		if (!tsv_check_width(&r))
			continue;
		const struct slice *f = r.fields;
		struct slice id = f[id_col];
		if (id.n == 0 || (id.p[0] == ' ' && slice_trim(id).n == 0)) {
			tsv_reject(&r, "%s must not be empty", id_name);
			continue;
		}
		int kind = 0;
		if (score_col >= 0) {
			kind = nps_score(f[score_col]);
			if (kind < 0) {
				tsv_reject(&r, "%s must be an integer 0..10 (%s)",
					   score_name ? score_name : "score",
					   tsv_quote(f[score_col]));
				continue;
			}
		}
		if (segment_col >= 0 && segment_col != score_col) {
			struct slice sf = f[segment_col];
			int seg = nps_segment_parse(slice_trim(sf));
			if (seg < 0) {
				tsv_reject(&r, "segment must be promoter, passive or "
					   "detractor (%s)", tsv_quote(sf));
				continue;
			}
			if (score_col < 0) {
				kind = SEG_ONLY + seg;
			} else if (seg != (int)nps_segment_of(kind)) {
				tsv_reject(&r, "segment does not match score %d (%s)",
					   kind, tsv_quote(sf));
				continue;
			}
		}
		long long utc;
		if (!parse_time(f[time_col], &utc)) {
			tsv_reject(&r, "%s must be a date or timestamp (%s)", time_name,
				   tsv_quote(f[time_col]));
			continue;
		}
		double value = 0;
		int known = 0;
		if (value_col >= 0 &&
		    (known = parse_value(f[value_col], &value)) < 0) {
			tsv_reject(&r, "%s must be a number, empty or NA (%s)", value_name,
				   tsv_quote(f[value_col]));
			continue;
		}
		const struct rule *u = match(&rs, kind, known, value);
		if (!u || u->none)
			continue;
		long long due = utc + u->sla_seconds;
		if (no_sort) {
			struct slice contacts[2] = { field_or_empty(f, u->owner_col),
						     field_or_empty(f, u->escalate_col) };
			write_ticket(id, kind, u, contacts, 2, due);
			if (!input_waiting(&r))
				writer_flush(&out);
		} else {
			store_add(&s, &rs, u, f, id, kind, due);
		}
	}
	if (!no_sort)
		store_write(&s, &rs);
	writer_close(&out);
	tsv_close(&r);
	store_free(&s);
	rules_free(&rs);
	return 0;
}

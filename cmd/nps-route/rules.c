/* rules: nps-route's routing rules, from a rules file (TSV, read with
 * lib's reader; '#' comment lines and blank lines skipped) or built in,
 * and the match of a response against them: the first rule taking it
 * wins. A rules file is checked whole before any input is read. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nps.h"
#include "num.h"
#include "route.h"
#include "util.h"

#define MAX_SLA_HOURS 1000000ULL
#define MAX_PRIORITY 999999ULL

/* The columns of a rules file. */
enum { C_SEGMENT, C_SCORE, C_VALUE, C_ACTION, C_SLA, C_PRIORITY, C_OWNER,
       C_ESCALATE, C_REASON, RULE_COLUMNS };
static const char *const column_names[RULE_COLUMNS] = {
	"segment", "score", "value", "action", "sla_hours", "priority", "owner",
	"escalate", "reason",
};

/* Where each column is in the file's rows; -1: absent. */
struct rule_columns {
	long at[RULE_COLUMNS];
	size_t width;
};

static void rules_die(const struct rules *rs, unsigned long line,
		      const char *fmt, ...) __attribute__((format(printf, 3, 4)));
_Noreturn static void rules_die(const struct rules *rs, unsigned long line,
				const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	die(EX_DATA_, "%s:%lu: %s", rs->name, line, msg);
}

/* "A..B": the parts before and after the first "..". 0 without one. */
static int split_range(struct slice s, struct slice *a, struct slice *b)
{
	for (size_t i = 0; i + 1 < s.n; i++) {
		if (s.p[i] == '.' && s.p[i + 1] == '.') {
			*a = (struct slice){ s.p, i };
			*b = (struct slice){ s.p + i + 2, s.n - i - 2 };
			return 1;
		}
	}
	return 0;
}

static int score_bound(struct slice s, unsigned *v)
{
	unsigned long long x;
	if (!num_count(s, &x) || x > 10)
		return 0;
	*v = (unsigned)x;
	return 1;
}

/* "N" or "A..B", 0 <= A <= B <= 10. */
static int parse_score_range(struct slice s, unsigned *lo, unsigned *hi)
{
	struct slice a, b;
	if (!split_range(s, &a, &b))
		return score_bound(s, lo) && (*hi = *lo, 1);
	return score_bound(a, lo) && score_bound(b, hi) && *lo <= *hi;
}

/* "high", "A..", "..B" or "A..B" with A < B. */
static int parse_value_range(struct slice s, double high_value, double *lo,
			     double *hi)
{
	struct slice a, b;
	*lo = -INFINITY;
	*hi = INFINITY;
	if (slice_eq(s, "high")) {
		*lo = high_value;
		return 1;
	}
	if (!split_range(s, &a, &b))
		return 0;
	a = slice_trim(a);
	b = slice_trim(b);
	if (a.n == 0 && b.n == 0)
		return 0;
	if ((a.n && !num_double(a, lo)) || (b.n && !num_double(b, hi)))
		return 0;
	return *lo < *hi;
}

static char *copy_slice(struct slice s) { return xstrndup(s.p, s.n); }


/* A reason for a rule that gives none: its conditions, as written. */
static char *describe(const struct slice *text, const struct rule_columns *cols)
{
	static const char *const prefix[] = { "", "score ", "value " };
	struct buf b = { 0 };
	for (int k = C_SEGMENT; k <= C_VALUE; k++) {
		if (cols->at[k] < 0 || slice_eq(text[k], "*"))
			continue;
		if (b.len)
			buf_add(&b, ", ", 2);
		buf_add(&b, prefix[k], strlen(prefix[k]));
		buf_add(&b, text[k].p, text[k].n);
	}
	if (!b.len)
		buf_add(&b, "any response", 12);
	return buf_cstr(&b);
}

/* Does rule a take every response rule b would? */
static int covers(const struct rule *a, const struct rule *b)
{
	if (b->takes & ~a->takes)
		return 0;
	if (a->value_any)
		return 1;
	return !b->value_any && a->value_lo <= b->value_lo &&
	       b->value_hi <= a->value_hi;
}

/* The answers a rule's segment and score columns take. */
static unsigned answers_taken(const struct rules *rs, unsigned long line,
			      struct slice segment, struct slice score)
{
	int seg = -1;
	if (!slice_eq(segment, "*") && (seg = nps_segment_parse(segment)) < 0)
		rules_die(rs, line, "segment must be promoter, passive, detractor "
			  "or * (%s)", tsv_quote(segment));
	unsigned lo = 0, hi = 10, takes = 0;
	int any_score = slice_eq(score, "*");
	if (!any_score && !parse_score_range(score, &lo, &hi))
		rules_die(rs, line, "score must be *, N or A..B with 0 <= A <= B "
			  "<= 10 (%s)", tsv_quote(score));
	for (unsigned s = lo; s <= hi; s++)
		if (seg < 0 || (int)nps_segment_of((int)s) == seg)
			takes |= 1u << s;
	for (int k = 0; k < 3 && any_score; k++)
		if (seg < 0 || seg == k)
			takes |= 1u << (ANSWER_SEGMENT + k);
	if (!takes)
		rules_die(rs, line, "rule can never match: no %s has a score in "
			  "%.*s", segment_names[seg], (int)score.n, score.p);
	return takes;
}

/* A rule's owner or escalate column: empty, the default one (NULL); "-",
 * none (""); else the name, which a NUL byte would cut short. */
static char *column_name(const struct rules *rs, unsigned long line,
			 const char *what, struct slice name)
{
	if (memchr(name.p, '\0', name.n))
		rules_die(rs, line, "%s must be a column name, without NUL bytes (%s)",
			  what, tsv_quote(name));
	if (name.n == 0)
		return NULL;
	return slice_eq(name, "-") ? xstrndup("", 0) : copy_slice(name);
}

/* Adds the rule in fields (a row of the rules file) to rs. */
static void rule_add(struct rules *rs, unsigned long line,
		     const struct slice *fields, const struct rule_columns *cols,
		     double high_value)
{
	struct slice text[RULE_COLUMNS];
	for (int k = 0; k < RULE_COLUMNS; k++)
		text[k] = cols->at[k] >= 0 ? slice_trim(fields[cols->at[k]])
					: (struct slice){ "*", 1 };
	if (rs->n == MAX_RULES)
		rules_die(rs, line, "more than 1000 rules");
	struct rule *rule = &rs->rule[rs->n];
	memset(rule, 0, sizeof *rule);
	rule->line = line;
	rule->takes = answers_taken(rs, line, text[C_SEGMENT], text[C_SCORE]);
	rule->value_any = slice_eq(text[C_VALUE], "*");
	if (!rule->value_any && !parse_value_range(text[C_VALUE], high_value,
						&rule->value_lo, &rule->value_hi))
		rules_die(rs, line, "value must be *, high, A.., ..B or A..B with "
			  "A < B (%s)", tsv_quote(text[C_VALUE]));

	if (text[C_ACTION].n == 0)
		rules_die(rs, line, "action must not be empty");
	unsigned long long number;
	if (!num_count(text[C_SLA], &number) || number > MAX_SLA_HOURS)
		rules_die(rs, line, "sla_hours must be an integer 0..1000000 (%s)",
			  tsv_quote(text[C_SLA]));
	rule->sla_seconds = (long long)number * 3600;
	if (!num_count(text[C_PRIORITY], &number) || number > MAX_PRIORITY)
		rules_die(rs, line, "priority must be an integer 0..999999 (%s)",
			  tsv_quote(text[C_PRIORITY]));
	rule->priority = (unsigned)number;
	rule->action = copy_slice(text[C_ACTION]);
	rule->no_ticket = slice_eq(text[C_ACTION], "none");

	struct slice none = { "", 0 };
	rule->owner = column_name(rs, line, "owner",
				  cols->at[C_OWNER] >= 0 ? text[C_OWNER] : none);
	rule->escalate = column_name(rs, line, "escalate",
				     cols->at[C_ESCALATE] >= 0 ? text[C_ESCALATE] : none);
	rule->reason = cols->at[C_REASON] >= 0 && text[C_REASON].n
			    ? copy_slice(text[C_REASON])
			    : describe(text, cols);

	for (size_t i = 0; i < rs->n; i++)
		if (covers(&rs->rule[i], rule))
			rules_die(rs, line, "rule can never match: the rule on line "
				  "%lu takes every response it would",
				  rs->rule[i].line);
	rs->n++;
}

/* The rules file's header: which column is where. */
static void find_columns(const struct rules *rs, unsigned long line,
			 const struct slice *names, size_t n,
			 struct rule_columns *cols)
{
	for (int k = 0; k < RULE_COLUMNS; k++)
		cols->at[k] = -1;
	cols->width = n;
	for (size_t i = 0; i < n; i++) {
		struct slice name = slice_trim(names[i]);
		int k = 0;
		while (k < RULE_COLUMNS && !slice_eq(name, column_names[k]))
			k++;
		if (k == RULE_COLUMNS)
			rules_die(rs, line, "unknown column %s (known: segment, score, "
				  "value, action, sla_hours, priority, owner, "
				  "escalate, reason)", tsv_quote(name));
		if (cols->at[k] >= 0)
			rules_die(rs, line, "column \"%s\" appears twice",
				  column_names[k]);
		cols->at[k] = (long)i;
	}
	for (int k = C_ACTION; k <= C_PRIORITY; k++)
		if (cols->at[k] < 0)
			rules_die(rs, line, "no column \"%s\" (needed: action, "
				  "sla_hours, priority)", column_names[k]);
}

/* The first rule by answer, and the first taking any value. */
static void rules_index(struct rules *rs)
{
	if (!rs->n)
		die(EX_DATA_, "%s: no rules (a header line and at least one rule "
		    "are needed)", rs->name);
	for (int a = 0; a < ANSWERS; a++) {
		rs->first[a] = rs->first_any_value[a] = NULL;
		for (size_t i = 0; i < rs->n && !rs->first_any_value[a]; i++) {
			if (!(rs->rule[i].takes >> a & 1))
				continue;
			if (!rs->first[a])
				rs->first[a] = &rs->rule[i];
			if (rs->rule[i].value_any)
				rs->first_any_value[a] = &rs->rule[i];
		}
	}
}

static void rules_start(struct rules *rs, const char *name)
{
	memset(rs, 0, sizeof *rs);
	rs->name = name;
	rs->rule = xmalloc(MAX_RULES * sizeof *rs->rule);
}

/* A comment or a blank line. */
static int skipped(struct slice line)
{
	return (line.n && line.p[0] == '#') || slice_trim(line).n == 0;
}

void rules_read(struct rules *rs, const char *path, double high_value)
{
	/* "-" is a file of that name here: standard input is the data's */
	char *files[1] = { strcmp(path, "-") == 0 ? "./-" : (char *)path };
	struct tsv_reader r;
	tsv_open(&r, 1, files);
	rules_start(rs, path);
	struct rule_columns cols;
	int have_columns = 0;
	if (r.has_header && !skipped((struct slice){ r.header.p, r.header.len })) {
		find_columns(rs, 1, r.cols, r.ncols, &cols);
		have_columns = 1;
	}
	while (tsv_next(&r)) {
		if (skipped(r.row))
			continue;
		if (!have_columns) {
			find_columns(rs, r.line, r.fields, r.nfields, &cols);
			have_columns = 1;
		} else if (r.nfields != cols.width) {
			rules_die(rs, r.line, "expected %zu fields, found %zu",
				  cols.width, r.nfields);
		} else {
			rule_add(rs, r.line, r.fields, &cols, high_value);
		}
	}
	tsv_close(&r);
	rules_index(rs);
}

/* The built-in rules: the closed loop. */
static const struct builtin_rule {
	const char *segment;
	int high_value;
	const char *action, *sla_hours, *priority, *reason;
} builtin[] = {
	{ "detractor", 1, "personal_call", "24", "1", "high-value detractor" },
	{ "detractor", 0, "automatic_remedy", "24", "2", "detractor" },
	{ "passive", 1, "personal_call", "72", "3", "high-value passive" },
	{ "passive", 0, "automatic_remedy", "72", "4", "passive" },
	{ "promoter", 1, "personal_call", "168", "5", "high-value promoter" },
	{ "promoter", 0, "automatic_remedy", "168", "6", "promoter" },
};

/* A number written so that reading it back gives the same double. */
static void format_number(double v, char out[32])
{
	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(out, 32, "%.0f", v);
		return;
	}
	for (int digits = 1; digits <= 17; digits++) {
		snprintf(out, 32, "%.*g", digits, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

void rules_builtin(struct rules *rs, double high_value)
{
	rules_start(rs, "built-in rules");
	struct rule_columns cols = { .width = RULE_COLUMNS };
	for (int k = 0; k < RULE_COLUMNS; k++)
		cols.at[k] = k;
	char high[32], range[40];
	format_number(high_value, high);
	snprintf(range, sizeof range, "%s..", high);
	for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++) {
		const struct builtin_rule *b = &builtin[i];
		struct slice fields[RULE_COLUMNS] = {
			slice_of(b->segment), slice_of("*"),
			slice_of(b->high_value ? range : "*"), slice_of(b->action),
			slice_of(b->sla_hours), slice_of(b->priority), slice_of(""),
			slice_of(""), slice_of(b->reason),
		};
		rule_add(rs, i + 1, fields, &cols, high_value);
	}
	rules_index(rs);
}

void rules_print_builtin(struct writer *w, double high_value)
{
	char high[32];
	format_number(high_value, high);
	writer_printf(w,
		"# nps-route built-in rules: the closed loop. The first rule that\n"
		"# matches a response wins. A detractor hears from someone within\n"
		"# 24 hours, a passive within 3 days, a promoter within 7 days; a\n"
		"# high-value customer (value >= %s) gets a personal call, the\n"
		"# others an automatic remedy. An empty owner or escalate names the\n"
		"# --owner or --escalate column. See nps-route(1).\n"
		"segment\tscore\tvalue\taction\tsla_hours\tpriority\towner\tescalate\treason\n",
		high);
	for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++) {
		const struct builtin_rule *b = &builtin[i];
		writer_printf(w, "%s\t*\t%s%s\t%s\t%s\t%s\t\t\t%s\n", b->segment,
			      b->high_value ? high : "*", b->high_value ? ".." : "",
			      b->action, b->sla_hours, b->priority, b->reason);
	}
}

/* The column a rule's owner or escalation comes from: the rule's own, or
 * the option's (the default one: -1 when the input lacks it). */
static long contact_column(const struct rules *rs, const struct rule *rule,
			   const struct tsv_reader *r, const char *ruled,
			   const char *option, int option_named)
{
	const char *name = ruled ? ruled : option;
	if (rule->no_ticket || !*name)
		return -1;
	long col = tsv_col_find(r, name);
	if (col >= 0 || (!ruled && !option_named))
		return col;
	if (!ruled)
		tsv_col(r, name); /* dies listing the columns */
	struct buf list = { 0 };
	tsv_format_cols(&list, r->cols, r->ncols, ", ");
	die(EX_USAGE_, "%s:%lu: no column \"%s\" in %s (columns: %s)", rs->name,
	    rule->line, name, r->header_file, buf_cstr(&list));
}

void rules_resolve(struct rules *rs, const struct tsv_reader *r,
		   const char *owner, int owner_named, const char *escalate,
		   int escalate_named, int timed)
{
	for (size_t i = 0; i < rs->n; i++) {
		struct rule *rule = &rs->rule[i];
		rule->owner_col = contact_column(rs, rule, r, rule->owner, owner, owner_named);
		rule->escalate_col = contact_column(rs, rule, r, rule->escalate, escalate,
						 escalate_named);
		rule->head.len = rule->ending.len = 0;
		char number[24];
		int n = snprintf(number, sizeof number, "%u\t", rule->priority);
		buf_add(&rule->head, number, (size_t)n);
		buf_add(&rule->head, rule->action, strlen(rule->action));
		buf_addc(&rule->head, '\t');
		buf_add(&rule->ending, rule->reason, strlen(rule->reason));
		if (!timed) {
			n = snprintf(number, sizeof number, "\t%lld",
				     rule->sla_seconds / 3600);
			buf_add(&rule->ending, number, (size_t)n);
		}
		buf_addc(&rule->ending, '\n');
	}
}

/* rs->first_any_value[answer] is the rule when no rule before it asks for
 * a value, or when the value is missing (only such rules take it). */
const struct rule *rules_match(const struct rules *rs, int answer,
			       int value_known, double value)
{
	const struct rule *rule = rs->first_any_value[answer];
	if (rule && (!value_known || rule == rs->first[answer]))
		return rule;
	for (size_t i = 0; i < rs->n; i++) {
		rule = &rs->rule[i];
		if (!(rule->takes >> answer & 1))
			continue;
		if (rule->value_any ||
		    (value_known && value >= rule->value_lo && value < rule->value_hi))
			return rule;
	}
	return NULL;
}

void rules_free(struct rules *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		struct rule *rule = &rs->rule[i];
		free(rule->action);
		free(rule->reason);
		buf_free(&rule->head);
		buf_free(&rule->ending);
		free(rule->owner);
		free(rule->escalate);
	}
	free(rs->rule);
}

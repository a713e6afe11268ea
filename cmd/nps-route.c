/* nps-route: close the loop. Turns each response a rule selects into a work
 * order (ticket) with an action, an owner, an escalation and a due time,
 * most urgent first. The rules (nps-route/rules.c) match on segment, score and
 * customer value, the first that matches winning; tickets are written as
 * they come (--no-sort) or kept in the store (nps-route/store.c) and written
 * sorted at the end; nps-route/tickets.c formats them. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "nps.h"
#include "num.h"
#include "nps-route/route.h"
#include "util.h"
#include "version.h"

struct options {
	const char *id, *score, *time, *value, *owner, *escalate, *rules_path,
		*rejects;
	int time_named, owner_named, escalate_named; /* given, not defaults */
	double high_value;
	int print_rules, no_sort;
	struct tsv_header given; /* --columns, --header-from */
};

/* The program's state, from the options to the end. */
struct route {
	const struct options *opt;
	struct rules rules;
	struct tsv_reader in;
	size_t id_col;
	long time_col, score_col, segment_col, value_col; /* -1: none */
	struct buf segment_name; /* the segment column's name, for messages */
	int timed;           /* the input has a time column */
	long long last_due;  /* ticket_last_due() */
};

/* What one thread routes rows with (the rows of all the input, or of
 * ranges of it: tsv_ranges): the program's state, read only, the current
 * row's "owner\tescalate_to", and where its tickets go. */
struct lane {
	OWN_LINES const struct route *rt;
	struct buf contacts;
	struct ticket_writer tickets;
	struct store *store; /* NULL: --no-sort */
};

static void usage(void);
static void print_rules(const struct options *opt);
static void route_open(struct route *rt, const struct options *opt,
		       int nfiles, char **files);
static void find_answer_cols(struct route *rt);
static void run_lanes(struct route *rt);
static void route_close(struct route *rt);

enum { O_OWNER = 256, O_ESCALATE, O_RULES, O_PRINT, O_HIGH, O_NOSORT,
       O_REJECTS, O_VERSION };
static const struct option long_options[] = {
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

int main(int argc, char **argv)
{
	struct options opt = { .id = "response_id", .time = "responded_at",
			       .owner = "store", .escalate = "region",
			       .high_value = 1500 };
	prog_init(argv[0]);
	for (int c; (c = getopt_long(argc, argv, "i:s:t:v:h", long_options, NULL)) != -1;) {
		switch (c) {
		case 'i': opt.id = optarg; break;
		case 's': opt.score = optarg; break;
		case 't': opt.time = optarg, opt.time_named = 1; break;
		case 'v': opt.value = optarg; break;
		case O_OWNER: opt.owner = optarg, opt.owner_named = 1; break;
		case O_ESCALATE: opt.escalate = optarg, opt.escalate_named = 1; break;
		case O_RULES: opt.rules_path = optarg; break;
		case O_PRINT: opt.print_rules = 1; break;
		case O_HIGH:
			if (!num_arg_double(optarg, &opt.high_value))
				die_usage("--high-value must be a number (\"%s\")", optarg);
			break;
		case O_NOSORT: opt.no_sort = 1; break;
		case O_REJECTS: opt.rejects = optarg; break;
		case TSV_OPT_COLUMNS: case TSV_OPT_HEADER_FROM: tsv_header_option(&opt.given, c, optarg); break;
		case 'h': usage(); exit_printed();
		case O_VERSION: printf("nps-route %s\n", NPSKIT_VERSION); exit_printed();
		default: die_option(argv, "i:s:t:v:h");
		}
	}
	if (opt.print_rules)
		print_rules(&opt);

	struct route rt;
	route_open(&rt, &opt, argc - optind, argv + optind);
	run_lanes(&rt);
	route_close(&rt);
	return 0;
}

static void usage(void)
{
	printf("Usage: nps-route [options] [file ...]\n"
	       "Write one work order per response that a rule selects, most urgent first.\n\n"
	       "  -i, --id COL          response id column (default: response_id)\n"
	       "  -s, --score COL       the question: COL_segment if the input has it, else\n"
	       "                        the score COL (default: score, else segment)\n"
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

_Noreturn static void print_rules(const struct options *opt)
{
	if (opt->rules_path)
		die_usage("--print-rules writes the built-in rules; it takes no --rules");
	rules_print_builtin(&out, opt->high_value);
	writer_close(&out);
	exit(0);
}

/* The rules, the input and its columns, the header. Empty input: empty
 * output, and the program ends here. */
static void route_open(struct route *rt, const struct options *opt,
		       int nfiles, char **files)
{
	memset(rt, 0, sizeof *rt);
	rt->opt = opt;
	if (opt->rules_path)
		rules_read(&rt->rules, opt->rules_path, opt->high_value);
	else
		rules_builtin(&rt->rules, opt->high_value);
	struct tsv_reader *in = &rt->in;
	tsv_open_header(in, &opt->given, nfiles, files);
	if (!in->has_header) {
		route_close(rt);
		exit(0);
	}
	rt->id_col = tsv_col(in, opt->id);
	rt->time_col = opt->time_named ? (long)tsv_col(in, opt->time)
				       : tsv_col_find(in, opt->time);
	find_answer_cols(rt);
	buf_cstr(&rt->segment_name); /* NUL-terminated once: threads only read it */
	rt->value_col = opt->value ? (long)tsv_col(in, opt->value) : -1;
	rt->timed = rt->time_col >= 0;
	rules_resolve(&rt->rules, in, opt->owner, opt->owner_named, opt->escalate,
		      opt->escalate_named, rt->timed);
	if (opt->rejects)
		tsv_rejects_open(in, opt->rejects);
	rt->last_due = ticket_last_due();
	out_str(rt->timed ? TICKET_HEADER "\n" : TICKET_HEADER "\tsla_hours\n");
}

/* The score and segment columns, named as npskit(7) says: -s COL reads
 * COL_segment when the input has it (nps-classify -s q1,q2 names its
 * columns so), else the segment of a single question, checked against the
 * score COL; a COL named segment or *_segment is read as segments. No -s:
 * score and segment. The names are found before the first row. */
static void find_answer_cols(struct route *rt)
{
	struct tsv_reader *in = &rt->in;
	const char *name = rt->opt->score;
	struct buf *seg = &rt->segment_name;
	rt->score_col = rt->segment_col = -1;
	if (name && nps_names_segments(name)) {
		buf_add(seg, name, strlen(name));
		rt->segment_col = (long)tsv_col(in, name);
		return;
	}
	if (name) {
		buf_add(seg, name, strlen(name));
		buf_add(seg, "_segment", 8);
		rt->score_col = tsv_col_find(in, name);
		rt->segment_col = tsv_col_find(in, buf_cstr(seg));
		if (rt->segment_col < 0 && rt->score_col >= 0) {
			seg->len = 0;
			buf_add(seg, "segment", 7);
			rt->segment_col = tsv_col_find(in, "segment");
		}
	} else {
		buf_add(seg, "segment", 7);
		rt->score_col = tsv_col_find(in, "score");
		rt->segment_col = tsv_col_find(in, "segment");
	}
	if (rt->score_col >= 0 || rt->segment_col >= 0)
		return;
	if (!name)
		nps_need_question(in);
	struct buf list = { 0 };
	tsv_format_cols(&list, in->cols, in->ncols, ", ");
	die_usage("no column \"%s\" or \"%s\" in %s (columns: %s)",
		  name ? name : "score", buf_cstr(seg), in->header_file,
		  buf_cstr(&list));
}

/* A customer value: 1 and *v for a number, 0 when missing ("" or "NA"),
 * -1 when bad. */
static int value_of(struct slice s, double *v)
{
	s = slice_trim(s);
	if (s.n == 0 || slice_eq(s, "NA"))
		return 0;
	return num_double(s, v) ? 1 : -1;
}

/* The current row's answer: its score, else its segment. An empty score
 * or the segment "unanswered" is a question not answered (npskit(7)): no
 * ticket, and not a bad row. */
enum { ANSWERED, UNANSWERED, BAD_ANSWER };
static int read_answer(const struct route *rt, struct tsv_reader *in, int *answer)
{
	int unanswered = 0;
	*answer = 0;
	if (rt->score_col >= 0) {
		struct slice score = in->fields[rt->score_col];
		*answer = nps_score(score);
		unanswered = *answer < 0 && slice_trim(score).n == 0;
		if (*answer < 0 && !unanswered) {
			tsv_reject(in, "%s must be an integer 0..10 (%s)",
				   rt->opt->score ? rt->opt->score : "score",
				   tsv_quote(score));
			return BAD_ANSWER;
		}
	}
	if (rt->segment_col < 0 || rt->segment_col == rt->score_col)
		return unanswered ? UNANSWERED : ANSWERED;
	struct slice text = in->fields[rt->segment_col];
	int segment = nps_segment_parse(slice_trim(text));
	int says_unanswered = slice_eq(slice_trim(text), "unanswered");
	if (segment < 0 && !says_unanswered) {
		tsv_reject(in, "%s must be promoter, passive, detractor or "
			   "unanswered (%s)", rt->segment_name.p,
			   tsv_quote(text));
		return BAD_ANSWER;
	}
	if (rt->score_col < 0) {
		*answer = ANSWER_SEGMENT + (says_unanswered ? 0 : segment);
		return says_unanswered ? UNANSWERED : ANSWERED;
	}
	if (unanswered && !says_unanswered) {
		tsv_reject(in, "%s does not match an empty score (%s)",
			   rt->segment_name.p, tsv_quote(text));
		return BAD_ANSWER;
	}
	if (!unanswered && segment != (int)nps_segment_of(*answer)) {
		tsv_reject(in, "%s does not match score %d (%s)",
			   rt->segment_name.p, *answer, tsv_quote(text));
		return BAD_ANSWER;
	}
	return unanswered ? UNANSWERED : ANSWERED;
}

static struct slice field_or_empty(const struct slice *fields, long col)
{
	return col >= 0 ? fields[col] : (struct slice){ "", 0 };
}

/* The current row as a ticket: 1, or 0 when the row is bad (rejected) or
 * no rule gives it a ticket. */
static int read_ticket(const struct route *rt, struct tsv_reader *in,
		       struct buf *contacts, struct ticket *t)
{
	const struct options *opt = rt->opt;
	if (!tsv_check_width(in))
		return 0;
	const struct slice *fields = in->fields;
	t->id = fields[rt->id_col];
	if (t->id.n == 0 || (t->id.p[0] == ' ' && slice_trim(t->id).n == 0)) {
		tsv_reject(in, "%s must not be empty", opt->id);
		return 0;
	}
	int answered = read_answer(rt, in, &t->answer);
	if (answered == BAD_ANSWER)
		return 0;
	struct when when = { .utc = 0 }; /* no time: due = the SLA from 0 */
	if (rt->time_col >= 0 && !date_parse(fields[rt->time_col], &when)) {
		tsv_reject(in, "%s must be a date or timestamp (%s)", opt->time,
			   tsv_quote(fields[rt->time_col]));
		return 0;
	}
	double value = 0;
	int value_known = 0;
	if (rt->value_col >= 0 &&
	    (value_known = value_of(fields[rt->value_col], &value)) < 0) {
		tsv_reject(in, "%s must be a number, empty or NA (%s)", opt->value,
			   tsv_quote(fields[rt->value_col]));
		return 0;
	}
	if (answered == UNANSWERED) /* checked whole, but no ticket */
		return 0;
	t->rule = rules_match(&rt->rules, t->answer, value_known, value);
	if (!t->rule || t->rule->no_ticket)
		return 0;
	t->due = when.utc + t->rule->sla_seconds;
	if (t->due > rt->last_due) {
		tsv_reject(in, "%s + %lld hours is past 9999-12-31T23:59:59Z, the "
			   "last due_at that can be written (%s)", opt->time,
			   t->rule->sla_seconds / 3600, tsv_quote(fields[rt->time_col]));
		return 0;
	}
	struct slice owner = field_or_empty(fields, t->rule->owner_col);
	struct slice escalate = field_or_empty(fields, t->rule->escalate_col);
	contacts->len = 0;
	buf_add(contacts, owner.p, owner.n);
	buf_addc(contacts, '\t');
	buf_add(contacts, escalate.p, escalate.n);
	t->contacts = (struct slice){ contacts->p, contacts->len };
	return 1;
}

/* The rows of in, ticket by ticket: a tsv_rows_fn. */
static void route_rows(void *state, struct tsv_reader *in, struct writer *w)
{
	struct lane *l = state;
	struct ticket t;
	while (tsv_next(in)) {
		if (!read_ticket(l->rt, in, &l->contacts, &t))
			continue;
		if (l->store) {
			store_add(l->store, &t);
		} else {
			ticket_write(&l->tickets, w, &t);
			if (!w->in_memory && !tsv_buffered(in))
				writer_flush(w); /* a live feed: no waiting */
		}
	}
}

/* Every row, on one thread or on ranges of the input on several; sorted,
 * the tickets of every thread are then gathered and written. */
static void run_lanes(struct route *rt)
{
	struct tsv_reader *in = &rt->in;
	size_t n = tsv_range_threads(in);
	struct lane *lanes = xmalloc_lines(n * sizeof *lanes);
	memset(lanes, 0, n * sizeof *lanes);
	for (size_t i = 0; i < n; i++) {
		lanes[i].rt = rt;
		lanes[i].tickets.timed = rt->timed;
		if (!rt->opt->no_sort) /* the first one sorts, with a helper */
			lanes[i].store = store_new(&rt->rules, i == 0 && threads_wanted());
	}
	if (n == 1)
		route_rows(&lanes[0], in, &out);
	else
		tsv_ranges(in, n, route_rows, lanes, sizeof *lanes);
	if (!rt->opt->no_sort) {
		for (size_t i = 1; i < n; i++)
			store_take(lanes[0].store, lanes[i].store);
		store_write(lanes[0].store, &lanes[0].tickets, &out);
		store_free(lanes[0].store);
	}
	for (size_t i = 0; i < n; i++) {
		buf_free(&lanes[i].tickets.long_line);
		buf_free(&lanes[i].contacts);
	}
	free(lanes);
}

static void route_close(struct route *rt)
{
	writer_close(&out);
	tsv_close(&rt->in);
	buf_free(&rt->segment_name);
	rules_free(&rt->rules);
}

/* route: nps-route's own parts, beside its main (cmd/nps-route.c): the
 * rules (rules.c), the ticket lines (tickets.c) and the store that keeps
 * tickets until the input ends and then writes them sorted (store.c).
 * Rules own their strings until rules_free; a ticket's slices belong to
 * whoever passes it (the reader's row, or the store). */
#ifndef NPS_ROUTE_H
#define NPS_ROUTE_H

#include <stdint.h>

#include "buf.h"
#include "out.h"
#include "tsv.h"

/* What a response answered, as rules match it: its score 0..10, or, when
 * the input has a segment but no score, ANSWER_SEGMENT + its segment. */
enum { ANSWER_SEGMENT = 11, ANSWERS = 14 };
#define MAX_RULES 1000

struct rule {
	unsigned long line;      /* in the rules file */
	unsigned takes;          /* bit a: takes responses whose answer is a */
	int value_any;           /* takes any value, a missing one too */
	double value_lo, value_hi; /* else: lo <= value < hi */
	int no_ticket;           /* action "none": selected, but no ticket */
	char *action, *reason;
	long long sla_seconds;
	unsigned priority;
	char *owner, *escalate;  /* column names; NULL: the default; "": none */
	long owner_col, escalate_col; /* in the input; -1: none */
	/* the ticket line's text from the rule: "priority\taction\t", and
	 * "reason\n" (or "reason\tsla_hours\n" when the input has no time) */
	struct buf head, ending;
};

struct rules {
	const char *name; /* the file, for messages */
	struct rule *rule;
	size_t n;
	/* by answer: the first rule taking it, and the first taking it
	 * whatever the value (NULL: none) */
	const struct rule *first[ANSWERS], *first_any_value[ANSWERS];
};

/* rules.c. Reading exits 65 naming the file and line of a bad rule, 66
 * when the file cannot be opened. */
void rules_read(struct rules *rs, const char *path, double high_value);
void rules_builtin(struct rules *rs, double high_value);
/* The built-in rules as a rules file (--print-rules). */
void rules_print_builtin(struct writer *w, double high_value);
/* The input columns each rule's owner and escalation come from (a default
 * column the input lacks: none), and the rules' text for ticket lines.
 * A column a rule or an option names and the input lacks: exit 64. */
void rules_resolve(struct rules *rs, const struct tsv_reader *r,
		   const char *owner, int owner_named, const char *escalate,
		   int escalate_named, int timed);
/* The rule a response takes; NULL: none. value_known: 0 when the
 * response has no value. */
const struct rule *rules_match(const struct rules *rs, int answer,
			       int value_known, double value);
void rules_free(struct rules *rs);

/* tickets.c: ticket lines. */
struct ticket {
	struct slice id;
	int answer;
	const struct rule *rule;
	struct slice contacts; /* "owner\tescalate_to", as they are written */
	long long due;         /* seconds since the epoch, UTC */
};

/* The last dates written (dates repeat), and a line longer than the
 * whole output buffer. One per thread that formats tickets. */
struct ticket_writer {
	int timed; /* 0: the input has no time; due_at is left empty */
	struct due_day {
		long days;
		char text[12];
		int n; /* 0: empty */
	} day[1024];
	struct buf long_line;
};

#define TICKET_HEADER "ticket_id\tresponse_id\tsegment\tscore\tpriority\t" \
	"action\towner\tescalate_to\tdue_at\treason"
/* The most bytes a ticket line takes. */
size_t ticket_size(const struct ticket *t);
/* Formats the line at p, which has ticket_size bytes; returns its end. */
char *ticket_put(struct ticket_writer *tw, char *p, const struct ticket *t);
/* Writes the line to w, formatted in w's buffer where it fits. */
void ticket_write(struct ticket_writer *tw, struct writer *w,
		  const struct ticket *t);
/* The latest due time a ticket line can hold: 9999-12-31T23:59:59Z. */
long long ticket_last_due(void);

/* store.c: tickets kept compactly until the input ends, then sorted by
 * priority, due time and response id, and written. The store copies what
 * it keeps: the caller's slices may change after store_add. */
struct store;
/* threads: whether it may use a second core (the caller's
 * threads_wanted()). rs must outlive the store. */
struct store *store_new(const struct rules *rs, int threads);
void store_add(struct store *s, const struct ticket *t);
/* Adds every ticket of from (another thread's, read from other ranges of
 * the input) to s, and frees from. The order written does not depend on
 * the order tickets were added in. */
void store_take(struct store *s, struct store *from);
/* Sorts and writes every ticket kept, in the documented order. */
void store_write(struct store *s, struct ticket_writer *tw, struct writer *w);
void store_free(struct store *s);

#endif

/* tsv: reading TSV input (one or more files as one stream, header
 * checked), columns by name, and the rejects file. Fields are slices into
 * the reader's buffers: valid until the next tsv_next call. The reader
 * owns all of its memory (and its reading thread); tsv_close releases it.
 *
 * Threads: from the first tsv_next on, a producer thread may read the
 * input ahead (a program that reads by ranges, tsv_ranges, never starts
 * it); tsv_next splits each line where it is read. The program owns every field of struct tsv_reader;
 * the producer writes none of them (it fills the header fields --
 * has_header, header, header_file, cols, ncols -- only while tsv_open
 * makes the first batch synchronously, before the thread starts). So the
 * header and the columns may be read freely once tsv_open has returned,
 * and they never change: range readers on other threads share them. */
#ifndef NPS_TSV_H
#define NPS_TSV_H

#include <stddef.h>

#include "buf.h"
#include "out.h"
#include "slice.h"

struct tsv_input; /* the reading machinery, private to tsv.c */
struct tsv_picks;

struct tsv_reader {
	struct tsv_input *in;
	const char *name;   /* the current row's input, for messages */
	unsigned long line; /* the current row's line number in it */

	struct slice row; /* the current row, without its line end */
	struct slice *fields;
	size_t nfields;

	int has_header; /* 0 only when every input is empty */
	struct buf header; /* the header line, as read from the first file */
	const char *header_file;
	struct slice *cols; /* names in header */
	size_t ncols;

	struct writer rejects;
	int rejecting; /* --rejects given */
	unsigned long nrejected;

	/* The lines of the current batch not read yet, and the array the
	 * current row's fields are split into (one row at a time, so that it
	 * stays in the first-level cache): tsv.c's, kept here only so that
	 * tsv_next's common case is inline. */
	const char *next_row, *rows_end;
	struct slice *field_buf;
	size_t field_cap;
	unsigned long next_line;
	/* splits the next line into row and fields: the splitter for this
	 * machine's instruction set (tsv-split.c) */
	void (*advance)(struct tsv_reader *r);
	/* tsv_pick's body, for the same instruction set */
	size_t (*pick)(struct tsv_reader *r, struct tsv_picks *s);
};

/* Opens the inputs (none: stdin) and reads the header. Exits 66 when a
 * file cannot be opened, 64 when standard output is one of the inputs. */
void tsv_open(struct tsv_reader *r, int nfiles, char **files);

/* A header given apart from the data, for input without one (a byte range
 * of a file, as Hadoop or Spark hand a mapper): --columns a,b,c or
 * --header-from FILE (its first line), the same options in every program
 * that reads responses. Then every line of every input is data, except a
 * line equal to the header (the split that starts the file holds it),
 * which is skipped as always. A program adds
 *	TSV_HEADER_OPTIONS,                       to its long options,
 *	case TSV_OPT_COLUMNS: case TSV_OPT_HEADER_FROM:
 *		tsv_header_option(&given, c, optarg); break;
 * and opens with tsv_open_header(&r, &given, ...). */
struct tsv_header {
	const char *columns; /* "a,b,c", or NULL */
	const char *from;    /* a file, or NULL */
};
enum { TSV_OPT_COLUMNS = 0x7e00, TSV_OPT_HEADER_FROM };
#define TSV_HEADER_OPTIONS                                                 \
	{ "columns", required_argument, NULL, TSV_OPT_COLUMNS },           \
	{ "header-from", required_argument, NULL, TSV_OPT_HEADER_FROM }
/* The usage lines of the two options, for a program's --help. */
#define TSV_HEADER_USAGE                                                   \
	"      --columns a,b,c      the input has no header line: these are its columns\n" \
	"      --header-from FILE   the input has no header line: FILE's first line is it\n"
void tsv_header_option(struct tsv_header *given, int option, const char *arg);
/* tsv_open, with the header given (NULL or nothing set: read from the
 * inputs). Both options at once, or an empty --columns, is a usage error
 * (64); a --header-from file that cannot be read is 66, an empty one 65. */
void tsv_open_header(struct tsv_reader *r, const struct tsv_header *given,
		     int nfiles, char **files);

/* tsv_next's slow path (a new batch, or a repeated header skipped) and
 * its common case, inline: internal, call tsv_next. */
int tsv_next_slow(struct tsv_reader *r);
int tsv_is_header(const struct tsv_reader *r);
/* Whether a line is the header again (with a BOM or not). */
int tsv_is_header_line(const struct tsv_reader *r, struct slice line);

/* Reads the next row into r->row and r->fields. Returns 0 at the end of
 * the last input. Rows are not checked against the header's width:
 * tsv_check_width does that, so a program may reject them its own way.
 * A line equal to the header (files concatenated into one stream) is
 * skipped. */
static inline int tsv_next(struct tsv_reader *r)
{
	if (r->next_row == r->rows_end)
		return tsv_next_slow(r);
	r->advance(r);
	if (r->row.n - r->header.len > 3 || !tsv_is_header(r))
		return 1;
	return tsv_next_slow(r);
}

/* Reading a few columns of many rows, for a program whose row loop is
 * short enough that splitting every field of every row, a call per row,
 * would be most of its time. tsv_pick takes up to TSV_PICK_ROWS rows at
 * once and finds in each only what tsv_pick_spans names: spans of
 * columns, first to last (one column: first == last; several: their
 * bytes with the TABs between, as a key of adjacent group columns is),
 * at most TSV_PICK_SPANS, straight from the row's TABs. It takes plain
 * rows only -- shorter than 128 bytes, as wide as the header, no CR, not
 * the header again -- and stops before the first other one (or near the
 * end of what is read), returning how many it took; tsv_next then reads
 * the next row as always, in full. So, with nothing lost or reordered:
 *
 *	for (;;) {
 *		size_t n = tsv_pick(r, &s);
 *		for (size_t i = 0; i < n; i++)
 *			... s.f[i][k]: row i's k-th span ...
 *		if (n == TSV_PICK_ROWS)
 *			continue;
 *		if (!tsv_next(r))
 *			break;
 *		... r->fields, the row checked as usual ...
 *	}
 *
 * A picked row's spans are slices into the input, as tsv_next's fields
 * are, valid until the next tsv_pick or tsv_next. Before a picked row is
 * rejected (or any message names it), tsv_pick_row(r, &s, i) makes it
 * the current row: r->row, r->fields and r->line as tsv_next would have
 * made them. Range readers (tsv_ranges) pick too. */
enum { TSV_PICK_SPANS = 4, TSV_PICK_ROWS = 64 };
struct tsv_picks {
	size_t first[TSV_PICK_SPANS], last[TSV_PICK_SPANS], nspans;
	size_t row_bytes;               /* the rows' length so far, a guess */
	unsigned long first_line;       /* the line of row[0] */
	const char *row[TSV_PICK_ROWS]; /* where each row starts */
	struct slice f[TSV_PICK_ROWS][TSV_PICK_SPANS];
};
/* Names the spans to pick: spans[k] = { first, last } columns (indexes
 * of r->cols, first <= last). More than TSV_PICK_SPANS, or a span
 * backwards, is a program's error (exit 70). */
void tsv_pick_spans(struct tsv_picks *s, const size_t (*spans)[2], size_t n);
static inline size_t tsv_pick(struct tsv_reader *r, struct tsv_picks *s)
{
	return r->pick(r, s);
}
void tsv_pick_row(struct tsv_reader *r, const struct tsv_picks *s, size_t i);

/* Whether a further row is already read and waiting: a live feed's
 * consumer flushes its output when none is. */
int tsv_buffered(const struct tsv_reader *r);

/* The index of the named column; exits 64 listing the columns if there
 * is none, or if the name appears twice. */
size_t tsv_col(const struct tsv_reader *r, const char *name);
/* The same, but -1 when the column is absent. */
long tsv_col_find(const struct tsv_reader *r, const char *name);
/* Resolves "a,b,c" into column indexes; returns the count (0 for a NULL
 * list; "" names one column, "", and is refused like any absent name). */
size_t tsv_cols(const struct tsv_reader *r, const char *list, size_t **idx);

/* Appends the names, sep between them, to `to`: "a, b, c" for a message. */
void tsv_format_cols(struct buf *to, const struct slice *cols, size_t n,
		     const char *sep);

/* Writes the header line (without a line end) to w. */
void tsv_write_header(const struct tsv_reader *r, struct writer *w);

/* Sends bad rows to path with a reject_reason column instead of
 * stopping at the first one. */
void tsv_rejects_open(struct tsv_reader *r, const char *path);

/* The current row is bad: with --rejects, writes it there and returns;
 * without, prints "prog: FILE:LINE: reason" and exits 65. */
void tsv_reject(struct tsv_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* 1 when the row has as many fields as the header; else rejects it. */
int tsv_reject_width(struct tsv_reader *r);
static inline int tsv_check_width(struct tsv_reader *r)
{
	return r->nfields == r->ncols || tsv_reject_width(r);
}

/* Prints "prog: FILE:LINE: message" and exits with code. */
_Noreturn void tsv_die(const struct tsv_reader *r, int code, const char *fmt,
		       ...) __attribute__((format(printf, 3, 4)));

/* Reading by byte ranges, on several threads (npskit(7), NPSKIT_THREADS).
 * A program whose row loop can run on any part of the input, with state
 * of its own, asks tsv_range_threads how many states to make: 1 means
 * read as usual with tsv_next (the inputs are not all regular files, one
 * thread is wanted, rows were read already). Otherwise tsv_ranges splits
 * the inputs at line ends and runs rows(state i, reader, out) on the
 * ranges on nthreads threads, the calling one among them; a state sees
 * many ranges, one call each. What rows writes to out reaches standard
 * output in input order, --rejects rows too, and the first fatal row in
 * input order stops the program with its FILE:LINE, as one thread would.
 * rows may share only read-only things: the header, its options. */
typedef void tsv_rows_fn(void *state, struct tsv_reader *r, struct writer *out);
size_t tsv_range_threads(const struct tsv_reader *r);
void tsv_ranges(struct tsv_reader *r, size_t nthreads, tsv_rows_fn *rows,
		void *states, size_t state_size);

/* Closes the rejects file, reports their count on stderr, frees. */
void tsv_close(struct tsv_reader *r);

/* Quotes a value for a message: at most 40 bytes, control bytes shown
 * as \x01 (a CR as \r). The text is valid until the call after next (in
 * the same thread), so one message may quote two values. */
const char *tsv_quote(struct slice s);

#endif

/* tsv-range: private to lib, the seam between the reader (tsv.c) and
 * reading by byte ranges on several threads (ranges.c). A range reader is
 * an ordinary struct tsv_reader whose input is whole lines [start, end)
 * of one open file; the program's row loop runs on it unchanged. */
#ifndef NPS_TSV_RANGE_H
#define NPS_TSV_RANGE_H

#include <sys/types.h>

#include "tsv.h"

/* What a range reader does instead of exiting, when a row is fatal (a bad
 * row without --rejects, tsv_die) or the input fails: fatal() records it
 * and leaves the row loop by longjmp; it never returns. line is the row's
 * line within the range (1 is its first line), or 0 when the message
 * already says where. */
struct tsv_range_hook {
	void (*fatal)(void *ctx, int code, unsigned long line,
		      const char *message); /* never returns */
	void *ctx;
};

/* Points w at the bytes [start, end) of fd, named name, which hold whole
 * lines; the first is the file's header line when at_header. w shares the
 * header and columns of main (read only) and gets a rejects writer of
 * its own when main has one (the caller points w->rejects at its buffer).
 * Call again for the next range: the buffers are kept. */
void tsv_range_reader(struct tsv_reader *w, const struct tsv_reader *main,
		      const struct tsv_range_hook *hook, const char *name,
		      int fd, off_t start, off_t end, int at_header);
/* The lines read from the current range so far (after its rows: all). */
unsigned long tsv_range_lines(const struct tsv_reader *w);
/* Frees what tsv_range_reader made (not the shared header). */
void tsv_range_free(struct tsv_reader *w);

/* For the ranges: the inputs (nfiles of them, "-" for stdin), and where
 * standard input started (its offset when first used). */
char **tsv_input_files(const struct tsv_reader *r, int *nfiles);
off_t tsv_stdin_start(const struct tsv_reader *r);

#endif

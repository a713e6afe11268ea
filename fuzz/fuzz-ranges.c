/* libFuzzer target: reading by byte ranges on threads (lib/ranges.c). Any
 * bytes, read on 2 to 5 threads in ranges of a few bytes (RANGE_MIN is
 * made small in the fuzz build), must give exactly the rows, and the bad
 * rows, that one thread reading them in order gives: none lost, none
 * read twice, none out of order, whatever the ranges cut through (long
 * lines, CRLF, a BOM, the header met again, no final newline). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "out.h"
#include "tsv.h"

/* Each good row and its line end, as a row-wise program writes it. */
static void echo_rows(void *state, struct tsv_reader *r, struct writer *w)
{
	(void)state;
	while (tsv_next(r)) {
		if (!tsv_check_width(r))
			continue;
		writer_write(w, r->row.p, r->row.n);
		writer_char(w, '\n');
	}
}

/* A reader of the file whose rejects go to memory (files: kept by it). */
static void open_reader(struct tsv_reader *r, char **files)
{
	tsv_open(r, 1, files);
	tsv_rejects_open(r, "/dev/null");
	writer_close(&r->rejects);
	writer_memory(&r->rejects);
}

static int same(const struct writer *a, const struct writer *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->buf, b->buf, a->len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-ranges", 0);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	char *files[] = { path };

	struct tsv_reader one, many;
	struct writer rows_one;
	writer_memory(&rows_one);
	open_reader(&one, files);
	echo_rows(NULL, &one, &rows_one);

	open_reader(&many, files);
	if (many.has_header) {
		struct writer saved = out; /* tsv_ranges writes to out */
		writer_memory(&out);
		char states[5];
		tsv_ranges(&many, 2 + size % 4, echo_rows, states, 1);
		if (!same(&out, &rows_one) || !same(&many.rejects, &one.rejects) ||
		    many.nrejected != one.nrejected)
			abort(); /* not the rows of one thread, in its order */
		writer_close(&out);
		out = saved;
	} else if (rows_one.len || one.nrejected) {
		abort(); /* rows without a header */
	}
	writer_close(&one.rejects);
	writer_close(&many.rejects);
	one.rejecting = many.rejecting = 0; /* closed: nothing to report */
	tsv_close(&one);
	tsv_close(&many);
	writer_close(&rows_one);
	close(fd);
	return 0;
}

/* libFuzzer target: the TSV reader. Any bytes must give rows whose fields,
 * joined by TABs, are the row again, without crash or leak; and the rows
 * must be exactly the input's lines after the header, none lost or
 * invented (a model of the format: a BOM before the header, a CR before
 * each line end, no final newline needed, the header met again skipped). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tsv.h"

/* The next line of [*p, end) by the model, without its line end. */
static int model_line(const char **p, const char *end, struct slice *line)
{
	if (*p >= end)
		return 0;
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	const char *e = nl ? nl : end;
	line->p = *p;
	line->n = (size_t)(e - *p);
	if (line->n > 0 && line->p[line->n - 1] == '\r')
		line->n--;
	*p = nl ? nl + 1 : end;
	return 1;
}

/* The header again, with or without a BOM before it. */
static int is_header(struct slice line, struct slice header)
{
	if (line.n == header.n + 3 && memcmp(line.p, "\xEF\xBB\xBF", 3) == 0)
		line.p += 3, line.n -= 3;
	return line.n == header.n && memcmp(line.p, header.p, line.n) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-tsv", 0);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	char *files[] = { path };
	struct tsv_reader r;
	tsv_open(&r, 1, files);
	tsv_rejects_open(&r, "/dev/null");
	const char *mp = (const char *)data, *mend = mp + size;
	struct slice header, want;
	if (model_line(&mp, mend, &header) && header.n >= 3 &&
	    memcmp(header.p, "\xEF\xBB\xBF", 3) == 0) {
		header.p += 3;
		header.n -= 3;
	}
	while (tsv_next(&r)) {
		do
			if (!model_line(&mp, mend, &want))
				abort(); /* a row the input does not have */
		while (is_header(want, header));
		if (want.n != r.row.n || memcmp(want.p, r.row.p, want.n) != 0)
			abort(); /* not the input's next line */
		size_t len = r.nfields - 1;
		for (size_t i = 0; i < r.nfields; i++)
			len += r.fields[i].n;
		if (len != r.row.n || r.fields[0].p != r.row.p)
			abort();
		tsv_check_width(&r);
	}
	while (model_line(&mp, mend, &want))
		if (!is_header(want, header))
			abort(); /* a line of the input never came as a row */
	tsv_close(&r);
	close(fd);
	return 0;
}

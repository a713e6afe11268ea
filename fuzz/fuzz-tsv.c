/* libFuzzer target: the TSV reader, with each of its row splitters
 * (NPSKIT_SPLIT: the ones this machine has). Any bytes must give rows that
 * are exactly the input's lines after the header, none lost or invented,
 * and fields that are exactly each line's pieces between TABs, without
 * crash or leak (a model of the format: a BOM before the header, a CR
 * before each line end, no final newline needed, the header met again
 * skipped). Read again by tsv_pick, with spans of columns the input's
 * first bytes choose, the rows must be the same lines, each span exactly
 * the model's columns first..last, and tsv_pick_row the row tsv_next
 * gives. */
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

/* The line's fields as the model splits it: each must be the reader's. */
static void check_fields(struct slice line, const struct tsv_reader *r)
{
	const char *p = line.p, *end = line.p + line.n;
	for (size_t i = 0;; i++) {
		const char *tab = memchr(p, '\t', (size_t)(end - p));
		const char *e = tab ? tab : end;
		if (i >= r->nfields || r->fields[i].p != p ||
		    r->fields[i].n != (size_t)(e - p))
			abort(); /* not the line's i-th field */
		if (!tab) {
			if (i + 1 != r->nfields)
				abort(); /* fields the line does not have */
			return;
		}
		p = tab + 1;
	}
}

static void read_all(const char *path, const uint8_t *data, size_t size)
{
	char *files[] = { (char *)path };
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
		check_fields(r.row, &r);
		tsv_check_width(&r);
	}
	while (model_line(&mp, mend, &want))
		if (!is_header(want, header))
			abort(); /* a line of the input never came as a row */
	tsv_close(&r);
}

/* The bytes of columns first..last of line (joined by their TABs), as
 * the model splits it; 0 if the line has fewer columns. */
static int model_span(struct slice line, size_t first, size_t last,
		      struct slice *span)
{
	const char *p = line.p, *end = line.p + line.n, *from = NULL;
	for (size_t i = 0;; i++) {
		const char *tab = memchr(p, '\t', (size_t)(end - p));
		const char *e = tab ? tab : end;
		if (i == first)
			from = p;
		if (i == last) {
			span->p = from;
			span->n = (size_t)(e - from);
			return 1;
		}
		if (!tab)
			return 0;
		p = tab + 1;
	}
}

/* The next row the model has after the header, and its line (*line
 * counts every line read); 0 at the end. */
static int model_row(const char **p, const char *end, struct slice header,
		     struct slice *row, unsigned long *line)
{
	do {
		if (!model_line(p, end, row))
			return 0;
		++*line;
	} while (is_header(*row, header));
	return 1;
}

static void pick_all(const char *path, const uint8_t *data, size_t size)
{
	char *files[] = { (char *)path };
	struct tsv_reader r;
	tsv_open(&r, 1, files);
	const char *mp = (const char *)data, *mend = mp + size;
	struct slice header, want;
	if (!model_line(&mp, mend, &header) || r.ncols == 0) {
		tsv_close(&r);
		return;
	}
	/* spans from the first bytes: any column of the header's */
	size_t spans[TSV_PICK_SPANS][2], nspans = size > 0 ? 1 + data[0] % TSV_PICK_SPANS : 1;
	for (size_t k = 0; k < nspans; k++) {
		size_t a = size > k + 1 ? data[k + 1] % r.ncols : 0;
		size_t b = size > k + 5 ? data[k + 5] % r.ncols : a;
		spans[k][0] = a < b ? a : b;
		spans[k][1] = a < b ? b : a;
	}
	struct tsv_picks s;
	tsv_pick_spans(&s, (const size_t (*)[2])spans, nspans);
	struct slice h = { r.header.p, r.header.len };
	unsigned long line = 1; /* the header's */
	for (;;) {
		size_t n = tsv_pick(&r, &s);
		for (size_t i = 0; i < n; i++) {
			if (!model_row(&mp, mend, h, &want, &line))
				abort(); /* a picked row the input does not have */
			if (memcmp(s.row[i], want.p, want.n) != 0 ||
			    s.first_line + i != line)
				abort(); /* not the next line, or not its line number */
			for (size_t k = 0; k < nspans; k++) {
				struct slice span;
				if (!model_span(want, spans[k][0], spans[k][1], &span) ||
				    span.p - want.p != s.f[i][k].p - s.row[i] ||
				    span.n != s.f[i][k].n)
					abort(); /* not the line's columns first..last */
			}
			if (i % 7 == 0) { /* as tsv_next would have made it */
				tsv_pick_row(&r, &s, i);
				if (r.row.p != s.row[i] || r.row.n != want.n ||
				    r.line != line || r.nfields != r.ncols)
					abort();
				check_fields(r.row, &r);
			}
		}
		if (n == TSV_PICK_ROWS)
			continue;
		if (!tsv_next(&r))
			break;
		if (!model_row(&mp, mend, h, &want, &line) || r.row.n != want.n ||
		    memcmp(r.row.p, want.p, want.n) != 0 || r.line != line)
			abort(); /* tsv_next after the picks: not the next line */
	}
	if (model_row(&mp, mend, h, &want, &line))
		abort(); /* a line of the input never came as a row */
	tsv_close(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const splitters[] = { "c", "sse2", "avx2", "avx512" };
	int fd = memfd_create("fuzz-tsv", 0);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	for (size_t k = 0; k < sizeof splitters / sizeof *splitters; k++) {
		setenv("NPSKIT_SPLIT", splitters[k], 1);
		read_all(path, data, size);
		pick_all(path, data, size);
	}
	close(fd);
	return 0;
}

/* out: buffered writing to a file descriptor. A failed write is fatal
 * (exit 74, naming the output); nothing fails silently. `out` is the one
 * writer for stdout; other writers (rejects files) are owned by whoever
 * opens them. */
#ifndef NPS_OUT_H
#define NPS_OUT_H

#include <stddef.h>
#include <string.h>

struct writer {
	int fd;
	const char *name; /* for error messages */
	char *buf;
	size_t len, cap;
	int truncate_first; /* writer_open_keep: empty the file at the first flush */
	int in_memory; /* writer_memory: the buffer grows, nothing is written */
};

extern struct writer out;
/* Sets out to standard output, empty: prog_init does, at each run's start. */
void out_init(void);

/* Opens path for writing (truncating); exits 73/74-style on failure. */
void writer_open(struct writer *w, const char *path);
/* The same, but the file keeps its old content until the first flush
 * (writer_close flushes): a run that stops before writing anything out
 * (a usage error found late, a fatal bad row) leaves it as it was. */
void writer_open_keep(struct writer *w, const char *path);
/* A writer into memory: w->buf[0, w->len) holds what was written;
 * writer_close frees it. */
void writer_memory(struct writer *w);
void writer_flush(struct writer *w);
/* Flushes and closes; a failure on close is a write error too. */
void writer_close(struct writer *w);
void writer_write_slow(struct writer *w, const void *p, size_t n);

/* n may be 0 with p NULL (an empty text never allocated): nothing is
 * written, and memcpy is not called with NULL. */
static inline void writer_write(struct writer *w, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (w->cap - w->len >= n) {
		memcpy(w->buf + w->len, p, n);
		w->len += n;
	} else {
		writer_write_slow(w, p, n);
	}
}

static inline void writer_str(struct writer *w, const char *s)
{
	writer_write(w, s, strlen(s));
}

static inline void writer_char(struct writer *w, char c)
{
	if (w->len == w->cap)
		writer_flush(w);
	w->buf[w->len++] = c;
}

void writer_u64(struct writer *w, unsigned long long v);
/* Fixed-point decimal in the C locale; -0.000 is written as 0.000. */
void writer_fixed(struct writer *w, double v, int precision);
/* A p-value or other small positive figure: fixed while readable,
 * scientific (1.2e-09) when it would print as zeros. */
void writer_pvalue(struct writer *w, double v, int precision);
void writer_printf(struct writer *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Shorthands for stdout. */
#define out_write(p, n) writer_write(&out, (p), (n))
#define out_str(s) writer_str(&out, (s))
#define out_char(c) writer_char(&out, (c))

#endif

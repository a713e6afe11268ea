#include "out.h"
#include "buf.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define WRITER_CAP (1 << 16)

/* The stdout writer and its buffer: lib's plumbing, the one global of the
 * output side, as every program has one standard output. A run starts
 * it afresh (prog_init calls out_init), whatever a run before it in the
 * same process (the fuzz harness) left in it. */
static char stdout_buf[WRITER_CAP];
struct writer out = { 1, "standard output", stdout_buf, 0, WRITER_CAP, 0, 0 };

void out_init(void)
{
	out = (struct writer){ .fd = 1, .name = "standard output", .buf = stdout_buf,
			       .cap = WRITER_CAP };
}

static void open_flags(struct writer *w, const char *path, int flags)
{
	w->fd = open(path, O_WRONLY | O_CREAT | flags, 0666);
	if (w->fd < 0)
		die(EX_IOERR_, "cannot open %s for writing: %s", path,
		    strerror(errno));
	w->name = path;
	w->buf = xmalloc(WRITER_CAP);
	w->len = 0;
	w->cap = WRITER_CAP;
	w->truncate_first = 0;
}

void writer_open(struct writer *w, const char *path)
{
	open_flags(w, path, O_TRUNC);
}

void writer_open_keep(struct writer *w, const char *path)
{
	struct stat st;
	open_flags(w, path, 0);
	w->truncate_first = fstat(w->fd, &st) == 0 && S_ISREG(st.st_mode);
}

static void write_all(struct writer *w, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(w->fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			die(EX_IOERR_, "write error on %s: %s", w->name,
			    strerror(errno));
		}
		p += k;
		n -= (size_t)k;
	}
}

void writer_memory(struct writer *w)
{
	memset(w, 0, sizeof *w);
	w->fd = -1;
	w->name = "memory";
	w->in_memory = 1;
	w->buf = array_grow(NULL, &w->cap, 4096, 1); /* never NULL */
}

void writer_flush(struct writer *w)
{
	if (w->in_memory) { /* full: make room */
		w->buf = array_grow(w->buf, &w->cap, w->len + 1, 1);
		return;
	}
	if (w->truncate_first) {
		w->truncate_first = 0;
		if (ftruncate(w->fd, 0) != 0)
			die(EX_IOERR_, "write error on %s: %s", w->name,
			    strerror(errno));
	}
	write_all(w, w->buf, w->len);
	w->len = 0;
}

void writer_close(struct writer *w)
{
	if (w->in_memory) {
		free(w->buf);
		memset(w, 0, sizeof *w);
		w->fd = -1;
		return;
	}
	writer_flush(w);
	if (w->fd > 2 && close(w->fd) < 0)
		die(EX_IOERR_, "write error on %s: %s", w->name, strerror(errno));
	if (w->buf != stdout_buf)
		free(w->buf);
	w->buf = NULL;
	w->fd = -1;
}

void writer_write_slow(struct writer *w, const void *p, size_t n)
{
	if (w->in_memory) {
		w->buf = array_grow(w->buf, &w->cap, w->len + n, 1);
		memcpy(w->buf + w->len, p, n);
		w->len += n;
		return;
	}
	writer_flush(w);
	if (n >= w->cap)
		write_all(w, p, n);
	else {
		memcpy(w->buf, p, n);
		w->len = n;
	}
}

void writer_u64(struct writer *w, unsigned long long v)
{
	char tmp[24];
	char *e = tmp + sizeof tmp, *s = e;
	do
		*--s = (char)('0' + v % 10);
	while (v /= 10);
	writer_write(w, s, (size_t)(e - s));
}

void writer_printf(struct writer *w, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		die(EX_SOFTWARE_, "internal formatting error");
	if ((size_t)n < sizeof tmp) {
		writer_write(w, tmp, (size_t)n);
		return;
	}
	char *big = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	writer_write(w, big, (size_t)n);
	free(big);
}

void writer_fixed(struct writer *w, double v, int precision)
{
	char tmp[400]; /* room for %.15f of 1e308 */
	if (isnan(v)) {
		writer_str(w, "NA");
		return;
	}
	int n = snprintf(tmp, sizeof tmp, "%.*f", precision, v);
	/* A value that rounds to zero prints without its sign. */
	if (tmp[0] == '-' && strspn(tmp + 1, "0.") == (size_t)n - 1)
		writer_write(w, tmp + 1, (size_t)n - 1);
	else
		writer_write(w, tmp, (size_t)n);
}

void writer_pvalue(struct writer *w, double v, int precision)
{
	if (isnan(v)) {
		writer_str(w, "NA");
		return;
	}
	if (v != 0 && fabs(v) < 0.5 * pow(10, -precision))
		writer_printf(w, "%.*e", precision > 1 ? 1 : 0, v);
	else
		writer_fixed(w, v, precision);
}

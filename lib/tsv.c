#include "tsv.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define FIRST_BLOCK (1 << 17)

static void open_input(struct tsv_reader *r)
{
	const char *f = r->files[r->next_file++];
	if (strcmp(f, "-") == 0) {
		r->fd = 0;
		r->name = "stdin";
	} else {
		r->fd = open(f, O_RDONLY);
		if (r->fd < 0)
			die(EX_NOINPUT_, "cannot open %s: %s", f, strerror(errno));
		r->name = f;
	}
	r->line = 0;
	r->eof = 0;
	r->pos = r->end = 0;
}

static void close_input(struct tsv_reader *r)
{
	if (r->fd > 0)
		close(r->fd);
	r->fd = -1;
}

/* Keeps the unread bytes, grows the buffer when a line fills it, and
 * reads one more block. */
static void fill(struct tsv_reader *r)
{
	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->end - r->pos);
		r->end -= r->pos;
		r->pos = 0;
	}
	if (r->end == r->cap) {
		r->cap *= 2;
		r->buf = xrealloc(r->buf, r->cap);
	}
	ssize_t k;
	do
		k = read(r->fd, r->buf + r->end, r->cap - r->end);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		die(errno == EISDIR ? EX_NOINPUT_ : EX_IOERR_, "cannot read %s: %s",
		    r->name, strerror(errno));
	if (k == 0)
		r->eof = 1;
	r->end += (size_t)k;
}

static void grow_fields(struct tsv_reader *r)
{
	r->fields_cap = r->fields_cap ? r->fields_cap * 2 : 16;
	r->fields = xrealloc(r->fields, r->fields_cap * sizeof *r->fields);
}

/* Splits the buffered bytes from pos into the fields of one line, finding
 * TABs and the newline in one pass (16 bytes at a time where SSE2 is
 * there). 0 when the line is not wholly in the buffer yet. The field
 * array is kept in locals so that the stores into it do not force the
 * compiler to reload the reader on every field. */
static int scan_line(struct tsv_reader *r)
{
	const char *start = r->buf + r->pos, *end = r->buf + r->end;
	const char *p = start, *field = start, *line_end;
	struct slice *f = r->fields;
	size_t k = 0, cap = r->fields_cap;
#define ADD_FIELD(q)                                               \
	do {                                                       \
		if (k == cap) {                                    \
			grow_fields(r);                            \
			f = r->fields, cap = r->fields_cap;        \
		}                                                  \
		f[k].p = field, f[k].n = (size_t)((q) - field);    \
		k++;                                               \
	} while (0)
#ifdef __SSE2__
	const __m128i tab = _mm_set1_epi8('\t'), nl = _mm_set1_epi8('\n');
	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned tabs = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, tab));
		unsigned nls = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl));
		if (nls)
			tabs &= (nls & -nls) - 1; /* only the TABs before it */
		while (tabs) {
			const char *q = p + __builtin_ctz(tabs);
			tabs &= tabs - 1;
			ADD_FIELD(q);
			field = q + 1;
		}
		if (nls) {
			line_end = p + __builtin_ctz(nls);
			goto found;
		}
		p += 16;
	}
#endif
	for (; p < end; p++) {
		if (*p == '\t') {
			ADD_FIELD(p);
			field = p + 1;
		} else if (*p == '\n') {
			line_end = p;
			goto found;
		}
	}
	if (!r->eof || start == end)
		return 0;
	line_end = end; /* the last line, without a final newline */
found:
	ADD_FIELD(line_end);
#undef ADD_FIELD
	r->nfields = k;
	r->row.p = start;
	r->row.n = (size_t)(line_end - start);
	r->pos = (size_t)(line_end - r->buf) + (line_end < end);
	if (r->row.n > 0 && start[r->row.n - 1] == '\r') {
		r->row.n--;
		f[k - 1].n--;
	}
	r->line++;
	return 1;
}

/* The next line of the current input, split; 0 at its end. */
static int next_line(struct tsv_reader *r)
{
	while (!scan_line(r)) {
		if (r->eof)
			return 0;
		fill(r);
	}
	return 1;
}

/* Opens inputs until one has a header line; 0 when none is left. */
static int start_next_input(struct tsv_reader *r)
{
	while (r->next_file < r->nfiles) {
		close_input(r);
		open_input(r);
		if (!next_line(r))
			continue; /* an empty file adds nothing */
		struct slice h = r->row;
		if (h.n >= 3 && memcmp(h.p, "\xEF\xBB\xBF", 3) == 0) {
			h.p += 3;
			h.n -= 3;
		}
		if (!r->has_header) {
			r->has_header = 1;
			r->header_file = r->name;
			buf_grow(&r->header, 1); /* never NULL, even if empty */
			buf_add(&r->header, h.p, h.n);
			/* The names, as slices into our own copy; the BOM, if
			 * any, was the start of the first field. */
			r->ncols = r->nfields;
			r->cols = xmalloc(r->ncols * sizeof *r->cols);
			for (size_t i = 0; i < r->ncols; i++) {
				size_t from = (size_t)(r->fields[i].p - r->row.p);
				size_t bom = (size_t)(h.p - r->row.p);
				r->cols[i].p = r->header.p + (i ? from - bom : 0);
				r->cols[i].n = r->fields[i].n - (i ? 0 : bom);
			}
		} else if (h.n != r->header.len ||
			   memcmp(h.p, r->header.p, h.n) != 0) {
			tsv_die(r, EX_DATA_, "header differs from the header of %s",
				r->header_file);
		}
		return 1;
	}
	return 0;
}

void tsv_open(struct tsv_reader *r, int nfiles, char **files)
{
	static char *std_in[] = { "-" };
	memset(r, 0, sizeof *r);
	r->files = nfiles > 0 ? files : std_in;
	r->nfiles = nfiles > 0 ? nfiles : 1;
	r->fd = -1;
	r->cap = FIRST_BLOCK;
	r->buf = xmalloc(r->cap);
	r->rejects.fd = -1;
	start_next_input(r);
}

int tsv_next(struct tsv_reader *r)
{
	for (;;) {
		while (r->fd < 0 || !next_line(r)) {
			if (!start_next_input(r)) {
				close_input(r);
				return 0;
			}
		}
		/* a header again: files concatenated into one stream */
		if (r->row.n != r->header.len ||
		    memcmp(r->row.p, r->header.p, r->row.n) != 0)
			return 1;
	}
}

long tsv_col_find(const struct tsv_reader *r, const char *name)
{
	long found = -1;
	for (size_t i = 0; i < r->ncols; i++) {
		if (!slice_eq(r->cols[i], name))
			continue;
		if (found >= 0)
			die_usage("column \"%s\" appears twice in the header of %s",
				  name, r->header_file);
		found = (long)i;
	}
	return found;
}

size_t tsv_col(const struct tsv_reader *r, const char *name)
{
	long i = tsv_col_find(r, name);
	if (i >= 0 || !r->has_header)
		return i >= 0 ? (size_t)i : 0;
	struct buf list = { 0 };
	for (size_t k = 0; k < r->ncols; k++) {
		if (k)
			buf_add(&list, ", ", 2);
		buf_add(&list, r->cols[k].p, r->cols[k].n);
	}
	die_usage("no column \"%s\" in %s (columns: %s)", name, r->header_file,
		  buf_cstr(&list));
}

size_t tsv_cols(const struct tsv_reader *r, const char *list, size_t **idx)
{
	size_t n = 0;
	*idx = NULL;
	if (!list || !*list)
		return 0;
	const char *p = list;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char *name = xstrndup(p, len);
		*idx = xrealloc(*idx, (n + 1) * sizeof **idx);
		(*idx)[n++] = tsv_col(r, name);
		free(name);
		if (!comma)
			break;
		p = comma + 1;
	}
	return n;
}

void tsv_write_header(const struct tsv_reader *r, struct writer *w)
{
	writer_write(w, r->header.p, r->header.len);
}

void tsv_rejects_open(struct tsv_reader *r, const char *path)
{
	writer_open(&r->rejects, path);
	r->rejecting = 1;
	if (r->has_header) {
		tsv_write_header(r, &r->rejects);
		writer_str(&r->rejects, "\treject_reason\n");
	}
}

static void vreason(struct buf *b, const char *fmt, va_list ap)
{
	char tmp[256];
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	b->len = 0;
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof tmp) {
		buf_add(b, tmp, (size_t)n);
	} else {
		buf_grow(b, (size_t)n + 1);
		vsnprintf(b->p, (size_t)n + 1, fmt, ap2);
		b->len = (size_t)n;
	}
	va_end(ap2);
}

void tsv_reject(struct tsv_reader *r, const char *fmt, ...)
{
	static struct buf reason;
	va_list ap;
	va_start(ap, fmt);
	vreason(&reason, fmt, ap);
	va_end(ap);
	if (!r->rejecting)
		tsv_die(r, EX_DATA_, "%s", buf_cstr(&reason));
	writer_write(&r->rejects, r->row.p, r->row.n);
	writer_char(&r->rejects, '\t');
	writer_write(&r->rejects, reason.p, reason.len);
	writer_char(&r->rejects, '\n');
	r->nrejected++;
}

int tsv_check_width(struct tsv_reader *r)
{
	if (r->nfields == r->ncols)
		return 1;
	tsv_reject(r, "expected %zu fields, found %zu", r->ncols, r->nfields);
	return 0;
}

_Noreturn void tsv_die(const struct tsv_reader *r, int code, const char *fmt,
		       ...)
{
	va_list ap;
	fprintf(stderr, "%s: %s:%lu: ", prog_name, r->name, r->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

void tsv_close(struct tsv_reader *r)
{
	close_input(r);
	if (r->rejecting) {
		writer_close(&r->rejects);
		fprintf(stderr, "%s: %lu bad row%s written to %s\n", prog_name,
			r->nrejected, r->nrejected == 1 ? "" : "s",
			r->rejects.name);
	}
	free(r->buf);
	free(r->fields);
	free(r->cols);
	buf_free(&r->header);
	r->buf = NULL;
	r->fields = r->cols = NULL;
}

const char *tsv_quote(struct slice s)
{
	enum { MAX = 40 };
	static char bufs[2][MAX * 2 + 8];
	static int which;
	char *q = bufs[which ^= 1], *o = q;
	*o++ = '"';
	size_t n = s.n < MAX ? s.n : MAX;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if (c == '\r') {
			*o++ = '\\';
			*o++ = 'r';
		} else {
			*o++ = c < 0x20 || c == 0x7f ? '?' : (char)c;
		}
	}
	if (s.n > MAX)
		o += sprintf(o, "...");
	*o++ = '"';
	*o = '\0';
	return q;
}

int tsv_unescape(struct slice s, struct buf *out)
{
	out->len = 0;
	const char *p = s.p, *e = s.p + s.n;
	while (p < e) {
		const char *bs = memchr(p, '\\', (size_t)(e - p));
		if (!bs) {
			buf_add(out, p, (size_t)(e - p));
			break;
		}
		buf_add(out, p, (size_t)(bs - p));
		if (bs + 1 == e)
			return 0;
		switch (bs[1]) {
		case 't': buf_addc(out, '\t'); break;
		case 'n': buf_addc(out, '\n'); break;
		case 'r': buf_addc(out, '\r'); break;
		case '\\': buf_addc(out, '\\'); break;
		default: return 0;
		}
		p = bs + 2;
	}
	return 1;
}

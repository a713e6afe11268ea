#define _GNU_SOURCE /* memrchr */
#include "tsv.h"
#include "tsv-range.h"
#include "tsv-split.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Input is read in batches: a batch is a block of whole lines. A producer
 * fills batches, in a thread of its own when the machine has a second
 * core, so that reading overlaps the program's own work; tsv_next splits
 * their lines into fields one at a time, in order (tsv.h).
 * What goes wrong while producing (a file that cannot be opened, a header
 * that differs) travels in the stream as a batch of its own, so it stops
 * the program exactly where a plain sequential reader would. */

#define BLOCK (1 << 17)
#define NBATCH 4
#define SLACK 64 /* bytes past a batch's lines that the splitter may read */

enum batch_kind { BATCH_ROWS, BATCH_END, BATCH_ERROR };

struct batch {
	enum batch_kind kind;
	char *buf; /* whole lines, read straight into the batch */
	size_t cap; /* SLACK bytes more than the lines may fill */
	const char *rows, *rows_end; /* its rows: whole lines (the last may
					lack its newline at an input's end) */
	const char *name;        /* the input the rows come from */
	unsigned long first_line; /* the line of the first row when it is
				     an input's first row, else 0: counting goes on */
	int code;                /* BATCH_ERROR: exit code and message */
	struct buf message;
};

/* A regular file, by device and inode: the same file whatever its name. */
struct file_id {
	dev_t dev;
	ino_t ino;
	const char *name;
};

struct tsv_input {
	char **files;
	int nfiles, next_file;
	struct file_id *ids; /* the inputs that are regular files */
	size_t nids;
	off_t stdin_start; /* standard input's offset when first used, or -1 */
	/* the producer's side */
	int fd, eof, at_header;
	int header_given; /* --columns or --header-from: no input has a header */
	const char *name;
	unsigned long line; /* header lines read from the current input */
	int fresh;          /* no row of the current input produced yet */
	struct buf carry;   /* bytes after the last whole line read */
	struct batch batches[NBATCH];
	/* the hand-over: batches produced, taken and given back */
	unsigned long produced, taken, released;
	int threaded, started, stop;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* the consumer's side */
	struct batch *cur;
	struct buf message; /* a bad row's reason */
	/* a range reader (tsv-range.h): bytes [pos, end) of a file it does
	 * not own, and what to do instead of exiting */
	int ranged;
	off_t pos, end;
	const struct tsv_range_hook *hook;
};

static void fail(struct batch *b, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void vreason(struct buf *b, const char *fmt, va_list ap);

static void fail(struct batch *b, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreason(&b->message, fmt, ap);
	va_end(ap);
	b->kind = BATCH_ERROR;
	b->code = code;
}

static int open_next(struct tsv_input *in, struct batch *b)
{
	const char *f = in->files[in->next_file++];
	if (strcmp(f, "-") == 0) {
		in->fd = 0;
		in->name = "stdin";
		if (in->stdin_start < 0)
			in->stdin_start = lseek(0, 0, SEEK_CUR);
	} else {
		in->fd = open(f, O_RDONLY);
		if (in->fd < 0) {
			fail(b, EX_NOINPUT_, "cannot open %s: %s", f, strerror(errno));
			return 0;
		}
		in->name = f;
	}
	in->line = 0;
	in->fresh = 1;
	in->eof = 0;
	in->at_header = !in->header_given;
	in->carry.len = 0;
	return 1;
}

static void close_input(struct tsv_input *in)
{
	if (in->fd > 0 && !in->ranged)
		close(in->fd);
	in->fd = -1;
}

/* Makes h (a copy of it) the header of every input. */
static void keep_header(struct tsv_reader *r, struct slice h, const char *from)
{
	r->has_header = 1;
	r->header_file = from;
	buf_grow(&r->header, 1); /* never NULL, even if empty */
	buf_add(&r->header, h.p, h.n);
	/* the names, as slices into our own copy */
	size_t n = 1;
	for (size_t i = 0; i < h.n; i++)
		n += h.p[i] == '\t';
	r->ncols = n;
	r->cols = xmalloc(n * sizeof *r->cols);
	const char *p = r->header.p, *e = p + r->header.len;
	for (size_t i = 0; i < n; i++) {
		const char *t = memchr(p, '\t', (size_t)(e - p));
		r->cols[i].p = p;
		r->cols[i].n = (size_t)((t ? t : e) - p);
		p = t ? t + 1 : e;
	}
}

/* The header given apart from the data: "a,b,c" (--columns) or the first
 * line of a file (--header-from), made the reader's header. */
static void given_header(struct tsv_reader *r, const struct tsv_header *g)
{
	struct buf line = { 0 };
	if (g->columns && g->from)
		die_usage("--columns and --header-from both give the header: give one");
	if (g->columns) {
		if (!*g->columns)
			die_usage("--columns needs the names of the columns, as a,b,c");
		for (const char *p = g->columns; *p; p++)
			buf_addc(&line, *p == ',' ? '\t' : *p);
		keep_header(r, (struct slice){ line.p, line.len }, "--columns");
		buf_free(&line);
		return;
	}
	int fd = open(g->from, O_RDONLY);
	if (fd < 0)
		die(EX_NOINPUT_, "cannot open %s: %s", g->from, strerror(errno));
	char *nl = NULL;
	while (!nl) {
		buf_grow(&line, BLOCK);
		ssize_t k = read(fd, line.p + line.len, line.cap - line.len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			die(EX_NOINPUT_, "cannot read %s: %s", g->from, strerror(errno));
		if (k == 0)
			break;
		nl = memchr(line.p + line.len, '\n', (size_t)k);
		line.len += (size_t)k;
	}
	close(fd);
	struct slice h = { line.p, nl ? (size_t)(nl - line.p) : line.len };
	if (h.n > 0 && h.p[h.n - 1] == '\r')
		h.n--;
	if (h.n >= 3 && memcmp(h.p, "\xEF\xBB\xBF", 3) == 0)
		h.p += 3, h.n -= 3;
	if (h.n == 0)
		die(EX_DATA_, "%s: no header line (--header-from)", g->from);
	keep_header(r, h, g->from);
	buf_free(&line);
}

void tsv_header_option(struct tsv_header *g, int option, const char *arg)
{
	if (option == TSV_OPT_COLUMNS)
		g->columns = arg;
	else
		g->from = arg;
}

/* The first line of an input: take it as the header or check it against
 * the header. 0 when the batch has become an error.
 * Threads: this runs in the producer, and it is the one place where the
 * producer writes to the reader itself (has_header, header, header_file,
 * cols, ncols). That is safe only because it happens while the first
 * batch is made, which tsv_open does synchronously before starting the
 * thread; for every later input it only compares. Keep it so: a producer
 * that wrote to the reader after tsv_open returned would race with the
 * program reading r->cols. */
static int take_header(struct tsv_reader *r, struct batch *b, struct slice h)
{
	struct tsv_input *in = r->in;
	if (h.n >= 3 && memcmp(h.p, "\xEF\xBB\xBF", 3) == 0)
		h.p += 3, h.n -= 3;
	if (!r->has_header) {
		keep_header(r, h, in->name);
		return 1;
	}
	if (h.n != r->header.len || memcmp(h.p, r->header.p, h.n) != 0) {
		fail(b, EX_DATA_, "%s:1: header differs from the header of %s",
		     in->name, r->header_file);
		return 0;
	}
	return 1;
}

/* Takes [p, end) -- whole lines, the last one without its newline only
 * at the end of an input -- as the batch's rows, after the input's header
 * line if it is there. */
static int take_lines(struct tsv_reader *r, struct batch *b, const char *p,
		      const char *end)
{
	struct tsv_input *in = r->in;
	if (in->at_header && p < end) { /* an input's first line */
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct slice h = { p, (size_t)((nl ? nl : end) - p) };
		if (h.n > 0 && h.p[h.n - 1] == '\r')
			h.n--;
		in->at_header = 0;
		in->line++;
		if (!take_header(r, b, h))
			return 0;
		p = nl ? nl + 1 : end;
	}
	if (p == end)
		return 1;
	b->rows = p;
	b->rows_end = end;
	b->first_line = in->fresh ? in->line + 1 : 0;
	in->fresh = 0;
	return 1;
}

/* read(), or for a range reader pread() within its range. */
static ssize_t input_read(struct tsv_input *in, char *p, size_t n)
{
	ssize_t k;
	if (!in->ranged) {
		do
			k = read(in->fd, p, n);
		while (k < 0 && errno == EINTR);
		return k;
	}
	if ((off_t)n > in->end - in->pos)
		n = (size_t)(in->end - in->pos);
	if (n == 0)
		return 0;
	do
		k = pread(in->fd, p, n, in->pos);
	while (k < 0 && errno == EINTR);
	if (k > 0)
		in->pos += k;
	return k;
}

/* Whether the bytes are one line holding only a BOM: a file with nothing
 * else is as empty as a file of no bytes. */
static int bom_only(const char *p, size_t n)
{
	return n >= 3 && n <= 5 && memcmp(p, "\xEF\xBB\xBF", 3) == 0 &&
	       (n == 3 || (n == 4 && (p[3] == '\n' || p[3] == '\r')) ||
		(p[3] == '\r' && p[4] == '\n'));
}

/* Fills b with at least one row, or with the header of the first input,
 * or with the end or an error. */
static void produce(struct tsv_reader *r, struct batch *b)
{
	struct tsv_input *in = r->in;
	b->kind = BATCH_ROWS;
	b->rows = b->rows_end = NULL;
	b->first_line = 0; /* an end or an error goes on counting */
	int had_header = r->has_header;
	while (b->kind == BATCH_ROWS && b->rows == b->rows_end &&
	       (r->has_header == had_header)) {
		if (in->fd < 0) {
			if (in->next_file == in->nfiles) {
				b->kind = BATCH_END;
				return;
			}
			if (!open_next(in, b))
				return;
		}
		b->name = in->name;
		/* the bytes: what was left after the last whole line, then
		 * reads until a newline comes (or the end) */
		size_t len = in->carry.len, whole = 0;
		b->buf = array_grow(b->buf, &b->cap, len + BLOCK + SLACK, 1);
		if (len)
			memcpy(b->buf, in->carry.p, len);
		for (;;) {
			if (in->eof) {
				whole = len;
				break;
			}
			if (len == b->cap - SLACK)
				b->buf = array_grow(b->buf, &b->cap, len + 1 + SLACK, 1);
			ssize_t k = input_read(in, b->buf + len, b->cap - SLACK - len);
			if (k < 0) {
				fail(b, EX_NOINPUT_, "cannot read %s: %s", in->name,
				     strerror(errno));
				return;
			}
			if (k == 0) {
				in->eof = 1;
				continue;
			}
			const char *nl = memrchr(b->buf + len, '\n', (size_t)k);
			len += (size_t)k;
			if (nl && !(in->at_header && bom_only(b->buf, len) &&
				    (size_t)(nl - b->buf) + 1 == len)) {
				whole = (size_t)(nl - b->buf) + 1;
				break;
			}
		}
		in->carry.len = 0;
		buf_add(&in->carry, b->buf + whole, len - whole);
		/* defined bytes for the splitter to read past the lines (and
		 * mask off) */
		memset(b->buf + len, 0, SLACK);
		if (in->eof && in->at_header && bom_only(b->buf, whole))
			whole = 0; /* only a BOM: an empty input */
		if (!take_lines(r, b, b->buf, b->buf + whole))
			return;
		if (in->eof && in->carry.len == 0)
			close_input(in);
	}
}

static void *producer(void *arg)
{
	struct tsv_reader *r = arg;
	struct tsv_input *in = r->in;
	for (;;) {
		pthread_mutex_lock(&in->lock);
		while (in->produced - in->released >= NBATCH && !in->stop)
			pthread_cond_wait(&in->cond, &in->lock);
		int stop = in->stop;
		pthread_mutex_unlock(&in->lock);
		if (stop)
			return NULL;
		struct batch *b = &in->batches[in->produced % NBATCH];
		produce(r, b);
		pthread_mutex_lock(&in->lock);
		in->produced++;
		pthread_cond_broadcast(&in->cond);
		pthread_mutex_unlock(&in->lock);
		if (b->kind != BATCH_ROWS)
			return NULL;
	}
}

/* The next batch in order, produced here when there is no thread. */
static struct batch *take(struct tsv_input *in, struct tsv_reader *r)
{
	if (!in->threaded) {
		/* one batch, refilled: the one before is given back by now, and
		 * its buffer is still in the cache (the first came from
		 * tsv_open, also batches[0]) */
		if (in->taken == in->produced) {
			produce(r, &in->batches[0]);
			in->produced++;
		}
		in->taken++;
		return &in->batches[0];
	}
	pthread_mutex_lock(&in->lock);
	while (in->taken == in->produced)
		pthread_cond_wait(&in->cond, &in->lock);
	struct batch *b = &in->batches[in->taken++ % NBATCH];
	pthread_mutex_unlock(&in->lock);
	return b;
}

static void give_back(struct tsv_input *in)
{
	if (!in->threaded) {
		in->released++;
		return;
	}
	pthread_mutex_lock(&in->lock);
	in->released++;
	pthread_cond_broadcast(&in->cond);
	pthread_mutex_unlock(&in->lock);
}

static _Noreturn void die_batch(const struct tsv_input *in,
				 const struct batch *b)
{
	if (in->hook)
		in->hook->fatal(in->hook->ctx, b->code, 0, b->message.p);
	writer_flush(&out); /* the output of every row before */
	die(b->code, "%s", b->message.p);
}

static int file_id_of(int fd, const char *path, struct file_id *id)
{
	struct stat st;
	if ((path ? stat(path, &st) : fstat(fd, &st)) != 0 || !S_ISREG(st.st_mode))
		return 0;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return 1;
}

/* The input that is the same regular file as fd, or NULL. */
static const char *same_input(const struct tsv_input *in, int fd)
{
	struct file_id id;
	if (!file_id_of(fd, NULL, &id))
		return NULL;
	for (size_t i = 0; i < in->nids; i++)
		if (in->ids[i].dev == id.dev && in->ids[i].ino == id.ino)
			return in->ids[i].name;
	return NULL;
}

void tsv_check_output(const struct tsv_reader *r, int fd, const char *name)
{
	const char *input = same_input(r->in, fd);
	if (input)
		die(EX_USAGE_, "%s is the input %s: writing it would destroy the "
			       "input while it is read", name, input);
}

void tsv_open(struct tsv_reader *r, int nfiles, char **files)
{
	tsv_open_header(r, NULL, nfiles, files);
}

void tsv_open_header(struct tsv_reader *r, const struct tsv_header *given,
		     int nfiles, char **files)
{
	/* never written: not const only as argv, whose place it takes, is not */
	static char *std_in[] = { "-" };
	memset(r, 0, sizeof *r);
	struct tsv_input *in = xmalloc(sizeof *in);
	memset(in, 0, sizeof *in);
	r->in = in;
	r->rejects.fd = -1;
	tsv_splitter(r);
	tsv_grow_fields(r, TSV_FIELDS_MIN);
	in->stdin_start = -1;
	in->files = nfiles > 0 ? files : std_in;
	in->nfiles = nfiles > 0 ? nfiles : 1;
	in->fd = -1;
	r->name = in->files[0][0] == '-' && !in->files[0][1] ? "stdin" : in->files[0];
	/* Before anything is read or written: the inputs that are regular
	 * files, so that no output may be one of them. */
	in->ids = xmalloc((size_t)in->nfiles * sizeof *in->ids);
	for (int i = 0; i < in->nfiles; i++) {
		int is_std = strcmp(in->files[i], "-") == 0;
		struct file_id *id = &in->ids[in->nids];
		if (file_id_of(0, is_std ? NULL : in->files[i], id)) {
			id->name = is_std ? "stdin" : in->files[i];
			in->nids++;
		}
	}
	tsv_check_output(r, 1, "standard output");
	if (given && (given->columns || given->from)) {
		given_header(r, given);
		in->header_given = 1;
	}
	/* The header must be known before tsv_open returns: the first batch
	 * is made here, in order; the rest may come from a thread. */
	struct batch *b = &in->batches[0];
	produce(r, b);
	in->produced = 1;
	if (b->kind == BATCH_ERROR)
		die_batch(in, b);
}

/* The producer thread starts with the first row asked for, not in
 * tsv_open: a program that reads by ranges (tsv_ranges) never asks. */
static void start_producer(struct tsv_reader *r)
{
	struct tsv_input *in = r->in;
	in->started = 1;
	if (in->batches[0].kind != BATCH_ROWS || in->ranged || !threads_wanted())
		return;
	pthread_mutex_init(&in->lock, NULL);
	pthread_cond_init(&in->cond, NULL);
	in->threaded = pthread_create(&in->thread, NULL, producer, r) == 0;
}

/* The line is the header again (with a BOM or not). */
int tsv_is_header_line(const struct tsv_reader *r, struct slice h)
{
	if (h.n == r->header.len + 3 && memcmp(h.p, "\xEF\xBB\xBF", 3) == 0)
		h.p += 3, h.n -= 3;
	return h.n == r->header.len && memcmp(h.p, r->header.p, h.n) == 0;
}

int tsv_is_header(const struct tsv_reader *r)
{
	return tsv_is_header_line(r, r->row);
}

/* tsv_next when the batch is used up, or the row was a header. */
int tsv_next_slow(struct tsv_reader *r)
{
	struct tsv_input *in = r->in;
	for (;;) {
		if (r->next_row != r->rows_end) {
			r->advance(r);
			if (!tsv_is_header(r))
				return 1;
			continue;
		}
		struct batch *b = in->cur;
		if (b && b->kind == BATCH_END)
			return 0;
		if (b)
			give_back(in);
		else if (!in->started)
			start_producer(r);
		b = in->cur = take(in, r);
		if (b->kind == BATCH_ERROR)
			die_batch(in, b);
		r->next_row = b->rows;
		r->rows_end = b->rows_end;
		if (b->first_line)
			r->next_line = b->first_line;
		r->name = b->name;
	}
}

void tsv_pick_spans(struct tsv_picks *s, const size_t (*spans)[2], size_t n)
{
	if (n > TSV_PICK_SPANS)
		die(EX_SOFTWARE_, "tsv_pick_spans: %zu spans, at most %d", n,
		    TSV_PICK_SPANS);
	for (size_t k = 0; k < n; k++) {
		if (spans[k][0] > spans[k][1])
			die(EX_SOFTWARE_, "tsv_pick_spans: columns %zu to %zu",
			    spans[k][0], spans[k][1]);
		s->first[k] = spans[k][0];
		s->last[k] = spans[k][1];
	}
	s->nspans = n;
	s->row_bytes = 0;
}

void tsv_pick_row(struct tsv_reader *r, const struct tsv_picks *s, size_t i)
{
	/* split where tsv_next would have, the reader's place kept */
	const char *next_row = r->next_row;
	unsigned long next_line = r->next_line;
	r->next_row = s->row[i];
	r->next_line = s->first_line + i;
	r->advance(r);
	r->next_row = next_row;
	r->next_line = next_line;
}

int tsv_buffered(const struct tsv_reader *r)
{
	struct tsv_input *in = r->in;
	if (r->next_row != r->rows_end)
		return 1;
	if (!in->threaded)
		return 0;
	pthread_mutex_lock(&in->lock);
	int waiting = in->taken < in->produced;
	pthread_mutex_unlock(&in->lock);
	return waiting;
}

static void input_close(struct tsv_reader *r)
{
	struct tsv_input *in = r->in;
	if (!in)
		return;
	if (in->threaded) {
		pthread_mutex_lock(&in->lock);
		in->stop = 1;
		pthread_cond_broadcast(&in->cond);
		pthread_mutex_unlock(&in->lock);
		pthread_join(in->thread, NULL);
		pthread_mutex_destroy(&in->lock);
		pthread_cond_destroy(&in->cond);
	}
	close_input(in);
	for (int i = 0; i < NBATCH; i++) {
		free(in->batches[i].buf);
		buf_free(&in->batches[i].message);
	}
	buf_free(&in->carry);
	buf_free(&in->message);
	free(in->ids);
	free(in);
	r->in = NULL;
	free(r->field_buf);
	r->field_buf = NULL;
	r->field_cap = 0;
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
	tsv_format_cols(&list, r->cols, r->ncols, ", ");
	/* One name holding commas or semicolons: not TSV at all. */
	const char *sep = r->ncols != 1 ? NULL
			  : memchr(r->cols[0].p, ',', r->cols[0].n) ? "commas"
			  : memchr(r->cols[0].p, ';', r->cols[0].n) ? "semicolons"
								    : NULL;
	if (sep)
		die_usage("no column \"%s\" in %s: its header has no TAB but "
			  "has %s, so the input looks like CSV; convert it with "
			  "nps-import first (header: %s)",
			  name, r->header_file, sep, buf_cstr(&list));
	die_usage("no column \"%s\" in %s (columns: %s)", name, r->header_file,
		  buf_cstr(&list));
}

size_t tsv_cols(const struct tsv_reader *r, const char *list, size_t **idx)
{
	size_t n = 0, cap = 0;
	*idx = NULL;
	if (!list) /* "" is not "none": it names one column, "" */
		return 0;
	const char *p = list;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char *name = xstrndup(p, len);
		*idx = array_grow(*idx, &cap, n + 1, sizeof **idx);
		(*idx)[n++] = tsv_col(r, name);
		free(name);
		if (!comma)
			break;
		p = comma + 1;
	}
	return n;
}

void tsv_format_cols(struct buf *to, const struct slice *cols, size_t n,
		     const char *sep)
{
	size_t seplen = strlen(sep);
	for (size_t k = 0; k < n; k++) {
		if (k)
			buf_add(to, sep, seplen);
		buf_add(to, cols[k].p, cols[k].n);
	}
}

void tsv_write_header(const struct tsv_reader *r, struct writer *w)
{
	writer_write(w, r->header.p, r->header.len);
}

void tsv_rejects_open(struct tsv_reader *r, const char *path)
{
	/* Opened now, so that a path that cannot be written stops the run
	 * before it starts; emptied only when the first bytes go out. */
	writer_open_keep(&r->rejects, path);
	struct file_id rejects, std_out;
	const char *input = same_input(r->in, r->rejects.fd);
	if (input)
		die(EX_USAGE_, "--rejects %s is the input %s: writing it would "
			       "destroy the input while it is read", path, input);
	if (file_id_of(r->rejects.fd, NULL, &rejects) &&
	    file_id_of(1, NULL, &std_out) && rejects.dev == std_out.dev &&
	    rejects.ino == std_out.ino)
		die(EX_USAGE_, "--rejects %s is standard output: the bad rows "
			       "would be mixed into the output", path);
	r->rejecting = 1;
	if (r->has_header) {
		tsv_write_header(r, &r->rejects);
		writer_str(&r->rejects, "\treject_reason\n");
	}
}

/* Formats into b (its content replaced, NUL-terminated). */
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
	buf_cstr(b);
}

/* Stops at the current row with the message in r->in->message: the
 * message is kept in the input, not on the stack, so that a range reader
 * (whose thread ends) leaves nothing unreachable behind. */
static _Noreturn void die_row(const struct tsv_reader *r, int code)
{
	const char *message = buf_cstr(&r->in->message);
	if (r->in->hook)
		r->in->hook->fatal(r->in->hook->ctx, code, r->line, message);
	writer_flush(&out); /* the output of every row before, whatever the threads */
	die(code, "%s:%lu: %s", r->name, r->line, message);
}

void tsv_reject(struct tsv_reader *r, const char *fmt, ...)
{
	struct buf *reason = &r->in->message;
	va_list ap;
	va_start(ap, fmt);
	vreason(reason, fmt, ap);
	va_end(ap);
	if (!r->rejecting)
		die_row(r, EX_DATA_);
	writer_write(&r->rejects, r->row.p, r->row.n);
	writer_char(&r->rejects, '\t');
	writer_write(&r->rejects, reason->p, reason->len);
	writer_char(&r->rejects, '\n');
	r->nrejected++;
}

int tsv_reject_width(struct tsv_reader *r)
{
	tsv_reject(r, "expected %zu fields, found %zu", r->ncols, r->nfields);
	return 0;
}

_Noreturn void tsv_die(const struct tsv_reader *r, int code, const char *fmt,
		       ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreason(&r->in->message, fmt, ap);
	va_end(ap);
	die_row(r, code);
}

void tsv_close(struct tsv_reader *r)
{
	input_close(r);
	if (r->rejecting) {
		writer_close(&r->rejects);
		say("%lu bad row%s written to %s", r->nrejected,
		    r->nrejected == 1 ? "" : "s", r->rejects.name);
	}
	free(r->cols);
	buf_free(&r->header);
	r->fields = r->cols = NULL;
}

const char *tsv_quote(struct slice s)
{
	enum { MAX = 40 };
	/* Lib's plumbing, acceptable as state: two buffers in turn (so that
	 * one message may quote two values), each valid until the call after
	 * next. Text only, no pointers: a new run needs no reset. Per thread,
	 * so that threads may quote at once. */
	static _Thread_local char bufs[2][MAX * 4 + 8];
	static _Thread_local int which;
	char *q = bufs[which ^= 1], *o = q;
	*o++ = '"';
	size_t n = s.n < MAX ? s.n : MAX;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if (c == '\r') {
			*o++ = '\\';
			*o++ = 'r';
		} else if (c < 0x20 || c == 0x7f) {
			o += sprintf(o, "\\x%02x", c);
		} else {
			*o++ = (char)c;
		}
	}
	if (s.n > MAX)
		o += sprintf(o, "...");
	*o++ = '"';
	*o = '\0';
	return q;
}

void tsv_range_reader(struct tsv_reader *w, const struct tsv_reader *main,
		      const struct tsv_range_hook *hook, const char *name,
		      int fd, off_t start, off_t end, int at_header)
{
	struct tsv_input *in = w->in;
	if (!in) {
		in = xmalloc(sizeof *in);
		memset(in, 0, sizeof *in);
		in->ranged = in->started = 1;
		in->stdin_start = -1;
	}
	struct writer rejects = w->rejects;
	struct slice *field_buf = w->field_buf;
	size_t field_cap = w->field_cap;
	memset(w, 0, sizeof *w);
	w->in = in;
	w->rejects = rejects;
	w->field_buf = field_buf;
	w->field_cap = field_cap;
	if (!field_buf)
		tsv_grow_fields(w, TSV_FIELDS_MIN);
	w->advance = main->advance;
	w->pick = main->pick;
	/* the header and columns are main's: shared, read only */
	w->has_header = main->has_header;
	w->header = main->header;
	w->header_file = main->header_file;
	w->cols = main->cols;
	w->ncols = main->ncols;
	w->rejecting = main->rejecting;
	w->name = name;
	in->hook = hook;
	in->header_given = main->in->header_given;
	in->name = name;
	in->fd = fd;
	in->pos = start;
	in->end = end;
	in->line = 0;
	in->fresh = 1;
	in->eof = 0;
	in->at_header = at_header && !in->header_given;
	in->carry.len = 0;
	in->produced = in->taken = in->released = 0;
	in->cur = NULL;
}

unsigned long tsv_range_lines(const struct tsv_reader *w)
{
	/* its header, if no row came; else what tsv_next counted */
	return w->in->fresh ? w->in->line : w->next_line - 1;
}

void tsv_range_free(struct tsv_reader *w)
{
	input_close(w); /* the header is main's */
}

char **tsv_input_files(const struct tsv_reader *r, int *nfiles)
{
	*nfiles = r->in->nfiles;
	return r->in->files;
}

off_t tsv_stdin_start(const struct tsv_reader *r)
{
	return r->in->stdin_start >= 0 ? r->in->stdin_start : lseek(0, 0, SEEK_CUR);
}

/* ranges: reading regular files by byte ranges on several threads
 * (tsv_ranges in tsv.h). The inputs are cut into ranges of bytes; each
 * thread takes the next range in input order, finds its whole lines
 * (Hadoop's rule: a line belongs to the range that holds the newline
 * before it, the file's first line to the first range) and runs the program's
 * row loop on them with state of its own. A range's output and rejected
 * rows go into memory and are written out strictly in input order, by
 * whichever thread finishes the range that is next; a bounded window of
 * ranges keeps memory flat. A fatal row only ends its own range: the
 * ranges before it still count, and the first fatal row in input order,
 * at its line number (known once the lines before it are counted), is
 * the one reported. */
#include "tsv-range.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Range sizes, in bytes: below RANGE_MIN a range is not worth a hand-over
 * (the fuzz build makes it tiny, so that small inputs are cut in many
 * places); above RANGE_MAX its output would wait long in memory. */
#ifndef RANGE_MIN
#define RANGE_MIN 4096
#endif
enum {
	RANGE_MAX = 1 << 18,
	RANGES_PER_THREAD = 8, /* so that a slow range does not idle the rest */
	SLOTS_PER_THREAD = 3,  /* ranges read but not yet written, per thread */
};

struct range {
	int file;
	off_t start, end; /* as cut: its lines start after the first newline
			     at or after start (or at the file's start) and
			     end with the first newline at or after end */
};

/* A range being read or waiting to be written, and what it gave. */
struct slot {
	OWN_LINES struct writer out; /* written row by row */
	struct writer rejects;
	unsigned long lines, nrejected;
	int done, failed, code;
	unsigned long fail_line; /* in the range; 0: the message says where */
	struct buf message;
};

struct ranges {
	struct tsv_reader *main;
	char **files;
	off_t *starts; /* each input's first byte: 0, or stdin's offset */
	struct range *list;
	size_t nranges, nslots;
	struct slot *slots;
	tsv_rows_fn *rows;
	pthread_mutex_t lock;
	pthread_cond_t moved;
	/* under the lock */
	size_t next, written, stop_at;
	int writing, halted;
	/* the writer's: where the lines of the current input are counted */
	int line_file;
	unsigned long line_base;
	struct slot *fatal; /* the first fatal range, once reached */
	unsigned long fatal_line;
	const char *fatal_name;
};

struct worker {
	OWN_LINES struct ranges *rs; /* its reader is written row by row */
	void *state;
	struct tsv_reader r;
	struct tsv_range_hook hook;
	jmp_buf leave;
	struct slot *slot;
	int fd, fd_file; /* the input open, by index, or -1 */
	pthread_t thread;
};

static const char *input_name(const struct ranges *rs, int file)
{
	const char *f = rs->files[file];
	return strcmp(f, "-") == 0 ? "stdin" : f;
}

/* The inputs cut into ranges of about total / (8 threads) bytes; 0 when
 * an input is not a regular file (or is gone). */
static size_t plan(struct ranges *rs, const struct tsv_reader *r, int nfiles,
		   size_t nthreads)
{
	off_t *sizes = xmalloc((size_t)nfiles * sizeof *sizes);
	off_t total = 0;
	rs->starts = xmalloc((size_t)nfiles * sizeof *rs->starts);
	for (int i = 0; i < nfiles; i++) {
		struct stat st;
		int is_std = strcmp(rs->files[i], "-") == 0;
		if ((is_std ? fstat(0, &st) : stat(rs->files[i], &st)) != 0 ||
		    !S_ISREG(st.st_mode)) {
			free(sizes);
			return 0;
		}
		rs->starts[i] = is_std ? tsv_stdin_start(r) : 0;
		if (rs->starts[i] < 0 || rs->starts[i] > st.st_size)
			rs->starts[i] = st.st_size;
		sizes[i] = st.st_size;
		total += st.st_size - rs->starts[i];
	}
	off_t step = total / (off_t)(nthreads * RANGES_PER_THREAD) + 1;
	step = step < RANGE_MIN ? RANGE_MIN : step > RANGE_MAX ? RANGE_MAX : step;
	size_t n = 0, cap = 0;
	for (int i = 0; i < nfiles; i++) {
		for (off_t at = rs->starts[i]; at < sizes[i]; at += step) {
			rs->list = array_grow(rs->list, &cap, n + 1, sizeof *rs->list);
			off_t end = sizes[i] - at > step ? at + step : sizes[i];
			rs->list[n++] = (struct range){ i, at, end };
		}
	}
	free(sizes);
	return rs->nranges = n;
}

/* The offset just past the first newline at or after `at`, or the end of
 * the file; -1 on a read error. */
static off_t past_newline(int fd, off_t at)
{
	char block[4096];
	for (;;) {
		ssize_t k = pread(fd, block, sizeof block, at);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -1 : at;
		const char *nl = memchr(block, '\n', (size_t)k);
		if (nl)
			return at + (nl - block) + 1;
		at += k;
	}
}

static _Noreturn void range_fatal(void *ctx, int code, unsigned long line,
				  const char *message)
{
	struct worker *w = ctx;
	struct slot *s = w->slot;
	s->failed = 1;
	s->code = code;
	s->fail_line = line;
	s->message.len = 0;
	buf_add(&s->message, message, strlen(message));
	buf_cstr(&s->message);
	longjmp(w->leave, 1);
}

static void fail_input(struct slot *s, int code, const char *what,
		       const char *name)
{
	char text[512];
	snprintf(text, sizeof text, "cannot %s %s: %s", what, name, strerror(errno));
	s->failed = 1;
	s->code = code;
	s->fail_line = 0;
	s->message.len = 0;
	buf_add(&s->message, text, strlen(text));
	buf_cstr(&s->message);
}

/* Reads range i into its slot: the program's rows, output and rejects. */
static void read_range(struct worker *w, size_t i)
{
	struct ranges *rs = w->rs;
	const struct range *g = &rs->list[i];
	struct slot *s = w->slot = &rs->slots[i % rs->nslots];
	const char *name = input_name(rs, g->file);
	s->out.len = s->rejects.len = 0;
	s->lines = s->nrejected = 0;
	s->failed = 0;
	if (w->fd_file != g->file) {
		if (w->fd > 0)
			close(w->fd);
		w->fd_file = g->file;
		w->fd = strcmp(rs->files[g->file], "-") == 0 ? 0
			: open(rs->files[g->file], O_RDONLY);
		if (w->fd < 0) {
			w->fd_file = -1;
			fail_input(s, EX_NOINPUT_, "open", name);
			return;
		}
	}
	int first = g->start == rs->starts[g->file];
	off_t start = first ? g->start : past_newline(w->fd, g->start);
	off_t end = start < 0 ? 0 : past_newline(w->fd, g->end);
	if (start < 0 || end < 0) {
		fail_input(s, EX_NOINPUT_, "read", name);
		return;
	}
	tsv_range_reader(&w->r, rs->main, &w->hook, name, w->fd, start, end, first);
	w->r.rejects = s->rejects;
	w->r.nrejected = 0;
	if (!setjmp(w->leave))
		rs->rows(w->state, &w->r, &s->out);
	s->rejects = w->r.rejects;
	s->nrejected = w->r.nrejected;
	s->lines = tsv_range_lines(&w->r);
}

/* Writes out, in input order, the ranges that are read; called with the
 * lock held, by one thread at a time. */
static void write_ready(struct ranges *rs)
{
	struct tsv_reader *r = rs->main;
	while (!rs->writing && !rs->halted && rs->written < rs->nranges &&
	       rs->slots[rs->written % rs->nslots].done) {
		size_t i = rs->written;
		struct slot *s = &rs->slots[i % rs->nslots];
		rs->writing = 1;
		pthread_mutex_unlock(&rs->lock);
		writer_write(&out, s->out.buf, s->out.len);
		if (r->rejecting)
			writer_write(&r->rejects, s->rejects.buf, s->rejects.len);
		r->nrejected += s->nrejected;
		if (rs->list[i].file != rs->line_file) {
			rs->line_file = rs->list[i].file;
			rs->line_base = 0;
		}
		if (s->failed) {
			rs->fatal = s;
			rs->fatal_line = s->fail_line ? rs->line_base + s->fail_line : 0;
			rs->fatal_name = input_name(rs, rs->list[i].file);
		}
		rs->line_base += s->lines;
		pthread_mutex_lock(&rs->lock);
		rs->writing = 0;
		rs->halted = s->failed;
		s->done = 0;
		rs->written++;
		pthread_cond_broadcast(&rs->moved);
	}
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct ranges *rs = w->rs;
	pthread_mutex_lock(&rs->lock);
	for (;;) {
		if (rs->next >= rs->nranges || rs->next > rs->stop_at)
			break;
		if (rs->next >= rs->written + rs->nslots) {
			pthread_cond_wait(&rs->moved, &rs->lock);
			continue;
		}
		size_t i = rs->next++;
		pthread_mutex_unlock(&rs->lock);
		read_range(w, i);
		pthread_mutex_lock(&rs->lock);
		w->slot->done = 1;
		if (w->slot->failed && i < rs->stop_at)
			rs->stop_at = i; /* the ranges after it cannot matter */
		write_ready(rs);
	}
	pthread_mutex_unlock(&rs->lock);
	return NULL;
}

size_t tsv_range_threads(const struct tsv_reader *r)
{
	size_t n = threads_count();
	if (n < 2 || !r->has_header || tsv_buffered(r) || !r->in)
		return 1;
	struct ranges rs = { 0 };
	int nfiles;
	rs.files = tsv_input_files(r, &nfiles);
	size_t nranges = plan(&rs, r, nfiles, n);
	free(rs.list);
	free(rs.starts);
	return nranges < 2 ? 1 : nranges < n ? nranges : n;
}

void tsv_ranges(struct tsv_reader *r, size_t nthreads, tsv_rows_fn *rows,
		void *states, size_t state_size)
{
	struct ranges rs = { .main = r, .rows = rows, .stop_at = (size_t)-1,
			     .line_file = -1 };
	int nfiles;
	rs.files = tsv_input_files(r, &nfiles);
	if (!plan(&rs, r, nfiles, nthreads))
		die(EX_SOFTWARE_, "the inputs changed while being read");
	rs.nslots = nthreads * SLOTS_PER_THREAD;
	rs.slots = xmalloc_lines(rs.nslots * sizeof *rs.slots);
	memset(rs.slots, 0, rs.nslots * sizeof *rs.slots);
	for (size_t k = 0; k < rs.nslots; k++) {
		writer_memory(&rs.slots[k].out);
		writer_memory(&rs.slots[k].rejects);
	}
	pthread_mutex_init(&rs.lock, NULL);
	pthread_cond_init(&rs.moved, NULL);
	struct worker *ws = xmalloc_lines(nthreads * sizeof *ws);
	memset(ws, 0, nthreads * sizeof *ws);
	size_t started = 1;
	for (size_t t = 0; t < nthreads; t++) {
		struct worker *w = &ws[t];
		w->rs = &rs;
		w->state = (char *)states + t * state_size;
		w->hook = (struct tsv_range_hook){ range_fatal, w };
		w->fd = w->fd_file = -1;
		if (t > 0 && pthread_create(&w->thread, NULL, work, w) == 0)
			started++;
		else if (t > 0)
			break; /* fewer threads: the same result, later */
	}
	work(&ws[0]);
	for (size_t t = 1; t < started; t++)
		pthread_join(ws[t].thread, NULL);
	pthread_mutex_destroy(&rs.lock);
	pthread_cond_destroy(&rs.moved);
	/* standard input is left at its end, as if read (pread moves nothing) */
	for (int i = 0; i < nfiles; i++)
		if (strcmp(rs.files[i], "-") == 0)
			lseek(0, 0, SEEK_END);
	for (size_t t = 0; t < nthreads; t++) {
		if (ws[t].fd > 0)
			close(ws[t].fd);
		if (ws[t].r.in)
			tsv_range_free(&ws[t].r);
	}
	struct buf fatal = { 0 };
	int failed = rs.fatal != NULL, fatal_code = failed ? rs.fatal->code : 0;
	if (rs.fatal && rs.fatal_line) {
		char line[32];
		buf_add(&fatal, rs.fatal_name, strlen(rs.fatal_name));
		buf_add(&fatal, line, (size_t)snprintf(line, sizeof line, ":%lu: ",
							 rs.fatal_line));
	}
	if (rs.fatal)
		buf_add(&fatal, rs.fatal->message.p, rs.fatal->message.len);
	for (size_t k = 0; k < rs.nslots; k++) {
		writer_close(&rs.slots[k].out);
		writer_close(&rs.slots[k].rejects);
		buf_free(&rs.slots[k].message);
	}
	free(rs.slots);
	free(ws);
	free(rs.list);
	free(rs.starts);
	/* The first fatal row in input order, after everything is freed (so
	 * that nothing of the threads' is left behind unreachable). */
	if (failed) {
		writer_flush(&out); /* as one thread does */
		die(fatal_code, "%s", buf_cstr(&fatal));
	}
}

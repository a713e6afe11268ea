/* libFuzzer target: nps-route as a whole program, in process (see prog.h
 * for the input's layout and how exit and memory are handled), with its
 * parts (cmd/nps-route/) compiled in. Two additions, so that the sorted
 * writer's paths are within reach of small inputs:
 *
 * - The store's chunks and units are made tiny (CHUNK 64 records, units
 *   of 16 tickets) and it may use its second thread (the helper that
 *   sorts and formats every other unit; the supplier stays compiled out,
 *   as NPSKIT_NO_THREADS says): 32 tickets take the threaded path, 65
 *   equal ones a bucket merged from its pieces.
 * - An input whose line after the "#!" line (or whose first line) is
 *   "#x N" has its TSV rows repeated N times (N <= 4000, at most 4 MB in
 *   all): past one read batch of the reader (128 KB), and thousands of
 *   ties. tests/fuzz-regressions.bats reads such a line as a rules-file
 *   comment and replays the input once.
 *
 * The helper thread allocates while the main thread does, and prog.h's
 * allocation tracking is not thread-safe: its wrappers are renamed here and
 * called under one lock. */
#define __wrap_malloc fz_tracked_malloc
#define __wrap_calloc fz_tracked_calloc
#define __wrap_realloc fz_tracked_realloc
#define __wrap_free fz_tracked_free
#define LLVMFuzzerTestOneInput fz_run_once
#include "prog.h"
#undef __wrap_malloc
#undef __wrap_calloc
#undef __wrap_realloc
#undef __wrap_free
#undef LLVMFuzzerTestOneInput
#include <pthread.h>

#include "util.h"
#define threads_wanted() 1
#define main prog_main
#include "../cmd/nps-route.c"
#undef main
#undef threads_wanted
#include "../cmd/nps-route/rules.c"
#include "../cmd/nps-route/tickets.c"
#define CHUNK 64
#define UNIT_TICKETS 16
#define TOP_DIGIT 5
#include "../cmd/nps-route/store.c"

const char *const fuzz_default_args[] = { "-v", "customer_value", "--rules", "@aux", NULL };
const char fuzz_aux_name[] = "rules";

static pthread_mutex_t fz_alloc_lock = PTHREAD_MUTEX_INITIALIZER;

void *__wrap_malloc(size_t n)
{
	pthread_mutex_lock(&fz_alloc_lock);
	void *p = fz_tracked_malloc(n);
	pthread_mutex_unlock(&fz_alloc_lock);
	return p;
}

void *__wrap_calloc(size_t k, size_t n)
{
	pthread_mutex_lock(&fz_alloc_lock);
	void *p = fz_tracked_calloc(k, n);
	pthread_mutex_unlock(&fz_alloc_lock);
	return p;
}

void *__wrap_realloc(void *q, size_t n)
{
	pthread_mutex_lock(&fz_alloc_lock);
	void *p = fz_tracked_realloc(q, n);
	pthread_mutex_unlock(&fz_alloc_lock);
	return p;
}

void __wrap_free(void *p)
{
	pthread_mutex_lock(&fz_alloc_lock);
	fz_tracked_free(p);
	pthread_mutex_unlock(&fz_alloc_lock);
}

#define FZ_MAX_REPEAT 4000
#define FZ_MAX_GROWN (4u << 20)

/* The end of the line at p (after its '\n'), or end. */
static const uint8_t *fz_line_end(const uint8_t *p, const uint8_t *end)
{
	const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
	return nl ? nl + 1 : end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *end = data + size, *x = data;
	if (size >= 2 && data[0] == '#' && data[1] == '!')
		x = fz_line_end(data, end);
	if (end - x < 4 || memcmp(x, "#x ", 3) != 0)
		return fz_run_once(data, size);
	const uint8_t *after_x = fz_line_end(x, end);
	unsigned long repeat = strtoul((const char *)x + 3, NULL, 10);
	if (repeat < 1 || repeat > FZ_MAX_REPEAT)
		repeat = 1;
	/* the TSV part: after the rules, up to a line "%%" */
	const uint8_t *tsv = after_x;
	for (const uint8_t *p = after_x; p < end; p = fz_line_end(p, end)) {
		if (end - p >= 3 && memcmp(p, "%%\n", 3) == 0) {
			tsv = p + 3;
			break;
		}
	}
	const uint8_t *body = fz_line_end(tsv, end);
	size_t head = (size_t)(x - data) + (size_t)(body - after_x);
	size_t rows = (size_t)(end - body) + 1;
	if (rows * repeat + head > FZ_MAX_GROWN)
		repeat = (FZ_MAX_GROWN - head) / rows;
	uint8_t *grown = __real_malloc(head + rows * (repeat ? repeat : 1));
	uint8_t *p = grown;
	memcpy(p, data, (size_t)(x - data));
	p += x - data;
	memcpy(p, after_x, (size_t)(body - after_x));
	p += body - after_x;
	for (unsigned long i = 0; i < repeat; i++) {
		memcpy(p, body, rows - 1);
		p += rows - 1;
		if (rows > 1 && p[-1] != '\n')
			*p++ = '\n';
	}
	int r = fz_run_once(grown, (size_t)(p - grown));
	__real_free(grown);
	return r;
}

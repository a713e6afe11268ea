/* buf: one growable byte buffer, and the growth rule for any array.
 * A buf's invariant: p[0..len) is the content, cap >= len, and p is NULL
 * only while cap is 0. The buffer owns p; buf_free releases it. Never
 * NUL-terminated unless buf_cstr is called.
 * An array grown with array_grow keeps the same invariant in its own
 * names: the owner's pointer holds cap elements, NULL only while cap is 0;
 * growth doubles (amortised O(1) an element, no allocation per row) and a
 * size that would overflow is "out of memory" (exit 70), never a wrap. */
#ifndef NPS_BUF_H
#define NPS_BUF_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct buf {
	char *p;
	size_t len, cap;
};

/* The array p of *cap elements of size bytes, grown (a new pointer) to
 * hold at least need: p = array_grow(p, &cap, n + 1, sizeof *p). */
void *array_grow_slow(void *p, size_t *cap, size_t need, size_t size);
static inline void *array_grow(void *p, size_t *cap, size_t need, size_t size)
{
	return need <= *cap ? p : array_grow_slow(p, cap, need, size);
}

static inline void buf_grow(struct buf *b, size_t extra)
{
	if (b->cap - b->len >= extra)
		return;
	if (extra > (size_t)-1 - b->len)
		die(EX_SOFTWARE_, "out of memory (a buffer past %zu bytes)", b->len);
	b->p = array_grow_slow(b->p, &b->cap, b->len + extra, 1);
}

static inline void buf_add(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	buf_grow(b, n);
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static inline void buf_addc(struct buf *b, char c)
{
	buf_grow(b, 1);
	b->p[b->len++] = c;
}

/* NUL-terminates (without counting the NUL) and returns p. */
static inline char *buf_cstr(struct buf *b)
{
	buf_grow(b, 1);
	b->p[b->len] = '\0';
	return b->p;
}

static inline void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

#endif

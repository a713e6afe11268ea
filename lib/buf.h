/* buf: one growable byte buffer. Invariant: p[0..len) is the content,
 * cap >= len, and p is NULL only while cap is 0. The buffer owns p;
 * buf_free releases it. Never NUL-terminated unless buf_cstr is called. */
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

static inline void buf_grow(struct buf *b, size_t extra)
{
	if (b->cap - b->len >= extra)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap - b->len < extra)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
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

/* slice: a view of bytes owned by someone else (a read buffer, a header
 * copy, a string). The ground floor of lib/: no I/O, no allocation; every
 * other module may include it. A slice is valid as long as what it points
 * into is. */
#ifndef NPS_SLICE_H
#define NPS_SLICE_H

#include <stddef.h>
#include <string.h>

struct slice {
	const char *p;
	size_t n;
};

static inline struct slice slice_of(const char *str)
{
	return (struct slice){ str, strlen(str) };
}

static inline int slice_eq(struct slice s, const char *str)
{
	size_t n = strlen(str);
	return s.n == n && memcmp(s.p, str, n) == 0;
}

static inline int slice_same(struct slice a, struct slice b)
{
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* Without the spaces (not TABs: they separate fields) around it. */
static inline struct slice slice_trim(struct slice s)
{
	while (s.n && s.p[0] == ' ')
		s.p++, s.n--;
	while (s.n && s.p[s.n - 1] == ' ')
		s.n--;
	return s;
}

#endif

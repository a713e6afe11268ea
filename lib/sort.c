#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sort.h"
#include "util.h"

/* One element; the common sizes by a copy of known length, inlined. */
static inline void copy(char *to, const char *from, size_t size)
{
	if (size == sizeof(uint64_t))
		memcpy(to, from, sizeof(uint64_t));
	else if (size == sizeof(uint32_t))
		memcpy(to, from, sizeof(uint32_t));
	else
		memcpy(to, from, size);
}

/* Sorts v[0..n) with tmp (room for n elements) as scratch. */
static void merge_sort(char *v, char *tmp, size_t n, size_t size,
		       sort_cmp *cmp, const void *ctx)
{
	if (n <= 8) { /* insertion, tmp holding the element moved */
		for (size_t i = 1; i < n; i++) {
			size_t j = i;
			copy(tmp, v + i * size, size);
			for (; j > 0 && cmp(v + (j - 1) * size, tmp, ctx) > 0; j--)
				copy(v + j * size, v + (j - 1) * size, size);
			copy(v + j * size, tmp, size);
		}
		return;
	}
	size_t h = n / 2;
	char *right = v + h * size, *end = v + n * size;
	merge_sort(v, tmp, h, size, cmp, ctx);
	merge_sort(right, tmp, n - h, size, cmp, ctx);
	if (cmp(right - size, right, ctx) <= 0)
		return; /* already in order */
	char *i = v, *j = right, *k = tmp;
	while (i < right && j < end) {
		/* the left one on a tie: stable */
		char **from = cmp(j, i, ctx) < 0 ? &j : &i;
		copy(k, *from, size);
		*from += size, k += size;
	}
	memcpy(k, i, (size_t)(right - i));
	k += right - i;
	memcpy(k, j, (size_t)(end - j));
	memcpy(v, tmp, n * size);
}

void sort_stable(void *base, size_t n, size_t size, sort_cmp *cmp, const void *ctx)
{
	if (n < 2)
		return;
	char *tmp = xmalloc(n * size);
	merge_sort(base, tmp, n, size, cmp, ctx);
	free(tmp);
}

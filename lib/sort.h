/* sort: a stable merge sort whose comparator is handed the caller's
 * context, so that it needs no global to see the run's state (qsort's
 * comparator cannot, and qsort_r is not in POSIX). No state of its own:
 * the caller owns the array; the scratch space is allocated and freed
 * inside each call. */
#ifndef NPS_SORT_H
#define NPS_SORT_H

#include <stddef.h>

/* < 0, 0 or > 0 as a sorts before, with or after b. */
typedef int sort_cmp(const void *a, const void *b, const void *ctx);

/* Sorts the n elements of size bytes at base; equal ones keep their order. */
void sort_stable(void *base, size_t n, size_t size, sort_cmp *cmp, const void *ctx);

#endif

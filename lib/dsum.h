/* dsum: exact sums of non-negative decimal numbers (weights and their
 * squares), so that a sum is the same whatever the order of its terms and
 * whatever their scale. A sum is N * 10^exp, N a natural number in base
 * 2^64 limbs (least significant first) that grows as it must: no ceiling
 * short of memory. A zeroed struct dsum is the empty sum; the sum owns its
 * limbs and dsum_free releases them. No global state. */
#ifndef NPS_DSUM_H
#define NPS_DSUM_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "out.h"

struct dsum {
	uint64_t *limb;
	uint32_t n, cap; /* limbs used (0: the sum is 0), allocated */
	int32_t exp;     /* meaningful while n > 0 */
};

/* One term as read: m * 10^e. */
struct decimal {
	uint64_t m;
	int32_t e;
};

/* Reads a number >= 0 from p[0..n): "2", " 0.003 ", "1.4e-6", "5E9",
 * "+1", "-0". Significant digits past the 19th are rounded (half up).
 * 1 on success; 0 for anything else, a negative number, or a value
 * other than 0 outside [1e-400, 1e308). */
int decimal_parse(const char *p, size_t n, struct decimal *d);

void dsum_add(struct dsum *s, struct decimal d);        /* s += d */
void dsum_add_square(struct dsum *s, struct decimal d); /* s += d^2 */
void dsum_add_sum(struct dsum *a, const struct dsum *b); /* a += b */
void dsum_free(struct dsum *s);

/* The value as D * 10^*e, D the decimal digits without leading or
 * trailing zeros, written into digits (replacing what it held); no
 * digits and *e = 0 for a sum of 0. */
void dsum_digits(const struct dsum *s, struct buf *digits, long *e);

/* D * 10^e (as dsum_digits gives) rounded half to even to `decimals`
 * digits after the point, in the C locale. */
void dec_write(struct writer *w, const char *digits, size_t n, long e,
	       int decimals);

/* The sum written exactly, with at least min_decimals decimals. */
void dsum_write(struct writer *w, const struct dsum *s, int min_decimals,
		struct buf *scratch);

/* Reads a plain decimal ("12.5000", no sign or exponent), as dsum_write
 * writes it, into *s (which must be empty). 1 on success. */
int dsum_parse(const char *p, size_t n, struct dsum *s);

/* D * 10^(e - shift) correctly rounded to a double (0 when it is below
 * the double range, HUGE_VAL above it). */
double dec_scaled(const char *digits, size_t n, long e, long shift);

#endif

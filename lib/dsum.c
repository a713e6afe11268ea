#include "dsum.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 u128;

static const uint64_t pow10_u64[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL,
};

int decimal_parse(const char *p, size_t n, struct decimal *d)
{
	const char *e = p + n;
	while (p < e && *p == ' ')
		p++;
	while (e > p && e[-1] == ' ')
		e--;
	int negative = 0;
	if (p < e && (*p == '+' || *p == '-'))
		negative = *p++ == '-';
	uint64_t m = 0;
	long exp = 0;
	int kept = 0, digits = 0, dot = 0, round_up = -1;
	for (; p < e; p++) {
		if (*p == '.' && !dot) {
			dot = 1;
			continue;
		}
		if (*p < '0' || *p > '9')
			break;
		digits++;
		int v = *p - '0';
		if (kept == 0 && v == 0) { /* a leading zero */
			exp -= dot;
			continue;
		}
		if (kept < 19) {
			m = m * 10 + (uint64_t)v;
			kept++;
			exp -= dot;
		} else {
			if (round_up < 0)
				round_up = v >= 5;
			exp += !dot;
		}
	}
	if (digits == 0)
		return 0;
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		int neg_exp = 0;
		if (p < e && (*p == '+' || *p == '-'))
			neg_exp = *p++ == '-';
		long x = 0;
		const char *start = p;
		for (; p < e && *p >= '0' && *p <= '9'; p++)
			if (x < 100000)
				x = x * 10 + (*p - '0');
		if (p == start)
			return 0;
		exp += neg_exp ? -x : x;
	}
	if (p != e)
		return 0;
	if (round_up > 0)
		m++; /* at most 10^19, which still fits */
	if (m == 0) {
		d->m = 0;
		d->e = 0;
		return 1;
	}
	if (negative)
		return 0;
	int width = 1;
	while (width < 20 && m >= pow10_u64[width])
		width++;
	/* value in [10^(exp + width - 1), 10^(exp + width)) */
	if (exp + width - 1 < -400 || exp + width > 308)
		return 0;
	d->m = m;
	d->e = (int32_t)exp;
	return 1;
}

static void reserve(struct dsum *s, size_t n)
{
	if (s->cap >= n)
		return;
	size_t cap = s->cap ? s->cap : 2;
	while (cap < n)
		cap *= 2;
	if (cap > UINT32_MAX)
		die(EX_SOFTWARE_, "a sum of weights too long to hold");
	s->limb = xrealloc(s->limb, cap * sizeof *s->limb);
	s->cap = (uint32_t)cap;
}

/* N *= f */
static void mul_small(uint64_t *limb, uint32_t *n, uint64_t f)
{
	uint64_t carry = 0;
	for (uint32_t i = 0; i < *n; i++) {
		u128 x = (u128)limb[i] * f + carry;
		limb[i] = (uint64_t)x;
		carry = (uint64_t)(x >> 64);
	}
	if (carry)
		limb[(*n)++] = carry;
}

/* Limbs N * 10^k needs at most, N of n limbs: 10^19 < 2^64. */
static size_t limbs_after(size_t n, long k) { return n + (size_t)(k / 19) + 1; }

static void mul_pow10(uint64_t *limb, uint32_t *n, long k)
{
	for (; k >= 19; k -= 19)
		mul_small(limb, n, pow10_u64[19]);
	if (k > 0)
		mul_small(limb, n, pow10_u64[k]);
}

/* N += x (x of nx limbs). */
static void add_limbs(struct dsum *s, const uint64_t *x, uint32_t nx)
{
	reserve(s, (nx > s->n ? nx : s->n) + 1);
	while (s->n < nx)
		s->limb[s->n++] = 0;
	unsigned carry = 0;
	uint32_t i = 0;
	for (; i < nx; i++) {
		u128 v = (u128)s->limb[i] + x[i] + carry;
		s->limb[i] = (uint64_t)v;
		carry = (unsigned)(v >> 64);
	}
	for (; carry && i < s->n; i++)
		carry = ++s->limb[i] == 0;
	if (carry)
		s->limb[s->n++] = 1;
}

/* s += X * 10^e, X of nx limbs (not all zero). */
static void add_scaled(struct dsum *s, const uint64_t *x, uint32_t nx, long e)
{
	if (s->n == 0) {
		s->exp = (int32_t)e;
	} else if (e < s->exp) {
		reserve(s, limbs_after(s->n, s->exp - e));
		mul_pow10(s->limb, &s->n, s->exp - e);
		s->exp = (int32_t)e;
	}
	long k = e - s->exp;
	if (k == 0) {
		add_limbs(s, x, nx);
		return;
	}
	/* The term is scaled up to the sum's exponent: on the stack when it
	 * is small, as every term read from a field is. */
	uint64_t stack[96], *t = stack;
	size_t need = limbs_after(nx, k);
	if (need > sizeof stack / sizeof *stack)
		t = xmalloc(need * sizeof *t);
	memcpy(t, x, nx * sizeof *t);
	uint32_t nt = nx;
	mul_pow10(t, &nt, k);
	add_limbs(s, t, nt);
	if (t != stack)
		free(t);
}

void dsum_add(struct dsum *s, struct decimal d)
{
	if (d.m == 0)
		return;
	if (s->n && d.e == s->exp) { /* the common case: one limb added */
		uint64_t x[1] = { d.m };
		add_limbs(s, x, 1);
		return;
	}
	uint64_t x[1] = { d.m };
	add_scaled(s, x, 1, d.e);
}

void dsum_add_square(struct dsum *s, struct decimal d)
{
	if (d.m == 0)
		return;
	u128 sq = (u128)d.m * d.m;
	uint64_t x[2] = { (uint64_t)sq, (uint64_t)(sq >> 64) };
	add_scaled(s, x, x[1] ? 2 : 1, 2L * d.e);
}

void dsum_add_sum(struct dsum *a, const struct dsum *b)
{
	uint32_t n = b->n;
	while (n && b->limb[n - 1] == 0)
		n--;
	if (n)
		add_scaled(a, b->limb, n, b->exp);
}

void dsum_free(struct dsum *s)
{
	free(s->limb);
	memset(s, 0, sizeof *s);
}

void dsum_digits(const struct dsum *s, struct buf *digits, long *e)
{
	digits->len = 0;
	*e = 0;
	uint32_t n = s->n;
	while (n && s->limb[n - 1] == 0)
		n--;
	if (!n)
		return;
	/* Chunks of 19 digits, least significant first, by long division
	 * of a copy by 10^19. */
	uint64_t *q = xmalloc(n * sizeof *q);
	memcpy(q, s->limb, n * sizeof *q);
	struct buf rev = { 0 };
	while (n) {
		u128 rem = 0;
		for (uint32_t i = n; i-- > 0;) {
			u128 cur = rem << 64 | q[i];
			q[i] = (uint64_t)(cur / pow10_u64[19]);
			rem = cur % pow10_u64[19];
		}
		while (n && q[n - 1] == 0)
			n--;
		uint64_t chunk = (uint64_t)rem;
		for (int k = 0; k < 19; k++) {
			buf_addc(&rev, (char)('0' + chunk % 10));
			chunk /= 10;
		}
	}
	free(q);
	size_t lo = 0, hi = rev.len;
	while (lo < hi && rev.p[lo] == '0') /* trailing zeros of D */
		lo++;
	while (hi > lo && rev.p[hi - 1] == '0') /* leading zeros */
		hi--;
	for (size_t i = hi; i-- > lo;)
		buf_addc(digits, rev.p[i]);
	*e = (long)s->exp + (long)lo;
	buf_free(&rev);
}

void dec_write(struct writer *w, const char *digits, size_t n, long e,
	       int decimals)
{
	/* G: the value times 10^decimals rounded to an integer, as digits */
	struct buf g = { 0 };
	long shift = e + decimals; /* zeros to append, or digits to drop */
	if (shift >= 0) {
		buf_add(&g, digits, n);
		for (long i = 0; i < shift && n; i++)
			buf_addc(&g, '0');
	} else {
		size_t drop = (size_t)-shift;
		size_t keep = drop < n ? n - drop : 0;
		buf_add(&g, digits, keep);
		/* Past the first dropped digit anything left is not zero, as D
		 * ends in a non-zero digit; beyond D's digits, the value is
		 * under half a unit of the last place. */
		int first = drop <= n ? digits[keep] - '0' : 0;
		int sticky = drop <= n ? n - keep > 1 : 1;
		int last_odd = keep ? (digits[keep - 1] - '0') & 1 : 0;
		if (first > 5 || (first == 5 && (sticky || last_odd))) {
			size_t i = g.len;
			while (i > 0 && g.p[i - 1] == '9')
				g.p[--i] = '0';
			if (i == 0) {
				buf_addc(&g, '0');
				memmove(g.p + 1, g.p, g.len - 1);
				g.p[0] = '1';
			} else {
				g.p[i - 1]++;
			}
		}
	}
	size_t len = g.len, d = (size_t)decimals;
	if (len <= d) {
		writer_char(w, '0');
	} else {
		writer_write(w, g.p, len - d);
	}
	if (d) {
		writer_char(w, '.');
		for (size_t i = len; i < d; i++)
			writer_char(w, '0');
		if (len) /* a zero has no digits (and g.p may be NULL) */
			writer_write(w, g.p + (len > d ? len - d : 0), len < d ? len : d);
	}
	buf_free(&g);
}

void dsum_write(struct writer *w, const struct dsum *s, int min_decimals,
		struct buf *scratch)
{
	long e;
	dsum_digits(s, scratch, &e);
	long decimals = -e > min_decimals ? -e : min_decimals;
	dec_write(w, scratch->p, scratch->len, e, (int)decimals);
}

/* N = N * 10^width + chunk */
static void push_digits(struct dsum *s, uint64_t chunk, int width)
{
	reserve(s, s->n + 2);
	mul_small(s->limb, &s->n, pow10_u64[width]);
	uint64_t x[1] = { chunk };
	add_limbs(s, x, 1);
}

int dsum_parse(const char *p, size_t n, struct dsum *s)
{
	const char *e = p + n;
	while (p < e && *p == ' ')
		p++;
	while (e > p && e[-1] == ' ')
		e--;
	if (p == e || *p == '.' || e[-1] == '.') /* "", ".5", "5." */
		return 0;
	long frac = -1;
	uint64_t chunk = 0;
	int width = 0;
	for (; p < e; p++) {
		if (*p == '.' && frac < 0) {
			frac = 0;
			continue;
		}
		if (*p < '0' || *p > '9' || frac > 100000) {
			dsum_free(s);
			return 0;
		}
		chunk = chunk * 10 + (uint64_t)(*p - '0');
		frac += frac >= 0;
		if (++width == 19) {
			push_digits(s, chunk, width);
			chunk = 0;
			width = 0;
		}
	}
	if (width)
		push_digits(s, chunk, width);
	s->exp = (int32_t)(frac > 0 ? -frac : 0);
	return 1;
}

double dec_scaled(const char *digits, size_t n, long e, long shift)
{
	if (n == 0)
		return 0;
	char small[128], *text = small;
	size_t need = n + 32;
	if (need > sizeof small)
		text = xmalloc(need);
	memcpy(text, digits, n);
	snprintf(text + n, 32, "e%ld", e - shift);
	/* The program never calls setlocale; there is no point anyway. */
	double v = strtod(text, NULL);
	if (text != small)
		free(text);
	return v;
}

#include "num.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static size_t digits(const char *p, const char *e)
{
	const char *s = p;
	while (p < e && *p >= '0' && *p <= '9')
		p++;
	return (size_t)(p - s);
}

int num_double(struct slice s, double *v)
{
	s = slice_trim(s);
	const char *p = s.p, *e = s.p + s.n;
	if (p < e && (*p == '-' || *p == '+'))
		p++;
	size_t whole = digits(p, e), frac = 0;
	p += whole;
	if (p < e && *p == '.') {
		p++;
		frac = digits(p, e);
		p += frac;
	}
	if (whole + frac == 0)
		return 0;
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '-' || *p == '+'))
			p++;
		size_t exp = digits(p, e);
		if (exp == 0)
			return 0;
		p += exp;
	}
	if (p != e)
		return 0;
	char tmp[64], *copy = s.n < sizeof tmp ? tmp : malloc(s.n + 1);
	if (!copy)
		return 0;
	memcpy(copy, s.p, s.n);
	copy[s.n] = '\0';
	/* The program never calls setlocale, so strtod reads '.' */
	*v = strtod(copy, NULL);
	if (copy != tmp)
		free(copy);
	return isfinite(*v);
}

int num_count(struct slice s, unsigned long long *v)
{
	s = slice_trim(s);
	if (s.n == 0 || digits(s.p, s.p + s.n) != s.n)
		return 0;
	unsigned long long x = 0;
	for (size_t i = 0; i < s.n; i++) {
		if (x > (0x7fffffffffffffffULL - 9) / 10)
			return 0;
		x = x * 10 + (unsigned)(s.p[i] - '0');
	}
	*v = x;
	return 1;
}

int num_arg_double(const char *arg, double *v)
{
	struct slice s = { arg, strlen(arg) };
	return num_double(s, v);
}

int num_arg_count(const char *arg, unsigned long long *v)
{
	struct slice s = { arg, strlen(arg) };
	return num_count(s, v);
}

double num_opt_between(const char *opt, const char *arg, double lo, double hi)
{
	double v;
	if (!num_arg_double(arg, &v) || !(v > lo && v < hi))
		die_usage("%s must be a number between %g and %g, exclusive (\"%s\")",
			  opt, lo, hi, arg);
	return v;
}

int num_opt_precision(const char *arg)
{
	unsigned long long v;
	if (!num_arg_count(arg, &v) || v > 15)
		die_usage("--precision must be an integer 0..15 (\"%s\")", arg);
	return (int)v;
}

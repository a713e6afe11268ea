/* num: strict number parsing from field slices. Nothing is guessed: no
 * hex, no inf/nan, no trailing junk, no silent overflow. Surrounding
 * spaces are allowed. Parsing is locale-independent. */
#ifndef NPS_NUM_H
#define NPS_NUM_H

#include "slice.h"

/* A finite decimal number ("12", "-0.5", "1e3"). 1 on success. */
int num_double(struct slice s, double *v);
/* A non-negative integer that fits in 63 bits ("42"). 1 on success. */
int num_count(struct slice s, unsigned long long *v);
/* The same for command-line arguments (NUL-terminated). */
int num_arg_double(const char *arg, double *v);
int num_arg_count(const char *arg, unsigned long long *v);

/* Option values: a number strictly between lo and hi, and a --precision
 * (0..15). A bad value is a usage error naming the option. */
double num_opt_between(const char *opt, const char *arg, double lo, double hi);
int num_opt_precision(const char *arg);

#endif

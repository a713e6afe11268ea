/* relimp: the relative importance of predictors in a linear regression,
 * from a correlation matrix: R², standardized coefficients, Johnson's
 * relative weights and the LMG (Shapley) split of R² over all subsets.
 * No I/O, no allocation: the caller owns every array, and each function
 * says how much workspace it needs.
 *
 * A correlation matrix `c` is q x q, row-major, q = p + 1: index 0 is the
 * outcome, 1..p the predictors. */
#ifndef NPS_RELIMP_H
#define NPS_RELIMP_H

#include <stddef.h>

/* The tolerance below which a predictor counts as a linear combination of
 * the ones before it (1 - its R² on them). */
#define RELIMP_TOLERANCE 1e-8

/* Drops, in order, each predictor whose tolerance on the predictors kept
 * before it is below RELIMP_TOLERANCE: keep[j] (j = 0..p-1) is set to 1 or
 * 0. Returns the number kept. work: p * p doubles. */
size_t relimp_screen(const double *c, size_t p, unsigned char *keep,
		     double *work);

/* The q x q correlation matrix of the outcome and the kept predictors
 * (keep may be NULL: all), as `out` (k + 1 squared). Returns k. */
size_t relimp_select(const double *c, size_t p, const unsigned char *keep,
		     double *out);

/* Least squares on standardized variables: beta[p] and R². Returns 0
 * when the predictors' matrix is not positive definite. work: p * p. */
int relimp_beta(const double *c, size_t p, double *beta, double *r2,
		double *work);

/* Johnson (2000): raw relative weights, rw[p], summing to R². Returns 0
 * when the predictors' matrix has an eigenvalue <= 0 (pairwise
 * correlations can give one). work: relimp_rw_work(p) doubles. */
size_t relimp_rw_work(size_t p);
int relimp_rw(const double *c, size_t p, double *rw, double *work);

/* Lindeman, Merenda and Gold (1980), as relaimpo's "lmg": each
 * predictor's R² increment averaged over all orders, lmg[p] summing to
 * R², from the R² of all 2^p subsets. Returns 0 when a subset's matrix
 * is not positive definite. work: relimp_lmg_work(p) doubles. */
size_t relimp_lmg_work(size_t p);
int relimp_lmg(const double *c, size_t p, double *lmg, double *work);

#endif

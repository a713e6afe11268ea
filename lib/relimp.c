#include "relimp.h"

#include <math.h>
#include <string.h>

size_t relimp_screen(const double *c, size_t p, unsigned char *keep,
		     double *work)
{
	size_t q = p + 1, kept = 0;
	for (size_t a = 0; a < p; a++)
		for (size_t b = 0; b < p; b++)
			work[a * p + b] = c[(a + 1) * q + b + 1];
	/* Each kept predictor is swept out of the ones after it: the pivot
	 * left for j is then 1 - its R² on the kept predictors before it. */
	for (size_t j = 0; j < p; j++) {
		double pivot = work[j * p + j];
		keep[j] = pivot >= RELIMP_TOLERANCE;
		if (!keep[j])
			continue;
		kept++;
		for (size_t a = j + 1; a < p; a++) {
			double f = work[a * p + j] / pivot;
			for (size_t b = j + 1; b < p; b++)
				work[a * p + b] -= f * work[j * p + b];
		}
	}
	return kept;
}

size_t relimp_select(const double *c, size_t p, const unsigned char *keep,
		     double *out)
{
	size_t q = p + 1, idx[q], k = 0;
	idx[k++] = 0;
	for (size_t j = 0; j < p; j++)
		if (!keep || keep[j])
			idx[k++] = j + 1;
	for (size_t a = 0; a < k; a++)
		for (size_t b = 0; b < k; b++)
			out[a * k + b] = c[idx[a] * q + idx[b]];
	return k - 1;
}

/* Cholesky in place of the predictors' block: l (p x p, lower). */
static int cholesky(const double *c, size_t p, double *l)
{
	size_t q = p + 1;
	for (size_t a = 0; a < p; a++) {
		for (size_t b = 0; b <= a; b++) {
			double s = c[(a + 1) * q + b + 1];
			for (size_t k = 0; k < b; k++)
				s -= l[a * p + k] * l[b * p + k];
			if (a == b) {
				if (!(s > RELIMP_TOLERANCE * 1e-4))
					return 0;
				l[a * p + a] = sqrt(s);
			} else {
				l[a * p + b] = s / l[b * p + b];
			}
		}
	}
	return 1;
}

int relimp_beta(const double *c, size_t p, double *beta, double *r2,
		double *work)
{
	size_t q = p + 1;
	if (!cholesky(c, p, work))
		return 0;
	/* L y = r, then L' beta = y. */
	for (size_t a = 0; a < p; a++) {
		double s = c[a + 1];
		for (size_t k = 0; k < a; k++)
			s -= work[a * p + k] * beta[k];
		beta[a] = s / work[a * p + a];
	}
	for (size_t a = p; a-- > 0;) {
		double s = beta[a];
		for (size_t k = a + 1; k < p; k++)
			s -= work[k * p + a] * beta[k];
		beta[a] = s / work[a * p + a];
	}
	double sum = 0;
	for (size_t a = 0; a < p; a++)
		sum += beta[a] * c[(a + 1) * q];
	*r2 = sum;
	return 1;
}

/* Cyclic Jacobi: a (p x p, symmetric) is destroyed, its eigenvalues left
 * on the diagonal; v gets the eigenvectors as columns. */
static void jacobi(double *a, size_t p, double *v)
{
	for (size_t i = 0; i < p; i++)
		for (size_t j = 0; j < p; j++)
			v[i * p + j] = i == j;
	for (int sweep = 0; sweep < 100; sweep++) {
		double off = 0, diag = 0;
		for (size_t i = 0; i < p; i++) {
			diag += a[i * p + i] * a[i * p + i];
			for (size_t j = i + 1; j < p; j++)
				off += a[i * p + j] * a[i * p + j];
		}
		if (off <= 1e-30 * diag || off == 0)
			return;
		for (size_t i = 0; i < p; i++) {
			for (size_t j = i + 1; j < p; j++) {
				double apq = a[i * p + j];
				if (apq == 0)
					continue;
				double theta = (a[j * p + j] - a[i * p + i]) / (2 * apq);
				double t = (theta >= 0 ? 1 : -1) /
					   (fabs(theta) + sqrt(theta * theta + 1));
				double cs = 1 / sqrt(t * t + 1), sn = t * cs;
				for (size_t k = 0; k < p; k++) {
					double x = a[k * p + i], y = a[k * p + j];
					a[k * p + i] = cs * x - sn * y;
					a[k * p + j] = sn * x + cs * y;
				}
				for (size_t k = 0; k < p; k++) {
					double x = a[i * p + k], y = a[j * p + k];
					a[i * p + k] = cs * x - sn * y;
					a[j * p + k] = sn * x + cs * y;
				}
				for (size_t k = 0; k < p; k++) {
					double x = v[k * p + i], y = v[k * p + j];
					v[k * p + i] = cs * x - sn * y;
					v[k * p + j] = sn * x + cs * y;
				}
			}
		}
	}
}

size_t relimp_rw_work(size_t p)
{
	return 3 * p * p + 2 * p;
}

int relimp_rw(const double *c, size_t p, double *rw, double *work)
{
	size_t q = p + 1;
	double *a = work, *v = a + p * p, *lam = v + p * p;
	double *root = lam + p * p, *u = root + p;
	for (size_t i = 0; i < p; i++)
		for (size_t j = 0; j < p; j++)
			a[i * p + j] = c[(i + 1) * q + j + 1];
	jacobi(a, p, v);
	for (size_t k = 0; k < p; k++) {
		if (!(a[k * p + k] > RELIMP_TOLERANCE * 1e-4))
			return 0;
		root[k] = sqrt(a[k * p + k]);
	}
	/* Lambda = R^(1/2) = V diag(root) V'; the outcome regressed on the
	 * orthogonal Z = X R^(-1/2) has coefficients u = V diag(1/root) V' r. */
	for (size_t k = 0; k < p; k++) {
		double s = 0;
		for (size_t j = 0; j < p; j++)
			s += v[j * p + k] * c[j + 1];
		u[k] = s / root[k]; /* (diag(1/root) V' r)_k */
	}
	double *beta = a; /* the diagonal is no longer needed */
	for (size_t j = 0; j < p; j++) {
		double s = 0;
		for (size_t k = 0; k < p; k++)
			s += v[j * p + k] * u[k];
		beta[j] = s;
	}
	for (size_t j = 0; j < p; j++) {
		for (size_t k = 0; k < p; k++) {
			double s = 0;
			for (size_t m = 0; m < p; m++)
				s += v[j * p + m] * root[m] * v[k * p + m];
			lam[j * p + k] = s;
		}
	}
	for (size_t j = 0; j < p; j++) {
		double s = 0;
		for (size_t k = 0; k < p; k++)
			s += lam[j * p + k] * lam[j * p + k] * beta[k] * beta[k];
		rw[j] = s;
	}
	return 1;
}

size_t relimp_lmg_work(size_t p)
{
	return ((size_t)1 << p) + (p + 1) * (p + 1) * (p + 2) + p;
}

/* The R² of every subset that adds predictors after the ones in `mask`.
 * m is (k + 1) squared: the outcome first, then the k candidates, whose
 * predictor numbers are ids[0..k). m[0][0] = 1 - R²(mask). Adding candidate
 * i is one sweep (a Schur complement); only the entries of the outcome and
 * of the candidates after i are computed, for the subsets below it. */
static int subsets(const double *m, size_t k, const unsigned *ids,
		   unsigned mask, double *r2, double *next)
{
	size_t w = k + 1;
	for (size_t i = 1; i <= k; i++) {
		double pivot = m[i * w + i];
		if (!(pivot > RELIMP_TOLERANCE * 1e-4))
			return 0;
		size_t rest = k - i, cw = rest + 1;
		/* positions of the child: 0 -> 0, t -> i + t */
		for (size_t a = 0; a < cw; a++) {
			size_t pa = a ? i + a : 0;
			double f = m[pa * w + i] / pivot;
			for (size_t b = 0; b < cw; b++) {
				size_t pb = b ? i + b : 0;
				next[a * cw + b] = m[pa * w + pb] - f * m[i * w + pb];
			}
		}
		unsigned child = mask | 1u << ids[i - 1];
		r2[child] = 1 - next[0];
		if (rest && !subsets(next, rest, ids + i, child, r2, next + cw * cw))
			return 0;
	}
	return 1;
}

int relimp_lmg(const double *c, size_t p, double *lmg, double *work)
{
	size_t n = (size_t)1 << p;
	double *r2 = work, *weight = r2 + n, *stack = weight + p;
	unsigned ids[p ? p : 1];
	for (size_t j = 0; j < p; j++) {
		ids[j] = (unsigned)j;
		lmg[j] = 0;
	}
	r2[0] = 0;
	if (p && !subsets(c, p, ids, 0, r2, stack))
		return 0;
	/* A subset of s others is followed by j in s! (p - 1 - s)! of the p!
	 * orders: weight 1 / (p * C(p - 1, s)). */
	double binom = 1;
	for (size_t s = 0; s < p; s++) {
		weight[s] = 1 / (p * binom);
		binom = binom * (double)(p - 1 - s) / (double)(s + 1);
	}
	for (size_t mask = 0; mask < n; mask++) {
		int s = __builtin_popcountll(mask);
		for (size_t j = 0; j < p; j++)
			if (!(mask >> j & 1))
				lmg[j] += weight[s] * (r2[mask | (size_t)1 << j] - r2[mask]);
	}
	return 1;
}

/* nps: the domain arithmetic. Scores and segments, per-group counts that
 * merge exactly (integer counts; weights in exact decimal sums, so sums
 * do not depend on the order rows arrive in), NPS with its standard error
 * and intervals, and the normal distribution they need. */
#ifndef NPS_NPS_H
#define NPS_NPS_H

#include "dsum.h"
#include "tsv.h"

enum segment { DETRACTOR, PASSIVE, PROMOTER };
extern const char *const segment_names[3];

/* A score 0..10 ("9", " 9 ", "9.0", "09"); -1 if the field is not one. */
int nps_score_spelled(struct slice s);
/* The common spellings, one or two digits, without a branch on the digits
 * (scores arrive in no order: a branch would be mispredicted), as
 * nps_score_spelled reads them. a and b are the first and last digits
 * (the same one when there is one), and both are digits exactly when
 * a | b <= 9. */
static inline int nps_score(struct slice s)
{
	if (s.n - 1 < 2) {
		unsigned a = (unsigned char)s.p[0] - '0';
		unsigned b = (unsigned char)s.p[s.n - 1] - '0';
		unsigned two = (unsigned)s.n - 1; /* 0 or 1: no branch on it */
		unsigned v = a * (1 + 9 * two) + b * two;
		if ((a | b) <= 9 && v <= 10)
			return (int)v;
	}
	return nps_score_spelled(s);
}
/* score: 0..10 */
static inline enum segment nps_segment_of(int score)
{
	static const unsigned char of[11] = {
		DETRACTOR, DETRACTOR, DETRACTOR, DETRACTOR, DETRACTOR, DETRACTOR,
		DETRACTOR, PASSIVE, PASSIVE, PROMOTER, PROMOTER
	};
	return (enum segment)of[score];
}
/* "promoter" / "passive" / "detractor"; -1 for anything else. */
int nps_segment_parse(struct slice s);

/* Several questions (npskit(7)): nps-classify -s q1,q2 names q1's columns
 * q1_segment and q1_nps_points, and -s q1 picks it again downstream.
 * nps_names_segments: whether a column named so holds segments
 * ("segment", "q1_segment"). nps_need_question: for an input with neither
 * score nor segment, a usage error naming -s q when it has a column
 * q_segment; returns when it has none. */
int nps_names_segments(const char *name);
void nps_need_question(const struct tsv_reader *r);

/* A group's counts: responses by segment and, when weighted, the exact
 * sums of the weights and of their squares (lib/dsum.h), which do not
 * depend on the order rows arrive in nor on the weights' scale. w is NULL
 * until a weighted response is added; the counts own it (nps_counts_free). */
struct nps_weights {
	struct dsum w[3], w2[3]; /* by segment */
};

struct nps_counts {
	unsigned long long n[3]; /* responses, by segment */
	struct nps_weights *w;
};

/* A weight field: 0, or a number from 1e-400 to below 1e308. 1 on
 * success. */
int nps_weight(struct slice s, struct decimal *weight);
/* The old fixed-point form, for nps-drivers' own sums: a finite number
 * >= 0 and < 1e12 in micro-units (1e-6, rounded). 1 on success. */
int nps_weight_micro(struct slice s, long long *micro);
/* Adds one weighted response. */
void nps_add(struct nps_counts *c, enum segment seg, struct decimal weight);
/* Releases what a count holds beyond itself (the weight sums). */
void nps_counts_free(struct nps_counts *c);
/* Adds b into a; 0 when a count would overflow. */
int nps_merge(struct nps_counts *a, const struct nps_counts *b);

enum nps_interval { INTERVAL_WALD, INTERVAL_ADJUSTED, INTERVAL_SCORE };

struct nps_stats {
	unsigned long long n;
	double share[3];  /* of weight (or of responses), by segment */
	double nps;       /* points, -100..100; NaN when the weight is 0 */
	double se;        /* points */
	double weight_sum;
	double n_eff;     /* Kish: (sum w)^2 / sum w^2; n when unweighted */
	double ci_low, ci_high;
};

/* z is the normal quantile of the interval (nps_z_of_confidence). */
void nps_compute(const struct nps_counts *c, int weighted,
		 enum nps_interval kind, double z, struct nps_stats *s);

/* The trinomial variance of one response's NPS (in units, not points)
 * from the shares of promoters p and detractors d: p + d - (p - d)^2. */
double nps_share_var(double p, double d);

/* The adjusted Wald estimate (Rocks 2016; Agresti and Caffo 2000 for two
 * groups): 0.75 promoters, 1.5 passives and 0.75 detractors added to n
 * (effective) responses with shares p and d. *nps in points, *var the
 * variance of that NPS in points^2 (never 0), *unit_var one response's
 * variance in points^2. */
void nps_adjusted(double n, double p, double d, double *nps, double *var,
		  double *unit_var);

/* The score interval for NPS from (effective) segment counts. */
void nps_score_interval(double prom, double pas, double det, double z,
			double *lo, double *hi);

double normal_cdf(double x);
double normal_quantile(double p);
/* The two-sided z for a confidence level (0.95 -> 1.959964). */
double nps_z_of_confidence(double confidence);

/* The count columns of nps-agg output: n, promoters, passives,
 * detractors, and when present (weighted output) w_promoters ...
 * w2_detractors. Reading them back gives the exact counts written. */
struct nps_count_cols {
	size_t n, seg[3];
	int weighted;
	size_t w[3], w2[3];
};
/* Finds the columns in r's header; exits 64 naming a missing one. */
void nps_count_cols_find(const struct tsv_reader *r, struct nps_count_cols *cc);
/* The current row's counts. A bad value (not a count, n not the sum of
 * the segments) rejects the row (tsv_reject) and returns 0. */
int nps_counts_read(struct tsv_reader *r, const struct nps_count_cols *cc,
		    struct nps_counts *c);
/* Writes n promoters passives detractors (no leading or trailing tab). */
void nps_write_counts(struct writer *w, const struct nps_counts *c);
/* Writes w_promoters ... w2_detractors (no leading or trailing tab):
 * the exact sums, with at least 6 and 12 decimals. */
void nps_write_weight_sums(struct writer *w, const struct nps_counts *c);
/* Writes the exact sum of all weights rounded to `precision` decimals. */
void nps_write_weight_sum(struct writer *w, const struct nps_counts *c,
			  int precision);

#endif

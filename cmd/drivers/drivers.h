/* drivers.h: what nps-drivers' reading (cmd/nps-drivers.c) and its
 * analysis (cmd/drivers/analysis.c) share: the options, the layout of a
 * group's exact sums, and the groups. The reading owns every group and
 * cell (struct state); the analysis only reads them, after every fast
 * block has been flushed into its cell. */
#ifndef NPS_DRIVERS_H
#define NPS_DRIVERS_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "tsv.h"

typedef __int128 i128;

enum cut_kind { CUT_MEAN, CUT_MEDIAN, CUT_VALUES };
enum method { METHOD_LMG, METHOD_RW };

struct options {
	const char *score, *drivers, *prefix, *group, *weight, *rejects, *levels;
	int pairwise, partial, merge, precision;
	enum method method;
	enum cut_kind cut;
	double cut_importance, cut_mean, confidence;
	unsigned long long bootstrap, buckets, seed, lmg_max;
	struct tsv_header given; /* --columns, --header-from */
};

/* ---- the variables and the layout of their sums ----
 *
 * Variable 0 is the outcome, 1..p the drivers. Ratings are read in
 * thousandths (milli) and summed exactly: unweighted, a sum of ratings is
 * in 1e-3 units and a sum of products in 1e-6; weighted (weights in 1e-6,
 * nps_weight_micro), 1e-9 and 1e-12, and the weight sum in 1e-6. Fixed
 * point, not lib/dsum's exact decimals as nps-agg sums weights: the
 * products of weights and ratings may be negative, and --partial writes
 * every sum at its fixed scale.
 *
 * Each group keeps `buckets` cells; a row goes to the cell its bytes hash
 * to, so the same row lands in the same cell whatever the order, the
 * shard or the machine, and the cells are the units the bootstrap
 * resamples. A cell's exact sums (i128):
 *   ROWS, N (complete cases), W (their weight), SUM[q], CROSS[pairs]
 * over complete cases, and, from rows with a missing value only, per pair
 * (a, b) both present: INC_N, INC_W, INC_SA, INC_SB, INC_SAA, INC_SBB,
 * INC_SAB. Unweighted complete rows of small whole ratings (|x| <= 127,
 * every common scale) are summed first, as whole ratings, into a group's
 * fast blocks: int32, one block per cell side by side, so that a row
 * touches a few cache lines; a block moves into its cell's exact sums
 * before it could overflow. */
enum { E_ROWS, E_N, E_W, E_SUM };
enum { INC_N, INC_W, INC_SA, INC_SB, INC_SAA, INC_SBB, INC_SAB, INC_KINDS };
/* A fast block: its rows, then SUM[q], CROSS[pairs]. A product is at most
 * 127^2 < 2^14, so 2^16 rows fit in an int32. */
enum { F_ROWS, F_SUM };
#define FAST_MAX 127
#define FAST_ROWS (1 << 16)

struct layout {
	size_t q, p, pairs;
	size_t *pair;      /* pair[a * q + b]: the pair's index, a <= b or not */
	size_t exact, fast; /* sizes of a cell's blocks */
	char **names;       /* q names: the outcome, then the drivers */
	int weighted;
};



/* The top two distinct ratings of a driver and their weights: the top-box
 * share is the weight of the two highest ratings of the whole input. */
struct top {
	int64_t value[2];
	i128 weight[2];
	int count; /* 0, 1 or 2 values held */
};


struct cell {
	i128 *exact;
	i128 *inc; /* INC_KINDS * pairs, or NULL until a row misses a value */
};

struct group {
	int32_t *fast;       /* buckets fast blocks */
	struct cell **cells; /* buckets pointers, a cell made on first use */
	struct top *top;     /* per driver */
};

struct state {
	struct options o;
	struct layout l;
	struct hash keys;
	struct group *groups;
	size_t cap;
	size_t ngroups_cols;
	/* the row being read */
	int64_t *x;
	unsigned char *present;
	/* Fast rows wait in a ring for RING rows while their block is
	 * prefetched: a row's block is a random one of groups x buckets. */
	int32_t *ring_whole;  /* RING x q whole ratings */
	int32_t **ring_block; /* RING blocks; NULL: an empty slot */
	size_t *ring_group; /* ids: the groups array moves as it grows */
	/* --levels: each driver's stage (-1: none) */
	long *stage_of;
	char **stages;
	size_t nstages;
	size_t *ring_bucket, ring_at;
};
#define RING 16

/* The sums of a cell: the exact block, then the INC block. */
static inline size_t tot_size(const struct layout *l)
{
	return l->exact + INC_KINDS * l->pairs;
}

/* A group's key, for the sorted output. */
struct key_ref {
	const char *p;
	size_t n, id;
};

/* The group columns of -g as the first columns of a header. */
void drivers_write_group_names(const struct options *o);
/* The analysis's header line. */
void drivers_write_header(const struct state *s);
/* Analyses the groups in `order` and writes a row per group and driver.
 * top[d]: driver d's second-highest distinct rating in the whole input
 * (its top-two box starts there). */
void drivers_report(const struct state *s, const struct key_ref *order,
		    size_t n, const int64_t *top);

#endif

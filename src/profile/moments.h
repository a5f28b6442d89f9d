/*-------------------------------------------------------------------------
 *
 * moments.h
 *	  Numerically stable running moments and co-moments.
 *
 * Values arrive in batches.  Each batch is summarised with a two-pass
 * algorithm (mean first, then centred sums), and batch summaries are merged
 * with Chan's pairwise formulas (Terriberry's extension for the third
 * moment).  Nothing ever sums raw squares, so data such as the NIST StRD
 * NumAcc sets (10000000.1 .. 10000000.3) keep their standard deviation to
 * full precision, and the merge used by parallel workers is the same
 * formula as the one used between batches.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MOMENTS_H
#define MOMENTS_H

#include "../common/am_alloc.h"

typedef struct Moments
{
	int64		n;
	double		mean;
	double		m2;				/* sum of squared deviations */
	double		m3;				/* sum of cubed deviations */
} Moments;

typedef struct CoMoments
{
	int64		n;
	double		mean_x;
	double		mean_y;
	double		m2_x;
	double		m2_y;
	double		c_xy;			/* sum of products of deviations */
} CoMoments;

extern void moments_add_batch(Moments *m, const double *x, int n);
extern void moments_merge(Moments *dst, const Moments *src);
extern double moments_variance(const Moments *m);	/* sample, n-1; NaN if n<2 */
extern double moments_skewness(const Moments *m);	/* adjusted G1; NaN if undefined */

/*
 * Add a batch of pairs; entries where x or y is NaN are skipped (NaN marks
 * NULL, NaN and infinite inputs).  any_nan says whether the caller saw any
 * NaN in x or y, which lets the common all-valid batch skip the masking.
 */
extern void comoments_add_batch(CoMoments *c, const double *x, const double *y,
								int n, bool any_nan);
/*
 * Add one batch of every pair among p columns: column i is x[i * ld ...
 * i * ld + n - 1], NaN marking a missing value; pairs[comoments_pair_index
 * (i, j, p)] receives the pairwise-complete rows of columns i < j.
 */
extern void comoments_add_matrix(CoMoments *pairs, const double *x, int ld,
								 int p, int n);
extern void comoments_merge(CoMoments *dst, const CoMoments *src);
extern double comoments_correlation(const CoMoments *c);	/* NaN if undefined */

/* Index of pair (i, j), i < j, in the upper triangle of a p x p matrix. */
static inline int
comoments_pair_index(int i, int j, int p)
{
	return i * p - i * (i + 1) / 2 + (j - i - 1);
}

#endif							/* MOMENTS_H */

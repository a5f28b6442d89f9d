/*-------------------------------------------------------------------------
 *
 * split.c
 *	  Seeded, stratified train/test split.
 *
 * Sizes.  The test part gets round(n * test_fraction) rows (halves round
 * up), at most n - 1, so a training set of n >= 1 rows always keeps a
 * training row; when n * test_fraction < 1/2 the test part is empty and the
 * caller must cope (report no held-out metrics, say).  A test_fraction
 * outside (0, 1) is clamped: 0 or less puts every row in training, 1 or
 * more leaves one training row.
 *
 * Strata.  Regression has one stratum, all rows.  Classification has one
 * stratum per class, so that each class keeps its proportion in both parts
 * (stratified like scikit-learn's train_test_split(stratify=y)): the test
 * rows are shared out between the classes by largest remainder on the
 * exact quotas n_c * n_test / n (compared as integers, so the rounding is
 * the same everywhere; ties go to the lower class index), and no class
 * gives up its last row to the test part, so every class present in the
 * data has at least one training row (a class with a single row is always
 * in training).  Each class's test rows thus differ from its exact quota
 * by less than one, and the test part can come out a little smaller than
 * round(n * test_fraction) when some classes have very few rows.  A row
 * whose class index is not an integer in 0..nclasses-1 (never passed by
 * the caller) goes to training.
 *
 * Choice of rows.  Within a stratum the test rows are a uniform sample of
 * the wanted size drawn by selection sampling (Knuth's algorithm S): one
 * pass over the rows in order, taking row i with probability
 * (still wanted) / (still left in its stratum).  That needs no scratch
 * array of indices, draws from one MlRng seeded by the caller's seed, and
 * emits both parts already sorted, so that reading the rows of either part
 * stays sequential.
 *
 *-------------------------------------------------------------------------
 */
#include "split.h"

#include <math.h>

/* Stratum of row i: its class, 0 for regression, -1 for a bad class. */
static inline int
stratum_of(const double *y, int64 i, int nstrata, bool stratified)
{
	double		v;

	if (!stratified)
		return 0;
	v = y[i];
	if (!(v >= 0.0 && v < (double) nstrata) || v != floor(v))
		return -1;
	return (int) v;
}

/* Rows of the test part in all: round(n * f), clamped to 0..n-1. */
static int64
test_size(int64 n, double test_fraction)
{
	double		want;

	if (n <= 1 || !(test_fraction > 0.0))
		return 0;
	if (test_fraction >= 1.0)
		return n - 1;
	want = floor((double) n * test_fraction + 0.5);
	if (want > (double) (n - 1))
		return n - 1;
	return (int64) want;
}

/* A stratum and the remainder of its exact test quota. */
typedef struct StratumQuota
{
	uint64		rem;
	int			stratum;
} StratumQuota;

/* qsort comparator: larger remainder first, then lower stratum index. */
static int
quota_cmp(const void *a, const void *b)
{
	const StratumQuota *x = a;
	const StratumQuota *y = b;

	if (x->rem != y->rem)
		return x->rem > y->rem ? -1 : 1;
	return x->stratum - y->stratum;
}

/*
 * Share ntest test rows out between the strata in proportion to their
 * sizes (count[s]) by largest remainder, never taking a stratum's last row;
 * writes want[s].
 *
 * The floors of the exact quotas never reach a stratum's size, as
 * ntest < n; what is left (fewer rows than strata) goes one row each to
 * the strata in order of decreasing remainder, passing over a stratum that
 * is down to one training row.  One pass only: no stratum gets more than
 * one row beyond the floor of its quota, so each stratum's test rows differ
 * from its exact quota by less than one, and the rows still left after the
 * pass (as many as tiny strata were passed over, at most) are dropped from
 * the test part rather than piled onto the larger strata.
 */
static void
allocate_test_rows(const int64 *count, int nstrata, int64 n, int64 ntest,
				   int64 *want)
{
	StratumQuota *order = am_alloc(sizeof(StratumQuota) * nstrata);
	int64		left = ntest;

	for (int s = 0; s < nstrata; s++)
	{
		unsigned __int128 q = (unsigned __int128) count[s] * (uint64) ntest;

		want[s] = (int64) (q / (uint64) n);
		order[s].rem = (uint64) (q % (uint64) n);
		order[s].stratum = s;
		left -= want[s];
	}
	qsort(order, nstrata, sizeof(StratumQuota), quota_cmp);
	for (int k = 0; k < nstrata && left > 0; k++)
	{
		int			s = order[k].stratum;

		if (want[s] < count[s] - 1)
		{
			want[s]++;
			left--;
		}
	}
	am_free(order);
}

/* Train/test split of n rows (see the head of the file and split.h). */
void
split_train_test(const double *y, int64 n, MlTask task, int nclasses,
				 double test_fraction, uint64 seed,
				 int64 *train_idx, int64 *n_train,
				 int64 *test_idx, int64 *n_test)
{
	bool		stratified = task == ML_CLASSIFICATION && nclasses >= 1 && y != NULL;
	int			nstrata = stratified ? nclasses : 1;
	int64	   *count;
	int64	   *want;
	int64		ntr = 0;
	int64		nte = 0;
	MlRng		rng;

	*n_train = *n_test = 0;
	if (n <= 0)
		return;

	count = am_alloc0(sizeof(int64) * nstrata);
	want = am_alloc0(sizeof(int64) * nstrata);
	for (int64 i = 0; i < n; i++)
	{
		int			s = stratum_of(y, i, nstrata, stratified);

		if (s >= 0)
			count[s]++;
	}
	allocate_test_rows(count, nstrata, n, test_size(n, test_fraction), want);

	/* selection sampling within each stratum; count[] becomes rows left */
	ml_rng_seed(&rng, seed);
	for (int64 i = 0; i < n; i++)
	{
		int			s = stratum_of(y, i, nstrata, stratified);
		bool		to_test = false;

		if ((i & 0xFFFF) == 0)
			ML_CHECK_INTERRUPTS();
		if (s >= 0)
		{
			if (want[s] > 0 &&
				ml_rng_below(&rng, (uint64) count[s]) < (uint64) want[s])
			{
				to_test = true;
				want[s]--;
			}
			count[s]--;
		}
		if (to_test)
			test_idx[nte++] = i;
		else
			train_idx[ntr++] = i;
	}
	*n_train = ntr;
	*n_test = nte;
	am_free(count);
	am_free(want);
}

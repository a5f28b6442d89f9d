/*-------------------------------------------------------------------------
 *
 * test_comoments_matrix.c
 *	  comoments_add_matrix (the profile's correlations, through BLAS)
 *	  against the pairwise two-pass comoments_add_batch.
 *
 * The matrix form shifts each column and sums in one pass; it must give
 * the same co-moments as the two-pass reference on data with missing
 * values, large offsets (NumAcc-style: 1e7 + small noise) and columns
 * that are missing for a whole batch.
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"

#include "profile/moments.h"

#define P		6
#define BATCH	256
#define ROWS	5000

/* Co-moments of columns a and b over their pairwise-complete rows, exactly. */
static void
direct_comoments(const double *a, const double *b, int n, CoMoments *out)
{
	long double sa = 0, sb = 0, maa = 0, mbb = 0, mab = 0;
	long double ma;
	long double mb;
	int64_t		cnt = 0;
	int			r;

	for (r = 0; r < n; r++)
		if (!isnan(a[r]) && !isnan(b[r]))
		{
			sa += a[r];
			sb += b[r];
			cnt++;
		}
	ma = sa / cnt;
	mb = sb / cnt;
	for (r = 0; r < n; r++)
		if (!isnan(a[r]) && !isnan(b[r]))
		{
			maa += (a[r] - ma) * (a[r] - ma);
			mbb += (b[r] - mb) * (b[r] - mb);
			mab += (a[r] - ma) * (b[r] - mb);
		}
	out->n = cnt;
	out->mean_x = (double) ma;
	out->mean_y = (double) mb;
	out->m2_x = (double) maa;
	out->m2_y = (double) mbb;
	out->c_xy = (double) mab;
}

/* Worst relative difference between two co-moment summaries. */
static double
comoments_diff(const CoMoments *a, const CoMoments *b);

/* relative difference, with an absolute floor for values near zero */
static double
reldiff(double a, double b, double floor_)
{
	return fabs(a - b) / fmax(fmax(fabs(a), fabs(b)), floor_);
}

static double
comoments_diff(const CoMoments *a, const CoMoments *b)
{
	double		d = fmax(reldiff(a->mean_x, b->mean_x, 1e-300),
						 reldiff(a->mean_y, b->mean_y, 1e-300));

	d = fmax(d, reldiff(a->m2_x, b->m2_x, 1e-12));
	d = fmax(d, reldiff(a->m2_y, b->m2_y, 1e-12));
	return fmax(d, reldiff(a->c_xy, b->c_xy, 1e-9 * sqrt(a->m2_x * a->m2_y) + 1e-300));
}

int
main(void)
{
	static double x[P][ROWS];
	CoMoments	ref[P * (P - 1) / 2];
	CoMoments	mat[P * (P - 1) / 2];
	double		batch[P * BATCH];
	uint64_t	seed = 7;
	double		worst = 0.0;
	int			i;
	int			j;
	int			r;

	memset(ref, 0, sizeof(ref));
	memset(mat, 0, sizeof(mat));
	for (r = 0; r < ROWS; r++)
	{
		double		z = rand_unit(&seed);

		x[0][r] = z;
		x[1][r] = 3 * z + 0.1 * rand_unit(&seed);	/* r close to 1 */
		x[2][r] = 1e7 + 0.1 * rand_unit(&seed);		/* NumAcc-like offset */
		x[3][r] = rand_unit(&seed) < 0.3 ? NAN : -z + rand_unit(&seed);
		x[4][r] = (r / BATCH) % 3 == 1 ? NAN : rand_unit(&seed) * 1e-3;	/* whole batches missing */
		x[5][r] = rand_unit(&seed) < 0.02 ? NAN : 5.0;	/* constant */
	}
	for (r = 0; r < ROWS; r += BATCH)
	{
		int			n = ROWS - r < BATCH ? ROWS - r : BATCH;

		for (i = 0; i < P; i++)
			memcpy(&batch[i * BATCH], &x[i][r], sizeof(double) * n);
		comoments_add_matrix(mat, batch, BATCH, P, n);
		for (i = 0; i < P; i++)
			for (j = i + 1; j < P; j++)
				comoments_add_batch(&ref[comoments_pair_index(i, j, P)],
									&x[i][r], &x[j][r], n, true);
	}
	for (i = 0; i < P; i++)
		for (j = i + 1; j < P; j++)
		{
			CoMoments	exact;
			CoMoments  *a = &ref[comoments_pair_index(i, j, P)];
			CoMoments  *b = &mat[comoments_pair_index(i, j, P)];
			double		dm;
			double		dr;

			direct_comoments(x[i], x[j], ROWS, &exact);
			dm = comoments_diff(&exact, b);
			dr = comoments_diff(&exact, a);
			worst = fmax(worst, dm);
			/*
			 * A mean near 1e7 is itself stored to 1e-9, a few 1e-8 of the
			 * offset column's spread: both methods meet that floor there.
			 */
			check(exact.n == b->n && dm < (i == 2 || j == 2 ? 1e-7 : 1e-12),
				  "pair (%d, %d): %lld rows, co-moments within %.1e of exact (two-pass double: %.1e)",
				  i, j, (long long) b->n, dm, dr);
		}
	check(fabs(comoments_correlation(&mat[comoments_pair_index(0, 1, P)]) -
			   comoments_correlation(&ref[comoments_pair_index(0, 1, P)])) < 1e-12,
		  "correlation of the near-linear pair agrees to 1e-12");
	check(isnan(comoments_correlation(&mat[comoments_pair_index(0, 5, P)])),
		  "correlation with a constant column is undefined (NaN)");
	note("worst relative difference %.2e", worst);
	return unit_status();
}

/*-------------------------------------------------------------------------
 *
 * univariate.c
 *	  Robust location and spread of one column: median, MAD, quartiles.
 *
 * Order statistics by selection (Hoare's quickselect with median-of-three
 * pivots, then the minimum of the upper part for the interpolated
 * neighbour): O(n) on average, so the median of a million values costs a
 * few milliseconds instead of a sort.
 *
 * The MAD is scaled by 1.4826 so that it estimates the standard deviation
 * of normal data.  When more than half of the values are equal the MAD is
 * 0; the scale then falls back to the mean absolute deviation from the
 * median x 1.2533 (the same normal consistency), and is 0 only for a
 * constant column, which has no anomalies.
 *
 *-------------------------------------------------------------------------
 */
#ifndef AUTOML_STANDALONE
#include "postgres.h"
#endif

#include <math.h>

#include "anomaly/univariate.h"
#include "ml/ml.h"

static inline void
swap(double *a, double *b)
{
	double		t = *a;

	*a = *b;
	*b = t;
}

/* Reorder v so that v[k] is the k-th smallest; returns it. */
static double
select_kth(double *v, int64 n, int64 k)
{
	int64		lo = 0,
				hi = n - 1;

	while (hi > lo)
	{
		int64		mid = lo + (hi - lo) / 2,
					i,
					j;
		double		pivot;

		ML_CHECK_INTERRUPTS();
		/* median of three, left in v[mid] */
		if (v[mid] < v[lo])
			swap(&v[mid], &v[lo]);
		if (v[hi] < v[lo])
			swap(&v[hi], &v[lo]);
		if (v[hi] < v[mid])
			swap(&v[hi], &v[mid]);
		pivot = v[mid];
		i = lo;
		j = hi;
		while (i <= j)
		{
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j)
			{
				swap(&v[i], &v[j]);
				i++;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return v[k];
}

double
select_quantile(double *v, int64 n, double q)
{
	double		pos = q * (double) (n - 1);
	int64		k = (int64) floor(pos);
	double		a,
				b;

	if (n <= 0)
		return NAN;
	a = select_kth(v, n, k);
	if (k + 1 >= n || pos == (double) k)
		return a;
	/* the next order statistic is the smallest of the upper part */
	b = v[k + 1];
	for (int64 i = k + 2; i < n; i++)
		if (v[i] < b)
			b = v[i];
	return a + (pos - (double) k) * (b - a);
}

void
column_spread(const double *x, int64 n, double *work, ColumnSpread *cs)
{
	int64		m = 0;
	double		sum_abs = 0;

	memset(cs, 0, sizeof(*cs));
	cs->min = INFINITY;
	cs->max = -INFINITY;
	for (int64 i = 0; i < n; i++)
		if (isfinite(x[i]))
		{
			work[m++] = x[i];
			if (x[i] < cs->min)
				cs->min = x[i];
			if (x[i] > cs->max)
				cs->max = x[i];
		}
	cs->n = m;
	if (m == 0)
	{
		cs->min = cs->max = cs->median = cs->mad = cs->q1 = cs->q3 = NAN;
		return;
	}
	cs->q1 = select_quantile(work, m, 0.25);
	cs->median = select_quantile(work, m, 0.5);
	cs->q3 = select_quantile(work, m, 0.75);
	for (int64 i = 0; i < m; i++)
	{
		work[i] = fabs(work[i] - cs->median);
		sum_abs += work[i];
	}
	cs->mad = 1.4826 * select_quantile(work, m, 0.5);
	cs->scale = cs->mad > 0 ? cs->mad : 1.2533 * sum_abs / (double) m;
}

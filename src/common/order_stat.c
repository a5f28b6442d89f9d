/*-------------------------------------------------------------------------
 *
 * order_stat.c
 *	  Order statistics by selection: the k-th smallest value and
 *	  interpolated quantiles without sorting.
 *
 * Hoare's quickselect with median-of-three pivots, O(n) on average; the
 * interpolated neighbour of a quantile is the minimum of the upper part.
 * Used for medians, MADs and quartiles (imputation, anomaly detection) over
 * up to millions of values.
 *
 *-------------------------------------------------------------------------
 */
#ifndef AUTOML_STANDALONE
#include "postgres.h"
#endif

#include <math.h>

#include "common/order_stat.h"
#include "ml/ml.h"

static inline void
swap(double *a, double *b)
{
	double		t = *a;

	*a = *b;
	*b = t;
}

/* Reorder v so that v[k] is the k-th smallest; returns it. */
double
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


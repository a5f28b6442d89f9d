/*-------------------------------------------------------------------------
 *
 * univariate.c
 *	  Robust location and spread of one column: median, MAD, quartiles.
 *
 * Order statistics by selection (common/order_stat.c): O(n) on average,
 * so the median of a million values costs a few milliseconds.
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
#include "common/order_stat.h"
#include "ml/ml.h"

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

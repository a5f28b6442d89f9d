/*-------------------------------------------------------------------------
 *
 * seasonal.c
 *	  A robust additive decomposition of a series.
 *
 * A value that is ordinary for a Monday may be extreme for a Sunday: the
 * seasonal method looks for anomalies in what is left after the trend and
 * the season are taken out.  The decomposition is the classical one made
 * robust: a moving median for the trend and the median per phase for the
 * season, so that the anomalies being looked for do not shift the
 * expectation of their neighbours; the residuals are then judged by their
 * median and MAD.  The season length comes from ts_detect_season, as
 * forecasting's does.
 *
 *-------------------------------------------------------------------------
 */
#ifndef AUTOML_STANDALONE
#include "postgres.h"
#endif

#include <math.h>

#include "anomaly/seasonal.h"
#include "ml/ml.h"

/* Median of v[0..k-1], reordering v (k is a season at most: insertion sort) */
static double
small_median(double *v, int k)
{
	for (int i = 1; i < k; i++)
	{
		double		x = v[i];
		int			j = i - 1;

		while (j >= 0 && v[j] > x)
		{
			v[j + 1] = v[j];
			j--;
		}
		v[j + 1] = x;
	}
	return k % 2 ? v[k / 2] : 0.5 * (v[k / 2 - 1] + v[k / 2]);
}

void
season_decompose(const double *y, int n, int m, double *trend, double *seasonal,
				 double *residual)
{
	int			w = m > 1 ? m : (n < 7 ? n : 7);
	int			half = w / 2;
	int			first = -1,
				last = -1;
	double	   *win = am_alloc(sizeof(double) * (w + 1));

	/*
	 * centred moving median over one season (odd: w values, even: w + 1):
	 * a spike does not leak into its neighbours' expectation
	 */
	for (int i = 0; i < n; i++)
	{
		int			k = 0;

		trend[i] = NAN;
		if (i - half < 0 || i + half >= n)
			continue;
		if ((i & 0xFFF) == 0)
			ML_CHECK_INTERRUPTS();
		for (int j = i - half; j <= i + half; j++)
			win[k++] = y[j];
		trend[i] = small_median(win, k);
		if (first < 0)
			first = i;
		last = i;
	}
	am_free(win);
	if (first < 0)
	{
		double	   *all = am_alloc(sizeof(double) * n);

		memcpy(all, y, sizeof(double) * n);
		trend[0] = small_median(all, n);
		for (int i = 1; i < n; i++)
			trend[i] = trend[0];
		am_free(all);
	}
	else
	{
		for (int i = 0; i < first; i++)
			trend[i] = trend[first];
		for (int i = last + 1; i < n; i++)
			trend[i] = trend[last];
	}

	for (int i = 0; i < n; i++)
		seasonal[i] = 0;
	if (m > 1)
	{
		/* the median detrended value of each phase, centred */
		double	   *phase = am_alloc(sizeof(double) * m);
		double	   *vals = am_alloc(sizeof(double) * (n / m + 1));
		double		mean = 0;

		for (int k = 0; k < m; k++)
		{
			int			c = 0;

			for (int i = k; i < n; i += m)
				vals[c++] = y[i] - trend[i];
			phase[k] = c > 0 ? small_median(vals, c) : 0;
			mean += phase[k] / m;
		}
		for (int i = 0; i < n; i++)
			seasonal[i] = phase[i % m] - mean;
		am_free(phase);
		am_free(vals);
	}
	for (int i = 0; i < n; i++)
		residual[i] = y[i] - trend[i] - seasonal[i];
}

/*-------------------------------------------------------------------------
 *
 * seasonal.c
 *	  Autocorrelation, season length detection and the classical additive
 *	  decomposition of a regularly spaced series.
 *
 * Season length.  A trend makes the autocorrelation function (ACF) high
 * and slowly decaying at every lag and hides the seasonal peaks, so the
 * least-squares line is removed first.  (Differencing would also remove
 * it, but divides a period-m sinusoid by ~2 sin(pi / m) while doubling the
 * noise: long periods would vanish.)  Then, among lags 2..L, with L =
 * min(n / 2, TS_SEASON_MAX_LAG) so that two cycles are seen, a lag k is a
 * candidate when
 *
 *	- r_k is a local maximum (r_k > r_k-1, r_k >= r_k+1),
 *	- r_k >= max(TS_SEASON_MIN_ACF, z / sqrt(n)), z the one-sided normal
 *	  quantile at 1% / (L - 1): under white noise r_k is roughly N(0, 1/n),
 *	  so the Bonferroni bound keeps the chance of any false peak among the
 *	  L - 1 lags below 1% (z = 3.5 for n = 100: threshold 0.35), and 0.3
 *	  asks for a seasonality worth modelling (it binds from n ~ 150);
 *	- r_k rises at least TS_SEASON_MIN_RISE above the lowest r_j, j < k:
 *	  the wiggles of a slowly decaying ACF (a random walk, a curved trend)
 *	  are local maxima at a high level but do not rise.
 *
 * The candidate with the highest r_k wins.  Two preferences then apply,
 * each when the ACF there is within TS_SEASON_TOL of the winner's: a
 * candidate dividing the winner (the biased ACF shrinks by (n - k) / n, so
 * with noise the second or third multiple of the true period can edge
 * ahead: 14 for a weekly pattern), then a common period (4, 7, 12, 24, 52,
 * 168, 365) within 10% (52 rather than 53 for weekly data, whose year is
 * 52.18 weeks).  No candidate: period 0, no significant seasonality.
 *
 * Decomposition.  As statsmodels' seasonal_decompose(model='additive'),
 * to rounding: the trend is the centred moving average of length period
 * (for an even period, 2 x period: weights 1/2, 1, ..., 1, 1/2 over
 * period + 1 points), the seasonal index of phase i is the mean of
 * x - trend over the points t = i mod period where the trend exists,
 * shifted so the indices sum to 0, and the residual is what remains.  With
 * extrapolate, the missing period / 2 trend values at each end are filled
 * as statsmodels' extrapolate_trend='freq' does: a least-squares line
 * through the first period trend values, and through the period values
 * before the last one (statsmodels leaves the last out; so do we, to give
 * the same numbers).  The residual then has no gaps, which is what the
 * anomaly scoring wants.
 *
 *-------------------------------------------------------------------------
 */
#include "timeseries.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ml/ml.h"

/* within this ACF of the best peak, a divisor or a common period wins */
#define TS_SEASON_TOL			0.05

/* family-wise false-peak rate of the z / sqrt(n) bound */
#define TS_SEASON_ALPHA			0.01

static const int common_periods[] = {4, 7, 12, 24, 52, 168, 365};

/* false (with a message) unless all n values are finite */
static bool
check_finite_series(const double *x, int64 n, char *errbuf)
{
	for (int64 i = 0; i < n; i++)
	{
		if (!isfinite(x[i]))
		{
			snprintf(errbuf, TS_ERRBUF_SIZE,
					 "series contains a NaN or infinite value at position %lld",
					 (long long) i + 1);
			return false;
		}
	}
	return true;
}

/* ACF of the already centred d[0..n-1] up to max_lag. */
static void
acf_centred(const double *d, int64 n, int max_lag, double *acf)
{
	double		c0 = 0.0;

	for (int64 t = 0; t < n; t++)
		c0 += d[t] * d[t];
	acf[0] = 1.0;
	for (int k = 1; k <= max_lag; k++)
	{
		double		s = 0.0;

		ML_CHECK_INTERRUPTS();
		for (int64 t = 0; t + k < n; t++)
			s += d[t] * d[t + k];
		acf[k] = c0 > 0.0 ? s / c0 : NAN;
	}
}

bool
ts_acf(const double *x, int64 n, int max_lag, double *acf, char *errbuf)
{
	double	   *d;
	double		mean = 0.0,
				off = 0.0;

	if (n < 1 || max_lag < 0 || max_lag >= n)
	{
		snprintf(errbuf, TS_ERRBUF_SIZE,
				 "max_lag must be between 0 and n - 1 (%lld), got %d",
				 (long long) n - 1, max_lag);
		return false;
	}
	if (!check_finite_series(x, n, errbuf))
		return false;
	d = am_alloc(sizeof(double) * n);
	for (int64 t = 0; t < n; t++)
		mean += x[t];
	mean /= n;
	for (int64 t = 0; t < n; t++)
		off += x[t] - mean;
	mean += off / n;
	for (int64 t = 0; t < n; t++)
		d[t] = x[t] - mean;
	acf_centred(d, n, max_lag, acf);
	am_free(d);
	return true;
}

/* x minus its least-squares line into e; returns sum (x - mean)^2 */
static double
detrend_linear(const double *x, int64 n, double *e)
{
	double		mean = 0.0,
				tbar = 0.5 * (double) (n - 1),
				stt = 0.0,
				stx = 0.0,
				sxx = 0.0,
				slope;

	for (int64 t = 0; t < n; t++)
		mean += x[t];
	mean /= n;
	for (int64 t = 0; t < n; t++)
	{
		double		dt = (double) t - tbar;
		double		dx = x[t] - mean;

		stt += dt * dt;
		stx += dt * dx;
		sxx += dx * dx;
	}
	slope = stx / stt;
	for (int64 t = 0; t < n; t++)
		e[t] = (x[t] - mean) - slope * ((double) t - tbar);
	return sxx;
}

/* is near an integer multiple (>= 2) of k, within max(1, 2%)? */
static bool
near_multiple(int big, int k)
{
	int			q = (int) floor((double) big / k + 0.5);
	int			tol = big / 50 > 1 ? big / 50 : 1;

	return q >= 2 && abs(big - q * k) <= tol;
}

bool
ts_detect_season(const double *x, int64 n, int max_period, TsSeason *out,
				 char *errbuf)
{
	double	   *e,
			   *acf;
	double		sxx,
				see = 0.0,
				lowest;
	int			L,
				nacf,
				best = 0;
	bool	   *cand;

	out->period = 0;
	out->acf = NAN;
	out->threshold = NAN;
	out->max_lag = 0;
	if (n < 0 || max_period < 0)
	{
		snprintf(errbuf, TS_ERRBUF_SIZE, "max_period must not be negative");
		return false;
	}
	if (!check_finite_series(x, n, errbuf))
		return false;
	L = (int) (n / 2 < TS_SEASON_MAX_LAG ? n / 2 : TS_SEASON_MAX_LAG);
	if (max_period > 0 && max_period < L)
		L = max_period;
	out->max_lag = L;
	if (n < 8 || L < 2)
		return true;			/* too short to see two cycles */

	e = am_alloc(sizeof(double) * n);
	sxx = detrend_linear(x, n, e);
	for (int64 t = 0; t < n; t++)
		see += e[t] * e[t];
	/* a constant or exactly linear series: nothing but rounding is left */
	if (!(sxx > 0.0) || see <= 1e-24 * sxx)
	{
		am_free(e);
		return true;
	}

	nacf = L + 1 < n ? L + 1 : L;
	acf = am_alloc(sizeof(double) * (nacf + 1));
	acf_centred(e, n, nacf, acf);
	am_free(e);

	out->threshold = fmax(TS_SEASON_MIN_ACF,
						  ts_normal_quantile(1.0 - TS_SEASON_ALPHA / (L - 1)) / sqrt((double) n));

	/* candidates, and the highest of them */
	cand = am_alloc0(sizeof(bool) * (L + 1));
	lowest = acf[1];
	for (int k = 2; k <= L; k++)
	{
		bool		peak = acf[k] > acf[k - 1] && (k + 1 > nacf || acf[k] >= acf[k + 1]);

		if (peak && acf[k] >= out->threshold && acf[k] - lowest >= TS_SEASON_MIN_RISE)
		{
			cand[k] = true;
			if (best == 0 || acf[k] > acf[best])
				best = k;
		}
		lowest = fmin(lowest, acf[k]);
	}

	if (best > 0)
	{
		/* the smallest candidate dividing the best, if nearly as high */
		for (int k = 2; k < best; k++)
		{
			if (cand[k] && near_multiple(best, k) && acf[k] >= acf[best] - TS_SEASON_TOL)
			{
				best = k;
				break;
			}
		}
		/* a common period close by, if nearly as high */
		for (int i = 0; i < (int) (sizeof(common_periods) / sizeof(int)); i++)
		{
			int			p = common_periods[i];
			int			tol = best / 10 > 1 ? best / 10 : 1;

			if (p != best && p <= L && abs(p - best) <= tol &&
				acf[p] >= acf[best] - TS_SEASON_TOL)
			{
				best = p;
				break;
			}
		}
		out->period = best;
		out->acf = acf[best];
	}
	am_free(cand);
	am_free(acf);
	return true;
}

/* least-squares line through (t, v[t]) for t in [from, to): v = k t + c */
static void
fit_line(const double *v, int64 from, int64 to, double *k, double *c)
{
	int64		m = to - from;
	double		tbar = 0.0,
				vbar = 0.0,
				stt = 0.0,
				stv = 0.0;

	if (m <= 0)
	{
		*k = 0.0;
		*c = NAN;
		return;
	}
	for (int64 t = from; t < to; t++)
	{
		tbar += (double) t;
		vbar += v[t];
	}
	tbar /= m;
	vbar /= m;
	for (int64 t = from; t < to; t++)
	{
		stt += ((double) t - tbar) * ((double) t - tbar);
		stv += ((double) t - tbar) * (v[t] - vbar);
	}
	*k = stt > 0.0 ? stv / stt : 0.0;
	*c = vbar - *k * tbar;
}

bool
ts_decompose(const double *x, int64 n, int period, bool extrapolate,
			 double *trend, double *seasonal, double *resid, double *index,
			 char *errbuf)
{
	int64		h;
	int64		front,
				back;
	double	   *idx;
	int64	   *cnt;
	double		mean = 0.0;

	if (period < 2)
	{
		snprintf(errbuf, TS_ERRBUF_SIZE, "period must be at least 2, got %d", period);
		return false;
	}
	if (n < 2 * (int64) period)
	{
		snprintf(errbuf, TS_ERRBUF_SIZE,
				 "decomposition needs two full periods (%lld points), got %lld",
				 2 * (long long) period, (long long) n);
		return false;
	}
	if (!check_finite_series(x, n, errbuf))
		return false;

	/* centred moving average: period + 1 points for an even period */
	h = period / 2;
	front = h;
	back = n - 1 - h;
	for (int64 t = 0; t < n; t++)
	{
		double		s = 0.0;

		if ((t & 0xFFFF) == 0)
			ML_CHECK_INTERRUPTS();
		if (t < front || t > back)
		{
			trend[t] = NAN;
			continue;
		}
		if (period % 2 == 0)
		{
			s = 0.5 * x[t - h] + 0.5 * x[t + h];
			for (int64 j = t - h + 1; j < t + h; j++)
				s += x[j];
		}
		else
			for (int64 j = t - h; j <= t + h; j++)
				s += x[j];
		trend[t] = s / period;
	}

	if (extrapolate)
	{
		int64		npoints = period;
		int64		front_last = front + npoints < back ? front + npoints : back;
		int64		back_first = back - npoints > front ? back - npoints : front;
		double		k,
					c;

		fit_line(trend, front, front_last, &k, &c);
		if (isnan(c))
		{
			k = 0.0;
			c = trend[front];
		}
		for (int64 t = 0; t < front; t++)
			trend[t] = k * t + c;
		fit_line(trend, back_first, back, &k, &c);
		if (isnan(c))
		{
			k = 0.0;
			c = trend[back];
		}
		for (int64 t = back + 1; t < n; t++)
			trend[t] = k * t + c;
	}

	/* seasonal index: mean of x - trend per phase, centred */
	idx = am_alloc0(sizeof(double) * period);
	cnt = am_alloc0(sizeof(int64) * period);
	for (int64 t = 0; t < n; t++)
	{
		if (isnan(trend[t]))
			continue;
		idx[t % period] += x[t] - trend[t];
		cnt[t % period]++;
	}
	for (int i = 0; i < period; i++)
	{
		idx[i] /= cnt[i];		/* every phase has a point: n >= 2 period */
		mean += idx[i];
	}
	mean /= period;
	for (int i = 0; i < period; i++)
	{
		idx[i] -= mean;
		if (index)
			index[i] = idx[i];
	}
	for (int64 t = 0; t < n; t++)
	{
		seasonal[t] = idx[t % period];
		resid[t] = x[t] - trend[t] - seasonal[t];
	}
	am_free(idx);
	am_free(cnt);
	return true;
}

/*-------------------------------------------------------------------------
 *
 * timeseries.h
 *	  Plain-C statistics of series and segments for the insights functions:
 *	  trends, correlations, key drivers, seasonality and decomposition.
 *
 * The SQL layer aggregates a table into a short, regularly spaced series
 * (daily sums, monthly means, usually at most a few thousand points) or
 * into a measure with a segment per row, and asks here whether it trends
 * (Theil-Sen slope, Mann-Kendall test), whether two measures move together
 * (Pearson, Spearman), which dimension separates a measure most (one-way
 * ANOVA, eta squared), whether it is seasonal (ACF peak) and what remains
 * once trend and season are removed (classical decomposition, whose
 * residual the anomaly functions score).  Everything here works on arrays,
 * allocates through am_alloc and is unit-tested outside the server
 * (test/unit/test_timeseries.c) against scipy and statsmodels.
 *
 * Conventions: every function that can fail returns false and writes a
 * message (lower case, no period, naming the argument) to errbuf, which
 * holds TS_ERRBUF_SIZE bytes; it never raises an error of its own.  Inputs
 * must be finite: NaN or an infinity is refused (the caller drops NULLs or
 * interpolates first).  A statistic that the data leave undefined (the
 * correlation of a constant column, the F of a single segment) is NaN in
 * a successful result, which the SQL layer shows as NULL.
 *
 * trend.c has the distributions, Theil-Sen, Mann-Kendall, the correlations
 * and the segment comparison; seasonal.c the autocorrelation, the season
 * length and the decomposition.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIMESERIES_H
#define TIMESERIES_H

#include "../common/am_alloc.h"

#define TS_ERRBUF_SIZE			256

/* ---------- distributions (trend.c) ---------- */

/* Standard normal cdf Phi(z), via erfc (full relative accuracy in tails). */
extern double ts_normal_cdf(double z);

/* Standard normal quantile Phi^-1(p), 0 < p < 1 (Wichura's AS 241, 1e-16). */
extern double ts_normal_quantile(double p);

/*
 * Regularised incomplete beta I_x(a, b), a, b > 0, 0 <= x <= 1 (continued
 * fraction; ~1e-14 relative, and no worse than 1e-10 for parameters up to
 * 1e6).  NaN for invalid arguments.
 */
extern double ts_incbeta(double x, double a, double b);

/* Student t cdf P(T <= t) with df > 0 degrees of freedom. */
extern double ts_t_cdf(double t, double df);

/* Two-sided p-value of a t statistic: P(|T| >= |t|). */
extern double ts_t_pvalue(double t, double df);

/* Upper tail of the F distribution: P(F >= f) with df1, df2 > 0. */
extern double ts_f_sf(double f, double df1, double df2);

/* ---------- trend tests (trend.c) ---------- */

/* up to this many points Theil-Sen lists and sorts all pairwise slopes */
#define TS_THEIL_SEN_DIRECT_MAX	256
/* above, pairs sampled per point to bracket each order statistic */
#define TS_THEIL_SEN_SAMPLE_PER_POINT	8

typedef struct TsTheilSen
{
	double		slope;			/* median of the pairwise slopes */
	double		intercept;		/* median(y) - slope * median(x) */
	double		slope_low;		/* confidence interval of the slope (Sen */
	double		slope_high;		/* 1968), as scipy.stats.theilslopes */
	int64		npairs;			/* pairs with distinct x */
} TsTheilSen;

/*
 * Theil-Sen line of y over x (x NULL: 0, 1, ..., n-1), with the slope's
 * confidence interval at conf_level (e.g. 0.95; 0: no interval, NaN
 * bounds).  Needs n >= 2 and two distinct x.  Exact at any n: O(n^2) up to
 * TS_THEIL_SEN_DIRECT_MAX points, O(n log n) per search step above (~12 ms
 * for 5,000 points with the interval).
 */
extern bool ts_theil_sen(const double *x, const double *y, int64 n,
						 double conf_level, TsTheilSen *out, char *errbuf);

typedef struct TsMannKendall
{
	double		s;				/* sum of sign(y_j - y_i), i < j */
	double		var_s;			/* its variance, corrected for ties */
	double		z;				/* (S -+ 1) / sqrt(var_s), 0 when S = 0 */
	double		p_value;		/* two-sided, normal approximation */
	double		tau;			/* S / (n (n - 1) / 2), Kendall's tau-a */
} TsMannKendall;

/*
 * Mann-Kendall trend test of y, given in time order (n >= 3), in
 * O(n log n) by counting inversions; as pymannkendall.original_test.
 */
extern bool ts_mann_kendall(const double *y, int64 n, TsMannKendall *out,
							char *errbuf);

/* ---------- correlation (trend.c) ---------- */

typedef struct TsCorrelation
{
	double		r;				/* coefficient, NaN if a column is constant */
	double		t;				/* r sqrt((n - 2) / (1 - r^2)) */
	double		p_value;		/* two-sided, t with n - 2 df (as scipy) */
	int64		n;
} TsCorrelation;

/* Pearson's r of x and y (n >= 2), two-pass. */
extern bool ts_pearson(const double *x, const double *y, int64 n,
					   TsCorrelation *out, char *errbuf);

/* Spearman's rho (Pearson of the ranks, ties get their average rank). */
extern bool ts_spearman(const double *x, const double *y, int64 n,
						TsCorrelation *out, char *errbuf);

/*
 * Average ranks (1-based) of x[0..n-1] into rank; ties share the mean of
 * their ranks.  Returns the tie term sum(t^3 - t) over groups of ties.
 */
extern double ts_rank_average(const double *x, int64 n, double *rank);

/* ---------- key drivers: a measure across segments (trend.c) ---------- */

typedef struct TsSegment
{
	int64		count;
	double		mean;			/* NaN when count = 0 */
	double		stddev;			/* sample, NaN when count < 2 */
} TsSegment;

typedef struct TsAnova
{
	int64		n;				/* rows */
	int			k;				/* segments with at least one row */
	double		mean;			/* overall mean */
	double		ss_between;		/* sum over segments of n_g (mean_g - mean)^2 */
	double		ss_within;		/* sum of squared deviations in segments */
	double		df_between;		/* k - 1 */
	double		df_within;		/* n - k */
	double		f;				/* NaN if k < 2 or n = k; inf if no spread */
	double		p_value;		/* P(F >= f) */
	double		eta_squared;	/* ss_between / (ss_between + ss_within) */
} TsAnova;

/*
 * One-way ANOVA of values across segments: segment[i] in 0..nsegments-1
 * names the segment of row i.  seg (may be NULL) receives nsegments
 * summaries.  Welford per segment, so offsets such as 1e9 + small values
 * keep their precision.
 */
extern bool ts_segment_anova(const double *values, const int *segment,
							 int64 n, int nsegments, TsSegment *seg,
							 TsAnova *out, char *errbuf);

/* ---------- seasonality (seasonal.c) ---------- */

#define TS_SEASON_MAX_LAG		1000	/* default cap on candidate periods */
#define TS_SEASON_MIN_ACF		0.3		/* a peak must reach this ACF */
#define TS_SEASON_MIN_RISE		0.1		/* and rise this much over the
										 * lowest ACF at shorter lags */

/*
 * Sample autocorrelation r_0..r_max_lag of x (r_0 = 1), the biased
 * estimator sum (x_t - m)(x_t+k - m) / sum (x_t - m)^2 of statsmodels' acf.
 * max_lag < n.  A constant series gives NaN beyond lag 0.
 */
extern bool ts_acf(const double *x, int64 n, int max_lag, double *acf,
				   char *errbuf);

typedef struct TsSeason
{
	int			period;			/* 0: no significant seasonality */
	double		acf;			/* ACF of the detrended series at period */
	double		threshold;		/* the ACF a peak had to reach */
	int			max_lag;		/* largest period considered */
} TsSeason;

/*
 * Season length of a regularly spaced series: the highest significant
 * peak of the ACF of the linearly detrended series among lags 2..max_lag
 * (max_period, or 0 for min(n / 2, TS_SEASON_MAX_LAG)); see seasonal.c.
 * Period 0 when none is significant (or n < 8).  Conservative: white
 * noise is called seasonal in under 0.1% of series of 20 to 3,000 points.
 */
extern bool ts_detect_season(const double *x, int64 n, int max_period,
							 TsSeason *out, char *errbuf);

/*
 * Classical additive decomposition x = trend + seasonal + resid, as
 * statsmodels' seasonal_decompose(model='additive'): a centred moving
 * average of length period (2 x period when even) for the trend, the
 * per-phase means of x - trend centred to sum 0 for the season.  Needs
 * period >= 2 and n >= 2 period.  The trend (so resid) is NaN at the
 * period / 2 first and last points, unless extrapolate is true
 * (extrapolate_trend='freq': linear least-squares extrapolation of the
 * nearest period trend values).  trend, seasonal, resid receive n values
 * each; index (may be NULL) the period seasonal effects, index[t % period]
 * being the effect at t.
 */
extern bool ts_decompose(const double *x, int64 n, int period,
						 bool extrapolate, double *trend, double *seasonal,
						 double *resid, double *index, char *errbuf);

#endif							/* TIMESERIES_H */

/*-------------------------------------------------------------------------
 *
 * holt_winters.h
 *	  Additive Holt-Winters forecasting (with Holt's linear trend and
 *	  simple exponential smoothing as its short-series fallbacks), and the
 *	  accuracy measures the forecast functions report.
 *
 * The SQL layer aggregates a table into a regularly spaced series (NULL
 * periods interpolated by the caller), fits a model here, and returns the
 * forecasts with their prediction intervals for the next h periods.
 * Plain C over arrays, allocating through am_alloc; unit-tested outside
 * the server (test/unit/test_timeseries.c) against statsmodels.  The
 * prediction interval's normal quantile comes from
 * src/insights/timeseries.h (ts_normal_quantile).
 *
 * The recursions, in the component form of statsmodels'
 * ExponentialSmoothing(trend='add', seasonal='add'), with e_t = y_t -
 * (l_t-1 + b_t-1 + s_t-m) the one-step-ahead error:
 *
 *	l_t = l_t-1 + b_t-1 + alpha e_t
 *	b_t = b_t-1 + alpha beta e_t		(beta: statsmodels' smoothing_trend)
 *	s_t = s_t-m + gamma e_t
 *
 * i.e. the ETS(A,A,A) model of Hyndman et al. with their beta equal to
 * alpha * beta here.  Holt's method drops s, simple exponential smoothing
 * drops b too.
 *
 *-------------------------------------------------------------------------
 */
#ifndef HOLT_WINTERS_H
#define HOLT_WINTERS_H

#include "../common/am_alloc.h"

#define HW_ERRBUF_SIZE		256

/* z of the default 95% prediction interval */
#define HW_Z95				1.959963984540054

typedef enum HwMethod
{
	HW_SES = 0,					/* level only */
	HW_HOLT = 1,				/* level and trend */
	HW_ADDITIVE = 2				/* level, trend and additive season */
} HwMethod;

typedef struct HwOptions
{
	int			period;			/* season length m; 0 or 1: no season */
	/* smoothing parameters: NaN (the default) to estimate, else fixed */
	double		alpha;
	double		beta;
	double		gamma;
	/*
	 * With beta estimated, keep beta = 0 (a fixed drift) unless letting it
	 * move lowers the AIC (the default: a trend that chases the last noisy
	 * periods extrapolates badly); false: plain least squares.
	 */
	bool		select_beta;
} HwOptions;

typedef struct HwModel
{
	HwMethod	method;			/* may be simpler than asked: see hw_fit */
	int			period;			/* m of the seasonal states, 0 without */
	int64		n;				/* points fitted */
	double		alpha;			/* level smoothing */
	double		beta;			/* trend smoothing (Holt form), 0 if none */
	double		gamma;			/* seasonal smoothing, 0 if none */
	double		l0;				/* level before the first point */
	double		b0;				/* trend before the first point */
	double	   *s0;				/* period values: s0[t] is the season of
								 * point t < m before any update */
	double		level;			/* states after the last point */
	double		trend;
	double	   *season;			/* period values: season[j] is the season
								 * of point n + j (j < m) */
	double	   *fitted;			/* n one-step-ahead predictions */
	double		sse;			/* sum of squared one-step-ahead errors */
	double		sigma2;			/* sse / (n - nparams), sse / n if n <= nparams */
	int			nparams;		/* smoothing parameters + initial states */
	double		aic;			/* n log(sse / n) + 2 (nparams + 1); NaN if sse = 0 */
	bool		states_estimated;	/* false: seasonal initial states from
									 * the heuristic (long periods) */
} HwModel;

/*
 * Options with every smoothing parameter estimated, select_beta on and no
 * season: start from these (a zeroed struct fixes every parameter at 0).
 */
extern void hw_options_default(HwOptions *opt);

/*
 * Fit y[0..n-1] (finite values, n >= 3).  With period m >= 2 the model is
 * additive Holt-Winters when n >= max(2 m, m + 6), else Holt's linear
 * trend; without a season, Holt when n >= 6, else simple exponential
 * smoothing.  Returns a model allocated with am_alloc (hw_free, or the
 * memory context, frees it), or NULL with a message in errbuf
 * (HW_ERRBUF_SIZE bytes): fewer than 3 points, a NaN or infinite value, a
 * fixed smoothing parameter outside [0, 1].
 */
extern HwModel *hw_fit(const double *y, int64 n, const HwOptions *opt,
					   char *errbuf);

/*
 * Forecasts for the h periods after the series into mean[0..h-1], and when
 * lower and upper are not NULL the prediction interval at level (0 < level
 * < 1, e.g. 0.95), from the analytic variance of the class-1 ETS model:
 * sigma2 (1 + sum_{j=1}^{k-1} c_j^2), c_j = alpha + alpha beta j + gamma
 * [j mod m = 0].  false with a message if h < 1 or level is out of range.
 */
extern bool hw_forecast(const HwModel *model, int h, double level,
						double *mean, double *lower, double *upper,
						char *errbuf);

extern void hw_free(HwModel *model);

/*
 * Mean absolute scaled error of forecast[0..h-1] against actual[0..h-1],
 * scaled by the in-sample MAE of the seasonal naive forecast of train
 * (lag period, lag 1 when period <= 1), as the M4 competition.  NaN when
 * train has no more than period points or its naive MAE is 0.
 */
extern double forecast_mase(const double *train, int64 ntrain,
							const double *actual, const double *forecast,
							int h, int period);

/*
 * Symmetric MAPE in percent, as the M4 competition:
 * 200 / h sum |a - f| / (|a| + |f|); a term with a = f = 0 counts 0.
 */
extern double forecast_smape(const double *actual, const double *forecast,
							 int h);

#endif							/* HOLT_WINTERS_H */

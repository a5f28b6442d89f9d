/*-------------------------------------------------------------------------
 *
 * forecast.c
 *	  automl.forecast(relation, time_column, value_column, horizon,
 *	  options): Holt-Winters forecasts with prediction intervals.
 *
 * The rows become a regular series (series.c: the step is the data's own
 * or options.frequency; rows sharing a step are summed or averaged; gaps
 * are interpolated), the season length is options.season_length or the
 * autocorrelation peak, and additive Holt-Winters is fitted by minimising
 * the one-step-ahead squared error (holt_winters.c; Holt's linear trend
 * when the series is shorter than two seasons).  The interval is the
 * analytic one of the additive model at options.level (0.95).
 *
 * Options: season_length (0: detect; 1: none), frequency (an interval),
 * aggregate ("sum" or "avg"), level.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "forecast/holt_winters.h"
#include "forecast/series.h"
#include "insights/timeseries.h"
#include "ml/train_options.h"

PG_FUNCTION_INFO_V1(automl_forecast);

#define FORECAST_OPTION "forecast option"
#define FORECAST_KEYS "season_length, frequency, aggregate, level"
#define FORECAST_MAX_HORIZON 100000

typedef struct ForecastOptions
{
	int			season_length;	/* -1: detect */
	char	   *frequency;
	char	   *aggregate;
	double		level;
} ForecastOptions;

static void
forecast_option(const char *key, JsonbValue *v, void *arg)
{
	ForecastOptions *o = arg;

	if (strcmp(key, "season_length") == 0)
		o->season_length = (int) jsonb_option_number(FORECAST_OPTION, key, v, 0, 100000, true, false);
	else if (strcmp(key, "frequency") == 0)
		o->frequency = jsonb_option_string(FORECAST_OPTION, key, v);
	else if (strcmp(key, "aggregate") == 0)
		o->aggregate = jsonb_option_string(FORECAST_OPTION, key, v);
	else if (strcmp(key, "level") == 0)
		o->level = jsonb_option_number(FORECAST_OPTION, key, v, 0, 1, false, true);
	else
		jsonb_option_unknown(FORECAST_OPTION, key, FORECAST_KEYS);
}

static void
forecast_options_parse(Jsonb *options, ForecastOptions *o)
{
	memset(o, 0, sizeof(*o));
	o->season_length = -1;
	o->level = 0.95;
	jsonb_options_each(options, FORECAST_OPTION, FORECAST_KEYS, forecast_option, o);
	if (!(o->level < 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("forecast option \"level\" must be below 1")));
}

/*
 * automl.forecast(relation regclass, time_column text, value_column text,
 * horizon int, options jsonb) RETURNS TABLE(ts timestamptz, forecast
 * float8, lower float8, upper float8)
 */
Datum
automl_forecast(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ForecastOptions opt;
	Series	   *s;
	int			horizon;
	HwOptions	hwo;
	HwModel    *hw;
	char		errbuf[HW_ERRBUF_SIZE];
	double	   *mean,
			   *lo,
			   *hi;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("relation, time_column, value_column and horizon must not be NULL")));
	horizon = PG_GETARG_INT32(3);
	if (horizon < 1 || horizon > FORECAST_MAX_HORIZON)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("horizon must be between 1 and %d", FORECAST_MAX_HORIZON)));
	forecast_options_parse(PG_ARGISNULL(4) ? NULL : PG_GETARG_JSONB_P(4), &opt);
	InitMaterializedSRF(fcinfo, 0);

	s = series_load(PG_GETARG_OID(0), text_to_cstring(PG_GETARG_TEXT_PP(1)),
					text_to_cstring(PG_GETARG_TEXT_PP(2)), opt.frequency, opt.aggregate);

	hw_options_default(&hwo);
	if (opt.season_length >= 0)
		hwo.period = opt.season_length;
	else
	{
		TsSeason	season;

		if (!ts_detect_season(s->y, s->n, 0, &season, errbuf))
			season.period = 0;
		hwo.period = season.period;
	}
	hw = hw_fit(s->y, s->n, &hwo, errbuf);
	if (hw == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot forecast the series: %s", errbuf)));
	mean = palloc(sizeof(double) * horizon);
	lo = palloc(sizeof(double) * horizon);
	hi = palloc(sizeof(double) * horizon);
	if (!hw_forecast(hw, horizon, opt.level, mean, lo, hi, errbuf))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot forecast the series: %s", errbuf)));
	for (int k = 0; k < horizon; k++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = TimestampTzGetDatum(series_time(s, s->n + k));
		values[1] = Float8GetDatum(mean[k]);
		values[2] = Float8GetDatum(lo[k]);
		values[3] = Float8GetDatum(hi[k]);
		nulls[2] = !isfinite(lo[k]);
		nulls[3] = !isfinite(hi[k]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

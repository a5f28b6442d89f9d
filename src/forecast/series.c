/*-------------------------------------------------------------------------
 *
 * series.c
 *	  A relation's (time, value) rows as a regular series.
 *
 * Forecasting and seasonal anomaly detection need one value per regular
 * step.  Business data rarely come that way: several rows per day, days
 * without rows, monthly figures stamped on the 1st (28 to 31 days apart).
 * So the step is the median gap between distinct times, rounded to whole
 * months or years when it is one (calendar arithmetic then keeps the 1st
 * of the month on the 1st), or options.frequency; the rows of a step are
 * summed (default) or averaged; a step without rows is interpolated
 * linearly between its neighbours and counted in gaps.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/relation.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "forecast/series.h"
#include "ml/dataset.h"

#define USECS_PER_DAY_D ((double) USECS_PER_DAY)

static int
cmp_int64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a,
				y = *(const int64 *) b;

	return x < y ? -1 : x > y;
}

TimestampTz
series_time(const Series *s, int k)
{
	Interval	iv;

	iv.month = s->step.month * k;
	iv.day = s->step.day * k;
	iv.time = s->step.time * k;
	return DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
												   TimestampTzGetDatum(s->start),
												   IntervalPGetDatum(&iv)));
}

/* Months since year 0 of a time (calendar steps) */
static int64
month_number(TimestampTz t)
{
	struct pg_tm tm;
	fsec_t		fsec;
	int			tz;

	if (timestamp2tm(t, &tz, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return (int64) tm.tm_year * 12 + (tm.tm_mon - 1);
}

/* The step of the data: the median gap between distinct times. */
static void
infer_step(const int64 *t, int64 n, Interval *step)
{
	int64	   *gaps = palloc(sizeof(int64) * Max(n, 1));
	int64		ng = 0,
				med;
	double		days;

	for (int64 i = 1; i < n; i++)
		if (t[i] > t[i - 1])
			gaps[ng++] = t[i] - t[i - 1];
	if (ng == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the series needs at least two distinct times")));
	qsort(gaps, ng, sizeof(int64), cmp_int64);
	med = gaps[ng / 2];
	days = med / USECS_PER_DAY_D;
	memset(step, 0, sizeof(*step));
	if (days >= 27.5 && days <= 31.5)
		step->month = 1;
	else if (days >= 89 && days <= 93)
		step->month = 3;
	else if (days >= 364 && days <= 367)
		step->month = 12;
	else if (fmod(med, USECS_PER_DAY) == 0)
		step->day = (int32) (med / USECS_PER_DAY);
	else
		step->time = med;
}

/* The index of the step that holds time t. */
static int64
step_index(const Series *s, TimestampTz t)
{
	if (s->step.month > 0)
		return (month_number(t) - month_number(s->start)) / s->step.month;
	return (t - s->start) / ((int64) s->step.day * USECS_PER_DAY + s->step.time);
}

Series *
series_load(Oid relid, const char *time_column, const char *value_column,
			const char *frequency, const char *aggregate)
{
	Series	   *s = palloc0(sizeof(Series));
	Relation	rel;
	char	   *relname;
	Oid			ttype = InvalidOid,
				vtype = InvalidOid;
	char	   *sql;
	int			ret;
	int64		n;
	int64	   *t;
	double	   *v;
	double	   *sum;
	int64	   *cnt;
	int64		nsteps;
	bool		avg = aggregate && strcmp(aggregate, "avg") == 0;

	if (aggregate && !avg && strcmp(aggregate, "sum") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("options.aggregate must be \"sum\" or \"avg\", not \"%s\"", aggregate)));
	rel = relation_open_checked(relid, AccessShareLock);
	relname = relation_quoted_name(rel);
	for (int i = 0; i < RelationGetDescr(rel)->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), i);

		if (att->attisdropped)
			continue;
		if (strcmp(NameStr(att->attname), time_column) == 0)
			ttype = getBaseType(att->atttypid);
		if (strcmp(NameStr(att->attname), value_column) == 0)
			vtype = getBaseType(att->atttypid);
	}
	relation_close(rel, AccessShareLock);
	if (!OidIsValid(ttype) || !OidIsValid(vtype))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation %s does not exist",
						OidIsValid(ttype) ? value_column : time_column, relname)));
	if (ttype != DATEOID && ttype != TIMESTAMPOID && ttype != TIMESTAMPTZOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("time column \"%s\" must be a date or timestamp, not %s",
						time_column, format_type_be(ttype))));
	if (vtype != INT2OID && vtype != INT4OID && vtype != INT8OID && vtype != FLOAT4OID &&
		vtype != FLOAT8OID && vtype != NUMERICOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("value column \"%s\" is not numeric (%s)", value_column, format_type_be(vtype))));

	sql = psprintf("SELECT %s::pg_catalog.timestamptz, %s::pg_catalog.float8 FROM %s"
				   " WHERE %s IS NOT NULL AND %s IS NOT NULL ORDER BY 1",
				   quote_identifier(time_column), quote_identifier(value_column), relname,
				   quote_identifier(time_column), quote_identifier(value_column));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute(sql, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read the series: %s", SPI_result_code_string(ret));
	n = (int64) SPI_processed;
	/* in the caller's context: SPI_finish frees what is palloc'd here */
	t = SPI_palloc(sizeof(int64) * Max(n, 1));
	v = SPI_palloc(sizeof(double) * Max(n, 1));
	for (int64 i = 0; i < n; i++)
	{
		bool		isnull;

		CHECK_FOR_INTERRUPTS();
		t[i] = DatumGetTimestampTz(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
		v[i] = DatumGetFloat8(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));
	}
	SPI_finish();
	s->rows = n;
	if (n < 3)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("relation %s has %lld rows with both %s and %s: a series needs at least 3",
						relname, (long long) n, time_column, value_column)));
	for (int64 i = 0; i < n; i++)
		if (TIMESTAMP_NOT_FINITE(t[i]))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("time column \"%s\" holds an infinite timestamp", time_column)));

	if (frequency)
	{
		Interval   *iv = DatumGetIntervalP(DirectFunctionCall3(interval_in, CStringGetDatum(frequency),
															   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));

		if (iv->month < 0 || iv->day < 0 || iv->time < 0 ||
			(iv->month == 0 && iv->day == 0 && iv->time == 0) ||
			(iv->month > 0 && (iv->day != 0 || iv->time != 0)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("options.frequency must be a positive interval of months, or of days and time, not \"%s\"", frequency)));
		s->step = *iv;
	}
	else
		infer_step(t, n, &s->step);
	s->step_text = DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(&s->step)));
	/* calendar steps count months from the first row's, keeping its day */
	s->start = t[0];
	nsteps = step_index(s, t[n - 1]) + 1;
	if (nsteps > SERIES_MAX_STEPS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the series would have %lld steps of %s, more than %d",
						(long long) nsteps, s->step_text, SERIES_MAX_STEPS),
				 errhint("Set options.frequency to a longer interval.")));
	sum = palloc0(sizeof(double) * nsteps);
	cnt = palloc0(sizeof(int64) * nsteps);
	for (int64 i = 0; i < n; i++)
	{
		int64		k = step_index(s, t[i]);

		if (k >= 0 && k < nsteps && isfinite(v[i]))
		{
			sum[k] += v[i];
			cnt[k]++;
		}
	}
	s->n = (int) nsteps;
	s->y = palloc(sizeof(double) * nsteps);
	for (int64 k = 0; k < nsteps; k++)
		s->y[k] = cnt[k] > 0 ? (avg ? sum[k] / cnt[k] : sum[k]) : NAN;
	/* fill the gaps linearly (the ends have rows by construction) */
	for (int64 k = 0; k < nsteps; k++)
	{
		int64		j;

		if (!isnan(s->y[k]))
			continue;
		j = k;
		while (j < nsteps && isnan(s->y[j]))
			j++;
		for (int64 g = k; g < j; g++)
		{
			double		a = s->y[k - 1],
						b = j < nsteps ? s->y[j] : a;

			s->y[g] = a + (b - a) * (double) (g - k + 1) / (double) (j - k + 1);
			s->gaps++;
		}
		k = j;
	}
	return s;
}

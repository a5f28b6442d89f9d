/*-------------------------------------------------------------------------
 *
 * detect_multi.c
 *	  The multivariate and seasonal methods of detect_anomalies.
 *
 * Multivariate methods report rows (column_name NULL) whose combination
 * of values is unusual; the explanation names the columns that drive the
 * score.  They need complete rows to fit; a NULL in a row being scored
 * counts as the column's centre.
 *
 * The isolation forest's default threshold adapts to the scores (see
 * isoforest_default_threshold): scores of ordinary rows gather around 0.4
 * to 0.5 in a continuum, isolated rows stand apart above it.  Rows that
 * only break a correlation are mahalanobis' strength.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>
#include <math.h>

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "anomaly/detect.h"
#include "anomaly/isolation.h"
#include "anomaly/robust_cov.h"
#include "anomaly/seasonal.h"
#include "anomaly/univariate.h"
#include "insights/timeseries.h"

/* Complete-enough data: the multivariate methods need rows to fit on. */
static void
check_columns(const AnomalyData *d, const char *method)
{
	if (d->ncols < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("method %s needs at least two numeric columns, relation %s has %d",
						method, d->relname, d->ncols),
				 errhint("Use robust_zscore or iqr for one column.")));
}

static void
row_of(const AnomalyData *d, int64 i, double *row)
{
	for (int j = 0; j < d->ncols; j++)
		row[j] = d->cols[j][i];
}

/*
 * The median score plus 6 MADs of the scores, kept within 0.66 .. 0.72:
 * scores of ordinary rows gather around 0.4 to 0.5, isolated rows reach
 * 0.7 and more (with psi = 1024).  (A threshold at the widest gap in the upper tail was
 * tried and rejected: gaps within the anomalous group are often wider.)
 */
double
isoforest_default_threshold(const double *scores, int64 n)
{
	double	   *work = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * Max(n, 1));
	ColumnSpread cs;
	double		t;

	column_spread(scores, n, work, &cs);
	pfree(work);
	t = cs.median + 6 * cs.scale;
	return Min(0.72, Max(0.66, isfinite(t) ? t : 0.66));
}

void
detect_mahalanobis(const AnomalyData *d, const DetectOptions *o, FoundList *out)
{
	char		err[256];
	RobustCov  *rc;
	double	   *row = palloc(sizeof(double) * d->ncols);
	double	   *share = palloc(sizeof(double) * d->ncols);
	double	   *work = palloc(sizeof(double) * 2 * d->ncols);
	double		threshold;

	check_columns(d, "mahalanobis");
	rc = robust_cov_fit((const double *const *) d->cols, d->n, d->ncols, o->seed, 0.9999,
						err, sizeof(err));
	if (rc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("mahalanobis on relation %s: %s", d->relname, err)));
	threshold = isnan(o->threshold) ? rc->threshold : o->threshold;
	for (int64 i = 0; i < d->n; i++)
	{
		double		dist;
		AnomalyFound f;
		char		drivers[512],
					dist_s[32],
					thr_s[32];

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		row_of(d, i, row);
		dist = robust_cov_distance(rc, row, work);
		if (!(dist > threshold))
			continue;
		memset(&f, 0, sizeof(f));
		f.row = i;
		f.col = -1;
		f.score = dist;
		f.severity = anomaly_severity(AM_MAHALANOBIS, dist, threshold);
		robust_cov_attribution(rc, row, share, work);
		anomaly_fmt_drivers(drivers, sizeof(drivers), d->names, share, d->ncols, 3);
		anomaly_fmt_number(dist_s, sizeof(dist_s), dist);
		anomaly_fmt_number(thr_s, sizeof(thr_s), threshold);
		f.explanation = psprintf("the row is %s robust standard deviations from the centre of %d columns (threshold %s), driven by %s",
								 dist_s, d->ncols, thr_s, drivers);
		found_list_add(out, &f);
	}
}

void
detect_isolation_forest(const AnomalyData *d, const DetectOptions *o, FoundList *out)
{
	IsoForest  *f;
	double	   *row = palloc(sizeof(double) * d->ncols);
	double	   *share = palloc(sizeof(double) * d->ncols);
	double	   *z = palloc(sizeof(double) * d->ncols);
	double	   *scores = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * Max(d->n, 1));
	double		threshold,
				typical;

	check_columns(d, "isolation_forest");
	if (d->n < 2)
		return;
	f = isoforest_fit((const double *const *) d->cols, d->n, d->ncols, ISO_TREES, ISO_PSI, o->seed);
	for (int64 i = 0; i < d->n; i++)
	{
		if ((i & 0x3FFF) == 0)
			CHECK_FOR_INTERRUPTS();
		row_of(d, i, row);
		scores[i] = isoforest_score(f, row, z);
	}
	if (!isnan(o->threshold))
		threshold = o->threshold;
	else if (!isnan(o->contamination))
	{
		double	   *work = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * d->n);

		memcpy(work, scores, sizeof(double) * d->n);
		threshold = select_quantile(work, d->n, 1 - o->contamination);
		pfree(work);
	}
	else
		threshold = isoforest_default_threshold(scores, d->n);
	typical = isoforest_c(f->psi);
	for (int64 i = 0; i < d->n; i++)
	{
		AnomalyFound af;
		char		drivers[512],
					depth_s[32],
					typ_s[32],
					sc[32];

		if (!(scores[i] > threshold))
			continue;
		row_of(d, i, row);
		memset(&af, 0, sizeof(af));
		af.row = i;
		af.col = -1;
		af.score = scores[i];
		af.severity = anomaly_severity(AM_ISOLATION_FOREST, scores[i], threshold);
		isoforest_attribution(f, row, share, z);
		anomaly_fmt_drivers(drivers, sizeof(drivers), d->names, share, d->ncols, 3);
		anomaly_fmt_number(depth_s, sizeof(depth_s), isoforest_path_length(f, row, z));
		anomaly_fmt_number(typ_s, sizeof(typ_s), typical);
		anomaly_fmt_number(sc, sizeof(sc), scores[i]);
		af.explanation = psprintf("the row is isolated after %s random splits on average (typical %s; score %s), driven by %s",
								  depth_s, typ_s, sc, drivers);
		found_list_add(out, &af);
	}
}

static const double *sort_time;

static int
cmp_time(const void *a, const void *b)
{
	double		x = sort_time[*(const int64 *) a],
				y = sort_time[*(const int64 *) b];

	if (x != y)
		return x < y ? -1 : 1;
	return *(const int64 *) a < *(const int64 *) b ? -1 : 1;
}

static char *
format_time(double epoch)
{
	TimestampTz t = (TimestampTz) ((epoch - ((double) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY)) * USECS_PER_SEC);

	return DatumGetCString(DirectFunctionCall1(timestamptz_out, TimestampTzGetDatum(t)));
}

/*
 * Each column as a series in time order: the residual of a seasonal
 * decomposition, judged by its median and MAD.
 */
void
detect_seasonal(const AnomalyData *d, const DetectOptions *o, FoundList *out)
{
	int64	   *order;
	int64		n = 0;
	double		threshold = isnan(o->threshold) ? 3.5 : o->threshold;

	if (d->time == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("method seasonal needs options.time_column")));
	if (d->n > INT_MAX / 2)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("method seasonal handles at most %d rows", INT_MAX / 2)));
	order = palloc(sizeof(int64) * Max(d->n, 1));
	for (int64 i = 0; i < d->n; i++)
		if (isfinite(d->time[i]))
			order[n++] = i;
	sort_time = d->time;
	qsort(order, n, sizeof(int64), cmp_time);

	for (int j = 0; j < d->ncols; j++)
	{
		int64	   *rows = palloc(sizeof(int64) * Max(n, 1));
		double	   *y = palloc(sizeof(double) * Max(n, 1));
		double	   *trend,
				   *seas,
				   *resid,
				   *work;
		int			m = 0;
		ColumnSpread cs;

		for (int64 k = 0; k < n; k++)
			if (isfinite(d->cols[j][order[k]]))
			{
				rows[m] = order[k];
				y[m++] = d->cols[j][order[k]];
			}
		if (m < 8)
			continue;			/* too short to say what is usual */
		trend = palloc(sizeof(double) * m);
		seas = palloc(sizeof(double) * m);
		resid = palloc(sizeof(double) * m);
		work = palloc(sizeof(double) * m);
		{
			TsSeason	season;
			char		err[256];
			int			len = o->season_length;

			if (len == 0)
				len = ts_detect_season(y, m, Min(m / 2, 400), &season, err) ? season.period : 0;

			if (len > m / 2)
				len = 0;
			season_decompose(y, m, len, trend, seas, resid);
		}
		column_spread(resid, m, work, &cs);
		if (!(cs.scale > 0))
			continue;
		for (int k = 0; k < m; k++)
		{
			double		z = (resid[k] - cs.median) / cs.scale;
			double		expect = trend[k] + seas[k] + cs.median;
			AnomalyFound f;
			char		v[32],
						e[32],
						lo[32],
						hi[32],
						sc[32];

			if (!(fabs(z) > threshold))
				continue;
			memset(&f, 0, sizeof(f));
			f.row = rows[k];
			f.col = j;
			f.value = y[k];
			f.low = expect - threshold * cs.scale;
			f.high = expect + threshold * cs.scale;
			f.score = fabs(z);
			f.severity = anomaly_severity(AM_SEASONAL, f.score, threshold);
			anomaly_fmt_number(v, sizeof(v), y[k]);
			anomaly_fmt_number(e, sizeof(e), expect);
			anomaly_fmt_number(lo, sizeof(lo), f.low);
			anomaly_fmt_number(hi, sizeof(hi), f.high);
			anomaly_fmt_number(sc, sizeof(sc), f.score);
			f.explanation = psprintf("%s = %s at %s is %s MADs %s the seasonal expectation %s (expected %s to %s)",
									 d->names[j], v, format_time(d->time[rows[k]]), sc,
									 z > 0 ? "above" : "below", e, lo, hi);
			found_list_add(out, &f);
		}
	}
}

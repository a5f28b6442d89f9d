/*-------------------------------------------------------------------------
 *
 * insights.c
 *	  automl.insights(relation, options): what stands out in a table, as
 *	  JSON a dashboard or a person can read: anomalies, trends, segment
 *	  differences, correlations, shifts, recommendations and a summary.
 *
 * One read of the numeric columns into arrays (anomaly_data.c) serves the
 * anomalies (robust z-scores), the correlations (Pearson on complete
 * pairs), the time buckets (means and sums per hour, day, week, month,
 * quarter or year: the finest that gives at most INSIGHT_MAX_BUCKETS) and
 * their trends (Theil-Sen slope, Mann-Kendall p-value) and last-period
 * shift.  Segment differences (eta squared of each measure across each
 * categorical column) and the segment that drives the largest shift come
 * from GROUP BY queries, which PostgreSQL does well.  Everything is
 * deterministic: ties break by column name.
 *
 * Options: time_column (default: the first date or timestamp column),
 * target (a numeric column: its key drivers), max_anomalies (5).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/relation.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "anomaly/anomaly_data.h"
#include "anomaly/anomaly_text.h"
#include "anomaly/detect.h"
#include "common/json_out.h"
#include "insights/timeseries.h"
#include "ml/dataset.h"
#include "ml/train_options.h"

PG_FUNCTION_INFO_V1(automl_insights);

#define INSIGHT_OPTION "insights option"
#define INSIGHT_KEYS "time_column, target, max_anomalies"
#define INSIGHT_MAX_BUCKETS 200
#define INSIGHT_MAX_CATEGORICAL 8
#define INSIGHT_MAX_SEGMENTS 50
#define INSIGHT_MAX_FINDINGS 20

typedef struct Finding
{
	const char *kind;
	char	   *columns[3];
	int			ncolumns;
	char	   *description;
	double		strength;		/* 0..1 */
	char	   *evidence;		/* JSON object text */
} Finding;

typedef struct Insights
{
	AnomalyData *d;
	char	   *relname;
	int			ncolumns_total;
	List	   *categorical;	/* names */
	char	   *target;
	char	   *time_column;	/* options.time_column */
	int			max_anomalies;
	Finding    *f;
	int			nf;
	int			capf;
	List	   *recommendations;
	double	   *mean;			/* per numeric column */
	double	   *var;
	int64	   *count;
	/* the largest shift, for its driver and a recommendation */
	int			shift_col;
	double		shift_pct;
	double		shift_from,
				shift_mid,
				shift_to;		/* epoch seconds: [from, mid) vs [mid, to] */
	char	   *shift_text;
} Insights;

static Finding *
add_finding(Insights *in, const char *kind, double strength)
{
	Finding    *f;

	if (in->nf == in->capf)
	{
		in->capf = Max(16, in->capf * 2);
		in->f = in->f ? repalloc(in->f, sizeof(Finding) * in->capf) : palloc(sizeof(Finding) * in->capf);
	}
	f = &in->f[in->nf++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->strength = isfinite(strength) ? Max(0.0, Min(1.0, strength)) : 0;
	return f;
}

/* A number as JSON: null when not finite (JSON has no NaN) */
static char *
jnum(double v)
{
	return isfinite(v) ? psprintf("%.6g", v) : pstrdup("null");
}

static char *
num(double v)
{
	char		buf[64];

	anomaly_fmt_number(buf, sizeof(buf), v);
	return pstrdup(buf);
}

/* ---------------------------------------------------------------- columns */

static bool
is_categorical(Oid type)
{
	type = getBaseType(type);
	return type == TEXTOID || type == VARCHAROID || type == BPCHAROID || type == BOOLOID ||
		type_is_enum(type);
}

static char *
first_time_column(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		Oid			t;

		if (att->attisdropped)
			continue;			/* its type is gone: getBaseType would fail */
		t = getBaseType(att->atttypid);
		if (t == DATEOID || t == TIMESTAMPOID || t == TIMESTAMPTZOID)
			return pstrdup(NameStr(att->attname));
	}
	return NULL;
}

static void
column_stats(Insights *in)
{
	AnomalyData *d = in->d;

	in->mean = palloc0(sizeof(double) * Max(d->ncols, 1));
	in->var = palloc0(sizeof(double) * Max(d->ncols, 1));
	in->count = palloc0(sizeof(int64) * Max(d->ncols, 1));
	for (int j = 0; j < d->ncols; j++)
	{
		double		m = 0,
					m2 = 0;
		int64		k = 0;

		for (int64 i = 0; i < d->n; i++)
		{
			double		v = d->cols[j][i],
						delta;

			if (!isfinite(v))
				continue;
			k++;
			delta = v - m;
			m += delta / k;
			m2 += delta * (v - m);
		}
		in->count[j] = k;
		in->mean[j] = k > 0 ? m : NAN;
		in->var[j] = k > 1 ? m2 / (k - 1) : NAN;
		if (d->n > 0 && (double) (d->n - k) / d->n >= 0.2)
			in->recommendations = lappend(in->recommendations,
										  psprintf("%s is %.0f%% NULL: impute or drop it before training",
												   d->names[j], 100.0 * (d->n - k) / d->n));
		else if (k > 1 && in->var[j] == 0)
			in->recommendations = lappend(in->recommendations,
										  psprintf("%s has a single value (%s): drop it, it carries no information",
												   d->names[j], num(m)));
	}
}

/* ---------------------------------------------------------------- correlations */

static void
correlations(Insights *in)
{
	AnomalyData *d = in->d;
	double	   *x = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * Max(d->n, 1));
	double	   *y = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * Max(d->n, 1));
	char		err[256];

	for (int a = 0; a < d->ncols; a++)
		for (int b = a + 1; b < d->ncols; b++)
		{
			int64		k = 0;
			TsCorrelation c;
			Finding    *f;

			CHECK_FOR_INTERRUPTS();
			for (int64 i = 0; i < d->n; i++)
				if (isfinite(d->cols[a][i]) && isfinite(d->cols[b][i]))
				{
					x[k] = d->cols[a][i];
					y[k++] = d->cols[b][i];
				}
			if (k < 3 || !ts_pearson(x, y, k, &c, err) || !isfinite(c.r))
				continue;
			f = add_finding(in, "correlation", fabs(c.r));
			f->columns[0] = d->names[a];
			f->columns[1] = d->names[b];
			f->ncolumns = 2;
			f->description = psprintf("%s and %s %s (r = %.2f)", d->names[a], d->names[b],
									  fabs(c.r) < 0.1 ? "are unrelated" :
									  c.r > 0 ? "rise together" : "move in opposite directions", c.r);
			f->evidence = psprintf("{\"r\": %s, \"p_value\": %s, \"n\": %lld}",
								   jnum(c.r), jnum(c.p_value), (long long) k);
			if (fabs(c.r) >= 0.95)
				in->recommendations = lappend(in->recommendations,
											  psprintf("%s and %s are almost the same (r = %.2f): keep one of them before training a linear model",
													   d->names[a], d->names[b], c.r));
		}
	pfree(x);
	pfree(y);
}

/* ---------------------------------------------------------------- segments */

/*
 * Each measure (or the target alone) across one categorical column:
 * eta squared from the groups' counts and means.
 */
static void
segments(Insights *in, const char *cat)
{
	AnomalyData *d = in->d;
	StringInfoData sql;
	int			ret;
	int			first = 0,
				last = d->ncols;

	if (in->target)
	{
		for (int j = 0; j < d->ncols; j++)
			if (strcmp(d->names[j], in->target) == 0)
				first = j, last = j + 1;
	}
	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT %s::pg_catalog.text", quote_identifier(cat));
	for (int j = first; j < last; j++)
		appendStringInfo(&sql, ", count(%s), avg(%s::pg_catalog.float8)",
						 quote_identifier(d->names[j]), quote_identifier(d->names[j]));
	appendStringInfo(&sql, " FROM %s GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT %d",
					 in->relname, INSIGHT_MAX_SEGMENTS + 1);
	ret = SPI_execute(sql.data, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not group %s by %s: %s", in->relname, cat, SPI_result_code_string(ret));
	if (SPI_processed < 2 || SPI_processed > INSIGHT_MAX_SEGMENTS)
		return;					/* one group, or too many to be segments */
	for (int j = first; j < last; j++)
	{
		double		ss_between = 0,
					ss_total;
		int			best = -1,
					worst = -1;
		double		eta;
		Finding    *f;
		StringInfoData ev;
		int			col = 2 + 2 * (j - first);

		if (!(in->var[j] > 0) || in->count[j] < 3)
			continue;
		ss_total = in->var[j] * (in->count[j] - 1);
		initStringInfo(&ev);
		appendStringInfoString(&ev, "{\"segments\": [");
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			bool		isnull,
						mnull;
			int64		cnt = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, col, &isnull));
			double		m = DatumGetFloat8(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, col + 1, &mnull));
			char	   *label = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1);

			if (mnull || cnt == 0)
				continue;
			ss_between += cnt * (m - in->mean[j]) * (m - in->mean[j]);
			if (best < 0 || m > DatumGetFloat8(SPI_getbinval(SPI_tuptable->vals[best], SPI_tuptable->tupdesc, col + 1, &isnull)))
				best = (int) r;
			if (worst < 0 || m < DatumGetFloat8(SPI_getbinval(SPI_tuptable->vals[worst], SPI_tuptable->tupdesc, col + 1, &isnull)))
				worst = (int) r;
			if (r < 5)
			{
				StringInfoData lab;

				initStringInfo(&lab);
				escape_json(&lab, label ? label : "(null)");
				appendStringInfo(&ev, "%s{\"value\": %s, \"count\": %lld, \"mean\": %s}",
								 r > 0 ? ", " : "", lab.data, (long long) cnt, jnum(m));
			}
		}
		if (best < 0 || best == worst)
			continue;
		eta = Min(1.0, ss_between / ss_total);
		appendStringInfo(&ev, "], \"eta_squared\": %s}", jnum(eta));
		{
			bool		isnull;
			char	   *hi = SPI_getvalue(SPI_tuptable->vals[best], SPI_tuptable->tupdesc, 1);
			char	   *lo = SPI_getvalue(SPI_tuptable->vals[worst], SPI_tuptable->tupdesc, 1);
			double		mhi = DatumGetFloat8(SPI_getbinval(SPI_tuptable->vals[best], SPI_tuptable->tupdesc, col + 1, &isnull));
			double		mlo = DatumGetFloat8(SPI_getbinval(SPI_tuptable->vals[worst], SPI_tuptable->tupdesc, col + 1, &isnull));

			f = add_finding(in, in->target ? "driver" : "segment", eta);
			f->description = in->target ?
				psprintf("%s drives %s: it explains %.0f%% of its variance (%s = '%s' averages %s, %s = '%s' %s)",
						 cat, d->names[j], 100 * eta, cat, hi ? hi : "(null)", num(mhi), cat, lo ? lo : "(null)", num(mlo)) :
				psprintf("%s differs by %s: %s = '%s' averages %s, %s = '%s' %s (eta squared %.2f)",
						 d->names[j], cat, cat, hi ? hi : "(null)", num(mhi), cat, lo ? lo : "(null)", num(mlo), eta);
		}
		f->columns[0] = d->names[j];
		f->columns[1] = pstrdup(cat);
		f->ncolumns = 2;
		f->evidence = ev.data;
	}
}

/* ---------------------------------------------------------------- time */

static const struct
{
	double		seconds;
	const char *name;
}			widths[] = {
	{3600, "hour"}, {86400, "day"}, {604800, "week"}, {2629746, "month"},
	{7889238, "quarter"}, {31556952, "year"}
};

static void
time_findings(Insights *in)
{
	AnomalyData *d = in->d;
	double		tmin = INFINITY,
				tmax = -INFINITY,
				width = 0;
	const char *unit = NULL;
	int			nb;
	int64	   *cnt;
	double	   *sum,
			   *x,
			   *y;
	char		err[256];
	double		best_shift = 0;

	for (int64 i = 0; i < d->n; i++)
		if (isfinite(d->time[i]))
		{
			tmin = Min(tmin, d->time[i]);
			tmax = Max(tmax, d->time[i]);
		}
	if (!(tmax > tmin))
		return;
	for (int w = 0; w < lengthof(widths); w++)
		if ((tmax - tmin) / widths[w].seconds <= INSIGHT_MAX_BUCKETS)
		{
			width = widths[w].seconds;
			unit = widths[w].name;
			break;
		}
	if (unit == NULL)
	{
		width = (tmax - tmin) / INSIGHT_MAX_BUCKETS;
		unit = "period";
	}
	nb = (int) floor((tmax - tmin) / width) + 1;
	if (nb < 4)
		return;
	cnt = palloc0(sizeof(int64) * nb * (d->ncols + 1));
	sum = palloc0(sizeof(double) * nb * (d->ncols + 1));
	x = palloc(sizeof(double) * nb);
	y = palloc(sizeof(double) * nb);
	for (int64 i = 0; i < d->n; i++)
	{
		int			b;

		if (!isfinite(d->time[i]))
			continue;
		b = (int) floor((d->time[i] - tmin) / width);
		b = Min(b, nb - 1);
		cnt[b * (d->ncols + 1) + d->ncols]++;	/* rows */
		for (int j = 0; j < d->ncols; j++)
			if (isfinite(d->cols[j][i]))
			{
				cnt[b * (d->ncols + 1) + j]++;
				sum[b * (d->ncols + 1) + j] += d->cols[j][i];
			}
	}

	/* trends: the mean per bucket of each measure, and the rows per bucket */
	for (int j = 0; j <= d->ncols; j++)
	{
		int			k = 0;
		TsTheilSen ts;
		TsMannKendall mk;
		Finding    *f;
		const char *name = j < d->ncols ? d->names[j] : "rows";

		for (int b = 0; b < nb; b++)
		{
			int64		c = cnt[b * (d->ncols + 1) + j];

			if (j == d->ncols)
			{
				x[k] = b;
				y[k++] = (double) c;
			}
			else if (c > 0)
			{
				x[k] = b;
				y[k++] = sum[b * (d->ncols + 1) + j] / c;
			}
		}
		if (k < 4 || !ts_theil_sen(x, y, k, 0.95, &ts, err) || !ts_mann_kendall(y, k, &mk, err))
			continue;
		f = add_finding(in, "trend", mk.p_value < 0.05 ? fabs(mk.tau) : fabs(mk.tau) / 2);
		f->columns[0] = (char *) name;
		f->columns[1] = d->time_name;
		f->ncolumns = 2;
		if (mk.p_value < 0.05 && ts.slope != 0)
			f->description = psprintf("%s %s %s by %s per %s (Theil-Sen; Mann-Kendall p = %.2g)",
									  j < d->ncols ? "the average" : "the number of", name,
									  ts.slope > 0 ? "rises" : "falls", num(fabs(ts.slope)), unit, mk.p_value);
		else
			f->description = psprintf("%s %s shows no clear trend per %s (Mann-Kendall p = %.2g)",
									  j < d->ncols ? "the average" : "the number of", name, unit, mk.p_value);
		f->evidence = psprintf("{\"slope_per_%s\": %s, \"tau\": %s, \"p_value\": %s, \"buckets\": %d}",
							   unit, jnum(ts.slope), jnum(mk.tau), jnum(mk.p_value), k);
	}

	/*
	 * shifts: the total of each measure in the last eighth of the time span
	 * (at least one bucket) against the equally long period before it
	 */
	{
		int			len = Max(1, nb / 8);
		int			mid = nb - len,
					from = nb - 2 * len;

		for (int j = 0; j < d->ncols && from >= 0; j++)
		{
			double		before = 0,
						after = 0,
						pct;
			Finding    *f;

			for (int b = from; b < mid; b++)
				before += sum[b * (d->ncols + 1) + j];
			for (int b = mid; b < nb; b++)
				after += sum[b * (d->ncols + 1) + j];
			if (before == 0)
				continue;
			pct = (after - before) / fabs(before);
			f = add_finding(in, "shift", Min(1.0, fabs(pct)));
			f->columns[0] = d->names[j];
			f->columns[1] = d->time_name;
			f->ncolumns = 2;
			f->description = psprintf("total %s %s %.0f%% in the last %d %s%s (%s against %s in the %d before)",
									  d->names[j], pct >= 0 ? "rose" : "fell", 100 * fabs(pct), len, unit,
									  len > 1 ? "s" : "", num(after), num(before), len);
			f->evidence = psprintf("{\"last\": %s, \"previous\": %s, \"change\": %s, \"%ss\": %d}",
								   jnum(after), jnum(before), jnum(pct), unit, len);
			if (fabs(pct) > best_shift)
			{
				best_shift = fabs(pct);
				in->shift_col = j;
				in->shift_pct = pct;
				in->shift_from = tmin + from * width;
				in->shift_mid = tmin + mid * width;
				in->shift_to = tmax;
				in->shift_text = psprintf("%s %s %.0f%% in the last %d %s%s", d->names[j],
										  pct >= 0 ? "rose" : "fell", 100 * fabs(pct), len, unit, len > 1 ? "s" : "");
			}
		}
	}
}

/* The categorical segment that moved most in the largest shift. */
static char *
shift_driver(Insights *in)
{
	AnomalyData *d = in->d;
	char	   *best = NULL;
	double		best_delta = 0;
	ListCell   *lc;

	foreach(lc, in->categorical)
	{
		const char *cat = lfirst(lc);
		char	   *sql;
		int			ret;

		/* (the time inline, not as an alias a column of the table could shadow) */
		char	   *t = psprintf("pg_catalog.date_part('epoch', %s::pg_catalog.timestamptz)",
								 quote_identifier(d->time_name));

		sql = psprintf("SELECT %s::pg_catalog.text,"
					   " coalesce(sum(%s::pg_catalog.float8) FILTER (WHERE %s >= %.17g), 0)"
					   " - coalesce(sum(%s::pg_catalog.float8) FILTER (WHERE %s < %.17g), 0)"
					   " FROM %s WHERE %s >= %.17g GROUP BY 1",
					   quote_identifier(cat), quote_identifier(d->names[in->shift_col]), t, in->shift_mid,
					   quote_identifier(d->names[in->shift_col]), t, in->shift_mid,
					   in->relname, t, in->shift_from);
		ret = SPI_execute(sql, true, 0);
		if (ret != SPI_OK_SELECT)
			continue;
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			bool		isnull;
			double		delta = DatumGetFloat8(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2, &isnull));
			char	   *label = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1);

			/* the segment that moved most in the direction of the total */
			if (!isnull && (in->shift_pct >= 0 ? delta : -delta) > best_delta)
			{
				best_delta = in->shift_pct >= 0 ? delta : -delta;
				best = psprintf("%s = '%s'", cat, label ? label : "(null)");
			}
		}
	}
	return best;
}

/* ---------------------------------------------------------------- output */

static int
cmp_finding(const void *a, const void *b)
{
	const Finding *x = a,
			   *y = b;
	int			c;

	if (x->strength != y->strength)
		return x->strength > y->strength ? -1 : 1;
	if ((c = strcmp(x->kind, y->kind)) != 0)
		return c;
	for (int i = 0; i < Min(x->ncolumns, y->ncolumns); i++)
		if ((c = strcmp(x->columns[i], y->columns[i])) != 0)
			return c;
	return 0;
}

static void
write_anomalies(JsonWriter *w, Insights *in, FoundList *fl)
{
	int64		k = Min(fl->n, in->max_anomalies);
	int64	   *rows = palloc(sizeof(int64) * Max(k, 1));
	char	  **keys;

	for (int64 i = 0; i < k; i++)
		rows[i] = fl->items[i].row;
	keys = anomaly_data_keys(in->d, rows, (int) k);
	jw_begin_array(w);
	for (int64 i = 0; i < k; i++)
	{
		const AnomalyFound *a = &fl->items[i];

		jw_begin_object(w);
		jw_key(w, "row_key");
		jw_raw(w, keys[i]);
		jw_key(w, "column_name");
		jw_string(w, in->d->names[a->col]);
		jw_key(w, "value");
		jw_double(w, a->value);
		jw_key(w, "expected_low");
		jw_double(w, a->low);
		jw_key(w, "expected_high");
		jw_double(w, a->high);
		jw_key(w, "score");
		jw_double(w, a->score);
		jw_key(w, "severity");
		jw_string(w, a->severity);
		jw_key(w, "explanation");
		jw_string(w, a->explanation);
		jw_end_object(w);
	}
	jw_end_array(w);
}

static void
insights_option(const char *key, JsonbValue *v, void *arg)
{
	Insights   *in = arg;

	if (strcmp(key, "time_column") == 0)
		in->time_column = jsonb_option_string(INSIGHT_OPTION, key, v);
	else if (strcmp(key, "target") == 0)
		in->target = jsonb_option_string(INSIGHT_OPTION, key, v);
	else if (strcmp(key, "max_anomalies") == 0)
		in->max_anomalies = (int) jsonb_option_number(INSIGHT_OPTION, key, v, 0, 1000, true, false);
	else
		jsonb_option_unknown(INSIGHT_OPTION, key, INSIGHT_KEYS);
}

/* automl.insights(relation regclass, options jsonb) RETURNS jsonb */
Datum
automl_insights(PG_FUNCTION_ARGS)
{
	Insights	in;
	Relation	rel;
	char	   *time_column = NULL;
	FoundList	found = {0};
	StringInfoData buf;
	JsonWriter	w;
	int			nnumeric;
	bool		target_found = false;
	MemoryContext outer = CurrentMemoryContext;
	Datum		result;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("relation must not be NULL")));
	memset(&in, 0, sizeof(in));
	in.max_anomalies = 5;
	in.shift_col = -1;
	jsonb_options_each(PG_ARGISNULL(1) ? NULL : PG_GETARG_JSONB_P(1), INSIGHT_OPTION, INSIGHT_KEYS,
					   insights_option, &in);
	time_column = in.time_column;

	rel = relation_open_checked(PG_GETARG_OID(0), AccessShareLock);
	in.relname = relation_quoted_name(rel);
	in.ncolumns_total = 0;
	for (int i = 0; i < RelationGetDescr(rel)->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), i);

		if (att->attisdropped)
			continue;
		in.ncolumns_total++;
		if (is_categorical(att->atttypid) && list_length(in.categorical) < INSIGHT_MAX_CATEGORICAL)
			in.categorical = lappend(in.categorical, pstrdup(NameStr(att->attname)));
	}
	if (time_column == NULL)
		time_column = first_time_column(rel);
	relation_close(rel, AccessShareLock);

	in.d = anomaly_data_load(PG_GETARG_OID(0), NULL, time_column);
	nnumeric = in.d->ncols;
	if (in.target)
	{
		for (int j = 0; j < in.d->ncols; j++)
			target_found |= strcmp(in.d->names[j], in.target) == 0;
		if (!target_found)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("target \"%s\" is not a numeric column of relation %s", in.target, in.relname)));
	}
	column_stats(&in);

	/* anomalies: robust z-scores of every numeric column */
	{
		double	   *work = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * Max(in.d->n, 1));

		for (int j = 0; j < in.d->ncols; j++)
			detect_univariate(in.d, j, AM_ROBUST_ZSCORE, 3.5, work, &found);
		pfree(work);
		found_list_sort(&found);
	}

	correlations(&in);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/*
	 * Everything from here on is allocated in SPI's context (SPI switches
	 * back to it after each statement), so the result is built before
	 * SPI_finish and copied out.
	 */
	{
		ListCell   *lc;

		foreach(lc, in.categorical)
			segments(&in, lfirst(lc));
	}
	if (in.d->time != NULL)
		time_findings(&in);
	if (in.shift_col >= 0 && fabs(in.shift_pct) >= 0.1)
	{
		char	   *driver = shift_driver(&in);

		in.recommendations = lappend(in.recommendations,
									 driver ? psprintf("%s, driven by %s: look into it", in.shift_text, driver) :
									 psprintf("%s: look into it", in.shift_text));
	}
	if (found.n > 0)
		in.recommendations = lappend(in.recommendations,
									 psprintf("%lld values are extreme (more than 3.5 MADs from their column's median), the strongest in %s: check them before training or reporting",
											  (long long) found.n, in.d->names[found.items[0].col]));
	if (in.recommendations == NIL)
		in.recommendations = lappend(in.recommendations,
									 psprintf("No NULL-heavy, constant or duplicated column and no extreme value: %s is ready for automl.train",
											  in.relname));
	if (in.nf > 1)
		qsort(in.f, in.nf, sizeof(Finding), cmp_finding);

	initStringInfo(&buf);
	jw_init(&w, &buf);
	jw_begin_object(&w);
	jw_key(&w, "relation");
	jw_string(&w, in.relname);
	jw_key(&w, "rows");
	jw_int64(&w, in.d->n);
	jw_key(&w, "time_column");
	if (in.d->time_name)
		jw_string(&w, in.d->time_name);
	else
		jw_null(&w);
	jw_key(&w, "anomalies");
	write_anomalies(&w, &in, &found);
	jw_key(&w, "trends");
	jw_begin_array(&w);
	for (int i = 0; i < Min(in.nf, INSIGHT_MAX_FINDINGS); i++)
	{
		Finding    *f = &in.f[i];

		jw_begin_object(&w);
		jw_key(&w, "kind");
		jw_string(&w, f->kind);
		jw_key(&w, "columns");
		jw_begin_array(&w);
		for (int c = 0; c < f->ncolumns; c++)
			jw_string(&w, f->columns[c]);
		jw_end_array(&w);
		jw_key(&w, "description");
		jw_string(&w, f->description);
		jw_key(&w, "strength");
		jw_double(&w, f->strength);
		jw_key(&w, "evidence");
		jw_raw(&w, f->evidence ? f->evidence : "{}");
		jw_end_object(&w);
	}
	jw_end_array(&w);
	jw_key(&w, "recommendations");
	jw_begin_array(&w);
	{
		ListCell   *lc;

		foreach(lc, in.recommendations)
			jw_string(&w, lfirst(lc));
	}
	jw_end_array(&w);
	jw_key(&w, "summary");
	{
		StringInfoData s;

		initStringInfo(&s);
		appendStringInfo(&s, "%s has %s rows and %d columns (%d numeric, %d categorical%s).",
						 in.relname, num((double) in.d->n), in.ncolumns_total, nnumeric,
						 list_length(in.categorical), in.d->time_name ? ", one time column" : "");
		for (int i = 0; i < Min(in.nf, 3); i++)
			appendStringInfo(&s, " %c%s.", pg_toupper((unsigned char) in.f[i].description[0]),
							 in.f[i].description + 1);
		if (found.n > 0)
			appendStringInfo(&s, " %lld extreme values; the strongest: %s.", (long long) found.n,
							 found.items[0].explanation);
		else
			appendStringInfoString(&s, " No extreme values.");
		jw_string(&w, s.data);
	}
	jw_end_object(&w);
	MemoryContextSwitchTo(outer);
	result = DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data));
	SPI_finish();
	PG_RETURN_DATUM(result);
}

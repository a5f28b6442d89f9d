/*-------------------------------------------------------------------------
 *
 * detect.c
 *	  automl.detect_anomalies(relation, columns, method, options): the
 *	  anomalous values (univariate methods) or rows (multivariate ones) of
 *	  a relation, strongest first, each with its key, the usual range, a
 *	  score, a severity and a sentence.
 *
 * Methods (docs/anomalies.md):
 *	robust_zscore		|x - median| / MAD above options.threshold (3.5)
 *	iqr					outside Q1 - k IQR .. Q3 + k IQR, options.k (1.5; 3 for
 *						far-out values only)
 *	mahalanobis			robust (MCD) distance above options.threshold, by
 *						default the square root of the chi-square quantile
 *						0.975 with one degree of freedom per column
 *	isolation_forest	isolation score above options.threshold
 *	seasonal			robust z-score of the residual of a seasonal
 *						decomposition over options.time_column
 *	auto				seasonal with a time column, robust_zscore for one
 *						column, mahalanobis for 2 to 20, isolation_forest
 *						for more
 *
 * Constant and all-NULL columns have no anomalies (univariate methods skip
 * them); NULLs are never anomalies.  options.limit caps the rows returned
 * (default 1000, strongest first).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/tuplestore.h"

#include "anomaly/anomaly_data.h"
#include "anomaly/anomaly_text.h"
#include "anomaly/detect.h"
#include "anomaly/univariate.h"
#include "ml/train_options.h"
#include "monitor/stats.h"

PG_FUNCTION_INFO_V1(automl_detect_anomalies);

#define DEFAULT_LIMIT 1000

static int
cmp_found(const void *a, const void *b)
{
	const AnomalyFound *x = a,
			   *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	return x->col - y->col;
}

void
found_list_add(FoundList *fl, const AnomalyFound *f)
{
	if (fl->n == fl->cap)
	{
		fl->cap = Max(64, fl->cap * 2);
		fl->items = fl->items ? repalloc_huge(fl->items, sizeof(AnomalyFound) * fl->cap) :
			MemoryContextAllocHuge(CurrentMemoryContext, sizeof(AnomalyFound) * fl->cap);
	}
	fl->items[fl->n++] = *f;
}

void
found_list_sort(FoundList *fl)
{
	if (fl->n > 1)
		qsort(fl->items, fl->n, sizeof(AnomalyFound), cmp_found);
}

/*
 * The univariate methods over column j: robust z-scores against threshold
 * (robust_zscore), or distances beyond Tukey's fences in IQRs (iqr, k).
 */
void
detect_univariate(const AnomalyData *d, int j, AnomalyMethod method, double threshold,
				  double *work, FoundList *out)
{
	const double *x = d->cols[j];
	ColumnSpread cs;
	char		v[64],
				med[64],
				lo_s[64],
				hi_s[64],
				sc[64];

	column_spread(x, d->n, work, &cs);
	if (cs.n == 0 || !(cs.scale > 0))
		return;					/* all NULL, or constant */

	for (int64 i = 0; i < d->n; i++)
	{
		AnomalyFound f;
		double		z;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (!isfinite(x[i]))
			continue;
		memset(&f, 0, sizeof(f));
		f.row = i;
		f.col = j;
		f.value = x[i];
		if (method == AM_IQR)
		{
			double		iqr = cs.q3 - cs.q1;
			double		lo = cs.q1 - threshold * iqr,
						hi = cs.q3 + threshold * iqr;

			if (!(iqr > 0) || (x[i] >= lo && x[i] <= hi))
				continue;
			f.low = lo;
			f.high = hi;
			f.score = (x[i] > hi ? x[i] - hi : lo - x[i]) / iqr;
			anomaly_fmt_number(v, sizeof(v), x[i]);
			anomaly_fmt_number(lo_s, sizeof(lo_s), x[i] > hi ? hi : lo);
			anomaly_fmt_number(sc, sizeof(sc), f.score);
			anomaly_fmt_number(med, sizeof(med), iqr);
			f.explanation = psprintf("%s = %s is %s IQRs %s the %s fence %s (IQR %s, k = %g)",
									 d->names[j], v, sc, x[i] > hi ? "above" : "below",
									 x[i] > hi ? "upper" : "lower", lo_s, med, threshold);
		}
		else
		{
			z = (x[i] - cs.median) / cs.scale;
			if (!(fabs(z) > threshold))
				continue;
			f.low = Max(cs.median - threshold * cs.scale, cs.min);
			f.high = Min(cs.median + threshold * cs.scale, cs.max);
			f.score = fabs(z);
			anomaly_fmt_number(v, sizeof(v), x[i]);
			anomaly_fmt_number(sc, sizeof(sc), fabs(z));
			anomaly_fmt_number(med, sizeof(med), cs.median);
			anomaly_fmt_number(lo_s, sizeof(lo_s), f.low);
			anomaly_fmt_number(hi_s, sizeof(hi_s), f.high);
			f.explanation = psprintf("%s = %s is %s %s %s the median %s (expected %s to %s)",
									 d->names[j], v, sc, cs.mad > 0 ? "MADs" : "mean absolute deviations",
									 z > 0 ? "above" : "below", med, lo_s, hi_s);
		}
		f.severity = anomaly_severity(method, f.score, threshold);
		found_list_add(out, &f);
	}
}

static AnomalyMethod
parse_method(const char *name, bool *is_auto)
{
	static const char *const names[] = {"robust_zscore", "iqr", "mahalanobis",
	"isolation_forest", "seasonal"};

	*is_auto = strcmp(name, "auto") == 0;
	if (*is_auto)
		return AM_ROBUST_ZSCORE;
	for (int i = 0; i < lengthof(names); i++)
		if (strcmp(name, names[i]) == 0)
			return (AnomalyMethod) i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown anomaly detection method \"%s\"", name),
			 errhint("Methods: auto, robust_zscore, iqr, mahalanobis, isolation_forest, seasonal.")));
	return AM_ROBUST_ZSCORE;	/* keep compiler quiet */
}

/* Emit the found anomalies, strongest first, with their rows' keys. */
static void
emit(FunctionCallInfo fcinfo, AnomalyData *d, FoundList *fl, int64 limit)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int64		k = Min(fl->n, limit);
	int64	   *rows = palloc(sizeof(int64) * Max(k, 1));
	char	  **keys;

	found_list_sort(fl);
	for (int64 i = 0; i < k; i++)
		rows[i] = fl->items[i].row;
	keys = anomaly_data_keys(d, rows, (int) k);
	for (int64 i = 0; i < k; i++)
	{
		const AnomalyFound *f = &fl->items[i];
		Datum		values[8];
		bool		nulls[8] = {false};

		values[0] = DirectFunctionCall1(jsonb_in, CStringGetDatum(keys[i]));
		if (f->col >= 0)
		{
			values[1] = CStringGetTextDatum(d->names[f->col]);
			values[2] = Float8GetDatum(f->value);
			values[3] = Float8GetDatum(f->low);
			values[4] = Float8GetDatum(f->high);
			nulls[3] = !isfinite(f->low);
			nulls[4] = !isfinite(f->high);
		}
		else
			nulls[1] = nulls[2] = nulls[3] = nulls[4] = true;
		values[5] = Float8GetDatum(f->score);
		values[6] = CStringGetTextDatum(f->severity);
		values[7] = CStringGetTextDatum(f->explanation);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/*
 * automl.detect_anomalies(relation regclass, columns text[], method text,
 * options jsonb) RETURNS TABLE(row_key jsonb, column_name text, value
 * float8, expected_low float8, expected_high float8, score float8,
 * severity text, explanation text)
 */
Datum
automl_detect_anomalies(PG_FUNCTION_ARGS)
{
	Oid			relid;
	ArrayType  *columns = PG_ARGISNULL(1) ? NULL : PG_GETARG_ARRAYTYPE_P(1);
	const char *method_name = PG_ARGISNULL(2) ? "auto" : text_to_cstring(PG_GETARG_TEXT_PP(2));
	DetectOptions opt;
	AnomalyMethod method;
	bool		is_auto;
	AnomalyData *d;
	FoundList	found = {0};

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("relation must not be NULL")));
	relid = PG_GETARG_OID(0);
	method = parse_method(method_name, &is_auto);
	detect_options_parse(PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3), &opt);
	InitMaterializedSRF(fcinfo, 0);

	d = anomaly_data_load(relid, columns, opt.time_column);
	if (d->ncols == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("relation %s has no numeric column to check", d->relname),
				 errhint("Name the columns, or cast them to numbers in a view.")));
	if (is_auto)
		anomaly_data_drop_flat(d);
	if (d->ncols == 0)
		return (Datum) 0;		/* nothing varies: no anomalies */
	if (is_auto)
		method = opt.time_column ? AM_SEASONAL :
			d->ncols == 1 ? AM_ROBUST_ZSCORE :
			d->ncols <= 20 ? AM_MAHALANOBIS : AM_ISOLATION_FOREST;
	detect_run(d, method, &opt, &found);
	emit(fcinfo, d, &found, opt.limit);
	/* a materialized set: the hooks that count calls cannot see its rows */
	automl_stats_add_rows(tuplestore_tuple_count(((ReturnSetInfo *) fcinfo->resultinfo)->setResult));
	return (Datum) 0;
}

#define DETECT_OPTION "anomaly option"
#define DETECT_KEYS "threshold, k, contamination, time_column, season_length, limit, seed"

static void
detect_option(const char *key, JsonbValue *v, void *arg)
{
	DetectOptions *o = arg;

	if (strcmp(key, "threshold") == 0)
		o->threshold = jsonb_option_number(DETECT_OPTION, key, v, 0, 1e300, false, true);
	else if (strcmp(key, "k") == 0)
		o->k = jsonb_option_number(DETECT_OPTION, key, v, 0, 1e6, false, true);
	else if (strcmp(key, "contamination") == 0)
		o->contamination = jsonb_option_number(DETECT_OPTION, key, v, 0, 0.5, false, true);
	else if (strcmp(key, "time_column") == 0)
		o->time_column = jsonb_option_string(DETECT_OPTION, key, v);
	else if (strcmp(key, "season_length") == 0)
		o->season_length = (int) jsonb_option_number(DETECT_OPTION, key, v, 0, 100000, true, false);
	else if (strcmp(key, "limit") == 0)
		o->limit = (int64) jsonb_option_number(DETECT_OPTION, key, v, 0, 1e9, true, false);
	else if (strcmp(key, "seed") == 0)
		o->seed = (uint64) jsonb_option_number(DETECT_OPTION, key, v, 0, 9007199254740992.0, true, false);
	else
		jsonb_option_unknown(DETECT_OPTION, key, DETECT_KEYS);
}

void
detect_options_parse(Jsonb *options, DetectOptions *o)
{
	memset(o, 0, sizeof(*o));
	o->threshold = NAN;
	o->k = 1.5;
	o->contamination = NAN;
	o->limit = DEFAULT_LIMIT;
	o->seed = 42;
	jsonb_options_each(options, DETECT_OPTION, DETECT_KEYS, detect_option, o);
}

void
detect_run(const AnomalyData *d, AnomalyMethod method, const DetectOptions *o, FoundList *out)
{
	switch (method)
	{
		case AM_ROBUST_ZSCORE:
		case AM_IQR:
			{
				double	   *work = MemoryContextAllocHuge(CurrentMemoryContext,
														  sizeof(double) * Max(d->n, 1));
				double		threshold = method == AM_IQR ? o->k :
					isnan(o->threshold) ? 3.5 : o->threshold;

				for (int j = 0; j < d->ncols; j++)
					detect_univariate(d, j, method, threshold, work, out);
				pfree(work);
				break;
			}
		case AM_MAHALANOBIS:
			detect_mahalanobis(d, o, out);
			break;
		case AM_ISOLATION_FOREST:
			detect_isolation_forest(d, o, out);
			break;
		case AM_SEASONAL:
			detect_seasonal(d, o, out);
			break;
	}
}

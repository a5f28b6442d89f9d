/*-------------------------------------------------------------------------
 *
 * profile_json.c
 *	  Turn a finished profile state into the profile JSON.
 *
 * The JSON keys are a public contract (docs/profiling.md).  Statistics
 * that are undefined for the data at hand (the mean of an all-NULL column,
 * the stddev of one value, anything on an empty table) are JSON null, and
 * doubles go through jw_double, which never writes NaN or Infinity.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/date.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "profile/profile_summary.h"

const double profile_quantile_levels[PROFILE_NQUANTILES] =
{0.01, 0.05, 0.25, 0.50, 0.75, 0.95, 0.99};
const char *const profile_quantile_names[PROFILE_NQUANTILES] =
{"p01", "p05", "p25", "p50", "p75", "p95", "p99"};

/*
 * Values beyond the Tukey fences (k = 1.5).  Counted exactly from the kept
 * extremes while fewer than EXTREMES_K lie beyond a fence; past that many
 * the quantile sketch's estimate is as good as a count needs to be.
 */
static void
summarize_outliers(ColumnSummary *s)
{
	ColumnState *col = s->col;
	double		q1 = s->quantiles[2];
	double		q3 = s->quantiles[4];
	double		iqr = q3 - q1;
	double		n = (double) kll_count(col->kll);
	bool		low_exact;
	bool		high_exact;
	double		below;
	double		above;

	s->outliers_exact = true;
	if (!(iqr > 0.0))
		return;
	s->lower_fence = q1 - 1.5 * iqr;
	s->upper_fence = q3 + 1.5 * iqr;
	below = extremes_count_below(&col->extremes, s->lower_fence, &low_exact);
	above = extremes_count_above(&col->extremes, s->upper_fence, &high_exact);
	if (!low_exact)
		below = Max(below, kll_rank(col->kll, s->lower_fence, false));
	if (!high_exact)
		above = Max(above, n - kll_rank(col->kll, s->upper_fence, true));
	s->outliers = (int64) rint(below + above);
	s->outliers_exact = low_exact && high_exact;
	s->far_outliers = col->min < q1 - 3.0 * iqr || col->max > q3 + 3.0 * iqr;
}

/* Distinct count and most frequent value count of one column. */
static void
summarize_frequencies(ColumnSummary *s)
{
	ColumnState *col = s->col;
	FreqItem	top;

	if (col->type.kind == CK_BOOL)
	{
		s->distinct = (col->true_count > 0) + (col->false_count > 0);
		s->distinct_exact = true;
		s->mode_count = Max(col->true_count, col->false_count);
		return;
	}
	s->distinct = rint(freq_distinct(col->freq));
	s->distinct_exact = freq_is_exact(col->freq);
	s->mode_count = freq_top(col->freq, &top, 1) == 1 ? top.count : 0;
	/* an estimate can't exceed what was counted */
	if (s->distinct > col->nonnull_count)
		s->distinct = col->nonnull_count;
	if (s->distinct < 1 && col->nonnull_count > 0)
		s->distinct = 1;
}

/* Compute the final statistics of every column. */
void
profile_summarize(ProfileState *st, ColumnSummary *out)
{
	int			i;
	int			q;

	profile_state_flush(st);
	for (i = 0; i < st->ncolumns; i++)
	{
		ColumnSummary *s = &out[i];
		ColumnState *col = &st->columns[i];

		CHECK_FOR_INTERRUPTS();
		memset(s, 0, sizeof(*s));
		s->col = col;
		s->mean = col->moments.n > 0 ? col->moments.mean : NAN;
		s->stddev = sqrt(moments_variance(&col->moments));
		s->skewness = moments_skewness(&col->moments);
		summarize_frequencies(s);
		if (col->kll && kll_count(col->kll) > 0)
		{
			s->has_quantiles = true;
			for (q = 0; q < PROFILE_NQUANTILES; q++)
				s->quantiles[q] = kll_quantile(col->kll, profile_quantile_levels[q]);
			if (col->type.kind == CK_NUMERIC)
				summarize_outliers(s);
		}
	}
}

/* ---------- writing ---------- */

/* Convert a sketch-space value back to the column's raw temporal value. */
static int64
temporal_from_usecs(Oid typid, double usecs)
{
	if (typid == DATEOID)
		return (int64) floor(usecs / (double) USECS_PER_DAY);
	return (int64) rint(usecs);
}

/* A temporal datum for JsonEncodeDateTime from a raw int64. */
static void
write_temporal_raw(JsonWriter *w, Oid typid, int64 raw)
{
	char		buf[MAXDATELEN + 1];
	Datum		d = typid == DATEOID ? DateADTGetDatum((DateADT) raw) :
		TimestampGetDatum((Timestamp) raw);

	JsonEncodeDateTime(buf, d, typid, NULL);
	jw_string(w, buf);
}

/*
 * Histogram of the sketched values: equal-width bins between the smallest
 * and largest finite value, counts from the sketch's cumulative ranks.
 * Rounding cumulative ranks (not each bin) makes the counts add up to the
 * number of values exactly.
 */
static void
write_histogram(JsonWriter *w, ColumnSummary *s, int max_bins)
{
	KllSketch  *kll = s->col->kll;
	double		lo = kll_quantile(kll, 0.0);
	double		hi = kll_quantile(kll, 1.0);
	int64		n = kll_count(kll);
	int			bins = (int) Min((double) max_bins, Max(s->distinct, 1.0));
	int64		prev = 0;
	int			i;

	if (!(hi > lo))
		bins = 1;
	jw_key(w, "histogram");
	jw_begin_object(w);
	jw_key(w, "bounds");
	jw_begin_array(w);
	for (i = 0; i <= bins; i++)
	{
		double		b = i == bins ? hi : lo + (hi - lo) * i / bins;

		if (s->col->type.kind == CK_TEMPORAL)
			write_temporal_raw(w, s->col->type.typid,
							   temporal_from_usecs(s->col->type.typid, b));
		else
			jw_double(w, b);
	}
	jw_end_array(w);
	jw_key(w, "counts");
	jw_begin_array(w);
	for (i = 1; i <= bins; i++)
	{
		int64		cum = i == bins ? n :
			(int64) rint(kll_rank(kll, lo + (hi - lo) * i / bins, false));

		cum = Min(Max(cum, prev), n);
		jw_int64(w, cum - prev);
		prev = cum;
	}
	jw_end_array(w);
	jw_end_object(w);
}

/* min and max of a numeric column: exact integers, or finite doubles. */
static void
write_numeric_range(JsonWriter *w, ColumnState *col)
{
	bool		is_int = column_kind_is_integer(col->type.typid);

	jw_key(w, "min");
	if (is_int && col->nonnull_count > 0)
		jw_int64(w, col->imin);
	else if (col->has_range)
		jw_double(w, col->min);
	else
		jw_null(w);
	jw_key(w, "max");
	if (is_int && col->nonnull_count > 0)
		jw_int64(w, col->imax);
	else if (col->has_range)
		jw_double(w, col->max);
	else
		jw_null(w);
}

static void
write_numeric_column(JsonWriter *w, ColumnSummary *s, const ProfileOptions *o)
{
	ColumnState *col = s->col;
	int			q;

	write_numeric_range(w, col);
	jw_key(w, "mean");
	jw_double(w, s->mean);
	jw_key(w, "stddev");
	jw_double(w, s->stddev);
	jw_key(w, "zeros");
	jw_int64(w, col->zeros);
	jw_key(w, "negatives");
	jw_int64(w, col->negatives);
	jw_key(w, "nan_count");
	jw_int64(w, col->nan_count);
	jw_key(w, "inf_count");
	jw_int64(w, col->inf_count);
	jw_key(w, "skewness");
	jw_double(w, s->skewness);
	jw_key(w, "quantiles");
	if (!s->has_quantiles)
		jw_null(w);
	else
	{
		jw_begin_object(w);
		for (q = 0; q < PROFILE_NQUANTILES; q++)
		{
			jw_key(w, profile_quantile_names[q]);
			jw_double(w, s->quantiles[q]);
		}
		jw_end_object(w);
	}
	jw_key(w, "quantiles_exact");
	jw_bool(w, kll_is_exact(col->kll));
	if (s->has_quantiles)
		write_histogram(w, s, o->histogram_bins);
	else
	{
		jw_key(w, "histogram");
		jw_null(w);
	}
}

static void
write_text_column(JsonWriter *w, ColumnSummary *s, const ProfileOptions *o)
{
	ColumnState *col = s->col;
	bool		any = col->nonnull_count > 0;
	FreqItem	top[10];
	int			ntop;
	int			i;

	jw_key(w, "min_length");
	any ? jw_int64(w, col->min_length) : jw_null(w);
	jw_key(w, "max_length");
	any ? jw_int64(w, col->max_length) : jw_null(w);
	jw_key(w, "mean_length");
	any ? jw_double(w, col->sum_length / col->nonnull_count) : jw_null(w);
	jw_key(w, "empty_count");
	jw_int64(w, col->empty_count);
	ntop = freq_top(col->freq, top, Min(o->top_values, (int) lengthof(top)));
	jw_key(w, "top_values");
	jw_begin_array(w);
	for (i = 0; i < ntop; i++)
	{
		jw_begin_object(w);
		jw_key(w, "value");
		jw_string(w, top[i].label ? top[i].label : "");
		jw_key(w, "count");
		jw_int64(w, top[i].count);
		jw_end_object(w);
	}
	jw_end_array(w);
	jw_key(w, "top_values_exact");
	jw_bool(w, freq_is_exact(col->freq));
}

static void
write_temporal_column(JsonWriter *w, ColumnSummary *s, const ProfileOptions *o)
{
	ColumnState *col = s->col;

	jw_key(w, "min");
	col->nonnull_count > 0 ? write_temporal_raw(w, col->type.typid, col->imin) : jw_null(w);
	jw_key(w, "max");
	col->nonnull_count > 0 ? write_temporal_raw(w, col->type.typid, col->imax) : jw_null(w);
	jw_key(w, "inf_count");
	jw_int64(w, col->inf_count);
	if (s->has_quantiles)
		write_histogram(w, s, o->histogram_bins);
	else
	{
		jw_key(w, "histogram");
		jw_null(w);
	}
}

/* One element of "columns". */
static void
write_column(JsonWriter *w, ProfileState *st, ColumnSummary *s)
{
	ColumnState *col = s->col;

	jw_begin_object(w);
	jw_key(w, "name");
	jw_string(w, col->name);
	jw_key(w, "type");
	jw_string(w, format_type_with_typemod(col->type.typid, col->type.typmod));
	jw_key(w, "null_count");
	jw_int64(w, col->null_count);
	jw_key(w, "null_fraction");
	st->row_count > 0 ? jw_double(w, (double) col->null_count / st->row_count) : jw_null(w);
	jw_key(w, "distinct_count");
	jw_int64(w, (int64) s->distinct);
	jw_key(w, "distinct_exact");
	jw_bool(w, s->distinct_exact);
	switch (col->type.kind)
	{
		case CK_NUMERIC:
			write_numeric_column(w, s, &st->opts);
			break;
		case CK_TEXT:
			write_text_column(w, s, &st->opts);
			break;
		case CK_BOOL:
			jw_key(w, "true_count");
			jw_int64(w, col->true_count);
			jw_key(w, "false_count");
			jw_int64(w, col->false_count);
			break;
		case CK_TEMPORAL:
			write_temporal_column(w, s, &st->opts);
			break;
		default:
			break;
	}
	jw_end_object(w);
}

/* Strong correlations as a list, for readers who want the numbers. */
static void
write_correlations(JsonWriter *w, ProfileState *st)
{
	int		   *numcol = palloc(sizeof(int) * Max(st->nnumeric, 1));
	int			i;
	int			j;

	for (i = 0; i < st->ncolumns; i++)
		if (st->columns[i].num_index >= 0)
			numcol[st->columns[i].num_index] = i;
	jw_key(w, "correlations");
	jw_begin_array(w);
	for (i = 0; i < st->ncorr; i++)
		for (j = i + 1; j < st->ncorr; j++)
		{
			double		r = comoments_correlation(&st->pairs[comoments_pair_index(i, j, st->ncorr)]);

			if (!(fabs(r) > 0.5))
				continue;
			jw_begin_object(w);
			jw_key(w, "columns");
			jw_begin_array(w);
			jw_string(w, st->columns[numcol[i]].name);
			jw_string(w, st->columns[numcol[j]].name);
			jw_end_array(w);
			jw_key(w, "pearson_r");
			jw_double(w, r);
			jw_end_object(w);
		}
	jw_end_array(w);
	pfree(numcol);
}

/* The whole profile (without relation and profiled_at) as jsonb. */
Datum
profile_state_to_jsonb(ProfileState *st)
{
	ColumnSummary *sums = palloc0(sizeof(ColumnSummary) * Max(st->ncolumns, 1));
	StringInfoData buf;
	JsonWriter	w;
	double		score;
	int64		duplicates = -1;
	int			i;

	profile_summarize(st, sums);
	initStringInfo(&buf);
	jw_init(&w, &buf);
	jw_begin_object(&w);
	jw_key(&w, "row_count");
	jw_int64(&w, st->row_count);
	jw_key(&w, "column_count");
	jw_int64(&w, st->ncolumns);
	jw_key(&w, "duplicate_rows");
	if (st->rows)
	{
		duplicates = st->row_count - rowset_distinct(st->rows);
		jw_int64(&w, duplicates);
	}
	else
		jw_null(&w);
	jw_key(&w, "columns");
	jw_begin_array(&w);
	for (i = 0; i < st->ncolumns; i++)
		write_column(&w, st, &sums[i]);
	jw_end_array(&w);
	write_correlations(&w, st);
	jw_key(&w, "issues");
	profile_write_issues(&w, st, sums, &score);
	jw_key(&w, "quality_score");
	jw_double(&w, score);
	jw_end_object(&w);
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data));
}

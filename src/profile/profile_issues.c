/*-------------------------------------------------------------------------
 *
 * profile_issues.c
 *	  Data-quality issues found in a profile, and the quality score.
 *
 * Each rule looks at the finished column statistics and, when it fires,
 * writes {column, issue_type, severity, description} with the numbers in
 * the sentence.  The thresholds are documented in docs/profiling.md.
 *
 * Quality score (documented): every issue weighs by severity (high 0.5,
 * medium 0.25, low 0.1).  A column's penalty is the sum of its issues'
 * weights, capped at 1; the table's penalty is the sum of the table-level
 * issues' weights, capped at 1.  Then
 *
 *	quality_score = (1 - mean column penalty) * (1 - table penalty)
 *
 * which is 1 for a table without issues and 0 only when every column (or
 * the table as a whole) is beyond repair.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"

#include "profile/profile_summary.h"

typedef enum Severity
{
	SEV_LOW,
	SEV_MEDIUM,
	SEV_HIGH
} Severity;

static const char *const severity_names[] = {"low", "medium", "high"};
static const double severity_weights[] = {0.1, 0.25, 0.5};

/* Collected penalties while the issues are written. */
typedef struct IssueSink
{
	JsonWriter *w;
	double	   *column_penalty;
	double		table_penalty;
} IssueSink;

/* Write one issue; column < 0 means table-level. */
static void
emit_issue(IssueSink *sink, ProfileState *st, int column, const char *type,
		   Severity sev, const char *description, const char *related)
{
	JsonWriter *w = sink->w;

	jw_begin_object(w);
	jw_key(w, "column");
	jw_string(w, column >= 0 ? st->columns[column].name : NULL);
	jw_key(w, "issue_type");
	jw_string(w, type);
	jw_key(w, "severity");
	jw_string(w, severity_names[sev]);
	jw_key(w, "description");
	jw_string(w, description);
	if (related)
	{
		jw_key(w, "related_column");
		jw_string(w, related);
	}
	jw_end_object(w);
	if (column >= 0)
		sink->column_penalty[column] += severity_weights[sev];
	else
		sink->table_penalty += severity_weights[sev];
}

/* Percentage of part in whole, for sentences. */
static double
pct(double part, double whole)
{
	return whole > 0 ? 100.0 * part / whole : 0.0;
}

/* Missing values: high above 50% NULL, medium above 5%. */
static void
check_nulls(IssueSink *sink, ProfileState *st, int c)
{
	ColumnState *col = &st->columns[c];
	double		f = st->row_count > 0 ? (double) col->null_count / st->row_count : 0;

	if (f > 0.5)
		emit_issue(sink, st, c, "high_nulls", SEV_HIGH,
				   psprintf("%lld of %lld values (%.1f%%) are NULL",
							(long long) col->null_count, (long long) st->row_count,
							pct(col->null_count, st->row_count)), NULL);
	else if (f > 0.05)
		emit_issue(sink, st, c, "missing_values", SEV_MEDIUM,
				   psprintf("%lld of %lld values (%.1f%%) are NULL",
							(long long) col->null_count, (long long) st->row_count,
							pct(col->null_count, st->row_count)), NULL);
}

/* Cardinality: constant, unique (id-like), high-cardinality text, imbalance. */
static void
check_cardinality(IssueSink *sink, ProfileState *st, ColumnSummary *s, int c)
{
	ColumnState *col = s->col;
	int64		n = col->nonnull_count;
	const char *approx = s->distinct_exact ? "" : "about ";

	if (n == 0)
		return;
	if (s->distinct == 1)
	{
		emit_issue(sink, st, c, "constant", SEV_MEDIUM,
				   psprintf("all %lld non-null values are the same", (long long) n), NULL);
		return;
	}
	/*
	 * Only the types identifiers come in: distinct measurements, event
	 * times or documents are normal, not a sign of a key.
	 */
	if (n > 1 && (column_kind_is_integer(col->type.typid) || col->type.kind == CK_TEXT ||
				  col->type.typid == UUIDOID) &&
		(s->distinct_exact ? s->distinct == n :
		 s->distinct >= 0.98 * n && s->mode_count <= 1))
		emit_issue(sink, st, c, "unique", SEV_LOW,
				   s->distinct_exact ?
				   psprintf("all %lld non-null values are distinct: an identifier, not a feature",
							(long long) n) :
				   psprintf("about %.0f distinct values in %lld rows, none seen twice: an identifier, not a feature",
							s->distinct, (long long) n), NULL);
	else if (col->type.kind == CK_TEXT && s->distinct > 50 && s->distinct > 0.5 * n)
		emit_issue(sink, st, c, "high_cardinality", SEV_LOW,
				   psprintf("%s%.0f distinct values in %lld rows (%.1f%%)",
							approx, s->distinct, (long long) n, pct(s->distinct, n)), NULL);
	if (s->mode_count > 0.9 * n)
		emit_issue(sink, st, c, "imbalance", SEV_MEDIUM,
				   psprintf("one value accounts for %s%.1f%% of %lld non-null values",
							s->distinct_exact ? "" : "at least ",
							pct(s->mode_count, n), (long long) n), NULL);
}

/* Shape of numeric columns: skew, outliers, non-finite values. */
static void
check_distribution(IssueSink *sink, ProfileState *st, ColumnSummary *s, int c)
{
	ColumnState *col = s->col;
	int64		n = col->nonnull_count;
	double		frac = n > 0 ? (double) s->outliers / n : 0;

	if (isfinite(s->skewness) && fabs(s->skewness) > 2.0)
		emit_issue(sink, st, c, "skewed", fabs(s->skewness) > 10 ? SEV_MEDIUM : SEV_LOW,
				   psprintf("skewness is %.2f: the values are strongly %s-skewed",
							s->skewness, s->skewness > 0 ? "right" : "left"), NULL);
	if (s->outliers > 0 && (frac > 0.01 || s->far_outliers))
		emit_issue(sink, st, c, "outliers", frac > 0.05 ? SEV_MEDIUM : SEV_LOW,
				   psprintf("%s%lld of %lld values (%.2f%%) lie outside the Tukey fences [%g, %g]; min %g, max %g",
							s->outliers_exact ? "" : "about ",
							(long long) s->outliers, (long long) n,
							100.0 * frac, s->lower_fence, s->upper_fence,
							col->min, col->max), NULL);
	if (col->inf_count > 0)
		emit_issue(sink, st, c, "infinite_values", SEV_MEDIUM,
				   psprintf("%lld of %lld values are infinite",
							(long long) col->inf_count, (long long) n), NULL);
	if (col->nan_count > 0)
		emit_issue(sink, st, c, "nan_values", SEV_MEDIUM,
				   psprintf("%lld of %lld values are NaN",
							(long long) col->nan_count, (long long) n), NULL);
}

/* |Pearson r| > 0.95 between two numeric columns. */
static void
check_correlations(IssueSink *sink, ProfileState *st)
{
	int		   *numcol = palloc(sizeof(int) * Max(st->nnumeric, 1));
	int			i;
	int			j;

	for (i = 0; i < st->ncolumns; i++)
		if (st->columns[i].num_index >= 0)
			numcol[st->columns[i].num_index] = i;
	for (i = 0; i < st->ncorr; i++)
		for (j = i + 1; j < st->ncorr; j++)
		{
			CoMoments  *cm = &st->pairs[comoments_pair_index(i, j, st->ncorr)];
			double		r = comoments_correlation(cm);

			if (!(fabs(r) > 0.95))
				continue;
			emit_issue(sink, st, numcol[i], "high_correlation", SEV_LOW,
					   psprintf("\"%s\" and \"%s\" have Pearson correlation %.4f over %lld rows",
								st->columns[numcol[i]].name, st->columns[numcol[j]].name,
								r, (long long) cm->n),
					   st->columns[numcol[j]].name);
		}
	pfree(numcol);
}

/* Table-level: empty table and duplicate rows. */
static void
check_table(IssueSink *sink, ProfileState *st)
{
	int64		dups;
	double		f;

	if (st->row_count == 0)
	{
		emit_issue(sink, st, -1, "empty_table", SEV_HIGH, "the relation has no rows", NULL);
		return;
	}
	if (!st->rows)
		return;
	dups = st->row_count - rowset_distinct(st->rows);
	if (dups <= 0)
		return;
	f = (double) dups / st->row_count;
	emit_issue(sink, st, -1, "duplicates", f > 0.1 ? SEV_HIGH : f > 0.01 ? SEV_MEDIUM : SEV_LOW,
			   psprintf("%lld of %lld rows (%.2f%%) repeat an earlier row exactly",
						(long long) dups, (long long) st->row_count, 100.0 * f), NULL);
}

/* Write the "issues" array and compute the quality score. */
void
profile_write_issues(JsonWriter *w, ProfileState *st, ColumnSummary *sums,
					 double *quality_score)
{
	IssueSink	sink;
	double		mean_penalty = 0.0;
	int			c;

	sink.w = w;
	sink.column_penalty = palloc0(sizeof(double) * Max(st->ncolumns, 1));
	sink.table_penalty = 0.0;
	jw_begin_array(w);
	check_table(&sink, st);
	for (c = 0; c < st->ncolumns; c++)
	{
		check_nulls(&sink, st, c);
		check_cardinality(&sink, st, &sums[c], c);
		if (st->columns[c].type.kind == CK_NUMERIC)
			check_distribution(&sink, st, &sums[c], c);
		else if (st->columns[c].inf_count > 0)
			emit_issue(&sink, st, c, "infinite_values", SEV_LOW,
					   psprintf("%lld of %lld values are infinite dates or timestamps",
								(long long) st->columns[c].inf_count,
								(long long) st->columns[c].nonnull_count), NULL);
	}
	check_correlations(&sink, st);
	jw_end_array(w);

	for (c = 0; c < st->ncolumns; c++)
		mean_penalty += Min(sink.column_penalty[c], 1.0);
	if (st->ncolumns > 0)
		mean_penalty /= st->ncolumns;
	*quality_score = (1.0 - mean_penalty) * (1.0 - Min(sink.table_penalty, 1.0));
	*quality_score = rint(*quality_score * 10000.0) / 10000.0;
}

/*-------------------------------------------------------------------------
 *
 * profile_summary.h
 *	  Final statistics of a profile state, shared by the JSON writer and
 *	  the issue detector.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PROFILE_SUMMARY_H
#define PROFILE_SUMMARY_H

#include "common/json_out.h"
#include "profile/profile_state.h"

#define PROFILE_NQUANTILES 7

extern const double profile_quantile_levels[PROFILE_NQUANTILES];
extern const char *const profile_quantile_names[PROFILE_NQUANTILES];

typedef struct ColumnSummary
{
	ColumnState *col;
	double		distinct;		/* distinct non-null values (maybe estimated) */
	bool		distinct_exact;
	int64		mode_count;		/* count of the most frequent value (>= when sketched) */
	double		mean;
	double		stddev;
	double		skewness;
	bool		has_quantiles;
	double		quantiles[PROFILE_NQUANTILES];
	int64		outliers;		/* values beyond the 1.5 IQR Tukey fences */
	bool		outliers_exact;
	bool		far_outliers;	/* min or max beyond the 3 IQR fences */
	double		lower_fence;
	double		upper_fence;
} ColumnSummary;

extern void profile_summarize(ProfileState *st, ColumnSummary *out);
extern void profile_write_issues(JsonWriter *w, ProfileState *st,
								 ColumnSummary *sums, double *quality_score);
extern Datum profile_state_to_jsonb(ProfileState *st);

#endif							/* PROFILE_SUMMARY_H */

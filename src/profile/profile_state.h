/*-------------------------------------------------------------------------
 *
 * profile_state.h
 *	  The transition state of automl.profile_agg: every column, one scan.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PROFILE_STATE_H
#define PROFILE_STATE_H

#include "access/htup.h"
#include "access/tupdesc.h"
#include "lib/stringinfo.h"

#include "profile/column_kind.h"
#include "profile/extremes.h"
#include "profile/freq.h"
#include "profile/kll.h"
#include "profile/moments.h"
#include "profile/rowset.h"

/* numeric values are buffered this many rows, then summarised at once */
#define PROFILE_BATCH_ROWS 256

/* options of one profile run (validated from the jsonb options) */
typedef struct ProfileOptions
{
	bool		exact;			/* exact distinct counts, no sketches */
	bool		duplicates;		/* count duplicate rows */
	bool		correlations;	/* pairwise Pearson r of numeric columns */
	int			max_correlation_columns;
	int			top_values;		/* 0..10 */
	int			histogram_bins; /* 1..20 */
} ProfileOptions;

/* Everything gathered about one column. */
typedef struct ColumnState
{
	char	   *name;
	ColumnType	type;
	int64		null_count;
	int64		nonnull_count;

	/* numeric and temporal */
	Moments		moments;		/* finite values only */
	bool		has_range;
	double		min;			/* finite min/max for floats */
	double		max;
	int64		imin;			/* exact min/max of integers and temporals */
	int64		imax;
	int64		zeros;
	int64		negatives;
	int64		nan_count;
	int64		inf_count;
	KllSketch  *kll;
	Extremes	extremes;		/* exact tails, for outlier counts */
	int			num_index;		/* slot in the numeric batch, or -1 */

	/* text */
	int64		min_length;
	int64		max_length;
	double		sum_length;
	int64		empty_count;

	/* boolean */
	int64		true_count;
	int64		false_count;

	FreqTable  *freq;			/* distinct values; NULL for booleans */
	uint64	   *hashes;			/* value hashes waiting for freq (not text) */
	int			nhashes;
} ColumnState;

typedef struct ProfileState
{
	MemoryContext mcxt;			/* where the state lives (aggcontext) */
	ProfileOptions opts;
	int			ncolumns;		/* live (not dropped) columns */
	ColumnState *columns;
	int64		row_count;
	RowSet	   *rows;			/* row fingerprints, when opts.duplicates */

	/* numeric columns: batch buffer and pairwise co-moments */
	int			nnumeric;
	int			ncorr;			/* first ncorr numeric columns correlate */
	double	   *batch;			/* nnumeric x PROFILE_BATCH_ROWS */
	bool	   *batch_nan;
	int			batch_rows;
	CoMoments  *pairs;			/* ncorr*(ncorr-1)/2, row-major upper */
	uint64	   *value_hashes;	/* ncolumns x PROFILE_BATCH_ROWS */
	uint64	   *row_hashes;		/* 2 x PROFILE_BATCH_ROWS row fingerprints */

	/* only in the backend that reads rows (not serialized) */
	MemoryContext row_mcxt;		/* the caller's per-row context, see add_row */
	TupleDesc	tupdesc;
	int		   *attnums;		/* column i is attribute attnums[i] */
	Datum	   *values;
	bool	   *nulls;
} ProfileState;

extern ProfileState *profile_state_create(MemoryContext mcxt, TupleDesc tupdesc,
										  const ProfileOptions *opts);
extern void profile_state_add_row(ProfileState *st, HeapTupleHeader row);
extern void profile_state_add_values(ProfileState *st);
extern void profile_state_flush(ProfileState *st);
extern void profile_state_combine(ProfileState *dst, ProfileState *src);
extern bytea *profile_state_serialize(ProfileState *st);
extern ProfileState *profile_state_deserialize(MemoryContext mcxt, bytea *data);
extern void profile_state_check_memory(ProfileState *st);


#endif							/* PROFILE_STATE_H */

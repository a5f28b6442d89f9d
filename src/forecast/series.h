/*-------------------------------------------------------------------------
 *
 * series.h
 *	  A relation's (time, value) rows as a regular series.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SERIES_H
#define SERIES_H

#include "postgres.h"

#include "datatype/timestamp.h"

typedef struct Series
{
	double	   *y;				/* one value per step; gaps interpolated */
	int			n;
	TimestampTz start;			/* time of y[0] */
	Interval	step;			/* months, days or microseconds */
	char	   *step_text;		/* "1 day", "1 mon", ... */
	int			gaps;			/* steps without a row, filled in */
	int64		rows;			/* rows read */
} Series;

/* Most steps a series may have (a finer options.frequency than the data) */
#define SERIES_MAX_STEPS 1000000

/*
 * Read relation's time_column and value_column into a regular series: the
 * step is options' frequency (an interval) or the data's own (the median
 * gap, recognised as whole months or years where it is one); rows that
 * share a step are summed or averaged (aggregate "sum" or "avg").
 */
extern Series *series_load(Oid relid, const char *time_column, const char *value_column,
						   const char *frequency, const char *aggregate);

/* The time of step k (may be past the end) */
extern TimestampTz series_time(const Series *s, int k);

#endif							/* SERIES_H */

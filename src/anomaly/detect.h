/*-------------------------------------------------------------------------
 *
 * detect.h
 *	  Anomaly detection over the columns of a relation (detect_anomalies,
 *	  insights).
 *
 *-------------------------------------------------------------------------
 */
#ifndef DETECT_H
#define DETECT_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "anomaly/anomaly_data.h"
#include "anomaly/anomaly_text.h"

/* One anomalous value (col >= 0) or row (col = -1). */
typedef struct AnomalyFound
{
	int64		row;
	int			col;
	double		value;
	double		low,
				high;			/* the usual range (univariate) */
	double		score;
	const char *severity;
	char	   *explanation;
} AnomalyFound;

typedef struct FoundList
{
	AnomalyFound *items;
	int64		n;
	int64		cap;
} FoundList;

typedef struct DetectOptions
{
	double		threshold;		/* NaN: the method's default */
	double		k;				/* iqr */
	double		contamination;	/* isolation_forest: NaN = threshold rule */
	char	   *time_column;
	int			season_length;	/* 0: detect */
	int64		limit;
	uint64		seed;
} DetectOptions;

extern void detect_options_parse(Jsonb *options, DetectOptions *o);
extern void detect_run(const AnomalyData *d, AnomalyMethod method, const DetectOptions *o,
					   FoundList *out);
extern void detect_univariate(const AnomalyData *d, int j, AnomalyMethod method,
							  double threshold, double *work, FoundList *out);
/* multivariate and seasonal methods (detect_multi.c, detect_seasonal.c) */
extern void detect_mahalanobis(const AnomalyData *d, const DetectOptions *o, FoundList *out);
extern void detect_isolation_forest(const AnomalyData *d, const DetectOptions *o, FoundList *out);
extern void detect_seasonal(const AnomalyData *d, const DetectOptions *o, FoundList *out);
extern double isoforest_default_threshold(const double *scores, int64 n);
extern void found_list_add(FoundList *fl, const AnomalyFound *f);
extern void found_list_sort(FoundList *fl);

#endif							/* DETECT_H */

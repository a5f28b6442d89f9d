/*-------------------------------------------------------------------------
 *
 * search.h
 *	  The AutoML search of automl.train(..., algorithm => 'auto').
 *
 *-------------------------------------------------------------------------
 */
#ifndef SEARCH_H
#define SEARCH_H

#include "postgres.h"

#include "datatype/timestamp.h"

#include "ml/dataset.h"
#include "ml/ml.h"

/* Most trials one search runs, whatever its budget. */
#define SEARCH_MAX_TRIALS	200

typedef struct SearchTrial
{
	int			trial;			/* 1, 2, ... in the order run */
	const MlAlgorithm *alg;
	MlHyperparams hp;
	double		score;			/* mean validation metric; NaN if none */
	double		score_se;		/* its standard error over the folds */
	double		fit_seconds;	/* all its folds */
	const char *status;			/* ok, pruned, timeout, failed */
	int			folds;			/* folds evaluated */
} SearchTrial;

typedef struct SearchSpec
{
	Dataset    *ds;
	MlTask		task;
	int			nclasses;
	const int64 *train_idx;		/* the rows the search may use */
	int64		n_train;
	uint64		seed;
	const char *metric;			/* a metric name, already validated */
	TimestampTz start;
	TimestampTz deadline;		/* no trial runs past it */
} SearchSpec;

typedef struct SearchResult
{
	SearchTrial *trials;
	int			ntrials;
	int			best;			/* index of the winner, -1 if none */
	int			top;			/* index of the best score, -1 if none */
	bool		higher_better;
	int			folds;			/* k of k-fold; 1 for a holdout */
	double		seconds;
	const char *stopped;		/* converged, budget, trials */
	const char *selected_by;	/* how the winner was chosen among the trials */
} SearchResult;

/* The default metric of a task, and whether larger values are better. */
extern const char *search_default_metric(MlTask task);
extern bool search_metric_valid(const char *metric, MlTask task);
extern bool search_metric_higher_better(const char *metric);
/* The metric's value in the metrics of n rows (see train_metrics_json) */
extern double search_metric_value(const char *metric, MlTask task, int nclasses,
								  const double *y, const double *pred, int64 n);

extern void search_run(const SearchSpec *spec, SearchResult *res);

#endif							/* SEARCH_H */

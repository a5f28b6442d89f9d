/*-------------------------------------------------------------------------
 *
 * train.h
 *	  automl.train and what evaluation shares with it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TRAIN_H
#define TRAIN_H

#include "datatype/timestamp.h"

#include "common/json_out.h"
#include "ml/ml.h"

/* automl.max_training_time, in seconds */
extern int	automl_max_training_time_s;

extern void train_init_gucs(void);
extern char *train_hyperparams_json(const MlAlgorithm *alg, const MlHyperparams *hp);

/*
 * Progress of the running training in percent, for the background jobs:
 * the hook (if set) is called whenever it moves.
 */
extern double automl_train_progress;
extern void (*automl_train_progress_hook) (double percent);
extern void train_report_progress(double percent);

/* Search trials: a deadline past which ml_check_interrupts stops a fit. */
extern void train_set_trial_deadline(TimestampTz deadline);
extern bool train_trial_timed_out(void);

/*
 * Write the task's metrics keys of n rows (y: value or class index; pred:
 * value, or nclasses probabilities per row) and return in *score the one
 * deployment compares: r2 for regression, accuracy for classification.
 */
extern void train_metrics_json(JsonWriter *w, MlTask task, int nclasses,
							   const double *y, const double *pred, int64 n,
							   double *score);

/* diagnostics.c: the report's plots of the held-out rows, as JSON */
extern char *diagnostics_json(MlTask task, int nclasses, const double *y,
							  const double *pred, int64 n);

#endif							/* TRAIN_H */

/*-------------------------------------------------------------------------
 *
 * train.h
 *	  automl.train and what evaluation shares with it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TRAIN_H
#define TRAIN_H

#include "common/json_out.h"
#include "ml/ml.h"

/* automl.max_training_time, in seconds */
extern int	automl_max_training_time_s;

extern void train_init_gucs(void);

/*
 * Write the task's metrics keys of n rows (y: value or class index; pred:
 * value, or nclasses probabilities per row) and return in *score the one
 * deployment compares: r2 for regression, accuracy for classification.
 */
extern void train_metrics_json(JsonWriter *w, MlTask task, int nclasses,
							   const double *y, const double *pred, int64 n,
							   double *score);

#endif							/* TRAIN_H */

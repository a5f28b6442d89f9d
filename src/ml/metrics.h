/*-------------------------------------------------------------------------
 *
 * metrics.h
 *	  Evaluation metrics of a fitted model on held-out rows.
 *
 * The definitions are scikit-learn's (r2_score, mean_squared_error,
 * mean_absolute_error, accuracy_score, precision/recall/f1_score with
 * average='macro' and zero_division=0, log_loss, roc_auc_score), so that a
 * user comparing automl with a notebook sees the same numbers; see
 * metrics.c for the few edge cases where a value is undefined.  An
 * undefined metric is NaN, which the JSON writer (common/json_out.c) turns
 * into null.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ML_METRICS_H
#define ML_METRICS_H

#include "ml.h"

typedef struct MlRegressionMetrics
{
	double		r2;				/* coefficient of determination */
	double		rmse;			/* root mean squared error */
	double		mae;			/* mean absolute error */
} MlRegressionMetrics;

typedef struct MlClassificationMetrics
{
	double		accuracy;		/* fraction of rows whose argmax is right */
	double		precision;		/* macro average, zero_division = 0 */
	double		recall;			/* macro average, zero_division = 0 */
	double		f1;				/* macro average, zero_division = 0 */
	double		log_loss;		/* mean cross-entropy, clipped at 1e-15 */
	double		roc_auc;		/* binary; one-vs-rest macro for multiclass */
} MlClassificationMetrics;

/* Clipping of probabilities in log_loss, as in scikit-learn before 1.2 */
#define ML_LOG_LOSS_EPS 1e-15

/*
 * y: n true values; pred: n predicted values.  n = 0 gives NaN everywhere.
 */
extern void metrics_regression(const double *y, const double *pred, int64 n,
							   MlRegressionMetrics *out);

/*
 * y: n class indices 0..nclasses-1 (as doubles); proba: n * nclasses
 * probabilities, row-major (proba[i * nclasses + c]).  The predicted class
 * of a row is the argmax of its probabilities, the lowest index on ties.
 * n = 0 gives NaN everywhere.
 */
extern void metrics_classification(const double *y, const double *proba,
								   int64 n, int nclasses,
								   MlClassificationMetrics *out);

#endif							/* ML_METRICS_H */

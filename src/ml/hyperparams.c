/*-------------------------------------------------------------------------
 *
 * hyperparams.c
 *	  Hyperparameter defaults of every algorithm.
 *
 *-------------------------------------------------------------------------
 */
#include "ml.h"

/*
 * The defaults follow what users of scikit-learn, XGBoost and LightGBM
 * expect, so that a model trained without options behaves like theirs.
 */
void
ml_hyperparams_default(MlHyperparams *hp)
{
	memset(hp, 0, sizeof(*hp));
	hp->seed = 42;

	hp->alpha = 1.0;
	hp->l1_ratio = 0.5;
	hp->max_iter = 1000;
	hp->tol = 1e-6;
	hp->fit_intercept = true;

	hp->n_estimators = 100;
	hp->learning_rate = 0.1;
	hp->max_depth = 6;
	hp->num_leaves = 0;
	hp->min_samples_leaf = 1;
	hp->min_child_weight = 1.0;
	hp->l2 = 1.0;
	hp->min_split_gain = 0.0;
	hp->subsample = 1.0;
	hp->colsample = 1.0;
	hp->max_bins = 255;
	hp->early_stopping_rounds = 0;
	hp->validation_fraction = 0.1;
	hp->bootstrap = true;

	hp->var_smoothing = 1e-9;

	hp->k = 5;
	hp->distance_weighted = false;
}

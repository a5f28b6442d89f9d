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
	hp->standardize = true;
}

/*
 * The hyperparameters a user may set through options.hyperparams, with the
 * algorithms each applies to and its valid range.  A key that does not
 * apply to the chosen algorithm is an error, like an unknown one: a
 * setting that silently does nothing is worse than a refusal.
 */
#define TREES "decision_tree random_forest gradient_boosting"
#define PENALISED "ridge lasso elastic_net logistic_regression"
#define LINEAR "linear_regression " PENALISED

#define HP(key, type, lo, hi, field, algs) \
	{key, type, lo, hi, offsetof(MlHyperparams, field), algs}

static const MlHyperparamSpec hyperparam_specs[] = {
	HP("alpha", HP_DOUBLE, 0, 1e12, alpha, PENALISED),
	HP("l1_ratio", HP_DOUBLE, 0, 1, l1_ratio, "elastic_net"),
	HP("max_iter", HP_INT, 1, 1000000, max_iter, "lasso elastic_net logistic_regression"),
	HP("tol", HP_DOUBLE, 1e-15, 1, tol, "lasso elastic_net logistic_regression"),
	HP("fit_intercept", HP_BOOL, 0, 1, fit_intercept, LINEAR),
	HP("n_estimators", HP_INT, 1, 100000, n_estimators, "random_forest gradient_boosting"),
	HP("learning_rate", HP_DOUBLE, 1e-6, 1, learning_rate, "gradient_boosting"),
	HP("max_depth", HP_INT, 0, 64, max_depth, TREES),
	HP("num_leaves", HP_INT, 0, 1 << 16, num_leaves, TREES),
	HP("min_samples_leaf", HP_INT, 1, 1 << 30, min_samples_leaf, TREES),
	HP("min_child_weight", HP_DOUBLE, 0, 1e9, min_child_weight, "gradient_boosting"),
	HP("l2", HP_DOUBLE, 0, 1e9, l2, "gradient_boosting"),
	HP("min_split_gain", HP_DOUBLE, 0, 1e12, min_split_gain, TREES),
	HP("subsample", HP_DOUBLE, 1e-3, 1, subsample, "random_forest gradient_boosting"),
	HP("colsample", HP_DOUBLE, 1e-3, 1, colsample, "random_forest gradient_boosting"),
	HP("max_bins", HP_INT, 2, 255, max_bins, TREES),
	HP("early_stopping_rounds", HP_INT, 0, 100000, early_stopping_rounds, "gradient_boosting"),
	HP("validation_fraction", HP_DOUBLE, 0.01, 0.5, validation_fraction, "gradient_boosting"),
	HP("bootstrap", HP_BOOL, 0, 1, bootstrap, "random_forest"),
	HP("var_smoothing", HP_DOUBLE, 0, 1, var_smoothing, "naive_bayes"),
	HP("k", HP_INT, 1, 10000, k, "knn"),
	HP("distance_weighted", HP_BOOL, 0, 1, distance_weighted, "knn"),
	HP("standardize", HP_BOOL, 0, 1, standardize, "knn"),
};

#define N_SPECS (sizeof(hyperparam_specs) / sizeof(hyperparam_specs[0]))

int
ml_hyperparam_count(void)
{
	return (int) N_SPECS;
}

const MlHyperparamSpec *
ml_hyperparam_spec(int i)
{
	return &hyperparam_specs[i];
}

/* Whether the space-separated list names contains the word name. */
static bool
word_in(const char *names, const char *name)
{
	size_t		len = strlen(name);

	for (const char *p = names; (p = strstr(p, name)) != NULL; p += len)
		if ((p == names || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
			return true;
	return false;
}

bool
ml_hyperparam_applies(const MlHyperparamSpec *spec, const char *algorithm)
{
	return word_in(spec->algorithms, algorithm);
}

double
ml_hyperparam_get(const MlHyperparams *hp, const MlHyperparamSpec *spec)
{
	const char *field = (const char *) hp + spec->offset;

	switch (spec->type)
	{
		case HP_INT:
			return *(const int *) field;
		case HP_DOUBLE:
			return *(const double *) field;
		case HP_BOOL:
			return *(const bool *) field ? 1 : 0;
	}
	return 0;
}

const MlHyperparamSpec *
ml_hyperparam_lookup(const char *algorithm, const char *key)
{
	for (size_t i = 0; i < N_SPECS; i++)
		if (strcmp(hyperparam_specs[i].key, key) == 0 &&
			ml_hyperparam_applies(&hyperparam_specs[i], algorithm))
			return &hyperparam_specs[i];
	return NULL;
}

bool
ml_hyperparam_set(MlHyperparams *hp, const MlHyperparamSpec *spec, double v)
{
	char	   *field = (char *) hp + spec->offset;

	if (!(v >= spec->lo && v <= spec->hi))
		return false;
	switch (spec->type)
	{
		case HP_INT:
			if (v != (double) (int) v)
				return false;
			*(int *) field = (int) v;
			break;
		case HP_DOUBLE:
			*(double *) field = v;
			break;
		case HP_BOOL:
			*(bool *) field = v != 0;
			break;
	}
	return true;
}

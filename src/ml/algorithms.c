/*-------------------------------------------------------------------------
 *
 * algorithms.c
 *	  The table of learning algorithms, by name and by stored id.
 *
 *-------------------------------------------------------------------------
 */
#include "ml.h"
#include "anomaly/detector_alg.h"

static const MlAlgorithm *const all_algorithms[] = {
	&ml_linear_regression,
	&ml_ridge,
	&ml_lasso,
	&ml_elastic_net,
	&ml_logistic_regression,
	&ml_decision_tree,
	&ml_random_forest,
	&ml_gradient_boosting,
	&ml_naive_bayes,
	&ml_knn,
	&ml_robust_zscore,
	&ml_iqr,
	&ml_mahalanobis,
	&ml_isolation_forest,
};

#define N_ALGORITHMS (sizeof(all_algorithms) / sizeof(all_algorithms[0]))

const MlAlgorithm *
ml_algorithm_by_name(const char *name)
{
	for (size_t i = 0; i < N_ALGORITHMS; i++)
		if (strcmp(all_algorithms[i]->name, name) == 0)
			return all_algorithms[i];
	return NULL;
}

const MlAlgorithm *
ml_algorithm_by_id(int id)
{
	for (size_t i = 0; i < N_ALGORITHMS; i++)
		if (all_algorithms[i]->id == id)
			return all_algorithms[i];
	return NULL;
}

/* Comma-separated names, for error hints. */
const char *
ml_algorithm_names(void)
{
	return "linear_regression, ridge, lasso, elastic_net, logistic_regression, "
		"decision_tree, random_forest, gradient_boosting, naive_bayes, knn";
}

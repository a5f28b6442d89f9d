/*-------------------------------------------------------------------------
 *
 * ml.h
 *	  Types shared by the learning algorithms of automl.train.
 *
 * The algorithms are plain C over arrays (unit-tested outside the server,
 * see test/unit): they see a dense, column-major double matrix with no
 * missing values, built by preprocess.c from the relation's columns, and a
 * target that is either a real value (regression) or a class index
 * 0..nclasses-1 stored as a double (classification).  Each algorithm
 * implements the MlAlgorithm operations below; the SQL layer never looks
 * inside a fitted model.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ML_H
#define ML_H

#include "../common/am_alloc.h"
#include "model_io.h"

typedef enum MlTask
{
	ML_REGRESSION = 0,
	ML_CLASSIFICATION = 1,
	ML_ANOMALY = 2				/* detectors: unsupervised, output a score */
} MlTask;

/*
 * Training data.  x[j * n + i] is feature j of row i (column-major, so a
 * feature is one contiguous array, which is what histogram building and
 * coordinate descent walk).  All values are finite.
 */
typedef struct MlData
{
	int64		n;				/* rows */
	int			p;				/* features */
	const double *x;			/* n * p, column-major */
	const double *y;			/* n: value, or class index */
	MlTask		task;
	int			nclasses;		/* >= 2 for classification, 0 otherwise */
	/*
	 * For trees: number of distinct ordinal codes of a categorical feature
	 * (codes 0..ncat-1), 0 for a numeric feature.  May be NULL.
	 */
	const int  *ncategories;
} MlData;

/*
 * Hyperparameters of every algorithm, in one flat struct so that one
 * validating parser (hyperparams.c) serves them all.  ml_hyperparams_default
 * fills the documented defaults; each algorithm reads only its own fields.
 */
typedef struct MlHyperparams
{
	uint64		seed;

	/* linear family: ridge, lasso, elastic_net, logistic_regression */
	double		alpha;			/* regularisation strength */
	double		l1_ratio;		/* elastic_net mix, 0 = ridge .. 1 = lasso */
	int			max_iter;		/* coordinate descent / Newton iterations */
	double		tol;			/* convergence tolerance */
	bool		fit_intercept;

	/* trees: decision_tree, random_forest, gradient_boosting */
	int			n_estimators;	/* trees (rounds for boosting) */
	double		learning_rate;
	int			max_depth;		/* 0 = unlimited (bounded by num_leaves) */
	int			num_leaves;		/* 0 = unlimited (bounded by max_depth) */
	int			min_samples_leaf;
	double		min_child_weight;	/* boosting: minimum hessian sum in a leaf */
	double		l2;				/* boosting: L2 on leaf values (lambda) */
	double		min_split_gain;
	double		subsample;		/* row fraction per tree */
	double		colsample;		/* feature fraction per tree (forest: per split) */
	int			max_bins;		/* histogram bins per feature, 2..255 */
	int			early_stopping_rounds;	/* boosting: 0 = off */
	double		validation_fraction;	/* boosting: held out for early stopping */
	bool		bootstrap;		/* forest: sample rows with replacement */

	/* naive_bayes */
	double		var_smoothing;

	/* knn */
	int			k;
	bool		distance_weighted;
	bool		standardize;	/* scale its one-hot design (knn only) */

	/* anomaly detectors (0: the method's default) */
	double		detector_threshold;
	double		detector_k;		/* iqr fences */
} MlHyperparams;

/*
 * One algorithm.  fit returns a model allocated with am_alloc (freeing the
 * memory context frees it); errbuf (256 bytes) receives a message when fit
 * returns NULL for a reason the user should see (it never should on valid
 * input).  predict writes one value for regression, or nclasses
 * probabilities summing to 1 for classification.  predict_batch does the
 * same for m rows of a column-major matrix (out is m values, or m*nclasses
 * row-major: out[i * nclasses + c]).  write/read give the model's part of
 * the bytea image (model_io.h); read returns NULL when the bytes are not a
 * well-formed model for these dimensions.  importance fills p non-negative
 * values (any scale; the caller normalises).
 */
typedef struct MlAlgorithm
{
	const char *name;
	int			id;				/* stored in the model image: never reuse */
	bool		regression;		/* supports the task */
	bool		classification;
	bool		anomaly;		/* a detector (task ML_ANOMALY): fit ignores
								 * y, predict gives the anomaly score */
	bool		one_hot;		/* wants one-hot categoricals and standardised
								 * columns (linear models, knn, naive bayes)
								 * rather than ordinal codes (trees) */
	void	   *(*fit) (const MlData *d, const MlHyperparams *hp, char *errbuf);
	void		(*predict) (const void *model, const double *row, double *out);
	void		(*predict_batch) (const void *model, const double *x, int64 m,
								  double *out);
	void		(*write) (MlWriter *w, const void *model);
	void	   *(*read) (MlReader *r, int p, MlTask task, int nclasses);
	void		(*importance) (const void *model, double *imp);
	/*
	 * Additive explanation of one row (may be NULL: not explainable).
	 * contrib receives p values and *base one, such that base + sum(contrib)
	 * is the model's raw output for output index out: the value
	 * (regression), the margin before the link function (logistic
	 * regression and boosting: log-odds of class 1 for two classes, the
	 * class's softmax input for more), or the averaged leaf value (forests
	 * and trees: the probability of class out).
	 */
	void		(*explain) (const void *model, const double *row, int out,
							double *contrib, double *base);
	/* the raw output explain adds up to, for the same out (NULL with it) */
	double		(*raw_output) (const void *model, const double *row, int out);
	/* detectors: the score from which a row is anomalous */
	double		(*threshold) (const void *model);
	/*
	 * detectors: each feature's share (summing to 1) of one row's anomaly
	 * score, for explanations
	 */
	void		(*attribute) (const void *model, const double *row, double *share);
} MlAlgorithm;

#define ML_ERRBUF_SIZE 256

/* qsort and bsearch order of doubles (no NaN reaches them) */
static inline int
ml_cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return x < y ? -1 : x > y;
}

extern void ml_hyperparams_default(MlHyperparams *hp);

/* hyperparams.c: what options.hyperparams may set, for which algorithm */
typedef enum MlHyperparamType
{
	HP_INT,
	HP_DOUBLE,
	HP_BOOL
} MlHyperparamType;

typedef struct MlHyperparamSpec
{
	const char *key;
	MlHyperparamType type;
	double		lo;				/* valid range, inclusive */
	double		hi;
	size_t		offset;			/* of the field in MlHyperparams */
	const char *algorithms;		/* space-separated names it applies to */
} MlHyperparamSpec;

extern int	ml_hyperparam_count(void);
extern const MlHyperparamSpec *ml_hyperparam_spec(int i);
extern bool ml_hyperparam_applies(const MlHyperparamSpec *spec, const char *algorithm);
/* the spec of key for algorithm, or NULL if it has no such hyperparameter */
extern const MlHyperparamSpec *ml_hyperparam_lookup(const char *algorithm, const char *key);
extern double ml_hyperparam_get(const MlHyperparams *hp, const MlHyperparamSpec *spec);
/* false when v is out of range (or not an integer for HP_INT) */
extern bool ml_hyperparam_set(MlHyperparams *hp, const MlHyperparamSpec *spec, double v);

/* algorithms.c: the table of algorithms, looked up by name or stored id */
extern const MlAlgorithm *ml_algorithm_by_name(const char *name);
extern const MlAlgorithm *ml_algorithm_by_id(int id);
extern const char *ml_algorithm_names(void);

/* Each algorithm file exports its descriptor. */
extern const MlAlgorithm ml_linear_regression;
extern const MlAlgorithm ml_ridge;
extern const MlAlgorithm ml_lasso;
extern const MlAlgorithm ml_elastic_net;
extern const MlAlgorithm ml_logistic_regression;
extern const MlAlgorithm ml_decision_tree;
extern const MlAlgorithm ml_random_forest;
extern const MlAlgorithm ml_gradient_boosting;
extern const MlAlgorithm ml_naive_bayes;
extern const MlAlgorithm ml_knn;

/*
 * Interrupt hook: long loops call ML_CHECK_INTERRUPTS() so that cancel,
 * statement_timeout and automl.max_training_time work inside the server
 * (ml_check_interrupts, train.c, may raise an ERROR there); outside the
 * server it does nothing.
 */
#ifdef AUTOML_STANDALONE
#define ML_CHECK_INTERRUPTS() ((void) 0)
#else
extern void ml_check_interrupts(void);
#define ML_CHECK_INTERRUPTS() ml_check_interrupts()
#endif

/* Deterministic random numbers (splitmix64 seeding xoshiro256**). */
typedef struct MlRng
{
	uint64		s[4];
} MlRng;

extern void ml_rng_seed(MlRng *r, uint64 seed);
extern uint64 ml_rng_next(MlRng *r);
/* uniform in [0, 1) */
extern double ml_rng_double(MlRng *r);
/* uniform in [0, n) */
extern uint64 ml_rng_below(MlRng *r, uint64 n);

#endif							/* ML_H */

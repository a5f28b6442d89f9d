/*-------------------------------------------------------------------------
 *
 * search.c
 *	  AutoML: choose the algorithm and its hyperparameters under a time
 *	  budget, by cross-validation on the training rows.
 *
 * The plan, after FLAML's cost-frugal search:
 *
 * 1. Evaluation: 5-fold cross-validation (stratified for classification)
 *	  below SEARCH_CV_ROWS training rows, a 20% holdout above.  The
 *	  preprocessing is fitted once on all the search's rows, for each of the
 *	  two encodings (one-hot for linear models, knn and naive bayes; ordinal
 *	  for trees), and the fold matrices are cut from those.
 * 2. Start points, cheapest first: every algorithm that suits the task and
 *	  the data size, with defaults known to be good, then two stronger
 *	  boosting and forest configurations.
 * 3. Local search: the two best algorithms so far take turns; each trial
 *	  perturbs the best configuration of its algorithm in log space (a
 *	  randomized direct search, seeded); the step grows after an improvement
 *	  and shrinks after a failure, and an algorithm whose step has shrunk
 *	  below a floor has converged.  Three rounds, each restarting the step
 *	  (and choosing the two leaders again).
 * 4. Early stopping: after its first fold, a trial that is clearly worse
 *	  than the best mean so far is pruned (it cannot win).
 * 5. Budget: a trial starts only when the time its algorithm took before
 *	  fits in what is left; a trial still running at the deadline is
 *	  stopped (status timeout).
 * 6. Selection: the best score, except for accuracy and F1 under
 *	  cross-validation, where the earliest trial within one standard error
 *	  of the best score wins (select_winner).  The caller refits it.
 *
 * Deterministic: the trials, their order and the winner depend only on the
 * data, the seed and the scores, never on timing, as long as the budget
 * does not cut the search short.  When it does, the search stops earlier
 * (fewer trials, "stopped": "budget") and the winner is the best of the
 * trials that finished.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "ml/metrics.h"
#include "ml/preprocess.h"
#include "ml/search.h"
#include "ml/train.h"

/* Cross-validation below this many rows, a holdout above. */
#define SEARCH_CV_ROWS		50000
#define SEARCH_FOLDS		5
#define SEARCH_HOLDOUT		0.2
/* knn only on small data (it keeps and scans every training row) */
#define SEARCH_KNN_ROWS		20000
/* NOTICE at most this often */
#define SEARCH_NOTICE_SECS	5.0
/* step of the local search: start, floor (converged), bounds */
#define STEP_START			0.25
#define STEP_MIN			0.02
#define STEP_MAX			0.5
/* rounds of local search, each from a fresh step */
#define SEARCH_ROUNDS		3

/* The matrices of one encoding. */
typedef struct Family
{
	bool		built;
	Preprocessor *pp;
	int		   *ncat;			/* per design column, for trees */
	double	  **fold_train;		/* per fold: rows outside it, column-major */
	double	  **fold_valid;		/* per fold: its rows */
} Family;

typedef struct SearchCtx
{
	const SearchSpec *spec;
	SearchResult *res;
	MlRng		rng;
	int			nfolds;			/* folds evaluated per trial */
	int		   *fold_of;		/* per search row: its fold */
	int64	   *fold_ntrain;
	int64	   *fold_nvalid;
	double	  **fold_ytrain;
	double	  **fold_yvalid;
	Family		family[3];		/* ordinal, one-hot, one-hot unscaled */
	double		y_sd;			/* regression: spread of the target */
	MemoryContext cxt;			/* everything above */
	MemoryContext trial_cxt;	/* one fold's fit, reset after it */
	TimestampTz last_notice;
	double		step[16];		/* local-search step per algorithm id */
} SearchCtx;

const char *
search_default_metric(MlTask task)
{
	return task == ML_CLASSIFICATION ? "accuracy" : "r2";
}

bool
search_metric_valid(const char *metric, MlTask task)
{
	static const char *const cls[] = {"accuracy", "f1", "roc_auc", "log_loss", NULL};
	static const char *const reg[] = {"r2", "rmse", "mae", NULL};
	const char *const *names = task == ML_CLASSIFICATION ? cls : reg;

	for (int i = 0; names[i]; i++)
		if (strcmp(metric, names[i]) == 0)
			return true;
	return false;
}

bool
search_metric_higher_better(const char *metric)
{
	return !(strcmp(metric, "log_loss") == 0 || strcmp(metric, "rmse") == 0 ||
			 strcmp(metric, "mae") == 0);
}

double
search_metric_value(const char *metric, MlTask task, int nclasses,
					const double *y, const double *pred, int64 n)
{
	if (task == ML_REGRESSION)
	{
		MlRegressionMetrics rm;

		metrics_regression(y, pred, n, &rm);
		if (strcmp(metric, "rmse") == 0)
			return rm.rmse;
		if (strcmp(metric, "mae") == 0)
			return rm.mae;
		return rm.r2;
	}
	else
	{
		MlClassificationMetrics cm;

		metrics_classification(y, pred, n, nclasses, &cm);
		if (strcmp(metric, "f1") == 0)
			return cm.f1;
		if (strcmp(metric, "roc_auc") == 0)
			return cm.roc_auc;
		if (strcmp(metric, "log_loss") == 0)
			return cm.log_loss;
		return cm.accuracy;
	}
}

/* Whether score a beats score b (NaN never beats anything). */
static bool
better(const SearchCtx *c, double a, double b)
{
	if (isnan(a))
		return false;
	if (isnan(b))
		return true;
	return c->res->higher_better ? a > b : a < b;
}

static double
seconds_since(TimestampTz t)
{
	return (double) (GetCurrentTimestamp() - t) / USECS_PER_SEC;
}

static double
seconds_left(const SearchCtx *c)
{
	return (double) (c->spec->deadline - GetCurrentTimestamp()) / USECS_PER_SEC;
}

/*
 * Fold of every search row: stratified for classification (each class's
 * rows, shuffled, dealt round-robin), shuffled for regression; with a
 * holdout, fold 0 is the validation part and nothing else is evaluated.
 */
static void
assign_folds(SearchCtx *c)
{
	const SearchSpec *s = c->spec;
	int64		n = s->n_train;
	int64	   *order = palloc(sizeof(int64) * n);
	int			k = n < SEARCH_CV_ROWS ? SEARCH_FOLDS : 0;
	int			groups = s->task == ML_CLASSIFICATION ? s->nclasses : 1;
	int64		pos = 0;

	c->fold_of = palloc(sizeof(int) * n);
	c->nfolds = k > 0 ? k : 1;
	for (int g = 0; g < groups; g++)
	{
		int64		m = 0;

		for (int64 i = 0; i < n; i++)
			if (groups == 1 || (int) s->ds->y[s->train_idx[i]] == g)
				order[m++] = i;
		/* Fisher-Yates with the search's generator */
		for (int64 i = m - 1; i > 0; i--)
		{
			int64		j = (int64) ml_rng_below(&c->rng, (uint64) i + 1);
			int64		t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		for (int64 i = 0; i < m; i++, pos++)
		{
			if (k > 0)
				c->fold_of[order[i]] = (int) (pos % k);
			else
				/* holdout: every fifth row, so each class keeps its share */
				c->fold_of[order[i]] = (pos % 5 == 0) ? 0 : 1;
		}
	}
	pfree(order);
}

/* Targets of each fold's training and validation rows. */
static void
split_targets(SearchCtx *c)
{
	const SearchSpec *s = c->spec;

	c->fold_ntrain = palloc0(sizeof(int64) * c->nfolds);
	c->fold_nvalid = palloc0(sizeof(int64) * c->nfolds);
	c->fold_ytrain = palloc(sizeof(double *) * c->nfolds);
	c->fold_yvalid = palloc(sizeof(double *) * c->nfolds);
	for (int f = 0; f < c->nfolds; f++)
	{
		for (int64 i = 0; i < s->n_train; i++)
		{
			if (c->fold_of[i] == f)
				c->fold_nvalid[f]++;
			else
				c->fold_ntrain[f]++;
		}
		c->fold_ytrain[f] = MemoryContextAllocHuge(c->cxt, sizeof(double) * Max(c->fold_ntrain[f], 1));
		c->fold_yvalid[f] = MemoryContextAllocHuge(c->cxt, sizeof(double) * Max(c->fold_nvalid[f], 1));
		{
			int64		a = 0,
						b = 0;

			for (int64 i = 0; i < s->n_train; i++)
			{
				double		y = s->ds->y[s->train_idx[i]];

				if (c->fold_of[i] == f)
					c->fold_yvalid[f][b++] = y;
				else
					c->fold_ytrain[f][a++] = y;
			}
		}
	}
}

/*
 * Build an encoding's preprocessor on the search rows and cut the fold
 * matrices from its design.  The dataset's raw columns are not changed:
 * categorical codes are mapped into copies.
 */
/* The encoding a trial's algorithm and hyperparameters want. */
static int
family_of(const SearchTrial *t)
{
	if (!t->alg->one_hot)
		return 0;
	return (strcmp(t->alg->name, "knn") == 0 && !t->hp.standardize) ? 2 : 1;
}

static void
family_build(SearchCtx *c, int which)
{
	bool		one_hot = which > 0;
	const SearchSpec *s = c->spec;
	Dataset    *ds = s->ds;
	Family	   *fam = &c->family[which];
	Preprocessor *pp = palloc0(sizeof(Preprocessor));
	double	  **view;
	double	   *design;
	Size		bytes;
	int64		n = s->n_train;

	view = dataset_view(ds, pp, one_hot);
	pp->unscaled = which == 2;
	preprocess_fit(pp, view, s->train_idx, n);
	fam->pp = pp;
	fam->ncat = preprocess_ncategories(pp);

	/* the design of all search rows, then one copy per fold */
	bytes = (Size) n * pp->p * sizeof(double) * (c->nfolds + 1);
	dataset_check_memory(ds, bytes, "The search's matrices");
	design = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * Max(n, 1) * pp->p);
	preprocess_transform(pp, view, s->train_idx, n, design);
	fam->fold_train = palloc(sizeof(double *) * c->nfolds);
	fam->fold_valid = palloc(sizeof(double *) * c->nfolds);
	for (int f = 0; f < c->nfolds; f++)
	{
		int64		nt = c->fold_ntrain[f],
					nv = c->fold_nvalid[f];
		double	   *xt = MemoryContextAllocHuge(c->cxt, sizeof(double) * Max(nt, 1) * pp->p);
		double	   *xv = MemoryContextAllocHuge(c->cxt, sizeof(double) * Max(nv, 1) * pp->p);

		CHECK_FOR_INTERRUPTS();
		for (int j = 0; j < pp->p; j++)
		{
			const double *col = design + (Size) j * n;
			double	   *dt = xt + (Size) j * nt;
			double	   *dv = xv + (Size) j * nv;
			int64		a = 0,
						b = 0;

			for (int64 i = 0; i < n; i++)
			{
				if (c->fold_of[i] == f)
					dv[b++] = col[i];
				else
					dt[a++] = col[i];
			}
		}
		fam->fold_train[f] = xt;
		fam->fold_valid[f] = xv;
	}
	pfree(design);
	dataset_free_view(ds, view);
	fam->built = true;
}

/*
 * Validation score of one fold, or NaN with *status set when the fit
 * failed or ran out of time.
 */
static double
fold_score(SearchCtx *c, SearchTrial *t, int f, const char **status)
{
	const SearchSpec *s = c->spec;
	Family	   *fam = &c->family[family_of(t)];
	MlData		d;
	char		errbuf[ML_ERRBUF_SIZE];
	void	   *model = NULL;
	volatile double score = NAN;
	volatile int k = s->task == ML_CLASSIFICATION ? s->nclasses : 1;
	MemoryContext old = MemoryContextSwitchTo(c->trial_cxt);

	d.n = c->fold_ntrain[f];
	d.p = fam->pp->p;
	d.x = fam->fold_train[f];
	d.y = c->fold_ytrain[f];
	d.task = s->task;
	d.nclasses = s->nclasses;
	d.ncategories = fam->ncat;
	errbuf[0] = '\0';
	train_set_trial_deadline(s->deadline);
	PG_TRY();
	{
		model = t->alg->fit(&d, &t->hp, errbuf);
		if (model != NULL)
		{
			double	   *pred = MemoryContextAllocHuge(c->trial_cxt,
													  sizeof(double) * Max(c->fold_nvalid[f], 1) * k);

			t->alg->predict_batch(model, fam->fold_valid[f], c->fold_nvalid[f], pred);
			score = search_metric_value(s->metric, s->task, s->nclasses,
										c->fold_yvalid[f], pred, c->fold_nvalid[f]);
		}
		else
			*status = "failed";
	}
	PG_CATCH();
	{
		/* only our own deadline is caught; a user's cancel goes on */
		if (!train_trial_timed_out())
			PG_RE_THROW();
		MemoryContextSwitchTo(old);
		FlushErrorState();
		*status = "timeout";
		score = NAN;
	}
	PG_END_TRY();
	train_set_trial_deadline(0);
	MemoryContextSwitchTo(old);
	MemoryContextReset(c->trial_cxt);
	return score;
}

/* Whether a first-fold score shows that the trial cannot win. */
static bool
hopeless(const SearchCtx *c, double fold, double best)
{
	if (isnan(best) || isnan(fold))
		return false;
	if (c->res->higher_better)
		return fold < best - 0.02 - 0.02 * fabs(best);
	return fold > best * 1.05 + 1e-12;
}

/* Run one trial on every fold (or until it is pruned). */
static void
trial_run(SearchCtx *c, SearchTrial *t)
{
	SearchResult *res = c->res;
	TimestampTz start = GetCurrentTimestamp();
	double		best = res->best >= 0 ? res->trials[res->best].score : NAN;
	double		sum = 0,
				sumsq = 0;
	const char *status = "ok";

	if (!c->family[family_of(t)].built)
		family_build(c, family_of(t));
	t->folds = 0;
	for (int f = 0; f < c->nfolds; f++)
	{
		double		score = fold_score(c, t, f, &status);

		if (isnan(score))
		{
			if (strcmp(status, "ok") == 0)
				status = "failed";
			break;
		}
		sum += score;
		sumsq += score * score;
		t->folds++;
		if (f == 0 && c->nfolds > 1 && hopeless(c, score, best))
		{
			status = "pruned";
			break;
		}
	}
	t->score = t->folds > 0 ? sum / t->folds : NAN;
	t->score_se = NAN;
	if (t->folds > 1)
	{
		double		var = (sumsq - sum * sum / t->folds) / (t->folds - 1);

		t->score_se = sqrt(Max(var, 0.0) / t->folds);
	}
	t->status = status;
	t->fit_seconds = seconds_since(start);
	if (strcmp(status, "ok") == 0 && (res->best < 0 || better(c, t->score, best)))
		res->best = t - res->trials;
}

/* Seconds one more trial of alg is expected to take: its slowest so far. */
static double
expected_seconds(const SearchCtx *c, const MlAlgorithm *alg)
{
	double		e = 0;

	for (int i = 0; i < c->res->ntrials; i++)
	{
		const SearchTrial *t = &c->res->trials[i];

		if (t->alg == alg && t->folds > 0)
			e = Max(e, t->fit_seconds * c->nfolds / t->folds);
	}
	return e;
}

static void
progress_notice(SearchCtx *c, bool force)
{
	SearchResult *res = c->res;
	double		elapsed = seconds_since(c->spec->start);
	double		total = (double) (c->spec->deadline - c->spec->start) / USECS_PER_SEC;

	train_report_progress(total > 0 ? Min(99.0, 100.0 * elapsed / total) : 99.0);
	if (!force && (double) (GetCurrentTimestamp() - c->last_notice) / USECS_PER_SEC < SEARCH_NOTICE_SECS)
		return;
	c->last_notice = GetCurrentTimestamp();
	/* the last word is the same whatever the timing */
	if (force && res->best >= 0)
		ereport(NOTICE,
				(errmsg("automl search: %d trials, best %s %.4f (%s)",
						res->ntrials, c->spec->metric, res->trials[res->best].score,
						res->trials[res->best].alg->name)));
	else if (force)
		ereport(NOTICE,
				(errmsg("automl search: %d trials, none finished in the budget", res->ntrials)));
	else if (res->best >= 0)
		ereport(NOTICE,
				(errmsg("automl search: %d trials, best %s %.4f (%s), %.0f s left",
						res->ntrials, c->spec->metric, res->trials[res->best].score,
						res->trials[res->best].alg->name, Max(0.0, seconds_left(c)))));
	else
		ereport(NOTICE,
				(errmsg("automl search: %d trials, none finished yet, %.0f s left",
						res->ntrials, Max(0.0, seconds_left(c)))));
}

/*
 * Run the trial t (already filled) if the budget allows; false when it
 * does not, and the trial is not recorded.
 */
static bool
try_trial(SearchCtx *c, SearchTrial *t)
{
	SearchResult *res = c->res;
	double		left = seconds_left(c);

	CHECK_FOR_INTERRUPTS();
	if (left <= 0 || res->ntrials >= SEARCH_MAX_TRIALS)
		return false;
	if (expected_seconds(c, t->alg) > left)
		return false;
	res->trials[res->ntrials] = *t;
	res->trials[res->ntrials].trial = res->ntrials + 1;
	res->ntrials++;
	trial_run(c, &res->trials[res->ntrials - 1]);
	progress_notice(c, false);
	return true;
}

static SearchTrial
config(SearchCtx *c, const char *name)
{
	SearchTrial t;

	memset(&t, 0, sizeof(t));
	t.alg = ml_algorithm_by_name(name);
	ml_hyperparams_default(&t.hp);
	t.hp.seed = c->spec->seed;
	return t;
}

/* The start points, cheapest first. */
static void
initial_trials(SearchCtx *c)
{
	const SearchSpec *s = c->spec;
	bool		cls = s->task == ML_CLASSIFICATION;
	bool		small = s->n_train <= SEARCH_KNN_ROWS;
	SearchTrial t;

	if (cls)
	{
		t = config(c, "logistic_regression");
		try_trial(c, &t);
		t = config(c, "naive_bayes");
		try_trial(c, &t);
	}
	else
	{
		t = config(c, "ridge");
		try_trial(c, &t);
		t = config(c, "lasso");
		t.hp.alpha = 1e-3 * c->y_sd;
		try_trial(c, &t);
	}
	t = config(c, "decision_tree");
	t.hp.max_depth = 8;
	t.hp.min_samples_leaf = 5;
	try_trial(c, &t);
	if (small)
	{
		t = config(c, "knn");
		t.hp.k = 10;
		t.hp.distance_weighted = true;
		try_trial(c, &t);
		/* on the features' own scales, where their units carry meaning */
		t.hp.standardize = false;
		try_trial(c, &t);
	}
	t = config(c, "gradient_boosting");
	try_trial(c, &t);
	t = config(c, "random_forest");
	t.hp.max_depth = 0;
	t.hp.n_estimators = 100;
	try_trial(c, &t);
	/* slower learning, more trees, row and column sampling */
	t = config(c, "gradient_boosting");
	t.hp.learning_rate = 0.05;
	t.hp.n_estimators = 300;
	t.hp.max_depth = 4;
	t.hp.subsample = 0.8;
	t.hp.colsample = 0.8;
	try_trial(c, &t);
}

/* A standard normal deviate (Box-Muller). */
static double
gaussian(MlRng *r)
{
	double		u = ml_rng_double(r),
				v = ml_rng_double(r);

	return sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * v);
}

/* Move a value in log space by step * gaussian over [lo, hi]. */
static double
perturb_log(MlRng *r, double v, double lo, double hi, double step)
{
	double		span = log(hi) - log(lo);
	double		x = log(Max(v, lo)) + step * span * gaussian(r);

	return exp(Max(log(lo), Min(log(hi), x)));
}

static double
perturb_lin(MlRng *r, double v, double lo, double hi, double step)
{
	double		x = v + step * (hi - lo) * gaussian(r);

	return Max(lo, Min(hi, x));
}

static int
perturb_int(MlRng *r, int v, int lo, int hi, double step, bool log_scale)
{
	double		x = log_scale ? perturb_log(r, Max(v, lo), lo, hi, step) :
		perturb_lin(r, v, lo, hi, step);
	int			n = (int) rint(x);

	/* an integer that rounds back to itself moves by one */
	if (n == v && step > STEP_MIN)
		n = v + (ml_rng_below(r, 2) ? 1 : -1);
	return Max(lo, Min(hi, n));
}

/* A neighbour of hp for its algorithm: each knob moves with probability 1/2. */
static void
neighbour(SearchCtx *c, const MlAlgorithm *alg, MlHyperparams *hp, double step)
{
	MlRng	   *r = &c->rng;
	const char *a = alg->name;

#define MAYBE (ml_rng_below(r, 2) == 0)
	if (strcmp(a, "gradient_boosting") == 0)
	{
		if (MAYBE)
			hp->learning_rate = perturb_log(r, hp->learning_rate, 0.01, 0.5, step);
		if (MAYBE)
			hp->n_estimators = perturb_int(r, hp->n_estimators, 20, 1000, step, true);
		if (MAYBE)
			hp->max_depth = perturb_int(r, hp->max_depth, 2, 12, step, false);
		if (MAYBE)
			hp->min_child_weight = perturb_log(r, hp->min_child_weight, 0.1, 50, step);
		if (MAYBE)
			hp->l2 = perturb_log(r, hp->l2, 0.01, 100, step);
		if (MAYBE)
			hp->subsample = perturb_lin(r, hp->subsample, 0.5, 1.0, step);
		if (MAYBE)
			hp->colsample = perturb_lin(r, hp->colsample, 0.3, 1.0, step);
	}
	else if (strcmp(a, "random_forest") == 0)
	{
		if (MAYBE)
			hp->n_estimators = perturb_int(r, hp->n_estimators, 20, 400, step, true);
		if (MAYBE)
			hp->max_depth = hp->max_depth == 0 ? 24 : perturb_int(r, hp->max_depth, 4, 40, step, false);
		if (MAYBE)
			hp->min_samples_leaf = perturb_int(r, hp->min_samples_leaf, 1, 20, step, true);
		if (MAYBE)
			hp->colsample = perturb_lin(r, hp->colsample < 1 ? hp->colsample : 0.5, 0.1, 1.0, step);
	}
	else if (strcmp(a, "decision_tree") == 0)
	{
		hp->max_depth = perturb_int(r, hp->max_depth, 2, 30, step, false);
		if (MAYBE)
			hp->min_samples_leaf = perturb_int(r, hp->min_samples_leaf, 1, 50, step, true);
	}
	else if (strcmp(a, "logistic_regression") == 0 || strcmp(a, "ridge") == 0)
		hp->alpha = perturb_log(r, hp->alpha, 1e-4, 1e4, step);
	else if (strcmp(a, "lasso") == 0 || strcmp(a, "elastic_net") == 0)
		hp->alpha = perturb_log(r, hp->alpha, 1e-6 * c->y_sd, 10 * c->y_sd, step);
	else if (strcmp(a, "knn") == 0)
	{
		hp->k = perturb_int(r, hp->k, 1, 50, step, true);
		if (MAYBE)
			hp->distance_weighted = !hp->distance_weighted;
	}
	else if (strcmp(a, "naive_bayes") == 0)
		hp->var_smoothing = perturb_log(r, hp->var_smoothing, 1e-12, 1e-2, step);
#undef MAYBE
}

/* Best finished trial of alg, or -1. */
static int
best_of(const SearchCtx *c, const MlAlgorithm *alg)
{
	int			best = -1;

	for (int i = 0; i < c->res->ntrials; i++)
	{
		const SearchTrial *t = &c->res->trials[i];

		if (t->alg == alg && strcmp(t->status, "ok") == 0 &&
			(best < 0 || better(c, t->score, c->res->trials[best].score)))
			best = i;
	}
	return best;
}

/* The (up to) two algorithms with the best finished trials. */
static int
leading_algorithms(const SearchCtx *c, const MlAlgorithm **lead)
{
	int			n = 0;

	for (int i = 0; i < c->res->ntrials && n < 2; i++)
	{
		int			best = -1;

		/* the best trial whose algorithm is not chosen yet */
		for (int j = 0; j < c->res->ntrials; j++)
		{
			const SearchTrial *t = &c->res->trials[j];

			if (strcmp(t->status, "ok") != 0 || (n > 0 && t->alg == lead[0]))
				continue;
			if (best < 0 || better(c, t->score, c->res->trials[best].score))
				best = j;
		}
		if (best < 0)
			break;
		lead[n++] = c->res->trials[best].alg;
	}
	return n;
}

/* The local search around the leaders, until converged or out of budget. */
static void
local_search(SearchCtx *c)
{
	const MlAlgorithm *lead[2];
	int			nlead = leading_algorithms(c, lead);
	int			turn = 0;
	bool		active[2] = {true, true};

	for (int i = 0; i < nlead; i++)
		c->step[lead[i]->id] = STEP_START;
	while (nlead > 0 && (active[0] || (nlead > 1 && active[1])))
	{
		int			i = turn++ % nlead;
		const MlAlgorithm *alg = lead[i];
		int			base;
		double		base_score;
		SearchTrial t;

		if (!active[i])
			continue;
		base = best_of(c, alg);
		base_score = c->res->trials[base].score;
		t = c->res->trials[base];
		t.folds = 0;
		neighbour(c, alg, &t.hp, c->step[alg->id]);
		if (!try_trial(c, &t))
		{
			/* out of budget for this algorithm; the other may still fit */
			active[i] = false;
			c->res->stopped = "budget";
			continue;
		}
		if (better(c, c->res->trials[c->res->ntrials - 1].score, base_score) &&
			strcmp(c->res->trials[c->res->ntrials - 1].status, "ok") == 0)
			c->step[alg->id] = Min(STEP_MAX, c->step[alg->id] * 1.25);
		else
			c->step[alg->id] *= 0.8;
		if (c->step[alg->id] < STEP_MIN)
			active[i] = false;
		if (c->res->ntrials >= SEARCH_MAX_TRIALS)
		{
			c->res->stopped = "trials";
			break;
		}
	}
}

/*
 * The winner among the finished trials.  Accuracy and F1 count whole
 * validation rows: on small data many configurations tie or differ by a
 * row or two, which is noise, and the best of many noisy trials is biased
 * upwards (the local search piles its trials up wherever the noise happened
 * to favour).  So a later trial has to beat the earlier ones by more than
 * one standard error (over the folds) of the best score: the earliest trial
 * within that band wins.  The trials run in order of preference (defaults
 * and cheap configurations first, then perturbations of the leaders), so
 * this keeps the default unless the search found something clearly better.
 * Other metrics are continuous and finer grained: the best score wins.
 */
static void
select_winner(SearchCtx *c)
{
	SearchResult *res = c->res;
	const SearchTrial *top;
	double		band;

	res->top = res->best;
	res->selected_by = "best score";
	if (res->best < 0 || c->nfolds < 2 || c->spec->task != ML_CLASSIFICATION ||
		!(strcmp(c->spec->metric, "accuracy") == 0 || strcmp(c->spec->metric, "f1") == 0))
		return;
	top = &res->trials[res->best];
	if (isnan(top->score_se))
		return;
	band = top->score - top->score_se - 1e-12;
	res->selected_by = "earliest within one standard error of the best score";
	for (int i = 0; i < res->best; i++)
	{
		const SearchTrial *t = &res->trials[i];

		if (strcmp(t->status, "ok") == 0 && t->folds == c->nfolds && t->score >= band)
		{
			res->best = i;
			break;
		}
	}
}

/* Spread of the regression target, to scale the lasso's alpha. */
static double
target_sd(const SearchSpec *s)
{
	double		mean = 0,
				m2 = 0;

	for (int64 i = 0; i < s->n_train; i++)
	{
		double		y = s->ds->y[s->train_idx[i]];
		double		d = y - mean;

		mean += d / (i + 1);
		m2 += d * (y - mean);
	}
	return s->n_train > 1 && m2 > 0 ? sqrt(m2 / (s->n_train - 1)) : 1.0;
}

void
search_run(const SearchSpec *spec, SearchResult *res)
{
	SearchCtx	c;
	MemoryContext old;

	memset(&c, 0, sizeof(c));
	memset(res, 0, sizeof(*res));
	c.spec = spec;
	c.res = res;
	c.cxt = AllocSetContextCreate(CurrentMemoryContext, "automl search", ALLOCSET_DEFAULT_SIZES);
	c.trial_cxt = AllocSetContextCreate(c.cxt, "automl trial", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(c.cxt);
	ml_rng_seed(&c.rng, spec->seed ^ UINT64_C(0x5EA5C4));
	res->trials = MemoryContextAlloc(CurrentMemoryContext, sizeof(SearchTrial) * SEARCH_MAX_TRIALS);
	res->best = res->top = -1;
	res->higher_better = search_metric_higher_better(spec->metric);
	res->stopped = "converged";
	c.last_notice = GetCurrentTimestamp();
	c.y_sd = spec->task == ML_REGRESSION ? target_sd(spec) : 1.0;

	assign_folds(&c);
	split_targets(&c);
	res->folds = spec->n_train < SEARCH_CV_ROWS ? SEARCH_FOLDS : 1;

	initial_trials(&c);
	/* a few rounds, each restarting the steps from the best so far */
	for (int round = 0; round < SEARCH_ROUNDS && res->ntrials < SEARCH_MAX_TRIALS &&
		 strcmp(res->stopped, "converged") == 0; round++)
		local_search(&c);
	if (seconds_left(&c) <= 0)
		res->stopped = "budget";
	select_winner(&c);
	res->seconds = seconds_since(spec->start);
	progress_notice(&c, true);

	/* the trials outlive the search's matrices */
	MemoryContextSwitchTo(old);
	{
		SearchTrial *keep = palloc(sizeof(SearchTrial) * Max(res->ntrials, 1));

		memcpy(keep, res->trials, sizeof(SearchTrial) * res->ntrials);
		res->trials = keep;
	}
	MemoryContextDelete(c.cxt);
}

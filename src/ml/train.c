/*-------------------------------------------------------------------------
 *
 * train.c
 *	  automl.train: read a relation, split it, fit one algorithm, score it
 *	  on the held-out rows and store the model as a new version.
 *
 * The steps, each in its own function: choose the task and the classes
 * from the target, split (stratified for classification), fit the
 * preprocessing on the training rows, build the design matrices, fit,
 * evaluate, encode, store.  Everything is allocated in one memory context
 * deleted at the end; automl.max_training_memory bounds the matrices and
 * automl.max_training_time the whole run (ml_check_interrupts).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/datetime.h"

#include "automl.h"
#include "common/json_out.h"
#include "ml/dataset.h"
#include "ml/metrics.h"
#include "ml/model.h"
#include "ml/registry.h"
#include "ml/search.h"
#include "ml/split.h"
#include "ml/train.h"
#include "ml/train_options.h"

PG_FUNCTION_INFO_V1(automl_train);

/* Integer targets with at most this many values are classes (task 'auto'). */
#define AUTO_CLASSIFICATION_MAX_VALUES 20

int			automl_max_training_time_s = 1800;
/* read by automl._check_training_quota() through current_setting() */
static int	automl_max_trainings_per_hour = 0;

/* When the running training must stop; 0 when none runs. */
static TimestampTz train_deadline = 0;
/* When the running search trial must stop (search.c); 0 outside trials. */
static TimestampTz trial_deadline = 0;
static bool trial_timed_out = false;

double		automl_train_progress = 0;
void		(*automl_train_progress_hook) (double percent) = NULL;

void
train_set_trial_deadline(TimestampTz deadline)
{
	trial_deadline = deadline;
	trial_timed_out = false;
}

bool
train_trial_timed_out(void)
{
	return trial_timed_out;
}

void
train_report_progress(double percent)
{
	automl_train_progress = percent;
	if (automl_train_progress_hook)
		automl_train_progress_hook(percent);
}

void
ml_check_interrupts(void)
{
	CHECK_FOR_INTERRUPTS();
	if (trial_deadline != 0 && GetCurrentTimestamp() > trial_deadline)
	{
		/* search.c catches exactly this error and records a timeout */
		trial_deadline = 0;
		trial_timed_out = true;
		ereport(ERROR,
				(errcode(ERRCODE_QUERY_CANCELED),
				 errmsg("search trial ran past the time budget")));
	}
	if (train_deadline != 0 && GetCurrentTimestamp() > train_deadline)
	{
		train_deadline = 0;
		ereport(ERROR,
				(errcode(ERRCODE_QUERY_CANCELED),
				 errmsg("training stopped: it ran longer than automl.max_training_time (%d s)",
						automl_max_training_time_s),
				 errhint("Raise automl.max_training_time, sample rows with options {\"sample_rows\": N}, or choose a cheaper algorithm.")));
	}
}

void
train_init_gucs(void)
{
	DefineCustomIntVariable("automl.max_training_memory",
							"Largest memory the training data of one automl.train call may use.",
							"Training that needs more stops with an error; options.sample_rows trains on a sample instead.",
							&automl_max_training_memory_mb,
							1024, 1, INT_MAX / 2,
							PGC_USERSET, GUC_UNIT_MB,
							NULL, NULL, NULL);
	DefineCustomIntVariable("automl.max_trainings_per_hour",
							"Default of the model versions one role may store in an hour (0: no limit).",
							"automl.quotas.max_trainings_per_hour overrides it per role.",
							&automl_max_trainings_per_hour,
							0, 0, INT_MAX,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("automl.max_training_time",
							"Longest time one automl.train call may run.",
							"Training that runs longer stops with an error.",
							&automl_max_training_time_s,
							1800, 1, INT_MAX,
							PGC_USERSET, GUC_UNIT_S,
							NULL, NULL, NULL);
}

/* Everything one training run decides and builds. */
typedef struct TrainRun
{
	const char *model_name;
	Dataset    *ds;
	TrainOptions opt;
	const MlAlgorithm *alg;
	MlHyperparams hp;
	MlModel		model;
	int64	   *train_idx;
	int64	   *test_idx;
	int64		n_train;
	int64		n_test;
	double	   *x_train;
	double	   *x_test;
	double	   *y_train;
	double	   *y_test;
	double	   *pred;			/* test predictions */
	double		score;
	bool		score_null;
	char	   *metrics_json;
	char	   *hyperparams_json;
	char	   *diagnostics_json;
	/* algorithm 'auto' */
	bool		searched;
	const char *metric;
	SearchResult search;
	TimestampTz start;
	double		budget_seconds;
} TrainRun;

static int
cmp_label_index(const void *a, const void *b, void *arg)
{
	char	  **labels = arg;

	return strcmp(labels[*(const int *) a], labels[*(const int *) b]);
}

/* Distinct values of the numeric target, sorted; at most limit + 1. */
static int
distinct_targets(const Dataset *ds, double **values, int limit)
{
	double	   *v = palloc(sizeof(double) * ds->n);
	int			k = 0;

	memcpy(v, ds->y, sizeof(double) * ds->n);
	qsort(v, ds->n, sizeof(double), ml_cmp_double);
	for (int64 i = 0; i < ds->n && k <= limit; i++)
		if (i == 0 || v[i] != v[i - 1])
			v[k++] = v[i];
	*values = v;
	return k;
}

/* A numeric class label: the shortest text that reads back the same. */
static char *
number_label(double v)
{
	char		buf[64];

	for (int digits = 15; digits <= 17; digits++)
	{
		snprintf(buf, sizeof(buf), "%.*g", digits, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return pstrdup(buf);
}

static void
error_one_class(TrainRun *run, const char *label)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("target \"%s\" of relation %s has only one class (%s)",
					run->ds->target.name, run->ds->relname, label),
			 errhint("A classifier needs at least two classes.")));
}

static void
error_too_many_classes(TrainRun *run, int n)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("target \"%s\" of relation %s has %s%d classes, more than the %d a classifier may have",
					run->ds->target.name, run->ds->relname, n > MODEL_MAX_CLASSES ? "over " : "",
					Min(n, MODEL_MAX_CLASSES + 1) - (n > MODEL_MAX_CLASSES), MODEL_MAX_CLASSES),
			 errhint("Train a regression model with task => 'regression', or group the classes.")));
}

/*
 * Classification: set the classes (sorted, as scikit-learn does) and turn
 * the target into class indexes.
 */
static void
set_classes(TrainRun *run)
{
	Dataset    *ds = run->ds;
	MlModel    *m = &run->model;
	DatasetColumn *t = &ds->target;

	m->task = ML_CLASSIFICATION;
	if (t->type.kind == FEAT_CATEGORICAL)
	{
		int		   *order = palloc(sizeof(int) * t->nlabels);
		int		   *index = palloc(sizeof(int) * t->nlabels);

		if (t->nlabels > MODEL_MAX_CLASSES)
			error_too_many_classes(run, t->nlabels);
		for (int c = 0; c < t->nlabels; c++)
			order[c] = c;
		qsort_arg(order, t->nlabels, sizeof(int), cmp_label_index, t->labels);
		m->nclasses = t->nlabels;
		m->classes = palloc(sizeof(char *) * m->nclasses);
		for (int c = 0; c < t->nlabels; c++)
		{
			m->classes[c] = t->labels[order[c]];
			index[order[c]] = c;
		}
		for (int64 i = 0; i < ds->n; i++)
			ds->y[i] = index[(int) ds->y[i]];
		m->classes_numeric = false;
	}
	else
	{
		double	   *values;
		int			k = distinct_targets(ds, &values, MODEL_MAX_CLASSES);

		if (k > MODEL_MAX_CLASSES)
			error_too_many_classes(run, k);
		m->nclasses = k;
		m->classes = palloc(sizeof(char *) * k);
		m->class_values = palloc(sizeof(double) * k);
		for (int c = 0; c < k; c++)
		{
			m->class_values[c] = values[c];
			m->classes[c] = t->type.kind == FEAT_BOOLEAN ?
				pstrdup(values[c] != 0 ? "true" : "false") : number_label(values[c]);
		}
		for (int64 i = 0; i < ds->n; i++)
		{
			double	   *hit = bsearch(&ds->y[i], values, k, sizeof(double), ml_cmp_double);

			ds->y[i] = hit - values;
		}
		m->classes_numeric = true;
	}
	if (m->nclasses < 2)
		error_one_class(run, m->classes[0]);
}

/* Choose the task from the argument and the target's type and values. */
static void
choose_task(TrainRun *run, const char *task)
{
	Dataset    *ds = run->ds;
	FeatureType *tt = &ds->target.type;
	bool		classify;

	if (tt->kind == FEAT_DATE || tt->kind == FEAT_TIMESTAMP)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("target \"%s\" has type %s, which automl cannot learn",
						ds->target.name, format_type_be(tt->typid)),
				 errhint("Targets may be numbers, booleans, text or enums; convert dates to numbers first.")));
	if (strcmp(task, "classification") == 0)
		classify = true;
	else if (strcmp(task, "regression") == 0)
	{
		if (tt->kind != FEAT_NUMERIC)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("target \"%s\" of type %s cannot be used for regression",
							ds->target.name, format_type_be(tt->typid)),
					 errhint("Use task => 'classification', or a numeric target.")));
		classify = false;
	}
	else if (strcmp(task, "auto") == 0)
	{
		if (tt->kind != FEAT_NUMERIC)
			classify = true;
		else if (tt->is_integer)
		{
			double	   *values;

			classify = distinct_targets(ds, &values, AUTO_CLASSIFICATION_MAX_VALUES) <=
				AUTO_CLASSIFICATION_MAX_VALUES;
			pfree(values);
		}
		else
			classify = false;
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown task \"%s\"", task),
				 errhint("Valid tasks are: auto, classification, regression.")));

	if (classify)
		set_classes(run);
	else
		run->model.task = ML_REGRESSION;
}

static const MlAlgorithm *
choose_algorithm(const char *name, MlTask task)
{
	const MlAlgorithm *alg;

	alg = ml_algorithm_by_name(name);
	if (alg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown algorithm \"%s\"", name),
				 errhint("Valid algorithms are: auto, %s.", ml_algorithm_names())));
	if ((task == ML_REGRESSION && !alg->regression) ||
		(task == ML_CLASSIFICATION && !alg->classification))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("algorithm %s does not support %s", alg->name,
						model_task_name(task)),
				 errhint(task == ML_REGRESSION ?
						 "For regression use linear_regression, ridge, lasso, elastic_net, decision_tree, random_forest, gradient_boosting or knn." :
						 "For classification use logistic_regression, decision_tree, random_forest, gradient_boosting, naive_bayes or knn.")));
	return alg;
}

/* Preprocessing fitted on the training rows, then the design matrices. */
static void
build_design(TrainRun *run)
{
	Dataset    *ds = run->ds;
	Preprocessor *pp = palloc0(sizeof(Preprocessor));
	double	  **raw;
	Size		bytes;
	bool		in_place;

	/*
	 * After a search the raw columns serve once more (the refit on every
	 * row), so they are read through a view; otherwise the categories are
	 * remapped in place.
	 */
	if (run->searched)
	{
		raw = dataset_view(ds, pp, run->alg->one_hot);
		pp->unscaled = run->alg->one_hot && !run->hp.standardize;
	}
	else
	{
		pp->nfeatures = ds->nfeatures;
		pp->one_hot = run->alg->one_hot;
		pp->unscaled = run->alg->one_hot && !run->hp.standardize;
		pp->features = palloc0(sizeof(FeatureSpec) * ds->nfeatures);
		for (int f = 0; f < ds->nfeatures; f++)
		{
			FeatureSpec *fs = &pp->features[f];
			DatasetColumn *col = &ds->features[f];

			fs->name = col->name;
			fs->type_name = feature_type_name(col->type.typid);
			fs->kind = col->type.kind;
			if (fs->kind == FEAT_CATEGORICAL)
				fs->ncats = dataset_keep_categories(ds, f,
													pp->one_hot ? PP_MAX_ONE_HOT : PP_MAX_ORDINAL,
													&fs->cats);
		}
		raw = ds->raw;
	}
	preprocess_fit(pp, raw, run->train_idx, run->n_train);
	run->model.pp = pp;
	/* before the raw columns become the design matrix */
	run->model.ref = reference_build(pp, raw, run->train_idx, run->n_train);

	/*
	 * When every feature is one design column (numbers, booleans, ordinal
	 * categories), the training matrix is built in place in the dataset's
	 * block: column f moves from f * cap to f * n_train, reading each value
	 * at or after where it writes (train_idx ascends), so nothing is
	 * overwritten before it is read.  The test rows are gathered first.
	 * This saves a copy and the memory of the largest matrix.
	 */
	in_place = pp->p == ds->nfeatures && !run->searched;
	bytes = (Size) (run->n_test + (in_place ? 0 : run->n_train)) * (pp->p + 1) * sizeof(double);
	dataset_check_memory(ds, bytes, "The design matrix");
	run->x_test = MemoryContextAllocHuge(CurrentMemoryContext,
										 sizeof(double) * Max(run->n_test, 1) * pp->p);
	preprocess_transform(pp, raw, run->test_idx, run->n_test, run->x_test);
	if (in_place)
		run->x_train = ds->block;
	else
		run->x_train = MemoryContextAllocHuge(CurrentMemoryContext,
											  sizeof(double) * Max(run->n_train, 1) * pp->p);
	preprocess_transform(pp, raw, run->train_idx, run->n_train, run->x_train);
	if (run->searched)
		dataset_free_view(ds, raw);
	else
		/* ds->raw is the design matrix now, or stale: nothing reads it again */
		ds->raw = NULL;
	run->y_train = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * Max(run->n_train, 1));
	run->y_test = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * Max(run->n_test, 1));
	for (int64 i = 0; i < run->n_train; i++)
		run->y_train[i] = ds->y[run->train_idx[i]];
	for (int64 i = 0; i < run->n_test; i++)
		run->y_test[i] = ds->y[run->test_idx[i]];
}

static void
fit(TrainRun *run)
{
	MlData		d;
	char		errbuf[ML_ERRBUF_SIZE];
	int		   *ncat = preprocess_ncategories(run->model.pp);

	d.n = run->n_train;
	d.p = run->model.pp->p;
	d.x = run->x_train;
	d.y = run->y_train;
	d.task = run->model.task;
	d.nclasses = run->model.nclasses;
	d.ncategories = ncat;
	errbuf[0] = '\0';
	run->model.alg = run->alg;
	run->model.fitted = run->alg->fit(&d, &run->hp, errbuf);
	if (run->model.fitted == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s could not be trained on %s: %s", run->alg->name,
						run->ds->relname, errbuf[0] ? errbuf : "unknown reason")));
}

/* Metrics on the held-out rows, as JSON; sets the deployment score. */
static void
evaluate_test(TrainRun *run)
{
	StringInfoData buf;
	JsonWriter	w;
	int			k = run->model.task == ML_CLASSIFICATION ? run->model.nclasses : 1;

	run->pred = MemoryContextAllocHuge(CurrentMemoryContext,
									   sizeof(double) * Max(run->n_test, 1) * k);
	if (run->n_test > 0)
		run->alg->predict_batch(run->model.fitted, run->x_test, run->n_test, run->pred);
	initStringInfo(&buf);
	jw_init(&w, &buf);
	jw_begin_object(&w);
	train_metrics_json(&w, run->model.task, run->model.nclasses, run->y_test,
					   run->pred, run->n_test, &run->score);
	jw_key(&w, "train_rows");
	jw_int64(&w, run->n_train);
	jw_key(&w, "test_rows");
	jw_int64(&w, run->n_test);
	jw_key(&w, "dropped_rows");
	jw_int64(&w, run->ds->dropped_rows);
	if (run->opt.sample_rows > 0)
	{
		jw_key(&w, "rows_read");
		jw_int64(&w, run->ds->rows_read);
	}
	if (run->searched)
	{
		const SearchResult *sr = &run->search;

		jw_key(&w, "search");
		jw_begin_object(&w);
		jw_key(&w, "metric");
		jw_string(&w, run->metric);
		jw_key(&w, "folds");
		jw_int64(&w, sr->folds);
		jw_key(&w, "trials");
		jw_int64(&w, sr->ntrials);
		jw_key(&w, "best_trial");
		if (sr->best >= 0)
			jw_int64(&w, sr->trials[sr->best].trial);
		else
			jw_null(&w);
		jw_key(&w, "best_score");
		jw_double(&w, sr->best >= 0 ? sr->trials[sr->best].score : NAN);
		jw_key(&w, "selected_by");
		jw_string(&w, sr->selected_by);
		jw_key(&w, "top_trial");
		if (sr->top >= 0)
			jw_int64(&w, sr->trials[sr->top].trial);
		else
			jw_null(&w);
		jw_key(&w, "budget_seconds");
		jw_double(&w, run->budget_seconds);
		jw_key(&w, "seconds");
		jw_double(&w, sr->seconds);
		jw_key(&w, "stopped");
		jw_string(&w, sr->stopped);
		jw_end_object(&w);
	}
	jw_end_object(&w);
	run->metrics_json = buf.data;
	run->score_null = isnan(run->score);
	run->diagnostics_json = diagnostics_json(run->model.task, run->model.nclasses,
											 run->y_test, run->pred, run->n_test);
}

void
train_metrics_json(JsonWriter *w, MlTask task, int nclasses, const double *y,
				   const double *pred, int64 n, double *score)
{
	if (task == ML_REGRESSION)
	{
		MlRegressionMetrics rm;

		metrics_regression(y, pred, n, &rm);
		jw_key(w, "r2");
		jw_double(w, rm.r2);
		jw_key(w, "rmse");
		jw_double(w, rm.rmse);
		jw_key(w, "mae");
		jw_double(w, rm.mae);
		*score = rm.r2;
	}
	else
	{
		MlClassificationMetrics cm;

		metrics_classification(y, pred, n, nclasses, &cm);
		jw_key(w, "accuracy");
		jw_double(w, cm.accuracy);
		jw_key(w, "precision");
		jw_double(w, cm.precision);
		jw_key(w, "recall");
		jw_double(w, cm.recall);
		jw_key(w, "f1");
		jw_double(w, cm.f1);
		jw_key(w, "log_loss");
		jw_double(w, cm.log_loss);
		if (nclasses == 2)
		{
			jw_key(w, "roc_auc");
			jw_double(w, cm.roc_auc);
		}
		*score = cm.accuracy;
	}
}

/* The algorithm's effective hyperparameters, as JSON. */
char *
train_hyperparams_json(const MlAlgorithm *alg, const MlHyperparams *hp)
{
	StringInfoData buf;
	JsonWriter	w;

	initStringInfo(&buf);
	jw_init(&w, &buf);
	jw_begin_object(&w);
	for (int i = 0; i < ml_hyperparam_count(); i++)
	{
		const MlHyperparamSpec *spec = ml_hyperparam_spec(i);
		double		v;

		if (!ml_hyperparam_applies(spec, alg->name))
			continue;
		v = ml_hyperparam_get(hp, spec);
		jw_key(&w, spec->key);
		if (spec->type == HP_BOOL)
			jw_bool(&w, v != 0);
		else if (spec->type == HP_INT)
			jw_int64(&w, (int64) v);
		else
			jw_double(&w, v);
	}
	jw_key(&w, "seed");
	jw_int64(&w, (int64) hp->seed);
	jw_end_object(&w);
	return buf.data;
}

/* The info string stored in the image: what import_model restores. */
static char *
model_info_json(TrainRun *run, double seconds)
{
	StringInfoData buf;
	JsonWriter	w;

	initStringInfo(&buf);
	jw_init(&w, &buf);
	jw_begin_object(&w);
	jw_key(&w, "hyperparams");
	appendStringInfoString(&buf, run->hyperparams_json);
	w.need_comma[w.depth] = true;
	jw_key(&w, "metrics");
	appendStringInfoString(&buf, run->metrics_json);
	w.need_comma[w.depth] = true;
	jw_key(&w, "diagnostics");
	appendStringInfoString(&buf, run->diagnostics_json);
	w.need_comma[w.depth] = true;
	jw_key(&w, "score");
	jw_double(&w, run->score);
	jw_key(&w, "train_rows");
	jw_int64(&w, run->n_train);
	jw_key(&w, "training_seconds");
	jw_double(&w, seconds);
	jw_end_object(&w);
	return buf.data;
}

/*
 * algorithm 'auto': search on the training rows within the budget, then
 * take the winner (refitted on all training rows by the caller).  When no
 * trial finished in time, the cheapest start point is used.
 */
static void
search_winner(TrainRun *run)
{
	SearchSpec	spec;
	const SearchTrial *best;

	memset(&spec, 0, sizeof(spec));
	spec.ds = run->ds;
	spec.task = run->model.task;
	spec.nclasses = run->model.nclasses;
	spec.train_idx = run->train_idx;
	spec.n_train = run->n_train;
	spec.seed = run->opt.seed;
	spec.metric = run->metric;
	spec.start = run->start;
	spec.deadline = TimestampTzPlusMilliseconds(run->start, (int64) (run->budget_seconds * 1000));
	search_run(&spec, &run->search);
	if (run->search.best >= 0)
	{
		best = &run->search.trials[run->search.best];
		run->alg = best->alg;
		run->hp = best->hp;
	}
	else
	{
		run->alg = ml_algorithm_by_name(run->model.task == ML_CLASSIFICATION ?
										"logistic_regression" : "ridge");
		ml_hyperparams_default(&run->hp);
		run->hp.seed = run->opt.seed;
	}
}

/*
 * After a search, the metrics come from the winner fitted on the training
 * rows and scored on the test rows; the model stored is then fitted once
 * more on every row (as FLAML's retrain_full does), so that the rows held
 * out for the metrics still teach the model.  train_rows counts them.
 */
static void
refit_all_rows(TrainRun *run)
{
	Dataset    *ds = run->ds;

	for (int64 i = 0; i < ds->n; i++)
		run->train_idx[i] = i;
	run->n_train = ds->n;
	run->n_test = 0;
	build_design(run);
	fit(run);
}

static void
train_steps(TrainRun *run, Oid relid, const char *target, const char *task,
			const char *algorithm)
{
	Dataset    *ds;

	ds = run->ds = dataset_load(relid, target, run->opt.exclude,
								run->opt.sample_rows, run->opt.seed);
	if (ds->skipped != NIL)
	{
		StringInfoData names;
		ListCell   *lc;

		initStringInfo(&names);
		foreach(lc, ds->skipped)
			appendStringInfo(&names, "%s%s", names.len ? ", " : "",
							 quote_identifier(lfirst(lc)));
		ereport(NOTICE,
				(errmsg("columns of types automl cannot use are not features: %s", names.data),
				 errhint("Exclude them with options {\"exclude\": [...]} to silence this notice.")));
	}
	if (ds->n == 0)
	{
		if (ds->dropped_rows > 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("target \"%s\" is NULL in every row of %s", target, ds->relname)));
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("relation %s has no rows to train on", ds->relname)));
	}
	if (ds->n < 2)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("relation %s has only one row with a target", ds->relname),
				 errhint("Training needs at least two rows.")));

	choose_task(run, task);
	run->searched = strcmp(algorithm, "auto") == 0;
	run->metric = run->opt.metric ? run->opt.metric : search_default_metric(run->model.task);
	if (!search_metric_valid(run->metric, run->model.task))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("metric \"%s\" does not apply to %s", run->metric,
						model_task_name(run->model.task)),
				 errhint(run->model.task == ML_CLASSIFICATION ?
						 "Classification metrics are: accuracy, f1, roc_auc, log_loss." :
						 "Regression metrics are: r2, rmse, mae.")));
	if (run->searched && run->opt.hyperparams != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("options.hyperparams needs a named algorithm"),
				 errhint("The search of algorithm 'auto' chooses the hyperparameters; name an algorithm to set them.")));
	if (!run->searched)
	{
		run->alg = choose_algorithm(algorithm, run->model.task);
		ml_hyperparams_default(&run->hp);
		run->hp.seed = run->opt.seed;
		train_hyperparams_parse(run->opt.hyperparams, run->alg->name, &run->hp);
	}

	run->train_idx = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int64) * ds->n);
	run->test_idx = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int64) * ds->n);
	if (run->opt.test_fraction == 0)
	{
		/* no holdout: fit on every row, metrics are NULL */
		for (int64 i = 0; i < ds->n; i++)
			run->train_idx[i] = i;
		run->n_train = ds->n;
		run->n_test = 0;
	}
	else
		split_train_test(ds->y, ds->n, run->model.task, run->model.nclasses,
						 run->opt.test_fraction, run->opt.seed,
						 run->train_idx, &run->n_train, run->test_idx, &run->n_test);
	if (run->searched)
		search_winner(run);
	run->hyperparams_json = train_hyperparams_json(run->alg, &run->hp);
	build_design(run);
	run->model.target = ds->target.name;
	fit(run);
	evaluate_test(run);
	if (run->searched && run->n_test > 0)
		refit_all_rows(run);
}

/*
 * automl.train(model_name text, relation regclass, target text,
 *				task text, algorithm text, time_budget interval,
 *				options jsonb)
 * RETURNS TABLE(model_id bigint, model_name text, version int, task text,
 *				 algorithm text, metrics jsonb, deployed boolean)
 */
Datum
automl_train(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TrainRun	run;
	MemoryContext cxt,
				old;
	TimestampTz start = GetCurrentTimestamp();
	RegistryRow row;
	int64		model_id;
	int			version;
	double		seconds;
	Datum		values[7];
	bool		nulls[7] = {0};
	uint8	   *image;
	size_t		image_len;
	bytea	   *blob;

	for (int i = 0; i < 5; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("argument %s of automl.train must not be NULL",
							((const char *[]) {"model_name", "relation", "target", "task", "algorithm"})[i])));
	memset(&run, 0, sizeof(run));
	run.start = start;
	run.budget_seconds = automl_max_training_time_s;
	if (!PG_ARGISNULL(5))
	{
		Interval   *iv = PG_GETARG_INTERVAL_P(5);
		double		secs = iv->time / (double) USECS_PER_SEC +
			(iv->day + (double) iv->month * DAYS_PER_MONTH) * SECS_PER_DAY;

		if (!(secs > 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("time_budget must be positive")));
		run.budget_seconds = Min(secs, automl_max_training_time_s);
	}
	run.model_name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	registry_check_name(run.model_name);
	train_options_parse(PG_ARGISNULL(6) ? NULL : PG_GETARG_JSONB_P(6), &run.opt);
	InitMaterializedSRF(fcinfo, 0);

	cxt = AllocSetContextCreate(CurrentMemoryContext, "automl train",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	registry_check_training(run.model_name);
	train_deadline = TimestampTzPlusMilliseconds(start, (int64) automl_max_training_time_s * 1000);
	PG_TRY();
	{
		train_steps(&run, PG_GETARG_OID(1),
					text_to_cstring(PG_GETARG_TEXT_PP(2)),
					text_to_cstring(PG_GETARG_TEXT_PP(3)),
					text_to_cstring(PG_GETARG_TEXT_PP(4)));
	}
	PG_FINALLY();
	{
		train_deadline = 0;
	}
	PG_END_TRY();

	seconds = (double) (GetCurrentTimestamp() - start) / USECS_PER_SEC;
	run.model.info = model_info_json(&run, seconds);
	image = model_encode(&run.model, &image_len);
	blob = palloc(VARHDRSZ + image_len);
	SET_VARSIZE(blob, VARHDRSZ + image_len);
	memcpy(VARDATA(blob), image, image_len);

	memset(&row, 0, sizeof(row));
	registry_row_from_model(&row, &run.model, run.model_name);
	row.image = blob;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	registry_lock_name(run.model_name);
	row.deploy = registry_should_deploy(run.model_name, (int) run.opt.deploy,
										run.score, run.score_null);
	model_id = registry_insert(&row, &version);
	if (run.searched)
		registry_insert_trials(run.model_name, version, model_id, run.metric,
							   run.search.trials, run.search.ntrials, run.search.best);
	SPI_finish();
	train_report_progress(100);
	MemoryContextSwitchTo(old);

	values[0] = Int64GetDatum(model_id);
	values[1] = CStringGetTextDatum(run.model_name);
	values[2] = Int32GetDatum(version);
	values[3] = CStringGetTextDatum(model_task_name(run.model.task));
	values[4] = CStringGetTextDatum(run.alg->name);
	values[5] = DirectFunctionCall1(jsonb_in, CStringGetDatum(run.metrics_json));
	values[6] = BoolGetDatum(row.deploy);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	MemoryContextDelete(cxt);
	return (Datum) 0;
}

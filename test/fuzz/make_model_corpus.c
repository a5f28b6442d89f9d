/*-------------------------------------------------------------------------
 *
 * make_model_corpus.c
 *	  Writes the seed corpus of fuzz_model_decode
 *	  (test/fuzz/corpus/model_decode/).
 *
 * Each seed is a valid model image made by the code under test: a
 * preprocessor fitted on a dozen hand-written rows, an algorithm fitted on
 * their design matrix with small hyperparameters (few, shallow trees), then
 * model_encode.  Every algorithm appears, for regression and for binary
 * and multiclass classification where it supports them, on two feature
 * sets: "full" (numeric, boolean, a categorical with three categories, a
 * categorical whose every value is "other", a date and a timestamp, some
 * missing; one-hot or ordinal as the algorithm wants) and "num" (two
 * numbers).  Class labels are numbers, booleans or text.  Most seeds are in
 * the harness's checksum mode (first byte 1, then the image without its
 * CRC-32C, which the harness appends); a few are whole images (first byte
 * 0).  Where images carry the training distributions (src/ml/reference.c),
 * six seeds have them (about 1 KB per non-categorical feature).  Every
 * seed is decoded once here before it is written, and must stay under
 * 20 KB.  Run from the repository root (with
 * src/ml/reference.c among the sources when the tree has it):
 *
 *	  cc -std=gnu11 -O2 -DAUTOML_STANDALONE -Isrc \
 *		test/fuzz/make_model_corpus.c src/ml/model.c src/ml/model_io.c \
 *		src/ml/preprocess.c src/ml/algorithms.c src/ml/rng.c \
 *		src/ml/hyperparams.c src/ml/linear.c src/ml/logistic.c \
 *		src/ml/naive_bayes.c src/ml/knn.c src/ml/tree.c src/ml/forest.c \
 *		src/ml/gbdt.c src/ml/reference.c \
 *		/usr/lib/postgresql/15/lib/libpgport.a \
 *		-llapacke -lopenblas -lm -o /tmp/make_model_corpus && \
 *	  /tmp/make_model_corpus
 *
 * The program leaks its models: it runs once and exits.
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ml/model.h"

/*
 * Images carry the training distributions of the drift checks
 * (reference.h) where the tree has them: then the seeds marked so do.
 */
#if defined(__has_include)
#if __has_include("ml/reference.h")
#define HAVE_REFERENCE 1
#endif
#endif

#define DIR			"test/fuzz/corpus/model_decode"
#define NROWS		12
#define MAX_SEED	(20 * 1024)

/* Which rows and columns a seed's model is trained on. */
typedef enum FeatureSet
{
	SET_FULL,					/* every kind of feature */
	SET_NUM						/* two numbers */
} FeatureSet;

/* Which target, and so which task and classes. */
typedef enum Target
{
	T_REGRESSION,
	T_BINARY,					/* numeric labels "0", "1" */
	T_BOOLEAN,					/* labels "false", "true" */
	T_MULTI						/* text labels, three classes */
} Target;

/* Options of a seed. */
#define SEED_WEIGHTED	0x01	/* knn: distance-weighted votes */
#define SEED_REFERENCE	0x02	/* with the training distributions */
#define SEED_WHOLE		0x04	/* whole image (mode 0), not a body (mode 1) */

/* Seeds written so far. */
static int nseeds;

/*
 * The raw columns of the full set (preprocess.h: categories as indexes,
 * dates as epoch seconds, NaN for missing).
 */
static double col_x[NROWS] = {1.5, -2.0, 3.25, NAN, 0.0, 7.0, -1.0, 2.5, 4.0, -3.5, 6.0, 0.5};
static double col_flag[NROWS] = {0, 1, 1, 0, NAN, 1, 0, 0, 1, 1, 0, 1};
static double col_color[NROWS] = {0, 1, 2, 3, 0, NAN, 2, 1, 0, 2, 1, 3};
static double col_rare[NROWS] = {0, 0, NAN, 0, 0, 0, 0, 0, 0, 0, 0, 0};
static double col_day[NROWS];
static double col_ts[NROWS];
static double col_b[NROWS] = {10, 20, 15, 30, 25, 5, 40, 35, 12, 18, 22, 28};

/* Dates and timestamps, some before 1970. */
static void
init_columns(void)
{
	for (int i = 0; i < NROWS; i++)
	{
		col_day[i] = (i == 4) ? NAN : (double) (i * 400 - 1500) * 86400.0;
		col_ts[i] = 1.6e9 + i * 37000.0 - (i % 3) * 2.5e8;
	}
}

/* The target value of row i. */
static double
target_value(Target t, int i)
{
	double		x = isnan(col_x[i]) ? 1.0 : col_x[i];

	switch (t)
	{
		case T_REGRESSION:
			return 2.0 * x + col_b[i] / 10.0 + (i % 3) * 0.25;
		case T_BINARY:
		case T_BOOLEAN:
			return (x + (i % 2)) > 1.5 ? 1.0 : 0.0;
		case T_MULTI:
			return (double) (i % 3);
	}
	return 0.0;
}

/* Copy of a string (the model keeps it). */
static char *
copy_str(const char *s)
{
	char	   *d = malloc(strlen(s) + 1);

	strcpy(d, s);
	return d;
}

/* One feature spec of the preprocessor. */
static void
set_feature(FeatureSpec *fs, const char *name, const char *type_name,
			FeatureKind kind, int ncats, const char *const *cats)
{
	memset(fs, 0, sizeof(FeatureSpec));
	fs->name = copy_str(name);
	fs->type_name = copy_str(type_name);
	fs->kind = kind;
	fs->ncats = ncats;
	fs->cats = malloc(sizeof(char *) * (ncats + 1));
	for (int c = 0; c < ncats; c++)
		fs->cats[c] = copy_str(cats[c]);
}

/*
 * The preprocessor of a feature set, fitted on every row; raw receives the
 * columns.
 */
static Preprocessor *
fit_preprocessor(FeatureSet set, bool one_hot, double **raw)
{
	static const char *const colors[] = {"blue", "green", "red"};
	Preprocessor *pp = calloc(1, sizeof(Preprocessor));
	int64		idx[NROWS];

	for (int i = 0; i < NROWS; i++)
		idx[i] = i;
	pp->one_hot = one_hot;
	if (set == SET_FULL)
	{
		pp->nfeatures = 6;
		pp->features = calloc(6, sizeof(FeatureSpec));
		set_feature(&pp->features[0], "x", "double precision", FEAT_NUMERIC, 0, NULL);
		set_feature(&pp->features[1], "flag", "boolean", FEAT_BOOLEAN, 0, NULL);
		set_feature(&pp->features[2], "color", "text", FEAT_CATEGORICAL, 3, colors);
		set_feature(&pp->features[3], "rare", "text", FEAT_CATEGORICAL, 0, NULL);
		set_feature(&pp->features[4], "day", "date", FEAT_DATE, 0, NULL);
		set_feature(&pp->features[5], "ts", "timestamp with time zone", FEAT_TIMESTAMP, 0, NULL);
		raw[0] = col_x;
		raw[1] = col_flag;
		raw[2] = col_color;
		raw[3] = col_rare;
		raw[4] = col_day;
		raw[5] = col_ts;
	}
	else
	{
		pp->nfeatures = 2;
		pp->features = calloc(2, sizeof(FeatureSpec));
		set_feature(&pp->features[0], "a", "double precision", FEAT_NUMERIC, 0, NULL);
		set_feature(&pp->features[1], "b", "integer", FEAT_NUMERIC, 0, NULL);
		raw[0] = col_x;
		raw[1] = col_b;
	}
	preprocess_fit(pp, raw, idx, NROWS);
	return pp;
}

/* Task, classes and their labels of a target. */
static void
set_target(MlModel *m, Target t)
{
	static const char *const text[] = {"bird", "cat", "dog"};

	m->target = copy_str(t == T_REGRESSION ? "price" : "label");
	m->task = t == T_REGRESSION ? ML_REGRESSION : ML_CLASSIFICATION;
	m->nclasses = t == T_REGRESSION ? 0 : t == T_MULTI ? 3 : 2;
	m->classes_numeric = t == T_BINARY || t == T_BOOLEAN;
	m->classes = malloc(sizeof(char *) * (m->nclasses + 1));
	m->class_values = malloc(sizeof(double) * (m->nclasses + 1));
	for (int c = 0; c < m->nclasses; c++)
	{
		if (t == T_BINARY)
			m->classes[c] = copy_str(c == 0 ? "0" : "1");
		else if (t == T_BOOLEAN)
			m->classes[c] = copy_str(c == 0 ? "false" : "true");
		else
			m->classes[c] = copy_str(text[c]);
		m->class_values[c] = c;
	}
}

/* Small hyperparameters: a few shallow trees, few bins, k = 3. */
static void
small_hyperparams(MlHyperparams *hp, bool weighted)
{
	ml_hyperparams_default(hp);
	hp->n_estimators = 3;
	hp->max_depth = 2;
	hp->max_bins = 8;
	hp->min_child_weight = 0.05;
	hp->bootstrap = false;
	hp->subsample = 0.8;
	hp->k = 3;
	hp->distance_weighted = weighted;
	hp->max_iter = 50;
	hp->alpha = 0.1;
}

/* Write len bytes as DIR/name, refusing a seed of MAX_SEED bytes or more. */
static void
put(const char *name, const uint8 *buf, size_t len)
{
	char		path[256];
	FILE	   *f;

	if (len >= MAX_SEED)
	{
		fprintf(stderr, "%s: %zu bytes is too big for a seed\n", name, len);
		exit(1);
	}
	snprintf(path, sizeof(path), DIR "/%s", name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(buf, 1, len, f) != len || fclose(f) != 0)
	{
		perror(path);
		exit(1);
	}
	nseeds++;
}

/*
 * Fit alg on a feature set and target and write the seed (flags: SEED_*):
 * mode 1, the body, to which the harness adds the checksum, or mode 0, the
 * whole image.
 */
static void
seed(const char *name, const char *alg, FeatureSet set, Target t, int flags)
{
	int			mode = (flags & SEED_WHOLE) ? 0 : 1;
	MlModel		m;
	MlHyperparams hp;
	MlData		d;
	double	   *raw[6];
	double		y[NROWS];
	int64		idx[NROWS];
	double	   *x;
	char		errbuf[ML_ERRBUF_SIZE] = "";
	uint8	   *image;
	uint8	   *file;
	size_t		len;

	memset(&m, 0, sizeof(m));
	m.alg = ml_algorithm_by_name(alg);
	if (m.alg == NULL)
	{
		fprintf(stderr, "%s: no algorithm %s\n", name, alg);
		exit(1);
	}
	set_target(&m, t);
	m.pp = fit_preprocessor(set, m.alg->one_hot, raw);
	for (int i = 0; i < NROWS; i++)
	{
		idx[i] = i;
		y[i] = target_value(t, i);
	}
	x = malloc(sizeof(double) * NROWS * m.pp->p);
	preprocess_transform(m.pp, raw, idx, NROWS, x);
	d.n = NROWS;
	d.p = m.pp->p;
	d.x = x;
	d.y = y;
	d.task = m.task;
	d.nclasses = m.nclasses;
	d.ncategories = preprocess_ncategories(m.pp);
	small_hyperparams(&hp, (flags & SEED_WEIGHTED) != 0);
	m.fitted = m.alg->fit(&d, &hp, errbuf);
	if (m.fitted == NULL)
	{
		fprintf(stderr, "%s: %s did not fit: %s\n", name, alg, errbuf);
		exit(1);
	}
	m.info = copy_str("{\"hyperparams\":{\"seed\":42},\"score\":0.5,\"train_rows\":12}");
#ifdef HAVE_REFERENCE
	if (flags & SEED_REFERENCE)
		m.ref = reference_build(m.pp, raw, idx, NROWS);
#endif
	image = model_encode(&m, &len);
	if (model_decode(image, len) == NULL)
	{
		fprintf(stderr, "%s: the image does not decode\n", name);
		exit(1);
	}
	/* mode 1 drops the checksum, which the harness recomputes */
	if (mode == 1)
		len -= 4;
	file = malloc(len + 1);
	file[0] = (uint8) mode;
	memcpy(file + 1, image, len);
	put(name, file, len + 1);
	free(file);
}

/* Write every seed. */
int
main(void)
{
	init_columns();
	mkdir("test/fuzz/corpus", 0755);
	mkdir(DIR, 0755);

	/* regression */
	seed("linear_full", "linear_regression", SET_FULL, T_REGRESSION, 0);
	seed("linear_num", "linear_regression", SET_NUM, T_REGRESSION, SEED_REFERENCE);
	seed("ridge_full", "ridge", SET_FULL, T_REGRESSION, 0);
	seed("lasso_num", "lasso", SET_NUM, T_REGRESSION, 0);
	seed("elastic_net_full", "elastic_net", SET_FULL, T_REGRESSION, 0);
	seed("tree_reg_full", "decision_tree", SET_FULL, T_REGRESSION, SEED_REFERENCE);
	seed("tree_reg_num", "decision_tree", SET_NUM, T_REGRESSION, 0);
	seed("forest_reg_full", "random_forest", SET_FULL, T_REGRESSION, 0);
	seed("gbdt_reg_full", "gradient_boosting", SET_FULL, T_REGRESSION, 0);
	seed("gbdt_reg_num", "gradient_boosting", SET_NUM, T_REGRESSION, 0);
	seed("knn_reg_full", "knn", SET_FULL, T_REGRESSION, SEED_WEIGHTED);
	seed("knn_reg_num", "knn", SET_NUM, T_REGRESSION, 0);

	/* binary classification */
	seed("logistic_bin_full", "logistic_regression", SET_FULL, T_BINARY, 0);
	seed("logistic_bool_num", "logistic_regression", SET_NUM, T_BOOLEAN, 0);
	seed("tree_bin_full", "decision_tree", SET_FULL, T_BINARY, 0);
	seed("forest_bool_full", "random_forest", SET_FULL, T_BOOLEAN, 0);
	seed("gbdt_bool_full", "gradient_boosting", SET_FULL, T_BOOLEAN, 0);
	seed("nb_bin_full", "naive_bayes", SET_FULL, T_BINARY, 0);
	seed("knn_bin_num", "knn", SET_NUM, T_BINARY, SEED_REFERENCE);

	/* multiclass classification */
	seed("logistic_multi_full", "logistic_regression", SET_FULL, T_MULTI, 0);
	seed("tree_multi_full", "decision_tree", SET_FULL, T_MULTI, 0);
	seed("forest_multi_num", "random_forest", SET_NUM, T_MULTI, 0);
	seed("forest_multi_full", "random_forest", SET_FULL, T_MULTI, SEED_REFERENCE);
	seed("gbdt_multi_full", "gradient_boosting", SET_FULL, T_MULTI, 0);
	seed("nb_multi_num", "naive_bayes", SET_NUM, T_MULTI, SEED_REFERENCE);
	seed("knn_multi_full", "knn", SET_FULL, T_MULTI, SEED_WEIGHTED);

	/* whole images, checksum included */
	seed("whole_linear_num", "linear_regression", SET_NUM, T_REGRESSION, SEED_WHOLE);
	seed("whole_forest_multi", "random_forest", SET_NUM, T_MULTI, SEED_WHOLE);
	seed("whole_gbdt_bool", "gradient_boosting", SET_NUM, T_BOOLEAN, SEED_WHOLE | SEED_REFERENCE);
	seed("whole_nb_bin", "naive_bayes", SET_FULL, T_BINARY, SEED_WHOLE);
	seed("whole_knn_multi", "knn", SET_NUM, T_MULTI, SEED_WHOLE);

	printf("%d seeds in %s\n", nseeds, DIR);
	return 0;
}

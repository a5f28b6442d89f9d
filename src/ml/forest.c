/*-------------------------------------------------------------------------
 *
 * forest.c
 *	  decision_tree and random_forest: CART-style trees grown on feature
 *	  histograms (tree.c), for regression and classification.
 *
 * Regression trees minimise squared error: the grower sees the centred
 * target (divided by max |y|, so that any finite target fits a float) as
 * its gradient with unit hessians, so a split's gain is half the decrease
 * in squared error.  Classification trees minimise Gini impurity,
 * which is the squared error of the class indicator vector: the grower
 * sees one indicator per class (one channel suffices for two classes, the
 * second being its complement).  Leaves hold the mean target, or the class
 * proportions, recomputed exactly in double from the rows of the leaf.
 *
 * Hyperparameters:
 *	- max_depth: 0 means unlimited; num_leaves > 0 bounds the leaves (the
 *	  best splits first).  With both 0 a tree grows until min_samples_leaf
 *	  or purity stops it.
 *	- min_samples_leaf: rows in each leaf (bootstrap duplicates count once).
 *	- min_split_gain: as scikit-learn's min_impurity_decrease, the weighted
 *	  impurity decrease N_t/N * (I - N_L/N_t I_L - N_R/N_t I_R) a split must
 *	  exceed (N the rows of the tree's sample).
 *	- max_bins: histogram bins per feature (tree.c).
 *	- random_forest only: n_estimators trees, each on a bootstrap sample
 *	  (hp->bootstrap) of round(subsample * n) draws with replacement, or,
 *	  without bootstrap, on all rows (subsample < 1: that fraction drawn
 *	  without replacement).  Each split considers mtry features drawn for it:
 *	  round(colsample * p) when the user set colsample below 1, otherwise
 *	  floor(sqrt(p)) for classification and p/3 for regression (Breiman's
 *	  defaults), at least 1.  If none of them gives a valid split the others
 *	  are tried, as scikit-learn does.
 *	- decision_tree: all rows and all features; ignores n_estimators,
 *	  bootstrap, subsample and colsample.
 *	- min_child_weight and l2 are boosting parameters, ignored here.
 *
 * Each tree draws from its own generator seeded with (seed, tree number),
 * so a seed gives the same forest whatever else changes.  Prediction
 * averages the trees' leaves; importance is the total split gain of each
 * feature (mean decrease in impurity, unnormalised).
 *
 * Explanation (tree.c's path-dependent TreeSHAP) is of the averaged leaf
 * value: the mean target, or the mean probability of the class asked for.
 * A node's cover is the training weight of the tree's sample reaching it:
 * each row counted as many times as the bootstrap drew it (scikit-learn's
 * weighted sample count), once without bootstrap.  The base value is the
 * mean over trees of their cover-weighted mean leaf.
 *
 *-------------------------------------------------------------------------
 */
#include "tree.h"

#include <math.h>
#include <stdio.h>

#define FOREST_IMAGE_VERSION	2	/* 2: node covers */
#define FOREST_MAX_TREES		(1 << 20)

typedef struct ForestModel
{
	int			p;
	MlTask		task;
	int			nclasses;		/* 0 for regression */
	int			nout;			/* values per leaf: nclasses, or 1 */
	int			ntrees;
	Tree	   *trees;
} ForestModel;

/* Features drawn per split: colsample if set below 1, else Breiman's rule. */
static int
forest_mtry(const MlData *d, const MlHyperparams *hp)
{
	int			m;

	if (hp->colsample > 0 && hp->colsample < 1)
		m = (int) floor(hp->colsample * d->p + 0.5);
	else if (d->task == ML_CLASSIFICATION)
		m = (int) floor(sqrt((double) d->p));
	else
		m = d->p / 3;
	return m < 1 ? 1 : m;
}

/*
 * Draw the rows of one tree: bootstrap multiplicities in w (counts of
 * nsamp draws with replacement), or a plain sample of nsamp rows.  Returns
 * the number of distinct rows, listed ascending in rows.
 */
static int64
forest_sample_rows(int64 n, int64 nsamp, bool bootstrap, MlRng *rng,
				   int32_t *w, int32_t *rows)
{
	int64		nr = 0;

	memset(w, 0, sizeof(int32_t) * n);
	if (bootstrap)
	{
		for (int64 k = 0; k < nsamp; k++)
			w[ml_rng_below(rng, (uint64) n)]++;
	}
	else
	{
		/* selection sampling: each row kept with need/remaining odds */
		int64		need = nsamp;

		for (int64 i = 0; i < n && need > 0; i++)
			if ((int64) ml_rng_below(rng, (uint64) (n - i)) < need)
			{
				w[i] = 1;
				need--;
			}
	}
	for (int64 i = 0; i < n; i++)
		if (w[i] > 0)
			rows[nr++] = (int32_t) i;
	return nr;
}

/*
 * Fill the gradient channels and hessian of the sampled rows: the centred
 * and scaled target (regression), the class-1 indicator (two classes) or
 * one indicator per class, each times the row's weight.
 */
static void
forest_fill_grad(const MlData *d, int gs, double ybar, double yscale,
				 const int32_t *w, const int32_t *rows, int64 nr, float *grad)
{
	for (int64 k = 0; k < nr; k++)
	{
		int64		i = rows ? rows[k] : k;
		double		wi = w ? w[i] : 1.0;
		float	   *o = grad + (size_t) i * gs;

		if (d->task == ML_REGRESSION)
			o[0] = (float) (wi * (d->y[i] / yscale - ybar));
		else if (gs == 2)
			o[0] = (float) (d->y[i] == 1 ? wi : 0.0);
		else
		{
			for (int c = 0; c < gs - 1; c++)
				o[c] = 0;
			o[(int) d->y[i]] = (float) wi;
		}
		o[gs - 1] = (float) wi;
	}
}

/*
 * Replace the grown leaf values by the exact weighted mean of y, or the
 * weighted class proportions, of each leaf's rows.  The mean is taken on
 * y / yscale (never overflows), then corrected by the mean residual (so
 * that a large offset costs no precision).
 */
static void
forest_set_leaves(const MlData *d, const TreeGrower *g, const int32_t *w,
				  int nout, double yscale, Tree *t)
{
	double	   *values = am_alloc0(sizeof(double) * t->nnodes * nout);

	for (int64 l = 0; l < tree_grower_nleaves(g); l++)
	{
		int32_t		node;
		const int32_t *rows;
		int64		nr;
		double	   *v;
		double		wsum = 0;
		double		resid = 0;

		tree_grower_leaf(g, l, &node, &rows, &nr);
		v = values + (size_t) node * nout;
		for (int64 k = 0; k < nr; k++)
		{
			int32_t		i = rows[k];
			double		wi = w ? w[i] : 1.0;

			wsum += wi;
			if (d->task == ML_REGRESSION)
				v[0] += wi * (d->y[i] / yscale);
			else
				v[(int) d->y[i]] += wi;
		}
		if (wsum <= 0)
			continue;
		for (int c = 0; c < nout; c++)
			v[c] /= wsum;
		if (d->task != ML_REGRESSION)
			continue;
		v[0] *= yscale;
		for (int64 k = 0; k < nr; k++)
			resid += (w ? w[rows[k]] : 1.0) * (d->y[rows[k]] - v[0]);
		if (isfinite(v[0] + resid / wsum))
			v[0] += resid / wsum;
	}
	am_free(t->values);
	t->values = values;
	t->nout = nout;
}

/* Fit one tree (decision_tree) or a forest of hp->n_estimators trees. */
static void *
forest_fit_common(const MlData *d, const MlHyperparams *hp, char *errbuf,
				  bool forest)
{
	ForestModel *m;
	TreeBinned *bins;
	TreeGrower *g;
	TreeGrowParams prm;
	int		   *feats;
	int			nfeats;
	int			gs;
	int32_t    *w = NULL;
	int32_t    *rows = NULL;
	float	   *grad;
	double		ybar = 0;		/* mean of y / yscale */
	double		yscale = 1;
	int64		n = d->n;
	int64		nsamp = n;
	bool		sampled = false;

	if (!tree_check_data(d, "trees", errbuf))
		return NULL;
	if (forest && hp->n_estimators > FOREST_MAX_TREES)
	{
		snprintf(errbuf, ML_ERRBUF_SIZE,
				 "random_forest supports at most %d trees", FOREST_MAX_TREES);
		return NULL;
	}
	m = am_alloc0(sizeof(ForestModel));
	m->p = d->p;
	m->task = d->task;
	m->nclasses = d->task == ML_CLASSIFICATION ? d->nclasses : 0;
	m->nout = d->task == ML_CLASSIFICATION ? d->nclasses : 1;
	m->ntrees = forest ? (hp->n_estimators > 0 ? hp->n_estimators : 1) : 1;
	m->trees = am_alloc0(sizeof(Tree) * m->ntrees);

	if (forest)
	{
		if (hp->subsample > 0 && hp->subsample < 1)
			nsamp = (int64) floor(hp->subsample * n + 0.5);
		if (nsamp < 1)
			nsamp = 1;
		sampled = hp->bootstrap || nsamp < n;
	}
	if (d->task == ML_REGRESSION)
	{
		yscale = tree_target_scale(d);
		for (int64 i = 0; i < n; i++)
			ybar += d->y[i] / yscale;
		ybar /= n;
	}
	gs = (d->task == ML_CLASSIFICATION && d->nclasses > 2) ? d->nclasses + 1 : 2;

	memset(&prm, 0, sizeof(prm));
	prm.max_depth = hp->max_depth > 0 ? hp->max_depth : 0;
	prm.max_leaves = hp->num_leaves > 0 ? hp->num_leaves : 0;
	prm.min_samples_leaf = hp->min_samples_leaf > 0 ? hp->min_samples_leaf : 1;
	prm.min_child_weight = 0;
	prm.lambda = 0;
	/*
	 * A gain is half the weighted impurity decrease times the rows (and a
	 * two-class gain on one channel half again), in scaled target units.
	 */
	if (hp->min_split_gain > 0)
		prm.min_gain = hp->min_split_gain * (double) nsamp /
			(gs == 2 && d->task == ML_CLASSIFICATION ? 4 : 2) / yscale / yscale;
	prm.mtry = forest ? forest_mtry(d, hp) : 0;
	/* covers count bootstrap draws: the hessian channel is the multiplicity */
	prm.weighted_cover = true;

	bins = tree_bin(d, hp->max_bins, hp->seed);
	feats = am_alloc(sizeof(int) * d->p);
	nfeats = tree_active_features(bins, feats);
	g = tree_grower_create(bins, gs - 1, &prm);
	grad = am_alloc(sizeof(float) * gs * n);
	if (sampled)
	{
		w = am_alloc(sizeof(int32_t) * n);
		rows = am_alloc(sizeof(int32_t) * n);
	}

	for (int t = 0; t < m->ntrees; t++)
	{
		MlRng		rng;
		int64		nr = n;

		ML_CHECK_INTERRUPTS();
		ml_rng_seed(&rng, hp->seed ^
					(UINT64_C(0x9E3779B97F4A7C15) * (uint64) (t + 1)));
		if (sampled)
			nr = forest_sample_rows(n, nsamp, hp->bootstrap, &rng, w, rows);
		forest_fill_grad(d, gs, ybar, yscale, w, rows, nr, grad);
		tree_grow(g, grad, rows, nr, feats, nfeats, &rng, &m->trees[t]);
		forest_set_leaves(d, g, w, m->nout, yscale, &m->trees[t]);
	}

	am_free(grad);
	if (w)
		am_free(w);
	if (rows)
		am_free(rows);
	am_free(feats);
	tree_grower_free(g);
	tree_binned_free(bins);
	return m;
}

/* decision_tree: one tree on all rows and features. */
static void *
decision_tree_fit(const MlData *d, const MlHyperparams *hp, char *errbuf)
{
	return forest_fit_common(d, hp, errbuf, false);
}

/* random_forest: n_estimators trees on bootstrap samples. */
static void *
random_forest_fit(const MlData *d, const MlHyperparams *hp, char *errbuf)
{
	return forest_fit_common(d, hp, errbuf, true);
}

/*
 * Turn summed leaf values into the prediction: their mean, or for
 * classification probabilities normalised to sum to 1.
 */
static void
forest_finish_row(const ForestModel *m, const double *acc, double *out)
{
	if (m->task == ML_REGRESSION)
		out[0] = acc[0] / m->ntrees;
	else
	{
		double		sum = 0;

		for (int c = 0; c < m->nout; c++)
			sum += acc[c];
		for (int c = 0; c < m->nout; c++)
			out[c] = sum > 0 ? acc[c] / sum : 1.0 / m->nout;
	}
}

/* Predict one row: the mean of the trees' leaves. */
static void
forest_predict(const void *model, const double *row, double *out)
{
	const ForestModel *m = model;
	double		stack_acc[64];
	double	   *acc = m->nout <= 64 ? stack_acc :
		am_alloc(sizeof(double) * m->nout);

	memset(acc, 0, sizeof(double) * m->nout);
	trees_add_row(m->trees, m->ntrees, 1, row, acc);
	forest_finish_row(m, acc, out);
	if (acc != stack_acc)
		am_free(acc);
}

/* Predict m rows of column-major x, a block of rows at a time. */
static void
forest_predict_batch(const void *model, const double *x, int64 nrows,
					 double *out)
{
	const ForestModel *m = model;
	int			bs = tree_block_rows(m->p);
	double	   *block = am_alloc(sizeof(double) * bs * m->p);
	double	   *acc = am_alloc(sizeof(double) * bs * m->nout);

	for (int64 start = 0; start < nrows; start += bs)
	{
		int			rows = nrows - start < bs ? (int) (nrows - start) : bs;

		ML_CHECK_INTERRUPTS();
		tree_transpose_block(x, nrows, m->p, start, rows, block);
		memset(acc, 0, sizeof(double) * rows * m->nout);
		trees_add_block(m->trees, m->ntrees, 1, block, m->p, rows, acc, m->nout);
		for (int r = 0; r < rows; r++)
			forest_finish_row(m, acc + (size_t) r * m->nout,
							  out + (size_t) (start + r) * m->nout);
	}
	am_free(block);
	am_free(acc);
}

/*
 * Image: version, task, classes, features, tree count, then the trees
 * (tree_write: nodes with their covers) with nclasses probabilities or one
 * mean per leaf.
 */
static void
forest_write(MlWriter *w, const void *model)
{
	const ForestModel *m = model;

	ml_put_u8(w, FOREST_IMAGE_VERSION);
	ml_put_i32(w, (int32_t) m->task);
	ml_put_i32(w, m->nclasses);
	ml_put_i32(w, m->p);
	ml_put_u32(w, (uint32) m->ntrees);
	for (int t = 0; t < m->ntrees; t++)
		tree_write(w, &m->trees[t]);
}

/* Free a model whose first ntrees trees are allocated. */
static void
forest_free(ForestModel *m)
{
	for (int t = 0; t < m->ntrees; t++)
		tree_free(&m->trees[t]);
	am_free(m->trees);
	am_free(m);
}

/*
 * Read a forest image for p features and the given task, validating
 * everything (tree_read checks the node structure; probabilities must be
 * within [0, 1]).  single: exactly one tree (decision_tree).
 */
static void *
forest_read_common(MlReader *r, int p, MlTask task, int nclasses, bool single)
{
	ForestModel *m;
	int			version = ml_get_u8(r);
	int32_t		stask = ml_get_i32(r);
	int32_t		sclasses = ml_get_i32(r);
	int32_t		sp = ml_get_i32(r);
	uint32		ntrees;

	if (!ml_reader_ok(r) || version != FOREST_IMAGE_VERSION ||
		stask != (int32_t) task || sp != p || p < 1 ||
		(task == ML_CLASSIFICATION ? (sclasses != nclasses || nclasses < 2) :
		 (task != ML_REGRESSION || sclasses != 0)))
		return NULL;
	ntrees = ml_get_count(r, 16, FOREST_MAX_TREES);
	if (!ml_reader_ok(r) || ntrees < 1 || (single && ntrees != 1))
		return NULL;
	m = am_alloc0(sizeof(ForestModel));
	m->p = p;
	m->task = task;
	m->nclasses = sclasses;
	m->nout = task == ML_CLASSIFICATION ? nclasses : 1;
	m->trees = am_alloc0(sizeof(Tree) * ntrees);
	for (uint32 t = 0; t < ntrees; t++)
	{
		Tree	   *tr = &m->trees[t];
		bool		ok = tree_read(r, p, m->nout, tr);

		m->ntrees = (int) t + (ok ? 1 : 0);
		for (int64 k = 0; ok && task == ML_CLASSIFICATION &&
			 k < (int64) tr->nnodes * m->nout; k++)
			ok = tr->values[k] >= 0 && tr->values[k] <= 1;
		if (!ok)
		{
			forest_free(m);
			return NULL;
		}
	}
	return m;
}

/* Read a decision_tree image: a forest of exactly one tree. */
static void *
decision_tree_read(MlReader *r, int p, MlTask task, int nclasses)
{
	return forest_read_common(r, p, task, nclasses, true);
}

/* Read a random_forest image. */
static void *
random_forest_read(MlReader *r, int p, MlTask task, int nclasses)
{
	return forest_read_common(r, p, task, nclasses, false);
}

/*
 * The leaf value channel explained for output out: the class's
 * probability, or the regression value (out is then ignored).  An out of
 * range, which the caller should never pass, explains channel 0.
 */
static int
forest_channel(const ForestModel *m, int out)
{
	if (m->task != ML_CLASSIFICATION || out < 0 || out >= m->nout)
		return 0;
	return out;
}

/*
 * Additive explanation of the averaged leaf value of channel out: each
 * tree's TreeSHAP values and expected value, weighted 1 / ntrees.
 */
static void
forest_explain(const void *model, const double *row, int out,
			   double *contrib, double *base)
{
	const ForestModel *m = model;

	memset(contrib, 0, sizeof(double) * m->p);
	*base = trees_shap(m->trees, m->ntrees, 1, 0, forest_channel(m, out),
					   1.0 / m->ntrees, row, m->p, contrib);
}

/* The averaged leaf value of channel out, which forest_explain adds up to. */
static double
forest_raw_output(const void *model, const double *row, int out)
{
	const ForestModel *m = model;

	return trees_raw_sum(m->trees, m->ntrees, 1, 0, forest_channel(m, out),
						 row, 0.0) / m->ntrees;
}

/* Mean decrease in impurity: the split gains of each feature, over trees. */
static void
forest_importance(const void *model, double *imp)
{
	const ForestModel *m = model;

	memset(imp, 0, sizeof(double) * m->p);
	for (int t = 0; t < m->ntrees; t++)
		tree_importance(&m->trees[t], imp);
	for (int j = 0; j < m->p; j++)
		imp[j] /= m->ntrees;
}

const MlAlgorithm ml_decision_tree = {
	.name = "decision_tree",
	.id = 6,
	.regression = true,
	.classification = true,
	.one_hot = false,
	.fit = decision_tree_fit,
	.predict = forest_predict,
	.predict_batch = forest_predict_batch,
	.write = forest_write,
	.read = decision_tree_read,
	.importance = forest_importance,
	.explain = forest_explain,
	.raw_output = forest_raw_output,
};

const MlAlgorithm ml_random_forest = {
	.name = "random_forest",
	.id = 7,
	.regression = true,
	.classification = true,
	.one_hot = false,
	.fit = random_forest_fit,
	.predict = forest_predict,
	.predict_batch = forest_predict_batch,
	.write = forest_write,
	.read = random_forest_read,
	.importance = forest_importance,
	.explain = forest_explain,
	.raw_output = forest_raw_output,
};

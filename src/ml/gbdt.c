/*-------------------------------------------------------------------------
 *
 * gbdt.c
 *	  gradient_boosting: histogram-based gradient boosted trees in the
 *	  manner of XGBoost's "hist" method and LightGBM.
 *
 * Each round fits trees to the first and second derivatives of the loss
 * at the current scores (tree.c grows them on uint8 feature histograms
 * with the subtraction trick) and adds learning_rate times their Newton
 * leaf values -G/(H + l2) to the scores:
 *	- regression: squared error, scores start at the mean target (the
 *	  gradients are taken on the target divided by max |y|, and the leaves
 *	  scaled back: the same model, but any finite target fits a float);
 *	- two classes: log loss on one score, starting at the prior log-odds;
 *	- more classes: softmax, one tree per class per round, scores starting
 *	  at the log priors; the hessian is K/(K-1) p(1-p) (Friedman's).
 *
 * Tree shape: max_depth (0 = unlimited) and num_leaves (0 = unlimited; a
 * limit grows the best leaf first, LightGBM's leaf-wise growth); with both
 * 0 the trees get 31 leaves, LightGBM's default.  min_samples_leaf,
 * min_child_weight (hessian per leaf), l2 and min_split_gain (XGBoost's
 * gamma: the loss reduction a split must exceed) constrain the splits.
 * subsample draws that fraction of the training rows for each round
 * (Bernoulli, at least one row), colsample that fraction of the features
 * for each tree (at least one).
 *
 * Early stopping: with early_stopping_rounds > 0, validation_fraction of
 * the rows (stratified by class for classification) is held out, and
 * training stops once the validation loss has not improved for that many
 * rounds; the model keeps the rounds up to the best one.  The held-out
 * rows still take part in choosing the bin cuts (unsupervised), but
 * never in growing trees.
 *
 * All randomness comes from one generator seeded with hp->seed, so a seed
 * gives the same model.  Rows of the round's sample get their new scores
 * from the leaf they were partitioned into; the other rows (held out or
 * not drawn this round) walk the tree on their raw values.
 *
 * Explanation (tree.c's path-dependent TreeSHAP) is of the raw score
 * before the link: the value, the log-odds of class 1 for two classes, a
 * class's softmax input for more (its trees only).  The base value is the
 * initial score plus each tree's expected value.  A node's cover is the
 * number of rows of the round's sample that reached it, as LightGBM
 * counts, not XGBoost's hessian sum: the expectation is then over the
 * training rows, the same for every loss, and confidently classified rows
 * (hessians near 0) still count; for squared error the two agree.
 *
 *-------------------------------------------------------------------------
 */
#include "tree.h"

#include <math.h>
#include <stdio.h>

#define GBDT_IMAGE_VERSION	2	/* 2: node covers */
#define GBDT_MAX_TREES		(1 << 24)
#define GBDT_DEFAULT_LEAVES 31
#define GBDT_MIN_HESSIAN	1e-16
#define GBDT_PROB_EPS		1e-15

typedef struct GbdtModel
{
	int			p;
	MlTask		task;
	int			nclasses;		/* 0 for regression */
	int			ngroups;		/* trees per round: nclasses if > 2, else 1 */
	int			ntrees;
	double	   *base;			/* ngroups initial scores */
	Tree	   *trees;			/* tree t adds to score t % ngroups */
} GbdtModel;

/* State of one fit, shared by its helpers. */
typedef struct GbdtFit
{
	const MlData *d;
	const MlHyperparams *hp;
	int			K;				/* ngroups */
	double		yscale;			/* regression: targets are divided by it */
	MlRng		rng;
	int64		n;
	int32_t    *train;			/* training rows, ascending */
	int64		ntrain;
	int32_t    *valid;			/* held-out rows, ascending */
	int64		nvalid;
	double	   *score;			/* n x K */
	float	   *grad;			/* K x n x {g, h} */
	uint8	   *in_round;		/* rows of the current round's sample */
	int32_t    *round_rows;
} GbdtFit;

/* Logistic function; exp(-s) overflowing to +inf gives 0, never NaN. */
static inline double
sigmoid(double s)
{
	return 1.0 / (1.0 + exp(-s));
}

/* Softmax of K scores into p (shifted by the maximum, so never overflows). */
static void
softmax(const double *s, int K, double *p)
{
	double		mx = s[0];
	double		sum = 0;

	for (int c = 1; c < K; c++)
		if (s[c] > mx)
			mx = s[c];
	for (int c = 0; c < K; c++)
	{
		p[c] = isfinite(mx) ? exp(s[c] - mx) : (s[c] == mx ? 1.0 : 0.0);
		sum += p[c];
	}
	for (int c = 0; c < K; c++)
		p[c] /= sum;
}

/*
 * Split the rows into training and validation sets for early stopping:
 * validation_fraction of each class (or of all rows for regression),
 * drawn at random.  Without early stopping, or when either set would be
 * empty, every row trains.
 */
static void
gbdt_split_rows(GbdtFit *f)
{
	const MlData *d = f->d;
	double		frac = f->hp->validation_fraction;
	int64		n = f->n;
	uint8	   *is_valid = am_alloc0(n);
	int64	   *perm = NULL;

	f->train = am_alloc(sizeof(int32_t) * n);
	f->valid = NULL;
	f->ntrain = f->nvalid = 0;
	if (f->hp->early_stopping_rounds > 0 && frac > 0 && frac < 1 && n >= 2)
	{
		int			ngroups = d->task == ML_CLASSIFICATION ? d->nclasses : 1;
		int64	   *start = am_alloc0(sizeof(int64) * (ngroups + 1));
		int64		nvalid = 0;

		/* rows grouped by class (counting sort), each group shuffled */
		perm = am_alloc(sizeof(int64) * n);
		for (int64 i = 0; i < n; i++)
			start[(d->task == ML_CLASSIFICATION ? (int) d->y[i] : 0) + 1]++;
		for (int c = 0; c < ngroups; c++)
			start[c + 1] += start[c];
		for (int64 i = 0; i < n; i++)
			perm[start[d->task == ML_CLASSIFICATION ? (int) d->y[i] : 0]++] = i;
		for (int c = ngroups; c > 0; c--)
			start[c] = start[c - 1];
		start[0] = 0;
		for (int c = 0; c < ngroups; c++)
		{
			int64		lo = start[c],
						cnt = start[c + 1] - start[c];
			int64		take = (int64) floor(frac * cnt + 0.5);

			for (int64 k = 0; k < take; k++)
			{
				int64		j = k + (int64) ml_rng_below(&f->rng, (uint64) (cnt - k));
				int64		t = perm[lo + k];

				perm[lo + k] = perm[lo + j];
				perm[lo + j] = t;
				is_valid[perm[lo + k]] = 1;
			}
			nvalid += take;
		}
		am_free(start);
		am_free(perm);
		if (nvalid == 0 || nvalid == n)
			memset(is_valid, 0, n);
		else
			f->valid = am_alloc(sizeof(int32_t) * nvalid);
	}
	for (int64 i = 0; i < n; i++)
	{
		if (is_valid[i])
			f->valid[f->nvalid++] = (int32_t) i;
		else
			f->train[f->ntrain++] = (int32_t) i;
	}
	am_free(is_valid);
}

/* Initial scores from the training rows: mean, prior log-odds, log priors. */
static void
gbdt_base_score(const GbdtFit *f, double *base)
{
	const MlData *d = f->d;

	if (d->task == ML_REGRESSION)
	{
		double		sum = 0;

		double		resid = 0;

		/* on y / yscale (no overflow), then corrected by the mean residual */
		for (int64 k = 0; k < f->ntrain; k++)
			sum += d->y[f->train[k]] / f->yscale;
		base[0] = sum / f->ntrain * f->yscale;
		for (int64 k = 0; k < f->ntrain; k++)
			resid += d->y[f->train[k]] - base[0];
		if (isfinite(base[0] + resid / f->ntrain))
			base[0] += resid / f->ntrain;
	}
	else
	{
		int			nc = d->nclasses;
		double	   *prior = am_alloc0(sizeof(double) * nc);

		for (int64 k = 0; k < f->ntrain; k++)
			prior[(int) d->y[f->train[k]]] += 1.0 / f->ntrain;
		for (int c = 0; c < nc; c++)
		{
			if (prior[c] < GBDT_PROB_EPS)
				prior[c] = GBDT_PROB_EPS;
			if (prior[c] > 1 - GBDT_PROB_EPS)
				prior[c] = 1 - GBDT_PROB_EPS;
		}
		if (f->K == 1)
			base[0] = log(prior[1] / prior[0]);
		else
			for (int c = 0; c < nc; c++)
				base[c] = log(prior[c]);
		am_free(prior);
	}
}

/* Gradients and hessians of the loss at the current scores, training rows. */
static void
gbdt_gradients(GbdtFit *f)
{
	const MlData *d = f->d;
	int			K = f->K;
	int64		n = f->n;
	double		pr[256];
	double	   *p = K <= 256 ? pr : am_alloc(sizeof(double) * K);
	double		hscale = K > 1 ? (double) K / (K - 1) : 1.0;

	for (int64 k = 0; k < f->ntrain; k++)
	{
		int64		i = f->train[k];
		const double *s = f->score + (size_t) i * K;
		double		y = d->y[i];

		if ((k & 65535) == 0)
			ML_CHECK_INTERRUPTS();
		if (d->task == ML_REGRESSION)
		{
			f->grad[2 * i] = (float) (s[0] / f->yscale - y / f->yscale);
			f->grad[2 * i + 1] = 1.0f;
		}
		else if (K == 1)
		{
			double		q = sigmoid(s[0]);
			double		h = q * (1 - q);

			f->grad[2 * i] = (float) (q - y);
			f->grad[2 * i + 1] = (float) (h > GBDT_MIN_HESSIAN ? h : GBDT_MIN_HESSIAN);
		}
		else
		{
			softmax(s, K, p);
			for (int c = 0; c < K; c++)
			{
				float	   *o = f->grad + (size_t) c * 2 * n + 2 * i;
				double		h = hscale * p[c] * (1 - p[c]);

				o[0] = (float) (p[c] - (y == c ? 1.0 : 0.0));
				o[1] = (float) (h > GBDT_MIN_HESSIAN ? h : GBDT_MIN_HESSIAN);
			}
		}
	}
	if (p != pr)
		am_free(p);
}

/* Mean validation loss: squared error, log loss, or multiclass log loss. */
static double
gbdt_valid_loss(const GbdtFit *f)
{
	const MlData *d = f->d;
	int			K = f->K;
	double		loss = 0;

	for (int64 k = 0; k < f->nvalid; k++)
	{
		int64		i = f->valid[k];
		const double *s = f->score + (size_t) i * K;
		double		y = d->y[i];

		if (d->task == ML_REGRESSION)
		{
			double		r = s[0] / f->yscale - y / f->yscale;

			loss += r * r;
		}
		else if (K == 1)
			/* log(1 + e^s) - y s, computed without overflow */
			loss += (s[0] > 0 ? s[0] + log1p(exp(-s[0])) : log1p(exp(s[0]))) - y * s[0];
		else
		{
			double		mx = s[0],
						sum = 0;

			for (int c = 1; c < K; c++)
				if (s[c] > mx)
					mx = s[c];
			for (int c = 0; c < K; c++)
				sum += exp(s[c] - mx);
			loss += mx + log(sum) - s[(int) y];
		}
	}
	return loss / f->nvalid;
}

/*
 * Draw the round's rows: each training row with probability subsample.
 * Returns the count (at least one row), with in_round marking them; or -1
 * when every training row takes part (no subsampling).
 */
static int64
gbdt_sample_round(GbdtFit *f)
{
	double		q = f->hp->subsample;
	int64		nr = 0;

	if (!(q > 0 && q < 1))
		return -1;
	memset(f->in_round, 0, f->n);
	for (int64 k = 0; k < f->ntrain; k++)
		if (ml_rng_double(&f->rng) < q)
		{
			f->round_rows[nr++] = f->train[k];
			f->in_round[f->train[k]] = 1;
		}
	if (nr == 0)
	{
		int32_t		i = f->train[ml_rng_below(&f->rng, (uint64) f->ntrain)];

		f->round_rows[nr++] = i;
		f->in_round[i] = 1;
	}
	return nr;
}

/* Features of one tree: colsample of the active ones, ascending. */
static int
gbdt_sample_features(GbdtFit *f, const int *active, int nactive, int *feats)
{
	double		q = f->hp->colsample;
	int			m = nactive;

	memcpy(feats, active, sizeof(int) * nactive);
	if (!(q > 0 && q < 1) || nactive == 0)
		return nactive;
	m = (int) floor(q * nactive + 0.5);
	if (m < 1)
		m = 1;
	for (int i = 0; i < m; i++)
	{
		int			k = i + (int) ml_rng_below(&f->rng, (uint64) (nactive - i));
		int			t = feats[i];

		feats[i] = feats[k];
		feats[k] = t;
	}
	/* ascending, so that ties between features break the same way */
	for (int i = 1; i < m; i++)
	{
		int			v = feats[i],
					j = i;

		while (j > 0 && feats[j - 1] > v)
		{
			feats[j] = feats[j - 1];
			j--;
		}
		feats[j] = v;
	}
	return m;
}

/*
 * Add a new tree's values to score column c: rows of the round's sample
 * through the leaves they were partitioned into, the other training rows
 * (when subsampling) and the validation rows by walking the tree.
 */
static void
gbdt_update_scores(GbdtFit *f, const TreeGrower *g, const Tree *t, int c,
				   bool sampled)
{
	int			K = f->K;
	const double *x = f->d->x;
	int64		n = f->n;

	for (int64 l = 0; l < tree_grower_nleaves(g); l++)
	{
		int32_t		node;
		const int32_t *rows;
		int64		nr;
		double		v;

		tree_grower_leaf(g, l, &node, &rows, &nr);
		v = t->values[node];
		for (int64 k = 0; k < nr; k++)
			f->score[(size_t) rows[k] * K + c] += v;
	}
	if (sampled)
		for (int64 k = 0; k < f->ntrain; k++)
		{
			int32_t		i = f->train[k];

			if (!f->in_round[i])
				f->score[(size_t) i * K + c] +=
					t->values[tree_leaf_of_colmajor(t, x, n, i)];
		}
	for (int64 k = 0; k < f->nvalid; k++)
	{
		int32_t		i = f->valid[k];

		f->score[(size_t) i * K + c] +=
			t->values[tree_leaf_of_colmajor(t, x, n, i)];
	}
}

/* Growth limits from the hyperparameters (see the file header). */
static void
gbdt_grow_params(const MlHyperparams *hp, TreeGrowParams *prm)
{
	memset(prm, 0, sizeof(*prm));
	prm->max_depth = hp->max_depth > 0 ? hp->max_depth : 0;
	prm->max_leaves = hp->num_leaves > 0 ? hp->num_leaves : 0;
	if (prm->max_depth == 0 && prm->max_leaves == 0)
		prm->max_leaves = GBDT_DEFAULT_LEAVES;
	prm->min_samples_leaf = hp->min_samples_leaf > 0 ? hp->min_samples_leaf : 1;
	prm->min_child_weight = hp->min_child_weight > 0 ? hp->min_child_weight : 0;
	prm->lambda = hp->l2 > 0 ? hp->l2 : 0;
	prm->min_gain = hp->min_split_gain > 0 ? hp->min_split_gain : 0;
	prm->mtry = 0;
}

/* Fit the boosted ensemble (see the file header). */
static void *
gbdt_fit(const MlData *d, const MlHyperparams *hp, char *errbuf)
{
	GbdtModel  *m;
	GbdtFit		f;
	TreeBinned *bins;
	TreeGrower *g;
	TreeGrowParams prm;
	int		   *active;
	int		   *feats;
	int			nactive;
	int			rounds = hp->n_estimators > 0 ? hp->n_estimators : 1;
	double		lr = hp->learning_rate > 0 ? hp->learning_rate : 0.1;
	double		best_loss = INFINITY;
	int			best_round = -1;
	int			done = 0;

	if (!tree_check_data(d, "gradient boosting", errbuf))
		return NULL;
	if ((int64) rounds * (d->task == ML_CLASSIFICATION && d->nclasses > 2 ?
						  d->nclasses : 1) > GBDT_MAX_TREES)
	{
		snprintf(errbuf, ML_ERRBUF_SIZE,
				 "gradient boosting supports at most %d trees (n_estimators times classes)",
				 GBDT_MAX_TREES);
		return NULL;
	}
	memset(&f, 0, sizeof(f));
	f.d = d;
	f.hp = hp;
	f.n = d->n;
	f.K = d->task == ML_CLASSIFICATION && d->nclasses > 2 ? d->nclasses : 1;
	f.yscale = d->task == ML_REGRESSION ? tree_target_scale(d) : 1.0;
	ml_rng_seed(&f.rng, hp->seed);

	m = am_alloc0(sizeof(GbdtModel));
	m->p = d->p;
	m->task = d->task;
	m->nclasses = d->task == ML_CLASSIFICATION ? d->nclasses : 0;
	m->ngroups = f.K;
	m->base = am_alloc(sizeof(double) * f.K);
	m->trees = am_alloc0(sizeof(Tree) * (size_t) rounds * f.K);

	gbdt_split_rows(&f);
	gbdt_base_score(&f, m->base);
	f.score = am_alloc(sizeof(double) * f.n * f.K);
	for (int64 i = 0; i < f.n; i++)
		memcpy(f.score + (size_t) i * f.K, m->base, sizeof(double) * f.K);
	f.grad = am_alloc(sizeof(float) * 2 * f.n * f.K);
	f.in_round = am_alloc(f.n);
	f.round_rows = am_alloc(sizeof(int32_t) * f.n);

	gbdt_grow_params(hp, &prm);
	/* gains are in the units of the scaled target */
	prm.min_gain = prm.min_gain / f.yscale / f.yscale;
	bins = tree_bin(d, hp->max_bins, hp->seed);
	active = am_alloc(sizeof(int) * d->p);
	feats = am_alloc(sizeof(int) * d->p);
	nactive = tree_active_features(bins, active);
	g = tree_grower_create(bins, 1, &prm);

	for (int round = 0; round < rounds; round++)
	{
		int64		nr = gbdt_sample_round(&f);
		const int32_t *rows = nr >= 0 ? f.round_rows : f.train;

		ML_CHECK_INTERRUPTS();
		if (nr < 0)
			nr = f.ntrain;
		/* all rows in order: the grower may skip the index at the root */
		if (nr == f.n)
			rows = NULL;
		gbdt_gradients(&f);
		for (int c = 0; c < f.K; c++)
		{
			Tree	   *t = &m->trees[round * f.K + c];
			int			nf = gbdt_sample_features(&f, active, nactive, feats);

			tree_grow(g, f.grad + (size_t) c * 2 * f.n, rows, nr, feats, nf,
					  &f.rng, t);
			for (int32_t k = 0; k < t->nnodes; k++)
				t->values[k] *= lr * f.yscale;
			gbdt_update_scores(&f, g, t, c, nr < f.ntrain);
		}
		done = round + 1;
		if (f.nvalid > 0)
		{
			double		loss = gbdt_valid_loss(&f);

			if (loss < best_loss)
			{
				best_loss = loss;
				best_round = round;
			}
			else if (round - best_round >= hp->early_stopping_rounds)
				break;
		}
	}
	m->ntrees = done * f.K;
	if (f.nvalid > 0 && best_round >= 0 && best_round + 1 < done)
	{
		for (int t = (best_round + 1) * f.K; t < m->ntrees; t++)
			tree_free(&m->trees[t]);
		m->ntrees = (best_round + 1) * f.K;
	}

	tree_grower_free(g);
	tree_binned_free(bins);
	am_free(active);
	am_free(feats);
	am_free(f.score);
	am_free(f.grad);
	am_free(f.in_round);
	am_free(f.round_rows);
	am_free(f.train);
	if (f.valid)
		am_free(f.valid);
	return m;
}

/* Turn a row's raw scores into the prediction. */
static void
gbdt_finish_row(const GbdtModel *m, const double *s, double *out)
{
	if (m->task == ML_REGRESSION)
		out[0] = s[0];
	else if (m->ngroups == 1)
	{
		double		q = sigmoid(s[0]);

		out[0] = 1 - q;
		out[1] = q;
	}
	else
		softmax(s, m->ngroups, out);
}

/* Predict one row: initial scores plus every tree's leaf, then the link. */
static void
gbdt_predict(const void *model, const double *row, double *out)
{
	const GbdtModel *m = model;
	int			K = m->ngroups;
	double		stack_s[64];
	double	   *s = K <= 64 ? stack_s : am_alloc(sizeof(double) * K);

	memcpy(s, m->base, sizeof(double) * K);
	trees_add_row(m->trees, m->ntrees, K, row, s);
	gbdt_finish_row(m, s, out);
	if (s != stack_s)
		am_free(s);
}

/* Predict nrows rows of column-major x, a block of rows at a time. */
static void
gbdt_predict_batch(const void *model, const double *x, int64 nrows, double *out)
{
	const GbdtModel *m = model;
	int			K = m->ngroups;
	int			width = m->task == ML_CLASSIFICATION ? m->nclasses : 1;
	int			bs = tree_block_rows(m->p);
	double	   *block = am_alloc(sizeof(double) * bs * m->p);
	double	   *acc = am_alloc(sizeof(double) * bs * K);

	for (int64 start = 0; start < nrows; start += bs)
	{
		int			rows = nrows - start < bs ? (int) (nrows - start) : bs;

		ML_CHECK_INTERRUPTS();
		tree_transpose_block(x, nrows, m->p, start, rows, block);
		for (int r = 0; r < rows; r++)
			memcpy(acc + (size_t) r * K, m->base, sizeof(double) * K);
		trees_add_block(m->trees, m->ntrees, K, block, m->p, rows, acc, K);
		for (int r = 0; r < rows; r++)
			gbdt_finish_row(m, acc + (size_t) r * K,
							out + (size_t) (start + r) * width);
	}
	am_free(block);
	am_free(acc);
}

/*
 * Image: version, task, classes, features, trees per round, the initial
 * scores, the tree count, then the trees (tree_write: nodes with their
 * covers, one value per leaf, learning rate included).
 */
static void
gbdt_write(MlWriter *w, const void *model)
{
	const GbdtModel *m = model;

	ml_put_u8(w, GBDT_IMAGE_VERSION);
	ml_put_i32(w, (int32_t) m->task);
	ml_put_i32(w, m->nclasses);
	ml_put_i32(w, m->p);
	ml_put_i32(w, m->ngroups);
	ml_put_f64s(w, m->base, m->ngroups);
	ml_put_u32(w, (uint32) m->ntrees);
	for (int t = 0; t < m->ntrees; t++)
		tree_write(w, &m->trees[t]);
}

/* Free a model whose first ntrees trees are allocated. */
static void
gbdt_free(GbdtModel *m)
{
	for (int t = 0; t < m->ntrees; t++)
		tree_free(&m->trees[t]);
	am_free(m->trees);
	am_free(m->base);
	am_free(m);
}

/*
 * Read a boosting image for p features and the given task, validating
 * every field: dimensions must match, initial scores be finite, the tree
 * count a positive multiple of the trees per round, and each tree pass
 * tree_read's checks.
 */
static void *
gbdt_read(MlReader *r, int p, MlTask task, int nclasses)
{
	GbdtModel  *m;
	int			version = ml_get_u8(r);
	int32_t		stask = ml_get_i32(r);
	int32_t		sclasses = ml_get_i32(r);
	int32_t		sp = ml_get_i32(r);
	int32_t		ngroups = ml_get_i32(r);
	int32_t		want_groups;
	uint32		ntrees;

	if (task == ML_CLASSIFICATION)
		want_groups = nclasses > 2 ? nclasses : 1;
	else
		want_groups = 1;
	if (!ml_reader_ok(r) || version != GBDT_IMAGE_VERSION ||
		stask != (int32_t) task || sp != p || p < 1 ||
		ngroups != want_groups ||
		(task == ML_CLASSIFICATION ? (sclasses != nclasses || nclasses < 2) :
		 (task != ML_REGRESSION || sclasses != 0)))
		return NULL;
	if ((uint64) ngroups * 8 > r->len - r->pos)
		return NULL;
	m = am_alloc0(sizeof(GbdtModel));
	m->p = p;
	m->task = task;
	m->nclasses = sclasses;
	m->ngroups = ngroups;
	m->base = am_alloc(sizeof(double) * ngroups);
	ml_get_f64s(r, m->base, ngroups);
	for (int c = 0; c < ngroups; c++)
		if (!isfinite(m->base[c]))
			ml_reader_fail(r);
	ntrees = ml_get_count(r, 16, GBDT_MAX_TREES);
	if (!ml_reader_ok(r) || ntrees < 1 || ntrees % ngroups != 0)
	{
		m->trees = am_alloc0(sizeof(Tree));
		gbdt_free(m);
		return NULL;
	}
	m->trees = am_alloc0(sizeof(Tree) * ntrees);
	for (uint32 t = 0; t < ntrees; t++)
	{
		if (!tree_read(r, p, 1, &m->trees[t]))
		{
			gbdt_free(m);
			return NULL;
		}
		m->ntrees = (int) t + 1;
	}
	return m;
}

/*
 * The score explained for output out: the class's own for more than two
 * classes, the only one otherwise (out ignored).  An out of range, which
 * the caller should never pass, explains score 0.
 */
static int
gbdt_group(const GbdtModel *m, int out)
{
	if (m->ngroups == 1 || out < 0 || out >= m->ngroups)
		return 0;
	return out;
}

/*
 * Additive explanation of the raw score of output out: TreeSHAP over the
 * group's trees; the base is the initial score plus their expected values.
 */
static void
gbdt_explain(const void *model, const double *row, int out, double *contrib,
			 double *base)
{
	const GbdtModel *m = model;
	int			g = gbdt_group(m, out);

	memset(contrib, 0, sizeof(double) * m->p);
	*base = m->base[g] + trees_shap(m->trees, m->ntrees, m->ngroups, g, 0,
									1.0, row, m->p, contrib);
}

/* The raw score of output out (before sigmoid or softmax), as predicted. */
static double
gbdt_raw_output(const void *model, const double *row, int out)
{
	const GbdtModel *m = model;
	int			g = gbdt_group(m, out);

	return trees_raw_sum(m->trees, m->ntrees, m->ngroups, g, 0, row,
						 m->base[g]);
}

/* Total split gain of each feature over all trees. */
static void
gbdt_importance(const void *model, double *imp)
{
	const GbdtModel *m = model;

	memset(imp, 0, sizeof(double) * m->p);
	for (int t = 0; t < m->ntrees; t++)
		tree_importance(&m->trees[t], imp);
}

const MlAlgorithm ml_gradient_boosting = {
	.name = "gradient_boosting",
	.id = 8,
	.regression = true,
	.classification = true,
	.one_hot = false,
	.fit = gbdt_fit,
	.predict = gbdt_predict,
	.predict_batch = gbdt_predict_batch,
	.write = gbdt_write,
	.read = gbdt_read,
	.importance = gbdt_importance,
	.explain = gbdt_explain,
	.raw_output = gbdt_raw_output,
};

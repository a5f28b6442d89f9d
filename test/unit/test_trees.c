/*-------------------------------------------------------------------------
 *
 * test_trees.c
 *	  Unit tests of the tree algorithms: tree.c (binning and growth),
 *	  forest.c (decision_tree, random_forest) and gbdt.c
 *	  (gradient_boosting).
 *
 * The data are synthetic with fixed seeds: a step function that a single
 * split must learn exactly, a smooth nonlinear regression surface, two and
 * three classes separated by nonlinear boundaries, and pure noise.  Every
 * algorithm must reach the accuracy stated in its check, predict
 * probabilities that sum to 1, give the same answers row by row and in
 * batch, and round-trip through its image.  The image reader must refuse
 * every truncation of a valid image and images whose child indices point
 * backwards or out of the node array, and survive arbitrary byte flips
 * (whatever it accepts must predict sane values).  The grower itself is
 * checked for its limits (depth, leaves, rows per leaf), its covers, and
 * for giving the same tree with and without the histogram subtraction
 * trick.
 *
 * Explanations (TreeSHAP): on 200 random rows per model, for every output,
 * of trees of depth 1 to unlimited, the base value plus the contributions
 * must equal raw_output to 1e-6 relative, and raw_output must match the
 * prediction (directly, or through the sigmoid or softmax).  On tiny
 * ensembles of 4 or 5 features the contributions must equal Shapley
 * values computed by brute force over every feature subset, with the
 * path-dependent conditional expectation (Algorithm 1 of Lundberg et al.)
 * as the value of a subset.  A chain-shaped tree 100000 nodes deep and a
 * path of 300 distinct features are explained too.  Images with a bad
 * cover (below 1, not finite, above 2^53, not the sum of the children's)
 * are refused, and whatever damaged image is accepted explains additively.
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"

#include <time.h>

#include "ml/tree.h"

/* A data set with its own storage. */
typedef struct Data
{
	MlData		d;
	double	   *x;
	double	   *y;
} Data;

/* Zeroed storage for n rows of p features. */
static Data
data_alloc(int64_t n, int p, MlTask task, int nclasses)
{
	Data		s;

	s.x = calloc((size_t) n * p, sizeof(double));
	s.y = calloc((size_t) n, sizeof(double));
	memset(&s.d, 0, sizeof(s.d));
	s.d.n = n;
	s.d.p = p;
	s.d.x = s.x;
	s.d.y = s.y;
	s.d.task = task;
	s.d.nclasses = nclasses;
	return s;
}

/* Free what data_alloc allocated. */
static void
data_free(Data *s)
{
	free(s->x);
	free(s->y);
}

/* Smooth nonlinear regression: sin(3 x0) + x1^2 + 0.5 x0 x2 + small noise. */
static Data
make_smooth(int64_t n, uint64_t seed)
{
	Data		s = data_alloc(n, 4, ML_REGRESSION, 0);

	for (int64_t i = 0; i < n; i++)
	{
		double		x0 = 2 * rand_unit(&seed) - 1;
		double		x1 = 2 * rand_unit(&seed) - 1;
		double		x2 = 2 * rand_unit(&seed) - 1;
		double		x3 = 2 * rand_unit(&seed) - 1;	/* irrelevant */

		s.x[i] = x0;
		s.x[n + i] = x1;
		s.x[2 * n + i] = x2;
		s.x[3 * n + i] = x3;
		s.y[i] = sin(3 * x0) + x1 * x1 + 0.5 * x0 * x2 +
			0.01 * (rand_unit(&seed) - 0.5);
	}
	return s;
}

/*
 * Classes by a nonlinear rule on 5 features: two classes inside/outside a
 * circle in (x0, x1); three classes by the angle sector of (x0, x1).
 */
static Data
make_classes(int64_t n, int nclasses, uint64_t seed)
{
	Data		s = data_alloc(n, 5, ML_CLASSIFICATION, nclasses);

	for (int64_t i = 0; i < n; i++)
	{
		double		v[5];

		for (int j = 0; j < 5; j++)
		{
			v[j] = 2 * rand_unit(&seed) - 1;
			s.x[j * n + i] = v[j];
		}
		if (nclasses == 2)
			s.y[i] = v[0] * v[0] + v[1] * v[1] < 0.5 ? 1 : 0;
		else
		{
			double		a = atan2(v[1], v[0]) + M_PI;	/* 0 .. 2 pi */
			int			c = (int) (a / (2 * M_PI / 3));

			s.y[i] = c > 2 ? 2 : c;
		}
	}
	return s;
}

/* Labels that have nothing to do with the features. */
static Data
make_noise(int64_t n, uint64_t seed)
{
	Data		s = data_alloc(n, 5, ML_CLASSIFICATION, 2);

	for (int64_t i = 0; i < n; i++)
	{
		for (int j = 0; j < 5; j++)
			s.x[j * n + i] = rand_unit(&seed);
		s.y[i] = rand_unit(&seed) < 0.5 ? 1 : 0;
	}
	return s;
}

/* Row i of column-major data as a contiguous row. */
static void
row_of(const MlData *d, int64_t i, double *row)
{
	for (int j = 0; j < d->p; j++)
		row[j] = d->x[(size_t) j * d->n + i];
}

/* Width of a prediction: nclasses, or 1. */
static int
width_of(const MlData *d)
{
	return d->task == ML_CLASSIFICATION ? d->nclasses : 1;
}

/* Batch predictions of all rows of d. */
static double *
predict_all(const MlAlgorithm *a, const void *model, const MlData *d)
{
	double	   *out = malloc(sizeof(double) * d->n * width_of(d));

	a->predict_batch(model, d->x, d->n, out);
	return out;
}

/* R^2 of the model on d, or accuracy for classification. */
static double
score_of(const MlAlgorithm *a, const void *model, const MlData *d)
{
	double	   *out = predict_all(a, model, d);
	int			w = width_of(d);
	double		result;

	if (d->task == ML_REGRESSION)
	{
		double		mean = 0,
					sst = 0,
					sse = 0;

		for (int64_t i = 0; i < d->n; i++)
			mean += d->y[i] / d->n;
		for (int64_t i = 0; i < d->n; i++)
		{
			sst += (d->y[i] - mean) * (d->y[i] - mean);
			sse += (d->y[i] - out[i]) * (d->y[i] - out[i]);
		}
		result = 1 - sse / sst;
	}
	else
	{
		int64_t		correct = 0;

		for (int64_t i = 0; i < d->n; i++)
		{
			int			best = 0;

			for (int c = 1; c < w; c++)
				if (out[i * w + c] > out[i * w + best])
					best = c;
			correct += best == (int) d->y[i];
		}
		result = (double) correct / d->n;
	}
	free(out);
	return result;
}

/*
 * Do row-by-row predictions equal the batch ones, and are probabilities
 * non-negative and summing to 1?
 */
static void
check_predictions(const char *name, const MlAlgorithm *a, const void *model,
				  const MlData *d)
{
	double	   *out = predict_all(a, model, d);
	int			w = width_of(d);
	double	   *one = malloc(sizeof(double) * w);
	double	   *row = malloc(sizeof(double) * d->p);
	double		worst_sum = 0,
				worst_diff = 0;
	bool		negative = false;

	for (int64_t i = 0; i < d->n; i++)
	{
		row_of(d, i, row);
		a->predict(model, row, one);
		for (int c = 0; c < w; c++)
		{
			double		diff = fabs(one[c] - out[i * w + c]);

			if (!(diff <= worst_diff))
				worst_diff = diff;
		}
		if (d->task == ML_CLASSIFICATION)
		{
			double		sum = 0;

			for (int c = 0; c < w; c++)
			{
				sum += out[i * w + c];
				negative = negative || !(out[i * w + c] >= 0);
			}
			if (!(fabs(sum - 1) <= worst_sum))
				worst_sum = fabs(sum - 1);
		}
	}
	check(worst_diff == 0, "%s: predict and predict_batch agree exactly (worst %g)",
		  name, worst_diff);
	if (d->task == ML_CLASSIFICATION)
		check(worst_sum < 1e-12 && !negative,
			  "%s: probabilities are non-negative and sum to 1 (worst |sum-1| %g)",
			  name, worst_sum);
	free(out);
	free(one);
	free(row);
}

/* The model's image. */
static uint8 *
image_of(const MlAlgorithm *a, const void *model, size_t *len)
{
	MlWriter	w;

	ml_writer_init(&w);
	a->write(&w, model);
	*len = w.len;
	return w.data;
}

/* Read an image; NULL unless it is accepted and consumed entirely. */
static void *
read_image(const MlAlgorithm *a, const uint8 *img, size_t len, const MlData *d)
{
	MlReader	r;
	void	   *m;

	ml_reader_init(&r, img, len);
	m = a->read(&r, d->p, d->task, d->nclasses);
	if (m && (!ml_reader_ok(&r) || r.pos != len))
		return NULL;
	return m;
}

/* Track whether every term is finite, and the largest magnitude. */
static inline void
add_term(double v, bool *finite, double *mag)
{
	*finite = *finite && isfinite(v);
	if (!isnan(v))
		*mag = fmax(*mag, fabs(v));
}

/*
 * Does explain add up to raw_output for this row and output, to 1e-6
 * relative to the largest of the terms?  *err receives the relative error.
 * A term that is not finite is accepted only beside a huge one (a damaged
 * image's leaf values can overflow the sums), never among small ones.
 */
static bool
explain_error(const MlAlgorithm *a, const void *model, const double *row,
			  int p, int out, double *err)
{
	double	   *contrib = malloc(sizeof(double) * p);
	double		base = NAN;
	double		raw = a->raw_output(model, row, out);
	double		sum,
				mag = 0;
	bool		finite = true;

	for (int j = 0; j < p; j++)
		contrib[j] = NAN;
	a->explain(model, row, out, contrib, &base);
	sum = base;
	for (int j = 0; j < p; j++)
	{
		sum += contrib[j];
		add_term(contrib[j], &finite, &mag);
	}
	add_term(raw, &finite, &mag);
	add_term(base, &finite, &mag);
	add_term(sum, &finite, &mag);
	free(contrib);
	*err = 0;
	if (!finite)
		return mag > 1e290;
	*err = mag > 0 ? fabs(sum - raw) / mag : 0;
	return *err <= 1e-6;
}

/* explain_error without the error. */
static bool
explains_additively(const MlAlgorithm *a, const void *model, const double *row,
					int p, int out)
{
	double		err;

	return explain_error(a, model, row, p, out, &err);
}

/*
 * Are a model's predictions on the first rows of d sane: finite, and
 * probabilities in [0, 1] summing to 1?  And does it explain row 0
 * additively, for every output?
 */
static bool
predictions_sane(const MlAlgorithm *a, const void *model, const MlData *d,
				 int64_t rows)
{
	int			w = width_of(d);
	double	   *out = malloc(sizeof(double) * rows * w);
	double	   *row = malloc(sizeof(double) * d->p);
	bool		ok = true;

	a->predict_batch(model, d->x, rows, out);
	for (int64_t i = 0; i < rows && ok; i++)
	{
		double		sum = 0;

		for (int c = 0; c < w; c++)
		{
			if (d->task == ML_CLASSIFICATION &&
				!(out[i * w + c] >= 0 && out[i * w + c] <= 1))
				ok = false;
			sum += out[i * w + c];
		}
		if (d->task == ML_CLASSIFICATION && !(fabs(sum - 1) < 1e-9))
			ok = false;
	}
	row_of(d, 0, row);
	a->predict(model, row, out);
	if (a->explain)
		for (int c = 0; c < w && ok; c++)
			ok = explains_additively(a, model, row, d->p, c);
	free(out);
	free(row);
	return ok;
}

/*
 * Round trip, then every truncation of the image, then byte flips at
 * every position: the reader must refuse the truncations and never crash;
 * what it accepts after a flip must predict sane values.
 */
static void
check_image(const char *name, const MlAlgorithm *a, const void *model,
			const MlData *d)
{
	size_t		len;
	uint8	   *img = image_of(a, model, &len);
	void	   *back = read_image(a, img, len, d);
	int			refused = 0;
	int			insane = 0;
	int			accepted = 0;
	static const uint8 flips[] = {0x01, 0x80, 0xFF, 0x7F};

	if (check(back != NULL, "%s: its image (%zu bytes) reads back", name, len))
	{
		double	   *p1 = predict_all(a, model, d);
		double	   *p2 = predict_all(a, back, d);
		double	   *i1 = calloc(d->p, sizeof(double));
		double	   *i2 = calloc(d->p, sizeof(double));
		size_t		len2;
		uint8	   *img2 = image_of(a, back, &len2);

		a->importance(model, i1);
		a->importance(back, i2);
		check(memcmp(p1, p2, sizeof(double) * d->n * width_of(d)) == 0 &&
			  memcmp(i1, i2, sizeof(double) * d->p) == 0,
			  "%s: the copy predicts identically and has the same importance", name);
		check(len2 == len && memcmp(img, img2, len) == 0,
			  "%s: writing the copy gives the same bytes", name);
		free(p1);
		free(p2);
		free(i1);
		free(i2);
		free(img2);
	}

	for (size_t cut = 0; cut < len; cut++)
		refused += read_image(a, img, cut, d) == NULL;
	check(refused == (int) len, "%s: all %zu truncations are refused (%d were)",
		  name, len, refused);

	for (size_t pos = 0; pos < len; pos++)
		for (int f = 0; f < (int) (sizeof(flips) / sizeof(flips[0])); f++)
		{
			void	   *m;

			img[pos] ^= flips[f];
			m = read_image(a, img, len, d);
			if (m)
			{
				accepted++;
				insane += !predictions_sane(a, m, d, 64);
			}
			img[pos] ^= flips[f];
		}
	check(insane == 0, "%s: byte flips at every position: %d accepted, all predict sanely",
		  name, accepted);

	/* random damage: 1 to 8 random bytes replaced, many times */
	{
		uint64_t	seed = len;
		uint8	   *copy = malloc(len);

		insane = accepted = 0;
		for (int iter = 0; iter < 3000; iter++)
		{
			void	   *m;
			int			nb = 1 + (int) (rand64(&seed) % 8);

			memcpy(copy, img, len);
			for (int k = 0; k < nb; k++)
				copy[rand64(&seed) % len] = (uint8) rand64(&seed);
			m = read_image(a, copy, len, d);
			if (m)
			{
				accepted++;
				insane += !predictions_sane(a, m, d, 64);
			}
		}
		check(insane == 0, "%s: 3000 randomly damaged images: %d accepted, all predict sanely",
			  name, accepted);
		free(copy);
	}
	free(img);
}

/* A small image parser, to find nodes in images (see tree_write). */
typedef struct NodeRef
{
	size_t		left_off;		/* offset of the node's left index */
	int32_t		index;
	int32_t		left;
	int32_t		nnodes;
} NodeRef;

/* Little-endian int32 at p, as model_io writes it. */
static int32_t
get_i32(const uint8 *p)
{
	return (int32_t) ((uint32_t) p[0] | (uint32_t) p[1] << 8 |
					  (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24);
}

/* Store v at p, little-endian. */
static void
put_i32(uint8 *p, int32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8) ((uint32_t) v >> (8 * i));
}

/*
 * List the nodes of the first tree of an image whose trees start at off
 * (after the tree count), with nout values per leaf.  Returns the count.
 */
static int
first_tree_nodes(const uint8 *img, size_t off, int nout, NodeRef *refs, int max)
{
	int32_t		nn = get_i32(img + off);
	size_t		pos = off + 4;
	int			k;

	for (k = 0; k < nn && k < max; k++)
	{
		refs[k].left_off = pos;
		refs[k].index = k;
		refs[k].left = get_i32(img + pos);
		refs[k].nnodes = nn;
		pos += 4 + 8;			/* left, cover */
		pos += refs[k].left == k ? 8 * nout : 4 + 8 + 8;
	}
	return k;
}

/*
 * Point internal nodes' children backwards (a cycle), at another node's
 * children (shared), or out of the array: every such image must be
 * refused.
 */
static void
check_bad_children(const char *name, const MlAlgorithm *a, const void *model,
				   const MlData *d, size_t trees_off, int nout)
{
	size_t		len;
	uint8	   *img = image_of(a, model, &len);
	NodeRef		refs[64];
	int			n = first_tree_nodes(img, trees_off, nout, refs, 64);
	int			tried = 0,
				refused = 0;
	int32_t		first_left = -1;	/* children of the first internal node */

	for (int k = 0; k < n; k++)
	{
		int32_t		bad[7];
		int			nbad = 0;

		if (refs[k].left == k)
			continue;
		if (first_left < 0)
			first_left = refs[k].left;
		else
			bad[nbad++] = first_left;	/* a child shared with another node */
		bad[nbad++] = -1;
		bad[nbad++] = INT32_MIN;
		bad[nbad++] = refs[k].nnodes - 1;	/* right child past the end */
		bad[nbad++] = refs[k].nnodes;
		bad[nbad++] = INT32_MAX;
		if (k > 0)
			bad[nbad++] = k - 1;	/* a cycle through the parent */
		for (int b = 0; b < nbad; b++)
		{
			put_i32(img + refs[k].left_off, bad[b]);
			tried++;
			refused += read_image(a, img, len, d) == NULL;
		}
		put_i32(img + refs[k].left_off, refs[k].left);
	}
	check(tried > 0 && refused == tried,
		  "%s: %d images with bad child indices are all refused (%d were)",
		  name, tried, refused);
	/* and a feature index out of range */
	for (int k = 0; k < n; k++)
		if (refs[k].left != k)
		{
			put_i32(img + refs[k].left_off + 4 + 8, d->p);
			check(read_image(a, img, len, d) == NULL,
				  "%s: an image splitting on feature p is refused", name);
			break;
		}
	free(img);
}

/* Fit, or report the error and stop the test. */
static void
fit_or_die(void **model, const MlAlgorithm *a, const MlData *d,
		   const MlHyperparams *hp)
{
	char		err[ML_ERRBUF_SIZE] = "";

	*model = a->fit(d, hp, err);
	if (*model == NULL)
	{
		printf("not ok - %s: fit failed: %s\n", a->name, err);
		exit(1);
	}
}

/* ------------------------------------------------------------------------ */

/* A depth-1 tree learns a step function on 100 distinct values exactly. */
static void
test_step(void)
{
	Data		s = data_alloc(1000, 2, ML_REGRESSION, 0);
	MlHyperparams hp;
	void	   *m;
	double	   *out;
	bool		exact = true;
	double		row[2];
	double		lo,
				hi;

	for (int i = 0; i < 1000; i++)
	{
		s.x[i] = i % 100;
		s.x[1000 + i] = (i * 7919) % 1000;	/* a distraction */
		s.y[i] = (i % 100) <= 36 ? 1.5 : -2.0;
	}
	ml_hyperparams_default(&hp);
	hp.max_depth = 1;
	fit_or_die(&m, &ml_decision_tree, &s.d, &hp);
	out = predict_all(&ml_decision_tree, m, &s.d);
	for (int i = 0; i < 1000; i++)
		exact = exact && out[i] == s.y[i];
	check(exact, "decision_tree depth 1 learns a step at 36/37 exactly");
	row[1] = 0;
	row[0] = 36.49;
	ml_decision_tree.predict(m, row, &lo);
	row[0] = 36.51;
	ml_decision_tree.predict(m, row, &hi);
	check(lo == 1.5 && hi == -2.0, "the threshold is the midpoint 36.5 (%g, %g)", lo, hi);
	free(out);

	/* the same as classes, and boosting with one round of depth 1 */
	for (int i = 0; i < 1000; i++)
		s.y[i] = (i % 100) <= 36 ? 1 : 0;
	s.d.task = ML_CLASSIFICATION;
	s.d.nclasses = 2;
	fit_or_die(&m, &ml_decision_tree, &s.d, &hp);
	check(score_of(&ml_decision_tree, m, &s.d) == 1.0,
		  "decision_tree depth 1 separates two classes at a step");
	hp.n_estimators = 1;
	hp.learning_rate = 1;
	fit_or_die(&m, &ml_gradient_boosting, &s.d, &hp);
	check(score_of(&ml_gradient_boosting, m, &s.d) == 1.0,
		  "gradient_boosting with one depth-1 tree separates the step");
	data_free(&s);
}

/* Regression R^2 on a smooth surface, for the three algorithms. */
static void
test_regression(void)
{
	Data		tr = make_smooth(4000, 11);
	Data		te = make_smooth(2000, 12);
	MlHyperparams hp;
	void	   *m;
	double		r2;

	ml_hyperparams_default(&hp);
	hp.n_estimators = 300;
	hp.max_depth = 4;
	fit_or_die(&m, &ml_gradient_boosting, &tr.d, &hp);
	r2 = score_of(&ml_gradient_boosting, m, &te.d);
	check(r2 > 0.97, "gradient_boosting regression: test R^2 %.4f > 0.97", r2);
	check_predictions("gradient_boosting regression", &ml_gradient_boosting, m, &te.d);

	/* leaf-wise growth with subsampling of rows and features */
	hp.max_depth = 0;
	hp.num_leaves = 12;
	hp.subsample = 0.7;
	hp.colsample = 0.75;
	fit_or_die(&m, &ml_gradient_boosting, &tr.d, &hp);
	r2 = score_of(&ml_gradient_boosting, m, &te.d);
	check(r2 > 0.95, "gradient_boosting leaf-wise, subsample 0.7, colsample 0.75: test R^2 %.4f > 0.95", r2);

	ml_hyperparams_default(&hp);
	hp.max_depth = 0;
	hp.n_estimators = 50;
	fit_or_die(&m, &ml_random_forest, &tr.d, &hp);
	r2 = score_of(&ml_random_forest, m, &te.d);
	check(r2 > 0.85, "random_forest regression (unlimited depth): test R^2 %.4f > 0.85", r2);
	check_predictions("random_forest regression", &ml_random_forest, m, &te.d);

	ml_hyperparams_default(&hp);
	hp.max_depth = 10;
	hp.min_samples_leaf = 5;
	fit_or_die(&m, &ml_decision_tree, &tr.d, &hp);
	r2 = score_of(&ml_decision_tree, m, &te.d);
	check(r2 > 0.85, "decision_tree regression depth 10: test R^2 %.4f > 0.85", r2);
	data_free(&tr);
	data_free(&te);
}

/* Two and three classes: accuracy and probabilities. */
static void
test_classification(int nclasses)
{
	Data		tr = make_classes(4000, nclasses, 21 + nclasses);
	Data		te = make_classes(2000, nclasses, 31 + nclasses);
	MlHyperparams hp;
	void	   *m;
	double		acc;
	char		name[64];

	ml_hyperparams_default(&hp);
	hp.n_estimators = 200;
	fit_or_die(&m, &ml_gradient_boosting, &tr.d, &hp);
	acc = score_of(&ml_gradient_boosting, m, &te.d);
	check(acc > 0.95, "gradient_boosting %d classes: test accuracy %.4f > 0.95", nclasses, acc);
	snprintf(name, sizeof(name), "gradient_boosting %d classes", nclasses);
	check_predictions(name, &ml_gradient_boosting, m, &te.d);

	ml_hyperparams_default(&hp);
	hp.max_depth = 0;
	hp.n_estimators = 50;
	fit_or_die(&m, &ml_random_forest, &tr.d, &hp);
	acc = score_of(&ml_random_forest, m, &te.d);
	check(acc > 0.93, "random_forest %d classes: test accuracy %.4f > 0.93", nclasses, acc);
	snprintf(name, sizeof(name), "random_forest %d classes", nclasses);
	check_predictions(name, &ml_random_forest, m, &te.d);

	ml_hyperparams_default(&hp);
	hp.max_depth = 8;
	fit_or_die(&m, &ml_decision_tree, &tr.d, &hp);
	acc = score_of(&ml_decision_tree, m, &te.d);
	check(acc > 0.9, "decision_tree %d classes: test accuracy %.4f > 0.9", nclasses, acc);
	snprintf(name, sizeof(name), "decision_tree %d classes", nclasses);
	check_predictions(name, &ml_decision_tree, m, &te.d);
	data_free(&tr);
	data_free(&te);
}

/* Images: round trip, truncations, flips, bad child indices. */
static void
test_images(void)
{
	Data		reg = make_smooth(500, 41);
	Data		bin = make_classes(500, 2, 42);
	Data		tri = make_classes(500, 3, 43);
	const Data *sets[3] = {&reg, &bin, &tri};
	const char *setname[3] = {"regression", "2 classes", "3 classes"};
	const MlAlgorithm *algs[3] = {&ml_decision_tree, &ml_random_forest,
	&ml_gradient_boosting};
	MlHyperparams hp;

	ml_hyperparams_default(&hp);
	hp.n_estimators = 3;
	hp.max_depth = 3;
	for (int a = 0; a < 3; a++)
		for (int s = 0; s < 3; s++)
		{
			const MlData *d = &sets[s]->d;
			void	   *m;
			char		name[96];
			int			nout;
			size_t		trees_off;

			fit_or_die(&m, algs[a], d, &hp);
			snprintf(name, sizeof(name), "%s %s", algs[a]->name, setname[s]);
			check_image(name, algs[a], m, d);
			if (algs[a] == &ml_gradient_boosting)
			{
				int			ngroups = d->nclasses > 2 ? d->nclasses : 1;

				nout = 1;
				trees_off = 1 + 16 + 8 * ngroups + 4;
			}
			else
			{
				nout = d->task == ML_CLASSIFICATION ? d->nclasses : 1;
				trees_off = 1 + 12 + 4;
			}
			check_bad_children(name, algs[a], m, d, trees_off, nout);
		}

	/* dimensions that differ from the stored ones are refused */
	{
		void	   *m;
		size_t		len;
		uint8	   *img;
		MlReader	r;

		fit_or_die(&m, &ml_gradient_boosting, &tri.d, &hp);
		img = image_of(&ml_gradient_boosting, m, &len);
		ml_reader_init(&r, img, len);
		check(ml_gradient_boosting.read(&r, 5, ML_CLASSIFICATION, 4) == NULL,
			  "gradient_boosting: an image read for another class count is refused");
		ml_reader_init(&r, img, len);
		check(ml_gradient_boosting.read(&r, 6, ML_CLASSIFICATION, 3) == NULL,
			  "gradient_boosting: an image read for another feature count is refused");
		ml_reader_init(&r, img, len);
		check(ml_random_forest.read(&r, 5, ML_CLASSIFICATION, 3) == NULL,
			  "random_forest: a gradient_boosting image is refused");
		free(img);
	}
	data_free(&reg);
	data_free(&bin);
	data_free(&tri);
}

/* The same seed gives the same bytes; another seed another forest. */
static void
test_determinism(void)
{
	Data		tr = make_classes(3000, 3, 51);
	const MlAlgorithm *algs[3] = {&ml_decision_tree, &ml_random_forest,
	&ml_gradient_boosting};
	MlHyperparams hp;

	ml_hyperparams_default(&hp);
	hp.n_estimators = 20;
	hp.subsample = 0.8;
	hp.colsample = 0.8;
	hp.early_stopping_rounds = 5;
	for (int a = 0; a < 3; a++)
	{
		void	   *m1,
				   *m2;
		size_t		l1,
					l2;
		uint8	   *i1,
				   *i2;

		hp.seed = 7;
		fit_or_die(&m1, algs[a], &tr.d, &hp);
		fit_or_die(&m2, algs[a], &tr.d, &hp);
		i1 = image_of(algs[a], m1, &l1);
		i2 = image_of(algs[a], m2, &l2);
		check(l1 == l2 && memcmp(i1, i2, l1) == 0,
			  "%s: two fits with one seed give identical images", algs[a]->name);
		free(i2);
		if (algs[a] != &ml_decision_tree)
		{
			hp.seed = 8;
			fit_or_die(&m2, algs[a], &tr.d, &hp);
			i2 = image_of(algs[a], m2, &l2);
			check(l1 != l2 || memcmp(i1, i2, l1) != 0,
				  "%s: another seed gives another model", algs[a]->name);
			free(i2);
		}
		free(i1);
	}
	data_free(&tr);
}

/* Trees in a boosting image (see gbdt_write). */
static uint32_t
gbdt_ntrees(const void *model, int ngroups)
{
	size_t		len;
	uint8	   *img = image_of(&ml_gradient_boosting, model, &len);
	uint32_t	n = (uint32_t) get_i32(img + 1 + 16 + 8 * ngroups);

	free(img);
	return n;
}

/* Early stopping stops soon on noise, late on signal. */
static void
test_early_stopping(void)
{
	Data		noise = make_noise(3000, 61);
	Data		signal = make_classes(3000, 2, 62);
	Data		te = make_classes(2000, 2, 63);
	MlHyperparams hp;
	void	   *m;
	uint32_t	nnoise,
				nsignal;
	double		acc;

	ml_hyperparams_default(&hp);
	hp.n_estimators = 300;
	hp.early_stopping_rounds = 10;
	hp.validation_fraction = 0.2;
	fit_or_die(&m, &ml_gradient_boosting, &noise.d, &hp);
	nnoise = gbdt_ntrees(m, 1);
	check(nnoise < 40, "early stopping on noise keeps %u of 300 rounds (< 40)", nnoise);
	fit_or_die(&m, &ml_gradient_boosting, &signal.d, &hp);
	nsignal = gbdt_ntrees(m, 1);
	acc = score_of(&ml_gradient_boosting, m, &te.d);
	check(nsignal > nnoise && nsignal >= 60,
		  "early stopping on a real signal keeps %u rounds (more than on noise)", nsignal);
	check(acc > 0.95, "early-stopped model: test accuracy %.4f > 0.95", acc);
	hp.early_stopping_rounds = 0;
	fit_or_die(&m, &ml_gradient_boosting, &noise.d, &hp);
	check(gbdt_ntrees(m, 1) == 300, "without early stopping all 300 rounds are kept");
	data_free(&noise);
	data_free(&signal);
	data_free(&te);
}

/* Importance goes to the features the target depends on. */
static void
test_importance(void)
{
	Data		tr = make_smooth(3000, 71);
	const MlAlgorithm *algs[3] = {&ml_decision_tree, &ml_random_forest,
	&ml_gradient_boosting};
	MlHyperparams hp;

	ml_hyperparams_default(&hp);
	hp.n_estimators = 30;
	for (int a = 0; a < 3; a++)
	{
		void	   *m;
		double		imp[4];
		bool		nonneg = true;

		fit_or_die(&m, algs[a], &tr.d, &hp);
		algs[a]->importance(m, imp);
		for (int j = 0; j < 4; j++)
			nonneg = nonneg && imp[j] >= 0 && isfinite(imp[j]);
		check(nonneg && imp[0] > 5 * imp[3] && imp[1] > 5 * imp[3],
			  "%s: importance of x0 %.3g, x1 %.3g above the irrelevant x3 %.3g",
			  algs[a]->name, imp[0], imp[1], imp[3]);
	}
	data_free(&tr);
}

/* Ordinal category codes: one bin per code, so codes split exactly. */
static void
test_categorical(void)
{
	Data		s = data_alloc(900, 2, ML_CLASSIFICATION, 2);
	int			ncat[2] = {9, 0};
	MlHyperparams hp;
	void	   *m;

	for (int i = 0; i < 900; i++)
	{
		s.x[i] = i % 9;
		s.x[900 + i] = (i * 31) % 17;
		s.y[i] = (i % 9) % 3 == 0 ? 1 : 0;
	}
	s.d.ncategories = ncat;
	ml_hyperparams_default(&hp);
	hp.max_depth = 0;
	fit_or_die(&m, &ml_decision_tree, &s.d, &hp);
	check(score_of(&ml_decision_tree, m, &s.d) == 1.0,
		  "decision_tree separates codes {0,3,6} of a 9-code category exactly");
	data_free(&s);
}

/*
 * Regression targets near the double range, or with a large offset and a
 * small spread, train like any other (the grower's float gradients see a
 * scaled target).
 */
static void
test_extreme_targets(void)
{
	Data		s = data_alloc(1000, 2, ML_REGRESSION, 0);
	const MlAlgorithm *algs[3] = {&ml_decision_tree, &ml_random_forest,
	&ml_gradient_boosting};
	MlHyperparams hp;
	static const double offsets[2] = {0, 1e9};
	static const double steps[2] = {1e300, 1};

	ml_hyperparams_default(&hp);
	hp.n_estimators = 50;
	hp.max_depth = 2;
	hp.learning_rate = 0.5;
	hp.colsample = 0.99;		/* the forest draws both features per split */
	for (int i = 0; i < 1000; i++)
	{
		s.x[i] = i % 100;
		s.x[1000 + i] = (i * 7919) % 1000;
	}
	for (int t = 0; t < 2; t++)
	{
		for (int i = 0; i < 1000; i++)
			s.y[i] = offsets[t] + ((i % 100) < 50 ? steps[t] : -steps[t]);
		for (int a = 0; a < 3; a++)
		{
			void	   *m;
			double	   *out;
			double		worst = 0;
			size_t		len;
			uint8	   *img;

			fit_or_die(&m, algs[a], &s.d, &hp);
			out = predict_all(algs[a], m, &s.d);
			for (int i = 0; i < 1000; i++)
			{
				double		e = fabs(out[i] - s.y[i]) / steps[t];

				if (!(e <= worst))
					worst = e;
			}
			img = image_of(algs[a], m, &len);
			check(worst < 1e-5 && read_image(algs[a], img, len, &s.d) != NULL,
				  "%s: a step of +-%g around %g is learnt (worst error %.2g steps) and its image reads back",
				  algs[a]->name, steps[t], offsets[t], worst);
			free(out);
			free(img);
		}
	}
	data_free(&s);
}

/* Tiny and degenerate data: one to three rows, constant features. */
static void
test_tiny(void)
{
	const MlAlgorithm *algs[3] = {&ml_decision_tree, &ml_random_forest,
	&ml_gradient_boosting};
	MlHyperparams hp;
	int			fine = 0,
				total = 0;

	ml_hyperparams_default(&hp);
	hp.n_estimators = 5;
	hp.early_stopping_rounds = 2;
	for (int n = 1; n <= 3; n++)
		for (int task = 0; task < 2; task++)
			for (int constant = 0; constant < 2; constant++)
				for (int a = 0; a < 3; a++)
				{
					Data		s = data_alloc(n, 2, task == 0 ? ML_REGRESSION : ML_CLASSIFICATION,
											   task == 0 ? 0 : 3);
					void	   *m;
					size_t		len;
					uint8	   *img;

					for (int i = 0; i < n; i++)
					{
						s.x[i] = constant ? 1 : i;
						s.x[n + i] = 5;
						s.y[i] = task == 0 ? i * 2.5 : i % 3;
					}
					fit_or_die(&m, algs[a], &s.d, &hp);
					img = image_of(algs[a], m, &len);
					total++;
					fine += predictions_sane(algs[a], m, &s.d, n) &&
						read_image(algs[a], img, len, &s.d) != NULL;
					free(img);
					data_free(&s);
				}
	check(fine == total, "%d fits on 1..3 rows and constant features predict sanely and read back (%d did)",
		  total, fine);
}

/* Invalid input gives an error message rather than a model. */
static void
test_errors(void)
{
	Data		s = make_classes(100, 2, 81);
	MlHyperparams hp;
	char		err[ML_ERRBUF_SIZE] = "";

	ml_hyperparams_default(&hp);
	s.y[10] = 2;
	check(ml_gradient_boosting.fit(&s.d, &hp, err) == NULL && err[0] != '\0',
		  "gradient_boosting refuses a class index out of range (%s)", err);
	err[0] = '\0';
	s.y[10] = 0.5;
	check(ml_random_forest.fit(&s.d, &hp, err) == NULL && err[0] != '\0',
		  "random_forest refuses a fractional class index (%s)", err);
	data_free(&s);
}

/* Largest |a - b| over n values. */
static double
max_diff(const double *a, const double *b, int64_t n)
{
	double		w = 0;

	for (int64_t i = 0; i < n; i++)
		if (fabs(a[i] - b[i]) > w)
			w = fabs(a[i] - b[i]);
	return w;
}

/* Grow one tree on the smooth data's target (unit hessians). */
static void
grow_on(const TreeBinned *b, const MlData *d, const TreeGrowParams *prm,
		Tree *t, TreeGrower **gout)
{
	TreeGrower *g = tree_grower_create(b, 1, prm);
	float	   *grad = malloc(sizeof(float) * 2 * d->n);
	int			feats[16];
	int			nf = tree_active_features(b, feats);
	MlRng		rng;

	for (int64_t i = 0; i < d->n; i++)
	{
		grad[2 * i] = (float) -d->y[i];
		grad[2 * i + 1] = 1.0f;
	}
	ml_rng_seed(&rng, 1);
	tree_grow(g, grad, NULL, 0, feats, nf, &rng, t);
	free(grad);
	*gout = g;
}

/* Values of tree t for all rows of d. */
static double *
tree_values(const Tree *t, const MlData *d)
{
	double	   *v = malloc(sizeof(double) * d->n);

	for (int64_t i = 0; i < d->n; i++)
		v[i] = t->values[tree_leaf_of_colmajor(t, d->x, d->n, i)];
	return v;
}

/* The grower's limits, and the subtraction trick against direct builds. */
static void
test_grower(void)
{
	Data		s = make_smooth(5000, 91);
	TreeBinned *b = tree_bin(&s.d, 255, 1);
	TreeGrowParams prm;
	TreeGrower *g;
	Tree		t1,
				t2;
	double	   *v1,
			   *v2;
	int64_t		minrows = INT64_MAX;
	bool		rows_ok = true;

	memset(&prm, 0, sizeof(prm));
	prm.max_depth = 5;
	prm.min_samples_leaf = 40;
	prm.lambda = 0;
	grow_on(b, &s.d, &prm, &t1, &g);
	for (int64_t k = 0; k < tree_grower_nleaves(g); k++)
	{
		int32_t		node;
		const int32_t *rows;
		int64_t		nr;

		tree_grower_leaf(g, k, &node, &rows, &nr);
		if (nr < minrows)
			minrows = nr;
		/* every row of the leaf reaches it */
		for (int64_t r = 0; r < nr; r++)
			rows_ok = rows_ok &&
				tree_leaf_of_colmajor(&t1, s.d.x, s.d.n, rows[r]) == node;
	}
	check(t1.depth <= 5 && minrows >= 40 && rows_ok,
		  "grower: depth %d <= 5, smallest leaf %lld rows >= 40, leaf rows reach their leaf",
		  t1.depth, (long long) minrows);
	{
		bool		cover_ok = t1.cover[0] == (double) s.d.n;

		for (int64_t k = 0; k < tree_grower_nleaves(g); k++)
		{
			int32_t		node;
			const int32_t *rows;
			int64_t		nr;

			tree_grower_leaf(g, k, &node, &rows, &nr);
			cover_ok = cover_ok && t1.cover[node] == (double) nr;
		}
		for (int32_t k = 0; k < t1.nnodes; k++)
			if (t1.nodes[k].left != k)
				cover_ok = cover_ok && t1.cover[k] ==
					t1.cover[t1.nodes[k].left] + t1.cover[t1.nodes[k].left + 1];
		check(cover_ok, "grower: covers are the row counts (root %g, leaves their rows, parents the sums)",
			  t1.cover[0]);
	}
	tree_grower_free(g);

	/* per-split sampling of all features builds every histogram directly */
	prm.mtry = s.d.p;
	grow_on(b, &s.d, &prm, &t2, &g);
	v1 = tree_values(&t1, &s.d);
	v2 = tree_values(&t2, &s.d);
	check(t1.nnodes == t2.nnodes && max_diff(v1, v2, s.d.n) < 1e-9,
		  "grower: histogram subtraction gives the tree of direct builds (%d nodes)",
		  t1.nnodes);
	tree_grower_free(g);
	tree_free(&t1);
	tree_free(&t2);
	free(v1);
	free(v2);

	/* best-first with a leaf limit */
	memset(&prm, 0, sizeof(prm));
	prm.max_leaves = 7;
	grow_on(b, &s.d, &prm, &t1, &g);
	check(tree_grower_nleaves(g) == 7 && t1.nnodes == 13,
		  "grower: num_leaves 7 gives 7 leaves (%lld)", (long long) tree_grower_nleaves(g));
	tree_grower_free(g);
	tree_free(&t1);

	/* unlimited: grows until leaves are pure or single rows */
	memset(&prm, 0, sizeof(prm));
	grow_on(b, &s.d, &prm, &t1, &g);
	v1 = tree_values(&t1, &s.d);
	/* rows whose float gradients differ by rounding noise may share a leaf */
	check(max_diff(v1, s.y, s.d.n) < 1e-4,
		  "grower: an unlimited tree fits its training rows (%lld leaves, worst error %.2g)",
		  (long long) tree_grower_nleaves(g), max_diff(v1, s.y, s.d.n));
	free(v1);
	tree_grower_free(g);
	tree_free(&t1);
	tree_binned_free(b);
	data_free(&s);
}

/* Binning: one bin per distinct value when they fit, else about equal bins. */
static void
test_binning(void)
{
	Data		s = data_alloc(10000, 3, ML_REGRESSION, 0);
	TreeBinned *b;
	int			counts[TREE_MAX_BINS] = {0};
	int			lo = INT32_MAX,
				hi = 0;
	bool		consistent = true;
	uint64_t	seed = 5;

	for (int i = 0; i < 10000; i++)
	{
		s.x[i] = i % 10;
		s.x[10000 + i] = rand_unit(&seed);
		s.x[20000 + i] = 3.0;
	}
	b = tree_bin(&s.d, 255, 1);
	check(b->nbins[0] == 10 && b->nbins[2] == 1,
		  "binning: 10 distinct values give 10 bins (%d), a constant 1 (%d)",
		  b->nbins[0], b->nbins[2]);
	for (int i = 0; i < 10000; i++)
	{
		int			c = b->codes[10000 + i];
		double		x = s.x[10000 + i];
		const double *cuts = b->cuts + b->offset[1];

		counts[c]++;
		/* code c holds cuts[c-1] < x <= cuts[c] */
		consistent = consistent && x <= cuts[c] && (c == 0 || x > cuts[c - 1]);
	}
	for (int c = 0; c < b->nbins[1]; c++)
	{
		if (counts[c] < lo)
			lo = counts[c];
		if (counts[c] > hi)
			hi = counts[c];
	}
	check(b->nbins[1] == 255 && consistent && lo >= 30 && hi <= 50,
		  "binning: 10000 distinct values in 255 bins of %d..%d rows, codes match the cuts",
		  lo, hi);
	tree_binned_free(b);
	data_free(&s);
}

/* ------------------------------------------------------------------------
 * Explanations
 * ------------------------------------------------------------------------
 */

/* Same layouts as the fitted models (forest.c and gbdt.c keep them private). */
typedef struct ForestView
{
	int			p;
	MlTask		task;
	int			nclasses;
	int			nout;
	int			ntrees;
	Tree	   *trees;
} ForestView;

typedef struct GbdtView
{
	int			p;
	MlTask		task;
	int			nclasses;
	int			ngroups;
	int			ntrees;
	double	   *base;
	Tree	   *trees;
} GbdtView;

/* The trees explain uses for output out, and how it weighs them. */
typedef struct Ensemble
{
	const Tree *trees;
	int			ntrees;
	int			ngroups;
	int			group;			/* trees t % ngroups == group */
	int			channel;		/* leaf value explained */
	double		scale;			/* weight of each tree */
	double		start;			/* initial score (boosting), or 0 */
} Ensemble;

/* The ensemble of a tree model for output out (see forest.c, gbdt.c). */
static Ensemble
ensemble_of(const MlAlgorithm *a, const void *model, int out)
{
	Ensemble	e;

	if (a == &ml_gradient_boosting)
	{
		const GbdtView *m = model;

		e.trees = m->trees;
		e.ntrees = m->ntrees;
		e.ngroups = m->ngroups;
		e.group = m->ngroups > 1 ? out : 0;
		e.channel = 0;
		e.scale = 1;
		e.start = m->base[e.group];
	}
	else
	{
		const ForestView *m = model;

		e.trees = m->trees;
		e.ntrees = m->ntrees;
		e.ngroups = 1;
		e.group = 0;
		e.channel = m->task == ML_CLASSIFICATION ? out : 0;
		e.scale = 1.0 / m->ntrees;
		e.start = 0;
	}
	return e;
}

/*
 * Algorithm 1 of Lundberg et al.: the expected value of the subtree at
 * node for row x when only the features in mask are known; at a split on
 * an unknown feature both children count, in proportion to their covers.
 */
static double
value_given(const Tree *t, int32_t node, const double *x, unsigned mask,
			int channel)
{
	const TreeNode *nd = &t->nodes[node];
	int32_t		l = nd->left;

	if (l == node)
		return t->values[(size_t) node * t->nout + channel];
	if (mask & (1u << nd->feature))
		return value_given(t, l + (x[nd->feature] > nd->threshold), x, mask,
						   channel);
	return (t->cover[l] * value_given(t, l, x, mask, channel) +
			t->cover[l + 1] * value_given(t, l + 1, x, mask, channel)) /
		t->cover[node];
}

/* The ensemble's output when only the features in mask are known. */
static double
ensemble_given(const Ensemble *e, const double *x, unsigned mask)
{
	double		v = e->start;

	for (int t = e->group; t < e->ntrees; t += e->ngroups)
		v += e->scale * value_given(&e->trees[t], 0, x, mask, e->channel);
	return v;
}

/*
 * Exact Shapley values of the p features (p <= 10) by enumerating every
 * subset: phi_i = sum over S without i of |S|! (p-|S|-1)! / p! times
 * (v(S + i) - v(S)).  *empty receives v of the empty set.
 */
static void
brute_shapley(const Ensemble *e, const double *x, int p, double *phi,
			  double *empty)
{
	double		fact[11] = {1};
	double	   *v = malloc(sizeof(double) * (1u << p));

	for (int k = 1; k <= 10; k++)
		fact[k] = fact[k - 1] * k;
	for (unsigned mask = 0; mask < (1u << p); mask++)
		v[mask] = ensemble_given(e, x, mask);
	for (int i = 0; i < p; i++)
	{
		phi[i] = 0;
		for (unsigned mask = 0; mask < (1u << p); mask++)
		{
			int			size = __builtin_popcount(mask);

			if (mask & (1u << i))
				continue;
			phi[i] += fact[size] * fact[p - size - 1] / fact[p] *
				(v[mask | (1u << i)] - v[mask]);
		}
	}
	*empty = v[0];
	free(v);
}

/* A random row: every feature uniform in [-1.2, 1.2) (beyond the data). */
static void
random_row(uint64_t *seed, int p, double *row)
{
	for (int j = 0; j < p; j++)
		row[j] = 2.4 * rand_unit(seed) - 1.2;
}

/* Outputs explain accepts for d: the classes, or the single value. */
static int
outputs_of(const MlData *d)
{
	return d->task == ML_CLASSIFICATION ? d->nclasses : 1;
}

/*
 * raw_output against the prediction: the forests' averaged leaf value is
 * the probability; boosting's raw scores give it through the sigmoid or
 * the softmax; a regression's is the prediction itself.  Returns the
 * largest difference over the outputs.
 */
static double
raw_vs_predict(const MlAlgorithm *a, const void *model, const MlData *d,
			   const double *row)
{
	int			k = outputs_of(d);
	double		pred[8],
				raw[8],
				worst = 0;

	a->predict(model, row, pred);
	for (int c = 0; c < k; c++)
		raw[c] = a->raw_output(model, row, c);
	if (a == &ml_gradient_boosting && k == 2)
	{
		raw[1] = 1 / (1 + exp(-raw[0]));
		raw[0] = 1 - raw[1];
	}
	else if (a == &ml_gradient_boosting && k > 2)
	{
		double		mx = raw[0],
					sum = 0;

		for (int c = 1; c < k; c++)
			mx = fmax(mx, raw[c]);
		for (int c = 0; c < k; c++)
			sum += (raw[c] = exp(raw[c] - mx));
		for (int c = 0; c < k; c++)
			raw[c] /= sum;
	}
	for (int c = 0; c < k; c++)
		worst = fmax(worst, fabs(raw[c] - pred[c]));
	return worst;
}

/*
 * Base value plus contributions against raw_output, on 200 random rows and
 * every output, for the three algorithms on regression, two and three
 * classes, with trees of depth 1, 3, 8 and unlimited.
 */
static void
test_explain_additivity(void)
{
	Data		reg = make_smooth(800, 101);
	Data		bin = make_classes(800, 2, 102);
	Data		tri = make_classes(800, 3, 103);
	const Data *sets[3] = {&reg, &bin, &tri};
	const char *setname[3] = {"regression", "2 classes", "3 classes"};
	const MlAlgorithm *algs[3] = {&ml_decision_tree, &ml_random_forest,
	&ml_gradient_boosting};
	static const int depths[4] = {1, 3, 8, 0};

	for (int a = 0; a < 3; a++)
		for (int s = 0; s < 3; s++)
			for (int k = 0; k < 4; k++)
			{
				const MlData *d = &sets[s]->d;
				MlHyperparams hp;
				void	   *m;
				uint64_t	seed = 1000 * a + 100 * s + k;
				double		row[8];
				double		worst = 0,
							worst_raw = 0;
				int			bad = 0,
							total = 0;

				ml_hyperparams_default(&hp);
				hp.n_estimators = a == 2 ? 40 : 15;
				hp.max_depth = depths[k];
				hp.subsample = a == 2 ? 0.8 : 1.0;
				fit_or_die(&m, algs[a], d, &hp);
				for (int i = 0; i < 200; i++)
				{
					random_row(&seed, d->p, row);
					worst_raw = fmax(worst_raw, raw_vs_predict(algs[a], m, d, row));
					for (int c = 0; c < outputs_of(d); c++)
					{
						double		err;

						total++;
						bad += !explain_error(algs[a], m, row, d->p, c, &err);
						worst = fmax(worst, err);
					}
				}
				check(bad == 0 && worst_raw < 1e-12,
					  "%s %s depth %d: base + contributions = raw_output on %d explanations (worst %.2g relative), raw_output matches predict (%.2g)",
					  algs[a]->name, setname[s], depths[k], total, worst, worst_raw);
			}
	data_free(&reg);
	data_free(&bin);
	data_free(&tri);
}

/*
 * Five features, the last constant (never split on), for brute-force
 * Shapley values: regression, two or three classes.
 */
static Data
make_five(int64_t n, MlTask task, int nclasses, uint64_t seed)
{
	Data		s = data_alloc(n, 5, task, nclasses);

	for (int64_t i = 0; i < n; i++)
	{
		double		v[4];

		for (int j = 0; j < 4; j++)
		{
			v[j] = 2 * rand_unit(&seed) - 1;
			s.x[j * n + i] = v[j];
		}
		s.x[4 * n + i] = 0.25;
		if (task == ML_REGRESSION)
			s.y[i] = v[0] * v[1] + sin(2 * v[2]) + (v[3] > 0.3) +
				0.1 * rand_unit(&seed);
		else if (nclasses == 2)
			s.y[i] = v[0] + v[1] * v[2] + 0.3 * v[3] + 0.3 * rand_unit(&seed) > 0.1;
		else
			s.y[i] = v[0] > 0.3 ? 0 : v[1] * v[2] > 0 ? 1 : 2;
	}
	return s;
}

/*
 * Contributions equal to brute-force Shapley values of the path-dependent
 * expectation, base equal to the empty set's value, on tiny ensembles
 * whose deep trees split on the same features repeatedly.
 */
static void
test_explain_brute_force(void)
{
	Data		sets[3] = {make_five(400, ML_REGRESSION, 0, 111),
		make_five(400, ML_CLASSIFICATION, 2, 112),
	make_five(400, ML_CLASSIFICATION, 3, 113)};
	const char *setname[3] = {"regression", "2 classes", "3 classes"};
	const MlAlgorithm *algs[3] = {&ml_decision_tree, &ml_random_forest,
	&ml_gradient_boosting};

	for (int a = 0; a < 3; a++)
		for (int s = 0; s < 3; s++)
		{
			const MlData *d = &sets[s].d;
			MlHyperparams hp;
			void	   *m;
			uint64_t	seed = 77 + a * 10 + s;
			double		worst = 0;
			bool		dummy = true;
			int			repeats = 0;
			int			nrows = 0;
			const Ensemble e0 = {0};

			ml_hyperparams_default(&hp);
			hp.n_estimators = a == 2 ? 4 : 5;
			hp.max_depth = a == 0 ? 7 : 5;
			hp.subsample = a == 2 ? 0.7 : 1.0;
			fit_or_die(&m, algs[a], d, &hp);
			/* count paths that split on a feature again (the hard case) */
			{
				Ensemble	e = ensemble_of(algs[a], m, 0);

				(void) e0;
				for (int t = 0; t < e.ntrees; t++)
				{
					const Tree *tr = &e.trees[t];

					for (int32_t k = 1; k < tr->nnodes; k++)
						if (tr->nodes[k].left != k)
							for (int32_t q = 0; q < k; q++)
								if (tr->nodes[q].left != q &&
									(tr->nodes[q].left == k || tr->nodes[q].left + 1 == k) &&
									tr->nodes[q].feature == tr->nodes[k].feature)
									repeats++;
				}
			}
			for (int i = 0; i < 30; i++)
			{
				double		row[5];

				random_row(&seed, 5, row);
				for (int c = 0; c < outputs_of(d); c++)
				{
					Ensemble	e = ensemble_of(algs[a], m, c);
					double		phi[5],
								contrib[5],
								empty,
								base,
								mag = 1e-300;

					brute_shapley(&e, row, 5, phi, &empty);
					algs[a]->explain(m, row, c, contrib, &base);
					for (int j = 0; j < 5; j++)
						mag = fmax(mag, fmax(fabs(phi[j]), fabs(empty)));
					worst = fmax(worst, fabs(base - empty) / mag);
					for (int j = 0; j < 5; j++)
						worst = fmax(worst, fabs(contrib[j] - phi[j]) / mag);
					dummy = dummy && contrib[4] == 0;
					nrows++;
				}
			}
			check(worst < 1e-9 && dummy,
				  "%s %s: %d explanations equal brute-force Shapley values over all 32 subsets (worst %.2g relative; %d repeated splits), the constant feature gets exactly 0",
				  algs[a]->name, setname[s], nrows, worst, repeats);
		}
	for (int s = 0; s < 3; s++)
		data_free(&sets[s]);
}

/*
 * A chain: every internal node has a leaf as its left child and the rest
 * of the chain as its right, splitting on feature k % nfeat at depth k.
 * Covers: 1 per leaf, so each internal node covers what is below it.
 */
static void
make_chain(Tree *t, int32_t depth, int nfeat)
{
	int32_t		nn = 2 * depth + 1;

	memset(t, 0, sizeof(*t));
	t->nnodes = nn;
	t->depth = depth;
	t->nout = 1;
	t->nodes = calloc(nn, sizeof(TreeNode));
	t->values = calloc(nn, sizeof(double));
	t->gains = calloc(nn, sizeof(double));
	t->cover = calloc(nn, sizeof(double));
	for (int32_t k = 0; k < depth; k++)
	{
		int32_t		node = 2 * k;

		t->nodes[node].feature = k % nfeat;
		t->nodes[node].threshold = (double) (k / nfeat) / (depth / nfeat + 1);
		t->nodes[node].left = node + 1;
		t->nodes[node + 1].left = node + 1;
		t->nodes[node + 1].threshold = INFINITY;
		t->values[node + 1] = sin(k);
		t->cover[node] = depth - k + 1;
		t->cover[node + 1] = 1;
	}
	t->nodes[nn - 1].left = nn - 1;
	t->nodes[nn - 1].threshold = INFINITY;
	t->values[nn - 1] = 2;
	t->cover[nn - 1] = 1;
}

/*
 * A reference TreeSHAP: Algorithm 2 of Lundberg et al. as printed (with
 * its one-directional unwinding), in quadruple precision, which absorbs
 * the rounding that recurrence amplifies on paths of up to 64 distinct
 * features.  Recursive, with a path copy per level: for small trees only.
 */
typedef __float128 quad;

typedef struct QuadEntry
{
	quad		z,
				o,
				w;
	int			d;
} QuadEntry;

/* EXTEND: append (z, o, d) to the path m of l entries. */
static void
quad_extend(QuadEntry *m, int l, quad z, quad o, int d)
{
	m[l].z = z;
	m[l].o = o;
	m[l].d = d;
	m[l].w = l == 0 ? 1 : 0;
	for (int i = l - 1; i >= 0; i--)
	{
		m[i + 1].w += o * m[i].w * (i + 1) / (l + 1);
		m[i].w = z * m[i].w * (l - i) / (l + 1);
	}
}

/* UNWIND's weights: the path m of l entries without entry i, into u. */
static void
quad_unwound(const QuadEntry *m, int l, int i, quad *u)
{
	quad		next = m[l - 1].w;

	for (int j = l - 2; j >= 0; j--)
	{
		if (m[i].o != 0)
		{
			u[j] = next * l / ((j + 1) * m[i].o);
			next = m[j].w - u[j] * m[i].z * (l - j - 1) / l;
		}
		else
			u[j] = m[j].w * l / (m[i].z * (l - j - 1));
	}
}

/* RECURSE of Algorithm 2 at node, the parent's path being m (l entries). */
static void
quad_recurse(const Tree *t, const double *x, int32_t node, const QuadEntry *pm,
			 int l, quad z, quad o, int d, quad *phi)
{
	QuadEntry  *m = malloc(sizeof(QuadEntry) * (l + 2));
	quad	   *u = malloc(sizeof(quad) * (l + 2));
	const TreeNode *nd = &t->nodes[node];

	memcpy(m, pm, sizeof(QuadEntry) * l);
	quad_extend(m, l, z, o, d);
	l++;
	if (nd->left == node)
	{
		for (int i = 1; i < l; i++)
		{
			quad		sum = 0;

			quad_unwound(m, l, i, u);
			for (int j = 0; j < l - 1; j++)
				sum += u[j];
			phi[m[i].d] += sum * (m[i].o - m[i].z) * t->values[node];
		}
	}
	else
	{
		int32_t		hot = nd->left + (x[nd->feature] > nd->threshold);
		int32_t		cold = hot == nd->left ? nd->left + 1 : nd->left;
		quad		iz = 1,
					io = 1;
		int			k;

		for (k = 1; k < l; k++)
			if (m[k].d == nd->feature)
				break;
		if (k < l)
		{
			iz = m[k].z;
			io = m[k].o;
			quad_unwound(m, l, k, u);
			for (int j = 0; j < l - 1; j++)
				m[j].w = u[j];
			for (int j = k; j < l - 1; j++)
			{
				m[j].z = m[j + 1].z;
				m[j].o = m[j + 1].o;
				m[j].d = m[j + 1].d;
			}
			l--;
		}
		quad_recurse(t, x, hot, m, l, iz * t->cover[hot] / t->cover[node], io,
					 nd->feature, phi);
		quad_recurse(t, x, cold, m, l, iz * t->cover[cold] / t->cover[node], 0,
					 nd->feature, phi);
	}
	free(m);
	free(u);
}

/*
 * Degenerate shapes: a chain 100000 deep on 3 features (the walk must not
 * recurse once per level), chains of 64 and 300 distinct features (long
 * paths, where the paper's unwinding recurrence loses every digit in
 * double precision).  Rows going to the end, leaving at once, halfway.
 * The 64-feature chain is compared with the quadruple-precision reference
 * contribution by contribution.
 */
static void
test_explain_chains(void)
{
	static const struct
	{
		int32_t		depth;
		int			nfeat;
	}			cases[3] = {{100000, 3}, {64, 64}, {300, 300}};

	for (int c = 0; c < 3; c++)
	{
		Tree		t;
		int			p = cases[c].nfeat;
		double	   *row = malloc(sizeof(double) * p);
		double	   *phi = malloc(sizeof(double) * p);
		quad	   *ref = malloc(sizeof(quad) * p);
		double		worst = 0,
					worst_ref = 0;
		bool		finite = true;

		make_chain(&t, cases[c].depth, p);
		for (int r = 0; r < 4; r++)
		{
			double		base,
						raw,
						sum,
						mag;

			for (int j = 0; j < p; j++)
				row[j] = r == 0 ? 2.0 : r == 1 ? -1.0 : 0.5;
			if (r == 3)
				row[p / 2] = -1.0;
			memset(phi, 0, sizeof(double) * p);
			base = trees_shap(&t, 1, 1, 0, 0, 1.0, row, p, phi);
			raw = trees_raw_sum(&t, 1, 1, 0, 0, row, 0.0);
			sum = base;
			mag = fmax(fabs(base), fabs(raw));
			for (int j = 0; j < p; j++)
			{
				sum += phi[j];
				mag = fmax(mag, fabs(phi[j]));
				finite = finite && isfinite(phi[j]);
			}
			worst = fmax(worst, fabs(sum - raw) / mag);
			if (p == 64)
			{
				QuadEntry	root;

				memset(ref, 0, sizeof(quad) * p);
				quad_recurse(&t, row, 0, &root, 0, 1, 1, -1, ref);
				for (int j = 0; j < p; j++)
					worst_ref = fmax(worst_ref, fabs(phi[j] - (double) ref[j]) / mag);
			}
		}
		/* the 3-feature chain unwinds and extends its path 100000 times */
		check(finite && worst < 1e-9 && worst_ref < 1e-12,
			  "a chain %d deep on %d features explains additively (worst %.2g relative)%s",
			  cases[c].depth, p, worst,
			  p == 64 ? ", each contribution as the quadruple-precision reference" : "");
		if (p == 64)
			note("64-feature chain: worst difference from the reference %.2g relative",
				 worst_ref);
		tree_free(&t);
		free(row);
		free(phi);
		free(ref);
	}
}

/*
 * Covers in images: a read-back model explains bit for bit as the
 * original; a cover below 1 (a count of rows), NaN, infinite or above
 * 2^53, or that is not the sum of the children's, is refused.
 */
static void
test_explain_images(void)
{
	Data		sets[3] = {make_smooth(500, 121), make_classes(500, 2, 122),
	make_classes(500, 3, 123)};
	const MlAlgorithm *algs[3] = {&ml_decision_tree, &ml_random_forest,
	&ml_gradient_boosting};
	static const double bad_cover[6] = {0, 0.5, -1, NAN, INFINITY, 1e300};

	for (int a = 0; a < 3; a++)
		for (int s = 0; s < 3; s++)
		{
			const MlData *d = &sets[s].d;
			MlHyperparams hp;
			void	   *m,
					   *back;
			size_t		len,
						trees_off;
			uint8	   *img;
			NodeRef		refs[64];
			int			n,
						tried = 0,
						refused = 0;
			bool		same = true;
			uint64_t	seed = 9;
			int			nout = 1;

			ml_hyperparams_default(&hp);
			hp.n_estimators = 3;
			hp.max_depth = 3;
			fit_or_die(&m, algs[a], d, &hp);
			img = image_of(algs[a], m, &len);
			back = read_image(algs[a], img, len, d);
			for (int i = 0; i < 50 && back; i++)
			{
				double		row[8],
							c1[8],
							c2[8],
							b1,
							b2;

				random_row(&seed, d->p, row);
				for (int c = 0; c < outputs_of(d); c++)
				{
					algs[a]->explain(m, row, c, c1, &b1);
					algs[a]->explain(back, row, c, c2, &b2);
					same = same && b1 == b2 &&
						memcmp(c1, c2, sizeof(double) * d->p) == 0 &&
						algs[a]->raw_output(m, row, c) == algs[a]->raw_output(back, row, c);
				}
			}
			check(back != NULL && same,
				  "%s %s: the read-back model explains bit for bit as the original",
				  algs[a]->name, s == 0 ? "regression" : s == 1 ? "2 classes" : "3 classes");

			if (algs[a] == &ml_gradient_boosting)
				trees_off = 1 + 16 + 8 * (d->nclasses > 2 ? d->nclasses : 1) + 4;
			else
			{
				nout = d->task == ML_CLASSIFICATION ? d->nclasses : 1;
				trees_off = 1 + 12 + 4;
			}
			n = first_tree_nodes(img, trees_off, nout, refs, 64);
			for (int k = 0; k < n; k++)
			{
				size_t		off = refs[k].left_off + 4;
				double		orig;

				memcpy(&orig, img + off, 8);
				for (int b = 0; b < 6; b++)
				{
					double		v = bad_cover[b];

					memcpy(img + off, &v, 8);
					tried++;
					refused += read_image(algs[a], img, len, d) == NULL;
				}
				/* one more row in a node: the sums no longer match */
				memcpy(img + off, &(double) {orig + 1}, 8);
				tried++;
				refused += read_image(algs[a], img, len, d) == NULL;
				memcpy(img + off, &orig, 8);
			}
			check(n > 0 && tried == refused,
				  "%s: %d images with a bad cover in the first tree (%d nodes) are all refused (%d were)",
				  algs[a]->name, tried, n, refused);
			free(img);
		}
	for (int s = 0; s < 3; s++)
		data_free(&sets[s]);
}

/* Forests count bootstrap draws in their covers; boosting counts rows. */
static void
test_explain_covers(void)
{
	Data		s = make_classes(1000, 2, 131);
	MlHyperparams hp;
	void	   *m;
	bool		ok = true;

	ml_hyperparams_default(&hp);
	hp.n_estimators = 5;
	hp.subsample = 0.5;
	fit_or_die(&m, &ml_random_forest, &s.d, &hp);
	for (int t = 0; t < 5; t++)
		ok = ok && ((const ForestView *) m)->trees[t].cover[0] == 500;
	check(ok, "random_forest: the root covers the 500 bootstrap draws of subsample 0.5");
	hp.subsample = 1;
	hp.early_stopping_rounds = 0;
	fit_or_die(&m, &ml_gradient_boosting, &s.d, &hp);
	ok = true;
	for (int t = 0; t < 5; t++)
		ok = ok && ((const GbdtView *) m)->trees[t].cover[0] == 1000;
	check(ok, "gradient_boosting: the root covers the 1000 training rows");
	data_free(&s);
}

/* Naive Bayes and knn are not explainable; the tree models are. */
static void
test_explain_descriptors(void)
{
	const MlAlgorithm *algs[3] = {&ml_decision_tree, &ml_random_forest,
	&ml_gradient_boosting};
	bool		ok = true;

	for (int a = 0; a < 3; a++)
		ok = ok && algs[a]->explain != NULL && algs[a]->raw_output != NULL;
	check(ok, "the three tree algorithms have explain and raw_output");
}

/* Time to explain a row of a 100-round, 31-leaf boosting model. */
static void
test_explain_speed(void)
{
	Data		s = make_smooth(5000, 141);
	MlHyperparams hp;
	void	   *m;
	uint64_t	seed = 3;
	double		row[4],
				contrib[4],
				base,
				sink = 0;
	struct timespec t0,
				t1;
	double		secs;

	ml_hyperparams_default(&hp);
	hp.max_depth = 0;
	hp.num_leaves = 31;
	fit_or_die(&m, &ml_gradient_boosting, &s.d, &hp);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 1000; i++)
	{
		random_row(&seed, 4, row);
		ml_gradient_boosting.explain(m, row, 0, contrib, &base);
		sink += base + contrib[0];
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
	note("explain, gradient_boosting 100 trees x 31 leaves: %.1f us per row", secs * 1e3);
	check(isfinite(sink) && secs < 5, "1000 explanations of a 100-tree model in %.3f s", secs);
	data_free(&s);
}

/* Run every test. */
int
main(void)
{
	test_binning();
	test_grower();
	test_step();
	test_regression();
	test_classification(2);
	test_classification(3);
	test_images();
	test_determinism();
	test_early_stopping();
	test_importance();
	test_categorical();
	test_extreme_targets();
	test_tiny();
	test_errors();
	test_explain_descriptors();
	test_explain_covers();
	test_explain_additivity();
	test_explain_brute_force();
	test_explain_chains();
	test_explain_images();
	test_explain_speed();
	return unit_status();
}

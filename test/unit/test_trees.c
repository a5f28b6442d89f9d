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
 * checked for its limits (depth, leaves, rows per leaf) and for giving the
 * same tree with and without the histogram subtraction trick.
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"

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

/*
 * Are a model's predictions on the first rows of d sane: finite, and
 * probabilities in [0, 1] summing to 1?
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
		pos += 4;
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
			put_i32(img + refs[k].left_off + 4, d->p);
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
	return unit_status();
}

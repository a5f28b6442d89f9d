/*-------------------------------------------------------------------------
 *
 * test_knn.c
 *	  Unit tests of k nearest neighbours (src/ml/knn.c).
 *
 * Probabilities and regression predictions must equal scikit-learn's
 * brute-force KNeighborsClassifier / KNeighborsRegressor (uniform and
 * distance weights) on the same data, and agree with a naive sort of all
 * distances on random queries; separable data must be classified
 * perfectly; probabilities sum to 1; exact matches take all the weight;
 * the size limit is enforced; the image survives a round trip and every
 * truncation or corruption is refused.
 *
 * The scikit-learn constants were produced once with scikit-learn 1.2.1
 * (Debian's python3-sklearn): KNeighborsClassifier(n_neighbors=k,
 * weights=w, algorithm='brute') and the same KNeighborsRegressor on
 * y = 2 x0 - x1, for (k, w) = (5, 'uniform') and (7, 'distance'), queried
 * at the first four rows of the queries below, with the training data
 * generated in Python by the splitmix64 sequence of unit.h exactly as
 * make_blobs() does here (the data of test_naive_bayes.c).
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"

#include "ml/ml.h"

static const double class_mean[3][3] = {{0, 0, 0}, {1.5, -1, 0.2}, {-1, 2, 0.1}};

static const double queries[4][3] = {
	{0, 0, 0}, {1.5, -1, 0.2}, {-1, 2, 0.1}, {0.5, 0.5, 0.5}
};

typedef struct Dataset
{
	MlData		d;
	double	   *x;
	double	   *y;
} Dataset;

/* As in test_naive_bayes.c: class floor(3u), then mean + spread * u. */
static void
make_blobs(Dataset *ds, uint64_t seed, int n, double spread_scale)
{
	uint64_t	st = seed;

	ds->x = malloc(sizeof(double) * n * 3);
	ds->y = malloc(sizeof(double) * n);
	memset(&ds->d, 0, sizeof(MlData));
	ds->d.n = n;
	ds->d.p = 3;
	ds->d.x = ds->x;
	ds->d.y = ds->y;
	ds->d.task = ML_CLASSIFICATION;
	ds->d.nclasses = 3;
	for (int i = 0; i < n; i++)
	{
		int			c = (int) (rand_unit(&st) * 3);

		ds->y[i] = c;
		for (int j = 0; j < 3; j++)
			ds->x[j * n + i] = class_mean[c][j] +
				spread_scale * (1 + 0.5 * c) * (2.0 * rand_unit(&st) - 1.0);
	}
}

/* Turn a blobs set into regression on y = 2 x0 - x1. */
static void
to_regression(Dataset *ds)
{
	int64		n = ds->d.n;

	for (int64 i = 0; i < n; i++)
		ds->y[i] = 2 * ds->x[i] - ds->x[n + i];
	ds->d.task = ML_REGRESSION;
	ds->d.nclasses = 0;
}

static void *
fit_or_note(const MlData *d, const MlHyperparams *hp)
{
	char		errbuf[ML_ERRBUF_SIZE] = "";
	void	   *m = ml_knn.fit(d, hp, errbuf);

	if (m == NULL)
		note("fit failed: %s", errbuf);
	return m;
}

static double
max_abs_diff(const double *a, const double *b, int n)
{
	double		worst = 0.0;

	for (int i = 0; i < n; i++)
		worst = fmax(worst, fabs(a[i] - b[i]));
	return worst;
}

/* Against scikit-learn, single rows and batch. */
static void
test_sklearn(void)
{
	static const double sk_clf5[12] = {
		0.8, 0.2, 0, 0, 1, 0, 0, 0, 1, 0.6, 0.2, 0.2
	};
	static const double sk_reg5[4] = {
		-0.0619596485612917, 3.7473004209779672, -4.9430602535752612,
		0.47041407180042832
	};
	static const double sk_clf7d[12] = {
		0.84417401641821121, 0.15582598358178876, 0, 0, 1, 0, 0, 0, 1,
		0.65603060540169356, 0.21710475877782945, 0.12686463582047708
	};
	static const double sk_reg7d[4] = {
		0.01979674818872566, 3.7085525269128983, -4.5450771495707887,
		0.55345413217023187
	};
	Dataset		ds;
	MlHyperparams hp;
	double		qx[12];
	double		out[12];
	double		one[12];
	void	   *m;

	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 3; j++)
			qx[j * 4 + i] = queries[i][j];
	make_blobs(&ds, 71, 300, 1.0);
	ml_hyperparams_default(&hp);

	m = fit_or_note(&ds.d, &hp);
	ml_knn.predict_batch(m, qx, 4, out);
	for (int i = 0; i < 4; i++)
		ml_knn.predict(m, queries[i], one + 3 * i);
	check(max_abs_diff(out, sk_clf5, 12) < 1e-15 &&
		  max_abs_diff(one, sk_clf5, 12) < 1e-15,
		  "k=5 uniform: vote fractions equal scikit-learn's predict_proba");

	hp.k = 7;
	hp.distance_weighted = true;
	m = fit_or_note(&ds.d, &hp);
	ml_knn.predict_batch(m, qx, 4, out);
	check(max_abs_diff(out, sk_clf7d, 12) < 1e-14,
		  "k=7 distance-weighted: probabilities equal scikit-learn's to 1e-14 (%.1e)",
		  max_abs_diff(out, sk_clf7d, 12));

	to_regression(&ds);
	hp.k = 5;
	hp.distance_weighted = false;
	m = fit_or_note(&ds.d, &hp);
	ml_knn.predict_batch(m, qx, 4, out);
	check(max_abs_diff(out, sk_reg5, 4) < 1e-14,
		  "regression k=5 uniform: equals scikit-learn's KNeighborsRegressor (%.1e)",
		  max_abs_diff(out, sk_reg5, 4));
	hp.k = 7;
	hp.distance_weighted = true;
	m = fit_or_note(&ds.d, &hp);
	ml_knn.predict_batch(m, qx, 4, out);
	check(max_abs_diff(out, sk_reg7d, 4) < 1e-14,
		  "regression k=7 distance-weighted: equals scikit-learn's (%.1e)",
		  max_abs_diff(out, sk_reg7d, 4));
	free(ds.x);
	free(ds.y);
}

typedef struct DistIndex
{
	double		d;
	int			i;
} DistIndex;

static int
cmp_dist_index(const void *a, const void *b)
{
	const DistIndex *x = a;
	const DistIndex *y = b;

	if (x->d != y->d)
		return x->d < y->d ? -1 : 1;
	return x->i - y->i;
}

/* The heap and its early exit against sorting every distance. */
static void
test_against_sort(void)
{
	Dataset		ds;
	MlHyperparams hp;
	void	   *m;
	DistIndex  *all = malloc(sizeof(DistIndex) * 2000);
	uint64_t	st = 99;
	double		worst = 0.0;

	make_blobs(&ds, 74, 2000, 1.0);
	to_regression(&ds);
	ml_hyperparams_default(&hp);
	hp.k = 13;
	m = fit_or_note(&ds.d, &hp);
	for (int t = 0; t < 200; t++)
	{
		double		q[3];
		double		got;
		double		want = 0.0;

		for (int j = 0; j < 3; j++)
			q[j] = 3.0 * (2.0 * rand_unit(&st) - 1.0);
		/* every fifth query sits exactly on a training row */
		if (t % 5 == 0)
			for (int j = 0; j < 3; j++)
				q[j] = ds.x[j * 2000 + t];
		for (int i = 0; i < 2000; i++)
		{
			double		d2 = 0.0;

			for (int j = 0; j < 3; j++)
				d2 += (ds.x[j * 2000 + i] - q[j]) * (ds.x[j * 2000 + i] - q[j]);
			all[i].d = d2;
			all[i].i = i;
		}
		qsort(all, 2000, sizeof(DistIndex), cmp_dist_index);
		for (int i = 0; i < 13; i++)
			want += ds.y[all[i].i];
		want /= 13;
		ml_knn.predict(m, q, &got);
		worst = fmax(worst, fabs(got - want));
	}
	check(worst < 1e-12, "200 queries: the heap finds the same 13 neighbours as a full sort (%.1e)",
		  worst);
	free(all);
	free(ds.x);
	free(ds.y);
}

/* Separable data, sums, exact matches, ties, k beyond n, limits. */
static void
test_behaviour(void)
{
	Dataset		ds;
	MlHyperparams hp;
	void	   *m;
	double	   *out;
	int			errors = 0;
	double		worst_sum = 0.0;
	char		errbuf[ML_ERRBUF_SIZE] = "";

	/* blobs shrunk to a quarter: the classes no longer overlap */
	make_blobs(&ds, 75, 1000, 0.25);
	ml_hyperparams_default(&hp);
	m = fit_or_note(&ds.d, &hp);
	out = malloc(sizeof(double) * 1000 * 3);
	ml_knn.predict_batch(m, ds.x, 1000, out);
	for (int i = 0; i < 1000; i++)
	{
		int			best = 0;

		for (int c = 1; c < 3; c++)
			if (out[i * 3 + c] > out[i * 3 + best])
				best = c;
		errors += best != (int) ds.y[i];
		worst_sum = fmax(worst_sum, fabs(out[i * 3] + out[i * 3 + 1] + out[i * 3 + 2] - 1));
	}
	check(errors == 0, "separable blobs: every training row classified right (%d errors)",
		  errors);
	check(worst_sum < 1e-15, "probabilities sum to 1 (%.1e)", worst_sum);

	/* distance weights: an exact match takes all the weight */
	hp.distance_weighted = true;
	m = fit_or_note(&ds.d, &hp);
	{
		double		row[3];
		double		o[3];

		for (int j = 0; j < 3; j++)
			row[j] = ds.x[j * 1000 + 17];
		ml_knn.predict(m, row, o);
		check(o[(int) ds.y[17]] == 1.0, "distance weights: a training row predicts its own class with P = 1");
	}
	free(out);

	/* k beyond n; p = 0 (all rows tie: the first k rows, by index) */
	hp.k = 5000;
	hp.distance_weighted = false;
	m = fit_or_note(&ds.d, &hp);
	{
		double		o[3];
		int			count[3] = {0, 0, 0};

		for (int i = 0; i < 1000; i++)
			count[(int) ds.y[i]]++;
		ml_knn.predict(m, queries[0], o);
		check(fabs(o[0] - count[0] / 1000.0) < 1e-15,
			  "k beyond n: all rows vote (P(0) = %.3f)", o[0]);
	}
	ds.d.p = 0;
	ds.d.n = 10;
	hp.k = 4;
	m = fit_or_note(&ds.d, &hp);
	if (check(m != NULL, "no features: fits"))
	{
		double		o[3];
		double		want[3] = {0, 0, 0};

		for (int i = 0; i < 4; i++)
			want[(int) ds.y[i]] += 0.25;
		ml_knn.predict(m, NULL, o);
		check(max_abs_diff(o, want, 3) == 0.0,
			  "no features: every row ties, the first 4 vote");
	}
	free(ds.x);
	free(ds.y);

	/* the size limit: 100,001 rows, or 10M values */
	memset(&ds.d, 0, sizeof(MlData));
	ds.d.task = ML_REGRESSION;
	ds.d.n = 100001;
	ds.d.p = 1;
	ds.x = calloc(100001, sizeof(double));
	ds.y = calloc(100001, sizeof(double));
	ds.d.x = ds.x;
	ds.d.y = ds.y;
	hp.k = 5;
	check(ml_knn.fit(&ds.d, &hp, errbuf) == NULL && errbuf[0],
		  "100,001 rows refused: %s", errbuf);
	ds.d.n = 100000;
	errbuf[0] = '\0';
	m = ml_knn.fit(&ds.d, &hp, errbuf);
	check(m != NULL, "100,000 rows x 1 accepted");
	free(ds.x);
	free(ds.y);
	ds.d.n = 50000;
	ds.d.p = 201;
	ds.x = NULL;
	check(ml_knn.fit(&ds.d, &hp, errbuf) == NULL && errbuf[0],
		  "50,000 rows x 201 features (10.05M values) refused");
	ds.d.p = 1;
	ds.d.n = 10;
	ds.x = calloc(10, sizeof(double));
	ds.y = calloc(10, sizeof(double));
	ds.d.x = ds.x;
	ds.d.y = ds.y;
	hp.k = 0;
	check(ml_knn.fit(&ds.d, &hp, errbuf) == NULL && errbuf[0],
		  "k = 0 refused: %s", errbuf);
	hp.k = 3;
	ds.d.task = ML_CLASSIFICATION;
	ds.d.nclasses = 2;
	ds.y[2] = 2;
	check(ml_knn.fit(&ds.d, &hp, errbuf) == NULL && errbuf[0],
		  "class index out of range refused: %s", errbuf);
	free(ds.x);
	free(ds.y);
	check(ml_knn.id == 10 && ml_knn.classification && ml_knn.regression,
		  "descriptor: id 10, both tasks");
}

static void *
read_image(const uint8 *data, size_t len, int p, MlTask task, int nclasses)
{
	MlReader	r;

	ml_reader_init(&r, data, len);
	return ml_knn.read(&r, p, task, nclasses);
}

/* Round trip, truncations and corruptions, both tasks. */
static void
test_image(void)
{
	for (int t = 0; t < 2; t++)
	{
		MlTask		task = t == 0 ? ML_CLASSIFICATION : ML_REGRESSION;
		int			nk = t == 0 ? 3 : 0;
		int			width = t == 0 ? 3 : 1;
		const char *name = t == 0 ? "classification" : "regression";
		Dataset		ds;
		MlHyperparams hp;
		MlWriter	w;
		void	   *m;
		void	   *back;
		bool		all_refused = true;
		uint8	   *bad;
		double	   *a = malloc(sizeof(double) * 60 * 3);
		double	   *b = malloc(sizeof(double) * 60 * 3);
		double		imp[3];

		make_blobs(&ds, 76, 60, 1.0);
		if (t == 1)
			to_regression(&ds);
		ml_hyperparams_default(&hp);
		hp.distance_weighted = true;
		m = fit_or_note(&ds.d, &hp);
		ml_writer_init(&w);
		ml_knn.write(&w, m);
		back = read_image(w.data, w.len, 3, task, nk);
		if (!check(back != NULL, "%s: image reads back (%zu bytes)", name, w.len))
			continue;
		ml_knn.predict_batch(m, ds.x, 60, a);
		ml_knn.predict_batch(back, ds.x, 60, b);
		check(memcmp(a, b, sizeof(double) * 60 * width) == 0,
			  "%s: read-back model predicts identically", name);
		ml_knn.importance(m, imp);
		check(imp[0] > 0 && imp[1] > 0 && imp[2] > 0,
			  "%s: importance is the feature variance (%.3f %.3f %.3f)",
			  name, imp[0], imp[1], imp[2]);
		for (size_t len = 0; len < w.len; len++)
			if (read_image(w.data, len, 3, task, nk) != NULL)
				all_refused = false;
		check(all_refused, "%s: every truncation of the image is refused", name);
		check(read_image(w.data, w.len, 2, task, nk) == NULL &&
			  read_image(w.data, w.len, 3, t == 0 ? ML_REGRESSION : ML_CLASSIFICATION,
						 t == 0 ? 0 : 3) == NULL &&
			  (t == 1 || read_image(w.data, w.len, 3, task, 4) == NULL),
			  "%s: image refused for another p, task or nclasses", name);
		bad = malloc(w.len);
		/* header: version 1, p 4, task 1, nclasses 4, k 4, weighted 1, n 4 */
		memcpy(bad, w.data, w.len);
		memset(bad + 10, 0, 4);
		check(read_image(bad, w.len, 3, task, nk) == NULL, "%s: k = 0 refused", name);
		memcpy(bad, w.data, w.len);
		bad[14] = 2;
		check(read_image(bad, w.len, 3, task, nk) == NULL,
			  "%s: a bad weighting flag is refused", name);
		memcpy(bad, w.data, w.len);
		bad[18] = 0x7F;
		check(read_image(bad, w.len, 3, task, nk) == NULL,
			  "%s: a row count beyond the bytes is refused", name);
		for (size_t off = 19; off + 8 <= w.len; off += 8)
		{
			memcpy(bad, w.data, w.len);
			memcpy(bad + off, &(double) {INFINITY}, 8);
			if (read_image(bad, w.len, 3, task, nk) != NULL)
				all_refused = false;
		}
		check(all_refused, "%s: an infinite value anywhere is refused", name);
		if (t == 0)
		{
			memcpy(bad, w.data, w.len);
			memcpy(bad + w.len - 8, &(double) {3.0}, 8);
			check(read_image(bad, w.len, 3, task, nk) == NULL,
				  "classification: a class index out of range is refused");
			memcpy(bad + w.len - 8, &(double) {1.5}, 8);
			check(read_image(bad, w.len, 3, task, nk) == NULL,
				  "classification: a fractional class index is refused");
		}
		free(bad);
		free(a);
		free(b);
		free(w.data);
		free(ds.x);
		free(ds.y);
	}
}

int
main(void)
{
	test_sklearn();
	test_against_sort();
	test_behaviour();
	test_image();
	return unit_status();
}

/*-------------------------------------------------------------------------
 *
 * test_naive_bayes.c
 *	  Unit tests of Gaussian naive Bayes (src/ml/naive_bayes.c).
 *
 * Priors, means, variances and probabilities must equal scikit-learn's
 * GaussianNB on the same data; probabilities sum to 1 and stay defined far
 * from the data and on degenerate (constant) features; the image survives
 * a round trip and every truncation or corruption is refused.
 *
 * The scikit-learn constants were produced once with scikit-learn 1.2.1
 * (Debian's python3-sklearn): GaussianNB().fit(X, y) and
 * GaussianNB(var_smoothing=0.5).fit(X, y), then predict_proba on the five
 * query rows below, with X, y generated in Python by the splitmix64
 * sequence of unit.h exactly as make_blobs() does here.
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"

#include "ml/ml.h"

/* Same layout as the fitted model (naive_bayes.c keeps it private). */
typedef struct NaiveBayesView
{
	int			p;
	int			nclasses;
	double	   *prior;
	double	   *theta;
	double	   *var;
	double	   *log_norm;
	double	   *half_inv_var;
} NaiveBayesView;

static const NaiveBayesView *
view(const void *model)
{
	return (const NaiveBayesView *) model;
}

static const double class_mean[3][3] = {{0, 0, 0}, {1.5, -1, 0.2}, {-1, 2, 0.1}};

static const double queries[5][3] = {
	{0, 0, 0}, {1.5, -1, 0.2}, {-1, 2, 0.1}, {0.5, 0.5, 0.5}, {10, -10, 3}
};

typedef struct Dataset
{
	MlData		d;
	double	   *x;
	double	   *y;
} Dataset;

/*
 * n rows in 3 classes: per row the class floor(3u), then each feature the
 * class mean plus (1 + 0.5 class) times a uniform in [-1, 1).
 */
static void
make_blobs(Dataset *ds, uint64_t seed, int n)
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
				(1 + 0.5 * c) * (2.0 * rand_unit(&st) - 1.0);
	}
}

static void *
fit_or_note(const MlData *d, const MlHyperparams *hp)
{
	char		errbuf[ML_ERRBUF_SIZE] = "";
	void	   *m = ml_naive_bayes.fit(d, hp, errbuf);

	if (m == NULL)
		note("fit failed: %s", errbuf);
	return m;
}

/* Largest relative difference of a[0..n) and b[0..n). */
static double
max_rel(const double *a, const double *b, int n)
{
	double		worst = 0.0;

	for (int i = 0; i < n; i++)
		worst = fmax(worst, fabs(a[i] - b[i]) / fmax(fabs(b[i]), 1e-300));
	return worst;
}

/* Against scikit-learn's GaussianNB. */
static void
test_sklearn(void)
{
	static const double sk_prior[3] = {
		0.41666666666666669, 0.30666666666666664, 0.27666666666666667
	};
	static const double sk_theta[9] = {
		-0.064775729268213497, 0.02402799974143734, 0.073307490748201989,
		1.4276326087269366, -0.84328273426329914, 0.20479694131764317,
		-0.77635918379620272, 1.9006657384891039, 0.39406201707713695
	};
	static const double sk_var[9] = {
		0.34423201900868577, 0.31810897356729606, 0.33837432503358056,
		0.85227825693332704, 0.78456810396994436, 0.68669830271529197,
		1.3084074852368783, 1.0906478611272037, 1.4148995517833034
	};
	static const double sk_proba[15] = {
		0.94995778718953017, 0.03759471399021605, 0.012447498820253831,
		0.025434047323502487, 0.97333810972401824, 0.0012278429524794725,
		0.00705997343262475, 0.00044059615664540094, 0.99249943041072974,
		0.85510120196890282, 0.095237036566919356, 0.049661761464177695,
		1.2325145233158011e-93, 0.99996685753260106, 3.3142467403857943e-05
	};
	static const double sk_proba_smooth[15] = {
		0.76419438702653608, 0.16068501619923128, 0.075120596774232537,
		0.33966404594746558, 0.64535053789996188, 0.014985416152572536,
		0.33461069910711927, 0.01868601965527061, 0.64670328123761034,
		0.69339777225511967, 0.19409173328358206, 0.11251049446129811,
		2.2955260936169229e-16, 0.99999981218092759, 1.878190741485097e-07
	};
	Dataset		ds;
	MlHyperparams hp;
	void	   *m;
	double		out[15];
	double		qx[15];

	/* the queries as a column-major 5 x 3 matrix */
	for (int i = 0; i < 5; i++)
		for (int j = 0; j < 3; j++)
			qx[j * 5 + i] = queries[i][j];

	make_blobs(&ds, 71, 300);
	ml_hyperparams_default(&hp);
	m = fit_or_note(&ds.d, &hp);
	if (!check(m != NULL, "naive bayes 300 x 3, 3 classes: fits"))
		return;
	check(max_rel(view(m)->prior, sk_prior, 3) < 1e-15,
		  "priors equal scikit-learn's class_prior_");
	check(max_rel(view(m)->theta, sk_theta, 9) < 1e-12,
		  "means equal scikit-learn's theta_ to 1e-12 (%.1e)",
		  max_rel(view(m)->theta, sk_theta, 9));
	check(max_rel(view(m)->var, sk_var, 9) < 1e-12,
		  "variances equal scikit-learn's var_ to 1e-12 (%.1e)",
		  max_rel(view(m)->var, sk_var, 9));
	for (int i = 0; i < 5; i++)
		ml_naive_bayes.predict(m, queries[i], out + 3 * i);
	check(max_rel(out, sk_proba, 15) < 1e-10,
		  "probabilities equal scikit-learn's predict_proba to 1e-10, including 1.2e-93 (%.1e)",
		  max_rel(out, sk_proba, 15));
	ml_naive_bayes.predict_batch(m, qx, 5, out);
	check(max_rel(out, sk_proba, 15) < 1e-10,
		  "batch probabilities equal scikit-learn's too");

	hp.var_smoothing = 0.5;
	m = fit_or_note(&ds.d, &hp);
	if (m)
	{
		ml_naive_bayes.predict_batch(m, qx, 5, out);
		check(max_rel(out, sk_proba_smooth, 15) < 1e-10,
			  "var_smoothing=0.5: equals scikit-learn to 1e-10 (%.1e)",
			  max_rel(out, sk_proba_smooth, 15));
	}
	free(ds.x);
	free(ds.y);
}

/* Accuracy, sums, far rows, degenerate data, absent classes. */
static void
test_behaviour(void)
{
	Dataset		ds;
	MlHyperparams hp;
	void	   *m;
	double		out[3];
	double		imp[3];
	int			errors = 0;
	double		worst_sum = 0.0;
	double	   *batch;

	make_blobs(&ds, 72, 3000);
	ml_hyperparams_default(&hp);
	m = fit_or_note(&ds.d, &hp);
	if (!check(m != NULL, "3000 rows: fits"))
		return;
	batch = malloc(sizeof(double) * 3000 * 3);
	ml_naive_bayes.predict_batch(m, ds.x, 3000, batch);
	for (int i = 0; i < 3000; i++)
	{
		int			best = 0;
		double		s = 0.0;

		for (int c = 0; c < 3; c++)
		{
			s += batch[i * 3 + c];
			if (batch[i * 3 + c] > batch[i * 3 + best])
				best = c;
		}
		worst_sum = fmax(worst_sum, fabs(s - 1.0));
		errors += best != (int) ds.y[i];
	}
	check(worst_sum < 1e-15, "probabilities sum to 1 (%.1e)", worst_sum);
	check(errors < 3000 * 0.2, "training accuracy %.3f on overlapping blobs",
		  1.0 - errors / 3000.0);
	ml_naive_bayes.importance(m, imp);
	check(imp[0] > imp[2] && imp[1] > imp[2] && imp[2] >= 0,
		  "importance (Fisher ratio %.3f %.3f %.3f): the third feature barely separates",
		  imp[0], imp[1], imp[2]);

	/* very far from everything: still a distribution, no NaN */
	{
		double		far[3] = {1e200, -1e200, 1e150};
		double		s;

		ml_naive_bayes.predict(m, far, out);
		s = out[0] + out[1] + out[2];
		check(!isnan(s) && fabs(s - 1.0) < 1e-15,
			  "a row at 1e200: probabilities (%.3g %.3g %.3g)", out[0], out[1], out[2]);
	}
	free(batch);

	/* a feature constant overall, var_smoothing = 0: still defined */
	for (int i = 0; i < 3000; i++)
		ds.x[2 * 3000 + i] = 7.0;
	hp.var_smoothing = 0.0;
	m = fit_or_note(&ds.d, &hp);
	if (check(m != NULL, "constant feature, var_smoothing 0: fits"))
	{
		double		row[3] = {1.5, -1, 7.0};
		double		row2[3] = {1.5, -1, 7.5};

		ml_naive_bayes.predict(m, row, out);
		check(out[1] > 0.9 && fabs(out[0] + out[1] + out[2] - 1) < 1e-15,
			  "constant feature at its value: class 1 (%.3f)", out[1]);
		ml_naive_bayes.predict(m, row2, out);
		check(!isnan(out[0]) && fabs(out[0] + out[1] + out[2] - 1) < 1e-15,
			  "constant feature off its value: falls back to the priors (%.3f %.3f %.3f)",
			  out[0], out[1], out[2]);
	}

	/* a class absent from training: probability 0 */
	ds.d.nclasses = 4;
	ml_hyperparams_default(&hp);
	m = fit_or_note(&ds.d, &hp);
	if (check(m != NULL, "4 classes, class 3 absent: fits"))
	{
		double		o4[4];

		ml_naive_bayes.predict(m, queries[0], o4);
		check(o4[3] == 0.0 && fabs(o4[0] + o4[1] + o4[2] - 1) < 1e-15,
			  "absent class: probability 0");
	}
	free(ds.x);
	free(ds.y);
}

static void *
read_image(const uint8 *data, size_t len, int p, MlTask task, int nclasses)
{
	MlReader	r;

	ml_reader_init(&r, data, len);
	return ml_naive_bayes.read(&r, p, task, nclasses);
}

/* Round trip, truncations, corruptions and refused inputs. */
static void
test_image(void)
{
	Dataset		ds;
	MlHyperparams hp;
	MlWriter	w;
	void	   *m;
	void	   *back;
	bool		same = true;
	bool		all_refused = true;
	uint8	   *bad;
	char		errbuf[ML_ERRBUF_SIZE] = "";

	make_blobs(&ds, 73, 200);
	ml_hyperparams_default(&hp);
	m = fit_or_note(&ds.d, &hp);
	if (!check(m != NULL, "image: fits"))
		return;
	ml_writer_init(&w);
	ml_naive_bayes.write(&w, m);
	back = read_image(w.data, w.len, 3, ML_CLASSIFICATION, 3);
	if (!check(back != NULL, "image reads back (%zu bytes)", w.len))
		return;
	for (int i = 0; i < 200; i++)
	{
		double		row[3];
		double		a[3];
		double		b[3];

		for (int j = 0; j < 3; j++)
			row[j] = ds.x[j * 200 + i];
		ml_naive_bayes.predict(m, row, a);
		ml_naive_bayes.predict(back, row, b);
		same &= memcmp(a, b, sizeof(a)) == 0;
	}
	check(same, "read-back model predicts identically");
	for (size_t len = 0; len < w.len; len++)
		if (read_image(w.data, len, 3, ML_CLASSIFICATION, 3) != NULL)
			all_refused = false;
	check(all_refused, "every truncation of the image is refused");
	check(read_image(w.data, w.len, 2, ML_CLASSIFICATION, 3) == NULL &&
		  read_image(w.data, w.len, 3, ML_CLASSIFICATION, 4) == NULL &&
		  read_image(w.data, w.len, 3, ML_REGRESSION, 0) == NULL,
		  "image refused for another p, nclasses or task");
	bad = malloc(w.len);
	/* every stored double: NaN refused; priors past 1, variances <= 0 too */
	for (size_t off = 9; off + 8 <= w.len; off += 8)
	{
		memcpy(bad, w.data, w.len);
		memcpy(bad + off, &(double) {NAN}, 8);
		if (read_image(bad, w.len, 3, ML_CLASSIFICATION, 3) != NULL)
			all_refused = false;
	}
	check(all_refused, "a NaN anywhere in the image is refused");
	memcpy(bad, w.data, w.len);
	memcpy(bad + 9, &(double) {0.9}, 8);
	check(read_image(bad, w.len, 3, ML_CLASSIFICATION, 3) == NULL,
		  "priors not summing to 1 are refused");
	memcpy(bad, w.data, w.len);
	memcpy(bad + 9 + 8 * 12, &(double) {0.0}, 8);
	check(read_image(bad, w.len, 3, ML_CLASSIFICATION, 3) == NULL,
		  "a zero variance is refused");
	memcpy(bad, w.data, w.len);
	memcpy(bad + 9 + 8 * 12, &(double) {-1.0}, 8);
	check(read_image(bad, w.len, 3, ML_CLASSIFICATION, 3) == NULL,
		  "a negative variance is refused");
	free(bad);
	free(w.data);

	ds.y[5] = 3;
	check(ml_naive_bayes.fit(&ds.d, &hp, errbuf) == NULL && errbuf[0],
		  "a class index out of range is refused: %s", errbuf);
	ds.y[5] = 0;
	hp.var_smoothing = -1;
	check(ml_naive_bayes.fit(&ds.d, &hp, errbuf) == NULL && errbuf[0],
		  "a negative var_smoothing is refused: %s", errbuf);
	check(ml_naive_bayes.id == 9 && ml_naive_bayes.classification &&
		  !ml_naive_bayes.regression, "descriptor: id 9, classification only");
	free(ds.x);
	free(ds.y);
}

int
main(void)
{
	test_sklearn();
	test_behaviour();
	test_image();
	return unit_status();
}

/*-------------------------------------------------------------------------
 *
 * test_logistic.c
 *	  Unit tests of L2-regularised logistic regression (src/ml/logistic.c).
 *
 * The coefficients must agree with scikit-learn's LogisticRegression with
 * C = 1 / alpha on the same data: binary (Newton route), multinomial and
 * many features (L-BFGS route), separable classes (finite thanks to the
 * penalty) and badly scaled columns.  Probabilities must sum to 1, the
 * batch and single-row predictions must agree, model images must survive a
 * round trip and every truncation or corruption must be refused.  Two
 * timings of 1e5 rows x 50 features are reported.
 *
 * Explanations, on columns far from centred, with and without an
 * intercept, two and three classes: the model keeps the training column
 * means; on 200 random rows the base value plus the contributions equals
 * raw_output (the score: log-odds of class 1, or the class's softmax
 * input) to 1e-6 relative, raw_output gives the probabilities through the
 * sigmoid or softmax, the base is the mean training score, a row at the
 * means gets zero contributions, and a read-back model explains
 * identically.
 *
 * The scikit-learn constants were produced once with scikit-learn 1.2.1
 * (Debian's python3-sklearn) on the data below, generated in Python by the
 * splitmix64 sequence of unit.h in the same order (per row: the features,
 * then the label's noise draws), with
 *	 LogisticRegression(C=C, tol=1e-13, max_iter=100000,
 *						solver='newton-cholesky')		(binary)
 *	 LogisticRegression(C=C, tol=1e-14, max_iter=100000,
 *						multi_class='multinomial', solver='newton-cg')
 * and "objective" is sum(-log P(y_i)) + 0.5 / C ||coef||^2 of that fit.
 * (scikit-learn's lbfgs stops on its 64 eps relative-decrease rule after 14
 * iterations on the 3-class set, 3e-8 above the optimum, 4e-5 off in the
 * coefficients; newton-cg reaches the optimum this file's fit reaches.)
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"

#include <time.h>

#include <cblas.h>

#include "ml/ml.h"

/* Same layout as the fitted model (logistic.c keeps it private). */
typedef struct LogisticView
{
	int			p;
	int			nclasses;
	int			nvec;
	double	   *intercept;
	double	   *coef;
	double	   *mean;
} LogisticView;

static const LogisticView *
view(const void *model)
{
	return (const LogisticView *) model;
}

typedef struct Dataset
{
	MlData		d;
	double	   *x;
	double	   *y;
} Dataset;

/* The label of one row from its features, drawing noise from *st. */
typedef int (*Labeler) (const double *row, uint64_t *st);

static double
sym(uint64_t *st)
{
	return 2.0 * rand_unit(st) - 1.0;
}

static int
label_binary(const double *x, uint64_t *st)
{
	return 1 + 2 * x[0] - x[1] + 0.5 * x[2] + 1.5 * sym(st) > 0;
}

static int
label_three(const double *x, uint64_t *st)
{
	double		s0 = x[0] + 0.8 * sym(st);
	double		s1 = x[1] + 0.8 * sym(st);
	double		s2 = -x[0] - x[1] + 0.5 * x[2] + 0.8 * sym(st);

	/* numpy's argmax: the first maximum */
	if (s0 >= s1 && s0 >= s2)
		return 0;
	return s1 >= s2 ? 1 : 2;
}

static int
label_separable(const double *x, uint64_t *st)
{
	return x[0] + x[1] > 0;
}

static int
label_wide(const double *x, uint64_t *st)
{
	return x[0] - x[1] + 0.5 * sym(st) > 0;
}

/* Ten classes from the first ten features (timing). */
static int
label_ten(const double *x, uint64_t *st)
{
	int			best = 0;
	double		bestv = -1e300;

	for (int c = 0; c < 10; c++)
	{
		double		v = x[c] + 0.5 * sym(st);

		if (v > bestv)
		{
			bestv = v;
			best = c;
		}
	}
	return best;
}

/* n rows of p uniform features in [-1, 1), labelled by fn. */
static void
make_dataset(Dataset *ds, uint64_t seed, int64 n, int p, int nclasses,
			 Labeler fn)
{
	uint64_t	st = seed;
	double	   *row = malloc(sizeof(double) * p);

	ds->x = malloc(sizeof(double) * n * p);
	ds->y = malloc(sizeof(double) * n);
	memset(&ds->d, 0, sizeof(MlData));
	ds->d.n = n;
	ds->d.p = p;
	ds->d.x = ds->x;
	ds->d.y = ds->y;
	ds->d.task = ML_CLASSIFICATION;
	ds->d.nclasses = nclasses;
	for (int64 i = 0; i < n; i++)
	{
		for (int j = 0; j < p; j++)
			row[j] = ds->x[j * n + i] = sym(&st);
		ds->y[i] = fn(row, &st);
	}
	free(row);
}

static void
dataset_free(Dataset *ds)
{
	free(ds->x);
	free(ds->y);
}

static void *
fit_or_note(const MlData *d, const MlHyperparams *hp)
{
	char		errbuf[ML_ERRBUF_SIZE] = "";
	void	   *m = ml_logistic_regression.fit(d, hp, errbuf);

	if (m == NULL)
		note("fit failed: %s", errbuf);
	return m;
}

static void
model_free(void *m)
{
	free(view(m)->intercept);
	free(view(m)->coef);
	free(view(m)->mean);
	free(m);
}

/* Largest |difference| of intercepts and coefficients with a reference. */
static double
coef_diff(const LogisticView *m, const double *b, const double *w)
{
	double		worst = 0.0;

	for (int k = 0; k < m->nvec; k++)
	{
		worst = fmax(worst, fabs(m->intercept[k] - b[k]));
		for (int j = 0; j < m->p; j++)
			worst = fmax(worst, fabs(m->coef[k * m->p + j] - w[k * m->p + j]));
	}
	return worst;
}

/* sum(-log P(y_i)) + 0.5 alpha ||w||^2, and the row-sum check of P. */
static double
objective(const void *m, const Dataset *ds, double alpha, double *worst_sum)
{
	int64		n = ds->d.n;
	int			p = ds->d.p;
	int			k = ds->d.nclasses;
	double	   *out = malloc(sizeof(double) * n * k);
	double		ll = 0.0;
	double		pen = 0.0;

	*worst_sum = 0.0;
	ml_logistic_regression.predict_batch(m, ds->x, n, out);
	for (int64 i = 0; i < n; i++)
	{
		double		s = 0.0;

		for (int c = 0; c < k; c++)
			s += out[i * k + c];
		*worst_sum = fmax(*worst_sum, fabs(s - 1.0));
		ll -= log(out[i * k + (int) ds->y[i]]);
	}
	for (int i = 0; i < view(m)->nvec * p; i++)
		pen += view(m)->coef[i] * view(m)->coef[i];
	free(out);
	return ll + 0.5 * alpha * pen;
}

/* Binary: Newton route against scikit-learn. */
static void
test_binary(void)
{
	static const double sk_b1[1] = {1.6849000638704792};
	static const double sk_w1[4] = {
		3.3998114913195665, -1.5632312492743223, 0.9077897022178677,
		-0.064369710332167984
	};
	static const double sk_b100[1] = {1.8759585638992688};
	static const double sk_w100[4] = {
		3.8943165205781884, -1.8075271995878868, 1.0625468066266419,
		-0.059732181714584692
	};
	Dataset		ds;
	MlHyperparams hp;
	void	   *m;
	double		sumerr;
	double		obj;

	make_dataset(&ds, 31, 500, 4, 2, label_binary);
	ml_hyperparams_default(&hp);
	hp.tol = 1e-12;
	m = fit_or_note(&ds.d, &hp);
	if (check(m != NULL, "binary 500 x 4: fits"))
	{
		double		out[2];
		double		row[4];

		check(coef_diff(view(m), sk_b1, sk_w1) < 1e-9,
			  "binary alpha=1: equals scikit-learn C=1 to 1e-9 (%.1e)",
			  coef_diff(view(m), sk_b1, sk_w1));
		obj = objective(m, &ds, 1.0, &sumerr);
		check(fabs(obj - 182.07113616857103) < 1e-9 && sumerr < 1e-15,
			  "binary alpha=1: objective %.12f as scikit-learn's, probabilities sum to 1",
			  obj);
		for (int j = 0; j < 4; j++)
			row[j] = ds.x[j * 500];
		ml_logistic_regression.predict(m, row, out);
		check(fabs(out[0] - 0.036767933913928741) < 1e-9 &&
			  fabs(out[1] - 0.96323206608607126) < 1e-9,
			  "binary: P(row 0) = (%.6f, %.6f) as scikit-learn's", out[0], out[1]);
		model_free(m);
	}
	hp.alpha = 0.01;
	m = fit_or_note(&ds.d, &hp);
	check(m && coef_diff(view(m), sk_b100, sk_w100) < 1e-9,
		  "binary alpha=0.01: equals scikit-learn C=100 to 1e-9 (%.1e)",
		  m ? coef_diff(view(m), sk_b100, sk_w100) : -1.0);
	if (m)
		model_free(m);

	/* default tol: still within 1e-5 */
	ml_hyperparams_default(&hp);
	m = fit_or_note(&ds.d, &hp);
	check(m && coef_diff(view(m), sk_b1, sk_w1) < 1e-5,
		  "binary with the default tol: within 1e-5 of scikit-learn (%.1e)",
		  m ? coef_diff(view(m), sk_b1, sk_w1) : -1.0);
	if (m)
		model_free(m);

	/* badly scaled columns: x0 * 1000 + 1e4, x1 * 1e-3 */
	{
		static const double sk_bu[1] = {-32.086552353030257};
		static const double sk_wu[4] = {
			0.0033612672175701861, -0.031999670415996773,
			0.76478675466022672, -0.18782126381734557
		};

		for (int i = 0; i < 500; i++)
		{
			ds.x[i] = ds.x[i] * 1000 + 1e4;
			ds.x[500 + i] *= 1e-3;
		}
		ml_hyperparams_default(&hp);
		hp.tol = 1e-12;
		m = fit_or_note(&ds.d, &hp);
		check(m && coef_diff(view(m), sk_bu, sk_wu) < 1e-7,
			  "binary, columns scaled by 1e3 (+1e4) and 1e-3: equals scikit-learn to 1e-7 (%.1e)",
			  m ? coef_diff(view(m), sk_bu, sk_wu) : -1.0);
		if (m)
			model_free(m);
	}
	dataset_free(&ds);

	/* separable classes: finite, as scikit-learn */
	{
		static const double sk_bs[1] = {-0.15942290915902022};
		static const double sk_ws[2] = {3.6107817036766265, 4.2451613618013031};

		make_dataset(&ds, 33, 200, 2, 2, label_separable);
		ml_hyperparams_default(&hp);
		hp.tol = 1e-12;
		m = fit_or_note(&ds.d, &hp);
		check(m && coef_diff(view(m), sk_bs, sk_ws) < 1e-9,
			  "separable binary: finite, equals scikit-learn to 1e-9 (%.1e)",
			  m ? coef_diff(view(m), sk_bs, sk_ws) : -1.0);
		if (m)
			model_free(m);
		/* weak penalty: still converges, separates perfectly */
		hp.alpha = 1e-6;
		m = fit_or_note(&ds.d, &hp);
		if (check(m != NULL, "separable binary, alpha=1e-6: fits"))
		{
			int			errors = 0;
			double	   *out = malloc(sizeof(double) * 400);

			ml_logistic_regression.predict_batch(m, ds.x, 200, out);
			for (int i = 0; i < 200; i++)
				errors += (out[2 * i + 1] > 0.5) != (ds.y[i] == 1.0);
			check(errors == 0 && isfinite(view(m)->coef[0]),
				  "separable binary, alpha=1e-6: no training error, finite (w0 = %.1f)",
				  view(m)->coef[0]);
			free(out);
			model_free(m);
		}
		dataset_free(&ds);
	}
}

/* Multinomial and wide binary: L-BFGS route against scikit-learn. */
static void
test_lbfgs(void)
{
	static const double sk_b1[3] = {
		-0.068725163193530656, 0.013790684632182835, 0.054934478561352057
	};
	static const double sk_w1[9] = {
		2.4503950550596292, 0.1042042060868878, -0.56641591659541435,
		-0.059662424621871504, 2.5200399733646566, -0.25244788014602748,
		-2.3907326304377587, -2.6242441794515443, 0.81886379674144227
	};
	static const double sk_b10[3] = {
		-0.04293499632236638, 0.042040117576112451, 0.00089487874625942784
	};
	static const double sk_w10[9] = {
		2.6916229751116614, 0.22663144210165342, -0.63716116991788285,
		0.054851679862338541, 2.7761023478425275, -0.30246738568590525,
		-2.7464746549740005, -3.0027337899441808, 0.93962855560378888
	};
	Dataset		ds;
	MlHyperparams hp;
	void	   *m;
	double		sumerr;
	double		obj;

	make_dataset(&ds, 32, 600, 3, 3, label_three);
	ml_hyperparams_default(&hp);
	hp.tol = 1e-10;
	m = fit_or_note(&ds.d, &hp);
	if (check(m != NULL, "multinomial 600 x 3, 3 classes: fits"))
	{
		check(coef_diff(view(m), sk_b1, sk_w1) < 1e-7,
			  "multinomial alpha=1: equals scikit-learn C=1 to 1e-7 (%.1e)",
			  coef_diff(view(m), sk_b1, sk_w1));
		obj = objective(m, &ds, 1.0, &sumerr);
		check(fabs(obj - 334.05300750467586) < 1e-9 && sumerr < 1e-15,
			  "multinomial alpha=1: objective %.12f as scikit-learn's, probabilities sum to 1",
			  obj);
		model_free(m);
	}
	hp.alpha = 0.1;
	m = fit_or_note(&ds.d, &hp);
	check(m && coef_diff(view(m), sk_b10, sk_w10) < 1e-7,
		  "multinomial alpha=0.1: equals scikit-learn C=10 to 1e-7 (%.1e)",
		  m ? coef_diff(view(m), sk_b10, sk_w10) : -1.0);
	if (m)
		model_free(m);
	dataset_free(&ds);

	/* 250 features: binary through L-BFGS */
	{
		static const double sk_w3[3] = {
			6.098016781955728, -6.363799565841763, 0.30516408689874386
		};

		make_dataset(&ds, 34, 1000, 250, 2, label_wide);
		ml_hyperparams_default(&hp);
		hp.tol = 1e-10;
		m = fit_or_note(&ds.d, &hp);
		if (check(m != NULL, "binary 1000 x 250 (L-BFGS): fits"))
		{
			double		worst = fabs(view(m)->intercept[0] + 0.12576223497334799);

			for (int j = 0; j < 3; j++)
				worst = fmax(worst, fabs(view(m)->coef[j] - sk_w3[j]));
			obj = objective(m, &ds, 1.0, &sumerr);
			check(worst < 1e-6 && fabs(obj - 145.7639765580501) < 1e-8,
				  "binary 1000 x 250: scikit-learn's intercept and first coefficients to 1e-6 (%.1e), objective (%.1e)",
				  worst, obj - 145.7639765580501);
			model_free(m);
		}
		dataset_free(&ds);
	}

	/* a class absent from the training rows gets a vanishing probability */
	make_dataset(&ds, 35, 300, 2, 3, label_separable);
	ml_hyperparams_default(&hp);
	m = fit_or_note(&ds.d, &hp);
	if (check(m != NULL, "3 classes, class 2 absent: fits"))
	{
		double		out[3];
		double		row[2] = {0.5, 0.5};

		ml_logistic_regression.predict(m, row, out);
		check(out[2] < 1e-3 && out[1] > 0.5 &&
			  fabs(out[0] + out[1] + out[2] - 1.0) < 1e-15,
			  "3 classes, class 2 absent: P = (%.4f, %.4f, %.2g)",
			  out[0], out[1], out[2]);
		model_free(m);
	}
	dataset_free(&ds);
}

static void
image_of(const void *model, MlWriter *w)
{
	ml_writer_init(w);
	ml_logistic_regression.write(w, model);
}

static void *
read_image(const uint8 *data, size_t len, int p, MlTask task, int nclasses)
{
	MlReader	r;

	ml_reader_init(&r, data, len);
	return ml_logistic_regression.read(&r, p, task, nclasses);
}

/* Round trip, truncations and corruptions, batch against single rows. */
static void
test_image(void)
{
	for (int nclasses = 2; nclasses <= 3; nclasses++)
	{
		Dataset		ds;
		MlHyperparams hp;
		MlWriter	w;
		void	   *m;
		void	   *back;
		double	   *batch;
		bool		same = true;
		bool		all_refused = true;
		uint8	   *bad;
		double		imp[3];

		make_dataset(&ds, 40 + nclasses, 400, 3, nclasses,
					 nclasses == 2 ? label_binary : label_three);
		ml_hyperparams_default(&hp);
		m = fit_or_note(&ds.d, &hp);
		if (!check(m != NULL, "%d classes: fits", nclasses))
			continue;
		image_of(m, &w);
		back = read_image(w.data, w.len, 3, ML_CLASSIFICATION, nclasses);
		if (!check(back != NULL, "%d classes: image reads back (%zu bytes)",
				   nclasses, w.len))
			continue;
		batch = malloc(sizeof(double) * 400 * nclasses);
		ml_logistic_regression.predict_batch(back, ds.x, 400, batch);
		for (int i = 0; i < 400; i++)
		{
			double		row[3];
			double		a[3];
			double		b[3];

			for (int j = 0; j < 3; j++)
				row[j] = ds.x[j * 400 + i];
			ml_logistic_regression.predict(m, row, a);
			ml_logistic_regression.predict(back, row, b);
			for (int c = 0; c < nclasses; c++)
				same &= a[c] == b[c] &&
					fabs(batch[i * nclasses + c] - a[c]) < 1e-14;
		}
		check(same, "%d classes: read-back model predicts identically (single and batch)",
			  nclasses);
		ml_logistic_regression.importance(m, imp);
		check(imp[0] > imp[2] && imp[1] > imp[2] && imp[2] >= 0,
			  "%d classes: importance (%.3f %.3f %.3f) ranks the strong features first",
			  nclasses, imp[0], imp[1], imp[2]);

		for (size_t len = 0; len < w.len; len++)
			if (read_image(w.data, len, 3, ML_CLASSIFICATION, nclasses) != NULL)
				all_refused = false;
		check(all_refused, "%d classes: every truncation of the image is refused",
			  nclasses);
		check(read_image(w.data, w.len, 2, ML_CLASSIFICATION, nclasses) == NULL &&
			  read_image(w.data, w.len, 3, ML_CLASSIFICATION, nclasses + 1) == NULL &&
			  read_image(w.data, w.len, 3, ML_REGRESSION, 0) == NULL,
			  "%d classes: image refused for another p, nclasses or task", nclasses);
		bad = malloc(w.len);
		for (size_t off = 13; off + 8 <= w.len; off += 8)
		{
			memcpy(bad, w.data, w.len);
			memcpy(bad + off, &(double) {NAN}, 8);
			if (read_image(bad, w.len, 3, ML_CLASSIFICATION, nclasses) != NULL)
				all_refused = false;
		}
		check(all_refused, "%d classes: a NaN intercept, coefficient or column mean is refused",
			  nclasses);
		memcpy(bad, w.data, w.len);
		bad[9] = 0xFF;
		check(read_image(bad, w.len, 3, ML_CLASSIFICATION, nclasses) == NULL,
			  "%d classes: a wrong vector count is refused", nclasses);
		free(bad);
		free(batch);
		free(w.data);
		dataset_free(&ds);
	}

	/* bad inputs are refused with a message */
	{
		Dataset		ds;
		MlHyperparams hp;
		char		errbuf[ML_ERRBUF_SIZE] = "";

		make_dataset(&ds, 50, 20, 2, 2, label_separable);
		ml_hyperparams_default(&hp);
		ds.y[3] = 2;
		check(ml_logistic_regression.fit(&ds.d, &hp, errbuf) == NULL && errbuf[0],
			  "a class index out of range is refused: %s", errbuf);
		ds.y[3] = 0.5;
		check(ml_logistic_regression.fit(&ds.d, &hp, errbuf) == NULL && errbuf[0],
			  "a fractional class index is refused: %s", errbuf);
		ds.y[3] = 0;
		ds.d.task = ML_REGRESSION;
		check(ml_logistic_regression.fit(&ds.d, &hp, errbuf) == NULL && errbuf[0],
			  "regression is refused: %s", errbuf);
		dataset_free(&ds);
	}
}

/*
 * Explanations: base + contributions = raw_output, raw_output through the
 * link = the probabilities, base = the mean training score, zero
 * contributions at the means; the same after an image round trip.
 */
static void
test_explain(void)
{
	for (int nclasses = 2; nclasses <= 3; nclasses++)
		for (int icpt = 0; icpt < 2; icpt++)
		{
			Dataset		ds;
			MlHyperparams hp;
			LogisticView *m;
			void	   *back;
			MlWriter	w;
			MlReader	r;
			int			n = 500,
						p = 4;
			int			nvec = nclasses == 2 ? 1 : nclasses;
			double		worst = 0,
						worst_link = 0,
						worst_base = 0,
						worst_mean = 0;
			bool		zero_at_mean = true,
						same = true;
			uint64_t	st = 99;

			make_dataset(&ds, 70 + nclasses, n, p, nclasses,
						 nclasses == 2 ? label_binary : label_three);
			/* columns far from centred: offsets and scales */
			for (int j = 0; j < p; j++)
				for (int i = 0; i < n; i++)
					ds.x[j * n + i] = 5.0 * j - 3.0 + (1.0 + j) * ds.x[j * n + i];
			ml_hyperparams_default(&hp);
			hp.fit_intercept = icpt == 1;
			m = fit_or_note(&ds.d, &hp);
			if (!check(m != NULL, "%d classes: fits for explanations", nclasses))
				continue;
			for (int j = 0; j < p; j++)
			{
				double		mean = 0;

				for (int i = 0; i < n; i++)
					mean += ds.x[j * n + i] / n;
				worst_mean = fmax(worst_mean, fabs(m->mean[j] - mean) / (1 + fabs(mean)));
			}
			for (int k = 0; k < nvec; k++)
			{
				double		avg = 0,
							base,
							contrib[4];

				for (int i = 0; i < n; i++)
				{
					double		row[4];

					for (int j = 0; j < p; j++)
						row[j] = ds.x[j * n + i];
					avg += ml_logistic_regression.raw_output(m, row, k) / n;
				}
				ml_logistic_regression.explain(m, m->mean, k, contrib, &base);
				worst_base = fmax(worst_base, fabs(base - avg) / (1 + fabs(avg)));
				for (int j = 0; j < p; j++)
					zero_at_mean = zero_at_mean && contrib[j] == 0;
			}
			for (int i = 0; i < 200; i++)
			{
				double		row[4],
							prob[3],
							raw[3];

				for (int j = 0; j < p; j++)
					row[j] = 5.0 * j - 3.0 + (1.0 + j) * 3 * sym(&st);
				ml_logistic_regression.predict(m, row, prob);
				for (int k = 0; k < nclasses; k++)
				{
					double		contrib[4],
								base,
								sum,
								mag;

					ml_logistic_regression.explain(m, row, k, contrib, &base);
					raw[k] = ml_logistic_regression.raw_output(m, row, k);
					sum = base;
					mag = fmax(fabs(base), fabs(raw[k]));
					for (int j = 0; j < p; j++)
					{
						sum += contrib[j];
						mag = fmax(mag, fabs(contrib[j]));
					}
					worst = fmax(worst, fabs(sum - raw[k]) / mag);
				}
				if (nclasses == 2)
					worst_link = fmax(worst_link,
									  fabs(1 / (1 + exp(-raw[0])) - prob[1]));
				else
				{
					double		mx = fmax(raw[0], fmax(raw[1], raw[2])),
								z = 0;

					for (int k = 0; k < 3; k++)
						z += exp(raw[k] - mx);
					for (int k = 0; k < 3; k++)
						worst_link = fmax(worst_link,
										  fabs(exp(raw[k] - mx) / z - prob[k]));
				}
			}
			check(worst < 1e-6 && worst_link < 1e-12,
				  "%d classes, %s intercept: base + contributions = raw_output on 200 rows (worst %.2g relative), raw_output through the link = predict (%.2g)",
				  nclasses, icpt ? "with" : "no", worst, worst_link);
			check(worst_mean < 1e-12 && worst_base < 1e-9 && zero_at_mean,
				  "%d classes, %s intercept: the model keeps the column means (%.2g), the base is the mean training score (%.2g), a row at the means gets no contribution",
				  nclasses, icpt ? "with" : "no", worst_mean, worst_base);

			image_of(m, &w);
			ml_reader_init(&r, w.data, w.len);
			back = ml_logistic_regression.read(&r, p, ML_CLASSIFICATION, nclasses);
			for (int i = 0; i < 50 && back; i++)
			{
				double		row[4],
							c1[4],
							c2[4],
							b1,
							b2;

				for (int j = 0; j < p; j++)
					row[j] = 10 * sym(&st);
				for (int k = 0; k < nclasses; k++)
				{
					ml_logistic_regression.explain(m, row, k, c1, &b1);
					ml_logistic_regression.explain(back, row, k, c2, &b2);
					same = same && b1 == b2 && memcmp(c1, c2, sizeof(c1)) == 0;
				}
			}
			check(back != NULL && same && r.pos == w.len,
				  "%d classes, %s intercept: the read-back model explains identically",
				  nclasses, icpt ? "with" : "no");
			if (back)
				model_free(back);
			free(w.data);
			model_free(m);
			dataset_free(&ds);
		}
}

/* 1e5 rows x 50 features: binary (Newton), 3 and 10 classes (L-BFGS). */
static void
test_speed(void)
{
	const struct
	{
		int			nclasses;
		Labeler		fn;
	}			cases[3] = {{2, label_wide}, {3, label_three}, {10, label_ten}};

	openblas_set_num_threads(1);
	for (int c = 0; c < 3; c++)
	{
		Dataset		ds;
		MlHyperparams hp;
		struct timespec t0;
		struct timespec t1;
		double		secs;
		void	   *m;
		int			errors = 0;
		double	   *out;
		int			k = cases[c].nclasses;

		make_dataset(&ds, 60 + c, 100000, 50, k, cases[c].fn);
		ml_hyperparams_default(&hp);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		m = fit_or_note(&ds.d, &hp);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
		if (!m)
			continue;
		out = malloc(sizeof(double) * 100000 * k);
		ml_logistic_regression.predict_batch(m, ds.x, 100000, out);
		for (int i = 0; i < 100000; i++)
		{
			int			best = 0;

			for (int j = 1; j < k; j++)
				if (out[i * k + j] > out[i * k + best])
					best = j;
			errors += best != (int) ds.y[i];
		}
		note("logistic 1e5 x 50, %d classes: %.3f s, training accuracy %.3f",
			 k, secs, 1.0 - errors / 1e5);
		/* noisy labels: the check is against chance, the time is the point */
		check(secs < 20.0 && errors < (1.0 - 1.5 / k) * 100000,
			  "logistic 1e5 x 50, %d classes: fits in %.2f s", k, secs);
		free(out);
		model_free(m);
		dataset_free(&ds);
	}
}

int
main(void)
{
	test_binary();
	test_lbfgs();
	test_image();
	test_explain();
	test_speed();
	return unit_status();
}

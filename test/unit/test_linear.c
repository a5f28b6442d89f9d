/*-------------------------------------------------------------------------
 *
 * test_linear.c
 *	  Unit tests of linear regression, ridge, lasso and elastic net
 *	  (src/ml/linear.c).
 *
 * Least squares must reproduce the NIST StRD Longley certified values to
 * 1e-8 relative (the data are notoriously ill-conditioned; the values were
 * re-checked against an exact rational solution of the normal equations).
 * Ridge is checked against its closed form solved in long double; lasso
 * and elastic net against analytic solutions on an orthogonal design and
 * against scikit-learn, and their optimality (KKT) conditions are checked
 * directly.  Rank-deficient and wide designs must give finite
 * minimum-norm fits; model images must survive a round trip and every
 * truncation or corruption must be refused.
 *
 * Explanations, on columns far from centred, with and without an
 * intercept, through both least-squares routes and both coordinate
 * descent routes: the model keeps the training column means; on 200
 * random rows the base value plus the contributions equals raw_output,
 * which is the prediction, to 1e-6 relative; the base is the mean
 * training prediction; a row at the means gets zero contributions; a
 * read-back model explains identically.
 *
 * The scikit-learn constants were produced once with scikit-learn 1.2.1
 * (Debian's python3-sklearn) from the same data, generated in Python by the
 * splitmix64 sequence of unit.h (make_dataset below), e.g. for set A:
 *	 Lasso(alpha=0.1, tol=1e-12, max_iter=1000000).fit(X, y)
 *	 ElasticNet(alpha=0.1, l1_ratio=0.5, tol=1e-12, ...).fit(X, y)
 *	 LinearRegression().fit(X, y)
 * and for set B the objective value reached by
 *	 Lasso(alpha=0.05, tol=1e-14) and ElasticNet(alpha=0.05, l1_ratio=0.7).
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"

#include <time.h>

#include <cblas.h>

#include "ml/ml.h"

/* NIST StRD Longley: y, then x1..x6, one row per year 1947..1962 */
static const double longley[16][7] = {
	{60323, 83.0, 234289, 2356, 1590, 107608, 1947},
	{61122, 88.5, 259426, 2325, 1456, 108632, 1948},
	{60171, 88.2, 258054, 3682, 1616, 109773, 1949},
	{61187, 89.5, 284599, 3351, 1650, 110929, 1950},
	{63221, 96.2, 328975, 2099, 3099, 112075, 1951},
	{63639, 98.1, 346999, 1932, 3594, 113270, 1952},
	{64989, 99.0, 365385, 1870, 3547, 115094, 1953},
	{63761, 100.0, 363112, 3578, 3350, 116219, 1954},
	{66019, 101.2, 397469, 2904, 3048, 117388, 1955},
	{67857, 104.6, 419180, 2822, 2857, 118734, 1956},
	{68169, 108.4, 442769, 2936, 2798, 120445, 1957},
	{66513, 110.8, 444546, 4681, 2637, 121950, 1958},
	{68655, 112.6, 482704, 3813, 2552, 123366, 1959},
	{69564, 114.2, 502601, 3931, 2514, 125368, 1960},
	{69331, 115.7, 518173, 4806, 2572, 127852, 1961},
	{70551, 116.9, 554894, 4007, 2827, 130081, 1962},
};

/* certified B0 (intercept) .. B6 */
static const double longley_certified[7] = {
	-3482258.63459582, 15.0618722713733, -0.358191792925910E-01,
	-2.02022980381683, -1.03322686717359, -0.511041056535807E-01,
	1829.15146461355
};

/* A regression data set owning its arrays. */
typedef struct Dataset
{
	MlData		d;
	double	   *x;
	double	   *y;
} Dataset;

static void
dataset_alloc(Dataset *ds, int64 n, int p)
{
	ds->x = calloc((size_t) (n * (p > 0 ? p : 1)), sizeof(double));
	ds->y = calloc((size_t) n, sizeof(double));
	memset(&ds->d, 0, sizeof(MlData));
	ds->d.n = n;
	ds->d.p = p;
	ds->d.x = ds->x;
	ds->d.y = ds->y;
	ds->d.task = ML_REGRESSION;
}

static void
dataset_free(Dataset *ds)
{
	free(ds->x);
	free(ds->y);
}

/*
 * Uniform features in [-1, 1) drawn row by row from splitmix64(seed), then
 * one noise value per row; y = intercept + beta . x + noise_scale * noise.
 * (The Python generator of the reference constants draws in this order.)
 */
static void
make_dataset(Dataset *ds, uint64_t seed, int64 n, int p, double intercept,
			 const double *beta, int nbeta, double noise_scale)
{
	uint64_t	st = seed;

	dataset_alloc(ds, n, p);
	for (int64 i = 0; i < n; i++)
	{
		double		v = intercept;

		for (int j = 0; j < p; j++)
			ds->x[j * n + i] = 2.0 * rand_unit(&st) - 1.0;
		for (int j = 0; j < nbeta; j++)
			v += beta[j] * ds->x[j * n + i];
		ds->y[i] = v + noise_scale * (2.0 * rand_unit(&st) - 1.0);
	}
}

/* Same layout as the fitted model (linear.c keeps it private). */
typedef struct LinearView
{
	int			p;
	double		intercept;
	double	   *coef;
	double	   *mean;
} LinearView;

static const LinearView *
view(const void *model)
{
	return (const LinearView *) model;
}

/* Fit, printing the error when the fit fails. */
static void *
fit_or_note(const MlAlgorithm *alg, const MlData *d, const MlHyperparams *hp)
{
	char		errbuf[ML_ERRBUF_SIZE] = "";
	void	   *m = alg->fit(d, hp, errbuf);

	if (m == NULL)
		note("%s fit failed: %s", alg->name, errbuf);
	return m;
}

/* Plain mean of v[0..n). */
static double
column_mean_of(const double *v, int n)
{
	double		s = 0.0;

	for (int i = 0; i < n; i++)
		s += v[i];
	return s / n;
}

/* Relative difference, against 1 for tiny references. */
static double
reldiff(double a, double b)
{
	return fabs(a - b) / fmax(fabs(b), 1e-300);
}

/*
 * Solve (X'X + alpha I) w = X'y on the centred data in long double by
 * Gaussian elimination with partial pivoting; returns the intercept.
 */
static double
closed_form_ridge(const MlData *d, double alpha, double *w)
{
	int			p = d->p;
	int64		n = d->n;
	long double *a = calloc((size_t) p * (p + 1), sizeof(long double));
	long double *mean = calloc((size_t) p + 1, sizeof(long double));
	long double b0;

	for (int j = 0; j <= p; j++)
	{
		const double *col = j < p ? d->x + j * n : d->y;

		for (int64 i = 0; i < n; i++)
			mean[j] += col[i];
		mean[j] /= n;
	}
	for (int r = 0; r < p; r++)
		for (int c = 0; c <= p; c++)
		{
			const double *xr = d->x + r * n;
			const double *xc = c < p ? d->x + c * n : d->y;
			long double s = 0;

			for (int64 i = 0; i < n; i++)
				s += (xr[i] - mean[r]) * (xc[i] - mean[c]);
			a[r * (p + 1) + c] = s + (r == c ? alpha : 0.0);
		}
	for (int c = 0; c < p; c++)
	{
		int			piv = c;

		for (int r = c + 1; r < p; r++)
			if (fabsl(a[r * (p + 1) + c]) > fabsl(a[piv * (p + 1) + c]))
				piv = r;
		for (int k = 0; k <= p; k++)
		{
			long double t = a[c * (p + 1) + k];

			a[c * (p + 1) + k] = a[piv * (p + 1) + k];
			a[piv * (p + 1) + k] = t;
		}
		for (int r = 0; r < p; r++)
		{
			long double f;

			if (r == c)
				continue;
			f = a[r * (p + 1) + c] / a[c * (p + 1) + c];
			for (int k = c; k <= p; k++)
				a[r * (p + 1) + k] -= f * a[c * (p + 1) + k];
		}
	}
	b0 = mean[p];
	for (int j = 0; j < p; j++)
	{
		w[j] = (double) (a[j * (p + 1) + p] / a[j * (p + 1) + j]);
		b0 -= mean[j] * w[j];
	}
	free(a);
	free(mean);
	return (double) b0;
}

/* Largest relative difference of intercept and coefficients. */
static double
max_rel_coef_diff(const LinearView *m, double b, const double *w)
{
	double		worst = reldiff(m->intercept, b);

	for (int j = 0; j < m->p; j++)
		worst = fmax(worst, reldiff(m->coef[j], w[j]));
	return worst;
}

/* Largest absolute difference of intercept and coefficients. */
static double
max_abs_coef_diff(const LinearView *m, double b, const double *w)
{
	double		worst = fabs(m->intercept - b);

	for (int j = 0; j < m->p; j++)
		worst = fmax(worst, fabs(m->coef[j] - w[j]));
	return worst;
}

/*
 * The elastic-net objective 1/(2n)||y - b - Xw||^2 + alpha l1 ||w||_1 +
 * 0.5 alpha (1 - l1) ||w||^2 of a fitted model, and the worst violation of
 * its optimality conditions: with g_j = x_j'r / n - alpha (1 - l1) w_j,
 * g_j = alpha l1 sign(w_j) where w_j != 0 and |g_j| <= alpha l1 elsewhere,
 * and sum(r) = 0 for the intercept.
 */
static double
enet_objective(const MlData *d, const LinearView *m, double alpha, double l1,
			   double *kkt)
{
	int64		n = d->n;
	double	   *r = malloc(sizeof(double) * n);
	double		rss = 0.0;
	double		pen = 0.0;
	double		rsum = 0.0;
	double		worst = 0.0;

	for (int64 i = 0; i < n; i++)
	{
		double		v = m->intercept;

		for (int j = 0; j < d->p; j++)
			v += m->coef[j] * d->x[j * n + i];
		r[i] = d->y[i] - v;
		rss += r[i] * r[i];
		rsum += r[i];
	}
	for (int j = 0; j < d->p; j++)
	{
		double		g = 0.0;
		double		wj = m->coef[j];

		for (int64 i = 0; i < n; i++)
			g += d->x[j * n + i] * r[i];
		g = g / n - alpha * (1.0 - l1) * wj;
		if (wj != 0.0)
			worst = fmax(worst, fabs(g - alpha * l1 * (wj > 0 ? 1.0 : -1.0)));
		else
			worst = fmax(worst, fabs(g) - alpha * l1);
		pen += alpha * l1 * fabs(wj) + 0.5 * alpha * (1.0 - l1) * wj * wj;
	}
	worst = fmax(worst, fabs(rsum / n));
	*kkt = worst;
	free(r);
	return 0.5 * rss / n + pen;
}

/* Longley by linear_regression: every coefficient to 1e-8 relative. */
static void
test_longley(void)
{
	Dataset		ds;
	MlHyperparams hp;
	void	   *model;
	double		worst = 0.0;

	dataset_alloc(&ds, 16, 6);
	for (int i = 0; i < 16; i++)
	{
		ds.y[i] = longley[i][0];
		for (int j = 0; j < 6; j++)
			ds.x[j * 16 + i] = longley[i][j + 1];
	}
	ml_hyperparams_default(&hp);
	model = fit_or_note(&ml_linear_regression, &ds.d, &hp);
	if (!check(model != NULL, "longley: linear_regression fits"))
		return;
	worst = reldiff(view(model)->intercept, longley_certified[0]);
	for (int j = 0; j < 6; j++)
		worst = fmax(worst, reldiff(view(model)->coef[j], longley_certified[j + 1]));
	note("longley: B0 %.15g, B6 %.15g", view(model)->intercept,
		 view(model)->coef[5]);
	check(worst <= 1e-8,
		  "longley: all 7 coefficients within 1e-8 relative of NIST's certified values (worst %.2e)",
		  worst);
	free(view(model)->coef);
	free(model);
	dataset_free(&ds);
}

/* Least squares and ridge against the long-double closed form. */
static void
test_least_squares_closed_form(void)
{
	static const double beta[5] = {3, -2, 0.5, 0, 0};
	static const double sk_ols[6] = {
		1.4942580641612249, 3.0112586700583277, -1.9932806742357025,
		0.49381243575376854, -0.0027092218540479274, -0.0075801290527454102
	};
	static const double sk_ridge[6] = {
		1.488591858799073, 2.6076238401504241, -1.7140803742875743,
		0.4923542269257416, -0.036491850685294196, 0.016153002091927451
	};
	Dataset		ds;
	Dataset		big;
	MlHyperparams hp;
	double		w[12];
	double		b;
	void	   *m;

	ml_hyperparams_default(&hp);
	make_dataset(&ds, 11, 200, 5, 1.5, beta, 5, 0.1);

	m = fit_or_note(&ml_linear_regression, &ds.d, &hp);
	check(m && max_rel_coef_diff(view(m), sk_ols[0], sk_ols + 1) < 1e-12,
		  "ols (QR route): equals scikit-learn LinearRegression to 1e-12");

	hp.alpha = 10.0;
	m = fit_or_note(&ml_ridge, &ds.d, &hp);
	b = closed_form_ridge(&ds.d, 10.0, w);
	check(m && max_rel_coef_diff(view(m), b, w) < 1e-12,
		  "ridge alpha=10 (QR route): equals the closed form to 1e-12 (%.2e)",
		  m ? max_rel_coef_diff(view(m), b, w) : -1.0);
	check(m && max_rel_coef_diff(view(m), sk_ridge[0], sk_ridge + 1) < 1e-10,
		  "ridge alpha=10: equals scikit-learn Ridge to 1e-10");

	hp.alpha = 0.0;
	m = fit_or_note(&ml_ridge, &ds.d, &hp);
	check(m && max_rel_coef_diff(view(m), sk_ols[0], sk_ols + 1) < 1e-12,
		  "ridge alpha=0 is least squares");
	dataset_free(&ds);

	/* big enough for the normal-equations route */
	{
		static const double bb[10] = {1, -1, 2, 0.5, 0, 0, -3, 0.25, 1, 0};

		make_dataset(&big, 77, 50000, 10, -4.0, bb, 10, 0.5);
	}
	hp.alpha = 0.0;
	m = fit_or_note(&ml_linear_regression, &big.d, &hp);
	b = closed_form_ridge(&big.d, 0.0, w);
	check(m && max_rel_coef_diff(view(m), b, w) < 1e-11,
		  "ols 50000 x 10 (normal-equations route): equals the closed form to 1e-11 (%.2e)",
		  m ? max_rel_coef_diff(view(m), b, w) : -1.0);
	hp.alpha = 1000.0;
	m = fit_or_note(&ml_ridge, &big.d, &hp);
	b = closed_form_ridge(&big.d, 1000.0, w);
	check(m && max_rel_coef_diff(view(m), b, w) < 1e-11,
		  "ridge 50000 x 10 alpha=1000: equals the closed form to 1e-11 (%.2e)",
		  m ? max_rel_coef_diff(view(m), b, w) : -1.0);

	/* no intercept: the fit goes through the origin */
	hp.alpha = 0.0;
	hp.fit_intercept = false;
	m = fit_or_note(&ml_linear_regression, &big.d, &hp);
	check(m && view(m)->intercept == 0.0 && fabs(view(m)->coef[0] - 1.0) < 0.2,
		  "fit_intercept = false: zero intercept, slopes still estimated");
	dataset_free(&big);

	/* a constant response offset far from zero: centring keeps accuracy */
	{
		static const double bc[3] = {1e-3, 2e-3, -1e-3};

		make_dataset(&ds, 5, 100, 3, 1e9, bc, 3, 0.0);
	}
	hp.fit_intercept = true;
	m = fit_or_note(&ml_linear_regression, &ds.d, &hp);
	b = closed_form_ridge(&ds.d, 0.0, w);
	check(m && max_rel_coef_diff(view(m), b, w) < 1e-9 &&
		  fabs(view(m)->coef[0] - 1e-3) < 1e-7,
		  "y near 1e9 with slopes 1e-3: the closed form of the rounded data to 1e-9 (%.1e)",
		  m ? max_rel_coef_diff(view(m), b, w) : -1.0);
	dataset_free(&ds);
}

/* Rank-deficient, wide and constant designs: finite, minimum-norm fits. */
static void
test_rank_deficient(void)
{
	static const double beta[3] = {2, -1, 0.5};
	MlHyperparams hp;
	Dataset		ds;
	void	   *full;
	void	   *m;

	ml_hyperparams_default(&hp);
	for (int64 n = 40; n <= 40000; n *= 1000)
	{
		double		maxdiff = 0.0;

		/* x3 duplicates x0, x4 = 2 x1 */
		make_dataset(&ds, 3, n, 5, 1.0, beta, 3, 0.1);
		memcpy(ds.x + 3 * n, ds.x, sizeof(double) * n);
		for (int64 i = 0; i < n; i++)
			ds.x[4 * n + i] = 2.0 * ds.x[n + i];
		m = fit_or_note(&ml_linear_regression, &ds.d, &hp);
		ds.d.p = 3;
		full = fit_or_note(&ml_linear_regression, &ds.d, &hp);
		ds.d.p = 5;
		if (!check(m != NULL && full != NULL,
				   "rank-deficient %lld x 5: the fit does not fail", (long long) n))
			continue;
		for (int64 i = 0; i < n; i++)
		{
			double		row[5];
			double		a;
			double		b;

			for (int j = 0; j < 5; j++)
				row[j] = ds.x[j * n + i];
			ml_linear_regression.predict(m, row, &a);
			ml_linear_regression.predict(full, row, &b);
			maxdiff = fmax(maxdiff, fabs(a - b));
		}
		check(maxdiff < 1e-9,
			  "rank-deficient %lld x 5: same predictions as the full-rank fit (%.1e)",
			  (long long) n, maxdiff);
		check(fabs(view(m)->coef[0] - view(m)->coef[3]) < 1e-9 &&
			  fabs(view(m)->coef[0] - view(full)->coef[0] / 2) < 1e-9 &&
			  fabs(view(m)->coef[1] - 2.0 * view(m)->coef[4]) < 1e-9,
			  "rank-deficient %lld x 5: minimum norm in scaled columns splits the duplicates (%.6f %.6f)",
			  (long long) n, view(m)->coef[0], view(m)->coef[3]);
		dataset_free(&ds);
	}

	/* more features than rows: interpolates with finite coefficients */
	{
		double		worst = 0.0;
		bool		finite = true;

		make_dataset(&ds, 9, 6, 12, 0.0, beta, 3, 1.0);
		m = fit_or_note(&ml_linear_regression, &ds.d, &hp);
		if (check(m != NULL, "6 rows x 12 features: fits"))
		{
			for (int j = 0; j < 12; j++)
				finite &= isfinite(view(m)->coef[j]);
			for (int i = 0; i < 6; i++)
			{
				double		row[12];
				double		v;

				for (int j = 0; j < 12; j++)
					row[j] = ds.x[j * 6 + i];
				ml_linear_regression.predict(m, row, &v);
				worst = fmax(worst, fabs(v - ds.y[i]));
			}
			check(finite && worst < 1e-9,
				  "6 rows x 12 features: finite coefficients, training rows interpolated (%.1e)",
				  worst);
		}
		dataset_free(&ds);
	}

	/* a constant column and a single row */
	make_dataset(&ds, 4, 30, 3, 1.0, beta, 3, 0.1);
	for (int i = 0; i < 30; i++)
		ds.x[30 + i] = 0.1;
	m = fit_or_note(&ml_linear_regression, &ds.d, &hp);
	check(m && view(m)->coef[1] == 0.0 && fabs(view(m)->coef[0] - 2.0) < 0.1,
		  "constant column: coefficient exactly 0");
	m = fit_or_note(&ml_lasso, &ds.d, &hp);
	check(m && view(m)->coef[1] == 0.0, "constant column, lasso: coefficient exactly 0");
	ds.d.n = 1;
	m = fit_or_note(&ml_linear_regression, &ds.d, &hp);
	check(m && view(m)->intercept == ds.y[0] && view(m)->coef[0] == 0.0,
		  "single row: intercept is the value, coefficients 0");
	dataset_free(&ds);
}

/* Lasso and elastic net: analytic, scikit-learn and KKT. */
static void
test_lasso_elastic_net(void)
{
	/* orthogonal centred design, X'X = 4 I */
	static const double ox[3][4] = {
		{1, -1, 1, -1}, {1, 1, -1, -1}, {1, -1, -1, 1}
	};
	static const double beta[5] = {3, -2, 0.5, 0, 0};
	static const double sk_lasso[6] = {
		1.4697238933249288, 2.7635290937136645, -1.6523190882980368,
		0.22858256206528424, 0, 0
	};
	static const double sk_enet[6] = {
		1.4802645661773954, 2.501798578882958, -1.5673973200450457,
		0.37554551867777325, 0, 0
	};
	MlHyperparams hp;
	Dataset		ds;
	void	   *m;
	double		kkt;
	double		obj;

	ml_hyperparams_default(&hp);
	hp.tol = 1e-12;
	hp.max_iter = 100000;

	/* y = 5 + 2 x0 - 0.3 x1 + 0.05 x2: w_j = soft(x_j'y / n, a l1) / (1 + a (1 - l1)) */
	dataset_alloc(&ds, 4, 3);
	for (int i = 0; i < 4; i++)
	{
		for (int j = 0; j < 3; j++)
			ds.x[j * 4 + i] = ox[j][i];
		ds.y[i] = 5 + 2 * ox[0][i] - 0.3 * ox[1][i] + 0.05 * ox[2][i];
	}
	hp.alpha = 0.1;
	m = fit_or_note(&ml_lasso, &ds.d, &hp);
	check(m && fabs(view(m)->coef[0] - 1.9) < 1e-12 &&
		  fabs(view(m)->coef[1] + 0.2) < 1e-12 && view(m)->coef[2] == 0.0 &&
		  fabs(view(m)->intercept - 5.0) < 1e-12,
		  "lasso on an orthogonal design: soft-thresholded least squares (1.9, -0.2, 0)");
	hp.l1_ratio = 0.5;
	m = fit_or_note(&ml_elastic_net, &ds.d, &hp);
	check(m && fabs(view(m)->coef[0] - 1.95 / 1.05) < 1e-12 &&
		  fabs(view(m)->coef[1] + 0.25 / 1.05) < 1e-12 && view(m)->coef[2] == 0.0,
		  "elastic net on an orthogonal design: (1.95, -0.25, 0) / 1.05");
	dataset_free(&ds);

	/* set A: scikit-learn */
	make_dataset(&ds, 11, 200, 5, 1.5, beta, 5, 0.1);
	hp.alpha = 0.1;
	m = fit_or_note(&ml_lasso, &ds.d, &hp);
	check(m && max_abs_coef_diff(view(m), sk_lasso[0], sk_lasso + 1) < 1e-9,
		  "lasso alpha=0.1: equals scikit-learn Lasso to 1e-9 (%.1e)",
		  m ? max_abs_coef_diff(view(m), sk_lasso[0], sk_lasso + 1) : -1.0);
	check(m && view(m)->coef[3] == 0.0 && view(m)->coef[4] == 0.0,
		  "lasso alpha=0.1: the two useless features get exactly 0");
	obj = enet_objective(&ds.d, view(m), 0.1, 1.0, &kkt);
	check(kkt < 1e-9, "lasso alpha=0.1: optimality conditions hold (%.1e)", kkt);
	hp.l1_ratio = 0.5;
	m = fit_or_note(&ml_elastic_net, &ds.d, &hp);
	check(m && max_abs_coef_diff(view(m), sk_enet[0], sk_enet + 1) < 1e-9,
		  "elastic net alpha=0.1 l1_ratio=0.5: equals scikit-learn ElasticNet to 1e-9 (%.1e)",
		  m ? max_abs_coef_diff(view(m), sk_enet[0], sk_enet + 1) : -1.0);
	obj = enet_objective(&ds.d, view(m), 0.1, 0.5, &kkt);
	check(kkt < 1e-9, "elastic net: optimality conditions hold (%.1e)", kkt);
	/* the default tolerance still gets close */
	ml_hyperparams_default(&hp);
	hp.alpha = 0.1;
	m = fit_or_note(&ml_lasso, &ds.d, &hp);
	check(m && max_abs_coef_diff(view(m), sk_lasso[0], sk_lasso + 1) < 1e-4,
		  "lasso with the default tol: within 1e-4 of the exact solution");
	hp.alpha = 100.0;
	m = fit_or_note(&ml_lasso, &ds.d, &hp);
	check(m && view(m)->coef[0] == 0.0 && view(m)->coef[1] == 0.0 &&
		  fabs(view(m)->intercept - column_mean_of(ds.y, 200)) < 1e-12,
		  "lasso with a huge alpha: all zero, intercept is mean(y)");
	dataset_free(&ds);

	/*
	 * Set B: 100 rows x 300 features, descent on the data rather than the
	 * Gram matrix.  scikit-learn reached objective 0.73092100064834575
	 * (lasso alpha=0.05, 5 non-zero) and 0.88388128389180598 (elastic net
	 * alpha=0.05 l1_ratio=0.7, 17 non-zero).
	 */
	make_dataset(&ds, 22, 100, 300, 0.0, beta, 0, 0.0);
	{
		uint64_t	st = 22;

		for (int i = 0; i < 100; i++)
		{
			double		v = 0.0;

			for (int j = 0; j < 300; j++)
			{
				ds.x[j * 100 + i] = 2.0 * rand_unit(&st) - 1.0;
				if (j < 5)
					v += (j + 1) * ds.x[j * 100 + i];
			}
			ds.y[i] = v + 0.1 * (2.0 * rand_unit(&st) - 1.0);
		}
	}
	ml_hyperparams_default(&hp);
	hp.tol = 1e-12;
	hp.max_iter = 100000;
	hp.alpha = 0.05;
	m = fit_or_note(&ml_lasso, &ds.d, &hp);
	if (m)
	{
		int			nnz = 0;

		for (int j = 0; j < 300; j++)
			nnz += view(m)->coef[j] != 0.0;
		obj = enet_objective(&ds.d, view(m), 0.05, 1.0, &kkt);
		check(fabs(obj - 0.73092100064834575) < 1e-10 && nnz == 5 && kkt < 1e-8,
			  "lasso 100 x 300: scikit-learn's objective to 1e-10, 5 non-zero, KKT (%.3g, %d, %.1e)",
			  obj - 0.73092100064834575, nnz, kkt);
	}
	hp.l1_ratio = 0.7;
	m = fit_or_note(&ml_elastic_net, &ds.d, &hp);
	if (m)
	{
		int			nnz = 0;

		for (int j = 0; j < 300; j++)
			nnz += view(m)->coef[j] != 0.0;
		obj = enet_objective(&ds.d, view(m), 0.05, 0.7, &kkt);
		check(fabs(obj - 0.88388128389180598) < 1e-10 && nnz == 17 && kkt < 1e-8,
			  "elastic net 100 x 300: scikit-learn's objective to 1e-10, 17 non-zero, KKT (%.3g, %d, %.1e)",
			  obj - 0.88388128389180598, nnz, kkt);
	}
	dataset_free(&ds);

	/* bad hyperparameters are refused with a message */
	{
		char		errbuf[ML_ERRBUF_SIZE] = "";

		make_dataset(&ds, 1, 10, 2, 0.0, beta, 2, 0.1);
		ml_hyperparams_default(&hp);
		hp.l1_ratio = 1.5;
		check(ml_elastic_net.fit(&ds.d, &hp, errbuf) == NULL && errbuf[0] != '\0',
			  "elastic net refuses l1_ratio 1.5: %s", errbuf);
		hp.l1_ratio = 0.5;
		hp.alpha = -1;
		check(ml_ridge.fit(&ds.d, &hp, errbuf) == NULL && errbuf[0] != '\0',
			  "ridge refuses alpha -1: %s", errbuf);
		ds.d.task = ML_CLASSIFICATION;
		ds.d.nclasses = 2;
		hp.alpha = 1;
		check(ml_linear_regression.fit(&ds.d, &hp, errbuf) == NULL,
			  "linear_regression refuses classification: %s", errbuf);
		dataset_free(&ds);
	}
}

/* Write a model's image; the caller frees w->data. */
static void
image_of(const MlAlgorithm *alg, const void *model, MlWriter *w)
{
	ml_writer_init(w);
	alg->write(w, model);
}

/* Read an image of len bytes back (NULL when refused). */
static void *
read_image(const MlAlgorithm *alg, const uint8 *data, size_t len, int p,
		   MlTask task, int nclasses)
{
	MlReader	r;

	ml_reader_init(&r, data, len);
	return alg->read(&r, p, task, nclasses);
}

/*
 * Image round trip (identical predictions, batch and single), every
 * truncation refused, corrupted fields refused.
 */
static void
test_image(void)
{
	static const double beta[4] = {1, -2, 0.5, 3};
	const MlAlgorithm *algs[4] = {
		&ml_linear_regression, &ml_ridge, &ml_lasso, &ml_elastic_net
	};
	MlHyperparams hp;
	Dataset		ds;

	ml_hyperparams_default(&hp);
	hp.alpha = 0.01;
	make_dataset(&ds, 8, 300, 4, 0.7, beta, 4, 0.2);
	for (int a = 0; a < 4; a++)
	{
		const MlAlgorithm *alg = algs[a];
		void	   *m = fit_or_note(alg, &ds.d, &hp);
		void	   *back;
		MlWriter	w;
		bool		same = true;
		bool		all_refused = true;
		double	   *batch = malloc(sizeof(double) * 300);
		double		imp[4];
		uint8	   *bad;

		if (!check(m != NULL, "%s: fits", alg->name))
			continue;
		check(alg->id == a + 1 && alg->regression && !alg->classification &&
			  alg->one_hot, "%s: descriptor id %d, regression only, one_hot",
			  alg->name, alg->id);
		image_of(alg, m, &w);
		back = read_image(alg, w.data, w.len, 4, ML_REGRESSION, 0);
		if (!check(back != NULL, "%s: image reads back (%zu bytes)", alg->name, w.len))
			continue;
		alg->predict_batch(back, ds.x, 300, batch);
		for (int i = 0; i < 300; i++)
		{
			double		row[4];
			double		v1;
			double		v2;

			for (int j = 0; j < 4; j++)
				row[j] = ds.x[j * 300 + i];
			alg->predict(m, row, &v1);
			alg->predict(back, row, &v2);
			same &= (v1 == v2) && fabs(batch[i] - v1) <= 1e-12 * (1 + fabs(v1));
		}
		check(same, "%s: read-back model predicts identically (single and batch)",
			  alg->name);
		alg->importance(m, imp);
		check(imp[3] > imp[1] && imp[1] > imp[0] && imp[0] > imp[2] && imp[2] >= 0,
			  "%s: importance ranks |coefficients| (%.3f %.3f %.3f %.3f)",
			  alg->name, imp[0], imp[1], imp[2], imp[3]);

		for (size_t len = 0; len < w.len; len++)
			if (read_image(alg, w.data, len, 4, ML_REGRESSION, 0) != NULL)
			{
				all_refused = false;
				note("truncation to %zu bytes accepted", len);
			}
		check(all_refused, "%s: every truncation of the image is refused", alg->name);
		check(read_image(alg, w.data, w.len, 3, ML_REGRESSION, 0) == NULL &&
			  read_image(alg, w.data, w.len, 5, ML_REGRESSION, 0) == NULL &&
			  read_image(alg, w.data, w.len, 4, ML_CLASSIFICATION, 2) == NULL,
			  "%s: image refused for another p or task", alg->name);
		bad = malloc(w.len);
		memcpy(bad, w.data, w.len);
		bad[0] = 99;
		check(read_image(alg, bad, w.len, 4, ML_REGRESSION, 0) == NULL,
			  "%s: unknown image version refused", alg->name);
		memcpy(bad, w.data, w.len);
		bad[1] = 0xFF;
		bad[4] = 0x7F;
		check(read_image(alg, bad, w.len, 4, ML_REGRESSION, 0) == NULL,
			  "%s: huge coefficient count refused", alg->name);
		for (size_t off = 5; off + 8 <= w.len; off += 8)
		{
			double		nan = NAN;

			memcpy(bad, w.data, w.len);
			memcpy(bad + off, &nan, 8);
			if (read_image(alg, bad, w.len, 4, ML_REGRESSION, 0) != NULL)
				all_refused = false;
			memcpy(bad + off, &(double) {INFINITY}, 8);
			if (read_image(alg, bad, w.len, 4, ML_REGRESSION, 0) != NULL)
				all_refused = false;
		}
		check(all_refused, "%s: a NaN or infinite intercept, coefficient or column mean is refused",
			  alg->name);
		free(bad);
		free(batch);
		free(w.data);
	}
	dataset_free(&ds);
}

/*
 * Explanations of the four algorithms: base + contributions = raw_output
 * = predict, base = mean training prediction, zero contributions at the
 * means, the same after an image round trip.  n = 300 takes the QR and
 * data routes, n = 10000 the Gram routes; p = 300 > CD_GRAM_MAX_P the
 * coordinate descent on the data with many rows.
 */
static void
test_explain(void)
{
	static const double beta[6] = {1, -2, 0.5, 3, 0, -1};
	static const struct
	{
		int64		n;
		int			p;
	}			sizes[3] = {{300, 6}, {10000, 6}, {400, 300}};
	const MlAlgorithm *algs[4] = {
		&ml_linear_regression, &ml_ridge, &ml_lasso, &ml_elastic_net
	};

	for (int z = 0; z < 3; z++)
		for (int icpt = 0; icpt < 2; icpt++)
		{
			Dataset		ds;
			int64		n = sizes[z].n;
			int			p = sizes[z].p;

			make_dataset(&ds, 30 + z, n, p, 2.5, beta, 6, 0.3);
			/* columns far from centred: offsets and scales */
			for (int j = 0; j < p; j++)
				for (int64 i = 0; i < n; i++)
					ds.x[j * n + i] = 4.0 * (j % 7) - 9.0 + (1.0 + j % 3) * ds.x[j * n + i];
			for (int a = 0; a < 4; a++)
			{
				const MlAlgorithm *alg = algs[a];
				MlHyperparams hp;
				const LinearView *m;
				void	   *back;
				MlWriter	w;
				double	   *row = malloc(sizeof(double) * p);
				double	   *contrib = malloc(sizeof(double) * p);
				double	   *c2 = malloc(sizeof(double) * p);
				double		worst = 0,
							worst_pred = 0,
							worst_mean = 0,
							base,
							b2,
							avg = 0;
				bool		zero_at_mean = true,
							same = true;
				uint64_t	st = 5;

				ml_hyperparams_default(&hp);
				hp.alpha = 0.01;
				hp.fit_intercept = icpt == 1;
				m = fit_or_note(alg, &ds.d, &hp);
				if (!check(m != NULL, "%s: fits for explanations", alg->name))
					continue;
				for (int j = 0; j < p; j++)
				{
					double		mean = column_mean_of(ds.x + j * n, (int) n);

					worst_mean = fmax(worst_mean, fabs(m->mean[j] - mean) / (1 + fabs(mean)));
				}
				for (int64 i = 0; i < n; i++)
				{
					for (int j = 0; j < p; j++)
						row[j] = ds.x[j * n + i];
					avg += alg->raw_output(m, row, 0) / n;
				}
				alg->explain(m, m->mean, 0, contrib, &base);
				for (int j = 0; j < p; j++)
					zero_at_mean = zero_at_mean && contrib[j] == 0;
				check(worst_mean < 1e-12 && fabs(base - avg) < 1e-9 * (1 + fabs(avg)) &&
					  zero_at_mean,
					  "%s n=%lld p=%d %s intercept: the model keeps the column means (%.2g), the base %.6g is the mean training prediction %.6g, a row at the means gets no contribution",
					  alg->name, (long long) n, p, icpt ? "with" : "no", worst_mean,
					  base, avg);

				for (int i = 0; i < 200; i++)
				{
					double		raw,
								pred,
								sum,
								mag;

					for (int j = 0; j < p; j++)
						row[j] = 4.0 * (j % 7) - 9.0 + 10 * (2 * rand_unit(&st) - 1);
					alg->explain(m, row, i % 3, contrib, &base);
					raw = alg->raw_output(m, row, i % 3);
					alg->predict(m, row, &pred);
					sum = base;
					mag = fmax(fabs(base), fabs(raw));
					for (int j = 0; j < p; j++)
					{
						sum += contrib[j];
						mag = fmax(mag, fabs(contrib[j]));
					}
					worst = fmax(worst, fabs(sum - raw) / mag);
					worst_pred = fmax(worst_pred, fabs(raw - pred));
				}
				check(worst < 1e-6 && worst_pred == 0,
					  "%s n=%lld p=%d %s intercept: base + contributions = raw_output = predict on 200 rows (worst %.2g relative)",
					  alg->name, (long long) n, p, icpt ? "with" : "no", worst);

				image_of(alg, m, &w);
				back = read_image(alg, w.data, w.len, p, ML_REGRESSION, 0);
				for (int i = 0; i < 20 && back; i++)
				{
					for (int j = 0; j < p; j++)
						row[j] = 20 * rand_unit(&st);
					alg->explain(m, row, 0, contrib, &base);
					alg->explain(back, row, 0, c2, &b2);
					same = same && base == b2 &&
						memcmp(contrib, c2, sizeof(double) * p) == 0;
				}
				check(back != NULL && same, "%s n=%lld p=%d %s intercept: the read-back model explains identically",
					  alg->name, (long long) n, p, icpt ? "with" : "no");
				free(w.data);
				free(row);
				free(contrib);
				free(c2);
			}
			dataset_free(&ds);
		}
}

/* Least squares on 1M rows x 20 features, one BLAS thread: time it. */
static void
test_speed(void)
{
	static const double beta[20] = {
		1, 2, 3, 4, 5, -1, -2, -3, -4, -5, 0.5, 0.25, 0, 0, 0, 1, 1, 1, 1, 1
	};
	Dataset		ds;
	MlHyperparams hp;
	struct timespec t0;
	struct timespec t1;
	double		secs;
	double		worst = 0.0;
	void	   *m;

	openblas_set_num_threads(1);
	make_dataset(&ds, 1234, 1000000, 20, 10.0, beta, 20, 0.5);
	ml_hyperparams_default(&hp);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	m = fit_or_note(&ml_linear_regression, &ds.d, &hp);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
	if (m)
		for (int j = 0; j < 20; j++)
			worst = fmax(worst, fabs(view(m)->coef[j] - beta[j]));
	note("linear_regression 1M x 20: %.3f s", secs);
	check(m && worst < 0.01, "ols 1M x 20: coefficients recovered (%.1e)", worst);
	/* the budget is 0.3 s; the bound leaves room for a loaded machine */
	check(secs < 1.0, "ols 1M x 20: fit in %.3f s single-threaded", secs);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	hp.alpha = 0.01;
	m = fit_or_note(&ml_lasso, &ds.d, &hp);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
	note("lasso 1M x 20: %.3f s", secs);
	check(m && secs < 3.0, "lasso 1M x 20: fit in %.3f s", secs);
	dataset_free(&ds);
}

int
main(void)
{
	test_longley();
	test_least_squares_closed_form();
	test_rank_deficient();
	test_lasso_elastic_net();
	test_image();
	test_explain();
	test_speed();
	return unit_status();
}

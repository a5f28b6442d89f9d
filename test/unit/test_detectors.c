/*-------------------------------------------------------------------------
 *
 * test_detectors.c
 *	  Unit tests of the anomaly detection cores: order statistics, the
 *	  chi-square quantile, FastMCD and the isolation forest (quality on
 *	  synthetic data, stored images, corrupt images).
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"

#include "anomaly/detector_alg.h"
#include "anomaly/isolation.h"
#include "anomaly/robust_cov.h"
#include "anomaly/univariate.h"
#include "ml/model_io.h"

static double
gauss(uint64_t *s)
{
	double		u = rand_unit(s),
				v = rand_unit(s);

	if (u < 1e-300)
		u = 1e-300;
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static void
test_order_statistics(void)
{
	double		a[] = {5, 1, 4, 2, 3};
	double		b[] = {7, 1, 3, 5};
	double		c[] = {2, 2, 2, 2, 9};
	double		w[8];
	ColumnSpread cs;
	double		with_nan[] = {1, NAN, 3, INFINITY, 2};

	check(select_quantile(a, 5, 0.5) == 3, "median of 5 values");
	check(fabs(select_quantile(b, 4, 0.5) - 4) < 1e-15, "median of 4 values interpolates");
	check(fabs(select_quantile(b, 4, 0.25) - 2.5) < 1e-15, "first quartile, numpy's linear rule");
	column_spread(c, 5, w, &cs);
	check(cs.median == 2 && cs.mad == 0 && fabs(cs.scale - 1.2533 * 7.0 / 5) < 1e-12,
		  "MAD 0: the mean absolute deviation x 1.2533 takes over (%g)", cs.scale);
	column_spread(with_nan, 5, w, &cs);
	check(cs.n == 3 && cs.median == 2 && cs.min == 1 && cs.max == 3,
		  "NaN and infinity are left out");
	{
		/* against a sort on 100,001 values */
		int			n = 100001;
		double	   *v = malloc(sizeof(double) * n),
				   *s = malloc(sizeof(double) * n);
		uint64_t	st = 11;

		for (int i = 0; i < n; i++)
			v[i] = s[i] = rand_unit(&st) * 1000;
		qsort(s, n, sizeof(double), cmp_double_asc);
		check(select_quantile(v, n, 0.5) == s[n / 2], "quickselect median equals the sorted one");
		free(v);
		free(s);
	}
}

static void
test_chi2(void)
{
	/* scipy.stats.chi2.ppf */
	check(fabs(chi2_quantile(0.975, 2) - 7.377758908227871) < 1e-9, "chi2.ppf(0.975, 2) (%.15g)", chi2_quantile(0.975, 2));
	check(fabs(chi2_quantile(0.999, 10) - 29.58829844507442) < 1e-8, "chi2.ppf(0.999, 10) (%.15g)", chi2_quantile(0.999, 10));
	check(fabs(chi2_quantile(0.5, 1) - 0.454936423119572) < 1e-9, "chi2.ppf(0.5, 1) (%.15g)", chi2_quantile(0.5, 1));
	check(fabs(chi2_quantile(0.9999, 4) - 23.51274244958) < 1e-6, "chi2.ppf(0.9999, 4) (%.15g)", chi2_quantile(0.9999, 4));
}

/* 4 correlated columns; 1% of rows break the correlation */
static void
make_data(double **cols, int n, int p, bool *truth, uint64_t seed, bool far)
{
	uint64_t	st = seed;

	for (int i = 0; i < n; i++)
	{
		double		z = gauss(&st);

		truth[i] = i % 100 == 7;
		for (int j = 0; j < p; j++)
		{
			double		e = gauss(&st);

			cols[j][i] = 10 * (j + 1) + (j + 1) * (0.9 * z + 0.44 * e);
			if (truth[i])
				cols[j][i] = 10 * (j + 1) + (j + 1) *
					(far ? (i % 200 == 7 ? 7 : -7) + 0.5 * e : (j % 2 ? 2.5 : -2.5) + 0.3 * e);
		}
	}
}

static void
precision_recall(const bool *flag, const bool *truth, int n, double *p, double *r)
{
	int			tp = 0,
				fp = 0,
				fn = 0;

	for (int i = 0; i < n; i++)
	{
		tp += flag[i] && truth[i];
		fp += flag[i] && !truth[i];
		fn += !flag[i] && truth[i];
	}
	*p = tp + fp > 0 ? (double) tp / (tp + fp) : 1;
	*r = tp + fn > 0 ? (double) tp / (tp + fn) : 1;
}

static void
test_mcd(void)
{
	int			n = 5000,
				p = 4;
	double	   *cols[4];
	bool	   *truth = malloc(n),
			   *flag = malloc(n);
	char		err[256];
	double		row[4],
				work[8],
				share[4],
				prec,
				rec;
	RobustCov  *rc,
			   *back;
	MlWriter	w;
	MlReader	r;

	for (int j = 0; j < p; j++)
		cols[j] = malloc(sizeof(double) * n);
	make_data(cols, n, p, truth, 5, false);
	rc = robust_cov_fit((const double *const *) cols, n, p, 1, 0.9999, err, sizeof(err));
	if (!check(rc != NULL, "FastMCD fits 5,000 x 4"))
		return;
	for (int i = 0; i < n; i++)
	{
		for (int j = 0; j < p; j++)
			row[j] = cols[j][i];
		flag[i] = robust_cov_distance(rc, row, work) > rc->threshold;
	}
	precision_recall(flag, truth, n, &prec, &rec);
	check(prec >= 0.9 && rec >= 0.9, "mahalanobis on correlation breakers: precision %.3f, recall %.3f", prec, rec);
	check(fabs(rc->mean[0] - 10) < 0.2 && fabs(rc->mean[3] - 40) < 0.5,
		  "robust location ignores the anomalies (%.3f, %.3f)", rc->mean[0], rc->mean[3]);
	for (int j = 0; j < p; j++)
		row[j] = cols[j][7];
	robust_cov_attribution(rc, row, share, work);
	check(fabs(share[0] + share[1] + share[2] + share[3] - 1) < 1e-12, "attribution shares sum to 1");

	ml_writer_init(&w);
	robust_cov_write(&w, rc);
	ml_reader_init(&r, w.data, w.len);
	back = robust_cov_read(&r, p);
	check(back != NULL && ml_reader_ok(&r) && r.pos == r.len &&
		  robust_cov_distance(back, row, work) == robust_cov_distance(rc, row, work),
		  "a stored robust covariance scores identically");
	ml_reader_init(&r, w.data, w.len / 2);
	check(robust_cov_read(&r, p) == NULL, "a truncated one is refused");

	/* a constant column makes the covariance singular: an error, no crash */
	for (int i = 0; i < n; i++)
		cols[2][i] = 5;
	check(robust_cov_fit((const double *const *) cols, n, p, 1, 0.9999, err, sizeof(err)) == NULL &&
		  strstr(err, "singular") != NULL, "a constant column is refused (%s)", err);
	/* too few complete rows */
	for (int i = 0; i < n; i++)
		cols[1][i] = i < 5 ? cols[1][i] : NAN;
	check(robust_cov_fit((const double *const *) cols, n, p, 1, 0.9999, err, sizeof(err)) == NULL,
		  "too few complete rows are refused (%s)", err);
}

static void
test_iforest(void)
{
	int			n = 5000,
				p = 4;
	double	   *cols[4];
	bool	   *truth = malloc(n),
			   *flag = malloc(n);
	double		row[4],
				z[4],
				share[4],
				prec,
				rec;
	IsoForest  *f,
			   *back;
	MlWriter	w;
	MlReader	r;
	int			refused = 0,
				tries = 0;

	for (int j = 0; j < p; j++)
		cols[j] = malloc(sizeof(double) * n);
	make_data(cols, n, p, truth, 9, true);
	f = isoforest_fit((const double *const *) cols, n, p, ISO_TREES, ISO_PSI, 3);
	for (int i = 0; i < n; i++)
	{
		for (int j = 0; j < p; j++)
			row[j] = cols[j][i];
		flag[i] = isoforest_score(f, row, z) > 0.65;
	}
	precision_recall(flag, truth, n, &prec, &rec);
	check(rec >= 0.9, "isolation forest finds rows far from the bulk: precision %.3f, recall %.3f", prec, rec);
	for (int j = 0; j < p; j++)
		row[j] = cols[j][7];
	isoforest_attribution(f, row, share, z);
	check(fabs(share[0] + share[1] + share[2] + share[3] - 1) < 1e-12, "attribution shares sum to 1");
	row[1] = NAN;
	check(isfinite(isoforest_score(f, row, z)), "a NULL coordinate scores (as the median)");

	ml_writer_init(&w);
	isoforest_write(&w, f);
	ml_reader_init(&r, w.data, w.len);
	back = isoforest_read(&r, p);
	for (int j = 0; j < p; j++)
		row[j] = cols[j][100];
	check(back != NULL && r.pos == r.len && isoforest_score(back, row, z) == isoforest_score(f, row, z),
		  "a stored forest scores identically");
	ml_reader_init(&r, w.data, w.len);
	check(isoforest_read(&r, p + 1) == NULL, "a forest of another width is refused");
	/* flipped bytes: refused, or read into a forest that stays in bounds */
	for (size_t k = 0; k < w.len && tries < 2000; k += 1 + w.len / 2000, tries++)
	{
		uint8_t		save = w.data[k];
		IsoForest  *g;

		w.data[k] ^= 0x5A;
		ml_reader_init(&r, w.data, w.len);
		g = isoforest_read(&r, p);
		if (g == NULL)
			refused++;
		else
			(void) isoforest_score(g, row, z);
		w.data[k] = save;
	}
	check(refused > 0, "corrupt images: %d of %d refused, the rest score in bounds", refused, tries);
}

int
main(void)
{
	test_order_statistics();
	test_chi2();
	test_mcd();
	test_iforest();
	return unit_status();
}

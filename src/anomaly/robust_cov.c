/*-------------------------------------------------------------------------
 *
 * robust_cov.c
 *	  Robust location and covariance (Minimum Covariance Determinant) and
 *	  the Mahalanobis distances they give.
 *
 * The classical mean and covariance are pulled towards the outliers they
 * are meant to expose (masking).  The MCD estimate uses only the h =
 * (m + p + 1) / 2 rows whose covariance has the smallest determinant, so
 * up to half of the rows may be anomalous.  FastMCD (Rousseeuw and Van
 * Driessen, 1999), as scikit-learn's MinCovDet does it:
 *	- on a seeded sample of at most MCD_SAMPLE complete rows (the estimate
 *	  needs the bulk of the data, not every row), MCD_STARTS random
 *	  (p + 1)-subsets each refined by two C-steps (a C-step keeps the h rows
 *	  closest under the current estimate and refits: the determinant never
 *	  grows);
 *	- the MCD_BEST best are iterated to convergence; the smallest
 *	  determinant wins;
 *	- consistency: the covariance is scaled by median(d^2) / chi2(0.5, p) so
 *	  that distances of normal data follow chi-square with p d.f.;
 *	- reweighting: the mean and covariance of the rows with d^2 below the
 *	  chi-square 0.975 quantile, for efficiency.
 * Factorisations are Cholesky (LAPACK dpotrf); a covariance that is not
 * positive definite (a constant column, collinear columns) is an error,
 * reported to the caller, not a crash.
 *
 * The caller's threshold on the distance is sqrt(chi2(tail, p)); the
 * detectors use tail 0.9999 (a normal row flagged as rarely as a z-score
 * beyond 3.9), tighter than one column's 3.5 because a row has p chances
 * to look unusual and the robust fit's tails are slightly heavy.
 *
 * The chi-square quantile inverts the regularised incomplete gamma
 * function (series below a + 1, Lentz's continued fraction above) by
 * bisection to 1e-12.
 *
 *-------------------------------------------------------------------------
 */
#ifndef AUTOML_STANDALONE
#include "postgres.h"
#endif

#include <lapacke.h>
#include <math.h>
#include <stdio.h>

#include "anomaly/robust_cov.h"
#include "ml/ml.h"

#define MCD_SAMPLE	3000
#define MCD_STARTS	30
#define MCD_BEST	5
#define MCD_MAX_ITER 50

/* ---------------------------------------------------------------- chi-square */

static double
gamma_p(double a, double x)
{
	double		gln = lgamma(a);

	if (x <= 0)
		return 0;
	if (x < a + 1)
	{
		double		ap = a,
					sum = 1.0 / a,
					del = sum;

		for (int i = 0; i < 1000; i++)
		{
			ap += 1;
			del *= x / ap;
			sum += del;
			if (fabs(del) < fabs(sum) * 1e-16)
				break;
		}
		return sum * exp(-x + a * log(x) - gln);
	}
	else
	{
		/* continued fraction for Q(a, x), modified Lentz */
		double		b = x + 1 - a,
					c = 1.0 / 1e-300,
					d = 1.0 / b,
					h = d;

		for (int i = 1; i < 1000; i++)
		{
			double		an = -i * (i - a),
						del;

			b += 2;
			d = an * d + b;
			if (fabs(d) < 1e-300)
				d = 1e-300;
			c = b + an / c;
			if (fabs(c) < 1e-300)
				c = 1e-300;
			d = 1.0 / d;
			del = d * c;
			h *= del;
			if (fabs(del - 1) < 1e-16)
				break;
		}
		return 1 - exp(-x + a * log(x) - gln) * h;
	}
}

double
chi2_quantile(double q, double df)
{
	double		lo = 0,
				hi = df + 10 * sqrt(2 * df) + 100;

	if (!(q > 0) || !(df > 0))
		return 0;
	if (q >= 1)
		return INFINITY;
	while (gamma_p(df / 2, hi / 2) < q)
		hi *= 2;
	for (int i = 0; i < 200 && hi - lo > 1e-12 * fmax(1.0, hi); i++)
	{
		double		mid = (lo + hi) / 2;

		if (gamma_p(df / 2, mid / 2) < q)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* ---------------------------------------------------------------- estimates */

/* Mean and covariance of rows idx[0..k-1] of the sample s (m x p, row-major). */
static void
mean_cov(const double *s, int p, const int64 *idx, int64 k, double *mean, double *cov)
{
	memset(mean, 0, sizeof(double) * p);
	memset(cov, 0, sizeof(double) * p * p);
	for (int64 i = 0; i < k; i++)
		for (int j = 0; j < p; j++)
			mean[j] += s[idx[i] * p + j];
	for (int j = 0; j < p; j++)
		mean[j] /= (double) k;
	for (int64 i = 0; i < k; i++)
	{
		const double *r = &s[idx[i] * p];

		for (int a = 0; a < p; a++)
			for (int b = 0; b <= a; b++)
				cov[a * p + b] += (r[a] - mean[a]) * (r[b] - mean[b]);
	}
	for (int a = 0; a < p; a++)
		for (int b = 0; b <= a; b++)
		{
			cov[a * p + b] /= (double) (k > 1 ? k - 1 : 1);
			cov[b * p + a] = cov[a * p + b];
		}
}

/* Cholesky of cov into chol (lower); false if not positive definite. */
static bool
cholesky(const double *cov, int p, double *chol, double *logdet)
{
	memcpy(chol, cov, sizeof(double) * p * p);
	if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', p, chol, p) != 0)
		return false;
	*logdet = 0;
	for (int j = 0; j < p; j++)
	{
		if (!(chol[j * p + j] > 1e-12))
			return false;
		*logdet += 2 * log(chol[j * p + j]);
		for (int k = j + 1; k < p; k++)
			chol[j * p + k] = 0;
	}
	return true;
}

/* Squared distance of r from mean under the factor chol (row-major, lower). */
static double
dist2(const double *chol, const double *mean, int p, const double *r, double *y)
{
	double		d = 0;

	for (int i = 0; i < p; i++)
	{
		double		v = (isfinite(r[i]) ? r[i] : mean[i]) - mean[i];

		for (int k = 0; k < i; k++)
			v -= chol[i * p + k] * y[k];
		y[i] = v / chol[i * p + i];
		d += y[i] * y[i];
	}
	return d;
}

typedef struct Mcd
{
	const double *s;			/* the sample, m x p row-major */
	int64		m;
	int			p;
	int64		h;
	double	   *d2;				/* m */
	int64	   *order;			/* m */
	double	   *y;				/* p */
} Mcd;

static const double *sort_d2;

static int
cmp_by_d2(const void *a, const void *b)
{
	double		x = sort_d2[*(const int64 *) a],
				y = sort_d2[*(const int64 *) b];

	return x < y ? -1 : x > y;
}

/*
 * One C-step: the h rows closest under (mean, chol) refit mean, cov, chol;
 * false if their covariance is singular.
 */
static bool
c_step(Mcd *c, double *mean, double *cov, double *chol, double *logdet)
{
	for (int64 i = 0; i < c->m; i++)
	{
		c->d2[i] = dist2(chol, mean, c->p, &c->s[i * c->p], c->y);
		c->order[i] = i;
	}
	sort_d2 = c->d2;
	qsort(c->order, c->m, sizeof(int64), cmp_by_d2);
	mean_cov(c->s, c->p, c->order, c->h, mean, cov);
	return cholesky(cov, c->p, chol, logdet);
}

RobustCov *
robust_cov_fit(const double *const *cols, int64 n, int p, uint64 seed, double tail,
			   char *errbuf, size_t errlen)
{
	MlRng		rng;
	int64	   *complete = am_alloc(sizeof(int64) * (n > 0 ? n : 1));
	int64		nc = 0,
				m;
	double	   *s;
	Mcd			c;
	double	   *mean = am_alloc(sizeof(double) * p),
			   *cov = am_alloc(sizeof(double) * p * p),
			   *chol = am_alloc(sizeof(double) * p * p);
	double	   *best_mean = am_alloc(sizeof(double) * p * MCD_BEST),
			   *best_chol = am_alloc(sizeof(double) * p * p * MCD_BEST),
				best_det[MCD_BEST];
	int			nbest = 0;
	double		logdet,
				med,
				factor;
	int64	   *idx;
	RobustCov  *rc;

	for (int64 i = 0; i < n; i++)
	{
		bool		ok = true;

		for (int j = 0; j < p && ok; j++)
			ok = isfinite(cols[j][i]);
		if (ok)
			complete[nc++] = i;
	}
	if (nc < 2 * (p + 1))
	{
		snprintf(errbuf, errlen, "needs at least %d rows without NULLs, has %lld",
				 2 * (p + 1), (long long) nc);
		return NULL;
	}
	ml_rng_seed(&rng, seed ^ UINT64_C(0x4D4344));
	/* a seeded sample of the complete rows (partial Fisher-Yates) */
	m = nc < MCD_SAMPLE ? nc : MCD_SAMPLE;
	for (int64 i = 0; i < m; i++)
	{
		int64		j = i + (int64) ml_rng_below(&rng, (uint64) (nc - i));
		int64		t = complete[i];

		complete[i] = complete[j];
		complete[j] = t;
	}
	s = am_alloc(sizeof(double) * m * p);
	for (int64 i = 0; i < m; i++)
		for (int j = 0; j < p; j++)
			s[i * p + j] = cols[j][complete[i]];

	c.s = s;
	c.m = m;
	c.p = p;
	c.h = (m + p + 1) / 2;
	c.d2 = am_alloc(sizeof(double) * m);
	c.order = am_alloc(sizeof(int64) * m);
	c.y = am_alloc(sizeof(double) * p);
	idx = am_alloc(sizeof(int64) * m);

	for (int start = 0; start < MCD_STARTS; start++)
	{
		int64		k = p + 1;
		bool		ok = false;

		ML_CHECK_INTERRUPTS();
		/* a random (p + 1)-subset, grown until its covariance is regular */
		for (int64 i = 0; i < m; i++)
			idx[i] = i;
		for (int64 i = 0; i < m; i++)
		{
			int64		j = i + (int64) ml_rng_below(&rng, (uint64) (m - i));
			int64		t = idx[i];

			idx[i] = idx[j];
			idx[j] = t;
			if (i + 1 >= k)
			{
				mean_cov(s, p, idx, i + 1, mean, cov);
				if ((ok = cholesky(cov, p, chol, &logdet)))
					break;
				if (i + 1 >= c.h)
					break;
			}
		}
		if (!ok)
			continue;
		if (!c_step(&c, mean, cov, chol, &logdet) || !c_step(&c, mean, cov, chol, &logdet))
			continue;
		/* keep the MCD_BEST smallest determinants */
		{
			int			slot = nbest < MCD_BEST ? nbest++ : -1;

			if (slot < 0)
			{
				int			worst = 0;

				for (int b = 1; b < MCD_BEST; b++)
					if (best_det[b] > best_det[worst])
						worst = b;
				if (logdet < best_det[worst])
					slot = worst;
			}
			if (slot >= 0)
			{
				best_det[slot] = logdet;
				memcpy(&best_mean[slot * p], mean, sizeof(double) * p);
				memcpy(&best_chol[slot * p * p], chol, sizeof(double) * p * p);
			}
		}
	}
	if (nbest == 0)
	{
		snprintf(errbuf, errlen, "the covariance of the columns is singular (a constant or collinear column)");
		return NULL;
	}
	/* iterate the best to convergence; the smallest determinant wins */
	{
		double		win = INFINITY;
		double	   *wmean = am_alloc(sizeof(double) * p),
				   *wchol = am_alloc(sizeof(double) * p * p);

		for (int b = 0; b < nbest; b++)
		{
			double		prev = best_det[b];

			memcpy(mean, &best_mean[b * p], sizeof(double) * p);
			memcpy(chol, &best_chol[b * p * p], sizeof(double) * p * p);
			logdet = prev;
			for (int it = 0; it < MCD_MAX_ITER; it++)
			{
				ML_CHECK_INTERRUPTS();
				if (!c_step(&c, mean, cov, chol, &logdet))
					break;
				if (logdet >= prev - 1e-12)
					break;
				prev = logdet;
			}
			/* (the first always: a non-finite logdet never beats INFINITY) */
			if (b == 0 || logdet < win)
			{
				win = logdet;
				memcpy(wmean, mean, sizeof(double) * p);
				memcpy(wchol, chol, sizeof(double) * p * p);
			}
		}
		if (!isfinite(win))
		{
			/* values near the limits of double precision overflow it */
			snprintf(errbuf, errlen, "the covariance of the columns is not finite (values too large to square)");
			return NULL;
		}
		memcpy(mean, wmean, sizeof(double) * p);
		memcpy(chol, wchol, sizeof(double) * p * p);
	}

	/* consistency: scale so that the median distance is chi2(0.5, p) */
	for (int64 i = 0; i < m; i++)
		c.d2[i] = dist2(chol, mean, p, &s[i * p], c.y);
	memcpy(idx, c.order, sizeof(int64) * m);
	{
		double	   *tmp = am_alloc(sizeof(double) * m);

		memcpy(tmp, c.d2, sizeof(double) * m);
		sort_d2 = tmp;
		for (int64 i = 0; i < m; i++)
			idx[i] = i;
		qsort(idx, m, sizeof(int64), cmp_by_d2);
		med = tmp[idx[m / 2]];
		am_free(tmp);
	}
	factor = med / chi2_quantile(0.5, p);
	if (!(factor > 0))
	{
		snprintf(errbuf, errlen, "the covariance of the columns is singular (a constant or collinear column)");
		return NULL;
	}
	/* reweighting: the rows within the 0.975 quantile */
	{
		double		cut = chi2_quantile(0.975, p) * factor;
		int64		k = 0;

		for (int64 i = 0; i < m; i++)
			if (c.d2[i] <= cut)
				idx[k++] = i;
		if (k > p + 1)
		{
			mean_cov(s, p, idx, k, mean, cov);
			if (!cholesky(cov, p, chol, &logdet))
			{
				snprintf(errbuf, errlen, "the covariance of the columns is singular (a constant or collinear column)");
				return NULL;
			}
			/*
			 * the covariance of the rows inside the cut underestimates the
			 * spread: correct for consistency again (as robustbase does)
			 */
			for (int64 i = 0; i < m; i++)
				c.d2[i] = dist2(chol, mean, p, &s[i * p], c.y);
			{
				double	   *tmp = am_alloc(sizeof(double) * m);

				memcpy(tmp, c.d2, sizeof(double) * m);
				sort_d2 = tmp;
				for (int64 i = 0; i < m; i++)
					idx[i] = i;
				qsort(idx, m, sizeof(int64), cmp_by_d2);
				factor = tmp[idx[m / 2]] / chi2_quantile(0.5, p);
				am_free(tmp);
			}
			if (factor > 0)
			{
				double		f = sqrt(factor);

				for (int a = 0; a < p * p; a++)
					chol[a] *= f;
			}
		}
	}

	rc = am_alloc0(sizeof(RobustCov));
	rc->p = p;
	rc->mean = mean;
	rc->chol = chol;
	rc->sd = am_alloc(sizeof(double) * p);
	for (int j = 0; j < p; j++)
	{
		double		v = 0;

		for (int k = 0; k <= j; k++)
			v += chol[j * p + k] * chol[j * p + k];
		rc->sd[j] = sqrt(v);
	}
	rc->threshold = sqrt(chi2_quantile(tail, p));
	am_free(s);
	am_free(c.d2);
	am_free(c.order);
	am_free(idx);
	am_free(complete);
	return rc;
}

double
robust_cov_distance(const RobustCov *rc, const double *row, double *work)
{
	return sqrt(dist2(rc->chol, rc->mean, rc->p, row, work));
}

/*
 * z = row - mean; with Sigma = L L', d^2 = z' Sigma^-1 z = sum_j z_j
 * (Sigma^-1 z)_j.  Each term is a coordinate's share (negative terms, from
 * correlations, count as their absolute value).
 */
void
robust_cov_attribution(const RobustCov *rc, const double *row, double *share, double *work)
{
	int			p = rc->p;
	double	   *y = work,
			   *x = work + p;
	double		total = 0;

	(void) dist2(rc->chol, rc->mean, p, row, y);
	/* back substitution: L' x = y gives x = Sigma^-1 z */
	for (int i = p - 1; i >= 0; i--)
	{
		double		v = y[i];

		for (int k = i + 1; k < p; k++)
			v -= rc->chol[k * p + i] * x[k];
		x[i] = v / rc->chol[i * p + i];
	}
	for (int j = 0; j < p; j++)
	{
		double		z = (isfinite(row[j]) ? row[j] : rc->mean[j]) - rc->mean[j];

		share[j] = fabs(z * x[j]);
		total += share[j];
	}
	for (int j = 0; j < p; j++)
		share[j] = total > 0 ? share[j] / total : 1.0 / p;
}

void
robust_cov_write(MlWriter *w, const RobustCov *rc)
{
	ml_put_u32(w, (uint32) rc->p);
	ml_put_f64(w, rc->threshold);
	ml_put_f64s(w, rc->mean, rc->p);
	ml_put_f64s(w, rc->chol, (size_t) rc->p * rc->p);
}

RobustCov *
robust_cov_read(MlReader *r, int p)
{
	RobustCov  *rc = am_alloc0(sizeof(RobustCov));

	if (ml_get_u32(r) != (uint32) p || p <= 0 || p > 10000)
		return NULL;
	rc->p = p;
	rc->threshold = ml_get_f64(r);
	rc->mean = am_alloc(sizeof(double) * p);
	rc->chol = am_alloc(sizeof(double) * p * p);
	ml_get_f64s(r, rc->mean, p);
	ml_get_f64s(r, rc->chol, (size_t) p * p);
	if (!ml_reader_ok(r) || !isfinite(rc->threshold))
		return NULL;
	for (int j = 0; j < p; j++)
	{
		if (!isfinite(rc->mean[j]) || !(rc->chol[j * p + j] > 0))
			return NULL;
		for (int k = 0; k < p; k++)
			if (!isfinite(rc->chol[j * p + k]))
				return NULL;
	}
	rc->sd = am_alloc(sizeof(double) * p);
	for (int j = 0; j < p; j++)
	{
		double		v = 0;

		for (int k = 0; k <= j; k++)
			v += rc->chol[j * p + k] * rc->chol[j * p + k];
		rc->sd[j] = sqrt(v);
	}
	return rc;
}

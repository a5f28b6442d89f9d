/*-------------------------------------------------------------------------
 *
 * linear.c
 *	  Linear regression, ridge, lasso and elastic net.
 *
 * All four fit y ~ intercept + X w and share the model (an intercept and p
 * coefficients), prediction, image and importance.  They differ in fit:
 *
 * linear_regression and ridge minimise ||y - b - Xw||^2 + alpha ||w||^2
 * (alpha = 0 for linear_regression; the intercept is not penalised, as in
 * scikit-learn).  Two routes, chosen per problem:
 *
 *	- Normal equations on big data: one pass over the rows, in blocks of
 *	  LINEAR_BLOCK_ROWS, centres each block by the means of the first block
 *	  and adds its cross-products with dsyrk (level-3 BLAS, ~0.06 s for
 *	  1M x 20 on one core).  The column sums of the centred blocks correct
 *	  the Gram matrix to the exact means afterwards, so the approximate
 *	  centring costs no accuracy.  The Gram matrix is scaled to unit
 *	  diagonal and Cholesky-factored; its condition number is estimated
 *	  (dpocon) and the route is only taken when it is below 1 / GRAM_MIN_RCOND,
 *	  where the squared condition number of the normal equations still
 *	  leaves ~12 correct digits.
 *
 *	- Otherwise (small data, ill-conditioned or rank-deficient designs, such
 *	  as NIST's Longley) Householder QR of the centred design [1 X y] with
 *	  the ridge rows sqrt(alpha) I stacked on top.  A single dgeqrf over
 *	  1M x 22 runs unblocked (LAPACK blocks only wider matrices) and streams
 *	  the whole matrix from memory once per column: 0.67 s.  So the QR is
 *	  done as a "tall skinny" QR: each block of rows is factored together
 *	  with the R of the blocks before it, in cache (0.19 s for 1M x 22).
 *	  The ones column is part of the QR, so the intercept is exact whatever
 *	  the centring offsets; centring only keeps the columns well
 *	  conditioned.  The final small triangular system is solved by SVD
 *	  (dgelsd) after scaling its columns to unit norm: a rank-deficient
 *	  design gets the minimum-norm solution in those scaled coordinates
 *	  (which is scikit-learn's minimum-norm solution when the columns have
 *	  equal norms, as the standardised columns of the SQL layer do).
 *
 * lasso and elastic_net minimise scikit-learn's
 *	  1/(2n) ||y - b - Xw||^2 + alpha l1_ratio ||w||_1
 *		+ 0.5 alpha (1 - l1_ratio) ||w||^2
 * (lasso: l1_ratio = 1) by cyclic coordinate descent on centred data, with
 * scikit-learn's stopping rule: once the largest coefficient change of a
 * sweep is below tol times the largest coefficient, the duality gap is
 * computed and the descent stops when it is below tol * ||y - mean(y)||^2.
 * With few features (p <= CD_GRAM_MAX_P) and more rows than features, the
 * descent runs on the centred Gram matrix (one pass over the data, then
 * O(p) per coordinate update); otherwise on the data and a residual
 * vector, with the column norms precomputed and the centring applied on
 * the fly so the data are never copied.
 *
 * Importance is |w_j|, which ranks features when the columns are
 * standardised (as the SQL layer does for these algorithms).
 *
 * Explanation is exact: a row's prediction b + w.x is the expected
 * prediction over the training rows, b + w.m with m the training column
 * means, plus w_j (x_j - m_j) for each column.  The model keeps m for
 * that (the solvers have it at hand when they centre; without an
 * intercept it costs one more pass over the data).
 *
 *-------------------------------------------------------------------------
 */
#include "ml.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>

#include <cblas.h>
#include <lapacke.h>

#define LINEAR_IMAGE_VERSION	2	/* 2: training column means */

/* rows per block of the Gram and QR passes: ~2048 x 22 doubles fit L2 */
#define LINEAR_BLOCK_ROWS		2048

/* the normal equations are only used on data with at least this many rows */
#define GRAM_MIN_ROWS			8192

/* ... and when the scaled Gram matrix's reciprocal condition exceeds this */
#define GRAM_MIN_RCOND			1e-4

/* coordinate descent works on the Gram matrix up to this many features */
#define CD_GRAM_MAX_P			256

typedef struct LinearModel
{
	int			p;
	double		intercept;
	double	   *coef;			/* p */
	double	   *mean;			/* p: training column means (explanation) */
} LinearModel;

/*
 * Where the data are centred: approximate column means of X and of y (all
 * zero without an intercept).
 */
typedef struct LinearCentre
{
	double	   *xoff;			/* p */
	double		yoff;
	bool		centre;
} LinearCentre;

/* A new model with zero coefficients. */
static LinearModel *
linear_model_new(int p)
{
	LinearModel *m = am_alloc0(sizeof(LinearModel));

	m->p = p;
	m->coef = am_alloc0(sizeof(double) * (p > 0 ? p : 1));
	m->mean = am_alloc0(sizeof(double) * (p > 0 ? p : 1));
	return m;
}

/* Free a model built here. */
static void
linear_model_free(LinearModel *m)
{
	am_free(m->coef);
	am_free(m->mean);
	am_free(m);
}

/*
 * Mean of v[0..n).  The offsets from v[0] are summed rather than the
 * values, which keeps the sum small (and exact for many typical columns);
 * with refine, the mean of the remaining deviations is added once more.
 * A constant column gets exactly its value, so that it centres to exact
 * zeros and drops out of every solver instead of leaving rounding noise
 * that a scaled solver would fit.
 */
static double
column_mean(const double *v, int64 n, bool refine)
{
	double		sum = 0.0;
	double		mean;
	bool		constant = true;

	for (int64 i = 0; i < n; i++)
	{
		sum += v[i] - v[0];
		constant &= (v[i] == v[0]);
	}
	if (constant)
		return v[0];
	mean = v[0] + sum / (double) n;
	if (!isfinite(mean))
	{
		/* the offsets overflowed: plain mean of the halved values */
		sum = 0.0;
		for (int64 i = 0; i < n; i++)
			sum += v[i] * 0.5;
		return (sum / (double) n) * 2.0;
	}
	if (refine)
	{
		sum = 0.0;
		for (int64 i = 0; i < n; i++)
			sum += v[i] - mean;
		mean += sum / (double) n;
	}
	return mean;
}

/*
 * Fill c with the centring offsets of the data (zeros without intercept).
 * With first_block, the offsets are the means of the first block of rows
 * only, which costs no pass over the data: enough for the Gram route,
 * which corrects its cross-products to the exact means afterwards.  That
 * correction loses about eps * k^2 relative when an offset is k standard
 * deviations from the mean; by Chebyshev at most n / k^2 rows lie that
 * far out, so a block of B rows has k <= sqrt(n / B): below 700 (error
 * 5e-11) even for a billion rows, and typically below 1.
 */
static void
linear_centre_init(LinearCentre *c, const MlData *d, bool centre,
				   bool first_block, bool refine)
{
	int64		n = d->n;

	if (first_block && n > LINEAR_BLOCK_ROWS)
		n = LINEAR_BLOCK_ROWS;
	c->centre = centre;
	c->xoff = am_alloc0(sizeof(double) * (d->p > 0 ? d->p : 1));
	c->yoff = 0.0;
	if (!centre)
		return;
	for (int j = 0; j < d->p; j++)
	{
		ML_CHECK_INTERRUPTS();
		c->xoff[j] = column_mean(d->x + (int64) j * d->n, n, refine);
	}
	c->yoff = column_mean(d->y, n, refine);
}

/*
 * The model's training column means: the centring offsets when they are
 * the exact means (the caller corrected any first-block offsets), or, when
 * the data were not centred (no intercept), one pass over the columns.
 */
static void
linear_set_means(LinearModel *m, const MlData *d, const LinearCentre *c)
{
	for (int j = 0; j < d->p; j++)
	{
		if (c->centre)
			m->mean[j] = c->xoff[j];
		else
		{
			ML_CHECK_INTERRUPTS();
			m->mean[j] = column_mean(d->x + (int64) j * d->n, d->n, false);
		}
	}
}

/*
 * Copy rows [i0, i0 + m) of the centred columns into dst (column-major,
 * leading dimension ld): first a column of ones if ones, then the p
 * features, then y.  When sums is not NULL, the column sums of the centred
 * features and y are added to sums[0..p].
 */
static void
copy_centred_block(const MlData *d, const LinearCentre *c, int64 i0, int m,
				   bool ones, double *dst, int ld, double *sums)
{
	int			col = 0;

	if (ones)
	{
		for (int i = 0; i < m; i++)
			dst[i] = 1.0;
		col++;
	}
	for (int j = 0; j <= d->p; j++, col++)
	{
		const double *src = (j < d->p ? d->x + (int64) j * d->n : d->y) + i0;
		double		off = j < d->p ? c->xoff[j] : c->yoff;
		double	   *out = dst + (int64) col * ld;
		double		s = 0.0;

		for (int i = 0; i < m; i++)
		{
			out[i] = src[i] - off;
			s += out[i];
		}
		if (sums)
			sums[j] += s;
	}
}

/*
 * Cross-products of the centred columns [x_1 .. x_p, y] in g (q x q with
 * q = p + 1, column-major, full), corrected to the exact column means when
 * centring; sums receives the column sums of the centred data (the
 * distance from the offsets to the exact means, times n).
 */
static void
centred_gram(const MlData *d, const LinearCentre *c, double *g, double *sums)
{
	int			q = d->p + 1;
	double	   *blk = am_alloc(sizeof(double) * LINEAR_BLOCK_ROWS * q);

	memset(g, 0, sizeof(double) * q * q);
	memset(sums, 0, sizeof(double) * q);
	for (int64 i0 = 0; i0 < d->n; i0 += LINEAR_BLOCK_ROWS)
	{
		int			m = (int) (d->n - i0 < LINEAR_BLOCK_ROWS ?
							   d->n - i0 : LINEAR_BLOCK_ROWS);

		ML_CHECK_INTERRUPTS();
		copy_centred_block(d, c, i0, m, false, blk, m, sums);
		cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, q, m, 1.0,
					blk, m, 1.0, g, q);
	}
	am_free(blk);
	if (!c->centre)
		memset(sums, 0, sizeof(double) * q);

	/* exact centring, and the lower triangle from the upper */
	for (int b = 0; b < q; b++)
		for (int a = 0; a <= b; a++)
		{
			double		v = g[a + b * q] - sums[a] * sums[b] / (double) d->n;

			g[a + b * q] = v;
			g[b + a * q] = v;
		}
}

/*
 * Solve (G_xx + alpha I) w = G_xy by Cholesky after scaling to a unit
 * diagonal, where g is the (p+1) x (p+1) Gram matrix of [X y].  Columns
 * with a zero diagonal (constant features, exactly zero once centred) get
 * w_j = 0 and are left out.  Returns false, leaving w undefined, when the
 * scaled matrix is not safely positive definite (reciprocal condition
 * below GRAM_MIN_RCOND).
 */
static bool
solve_normal_equations(const double *g, int p, double alpha, double *w)
{
	int			q = p + 1;
	double	   *a = am_alloc(sizeof(double) * p * p);
	double	   *b = am_alloc(sizeof(double) * p);
	double	   *scale = am_alloc(sizeof(double) * p);
	int		   *cols = am_alloc(sizeof(int) * p);
	int			k = 0;
	double		anorm = 0.0;
	double		rcond = 0.0;
	bool		ok = false;

	for (int j = 0; j < p; j++)
	{
		double		diag = g[j + j * q] + alpha;

		w[j] = 0.0;
		if (diag == 0.0)
			continue;
		if (!(diag > 0.0) || !isfinite(diag))
			goto done;
		scale[k] = sqrt(diag);
		cols[k++] = j;
	}
	if (k == 0)
	{
		ok = true;
		goto done;
	}
	for (int jb = 0; jb < k; jb++)
	{
		double		colsum = 0.0;
		int			cb = cols[jb];

		for (int ja = 0; ja < k; ja++)
		{
			int			ca = cols[ja];
			double		v = g[ca + cb * q] + (ca == cb ? alpha : 0.0);

			a[ja + jb * k] = v / (scale[ja] * scale[jb]);
			colsum += fabs(a[ja + jb * k]);
		}
		anorm = fmax(anorm, colsum);
		b[jb] = g[cb + p * q] / scale[jb];
	}
	if (LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', k, a, k) != 0)
		goto done;
	if (LAPACKE_dpocon(LAPACK_COL_MAJOR, 'U', k, a, k, anorm, &rcond) != 0 ||
		rcond < GRAM_MIN_RCOND)
		goto done;
	if (LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'U', k, 1, a, k, b, k) != 0)
		goto done;
	ok = true;
	for (int jb = 0; jb < k; jb++)
	{
		w[cols[jb]] = b[jb] / scale[jb];
		if (!isfinite(w[cols[jb]]))
			ok = false;
	}
done:
	am_free(a);
	am_free(b);
	am_free(scale);
	am_free(cols);
	return ok;
}

/*
 * R factor (q x q, column-major, upper) of the centred design [1 X y]
 * (without the ones column when not centring) with the rows sqrt(alpha) e_j
 * for each coefficient stacked on top, by blockwise ("tall skinny") QR:
 * each block of rows is factored under the R of the rows before it.
 */
static bool
tall_skinny_qr(const MlData *d, const LinearCentre *c, double alpha,
			   double *r, int q)
{
	int			c0 = c->centre ? 1 : 0;
	int			ldmax = LINEAR_BLOCK_ROWS + q;
	double	   *blk = am_alloc(sizeof(double) * ldmax * q);
	double	   *tau = am_alloc(sizeof(double) * q);
	double		wsize = 0.0;
	double	   *work;
	lapack_int	lwork;
	bool		ok = true;

	memset(r, 0, sizeof(double) * q * q);
	for (int j = 0; j < d->p; j++)
		r[(c0 + j) + (c0 + j) * q] = sqrt(alpha);

	/* workspace for the largest block */
	if (LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, ldmax, q, blk, ldmax, tau,
							&wsize, -1) != 0)
		wsize = (double) q * 64;
	lwork = (lapack_int) wsize;
	if (lwork < q)
		lwork = q;
	work = am_alloc(sizeof(double) * lwork);

	for (int64 i0 = 0; i0 < d->n; i0 += LINEAR_BLOCK_ROWS)
	{
		int			m = (int) (d->n - i0 < LINEAR_BLOCK_ROWS ?
							   d->n - i0 : LINEAR_BLOCK_ROWS);
		int			ld = m + q;

		ML_CHECK_INTERRUPTS();
		/* the R so far on top, then the block's rows */
		for (int j = 0; j < q; j++)
			memcpy(blk + (int64) j * ld, r + j * q, sizeof(double) * q);
		copy_centred_block(d, c, i0, m, c->centre, blk + q, ld, NULL);
		if (LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, ld, q, blk, ld, tau,
								work, lwork) != 0)
		{
			ok = false;
			break;
		}
		for (int j = 0; j < q; j++)
			for (int i = 0; i < q; i++)
				r[i + j * q] = (i <= j) ? blk[i + (int64) j * ld] : 0.0;
	}
	am_free(work);
	am_free(tau);
	am_free(blk);
	return ok;
}

/*
 * Solve min ||R_xx w - z|| where R_xx is the p x p upper triangle at
 * (off, off) of the q x q factor r and z the part of its last column
 * beside it: scale the columns to unit norm, then minimum-norm least
 * squares by SVD (dgelsd), treating singular values below rcond times the
 * largest as zero.
 */
static bool
solve_triangular_min_norm(const double *r, int q, int off, int p,
						  double rcond, double *w)
{
	double	   *a = am_alloc0(sizeof(double) * p * p);
	double	   *scale = am_alloc(sizeof(double) * p);
	double	   *sv = am_alloc(sizeof(double) * p);
	lapack_int	rank = 0;
	bool		ok = true;

	for (int j = 0; j < p; j++)
	{
		double		nrm = 0.0;

		for (int i = 0; i <= j; i++)
			nrm += r[(off + i) + (off + j) * q] * r[(off + i) + (off + j) * q];
		nrm = sqrt(nrm);
		scale[j] = (nrm > 0.0 && isfinite(nrm)) ? nrm : 1.0;
		for (int i = 0; i <= j; i++)
			a[i + j * p] = r[(off + i) + (off + j) * q] / scale[j];
		w[j] = r[(off + j) + (q - 1) * q];
	}
	if (LAPACKE_dgelsd(LAPACK_COL_MAJOR, p, p, 1, a, p, w, p, sv, rcond,
					   &rank) != 0)
		ok = false;
	for (int j = 0; j < p && ok; j++)
	{
		w[j] /= scale[j];
		if (!isfinite(w[j]))
			ok = false;
	}
	am_free(a);
	am_free(scale);
	am_free(sv);
	return ok;
}

/* Common checks of the data given to a linear regression. */
static bool
linear_check_data(const MlData *d, char *errbuf)
{
	if (d->task != ML_REGRESSION)
	{
		snprintf(errbuf, ML_ERRBUF_SIZE, "linear models here are for regression only");
		return false;
	}
	if (d->n < 1)
	{
		snprintf(errbuf, ML_ERRBUF_SIZE, "no training rows");
		return false;
	}
	if (d->p < 0)
	{
		snprintf(errbuf, ML_ERRBUF_SIZE, "negative number of features");
		return false;
	}
	if (d->n > INT_MAX)
	{
		snprintf(errbuf, ML_ERRBUF_SIZE,
				 "too many training rows for a linear model: %lld",
				 (long long) d->n);
		return false;
	}
	return true;
}

/*
 * Least squares with an optional ridge penalty alpha ||w||^2: the normal
 * equations when the data are big and well conditioned, otherwise the
 * blockwise QR (see the file header).
 */
static void *
fit_least_squares(const MlData *d, const MlHyperparams *hp, double alpha,
				  char *errbuf)
{
	int			p = d->p;
	LinearCentre c;
	LinearModel *m;
	bool		solved = false;

	if (!linear_check_data(d, errbuf))
		return NULL;
	if (!(alpha >= 0.0) || !isfinite(alpha))
	{
		snprintf(errbuf, ML_ERRBUF_SIZE, "alpha must be a finite value >= 0");
		return NULL;
	}
	m = linear_model_new(p);

	if (p > 0 && d->n >= GRAM_MIN_ROWS)
	{
		int			q = p + 1;
		double	   *g = am_alloc(sizeof(double) * q * q);
		double	   *sums = am_alloc(sizeof(double) * q);

		linear_centre_init(&c, d, hp->fit_intercept, true, false);
		centred_gram(d, &c, g, sums);
		if (solve_normal_equations(g, p, alpha, m->coef))
		{
			double		b = c.yoff + sums[p] / (double) d->n;

			/* the exact means are the offsets plus sums / n */
			for (int j = 0; j < p; j++)
			{
				c.xoff[j] += sums[j] / (double) d->n;
				b -= c.xoff[j] * m->coef[j];
			}
			m->intercept = c.centre ? b : 0.0;
			linear_set_means(m, d, &c);
			solved = true;
		}
		am_free(g);
		am_free(sums);
		am_free(c.xoff);
	}

	if (!solved)
	{
		int			c0;
		int			q;
		double	   *r;
		double		rcond = DBL_EPSILON * (double) (d->n > p ? d->n : p);

		/* the QR's conditioning wants offsets at the means */
		linear_centre_init(&c, d, hp->fit_intercept, false, false);
		c0 = c.centre ? 1 : 0;
		q = p + 1 + c0;
		r = am_alloc(sizeof(double) * q * q);

		if (!tall_skinny_qr(d, &c, alpha, r, q) ||
			(p > 0 && !solve_triangular_min_norm(r, q, c0, p, rcond, m->coef)))
		{
			snprintf(errbuf, ML_ERRBUF_SIZE,
					 "least squares solver failed (LAPACK did not converge)");
			am_free(r);
			am_free(c.xoff);
			linear_model_free(m);
			return NULL;
		}
		if (c.centre)
		{
			/* first row of R: r00 b' + r0x . w = r0y */
			double		b = r[(q - 1) * q];

			for (int j = 0; j < p; j++)
				b -= r[(1 + j) * q] * m->coef[j];
			b /= r[0];
			b += c.yoff;
			for (int j = 0; j < p; j++)
				b -= c.xoff[j] * m->coef[j];
			m->intercept = b;
		}
		linear_set_means(m, d, &c);
		am_free(r);
		am_free(c.xoff);
	}
	if (!isfinite(m->intercept))
	{
		snprintf(errbuf, ML_ERRBUF_SIZE, "least squares solution is not finite");
		linear_model_free(m);
		return NULL;
	}
	return m;
}

/* fit of linear_regression: ordinary least squares */
static void *
linear_regression_fit(const MlData *d, const MlHyperparams *hp, char *errbuf)
{
	return fit_least_squares(d, hp, 0.0, errbuf);
}

/* fit of ridge: least squares + alpha ||w||^2 */
static void *
ridge_fit(const MlData *d, const MlHyperparams *hp, char *errbuf)
{
	return fit_least_squares(d, hp, hp->alpha, errbuf);
}

/* sign(v) * max(|v| - t, 0) */
static inline double
soft_threshold(double v, double t)
{
	if (v > t)
		return v - t;
	if (v < -t)
		return v + t;
	return 0.0;
}

/*
 * scikit-learn's duality gap of the elastic net in its scaled form
 * 0.5 ||R||^2 + l1 ||w||_1 + 0.5 l2 ||w||^2, from ||R||^2, X'R, R'y and w.
 */
static double
enet_duality_gap(int p, const double *w, const double *xtr, double rnorm2,
				 double ry, double l1, double l2)
{
	double		dual_norm = 0.0;
	double		wnorm2 = 0.0;
	double		wl1 = 0.0;
	double		scale;
	double		gap;

	for (int j = 0; j < p; j++)
	{
		dual_norm = fmax(dual_norm, fabs(xtr[j] - l2 * w[j]));
		wnorm2 += w[j] * w[j];
		wl1 += fabs(w[j]);
	}
	if (dual_norm > l1)
	{
		scale = l1 / dual_norm;
		gap = 0.5 * rnorm2 * (1.0 + scale * scale);
	}
	else
	{
		scale = 1.0;
		gap = rnorm2;
	}
	return gap + l1 * wl1 - scale * ry + 0.5 * l2 * (1.0 + scale * scale) * wnorm2;
}

/*
 * Coordinate descent on the centred Gram matrix g ((p+1) x (p+1) of
 * [X y]): O(p) per coordinate, h = G_xx w kept up to date.
 */
static void
enet_cd_gram(const double *g, int p, double l1, double l2, int max_iter,
			 double tol, double *w)
{
	int			q = p + 1;
	const double *xty = g + p * q;
	double		yty = g[p + p * q];
	double	   *h = am_alloc0(sizeof(double) * p);
	double	   *xtr = am_alloc(sizeof(double) * p);
	double		gap_tol = tol * yty;

	for (int iter = 0; iter < max_iter; iter++)
	{
		double		w_max = 0.0;
		double		dw_max = 0.0;

		ML_CHECK_INTERRUPTS();
		for (int j = 0; j < p; j++)
		{
			const double *gj = g + j * q;
			double		wj = w[j];
			double		wnew;

			if (gj[j] <= 0.0)
				continue;
			wnew = soft_threshold(xty[j] - h[j] + gj[j] * wj, l1) / (gj[j] + l2);
			if (wnew != wj)
			{
				double		delta = wnew - wj;

				for (int k = 0; k < p; k++)
					h[k] += gj[k] * delta;
				w[j] = wnew;
			}
			dw_max = fmax(dw_max, fabs(wnew - wj));
			w_max = fmax(w_max, fabs(wnew));
		}
		if (w_max == 0.0 || dw_max / w_max < tol || iter == max_iter - 1)
		{
			double		wh = 0.0;
			double		wq = 0.0;

			for (int j = 0; j < p; j++)
			{
				xtr[j] = xty[j] - h[j];
				wh += w[j] * h[j];
				wq += w[j] * xty[j];
			}
			if (enet_duality_gap(p, w, xtr, yty + wh - 2.0 * wq, yty - wq,
								 l1, l2) <= gap_tol)
				break;
		}
	}
	am_free(h);
	am_free(xtr);
}

/*
 * Coordinate descent on the data: r is the residual of the centred
 * problem, the centring of column j (by xoff[j]) is applied on the fly.
 */
static void
enet_cd_data(const MlData *d, const LinearCentre *c, double l1, double l2,
			 int max_iter, double tol, double *w)
{
	int64		n = d->n;
	int			p = d->p;
	double	   *r = am_alloc(sizeof(double) * n);
	double	   *norms = am_alloc(sizeof(double) * p);
	double	   *xtr = am_alloc(sizeof(double) * p);
	double		yty = 0.0;
	double		gap_tol;

	for (int64 i = 0; i < n; i++)
	{
		r[i] = d->y[i] - c->yoff;
		yty += r[i] * r[i];
	}
	gap_tol = tol * yty;
	for (int j = 0; j < p; j++)
	{
		const double *xj = d->x + (int64) j * n;
		double		off = c->xoff[j];
		double		s = 0.0;

		ML_CHECK_INTERRUPTS();
		for (int64 i = 0; i < n; i++)
			s += (xj[i] - off) * (xj[i] - off);
		norms[j] = s;
	}

	for (int iter = 0; iter < max_iter; iter++)
	{
		double		w_max = 0.0;
		double		dw_max = 0.0;

		for (int j = 0; j < p; j++)
		{
			const double *xj = d->x + (int64) j * n;
			double		off = c->xoff[j];
			double		wj = w[j];
			double		rho = 0.0;
			double		wnew;

			ML_CHECK_INTERRUPTS();
			if (norms[j] <= 0.0)
				continue;
			for (int64 i = 0; i < n; i++)
				rho += (xj[i] - off) * r[i];
			wnew = soft_threshold(rho + norms[j] * wj, l1) / (norms[j] + l2);
			if (wnew != wj)
			{
				double		delta = wnew - wj;

				for (int64 i = 0; i < n; i++)
					r[i] -= (xj[i] - off) * delta;
				w[j] = wnew;
			}
			dw_max = fmax(dw_max, fabs(wnew - wj));
			w_max = fmax(w_max, fabs(wnew));
		}
		if (w_max == 0.0 || dw_max / w_max < tol || iter == max_iter - 1)
		{
			double		rnorm2 = 0.0;
			double		ry = 0.0;

			for (int j = 0; j < p; j++)
			{
				const double *xj = d->x + (int64) j * n;
				double		off = c->xoff[j];
				double		s = 0.0;

				ML_CHECK_INTERRUPTS();
				for (int64 i = 0; i < n; i++)
					s += (xj[i] - off) * r[i];
				xtr[j] = s;
			}
			for (int64 i = 0; i < n; i++)
			{
				rnorm2 += r[i] * r[i];
				ry += r[i] * (d->y[i] - c->yoff);
			}
			if (enet_duality_gap(p, w, xtr, rnorm2, ry, l1, l2) <= gap_tol)
				break;
		}
	}
	am_free(r);
	am_free(norms);
	am_free(xtr);
}

/*
 * Elastic net by coordinate descent (see the file header); lasso is
 * l1_ratio = 1.
 */
static void *
fit_elastic_net(const MlData *d, const MlHyperparams *hp, double l1_ratio,
				char *errbuf)
{
	int			p = d->p;
	double		n = (double) d->n;
	LinearCentre c;
	LinearModel *m;
	double		l1;
	double		l2;

	if (!linear_check_data(d, errbuf))
		return NULL;
	if (!(hp->alpha >= 0.0) || !isfinite(hp->alpha))
	{
		snprintf(errbuf, ML_ERRBUF_SIZE, "alpha must be a finite value >= 0");
		return NULL;
	}
	if (!(l1_ratio >= 0.0 && l1_ratio <= 1.0))
	{
		snprintf(errbuf, ML_ERRBUF_SIZE, "l1_ratio must be between 0 and 1");
		return NULL;
	}
	if (hp->max_iter < 1 || !(hp->tol >= 0.0))
	{
		snprintf(errbuf, ML_ERRBUF_SIZE, "max_iter must be >= 1 and tol >= 0");
		return NULL;
	}
	/* scikit-learn's scaling: the objective times n */
	l1 = hp->alpha * l1_ratio * n;
	l2 = hp->alpha * (1.0 - l1_ratio) * n;

	m = linear_model_new(p);
	if (p > 0 && p <= CD_GRAM_MAX_P && d->n >= p)
	{
		int			q = p + 1;
		double	   *g = am_alloc(sizeof(double) * q * q);
		double	   *sums = am_alloc(sizeof(double) * q);

		linear_centre_init(&c, d, hp->fit_intercept, true, false);
		centred_gram(d, &c, g, sums);
		enet_cd_gram(g, p, l1, l2, hp->max_iter, hp->tol, m->coef);
		/* the exact means are the offsets plus sums / n */
		c.yoff += sums[p] / n;
		for (int j = 0; j < p; j++)
			c.xoff[j] += sums[j] / n;
		am_free(g);
		am_free(sums);
	}
	else
	{
		linear_centre_init(&c, d, hp->fit_intercept, false, true);
		if (p > 0)
			enet_cd_data(d, &c, l1, l2, hp->max_iter, hp->tol, m->coef);
	}
	if (c.centre)
	{
		m->intercept = c.yoff;
		for (int j = 0; j < p; j++)
			m->intercept -= c.xoff[j] * m->coef[j];
	}
	linear_set_means(m, d, &c);
	am_free(c.xoff);
	for (int j = 0; j < p; j++)
		if (!isfinite(m->coef[j]) || !isfinite(m->intercept))
		{
			snprintf(errbuf, ML_ERRBUF_SIZE, "coordinate descent diverged");
			linear_model_free(m);
			return NULL;
		}
	return m;
}

/* fit of lasso */
static void *
lasso_fit(const MlData *d, const MlHyperparams *hp, char *errbuf)
{
	return fit_elastic_net(d, hp, 1.0, errbuf);
}

/* fit of elastic_net */
static void *
elastic_net_fit(const MlData *d, const MlHyperparams *hp, char *errbuf)
{
	return fit_elastic_net(d, hp, hp->l1_ratio, errbuf);
}

/* One prediction: intercept + w . row. */
static void
linear_predict(const void *model, const double *row, double *out)
{
	const LinearModel *m = model;
	double		v = m->intercept;

	for (int j = 0; j < m->p; j++)
		v += m->coef[j] * row[j];
	out[0] = v;
}

/* m predictions of a column-major m x p matrix, by dgemv. */
static void
linear_predict_batch(const void *model, const double *x, int64 m, double *out)
{
	const LinearModel *lm = model;

	for (int64 i = 0; i < m; i++)
		out[i] = lm->intercept;
	if (lm->p == 0 || m == 0)
		return;
	if (m <= INT_MAX)
	{
		cblas_dgemv(CblasColMajor, CblasNoTrans, (int) m, lm->p, 1.0, x,
					(int) m, lm->coef, 1, 1.0, out, 1);
		return;
	}
	/* beyond BLAS's int leading dimension: column by column */
	for (int j = 0; j < lm->p; j++)
	{
		const double *xj = x + (int64) j * m;
		double		wj = lm->coef[j];

		ML_CHECK_INTERRUPTS();
		for (int64 i = 0; i < m; i++)
			out[i] += wj * xj[i];
	}
}

/*
 * Image: u8 version, u32 p, f64 intercept, p x f64 coefficients, p x f64
 * training column means.
 */
static void
linear_write(MlWriter *w, const void *model)
{
	const LinearModel *m = model;

	ml_put_u8(w, LINEAR_IMAGE_VERSION);
	ml_put_u32(w, (uint32) m->p);
	ml_put_f64(w, m->intercept);
	ml_put_f64s(w, m->coef, m->p);
	ml_put_f64s(w, m->mean, m->p);
}

/* Read and validate an image written by linear_write. */
static void *
linear_read(MlReader *r, int p, MlTask task, int nclasses)
{
	LinearModel *m;
	uint32		np;

	if (task != ML_REGRESSION || p < 0)
		return NULL;
	if (ml_get_u8(r) != LINEAR_IMAGE_VERSION)
		return NULL;
	/* the count is p, followed by the intercept, p coefficients, p means */
	np = ml_get_count(r, 2 * sizeof(double), (uint32) p);
	if (!ml_reader_ok(r) || np != (uint32) p)
		return NULL;
	m = linear_model_new(p);
	m->intercept = ml_get_f64(r);
	ml_get_f64s(r, m->coef, p);
	ml_get_f64s(r, m->mean, p);
	if (!ml_reader_ok(r) || !isfinite(m->intercept))
		goto bad;
	for (int j = 0; j < p; j++)
		if (!isfinite(m->coef[j]) || !isfinite(m->mean[j]))
			goto bad;
	return m;
bad:
	linear_model_free(m);
	return NULL;
}

/*
 * Exact contributions w_j (x_j - m_j) around the expected prediction
 * b + w.m over the training rows (out is ignored: one output).
 */
static void
linear_explain(const void *model, const double *row, int out,
			   double *contrib, double *base)
{
	const LinearModel *m = model;
	double		b = m->intercept;

	for (int j = 0; j < m->p; j++)
	{
		contrib[j] = m->coef[j] * (row[j] - m->mean[j]);
		b += m->coef[j] * m->mean[j];
	}
	*base = b;
}

/* The prediction b + w.x, which linear_explain adds up to. */
static double
linear_raw_output(const void *model, const double *row, int out)
{
	double		v;

	linear_predict(model, row, &v);
	return v;
}

/* |w_j|: meaningful on the standardised columns the SQL layer passes. */
static void
linear_importance(const void *model, double *imp)
{
	const LinearModel *m = model;

	for (int j = 0; j < m->p; j++)
		imp[j] = fabs(m->coef[j]);
}

const MlAlgorithm ml_linear_regression = {
	.name = "linear_regression",
	.id = 1,
	.regression = true,
	.classification = false,
	.one_hot = true,
	.fit = linear_regression_fit,
	.predict = linear_predict,
	.predict_batch = linear_predict_batch,
	.write = linear_write,
	.read = linear_read,
	.importance = linear_importance,
	.explain = linear_explain,
	.raw_output = linear_raw_output,
};

const MlAlgorithm ml_ridge = {
	.name = "ridge",
	.id = 2,
	.regression = true,
	.classification = false,
	.one_hot = true,
	.fit = ridge_fit,
	.predict = linear_predict,
	.predict_batch = linear_predict_batch,
	.write = linear_write,
	.read = linear_read,
	.importance = linear_importance,
	.explain = linear_explain,
	.raw_output = linear_raw_output,
};

const MlAlgorithm ml_lasso = {
	.name = "lasso",
	.id = 3,
	.regression = true,
	.classification = false,
	.one_hot = true,
	.fit = lasso_fit,
	.predict = linear_predict,
	.predict_batch = linear_predict_batch,
	.write = linear_write,
	.read = linear_read,
	.importance = linear_importance,
	.explain = linear_explain,
	.raw_output = linear_raw_output,
};

const MlAlgorithm ml_elastic_net = {
	.name = "elastic_net",
	.id = 4,
	.regression = true,
	.classification = false,
	.one_hot = true,
	.fit = elastic_net_fit,
	.predict = linear_predict,
	.predict_batch = linear_predict_batch,
	.write = linear_write,
	.read = linear_read,
	.importance = linear_importance,
	.explain = linear_explain,
	.raw_output = linear_raw_output,
};

/*-------------------------------------------------------------------------
 *
 * logistic.c
 *	  L2-regularised logistic regression, binary and multinomial.
 *
 * The objective is scikit-learn's LogisticRegression with C = 1 / alpha:
 *
 *	  sum_i log-loss_i + 0.5 alpha sum_k ||w_k||^2		(intercepts free)
 *
 * Two classes use one weight vector and the sigmoid (P(class 1) =
 * sigmoid(b + w.x)); more use one vector per class and the softmax, whose
 * over-parameterisation the L2 term resolves (the optimal w_k sum to zero;
 * the free intercepts are kept summing to zero by starting there, since
 * every gradient has a zero-sum intercept part).  The penalty keeps the
 * optimum finite on separable data.
 *
 * The solver works in standardised coordinates z_j = (x_j - m_j) / s_j with
 * m_j the column mean (0 without an intercept) and s_j = sqrt(var_j +
 * alpha / n): the problem is the same (w_j = v_j / s_j, the intercept
 * absorbs m), its penalty becomes alpha / s_j^2 per coordinate, and the
 * curvature of every coordinate, data plus penalty, is of order one.  That
 * is what makes the quasi-Newton solver converge in few iterations on raw
 * columns of any scale, and the centring keeps the gradients accurate.
 * Blocks of LOGIT_BLOCK_ROWS standardised rows are built on the fly (the
 * data are never copied whole) and multiplied with dgemm.
 *
 * Solvers, on the objective divided by n (so tol applies to the gradient of
 * the mean loss, as scikit-learn's lbfgs gtol does):
 *	- binary with p <= NEWTON_MAX_P: Newton's method with a Cholesky of the
 *	  (p+1)^2 Hessian (one dsyrk pass per iteration) and a backtracking
 *	  line search; converges in ~10 iterations to any tolerance.
 *	- otherwise (multinomial, whose Hessian has (K(p+1))^2 entries, or many
 *	  features): L-BFGS with LBFGS_MEMORY pairs and an Armijo backtracking
 *	  line search.
 * Both stop when the largest gradient component is below tol, after
 * max_iter iterations, or when no step decreases the objective any more.
 *
 * Log-losses and probabilities use a stable log-sum-exp.  Importance is the
 * sum over the class vectors of |w_kj|.
 *
 * Explanation is exact on the score, before the sigmoid or softmax: the
 * log-odds of class 1 for two classes, class k's softmax input b_k + w_k.x
 * for more.  It is the expected score over the training rows, b_k + w_k.m
 * with m the training column means (kept in the model), plus
 * w_kj (x_j - m_j) for each column.
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

#define LOGISTIC_IMAGE_VERSION	2	/* 2: training column means */
#define LOGIT_BLOCK_ROWS		2048
#define NEWTON_MAX_P			200
#define LBFGS_MEMORY			10
#define ARMIJO_C1				1e-4
#define LINE_SEARCH_STEPS		60

typedef struct LogisticModel
{
	int			p;
	int			nclasses;
	int			nvec;			/* weight vectors: 1 if binary, else nclasses */
	double	   *intercept;		/* nvec */
	double	   *coef;			/* nvec * p, vector k at coef + k * p */
	double	   *mean;			/* p: training column means (explanation) */
} LogisticModel;

/*
 * The problem being solved.  The parameter vector theta holds, for each
 * weight vector k, the intercept c_k then the p standardised weights v_kj:
 * theta[k * stride] and theta[k * stride + 1 + j], stride = p + 1.  So the
 * weights form a p x nvec column-major matrix at theta + 1 with leading
 * dimension stride, which BLAS takes as is.
 */
typedef struct LogitProblem
{
	const MlData *d;
	int			p;
	int			nvec;
	int			stride;
	int			dim;			/* nvec * stride */
	bool		intercept;
	double		alpha;
	double	   *mean;			/* p offsets (0 without an intercept) */
	double	   *colmean;		/* p: the column means (explanations) */
	double	   *inv_scale;		/* p: 1 / s_j */
	double	   *z;				/* block of standardised rows, B x p */
	double	   *eta;			/* block of scores, B x nvec */
	double	   *wz;				/* Newton: weighted [1 z] block, B x (p+1) */
} LogitProblem;

/* A model with room for its coefficients. */
static LogisticModel *
logistic_model_new(int p, int nclasses)
{
	LogisticModel *m = am_alloc0(sizeof(LogisticModel));

	m->p = p;
	m->nclasses = nclasses;
	m->nvec = nclasses == 2 ? 1 : nclasses;
	m->intercept = am_alloc0(sizeof(double) * m->nvec);
	m->coef = am_alloc0(sizeof(double) * m->nvec * (p > 0 ? p : 1));
	m->mean = am_alloc0(sizeof(double) * (p > 0 ? p : 1));
	return m;
}

/* Free a model built here. */
static void
logistic_model_free(LogisticModel *m)
{
	am_free(m->intercept);
	am_free(m->coef);
	am_free(m->mean);
	am_free(m);
}

/* log(1 + exp(t)) without overflow or loss of small values. */
static inline double
softplus(double t)
{
	if (t > 0.0)
		return t + log1p(exp(-t));
	return log1p(exp(t));
}

/* P(class 0), P(class 1) for the score t, each accurate near 0 and 1. */
static inline void
sigmoid_pair(double t, double *p0, double *p1)
{
	if (t >= 0.0)
	{
		double		e = exp(-t);

		*p1 = 1.0 / (1.0 + e);
		*p0 = e / (1.0 + e);
	}
	else
	{
		double		e = exp(t);

		*p1 = e / (1.0 + e);
		*p0 = 1.0 / (1.0 + e);
	}
}

/*
 * Softmax of scores s[0..k) (stride apart) into prob[0..k) (contiguous);
 * returns log(sum(exp(s))).
 */
static inline double
softmax(const double *s, int stride, int k, double *prob)
{
	double		mx = s[0];
	double		sum = 0.0;

	for (int c = 1; c < k; c++)
		mx = fmax(mx, s[(int64) c * stride]);
	for (int c = 0; c < k; c++)
	{
		prob[c] = exp(s[(int64) c * stride] - mx);
		sum += prob[c];
	}
	for (int c = 0; c < k; c++)
		prob[c] /= sum;
	return mx + log(sum);
}

/* Standardise rows [i0, i0 + m) into lp->z (m x p, leading dimension m). */
static void
standardise_block(LogitProblem *lp, int64 i0, int m)
{
	const MlData *d = lp->d;

	for (int j = 0; j < lp->p; j++)
	{
		const double *src = d->x + (int64) j * d->n + i0;
		double	   *dst = lp->z + (int64) j * m;
		double		off = lp->mean[j];
		double		inv = lp->inv_scale[j];

		for (int i = 0; i < m; i++)
			dst[i] = (src[i] - off) * inv;
	}
}

/* Scores of the block in lp->z: eta = c + z V (m x nvec, leading dim m). */
static void
block_scores(LogitProblem *lp, const double *theta, int m)
{
	if (lp->p > 0)
		cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, m, lp->nvec,
					lp->p, 1.0, lp->z, m, theta + 1, lp->stride, 0.0,
					lp->eta, m);
	for (int k = 0; k < lp->nvec; k++)
	{
		double	   *e = lp->eta + (int64) k * m;
		double		c = theta[k * lp->stride];

		for (int i = 0; i < m; i++)
			e[i] = (lp->p > 0 ? e[i] : 0.0) + c;
	}
}

/*
 * Mean objective at theta, and its gradient in grad (dim values): the
 * mean log-loss plus 0.5 alpha / n sum (v_kj / s_j)^2.
 */
static double
logit_objective(LogitProblem *lp, const double *theta, double *grad)
{
	const MlData *d = lp->d;
	int			nvec = lp->nvec;
	double		loss = 0.0;
	double		pen = 0.0;
	double		inv_n = 1.0 / (double) d->n;
	double		prob[1];
	double	   *probs = nvec > 1 ? am_alloc(sizeof(double) * nvec) : prob;

	memset(grad, 0, sizeof(double) * lp->dim);
	for (int64 i0 = 0; i0 < d->n; i0 += LOGIT_BLOCK_ROWS)
	{
		int			m = (int) (d->n - i0 < LOGIT_BLOCK_ROWS ?
							   d->n - i0 : LOGIT_BLOCK_ROWS);

		ML_CHECK_INTERRUPTS();
		standardise_block(lp, i0, m);
		block_scores(lp, theta, m);

		/* losses; the scores become the residuals P - Y */
		if (nvec == 1)
		{
			for (int i = 0; i < m; i++)
			{
				double		t = lp->eta[i];
				double		y = d->y[i0 + i] == 1.0 ? 1.0 : 0.0;
				double		p0;
				double		p1;

				loss += softplus(t) - y * t;
				sigmoid_pair(t, &p0, &p1);
				lp->eta[i] = y == 1.0 ? -p0 : p1;
			}
		}
		else
		{
			for (int i = 0; i < m; i++)
			{
				int			y = (int) d->y[i0 + i];
				double		lse = softmax(lp->eta + i, m, nvec, probs);

				loss += lse - lp->eta[i + (int64) y * m];
				for (int k = 0; k < nvec; k++)
					lp->eta[i + (int64) k * m] = probs[k] - (k == y ? 1.0 : 0.0);
			}
		}

		/* gradient: z' R for the weights, column sums for the intercepts */
		if (lp->p > 0)
			cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, lp->p, nvec,
						m, 1.0, lp->z, m, lp->eta, m, 1.0, grad + 1,
						lp->stride);
		for (int k = 0; k < nvec; k++)
		{
			const double *r = lp->eta + (int64) k * m;
			double		s = 0.0;

			for (int i = 0; i < m; i++)
				s += r[i];
			grad[k * lp->stride] += s;
		}
	}
	if (probs != prob)
		am_free(probs);

	for (int k = 0; k < nvec; k++)
	{
		double	   *g = grad + k * lp->stride;
		const double *v = theta + k * lp->stride;

		g[0] = lp->intercept ? g[0] * inv_n : 0.0;
		for (int j = 0; j < lp->p; j++)
		{
			double		pw = lp->alpha * lp->inv_scale[j] * lp->inv_scale[j];

			pen += pw * v[1 + j] * v[1 + j];
			g[1 + j] = (g[1 + j] + pw * v[1 + j]) * inv_n;
		}
	}
	return (loss + 0.5 * pen) * inv_n;
}

/*
 * Hessian of the binary mean objective at theta ((p+1) x (p+1), upper
 * triangle): (1/n) [1 z]' W [1 z] + penalty, W = diag(p (1 - p)), by
 * dsyrk over blocks of sqrt(W) [1 z].
 */
static void
logit_hessian(LogitProblem *lp, const double *theta, double *h)
{
	const MlData *d = lp->d;
	int			q = lp->p + 1;
	double		inv_n = 1.0 / (double) d->n;

	memset(h, 0, sizeof(double) * q * q);
	for (int64 i0 = 0; i0 < d->n; i0 += LOGIT_BLOCK_ROWS)
	{
		int			m = (int) (d->n - i0 < LOGIT_BLOCK_ROWS ?
							   d->n - i0 : LOGIT_BLOCK_ROWS);

		ML_CHECK_INTERRUPTS();
		standardise_block(lp, i0, m);
		block_scores(lp, theta, m);
		for (int i = 0; i < m; i++)
		{
			double		p0;
			double		p1;

			sigmoid_pair(lp->eta[i], &p0, &p1);
			lp->wz[i] = sqrt(p0 * p1);
		}
		for (int j = 0; j < lp->p; j++)
		{
			const double *zj = lp->z + (int64) j * m;
			double	   *out = lp->wz + (int64) (j + 1) * m;

			for (int i = 0; i < m; i++)
				out[i] = lp->wz[i] * zj[i];
		}
		cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, q, m, 1.0,
					lp->wz, m, 1.0, h, q);
	}
	for (int b = 0; b < q; b++)
		for (int a = 0; a <= b; a++)
			h[a + b * q] *= inv_n;
	for (int j = 0; j < lp->p; j++)
		h[(j + 1) * (q + 1)] += lp->alpha * lp->inv_scale[j] *
			lp->inv_scale[j] * inv_n;
	if (!lp->intercept)
	{
		/* the intercept is not a variable: a unit pivot, no coupling */
		for (int b = 0; b < q; b++)
			h[b * q] = 0.0;
		h[0] = 1.0;
	}
}

/* Largest |g_i|. */
static double
max_abs(const double *g, int n)
{
	double		mx = 0.0;

	for (int i = 0; i < n; i++)
		mx = fmax(mx, fabs(g[i]));
	return mx;
}

static double
dot(const double *a, const double *b, int n)
{
	double		s = 0.0;

	for (int i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

/*
 * Backtracking line search from theta along dir: the first of t = 1, 1/2,
 * 1/4 ... with f(theta + t dir) <= f + c1 t g.dir.  On success theta, *f and
 * g hold the new point; false when no step decreases the objective.
 */
static bool
line_search(LogitProblem *lp, double *theta, double *f, double *g,
			const double *dir, double *trial, double *gtrial)
{
	double		slope = dot(g, dir, lp->dim);
	double		t = 1.0;

	if (!(slope < 0.0))
		return false;
	for (int step = 0; step < LINE_SEARCH_STEPS; step++, t *= 0.5)
	{
		double		ft;

		for (int i = 0; i < lp->dim; i++)
			trial[i] = theta[i] + t * dir[i];
		ft = logit_objective(lp, trial, gtrial);
		if (isfinite(ft) && ft <= *f + ARMIJO_C1 * t * slope)
		{
			memcpy(theta, trial, sizeof(double) * lp->dim);
			memcpy(g, gtrial, sizeof(double) * lp->dim);
			*f = ft;
			return true;
		}
	}
	return false;
}

/* Solve H d = -g by Cholesky, adding a growing ridge if H is not PD. */
static bool
newton_direction(const double *h, const double *g, int q, double *d,
				 double *work)
{
	double		diag_max = 0.0;
	double		jitter = 0.0;

	for (int j = 0; j < q; j++)
		diag_max = fmax(diag_max, h[j * (q + 1)]);
	for (int attempt = 0; attempt < 8; attempt++)
	{
		memcpy(work, h, sizeof(double) * q * q);
		for (int j = 0; j < q; j++)
			work[j * (q + 1)] += jitter;
		for (int j = 0; j < q; j++)
			d[j] = -g[j];
		if (LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', q, work, q) == 0 &&
			LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'U', q, 1, work, q, d, q) == 0)
			return true;
		jitter = jitter == 0.0 ? 1e-12 * fmax(diag_max, 1e-300) : jitter * 100;
	}
	return false;
}

/* Newton's method for the binary problem (nvec = 1). */
static void
solve_newton(LogitProblem *lp, double *theta, int max_iter, double tol)
{
	int			q = lp->dim;
	double	   *g = am_alloc(sizeof(double) * q);
	double	   *dir = am_alloc(sizeof(double) * q);
	double	   *trial = am_alloc(sizeof(double) * q);
	double	   *gtrial = am_alloc(sizeof(double) * q);
	double	   *h = am_alloc(sizeof(double) * q * q);
	double	   *work = am_alloc(sizeof(double) * q * q);
	double		f = logit_objective(lp, theta, g);

	for (int iter = 0; iter < max_iter; iter++)
	{
		if (max_abs(g, q) <= tol)
			break;
		logit_hessian(lp, theta, h);
		if (!newton_direction(h, g, q, dir, work))
			break;
		if (!line_search(lp, theta, &f, g, dir, trial, gtrial))
			break;
	}
	am_free(g);
	am_free(dir);
	am_free(trial);
	am_free(gtrial);
	am_free(h);
	am_free(work);
}

/*
 * L-BFGS: the two-loop recursion over the last LBFGS_MEMORY steps s and
 * gradient changes y gives the direction, the line search the step.
 */
static void
solve_lbfgs(LogitProblem *lp, double *theta, int max_iter, double tol)
{
	int			dim = lp->dim;
	double	   *g = am_alloc(sizeof(double) * dim);
	double	   *dir = am_alloc(sizeof(double) * dim);
	double	   *trial = am_alloc(sizeof(double) * dim);
	double	   *gtrial = am_alloc(sizeof(double) * dim);
	double	   *prev = am_alloc(sizeof(double) * dim);
	double	   *gprev = am_alloc(sizeof(double) * dim);
	double	   *s = am_alloc(sizeof(double) * dim * LBFGS_MEMORY);
	double	   *y = am_alloc(sizeof(double) * dim * LBFGS_MEMORY);
	double		rho[LBFGS_MEMORY];
	double		a[LBFGS_MEMORY];
	int			npairs = 0;
	int			newest = -1;
	double		f = logit_objective(lp, theta, g);

	for (int iter = 0; iter < max_iter; iter++)
	{
		double		fprev = f;

		if (max_abs(g, dim) <= tol)
			break;

		/* dir = -H g by the two-loop recursion */
		for (int i = 0; i < dim; i++)
			dir[i] = -g[i];
		for (int k = 0; k < npairs; k++)
		{
			int			slot = (newest - k + LBFGS_MEMORY) % LBFGS_MEMORY;

			a[slot] = rho[slot] * dot(s + slot * dim, dir, dim);
			cblas_daxpy(dim, -a[slot], y + slot * dim, 1, dir, 1);
		}
		if (npairs > 0)
		{
			double	   *yn = y + newest * dim;

			cblas_dscal(dim, dot(s + newest * dim, yn, dim) / dot(yn, yn, dim),
						dir, 1);
		}
		for (int k = npairs - 1; k >= 0; k--)
		{
			int			slot = (newest - k + LBFGS_MEMORY) % LBFGS_MEMORY;
			double		b = rho[slot] * dot(y + slot * dim, dir, dim);

			cblas_daxpy(dim, a[slot] - b, s + slot * dim, 1, dir, 1);
		}

		memcpy(prev, theta, sizeof(double) * dim);
		memcpy(gprev, g, sizeof(double) * dim);
		if (!line_search(lp, theta, &f, g, dir, trial, gtrial))
		{
			/* a stale curvature model: restart from steepest descent once */
			if (npairs == 0)
				break;
			npairs = 0;
			continue;
		}

		/* keep the pair if it carries positive curvature */
		{
			int			slot = (newest + 1) % LBFGS_MEMORY;
			double	   *sn = s + slot * dim;
			double	   *yn = y + slot * dim;
			double		sy;

			for (int i = 0; i < dim; i++)
			{
				sn[i] = theta[i] - prev[i];
				yn[i] = g[i] - gprev[i];
			}
			sy = dot(sn, yn, dim);
			if (sy > 1e-12 * dot(yn, yn, dim) && sy > 0.0)
			{
				rho[slot] = 1.0 / sy;
				newest = slot;
				if (npairs < LBFGS_MEMORY)
					npairs++;
			}
		}
		/* no relative progress left (scikit-learn's ftol of 64 eps) */
		if (fprev - f <= 64.0 * DBL_EPSILON * fmax(fmax(fabs(fprev), fabs(f)), 1.0))
			break;
	}
	am_free(g);
	am_free(dir);
	am_free(trial);
	am_free(gtrial);
	am_free(prev);
	am_free(gprev);
	am_free(s);
	am_free(y);
}

/* Check the data and hyperparameters; false with a message if unusable. */
static bool
logistic_check(const MlData *d, const MlHyperparams *hp, char *errbuf)
{
	if (d->task != ML_CLASSIFICATION || d->nclasses < 2)
	{
		snprintf(errbuf, ML_ERRBUF_SIZE,
				 "logistic_regression is for classification with at least 2 classes");
		return false;
	}
	if (d->n < 1 || d->p < 0)
	{
		snprintf(errbuf, ML_ERRBUF_SIZE, "no training rows");
		return false;
	}
	if (d->n > INT_MAX || (int64) d->nclasses * (d->p + 1) > INT_MAX / LBFGS_MEMORY)
	{
		snprintf(errbuf, ML_ERRBUF_SIZE,
				 "training data too large for logistic_regression");
		return false;
	}
	if (!(hp->alpha >= 0.0) || !isfinite(hp->alpha))
	{
		snprintf(errbuf, ML_ERRBUF_SIZE, "alpha must be a finite value >= 0");
		return false;
	}
	if (hp->max_iter < 1 || !(hp->tol >= 0.0))
	{
		snprintf(errbuf, ML_ERRBUF_SIZE, "max_iter must be >= 1 and tol >= 0");
		return false;
	}
	for (int64 i = 0; i < d->n; i++)
	{
		double		y = d->y[i];

		if (!(y >= 0.0 && y < d->nclasses) || y != floor(y))
		{
			snprintf(errbuf, ML_ERRBUF_SIZE,
					 "class index %g out of range 0..%d", y, d->nclasses - 1);
			return false;
		}
	}
	return true;
}

/*
 * Column offsets and scales of the standardisation (see the file header):
 * s_j = sqrt(mean((x_j - m_j)^2) + alpha / n), or 1 if that is 0; and the
 * column means kept for explanations (the offsets, with an intercept).
 */
static void
logit_standardisation(LogitProblem *lp)
{
	const MlData *d = lp->d;
	double		n = (double) d->n;

	for (int j = 0; j < lp->p; j++)
	{
		const double *x = d->x + (int64) j * d->n;
		double		mean = 0.0;
		double		ss = 0.0;
		double		s;

		ML_CHECK_INTERRUPTS();
		for (int64 i = 0; i < d->n; i++)
			mean += x[i] - x[0];
		mean = x[0] + mean / n;
		lp->colmean[j] = mean;
		if (!lp->intercept)
			mean = 0.0;
		for (int64 i = 0; i < d->n; i++)
			ss += (x[i] - mean) * (x[i] - mean);
		s = sqrt(ss / n + lp->alpha / n);
		lp->mean[j] = mean;
		lp->inv_scale[j] = (s > 0.0 && isfinite(s)) ? 1.0 / s : 1.0;
	}
}

/* fit of logistic_regression */
static void *
logistic_fit(const MlData *d, const MlHyperparams *hp, char *errbuf)
{
	LogitProblem lp;
	LogisticModel *model;
	double	   *theta;
	bool		ok = true;

	if (!logistic_check(d, hp, errbuf))
		return NULL;
	memset(&lp, 0, sizeof(lp));
	lp.d = d;
	lp.p = d->p;
	lp.nvec = d->nclasses == 2 ? 1 : d->nclasses;
	lp.stride = d->p + 1;
	lp.dim = lp.nvec * lp.stride;
	lp.intercept = hp->fit_intercept;
	lp.alpha = hp->alpha;
	lp.mean = am_alloc0(sizeof(double) * (lp.p + 1));
	lp.colmean = am_alloc0(sizeof(double) * (lp.p + 1));
	lp.inv_scale = am_alloc0(sizeof(double) * (lp.p + 1));
	lp.z = am_alloc(sizeof(double) * LOGIT_BLOCK_ROWS * (lp.p + 1));
	lp.eta = am_alloc(sizeof(double) * LOGIT_BLOCK_ROWS * lp.nvec);
	logit_standardisation(&lp);
	theta = am_alloc0(sizeof(double) * lp.dim);

	if (lp.nvec == 1 && lp.p <= NEWTON_MAX_P)
	{
		lp.wz = am_alloc(sizeof(double) * LOGIT_BLOCK_ROWS * lp.stride);
		solve_newton(&lp, theta, hp->max_iter, hp->tol);
		am_free(lp.wz);
	}
	else
		solve_lbfgs(&lp, theta, hp->max_iter, hp->tol);

	/* back to the original columns */
	model = logistic_model_new(d->p, d->nclasses);
	for (int k = 0; k < lp.nvec; k++)
	{
		const double *t = theta + k * lp.stride;
		double		b = t[0];

		for (int j = 0; j < lp.p; j++)
		{
			double		w = t[1 + j] * lp.inv_scale[j];

			model->coef[k * lp.p + j] = w;
			b -= lp.mean[j] * w;
			ok &= isfinite(w);
		}
		model->intercept[k] = b;
		ok &= isfinite(b);
	}
	for (int j = 0; j < lp.p; j++)
	{
		model->mean[j] = lp.colmean[j];
		ok &= isfinite(lp.colmean[j]);
	}
	am_free(theta);
	am_free(lp.mean);
	am_free(lp.colmean);
	am_free(lp.inv_scale);
	am_free(lp.z);
	am_free(lp.eta);
	if (!ok)
	{
		snprintf(errbuf, ML_ERRBUF_SIZE, "logistic_regression diverged");
		logistic_model_free(model);
		return NULL;
	}
	return model;
}

/*
 * Probabilities from the scores s[0..nvec) (stride apart) into out.  Scores
 * of extreme rows can overflow (an infinite score, or NaN from inf - inf
 * in the dot product): the classes at +inf then share the probability, and
 * a NaN score gives the uniform distribution, so the output is always a
 * distribution.
 */
static void
probabilities(const LogisticModel *m, const double *s, int stride, double *out)
{
	int			k = m->nclasses;
	int			ninf = 0;
	bool		nan = false;
	bool		all_neg_inf = true;

	for (int c = 0; c < m->nvec; c++)
	{
		double		v = s[(int64) c * stride];

		nan |= isnan(v);
		ninf += v == INFINITY;
		all_neg_inf &= v == -INFINITY;
	}
	if (nan || (all_neg_inf && m->nvec > 1))
	{
		for (int c = 0; c < k; c++)
			out[c] = 1.0 / k;
	}
	else if (m->nvec == 1)
		sigmoid_pair(s[0], &out[0], &out[1]);
	else if (ninf > 0)
	{
		for (int c = 0; c < k; c++)
			out[c] = s[(int64) c * stride] == INFINITY ? 1.0 / ninf : 0.0;
	}
	else
		(void) softmax(s, stride, m->nvec, out);
}

/* One row: nclasses probabilities. */
static void
logistic_predict(const void *model, const double *row, double *out)
{
	const LogisticModel *m = model;
	double		score1 = 0.0;
	double	   *scores = m->nvec > 1 ? am_alloc(sizeof(double) * m->nvec) : &score1;

	for (int k = 0; k < m->nvec; k++)
	{
		double		v = m->intercept[k];

		for (int j = 0; j < m->p; j++)
			v += m->coef[k * m->p + j] * row[j];
		scores[k] = v;
	}
	probabilities(m, scores, 1, out);
	if (scores != &score1)
		am_free(scores);
}

/* m rows (column-major): out[i * nclasses + c], scores by dgemm per chunk. */
static void
logistic_predict_batch(const void *model, const double *x, int64 m, double *out)
{
	const LogisticModel *lm = model;
	int			k = lm->nclasses;

	if (m > INT_MAX || lm->p == 0)
	{
		/* beyond BLAS's int leading dimension (or nothing to multiply) */
		double	   *row = am_alloc(sizeof(double) * (lm->p + 1));

		for (int64 i = 0; i < m; i++)
		{
			if ((i & 4095) == 0)
				ML_CHECK_INTERRUPTS();
			for (int j = 0; j < lm->p; j++)
				row[j] = x[j * m + i];
			logistic_predict(model, row, out + i * k);
		}
		am_free(row);
		return;
	}
	{
		double	   *scores = am_alloc(sizeof(double) * LOGIT_BLOCK_ROWS * lm->nvec);

		for (int64 i0 = 0; i0 < m; i0 += LOGIT_BLOCK_ROWS)
		{
			int			rows = (int) (m - i0 < LOGIT_BLOCK_ROWS ?
									  m - i0 : LOGIT_BLOCK_ROWS);

			ML_CHECK_INTERRUPTS();
			cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, rows,
						lm->nvec, lm->p, 1.0, x + i0, (int) m, lm->coef,
						lm->p, 0.0, scores, rows);
			for (int c = 0; c < lm->nvec; c++)
				for (int i = 0; i < rows; i++)
					scores[i + c * rows] += lm->intercept[c];
			for (int i = 0; i < rows; i++)
				probabilities(lm, scores + i, rows, out + (i0 + i) * k);
		}
		am_free(scores);
	}
}

/*
 * Image: u8 version, u32 p, u32 nclasses, u32 nvec, nvec intercepts,
 * nvec * p coefficients (vector by vector), p training column means.
 */
static void
logistic_write(MlWriter *w, const void *model)
{
	const LogisticModel *m = model;

	ml_put_u8(w, LOGISTIC_IMAGE_VERSION);
	ml_put_u32(w, (uint32) m->p);
	ml_put_u32(w, (uint32) m->nclasses);
	ml_put_u32(w, (uint32) m->nvec);
	ml_put_f64s(w, m->intercept, m->nvec);
	ml_put_f64s(w, m->coef, (size_t) m->nvec * m->p);
	ml_put_f64s(w, m->mean, m->p);
}

/* Read and validate an image written by logistic_write. */
static void *
logistic_read(MlReader *r, int p, MlTask task, int nclasses)
{
	LogisticModel *m;
	uint32		np;
	uint32		nc;
	uint32		nvec;
	size_t		ncoef;

	if (task != ML_CLASSIFICATION || nclasses < 2 || p < 0)
		return NULL;
	if (ml_get_u8(r) != LOGISTIC_IMAGE_VERSION)
		return NULL;
	np = ml_get_u32(r);
	nc = ml_get_u32(r);
	/* nvec intercepts follow, and at least as many coefficients if p > 0 */
	nvec = ml_get_count(r, sizeof(double) * (1 + (size_t) (p > 0)),
						(uint32) nclasses);
	if (!ml_reader_ok(r) || np != (uint32) p || nc != (uint32) nclasses ||
		nvec != (uint32) (nclasses == 2 ? 1 : nclasses))
		return NULL;
	ncoef = (size_t) nvec * p;
	if (ncoef + p > (r->len - r->pos) / sizeof(double))
		return NULL;
	m = logistic_model_new(p, nclasses);
	ml_get_f64s(r, m->intercept, nvec);
	ml_get_f64s(r, m->coef, ncoef);
	ml_get_f64s(r, m->mean, p);
	if (!ml_reader_ok(r))
		goto bad;
	for (uint32 k = 0; k < nvec; k++)
		if (!isfinite(m->intercept[k]))
			goto bad;
	for (size_t i = 0; i < ncoef; i++)
		if (!isfinite(m->coef[i]))
			goto bad;
	for (int j = 0; j < p; j++)
		if (!isfinite(m->mean[j]))
			goto bad;
	return m;
bad:
	logistic_model_free(m);
	return NULL;
}

/*
 * The weight vector explained for output out: class out's for more than
 * two classes, the only one (log-odds of class 1) otherwise.  An out of
 * range, which the caller should never pass, explains vector 0.
 */
static int
logistic_vector(const LogisticModel *m, int out)
{
	return m->nvec > 1 && out >= 0 && out < m->nvec ? out : 0;
}

/*
 * Exact contributions w_kj (x_j - m_j) to the score of vector k around
 * its expected value b_k + w_k.m over the training rows.
 */
static void
logistic_explain(const void *model, const double *row, int out,
				 double *contrib, double *base)
{
	const LogisticModel *m = model;
	int			k = logistic_vector(m, out);
	const double *w = m->coef + (size_t) k * m->p;
	double		b = m->intercept[k];

	for (int j = 0; j < m->p; j++)
	{
		contrib[j] = w[j] * (row[j] - m->mean[j]);
		b += w[j] * m->mean[j];
	}
	*base = b;
}

/* The score b_k + w_k.x (before the link), as logistic_predict computes it. */
static double
logistic_raw_output(const void *model, const double *row, int out)
{
	const LogisticModel *m = model;
	int			k = logistic_vector(m, out);
	double		v = m->intercept[k];

	for (int j = 0; j < m->p; j++)
		v += m->coef[(size_t) k * m->p + j] * row[j];
	return v;
}

/* Sum over the weight vectors of |w_kj|. */
static void
logistic_importance(const void *model, double *imp)
{
	const LogisticModel *m = model;

	for (int j = 0; j < m->p; j++)
	{
		imp[j] = 0.0;
		for (int k = 0; k < m->nvec; k++)
			imp[j] += fabs(m->coef[k * m->p + j]);
	}
}

const MlAlgorithm ml_logistic_regression = {
	.name = "logistic_regression",
	.id = 5,
	.regression = false,
	.classification = true,
	.one_hot = true,
	.fit = logistic_fit,
	.predict = logistic_predict,
	.predict_batch = logistic_predict_batch,
	.write = logistic_write,
	.read = logistic_read,
	.importance = logistic_importance,
	.explain = logistic_explain,
	.raw_output = logistic_raw_output,
};

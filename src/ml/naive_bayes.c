/*-------------------------------------------------------------------------
 *
 * naive_bayes.c
 *	  Gaussian naive Bayes classifier.
 *
 * As scikit-learn's GaussianNB: each class k has a prior (its share of the
 * training rows) and, per feature j, a mean theta_kj and a variance var_kj
 * (the population variance of the class's rows) to which epsilon =
 * var_smoothing * (largest variance of any feature over all rows) is
 * added, so that a feature constant within a class does not make the
 * likelihood degenerate.  Prediction works in log space:
 *
 *	  jll_k = log prior_k - 0.5 sum_j log(2 pi var_kj)
 *			  - 0.5 sum_j (x_j - theta_kj)^2 / var_kj
 *
 * and the probabilities are the softmax of jll.  A class absent from the
 * training rows has prior 0 and probability 0.  Unlike scikit-learn, data
 * where every feature is constant (epsilon = 0) still give a model: the
 * variances are floored at DBL_MIN, and a row whose likelihood underflows
 * to zero for every class falls back to the priors.
 *
 * Importance of feature j is its Fisher ratio: the prior-weighted variance
 * of the class means over the prior-weighted mean of the class variances.
 * It is the separation of the classes along j that the model uses.
 *
 *-------------------------------------------------------------------------
 */
#include "ml.h"

#include <float.h>
#include <math.h>
#include <stdio.h>

#define NAIVE_BAYES_IMAGE_VERSION	1
#define NB_BLOCK_ROWS				1024
#define LOG_2PI						1.8378770664093454836

typedef struct NaiveBayesModel
{
	int			p;
	int			nclasses;
	double	   *prior;			/* nclasses */
	double	   *theta;			/* nclasses * p, class k at theta + k * p */
	double	   *var;			/* nclasses * p, > 0 */
	/* derived from the above, not stored in the image */
	double	   *log_norm;		/* log prior - 0.5 sum log(2 pi var), or -inf */
	double	   *half_inv_var;	/* 0.5 / var */
} NaiveBayesModel;

/* A model with room for its arrays. */
static NaiveBayesModel *
nb_model_new(int p, int nclasses)
{
	NaiveBayesModel *m = am_alloc0(sizeof(NaiveBayesModel));
	size_t		kp = (size_t) nclasses * (p > 0 ? p : 1);

	m->p = p;
	m->nclasses = nclasses;
	m->prior = am_alloc0(sizeof(double) * nclasses);
	m->theta = am_alloc0(sizeof(double) * kp);
	m->var = am_alloc0(sizeof(double) * kp);
	m->log_norm = am_alloc0(sizeof(double) * nclasses);
	m->half_inv_var = am_alloc0(sizeof(double) * kp);
	return m;
}

/* Free a model built here. */
static void
nb_model_free(NaiveBayesModel *m)
{
	am_free(m->prior);
	am_free(m->theta);
	am_free(m->var);
	am_free(m->log_norm);
	am_free(m->half_inv_var);
	am_free(m);
}

/* Fill the derived arrays from prior and var. */
static void
nb_prepare(NaiveBayesModel *m)
{
	for (int k = 0; k < m->nclasses; k++)
	{
		double		ln = m->prior[k] > 0.0 ? log(m->prior[k]) : -INFINITY;

		for (int j = 0; j < m->p; j++)
		{
			double		v = m->var[(size_t) k * m->p + j];

			ln -= 0.5 * (LOG_2PI + log(v));
			m->half_inv_var[(size_t) k * m->p + j] = 0.5 / v;
		}
		m->log_norm[k] = ln;
	}
}

/* Check the data and hyperparameters; false with a message if unusable. */
static bool
nb_check(const MlData *d, const MlHyperparams *hp, char *errbuf)
{
	if (d->task != ML_CLASSIFICATION || d->nclasses < 2)
	{
		snprintf(errbuf, ML_ERRBUF_SIZE,
				 "naive_bayes is for classification with at least 2 classes");
		return false;
	}
	if (d->n < 1 || d->p < 0)
	{
		snprintf(errbuf, ML_ERRBUF_SIZE, "no training rows");
		return false;
	}
	if (!(hp->var_smoothing >= 0.0) || !isfinite(hp->var_smoothing))
	{
		snprintf(errbuf, ML_ERRBUF_SIZE, "var_smoothing must be a finite value >= 0");
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

/* fit of naive_bayes: class priors, means and variances in two passes */
static void *
nb_fit(const MlData *d, const MlHyperparams *hp, char *errbuf)
{
	int			p = d->p;
	int			nk = d->nclasses;
	int64		n = d->n;
	NaiveBayesModel *m;
	double	   *count;
	double		max_var = 0.0;
	double		epsilon;

	if (!nb_check(d, hp, errbuf))
		return NULL;
	m = nb_model_new(p, nk);
	count = am_alloc0(sizeof(double) * nk);
	for (int64 i = 0; i < n; i++)
		count[(int) d->y[i]] += 1.0;
	for (int k = 0; k < nk; k++)
		m->prior[k] = count[k] / (double) n;

	for (int j = 0; j < p; j++)
	{
		const double *x = d->x + (int64) j * n;
		double		sum = 0.0;
		double		mean;
		double		ss = 0.0;

		ML_CHECK_INTERRUPTS();
		/* class means, and the overall mean as their weighted sum */
		for (int64 i = 0; i < n; i++)
			m->theta[(size_t) ((int) d->y[i]) * p + j] += x[i];
		for (int k = 0; k < nk; k++)
		{
			if (count[k] > 0)
				m->theta[(size_t) k * p + j] /= count[k];
			sum += count[k] * m->theta[(size_t) k * p + j];
		}
		mean = sum / (double) n;
		/* squared deviations from the class means and from the mean */
		for (int64 i = 0; i < n; i++)
		{
			int			k = (int) d->y[i];
			double		dk = x[i] - m->theta[(size_t) k * p + j];
			double		dm = x[i] - mean;

			m->var[(size_t) k * p + j] += dk * dk;
			ss += dm * dm;
		}
		for (int k = 0; k < nk; k++)
			if (count[k] > 0)
				m->var[(size_t) k * p + j] /= count[k];
		max_var = fmax(max_var, ss / (double) n);
	}
	epsilon = hp->var_smoothing * max_var;
	for (size_t i = 0; i < (size_t) nk * p; i++)
		m->var[i] = fmax(m->var[i] + epsilon, DBL_MIN);
	am_free(count);

	for (size_t i = 0; i < (size_t) nk * p; i++)
		if (!isfinite(m->var[i]) || !isfinite(m->theta[i]))
		{
			snprintf(errbuf, ML_ERRBUF_SIZE,
					 "feature values too large for naive_bayes (variance overflows)");
			nb_model_free(m);
			return NULL;
		}
	nb_prepare(m);
	return m;
}

/*
 * Probabilities from the joint log-likelihoods jll[0..K) into out: the
 * softmax, or the priors when no class has a finite likelihood.
 */
static void
nb_normalise(const NaiveBayesModel *m, const double *jll, double *out)
{
	double		mx = -INFINITY;
	double		sum = 0.0;

	for (int k = 0; k < m->nclasses; k++)
		if (jll[k] > mx)
			mx = jll[k];
	if (!isfinite(mx))
	{
		memcpy(out, m->prior, sizeof(double) * m->nclasses);
		return;
	}
	for (int k = 0; k < m->nclasses; k++)
	{
		out[k] = jll[k] == -INFINITY ? 0.0 : exp(jll[k] - mx);
		sum += out[k];
	}
	for (int k = 0; k < m->nclasses; k++)
		out[k] /= sum;
}

/* One row: nclasses probabilities. */
static void
nb_predict(const void *model, const double *row, double *out)
{
	const NaiveBayesModel *m = model;
	double	   *jll = am_alloc(sizeof(double) * m->nclasses);

	for (int k = 0; k < m->nclasses; k++)
	{
		const double *theta = m->theta + (size_t) k * m->p;
		const double *hiv = m->half_inv_var + (size_t) k * m->p;
		double		s = m->log_norm[k];

		for (int j = 0; j < m->p; j++)
			s -= (row[j] - theta[j]) * (row[j] - theta[j]) * hiv[j];
		jll[k] = isnan(s) ? -INFINITY : s;
	}
	nb_normalise(m, jll, out);
	am_free(jll);
}

/*
 * m rows (column-major): out[i * nclasses + c].  Blocks of rows walk each
 * feature column contiguously.
 */
static void
nb_predict_batch(const void *model, const double *x, int64 rows, double *out)
{
	const NaiveBayesModel *m = model;
	int			nk = m->nclasses;
	double	   *jll = am_alloc(sizeof(double) * NB_BLOCK_ROWS * nk);

	for (int64 i0 = 0; i0 < rows; i0 += NB_BLOCK_ROWS)
	{
		int			b = (int) (rows - i0 < NB_BLOCK_ROWS ? rows - i0 : NB_BLOCK_ROWS);

		ML_CHECK_INTERRUPTS();
		for (int k = 0; k < nk; k++)
			for (int i = 0; i < b; i++)
				jll[(size_t) i * nk + k] = m->log_norm[k];
		for (int j = 0; j < m->p; j++)
		{
			const double *xj = x + (int64) j * rows + i0;

			for (int k = 0; k < nk; k++)
			{
				double		theta = m->theta[(size_t) k * m->p + j];
				double		hiv = m->half_inv_var[(size_t) k * m->p + j];

				for (int i = 0; i < b; i++)
					jll[(size_t) i * nk + k] -= (xj[i] - theta) * (xj[i] - theta) * hiv;
			}
		}
		for (int i = 0; i < b; i++)
		{
			double	   *row = jll + (size_t) i * nk;

			for (int k = 0; k < nk; k++)
				if (isnan(row[k]))
					row[k] = -INFINITY;
			nb_normalise(m, row, out + (i0 + i) * nk);
		}
	}
	am_free(jll);
}

/*
 * Image: u8 version, u32 p, u32 nclasses, then nclasses priors, the
 * nclasses * p means and the nclasses * p variances.
 */
static void
nb_write(MlWriter *w, const void *model)
{
	const NaiveBayesModel *m = model;
	size_t		kp = (size_t) m->nclasses * m->p;

	ml_put_u8(w, NAIVE_BAYES_IMAGE_VERSION);
	ml_put_u32(w, (uint32) m->p);
	ml_put_u32(w, (uint32) m->nclasses);
	ml_put_f64s(w, m->prior, m->nclasses);
	ml_put_f64s(w, m->theta, kp);
	ml_put_f64s(w, m->var, kp);
}

/* Read and validate an image written by nb_write. */
static void *
nb_read(MlReader *r, int p, MlTask task, int nclasses)
{
	NaiveBayesModel *m;
	uint32		np;
	uint32		nk;
	size_t		kp;
	double		prior_sum = 0.0;

	if (task != ML_CLASSIFICATION || nclasses < 2 || p < 0)
		return NULL;
	if (ml_get_u8(r) != NAIVE_BAYES_IMAGE_VERSION)
		return NULL;
	np = ml_get_u32(r);
	if (!ml_reader_ok(r) || np != (uint32) p)
		return NULL;
	/* each class has a prior, p means and p variances */
	nk = ml_get_count(r, sizeof(double) * (1 + 2 * (size_t) p), (uint32) nclasses);
	if (!ml_reader_ok(r) || nk != (uint32) nclasses)
		return NULL;
	kp = (size_t) nk * p;
	m = nb_model_new(p, nclasses);
	ml_get_f64s(r, m->prior, nk);
	ml_get_f64s(r, m->theta, kp);
	ml_get_f64s(r, m->var, kp);
	if (!ml_reader_ok(r))
		goto bad;
	for (uint32 k = 0; k < nk; k++)
	{
		if (!(m->prior[k] >= 0.0 && m->prior[k] <= 1.0))
			goto bad;
		prior_sum += m->prior[k];
	}
	if (fabs(prior_sum - 1.0) > 1e-9)
		goto bad;
	for (size_t i = 0; i < kp; i++)
		if (!isfinite(m->theta[i]) || !(m->var[i] >= DBL_MIN) ||
			!isfinite(m->var[i]))
			goto bad;
	nb_prepare(m);
	return m;
bad:
	nb_model_free(m);
	return NULL;
}

/* Fisher ratio per feature: between-class over within-class variance. */
static void
nb_importance(const void *model, double *imp)
{
	const NaiveBayesModel *m = model;

	for (int j = 0; j < m->p; j++)
	{
		double		mean = 0.0;
		double		between = 0.0;
		double		within = 0.0;

		for (int k = 0; k < m->nclasses; k++)
			mean += m->prior[k] * m->theta[(size_t) k * m->p + j];
		for (int k = 0; k < m->nclasses; k++)
		{
			double		dk = m->theta[(size_t) k * m->p + j] - mean;

			between += m->prior[k] * dk * dk;
			within += m->prior[k] * m->var[(size_t) k * m->p + j];
		}
		imp[j] = within > 0.0 && isfinite(between / within) ? between / within : 0.0;
	}
}

const MlAlgorithm ml_naive_bayes = {
	.name = "naive_bayes",
	.id = 9,
	.regression = false,
	.classification = true,
	.one_hot = true,
	.fit = nb_fit,
	.predict = nb_predict,
	.predict_batch = nb_predict_batch,
	.write = nb_write,
	.read = nb_read,
	.importance = nb_importance,
};

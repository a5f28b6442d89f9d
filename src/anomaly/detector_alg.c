/*-------------------------------------------------------------------------
 *
 * detector_alg.c
 *	  Anomaly detectors as model algorithms: stored in the registry like
 *	  trained models, scored row by row through the same prediction path.
 *
 * A detector's "prediction" is its anomaly score (predict writes one
 * value); threshold gives the score above which a row is anomalous, and
 * attribute each column's share of a row's score.  The design rows they
 * see are the numeric columns with NULLs replaced by the training median
 * (the preprocessor does that), so a NULL never makes a row anomalous.
 *
 *	robust_zscore		score: the largest |x - median| / MAD over the
 *						columns; threshold 3.5
 *	iqr					score: the largest distance beyond Tukey's fences,
 *						in IQRs (0 inside); anomalous above 0
 *	mahalanobis			score: the robust distance; threshold as in
 *						detect_anomalies
 *	isolation_forest	score: the isolation score; threshold from the
 *						training scores as in detect_anomalies
 *
 *-------------------------------------------------------------------------
 */
#ifndef AUTOML_STANDALONE
#include "postgres.h"
#endif

#include <math.h>
#include <stdio.h>

#include "anomaly/detector_alg.h"
#include "anomaly/isolation.h"
#include "anomaly/robust_cov.h"
#include "anomaly/univariate.h"
#include "ml/ml.h"

/* ---------------------------------------------------------------- univariate */

typedef struct Univariate
{
	int			p;
	bool		iqr;
	double		threshold;
	double	   *center;			/* median */
	double	   *scale;			/* MAD (0: constant column, never anomalous) */
	double	   *lo;				/* iqr: fences */
	double	   *hi;
	double	   *width;			/* iqr: Q3 - Q1 */
} Univariate;

static void *
univariate_fit(const MlData *d, const MlHyperparams *hp, bool iqr)
{
	Univariate *u = am_alloc0(sizeof(Univariate));
	double	   *work = am_alloc(sizeof(double) * (d->n > 0 ? d->n : 1));
	double		k = hp->detector_k > 0 ? hp->detector_k : 1.5;

	u->p = d->p;
	u->iqr = iqr;
	u->threshold = iqr ? 0 : (hp->detector_threshold > 0 ? hp->detector_threshold : 3.5);
	u->center = am_alloc(sizeof(double) * d->p);
	u->scale = am_alloc(sizeof(double) * d->p);
	u->lo = am_alloc(sizeof(double) * d->p);
	u->hi = am_alloc(sizeof(double) * d->p);
	u->width = am_alloc(sizeof(double) * d->p);
	for (int j = 0; j < d->p; j++)
	{
		ColumnSpread cs;

		column_spread(d->x + (int64) j * d->n, d->n, work, &cs);
		u->center[j] = isfinite(cs.median) ? cs.median : 0;
		u->scale[j] = cs.scale > 0 ? cs.scale : 0;
		u->width[j] = isfinite(cs.q3 - cs.q1) ? cs.q3 - cs.q1 : 0;
		u->lo[j] = isfinite(cs.q1) ? cs.q1 - k * u->width[j] : 0;
		u->hi[j] = isfinite(cs.q3) ? cs.q3 + k * u->width[j] : 0;
	}
	am_free(work);
	return u;
}

static void *
zscore_fit(const MlData *d, const MlHyperparams *hp, char *errbuf)
{
	return univariate_fit(d, hp, false);
}

static void *
iqr_fit(const MlData *d, const MlHyperparams *hp, char *errbuf)
{
	return univariate_fit(d, hp, true);
}

/* Per column: its part of the score (|z|, or IQRs beyond the fence). */
static double
univariate_part(const Univariate *u, int j, double v)
{
	if (!isfinite(v))
		return 0;
	if (u->iqr)
	{
		if (!(u->width[j] > 0))
			return 0;
		return v > u->hi[j] ? (v - u->hi[j]) / u->width[j] :
			v < u->lo[j] ? (u->lo[j] - v) / u->width[j] : 0;
	}
	return u->scale[j] > 0 ? fabs(v - u->center[j]) / u->scale[j] : 0;
}

static void
univariate_predict(const void *model, const double *row, double *out)
{
	const Univariate *u = model;
	double		best = 0;

	for (int j = 0; j < u->p; j++)
	{
		double		s = univariate_part(u, j, row[j]);

		best = s > best ? s : best;
	}
	out[0] = best;
}

static void
univariate_predict_batch(const void *model, const double *x, int64 m, double *out)
{
	const Univariate *u = model;

	for (int64 i = 0; i < m; i++)
	{
		double		best = 0;

		for (int j = 0; j < u->p; j++)
		{
			double		s = univariate_part(u, j, x[(int64) j * m + i]);

			best = s > best ? s : best;
		}
		out[i] = best;
	}
}

static double
univariate_threshold(const void *model)
{
	return ((const Univariate *) model)->threshold;
}

static void
univariate_attribute(const void *model, const double *row, double *share)
{
	const Univariate *u = model;
	double		total = 0;

	for (int j = 0; j < u->p; j++)
		total += share[j] = univariate_part(u, j, row[j]);
	for (int j = 0; j < u->p; j++)
		share[j] = total > 0 ? share[j] / total : 1.0 / u->p;
}

static void
univariate_write(MlWriter *w, const void *model)
{
	const Univariate *u = model;

	ml_put_u32(w, (uint32) u->p);
	ml_put_u8(w, u->iqr);
	ml_put_f64(w, u->threshold);
	ml_put_f64s(w, u->center, u->p);
	ml_put_f64s(w, u->scale, u->p);
	ml_put_f64s(w, u->lo, u->p);
	ml_put_f64s(w, u->hi, u->p);
	ml_put_f64s(w, u->width, u->p);
}

static void *
univariate_read(MlReader *r, int p, bool iqr)
{
	Univariate *u = am_alloc0(sizeof(Univariate));

	if (ml_get_u32(r) != (uint32) p || p <= 0 || ml_get_u8(r) != (uint8) iqr)
		return NULL;
	u->p = p;
	u->iqr = iqr;
	u->threshold = ml_get_f64(r);
	u->center = am_alloc(sizeof(double) * p);
	u->scale = am_alloc(sizeof(double) * p);
	u->lo = am_alloc(sizeof(double) * p);
	u->hi = am_alloc(sizeof(double) * p);
	u->width = am_alloc(sizeof(double) * p);
	ml_get_f64s(r, u->center, p);
	ml_get_f64s(r, u->scale, p);
	ml_get_f64s(r, u->lo, p);
	ml_get_f64s(r, u->hi, p);
	ml_get_f64s(r, u->width, p);
	if (!ml_reader_ok(r) || !isfinite(u->threshold))
		return NULL;
	for (int j = 0; j < p; j++)
		if (!isfinite(u->center[j]) || !isfinite(u->scale[j]) || u->scale[j] < 0 ||
			!isfinite(u->lo[j]) || !isfinite(u->hi[j]) || !isfinite(u->width[j]) || u->width[j] < 0)
			return NULL;
	return u;
}

static void *
zscore_read(MlReader *r, int p, MlTask task, int nclasses)
{
	return univariate_read(r, p, false);
}

static void *
iqr_read(MlReader *r, int p, MlTask task, int nclasses)
{
	return univariate_read(r, p, true);
}

/* ---------------------------------------------------------------- mahalanobis */

/* the design is column-major; RobustCov wants column pointers */
static const double **
column_pointers(const MlData *d)
{
	const double **cols = am_alloc(sizeof(double *) * d->p);

	for (int j = 0; j < d->p; j++)
		cols[j] = d->x + (int64) j * d->n;
	return cols;
}

static void *
mahalanobis_fit(const MlData *d, const MlHyperparams *hp, char *errbuf)
{
	const double **cols = column_pointers(d);
	RobustCov  *rc;

	if (d->p < 2)
	{
		snprintf(errbuf, ML_ERRBUF_SIZE, "mahalanobis needs at least two columns");
		return NULL;
	}
	rc = robust_cov_fit((const double *const *) cols, d->n, d->p, hp->seed, 0.9999,
						errbuf, ML_ERRBUF_SIZE);
	if (rc && hp->detector_threshold > 0)
		rc->threshold = hp->detector_threshold;
	am_free(cols);
	return rc;
}

static void
mahalanobis_predict(const void *model, const double *row, double *out)
{
	const RobustCov *rc = model;
	double		work[2 * 64];
	double	   *w = rc->p <= 64 ? work : am_alloc(sizeof(double) * 2 * rc->p);

	out[0] = robust_cov_distance(rc, row, w);
	if (w != work)
		am_free(w);
}

static void
mahalanobis_predict_batch(const void *model, const double *x, int64 m, double *out)
{
	const RobustCov *rc = model;
	double	   *row = am_alloc(sizeof(double) * rc->p);
	double	   *w = am_alloc(sizeof(double) * 2 * rc->p);

	for (int64 i = 0; i < m; i++)
	{
		for (int j = 0; j < rc->p; j++)
			row[j] = x[(int64) j * m + i];
		out[i] = robust_cov_distance(rc, row, w);
	}
	am_free(row);
	am_free(w);
}

static double
mahalanobis_threshold(const void *model)
{
	return ((const RobustCov *) model)->threshold;
}

static void
mahalanobis_attribute(const void *model, const double *row, double *share)
{
	const RobustCov *rc = model;
	double	   *w = am_alloc(sizeof(double) * 2 * rc->p);

	robust_cov_attribution(rc, row, share, w);
	am_free(w);
}

static void
mahalanobis_write(MlWriter *w, const void *model)
{
	robust_cov_write(w, model);
}

static void *
mahalanobis_read(MlReader *r, int p, MlTask task, int nclasses)
{
	return robust_cov_read(r, p);
}

/* ---------------------------------------------------------------- isolation forest */

static void *
iforest_fit(const MlData *d, const MlHyperparams *hp, char *errbuf)
{
	const double **cols = column_pointers(d);
	IsoForest  *f;
	double	   *scores,
			   *work,
			   *row,
			   *z;
	ColumnSpread cs;

	if (d->n < 2)
	{
		snprintf(errbuf, ML_ERRBUF_SIZE, "isolation_forest needs at least two rows");
		return NULL;
	}
	f = isoforest_fit((const double *const *) cols, d->n, d->p, ISO_TREES, ISO_PSI, hp->seed);
	scores = am_alloc(sizeof(double) * d->n);
	work = am_alloc(sizeof(double) * d->n);
	row = am_alloc(sizeof(double) * d->p);
	z = am_alloc(sizeof(double) * d->p);
	for (int64 i = 0; i < d->n; i++)
	{
		if ((i & 0x3FFF) == 0)
			ML_CHECK_INTERRUPTS();
		for (int j = 0; j < d->p; j++)
			row[j] = cols[j][i];
		scores[i] = isoforest_score(f, row, z);
	}
	if (hp->detector_threshold > 0)
		f->threshold = hp->detector_threshold;
	else
	{
		/* as detect_anomalies: median + 6 MADs, within 0.66 .. 0.72 */
		double		t;

		column_spread(scores, d->n, work, &cs);
		t = cs.median + 6 * cs.scale;
		f->threshold = !isfinite(t) ? 0.66 : t < 0.66 ? 0.66 : t > 0.72 ? 0.72 : t;
	}
	am_free(scores);
	am_free(work);
	am_free(row);
	am_free(z);
	am_free(cols);
	return f;
}

static void
iforest_predict(const void *model, const double *row, double *out)
{
	const IsoForest *f = model;
	double	   *z = am_alloc(sizeof(double) * f->p);

	out[0] = isoforest_score(f, row, z);
	am_free(z);
}

static void
iforest_predict_batch(const void *model, const double *x, int64 m, double *out)
{
	const IsoForest *f = model;
	double	   *row = am_alloc(sizeof(double) * f->p);
	double	   *z = am_alloc(sizeof(double) * f->p);

	for (int64 i = 0; i < m; i++)
	{
		for (int j = 0; j < f->p; j++)
			row[j] = x[(int64) j * m + i];
		out[i] = isoforest_score(f, row, z);
	}
	am_free(row);
	am_free(z);
}

static double
iforest_threshold(const void *model)
{
	return ((const IsoForest *) model)->threshold;
}

static void
iforest_attribute(const void *model, const double *row, double *share)
{
	const IsoForest *f = model;
	double	   *z = am_alloc(sizeof(double) * f->p);

	isoforest_attribution(f, row, share, z);
	am_free(z);
}

static void
iforest_write(MlWriter *w, const void *model)
{
	isoforest_write(w, model);
}

static void *
iforest_read(MlReader *r, int p, MlTask task, int nclasses)
{
	return isoforest_read(r, p);
}

const MlAlgorithm ml_robust_zscore = {
	.name = "robust_zscore",
	.id = 20,
	.anomaly = true,
	.fit = zscore_fit,
	.predict = univariate_predict,
	.predict_batch = univariate_predict_batch,
	.write = univariate_write,
	.read = zscore_read,
	.threshold = univariate_threshold,
	.attribute = univariate_attribute,
};

const MlAlgorithm ml_iqr = {
	.name = "iqr",
	.id = 21,
	.anomaly = true,
	.fit = iqr_fit,
	.predict = univariate_predict,
	.predict_batch = univariate_predict_batch,
	.write = univariate_write,
	.read = iqr_read,
	.threshold = univariate_threshold,
	.attribute = univariate_attribute,
};

const MlAlgorithm ml_mahalanobis = {
	.name = "mahalanobis",
	.id = 22,
	.anomaly = true,
	.fit = mahalanobis_fit,
	.predict = mahalanobis_predict,
	.predict_batch = mahalanobis_predict_batch,
	.write = mahalanobis_write,
	.read = mahalanobis_read,
	.threshold = mahalanobis_threshold,
	.attribute = mahalanobis_attribute,
};

const MlAlgorithm ml_isolation_forest = {
	.name = "isolation_forest",
	.id = 23,
	.anomaly = true,
	.fit = iforest_fit,
	.predict = iforest_predict,
	.predict_batch = iforest_predict_batch,
	.write = iforest_write,
	.read = iforest_read,
	.threshold = iforest_threshold,
	.attribute = iforest_attribute,
};

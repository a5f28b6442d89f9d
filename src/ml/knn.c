/*-------------------------------------------------------------------------
 *
 * knn.c
 *	  k nearest neighbours, classification and regression.
 *
 * The model is the training data itself: the rows (row-major, so that one
 * distance reads one contiguous row) and their targets.  Prediction is a
 * brute-force scan with a bounded max-heap of the k best (squared
 * Euclidean distance, row index) pairs; once the heap is full a row's
 * distance sum stops as soon as it reaches the current k-th distance, which
 * skips most of the arithmetic on clustered data.  Equal distances are
 * broken by the lower training row, so predictions are deterministic.
 *
 * Votes: uniform, or (hp->distance_weighted) by 1 / distance as in
 * scikit-learn's weights='distance', where neighbours at distance zero, if
 * any, take all the weight equally.  Classification returns the (weighted)
 * vote fractions as probabilities; regression the (weighted) mean target.
 * k is capped at the number of training rows.
 *
 * Size rule: fit refuses more than KNN_MAX_ROWS (100,000) rows or more
 * than KNN_MAX_VALUES (10 million) stored values (rows x features, 80 MB),
 * with a message.  Beyond that a brute-force scan per prediction is too
 * slow and the model image too large; the image reader applies the same
 * limits.
 *
 * Importance: kNN has no coefficients; the proxy is the variance of each
 * feature over the training rows, which is half that feature's mean
 * contribution to the squared distance between two training rows, i.e.
 * its share of what decides who the neighbours are.  On the standardised
 * columns the SQL layer passes, every feature gets about the same value,
 * which is the honest answer: Euclidean kNN weighs them equally.
 *
 *-------------------------------------------------------------------------
 */
#include "ml.h"

#include <float.h>
#include <math.h>
#include <stdio.h>

#define KNN_IMAGE_VERSION	1
#define KNN_MAX_ROWS		100000
#define KNN_MAX_VALUES		10000000

typedef struct KnnModel
{
	int			p;
	MlTask		task;
	int			nclasses;		/* 0 for regression */
	int			k;
	bool		weighted;
	int			n;
	double	   *rows;			/* n * p, row i at rows + i * p */
	double	   *y;				/* n targets or class indexes */
} KnnModel;

/* Scratch space of one prediction. */
typedef struct KnnScratch
{
	double	   *dist;			/* k squared distances, a max-heap */
	int		   *index;			/* k row indexes */
	double	   *weight;			/* k neighbour weights */
	double	   *votes;			/* nclasses */
} KnnScratch;

/* A model with room for n rows. */
static KnnModel *
knn_model_new(int p, int n, MlTask task, int nclasses)
{
	KnnModel   *m = am_alloc0(sizeof(KnnModel));

	m->p = p;
	m->n = n;
	m->task = task;
	m->nclasses = task == ML_CLASSIFICATION ? nclasses : 0;
	m->rows = am_alloc(sizeof(double) * ((size_t) n * p + 1));
	m->y = am_alloc(sizeof(double) * n);
	return m;
}

/* Free a model built here. */
static void
knn_model_free(KnnModel *m)
{
	am_free(m->rows);
	am_free(m->y);
	am_free(m);
}

/* Effective k: at most the number of training rows. */
static inline int
knn_k(const KnnModel *m)
{
	return m->k < m->n ? m->k : m->n;
}

static void
scratch_init(KnnScratch *s, const KnnModel *m)
{
	s->dist = am_alloc(sizeof(double) * knn_k(m));
	s->index = am_alloc(sizeof(int) * knn_k(m));
	s->weight = am_alloc(sizeof(double) * knn_k(m));
	s->votes = am_alloc(sizeof(double) * (m->nclasses > 0 ? m->nclasses : 1));
}

static void
scratch_free(KnnScratch *s)
{
	am_free(s->dist);
	am_free(s->index);
	am_free(s->weight);
	am_free(s->votes);
}

/* Is (da, ia) a worse neighbour than (db, ib)? */
static inline bool
worse(double da, int ia, double db, int ib)
{
	return da > db || (da == db && ia > ib);
}

/* Restore the max-heap property from slot i down (heap of size len). */
static void
sift_down(double *dist, int *index, int len, int i)
{
	for (;;)
	{
		int			l = 2 * i + 1;
		int			r = l + 1;
		int			top = i;

		if (l < len && worse(dist[l], index[l], dist[top], index[top]))
			top = l;
		if (r < len && worse(dist[r], index[r], dist[top], index[top]))
			top = r;
		if (top == i)
			return;
		{
			double		td = dist[i];
			int			ti = index[i];

			dist[i] = dist[top];
			index[i] = index[top];
			dist[top] = td;
			index[top] = ti;
		}
		i = top;
	}
}

/* Move slot i up while it is worse than its parent. */
static void
sift_up(double *dist, int *index, int i)
{
	while (i > 0)
	{
		int			parent = (i - 1) / 2;

		if (!worse(dist[i], index[i], dist[parent], index[parent]))
			return;
		{
			double		td = dist[i];
			int			ti = index[i];

			dist[i] = dist[parent];
			index[i] = index[parent];
			dist[parent] = td;
			index[parent] = ti;
		}
		i = parent;
	}
}

/*
 * The k nearest training rows of q into s->dist / s->index (heap order).
 * Rows are visited in index order, so a row whose partial sum reaches the
 * k-th distance can never displace it (ties go to the lower index).
 */
static void
find_neighbours(const KnnModel *m, const double *q, KnnScratch *s)
{
	int			k = knn_k(m);
	int			len = 0;
	int			p = m->p;

	for (int i = 0; i < m->n; i++)
	{
		const double *row = m->rows + (size_t) i * p;
		double		d2 = 0.0;

		if (len == k)
		{
			/* full: stop summing once the row cannot get in */
			double		bound = s->dist[0];
			int			j;

			for (j = 0; j < p; j++)
			{
				double		diff = row[j] - q[j];

				d2 += diff * diff;
				if (d2 >= bound)
					break;
			}
			if (j < p)
				continue;
		}
		else
		{
			/* filling: every row gets in, even at an overflowed distance */
			for (int j = 0; j < p; j++)
				d2 += (row[j] - q[j]) * (row[j] - q[j]);
		}
		if (len < k)
		{
			s->dist[len] = d2;
			s->index[len] = i;
			sift_up(s->dist, s->index, len);
			len++;
		}
		else if (d2 < s->dist[0])
		{
			s->dist[0] = d2;
			s->index[0] = i;
			sift_down(s->dist, s->index, k, 0);
		}
	}
}

/*
 * Weights of the k neighbours into s->weight: 1, or 1 / distance; with a
 * neighbour at distance zero, 1 for those and 0 for the others.  (The
 * smallest positive distance is 2e-162, so 1 / distance stays finite.)
 * A query far enough from every training row (a huge value, or a crafted
 * image) has every squared distance overflow to +inf and so every weight
 * 0: the neighbours, equally far, then weigh the same, rather than 0 / 0.
 */
static void
neighbour_weights(const KnnModel *m, KnnScratch *s)
{
	int			k = knn_k(m);
	bool		exact = false;

	for (int i = 0; i < k; i++)
		exact |= s->dist[i] == 0.0;
	for (int i = 0; i < k; i++)
	{
		if (!m->weighted)
			s->weight[i] = 1.0;
		else if (exact)
			s->weight[i] = s->dist[i] == 0.0 ? 1.0 : 0.0;
		else
			s->weight[i] = 1.0 / sqrt(s->dist[i]);
	}
	if (m->weighted && !exact)
	{
		/* relative to the nearest, so that no sum can overflow */
		double		top = 0.0;

		for (int i = 0; i < k; i++)
			top = fmax(top, s->weight[i]);
		for (int i = 0; i < k; i++)
			s->weight[i] = top > 0.0 ? s->weight[i] / top : 1.0;
	}
}

/*
 * Weighted mean of the neighbours' targets when the plain sum overflowed:
 * each weight is scaled first, and the result kept within the targets it
 * averages (rounding could otherwise carry it just past DBL_MAX).
 */
static double
weighted_mean_scaled(const KnnModel *m, const KnnScratch *s, double wsum)
{
	int			k = knn_k(m);
	double		v = 0.0;
	double		lo = INFINITY;
	double		hi = -INFINITY;

	for (int i = 0; i < k; i++)
	{
		double		y = m->y[s->index[i]];

		if (s->weight[i] == 0.0)
			continue;
		v += (s->weight[i] / wsum) * y;
		lo = fmin(lo, y);
		hi = fmax(hi, y);
	}
	return fmin(fmax(v, lo), hi);
}

/* Predict one row with the scratch space given. */
static void
knn_predict_with(const KnnModel *m, const double *q, KnnScratch *s,
				 double *out)
{
	int			k = knn_k(m);
	double		wsum = 0.0;

	find_neighbours(m, q, s);
	neighbour_weights(m, s);
	for (int i = 0; i < k; i++)
		wsum += s->weight[i];
	if (m->task == ML_CLASSIFICATION)
	{
		memset(s->votes, 0, sizeof(double) * m->nclasses);
		for (int i = 0; i < k; i++)
			s->votes[(int) m->y[s->index[i]]] += s->weight[i];
		for (int c = 0; c < m->nclasses; c++)
			out[c] = s->votes[c] / wsum;
	}
	else
	{
		double		v = 0.0;

		for (int i = 0; i < k; i++)
			v += s->weight[i] * m->y[s->index[i]];
		out[0] = v / wsum;
		/* targets near DBL_MAX: the sum can overflow, the mean cannot */
		if (!isfinite(out[0]))
			out[0] = weighted_mean_scaled(m, s, wsum);
	}
}

/* One row: a value, or nclasses vote fractions. */
static void
knn_predict(const void *model, const double *row, double *out)
{
	const KnnModel *m = model;
	KnnScratch	s;

	scratch_init(&s, m);
	knn_predict_with(m, row, &s, out);
	scratch_free(&s);
}

/* rows queries (column-major): each gathered into a row, then scanned. */
static void
knn_predict_batch(const void *model, const double *x, int64 rows, double *out)
{
	const KnnModel *m = model;
	int			width = m->task == ML_CLASSIFICATION ? m->nclasses : 1;
	double	   *q = am_alloc(sizeof(double) * (m->p + 1));
	KnnScratch	s;

	scratch_init(&s, m);
	for (int64 i = 0; i < rows; i++)
	{
		ML_CHECK_INTERRUPTS();
		for (int j = 0; j < m->p; j++)
			q[j] = x[(int64) j * rows + i];
		knn_predict_with(m, q, &s, out + i * width);
	}
	scratch_free(&s);
	am_free(q);
}

/* Is v a valid target for this task? */
static inline bool
valid_target(double v, MlTask task, int nclasses)
{
	if (task == ML_CLASSIFICATION)
		return v >= 0.0 && v < nclasses && v == floor(v);
	return isfinite(v);
}

/* fit of knn: validate and copy the training rows, transposed. */
static void *
knn_fit(const MlData *d, const MlHyperparams *hp, char *errbuf)
{
	KnnModel   *m;

	if (d->task == ML_CLASSIFICATION && d->nclasses < 2)
	{
		snprintf(errbuf, ML_ERRBUF_SIZE, "classification needs at least 2 classes");
		return NULL;
	}
	if (d->n < 1 || d->p < 0)
	{
		snprintf(errbuf, ML_ERRBUF_SIZE, "no training rows");
		return NULL;
	}
	if (d->n > KNN_MAX_ROWS || (double) d->n * d->p > KNN_MAX_VALUES)
	{
		snprintf(errbuf, ML_ERRBUF_SIZE,
				 "knn keeps its training rows: at most %d rows and %d values (rows x features), not %lld x %d",
				 KNN_MAX_ROWS, KNN_MAX_VALUES, (long long) d->n, d->p);
		return NULL;
	}
	if (hp->k < 1)
	{
		snprintf(errbuf, ML_ERRBUF_SIZE, "k must be at least 1");
		return NULL;
	}
	for (int64 i = 0; i < d->n; i++)
		if (!valid_target(d->y[i], d->task, d->nclasses))
		{
			snprintf(errbuf, ML_ERRBUF_SIZE, "invalid target %g in row %lld",
					 d->y[i], (long long) i);
			return NULL;
		}
	m = knn_model_new(d->p, (int) d->n, d->task, d->nclasses);
	m->k = hp->k;
	m->weighted = hp->distance_weighted;
	for (int j = 0; j < d->p; j++)
	{
		const double *col = d->x + (int64) j * d->n;

		ML_CHECK_INTERRUPTS();
		for (int i = 0; i < m->n; i++)
			m->rows[(size_t) i * d->p + j] = col[i];
	}
	memcpy(m->y, d->y, sizeof(double) * m->n);
	return m;
}

/*
 * Image: u8 version, u32 p, u8 task, u32 nclasses, u32 k, u8 weighted,
 * u32 n, then the n * p row-major values and the n targets.
 */
static void
knn_write(MlWriter *w, const void *model)
{
	const KnnModel *m = model;

	ml_put_u8(w, KNN_IMAGE_VERSION);
	ml_put_u32(w, (uint32) m->p);
	ml_put_u8(w, (uint8) m->task);
	ml_put_u32(w, (uint32) m->nclasses);
	ml_put_u32(w, (uint32) m->k);
	ml_put_u8(w, m->weighted ? 1 : 0);
	ml_put_u32(w, (uint32) m->n);
	ml_put_f64s(w, m->rows, (size_t) m->n * m->p);
	ml_put_f64s(w, m->y, m->n);
}

/* Read and validate an image written by knn_write. */
static void *
knn_read(MlReader *r, int p, MlTask task, int nclasses)
{
	KnnModel   *m;
	uint32		np;
	uint32		ntask;
	uint32		nk;
	uint32		k;
	uint8		weighted;
	uint32		n;
	size_t		nvalues;

	if (p < 0 || (task == ML_CLASSIFICATION && nclasses < 2))
		return NULL;
	if (ml_get_u8(r) != KNN_IMAGE_VERSION)
		return NULL;
	np = ml_get_u32(r);
	ntask = ml_get_u8(r);
	nk = ml_get_u32(r);
	k = ml_get_u32(r);
	weighted = ml_get_u8(r);
	if (!ml_reader_ok(r) || np != (uint32) p || ntask != (uint32) task ||
		nk != (uint32) (task == ML_CLASSIFICATION ? nclasses : 0) ||
		k < 1 || k > INT32_MAX || weighted > 1)
		return NULL;
	/* each row: p values and a target */
	n = ml_get_count(r, sizeof(double) * ((size_t) p + 1), KNN_MAX_ROWS);
	if (!ml_reader_ok(r) || n < 1 || (double) n * p > KNN_MAX_VALUES)
		return NULL;
	nvalues = (size_t) n * p;
	m = knn_model_new(p, (int) n, task, nclasses);
	m->k = (int) k;
	m->weighted = weighted == 1;
	ml_get_f64s(r, m->rows, nvalues);
	ml_get_f64s(r, m->y, n);
	if (!ml_reader_ok(r))
		goto bad;
	for (size_t i = 0; i < nvalues; i++)
		if (!isfinite(m->rows[i]))
			goto bad;
	for (uint32 i = 0; i < n; i++)
		if (!valid_target(m->y[i], task, nclasses))
			goto bad;
	return m;
bad:
	knn_model_free(m);
	return NULL;
}

/* Variance of each feature over the training rows (see the file header). */
static void
knn_importance(const void *model, double *imp)
{
	const KnnModel *m = model;

	for (int j = 0; j < m->p; j++)
	{
		double		mean = 0.0;
		double		ss = 0.0;

		for (int i = 0; i < m->n; i++)
			mean += m->rows[(size_t) i * m->p + j];
		mean /= m->n;
		for (int i = 0; i < m->n; i++)
		{
			double		dv = m->rows[(size_t) i * m->p + j] - mean;

			ss += dv * dv;
		}
		imp[j] = isfinite(ss) ? ss / m->n : 0.0;
	}
}

const MlAlgorithm ml_knn = {
	.name = "knn",
	.id = 10,
	.regression = true,
	.classification = true,
	.one_hot = true,
	.fit = knn_fit,
	.predict = knn_predict,
	.predict_batch = knn_predict_batch,
	.write = knn_write,
	.read = knn_read,
	.importance = knn_importance,
};

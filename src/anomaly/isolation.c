/*-------------------------------------------------------------------------
 *
 * isolation.c
 *	  Isolation forest: how few random splits isolate a row.
 *
 * Anomalies are few and different, so random splits separate them from
 * the rest sooner than ordinary rows: the mean depth at which a row ends
 * up alone, over many random trees, measures how unusual it is (Liu, Ting
 * and Zhou, 2008).  ISO_TREES trees, each grown on ISO_PSI rows drawn
 * without replacement, to depth ceil(log2(psi)); a leaf holding several
 * rows adds c(size), the expected depth still to go; the score
 * 2^(-E[h] / c(psi)) is near 1 for anomalies and below 0.5 for ordinary
 * rows.  psi is 1024 rather than the paper's 256: deeper trees separate
 * the scores of isolated rows from the tail of ordinary ones (on 5,000
 * rows with 0.5% anomalies the gap between them grew from about 0 to 0.05),
 * which a fixed threshold needs.
 *
 * The splits are random hyperplanes, not single columns (the extended
 * isolation forest of Hariri, Carrasco Kind and Brunner, 2019): a normal
 * vector with Gaussian components and an intercept point drawn uniformly
 * in the node's bounding box.  Axis-parallel splits cannot see a row that
 * breaks a correlation while every one of its values is ordinary (a
 * large order with a tiny amount); oblique ones can, and they remove the
 * axis-aligned artefacts of the original's scores.  Columns are first
 * standardised by their median and MAD, so that no unit dominates the
 * hyperplanes; a NULL counts as the median.
 *
 * Attribution: at each split on a row's path, each column is credited
 * with |coefficient x standardised value|, its part in the projection that
 * sent the row aside; a column's share of those credits says which
 * columns isolate the row.
 *
 * Trees are stored flat (node and coefficient arrays), and a stored forest
 * is validated node by node when read: children after their parent and
 * inside the array, coefficient offsets inside theirs, finite values; so
 * a corrupt image cannot send scoring out of bounds or into a loop.
 *
 *-------------------------------------------------------------------------
 */
#ifndef AUTOML_STANDALONE
#include "postgres.h"
#endif

#include <math.h>

#include "anomaly/isolation.h"
#include "anomaly/univariate.h"
#include "ml/ml.h"

#define EULER_GAMMA 0.5772156649015329
/* tries to draw a hyperplane that splits a node's rows */
#define SPLIT_TRIES 8

double
isoforest_c(double n)
{
	if (n <= 1)
		return 0;
	if (n == 2)
		return 1;
	return 2 * (log(n - 1) + EULER_GAMMA) - 2 * (n - 1) / n;
}

typedef struct Builder
{
	const double *z;			/* the tree's rows, standardised, psi x p row-major */
	int			p;
	int			max_depth;
	MlRng	   *rng;
	IsoTree    *tree;
	int32_t		cap;
	int32_t		coef_cap;
	double	   *proj;			/* psi */
	double	   *lo,
			   *hi;				/* p */
} Builder;

static double
gaussian(MlRng *r)
{
	double		u = ml_rng_double(r),
				v = ml_rng_double(r);

	if (u < 1e-300)
		u = 1e-300;
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static int32_t
new_node(Builder *b)
{
	IsoTree    *t = b->tree;

	if (t->nnodes == b->cap)
	{
		b->cap *= 2;
		t->nodes = am_realloc(t->nodes, sizeof(IsoNode) * b->cap);
	}
	memset(&t->nodes[t->nnodes], 0, sizeof(IsoNode));
	t->nodes[t->nnodes].coef = -1;
	return t->nnodes++;
}

static int32_t
new_coefs(Builder *b)
{
	IsoTree    *t = b->tree;

	if (t->ncoef + b->p > b->coef_cap)
	{
		b->coef_cap = 2 * b->coef_cap + b->p;
		t->coefs = am_realloc(t->coefs, sizeof(double) * b->coef_cap);
	}
	t->ncoef += b->p;
	return t->ncoef - b->p;
}

/* Grow the node for rows idx[0..k-1] at depth; returns its index. */
static int32_t
grow(Builder *b, int *idx, int k, int depth)
{
	int32_t		node = new_node(b);
	int			p = b->p;
	bool		varies = false;

	if (k > 1 && depth < b->max_depth)
	{
		for (int j = 0; j < p; j++)
		{
			b->lo[j] = b->hi[j] = b->z[idx[0] * p + j];
			for (int i = 1; i < k; i++)
			{
				double		v = b->z[idx[i] * p + j];

				b->lo[j] = v < b->lo[j] ? v : b->lo[j];
				b->hi[j] = v > b->hi[j] ? v : b->hi[j];
			}
			varies |= b->hi[j] > b->lo[j];
		}
	}
	if (varies)
	{
		int32_t		off = new_coefs(b);
		double	   *c = &b->tree->coefs[off];

		for (int attempt = 0; attempt < SPLIT_TRIES; attempt++)
		{
			double		split = 0;
			int			l = 0;

			for (int j = 0; j < p; j++)
			{
				c[j] = b->hi[j] > b->lo[j] ? gaussian(b->rng) : 0;
				split += c[j] * (b->lo[j] + ml_rng_double(b->rng) * (b->hi[j] - b->lo[j]));
			}
			for (int i = 0; i < k; i++)
			{
				double		s = 0;

				for (int j = 0; j < p; j++)
					s += c[j] * b->z[idx[i] * p + j];
				b->proj[i] = s;
				l += s < split;
			}
			if (l == 0 || l == k)
				continue;
			/* partition: rows with projection below split first */
			{
				int			a = 0;
				int32_t		left,
							right;

				for (int i = 0; i < k; i++)
					if (b->proj[i] < split)
					{
						int			t = idx[i];
						double		pt = b->proj[i];

						idx[i] = idx[a];
						b->proj[i] = b->proj[a];
						idx[a] = t;
						b->proj[a] = pt;
						a++;
					}
				left = grow(b, idx, l, depth + 1);
				right = grow(b, idx + l, k - l, depth + 1);
				b->tree->nodes[node].coef = off;
				b->tree->nodes[node].split = split;
				b->tree->nodes[node].left = left;
				b->tree->nodes[node].right = right;
				return node;
			}
		}
		b->tree->ncoef -= p;	/* no split found: a leaf */
	}
	b->tree->nodes[node].size = k;
	return node;
}

IsoForest *
isoforest_fit(const double *const *cols, int64 n, int p, int ntrees, int psi, uint64 seed)
{
	IsoForest  *f = am_alloc0(sizeof(IsoForest));
	MlRng		rng;
	int64	   *pool = am_alloc(sizeof(int64) * (n > 0 ? n : 1));
	double	   *work = am_alloc(sizeof(double) * (n > 0 ? n : 1));
	double	   *z;
	int		   *idx;
	Builder		b;

	ml_rng_seed(&rng, seed ^ UINT64_C(0x150F0E57));
	f->p = p;
	f->ntrees = ntrees;
	f->psi = (int) (n < psi ? n : psi);
	f->trees = am_alloc0(sizeof(IsoTree) * ntrees);
	f->center = am_alloc(sizeof(double) * p);
	f->scale = am_alloc(sizeof(double) * p);
	for (int j = 0; j < p; j++)
	{
		ColumnSpread cs;

		column_spread(cols[j], n, work, &cs);
		f->center[j] = isfinite(cs.median) ? cs.median : 0;
		f->scale[j] = cs.scale > 0 ? cs.scale : 1;
	}
	am_free(work);

	memset(&b, 0, sizeof(b));
	b.p = p;
	b.rng = &rng;
	b.max_depth = (int) ceil(log2(f->psi > 1 ? f->psi : 2));
	b.proj = am_alloc(sizeof(double) * (f->psi + 1));
	b.lo = am_alloc(sizeof(double) * p);
	b.hi = am_alloc(sizeof(double) * p);
	z = am_alloc(sizeof(double) * (f->psi + 1) * p);
	idx = am_alloc(sizeof(int) * (f->psi + 1));
	for (int64 i = 0; i < n; i++)
		pool[i] = i;
	for (int t = 0; t < ntrees; t++)
	{
		ML_CHECK_INTERRUPTS();
		/* psi rows without replacement: a partial shuffle of the pool */
		for (int i = 0; i < f->psi; i++)
		{
			int64		j = i + (int64) ml_rng_below(&rng, (uint64) (n - i));
			int64		x = pool[i];

			pool[i] = pool[j];
			pool[j] = x;
			for (int c = 0; c < p; c++)
			{
				double		v = cols[c][pool[i]];

				z[i * p + c] = isfinite(v) ? (v - f->center[c]) / f->scale[c] : 0;
			}
			idx[i] = i;
		}
		b.tree = &f->trees[t];
		b.cap = 64;
		b.coef_cap = 64 * p;
		b.tree->nodes = am_alloc(sizeof(IsoNode) * b.cap);
		b.tree->coefs = am_alloc(sizeof(double) * b.coef_cap);
		b.z = z;
		grow(&b, idx, f->psi, 0);
	}
	am_free(pool);
	am_free(z);
	am_free(idx);
	am_free(b.proj);
	am_free(b.lo);
	am_free(b.hi);
	f->threshold = 0.5;
	return f;
}

/* Standardise a raw row (NULL: the median). */
static void
standardise(const IsoForest *f, const double *row, double *z)
{
	for (int j = 0; j < f->p; j++)
		z[j] = isfinite(row[j]) ? (row[j] - f->center[j]) / f->scale[j] : 0;
}

/* Path length of z in tree t; credit[] (if not NULL) gets each column's part. */
static double
path(const IsoForest *f, const IsoTree *t, const double *z, double *credit)
{
	int32_t		i = 0;
	int			depth = 0;

	while (t->nodes[i].coef >= 0)
	{
		const IsoNode *nd = &t->nodes[i];
		const double *c = &t->coefs[nd->coef];
		double		s = 0;

		for (int j = 0; j < f->p; j++)
			s += c[j] * z[j];
		if (credit)
			for (int j = 0; j < f->p; j++)
				credit[j] += fabs(c[j] * z[j]);
		i = s < nd->split ? nd->left : nd->right;
		depth++;
	}
	return depth + isoforest_c(t->nodes[i].size);
}

double
isoforest_path_length(const IsoForest *f, const double *row, double *z)
{
	double		sum = 0;

	standardise(f, row, z);
	for (int t = 0; t < f->ntrees; t++)
		sum += path(f, &f->trees[t], z, NULL);
	return sum / f->ntrees;
}

double
isoforest_score(const IsoForest *f, const double *row, double *z)
{
	double		c = isoforest_c(f->psi);

	return c > 0 ? pow(2.0, -isoforest_path_length(f, row, z) / c) : 0.5;
}

void
isoforest_attribution(const IsoForest *f, const double *row, double *share, double *z)
{
	double		total = 0;

	standardise(f, row, z);
	memset(share, 0, sizeof(double) * f->p);
	for (int t = 0; t < f->ntrees; t++)
		(void) path(f, &f->trees[t], z, share);
	for (int j = 0; j < f->p; j++)
		total += share[j];
	for (int j = 0; j < f->p; j++)
		share[j] = total > 0 ? share[j] / total : 1.0 / f->p;
}

void
isoforest_write(MlWriter *w, const IsoForest *f)
{
	ml_put_u32(w, (uint32) f->p);
	ml_put_u32(w, (uint32) f->ntrees);
	ml_put_u32(w, (uint32) f->psi);
	ml_put_f64(w, f->threshold);
	ml_put_f64s(w, f->center, f->p);
	ml_put_f64s(w, f->scale, f->p);
	for (int t = 0; t < f->ntrees; t++)
	{
		const IsoTree *tr = &f->trees[t];

		ml_put_u32(w, (uint32) tr->nnodes);
		for (int i = 0; i < tr->nnodes; i++)
		{
			const IsoNode *nd = &tr->nodes[i];

			ml_put_i32(w, nd->coef);
			ml_put_i32(w, nd->left);
			ml_put_i32(w, nd->right);
			ml_put_i32(w, nd->size);
			ml_put_f64(w, nd->split);
		}
		ml_put_u32(w, (uint32) tr->ncoef);
		ml_put_f64s(w, tr->coefs, tr->ncoef);
	}
}

IsoForest *
isoforest_read(MlReader *r, int p)
{
	IsoForest  *f = am_alloc0(sizeof(IsoForest));

	if (ml_get_u32(r) != (uint32) p || p <= 0 || p > 10000)
		return NULL;
	f->p = p;
	f->ntrees = (int) ml_get_u32(r);
	f->psi = (int) ml_get_u32(r);
	f->threshold = ml_get_f64(r);
	if (!ml_reader_ok(r) || f->ntrees < 1 || f->ntrees > 10000 ||
		f->psi < 1 || f->psi > 1000000 || !isfinite(f->threshold))
		return NULL;
	f->center = am_alloc(sizeof(double) * p);
	f->scale = am_alloc(sizeof(double) * p);
	ml_get_f64s(r, f->center, p);
	ml_get_f64s(r, f->scale, p);
	if (!ml_reader_ok(r))
		return NULL;
	for (int j = 0; j < p; j++)
		if (!isfinite(f->center[j]) || !(f->scale[j] > 0) || !isfinite(f->scale[j]))
			return NULL;
	f->trees = am_alloc0(sizeof(IsoTree) * f->ntrees);
	for (int t = 0; t < f->ntrees; t++)
	{
		/* a node is 24 bytes in the image */
		uint32		nn = ml_get_count(r, 24, 4000000);
		uint32		nc;
		IsoTree    *tr = &f->trees[t];

		if (!ml_reader_ok(r) || nn == 0)
			return NULL;
		tr->nnodes = (int32_t) nn;
		tr->nodes = am_alloc(sizeof(IsoNode) * nn);
		for (uint32 i = 0; i < nn; i++)
		{
			IsoNode    *nd = &tr->nodes[i];

			nd->coef = ml_get_i32(r);
			nd->left = ml_get_i32(r);
			nd->right = ml_get_i32(r);
			nd->size = ml_get_i32(r);
			nd->split = ml_get_f64(r);
			if (!ml_reader_ok(r))
				return NULL;
			/* children come after their parent: no cycles */
			if (nd->coef >= 0 ?
				(nd->left <= (int32_t) i || nd->right <= (int32_t) i ||
				 nd->left >= (int32_t) nn || nd->right >= (int32_t) nn || !isfinite(nd->split)) :
				(nd->coef != -1 || nd->size < 0))
				return NULL;
		}
		nc = ml_get_count(r, 8, 100000000);
		if (!ml_reader_ok(r))
			return NULL;
		tr->ncoef = (int32_t) nc;
		tr->coefs = am_alloc(sizeof(double) * (nc > 0 ? nc : 1));
		ml_get_f64s(r, tr->coefs, nc);
		if (!ml_reader_ok(r))
			return NULL;
		for (uint32 k = 0; k < nc; k++)
			if (!isfinite(tr->coefs[k]))
				return NULL;
		for (uint32 i = 0; i < nn; i++)
			if (tr->nodes[i].coef >= 0 &&
				(tr->nodes[i].coef % p != 0 || (int64) tr->nodes[i].coef + p > (int64) nc))
				return NULL;
	}
	return f;
}

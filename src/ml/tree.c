/*-------------------------------------------------------------------------
 *
 * tree.c
 *	  Histogram-based growth of decision trees, shared by decision_tree,
 *	  random_forest (forest.c) and gradient_boosting (gbdt.c).
 *
 * Binning.  Each feature is cut into at most max_bins bins at quantiles of
 * (a sample of at most TREE_BIN_SAMPLE rows of) its values; a feature with
 * no more distinct values than that gets one bin per value, so ordinal
 * category codes and small integer columns are split exactly.  The cut
 * between two neighbouring values is their midpoint.  The codes are uint8
 * and column-major, so the histogram of a feature walks one byte array.
 *
 * Growth.  A tree owns an index array of its rows; every node is a
 * contiguous range of it, and splitting a node partitions its range in
 * place (stable, so the indices stay ascending and the gathers stay
 * cache-friendly).  A node's histogram holds, per bin, the sums of the
 * gradient channels, of the hessian and the row count; the best split of
 * a feature is one left-to-right scan of its bins.  When a node is split,
 * only the child with fewer rows gets its histogram built: the other one
 * is the parent's minus it (the subtraction trick), computed in place in
 * the parent's buffer.  Children that cannot be split (depth limit, too
 * few rows or too little hessian) get no histogram at all.  Gradients are
 * gathered once per histogram build into a contiguous array in the order
 * of the node's rows, so each feature's pass reads them sequentially.
 *
 * Splittable leaves wait in a priority queue.  With a leaf limit
 * (max_leaves > 0) the leaf of largest gain is split first (best-first,
 * like LightGBM), bounded by max_depth if set; otherwise every split that
 * meets the constraints is made, which gives the same tree as depth-wise
 * growth, and the queue is used as a stack (depth-first) so that few
 * histograms are alive at once.  Histograms live in a pool bounded by
 * TREE_HIST_POOL_BYTES; a leaf that found no free buffer is evaluated in a
 * scratch buffer and, when split later, has both children built directly.
 *
 * With mtry > 0 (random forests) each node draws its own features: the
 * histogram of the drawn features is built directly for every child (the
 * parent's histogram covers other features, so there is nothing to
 * subtract), and if none of them gives a valid split the remaining
 * features are tried, as scikit-learn does.  Such histograms are never
 * subtracted from, so for small nodes only the range of bins the node's
 * rows occupy is cleared and searched: unlimited-depth forests have
 * thousands of nodes of a few rows each.
 *
 * Split gain is the loss reduction of XGBoost's second-order objective:
 * 0.5 * (sum_c GL_c^2/(HL+lambda) + GR_c^2/(HR+lambda) - G_c^2/(H+lambda)),
 * which for unit hessians and lambda = 0 is half the decrease in squared
 * error (variance reduction), and for class indicators half the decrease
 * in Gini impurity times the node weight.
 *
 * Prediction.  Trees are arrays of 16-byte nodes, children adjacent and
 * after their parent.  A leaf points to itself with a +inf threshold, so a
 * row can take exactly "depth" steps without testing for leaves: batch
 * prediction walks eight rows of a row-major block in lockstep through
 * one tree, with no unpredictable branches, while the tree stays in cache.
 *
 * Explanation.  trees_shap computes the Shapley values of the features for
 * the path-dependent conditional expectation of Lundberg, Erion and Lee
 * ("Consistent Individualized Feature Attribution for Tree Ensembles",
 * 2018, Algorithm 2): the value of a feature set S is the tree's output
 * when the features of S take the row's values and the others are
 * integrated out down both branches of each split, in the proportions of
 * the children's covers.  The walk carries, along the path from the root,
 * one entry per distinct feature split on so far: the fraction of cover
 * that follows the path when the feature is unknown ("zeros"), whether
 * the row follows it ("ones"), and the permutation weights of the subsets
 * of each size.  Reaching a leaf, each feature's contribution is its
 * ones minus zeros times the weights summed with the feature taken out
 * (the path "unwound").  A feature split on twice on one path keeps one
 * entry whose fractions are the products.  This costs O(L D^2) per tree,
 * L leaves, D the longest path's distinct features.
 *
 * The recursion goes first into the child with fewer nodes and continues
 * in a loop with the other, so at most log2(nodes) path copies are alive
 * whatever the tree's depth (a chain-shaped tree read from an image
 * cannot exhaust the stack).  The base value is each tree's expectation
 * with no feature known, computed bottom-up with the same cover
 * fractions: the cover-weighted mean of its leaves.
 *
 *-------------------------------------------------------------------------
 */
#include "tree.h"

#include <math.h>
#include <stdio.h>

#define TREE_BIN_SAMPLE		200000	/* rows used to choose the cuts */
#define TREE_HIST_POOL_BYTES ((size_t) 128 * 1024 * 1024)
#define TREE_LOCKSTEP_DEPTH	32	/* deeper trees walk rows one by one */
#define TREE_BLOCK_DOUBLES	16384	/* prediction block: rows * p */
#define TREE_COVER_RTOL		1e-9	/* children's covers sum to the parent's */
#define TREE_MAX_COVER		9007199254740992.0	/* 2^53, exact counts */

/*
 * The growth workspace, reused by every tree of a model.  Per-node arrays
 * are indexed by node number and grow with the tree.
 */
struct TreeGrower
{
	const TreeBinned *b;
	TreeGrowParams prm;
	int			nout;			/* gradient channels */
	int			gstride;		/* floats per row of gradients: nout + 1 */
	int			hstride;		/* doubles per histogram bin: nout + 2 */
	size_t		hist_doubles;	/* one histogram over every feature */

	/* the current tree's inputs */
	const float *grad;
	const int  *feats;
	int			nfeats;
	MlRng	   *rng;
	bool		identity;		/* idx is 0..n-1 (root of an unsampled tree) */

	/* rows, partitioned by node */
	int32_t    *idx;
	int32_t    *tmp;
	float	   *ordered;		/* gradients gathered in a node's row order */

	/* histogram pool */
	double	  **slots;
	int			nslots;
	int			maxslots;
	int		   *freelist;
	int			nfree;
	double	   *scratch;

	/* nodes */
	int64		cap;
	int64		nnodes;
	TreeNode   *nodes;
	double	   *gains;
	double	   *sums;			/* hstride per node: G_c..., H, count */
	double	   *split_left;		/* hstride per node: left sums of the best
								 * split found */
	double	   *split_gain;
	int32_t    *split_feature;	/* -1: no valid split */
	int32_t    *split_bin;
	int64	   *begin;
	int64	   *end;
	int32_t    *depth;
	int32_t    *slot;			/* histogram kept for the subtraction, or -1 */

	/* splittable leaves: a binary heap, or a stack when depth-first */
	int32_t    *queue;
	int64		nqueue;

	/* leaves of the last tree grown */
	int32_t    *leaves;
	int64		nleaves;

	int		   *draw;			/* per-split feature sample */
	uint8	   *rlo;			/* per feature: bins lo..hi of the last */
	uint8	   *rhi;			/* narrow histogram build (see hist_build) */
};

/* ---------------------------------------------------------------------
 * Sorting
 * ---------------------------------------------------------------------
 */

/* An unsigned key that orders like the double (-0.0 just before +0.0). */
static inline uint64
double_key(double v)
{
	uint64		b;

	memcpy(&b, &v, 8);
	return (b >> 63) ? ~b : b | (UINT64_C(1) << 63);
}

/* The double of a key made by double_key. */
static inline double
key_double(uint64 k)
{
	uint64		b = (k >> 63) ? k ^ (UINT64_C(1) << 63) : ~k;
	double		v;

	memcpy(&v, &b, 8);
	return v;
}

/*
 * Sort finite doubles ascending: LSD radix sort of their keys in six
 * 11-bit digits, skipping digits all keys share (the sign and exponent
 * of a column often are).  k1 and k2 hold n keys each.  Linear time and
 * about ten times faster than a comparison sort on the columns binning
 * sorts.
 */
static void
sort_doubles(double *a, int64 n, uint64 *k1, uint64 *k2)
{
	enum
	{
		RADIX_BITS = 11, RADIX = 1 << RADIX_BITS, NDIGITS = 6
	};
	int64	   *count = am_alloc0(sizeof(int64) * RADIX * NDIGITS);

	for (int64 i = 0; i < n; i++)
	{
		uint64		k = double_key(a[i]);

		k1[i] = k;
		for (int d = 0; d < NDIGITS; d++)
			count[d * RADIX + ((k >> (d * RADIX_BITS)) & (RADIX - 1))]++;
	}
	for (int d = 0; d < NDIGITS; d++)
	{
		int64	   *c = count + d * RADIX;
		int64		sum = 0;
		bool		trivial = false;
		uint64	   *t;

		for (int v = 0; v < RADIX; v++)
		{
			int64		cnt = c[v];

			trivial = trivial || cnt == n;
			c[v] = sum;
			sum += cnt;
		}
		if (trivial)
			continue;
		for (int64 i = 0; i < n; i++)
			k2[c[(k1[i] >> (d * RADIX_BITS)) & (RADIX - 1)]++] = k1[i];
		t = k1;
		k1 = k2;
		k2 = t;
	}
	for (int64 i = 0; i < n; i++)
		a[i] = key_double(k1[i]);
	am_free(count);
}

/* ---------------------------------------------------------------------
 * Binning
 * ---------------------------------------------------------------------
 */

/* A threshold separating a < b: their midpoint, or a if that rounds up. */
static double
cut_between(double a, double b)
{
	double		m = a / 2 + b / 2;

	if (!(m >= a && m < b))
		m = a;
	return m;
}

/*
 * Choose the cuts of one feature from its sorted sample v[0..s): one bin
 * per distinct value when they fit, otherwise bins of about equal counts
 * (a value is never split across bins; a frequent one fills a bin alone).
 * Returns the number of cuts (at most max_bins - 1).
 */
static int
bin_make_cuts(const double *v, int64 s, int max_bins, double *cuts)
{
	int64		ndistinct = s > 0 ? 1 : 0;
	int64		rows_left = s;
	int64		acc = 0;
	int			bins_left = max_bins;
	int			ncuts = 0;
	int64		i = 0;

	for (int64 k = 1; k < s; k++)
		ndistinct += v[k] != v[k - 1];
	while (i < s)
	{
		int64		j = i + 1;

		while (j < s && v[j] == v[i])
			j++;
		acc += j - i;
		ndistinct--;
		if (j == s)
			break;
		if (bins_left > 1 &&
			(acc * (double) bins_left >= (double) rows_left ||
			 ndistinct < bins_left))
		{
			cuts[ncuts++] = cut_between(v[i], v[j]);
			rows_left -= acc;
			acc = 0;
			bins_left--;
		}
		i = j;
	}
	return ncuts;
}

/*
 * Codes of x[0..n): for each value the number of cuts below it.  A
 * branch-free binary search whose steps depend only on ncuts, run on
 * eight values in lockstep so that their loads overlap.
 */
static void
bin_codes(const double *cuts, int ncuts, const double *x, int64 n,
		  uint8 *code)
{
	int64		i = 0;

	if (ncuts == 0)
	{
		memset(code, 0, n);
		return;
	}
	for (; i + 8 <= n; i += 8)
	{
		const double *b[8];
		int			len = ncuts;

		for (int l = 0; l < 8; l++)
			b[l] = cuts;
		while (len > 1)
		{
			int			half = len / 2;

			for (int l = 0; l < 8; l++)
				b[l] = b[l][half - 1] < x[i + l] ? b[l] + half : b[l];
			len -= half;
		}
		for (int l = 0; l < 8; l++)
			code[i + l] = (uint8) ((b[l] - cuts) + (*b[l] < x[i + l]));
	}
	for (; i < n; i++)
	{
		const double *b = cuts;
		int			len = ncuts;

		while (len > 1)
		{
			int			half = len / 2;

			b = b[half - 1] < x[i] ? b + half : b;
			len -= half;
		}
		code[i] = (uint8) ((b - cuts) + (*b < x[i]));
	}
}

/*
 * Bin every feature of d into at most max_bins (2..255) bins.  The cuts
 * come from all rows, or from TREE_BIN_SAMPLE rows drawn with the seed.
 */
TreeBinned *
tree_bin(const MlData *d, int max_bins, uint64 seed)
{
	TreeBinned *b = am_alloc0(sizeof(TreeBinned));
	int64		n = d->n;
	int			p = d->p;
	int64		s = n < TREE_BIN_SAMPLE ? n : TREE_BIN_SAMPLE;
	int64	   *sample = NULL;
	double	   *buf;
	uint64	   *k1,
			   *k2;
	double		cuts[TREE_MAX_BINS];
	int			total = 0;

	if (max_bins < 2)
		max_bins = 2;
	if (max_bins > TREE_MAX_BINS)
		max_bins = TREE_MAX_BINS;
	b->n = n;
	b->p = p;
	b->codes = am_alloc((size_t) (n > 0 ? n : 1) * (p > 0 ? p : 1));
	b->nbins = am_alloc(sizeof(int) * (p + 1));
	b->offset = am_alloc(sizeof(int) * (p + 1));
	b->cuts = am_alloc(sizeof(double) * ((size_t) p * max_bins + 1));
	buf = am_alloc(sizeof(double) * (s > 0 ? s : 1));
	k1 = am_alloc(sizeof(uint64) * (s > 0 ? s : 1));
	k2 = am_alloc(sizeof(uint64) * (s > 0 ? s : 1));

	if (s < n)
	{
		/* selection sampling: s rows, ascending, each row equally likely */
		MlRng		rng;
		int64		need = s;

		ml_rng_seed(&rng, seed ^ UINT64_C(0x62696e73));
		sample = am_alloc(sizeof(int64) * s);
		for (int64 i = 0; i < n && need > 0; i++)
			if ((int64) ml_rng_below(&rng, (uint64) (n - i)) < need)
				sample[s - need--] = i;
	}

	for (int j = 0; j < p; j++)
	{
		const double *col = d->x + (size_t) j * n;
		int			ncuts;

		ML_CHECK_INTERRUPTS();
		for (int64 i = 0; i < s; i++)
			buf[i] = sample ? col[sample[i]] : col[i];
		sort_doubles(buf, s, k1, k2);
		ncuts = bin_make_cuts(buf, s, max_bins, cuts);
		b->offset[j] = total;
		b->nbins[j] = ncuts + 1;
		memcpy(b->cuts + total, cuts, sizeof(double) * ncuts);
		b->cuts[total + ncuts] = INFINITY;
		total += ncuts + 1;
		bin_codes(cuts, ncuts, col, n, b->codes + (size_t) j * n);
	}
	b->offset[p] = total;
	am_free(buf);
	am_free(k1);
	am_free(k2);
	if (sample)
		am_free(sample);
	return b;
}

/* Free what tree_bin allocated. */
void
tree_binned_free(TreeBinned *b)
{
	am_free(b->codes);
	am_free(b->nbins);
	am_free(b->offset);
	am_free(b->cuts);
	am_free(b);
}

/* List the features with at least two bins (the others cannot split). */
int
tree_active_features(const TreeBinned *b, int *features)
{
	int			k = 0;

	for (int j = 0; j < b->p; j++)
		if (b->nbins[j] > 1)
			features[k++] = j;
	return k;
}

/*
 * Largest |y|, or 1 if all are 0: regression targets are divided by it so
 * that any finite target fits the float gradients (splits do not depend
 * on the scale; callers compute leaf values in the raw units).
 */
double
tree_target_scale(const MlData *d)
{
	double		scale = 0;

	for (int64 i = 0; i < d->n; i++)
		if (fabs(d->y[i]) > scale)
			scale = fabs(d->y[i]);
	return scale > 0 ? scale : 1.0;
}

/* ---------------------------------------------------------------------
 * Growth workspace
 * ---------------------------------------------------------------------
 */

/* Grow the per-node arrays to hold at least want nodes. */
static void
grower_reserve(TreeGrower *g, int64 want)
{
	int64		cap = g->cap;
	int			hs = g->hstride;

	if (want <= cap)
		return;
	while (cap < want)
		cap *= 2;
	g->nodes = am_realloc(g->nodes, sizeof(TreeNode) * cap);
	g->gains = am_realloc(g->gains, sizeof(double) * cap);
	g->sums = am_realloc(g->sums, sizeof(double) * hs * cap);
	g->split_left = am_realloc(g->split_left, sizeof(double) * hs * cap);
	g->split_gain = am_realloc(g->split_gain, sizeof(double) * cap);
	g->split_feature = am_realloc(g->split_feature, sizeof(int32_t) * cap);
	g->split_bin = am_realloc(g->split_bin, sizeof(int32_t) * cap);
	g->begin = am_realloc(g->begin, sizeof(int64) * cap);
	g->end = am_realloc(g->end, sizeof(int64) * cap);
	g->depth = am_realloc(g->depth, sizeof(int32_t) * cap);
	g->slot = am_realloc(g->slot, sizeof(int32_t) * cap);
	g->queue = am_realloc(g->queue, sizeof(int32_t) * cap);
	g->leaves = am_realloc(g->leaves, sizeof(int32_t) * cap);
	g->cap = cap;
}

/*
 * A workspace for growing trees on b with nout gradient channels.  It
 * holds the row index arrays, the histogram pool and the node arrays.
 */
TreeGrower *
tree_grower_create(const TreeBinned *b, int nout, const TreeGrowParams *params)
{
	TreeGrower *g = am_alloc0(sizeof(TreeGrower));
	int64		n = b->n > 0 ? b->n : 1;
	size_t		hist_bytes;
	int64		cap = 64;

	g->b = b;
	g->prm = *params;
	if (g->prm.min_samples_leaf < 1)
		g->prm.min_samples_leaf = 1;
	if (!(g->prm.min_child_weight > 0))
		g->prm.min_child_weight = 0;
	if (!(g->prm.lambda > 0))
		g->prm.lambda = 0;
	if (!(g->prm.min_gain > 0))
		g->prm.min_gain = 0;
	g->nout = nout;
	g->gstride = nout + 1;
	g->hstride = nout + 2;
	g->hist_doubles = (size_t) b->offset[b->p] * g->hstride;
	if (g->hist_doubles == 0)
		g->hist_doubles = 1;
	hist_bytes = g->hist_doubles * sizeof(double);
	g->maxslots = (int) (TREE_HIST_POOL_BYTES / hist_bytes);
	if (g->maxslots < 2)
		g->maxslots = 2;
	if (g->maxslots > 4096)
		g->maxslots = 4096;
	g->slots = am_alloc0(sizeof(double *) * g->maxslots);
	g->freelist = am_alloc(sizeof(int) * g->maxslots);
	g->scratch = am_alloc(hist_bytes);
	g->idx = am_alloc(sizeof(int32_t) * n);
	g->tmp = am_alloc(sizeof(int32_t) * n);
	g->ordered = am_alloc(sizeof(float) * g->gstride * n);
	g->draw = am_alloc(sizeof(int) * (b->p > 0 ? b->p : 1));
	g->rlo = am_alloc0(b->p > 0 ? b->p : 1);
	g->rhi = am_alloc0(b->p > 0 ? b->p : 1);

	g->cap = cap;
	g->nodes = am_alloc(sizeof(TreeNode) * cap);
	g->gains = am_alloc(sizeof(double) * cap);
	g->sums = am_alloc(sizeof(double) * g->hstride * cap);
	g->split_left = am_alloc(sizeof(double) * g->hstride * cap);
	g->split_gain = am_alloc(sizeof(double) * cap);
	g->split_feature = am_alloc(sizeof(int32_t) * cap);
	g->split_bin = am_alloc(sizeof(int32_t) * cap);
	g->begin = am_alloc(sizeof(int64) * cap);
	g->end = am_alloc(sizeof(int64) * cap);
	g->depth = am_alloc(sizeof(int32_t) * cap);
	g->slot = am_alloc(sizeof(int32_t) * cap);
	g->queue = am_alloc(sizeof(int32_t) * cap);
	g->leaves = am_alloc(sizeof(int32_t) * cap);
	return g;
}

/* Free a workspace and its histogram pool. */
void
tree_grower_free(TreeGrower *g)
{
	for (int i = 0; i < g->nslots; i++)
		am_free(g->slots[i]);
	am_free(g->slots);
	am_free(g->freelist);
	am_free(g->scratch);
	am_free(g->idx);
	am_free(g->tmp);
	am_free(g->ordered);
	am_free(g->draw);
	am_free(g->rlo);
	am_free(g->rhi);
	am_free(g->nodes);
	am_free(g->gains);
	am_free(g->sums);
	am_free(g->split_left);
	am_free(g->split_gain);
	am_free(g->split_feature);
	am_free(g->split_bin);
	am_free(g->begin);
	am_free(g->end);
	am_free(g->depth);
	am_free(g->slot);
	am_free(g->queue);
	am_free(g->leaves);
	am_free(g);
}

/* A free histogram buffer of the pool, or -1 when the pool is exhausted. */
static int
slot_acquire(TreeGrower *g)
{
	if (g->nfree > 0)
		return g->freelist[--g->nfree];
	if (g->nslots < g->maxslots)
	{
		g->slots[g->nslots] = am_alloc(sizeof(double) * g->hist_doubles);
		return g->nslots++;
	}
	return -1;
}

/* Return a histogram buffer to the pool (-1: none, a no-op). */
static void
slot_release(TreeGrower *g, int s)
{
	if (s >= 0)
		g->freelist[g->nfree++] = s;
}

/* ---------------------------------------------------------------------
 * Histograms and split finding
 * ---------------------------------------------------------------------
 */

/*
 * Add cnt rows' {g, h} pairs (og, in the rows' order) to the one-channel
 * histograms of four features at once, so that each row's index and
 * gradient are loaded once for four bins.  idx NULL: rows 0..cnt-1.
 */
static void
hist_add4(const TreeBinned *b, const int *feats, const int32_t *idx,
		  const float *og, int64 cnt, double *hist)
{
	const uint8 *c0 = b->codes + (size_t) feats[0] * b->n;
	const uint8 *c1 = b->codes + (size_t) feats[1] * b->n;
	const uint8 *c2 = b->codes + (size_t) feats[2] * b->n;
	const uint8 *c3 = b->codes + (size_t) feats[3] * b->n;
	double	   *h0 = hist + (size_t) b->offset[feats[0]] * 3;
	double	   *h1 = hist + (size_t) b->offset[feats[1]] * 3;
	double	   *h2 = hist + (size_t) b->offset[feats[2]] * 3;
	double	   *h3 = hist + (size_t) b->offset[feats[3]] * 3;

	for (int64 k = 0; k < cnt; k++)
	{
		int64		i = idx ? idx[k] : k;
		double		gk = og[2 * k];
		double		hk = og[2 * k + 1];
		double	   *e0 = h0 + 3 * c0[i];
		double	   *e1 = h1 + 3 * c1[i];
		double	   *e2 = h2 + 3 * c2[i];
		double	   *e3 = h3 + 3 * c3[i];

		e0[0] += gk;
		e0[1] += hk;
		e0[2] += 1.0;
		e1[0] += gk;
		e1[1] += hk;
		e1[2] += 1.0;
		e2[0] += gk;
		e2[1] += hk;
		e2[2] += 1.0;
		e3[0] += gk;
		e3[1] += hk;
		e3[2] += 1.0;
	}
}

/* hist_add4 for a single feature. */
static void
hist_add1(const TreeBinned *b, int j, const int32_t *idx, const float *og,
		  int64 cnt, double *hist)
{
	const uint8 *col = b->codes + (size_t) j * b->n;
	double	   *h = hist + (size_t) b->offset[j] * 3;

	for (int64 k = 0; k < cnt; k++)
	{
		double	   *e = h + 3 * col[idx ? idx[k] : k];

		e[0] += og[2 * k];
		e[1] += og[2 * k + 1];
		e[2] += 1.0;
	}
}

/*
 * Build the histogram of rows idx[begin..end) over the listed features.
 * With one channel each bin is {G, H, count}; the loop reads the node's
 * gradients gathered in row order, and each feature's codes through the
 * index array (or directly at the root of an unsampled tree).
 *
 * narrow: the histogram is only searched, never subtracted from, so for a
 * node with few rows only the bins between its smallest and largest code
 * are cleared (and later searched: rlo/rhi).  Deep trees have thousands
 * of small nodes, where clearing and scanning 255 bins would dominate.
 */
static void
hist_build(TreeGrower *g, int64 begin, int64 end, const int *feats,
		   int nfeats, double *hist, bool narrow)
{
	const TreeBinned *b = g->b;
	int			hs = g->hstride;
	int			gs = g->gstride;
	int			nout = g->nout;
	int64		cnt = end - begin;
	const int32_t *idx = g->idx + begin;
	const float *og;

	for (int f = 0; f < nfeats; f++)
	{
		int			j = feats[f];
		int			lo = 0,
					hi = b->nbins[j] - 1;

		if (narrow && cnt > 0 && cnt * 2 < b->nbins[j])
		{
			const uint8 *col = b->codes + (size_t) j * b->n;

			lo = hi;
			hi = 0;
			for (int64 k = 0; k < cnt; k++)
			{
				int			c = col[g->identity ? k : idx[k]];

				lo = c < lo ? c : lo;
				hi = c > hi ? c : hi;
			}
		}
		g->rlo[j] = (uint8) lo;
		g->rhi[j] = (uint8) hi;
		memset(hist + ((size_t) b->offset[j] + lo) * hs, 0,
			   sizeof(double) * hs * (hi - lo + 1));
	}
	if (g->identity)
		og = g->grad;
	else
	{
		float	   *o = g->ordered;

		if (gs == 2)
			for (int64 k = 0; k < cnt; k++)
			{
				const float *src = g->grad + (size_t) idx[k] * 2;

				o[2 * k] = src[0];
				o[2 * k + 1] = src[1];
			}
		else
			for (int64 k = 0; k < cnt; k++)
				memcpy(o + (size_t) k * gs, g->grad + (size_t) idx[k] * gs,
					   sizeof(float) * gs);
		og = o;
	}

	if (nout == 1)
	{
		int			f = 0;

		for (; f + 4 <= nfeats; f += 4)
		{
			ML_CHECK_INTERRUPTS();
			hist_add4(b, feats + f, g->identity ? NULL : idx, og, cnt, hist);
		}
		for (; f < nfeats; f++)
			hist_add1(b, feats[f], g->identity ? NULL : idx, og, cnt, hist);
		return;
	}
	for (int f = 0; f < nfeats; f++)
	{
		int			j = feats[f];
		const uint8 *col = b->codes + (size_t) j * b->n;
		double	   *h = hist + (size_t) b->offset[j] * hs;

		if ((f & 7) == 0)
			ML_CHECK_INTERRUPTS();
		for (int64 k = 0; k < cnt; k++)
		{
			double	   *e = h + (size_t) hs * col[g->identity ? k : idx[k]];
			const float *o = og + (size_t) k * gs;

			for (int c = 0; c <= nout; c++)
				e[c] += o[c];
			e[nout + 1] += 1.0;
		}
	}
}

/* parent -= child over the listed features: the sibling's histogram. */
static void
hist_subtract(const TreeGrower *g, double *parent, const double *child,
			  const int *feats, int nfeats)
{
	const TreeBinned *b = g->b;
	int			hs = g->hstride;

	for (int f = 0; f < nfeats; f++)
	{
		size_t		o = (size_t) b->offset[feats[f]] * hs;
		size_t		len = (size_t) b->nbins[feats[f]] * hs;

		for (size_t k = 0; k < len; k++)
			parent[o + k] -= child[o + k];
	}
}

/* Score of a node with channel sums G, hessian H: sum_c G_c^2/(H+lambda). */
static inline double
node_score(const double *sums, int nout, double lambda)
{
	double		den = sums[nout] + lambda;
	double		s = 0;

	if (!(den > 0))
		return 0;
	for (int c = 0; c < nout; c++)
		s += sums[c] * sums[c];
	return s / den;
}

/*
 * Search the listed features of node's histogram for a better split than
 * the one recorded (split_feature -1 means none yet).  Candidates must
 * leave min_samples_leaf rows and min_child_weight hessian on each side.
 */
static void
find_split(TreeGrower *g, int32_t node, const double *hist, const int *feats,
		   int nfeats, bool narrow)
{
	const TreeBinned *b = g->b;
	int			nout = g->nout;
	int			hs = g->hstride;
	const double *tot = g->sums + (size_t) node * hs;
	double		lambda = g->prm.lambda;
	double		msl = g->prm.min_samples_leaf;
	double		mcw = g->prm.min_child_weight;
	double		parent = node_score(tot, nout, lambda);
	double		best = g->split_feature[node] >= 0 ?
		2 * g->split_gain[node] + parent : -INFINITY;
	int			best_f = -1;
	int			best_b = -1;
	double		stack_acc[64];
	double	   *acc = hs <= 64 ? stack_acc : am_alloc(sizeof(double) * hs);
	double	   *keep = g->split_left + (size_t) node * hs;

	for (int f = 0; f < nfeats; f++)
	{
		int			j = feats[f];
		int			lo = narrow ? g->rlo[j] : 0;
		int			hi = narrow ? g->rhi[j] : b->nbins[j] - 1;
		const double *h = hist + (size_t) b->offset[j] * hs;

		if (nout == 1)
		{
			double		gl = 0,
						hl = 0,
						cl = 0;
			double		G = tot[0],
						H = tot[1],
						C = tot[2];

			for (int k = lo; k < hi; k++)
			{
				const double *e = h + 3 * k;
				double		s;

				if (e[2] == 0)
					continue;
				gl += e[0];
				hl += e[1];
				cl += e[2];
				if (cl < msl || hl < mcw)
					continue;
				if (C - cl < msl)
					break;
				if (H - hl < mcw)
					continue;
				s = gl * gl / (hl + lambda) +
					(G - gl) * (G - gl) / (H - hl + lambda);
				if (s > best)
				{
					best = s;
					best_f = j;
					best_b = k;
					keep[0] = gl;
					keep[1] = hl;
					keep[2] = cl;
				}
			}
		}
		else
		{
			memset(acc, 0, sizeof(double) * hs);
			for (int k = lo; k < hi; k++)
			{
				const double *e = h + (size_t) hs * k;
				double		hl,
							hr,
							s = 0;

				if (e[nout + 1] == 0)
					continue;
				for (int c = 0; c < hs; c++)
					acc[c] += e[c];
				hl = acc[nout];
				hr = tot[nout] - hl;
				if (acc[nout + 1] < msl || hl < mcw)
					continue;
				if (tot[nout + 1] - acc[nout + 1] < msl)
					break;
				if (hr < mcw)
					continue;
				for (int c = 0; c < nout; c++)
				{
					double		gr = tot[c] - acc[c];

					s += acc[c] * acc[c] / (hl + lambda) + gr * gr / (hr + lambda);
				}
				if (s > best)
				{
					best = s;
					best_f = j;
					best_b = k;
					memcpy(keep, acc, sizeof(double) * hs);
				}
			}
		}
	}
	if (acc != stack_acc)
		am_free(acc);
	if (best_f >= 0)
	{
		g->split_feature[node] = best_f;
		g->split_bin[node] = best_b;
		g->split_gain[node] = 0.5 * (best - parent);
	}
}

/*
 * Whether node's best split is worth making: more than min_gain, and more
 * than rounding noise relative to the scores involved.
 */
static bool
split_is_useful(const TreeGrower *g, int32_t node)
{
	double		gain = g->split_gain[node];
	double		parent = node_score(g->sums + (size_t) node * g->hstride,
									g->nout, g->prm.lambda);

	return g->split_feature[node] >= 0 && gain > g->prm.min_gain &&
		gain > 1e-10 * (parent + 2 * gain);
}

/* Whether a node may be split at all (before looking at histograms). */
static bool
node_splittable(const TreeGrower *g, int32_t node)
{
	const double *s = g->sums + (size_t) node * g->hstride;
	double		count = s[g->nout + 1];

	if (g->prm.max_depth > 0 && g->depth[node] >= g->prm.max_depth)
		return false;
	if (count < 2 || count < 2.0 * g->prm.min_samples_leaf)
		return false;
	if (s[g->nout] < 2.0 * g->prm.min_child_weight)
		return false;
	return true;
}

/* ---------------------------------------------------------------------
 * The queue of splittable leaves
 * ---------------------------------------------------------------------
 */

/* Whether leaf a should be split before leaf b (larger gain, then lower id). */
static inline bool
queue_before(const TreeGrower *g, int32_t a, int32_t b)
{
	if (g->split_gain[a] != g->split_gain[b])
		return g->split_gain[a] > g->split_gain[b];
	return a < b;
}

/* Queue a splittable leaf: heap insertion, or a stack push when depth-first. */
static void
queue_push(TreeGrower *g, int32_t node)
{
	int64		i = g->nqueue++;

	g->queue[i] = node;
	if (g->prm.max_leaves <= 0)
		return;					/* depth-first: a stack */
	while (i > 0)
	{
		int64		parent = (i - 1) / 2;

		if (!queue_before(g, g->queue[i], g->queue[parent]))
			break;
		g->queue[i] = g->queue[parent];
		g->queue[parent] = node;
		i = parent;
	}
}

/* Take the next leaf to split: the best one, or the last pushed. */
static int32_t
queue_pop(TreeGrower *g)
{
	int32_t		top = g->queue[0];
	int64		n = --g->nqueue;
	int64		i = 0;

	if (g->prm.max_leaves <= 0)
		return g->queue[n];
	g->queue[0] = g->queue[n];
	for (;;)
	{
		int64		c = 2 * i + 1;
		int32_t		t;

		if (c >= n)
			break;
		if (c + 1 < n && queue_before(g, g->queue[c + 1], g->queue[c]))
			c++;
		if (!queue_before(g, g->queue[c], g->queue[i]))
			break;
		t = g->queue[i];
		g->queue[i] = g->queue[c];
		g->queue[c] = t;
		i = c;
	}
	return top;
}

/* ---------------------------------------------------------------------
 * Growing a tree
 * ---------------------------------------------------------------------
 */

/*
 * Evaluate node with its histogram over the tree's features; queue it if
 * its best split is useful.
 */
static bool
node_evaluate(TreeGrower *g, int32_t node, const double *hist)
{
	g->split_feature[node] = -1;
	find_split(g, node, hist, g->feats, g->nfeats, false);
	if (!split_is_useful(g, node))
		return false;
	queue_push(g, node);
	return true;
}

/*
 * Evaluate node on mtry features drawn for it (random forests), building
 * their histogram in the scratch buffer; if none splits, try the rest.
 */
static void
node_evaluate_sampled(TreeGrower *g, int32_t node)
{
	int			nf = g->nfeats;
	int			m = g->prm.mtry < nf ? g->prm.mtry : nf;
	int		   *draw = g->draw;

	memcpy(draw, g->feats, sizeof(int) * nf);
	for (int i = 0; i < m; i++)
	{
		int			k = i + (int) ml_rng_below(g->rng, (uint64) (nf - i));
		int			t = draw[i];

		draw[i] = draw[k];
		draw[k] = t;
	}
	g->split_feature[node] = -1;
	hist_build(g, g->begin[node], g->end[node], draw, m, g->scratch, true);
	find_split(g, node, g->scratch, draw, m, true);
	if (!split_is_useful(g, node) && m < nf)
	{
		hist_build(g, g->begin[node], g->end[node], draw + m, nf - m,
				   g->scratch, true);
		find_split(g, node, g->scratch, draw + m, nf - m, true);
	}
	if (split_is_useful(g, node))
		queue_push(g, node);
}

/* Initialise node as a leaf covering idx[begin..end) at depth. */
static void
node_init(TreeGrower *g, int32_t node, int64 begin, int64 end, int32_t depth)
{
	g->nodes[node].threshold = INFINITY;
	g->nodes[node].feature = 0;
	g->nodes[node].left = node;
	g->gains[node] = 0;
	g->begin[node] = begin;
	g->end[node] = end;
	g->depth[node] = depth;
	g->slot[node] = -1;
	g->split_feature[node] = -1;
}

/*
 * Partition idx[begin..end) stably: rows whose code of feature j is at
 * most bin first.  Branch-free: each row is written to both sides and the
 * side it belongs to advances.  Returns the start of the right part.
 */
static int64
partition_rows(TreeGrower *g, int64 begin, int64 end, int j, int bin)
{
	const uint8 *col = g->b->codes + (size_t) j * g->b->n;
	int32_t    *idx = g->idx;
	int32_t    *tmp = g->tmp;
	int64		w = begin;
	int64		r = 0;

	for (int64 k = begin; k < end; k++)
	{
		int32_t		i = idx[k];
		int			left = col[i] <= bin;

		idx[w] = i;
		tmp[r] = i;
		w += left;
		r += !left;
	}
	memcpy(idx + w, tmp, sizeof(int32_t) * r);
	return w;
}

/*
 * Evaluate the children l and r of a split node: with the parent's
 * histogram at hand, build the smaller child's and subtract for the other.
 */
static void
children_evaluate(TreeGrower *g, int32_t parent, int32_t l, int32_t r)
{
	bool		want_l = node_splittable(g, l);
	bool		want_r = node_splittable(g, r);
	int			ps = g->slot[parent];
	int32_t		small,
				large;
	bool		want_small,
				want_large;

	g->slot[parent] = -1;
	if (!want_l && !want_r)
	{
		slot_release(g, ps);
		return;
	}
	if (g->prm.mtry > 0)
	{
		slot_release(g, ps);
		if (want_l)
			node_evaluate_sampled(g, l);
		if (want_r)
			node_evaluate_sampled(g, r);
		return;
	}
	small = g->end[l] - g->begin[l] <= g->end[r] - g->begin[r] ? l : r;
	large = small == l ? r : l;
	want_small = small == l ? want_l : want_r;
	want_large = small == l ? want_r : want_l;

	if (ps >= 0)
	{
		int			ss = slot_acquire(g);
		double	   *sh = ss >= 0 ? g->slots[ss] : g->scratch;

		hist_build(g, g->begin[small], g->end[small], g->feats, g->nfeats, sh,
				   false);
		if (want_large)
		{
			hist_subtract(g, g->slots[ps], sh, g->feats, g->nfeats);
			if (node_evaluate(g, large, g->slots[ps]))
				g->slot[large] = ps;
			else
				slot_release(g, ps);
		}
		else
			slot_release(g, ps);
		if (want_small && node_evaluate(g, small, sh) && ss >= 0)
			g->slot[small] = ss;
		else
			slot_release(g, ss);
		return;
	}
	for (int c = 0; c < 2; c++)
	{
		int32_t		child = c == 0 ? small : large;
		int			s;
		double	   *h;

		if (!(c == 0 ? want_small : want_large))
			continue;
		s = slot_acquire(g);
		h = s >= 0 ? g->slots[s] : g->scratch;
		hist_build(g, g->begin[child], g->end[child], g->feats, g->nfeats, h,
				   false);
		if (node_evaluate(g, child, h) && s >= 0)
			g->slot[child] = s;
		else
			slot_release(g, s);
	}
}

/* Split a queued leaf at its best split and evaluate its two children. */
static void
node_split(TreeGrower *g, int32_t node)
{
	const TreeBinned *b = g->b;
	int			hs = g->hstride;
	int			j = g->split_feature[node];
	int			bin = g->split_bin[node];
	int64		mid;
	int32_t		l,
				r;
	double	   *ps,
			   *ls,
			   *rs;

	grower_reserve(g, g->nnodes + 2);
	l = (int32_t) g->nnodes;
	r = l + 1;
	g->nnodes += 2;
	mid = partition_rows(g, g->begin[node], g->end[node], j, bin);
	g->identity = false;

	g->nodes[node].feature = j;
	g->nodes[node].threshold = b->cuts[b->offset[j] + bin];
	g->nodes[node].left = l;
	g->gains[node] = g->split_gain[node];
	node_init(g, l, g->begin[node], mid, g->depth[node] + 1);
	node_init(g, r, mid, g->end[node], g->depth[node] + 1);

	ps = g->sums + (size_t) node * hs;
	ls = g->sums + (size_t) l * hs;
	rs = g->sums + (size_t) r * hs;
	memcpy(ls, g->split_left + (size_t) node * hs, sizeof(double) * hs);
	for (int c = 0; c < hs; c++)
		rs[c] = ps[c] - ls[c];
	/* counts exactly; hessians never below zero through rounding */
	ls[g->nout + 1] = (double) (mid - g->begin[node]);
	rs[g->nout + 1] = (double) (g->end[node] - mid);
	if (rs[g->nout] < 0)
		rs[g->nout] = 0;

	children_evaluate(g, node, l, r);
}

/* Sum the gradient channels, hessian and count of the root's rows. */
static void
root_sums(TreeGrower *g, int64 nrows, double *s)
{
	int			gs = g->gstride;

	memset(s, 0, sizeof(double) * g->hstride);
	for (int64 k = 0; k < nrows; k++)
	{
		const float *o = g->grad + (size_t) g->idx[k] * gs;

		for (int c = 0; c < gs; c++)
			s[c] += o[c];
	}
	s[gs] = (double) nrows;
}

/*
 * Copy the grown nodes into t, with leaf values -G_c / (H + lambda), and
 * covers: the hessian sums or the row counts (see Tree), which are exact
 * integers in both cases (unit or bootstrap-count hessians are summed in
 * double, and the right child's sums are the parent's minus the left's).
 */
static void
tree_finish(TreeGrower *g, Tree *t)
{
	int64		nn = g->nnodes;
	int			nout = g->nout;
	int32_t		depth = 0;

	t->nnodes = (int32_t) nn;
	t->nout = nout;
	t->nodes = am_alloc(sizeof(TreeNode) * nn);
	t->values = am_alloc0(sizeof(double) * nn * nout);
	t->gains = am_alloc(sizeof(double) * nn);
	t->cover = am_alloc(sizeof(double) * nn);
	memcpy(t->nodes, g->nodes, sizeof(TreeNode) * nn);
	memcpy(t->gains, g->gains, sizeof(double) * nn);
	g->nleaves = 0;
	for (int64 k = 0; k < nn; k++)
	{
		const double *s = g->sums + (size_t) k * g->hstride;
		double		den = s[nout] + g->prm.lambda;

		t->cover[k] = s[g->prm.weighted_cover ? nout : nout + 1];
		if (g->nodes[k].left != k)
			continue;
		g->leaves[g->nleaves++] = (int32_t) k;
		if (g->depth[k] > depth)
			depth = g->depth[k];
		for (int c = 0; c < nout; c++)
			t->values[k * nout + c] = den > 0 ? -s[c] / den : 0;
	}
	t->depth = depth;
}

/*
 * Grow one tree into t.  grad holds, for every row of the binned data,
 * nout gradient channels then the hessian (floats).  rows lists the rows
 * of this tree in ascending order (NULL: all rows); features the features
 * it may split on.  Afterwards tree_grower_leaf gives each leaf's rows.
 */
void
tree_grow(TreeGrower *g, const float *grad, const int32_t *rows, int64 nrows,
		  const int *features, int nfeatures, MlRng *rng, Tree *t)
{
	g->grad = grad;
	g->feats = features;
	g->nfeats = nfeatures;
	g->rng = rng;
	if (rows)
		memcpy(g->idx, rows, sizeof(int32_t) * nrows);
	else
	{
		nrows = g->b->n;
		for (int64 k = 0; k < nrows; k++)
			g->idx[k] = (int32_t) k;
	}
	g->identity = rows == NULL;
	g->nfree = 0;
	for (int s = g->nslots - 1; s >= 0; s--)
		g->freelist[g->nfree++] = s;
	g->nqueue = 0;
	g->nnodes = 1;
	node_init(g, 0, 0, nrows, 0);
	root_sums(g, nrows, g->sums);

	if (nfeatures > 0 && node_splittable(g, 0))
	{
		if (g->prm.mtry > 0)
			node_evaluate_sampled(g, 0);
		else
		{
			int			s = slot_acquire(g);
			double	   *h = s >= 0 ? g->slots[s] : g->scratch;

			hist_build(g, 0, nrows, g->feats, g->nfeats, h, false);
			if (node_evaluate(g, 0, h) && s >= 0)
				g->slot[0] = s;
			else
				slot_release(g, s);
		}
	}
	while (g->nqueue > 0)
	{
		ML_CHECK_INTERRUPTS();
		if (g->prm.max_leaves > 0 && (g->nnodes + 1) / 2 >= g->prm.max_leaves)
			break;
		node_split(g, queue_pop(g));
	}
	tree_finish(g, t);
}

/* Number of leaves of the last tree grown. */
int64
tree_grower_nleaves(const TreeGrower *g)
{
	return g->nleaves;
}

/* The k-th leaf of the last tree grown: its node and its rows. */
void
tree_grower_leaf(const TreeGrower *g, int64 k, int32_t *node,
				 const int32_t **rows, int64 *nrows)
{
	int32_t		leaf = g->leaves[k];

	*node = leaf;
	*rows = g->idx + g->begin[leaf];
	*nrows = g->end[leaf] - g->begin[leaf];
}

/* ---------------------------------------------------------------------
 * Fitted trees: prediction, importance, image
 * ---------------------------------------------------------------------
 */

/* Free a tree's arrays (the Tree itself belongs to the caller). */
void
tree_free(Tree *t)
{
	if (t->nodes)
		am_free(t->nodes);
	if (t->values)
		am_free(t->values);
	if (t->gains)
		am_free(t->gains);
	if (t->cover)
		am_free(t->cover);
	t->nodes = NULL;
	t->values = NULL;
	t->gains = NULL;
	t->cover = NULL;
}

/* Leaf reached by a row of p contiguous values. */
int32_t
tree_leaf_of_row(const Tree *t, const double *row)
{
	const TreeNode *nodes = t->nodes;
	int32_t		k = 0;

	while (nodes[k].left != k)
		k = nodes[k].left + (row[nodes[k].feature] > nodes[k].threshold);
	return k;
}

/* Leaf reached by row i of a column-major matrix of n rows. */
int32_t
tree_leaf_of_colmajor(const Tree *t, const double *x, int64 n, int64 i)
{
	const TreeNode *nodes = t->nodes;
	int32_t		k = 0;

	while (nodes[k].left != k)
		k = nodes[k].left +
			(x[(size_t) nodes[k].feature * n + i] > nodes[k].threshold);
	return k;
}

/* Rows per prediction block for p features: a multiple of 8, 8..512. */
int
tree_block_rows(int p)
{
	int			rows = TREE_BLOCK_DOUBLES / (p > 0 ? p : 1);

	if (rows > 512)
		rows = 512;
	rows &= ~7;
	return rows < 8 ? 8 : rows;
}

/*
 * Copy rows start..start+rows of column-major x (m rows) into a row-major
 * block.
 */
void
tree_transpose_block(const double *x, int64 m, int p, int64 start, int rows,
					 double *block)
{
	for (int j = 0; j < p; j++)
	{
		const double *col = x + (size_t) j * m + start;

		for (int r = 0; r < rows; r++)
			block[(size_t) r * p + j] = col[r];
	}
}

/* One lockstep step of a row: follow the node it is on. */
#define TREE_STEP(k, row) \
	do { \
		const TreeNode *nd_ = nodes + (k); \
		(k) = nd_->left + ((row)[nd_->feature] > nd_->threshold); \
	} while (0)

/*
 * Add tree t's leaf values for the rows of a row-major block into acc
 * (rows x width, the tree's values going to columns col..col+nout).
 */
static void
tree_add_block(const Tree *t, const double *block, int p, int rows,
			   double *acc, int width, int col)
{
	const TreeNode *nodes = t->nodes;
	int			nout = t->nout;
	int			r = 0;

	if (t->depth <= TREE_LOCKSTEP_DEPTH)
	{
		for (; r + 8 <= rows; r += 8)
		{
			const double *x = block + (size_t) r * p;
			int32_t		k0 = 0,
						k1 = 0,
						k2 = 0,
						k3 = 0,
						k4 = 0,
						k5 = 0,
						k6 = 0,
						k7 = 0;
			int32_t		leaf[8];

			for (int d = 0; d < t->depth; d++)
			{
				TREE_STEP(k0, x);
				TREE_STEP(k1, x + p);
				TREE_STEP(k2, x + 2 * p);
				TREE_STEP(k3, x + 3 * p);
				TREE_STEP(k4, x + 4 * p);
				TREE_STEP(k5, x + 5 * p);
				TREE_STEP(k6, x + 6 * p);
				TREE_STEP(k7, x + 7 * p);
			}
			leaf[0] = k0;
			leaf[1] = k1;
			leaf[2] = k2;
			leaf[3] = k3;
			leaf[4] = k4;
			leaf[5] = k5;
			leaf[6] = k6;
			leaf[7] = k7;
			for (int l = 0; l < 8; l++)
			{
				const double *v = t->values + (size_t) leaf[l] * nout;
				double	   *a = acc + (size_t) (r + l) * width + col;

				for (int c = 0; c < nout; c++)
					a[c] += v[c];
			}
		}
	}
	for (; r < rows; r++)
	{
		int32_t		k = tree_leaf_of_row(t, block + (size_t) r * p);
		const double *v = t->values + (size_t) k * nout;
		double	   *a = acc + (size_t) r * width + col;

		for (int c = 0; c < nout; c++)
			a[c] += v[c];
	}
}

/*
 * Add the leaf values of trees[0..ntrees) for the rows of a row-major
 * block into acc (rows x width): tree t adds its nout values at column
 * (t % ngroups) * nout, so boosting's one-tree-per-class rounds and
 * forests' probability leaves use the same loop.
 */
void
trees_add_block(const Tree *trees, int ntrees, int ngroups,
				const double *block, int p, int rows, double *acc, int width)
{
	for (int t = 0; t < ntrees; t++)
		tree_add_block(&trees[t], block, p, rows, acc, width,
					   (t % ngroups) * trees[t].nout);
}

/*
 * Add the leaf values of trees[0..ntrees) for one row into acc: tree t
 * adds its nout values at (t % ngroups) * nout, as trees_add_block does.
 * Scoring one row at a time (automl.predict) cannot interleave rows, so it
 * interleaves trees: eight walks in lockstep, whose dependent loads the
 * CPU overlaps; a walk that reached its leaf stays there (see TREE_STEP).
 */
void
trees_add_row(const Tree *trees, int ntrees, int ngroups, const double *row,
			  double *acc)
{
	int			t = 0;

	for (; t + 8 <= ntrees; t += 8)
	{
		const Tree *g = trees + t;
		int32_t		k[8] = {0};
		int			depth = 0;

		for (int j = 0; j < 8; j++)
			if (g[j].depth > depth)
				depth = g[j].depth;
		for (int d = 0; d < depth; d++)
			for (int j = 0; j < 8; j++)
			{
				const TreeNode *nodes = g[j].nodes;

				TREE_STEP(k[j], row);
			}
		for (int j = 0; j < 8; j++)
		{
			const double *v = g[j].values + (size_t) k[j] * g[j].nout;
			double	   *a = acc + ((t + j) % ngroups) * g[j].nout;

			for (int c = 0; c < g[j].nout; c++)
				a[c] += v[c];
		}
	}
	for (; t < ntrees; t++)
	{
		const double *v = trees[t].values +
			(size_t) tree_leaf_of_row(&trees[t], row) * trees[t].nout;
		double	   *a = acc + (t % ngroups) * trees[t].nout;

		for (int c = 0; c < trees[t].nout; c++)
			a[c] += v[c];
	}
}

/*
 * Check the data forests and boosting share: rows and features within
 * limits, and a target of finite values, or class indexes below nclasses.
 */
bool
tree_check_data(const MlData *d, const char *what, char *errbuf)
{
	if (d->n < 1 || d->p < 1)
	{
		snprintf(errbuf, ML_ERRBUF_SIZE,
				 "%s needs at least one row and one feature", what);
		return false;
	}
	if (d->n > INT32_MAX)
	{
		snprintf(errbuf, ML_ERRBUF_SIZE, "%s supports at most %d rows", what, INT32_MAX);
		return false;
	}
	if (d->task == ML_CLASSIFICATION && d->nclasses < 2)
	{
		snprintf(errbuf, ML_ERRBUF_SIZE, "classification needs at least two classes");
		return false;
	}
	for (int64 i = 0; i < d->n; i++)
	{
		double		y = d->y[i];

		if (!isfinite(y) ||
			(d->task == ML_CLASSIFICATION &&
			 (y < 0 || y >= d->nclasses || y != floor(y))))
		{
			snprintf(errbuf, ML_ERRBUF_SIZE, "invalid target value in row %lld",
					 (long long) i);
			return false;
		}
	}
	return true;
}

/* Add each split's gain to its feature. */
void
tree_importance(const Tree *t, double *imp)
{
	for (int32_t k = 0; k < t->nnodes; k++)
		if (t->nodes[k].left != k)
			imp[t->nodes[k].feature] += t->gains[k];
}

/*
 * Image of a tree: the node count, then per node its left child (its own
 * index for a leaf) and its cover, then a leaf's nout values, or an
 * internal node's feature, threshold and gain.
 */
void
tree_write(MlWriter *w, const Tree *t)
{
	ml_put_u32(w, (uint32) t->nnodes);
	for (int32_t k = 0; k < t->nnodes; k++)
	{
		const TreeNode *nd = &t->nodes[k];

		ml_put_i32(w, nd->left);
		ml_put_f64(w, t->cover[k]);
		if (nd->left == k)
			ml_put_f64s(w, t->values + (size_t) k * t->nout, t->nout);
		else
		{
			ml_put_i32(w, nd->feature);
			ml_put_f64(w, nd->threshold);
			ml_put_f64(w, t->gains[k]);
		}
	}
}

/*
 * Read a tree written by tree_write for p features and nout values per
 * leaf, trusting nothing.  The nodes must form one binary tree: every
 * child index comes after its parent and stays in the array (so walks
 * end), and every node but the root is the child of exactly one earlier
 * node (so none is shared or unreachable).  Such a tree of N nodes takes
 * at least N * (12 + 4 * nout) bytes, which the count must fit before
 * anything is allocated.  Features must be below p, thresholds, gains
 * and values finite, gains non-negative.  Covers count rows or bootstrap
 * draws, so each must be within [1, 2^53], and an internal node's must be
 * the sum of its children's (to TREE_COVER_RTOL relative): TreeSHAP's
 * cover fractions are then in (0, 1], and any product of them along a path
 * is at least 2^-53, so it never divides by zero or overflows.  Returns
 * false (t left empty) on anything wrong.
 */
bool
tree_read(MlReader *r, int p, int nout, Tree *t)
{
	uint32		nn;
	int32_t    *depth;			/* 0 until a parent names the node */
	bool		ok = true;

	memset(t, 0, sizeof(Tree));
	if (nout < 1 || nout > TREE_MAX_NODES / 8)
	{
		ml_reader_fail(r);
		return false;
	}
	nn = ml_get_count(r, 12 + 4 * (size_t) nout, TREE_MAX_NODES);
	if (!ml_reader_ok(r) || nn == 0)
	{
		ml_reader_fail(r);
		return false;
	}
	t->nnodes = (int32_t) nn;
	t->nout = nout;
	t->nodes = am_alloc(sizeof(TreeNode) * nn);
	t->values = am_alloc0(sizeof(double) * nn * nout);
	t->gains = am_alloc0(sizeof(double) * nn);
	t->cover = am_alloc0(sizeof(double) * nn);
	depth = am_alloc0(sizeof(int32_t) * nn);
	for (int32_t k = 0; ok && k < (int32_t) nn; k++)
	{
		TreeNode   *nd = &t->nodes[k];
		int32_t		left = ml_get_i32(r);

		if ((k & 1023) == 0)
			ML_CHECK_INTERRUPTS();
		t->cover[k] = ml_get_f64(r);
		if (!ml_reader_ok(r) || (k > 0 && depth[k] == 0))
			ok = false;			/* short, or no parent named this node */
		else if (!(t->cover[k] >= 1 && t->cover[k] <= TREE_MAX_COVER))
			ok = false;
		else if (left == k)
		{
			double	   *v = t->values + (size_t) k * nout;

			nd->left = k;
			nd->feature = 0;
			nd->threshold = INFINITY;
			ml_get_f64s(r, v, nout);
			for (int c = 0; c < nout; c++)
				ok = ok && isfinite(v[c]);
		}
		else if (left > k && left <= (int32_t) nn - 2 &&
				 depth[left] == 0 && depth[left + 1] == 0)
		{
			nd->left = left;
			nd->feature = ml_get_i32(r);
			nd->threshold = ml_get_f64(r);
			t->gains[k] = ml_get_f64(r);
			ok = nd->feature >= 0 && nd->feature < p &&
				isfinite(nd->threshold) && isfinite(t->gains[k]) &&
				t->gains[k] >= 0;
			depth[left] = depth[left + 1] = depth[k] + 1;
		}
		else
			ok = false;
		ok = ok && ml_reader_ok(r);
	}
	t->depth = 0;
	for (uint32 k = 0; ok && k < nn; k++)
	{
		int32_t		l = t->nodes[k].left;

		if (depth[k] > t->depth)
			t->depth = depth[k];
		if (l != (int32_t) k &&
			!(fabs(t->cover[l] + t->cover[l + 1] - t->cover[k]) <=
			  TREE_COVER_RTOL * t->cover[k]))
			ok = false;
	}
	am_free(depth);
	if (!ok)
	{
		ml_reader_fail(r);
		tree_free(t);
		memset(t, 0, sizeof(Tree));
		return false;
	}
	return true;
}

/* ---------------------------------------------------------------------
 * Explanation: path-dependent TreeSHAP
 * ---------------------------------------------------------------------
 */

/* One entry of the path of distinct features from the root (see header). */
typedef struct ShapEntry
{
	double		zeros;			/* cover fraction along the path, feature
								 * unknown */
	double		ones;			/* 1 if the row follows the path, else 0 */
	double		weight;			/* permutation weight of subsets of size i
								 * (for the entry at index i) */
	int32_t		feature;		/* -1 for the root's placeholder */
} ShapEntry;

/* The state of the walk of one tree. */
typedef struct ShapWalk
{
	const Tree *t;
	const double *row;
	int			channel;		/* value of the leaves explained */
	double		scale;			/* weight of the tree */
	double	   *phi;
	const int32_t *size;		/* nodes in each node's subtree */
	ShapEntry  *paths;			/* one path of width entries per level */
	int			width;
	double	   *unwound;		/* width scratch weights */
	double	   *recip;			/* recip[k] = 1 / k, k = 1..width */
	int64		leaves;			/* leaves visited, for interrupt checks */
} ShapWalk;

/*
 * Append the entry (zeros, ones, feature) to the path m of l entries and
 * update the weights: every subset may now include the new feature (with
 * the ones fraction, one size up) or not (with the zeros fraction).
 * recip[k] is 1 / k (the walk divides a lot; multiplying is much faster).
 */
static void
shap_extend(ShapEntry *m, int l, double zeros, double ones, int32_t feature,
			const double *recip)
{
	double		r = recip[l + 1];

	m[l].zeros = zeros;
	m[l].ones = ones;
	m[l].feature = feature;
	m[l].weight = l == 0 ? 1.0 : 0.0;
	for (int i = l - 1; i >= 0; i--)
	{
		m[i + 1].weight += ones * m[i].weight * (i + 1) * r;
		m[i].weight = zeros * m[i].weight * (l - i) * r;
	}
}

/*
 * The weights of the path m of l entries with entry i taken out, into
 * u[0..l-2].  Extending by (zeros z, ones o) made, for k = 0..l-1,
 *
 *	  w_k = (z (l-1-k) u_k + o k u_{k-1}) / l,
 *
 * a bidiagonal system in u.  The paper solves it from the top (k = l-1
 * down), each step multiplying the error by z (l-1-k) / (o k), which
 * exceeds 1 for small k: with 64 distinct features on a path and z near
 * o the result is pure noise.  So u_0.. comes from the bottom, where that
 * step's factor o k / (z (l-1-k)) is below 1, and the rest from the top,
 * where its own factor is below 1: both halves are stable.  Entries never
 * have both fractions zero (shap_walk does not go where they would), so
 * every division is by a non-zero value.  recip[k] is 1 / k.
 */
static void
shap_unwound_weights(const ShapEntry *m, int l, int i, double *u,
					 const double *recip)
{
	double		z = m[i].zeros;
	double		o = m[i].ones;
	double		rl = recip[l];
	int			k;				/* u[0..k) from below, the rest from above */

	if (o == 0)
	{
		double		lz = l / z;

		for (int j = 0; j < l - 1; j++)
			u[j] = m[j].weight * lz * recip[l - 1 - j];
		return;
	}
	k = z > 0 ? (int) (z * (l - 1) / (z + o)) + 1 : 0;
	if (k > l - 1)
		k = l - 1;
	if (k > 0)
	{
		double		lz = l / z;

		u[0] = m[0].weight * lz * recip[l - 1];
		for (int j = 1; j < k; j++)
			u[j] = (m[j].weight - o * u[j - 1] * j * rl) * lz *
				recip[l - 1 - j];
	}
	if (k < l - 1)
	{
		double		lo = l / o;

		u[l - 2] = m[l - 1].weight * lo * recip[l - 1];
		for (int j = l - 2; j > k; j--)
			u[j - 1] = (m[j].weight - z * u[j] * (l - 1 - j) * rl) * lo *
				recip[j];
	}
}

/*
 * Remove entry i from the path m of l entries, undoing its extension of
 * the weights (u: scratch for l - 1 values; recip[k] = 1 / k).
 */
static void
shap_unwind(ShapEntry *m, int l, int i, double *u, const double *recip)
{
	shap_unwound_weights(m, l, i, u, recip);
	for (int j = 0; j < l - 1; j++)
		m[j].weight = u[j];
	for (int j = i; j < l - 1; j++)
	{
		m[j].zeros = m[j + 1].zeros;
		m[j].ones = m[j + 1].ones;
		m[j].feature = m[j + 1].feature;
	}
}

/*
 * The sum of the weights of the path m of l entries with entry i taken
 * out (u: scratch for l - 1 values; recip[k] = 1 / k), m unchanged.
 */
static double
shap_unwound_sum(const ShapEntry *m, int l, int i, double *u,
				 const double *recip)
{
	double		total = 0;

	shap_unwound_weights(m, l, i, u, recip);
	for (int j = 0; j < l - 1; j++)
		total += u[j];
	return total;
}

/* Share of a node's cover that goes to one child (guarded: never 0/0). */
static inline double
shap_fraction(const Tree *t, int32_t node, int32_t child)
{
	double		c = t->cover[node];

	return c > 0 ? t->cover[child] / c : 0.5;
}

/*
 * Add the contributions of the subtree at node to s->phi.  The path at
 * this level holds l entries; node extends it with (zeros, ones, feature),
 * the fractions of the split that led here.  The smaller child is explained
 * by a recursive call on a copy of the path one level up, the larger one
 * by the next iteration of the loop, in place: each level's subtree has at
 * most half the nodes of the level before, so level < log2(nodes) + 1.
 */
static void
shap_walk(ShapWalk *s, int level, int32_t node, int l, double zeros,
		  double ones, int32_t feature)
{
	const Tree *t = s->t;
	ShapEntry  *m = s->paths + (size_t) level * s->width;

	for (;;)
	{
		const TreeNode *nd = &t->nodes[node];
		int32_t		hot,
					small,
					large;
		double		iz = 1,
					io = 1;
		double		zs,
					os,
					zl,
					ol;
		int			k;

		shap_extend(m, l, zeros, ones, feature, s->recip);
		l++;
		if (nd->left == node)
		{
			double		v = s->scale *
				t->values[(size_t) node * t->nout + s->channel];

			if ((++s->leaves & 1023) == 0)
				ML_CHECK_INTERRUPTS();
			for (int i = 1; i < l; i++)
				s->phi[m[i].feature] += shap_unwound_sum(m, l, i, s->unwound,
														 s->recip) *
					(m[i].ones - m[i].zeros) * v;
			return;
		}

		/* a feature split on before: take its entry out, keep its fractions */
		for (k = 1; k < l; k++)
			if (m[k].feature == nd->feature)
				break;
		if (k < l)
		{
			iz = m[k].zeros;
			io = m[k].ones;
			shap_unwind(m, l, k, s->unwound, s->recip);
			l--;
		}

		hot = nd->left + (s->row[nd->feature] > nd->threshold);
		small = s->size[nd->left] <= s->size[nd->left + 1] ?
			nd->left : nd->left + 1;
		large = small == nd->left ? nd->left + 1 : nd->left;
		zs = iz * shap_fraction(t, node, small);
		os = small == hot ? io : 0;
		zl = iz * shap_fraction(t, node, large);
		ol = large == hot ? io : 0;

		/* a child neither the row nor any cover reaches adds nothing */
		if (zs != 0 || os != 0)
		{
			memcpy(m + s->width, m, sizeof(ShapEntry) * l);
			shap_walk(s, level + 1, small, l, zs, os, nd->feature);
		}
		if (zl == 0 && ol == 0)
			return;
		node = large;
		zeros = zl;
		ones = ol;
		feature = nd->feature;
	}
}

/*
 * Subtree sizes and expected values (no feature known) of every node of t
 * on one channel, bottom-up: children always follow their parent.
 */
static double
tree_expectations(const Tree *t, int channel, int32_t *size, double *expect)
{
	for (int32_t k = t->nnodes - 1; k >= 0; k--)
	{
		int32_t		l = t->nodes[k].left;

		if (l == k)
		{
			size[k] = 1;
			expect[k] = t->values[(size_t) k * t->nout + channel];
		}
		else
		{
			size[k] = 1 + size[l] + size[l + 1];
			expect[k] = shap_fraction(t, k, l) * expect[l] +
				shap_fraction(t, k, l + 1) * expect[l + 1];
		}
	}
	return expect[0];
}

/*
 * Path-dependent TreeSHAP of the trees of one group (see tree.h and the
 * header of this file).  The scratch arrays are sized for the largest tree
 * and reused: per-node sizes and expectations, and the paths, of at most
 * min(depth, p) + 1 entries each, for log2(nodes) + 2 levels.
 */
double
trees_shap(const Tree *trees, int ntrees, int ngroups, int group, int channel,
		   double scale, const double *row, int p, double *phi)
{
	int32_t		maxnodes = 1;
	int32_t		maxdepth = 0;
	int			levels = 2;
	int32_t    *size;
	double	   *expect;
	double		base = 0;
	ShapWalk	s;

	for (int t = group; t < ntrees; t += ngroups)
	{
		if (trees[t].nnodes > maxnodes)
			maxnodes = trees[t].nnodes;
		if (trees[t].depth > maxdepth)
			maxdepth = trees[t].depth;
	}
	for (int32_t n = maxnodes; n > 1; n >>= 1)
		levels++;
	size = am_alloc(sizeof(int32_t) * maxnodes);
	expect = am_alloc(sizeof(double) * maxnodes);
	memset(&s, 0, sizeof(s));
	s.row = row;
	s.channel = channel;
	s.scale = scale;
	s.phi = phi;
	s.size = size;
	s.width = (maxdepth < p ? maxdepth : p) + 2;
	s.paths = am_alloc(sizeof(ShapEntry) * s.width * levels);
	s.unwound = am_alloc(sizeof(double) * s.width);
	s.recip = am_alloc(sizeof(double) * (s.width + 1));
	s.recip[0] = 0;
	for (int k = 1; k <= s.width; k++)
		s.recip[k] = 1.0 / k;

	for (int t = group; t < ntrees; t += ngroups)
	{
		ML_CHECK_INTERRUPTS();
		s.t = &trees[t];
		base += scale * tree_expectations(s.t, channel, size, expect);
		shap_walk(&s, 0, 0, 0, 1.0, 1.0, -1);
	}
	am_free(size);
	am_free(expect);
	am_free(s.paths);
	am_free(s.unwound);
	am_free(s.recip);
	return base;
}

/*
 * start plus the leaf values (channel) of the trees t % ngroups == group
 * reached by row, added in tree order: the order of trees_add_row, so the
 * sum equals the score prediction starts from.
 */
double
trees_raw_sum(const Tree *trees, int ntrees, int ngroups, int group,
			  int channel, const double *row, double start)
{
	double		sum = start;

	for (int t = group; t < ntrees; t += ngroups)
		sum += trees[t].values[(size_t) tree_leaf_of_row(&trees[t], row) *
							   trees[t].nout + channel];
	return sum;
}

/*-------------------------------------------------------------------------
 *
 * tree.h
 *	  Shared machinery of the tree algorithms (forest.c, gbdt.c): feature
 *	  binning, histogram-based tree growth on gradient statistics, the
 *	  compact node array used for prediction, its model image, and the
 *	  path-dependent TreeSHAP explanation of a row.
 *
 * Growth sees the data only through uint8 bin codes (tree_bin); a fitted
 * tree keeps the raw-value threshold of each split, so prediction compares
 * doubles and needs no binning.  The same grower serves every tree model:
 * each row brings "nout" gradient channels and one hessian (weight), and a
 * node's score is sum_c G_c^2 / (H + lambda).  Boosting uses one channel
 * of real gradients and hessians; a regression forest uses the centred
 * target with unit hessians (variance reduction); a classification forest
 * uses class indicators (Gini impurity reduction).
 *
 *-------------------------------------------------------------------------
 */
#ifndef TREE_H
#define TREE_H

#include "ml.h"

#define TREE_MAX_BINS		255		/* bin codes fit a uint8 */
#define TREE_MAX_NODES		(1 << 30)	/* bound for images read back */

/*
 * The training matrix reduced to bin codes.  Bin b of feature j holds the
 * values x with cuts[offset[j] + b - 1] < x <= cuts[offset[j] + b] (the
 * last bin is unbounded above), so "code <= b" is exactly "x <= cut b".
 */
typedef struct TreeBinned
{
	int64		n;				/* rows */
	int			p;				/* features */
	uint8	   *codes;			/* n * p, column-major like MlData.x */
	int		   *nbins;			/* p: bins of each feature, 1..255 */
	int		   *offset;			/* p + 1: first bin of feature j in a
								 * histogram (sum of earlier nbins) */
	double	   *cuts;			/* offset[p]: upper bound of each bin but
								 * the last of its feature (that slot is
								 * +inf) */
} TreeBinned;

/*
 * A node of a fitted tree: 16 bytes, in an array where the children of a
 * node are adjacent (right = left + 1) and always follow it.  Go left when
 * x[feature] <= threshold.  A leaf has left equal to its own index and a
 * threshold of +inf, so the step "next = left + (x > threshold)" stays on
 * it: prediction can walk every row a fixed number of steps.
 */
typedef struct TreeNode
{
	double		threshold;
	int32_t		feature;
	int32_t		left;
} TreeNode;

/*
 * The cover of a node is the training weight that reached it: the rows of
 * the tree's sample, each counted with its hessian when the grower's
 * weighted_cover is set (forests: the bootstrap multiplicity), once
 * otherwise (boosting: the row count, see gbdt.c).  Covers are at least 1
 * and a node's cover is the sum of its children's; TreeSHAP uses them as
 * the distribution of the features it does not condition on.
 */
typedef struct Tree
{
	int32_t		nnodes;
	int32_t		depth;			/* longest root-to-leaf path, in edges */
	int32_t		nout;			/* values per leaf */
	TreeNode   *nodes;
	double	   *values;			/* nnodes * nout; used for leaves only */
	double	   *gains;			/* nnodes: split gain, 0 for leaves */
	double	   *cover;			/* nnodes: training weight of each node */
} Tree;

/* What limits the growth of one tree. */
typedef struct TreeGrowParams
{
	int			max_depth;		/* 0 = unlimited */
	int			max_leaves;		/* 0 = unlimited; > 0 grows best-first */
	int			min_samples_leaf;	/* rows in each child, >= 1 */
	double		min_child_weight;	/* hessian sum in each child */
	double		lambda;			/* L2 on leaf values */
	double		min_gain;		/* a split must gain more than this */
	int			mtry;			/* > 0: features drawn for each split */
	bool		weighted_cover; /* cover is the hessian sum, not the row
								 * count (see Tree): for integer weights
								 * only, such as bootstrap counts */
} TreeGrowParams;

typedef struct TreeGrower TreeGrower;

/* binning */
extern TreeBinned *tree_bin(const MlData *d, int max_bins, uint64 seed);
extern void tree_binned_free(TreeBinned *b);
extern int	tree_active_features(const TreeBinned *b, int *features);
extern double tree_target_scale(const MlData *d);

/* growth */
extern TreeGrower *tree_grower_create(const TreeBinned *b, int nout,
									  const TreeGrowParams *params);
extern void tree_grower_free(TreeGrower *g);
extern void tree_grow(TreeGrower *g, const float *grad, const int32_t *rows,
					  int64 nrows, const int *features, int nfeatures,
					  MlRng *rng, Tree *tree);
extern int64 tree_grower_nleaves(const TreeGrower *g);
extern void tree_grower_leaf(const TreeGrower *g, int64 k, int32_t *node,
							 const int32_t **rows, int64 *nrows);

/* fitted trees */
extern void tree_free(Tree *t);
extern bool tree_check_data(const MlData *d, const char *what, char *errbuf);
extern int32_t tree_leaf_of_row(const Tree *t, const double *row);
extern void trees_add_row(const Tree *trees, int ntrees, int ngroups,
						  const double *row, double *acc);
extern int32_t tree_leaf_of_colmajor(const Tree *t, const double *x,
									 int64 n, int64 i);
extern int	tree_block_rows(int p);
extern void tree_transpose_block(const double *x, int64 m, int p,
								 int64 start, int rows, double *block);
extern void trees_add_block(const Tree *trees, int ntrees, int ngroups,
							const double *block, int p, int rows,
							double *acc, int width);
extern void tree_importance(const Tree *t, double *imp);
extern void tree_write(MlWriter *w, const Tree *t);
extern bool tree_read(MlReader *r, int p, int nout, Tree *t);

/*
 * Explanation (path-dependent TreeSHAP) of the trees t of trees[0..ntrees)
 * with t % ngroups == group, on value channel of their leaves, each tree
 * weighted by scale: adds the features' contributions to phi (p values)
 * and returns the weighted sum of the trees' expected values, so that
 * the return value plus the added contributions is scale times
 * trees_raw_sum(..., 0) (up to rounding).
 */
extern double trees_shap(const Tree *trees, int ntrees, int ngroups, int group,
						 int channel, double scale, const double *row, int p,
						 double *phi);
/* start plus the leaf values (channel) of the same trees, in tree order */
extern double trees_raw_sum(const Tree *trees, int ntrees, int ngroups,
							int group, int channel, const double *row,
							double start);

#endif							/* TREE_H */

/*-------------------------------------------------------------------------
 *
 * isolation.h
 *	  Isolation forest: how few random splits isolate a row.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ISOLATION_H
#define ISOLATION_H

#include "common/am_alloc.h"
#include "ml/model_io.h"

typedef struct IsoNode
{
	int32_t		coef;			/* offset of the split's p coefficients; -1: leaf */
	int32_t		left,
				right;			/* child node indexes */
	int32_t		size;			/* leaf: training rows that reached it */
	double		split;			/* go left when coef . z < split */
} IsoNode;

typedef struct IsoTree
{
	int32_t		nnodes;
	IsoNode    *nodes;
	int32_t		ncoef;
	double	   *coefs;
} IsoTree;

typedef struct IsoForest
{
	int			p;
	int			ntrees;
	int			psi;			/* rows per tree */
	double		threshold;		/* score above which a row is anomalous */
	double	   *center;			/* p: standardisation (median) */
	double	   *scale;			/* p: and spread (MAD, or 1) */
	IsoTree    *trees;
} IsoForest;

#define ISO_TREES	100
#define ISO_PSI		1024

/* Fit on cols[0..p-1][0..n-1] (NaN counts as the column's median). */
extern IsoForest *isoforest_fit(const double *const *cols, int64 n, int p, int ntrees,
								int psi, uint64 seed);
/*
 * Score in (0, 1]: 2^(-mean path length / c(psi)); above 0.5 is unusual.
 * z is scratch space of p doubles, here and below.
 */
extern double isoforest_score(const IsoForest *f, const double *row, double *z);
/* Each feature's share of the splits that isolate the row. */
extern void isoforest_attribution(const IsoForest *f, const double *row, double *share,
								  double *z);
/* Mean path length of a row (the explanation's "isolated after") */
extern double isoforest_path_length(const IsoForest *f, const double *row, double *z);
/* c(n): the mean path length of an unsuccessful search in a BST of n */
extern double isoforest_c(double n);

extern void isoforest_write(MlWriter *w, const IsoForest *f);
extern IsoForest *isoforest_read(MlReader *r, int p);

#endif							/* ISOLATION_H */

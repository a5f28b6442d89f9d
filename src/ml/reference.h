/*-------------------------------------------------------------------------
 *
 * reference.h
 *	  What the training data looked like, kept in the model for drift
 *	  checks: per feature a histogram (PSI) and the quantile function (KS).
 *
 *-------------------------------------------------------------------------
 */
#ifndef REFERENCE_H
#define REFERENCE_H

#include "../common/am_alloc.h"
#include "model_io.h"
#include "preprocess.h"

/* Bins of a numeric feature's histogram, and quantiles kept for KS. */
#define REF_BINS		10
#define REF_QUANTILES	101

typedef struct FeatureReference
{
	int64		n;				/* training rows */
	double		missing;		/* share of them missing */
	/*
	 * Numeric kinds: nbins - 1 inner edges (deciles, duplicates removed);
	 * categorical: one bin per kept category plus "other".  share[b] is the
	 * share of the non-missing training values in bin b.
	 */
	int			nbins;
	double	   *edges;
	double	   *share;
	/* numeric kinds: the 0%, 1%, ..., 100% quantiles (NULL otherwise) */
	double	   *quantiles;
} FeatureReference;

typedef struct Reference
{
	int			nfeatures;
	FeatureReference *features;
} Reference;

/* Reference of the training rows idx of the raw columns (preprocess.h). */
extern Reference *reference_build(const Preprocessor *pp, double *const *raw,
								  const int64 *idx, int64 n);
extern void reference_write(MlWriter *w, const Reference *ref);
/* NULL when the bytes are not a well-formed reference of these features */
extern Reference *reference_read(MlReader *r, const Preprocessor *pp);

/* Bin of a non-missing raw value. */
extern int	reference_bin(const FeatureReference *fr, const FeatureSpec *fs, double v);

/*
 * Population stability index of new bin counts (nbins of them, plus the
 * missing count) against the reference: sum (a - e) ln(a / e) over bins
 * and missing, shares floored at 1e-4 so that an empty bin is finite.
 */
extern double reference_psi(const FeatureReference *fr, const int64 *counts,
							int64 missing, int64 n);

/*
 * Two-sample Kolmogorov-Smirnov statistic of the sorted new values v[0..m)
 * against the reference quantile function, and its asymptotic p-value.
 */
extern double reference_ks(const FeatureReference *fr, const double *v, int64 m,
						   double *pvalue);

#endif							/* REFERENCE_H */

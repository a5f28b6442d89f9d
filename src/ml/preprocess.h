/*-------------------------------------------------------------------------
 *
 * preprocess.h
 *	  From a relation's columns to the dense matrix the algorithms see.
 *
 * A model keeps its preprocessing so that prediction applies exactly what
 * training did.  Each input feature has a raw value, one double:
 *	 numeric	the value
 *	 boolean	0 or 1
 *	 date, timestamp	seconds since 1970-01-01 00:00 UTC
 *	 categorical	the index of the category among the kept ones
 *				(0..ncats-1), or ncats for any other value ("other")
 * and NaN when missing (NULL, NaN, or an infinity).  The preprocessor
 * imputes missing values (median for numeric and dates, mode for booleans
 * and categories), expands dates into epoch plus calendar parts, and
 * encodes categories as one ordinal code (trees) or one-hot columns with
 * an "other" column (linear models, knn, naive bayes), whose numeric
 * columns it also standardises.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PREPROCESS_H
#define PREPROCESS_H

#include "../common/am_alloc.h"
#include "model_io.h"

typedef enum FeatureKind
{
	FEAT_NUMERIC = 0,
	FEAT_BOOLEAN = 1,
	FEAT_CATEGORICAL = 2,
	FEAT_DATE = 3,
	FEAT_TIMESTAMP = 4
} FeatureKind;

#define FEAT_KIND_MAX FEAT_TIMESTAMP

/* Kept categories at most, per encoding ("other" comes on top). */
#define PP_MAX_ONE_HOT		32
#define PP_MAX_ORDINAL		254

typedef struct FeatureSpec
{
	char	   *name;
	char	   *type_name;		/* SQL type, shown in the registry */
	FeatureKind kind;
	double		impute;			/* raw value that replaces a missing one */
	int			ncats;			/* categorical: kept categories */
	char	  **cats;			/* categorical: their labels, by index */
	int		   *cat_order;		/* categorical: indexes sorted by label */
	int			design_offset;	/* first design column */
	int			design_width;	/* design columns */
} FeatureSpec;

typedef struct Preprocessor
{
	int			nfeatures;
	FeatureSpec *features;
	bool		one_hot;		/* linear encoding, standardised */
	/*
	 * one_hot only: false keeps the columns' own scales (centre 0, scale 1
	 * are stored), for knn on features whose units matter, such as pixels.
	 * Not stored: the stored centre and scale say it all.
	 */
	bool		unscaled;
	int			p;				/* design columns */
	double	   *center;			/* per design column (one_hot only) */
	double	   *scale;
} Preprocessor;

/*
 * Build the preprocessor: the caller fills nfeatures, features (name,
 * type_name, kind, ncats, cats) and one_hot; preprocess_fit computes the
 * imputation from the training rows train_idx of the raw columns (raw[f] is
 * column f), the design layout and the standardisation.
 */
extern void preprocess_fit(Preprocessor *pp, double *const *raw,
						   const int64 *train_idx, int64 n_train);

/*
 * Design matrix of rows idx[0..m-1]: out is m x p, column-major.  Features
 * go in order and rows in order, each value read before the output at or
 * before it is written: with one design column per feature and idx
 * ascending, out may be the memory of the raw columns themselves (train.c
 * builds the training matrix that way).
 */
extern void preprocess_transform(const Preprocessor *pp, double *const *raw,
								 const int64 *idx, int64 m, double *out);

/* One row: raw[nfeatures] in, design[p] out. */
extern void preprocess_row(const Preprocessor *pp, const double *raw,
						   double *design);

/* Ordinal categories per design column (trees), 0 for others; p entries */
extern int *preprocess_ncategories(const Preprocessor *pp);

/* Index of label among the kept categories of feature f, or ncats */
extern int	preprocess_category_index(const FeatureSpec *f, const char *label);

/* Calendar parts added after the epoch column of a date or timestamp */
extern int	preprocess_date_parts(FeatureKind kind);

extern void preprocess_write(MlWriter *w, const Preprocessor *pp);
/* NULL when the bytes are not a well-formed preprocessor */
extern Preprocessor *preprocess_read(MlReader *r);

#endif							/* PREPROCESS_H */

/*-------------------------------------------------------------------------
 *
 * dataset.h
 *	  Reading a relation into a column-major training matrix.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DATASET_H
#define DATASET_H

#include "postgres.h"

#include "nodes/pg_list.h"
#include "utils/relcache.h"
#include "utils/hsearch.h"

#include "ml/feature_value.h"
#include "ml/ml.h"

/* One column of the relation, as a feature or as the target. */
typedef struct DatasetColumn
{
	char	   *name;
	FeatureType type;
	/* categorical: the distinct labels read, with their counts */
	HTAB	   *dict;
	char	  **labels;
	int64	   *counts;
	int			nlabels;
	int			caplabels;
} DatasetColumn;

typedef struct Dataset
{
	Oid			relid;
	char	   *relname;		/* quoted, schema-qualified, for messages */
	int			nfeatures;
	DatasetColumn *features;
	DatasetColumn target;
	/*
	 * raw[f][i]: raw value of feature f in row i (preprocess.h), with
	 * categorical features as codes into their column's labels until
	 * dataset_keep_categories maps them to the kept ones.  NaN = missing.
	 */
	double	  **raw;
	double	   *block;			/* the memory of raw: column f at f * cap */
	int64		expected_rows;	/* the planner's estimate, to size block */
	double	   *y;				/* target value, or label code */
	int64		n;				/* rows held */
	int64		cap;
	int64		rows_read;		/* rows with a usable target */
	int64		dropped_rows;	/* rows whose target is NULL (or NaN) */
	int64		sample_rows;	/* reservoir size, 0 = keep all */
	MlRng		rng;
	Size		max_bytes;		/* automl.max_training_memory */
	List	   *skipped;		/* names of columns of unsupported types */
	MemoryContext cxt;			/* where everything above lives */
} Dataset;

/* The relation's schema-qualified name, quoted */
extern char *relation_quoted_name(Relation rel);
extern Relation relation_open_checked(Oid relid, LOCKMODE lockmode);

/* automl.max_training_memory, in MB */
extern int	automl_max_training_memory_mb;

extern Dataset *dataset_load(Oid relid, const char *target, List *exclude,
							 int64 sample_rows, uint64 seed);

/*
 * Keep the k most frequent labels of categorical feature f (ties by label),
 * rewrite its codes to their index (k for the others) and return the
 * labels in *cats.
 */
extern int	dataset_keep_categories(Dataset *ds, int f, int k, char ***cats);
/* The same choice without rewriting: map[code] is the kept index (or k) */
extern int *dataset_category_map(Dataset *ds, int f, int k, char ***cats, int *ncats);

/* The raw columns for an encoding, the dataset unchanged (dataset.c) */
extern double **dataset_view(Dataset *ds, Preprocessor *pp, bool one_hot);
extern void dataset_free_view(Dataset *ds, double **view);

/* Account bytes more for the design matrices; ERROR past the limit. */
extern void dataset_check_memory(Dataset *ds, Size more, const char *what);

#endif							/* DATASET_H */

/*-------------------------------------------------------------------------
 *
 * predict.h
 *	  Rows to raw feature values, shared by prediction and evaluation.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PREDICT_H
#define PREDICT_H

#include "postgres.h"

#include "access/tupdesc.h"
#include "fmgr.h"

#include "ml/feature_value.h"
#include "ml/model.h"

/* Where each feature of a model is in rows of one type. */
typedef struct RowMapping
{
	TupleDesc	desc;			/* the row type (NULL until built) */
	Oid			tuptype;
	int32		typmod;
	int			natts;
	int		   *attno;			/* per feature: index of its column */
	FeatureType *types;			/* per feature: its column's type */
	Datum	   *values;			/* deform buffers */
	bool	   *nulls;
} RowMapping;

/* Match the model's features to the first natts columns of desc, by name. */
extern void row_mapping_build(RowMapping *map, const MlModel *m, TupleDesc desc,
							  int natts, const char *model_desc, MemoryContext cxt);
/* Raw feature values of one deformed row */
extern void row_mapping_raw(RowMapping *map, const MlModel *m,
							const Datum *values, const bool *nulls, double *raw);

/* Rows per batch of model_scan_relation */
#define MODEL_SCAN_BATCH 10000

typedef void (*ModelRowVisitor) (void *arg, const double *raw,
								 const Datum *values, const bool *nulls);

/* Visit the rows of a relation as the model sees them (predict.c) */
extern void model_scan_relation(const MlModel *m, const char *model_desc,
								const char *relname, const char *extra_column,
								ModelRowVisitor visit, void *arg);

/*
 * The model (cached) and the raw feature values of a call whose arguments
 * are (model text or model_id bigint, features): what explain and drift
 * share with predict.
 */
extern const MlModel *predict_raw_values(FunctionCallInfo fcinfo, bool by_id,
										 double **raw, const char **model_desc);

#endif							/* PREDICT_H */

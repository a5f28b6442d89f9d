/*-------------------------------------------------------------------------
 *
 * feature_value.h
 *	  SQL values to the raw feature values of preprocess.h, the same way
 *	  for training (dataset.c) and prediction (predict.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef FEATURE_VALUE_H
#define FEATURE_VALUE_H

#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"

#include "ml/preprocess.h"

/* How one SQL column becomes a feature (or a target). */
typedef struct FeatureType
{
	Oid			typid;			/* as declared */
	Oid			basetype;		/* domains resolved */
	bool		supported;
	FeatureKind kind;
	bool		is_integer;		/* int2, int4, int8 */
	bool		is_varlena_text;	/* text, varchar, bpchar: no output call */
	bool		is_bpchar;
	FmgrInfo	output;			/* categorical types other than text */
} FeatureType;

/* Classify typid; fcxt holds the output function's state. */
extern void feature_type_init(FeatureType *ft, Oid typid, MemoryContext fcxt);

/*
 * The raw value of a non-NULL datum of a numeric, boolean or date kind;
 * NaN for values that count as missing (NaN, infinities).
 */
extern double feature_value_number(const FeatureType *ft, Datum d);

/* The same, with the common types inline: it runs once per value read */
static inline double
feature_value_fast(const FeatureType *ft, Datum d)
{
	if (ft->basetype == FLOAT8OID)
	{
		double		v = DatumGetFloat8(d);

		return isfinite(v) ? v : NAN;
	}
	if (ft->basetype == INT4OID)
		return DatumGetInt32(d);
	return feature_value_number(ft, d);
}

/* The label of a categorical datum, palloc'd in the current context */
extern char *feature_value_label(FeatureType *ft, Datum d);

/* A readable name of the type, for the registry and messages */
extern char *feature_type_name(Oid typid);

#endif							/* FEATURE_VALUE_H */

/*-------------------------------------------------------------------------
 *
 * infer.h
 *	  Column type inference for imported text values (CSV fields, JSON
 *	  scalars): the narrowest PostgreSQL type every value of a column fits.
 *
 *-------------------------------------------------------------------------
 */
#ifndef INFER_H
#define INFER_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The types, narrowest first within each family.  Joining two types gives
 * the narrowest type both fit (infer_join): int4 -> int8 -> numeric; any
 * number with float8 -> float8; date with timestamptz -> timestamptz; two
 * families -> text; jsonb with anything -> jsonb (a scalar is then its
 * JSON literal).  INFER_NONE is "no value seen yet" (all NULL).
 */
typedef enum InferType
{
	INFER_NONE = 0,
	INFER_BOOLEAN,
	INFER_INT4,
	INFER_INT8,
	INFER_NUMERIC,
	INFER_FLOAT8,
	INFER_DATE,
	INFER_TIMESTAMPTZ,
	INFER_TEXT,
	INFER_JSONB					/* a JSON object or array (JSON imports) */
} InferType;

/* The narrowest type of one non-NULL value s[0..len-1]. */
extern InferType infer_value(const char *s, size_t len);

/* The narrowest type that holds values of a and of b. */
extern InferType infer_join(InferType a, InferType b);

/* The SQL name of a type (INFER_NONE: text, the type of an all-NULL column) */
extern const char *infer_type_name(InferType t);

/*
 * Whether s[0..len-1] is one of the NULL markers: markers[0..nmarkers-1]
 * (NULL: the defaults '', 'NA', 'N/A', 'NULL', 'null').
 */
extern bool infer_is_null(const char *s, size_t len, const char *const *markers, int nmarkers);

#endif							/* INFER_H */

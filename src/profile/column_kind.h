/*-------------------------------------------------------------------------
 *
 * column_kind.h
 *	  How the profiler reads each column type: its kind and its hashing.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMN_KIND_H
#define COLUMN_KIND_H

#include "fmgr.h"
#include "access/tupdesc.h"

/* What the profile reports for a column (the JSON keys follow from it). */
typedef enum ColumnKind
{
	CK_NUMERIC = 1,
	CK_TEXT,
	CK_BOOL,
	CK_TEMPORAL,
	CK_OTHER
} ColumnKind;

/* How values are decoded: fast paths for the common types. */
typedef enum ValueRep
{
	VR_INT2 = 1,
	VR_INT4,
	VR_INT8,
	VR_FLOAT4,
	VR_FLOAT8,
	VR_NUMERIC,
	VR_TEXT,					/* varlena string, deterministic collation */
	VR_BPCHAR,					/* char(n): trailing spaces do not count */
	VR_STRING_OUT,				/* string-like via its output function */
	VR_BOOL,
	VR_DATE,
	VR_TIMESTAMP,				/* timestamp and timestamptz */
	VR_HASHED,					/* other type with an extended hash proc */
	VR_BYTES					/* other type: hash of its binary image */
} ValueRep;

typedef struct ColumnType
{
	ColumnKind	kind;
	ValueRep	rep;
	Oid			typid;
	int32		typmod;
	Oid			collation;
	int16		typlen;
	bool		typbyval;
	FmgrInfo	proc;			/* hash (VR_HASHED, VR_NUMERIC) or output fn */
} ColumnType;

extern void column_type_init(ColumnType *ct, Form_pg_attribute attr,
							 MemoryContext fn_mcxt);
extern ColumnKind column_kind_of_type(Oid typid);
extern bool column_kind_is_integer(Oid typid);

/* bijective 64-bit mixer: distinct inputs give distinct hashes */
static inline uint64
mix64(uint64 x)
{
	x ^= x >> 30;
	x *= UINT64CONST(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64CONST(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

/* Hash of a double that agrees with float8 equality (-0 = 0, NaN = NaN). */
static inline uint64
hash_double(double v)
{
	uint64		bits;

	if (v == 0.0)
		v = 0.0;
	if (v != v)
		return UINT64CONST(0x7ff8000000000000);
	memcpy(&bits, &v, sizeof(bits));
	return mix64(bits);
}

extern uint64 column_hash_other(ColumnType *ct, Datum value);
extern double column_numeric_to_double(Datum value);

#endif							/* COLUMN_KIND_H */

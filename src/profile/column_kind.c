/*-------------------------------------------------------------------------
 *
 * column_kind.c
 *	  Classify column types for the profiler and hash their values.
 *
 * Distinct counts and duplicate rows rest on value hashes that respect the
 * type's equality, as DISTINCT does: for integers, floats, booleans, dates
 * and timestamps the hash is a bijection of the value, so the exact counts
 * are truly exact; numeric and other hashable types use their own extended
 * hash function (numeric 1.0 and 1.00 hash alike); types without a hash
 * operator class fall back to their binary image.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/pg_locale.h"
#include "utils/typcache.h"

#include "profile/column_kind.h"

/* The profile kind of a type, by OID and type category. */
ColumnKind
column_kind_of_type(Oid typid)
{
	char		category;
	bool		preferred;

	switch (typid)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case FLOAT4OID:
		case FLOAT8OID:
		case NUMERICOID:
			return CK_NUMERIC;
		case BOOLOID:
			return CK_BOOL;
		case DATEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			return CK_TEMPORAL;
		default:
			break;
	}
	get_type_category_preferred(getBaseType(typid), &category, &preferred);
	if (category == TYPCATEGORY_STRING || category == TYPCATEGORY_ENUM)
		return CK_TEXT;
	return CK_OTHER;
}

/* Integer types keep exact int64 min and max. */
bool
column_kind_is_integer(Oid typid)
{
	return typid == INT2OID || typid == INT4OID || typid == INT8OID;
}

/* Pick the value representation for a string-like type. */
static ValueRep
string_rep(Oid typid, Oid collation)
{
	bool		deterministic = !OidIsValid(collation) ||
		get_collation_isdeterministic(collation);

	if ((typid == TEXTOID || typid == VARCHAROID) && deterministic)
		return VR_TEXT;
	if (typid == BPCHAROID && deterministic)
		return VR_BPCHAR;
	return VR_STRING_OUT;
}

/* Pick the value representation of any type (kind already known). */
static ValueRep
value_rep(Oid typid, Oid collation, ColumnKind kind, TypeCacheEntry **tce)
{
	switch (typid)
	{
		case INT2OID:
			return VR_INT2;
		case INT4OID:
			return VR_INT4;
		case INT8OID:
			return VR_INT8;
		case FLOAT4OID:
			return VR_FLOAT4;
		case FLOAT8OID:
			return VR_FLOAT8;
		case NUMERICOID:
			return VR_NUMERIC;
		case BOOLOID:
			return VR_BOOL;
		case DATEOID:
			return VR_DATE;
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			return VR_TIMESTAMP;
		default:
			break;
	}
	if (kind == CK_TEXT)
		return string_rep(typid, collation);
	*tce = lookup_type_cache(typid, TYPECACHE_HASH_EXTENDED_PROC_FINFO);
	if (OidIsValid((*tce)->hash_extended_proc))
		return VR_HASHED;
	return VR_BYTES;
}

/* Fill ct for a table column; FmgrInfo lives in fn_mcxt. */
void
column_type_init(ColumnType *ct, Form_pg_attribute attr, MemoryContext fn_mcxt)
{
	TypeCacheEntry *tce = NULL;
	Oid			outfn;
	bool		isvarlena;

	memset(ct, 0, sizeof(*ct));
	ct->typid = attr->atttypid;
	ct->typmod = attr->atttypmod;
	ct->collation = attr->attcollation;
	ct->typlen = attr->attlen;
	ct->typbyval = attr->attbyval;
	ct->kind = column_kind_of_type(ct->typid);
	ct->rep = value_rep(ct->typid, ct->collation, ct->kind, &tce);

	if (ct->rep == VR_HASHED)
		fmgr_info_cxt(tce->hash_extended_proc, &ct->proc, fn_mcxt);
	else if (ct->rep == VR_NUMERIC)
		fmgr_info_cxt(F_HASH_NUMERIC_EXTENDED, &ct->proc, fn_mcxt);
	else if (ct->rep == VR_STRING_OUT)
	{
		getTypeOutputInfo(ct->typid, &outfn, &isvarlena);
		fmgr_info_cxt(outfn, &ct->proc, fn_mcxt);
	}
}

/* Hash of a value of a VR_HASHED, VR_NUMERIC or VR_BYTES column. */
uint64
column_hash_other(ColumnType *ct, Datum value)
{
	if (ct->rep == VR_HASHED || ct->rep == VR_NUMERIC)
		return DatumGetUInt64(FunctionCall2Coll(&ct->proc, ct->collation,
												value, UInt64GetDatum(0)));
	if (ct->typbyval)
		return mix64((uint64) value);
	if (ct->typlen > 0)
		return hash_bytes_extended((const unsigned char *) DatumGetPointer(value),
								   ct->typlen, 0);
	if (ct->typlen == -1)
	{
		struct varlena *v = PG_DETOAST_DATUM_PACKED(value);
		uint64		h;

		h = hash_bytes_extended((const unsigned char *) VARDATA_ANY(v),
								VARSIZE_ANY_EXHDR(v), 0);
		if ((Pointer) v != DatumGetPointer(value))
			pfree(v);
		return h;
	}
	/* cstring-like (typlen -2) */
	return hash_bytes_extended((const unsigned char *) DatumGetCString(value),
							   strlen(DatumGetCString(value)), 0);
}

/*
 * numeric to double.  NaN and +-Infinity stay what they are; a finite value
 * beyond the double range (numeric goes to 1e131071) is clamped to the
 * largest double, so it counts as the extreme finite value it is.
 */
double
column_numeric_to_double(Datum value)
{
	double		v = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow, value));

	if (isinf(v) && !numeric_is_inf(DatumGetNumeric(value)))
		v = v > 0 ? DBL_MAX : -DBL_MAX;
	return v;
}

/*-------------------------------------------------------------------------
 *
 * feature_value.c
 *	  SQL values to raw feature values.
 *
 * Which types are features: integers, floats and numeric (numeric); bool
 * (boolean); text, varchar, char, name, "char", citext-like string types
 * and enums (categorical); date (date); timestamp and timestamptz
 * (timestamp, as UTC epoch seconds, so that prediction does not depend on
 * the session's TimeZone).  Domains count as their base type.  NaN and
 * infinities are missing values, as documented.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "ml/feature_value.h"

/* Seconds from 1970-01-01 to PostgreSQL's epoch 2000-01-01 */
#define UNIX_TO_PG_EPOCH_SECS \
	((double) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY)

void
feature_type_init(FeatureType *ft, Oid typid, MemoryContext fcxt)
{
	char		category;
	bool		preferred;

	memset(ft, 0, sizeof(*ft));
	ft->typid = typid;
	ft->basetype = getBaseType(typid);
	ft->supported = true;
	switch (ft->basetype)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
			ft->is_integer = true;
			ft->kind = FEAT_NUMERIC;
			return;
		case FLOAT4OID:
		case FLOAT8OID:
		case NUMERICOID:
			ft->kind = FEAT_NUMERIC;
			return;
		case BOOLOID:
			ft->kind = FEAT_BOOLEAN;
			return;
		case DATEOID:
			ft->kind = FEAT_DATE;
			return;
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			ft->kind = FEAT_TIMESTAMP;
			return;
		case TEXTOID:
		case VARCHAROID:
			ft->kind = FEAT_CATEGORICAL;
			ft->is_varlena_text = true;
			return;
		case BPCHAROID:
			ft->kind = FEAT_CATEGORICAL;
			ft->is_varlena_text = true;
			ft->is_bpchar = true;
			return;
	}
	get_type_category_preferred(ft->basetype, &category, &preferred);
	if (category == TYPCATEGORY_STRING || category == TYPCATEGORY_ENUM)
	{
		Oid			outfn;
		bool		varlena;

		ft->kind = FEAT_CATEGORICAL;
		getTypeOutputInfo(ft->basetype, &outfn, &varlena);
		fmgr_info_cxt(outfn, &ft->output, fcxt);
		return;
	}
	ft->supported = false;
}

double
feature_value_number(const FeatureType *ft, Datum d)
{
	double		v;

	switch (ft->basetype)
	{
		case INT2OID:
			return DatumGetInt16(d);
		case INT4OID:
			return DatumGetInt32(d);
		case INT8OID:
			return (double) DatumGetInt64(d);
		case FLOAT4OID:
			v = DatumGetFloat4(d);
			break;
		case FLOAT8OID:
			v = DatumGetFloat8(d);
			break;
		case NUMERICOID:
			v = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow, d));
			break;
		case BOOLOID:
			return DatumGetBool(d) ? 1.0 : 0.0;
		case DATEOID:
			{
				DateADT		date = DatumGetDateADT(d);

				if (DATE_NOT_FINITE(date))
					return NAN;
				return (double) date * SECS_PER_DAY + UNIX_TO_PG_EPOCH_SECS;
			}
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			{
				Timestamp	ts = DatumGetTimestamp(d);

				if (TIMESTAMP_NOT_FINITE(ts))
					return NAN;
				return (double) ts / USECS_PER_SEC + UNIX_TO_PG_EPOCH_SECS;
			}
		default:
			elog(ERROR, "type %u is not a numeric feature type", ft->basetype);
	}
	return isfinite(v) ? v : NAN;
}

char *
feature_value_label(FeatureType *ft, Datum d)
{
	if (ft->is_varlena_text)
	{
		char	   *s = TextDatumGetCString(d);

		/* char(n) pads with blanks that carry no meaning */
		if (ft->is_bpchar)
		{
			int			len = strlen(s);

			while (len > 0 && s[len - 1] == ' ')
				s[--len] = '\0';
		}
		return s;
	}
	return OutputFunctionCall(&ft->output, d);
}

char *
feature_type_name(Oid typid)
{
	return format_type_be(typid);
}

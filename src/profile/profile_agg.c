/*-------------------------------------------------------------------------
 *
 * profile_agg.c
 *	  SQL-callable support functions of the aggregate automl.profile_agg.
 *
 * automl.profile_agg(row, options) takes whole rows and returns the profile
 * jsonb.  It is PARALLEL SAFE with combine, serial and deserial functions,
 * so a parallel sequential scan (or Citus, shard by shard) builds partial
 * states that the leader merges.  These wrappers only check the calling
 * context and hand over to profile_state.c and profile_json.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "profile/profile_options.h"
#include "profile/profile_summary.h"

PG_FUNCTION_INFO_V1(profile_agg_transfn);
PG_FUNCTION_INFO_V1(profile_agg_combine);
PG_FUNCTION_INFO_V1(profile_agg_serialize);
PG_FUNCTION_INFO_V1(profile_agg_deserialize);
PG_FUNCTION_INFO_V1(profile_agg_final);
PG_FUNCTION_INFO_V1(profile_columns_transfn);
PG_FUNCTION_INFO_V1(profile_columns_final);

/* The aggregate's memory context, or an ERROR outside an aggregate. */
static MemoryContext
profile_aggcontext(FunctionCallInfo fcinfo, const char *fn)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s called in non-aggregate context", fn)));
	return aggcontext;
}

/* The row type's descriptor, refusing anything that is not a row. */
static TupleDesc
profile_row_tupdesc(Oid typid, int32 typmod)
{
	if (!type_is_rowtype(typid))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("automl.profile_agg expects a whole row, not type %s",
						format_type_be(typid)),
				 errhint("Pass the table alias: SELECT automl.profile_agg(t) FROM my_table t.")));
	return lookup_rowtype_tupdesc(typid, typmod);
}

/* First row: create the state from the row's type and the options. */
static ProfileState *
profile_agg_start(FunctionCallInfo fcinfo, MemoryContext aggcontext,
				  HeapTupleHeader row)
{
	ProfileOptions opts;
	TupleDesc	tupdesc;
	ProfileState *st;

	profile_options_parse(PG_NARGS() > 2 && !PG_ARGISNULL(2) ?
						  PG_GETARG_JSONB_P(2) : NULL, &opts);
	tupdesc = profile_row_tupdesc(HeapTupleHeaderGetTypeId(row),
								  HeapTupleHeaderGetTypMod(row));
	st = profile_state_create(aggcontext, tupdesc, &opts);
	ReleaseTupleDesc(tupdesc);
	return st;
}

/* profile_agg_transfn(internal, anyelement [, jsonb]) returns internal */
Datum
profile_agg_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = profile_aggcontext(fcinfo, "profile_agg_transfn");
	ProfileState *st = PG_ARGISNULL(0) ? NULL : (ProfileState *) PG_GETARG_POINTER(0);
	HeapTupleHeader row;

	if (PG_ARGISNULL(1))
	{
		/* a NULL row (outer join) is not a row of the relation: skip it */
		if (st == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(st);
	}
	if (!type_is_rowtype(get_fn_expr_argtype(fcinfo->flinfo, 1)))
		profile_row_tupdesc(get_fn_expr_argtype(fcinfo->flinfo, 1), -1);
	row = PG_GETARG_HEAPTUPLEHEADER(1);
	if (st == NULL)
		st = profile_agg_start(fcinfo, aggcontext, row);
	profile_state_add_row(st, row);
	PG_RETURN_POINTER(st);
}

/* profile_agg_combine(internal, internal) returns internal */
Datum
profile_agg_combine(PG_FUNCTION_ARGS)
{
	profile_aggcontext(fcinfo, "profile_agg_combine");
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	if (PG_ARGISNULL(0))
	{
		/* src already lives in the aggregate context: adopt it */
		PG_RETURN_POINTER(PG_GETARG_POINTER(1));
	}
	profile_state_combine((ProfileState *) PG_GETARG_POINTER(0),
						  (ProfileState *) PG_GETARG_POINTER(1));
	PG_RETURN_POINTER(PG_GETARG_POINTER(0));
}

/* profile_agg_serialize(internal) returns bytea */
Datum
profile_agg_serialize(PG_FUNCTION_ARGS)
{
	profile_aggcontext(fcinfo, "profile_agg_serialize");
	PG_RETURN_BYTEA_P(profile_state_serialize((ProfileState *) PG_GETARG_POINTER(0)));
}

/* profile_agg_deserialize(bytea, internal) returns internal */
Datum
profile_agg_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = profile_aggcontext(fcinfo, "profile_agg_deserialize");

	PG_RETURN_POINTER(profile_state_deserialize(aggcontext, PG_GETARG_BYTEA_PP(0)));
}

/*
 * profile_agg_final(internal, anyelement, jsonb) returns jsonb
 *
 * With no rows there is no state; the declared row type (FINALFUNC_EXTRA
 * passes it) still gives the columns, so an empty table is profiled as
 * columns with zero counts and null statistics.
 */
Datum
profile_agg_final(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = profile_aggcontext(fcinfo, "profile_agg_final");
	ProfileState *st = PG_ARGISNULL(0) ? NULL : (ProfileState *) PG_GETARG_POINTER(0);

	if (st == NULL)
	{
		Oid			rowtype = get_fn_expr_argtype(fcinfo->flinfo, 1);
		ProfileOptions opts;
		TupleDesc	tupdesc;

		profile_options_parse(PG_NARGS() > 2 && !PG_ARGISNULL(2) ?
							  PG_GETARG_JSONB_P(2) : NULL, &opts);
		if (rowtype == RECORDOID)
			tupdesc = CreateTemplateTupleDesc(0);
		else
			tupdesc = profile_row_tupdesc(rowtype, -1);
		st = profile_state_create(aggcontext, tupdesc, &opts);
		if (rowtype != RECORDOID)
			ReleaseTupleDesc(tupdesc);
	}
	PG_RETURN_DATUM(profile_state_to_jsonb(st));
}

/*
 * First row of automl.profile_columns: the state is built from the
 * relation's row type, and the arguments after the options must be its
 * live columns in order, type for type.
 */
static ProfileState *
profile_columns_start(FunctionCallInfo fcinfo, MemoryContext aggcontext)
{
	Oid			relid = PG_GETARG_OID(1);
	Oid			rowtype = get_rel_type_id(relid);
	char	   *relname = get_rel_name(relid);
	ProfileOptions opts;
	TupleDesc	tupdesc;
	ProfileState *st;
	int			i;

	if (relname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	if (!OidIsValid(rowtype))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("relation \"%s\" has no row type", relname)));
	profile_options_parse(PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2), &opts);
	tupdesc = lookup_rowtype_tupdesc(rowtype, -1);
	st = profile_state_create(aggcontext, tupdesc, &opts);
	ReleaseTupleDesc(tupdesc);
	if (PG_NARGS() - 3 != st->ncolumns)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("automl.profile_columns expects the %d columns of relation \"%s\", got %d values",
						st->ncolumns, relname, PG_NARGS() - 3)));
	for (i = 0; i < st->ncolumns; i++)
		if (get_fn_expr_argtype(fcinfo->flinfo, 3 + i) != st->columns[i].type.typid)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("value %d of automl.profile_columns is not of the type of column \"%s\"",
							i + 1, st->columns[i].name)));
	return st;
}

/*
 * profile_columns_transfn(internal, regclass, jsonb, VARIADIC "any")
 *
 * The column-wise twin of profile_agg_transfn that automl.profile() uses:
 * taking the columns as separate arguments spares the executor forming a
 * row value per row, and us deforming it again.
 */
Datum
profile_columns_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = profile_aggcontext(fcinfo, "profile_columns_transfn");
	ProfileState *st = PG_ARGISNULL(0) ? NULL : (ProfileState *) PG_GETARG_POINTER(0);
	int			i;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("relation must not be NULL")));
	if (st == NULL)
		st = profile_columns_start(fcinfo, aggcontext);
	for (i = 0; i < st->ncolumns; i++)
	{
		int			att = st->attnums[i];

		st->nulls[att] = PG_ARGISNULL(3 + i);
		st->values[att] = st->nulls[att] ? (Datum) 0 : PG_GETARG_DATUM(3 + i);
	}
	profile_state_add_values(st);
	PG_RETURN_POINTER(st);
}

/*
 * profile_columns_final(internal, regclass, jsonb, VARIADIC "any")
 *
 * NULL without rows: the caller profiles an empty relation by its row type.
 */
Datum
profile_columns_final(PG_FUNCTION_ARGS)
{
	profile_aggcontext(fcinfo, "profile_columns_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(profile_state_to_jsonb((ProfileState *) PG_GETARG_POINTER(0)));
}

/*-------------------------------------------------------------------------
 *
 * profile.c
 *	  automl.profile(relation regclass, options jsonb): profile a relation,
 *	  store the result in automl.profiles, return it.
 *
 * The work is one query, run through SPI as the calling role:
 *
 *	SELECT automl.profile_columns($4, $1, t.a, t.b, ...)
 *		   || {relation, schema, profiled_at}
 *	  FROM schema.relation t
 *
 * Passing the columns one by one, rather than the row value t.*, spares
 * the executor forming a composite datum per row (a sixth of the time on
 * a wide table).  An empty relation gives NULL, and is profiled with the
 * row-typed automl.profile_agg(t.*, $1) over its (zero) rows instead, as
 * is a relation wider than a function's FUNC_MAX_ARGS arguments.
 *
 * Running it as a query means the planner may split the scan across
 * parallel workers (the aggregate is PARALLEL SAFE), the caller's
 * privileges apply (no SELECT right, no profile), and cancel works through
 * the executor's own interrupt checks.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "automl.h"
#include "profile/profile_options.h"

PG_FUNCTION_INFO_V1(automl_profile);

int			automl_profile_max_memory_mb = 1024;

/* Define the profile area's GUCs. */
void
profile_init_gucs(void)
{
	DefineCustomIntVariable("automl.profile_max_memory",
							"Largest memory one profile aggregate state may use.",
							"A profile that needs more stops with an error instead of exhausting the server's memory.",
							&automl_profile_max_memory_mb,
							1024, 16, INT_MAX / 2,
							PGC_USERSET, GUC_UNIT_MB,
							NULL, NULL, NULL);
}

/* The row-typed aggregate call: empty or very wide relations. */
#define PROFILE_ROW_CALL "automl.profile_agg(t.*, $1)"

/*
 * The column-wise aggregate call over alias t, automl.profile_columns($4,
 * $1, t.a, t.b, ...) with every live column quoted; NULL when the relation
 * has more columns than a function takes arguments.
 */
static char *
profile_columns_call(TupleDesc tupdesc, int live)
{
	StringInfoData call;
	int			i;

	if (live + 3 > FUNC_MAX_ARGS)
		return NULL;
	initStringInfo(&call);
	appendStringInfoString(&call, "automl.profile_columns($4, $1");
	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(tupdesc, i);

		if (!attr->attisdropped)
			appendStringInfo(&call, ", t.%s", quote_identifier(NameStr(attr->attname)));
	}
	appendStringInfoChar(&call, ')');
	return call.data;
}

/*
 * Refuse relations that cannot be profiled, naming them; returns the
 * column-wise aggregate call for the others (NULL if too wide for one).
 */
static char *
profile_check_relation(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Form_pg_class cls;
	int			live = 0;
	int			i;
	Relation	rel;
	char	   *call;

	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	cls = (Form_pg_class) GETSTRUCT(tup);
	if (cls->relkind != RELKIND_RELATION && cls->relkind != RELKIND_PARTITIONED_TABLE &&
		cls->relkind != RELKIND_VIEW && cls->relkind != RELKIND_MATVIEW &&
		cls->relkind != RELKIND_FOREIGN_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table, view, materialized view or foreign table",
						NameStr(cls->relname))));
	ReleaseSysCache(tup);

	rel = relation_open(relid, AccessShareLock);
	for (i = 0; i < RelationGetNumberOfAttributes(rel); i++)
		if (!TupleDescAttr(RelationGetDescr(rel), i)->attisdropped)
			live++;
	if (live == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("relation \"%s\" has no columns to profile",
						RelationGetRelationName(rel))));
	call = profile_columns_call(RelationGetDescr(rel), live);
	relation_close(rel, NoLock);
	return call;
}

/*
 * Run the profile query; returns the jsonb copied into the caller's
 * context, or (Datum) 0 when the aggregate gave NULL (no rows).
 */
static Datum
profile_run_query(Oid relid, Datum options, const char *aggregate_call)
{
	char	   *nspname = get_namespace_name(get_rel_namespace(relid));
	char	   *relname = get_rel_name(relid);
	StringInfoData sql;
	Oid			argtypes[4] = {JSONBOID, TEXTOID, TEXTOID, REGCLASSOID};
	Datum		args[4];
	bool		isnull;
	Datum		result;
	int			rc;

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "SELECT %s OPERATOR(pg_catalog.||) "
					 "pg_catalog.jsonb_build_object('relation', $2, 'schema', $3, "
					 "'profiled_at', pg_catalog.now()) FROM %s t",
					 aggregate_call,
					 quote_qualified_identifier(nspname, relname));
	args[0] = options;
	args[1] = CStringGetTextDatum(DatumGetCString(DirectFunctionCall1(regclassout,
																	  ObjectIdGetDatum(relid))));
	args[2] = CStringGetTextDatum(nspname);
	args[3] = ObjectIdGetDatum(relid);
	rc = SPI_execute_with_args(sql.data, 4, argtypes, args, NULL, true, 0);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "profile query failed: %s", SPI_result_code_string(rc));
	result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		return (Datum) 0;
	/* copy out of SPI's memory into the function's own context */
	return SPI_datumTransfer(result, false, -1);
}

/* Append the profile to automl.profiles. */
static void
profile_store(Oid relid, Datum profile)
{
	Oid			argtypes[2] = {REGCLASSOID, JSONBOID};
	Datum		args[2] = {ObjectIdGetDatum(relid), profile};
	int			rc;

	rc = SPI_execute_with_args("INSERT INTO automl.profiles (relation, profile) "
							   "VALUES ($1, $2)", 2, argtypes, args, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "could not store the profile: %s", SPI_result_code_string(rc));
}

/* automl.profile(relation regclass, options jsonb DEFAULT '{}') RETURNS jsonb */
Datum
automl_profile(PG_FUNCTION_ARGS)
{
	Oid			relid;
	Datum		options;
	ProfileOptions opts;
	char	   *columns_call;
	Datum		profile = (Datum) 0;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("relation must not be NULL")));
	relid = PG_GETARG_OID(0);
	options = PG_ARGISNULL(1) ? DirectFunctionCall1(jsonb_in, CStringGetDatum("{}")) :
		PG_GETARG_DATUM(1);
	profile_options_parse(DatumGetJsonbP(options), &opts);
	columns_call = profile_check_relation(relid);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (columns_call != NULL)
		profile = profile_run_query(relid, options, columns_call);
	/* no rows (or too wide): the row-typed aggregate knows the columns */
	if (profile == (Datum) 0)
		profile = profile_run_query(relid, options, PROFILE_ROW_CALL);
	if (profile == (Datum) 0)
		elog(ERROR, "profile query returned NULL");
	profile_store(relid, profile);
	SPI_finish();
	PG_RETURN_DATUM(profile);
}

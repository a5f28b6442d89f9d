/*-------------------------------------------------------------------------
 *
 * profile_report.c
 *	  automl.profile_report(relation regclass): the newest profile as a
 *	  self-contained HTML page.
 *
 * The page is rendered by report_html.c (plain C over jansson, fuzzed
 * outside the server); this wrapper finds the profile, profiling the
 * relation first if it has never been profiled, and copies the page into
 * palloc'd memory.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <stdlib.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "profile/report_html.h"

PG_FUNCTION_INFO_V1(automl_profile_report);

/* The newest stored profile of relid as JSON text, profiling if needed. */
static char *
profile_report_fetch(Oid relid)
{
	Oid			argtypes[1] = {REGCLASSOID};
	Datum		args[1] = {ObjectIdGetDatum(relid)};
	bool		isnull;
	Datum		d;
	int			rc;

	rc = SPI_execute_with_args("SELECT COALESCE(automl.get_profile($1), "
							   "automl.profile($1))::text",
							   1, argtypes, args, NULL, false, 0);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the profile: %s", SPI_result_code_string(rc));
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		elog(ERROR, "profile of relation %u is NULL", relid);
	return TextDatumGetCString(d);
}

/* automl.profile_report(relation regclass) RETURNS text */
Datum
automl_profile_report(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	MemoryContext fn_mcxt = CurrentMemoryContext;
	const char *why = NULL;
	char	   *json;
	char	   *html;
	text	   *result;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	json = profile_report_fetch(relid);
	html = profile_report_html(json, strlen(json), &why);
	if (html == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("stored profile of relation %u cannot be rendered: %s",
						relid, why ? why : "unknown error")));
	MemoryContextSwitchTo(fn_mcxt);
	result = cstring_to_text(html);
	free(html);
	SPI_finish();
	PG_RETURN_TEXT_P(result);
}

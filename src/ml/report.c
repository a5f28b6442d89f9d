/*-------------------------------------------------------------------------
 *
 * report.c
 *	  automl.model_report: the deployed version of a model as an HTML page.
 *
 * The document (see model_report.c for its keys) is assembled by one query
 * over the registry, the trials of the search and the feature importance,
 * and rendered by the plain-C renderer.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"

#include "ml/model_cache.h"
#include "ml/model_report.h"

PG_FUNCTION_INFO_V1(automl_model_report);

#define REPORT_QUERY \
	"SELECT pg_catalog.jsonb_build_object(" \
	" 'model', pg_catalog.jsonb_build_object('model_name', m.model_name, 'version', m.version," \
	"   'model_id', m.model_id, 'task', m.task, 'algorithm', m.algorithm, 'target', m.target," \
	"   'train_rows', m.train_rows, 'training_seconds', m.training_seconds," \
	"   'created_at', m.created_at::text, 'created_by', m.created_by, 'deployed', m.deployed," \
	"   'size_bytes', m.size_bytes, 'hyperparams', m.hyperparams)," \
	" 'metrics', m.metrics, 'classes', pg_catalog.to_jsonb(m.classes)," \
	" 'confusion_matrix', m.diagnostics -> 'confusion_matrix'," \
	" 'roc_curve', m.diagnostics -> 'roc_curve'," \
	" 'residuals', m.diagnostics -> 'residuals'," \
	" 'search', m.metrics -> 'search'," \
	" 'importance', (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(" \
	"     'feature', i.feature, 'importance', i.importance))" \
	"   FROM automl.feature_importance(m.model_name) i)," \
	" 'leaderboard', (SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(l) ORDER BY l.rank)" \
	"   FROM automl.leaderboard(m.model_name) l WHERE l.version = m.version)" \
	")::text FROM automl.models m WHERE m.model_name = $1 AND m.deployed"

/* automl.model_report(model text) RETURNS text */
Datum
automl_model_report(PG_FUNCTION_ARGS)
{
	char	   *name;
	Oid			argtype = TEXTOID;
	Datum		arg;
	char	   *doc = NULL;
	char	   *html;
	const char *why = NULL;
	text	   *result;
	int			ret;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model must not be NULL")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	/* the same errors as predict: unknown, not deployed, corrupt */
	model_require_supervised(model_cache_by_name(name)->model,
							 psprintf("model \"%s\"", name), "automl.model_report");

	arg = CStringGetTextDatum(name);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(REPORT_QUERY, 1, &argtype, &arg, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read the model report: %s", SPI_result_code_string(ret));
	if (SPI_processed == 1)
	{
		char	   *s = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		if (s)
			doc = MemoryContextStrdup(TopTransactionContext, s);
	}
	SPI_finish();
	if (doc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("model \"%s\" has no deployed version", name)));

	html = model_report_html(doc, strlen(doc), &why);
	if (html == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not render the report of model \"%s\": %s", name,
						why ? why : "unknown reason")));
	result = cstring_to_text(html);
	free(html);
	pfree(doc);
	PG_RETURN_TEXT_P(result);
}

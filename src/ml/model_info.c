/*-------------------------------------------------------------------------
 *
 * model_info.c
 *	  Read the info JSON a model image carries (hyperparameters, metrics,
 *	  score, rows, time), so that an imported model fills its registry row.
 *
 * Parsed as jsonb, so that numbers keep exactly the digits they were
 * written with and an imported model's metrics equal the original's.  The
 * image may come from anywhere: invalid JSON is an error of jsonb's input
 * function, and a member that is missing or of the wrong type gets a
 * default.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "ml/registry.h"

/* Member key of the object, or NULL. */
static JsonbValue *
info_get(Jsonb *obj, const char *key)
{
	if (obj == NULL)
		return NULL;
	return getKeyJsonValueFromContainer(&obj->root, key, strlen(key), NULL);
}

/* JSON text of an object member, or "{}". */
static char *
info_object(Jsonb *obj, const char *key)
{
	JsonbValue *v = info_get(obj, key);

	if (v == NULL || v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
		return pstrdup("{}");
	return JsonbToCString(NULL, v->val.binary.data, VARSIZE(JsonbValueToJsonb(v)));
}

static double
info_number(Jsonb *obj, const char *key, bool *isnull)
{
	JsonbValue *v = info_get(obj, key);

	*isnull = v == NULL || v->type != jbvNumeric;
	if (*isnull)
		return 0;
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
											  NumericGetDatum(v->val.numeric)));
}

void
model_info_parse(const char *info, char **hyperparams_json, char **metrics_json,
				 char **diagnostics_json, double *score, bool *score_null,
				 int64 *train_rows, double *training_seconds)
{
	Jsonb	   *obj = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(info)));
	bool		isnull;
	double		rows;

	if (!JB_ROOT_IS_OBJECT(obj) || JB_ROOT_IS_SCALAR(obj))
		obj = NULL;
	*hyperparams_json = info_object(obj, "hyperparams");
	*metrics_json = info_object(obj, "metrics");
	*diagnostics_json = info_object(obj, "diagnostics");
	*score = info_number(obj, "score", score_null);
	if (!isfinite(*score))
		*score_null = true;
	rows = info_number(obj, "train_rows", &isnull);
	/* out of range would be undefined as an integer */
	*train_rows = (rows >= 0 && rows < 1e18) ? (int64) rows : 0;
	*training_seconds = info_number(obj, "training_seconds", &isnull);
}

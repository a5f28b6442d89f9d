/*-------------------------------------------------------------------------
 *
 * profile_options.c
 *	  Validate the options jsonb of automl.profile and profile_agg.
 *
 * Unknown keys and values of the wrong type are errors, not silently
 * ignored: a misspelt {"exat": true} would otherwise give a profile the
 * user did not ask for.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "profile/profile_options.h"

#define VALID_KEYS "exact, duplicates, correlations, max_correlation_columns, top_values, histogram_bins"

/* Defaults, as documented in docs/profiling.md. */
static void
profile_options_defaults(ProfileOptions *o)
{
	o->exact = false;
	o->duplicates = true;
	o->correlations = true;
	o->max_correlation_columns = 64;
	o->top_values = 10;
	o->histogram_bins = 20;
}

static bool
option_bool(const char *key, JsonbValue *v)
{
	if (v->type != jbvBool)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("profile option \"%s\" must be a boolean", key)));
	return v->val.boolean;
}

static int
option_int(const char *key, JsonbValue *v, int lo, int hi)
{
	double		d;

	if (v->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("profile option \"%s\" must be an integer", key)));
	d = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
										   NumericGetDatum(v->val.numeric)));
	if (d != floor(d))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("profile option \"%s\" must be an integer", key)));
	if (d < lo || d > hi)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("profile option \"%s\" must be between %d and %d", key, lo, hi)));
	return (int) d;
}

/* Apply one key/value pair. */
static void
profile_option_set(ProfileOptions *o, const char *key, JsonbValue *v)
{
	if (strcmp(key, "exact") == 0)
		o->exact = option_bool(key, v);
	else if (strcmp(key, "duplicates") == 0)
		o->duplicates = option_bool(key, v);
	else if (strcmp(key, "correlations") == 0)
		o->correlations = option_bool(key, v);
	else if (strcmp(key, "max_correlation_columns") == 0)
		o->max_correlation_columns = option_int(key, v, 2, 1000);
	else if (strcmp(key, "top_values") == 0)
		o->top_values = option_int(key, v, 0, 10);
	else if (strcmp(key, "histogram_bins") == 0)
		o->histogram_bins = option_int(key, v, 1, 20);
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown profile option \"%s\"", key),
				 errhint("Valid options are: " VALID_KEYS ".")));
}

/* Parse options (NULL means all defaults) into o, or raise an ERROR. */
void
profile_options_parse(Jsonb *options, ProfileOptions *o)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *key = NULL;

	profile_options_defaults(o);
	if (options == NULL)
		return;
	if (!JB_ROOT_IS_OBJECT(options) || JB_ROOT_IS_SCALAR(options))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("profile options must be a JSON object"),
				 errhint("Valid options are: " VALID_KEYS ".")));
	it = JsonbIteratorInit(&options->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			key = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE)
			profile_option_set(o, key, &v);
	}
}

/*-------------------------------------------------------------------------
 *
 * train_options.c
 *	  Validate the options jsonb of automl.train.
 *
 * As for profile options, an unknown key or a value of the wrong type or
 * out of range is an ERROR: a misspelt {"test_fracton": 0.5} must not train
 * a model the user did not ask for.  Hyperparameters are checked against
 * the chosen algorithm (hyperparams.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "ml/train_options.h"

#define VALID_KEYS "test_fraction, seed, exclude, sample_rows, hyperparams, deploy, metric"

static double
jsonb_number(const char *what, const char *key, JsonbValue *v)
{
	if (v->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s \"%s\" must be a number", what, key)));
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
											  NumericGetDatum(v->val.numeric)));
}

/*
 * The number of option key (what: "training option", ...), in lo..hi (lo
 * excluded if lo_open), whole if integer; else ERROR.
 */
double
jsonb_option_number(const char *what, const char *key, JsonbValue *v, double lo, double hi,
					bool integer, bool lo_open)
{
	double		d = jsonb_number(what, key, v);

	if (integer && d != floor(d))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s \"%s\" must be an integer", what, key)));
	if (!(lo_open ? d > lo : d >= lo) || !(d <= hi))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s \"%s\" must be %s %g and at most %g",
						what, key, lo_open ? "greater than" : "at least", lo, hi)));
	return d;
}

/* The string of option key, or ERROR. */
char *
jsonb_option_string(const char *what, const char *key, JsonbValue *v)
{
	if (v->type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s \"%s\" must be a string", what, key)));
	return pnstrdup(v->val.string.val, v->val.string.len);
}

static double
option_number(const char *key, JsonbValue *v, double lo, double hi,
			  bool integer, bool lo_open)
{
	return jsonb_option_number("training option", key, v, lo, hi, integer, lo_open);
}

static char *
jsonb_string(const char *key, JsonbValue *v)
{
	return jsonb_option_string("training option", key, v);
}

/*
 * Call fn for each key of an options object; ERROR (what names the kind of
 * options, valid lists their keys for the hint) unless it is an object.
 * NULL options have no keys.
 */
void
jsonb_options_each(Jsonb *options, const char *what, const char *valid,
				   JsonbOptionFn fn, void *arg)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *key = NULL;

	if (options == NULL)
		return;
	if (!JB_ROOT_IS_OBJECT(options) || JB_ROOT_IS_SCALAR(options))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%ss must be a JSON object", what),
				 errhint("Valid options are: %s.", valid)));
	it = JsonbIteratorInit(&options->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			key = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE)
			fn(key, &v, arg);
	}
}

/* ERROR for an option key nobody knows. */
void
jsonb_option_unknown(const char *what, const char *key, const char *valid)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown %s \"%s\"", what, key),
			 errhint("Valid options are: %s.", valid)));
}

/* options.exclude: a JSON array of column names */
static List *
option_exclude(JsonbValue *v)
{
	JsonbIterator *it;
	JsonbValue	e;
	JsonbIteratorToken tok;
	List	   *names = NIL;

	if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("training option \"exclude\" must be an array of column names")));
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &e, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		if (e.type != jbvString)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("training option \"exclude\" must be an array of column names")));
		names = lappend(names, pnstrdup(e.val.string.val, e.val.string.len));
	}
	return names;
}

static void
train_option(const char *key, JsonbValue *v, void *arg)
{
	TrainOptions *o = arg;

	if (strcmp(key, "test_fraction") == 0)
		o->test_fraction = option_number(key, v, 0, 0.9, false, false);
	else if (strcmp(key, "seed") == 0)
		o->seed = (uint64) option_number(key, v, 0, 9007199254740992.0, true, false);
	else if (strcmp(key, "exclude") == 0)
		o->exclude = option_exclude(v);
	else if (strcmp(key, "sample_rows") == 0)
		o->sample_rows = (int64) option_number(key, v, 1, 1e15, true, false);
	else if (strcmp(key, "hyperparams") == 0)
	{
		if (v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("training option \"hyperparams\" must be a JSON object")));
		o->hyperparams = v->val.binary.data;
	}
	else if (strcmp(key, "metric") == 0)
		o->metric = jsonb_string(key, v);
	else if (strcmp(key, "deploy") == 0)
	{
		char	   *s = jsonb_string(key, v);

		if (strcmp(s, "auto") == 0)
			o->deploy = TRAIN_DEPLOY_AUTO;
		else if (strcmp(s, "always") == 0)
			o->deploy = TRAIN_DEPLOY_ALWAYS;
		else if (strcmp(s, "never") == 0)
			o->deploy = TRAIN_DEPLOY_NEVER;
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("training option \"deploy\" must be 'auto', 'always' or 'never', not \"%s\"", s)));
	}
	else
		jsonb_option_unknown("training option", key, VALID_KEYS);
}

void
train_options_parse(Jsonb *options, TrainOptions *o)
{
	memset(o, 0, sizeof(*o));
	o->test_fraction = 0.2;
	o->seed = 42;
	o->deploy = TRAIN_DEPLOY_AUTO;
	jsonb_options_each(options, "training option", VALID_KEYS, train_option, o);
}

/* The valid hyperparameter keys of algorithm, for a hint. */
static char *
valid_keys(const char *algorithm)
{
	StringInfoData s;

	initStringInfo(&s);
	for (int i = 0; i < ml_hyperparam_count(); i++)
	{
		const MlHyperparamSpec *spec = ml_hyperparam_spec(i);

		if (ml_hyperparam_applies(spec, algorithm))
			appendStringInfo(&s, "%s%s", s.len > 0 ? ", " : "", spec->key);
	}
	return s.data;
}

void
train_hyperparams_parse(JsonbContainer *hyperparams, const char *algorithm,
						MlHyperparams *hp)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *key = NULL;

	if (hyperparams == NULL)
		return;
	it = JsonbIteratorInit(hyperparams);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		const MlHyperparamSpec *spec;
		double		d;

		if (tok == WJB_KEY)
		{
			key = pnstrdup(v.val.string.val, v.val.string.len);
			continue;
		}
		if (tok != WJB_VALUE)
			continue;
		spec = ml_hyperparam_lookup(algorithm, key);
		if (spec == NULL)
		{
			char	   *keys = valid_keys(algorithm);

			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown hyperparameter \"%s\" for algorithm %s", key, algorithm),
					 *keys ? errhint("Valid hyperparameters of %s are: %s.", algorithm, keys) :
					 errhint("%s has no hyperparameters.", algorithm)));
		}
		if (spec->type == HP_BOOL)
		{
			if (v.type != jbvBool)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("hyperparameter \"%s\" must be a boolean", key)));
			d = v.val.boolean ? 1 : 0;
		}
		else
			d = jsonb_number("hyperparameter", key, &v);
		if (!ml_hyperparam_set(hp, spec, d))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("hyperparameter \"%s\" must be %s between %g and %g",
							key, spec->type == HP_INT ? "an integer" : "a number",
							spec->lo, spec->hi)));
	}
}

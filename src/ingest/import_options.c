/*-------------------------------------------------------------------------
 *
 * import_options.c
 *	  The options jsonb of automl.import_csv and automl.import_json.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "ingest/import.h"
#include "ml/train_options.h"

#define CSV_OPTION "import_csv option"
#define CSV_KEYS "delimiter, quote, header, bom, newline, null, sample_rows, create, max_errors, profile, normalize_names, max_field_size"
#define JSON_OPTION "import_json option"
#define JSON_KEYS "flatten, sample_rows, create, max_errors, profile, normalize_names, max_object_size"

typedef struct OptionContext
{
	ImportOptions *o;
	bool		csv;
} OptionContext;

static bool
option_bool(const char *what, const char *key, JsonbValue *v)
{
	if (v->type != jbvBool)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s \"%s\" must be true or false", what, key)));
	return v->val.boolean;
}

/* One byte that is not a newline, nor (for the quote) the delimiter. */
static char
option_char(const char *what, const char *key, JsonbValue *v)
{
	char	   *s = jsonb_option_string(what, key, v);

	if (strlen(s) != 1 || s[0] == '\n' || s[0] == '\r' || (unsigned char) s[0] >= 0x80)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s \"%s\" must be one ASCII character other than a newline", what, key)));
	return s[0];
}

static char
option_newline(const char *what, const char *key, JsonbValue *v)
{
	char	   *s = jsonb_option_string(what, key, v);

	/* CR LF ends lines at the LF; the CR ends the record too */
	if (strcmp(s, "\n") == 0 || strcmp(s, "\r\n") == 0 || pg_strcasecmp(s, "lf") == 0 ||
		pg_strcasecmp(s, "crlf") == 0)
		return '\n';
	if (strcmp(s, "\r") == 0 || pg_strcasecmp(s, "cr") == 0)
		return '\r';
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s \"%s\" must be \"lf\", \"crlf\" or \"cr\"", what, key)));
	return '\n';
}

/* "null": a string or an array of strings, the values read as NULL */
static List *
option_nulls(const char *what, const char *key, JsonbValue *v)
{
	List	   *nulls = NIL;
	JsonbIterator *it;
	JsonbValue	e;
	JsonbIteratorToken tok;

	if (v->type == jbvString)
		return list_make1(jsonb_option_string(what, key, v));
	if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s \"%s\" must be a string or an array of strings", what, key)));
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &e, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		nulls = lappend(nulls, jsonb_option_string(what, key, &e));
	}
	return nulls;
}

static void
import_option(const char *key, JsonbValue *v, void *arg)
{
	OptionContext *c = arg;
	ImportOptions *o = c->o;
	const char *what = c->csv ? CSV_OPTION : JSON_OPTION;
	const char *keys = c->csv ? CSV_KEYS : JSON_KEYS;

	if (strcmp(key, "sample_rows") == 0)
		o->sample_rows = (int64) jsonb_option_number(what, key, v, 1, 1e15, true, false);
	else if (strcmp(key, "create") == 0)
		o->create = option_bool(what, key, v);
	else if (strcmp(key, "max_errors") == 0)
		o->max_errors = (int64) jsonb_option_number(what, key, v, 0, 1e15, true, false);
	else if (strcmp(key, "profile") == 0)
		o->profile = option_bool(what, key, v);
	else if (strcmp(key, "normalize_names") == 0)
		o->normalize_names = option_bool(what, key, v);
	else if (strcmp(key, c->csv ? "max_field_size" : "max_object_size") == 0)
		o->max_field = (size_t) jsonb_option_number(what, key, v, 1, IMPORT_MAX_MAX_FIELD, true, false);
	else if (c->csv && strcmp(key, "delimiter") == 0)
		o->delimiter = option_char(what, key, v);
	else if (c->csv && strcmp(key, "quote") == 0)
		o->quote = option_char(what, key, v);
	else if (c->csv && strcmp(key, "header") == 0)
		o->header = option_bool(what, key, v) ? 1 : 0;
	else if (c->csv && strcmp(key, "bom") == 0)
		o->bom = option_bool(what, key, v) ? 1 : 0;
	else if (c->csv && strcmp(key, "newline") == 0)
		o->newline = option_newline(what, key, v);
	else if (c->csv && strcmp(key, "null") == 0)
	{
		o->nulls = option_nulls(what, key, v);
		o->nulls_set = true;
	}
	else if (!c->csv && strcmp(key, "flatten") == 0)
		o->flatten = option_bool(what, key, v);
	else
		jsonb_option_unknown(what, key, keys);
}

void
import_options_parse(Jsonb *options, ImportOptions *o, bool csv)
{
	OptionContext c = {o, csv};

	memset(o, 0, sizeof(*o));
	o->header = -1;
	o->bom = -1;
	o->create = true;
	o->normalize_names = true;
	o->max_field = IMPORT_DEFAULT_MAX_FIELD;
	jsonb_options_each(options, csv ? CSV_OPTION : JSON_OPTION, csv ? CSV_KEYS : JSON_KEYS,
					   import_option, &c);
	if (csv && o->delimiter != 0 && o->delimiter == o->quote)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("import_csv options \"delimiter\" and \"quote\" must differ")));
}

/*-------------------------------------------------------------------------
 *
 * import_json.c
 *	  automl.import_json and automl.import_json_file: the JSON format of an
 *	  import (an array of objects, or NDJSON).
 *
 * The columns are the union of the objects' keys, in the order they first
 * appear; nested objects and arrays are jsonb columns, or "a.b" columns
 * with options.flatten.  A key an object lacks is NULL.  Appending, a
 * first pass binds the keys to the table's columns by name (as written,
 * or normalised), so that columns no object has get their defaults; an
 * object with a key the table lacks is a bad row.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "ingest/import.h"
#include "ingest/json_reader.h"

PG_FUNCTION_INFO_V1(automl_import_json);
PG_FUNCTION_INFO_V1(automl_import_json_file);

/*
 * st->reader.  Objects mostly list their keys in the same order, so the
 * column of the i-th key of the last object is tried first (hint_key[i],
 * hint_col[i]) before a search.
 */
typedef struct JsonBox
{
	JsonReader *reader;
	char	  **hint_key;
	int		   *hint_col;
	int			nhints;
} JsonBox;

static void
box_cleanup(void *arg)
{
	JsonBox    *box = arg;

	if (box->reader)
		json_reader_free(box->reader);
	box->reader = NULL;
}

/* The column of a key, or -1. */
static int
find_column(ImportState *st, JsonBox *box, const char *key, int position)
{
	char	   *normal = NULL;

	if (position < box->nhints && box->hint_key[position] && strcmp(box->hint_key[position], key) == 0)
		return box->hint_col[position];
	for (int pass = 0; pass < 2; pass++)
	{
		for (int i = 0; i < st->ncols; i++)
		{
			const char *name = st->append ? st->cols[i].name : st->cols[i].source_name;

			if (strcmp(name, pass == 0 ? key : normal) == 0)
			{
				if (position < box->nhints)
				{
					box->hint_key[position] = MemoryContextStrdup(st->cxt, key);
					box->hint_col[position] = i;
				}
				return i;
			}
		}
		if (!st->append)
			break;
		normal = import_column_name(key, strlen(key), st->opt.normalize_names, 0);
	}
	return -1;
}

static void
json_start(ImportState *st)
{
	JsonBox    *box = st->reader;
	JsonReaderOptions ropt;
	unsigned char head[3] = {0, 0, 0};

	if (box == NULL)
	{
		MemoryContextCallback *cb;

		box = MemoryContextAllocZero(st->cxt, sizeof(JsonBox));
		box->nhints = IMPORT_MAX_COLUMNS;
		box->hint_key = MemoryContextAllocZero(st->cxt, box->nhints * sizeof(char *));
		box->hint_col = MemoryContextAllocZero(st->cxt, box->nhints * sizeof(int));
		cb = MemoryContextAllocZero(st->cxt, sizeof(MemoryContextCallback));
		cb->func = box_cleanup;
		cb->arg = box;
		MemoryContextRegisterResetCallback(st->cxt, cb);
		st->reader = box;
	}
	box_cleanup(box);
	import_rewind(st);
	import_read(st, (char *) head, 3);
	import_rewind(st);

	memset(&ropt, 0, sizeof(ropt));
	ropt.flatten = st->opt.flatten;
	ropt.skip = head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF ? 3 : 0;
	ropt.max_object = st->opt.max_field;
	ropt.max_fields = IMPORT_MAX_COLUMNS;
	ropt.verify = st->file ? import_verify : NULL;
	box->reader = json_reader_create(&ropt, import_read, st);
	if (box->reader == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
}

static ImportValueKind
value_kind(JsonValueKind k)
{
	switch (k)
	{
		case JSON_VALUE_NULL:
			return IV_NULL;
		case JSON_VALUE_STRING:
			return IV_STRING;
		case JSON_VALUE_NESTED:
			return IV_NESTED;
		default:
			return IV_LITERAL;
	}
}

static ImportRowResult
json_next(ImportState *st)
{
	JsonBox    *box = st->reader;
	JsonRow		row;
	JsonResult	r = json_reader_next(box->reader, &row);

	if (r == JSON_READ_END)
		return IMPORT_END;
	if (r != JSON_READ_ROW)
	{
		const JsonError *e = json_reader_error(box->reader);

		import_bad(st, e->line, e->column, e->message, e->raw, e->raw_len);
		return r == JSON_READ_BAD ? IMPORT_BAD : IMPORT_FATAL;
	}
	st->line = row.line;
	for (int i = 0; i < st->ncols; i++)
		st->values[i].kind = IV_NULL;
	for (int i = 0; i < row.nfields; i++)
	{
		const JsonField *f = &row.fields[i];
		int			col = find_column(st, box, f->key, i);
		ImportValue *v;

		/* appending: the first pass binds the keys the objects have */
		if (col < 0 && st->append && st->pass == 1)
		{
			col = import_add_column(st, f->key, strlen(f->key));
			if (!import_bind_column(st, col, true))
			{
				st->ncols--;
				col = -1;
			}
		}
		if (col < 0)
		{
			if (st->append)
			{
				import_bad(st, row.line, 0,
						   psprintf("key \"%s\" is not a column of %s", f->key, st->qualified_name), NULL, 0);
				return IMPORT_BAD;
			}
			col = import_add_column(st, f->key, strlen(f->key));
			if (st->pass == 2)
				st->stale = true;	/* a key the sample did not have */
		}
		v = &st->values[col];
		v->kind = value_kind(f->kind);
		v->s = f->text;
		v->len = f->len;
	}
	return IMPORT_ROW;
}

static void
json_finish(ImportState *st)
{
	JsonBox    *box = st->reader;

	if (box == NULL || box->reader == NULL)
		return;
	st->dialect_json = MemoryContextStrdup(st->cxt, json_reader_is_array(box->reader)
										   ? "{\"layout\": \"array\"}" : "{\"layout\": \"ndjson\"}");
	box_cleanup(box);
}

static size_t
json_bytes(ImportState *st)
{
	JsonBox    *box = st->reader;

	return box && box->reader ? json_reader_bytes(box->reader) : 0;
}

const ImportFormat import_json_format = {"json", json_start, json_next, json_finish, json_bytes};

/* automl.import_json(table_name text, content text, options jsonb) */
Datum
automl_import_json(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(import_call(fcinfo, &import_json_format, false));
}

/* automl.import_json_file(table_name text, path text, options jsonb) */
Datum
automl_import_json_file(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(import_call(fcinfo, &import_json_format, true));
}

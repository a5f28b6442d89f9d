/*-------------------------------------------------------------------------
 *
 * json_out.c
 *	  A small streaming JSON writer over StringInfo.
 *
 * Doubles use PostgreSQL's shortest round-trip formatting (Ryu), so a value
 * read back is bit-identical, and non-finite doubles become null: the
 * output must parse with any JSON reader, jsonb included.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "common/shortest_dec.h"
#include "utils/json.h"

#include "common/json_out.h"

/* Start writing into buf. */
void
jw_init(JsonWriter *w, StringInfo buf)
{
	w->buf = buf;
	w->depth = 0;
	w->need_comma[0] = false;
}

/* Emit the separator owed before a new value at the current depth. */
static void
jw_separate(JsonWriter *w)
{
	if (w->need_comma[w->depth])
		appendStringInfoChar(w->buf, ',');
	w->need_comma[w->depth] = true;
}

/* Open a nested container. */
static void
jw_open(JsonWriter *w, char c)
{
	jw_separate(w);
	appendStringInfoChar(w->buf, c);
	if (w->depth + 1 >= (int) lengthof(w->need_comma))
		elog(ERROR, "JSON nesting too deep");
	w->depth++;
	w->need_comma[w->depth] = false;
}

/* Close a nested container. */
static void
jw_close(JsonWriter *w, char c)
{
	appendStringInfoChar(w->buf, c);
	w->depth--;
}

void
jw_begin_object(JsonWriter *w)
{
	jw_open(w, '{');
}

void
jw_end_object(JsonWriter *w)
{
	jw_close(w, '}');
}

void
jw_begin_array(JsonWriter *w)
{
	jw_open(w, '[');
}

void
jw_end_array(JsonWriter *w)
{
	jw_close(w, ']');
}

/* Write "key": ; the value that follows must not add another comma. */
void
jw_key(JsonWriter *w, const char *key)
{
	jw_separate(w);
	escape_json(w->buf, key);
	appendStringInfoChar(w->buf, ':');
	w->need_comma[w->depth] = false;
}

void
jw_null(JsonWriter *w)
{
	jw_separate(w);
	appendStringInfoString(w->buf, "null");
}

/* A value that is already JSON text (an object built elsewhere). */
void
jw_raw(JsonWriter *w, const char *json)
{
	jw_separate(w);
	appendStringInfoString(w->buf, json);
}

void
jw_bool(JsonWriter *w, bool v)
{
	jw_separate(w);
	appendStringInfoString(w->buf, v ? "true" : "false");
}

void
jw_int64(JsonWriter *w, int64 v)
{
	jw_separate(w);
	appendStringInfo(w->buf, INT64_FORMAT, v);
}

void
jw_double(JsonWriter *w, double v)
{
	char		tmp[DOUBLE_SHORTEST_DECIMAL_LEN];

	if (!isfinite(v))
	{
		jw_null(w);
		return;
	}
	jw_separate(w);
	if (v == 0.0)
		v = 0.0;				/* no "-0" */
	double_to_shortest_decimal_buf(v, tmp);
	appendStringInfoString(w->buf, tmp);
}

void
jw_string(JsonWriter *w, const char *s)
{
	if (s == NULL)
	{
		jw_null(w);
		return;
	}
	jw_separate(w);
	escape_json(w->buf, s);
}

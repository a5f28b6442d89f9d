/*-------------------------------------------------------------------------
 *
 * json_out.h
 *	  Writing JSON text into a StringInfo, always valid JSON.
 *
 *-------------------------------------------------------------------------
 */
#ifndef JSON_OUT_H
#define JSON_OUT_H

#include "lib/stringinfo.h"

/*
 * A JsonWriter tracks whether a comma is due, so callers write keys and
 * values in order without bookkeeping.  Depth is bounded by the profile's
 * shape; 32 levels is plenty.
 */
typedef struct JsonWriter
{
	StringInfo	buf;
	int			depth;
	bool		need_comma[32];
} JsonWriter;

extern void jw_init(JsonWriter *w, StringInfo buf);
extern void jw_begin_object(JsonWriter *w);
extern void jw_end_object(JsonWriter *w);
extern void jw_begin_array(JsonWriter *w);
extern void jw_end_array(JsonWriter *w);
extern void jw_key(JsonWriter *w, const char *key);
extern void jw_null(JsonWriter *w);
extern void jw_raw(JsonWriter *w, const char *json);
extern void jw_bool(JsonWriter *w, bool v);
extern void jw_int64(JsonWriter *w, int64 v);
/* NaN and infinities are written as null: JSON has no such literals */
extern void jw_double(JsonWriter *w, double v);
extern void jw_string(JsonWriter *w, const char *s);

#endif							/* JSON_OUT_H */

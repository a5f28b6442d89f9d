/*-------------------------------------------------------------------------
 *
 * json_reader.h
 *	  Rows of a JSON text, a top-level array of objects or NDJSON (one
 *	  object a line), streamed one object at a time through jansson.
 *
 *-------------------------------------------------------------------------
 */
#ifndef JSON_READER_H
#define JSON_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "ingest/csv_reader.h"	/* IngestReadFn, IngestVerifyFn */

typedef enum JsonValueKind
{
	JSON_VALUE_NULL,
	JSON_VALUE_BOOLEAN,			/* text: "true" or "false" */
	JSON_VALUE_NUMBER,			/* text: the number as written in the input
								 * ("12.30", "5.00", "-0", "1E5", integers
								 * of any length) */
	JSON_VALUE_STRING,			/* text: the string, unescaped (UTF-8) */
	JSON_VALUE_NESTED			/* text: the object or array as compact JSON,
								 * numbers in it as written */
} JsonValueKind;

typedef struct JsonField
{
	const char *key;			/* NUL-terminated; with flatten, "a.b.c" */
	JsonValueKind kind;
	const char *text;			/* NULL for JSON_VALUE_NULL; not
								 * NUL-terminated */
	size_t		len;
} JsonField;

typedef struct JsonRow
{
	int			nfields;
	const JsonField *fields;	/* in the object's key order; valid until
								 * the next call */
	long		line;			/* line the object starts on, from 1 */
	long		index;			/* the object's position, from 1 */
} JsonRow;

typedef struct JsonReaderOptions
{
	bool		flatten;		/* nested objects become "a.b" fields */
	size_t		skip;			/* bytes to skip first (a byte order mark) */
	size_t		max_object;		/* longest object accepted, in bytes */
	int			max_fields;		/* most fields an object may have */
	IngestVerifyFn verify;
} JsonReaderOptions;

typedef enum JsonResult
{
	JSON_READ_ROW,
	JSON_READ_END,
	JSON_READ_BAD,				/* a bad object, skipped: reading can go on */
	JSON_READ_FATAL				/* reading cannot go on */
} JsonResult;

typedef struct JsonError
{
	long		line;
	int			column;			/* 1-based character column, 0 if unknown */
	char		message[160];
	const char *raw;			/* the bad object's bytes (at most 4 kB) */
	size_t		raw_len;
} JsonError;

typedef struct JsonReader JsonReader;

/* Allocates with malloc; freed by json_reader_free (also on error). */
extern JsonReader *json_reader_create(const JsonReaderOptions *opt, IngestReadFn read, void *arg);
extern JsonResult json_reader_next(JsonReader *r, JsonRow *row);
extern const JsonError *json_reader_error(const JsonReader *r);
extern size_t json_reader_bytes(const JsonReader *r);	/* bytes read so far */
extern bool json_reader_is_array(const JsonReader *r);	/* an array, not NDJSON */
extern void json_reader_free(JsonReader *r);

/*
 * Writes the JSON text of a field's value (a string quoted and escaped, the
 * others as they are) into buf[0..cap-1] if it fits; returns its length.
 */
extern size_t json_field_to_json(const JsonField *f, char *buf, size_t cap);

#endif							/* JSON_READER_H */

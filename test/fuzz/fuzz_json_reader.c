/*-------------------------------------------------------------------------
 *
 * fuzz_json_reader.c
 *	  libFuzzer harness for the JSON / NDJSON row reader.
 *
 * The first input byte is the size of the reads (1..64 bytes at a time),
 * the second the options (bit 0 flatten, bit 1 a max_object of 64 bytes,
 * bit 2 a max_fields of 3, bit 3 skip 3 bytes, bit 4 no verify), the rest
 * is the text.  The harness reads every row until the end or a fatal
 * error, checks each result, calls json_field_to_json on every field (in
 * a buffer of exactly the size it asks for, and in one too small) and
 * reads that JSON back with jansson; then reads the text again in one
 * read() and checks that it gets the same results (a hash of every row's
 * fields and every error), so chunk boundaries never change anything.
 * opt.verify is a UTF-8 validator of the harness's own.
 *
 * Invariants: rows' lines from 1, not decreasing, not past the last line;
 * indexes increasing; keys non-NULL; text NULL exactly for null values;
 * strings without NUL and valid UTF-8; booleans true or false; nested
 * values and json_field_to_json output are valid JSON of the same kind;
 * numbers, as fields and inside nested values, as written: each has the
 * JSON number grammar, and the numbers of all rows, in order, are found in
 * the input in that order, each as a whole token there (not a reformatted
 * double); error messages non-empty, under 160 bytes, raw at most
 * 4 kB; a bounded number of calls; all bytes read at the end.  Seeds live
 * in test/fuzz/corpus/json_reader/.
 *
 *	  clang -g -O1 -fsanitize=fuzzer,address,undefined -DAUTOML_STANDALONE \
 *		-Isrc test/fuzz/fuzz_json_reader.c src/ingest/json_reader.c \
 *		-ljansson -o fuzz_json_reader
 *	  mkdir -p /tmp/fuzz_work
 *	  ./fuzz_json_reader -max_total_time=60 /tmp/fuzz_work \
 *		test/fuzz/corpus/json_reader
 *
 *-------------------------------------------------------------------------
 */
#include <jansson.h>

#include "fuzz_common.h"
#include "ingest/json_reader.h"

typedef struct Source
{
	const char *s;
	size_t		len;
	size_t		pos;
	size_t		step;
} Source;

static size_t
source_read(void *arg, char *buf, size_t cap)
{
	Source	   *src = arg;
	size_t		n = src->len - src->pos;

	if (n > src->step)
		n = src->step;
	if (n > cap)
		n = cap;
	memcpy(buf, src->s + src->pos, n);
	src->pos += n;
	return n;
}

/* Length of the valid UTF-8 prefix of s (no overlongs, surrogates). */
static size_t
utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t		i = 0;

	while (i < len)
	{
		unsigned char c = p[i];
		size_t		n;
		size_t		k;

		if (c < 0x80)
		{
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			n = 2;
		else if (c >= 0xE0 && c <= 0xEF)
			n = 3;
		else if (c >= 0xF0 && c <= 0xF4)
			n = 4;
		else
			return i;
		if (i + n > len)
			return i;
		for (k = 1; k < n; k++)
			if ((p[i + k] & 0xC0) != 0x80)
				return i;
		if ((c == 0xE0 && p[i + 1] < 0xA0) || (c == 0xED && p[i + 1] > 0x9F) ||
			(c == 0xF0 && p[i + 1] < 0x90) || (c == 0xF4 && p[i + 1] > 0x8F))
			return i;
		i += n;
	}
	return len;
}

/* The input being read, and where the next number must be found in it */
static const char *input;
static size_t input_len;
static size_t input_at;

/* Whether s[0..len) is a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool
is_json_number(const char *s, size_t len)
{
	size_t		i = 0;
	size_t		d;

	if (i < len && s[i] == '-')
		i++;
	if (i < len && s[i] == '0')
		i++;
	else if (i < len && s[i] >= '1' && s[i] <= '9')
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return false;
	if (i < len && s[i] == '.')
	{
		i++;
		for (d = i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return false;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E'))
	{
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return false;
	}
	return i == len;
}

static bool
is_number_byte(char c)
{
	return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' ||
		c == '+' || c == '-';
}

/*
 * A number of a row, as written: the JSON grammar, and found in the input,
 * after the previous one, as a whole token (no number byte either side).
 */
FUZZ_NO_COVERAGE static void
check_number(const char *s, size_t len)
{
	size_t		i;

	FUZZ_CHECK(len > 0 && is_json_number(s, len));
	for (i = input_at; i + len <= input_len; i++)
	{
		if (input[i] == s[0] && memcmp(input + i, s, len) == 0 &&
			(i == 0 || !is_number_byte(input[i - 1])) &&
			(i + len == input_len || !is_number_byte(input[i + len])))
			break;
	}
	if (i + len > input_len)
		fprintf(stderr, "number not in the input as written (after byte %zu): %.*s\n",
				input_at, (int) (len > 200 ? 200 : len), s);
	FUZZ_CHECK(i + len <= input_len);
	input_at = i + len;
}

/* The numbers in a nested value's compact JSON, outside its strings. */
FUZZ_NO_COVERAGE static void
check_nested_numbers(const char *s, size_t len)
{
	size_t		i = 0;
	bool		in_string = false;

	while (i < len)
	{
		char		c = s[i];

		if (in_string)
		{
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
			i++;
		}
		else if (c == '"')
		{
			in_string = true;
			i++;
		}
		else if (c == '-' || (c >= '0' && c <= '9'))
		{
			size_t		start = i;

			while (i < len && is_number_byte(s[i]))
				i++;
			check_number(s + start, i - start);
		}
		else
			i++;
	}
	FUZZ_CHECK(!in_string);
}

/* FNV-1a over the results */
static uint64_t
hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		h ^= b[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

static uint64_t
hash_long(uint64_t h, long v)
{
	return hash_bytes(h, &v, sizeof(v));
}

/* Check one field and its JSON text. */
FUZZ_NO_COVERAGE static void
check_field(const JsonField *f)
{
	size_t		n;
	char	   *buf;
	char		tiny[3];
	json_t	   *v;
	json_error_t err;

	FUZZ_CHECK(f->key != NULL);
	FUZZ_CHECK(f->kind >= JSON_VALUE_NULL && f->kind <= JSON_VALUE_NESTED);
	FUZZ_CHECK((f->text == NULL) == (f->kind == JSON_VALUE_NULL));
	FUZZ_CHECK(utf8_valid(f->key, strlen(f->key)) == strlen(f->key));
	switch (f->kind)
	{
		case JSON_VALUE_NULL:
			FUZZ_CHECK(f->len == 0);
			break;
		case JSON_VALUE_BOOLEAN:
			FUZZ_CHECK((f->len == 4 && memcmp(f->text, "true", 4) == 0) ||
					   (f->len == 5 && memcmp(f->text, "false", 5) == 0));
			break;
		case JSON_VALUE_NUMBER:
			check_number(f->text, f->len);
			break;
		case JSON_VALUE_STRING:
			FUZZ_CHECK(memchr(f->text, '\0', f->len) == NULL);
			FUZZ_CHECK(utf8_valid(f->text, f->len) == f->len);
			break;
		case JSON_VALUE_NESTED:
			FUZZ_CHECK(f->len >= 2);
			FUZZ_CHECK((f->text[0] == '{' && f->text[f->len - 1] == '}') ||
					   (f->text[0] == '[' && f->text[f->len - 1] == ']'));
			check_nested_numbers(f->text, f->len);
			break;
	}

	/* the JSON text: asked for its size, then written in exactly that */
	n = json_field_to_json(f, NULL, 0);
	FUZZ_CHECK(n > 0);
	buf = malloc(n);
	FUZZ_CHECK(json_field_to_json(f, buf, n) == n);
	FUZZ_CHECK(json_field_to_json(f, tiny, sizeof(tiny)) == n);
	/* (an integer beyond 64 bits is a number too) */
	v = json_loadb(buf, n, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &err);
	if (v == NULL)
		fprintf(stderr, "not JSON: %.*s (%s)\n", (int) (n > 200 ? 200 : n), buf, err.text);
	FUZZ_CHECK(v != NULL);
	switch (f->kind)
	{
		case JSON_VALUE_NULL:
			FUZZ_CHECK(json_is_null(v));
			break;
		case JSON_VALUE_BOOLEAN:
			FUZZ_CHECK(json_is_boolean(v));
			break;
		case JSON_VALUE_NUMBER:
			FUZZ_CHECK(json_is_number(v));
			break;
		case JSON_VALUE_STRING:
			FUZZ_CHECK(json_is_string(v) && json_string_length(v) == f->len &&
					   memcmp(json_string_value(v), f->text, f->len) == 0);
			break;
		case JSON_VALUE_NESTED:
			FUZZ_CHECK(json_is_object(v) || json_is_array(v));
			break;
	}
	json_decref(v);
	free(buf);
}

/* Read the whole text step bytes at a time; returns the results' hash. */
static uint64_t
read_all(const char *s, size_t len, const JsonReaderOptions *opt, size_t step)
{
	Source		src = {s, len, 0, step};
	JsonReader *r = json_reader_create(opt, source_read, &src);
	uint64_t	h = UINT64_C(0xcbf29ce484222325);
	long		lines = 1;
	long		last_line = 0;
	long		last_index = 0;
	size_t		calls;
	size_t		i;
	JsonResult	res = JSON_READ_END;

	FUZZ_CHECK(r != NULL);
	input = s;
	input_len = len;
	input_at = 0;
	for (i = 0; i < len; i++)
		lines += s[i] == '\n';
	for (calls = 0; calls <= len + 2; calls++)
	{
		JsonRow		row;
		const JsonError *e;
		int			k;

		res = json_reader_next(r, &row);
		h = hash_long(h, res);
		if (res == JSON_READ_END)
			break;
		if (res == JSON_READ_ROW)
		{
			FUZZ_CHECK(row.line >= 1 && row.line <= lines && row.line >= last_line);
			FUZZ_CHECK(row.index > last_index);
			FUZZ_CHECK(row.nfields >= 0 && (row.nfields == 0 || row.fields != NULL));
			FUZZ_CHECK(opt->max_fields <= 0 || row.nfields <= opt->max_fields);
			last_line = row.line;
			last_index = row.index;
			h = hash_long(h, row.line);
			h = hash_long(h, row.index);
			h = hash_long(h, row.nfields);
			for (k = 0; k < row.nfields; k++)
			{
				const JsonField *f = &row.fields[k];

				check_field(f);
				h = hash_bytes(h, f->key, strlen(f->key) + 1);
				h = hash_long(h, f->kind);
				h = hash_long(h, (long) f->len);
				if (f->text != NULL)
					h = hash_bytes(h, f->text, f->len);
			}
			continue;
		}
		e = json_reader_error(r);
		FUZZ_CHECK(e->line >= 1 && e->line <= lines);
		FUZZ_CHECK(e->column >= 0);
		FUZZ_CHECK(e->message[0] != '\0' && strlen(e->message) < sizeof(e->message));
		FUZZ_CHECK(e->raw_len <= 4096 && (e->raw_len == 0 || e->raw != NULL));
		FUZZ_CHECK(utf8_valid(e->message, strlen(e->message)) == strlen(e->message));
		h = hash_long(h, e->line);
		h = hash_long(h, e->column);
		h = hash_bytes(h, e->message, strlen(e->message));
		h = hash_bytes(h, e->raw, e->raw_len);
		if (res == JSON_READ_FATAL)
		{
			JsonRow		again;

			FUZZ_CHECK(json_reader_next(r, &again) == JSON_READ_FATAL);
			break;
		}
	}
	FUZZ_CHECK(res == JSON_READ_END || res == JSON_READ_FATAL);
	if (res == JSON_READ_END)
		FUZZ_CHECK(json_reader_bytes(r) == len);
	json_reader_free(r);
	return h;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	JsonReaderOptions opt;
	size_t		step;
	uint64_t	chunked;
	uint64_t	whole;

	if (size < 2)
		return 0;
	step = data[0] % 64 + 1;
	memset(&opt, 0, sizeof(opt));
	opt.flatten = (data[1] & 1) != 0;
	opt.max_object = (data[1] & 2) ? 64 : 1 << 20;
	opt.max_fields = (data[1] & 4) ? 3 : 1000;
	opt.skip = (data[1] & 8) ? 3 : 0;
	opt.verify = (data[1] & 16) ? NULL : utf8_valid;

	chunked = read_all((const char *) data + 2, size - 2, &opt, step);
	whole = read_all((const char *) data + 2, size - 2, &opt, SIZE_MAX);
	FUZZ_CHECK(chunked == whole);
	return 0;
}

/*-------------------------------------------------------------------------
 *
 * json_reader.c
 *	  Rows of a JSON text, a top-level array of objects or NDJSON, streamed
 *	  one object at a time through jansson.
 *
 * The input is pulled through read() a chunk (CSV_READ_CHUNK) at a time,
 * so memory is bounded by the largest object, not by the input.  After
 * opt->skip bytes (a byte order mark) and whitespace, a '[' makes the
 * input an array of objects; anything else is NDJSON, objects separated
 * by whitespace (blank lines allowed; an object may span lines).
 *
 * A small scanner finds where each top-level element ends (string state,
 * backslash escapes, a stack of the open brackets), counts lines and
 * character columns, and copies the element's bytes into a buffer of at
 * most opt->max_object bytes; jansson then decodes the element alone.
 * The scanner refuses elements nested deeper than JSON_MAX_DEPTH levels
 * before jansson (which recurses) sees them.
 *
 * Errors an element can be skipped over are JSON_READ_BAD: an invalid
 * byte sequence (opt->verify), too deep, not an object, a jansson decode
 * error, too many fields, a NUL character, a key twice after flattening.
 * In NDJSON the scanner also resyncs at the next line after a mismatched
 * bracket, a stray ',', ':', '}' or ']', or a line that ends inside a
 * string (a truncated line).  What cannot be skipped is JSON_READ_FATAL:
 * end of input inside an element or an unclosed array, a missing comma
 * between array elements, text after the closing ']', a mismatched
 * bracket in an array, an object larger than opt->max_object, no memory.
 *
 * Values become text: null a NULL, booleans "true"/"false", numbers as
 * they are written in the input ("12.30", "5.00", "-0", "1E5", integers of
 * any length), strings unescaped, objects and arrays compact JSON (keys in
 * their order, numbers inside as written too).  With opt->flatten nested
 * objects become fields "a.b.c" (an empty one none); arrays stay nested.
 *
 * Numbers as written: jansson gives a number only as a double (or a 64-bit
 * integer), so the scanner also records where each number token outside
 * strings starts and ends in the element, in document order, and jansson
 * decodes with JSON_DECODE_INT_AS_REAL (an integer beyond 64 bits is then
 * no error; its double is not used).  jansson keeps an object's keys in
 * their insertion order (always, since 2.8) and duplicate keys are refused,
 * so walking the decoded value (objects in key order, arrays in order)
 * meets the numbers in document order, and each takes the next token's
 * text.  Before that a walk checks that there are as many numbers as
 * tokens and that each token reads back as its number's double; should it
 * not (it cannot happen with jansson 2.8 or later), the element is decoded
 * again as before and its numbers are written from their values: integers
 * in decimal, reals in the shortest of %.15g, %.16g, %.17g that reads back
 * the same (inside nested values with ".0" kept on whole ones).  A number
 * beyond the range of a double (1e999) is still a decode error ("real
 * number overflow").
 *
 * opt->max_object 0 and opt->max_fields 0 (or less) mean no limit.
 *
 *-------------------------------------------------------------------------
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ingest/json_reader.h"

#define JSON_MAX_DEPTH 1000		/* deepest nesting accepted */
#define JSON_RAW_MAX 4096		/* bytes of a bad element kept in the error */

/* A growing byte buffer */
typedef struct Buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} Buf;

typedef enum ReaderState
{
	ST_START,					/* nothing read yet */
	ST_ARRAY_FIRST,				/* after '[' */
	ST_ARRAY_NEXT,				/* after an array element */
	ST_ARRAY_AFTER,				/* after the closing ']' */
	ST_NDJSON,					/* between NDJSON objects */
	ST_END,
	ST_FATAL
} ReaderState;

/* What scanning an element gave */
typedef enum ScanResult
{
	SCAN_OK,
	SCAN_BAD,					/* error set, element skipped */
	SCAN_FATAL					/* error set */
} ScanResult;

/* A number token: elem[off..off+len) */
typedef struct NumSpan
{
	size_t		off;
	size_t		len;
} NumSpan;

/* What building a row gave */
typedef enum BuildResult
{
	BUILD_OK,
	BUILD_BAD,					/* error set */
	BUILD_NOMEM
} BuildResult;

struct JsonReader
{
	JsonReaderOptions opt;
	IngestReadFn read;
	void	   *arg;

	/* the input */
	char	   *chunk;
	size_t		avail;			/* bytes in chunk */
	size_t		pos;			/* next byte in chunk */
	bool		eof;
	size_t		bytes;			/* bytes read() returned in all */
	size_t		skip_left;		/* of opt->skip */
	long		line;			/* line of chunk[pos], from 1 */
	long		col;			/* characters before chunk[pos] on its line */

	ReaderState state;
	bool		is_array;
	long		index;			/* elements seen */

	/* the element being scanned */
	char	   *elem;
	size_t		elem_len;
	size_t		elem_cap;
	bool		collecting;		/* chunk[mark..pos) belongs to the element */
	bool		raw_only;		/* keep only JSON_RAW_MAX bytes (resyncing) */
	bool		too_big;		/* max_object exceeded */
	size_t		mark;
	long		elem_line;
	long		elem_col;		/* 1-based column of its first character */
	char		stack[JSON_MAX_DEPTH];	/* the open brackets */

	/* the element's number tokens outside strings, in document order */
	NumSpan    *nums;
	size_t		nnums;
	size_t		nums_cap;
	size_t		num_next;		/* the next one to use */
	bool		exact;			/* numbers take their tokens' text */

	/* the row: keys and texts in arena, at offsets until the row is done */
	JsonField  *fields;
	size_t	   *key_off;
	size_t	   *text_off;
	int			nfields;
	int			fields_cap;
	Buf			arena;
	Buf			path;			/* key of the field being built */
	bool		dotted;			/* a key with a '.' was flattened */
	const char **sorted;		/* keys, to find duplicates */
	int			sorted_cap;

	JsonError	err;
};

/* ---------------------------------------------------------------------
 * Errors
 * ---------------------------------------------------------------------
 */

/*
 * Make err.message safe to show: whole UTF-8 characters only (an invalid
 * or cut byte becomes '?'), no control characters, no trailing period,
 * a lower case first letter.
 */
static void
clean_message(char *m)
{
	unsigned char *p = (unsigned char *) m;
	size_t		len = strlen(m);
	size_t		i = 0;

	while (i < len)
	{
		unsigned char c = p[i];
		int			n;
		int			k;

		if (c < 0x80)
		{
			if (c < 0x20 || c == 0x7F)
				p[i] = '?';
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
			n = 0;
		for (k = 1; n > 0 && k < n; k++)
			if (i + k >= len || (p[i + k] & 0xC0) != 0x80)
				n = 0;
		/* overlong, surrogates and beyond U+10FFFF */
		if (n == 3 && ((c == 0xE0 && p[i + 1] < 0xA0) || (c == 0xED && p[i + 1] > 0x9F)))
			n = 0;
		if (n == 4 && ((c == 0xF0 && p[i + 1] < 0x90) || (c == 0xF4 && p[i + 1] > 0x8F)))
			n = 0;
		if (n == 0)
		{
			p[i] = '?';
			i++;
		}
		else
			i += n;
	}
	while (len > 0 && (m[len - 1] == '.' || m[len - 1] == ' '))
		m[--len] = '\0';
	if (len >= 2 && m[0] >= 'A' && m[0] <= 'Z' && m[1] >= 'a' && m[1] <= 'z')
		m[0] = (char) (m[0] - 'A' + 'a');
}

/* Set the error (line, 1-based column or 0, message); raw is set apart. */
static void set_error(JsonReader *r, long line, long column, const char *fmt,...)
			__attribute__((format(printf, 4, 5)));

static void
set_error(JsonReader *r, long line, long column, const char *fmt,...)
{
	va_list		ap;

	r->err.line = line;
	r->err.column = column > INT_MAX ? 0 : (int) column;
	va_start(ap, fmt);
	vsnprintf(r->err.message, sizeof(r->err.message), fmt, ap);
	va_end(ap);
	clean_message(r->err.message);
	r->err.raw = NULL;
	r->err.raw_len = 0;
}

/* The error's raw bytes: what there is of the element. */
static void
raw_from_element(JsonReader *r)
{
	r->err.raw = r->elem;
	r->err.raw_len = r->elem_len < JSON_RAW_MAX ? r->elem_len : JSON_RAW_MAX;
}

static JsonResult
fatal(JsonReader *r)
{
	r->state = ST_FATAL;
	r->collecting = false;
	return JSON_READ_FATAL;
}

static JsonResult
out_of_memory(JsonReader *r)
{
	set_error(r, r->line, 0, "out of memory");
	return fatal(r);
}

/* ---------------------------------------------------------------------
 * Input
 * ---------------------------------------------------------------------
 */

/* Append chunk[mark..pos) to the element; false if it gets too big. */
static bool
flush_span(JsonReader *r)
{
	size_t		n = r->pos - r->mark;

	if (!r->collecting || n == 0)
	{
		r->mark = r->pos;
		return true;
	}
	if (r->raw_only)
	{
		/* resyncing: keep the start of the line for the error only */
		if (r->elem_len >= JSON_RAW_MAX)
			n = 0;
		else if (n > JSON_RAW_MAX - r->elem_len)
			n = JSON_RAW_MAX - r->elem_len;
	}
	else if (n > r->opt.max_object || r->elem_len > r->opt.max_object - n)
	{
		/* keep what fits (the error shows the start) and refuse */
		n = r->opt.max_object > r->elem_len ? r->opt.max_object - r->elem_len : 0;
		r->too_big = true;
	}
	if (n > 0)
	{
		if (r->elem_len + n > r->elem_cap)
		{
			size_t		cap = r->elem_cap ? r->elem_cap : 4096;
			char	   *p;

			while (cap < r->elem_len + n)
				cap = cap > SIZE_MAX / 2 ? r->elem_len + n : cap * 2;
			p = realloc(r->elem, cap);
			if (p == NULL)
				return false;
			r->elem = p;
			r->elem_cap = cap;
		}
		memcpy(r->elem + r->elem_len, r->chunk + r->mark, n);
		r->elem_len += n;
	}
	r->mark = r->pos;
	return !r->too_big;
}

/*
 * The next byte, without consuming it: -1 at the end of the input, -2 when
 * the element being collected got too big or memory ran out (r->too_big
 * tells which).
 */
static inline int
peek(JsonReader *r)
{
	while (r->pos >= r->avail)
	{
		if (r->eof)
			return -1;
		if (!flush_span(r))
			return -2;
		r->avail = r->read(r->arg, r->chunk, CSV_READ_CHUNK);
		r->pos = 0;
		r->mark = 0;
		if (r->avail == 0)
		{
			r->eof = true;
			return -1;
		}
		r->bytes += r->avail;
		if (r->skip_left > 0)
		{
			size_t		n = r->skip_left < r->avail ? r->skip_left : r->avail;

			r->pos = n;
			r->mark = n;
			r->skip_left -= n;
		}
	}
	return (unsigned char) r->chunk[r->pos];
}

/* Consume the byte peek() returned. */
static inline void
advance(JsonReader *r)
{
	unsigned char c = (unsigned char) r->chunk[r->pos++];

	if (c == '\n')
	{
		r->line++;
		r->col = 0;
	}
	else if ((c & 0xC0) != 0x80)
		r->col++;
}

static inline bool
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A byte that ends a number or a literal (besides whitespace) */
static inline bool
is_delimiter(int c)
{
	return c == ',' || c == ':' || c == '[' || c == ']' || c == '{' ||
		c == '}' || c == '"';
}

/* Skip whitespace; returns the next byte or -1 at the end. */
static int
skip_space(JsonReader *r)
{
	int			c;

	while ((c = peek(r)) >= 0 && is_space(c))
		advance(r);
	return c;
}

/* ---------------------------------------------------------------------
 * Scanning an element
 * ---------------------------------------------------------------------
 */

static void
start_element(JsonReader *r)
{
	r->elem_len = 0;
	r->nnums = 0;
	r->collecting = true;
	r->raw_only = false;
	r->too_big = false;
	r->mark = r->pos;
	r->elem_line = r->line;
	r->elem_col = r->col + 1;
}

/* The element ends before chunk[pos]. */
static bool
end_element(JsonReader *r)
{
	bool		ok = flush_span(r);

	r->collecting = false;
	return ok;
}

/* NDJSON: skip to the end of the line, keeping its start for the error. */
static void
skip_line(JsonReader *r)
{
	int			c;

	r->raw_only = true;
	while ((c = peek(r)) >= 0 && c != '\n')
		advance(r);
	flush_span(r);
	r->collecting = false;
	r->raw_only = false;
}

/*
 * A fatal error between elements: its raw bytes are the rest of the line,
 * at most JSON_RAW_MAX of them (reading can stop anywhere now).
 */
static void
raw_from_input(JsonReader *r)
{
	int			c;

	start_element(r);
	r->raw_only = true;
	while ((c = peek(r)) >= 0 && c != '\n' &&
		   r->elem_len + (r->pos - r->mark) < JSON_RAW_MAX)
		advance(r);
	flush_span(r);
	r->collecting = false;
	r->raw_only = false;
	raw_from_element(r);
}

/* peek() failed while collecting: too big or out of memory. */
static ScanResult
collect_failed(JsonReader *r)
{
	if (r->too_big)
		set_error(r, r->elem_line, r->elem_col, "object larger than %zu bytes",
				  r->opt.max_object);
	else
		set_error(r, r->line, 0, "out of memory");
	return SCAN_FATAL;
}

/*
 * Whether the element has grown past max_object.  Checked before every
 * byte, so that where it fails does not depend on where read() cut the
 * input; then the element keeps its first max_object bytes for the error.
 */
static inline bool
over_limit(JsonReader *r)
{
	if (r->elem_len + (r->pos - r->mark) <= r->opt.max_object)
		return false;
	flush_span(r);
	r->too_big = true;
	return true;
}

/* A byte that can be in a number token (after its first) */
static inline bool
is_number_byte(int c)
{
	return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' ||
		c == '+' || c == '-';
}

/* Record the number token elem[off..off+len); false if out of memory. */
static bool
add_number(JsonReader *r, size_t off, size_t len)
{
	if (r->nnums >= r->nums_cap)
	{
		size_t		cap = r->nums_cap ? r->nums_cap * 2 : 64;
		NumSpan    *p;

		if (r->nums_cap > SIZE_MAX / 2 / sizeof(NumSpan))
			return false;
		p = realloc(r->nums, cap * sizeof(NumSpan));
		if (p == NULL)
			return false;
		r->nums = p;
		r->nums_cap = cap;
	}
	r->nums[r->nnums].off = off;
	r->nums[r->nnums].len = len;
	r->nnums++;
	return true;
}

/*
 * Scan the element starting at chunk[pos] into r->elem.  *deep: nested more
 * than JSON_MAX_DEPTH levels.  An object or array also gets its number
 * tokens outside strings recorded in r->nums: a '-' or a digit not inside
 * a token starts one, the first byte that cannot be in a number ends it.
 * In a text jansson accepts these are exactly its numbers, whole (nothing
 * else outside strings has a '-' or a digit, and a number is always
 * followed by whitespace, ',', ']' or '}'); jansson checks their grammar.
 */
static ScanResult
scan_element(JsonReader *r, bool *deep)
{
	int			c = peek(r);
	bool		ndjson = !r->is_array;

	*deep = false;
	start_element(r);
	if (c == '{' || c == '[')
	{
		long		depth = 0;
		bool		in_string = false;
		bool		escaped = false;
		bool		in_number = false;
		size_t		num_start = 0;

		for (;;)
		{
			if (over_limit(r))
				return collect_failed(r);
			c = peek(r);
			if (c == -2)
				return collect_failed(r);
			if (c == -1)
			{
				if (!end_element(r))
					return collect_failed(r);
				if (in_string)
					set_error(r, r->line, r->col + 1, "unexpected end of input in a string");
				else
					set_error(r, r->line, r->col + 1,
							  "unexpected end of input: %ld unclosed bracket%s",
							  depth, depth == 1 ? "" : "s");
				return SCAN_FATAL;
			}
			if (in_string)
			{
				if (escaped)
					escaped = false;
				else if (c == '\\')
					escaped = true;
				else if (c == '"')
					in_string = false;
				else if (c == '\n' && ndjson)
				{
					/* a truncated line: resync at the next one */
					if (!end_element(r))
						return collect_failed(r);
					set_error(r, r->line, r->col + 1, "unterminated string");
					return SCAN_BAD;
				}
				advance(r);
				continue;
			}
			if (in_number && !is_number_byte(c))
			{
				size_t		off = r->elem_len + (r->pos - r->mark);

				in_number = false;
				if (!add_number(r, num_start, off - num_start))
					return collect_failed(r);	/* out of memory */
			}
			else if (!in_number && (c == '-' || (c >= '0' && c <= '9')))
			{
				in_number = true;
				num_start = r->elem_len + (r->pos - r->mark);
			}
			if (c == '"')
				in_string = true;
			else if (c == '{' || c == '[')
			{
				if (depth < JSON_MAX_DEPTH)
					r->stack[depth] = (char) c;
				else
					*deep = true;
				depth++;
			}
			else if (c == '}' || c == ']')
			{
				if (depth <= JSON_MAX_DEPTH &&
					r->stack[depth - 1] != (c == '}' ? '{' : '['))
				{
					set_error(r, r->line, r->col + 1, "mismatched '%c'", c);
					if (ndjson)
					{
						skip_line(r);
						return SCAN_BAD;
					}
					end_element(r);
					return SCAN_FATAL;
				}
				if (--depth == 0)
				{
					advance(r);
					break;
				}
			}
			advance(r);
		}
	}
	else if (c == '"')
	{
		bool		escaped = false;

		advance(r);
		for (;;)
		{
			if (over_limit(r))
				return collect_failed(r);
			c = peek(r);
			if (c == -2)
				return collect_failed(r);
			if (c == -1)
			{
				if (!end_element(r))
					return collect_failed(r);
				set_error(r, r->line, r->col + 1, "unexpected end of input in a string");
				return SCAN_FATAL;
			}
			if (c == '\n' && ndjson)
			{
				if (!end_element(r))
					return collect_failed(r);
				set_error(r, r->line, r->col + 1, "unterminated string");
				return SCAN_BAD;
			}
			advance(r);
			if (escaped)
				escaped = false;
			else if (c == '\\')
				escaped = true;
			else if (c == '"')
				break;
		}
	}
	else
	{
		/* a number, a literal or garbage: up to a delimiter (at least c) */
		advance(r);
		for (;;)
		{
			if (over_limit(r))
				return collect_failed(r);
			c = peek(r);
			if (c == -2)
				return collect_failed(r);
			if (c == -1 || is_space(c) || is_delimiter(c))
				break;
			advance(r);
		}
	}
	if (!end_element(r))
		return collect_failed(r);
	return SCAN_OK;
}

/* Line and 1-based column of byte k of the element. */
static void
element_position(const JsonReader *r, size_t k, long *line, long *column)
{
	long		l = r->elem_line;
	long		c = r->elem_col - 1;
	size_t		i;

	for (i = 0; i < k && i < r->elem_len; i++)
	{
		unsigned char b = (unsigned char) r->elem[i];

		if (b == '\n')
		{
			l++;
			c = 0;
		}
		else if ((b & 0xC0) != 0x80)
			c++;
	}
	*line = l;
	*column = c + 1;
}

/* A jansson error, placed in the input. */
static void
set_jansson_error(JsonReader *r, const json_error_t *e)
{
	long		line = r->elem_line;
	long		column = 0;

	if (e->line >= 1)
	{
		line = r->elem_line + e->line - 1;
		if (e->column >= 1)
			column = e->line == 1 ? r->elem_col - 1 + e->column : e->column;
	}
	if (json_error_code(e) == json_error_null_character ||
		json_error_code(e) == json_error_null_byte_in_key)
		set_error(r, line, column, "\\u0000 is not allowed");
	else if (e->text[0] == '\0')
		set_error(r, line, column, "invalid JSON");
	else
		set_error(r, line, column, "%s", e->text);
}

/* ---------------------------------------------------------------------
 * Building a row
 * ---------------------------------------------------------------------
 */

/* Room for n more bytes in b. */
static bool
buf_reserve(Buf *b, size_t n)
{
	if (n > SIZE_MAX - b->len)
		return false;
	if (b->len + n > b->cap)
	{
		size_t		cap = b->cap ? b->cap : 1024;
		char	   *p;

		while (cap < b->len + n)
			cap = cap > SIZE_MAX / 2 ? b->len + n : cap * 2;
		p = realloc(b->data, cap);
		if (p == NULL)
			return false;
		b->data = p;
		b->cap = cap;
	}
	return true;
}

static bool
buf_put(Buf *b, const char *s, size_t n)
{
	if (!buf_reserve(b, n))
		return false;
	if (n > 0)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	return true;
}

/* The shortest of %.15g, %.16g, %.17g that reads back as d. */
static int
format_real(double d, char *buf, size_t cap)
{
	int			prec;
	int			n = 0;

	for (prec = 15; prec <= 17; prec++)
	{
		n = snprintf(buf, cap, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	return n;
}

/*
 * A string quoted and escaped as jansson's encoder does it (without
 * JSON_ENSURE_ASCII or JSON_ESCAPE_SLASH): '"', '\\' and the control
 * characters only.
 */
static bool
put_json_string(Buf *b, const char *s, size_t len)
{
	size_t		i;
	size_t		run = 0;

	if (!buf_put(b, "\"", 1))
		return false;
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];
		char		esc[8];
		const char *e;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if (!buf_put(b, s + run, i - run))
			return false;
		switch (c)
		{
			case '"':
				e = "\\\"";
				break;
			case '\\':
				e = "\\\\";
				break;
			case '\b':
				e = "\\b";
				break;
			case '\f':
				e = "\\f";
				break;
			case '\n':
				e = "\\n";
				break;
			case '\r':
				e = "\\r";
				break;
			case '\t':
				e = "\\t";
				break;
			default:
				snprintf(esc, sizeof(esc), "\\u%04X", c);
				e = esc;
				break;
		}
		if (!buf_put(b, e, strlen(e)))
			return false;
		run = i + 1;
	}
	return buf_put(b, s + run, len - run) && buf_put(b, "\"", 1);
}

/*
 * Whether the element's numbers, in the order the row is built (objects in
 * key order, arrays in order), are its number tokens: as many, and each
 * token reading back as its number's double.  *i counts them.
 */
static bool
numbers_match(const JsonReader *r, json_t *v, size_t *i)
{
	switch (json_typeof(v))
	{
		case JSON_OBJECT:
			{
				const char *key;
				json_t	   *x;

				json_object_foreach(v, key, x)
				{
					if (!numbers_match(r, x, i))
						return false;
				}
				return true;
			}
		case JSON_ARRAY:
			{
				size_t		k;
				json_t	   *x;

				json_array_foreach(v, k, x)
				{
					if (!numbers_match(r, x, i))
						return false;
				}
				return true;
			}
		case JSON_REAL:
			{
				const NumSpan *s;
				const char *start;
				char	   *end;
				double		d;

				if (*i >= r->nnums)
					return false;
				s = &r->nums[*i];
				start = r->elem + s->off;

				/*
				 * The token is followed by a byte that is not in a number
				 * (the element ends with '}'), so strtod stops there.
				 */
				d = strtod(start, &end);
				if (end != start + s->len || d != json_real_value(v))
					return false;
				(*i)++;
				return true;
			}
		case JSON_INTEGER:
			/* not with JSON_DECODE_INT_AS_REAL */
			return false;
		default:
			return true;
	}
}

/*
 * The text of the number v: the next number token when r->exact, else
 * from its value (nested: a whole real keeps a ".0", as jansson writes it).
 */
static bool
put_number(JsonReader *r, Buf *b, json_t *v, bool nested)
{
	char		num[64];
	int			n;

	if (r->exact && r->num_next < r->nnums)
	{
		const NumSpan *s = &r->nums[r->num_next++];

		return buf_put(b, r->elem + s->off, s->len);
	}
	if (json_is_integer(v))
		n = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else
	{
		n = format_real(json_real_value(v), num, sizeof(num) - 2);
		if (nested && strpbrk(num, ".eEni") == NULL)
		{
			memcpy(num + n, ".0", 3);
			n += 2;
		}
	}
	return buf_put(b, num, n);
}

/* Compact JSON of v (nesting is bounded by the scanner's depth limit). */
static bool
encode_value(JsonReader *r, Buf *b, json_t *v)
{
	switch (json_typeof(v))
	{
		case JSON_OBJECT:
			{
				const char *key;
				json_t	   *x;
				bool		first = true;

				if (!buf_put(b, "{", 1))
					return false;
				json_object_foreach(v, key, x)
				{
					if ((!first && !buf_put(b, ",", 1)) ||
						!put_json_string(b, key, strlen(key)) ||
						!buf_put(b, ":", 1) ||
						!encode_value(r, b, x))
						return false;
					first = false;
				}
				return buf_put(b, "}", 1);
			}
		case JSON_ARRAY:
			{
				size_t		i;
				json_t	   *x;

				if (!buf_put(b, "[", 1))
					return false;
				json_array_foreach(v, i, x)
				{
					if ((i > 0 && !buf_put(b, ",", 1)) || !encode_value(r, b, x))
						return false;
				}
				return buf_put(b, "]", 1);
			}
		case JSON_STRING:
			return put_json_string(b, json_string_value(v), json_string_length(v));
		case JSON_INTEGER:
		case JSON_REAL:
			return put_number(r, b, v, true);
		case JSON_TRUE:
			return buf_put(b, "true", 4);
		case JSON_FALSE:
			return buf_put(b, "false", 5);
		case JSON_NULL:
			return buf_put(b, "null", 4);
	}
	return false;
}

/* Add the field r->path = v. */
static BuildResult
add_field(JsonReader *r, json_t *v)
{
	JsonField  *f;
	size_t		start;

	if (r->nfields >= r->opt.max_fields)
	{
		set_error(r, r->elem_line, r->elem_col, "object has more than %d fields",
				  r->opt.max_fields);
		return BUILD_BAD;
	}
	if (r->nfields >= r->fields_cap)
	{
		int			cap = r->fields_cap ? r->fields_cap * 2 : 64;
		JsonField  *nf;
		size_t	   *nk;
		size_t	   *nt;

		if (r->fields_cap > INT_MAX / 2)
			cap = INT_MAX;
		nf = realloc(r->fields, cap * sizeof(JsonField));
		if (nf == NULL)
			return BUILD_NOMEM;
		r->fields = nf;
		nk = realloc(r->key_off, cap * sizeof(size_t));
		if (nk == NULL)
			return BUILD_NOMEM;
		r->key_off = nk;
		nt = realloc(r->text_off, cap * sizeof(size_t));
		if (nt == NULL)
			return BUILD_NOMEM;
		r->text_off = nt;
		r->fields_cap = cap;
	}
	f = &r->fields[r->nfields];
	r->key_off[r->nfields] = r->arena.len;
	if (!buf_put(&r->arena, r->path.data, r->path.len) || !buf_put(&r->arena, "", 1))
		return BUILD_NOMEM;
	start = r->arena.len;
	r->text_off[r->nfields] = start;
	switch (json_typeof(v))
	{
		case JSON_NULL:
			f->kind = JSON_VALUE_NULL;
			break;
		case JSON_TRUE:
			f->kind = JSON_VALUE_BOOLEAN;
			if (!buf_put(&r->arena, "true", 4))
				return BUILD_NOMEM;
			break;
		case JSON_FALSE:
			f->kind = JSON_VALUE_BOOLEAN;
			if (!buf_put(&r->arena, "false", 5))
				return BUILD_NOMEM;
			break;
		case JSON_INTEGER:
		case JSON_REAL:
			f->kind = JSON_VALUE_NUMBER;
			if (!put_number(r, &r->arena, v, false))
				return BUILD_NOMEM;
			break;
		case JSON_STRING:
			{
				const char *s = json_string_value(v);
				size_t		len = json_string_length(v);

				/* jansson refuses it without JSON_ALLOW_NUL; be sure */
				if (memchr(s, '\0', len) != NULL)
				{
					set_error(r, r->elem_line, r->elem_col, "\\u0000 is not allowed");
					return BUILD_BAD;
				}
				f->kind = JSON_VALUE_STRING;
				if (!buf_put(&r->arena, s, len))
					return BUILD_NOMEM;
				break;
			}
		case JSON_OBJECT:
		case JSON_ARRAY:
			f->kind = JSON_VALUE_NESTED;
			if (!encode_value(r, &r->arena, v))
				return BUILD_NOMEM;
			break;
	}
	f->len = r->arena.len - start;
	r->nfields++;
	return BUILD_OK;
}

/* Add the members of obj, their keys after r->path (depth > 0: "path."). */
static BuildResult
add_members(JsonReader *r, json_t *obj, int depth)
{
	const char *key;
	json_t	   *v;

	json_object_foreach(obj, key, v)
	{
		size_t		save = r->path.len;
		size_t		klen = strlen(key);
		BuildResult res;

		if ((depth > 0 && !buf_put(&r->path, ".", 1)) || !buf_put(&r->path, key, klen))
			return BUILD_NOMEM;
		if (r->opt.flatten && memchr(key, '.', klen) != NULL)
			r->dotted = true;
		if (r->opt.flatten && json_is_object(v))
			res = add_members(r, v, depth + 1);
		else
			res = add_field(r, v);
		r->path.len = save;
		if (res != BUILD_OK)
			return res;
	}
	return BUILD_OK;
}

static int
cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Turn an object into the row's fields. */
static BuildResult
build_row(JsonReader *r, json_t *obj)
{
	BuildResult res;
	int			i;

	r->nfields = 0;
	r->num_next = 0;
	r->arena.len = 0;
	r->path.len = 0;
	r->dotted = false;
	res = add_members(r, obj, 0);
	if (res != BUILD_OK)
		return res;
	for (i = 0; i < r->nfields; i++)
	{
		r->fields[i].key = r->arena.data + r->key_off[i];
		r->fields[i].text = r->fields[i].kind == JSON_VALUE_NULL ? NULL :
			r->arena.data + r->text_off[i];
		if (r->fields[i].kind == JSON_VALUE_NULL)
			r->fields[i].len = 0;
	}

	/*
	 * Flattened keys can only collide when some key has a '.' in it: {"a.b":
	 * 1, "a": {"b": 2}}.
	 */
	if (r->dotted && r->nfields > 1)
	{
		if (r->nfields > r->sorted_cap)
		{
			const char **p = realloc(r->sorted, r->nfields * sizeof(char *));

			if (p == NULL)
				return BUILD_NOMEM;
			r->sorted = p;
			r->sorted_cap = r->nfields;
		}
		for (i = 0; i < r->nfields; i++)
			r->sorted[i] = r->fields[i].key;
		qsort(r->sorted, r->nfields, sizeof(char *), cmp_keys);
		for (i = 1; i < r->nfields; i++)
			if (strcmp(r->sorted[i - 1], r->sorted[i]) == 0)
			{
				set_error(r, r->elem_line, r->elem_col,
						  "duplicate key \"%.100s\" after flattening", r->sorted[i]);
				return BUILD_BAD;
			}
	}
	return BUILD_OK;
}

/* ---------------------------------------------------------------------
 * Elements
 * ---------------------------------------------------------------------
 */

/* Check, decode and convert the scanned element. */
static JsonResult
process_element(JsonReader *r, bool deep, JsonRow *row)
{
	json_error_t jerr;
	json_t	   *v;
	BuildResult res;

	if (r->opt.verify != NULL)
	{
		size_t		ok = r->opt.verify(r->elem, r->elem_len);

		if (ok < r->elem_len)
		{
			long		line;
			long		column;

			element_position(r, ok, &line, &column);
			set_error(r, line, column, "invalid byte sequence");
			raw_from_element(r);
			return JSON_READ_BAD;
		}
	}
	if (deep)
	{
		set_error(r, r->elem_line, r->elem_col, "nested deeper than %d levels",
				  JSON_MAX_DEPTH);
		raw_from_element(r);
		return JSON_READ_BAD;
	}
	if (r->elem[0] != '{')
	{
		/* a jansson error if it is not even JSON, else not an object */
		v = json_loadb(r->elem, r->elem_len,
					   JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &jerr);
		if (v == NULL)
			set_jansson_error(r, &jerr);
		else
		{
			json_decref(v);
			set_error(r, r->elem_line, r->elem_col, "element %ld is not an object", r->index);
		}
		raw_from_element(r);
		return JSON_READ_BAD;
	}
	v = json_loadb(r->elem, r->elem_len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &jerr);
	if (v == NULL)
	{
		set_jansson_error(r, &jerr);
		raw_from_element(r);
		return JSON_READ_BAD;
	}
	{
		size_t		i = 0;

		r->exact = numbers_match(r, v, &i) && i == r->nnums;
	}
	if (!r->exact)
	{
		/* the numbers from their values, as before (see the top) */
		json_decref(v);
		v = json_loadb(r->elem, r->elem_len, JSON_REJECT_DUPLICATES, &jerr);
		if (v == NULL)
		{
			set_jansson_error(r, &jerr);
			raw_from_element(r);
			return JSON_READ_BAD;
		}
	}
	res = build_row(r, v);
	json_decref(v);
	if (res == BUILD_NOMEM)
		return out_of_memory(r);
	if (res == BUILD_BAD)
	{
		raw_from_element(r);
		return JSON_READ_BAD;
	}
	row->nfields = r->nfields;
	row->fields = r->fields;
	row->line = r->elem_line;
	row->index = r->index;
	return JSON_READ_ROW;
}

/* Scan and process the element at chunk[pos]. */
static JsonResult
read_element(JsonReader *r, JsonRow *row)
{
	bool		deep;
	ScanResult s;

	r->index++;
	s = scan_element(r, &deep);
	if (s == SCAN_FATAL)
	{
		raw_from_element(r);
		return fatal(r);
	}
	if (s == SCAN_BAD)
	{
		raw_from_element(r);
		return JSON_READ_BAD;
	}
	return process_element(r, deep, row);
}

/* A byte that cannot start an element. */
static bool
is_stray(int c)
{
	return c == ',' || c == ':' || c == ']' || c == '}';
}

/* ---------------------------------------------------------------------
 * The API
 * ---------------------------------------------------------------------
 */

JsonReader *
json_reader_create(const JsonReaderOptions *opt, IngestReadFn read, void *arg)
{
	JsonReader *r = calloc(1, sizeof(JsonReader));

	if (r == NULL)
		return NULL;
	if (opt != NULL)
		r->opt = *opt;
	if (r->opt.max_object == 0)
		r->opt.max_object = SIZE_MAX;
	if (r->opt.max_fields <= 0)
		r->opt.max_fields = INT_MAX;
	r->read = read;
	r->arg = arg;
	r->chunk = malloc(CSV_READ_CHUNK);
	if (r->chunk == NULL)
	{
		free(r);
		return NULL;
	}
	r->skip_left = r->opt.skip;
	r->line = 1;
	r->state = ST_START;
	return r;
}

JsonResult
json_reader_next(JsonReader *r, JsonRow *row)
{
	int			c;

	memset(row, 0, sizeof(*row));
	for (;;)
	{
		switch (r->state)
		{
			case ST_START:
				c = skip_space(r);
				if (c < 0)
				{
					r->state = ST_END;
					return JSON_READ_END;
				}
				if (c == '[')
				{
					advance(r);
					r->is_array = true;
					r->state = ST_ARRAY_FIRST;
				}
				else
					r->state = ST_NDJSON;
				continue;

			case ST_NDJSON:
				c = skip_space(r);
				if (c < 0)
				{
					r->state = ST_END;
					return JSON_READ_END;
				}
				if (is_stray(c))
				{
					r->index++;
					start_element(r);
					set_error(r, r->line, r->col + 1, "unexpected '%c'", c);
					skip_line(r);
					raw_from_element(r);
					return JSON_READ_BAD;
				}
				return read_element(r, row);

			case ST_ARRAY_FIRST:
			case ST_ARRAY_NEXT:
				c = skip_space(r);
				if (c < 0)
				{
					set_error(r, r->line, r->col + 1,
							  "unexpected end of input: the array is not closed");
					r->err.raw = NULL;
					return fatal(r);
				}
				if (c == ']')
				{
					advance(r);
					r->state = ST_ARRAY_AFTER;
					continue;
				}
				if (r->state == ST_ARRAY_NEXT)
				{
					if (c != ',')
					{
						set_error(r, r->line, r->col + 1,
								  "expected ',' or ']' after element %ld", r->index);
						raw_from_input(r);
						return fatal(r);
					}
					advance(r);
					c = skip_space(r);
					if (c < 0)
					{
						set_error(r, r->line, r->col + 1,
								  "unexpected end of input: the array is not closed");
						return fatal(r);
					}
				}
				if (is_stray(c))
				{
					set_error(r, r->line, r->col + 1, "unexpected '%c'", c);
					raw_from_input(r);
					return fatal(r);
				}
				r->state = ST_ARRAY_NEXT;
				return read_element(r, row);

			case ST_ARRAY_AFTER:
				c = skip_space(r);
				if (c < 0)
				{
					r->state = ST_END;
					return JSON_READ_END;
				}
				set_error(r, r->line, r->col + 1, "unexpected text after the closing ']'");
				raw_from_input(r);
				return fatal(r);

			case ST_END:
				return JSON_READ_END;

			case ST_FATAL:
				return JSON_READ_FATAL;
		}
	}
}

const JsonError *
json_reader_error(const JsonReader *r)
{
	return &r->err;
}

size_t
json_reader_bytes(const JsonReader *r)
{
	/* parsed, not read ahead: a job's progress */
	return r->bytes - (r->avail - r->pos);
}

bool
json_reader_is_array(const JsonReader *r)
{
	return r->is_array;
}

void
json_reader_free(JsonReader *r)
{
	if (r == NULL)
		return;
	free(r->chunk);
	free(r->elem);
	free(r->nums);
	free(r->fields);
	free(r->key_off);
	free(r->text_off);
	free(r->arena.data);
	free(r->path.data);
	free(r->sorted);
	free(r);
}

/* Copy s[0..len-1] into buf if it fits (and a NUL if there is room). */
static size_t
copy_out(const char *s, size_t len, char *buf, size_t cap)
{
	if (len <= cap && len > 0)
		memcpy(buf, s, len);
	if (len < cap)
		buf[len] = '\0';
	return len;
}

size_t
json_field_to_json(const JsonField *f, char *buf, size_t cap)
{
	json_t	   *s;
	size_t		n;

	switch (f->kind)
	{
		case JSON_VALUE_NULL:
			return copy_out("null", 4, buf, cap);
		case JSON_VALUE_BOOLEAN:
		case JSON_VALUE_NUMBER:
		case JSON_VALUE_NESTED:
			return copy_out(f->text, f->len, buf, cap);
		case JSON_VALUE_STRING:
			break;
	}

	/* a string: jansson's encoder */
	s = json_stringn_nocheck(f->text != NULL ? f->text : "", f->len);
	n = s != NULL ? json_dumpb(s, cap > 0 ? buf : NULL, cap, JSON_ENCODE_ANY) : 0;
	json_decref(s);
	if (n == 0)
	{
		/* out of memory: escape it here */
		Buf			tmp = {NULL, 0, 0};

		if (put_json_string(&tmp, f->text != NULL ? f->text : "", f->len))
			n = copy_out(tmp.data, tmp.len, buf, cap);
		else
			n = copy_out("", 0, buf, cap);
		free(tmp.data);
		return n;
	}
	if (n < cap)
		buf[n] = '\0';
	return n;
}

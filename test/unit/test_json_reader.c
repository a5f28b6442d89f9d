/*-------------------------------------------------------------------------
 *
 * test_json_reader.c
 *	  Unit tests of the JSON / NDJSON row reader (src/ingest/json_reader.c).
 *
 * Each input is read to the end three times, in one read(), a byte at a
 * time and 7 bytes at a time, and every run must give the same transcript
 * (one line per result: a row's line/index and fields, a bad or fatal
 * error's line:column and message, the end), so chunk boundaries anywhere
 * are covered by every case.
 *
 * Prints "ok"/"not ok" lines and "json_reader: N passed, M failed".
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"

#include <jansson.h>

#include "ingest/json_reader.h"

typedef struct Source
{
	const char *s;
	size_t		len;
	size_t		pos;
	size_t		step;			/* bytes a read() returns at most, 0: all */
} Source;

static size_t
source_read(void *arg, char *buf, size_t cap)
{
	Source	   *src = arg;
	size_t		n = src->len - src->pos;

	if (src->step > 0 && n > src->step)
		n = src->step;
	if (n > cap)
		n = cap;
	memcpy(buf, src->s + src->pos, n);
	src->pos += n;
	return n;
}

/* A growing transcript */
typedef struct Text
{
	char	   *s;
	size_t		len;
	size_t		cap;
} Text;

static void
text_add(Text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap)
	{
		t->cap = (t->len + n + 1) * 2;
		t->s = realloc(t->s, t->cap);
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void
text_printf(Text *t, const char *fmt,...)
{
	char		buf[8192];
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	text_add(t, buf, n < (int) sizeof(buf) ? (size_t) n : sizeof(buf) - 1);
}

static int	checks_run = 0;

/* check() that also counts, for the summary line */
#define CHECK(...) (checks_run++, check(__VA_ARGS__))

/* A transcript as comment lines */
static void
note_text(const char *label, const char *t)
{
	const char *p = t;

	note("%s", label);
	while (*p)
	{
		const char *nl = strchr(p, '\n');
		int			n = nl ? (int) (nl - p) : (int) strlen(p);

		note("  %.*s", n, p);
		p += n + (nl ? 1 : 0);
	}
}

static const char kind_letter[] = {'Z', 'B', 'N', 'S', 'J'};

static JsonReaderOptions
defaults(void)
{
	JsonReaderOptions o;

	memset(&o, 0, sizeof(o));
	o.max_object = 1 << 20;
	o.max_fields = 1000;
	return o;
}

static bool last_is_array;
static size_t last_bytes;

/*
 * Read all of s with the given step; the transcript has a line per result:
 *	"L/I key=K:text key=K:text"	a row at line L, index I (K a kind letter)
 *	"bad L:C message"
 *	"fatal L:C message"
 *	"end"
 */
static char *
transcript(const char *s, size_t len, const JsonReaderOptions *o, size_t step)
{
	Source		src = {s, len, 0, step};
	JsonReader *r = json_reader_create(o, source_read, &src);
	Text		t = {NULL, 0, 0};
	int			guard;

	text_add(&t, "", 0);
	for (guard = 0; guard < 100000; guard++)
	{
		JsonRow		row;
		JsonResult	res = json_reader_next(r, &row);
		const JsonError *e = json_reader_error(r);
		int			i;

		if (res == JSON_READ_ROW)
		{
			text_printf(&t, "%ld/%ld", row.line, row.index);
			for (i = 0; i < row.nfields; i++)
			{
				const JsonField *f = &row.fields[i];

				text_printf(&t, " %s=%c", f->key, kind_letter[f->kind]);
				if (f->kind != JSON_VALUE_NULL)
				{
					text_add(&t, ":", 1);
					text_add(&t, f->text, f->len);
				}
			}
			text_add(&t, "\n", 1);
			continue;
		}
		if (res == JSON_READ_END)
		{
			text_add(&t, "end\n", 4);
			break;
		}
		text_printf(&t, "%s %ld:%d %s\n", res == JSON_READ_BAD ? "bad" : "fatal",
					e->line, e->column, e->message);
		if (res == JSON_READ_FATAL)
			break;
	}
	last_is_array = json_reader_is_array(r);
	last_bytes = json_reader_bytes(r);
	json_reader_free(r);
	return t.s;
}

/* The transcript, the same for every step, or a check fails. */
static char *
read_all(const char *s, size_t len, const JsonReaderOptions *o)
{
	char	   *whole = transcript(s, len, o, 0);
	static const size_t steps[] = {1, 7};
	int			k;

	for (k = 0; k < 2; k++)
	{
		char	   *t = transcript(s, len, o, steps[k]);

		if (strcmp(t, whole) != 0)
		{
			CHECK(false, "reading %zu bytes at a time gives the same as all at once", steps[k]);
			note_text("all at once:", whole);
			note_text(steps[k] == 1 ? "a byte at a time:" : "7 bytes at a time:", t);
		}
		free(t);
	}
	return whole;
}

/* Check that input gives the transcript expect. */
static void
expect_opt(const char *what, const char *input, const JsonReaderOptions *o, const char *expect)
{
	char	   *t = read_all(input, strlen(input), o);

	if (!CHECK(strcmp(t, expect) == 0, "%s", what))
	{
		note_text("expected:", expect);
		note_text("got:", t);
	}
	free(t);
}

static void
expect(const char *what, const char *input, const char *expect)
{
	JsonReaderOptions o = defaults();

	expect_opt(what, input, &o, expect);
}

/* Read one object; its first field's text copied to out. */
static JsonResult
first_field(const char *input, const JsonReaderOptions *o, JsonField *field, char *out, size_t cap)
{
	Source		src = {input, strlen(input), 0, 0};
	JsonReader *r = json_reader_create(o, source_read, &src);
	JsonRow		row;
	JsonResult	res = json_reader_next(r, &row);

	out[0] = '\0';
	if (res == JSON_READ_ROW && row.nfields > 0)
	{
		*field = row.fields[0];
		if (field->len < cap)
		{
			if (field->text)
				memcpy(out, field->text, field->len);
			out[field->len] = '\0';
		}
		field->text = out;
		field->key = NULL;
	}
	json_reader_free(r);
	return res;
}

/* ASCII and well-formed UTF-8, for opt.verify */
static size_t
verify_utf8(const char *s, size_t len)
{
	size_t		i = 0;

	while (i < len)
	{
		unsigned char c = (unsigned char) s[i];
		size_t		n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 :
			c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
		size_t		k;

		if (n == 0 || i + n > len)
			return i;
		for (k = 1; k < n; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return i;
		i += n;
	}
	return len;
}

/* The JSON text of a field holding text (a string), NUL-terminated. */
static size_t
string_json(const char *text, size_t len, char *buf, size_t cap)
{
	JsonField	f = {"k", JSON_VALUE_STRING, text, len};

	return json_field_to_json(&f, buf, cap);
}

static void
test_basics(void)
{
	JsonReaderOptions o = defaults();
	char	   *t;

	expect("an array of objects",
		   "[{\"a\":1,\"b\":\"x\"},{\"a\":2,\"b\":\"y\"}]",
		   "1/1 a=N:1 b=S:x\n1/2 a=N:2 b=S:y\nend\n");
	t = transcript("[{\"a\":1}]", 9, &o, 0);
	CHECK(last_is_array && last_bytes == 9, "an array: is_array, all bytes counted");
	free(t);
	expect("NDJSON, blank lines allowed",
		   "{\"a\":1}\n\n{\"a\":2}\n   \n{\"a\":3}",
		   "1/1 a=N:1\n3/2 a=N:2\n5/3 a=N:3\nend\n");
	t = transcript("{\"a\":1}\n{\"a\":2}\n", 16, &o, 0);
	CHECK(!last_is_array && last_bytes == 16, "NDJSON: not is_array, all bytes counted");
	free(t);
	expect("NDJSON with CR LF",
		   "{\"a\":\"x\"}\r\n{\"a\":\"y\"}\r\n",
		   "1/1 a=S:x\n2/2 a=S:y\nend\n");
	expect("an array with CR LF and objects over several lines",
		   "[\r\n  {\r\n    \"a\": 1\r\n  },\r\n  {\"a\": 2}\r\n]\r\n",
		   "2/1 a=N:1\n5/2 a=N:2\nend\n");
	expect("NDJSON objects over several lines, and two on one line",
		   "{\n \"a\": 1\n}\n{\"a\": 2} {\"a\": 3}\n",
		   "1/1 a=N:1\n4/2 a=N:2\n4/3 a=N:3\nend\n");
	o.skip = 3;
	expect_opt("a byte order mark is skipped",
			   "\xEF\xBB\xBF[{\"a\":1}]", &o, "1/1 a=N:1\nend\n");
	expect_opt("a byte order mark before NDJSON",
			   "\xEF\xBB\xBF{\"a\":1}\n", &o, "1/1 a=N:1\nend\n");
	expect("keys in the object's order",
		   "{\"z\":1,\"a\":2,\"m\":3,\"b\":4}",
		   "1/1 z=N:1 a=N:2 m=N:3 b=N:4\nend\n");
	expect("rows have their own fields (union is the caller's)",
		   "{\"a\":1}\n{\"b\":2,\"a\":3}\n{}\n",
		   "1/1 a=N:1\n2/2 b=N:2 a=N:3\n3/3\nend\n");
	expect("all kinds",
		   "{\"n\":null,\"t\":true,\"f\":false,\"i\":-42,\"r\":2.5,\"s\":\"x y\","
		   "\"o\":{\"k\":\"v\",\"a\":1},\"a\":[1,\"two\",null,{\"x\":[]}],\"e\":\"\"}",
		   "1/1 n=Z t=B:true f=B:false i=N:-42 r=N:2.5 s=S:x y "
		   "o=J:{\"k\":\"v\",\"a\":1} a=J:[1,\"two\",null,{\"x\":[]}] e=S:\nend\n");
	expect("empty input", "", "end\n");
	expect("only whitespace", "  \r\n\t\n ", "end\n");
	t = transcript("[]", 2, &o, 0);
	free(t);
	expect("an empty array", "[]", "end\n");
	expect("an empty array with whitespace", " [ \n ] \n", "end\n");
	o = defaults();
	t = transcript(" [ ] ", 5, &o, 0);
	CHECK(last_is_array, "an empty array is an array");
	free(t);
}

static void
test_values(void)
{
	JsonReaderOptions o = defaults();
	JsonField	f = {0};
	char		buf[256];
	static const char *const numbers[] = {
		"0", "-0", "0.0", "-0.0", "12.30", "5.00", "1E5", "1e5", "1e-7", "1E+05",
		"-2.5e-7", "0.1", "1e300", "5e-324", "1e-400", "3.141592653589793",
		"1.0000000000000002", "123456.789", "12345678901234567.89",
		"0.30000000000000000000000000000000001", "9223372036854775807",
		"-9223372036854775808", "9223372036854775808", "-9223372036854775809",
		"18446744073709551616", "123456789012345678901234567890",
		"-123456789012345678901234567890.000"
	};
	int			i;
	char		input[128];

	for (i = 0; i < (int) (sizeof(numbers) / sizeof(numbers[0])); i++)
	{
		bool		ok;

		snprintf(input, sizeof(input), "{\"r\":%s}", numbers[i]);
		ok = first_field(input, &o, &f, buf, sizeof(buf)) == JSON_READ_ROW &&
			f.kind == JSON_VALUE_NUMBER && strcmp(buf, numbers[i]) == 0;
		CHECK(ok, "the number %s is kept as written (got \"%s\")", numbers[i], buf);
	}
	expect("12.30 and 5.00 keep their zeros (5.00 is no integer)",
		   "{\"a\": 12.30, \"b\": \"x\", \"c\": 5.00}",
		   "1/1 a=N:12.30 b=S:x c=N:5.00\nend\n");
	expect("numbers in nested values are as written",
		   "{\"o\":{\"x\":0.1,\"y\":2.0,\"z\":[1e300,-0.0,-0,1E5,1e-7]}}",
		   "1/1 o=J:{\"x\":0.1,\"y\":2.0,\"z\":[1e300,-0.0,-0,1E5,1e-7]}\nend\n");
	expect("numbers in objects in arrays in objects, big ones too",
		   "{\"a\": [ {\"p\": 12.30, \"q\": [5.00, 123456789012345678901234567890]},\n"
		   "  -0 , 1E+5 ], \"b\": {\"c\": {\"d\": 12345678901234567.89}}, \"e\": 7}",
		   "1/1 a=J:[{\"p\":12.30,\"q\":[5.00,123456789012345678901234567890]},-0,1E+5] "
		   "b=J:{\"c\":{\"d\":12345678901234567.89}} e=N:7\nend\n");
	expect("digits in strings and keys are no numbers",
		   "{\"1.50\": \"2.50\", \"k\\\"3\": -4.0, \"s\": [\"5.0\", 6.0, \"-7\"], \"t\": 8.0}",
		   "1/1 1.50=S:2.50 k\"3=N:-4.0 s=J:[\"5.0\",6.0,\"-7\"] t=N:8.0\nend\n");
	expect("numbers next to literals and whitespace",
		   "{\"a\":[true,1.0,false,-2.0,null,3e0],\"b\" : 4.50 ,\"c\":\t-5.0\r\n}",
		   "1/1 a=J:[true,1.0,false,-2.0,null,3e0] b=N:4.50 c=N:-5.0\nend\n");
	expect("the largest and smallest 64-bit integers",
		   "{\"a\":9223372036854775807,\"b\":-9223372036854775808}",
		   "1/1 a=N:9223372036854775807 b=N:-9223372036854775808\nend\n");
	expect("an integer beyond 64 bits is read, a real overflow is bad, then reading goes on",
		   "{\"a\":123456789012345678901234567890}\n{\"a\":1.0}\n"
		   "{\"b\":1e999}\n{\"a\":2.00}\n",
		   "1/1 a=N:123456789012345678901234567890\n2/2 a=N:1.0\n"
		   "bad 3:10 real number overflow near '1e999'\n4/4 a=N:2.00\nend\n");
	expect("a big integer that is an element is not an object",
		   "[123456789012345678901234567890, {\"a\":1.50}]",
		   "bad 1:2 element 1 is not an object\n1/2 a=N:1.50\nend\n");
	expect("bad numbers are still jansson's errors",
		   "{\"a\":01}\n{\"a\":1.}\n{\"a\":-}\n{\"a\":+1}\n{\"a\":.5}\n{\"a\":1e}\n{\"a\":0x1}\n{\"a\":1.50}\n",
		   "bad 1:6 invalid token near '0'\nbad 2:7 invalid token near '1.'\n"
		   "bad 3:6 invalid token near '-'\nbad 4:6 invalid token near '+'\n"
		   "bad 5:6 invalid token near '.'\nbad 6:7 invalid token near '1e'\n"
		   "bad 7:7 '}' expected near 'x'\n8/8 a=N:1.50\nend\n");
	expect("after bad lines the next object's numbers are its own",
		   "{\"a\":1.10,\"b\":}\n{\"a\":\"2.20\n{\"a\":[3.30}\n{\"c\":4.40,\"d\":[5.50]}\n",
		   "bad 1:15 unexpected token near '}'\nbad 2:11 unterminated string\n"
		   "bad 3:11 mismatched '}'\n4/4 c=N:4.40 d=J:[5.50]\nend\n");
	expect("escapes are decoded",
		   "{\"s\":\"q\\\"b\\\\s\\/n\\n\\t\\u00e9\\ud83d\\ude00\"}",
		   "1/1 s=S:q\"b\\s/n\n\t\xC3\xA9\xF0\x9F\x98\x80\nend\n");
	expect("a \\u0000 in a string is bad",
		   "{\"s\":\"x\\u0000y\"}\n{\"s\":\"ok\"}\n",
		   "bad 1:15 \\u0000 is not allowed\n2/2 s=S:ok\nend\n");
	expect("a \\u0000 in a key is bad",
		   "{\"a\\u0000\":1}\n",
		   "bad 1:10 \\u0000 is not allowed\nend\n");
	expect("a duplicate key is bad",
		   "{\"a\":1,\"a\":2}\n{\"a\":3}\n",
		   "bad 1:10 duplicate object key near '\"a\"'\n2/2 a=N:3\nend\n");
	expect("a duplicate key inside a nested object is bad too",
		   "{\"o\":{\"b\":1.0,\"b\":2.0}}\n{\"o\":{\"b\":3.0}}\n",
		   "bad 1:17 duplicate object key near '\"b\"'\n2/2 o=J:{\"b\":3.0}\nend\n");
	{
		/* 400 digits: a long decimal is kept, an integer past 1e308 is not */
		char		in[1024];
		char		want[1024];
		char	   *t;

		snprintf(in, sizeof(in), "{\"a\":0.%0400d}\n{\"b\":1%0400d}\n", 1, 0);
		snprintf(want, sizeof(want), "1/1 a=N:0.%0400d\nbad 2:406 real number overflow\nend\n", 1);
		t = read_all(in, strlen(in), &o);
		CHECK(strcmp(t, want) == 0,
			  "a 400-digit decimal is kept; a 401-digit integer is beyond a double: bad");
		if (strcmp(t, want) != 0)
			note_text("got:", t);
		free(t);
	}
	expect("UTF-8 keys and values",
		   "{\"caf\xC3\xA9\":\"na\xC3\xAFve\"}",
		   "1/1 caf\xC3\xA9=S:na\xC3\xAFve\nend\n");
}

/*
 * Objects of n keys with a number each, the keys in an order of their own
 * (a random tag first) so that neither sorting nor hashing gives it, and
 * the numbers written so that no value gives them back: every field, and
 * the nested text, must have its own number at its key.
 */
static void
test_many_keys(void)
{
	static const int sizes[] = {2, 9, 100, 1000, 5000};
	int			z;

	for (z = 0; z < (int) (sizeof(sizes) / sizeof(sizes[0])); z++)
	{
		int			n = sizes[z];
		size_t		cap = (size_t) n * 160 + 64;
		char	   *in = malloc(cap);
		char	   *expect_top = malloc(cap);
		char	   *expect_flat = malloc(cap);
		char	   *expect_nested = malloc(cap);
		char	  (*keys)[32] = malloc((size_t) n * sizeof(*keys));
		size_t		li = 0;
		size_t		lt = 0;
		size_t		lf = 0;
		size_t		ln = 0;
		uint64_t	state = 42 + n;
		JsonReaderOptions o = defaults();
		char	   *t;
		int			i;

		o.max_fields = 100000;
		o.max_object = 64 << 20;
		li += snprintf(in + li, cap - li, "{\"o\":");
		lt += snprintf(expect_top + lt, cap - lt, "1/1");
		lf += snprintf(expect_flat + lf, cap - lf, "1/1");
		ln += snprintf(expect_nested + ln, cap - ln, "1/1 o=J:{");
		for (i = 0; i < n; i++)
		{
			unsigned	tag = (unsigned) (rand64(&state) % 1000000);
			char	   *key = keys[i];
			char		num[64];

			snprintf(key, sizeof(keys[i]), "k%06u_%d", tag, n - i);
			switch (i % 4)
			{
				case 0:
					snprintf(num, sizeof(num), "%d.%d0", i, i % 10);
					break;
				case 1:
					snprintf(num, sizeof(num), "-%d.000", i);
					break;
				case 2:
					snprintf(num, sizeof(num), "%dE+0%d", i, i % 10);
					break;
				default:
					snprintf(num, sizeof(num), "%d00000000000000000000%d", i, i);
					break;
			}
			li += snprintf(in + li, cap - li, "%s\"%s\": %s", i ? ", " : "{", key, num);
			lt += snprintf(expect_top + lt, cap - lt, " %s=N:%s", key, num);
			lf += snprintf(expect_flat + lf, cap - lf, " o.%s=N:%s", key, num);
			ln += snprintf(expect_nested + ln, cap - ln, "%s\"%s\":%s", i ? "," : "", key, num);
		}
		li += snprintf(in + li, cap - li, "}}");
		lt += snprintf(expect_top + lt, cap - lt, "\nend\n");
		lf += snprintf(expect_flat + lf, cap - lf, "\nend\n");
		ln += snprintf(expect_nested + ln, cap - ln, "}\nend\n");

		/* what the reader relies on: jansson iterates in insertion order */
		{
			json_error_t err;
			json_t	   *doc = json_loadb(in, li, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &err);
			json_t	   *obj = json_object_get(doc, "o");
			const char *k;
			json_t	   *v;
			int			at = 0;
			bool		ok = obj != NULL && (int) json_object_size(obj) == n;

			json_object_foreach(obj, k, v)
			{
				if (at >= n || strcmp(k, keys[at]) != 0 || !json_is_real(v))
					ok = false;
				at++;
			}
			CHECK(ok && at == n, "jansson iterates %d keys in their insertion order", n);
			json_decref(doc);
		}

		t = transcript(in, li, &o, 0);
		CHECK(strcmp(t, expect_nested) == 0,
			  "%d keys in a nested object: each number as written at its key", n);
		free(t);
		o.flatten = true;
		t = transcript(in, li, &o, 7);
		CHECK(strcmp(t, expect_flat) == 0,
			  "%d keys flattened: each number as written at its key", n);
		free(t);
		o.flatten = false;
		/* the inner object alone, its numbers top-level fields */
		t = transcript(in + 5, li - 6, &o, 0);
		CHECK(strcmp(t, expect_top) == 0,
			  "%d keys at the top: each number as written at its key", n);
		free(t);
		free(in);
		free(expect_top);
		free(expect_flat);
		free(expect_nested);
		free(keys);
	}
}

static void
test_flatten(void)
{
	JsonReaderOptions o = defaults();

	o.flatten = true;
	expect_opt("flatten: numbers as written, in objects and in arrays",
			   "{\"a\":{\"b\":{\"c\":12.30},\"d\":[5.00,{\"e\":-0}]},\"f\":1E5,"
			   "\"g\":{\"h\":123456789012345678901234567890,\"i\":1e-7}}",
			   &o,
			   "1/1 a.b.c=N:12.30 a.d=J:[5.00,{\"e\":-0}] f=N:1E5 "
			   "g.h=N:123456789012345678901234567890 g.i=N:1e-7\nend\n");
	expect_opt("flatten: a collision is still bad, the next object's numbers its own",
			   "{\"a.b\":1.0,\"a\":{\"b\":2.0}}\n{\"a.b\":3.0,\"a\":{\"c\":4.0}}\n", &o,
			   "bad 1:1 duplicate key \"a.b\" after flattening\n2/2 a.b=N:3.0 a.c=N:4.0\nend\n");
	expect_opt("flatten: a.b.c, arrays stay nested, an empty object gives no field",
			   "{\"a\":{\"b\":{\"c\":1},\"d\":\"x\"},\"e\":[1,{\"f\":2}],\"g\":{},\"h\":null}",
			   &o,
			   "1/1 a.b.c=N:1 a.d=S:x e=J:[1,{\"f\":2}] h=Z\nend\n");
	expect_opt("flatten: an empty key", "{\"\":{\"b\":1},\"c\":{\"\":2}}", &o,
			   "1/1 .b=N:1 c.=N:2\nend\n");
	expect_opt("flatten: a key that collides after flattening is bad",
			   "{\"a.b\":1,\"a\":{\"b\":2}}\n{\"a.b\":1,\"a\":{\"c\":2}}\n", &o,
			   "bad 1:1 duplicate key \"a.b\" after flattening\n2/2 a.b=N:1 a.c=N:2\nend\n");
	o.flatten = false;
	expect_opt("without flatten nested objects stay nested",
			   "{\"a\":{\"b\":{\"c\":1}},\"g\":{}}", &o,
			   "1/1 a=J:{\"b\":{\"c\":1}} g=J:{}\nend\n");
	o.max_fields = 2;
	expect_opt("more than max_fields fields is bad",
			   "{\"a\":1,\"b\":2}\n{\"a\":1,\"b\":2,\"c\":3}\n{\"a\":1}\n", &o,
			   "1/1 a=N:1 b=N:2\nbad 2:1 object has more than 2 fields\n3/3 a=N:1\nend\n");
	o.flatten = true;
	expect_opt("flattened fields count for max_fields",
			   "{\"a\":{\"b\":1,\"c\":2}}\n{\"a\":{\"b\":1,\"c\":2,\"d\":3}}\n", &o,
			   "1/1 a.b=N:1 a.c=N:2\nbad 2:1 object has more than 2 fields\nend\n");
}

static void
test_errors(void)
{
	JsonReaderOptions o = defaults();
	char	   *t;

	expect("elements that are not objects are bad",
		   "[1, \"x\", [1,2], {\"a\":1}, null, true]",
		   "bad 1:2 element 1 is not an object\nbad 1:5 element 2 is not an object\n"
		   "bad 1:10 element 3 is not an object\n1/4 a=N:1\n"
		   "bad 1:26 element 5 is not an object\nbad 1:32 element 6 is not an object\nend\n");
	expect("a bad object in the middle of NDJSON, then the next",
		   "{\"a\":1}\n{\"a\":,}\n{\"a\":3}\n",
		   "1/1 a=N:1\nbad 2:6 unexpected token near ','\n3/3 a=N:3\nend\n");
	expect("a jansson error on a later line of an object",
		   "[\n {\"a\": 1,\n  \"b\" 2}\n, {\"a\" 3}]",
		   "bad 3:7 ':' expected near '2'\nbad 4:8 ':' expected near '3'\nend\n");
	expect("NDJSON: a mismatched bracket resyncs at the next line",
		   "{\"a\":[1}, \"b\":2}\n{\"a\":4}\n",
		   "bad 1:8 mismatched '}'\n2/2 a=N:4\nend\n");
	expect("NDJSON: a line ending inside a string resyncs at the next line",
		   "{\"a\":\"xy\n{\"a\":5}\n",
		   "bad 1:9 unterminated string\n2/2 a=N:5\nend\n");
	expect("NDJSON: a stray bracket or comma is bad, the line skipped",
		   "{\"a\":1}}\n, {\"a\":2}\n{\"a\":3}\n",
		   "1/1 a=N:1\nbad 1:8 unexpected '}'\nbad 2:1 unexpected ','\n3/4 a=N:3\nend\n");
	expect("NDJSON: garbage is bad",
		   "{\"a\":1}\nhello\n{\"a\":2}\n",
		   "1/1 a=N:1\nbad 2:5 invalid token near 'hello'\n3/3 a=N:2\nend\n");
	expect("NDJSON: unbalanced brackets at the end are fatal",
		   "{\"a\":1}\n{\"a\":{\"b\":2}\n",
		   "1/1 a=N:1\nfatal 3:1 unexpected end of input: 1 unclosed bracket\n");
	expect("an array: a missing comma is fatal",
		   "[{\"a\":1} {\"a\":2}]",
		   "1/1 a=N:1\nfatal 1:10 expected ',' or ']' after element 1\n");
	expect("an array: text after the closing ']' is fatal",
		   "[{\"a\":1}]\n x",
		   "1/1 a=N:1\nfatal 2:2 unexpected text after the closing ']'\n");
	expect("an array: not closed is fatal",
		   "[{\"a\":1},\n",
		   "1/1 a=N:1\nfatal 2:1 unexpected end of input: the array is not closed\n");
	expect("an array: a trailing comma is fatal",
		   "[{\"a\":1},]",
		   "1/1 a=N:1\nfatal 1:10 unexpected ']'\n");
	expect("an array: a mismatched bracket is fatal",
		   "[{\"a\":[1}]}, {\"a\":2}]",
		   "fatal 1:9 mismatched '}'\n");
	expect("an array: a newline in a string is a bad object, not lost sync",
		   "[{\"a\":\"x\ny\"}, {\"a\":2}]",
		   "bad 1:8 unexpected newline near '\"x'\n2/2 a=N:2\nend\n");

	/* max_object */
	o.max_object = 20;
	expect_opt("an object of max_object bytes is read",
			   "{\"a\":\"0123456789ab\"}\n", &o,
			   "1/1 a=S:0123456789ab\nend\n");
	expect_opt("an object larger than max_object is fatal",
			   "{\"a\":1}\n{\"a\":\"0123456789abcd\"}\n{\"a\":2}\n", &o,
			   "1/1 a=N:1\nfatal 2:1 object larger than 20 bytes\n");
	{
		Source		src = {"{\"a\":\"0123456789abcdefghijklmnopqrstuvwxyz\"}", 44, 0, 0};
		JsonReader *r = json_reader_create(&o, source_read, &src);
		JsonRow		row;
		const JsonError *e;

		CHECK(json_reader_next(r, &row) == JSON_READ_FATAL, "max_object: fatal");
		e = json_reader_error(r);
		CHECK(e->raw_len <= 20 && e->raw != NULL && memcmp(e->raw, "{\"a\"", 4) == 0,
			  "max_object: the error has the start of the object");
		CHECK(json_reader_next(r, &row) == JSON_READ_FATAL, "after fatal, fatal again");
		json_reader_free(r);
	}

	/* verify */
	o = defaults();
	o.verify = verify_utf8;
	expect_opt("verify refusing a byte: bad at its line and column, then the next",
			   "{\"a\":1}\n{\"a\":\"x\xFFy\"}\n{\"a\":3}\n", &o,
			   "1/1 a=N:1\nbad 2:8 invalid byte sequence\n3/3 a=N:3\nend\n");
	expect_opt("verify: the column counts characters, not bytes",
			   "[{\"a\":\"\xC3\xA9\xC3\xA9\"}, {\"b\":\"\xC3\xA9\xC3\"}]", &o,
			   "1/1 a=S:\xC3\xA9\xC3\xA9\nbad 1:21 invalid byte sequence\nend\n");
	{
		Source		src = {"[{\"a\":\"x\xFFy\"}]", 13, 0, 0};
		JsonReader *r = json_reader_create(&o, source_read, &src);
		JsonRow		row;
		const JsonError *e;

		json_reader_next(r, &row);
		e = json_reader_error(r);
		CHECK(e->raw_len == 11 && memcmp(e->raw, "{\"a\":\"x\xFFy\"}", 11) == 0,
			  "a bad object's raw bytes are the element");
		json_reader_free(r);
	}
	o.verify = NULL;
	t = read_all("{\"a\":\"x\xFFy\"}\n{\"a\":3}\n", 20, &o);
	CHECK(strncmp(t, "bad 1:", 6) == 0 && strstr(t, "\n2/2 a=N:3\nend\n") != NULL,
		  "without verify jansson refuses invalid UTF-8");
	note_text("transcript:", t);
	free(t);
}

/* "{"a":" n times, 1, "}" n times */
static char *
nested(int n, bool array)
{
	char	   *s = malloc(6 * (size_t) n + 16);
	char	   *p = s;
	int			i;

	for (i = 0; i < n; i++)
	{
		memcpy(p, array ? "[" : "{\"a\":", array ? 1 : 5);
		p += array ? 1 : 5;
	}
	*p++ = '1';
	for (i = 0; i < n; i++)
		*p++ = array ? ']' : '}';
	strcpy(p, "\n{\"b\":2}\n");
	return s;
}

static void
test_deep(void)
{
	JsonReaderOptions o = defaults();
	char	   *s;
	char	   *t;
	const char *row;
	size_t		dots = 0;

	o.max_object = 64 << 20;
	s = nested(1000, false);
	t = read_all(s, strlen(s), &o);
	CHECK(strncmp(t, "1/1 a=J:{\"a\":{", 14) == 0 && strstr(t, "\n2/2 b=N:2\nend\n") != NULL,
		  "1000 levels are read");
	free(t);
	o.flatten = true;
	t = transcript(s, strlen(s), &o, 0);
	for (row = t; *row && *row != '='; row++)
		dots += *row == '.';
	CHECK(strncmp(t, "1/1 a.a.a.", 10) == 0 && dots == 999, "1000 levels flattened: 1000 keys joined by 999 dots");
	free(t);
	free(s);
	o.flatten = false;

	s = nested(1001, false);
	t = read_all(s, strlen(s), &o);
	CHECK(strcmp(t, "bad 1:1 nested deeper than 1000 levels\n2/2 b=N:2\nend\n") == 0,
		  "1001 levels are bad, the next object read");
	free(t);
	free(s);

	s = nested(200000, false);
	t = transcript(s, strlen(s), &o, 0);
	CHECK(strcmp(t, "bad 1:1 nested deeper than 1000 levels\n2/2 b=N:2\nend\n") == 0,
		  "200000 levels: bad, no stack overflow");
	free(t);
	free(s);

	s = nested(100000, true);
	{
		size_t		n = strlen(s);
		char	   *in = malloc(n + 9);

		memcpy(in, "{\"x\":0}\n", 8);
		memcpy(in + 8, s, n + 1);
		t = transcript(in, n + 8, &o, 0);
		free(in);
	}
	CHECK(strcmp(t, "1/1 x=N:0\nbad 2:1 nested deeper than 1000 levels\n3/3 b=N:2\nend\n") == 0,
		  "100000 nested arrays in NDJSON: bad, no stack overflow");
	free(t);
	free(s);
	s = nested(100000, true);
	t = transcript(s, strlen(s), &o, 0);
	CHECK(strncmp(t, "bad 1:2 nested deeper than 1000 levels\nfatal 2:1 unexpected text after the closing ']'\n", 200) == 0,
		  "100000 nested arrays in an array: bad, then the text after it fatal");
	free(t);
	free(s);
}

static void
test_to_json(void)
{
	char		buf[256];
	size_t		n;
	JsonField	f;
	char		small[8];
	json_t	   *back;
	json_error_t err;
	const char *tricky = "q\"b\\s/\n\t\x01\x1F\x7F\xC3\xA9 \xE2\x80\xA8";
	char		expect_buf[256];
	json_t	   *js;
	char	   *dumped;

	n = string_json(tricky, strlen(tricky), buf, sizeof(buf));
	js = json_string(tricky);
	dumped = json_dumps(js, JSON_ENCODE_ANY);
	snprintf(expect_buf, sizeof(expect_buf), "%s", dumped);
	free(dumped);
	json_decref(js);
	CHECK(n == strlen(expect_buf) && strcmp(buf, expect_buf) == 0,
		  "a string is quoted and escaped as jansson does: %s", buf);
	back = json_loads(buf, JSON_DECODE_ANY, &err);
	CHECK(back && json_is_string(back) && strcmp(json_string_value(back), tricky) == 0,
		  "an escaped string reads back the same");
	json_decref(back);
	CHECK(strcmp(buf, "\"q\\\"b\\\\s/\\n\\t\\u0001\\u001F\x7F\xC3\xA9 \xE2\x80\xA8\"") == 0,
		  "the escapes: \\\" \\\\ \\n \\t \\u0001 \\u001F, / and UTF-8 as they are");

	memset(small, 'X', sizeof(small));
	n = string_json("abcdefghij", 10, small, 5);
	CHECK(n == 12 && small[5] == 'X' && small[7] == 'X', "too small a buffer: the full length, nothing past cap");
	n = string_json("ab", 2, small, 4);
	CHECK(n == 4 && memcmp(small, "\"ab\"", 4) == 0, "exactly fitting: written, no NUL needed");
	n = string_json("", 0, buf, sizeof(buf));
	CHECK(n == 2 && strcmp(buf, "\"\"") == 0, "an empty string is \"\"");

	f.key = "k";
	f.kind = JSON_VALUE_NULL;
	f.text = NULL;
	f.len = 0;
	n = json_field_to_json(&f, buf, sizeof(buf));
	CHECK(n == 4 && strcmp(buf, "null") == 0, "NULL is null");
	f.kind = JSON_VALUE_NUMBER;
	f.text = "-2.5e-07";
	f.len = 8;
	n = json_field_to_json(&f, buf, sizeof(buf));
	CHECK(n == 8 && strcmp(buf, "-2.5e-07") == 0, "a number as it is");
	f.kind = JSON_VALUE_BOOLEAN;
	f.text = "false";
	f.len = 5;
	n = json_field_to_json(&f, buf, sizeof(buf));
	CHECK(n == 5 && strcmp(buf, "false") == 0, "a boolean as it is");
	f.kind = JSON_VALUE_NESTED;
	f.text = "{\"a\":[1,2]}xyz";
	f.len = 11;
	n = json_field_to_json(&f, buf, sizeof(buf));
	CHECK(n == 11 && strcmp(buf, "{\"a\":[1,2]}") == 0, "nested JSON as it is");
	n = json_field_to_json(&f, NULL, 0);
	CHECK(n == 11, "cap 0: only the length");

	/* nested strings are escaped the same way */
	{
		JsonReaderOptions o = defaults();
		static const char in[] = "{\"o\":[\"a\\\"b\\u0001\\u00e9\\n\"],\"p\":{\"k\\\\\":\"\\/\"}}";
		char	   *t = read_all(in, strlen(in), &o);

		CHECK(strcmp(t, "1/1 o=J:[\"a\\\"b\\u0001\xC3\xA9\\n\"] p=J:{\"k\\\\\":\"/\"}\nend\n") == 0,
			  "strings inside nested values are escaped as jansson does");
		note_text("transcript:", t);
		free(t);
	}
}

/* Many rows over chunk boundaries of the 1 MB read. */
static void
test_large(void)
{
	JsonReaderOptions o = defaults();
	size_t		n = 60000;
	size_t		cap = n * 64 + 16;
	char	   *s = malloc(cap);
	size_t		len = 0;
	size_t		i;
	Source		src;
	JsonReader *r;
	JsonRow		row;
	JsonResult	res;
	size_t		rows = 0;
	bool		ok = true;

	s[len++] = '[';
	for (i = 0; i < n; i++)
		len += snprintf(s + len, cap - len, "%s{\"id\":%zu,\"name\":\"row %zu\"}\n",
						i ? "," : "", i, i);
	s[len++] = ']';
	src = (Source) {s, len, 0, 0};
	r = json_reader_create(&o, source_read, &src);
	while ((res = json_reader_next(r, &row)) == JSON_READ_ROW)
	{
		char		want[32];

		snprintf(want, sizeof(want), "%zu", rows);
		if (row.nfields != 2 || row.line != (long) rows + 1 || row.index != (long) rows + 1 ||
			row.fields[0].len != strlen(want) || memcmp(row.fields[0].text, want, row.fields[0].len) != 0)
			ok = false;
		rows++;
	}
	CHECK(ok && res == JSON_READ_END && rows == n && json_reader_bytes(r) == len,
		  "%zu rows in %zu bytes (over 1 MB): every line and value", n, len);
	json_reader_free(r);
	free(s);
}

int
main(void)
{
	test_basics();
	test_values();
	test_many_keys();
	test_flatten();
	test_errors();
	test_deep();
	test_to_json();
	test_large();
	printf("json_reader: %d passed, %d failed\n", checks_run - unit_failures, unit_failures);
	return unit_status();
}

/*-------------------------------------------------------------------------
 *
 * test_csv_reader.c
 *	  Unit tests of the CSV record reader (src/ingest/csv_reader.c).
 *
 * Most checks read a text at every read size of STEPS (1, 2, 3, 7 bytes
 * and a whole buffer at a time) and compare what the reader gave, written
 * out as a transcript, with the expected one: read boundaries must never
 * change the results.  A transcript has one item per csv_reader_next
 * call: "L<line>[field][field]..." for a record, "BAD<line>.<column>" or
 * "FATAL<line>.<column>" for an error, "END".
 *
 *-------------------------------------------------------------------------
 */
#include <time.h>

#include "unit.h"

#include "ingest/csv_reader.h"

static const size_t STEPS[] = {1, 2, 3, 7, CSV_READ_CHUNK};
#define NSTEPS (sizeof(STEPS) / sizeof(STEPS[0]))

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

/* A growing string */
typedef struct Text
{
	char	   *p;
	size_t		len;
	size_t		cap;
} Text;

static void
text_add(Text *t, const void *p, size_t n)
{
	if (t->len + n + 1 > t->cap)
	{
		size_t		cap = t->cap ? t->cap : 256;

		while (cap < t->len + n + 1)
			cap *= 2;
		t->p = realloc(t->p, cap);
		if (t->p == NULL)
			abort();
		t->cap = cap;
	}
	memcpy(t->p + t->len, p, n);
	t->len += n;
	t->p[t->len] = '\0';
}

static void
text_printf(Text *t, const char *fmt,...)
{
	char		buf[512];
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	text_add(t, buf, (size_t) n);
}

/* s made printable on one line (in a static buffer) */
static const char *
printable(const char *s)
{
	static char buf[4][1024];
	static int	which = 0;
	char	   *out = buf[which++ % 4];
	size_t		o = 0;

	for (; *s && o + 5 < sizeof(buf[0]); s++)
	{
		unsigned char c = (unsigned char) *s;

		if (c >= 0x20 && c < 0x7f)
			out[o++] = (char) c;
		else
			o += (size_t) snprintf(out + o, 5, "\\x%02x", c);
	}
	out[o] = '\0';
	return out;
}

/* The last error that read_text saw, and the bytes the reader read. */
static CsvError last_error;
static size_t last_bytes;

/*
 * Read s[0..len-1] step bytes at a time; returns the transcript (malloc'd),
 * with each error's message in braces when messages is set.
 */
static char *
read_text(const char *s, size_t len, const CsvReaderOptions *opt, size_t step, bool messages)
{
	Source		src = {s, len, 0, step};
	CsvReader  *r = csv_reader_create(opt, source_read, &src);
	Text		t = {0};

	text_add(&t, "", 0);
	memset(&last_error, 0, sizeof(last_error));
	if (r == NULL)
		return t.p;
	for (int calls = 0; calls < 1000000; calls++)
	{
		CsvRecord	rec;
		CsvResult	res = csv_reader_next(r, &rec);

		if (t.len > 0)
			text_add(&t, " ", 1);
		if (res == CSV_READ_END)
		{
			text_add(&t, "END", 3);
			break;
		}
		if (res == CSV_READ_RECORD)
		{
			text_printf(&t, "L%ld", rec.line);
			for (int k = 0; k < rec.nfields; k++)
			{
				text_add(&t, "[", 1);
				text_add(&t, rec.fields[k], rec.lens[k]);
				text_add(&t, "]", 1);
			}
			continue;
		}
		last_error = *csv_reader_error(r);
		text_printf(&t, "%s%ld.%d", res == CSV_READ_BAD ? "BAD" : "FATAL",
					last_error.line, last_error.column);
		if (messages)
			text_printf(&t, "{%s}", last_error.message);
		if (res == CSV_READ_FATAL)
			break;
	}
	last_bytes = csv_reader_bytes(r);
	csv_reader_free(r);
	return t.p;
}

static CsvReaderOptions
options(char delimiter, char newline)
{
	CsvReaderOptions opt;

	memset(&opt, 0, sizeof(opt));
	opt.delimiter = delimiter;
	opt.quote = '"';
	opt.newline = newline;
	opt.max_field = 1 << 20;
	opt.max_fields = 1600;
	return opt;
}

/*
 * Read s at every read size of STEPS and check that each gives the
 * transcript want; the last error is in last_error afterwards.
 */
static void
expect_opt(const char *what, const char *s, const CsvReaderOptions *opt, const char *want)
{
	size_t		len = strlen(s);

	for (size_t i = 0; i < NSTEPS; i++)
	{
		char	   *got = read_text(s, len, opt, STEPS[i], false);
		bool		ok = strcmp(got, want) == 0;

		if (!ok)
		{
			if (STEPS[i] == CSV_READ_CHUNK)
				check(false, "%s (whole reads)", what);
			else
				check(false, "%s (reads of %zu byte%s)", what, STEPS[i], STEPS[i] == 1 ? "" : "s");
			note("got  %s\n# want %s", printable(got), printable(want));
			free(got);
			return;
		}
		free(got);
	}
	check(true, "%s", what);
}

static void
expect(const char *what, const char *s, const char *want)
{
	CsvReaderOptions opt = options(',', '\n');

	expect_opt(what, s, &opt, want);
}

/* IngestVerifyFn: rejects 0xFF */
static size_t
no_ff(const char *s, size_t len)
{
	const char *p = memchr(s, 0xFF, len);

	return p ? (size_t) (p - s) : len;
}

/* IngestVerifyFn: valid UTF-8, no NUL */
static size_t
utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t		i = 0;

	while (i < len)
	{
		unsigned char c = p[i];
		size_t		n;

		if (c == 0)
			return i;
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
		for (size_t k = 1; k < n; k++)
			if ((p[i + k] & 0xC0) != 0x80)
				return i;
		if ((c == 0xE0 && p[i + 1] < 0xA0) || (c == 0xED && p[i + 1] > 0x9F) ||
			(c == 0xF0 && p[i + 1] < 0x90) || (c == 0xF4 && p[i + 1] > 0x8F))
			return i;
		i += n;
	}
	return len;
}

static void
test_basics(void)
{
	CsvReaderOptions opt;

	expect("simple records", "id,name,amount\n1,ann,3.5\n2,bob,4\n",
		   "L1[id][name][amount] L2[1][ann][3.5] L3[2][bob][4] END");
	expect("no newline at the end", "a,b\n1,2", "L1[a][b] L2[1][2] END");
	expect("blanks are kept, empty fields are empty", " a , b\n,\n",
		   "L1[ a ][ b] L2[][] END");
	expect("empty text: no records", "", "END");
	expect("quoted delimiter and doubled quotes",
		   "\"a,b\",\"say \"\"hi\"\"\",\"\"\n\"x\"\"\",2,\"\"\"\"\n",
		   "L1[a,b][say \"hi\"][] L2[x\"][2][\"] END");
	expect("a multi-line quoted field keeps its newlines; the next record's line is right",
		   "id,note\n1,\"two\nlines\"\n2,\"three\n\nlines\"\n3,x\n",
		   "L1[id][note] L2[1][two\nlines] L4[2][three\n\nlines] L7[3][x] END");
	expect("CR LF", "a,b\r\n1,2\r\n\"x\r\ny\",3\r\n",
		   "L1[a][b] L2[1][2] L3[x\r\ny][3] END");
	opt = options(',', '\r');
	expect_opt("CR only, with newline CR", "a,b\r1,2\r\"x\ry\",3\r\r4,5\r", &opt,
			   "L1[a][b] L2[1][2] L3[x\ry][3] L6[4][5] END");
	expect("blank lines are skipped", "\n\na\n\n\nb\n\r\n\n", "L3[a] L6[b] END");
	expect("ragged rows are records", "a,b,c\n1\n1,2,3,4\n,\n",
		   "L1[a][b][c] L2[1] L3[1][2][3][4] L4[][] END");
	opt = options(';', '\n');
	expect_opt("semicolons", "a;b,c\n\"1;2\";3\n", &opt, "L1[a][b,c] L2[1;2][3] END");
	opt = options('\t', '\n');
	opt.quote = '\'';
	expect_opt("tabs and single quotes", "a\tb\n'x\ty'\t'it''s'\n", &opt,
			   "L1[a][b] L2[x\ty][it's] END");
}

static void
test_bom(void)
{
	CsvReaderOptions opt = options(',', '\n');
	const char *s = "\xEF\xBB\xBF" "a,b\n1,2\n";

	opt.skip = 3;
	expect_opt("the byte order mark is skipped (also in reads shorter than it)",
			   s, &opt, "L1[a][b] L2[1][2] END");
	free(read_text(s, strlen(s), &opt, 1, false));
	check(last_bytes == strlen(s), "every byte is read after the mark in reads of 1 byte (%zu)", last_bytes);
	opt.skip = 0;
	expect_opt("without skip the mark is data", s, &opt,
			   "L1[\xEF\xBB\xBF" "a][b] L2[1][2] END");
}

static void
test_errors(void)
{
	CsvReaderOptions opt;

	expect("a quote inside an unquoted field: BAD at its line and field, then the next line",
		   "a,b\n1,x\"y\n2,z\n", "L1[a][b] BAD2.2 L3[2][z] END");
	opt = options(',', '\n');
	free(read_text("a,b\n1,x\"y\n2,z\n", 14, &opt, 1, true));
	check(strstr(last_error.message, "malformed quoting") != NULL && last_error.raw_len > 0,
		  "the malformed quote's message and raw line (%s)", last_error.message);
	expect("text after a closing quote: BAD", "\"a\"b,c\nd\n", "BAD1.1 L2[d] END");
	expect("a malformed quote in a multi-line field: BAD on the line of the quote",
		   "\"a\nb\"c\",d\ne\n", "BAD2.1 L3[e] END");
	expect("an unterminated quote at the end: BAD", "a,b\n1,\"never\n2,3\n", "L1[a][b] BAD2.2 END");
	check(strstr(last_error.message, "unterminated") != NULL, "its message (%s)", last_error.message);
	expect("an unterminated quote at the end without a newline: BAD", "a\n\"x", "L1[a] BAD2.1 END");

	/* regressions: errors after a record ended by a CR (not the newline) */
	expect("a record ended by a CR before an error on the same line comes first",
		   "a\rb\"c\nd\n", "L1[a] BAD1.1 L2[d] END");
	expect("a record after a CR, after a multi-line field, starts on that line",
		   "\"x\ny\"\rz\n", "L1[x\ny] L2[z] END");

	opt = options(',', '\n');
	opt.max_fields = 3;
	expect_opt("max_fields exceeded: BAD, and reading goes on", "a,b,c\n1,2,3,4\nx,y,z\n", &opt,
			   "L1[a][b][c] BAD2.4 L3[x][y][z] END");
	check(strstr(last_error.message, "4 fields") != NULL && strstr(last_error.message, "limit of 3") != NULL,
		  "the message says how many fields (%s)", last_error.message);
}

static void
test_max_field(void)
{
	CsvReaderOptions opt = options(',', '\n');

	opt.max_field = 8;
	expect_opt("a field of max_field bytes is accepted", "abcdefgh,x\n", &opt,
			   "L1[abcdefgh][x] END");
	expect_opt("one byte more is FATAL", "y\nx,abcdefghi,z\n", &opt, "L1[y] FATAL2.2");
	check(strstr(last_error.message, "longer than 8 bytes") != NULL, "its message (%s)", last_error.message);
	expect_opt("a quoted field of max_field bytes is accepted", "\"abcdefgh\",x\n", &opt,
			   "L1[abcdefgh][x] END");
	expect_opt("a quoted field of max_field bytes with doubled quotes is accepted",
			   "\"ab\"\"\"\"efgh\",x\n", &opt, "L1[ab\"\"efgh][x] END");
	expect_opt("a quoted field one byte longer is FATAL", "\"abcdefghi\",x\n", &opt, "FATAL1.1");
	expect_opt("a field of max_field bytes at the end of the input is accepted", "x,abcdefgh", &opt,
			   "L1[x][abcdefgh] END");
	expect_opt("one byte more at the end of the input is FATAL", "x,abcdefghi", &opt, "FATAL1.2");
	check(strstr(last_error.message, "longer than") != NULL, "its message (%s)", last_error.message);
	expect_opt("a quoted one at the end of the input too", "x,\"abcdefghi\"", &opt, "FATAL1.2");
	expect_opt("a much longer field is FATAL", "x\nabcdefghijklmnopqrstuvwxyz,1\n", &opt,
			   "L1[x] FATAL2.1");
}

static void
test_verify(void)
{
	CsvReaderOptions opt = options(',', '\n');
	const char *s = "a,b,c\n1,\xFF,3\n4,5,6\n\"x,y\",z,w\xFFw\n7,8,9\n";
	char	   *got;

	opt.verify = no_ff;
	expect_opt("an invalid byte: BAD with its line and field, then the next line", s, &opt,
			   "L1[a][b][c] BAD2.2 L3[4][5][6] BAD4.3 L5[7][8][9] END");
	got = read_text(s, 11, &opt, CSV_READ_CHUNK, true);
	check(strstr(got, "0xff at byte 3 of the line") != NULL, "its message: %s", printable(got));
	free(got);
	got = read_text(s, 11, &opt, 1, true);
	check(strstr(got, "0xff at byte 3 of the line") != NULL, "the same in reads of 1 byte: %s", printable(got));
	free(got);
	check(last_error.raw_len > 0 && last_error.raw != NULL, "an invalid line has its raw bytes");

	opt.verify = utf8_valid;
	s = "caf\xC3\xA9,\xE2\x82\xAC\n\xC3,x\nok,\xF0\x9F\x98\x80\ny,\xE2\x82";
	expect_opt("UTF-8 split by reads is whole; a truncated character is BAD", s, &opt,
			   "L1[caf\xC3\xA9][\xE2\x82\xAC] BAD2.1 L3[ok][\xF0\x9F\x98\x80] BAD4.2 END");
	s = "a\rb,\xFF\nc\n";
	opt.verify = no_ff;
	expect_opt("a record ended by a CR before an invalid byte on the same line is good", s, &opt,
			   "L1[a] BAD1.2 L2[c] END");
}

/* A 10 kB text of every kind of line, from a fixed seed. */
static Text
mixed_text(void)
{
	static const char *const kinds[] = {
		"1,plain,3.5\n", "\"quoted, with delimiter\",x\n", "\"say \"\"hi\"\"\",2\n",
		"\"two\nlines\",3\n", "crlf,4\r\n", "\n", "\r\n", "ragged\n", "1,2,3,4,5,6,7,8\n",
		"1,x\"y\n", "\"a\"b,c\n", "caf\xC3\xA9,\xE2\x82\xAC\n", "bad,\xFF,byte\n",
		"cut,\xE2\x82\n", "cr\rinside,5\n", ",,\n", "\"\"\"\",\"\"\n", "emoji,\xF0\x9F\x98\x80\n",
	};
	uint64_t	state = 7;
	Text		t = {0};

	while (t.len < 10240)
	{
		const char *k = kinds[rand64(&state) % (sizeof(kinds) / sizeof(kinds[0]))];

		text_add(&t, k, strlen(k));
	}
	text_add(&t, "\"unterminated\n", 14);
	return t;
}

static void
test_read_sizes(void)
{
	Text		t = mixed_text();
	CsvReaderOptions opt = options(',', '\n');
	char	   *want;
	int			verify;

	for (verify = 0; verify < 2; verify++)
	{
		bool		same = true;

		opt.verify = verify ? utf8_valid : NULL;
		opt.max_fields = 6;
		want = read_text(t.p, t.len, &opt, CSV_READ_CHUNK, true);
		for (size_t i = 0; i < NSTEPS - 1; i++)
		{
			char	   *got = read_text(t.p, t.len, &opt, STEPS[i], true);

			if (strcmp(got, want) != 0)
			{
				size_t		at = 0;

				while (got[at] == want[at])
					at++;
				note("reads of %zu bytes differ at %zu: %.60s | %.60s", STEPS[i], at, printable(got + at), printable(want + at));
				same = false;
			}
			free(got);
		}
		check(same && strstr(want, "BAD") != NULL && strstr(want, " END") != NULL,
			  "reads of 1, 2, 3, 7 bytes and 1 MB give the same results on %zu bytes%s (%zu bytes of transcript)",
			  t.len, verify ? ", verified" : "", strlen(want));
		check(last_bytes == t.len, "every byte read (%zu)", last_bytes);
		free(want);
	}
	free(t.p);
}

static void
test_long_field(void)
{
	size_t		big = 5 * 1024 * 1024;
	char	   *s = malloc(big + 16);
	CsvReaderOptions opt = options(',', '\n');
	Source		src;
	CsvReader  *r;
	CsvRecord	rec;
	struct timespec t0,
				t1;
	double		secs;
	bool		ok;

	memcpy(s, "a,\"", 3);
	memset(s + 3, 'x', big);
	memcpy(s + 3 + big, "\",b\nc\n", 6);
	opt.max_field = 8 * 1024 * 1024;
	src = (Source) {s, big + 9, 0, CSV_READ_CHUNK};
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = csv_reader_create(&opt, source_read, &src);
	ok = csv_reader_next(r, &rec) == CSV_READ_RECORD && rec.nfields == 3 && rec.line == 1 &&
		rec.lens[0] == 1 && rec.lens[1] == big && rec.lens[2] == 1 &&
		rec.fields[1][0] == 'x' && rec.fields[1][big - 1] == 'x' && rec.fields[2][0] == 'b';
	ok = ok && csv_reader_next(r, &rec) == CSV_READ_RECORD && rec.line == 2 && rec.lens[0] == 1;
	ok = ok && csv_reader_next(r, &rec) == CSV_READ_END;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	csv_reader_free(r);
	secs = (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9;
	check(ok, "a 5 MB field with max_field 8 MB reads whole");
	check(secs < 1.0, "in well under a second (%.3f s)", secs);
	free(s);
}

int
main(void)
{
	test_basics();
	test_bom();
	test_errors();
	test_max_field();
	test_verify();
	test_read_sizes();
	test_long_field();
	return unit_status();
}

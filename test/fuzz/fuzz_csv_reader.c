/*-------------------------------------------------------------------------
 *
 * fuzz_csv_reader.c
 *	  libFuzzer harness for the CSV path of an import: dialect sniffing,
 *	  the record reader over libcsv, and type inference of every field.
 *
 * The first input byte is the size of the reads (1..64 bytes at a time),
 * the second the options:
 *	bits 0-1	delimiter , ; tab |
 *	bit 2		quote ' instead of "
 *	bit 3		newline '\r' instead of '\n'
 *	bit 4		a small max_field (1..300, from both bytes) instead of 1 MB
 *	bit 5		a small max_fields (1..8, from the first byte's top bits)
 *				instead of 1600
 *	bit 6		verify with the harness's own strict UTF-8 validator (which
 *				also rejects NUL)
 *	bit 7		skip 3 bytes (a byte order mark)
 * and the rest is the text.  The harness sniffs the text, reads every
 * record until the end or a fatal error, and infers each column's type
 * (infer_is_null with the default markers, infer_value, infer_join).
 *
 * Invariants: records' lines from 1, not decreasing, not past the last
 * line; at most max_fields fields, none longer than max_field; the fields
 * of all records together no longer than csv_reader_bytes; with verify,
 * every field valid UTF-8 without NUL; errors with a line from 1, a
 * non-empty NUL-terminated message and at most 4 kB of raw; a bounded
 * number of calls; all bytes read at the end.  Texts under 4 kB are read
 * again one byte at a time and in reads of 4096 bytes, and with libcsv
 * parsing every line (no fast path for lines without quotes): all readings
 * must give the same results (every record's line and fields, every
 * error's line, column and message), so read boundaries never change
 * anything.  Seeds live in test/fuzz/corpus/csv_reader/, tokens in
 * test/fuzz/csv_reader.dict.
 *
 *	  clang -g -O1 -fsanitize=fuzzer,address,undefined -DAUTOML_STANDALONE \
 *		-Isrc test/fuzz/fuzz_csv_reader.c src/ingest/csv_reader.c \
 *		src/ingest/sniff.c src/ingest/infer.c -lcsv -o fuzz_csv_reader
 *	  mkdir -p /tmp/fuzz_work
 *	  ./fuzz_csv_reader -max_total_time=60 -dict=test/fuzz/csv_reader.dict \
 *		/tmp/fuzz_work test/fuzz/corpus/csv_reader
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

#include "ingest/csv_reader.h"
#include "ingest/infer.h"
#include "ingest/sniff.h"

/* texts shorter than this are also compared across read sizes */
#define COMPARE_BELOW 4096

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

/* Length of the valid UTF-8 prefix of s: no overlongs, surrogates or NUL. */
static size_t
utf8_strict(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t		i = 0;

	while (i < len)
	{
		unsigned char c = p[i];
		size_t		n;
		size_t		k;

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

/* What a reading gave, as bytes to compare: a growing buffer. */
typedef struct Log
{
	char	   *p;
	size_t		len;
	size_t		cap;
} Log;

static void
log_add(Log *log, const void *p, size_t n)
{
	if (log == NULL)
		return;
	if (log->len + n > log->cap)
	{
		size_t		cap = log->cap ? log->cap : 256;

		while (cap < log->len + n)
			cap *= 2;
		log->p = realloc(log->p, cap);
		FUZZ_CHECK(log->p != NULL);
		log->cap = cap;
	}
	memcpy(log->p + log->len, p, n);
	log->len += n;
}

static void
log_long(Log *log, long v)
{
	log_add(log, &v, sizeof(v));
}

/* Print a log readably (on a mismatch). */
static void
log_print(const char *what, const Log *log)
{
	static const char *const names[] = {"record", "end", "bad", "fatal"};
	size_t		at = 0;
	long		v[3];

	fprintf(stderr, "%s:\n", what);
	while (at + sizeof(long) <= log->len)
	{
		memcpy(&v[0], log->p + at, sizeof(long));
		at += sizeof(long);
		fprintf(stderr, "  %s", v[0] >= 0 && v[0] <= 3 ? names[v[0]] : "?");
		if (v[0] == CSV_READ_END || at + 2 * sizeof(long) > log->len)
		{
			fprintf(stderr, "\n");
			continue;
		}
		memcpy(&v[1], log->p + at, 2 * sizeof(long));
		at += 2 * sizeof(long);
		if (v[0] != CSV_READ_RECORD)
		{
			fprintf(stderr, " line %ld column %ld: %s\n", v[1], v[2], log->p + at);
			at += strnlen(log->p + at, log->len - at) + 1;
			continue;
		}
		fprintf(stderr, " line %ld:", v[1]);
		for (long k = 0; k < v[2] && at + sizeof(long) <= log->len; k++)
		{
			long		n;

			memcpy(&n, log->p + at, sizeof(long));
			at += sizeof(long);
			fprintf(stderr, " [");
			for (long i = 0; i < n && at < log->len; i++, at++)
			{
				unsigned char c = log->p[at];

				fprintf(stderr, c >= 0x20 && c < 0x7f ? "%c" : "\\x%02x", c);
			}
			fprintf(stderr, "]");
		}
		fprintf(stderr, "\n");
	}
}

/* The types of a record's fields, joined into the columns' types. */
FUZZ_NO_COVERAGE static void
infer_record(const CsvRecord *rec, InferType *columns, int ncolumns)
{
	for (int k = 0; k < rec->nfields; k++)
	{
		InferType	t;
		InferType	j;

		if (infer_is_null(rec->fields[k], rec->lens[k], NULL, 0))
			continue;
		t = infer_value(rec->fields[k], rec->lens[k]);
		FUZZ_CHECK(t > INFER_NONE && t < INFER_JSONB);
		if (k >= ncolumns)
			continue;
		j = infer_join(columns[k], t);
		FUZZ_CHECK(j == infer_join(t, columns[k]));
		FUZZ_CHECK(j >= t || j == INFER_TEXT);
		FUZZ_CHECK(infer_join(j, t) == j);
		columns[k] = j;
	}
}

/*
 * Read the whole text step bytes at a time, checking every result, and
 * append what it gave to log (when not NULL).
 */
static void
read_all(const char *s, size_t len, const CsvReaderOptions *opt, size_t step, Log *log)
{
	Source		src = {s, len, 0, step};
	CsvReader  *r = csv_reader_create(opt, source_read, &src);
	long		lines = 1;
	long		last_line = 0;
	size_t		field_bytes = 0;
	size_t		calls;
	InferType	columns[16] = {INFER_NONE};
	CsvResult	res = CSV_READ_END;

	FUZZ_CHECK(r != NULL);
	for (size_t i = 0; i < len; i++)
		lines += s[i] == opt->newline;
	for (calls = 0; calls <= 2 * len + 4; calls++)
	{
		CsvRecord	rec;
		const CsvError *e;

		memset(&rec, 0, sizeof(rec));
		res = csv_reader_next(r, &rec);
		log_long(log, res);
		if (res == CSV_READ_END)
			break;
		if (res == CSV_READ_RECORD)
		{
			const char *line;
			size_t		line_len;

			FUZZ_CHECK(rec.line >= 1 && rec.line <= lines && rec.line >= last_line);
			FUZZ_CHECK(rec.nfields >= 1 && rec.nfields <= opt->max_fields);
			FUZZ_CHECK(rec.fields != NULL && rec.lens != NULL);
			last_line = rec.line;
			log_long(log, rec.line);
			log_long(log, rec.nfields);
			for (int k = 0; k < rec.nfields; k++)
			{
				size_t		n = rec.lens[k];

				FUZZ_CHECK(n <= opt->max_field);
				FUZZ_CHECK(n == 0 || rec.fields[k] != NULL);
				field_bytes += n;
				if (opt->verify)
					FUZZ_CHECK(utf8_strict(rec.fields[k], n) == n);
				log_long(log, (long) n);
				log_add(log, rec.fields[k], n);
			}
			/* every byte read is in one field at most */
			FUZZ_CHECK(field_bytes <= csv_reader_bytes(r));
			infer_record(&rec, columns, (int) (sizeof(columns) / sizeof(columns[0])));
			line = csv_reader_line(r, &line_len);
			FUZZ_CHECK(line_len <= 4096 && (line_len == 0 || line != NULL));
			if (line_len > 0)
				FUZZ_CHECK(memchr(line, 0, line_len) == NULL || memchr(s, 0, len) != NULL);
			continue;
		}
		FUZZ_CHECK(res == CSV_READ_BAD || res == CSV_READ_FATAL);
		e = csv_reader_error(r);
		FUZZ_CHECK(e->line >= 1 && e->line <= lines);
		FUZZ_CHECK(e->column >= 0);
		FUZZ_CHECK(memchr(e->message, '\0', sizeof(e->message)) != NULL);
		FUZZ_CHECK(e->message[0] != '\0');
		FUZZ_CHECK(e->raw_len <= 4096 && (e->raw_len == 0 || e->raw != NULL));
		if (e->raw_len > 0)
			FUZZ_CHECK(memchr(e->raw, 0, e->raw_len) == NULL || memchr(s, 0, len) != NULL);
		log_long(log, e->line);
		log_long(log, e->column);
		log_add(log, e->message, strlen(e->message) + 1);
		if (res == CSV_READ_FATAL)
			break;
	}
	FUZZ_CHECK(res == CSV_READ_END || res == CSV_READ_FATAL);
	if (res == CSV_READ_END)
		FUZZ_CHECK(csv_reader_bytes(r) == len);
	FUZZ_CHECK(csv_reader_bytes(r) <= len);
	csv_reader_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CsvReaderOptions opt;
	CsvDialect	d;
	const char *text;
	size_t		len;
	size_t		step;
	static const char delimiters[] = {',', ';', '\t', '|'};

	if (size < 2)
		return 0;
	text = (const char *) data + 2;
	len = size - 2;
	step = data[0] % 64 + 1;
	memset(&opt, 0, sizeof(opt));
	opt.delimiter = delimiters[data[1] & 3];
	opt.quote = (data[1] & 4) ? '\'' : '"';
	opt.newline = (data[1] & 8) ? '\r' : '\n';
	opt.max_field = (data[1] & 16) ? 1 + ((size_t) data[0] * 7 + data[1]) % 300 : 1 << 20;
	opt.max_fields = (data[1] & 32) ? 1 + (data[0] >> 5) : 1600;
	opt.verify = (data[1] & 64) ? utf8_strict : NULL;
	opt.skip = (data[1] & 128) ? 3 : 0;

	/* the dialect, as the server guesses it first */
	csv_sniff(text, len, &d);
	FUZZ_CHECK(d.skip == 0 || d.skip == 3);
	FUZZ_CHECK(d.skip <= len);
	FUZZ_CHECK(d.delimiter == ',' || d.delimiter == ';' || d.delimiter == '\t' || d.delimiter == '|');

	if (len >= COMPARE_BELOW)
	{
		read_all(text, len, &opt, step, NULL);
		return 0;
	}
	{
		Log			chunked = {0};
		Log			bytewise = {0};
		Log			whole = {0};
		Log			libcsv = {0};
		CsvReaderOptions all_libcsv = opt;

		/* the fast path for lines without quotes must agree with libcsv */
		all_libcsv.libcsv_only = true;
		read_all(text, len, &opt, step, &chunked);
		read_all(text, len, &opt, 1, &bytewise);
		read_all(text, len, &opt, 4096, &whole);
		read_all(text, len, &all_libcsv, 4096, &libcsv);
		if (libcsv.len != whole.len || memcmp(libcsv.p, whole.p, whole.len) != 0)
		{
			log_print("libcsv only", &libcsv);
			log_print("with the fast path", &whole);
		}
		FUZZ_CHECK(libcsv.len == whole.len && memcmp(libcsv.p, whole.p, whole.len) == 0);
		free(libcsv.p);
		if (bytewise.len != whole.len || memcmp(bytewise.p, whole.p, whole.len) != 0 ||
			chunked.len != whole.len || memcmp(chunked.p, whole.p, whole.len) != 0)
		{
			log_print("reads of 1 byte", &bytewise);
			log_print("reads of the first byte's size", &chunked);
			log_print("reads of 4096 bytes", &whole);
		}
		FUZZ_CHECK(bytewise.len == whole.len && memcmp(bytewise.p, whole.p, whole.len) == 0);
		FUZZ_CHECK(chunked.len == whole.len && memcmp(chunked.p, whole.p, whole.len) == 0);
		free(chunked.p);
		free(bytewise.p);
		free(whole.p);
	}
	return 0;
}

/*-------------------------------------------------------------------------
 *
 * csv_reader.c
 *	  Records of a CSV text, streamed through libcsv.
 *
 * libcsv is push-based: it calls back for every field and record of the
 * bytes it is given.  This reader turns that into a pull (one record per
 * csv_reader_next) and adds what an importer needs and libcsv lacks:
 *
 *	- Line numbers.  Input is fed to libcsv one line at a time, so the line
 *	  a record starts on is the line being fed when libcsv's state was
 *	  "no record begun".
 *	- Bounded memory.  Input is read in chunks of CSV_READ_CHUNK; a line
 *	  longer than a chunk is fed in pieces, and libcsv's field buffer grows
 *	  through our allocator, which refuses beyond max_field (libcsv then
 *	  reports it out of memory: we report the field too long).  The
 *	  allocator also grows the buffer geometrically: libcsv asks for
 *	  blk_size more bytes at a time, which would copy a long field over and
 *	  over.
 *	- Recovery.  A malformed line or an invalid character fails only its
 *	  record: the parser is reset and reading goes on at the next line, so
 *	  the caller can skip bad rows up to a limit.
 *	- Encoding.  Each piece is checked by the verify callback before libcsv
 *	  sees it, and a character split by a chunk's end is carried over.
 *
 *	- Speed.  A whole line with no quote character, and no CR or LF but
 *	  its end, has the plainest grammar there is: fields between
 *	  delimiters.  Such a line is split here with memchr, and only lines
 *	  with quotes (or a record already begun) go through libcsv's
 *	  byte-at-a-time state machine, which would return the same fields:
 *	  the unit tests and the fuzz harness read every input both ways
 *	  (options.libcsv_only) and compare.
 *
 * Fields are not trimmed (CSV keeps blanks, as COPY does), quotes are
 * strict (a quote inside an unquoted field, or text after a closing quote,
 * is an error) and CR, LF and CR LF all end records.
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "ingest/csv_reader.h"

#define RAW_MAX 4096
/* longest encoded character: a shorter invalid tail may be a split one */
#define MAX_CHAR_BYTES 4

struct CsvReader
{
	CsvReaderOptions opt;
	IngestReadFn read;
	void	   *arg;
	struct csv_parser parser;

	/* input: buf[pos..len) not yet fed */
	char	   *buf;
	size_t		pos;
	size_t		len;
	bool		eof;
	bool		finished;		/* csv_fini done */
	size_t		bytes;			/* read so far */
	long		line;			/* line of buf[pos] */
	size_t		line_off;		/* bytes of that line before buf[pos] */
	long		record_line;	/* line the record being parsed started on */

	/* the fields of parsed records, in order */
	char	   *arena;
	size_t		arena_len;
	size_t		arena_cap;
	size_t	   *starts;			/* per field: offset in arena */
	size_t	   *lens;
	int			nfields;		/* fields stored (complete records and the
								 * record in progress) */
	int			fields_cap;
	int			current_fields; /* fields of the record in progress */
	bool		too_many;		/* the record in progress passed max_fields */
	bool		too_long;		/* a field passed max_field: reading stops */

	/* complete records not yet returned: field ranges and lines */
	int		   *rec_first;
	int		   *rec_count;
	long	   *rec_line;
	bool	   *rec_too_many;
	int			nrecs;
	int			recs_cap;
	int			next_rec;

	/* what csv_reader_next returns through pointers */
	const char **out_fields;
	int			out_cap;

	const char *line_ptr;		/* the last line fed (for raw) */
	size_t		line_len;
	char		raw[RAW_MAX];	/* copy of a bad line for the error */
	CsvError	error;

	/*
	 * An error found in a piece after records that the piece completed:
	 * returned once they are, as reads that ended before the error would
	 * have it.
	 */
	CsvResult	held;			/* CSV_READ_RECORD: none */
	CsvError	held_error;
	char		held_raw[RAW_MAX];
	bool		failed;			/* out of memory in our own bookkeeping */
};

/*
 * libcsv's allocator.  It has no user pointer, so the field limit of the
 * parser being fed is a static: one parse runs at a time in a process.
 * A block carries its capacity in a header so that libcsv's linear
 * requests are served by geometric growth.
 */
static size_t field_limit = SIZE_MAX;
static bool field_refused = false;

typedef struct BlockHeader
{
	size_t		cap;
	size_t		pad;			/* keep the payload 16-byte aligned */
} BlockHeader;

static void *
field_realloc(void *p, size_t size)
{
	BlockHeader *h = p ? (BlockHeader *) p - 1 : NULL;
	size_t		cap;

	if (size > field_limit)
	{
		field_refused = true;
		return NULL;
	}
	if (h && size <= h->cap)
		return p;
	cap = h ? h->cap * 2 : 1024;
	if (cap < size)
		cap = size;
	if (cap > field_limit)
		cap = field_limit;
	h = realloc(h, sizeof(BlockHeader) + cap);
	if (h == NULL)
		return NULL;
	h->cap = cap;
	return h + 1;
}

static void
field_free(void *p)
{
	if (p)
		free((BlockHeader *) p - 1);
}

static int
no_space(unsigned char c)
{
	return 0;
}

static bool
parser_init(CsvReader *r)
{
	if (csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return false;
	csv_set_delim(&r->parser, (unsigned char) r->opt.delimiter);
	csv_set_quote(&r->parser, (unsigned char) r->opt.quote);
	csv_set_space_func(&r->parser, no_space);
	csv_set_realloc_func(&r->parser, field_realloc);
	csv_set_free_func(&r->parser, field_free);
	return true;
}

/* Grows an array of n elements of size sz to hold at least need. */
static bool
grow(void **p, int *cap, int need, size_t sz)
{
	int			n = *cap ? *cap : 64;
	void	   *q;

	if (need <= *cap)
		return true;
	while (n < need)
		n *= 2;
	q = realloc(*p, (size_t) n * sz);
	if (q == NULL)
		return false;
	*p = q;
	*cap = n;
	return true;
}

static void
on_field(void *data, size_t len, void *arg)
{
	CsvReader  *r = arg;

	/*
	 * The allocator lets libcsv hold one byte more than max_field (see
	 * feed), so a field can still be one byte too long here.
	 */
	if (r->too_long || len > r->opt.max_field)
	{
		r->too_long = true;
		return;
	}
	r->current_fields++;
	if (r->current_fields > r->opt.max_fields)
	{
		r->too_many = true;
		return;
	}
	if (r->nfields + 1 > r->fields_cap)
	{
		int			cap = r->fields_cap;
		size_t	   *lens;

		if (!grow((void **) &r->starts, &cap, r->nfields + 1, sizeof(size_t)) ||
			!(lens = realloc(r->lens, (size_t) cap * sizeof(size_t))))
		{
			r->failed = true;
			return;
		}
		r->lens = lens;
		r->fields_cap = cap;
	}
	/* (allocated for an empty field too: its pointer points into it) */
	if (r->arena == NULL || r->arena_len + len > r->arena_cap)
	{
		size_t		cap = r->arena_cap ? r->arena_cap : 65536;
		char	   *a;

		while (cap < r->arena_len + len)
			cap *= 2;
		a = realloc(r->arena, cap);
		if (a == NULL)
		{
			r->failed = true;
			return;
		}
		r->arena = a;
		r->arena_cap = cap;
	}
	if (len > 0)
		memcpy(r->arena + r->arena_len, data, len);
	r->starts[r->nfields] = r->arena_len;
	r->lens[r->nfields] = len;
	r->arena_len += len;
	r->nfields++;
}

static void
on_record(int c, void *arg)
{
	CsvReader  *r = arg;
	int			stored = r->current_fields > r->opt.max_fields ? r->opt.max_fields : r->current_fields;
	int			cap = r->recs_cap;

	if (r->too_long)
		return;
	if (r->nrecs + 1 > r->recs_cap)
	{
		void	   *count,
				   *line,
				   *too_many;

		if (!grow((void **) &r->rec_first, &cap, r->nrecs + 1, sizeof(int)) ||
			!(count = realloc(r->rec_count, (size_t) cap * sizeof(int))) ||
			!(r->rec_count = count, line = realloc(r->rec_line, (size_t) cap * sizeof(long))) ||
			!(r->rec_line = line, too_many = realloc(r->rec_too_many, (size_t) cap * sizeof(bool))))
		{
			r->failed = true;
			return;
		}
		r->rec_too_many = too_many;
		r->recs_cap = cap;
	}
	r->rec_first[r->nrecs] = r->nfields - stored;
	r->rec_count[r->nrecs] = r->too_many ? r->current_fields : stored;
	r->rec_line[r->nrecs] = r->record_line;
	r->rec_too_many[r->nrecs] = r->too_many;
	r->nrecs++;
	r->current_fields = 0;
	r->too_many = false;
	/* a record after a CR (or an LF) that is not the newline: this line */
	r->record_line = r->line;
}

CsvReader *
csv_reader_create(const CsvReaderOptions *opt, IngestReadFn read, void *arg)
{
	CsvReader  *r = calloc(1, sizeof(CsvReader));

	if (r == NULL)
		return NULL;
	r->opt = *opt;
	if (r->opt.max_fields <= 0)
		r->opt.max_fields = 1;
	r->read = read;
	r->arg = arg;
	r->line = 1;
	r->record_line = 1;
	r->buf = malloc(CSV_READ_CHUNK);
	if (r->buf == NULL || !parser_init(r))
	{
		free(r->buf);
		free(r);
		return NULL;
	}
	return r;
}

/* Fills the buffer after moving what is left to its start. */
static void
refill(CsvReader *r)
{
	size_t		n;

	r->line_ptr = NULL;			/* moved */
	r->line_len = 0;
	if (r->pos > 0)
	{
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	while (!r->eof && r->len < CSV_READ_CHUNK)
	{
		n = r->read(r->arg, r->buf + r->len, CSV_READ_CHUNK - r->len);
		if (n == 0)
			r->eof = true;
		r->len += n;
		r->bytes += n;
		/* the byte order mark, once */
		while (r->opt.skip > 0 && r->len - r->pos > 0)
		{
			r->pos++;
			r->opt.skip--;
		}

		/*
		 * Stop at the first bytes to feed: an empty buffer is the end of the
		 * input to feed(), and a short read may hold only part of the mark.
		 */
		if (r->len - r->pos > 0)
			break;
	}
}

static void
set_error(CsvReader *r, long line, int column, const char *msg, const char *raw, size_t raw_len)
{
	r->error.line = line;
	r->error.column = column;
	snprintf(r->error.message, sizeof(r->error.message), "%s", msg);
	if (raw_len > RAW_MAX)
		raw_len = RAW_MAX;
	if (raw == NULL)
		raw_len = 0;
	else if (raw != r->raw && raw_len > 0)
		memcpy(r->raw, raw, raw_len);
	r->error.raw = r->raw;
	r->error.raw_len = raw_len;
}

/*
 * Forgets the record in progress and restarts the parser at the next line
 * (after an error in the line just fed).
 */
static bool
reset_record(CsvReader *r)
{
	r->nfields -= r->current_fields > r->opt.max_fields ? r->opt.max_fields : r->current_fields;
	r->current_fields = 0;
	r->too_many = false;
	csv_free(&r->parser);
	return parser_init(r);
}

/*
 * Skips the rest of the line whose start was just fed, up to and past its
 * newline, so that reading goes on at the next line after an error however
 * the line was split by reads.  (An input with no newline at all, such as
 * a device, is read to its end: the server's read callback checks for
 * interrupts, so statement_timeout and cancel stop it.)
 */
static void
skip_line(CsvReader *r)
{
	char	   *nl;

	while (true)
	{
		refill(r);
		if (r->len == r->pos)
			break;
		nl = memchr(r->buf + r->pos, r->opt.newline, r->len - r->pos);
		if (nl)
		{
			r->pos = (size_t) (nl - r->buf) + 1;
			r->line++;
			r->line_off = 0;
			break;
		}
		r->pos = r->len;
	}
}

/*
 * Whether line s[0..n) (ending in the newline byte) can skip libcsv: no
 * quote, and no other record end than the line's own (a CR before an LF
 * included).
 */
static bool
plain_line(const CsvReader *r, const char *s, size_t n)
{
	char		other = r->opt.newline == '\n' ? '\r' : '\n';
	const char *o;

	if (r->opt.libcsv_only || memchr(s, r->opt.quote, n) != NULL)
		return false;
	o = memchr(s, other, n - 1);
	return o == NULL || (other == '\r' && o == s + n - 2);
}

/* Splits a plain line into fields and a record, as libcsv would. */
static void
split_plain(CsvReader *r, const char *s, size_t n)
{
	const char *end = s + n - 1;
	const char *p = s;

	if (end > s && end[-1] == '\r')
		end--;
	if (end == s)
		return;					/* an empty line is no record */
	for (;;)
	{
		const char *q = memchr(p, r->opt.delimiter, end - p);

		on_field((void *) p, (q ? q : end) - p, r);
		if (q == NULL)
			break;
		p = q + 1;
	}
	on_record(r->opt.newline, r);
}

/*
 * Feeds the next piece of input (a line, or as much of a long line as the
 * buffer holds) to libcsv.  Returns CSV_READ_RECORD when records may have
 * been queued, or an error/end result.
 */
static CsvResult
feed(CsvReader *r)
{
	char	   *start;
	char	   *nl;
	size_t		n;
	size_t		fed;			/* bytes of the piece given to libcsv */
	size_t		bad = SIZE_MAX; /* where in it an invalid character is */
	size_t		parsed;
	bool		whole;
	long		line = r->line;
	size_t		line_off = r->line_off;

	if (r->len - r->pos == 0 || memchr(r->buf + r->pos, r->opt.newline, r->len - r->pos) == NULL)
		refill(r);
	if (r->len == r->pos)
	{
		int			rc;

		if (r->finished)
			return CSV_READ_END;
		r->finished = true;
		field_limit = r->opt.max_field + 2;
		rc = csv_fini(&r->parser, on_field, on_record, r);
		if (r->too_long)
		{
			char		msg[160];

			snprintf(msg, sizeof(msg), "field is longer than %zu bytes", r->opt.max_field);
			set_error(r, r->line, r->current_fields + 1, msg, r->line_ptr, r->line_len);
			return CSV_READ_FATAL;
		}
		if (rc != 0 && csv_error(&r->parser) == CSV_EPARSE)
		{
			set_error(r, r->record_line, r->current_fields + 1,
					  "unterminated quoted field at the end of the input", r->line_ptr, r->line_len);
			reset_record(r);
			return CSV_READ_BAD;
		}
		return r->failed ? CSV_READ_FATAL : CSV_READ_RECORD;
	}

	start = r->buf + r->pos;
	nl = memchr(start, r->opt.newline, r->len - r->pos);
	whole = nl != NULL;
	n = whole ? (size_t) (nl - start) + 1 : r->len - r->pos;

	fed = n;
	if (r->opt.verify)
	{
		size_t		valid = r->opt.verify(start, n);

		if (valid < n && !whole && !r->eof && n - valid < MAX_CHAR_BYTES)
			n = fed = valid;	/* a character split by the chunk's end */
		else if (valid < n)
		{
			/*
			 * Parse up to the invalid character first, as reads ending right
			 * before it would: records that end before it on the line are
			 * good, and an error before it comes first.
			 */
			fed = valid;
			bad = valid;
		}
	}

	if (r->parser.pstate == 0)	/* no record begun */
		r->record_line = line;
	r->line_ptr = start;
	r->line_len = n;
	/*
	 * libcsv grows its buffer before it looks at a field's end, and keeps
	 * a quoted field's closing quote in it until then: a quoted field of
	 * max_field bytes needs two more.  on_field refuses the one field of
	 * max_field + 1 bytes this lets through.
	 */
	field_limit = r->opt.max_field + 2;
	field_refused = false;
	if (r->parser.pstate == 0 && whole && fed == n && plain_line(r, start, n))
	{
		split_plain(r, start, n);
		parsed = n;
	}
	else
		parsed = csv_parse(&r->parser, start, fed, on_field, on_record, r);
	field_limit = SIZE_MAX;
	r->pos += n;
	if (whole)
		r->line++;
	r->line_off = whole ? 0 : line_off + n;
	if (r->failed)
		return CSV_READ_FATAL;
	if (r->too_long)
	{
		char		msg[160];

		/* (before a parse error later in the piece, as reads would be) */
		snprintf(msg, sizeof(msg), "field is longer than %zu bytes", r->opt.max_field);
		set_error(r, line, r->current_fields + 1, msg, start, n);
		return CSV_READ_FATAL;
	}
	if (parsed < fed)
	{
		char		msg[160];
		int			err = csv_error(&r->parser);

		if (err == CSV_EPARSE)
		{
			snprintf(msg, sizeof(msg), "malformed quoting: a quote inside an unquoted field, or text after a closing quote");
			set_error(r, line, r->current_fields + 1, msg, start, n);
			if (!reset_record(r))
				return CSV_READ_FATAL;
			/* go on at the next line */
			if (!whole)
				skip_line(r);
			r->record_line = r->line;
			return CSV_READ_BAD;
		}
		if (field_refused)
			snprintf(msg, sizeof(msg), "field is longer than %zu bytes", r->opt.max_field);
		else
			snprintf(msg, sizeof(msg), "out of memory while reading a field");
		set_error(r, line, r->current_fields + 1, msg, start, n);
		return CSV_READ_FATAL;
	}
	if (bad < n)
	{
		char		msg[160];

		snprintf(msg, sizeof(msg), "invalid byte sequence for the encoding: 0x%02x at byte %zu of the line",
				 (unsigned char) start[bad], line_off + bad + 1);
		set_error(r, line, r->current_fields + 1, msg, start, n);
		if (!whole)
			skip_line(r);		/* the rest of the line is bad too */
		r->record_line = r->line;
		if (!reset_record(r))
			return CSV_READ_FATAL;
		return CSV_READ_BAD;
	}
	return CSV_READ_RECORD;
}

/* Moves the fields of the record in progress to the start of the arena. */
static void
compact(CsvReader *r)
{
	int			keep = r->current_fields > r->opt.max_fields ? r->opt.max_fields : r->current_fields;
	int			first = r->nfields - keep;
	size_t		base = keep > 0 ? r->starts[first] : r->arena_len;

	if (base > 0)
		memmove(r->arena, r->arena + base, r->arena_len - base);
	r->arena_len -= base;
	for (int i = 0; i < keep; i++)
	{
		r->starts[i] = r->starts[first + i] - base;
		r->lens[i] = r->lens[first + i];
	}
	r->nfields = keep;
	r->nrecs = 0;
	r->next_rec = 0;
}

CsvResult
csv_reader_next(CsvReader *r, CsvRecord *rec)
{
	while (r->next_rec >= r->nrecs)
	{
		CsvResult	res;

		if (r->held != CSV_READ_RECORD)
		{
			res = r->held;
			r->held = CSV_READ_RECORD;
			r->error = r->held_error;
			memcpy(r->raw, r->held_raw, r->error.raw_len);
			r->error.raw = r->raw;
			return res;
		}
		compact(r);
		res = feed(r);
		if (res == CSV_READ_RECORD)
			continue;
		if (r->next_rec >= r->nrecs)
			return res;
		/* the records that the piece completed before its error come first */
		r->held = res;
		r->held_error = r->error;
		memcpy(r->held_raw, r->raw, r->error.raw_len);
	}

	{
		int			i = r->next_rec++;
		int			first = r->rec_first[i];
		int			count = r->rec_count[i];

		if (r->rec_too_many[i])
		{
			char		msg[160];

			snprintf(msg, sizeof(msg), "the record has %d fields, more than the limit of %d", count, r->opt.max_fields);
			set_error(r, r->rec_line[i], r->opt.max_fields + 1, msg, r->line_ptr, r->line_len);
			return CSV_READ_BAD;
		}
		if (!grow((void **) &r->out_fields, &r->out_cap, count > 0 ? count : 1, sizeof(char *)))
			return CSV_READ_FATAL;
		for (int k = 0; k < count; k++)
			r->out_fields[k] = r->arena + r->starts[first + k];
		rec->nfields = count;
		rec->fields = r->out_fields;
		rec->lens = r->lens + first;
		rec->line = r->rec_line[i];
		return CSV_READ_RECORD;
	}
}

const CsvError *
csv_reader_error(const CsvReader *r)
{
	return &r->error;
}

size_t
csv_reader_bytes(const CsvReader *r)
{
	/* read and handed to libcsv: a job's progress, not the read-ahead */
	return r->bytes - (r->len - r->pos);
}

const char *
csv_reader_line(const CsvReader *r, size_t *len)
{
	*len = r->line_len > RAW_MAX ? RAW_MAX : r->line_len;
	return r->line_ptr;
}

void
csv_reader_free(CsvReader *r)
{
	if (r == NULL)
		return;
	csv_free(&r->parser);
	free(r->buf);
	free(r->arena);
	free(r->starts);
	free(r->lens);
	free(r->rec_first);
	free(r->rec_count);
	free(r->rec_line);
	free(r->rec_too_many);
	free(r->out_fields);
	free(r);
}

/*-------------------------------------------------------------------------
 *
 * csv_reader.h
 *	  Records of a CSV text, streamed through libcsv, with the line each
 *	  starts on and a recoverable error for each bad record.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CSV_READER_H
#define CSV_READER_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Where the bytes come from: fills buf with up to cap bytes and returns how
 * many, 0 at the end.  (The server's implementation reads a file or walks
 * a text argument.)
 */
typedef size_t (*IngestReadFn) (void *arg, char *buf, size_t cap);

/*
 * Checks bytes of the input's encoding: returns how many bytes at the start
 * of s[0..len-1] are whole, valid characters (len when all are).  NULL: no
 * check (the text argument of a SQL function is already valid).
 */
typedef size_t (*IngestVerifyFn) (const char *s, size_t len);

typedef struct CsvReaderOptions
{
	char		delimiter;
	char		quote;
	char		newline;		/* the byte that ends lines: '\n' or '\r' */
	size_t		skip;			/* bytes to skip first (a byte order mark) */
	size_t		max_field;		/* longest field accepted, in bytes */
	int			max_fields;		/* most fields a record may have */
	IngestVerifyFn verify;
	bool		libcsv_only;	/* no fast path for lines without quotes
								 * (tests compare the two) */
} CsvReaderOptions;

typedef struct CsvRecord
{
	int			nfields;
	const char **fields;		/* not NUL-terminated; valid until the next
								 * call */
	const size_t *lens;
	long		line;			/* line the record starts on, from 1 */
} CsvRecord;

typedef enum CsvResult
{
	CSV_READ_RECORD,			/* *rec holds the next record */
	CSV_READ_END,				/* no more records */
	CSV_READ_BAD,				/* a bad record, skipped: see csv_reader_error;
								 * reading can go on */
	CSV_READ_FATAL				/* reading cannot go on: see csv_reader_error */
} CsvResult;

typedef struct CsvError
{
	long		line;
	int			column;			/* 1-based field, 0 when none applies */
	char		message[160];
	const char *raw;			/* the bad line's bytes (at most 4 kB), as
								 * read: may be invalid in the encoding */
	size_t		raw_len;
} CsvError;

typedef struct CsvReader CsvReader;

/*
 * The reader allocates with malloc (libcsv does) and is freed by
 * csv_reader_free; in the server the caller must make sure of that on
 * error too.
 */
extern CsvReader *csv_reader_create(const CsvReaderOptions *opt, IngestReadFn read, void *arg);
extern CsvResult csv_reader_next(CsvReader *r, CsvRecord *rec);
extern const CsvError *csv_reader_error(const CsvReader *r);
extern size_t csv_reader_bytes(const CsvReader *r);	/* bytes parsed so far */

/*
 * The line (at most 4 kB of it) that ended the last record returned, as
 * read, for the rejected-rows table.
 */
extern const char *csv_reader_line(const CsvReader *r, size_t *len);
extern void csv_reader_free(CsvReader *r);

/* Bytes of the read buffer (one read() of a file). */
#define CSV_READ_CHUNK (1024 * 1024)

#endif							/* CSV_READER_H */

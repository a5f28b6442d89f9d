/*-------------------------------------------------------------------------
 *
 * import_csv.c
 *	  automl.import_csv and automl.import_csv_file: the CSV format of an
 *	  import.
 *
 * The dialect (byte order mark, delimiter, header, line ends) is sniffed
 * from the first 256 kB and options override each part.  A header names
 * the columns; without one they are column_1, column_2, ... when the
 * table is created, and the table's columns in order when appending (as
 * COPY without a column list).  Every record must have as many fields as
 * there are columns.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "common/json_out.h"
#include "ingest/csv_reader.h"
#include "ingest/import.h"
#include "ingest/infer.h"
#include "ingest/sniff.h"

#define SNIFF_BYTES (256 * 1024)

PG_FUNCTION_INFO_V1(automl_import_csv);
PG_FUNCTION_INFO_V1(automl_import_csv_file);

typedef struct CsvImport
{
	CsvReaderOptions ropt;
	bool		header;
} CsvImport;

/* The dialect: sniffed, then the options' */
static void
csv_dialect(ImportState *st, CsvImport *ci)
{
	char	   *sample;
	size_t		n;
	CsvDialect	d;
	StringInfoData j;
	JsonWriter	w;
	char		delim[2] = {0, 0},
				quote[2] = {0, 0};

	import_rewind(st);
	if (st->file)
	{
		sample = palloc(SNIFF_BYTES);
		n = import_read(st, sample, SNIFF_BYTES);
	}
	else
	{
		sample = (char *) st->text;
		n = Min(st->text_len, SNIFF_BYTES);
	}
	csv_sniff(sample, n, &d);

	ci->ropt.delimiter = st->opt.delimiter ? st->opt.delimiter : d.delimiter;
	ci->ropt.quote = st->opt.quote ? st->opt.quote : '"';
	if (ci->ropt.delimiter == ci->ropt.quote)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the delimiter and the quote of the CSV must differ")));
	if (st->opt.newline)
		ci->ropt.newline = st->opt.newline;
	else
		ci->ropt.newline = memchr(sample, '\n', n) == NULL && memchr(sample, '\r', n) != NULL ? '\r' : '\n';
	ci->ropt.skip = st->opt.bom == 0 ? 0 : d.skip;
	ci->ropt.max_field = st->opt.max_field;
	ci->ropt.max_fields = IMPORT_MAX_COLUMNS;
	ci->ropt.verify = st->file ? import_verify : NULL;
	ci->header = st->opt.header >= 0 ? st->opt.header == 1 : d.header;

	initStringInfo(&j);
	jw_init(&w, &j);
	jw_begin_object(&w);
	delim[0] = ci->ropt.delimiter;
	quote[0] = ci->ropt.quote;
	jw_key(&w, "delimiter");
	jw_string(&w, delim);
	jw_key(&w, "quote");
	jw_string(&w, quote);
	jw_key(&w, "header");
	jw_bool(&w, ci->header);
	jw_key(&w, "bom");
	jw_bool(&w, ci->ropt.skip > 0);
	jw_key(&w, "newline");
	jw_string(&w, ci->ropt.newline == '\r' ? "cr" : d.crlf ? "crlf" : "lf");
	jw_end_object(&w);
	st->dialect_json = j.data;
	if (st->file)
		pfree(sample);
}

/*
 * st->reader: the dialect and the reader, which libcsv allocates with
 * malloc: a reset callback of the import's context frees it, on error too.
 */
typedef struct CsvReaderBox
{
	CsvImport  *ci;
	CsvReader  *reader;
} CsvReaderBox;

static CsvReader *
reader_of(ImportState *st)
{
	return ((CsvReaderBox *) st->reader)->reader;
}

static void
box_cleanup(void *arg)
{
	CsvReaderBox *box = arg;

	if (box->reader)
		csv_reader_free(box->reader);
	box->reader = NULL;
}

static void
raise_header_error(ImportState *st, const CsvError *e)
{
	if (strstr(e->message, "more than the limit"))
		ereport(ERROR,
				(errcode(ERRCODE_TOO_MANY_COLUMNS),
				 errmsg("the CSV header has more than %d columns", IMPORT_MAX_COLUMNS),
				 errdetail("A PostgreSQL table has at most %d columns.", IMPORT_MAX_COLUMNS)));
	import_bad(st, e->line, e->column, e->message, e->raw, e->raw_len);
	import_handle_bad(st, IMPORT_FATAL);
}

/* Reads the header: names the columns, or binds them to the table's. */
static void
read_header(ImportState *st)
{
	CsvRecord	rec;
	CsvResult	r = csv_reader_next(reader_of(st), &rec);

	if (r == CSV_READ_END)
		ereport(ERROR,
				(errcode(ERRCODE_BAD_COPY_FILE_FORMAT),
				 errmsg("the input is empty")));
	if (r != CSV_READ_RECORD)
	{
		raise_header_error(st, csv_reader_error(reader_of(st)));
		return;
	}
	if (st->header_seen)
		return;
	for (int i = 0; i < rec.nfields; i++)
	{
		int			col = import_add_column(st, rec.fields[i], rec.lens[i]);

		if (st->append && !import_bind_column(st, col, true))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of the CSV header is not a column of %s",
							st->cols[col].source_name, st->qualified_name),
					 errhint("Rename the column in the file or the table, or import with {\"header\": false}.")));
	}
	st->header_seen = true;
}

/* Appending without a header: every column of the table, in order. */
static void
bind_all_columns(ImportState *st)
{
	for (int i = 0; i < st->tupdesc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(st->tupdesc, i);

		if (a->attisdropped || a->attgenerated)
			continue;
		import_bind_column(st, import_add_column(st, NameStr(a->attname), strlen(NameStr(a->attname))), false);
	}
	st->header_seen = true;
}

static void
csv_start(ImportState *st)
{
	CsvReaderBox *box = st->reader;

	if (box == NULL)
	{
		MemoryContextCallback *cb;

		box = MemoryContextAllocZero(st->cxt, sizeof(CsvReaderBox));
		box->ci = MemoryContextAllocZero(st->cxt, sizeof(CsvImport));
		cb = MemoryContextAllocZero(st->cxt, sizeof(MemoryContextCallback));
		cb->func = box_cleanup;
		cb->arg = box;
		MemoryContextRegisterResetCallback(st->cxt, cb);
		st->reader = box;
		csv_dialect(st, box->ci);
		if (st->opt.nulls_set)
		{
			ListCell   *lc;
			int			i = 0;

			st->null_markers = MemoryContextAlloc(st->cxt, Max(1, list_length(st->opt.nulls)) * sizeof(char *));
			foreach(lc, st->opt.nulls)
				st->null_markers[i++] = lfirst(lc);
			st->nnull_markers = i;
		}
	}
	box_cleanup(box);
	import_rewind(st);
	box->reader = csv_reader_create(&box->ci->ropt, import_read, st);
	if (box->reader == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	if (box->ci->header)
		read_header(st);
	else if (st->append && !st->header_seen)
		bind_all_columns(st);
}

static ImportRowResult
csv_next(ImportState *st)
{
	CsvReader  *reader = reader_of(st);
	CsvRecord	rec;
	CsvResult	r = csv_reader_next(reader, &rec);
	const CsvError *e;

	if (r == CSV_READ_END)
		return IMPORT_END;
	if (r != CSV_READ_RECORD)
	{
		e = csv_reader_error(reader);
		import_bad(st, e->line, e->column, e->message, e->raw, e->raw_len);
		return r == CSV_READ_BAD ? IMPORT_BAD : IMPORT_FATAL;
	}
	/* no header: the first record says how many columns */
	if (st->ncols == 0 && !st->append)
		for (int i = 0; i < rec.nfields; i++)
			import_add_column(st, "", 0);
	st->line = rec.line;
	if (rec.nfields != st->ncols)
	{
		size_t		len;
		const char *raw = csv_reader_line(reader, &len);

		import_bad(st, rec.line, Min(rec.nfields, st->ncols) + 1,
				   psprintf("%d fields where %d were expected", rec.nfields, st->ncols), raw, len);
		return IMPORT_BAD;
	}
	for (int i = 0; i < rec.nfields; i++)
	{
		ImportValue *v = &st->values[i];

		v->s = rec.fields[i];
		v->len = rec.lens[i];
		v->kind = infer_is_null(v->s, v->len, st->null_markers, st->nnull_markers) ? IV_NULL : IV_RAW;
	}
	return IMPORT_ROW;
}

static void
csv_finish(ImportState *st)
{
	if (st->reader)
		box_cleanup(st->reader);
}

static size_t
csv_bytes(ImportState *st)
{
	CsvReaderBox *box = st->reader;

	return box && box->reader ? csv_reader_bytes(box->reader) : 0;
}

const ImportFormat import_csv_format = {"csv", csv_start, csv_next, csv_finish, csv_bytes};

/* automl.import_csv(table_name text, content text, options jsonb) */
Datum
automl_import_csv(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(import_call(fcinfo, &import_csv_format, false));
}

/* automl.import_csv_file(table_name text, path text, options jsonb) */
Datum
automl_import_csv_file(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(import_call(fcinfo, &import_csv_format, true));
}

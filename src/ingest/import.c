/*-------------------------------------------------------------------------
 *
 * import.c
 *	  The driver of an import: the input (a text argument or a server
 *	  file), the inference pass, the table, the load pass, the bad rows and
 *	  the result.
 *
 * Memory: the input is read in chunks (CSV_READ_CHUNK) and rows are
 * produced a batch at a time in a context reset per batch; a text
 * argument is read in place.  Nothing holds the whole input.
 *
 * Atomicity comes from the transaction: the table is created, filled and
 * recorded in the caller's transaction, and any error (a bad row beyond
 * options.max_errors included) undoes all of it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/stat.h>

#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/varlena.h"

#include "common/json_out.h"
#include "ingest/import.h"
#include "ml/train.h"
#include "monitor/stats.h"

/* ---- the input ---- */

/*
 * The SQL functions (table_name text, content or path text, options jsonb)
 * of format, with the content as an argument or in a server file.
 */
Datum
import_call(FunctionCallInfo fcinfo, const ImportFormat *format, bool from_file)
{
	ImportState *st = palloc0(sizeof(ImportState));

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("table_name and %s must not be null", from_file ? "path" : "content")));
	if (from_file)
		import_open_file(st, PG_GETARG_TEXT_PP(1));
	else
		import_open_text(st, PG_GETARG_TEXT_PP(1));
	return import_run(st, PG_GETARG_TEXT_PP(0), PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2), format);
}

void
import_open_text(ImportState *st, text *content)
{
	st->text = VARDATA_ANY(content);
	st->text_len = VARSIZE_ANY_EXHDR(content);
	st->file_size = (int64) st->text_len;
}

/* A server file, as COPY FROM a file: pg_read_server_files needed. */
void
import_open_file(ImportState *st, text *path)
{
	struct stat s;

	if (!has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to import from a file"),
				 errdetail("Only roles with privileges of the \"pg_read_server_files\" role may import from a server file, as for COPY FROM a file."),
				 errhint("Pass the file's content to the function that takes text instead.")));
	st->path = text_to_cstring(path);
	st->file = AllocateFile(st->path, PG_BINARY_R);
	if (st->file == NULL)
	{
		int			err = errno;

		/* (errcode_for_file_access leaves these internal errors) */
		if (err == ENAMETOOLONG || err == ELOOP)
			ereport(ERROR,
					(errcode(err == ENAMETOOLONG ? ERRCODE_NAME_TOO_LONG : ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("could not open file \"%.200s%s\" for reading: %m",
							st->path, strlen(st->path) > 200 ? "..." : "")));
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open file \"%s\" for reading: %m", st->path)));
	}
	if (fstat(fileno(st->file), &s) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not stat file \"%s\": %m", st->path)));
	if (S_ISDIR(s.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is a directory", st->path)));
	st->file_size = (int64) s.st_size;
}

void
import_rewind(ImportState *st)
{
	st->text_pos = 0;
	if (st->file && fseek(st->file, 0, SEEK_SET) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not seek in file \"%s\": %m", st->path)));
}

/* The readers' IngestReadFn */
size_t
import_read(void *arg, char *buf, size_t cap)
{
	ImportState *st = arg;
	size_t		n;

	/* a read of a slow or endless file (a FIFO, a device) must be cancellable */
	CHECK_FOR_INTERRUPTS();
	if (st->file)
	{
		n = fread(buf, 1, cap, st->file);
		if (n == 0 && ferror(st->file))
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not read file \"%s\": %m", st->path)));
		return n;
	}
	n = Min(cap, st->text_len - st->text_pos);
	memcpy(buf, st->text + st->text_pos, n);
	st->text_pos += n;
	return n;
}

/* The readers' IngestVerifyFn, for files (a text argument is valid) */
size_t
import_verify(const char *s, size_t len)
{
	size_t		done = 0;

	/* pg_encoding_verifymbstr takes an int length */
	while (done < len)
	{
		int			n = (int) Min(len - done, (size_t) 1 << 30);
		int			ok = pg_encoding_verifymbstr(GetDatabaseEncoding(), s + done, n);

		done += ok;
		if (ok < n)
			break;
	}
	return done;
}

/* Job progress: the share of the input read, over the passes to come. */
void
import_progress(ImportState *st)
{
	double		read = st->format->bytes ? (double) st->format->bytes(st) : 0;
	double		share = st->file_size > 0 ? Min(1.0, read / (double) st->file_size) : 1.0;

	if (st->append)
		train_report_progress(100.0 * share);
	else
		train_report_progress(st->pass == 1 ? 50.0 * share : 50.0 + 50.0 * share);
}

/* ---- columns and rows ---- */

int
import_add_column(ImportState *st, const char *source_name, size_t len)
{
	MemoryContext old = MemoryContextSwitchTo(st->cxt);
	ImportColumn *c;

	if (st->ncols >= IMPORT_MAX_COLUMNS)
		ereport(ERROR,
				(errcode(ERRCODE_TOO_MANY_COLUMNS),
				 errmsg("the input has more than %d columns", IMPORT_MAX_COLUMNS),
				 errdetail("A PostgreSQL table has at most %d columns.", IMPORT_MAX_COLUMNS)));
	if (st->ncols == st->cols_cap)
	{
		st->cols_cap = st->cols_cap ? st->cols_cap * 2 : 16;
		st->cols = st->cols ? repalloc(st->cols, st->cols_cap * sizeof(ImportColumn))
			: palloc(st->cols_cap * sizeof(ImportColumn));
		st->values = st->values ? repalloc(st->values, st->cols_cap * sizeof(ImportValue))
			: palloc(st->cols_cap * sizeof(ImportValue));
	}
	c = &st->cols[st->ncols];
	memset(c, 0, sizeof(*c));
	c->source_name = pnstrdup(source_name, len);
	c->name = import_column_name(source_name, len, st->opt.normalize_names, st->ncols + 1);
	c->max_chars = -1;
	st->values[st->ncols].kind = IV_NULL;
	MemoryContextSwitchTo(old);
	return st->ncols++;
}

/* Bytes as valid text of the database's encoding: others become '?'. */
static char *
sanitize(const char *s, size_t len)
{
	char	   *out = palloc(len + 1);
	size_t		i = 0;

	while (i < len)
	{
		size_t		ok = import_verify(s + i, len - i);

		memcpy(out + i, s + i, ok);
		i += ok;
		if (i < len)
			out[i++] = '?';
	}
	out[len] = '\0';
	return out;
}

/* The reader found a bad row: keep where and why, in the import's context. */
void
import_bad(ImportState *st, long line, int column, const char *message, const char *raw, size_t raw_len)
{
	MemoryContext old = MemoryContextSwitchTo(st->cxt);

	st->bad_line = line;
	st->bad_column = column;
	st->bad_message = pstrdup(message);
	while (raw && raw_len > 0 && (raw[raw_len - 1] == '\n' || raw[raw_len - 1] == '\r'))
		raw_len--;
	st->bad_raw = raw ? sanitize(raw, raw_len) : pstrdup("");
	MemoryContextSwitchTo(old);
}

/* The next row, its values checked against the table when they must be. */
ImportRowResult
import_next_row(ImportState *st)
{
	ImportRowResult r = st->format->next(st);
	char		why[200];

	if (r != IMPORT_ROW)
		return r;
	st->rows_read++;
	if (!st->check_values)
		return r;
	for (int i = 0; i < st->ncols; i++)
	{
		if (import_value_fits(st, i, &st->values[i], why, sizeof(why)))
			continue;
		if (!st->append)
		{
			/* a sampled type too narrow: keep reading to widen it */
			st->stale = true;
			continue;
		}
		/* (a JSON object's keys have no column number) */
		import_bad(st, st->line, st->format == &import_json_format ? 0 : i + 1, why, NULL, 0);
		return IMPORT_BAD;
	}
	return r;
}

static char *
bad_text(ImportState *st)
{
	if (st->bad_column > 0)
		return psprintf("line %ld, column %d: %s", st->bad_line, st->bad_column, st->bad_message);
	return psprintf("line %ld: %s", st->bad_line, st->bad_message);
}

/*
 * A bad row: kept in automl.import_errors while options.max_errors allows,
 * else the import fails (at once in the inference pass; once COPY is done
 * in the load pass).
 */
void
import_handle_bad(ImportState *st, ImportRowResult r)
{
	MemoryContext old;
	ImportReject *rej;
	int64		nbad = st->pass == 1 ? st->bad_rows : list_length(st->rejects);

	if (r == IMPORT_BAD && nbad < st->opt.max_errors)
	{
		if (st->pass == 1)
		{
			st->bad_rows++;		/* recorded by the load pass */
			return;
		}
		old = MemoryContextSwitchTo(st->cxt);
		rej = palloc(sizeof(ImportReject));
		rej->line = st->bad_line;
		rej->error = bad_text(st);
		rej->raw = st->bad_raw;
		st->rejects = lappend(st->rejects, rej);
		MemoryContextSwitchTo(old);
		return;
	}
	{
		char	   *msg = bad_text(st);
		int			code = strstr(st->bad_message, "byte sequence") ? ERRCODE_CHARACTER_NOT_IN_REPERTOIRE
			: strstr(st->bad_message, "more than the limit") ? ERRCODE_TOO_MANY_COLUMNS
			: strstr(st->bad_message, "longer than") ? ERRCODE_PROGRAM_LIMIT_EXCEEDED
			: strstr(st->bad_message, "not a valid") || strstr(st->bad_message, "null value") ||
			strstr(st->bad_message, "too long") || strstr(st->bad_message, "out of range")
			? ERRCODE_INVALID_TEXT_REPRESENTATION : ERRCODE_BAD_COPY_FILE_FORMAT;

		if (r == IMPORT_BAD && st->opt.max_errors > 0)
			msg = psprintf("more than %ld bad rows (options.max_errors); the next: %s",
						   (long) st->opt.max_errors, msg);
		if (st->pass == 1)
			ereport(ERROR, (errcode(code), errmsg("%s", msg)));
		old = MemoryContextSwitchTo(st->cxt);
		st->deferred_error = pstrdup(msg);
		st->deferred_errcode = code;
		st->feed_done = true;
		MemoryContextSwitchTo(old);
	}
}

/* ---- the passes ---- */

/* Pass 1: every column's type, over all rows or options.sample_rows. */
static void
infer_types(ImportState *st)
{
	int64		good = 0;

	st->pass = 1;
	st->rows_read = 0;
	st->format->start(st);
	for (;;)
	{
		ImportRowResult r;

		CHECK_FOR_INTERRUPTS();
		if ((good & 1023) == 0)
		{
			MemoryContextReset(st->row_cxt);
			import_progress(st);
		}
		r = st->format->next(st);
		if (r == IMPORT_END)
			break;
		if (r != IMPORT_ROW)
		{
			import_handle_bad(st, r);
			continue;
		}
		for (int i = 0; i < st->ncols; i++)
		{
			const ImportValue *v = &st->values[i];

			if (v->kind != IV_NULL)
				st->cols[i].inferred = infer_join(st->cols[i].inferred,
												  v->kind == IV_NESTED ? INFER_JSONB : infer_value(v->s, v->len));
		}
		if (++good == st->opt.sample_rows && !st->append)
		{
			st->check_values = true;	/* later rows may not fit */
			break;
		}
	}
	st->format->finish(st);
	if (st->append)
		return;
	if (st->ncols == 0)
		ereport(ERROR,
				(errcode(ERRCODE_BAD_COPY_FILE_FORMAT),
				 errmsg(good == 0 ? "the input is empty" : "the input has no columns")));
	if (good == 0)
		ereport(ERROR,
				(errcode(ERRCODE_BAD_COPY_FILE_FORMAT),
				 errmsg("the input has no rows to infer column types from"),
				 errhint("Create the table first and import with the option {\"create\": false}.")));
}

/* Pass 2, and once more with wider types if a sampled type was too narrow. */
static void
load_rows(ImportState *st)
{
	st->pass = 2;
	import_copy(st);
	if (st->stale && st->deferred_error == NULL)
	{
		import_drop_table(st);
		import_unique_names(st->cols, st->ncols);
		import_create_table(st);
		st->check_values = false;	/* the types now cover every row */
		st->stale = false;
		st->rejects = NIL;
		import_copy(st);
	}
	if (st->deferred_error)
		ereport(ERROR, (errcode(st->deferred_errcode), errmsg("%s", st->deferred_error)));
}

static int64
next_import_id(void)
{
	int64		id;
	bool		isnull;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT pg_catalog.nextval('automl.import_id_seq')", false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not allocate an import id");
	id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	return id;
}

/* options.profile: automl.profile of the new table, for the result */
static char *
profile_table(ImportState *st)
{
	Oid			types[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(st->relid)};
	char	   *json;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT automl.profile($1::pg_catalog.regclass)::text", 1, types, values,
							  NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not profile %s", st->qualified_name);
	json = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	json = json ? MemoryContextStrdup(st->cxt, json) : NULL;
	SPI_finish();
	return json;
}

static Datum
result_json(ImportState *st, int64 bytes, const char *format_name, const char *profile)
{
	StringInfoData buf;
	JsonWriter	w;

	initStringInfo(&buf);
	jw_init(&w, &buf);
	jw_begin_object(&w);
	jw_key(&w, "table");
	jw_string(&w, st->qualified_name);
	jw_key(&w, "rows");
	jw_int64(&w, st->rows);
	jw_key(&w, "columns");
	jw_begin_array(&w);
	for (int i = 0; i < st->ncols; i++)
	{
		ImportColumn *c = &st->cols[i];

		jw_begin_object(&w);
		jw_key(&w, "name");
		jw_string(&w, c->name);
		jw_key(&w, "type");
		jw_string(&w, OidIsValid(c->typid) ? format_type_with_typemod(c->typid, c->typmod)
				  : infer_type_name(c->inferred));
		jw_end_object(&w);
	}
	jw_end_array(&w);
	jw_key(&w, "rejected");
	jw_int64(&w, list_length(st->rejects));
	jw_key(&w, "seconds");
	jw_double(&w, (double) (GetCurrentTimestamp() - st->started) / 1e6);
	jw_key(&w, "import_id");
	jw_int64(&w, st->import_id);
	jw_key(&w, "format");
	jw_string(&w, format_name);
	jw_key(&w, "bytes");
	jw_int64(&w, bytes);
	if (st->dialect_json)
	{
		jw_key(&w, "dialect");
		jw_raw(&w, st->dialect_json);
	}
	if (profile)
	{
		jw_key(&w, "profile");
		jw_raw(&w, profile);
	}
	jw_end_object(&w);
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data));
}

/*
 * Runs an import of st's input (opened by the caller) into table_name and
 * returns the result object.
 */
Datum
import_run(ImportState *st, text *table_name, Jsonb *options, const ImportFormat *format)
{
	List	   *names;
	int64		bytes;
	const char *format_name;
	char	   *profile = NULL;

	st->format = format;
	st->cxt = CurrentMemoryContext;
	st->row_cxt = AllocSetContextCreate(CurrentMemoryContext, "automl import rows", ALLOCSET_DEFAULT_SIZES);
	st->started = GetCurrentTimestamp();
	import_options_parse(options, &st->opt, format == &import_csv_format);
	names = textToQualifiedNameList(table_name);
	st->rv = makeRangeVarFromNameList(names);
	st->import_id = next_import_id();
	st->append = !st->opt.create;

	if (st->append)
	{
		import_open_table(st);
		st->check_values = true;
		/* JSON: which columns the keys are, before COPY is told */
		if (format == &import_json_format)
			infer_types(st);
	}
	else
	{
		infer_types(st);
		import_unique_names(st->cols, st->ncols);
		import_create_table(st);
	}
	load_rows(st);

	bytes = st->file ? st->file_size : (int64) st->text_len;
	format_name = format->name;
	if (format == &import_json_format && st->dialect_json && strstr(st->dialect_json, "ndjson"))
		format_name = "ndjson";
	import_record(st, format_name, bytes);
	automl_stats_add_rows(st->rows);
	if (st->opt.profile)
		profile = profile_table(st);
	if (st->file)
	{
		FreeFile(st->file);
		st->file = NULL;
	}
	train_report_progress(100.0);
	return result_json(st, bytes, format_name, profile);
}

/*-------------------------------------------------------------------------
 *
 * import.h
 *	  Files into typed tables: the state an import (CSV or JSON) carries
 *	  through its passes, and the pieces the formats share.
 *
 * An import reads its input twice.  The first pass infers every column's
 * type (over all rows, or options.sample_rows) and creates the table; the
 * second streams the rows into the table through COPY's own executor path
 * (triggers, constraints, indexes and partitions behave as under COPY).
 * Appending to an existing table needs no first pass: values are checked
 * against the table's types as they stream.
 *
 *-------------------------------------------------------------------------
 */
#ifndef IMPORT_H
#define IMPORT_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "nodes/primnodes.h"
#include "access/tupdesc.h"
#include "fmgr.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "ingest/csv_reader.h"
#include "ingest/infer.h"

/* Limits (documented in docs/ingestion.md) */
#define IMPORT_DEFAULT_MAX_FIELD (64 * 1024 * 1024)
#define IMPORT_MAX_MAX_FIELD (512 * 1024 * 1024)
#define IMPORT_MAX_COLUMNS 1600	/* MaxHeapAttributeNumber */

typedef enum ImportValueKind
{
	IV_NULL,
	IV_RAW,						/* a CSV field: loads as written */
	IV_STRING,					/* a JSON string: quoted for a JSON column */
	IV_LITERAL,					/* a JSON number or boolean */
	IV_NESTED					/* a JSON object or array */
} ImportValueKind;

typedef struct ImportValue
{
	const char *s;
	size_t		len;
	ImportValueKind kind;
} ImportValue;

typedef struct ImportColumn
{
	char	   *source_name;	/* the header's name or the JSON key */
	char	   *name;			/* the table's column */
	InferType	inferred;		/* join of the values seen */
	/* the table's column, once known */
	Oid			typid;			/* base type (domains resolved) */
	int32		typmod;
	InferType	target;			/* INFER_NONE: not checked before COPY */
	int			max_chars;		/* varchar(n)/char(n): n, else -1 */
	bool		notnull;
	bool		json_target;	/* json or jsonb: JSON strings get quoted */
} ImportColumn;

typedef enum ImportRowResult
{
	IMPORT_ROW,
	IMPORT_END,
	IMPORT_BAD,					/* the row is skipped or fails the import */
	IMPORT_FATAL				/* the import fails */
} ImportRowResult;

typedef struct ImportState ImportState;

/* One input format: reads rows into st->values */
typedef struct ImportFormat
{
	const char *name;			/* "csv" or "json" */
	void		(*start) (ImportState *st);
	ImportRowResult (*next) (ImportState *st);
	void		(*finish) (ImportState *st);
	size_t		(*bytes) (ImportState *st);
} ImportFormat;

typedef struct ImportOptions
{
	/* CSV dialect: 0 / -1 = detect */
	char		delimiter;
	char		quote;
	char		newline;
	int			header;			/* -1 detect, 0, 1 */
	int			bom;			/* -1 detect, 0, 1 */
	List	   *nulls;			/* char *; NIL = the defaults */
	bool		nulls_set;
	/* JSON */
	bool		flatten;
	/* both */
	int64		sample_rows;	/* 0: every row */
	bool		create;
	int64		max_errors;
	bool		profile;
	bool		normalize_names;
	size_t		max_field;
} ImportOptions;

typedef struct ImportReject
{
	long		line;
	char	   *error;
	char	   *raw;
} ImportReject;

struct ImportState
{
	const ImportFormat *format;
	ImportOptions opt;

	/* the input: a text argument or a server file */
	const char *text;
	size_t		text_len;
	size_t		text_pos;
	char	   *path;			/* NULL for a text argument */
	FILE	   *file;
	int64		file_size;

	/* the table */
	RangeVar   *rv;
	Oid			relid;
	char	   *qualified_name;
	TupleDesc	tupdesc;		/* of an existing table (append) */
	int			next_attr;		/* positional mapping: attributes taken */

	/* columns and the current row */
	ImportColumn *cols;
	int			ncols;
	int			cols_cap;
	ImportValue *values;
	long		line;
	int			pass;			/* 1 infer, 2 load */
	bool		append;			/* into an existing table */
	bool		check_values;	/* values may not fit: check each */
	bool		stale;			/* a value did not fit the sampled types */

	/* the bad row, when next() says so */
	long		bad_line;
	int			bad_column;
	char	   *bad_message;
	char	   *bad_raw;

	/* counters */
	int64		rows;			/* loaded */
	int64		rows_read;		/* rows of this pass */
	int64		bad_rows;		/* bad rows of the inference pass */
	List	   *rejects;		/* ImportReject * */
	char	   *deferred_error; /* raised after COPY ends */
	int			deferred_errcode;

	/* the COPY stream */
	StringInfoData out;
	size_t		out_pos;
	bool		feed_done;

	/* format's own */
	void	   *reader;
	const char **null_markers;
	int			nnull_markers;
	void	   *keys;			/* JSON: HTAB key -> column */
	bool		header_seen;
	char	   *dialect_json;	/* what was detected, for the result */

	int64		import_id;
	TimestampTz started;
	MemoryContext cxt;			/* the import's (the call's) */
	MemoryContext row_cxt;		/* reset every few rows */
};

/* import.c: the driver */
extern Datum import_run(ImportState *st, text *table_name, Jsonb *options,
						const ImportFormat *format);
extern Datum import_call(FunctionCallInfo fcinfo, const ImportFormat *format, bool from_file);
extern void import_open_text(ImportState *st, text *content);
extern void import_open_file(ImportState *st, text *path);
extern void import_rewind(ImportState *st);
extern size_t import_read(void *arg, char *buf, size_t cap);
extern size_t import_verify(const char *s, size_t len);
extern int	import_add_column(ImportState *st, const char *source_name, size_t len);
extern void import_bad(ImportState *st, long line, int column, const char *message,
					   const char *raw, size_t raw_len);
extern ImportRowResult import_next_row(ImportState *st);
extern void import_handle_bad(ImportState *st, ImportRowResult r);
extern void import_progress(ImportState *st);

/* import_options.c */
extern void import_options_parse(Jsonb *options, ImportOptions *o, bool csv);

/* import_table.c */
extern char *import_column_name(const char *raw, size_t len, bool normalize, int position);
extern void import_unique_names(ImportColumn *cols, int ncols);
extern void import_create_table(ImportState *st);
extern void import_drop_table(ImportState *st);
extern void import_open_table(ImportState *st);
extern bool import_bind_column(ImportState *st, int col, bool by_name);
extern bool import_value_fits(ImportState *st, int col, const ImportValue *v,
							  char *why, size_t whylen);
extern void import_record(ImportState *st, const char *format_name, int64 bytes);

/* import_copy.c */
extern void import_copy(ImportState *st);

/* import_csv.c, import_json.c */
extern const ImportFormat import_csv_format;
extern const ImportFormat import_json_format;

#endif							/* IMPORT_H */

/*-------------------------------------------------------------------------
 *
 * import_table.c
 *	  The table an import fills: column names made valid, the table
 *	  created from the inferred types or an existing one bound column by
 *	  column, values checked against its types, and the import recorded in
 *	  automl.datasets and automl.import_errors.
 *
 * Identifiers from the file never reach SQL text unquoted: every name goes
 * through quote_identifier, and the table's name through the parser's own
 * qualified-name syntax (a hostile name is a syntax error, not SQL).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "ingest/import.h"

/*
 * A column name from a header or a key.  Normalised: lower case, runs of
 * other characters than letters, digits and '.' become one '_' (letters
 * beyond ASCII are kept), no leading or trailing '_', and a leading digit
 * gets "c_" so the name needs no quotes.  Either way: at most
 * NAMEDATALEN - 1 bytes, and "column_N" when nothing is left.
 */
char *
import_column_name(const char *raw, size_t len, bool normalize, int position)
{
	StringInfoData b;

	initStringInfo(&b);
	if (!normalize)
		appendBinaryStringInfo(&b, raw, len);
	else
	{
		bool		gap = false;

		for (size_t i = 0; i < len; i++)
		{
			unsigned char c = (unsigned char) raw[i];

			/* '.' stays: options.flatten's "a.b" */
			if (isalnum(c) || c >= 0x80 || c == '.')
			{
				if (gap && b.len > 0)
					appendStringInfoChar(&b, '_');
				gap = false;
				appendStringInfoChar(&b, c < 0x80 ? tolower(c) : c);
			}
			else
				gap = true;
		}
		if (b.len > 0 && isdigit((unsigned char) b.data[0]))
		{
			char	   *name = psprintf("c_%s", b.data);

			resetStringInfo(&b);
			appendStringInfoString(&b, name);
		}
	}
	if (b.len == 0)
		appendStringInfo(&b, "column_%d", position);
	if (b.len >= NAMEDATALEN)
		b.data[pg_mbcliplen(b.data, b.len, NAMEDATALEN - 1)] = '\0';
	return b.data;
}

/* Suffixes _2, _3, ... to names seen before, within NAMEDATALEN. */
void
import_unique_names(ImportColumn *cols, int ncols)
{
	for (int i = 1; i < ncols; i++)
	{
		for (int k = 2;; k++)
		{
			bool		clash = false;

			for (int j = 0; j < i && !clash; j++)
				clash = strcmp(cols[i].name, cols[j].name) == 0;
			if (!clash)
				break;
			{
				char		suffix[16];
				char	   *base = cols[i].name;
				int			room;

				snprintf(suffix, sizeof(suffix), "_%d", k);
				/* strip an earlier attempt's suffix */
				if (k > 2)
					base[strlen(base) - strlen(psprintf("_%d", k - 1))] = '\0';
				room = NAMEDATALEN - 1 - (int) strlen(suffix);
				cols[i].name = psprintf("%.*s%s", pg_mbcliplen(base, strlen(base), room), base, suffix);
			}
		}
	}
}

/* The namespace of the table to create, and its quoted qualified name. */
static Oid
creation_namespace(ImportState *st)
{
	Oid			nsp = RangeVarGetCreationNamespace(st->rv);

	st->qualified_name = quote_qualified_identifier(get_namespace_name(nsp), st->rv->relname);
	return nsp;
}

void
import_create_table(ImportState *st)
{
	Oid			nsp = creation_namespace(st);
	StringInfoData sql;

	if (OidIsValid(get_relname_relid(st->rv->relname, nsp)))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("relation %s already exists", st->qualified_name),
				 errhint("To append to it, pass the option {\"create\": false}.")));
	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE TABLE %s (", st->qualified_name);
	for (int i = 0; i < st->ncols; i++)
		appendStringInfo(&sql, "%s%s %s", i > 0 ? ", " : "", quote_identifier(st->cols[i].name),
						 infer_type_name(st->cols[i].inferred));
	appendStringInfoChar(&sql, ')');
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not create %s", st->qualified_name);
	SPI_finish();
	st->relid = get_relname_relid(st->rv->relname, nsp);
	/* values are checked against the inferred types from now on */
	for (int i = 0; i < st->ncols; i++)
	{
		ImportColumn *c = &st->cols[i];

		c->target = c->inferred == INFER_NONE ? INFER_TEXT : c->inferred;
		c->typid = InvalidOid;
		c->max_chars = -1;
		c->notnull = false;
		c->json_target = c->target == INFER_JSONB;
	}
}

/* Drops the table the import created, to create it again with wider types. */
void
import_drop_table(ImportState *st)
{
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(psprintf("DROP TABLE %s", st->qualified_name), false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not drop %s", st->qualified_name);
	SPI_finish();
}

/* The existing table an import appends to; its columns are bound later. */
void
import_open_table(ImportState *st)
{
	Relation	rel;

	st->relid = RangeVarGetRelid(st->rv, RowExclusiveLock, false);
	rel = table_open(st->relid, NoLock);
	if (rel->rd_rel->relkind != RELKIND_RELATION && rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table", RelationGetRelationName(rel))));
	st->qualified_name = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
													RelationGetRelationName(rel));
	st->tupdesc = CreateTupleDescCopyConstr(RelationGetDescr(rel));	/* with NOT NULL */
	table_close(rel, NoLock);
}

/* What a column of type typid accepts, in the inference's terms. */
static InferType
target_of(Oid typid)
{
	switch (typid)
	{
		case BOOLOID:
			return INFER_BOOLEAN;
		case INT2OID:
		case INT4OID:
			return INFER_INT4;
		case INT8OID:
			return INFER_INT8;
		case NUMERICOID:
			return INFER_NUMERIC;
		case FLOAT4OID:
		case FLOAT8OID:
			return INFER_FLOAT8;
		case DATEOID:
			return INFER_DATE;
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			return INFER_TIMESTAMPTZ;
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
			return INFER_TEXT;
		case JSONOID:
		case JSONBOID:
			return INFER_JSONB;
		default:
			return INFER_NONE;	/* COPY's input function decides */
	}
}

/*
 * Binds import column col to a column of the existing table: by name (the
 * normalised name, or the name exactly as in the file), or by position.
 * Returns false when there is no such column.
 */
bool
import_bind_column(ImportState *st, int col, bool by_name)
{
	ImportColumn *c = &st->cols[col];
	TupleDesc	td = st->tupdesc;
	Form_pg_attribute att = NULL;

	for (int i = by_name ? 0 : st->next_attr; i < td->natts && att == NULL; i++)
	{
		Form_pg_attribute a = TupleDescAttr(td, i);

		if (a->attisdropped || a->attgenerated)
			continue;
		if (!by_name ||
			strcmp(NameStr(a->attname), c->name) == 0 ||
			strcmp(NameStr(a->attname), c->source_name) == 0)
		{
			att = a;
			if (!by_name)
				st->next_attr = i + 1;
		}
	}
	if (att == NULL)
		return false;
	for (int j = 0; j < st->ncols; j++)
		if (j != col && st->cols[j].typid != InvalidOid && strcmp(st->cols[j].name, NameStr(att->attname)) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_COLUMN),
					 errmsg("two columns of the input load into column \"%s\" of %s",
							NameStr(att->attname), st->qualified_name)));
	c->name = pstrdup(NameStr(att->attname));
	c->typmod = att->atttypmod;
	c->typid = getBaseTypeAndTypmod(att->atttypid, &c->typmod);
	c->target = target_of(c->typid);
	c->max_chars = (c->typid == VARCHAROID || c->typid == BPCHAROID) && c->typmod > VARHDRSZ
		? c->typmod - VARHDRSZ : -1;
	c->notnull = att->attnotnull;
	c->json_target = c->target == INFER_JSONB;
	c->inferred = INFER_NONE;
	return true;
}

/* Whether a value of type t loads into a column that accepts target. */
static bool
type_fits(InferType target, InferType t)
{
	switch (target)
	{
		case INFER_TEXT:
		case INFER_JSONB:
		case INFER_NONE:
			return true;
		case INFER_NUMERIC:
		case INFER_FLOAT8:
			return t >= INFER_INT4 && t <= INFER_FLOAT8;
		case INFER_INT8:
			return t == INFER_INT4 || t == INFER_INT8;
		case INFER_TIMESTAMPTZ:
			return t == INFER_DATE || t == INFER_TIMESTAMPTZ;
		default:
			return t == target;
	}
}

/*
 * Whether value v loads into column col; if not, why (for the error or the
 * rejected row).  Columns created by the import learn the value's type on
 * the way, so a sampled inference can be widened.
 */
bool
import_value_fits(ImportState *st, int col, const ImportValue *v, char *why, size_t whylen)
{
	ImportColumn *c = &st->cols[col];
	InferType	t;

	if (v->kind == IV_NULL)
	{
		if (!c->notnull)
			return true;
		snprintf(why, whylen, "null value in column \"%s\", which is not null", c->name);
		return false;
	}
	t = v->kind == IV_NESTED ? INFER_JSONB : infer_value(v->s, v->len);
	if (!st->append)
		c->inferred = infer_join(c->inferred, t);
	if (c->target == INFER_TEXT && c->max_chars >= 0 &&
		pg_mbstrlen_with_len(v->s, (int) v->len) > c->max_chars)
	{
		snprintf(why, whylen, "value too long for column \"%s\" (%d characters at most)", c->name, c->max_chars);
		return false;
	}
	if (t == INFER_JSONB ? (c->target == INFER_TEXT || c->target == INFER_JSONB || c->target == INFER_NONE)
		: type_fits(c->target, t))
	{
		if (c->typid == INT2OID && t == INFER_INT4)
		{
			long		x = strtol(pnstrdup(v->s, v->len), NULL, 10);

			if (x < PG_INT16_MIN || x > PG_INT16_MAX)
			{
				snprintf(why, whylen, "value out of range for column \"%s\" (smallint)", c->name);
				return false;
			}
		}
		return true;
	}
	snprintf(why, whylen, "\"%.*s\" is not a valid %s for column \"%s\"",
			 pg_mbcliplen(v->s, (int) v->len, 40), v->s,
			 OidIsValid(c->typid) ? format_type_with_typemod(c->typid, c->typmod) : infer_type_name(c->target),
			 c->name);
	return false;
}

/*
 * Records the import: its rejected rows in automl.import_errors and the
 * import itself in automl.datasets, as the importing role (row-level
 * security shows each role its own).
 */
void
import_record(ImportState *st, const char *format_name, int64 bytes)
{
	ListCell   *lc;
	Oid			err_types[4] = {INT8OID, INT8OID, TEXTOID, TEXTOID};
	Oid			ds_types[7] = {TEXTOID, TEXTOID, TEXTOID, INT8OID, INT8OID, INT8OID, INT8OID};
	Datum		ds_values[7];

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ds_values[0] = CStringGetTextDatum(st->qualified_name);
	ds_values[1] = CStringGetTextDatum(format_name);
	ds_values[2] = CStringGetTextDatum(st->path ? st->path : "inline");
	ds_values[3] = Int64GetDatum(st->rows);
	ds_values[4] = Int64GetDatum(bytes);
	ds_values[5] = Int64GetDatum(st->import_id);
	ds_values[6] = Int64GetDatum(list_length(st->rejects));
	if (SPI_execute_with_args("INSERT INTO automl.datasets (\"table\", format, source, rows, bytes, import_id, rejected)"
							  " VALUES ($1, $2, $3, $4, $5, $6, $7)",
							  7, ds_types, ds_values, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not record the import in automl.datasets");
	foreach(lc, st->rejects)
	{
		ImportReject *r = lfirst(lc);
		Datum		values[4];

		values[0] = Int64GetDatum(st->import_id);
		values[1] = Int64GetDatum(r->line);
		values[2] = CStringGetTextDatum(r->error);
		values[3] = CStringGetTextDatum(r->raw);
		if (SPI_execute_with_args("INSERT INTO automl.import_errors (import_id, line, error, raw)"
								  " VALUES ($1, $2, $3, $4)", 4, err_types, values, NULL, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "could not record a rejected row");
	}
	SPI_finish();
}

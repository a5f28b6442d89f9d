/*-------------------------------------------------------------------------
 *
 * anomaly_data.c
 *	  Read the numeric columns of a relation into arrays, with a way back
 *	  to each row's key.
 *
 * The detectors need every value of a column (medians, quartiles, robust
 * covariance) before they can say which rows are anomalous, and then need
 * the keys of only those few rows.  Building a key (a jsonb of the primary
 * key columns) costs more than reading ten numbers, so for tables the scan
 * keeps each row's ctid and the keys of the reported rows are looked up
 * afterwards by ctid, in one TID scan.  Views, foreign and partitioned
 * tables (where a ctid does not name a row) build the key in the scan.
 *
 * The key is the primary key's columns as a jsonb object; without a
 * primary key {"ctid": "(page,item)"} (plus "partition" for partitioned
 * tables), and for views {"row": n}, the row's position in the scan.
 *
 * Memory: the arrays count against automl.max_training_memory.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/genam.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"

#include "anomaly/anomaly_data.h"
#include "ml/dataset.h"

#define ANOMALY_BATCH 10000

static bool
type_is_numeric(Oid type)
{
	type = getBaseType(type);
	return type == INT2OID || type == INT4OID || type == INT8OID ||
		type == FLOAT4OID || type == FLOAT8OID || type == NUMERICOID;
}

static bool
type_is_time(Oid type)
{
	type = getBaseType(type);
	return type == DATEOID || type == TIMESTAMPOID || type == TIMESTAMPTZOID;
}

/* The attribute named name, or ERROR 42703. */
static Form_pg_attribute
find_column(Relation rel, const char *name, const char *relname)
{
	TupleDesc	desc = RelationGetDescr(rel);

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return att;
	}
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_COLUMN),
			 errmsg("column \"%s\" of relation %s does not exist", name, relname)));
	return NULL;				/* keep compiler quiet */
}

/* Column numbers of the primary key, or NIL. */
static List *
primary_key_columns(Relation rel)
{
	Oid			pk = RelationGetPrimaryKeyIndex(rel);
	List	   *cols = NIL;
	Relation	idx;

	if (!OidIsValid(pk))
		return NIL;
	idx = index_open(pk, AccessShareLock);
	for (int i = 0; i < idx->rd_index->indnkeyatts; i++)
		cols = lappend_int(cols, idx->rd_index->indkey.values[i]);
	index_close(idx, AccessShareLock);
	return cols;
}

static bool
is_key_column(List *pk, int attnum)
{
	return list_member_int(pk, attnum);
}

/* The SQL expression of a row's key, and whether rows are found by ctid. */
static char *
key_expression(Relation rel, List *pk, bool *by_ctid)
{
	StringInfoData s;
	char		kind = rel->rd_rel->relkind;
	ListCell   *lc;

	*by_ctid = (kind == RELKIND_RELATION || kind == RELKIND_MATVIEW);
	initStringInfo(&s);
	if (pk != NIL)
	{
		appendStringInfoString(&s, "pg_catalog.jsonb_build_object(");
		foreach(lc, pk)
		{
			const char *name = NameStr(TupleDescAttr(RelationGetDescr(rel), lfirst_int(lc) - 1)->attname);

			appendStringInfo(&s, "%s%s, %s", foreach_current_index(lc) > 0 ? ", " : "",
							 quote_literal_cstr(name), quote_identifier(name));
		}
		appendStringInfoChar(&s, ')');
	}
	else if (kind == RELKIND_PARTITIONED_TABLE)
		appendStringInfoString(&s, "pg_catalog.jsonb_build_object('partition', tableoid::pg_catalog.regclass::pg_catalog.text,"
							   " 'ctid', ctid::pg_catalog.text)");
	else if (*by_ctid)
		appendStringInfoString(&s, "pg_catalog.jsonb_build_object('ctid', ctid::pg_catalog.text)");
	else
		appendStringInfoString(&s, "pg_catalog.jsonb_build_object('row', pg_catalog.row_number() OVER ())");
	return s.data;
}

static void
check_memory(AnomalyData *d, int64 rows)
{
	Size		per_row = sizeof(double) * (d->ncols + (d->time ? 1 : 0)) +
		(d->by_ctid ? sizeof(ItemPointerData) : sizeof(char *) + 32);

	if ((double) rows * per_row > (double) d->max_bytes)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("relation %s is too large to analyse in automl.max_training_memory (%d MB)",
						d->relname, automl_max_training_memory_mb),
				 errhint("Raise automl.max_training_memory, or analyse a sample (a view with TABLESAMPLE).")));
}

static void
grow(AnomalyData *d, int64 need)
{
	int64		cap = Max(d->cap * 2, Max(need, 1024));

	check_memory(d, cap);
	for (int j = 0; j < d->ncols; j++)
		d->cols[j] = d->cols[j] ? repalloc_huge(d->cols[j], sizeof(double) * cap) :
			MemoryContextAllocHuge(d->cxt, sizeof(double) * cap);
	if (d->time_name)
		d->time = d->time ? repalloc_huge(d->time, sizeof(double) * cap) :
			MemoryContextAllocHuge(d->cxt, sizeof(double) * cap);
	if (d->by_ctid)
		d->tids = d->tids ? repalloc_huge(d->tids, sizeof(ItemPointerData) * cap) :
			MemoryContextAllocHuge(d->cxt, sizeof(ItemPointerData) * cap);
	else
		d->keys = d->keys ? repalloc_huge(d->keys, sizeof(char *) * cap) :
			MemoryContextAllocHuge(d->cxt, sizeof(char *) * cap);
	d->cap = cap;
}

static double
datum_double(Datum v, bool isnull)
{
	return isnull ? NAN : DatumGetFloat8(v);
}

/*
 * Identifiers are numbers without being measures: a column named id or
 * ending in _id is left out when the columns are chosen for the user.
 */
static bool
looks_like_identifier(const char *name)
{
	size_t		len = strlen(name);

	return pg_strcasecmp(name, "id") == 0 ||
		(len > 3 && pg_strcasecmp(name + len - 3, "_id") == 0);
}

/* Choose the columns and build the scan's SELECT list. */
static void
choose_columns(AnomalyData *d, Relation rel, ArrayType *columns, const char *time_column,
			   List *pk, StringInfo sql)
{
	TupleDesc	desc = RelationGetDescr(rel);

	if (time_column)
	{
		Form_pg_attribute att = find_column(rel, time_column, d->relname);

		if (type_is_time(att->atttypid))
			appendStringInfo(sql, ", pg_catalog.date_part('epoch', %s::pg_catalog.timestamptz)",
							 quote_identifier(time_column));
		else if (type_is_numeric(att->atttypid))
			appendStringInfo(sql, ", %s::pg_catalog.float8", quote_identifier(time_column));
		else
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("time column \"%s\" must be a date, timestamp or number, not %s",
							time_column, format_type_be(att->atttypid))));
		d->time_name = pstrdup(time_column);
	}

	d->names = palloc(sizeof(char *) * (desc->natts + 1));
	if (columns != NULL)
	{
		Datum	   *elems;
		bool	   *nulls;
		int			n;

		deconstruct_array(columns, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
		for (int i = 0; i < n; i++)
		{
			char	   *name;
			Form_pg_attribute att;

			if (nulls[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("columns must not contain NULL")));
			name = TextDatumGetCString(elems[i]);
			att = find_column(rel, name, d->relname);
			if (!type_is_numeric(att->atttypid))
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("column \"%s\" is not numeric (%s)", name, format_type_be(att->atttypid)),
						 errhint("Anomaly detection works on integer, numeric and floating-point columns.")));
			for (int k = 0; k < d->ncols; k++)
				if (strcmp(d->names[k], name) == 0)
					ereport(ERROR,
							(errcode(ERRCODE_DUPLICATE_COLUMN),
							 errmsg("column \"%s\" is named twice", name)));
			if (d->ncols >= desc->natts)
				break;
			d->names[d->ncols++] = name;
		}
	}
	else
	{
		for (int i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);

			if (att->attisdropped || !type_is_numeric(att->atttypid) ||
				is_key_column(pk, att->attnum) || looks_like_identifier(NameStr(att->attname)) ||
				(time_column && strcmp(NameStr(att->attname), time_column) == 0))
				continue;
			d->names[d->ncols++] = pstrdup(NameStr(att->attname));
		}
	}
	for (int j = 0; j < d->ncols; j++)
		appendStringInfo(sql, ", %s::pg_catalog.float8", quote_identifier(d->names[j]));
}

AnomalyData *
anomaly_data_load(Oid relid, ArrayType *columns, const char *time_column)
{
	AnomalyData *d = palloc0(sizeof(AnomalyData));
	Relation	rel;
	List	   *pk;
	StringInfoData sql;
	SPIPlanPtr	plan;
	Portal		portal;
	int			first;

	d->cxt = CurrentMemoryContext;
	d->relid = relid;
	d->max_bytes = (Size) automl_max_training_memory_mb * 1024 * 1024;
	rel = relation_open_checked(relid, AccessShareLock);
	d->relname = relation_quoted_name(rel);
	pk = primary_key_columns(rel);
	d->key_sql = key_expression(rel, pk, &d->by_ctid);

	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT %s", d->by_ctid ? "ctid" : psprintf("(%s)::pg_catalog.text", d->key_sql));
	choose_columns(d, rel, columns, time_column, pk, &sql);
	appendStringInfo(&sql, " FROM %s", d->relname);
	relation_close(rel, AccessShareLock);
	d->cols = palloc0(sizeof(double *) * Max(d->ncols, 1));
	first = d->time_name ? 3 : 2;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = SPI_prepare(sql.data, 0, NULL);
	if (plan == NULL)
		elog(ERROR, "could not prepare the scan of %s: %s", d->relname,
			 SPI_result_code_string(SPI_result));
	portal = SPI_cursor_open(NULL, plan, NULL, NULL, true);
	for (;;)
	{
		SPITupleTable *tt;
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		SPI_cursor_fetch(portal, true, ANOMALY_BATCH);
		tt = SPI_tuptable;
		if (d->n + (int64) SPI_processed > d->cap)
		{
			old = MemoryContextSwitchTo(d->cxt);
			grow(d, d->n + SPI_processed);
			MemoryContextSwitchTo(old);
		}
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			HeapTuple	tup = tt->vals[r];
			bool		isnull;
			Datum		v = SPI_getbinval(tup, tt->tupdesc, 1, &isnull);

			if (d->by_ctid)
				d->tids[d->n] = *(ItemPointer) DatumGetPointer(v);
			else
				d->keys[d->n] = MemoryContextStrdup(d->cxt, isnull ? "{}" : TextDatumGetCString(v));
			if (d->time_name)
			{
				v = SPI_getbinval(tup, tt->tupdesc, 2, &isnull);
				d->time[d->n] = datum_double(v, isnull);
			}
			for (int j = 0; j < d->ncols; j++)
			{
				v = SPI_getbinval(tup, tt->tupdesc, first + j, &isnull);
				d->cols[j][d->n] = datum_double(v, isnull);
			}
			d->n++;
		}
		SPI_freetuptable(tt);
		if (SPI_processed < ANOMALY_BATCH)
			break;
	}
	SPI_cursor_close(portal);
	SPI_finish();
	return d;
}

char **
anomaly_data_keys(AnomalyData *d, const int64 *rows, int k)
{
	char	  **keys = palloc0(sizeof(char *) * Max(k, 1));
	Datum	   *tids;
	ArrayType  *arr;
	char	   *sql;
	int			ret;

	if (!d->by_ctid)
	{
		for (int i = 0; i < k; i++)
			keys[i] = d->keys[rows[i]];
		return keys;
	}
	if (k == 0)
		return keys;

	tids = palloc(sizeof(Datum) * k);
	for (int i = 0; i < k; i++)
		tids[i] = PointerGetDatum(&d->tids[rows[i]]);
	arr = construct_array(tids, k, TIDOID, sizeof(ItemPointerData), false, TYPALIGN_SHORT);
	sql = psprintf("SELECT ctid, (%s)::pg_catalog.text FROM %s WHERE ctid OPERATOR(pg_catalog.=) ANY ($1)",
				   d->key_sql, d->relname);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(sql, 1, (Oid[]) {TIDARRAYOID}, (Datum[]) {PointerGetDatum(arr)},
								NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read the keys of %s: %s", d->relname, SPI_result_code_string(ret));
	/* match each returned row to the requested ones (k is small) */
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		bool		isnull;
		ItemPointer tid = (ItemPointer) DatumGetPointer(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1, &isnull));
		char	   *key = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2);

		for (int i = 0; i < k; i++)
			if (keys[i] == NULL && ItemPointerEquals(tid, &d->tids[rows[i]]))
				keys[i] = MemoryContextStrdup(d->cxt, key);
	}
	SPI_finish();
	/* a row gone since the scan (concurrently deleted or updated) */
	for (int i = 0; i < k; i++)
		if (keys[i] == NULL)
			keys[i] = psprintf("{\"ctid\": \"(%u,%u)\"}",
							   ItemPointerGetBlockNumber(&d->tids[rows[i]]),
							   ItemPointerGetOffsetNumber(&d->tids[rows[i]]));
	return keys;
}

/* Leave out the columns that do not vary (constant or all NULL). */
void
anomaly_data_drop_flat(AnomalyData *d)
{
	int			k = 0;

	for (int j = 0; j < d->ncols; j++)
	{
		double		first = NAN;
		bool		varies = false;

		for (int64 i = 0; i < d->n && !varies; i++)
		{
			double		v = d->cols[j][i];

			if (!isfinite(v))
				continue;
			if (isnan(first))
				first = v;
			else
				varies = v != first;
		}
		if (varies)
		{
			d->names[k] = d->names[j];
			d->cols[k++] = d->cols[j];
		}
	}
	d->ncols = k;
}

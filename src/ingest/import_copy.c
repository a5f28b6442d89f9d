/*-------------------------------------------------------------------------
 *
 * import_copy.c
 *	  The load pass of an import: rows streamed into the table through
 *	  COPY FROM's executor path.
 *
 * COPY does what an INSERT per row would do (triggers, constraints,
 * indexes, partition routing, multi-row inserts, pg_stat_progress_copy)
 * at COPY's speed.  BeginCopyFrom takes a data callback: this file's
 * callback pulls rows from the import's reader, checks them, and writes
 * them in COPY's text format (tab-separated, \N for NULL, backslash
 * escapes), in the database's encoding.
 *
 * The callback has no argument, so the import being fed is a static for
 * the duration of CopyFrom.  Errors found while feeding are not raised
 * there (COPY would add a context naming its own line numbers, which count
 * our output, not the file): the stream ends and import_run raises them
 * once COPY returns, which the transaction then undoes.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/copy.h"
#include "commands/copyfrom_internal.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_relation.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"

#include "ingest/import.h"

/* rows are produced in batches of about this many bytes of COPY text */
#define FEED_BATCH (64 * 1024)

/*
 * The input line of each row recently fed, by COPY's line number modulo
 * the ring's size: COPY reads ahead at most 64 kB, fewer rows than this.
 */
#define LINE_RING 65536

static ImportState *feeding = NULL;
static int64 *line_ring = NULL;
static uint64 rows_fed = 0;

/* Appends s[0..len) with COPY text format's escapes. */
static void
copy_escape(StringInfo out, const char *s, size_t len)
{
	size_t		start = 0;

	for (size_t i = 0; i < len; i++)
	{
		char		c = s[i];
		const char *esc;

		switch (c)
		{
			case '\\':
				esc = "\\\\";
				break;
			case '\t':
				esc = "\\t";
				break;
			case '\n':
				esc = "\\n";
				break;
			case '\r':
				esc = "\\r";
				break;
			default:
				continue;
		}
		appendBinaryStringInfo(out, s + start, (int) (i - start));
		appendStringInfoString(out, esc);
		start = i + 1;
	}
	appendBinaryStringInfo(out, s + start, (int) (len - start));
}

/* Appends the current row in COPY text format. */
static void
write_row(ImportState *st)
{
	StringInfo	out = &st->out;

	for (int i = 0; i < st->ncols; i++)
	{
		const ImportValue *v = &st->values[i];

		if (i > 0)
			appendStringInfoChar(out, '\t');
		if (v->kind == IV_NULL)
			appendStringInfoString(out, "\\N");
		else if (v->kind == IV_STRING && st->cols[i].json_target)
		{
			StringInfoData j;

			initStringInfo(&j);
			escape_json(&j, pnstrdup(v->s, v->len));
			copy_escape(out, j.data, j.len);
		}
		else
			copy_escape(out, v->s, v->len);
	}
	appendStringInfoChar(out, '\n');
}

/* Reads rows into st->out until a batch is ready or the input ends. */
static void
feed_batch(ImportState *st)
{
	MemoryContext old = MemoryContextSwitchTo(st->row_cxt);

	MemoryContextReset(st->row_cxt);
	while (!st->feed_done && st->out.len - st->out_pos < FEED_BATCH)
	{
		ImportRowResult r;

		CHECK_FOR_INTERRUPTS();
		r = import_next_row(st);
		if (r == IMPORT_END)
			st->feed_done = true;
		else if (r != IMPORT_ROW)
			import_handle_bad(st, r);
		else if (!st->stale)
		{
			/*
			 * (in the row context: st->out grows where it was allocated, and
			 * a JSON string's quoting is garbage after the row)
			 */
			write_row(st);
			line_ring[++rows_fed % LINE_RING] = st->line;
		}
	}
	import_progress(st);
	MemoryContextSwitchTo(old);
}

/* COPY's data source: at least minread bytes, 0 at the end */
static int
copy_source(void *outbuf, int minread, int maxread)
{
	ImportState *st = feeding;
	size_t		n;

	while (st->out.len - st->out_pos < (size_t) Max(minread, 1) && !st->feed_done)
	{
		if (st->out_pos > 0)
		{
			/* keep the unread tail only */
			memmove(st->out.data, st->out.data + st->out_pos, st->out.len - st->out_pos);
			st->out.len -= (int) st->out_pos;
			st->out.data[st->out.len] = '\0';
			st->out_pos = 0;
		}
		feed_batch(st);
	}
	n = Min((size_t) maxread, st->out.len - st->out_pos);
	memcpy(outbuf, st->out.data + st->out_pos, n);
	st->out_pos += n;
	return (int) n;
}

/*
 * COPY's errors (a constraint, a trigger, an input function) name COPY's
 * line, which counts rows fed; say which line of the input it was.
 */
static void
copy_error_context(void *arg)
{
	CopyFromState cstate = arg;

	if (cstate && cstate->cur_lineno > 0 && cstate->cur_lineno <= rows_fed &&
		rows_fed - cstate->cur_lineno < LINE_RING)
		errcontext("line %ld of the input", (long) line_ring[cstate->cur_lineno % LINE_RING]);
}

/* INSERT on the table, or on every column loaded (as COPY checks it). */
static void
check_insert_privilege(ImportState *st, Relation rel)
{
	if (pg_class_aclcheck(st->relid, GetUserId(), ACL_INSERT) == ACLCHECK_OK)
		return;
	if (st->ncols == 0)
		aclcheck_error(ACLCHECK_NO_PRIV, get_relkind_objtype(rel->rd_rel->relkind),
					   RelationGetRelationName(rel));
	for (int i = 0; i < st->ncols; i++)
	{
		AttrNumber	attnum = get_attnum(st->relid, st->cols[i].name);

		if (attnum == InvalidAttrNumber ||
			pg_attribute_aclcheck(st->relid, attnum, GetUserId(), ACL_INSERT) != ACLCHECK_OK)
			aclcheck_error(ACLCHECK_NO_PRIV, get_relkind_objtype(rel->rd_rel->relkind),
						   RelationGetRelationName(rel));
	}
}

/* Streams the rows of the input (from its start) into the table. */
void
import_copy(ImportState *st)
{
	Relation	rel = table_open(st->relid, RowExclusiveLock);
	ParseState *pstate = make_parsestate(NULL);
	List	   *attnames = NIL;
	List	   *options;
	CopyFromState cstate;
	ErrorContextCallback errcb;

	if (check_enable_rls(st->relid, InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot import into %s: it has row-level security", st->qualified_name),
				 errhint("Import into a new table, then INSERT ... SELECT from it.")));
	if (XactReadOnly && !rel->rd_islocaltemp)
		PreventCommandIfReadOnly("an import");
	/* (appending, starting the reader binds the columns) */
	st->format->start(st);
	check_insert_privilege(st, rel);
	for (int i = 0; i < st->ncols; i++)
		attnames = lappend(attnames, makeString(st->cols[i].name));
	addRangeTableEntryForRelation(pstate, rel, RowExclusiveLock, NULL, false, false);
	options = list_make1(makeDefElem("encoding", (Node *) makeString(pstrdup(GetDatabaseEncodingName())), -1));

	initStringInfo(&st->out);
	st->out_pos = 0;
	st->feed_done = false;
	st->rows_read = 0;
	feeding = st;
	line_ring = MemoryContextAlloc(st->cxt, LINE_RING * sizeof(int64));
	rows_fed = 0;
	PG_TRY();
	{
		cstate = BeginCopyFrom(pstate, rel, NULL, NULL, false, copy_source, attnames, options);
		errcb.callback = copy_error_context;
		errcb.arg = cstate;
		errcb.previous = error_context_stack;
		error_context_stack = &errcb;
		st->rows = (int64) CopyFrom(cstate);
		error_context_stack = errcb.previous;
		EndCopyFrom(cstate);
		st->format->finish(st);
	}
	PG_FINALLY();
	{
		feeding = NULL;
		line_ring = NULL;
	}
	PG_END_TRY();
	pfree(st->out.data);
	table_close(rel, NoLock);
}

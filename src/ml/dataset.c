/*-------------------------------------------------------------------------
 *
 * dataset.c
 *	  Read a relation into a column-major training matrix.
 *
 * The relation is read through SPI with a cursor, fetched in batches of
 * DATASET_BATCH rows into a DestReceiver that converts each value into the
 * column arrays at once: no result set is ever materialised, so memory is
 * the matrix itself, which is accounted against automl.max_training_memory.
 * With options.sample_rows a seeded reservoir sample keeps that many rows
 * (the same rows for the same seed and scan order).  The query runs with
 * the caller's privileges, so a relation the caller cannot read fails with
 * PostgreSQL's own permission error.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/relation.h"
#include "access/tupdesc.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "tcop/pquery.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "ml/dataset.h"

#define DATASET_BATCH		10000
#define DATASET_FIRST_CAP	16384
/* Distinct labels a categorical feature may have before it is refused. */
#define DATASET_MAX_LABELS	100000

int			automl_max_training_memory_mb = 1024;

typedef struct LabelEntry
{
	char	   *key;			/* the label, owned by the dataset */
	int			code;
} LabelEntry;

typedef struct DatasetReceiver
{
	DestReceiver pub;
	Dataset    *ds;
	MemoryContext rowcxt;		/* labels and detoasted values of a batch */
} DatasetReceiver;

static uint32
label_hash(const void *key, Size keysize)
{
	const char *s = *(const char *const *) key;

	return hash_bytes((const unsigned char *) s, strlen(s));
}

static int
label_match(const void *a, const void *b, Size keysize)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static void
column_init_dict(Dataset *ds, DatasetColumn *col)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(char *);
	ctl.entrysize = sizeof(LabelEntry);
	ctl.hash = label_hash;
	ctl.match = label_match;
	ctl.hcxt = ds->cxt;
	col->dict = hash_create("automl labels", 256, &ctl,
							HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
	col->caplabels = 64;
	col->labels = MemoryContextAlloc(ds->cxt, sizeof(char *) * col->caplabels);
	col->counts = MemoryContextAllocZero(ds->cxt, sizeof(int64) * col->caplabels);
}

/* Code of label in col's dictionary, added on first sight. */
static int
column_label_code(Dataset *ds, DatasetColumn *col, char *label, bool is_target)
{
	LabelEntry *e;
	bool		found;

	e = hash_search(col->dict, &label, HASH_ENTER, &found);
	if (!found)
	{
		if (col->nlabels >= DATASET_MAX_LABELS)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 is_target ?
					 errmsg("target \"%s\" has more than %d distinct values", col->name, DATASET_MAX_LABELS) :
					 errmsg("column \"%s\" has more than %d distinct values", col->name, DATASET_MAX_LABELS),
					 is_target ?
					 errhint("Train a regression model, or group the values.") :
					 errhint("Exclude it with options {\"exclude\": [\"%s\"]}: an identifier does not help a model.", col->name)));
		e->key = MemoryContextStrdup(ds->cxt, label);
		e->code = col->nlabels;
		if (col->nlabels == col->caplabels)
		{
			col->caplabels *= 2;
			col->labels = repalloc(col->labels, sizeof(char *) * col->caplabels);
			col->counts = repalloc(col->counts, sizeof(int64) * col->caplabels);
		}
		col->labels[col->nlabels] = e->key;
		col->counts[col->nlabels] = 0;
		col->nlabels++;
	}
	col->counts[e->code]++;
	return e->code;
}

void
dataset_check_memory(Dataset *ds, Size more, const char *what)
{
	Size		used = MemoryContextMemAllocated(ds->cxt, true);

	if (used + more > ds->max_bytes)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("training data of %s exceeds automl.max_training_memory (%d MB)",
						ds->relname, automl_max_training_memory_mb),
				 errdetail("%s needs %zu MB after %lld rows.", what,
						   (used + more) / (1024 * 1024), (long long) ds->rows_read),
				 errhint("Sample rows with options {\"sample_rows\": N}, exclude columns with options {\"exclude\": [...]}, or raise automl.max_training_memory.")));
}

/*
 * Make room for one more row: the columns live in one block, column f at
 * block + f * cap, so that training can turn the block into its design
 * matrix in place (see train.c).  The first capacity comes from the
 * planner's row estimate, so a table whose statistics are current is read
 * without a single copy; past it the block doubles.
 */
static void
dataset_grow(Dataset *ds)
{
	int64		cap;
	Size		more;
	double	   *block;

	if (ds->cap == 0)
		cap = Max(DATASET_FIRST_CAP, ds->expected_rows + ds->expected_rows / 16);
	else
		cap = ds->cap * 2;
	if (ds->sample_rows > 0 && cap > ds->sample_rows)
		cap = ds->sample_rows;
	more = (Size) (cap - ds->cap) * (ds->nfeatures + 1) * sizeof(double);
	/* an optimistic first estimate must not fail where the data would fit */
	if (ds->cap == 0 && cap > DATASET_FIRST_CAP &&
		MemoryContextMemAllocated(ds->cxt, true) + more > ds->max_bytes)
	{
		cap = DATASET_FIRST_CAP;
		more = (Size) cap * (ds->nfeatures + 1) * sizeof(double);
	}
	dataset_check_memory(ds, more, "The matrix");
	block = MemoryContextAllocHuge(ds->cxt, (Size) cap * Max(ds->nfeatures, 1) * sizeof(double));
	for (int f = 0; f < ds->nfeatures; f++)
	{
		if (ds->n > 0)
			memcpy(block + (Size) f * cap, ds->raw[f], ds->n * sizeof(double));
		ds->raw[f] = block + (Size) f * cap;
	}
	if (ds->block)
		pfree(ds->block);
	ds->block = block;
	ds->y = ds->cap == 0 ?
		MemoryContextAllocHuge(ds->cxt, cap * sizeof(double)) :
		repalloc_huge(ds->y, cap * sizeof(double));
	ds->cap = cap;
}

/* The target of one row, or NaN when the row is dropped. */
static double
target_value(Dataset *ds, Datum d)
{
	DatasetColumn *t = &ds->target;

	if (t->type.kind == FEAT_CATEGORICAL)
		return column_label_code(ds, t, feature_value_label(&t->type, d), true);
	return feature_value_number(&t->type, d);
}

/* DestReceiver callback: one row into the matrix. */
static bool
dataset_receive(TupleTableSlot *slot, DestReceiver *self)
{
	DatasetReceiver *rcv = (DatasetReceiver *) self;
	Dataset    *ds = rcv->ds;
	MemoryContext old;
	int			nf = ds->nfeatures;
	int64		row;
	double		y;

	slot_getallattrs(slot);
	if (slot->tts_isnull[nf])
	{
		ds->dropped_rows++;
		return true;
	}
	old = MemoryContextSwitchTo(rcv->rowcxt);
	y = target_value(ds, slot->tts_values[nf]);
	if (isnan(y))
	{
		ds->dropped_rows++;
		MemoryContextSwitchTo(old);
		return true;
	}

	/* the row's place: the next one, or a reservoir slot, or none */
	ds->rows_read++;
	if (ds->sample_rows == 0 || ds->n < ds->sample_rows)
	{
		if (ds->n == ds->cap)
			dataset_grow(ds);
		row = ds->n++;
	}
	else
	{
		row = (int64) ml_rng_below(&ds->rng, (uint64) ds->rows_read);
		if (row >= ds->sample_rows)
			row = -1;
	}

	for (int f = 0; f < nf; f++)
	{
		DatasetColumn *col = &ds->features[f];
		double		v;

		if (slot->tts_isnull[f])
			v = NAN;
		else if (col->type.kind == FEAT_CATEGORICAL)
			v = column_label_code(ds, col,
								  feature_value_label(&col->type, slot->tts_values[f]),
								  false);
		else if (row < 0)
			continue;
		else
			v = feature_value_fast(&col->type, slot->tts_values[f]);
		if (row >= 0)
			ds->raw[f][row] = v;
	}
	if (row >= 0)
		ds->y[row] = y;
	MemoryContextSwitchTo(old);
	return true;
}

static void
dataset_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
}

static void
dataset_shutdown(DestReceiver *self)
{
}

static void
dataset_destroy(DestReceiver *self)
{
}

/*
 * relation_open of a regclass argument: a regclass need not name a
 * relation that exists (0, a dropped table's oid), and relation_open would
 * then fail as an internal error.
 */
Relation
relation_open_checked(Oid relid, LOCKMODE lockmode)
{
	Relation	rel = try_relation_open(relid, lockmode);

	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	return rel;
}

/* The relation's schema-qualified name, quoted for SQL and messages. */
char *
relation_quoted_name(Relation rel)
{
	return quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
									  RelationGetRelationName(rel));
}

/* Whether name is one of the text values of list. */
static bool
name_in_list(List *list, const char *name)
{
	ListCell   *lc;

	foreach(lc, list)
		if (strcmp((const char *) lfirst(lc), name) == 0)
			return true;
	return false;
}

/*
 * Choose the columns: every live column but the target and the excluded
 * ones; the target and every excluded name must exist.
 */
static void
dataset_columns(Dataset *ds, Relation rel, const char *target, List *exclude,
				StringInfo select)
{
	TupleDesc	desc = RelationGetDescr(rel);
	bool		have_target = false;
	ListCell   *lc;

	ds->features = MemoryContextAllocZero(ds->cxt, sizeof(DatasetColumn) * (desc->natts + 1));
	foreach(lc, exclude)
	{
		const char *name = lfirst(lc);
		bool		found = false;

		for (int i = 0; i < desc->natts; i++)
			if (!TupleDescAttr(desc, i)->attisdropped &&
				strcmp(NameStr(TupleDescAttr(desc, i)->attname), name) == 0)
				found = true;
		if (!found)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("excluded column \"%s\" does not exist in relation %s",
							name, ds->relname)));
	}
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		const char *name = NameStr(att->attname);
		DatasetColumn *col;

		if (att->attisdropped)
			continue;
		if (strcmp(name, target) == 0)
		{
			have_target = true;
			ds->target.name = MemoryContextStrdup(ds->cxt, name);
			feature_type_init(&ds->target.type, att->atttypid, ds->cxt);
			if (!ds->target.type.supported)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("target \"%s\" has type %s, which automl cannot learn",
								name, format_type_be(att->atttypid)),
						 errhint("Targets may be numbers, booleans, text or enums.")));
			continue;
		}
		if (name_in_list(exclude, name))
			continue;
		col = &ds->features[ds->nfeatures];
		feature_type_init(&col->type, att->atttypid, ds->cxt);
		if (!col->type.supported)
		{
			ds->skipped = lappend(ds->skipped, MemoryContextStrdup(ds->cxt, name));
			continue;
		}
		col->name = MemoryContextStrdup(ds->cxt, name);
		if (col->type.kind == FEAT_CATEGORICAL)
			column_init_dict(ds, col);
		appendStringInfo(select, "%s%s", ds->nfeatures > 0 ? ", " : "",
						 quote_identifier(name));
		ds->nfeatures++;
	}
	if (!have_target)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("target column \"%s\" does not exist in relation %s",
						target, ds->relname)));
	if (ds->nfeatures == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("relation %s has no feature columns besides the target \"%s\"",
						ds->relname, target)));
	if (ds->target.type.kind == FEAT_CATEGORICAL)
		column_init_dict(ds, &ds->target);
	appendStringInfo(select, ", %s", quote_identifier(target));
}

Dataset *
dataset_load(Oid relid, const char *target, List *exclude,
			 int64 sample_rows, uint64 seed)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "automl dataset",
											  ALLOCSET_DEFAULT_SIZES);
	Dataset    *ds = MemoryContextAllocZero(cxt, sizeof(Dataset));
	Relation	rel;
	StringInfoData sql;
	DatasetReceiver rcv;
	SPIPlanPtr	plan;
	Portal		portal;
	double		rel_tuples;

	ds->cxt = cxt;
	ds->relid = relid;
	ds->sample_rows = sample_rows;
	ds->max_bytes = (Size) automl_max_training_memory_mb * 1024 * 1024;
	ml_rng_seed(&ds->rng, seed ^ UINT64_C(0x5A4D504C));

	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT ");
	rel = relation_open_checked(relid, AccessShareLock);
	ds->relname = MemoryContextStrdup(cxt, relation_quoted_name(rel));
	ds->raw = NULL;
	dataset_columns(ds, rel, target, exclude, &sql);
	/* the planner's estimate (-1: never analyzed); views have none */
	rel_tuples = rel->rd_rel->reltuples;
	if (rel_tuples > 1e9)
		rel_tuples = 1e9;
	relation_close(rel, AccessShareLock);
	appendStringInfo(&sql, " FROM %s", ds->relname);
	ds->raw = MemoryContextAllocZero(cxt, sizeof(double *) * ds->nfeatures);
	ds->expected_rows = (int64) Max(rel_tuples, 0);

	memset(&rcv, 0, sizeof(rcv));
	rcv.pub.receiveSlot = dataset_receive;
	rcv.pub.rStartup = dataset_startup;
	rcv.pub.rShutdown = dataset_shutdown;
	rcv.pub.rDestroy = dataset_destroy;
	rcv.pub.mydest = DestNone;
	rcv.ds = ds;
	rcv.rowcxt = AllocSetContextCreate(CurrentMemoryContext, "automl dataset batch",
									   ALLOCSET_DEFAULT_SIZES);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = SPI_prepare(sql.data, 0, NULL);
	if (plan == NULL)
		elog(ERROR, "could not prepare the training query: %s",
			 SPI_result_code_string(SPI_result));
	portal = SPI_cursor_open(NULL, plan, NULL, NULL, true);
	for (;;)
	{
		uint64		fetched;

		CHECK_FOR_INTERRUPTS();
		fetched = PortalRunFetch(portal, FETCH_FORWARD, DATASET_BATCH,
								 (DestReceiver *) &rcv);
		MemoryContextReset(rcv.rowcxt);
		if (fetched < DATASET_BATCH)
			break;
	}
	SPI_cursor_close(portal);
	SPI_finish();
	MemoryContextDelete(rcv.rowcxt);
	return ds;
}

/* Order of label codes: most frequent first, then by label. */
static const DatasetColumn *sort_col;

static int
cmp_by_count(const void *a, const void *b)
{
	int			x = *(const int *) a,
				y = *(const int *) b;

	if (sort_col->counts[x] != sort_col->counts[y])
		return sort_col->counts[x] > sort_col->counts[y] ? -1 : 1;
	return strcmp(sort_col->labels[x], sort_col->labels[y]);
}

int *
dataset_category_map(Dataset *ds, int f, int k, char ***cats, int *ncats)
{
	DatasetColumn *col = &ds->features[f];
	int			n = col->nlabels;
	int		   *order = palloc(sizeof(int) * (n + 1));
	int		   *map = palloc(sizeof(int) * (n + 1));
	int			kept = Min(k, n);

	for (int c = 0; c < n; c++)
		order[c] = c;
	sort_col = col;
	qsort(order, n, sizeof(int), cmp_by_count);
	sort_col = NULL;
	*cats = palloc(sizeof(char *) * (kept + 1));
	for (int c = 0; c < n; c++)
		map[order[c]] = c < kept ? c : kept;
	for (int c = 0; c < kept; c++)
		(*cats)[c] = col->labels[order[c]];
	pfree(order);
	*ncats = kept;
	return map;
}

int
dataset_keep_categories(Dataset *ds, int f, int k, char ***cats)
{
	int			kept;
	int		   *map = dataset_category_map(ds, f, k, cats, &kept);
	double	   *v = ds->raw[f];

	for (int64 i = 0; i < ds->n; i++)
		if (!isnan(v[i]))
			v[i] = map[(int) v[i]];
	pfree(map);
	return kept;
}

/*
 * The raw columns as a preprocessor of the given encoding sees them,
 * without changing the dataset: categorical columns are copies with the
 * codes of the k kept categories (k depends on the encoding), the others
 * are the dataset's own columns.  Fills the feature specs of pp (name,
 * type, kind, kept categories); free with dataset_free_view.
 */
double	  **
dataset_view(Dataset *ds, Preprocessor *pp, bool one_hot)
{
	double	  **view = palloc(sizeof(double *) * Max(ds->nfeatures, 1));

	pp->nfeatures = ds->nfeatures;
	pp->one_hot = one_hot;
	pp->features = palloc0(sizeof(FeatureSpec) * Max(ds->nfeatures, 1));
	for (int f = 0; f < ds->nfeatures; f++)
	{
		FeatureSpec *fs = &pp->features[f];

		fs->name = ds->features[f].name;
		fs->type_name = feature_type_name(ds->features[f].type.typid);
		fs->kind = ds->features[f].type.kind;
		view[f] = ds->raw[f];
		if (fs->kind == FEAT_CATEGORICAL)
		{
			int		   *map = dataset_category_map(ds, f, one_hot ? PP_MAX_ONE_HOT : PP_MAX_ORDINAL,
												   &fs->cats, &fs->ncats);

			view[f] = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * Max(ds->n, 1));
			for (int64 i = 0; i < ds->n; i++)
				view[f][i] = isnan(ds->raw[f][i]) ? NAN : map[(int) ds->raw[f][i]];
			pfree(map);
		}
	}
	return view;
}

void
dataset_free_view(Dataset *ds, double **view)
{
	for (int f = 0; f < ds->nfeatures; f++)
		if (view[f] != ds->raw[f])
			pfree(view[f]);
	pfree(view);
}

/*-------------------------------------------------------------------------
 *
 * model_cache.c
 *	  Backend-local cache of decoded models, by name and by model_id.
 *
 * A model is read and decoded once per backend; scoring a row never reads
 * or decodes the bytea again.  Every change to automl.models sends a
 * relcache invalidation for it (registry.c); the callback here only bumps
 * a generation counter, because it may run in the middle of a lookup, and
 * the next lookup drops the stale entries.  Callers keep the model pointer
 * with the generation they got it at and look it up again when the
 * generation moved.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"

#include "ml/model_cache.h"
#include "ml/registry.h"

typedef struct CacheEntry
{
	char		name[REGISTRY_MAX_NAME + 1];	/* key of by_name */
	CachedModel cm;
} CacheEntry;

typedef struct CacheIdEntry
{
	int64		model_id;		/* key of by_id */
	CachedModel cm;
} CacheIdEntry;

static HTAB *by_name = NULL;
static HTAB *by_id = NULL;
static MemoryContext cache_cxt = NULL;
static Oid	models_relid = InvalidOid;
static bool flush_pending = false;

uint64		model_cache_generation = 1;

static void
model_cache_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == models_relid)
	{
		model_cache_generation++;
		flush_pending = true;
	}
}

void
model_cache_init(void)
{
	CacheRegisterRelcacheCallback(model_cache_relcache_callback, (Datum) 0);
}

/* Drop every cached model (their memory with them). */
static void
model_cache_flush(void)
{
	HASHCTL		ctl;

	if (cache_cxt != NULL)
		MemoryContextDelete(cache_cxt);
	cache_cxt = AllocSetContextCreate(TopMemoryContext, "automl model cache",
									  ALLOCSET_DEFAULT_SIZES);
	ctl.keysize = REGISTRY_MAX_NAME + 1;
	ctl.entrysize = sizeof(CacheEntry);
	ctl.hcxt = cache_cxt;
	by_name = hash_create("automl models by name", 64, &ctl,
						  HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(CacheIdEntry);
	by_id = hash_create("automl models by id", 64, &ctl,
						HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	flush_pending = false;
}

static void
model_cache_prepare(void)
{
	/* the table's OID changes when the extension is recreated */
	if (by_name == NULL || flush_pending)
	{
		models_relid = registry_relid();
		model_cache_flush();
	}
}

/*
 * Read and decode the model the query selects ($1 is the key); false if
 * it selects no row.
 */
static bool
load_model(const char *query, Oid argtype, Datum arg, CachedModel *cm,
		   const char *what)
{
	int			ret;
	bool		isnull;
	bytea	   *image;
	MemoryContext cxt,
				old;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(query, 1, &argtype, &arg, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read automl.models: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
	{
		SPI_finish();
		return false;
	}
	cm->model_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
											   SPI_tuptable->tupdesc, 1, &isnull));
	cm->version = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
											  SPI_tuptable->tupdesc, 2, &isnull));
	image = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0],
										  SPI_tuptable->tupdesc, 3, &isnull));
	/* under TopMemoryContext until it is entered: a flush may come first */
	cxt = AllocSetContextCreate(TopMemoryContext, "automl model", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	cm->model = isnull ? NULL :
		model_decode(VARDATA_ANY(image), VARSIZE_ANY_EXHDR(image));
	MemoryContextSwitchTo(old);
	SPI_finish();
	if (cm->model == NULL)
	{
		MemoryContextDelete(cxt);
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("model data is corrupt"),
				 errdetail("The image of %s, version %d, does not decode.",
						   what, cm->version)));
	}
	cm->cxt = cxt;
	return true;
}

const CachedModel *
model_cache_by_name(const char *name)
{
	CacheEntry *e;
	bool		found;

	if (strlen(name) > REGISTRY_MAX_NAME)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("model \"%s\" does not exist", name)));
	model_cache_prepare();
	e = hash_search(by_name, name, HASH_FIND, &found);
	if (found)
		return &e->cm;
	{
		CachedModel cm;
		char	   *what = psprintf("model \"%s\"", name);

		if (!load_model("SELECT model_id, version, model FROM automl.models"
						" WHERE model_name = $1 AND deployed",
						TEXTOID, CStringGetTextDatum(name), &cm, what))
		{
			Oid			argtype = TEXTOID;
			Datum		arg = CStringGetTextDatum(name);
			bool		exists;

			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			SPI_execute_with_args("SELECT 1 FROM automl.models WHERE model_name = $1",
								  1, &argtype, &arg, NULL, true, 1);
			exists = SPI_processed > 0;
			SPI_finish();
			if (exists)
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("model \"%s\" has no deployed version", name),
						 errhint("Deploy one with automl.deploy('%s', version), or predict with a model_id.", name)));
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("model \"%s\" does not exist", name)));
		}
		/* an invalidation during the read makes the entry stale at once */
		if (flush_pending)
			model_cache_prepare();
		e = hash_search(by_name, name, HASH_ENTER, &found);
		e->cm = cm;
		MemoryContextSetParent(cm.cxt, cache_cxt);
		return &e->cm;
	}
}

const CachedModel *
model_cache_by_id(int64 model_id)
{
	CacheIdEntry *e;
	bool		found;
	CachedModel cm;

	model_cache_prepare();
	e = hash_search(by_id, &model_id, HASH_FIND, &found);
	if (found)
		return &e->cm;
	if (!load_model("SELECT model_id, version, model FROM automl.models WHERE model_id = $1",
					INT8OID, Int64GetDatum(model_id), &cm,
					psprintf("model_id %lld", (long long) model_id)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("model_id %lld does not exist", (long long) model_id)));
	if (flush_pending)
		model_cache_prepare();
	e = hash_search(by_id, &model_id, HASH_ENTER, &found);
	e->cm = cm;
	MemoryContextSetParent(cm.cxt, cache_cxt);
	return &e->cm;
}

void
model_require_supervised(const MlModel *m, const char *desc, const char *function)
{
	if (m->task == ML_ANOMALY)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("%s is an anomaly detector, not a trained model: %s does not apply to it",
						desc, function),
				 errhint("Score rows with automl.anomaly_score() or automl.is_anomaly().")));
}

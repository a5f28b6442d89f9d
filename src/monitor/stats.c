/*-------------------------------------------------------------------------
 *
 * stats.c
 *	  Monitoring: how often each automl C function ran, for how long, how
 *	  often it failed and how many rows it handled (automl.stats).
 *
 * Counting without touching the functions.  needs_fmgr_hook tells the
 * function manager which functions we want to see: the C functions of this
 * library (prolang C, probin naming automl).  PostgreSQL then calls them
 * through fmgr_security_definer, which calls fmgr_hook before the function
 * (FHET_START), after it (FHET_END) and when it fails (FHET_ABORT), with a
 * private Datum per FmgrInfo, that is per call site of a query.  The Datum
 * points to a "frame": the function's shared entry, the start time, and
 * the call site's mean time so far.  The answer of needs_fmgr_hook is
 * cached per backend by function oid, so a call costs no catalog lookup and
 * a call site one hash probe.
 *
 * Where the counts live.  A fixed table in shared memory, STATS_MAX_ENTRIES
 * entries keyed by the SQL name of the function ("automl.predict": the
 * overloads share an entry), summed over all databases.  An LWLock guards
 * adding entries; each entry has a spinlock for its counters.  Entries are
 * never removed (reset_stats only zeroes them), so a backend can keep an
 * entry's index for the life of the server.
 *
 * Keeping per-row functions cheap.  automl.predict with a linear model
 * takes under 100 ns a row; reading the clock twice (30 ns each on a VM)
 * and a spinlock for every row would double that.  So:
 *	- the counts go to a backend-local pending slot first, and reach shared
 *	  memory at once for the first STATS_COLD_CALLS calls of a call site and
 *	  for a failed call, then every STATS_FLUSH_EVERY calls, and at the end
 *	  of every transaction (a parallel worker's too, which ends before its
 *	  leader sees it finish);
 *	- after STATS_COLD_CALLS calls, a call site times one call in
 *	  STATS_SAMPLE_EVERY and charges each other call the mean of these
 *	  sampled calls so far (not of the cold ones: predict's first call
 *	  loads the model and would weigh on every later estimate).
 *	  total_ms is then an estimate for per-row functions (exact for those
 *	  called a few times per query, such as train and profile), and max_ms
 *	  only sees the timed calls.
 * What remains is fmgr_security_definer itself; docs/monitoring.md gives
 * the measured cost, and automl.track_stats = off removes it.
 *
 * Set-returning functions.  A value-per-call function is invoked once per
 * row: only the first invocation of a scan (fn_extra still NULL) counts as
 * a call, the others as rows, and the whole scan's time is the call's
 * time.  The materialized sets the automl functions return take a single
 * invocation, which the hooks cannot see rows in: those functions report
 * them with automl_stats_add_rows().
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "portability/instr_time.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

#include "monitor/stats.h"

/* Shared table size: automl has about 35 C functions by SQL name. */
#define STATS_MAX_ENTRIES	128
#define STATS_NAME_LEN		(2 * NAMEDATALEN)	/* "schema.function" */

/* See the header comment: when counts are flushed and calls timed. */
#define STATS_COLD_CALLS	32
#define STATS_SAMPLE_EVERY	64
#define STATS_FLUSH_EVERY	256

/* The library whose C functions are counted: $libdir/automl[.so] */
#define STATS_LIBRARY		"automl"

/* Number of columns of automl._stats() */
#define STATS_COLUMNS		7

typedef struct StatsCounters
{
	int64		calls;
	int64		errors;
	int64		rows;
	double		total_ms;
	double		max_ms;
} StatsCounters;

/* A function's shared entry. */
typedef struct StatsEntry
{
	char		name[STATS_NAME_LEN];	/* set once, under the LWLock */
	slock_t		mutex;			/* protects c */
	StatsCounters c;
} StatsEntry;

typedef struct StatsShared
{
	LWLock	   *lock;			/* adding entries: nentries and names */
	int			nentries;
	pg_atomic_uint64 resets;	/* reset_stats() calls so far */
	StatsEntry	entries[STATS_MAX_ENTRIES];
} StatsShared;

/* This backend's counts not yet added to entry i of the shared table. */
typedef struct StatsPending
{
	bool		dirty;
	int			n;				/* invocations since the last flush */
	uint64		generation;		/* value of resets when they began */
	StatsCounters c;
} StatsPending;

/* What a backend knows about a function oid (needs_fmgr_hook's cache). */
typedef struct StatsFunc
{
	Oid			fn_oid;			/* hash key */
	bool		tracked;		/* a C function of this library */
	int			idx;			/* its shared entry; -1 until known */
	char		name[STATS_NAME_LEN];
} StatsFunc;

/* A call site (FmgrInfo) of a counted function, in fmgr_hook's Datum. */
typedef struct StatsFrame
{
	int			idx;			/* shared entry; -1: not counted */
	Datum		next_private;	/* the previous fmgr_hook's own Datum */
	struct StatsFrame *outer;	/* running frame when this one started */
	int			depth;			/* > 1 while the call site re-enters itself */
	bool		counting;		/* the current invocation is counted */
	bool		timing;			/* ... and timed */
	bool		new_call;		/* ... and is the first of a call */
	instr_time	start;
	int64		invocations;
	int64		sampled;		/* timed invocations after the cold ones, */
	double		sampled_ms;		/* and their time: the mean charged to */
	double		mean_ms;		/* the untimed ones */
	double		scan_ms;		/* a set-returning call's time so far */
} StatsFrame;

bool		automl_track_stats = true;

static StatsShared *stats_shared = NULL;
static StatsPending stats_pending[STATS_MAX_ENTRIES];
static bool stats_any_pending = false;
static StatsFrame *stats_current = NULL;	/* innermost running frame */
static HTAB *stats_funcs = NULL;
static bool stats_funcs_stale = false;
static bool stats_callbacks_registered = false;
static bool stats_full_logged = false;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;
static needs_fmgr_hook_type prev_needs_fmgr_hook = NULL;
static fmgr_hook_type prev_fmgr_hook = NULL;

PG_FUNCTION_INFO_V1(automl_stats);
PG_FUNCTION_INFO_V1(automl_reset_stats);

static void
stats_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(StatsShared)));
	RequestNamedLWLockTranche("automl_stats", 1);
}

static void
stats_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	stats_shared = ShmemInitStruct("automl stats", sizeof(StatsShared), &found);
	if (!found)
	{
		memset(stats_shared, 0, sizeof(StatsShared));
		stats_shared->lock = &(GetNamedLWLockTranche("automl_stats"))->lock;
		pg_atomic_init_u64(&stats_shared->resets, 0);
	}
	LWLockRelease(AddinShmemInitLock);
}

/* Whether a probin names this library ("$libdir/automl", ".../automl.so"). */
static bool
stats_is_our_library(const char *probin)
{
	const char *base = last_dir_separator(probin);
	size_t		len = strlen(STATS_LIBRARY);

	base = base ? base + 1 : probin;
	if (strncmp(base, STATS_LIBRARY, len) != 0)
		return false;
	return base[len] == '\0' || strcmp(base + len, DLSUFFIX) == 0;
}

/* Whether a C symbol is one of the functions behind automl.stats. */
static bool
stats_is_own_symbol(const char *prosrc)
{
	return strcmp(prosrc, "automl_stats") == 0 ||
		strcmp(prosrc, "automl_reset_stats") == 0;
}

/*
 * Fills fn from pg_proc: whether the function is counted, and its name.
 * The functions behind automl.stats itself are not: reading the view
 * would change it.
 */
static void
stats_classify(Oid fn_oid, StatsFunc *fn)
{
	HeapTuple	tup;
	Form_pg_proc proc;
	Datum		d;
	bool		isnull;

	fn->tracked = false;
	fn->name[0] = '\0';
	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn_oid));
	if (!HeapTupleIsValid(tup))
		return;
	proc = (Form_pg_proc) GETSTRUCT(tup);
	if (proc->prolang == ClanguageId)
	{
		d = SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_probin, &isnull);
		if (!isnull)
		{
			char	   *bin = TextDatumGetCString(d);

			if (stats_is_our_library(bin))
			{
				d = SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_prosrc, &isnull);
				fn->tracked = !isnull && !stats_is_own_symbol(TextDatumGetCString(d));
			}
			pfree(bin);
		}
	}
	if (fn->tracked)
	{
		char	   *nsp = get_namespace_name(proc->pronamespace);

		snprintf(fn->name, STATS_NAME_LEN, "%s.%s",
				 nsp ? nsp : "?", NameStr(proc->proname));
		if (nsp)
			pfree(nsp);
	}
	ReleaseSysCache(tup);
}

/*
 * pg_proc changed: forget what we know about function oids (an oid may be
 * reused by another function).  Only a flag, as the callback can run in
 * the middle of stats_function().
 */
static void
stats_proc_invalidated(Datum arg, int cacheid, uint32 hashvalue)
{
	stats_funcs_stale = true;
}

/* Flushes every pending count at the end of each transaction. */
static void stats_xact_callback(XactEvent event, void *arg);

static void
stats_register_callbacks(void)
{
	if (stats_callbacks_registered)
		return;
	CacheRegisterSyscacheCallback(PROCOID, stats_proc_invalidated, (Datum) 0);
	RegisterXactCallback(stats_xact_callback, NULL);
	stats_callbacks_registered = true;
}

/* The backend's knowledge of function fn_oid, from its cache or pg_proc. */
static StatsFunc *
stats_function(Oid fn_oid)
{
	StatsFunc  *fn;
	StatsFunc	looked_up;

	if (stats_funcs == NULL || stats_funcs_stale)
	{
		HASHCTL		ctl;

		stats_register_callbacks();
		if (stats_funcs)
			hash_destroy(stats_funcs);
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(StatsFunc);
		stats_funcs = hash_create("automl stats functions", 64, &ctl,
								  HASH_ELEM | HASH_BLOBS);
		stats_funcs_stale = false;
	}
	fn = hash_search(stats_funcs, &fn_oid, HASH_FIND, NULL);
	if (fn)
		return fn;

	/* catalog lookups may run invalidation callbacks: before HASH_ENTER */
	stats_classify(fn_oid, &looked_up);
	fn = hash_search(stats_funcs, &fn_oid, HASH_ENTER, NULL);
	fn->tracked = looked_up.tracked;
	fn->idx = -1;
	strlcpy(fn->name, looked_up.name, STATS_NAME_LEN);
	return fn;
}

/* Index of name's shared entry, added if new; -1 if the table is full. */
static int
stats_entry_index(const char *name)
{
	int			idx = -1;

	LWLockAcquire(stats_shared->lock, LW_SHARED);
	for (int i = 0; i < stats_shared->nentries && idx < 0; i++)
		if (strcmp(stats_shared->entries[i].name, name) == 0)
			idx = i;
	LWLockRelease(stats_shared->lock);
	if (idx >= 0)
		return idx;

	LWLockAcquire(stats_shared->lock, LW_EXCLUSIVE);
	for (int i = 0; i < stats_shared->nentries && idx < 0; i++)
		if (strcmp(stats_shared->entries[i].name, name) == 0)
			idx = i;
	if (idx < 0 && stats_shared->nentries < STATS_MAX_ENTRIES)
	{
		StatsEntry *e = &stats_shared->entries[stats_shared->nentries];

		memset(e, 0, sizeof(*e));
		strlcpy(e->name, name, STATS_NAME_LEN);
		SpinLockInit(&e->mutex);
		idx = stats_shared->nentries++;
	}
	LWLockRelease(stats_shared->lock);

	if (idx < 0 && !stats_full_logged)
	{
		ereport(LOG,
				(errmsg("automl.stats is full: calls of %s are not counted", name),
				 errdetail("The table has room for %d functions.", STATS_MAX_ENTRIES)));
		stats_full_logged = true;
	}
	return idx;
}

static void
stats_counters_add(StatsCounters *to, const StatsCounters *from)
{
	to->calls += from->calls;
	to->errors += from->errors;
	to->rows += from->rows;
	to->total_ms += from->total_ms;
	if (to->max_ms < from->max_ms)
		to->max_ms = from->max_ms;
}

/* The pending counts of entry idx, marked as begun now if they were empty. */
static inline StatsPending *
stats_pending_slot(int idx)
{
	StatsPending *p = &stats_pending[idx];

	if (!p->dirty)
	{
		p->dirty = true;
		p->generation = pg_atomic_read_u64(&stats_shared->resets);
		stats_any_pending = true;
	}
	return p;
}

/*
 * Adds the pending counts of entry idx to shared memory.  Counts that began
 * before a reset_stats() are dropped; the check is under the entry's
 * spinlock, and reset_stats() counts the reset before it zeroes the entries
 * under the same spinlocks, so none slips in after its zeroing.
 */
static void
stats_flush(int idx)
{
	StatsPending *p = &stats_pending[idx];
	StatsEntry *e = &stats_shared->entries[idx];

	if (!p->dirty)
		return;
	SpinLockAcquire(&e->mutex);
	if (pg_atomic_read_u64(&stats_shared->resets) == p->generation)
		stats_counters_add(&e->c, &p->c);
	SpinLockRelease(&e->mutex);
	memset(p, 0, sizeof(*p));
}

static void
stats_flush_all(void)
{
	if (!stats_any_pending || stats_shared == NULL)
		return;
	for (int i = 0; i < STATS_MAX_ENTRIES; i++)
		stats_flush(i);
	stats_any_pending = false;
}

static void
stats_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			stats_flush_all();
			break;
		default:
			break;
	}
}

static bool
stats_needs_fmgr_hook(Oid fn_oid)
{
	if (prev_needs_fmgr_hook && prev_needs_fmgr_hook(fn_oid))
		return true;
	if (!automl_track_stats || stats_shared == NULL)
		return false;
	return stats_function(fn_oid)->tracked;
}

/*
 * A frame for a new call site, in the FmgrInfo's context: it lives as long
 * as the call site.  fmgr_hook also sees the functions another hook wanted
 * (or SECURITY DEFINER ones): those get a frame that only chains.
 */
static StatsFrame *
stats_frame_new(FmgrInfo *flinfo)
{
	StatsFrame *f = MemoryContextAllocZero(flinfo->fn_mcxt, sizeof(StatsFrame));
	StatsFunc  *fn;

	f->idx = -1;
	if (stats_shared == NULL)
		return f;
	fn = stats_function(flinfo->fn_oid);
	if (fn->tracked)
	{
		if (fn->idx < 0)
			fn->idx = stats_entry_index(fn->name);
		f->idx = fn->idx;
	}
	return f;
}

static void
stats_start(StatsFrame *f, FmgrInfo *flinfo)
{
	/* a call site that re-enters itself: only the outer call counts */
	if (f->depth++ > 0)
		return;
	f->counting = f->idx >= 0 && automl_track_stats;
	if (!f->counting)
		return;
	f->invocations++;
	f->new_call = !flinfo->fn_retset || flinfo->fn_extra == NULL;
	/* the first hot invocation is timed: the others need a mean */
	f->timing = flinfo->fn_retset || f->invocations <= STATS_COLD_CALLS ||
		(f->invocations - STATS_COLD_CALLS - 1) % STATS_SAMPLE_EVERY == 0;
	f->outer = stats_current;
	stats_current = f;
	if (f->timing)
		INSTR_TIME_SET_CURRENT(f->start);
}

static void
stats_end(StatsFrame *f, FmgrInfo *flinfo, bool failed)
{
	StatsPending *p;
	double		ms;
	double		longest;

	if (--f->depth > 0 || !f->counting)
		return;
	f->counting = false;
	if (f->timing)
	{
		instr_time	now;

		INSTR_TIME_SET_CURRENT(now);
		INSTR_TIME_SUBTRACT(now, f->start);
		ms = INSTR_TIME_GET_MILLISEC(now);
		if (f->invocations > STATS_COLD_CALLS)
		{
			/*
			 * Only the sample stands for the untimed calls: a cold call can
			 * be much slower (predict's first call loads the model).
			 */
			f->sampled++;
			f->sampled_ms += ms;
			f->mean_ms = f->sampled_ms / f->sampled;
		}
	}
	else
		ms = f->mean_ms;
	stats_current = f->outer;

	p = stats_pending_slot(f->idx);
	p->n++;
	p->c.calls += f->new_call;
	p->c.errors += failed;
	p->c.total_ms += ms;
	if (flinfo->fn_retset)
	{
		/* value-per-call: a row came back unless the scan ended */
		f->scan_ms = f->new_call ? ms : f->scan_ms + ms;
		if (!failed && flinfo->fn_extra != NULL)
			p->c.rows++;
		longest = f->scan_ms;
	}
	else
		longest = f->timing ? ms : 0;
	if (p->c.max_ms < longest)
		p->c.max_ms = longest;

	if (failed || f->invocations <= STATS_COLD_CALLS || p->n >= STATS_FLUSH_EVERY)
		stats_flush(f->idx);
}

/*
 * fmgr_hook: the previous hook keeps its own Datum in our frame, and runs
 * outside our timing.
 */
static void
stats_fmgr_hook(FmgrHookEventType event, FmgrInfo *flinfo, Datum *private)
{
	StatsFrame *f = (StatsFrame *) DatumGetPointer(*private);

	if (event == FHET_START)
	{
		if (f == NULL)
		{
			f = stats_frame_new(flinfo);
			*private = PointerGetDatum(f);
		}
		if (prev_fmgr_hook)
			prev_fmgr_hook(event, flinfo, &f->next_private);
		stats_start(f, flinfo);
		return;
	}
	if (f == NULL)
	{
		/* cannot happen: END and ABORT follow a START */
		if (prev_fmgr_hook)
			prev_fmgr_hook(event, flinfo, private);
		return;
	}
	stats_end(f, flinfo, event == FHET_ABORT);
	if (prev_fmgr_hook)
		prev_fmgr_hook(event, flinfo, &f->next_private);
}

void
stats_init(void)
{
	/*
	 * PGC_SIGHUP, not per session: a SET within a query (set_config) could
	 * make JIT-compiled code and the function manager disagree on whether a
	 * function goes through the hook.
	 */
	DefineCustomBoolVariable("automl.track_stats",
							 "Counts the calls of automl functions in automl.stats.",
							 "Needs automl in shared_preload_libraries. Off, calls take no detour through the function manager's hooks.",
							 &automl_track_stats,
							 true,
							 PGC_SIGHUP, 0,
							 NULL, NULL, NULL);

	if (!process_shared_preload_libraries_in_progress)
		return;
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = stats_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = stats_shmem_startup;
	prev_needs_fmgr_hook = needs_fmgr_hook;
	needs_fmgr_hook = stats_needs_fmgr_hook;
	prev_fmgr_hook = fmgr_hook;
	fmgr_hook = stats_fmgr_hook;
}

void
automl_stats_add_rows(int64 n)
{
	if (stats_current == NULL || n <= 0)
		return;
	stats_pending_slot(stats_current->idx)->c.rows += n;
}

static void
stats_check_enabled(void)
{
	if (stats_shared == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("automl statistics are not enabled"),
				 errdetail("automl.stats is kept in shared memory, which automl can only reserve when the server starts."),
				 errhint("Add automl to shared_preload_libraries in postgresql.conf and restart the server.")));
}

typedef struct StatsRow
{
	char		name[STATS_NAME_LEN];
	StatsCounters c;
} StatsRow;

static int
stats_row_cmp(const void *a, const void *b)
{
	return strcmp(((const StatsRow *) a)->name, ((const StatsRow *) b)->name);
}

/*
 * automl._stats() RETURNS TABLE(function text, calls bigint, total_ms
 * float8, mean_ms float8, max_ms float8, errors bigint, rows bigint): the
 * shared table by function name, after this backend's own pending counts.
 */
Datum
automl_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	StatsRow   *rows;
	int			n;

	stats_check_enabled();
	stats_flush_all();
	InitMaterializedSRF(fcinfo, 0);

	rows = palloc(sizeof(StatsRow) * STATS_MAX_ENTRIES);
	LWLockAcquire(stats_shared->lock, LW_SHARED);
	n = stats_shared->nentries;
	for (int i = 0; i < n; i++)
	{
		StatsEntry *e = &stats_shared->entries[i];

		memcpy(rows[i].name, e->name, STATS_NAME_LEN);
		SpinLockAcquire(&e->mutex);
		rows[i].c = e->c;
		SpinLockRelease(&e->mutex);
	}
	LWLockRelease(stats_shared->lock);
	qsort(rows, n, sizeof(StatsRow), stats_row_cmp);

	for (int i = 0; i < n; i++)
	{
		StatsCounters *c = &rows[i].c;
		Datum		values[STATS_COLUMNS];
		bool		nulls[STATS_COLUMNS] = {0};

		values[0] = CStringGetTextDatum(rows[i].name);
		values[1] = Int64GetDatum(c->calls);
		values[2] = Float8GetDatum(c->total_ms);
		values[3] = Float8GetDatum(c->calls > 0 ? c->total_ms / c->calls : 0.0);
		values[4] = Float8GetDatum(c->max_ms);
		values[5] = Int64GetDatum(c->errors);
		values[6] = Int64GetDatum(c->rows);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	pfree(rows);
	return (Datum) 0;
}

/*
 * automl.reset_stats() RETURNS void: zeroes every entry (the function names
 * stay, with zero counts).
 */
Datum
automl_reset_stats(PG_FUNCTION_ARGS)
{
	stats_check_enabled();
	pg_atomic_fetch_add_u64(&stats_shared->resets, 1);
	LWLockAcquire(stats_shared->lock, LW_SHARED);
	for (int i = 0; i < stats_shared->nentries; i++)
	{
		StatsEntry *e = &stats_shared->entries[i];

		SpinLockAcquire(&e->mutex);
		memset(&e->c, 0, sizeof(e->c));
		SpinLockRelease(&e->mutex);
	}
	LWLockRelease(stats_shared->lock);
	PG_RETURN_VOID();
}

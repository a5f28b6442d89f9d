/*-------------------------------------------------------------------------
 *
 * dispatcher.c
 *	  The dispatcher of one database: claims queued jobs in job_id order
 *	  while fewer than automl.max_workers jobs run (in all databases),
 *	  starts a job worker for each, publishes their progress, and fails the
 *	  jobs whose worker is gone.
 *
 * Progress is written by the worker into its shared slot; the dispatcher
 * copies it into automl.jobs (and NOTIFYs) in short transactions of its
 * own, because the worker's transaction stays invisible until the job
 * ends.
 *
 * A job is 'running' exactly while a shared slot holds it: a worker frees
 * its slot when it exits, after its last transaction.  So a 'running' row
 * without a slot is a job whose worker died (or that was running when the
 * server went down: shared memory starts empty), and the dispatcher marks
 * it failed; that is how crashes are recovered, at start and on every
 * wake-up.
 *
 * The dispatcher exits after a few idle seconds with nothing queued or
 * running in its database; the next submission asks the launcher for a new
 * one.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "jobs/jobs.h"

/* exit after this long with nothing to do */
#define DISPATCHER_IDLE_MS		5000
/* publish a job's progress at most this often */
#define PROGRESS_INTERVAL_MS	2000

typedef struct Launched
{
	BackgroundWorkerHandle *handle;
	int			slot;
	int64		job_id;
	double		published;		/* progress last written to automl.jobs */
	TimestampTz published_at;
} Launched;

static Launched launched[JOBS_MAX_SLOTS];
static int	nlaunched = 0;
static JobDatabase *my_db = NULL;

/*
 * On exit: give up the database's entry, keeping it (and waking the
 * launcher) if jobs were submitted meanwhile.
 */
static void
dispatcher_detach(int code, Datum arg)
{
	Latch	   *launcher;

	LWLockAcquire(jobs_shared->lock, LW_EXCLUSIVE);
	if (my_db->dispatcher_pid == MyProcPid)
	{
		my_db->dispatcher_pid = 0;
		my_db->dispatcher_latch = NULL;
		if (!my_db->requested)
			my_db->dboid = InvalidOid;
	}
	launcher = jobs_shared->launcher_latch;
	LWLockRelease(jobs_shared->lock);
	if (launcher)
		SetLatch(launcher);
}

/*
 * Register as the dispatcher of dboid, taking its request; false if
 * another dispatcher has it.  Done before connecting, so that the request
 * of a database that cannot be connected to (dropped meanwhile) is not
 * retried for ever.
 */
static bool
dispatcher_attach(Oid dboid)
{
	bool		ok = false;

	LWLockAcquire(jobs_shared->lock, LW_EXCLUSIVE);
	for (int i = 0; i < JOBS_MAX_DATABASES; i++)
		if (jobs_shared->dbs[i].dboid == dboid)
		{
			my_db = &jobs_shared->dbs[i];
			break;
		}
	if (my_db && my_db->dispatcher_pid == 0)
	{
		my_db->dispatcher_pid = MyProcPid;
		my_db->dispatcher_latch = MyLatch;
		my_db->requested = false;
		ok = true;
	}
	LWLockRelease(jobs_shared->lock);
	if (ok)
		before_shmem_exit(dispatcher_detach, (Datum) 0);
	return ok;
}

/* Whether automl (with its jobs table) is installed in this database. */
static bool
automl_installed(void)
{
	bool		installed;

	StartTransactionCommand();
	installed = OidIsValid(get_extension_oid("automl", true)) &&
		OidIsValid(RangeVarGetRelid(makeRangeVar("automl", "jobs", -1), NoLock, true));
	CommitTransactionCommand();
	return installed;
}

/* Job ids held by the slots of this database. */
static int
live_jobs(int64 *ids)
{
	int			n = 0;

	LWLockAcquire(jobs_shared->lock, LW_SHARED);
	for (int i = 0; i < JOBS_MAX_SLOTS; i++)
	{
		JobSlot    *s = &jobs_shared->slots[i];

		if (s->in_use && s->dboid == MyDatabaseId && s->job_id != 0)
			ids[n++] = s->job_id;
	}
	LWLockRelease(jobs_shared->lock);
	return n;
}

/*
 * Fail the 'running' jobs that no slot holds (inside a transaction; the
 * slots are read first, so a worker that frees its slot has committed).
 */
static void
fail_orphaned_jobs(void)
{
	int64		ids[JOBS_MAX_SLOTS];
	Datum		elems[JOBS_MAX_SLOTS];
	int			n = live_jobs(ids);
	Oid			types[1] = {INT8ARRAYOID};
	Datum		values[1];
	int			ret;
	uint64		nfailed;
	int64	   *failed;

	for (int i = 0; i < n; i++)
		elems[i] = Int64GetDatum(ids[i]);
	values[0] = PointerGetDatum(construct_array(elems, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	ret = SPI_execute_with_args("UPDATE automl.jobs SET status = 'failed', finished_at = pg_catalog.clock_timestamp(),"
								" error = 'the job''s worker stopped before the job finished"
								" (it was terminated, or the server restarted)'"
								" WHERE status OPERATOR(pg_catalog.=) 'running'"
								" AND job_id OPERATOR(pg_catalog.<>) ALL ($1) RETURNING job_id",
								1, types, values, NULL, false, 0);
	if (ret != SPI_OK_UPDATE_RETURNING)
		elog(ERROR, "could not update automl.jobs: %s", SPI_result_code_string(ret));
	nfailed = SPI_processed;
	failed = palloc(sizeof(int64) * Max(nfailed, 1));
	for (uint64 i = 0; i < nfailed; i++)
	{
		bool		isnull;

		failed[i] = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
	}
	for (uint64 i = 0; i < nfailed; i++)
	{
		elog(LOG, "automl: job " INT64_FORMAT " failed: its worker stopped before the job finished", failed[i]);
		job_notify(failed[i], "failed", 0);
	}
}

/* A free slot for this database, if fewer than automl.max_workers run. */
static int
reserve_slot(void)
{
	int			running = 0,
				free_slot = -1;

	LWLockAcquire(jobs_shared->lock, LW_EXCLUSIVE);
	for (int i = 0; i < JOBS_MAX_SLOTS; i++)
	{
		if (jobs_shared->slots[i].in_use)
			running++;
		else if (free_slot < 0)
			free_slot = i;
	}
	if (running >= automl_max_workers)
		free_slot = -1;
	if (free_slot >= 0)
	{
		JobSlot    *s = &jobs_shared->slots[free_slot];

		memset(s, 0, sizeof(*s));
		s->in_use = true;
		s->dboid = MyDatabaseId;
	}
	LWLockRelease(jobs_shared->lock);
	return free_slot;
}

static void
release_slot(int slot, int64 job_id)
{
	LWLockAcquire(jobs_shared->lock, LW_EXCLUSIVE);
	if (jobs_shared->slots[slot].job_id == job_id)
		memset(&jobs_shared->slots[slot], 0, sizeof(JobSlot));
	LWLockRelease(jobs_shared->lock);
}

static BackgroundWorkerHandle *
start_job_worker(int slot, int64 job_id)
{
	BackgroundWorker bgw;
	BackgroundWorkerHandle *handle;
	Oid			dboid = MyDatabaseId;
	char		name[BGW_MAXLEN];

	snprintf(name, sizeof(name), "automl job " INT64_FORMAT, job_id);
	jobs_worker_init(&bgw, "automl_job_worker_main", "automl job", name);
	bgw.bgw_main_arg = Int32GetDatum(slot);
	memcpy(bgw.bgw_extra, &job_id, sizeof(job_id));
	memcpy(bgw.bgw_extra + sizeof(job_id), &dboid, sizeof(dboid));
	bgw.bgw_notify_pid = MyProcPid;
	if (!RegisterDynamicBackgroundWorker(&bgw, &handle))
		return NULL;
	return handle;
}

/*
 * Claim the oldest queued job into a reserved slot and start its worker.
 * Returns false when nothing is queued or nothing more can start now.
 */
static bool
start_next_job(void)
{
	int			slot = reserve_slot();
	int64		job_id = 0;
	int			ret;
	BackgroundWorkerHandle *handle;

	if (slot < 0)
		return false;
	job_begin_transaction();
	ret = SPI_execute("UPDATE automl.jobs SET status = 'running', started_at = pg_catalog.clock_timestamp(),"
					  " progress = 0 WHERE job_id OPERATOR(pg_catalog.=)"
					  " (SELECT job_id FROM automl.jobs WHERE status OPERATOR(pg_catalog.=) 'queued'"
					  "  ORDER BY job_id LIMIT 1 FOR UPDATE SKIP LOCKED)"
					  " RETURNING job_id", false, 0);
	if (ret != SPI_OK_UPDATE_RETURNING)
		elog(ERROR, "could not update automl.jobs: %s", SPI_result_code_string(ret));
	if (SPI_processed > 0)
	{
		bool		isnull;

		job_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		/* before the commit, so that cancel_job finds the running job */
		LWLockAcquire(jobs_shared->lock, LW_EXCLUSIVE);
		jobs_shared->slots[slot].job_id = job_id;
		LWLockRelease(jobs_shared->lock);
		job_notify(job_id, "running", 0);
	}
	job_commit_transaction();
	if (job_id == 0)
	{
		release_slot(slot, 0);
		return false;
	}

	handle = start_job_worker(slot, job_id);
	if (handle == NULL)
	{
		/* no background worker slot free (max_worker_processes): retry later */
		job_begin_transaction();
		SPI_execute_with_args("UPDATE automl.jobs SET status = 'queued', started_at = NULL"
							  " WHERE job_id OPERATOR(pg_catalog.=) $1 AND status OPERATOR(pg_catalog.=) 'running'",
							  1, (Oid[]) {INT8OID}, (Datum[]) {Int64GetDatum(job_id)}, NULL, false, 0);
		job_notify(job_id, "queued", 0);
		release_slot(slot, job_id);
		job_commit_transaction();
		ereport(LOG,
				(errmsg("automl: could not start a worker for job " INT64_FORMAT "; it stays queued", job_id),
				 errhint("Raise max_worker_processes.")));
		return false;
	}
	launched[nlaunched].handle = handle;
	launched[nlaunched].slot = slot;
	launched[nlaunched].job_id = job_id;
	launched[nlaunched].published = 0;
	launched[nlaunched].published_at = GetCurrentTimestamp();
	nlaunched++;
	return true;
}

/*
 * Forget the workers that have stopped; free the slot of one that stopped
 * before it could (it never started, or died at once).
 */
static void
reap_workers(void)
{
	for (int i = 0; i < nlaunched;)
	{
		pid_t		pid;

		if (GetBackgroundWorkerPid(launched[i].handle, &pid) == BGWH_STOPPED)
		{
			release_slot(launched[i].slot, launched[i].job_id);
			pfree(launched[i].handle);
			launched[i] = launched[--nlaunched];
		}
		else
			i++;
	}
}

/* Copy the running jobs' progress into automl.jobs, throttled. */
static void
publish_progress(void)
{
	TimestampTz now = GetCurrentTimestamp();
	bool		started = false;

	for (int i = 0; i < nlaunched; i++)
	{
		Launched   *l = &launched[i];
		double		progress;

		LWLockAcquire(jobs_shared->lock, LW_SHARED);
		progress = jobs_shared->slots[l->slot].job_id == l->job_id ?
			jobs_shared->slots[l->slot].progress : l->published;
		LWLockRelease(jobs_shared->lock);
		if (progress < l->published + 1.0 ||
			!TimestampDifferenceExceeds(l->published_at, now, PROGRESS_INTERVAL_MS))
			continue;
		if (!started)
		{
			job_begin_transaction();
			started = true;
		}
		SPI_execute_with_args("UPDATE automl.jobs SET progress = $2"
							  " WHERE job_id OPERATOR(pg_catalog.=) $1 AND status OPERATOR(pg_catalog.=) 'running'",
							  2, (Oid[]) {INT8OID, FLOAT8OID},
							  (Datum[]) {Int64GetDatum(l->job_id), Float8GetDatum(progress)},
							  NULL, false, 0);
		if (SPI_processed > 0)
			job_notify(l->job_id, "running", progress);
		l->published = progress;
		l->published_at = now;
	}
	if (started)
		job_commit_transaction();
}

void
automl_jobs_dispatcher_main(Datum arg)
{
	Oid			dboid = DatumGetObjectId(arg);
	TimestampTz idle_since;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	if (!dispatcher_attach(dboid))
		proc_exit(0);
	BackgroundWorkerInitializeConnectionByOid(dboid, InvalidOid, 0);
	pgstat_report_appname("automl dispatcher");
	if (!automl_installed())
		proc_exit(0);

	idle_since = GetCurrentTimestamp();
	for (;;)
	{
		bool		queued_left;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		/* requests made from here on are seen by the next pass */
		LWLockAcquire(jobs_shared->lock, LW_EXCLUSIVE);
		my_db->requested = false;
		LWLockRelease(jobs_shared->lock);

		reap_workers();
		job_begin_transaction();
		fail_orphaned_jobs();
		job_commit_transaction();
		while (start_next_job())
			;
		publish_progress();

		job_begin_transaction();
		SPI_execute("SELECT 1 FROM automl.jobs WHERE status OPERATOR(pg_catalog.=) 'queued' LIMIT 1", true, 1);
		queued_left = SPI_processed > 0;
		job_commit_transaction();
		pgstat_report_activity(STATE_IDLE, NULL);

		if (nlaunched > 0 || queued_left)
			idle_since = GetCurrentTimestamp();
		else if (TimestampDifferenceExceeds(idle_since, GetCurrentTimestamp(), DISPATCHER_IDLE_MS))
		{
			bool		requested;

			/* a request arriving after this is kept by dispatcher_detach */
			LWLockAcquire(jobs_shared->lock, LW_SHARED);
			requested = my_db->requested;
			LWLockRelease(jobs_shared->lock);
			if (!requested)
				proc_exit(0);
		}

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 500L, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

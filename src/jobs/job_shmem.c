/*-------------------------------------------------------------------------
 *
 * job_shmem.c
 *	  Background jobs: GUCs, the shared state, the launcher's registration,
 *	  and the SQL-callable pieces of submitting and cancelling a job.
 *
 * A submission only inserts a row into automl.jobs; the dispatcher of the
 * database must then be told, but not before the row is visible, so the
 * request is made when the submitting transaction commits (a transaction
 * callback), and dropped if it aborts.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>

#include "access/xact.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "jobs/jobs.h"

JobsShared *jobs_shared = NULL;
int			automl_max_workers = 2;
int			automl_max_jobs_per_role = 10;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;
static bool wake_at_commit = false;
static bool xact_callback_registered = false;

static void
jobs_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(JobsShared)));
	RequestNamedLWLockTranche("automl_jobs", 1);
}

static void
jobs_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	jobs_shared = ShmemInitStruct("automl jobs", sizeof(JobsShared), &found);
	if (!found)
	{
		memset(jobs_shared, 0, sizeof(JobsShared));
		jobs_shared->lock = &(GetNamedLWLockTranche("automl_jobs"))->lock;
	}
	LWLockRelease(AddinShmemInitLock);
}

/*
 * Fill in a background worker of ours: function, name and type, started
 * when the server accepts connections, never restarted by the postmaster.
 */
void
jobs_worker_init(BackgroundWorker *bgw, const char *function, const char *type,
				 const char *name)
{
	memset(bgw, 0, sizeof(*bgw));
	bgw->bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	bgw->bgw_start_time = BgWorkerStart_RecoveryFinished;
	bgw->bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(bgw->bgw_library_name, BGW_MAXLEN, "automl");
	snprintf(bgw->bgw_function_name, BGW_MAXLEN, "%s", function);
	snprintf(bgw->bgw_type, BGW_MAXLEN, "%s", type);
	snprintf(bgw->bgw_name, BGW_MAXLEN, "%s", name);
}

static void
register_launcher(void)
{
	BackgroundWorker bgw;

	jobs_worker_init(&bgw, "automl_jobs_launcher_main", "automl launcher", "automl launcher");
	bgw.bgw_restart_time = 5;
	RegisterBackgroundWorker(&bgw);
}

void
jobs_init(void)
{
	DefineCustomIntVariable("automl.max_workers",
							"Most automl background jobs that run at once.",
							"The others wait in automl.jobs, first in first out.",
							&automl_max_workers,
							2, 1, JOBS_MAX_SLOTS,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("automl.max_jobs_per_role",
							"Most automl background jobs one role may have queued or running.",
							NULL,
							&automl_max_jobs_per_role,
							10, 1, 100000,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);

	if (!process_shared_preload_libraries_in_progress)
		return;
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = jobs_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = jobs_shmem_startup;
	register_launcher();
}

/* Whether this server runs background jobs (automl was preloaded). */
bool
jobs_enabled(void)
{
	return jobs_shared != NULL;
}

/*
 * Ask for a dispatcher in dboid: its entry is marked requested and the
 * dispatcher (if one runs) and the launcher are woken.
 */
void
jobs_request_database(Oid dboid)
{
	JobDatabase *free_entry = NULL;
	JobDatabase *entry = NULL;
	Latch	   *launcher;

	LWLockAcquire(jobs_shared->lock, LW_EXCLUSIVE);
	for (int i = 0; i < JOBS_MAX_DATABASES; i++)
	{
		JobDatabase *d = &jobs_shared->dbs[i];

		if (d->dboid == dboid)
		{
			entry = d;
			break;
		}
		if (d->dboid == InvalidOid && free_entry == NULL)
			free_entry = d;
	}
	if (entry == NULL && free_entry != NULL)
	{
		entry = free_entry;
		memset(entry, 0, sizeof(*entry));
		entry->dboid = dboid;
	}
	if (entry != NULL)
	{
		entry->requested = true;
		if (entry->dispatcher_latch)
			SetLatch(entry->dispatcher_latch);
	}
	launcher = jobs_shared->launcher_latch;
	LWLockRelease(jobs_shared->lock);
	if (entry == NULL)
		elog(WARNING, "automl: more than %d databases have background jobs; jobs of database %u wait for a free entry",
			 JOBS_MAX_DATABASES, dboid);
	if (launcher)
		SetLatch(launcher);
}

static void
jobs_xact_callback(XactEvent event, void *arg)
{
	if (!wake_at_commit)
		return;
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT)
	{
		wake_at_commit = false;
		jobs_request_database(MyDatabaseId);
	}
	else if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		wake_at_commit = false;
}

static void
check_jobs_enabled(void)
{
	if (!jobs_enabled())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("automl background jobs are not enabled"),
				 errhint("Add automl to shared_preload_libraries in postgresql.conf and restart the server; automl.train and automl.profile work without it.")));
}

/*
 * automl._job_submitted(): called by the submitting functions before they
 * insert the job; ERROR if jobs are not enabled, else the database's
 * dispatcher is woken when the transaction commits.
 */
PG_FUNCTION_INFO_V1(automl_job_submitted);
Datum
automl_job_submitted(PG_FUNCTION_ARGS)
{
	check_jobs_enabled();
	if (!xact_callback_registered)
	{
		RegisterXactCallback(jobs_xact_callback, NULL);
		xact_callback_registered = true;
	}
	wake_at_commit = true;
	PG_RETURN_VOID();
}

/*
 * automl._job_stop(job_id bigint, submitted_by name) RETURNS boolean: ask
 * the worker of a running job of this database to stop.  cancel_job has
 * already checked that the caller can see the job; the caller must also
 * have the privileges of the role that submitted it, or be an
 * administrator (automl_admin).
 */
PG_FUNCTION_INFO_V1(automl_job_stop);
Datum
automl_job_stop(PG_FUNCTION_ARGS)
{
	int64		job_id = PG_GETARG_INT64(0);
	Name		submitted_by = PG_GETARG_NAME(1);
	Oid			submitter = get_role_oid(NameStr(*submitted_by), true);
	Oid			admin = get_role_oid("automl_admin", true);
	bool		found = false;
	pid_t		pid = 0;

	check_jobs_enabled();
	if (!superuser() && !(OidIsValid(admin) && has_privs_of_role(GetUserId(), admin)) &&
		(!OidIsValid(submitter) || !has_privs_of_role(GetUserId(), submitter)))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to cancel job " INT64_FORMAT, job_id),
				 errdetail("Only roles with the privileges of the role that submitted it (\"%s\"), and members of automl_admin, can cancel it.",
						   NameStr(*submitted_by))));

	LWLockAcquire(jobs_shared->lock, LW_EXCLUSIVE);
	for (int i = 0; i < JOBS_MAX_SLOTS; i++)
	{
		JobSlot    *s = &jobs_shared->slots[i];

		if (s->in_use && s->dboid == MyDatabaseId && s->job_id == job_id)
		{
			s->cancel_requested = true;
			s->cancelled_by = GetUserId();
			pid = s->worker_pid;
			found = true;
			break;
		}
	}
	LWLockRelease(jobs_shared->lock);

	/* a worker not started yet sees the flag when it starts */
	if (pid != 0 && BackendPidGetProc(pid) != NULL)
		kill(pid, SIGINT);
	PG_RETURN_BOOL(found);
}

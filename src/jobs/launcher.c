/*-------------------------------------------------------------------------
 *
 * launcher.c
 *	  The launcher: keeps a dispatcher running in every database that may
 *	  have queued jobs.
 *
 * It connects to no database (like the autovacuum launcher it reads only
 * the shared catalog pg_database).  When it starts, that is after every
 * server start and crash restart, it asks for a dispatcher in every
 * database that accepts connections: the dispatcher fails the jobs that
 * were running when the server went down and starts the queued ones;
 * where automl is not installed it exits at once.  Afterwards dispatchers
 * are asked for by the transactions that submit jobs.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/snapmgr.h"

#include "jobs/jobs.h"

/* Ask for a dispatcher in every database that accepts connections. */
static void
request_every_database(void)
{
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tup;

	StartTransactionCommand();
	(void) GetTransactionSnapshot();
	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_database db = (Form_pg_database) GETSTRUCT(tup);

		if (db->datallowconn && !db->datistemplate)
			jobs_request_database(db->oid);
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	CommitTransactionCommand();
}

static BackgroundWorkerHandle *
start_dispatcher(Oid dboid)
{
	BackgroundWorker bgw;
	BackgroundWorkerHandle *handle;
	char		name[BGW_MAXLEN];

	snprintf(name, sizeof(name), "automl dispatcher for database %u", dboid);
	jobs_worker_init(&bgw, "automl_jobs_dispatcher_main", "automl dispatcher", name);
	bgw.bgw_main_arg = ObjectIdGetDatum(dboid);
	bgw.bgw_notify_pid = MyProcPid;
	if (!RegisterDynamicBackgroundWorker(&bgw, &handle))
		return NULL;
	return handle;
}

void
automl_jobs_launcher_main(Datum arg)
{
	BackgroundWorkerHandle *handles[JOBS_MAX_DATABASES];

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	pgstat_report_appname("automl launcher");

	memset(handles, 0, sizeof(handles));
	LWLockAcquire(jobs_shared->lock, LW_EXCLUSIVE);
	jobs_shared->launcher_pid = MyProcPid;
	jobs_shared->launcher_latch = MyLatch;
	LWLockRelease(jobs_shared->lock);

	request_every_database();

	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		for (int i = 0; i < JOBS_MAX_DATABASES; i++)
		{
			JobDatabase *d = &jobs_shared->dbs[i];
			Oid			dboid;
			bool		wanted;
			pid_t		pid;

			/* (a dispatcher clears its own entry when it exits) */
			if (handles[i] != NULL &&
				GetBackgroundWorkerPid(handles[i], &pid) == BGWH_STOPPED)
			{
				pfree(handles[i]);
				handles[i] = NULL;
			}
			LWLockAcquire(jobs_shared->lock, LW_SHARED);
			dboid = d->dboid;
			wanted = OidIsValid(dboid) && d->requested && d->dispatcher_pid == 0;
			LWLockRelease(jobs_shared->lock);
			if (wanted && handles[i] == NULL)
				handles[i] = start_dispatcher(dboid);	/* NULL: retried later */
		}

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 1000L, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/*-------------------------------------------------------------------------
 *
 * jobs.h
 *	  Background jobs: the shared state of the launcher, the per-database
 *	  dispatchers and the job workers, and the GUCs that bound them.
 *
 * Processes (see docs/jobs.md):
 *	- the launcher (one, static, with shared_preload_libraries) starts a
 *	  dispatcher for every database that may have queued jobs;
 *	- a dispatcher (one per database, dynamic) claims queued jobs in
 *	  job_id order while fewer than automl.max_workers run, starts a job
 *	  worker for each, publishes their progress, and fails the jobs whose
 *	  worker died;
 *	- a job worker (one per running job, dynamic) runs the job as the role
 *	  that submitted it, and stores its outcome in the same transaction as
 *	  the job's own writes.
 *
 *-------------------------------------------------------------------------
 */
#ifndef AUTOML_JOBS_H
#define AUTOML_JOBS_H

#include "postgres.h"

#include "postmaster/bgworker.h"
#include "storage/latch.h"
#include "storage/lwlock.h"

/* Fixed sizes of the shared state (automl.max_workers is capped by it). */
#define JOBS_MAX_SLOTS		64
#define JOBS_MAX_DATABASES	64

/* A running job: claimed by a dispatcher, run by a job worker. */
typedef struct JobSlot
{
	bool		in_use;
	Oid			dboid;
	int64		job_id;			/* 0 while the dispatcher claims one */
	pid_t		worker_pid;		/* 0 until the worker has started */
	double		progress;		/* 0..100, written by the worker */
	bool		cancel_requested;
	Oid			cancelled_by;	/* the role that asked */
} JobSlot;

/* A database that may have queued jobs, and its dispatcher. */
typedef struct JobDatabase
{
	Oid			dboid;			/* InvalidOid: entry free */
	bool		requested;		/* jobs may be waiting: run a dispatcher */
	pid_t		dispatcher_pid; /* 0 if none runs */
	Latch	   *dispatcher_latch;
} JobDatabase;

typedef struct JobsShared
{
	LWLock	   *lock;			/* protects everything below */
	pid_t		launcher_pid;
	Latch	   *launcher_latch;
	JobDatabase dbs[JOBS_MAX_DATABASES];
	JobSlot		slots[JOBS_MAX_SLOTS];
} JobsShared;

extern JobsShared *jobs_shared;
extern int	automl_max_workers;
extern int	automl_max_jobs_per_role;

/* job_shmem.c */
extern void jobs_init(void);
extern bool jobs_enabled(void);
extern void jobs_request_database(Oid dboid);
extern void jobs_worker_init(BackgroundWorker *bgw, const char *function,
							 const char *type, const char *name);

/* job_sql.c: the jobs table, through SPI, inside a transaction */
extern void job_begin_transaction(void);
extern void job_commit_transaction(void);
extern void job_notify(int64 job_id, const char *status, double progress);
extern int	job_finish(int64 job_id, const char *status, const char *result_json,
					   const char *error, const char *from_status);

/* entry points of the background workers (bgw_function_name) */
extern PGDLLEXPORT void automl_jobs_launcher_main(Datum arg);
extern PGDLLEXPORT void automl_jobs_dispatcher_main(Datum arg);
extern PGDLLEXPORT void automl_job_worker_main(Datum arg);

#endif							/* AUTOML_JOBS_H */

/*-------------------------------------------------------------------------
 *
 * job_worker.c
 *	  A job worker: runs one claimed job as the role that submitted it.
 *
 * The job is one SQL statement per kind (job_kinds), given the job's args;
 * it runs with the privileges of the submitting role (never the
 * superuser the worker connects as: SECURITY_LOCAL_USERID_CHANGE keeps the
 * job from switching back), under a statement timeout of
 * automl.max_training_time.  Its outcome is written in the same
 * transaction as the job's own writes, so a model version and the job's
 * 'succeeded' become visible together, or neither.  On an error the
 * transaction is rolled back and the error is stored in a new one;
 * automl._job_stop (cancel_job) interrupts the statement and the job ends
 * 'cancelled'.
 *
 * The worker frees its slot when it exits, after its last commit: the
 * dispatcher takes a 'running' job without a slot for a dead worker.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"

#include "jobs/jobs.h"
#include "ml/train.h"

/* What each kind of job runs; $1 is its args (jsonb). */
typedef struct JobKind
{
	const char *kind;
	const char *sql;
} JobKind;

static const JobKind job_kinds[] = {
	{"train",
		"SELECT pg_catalog.to_jsonb(t) FROM automl.train($1->>'model_name',"
		" ($1->>'relation_oid')::pg_catalog.oid::pg_catalog.regclass, $1->>'target', $1->>'task',"
		" $1->>'algorithm', ($1->>'time_budget')::pg_catalog.interval, $1->'options') t"},
	{"profile",
		"SELECT automl.profile(($1->>'relation_oid')::pg_catalog.oid::pg_catalog.regclass,"
		" $1->'options')"},
	{"import",
		"SELECT CASE WHEN $1->>'format' OPERATOR(pg_catalog.=) 'csv'"
		" THEN automl.import_csv_file($1->>'table_name', $1->>'path', $1->'options')"
		" ELSE automl.import_json_file($1->>'table_name', $1->>'path', $1->'options') END"},
	{NULL, NULL}
};

static int	my_slot = -1;
static int64 my_job_id = 0;
/* the claimed job (file scope: they live across the PG_TRY below) */
static char *job_kind = NULL;
static char *job_args = NULL;
static char *job_role = NULL;

static void
worker_detach(int code, Datum arg)
{
	LWLockAcquire(jobs_shared->lock, LW_EXCLUSIVE);
	if (jobs_shared->slots[my_slot].job_id == my_job_id)
		memset(&jobs_shared->slots[my_slot], 0, sizeof(JobSlot));
	LWLockRelease(jobs_shared->lock);
}

static void
report_progress(double percent)
{
	LWLockAcquire(jobs_shared->lock, LW_EXCLUSIVE);
	jobs_shared->slots[my_slot].progress = Max(0.0, Min(100.0, percent));
	LWLockRelease(jobs_shared->lock);
}

/* The job's kind, args and role; false if it is not ours to run any more. */
static bool
load_job(char **kind, char **args, char **role, Oid *roleid)
{
	int			ret;
	bool		found;

	job_begin_transaction();
	ret = SPI_execute_with_args("UPDATE automl.jobs SET worker_pid = pg_catalog.pg_backend_pid()"
								" WHERE job_id OPERATOR(pg_catalog.=) $1 AND status OPERATOR(pg_catalog.=) 'running'"
								" RETURNING kind, args::pg_catalog.text, submitted_by::pg_catalog.text",
								1, (Oid[]) {INT8OID}, (Datum[]) {Int64GetDatum(my_job_id)},
								NULL, false, 0);
	if (ret != SPI_OK_UPDATE_RETURNING)
		elog(ERROR, "could not update automl.jobs: %s", SPI_result_code_string(ret));
	found = SPI_processed > 0;
	if (found)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		*kind = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		*args = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
		*role = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
		MemoryContextSwitchTo(old);
		*roleid = get_role_oid(*role, true);
	}
	job_commit_transaction();
	return found;
}

static const char *
kind_sql(const char *kind)
{
	for (int i = 0; job_kinds[i].kind; i++)
		if (strcmp(job_kinds[i].kind, kind) == 0)
			return job_kinds[i].sql;
	return NULL;
}

/* Run the job and store its result; on ERROR the caller stores that. */
static void
run_job(const char *sql, const char *args, Oid role)
{
	Oid			save_userid;
	int			save_sec;
	int			ret;
	char	   *result = NULL;

	job_begin_transaction();
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(role, save_sec | SECURITY_LOCAL_USERID_CHANGE);
	pgstat_report_activity(STATE_RUNNING, sql);
	enable_timeout_after(STATEMENT_TIMEOUT, automl_max_training_time_s * 1000);
	ret = SPI_execute_with_args(sql, 1, (Oid[]) {JSONBOID},
								(Datum[]) {DirectFunctionCall1(jsonb_in, CStringGetDatum(args))},
								NULL, false, 0);
	disable_timeout(STATEMENT_TIMEOUT, false);
	HOLD_CANCEL_INTERRUPTS();	/* done: store the outcome */
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "job statement failed: %s", SPI_result_code_string(ret));
	if (SPI_processed > 0)
		result = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	SetUserIdAndSecContext(save_userid, save_sec);
	job_finish(my_job_id, "succeeded", result, NULL, "running");
	job_commit_transaction();
}

/* After an ERROR: roll back, and store why the job ended. */
static void
store_failure(ErrorData *edata, TimestampTz started)
{
	bool		cancelled;
	Oid			by;
	const char *status;
	char	   *error;

	LWLockAcquire(jobs_shared->lock, LW_SHARED);
	cancelled = jobs_shared->slots[my_slot].cancel_requested;
	by = jobs_shared->slots[my_slot].cancelled_by;
	LWLockRelease(jobs_shared->lock);

	job_begin_transaction();
	if (cancelled)
	{
		const char *name = GetUserNameFromId(by, true);

		status = "cancelled";
		error = psprintf("cancelled by role %s", name ? name : "(dropped)");
	}
	else if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED &&
			 TimestampDifferenceExceeds(started, GetCurrentTimestamp(),
										automl_max_training_time_s * 1000))
	{
		status = "failed";
		error = psprintf("the job ran longer than automl.max_training_time (%d s)",
						 automl_max_training_time_s);
	}
	else
	{
		status = "failed";
		error = edata->detail ? psprintf("%s (%s)", edata->message, edata->detail) :
			pstrdup(edata->message);
	}
	job_finish(my_job_id, status, NULL, error, "running");
	job_commit_transaction();
}

void
automl_job_worker_main(Datum arg)
{
	Oid			dboid;
	const char *sql;
	Oid			role = InvalidOid;
	bool		cancelled;
	TimestampTz started;
	MemoryContext job_cxt;

	my_slot = DatumGetInt32(arg);
	memcpy(&my_job_id, MyBgworkerEntry->bgw_extra, sizeof(my_job_id));
	memcpy(&dboid, MyBgworkerEntry->bgw_extra + sizeof(my_job_id), sizeof(dboid));
	if (my_slot < 0 || my_slot >= JOBS_MAX_SLOTS)
		proc_exit(1);
	before_shmem_exit(worker_detach, (Datum) 0);

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnectionByOid(dboid, InvalidOid, 0);
	pgstat_report_appname(MyBgworkerEntry->bgw_name);

	LWLockAcquire(jobs_shared->lock, LW_EXCLUSIVE);
	jobs_shared->slots[my_slot].worker_pid = MyProcPid;
	LWLockRelease(jobs_shared->lock);

	/*
	 * A cancel is acted on only inside the job's statement (below); before
	 * and after it, the bookkeeping must not be interrupted.
	 */
	HOLD_CANCEL_INTERRUPTS();
	if (!load_job(&job_kind, &job_args, &job_role, &role))
		proc_exit(0);			/* cancelled or failed meanwhile */
	sql = kind_sql(job_kind);

	LWLockAcquire(jobs_shared->lock, LW_SHARED);
	cancelled = jobs_shared->slots[my_slot].cancel_requested;
	LWLockRelease(jobs_shared->lock);

	if (sql == NULL || !OidIsValid(role) || cancelled)
	{
		ErrorData	edata;

		memset(&edata, 0, sizeof(edata));
		edata.message = sql == NULL ? psprintf("unknown job kind \"%s\"", job_kind) :
			psprintf("role \"%s\" that submitted the job does not exist any more", job_role);
		store_failure(&edata, GetCurrentTimestamp());
		proc_exit(0);
	}

	automl_train_progress_hook = report_progress;
	job_cxt = AllocSetContextCreate(TopMemoryContext, "automl job", ALLOCSET_DEFAULT_SIZES);
	started = GetCurrentTimestamp();
	PG_TRY();
	{
		RESUME_CANCEL_INTERRUPTS();
		run_job(sql, job_args, role);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(job_cxt);
		edata = CopyErrorData();
		disable_timeout(STATEMENT_TIMEOUT, false);
		HOLD_INTERRUPTS();
		EmitErrorReport();
		AbortCurrentTransaction();
		FlushErrorState();
		RESUME_INTERRUPTS();
		HOLD_CANCEL_INTERRUPTS();
		QueryCancelPending = false;
		store_failure(edata, started);
	}
	PG_END_TRY();
	proc_exit(0);
}

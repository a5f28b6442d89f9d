/*-------------------------------------------------------------------------
 *
 * job_sql.c
 *	  The status changes of a job in automl.jobs, with their NOTIFY, and
 *	  the transactions of the background workers that make them.
 *
 * Called by the dispatcher and the job workers, inside a transaction with
 * SPI connected.  Every change is conditional on the status it changes
 * from, so a job never goes back: a cancelled job stays cancelled even if
 * its worker finishes at the same moment.  The notification is sent in the
 * same transaction, so a listener hears of a change only once it is
 * visible.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "pgstat.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"

#include "jobs/jobs.h"

/* Start a transaction of a background worker, with SPI and a snapshot. */
void
job_begin_transaction(void)
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PushActiveSnapshot(GetTransactionSnapshot());
}

void
job_commit_transaction(void)
{
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_stat(false);
}

/* NOTIFY automl_jobs, '{"job_id": ..., "status": ..., "progress": ...}' */
void
job_notify(int64 job_id, const char *status, double progress)
{
	Oid			types[3] = {INT8OID, TEXTOID, FLOAT8OID};
	Datum		values[3];
	int			ret;

	values[0] = Int64GetDatum(job_id);
	values[1] = CStringGetTextDatum(status);
	values[2] = Float8GetDatum(progress);
	ret = SPI_execute_with_args("SELECT pg_catalog.pg_notify('automl_jobs',"
								" pg_catalog.jsonb_build_object('job_id', $1, 'status', $2,"
								" 'progress', pg_catalog.round($3::pg_catalog.numeric, 1))::pg_catalog.text)",
								3, types, values, NULL, false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not notify automl_jobs: %s", SPI_result_code_string(ret));
}

/*
 * Move a job from from_status (NULL: from queued or running) to a final
 * status, with its result or error, and notify.  Returns the number of rows
 * changed (0 if the job had left from_status already).
 */
int
job_finish(int64 job_id, const char *status, const char *result_json,
		   const char *error, const char *from_status)
{
	Oid			types[5] = {INT8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};
	int			ret;

	values[0] = Int64GetDatum(job_id);
	values[1] = CStringGetTextDatum(status);
	values[2] = result_json ? CStringGetTextDatum(result_json) : (Datum) 0;
	nulls[2] = result_json ? ' ' : 'n';
	values[3] = error ? CStringGetTextDatum(error) : (Datum) 0;
	nulls[3] = error ? ' ' : 'n';
	values[4] = from_status ? CStringGetTextDatum(from_status) : (Datum) 0;
	nulls[4] = from_status ? ' ' : 'n';
	ret = SPI_execute_with_args("UPDATE automl.jobs SET status = $2, result = $3::pg_catalog.jsonb,"
								" error = $4, finished_at = pg_catalog.clock_timestamp(),"
								" progress = CASE WHEN $2 OPERATOR(pg_catalog.=) 'succeeded' THEN 100 ELSE progress END"
								" WHERE job_id OPERATOR(pg_catalog.=) $1"
								" AND status OPERATOR(pg_catalog.=) ANY (CASE WHEN $5 IS NULL"
								" THEN ARRAY['queued', 'running'] ELSE ARRAY[$5] END)"
								" RETURNING progress",
								5, types, values, nulls, false, 0);
	if (ret != SPI_OK_UPDATE_RETURNING)
		elog(ERROR, "could not update automl.jobs: %s", SPI_result_code_string(ret));
	if (SPI_processed > 0)
	{
		bool		isnull;
		double		progress = DatumGetFloat8(SPI_getbinval(SPI_tuptable->vals[0],
															SPI_tuptable->tupdesc, 1, &isnull));

		job_notify(job_id, status, progress);
	}
	return (int) SPI_processed;
}

-- Background jobs without shared_preload_libraries: the async functions
-- say how to enable them; the table, waiting and cancelling still behave.
SET client_min_messages = warning;
\set SHOW_CONTEXT never

CREATE TABLE job_data AS SELECT i, i % 7 AS x, i % 2 = 0 AS y FROM generate_series(1, 100) i;

-- not enabled: SQLSTATE 55000 and a hint
SELECT automl.train_async('m', 'job_data', 'y');
\set VERBOSITY sqlstate
SELECT automl.train_async('m', 'job_data', 'y');
SELECT automl.profile_async('job_data');
-- null arguments are refused first
SELECT automl.train_async(NULL, 'job_data', 'y');
SELECT automl.profile_async(NULL);
-- nothing was queued
SELECT count(*) FROM automl.jobs;

\set VERBOSITY default
-- unknown jobs
SELECT automl.wait_job(12345);
SELECT automl.cancel_job(12345);

-- a queued job (as if submitted with jobs enabled) is cancelled at once,
-- and waiting on it returns; a finished job cannot be cancelled again
INSERT INTO automl.jobs (kind, args) VALUES ('profile', '{"relation": "job_data"}') RETURNING job_id AS id \gset
SELECT status, submitted_by = current_user AS mine FROM automl.jobs WHERE job_id = :id;
SELECT automl.cancel_job(:id);
SELECT status, error LIKE 'cancelled by role %' AS why, finished_at IS NOT NULL AS finished
  FROM automl.wait_job(:id);
SELECT automl.cancel_job(:id);

-- waiting in a REPEATABLE READ transaction would never see a change
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT automl.wait_job(:id);
ROLLBACK;

-- a job submitted in the waiting transaction cannot start before it commits
BEGIN;
INSERT INTO automl.jobs (kind, args) VALUES ('profile', '{}') RETURNING job_id AS id2 \gset
SELECT automl.wait_job(:id2, '1 second');
ROLLBACK;

-- a timeout returns the row as it is
INSERT INTO automl.jobs (kind, args) VALUES ('profile', '{}') RETURNING job_id AS id3 \gset
SELECT status FROM automl.wait_job(:id3, '0.2 seconds');

-- users cannot forge a job's state or owner
CREATE ROLE job_tester;
GRANT automl_analyst TO job_tester;
SET ROLE job_tester;
SELECT count(*) AS others_jobs_visible FROM automl.jobs;
INSERT INTO automl.jobs (kind, args, status) VALUES ('profile', '{}', 'running');
INSERT INTO automl.jobs (kind, args, submitted_by) VALUES ('profile', '{}', 'postgres');
UPDATE automl.jobs SET status = 'succeeded';
UPDATE automl.jobs SET status = 'cancelled';
SELECT automl.cancel_job(:id3) AS cancel_others_job;
RESET ROLE;
SELECT status FROM automl.jobs WHERE job_id = :id3;
DROP OWNED BY job_tester;
DROP ROLE job_tester;

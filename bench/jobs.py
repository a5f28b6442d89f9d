#!/usr/bin/python3
"""Background jobs: what submitting costs, and what a job adds to the work.

Run against a server with automl preloaded, for example a throwaway one:

    pg_virtualenv -v 15 -o shared_preload_libraries=automl /usr/bin/python3 bench/jobs.py

1. Submission latency: automl.profile_async on a small table, each in its
   own transaction (autocommit), against the floor: a plain INSERT ...
   RETURNING into a table of the same shape.
2. End to end: automl.train_async + automl.wait_job against automl.train
   with the same arguments in the same session: the difference is the
   queueing, the worker start and the polling.
Prints medians and ratios.
"""
import json
import statistics
import sys
import time

import psycopg2


def timed(cur, sql, args=None):
    t0 = time.perf_counter()
    cur.execute(sql, args)
    rows = cur.fetchall() if cur.description else None
    return time.perf_counter() - t0, rows


def main():
    n_submit = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    n_train = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    conn = psycopg2.connect("", application_name="automl_jobs_bench")
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SET client_min_messages = warning")
    cur.execute("CREATE EXTENSION IF NOT EXISTS automl")
    cur.execute("SELECT current_setting('shared_preload_libraries'), version()")
    preload, version = cur.fetchone()
    if "automl" not in preload:
        sys.exit("automl is not in shared_preload_libraries of this server")
    cur.execute("ALTER SYSTEM SET automl.max_jobs_per_role = 100000")
    cur.execute("SELECT pg_reload_conf()")
    time.sleep(0.5)
    cur.execute("DROP TABLE IF EXISTS bench_jobs_tiny, bench_jobs_floor, bench_jobs_train")
    cur.execute("CREATE TABLE bench_jobs_tiny AS SELECT i, i % 3 AS x FROM generate_series(1, 10) i")
    cur.execute("CREATE TABLE bench_jobs_floor (LIKE automl.jobs)")
    cur.execute("CREATE TABLE bench_jobs_train AS SELECT i, random() AS a, random() AS b, "
                "(random() < 0.5) AS y FROM generate_series(1, 20000) i")
    cur.execute("ANALYZE bench_jobs_train")

    print("automl background jobs benchmark")
    print("  server: %s" % version)
    sub, floor = [], []
    for i in range(n_submit):
        t, _ = timed(cur, "SELECT automl.profile_async('bench_jobs_tiny')")
        sub.append(t)
        t, _ = timed(cur, "INSERT INTO bench_jobs_floor (job_id, kind, status, progress, args, "
                     "submitted_by, submitted_at) VALUES (%s, 'profile', 'queued', 0, "
                     "'{\"relation\": \"bench_jobs_tiny\"}', current_user, clock_timestamp()) "
                     "RETURNING job_id", (i,))
        floor.append(t)
    # let the queue drain before timing the trainings
    cur.execute("SELECT max(job_id) FROM automl.jobs")
    last = cur.fetchone()[0]
    cur.execute("SELECT status FROM automl.wait_job(%s, '300 s')", (last,))
    ms = lambda v: 1000 * statistics.median(v)
    print("\nsubmission, %d calls, one transaction each (median ms)" % n_submit)
    print("  %-44s %8.3f" % ("automl.profile_async", ms(sub)))
    print("  %-44s %8.3f" % ("INSERT ... RETURNING (floor)", ms(floor)))
    print("  %-44s %8.2f   p95 %.3f ms" % ("ratio", ms(sub) / ms(floor),
                                           1000 * sorted(sub)[int(0.95 * len(sub)) - 1]))

    args = ("logistic_regression", json.dumps({"exclude": ["i"]}))
    sync, asyn = [], []
    for r in range(n_train):
        t, _ = timed(cur, "SELECT version FROM automl.train('bench_jobs_m', 'bench_jobs_train', 'y', "
                     "algorithm => %s, options => %s)", args)
        sync.append(t)
        t0 = time.perf_counter()
        cur.execute("SELECT automl.train_async('bench_jobs_m', 'bench_jobs_train', 'y', "
                    "algorithm => %s, options => %s)", args)
        job = cur.fetchone()[0]
        cur.execute("SELECT status FROM automl.wait_job(%s)", (job,))
        assert cur.fetchone()[0] == "succeeded"
        asyn.append(time.perf_counter() - t0)
    print("\ntraining 20,000 rows (logistic_regression), %d runs each (median s)" % n_train)
    print("  %-44s %8.3f" % ("automl.train (synchronous)", statistics.median(sync)))
    print("  %-44s %8.3f" % ("train_async + wait_job (end to end)", statistics.median(asyn)))
    print("  %-44s %8.3f s (ratio %.2f)" % ("what the job adds",
                                            statistics.median(asyn) - statistics.median(sync),
                                            statistics.median(asyn) / statistics.median(sync)))

    cur.execute("DROP TABLE bench_jobs_tiny, bench_jobs_floor, bench_jobs_train")
    cur.execute("SELECT automl.drop_model('bench_jobs_m')")
    cur.execute("ALTER SYSTEM RESET automl.max_jobs_per_role")
    cur.execute("SELECT pg_reload_conf()")


if __name__ == "__main__":
    main()

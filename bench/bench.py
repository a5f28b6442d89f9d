#!/usr/bin/python3
"""automl profiling benchmark: the timed part of bench/run.

Runs against the server in the libpq environment (PGHOST, PGPORT, ...):
bench/run sets it up (a throwaway pg_virtualenv cluster, or --existing).

On one deterministic table (bench/gen.sql) it times, round-robin, each of:

  profile serial    SELECT automl.profile(tbl)      max_parallel_workers_per_gather = 0
  profile parallel  SELECT automl.profile(tbl)      max_parallel_workers_per_gather = 2
  floor             one hand-written scan: count/min/max/avg/stddev per column (serial)
  plain SQL         the same profile as an analyst's SQL script (serial)
  pandas            pd.read_sql + describe/nunique/isna/duplicated/quantile/
                    value_counts/corr/skew/histograms, end to end

after one untimed warm-up pass of each, and prints medians and ratios.
Times are wall-clock seconds from time.perf_counter() around execute + fetch
on a connection to the server; every SQL result is small (one row, or a few
hundred), so the client share of the SQL timings is well under a millisecond.
For pandas the transfer of the table to the client is part of the cost.

Must run under /usr/bin/python3: Debian's python3-pandas, python3-numpy and
python3-psycopg2 are importable from it only.
"""

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np
import pandas as pd
import psycopg2

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = "automl_bench"

# (name, kind): the columns of bench/gen.sql
COLUMNS = [
    ("f_normal", "float"), ("f_corr", "float"), ("f_anticorr", "float"),
    ("f_lognormal", "float"), ("f_exp", "float"), ("f_uniform", "float"),
    ("f_outlier", "float"), ("f_sparse", "float"),
    ("i_age", "int"), ("i_count", "int"),
    ("t_category", "text"), ("t_customer", "text"), ("t_comment", "text"),
    ("b_flag", "bool"),
    ("ts_event", "ts"),
]
NUMERIC = [c for c, k in COLUMNS if k in ("float", "int")]
TEXT = [c for c, k in COLUMNS if k == "text"]
QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]
BINS = 20
TOP = 10


def log(msg=""):
    print(msg, flush=True)


def connect(settings):
    conn = psycopg2.connect("", application_name="automl_bench")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SET TimeZone = 'UTC'")
        for name, value in settings:
            cur.execute("SELECT set_config(%s, %s, false)", (name, value))
    return conn


def q1(cur, sql, args=None):
    cur.execute(sql, args)
    return cur.fetchone()[0]


# Settings for the "2 workers" runs, on top of max_parallel_workers_per_gather
# = 2; filled by check_parallel when the planner would not choose 2 workers
# by itself (small tables): then they are forced and the output says so.
FORCE_PARALLEL = []


def set_workers(cur, n):
    cur.execute("SET max_parallel_workers_per_gather = %d" % n)
    for name, on, off in FORCE_PARALLEL:
        cur.execute("SET %s = %s" % (name, on if n > 0 else off))


# ---------------------------------------------------------------- the SQL

def floor_sql():
    """The floor: the cheapest useful one-scan summary, one aggregate per stat."""
    parts = ["count(*)"]
    for c, k in COLUMNS:
        if k in ("float", "int"):
            parts += ["count(%s)" % c, "min(%s)" % c, "max(%s)" % c,
                      "avg(%s)" % c, "stddev(%s)" % c]
        elif k in ("text", "ts"):
            parts += ["count(%s)" % c, "min(%s)" % c, "max(%s)" % c]
        else:
            parts += ["count(%s)" % c]
    return "SELECT %s FROM %s" % (",\n       ".join(parts), TABLE)


def sql_stats():
    """Plain SQL, step 1: one scan for the per-column counts, distincts,
    moments, quantiles (an ordered-set aggregate per numeric column) and all
    pairwise correlations. Returns one row."""
    qs = "ARRAY[%s]" % ", ".join(str(q) for q in QUANTILES)
    parts = ["count(*) AS n"]
    for c, k in COLUMNS:
        parts += ["count(*) - count(%s) AS %s_nulls" % (c, c),
                  "count(DISTINCT %s) AS %s_distinct" % (c, c)]
        if k in ("float", "int"):
            parts += ["min(%s)::float8 AS %s_min" % (c, c), "max(%s)::float8 AS %s_max" % (c, c),
                      "avg(%s) AS %s_mean" % (c, c), "stddev(%s) AS %s_stddev" % (c, c),
                      "percentile_cont(%s) WITHIN GROUP (ORDER BY %s) AS %s_quantiles"
                      % (qs, c, c)]
        elif k == "ts":
            parts += ["extract(epoch FROM min(%s))::float8 AS %s_min" % (c, c),
                      "extract(epoch FROM max(%s))::float8 AS %s_max" % (c, c)]
        elif k == "text":
            parts += ["min(length(%s)) AS %s_minlen" % (c, c),
                      "max(length(%s)) AS %s_maxlen" % (c, c),
                      "avg(length(%s)) AS %s_meanlen" % (c, c),
                      "count(*) FILTER (WHERE %s = '') AS %s_empty" % (c, c)]
        elif k == "bool":
            parts += ["count(*) FILTER (WHERE %s) AS %s_true" % (c, c),
                      "count(*) FILTER (WHERE NOT %s) AS %s_false" % (c, c)]
    for i, a in enumerate(NUMERIC):
        for b in NUMERIC[i + 1:]:
            parts.append("corr(%s, %s) AS corr_%s_%s" % (a, b, a, b))
    return "SELECT %s\n  FROM %s" % (",\n       ".join(parts), TABLE)


def sql_duplicates():
    """Plain SQL, step 2: exact duplicate rows, count(*) - count(DISTINCT t).
    Written with SELECT DISTINCT * (a hash aggregate): 3-4x faster here than
    count(DISTINCT t), which sorts whole rows."""
    return ("SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT * FROM %s) d) FROM %s"
            % (TABLE, TABLE))


def sql_top(c):
    """Plain SQL, step 3: top values of one text column."""
    return ("SELECT %s, count(*) FROM %s WHERE %s IS NOT NULL GROUP BY 1 "
            "ORDER BY 2 DESC, 1 LIMIT %d" % (c, TABLE, c, TOP))


def lit(x):
    return "%r::float8" % float(x) if isinstance(x, (int, float)) else str(x)


def sql_histograms(bounds):
    """Plain SQL, step 4: 20 equal-width bins per numeric/temporal column from
    the min and max of step 1 (the last bin includes the max), every column
    in one scan with GROUPING SETS (faster here than a query per column)."""
    exprs, keys = [], []
    for c, (lo, hi) in bounds.items():
        if lo is None or hi is None or lo == hi:
            continue
        expr = ("extract(epoch FROM %s)::float8" % c if dict(COLUMNS)[c] == "ts"
                else "%s::float8" % c)
        exprs.append("least(width_bucket(%s, %s, %s, %d), %d) AS %s_bin"
                     % (expr, lit(lo), lit(hi), BINS, BINS, c))
        keys.append(c + "_bin")
    return ("SELECT %s, count(*)\n  FROM (SELECT %s\n          FROM %s) AS b\n"
            " GROUP BY GROUPING SETS (%s)"
            % (", ".join(keys), ",\n               ".join(exprs), TABLE,
               ", ".join("(%s)" % k for k in keys)))


def plain_sql_profile(cur):
    cur.execute(sql_stats())
    row = cur.fetchone()
    names = [d[0] for d in cur.description]
    stats = dict(zip(names, row))
    out = {"stats": stats}
    out["duplicates"] = q1(cur, sql_duplicates())
    out["top"] = {}
    for c in TEXT:
        cur.execute(sql_top(c))
        out["top"][c] = cur.fetchall()
    bounds = {c: (stats[c + "_min"], stats[c + "_max"])
              for c, k in COLUMNS if k in ("float", "int", "ts")}
    cur.execute(sql_histograms(bounds))
    out["histograms"] = cur.fetchall()
    return out


# ---------------------------------------------------------------- pandas

PANDAS_READ = []     # seconds of pd.read_sql in each pandas run


def pandas_profile(conn):
    # pandas 1.5 warns that it only tests SQLAlchemy and sqlite3 connections;
    # a psycopg2 connection is what most scripts pass, and it works
    warnings.filterwarnings("ignore", message="pandas only supports SQLAlchemy")
    t0 = time.perf_counter()
    df = pd.read_sql("SELECT * FROM %s" % TABLE, conn)
    PANDAS_READ.append(time.perf_counter() - t0)
    num = df.select_dtypes("number")
    out = {
        "describe": df.describe(),
        "nunique": df.nunique(),
        "nulls": df.isna().sum(),
        "duplicates": int(df.duplicated().sum()),
        "quantiles": num.quantile(QUANTILES),
        "top": {c: df[c].value_counts().head(TOP) for c in TEXT},
        "corr": num.corr(),
        "skew": num.skew(),
        "histograms": {c: np.histogram(num[c].dropna().to_numpy(), bins=BINS)
                       for c in num.columns},
    }
    return out


# ---------------------------------------------------------------- methods

def method_profile(workers):
    def run(conn, cur):
        set_workers(cur, workers)
        return q1(cur, "SELECT automl.profile(%s)::text", (TABLE,))
    return run


def method_floor(conn, cur):
    set_workers(cur, 0)
    cur.execute(floor_sql())
    return cur.fetchone()


def method_plain_sql(conn, cur):
    set_workers(cur, 0)
    return plain_sql_profile(cur)


def method_pandas(conn, cur):
    set_workers(cur, 0)
    return pandas_profile(conn)


METHODS = [
    ("profile_serial", "automl.profile, 0 workers", method_profile(0)),
    ("profile_parallel", "automl.profile, 2 workers", method_profile(2)),
    ("floor", "floor: 1-scan count/min/max/avg/stddev", method_floor),
    ("plain_sql", "plain SQL profile (serial)", method_plain_sql),
    ("pandas", "pandas (read_sql + profile)", method_pandas),
]

BREAKDOWN = [
    ("scan: count(*)", "SELECT count(*) FROM %s t" % TABLE),
    ("scan + row: count(t.*)", "SELECT count(t.*) FROM %s t" % TABLE),
    ("profile_columns defaults (what profile() runs)",
     "SELECT automl.profile_columns('%s', '{}', %s)::text FROM %s t"
     % (TABLE, ", ".join("t." + c for c, _k in COLUMNS), TABLE)),
    ("profile_agg defaults (the row value)", "SELECT automl.profile_agg(t.*, '{}')::text FROM %s t" % TABLE),
    ("  duplicates:false", """SELECT automl.profile_agg(t.*, '{"duplicates":false}')::text FROM %s t""" % TABLE),
    ("  correlations:false", """SELECT automl.profile_agg(t.*, '{"correlations":false}')::text FROM %s t""" % TABLE),
    ("  both false", """SELECT automl.profile_agg(t.*, '{"duplicates":false,"correlations":false}')::text FROM %s t""" % TABLE),
    ("  exact:true", """SELECT automl.profile_agg(t.*, '{"exact":true}')::text FROM %s t""" % TABLE),
    ("  top_values:0", """SELECT automl.profile_agg(t.*, '{"top_values":0}')::text FROM %s t""" % TABLE),
]
for _kind, _label in (("float", "8 float8"), ("int", "2 int4"), ("text", "3 text"),
                      ("bool", "1 boolean"), ("ts", "1 timestamptz")):
    _cols = ", ".join(c for c, k in COLUMNS if k == _kind)
    BREAKDOWN.append((
        "  only the %s columns" % _label,
        """SELECT automl.profile_agg(s, '{"duplicates":false,"correlations":false}')::text """
        "FROM (SELECT %s FROM %s) s" % (_cols, TABLE)))


# ---------------------------------------------------------------- checks

def machine_info(cur):
    info = {"nproc": len(os.sched_getaffinity(0))}
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                info["mem_kb"] = int(line.split()[1])
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    info["postgres"] = q1(cur, "SELECT version()")
    info["automl"] = q1(cur, "SELECT extversion FROM pg_extension WHERE extname = 'automl'")
    cur.execute("SELECT name, current_setting(name) FROM pg_settings WHERE name IN "
                "('shared_buffers', 'work_mem', 'max_parallel_workers_per_gather', "
                "'max_parallel_workers', 'max_worker_processes', 'jit', "
                "'parallel_leader_participation', 'lc_collate') ORDER BY name")
    info["settings"] = dict(cur.fetchall())
    try:
        so = os.environ.get("AUTOML_BENCH_SO")
        if not so:
            libdir = subprocess.run(["pg_config", "--pkglibdir"], capture_output=True,
                                    text=True).stdout.strip()
            so = os.path.join(libdir, "automl.so")
        with open(so, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()[:12]
        info["automl_so"] = "%s (sha256 %s, %s)" % (
            so, digest, time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(os.path.getmtime(so))))
    except OSError:
        pass
    if os.environ.get("AUTOML_BENCH_GIT"):
        info["git"] = os.environ["AUTOML_BENCH_GIT"]
    return info


def explain_parallel(cur):
    set_workers(cur, 2)
    cur.execute("EXPLAIN (COSTS OFF) SELECT automl.profile_agg(t.*, '{}') FROM %s t" % TABLE)
    plan = "\n".join(r[0] for r in cur.fetchall())
    return plan, "Partial Aggregate" in plan and "Workers Planned: 2" in plan


def loaded_library(cur):
    """The automl.so file mapped into this connection's backend (local servers)."""
    cur.execute("SELECT automl.profile_agg(r, '{}') IS NOT NULL FROM (SELECT 1 AS a) r")
    pid = q1(cur, "SELECT pg_backend_pid()")
    try:
        with open("/proc/%d/maps" % pid) as f:
            for line in f:
                if line.rstrip().endswith("/automl.so"):
                    return line.split()[-1]
    except OSError:
        pass
    return None


def check_parallel(conn, cur):
    """Does the profile scan really run with 2 workers? EXPLAIN the aggregate
    (and, if the planner picks fewer than 2 workers, as it does for small
    tables, force 2 and say so), EXPLAIN ANALYZE it once, and look inside
    automl.profile() with auto_explain."""
    res = {"forced": False}
    plan, ok = explain_parallel(cur)
    res["plan"] = plan
    if not ok:
        res["forced"] = True
        cur.execute("ALTER TABLE %s SET (parallel_workers = 2)" % TABLE)
        FORCE_PARALLEL.extend([("parallel_setup_cost", "0", "DEFAULT"),
                               ("parallel_tuple_cost", "0", "DEFAULT")])
        plan, ok = explain_parallel(cur)
    res["planned"] = ok
    res["plan_used"] = plan
    cur.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) "
                "SELECT automl.profile_agg(t.*, '{}') FROM %s t" % TABLE)
    aplan = "\n".join(r[0] for r in cur.fetchall())
    res["launched"] = _workers_launched(aplan)
    # inside automl.profile(): its SPI query, through auto_explain at NOTICE level
    res["in_profile"] = None
    try:
        c2 = connect([])
        k = c2.cursor()
        k.execute("LOAD 'auto_explain'")
        set_workers(k, 2)
        for s in ("auto_explain.log_min_duration = 0", "auto_explain.log_analyze = on",
                  "auto_explain.log_timing = off", "auto_explain.log_nested_statements = on",
                  "auto_explain.log_level = notice", "client_min_messages = notice"):
            k.execute("SET " + s)
        del c2.notices[:]
        k.execute("SELECT automl.profile(%s)::text", (TABLE,))
        k.fetchone()
        text = "\n".join(c2.notices)
        for block in text.split("Query Text:"):
            if ("profile_columns" in block or "profile_agg" in block) and "Aggregate" in block:
                res["in_profile"] = _workers_launched(block)
        c2.close()
    except psycopg2.Error as e:
        res["in_profile_error"] = str(e).strip().splitlines()[0]
    return res


def _workers_launched(plan):
    for line in plan.splitlines():
        if "Workers Launched:" in line:
            return int(line.split(":")[1])
    return 0


# ---------------------------------------------------------------- driver

def backend_cpu(pid):
    """CPU seconds (user + system) used so far by server process pid, read
    from /proc when the server runs on this machine; None otherwise. Unlike
    wall time it does not grow while other processes hold the CPU, so it is
    the steadier measure on a busy machine (it leaves out parallel workers)."""
    if pid is None:
        return None
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def timed(fn, conn, cur, pid=None):
    c0 = backend_cpu(pid)
    t0 = time.perf_counter()
    fn(conn, cur)
    t = time.perf_counter() - t0
    c1 = backend_cpu(pid)
    return t, (c1 - c0 if c0 is not None and c1 is not None else None)


def loadavg():
    with open("/proc/loadavg") as f:
        return "loadavg " + " ".join(f.read().split()[:3])


def fmt_mem(kb):
    return "%.1f GiB" % (kb / 1048576.0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1000000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--reuse", action="store_true",
                    help="keep an existing automl_bench table made with the same --rows/--seed")
    ap.add_argument("--keep", action="store_true", help="keep the table and stored profiles")
    ap.add_argument("--breakdown", action="store_true",
                    help="also time profile_agg variants (options, column kinds), serial")
    ap.add_argument("--only", default="",
                    help="comma-separated subset of: " + ",".join(m[0] for m in METHODS))
    ap.add_argument("--set", action="append", default=[], metavar="GUC=VALUE",
                    help="session setting for every timed connection (repeatable)")
    ap.add_argument("--show-sql", action="store_true", help="print the SQL of floor and plain SQL")
    ap.add_argument("--json", metavar="FILE", help="write every timing to FILE")
    ap.add_argument("--server", default="", help="description of the server (set by bench/run)")
    a = ap.parse_args()
    if a.repeat < 1 or a.rows < 1:
        ap.error("--rows and --repeat must be positive")
    settings = [tuple(s.split("=", 1)) for s in a.set]
    methods = METHODS
    if a.only:
        want = a.only.split(",")
        bad = [w for w in want if w not in [m[0] for m in METHODS]]
        if bad:
            ap.error("unknown method(s) in --only: " + ",".join(bad))
        methods = [m for m in METHODS if m[0] in want]

    conn = connect(settings)
    cur = conn.cursor()
    cur.execute("CREATE EXTENSION IF NOT EXISTS automl")
    info = machine_info(cur)
    log("automl profiling benchmark")
    log("  machine:    nproc %d, MemTotal %s, %s" % (info["nproc"], fmt_mem(info["mem_kb"]),
                                                      info.get("cpu", "?")))
    log("  postgres:   %s" % info["postgres"])
    log("  server:     %s" % (a.server or "existing (libpq environment)"))
    log("  settings:   %s" % ", ".join("%s=%s" % kv for kv in info["settings"].items()))
    if settings:
        log("  session:    %s" % ", ".join("%s=%s" % kv for kv in settings))
    log("  automl:     %s, %s%s" % (info["automl"], info.get("automl_so", "?"),
                                    ", git " + info["git"] if "git" in info else ""))
    lib = loaded_library(cur)
    if lib:
        log("  loaded:     %s" % lib)
    log("  run:        --rows %d --seed %d --repeat %d, %s" % (a.rows, a.seed, a.repeat,
                                                            loadavg()))

    # ---- data
    stamp = "automl bench rows=%d seed=%d" % (a.rows, a.seed)
    have = q1(cur, "SELECT obj_description(to_regclass(%s), 'pg_class')", (TABLE,))
    t0 = time.perf_counter()
    if a.reuse and have == stamp:
        log("  table:      reusing %s" % TABLE)
    else:
        subprocess.run(["psql", "-X", "-q", "-v", "rows=%d" % a.rows, "-v", "seed=%d" % a.seed,
                        "-f", os.path.join(HERE, "gen.sql")], check=True)
        cur.execute("COMMENT ON TABLE %s IS %%s" % TABLE, (stamp,))
    cur.execute("VACUUM (ANALYZE) %s" % TABLE)
    cur.execute("SELECT count(*), sum(hashtext(t::text)::bigint), "
                "pg_size_pretty(pg_table_size('%s')) FROM %s t" % (TABLE, TABLE))
    n, fp, size = cur.fetchone()
    log("  table:      %s: %d rows x %d columns, %s, fingerprint %d (made in %.1f s)"
        % (TABLE, n, len(COLUMNS), size, fp, time.perf_counter() - t0))
    if a.show_sql:
        log("\n-- floor\n%s;\n\n-- plain SQL profile\n%s;\n%s;\n%s;\n%s;" % (
            floor_sql(), sql_stats(), sql_duplicates(), ";\n".join(sql_top(c) for c in TEXT),
            sql_histograms({c: ("<min>", "<max>") for c, k in COLUMNS
                            if k in ("float", "int", "ts")})))

    # ---- parallel plan
    par = None
    if any(m[0] == "profile_parallel" for m in methods):
        par = check_parallel(conn, cur)
        if par["forced"]:
            log("  parallel:   the planner does not choose 2 workers by itself at this size:")
            log("    " + par["plan"].replace("\n", "\n    "))
            log("              forced for the 2-worker runs: ALTER TABLE %s SET (parallel_workers"
                " = 2), parallel_setup_cost = 0, parallel_tuple_cost = 0" % TABLE)
        log("  parallel:   EXPLAIN profile_agg with 2 workers allowed: %s; "
            "EXPLAIN ANALYZE: %d workers launched; inside automl.profile(): %s"
            % ("Partial Aggregate, Workers Planned: 2" if par["planned"] else "NOT PARALLEL",
               par["launched"],
               "%d workers launched" % par["in_profile"] if par["in_profile"] is not None
               else "unknown (%s)" % par.get("in_profile_error", "no auto_explain output")))
        if not par["planned"] or par["launched"] < 1 or par["in_profile"] == 0:
            log("  WARNING: the parallel profile does not run with parallel workers; plan:")
            log("    " + par["plan_used"].replace("\n", "\n    "))

    # ---- warm-up, then round-robin timed runs
    log("  warm-up:    one untimed pass of each method ...")
    first = {}
    for key, label, fn in methods:
        first[key] = fn(conn, cur)
    check = {}
    for key in ("profile_serial", "profile_parallel"):
        if key in first:
            check[key] = json.loads(first[key])["duplicate_rows"]
    if "plain_sql" in first:
        check["plain_sql"] = first["plain_sql"]["duplicates"]
    if "pandas" in first:
        check["pandas"] = first["pandas"]["duplicates"]
    if check:
        log("  check:      duplicate rows: %s%s" % (
            ", ".join("%s %s" % kv for kv in check.items()),
            "" if len(set(check.values())) == 1 else "  <-- DIFFERENT"))
    del first
    log("  load:       %s (before the timed runs)" % loadavg())
    pid = q1(cur, "SELECT pg_backend_pid()")
    if backend_cpu(pid) is None or not os.path.exists("/proc/%d/stat" % pid):
        pid = None
    times = {m[0]: [] for m in methods}
    cpus = {m[0]: [] for m in methods}
    for r in range(a.repeat):
        line = []
        for key, label, fn in methods:
            t, c = timed(fn, conn, cur, pid)
            times[key].append(t)
            if c is not None:
                cpus[key].append(c)
            line.append("%s %.3f" % (key, t))
        log("  run %d/%d:   %s" % (r + 1, a.repeat, ", ".join(line)))

    log("  load:       %s (after the timed runs)" % loadavg())
    med = {k: statistics.median(v) for k, v in times.items()}
    log("")
    cmed = {k: statistics.median(v) for k, v in cpus.items() if len(v) == a.repeat}
    log("%-42s %9s %9s %9s %12s" % ("method (%d rows, %d runs)" % (n, a.repeat),
                                    "median s", "min s", "max s", "backend cpu"))
    for key, label, fn in methods:
        log("%-42s %9.3f %9.3f %9.3f %12s" % (
            label, med[key], min(times[key]), max(times[key]),
            ("%.3f%s" % (cmed[key], "*" if key == "profile_parallel" else " "))
            if key in cmed else "-"))
    if "pandas" in med:
        reads = PANDAS_READ[-a.repeat:]
        log("%-42s %9.3f %9.3f %9.3f" % ("  of which pd.read_sql", statistics.median(reads),
                                         min(reads), max(reads)))
    if cmed:
        log("(backend cpu: median CPU seconds of the server process serving the runs, from"
            " /proc;\n * leader only, without its workers)")

    ratios = []

    def ratio(name, num, den, op, target):
        if num not in med or den not in med:
            return
        v = med[num] / med[den]
        ok = {"<=": v <= target, ">=": v >= target, ">": v > target}[op]
        ratios.append({"ratio": name, "value": v, "target": "%s %gx" % (op, target),
                       "pass": ok})

    ratio("profile(serial) / floor", "profile_serial", "floor", "<=", 2)
    ratio("plain SQL / profile(serial)", "plain_sql", "profile_serial", ">=", 5)
    ratio("pandas / profile(serial)", "pandas", "profile_serial", ">=", 10)
    ratio("profile(serial) / profile(parallel 2)", "profile_serial", "profile_parallel", ">", 1)
    if ratios:
        log("")
        log("%-42s %9s %9s %7s" % ("ratio of medians", "value", "target", "result"))
        for x in ratios:
            log("%-42s %8.2fx %9s %7s" % (x["ratio"], x["value"], x["target"],
                                         "PASS" if x["pass"] else "MISS"))
        if "profile_parallel" in med:
            extra = [("plain SQL / profile(parallel 2)", "plain_sql"),
                     ("pandas / profile(parallel 2)", "pandas")]
            for name, k in extra:
                if k in med:
                    log("%-42s %8.2fx %9s" % (name, med[k] / med["profile_parallel"], "(info)"))
        for name, x, y in (("profile(serial) / floor, backend cpu", "profile_serial", "floor"),
                           ("plain SQL / profile(serial), backend cpu", "plain_sql",
                            "profile_serial")):
            if x in cmed and y in cmed and cmed[y] > 0:
                log("%-42s %8.2fx %9s" % (name, cmed[x] / cmed[y], "(info)"))

    # ---- breakdown
    bd = {}
    if a.breakdown:
        log("")
        log("breakdown (median of %d after a warm-up)%s %9s %12s"
            % (a.repeat, " " * (14 - len(str(a.repeat))), "wall s", "backend cpu"))
        items = [(label, sql, 0) for label, sql in BREAKDOWN]
        items.insert(0, ("floor (for reference)", floor_sql(), 0))
        items += [("2 workers: profile_agg defaults", BREAKDOWN[2][1], 2),
                  ("2 workers:   duplicates:false", BREAKDOWN[3][1], 2)]
        for label, sql, workers in items:
            set_workers(cur, workers)
            cur.execute(sql)
            cur.fetchall()
            ts, cs = [], []
            for _ in range(a.repeat):
                t, c = timed(lambda conn, cur: (cur.execute(sql), cur.fetchall()), conn, cur, pid)
                ts.append(t)
                if c is not None:
                    cs.append(c)
            bd[label] = {"wall": ts, "cpu": cs}
            log("  %-46s %9.3f %12s" % (label, statistics.median(ts),
                                         "%.3f%s" % (statistics.median(cs), "*" if workers else "")
                                         if cs else "-"))

    so_end = machine_info(cur).get("automl_so")
    if so_end != info.get("automl_so"):
        log("\nWARNING: automl.so changed during the run (now %s): backends started before"
            " and after the change ran different builds; run again" % so_end)
        info["automl_so_at_end"] = so_end

    if a.json:
        with open(a.json, "w") as f:
            json.dump({"info": info, "rows": n, "seed": a.seed, "repeat": a.repeat,
                       "server": a.server, "fingerprint": fp, "parallel": par,
                       "times": times, "medians": med, "ratios": ratios,
                       "backend_cpu": cpus, "backend_cpu_medians": cmed,
                       "pandas_read": PANDAS_READ[-a.repeat:],
                       "breakdown": bd}, f, indent=1, default=str)
        log("\nwrote %s" % a.json)

    if not a.keep:
        cur.execute("DELETE FROM automl.profiles WHERE relation = %s::regclass", (TABLE,))
        cur.execute("DROP TABLE %s" % TABLE)
    conn.close()


if __name__ == "__main__":
    sys.exit(main())

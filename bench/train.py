#!/usr/bin/python3
"""automl training benchmark: automl.train/predict against their floors and
against scikit-learn and XGBoost, side by side in one run.

Groups (--only takes a comma-separated subset; default all):

  linear  automl.train(..., 'regression', 'linear_regression') on --rows rows
          (default 1M) x 20 float8 features + target, against
            floor    SELECT sum(x01), ..., sum(x20), sum(y): one scan reading
                     the same 21 columns (target: automl <= 1.5x the floor)
            sklearn  pandas.read_sql of the same table + LinearRegression().fit,
                     end to end (target: >= 10x automl's time)
  gbdt    automl.train(..., 'classification', 'gradient_boosting',
          options {"hyperparams": {"n_estimators": 100, "max_depth": 6}};
          every train call also passes "deploy": "always", so that predict
          and evaluate see the version just trained) on
          --clf-rows rows (default 100K) with a binary target, against XGBoost
          tree_method='hist', 100 rounds, max_depth 6, nthread 1, trained on
          the same table read once beforehand (only xgb.train is timed).
          Targets: automl <= 1.5x XGBoost's fit; held-out accuracy, both
          measured on the same --test-rows rows (automl_train_clf_test),
          at most 0.5 points below XGBoost's.  Each library keeps its own
          learning rate (automl 0.1, XGBoost 0.3) unless --learning-rate
          sets both: on this data at 20K rows that alone moves the accuracy
          by about 1.5 points.
  score   SELECT sum(automl.predict(m, t.*)) FROM t over --rows rows, minus
          the plain scan SELECT count(*) FROM t: the linear model on the
          regression table, the 100-tree model on a table of the classifier's
          distribution.  Targets at 1M rows (scaled with --rows): +1 s linear,
          +3 s boosted trees.
  single  pgbench -M prepared, --clients clients and threads (default 2) for
          --duration seconds (default 30) each: SELECT automl.predict(m,
          ARRAY[...]::float8[]) with one row's 20 features, for each model,
          against SELECT 1 (--pgbench-rounds N: N round-robin runs of each,
          median TPS).  Target: TPS ratio >= 0.8 for each model.
          Latency: pgbench 15's per-transaction log (--log) records 0 us for
          many transactions that take under ~20 us (up to 95% of SELECT 1 runs
          measured here), which drags its percentiles down; so its p99 is
          shown only when under 1% of the entries are 0, and the p50/p99 that
          are always reported come from a probe run alone after the pgbench
          runs: one psycopg2 connection EXECUTEs the same prepared statement
          in a loop, each call timed by the client (perf_counter_ns; client
          overhead included, the same for both statements).

Every timed method runs once untimed (warm cache; for automl.train this also
makes the models the other groups use), then --repeat times round-robin;
medians, minimum and maximum wall-clock seconds are reported, with the
backend's CPU seconds (SQL methods, local server) or this process's CPU
seconds (scikit-learn, XGBoost).  Every SQL method runs with
max_parallel_workers_per_gather = --workers (default 0: all serial, like the
floor) and jit = off (--set jit=on to change).  automl.train gets
time_budget --time-budget (default '1 hour', so the budget never cuts a run
short).

automl.train holds out options.test_fraction of the rows (the extension's
default 0.2) for the metrics it returns, so by default it fits fewer rows
than scikit-learn and XGBoost, which fit the whole table; --test-fraction 0
makes the fits comparable row for row (the output says how many rows automl
trained on).  A check compares automl's and scikit-learn's linear
predictions on 5 rows.

The data (bench/train_gen.sql) is deterministic from --seed; each table's
comment records how it was made (--reuse keeps a matching table).  Methods
whose SQL function does not exist in the installed automl are skipped with a
note, so the baselines can run before the feature is complete.

Without --existing (and without PGHOST/PGPORT set) the script re-runs itself
inside a throwaway cluster made by pg_virtualenv -t -v 15, with the settings
of bench/run and a snapshot of the installed extension (so a `make install`
during the run cannot mix two builds); install the extension first.  With
--existing it uses the server of the libpq environment.  Either way the
tables are dropped at the end unless --keep, and the models too if the
extension has an automl.drop_model function (their names are printed
otherwise); models of the same names left by an earlier run are dropped at
the start.  --port sets the throwaway cluster's port.

Must run under /usr/bin/python3 (it re-executes itself there), where Debian's
python3-pandas, -numpy, -psycopg2, -sklearn and -xgboost import; missing ones
are installed with apt, and the output says so.
"""

import argparse
import bisect
import glob
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

PY = "/usr/bin/python3"
if os.path.realpath(sys.executable) != os.path.realpath(PY) and os.path.exists(PY):
    os.execv(PY, [PY] + sys.argv)

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
FEATURES = ["x%02d" % j for j in range(1, 21)]
T_REG = "automl_train_reg"
T_CLF = "automl_train_clf"
T_TEST = "automl_train_clf_test"
T_SCORE = "automl_train_score"
M_LIN = "automl_bench_linear"
M_GBDT = "automl_bench_gbdt"
GBDT_OPTIONS = {"hyperparams": {"n_estimators": 100, "max_depth": 6}}
XGB_PARAMS = {"tree_method": "hist", "max_depth": 6, "nthread": 1,
              "objective": "binary:logistic", "eval_metric": "logloss"}
XGB_ROUNDS = 100
GROUPS = ["linear", "gbdt", "score", "single"]
# the SQL surface under test (looked up by name: the signatures are those of
# the contract, but an overload more or less must not hide a function)
API = {
    "train": "automl.train(text, regclass, text, text, text, interval, jsonb)",
    "predict": "automl.predict(text, anyelement)",
    "evaluate": "automl.evaluate(text, regclass)",
}
# throwaway cluster settings: those of bench/run
PG_OPTIONS = ["shared_buffers=1GB", "work_mem=256MB", "max_parallel_workers_per_gather=2",
              "max_worker_processes=8", "max_parallel_workers=8", "max_wal_size=4GB",
              "checkpoint_timeout=30min", "autovacuum=off"]
PACKAGES = [("numpy", "python3-numpy"), ("pandas", "python3-pandas"),
            ("psycopg2", "python3-psycopg2"), ("sklearn", "python3-sklearn"),
            ("xgboost", "python3-xgboost")]


def log(msg=""):
    print(msg, flush=True)


# ---------------------------------------------------------------- setup

def parse_args():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1000000,
                    help="rows of the regression table and of the scoring table (default 1000000)")
    ap.add_argument("--clf-rows", type=int, default=100000,
                    help="training rows of the classifier (default 100000)")
    ap.add_argument("--test-rows", type=int, default=20000,
                    help="held-out rows for the accuracy of both classifiers (default 20000)")
    ap.add_argument("--seed", type=int, default=42, help="seed of the data (default 42)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="timed runs of each method, round-robin (default 3)")
    ap.add_argument("--only", default="", help="comma-separated subset of: " + ",".join(GROUPS))
    ap.add_argument("--duration", type=int, default=30,
                    help="seconds of each pgbench run of the single-row group (default 30)")
    ap.add_argument("--pgbench-rounds", type=int, default=1,
                    help="round-robin pgbench runs of each statement; the median tps is used "
                         "(default 1)")
    ap.add_argument("--clients", type=int, default=2,
                    help="pgbench clients and threads (default 2)")
    ap.add_argument("--workers", type=int, default=0,
                    help="max_parallel_workers_per_gather of every SQL method (default 0)")
    ap.add_argument("--test-fraction", type=float, default=None,
                    help="options.test_fraction of both automl.train calls (default: not "
                         "passed, the extension's 0.2; 0 trains on every row, as scikit-learn "
                         "and XGBoost do here)")
    ap.add_argument("--learning-rate", type=float, default=None,
                    help="learning rate of both boosted models (default: each one's own, "
                         "automl 0.1 and XGBoost 0.3)")
    ap.add_argument("--time-budget", default="1 hour",
                    help="time_budget passed to automl.train (default '1 hour')")
    ap.add_argument("--existing", action="store_true",
                    help="use the server of the libpq environment (implied by PGHOST/PGPORT)")
    ap.add_argument("--set", action="append", default=[], metavar="GUC=VALUE",
                    help="session setting of the timed connection (repeatable)")
    ap.add_argument("--pg-option", action="append", default=[], metavar="GUC=VALUE",
                    help="postgresql.conf setting of the throwaway cluster (repeatable)")
    ap.add_argument("--port", type=int, default=0,
                    help="port of the throwaway cluster (default: the first free one from "
                         "5432, as pg_virtualenv picks)")
    ap.add_argument("--reuse", action="store_true", help="keep tables made with the same settings")
    ap.add_argument("--keep", action="store_true", help="keep the tables (and models) afterwards")
    ap.add_argument("--json", metavar="FILE", help="write every timing to FILE")
    ap.add_argument("--server", default="", help=argparse.SUPPRESS)
    ap.add_argument("--in-cluster", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.rows < 1 or a.clf_rows < 2 or a.test_rows < 1 or a.repeat < 1 or a.duration < 1 \
            or a.clients < 1 or a.workers < 0 or a.pgbench_rounds < 1:
        ap.error("--rows, --test-rows, --repeat, --duration, --clients, --pgbench-rounds must "
                 "be positive, --clf-rows at least 2, --workers not negative")
    a.groups = GROUPS
    if a.only:
        a.groups = [g.strip() for g in a.only.split(",") if g.strip()]
        bad = [g for g in a.groups if g not in GROUPS]
        if bad:
            ap.error("unknown group(s) in --only: %s (choose from %s)"
                     % (",".join(bad), ",".join(GROUPS)))
    if a.learning_rate is not None:
        GBDT_OPTIONS["hyperparams"]["learning_rate"] = a.learning_rate
        XGB_PARAMS["eta"] = a.learning_rate
    if a.json and not os.path.isabs(a.json):
        a.json = os.path.abspath(a.json)
    return a


def ensure_packages(groups):
    """apt-get install the python3-* packages /usr/bin/python3 lacks."""
    need = [(m, p) for m, p in PACKAGES
            if not (m == "sklearn" and "linear" not in groups)
            and not (m == "xgboost" and "gbdt" not in groups)]
    missing = []
    for mod, pkg in need:
        if subprocess.run([PY, "-c", "import " + mod], capture_output=True).returncode != 0:
            missing.append(pkg)
    if missing:
        log("train.py: installing %s (missing for %s)" % (" ".join(missing), PY))
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        cmd = ["apt-get", "install", "-y", "-q"] + missing
        if subprocess.run(cmd, env=env).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, check=True)
            subprocess.run(cmd, env=env, check=True)


def pg_config(what):
    exe = os.environ.get("PG_CONFIG", "/usr/lib/postgresql/15/bin/pg_config")
    if not os.path.exists(exe):
        exe = "pg_config"
    return subprocess.run([exe, what], capture_output=True, text=True,
                          check=True).stdout.strip()


def git_describe():
    try:
        git = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--", "src", "sql",
                                "Makefile"], capture_output=True, text=True).stdout.strip()
        return git + ("+uncommitted changes" if git and dirty else "")
    except OSError:
        return ""


def absolute_json_arg(argv):
    """argv with the --json path made absolute (the child runs in /tmp)."""
    out = list(argv)
    for i, x in enumerate(out):
        if x == "--json" and i + 1 < len(out):
            out[i + 1] = os.path.abspath(out[i + 1])
        elif x.startswith("--json="):
            out[i] = "--json=" + os.path.abspath(x[len("--json="):])
    return out


def run_in_throwaway_cluster(a):
    """Re-run this script under pg_virtualenv with a snapshot of the installed
    extension, loaded through Debian's extension_destdir (as bench/run does)."""
    libdir, sharedir = pg_config("--pkglibdir"), pg_config("--sharedir")
    so = os.path.join(libdir, "automl.so")
    if not os.path.exists(so):
        log("train.py: %s is not installed: run `make && make install` first" % so)
        return 1
    snap = tempfile.mkdtemp(prefix="automl_train.")
    try:
        os.makedirs(snap + libdir)
        os.makedirs(snap + sharedir + "/extension")
        shutil.copy2(so, snap + libdir)
        for f in glob.glob(sharedir + "/extension/automl.control") + \
                glob.glob(sharedir + "/extension/automl--*.sql"):
            shutil.copy2(f, snap + sharedir + "/extension/")
        # readable by the server, which runs as postgres
        for root, dirs, files in os.walk(snap):
            os.chmod(root, 0o755)
            for f in files:
                f = os.path.join(root, f)
                os.chmod(f, os.stat(f).st_mode | 0o444)
        opts = PG_OPTIONS + a.pg_option + ["extension_destdir=" + snap]
        env = dict(os.environ, AUTOML_BENCH_SO=snap + libdir + "/automl.so",
                   AUTOML_BENCH_GIT=git_describe(),
                   PATH=pg_config("--bindir") + ":" + os.environ.get("PATH", ""))
        if a.port:
            env["PGPORT"] = str(a.port)     # pg_virtualenv passes it to pg_createcluster
        server = "throwaway pg_virtualenv -v 15 cluster (%s)" % " ".join(opts[:-1])
        cmd = ["pg_virtualenv", "-t", "-v", "15"]
        for o in opts:
            cmd += ["-o", o]
        cmd += [PY, os.path.abspath(__file__), "--in-cluster", "--server", server] + \
            absolute_json_arg(sys.argv[1:])
        # pg_virtualenv and psql run as root or postgres: a neutral directory
        return subprocess.run(cmd, env=env, cwd="/tmp").returncode
    finally:
        shutil.rmtree(snap, ignore_errors=True)


# ---------------------------------------------------------------- helpers

def connect(settings, workers):
    import psycopg2
    conn = psycopg2.connect("", application_name="automl_train_bench")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SET TimeZone = 'UTC'")
        cur.execute("SET statement_timeout = 0")
        cur.execute("SET max_parallel_workers_per_gather = %d" % workers)
        # JIT would add 50-100 ms of compilation to the floor and to the
        # scoring scans (whose cost estimate passes jit_above_cost) and save
        # nothing measurable here; --set jit=on turns it back on
        cur.execute("SET jit = off")
        for name, value in settings:
            cur.execute("SELECT set_config(%s, %s, false)", (name, value))
    return conn


def q1(cur, sql, args=None):
    cur.execute(sql, args)
    return cur.fetchone()[0]


def backend_cpu(pid):
    """CPU seconds (user + system) used so far by server process pid, from
    /proc when the server runs on this machine; None otherwise."""
    if pid is None:
        return None
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def loadavg():
    with open("/proc/loadavg") as f:
        return "loadavg " + " ".join(f.read().split()[:3])


def find_key(obj, key):
    """The first value of key in nested dicts/lists (breadth first), or None."""
    todo = [obj]
    while todo:
        o = todo.pop(0)
        if isinstance(o, dict):
            if key in o:
                return o[key]
            todo.extend(o.values())
        elif isinstance(o, list):
            todo.extend(o)
    return None


def as_json(v):
    if isinstance(v, str):
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


def short_json(v, limit=160):
    s = json.dumps(v, sort_keys=True) if not isinstance(v, str) else v
    return s if len(s) <= limit else s[:limit - 3] + "..."


def float8_array(values):
    return "ARRAY[%s]::float8[]" % ", ".join(repr(float(v)) for v in values)


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
                "'jit', 'max_connections') ORDER BY name")
    info["settings"] = dict(cur.fetchall())
    so = os.environ.get("AUTOML_BENCH_SO") or os.path.join(pg_config("--pkglibdir"), "automl.so")
    try:
        with open(so, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()[:12]
        info["automl_so"] = "%s (sha256 %s, %s)" % (
            so, digest, time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(os.path.getmtime(so))))
    except OSError:
        pass
    info["git"] = os.environ.get("AUTOML_BENCH_GIT") or git_describe()
    versions = []
    for mod, name in (("numpy", "numpy"), ("pandas", "pandas"), ("sklearn", "scikit-learn"),
                      ("xgboost", "xgboost")):
        try:
            versions.append("%s %s" % (name, __import__(mod).__version__))
        except ImportError:
            pass
    info["python"] = ", ".join(versions)
    return info


# ---------------------------------------------------------------- data

def table_stamps(a):
    """The comment each table gets: what determines its contents."""
    return {
        T_REG: "automl train bench rows=%d seed=%d" % (a.rows, a.seed),
        T_CLF: "automl train bench clf_rows=%d seed=%d" % (a.clf_rows, a.seed),
        T_TEST: "automl train bench clf_rows=%d test_rows=%d seed=%d"
                % (a.clf_rows, a.test_rows, a.seed),
        T_SCORE: "automl train bench score_rows=%d clf_rows=%d test_rows=%d seed=%d"
                 % (a.rows, a.clf_rows, a.test_rows, a.seed),
    }


def tables_needed(groups):
    need = set()
    if "linear" in groups or "score" in groups or "single" in groups:
        need.add(T_REG)                 # the linear model's training data
    if "gbdt" in groups or "score" in groups or "single" in groups:
        need.add(T_CLF)                 # the boosted model's training data
    if "gbdt" in groups:
        need.add(T_TEST)
    if "score" in groups:
        need.add(T_SCORE)
    return need


def make_tables(cur, a, need):
    """Generate the tables in need (all of them, or those whose comment does
    not match with --reuse) with bench/train_gen.sql; returns fingerprints."""
    stamps = table_stamps(a)
    make = set()
    for t in need:
        have = q1(cur, "SELECT obj_description(to_regclass(%s), 'pg_class')", (t,))
        if not (a.reuse and have == stamps[t]):
            make.add(t)
    t0 = time.perf_counter()
    if make:
        short = {T_REG: "reg", T_CLF: "clf", T_TEST: "test", T_SCORE: "score"}
        cmd = [client_bin("psql"), "-X", "-q", "-v", "seed=%d" % a.seed, "-v", "rows=%d" % a.rows,
               "-v", "clf_rows=%d" % a.clf_rows, "-v", "test_rows=%d" % a.test_rows,
               "-v", "score_rows=%d" % a.rows,
               "-v", "tables=" + ",".join(sorted(short[t] for t in make)),
               "-f", os.path.join(HERE, "train_gen.sql")]
        subprocess.run(cmd, check=True)
        for t in make:
            cur.execute("COMMENT ON TABLE %s IS %%s" % t, (stamps[t],))
    made = time.perf_counter() - t0
    prints = {}
    for t in sorted(need):
        cur.execute("SELECT count(*), sum(hashtext(t::text)::bigint), "
                    "pg_size_pretty(pg_table_size('%s')) FROM %s t" % (t, t))
        n, fp, size = cur.fetchone()
        prints[t] = {"rows": n, "fingerprint": fp, "size": size,
                     "made": t in make}
        log("  table:      %-22s %9d rows, %8s, fingerprint %d%s"
            % (t, n, size, fp, "" if t in make else " (reused)"))
    if make:
        log("  tables made in %.1f s" % made)
    return prints


# ---------------------------------------------------------------- methods

class Bench:
    """State shared by the methods: connection, data, models, API."""

    def __init__(self, a, conn, settings):
        self.a = a
        self.settings = settings
        self.conn = conn
        self.cur = conn.cursor()
        self.api = {}
        self.trained = {}       # model name -> last row returned by automl.train
        self.clf_data = None    # (X, y, Xtest, ytest) for XGBoost
        self.booster = None
        self.sklearn_read = []  # seconds of pd.read_sql in each sklearn run

    def check_api(self):
        for k in API:
            self.api[k] = q1(self.cur, "SELECT count(*) > 0 FROM pg_proc WHERE proname = %s "
                             "AND pronamespace = to_regnamespace('automl')", (k,))
        return self.api

    def train(self, model, table, task, algorithm, options):
        # the version just trained is the one predict and evaluate must see
        # (by default a version is deployed only if it scores better)
        options = dict(options, deploy="always")
        if self.a.test_fraction is not None:
            options["test_fraction"] = self.a.test_fraction
        self.cur.execute(
            "SELECT * FROM automl.train(%s, %s::regclass, 'y', %s, %s, %s::interval, %s::jsonb)",
            (model, table, task, algorithm, self.a.time_budget, json.dumps(options)))
        cols = [d[0] for d in self.cur.description]
        row = dict(zip(cols, self.cur.fetchone()))
        row["metrics"] = as_json(row.get("metrics"))
        self.trained[model] = row
        return row

    def ensure_model(self, model):
        """Train model once, untimed, unless this run has trained it already."""
        if model in self.trained:
            return True
        if not self.api.get("train"):
            return False
        log("  setup:      training %s (untimed) ..." % model)
        if model == M_LIN:
            self.train(M_LIN, T_REG, "regression", "linear_regression", {})
        else:
            self.train(M_GBDT, T_CLF, "classification", "gradient_boosting", GBDT_OPTIONS)
        return True

    # -- (a) linear regression
    def linear_automl(self):
        return self.train(M_LIN, T_REG, "regression", "linear_regression", {})

    def linear_floor(self):
        self.cur.execute("SELECT %s FROM %s" % (", ".join("sum(%s)" % c for c in FEATURES + ["y"]),
                                                T_REG))
        return self.cur.fetchone()

    def linear_sklearn(self):
        import pandas as pd
        from sklearn.linear_model import LinearRegression
        warnings.filterwarnings("ignore", message="pandas only supports SQLAlchemy")
        t0 = time.perf_counter()
        df = pd.read_sql("SELECT %s FROM %s" % (", ".join(FEATURES + ["y"]), T_REG), self.conn)
        self.sklearn_read.append(time.perf_counter() - t0)
        m = LinearRegression().fit(df[FEATURES].to_numpy(), df["y"].to_numpy())
        self.sklearn_model = m
        return m

    # -- (b) gradient boosting
    def gbdt_automl(self):
        return self.train(M_GBDT, T_CLF, "classification", "gradient_boosting", GBDT_OPTIONS)

    def load_clf_data(self):
        import pandas as pd
        warnings.filterwarnings("ignore", message="pandas only supports SQLAlchemy")
        cols = ", ".join(FEATURES + ["y"])
        tr = pd.read_sql("SELECT %s FROM %s" % (cols, T_CLF), self.conn)
        te = pd.read_sql("SELECT %s FROM %s" % (cols, T_TEST), self.conn)
        self.clf_data = (tr[FEATURES].to_numpy(), tr["y"].to_numpy(),
                         te[FEATURES].to_numpy(), te["y"].to_numpy())

    def gbdt_xgboost(self):
        """Returns the seconds of the fit alone: a fresh DMatrix (a copy of
        the array) is made untimed each run, so that no run reuses the
        quantile sketch and histogram index XGBoost caches in a DMatrix."""
        import xgboost as xgb
        dtrain = xgb.DMatrix(self.clf_data[0], label=self.clf_data[1], nthread=1)
        t0 = time.perf_counter()
        self.booster = xgb.train(XGB_PARAMS, dtrain, num_boost_round=XGB_ROUNDS)
        return time.perf_counter() - t0

    # -- (c) batch scoring
    def score(self, model, table):
        return q1(self.cur, "SELECT sum(automl.predict(%%s::text, t.*)) FROM %s t" % table,
                  (model,))

    def scan(self, table):
        return q1(self.cur, "SELECT count(*) FROM %s t" % table)


def method_list(b):
    """(key, group, label, function, needs) in report order; needs is the
    list of automl functions and models the method uses."""
    return [
        ("linear_automl", "linear", "automl.train linear_regression", b.linear_automl, ["train"]),
        ("linear_floor", "linear", "floor: SELECT sum() of the 21 columns", b.linear_floor, []),
        ("linear_sklearn", "linear", "read_sql + sklearn LinearRegression", b.linear_sklearn, []),
        ("gbdt_automl", "gbdt", "automl.train gradient_boosting", b.gbdt_automl, ["train"]),
        ("gbdt_xgboost", "gbdt", "XGBoost hist fit (data in memory)", b.gbdt_xgboost, []),
        ("score_linear", "score", "sum(predict(linear, t.*)) %s" % T_REG,
         lambda: b.score(M_LIN, T_REG), ["predict", M_LIN]),
        ("scan_reg", "score", "SELECT count(*) FROM %s" % T_REG, lambda: b.scan(T_REG), []),
        ("score_gbdt", "score", "sum(predict(gbdt, t.*)) %s" % T_SCORE,
         lambda: b.score(M_GBDT, T_SCORE), ["predict", M_GBDT]),
        ("scan_score", "score", "SELECT count(*) FROM %s" % T_SCORE, lambda: b.scan(T_SCORE), []),
    ]


# ---------------------------------------------------------------- pgbench

def client_bin(name):
    """PostgreSQL 15's psql or pgbench, else the one in PATH."""
    try:
        p = os.path.join(pg_config("--bindir"), name)
        if os.path.exists(p):
            return p
    except (OSError, subprocess.CalledProcessError):
        pass
    return name


def run_pgbench(name, sql, a, workdir):
    """One pgbench run of sql; returns tps, failures and latency percentiles
    (ms) from the per-transaction log."""
    script = os.path.join(workdir, name + ".sql")
    with open(script, "w") as f:
        f.write(sql + ";\n")
    prefix = os.path.join(workdir, name)
    for old in glob.glob(prefix + ".*[0-9]"):
        os.remove(old)
    cmd = [client_bin("pgbench"), "-n", "-M", "prepared", "-c", str(a.clients),
           "-j", str(a.clients), "-T", str(a.duration), "-f", script,
           "--log", "--log-prefix", prefix]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=workdir)
    if r.returncode != 0:
        raise RuntimeError("pgbench %s failed: %s" % (name, (r.stderr or r.stdout).strip()))
    m = re.search(r"^tps = ([0-9.]+) \(without initial connection time\)", r.stdout, re.M)
    tps = float(m.group(1)) if m else None
    m = re.search(r"^number of failed transactions: (\d+)", r.stdout, re.M)
    failed = int(m.group(1)) if m else 0
    m = re.search(r"^number of transactions actually processed: (\d+)", r.stdout, re.M)
    done = int(m.group(1)) if m else None
    lat = []
    for path in glob.glob(prefix + ".[0-9]*"):
        with open(path) as f:
            for line in f:
                # client_id transaction_no time script_no time_epoch time_us
                parts = line.split(None, 3)
                if len(parts) >= 3 and parts[2].isdigit():
                    lat.append(int(parts[2]))
        os.remove(path)
    lat.sort()
    zeros = bisect.bisect_right(lat, 0)
    return {"tps": tps, "failed": failed, "transactions": done, "logged": len(lat),
            "log_zero_share": zeros / len(lat) if lat else None,
            "log_p50_ms": percentile(lat, 50, 1e-3), "log_p99_ms": percentile(lat, 99, 1e-3),
            "log_max_ms": lat[-1] / 1000.0 if lat else None}


def percentile(sorted_values, p, scale=1.0):
    """The p-th percentile (nearest rank) of sorted values, times scale."""
    if not sorted_values:
        return None
    i = min(len(sorted_values) - 1, int(round(p / 100.0 * (len(sorted_values) - 1))))
    return sorted_values[i] * scale


def probe_latency(sql, seconds, settings, workers):
    """Latencies of sql on one connection of its own, run alone: a prepared
    statement EXECUTEd in a loop for `seconds`, each call timed by the client
    (time.perf_counter_ns around execute + fetch).  Returns percentiles in ms."""
    conn = connect(settings, workers)
    cur = conn.cursor()
    cur.execute("PREPARE automl_probe AS " + sql)
    for _ in range(100):                  # warm: model loaded, plan cached
        cur.execute("EXECUTE automl_probe")
        cur.fetchone()
    lat = []
    end = time.perf_counter() + seconds
    clock = time.perf_counter_ns
    while time.perf_counter() < end:
        for _ in range(100):
            t0 = clock()
            cur.execute("EXECUTE automl_probe")
            cur.fetchone()
            lat.append(clock() - t0)
    conn.close()
    lat.sort()
    return {"calls": len(lat), "p50_ms": percentile(lat, 50, 1e-6),
            "p99_ms": percentile(lat, 99, 1e-6), "max_ms": lat[-1] * 1e-6}


def single_row(b, a):
    """pgbench: predict on one row vs SELECT 1, for each model available."""
    res = {}
    b.cur.execute("SELECT %s FROM %s LIMIT 1" % (", ".join(FEATURES), T_CLF))
    row = b.cur.fetchone()
    runs = [("select1", "SELECT 1", None)]
    for model in (M_LIN, M_GBDT):
        if not b.api.get("predict"):
            break
        sql = "SELECT automl.predict('%s'::text, %s)" % (model, float8_array(row))
        try:
            if not b.ensure_model(model):
                continue
            v = q1(b.cur, sql)
        except Exception as e:  # noqa: BLE001 - report and go on
            log("  single:     %s: %s" % (model, str(e).strip().splitlines()[0]))
            continue
        runs.append((model, sql, v))
    workdir = tempfile.mkdtemp(prefix="automl_train_pgbench.")
    os.chmod(workdir, 0o755)
    probe_s = max(2, min(10, a.duration // 3))
    try:
        for rnd in range(a.pgbench_rounds):
            for name, sql, v in runs:
                if rnd > 0 and name not in res:
                    continue            # failed in the first round
                log("  pgbench:    %s, %d clients, %d s%s%s ..."
                    % (name, a.clients, a.duration,
                       "" if v is None or rnd > 0 else " (value %r)" % v,
                       "" if a.pgbench_rounds == 1 else ", round %d/%d" % (rnd + 1,
                                                                          a.pgbench_rounds)))
                try:
                    r = run_pgbench(name, sql, a, workdir)
                except Exception as e:  # noqa: BLE001 - report and go on
                    log("  single:     %s: %s" % (name, str(e).strip().splitlines()[0]))
                    res.pop(name, None)
                    continue
                if name in res:
                    r["tps_rounds"] = res[name]["tps_rounds"] + [r["tps"]]
                    r["failed"] += res[name]["failed"]
                else:
                    r["tps_rounds"] = [r["tps"]]
                r["tps"] = statistics.median(t for t in r["tps_rounds"] if t is not None) \
                    if any(t is not None for t in r["tps_rounds"]) else None
                r["sql"] = sql
                res[name] = r
        for name, sql, v in runs:
            if name in res:
                log("  latency:    %s, %d s alone on one connection ..." % (name, probe_s))
                try:
                    res[name]["probe"] = probe_latency(sql, probe_s, b.settings, a.workers)
                except Exception as e:  # noqa: BLE001 - report and go on
                    log("  latency:    %s: %s" % (name, str(e).strip().splitlines()[0]))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return res


# ---------------------------------------------------------------- checks

def check_linear(b):
    """automl's and scikit-learn's predictions on the first rows: the largest
    relative difference."""
    m = getattr(b, "sklearn_model", None)
    if m is None or not b.api.get("predict") or M_LIN not in b.trained:
        return None
    b.cur.execute("SELECT %s FROM %s LIMIT 5" % (", ".join(FEATURES), T_REG))
    rows = b.cur.fetchall()
    worst = 0.0
    for r in rows:
        ours = q1(b.cur, "SELECT automl.predict(%%s::text, %s)" % float8_array(r), (M_LIN,))
        theirs = float(m.predict([list(r)])[0])
        worst = max(worst, abs(ours - theirs) / max(1.0, abs(theirs)))
    return worst


def accuracy_gbdt(b):
    """Held-out accuracy of both classifiers on automl_train_clf_test."""
    import numpy as np
    import xgboost as xgb
    out = {}
    if b.booster is not None:
        Xt, yt = b.clf_data[2], b.clf_data[3]
        p = b.booster.predict(xgb.DMatrix(Xt, nthread=1))
        out["xgboost"] = float(np.mean((p >= 0.5).astype(int) == yt))
    if M_GBDT in b.trained:
        if b.api.get("evaluate"):
            try:
                ev = as_json(q1(b.cur, "SELECT automl.evaluate(%s::text, %s::regclass)",
                                (M_GBDT, T_TEST)))
                out["automl_evaluate"] = ev
                acc = find_key(ev, "accuracy")
                if acc is not None:
                    out["automl"] = float(acc)
            except Exception as e:  # noqa: BLE001
                out["automl_evaluate_error"] = str(e).strip().splitlines()[0]
        if b.api.get("predict"):
            # whether predict returns the class or the probability of class 1,
            # p >= 0.5 is the predicted class 1
            try:
                out["automl_predict"] = float(q1(
                    b.cur, "SELECT avg(((automl.predict(%%s::text, t.*) >= 0.5) = (t.y = 1))::int) "
                    "FROM %s t" % T_TEST, (M_GBDT,)))
                out.setdefault("automl", out["automl_predict"])
            except Exception as e:  # noqa: BLE001
                out["automl_predict_error"] = str(e).strip().splitlines()[0]
    return out


def loaded_library(cur):
    """The automl.so mapped into this connection's backend (local server),
    once something has loaded it."""
    pid = q1(cur, "SELECT pg_backend_pid()")
    try:
        with open("/proc/%d/maps" % pid) as f:
            for line in f:
                if line.rstrip().endswith("/automl.so"):
                    return line.split()[-1]
    except OSError:
        pass
    return None


def drop_models(b, names=None, quiet=False):
    """Drop the models (by default those this run trained) with
    automl.drop_model(name) if the extension has it."""
    names = sorted(b.trained) if names is None else list(names)
    if not names:
        return
    if q1(b.cur, "SELECT count(*) > 0 FROM pg_proc WHERE proname = 'drop_model' "
          "AND pronamespace = to_regnamespace('automl')"):
        for n in names:
            try:
                b.cur.execute("SELECT automl.drop_model(%s::text)", (n,))
            except Exception as e:  # noqa: BLE001 - quiet: there was no such model
                if not quiet:
                    log("  cleanup:    automl.drop_model(%s): %s"
                        % (n, str(e).strip().splitlines()[0]))
    elif not quiet:
        log("  cleanup:    models left in the database: %s" % ", ".join(names))


# ---------------------------------------------------------------- driver

def main():
    a = parse_args()
    if not a.in_cluster:
        ensure_packages(a.groups)
    existing = a.existing or "PGHOST" in os.environ or "PGPORT" in os.environ
    if not a.in_cluster and not existing:
        return run_in_throwaway_cluster(a)

    import psycopg2
    settings = [tuple(s.split("=", 1)) for s in a.set]
    conn = connect(settings, a.workers)
    cur = conn.cursor()
    try:
        cur.execute("CREATE EXTENSION IF NOT EXISTS automl")
    except psycopg2.Error as e:
        log("WARNING: CREATE EXTENSION automl failed: %s" % str(e).strip().splitlines()[0])
    b = Bench(a, conn, settings)
    info = machine_info(cur)
    api = b.check_api()
    log("automl training benchmark")
    log("  machine:    nproc %d, MemTotal %.1f GiB, %s"
        % (info["nproc"], info["mem_kb"] / 1048576.0, info.get("cpu", "?")))
    log("  postgres:   %s" % info["postgres"])
    log("  server:     %s" % (a.server or "existing (libpq environment)"))
    log("  settings:   %s; session max_parallel_workers_per_gather=%d%s"
        % (", ".join("%s=%s" % kv for kv in info["settings"].items()), a.workers,
           "".join(", %s=%s" % kv for kv in settings)))
    log("  automl:     %s, library %s%s" % (info["automl"], info.get("automl_so", "?"),
                                    ", git " + info["git"] if info.get("git") else ""))
    log("  python:     %s" % info["python"])
    log("  api:        %s" % ", ".join("%s %s" % (k, "yes" if v else "MISSING")
                                       for k, v in api.items()))
    log("  run:        --rows %d --clf-rows %d --test-rows %d --seed %d --repeat %d, groups %s, %s"
        % (a.rows, a.clf_rows, a.test_rows, a.seed, a.repeat, ",".join(a.groups), loadavg()))

    prints = make_tables(cur, a, tables_needed(a.groups))
    drop_models(b, (M_LIN, M_GBDT), quiet=True)     # versions of an earlier run
    methods = []
    for key, group, label, fn, needs in method_list(b):
        if group not in a.groups:
            continue
        missing = [n for n in needs if n in API and not api.get(n)]
        if missing:
            log("  skipped:    %s (automl.%s not in this build)" % (key, ", automl.".join(missing)))
            continue
        methods.append((key, group, label, fn, needs))
    if "gbdt" in a.groups:
        t0 = time.perf_counter()
        b.load_clf_data()
        log("  xgboost:    %s, %d rounds; data read with read_sql in %.2f s (untimed)"
            % (json.dumps(XGB_PARAMS, sort_keys=True), XGB_ROUNDS, time.perf_counter() - t0))
    if any(m[0].startswith("gbdt_automl") for m in methods):
        log("  automl:     gradient_boosting options %s, time_budget '%s'%s"
            % (json.dumps(GBDT_OPTIONS), a.time_budget,
               "" if a.learning_rate is not None else
               "; learning rates differ: automl 0.1, XGBoost 0.3 (--learning-rate)"))

    # warm-up; automl.train's warm-up run makes the model the scoring uses
    log("  warm-up:    one untimed pass of each method ...")
    ready = []
    for m in methods:
        key, needs = m[0], m[4]
        try:
            if not all(b.ensure_model(n) for n in needs if n in (M_LIN, M_GBDT)):
                log("  skipped:    %s (no model)" % key)
                continue
            m[3]()
            ready.append(m)
        except psycopg2.Error as e:
            log("  error:      %s: %s (skipped)" % (key, str(e).strip().splitlines()[0]))
    methods = ready
    lib = loaded_library(cur)
    if lib:
        try:
            with open(lib, "rb") as f:
                lib += " (sha256 %s)" % hashlib.sha256(f.read()).hexdigest()[:12]
        except OSError:
            pass
        info["loaded"] = lib
        log("  loaded:     %s" % lib)
    for model, row in b.trained.items():
        log("  model:      %s version %s, deployed %s, metrics %s"
            % (model, row.get("version"), row.get("deployed"), short_json(row.get("metrics"))))

    pid = q1(cur, "SELECT pg_backend_pid()")
    if backend_cpu(pid) is None:
        pid = None
    times = {m[0]: [] for m in methods}
    cpus = {m[0]: [] for m in methods}
    if methods:
        log("  load:       %s (before the timed runs)" % loadavg())
    for r in range(a.repeat if methods else 0):
        line = []
        for key, group, label, fn, needs in methods:
            sql = key not in ("linear_sklearn", "gbdt_xgboost")
            c0 = backend_cpu(pid) if sql else time.process_time()
            t0 = time.perf_counter()
            try:
                v = fn()
            except psycopg2.Error as e:
                log("  error:      %s: %s" % (key, str(e).strip().splitlines()[0]))
                continue
            t = time.perf_counter() - t0
            c1 = backend_cpu(pid) if sql else time.process_time()
            if key == "gbdt_xgboost":
                t = v                   # the fit alone
            times[key].append(t)
            if c0 is not None and c1 is not None:
                cpus[key].append(c1 - c0)
            line.append("%s %.3f" % (key, t))
        log("  run %d/%d:    %s" % (r + 1, a.repeat, ", ".join(line)))
    if methods:
        log("  load:       %s (after the timed runs)" % loadavg())

    med = {k: statistics.median(v) for k, v in times.items() if v}
    cmed = {k: statistics.median(v) for k, v in cpus.items() if len(v) == a.repeat}
    results = {"times": times, "medians": med, "cpu": cpus, "cpu_medians": cmed}
    if methods:
        log("")
        log("%-44s %9s %9s %9s %9s" % ("method (%d runs)" % a.repeat, "median s", "min s",
                                       "max s", "cpu s"))
        for key, group, label, fn, needs in methods:
            ts = times[key]
            if not ts:
                continue
            log("%-44s %9.3f %9.3f %9.3f %9s" % (
                label, med[key], min(ts), max(ts),
                ("%.3f%s" % (cmed[key], "" if key in ("linear_sklearn", "gbdt_xgboost") else "b"))
                if key in cmed else "-"))
            if key == "linear_sklearn" and b.sklearn_read:
                rd = b.sklearn_read[-a.repeat:]
                log("%-44s %9.3f %9.3f %9.3f" % ("  of which pd.read_sql", statistics.median(rd),
                                                 min(rd), max(rd)))
        log("(cpu: b = the server backend's CPU seconds from /proc; otherwise this Python"
            " process's, all threads)")

    # ---- checks
    checks = {}
    if "linear" in a.groups:
        d = check_linear(b)
        if d is not None:
            # the same rows give the same least-squares fit up to rounding;
            # automl's default hold-out of 20% moves the coefficients by
            # their standard error, ~1e-4 of a prediction here
            used = find_key(b.trained[M_LIN].get("metrics"), "train_rows")
            same = used is not None and used == prints[T_REG]["rows"]
            tol = 1e-6 if same else 1e-2
            checks["linear_max_rel_diff"] = d
            log("\n  check:      automl and sklearn linear predictions on 5 rows: max relative "
                "difference %.2g (automl trained on %s of %d rows)%s"
                % (d, used if used is not None else "?", prints[T_REG]["rows"],
                   "" if d < tol else "  <-- DIFFERENT (> %g)" % tol))
    acc = {}
    if "gbdt" in a.groups:
        acc = accuracy_gbdt(b)
        checks["accuracy"] = acc
        used = find_key(b.trained.get(M_GBDT, {}).get("metrics"), "train_rows")
        if used is not None and used != a.clf_rows:
            log("  note:       automl trained on %s of the %d rows XGBoost trained on (its "
                "hold-out; --test-fraction 0 to use all)" % (used, a.clf_rows))
        log("  accuracy:   held-out %s (%d rows): automl %s (evaluate %s, predict %s), "
            "xgboost %s" % (T_TEST, a.test_rows,
                            "%.4f" % acc["automl"] if "automl" in acc else "-",
                            short_json(acc.get("automl_evaluate", acc.get("automl_evaluate_error",
                                                                          "-")), 100),
                            "%.4f" % acc["automl_predict"] if "automl_predict" in acc
                            else acc.get("automl_predict_error", "-"),
                            "%.4f" % acc["xgboost"] if "xgboost" in acc else "-"))

    single = {}
    if "single" in a.groups:
        log("")
        single = single_row(b, a)
        log("")
        log("%-34s %10s %7s %18s %18s" % (
            "single row, %d clients, %d s%s" % (
                a.clients, a.duration,
                " x%d" % a.pgbench_rounds if a.pgbench_rounds > 1 else ""), "pgbench", "failed",
            "pgbench log p99", "1 client p50/p99"))
        for name, r in single.items():
            zs = r["log_zero_share"]
            logp99 = ("%.3f ms" % r["log_p99_ms"]) if zs is not None and zs <= 0.01 and \
                r["log_p99_ms"] is not None else "n/a (%.0f%% 0 us)" % (100 * (zs or 0))
            log("%-34s %10s %7d %18s %18s" % (
                "SELECT 1" if name == "select1" else "predict(%s, ARRAY[20])"
                % name.replace("automl_bench_", ""),
                "%.1f tps" % r["tps"] if r["tps"] else "?", r["failed"], logp99,
                "%.3f/%.3f ms" % (r["probe"]["p50_ms"], r["probe"]["p99_ms"])
                if r.get("probe") else "-"))
        log("(pgbench -M prepared throughput; its per-transaction log gives latencies only when"
            " under 1% of them\n read 0 us, which pgbench 15 logs for many sub-20 us"
            " transactions; the last column times\n EXECUTE of the prepared statement alone on"
            " one psycopg2 connection, client overhead included)")

    # ---- ratios
    ratios = []

    def ratio(name, value, op, target, unit="x"):
        if value is None:
            return
        ok = {"<=": value <= target, ">=": value >= target}[op]
        ratios.append({"ratio": name, "value": value, "target": "%s %g%s" % (op, target, unit),
                       "unit": unit, "pass": ok})

    def rmed(x, y):
        return med[x] / med[y] if x in med and y in med and med[y] > 0 else None

    scale = a.rows / 1e6
    ratio("automl linear / floor scan", rmed("linear_automl", "linear_floor"), "<=", 1.5)
    ratio("sklearn (read+fit) / automl linear", rmed("linear_sklearn", "linear_automl"), ">=", 10)
    ratio("automl gbdt / xgboost fit", rmed("gbdt_automl", "gbdt_xgboost"), "<=", 1.5)
    if "automl" in acc and "xgboost" in acc:
        ratio("accuracy automl - xgboost (points)", 100 * (acc["automl"] - acc["xgboost"]),
              ">=", -0.5, " pt")
    if "score_linear" in med and "scan_reg" in med:
        ratio("score linear - scan (s)", med["score_linear"] - med["scan_reg"], "<=",
              round(1.0 * scale, 3), " s")
    if "score_gbdt" in med and "scan_score" in med:
        ratio("score gbdt - scan (s)", med["score_gbdt"] - med["scan_score"], "<=",
              round(3.0 * scale, 3), " s")
    base_tps = single.get("select1", {}).get("tps")
    for model in (M_LIN, M_GBDT):
        if model in single and base_tps and single[model]["tps"]:
            ratio("single-row tps %s / SELECT 1" % model.replace("automl_bench_", ""),
                  single[model]["tps"] / base_tps, ">=", 0.8)
    if ratios:
        log("")
        log("%-44s %10s %10s %7s" % ("comparison (of medians)", "value", "target", "result"))
        for x in ratios:
            v = ("%.2fx" % x["value"]) if x["unit"] == "x" else ("%+.3f%s" % (x["value"],
                                                                              x["unit"]))
            log("%-44s %10s %10s %7s" % (x["ratio"], v, x["target"],
                                          "PASS" if x["pass"] else "MISS"))
        if scale != 1 and any(x["ratio"].startswith("score") for x in ratios):
            log("(scoring targets scaled to --rows %d from +1 s / +3 s at 1M rows)" % a.rows)
        for name, num, den in (("  automl linear / floor, backend cpu", "linear_automl",
                                "linear_floor"),):
            if num in cmed and den in cmed and cmed[den] > 0:
                log("%-44s %9.2fx %10s" % (name, cmed[num] / cmed[den], "(info)"))

    if a.json:
        with open(a.json, "w") as f:
            json.dump({"info": info, "args": {k: v for k, v in vars(a).items()},
                       "tables": prints, "api": api, "models": b.trained,
                       "results": results, "checks": checks, "single": single,
                       "ratios": ratios}, f, indent=1, default=str)
        log("\nwrote %s" % a.json)

    if not a.keep:
        drop_models(b)
        for t in (T_REG, T_CLF, T_TEST, T_SCORE):
            if t in prints:
                cur.execute("DROP TABLE IF EXISTS %s" % t)
    conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

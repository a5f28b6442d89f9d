#!/usr/bin/python3
"""automl quality benchmark: the AutoML search of automl.train(..., 'auto')
against default scikit-learn and XGBoost models, on the small data sets that
ship with scikit-learn (no download).

Data sets (--only takes a comma-separated subset; default all):

  breast_cancer  classification, 569 rows x 30 features, 2 classes
  wine           classification, 178 rows x 13 features, 3 classes
  digits         classification, 1797 rows x 64 features, 10 classes
  diabetes       regression, 442 rows x 10 features

Each is split 75/25 with train_test_split(random_state=--seed, stratified by
class for classification) and loaded into two tables, automl_quality_<name>_train
and automl_quality_<name>_test: float8 feature columns f00, f01, ... and a
column target (int4 for classification, float8 for regression); no other
column, since automl uses every column but the target as a feature.

  automl     SELECT * FROM automl.train('automl_quality_<name>',
             'automl_quality_<name>_train', 'target', 'classification' or
             'regression', 'auto', time_budget => '--budget seconds',
             options => '{"seed": --seed, "deploy": "always"}')
             (timed: the whole call, the search and the refit of its winner),
             then automl.evaluate('automl_quality_<name>',
             'automl_quality_<name>_test'): accuracy (classification) or r2
             (regression) on the test table.  automl.train holds out
             options.test_fraction (the extension's default 0.2) of the train
             table for the metrics it returns, so by default it fits 80% of
             the rows the baselines fit; --test-fraction 0 gives it all of
             them (the output says how many rows it trained on).
  baselines  fitted on the same train table, scored on the same test table,
             default parameters (random_state=--seed where there is one):
               HistGradientBoostingClassifier / Regressor
               RandomForestClassifier / Regressor
               make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
                 / make_pipeline(StandardScaler(), Ridge())
               XGBClassifier / XGBRegressor
             fit seconds are the .fit() call alone (data in memory), with
             its CPU seconds (this process, all threads).  Every baseline
             runs on --threads threads (default 1, like automl.train, which
             runs in one backend process): n_jobs of RandomForest and XGBoost
             and a threadpoolctl limit on OpenMP and BLAS around the fit.
             --threads 0 leaves each library its default (HistGradientBoosting,
             XGBoost and BLAS then use every core; RandomForest one); on a
             loaded machine OpenMP's threads can then make a fit of a few
             hundred rows take seconds.  The scores do not depend on it.

The target: automl with a 60-second budget reaches at least the best
baseline's test score on every data set (PASS in the summary).  The summary
also gives the search's trial count, why it stopped (metrics->'search'), and
the winning algorithm; a line per data set gives the trials per algorithm and
each algorithm's best validation score (automl.trials).

Without --existing (and without PGHOST/PGPORT set) the script re-runs itself
inside a throwaway cluster made by pg_virtualenv -t -v 15, with the settings
of bench/run and a snapshot of the installed extension (as bench/train.py
does); install the extension first.  With --existing it uses the server of
the libpq environment.  Either way the tables and models are dropped at the
end unless --keep; models of the same names left by an earlier run are
dropped at the start.

Must run under /usr/bin/python3 (it re-executes itself there), where Debian's
python3-sklearn, -xgboost, -pandas, -numpy and -psycopg2 import; missing ones
are installed with apt, and the output says so.
"""

import argparse
import glob
import hashlib
import io
import json
import os
import shutil
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
PREFIX = "automl_quality_"
# name -> (sklearn loader, task)
DATASETS = {
    "breast_cancer": ("load_breast_cancer", "classification"),
    "wine": ("load_wine", "classification"),
    "digits": ("load_digits", "classification"),
    "diabetes": ("load_diabetes", "regression"),
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
    ap.add_argument("--budget", type=float, default=60,
                    help="time_budget of automl.train in seconds (default 60)")
    ap.add_argument("--only", default="",
                    help="comma-separated subset of: " + ",".join(DATASETS))
    ap.add_argument("--seed", type=int, default=42,
                    help="random_state of the split and of the baselines, options.seed of "
                         "automl.train (default 42)")
    ap.add_argument("--test-fraction", type=float, default=None,
                    help="options.test_fraction of automl.train (default: not passed, the "
                         "extension's 0.2; 0 trains on every row of the train table, as the "
                         "baselines do)")
    ap.add_argument("--threads", type=int, default=1,
                    help="threads of every baseline: n_jobs of RandomForest and XGBoost, and a "
                         "threadpoolctl limit (OpenMP, BLAS) around each fit; 0 leaves each "
                         "library its default (HistGradientBoosting and XGBoost then use every "
                         "core). Default 1, as automl.train runs in one backend process")
    ap.add_argument("--existing", action="store_true",
                    help="use the server of the libpq environment (implied by PGHOST/PGPORT)")
    ap.add_argument("--pg-option", action="append", default=[], metavar="GUC=VALUE",
                    help="postgresql.conf setting of the throwaway cluster (repeatable)")
    ap.add_argument("--port", type=int, default=0,
                    help="port of the throwaway cluster (default: the first free one from "
                         "5432, as pg_virtualenv picks)")
    ap.add_argument("--keep", action="store_true", help="keep the tables and models afterwards")
    ap.add_argument("--json", metavar="FILE", help="write every result to FILE")
    ap.add_argument("--server", default="", help=argparse.SUPPRESS)
    ap.add_argument("--in-cluster", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.budget <= 0:
        ap.error("--budget must be positive")
    if a.threads < 0:
        ap.error("--threads must not be negative")
    if a.test_fraction is not None and not 0 <= a.test_fraction < 1:
        ap.error("--test-fraction must be in [0, 1)")
    a.datasets = list(DATASETS)
    if a.only:
        a.datasets = [d.strip() for d in a.only.split(",") if d.strip()]
        bad = [d for d in a.datasets if d not in DATASETS]
        if bad:
            ap.error("unknown data set(s) in --only: %s (choose from %s)"
                     % (",".join(bad), ",".join(DATASETS)))
    if a.json and not os.path.isabs(a.json):
        a.json = os.path.abspath(a.json)
    return a


def ensure_packages():
    """apt-get install the python3-* packages /usr/bin/python3 lacks."""
    missing = []
    for mod, pkg in PACKAGES:
        if subprocess.run([PY, "-c", "import " + mod], capture_output=True).returncode != 0:
            missing.append(pkg)
    if missing:
        log("automl.py: installing %s (missing for %s)" % (" ".join(missing), PY))
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
    extension, loaded through Debian's extension_destdir (as bench/run and
    bench/train.py do)."""
    libdir, sharedir = pg_config("--pkglibdir"), pg_config("--sharedir")
    so = os.path.join(libdir, "automl.so")
    if not os.path.exists(so):
        log("automl.py: %s is not installed: run `make && make install` first" % so)
        return 1
    snap = tempfile.mkdtemp(prefix="automl_quality.")
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

def connect():
    import psycopg2
    conn = psycopg2.connect("", application_name="automl_quality_bench")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SET TimeZone = 'UTC'")
        cur.execute("SET statement_timeout = 0")
    return conn


def q1(cur, sql, args=None):
    cur.execute(sql, args)
    return cur.fetchone()[0]


def loadavg():
    with open("/proc/loadavg") as f:
        return "loadavg " + " ".join(f.read().split()[:3])


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


def first_line(e):
    return (str(e).strip().splitlines() or ["?"])[0]


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
                "('shared_buffers', 'work_mem', 'automl.max_training_time', "
                "'automl.max_training_memory') ORDER BY name")
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


def drop_model(cur, name, quiet=False):
    """automl.drop_model(name): every version (and its trials)."""
    try:
        cur.execute("SELECT automl.drop_model(%s::text)", (name,))
    except Exception as e:  # noqa: BLE001 - quiet: there was no such model
        if not quiet:
            log("  cleanup:    automl.drop_model(%s): %s" % (name, first_line(e)))


# ---------------------------------------------------------------- data

def load_split(name, seed):
    """(feature names, X_train, X_test, y_train, y_test, task) of a data set."""
    import sklearn.datasets
    from sklearn.model_selection import train_test_split
    loader, task = DATASETS[name]
    X, y = getattr(sklearn.datasets, loader)(return_X_y=True)
    X = X.astype("float64")
    y = y.astype("int64") if task == "classification" else y.astype("float64")
    Xtr, Xte, ytr, yte = train_test_split(
        X, y, test_size=0.25, random_state=seed,
        stratify=y if task == "classification" else None)
    cols = ["f%02d" % j for j in range(X.shape[1])]
    return cols, Xtr, Xte, ytr, yte, task


def make_table(cur, table, cols, X, y, task):
    """CREATE TABLE table (f00 float8, ..., target) and COPY the rows in;
    returns (rows, fingerprint)."""
    cur.execute("DROP TABLE IF EXISTS %s" % table)
    cur.execute("CREATE TABLE %s (%s, target %s)"
                % (table, ", ".join("%s float8" % c for c in cols),
                   "int4" if task == "classification" else "float8"))
    buf = io.StringIO()
    for row, t in zip(X, y):
        buf.write("\t".join(repr(float(v)) for v in row))
        buf.write("\t%s\n" % (int(t) if task == "classification" else repr(float(t))))
    buf.seek(0)
    cur.copy_expert("COPY %s FROM STDIN" % table, buf)
    cur.execute("ANALYZE %s" % table)
    cur.execute("SELECT count(*), sum(hashtext(t::text)::bigint) FROM %s t" % table)
    return cur.fetchone()


# ---------------------------------------------------------------- methods

def baselines(task, seed, threads):
    """(key, label, estimator factory, threads note) of the baselines; with
    threads > 0 RandomForest and XGBoost get n_jobs=threads (the fit itself
    runs under a threadpoolctl limit too, see run_baseline)."""
    import xgboost as xgb
    from sklearn.ensemble import (HistGradientBoostingClassifier,
                                  HistGradientBoostingRegressor,
                                  RandomForestClassifier, RandomForestRegressor)
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    ncpu = len(os.sched_getaffinity(0))
    jobs = {"n_jobs": threads} if threads else {}
    # threads each one uses: the limit, or the library's default
    t_omp = str(threads) if threads else "OpenMP %d" % ncpu
    t_rf = str(threads) if threads else "1"
    t_lin = str(threads) if threads else "BLAS %d" % ncpu
    if task == "classification":
        return [
            ("hist_gb", "sklearn HistGradientBoostingClassifier",
             lambda: HistGradientBoostingClassifier(random_state=seed), t_omp),
            ("random_forest", "sklearn RandomForestClassifier",
             lambda: RandomForestClassifier(random_state=seed, **jobs), t_rf),
            ("linear", "sklearn StandardScaler+LogisticRegression",
             lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)), t_lin),
            ("xgboost", "xgboost XGBClassifier",
             lambda: xgb.XGBClassifier(random_state=seed, **jobs), t_omp),
        ]
    return [
        ("hist_gb", "sklearn HistGradientBoostingRegressor",
         lambda: HistGradientBoostingRegressor(random_state=seed), t_omp),
        ("random_forest", "sklearn RandomForestRegressor",
         lambda: RandomForestRegressor(random_state=seed, **jobs), t_rf),
        ("linear", "sklearn StandardScaler+Ridge",
         lambda: make_pipeline(StandardScaler(), Ridge()), t_lin),
        ("xgboost", "xgboost XGBRegressor",
         lambda: xgb.XGBRegressor(random_state=seed, **jobs), t_omp),
    ]


def run_baseline(factory, task, Xtr, ytr, Xte, yte, threads):
    """Fit (timed: wall clock and this process's CPU, all threads) and score
    on the test rows."""
    import contextlib
    from sklearn.metrics import accuracy_score, r2_score
    from threadpoolctl import threadpool_limits
    est = factory()
    with threadpool_limits(limits=threads) if threads else contextlib.nullcontext():
        c0, t0 = time.process_time(), time.perf_counter()
        est.fit(Xtr, ytr)
        t, c = time.perf_counter() - t0, time.process_time() - c0
        p = est.predict(Xte)
    score = accuracy_score(yte, p) if task == "classification" else r2_score(yte, p)
    return {"score": float(score), "fit_seconds": t, "cpu_seconds": c}


def run_automl(cur, conn, a, model, train, test, task):
    """automl.train(..., 'auto') timed, then automl.evaluate on the test
    table; the search's trials summarised per algorithm."""
    options = {"seed": a.seed, "deploy": "always"}
    if a.test_fraction is not None:
        options["test_fraction"] = a.test_fraction
    del conn.notices[:]
    t0 = time.perf_counter()
    cur.execute("SELECT * FROM automl.train(%s, %s::regclass, 'target', %s, 'auto', "
                "time_budget => %s::interval, options => %s::jsonb)",
                (model, train, task, "%g seconds" % a.budget, json.dumps(options)))
    t = time.perf_counter() - t0
    cols = [d[0] for d in cur.description]
    row = dict(zip(cols, cur.fetchone()))
    row["metrics"] = as_json(row.get("metrics"))
    notices = [n.strip() for n in conn.notices]
    ev = as_json(q1(cur, "SELECT automl.evaluate(%s::text, %s::regclass)", (model, test)))
    metric = "accuracy" if task == "classification" else "r2"
    out = {"score": ev.get(metric) if isinstance(ev, dict) else None,
           "fit_seconds": t, "algorithm": row.get("algorithm"), "version": row.get("version"),
           "model_id": row.get("model_id"), "metrics": row["metrics"], "evaluate": ev,
           "last_notice": notices[-1] if notices else None}
    m = row["metrics"] if isinstance(row["metrics"], dict) else {}
    out["search"] = m.get("search")
    out["train_rows"] = m.get("train_rows")
    out["holdout_score"] = m.get(metric)
    out["hyperparams"] = as_json(q1(cur, "SELECT hyperparams FROM automl.models "
                                    "WHERE model_id = %s", (row.get("model_id"),)))
    # per algorithm: trials, how they ended, best validation score, fit time
    cur.execute("SELECT algorithm, count(*), count(*) FILTER (WHERE status = 'ok'), "
                "count(*) FILTER (WHERE status = 'pruned'), "
                "count(*) FILTER (WHERE status NOT IN ('ok', 'pruned')), "
                "max(score) FILTER (WHERE status = 'ok'), sum(fit_seconds), min(trial) "
                "FROM automl.trials WHERE model_id = %s GROUP BY algorithm ORDER BY min(trial)",
                (row.get("model_id"),))
    out["per_algorithm"] = [
        {"algorithm": r[0], "trials": r[1], "ok": r[2], "pruned": r[3], "other": r[4],
         "best_cv": r[5], "fit_seconds": r[6]} for r in cur.fetchall()]
    return out


# ---------------------------------------------------------------- driver

def fmt(v, spec="%.4f"):
    return spec % v if isinstance(v, (int, float)) else "-"


def main():
    a = parse_args()
    if not a.in_cluster:
        ensure_packages()
    existing = a.existing or "PGHOST" in os.environ or "PGPORT" in os.environ
    if not a.in_cluster and not existing:
        return run_in_throwaway_cluster(a)

    import psycopg2
    warnings.filterwarnings("ignore", category=UserWarning)
    conn = connect()
    cur = conn.cursor()
    try:
        cur.execute("CREATE EXTENSION IF NOT EXISTS automl")
    except psycopg2.Error as e:
        log("WARNING: CREATE EXTENSION automl failed: %s" % first_line(e))
    info = machine_info(cur)
    log("automl quality benchmark: AutoML search against default scikit-learn and XGBoost")
    log("  machine:    nproc %d, MemTotal %.1f GiB, %s"
        % (info["nproc"], info["mem_kb"] / 1048576.0, info.get("cpu", "?")))
    log("  postgres:   %s" % info["postgres"])
    log("  server:     %s" % (a.server or "existing (libpq environment)"))
    log("  settings:   %s" % ", ".join("%s=%s" % kv for kv in info["settings"].items()))
    log("  automl:     %s, library %s%s" % (info["automl"], info.get("automl_so", "?"),
                                            ", git " + info["git"] if info.get("git") else ""))
    log("  python:     %s" % info["python"])
    log("  run:        --budget %g --seed %d --threads %d%s, data sets %s, %s"
        % (a.budget, a.seed, a.threads, "" if a.test_fraction is None
           else " --test-fraction %g" % a.test_fraction, ",".join(a.datasets), loadavg()))

    results = {}
    for ds in a.datasets:
        cols, Xtr, Xte, ytr, yte, task = load_split(ds, a.seed)
        train, test, model = PREFIX + ds + "_train", PREFIX + ds + "_test", PREFIX + ds
        n_tr, fp_tr = make_table(cur, train, cols, Xtr, ytr, task)
        n_te, fp_te = make_table(cur, test, cols, Xte, yte, task)
        metric = "accuracy" if task == "classification" else "r2"
        classes = len(set(ytr.tolist())) if task == "classification" else None
        log("")
        log("== %s: %s, %d features%s; %s %d rows (fingerprint %d), %s %d rows "
            "(fingerprint %d); test %s"
            % (ds, task, len(cols), ", %d classes" % classes if classes else "", train, n_tr,
               fp_tr, test, n_te, fp_te, metric))
        r = {"task": task, "metric": metric, "features": len(cols), "classes": classes,
             "train_rows": int(n_tr), "test_rows": int(n_te),
             "fingerprints": {"train": fp_tr, "test": fp_te}, "baselines": {}}
        for key, label, factory, threads in baselines(task, a.seed, a.threads):
            try:
                b = run_baseline(factory, task, Xtr, ytr, Xte, yte, a.threads)
            except Exception as e:  # noqa: BLE001 - report and go on
                log("  error:      %s: %s" % (label, first_line(e)))
                continue
            b.update(label=label, threads=threads)
            r["baselines"][key] = b
        drop_model(cur, model, quiet=True)      # versions of an earlier run
        log("  automl:     training with time_budget '%g seconds' (%s) ..." % (a.budget, loadavg()))
        try:
            r["automl"] = run_automl(cur, conn, a, model, train, test, task)
        except psycopg2.Error as e:
            log("  error:      automl.train/evaluate: %s" % first_line(e))
            r["automl"] = None
        r["load_after"] = loadavg()
        am = r["automl"]

        log("")
        log("%-44s %10s %8s %8s %8s" % ("method (%s)" % ds, metric, "fit s", "cpu s",
                                        "threads"))
        if am:
            log("%-44s %10s %8.2f %8s %8s" % ("automl.train 'auto' -> %s" % am["algorithm"],
                                              fmt(am["score"]), am["fit_seconds"], "-", "1"))
        for key, b in r["baselines"].items():
            log("%-44s %10.4f %8.3f %8.3f %8s" % (b["label"], b["score"], b["fit_seconds"],
                                                  b["cpu_seconds"], b["threads"]))
        if am:
            s = am.get("search") or {}
            log("  search:     %s trials, stopped %s, %s folds, best trial %s (cv %s %s), "
                "%s s of %s s; automl trained on %s of %d rows (holdout %s %s); %s"
                % (s.get("trials", "?"), s.get("stopped", "?"), s.get("folds", "?"),
                   s.get("best_trial", "?"), s.get("metric", metric), fmt(s.get("best_score")),
                   fmt(s.get("seconds"), "%.1f"), fmt(s.get("budget_seconds"), "%g"),
                   am.get("train_rows", "?"), n_tr, metric, fmt(am.get("holdout_score")),
                   r["load_after"]))
            log("  winner:     %s %s" % (am["algorithm"], short_json(am.get("hyperparams"), 200)))
            log("  per algo:   %s" % "; ".join(
                "%s %d (ok %d, pruned %d%s) best cv %s, %.1f s"
                % (p["algorithm"], p["trials"], p["ok"], p["pruned"],
                   ", other %d" % p["other"] if p["other"] else "", fmt(p["best_cv"]),
                   p["fit_seconds"] or 0) for p in am["per_algorithm"]))
        results[ds] = r
        if not a.keep:
            drop_model(cur, model)
            cur.execute("DROP TABLE IF EXISTS %s, %s" % (train, test))

    # ---- summary
    log("")
    log("%-14s %-8s %8s  %-42s %8s %8s %6s  %6s %-9s %-18s" % (
        "data set", "metric", "automl", "best baseline", "score", "diff", "result", "trials",
        "stopped", "winner"))
    summary = []
    for ds, r in results.items():
        am = r["automl"] or {}
        best = max(r["baselines"].items(), key=lambda kv: kv[1]["score"], default=None)
        s = am.get("search") or {}
        ties = [b["label"] for b in r["baselines"].values()
                if best and b["score"] == best[1]["score"]]
        row = {"dataset": ds, "metric": r["metric"], "automl": am.get("score"),
               "best_baseline": best[1]["label"] if best else None, "best_tied": ties,
               "best_baseline_score": best[1]["score"] if best else None,
               "trials": s.get("trials"), "stopped": s.get("stopped"),
               "winner": am.get("algorithm")}
        ok = row["automl"] is not None and best is not None
        row["diff"] = row["automl"] - row["best_baseline_score"] if ok else None
        # equal scores count as reaching it (accuracy on a test table is a count)
        row["pass"] = bool(ok and row["diff"] >= -1e-12)
        summary.append(row)
        log("%-14s %-8s %8s  %-42s %8s %8s %6s  %6s %-9s %-18s" % (
            ds, r["metric"], fmt(row["automl"]),
            ((row["best_baseline"] or "-").replace("sklearn ", "").replace("xgboost ", "")
             + (" (+%d tied)" % (len(ties) - 1) if len(ties) > 1 else "")),
            fmt(row["best_baseline_score"]), fmt(row["diff"], "%+.4f"),
            "PASS" if row["pass"] else "MISS", row["trials"] if row["trials"] is not None
            else "-", row["stopped"] or "-", row["winner"] or "-"))
    npass = sum(x["pass"] for x in summary)
    log("(target: automl.train 'auto' with a %g s budget reaches the best default baseline's "
        "test score; %d/%d pass; %s)" % (a.budget, npass, len(summary), loadavg()))

    if a.json:
        with open(a.json, "w") as f:
            json.dump({"info": info, "args": {k: v for k, v in vars(a).items()},
                       "results": results, "summary": summary}, f, indent=1, default=str)
        log("\nwrote %s" % a.json)
    conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Ingestion: automl.import_csv_file / import_json_file against COPY.

Run as root (it writes the data under /tmp for the server to read, and reads
the backends' /proc/<pid>/status) against a local server with automl
installed, for example a throwaway one:

    pg_virtualenv -t -v 15 /usr/bin/python3 bench/import.py [ROWS] [REPEAT]

(-t: a cluster in a temporary directory, so that another pg_virtualenv run
as root at the same time does not collide with it.)  A 1M-row run takes
about 7 minutes on 2 cores, most of it in the NDJSON part.

ROWS (default 1,000,000) rows of mixed types are generated with
random.Random(42), so the same ROWS give the same files (the run prints their
sizes and a hash): an int4 id, an int8, a numeric with 2 decimals, a float8
(exponent notation in a quarter of the rows), a date, a timestamptz (ISO 8601,
Z or +02:00, some with milliseconds), a boolean, a category (20 values) and a
20-60 character note (some quoted, with commas, doubled quotes or a
backslash); 3% of each value but the id is empty (NULL).  121.5 MB of CSV and
213 MB of NDJSON at 1M rows.  Each timing runs in its own transaction, rolled back; the
methods alternate, REPEAT (default 5) times, after one untimed run of each
that also checks the results (row counts, inferred types, a hash per
column).

1. CSV, median seconds, MB/s, rows/s:
   (a) floor: COPY ... FROM '<file>' (FORMAT csv, HEADER true) into a table
       created beforehand with the right types (only the COPY is timed);
   (b) automl.import_csv_file(name, '<file>'): infers the types, creates the
       table, loads it (the full cost);
   (c) automl.import_csv_file(name, '<file>', '{"create": false}') into the
       pre-created table (no inference pass).
   Ratios speed(import) / speed(COPY) for (b) (target >= 0.5) and (c).
2. NDJSON (the same rows, one object a line): automl.import_json_file
   against the SQL an analyst writes: COPY the lines into a one-column table
   (FORMAT csv with QUOTE and DELIMITER set to control bytes, so that each
   line is one value, untouched) then CREATE TABLE AS SELECT
   (l::jsonb->>'id')::int AS id, ... with the right casts; both statements
   are timed.  Also the same with jsonb_to_record (each line parsed once).
3. Memory: one fresh connection per measured load; the backend's VmHWM
   (/proc/<pid>/status; the peak RSS, shared memory it touched included)
   before and after the call, and the peak RssAnon (private memory, sampled
   every 5 ms while the call runs), for COPY, import_csv_file (create and
   append), import_json_file and import_csv(name, pg_read_file('<file>'))
   (the content as an argument: held in memory by design; measured once).
Prints medians and ratios at the end, then what the checks found: NOTES
(values equal to COPY's but written differently) and PROBLEMS (wrong row
counts, types or values: the script then exits with status 1).
"""
import csv
import datetime
import hashlib
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time

import psycopg2

COLUMNS = [("id", "integer"), ("big", "bigint"), ("amount", "numeric"),
           ("score", "double precision"), ("day", "date"),
           ("ts", "timestamp with time zone"), ("flag", "boolean"),
           ("category", "text"), ("note", "text")]
CATEGORIES = ["apple", "banana", "cherry", "damson", "elder", "fig", "grape", "guava",
              "kiwi", "lemon", "lime", "mango", "melon", "olive", "peach", "pear",
              "plum", "quince", "rowan", "sloe"]
WORDS = ["order", "shipped", "late", "customer", "asked", "refund", "box", "damaged",
         "arrived", "early", "great", "service", "would", "buy", "again", "colour",
         "size", "small", "large", "fits", "well", "price", "cheap", "slow", "fast",
         "delivery", "driver", "left", "parcel", "door", "neighbour", "missing",
         "item", "replaced", "quickly", "thanks", "support", "email", "phone", "call"]
NULL_RATE = 0.03


def gen_rows(n):
    """Yields (csv fields, ndjson line) for n rows, deterministically."""
    rng = random.Random(42)
    day0 = datetime.date(2000, 1, 1)
    ts0 = datetime.datetime(2015, 1, 1)
    plus2 = datetime.timedelta(hours=2)
    for i in range(1, n + 1):
        v = [str(i)]
        # int8: mostly beyond the int4 range
        v.append(str(rng.randint(-10 ** 9, 10 ** 11)))
        cents = rng.randint(-50000, 5000000)
        v.append("%s%d.%02d" % ("-" if cents < 0 else "", abs(cents) // 100, abs(cents) % 100))
        x = rng.lognormvariate(0, 4)
        sign = "-" if rng.random() < 0.1 else ""
        text = ("%.4e" if rng.random() < 0.25 else "%.5f") % x
        v.append(text if text == "0.00000" else sign + text)   # no -0 (jsonb has none)
        v.append((day0 + datetime.timedelta(days=rng.randrange(10000))).isoformat())
        t = ts0 + datetime.timedelta(seconds=rng.randrange(10 * 365 * 86400))
        frac = ".%03d" % rng.randrange(1000) if rng.random() < 0.2 else ""
        if rng.random() < 0.5:
            v.append(t.strftime("%Y-%m-%dT%H:%M:%S") + frac + "Z")
        else:
            v.append((t + plus2).strftime("%Y-%m-%dT%H:%M:%S") + frac + "+02:00")
        v.append("true" if rng.random() < 0.4 else "false")
        v.append(rng.choice(CATEGORIES))
        length = rng.randint(20, 60)
        words = []
        size = -1
        r = rng.random()
        while size < length:
            w = rng.choice(WORDS)
            words.append(w)
            size += len(w) + 1
        if r < 0.15:
            words[len(words) // 2] += ","            # quoted field with a comma
        elif r < 0.20:
            words[0] = '"%s"' % words[0]             # doubled quotes in CSV
        elif r < 0.21:
            words[-1] = "C:\\tmp\\" + words[-1]      # a backslash
        v.append(" ".join(words)[:length].rstrip())
        for k in range(1, len(v)):
            if rng.random() < NULL_RATE:
                v[k] = None
        obj = []
        for (name, typ), val in zip(COLUMNS, v):
            if val is None:
                obj.append('"%s": null' % name)
            elif typ in ("integer", "bigint", "numeric", "double precision", "boolean"):
                obj.append('"%s": %s' % (name, val))
            else:
                obj.append('"%s": %s' % (name, json.dumps(val)))
        yield v, "{" + ", ".join(obj) + "}\n"


def write_files(directory, n):
    csv_path = os.path.join(directory, "data.csv")
    json_path = os.path.join(directory, "data.ndjson")
    h = hashlib.sha256()
    with open(csv_path, "w", newline="") as fc, open(json_path, "w") as fj:
        w = csv.writer(fc, lineterminator="\n")
        w.writerow([c for c, _ in COLUMNS])
        for fields, line in gen_rows(n):
            w.writerow(fields)
            fj.write(line)
    for p in (csv_path, json_path):
        os.chmod(p, 0o644)
    with open(csv_path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return csv_path, json_path, h.hexdigest()[:16]


def timed(cur, sql, args=None):
    t0 = time.perf_counter()
    cur.execute(sql, args)
    rows = cur.fetchall() if cur.description else None
    return time.perf_counter() - t0, rows


def create_sql(name):
    return "CREATE TABLE %s (%s)" % (name, ", ".join("%s %s" % c for c in COLUMNS))


def json_sql(name, path):
    """The SQL baseline of NDJSON: (statements)."""
    casts = ", ".join("(l::jsonb->>'%s')::%s AS %s" % (c, t, c) for c, t in COLUMNS)
    return ["CREATE TABLE ib_lines (l text)",
            "COPY ib_lines FROM '%s' WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')" % path,
            "CREATE TABLE %s AS SELECT %s FROM ib_lines" % (name, casts)]


def json_record_sql(name, path):
    cols = ", ".join("%s %s" % c for c in COLUMNS)
    return ["CREATE TABLE ib_lines (l text)",
            "COPY ib_lines FROM '%s' WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')" % path,
            "CREATE TABLE %s AS SELECT r.* FROM ib_lines, jsonb_to_record(l::jsonb) AS r(%s)"
            % (name, cols)]


def table_types(cur, name):
    cur.execute("SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                (name,))
    return cur.fetchall()


def fingerprint(cur, name):
    """Row count, a hash of each column's values as text (order-free), the
    NULLs per column, and the hashes again with numeric's scale trimmed."""
    sums = ", ".join("coalesce(sum(hashtext(%s::text)::bigint), 0)" % c for c, _ in COLUMNS)
    nulls = ", ".join("count(*) - count(%s)" % c for c, _ in COLUMNS)
    vals = ", ".join("coalesce(sum(hashtext(%s::text)::bigint), 0)"
                     % ("trim_scale(%s::numeric)" % c if t == "numeric" else c) for c, t in COLUMNS)
    cur.execute("SELECT count(*), %s, %s, %s FROM %s" % (sums, nulls, vals, name))
    r = cur.fetchone()
    n = len(COLUMNS)
    return r[0], r[1:1 + n], r[1 + n:1 + 2 * n], r[1 + 2 * n:]


def compare(label, ref, got, problems, notes):
    if ref == got:
        print("  %-44s same rows, nulls and column hashes as COPY" % label)
        return
    if ref[0] != got[0]:
        problems.append("%s: %d rows, COPY %d" % (label, got[0], ref[0]))
    for (c, _), a, b, na, nb, va, vb in zip(COLUMNS, ref[1], got[1], ref[2], got[2],
                                             ref[3], got[3]):
        if na != nb or va != vb:
            problems.append("%s: column %s differs from COPY (nulls %d vs %d)" % (label, c, nb, na))
        elif a != b:
            notes.append("%s: column %s has COPY's values but not their text: numeric scale "
                         "differs (trailing zeros)" % (label, c))
    print("  %-44s differs from COPY: see the end" % label)


def check_types(label, types, problems):
    want = dict(COLUMNS)
    shown = ", ".join("%s %s" % t for t in types)
    print("  %s: %s" % (label, shown))
    bad = [(c, t) for c, t in types if want.get(c) != t]
    if [c for c, _ in types] != [c for c, _ in COLUMNS]:
        problems.append("%s: columns %s, expected %s" % (label, [c for c, _ in types],
                                                         [c for c, _ in COLUMNS]))
    for c, t in bad:
        if c in want:
            problems.append("%s: column %s inferred %s, intended %s" % (label, c, t, want[c]))


def proc_status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmHWM", "VmRSS", "RssAnon", "RssShmem", "RssFile"):
                out[k] = int(v.split()[0]) / 1024.0     # MB (MiB)
    return out


def memory_run(label, setup, sql, results, args=None):
    """One fresh connection: VmHWM before/after, peak RssAnon while sql runs."""
    conn = psycopg2.connect("", application_name="automl_import_bench_mem")
    cur = conn.cursor()
    for s in setup:
        cur.execute(s)
    cur.execute("SELECT pg_backend_pid()")
    pid = cur.fetchone()[0]
    before = proc_status(pid)
    peak = {"anon": before["RssAnon"]}
    done = threading.Event()

    def sample():
        while not done.is_set():
            try:
                peak["anon"] = max(peak["anon"], proc_status(pid)["RssAnon"])
            except (OSError, KeyError):
                pass
            done.wait(0.005)

    th = threading.Thread(target=sample)
    th.start()
    t0 = time.perf_counter()
    try:
        cur.execute(sql, args)
        if cur.description:
            cur.fetchall()
        secs = time.perf_counter() - t0
    finally:
        done.set()
        th.join()
    after = proc_status(pid)
    conn.rollback()
    conn.close()
    results.append((label, before["VmHWM"], after["VmHWM"], before["RssAnon"], peak["anon"],
                    after["RssShmem"], secs))


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    problems, notes = [], []
    conn = psycopg2.connect("", application_name="automl_import_bench")
    cur = conn.cursor()
    cur.execute("SET client_min_messages = warning")
    cur.execute("CREATE EXTENSION IF NOT EXISTS automl")
    conn.commit()
    cur.execute("SELECT version(), current_setting('shared_buffers'), "
                "current_setting('server_encoding'), current_setting('wal_level'), "
                "(SELECT extversion FROM pg_extension WHERE extname = 'automl'), "
                "current_setting('data_directory')")
    version, sb, enc, wal, extv, _ = cur.fetchone()
    conn.commit()
    for name in ("ib_t", "ib_t2", "ib_j", "ib_j2", "ib_j3", "ib_lines", "ib_m"):
        cur.execute("DROP TABLE IF EXISTS %s" % name)
    conn.commit()

    print("automl ingestion benchmark: %d rows, %d runs each" % (rows, repeat))
    print("  server: %s" % version)
    print("  shared_buffers %s, encoding %s, wal_level %s, automl %s, %d CPUs, load average %.2f"
          % (sb, enc, wal, extv, os.cpu_count(), os.getloadavg()[0]))
    directory = tempfile.mkdtemp(prefix="automl_import_bench_", dir="/tmp")
    os.chmod(directory, 0o755)
    try:
        t0 = time.perf_counter()
        csv_path, json_path, digest = write_files(directory, rows)
        csv_bytes = os.path.getsize(csv_path)
        json_bytes = os.path.getsize(json_path)
        print("  data: %s %.1f MB (sha256 %s…), %s %.1f MB; generated in %.1f s"
              % (csv_path, csv_bytes / 1e6, digest, json_path, json_bytes / 1e6,
                 time.perf_counter() - t0))
        run(conn, cur, rows, repeat, csv_path, json_path, csv_bytes, json_bytes, problems, notes)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    conn.close()
    print("\nload average at the end: %.2f %.2f %.2f" % os.getloadavg())
    if notes:
        print("\nNOTES")
        for p in notes:
            print("  - " + p)
    if problems:
        print("\nPROBLEMS")
        for p in problems:
            print("  - " + p)
        sys.exit(1)


def run(conn, cur, rows, repeat, csv_path, json_path, csv_bytes, json_bytes, problems, notes):
    q = lambda s: "'" + s.replace("'", "''") + "'"
    copy_sql = "COPY ib_t FROM %s (FORMAT csv, HEADER true)" % q(csv_path)
    auto_sql = "SELECT automl.import_csv_file('ib_t2', %s)" % q(csv_path)
    append_sql = "SELECT automl.import_csv_file('ib_t', %s, '{\"create\": false}')" % q(csv_path)
    jauto_sql = "SELECT automl.import_json_file('ib_j', %s)" % q(json_path)

    # --- untimed run of each (warms the page cache), with the checks --------
    print("\nchecks (one untimed run of each, rolled back)")
    cur.execute(create_sql("ib_t"))
    cur.execute(copy_sql)
    ref = fingerprint(cur, "ib_t")
    if ref[0] != rows:
        problems.append("COPY loaded %d rows, expected %d" % (ref[0], rows))
    print("  %-44s %d rows, nulls per column %s" % ("COPY", ref[0], list(ref[2])))
    _, res = timed(cur, auto_sql)
    res = res[0][0]
    check_types("import_csv_file inferred", [(c["name"], c["type"]) for c in res["columns"]],
                problems)
    check_types("import_csv_file table", table_types(cur, "ib_t2"), problems)
    print("  result: %s" % json.dumps({k: v for k, v in res.items() if k != "columns"}))
    if res["rows"] != rows or res.get("rejected"):
        problems.append("import_csv_file: rows %s rejected %s" % (res["rows"], res.get("rejected")))
    compare("import_csv_file (create)", ref, fingerprint(cur, "ib_t2"), problems, notes)
    conn.rollback()
    cur.execute(create_sql("ib_t"))
    _, res = timed(cur, append_sql)
    res = res[0][0]
    if res["rows"] != rows or res.get("rejected"):
        problems.append("import_csv_file append: rows %s rejected %s"
                        % (res["rows"], res.get("rejected")))
    compare("import_csv_file (append)", ref, fingerprint(cur, "ib_t"), problems, notes)
    conn.rollback()
    _, res = timed(cur, jauto_sql)
    res = res[0][0]
    check_types("import_json_file inferred", [(c["name"], c["type"]) for c in res["columns"]],
                problems)
    print("  result: %s" % json.dumps({k: v for k, v in res.items() if k != "columns"}))
    if res["rows"] != rows or res.get("rejected"):
        problems.append("import_json_file: rows %s rejected %s" % (res["rows"], res.get("rejected")))
    compare("import_json_file", ref, fingerprint(cur, "ib_j"), problems, notes)
    conn.rollback()
    for label, stmts in (("SQL baseline (->> casts)", json_sql("ib_j2", json_path)),
                         ("SQL baseline (jsonb_to_record)", json_record_sql("ib_j2", json_path))):
        for s in stmts:
            cur.execute(s)
        compare(label, ref, fingerprint(cur, "ib_j2"), problems, notes)
        conn.rollback()

    # --- CSV timings ---------------------------------------------------------
    t = {k: [] for k in ("copy", "auto", "append", "auto_srv", "append_srv",
                         "json", "json_srv", "json_sql", "json_rec")}
    for r in range(repeat):
        cur.execute(create_sql("ib_t"))
        s, _ = timed(cur, copy_sql)
        t["copy"].append(s)
        conn.rollback()
        s, res = timed(cur, auto_sql)
        t["auto"].append(s)
        t["auto_srv"].append(res[0][0]["seconds"])
        assert res[0][0]["rows"] == rows
        conn.rollback()
        cur.execute(create_sql("ib_t"))
        s, res = timed(cur, append_sql)
        t["append"].append(s)
        t["append_srv"].append(res[0][0]["seconds"])
        assert res[0][0]["rows"] == rows
        conn.rollback()
    # --- NDJSON timings ------------------------------------------------------
    for r in range(repeat):
        s, res = timed(cur, jauto_sql)
        t["json"].append(s)
        t["json_srv"].append(res[0][0]["seconds"])
        assert res[0][0]["rows"] == rows
        conn.rollback()
        for key, stmts in (("json_sql", json_sql("ib_j2", json_path)),
                           ("json_rec", json_record_sql("ib_j2", json_path))):
            t0 = time.perf_counter()
            for st in stmts:
                cur.execute(st)
            t[key].append(time.perf_counter() - t0)
            conn.rollback()

    # --- memory ----------------------------------------------------------------
    mem = []
    memory_run("COPY FROM file", [create_sql("ib_t")], copy_sql, mem)
    memory_run("import_csv_file (create)", [], auto_sql, mem)
    memory_run("import_csv_file (append)", [create_sql("ib_t")], append_sql, mem)
    memory_run("import_json_file", [], jauto_sql, mem)
    memory_run("import_csv(pg_read_file(...))", [],
               "SELECT automl.import_csv('ib_m', pg_read_file(%s))" % q(csv_path), mem)

    med = {k: statistics.median(v) for k, v in t.items()}
    mb = csv_bytes / 1e6
    jmb = json_bytes / 1e6

    def line(label, key, size):
        v = t[key]
        print("  %-40s %8.3f %8.3f %8.3f %8.1f %10.0f" % (label, med[key], min(v), max(v),
                                                       size / med[key], rows / med[key]))

    print("\nCSV, %.1f MB, %d rows, %d runs each, alternating (seconds; MB = 10^6 bytes)"
          % (mb, rows, repeat))
    print("  %-40s %8s %8s %8s %8s %10s" % ("method", "median", "min", "max", "MB/s", "rows/s"))
    line("(a) COPY FROM file (floor)", "copy", mb)
    line("(b) import_csv_file (create, infer)", "auto", mb)
    line("(c) import_csv_file (append)", "append", mb)
    print("  import's own 'seconds', median: (b) %.3f, (c) %.3f"
          % (med["auto_srv"], med["append_srv"]))

    print("\nNDJSON, %.1f MB, %d rows, %d runs each, alternating (seconds)" % (jmb, rows, repeat))
    print("  %-40s %8s %8s %8s %8s %10s" % ("method", "median", "min", "max", "MB/s", "rows/s"))
    line("import_json_file", "json", jmb)
    line("SQL: COPY lines + CTAS (->> casts)", "json_sql", jmb)
    line("SQL: COPY lines + CTAS jsonb_to_record", "json_rec", jmb)
    print("  import's own 'seconds', median: %.3f" % med["json_srv"])

    print("\nmemory of the backend, one fresh connection each (MiB)")
    print("  %-32s %10s %10s %10s %10s %10s %8s" % ("load", "VmHWM pre", "VmHWM", "anon pre",
                                                    "anon peak", "shmem", "s"))
    for label, h0, h1, a0, a1, sh, s in mem:
        print("  %-32s %10.1f %10.1f %10.1f %10.1f %10.1f %8.2f" % (label, h0, h1, a0, a1, sh, s))
    print("  (VmHWM counts the shared buffers the backend touched (shmem); anon is its "
          "private memory)")

    print("\nratios (speed = 1 / median seconds)")
    rb = med["copy"] / med["auto"]
    rc = med["copy"] / med["append"]
    print("  %-56s %6.2f  (target >= 0.5: %s)" % ("speed(import_csv_file create) / speed(COPY)",
                                                  rb, "met" if rb >= 0.5 else "NOT MET"))
    print("  %-56s %6.2f" % ("speed(import_csv_file append) / speed(COPY)", rc))
    print("  %-56s %6.2f" % ("speed(import_json_file) / speed(SQL ->> casts)",
                             med["json_sql"] / med["json"]))
    print("  %-56s %6.2f" % ("speed(import_json_file) / speed(SQL jsonb_to_record)",
                             med["json_rec"] / med["json"]))
    print("  %-56s %6.2f" % ("inference pass: (b) - (c), share of (b)",
                             (med["auto"] - med["append"]) / med["auto"]))
    anon = {m[0]: m[4] - m[3] for m in mem}
    print("  %-56s %6.1f MiB (file %.1f MB)" % ("import_csv_file (create) private memory growth",
                                                anon["import_csv_file (create)"], mb))


if __name__ == "__main__":
    main()

#!/bin/bash
# bench/load.sh: load test of prediction under concurrent retraining.
#
#   bench/load.sh [--clients 8] [--jobs 2] [--duration 60] [--rows 20000]
#                 [--weights 800,200,1] [--dir DIR] [--existing] [--keep]
#
# pgbench runs three scripts of bench/load/ at once, for --duration seconds
# with --clients clients:
#   predict.sql  (weight 800)  automl.predict('load_m', row) of a random
#                              row, logged into load_log
#   profile.sql  (weight 200)  automl.get_profile('load_data')->'row_count'
#   retrain.sql  (weight 1)    BEGIN; automl.train(... deploy => never) of a
#                              new version of load_m; automl.deploy('load_m',
#                              it); COMMIT (about 0.1% of the transactions,
#                              one client's time on average)
# then reports TPS, p50/p99 latency per script and overall (from pgbench's
# per-transaction logs), failed transactions and aborted clients (both must
# be 0), and checks that every logged prediction equals exactly the
# prediction of one stored version of load_m for that row (no mix of
# versions, no partial model), that it is the only version giving it, and
# that no backend went back to an older version after seeing a newer one or
# used a version before its deploy committed.
# Exit status 0 only when all of these hold.
#
# Without --existing (and without PGHOST/PGPORT set) it runs in a throwaway
# `pg_virtualenv -t -v 15` cluster loading a snapshot of the installed
# extension (copied to a temporary directory, found through Debian's
# extension_destdir): a `make install` during the run cannot mix builds.
# With --existing it uses the libpq environment's server, creates the
# extension if needed and drops its objects (and model load_m) at the end
# unless --keep. The logs stay in --dir (default /tmp/automl_load.XXXXXX).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
scripts=$here/load
py=/usr/bin/python3
pgbin=/usr/lib/postgresql/15/bin

clients=8
jobs=2
duration=60
rows=20000
weights=800,200,1
dir=
existing=
keep=

usage() {
	sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
	case $1 in
	--clients|--jobs|--duration|--rows|--weights|--dir)
		[ $# -ge 2 ] || { echo "bench/load.sh: $1 needs a value" >&2; exit 2; }
		v=$2
		case $1 in
		--clients) clients=$v ;; --jobs) jobs=$v ;; --duration) duration=$v ;;
		--rows) rows=$v ;; --weights) weights=$v ;; --dir) dir=$v ;;
		esac
		shift 2 ;;
	--existing) existing=1; shift ;;
	--keep) keep=1; shift ;;
	--inner) shift ;;  # internal: already inside pg_virtualenv
	-h|--help) usage; exit 0 ;;
	*) echo "bench/load.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
	esac
done
IFS=, read -r w_predict w_profile w_retrain <<<"$weights"
for n in "$clients" "$jobs" "$duration" "$rows" "$w_predict" "$w_profile" "$w_retrain"; do
	[[ $n =~ ^[0-9]+$ ]] || { echo "bench/load.sh: not a number: '$n'" >&2; exit 2; }
done
if [ -n "${PGHOST:-}" ] || [ -n "${PGPORT:-}" ]; then
	existing=1
fi

PATH="$pgbin:$PATH"
export PATH

if [ -z "$dir" ]; then
	dir=$(mktemp -d /tmp/automl_load.XXXXXX)
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
chmod a+rwx "$dir"

# --- outside the cluster: make one and run this script again inside it -----
if [ -z "$existing" ] && [ -z "${AUTOML_LOAD_INNER:-}" ]; then
	pg_config=$pgbin/pg_config
	libdir=$("$pg_config" --pkglibdir)
	sharedir=$("$pg_config" --sharedir)
	if [ ! -f "$libdir/automl.so" ]; then
		echo "bench/load.sh: $libdir/automl.so is not installed: run \`make && make install\`" >&2
		exit 1
	fi
	snap=$(mktemp -d /tmp/automl_load_ext.XXXXXX)
	trap 'rm -rf "$snap"' EXIT
	mkdir -p "$snap$libdir" "$snap$sharedir/extension"
	cp -p "$libdir/automl.so" "$snap$libdir/"
	cp -p "$sharedir"/extension/automl.control "$sharedir"/extension/automl--*.sql "$snap$sharedir/extension/"
	chmod -R a+rX "$snap"
	git=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || true)
	if [ -n "$git" ] && [ -n "$(git -C "$repo" status --porcelain -- src sql Makefile 2>/dev/null)" ]; then
		git="$git+uncommitted changes"
	fi
	export AUTOML_LOAD_INNER=1
	export AUTOML_LOAD_SO="$snap$libdir/automl.so"
	export AUTOML_LOAD_GIT="$git"
	# max_connections: 8 clients + the checks; shared_preload_libraries is not
	# needed for train/predict/deploy/get_profile
	pgopts=(-o "extension_destdir=$snap" -o max_connections=50 -o shared_buffers=256MB)
	export AUTOML_LOAD_SERVER="throwaway pg_virtualenv -t -v 15 cluster ($(printf '%s ' "${pgopts[@]}" | sed 's/-o //g; s/ $//'))"
	cd /tmp
	set +e
	pg_virtualenv -t -v 15 "${pgopts[@]}" "$here/load.sh" --inner \
		--clients "$clients" --jobs "$jobs" --duration "$duration" --rows "$rows" \
		--weights "$weights" --dir "$dir"
	rc=$?
	set -e
	exit $rc
fi

# --- inside: the server of the libpq environment ----------------------------
cd "$dir"
psql=(psql -X -q -v ON_ERROR_STOP=1)
server=${AUTOML_LOAD_SERVER:-existing: ${PGHOST:-local socket}:${PGPORT:-5432}}

echo "== bench/load.sh"
echo "machine:   nproc $(nproc), $(awk '/MemTotal/ {printf "MemTotal %d kB", $2}' /proc/meminfo), CPU $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
echo "server:    $server"
echo "           $("${psql[@]}" -At -c 'SELECT version()')"
if [ -n "${AUTOML_LOAD_SO:-}" ]; then
	echo "automl:    ${AUTOML_LOAD_SO} sha256 $(sha256sum "$AUTOML_LOAD_SO" | cut -c1-12), commit ${AUTOML_LOAD_GIT:-?}"
fi
echo "logs:      $dir"

echo "-- setup: $rows rows, profile, version 1 of load_m"
t0=$(date +%s.%N)
"${psql[@]}" -v rows="$rows" -f "$scripts/setup.sql" >"$dir/setup.out"
t1=$(date +%s.%N)
retrain_ms=$("${psql[@]}" -At -c "SELECT round((training_seconds * 1000)::numeric, 1) FROM automl.models WHERE model_name = 'load_m' AND version = 1")
echo "           done in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s; training of version 1 took $retrain_ms ms"

files=()
[ "$w_predict" -gt 0 ] && files+=(-f "$scripts/predict.sql@$w_predict")
[ "$w_profile" -gt 0 ] && files+=(-f "$scripts/profile.sql@$w_profile")
[ "$w_retrain" -gt 0 ] && files+=(-f "$scripts/retrain.sql@$w_retrain")
cmd=(pgbench -n -c "$clients" -j "$jobs" -T "$duration" -P 10 -r
	--log --log-prefix="$dir/pgbench_log" -D rows="$rows" "${files[@]}")
echo "-- run: ${cmd[*]}"
set +e
"${cmd[@]}" >"$dir/pgbench.out" 2>"$dir/pgbench.err"
pgbench_rc=$?
set -e
cat "$dir/pgbench.err" "$dir/pgbench.out"
echo "pgbench exit status: $pgbench_rc"

echo "-- checks"
# every logged prediction: the version named by round(pred / 1000) (k) must
# give exactly this value for this row; any other (rare: should be none) is
# compared with every version.  On a sample, every version is compared, to
# show the matching version is the only one.
"${psql[@]}" -At -F ' ' >"$dir/checks.out" <<'EOF'
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE chk AS
SELECT g.seq, g.id, g.pred, g.pid, v.k, v.version, v.model_id,
	   v.model_id IS NOT NULL AND automl.predict(v.model_id, d) = g.pred AS exact
  FROM load_log g
  JOIN load_data d ON d.id = g.id
  LEFT JOIN load_versions v ON v.k = round(g.pred / 1000);
-- rows that did not match their candidate: how many versions give that value
CREATE TEMP TABLE miss AS
SELECT c.seq, c.id, c.pred,
	   (SELECT count(*) FROM automl.models m
		 WHERE m.model_name = 'load_m' AND automl.predict(m.model_id, d) = c.pred) AS matches
  FROM chk c JOIN load_data d ON d.id = c.id
 WHERE NOT c.exact;
-- a sample: how many versions give each logged value (must be 1)
CREATE TEMP TABLE sample AS
SELECT c.seq, count(*) FILTER (WHERE automl.predict(m.model_id, d) = c.pred) AS matches
  FROM (SELECT * FROM chk ORDER BY hashint8(seq) LIMIT 500) c
  JOIN load_data d ON d.id = c.id
 CROSS JOIN automl.models m
 WHERE m.model_name = 'load_m'
 GROUP BY c.seq;
SELECT 'versions', count(*) FROM automl.models WHERE model_name = 'load_m';
SELECT 'versions_logged', count(*) FROM load_versions;
SELECT 'version_k_mismatch', count(*) FROM load_versions v
  JOIN automl.models m ON m.model_id = v.model_id
 WHERE m.model_name <> 'load_m' OR m.version <> v.version;
SELECT 'deployed', version FROM automl.models WHERE model_name = 'load_m' AND deployed;
SELECT 'max_version', max(version) FROM automl.models WHERE model_name = 'load_m';
SELECT 'predictions', count(*) FROM load_log;
SELECT 'null_predictions', count(*) FROM load_log WHERE pred IS NULL;
SELECT 'exact', count(*) FROM chk WHERE exact;
SELECT 'not_exact', count(*) FROM chk WHERE NOT exact;
SELECT 'not_exact_single_match', count(*) FROM miss WHERE matches = 1;
SELECT 'no_version_match', count(*) FROM miss WHERE matches = 0;
SELECT 'several_versions_match', count(*) FROM miss WHERE matches > 1;
SELECT 'sample', count(*) FROM sample;
SELECT 'sample_not_one', count(*) FROM sample WHERE matches <> 1;
SELECT 'versions_seen', count(DISTINCT version) FROM chk WHERE exact;
-- a backend that predicted with version b after version a > b
SELECT 'regressions', count(*) FROM (
	SELECT version < max(version) OVER (PARTITION BY pid ORDER BY seq
										 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS back
	  FROM chk WHERE exact) s WHERE back;
-- a prediction by a version whose deploy had not committed when it ran
-- (load_versions.deployed_at is taken before the retrain's COMMIT)
SELECT 'from_future', count(*) FROM chk c JOIN load_log g USING (seq)
  JOIN load_versions v ON v.k = c.k
 WHERE c.exact AND v.deployed_at > g.at;
SELECT 'backends', count(DISTINCT pid) FROM chk;
SELECT 'examples', string_agg(format('seq %s id %s pred %s', seq, id, pred), '; ')
  FROM (SELECT * FROM chk WHERE NOT exact ORDER BY seq LIMIT 5) s;
EOF

"$py" - "$dir" "$duration" "$w_predict" "$w_profile" "$w_retrain" <<'EOF'
import glob, os, re, sys

d, duration = sys.argv[1], float(sys.argv[2])
weights = [int(w) for w in sys.argv[3:6]]
names = [n for n, w in zip(["predict.sql", "profile.sql", "retrain.sql"], weights) if w > 0]

lat = {}          # script no -> latencies (ms) of committed transactions
failed = {}
spans = []        # (start, end) of the retrain transactions
retrain_no = names.index("retrain.sql") if "retrain.sql" in names else -1
first = last = None
for f in sorted(glob.glob(os.path.join(d, "pgbench_log.*"))):
    with open(f) as fh:
        for line in fh:
            p = line.split()
            # client_id transaction_no time script_no time_epoch time_us [lag] [retries]
            s = int(p[3])
            t = float(p[4]) + float(p[5]) / 1e6
            first = t if first is None or t < first else first
            last = t if last is None or t > last else last
            if p[2] in ("failed", "serialization", "deadlock", "skipped"):
                failed[s] = failed.get(s, 0) + 1
                continue
            lat.setdefault(s, []).append(int(p[2]) / 1000.0)
            if s == retrain_no:
                spans.append((t - int(p[2]) / 1e6, t))

def pct(v, q):
    # nearest rank
    if not v:
        return float("nan")
    k = max(0, min(len(v) - 1, int(-(-q * len(v) // 100)) - 1))
    return v[k]

out = open(os.path.join(d, "latency.txt"), "w")
def say(s=""):
    print(s); out.write(s + "\n")

say("%-12s %9s %9s %9s %9s %9s %9s %7s" % ("script", "txns", "TPS", "mean ms", "p50 ms", "p99 ms", "max ms", "failed"))
allv = []
for s in sorted(set(lat) | set(failed)):
    v = sorted(lat.get(s, []))
    allv += v
    name = names[s] if s < len(names) else str(s)
    say("%-12s %9d %9.1f %9.3f %9.3f %9.3f %9.3f %7d" % (
        name, len(v), len(v) / duration, sum(v) / len(v) if v else float("nan"),
        pct(v, 50), pct(v, 99), v[-1] if v else float("nan"), failed.get(s, 0)))
allv.sort()
say("%-12s %9d %9.1f %9.3f %9.3f %9.3f %9.3f %7d" % (
    "all", len(allv), len(allv) / duration, sum(allv) / len(allv) if allv else float("nan"),
    pct(allv, 50), pct(allv, 99), allv[-1] if allv else float("nan"), sum(failed.values())))
spans.sort()
end = float("-inf")
overlapping = 0
for a, b in spans:
    # runs while an earlier retrain still runs: two trainings of load_m at once
    if a < end:
        overlapping += 1
    end = max(end, b)
if retrain_no >= 0:
    say("retrain transactions that started while another was running: %d of %d" % (overlapping, len(spans)))
say("(TPS = committed transactions in the log / %g s; percentiles: nearest rank over every"
    " transaction in the per-transaction logs, %s)" % (duration, ", ".join(os.path.basename(f) for f in sorted(glob.glob(os.path.join(d, "pgbench_log.*"))))))
EOF

# the figures pgbench printed itself
out=$dir/pgbench.out
tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$out")
failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$out")
processed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$out")
aborted=$(grep -c 'aborted in command' "$dir/pgbench.err" || true)
val() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "$dir/checks.out"; }

echo
echo "== summary"
echo "command:     ${cmd[*]}"
echo "pgbench:     tps = ${tps:-?} (without initial connection time), ${processed:-?} transactions, failed ${failed:-?}, aborted clients $aborted, exit status $pgbench_rc"
echo "versions:    $(val versions) of load_m stored ($(($(val versions_logged) - 1)) trained during the run); deployed at the end: version $(val deployed) of max $(val max_version); (version, model_id) recorded by the retrains but not in automl.models: $(val version_k_mismatch)"
echo "predictions: $(val predictions) logged by $(val backends) backends, from $(val versions_seen) distinct versions"
echo "             $(val exact) equal exactly the prediction of the version named by round(pred/1000)"
echo "             $(val not_exact) do not: of those $(val not_exact_single_match) equal exactly one other version, $(val no_version_match) no version, $(val several_versions_match) several"
echo "             sample of $(val sample) compared with every version: $(val sample_not_one) not matched by exactly one"
echo "             backends that went back to an older version: $(val regressions); predictions by a version before its deploy committed: $(val from_future)"
[ -n "$(val examples)" ] && echo "             first mismatches: $(val examples)"
echo "NOT from one single version: $(( $(val no_version_match) + $(val several_versions_match) + $(val sample_not_one) + $(val null_predictions) ))"
echo "logs:        $dir (pgbench.out, pgbench.err, pgbench_log.*, latency.txt, checks.out, setup.out)"

status=0
if [ "$pgbench_rc" -ne 0 ] || [ "${failed:-1}" != 0 ] || [ "$aborted" != 0 ]; then
	echo "FAIL: pgbench failed transactions or aborted clients (see $dir/pgbench.err)"
	status=1
fi
if [ "$(val no_version_match)" != 0 ] || [ "$(val several_versions_match)" != 0 ] \
	|| [ "$(val sample_not_one)" != 0 ] || [ "$(val null_predictions)" != 0 ] \
	|| [ "$(val version_k_mismatch)" != 0 ]; then
	echo "FAIL: predictions not from one complete version"
	status=1
fi
if [ "$(val regressions)" != 0 ] || [ "$(val from_future)" != 0 ]; then
	echo "FAIL: a backend predicted with an older version after a newer one, or with a version not yet deployed"
	status=1
fi
[ $status -eq 0 ] && echo "PASS"

if [ -n "$existing" ] && [ -z "$keep" ]; then
	"${psql[@]}" -c "SELECT automl.drop_model('load_m'); DROP TABLE load_log, load_versions; DROP VIEW load_train; DROP TABLE load_data; DROP SEQUENCE load_k" >/dev/null
fi
exit $status

#!/bin/bash
# Builds the libFuzzer harnesses (test/fuzz/fuzz_*.c) into test/fuzz/bin/
# and runs each for SECONDS seconds (default 30) on a copy of its seed
# corpus (test/fuzz/corpus/NAME/), so the committed seeds never change,
# with the dictionary test/fuzz/NAME.dict when there is one.
#
#   test/fuzz/run.sh [SECONDS]
#
# Prints one line per harness, "fuzz_NAME: passed (...)" or
# "fuzz_NAME: FAILED (...)" followed by the crash report and the path of
# the saved input, and ends with "fuzz: N passed, M failed".  The exit
# status is non-zero if any harness failed to build, crashed, or broke an
# invariant.  Reproduce a failure with: test/fuzz/bin/fuzz_NAME INPUT
set -u
cd "$(dirname "$0")/../.."
SECS=${1:-30}
case "$SECS" in
	'' | *[!0-9]*) echo "usage: $0 [SECONDS]"; exit 2 ;;
esac
BIN=test/fuzz/bin
CLANG=${CLANG:-clang}
CFLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -DAUTOML_STANDALONE -Isrc"
mkdir -p "$BIN"
WORK=$(mktemp -d /tmp/automl-fuzz.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

if ! command -v "$CLANG" >/dev/null; then
	echo "clang not found (apt-get install -y clang libclang-rt-14-dev)"
	echo "fuzz: 0 passed, 1 failed"
	exit 1
fi

# name, then the sources and libraries it links with
HARNESSES=(
	"kll src/profile/kll.c -lm"
	"hll src/profile/hll.c -lm"
	"freq src/profile/freq.c src/profile/hll.c -lm"
	"rowset src/profile/rowset.c -lm"
	"sketch_ops src/profile/kll.c src/profile/freq.c src/profile/hll.c -lm"
)
if [ -f test/fuzz/fuzz_report_html.c ]; then
	HARNESSES+=("report_html src/profile/report_html.c src/common/html_buf.c -ljansson -lm")
fi
HARNESSES+=("model_report src/ml/model_report.c src/common/html_buf.c -ljansson -lm")
HARNESSES+=("json_reader src/ingest/json_reader.c -ljansson")
HARNESSES+=("csv_reader src/ingest/csv_reader.c src/ingest/sniff.c src/ingest/infer.c -lcsv")
# the model image decoder with every algorithm's reader; its allocations go
# to the harness's arena (src/common/am_alloc.h), and images close with
# PostgreSQL's CRC-32C, taken from its libpgport
ML_SOURCES="src/ml/model.c src/ml/model_io.c src/ml/preprocess.c src/ml/algorithms.c src/ml/rng.c src/ml/hyperparams.c src/ml/linear.c src/ml/logistic.c src/ml/naive_bayes.c src/ml/knn.c src/ml/tree.c src/ml/forest.c src/ml/gbdt.c"
# the anomaly detectors are model algorithms too
ML_SOURCES+=" src/anomaly/detector_alg.c src/anomaly/isolation.c src/anomaly/robust_cov.c src/anomaly/univariate.c src/common/order_stat.c"
# (and the training distributions of the drift checks, where images have them)
if [ -f src/ml/reference.c ]; then
	ML_SOURCES+=" src/ml/reference.c"
fi
if [ -f test/fuzz/fuzz_model_decode.c ]; then
	HARNESSES+=("model_decode -DAUTOML_ALLOC_ARENA $ML_SOURCES /usr/lib/postgresql/15/lib/libpgport.a -llapacke -lopenblas -lm")
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
PASSED=0
FAILED=0
for entry in "${HARNESSES[@]}"; do
	read -r name deps <<<"$entry"
	exe="$BIN/fuzz_$name"
	log="$WORK/$name.log"
	# shellcheck disable=SC2086
	if ! $CLANG $CFLAGS -o "$exe" "test/fuzz/fuzz_$name.c" $deps >"$log" 2>&1; then
		echo "fuzz_$name: FAILED (build)"
		head -30 "$log"
		FAILED=$((FAILED + 1))
		continue
	fi
	# a dictionary of the format's tokens, when there is one
	dict=()
	if [ -f "test/fuzz/$name.dict" ]; then
		dict=(-dict="test/fuzz/$name.dict")
	fi
	corpus="$WORK/corpus_$name"
	mkdir -p "$corpus" "$WORK/artifacts_$name"
	if [ -d "test/fuzz/corpus/$name" ]; then
		cp test/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null
	fi
	# -max_total_time bounds the run; timeout guards against a hang in
	# corpus loading or shutdown
	timeout --signal=INT --kill-after=30 $((SECS + 120)) \
		"$exe" -max_total_time="$SECS" -timeout=25 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$WORK/artifacts_$name/" \
		"${dict[@]}" "$corpus" >"$log" 2>&1
	rc=$?
	execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -1)
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
	ncorp=$(find "$corpus" -type f | wc -l)
	if [ "$rc" -eq 0 ]; then
		echo "fuzz_$name: passed (${execs:-?} runs in ${SECS}s, ${cov:-cov: ?}, corpus $ncorp)"
		PASSED=$((PASSED + 1))
	else
		echo "fuzz_$name: FAILED (exit $rc after ${execs:-?} runs)"
		grep -E 'ERROR:|runtime error|invariant failed|SUMMARY|Test unit written|deadly signal|timeout' "$log" | head -20
		mkdir -p "$BIN/crashes"
		for a in "$WORK/artifacts_$name"/*; do
			[ -f "$a" ] || continue
			cp "$a" "$BIN/crashes/${name}-$(basename "$a")"
			echo "  input saved as $BIN/crashes/${name}-$(basename "$a")"
		done
		FAILED=$((FAILED + 1))
	fi
done

echo "fuzz: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]

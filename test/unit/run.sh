#!/bin/bash
# Builds and runs the unit tests of the plain-C algorithms (test/unit).
#
# Each test_NAME.c is compiled outside the server (-DAUTOML_STANDALONE) with
# the sources it covers into test/unit/bin/, and prints "ok - ..." or
# "not ok - ..." lines.  A test that fails to build, crashes, or exits
# non-zero without saying "not ok" counts as one more failure.  The last
# line is "unit: N passed, M failed"; the exit status is non-zero if
# anything failed.
set -u
cd "$(dirname "$0")/../.."
BIN=test/unit/bin
CC=${CC:-cc}
CFLAGS="-std=gnu11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-sign-compare -DAUTOML_STANDALONE -Isrc"
mkdir -p "$BIN"

# name, then the sources and libraries it links with
TESTS=(
	"test_moments src/profile/moments.c -lopenblas -lm"
	"test_kll src/profile/kll.c -lm"
	"test_hll src/profile/hll.c -lm"
	"test_freq src/profile/freq.c src/profile/hll.c -lm"
	"test_rowset src/profile/rowset.c -lm"
	"test_extremes src/profile/extremes.c -lm"
	"test_comoments_matrix src/profile/moments.c -lopenblas -lm"
)
if [ -f test/unit/test_report_html.c ]; then
	TESTS+=("test_report_html src/profile/report_html.c src/common/html_buf.c -ljansson -lm")
fi
TESTS+=("test_report_model src/ml/model_report.c src/common/html_buf.c -ljansson -lm")
# the learning algorithms: model images close with PostgreSQL's CRC-32C,
# taken from its libpgport
ML_COMMON="src/ml/model_io.c src/ml/rng.c src/ml/hyperparams.c /usr/lib/postgresql/15/lib/libpgport.a"
ML_TESTS=(
	"test_model_io $ML_COMMON -lm"
	"test_metrics src/ml/metrics.c $ML_COMMON -lm"
	"test_split src/ml/split.c $ML_COMMON -lm"
	"test_linear src/ml/linear.c $ML_COMMON -llapacke -lopenblas -lm"
	"test_logistic src/ml/logistic.c $ML_COMMON -llapacke -lopenblas -lm"
	"test_naive_bayes src/ml/naive_bayes.c $ML_COMMON -lm"
	"test_knn src/ml/knn.c $ML_COMMON -lm"
	"test_trees src/ml/tree.c src/ml/forest.c src/ml/gbdt.c $ML_COMMON -lm"
	"test_detectors src/anomaly/univariate.c src/common/order_stat.c src/anomaly/robust_cov.c src/anomaly/isolation.c $ML_COMMON -llapacke -lopenblas -lm"
)
# import type inference (issue 7's groundwork)
ML_TESTS+=("test_infer src/ingest/infer.c")
ML_TESTS+=("test_sniff src/ingest/sniff.c src/ingest/infer.c")
ML_TESTS+=("test_csv_reader src/ingest/csv_reader.c -lcsv")
ML_TESTS+=("test_json_reader src/ingest/json_reader.c -ljansson")
# time series: trends, seasons, Holt-Winters
ML_TESTS+=("test_timeseries src/insights/trend.c src/insights/seasonal.c src/forecast/holt_winters.c -lm")
for entry in "${ML_TESTS[@]}"; do
	[ -f "test/unit/${entry%% *}.c" ] && TESTS+=("$entry")
done

PASSED=0
FAILED=0
for entry in "${TESTS[@]}"; do
	read -r name deps <<<"$entry"
	echo "# $name"
	# shellcheck disable=SC2086
	if ! $CC $CFLAGS -o "$BIN/$name" "test/unit/$name.c" $deps 2>&1; then
		echo "not ok - $name: build failed"
		FAILED=$((FAILED + 1))
		continue
	fi
	# a test's own "x: N passed, M failed" summary becomes a comment, so
	# that test/run only counts the totals below
	out=$("$BIN/$name" 2>&1)
	rc=$?
	out=$(echo "$out" | sed -E 's/^([a-z_]+: [0-9]+ passed, [0-9]+ failed)$/# \1/')
	echo "$out"
	ok=$(echo "$out" | grep -c '^ok - ')
	notok=$(echo "$out" | grep -c '^not ok - ')
	PASSED=$((PASSED + ok))
	FAILED=$((FAILED + notok))
	if [ "$rc" -gt 128 ]; then
		echo "not ok - $name: killed by signal $((rc - 128))"
		FAILED=$((FAILED + 1))
	elif [ "$rc" -ne 0 ] && [ "$notok" -eq 0 ]; then
		echo "not ok - $name: exit status $rc"
		FAILED=$((FAILED + 1))
	elif [ "$ok" -eq 0 ] && [ "$notok" -eq 0 ]; then
		echo "not ok - $name: no test output"
		FAILED=$((FAILED + 1))
	fi
done

echo "unit: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]

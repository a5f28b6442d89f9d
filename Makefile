# automl: PGXS build.  `make && make install`, then `make installcheck`
# against a running server (test/run does it all in a throwaway cluster).

EXTENSION = automl
EXTVERSION = 0.1.0

MODULE_big = automl
OBJS = \
	src/automl.o \
	src/anomaly/anomaly_data.o \
	src/anomaly/anomaly_text.o \
	src/anomaly/detect.o \
	src/anomaly/detect_multi.o \
	src/anomaly/detector.o \
	src/anomaly/detector_alg.o \
	src/anomaly/isolation.o \
	src/anomaly/robust_cov.o \
	src/anomaly/seasonal.o \
	src/anomaly/univariate.o \
	src/common/html_buf.o \
	src/common/json_out.o \
	src/common/order_stat.o \
	src/forecast/forecast.o \
	src/forecast/holt_winters.o \
	src/forecast/series.o \
	src/ingest/csv_reader.o \
	src/ingest/import.o \
	src/ingest/import_copy.o \
	src/ingest/import_csv.o \
	src/ingest/import_json.o \
	src/ingest/import_options.o \
	src/ingest/import_table.o \
	src/ingest/infer.o \
	src/ingest/json_reader.o \
	src/ingest/sniff.o \
	src/insights/insights.o \
	src/insights/seasonal.o \
	src/insights/trend.o \
	src/jobs/dispatcher.o \
	src/jobs/job_shmem.o \
	src/jobs/job_sql.o \
	src/jobs/job_worker.o \
	src/jobs/launcher.o \
	src/profile/column_kind.o \
	src/profile/extremes.o \
	src/profile/freq.o \
	src/profile/hll.o \
	src/profile/kll.o \
	src/profile/moments.o \
	src/profile/profile.o \
	src/profile/profile_agg.o \
	src/profile/profile_issues.o \
	src/profile/profile_json.o \
	src/profile/profile_options.o \
	src/profile/profile_report.o \
	src/profile/profile_state.o \
	src/profile/report_html.o \
	src/profile/rowset.o \
	src/ml/algorithms.o \
	src/ml/dataset.o \
	src/ml/diagnostics.o \
	src/ml/drift.o \
	src/ml/evaluate.o \
	src/ml/explain.o \
	src/ml/feature_value.o \
	src/ml/forest.o \
	src/ml/gbdt.o \
	src/ml/hyperparams.o \
	src/ml/knn.o \
	src/ml/linear.o \
	src/ml/logistic.o \
	src/ml/metrics.o \
	src/ml/model.o \
	src/ml/model_cache.o \
	src/ml/model_info.o \
	src/ml/model_io.o \
	src/ml/model_report.o \
	src/ml/naive_bayes.o \
	src/ml/predict.o \
	src/ml/preprocess.o \
	src/ml/reference.o \
	src/ml/registry.o \
	src/ml/report.o \
	src/ml/rng.o \
	src/ml/search.o \
	src/ml/split.o \
	src/ml/train.o \
	src/ml/train_options.o \
	src/ml/tree.o \
	src/monitor/stats.o

HEADERS = $(wildcard src/*.h src/*/*.h)

DATA = sql/$(EXTENSION)--$(EXTVERSION).sql

REGRESS = profile profile_types profile_accuracy profile_errors profile_parallel \
	ml_train ml_predict ml_registry ml_errors ml_automl ml_explain jobs anomaly forecast insights import_csv import_json stats security robustness
REGRESS_OPTS = --inputdir=.

PG_CPPFLAGS = -Isrc
PG_CFLAGS = $(PG_CFLAGS_EXTRA) -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare
SHLIB_LINK = -lcsv -ljansson -llapacke -lopenblas -lm

EXTRA_CLEAN = results regression.diffs regression.out tmp_check

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header dependencies: rebuild every object when a header
# changes, or a struct layout could differ between two objects
$(OBJS): $(HEADERS)

# The regression suite against a server under valgrind memcheck (as root;
# tests the INSTALLED automl.so, so `make install` first; 30-60 minutes):
# fails if valgrind reports an error with an automl.so frame.  Suppressions
# in test/valgrind/*.supp; docs/valgrind.md.
valgrind:
	test/valgrind/run.sh $(REGRESS)

.PHONY: valgrind

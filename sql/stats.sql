-- automl.stats without shared_preload_libraries: reading or resetting the
-- statistics says how to enable them (SQLSTATE 55000), and the automl
-- functions still run, uncounted.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS automl;
\set SHOW_CONTEXT never

-- not enabled: the message and the hint
SELECT * FROM automl.stats;
SELECT automl.reset_stats();
\set VERBOSITY sqlstate
SELECT * FROM automl.stats;
SELECT function, calls FROM automl._stats();
SELECT automl.reset_stats();
\set VERBOSITY default

-- the functions work without it
CREATE TABLE stats_data AS SELECT i, i % 7 AS x FROM generate_series(1, 100) i;
SELECT (automl.profile('stats_data')->>'row_count')::int AS row_count;

-- automl.track_stats exists, is on, and is a server setting
SHOW automl.track_stats;
SET automl.track_stats = off;

-- the view's columns
\d automl.stats

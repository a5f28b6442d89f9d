-- bench/load/setup.sql: the objects of the load benchmark (bench/load.sh).
--
--   psql -X -v rows=20000 -f bench/load/setup.sql
--
-- load_data      rows rows: id, four float8 features x1..x4 in [0, 1) and a
--                target y = 1 + 3 x1 + 2 x2 - x3 + 0.5 x4 + noise, all from
--                hashint8extended(id, seed): the same rows on every run
-- load_k         a sequence: k of each trained version (1, 2, ...)
-- load_train     the view every version of load_m is trained on: the same
--                features, target y + 1000 k + (k % 10) x1, k read from the
--                transaction-local setting load.k.  So version k predicts
--                about 1000 k + [-1, 17]: round(prediction / 1000) names k,
--                and consecutive versions differ in intercept and in the
--                coefficient of x1, not only in the last bits
-- load_versions  k -> version, model_id of each trained version
-- load_log       every prediction made by bench/load/predict.sql (unlogged)
--
-- Then the stored profile of load_data, and version 1 of model load_m
-- (linear_regression, k = 1), deployed.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

CREATE EXTENSION IF NOT EXISTS automl;

DROP TABLE IF EXISTS load_log, load_versions CASCADE;
DROP VIEW IF EXISTS load_train;
DROP TABLE IF EXISTS load_data CASCADE;
DROP SEQUENCE IF EXISTS load_k;
SELECT automl.drop_model('load_m') FROM automl.models WHERE model_name = 'load_m' LIMIT 1;

CREATE TABLE load_data (
	id int PRIMARY KEY,
	x1 float8 NOT NULL,
	x2 float8 NOT NULL,
	x3 float8 NOT NULL,
	x4 float8 NOT NULL,
	y float8 NOT NULL
);
INSERT INTO load_data
SELECT id, x1, x2, x3, x4,
	   1 + 3 * x1 + 2 * x2 - x3 + 0.5 * x4 + 0.2 * (u - 0.5)
  FROM (SELECT id,
			   (hashint8extended(id, 1) & 1048575)::float8 / 1048576 AS x1,
			   (hashint8extended(id, 2) & 1048575)::float8 / 1048576 AS x2,
			   (hashint8extended(id, 3) & 1048575)::float8 / 1048576 AS x3,
			   (hashint8extended(id, 4) & 1048575)::float8 / 1048576 AS x4,
			   (hashint8extended(id, 5) & 1048575)::float8 / 1048576 AS u
		  FROM generate_series(1, :rows) AS id) s;
ANALYZE load_data;

CREATE SEQUENCE load_k;
CREATE VIEW load_train AS
SELECT d.x1, d.x2, d.x3, d.x4, d.y + 1000 * s.k + (s.k % 10) * d.x1 AS y
  FROM load_data d, (SELECT current_setting('load.k')::int AS k) s;

CREATE TABLE load_versions (
	k int PRIMARY KEY,
	version int NOT NULL UNIQUE,
	model_id bigint NOT NULL UNIQUE,
	deployed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE UNLOGGED TABLE load_log (
	seq bigserial PRIMARY KEY,
	id int NOT NULL,
	pred float8,
	pid int NOT NULL DEFAULT pg_backend_pid(),
	at timestamptz NOT NULL DEFAULT clock_timestamp()
);

SELECT automl.profile('load_data') IS NOT NULL AS profiled;

-- version 1, exactly as bench/load/retrain.sql makes the others
BEGIN;
SELECT set_config('load.k', nextval('load_k')::text, true) AS k \gset
SELECT version AS v, model_id AS mid
  FROM automl.train('load_m', 'load_train', 'y', 'regression', 'linear_regression',
					options => '{"deploy": "never"}') \gset
SELECT automl.deploy('load_m', :v) AS deployed_model_id;
INSERT INTO load_versions (k, version, model_id) VALUES (:k, :v, :mid);
COMMIT;

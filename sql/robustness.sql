-- Bad input across the whole SQL surface (issue 8): every public function
-- called with NULLs, empty tables, all-NULL columns, NaN and +-Infinity,
-- huge values, wrong types, one-row tables and a 1,600-column table.
-- Each call must give a result or an ERROR with a proper SQLSTATE: never a
-- crash, never XX000 (internal_error) for user input.
--
-- rob.try(sql) runs one call in a subtransaction and records 'ok' or its
-- SQLSTATE in rob.outcome; the table is printed at the end.  Every call is
-- its own top-level statement, so that statement_timeout bounds each one
-- and a crash loses only the call that caused it.  Without
-- shared_preload_libraries the async job functions answer 55000.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
SET extra_float_digits = 0;
SET statement_timeout = '60s';
CREATE EXTENSION IF NOT EXISTS automl;
CREATE SCHEMA rob;

CREATE TABLE rob.outcome (call text, outcome text);
CREATE PROCEDURE rob.try(call text) LANGUAGE plpgsql AS $$
DECLARE
	state text;
BEGIN
	BEGIN
		EXECUTE call;
		state := 'ok';
	EXCEPTION
		WHEN query_canceled THEN	-- statement_timeout: not caught by OTHERS
			state := '57014';
		WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE;
	END;
	INSERT INTO rob.outcome VALUES (call, state);
END $$;

-- ---------------------------------------------------------------------
-- Fixtures
-- ---------------------------------------------------------------------

-- a clean table the good models are trained on
CREATE TABLE rob.good AS
SELECT i AS id, (i % 10)::float8 AS x, (i % 7)::float8 AS z, 'c' || (i % 3) AS cat,
	   (i % 2 = 0) AS flag, date '2024-01-01' + i AS d,
	   (i % 10) * 2.0 + (i % 7)::float8 AS y, CASE WHEN i % 10 < 5 THEN 'lo' ELSE 'hi' END AS label
  FROM generate_series(1, 200) i;
ALTER TABLE rob.good ADD PRIMARY KEY (id);

-- the same columns: empty, one row, every value NULL, two identical rows
CREATE TABLE rob.empty (LIKE rob.good);
CREATE TABLE rob.one_row AS SELECT * FROM rob.good WHERE id = 1;
CREATE TABLE rob.all_null AS SELECT (NULL::rob.good).* FROM generate_series(1, 50);
CREATE TABLE rob.dup AS SELECT g.* FROM rob.good g, generate_series(1, 2) WHERE g.id = 1;

-- NaN, +-Infinity and +-1e150 (whose squares still fit a double) among
-- ordinary values, in the features and in the targets
CREATE TABLE rob.special AS
SELECT i AS id,
	   (ARRAY['NaN', 'Infinity', '-Infinity', '1e150', '-1e150', '0', '1', '2', '3', '4'])[i % 10 + 1]::float8 AS x,
	   (i % 7)::float8 AS z, 'c' || (i % 3) AS cat, (i % 2 = 0) AS flag,
	   CASE i % 17 WHEN 0 THEN date 'infinity' WHEN 1 THEN date '-infinity' ELSE date '2024-01-01' + i END AS d,
	   CASE WHEN i % 11 = 0 THEN 'NaN'::float8 WHEN i % 13 = 0 THEN 'Infinity'::float8 ELSE (i % 5)::float8 END AS y,
	   CASE WHEN i % 10 < 5 THEN 'lo' ELSE 'hi' END AS label,
	   CASE i WHEN 50 THEN timestamptz 'infinity' ELSE timestamptz '2024-01-01 00:00+00' + i * interval '1 day' END AS t
  FROM generate_series(1, 100) i;
INSERT INTO rob.special VALUES (101, 'Infinity', 'NaN', 'c1', true, 'infinity', '-Infinity', 'hi', 'infinity'),
							   (102, '-Infinity', 'Infinity', 'c2', false, '-infinity', 1e150, 'lo', '-infinity');

-- only non-finite and extreme values: +-1e308 (the sum of two overflows),
-- and no row with every column finite
CREATE TABLE rob.nonfinite (x float8, y float8, z float8, t timestamptz);
INSERT INTO rob.nonfinite
SELECT (ARRAY['NaN', 'Infinity', '-Infinity', '1e308', '-1e308'])[i % 5 + 1]::float8,
	   (ARRAY['1e308', '-1e308', 'NaN', 'Infinity', '-Infinity'])[i % 5 + 1]::float8,
	   'NaN', timestamptz '2024-01-01 00:00+00' + i * interval '1 hour'
  FROM generate_series(1, 40) i;
-- a few ordinary values and two of 1e308
CREATE TABLE rob.big (x float8, y float8, label text);
INSERT INTO rob.big VALUES (1, 1, 'a'), (2, 2, 'b'), (3, 3, 'a'), (4, 1, 'b'), (5, 2, 'a'), (1e308, 1, 'b'), (1e308, 2, 'a');

-- huge numeric values (beyond float8) and numeric NaN/Infinity
CREATE TABLE rob.huge_num (id int, n numeric, y numeric, t date);
INSERT INTO rob.huge_num
SELECT i, CASE i % 6 WHEN 0 THEN 1e1000::numeric WHEN 1 THEN -1e1000::numeric
					 WHEN 2 THEN 1e-1000::numeric WHEN 3 THEN 'NaN'::numeric
					 WHEN 4 THEN 'Infinity'::numeric ELSE i END,
	   CASE WHEN i % 4 = 0 THEN 1e500::numeric ELSE i END,
	   date '2024-01-01' + i
  FROM generate_series(1, 60) i;

-- 1 MB texts
CREATE TABLE rob.huge_text (id int, t text, y float8);
INSERT INTO rob.huge_text SELECT i, repeat(chr(97 + i), 1024 * 1024), i FROM generate_series(1, 4) i;
INSERT INTO rob.huge_text SELECT i, 'short' || (i % 3), i FROM generate_series(5, 40) i;

-- a column of every kind
CREATE TABLE rob.types AS
SELECT i AS id, 't' || (i % 4) AS txt, (i % 3 = 0) AS b, date '2024-01-01' + i AS d,
	   jsonb_build_object('k', i, 'a', jsonb_build_array(i, 'x')) AS j,
	   timestamptz '2024-01-01 00:00+00' + i * interval '1 hour' AS ts, i * interval '1 minute' AS iv,
	   md5(i::text)::uuid AS u, decode(md5(i::text), 'hex') AS by, ARRAY[i, i + 1] AS arr,
	   point(i, i) AS pt, int4range(i, i + 5) AS rng, (i % 5)::numeric(10, 2) AS y
  FROM generate_series(1, 60) i;

-- 1,600 columns (the most a table can have): real, so that a row fits a page
DO $$
BEGIN
	EXECUTE 'CREATE TABLE rob.wide (' ||
		(SELECT string_agg(format('c%s real', i), ', ' ORDER BY i) FROM generate_series(1, 1600) i) || ')';
	EXECUTE 'INSERT INTO rob.wide SELECT ' ||
		(SELECT string_agg(format('((r * %s) %% 17)::real', i), ', ' ORDER BY i) FROM generate_series(1, 1600) i) ||
		' FROM generate_series(1, 30) r';
END $$;

-- no columns at all; a dropped column
CREATE TABLE rob.nocols ();
INSERT INTO rob.nocols DEFAULT VALUES;
INSERT INTO rob.nocols DEFAULT VALUES;
CREATE TABLE rob.dropped AS SELECT i::float8 AS x, i::text AS gone, (i % 4)::float8 AS y FROM generate_series(1, 50) i;
ALTER TABLE rob.dropped DROP COLUMN gone;

-- a view, a partitioned table (one partition empty), an empty partitioned
-- table, an unpopulated materialized view, a sequence, an index
CREATE VIEW rob.v AS SELECT * FROM rob.special;
CREATE TABLE rob.part (id int, x float8, y float8, label text) PARTITION BY RANGE (id);
CREATE TABLE rob.part_1 PARTITION OF rob.part FOR VALUES FROM (0) TO (100);
CREATE TABLE rob.part_2 PARTITION OF rob.part FOR VALUES FROM (100) TO (200);
INSERT INTO rob.part SELECT i, i % 10, i % 7, CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END FROM generate_series(1, 80) i;
CREATE TABLE rob.part_empty (id int, x float8) PARTITION BY LIST (id);
CREATE MATERIALIZED VIEW rob.mv AS SELECT 1::float8 AS x, 2::float8 AS y WITH NO DATA;
CREATE SEQUENCE rob.seq;
CREATE INDEX good_x ON rob.good (x);
CREATE TYPE rob.comp AS (x float8, y float8);

-- the good models and detectors the prediction calls use: rob_reg and
-- rob_cls on every kind of feature (x, z, cat, flag, d), the others on the
-- numeric ones (x, z, flag: arrays work for them)
SELECT m.model_name, m.version, m.task, m.algorithm
  FROM (VALUES ('rob_reg', 'y', 'regression', 'ridge', '["id", "label"]', '{}'),
			   ('rob_cls', 'label', 'classification', 'decision_tree', '["id", "y"]', '{}'),
			   ('rob_num', 'y', 'regression', 'ridge', '["id", "label", "cat", "d"]', '{}'),
			   ('rob_lasso', 'y', 'regression', 'lasso', '["id", "label"]', '{}'),
			   ('rob_rf', 'y', 'regression', 'random_forest', '["id", "label", "cat", "d"]', '{"n_estimators": 3}'),
			   ('rob_knnr', 'y', 'regression', 'knn', '["id", "label", "cat", "d"]', '{}'),
			   ('rob_gb', 'label', 'classification', 'gradient_boosting', '["id", "y", "cat", "d"]', '{"n_estimators": 5}'),
			   ('rob_knn', 'label', 'classification', 'knn', '["id", "y", "cat", "d"]', '{}'),
			   ('rob_nb', 'label', 'classification', 'naive_bayes', '["id", "y", "cat", "d"]', '{}'),
			   ('rob_lr', 'label', 'classification', 'logistic_regression', '["id", "y", "cat", "d"]', '{}'))
	   AS a(name, target, task, alg, excl, hp),
	   LATERAL automl.train(a.name, 'rob.good', a.target, a.task, a.alg, '2 seconds',
							jsonb_build_object('exclude', a.excl::jsonb, 'hyperparams', a.hp::jsonb)) m
 ORDER BY 1;
SELECT name, automl.train_detector(name, 'rob.good', cols, method) > 0 AS trained
  FROM (VALUES ('rob_det', ARRAY['x', 'z'], 'auto'), ('rob_det1', ARRAY['x'], 'robust_zscore'),
			   ('rob_det_if', ARRAY['x', 'z'], 'isolation_forest'), ('rob_det_iqr', ARRAY['x'], 'iqr'))
	   AS d(name, cols, method)
 ORDER BY 1;

-- CRC-32C of a bytea (as pg_crc32c), to craft model images that pass the
-- checksum; and an image with bytes replaced at an offset, re-checksummed
CREATE FUNCTION rob.crc32c(b bytea) RETURNS bigint LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	crc bigint := 4294967295;
BEGIN
	FOR i IN 0 .. length(b) - 1 LOOP
		crc := crc # get_byte(b, i);
		FOR k IN 1 .. 8 LOOP
			IF crc & 1 = 1 THEN
				crc := (crc >> 1) # 2197175160;
			ELSE
				crc := crc >> 1;
			END IF;
		END LOOP;
	END LOOP;
	RETURN crc # 4294967295;
END $$;
CREATE FUNCTION rob.le32(v bigint) RETURNS bytea LANGUAGE sql IMMUTABLE
	RETURN set_byte(set_byte(set_byte(set_byte('\x00000000'::bytea, 0, (v & 255)::int),
		1, ((v >> 8) & 255)::int), 2, ((v >> 16) & 255)::int), 3, ((v >> 24) & 255)::int);
CREATE FUNCTION rob.crafted(image bytea, pos int, bytes bytea) RETURNS bytea LANGUAGE sql IMMUTABLE
	RETURN (SELECT body || rob.le32(rob.crc32c(body))
			  FROM (SELECT overlay(substr(image, 1, length(image) - 4) PLACING bytes FROM pos + 1) AS body) s);
-- the checksum function agrees with the server's
SELECT rob.le32(rob.crc32c(substr(m, 1, length(m) - 4))) = substr(m, length(m) - 3) AS crc_ok
  FROM automl.export_model('rob_reg') m;
SELECT rob.crafted(m, 14, '\x00') <> m AS crafted FROM automl.export_model('rob_reg') m;

-- a table whose statement trigger is automl's models_changed
CREATE TABLE rob.trig (x int);
CREATE TRIGGER trig_changed AFTER INSERT ON rob.trig FOR EACH STATEMENT EXECUTE FUNCTION automl.models_changed();
CREATE TABLE rob.trig_row (x int);
CREATE TRIGGER trig_row_changed BEFORE INSERT ON rob.trig_row FOR EACH ROW EXECUTE FUNCTION automl.models_changed();

-- ---------------------------------------------------------------------
-- Profiling: profile, get_profile, profile_report, profile_agg,
-- profile_columns and the aggregate's support functions
-- ---------------------------------------------------------------------
CALL rob.try($$SELECT automl.profile(NULL)$$);
CALL rob.try($$SELECT automl.profile(NULL, NULL)$$);
CALL rob.try($$SELECT automl.profile('rob.good', NULL)$$);
CALL rob.try($$SELECT automl.profile('rob.nope')$$);
CALL rob.try($$SELECT automl.profile(0)$$);
CALL rob.try($$SELECT automl.profile(4294967295)$$);
CALL rob.try($$SELECT automl.profile('rob.empty')$$);
CALL rob.try($$SELECT automl.profile('rob.one_row')$$);
CALL rob.try($$SELECT automl.profile('rob.all_null')$$);
CALL rob.try($$SELECT automl.profile('rob.dup')$$);
CALL rob.try($$SELECT automl.profile('rob.special')$$);
CALL rob.try($$SELECT automl.profile('rob.nonfinite')$$);
CALL rob.try($$SELECT automl.profile('rob.huge_num')$$);
CALL rob.try($$SELECT automl.profile('rob.huge_text')$$);
CALL rob.try($$SELECT automl.profile('rob.types')$$);
CALL rob.try($$SELECT automl.profile('rob.wide')$$);
CALL rob.try($$SELECT automl.profile('rob.wide', '{"exact": true, "max_correlation_columns": 1000}')$$);
CALL rob.try($$SELECT automl.profile('rob.nocols')$$);
CALL rob.try($$SELECT automl.profile('rob.dropped')$$);
CALL rob.try($$SELECT automl.profile('rob.v')$$);
CALL rob.try($$SELECT automl.profile('rob.part')$$);
CALL rob.try($$SELECT automl.profile('rob.part_2')$$);
CALL rob.try($$SELECT automl.profile('rob.part_empty')$$);
CALL rob.try($$SELECT automl.profile('rob.mv')$$);
CALL rob.try($$SELECT automl.profile('rob.seq')$$);
CALL rob.try($$SELECT automl.profile('rob.good_x')$$);
CALL rob.try($$SELECT automl.profile('rob.comp')$$);
CALL rob.try($$SELECT automl.profile('pg_catalog.pg_statistic')$$);
CALL rob.try($$SELECT automl.profile('automl.models')$$);
CALL rob.try($$SELECT automl.profile('rob.good', '[]')$$);
CALL rob.try($$SELECT automl.profile('rob.good', '"x"')$$);
CALL rob.try($$SELECT automl.profile('rob.good', 'null')$$);
CALL rob.try($$SELECT automl.profile('rob.good', '1e308')$$);
CALL rob.try($$SELECT automl.profile('rob.good', '{"k": null}')$$);
CALL rob.try($$SELECT automl.profile('rob.good', '{"exact": null}')$$);
CALL rob.try($$SELECT automl.profile('rob.good', '{"exact": "yes"}')$$);
CALL rob.try($$SELECT automl.profile('rob.good', '{"top_values": 1e308}')$$);
CALL rob.try($$SELECT automl.profile('rob.good', '{"top_values": -1}')$$);
CALL rob.try($$SELECT automl.profile('rob.good', '{"top_values": 2.5}')$$);
CALL rob.try($$SELECT automl.profile('rob.good', '{"histogram_bins": 0}')$$);
CALL rob.try($$SELECT automl.profile('rob.good', '{"histogram_bins": 1e308}')$$);
CALL rob.try($$SELECT automl.profile('rob.good', '{"histogram_bins": -1e308}')$$);
CALL rob.try($$SELECT automl.profile('rob.good', '{"max_correlation_columns": -5}')$$);
CALL rob.try($$SELECT automl.profile('rob.good', '{"max_correlation_columns": 1e1000}')$$);
CALL rob.try($$SELECT automl.profile('rob.good', '{"duplicates": false, "correlations": false}')$$);
CALL rob.try($$SELECT automl.profile('rob.special', '{"exact": true, "top_values": 0, "histogram_bins": 1}')$$);

CALL rob.try($$SELECT automl.get_profile(NULL)$$);
CALL rob.try($$SELECT automl.get_profile('rob.nocols')$$);
CALL rob.try($$SELECT automl.get_profile('rob.seq')$$);

CALL rob.try($$SELECT automl.profile_report(NULL)$$);
CALL rob.try($$SELECT automl.profile_report('rob.empty')$$);
CALL rob.try($$SELECT automl.profile_report('rob.all_null')$$);
CALL rob.try($$SELECT automl.profile_report('rob.special')$$);
CALL rob.try($$SELECT automl.profile_report('rob.nonfinite')$$);
CALL rob.try($$SELECT automl.profile_report('rob.huge_num')$$);
CALL rob.try($$SELECT automl.profile_report('rob.huge_text')$$);
CALL rob.try($$SELECT automl.profile_report('rob.types')$$);
CALL rob.try($$SELECT automl.profile_report('rob.wide')$$);
CALL rob.try($$SELECT automl.profile_report('rob.nocols')$$);
CALL rob.try($$SELECT automl.profile_report('rob.mv')$$);
CALL rob.try($$SELECT automl.profile_report('rob.seq')$$);
CALL rob.try($$SELECT automl.profile_report('rob.part_empty')$$);

CALL rob.try($$SELECT automl.profile_agg(r) FROM rob.special r$$);
CALL rob.try($$SELECT automl.profile_agg(r) FROM rob.empty r$$);
CALL rob.try($$SELECT automl.profile_agg(r) FROM rob.all_null r$$);
CALL rob.try($$SELECT automl.profile_agg(r) FROM rob.nonfinite r$$);
CALL rob.try($$SELECT automl.profile_agg(r) FROM rob.huge_num r$$);
CALL rob.try($$SELECT automl.profile_agg(r) FROM rob.huge_text r$$);
CALL rob.try($$SELECT automl.profile_agg(r) FROM rob.types r$$);
CALL rob.try($$SELECT automl.profile_agg(r) FROM rob.wide r$$);
CALL rob.try($$SELECT automl.profile_agg(r) FROM rob.nocols r$$);
CALL rob.try($$SELECT automl.profile_agg(r) FROM rob.dropped r$$);
CALL rob.try($$SELECT automl.profile_agg(r, '{"exact": true}') FROM rob.special r$$);
CALL rob.try($$SELECT automl.profile_agg(r, NULL) FROM rob.special r$$);
CALL rob.try($$SELECT automl.profile_agg(r, '[]') FROM rob.special r$$);
CALL rob.try($$SELECT automl.profile_agg(r, '{"k": null}') FROM rob.special r$$);
CALL rob.try($$SELECT automl.profile_agg(r, o) FROM rob.special r, (VALUES ('{}'::jsonb), ('{"exact": true}')) v(o)$$);
CALL rob.try($$SELECT automl.profile_agg(x) FROM rob.special r$$);
CALL rob.try($$SELECT automl.profile_agg(1)$$);
CALL rob.try($$SELECT automl.profile_agg('x'::text)$$);
CALL rob.try($$SELECT automl.profile_agg(NULL::rob.comp)$$);
CALL rob.try($$SELECT automl.profile_agg(NULL::int)$$);
CALL rob.try($$SELECT automl.profile_agg(ROW(1, 'a', NULL))$$);
CALL rob.try($$SELECT automl.profile_agg(r) FROM (VALUES (1, 'NaN'::float8), (2, 'Infinity')) r$$);
CALL rob.try($$SELECT automl.profile_agg(ROW(r.*, r.*)) FROM rob.one_row r$$);
CALL rob.try($$SELECT automl.profile_agg(ROW(ROW(1, 2), ARRAY[1])) FROM rob.one_row r$$);
CALL rob.try($$SELECT automl.profile_agg(r) FROM rob.special r GROUP BY label$$);
CALL rob.try($$SELECT automl.profile_agg(r) FILTER (WHERE false) FROM rob.special r$$);
CALL rob.try($$SELECT automl.profile_agg(r) OVER (ORDER BY id) FROM rob.special r$$);
CALL rob.try($$SELECT automl.profile_agg(DISTINCT r) FROM rob.dup r$$);

CALL rob.try($$SELECT automl.profile_columns('rob.one_row', '{}', id, x, z, cat, flag, d, y, label) FROM rob.one_row$$);
CALL rob.try($$SELECT automl.profile_columns('rob.one_row', '{}', x) FROM rob.one_row$$);
CALL rob.try($$SELECT automl.profile_columns('rob.one_row', '{}', label, x, z, cat, flag, d, y, id) FROM rob.one_row$$);
CALL rob.try($$SELECT automl.profile_columns('rob.one_row', '[]', id, x, z, cat, flag, d, y, label) FROM rob.one_row$$);
CALL rob.try($$SELECT automl.profile_columns(NULL, NULL, 1)$$);
CALL rob.try($$SELECT automl.profile_columns(NULL, '{}', 1, 'a'::text)$$);
CALL rob.try($$SELECT automl.profile_columns(0, '{}', 1)$$);
CALL rob.try($$SELECT automl.profile_columns('rob.seq', '{}', 1, 2, true)$$);
CALL rob.try($$SELECT automl.profile_columns('rob.nocols', '{}', 1)$$);
CALL rob.try($$SELECT automl.profile_columns('rob.mv', '{}', 1::float8, 2::float8)$$);
CALL rob.try($$SELECT automl.profile_columns('rob.comp', '{}', 1::float8, 2::float8)$$);
CALL rob.try($$SELECT automl.profile_columns('rob.dropped', '{}', x, y) FROM rob.dropped$$);
CALL rob.try($$SELECT automl.profile_columns('rob.dropped', '{}', VARIADIC ARRAY[x, y]) FROM rob.dropped$$);
CALL rob.try($$SELECT automl.profile_columns('rob.nonfinite', '{}', x, y, z, t) FROM rob.nonfinite$$);
CALL rob.try($$SELECT automl.profile_columns('rob.nonfinite', '{}', x, y, z, NULL) FROM rob.nonfinite$$);
CALL rob.try($$SELECT automl.profile_columns('rob.nonfinite', '{}', x, y, z, 'x') FROM rob.nonfinite$$);
CALL rob.try($$SELECT automl.profile_columns('rob.nonfinite', '{}', NULL, NULL, NULL, NULL)$$);
CALL rob.try($$SELECT automl.profile_columns('rob.huge_num', '{}', id, n, y, t) FROM rob.huge_num$$);
CALL rob.try($$SELECT automl.profile_columns('rob.huge_num', '{}', id, n::float8, y, t) FROM rob.huge_num WHERE n < 1e300$$);

CALL rob.try($$SELECT automl.profile_agg_transfn(NULL, 1)$$);
CALL rob.try($$SELECT automl.profile_agg_transfn(NULL, NULL::rob.comp, '{}')$$);
CALL rob.try($$SELECT automl.profile_agg_final(NULL, 1)$$);
CALL rob.try($$SELECT automl.profile_agg_final(NULL, NULL::rob.comp, '{}')$$);
CALL rob.try($$SELECT automl.profile_agg_combine(NULL, NULL)$$);
CALL rob.try($$SELECT automl.profile_agg_serialize(NULL)$$);
CALL rob.try($$SELECT automl.profile_agg_deserialize('\x00', NULL)$$);
CALL rob.try($$SELECT automl.profile_columns_transfn(NULL, 'rob.one_row', '{}', 1)$$);
CALL rob.try($$SELECT automl.profile_columns_final(NULL, 'rob.one_row', '{}', 1)$$);

-- partial aggregation in parallel workers: the states cross processes
-- (serialize, deserialize, combine) with NaN, infinities, huge values
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
CALL rob.try($$SELECT automl.profile_agg(r) FROM rob.special r$$ || ' /* parallel */');
CALL rob.try($$SELECT automl.profile_agg(r) FROM rob.huge_num r$$ || ' /* parallel */');
CALL rob.try($$SELECT automl.profile_agg(r) FROM rob.huge_text r$$ || ' /* parallel */');
CALL rob.try($$SELECT automl.profile_agg(r) FROM rob.types r$$ || ' /* parallel */');
CALL rob.try($$SELECT automl.profile_agg(r) FROM rob.wide r$$ || ' /* parallel */');
CALL rob.try($$SELECT automl.profile_agg(r) FROM rob.all_null r$$ || ' /* parallel */');
CALL rob.try($$SELECT automl.profile('rob.nonfinite')$$ || ' /* parallel */');
CALL rob.try($$SELECT automl.profile('rob.part', '{"exact": true}')$$ || ' /* parallel */');
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- ---------------------------------------------------------------------
-- Training
-- ---------------------------------------------------------------------
-- NULL for each argument
CALL rob.try($$SELECT * FROM automl.train(NULL, 'rob.good', 'y', 'regression', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t', NULL, 'y', 'regression', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t', 'rob.good', NULL, 'regression', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t', 'rob.good', 'y', NULL, 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t', 'rob.good', 'y', 'regression', NULL, '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t', 'rob.good', 'y', 'regression', 'ridge', NULL)$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t', 'rob.good', 'y', 'regression', 'ridge', '2 s', NULL)$$);
CALL rob.try($$SELECT * FROM automl.train(NULL, NULL, NULL, NULL, NULL, NULL, NULL)$$);
-- names, targets, tasks, algorithms
CALL rob.try($$SELECT * FROM automl.train('', 'rob.good', 'y', 'regression', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train(repeat('n', 10000), 'rob.good', 'y', 'regression', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train(E'rob_a\nb''"c', 'rob.good', 'y', 'regression', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t', 'rob.good', 'nope', 'regression', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t', 'rob.good', '', 'regression', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t', 'rob.good', 'Y', 'regression', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t', 'rob.good', 'y', 'clustering', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t', 'rob.good', 'y', 'anomaly', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t', 'rob.good', 'y', '', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t', 'rob.good', 'y', 'regression', 'nope', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t', 'rob.good', 'y', 'regression', '', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t', 'rob.good', 'y', 'regression', 'naive_bayes', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t', 'rob.good', 'label', 'regression', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t', 'rob.good', 'y', 'classification', 'decision_tree', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t', 'rob.good', 'd', 'auto', 'decision_tree', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t', 'rob.good', 'id', 'auto', 'ridge', '2 s')$$);
-- time budgets
CALL rob.try($$SELECT * FROM automl.train('rob_t_budget', 'rob.good', 'y', 'regression', 'ridge', '-1 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_budget', 'rob.good', 'y', 'regression', 'ridge', '0')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_budget', 'rob.good', 'y', 'regression', 'ridge', '100 years')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_budget', 'rob.good', 'y', 'regression', 'ridge', '-100 years')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_budget', 'rob.good', 'y', 'regression', 'ridge', '1 microsecond')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_budget', 'rob.good', 'y', 'regression', 'ridge', '178000000 years')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_budget', 'rob.good', 'y', 'regression', 'ridge', '1 mon -30 days')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_auto', 'rob.good', 'y', 'auto', 'auto', '-1 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_auto', 'rob.good', 'y', 'auto', 'auto', '0')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_auto', 'rob.good', 'y', 'auto', 'auto', '1 microsecond')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_auto', 'rob.special', 'label', 'auto', 'auto', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_auto', 'rob.one_row', 'y', 'auto', 'auto', '100 years')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_auto', 'rob.dup', 'label', 'auto', 'auto', '100 years')$$);
-- every fixture as the relation
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.empty', 'y', 'auto', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.one_row', 'y', 'auto', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.one_row', 'label', 'auto', 'decision_tree', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.one_row', 'y', 'auto', 'knn', '2 s', '{"test_fraction": 0}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.all_null', 'y', 'auto', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.all_null', 'label', 'auto', 'decision_tree', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.dup', 'y', 'auto', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.dup', 'y', 'auto', 'ridge', '2 s', '{"test_fraction": 0}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.nonfinite', 'y', 'auto', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.nonfinite', 'x', 'auto', 'gradient_boosting', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.nonfinite', 'z', 'auto', 'gradient_boosting', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.huge_num', 'y', 'auto', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.huge_num', 'n', 'auto', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.huge_num', 'id', 'auto', 'decision_tree', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.huge_text', 'y', 'auto', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.huge_text', 't', 'auto', 'decision_tree', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.types', 'y', 'auto', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.types', 'txt', 'auto', 'naive_bayes', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.types', 'b', 'auto', 'logistic_regression', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.types', 'j', 'auto', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.types', 'ts', 'auto', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.types', 'u', 'auto', 'decision_tree', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.types', 'arr', 'auto', 'decision_tree', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.wide', 'c1', 'auto', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.wide', 'c2', 'classification', 'knn', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.wide', 'c3', 'regression', 'gradient_boosting', '2 s', '{"hyperparams": {"n_estimators": 3}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.wide', 'c1600', 'auto', 'auto', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.nocols', 'x', 'auto', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.dropped', 'y', 'auto', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.dropped', 'gone', 'auto', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.v', 'label', 'auto', 'decision_tree', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.part', 'label', 'auto', 'random_forest', '2 s', '{"hyperparams": {"n_estimators": 3}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.part_empty', 'x', 'auto', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.mv', 'y', 'auto', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.seq', 'last_value', 'auto', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.good_x', 'x', 'auto', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 'rob.comp', 'y', 'auto', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 0, 'y', 'auto', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_fix', 4294967295, 'y', 'auto', 'ridge', '2 s')$$);
-- every algorithm on NaN / infinite features and targets
CALL rob.try($$SELECT * FROM automl.train('rob_t_nan', 'rob.special', 'y', 'regression', 'linear_regression', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_nan', 'rob.special', 'y', 'regression', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_nan', 'rob.special', 'y', 'regression', 'lasso', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_nan', 'rob.special', 'y', 'regression', 'elastic_net', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_nan', 'rob.special', 'y', 'regression', 'decision_tree', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_nan', 'rob.special', 'y', 'regression', 'random_forest', '2 s', '{"hyperparams": {"n_estimators": 3}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_nan', 'rob.special', 'y', 'regression', 'gradient_boosting', '2 s', '{"hyperparams": {"n_estimators": 3}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_nan', 'rob.special', 'y', 'regression', 'knn', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_nan', 'rob.special', 'x', 'regression', 'ridge', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_nanc', 'rob.special', 'label', 'classification', 'logistic_regression', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_nanc', 'rob.special', 'label', 'classification', 'decision_tree', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_nanc', 'rob.special', 'label', 'classification', 'random_forest', '2 s', '{"hyperparams": {"n_estimators": 3}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_nanc', 'rob.special', 'label', 'classification', 'gradient_boosting', '2 s', '{"hyperparams": {"n_estimators": 3}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_nanc', 'rob.special', 'label', 'classification', 'naive_bayes', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_nanc', 'rob.special', 'label', 'classification', 'knn', '2 s')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_nanc', 'rob.special', 'x', 'classification', 'decision_tree', '2 s')$$);
-- two values of 1e308: every algorithm, then every use of what was stored
DO $$
DECLARE
	a text;
BEGIN
	FOREACH a IN ARRAY ARRAY['linear_regression', 'ridge', 'lasso', 'elastic_net', 'decision_tree', 'random_forest',
							 'gradient_boosting', 'knn'] LOOP
		CALL rob.try(format('SELECT * FROM automl.train(''rob_big_%s'', ''rob.big'', ''y'', ''regression'', %L, ''2 s'', ''{"test_fraction": 0, "exclude": ["label"]}'')', a, a));
		CALL rob.try(format('SELECT automl.predict(''rob_big_%s'', ARRAY[1]::float8[])', a));
		COMMIT;
	END LOOP;
	FOREACH a IN ARRAY ARRAY['logistic_regression', 'decision_tree', 'naive_bayes', 'knn'] LOOP
		CALL rob.try(format('SELECT * FROM automl.train(''rob_bigc_%s'', ''rob.big'', ''label'', ''classification'', %L, ''2 s'', ''{"test_fraction": 0, "exclude": ["y"]}'')', a, a));
		CALL rob.try(format('SELECT automl.predict_label(''rob_bigc_%s'', ARRAY[1]::float8[])', a));
		COMMIT;
	END LOOP;
	FOREACH a IN ARRAY ARRAY['robust_zscore', 'iqr', 'isolation_forest'] LOOP
		CALL rob.try(format('SELECT automl.train_detector(''rob_bigd_%s'', ''rob.nonfinite'', ARRAY[''x''], %L)', a, a));
		CALL rob.try(format('SELECT automl.anomaly_score(''rob_bigd_%s'', ARRAY[1]::float8[])', a));
		COMMIT;
	END LOOP;
END $$;
-- class labels longer than 64 kB
CALL rob.try($$SELECT * FROM automl.train('rob_t_longlabel', 'rob.huge_text', 't', 'classification', 'decision_tree', '2 s')$$);
CALL rob.try($$SELECT automl.predict_label('rob_t_longlabel', r) FROM rob.huge_text r$$);
-- options of the wrong shape, unknown keys, huge and negative values
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '[]')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '"x"')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', 'null')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"k": null}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"test_fraction": null}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"test_fraction": 1e308}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"test_fraction": -1}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"test_fraction": 1}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"test_fraction": 0.999}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"test_fraction": 1e-300}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"seed": 1e308}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"seed": -1}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"seed": 1.5}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"seed": "x"}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"exclude": "x"}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"exclude": [null]}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"exclude": [1, {}]}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"exclude": ["y"]}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"exclude": ["x", "x"]}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"exclude": ["id", "x", "z", "cat", "flag", "d", "label"]}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"sample_rows": 0}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"sample_rows": -1}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"sample_rows": 1}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"sample_rows": 1e308}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"deploy": "x"}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"deploy": null}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"metric": "nope"}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"metric": "accuracy"}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"hyperparams": []}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"hyperparams": {"nope": 1}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"hyperparams": {"alpha": null}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"hyperparams": {"alpha": -1}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"hyperparams": {"alpha": 1e308}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"hyperparams": {"alpha": 1e-308}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"hyperparams": {"alpha": "NaN"}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"hyperparams": {"fit_intercept": 1}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'lasso', '2 s', '{"hyperparams": {"max_iter": 1e308}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'lasso', '2 s', '{"hyperparams": {"max_iter": 0}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'lasso', '2 s', '{"hyperparams": {"tol": 0}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'elastic_net', '2 s', '{"hyperparams": {"l1_ratio": 2}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'decision_tree', '2 s', '{"hyperparams": {"max_depth": -1}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'decision_tree', '2 s', '{"hyperparams": {"max_depth": 1e9}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'decision_tree', '2 s', '{"hyperparams": {"max_depth": 0, "min_samples_leaf": 1}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'decision_tree', '2 s', '{"hyperparams": {"min_samples_leaf": 1e9}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'decision_tree', '2 s', '{"hyperparams": {"max_bins": 0}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'decision_tree', '2 s', '{"hyperparams": {"max_bins": 1}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'decision_tree', '2 s', '{"hyperparams": {"max_bins": 1e9}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'decision_tree', '2 s', '{"hyperparams": {"num_leaves": -1}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'decision_tree', '2 s', '{"hyperparams": {"num_leaves": 1}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'decision_tree', '2 s', '{"hyperparams": {"min_split_gain": "Infinity"}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'random_forest', '2 s', '{"hyperparams": {"n_estimators": 0}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'random_forest', '2 s', '{"hyperparams": {"n_estimators": 1e308}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'random_forest', '2 s', '{"hyperparams": {"n_estimators": 2, "subsample": 0}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'random_forest', '2 s', '{"hyperparams": {"n_estimators": 2, "colsample": 1e-9}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'random_forest', '2 s', '{"hyperparams": {"n_estimators": 2, "bootstrap": "yes"}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'gradient_boosting', '2 s', '{"hyperparams": {"n_estimators": -1}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'gradient_boosting', '2 s', '{"hyperparams": {"n_estimators": 3, "learning_rate": 0}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'gradient_boosting', '2 s', '{"hyperparams": {"n_estimators": 3, "learning_rate": 1e308}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'gradient_boosting', '2 s', '{"hyperparams": {"n_estimators": 3, "l2": -1}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'gradient_boosting', '2 s', '{"hyperparams": {"n_estimators": 3, "l2": 1e308, "min_child_weight": 1e308}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'gradient_boosting', '2 s', '{"hyperparams": {"n_estimators": 3, "early_stopping_rounds": 1, "validation_fraction": 1}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'gradient_boosting', '2 s', '{"hyperparams": {"n_estimators": 3, "early_stopping_rounds": 1, "validation_fraction": 0.001}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'gradient_boosting', '2 s', '{"hyperparams": {"n_estimators": 100000}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'label', 'classification', 'naive_bayes', '2 s', '{"hyperparams": {"var_smoothing": 0}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'label', 'classification', 'naive_bayes', '2 s', '{"hyperparams": {"var_smoothing": -1}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'label', 'classification', 'knn', '2 s', '{"hyperparams": {"k": 0}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'label', 'classification', 'knn', '2 s', '{"hyperparams": {"k": 1e9}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'label', 'classification', 'knn', '2 s', '{"hyperparams": {"k": 1000, "distance_weighted": true, "standardize": false}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'label', 'classification', 'logistic_regression', '2 s', '{"hyperparams": {"alpha": 0, "max_iter": 1}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'label', 'auto', 'auto', '2 s', '{"hyperparams": {"k": 3}}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.special', 'label', 'auto', 'auto', '2 s', '{"metric": "roc_auc"}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.special', 'label', 'auto', 'auto', '2 s', '{"metric": "log_loss", "test_fraction": 0}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.special', 'label', 'auto', 'auto', '2 s', '{"metric": "r2"}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.special', 'y', 'auto', 'auto', '2 s', '{"metric": "mae", "sample_rows": 3}')$$);
CALL rob.try($$SELECT * FROM automl.train('rob_t_opt', 'rob.good', 'y', 'regression', 'ridge', '2 s', '{"deploy": "never"}')$$);

-- ---------------------------------------------------------------------
-- Prediction and scoring: predict, predict_label, predict_proba, explain
-- (by name and by model_id), anomaly_score, is_anomaly,
-- anomaly_explanation, each with every kind of bad features
-- ---------------------------------------------------------------------
CREATE TABLE rob.features (expr text, src text);
INSERT INTO rob.features VALUES
	('r', ' FROM rob.special r'),
	('r', ' FROM rob.all_null r'),
	('r', ' FROM rob.empty r'),
	('r', ' FROM rob.dup r'),
	('r', ' FROM rob.nonfinite r'),
	('r', ' FROM rob.types r'),
	('r', ' FROM rob.wide r'),
	('r', ' FROM rob.huge_text r'),
	('r', ' FROM rob.v r'),
	('r', ' FROM (SELECT ''a''::text AS x, ''b''::text AS z, 1 AS cat, 1 AS flag, 1.5 AS d) r'),
	('r', ' FROM (SELECT 1e1000::numeric AS x, ''NaN''::numeric AS z, true AS flag, ''infinity''::date AS d, repeat(''c'', 100000) AS cat) r'),
	('NULL::rob.special', ''),
	('NULL::float8[]', ''),
	('NULL::jsonb', ''),
	('ARRAY[''NaN'', ''Infinity'', ''-Infinity'']::float8[]', ''),
	('ARRAY[1e308, -1e308, 1e308]::float8[]', ''),
	('ARRAY[''NaN'', ''-Infinity'']::float8[]', ''),
	('ARRAY[''Infinity'']::float8[]', ''),
	('ARRAY[NULL, NULL, NULL]::float8[]', ''),
	('ARRAY[]::float8[]', ''),
	('ARRAY[1, 2]::float8[]', ''),
	('array_fill(1::float8, ARRAY[100000])', ''),
	('ARRAY[1e1000, 0, 0]::numeric[]', ''),
	('ARRAY[''NaN'', ''Infinity'', 0]::numeric[]', ''),
	('ARRAY[[1, 2, 3], [4, 5, 6]]::float8[]', ''),
	('''[5:7]={1,2,3}''::float8[]', ''),
	('ARRAY[''a'', ''b'', ''c'']', ''),
	('ARRAY[1, 2, 3]', ''),
	('ARRAY[true, false, true]', ''),
	('''{"x": "NaN", "z": "Infinity", "flag": "-Infinity"}''::jsonb', ''),
	('''{"x": 1e308, "z": -1e308, "flag": true, "cat": "c1", "d": "2024-01-01"}''::jsonb', ''),
	('''{"x": 1e1000, "z": -1e1000}''::jsonb', ''),
	('''{"x": "abc", "d": "not a date", "flag": "maybe", "cat": ""}''::jsonb', ''),
	('''{"x": {"a": 1}, "z": [1], "cat": 5, "flag": null, "d": "infinity"}''::jsonb', ''),
	('''{"k": null}''::jsonb', ''),
	('''{}''::jsonb', ''),
	('''[]''::jsonb', ''),
	('''"x"''::jsonb', ''),
	('''null''::jsonb', ''),
	('''1e308''::jsonb', ''),
	('1', ''),
	('''x''::text', ''),
	('ROW(1, 2)', ''),
	('ROW(''NaN''::float8, ''Infinity''::float8)::rob.comp', ''),
	('NULL::rob.comp', '');

-- Runs the call for every row of rob.features, committing after each.
CREATE PROCEDURE rob.try_features(fn text, model text) LANGUAGE plpgsql AS $$
DECLARE
	f record;
BEGIN
	FOR f IN SELECT * FROM rob.features ORDER BY expr, src LOOP
		CALL rob.try(format('SELECT automl.%s(%s, %s)%s', fn, model, f.expr, f.src));
		COMMIT;
	END LOOP;
END $$;

CALL rob.try_features('predict', '''rob_num''');
CALL rob.try_features('predict_label', '''rob_num''');
CALL rob.try_features('predict_proba', '''rob_num''');
CALL rob.try_features('explain', '''rob_num''');
CALL rob.try_features('predict', '''rob_cls''');
CALL rob.try_features('predict_label', '''rob_cls''');
CALL rob.try_features('predict_proba', '''rob_cls''');
CALL rob.try_features('explain', '''rob_cls''');
CALL rob.try_features('anomaly_score', '''rob_det''');
CALL rob.try_features('is_anomaly', '''rob_det''');
CALL rob.try_features('anomaly_explanation', '''rob_det''');
CALL rob.try_features('anomaly_score', '''rob_det1''');
CALL rob.try_features('anomaly_explanation', '''rob_det1''');

-- every algorithm, every detection method: NaN and infinite rows, arrays
-- and jsonb
DO $$
DECLARE
	fn text;
	m text;
	f text;
BEGIN
	FOREACH m IN ARRAY ARRAY['rob_reg', 'rob_lasso', 'rob_rf', 'rob_knnr', 'rob_gb', 'rob_knn', 'rob_nb', 'rob_lr'] LOOP
		FOREACH fn IN ARRAY ARRAY['predict', 'predict_label', 'predict_proba', 'explain'] LOOP
			FOREACH f IN ARRAY ARRAY['r) FROM rob.special r', 'r) FROM rob.nonfinite r',
									 $q$ARRAY['NaN', 'Infinity', '-Infinity']::float8[])$q$,
									 $q$ARRAY[1e308, -1e308, 1]::float8[])$q$,
									 $q$'{"x": "NaN", "z": 1e308, "flag": "Infinity", "cat": "c9", "d": "-infinity"}'::jsonb)$q$] LOOP
				CALL rob.try(format('SELECT automl.%s(%L, %s', fn, m, f));
				COMMIT;
			END LOOP;
		END LOOP;
	END LOOP;
	FOREACH m IN ARRAY ARRAY['rob_det_if', 'rob_det_iqr'] LOOP
		FOREACH fn IN ARRAY ARRAY['anomaly_score', 'is_anomaly', 'anomaly_explanation'] LOOP
			FOREACH f IN ARRAY ARRAY['r) FROM rob.special r', 'r) FROM rob.nonfinite r',
									 $q$ARRAY['NaN', 'Infinity']::float8[])$q$, $q$ARRAY['-Infinity']::float8[])$q$,
									 $q$ARRAY[1e308, -1e308]::float8[])$q$, $q$ARRAY['NaN']::float8[])$q$,
									 $q$'{"x": "NaN", "z": 1e308}'::jsonb)$q$] LOOP
				CALL rob.try(format('SELECT automl.%s(%L, %s', fn, m, f));
				COMMIT;
			END LOOP;
		END LOOP;
	END LOOP;
END $$;

-- unknown, NULL and mismatched models and detectors, by name and model_id
DO $$
DECLARE
	fn text;
	m text;
BEGIN
	FOREACH fn IN ARRAY ARRAY['predict', 'predict_label', 'predict_proba', 'explain',
							  'anomaly_score', 'is_anomaly', 'anomaly_explanation'] LOOP
		FOREACH m IN ARRAY ARRAY['NULL::text', '''nope''', '''''', 'repeat(''x'', 100000)',
								 'NULL::bigint', '-1', '0', '9223372036854775807',
								 '(SELECT model_id FROM automl.models WHERE model_name = ''rob_num'')',
								 '(SELECT model_id FROM automl.models WHERE model_name = ''rob_det'')',
								 '''rob_det''', '''rob_num''', '''rob_reg'''] LOOP
			CALL rob.try(format('SELECT automl.%s(%s, r) FROM rob.special r', fn, m));
			CALL rob.try(format('SELECT automl.%s(%s, ARRAY[1, 2, 3]::float8[])', fn, m));
			CALL rob.try(format('SELECT automl.%s(%s, ''{"x": 1}''::jsonb)', fn, m));
			COMMIT;
		END LOOP;
	END LOOP;
END $$;

-- ---------------------------------------------------------------------
-- The registry: import_model (garbage, truncated, damaged and crafted
-- images), export_model, deploy, drop_model, leaderboard, model_report,
-- feature_importance, evaluate, drift
-- ---------------------------------------------------------------------
CREATE TABLE rob.images (name text PRIMARY KEY, image bytea);
INSERT INTO rob.images SELECT 'reg', automl.export_model('rob_reg');
INSERT INTO rob.images SELECT 'cls', automl.export_model('rob_cls');
INSERT INTO rob.images SELECT 'det', automl.export_model('rob_det');
INSERT INTO rob.images SELECT 'gb', automl.export_model('rob_gb');
INSERT INTO rob.images SELECT 'knn', automl.export_model('rob_knn');

CALL rob.try($$SELECT automl.import_model(NULL, NULL)$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', NULL)$$);
CALL rob.try($$SELECT automl.import_model(NULL, (SELECT image FROM rob.images WHERE name = 'reg'))$$);
CALL rob.try($$SELECT automl.import_model('', (SELECT image FROM rob.images WHERE name = 'reg'))$$);
CALL rob.try($$SELECT automl.import_model(repeat('n', 10000), (SELECT image FROM rob.images WHERE name = 'reg'))$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', '')$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', '\x00')$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', 'garbage')$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', '\x414d4c4d')$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', '\x414d4c4d01000000')$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', '\x414d4c4d01000000ffffffffffffffffffffffffffffffff')$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', decode(repeat('00', 1048576), 'hex'))$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', decode(repeat('ff', 100000), 'hex'))$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', convert_to(repeat('automl', 1000), 'UTF8'))$$);
-- truncated, extended, one byte changed (the checksum catches it)
CALL rob.try($$SELECT automl.import_model('rob_imp', substr(image, 1, length(image) / 2)) FROM rob.images WHERE name = 'reg'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', substr(image, 1, length(image) - 1)) FROM rob.images WHERE name = 'reg'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', image || '\x00') FROM rob.images WHERE name = 'reg'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', image || image) FROM rob.images WHERE name = 'reg'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', set_byte(image, length(image) / 2, get_byte(image, length(image) / 2) # 1)) FROM rob.images WHERE name = 'gb'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', set_byte(image, length(image) - 1, get_byte(image, length(image) - 1) # 128)) FROM rob.images WHERE name = 'knn'$$);
-- crafted: a correct checksum over wrong contents
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 4, '\x02000000')) FROM rob.images WHERE name = 'reg'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 8, '\x07')) FROM rob.images WHERE name = 'reg'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 8, '\x02')) FROM rob.images WHERE name = 'reg'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 9, '\x63')) FROM rob.images WHERE name = 'reg'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 9, '\x08')) FROM rob.images WHERE name = 'reg'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 9, '\x06')) FROM rob.images WHERE name = 'cls'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 8, '\x00')) FROM rob.images WHERE name = 'cls'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 10, '\xffffffff')) FROM rob.images WHERE name = 'reg'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 14, '\xff')) FROM rob.images WHERE name = 'reg'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 14, '\x00')) FROM rob.images WHERE name = 'reg'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 15, '\x01000000')) FROM rob.images WHERE name = 'reg'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 19, '\x01')) FROM rob.images WHERE name = 'reg'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 20, '\xffffffff')) FROM rob.images WHERE name = 'reg'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 24, 'x')) FROM rob.images WHERE name = 'reg'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 24, '[')) FROM rob.images WHERE name = 'reg'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 36, 'z')) FROM rob.images WHERE name = 'reg'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, position('"train_rows":' IN image) + 12, '-9')) FROM rob.images WHERE name = 'reg'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, position('"score":' IN image) + 7, '"x"')) FROM rob.images WHERE name = 'reg'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, position('double precision' IN image) - 1, 'xxxxxxxxxxxxxxxx')) FROM rob.images WHERE name = 'reg'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, position('double precision' IN image) - 1, '\xff')) FROM rob.images WHERE name = 'reg'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 19, '\x03000000')) FROM rob.images WHERE name = 'cls'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 19, '\xffffff7f')) FROM rob.images WHERE name = 'cls'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 19, '\x01000000')) FROM rob.images WHERE name = 'cls'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 23, '\x01')) FROM rob.images WHERE name = 'cls'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 28, 'lo')) FROM rob.images WHERE name = 'cls'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 28, '\x0000')) FROM rob.images WHERE name = 'cls'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 28, '\xc328')) FROM rob.images WHERE name = 'cls'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 24, '\xffffffff')) FROM rob.images WHERE name = 'cls'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 8, '\x00')) FROM rob.images WHERE name = 'det'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, 9, '\x01')) FROM rob.images WHERE name = 'det'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, length(image) - 12, '\x000000000000f87f')) FROM rob.images WHERE name = 'reg'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, length(image) - 12, '\x000000000000f07f')) FROM rob.images WHERE name = 'knn'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, length(image) / 2, '\xffffffffffffffff')) FROM rob.images WHERE name = 'gb'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, length(image) / 3, '\x00000000')) FROM rob.images WHERE name = 'knn'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', rob.crafted(image, length(image) / 3, '\x00000000')) FROM rob.images WHERE name = 'det'$$);
-- every crafted image that was accepted: used by model_id, then deployed
-- and used by name
DO $$
DECLARE
	v int;
	fn text;
BEGIN
	FOR v IN SELECT version FROM automl.models WHERE model_name = 'rob_imp' ORDER BY version LOOP
		FOREACH fn IN ARRAY ARRAY['predict', 'predict_label', 'predict_proba', 'explain'] LOOP
			CALL rob.try(format('SELECT automl.%s((SELECT model_id FROM automl.models WHERE model_name = ''rob_imp'' AND version = %s), r) FROM rob.special r', fn, v));
		END LOOP;
		CALL rob.try(format('SELECT automl.deploy(''rob_imp'', %s)', v));
		FOREACH fn IN ARRAY ARRAY['model_report(''rob_imp'')', 'feature_importance(''rob_imp'')',
								  'drift(''rob_imp'', ''rob.special'')', 'evaluate(''rob_imp'', ''rob.special'')'] LOOP
			CALL rob.try(format('SELECT automl.%s /* version %s */', fn, v));
		END LOOP;
		COMMIT;
	END LOOP;
END $$;
-- a model imported under another name predicts; a detector's image as a model
CALL rob.try($$SELECT automl.import_model('rob_imp_ok', image) FROM rob.images WHERE name = 'reg'$$);
CALL rob.try($$SELECT automl.import_model('rob_imp_det', image) FROM rob.images WHERE name = 'det'$$);
CALL rob.try($$SELECT automl.predict('rob_imp_ok', r) FROM rob.special r$$);
CALL rob.try($$SELECT automl.predict('rob_imp_det', r) FROM rob.special r$$);
CALL rob.try($$SELECT automl.import_model('rob_num', image) FROM rob.images WHERE name = 'cls'$$);
CALL rob.try($$SELECT automl.predict('rob_num', r) FROM rob.special r /* after a classification import */$$);
-- a stored image damaged by a plain UPDATE (every role may update its own)
CALL rob.try($$SELECT automl.import_model('rob_damaged', image) FROM rob.images WHERE name = 'gb'$$);
CALL rob.try($$UPDATE automl.models SET model = 'garbage' WHERE model_name = 'rob_damaged'$$);
CALL rob.try($$SELECT automl.predict_label('rob_damaged', r) FROM rob.special r$$);
CALL rob.try($$SELECT automl.explain('rob_damaged', r) FROM rob.special r$$);
CALL rob.try($$SELECT automl.model_report('rob_damaged')$$);
CALL rob.try($$SELECT automl.feature_importance('rob_damaged')$$);
CALL rob.try($$SELECT automl.evaluate('rob_damaged', 'rob.good')$$);
CALL rob.try($$SELECT automl.drift('rob_damaged', 'rob.good')$$);
CALL rob.try($$SELECT automl.export_model('rob_damaged')$$);
CALL rob.try($$SELECT automl.import_model('rob_imp', automl.export_model('rob_damaged'))$$);
CALL rob.try($$UPDATE automl.models SET features = '"x"', classes = '{}', metrics = '[]', hyperparams = 'null', task = 'regression' WHERE model_name = 'rob_imp_ok'$$);
CALL rob.try($$SELECT automl.predict('rob_imp_ok', r) FROM rob.special r /* after an UPDATE of the metadata */$$);
CALL rob.try($$SELECT automl.model_report('rob_imp_ok')$$);
CALL rob.try($$SELECT automl.feature_importance('rob_imp_ok')$$);
CALL rob.try($$UPDATE automl.models SET model = (SELECT image FROM rob.images WHERE name = 'det') WHERE model_name = 'rob_imp_ok'$$);
CALL rob.try($$SELECT automl.predict('rob_imp_ok', r) FROM rob.special r /* a detector image under a model row */$$);
CALL rob.try($$SELECT automl.anomaly_score('rob_imp_ok', r) FROM rob.special r /* a detector image under a model row */$$);
CALL rob.try($$SELECT automl.model_report('rob_imp_ok') /* a detector image under a model row */$$);

CALL rob.try($$SELECT automl.export_model(NULL)$$);
CALL rob.try($$SELECT automl.export_model(NULL, NULL)$$);
CALL rob.try($$SELECT automl.export_model('nope')$$);
CALL rob.try($$SELECT automl.export_model('rob_reg', -1)$$);
CALL rob.try($$SELECT automl.export_model('rob_reg', 2147483647)$$);
CALL rob.try($$SELECT automl.export_model('rob_t_opt')$$);

CALL rob.try($$SELECT automl.deploy(NULL, NULL::int)$$);
CALL rob.try($$SELECT automl.deploy(NULL, NULL::text)$$);
CALL rob.try($$SELECT automl.deploy('rob_reg', NULL::int)$$);
CALL rob.try($$SELECT automl.deploy('rob_reg', NULL::text)$$);
CALL rob.try($$SELECT automl.deploy('nope', 1)$$);
CALL rob.try($$SELECT automl.deploy('nope', 'best_score')$$);
CALL rob.try($$SELECT automl.deploy('rob_reg', -1)$$);
CALL rob.try($$SELECT automl.deploy('rob_reg', 0)$$);
CALL rob.try($$SELECT automl.deploy('rob_reg', 2147483647)$$);
CALL rob.try($$SELECT automl.deploy('rob_reg', '')$$);
CALL rob.try($$SELECT automl.deploy('rob_reg', 'nope')$$);
CALL rob.try($$SELECT automl.deploy('rob_reg', '1e308')$$);
CALL rob.try($$SELECT automl.deploy('rob_reg', 'rollback')$$);
CALL rob.try($$SELECT automl.deploy('rob_reg', 'best_score')$$);
CALL rob.try($$SELECT automl.deploy('rob_reg', 'most_recent')$$);
CALL rob.try($$SELECT automl.deploy('rob_t_nan', 'best_score')$$);
CALL rob.try($$SELECT automl.deploy('rob_t_nanc', 'rollback')$$);

CALL rob.try($$SELECT automl.leaderboard(NULL)$$);
CALL rob.try($$SELECT automl.leaderboard('nope')$$);
CALL rob.try($$SELECT automl.leaderboard('rob_t_auto')$$);
CALL rob.try($$SELECT automl.leaderboard('rob_reg')$$);

CALL rob.try($$SELECT automl.model_report(NULL)$$);
CALL rob.try($$SELECT automl.model_report('nope')$$);
CALL rob.try($$SELECT automl.model_report('')$$);
CALL rob.try($$SELECT automl.model_report('rob_t_auto')$$);
CALL rob.try($$SELECT automl.model_report('rob_t_nan')$$);
CALL rob.try($$SELECT automl.model_report('rob_t_nanc')$$);
CALL rob.try($$SELECT automl.model_report('rob_t_fix')$$);
CALL rob.try($$SELECT automl.model_report('rob_t_opt')$$);
CALL rob.try($$SELECT automl.model_report('rob_det')$$);
CALL rob.try($$SELECT automl.model_report('rob_det_if')$$);
CALL rob.try($$SELECT automl.model_report(model_name) FROM automl.models WHERE model_name LIKE 'rob%' AND model_name NOT IN ('rob_damaged', 'rob_imp_ok')$$);

CALL rob.try($$SELECT automl.feature_importance(NULL)$$);
CALL rob.try($$SELECT automl.feature_importance('nope')$$);
CALL rob.try($$SELECT automl.feature_importance('rob_det')$$);
CALL rob.try($$SELECT automl.feature_importance('rob_t_nan')$$);
CALL rob.try($$SELECT automl.feature_importance(model_name) FROM automl.models WHERE model_name LIKE 'rob%' AND model_name NOT IN ('rob_damaged', 'rob_imp_ok')$$);

-- evaluate and drift: every fixture as the new data
CREATE TABLE rob.relations (rel text);
INSERT INTO rob.relations VALUES (NULL), ('0'), ('4294967295'), ('rob.good'), ('rob.empty'), ('rob.one_row'),
	('rob.all_null'), ('rob.dup'), ('rob.special'), ('rob.nonfinite'), ('rob.huge_num'), ('rob.huge_text'),
	('rob.types'), ('rob.wide'), ('rob.nocols'), ('rob.dropped'), ('rob.v'), ('rob.part'), ('rob.part_empty'),
	('rob.mv'), ('rob.seq'), ('rob.good_x'), ('rob.comp');
DO $$
DECLARE
	fn text;
	m text;
	r text;
BEGIN
	FOREACH fn IN ARRAY ARRAY['evaluate', 'drift'] LOOP
		FOREACH m IN ARRAY ARRAY['rob_num', 'rob_cls', 'rob_gb', 'rob_knnr', 'rob_det'] LOOP
			FOR r IN SELECT rel FROM rob.relations ORDER BY rel LOOP
				CALL rob.try(format('SELECT automl.%s(%L, %s)', fn, m, coalesce(quote_literal(r), 'NULL')));
				COMMIT;
			END LOOP;
		END LOOP;
		CALL rob.try(format('SELECT automl.%s(NULL, ''rob.good'')', fn));
		CALL rob.try(format('SELECT automl.%s(''nope'', ''rob.good'')', fn));
		CALL rob.try(format('SELECT automl.%s(''rob_t_nan'', ''rob.special'')', fn));
		CALL rob.try(format('SELECT automl.%s(''rob_t_nanc'', ''rob.special'')', fn));
		COMMIT;
	END LOOP;
END $$;

CALL rob.try($$SELECT automl.drop_model(NULL)$$);
CALL rob.try($$SELECT automl.drop_model(NULL, NULL)$$);
CALL rob.try($$SELECT automl.drop_model('nope')$$);
CALL rob.try($$SELECT automl.drop_model('rob_reg', -1)$$);
CALL rob.try($$SELECT automl.drop_model('rob_reg', 2147483647)$$);
CALL rob.try($$SELECT automl.drop_model('rob_damaged')$$);
CALL rob.try($$SELECT automl.predict_label('rob_damaged', r) FROM rob.special r /* after drop_model */$$);

-- models_changed is a trigger function: called directly, or as a trigger
-- of another table
CALL rob.try($$SELECT automl.models_changed()$$);
CALL rob.try($$INSERT INTO rob.trig VALUES (1)$$);
CALL rob.try($$INSERT INTO rob.trig_row VALUES (1)$$);

-- ---------------------------------------------------------------------
-- Anomaly detection: detect_anomalies, train_detector
-- ---------------------------------------------------------------------
DO $$
DECLARE
	r text;
	m text;
BEGIN
	FOR r IN SELECT rel FROM rob.relations ORDER BY rel LOOP
		FOREACH m IN ARRAY ARRAY['auto', 'robust_zscore', 'iqr', 'mahalanobis', 'isolation_forest', 'seasonal'] LOOP
			CALL rob.try(format('SELECT automl.detect_anomalies(%s, NULL, %L)', coalesce(quote_literal(r), 'NULL'), m));
			COMMIT;
		END LOOP;
		CALL rob.try(format('SELECT automl.train_detector(''rob_d'', %s, NULL)', coalesce(quote_literal(r), 'NULL')));
		CALL rob.try(format('SELECT automl.train_detector(''rob_d'', %s, ARRAY[''x''])', coalesce(quote_literal(r), 'NULL')));
		CALL rob.try(format('SELECT automl.train_detector(''rob_d'', %s, ARRAY[''x'', ''y''], ''isolation_forest'')', coalesce(quote_literal(r), 'NULL')));
		CALL rob.try(format('SELECT automl.train_detector(''rob_d'', %s, ARRAY[''x'', ''y''], ''mahalanobis'')', coalesce(quote_literal(r), 'NULL')));
		COMMIT;
	END LOOP;
END $$;
-- NaN, infinities and huge values, column by column and together
DO $$
DECLARE
	c text;
	m text;
BEGIN
	FOREACH c IN ARRAY ARRAY['ARRAY[''x'']', 'ARRAY[''y'']', 'ARRAY[''z'']', 'ARRAY[''x'', ''y'']', 'ARRAY[''x'', ''y'', ''z'']'] LOOP
		FOREACH m IN ARRAY ARRAY['auto', 'robust_zscore', 'iqr', 'mahalanobis', 'isolation_forest'] LOOP
			CALL rob.try(format('SELECT automl.detect_anomalies(''rob.nonfinite'', %s, %L)', c, m));
			CALL rob.try(format('SELECT automl.train_detector(''rob_d'', ''rob.nonfinite'', %s, %L)', c, m));
			CALL rob.try(format('SELECT automl.detect_anomalies(''rob.special'', %s, %L)', replace(c, '''z''', '''id'''), m));
			CALL rob.try(format('SELECT automl.train_detector(''rob_d'', ''rob.special'', %s, %L)', replace(c, '''z''', '''id'''), m));
			COMMIT;
		END LOOP;
	END LOOP;
END $$;
CALL rob.try($$SELECT automl.detect_anomalies('rob.huge_num', ARRAY['n', 'y'])$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.huge_num', ARRAY['n'], 'iqr')$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.huge_num', ARRAY['n', 'y'], 'isolation_forest')$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.huge_num', ARRAY['y'], 'seasonal', '{"time_column": "t"}')$$);
CALL rob.try($$SELECT automl.train_detector('rob_d', 'rob.huge_num', ARRAY['n', 'y'])$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.wide', NULL, 'auto')$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.wide', NULL, 'mahalanobis')$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.wide', NULL, 'isolation_forest', '{"contamination": 0.5}')$$);
CALL rob.try($$SELECT automl.train_detector('rob_d', 'rob.wide', (SELECT array_agg('c' || i) FROM generate_series(1, 1600) i))$$);
CALL rob.try($$SELECT automl.train_detector('rob_d', 'rob.wide', (SELECT array_agg('c' || i) FROM generate_series(1, 1600) i), 'mahalanobis')$$);
CALL rob.try($$SELECT automl.anomaly_score('rob_d', r) FROM rob.wide r$$);
CALL rob.try($$SELECT automl.anomaly_explanation('rob_d', r) FROM rob.wide r$$);
CALL rob.try($$SELECT automl.anomaly_score('rob_d', array_fill(1e308::float8, ARRAY[1600]))$$);
-- columns, methods and options
CALL rob.try($$SELECT automl.detect_anomalies('rob.good', ARRAY[]::text[])$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.good', ARRAY[NULL])$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.good', ARRAY['nope'])$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.good', ARRAY['cat'])$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.good', ARRAY['d'])$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.good', ARRAY['x', 'x'])$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.good', ARRAY['x', 'X'])$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.good', ARRAY[[ 'x' ], [ 'z' ]])$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.good', ARRAY['x'], NULL)$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.good', ARRAY['x'], '')$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.good', ARRAY['x'], 'nope')$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.good', ARRAY['x'], 'mahalanobis')$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.good', ARRAY['x'], 'auto', NULL)$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.types', ARRAY['y', 'id'], 'seasonal', '{"time_column": "ts"}')$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.types', ARRAY['y'], 'seasonal', '{"time_column": "iv"}')$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.types', ARRAY['y'], 'seasonal', '{"time_column": "txt"}')$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.special', ARRAY['x'], 'seasonal', '{"time_column": "t"}')$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.special', ARRAY['x'], 'seasonal', '{"time_column": "d"}')$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.special', ARRAY['z'], 'seasonal', '{"time_column": "t", "season_length": 2}')$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.nonfinite', ARRAY['x'], 'seasonal', '{"time_column": "t"}')$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.nonfinite', ARRAY['x'], 'auto', '{"time_column": "t"}')$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.good', ARRAY['x'], 'seasonal', '{"time_column": "x"}')$$);
CALL rob.try($$SELECT automl.detect_anomalies('rob.good', ARRAY['x'], 'seasonal', '{"time_column": "id"}')$$);
DO $$
DECLARE
	o text;
BEGIN
	FOREACH o IN ARRAY ARRAY['[]', '"x"', 'null', '1e308', '{"k": null}', '{"threshold": null}', '{"threshold": -1}', '{"threshold": 0}',
							 '{"threshold": 1e308}', '{"threshold": "NaN"}', '{"k": -1}', '{"k": 1e308}', '{"limit": -1}', '{"limit": 0}',
							 '{"limit": 1e308}', '{"limit": 1.5}', '{"contamination": 2}', '{"contamination": 0}', '{"contamination": 1}',
							 '{"contamination": -1e-308}', '{"seed": -1}', '{"seed": 1e308}', '{"season_length": 0}',
							 '{"season_length": 1e308}', '{"season_length": 1000000}', '{"time_column": null}',
							 '{"time_column": "nope"}', '{"time_column": ""}', '{"time_column": 1}'] LOOP
		CALL rob.try(format('SELECT automl.detect_anomalies(''rob.special'', ARRAY[''x'', ''z''], ''auto'', %L)', o));
		CALL rob.try(format('SELECT automl.detect_anomalies(''rob.special'', ARRAY[''z''], ''seasonal'', %L::jsonb || ''{"time_column": "t"}'')', o));
		CALL rob.try(format('SELECT automl.train_detector(''rob_d'', ''rob.special'', ARRAY[''x'', ''z''], ''isolation_forest'', %L)', o));
		CALL rob.try(format('SELECT automl.train_detector(''rob_d'', ''rob.special'', ARRAY[''z''], ''iqr'', %L)', o));
		COMMIT;
	END LOOP;
END $$;
CALL rob.try($$SELECT automl.train_detector(NULL, 'rob.good', ARRAY['x'])$$);
CALL rob.try($$SELECT automl.train_detector('', 'rob.good', ARRAY['x'])$$);
CALL rob.try($$SELECT automl.train_detector(repeat('n', 10000), 'rob.good', ARRAY['x'])$$);
CALL rob.try($$SELECT automl.train_detector('rob_d', 'rob.good', ARRAY[]::text[])$$);
CALL rob.try($$SELECT automl.train_detector('rob_d', 'rob.good', ARRAY[NULL])$$);
CALL rob.try($$SELECT automl.train_detector('rob_d', 'rob.good', ARRAY['cat'])$$);
CALL rob.try($$SELECT automl.train_detector('rob_d', 'rob.good', ARRAY['x', 'x'])$$);
CALL rob.try($$SELECT automl.train_detector('rob_d', 'rob.good', ARRAY['x'], NULL)$$);
CALL rob.try($$SELECT automl.train_detector('rob_d', 'rob.good', ARRAY['x'], 'seasonal')$$);
CALL rob.try($$SELECT automl.train_detector('rob_d', 'rob.good', ARRAY['x'], 'nope')$$);
CALL rob.try($$SELECT automl.train_detector('rob_d', 'rob.good', ARRAY['x'], 'auto', NULL)$$);
CALL rob.try($$SELECT automl.train_detector('rob_reg', 'rob.good', ARRAY['x'])$$);
CALL rob.try($$SELECT automl.predict('rob_reg', r) FROM rob.special r /* after a detector took its name */$$);
CALL rob.try($$SELECT automl.train_detector('rob_d', 'rob.all_null', ARRAY['x', 'y', 'z'])$$);
CALL rob.try($$SELECT automl.train_detector('rob_d', 'rob.one_row', ARRAY['x', 'y', 'z'], 'isolation_forest')$$);
CALL rob.try($$SELECT automl.train_detector('rob_d', 'rob.dup', ARRAY['x', 'y'], 'iqr')$$);
CALL rob.try($$SELECT automl.anomaly_score('rob_d', r) FROM rob.special r /* the last detector trained */$$);
CALL rob.try($$SELECT automl.anomaly_explanation('rob_d', r) FROM rob.special r /* the last detector trained */$$);
CALL rob.try($$SELECT automl.is_anomaly('rob_d', '{"x": "NaN", "y": "Infinity", "z": 1e308}'::jsonb)$$);

-- ---------------------------------------------------------------------
-- Forecasts
-- ---------------------------------------------------------------------
CALL rob.try($$SELECT automl.forecast(NULL, 'd', 'y', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.good', NULL, 'y', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.good', 'd', NULL, 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.good', 'd', 'y', NULL)$$);
CALL rob.try($$SELECT automl.forecast('rob.good', 'd', 'y', 3, NULL)$$);
CALL rob.try($$SELECT automl.forecast(NULL, NULL, NULL, NULL, NULL)$$);
CALL rob.try($$SELECT automl.forecast('rob.good', 'd', 'y', 0)$$);
CALL rob.try($$SELECT automl.forecast('rob.good', 'd', 'y', -1)$$);
CALL rob.try($$SELECT automl.forecast('rob.good', 'd', 'y', 100000)$$);
CALL rob.try($$SELECT automl.forecast('rob.good', 'd', 'y', 100001)$$);
CALL rob.try($$SELECT automl.forecast('rob.good', 'd', 'y', 2147483647)$$);
CALL rob.try($$SELECT automl.forecast('rob.good', 'nope', 'y', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.good', 'd', 'nope', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.good', 'cat', 'y', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.good', 'd', 'cat', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.good', 'd', 'd', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.good', 'x', 'y', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.good', 'd', 'flag', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.good', '', '', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.special', 'd', 'x', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.special', 't', 'x', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.special', 't', 'y', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.special', 't', 'z', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.special', 't', 'z', 3, '{"aggregate": "avg"}')$$);
CALL rob.try($$SELECT automl.forecast('rob.v', 't', 'z', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.nonfinite', 't', 'x', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.nonfinite', 't', 'y', 3, '{"aggregate": "avg"}')$$);
CALL rob.try($$SELECT automl.forecast('rob.nonfinite', 't', 'z', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.huge_num', 't', 'n', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.huge_num', 't', 'y', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.huge_num', 't', 'id', 100000)$$);
CALL rob.try($$SELECT automl.forecast('rob.types', 'ts', 'y', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.types', 'd', 'y', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.types', 'iv', 'y', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.types', 'ts', 'iv', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.empty', 'd', 'y', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.one_row', 'd', 'y', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.all_null', 'd', 'y', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.dup', 'd', 'y', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.part', 'id', 'y', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.mv', 'x', 'y', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.seq', 'last_value', 'log_cnt', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.nocols', 'x', 'y', 3)$$);
CALL rob.try($$SELECT automl.forecast(0, 'd', 'y', 3)$$);
CALL rob.try($$SELECT automl.forecast(4294967295, 'd', 'y', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.wide', 'c1', 'c2', 3)$$);
-- two distinct times, a million steps apart; times in the far past and future
CREATE TABLE rob.two_times (ts timestamptz, v float8);
INSERT INTO rob.two_times VALUES ('2024-01-01', 1), ('2024-01-01', 2), ('4000-01-01', 3), ('2024-01-01 00:00:01', 4);
CREATE TABLE rob.far_times (ts timestamptz, v float8);
INSERT INTO rob.far_times SELECT '4713-01-01 BC'::timestamptz + i * interval '1000 years', i FROM generate_series(0, 290) i;
CALL rob.try($$SELECT automl.forecast('rob.two_times', 'ts', 'v', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.two_times', 'ts', 'v', 3, '{"frequency": "1 second"}')$$);
CALL rob.try($$SELECT automl.forecast('rob.far_times', 'ts', 'v', 3)$$);
CALL rob.try($$SELECT automl.forecast('rob.far_times', 'ts', 'v', 100000)$$);
CALL rob.try($$SELECT automl.forecast('rob.far_times', 'ts', 'v', 3, '{"frequency": "30 years"}')$$);
DO $$
DECLARE
	o text;
BEGIN
	FOREACH o IN ARRAY ARRAY['[]', '"x"', 'null', '1e308', '{"k": null}', '{"frequency": null}', '{"frequency": "x"}',
							 '{"frequency": "0 days"}', '{"frequency": "-1 day"}', '{"frequency": "1 microsecond"}',
							 '{"frequency": "1 mon -30 days"}', '{"frequency": "100000 years"}', '{"frequency": 1}',
							 '{"season_length": -1}', '{"season_length": 0}', '{"season_length": 1}', '{"season_length": 1e308}',
							 '{"season_length": 1000000}', '{"season_length": 2.5}', '{"level": 2}', '{"level": 0}', '{"level": 1}',
							 '{"level": "NaN"}', '{"level": 1e-308}', '{"aggregate": "x"}', '{"aggregate": null}'] LOOP
		CALL rob.try(format('SELECT automl.forecast(''rob.good'', ''d'', ''y'', 3, %L)', o));
		CALL rob.try(format('SELECT automl.forecast(''rob.special'', ''t'', ''x'', 3, %L)', o));
		COMMIT;
	END LOOP;
END $$;

-- ---------------------------------------------------------------------
-- Insights
-- ---------------------------------------------------------------------
DO $$
DECLARE
	r text;
BEGIN
	FOR r IN SELECT rel FROM rob.relations ORDER BY rel LOOP
		CALL rob.try(format('SELECT automl.insights(%s)', coalesce(quote_literal(r), 'NULL')));
		COMMIT;
	END LOOP;
END $$;
CALL rob.try($$SELECT automl.insights('rob.good', NULL)$$);
CALL rob.try($$SELECT automl.insights('rob.special', '{"target": "y"}')$$);
CALL rob.try($$SELECT automl.insights('rob.special', '{"target": "x", "time_column": "t"}')$$);
CALL rob.try($$SELECT automl.insights('rob.special', '{"time_column": "d"}')$$);
CALL rob.try($$SELECT automl.insights('rob.nonfinite', '{"target": "x", "time_column": "t"}')$$);
CALL rob.try($$SELECT automl.insights('rob.huge_num', '{"target": "n", "time_column": "t"}')$$);
CALL rob.try($$SELECT automl.insights('rob.huge_num', '{"target": "y", "time_column": "id"}')$$);
CALL rob.try($$SELECT automl.insights('rob.types', '{"target": "y", "time_column": "iv"}')$$);
CALL rob.try($$SELECT automl.insights('rob.types', '{"target": "y", "time_column": "ts"}')$$);
CALL rob.try($$SELECT automl.insights('rob.far_times')$$);
CALL rob.try($$SELECT automl.insights('rob.two_times')$$);
DO $$
DECLARE
	o text;
BEGIN
	FOREACH o IN ARRAY ARRAY['[]', '"x"', 'null', '1e308', '{"k": null}', '{"target": null}', '{"target": "nope"}',
							 '{"target": "cat"}', '{"target": "d"}', '{"target": ""}', '{"target": 1}', '{"time_column": null}',
							 '{"time_column": "nope"}', '{"time_column": "cat"}', '{"time_column": "flag"}', '{"time_column": "x"}',
							 '{"max_anomalies": -1}', '{"max_anomalies": 0}', '{"max_anomalies": 1e308}', '{"max_anomalies": 1.5}'] LOOP
		CALL rob.try(format('SELECT automl.insights(''rob.special'', %L)', o));
		COMMIT;
	END LOOP;
END $$;

-- ---------------------------------------------------------------------
-- Ingestion: import_csv, import_json and their _file forms
-- ---------------------------------------------------------------------
CREATE SEQUENCE rob.imp_seq;
-- each call gets a new table name, so that an import that works does not
-- turn the next one into "already exists"
CREATE FUNCTION rob.t() RETURNS text LANGUAGE sql RETURN 'rob.imp_' || nextval('rob.imp_seq');
CALL rob.try($$SELECT automl.import_csv(NULL, E'a\n1')$$);
CALL rob.try($$SELECT automl.import_csv(rob.t(), NULL)$$);
CALL rob.try($$SELECT automl.import_csv(rob.t(), E'a\n1', NULL)$$);
CALL rob.try($$SELECT automl.import_csv(NULL, NULL, NULL)$$);
CALL rob.try($$SELECT automl.import_json(NULL, '[{"a": 1}]')$$);
CALL rob.try($$SELECT automl.import_json(rob.t(), NULL)$$);
CALL rob.try($$SELECT automl.import_json(rob.t(), '[{"a": 1}]', NULL)$$);
CALL rob.try($$SELECT automl.import_json(NULL, NULL, NULL)$$);
CALL rob.try($$SELECT automl.import_csv_file(NULL, 'PG_VERSION')$$);
CALL rob.try($$SELECT automl.import_csv_file(rob.t(), NULL)$$);
CALL rob.try($$SELECT automl.import_csv_file(rob.t(), 'PG_VERSION', NULL)$$);
CALL rob.try($$SELECT automl.import_json_file(NULL, 'PG_VERSION')$$);
CALL rob.try($$SELECT automl.import_json_file(rob.t(), NULL)$$);
CALL rob.try($$SELECT automl.import_json_file(rob.t(), 'PG_VERSION', NULL)$$);
-- table names
DO $$
DECLARE
	n text;
BEGIN
	FOREACH n IN ARRAY ARRAY['', ' ', '.', 'rob.', '.x', 'a.b.c.d', '"unterminated', 'rob."x', 'nope_schema.t',
							 'rob.good', 'rob.v', 'rob.seq', 'rob.good_x', 'rob.comp', 'rob.mv', 'rob.part',
							 'rob.' || repeat('n', 100), 'rob.' || repeat('é', 100), E'rob.a\nb', 'rob."a""b"',
							 'rob."Upper Case"', 'rob.select', 'pg_temp.rob_tmp', 'automl.rob_in_automl'] LOOP
		CALL rob.try(format('SELECT automl.import_csv(%L, E''a,b\n1,2'')', n));
		CALL rob.try(format('SELECT automl.import_json(%L, ''[{"a": 1}]'')', n));
		COMMIT;
	END LOOP;
END $$;
-- appending to existing relations of every kind
DO $$
DECLARE
	n text;
BEGIN
	FOREACH n IN ARRAY ARRAY['rob.good', 'rob.empty', 'rob.v', 'rob.seq', 'rob.good_x', 'rob.comp', 'rob.mv', 'rob.part',
							 'rob.part_empty', 'rob.nocols', 'rob.dropped', 'rob.wide', 'rob.types', 'rob.nope',
							 'automl.models', 'automl.jobs'] LOOP
		CALL rob.try(format('SELECT automl.import_csv(%L, E''x,y\n1,2\n1e1000,NaN'', ''{"create": false}'')', n));
		CALL rob.try(format('SELECT automl.import_csv(%L, E''1,2\n3,4'', ''{"create": false, "header": false}'')', n));
		CALL rob.try(format('SELECT automl.import_json(%L, ''[{"x": 1, "y": 2}, {"id": 1e1000}]'', ''{"create": false}'')', n));
		CALL rob.try(format('SELECT automl.import_json(%L, ''{"id": 500, "x": "Infinity"}'', ''{"create": false}'')', n));
		COMMIT;
	END LOOP;
END $$;
CALL rob.try($$SELECT automl.import_csv('rob.types', E'id,txt,b,d,j,ts,iv,u,by,arr,pt,rng,y\n1,a,maybe,2024-02-30,{,x,y,z,\\xzz,{a},(1,[1,0),1e1000', '{"create": false}')$$);
CALL rob.try($$SELECT automl.import_csv('rob.types', E'id,txt,b,d,j,ts,iv,u,by,arr,pt,rng,y\n1,a,true,infinity,null,-infinity,1 year,,,,,,NaN', '{"create": false}')$$);
CALL rob.try($$SELECT automl.import_json('rob.types', '{"id": 1, "j": {"a": [1, 2]}, "arr": [1, 2], "b": "yes", "y": 1e1000}', '{"create": false}')$$);
CALL rob.try($$SELECT automl.import_json('rob.types', '{"id": 99999999999, "d": "0000-00-00", "ts": 1}', '{"create": false, "max_errors": 1}')$$);
-- CSV contents (the calls show the expressions that make them)
DO $$
DECLARE
	c text;
BEGIN
	FOREACH c IN ARRAY ARRAY[
		$q$''$q$,
		$q$' '$q$,
		$q$E'\n\n\n'$q$,
		$q$E'\r\r'$q$,
		$q$'a'$q$,
		$q$'a,b'$q$,
		$q$E'a,b\n'$q$,
		$q$E'a,b\n1'$q$,
		$q$E'a,b\n1,2,3'$q$,
		$q$E'a\n1\n2\n\"3'$q$,
		$q$'"""'$q$,
		$q$E'\"a\n'$q$,
		$q$E'\"a\"b\n1'$q$,
		$q$E'a,b\n\"1\"x,2'$q$,
		$q$E'\xEF\xBB\xBF'$q$,
		$q$E'\xEF\xBB\xBFa\n1'$q$,
		$q$chr(1) || chr(2) || chr(3)$q$,
		$q$E'a;b|c\td,e\n1;2|3\t4,5'$q$,
		$q$E'a,a,a,,\n1,2,3,4,5'$q$,
		$q$repeat(',', 2000)$q$,
		$q$E'x\n' || repeat(E'1\n', 100000)$q$,
		$q$E'x\n' || repeat('9', 1048576)$q$,
		$q$E'x\n\"' || repeat('y', 1048576) || '\"'$q$,
		$q$E'x,y,z,w,v,u\nNaN,Infinity,-Infinity,1e308,-1e308,1e1000\n1,2,3,4,5,6'$q$,
		$q$E'n\n99999999999999999999999999\n-1\n0.5'$q$,
		$q$E'd\n2024-02-30\n2024-01-01'$q$,
		$q$E'd\n0000-00-00\n2024-01-01'$q$,
		$q$E'd\ninfinity\n-infinity\n2024-01-01'$q$,
		$q$E't\n2024-01-01 25:00\n2024-01-01 10:00'$q$,
		$q$E'b\ntrue\nmaybe'$q$,
		$q$E'b\nt\nf\nyes\nno'$q$,
		$q$E'i\n32767\n-32768\n2147483648\n-9223372036854775809'$q$,
		$q$(SELECT string_agg('c' || i, ',') FROM generate_series(1, 1601) i) || E'\n' || repeat('1,', 1600) || '1'$q$,
		$q$(SELECT string_agg('c' || i, ',') FROM generate_series(1, 1600) i) || E'\n' || repeat('1,', 1599) || '1'$q$,
		$q$repeat('c,', 1599) || E'c\n' || repeat('1,', 1599) || '1'$q$,
		$q$repeat('ä', 100) || E'\n1'$q$,
		$q$E'\"' || repeat('x', 70) || E'\"\n1'$q$,
		$q$E'1x\n1'$q$] LOOP
		CALL rob.try(format('SELECT automl.import_csv(rob.t(), %s)', c));
		COMMIT;
	END LOOP;
END $$;
-- JSON contents
DO $$
DECLARE
	c text;
BEGIN
	FOREACH c IN ARRAY ARRAY[
		$q$''$q$,
		$q$'   '$q$,
		$q$'[]'$q$,
		$q$'{}'$q$,
		$q$'[{}]'$q$,
		$q$'[1, 2]'$q$,
		$q$'[[]]'$q$,
		$q$'null'$q$,
		$q$'"x"'$q$,
		$q$'1e308'$q$,
		$q$'[{"a": 1}, 2]'$q$,
		$q$'[{"a": 1}'$q$,
		$q$'{"a": 1'$q$,
		$q$'{"a": NaN}'$q$,
		$q$'{"a": Infinity}'$q$,
		$q$'{"a": 1e1000}'$q$,
		$q$'{"a": 1e308}'$q$,
		$q$'{"a": -1e308}'$q$,
		$q$'{"a": 99999999999999999999}'$q$,
		$q$'{"a": -9223372036854775809}'$q$,
		$q$'{"a": 1, "a": 2}'$q$,
		$q$'{\"a\": \"\u0000\"}'$q$,
		$q$'{\"a\": \"\ud800\"}'$q$,
		$q$'{"": 1}'$q$,
		$q$'{"a": 1} {"a": "x"} {"a": {"b": 1}}'$q$,
		$q$E'{\"a\": 1}\n\n\n{\"b\": 2}\n'$q$,
		$q$E'{\"a\": 1}\n[1]'$q$,
		$q$'{"a": [1, {"b": 2}]}'$q$,
		$q$'{"a": true} {"a": 1}'$q$,
		$q$'{"d": "2024-02-30"} {"d": "2024-01-01"}'$q$,
		$q$'{"d": "infinity"} {"d": "2024-01-01"}'$q$,
		$q$repeat('[', 1001) || repeat(']', 1001)$q$,
		$q$repeat('{"a": ', 1001) || '1' || repeat('}', 1001)$q$,
		$q$repeat('{"a": ', 999) || '1' || repeat('}', 999)$q$,
		$q$'{' || (SELECT string_agg(format('"k%s": %s', i, i), ', ') FROM generate_series(1, 1601) i) || '}'$q$,
		$q$'{' || (SELECT string_agg(format('"k%s": %s', i, i), ', ') FROM generate_series(1, 1600) i) || '}'$q$,
		$q$'{"' || repeat('k', 100) || '": 1, "' || repeat('k', 101) || '": 2}'$q$,
		$q$'[' || repeat('{"a": 1}, ', 50000) || '{"a": 2}]'$q$,
		$q$'{"a": "' || repeat('x', 1048576) || '"}'$q$,
		$q$chr(1) || chr(2)$q$] LOOP
		CALL rob.try(format('SELECT automl.import_json(rob.t(), %s)', c));
		CALL rob.try(format('SELECT automl.import_json(rob.t(), %s, ''{"flatten": true}'')', c));
		COMMIT;
	END LOOP;
END $$;
-- options
DO $$
DECLARE
	o text;
BEGIN
	FOREACH o IN ARRAY ARRAY['[]', '"x"', 'null', '1e308', '{"k": null}', '{"create": null}', '{"create": "x"}',
							 '{"create": false}', '{"delimiter": ""}', '{"delimiter": "ab"}', '{"delimiter": "\n"}',
							 '{"delimiter": "\""}', '{"delimiter": "é"}', '{"delimiter": null}', '{"quote": ""}', '{"quote": ","}',
							 '{"quote": "\n"}', '{"header": "x"}', '{"header": false}', '{"header": null}', '{"bom": null}',
							 '{"newline": "x"}', '{"newline": "cr"}', '{"null": 1}', '{"null": [1]}', '{"null": []}',
							 '{"null": ["a", null]}', '{"null": "a"}', '{"max_errors": -1}', '{"max_errors": 1e308}',
							 '{"max_errors": 0.5}', '{"max_field_size": 0}', '{"max_field_size": 1}', '{"max_field_size": -1}',
							 '{"max_field_size": 1e308}', '{"normalize_names": "x"}', '{"profile": "x"}', '{"profile": true}',
							 '{"flatten": "x"}', '{"flatten": true}', '{"max_object_size": 0}', '{"max_object_size": 1}',
							 '{"max_object_size": -1}', '{"max_object_size": 1e308}'] LOOP
		CALL rob.try(format('SELECT automl.import_csv(rob.t(), E''a,b\n1,x\n2,y'', %L)', o));
		CALL rob.try(format('SELECT automl.import_json(rob.t(), ''[{"a": 1, "b": "x"}, {"a": 2}]'', %L)', o));
		COMMIT;
	END LOOP;
END $$;
-- server files: missing, directories, empty, not CSV or JSON
DO $$
DECLARE
	f text;
BEGIN
	FOREACH f IN ARRAY ARRAY['', '/nonexistent/file.csv', '/', 'base', '.', '/dev/null', 'PG_VERSION', 'global/pg_control'] LOOP
		CALL rob.try(format('SELECT automl.import_csv_file(rob.t(), %L)', f));
		CALL rob.try(format('SELECT automl.import_json_file(rob.t(), %L)', f));
		COMMIT;
	END LOOP;
END $$;
CALL rob.try($$SELECT automl.import_csv_file(rob.t(), repeat('/x', 3000))$$);
CALL rob.try($$SELECT automl.import_json_file(rob.t(), repeat('/x', 3000))$$);
CALL rob.try($$SELECT automl.import_csv_file(rob.t(), 'PG_VERSION', '[]')$$);
CALL rob.try($$SELECT automl.import_json_file(rob.t(), 'PG_VERSION', '{"k": null}')$$);

-- ---------------------------------------------------------------------
-- Background jobs (without shared_preload_libraries here: the async
-- functions answer 55000 once their arguments are checked)
-- ---------------------------------------------------------------------
CALL rob.try($$SELECT automl.train_async(NULL, 'rob.good', 'y')$$);
CALL rob.try($$SELECT automl.train_async('rob_async', NULL, 'y')$$);
CALL rob.try($$SELECT automl.train_async('rob_async', 'rob.good', NULL)$$);
CALL rob.try($$SELECT automl.train_async('rob_async', 'rob.good', 'y', NULL, NULL, NULL, NULL)$$);
CALL rob.try($$SELECT automl.train_async('rob_async', 'rob.nope', 'y')$$);
CALL rob.try($$SELECT automl.train_async('rob_async', 0, 'y')$$);
CALL rob.try($$SELECT automl.train_async('rob_async', 'rob.empty', 'nope', 'x', 'y', '-1 s', '[]')$$);
CALL rob.try($$SELECT automl.train_async('rob_async', 'rob.special', 'label', time_budget => '100 years')$$);
CALL rob.try($$SELECT automl.profile_async(NULL)$$);
CALL rob.try($$SELECT automl.profile_async('rob.nope')$$);
CALL rob.try($$SELECT automl.profile_async(0)$$);
CALL rob.try($$SELECT automl.profile_async('rob.seq', '"x"')$$);
CALL rob.try($$SELECT automl.profile_async('rob.wide', NULL)$$);
CALL rob.try($$SELECT automl.import_async(NULL, rob.t(), 'PG_VERSION')$$);
CALL rob.try($$SELECT automl.import_async('csv', NULL, 'PG_VERSION')$$);
CALL rob.try($$SELECT automl.import_async('csv', rob.t(), NULL)$$);
CALL rob.try($$SELECT automl.import_async('xml', rob.t(), 'PG_VERSION')$$);
CALL rob.try($$SELECT automl.import_async('', rob.t(), 'PG_VERSION')$$);
CALL rob.try($$SELECT automl.import_async('csv', rob.t(), '/nonexistent', '[]')$$);
CALL rob.try($$SELECT automl.import_async('json', '', '', NULL)$$);
CALL rob.try($$SELECT automl.wait_job(NULL)$$);
CALL rob.try($$SELECT automl.wait_job(NULL, NULL)$$);
CALL rob.try($$SELECT automl.wait_job(-1)$$);
CALL rob.try($$SELECT automl.wait_job(-1, '-1 s')$$);
CALL rob.try($$SELECT automl.wait_job(9223372036854775807, '0')$$);
CALL rob.try($$SELECT automl.cancel_job(NULL)$$);
CALL rob.try($$SELECT automl.cancel_job(-1)$$);
CALL rob.try($$SELECT automl.cancel_job(9223372036854775807)$$);
CALL rob.try($$SELECT automl._job_submitted()$$);
CALL rob.try($$SELECT automl._job_submit(NULL, NULL)$$);
CALL rob.try($$SELECT automl._job_submit('train', '[]')$$);
CALL rob.try($$SELECT automl._job_stop(NULL, NULL)$$);
CALL rob.try($$SELECT automl._job_stop(-1, 'postgres')$$);
CALL rob.try($$SELECT automl._job_stop(-1, 'nope')$$);
-- a job row of garbage, inserted directly (every role may insert kind and
-- args): waiting on it times out, cancelling it works
CALL rob.try($$INSERT INTO automl.jobs (kind, args) VALUES ('train', '"rob garbage"')$$);
CALL rob.try($$INSERT INTO automl.jobs (kind, args) VALUES ('nope', '{}')$$);
CALL rob.try($$INSERT INTO automl.jobs (kind, args) VALUES ('profile', NULL)$$);
CALL rob.try($$SELECT status FROM automl.wait_job((SELECT max(job_id) FROM automl.jobs WHERE args = '"rob garbage"'), '0.2 s')$$);
CALL rob.try($$SELECT automl.cancel_job((SELECT max(job_id) FROM automl.jobs WHERE args = '"rob garbage"'))$$);

-- ---------------------------------------------------------------------
-- The outcomes: 'ok' or the SQLSTATE of the error, by call.  No XX000
-- (internal_error) is expected for any of them.
-- ---------------------------------------------------------------------
RESET statement_timeout;
SELECT outcome, count(*) FROM rob.outcome GROUP BY outcome ORDER BY outcome;
\pset format unaligned
SELECT call, outcome FROM rob.outcome ORDER BY call COLLATE "C", outcome;
\pset format aligned

-- the server is still up, and nothing is left behind
SELECT 1 AS alive;
DELETE FROM automl.profiles WHERE relation::text LIKE 'rob.%';
DELETE FROM automl.datasets
 WHERE "table" LIKE 'rob.%' OR "table" = 'automl.rob_in_automl' OR "table" LIKE 'pg\_temp\_%.rob\_tmp';
DELETE FROM automl.jobs WHERE args = '"rob garbage"';
DELETE FROM automl.models WHERE model_name LIKE 'rob%';
DROP TABLE automl.rob_in_automl;
DROP SCHEMA rob CASCADE;

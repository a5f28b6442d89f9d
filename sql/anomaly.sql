-- automl.detect_anomalies: methods, row keys, quality on synthetic data
-- with injected anomalies, and errors.
SET extra_float_digits = 0;
SET client_min_messages = warning;
SELECT setseed(0.21);

-- normal values (Box-Muller), 1% spikes
CREATE TABLE uni AS
SELECT i AS id, 500 + 40 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS amount
  FROM generate_series(1, 5000) i;
ALTER TABLE uni ADD PRIMARY KEY (id);
CREATE TABLE uni_truth AS SELECT id FROM uni WHERE id % 100 = 7;
UPDATE uni SET amount = amount + (CASE WHEN id % 200 = 7 THEN 1 ELSE -1 END) * (300 + id % 50 * 10)
 WHERE id IN (SELECT id FROM uni_truth);

CREATE FUNCTION pg_temp.quality(method text, truth regclass, tab regclass, cols text[])
RETURNS TABLE(precision_ok boolean, recall_ok boolean, precision_half boolean) LANGUAGE plpgsql AS $$
DECLARE
	tp int; found int; actual int;
BEGIN
	EXECUTE format('SELECT count(*) FROM %s', truth) INTO actual;
	EXECUTE format($q$SELECT count(DISTINCT (a.row_key->>'id')::int),
					  count(DISTINCT (a.row_key->>'id')::int) FILTER (WHERE t.id IS NOT NULL)
				 FROM automl.detect_anomalies(%L, %L, %L) a
				 LEFT JOIN %s t ON t.id = (a.row_key->>'id')::int$q$, tab, cols, method, truth)
		INTO found, tp;
	RETURN QUERY SELECT tp >= 0.9 * found, tp >= 0.9 * actual, tp >= 0.5 * found;
END $$;

-- robust z-score: the spikes, strongest first, with a sentence
SELECT * FROM pg_temp.quality('robust_zscore', 'uni_truth', 'uni', ARRAY['amount']);
SELECT row_key, column_name, severity, explanation LIKE 'amount = % MADs % the median % (expected % to %)' AS sentence
  FROM automl.detect_anomalies('uni', ARRAY['amount'], 'robust_zscore') LIMIT 3;
-- iqr with k = 3 finds far-out values only; every one is outside its fences
SELECT count(*) > 0 AS some, bool_and(value < expected_low OR value > expected_high) AS outside
  FROM automl.detect_anomalies('uni', NULL, 'iqr', '{"k": 3}');
-- 'auto' on one column is robust_zscore
SELECT (SELECT count(*) FROM automl.detect_anomalies('uni')) =
	   (SELECT count(*) FROM automl.detect_anomalies('uni', NULL, 'robust_zscore')) AS auto_is_zscore;

-- multivariate: three correlated columns; 1% of rows break the
-- correlation while each value stays within its column's usual range
CREATE TABLE multi AS
SELECT i AS id, z, e1, e2 FROM (
	SELECT i, sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS z,
		   sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS e1,
		   sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS e2
	  FROM generate_series(1, 5000) i) s;
ALTER TABLE multi ADD PRIMARY KEY (id), ADD COLUMN a float8, ADD COLUMN b float8, ADD COLUMN c float8;
UPDATE multi SET a = 100 + 10 * z, b = 50 + 5 * (0.9 * z + 0.44 * e1), c = 20 + 2 * (0.9 * z + 0.44 * e2);
CREATE TABLE multi_truth AS SELECT id FROM multi WHERE id % 100 = 13;
UPDATE multi SET a = 100 + 18 * sign(z + 0.01), b = 50 - 9 * sign(z + 0.01), c = 20 + 3 * e2
 WHERE id IN (SELECT id FROM multi_truth);
SELECT max(abs(a - 100) / 10) < 4 AS a_ordinary, max(abs(b - 50) / 5) < 4 AS b_ordinary
  FROM multi WHERE id IN (SELECT id FROM multi_truth);
SELECT * FROM pg_temp.quality('mahalanobis', 'multi_truth', 'multi', ARRAY['a', 'b', 'c']);
-- rows far from the bulk in every column: isolation forest
CREATE TABLE far AS SELECT id, a, b, c FROM multi WHERE id NOT IN (SELECT id FROM multi_truth);
ALTER TABLE far ADD PRIMARY KEY (id);
CREATE TABLE far_truth AS SELECT id FROM multi_truth;
INSERT INTO far SELECT id, 100 + 10 * s1 * (7 + 2 * random()), 50 + 5 * s2 * (7 + 2 * random()),
					   20 + 2 * s1 * (7 + 2 * random())
  FROM (SELECT id, CASE WHEN id % 200 = 13 THEN 1 ELSE -1 END AS s1,
			   CASE WHEN id % 300 < 150 THEN 1 ELSE -1 END AS s2 FROM far_truth) t;
SELECT * FROM pg_temp.quality('isolation_forest', 'far_truth', 'far', ARRAY['a', 'b', 'c']);
SELECT column_name IS NULL AS row_level, value IS NULL AS no_value,
	   explanation LIKE 'the row is isolated after % random splits on average (typical %; score %), driven by %' AS sentence
  FROM automl.detect_anomalies('far', ARRAY['a', 'b', 'c'], 'isolation_forest') LIMIT 1;
SELECT explanation LIKE 'the row is % robust standard deviations from the centre of 3 columns (threshold %), driven by %' AS sentence
  FROM automl.detect_anomalies('multi', ARRAY['a', 'b', 'c'], 'mahalanobis') LIMIT 1;
-- deterministic
SELECT (SELECT array_agg(row_key ORDER BY row_key) FROM automl.detect_anomalies('far', ARRAY['a', 'b', 'c'], 'isolation_forest')) =
	   (SELECT array_agg(row_key ORDER BY row_key) FROM automl.detect_anomalies('far', ARRAY['a', 'b', 'c'], 'isolation_forest')) AS same;

-- seasonal: a weekly pattern; a value normal for a Saturday on a Tuesday
CREATE TABLE daily AS
SELECT d::date AS day, 100 + CASE WHEN extract(isodow FROM d) >= 6 THEN 80 ELSE 0 END + 5 * random() AS sales
  FROM generate_series(date '2024-01-01', date '2024-06-30', interval '1 day') d;
UPDATE daily SET sales = 185 WHERE day = '2024-03-05';
SELECT row_key, column_name, value, severity
  FROM automl.detect_anomalies('daily', ARRAY['sales'], 'seasonal', '{"time_column": "day"}') LIMIT 1;
SELECT count(*) AS robust_zscore_misses_it
  FROM automl.detect_anomalies('daily', ARRAY['sales'], 'robust_zscore') WHERE value = 185;

-- row keys: primary key columns; ctid without one; position for views
CREATE TABLE nokey AS SELECT * FROM uni;
SELECT row_key ? 'ctid' AS ctid_key FROM automl.detect_anomalies('nokey', ARRAY['amount']) LIMIT 1;
CREATE VIEW uni_view AS SELECT * FROM uni;
SELECT row_key ? 'row' AS position_key FROM automl.detect_anomalies('uni_view', ARRAY['amount']) LIMIT 1;
SELECT count(*) FROM automl.detect_anomalies('uni', ARRAY['amount'], options => '{"limit": 5}');

-- no anomalies: constant, all-NULL and empty columns ('auto' leaves them out)
CREATE TABLE flat AS SELECT i AS id, 7.0 AS k, NULL::float8 AS n FROM generate_series(1, 100) i;
SELECT count(*) FROM automl.detect_anomalies('flat', ARRAY['k', 'n']);
SELECT count(*) FROM automl.detect_anomalies('flat', ARRAY['k', 'n'], 'robust_zscore');
CREATE TABLE no_rows (id int, v float8);
SELECT count(*) FROM automl.detect_anomalies('no_rows', ARRAY['v']);

-- errors
CREATE FUNCTION pg_temp.error_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT pg_temp.error_of($$SELECT * FROM automl.detect_anomalies('uni', ARRAY['nope'])$$);
CREATE TABLE words AS SELECT 'a'::text AS w, 1 AS n;
SELECT pg_temp.error_of($$SELECT * FROM automl.detect_anomalies('words', ARRAY['w'])$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.detect_anomalies('words', ARRAY['n', NULL])$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.detect_anomalies('words', ARRAY['n', 'n'])$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.detect_anomalies('uni', NULL, 'magic')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.detect_anomalies('uni', ARRAY['amount'], 'mahalanobis')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.detect_anomalies('flat', ARRAY['id', 'k'], 'mahalanobis')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.detect_anomalies('uni', NULL, 'seasonal')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.detect_anomalies('uni', NULL, 'seasonal', '{"time_column": "nope"}')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.detect_anomalies('uni', NULL, 'seasonal', '{"time_column": "amount", "bogus": 1}')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.detect_anomalies('uni', NULL, 'robust_zscore', '{"threshold": -1}')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.detect_anomalies('words', NULL)$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.detect_anomalies(NULL)$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.detect_anomalies('no_rows', ARRAY['id', 'v'], 'mahalanobis')$$);

-- stored detectors: trained on a table, deployed, scoring single rows
SELECT automl.train_detector('uni_detector', 'uni', ARRAY['amount'], 'robust_zscore') > 0 AS stored;
SELECT task, algorithm, deployed, (metrics->>'train_rows')::int AS train_rows,
	   (metrics->>'anomalies')::int BETWEEN 45 AND 60 AS flags_the_spikes, hyperparams->>'threshold' AS threshold
  FROM automl.models WHERE model_name = 'uni_detector';
SELECT count(*) FILTER (WHERE automl.is_anomaly('uni_detector', u)) =
	   (SELECT count(*) FROM automl.detect_anomalies('uni', ARRAY['amount'], 'robust_zscore')) AS same_as_detect
  FROM uni u;
SELECT automl.is_anomaly('uni_detector', '{"amount": 2000}'::jsonb) AS far,
	   automl.is_anomaly('uni_detector', ARRAY[500.0]) AS usual,
	   automl.is_anomaly('uni_detector', '{"amount": null}'::jsonb) AS null_is_usual,
	   round(automl.anomaly_score('uni_detector', '{"amount": 2000}'::jsonb)::numeric) AS score;
SELECT automl.anomaly_explanation('uni_detector', '{"amount": 2000}'::jsonb) LIKE 'anomalous: robust_zscore score % (threshold 3.5), driven by amount (100%)' AS sentence;
SELECT automl.train_detector('multi_detector', 'multi', ARRAY['a', 'b', 'c'], 'mahalanobis') > 0 AS stored;
SELECT count(*) FILTER (WHERE automl.is_anomaly('multi_detector', m)) AS flagged,
	   count(*) FILTER (WHERE automl.is_anomaly('multi_detector', m) AND id % 100 = 13) AS true_ones
  FROM multi m;
SELECT automl.train_detector('far_detector', 'far', ARRAY['a', 'b', 'c'], 'isolation_forest') > 0 AS stored;
SELECT count(*) FILTER (WHERE automl.is_anomaly('far_detector', f) AND id % 100 = 13) >= 45 AS finds_them
  FROM far f;
-- a new version replaces the deployed one; the detector is a model for the registry
SELECT automl.train_detector('uni_detector', 'uni', ARRAY['amount'], 'iqr', '{"k": 3}') > 0 AS stored;
SELECT version, algorithm, deployed FROM automl.models WHERE model_name = 'uni_detector' ORDER BY version;
SELECT automl.import_model('uni_copy', automl.export_model('uni_detector')) > 0 AS imported;
SELECT automl.is_anomaly('uni_copy', '{"amount": 2000}'::jsonb) AS copy_works;

-- a trigger raises an alert for an anomalous insert, and none for a normal
-- one (test/t/005_anomaly_alerts.pl listens for them)
CREATE TABLE payments (id int PRIMARY KEY, amount float8);
CREATE FUNCTION payments_alert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF automl.is_anomaly('uni_detector', NEW) THEN
		PERFORM pg_notify('automl_anomalies',
			jsonb_build_object('row_key', jsonb_build_object('id', NEW.id),
							   'explanation', automl.anomaly_explanation('uni_detector', NEW))::text);
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER payments_alert AFTER INSERT ON payments FOR EACH ROW EXECUTE FUNCTION payments_alert();
INSERT INTO payments VALUES (1, 510);
INSERT INTO payments VALUES (2, 9000);

-- detector errors
SELECT pg_temp.error_of($$SELECT automl.train_detector('d', 'uni', ARRAY['amount'], 'seasonal')$$);
SELECT pg_temp.error_of($$SELECT automl.train_detector('d', 'uni', ARRAY['amount'], 'auto', '{"time_column": "id"}')$$);
SELECT pg_temp.error_of($$SELECT automl.train_detector('d', 'uni', ARRAY['amount'], 'mahalanobis')$$);
SELECT pg_temp.error_of($$SELECT automl.train_detector('d', 'flat', ARRAY['k'])$$);
SELECT pg_temp.error_of($$SELECT automl.train_detector('d', 'no_rows', ARRAY['v'], 'robust_zscore')$$);
SELECT pg_temp.error_of($$SELECT automl.train_detector(NULL, 'uni', ARRAY['amount'])$$);
SELECT pg_temp.error_of($$SELECT automl.is_anomaly('nope', ARRAY[1.0])$$);
SELECT pg_temp.error_of($$SELECT automl.evaluate('uni_detector', 'uni')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.explain('uni_detector', (SELECT u FROM uni u LIMIT 1))$$);
SELECT pg_temp.error_of($$SELECT automl.predict_label('uni_detector', ARRAY[1.0])$$);
CREATE TABLE clf AS SELECT i AS x, i % 2 = 0 AS y FROM generate_series(1, 50) i;
SELECT count(*) FROM automl.train('clf_model', 'clf', 'y', algorithm => 'logistic_regression');
SELECT pg_temp.error_of($$SELECT automl.is_anomaly('clf_model', ARRAY[1.0])$$);

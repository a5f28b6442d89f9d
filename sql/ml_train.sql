-- automl.train: every algorithm on small deterministic data, the
-- registry row it writes, and the NIST StRD Longley check.
SET extra_float_digits = 0;

-- NIST StRD Longley (https://www.itl.nist.gov/div898/strd/lls/data/Longley.shtml)
CREATE TABLE longley (y float8, x1 float8, x2 float8, x3 float8, x4 float8, x5 float8, x6 float8);
INSERT INTO longley VALUES
(60323, 83.0, 234289, 2356, 1590, 107608, 1947),
(61122, 88.5, 259426, 2325, 1456, 108632, 1948),
(60171, 88.2, 258054, 3682, 1616, 109773, 1949),
(61187, 89.5, 284599, 3351, 1650, 110929, 1950),
(63221, 96.2, 328975, 2099, 3099, 112075, 1951),
(63639, 98.1, 346999, 1932, 3594, 113270, 1952),
(64989, 99.0, 365385, 1870, 3547, 115094, 1953),
(63761, 100.0, 363112, 3578, 3350, 116219, 1954),
(66019, 101.2, 397469, 2904, 3048, 117388, 1955),
(67857, 104.6, 419180, 2822, 2857, 118734, 1956),
(68169, 108.4, 442769, 2936, 2798, 120445, 1957),
(66513, 110.8, 444546, 4681, 2637, 121950, 1958),
(68655, 112.6, 482704, 3813, 2552, 123366, 1959),
(69564, 114.2, 502601, 3931, 2514, 125368, 1960),
(69331, 115.7, 518173, 4806, 2572, 127852, 1961),
(70551, 116.9, 554894, 4007, 2827, 130081, 1962);

SELECT model_name, version, task, algorithm, metrics->'train_rows' AS train_rows,
	   metrics->'test_rows' AS test_rows, metrics->'r2' AS r2, deployed
  FROM automl.train('longley', 'longley', 'y', 'regression', 'linear_regression',
					options => '{"test_fraction": 0}');

-- The coefficients, read off predictions: b_j = (f(m + h e_j) - f(m)) / h
-- around the column means m, and b_0 = f(0); certified values to 1e-8.
CREATE TABLE longley_certified (j int, b float8);
INSERT INTO longley_certified VALUES
(0, -3482258.63459582), (1, 15.0618722713733), (2, -0.358191792925910E-01),
(3, -2.02022980381683), (4, -1.03322686717359), (5, -0.511041056535807E-01),
(6, 1829.15146461355);
WITH m AS (
	SELECT ARRAY[avg(x1), avg(x2), avg(x3), avg(x4), avg(x5), avg(x6)] AS mean FROM longley
), est AS (
	SELECT 0 AS j, automl.predict('longley', ARRAY[0, 0, 0, 0, 0, 0]::float8[]) AS b
	UNION ALL
	SELECT j, (automl.predict('longley', m.mean[1:j-1] || (m.mean[j] + 1000) || m.mean[j+1:6])
			   - automl.predict('longley', m.mean)) / 1000
	  FROM m, generate_series(1, 6) AS j
)
SELECT c.j, abs(est.b - c.b) / abs(c.b) < 1e-8 AS within_1e8
  FROM longley_certified c JOIN est USING (j) ORDER BY j;

-- Deterministic synthetic data: two numeric features, a category, a
-- boolean, a date and some NULLs; classes follow a known rule.
SELECT setseed(0.5);
CREATE TABLE customers AS
SELECT i AS id,
	   round((random() * 100)::numeric, 2) AS spend,
	   (random() * 10)::int AS visits,
	   (ARRAY['north', 'south', 'east', 'west'])[1 + i % 4] AS region,
	   i % 3 = 0 AS premium,
	   date '2024-01-01' + (i % 365) AS signup,
	   CASE WHEN i % 10 = 0 THEN NULL ELSE random() END AS noise
  FROM generate_series(1, 2000) AS i;
ALTER TABLE customers ADD COLUMN churned boolean, ADD COLUMN segment text, ADD COLUMN revenue float8;
UPDATE customers SET
	churned = (spend < 40 AND visits < 5) OR (region = 'north' AND NOT premium AND spend < 60),
	segment = CASE WHEN spend > 66 THEN 'gold' WHEN spend > 33 THEN 'silver' ELSE 'bronze' END,
	revenue = 3 * spend + 10 * visits + CASE region WHEN 'north' THEN 50 ELSE 0 END + (id % 7);

-- every algorithm for regression: revenue from the other columns
SELECT algorithm, task, (metrics->>'r2')::float8 > 0.8 AS good_r2,
	   (metrics->>'train_rows')::int + (metrics->>'test_rows')::int AS rows
  FROM (VALUES ('linear_regression'), ('ridge'), ('lasso'), ('elastic_net'),
			   ('decision_tree'), ('random_forest'), ('gradient_boosting'), ('knn')) a(alg),
	   LATERAL automl.train('rev_' || alg, 'customers', 'revenue', 'regression', alg,
							options => '{"exclude": ["churned", "segment", "id"]}')
 ORDER BY 1;

-- every algorithm for classification: the boolean churned (binary) and the
-- three segments (multiclass)
SELECT algorithm, task, (metrics->>'accuracy')::float8 > 0.8 AS good_accuracy,
	   metrics ? 'roc_auc' AS has_auc, jsonb_typeof(metrics->'log_loss') AS log_loss
  FROM (VALUES ('logistic_regression'), ('decision_tree'), ('random_forest'),
			   ('gradient_boosting'), ('naive_bayes'), ('knn')) a(alg),
	   LATERAL automl.train('churn_' || alg, 'customers', 'churned', 'auto', alg,
							options => '{"exclude": ["segment", "revenue", "id"]}')
 ORDER BY 1;
SELECT algorithm, (metrics->>'accuracy')::float8 > 0.75 AS good_accuracy, metrics ? 'roc_auc' AS has_auc
  FROM (VALUES ('logistic_regression'), ('decision_tree'), ('random_forest'),
			   ('gradient_boosting'), ('naive_bayes'), ('knn')) a(alg),
	   LATERAL automl.train('segment_' || alg, 'customers', 'segment', 'auto', alg,
							options => '{"exclude": ["churned", "revenue", "id"]}')
 ORDER BY 1;

-- the registry row: features with their encodings, classes, hyperparams
SELECT model_name, version, task, algorithm, target, classes, train_rows, test_rows_ok, deployed,
	   size_bytes = length(model) AS size_ok, created_by = current_user AS by_me
  FROM (SELECT *, (metrics->>'test_rows')::int = 400 AS test_rows_ok FROM automl.models) m
 WHERE model_name IN ('churn_gradient_boosting', 'segment_logistic_regression', 'rev_ridge');
SELECT f->>'name' AS name, f->>'type' AS type, f->>'kind' AS kind, f->>'encoding' AS encoding
  FROM automl.models, jsonb_array_elements(features) f
 WHERE model_name = 'segment_logistic_regression';
SELECT f->>'name' AS name, f->>'encoding' AS encoding, f->'impute' AS impute
  FROM automl.models, jsonb_array_elements(features) f
 WHERE model_name = 'churn_gradient_boosting' AND f->>'name' IN ('region', 'noise', 'premium');
SELECT hyperparams FROM automl.models WHERE model_name = 'churn_gradient_boosting';

-- the split is stratified: both classes keep their share in the test rows
SELECT (metrics->>'test_rows')::int AS test_rows FROM automl.models WHERE model_name = 'churn_logistic_regression';

-- 'auto' searches (its progress NOTICEs depend on timing: not shown here)
SET client_min_messages = warning;
SELECT algorithm, task, metrics->'search'->>'metric' AS metric, metrics->'search'->'folds' AS folds
  FROM automl.train('auto_churn', 'customers', 'churned',
										 options => '{"exclude": ["segment", "revenue", "id"]}');

-- task 'auto': integers with few values are classes, many are numbers
CREATE TABLE int_targets AS
SELECT i, i % 3 AS few, i * 7 % 1000 AS many FROM generate_series(1, 300) i;
SELECT task FROM automl.train('few', 'int_targets', 'few', options => '{"exclude": ["many"]}');
SELECT task FROM automl.train('many', 'int_targets', 'many', options => '{"exclude": ["few"]}');
RESET client_min_messages;

-- hyperparameters are applied and stored; the same seed gives the same model
SELECT version FROM automl.train('hp', 'customers', 'churned', 'classification', 'gradient_boosting',
					options => '{"exclude": ["segment", "revenue", "id"], "hyperparams": {"n_estimators": 20, "max_depth": 3}}');
SELECT hyperparams->'n_estimators' AS n, hyperparams->'max_depth' AS depth, hyperparams->'seed' AS seed
  FROM automl.models WHERE model_name = 'hp';
SELECT a.metrics = b.metrics AS same_metrics
  FROM automl.train('seeded', 'customers', 'churned', 'classification', 'random_forest',
					options => '{"seed": 7, "exclude": ["segment", "revenue", "id"]}') a,
	   automl.train('seeded', 'customers', 'churned', 'classification', 'random_forest',
					options => '{"seed": 7, "exclude": ["segment", "revenue", "id"]}') b;
SELECT count(*) AS rows, count(*) FILTER (WHERE automl.predict_proba(a.model_id, c.*) = automl.predict_proba(b.model_id, c.*)) AS identical
  FROM automl.models a, automl.models b, customers c
 WHERE a.model_name = 'seeded' AND a.version = 1 AND b.model_name = 'seeded' AND b.version = 2;
SELECT a.metrics <> b.metrics AS other_seed_differs
  FROM automl.models a, automl.train('seeded', 'customers', 'churned', 'classification', 'random_forest',
					options => '{"seed": 8, "exclude": ["segment", "revenue", "id"]}') b
 WHERE a.model_name = 'seeded' AND a.version = 1;

-- rows with a NULL target are dropped and counted; sample_rows samples
UPDATE customers SET revenue = NULL WHERE id % 100 = 0;
SELECT (metrics->>'dropped_rows')::int AS dropped, (metrics->>'train_rows')::int + (metrics->>'test_rows')::int AS used
  FROM automl.train('dropped', 'customers', 'revenue', 'regression', 'ridge',
					options => '{"exclude": ["churned", "segment"]}');
SELECT (metrics->>'train_rows')::int + (metrics->>'test_rows')::int AS used, metrics->'rows_read' AS rows_read
  FROM automl.train('sampled', 'customers', 'revenue', 'regression', 'ridge',
					options => '{"exclude": ["churned", "segment"], "sample_rows": 500}');

-- NaN and infinities in features are missing values
CREATE TABLE with_nan AS SELECT i, CASE WHEN i % 5 = 0 THEN 'NaN'::float8 WHEN i % 7 = 0 THEN 'Infinity' ELSE i END AS x,
	   i * 2.0 AS y FROM generate_series(1, 200) i;
SELECT task, (metrics->>'r2')::float8 > 0.9 AS good FROM automl.train('nan', 'with_nan', 'y', 'regression', 'gradient_boosting');
SELECT automl.predict('nan', ARRAY[1, 'NaN']::float8[]) = automl.predict('nan', ARRAY[1, NULL]::float8[]) AS nan_is_missing;

-- Every error of training and prediction: SQLSTATE and a message that
-- names the thing.
CREATE FUNCTION pg_temp.error_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

CREATE TABLE err AS SELECT i, (i % 10)::float8 AS x, (i % 2 = 0) AS flag, 'c' || (i % 4) AS cat,
	   (i % 10) * 2.0 AS y, 'same'::text AS one, NULL::float8 AS nothing
  FROM generate_series(1, 200) i;
CREATE TABLE err_doc AS SELECT i::float8 AS x, jsonb_build_object('i', i) AS doc, i * 2.0 AS y
  FROM generate_series(1, 50) i;

-- a column of a type automl cannot use is not a feature, with a NOTICE
SELECT version FROM automl.train('doc', 'err_doc', 'y', 'regression', 'ridge');
SELECT f->>'name' AS feature
  FROM automl.models m, jsonb_array_elements(m.features) f
 WHERE m.model_name = 'doc';

-- unknown relation, target, excluded column, algorithm, task
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'no_such_table', 'y')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'err', 'no_such_column')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'err', 'y', options => '{"exclude": ["nope"]}')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'err', 'y', algorithm => 'deep_learning')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'err', 'y', task => 'clustering')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'err', 'y', 'regression', 'logistic_regression')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'err', 'cat', 'classification', 'linear_regression')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'err', 'cat', 'regression')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'err_doc', 'doc')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train(NULL, 'err', 'y')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('', 'err', 'y')$$);

-- a target with one class, or only NULLs; no rows; only the target
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'err', 'one')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'err', 'nothing')$$);
CREATE TABLE empty_t (x float8, y float8);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'empty_t', 'y')$$);
CREATE TABLE only_target (y float8);
INSERT INTO only_target VALUES (1), (2);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'only_target', 'y')$$);
CREATE TABLE one_row (x float8, y float8);
INSERT INTO one_row VALUES (1, 2);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'one_row', 'y')$$);

-- options and hyperparameters
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'err', 'y', options => '{"test_fracton": 0.3}')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'err', 'y', options => '{"test_fraction": 1.5}')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'err', 'y', options => '{"seed": -1}')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'err', 'y', options => '{"sample_rows": 0}')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'err', 'y', options => '{"exclude": "x"}')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'err', 'y', options => '{"deploy": "sometimes"}')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'err', 'y', options => '[1]')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'err', 'y', 'regression', 'gradient_boosting',
						   options => '{"hyperparams": {"max_depht": 3}}')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'err', 'y', 'regression', 'gradient_boosting',
						   options => '{"hyperparams": {"max_depth": 100}}')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'err', 'y', 'regression', 'gradient_boosting',
						   options => '{"hyperparams": {"max_depth": 2.5}}')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'err', 'y', 'regression', 'ridge',
						   options => '{"hyperparams": {"n_estimators": 10}}')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'err', 'y', 'regression', 'linear_regression',
						   options => '{"hyperparams": {"alpha": 1}}')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'err', 'y', 'regression', 'knn',
						   options => '{"hyperparams": {"distance_weighted": 1}}')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'err', 'y', 'regression', 'random_forest',
						   options => '{"hyperparams": "deep"}')$$);

-- too many categories in a feature, or too many classes
CREATE TABLE wide_cat AS SELECT 'id' || i AS code, i % 2 AS y FROM generate_series(1, 100001) i;
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'wide_cat', 'y')$$);
CREATE TABLE many_classes AS SELECT i AS x, 'class' || i AS y FROM generate_series(1, 1500) i;
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'many_classes', 'y')$$);

-- memory: past automl.max_training_memory it is an error, unless sampled
CREATE TABLE big AS SELECT i::float8 AS a, (i * 2)::float8 AS b, (i % 7)::float8 AS y FROM generate_series(1, 100000) i;
SET automl.max_training_memory = '1MB';
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'big', 'y', 'regression', 'linear_regression')$$);
SELECT (metrics->>'train_rows')::int + (metrics->>'test_rows')::int AS rows
  FROM automl.train('sampled_big', 'big', 'y', 'regression', 'linear_regression',
					options => '{"sample_rows": 10000}');
RESET automl.max_training_memory;

-- time: automl.max_training_time and statement_timeout stop a long training
SET automl.max_training_time = '1s';
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'big', 'y', 'regression', 'gradient_boosting',
						   options => '{"hyperparams": {"n_estimators": 100000, "max_depth": 8}}')$$);
RESET automl.max_training_time;
SET statement_timeout = '300ms';
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'big', 'y', 'regression', 'gradient_boosting',
						   options => '{"hyperparams": {"n_estimators": 100000, "max_depth": 8}}')$$);
RESET statement_timeout;
SELECT count(*) AS no_half_written_models FROM automl.models WHERE model_name = 'e';

-- a relation the caller may not read
CREATE ROLE automl_outsider;
GRANT automl_analyst TO automl_outsider;
SET ROLE automl_outsider;
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'err', 'y')$$);
RESET ROLE;

-- prediction errors: unknown model, missing column, wrong types, wrong task
SELECT automl.train('pe', 'err', 'y', 'regression', 'ridge', options => '{"exclude": ["one", "nothing"]}') IS NOT NULL;
SELECT automl.train('pc', 'err', 'cat', 'classification', 'naive_bayes', options => '{"exclude": ["one", "nothing"]}') IS NOT NULL;
SELECT pg_temp.error_of($$SELECT automl.predict('nope', ARRAY[1.0])$$);
SELECT pg_temp.error_of($$SELECT automl.predict(-1::bigint, ARRAY[1.0])$$);
SELECT pg_temp.error_of($$SELECT automl.predict('pe', p.*) FROM (VALUES (1, 2.0)) AS p(i, x)$$);
SELECT pg_temp.error_of($$SELECT automl.predict('pe', p.*) FROM (VALUES (1, 'two', true, 'c1')) AS p(i, x, flag, cat)$$);
SELECT pg_temp.error_of($$SELECT automl.predict('pe', ARRAY[1.0, 2.0])$$);
SELECT pg_temp.error_of($$SELECT automl.predict('pe', ARRAY[1, 2, 3, 4])$$);
SELECT pg_temp.error_of($$SELECT automl.predict('pe', ARRAY['a', 'b'])$$);
SELECT pg_temp.error_of($$SELECT automl.predict('pe', 42)$$);
SELECT pg_temp.error_of($$SELECT automl.predict('pe', '{"i": 1}'::jsonb)$$);
SELECT pg_temp.error_of($$SELECT automl.predict('pe', '[1, 2]'::jsonb)$$);
SELECT pg_temp.error_of($$SELECT automl.predict('pe', '{"i": 1, "x": [1], "flag": true, "cat": "c1"}'::jsonb)$$);
SELECT pg_temp.error_of($$SELECT automl.predict('pc', e.*) FROM err e LIMIT 1$$);
SELECT pg_temp.error_of($$SELECT automl.predict_label('pe', e.*) FROM err e LIMIT 1$$);
SELECT pg_temp.error_of($$SELECT automl.predict_proba('pe', e.*) FROM err e LIMIT 1$$);
SELECT pg_temp.error_of($$SELECT automl.predict(NULL::text, ARRAY[1.0])$$);
SELECT pg_temp.error_of($$SELECT automl.evaluate('nope', 'err')$$);
SELECT pg_temp.error_of($$SELECT automl.evaluate('pe', 'only_target')$$);
SELECT pg_temp.error_of($$SELECT automl.evaluate('pe', 'one_row')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.feature_importance('nope')$$);
REVOKE automl_analyst FROM automl_outsider;
DROP ROLE automl_outsider;

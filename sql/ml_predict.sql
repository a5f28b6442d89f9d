-- Prediction: rows matched by column name, arrays, jsonb, labels and
-- probabilities, exact versions by model_id, evaluate and importance.
SET extra_float_digits = 0;

-- predict() over a whole table agrees with the training metrics' picture
SELECT count(*) AS rows,
	   avg((automl.predict_label('churn_gradient_boosting', c.*) = c.churned::text)::int) > 0.9 AS accurate
  FROM customers c;

-- a boolean target predicts 0 or 1 through predict(), its label through
-- predict_label()
SELECT DISTINCT automl.predict('churn_gradient_boosting', c.*) AS value,
	   automl.predict_label('churn_gradient_boosting', c.*) AS label
  FROM customers c ORDER BY 1;

-- probabilities follow the classes column and sum to 1
SELECT classes FROM automl.models WHERE model_name = 'segment_random_forest';
SELECT bool_and(abs((SELECT sum(p) FROM unnest(automl.predict_proba('segment_random_forest', c.*)) p) - 1) < 1e-9) AS sums_to_1,
	   bool_and(array_length(automl.predict_proba('segment_random_forest', c.*), 1) = 3) AS three
  FROM customers c;
SELECT automl.predict_label('segment_random_forest', c.*) = c.segment AS right_label, count(*) > 0 AS some
  FROM customers c GROUP BY 1 ORDER BY 1;

-- a row type with extra columns and another column order works
CREATE TABLE new_customers (extra text, noise float8, signup date, premium boolean,
							region text, visits int, spend numeric, id int);
INSERT INTO new_customers VALUES ('x', 0.5, '2024-03-01', false, 'north', 2, 10.0, 1),
								 ('y', NULL, '2024-06-01', true, 'south', 9, 95.0, 2),
								 ('z', 0.1, NULL, NULL, 'mars', NULL, NULL, 3);
SELECT id, automl.predict_label('segment_gradient_boosting', n.*) AS segment
  FROM new_customers n ORDER BY id;

-- the same features as jsonb give the same answers
SELECT n.id,
	   automl.predict('rev_ridge', to_jsonb(n) - 'extra') = automl.predict('rev_ridge', n.*) AS same_value
  FROM new_customers n ORDER BY id;
SELECT automl.predict_label('segment_gradient_boosting',
							'{"spend": 95, "visits": 9, "region": "south", "premium": true, "signup": "2024-06-01", "noise": null}'::jsonb) AS from_jsonb;

-- a numeric array in feature order
SELECT round(automl.predict('longley', ARRAY[83.0, 234289, 2356, 1590, 107608, 1947])::numeric, 3) AS longley_first_row;

-- a model_id names exactly one version, whatever is deployed
SELECT m.model_id = (SELECT model_id FROM automl.models WHERE model_name = 'rev_ridge') AS same_id,
	   automl.predict(m.model_id, n.*) = automl.predict('rev_ridge', n.*) AS same_prediction
  FROM automl.models m, new_customers n WHERE m.model_name = 'rev_ridge' AND n.id = 1;
SELECT automl.predict_label(m.model_id, n.*), array_length(automl.predict_proba(m.model_id, n.*), 1)
  FROM automl.models m, new_customers n WHERE m.model_name = 'segment_knn' AND n.id = 2;

-- a NULL row predicts NULL
SELECT automl.predict('rev_ridge', NULL::new_customers) IS NULL AS null_in_null_out;

-- prediction is PARALLEL SAFE: a parallel scan gives the serial answer
CREATE TABLE many_customers AS SELECT c.* FROM customers c, generate_series(1, 20);
ANALYZE many_customers;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT sum(automl.predict('rev_gradient_boosting', c.*)) FROM many_customers c;
CREATE TABLE par_sum AS SELECT sum(automl.predict('rev_gradient_boosting', c.*)) AS s FROM many_customers c;
RESET max_parallel_workers_per_gather;
SELECT abs(s - (SELECT sum(automl.predict('rev_gradient_boosting', c.*)) FROM many_customers c)) < 1e-6 * abs(s) AS same_sum
  FROM par_sum;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- evaluate() computes the training metrics on other labelled rows
SELECT (e->>'accuracy')::float8 > 0.9 AS accurate, e->'rows' AS rows, e ? 'roc_auc' AS binary,
	   e->'unknown_class_rows' AS unknown
  FROM automl.evaluate('churn_gradient_boosting', 'customers') e;
SELECT (e->>'r2')::float8 > 0.8 AS good_r2, e->'dropped_rows' AS dropped
  FROM automl.evaluate('rev_gradient_boosting', 'customers') e;

-- importance: one row per feature, summing to 1, the driving ones first
SELECT count(*) AS features, round(sum(importance)::numeric, 9) AS total
  FROM automl.feature_importance('rev_gradient_boosting');
SELECT feature FROM automl.feature_importance('rev_gradient_boosting') LIMIT 1;
SELECT count(*) = 6 AS all_features FROM automl.feature_importance('segment_logistic_regression');

-- enums, varchar and char(n) are categories; early stopping is accepted
CREATE TYPE ml_mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE typed AS
SELECT (ARRAY['sad', 'ok', 'happy'])[1 + i % 3]::ml_mood AS mood, ('v' || i % 5)::varchar(10) AS code,
	   ('c' || i % 2)::char(4) AS padded, (i % 3) * 10.0 + (i % 5) AS y
  FROM generate_series(1, 300) i;
SELECT version FROM automl.train('typed', 'typed', 'y', 'regression', 'gradient_boosting',
								 options => '{"hyperparams": {"early_stopping_rounds": 5}}');
SELECT f->>'name' AS name, f->>'type' AS type, f->>'kind' AS kind, f->'categories' AS categories
  FROM automl.models m, jsonb_array_elements(m.features) f
 WHERE m.model_name = 'typed';
SELECT t.mood, t.code, round(automl.predict('typed', t.*)::numeric, 1) AS predicted, min(y), max(y)
  FROM typed t GROUP BY 1, 2, 3 ORDER BY 1, 2 LIMIT 6;
SELECT round(automl.predict('typed', '{"mood": "happy", "code": "v3", "padded": "c1"}'::jsonb)::numeric, 1) AS from_jsonb;

-- automl.explain: the base value plus the contributions is the model's raw
-- output, on random rows, for each kind of model; errors.
SET extra_float_digits = 0;
SET client_min_messages = warning;

SELECT setseed(0.11);
CREATE TABLE ex AS
SELECT i, random() * 100 AS spend, (random() * 10)::int AS visits,
	   (ARRAY['n', 's', 'e', 'w'])[1 + i % 4] AS region, random() < 0.3 AS premium,
	   date '2026-01-01' + (i % 200) AS day,
	   CASE WHEN i % 9 = 0 THEN NULL ELSE random() END AS noise
  FROM generate_series(1, 2000) i;
ALTER TABLE ex ADD COLUMN churn boolean, ADD COLUMN basket float8;
UPDATE ex SET churn = (spend < 40 AND visits < 5) OR (region = 'n' AND NOT premium AND spend < 60),
			  basket = 2 * spend + 5 * visits + CASE WHEN premium THEN 30 ELSE 0 END + 10 * noise;

SELECT count(*) FROM (
	SELECT automl.train(a || '_' || t, 'ex', t, task, a,
						options => jsonb_build_object('exclude', jsonb_build_array('i', CASE t WHEN 'churn' THEN 'basket' ELSE 'churn' END)))
	  FROM (VALUES ('gradient_boosting', 'churn', 'classification'), ('random_forest', 'churn', 'classification'),
				   ('decision_tree', 'churn', 'classification'), ('logistic_regression', 'churn', 'classification'),
				   ('gradient_boosting', 'basket', 'regression'), ('random_forest', 'basket', 'regression'),
				   ('ridge', 'basket', 'regression'), ('lasso', 'basket', 'regression'),
				   ('linear_regression', 'basket', 'regression')) m(a, t, task)) s;
CREATE TEMP TABLE explained AS
SELECT model_name, task, algorithm FROM automl.models
 WHERE model_name ~ '_(churn|basket)$' AND model_name !~ '^(auto|churn|rev|segment)_' AND deployed;
SELECT model_name, task FROM explained ORDER BY model_name;

-- raw output: the value; log-odds of the second class (boosting, logistic);
-- the second class's probability (forests, trees)
CREATE FUNCTION pg_temp.raw_output(mname text, r ex) RETURNS float8 LANGUAGE sql AS $$
	SELECT CASE
		WHEN m.task = 'regression' THEN automl.predict(mname, r)
		WHEN m.algorithm IN ('gradient_boosting', 'logistic_regression') THEN
			ln((automl.predict_proba(mname, r))[2] / (1 - (automl.predict_proba(mname, r))[2]))
		ELSE (automl.predict_proba(mname, r))[2] END
	  FROM explained m WHERE m.model_name = mname
$$;
SELECT m.model_name,
	   bool_and(abs(e.total - pg_temp.raw_output(m.model_name, r)) <= 1e-6 * greatest(1, abs(e.total))) AS additive,
	   bool_and(e.base_rows = 1 AND e.feature_rows = 6) AS one_row_per_feature
  FROM explained m, (SELECT * FROM ex ORDER BY random() LIMIT 40) r,
	   LATERAL (SELECT sum(contribution) AS total, count(*) FILTER (WHERE feature = '(base)') AS base_rows,
					   count(*) FILTER (WHERE feature <> '(base)') AS feature_rows
				  FROM automl.explain(m.model_name, r)) e
 GROUP BY 1 ORDER BY 1;

-- the rows: base first, then features with their values, largest effect first
SELECT feature, value, contribution IS NOT NULL AS has_contribution
  FROM automl.explain('ridge_basket', (SELECT e FROM ex e WHERE i = 9));
SELECT bool_and(abs(contribution) <= abs(lag)) AS largest_first
  FROM (SELECT contribution, lag(contribution) OVER () AS lag
		  FROM automl.explain('gradient_boosting_churn', (SELECT e FROM ex e WHERE i = 10))
		 WHERE feature <> '(base)') s WHERE lag IS NOT NULL;
-- by model_id, and from jsonb
SELECT count(*) FROM automl.explain((SELECT model_id FROM automl.models WHERE model_name = 'ridge_basket'),
									(SELECT e FROM ex e WHERE i = 9));
SELECT abs(sum(contribution) - automl.predict('ridge_basket', '{"spend": 50, "visits": 3, "region": "e", "premium": true, "day": "2026-03-01", "noise": null}'::jsonb)) < 1e-6 AS jsonb_additive
  FROM automl.explain('ridge_basket', '{"spend": 50, "visits": 3, "region": "e", "premium": true, "day": "2026-03-01", "noise": null}'::jsonb);

-- errors
CREATE FUNCTION pg_temp.error_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT automl.train('ex_knn', 'ex', 'churn', 'classification', 'knn', options => '{"exclude": ["i", "basket"]}') IS NOT NULL;
SELECT pg_temp.error_of($$SELECT * FROM automl.explain('ex_knn', (SELECT e FROM ex e LIMIT 1))$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.explain('nope', (SELECT e FROM ex e LIMIT 1))$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.explain('ridge_basket', ARRAY[1.0])$$);

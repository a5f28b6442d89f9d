-- algorithm 'auto': the search, its trials and leaderboard, its
-- determinism; drift against the training data.
SET extra_float_digits = 0;
SET client_min_messages = warning;

SELECT setseed(0.3);
CREATE TABLE shop AS
SELECT i, random() * 100 AS spend, (random() * 10)::int AS visits,
	   (ARRAY['n', 's', 'e', 'w'])[1 + i % 4] AS region, random() < 0.3 AS premium
  FROM generate_series(1, 3000) i;
ALTER TABLE shop ADD COLUMN churn boolean, ADD COLUMN basket float8;
UPDATE shop SET churn = (spend < 40 AND visits < 5) OR (region = 'n' AND NOT premium AND spend < 60),
				basket = 2 * spend + 5 * visits + CASE WHEN premium THEN 30 ELSE 0 END;

-- a search: the winner is refitted and stored; every trial is recorded
SELECT algorithm, task, (metrics->>'accuracy')::float8 > 0.95 AS accurate,
	   metrics->'search'->>'metric' AS metric, metrics->'search'->'folds' AS folds,
	   (metrics->'search'->>'trials')::int > 10 AS many_trials,
	   metrics->'search'->>'stopped' AS stopped
  FROM automl.train('shop', 'shop', 'churn', time_budget => '2 minutes',
					options => '{"exclude": ["i", "basket"]}');
SELECT count(*) = (SELECT (metrics->'search'->>'trials')::int FROM automl.models WHERE model_name = 'shop') AS all_recorded,
	   count(DISTINCT algorithm) >= 4 AS several_algorithms,
	   bool_and(status IN ('ok', 'pruned', 'timeout', 'failed')) AS statuses
  FROM automl.trials WHERE model_name = 'shop';

-- the leaderboard: the selected trial first, and it is the stored model
SELECT rank, selected, algorithm = (SELECT algorithm FROM automl.models WHERE model_name = 'shop') AS is_model,
	   trial = (SELECT (metrics->'search'->>'best_trial')::int FROM automl.models WHERE model_name = 'shop') AS is_best_trial
  FROM automl.leaderboard('shop') LIMIT 1;
SELECT bool_and(ok) AS ordered
  FROM (SELECT score <= lag(score) OVER (ORDER BY rank) OR lag(score) OVER (ORDER BY rank) IS NULL AS ok
		  FROM automl.leaderboard('shop') WHERE status = 'ok' AND NOT selected) s;
-- accuracy: the selected trial is the earliest within one standard error
-- of the top score, no later than the top trial
WITH m AS (SELECT model_id, metrics->'search' AS search FROM automl.models
			WHERE model_name = 'shop' AND version = 1),
	 t AS (SELECT t.* FROM automl.trials t JOIN m USING (model_id)),
	 top AS (SELECT t.score - t.score_se AS band FROM t, m
			  WHERE t.trial = (m.search->>'top_trial')::int),
	 sel AS (SELECT * FROM t WHERE selected)
SELECT (SELECT count(*) FROM sel) AS selected,
	   m.search->>'selected_by' AS selected_by,
	   sel.trial <= (m.search->>'top_trial')::int AS not_later,
	   sel.score >= top.band - 1e-12 AS within_se,
	   (SELECT count(*) FROM t WHERE t.status = 'ok' AND t.trial < sel.trial
		   AND t.score >= top.band - 1e-12) AS earlier_in_band
  FROM m, top, sel;

-- deterministic: the same seed and data give the same trials and winner
SELECT version FROM automl.train('shop', 'shop', 'churn', time_budget => '2 minutes',
								 options => '{"exclude": ["i", "basket"]}');
SELECT count(*) AS trials,
	   count(*) FILTER (WHERE a.algorithm = b.algorithm AND a.hyperparams = b.hyperparams
						AND a.score = b.score AND a.status = b.status) AS identical
  FROM automl.trials a JOIN automl.trials b USING (model_name, trial)
 WHERE a.model_name = 'shop' AND a.version = 1 AND b.version = 2;

-- regression with another metric; lower is better for rmse
SELECT task, metrics->'search'->>'metric' AS metric, (metrics->>'r2')::float8 > 0.99 AS fits
  FROM automl.train('basket', 'shop', 'basket', time_budget => '1 minute',
					options => '{"exclude": ["i", "churn"], "metric": "rmse"}');
SELECT bool_and(ok) AS ascending, bool_or(selected AND rank = 1) AS best_selected
  FROM (SELECT score >= lag(score) OVER (ORDER BY rank) OR lag(score) OVER (ORDER BY rank) IS NULL AS ok,
			   selected, rank
		  FROM automl.leaderboard('basket') WHERE status = 'ok') s;
SELECT metrics->'search'->>'selected_by' AS selected_by,
	   metrics->'search'->'top_trial' = metrics->'search'->'best_trial' AS top_is_best
  FROM automl.models WHERE model_name = 'basket';

-- a budget too short for the whole search still returns a model, in time
SELECT metrics->'search'->>'stopped' AS stopped, version
  FROM automl.train('rushed', 'shop', 'churn', time_budget => '0.3 seconds',
					options => '{"exclude": ["i", "basket"]}');

-- errors
CREATE FUNCTION pg_temp.error_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'shop', 'churn', options => '{"metric": "r2"}')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'shop', 'basket', options => '{"metric": "auc"}')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'shop', 'churn', options => '{"hyperparams": {"k": 3}}')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.train('e', 'shop', 'churn', time_budget => '-1 second')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.leaderboard('nope')$$) AS empty_is_no_error;
SELECT count(*) FROM automl.leaderboard('nope');

-- drift: new rows like the training rows do not drift; shifting one
-- feature makes that one, and only that one, drift
SELECT setseed(0.7);
CREATE TABLE shop_new AS
SELECT i, random() * 100 AS spend, (random() * 10)::int AS visits,
	   (ARRAY['n', 's', 'e', 'w'])[1 + i % 4] AS region, random() < 0.3 AS premium
  FROM generate_series(1, 3000) i;
SELECT feature, drifted, ks IS NULL AS discrete FROM automl.drift('shop', 'shop_new') ORDER BY feature;
UPDATE shop_new SET spend = spend * 1.5 + 20;
SELECT feature, drifted, psi > 0.2 AS psi_high FROM automl.drift('shop', 'shop_new') ORDER BY feature;
UPDATE shop_new SET spend = spend - 20, region = CASE WHEN i % 2 = 0 THEN 'n' ELSE region END;
SELECT feature, drifted FROM automl.drift('shop', 'shop_new') ORDER BY feature;
SELECT pg_temp.error_of($$SELECT * FROM automl.drift('nope', 'shop')$$);
SELECT pg_temp.error_of($$SELECT * FROM automl.drift('shop', 'int4_tbl_nope')$$);
CREATE TABLE shop_partial AS SELECT spend FROM shop;
SELECT pg_temp.error_of($$SELECT * FROM automl.drift('shop', 'shop_partial')$$);

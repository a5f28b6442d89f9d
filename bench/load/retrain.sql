-- bench/load/retrain.sql: train a new version of load_m (not deployed by
-- train), deploy it, in one READ COMMITTED transaction.  Two of these at
-- once are serialised by the model name's advisory lock, which train takes
-- before it stores the version and holds to commit.  k (a sequence) makes
-- the version's predictions recognisable: see bench/load/setup.sql.
BEGIN;
SELECT set_config('load.k', nextval('load_k')::text, true) AS k \gset
SELECT version AS v, model_id AS mid
  FROM automl.train('load_m', 'load_train', 'y', 'regression', 'linear_regression',
					options => '{"deploy": "never"}') \gset
SELECT automl.deploy('load_m', :v);
INSERT INTO load_versions (k, version, model_id) VALUES (:k, :v, :mid);
COMMIT;

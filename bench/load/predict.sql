-- bench/load/predict.sql: one prediction by name (the deployed version of
-- load_m) for a random row of load_data, logged for the consistency check.
\set id random(1, :rows)
INSERT INTO load_log (id, pred)
SELECT d.id, automl.predict('load_m', d) FROM load_data d WHERE d.id = :id;

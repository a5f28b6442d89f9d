-- The registry: versions, deployment rules and strategies, drop, export
-- and import, and corrupt images.
SET extra_float_digits = 0;
\set SHOW_CONTEXT never

CREATE TABLE reg AS SELECT (i % 10)::float8 AS x, (i % 10) * 2.0 + (i % 3) AS y FROM generate_series(1, 500) i;

-- the first version is deployed; a worse one is not (deploy 'auto')
SELECT version, deployed FROM automl.train('reg', 'reg', 'y', 'regression', 'linear_regression');
SELECT version, deployed FROM automl.train('reg', 'reg', 'y', 'regression', 'knn',
										   options => '{"hyperparams": {"k": 200}}');
-- 'always' and 'never'
SELECT version, deployed FROM automl.train('reg', 'reg', 'y', 'regression', 'decision_tree',
										   options => '{"deploy": "always"}');
SELECT version, deployed FROM automl.train('reg', 'reg', 'y', 'regression', 'gradient_boosting',
										   options => '{"deploy": "never"}');
SELECT version, algorithm, deployed, deployed_at IS NOT NULL AS was_deployed
  FROM automl.models WHERE model_name = 'reg' ORDER BY version;

-- deploy by version and by strategy; rollback goes to the one before
SELECT automl.deploy('reg', 2) = model_id AS deployed_2 FROM automl.models WHERE model_name = 'reg' AND version = 2;
SELECT version FROM automl.models WHERE model_name = 'reg' AND deployed;
SELECT automl.deploy('reg', 'rollback') IS NOT NULL AS rolled_back;
SELECT version FROM automl.models WHERE model_name = 'reg' AND deployed;
SELECT automl.deploy('reg', 'most_recent') IS NOT NULL;
SELECT version FROM automl.models WHERE model_name = 'reg' AND deployed;
SELECT automl.deploy('reg', 'best_score') IS NOT NULL;
SELECT version = (SELECT version FROM automl.models WHERE model_name = 'reg' ORDER BY score DESC LIMIT 1) AS best
  FROM automl.models WHERE model_name = 'reg' AND deployed;

-- predict by name follows the deployment in this session too
SELECT automl.deploy('reg', 1) IS NOT NULL;
SELECT round(automl.predict('reg', ARRAY[5.0]::float8[])::numeric, 6) AS linear;
SELECT automl.deploy('reg', 3) IS NOT NULL;
SELECT round(automl.predict('reg', ARRAY[5.0]::float8[])::numeric, 6) AS tree;

-- errors of deploy
SELECT automl.deploy('reg', 99);
SELECT automl.deploy('nope', 1);
SELECT automl.deploy('reg', 'newest');
SELECT automl.deploy('nope', 'best_score');

-- export and import: the same predictions, a new version, corrupt images refused
SELECT length(automl.export_model('reg')) > 100 AS exported;
SELECT automl.import_model('reg_copy', automl.export_model('reg', 1)) IS NOT NULL AS imported;
SELECT version, algorithm, task, deployed, metrics = (SELECT metrics FROM automl.models WHERE model_name = 'reg' AND version = 1) AS same_metrics,
	   hyperparams = (SELECT hyperparams FROM automl.models WHERE model_name = 'reg' AND version = 1) AS same_hyperparams
  FROM automl.models WHERE model_name = 'reg_copy';
SELECT automl.predict('reg_copy', r.*) = automl.predict(m.model_id, r.*) AS identical, count(*)
  FROM reg r, automl.models m WHERE m.model_name = 'reg' AND m.version = 1 GROUP BY 1;
-- (terse: the detail gives the image's size, which varies with the time
-- recorded in it)
\set VERBOSITY terse
SELECT automl.import_model('bad', '\x00'::bytea);
SELECT automl.import_model('bad', substring(automl.export_model('reg', 1) FROM 1 FOR 60));
SELECT automl.import_model('bad', overlay(automl.export_model('reg', 1) PLACING '\xff'::bytea FROM 40 FOR 1));
SELECT automl.import_model('bad', automl.export_model('reg', 1) || '\x00'::bytea);
SELECT automl.import_model('', automl.export_model('reg', 1));
\set VERBOSITY default

-- a crafted image with a correct checksum but a target name that is not
-- valid UTF-8 is refused too (CRC-32C, as the image closes, in plpgsql)
CREATE FUNCTION pg_temp.crc32c(b bytea) RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE
	crc bigint := 4294967295;
BEGIN
	FOR i IN 0 .. length(b) - 1 LOOP
		crc := crc # get_byte(b, i);
		FOR k IN 1 .. 8 LOOP
			crc := (crc >> 1) # (CASE WHEN crc & 1 = 1 THEN 2197175160 ELSE 0 END);
		END LOOP;
	END LOOP;
	crc := crc # 4294967295;
	RETURN set_byte(set_byte(set_byte(set_byte('\x00000000'::bytea, 0, (crc & 255)::int),
		1, ((crc >> 8) & 255)::int), 2, ((crc >> 16) & 255)::int), 3, ((crc >> 24) & 255)::int);
END $$;
CREATE TEMP TABLE img AS SELECT automl.export_model('reg', 1) AS b;
SELECT pg_temp.crc32c(substring(b FROM 1 FOR length(b) - 4)) = substring(b FROM length(b) - 3) AS crc_as_stored
  FROM img;
-- the target "y" is the byte after magic, version, task, algorithm and its length
SELECT get_byte(b, 14) = ascii('y') AS target_byte FROM img;
-- first a valid change: the target renamed "z" imports
SELECT automl.import_model('renamed', s.body || pg_temp.crc32c(s.body)) IS NOT NULL AS imported
  FROM (SELECT set_byte(substring(b FROM 1 FOR length(b) - 4), 14, ascii('z')) AS body FROM img) s;
SELECT target FROM automl.models WHERE model_name = 'renamed';
-- then a byte that is not UTF-8
UPDATE img SET b = set_byte(b, 14, 255);
UPDATE img SET b = substring(b FROM 1 FOR length(b) - 4) || pg_temp.crc32c(substring(b FROM 1 FOR length(b) - 4));
\set VERBOSITY terse
SELECT automl.import_model('bad', b) FROM img;
\set VERBOSITY default
SELECT count(*) AS bad_models FROM automl.models WHERE model_name = 'bad';

-- a corrupt image in the registry is an error at prediction, not a crash
UPDATE automl.models SET model = overlay(model PLACING '\x0000'::bytea FROM 30 FOR 2)
 WHERE model_name = 'reg_copy';
SELECT automl.predict('reg_copy', ARRAY[1.0]::float8[]);

-- export errors
SELECT automl.export_model('nope');
SELECT automl.export_model('reg', 42);

-- drop one version, then all; the deployed name is gone with them
SELECT automl.drop_model('reg', 4);
SELECT array_agg(version ORDER BY version) FROM automl.models WHERE model_name = 'reg';
SELECT automl.drop_model('reg', 4);
SELECT automl.deploy('reg', 3) IS NOT NULL;
SELECT automl.drop_model('reg', 3);
SELECT automl.predict('reg', ARRAY[1.0]::float8[]);
SELECT automl.drop_model('reg');
SELECT automl.predict('reg', ARRAY[1.0]::float8[]);
SELECT automl.drop_model('reg');

-- Roles, row-level security, audit and quotas: what each role can and cannot do
\set VERBOSITY default
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS automl;
CREATE SCHEMA sec;
CREATE TABLE sec.data AS
  SELECT i AS id, (i % 10)::float8 AS x, (i % 7)::float8 AS z, 3 * (i % 10) + (i % 7) + 1.0 AS y
    FROM generate_series(1, 300) i;
CREATE ROLE sec_nobody;
CREATE ROLE sec_viewer IN ROLE automl_viewer;
CREATE ROLE sec_ana IN ROLE automl_analyst;
CREATE ROLE sec_ben IN ROLE automl_analyst;
CREATE ROLE sec_admin IN ROLE automl_admin;
GRANT USAGE ON SCHEMA sec TO sec_nobody, sec_viewer, sec_ana, sec_ben, sec_admin;
GRANT SELECT ON sec.data TO sec_nobody, sec_viewer, sec_ana, sec_ben, sec_admin;
GRANT CREATE ON SCHEMA sec TO sec_ana, sec_ben;

-- the roles and what they inherit
SELECT r.rolname, r.rolcanlogin, array(SELECT b.rolname FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid
                                        WHERE m.member = r.oid ORDER BY 1) AS member_of
  FROM pg_roles r WHERE r.rolname LIKE 'automl\_%' ORDER BY 1;
-- nothing is executable by PUBLIC; every function has a role or is internal
SELECT count(*) AS public_functions FROM pg_proc p, aclexplode(p.proacl) a
 WHERE p.pronamespace = 'automl'::regnamespace AND a.grantee = 0;
SELECT count(*) AS functions_without_acl FROM pg_proc p
 WHERE p.pronamespace = 'automl'::regnamespace AND p.proacl IS NULL;
-- SECURITY DEFINER only where unavoidable, always with a safe search_path
SELECT p.proname, p.proconfig FROM pg_proc p
 WHERE p.pronamespace = 'automl'::regnamespace AND p.prosecdef ORDER BY 1;
-- which role may call what (a sample; docs/security.md has the table)
SELECT f, has_function_privilege('automl_viewer', f, 'EXECUTE') AS viewer,
       has_function_privilege('automl_analyst', f, 'EXECUTE') AS analyst,
       has_function_privilege('automl_admin', f, 'EXECUTE') AS admin,
       has_function_privilege('sec_nobody', f, 'EXECUTE') AS nobody
  FROM unnest(ARRAY['automl.predict(text, anyelement)', 'automl.get_profile(regclass)',
                    'automl.train(text, regclass, text, text, text, interval, jsonb)',
                    'automl.profile(regclass, jsonb)', 'automl.import_csv(text, text, jsonb)',
                    'automl.deploy(text, integer)', 'automl.export_model(text, integer)',
                    'automl.cancel_job(bigint)']) f;

-- an analyst trains: version 1 deployed, version 2 not
SET ROLE sec_ana;
SELECT model_name, version, deployed FROM automl.train('sec_m', 'sec.data', 'y', algorithm => 'linear_regression',
	options => '{"exclude": ["id"], "deploy": "always"}');
SELECT model_name, version, deployed FROM automl.train('sec_m', 'sec.data', 'y', algorithm => 'linear_regression',
	options => '{"exclude": ["id"], "deploy": "never"}');
SELECT version, deployed FROM automl.models WHERE model_name = 'sec_m' ORDER BY version;
SELECT round(automl.predict('sec_m', d)::numeric, 3) FROM sec.data d WHERE id = 5;
SELECT automl.profile('sec.data') IS NOT NULL AS profiled;
SELECT (automl.import_csv('sec.ana_import', E'a,b\n1,2\n'))->'rows' AS imported;
RESET ROLE;
SELECT model_id AS v2 FROM automl.models WHERE model_name = 'sec_m' AND version = 2 \gset

-- a role with no automl role: nothing
SET ROLE sec_nobody;
SELECT automl.predict('sec_m', d) FROM sec.data d LIMIT 1;
SELECT count(*) FROM automl.models;
SELECT automl.train('x', 'sec.data', 'y');
RESET ROLE;

-- a viewer predicts with deployed versions, and sees only those
SET ROLE sec_viewer;
SELECT round(automl.predict('sec_m', d)::numeric, 3) FROM sec.data d WHERE id = 5;
SELECT version, deployed FROM automl.models WHERE model_name = 'sec_m' ORDER BY version;
-- (the model_id depends on the tests before: show the SQLSTATE only)
\set VERBOSITY sqlstate
SELECT automl.predict(:v2, d) FROM sec.data d LIMIT 1;
\set VERBOSITY default
SELECT automl.get_profile('sec.data') IS NOT NULL AS reads_profiles;
SELECT count(*) AS trials_seen FROM automl.trials;
SELECT count(*) AS imports_seen FROM automl.datasets;
SELECT automl.train('v', 'sec.data', 'y');
SELECT automl.profile('sec.data');
SELECT automl.export_model('sec_m');
SELECT automl.import_csv('sec.v', E'a\n1\n');
SELECT automl.deploy('sec_m', 2);
SELECT count(*) FROM automl.audit_log;
RESET ROLE;

-- another analyst: the deployed version only; the name is not his
SET ROLE sec_ben;
SELECT version FROM automl.models WHERE model_name = 'sec_m' ORDER BY version;
SELECT length(automl.export_model('sec_m')) > 0 AS exports_deployed;
SELECT automl.export_model('sec_m', 2);
SELECT automl.deploy('sec_m', 2);
SELECT automl.drop_model('sec_m', 1);
SELECT count(*) FROM automl.models WHERE model_name = 'sec_m';
SELECT automl.train('sec_m', 'sec.data', 'y', algorithm => 'linear_regression', options => '{"exclude": ["id"]}');
SELECT automl.import_model('sec_m', automl.export_model('sec_m'));
SELECT count(*) AS imports_seen FROM automl.datasets;
SELECT model_name, version FROM automl.train('sec_b', 'sec.data', 'y', algorithm => 'linear_regression',
	options => '{"exclude": ["id"]}');
UPDATE automl.models SET deployed = false WHERE model_name = 'sec_m';
DELETE FROM automl.models WHERE model_name = 'sec_m';
INSERT INTO automl.audit_log (role, action, object) VALUES ('sec_ben', 'deploy', 'forged');
INSERT INTO automl.audit_log (role, action, object) VALUES ('sec_ana', 'drop', 'forged');
RESET ROLE;

-- an administrator sees and acts on every role's models, and reads the log
SET ROLE sec_admin;
SELECT model_name, version, deployed FROM automl.models WHERE model_name LIKE 'sec\_%' ORDER BY 1, 2;
SELECT automl.deploy('sec_m', 2) = :v2 AS deployed_v2;
SELECT automl.drop_model('sec_b');
SELECT count(*) AS imports_seen FROM automl.datasets WHERE "table" LIKE 'sec.%';
SELECT role, action, object FROM automl.audit_log WHERE role LIKE 'sec\_%' ORDER BY at, action;
UPDATE automl.audit_log SET role = 'x';
DELETE FROM automl.audit_log;
TRUNCATE automl.audit_log;
RESET ROLE;
-- superusers only may change the log
UPDATE automl.audit_log SET object = object WHERE false;

-- quotas: set by administrators, read by each role for itself
SET ROLE sec_ana;
INSERT INTO automl.quotas VALUES ('sec_ana', 100, 10);
RESET ROLE;
SET ROLE sec_admin;
INSERT INTO automl.quotas VALUES ('sec_ana', 2, 1);
RESET ROLE;
SET ROLE sec_ana;
SELECT * FROM automl.quotas;
-- two versions this hour already: the third is refused, with when to retry
RESET ROLE;
SET client_min_messages = notice;
SET ROLE sec_ana;
DO $$
BEGIN
	PERFORM automl.train('sec_m', 'sec.data', 'y', algorithm => 'linear_regression',
						 options => '{"exclude": ["id"]}');
EXCEPTION WHEN OTHERS THEN
	DECLARE
		state text;
		msg text;
		hint text;
	BEGIN
		GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
		RAISE NOTICE '% % | %', state, msg, regexp_replace(hint, 'after [0-9]+ seconds', 'after N seconds');
	END;
END $$;
RESET ROLE;
SET client_min_messages = warning;
SET ROLE sec_admin;
UPDATE automl.quotas SET max_trainings_per_hour = 0 WHERE role = 'sec_ana';
SELECT role, action, object, details->'new'->>'max_trainings_per_hour' AS new_limit
  FROM automl.audit_log WHERE action = 'quota' ORDER BY at;
RESET ROLE;

-- hostile identifiers: quotes, semicolons, unicode, 63-byte names
CREATE TABLE sec."we""ird; DROP TABLE sec.data; --" (
	"x;y" float8, "ünï côdé" float8,
	"a_63_byte_column_name_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" float8,
	"Target ""quoted""" float8);
INSERT INTO sec."we""ird; DROP TABLE sec.data; --"
  SELECT i % 5, i % 3, i % 11, 2 * (i % 5) + (i % 3) FROM generate_series(1, 200) i;
SELECT (automl.profile('sec."we""ird; DROP TABLE sec.data; --"')->>'row_count')::int AS profiled_rows;
SELECT model_name, algorithm FROM automl.train('we"ird; model', 'sec."we""ird; DROP TABLE sec.data; --"',
	'Target "quoted"', algorithm => 'linear_regression');
SELECT round(automl.predict('we"ird; model', t)::numeric, 2) FROM sec."we""ird; DROP TABLE sec.data; --" t LIMIT 1;
SELECT count(*) AS anomalies FROM automl.detect_anomalies('sec."we""ird; DROP TABLE sec.data; --"',
	ARRAY['x;y', 'ünï côdé']) WHERE false;
SELECT (automl.import_csv('sec."we""ird; DROP TABLE sec.data; --"',
	E'"x;y",ünï côdé\n1,2\n', '{"create": false}'))->'rows' AS appended;
SELECT count(*) FROM sec.data;

RESET ROLE;
DROP SCHEMA sec CASCADE;
DELETE FROM automl.quotas WHERE role LIKE 'sec\_%';
DELETE FROM automl.models WHERE model_name LIKE 'sec\_%' OR model_name = 'we"ird; model';
DELETE FROM automl.datasets WHERE "table" LIKE 'sec.%';
DELETE FROM automl.profiles WHERE profiled_by LIKE 'sec\_%';
DROP ROLE sec_nobody, sec_viewer, sec_ana, sec_ben, sec_admin;

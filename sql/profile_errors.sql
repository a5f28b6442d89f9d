-- automl.profile errors: each bad input gives an ERROR with its SQLSTATE.
CREATE FUNCTION pg_temp.error_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

CREATE TABLE err_t (a int, b text);
INSERT INTO err_t VALUES (1, 'x');
CREATE TABLE no_cols ();
CREATE TABLE only_dropped (a int);
ALTER TABLE only_dropped DROP COLUMN a;
CREATE INDEX err_t_a ON err_t (a);
CREATE SEQUENCE err_seq;

-- relations
SELECT pg_temp.error_of($$SELECT automl.profile('no_such_table')$$);
SELECT pg_temp.error_of($$SELECT automl.profile(999999999::oid::regclass)$$);
SELECT pg_temp.error_of($$SELECT automl.profile(NULL)$$);
SELECT pg_temp.error_of($$SELECT automl.profile('no_cols')$$);
SELECT pg_temp.error_of($$SELECT automl.profile('only_dropped')$$);
SELECT pg_temp.error_of($$SELECT automl.profile('err_t_a')$$);
SELECT pg_temp.error_of($$SELECT automl.profile('err_seq')$$);

-- options
SELECT pg_temp.error_of($$SELECT automl.profile('err_t', '{"exat": true}')$$);
SELECT pg_temp.error_of($$SELECT automl.profile('err_t', '{"exact": "yes"}')$$);
SELECT pg_temp.error_of($$SELECT automl.profile('err_t', '{"exact": 1}')$$);
SELECT pg_temp.error_of($$SELECT automl.profile('err_t', '{"top_values": 11}')$$);
SELECT pg_temp.error_of($$SELECT automl.profile('err_t', '{"top_values": 2.5}')$$);
SELECT pg_temp.error_of($$SELECT automl.profile('err_t', '{"histogram_bins": "many"}')$$);
SELECT pg_temp.error_of($$SELECT automl.profile('err_t', '{"histogram_bins": 0}')$$);
SELECT pg_temp.error_of($$SELECT automl.profile('err_t', '{"max_correlation_columns": 1e30}')$$);
SELECT pg_temp.error_of($$SELECT automl.profile('err_t', '[1, 2]')$$);
SELECT pg_temp.error_of($$SELECT automl.profile('err_t', '"exact"')$$);
SELECT pg_temp.error_of($$SELECT automl.profile('err_t', 'null')$$);
-- a NULL options argument means the defaults
SELECT (automl.profile('err_t', NULL)->>'row_count')::int AS rows_with_null_options;

-- the aggregate refuses anything but a whole row
SELECT pg_temp.error_of($$SELECT automl.profile_agg(a) FROM err_t$$);
SELECT pg_temp.error_of($$SELECT automl.profile_agg(e, '{"bogus": 1}') FROM err_t e$$);

-- the column-wise aggregate checks its columns against the relation
SELECT pg_temp.error_of($$SELECT automl.profile_columns('err_t', '{}', e.a) FROM err_t e$$);
SELECT pg_temp.error_of($$SELECT automl.profile_columns('err_t', '{}', e.b, e.a) FROM err_t e$$);
SELECT pg_temp.error_of($$SELECT automl.profile_columns(NULL, '{}', e.a, e.b) FROM err_t e$$);
SELECT pg_temp.error_of($$SELECT automl.profile_columns('err_t', '{"top": 1}', e.a, e.b) FROM err_t e$$);
SELECT pg_temp.error_of($$SELECT automl.profile_columns('err_seq', '{}', 1, 2) FROM err_t e$$);

-- memory limit: refused with a hint instead of running the server out
SET automl.profile_max_memory = '16MB';
CREATE TABLE wide_distinct AS SELECT i AS k, md5(i::text) AS t FROM generate_series(1, 400000) AS i;
SELECT pg_temp.error_of($$SELECT automl.profile('wide_distinct', '{"exact": true}')$$);
-- ...while per-value garbage (numeric conversions, detoasted and output
-- strings) does not accumulate: 200,000 low-cardinality rows fit in 16MB
CREATE TABLE many_values AS
SELECT (i % 100)::numeric / 3 AS n, ('{"a": ' || i % 5 || '}')::jsonb AS j,
	   (i % 9)::text::char(4) AS c, repeat('x', 2100) || (i % 7) AS long_text
  FROM generate_series(1, 200000) AS i;
SELECT (automl.profile('many_values', '{"duplicates": false}')->>'row_count')::int AS rows_within_16mb;
RESET automl.profile_max_memory;

-- permissions: the caller's rights apply (SECURITY INVOKER)
CREATE ROLE automl_regress_nobody;
GRANT automl_analyst TO automl_regress_nobody;
SET ROLE automl_regress_nobody;
SELECT pg_temp.error_of($$SELECT automl.profile('err_t')$$);
SELECT pg_temp.error_of($$SELECT automl.profile_report('err_t')$$);
RESET ROLE;
GRANT SELECT ON err_t TO automl_regress_nobody;
SET ROLE automl_regress_nobody;
SELECT (automl.profile('err_t')->>'row_count')::int AS rows_once_granted;
SELECT profiled_by FROM automl.profiles WHERE relation = 'err_t'::regclass ORDER BY profile_id DESC LIMIT 1;
-- stored profiles are visible only for relations the role may read
RESET ROLE;
CREATE TABLE secret_t (card text);
INSERT INTO secret_t VALUES ('4111-1111-1111-1111');
SELECT automl.profile('secret_t')->'row_count' AS owner_profiled;
SET ROLE automl_regress_nobody;
SELECT count(*) AS visible_secret_profiles FROM automl.profiles WHERE relation = 'secret_t'::regclass;
SELECT automl.get_profile('secret_t') IS NULL AS secret_profile_hidden;
SELECT count(*) > 0 AS own_profiles_visible FROM automl.profiles WHERE relation = 'err_t'::regclass;
-- and no role can store a profile in another's name, or delete another's
SELECT pg_temp.error_of($$INSERT INTO automl.profiles (relation, profiled_by, profile) VALUES ('err_t', 'postgres', '{}')$$);
SELECT pg_temp.error_of($$INSERT INTO automl.profiles (relation, profile) VALUES ('secret_t', '{}')$$);
DELETE FROM automl.profiles WHERE relation = 'secret_t'::regclass;
RESET ROLE;
SELECT count(*) AS secret_profiles_kept FROM automl.profiles WHERE relation = 'secret_t'::regclass;
DROP TABLE secret_t;
DROP OWNED BY automl_regress_nobody;
DROP ROLE automl_regress_nobody;

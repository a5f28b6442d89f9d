/*
 * automl 0.1.0 install script.
 *
 * Every object is schema-qualified (automl., pg_catalog.) so that nothing
 * here depends on the installing role's search_path.  Functions are
 * SECURITY INVOKER: they read data with the caller's rights.
 */

\echo Use "CREATE EXTENSION automl" to load this file. \quit

-- =====================================================================
-- Profiling
-- =====================================================================

CREATE TABLE automl.profiles (
	profile_id	bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	relation	pg_catalog.regclass NOT NULL,
	profiled_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	profiled_by	name NOT NULL DEFAULT CURRENT_USER,
	profile		jsonb NOT NULL
);
CREATE INDEX profiles_relation_newest
	ON automl.profiles (relation, profiled_at DESC, profile_id DESC);
COMMENT ON TABLE automl.profiles IS
	'Profiles computed by automl.profile(), one row per run; the newest row of a relation is its current profile.';
COMMENT ON COLUMN automl.profiles.relation IS 'The profiled table, view or materialized view.';
COMMENT ON COLUMN automl.profiles.profiled_at IS 'Start of the transaction that computed the profile.';
COMMENT ON COLUMN automl.profiles.profiled_by IS 'Role that ran automl.profile().';
COMMENT ON COLUMN automl.profiles.profile IS 'The profile JSON, as returned by automl.profile().';
SELECT pg_catalog.pg_extension_config_dump('automl.profiles', '');
SELECT pg_catalog.pg_extension_config_dump('automl.profiles_profile_id_seq', '');
GRANT SELECT, INSERT, DELETE ON automl.profiles TO PUBLIC;

-- A profile shows a table's values (top values, min, max): a role sees the
-- profiles of relations it may read, and writes profiles only in its name.
ALTER TABLE automl.profiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY profiles_readable ON automl.profiles FOR SELECT
	USING (pg_catalog.has_table_privilege(relation, 'SELECT'));
CREATE POLICY profiles_insert_own ON automl.profiles FOR INSERT
	WITH CHECK (profiled_by OPERATOR(pg_catalog.=) CURRENT_USER
				AND pg_catalog.has_table_privilege(relation, 'SELECT'));
CREATE POLICY profiles_delete_own ON automl.profiles FOR DELETE
	USING (profiled_by OPERATOR(pg_catalog.=) CURRENT_USER);
COMMENT ON POLICY profiles_readable ON automl.profiles IS
	'A profile is visible to the roles that may SELECT from its relation.';
COMMENT ON POLICY profiles_insert_own ON automl.profiles IS
	'Profiles are stored in the name of the role that computed them, for relations it may read.';
COMMENT ON POLICY profiles_delete_own ON automl.profiles IS
	'A role may delete the profiles it computed.';

-- The aggregate behind automl.profile(): whole rows in, profile jsonb out.
CREATE FUNCTION automl.profile_agg_transfn(internal, anyelement)
	RETURNS internal
	AS 'MODULE_PATHNAME', 'profile_agg_transfn'
	LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION automl.profile_agg_transfn(internal, anyelement) IS
	'Transition function of automl.profile_agg(row).';

CREATE FUNCTION automl.profile_agg_transfn(internal, anyelement, jsonb)
	RETURNS internal
	AS 'MODULE_PATHNAME', 'profile_agg_transfn'
	LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION automl.profile_agg_transfn(internal, anyelement, jsonb) IS
	'Transition function of automl.profile_agg(row, options).';

CREATE FUNCTION automl.profile_agg_combine(internal, internal)
	RETURNS internal
	AS 'MODULE_PATHNAME', 'profile_agg_combine'
	LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION automl.profile_agg_combine(internal, internal) IS
	'Merges two partial profile states (parallel query, Citus).';

CREATE FUNCTION automl.profile_agg_serialize(internal)
	RETURNS bytea
	AS 'MODULE_PATHNAME', 'profile_agg_serialize'
	LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION automl.profile_agg_serialize(internal) IS
	'Serializes a partial profile state for transfer between processes.';

CREATE FUNCTION automl.profile_agg_deserialize(bytea, internal)
	RETURNS internal
	AS 'MODULE_PATHNAME', 'profile_agg_deserialize'
	LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION automl.profile_agg_deserialize(bytea, internal) IS
	'Deserializes a partial profile state.';

CREATE FUNCTION automl.profile_agg_final(internal, anyelement)
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'profile_agg_final'
	LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION automl.profile_agg_final(internal, anyelement) IS
	'Final function of automl.profile_agg(row): the profile jsonb.';

CREATE FUNCTION automl.profile_agg_final(internal, anyelement, jsonb)
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'profile_agg_final'
	LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION automl.profile_agg_final(internal, anyelement, jsonb) IS
	'Final function of automl.profile_agg(row, options): the profile jsonb.';

CREATE AGGREGATE automl.profile_agg(anyelement) (
	SFUNC = automl.profile_agg_transfn,
	STYPE = internal,
	FINALFUNC = automl.profile_agg_final,
	FINALFUNC_EXTRA,
	FINALFUNC_MODIFY = READ_WRITE,
	COMBINEFUNC = automl.profile_agg_combine,
	SERIALFUNC = automl.profile_agg_serialize,
	DESERIALFUNC = automl.profile_agg_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE automl.profile_agg(anyelement) IS
	'Profile of the rows aggregated (pass the whole row: automl.profile_agg(t) FROM tbl t); parallel safe.';

CREATE AGGREGATE automl.profile_agg(anyelement, jsonb) (
	SFUNC = automl.profile_agg_transfn,
	STYPE = internal,
	FINALFUNC = automl.profile_agg_final,
	FINALFUNC_EXTRA,
	FINALFUNC_MODIFY = READ_WRITE,
	COMBINEFUNC = automl.profile_agg_combine,
	SERIALFUNC = automl.profile_agg_serialize,
	DESERIALFUNC = automl.profile_agg_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE automl.profile_agg(anyelement, jsonb) IS
	'Profile of the rows aggregated, with profile options; parallel safe.';

-- The column-wise aggregate automl.profile() runs: the same state, fed the
-- relation's columns as separate arguments instead of one row value.
CREATE FUNCTION automl.profile_columns_transfn(internal, pg_catalog.regclass, jsonb, VARIADIC "any")
	RETURNS internal
	AS 'MODULE_PATHNAME', 'profile_columns_transfn'
	LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION automl.profile_columns_transfn(internal, pg_catalog.regclass, jsonb, VARIADIC "any") IS
	'Transition function of automl.profile_columns.';

CREATE FUNCTION automl.profile_columns_final(internal, pg_catalog.regclass, jsonb, VARIADIC "any")
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'profile_columns_final'
	LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION automl.profile_columns_final(internal, pg_catalog.regclass, jsonb, VARIADIC "any") IS
	'Final function of automl.profile_columns: the profile jsonb, NULL without rows.';

CREATE AGGREGATE automl.profile_columns(pg_catalog.regclass, jsonb, VARIADIC "any") (
	SFUNC = automl.profile_columns_transfn,
	STYPE = internal,
	FINALFUNC = automl.profile_columns_final,
	FINALFUNC_EXTRA,
	FINALFUNC_MODIFY = READ_WRITE,
	COMBINEFUNC = automl.profile_agg_combine,
	SERIALFUNC = automl.profile_agg_serialize,
	DESERIALFUNC = automl.profile_agg_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE automl.profile_columns(pg_catalog.regclass, jsonb, VARIADIC "any") IS
	'Profile of a relation''s rows given column by column (relation, options, then every live column in order); what automl.profile() runs. Parallel safe.';

CREATE FUNCTION automl.profile(relation pg_catalog.regclass, options jsonb DEFAULT '{}')
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'automl_profile'
	LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE SECURITY INVOKER;
COMMENT ON FUNCTION automl.profile(pg_catalog.regclass, jsonb) IS
	'Profiles a relation in one (parallel) scan, stores the result in automl.profiles and returns it.';

CREATE FUNCTION automl.get_profile(relation pg_catalog.regclass)
	RETURNS jsonb
	LANGUAGE sql STABLE PARALLEL SAFE SECURITY INVOKER
	RETURN (SELECT p.profile FROM automl.profiles p
			WHERE p.relation OPERATOR(pg_catalog.=) get_profile.relation
			ORDER BY p.profiled_at DESC, p.profile_id DESC LIMIT 1);
COMMENT ON FUNCTION automl.get_profile(pg_catalog.regclass) IS
	'The newest stored profile of a relation (NULL if never profiled), without rescanning it.';

CREATE FUNCTION automl.profile_report(relation pg_catalog.regclass)
	RETURNS text
	AS 'MODULE_PATHNAME', 'automl_profile_report'
	LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE SECURITY INVOKER;
COMMENT ON FUNCTION automl.profile_report(pg_catalog.regclass) IS
	'The newest profile of a relation as a self-contained HTML page (profiles it first if needed).';

/*
 * automl 0.1.0 install script.
 *
 * Every object is schema-qualified (automl., pg_catalog.) so that nothing
 * here depends on the installing role's search_path.  Functions are
 * SECURITY INVOKER: they read data with the caller's rights.
 */

\echo Use "CREATE EXTENSION automl" to load this file. \quit

-- =====================================================================
-- Roles (docs/security.md): created when absent, kept when the extension
-- is dropped (roles belong to the cluster, not to one database)
-- =====================================================================

DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'automl_viewer') THEN
		CREATE ROLE automl_viewer NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'automl_analyst') THEN
		CREATE ROLE automl_analyst NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'automl_admin') THEN
		CREATE ROLE automl_admin NOLOGIN;
	END IF;
	IF NOT pg_catalog.pg_has_role('automl_analyst', 'automl_viewer', 'MEMBER') THEN
		GRANT automl_viewer TO automl_analyst;
	END IF;
	IF NOT pg_catalog.pg_has_role('automl_admin', 'automl_analyst', 'MEMBER') THEN
		GRANT automl_analyst TO automl_admin;
	END IF;
END $$;
GRANT USAGE ON SCHEMA automl TO automl_viewer;

-- Row-level security asks these per row: whether the current role belongs
-- to the role that made the row (by oid: a dropped role's rows are hidden,
-- not an error), and whether it is an administrator.
CREATE FUNCTION automl._is_member(role name)
	RETURNS boolean
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce((SELECT pg_catalog.pg_has_role(CURRENT_USER, r.oid, 'MEMBER')
					   FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) role), false)
$$;
COMMENT ON FUNCTION automl._is_member(name) IS
	'Whether the current role is a member of role (false for a role that no longer exists).';
CREATE FUNCTION automl._is_admin()
	RETURNS boolean
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_catalog.pg_has_role(CURRENT_USER, 'automl_admin', 'MEMBER') $$;
COMMENT ON FUNCTION automl._is_admin() IS
	'Whether the current role is a member of automl_admin (superusers are).';

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
GRANT SELECT ON automl.profiles TO automl_viewer;
GRANT INSERT, DELETE ON automl.profiles TO automl_analyst;
GRANT USAGE ON SEQUENCE automl.profiles_profile_id_seq TO automl_analyst;

-- A profile shows a table's values (top values, min, max): a role sees the
-- profiles of relations it may read, and writes profiles only in its name.
ALTER TABLE automl.profiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY profiles_readable ON automl.profiles FOR SELECT
	USING (pg_catalog.has_table_privilege(relation, 'SELECT'));
CREATE POLICY profiles_insert_own ON automl.profiles FOR INSERT
	WITH CHECK (profiled_by OPERATOR(pg_catalog.=) CURRENT_USER
				AND pg_catalog.has_table_privilege(relation, 'SELECT'));
CREATE POLICY profiles_delete_own ON automl.profiles FOR DELETE
	USING (profiled_by OPERATOR(pg_catalog.=) CURRENT_USER OR automl._is_admin());
COMMENT ON POLICY profiles_readable ON automl.profiles IS
	'A profile is visible to the roles that may SELECT from its relation.';
COMMENT ON POLICY profiles_insert_own ON automl.profiles IS
	'Profiles are stored in the name of the role that computed them, for relations it may read.';
COMMENT ON POLICY profiles_delete_own ON automl.profiles IS
	'A role may delete the profiles it computed; an administrator any.';

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

-- =====================================================================
-- Supervised learning: the model registry, training, prediction
-- =====================================================================

CREATE TABLE automl.models (
	model_id	bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	model_name	text NOT NULL,
	version		int NOT NULL,
	task		text NOT NULL CHECK (task IN ('regression', 'classification', 'anomaly')),
	algorithm	text NOT NULL,
	target		text NOT NULL,
	features	jsonb NOT NULL,
	classes		text[],
	hyperparams	jsonb NOT NULL,
	metrics		jsonb NOT NULL,
	diagnostics	jsonb NOT NULL DEFAULT '{}',
	score		float8,
	train_rows	bigint NOT NULL,
	training_seconds float8 NOT NULL,
	size_bytes	bigint NOT NULL,
	deployed	boolean NOT NULL DEFAULT false,
	deployed_at	timestamptz,
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	created_by	name NOT NULL DEFAULT CURRENT_USER,
	model		bytea NOT NULL,
	UNIQUE (model_name, version)
);
-- at most one deployed version per name; predict looks it up by name
CREATE UNIQUE INDEX models_deployed ON automl.models (model_name) WHERE deployed;
COMMENT ON TABLE automl.models IS
	'Model registry: one row per trained or imported model version; predict() by name uses the deployed version.';
COMMENT ON COLUMN automl.models.model_id IS 'Identifies one version; predict(model_id, ...) uses exactly it.';
COMMENT ON COLUMN automl.models.model_name IS 'Name given to automl.train(); versions share it.';
COMMENT ON COLUMN automl.models.version IS '1, 2, ... per model_name.';
COMMENT ON COLUMN automl.models.task IS 'regression, classification, or anomaly (a detector of automl.train_detector).';
COMMENT ON COLUMN automl.models.algorithm IS 'The algorithm trained, e.g. gradient_boosting.';
COMMENT ON COLUMN automl.models.target IS 'The target column.';
COMMENT ON COLUMN automl.models.features IS 'Per feature: name, type, kind, encoding and the value that replaces a missing one.';
COMMENT ON COLUMN automl.models.classes IS 'Class labels in the order of predict_proba(); NULL for regression.';
COMMENT ON COLUMN automl.models.hyperparams IS 'The hyperparameters used, defaults included.';
COMMENT ON COLUMN automl.models.metrics IS 'Metrics on the held-out test rows, and the row counts.';
COMMENT ON COLUMN automl.models.diagnostics IS 'What model_report() draws, from the test rows: confusion_matrix, roc_curve (two classes), residuals (regression: [predicted, actual] pairs).';
COMMENT ON COLUMN automl.models.score IS 'The metric deployment compares: r2 (regression) or accuracy (classification) on the test rows.';
COMMENT ON COLUMN automl.models.train_rows IS 'Rows the model was fitted on.';
COMMENT ON COLUMN automl.models.training_seconds IS 'Wall-clock time of automl.train().';
COMMENT ON COLUMN automl.models.size_bytes IS 'Size of the model image.';
COMMENT ON COLUMN automl.models.deployed IS 'Whether predict() by name uses this version.';
COMMENT ON COLUMN automl.models.deployed_at IS 'When this version was last deployed (rollback goes to the previous one).';
COMMENT ON COLUMN automl.models.created_at IS 'When the version was stored.';
COMMENT ON COLUMN automl.models.created_by IS 'Role that trained or imported it.';
COMMENT ON COLUMN automl.models.model IS 'The model image (docs/model-format.md), as export_model() returns it.';
SELECT pg_catalog.pg_extension_config_dump('automl.models', '');
SELECT pg_catalog.pg_extension_config_dump('automl.models_model_id_seq', '');
GRANT SELECT ON automl.models TO automl_viewer;
GRANT INSERT, UPDATE, DELETE ON automl.models TO automl_analyst;

-- SECURITY DEFINER: both look at every role's versions of a name, which
-- row-level security hides from the caller.  A name belongs to the role
-- that stored its first version: others may not add versions to it (an
-- administrator may), so that nobody deploys a version under a name other
-- roles predict with.
CREATE FUNCTION automl._may_add_version(model_name text, role name)
	RETURNS boolean
	LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce((SELECT pg_catalog.pg_has_role(role, r.oid, 'MEMBER')
					   FROM automl.models m JOIN pg_catalog.pg_roles r ON r.rolname OPERATOR(pg_catalog.=) m.created_by
					  WHERE m.model_name OPERATOR(pg_catalog.=) _may_add_version.model_name
					  ORDER BY m.version LIMIT 1), true)
		OR pg_catalog.pg_has_role(role, 'automl_admin', 'MEMBER')
$$;
COMMENT ON FUNCTION automl._may_add_version(text, name) IS
	'Whether role may store a version of model_name: the name is new, or its first version was made by a role role belongs to, or role is an administrator.';
CREATE FUNCTION automl._next_version(model_name text)
	RETURNS int
	LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(max(m.version), 0) OPERATOR(pg_catalog.+) 1 FROM automl.models m
	 WHERE m.model_name OPERATOR(pg_catalog.=) _next_version.model_name
$$;
COMMENT ON FUNCTION automl._next_version(text) IS
	'The next version number of model_name, counting versions the caller cannot see.';

-- A version is visible to the role that made it (and its members) and to
-- administrators; a deployed version to every role with automl_viewer, so
-- that it can predict.  Changes: the maker's roles and administrators.
ALTER TABLE automl.models ENABLE ROW LEVEL SECURITY;
CREATE POLICY models_readable ON automl.models FOR SELECT
	USING (deployed OR automl._is_member(created_by) OR automl._is_admin());
CREATE POLICY models_insert_own ON automl.models FOR INSERT
	WITH CHECK (created_by OPERATOR(pg_catalog.=) CURRENT_USER
				AND automl._may_add_version(model_name, CURRENT_USER));
CREATE POLICY models_update_own ON automl.models FOR UPDATE
	USING (automl._is_member(created_by) OR automl._is_admin());
CREATE POLICY models_delete_own ON automl.models FOR DELETE
	USING (automl._is_member(created_by) OR automl._is_admin());
COMMENT ON POLICY models_readable ON automl.models IS
	'A version is visible to the roles of its maker and to administrators; deployed versions to all, for prediction.';
COMMENT ON POLICY models_insert_own ON automl.models IS
	'Versions are stored in the name of the role that trains or imports them, under a name that role owns.';
COMMENT ON POLICY models_update_own ON automl.models IS
	'A role deploys and undeploys versions made by roles it belongs to; an administrator any.';
COMMENT ON POLICY models_delete_own ON automl.models IS
	'A role drops versions made by roles it belongs to; an administrator any.';

CREATE FUNCTION automl.models_changed()
	RETURNS trigger
	AS 'MODULE_PATHNAME', 'automl_models_changed'
	LANGUAGE C;
COMMENT ON FUNCTION automl.models_changed() IS
	'Trigger: tells every backend to drop its cached models when automl.models changes.';
CREATE TRIGGER models_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON automl.models
	FOR EACH STATEMENT EXECUTE FUNCTION automl.models_changed();
COMMENT ON TRIGGER models_changed ON automl.models IS
	'Invalidates the model caches of all sessions at commit.';

CREATE TABLE automl.trials (
	model_name	text NOT NULL,
	version		int NOT NULL,
	model_id	bigint NOT NULL REFERENCES automl.models ON DELETE CASCADE,
	trial		int NOT NULL,
	algorithm	text NOT NULL,
	hyperparams	jsonb NOT NULL,
	score		float8,
	score_se	float8,
	fit_seconds	float8 NOT NULL,
	status		text NOT NULL CHECK (status IN ('ok', 'pruned', 'timeout', 'failed')),
	metric		text NOT NULL,
	selected	boolean NOT NULL DEFAULT false,
	created_by	name NOT NULL DEFAULT CURRENT_USER,
	PRIMARY KEY (model_id, trial)
);
CREATE INDEX trials_model_name ON automl.trials (model_name, version);
COMMENT ON TABLE automl.trials IS
	'Every configuration the AutoML search of automl.train(algorithm => ''auto'') evaluated.';
COMMENT ON COLUMN automl.trials.model_name IS 'The model the search trained.';
COMMENT ON COLUMN automl.trials.version IS 'The version the search produced.';
COMMENT ON COLUMN automl.trials.model_id IS 'That version''s model_id; its trials go with it when it is dropped.';
COMMENT ON COLUMN automl.trials.trial IS '1, 2, ... in the order the search ran them.';
COMMENT ON COLUMN automl.trials.algorithm IS 'The algorithm of the trial.';
COMMENT ON COLUMN automl.trials.hyperparams IS 'Its hyperparameters, defaults included.';
COMMENT ON COLUMN automl.trials.score IS 'Mean validation metric over the folds it ran (see metric); NULL if none finished.';
COMMENT ON COLUMN automl.trials.score_se IS 'Standard error of score over the folds (NULL with a holdout or a single fold): differences smaller than this are noise.';
COMMENT ON COLUMN automl.trials.fit_seconds IS 'Time of all its folds.';
COMMENT ON COLUMN automl.trials.status IS 'ok; pruned (stopped after one fold: it could not win); timeout (ran past the budget); failed.';
COMMENT ON COLUMN automl.trials.metric IS 'The metric the search compared: accuracy, f1, roc_auc, log_loss, r2, rmse or mae.';
COMMENT ON COLUMN automl.trials.selected IS 'The trial the search chose, refitted as the model version: the best score, or for accuracy and f1 the earliest trial within one standard error of it (docs/automl.md).';
SELECT pg_catalog.pg_extension_config_dump('automl.trials', '');
GRANT SELECT ON automl.trials TO automl_viewer;
GRANT INSERT, DELETE ON automl.trials TO automl_analyst;
ALTER TABLE automl.trials ENABLE ROW LEVEL SECURITY;
CREATE POLICY trials_readable ON automl.trials FOR SELECT
	USING (automl._is_member(created_by) OR automl._is_admin());
CREATE POLICY trials_insert_own ON automl.trials FOR INSERT
	WITH CHECK (created_by OPERATOR(pg_catalog.=) CURRENT_USER);
CREATE POLICY trials_delete_own ON automl.trials FOR DELETE
	USING (automl._is_member(created_by) OR automl._is_admin());
COMMENT ON POLICY trials_readable ON automl.trials IS 'Trials are visible to the roles of the role that searched, and to administrators.';
COMMENT ON POLICY trials_insert_own ON automl.trials IS 'Trials are stored in the name of the role that searched.';
COMMENT ON POLICY trials_delete_own ON automl.trials IS 'A role deletes the trials of roles it belongs to; an administrator any.';

CREATE FUNCTION automl.leaderboard(model_name text)
	RETURNS TABLE(rank bigint, version int, trial int, algorithm text, hyperparams jsonb,
				  metric text, score float8, score_se float8, fit_seconds float8, status text,
				  selected boolean)
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT row_number() OVER w, t.version, t.trial, t.algorithm, t.hyperparams, t.metric,
		   t.score, t.score_se, t.fit_seconds, t.status, t.selected
	  FROM automl.trials t
	 WHERE t.model_name = leaderboard.model_name
	   AND t.version = (SELECT max(l.version) FROM automl.trials l
						 WHERE l.model_name = leaderboard.model_name)
	WINDOW w AS (ORDER BY t.selected DESC, t.status = 'ok' DESC,
				 CASE WHEN t.metric IN ('log_loss', 'rmse', 'mae') THEN t.score ELSE -t.score END NULLS LAST,
				 t.trial)
	 ORDER BY 1
$$;
COMMENT ON FUNCTION automl.leaderboard(text) IS
	'The trials of the latest search of model_name: the selected one (refitted as the model) first, then the other finished trials by score, then pruned, timed out and failed ones.';

CREATE FUNCTION automl.train(model_name text, relation pg_catalog.regclass, target text,
							 task text DEFAULT 'auto', algorithm text DEFAULT 'auto',
							 time_budget interval DEFAULT '1 minute',
							 options jsonb DEFAULT '{}')
	RETURNS TABLE(model_id bigint, model_name text, version int, task text,
				  algorithm text, metrics jsonb, deployed boolean)
	AS 'MODULE_PATHNAME', 'automl_train'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION automl.train(text, pg_catalog.regclass, text, text, text, interval, jsonb) IS
	'Trains a model of target on the other columns of relation and stores it as a new version of model_name; see docs/training.md.';

CREATE FUNCTION automl.predict(model text, features anyelement)
	RETURNS float8
	AS 'MODULE_PATHNAME', 'automl_predict'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION automl.predict(text, anyelement) IS
	'Prediction of the deployed version of model for a row (matched by column name) or a numeric array in feature order: the value, or the numeric class.';

CREATE FUNCTION automl.predict(model text, features jsonb)
	RETURNS float8
	AS 'MODULE_PATHNAME', 'automl_predict'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION automl.predict(text, jsonb) IS
	'Prediction of the deployed version of model for a jsonb object keyed by feature name.';

CREATE FUNCTION automl.predict(model_id bigint, features anyelement)
	RETURNS float8
	AS 'MODULE_PATHNAME', 'automl_predict_by_id'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION automl.predict(bigint, anyelement) IS
	'Prediction of exactly the model version model_id.';

CREATE FUNCTION automl.predict(model_id bigint, features jsonb)
	RETURNS float8
	AS 'MODULE_PATHNAME', 'automl_predict_by_id'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION automl.predict(bigint, jsonb) IS
	'Prediction of exactly the model version model_id, for a jsonb object.';

CREATE FUNCTION automl.predict_label(model text, features anyelement)
	RETURNS text
	AS 'MODULE_PATHNAME', 'automl_predict_label'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION automl.predict_label(text, anyelement) IS
	'Predicted class label of a classification model (row, numeric array or jsonb).';

CREATE FUNCTION automl.predict_label(model_id bigint, features anyelement)
	RETURNS text
	AS 'MODULE_PATHNAME', 'automl_predict_label_by_id'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION automl.predict_label(bigint, anyelement) IS
	'Predicted class label of exactly the model version model_id.';

CREATE FUNCTION automl.predict_proba(model text, features anyelement)
	RETURNS float8[]
	AS 'MODULE_PATHNAME', 'automl_predict_proba'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION automl.predict_proba(text, anyelement) IS
	'Class probabilities of a classification model, in the order of automl.models.classes.';

CREATE FUNCTION automl.predict_proba(model_id bigint, features anyelement)
	RETURNS float8[]
	AS 'MODULE_PATHNAME', 'automl_predict_proba_by_id'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION automl.predict_proba(bigint, anyelement) IS
	'Class probabilities of exactly the model version model_id.';

CREATE FUNCTION automl.explain(model text, features anyelement)
	RETURNS TABLE(feature text, value text, contribution float8)
	AS 'MODULE_PATHNAME', 'automl_explain'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION automl.explain(text, anyelement) IS
	'Additive contribution of each feature to one prediction of the deployed version, with the base value as a row named (base): they sum to the raw output (see docs/automl.md).';

CREATE FUNCTION automl.explain(model_id bigint, features anyelement)
	RETURNS TABLE(feature text, value text, contribution float8)
	AS 'MODULE_PATHNAME', 'automl_explain'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION automl.explain(bigint, anyelement) IS
	'Additive contribution of each feature to one prediction of exactly the model version model_id.';

CREATE FUNCTION automl.drift(model text, relation pg_catalog.regclass)
	RETURNS TABLE(feature text, psi float8, ks float8, drifted boolean)
	AS 'MODULE_PATHNAME', 'automl_drift'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION automl.drift(text, pg_catalog.regclass) IS
	'Per feature, how far the rows of relation are from the training data of the deployed version: PSI, KS statistic, and drifted (PSI > 0.2 or KS p < 0.01).';

CREATE FUNCTION automl.model_report(model text)
	RETURNS text
	AS 'MODULE_PATHNAME', 'automl_model_report'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION automl.model_report(text) IS
	'A self-contained HTML page on the deployed version: metrics, leaderboard, feature importance, confusion matrix or residual plot, ROC curve.';

CREATE FUNCTION automl.evaluate(model text, relation pg_catalog.regclass)
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'automl_evaluate'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION automl.evaluate(text, pg_catalog.regclass) IS
	'Metrics of the deployed version of model on the labelled rows of relation (same keys as training).';

CREATE FUNCTION automl.feature_importance(model text)
	RETURNS TABLE(feature text, importance float8)
	AS 'MODULE_PATHNAME', 'automl_feature_importance'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION automl.feature_importance(text) IS
	'Importance of each feature of the deployed version of model, summing to 1, most important first.';

CREATE FUNCTION automl.import_model(model_name text, data bytea)
	RETURNS bigint
	AS 'MODULE_PATHNAME', 'automl_import_model'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION automl.import_model(text, bytea) IS
	'Stores an image from export_model() as a new version of model_name (deployed if none is); returns its model_id.';

CREATE FUNCTION automl.export_model(model_name text, version int DEFAULT NULL)
	RETURNS bytea
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	image bytea;
BEGIN
	IF version IS NULL THEN
		SELECT m.model INTO image FROM automl.models m
		 WHERE m.model_name = export_model.model_name AND m.deployed;
		IF NOT FOUND THEN
			IF NOT EXISTS (SELECT FROM automl.models m WHERE m.model_name = export_model.model_name) THEN
				RAISE EXCEPTION 'model "%" does not exist', export_model.model_name
					USING ERRCODE = '42704';
			END IF;
			RAISE EXCEPTION 'model "%" has no deployed version', export_model.model_name
				USING ERRCODE = '55000', HINT = 'Name a version: automl.export_model(name, version).';
		END IF;
	ELSE
		SELECT m.model INTO image FROM automl.models m
		 WHERE m.model_name = export_model.model_name AND m.version = export_model.version;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'model "%" version % does not exist', export_model.model_name, export_model.version
				USING ERRCODE = '42704';
		END IF;
	END IF;
	RETURN image;
END $$;
COMMENT ON FUNCTION automl.export_model(text, int) IS
	'The model image (bytea) of a version, the deployed one by default; import_model() loads it on any server.';

CREATE FUNCTION automl.deploy(model_name text, version int)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	id bigint;
BEGIN
	PERFORM pg_advisory_xact_lock(1634561388, hashtext(deploy.model_name));
	SELECT m.model_id INTO id FROM automl.models m
	 WHERE m.model_name = deploy.model_name AND m.version = deploy.version;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'model "%" version % does not exist', deploy.model_name, deploy.version
			USING ERRCODE = '42704';
	END IF;
	UPDATE automl.models m SET deployed = false
	 WHERE m.model_name = deploy.model_name AND m.deployed AND m.model_id <> id;
	UPDATE automl.models m SET deployed = true, deployed_at = now() WHERE m.model_id = id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'permission denied to deploy model "%" version %', deploy.model_name, deploy.version
			USING ERRCODE = '42501', HINT = 'A role deploys versions made by roles it belongs to.';
	END IF;
	RETURN id;
END $$;
COMMENT ON FUNCTION automl.deploy(text, int) IS
	'Makes version the one predict() uses for model_name; returns its model_id.';

CREATE FUNCTION automl.deploy(model_name text, strategy text)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v int;
BEGIN
	PERFORM pg_advisory_xact_lock(1634561388, hashtext(deploy.model_name));
	IF NOT EXISTS (SELECT FROM automl.models m WHERE m.model_name = deploy.model_name) THEN
		RAISE EXCEPTION 'model "%" does not exist', deploy.model_name USING ERRCODE = '42704';
	END IF;
	CASE strategy
	WHEN 'best_score' THEN
		SELECT m.version INTO v FROM automl.models m WHERE m.model_name = deploy.model_name
		 ORDER BY m.score DESC NULLS LAST, m.version DESC LIMIT 1;
	WHEN 'most_recent' THEN
		SELECT max(m.version) INTO v FROM automl.models m WHERE m.model_name = deploy.model_name;
	WHEN 'rollback' THEN
		SELECT m.version INTO v FROM automl.models m
		 WHERE m.model_name = deploy.model_name AND NOT m.deployed AND m.deployed_at IS NOT NULL
		 ORDER BY m.deployed_at DESC, m.version DESC LIMIT 1;
		IF v IS NULL THEN
			RAISE EXCEPTION 'model "%" has no previously deployed version to roll back to', deploy.model_name
				USING ERRCODE = '55000';
		END IF;
	ELSE
		RAISE EXCEPTION 'unknown deployment strategy "%"', strategy
			USING ERRCODE = '22023', HINT = 'Valid strategies are: best_score, most_recent, rollback; or give a version number.';
	END CASE;
	RETURN automl.deploy(deploy.model_name, v);
END $$;
COMMENT ON FUNCTION automl.deploy(text, text) IS
	'Deploys a version chosen by strategy: best_score, most_recent, or rollback (the previously deployed one); returns its model_id.';

CREATE FUNCTION automl.drop_model(model_name text, version int DEFAULT NULL)
	RETURNS int
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n int;
BEGIN
	PERFORM pg_advisory_xact_lock(1634561388, hashtext(drop_model.model_name));
	IF NOT EXISTS (SELECT FROM automl.models m WHERE m.model_name = drop_model.model_name
				   AND (drop_model.version IS NULL OR m.version = drop_model.version)) THEN
		IF drop_model.version IS NULL THEN
			RAISE EXCEPTION 'model "%" does not exist', drop_model.model_name USING ERRCODE = '42704';
		END IF;
		RAISE EXCEPTION 'model "%" version % does not exist', drop_model.model_name, drop_model.version
			USING ERRCODE = '42704';
	END IF;
	DELETE FROM automl.models m WHERE m.model_name = drop_model.model_name
	   AND (drop_model.version IS NULL OR m.version = drop_model.version);
	GET DIAGNOSTICS n = ROW_COUNT;
	IF n = 0 THEN
		RAISE EXCEPTION 'permission denied to drop model "%"', drop_model.model_name
			USING ERRCODE = '42501', HINT = 'A role drops versions made by roles it belongs to.';
	END IF;
	RETURN n;
END $$;
COMMENT ON FUNCTION automl.drop_model(text, int) IS
	'Drops one version of a model, or all of them when version is NULL; returns how many were dropped.';

-- =====================================================================
-- Background jobs (docs/jobs.md): run by background workers when automl
-- is in shared_preload_libraries
-- =====================================================================

CREATE TABLE automl.jobs (
	job_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind		text NOT NULL CHECK (kind IN ('train', 'profile', 'import')),
	status		text NOT NULL DEFAULT 'queued'
				CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
	progress	float8 NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 100),
	args		jsonb NOT NULL,
	result		jsonb,
	error		text,
	submitted_by name NOT NULL DEFAULT CURRENT_USER,
	submitted_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	started_at	timestamptz,
	finished_at timestamptz,
	worker_pid	int
);
CREATE INDEX jobs_active ON automl.jobs (job_id) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_active_by_role ON automl.jobs (submitted_by) WHERE status IN ('queued', 'running');
COMMENT ON TABLE automl.jobs IS
	'Background jobs: submitted by automl.train_async and automl.profile_async, run first in first out by at most automl.max_workers background workers.';
COMMENT ON COLUMN automl.jobs.job_id IS 'Identifies the job; the order of submission.';
COMMENT ON COLUMN automl.jobs.kind IS 'What the job runs: train (automl.train), profile (automl.profile) or import (automl.import_csv_file or automl.import_json_file).';
COMMENT ON COLUMN automl.jobs.status IS 'queued, running, then succeeded, failed or cancelled.';
COMMENT ON COLUMN automl.jobs.progress IS 'Percent done (0 to 100), updated every few seconds while the job runs.';
COMMENT ON COLUMN automl.jobs.args IS 'The arguments of the job''s function, by name (a relation as its name and relation_oid).';
COMMENT ON COLUMN automl.jobs.result IS 'What the function returned: for train the row of automl.train as an object, for profile the profile.';
COMMENT ON COLUMN automl.jobs.error IS 'Why a job failed or who cancelled it.';
COMMENT ON COLUMN automl.jobs.submitted_by IS 'The role that submitted the job; the job runs with its privileges.';
COMMENT ON COLUMN automl.jobs.submitted_at IS 'When the job was submitted.';
COMMENT ON COLUMN automl.jobs.started_at IS 'When a worker took the job.';
COMMENT ON COLUMN automl.jobs.finished_at IS 'When the job ended.';
COMMENT ON COLUMN automl.jobs.worker_pid IS 'Process id of the background worker that ran the job.';

-- A role sees and cancels the jobs of the roles it belongs to; it submits
-- only in its own name, and can only move its queued jobs to cancelled.
-- The workers (superuser) move jobs through the other states.
ALTER TABLE automl.jobs ENABLE ROW LEVEL SECURITY;
-- (the role's oid, not its name: a dropped role's jobs are then hidden
-- instead of making pg_has_role fail)
CREATE POLICY jobs_readable ON automl.jobs FOR SELECT
	USING (automl._is_member(submitted_by) OR automl._is_admin());
CREATE POLICY jobs_submit_own ON automl.jobs FOR INSERT
	WITH CHECK (submitted_by OPERATOR(pg_catalog.=) CURRENT_USER AND status OPERATOR(pg_catalog.=) 'queued');
CREATE POLICY jobs_cancel_queued ON automl.jobs FOR UPDATE
	USING (status OPERATOR(pg_catalog.=) 'queued' AND (automl._is_member(submitted_by) OR automl._is_admin()))
	WITH CHECK (status OPERATOR(pg_catalog.=) 'cancelled');
GRANT SELECT ON automl.jobs TO automl_viewer;
GRANT INSERT (kind, args) ON automl.jobs TO automl_analyst;
GRANT UPDATE (status, finished_at, error) ON automl.jobs TO automl_analyst;
GRANT USAGE ON SEQUENCE automl.jobs_job_id_seq TO automl_analyst;
COMMENT ON POLICY jobs_readable ON automl.jobs IS
	'A role sees the jobs of roles it belongs to.';
COMMENT ON POLICY jobs_submit_own ON automl.jobs IS
	'Jobs are submitted queued, in the name of the submitting role.';
COMMENT ON POLICY jobs_cancel_queued ON automl.jobs IS
	'A role can only cancel a queued job it sees (automl.cancel_job).';

CREATE FUNCTION automl._job_submitted()
	RETURNS void
	AS 'MODULE_PATHNAME', 'automl_job_submitted'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION automl._job_submitted() IS
	'Internal: errors unless background jobs are enabled; wakes the database''s dispatcher when the transaction commits.';

CREATE FUNCTION automl._job_stop(job_id bigint, submitted_by name)
	RETURNS boolean
	AS 'MODULE_PATHNAME', 'automl_job_stop'
	LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION automl._job_stop(bigint, name) IS
	'Internal (automl.cancel_job): interrupts the worker of a running job; the caller needs the privileges of the role that submitted it.';

CREATE FUNCTION automl._job_submit(kind text, args jsonb)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	active bigint;
	max_jobs int;
	id bigint;
BEGIN
	PERFORM automl._job_submitted();
	SELECT q.max_concurrent_jobs INTO max_jobs FROM automl.quotas q WHERE q.role = CURRENT_USER;
	max_jobs := coalesce(max_jobs, current_setting('automl.max_jobs_per_role')::int);
	-- one submission of a role at a time, so that the count below holds
	PERFORM pg_advisory_xact_lock(1634561388, hashtext('automl jobs of ' || CURRENT_USER));
	SELECT count(*) INTO active FROM automl.jobs j
	 WHERE j.submitted_by = CURRENT_USER AND j.status IN ('queued', 'running');
	IF active >= max_jobs THEN
		RAISE EXCEPTION 'role "%" already has % queued or running automl jobs', CURRENT_USER, active
			USING ERRCODE = '53400',
				  HINT = format('retry after %s seconds, when one has ended (max_concurrent_jobs of role %s is %s: automl.quotas, else automl.max_jobs_per_role); or cancel one with automl.cancel_job()',
								30, CURRENT_USER, max_jobs);
	END IF;
	INSERT INTO automl.jobs (kind, args) VALUES (_job_submit.kind, _job_submit.args)
	RETURNING job_id INTO id;
	PERFORM pg_notify('automl_jobs', jsonb_build_object('job_id', id, 'status', 'queued', 'progress', 0)::text);
	RETURN id;
END $$;
COMMENT ON FUNCTION automl._job_submit(text, jsonb) IS
	'Internal: queues a job of the given kind for the current role (automl.max_jobs_per_role applies) and returns its job_id.';

CREATE FUNCTION automl.train_async(model_name text, relation pg_catalog.regclass, target text,
								   task text DEFAULT 'auto', algorithm text DEFAULT 'auto',
								   time_budget interval DEFAULT '1 minute',
								   options jsonb DEFAULT '{}')
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF model_name IS NULL OR relation IS NULL OR target IS NULL THEN
		RAISE EXCEPTION 'model_name, relation and target must not be null' USING ERRCODE = '22004';
	END IF;
	-- refuse now what the job would refuse
	IF NOT automl._may_add_version(model_name, CURRENT_USER) THEN
		RAISE EXCEPTION 'model "%" belongs to another role', model_name USING ERRCODE = '42501',
			HINT = 'Choose another model name, or ask a member of automl_admin.';
	END IF;
	PERFORM automl._check_training_quota();
	RETURN automl._job_submit('train', jsonb_build_object(
		'model_name', model_name, 'relation', relation::text, 'relation_oid', relation::oid,
		'target', target, 'task', task, 'algorithm', algorithm,
		'time_budget', time_budget::text, 'options', coalesce(options, '{}')));
END $$;
COMMENT ON FUNCTION automl.train_async(text, pg_catalog.regclass, text, text, text, interval, jsonb) IS
	'Queues automl.train with these arguments as a background job and returns its job_id at once; see automl.jobs and automl.wait_job.';

CREATE FUNCTION automl.profile_async(relation pg_catalog.regclass, options jsonb DEFAULT '{}')
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF relation IS NULL THEN
		RAISE EXCEPTION 'relation must not be null' USING ERRCODE = '22004';
	END IF;
	RETURN automl._job_submit('profile', jsonb_build_object(
		'relation', relation::text, 'relation_oid', relation::oid, 'options', coalesce(options, '{}')));
END $$;
COMMENT ON FUNCTION automl.profile_async(pg_catalog.regclass, jsonb) IS
	'Queues automl.profile of relation as a background job and returns its job_id at once.';

CREATE FUNCTION automl.wait_job(job_id bigint, timeout interval DEFAULT NULL)
	RETURNS automl.jobs
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	j automl.jobs;
	j_xmin xid;
	deadline timestamptz := clock_timestamp() + timeout;
BEGIN
	IF current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'automl.wait_job needs a READ COMMITTED transaction'
			USING ERRCODE = '25000',
				  HINT = 'Its snapshot would never see the job change; call it outside the transaction.';
	END IF;
	LOOP
		SELECT * INTO j FROM automl.jobs WHERE jobs.job_id = wait_job.job_id;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'automl job % does not exist', wait_job.job_id USING ERRCODE = '42704';
		END IF;
		IF j.status IN ('succeeded', 'failed', 'cancelled') OR clock_timestamp() >= deadline THEN
			RETURN j;
		END IF;
		IF j.status = 'queued' THEN
			SELECT jobs.xmin INTO j_xmin FROM automl.jobs WHERE jobs.job_id = wait_job.job_id;
			IF j_xmin = xid(pg_current_xact_id_if_assigned()) THEN
				RAISE EXCEPTION 'automl job % was submitted in this transaction: it starts when the transaction commits', wait_job.job_id
					USING ERRCODE = '25000', HINT = 'Commit, then wait for it.';
			END IF;
		END IF;
		PERFORM pg_sleep(0.1);
	END LOOP;
END $$;
COMMENT ON FUNCTION automl.wait_job(bigint, interval) IS
	'Waits until the job ends (or the timeout passes) and returns its row of automl.jobs.';

CREATE FUNCTION automl.cancel_job(job_id bigint)
	RETURNS boolean
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	j automl.jobs;
BEGIN
	UPDATE automl.jobs SET status = 'cancelled', finished_at = clock_timestamp(),
		   error = format('cancelled by role %s', CURRENT_USER)
	 WHERE jobs.job_id = cancel_job.job_id AND status = 'queued';
	IF FOUND THEN
		PERFORM pg_notify('automl_jobs',
						  jsonb_build_object('job_id', cancel_job.job_id, 'status', 'cancelled', 'progress', 0)::text);
		RETURN true;
	END IF;
	SELECT * INTO j FROM automl.jobs WHERE jobs.job_id = cancel_job.job_id;
	IF NOT FOUND OR j.status <> 'running' THEN
		RETURN false;
	END IF;
	RETURN automl._job_stop(j.job_id, j.submitted_by);
END $$;
COMMENT ON FUNCTION automl.cancel_job(bigint) IS
	'Cancels a queued job, or stops a running one (it ends cancelled); false if the job has ended or is not visible.';

-- =====================================================================
-- Anomaly detection (docs/anomalies.md)
-- =====================================================================

CREATE FUNCTION automl.detect_anomalies(relation pg_catalog.regclass, columns text[] DEFAULT NULL,
										method text DEFAULT 'auto', options jsonb DEFAULT '{}')
	RETURNS TABLE(row_key jsonb, column_name text, value float8, expected_low float8,
				  expected_high float8, score float8, severity text, explanation text)
	AS 'MODULE_PATHNAME', 'automl_detect_anomalies'
	LANGUAGE C CALLED ON NULL INPUT STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION automl.detect_anomalies(pg_catalog.regclass, text[], text, jsonb) IS
	'The anomalous values (robust_zscore, iqr, seasonal) or rows (mahalanobis, isolation_forest) of a relation, strongest first, with their keys, usual ranges, scores, severities and explanations.';

CREATE FUNCTION automl.train_detector(name text, relation pg_catalog.regclass, columns text[],
									  method text DEFAULT 'auto', options jsonb DEFAULT '{}')
	RETURNS bigint
	AS 'MODULE_PATHNAME', 'automl_train_detector'
	LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION automl.train_detector(text, pg_catalog.regclass, text[], text, jsonb) IS
	'Fits an anomaly detector (robust_zscore, iqr, mahalanobis, isolation_forest; auto) on relation''s columns and stores it as the new, deployed version of name in automl.models; returns its model_id.';

CREATE FUNCTION automl.anomaly_score(detector text, features anyelement)
	RETURNS float8
	AS 'MODULE_PATHNAME', 'automl_anomaly_score'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION automl.anomaly_score(text, anyelement) IS
	'Anomaly score of a row (matched by column name) or numeric array under the deployed version of detector.';

CREATE FUNCTION automl.anomaly_score(detector text, features jsonb)
	RETURNS float8
	AS 'MODULE_PATHNAME', 'automl_anomaly_score'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION automl.anomaly_score(text, jsonb) IS
	'Anomaly score of a JSON object of column values under the deployed version of detector.';

CREATE FUNCTION automl.is_anomaly(detector text, features anyelement)
	RETURNS boolean
	AS 'MODULE_PATHNAME', 'automl_is_anomaly'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION automl.is_anomaly(text, anyelement) IS
	'Whether the row''s anomaly score is above the detector''s threshold.';

CREATE FUNCTION automl.is_anomaly(detector text, features jsonb)
	RETURNS boolean
	AS 'MODULE_PATHNAME', 'automl_is_anomaly'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION automl.is_anomaly(text, jsonb) IS
	'Whether the JSON object''s anomaly score is above the detector''s threshold.';

CREATE FUNCTION automl.anomaly_explanation(detector text, features anyelement)
	RETURNS text
	AS 'MODULE_PATHNAME', 'automl_anomaly_explanation'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION automl.anomaly_explanation(text, anyelement) IS
	'A sentence: whether the row is anomalous under detector, its score and threshold, and the columns that drive it.';

-- =====================================================================
-- Forecasts (docs/forecast.md)
-- =====================================================================

CREATE FUNCTION automl.forecast(relation pg_catalog.regclass, time_column text, value_column text,
								horizon int, options jsonb DEFAULT '{}')
	RETURNS TABLE(ts timestamptz, forecast float8, lower float8, upper float8)
	AS 'MODULE_PATHNAME', 'automl_forecast'
	LANGUAGE C CALLED ON NULL INPUT STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION automl.forecast(pg_catalog.regclass, text, text, int, jsonb) IS
	'The next horizon steps of value_column over time_column: additive Holt-Winters (season detected or options.season_length) with prediction intervals at options.level (0.95).';

-- =====================================================================
-- Insights (docs/insights.md)
-- =====================================================================

CREATE FUNCTION automl.insights(relation pg_catalog.regclass, options jsonb DEFAULT '{}')
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'automl_insights'
	LANGUAGE C CALLED ON NULL INPUT STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION automl.insights(pg_catalog.regclass, jsonb) IS
	'What stands out in a relation: anomalies, trends (trends, correlations, segment differences or key drivers of options.target, shifts), recommendations and a summary, as jsonb.';

-- =====================================================================
-- Ingestion (docs/ingestion.md): files into typed tables
-- =====================================================================

CREATE SEQUENCE automl.import_id_seq;
GRANT USAGE ON SEQUENCE automl.import_id_seq TO automl_analyst;
COMMENT ON SEQUENCE automl.import_id_seq IS 'Numbers the imports (automl.datasets.import_id).';

CREATE TABLE automl.datasets (
	import_id	bigint PRIMARY KEY,
	"table"		text NOT NULL,
	format		text NOT NULL CHECK (format IN ('csv', 'json', 'ndjson')),
	source		text NOT NULL,
	rows		bigint NOT NULL,
	rejected	bigint NOT NULL DEFAULT 0,
	bytes		bigint NOT NULL,
	imported_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	imported_by	name NOT NULL DEFAULT CURRENT_USER
);
COMMENT ON TABLE automl.datasets IS
	'One row per import (automl.import_csv, automl.import_json and their _file forms), written in the import''s transaction.';
COMMENT ON COLUMN automl.datasets.import_id IS 'Identifies the import; its rejected rows are in automl.import_errors under the same id.';
COMMENT ON COLUMN automl.datasets."table" IS 'The table filled, schema-qualified and quoted as needed.';
COMMENT ON COLUMN automl.datasets.format IS 'csv, json (an array of objects) or ndjson (one object a line).';
COMMENT ON COLUMN automl.datasets.source IS 'The server file read, or inline for content passed as an argument.';
COMMENT ON COLUMN automl.datasets.rows IS 'Rows loaded.';
COMMENT ON COLUMN automl.datasets.rejected IS 'Bad rows skipped (up to options.max_errors).';
COMMENT ON COLUMN automl.datasets.bytes IS 'Size of the input in bytes.';
COMMENT ON COLUMN automl.datasets.imported_at IS 'Start of the importing transaction.';
COMMENT ON COLUMN automl.datasets.imported_by IS 'The role that ran the import.';
SELECT pg_catalog.pg_extension_config_dump('automl.datasets', '');

CREATE TABLE automl.import_errors (
	import_id	bigint NOT NULL REFERENCES automl.datasets ON DELETE CASCADE,
	line		bigint NOT NULL,
	error		text NOT NULL,
	raw			text NOT NULL,
	imported_by	name NOT NULL DEFAULT CURRENT_USER
);
CREATE INDEX import_errors_import ON automl.import_errors (import_id, line);
COMMENT ON TABLE automl.import_errors IS
	'Rows an import skipped because options.max_errors allowed it: where, why, and the line as read.';
COMMENT ON COLUMN automl.import_errors.import_id IS 'The import (automl.datasets.import_id).';
COMMENT ON COLUMN automl.import_errors.line IS 'Line of the input the row starts on, from 1.';
COMMENT ON COLUMN automl.import_errors.error IS 'Why the row was skipped, with its line and column.';
COMMENT ON COLUMN automl.import_errors.raw IS 'The line as read (at most 4 kB; bytes invalid in the database encoding shown as ?).';
COMMENT ON COLUMN automl.import_errors.imported_by IS 'The role that ran the import.';
SELECT pg_catalog.pg_extension_config_dump('automl.import_errors', '');

-- Imports are recorded in the importing role's name; a role sees the
-- imports of the roles it belongs to (a file's rows can be sensitive).
ALTER TABLE automl.datasets ENABLE ROW LEVEL SECURITY;
CREATE POLICY datasets_readable ON automl.datasets FOR SELECT
	USING (automl._is_member(imported_by) OR automl._is_admin());
CREATE POLICY datasets_insert_own ON automl.datasets FOR INSERT
	WITH CHECK (imported_by OPERATOR(pg_catalog.=) CURRENT_USER);
CREATE POLICY datasets_delete_own ON automl.datasets FOR DELETE
	USING (imported_by OPERATOR(pg_catalog.=) CURRENT_USER OR automl._is_admin());
COMMENT ON POLICY datasets_readable ON automl.datasets IS 'An import is visible to the roles that are members of the role that ran it, and to administrators.';
COMMENT ON POLICY datasets_insert_own ON automl.datasets IS 'Imports are recorded in the name of the role that ran them.';
COMMENT ON POLICY datasets_delete_own ON automl.datasets IS 'A role may delete the records of its imports (and so their rejected rows); an administrator any.';
ALTER TABLE automl.import_errors ENABLE ROW LEVEL SECURITY;
CREATE POLICY import_errors_readable ON automl.import_errors FOR SELECT
	USING (automl._is_member(imported_by) OR automl._is_admin());
CREATE POLICY import_errors_insert_own ON automl.import_errors FOR INSERT
	WITH CHECK (imported_by OPERATOR(pg_catalog.=) CURRENT_USER);
COMMENT ON POLICY import_errors_readable ON automl.import_errors IS 'Rejected rows are visible to the roles that are members of the role that ran the import, and to administrators.';
COMMENT ON POLICY import_errors_insert_own ON automl.import_errors IS 'Rejected rows are recorded in the name of the role that ran the import.';
GRANT SELECT ON automl.datasets, automl.import_errors TO automl_viewer;
GRANT INSERT, DELETE ON automl.datasets TO automl_analyst;
GRANT INSERT ON automl.import_errors TO automl_analyst;

CREATE FUNCTION automl.import_csv(table_name text, content text, options jsonb DEFAULT '{}')
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'automl_import_csv'
	LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE SECURITY INVOKER;
COMMENT ON FUNCTION automl.import_csv(text, text, jsonb) IS
	'Loads CSV text into a new table with inferred column types (or into an existing one with options.create false), in one transaction; returns {table, rows, columns, rejected, seconds, import_id, ...}.';

CREATE FUNCTION automl.import_csv_file(table_name text, path text, options jsonb DEFAULT '{}')
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'automl_import_csv_file'
	LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE SECURITY INVOKER;
COMMENT ON FUNCTION automl.import_csv_file(text, text, jsonb) IS
	'automl.import_csv of a file on the database server (relative paths from the data directory); needs the privileges of pg_read_server_files, as COPY FROM a file.';

CREATE FUNCTION automl.import_json(table_name text, content text, options jsonb DEFAULT '{}')
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'automl_import_json'
	LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE SECURITY INVOKER;
COMMENT ON FUNCTION automl.import_json(text, text, jsonb) IS
	'Loads a JSON array of objects, or NDJSON, into a table: a column per key (the union of the keys), types inferred, nested values as jsonb or flattened with options.flatten.';

CREATE FUNCTION automl.import_json_file(table_name text, path text, options jsonb DEFAULT '{}')
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'automl_import_json_file'
	LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE SECURITY INVOKER;
COMMENT ON FUNCTION automl.import_json_file(text, text, jsonb) IS
	'automl.import_json of a file on the database server; needs the privileges of pg_read_server_files.';

CREATE FUNCTION automl.import_async(format text, table_name text, path text, options jsonb DEFAULT '{}')
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF format IS NULL OR table_name IS NULL OR path IS NULL THEN
		RAISE EXCEPTION 'format, table_name and path must not be null' USING ERRCODE = '22004';
	END IF;
	IF format NOT IN ('csv', 'json', 'ndjson') THEN
		RAISE EXCEPTION 'unknown import format "%"', format USING ERRCODE = '22023',
			HINT = 'Valid formats are: csv, json, ndjson.';
	END IF;
	-- refuse now rather than in the job
	IF NOT pg_has_role(CURRENT_USER, 'pg_read_server_files', 'USAGE') THEN
		RAISE EXCEPTION 'permission denied to import from a file' USING ERRCODE = '42501',
			DETAIL = 'Only roles with privileges of the "pg_read_server_files" role may import from a server file, as for COPY FROM a file.';
	END IF;
	RETURN automl._job_submit('import', jsonb_build_object(
		'format', format, 'table_name', table_name, 'path', path, 'options', coalesce(options, '{}')));
END $$;
COMMENT ON FUNCTION automl.import_async(text, text, text, jsonb) IS
	'Queues an import of a server file (csv, json or ndjson) as a background job and returns its job_id; progress is the share of the file read.';

-- =====================================================================
-- Audit and quotas (docs/security.md)
-- =====================================================================

CREATE TABLE automl.audit_log (
	at			timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	role		name NOT NULL DEFAULT CURRENT_USER,
	action		text NOT NULL,
	object		text NOT NULL,
	details		jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON automl.audit_log (at);
COMMENT ON TABLE automl.audit_log IS
	'Append-only record of every deploy, undeploy, drop, cancel, import and quota change, and of every change a member of automl_admin makes; readable by administrators.';
COMMENT ON COLUMN automl.audit_log.at IS 'When it happened (clock time, not the transaction start).';
COMMENT ON COLUMN automl.audit_log.role IS 'The role that did it.';
COMMENT ON COLUMN automl.audit_log.action IS 'deploy, undeploy, drop, cancel, import, quota; for administrators also create_version, submit, profile.';
COMMENT ON COLUMN automl.audit_log.object IS 'What it was done to, e.g. model churn version 3, job 17, table public.sales.';
COMMENT ON COLUMN automl.audit_log.details IS 'The facts of the change (scores, rows, the job''s kind, the quota values).';
SELECT pg_catalog.pg_extension_config_dump('automl.audit_log', '');

-- Rows are added only by the triggers below, in the name of the role that
-- made the change (a direct INSERT, at trigger depth 0, is refused); no
-- role but a superuser may change or remove them.
ALTER TABLE automl.audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_log_readable ON automl.audit_log FOR SELECT USING (automl._is_admin());
CREATE POLICY audit_log_append ON automl.audit_log FOR INSERT
	WITH CHECK (role OPERATOR(pg_catalog.=) CURRENT_USER AND pg_catalog.pg_trigger_depth() OPERATOR(pg_catalog.>) 0);
COMMENT ON POLICY audit_log_readable ON automl.audit_log IS 'Administrators read the audit log.';
COMMENT ON POLICY audit_log_append ON automl.audit_log IS
	'Entries are written by automl''s triggers only, in the name of the role that made the change.';
GRANT SELECT ON automl.audit_log TO automl_admin;
GRANT INSERT ON automl.audit_log TO automl_viewer;

CREATE FUNCTION automl._audit_append_only()
	RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = CURRENT_USER) THEN
		RAISE EXCEPTION 'automl.audit_log is append-only'
			USING ERRCODE = '42501', HINT = 'Only a superuser may change or remove audit entries.';
	END IF;
	RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
COMMENT ON FUNCTION automl._audit_append_only() IS
	'Trigger: refuses UPDATE, DELETE and TRUNCATE of automl.audit_log to all but superusers.';
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON automl.audit_log
	FOR EACH ROW EXECUTE FUNCTION automl._audit_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON automl.audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION automl._audit_append_only();

-- One trigger function for the audited tables: what changed, and whether
-- it is audited for every role or only for administrators.
CREATE FUNCTION automl._audit_change()
	RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	act text;
	obj text;
	det jsonb := '{}';
	always boolean := true;
BEGIN
	IF TG_TABLE_NAME = 'models' THEN
		IF TG_OP = 'INSERT' THEN
			-- a version stored deployed is a deploy
			act := CASE WHEN NEW.deployed THEN 'deploy' ELSE 'create_version' END;
			always := NEW.deployed;
			obj := format('model %s version %s', NEW.model_name, NEW.version);
			det := jsonb_build_object('model_id', NEW.model_id, 'algorithm', NEW.algorithm, 'score', NEW.score,
									  'deployed', NEW.deployed);
		ELSIF TG_OP = 'DELETE' THEN
			act := 'drop';
			obj := format('model %s version %s', OLD.model_name, OLD.version);
			det := jsonb_build_object('model_id', OLD.model_id, 'created_by', OLD.created_by, 'was_deployed', OLD.deployed);
		ELSIF NEW.deployed AND NOT OLD.deployed THEN
			act := 'deploy';
			obj := format('model %s version %s', NEW.model_name, NEW.version);
			det := jsonb_build_object('model_id', NEW.model_id, 'score', NEW.score, 'created_by', NEW.created_by);
		ELSIF OLD.deployed AND NOT NEW.deployed THEN
			act := 'undeploy';
			obj := format('model %s version %s', NEW.model_name, NEW.version);
			det := jsonb_build_object('model_id', NEW.model_id);
		ELSE
			RETURN NULL;
		END IF;
	ELSIF TG_TABLE_NAME = 'jobs' THEN
		IF TG_OP = 'INSERT' THEN
			act := 'submit'; always := false;
			obj := format('job %s', NEW.job_id);
			det := jsonb_build_object('kind', NEW.kind, 'args', NEW.args);
		ELSIF NEW.status = 'cancelled' AND OLD.status <> 'cancelled' THEN
			act := 'cancel';
			obj := format('job %s', NEW.job_id);
			det := jsonb_build_object('kind', NEW.kind, 'submitted_by', NEW.submitted_by, 'was', OLD.status,
									  'reason', NEW.error);
		ELSE
			RETURN NULL;
		END IF;
	ELSIF TG_TABLE_NAME = 'datasets' THEN
		act := 'import';
		obj := format('table %s', NEW."table");
		det := jsonb_build_object('import_id', NEW.import_id, 'format', NEW.format, 'source', NEW.source,
								  'rows', NEW.rows, 'rejected', NEW.rejected, 'bytes', NEW.bytes);
	ELSIF TG_TABLE_NAME = 'profiles' THEN
		act := 'profile'; always := false;
		obj := format('relation %s', NEW.relation);
	ELSIF TG_TABLE_NAME = 'quotas' THEN
		act := 'quota';
		obj := format('role %s', CASE WHEN TG_OP = 'DELETE' THEN OLD.role ELSE NEW.role END);
		det := jsonb_build_object('operation', lower(TG_OP),
								  'old', CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END,
								  'new', CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END);
	END IF;
	IF always OR automl._is_admin() THEN
		INSERT INTO automl.audit_log (role, action, object, details) VALUES (CURRENT_USER, act, obj, det);
	END IF;
	RETURN NULL;
END $$;
COMMENT ON FUNCTION automl._audit_change() IS
	'Trigger: appends deploys, undeploys, drops, cancels, imports and quota changes (and every change by an administrator) to automl.audit_log.';
CREATE TRIGGER models_audit AFTER INSERT OR UPDATE OF deployed OR DELETE ON automl.models
	FOR EACH ROW EXECUTE FUNCTION automl._audit_change();
CREATE TRIGGER jobs_audit AFTER INSERT OR UPDATE OF status ON automl.jobs
	FOR EACH ROW EXECUTE FUNCTION automl._audit_change();
CREATE TRIGGER datasets_audit AFTER INSERT ON automl.datasets
	FOR EACH ROW EXECUTE FUNCTION automl._audit_change();
CREATE TRIGGER profiles_audit AFTER INSERT ON automl.profiles
	FOR EACH ROW EXECUTE FUNCTION automl._audit_change();

CREATE TABLE automl.quotas (
	role		name PRIMARY KEY,
	max_trainings_per_hour int CHECK (max_trainings_per_hour >= 0),
	max_concurrent_jobs int CHECK (max_concurrent_jobs >= 0)
);
COMMENT ON TABLE automl.quotas IS
	'Per-role limits; a NULL (or a role not listed) takes the default of the GUC automl.max_trainings_per_hour or automl.max_jobs_per_role. 0 trainings an hour means no limit.';
COMMENT ON COLUMN automl.quotas.role IS 'The role limited (its own calls, not its members'').';
COMMENT ON COLUMN automl.quotas.max_trainings_per_hour IS 'Model versions (trained, imported or detectors) the role may store in any hour; 0: no limit.';
COMMENT ON COLUMN automl.quotas.max_concurrent_jobs IS 'Background jobs the role may have queued or running at once.';
SELECT pg_catalog.pg_extension_config_dump('automl.quotas', '');
ALTER TABLE automl.quotas ENABLE ROW LEVEL SECURITY;
CREATE POLICY quotas_readable ON automl.quotas FOR SELECT
	USING (role OPERATOR(pg_catalog.=) CURRENT_USER OR automl._is_admin());
CREATE POLICY quotas_admin ON automl.quotas FOR ALL
	USING (automl._is_admin()) WITH CHECK (automl._is_admin());
COMMENT ON POLICY quotas_readable ON automl.quotas IS 'A role reads its own quota; administrators all.';
COMMENT ON POLICY quotas_admin ON automl.quotas IS 'Administrators set quotas.';
GRANT SELECT ON automl.quotas TO automl_viewer;
GRANT INSERT, UPDATE, DELETE ON automl.quotas TO automl_admin;
CREATE TRIGGER quotas_audit AFTER INSERT OR UPDATE OR DELETE ON automl.quotas
	FOR EACH ROW EXECUTE FUNCTION automl._audit_change();

-- The hint gives when to retry: when the oldest of the trainings that fill
-- the quota leaves the hour.
CREATE FUNCTION automl._check_training_quota()
	RETURNS boolean
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	lim int;
	n bigint;
	oldest timestamptz;
BEGIN
	SELECT q.max_trainings_per_hour INTO lim FROM automl.quotas q WHERE q.role = CURRENT_USER;
	lim := coalesce(lim, nullif(current_setting('automl.max_trainings_per_hour', true), '')::int, 0);
	IF lim = 0 THEN
		RETURN true;
	END IF;
	SELECT count(*), min(s.created_at) INTO n, oldest
	  FROM (SELECT m.created_at FROM automl.models m
			 WHERE m.created_by = CURRENT_USER AND m.created_at > now() - interval '1 hour'
			 ORDER BY m.created_at DESC LIMIT lim) s;
	IF n >= lim THEN
		RAISE EXCEPTION 'role "%" has stored % model versions in the last hour, its quota', CURRENT_USER, n
			USING ERRCODE = '53400',
				  HINT = format('retry after %s seconds (max_trainings_per_hour of role %s is %s; see automl.quotas)',
								greatest(1, ceil(extract(epoch FROM oldest + interval '1 hour' - clock_timestamp())))::bigint,
								CURRENT_USER, lim);
	END IF;
	RETURN true;
END $$;
COMMENT ON FUNCTION automl._check_training_quota() IS
	'Raises 53400 when the current role has used its max_trainings_per_hour (automl.quotas, else automl.max_trainings_per_hour); true otherwise.';

-- =====================================================================
-- Monitoring (docs/monitoring.md): calls, time, errors and rows of every
-- automl C function, kept in shared memory when automl is in
-- shared_preload_libraries
-- =====================================================================

CREATE FUNCTION automl._stats()
	RETURNS TABLE(function pg_catalog.text, calls pg_catalog.int8, total_ms pg_catalog.float8,
				  mean_ms pg_catalog.float8, max_ms pg_catalog.float8, errors pg_catalog.int8,
				  rows pg_catalog.int8)
	AS 'MODULE_PATHNAME', 'automl_stats'
	LANGUAGE C VOLATILE PARALLEL RESTRICTED SECURITY INVOKER;
COMMENT ON FUNCTION automl._stats() IS
	'Internal (automl.stats): the shared call statistics of the automl functions, one row per function name; errors 55000 unless automl is in shared_preload_libraries.';

CREATE VIEW automl.stats AS SELECT * FROM automl._stats();
COMMENT ON VIEW automl.stats IS
	'Calls, time, errors and rows of every automl C function since the server started or automl.reset_stats(), summed over all sessions and databases; needs automl in shared_preload_libraries.';
COMMENT ON COLUMN automl.stats.function IS 'The function, schema-qualified; its overloads share a row.';
COMMENT ON COLUMN automl.stats.calls IS 'Calls: once per row for a per-row function such as predict, once per scan for a set-returning one.';
COMMENT ON COLUMN automl.stats.total_ms IS 'Time spent in the calls, in milliseconds (failed calls included); for per-row functions partly estimated from sampled calls.';
COMMENT ON COLUMN automl.stats.mean_ms IS 'total_ms / calls (0 without calls).';
COMMENT ON COLUMN automl.stats.max_ms IS 'The longest call, in milliseconds (of the timed calls of per-row functions).';
COMMENT ON COLUMN automl.stats.errors IS 'Calls that ended in an error (included in calls).';
COMMENT ON COLUMN automl.stats.rows IS 'Rows the function returned as a set, or reported as processed (e.g. imported).';
-- how the functions are used is for administrators (and monitoring roles
-- they grant it to, e.g. postgres_exporter's)
GRANT SELECT ON automl.stats TO automl_admin;

CREATE FUNCTION automl.reset_stats()
	RETURNS void
	AS 'MODULE_PATHNAME', 'automl_reset_stats'
	LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY INVOKER;
COMMENT ON FUNCTION automl.reset_stats() IS
	'Zeroes automl.stats for all sessions and databases; errors 55000 unless automl is in shared_preload_libraries.';

-- =====================================================================
-- Who may call what (docs/security.md): nothing for PUBLIC; viewers
-- predict and read; analysts also train, profile, detect, import and run
-- jobs; administrators also act on every role's models and jobs
-- =====================================================================

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA automl FROM PUBLIC;

-- By name, so that every overload is covered; a function in none of the
-- lists fails the installation, so that a new one cannot be forgotten.
DO $$
DECLARE
	f record;
	viewer text[] := ARRAY['_is_member', '_is_admin', 'predict', 'predict_label', 'predict_proba',
		'anomaly_score', 'is_anomaly', 'anomaly_explanation', 'explain', 'feature_importance',
		'model_report', 'leaderboard', 'get_profile', 'profile_report', 'insights'];
	analyst text[] := ARRAY['_may_add_version', '_next_version', '_check_training_quota',
		'_job_submitted', '_job_submit', '_job_stop', 'train', 'train_async', 'train_detector',
		'profile', 'profile_async', 'profile_agg', 'profile_columns', 'detect_anomalies', 'forecast',
		'evaluate', 'drift', 'deploy', 'drop_model', 'export_model', 'import_model',
		'import_csv', 'import_csv_file', 'import_json', 'import_json_file', 'import_async',
		'wait_job', 'cancel_job'];
	admin text[] := ARRAY['_stats', 'reset_stats'];
	-- triggers and aggregate support functions: called by the server, not by roles
	internal text[] := ARRAY['models_changed', '_audit_change', '_audit_append_only',
		'profile_agg_transfn', 'profile_agg_final', 'profile_agg_combine', 'profile_agg_serialize',
		'profile_agg_deserialize', 'profile_columns_transfn', 'profile_columns_final'];
	grantee text;
BEGIN
	FOR f IN SELECT p.oid::pg_catalog.regprocedure AS sig, p.proname::text AS name
			   FROM pg_catalog.pg_proc p
			  WHERE p.pronamespace OPERATOR(pg_catalog.=) 'automl'::pg_catalog.regnamespace
	LOOP
		grantee := CASE WHEN f.name = ANY (viewer) THEN 'automl_viewer'
						WHEN f.name = ANY (analyst) THEN 'automl_analyst'
						WHEN f.name = ANY (admin) THEN 'automl_admin' END;
		IF grantee IS NOT NULL THEN
			EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO %I', f.sig, grantee);
		ELSIF NOT f.name = ANY (internal) THEN
			RAISE EXCEPTION 'automl function % is in no role''s list', f.sig;
		END IF;
	END LOOP;
END $$;

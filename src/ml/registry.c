/*-------------------------------------------------------------------------
 *
 * registry.c
 *	  The model registry, automl.models: storing new versions, deciding
 *	  deployment, importing images, and telling every backend when a
 *	  model name's deployment changes.
 *
 * Backends cache decoded models (predict.c).  A statement-level trigger
 * on automl.models sends a relcache invalidation for the table on every
 * change, whoever makes it and however (automl.deploy, drop_model, train,
 * or plain SQL); PostgreSQL delivers it to every backend at commit, and
 * their relcache callback (predict.c) drops the cached models.  So a
 * deploy in one session is seen by the next prediction in all others.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "common/json_out.h"
#include "ml/model.h"
#include "ml/registry.h"
#include "ml/search.h"
#include "ml/train.h"

PG_FUNCTION_INFO_V1(automl_models_changed);
PG_FUNCTION_INFO_V1(automl_import_model);

Oid
registry_relid(void)
{
	Oid			nsp = get_namespace_oid("automl", false);
	Oid			relid = get_relname_relid("models", nsp);

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table automl.models does not exist"),
				 errhint("Reinstall the extension: DROP EXTENSION automl; CREATE EXTENSION automl.")));
	return relid;
}

/* Trigger on automl.models: every change invalidates the model caches. */
Datum
automl_models_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("automl.models_changed() must be called as a trigger")));
	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	return PointerGetDatum(NULL);
}

/*
 * Serialise versioning and deployment of one model name until commit, so
 * that two trainings of the same name get different versions and at most
 * one deployed version.
 */
void
registry_lock_name(const char *model_name)
{
	int			ret;
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(model_name)};

	ret = SPI_execute_with_args("SELECT pg_catalog.pg_advisory_xact_lock(1634561388, pg_catalog.hashtext($1))",
								1, argtypes, values, NULL, false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not lock model name: %s", SPI_result_code_string(ret));
}

/*
 * Before training: the role's quota (automl.quotas) and its right to the
 * name (a name belongs to the role that stored its first version), so that
 * a refused training fails at once, not after its work.
 */
void
registry_check_training(const char *model_name)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(model_name)};
	bool		isnull;
	int			ret;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args("SELECT automl._may_add_version($1, CURRENT_USER),"
								" automl._check_training_quota()",
								1, argtypes, values, NULL, false, 0);
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not check the training quota: %s", SPI_result_code_string(ret));
	if (!DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("model \"%s\" belongs to another role", model_name),
				 errdetail("Its first version was stored by a role that the current role is not a member of."),
				 errhint("Choose another model name, or ask a member of automl_admin.")));
	SPI_finish();
}

/* Score of the deployed version of model_name; false if none is deployed. */
static bool
deployed_score(const char *model_name, double *score, bool *score_null)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(model_name)};
	int			ret;

	ret = SPI_execute_with_args("SELECT score FROM automl.models WHERE model_name = $1 AND deployed",
								1, argtypes, values, NULL, false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read automl.models: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
		return false;
	*score = DatumGetFloat8(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
										  1, score_null));
	return true;
}

bool
registry_should_deploy(const char *model_name, int deploy_mode, double score,
					   bool score_null)
{
	double		old;
	bool		old_null;

	if (deploy_mode == REGISTRY_DEPLOY_ALWAYS)
		return true;
	if (deploy_mode == REGISTRY_DEPLOY_NEVER)
		return false;
	if (!deployed_score(model_name, &old, &old_null))
		return true;
	if (score_null)
		return false;
	return old_null || score > old;
}

static bool model_strings_valid(const MlModel *m);

/*
 * A model every reader would refuse must not be stored: training on values
 * near the limits of double precision (1e308) can fit non-finite
 * parameters, and labels may pass the decoder's limits.  The image is
 * decoded once, as predict() would.
 */
static void
check_image_decodes(const RegistryRow *row)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "automl image check",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	MlModel    *m = model_decode(VARDATA_ANY(row->image), VARSIZE_ANY_EXHDR(row->image));
	bool		ok = m != NULL && model_strings_valid(m);

	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("model \"%s\" was not stored: its fitted parameters are not finite or out of range",
						row->model_name),
				 errdetail("Columns with values near the limits of double precision (such as 1e308) overflow the fit; class labels may be at most 64 kB."),
				 errhint("Scale or clip such columns, or leave them out with options.exclude.")));
}

int64
registry_insert(const RegistryRow *row, int *version)
{
	Oid			argtypes[15] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, JSONBOID,
		TEXTARRAYOID, JSONBOID, JSONBOID, FLOAT8OID, INT8OID, FLOAT8OID,
	BOOLOID, BYTEAOID, INT8OID, JSONBOID};
	Datum		values[15];
	char		nulls[15];
	int			ret;
	bool		isnull;
	int64		model_id;

	check_image_decodes(row);
	memset(nulls, ' ', sizeof(nulls));
	values[0] = CStringGetTextDatum(row->model_name);
	values[1] = CStringGetTextDatum(row->task);
	values[2] = CStringGetTextDatum(row->algorithm);
	values[3] = CStringGetTextDatum(row->target);
	values[4] = DirectFunctionCall1(jsonb_in, CStringGetDatum(row->features_json));
	if (row->classes)
		values[5] = PointerGetDatum(row->classes);
	else
		nulls[5] = 'n';
	values[6] = DirectFunctionCall1(jsonb_in, CStringGetDatum(row->hyperparams_json));
	values[7] = DirectFunctionCall1(jsonb_in, CStringGetDatum(row->metrics_json));
	values[8] = Float8GetDatum(row->score);
	if (row->score_null)
		nulls[8] = 'n';
	values[9] = Int64GetDatum(row->train_rows);
	values[10] = Float8GetDatum(row->training_seconds);
	values[11] = BoolGetDatum(row->deploy);
	values[12] = PointerGetDatum(row->image);
	values[13] = Int64GetDatum(VARSIZE_ANY_EXHDR(row->image));
	values[14] = DirectFunctionCall1(jsonb_in, CStringGetDatum(row->diagnostics_json));

	if (row->deploy)
	{
		ret = SPI_execute_with_args("UPDATE automl.models SET deployed = false WHERE model_name = $1 AND deployed",
									1, argtypes, values, nulls, false, 0);
		if (ret != SPI_OK_UPDATE)
			elog(ERROR, "could not update automl.models: %s", SPI_result_code_string(ret));
	}
	ret = SPI_execute_with_args("INSERT INTO automl.models"
								" (model_name, version, task, algorithm, target, features, classes,"
								"  hyperparams, metrics, score, train_rows, training_seconds, deployed,"
								"  deployed_at, model, size_bytes, diagnostics)"
								" VALUES ($1, automl._next_version($1), $2, $3, $4, $5, $6, $7, $8, $9,"
								"  $10, $11, $12, CASE WHEN $12 THEN pg_catalog.now() END, $13, $14, $15)"
								" RETURNING model_id, version",
								15, argtypes, values, nulls, false, 0);
	if (ret != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
		elog(ERROR, "could not insert into automl.models: %s", SPI_result_code_string(ret));
	model_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	*version = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	return model_id;
}

/*
 * Record the trials of a search in automl.trials (inside SPI); trials[best]
 * is the one refitted as the model.
 */
void
registry_insert_trials(const char *model_name, int version, int64 model_id,
					   const char *metric, const SearchTrial *trials, int ntrials, int best)
{
	Oid			argtypes[12] = {TEXTOID, INT4OID, INT8OID, INT4OID, TEXTOID, JSONBOID,
	FLOAT8OID, FLOAT8OID, TEXTOID, TEXTOID, FLOAT8OID, BOOLOID};

	for (int i = 0; i < ntrials; i++)
	{
		const SearchTrial *t = &trials[i];
		Datum		values[12];
		char		nulls[12];
		int			ret;

		memset(nulls, ' ', sizeof(nulls));
		values[0] = CStringGetTextDatum(model_name);
		values[1] = Int32GetDatum(version);
		values[2] = Int64GetDatum(model_id);
		values[3] = Int32GetDatum(t->trial);
		values[4] = CStringGetTextDatum(t->alg->name);
		values[5] = DirectFunctionCall1(jsonb_in,
										CStringGetDatum(train_hyperparams_json(t->alg, &t->hp)));
		values[6] = Float8GetDatum(t->score);
		if (!isfinite(t->score))
			nulls[6] = 'n';
		values[7] = Float8GetDatum(t->fit_seconds);
		values[8] = CStringGetTextDatum(t->status);
		values[9] = CStringGetTextDatum(metric);
		values[10] = Float8GetDatum(t->score_se);
		if (!isfinite(t->score_se))
			nulls[10] = 'n';
		values[11] = BoolGetDatum(i == best);
		ret = SPI_execute_with_args("INSERT INTO automl.trials (model_name, version, model_id, trial,"
									" algorithm, hyperparams, score, fit_seconds, status, metric,"
									" score_se, selected)"
									" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
									12, argtypes, values, nulls, false, 0);
		if (ret != SPI_OK_INSERT)
			elog(ERROR, "could not insert into automl.trials: %s", SPI_result_code_string(ret));
	}
}

/* ERROR unless model_name can name a model. */
void
registry_check_name(const char *model_name)
{
	if (model_name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model name must not be empty")));
	if (strlen(model_name) > REGISTRY_MAX_NAME)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("model name is longer than %d bytes", REGISTRY_MAX_NAME)));
}

/* Whether s is valid text in the server's encoding. */
static bool
text_valid(const char *s)
{
	return s == NULL || pg_verifymbstr(s, strlen(s), true);
}

/*
 * Whether every string of an imported model is valid text here: names and
 * labels become text values of the registry and of query results, and an
 * image may come from anywhere.
 */
static bool
model_strings_valid(const MlModel *m)
{
	if (!text_valid(m->target) || !text_valid(m->info))
		return false;
	for (int c = 0; c < m->nclasses; c++)
		if (!text_valid(m->classes[c]))
			return false;
	for (int f = 0; f < m->pp->nfeatures; f++)
	{
		const FeatureSpec *fs = &m->pp->features[f];

		if (!text_valid(fs->name) || !text_valid(fs->type_name))
			return false;
		for (int c = 0; c < fs->ncats; c++)
			if (!text_valid(fs->cats[c]))
				return false;
	}
	return true;
}

/*
 * automl.import_model(model_name text, data bytea) RETURNS bigint
 *
 * Stores an exported image as a new version of model_name.  It is deployed
 * when no version of that name is.
 */
Datum
automl_import_model(PG_FUNCTION_ARGS)
{
	char	   *model_name;
	bytea	   *data;
	MlModel    *m;
	RegistryRow row;
	int			version;
	int64		model_id;
	MemoryContext cxt,
				old;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model name and data must not be NULL")));
	model_name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	registry_check_name(model_name);
	data = PG_GETARG_BYTEA_P(1);

	cxt = AllocSetContextCreate(CurrentMemoryContext, "automl import", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	m = model_decode(VARDATA(data), VARSIZE(data) - VARHDRSZ);
	MemoryContextSwitchTo(old);
	if (m == NULL || !model_strings_valid(m))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("model data is corrupt"),
				 errdetail("The %zu bytes given for model \"%s\" are not an automl model image of format version %d.",
						   (size_t) (VARSIZE(data) - VARHDRSZ), model_name, MODEL_FORMAT_VERSION)));

	memset(&row, 0, sizeof(row));
	registry_row_from_model(&row, m, model_name);
	registry_check_training(model_name);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	registry_lock_name(model_name);
	row.deploy = registry_should_deploy(model_name, REGISTRY_DEPLOY_AUTO, 0, true);
	row.image = data;
	model_id = registry_insert(&row, &version);
	SPI_finish();
	MemoryContextDelete(cxt);
	PG_RETURN_INT64(model_id);
}

const char *
model_task_name(MlTask task)
{
	switch (task)
	{
		case ML_CLASSIFICATION:
			return "classification";
		case ML_ANOMALY:
			return "anomaly";
		default:
			return "regression";
	}
}

static const char *
feature_kind_name(FeatureKind kind)
{
	switch (kind)
	{
		case FEAT_NUMERIC:
			return "numeric";
		case FEAT_BOOLEAN:
			return "boolean";
		case FEAT_CATEGORICAL:
			return "categorical";
		case FEAT_DATE:
			return "date";
		case FEAT_TIMESTAMP:
			return "timestamp";
	}
	return "unknown";
}

/*
 * The features jsonb of the registry: per feature its name, SQL type, kind,
 * encoding and what replaces a missing value.
 */
char *
model_features_json(const MlModel *m)
{
	StringInfoData buf;
	JsonWriter	w;
	const Preprocessor *pp = m->pp;

	initStringInfo(&buf);
	jw_init(&w, &buf);
	jw_begin_array(&w);
	for (int f = 0; f < pp->nfeatures; f++)
	{
		const FeatureSpec *fs = &pp->features[f];

		jw_begin_object(&w);
		jw_key(&w, "name");
		jw_string(&w, fs->name);
		jw_key(&w, "type");
		jw_string(&w, fs->type_name);
		jw_key(&w, "kind");
		jw_string(&w, feature_kind_name(fs->kind));
		jw_key(&w, "encoding");
		if (fs->kind == FEAT_CATEGORICAL)
			jw_string(&w, pp->one_hot ? "one_hot" : "ordinal");
		else if (fs->kind == FEAT_DATE || fs->kind == FEAT_TIMESTAMP)
			jw_string(&w, pp->one_hot ? "epoch_and_parts_standardized" : "epoch_and_parts");
		else
			jw_string(&w, pp->one_hot ? "standardized" : "value");
		if (fs->kind == FEAT_CATEGORICAL)
		{
			jw_key(&w, "categories");
			jw_int64(&w, fs->ncats);
			jw_key(&w, "impute");
			if ((int) fs->impute < fs->ncats)
				jw_string(&w, fs->cats[(int) fs->impute]);
			else
				jw_string(&w, "(other)");
		}
		else
		{
			jw_key(&w, "impute");
			if (fs->kind == FEAT_BOOLEAN)
				jw_bool(&w, fs->impute != 0);
			else
				jw_double(&w, fs->impute);
		}
		jw_end_object(&w);
	}
	jw_end_array(&w);
	return buf.data;
}

void
registry_row_from_model(RegistryRow *row, const MlModel *m, const char *model_name)
{
	row->model_name = model_name;
	row->task = model_task_name(m->task);
	row->algorithm = m->alg->name;
	row->target = m->target;
	row->features_json = model_features_json(m);
	row->classes = NULL;
	if (m->nclasses > 0)
	{
		Datum	   *labels = palloc(sizeof(Datum) * m->nclasses);

		for (int c = 0; c < m->nclasses; c++)
			labels[c] = CStringGetTextDatum(m->classes[c]);
		row->classes = construct_array(labels, m->nclasses, TEXTOID, -1, false, TYPALIGN_INT);
	}
	model_info_parse(m->info, &row->hyperparams_json, &row->metrics_json,
					 &row->diagnostics_json,
					 &row->score, &row->score_null, &row->train_rows,
					 &row->training_seconds);
}

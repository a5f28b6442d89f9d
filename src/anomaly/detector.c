/*-------------------------------------------------------------------------
 *
 * detector.c
 *	  Stored anomaly detectors: automl.train_detector, anomaly_score,
 *	  is_anomaly and anomaly_explanation.
 *
 * A detector is a model version in automl.models (task 'anomaly'), with
 * the same image format, checksum, cache and deployment as trained models:
 * train_detector deploys the new version, and the scoring functions use
 * the deployed one, matching a row's columns by name (or a numeric array
 * in column order, or jsonb) through the prediction path, so that they
 * are fast enough for a trigger.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "anomaly/anomaly_data.h"
#include "anomaly/anomaly_text.h"
#include "anomaly/detect.h"
#include "common/json_out.h"
#include "ml/model.h"
#include "ml/model_cache.h"
#include "ml/predict.h"
#include "ml/registry.h"

PG_FUNCTION_INFO_V1(automl_train_detector);
PG_FUNCTION_INFO_V1(automl_anomaly_score);
PG_FUNCTION_INFO_V1(automl_is_anomaly);
PG_FUNCTION_INFO_V1(automl_anomaly_explanation);

/* The numeric columns as a preprocessor: NULLs become training medians. */
static Preprocessor *
numeric_preprocessor(const AnomalyData *d)
{
	Preprocessor *pp = palloc0(sizeof(Preprocessor));
	int64	   *idx = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int64) * Max(d->n, 1));

	pp->nfeatures = d->ncols;
	pp->features = palloc0(sizeof(FeatureSpec) * d->ncols);
	for (int j = 0; j < d->ncols; j++)
	{
		pp->features[j].name = d->names[j];
		pp->features[j].type_name = "double precision";
		pp->features[j].kind = FEAT_NUMERIC;
	}
	for (int64 i = 0; i < d->n; i++)
		idx[i] = i;
	preprocess_fit(pp, d->cols, idx, d->n);
	pfree(idx);
	return pp;
}

static char *
detector_info(const char *method, const MlModel *m, const AnomalyData *d, double threshold,
			  int64 anomalies, double seconds, const DetectOptions *o)
{
	StringInfoData buf;
	JsonWriter	w;

	initStringInfo(&buf);
	jw_init(&w, &buf);
	jw_begin_object(&w);
	jw_key(&w, "hyperparams");
	jw_begin_object(&w);
	jw_key(&w, "threshold");
	jw_double(&w, threshold);
	if (strcmp(method, "iqr") == 0)
	{
		jw_key(&w, "k");
		jw_double(&w, o->k);
	}
	jw_key(&w, "seed");
	jw_int64(&w, (int64) o->seed);
	jw_end_object(&w);
	jw_key(&w, "metrics");
	jw_begin_object(&w);
	jw_key(&w, "train_rows");
	jw_int64(&w, d->n);
	jw_key(&w, "anomalies");
	jw_int64(&w, anomalies);
	jw_key(&w, "anomaly_fraction");
	jw_double(&w, d->n > 0 ? (double) anomalies / d->n : NAN);
	jw_end_object(&w);
	jw_key(&w, "train_rows");
	jw_int64(&w, d->n);
	jw_key(&w, "training_seconds");
	jw_double(&w, seconds);
	jw_end_object(&w);
	return buf.data;
}

/*
 * automl.train_detector(name text, relation regclass, columns text[],
 * method text, options jsonb) RETURNS bigint: the new version's model_id.
 */
Datum
automl_train_detector(PG_FUNCTION_ARGS)
{
	char	   *name;
	const char *method;
	DetectOptions opt;
	AnomalyData *d;
	MlModel		m;
	MlHyperparams hp;
	MlData		data;
	char		errbuf[ML_ERRBUF_SIZE];
	double	   *design;
	int64	   *idx;
	int64		anomalies = 0;
	double	   *scores;
	TimestampTz start = GetCurrentTimestamp();
	uint8	   *image;
	size_t		len;
	bytea	   *blob;
	RegistryRow row;
	int64		model_id;
	int			version;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("name and relation must not be NULL")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	registry_check_name(name);
	registry_check_training(name);
	method = PG_ARGISNULL(3) ? "auto" : text_to_cstring(PG_GETARG_TEXT_PP(3));
	detect_options_parse(PG_ARGISNULL(4) ? NULL : PG_GETARG_JSONB_P(4), &opt);
	if (opt.time_column != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("a stored detector scores single rows: options.time_column does not apply"),
				 errhint("Use automl.detect_anomalies(..., 'seasonal', ...) for seasonal anomalies.")));
	d = anomaly_data_load(PG_GETARG_OID(1), PG_ARGISNULL(2) ? NULL : PG_GETARG_ARRAYTYPE_P(2), NULL);
	if (strcmp(method, "auto") == 0)
	{
		anomaly_data_drop_flat(d);
		method = d->ncols == 1 ? "robust_zscore" : d->ncols <= 20 ? "mahalanobis" : "isolation_forest";
	}
	if (d->ncols == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("relation %s has no numeric column that varies", d->relname)));
	if (d->n < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("relation %s has %lld rows: a detector needs at least 2", d->relname, (long long) d->n)));

	memset(&m, 0, sizeof(m));
	m.task = ML_ANOMALY;
	m.alg = ml_algorithm_by_name(method);
	if (m.alg == NULL || !m.alg->anomaly)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown detector method \"%s\"", method),
				 errhint("Detectors: auto, robust_zscore, iqr, mahalanobis, isolation_forest.")));
	m.target = "";
	m.pp = numeric_preprocessor(d);

	ml_hyperparams_default(&hp);
	hp.seed = opt.seed;
	hp.detector_threshold = isnan(opt.threshold) ? 0 : opt.threshold;
	hp.detector_k = opt.k;
	idx = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int64) * d->n);
	for (int64 i = 0; i < d->n; i++)
		idx[i] = i;
	design = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * d->n * m.pp->p);
	preprocess_transform(m.pp, d->cols, idx, d->n, design);
	memset(&data, 0, sizeof(data));
	data.n = d->n;
	data.p = m.pp->p;
	data.x = design;
	data.task = ML_ANOMALY;
	errbuf[0] = '\0';
	m.fitted = m.alg->fit(&data, &hp, errbuf);
	if (m.fitted == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s detector on relation %s: %s", method, d->relname, errbuf)));

	/* how many training rows it flags */
	scores = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * d->n);
	m.alg->predict_batch(m.fitted, design, d->n, scores);
	for (int64 i = 0; i < d->n; i++)
		anomalies += scores[i] > m.alg->threshold(m.fitted);
	m.info = detector_info(method, &m, d, m.alg->threshold(m.fitted), anomalies,
						   (double) (GetCurrentTimestamp() - start) / USECS_PER_SEC, &opt);

	image = model_encode(&m, &len);
	blob = palloc(VARHDRSZ + len);
	SET_VARSIZE(blob, VARHDRSZ + len);
	memcpy(VARDATA(blob), image, len);
	memset(&row, 0, sizeof(row));
	registry_row_from_model(&row, &m, name);
	row.image = blob;
	row.deploy = true;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	registry_lock_name(name);
	model_id = registry_insert(&row, &version);
	SPI_finish();
	PG_RETURN_INT64(model_id);
}

/* The deployed detector's score of the features argument. */
static double
detector_score(FunctionCallInfo fcinfo, const MlModel **model, const char **desc, double **raw)
{
	const MlModel *m = predict_raw_values(fcinfo, false, raw, desc);
	double		out;

	if (m->task != ML_ANOMALY)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("%s is not an anomaly detector", *desc),
				 errhint("Train one with automl.train_detector().")));
	model_predict_raw((MlModel *) m, *raw, &out);
	*model = m;
	return out;
}

/* automl.anomaly_score(detector text, features anyelement | jsonb) RETURNS float8 */
Datum
automl_anomaly_score(PG_FUNCTION_ARGS)
{
	const MlModel *m;
	const char *desc;
	double	   *raw;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("detector must not be NULL")));
	if (PG_ARGISNULL(1))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(detector_score(fcinfo, &m, &desc, &raw));
}

/* automl.is_anomaly(detector text, features anyelement | jsonb) RETURNS boolean */
Datum
automl_is_anomaly(PG_FUNCTION_ARGS)
{
	const MlModel *m;
	const char *desc;
	double	   *raw;
	double		s;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("detector must not be NULL")));
	if (PG_ARGISNULL(1))
		PG_RETURN_NULL();
	s = detector_score(fcinfo, &m, &desc, &raw);
	PG_RETURN_BOOL(s > m->alg->threshold(m->fitted));
}

/*
 * automl.anomaly_explanation(detector text, features anyelement | jsonb)
 * RETURNS text: why the row scores as it does (NULL for a NULL row).
 */
Datum
automl_anomaly_explanation(PG_FUNCTION_ARGS)
{
	const MlModel *m;
	const char *desc;
	double	   *raw;
	double		s,
				t;
	double	   *share;
	char	  **names;
	char		drivers[512],
				s_txt[32],
				t_txt[32];
	const Preprocessor *pp;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("detector must not be NULL")));
	if (PG_ARGISNULL(1))
		PG_RETURN_NULL();
	s = detector_score(fcinfo, &m, &desc, &raw);
	t = m->alg->threshold(m->fitted);
	pp = m->pp;
	share = palloc(sizeof(double) * pp->p);
	names = palloc(sizeof(char *) * pp->p);
	preprocess_row(pp, raw, m->design);
	m->alg->attribute(m->fitted, m->design, share);
	for (int j = 0; j < pp->nfeatures; j++)
		names[j] = pp->features[j].name;
	anomaly_fmt_drivers(drivers, sizeof(drivers), names, share, pp->nfeatures, 3);
	anomaly_fmt_number(s_txt, sizeof(s_txt), s);
	anomaly_fmt_number(t_txt, sizeof(t_txt), t);
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("%s: %s score %s (threshold %s)%s%s",
											  s > t ? "anomalous" : "normal", m->alg->name,
											  s_txt, t_txt,
											  drivers[0] ? ", driven by " : "", drivers)));
}

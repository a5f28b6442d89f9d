/*-------------------------------------------------------------------------
 *
 * explain.c
 *	  automl.explain: additive contributions of each feature to one
 *	  prediction.
 *
 * The algorithm explains its raw output on the design columns (exact
 * contributions for linear models, path-dependent TreeSHAP for trees);
 * here they are summed over the columns each feature expands into (one-hot
 * categories, date parts), so that the base value plus the features'
 * contributions is the raw output: the value for regression, the log-odds
 * of the second class for two classes (logistic regression, boosting), the
 * predicted class's softmax input for more, and for forests and trees the
 * averaged probability of the predicted class (of the second class for
 * two).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "ml/model.h"
#include "ml/model_cache.h"
#include "ml/predict.h"

PG_FUNCTION_INFO_V1(automl_explain);

/* The input value of feature f as text, or NULL when it was missing. */
static text *
feature_value_text(const FeatureSpec *fs, double raw)
{
	char		buf[128];

	if (isnan(raw))
		return NULL;
	switch (fs->kind)
	{
		case FEAT_CATEGORICAL:
			{
				int			c = (int) raw;

				return cstring_to_text(c >= 0 && c < fs->ncats ? fs->cats[c] : "(other)");
			}
		case FEAT_BOOLEAN:
			return cstring_to_text(raw != 0 ? "true" : "false");
		case FEAT_DATE:
		case FEAT_TIMESTAMP:
			{
				TimestampTz ts;

				/* epoch seconds back to a timestamp, shown in UTC */
				ts = (TimestampTz) ((raw - ((double) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY)) * USECS_PER_SEC);
				if (IS_VALID_TIMESTAMP(ts))
				{
					struct pg_tm tm;
					fsec_t		fsec;

					if (timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) == 0)
					{
						if (fs->kind == FEAT_DATE)
							snprintf(buf, sizeof(buf), "%04d-%02d-%02d", tm.tm_year, tm.tm_mon, tm.tm_mday);
						else
							snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d+00",
									 tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
						return cstring_to_text(buf);
					}
				}
			}
			/* FALLTHROUGH */
		case FEAT_NUMERIC:
			snprintf(buf, sizeof(buf), "%.15g", raw);
			return cstring_to_text(buf);
	}
	return NULL;
}

/*
 * automl.explain(model text | model_id bigint, features anyelement)
 * RETURNS TABLE(feature text, value text, contribution float8)
 */
Datum
automl_explain(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool		by_id = get_fn_expr_argtype(fcinfo->flinfo, 0) == INT8OID;
	const MlModel *m;
	const Preprocessor *pp;
	const char *desc;
	double	   *raw;
	double	   *design;
	double	   *contrib;
	double	   *per_feature;
	int		   *order;
	double		base;
	int			out = 0;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model and features must not be NULL")));
	m = predict_raw_values(fcinfo, by_id, &raw, &desc);
	model_require_supervised(m, desc, "automl.explain");
	if (m->alg->explain == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s is a %s model, which automl cannot explain", desc, m->alg->name),
				 errhint("Linear models, logistic regression and tree ensembles can be explained; see automl.feature_importance() for the others.")));
	pp = m->pp;
	design = palloc(sizeof(double) * pp->p);
	contrib = palloc0(sizeof(double) * pp->p);
	preprocess_row(pp, raw, design);
	if (m->task == ML_CLASSIFICATION)
	{
		double	   *proba = palloc(sizeof(double) * m->nclasses);

		m->alg->predict(m->fitted, design, proba);
		out = m->nclasses == 2 ? 1 : model_argmax(proba, m->nclasses);
	}
	m->alg->explain(m->fitted, design, out, contrib, &base);

	per_feature = palloc0(sizeof(double) * pp->nfeatures);
	order = palloc(sizeof(int) * pp->nfeatures);
	for (int f = 0; f < pp->nfeatures; f++)
	{
		for (int k = 0; k < pp->features[f].design_width; k++)
			per_feature[f] += contrib[pp->features[f].design_offset + k];
		order[f] = f;
	}
	/* largest effect first, ties in feature order */
	for (int i = 1; i < pp->nfeatures; i++)
		for (int j = i; j > 0 && fabs(per_feature[order[j]]) > fabs(per_feature[order[j - 1]]); j--)
		{
			int			t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}

	InitMaterializedSRF(fcinfo, 0);
	values[0] = CStringGetTextDatum("(base)");
	nulls[1] = true;
	values[2] = Float8GetDatum(base);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	for (int i = 0; i < pp->nfeatures; i++)
	{
		int			f = order[i];
		text	   *v = feature_value_text(&pp->features[f], raw[f]);

		values[0] = CStringGetTextDatum(pp->features[f].name);
		nulls[1] = v == NULL;
		values[1] = v ? PointerGetDatum(v) : (Datum) 0;
		values[2] = Float8GetDatum(per_feature[f]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

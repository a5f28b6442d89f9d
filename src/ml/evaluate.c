/*-------------------------------------------------------------------------
 *
 * evaluate.c
 *	  automl.evaluate (the training metrics on new labelled rows) and
 *	  automl.feature_importance.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/relation.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "common/json_out.h"
#include "ml/dataset.h"
#include "ml/model_cache.h"
#include "ml/predict.h"
#include "ml/train.h"

PG_FUNCTION_INFO_V1(automl_evaluate);
PG_FUNCTION_INFO_V1(automl_feature_importance);

/* Labelled rows read so far, with the model's predictions. */
typedef struct Evaluation
{
	MlModel    *m;
	FeatureType *tt;			/* the target column's type */
	MemoryContext cxt;			/* where y and pred live */
	double	   *y;
	double	   *pred;
	int64		n;
	int64		cap;
	int64		dropped;		/* NULL target */
	int64		unknown;		/* a class the model does not know */
} Evaluation;

static int
cmp_label(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/*
 * Class index of a target value, or -1.  The classes are sorted (by label
 * for text, by value for numbers: see set_classes in train.c).
 */
static int
class_index(const MlModel *m, FeatureType *tt, Datum d)
{
	if (m->classes_numeric)
	{
		double		v;
		double	   *hit;

		if (tt->kind == FEAT_CATEGORICAL)
		{
			char	   *end;
			char	   *s = feature_value_label(tt, d);

			v = strtod(s, &end);
			if (*end != '\0')
				return -1;
		}
		else
			v = feature_value_number(tt, d);
		hit = bsearch(&v, m->class_values, m->nclasses, sizeof(double), ml_cmp_double);
		return hit ? (int) (hit - m->class_values) : -1;
	}
	else
	{
		char	   *label = tt->kind == FEAT_CATEGORICAL ? feature_value_label(tt, d) :
			(tt->kind == FEAT_BOOLEAN ? (DatumGetBool(d) ? "true" : "false") : NULL);
		char	  **hit;

		if (label == NULL)
			return -1;
		hit = bsearch(&label, m->classes, m->nclasses, sizeof(char *), cmp_label);
		return hit ? (int) (hit - m->classes) : -1;
	}
}

/* Score one row (model_scan_relation's visitor). */
static void
evaluate_row(void *arg, const double *raw, const Datum *values, const bool *nulls)
{
	Evaluation *ev = arg;
	MlModel    *m = ev->m;
	int			k = m->task == ML_CLASSIFICATION ? m->nclasses : 1;
	int			tcol = m->pp->nfeatures;
	double		y;

	if (nulls[tcol])
	{
		ev->dropped++;
		return;
	}
	if (m->task == ML_CLASSIFICATION)
	{
		int			c = class_index(m, ev->tt, values[tcol]);

		if (c < 0)
		{
			ev->unknown++;
			return;
		}
		y = c;
	}
	else
	{
		y = feature_value_number(ev->tt, values[tcol]);
		if (isnan(y))
		{
			ev->dropped++;
			return;
		}
	}
	if (ev->n == ev->cap)
	{
		ev->cap = ev->cap == 0 ? 16384 : ev->cap * 2;
		ev->y = ev->y ? repalloc_huge(ev->y, sizeof(double) * ev->cap) :
			MemoryContextAllocHuge(ev->cxt, sizeof(double) * ev->cap);
		ev->pred = ev->pred ? repalloc_huge(ev->pred, sizeof(double) * ev->cap * k) :
			MemoryContextAllocHuge(ev->cxt, sizeof(double) * ev->cap * k);
	}
	model_predict_raw(m, raw, ev->pred + ev->n * k);
	ev->y[ev->n++] = y;
}

/* automl.evaluate(model text, relation regclass) RETURNS jsonb */
Datum
automl_evaluate(PG_FUNCTION_ARGS)
{
	char	   *name;
	Oid			relid;
	const CachedModel *cm;
	MlModel    *m;
	Relation	rel;
	char	   *relname;
	StringInfoData out;
	JsonWriter	w;
	Evaluation	ev;
	FeatureType tt;
	double		score;
	bool		have_target = false;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model and relation must not be NULL")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	relid = PG_GETARG_OID(1);
	cm = model_cache_by_name(name);
	m = cm->model;
	model_require_supervised(m, psprintf("model \"%s\"", name), "automl.evaluate");

	rel = relation_open_checked(relid, AccessShareLock);
	relname = relation_quoted_name(rel);
	for (int i = 0; i < RelationGetDescr(rel)->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), m->target) == 0)
		{
			have_target = true;
			feature_type_init(&tt, att->atttypid, CurrentMemoryContext);
		}
	}
	relation_close(rel, AccessShareLock);
	if (!have_target)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("target column \"%s\" of model \"%s\" does not exist in relation %s",
						m->target, name, relname)));
	if (!tt.supported || (m->task == ML_REGRESSION && tt.kind != FEAT_NUMERIC))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("target column \"%s\" of relation %s has type %s, which model \"%s\" cannot be evaluated on",
						m->target, relname, format_type_be(tt.typid), name)));

	memset(&ev, 0, sizeof(ev));
	ev.m = m;
	ev.tt = &tt;
	ev.cxt = CurrentMemoryContext;
	model_scan_relation(m, psprintf("model \"%s\"", name), relname, m->target,
						evaluate_row, &ev);

	initStringInfo(&out);
	jw_init(&w, &out);
	jw_begin_object(&w);
	train_metrics_json(&w, m->task, m->nclasses, ev.y, ev.pred, ev.n, &score);
	jw_key(&w, "rows");
	jw_int64(&w, ev.n);
	jw_key(&w, "dropped_rows");
	jw_int64(&w, ev.dropped);
	if (m->task == ML_CLASSIFICATION)
	{
		jw_key(&w, "unknown_class_rows");
		jw_int64(&w, ev.unknown);
	}
	jw_key(&w, "model_id");
	jw_int64(&w, cm->model_id);
	jw_key(&w, "version");
	jw_int64(&w, cm->version);
	jw_end_object(&w);
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(out.data)));
}

/*
 * automl.feature_importance(model text)
 * RETURNS TABLE(feature text, importance float8)
 *
 * The algorithm's importance of each design column, summed over the
 * columns a feature expands into and normalised to sum to 1.
 */
Datum
automl_feature_importance(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const CachedModel *cm;
	const MlModel *m;
	const Preprocessor *pp;
	double	   *imp;
	double	   *per_feature;
	double		total = 0;
	int		   *order;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model must not be NULL")));
	cm = model_cache_by_name(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	m = cm->model;
	model_require_supervised(m, psprintf("model \"%s\"", text_to_cstring(PG_GETARG_TEXT_PP(0))),
							 "automl.feature_importance");
	pp = m->pp;
	InitMaterializedSRF(fcinfo, 0);
	imp = palloc0(sizeof(double) * pp->p);
	m->alg->importance(m->fitted, imp);
	per_feature = palloc0(sizeof(double) * pp->nfeatures);
	for (int f = 0; f < pp->nfeatures; f++)
	{
		for (int k = 0; k < pp->features[f].design_width; k++)
		{
			double		v = imp[pp->features[f].design_offset + k];

			if (isfinite(v) && v > 0)
				per_feature[f] += v;
		}
		total += per_feature[f];
	}
	/* most important first, ties in feature order */
	order = palloc(sizeof(int) * pp->nfeatures);
	for (int f = 0; f < pp->nfeatures; f++)
		order[f] = f;
	for (int i = 1; i < pp->nfeatures; i++)
		for (int j = i; j > 0 && per_feature[order[j]] > per_feature[order[j - 1]]; j--)
		{
			int			t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (int i = 0; i < pp->nfeatures; i++)
	{
		int			f = order[i];
		Datum		values[2];
		bool		nulls[2] = {false, false};

		values[0] = CStringGetTextDatum(pp->features[f].name);
		values[1] = Float8GetDatum(total > 0 ? per_feature[f] / total : 0.0);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

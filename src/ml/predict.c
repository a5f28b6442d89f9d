/*-------------------------------------------------------------------------
 *
 * predict.c
 *	  automl.predict, predict_label and predict_proba: score one row.
 *
 * The features argument is a row (matched to the model's features by
 * column name, extra columns ignored), a numeric array in the order of the
 * model's features, or a jsonb object keyed by feature name.  Per call
 * site (fn_extra) we keep the model with its cache generation and, for
 * rows, the column of each feature for the row type last seen, so that a
 * scan pays for a look-up and a deform per row and nothing else.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "ml/model_cache.h"
#include "ml/predict.h"

PG_FUNCTION_INFO_V1(automl_predict);
PG_FUNCTION_INFO_V1(automl_predict_by_id);
PG_FUNCTION_INFO_V1(automl_predict_label);
PG_FUNCTION_INFO_V1(automl_predict_label_by_id);
PG_FUNCTION_INFO_V1(automl_predict_proba);
PG_FUNCTION_INFO_V1(automl_predict_proba_by_id);

typedef enum PredictOutput
{
	OUT_VALUE,
	OUT_LABEL,
	OUT_PROBA
} PredictOutput;

/* What a call site keeps between rows. */
typedef struct PredictCall
{
	uint64		generation;		/* model_cache_generation of model */
	bool		by_id;
	int64		model_id;
	text	   *name;			/* copy of the model argument */
	const CachedModel *cm;
	RowMapping	map;			/* for row arguments */
	double	   *raw;
	double	   *out;
	/* the features argument's type, the same for every row of the site */
	Oid			argtype;		/* InvalidOid until the first row */
	char		form;			/* 'j' jsonb, 'r' row, 'a' numeric array */
	FeatureType elem;			/* arrays: the element type */
	int16		elem_len;
	bool		elem_byval;
	char		elem_align;
} PredictCall;

/* A readable name of the model for messages. */
static const char *
call_model_name(const PredictCall *pc)
{
	if (pc->by_id)
		return psprintf("model_id %lld", (long long) pc->model_id);
	return psprintf("model \"%s\"", text_to_cstring(pc->name));
}

void
row_mapping_build(RowMapping *map, const MlModel *m, TupleDesc desc,
				  int natts, const char *model_desc, MemoryContext cxt)
{
	const Preprocessor *pp = m->pp;

	map->natts = natts;
	map->attno = MemoryContextAlloc(cxt, sizeof(int) * pp->nfeatures);
	map->types = MemoryContextAllocZero(cxt, sizeof(FeatureType) * pp->nfeatures);
	for (int f = 0; f < pp->nfeatures; f++)
	{
		const FeatureSpec *fs = &pp->features[f];
		int			found = -1;

		for (int i = 0; i < natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);

			if (!att->attisdropped && strcmp(NameStr(att->attname), fs->name) == 0)
			{
				found = i;
				break;
			}
		}
		if (found < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("feature \"%s\" of %s is missing from the row", fs->name, model_desc),
					 errhint("Pass a row with a column named \"%s\" of type %s.", fs->name, fs->type_name)));
		map->attno[f] = found;
		feature_type_init(&map->types[f], TupleDescAttr(desc, found)->atttypid, cxt);
		if (!map->types[f].supported ||
			(map->types[f].kind != fs->kind &&
			 !(fs->kind == FEAT_NUMERIC && map->types[f].kind == FEAT_BOOLEAN) &&
			 !(fs->kind == FEAT_TIMESTAMP && map->types[f].kind == FEAT_DATE) &&
			 !(fs->kind == FEAT_DATE && map->types[f].kind == FEAT_TIMESTAMP)))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" has type %s, but %s was trained on %s",
							fs->name, format_type_be(TupleDescAttr(desc, found)->atttypid),
							model_desc, fs->type_name)));
	}
}

/*
 * Read the model's feature columns (and extra_column, when not NULL, as
 * one more column after them) from relname (already quoted) through an SPI
 * cursor in batches, and call visit for every row with its raw feature
 * values and its deformed columns.  visit runs in a context reset after
 * each batch: what it keeps, it allocates elsewhere.  A feature column the
 * relation lacks fails in the query, named by PostgreSQL.
 */
void
model_scan_relation(const MlModel *m, const char *model_desc, const char *relname,
					const char *extra_column, ModelRowVisitor visit, void *arg)
{
	MemoryContext fn_cxt = CurrentMemoryContext;
	MemoryContext batch_cxt = AllocSetContextCreate(fn_cxt, "automl scan batch",
													ALLOCSET_DEFAULT_SIZES);
	const Preprocessor *pp = m->pp;
	double	   *raw = palloc(sizeof(double) * pp->nfeatures);
	RowMapping	map;
	StringInfoData sql;
	SPIPlanPtr	plan;
	Portal		portal;

	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT ");
	for (int f = 0; f < pp->nfeatures; f++)
		appendStringInfo(&sql, "%s%s", f ? ", " : "", quote_identifier(pp->features[f].name));
	if (extra_column)
		appendStringInfo(&sql, ", %s", quote_identifier(extra_column));
	appendStringInfo(&sql, " FROM %s", relname);

	memset(&map, 0, sizeof(map));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = SPI_prepare(sql.data, 0, NULL);
	if (plan == NULL)
		elog(ERROR, "could not prepare the query over %s: %s", relname,
			 SPI_result_code_string(SPI_result));
	portal = SPI_cursor_open(NULL, plan, NULL, NULL, true);
	for (;;)
	{
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		SPI_cursor_fetch(portal, true, MODEL_SCAN_BATCH);
		if (SPI_processed == 0)
			break;
		/* the mapping outlives SPI: the caller's context */
		old = MemoryContextSwitchTo(fn_cxt);
		if (map.attno == NULL)
		{
			map.desc = CreateTupleDescCopy(SPI_tuptable->tupdesc);
			row_mapping_build(&map, m, map.desc, pp->nfeatures, model_desc, fn_cxt);
			map.values = palloc(sizeof(Datum) * map.desc->natts);
			map.nulls = palloc(sizeof(bool) * map.desc->natts);
		}
		MemoryContextSwitchTo(batch_cxt);
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			heap_deform_tuple(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, map.values, map.nulls);
			row_mapping_raw(&map, m, map.values, map.nulls, raw);
			visit(arg, raw, map.values, map.nulls);
		}
		MemoryContextSwitchTo(old);
		SPI_freetuptable(SPI_tuptable);
		MemoryContextReset(batch_cxt);
	}
	SPI_cursor_close(portal);
	SPI_finish();
	MemoryContextDelete(batch_cxt);
}

/* Raw value of a categorical label: its category index. */
static inline double
label_raw(const FeatureSpec *fs, const char *label)
{
	return preprocess_category_index(fs, label);
}

void
row_mapping_raw(RowMapping *map, const MlModel *m, const Datum *values,
				const bool *nulls, double *raw)
{
	const Preprocessor *pp = m->pp;

	for (int f = 0; f < pp->nfeatures; f++)
	{
		int			a = map->attno[f];

		if (nulls[a])
			raw[f] = NAN;
		else if (pp->features[f].kind == FEAT_CATEGORICAL)
			raw[f] = label_raw(&pp->features[f],
							   feature_value_label(&map->types[f], values[a]));
		else
			raw[f] = feature_value_fast(&map->types[f], values[a]);
	}
}

/* Raw values from a composite datum. */
static void
raw_from_row(PredictCall *pc, FunctionCallInfo fcinfo, HeapTupleHeader td)
{
	Oid			tuptype = HeapTupleHeaderGetTypeId(td);
	int32		typmod = HeapTupleHeaderGetTypMod(td);
	RowMapping *map = &pc->map;
	HeapTupleData tuple;

	if (map->desc == NULL || map->tuptype != tuptype || map->typmod != typmod)
	{
		TupleDesc	desc = lookup_rowtype_tupdesc(tuptype, typmod);
		MemoryContext cxt = fcinfo->flinfo->fn_mcxt;
		MemoryContext old = MemoryContextSwitchTo(cxt);

		/* the copy outlives this row: the call site's context */
		map->desc = CreateTupleDescCopy(desc);
		MemoryContextSwitchTo(old);
		ReleaseTupleDesc(desc);
		map->tuptype = tuptype;
		map->typmod = typmod;
		row_mapping_build(map, pc->cm->model, map->desc, map->desc->natts,
						  call_model_name(pc), cxt);
		map->values = MemoryContextAlloc(cxt, sizeof(Datum) * map->desc->natts);
		map->nulls = MemoryContextAlloc(cxt, sizeof(bool) * map->desc->natts);
	}
	tuple.t_len = HeapTupleHeaderGetDatumLength(td);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = td;
	heap_deform_tuple(&tuple, map->desc, map->values, map->nulls);
	row_mapping_raw(map, pc->cm->model, map->values, map->nulls, pc->raw);
}

/* Raw values from a numeric array in feature order. */
static void
raw_from_array(PredictCall *pc, ArrayType *arr)
{
	const MlModel *m = pc->cm->model;
	Datum	   *elems;
	bool	   *enulls;
	int			n;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("features array must have one dimension")));
	deconstruct_array(arr, pc->elem.typid, pc->elem_len, pc->elem_byval, pc->elem_align,
					  &elems, &enulls, &n);
	if (n != m->pp->nfeatures)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("features array has %d elements, but %s has %d features",
						n, call_model_name(pc), m->pp->nfeatures)));
	for (int f = 0; f < n; f++)
	{
		const FeatureSpec *fs = &m->pp->features[f];

		if (fs->kind == FEAT_CATEGORICAL)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("feature \"%s\" of %s is categorical and cannot be given in a numeric array",
							fs->name, call_model_name(pc)),
					 errhint("Pass a row or a jsonb object instead.")));
		pc->raw[f] = enulls[f] ? NAN : feature_value_number(&pc->elem, elems[f]);
	}
}

/* Raw value of one jsonb member for feature fs. */
static double
jsonb_raw(const PredictCall *pc, const FeatureSpec *fs, JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return NAN;
		case jbvBool:
			if (fs->kind == FEAT_CATEGORICAL)
				return label_raw(fs, v->val.boolean ? "true" : "false");
			return v->val.boolean ? 1.0 : 0.0;
		case jbvNumeric:
			if (fs->kind == FEAT_CATEGORICAL)
				return label_raw(fs, DatumGetCString(DirectFunctionCall1(numeric_out,
																		 NumericGetDatum(v->val.numeric))));
			{
				double		d = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
																   NumericGetDatum(v->val.numeric)));

				return isfinite(d) ? d : NAN;
			}
		case jbvString:
			{
				char	   *s = pnstrdup(v->val.string.val, v->val.string.len);
				FeatureType ft;

				if (fs->kind == FEAT_CATEGORICAL)
					return label_raw(fs, s);
				/* a number or a date in a string: read it as its SQL type */
				feature_type_init(&ft, fs->kind == FEAT_DATE || fs->kind == FEAT_TIMESTAMP ?
								  TIMESTAMPTZOID : (fs->kind == FEAT_BOOLEAN ? BOOLOID : FLOAT8OID),
								  CurrentMemoryContext);
				{
					Oid			infn,
								ioparam;

					getTypeInputInfo(ft.basetype, &infn, &ioparam);
					return feature_value_number(&ft, OidInputFunctionCall(infn, s, ioparam, -1));
				}
			}
		default:
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("feature \"%s\" of %s must be a JSON scalar",
							fs->name, call_model_name(pc))));
	}
	return NAN;
}

/* Raw values from a jsonb object keyed by feature name. */
static void
raw_from_jsonb(PredictCall *pc, Jsonb *jb)
{
	const MlModel *m = pc->cm->model;

	if (!JB_ROOT_IS_OBJECT(jb) || JB_ROOT_IS_SCALAR(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("features jsonb must be an object keyed by feature name")));
	for (int f = 0; f < m->pp->nfeatures; f++)
	{
		const FeatureSpec *fs = &m->pp->features[f];
		JsonbValue *v = getKeyJsonValueFromContainer(&jb->root, fs->name,
													 strlen(fs->name), NULL);

		if (v == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("feature \"%s\" of %s is missing from the jsonb object",
							fs->name, call_model_name(pc)),
					 errhint("Give it as a key; null stands for a missing value.")));
		pc->raw[f] = jsonb_raw(pc, fs, v);
	}
}

/* The call site's state, with the model current. */
static PredictCall *
predict_call(FunctionCallInfo fcinfo, bool by_id)
{
	PredictCall *pc = fcinfo->flinfo->fn_extra;
	MemoryContext cxt = fcinfo->flinfo->fn_mcxt;
	text	   *name = by_id ? NULL : PG_GETARG_TEXT_PP(0);
	int64		model_id = by_id ? PG_GETARG_INT64(0) : 0;
	bool		same;

	if (pc == NULL)
	{
		pc = MemoryContextAllocZero(cxt, sizeof(PredictCall));
		fcinfo->flinfo->fn_extra = pc;
	}
	same = pc->cm != NULL && pc->generation == model_cache_generation &&
		(by_id ? pc->model_id == model_id :
		 (VARSIZE_ANY_EXHDR(name) == VARSIZE_ANY_EXHDR(pc->name) &&
		  memcmp(VARDATA_ANY(name), VARDATA_ANY(pc->name), VARSIZE_ANY_EXHDR(name)) == 0));
	if (same)
		return pc;

	/* a new model (or a stale one): forget everything derived from it */
	pc->by_id = by_id;
	pc->model_id = model_id;
	if (pc->name)
		pfree(pc->name);
	pc->name = by_id ? NULL : (text *) MemoryContextAlloc(cxt, VARSIZE_ANY(name));
	if (!by_id)
		memcpy(pc->name, name, VARSIZE_ANY(name));
	pc->cm = NULL;
	memset(&pc->map, 0, sizeof(pc->map));
	pc->cm = by_id ? model_cache_by_id(model_id) :
		model_cache_by_name(text_to_cstring(name));
	pc->generation = model_cache_generation;
	pc->raw = MemoryContextAlloc(cxt, sizeof(double) * pc->cm->model->pp->nfeatures);
	pc->out = MemoryContextAlloc(cxt, sizeof(double) * Max(pc->cm->model->nclasses, 1));
	return pc;
}

/*
 * What kind of features argument the call site passes, looked up once: the
 * catalog look-ups would otherwise run for every row scored.
 */
static void
features_form(PredictCall *pc, Oid argtype)
{
	Oid			elemtype;

	if (argtype == JSONBOID)
		pc->form = 'j';
	else if (type_is_rowtype(argtype))
		pc->form = 'r';
	else if ((elemtype = get_element_type(argtype)) != InvalidOid)
	{
		feature_type_init(&pc->elem, elemtype, GetMemoryChunkContext(pc));
		if (!pc->elem.supported || pc->elem.kind != FEAT_NUMERIC)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("features array must be numeric, not an array of %s",
							format_type_be(elemtype))));
		get_typlenbyvalalign(elemtype, &pc->elem_len, &pc->elem_byval, &pc->elem_align);
		pc->form = 'a';
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("features must be a row, a numeric array or a jsonb object, not %s",
						format_type_be(argtype))));
	pc->argtype = argtype;
}

/* The raw feature values of the features argument, in pc->raw. */
static PredictCall *
predict_features(FunctionCallInfo fcinfo, bool by_id)
{
	PredictCall *pc;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model must not be NULL")));
	pc = predict_call(fcinfo, by_id);
	if (pc->argtype == InvalidOid)
		features_form(pc, get_fn_expr_argtype(fcinfo->flinfo, 1));
	switch (pc->form)
	{
		case 'j':
			raw_from_jsonb(pc, PG_GETARG_JSONB_P(1));
			break;
		case 'r':
			raw_from_row(pc, fcinfo, PG_GETARG_HEAPTUPLEHEADER(1));
			break;
		case 'a':
			raw_from_array(pc, PG_GETARG_ARRAYTYPE_P(1));
			break;
	}
	return pc;
}

/* Score the features argument; pc->out holds the value or probabilities. */
static PredictCall *
predict_common(FunctionCallInfo fcinfo, bool by_id)
{
	PredictCall *pc = predict_features(fcinfo, by_id);

	model_predict_raw(pc->cm->model, pc->raw, pc->out);
	return pc;
}

const MlModel *
predict_raw_values(FunctionCallInfo fcinfo, bool by_id, double **raw,
				   const char **model_desc)
{
	PredictCall *pc = predict_features(fcinfo, by_id);

	*raw = pc->raw;
	*model_desc = call_model_name(pc);
	return pc->cm->model;
}

static Datum
predict_output(FunctionCallInfo fcinfo, bool by_id, PredictOutput what)
{
	PredictCall *pc;
	const MlModel *m;

	/* a NULL row predicts NULL, like any strict function */
	if (PG_ARGISNULL(1))
		PG_RETURN_NULL();
	pc = predict_common(fcinfo, by_id);
	m = pc->cm->model;
	if (what != OUT_VALUE && m->task != ML_CLASSIFICATION)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("%s is a%s model, which has no %s", call_model_name(pc),
						m->task == ML_ANOMALY ? "n anomaly" : " regression",
						what == OUT_LABEL ? "class labels" : "class probabilities"),
				 errhint("Use automl.predict().")));
	switch (what)
	{
		case OUT_VALUE:
			if (m->task == ML_REGRESSION)
				PG_RETURN_FLOAT8(pc->out[0]);
			if (!m->classes_numeric)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("%s predicts text classes, which are not numbers", call_model_name(pc)),
						 errhint("Use automl.predict_label() for the class, or automl.predict_proba() for the probabilities.")));
			PG_RETURN_FLOAT8(m->class_values[model_argmax(pc->out, m->nclasses)]);
		case OUT_LABEL:
			PG_RETURN_TEXT_P(cstring_to_text(m->classes[model_argmax(pc->out, m->nclasses)]));
		case OUT_PROBA:
			{
				Datum	   *d = palloc(sizeof(Datum) * m->nclasses);

				for (int c = 0; c < m->nclasses; c++)
					d[c] = Float8GetDatum(pc->out[c]);
				PG_RETURN_ARRAYTYPE_P(construct_array(d, m->nclasses, FLOAT8OID, 8,
													  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
			}
	}
	PG_RETURN_NULL();
}

/* automl.predict(model text, features anyelement | jsonb) RETURNS float8 */
Datum
automl_predict(PG_FUNCTION_ARGS)
{
	return predict_output(fcinfo, false, OUT_VALUE);
}

/* automl.predict(model_id bigint, features anyelement | jsonb) */
Datum
automl_predict_by_id(PG_FUNCTION_ARGS)
{
	return predict_output(fcinfo, true, OUT_VALUE);
}

/* automl.predict_label(model text, features anyelement) RETURNS text */
Datum
automl_predict_label(PG_FUNCTION_ARGS)
{
	return predict_output(fcinfo, false, OUT_LABEL);
}

Datum
automl_predict_label_by_id(PG_FUNCTION_ARGS)
{
	return predict_output(fcinfo, true, OUT_LABEL);
}

/* automl.predict_proba(model text, features anyelement) RETURNS float8[] */
Datum
automl_predict_proba(PG_FUNCTION_ARGS)
{
	return predict_output(fcinfo, false, OUT_PROBA);
}

Datum
automl_predict_proba_by_id(PG_FUNCTION_ARGS)
{
	return predict_output(fcinfo, true, OUT_PROBA);
}

/*-------------------------------------------------------------------------
 *
 * drift.c
 *	  automl.drift: do new rows still look like the training data?
 *
 * Each feature of the relation's rows is compared with the reference the
 * model keeps (reference.c): the population stability index over the
 * training deciles (or categories, with missing values as one more bin),
 * and for numeric features the two-sample Kolmogorov-Smirnov statistic
 * against the training quantiles.  A feature has drifted when its PSI
 * exceeds 0.2 or the KS test rejects at the 1% level.  The KS test runs on
 * a seeded uniform sample of at most DRIFT_SAMPLE new values per feature.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/relation.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "ml/model_cache.h"
#include "ml/predict.h"
#include "ml/reference.h"

PG_FUNCTION_INFO_V1(automl_drift);

#define DRIFT_BATCH		10000
#define DRIFT_SAMPLE	100000
#define DRIFT_PSI		0.2
#define DRIFT_ALPHA		0.01

/* What the scan gathers for one feature. */
typedef struct FeatureDrift
{
	int64	   *counts;			/* per reference bin */
	int64		missing;
	int64		n;
	double	   *sample;			/* numeric kinds: reservoir of values */
	int64		nsample;
	int64		seen;			/* non-missing values offered to it */
} FeatureDrift;

static void
drift_add(FeatureDrift *fd, const FeatureReference *fr, const FeatureSpec *fs,
		  double v, MlRng *rng)
{
	fd->n++;
	if (isnan(v))
	{
		fd->missing++;
		return;
	}
	fd->counts[reference_bin(fr, fs, v)]++;
	if (fd->sample == NULL)
		return;
	fd->seen++;
	if (fd->nsample < DRIFT_SAMPLE)
		fd->sample[fd->nsample++] = v;
	else
	{
		uint64		j = ml_rng_below(rng, (uint64) fd->seen);

		if (j < DRIFT_SAMPLE)
			fd->sample[j] = v;
	}
}

/*
 * automl.drift(model text, relation regclass)
 * RETURNS TABLE(feature text, psi float8, ks float8, drifted boolean)
 */
Datum
automl_drift(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *name;
	const CachedModel *cm;
	MlModel    *m;
	const Preprocessor *pp;
	Relation	rel;
	char	   *relname;
	StringInfoData sql;
	FeatureDrift *fd;
	RowMapping	map;
	MlRng		rng;
	double	   *raw;
	SPIPlanPtr	plan;
	Portal		portal;
	MemoryContext fn_cxt,
				old;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model and relation must not be NULL")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	cm = model_cache_by_name(name);
	m = cm->model;
	pp = m->pp;
	if (m->ref == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("model \"%s\" keeps no reference of its training data", name),
				 errhint("Train a new version: models keep one since automl 0.1.0.")));

	rel = relation_open(PG_GETARG_OID(1), AccessShareLock);
	relname = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
										 RelationGetRelationName(rel));
	relation_close(rel, AccessShareLock);
	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT ");
	for (int f = 0; f < pp->nfeatures; f++)
		appendStringInfo(&sql, "%s%s", f ? ", " : "", quote_identifier(pp->features[f].name));
	appendStringInfo(&sql, " FROM %s", relname);

	fd = palloc0(sizeof(FeatureDrift) * pp->nfeatures);
	for (int f = 0; f < pp->nfeatures; f++)
	{
		fd[f].counts = palloc0(sizeof(int64) * m->ref->features[f].nbins);
		if (m->ref->features[f].quantiles != NULL)
			fd[f].sample = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * DRIFT_SAMPLE);
	}
	raw = palloc(sizeof(double) * pp->nfeatures);
	memset(&map, 0, sizeof(map));
	ml_rng_seed(&rng, 42);

	fn_cxt = CurrentMemoryContext;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* a feature column missing from the relation fails here, named */
	plan = SPI_prepare(sql.data, 0, NULL);
	if (plan == NULL)
		elog(ERROR, "could not prepare the drift query: %s", SPI_result_code_string(SPI_result));
	portal = SPI_cursor_open(NULL, plan, NULL, NULL, true);
	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		SPI_cursor_fetch(portal, true, DRIFT_BATCH);
		if (SPI_processed == 0)
			break;
		old = MemoryContextSwitchTo(fn_cxt);
		if (map.attno == NULL)
		{
			map.desc = CreateTupleDescCopy(SPI_tuptable->tupdesc);
			row_mapping_build(&map, m, map.desc, pp->nfeatures,
							  psprintf("model \"%s\"", name), fn_cxt);
			map.values = palloc(sizeof(Datum) * map.desc->natts);
			map.nulls = palloc(sizeof(bool) * map.desc->natts);
		}
		MemoryContextSwitchTo(old);
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			heap_deform_tuple(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, map.values, map.nulls);
			row_mapping_raw(&map, m, map.values, map.nulls, raw);
			for (int f = 0; f < pp->nfeatures; f++)
				drift_add(&fd[f], &m->ref->features[f], &pp->features[f], raw[f], &rng);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	SPI_finish();

	InitMaterializedSRF(fcinfo, 0);
	for (int f = 0; f < pp->nfeatures; f++)
	{
		const FeatureReference *fr = &m->ref->features[f];
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};
		double		psi = reference_psi(fr, fd[f].counts, fd[f].missing, fd[f].n);
		double		pvalue = NAN;
		double		ks = NAN;

		if (fd[f].sample != NULL && fd[f].nsample > 0)
		{
			qsort(fd[f].sample, fd[f].nsample, sizeof(double), ml_cmp_double);
			ks = reference_ks(fr, fd[f].sample, fd[f].nsample, &pvalue);
		}
		values[0] = CStringGetTextDatum(pp->features[f].name);
		values[1] = Float8GetDatum(psi);
		nulls[1] = isnan(psi);
		values[2] = Float8GetDatum(ks);
		nulls[2] = isnan(ks);
		values[3] = BoolGetDatum((!isnan(psi) && psi > DRIFT_PSI) ||
								 (!isnan(pvalue) && pvalue < DRIFT_ALPHA));
		nulls[3] = isnan(psi);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

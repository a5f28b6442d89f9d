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
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "ml/dataset.h"
#include "ml/model_cache.h"
#include "ml/predict.h"
#include "ml/reference.h"

PG_FUNCTION_INFO_V1(automl_drift);

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

/* The scan's state. */
typedef struct DriftScan
{
	const MlModel *m;
	FeatureDrift *fd;
	MlRng		rng;
} DriftScan;

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

/* One row into every feature's counts (model_scan_relation's visitor). */
static void
drift_row(void *arg, const double *raw, const Datum *values, const bool *nulls)
{
	DriftScan  *ds = arg;
	const MlModel *m = ds->m;

	for (int f = 0; f < m->pp->nfeatures; f++)
		drift_add(&ds->fd[f], &m->ref->features[f], &m->pp->features[f], raw[f], &ds->rng);
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
	FeatureDrift *fd;
	DriftScan	scan;

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

	rel = relation_open_checked(PG_GETARG_OID(1), AccessShareLock);
	relname = relation_quoted_name(rel);
	relation_close(rel, AccessShareLock);
	fd = palloc0(sizeof(FeatureDrift) * pp->nfeatures);
	for (int f = 0; f < pp->nfeatures; f++)
	{
		fd[f].counts = palloc0(sizeof(int64) * m->ref->features[f].nbins);
		if (m->ref->features[f].quantiles != NULL)
			fd[f].sample = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * DRIFT_SAMPLE);
	}
	scan.m = m;
	scan.fd = fd;
	ml_rng_seed(&scan.rng, 42);
	model_scan_relation(m, psprintf("model \"%s\"", name), relname, NULL, drift_row, &scan);

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

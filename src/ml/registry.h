/*-------------------------------------------------------------------------
 *
 * registry.h
 *	  The model registry, automl.models.
 *
 *-------------------------------------------------------------------------
 */
#ifndef REGISTRY_H
#define REGISTRY_H

#include "postgres.h"

#include "utils/array.h"

#include "ml/model.h"

#define REGISTRY_MAX_NAME	200

#define REGISTRY_DEPLOY_AUTO	0
#define REGISTRY_DEPLOY_ALWAYS	1
#define REGISTRY_DEPLOY_NEVER	2

/* One new row of automl.models. */
typedef struct RegistryRow
{
	const char *model_name;
	const char *task;
	const char *algorithm;
	const char *target;
	char	   *features_json;
	ArrayType  *classes;		/* text[], NULL for regression */
	char	   *hyperparams_json;
	char	   *metrics_json;
	char	   *diagnostics_json;	/* the report's plots */
	double		score;			/* the metric deployment compares */
	bool		score_null;
	int64		train_rows;
	double		training_seconds;
	bool		deploy;
	bytea	   *image;
} RegistryRow;

extern Oid	registry_relid(void);
extern void registry_check_name(const char *model_name);
/* The following run inside SPI_connect. */
extern void registry_lock_name(const char *model_name);
extern void registry_check_training(const char *model_name);
extern bool registry_should_deploy(const char *model_name, int deploy_mode,
								   double score, bool score_null);
extern int64 registry_insert(const RegistryRow *row, int *version);
struct SearchTrial;
extern void registry_insert_trials(const char *model_name, int version, int64 model_id,
								   const char *metric, const struct SearchTrial *trials,
								   int ntrials, int best);

/* Fill row's descriptive fields from a model (its info and preprocessor) */
extern void registry_row_from_model(RegistryRow *row, const MlModel *m,
									const char *model_name);
extern char *model_features_json(const MlModel *m);

/* model_info.c: the fields of a model's info JSON (absent ones: defaults) */
extern void model_info_parse(const char *info, char **hyperparams_json,
							 char **metrics_json, char **diagnostics_json,
							 double *score, bool *score_null,
							 int64 *train_rows, double *training_seconds);
extern const char *model_task_name(MlTask task);

#endif							/* REGISTRY_H */

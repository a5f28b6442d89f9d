/*-------------------------------------------------------------------------
 *
 * train_options.h
 *	  The options jsonb of automl.train.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TRAIN_OPTIONS_H
#define TRAIN_OPTIONS_H

#include "postgres.h"

#include "nodes/pg_list.h"
#include "utils/jsonb.h"

#include "ml/ml.h"

typedef enum TrainDeploy
{
	TRAIN_DEPLOY_AUTO,			/* if it beats the deployed version */
	TRAIN_DEPLOY_ALWAYS,
	TRAIN_DEPLOY_NEVER
} TrainDeploy;

typedef struct TrainOptions
{
	double		test_fraction;	/* default 0.2 */
	uint64		seed;			/* default 42 */
	List	   *exclude;		/* column names (char *) */
	int64		sample_rows;	/* 0 = every row */
	JsonbContainer *hyperparams;	/* NULL = defaults */
	TrainDeploy deploy;
	char	   *metric;			/* the search's metric, NULL = the task's */
} TrainOptions;

extern void train_options_parse(Jsonb *options, TrainOptions *o);
/* Apply options.hyperparams to hp, checked against algorithm. */
extern void train_hyperparams_parse(JsonbContainer *hyperparams,
									const char *algorithm, MlHyperparams *hp);

/* Option values of a jsonb options object; what names the kind of option */
extern double jsonb_option_number(const char *what, const char *key, JsonbValue *v,
								  double lo, double hi, bool integer, bool lo_open);
extern char *jsonb_option_string(const char *what, const char *key, JsonbValue *v);

typedef void (*JsonbOptionFn) (const char *key, JsonbValue *v, void *arg);
extern void jsonb_options_each(Jsonb *options, const char *what, const char *valid,
							   JsonbOptionFn fn, void *arg);
extern void jsonb_option_unknown(const char *what, const char *key, const char *valid);

#endif							/* TRAIN_OPTIONS_H */

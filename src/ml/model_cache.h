/*-------------------------------------------------------------------------
 *
 * model_cache.h
 *	  Backend-local cache of decoded models.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MODEL_CACHE_H
#define MODEL_CACHE_H

#include "postgres.h"

#include "ml/model.h"

typedef struct CachedModel
{
	int64		model_id;
	int			version;
	MlModel    *model;
	MemoryContext cxt;
} CachedModel;

/* Bumped whenever cached models may be stale; compare before reuse. */
extern uint64 model_cache_generation;

extern void model_cache_init(void);
/* The deployed version of name; ERROR if there is none. */
extern const CachedModel *model_cache_by_name(const char *name);
extern const CachedModel *model_cache_by_id(int64 model_id);
/* ERROR unless m is a supervised model (not an anomaly detector) */
extern void model_require_supervised(const MlModel *m, const char *desc,
									 const char *function);

#endif							/* MODEL_CACHE_H */

/*-------------------------------------------------------------------------
 *
 * automl.c
 *	  Module entry point of the automl extension.
 *
 * _PG_init only calls each area's init; the areas own their GUCs.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <cblas.h>

#include "fmgr.h"

#include "utils/guc.h"

#include "automl.h"
#include "jobs/jobs.h"
#include "ml/model_cache.h"
#include "ml/train.h"
#include "monitor/stats.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * Called when the library is loaded into a backend (or the postmaster, with
 * shared_preload_libraries).
 */
void
_PG_init(void)
{
	/*
	 * The BLAS calls made so far are small per-batch products, faster on one
	 * thread than handed to OpenBLAS's pool; and parallel query already
	 * spreads a scan over the cores, which threaded BLAS in every worker
	 * would oversubscribe.
	 */
	openblas_set_num_threads(1);
	profile_init_gucs();
	train_init_gucs();
	model_cache_init();
	jobs_init();
	stats_init();				/* hooks only with shared_preload_libraries */
	MarkGUCPrefixReserved("automl");
}

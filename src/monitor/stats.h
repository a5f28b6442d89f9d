/*-------------------------------------------------------------------------
 *
 * stats.h
 *	  Monitoring: per-function call counts, times, errors and rows of the
 *	  automl C functions, kept in shared memory (automl.stats).
 *
 * Every C function of the library is counted by PostgreSQL's function
 * manager hooks, without code in the function itself; a function that
 * processes rows the hooks cannot see (an import, a materialized set)
 * reports them with automl_stats_add_rows().  See docs/monitoring.md.
 *
 *-------------------------------------------------------------------------
 */
#ifndef AUTOML_MONITOR_STATS_H
#define AUTOML_MONITOR_STATS_H

#include "postgres.h"

/* automl.track_stats: whether calls are counted (on by default) */
extern bool automl_track_stats;

/*
 * Defines the GUC; with shared_preload_libraries, also reserves the shared
 * memory and installs the hooks (called from _PG_init).
 */
extern void stats_init(void);

/*
 * Adds n rows to the innermost automl function running in this backend
 * (nothing if none is counted, e.g. without shared_preload_libraries).
 */
extern void automl_stats_add_rows(int64 n);

#endif							/* AUTOML_MONITOR_STATS_H */

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

#include "fmgr.h"

#include "automl.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * Called when the library is loaded into a backend (or the postmaster, with
 * shared_preload_libraries).
 */
void
_PG_init(void)
{
	profile_init_gucs();
}

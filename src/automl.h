/*-------------------------------------------------------------------------
 *
 * automl.h
 *	  Declarations shared across the automl extension's areas.
 *
 *-------------------------------------------------------------------------
 */
#ifndef AUTOML_H
#define AUTOML_H

/* profile area */
extern int	automl_profile_max_memory_mb;
extern void profile_init_gucs(void);

#endif							/* AUTOML_H */

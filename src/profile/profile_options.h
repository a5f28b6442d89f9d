/*-------------------------------------------------------------------------
 *
 * profile_options.h
 *	  Options of automl.profile.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PROFILE_OPTIONS_H
#define PROFILE_OPTIONS_H

#include "utils/jsonb.h"

#include "profile/profile_state.h"

extern void profile_options_parse(Jsonb *options, ProfileOptions *o);

#endif							/* PROFILE_OPTIONS_H */

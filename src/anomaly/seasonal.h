/*-------------------------------------------------------------------------
 *
 * seasonal.h
 *	  A robust additive decomposition of a series.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SEASONAL_H
#define SEASONAL_H

#include "common/am_alloc.h"

/*
 * y = trend + seasonal + residual: a centred moving median of one season
 * for the trend, extended flat at the ends; the median detrended value of
 * each phase, centred, for the seasonal part.  m <= 1: the trend is a
 * centred moving median of 7 (or n) values and there is no seasonal part.
 */
extern void season_decompose(const double *y, int n, int m, double *trend, double *seasonal,
							 double *residual);

#endif							/* SEASONAL_H */

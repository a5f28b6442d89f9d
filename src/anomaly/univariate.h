/*-------------------------------------------------------------------------
 *
 * univariate.h
 *	  Robust location and spread of one column: median, MAD, quartiles.
 *
 *-------------------------------------------------------------------------
 */
#ifndef UNIVARIATE_H
#define UNIVARIATE_H

#include "common/am_alloc.h"

typedef struct ColumnSpread
{
	int64		n;				/* non-missing values */
	double		min,
				max;
	double		median;
	double		mad;			/* median absolute deviation x 1.4826 */
	double		scale;			/* mad, or its fallback when mad is 0; 0: constant */
	double		q1,
				q3;				/* quartiles (numpy's default, "linear") */
} ColumnSpread;

/* Spread of the non-NaN values of x[0..n-1]; work holds n doubles. */
extern void column_spread(const double *x, int64 n, double *work, ColumnSpread *cs);

/* The q-quantile (0..1, linear interpolation) of v[0..n-1], reordering v. */
extern double select_quantile(double *v, int64 n, double q);

#endif							/* UNIVARIATE_H */

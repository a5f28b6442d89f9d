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
#include "common/order_stat.h"

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


#endif							/* UNIVARIATE_H */

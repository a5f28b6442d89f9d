/*-------------------------------------------------------------------------
 *
 * order_stat.h
 *	  Order statistics by selection.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ORDER_STAT_H
#define ORDER_STAT_H

#include "common/am_alloc.h"

/* The k-th smallest of v[0..n-1] (0-based), reordering v. */
extern double select_kth(double *v, int64 n, int64 k);

/* The q-quantile (0..1, linear interpolation) of v[0..n-1], reordering v. */
extern double select_quantile(double *v, int64 n, double q);

#endif							/* ORDER_STAT_H */

/*-------------------------------------------------------------------------
 *
 * extremes.h
 *	  The k smallest and k largest values of a column, kept exactly.
 *
 * Outliers are rare by nature, so a quantile sketch, whose error is a
 * fraction of n, cannot count them: two extreme values in a million look
 * like zero or four.  Keeping the EXTREMES_K smallest and largest values
 * exactly makes the count beyond a Tukey fence exact whenever fewer than
 * EXTREMES_K values lie beyond it, and tells the caller when it is not.
 * Merging is inserting one side's values into the other, so a parallel
 * profile keeps the same extremes as a serial one.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EXTREMES_H
#define EXTREMES_H

#include "../common/am_alloc.h"

#define EXTREMES_K 32

typedef struct Extremes
{
	int			nlow;
	int			nhigh;
	double		low[EXTREMES_K];	/* max-heap of the smallest values */
	double		high[EXTREMES_K];	/* min-heap of the largest values */
} Extremes;

extern void extremes_init(Extremes *e);
/* v must be finite */
extern void extremes_add(Extremes *e, double v);
extern void extremes_merge(Extremes *dst, const Extremes *src);

/*
 * Number of values below (above) a fence.  *exact is false when every kept
 * value is beyond the fence: then the true count is at least the returned
 * value, and the caller should use an estimate.
 */
extern int	extremes_count_below(const Extremes *e, double fence, bool *exact);
extern int	extremes_count_above(const Extremes *e, double fence, bool *exact);

/* true if every kept value is finite and the counts are in range */
extern bool extremes_is_valid(const Extremes *e);

#endif							/* EXTREMES_H */

/*-------------------------------------------------------------------------
 *
 * extremes.c
 *	  Bounded heaps of a column's smallest and largest values.
 *
 * Each side is a binary heap of at most EXTREMES_K values whose root is the
 * value that would be evicted next: the largest of the smallest values, the
 * smallest of the largest.  A new value costs one comparison with the root
 * unless it belongs in the heap, so the common case adds almost nothing to
 * the profile's per-value cost.
 *
 *-------------------------------------------------------------------------
 */
#include "extremes.h"

#include <math.h>

/* Start empty. */
void
extremes_init(Extremes *e)
{
	e->nlow = 0;
	e->nhigh = 0;
}

/*
 * Restore the heap property below slot i.  sign is +1 for the max-heap of
 * small values and -1 for the min-heap of large ones: comparing sign * v
 * turns both into a max-heap.
 */
static void
heap_sift_down(double *heap, int n, int i, double sign)
{
	for (;;)
	{
		int			left = 2 * i + 1;
		int			right = left + 1;
		int			top = i;
		double		tmp;

		if (left < n && sign * heap[left] > sign * heap[top])
			top = left;
		if (right < n && sign * heap[right] > sign * heap[top])
			top = right;
		if (top == i)
			return;
		tmp = heap[i];
		heap[i] = heap[top];
		heap[top] = tmp;
		i = top;
	}
}

/* Move the value in slot i up to its place. */
static void
heap_sift_up(double *heap, int i, double sign)
{
	while (i > 0)
	{
		int			parent = (i - 1) / 2;
		double		tmp;

		if (!(sign * heap[i] > sign * heap[parent]))
			return;
		tmp = heap[i];
		heap[i] = heap[parent];
		heap[parent] = tmp;
		i = parent;
	}
}

/* Offer v to one bounded heap; it stays only if it beats the root. */
static void
heap_offer(double *heap, int *n, double v, double sign)
{
	if (*n < EXTREMES_K)
	{
		heap[*n] = v;
		heap_sift_up(heap, (*n)++, sign);
	}
	else if (sign * v < sign * heap[0])
	{
		heap[0] = v;
		heap_sift_down(heap, *n, 0, sign);
	}
}

void
extremes_add(Extremes *e, double v)
{
	heap_offer(e->low, &e->nlow, v, 1.0);
	heap_offer(e->high, &e->nhigh, v, -1.0);
}

void
extremes_merge(Extremes *dst, const Extremes *src)
{
	int			i;

	for (i = 0; i < src->nlow; i++)
		heap_offer(dst->low, &dst->nlow, src->low[i], 1.0);
	for (i = 0; i < src->nhigh; i++)
		heap_offer(dst->high, &dst->nhigh, src->high[i], -1.0);
}

/*
 * Values of one heap strictly beyond fence (sign as above).  Exact unless
 * the heap is full and all of it lies beyond the fence.
 */
static int
heap_count_beyond(const double *heap, int n, double fence, double sign,
				  bool *exact)
{
	int			count = 0;
	int			i;

	for (i = 0; i < n; i++)
		if (sign * heap[i] < sign * fence)
			count++;
	*exact = !(n == EXTREMES_K && count == n);
	return count;
}

int
extremes_count_below(const Extremes *e, double fence, bool *exact)
{
	return heap_count_beyond(e->low, e->nlow, fence, 1.0, exact);
}

int
extremes_count_above(const Extremes *e, double fence, bool *exact)
{
	return heap_count_beyond(e->high, e->nhigh, fence, -1.0, exact);
}

bool
extremes_is_valid(const Extremes *e)
{
	int			i;

	if (e->nlow < 0 || e->nlow > EXTREMES_K ||
		e->nhigh < 0 || e->nhigh > EXTREMES_K)
		return false;
	for (i = 0; i < e->nlow; i++)
		if (!isfinite(e->low[i]))
			return false;
	for (i = 0; i < e->nhigh; i++)
		if (!isfinite(e->high[i]))
			return false;
	return true;
}

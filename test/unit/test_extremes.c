/*-------------------------------------------------------------------------
 *
 * test_extremes.c
 *	  Unit tests of the kept extremes (extremes.c) behind outlier counts.
 *
 * The profile reports the number of values beyond a Tukey fence from these
 * heaps: the count must equal a direct count whenever fewer than
 * EXTREMES_K values lie beyond the fence, say "not exact" otherwise, and
 * stay the same however the values were split between merged states.
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"

#include "profile/extremes.h"

/* Values strictly below (sign 1) or above (sign -1) fence, counted directly. */
static int
count_beyond(const double *x, int n, double fence, double sign)
{
	int			c = 0;
	int			i;

	for (i = 0; i < n; i++)
		if (sign * x[i] < sign * fence)
			c++;
	return c;
}

/* n values: uniform noise with `tails` far values at each end. */
static double *
data_with_tails(int n, int tails, uint64_t seed)
{
	double	   *x = malloc(sizeof(double) * n);
	int			i;

	for (i = 0; i < n; i++)
		x[i] = rand_unit(&seed) * 100.0;
	for (i = 0; i < tails; i++)
	{
		x[(i * 7919) % n] = -1000.0 - i;
		x[(i * 104729 + 13) % n] = 5000.0 + i;
	}
	return x;
}

/* Exact counts below and above the fences, for several tail sizes. */
static void
test_exact_counts(void)
{
	int			tails[] = {0, 1, 2, 5, 31};
	int			t;

	for (t = 0; t < (int) (sizeof(tails) / sizeof(tails[0])); t++)
	{
		int			n = 100000;
		double	   *x = data_with_tails(n, tails[t], 42 + t);
		Extremes	e;
		bool		lo_exact;
		bool		hi_exact;
		int			lo;
		int			hi;
		int			i;

		extremes_init(&e);
		for (i = 0; i < n; i++)
			extremes_add(&e, x[i]);
		lo = extremes_count_below(&e, -500.0, &lo_exact);
		hi = extremes_count_above(&e, 1000.0, &hi_exact);
		check(lo_exact && lo == count_beyond(x, n, -500.0, 1.0) && lo == tails[t],
			  "%d low outliers counted exactly (got %d)", tails[t], lo);
		check(hi_exact && hi == count_beyond(x, n, 1000.0, -1.0) && hi == tails[t],
			  "%d high outliers counted exactly (got %d)", tails[t], hi);
		free(x);
	}
}

/* Past EXTREMES_K values beyond a fence the count is flagged inexact. */
static void
test_inexact_past_k(void)
{
	int			n = 10000;
	double	   *x = data_with_tails(n, 100, 7);
	Extremes	e;
	bool		exact;
	int			c;
	int			i;

	extremes_init(&e);
	for (i = 0; i < n; i++)
		extremes_add(&e, x[i]);
	c = extremes_count_below(&e, -500.0, &exact);
	check(!exact && c == EXTREMES_K,
		  "100 values beyond a fence: count %d is a lower bound, flagged inexact", c);
	c = extremes_count_above(&e, 1e9, &exact);
	check(exact && c == 0, "a fence beyond every value counts 0, exactly");
	free(x);
}

/* Few values: every value is kept, so any fence is exact. */
static void
test_small_inputs(void)
{
	double		x[] = {3.0, -1.0, 7.0, 7.0, 2.5};
	Extremes	e;
	bool		exact;
	int			i;

	extremes_init(&e);
	check(extremes_count_below(&e, 0.0, &exact) == 0 && exact,
		  "an empty set counts nothing, exactly");
	for (i = 0; i < 5; i++)
		extremes_add(&e, x[i]);
	check(extremes_count_below(&e, 2.6, &exact) == 2 && exact,
		  "five values: two below 2.6");
	check(extremes_count_above(&e, 3.0, &exact) == 2 && exact,
		  "five values: duplicates above 3.0 both counted");
	check(extremes_is_valid(&e), "a filled set is valid");
	e.nlow = EXTREMES_K + 1;
	check(!extremes_is_valid(&e), "a count past EXTREMES_K is invalid");
	e.nlow = 1;
	e.low[0] = NAN;
	check(!extremes_is_valid(&e), "a NaN value is invalid");
}

/* Merging partial states in any split gives the serial answer. */
static void
test_merge(void)
{
	int			n = 50000;
	double	   *x = data_with_tails(n, 20, 99);
	int			splits[] = {1, 2, 3, 8};
	int			s;

	for (s = 0; s < 4; s++)
	{
		Extremes	total;
		bool		lo_exact;
		bool		hi_exact;
		int			part;

		extremes_init(&total);
		for (part = 0; part < splits[s]; part++)
		{
			Extremes	e;
			int			i;

			extremes_init(&e);
			for (i = part; i < n; i += splits[s])
				extremes_add(&e, x[i]);
			extremes_merge(&total, &e);
		}
		check(extremes_count_below(&total, -500.0, &lo_exact) == 20 && lo_exact &&
			  extremes_count_above(&total, 1000.0, &hi_exact) == 20 && hi_exact,
			  "merged from %d partial states: 20 and 20 outliers", splits[s]);
	}
	free(x);
}

int
main(void)
{
	test_exact_counts();
	test_inexact_past_k();
	test_small_inputs();
	test_merge();
	return unit_status();
}

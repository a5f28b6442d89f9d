/*-------------------------------------------------------------------------
 *
 * unit.h
 *	  Small helpers shared by the plain-C unit tests.
 *
 * Every check prints one line, "ok - <what>" or "not ok - <what>", which
 * test/unit/run.sh counts; main() ends with "return unit_status();" so a
 * failed check also shows in the exit status.  The pseudo-random numbers
 * come from splitmix64 with fixed seeds, so every run sees the same data.
 *
 *-------------------------------------------------------------------------
 */
#ifndef UNIT_H
#define UNIT_H

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int	unit_failures = 0;

/* Print "ok - what" or "not ok - what"; returns cond. */
static inline bool
check(bool cond, const char *fmt,...)
{
	va_list		ap;

	printf(cond ? "ok - " : "not ok - ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		unit_failures++;
	return cond;
}

/* Print a diagnostic line that run.sh ignores. */
static inline void
note(const char *fmt,...)
{
	va_list		ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Exit status for main(): non-zero if any check failed. */
static inline int
unit_status(void)
{
	return unit_failures == 0 ? 0 : 1;
}

/* splitmix64 finaliser: a well-mixed 64-bit hash of x. */
static inline uint64_t
mix64(uint64_t x)
{
	x += UINT64_C(0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

/* Next number of the splitmix64 sequence kept in *state. */
static inline uint64_t
rand64(uint64_t *state)
{
	*state += UINT64_C(0x9e3779b97f4a7c15);
	return mix64(*state - UINT64_C(0x9e3779b97f4a7c15));
}

/* Uniform double in [0, 1). */
static inline double
rand_unit(uint64_t *state)
{
	return (double) (rand64(state) >> 11) * (1.0 / 9007199254740992.0);
}

/* qsort comparator for doubles, ascending. */
static inline int
cmp_double_asc(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

#endif							/* UNIT_H */

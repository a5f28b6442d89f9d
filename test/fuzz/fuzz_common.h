/*-------------------------------------------------------------------------
 *
 * fuzz_common.h
 *	  Helpers shared by the libFuzzer harnesses of the sketches.
 *
 * FUZZ_CHECK aborts with a message when an invariant fails, which libFuzzer
 * reports as a crash and saves the input for; AddressSanitizer,
 * UndefinedBehaviorSanitizer and LeakSanitizer catch the rest.  A Cursor
 * reads the fuzzer's bytes as a stream of small numbers, and yields zeros
 * once they run out, so every input is a valid program.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "invariant failed: %s (%s:%d)\n", \
					#cond, __FILE__, __LINE__); \
			abort(); \
		} \
	} while (0)

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Checking code that loops over models need not guide the fuzzer: without
 * coverage (and comparison tracing) it runs several times faster.
 */
#if defined(__clang__) && __clang_major__ >= 13
#define FUZZ_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define FUZZ_NO_COVERAGE
#endif

/* The fuzzer's bytes, read front to back. */
typedef struct Cursor
{
	const uint8_t *p;
	size_t		left;
} Cursor;

/* Next byte, or 0 when the input is used up. */
static inline uint8_t
next_u8(Cursor *c)
{
	if (c->left == 0)
		return 0;
	c->left--;
	return *c->p++;
}

/* Next n bytes (n <= 8) as a little-endian number. */
static inline uint64_t
next_bytes(Cursor *c, int n)
{
	uint64_t	v = 0;
	int			i;

	for (i = 0; i < n; i++)
		v |= (uint64_t) next_u8(c) << (8 * i);
	return v;
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

/* a <= b, allowing a few ulps of rounding at magnitude `scale`. */
static inline bool
leq_within(double a, double b, double scale)
{
	return a <= b || a - b <= 8 * DBL_EPSILON * scale;
}

#endif							/* FUZZ_COMMON_H */

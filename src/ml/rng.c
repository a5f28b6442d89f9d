/*-------------------------------------------------------------------------
 *
 * rng.c
 *	  Seeded pseudo-random numbers for splits, bagging and sampling.
 *
 * xoshiro256** seeded through splitmix64: fast, with good statistical
 * quality, and the same sequence on every platform, so that a seed gives
 * the same split and the same model everywhere.
 *
 *-------------------------------------------------------------------------
 */
#include "ml.h"

static uint64
splitmix64(uint64 *x)
{
	uint64		z = (*x += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

void
ml_rng_seed(MlRng *r, uint64 seed)
{
	uint64		x = seed;

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline uint64
rotl(uint64 x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64
ml_rng_next(MlRng *r)
{
	uint64	   *s = r->s;
	uint64		result = rotl(s[1] * 5, 7) * 9;
	uint64		t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double
ml_rng_double(MlRng *r)
{
	return (double) (ml_rng_next(r) >> 11) * 0x1.0p-53;
}

uint64
ml_rng_below(MlRng *r, uint64 n)
{
	/* Lemire's multiply-shift; the bias is below 2^-64 * n, irrelevant here */
	return (uint64) (((unsigned __int128) ml_rng_next(r) * n) >> 64);
}

/*-------------------------------------------------------------------------
 *
 * hll.c
 *	  HyperLogLog with Ertl's improved estimator.
 *
 * The first p bits of a 64-bit hash pick a register; the register keeps
 * the largest "position of the first 1-bit" seen in the remaining bits.
 * The estimate follows O. Ertl, "New cardinality estimation algorithms for
 * HyperLogLog sketches" (2017): it works on the histogram of register
 * values and corrects both the small-range (empty registers) and the
 * large-range (saturated registers) ends with the sigma and tau series,
 * instead of switching to linear counting or using bias tables.
 *
 *-------------------------------------------------------------------------
 */
#include "hll.h"

#include <math.h>

#define HLL_MAGIC	0x484c4c31		/* "HLL1" */
#define HLL_MIN_P	4
#define HLL_MAX_P	18

struct Hll
{
	int			p;
	uint8	   *registers;		/* 2^p of them */
};

Hll *
hll_create(int p)
{
	Hll		   *h = am_alloc(sizeof(Hll));

	h->p = p < HLL_MIN_P ? HLL_MIN_P : (p > HLL_MAX_P ? HLL_MAX_P : p);
	h->registers = am_alloc0((size_t) 1 << h->p);
	return h;
}

void
hll_free(Hll *h)
{
	am_free(h->registers);
	am_free(h);
}

/* The register a hash updates: its top p bits. */
static inline uint64
hll_register_of(const Hll *h, uint64 hash)
{
	return hash >> (64 - h->p);
}

void
hll_add(Hll *h, uint64 hash)
{
	uint64		idx = hll_register_of(h, hash);
	uint64		rest = hash << h->p;
	uint8		rho = rest == 0 ? (uint8) (64 - h->p + 1) :
		(uint8) (__builtin_clzll(rest) + 1);

	if (rho > h->registers[idx])
		h->registers[idx] = rho;
}

/* Ask for the register hll_add(h, hash) will touch. */
void
hll_prefetch(const Hll *h, uint64 hash)
{
	__builtin_prefetch(&h->registers[hll_register_of(h, hash)]);
}

void
hll_merge(Hll *dst, const Hll *src)
{
	size_t		m = (size_t) 1 << dst->p;
	size_t		i;

	if (src->p != dst->p)
		return;
	for (i = 0; i < m; i++)
		if (src->registers[i] > dst->registers[i])
			dst->registers[i] = src->registers[i];
}

/* Ertl's sigma(x) = x + sum_{k>=1} x^(2^k) 2^(k-1). */
static double
hll_sigma(double x)
{
	double		y = 1.0;
	double		z = x;
	double		prev;

	if (x == 1.0)
		return INFINITY;
	do
	{
		x *= x;
		prev = z;
		z += x * y;
		y += y;
	} while (z != prev);
	return z;
}

/* Ertl's tau(x) = (1 - x - sum_{k>=1} (1 - x^(2^-k))^2 2^-k) / 3. */
static double
hll_tau(double x)
{
	double		y = 1.0;
	double		z;
	double		prev;

	if (x == 0.0 || x == 1.0)
		return 0.0;
	z = 1.0 - x;
	do
	{
		x = sqrt(x);
		prev = z;
		y *= 0.5;
		z -= (1.0 - x) * (1.0 - x) * y;
	} while (z != prev);
	return z / 3.0;
}

double
hll_estimate(const Hll *h)
{
	int			q = 64 - h->p;
	double		m = (double) ((size_t) 1 << h->p);
	double		counts[66] = {0};
	double		z;
	size_t		i;
	int			k;

	for (i = 0; i < (size_t) m; i++)
		counts[h->registers[i]] += 1.0;
	z = m * hll_tau(1.0 - counts[q + 1] / m);
	for (k = q; k >= 1; k--)
		z = 0.5 * (z + counts[k]);
	z += m * hll_sigma(counts[0] / m);
	if (isinf(z))
		return 0.0;
	return (m * m / (2.0 * log(2.0))) / z;
}

size_t
hll_serialized_size(const Hll *h)
{
	return 4 + 4 + ((size_t) 1 << h->p);
}

void
hll_serialize(const Hll *h, char *buf)
{
	uint32		magic = HLL_MAGIC;
	int32_t		p = h->p;

	memcpy(buf, &magic, 4);
	memcpy(buf + 4, &p, 4);
	memcpy(buf + 8, h->registers, (size_t) 1 << h->p);
}

Hll *
hll_deserialize(const char *buf, size_t len)
{
	uint32		magic;
	int32_t		p;
	Hll		   *h;
	size_t		m;
	size_t		i;

	if (len < 8)
		return NULL;
	memcpy(&magic, buf, 4);
	memcpy(&p, buf + 4, 4);
	if (magic != HLL_MAGIC || p < HLL_MIN_P || p > HLL_MAX_P)
		return NULL;
	m = (size_t) 1 << p;
	if (len != 8 + m)
		return NULL;
	for (i = 0; i < m; i++)
		if ((uint8) buf[8 + i] > 64 - p + 1)
			return NULL;
	h = hll_create(p);
	memcpy(h->registers, buf + 8, m);
	return h;
}

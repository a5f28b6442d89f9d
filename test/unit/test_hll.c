/*-------------------------------------------------------------------------
 *
 * test_hll.c
 *	  Unit tests of the HyperLogLog distinct-count estimator (hll.c).
 *
 * Values are the integers 0, 1, 2, ... hashed with splitmix64, the way the
 * profiler feeds well-mixed 64-bit hashes.  At the default precision the
 * standard error is about 0.4%, so 2% is a five-sigma bound.
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"

#include "profile/hll.h"

/* Sketch of the integers [from, to), each added `times` times. */
static Hll *
hll_of(int p, int64_t from, int64_t to, int times)
{
	Hll		   *h = hll_create(p);
	int64_t		i;
	int			t;

	for (t = 0; t < times; t++)
		for (i = from; i < to; i++)
			hll_add(h, mix64((uint64_t) i));
	return h;
}

/* Relative error of an estimate. */
static double
rel_err(double est, double truth)
{
	return fabs(est - truth) / truth;
}

/* Serialize h into a fresh buffer; *len gets its size. */
static char *
image_of(const Hll *h, size_t *len)
{
	char	   *buf;

	*len = hll_serialized_size(h);
	buf = malloc(*len + 1);
	hll_serialize(h, buf);
	return buf;
}

/* Estimates at 1e3 .. 1e6, and at tiny counts. */
static void
test_accuracy(void)
{
	int64_t		sizes[] = {1000, 10000, 100000, 1000000};
	int			i;

	for (i = 0; i < 4; i++)
	{
		Hll		   *h = hll_of(HLL_DEFAULT_P, 0, sizes[i], 1);
		double		est = hll_estimate(h);

		check(rel_err(est, sizes[i]) <= 0.02,
			  "%lld distinct values: estimate %.1f within 2%%",
			  (long long) sizes[i], est);
		hll_free(h);
		/* a different set of values of the same size */
		h = hll_of(HLL_DEFAULT_P, 5000000000LL, 5000000000LL + sizes[i], 1);
		est = hll_estimate(h);
		check(rel_err(est, sizes[i]) <= 0.02,
			  "%lld other distinct values: estimate %.1f within 2%%",
			  (long long) sizes[i], est);
		hll_free(h);
	}
	for (i = 1; i <= 100; i *= 10)
	{
		Hll		   *h = hll_of(HLL_DEFAULT_P, 0, i, 1);

		check(fabs(hll_estimate(h) - i) <= 0.02 * i,
			  "%d distinct value(s): estimate %.3f", i, hll_estimate(h));
		hll_free(h);
	}
	{
		Hll		   *h = hll_create(HLL_DEFAULT_P);
		Hll		   *d;

		check(hll_estimate(h) == 0.0, "empty sketch estimates 0");
		hll_free(h);
		h = hll_of(HLL_DEFAULT_P, 0, 50000, 1);
		d = hll_of(HLL_DEFAULT_P, 0, 50000, 4);
		check(hll_estimate(h) == hll_estimate(d),
			  "repeating every value 4 times changes nothing");
		hll_free(h);
		hll_free(d);
		/* low precision: 256 registers, error ~6.5%; 25% is generous */
		h = hll_of(8, 0, 100000, 1);
		check(rel_err(hll_estimate(h), 100000) <= 0.25,
			  "p = 8: 100000 values estimated at %.0f", hll_estimate(h));
		hll_free(h);
	}
}

/* Merge: the sketch of a union, whatever the split. */
static void
test_merge(void)
{
	Hll		   *a = hll_of(HLL_DEFAULT_P, 0, 600000, 1);
	Hll		   *b = hll_of(HLL_DEFAULT_P, 400000, 1000000, 1);
	Hll		   *u = hll_of(HLL_DEFAULT_P, 0, 1000000, 1);
	Hll		   *e = hll_create(HLL_DEFAULT_P);
	Hll		   *other = hll_of(10, 0, 1000, 1);
	double		before;

	hll_merge(a, b);
	check(hll_estimate(a) == hll_estimate(u),
		  "merge of overlapping halves equals the sketch of the union");
	check(rel_err(hll_estimate(a), 1000000) <= 0.02,
		  "merged estimate %.0f within 2%% of 1000000", hll_estimate(a));
	hll_merge(e, u);
	check(hll_estimate(e) == hll_estimate(u), "merge into an empty sketch copies it");
	before = hll_estimate(a);
	hll_merge(a, a);
	check(hll_estimate(a) == before, "merging a sketch with itself changes nothing");
	hll_merge(a, other);
	check(hll_estimate(a) == before,
		  "merging a sketch of another precision is ignored");
	hll_free(a);
	hll_free(b);
	hll_free(u);
	hll_free(e);
	hll_free(other);
}

/* Round trip at two precisions. */
static void
test_round_trip(void)
{
	int			ps[] = {4, HLL_DEFAULT_P};
	int			i;

	for (i = 0; i < 2; i++)
	{
		Hll		   *h = hll_of(ps[i], 0, 123456, 1);
		size_t		len;
		size_t		len2;
		char	   *buf = image_of(h, &len);
		Hll		   *c = hll_deserialize(buf, len);

		if (check(c != NULL, "p = %d: deserialize accepts its own image", ps[i]))
		{
			char	   *buf2 = image_of(c, &len2);

			check(hll_estimate(c) == hll_estimate(h),
				  "p = %d: round trip keeps the estimate", ps[i]);
			check(len == len2 && memcmp(buf, buf2, len) == 0,
				  "p = %d: re-serializing gives identical bytes", ps[i]);
			free(buf2);
			hll_free(c);
		}
		hll_free(h);
		free(buf);
	}
}

/* Is a damaged image refused?  Frees a sketch if one came back. */
static bool
refused(const char *buf, size_t len)
{
	Hll		   *h = hll_deserialize(buf, len);

	if (h == NULL)
		return true;
	hll_free(h);
	return false;
}

/* Damaged images. */
static void
test_bad_images(void)
{
	Hll		   *h = hll_of(6, 0, 1000, 1);
	size_t		len;
	char	   *buf = image_of(h, &len);
	char	   *p = malloc(len + 1);
	bool		all = true;
	size_t		cut;
	int32_t		v;

	for (cut = 0; cut < len; cut++)
		all &= refused(buf, cut);
	check(all, "deserialize refuses every truncation");
	memcpy(p, buf, len);
	p[len] = 0;
	check(refused(p, len + 1), "deserialize refuses a trailing byte");
	p[0] ^= 1;
	check(refused(p, len), "deserialize refuses a bad magic");
	memcpy(p, buf, len);
	v = 3;
	memcpy(p + 4, &v, 4);
	check(refused(p, len), "deserialize refuses p = 3");
	v = 19;
	memcpy(p + 4, &v, 4);
	check(refused(p, len), "deserialize refuses p = 19");
	v = 7;
	memcpy(p + 4, &v, 4);
	check(refused(p, len), "deserialize refuses a p that does not match the length");
	memcpy(p, buf, len);
	p[8 + 5] = (char) (64 - 6 + 2);
	check(refused(p, len), "deserialize refuses a register above 64 - p + 1");
	p[8 + 5] = (char) (64 - 6 + 1);
	check(!refused(p, len), "deserialize accepts a register at 64 - p + 1");
	free(p);
	free(buf);
	hll_free(h);
}

/* Run every test. */
int
main(void)
{
	test_accuracy();
	test_merge();
	test_round_trip();
	test_bad_images();
	return unit_status();
}

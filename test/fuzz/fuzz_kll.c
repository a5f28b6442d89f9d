/*-------------------------------------------------------------------------
 *
 * fuzz_kll.c
 *	  libFuzzer harness for kll_deserialize and what a sketch it accepts
 *	  can be asked.
 *
 * Any bytes go to the deserializer.  When it accepts them, the sketch must
 * behave: quantiles are ordered and within [min, max], ranks within
 * [0, count], the image serializes back to the same bytes, merging it into
 * a fresh sketch keeps count and extremes (and exact answers), merging a
 * second copy doubles the count, and after more values the sketch still
 * serializes to an image the deserializer accepts.  Seeds live in
 * test/fuzz/corpus/kll/ (see make_corpus.c).
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

#include "profile/kll.h"

/* Ordering and range invariants of every answer the sketch gives. */
static void
check_answers(const KllSketch *s)
{
	int64_t		n = kll_count(s);
	double		lo = kll_quantile(s, 0.0);
	double		hi = kll_quantile(s, 1.0);
	double		scale;
	double		prev;
	int			j;

	FUZZ_CHECK(n >= 0);
	if (n == 0)
	{
		FUZZ_CHECK(isnan(kll_quantile(s, 0.5)));
		FUZZ_CHECK(kll_rank(s, 0.0, true) == 0.0);
		return;
	}
	FUZZ_CHECK(isfinite(lo) && isfinite(hi) && lo <= hi);
	scale = fabs(lo) + fabs(hi);
	prev = lo;
	for (j = 0; j <= 20; j++)
	{
		double		v = kll_quantile(s, j / 20.0);
		double		r1 = kll_rank(s, v, false);
		double		r2 = kll_rank(s, v, true);

		FUZZ_CHECK(!isnan(v));
		FUZZ_CHECK(leq_within(lo, v, scale) && leq_within(v, hi, scale));
		FUZZ_CHECK(leq_within(prev, v, scale));
		FUZZ_CHECK(0.0 <= r1 && r1 <= r2 && r2 <= (double) n);
		prev = v;
	}
	FUZZ_CHECK(kll_rank(s, hi, true) == (double) n);
	FUZZ_CHECK(kll_rank(s, lo, false) == 0.0);
}

/* The sketch's image, which the deserializer must accept again. */
static void
check_image_accepted(const KllSketch *s)
{
	size_t		len = kll_serialized_size(s);
	char	   *buf = malloc(len);
	KllSketch  *t;

	kll_serialize(s, buf);
	t = kll_deserialize(buf, len);
	FUZZ_CHECK(t != NULL);
	FUZZ_CHECK(kll_count(t) == kll_count(s));
	kll_free(t);
	free(buf);
}

/* Exercise one accepted sketch. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	KllSketch  *s = kll_deserialize((const char *) data, size);
	KllSketch  *fresh;
	KllSketch  *copy;
	char	   *buf;
	size_t		len;
	int64_t		n;
	int			j;

	if (s == NULL)
		return 0;
	n = kll_count(s);
	check_answers(s);

	/* serialize again: the very same bytes */
	len = kll_serialized_size(s);
	FUZZ_CHECK(len == size);
	buf = malloc(len);
	kll_serialize(s, buf);
	FUZZ_CHECK(memcmp(buf, data, size) == 0);
	free(buf);

	/* merge into a fresh sketch */
	fresh = kll_create(KLL_DEFAULT_K);
	kll_merge(fresh, s);
	FUZZ_CHECK(kll_count(fresh) == n);
	check_answers(fresh);
	if (n > 0)
		FUZZ_CHECK(kll_quantile(fresh, 0.0) == kll_quantile(s, 0.0) &&
				   kll_quantile(fresh, 1.0) == kll_quantile(s, 1.0));
	/* (an empty image may say "not exact": it answers nothing either way) */
	if (kll_is_exact(fresh) && n > 0)
	{
		FUZZ_CHECK(kll_is_exact(s));
		for (j = 0; j <= 32; j++)
			FUZZ_CHECK(kll_quantile(fresh, j / 32.0) == kll_quantile(s, j / 32.0));
	}
	check_image_accepted(fresh);
	kll_free(fresh);

	/* merge a second copy into it: twice the count, same extremes */
	if (n < (INT64_C(1) << 60))
	{
		copy = kll_deserialize((const char *) data, size);
		FUZZ_CHECK(copy != NULL);
		kll_merge(s, copy);
		FUZZ_CHECK(kll_count(s) == 2 * n);
		FUZZ_CHECK(kll_count(copy) == n);
		check_answers(s);
		kll_free(copy);
	}

	/* more values: compactions on whatever shape the image had */
	for (j = 0; j < 600; j++)
		kll_add(s, (double) (mix64(j) % 1000) - 500.0);
	check_answers(s);
	check_image_accepted(s);
	kll_free(s);
	return 0;
}

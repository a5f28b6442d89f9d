/*-------------------------------------------------------------------------
 *
 * fuzz_hll.c
 *	  libFuzzer harness for hll_deserialize and what a sketch it accepts
 *	  can be asked.
 *
 * Any bytes go to the deserializer.  When it accepts them, the estimate
 * must be a number (not NaN, not negative), the image must serialize back
 * to the same bytes, a fresh sketch of the same precision that absorbs it
 * must estimate the same, merging a copy must change nothing, and after
 * more values the image must still be accepted.  Seeds live in
 * test/fuzz/corpus/hll/ (see make_corpus.c).
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

#include "profile/hll.h"

/* Serialize h into a fresh buffer. */
static char *
image_of(const Hll *h, size_t *len)
{
	char	   *buf;

	*len = hll_serialized_size(h);
	buf = malloc(*len);
	hll_serialize(h, buf);
	return buf;
}

/* Exercise one accepted sketch. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Hll		   *h = hll_deserialize((const char *) data, size);
	Hll		   *fresh;
	Hll		   *copy;
	Hll		   *again;
	char	   *buf;
	size_t		len;
	double		est;
	int32_t		p;
	int			j;

	if (h == NULL)
		return 0;
	est = hll_estimate(h);
	FUZZ_CHECK(!isnan(est) && est >= 0.0);

	buf = image_of(h, &len);
	FUZZ_CHECK(len == size && memcmp(buf, data, size) == 0);
	free(buf);

	memcpy(&p, data + 4, 4);
	fresh = hll_create(p);
	hll_merge(fresh, h);
	FUZZ_CHECK(hll_estimate(fresh) == est);
	hll_free(fresh);

	copy = hll_deserialize((const char *) data, size);
	FUZZ_CHECK(copy != NULL);
	hll_merge(h, copy);
	FUZZ_CHECK(hll_estimate(h) == est);
	hll_free(copy);

	for (j = 0; j < 200; j++)
		hll_add(h, mix64(j));
	est = hll_estimate(h);
	FUZZ_CHECK(!isnan(est) && est >= 0.0);
	buf = image_of(h, &len);
	again = hll_deserialize(buf, len);
	FUZZ_CHECK(again != NULL && hll_estimate(again) == est);
	hll_free(again);
	free(buf);
	hll_free(h);
	return 0;
}

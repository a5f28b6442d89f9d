/*-------------------------------------------------------------------------
 *
 * fuzz_rowset.c
 *	  libFuzzer harness for rowset_deserialize and what a set it accepts
 *	  can be asked.
 *
 * Any bytes go to the deserializer.  When it accepts them, the distinct
 * count must match the image, the set must serialize back to an image of
 * the same size that is accepted again, merging it into a fresh set or a
 * second copy into it must keep the count, and every fingerprint of the
 * image must already be in the set.  Seeds live in test/fuzz/corpus/rowset/
 * (see make_corpus.c).
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

#include "profile/rowset.h"

/* Exercise one accepted set. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	RowSet	   *s = rowset_deserialize((const char *) data, size);
	RowSet	   *fresh;
	RowSet	   *copy;
	RowSet	   *again;
	char	   *buf;
	size_t		len;
	int64_t		n;
	int64_t		i;

	if (s == NULL)
		return 0;
	memcpy(&n, data + 5, 8);
	FUZZ_CHECK(rowset_distinct(s) == n + (data[4] ? 1 : 0));
	n = rowset_distinct(s);

	len = rowset_serialized_size(s);
	FUZZ_CHECK(len == size);
	buf = malloc(len);
	rowset_serialize(s, buf);
	again = rowset_deserialize(buf, len);
	FUZZ_CHECK(again != NULL && rowset_distinct(again) == n);
	rowset_free(again);
	free(buf);

	fresh = rowset_create();
	rowset_merge(fresh, s);
	FUZZ_CHECK(rowset_distinct(fresh) == n);
	rowset_free(fresh);

	copy = rowset_deserialize((const char *) data, size);
	FUZZ_CHECK(copy != NULL);
	rowset_merge(s, copy);
	FUZZ_CHECK(rowset_distinct(s) == n);
	rowset_free(copy);

	if (data[4])
		FUZZ_CHECK(!rowset_add(s, 0, 0));
	for (i = 0; 13 + 16 * i < (int64_t) size; i++)
	{
		uint64_t	k[2];

		memcpy(k, data + 13 + 16 * i, 16);
		FUZZ_CHECK(!rowset_add(s, k[0], k[1]));
	}
	FUZZ_CHECK(rowset_distinct(s) == n);
	rowset_free(s);
	return 0;
}

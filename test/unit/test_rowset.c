/*-------------------------------------------------------------------------
 *
 * test_rowset.c
 *	  Unit tests of the set of 128-bit row fingerprints (rowset.c).
 *
 * The duplicate-row count is rows - distinct fingerprints, so the set must
 * be exact: every fingerprint counted once however often it comes, the
 * all-zero fingerprint included, fingerprints sharing h1 or h2 kept apart,
 * across growth, merges and serialization.
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"

#include "profile/rowset.h"

/* Fingerprint of row id i; ids below 0 give the special shapes. */
static void
fingerprint(int64_t i, uint64_t *h1, uint64_t *h2)
{
	*h1 = mix64((uint64_t) i);
	*h2 = mix64((uint64_t) i ^ UINT64_C(0xabcdef));
	if (i % 1000 == 1)
		*h1 = 0;				/* zero h1, non-zero h2 */
	if (i % 1000 == 2)
		*h2 = 0;				/* non-zero h1, zero h2 */
	if (i % 1000 == 3)
		*h1 = 12345;			/* many rows share h1: same slot, long probes */
}

/* Set of the row ids [from, to), each added `times` times, shuffled. */
static RowSet *
rowset_of(int64_t from, int64_t to, int times, int64_t *news)
{
	RowSet	   *s = rowset_create();
	int64_t		n = (to - from) * times;
	int64_t    *ids = malloc(sizeof(int64_t) * (n ? n : 1));
	uint64_t	seed = (uint64_t) from * 31 + times;
	int64_t		i;

	for (i = 0; i < n; i++)
		ids[i] = from + i % (to - from);
	for (i = n - 1; i > 0; i--)
	{
		int64_t		k = (int64_t) (rand64(&seed) % (uint64_t) (i + 1));
		int64_t		t = ids[i];

		ids[i] = ids[k];
		ids[k] = t;
	}
	*news = 0;
	for (i = 0; i < n; i++)
	{
		uint64_t	h1;
		uint64_t	h2;

		fingerprint(ids[i], &h1, &h2);
		*news += rowset_add(s, h1, h2);
	}
	free(ids);
	return s;
}

/* Does s hold every id of [from, to)?  (Adding each must be a no-op.) */
static bool
holds(RowSet *s, int64_t from, int64_t to)
{
	int64_t		i;
	int64_t		before = rowset_distinct(s);

	for (i = from; i < to; i++)
	{
		uint64_t	h1;
		uint64_t	h2;

		fingerprint(i, &h1, &h2);
		if (rowset_add(s, h1, h2))
			return false;
	}
	return rowset_distinct(s) == before;
}

/* Exact distinct counts with many duplicates. */
static void
test_distinct(void)
{
	int64_t		news;
	RowSet	   *s = rowset_of(0, 200000, 5, &news);

	check(rowset_distinct(s) == 200000,
		  "1M rows, 200000 distinct (each 5 times): distinct is exact (%lld)",
		  (long long) rowset_distinct(s));
	check(news == 200000, "rowset_add reports each fingerprint new exactly once");
	check(holds(s, 0, 200000), "every fingerprint is found again");
	check(rowset_memory(s) <= 200000 * 43 + 4096,
		  "memory stays within 43 bytes per distinct row (%zu)", rowset_memory(s));
	rowset_free(s);

	s = rowset_create();
	check(rowset_distinct(s) == 0, "an empty set has 0 distinct rows");
	check(rowset_add(s, 0, 0) && !rowset_add(s, 0, 0) && rowset_distinct(s) == 1,
		  "the all-zero fingerprint counts once");
	check(rowset_add(s, 0, 1) && rowset_add(s, 1, 0) && !rowset_add(s, 0, 1) &&
		  rowset_distinct(s) == 3,
		  "(0, 1) and (1, 0) are distinct from (0, 0) and from each other");
	rowset_free(s);
}

/* Merges: overlapping, disjoint, into empty. */
static void
test_merge(void)
{
	int64_t		news;
	RowSet	   *a = rowset_of(0, 150000, 2, &news);
	RowSet	   *b = rowset_of(100000, 200000, 3, &news);
	RowSet	   *e = rowset_create();

	rowset_merge(a, b);
	check(rowset_distinct(a) == 200000 && holds(a, 0, 200000),
		  "merge of overlapping sets holds their union (200000)");
	check(rowset_distinct(b) == 100000, "the source of a merge is unchanged");
	rowset_merge(e, b);
	check(rowset_distinct(e) == 100000 && holds(e, 100000, 200000),
		  "merge into an empty set copies it");
	rowset_merge(e, e);
	check(rowset_distinct(e) == 100000, "merging a set with itself changes nothing");
	rowset_free(a);
	rowset_free(b);
	rowset_free(e);
	a = rowset_create();
	b = rowset_create();
	rowset_add(b, 0, 0);
	rowset_merge(a, b);
	rowset_merge(a, b);
	check(rowset_distinct(a) == 1, "the all-zero fingerprint survives a merge, once");
	rowset_free(a);
	rowset_free(b);
}

/* Serialize s into a fresh buffer. */
static char *
image_of(const RowSet *s, size_t *len)
{
	char	   *buf;

	*len = rowset_serialized_size(s);
	buf = malloc(*len + 1);
	rowset_serialize(s, buf);
	return buf;
}

/* Round trip with and without the zero fingerprint. */
static void
test_round_trip(void)
{
	int			zero;

	for (zero = 0; zero < 2; zero++)
	{
		int64_t		news;
		RowSet	   *s = rowset_of(0, 20000, 2, &news);
		size_t		len;
		size_t		len2;
		char	   *buf;
		RowSet	   *c;

		if (zero)
			rowset_add(s, 0, 0);
		buf = image_of(s, &len);
		c = rowset_deserialize(buf, len);
		if (check(c != NULL, "round trip%s: deserialize accepts its own image",
				  zero ? " with (0, 0)" : ""))
		{
			char	   *buf2 = image_of(c, &len2);

			check(rowset_distinct(c) == rowset_distinct(s) && len == len2,
				  "round trip%s: same distinct count and image size",
				  zero ? " with (0, 0)" : "");
			check(rowset_add(c, 0, 0) == !zero,
				  "round trip%s: the zero fingerprint is %s",
				  zero ? " with (0, 0)" : "", zero ? "kept" : "absent");
			check(holds(c, 0, 20000) && rowset_distinct(c) == 20001,
				  "round trip%s: every fingerprint is found again",
				  zero ? " with (0, 0)" : "");
			free(buf2);
			rowset_free(c);
		}
		free(buf);
		rowset_free(s);
	}
	{
		RowSet	   *s = rowset_create();
		size_t		len;
		char	   *buf = image_of(s, &len);
		RowSet	   *c = rowset_deserialize(buf, len);

		check(c != NULL && rowset_distinct(c) == 0 && len == 13,
			  "an empty set round-trips in 13 bytes");
		if (c)
			rowset_free(c);
		free(buf);
		rowset_free(s);
	}
}

/* Is a damaged image refused?  Frees a set if one came back. */
static bool
refused(const char *buf, size_t len)
{
	RowSet	   *s = rowset_deserialize(buf, len);

	if (s == NULL)
		return true;
	rowset_free(s);
	return false;
}

/* Damaged images. */
static void
test_bad_images(void)
{
	int64_t		news;
	RowSet	   *s = rowset_of(0, 50, 1, &news);
	size_t		len;
	char	   *buf;
	char	   *p;
	size_t		cut;
	bool		all = true;
	int64_t		n;
	uint64_t	zero[2] = {0, 0};

	rowset_add(s, 0, 0);
	buf = image_of(s, &len);
	p = malloc(len + 16);
	for (cut = 0; cut < len; cut++)
		all &= refused(buf, cut);
	check(all, "deserialize refuses every truncation");
	memcpy(p, buf, len);
	p[len] = 0;
	check(refused(p, len + 1), "deserialize refuses a trailing byte");
	memset(p + len, 7, 16);
	check(refused(p, len + 16), "deserialize refuses an extra key the count does not announce");
	p[0] ^= 1;
	check(refused(p, len), "deserialize refuses a bad magic");
	memcpy(p, buf, len);
	p[4] = 2;
	check(refused(p, len), "deserialize refuses a zero flag of 2");
	memcpy(p, buf, len);
	n = -1;
	memcpy(p + 5, &n, 8);
	check(refused(p, len), "deserialize refuses a negative count");
	n = 49;
	memcpy(p + 5, &n, 8);
	check(refused(p, len), "deserialize refuses a count that does not match the length");
	memcpy(p, buf, len);
	memcpy(p + 13 + 16 * 7, p + 13 + 16 * 3, 16);
	check(refused(p, len), "deserialize refuses a duplicate fingerprint");
	memcpy(p, buf, len);
	memcpy(p + 13 + 16 * 7, zero, 16);
	check(refused(p, len), "deserialize refuses (0, 0) among the keys");
	free(p);
	free(buf);
	rowset_free(s);
}

/* Run every test. */
int
main(void)
{
	test_distinct();
	test_merge();
	test_round_trip();
	test_bad_images();
	return unit_status();
}

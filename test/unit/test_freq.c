/*-------------------------------------------------------------------------
 *
 * test_freq.c
 *	  Unit tests of the frequency table (freq.c).
 *
 * Under its limit the table must count exactly: distinct values, totals
 * and the top values with their counts.  Past the limit it keeps a
 * HyperLogLog (distinct within 2%) and a Misra-Gries summary, whose counts
 * must be lower bounds within n / (FREQ_MG_CAPACITY + 1) of the truth, and
 * which must report every value more frequent than that.  Merges of every
 * combination of exact and sketched tables keep those guarantees.  Labels
 * are cut at FREQ_LABEL_MAX bytes on a UTF-8 boundary.  Images round-trip
 * and damaged images are refused.
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"

#include "profile/freq.h"
#include "profile/hll.h"

#define HDR_SIZE	30			/* magic, limit, labels, exact, total, size */
#define OFF_LABELS	12
#define OFF_EXACT	13
#define OFF_TOTAL	14
#define OFF_SIZE	22

/* True count of one value, for checking. */
typedef struct Truth
{
	uint64_t	hash;
	int64_t		count;
} Truth;

/* A stream of value hashes plus the exact counts behind it. */
typedef struct Stream
{
	uint64_t   *hashes;
	int64_t		n;
	Truth	   *truth;			/* sorted by hash */
	int64_t		ndistinct;
} Stream;

/* qsort comparator for uint64_t. */
static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *) a;
	uint64_t	y = *(const uint64_t *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/* Fill s->truth from s->hashes. */
static void
stream_count(Stream *s)
{
	uint64_t   *sorted = malloc(sizeof(uint64_t) * (s->n ? s->n : 1));
	int64_t		i;

	memcpy(sorted, s->hashes, sizeof(uint64_t) * s->n);
	qsort(sorted, s->n, sizeof(uint64_t), cmp_u64);
	s->truth = malloc(sizeof(Truth) * (s->n ? s->n : 1));
	s->ndistinct = 0;
	for (i = 0; i < s->n; i++)
	{
		if (i == 0 || sorted[i] != sorted[i - 1])
		{
			s->truth[s->ndistinct].hash = sorted[i];
			s->truth[s->ndistinct++].count = 0;
		}
		s->truth[s->ndistinct - 1].count++;
	}
	free(sorted);
}

/*
 * A shuffled stream: `heavy` Zipf-like values (count top/(i+1)), `singles`
 * values seen once and `pairs` values seen twice; ids start at `base` so
 * that two streams can overlap or not.
 */
static Stream
make_stream(uint64_t seed, int64_t base, int heavy, int64_t top,
			int64_t singles, int64_t pairs)
{
	Stream		s;
	int64_t		cap = singles + 2 * pairs;
	int64_t		i;
	int64_t		j;
	int			h;

	for (h = 0; h < heavy; h++)
		cap += top / (h + 1);
	s.hashes = malloc(sizeof(uint64_t) * (cap ? cap : 1));
	s.n = 0;
	for (h = 0; h < heavy; h++)
		for (j = 0; j < top / (h + 1); j++)
			s.hashes[s.n++] = mix64(base + h);
	for (i = 0; i < singles; i++)
		s.hashes[s.n++] = mix64(base + 1000000000LL + i);
	for (i = 0; i < pairs; i++)
	{
		s.hashes[s.n++] = mix64(base + 2000000000LL + i);
		s.hashes[s.n++] = mix64(base + 2000000000LL + i);
	}
	for (i = s.n - 1; i > 0; i--)
	{
		int64_t		k = (int64_t) (rand64(&seed) % (uint64_t) (i + 1));
		uint64_t	t = s.hashes[i];

		s.hashes[i] = s.hashes[k];
		s.hashes[k] = t;
	}
	stream_count(&s);
	return s;
}

/* Concatenation of two streams (for the truth of a merge). */
static Stream
stream_concat(const Stream *a, const Stream *b)
{
	Stream		s;

	s.n = a->n + b->n;
	s.hashes = malloc(sizeof(uint64_t) * (s.n ? s.n : 1));
	memcpy(s.hashes, a->hashes, sizeof(uint64_t) * a->n);
	memcpy(s.hashes + a->n, b->hashes, sizeof(uint64_t) * b->n);
	stream_count(&s);
	return s;
}

/* Release a stream. */
static void
stream_free(Stream *s)
{
	free(s->hashes);
	free(s->truth);
}

/* True count of hash in s (0 if absent). */
static int64_t
true_count(const Stream *s, uint64_t hash)
{
	int64_t		lo = 0;
	int64_t		hi = s->ndistinct;

	while (lo < hi)
	{
		int64_t		mid = (lo + hi) / 2;

		if (s->truth[mid].hash < hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->ndistinct && s->truth[lo].hash == hash ? s->truth[lo].count : 0;
}

/* Table fed with the whole stream. */
static FreqTable *
freq_of(const Stream *s, int64_t limit)
{
	FreqTable  *f = freq_create(limit, false);
	int64_t		i;

	for (i = 0; i < s->n; i++)
		freq_add(f, s->hashes[i], NULL, 0);
	return f;
}

/*
 * Check a sketched table against the truth: total exact, distinct within
 * 2%, Misra-Gries counts lower bounds within n/(cap+1), and every value
 * above that threshold reported.
 */
static void
check_sketch(const char *name, const FreqTable *f, const Stream *s)
{
	FreqItem	top[FREQ_MG_CAPACITY + 10];
	int			ntop = freq_top(f, top, FREQ_MG_CAPACITY + 10);
	double		slack = (double) s->n / (FREQ_MG_CAPACITY + 1);
	double		worst = 0.0;
	bool		bounds = true;
	bool		found = true;
	int64_t		nheavy = 0;
	int64_t		i;
	int			j;

	check(!freq_is_exact(f), "%s: the table is sketched", name);
	check(freq_total(f) == s->n, "%s: total is exact (%lld)", name, (long long) s->n);
	check(fabs(freq_distinct(f) - s->ndistinct) <= 0.02 * s->ndistinct,
		  "%s: distinct %.0f within 2%% of %lld", name, freq_distinct(f),
		  (long long) s->ndistinct);
	check(ntop <= FREQ_MG_CAPACITY, "%s: at most %d counters kept (%d)",
		  name, FREQ_MG_CAPACITY, ntop);
	for (j = 0; j < ntop; j++)
	{
		int64_t		t = true_count(s, top[j].hash);

		if (top[j].count > t || top[j].count < t - slack)
			bounds = false;
		if (t - top[j].count > worst)
			worst = (double) (t - top[j].count);
	}
	check(bounds, "%s: every count is a lower bound within n/%d = %.1f (worst %.0f)",
		  name, FREQ_MG_CAPACITY + 1, slack, worst);
	for (i = 0; i < s->ndistinct; i++)
	{
		bool		seen = false;

		if (s->truth[i].count <= slack)
			continue;
		nheavy++;
		for (j = 0; j < ntop; j++)
			seen |= top[j].hash == s->truth[i].hash;
		found &= seen;
	}
	check(found && nheavy > 0, "%s: all %lld values above n/%d are reported",
		  name, (long long) nheavy, FREQ_MG_CAPACITY + 1);
	for (j = 1; j < ntop; j++)
		if (top[j].count > top[j - 1].count)
			bounds = false;
	check(ntop < 2 || bounds, "%s: top values come most frequent first", name);
}

/* Check an exact table against the truth, top values included. */
static void
check_exact(const char *name, const FreqTable *f, const Stream *s)
{
	int			want = s->ndistinct < 50 ? (int) s->ndistinct : 50;
	FreqItem   *top = malloc(sizeof(FreqItem) * (s->ndistinct + 1));
	Truth	   *ref = malloc(sizeof(Truth) * (s->ndistinct + 1));
	int			ntop = freq_top(f, top, (int) s->ndistinct + 1);
	bool		same = ntop == s->ndistinct;
	int64_t		i;
	int64_t		j;

	/* reference order: count descending, then hash ascending */
	memcpy(ref, s->truth, sizeof(Truth) * s->ndistinct);
	for (i = 1; i < s->ndistinct; i++)
	{
		Truth		t = ref[i];

		for (j = i; j > 0 && (ref[j - 1].count < t.count ||
							  (ref[j - 1].count == t.count && ref[j - 1].hash > t.hash)); j--)
			ref[j] = ref[j - 1];
		ref[j] = t;
	}
	check(freq_is_exact(f), "%s: the table is exact", name);
	check(freq_total(f) == s->n && freq_distinct(f) == (double) s->ndistinct,
		  "%s: total %lld and distinct %lld are exact", name, (long long) s->n,
		  (long long) s->ndistinct);
	for (i = 0; same && i < ntop; i++)
		same = top[i].hash == ref[i].hash && top[i].count == ref[i].count;
	check(same, "%s: freq_top lists every value with its exact count, in order", name);
	same = freq_top(f, top, want) == want;
	for (i = 0; same && i < want; i++)
		same = top[i].hash == ref[i].hash && top[i].count == ref[i].count;
	check(same, "%s: freq_top(%d) gives the %d most frequent", name, want, want);
	free(top);
	free(ref);
}

/* Exact counting under the limit; conversion at the limit. */
static void
test_exact(void)
{
	Stream		s = make_stream(11, 0, 40, 3000, 300, 200);
	FreqTable  *f = freq_of(&s, 1000);
	FreqItem	one;
	int			i;

	check_exact("540 distinct under a limit of 1000", f, &s);
	check(freq_top(f, &one, 0) == 0, "freq_top with n = 0 writes nothing");
	freq_free(f);
	stream_free(&s);

	/* hash 0 is an ordinary value */
	f = freq_create(10, false);
	for (i = 0; i < 3; i++)
		freq_add(f, 0, NULL, 0);
	freq_add(f, 1, NULL, 0);
	check(freq_top(f, &one, 1) == 1 && one.hash == 0 && one.count == 3 &&
		  freq_distinct(f) == 2.0,
		  "hash 0 is counted like any other value");
	freq_free(f);

	/* the limit itself */
	f = freq_create(100, false);
	for (i = 0; i < 100; i++)
		freq_add(f, mix64(i), NULL, 0);
	check(freq_is_exact(f) && freq_distinct(f) == 100.0,
		  "limit 100: 100 distinct values stay exact");
	freq_add(f, mix64(100), NULL, 0);
	check(!freq_is_exact(f) && fabs(freq_distinct(f) - 101.0) <= 2.0,
		  "limit 100: the 101st converts to a sketch (distinct %.2f)", freq_distinct(f));
	freq_free(f);

	/* limit -1: never converts */
	s = make_stream(12, 0, 5, 1000, 100000, 0);
	f = freq_of(&s, -1);
	check_exact("limit -1 with 100005 distinct", f, &s);
	freq_free(f);
	stream_free(&s);
}

/* Sketch mode on a long stream. */
static void
test_sketch(void)
{
	Stream		s = make_stream(21, 0, 30, 40000, 500000, 100000);
	FreqTable  *f = freq_of(&s, FREQ_DEFAULT_LIMIT);

	check_sketch("Zipf heavy hitters + 600000 rare values", f, &s);
	freq_free(f);
	stream_free(&s);
	/* the same, but converting early with a small limit */
	s = make_stream(22, 0, 60, 20000, 200000, 0);
	f = freq_of(&s, 300);
	check_sketch("limit 300", f, &s);
	freq_free(f);
	stream_free(&s);
}

/*
 * The switch to sketch mode must keep the Misra-Gries bound.  256 values
 * seen 101 times and one seen 100 times fill the table; one more value
 * converts it.  The 100-count value is dropped, and its next 101
 * occurrences meet a full summary: if the kept counters were not lowered
 * by the dropped count, those 101 occurrences only wear the others down
 * and the value ends far more than n/257 below its true count.
 */
static void
test_conversion_bound(void)
{
	Stream		s;
	int64_t		n = 0;
	int			i;
	int			j;

	s.hashes = malloc(sizeof(uint64_t) * 30000);
	for (j = 0; j < 101; j++)
		for (i = 0; i < 256; i++)
			s.hashes[n++] = mix64(1000 + i);
	for (j = 0; j < 100; j++)
		s.hashes[n++] = mix64(7);
	s.hashes[n++] = mix64(8);
	for (j = 0; j < 101; j++)
		s.hashes[n++] = mix64(7);
	s.n = n;
	stream_count(&s);
	{
		FreqTable  *f = freq_of(&s, 257);
		FreqItem	top[FREQ_MG_CAPACITY];
		int			ntop = freq_top(f, top, FREQ_MG_CAPACITY);
		int64_t		got = 0;

		for (i = 0; i < ntop; i++)
			if (top[i].hash == mix64(7))
				got = top[i].count;
		check(201 - got <= n / (FREQ_MG_CAPACITY + 1.0),
			  "conversion keeps the Misra-Gries bound: value seen 201 times counted %lld (bound %.1f)",
			  (long long) got, n / (FREQ_MG_CAPACITY + 1.0));
		check_sketch("adversarial conversion", f, &s);
		freq_free(f);
	}
	stream_free(&s);
}

/* Merge two tables built from a and b; check against their union. */
static void
check_merge(const char *name, const Stream *a, int64_t la, const Stream *b,
			int64_t lb, bool want_exact)
{
	FreqTable  *fa = freq_of(a, la);
	FreqTable  *fb = freq_of(b, lb);
	Stream		u = stream_concat(a, b);
	char		label[200];

	freq_merge(fa, fb);
	if (want_exact)
		check_exact(name, fa, &u);
	else
		check_sketch(name, fa, &u);
	snprintf(label, sizeof(label), "%s (merged the other way)", name);
	freq_free(fa);
	fa = freq_of(a, la);
	freq_merge(fb, fa);
	if (want_exact)
		check_exact(label, fb, &u);
	else
		check_sketch(label, fb, &u);
	check(freq_total(fa) == a->n, "%s: the source of a merge is unchanged", name);
	freq_free(fa);
	freq_free(fb);
	stream_free(&u);
}

/* Merges of exact and sketched tables. */
static void
test_merges(void)
{
	Stream		small1 = make_stream(31, 0, 20, 5000, 1000, 500);
	Stream		small2 = make_stream(32, 10, 20, 4000, 2000, 100);
	Stream		big1 = make_stream(33, 0, 25, 30000, 200000, 50000);
	Stream		big2 = make_stream(34, 5, 25, 30000, 250000, 10000);

	check_merge("exact + exact", &small1, 100000, &small2, 100000, true);
	check_merge("exact + exact over the limit", &small1, 2200, &small2, 2200, false);
	check_merge("exact + sketch", &small1, FREQ_DEFAULT_LIMIT, &big1, FREQ_DEFAULT_LIMIT, false);
	check_merge("sketch + sketch", &big1, FREQ_DEFAULT_LIMIT, &big2, FREQ_DEFAULT_LIMIT, false);
	stream_free(&small1);
	stream_free(&small2);
	stream_free(&big1);
	stream_free(&big2);
}

/* Is s[0..len) valid UTF-8 (complete sequences only)? */
static bool
utf8_valid(const char *s, size_t len)
{
	size_t		i = 0;

	while (i < len)
	{
		unsigned char c = (unsigned char) s[i];
		size_t		n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
		size_t		j;

		if (n == 0 || i + n > len)
			return false;
		for (j = 1; j < n; j++)
			if (((unsigned char) s[i + j] & 0xC0) != 0x80)
				return false;
		i += n;
	}
	return true;
}

/* prefix followed by `reps` copies of `unit`, in a static buffer. */
static const char *
repeat(const char *prefix, const char *unit, int reps)
{
	static char buf[2048];
	int			i;

	strcpy(buf, prefix);
	for (i = 0; i < reps; i++)
		strcat(buf, unit);
	return buf;
}

/* Label of the single value in a fresh labelled table. */
static void
check_label(const char *what, const char *text, int len, size_t want_len)
{
	FreqTable  *f = freq_create(10, true);
	FreqItem	it;

	freq_add(f, 42, text, len);
	freq_add(f, 42, "other", 5);
	if (freq_top(f, &it, 1) == 1 && it.label)
		check(strlen(it.label) == want_len && memcmp(it.label, text, want_len) == 0 &&
			  utf8_valid(it.label, strlen(it.label)),
			  "label %s: kept %zu bytes (want %zu), valid UTF-8, first occurrence's text",
			  what, strlen(it.label), want_len);
	else
		check(false, "label %s: a label is kept", what);
	freq_free(f);
}

/* Labels: truncation on UTF-8 boundaries, NULL labels, no labels. */
static void
test_labels(void)
{
	const char *t;
	FreqTable  *f;
	FreqItem	it;

	t = repeat("", "x", 250);
	check_label("of 250 ASCII bytes", t, 250, FREQ_LABEL_MAX);
	t = repeat("", "x", 200);
	check_label("of exactly 200 bytes", t, 200, 200);
	t = repeat("a", "\xc3\xa9", 150);	/* e-acute, 2 bytes */
	check_label("'a' + 150 x 2-byte chars", t, (int) strlen(t), 199);
	t = repeat("x", "\xe2\x82\xac", 100);	/* euro sign, 3 bytes */
	check_label("'x' + 100 x 3-byte chars", t, (int) strlen(t), 199);
	t = repeat("ab", "\xe2\x82\xac", 100);
	check_label("'ab' + 100 x 3-byte chars (boundary at 200)", t, (int) strlen(t), 200);
	t = repeat("abc", "\xf0\x9f\x98\x80", 60);	/* emoji, 4 bytes */
	check_label("'abc' + 60 x 4-byte chars", t, (int) strlen(t), 199);
	t = repeat("a", "\xf0\x9f\x98\x80", 60);
	check_label("'a' + 60 x 4-byte chars", t, (int) strlen(t), 197);
	check_label("given a length shorter than the string", "hello world", 5, 5);
	check_label("that is empty", "", 0, 0);

	f = freq_create(10, true);
	freq_add(f, 1, NULL, 0);
	check(freq_top(f, &it, 1) == 1 && it.label == NULL, "a NULL label stays NULL");
	freq_free(f);
	f = freq_create(10, false);
	freq_add(f, 1, "text", 4);
	check(freq_top(f, &it, 1) == 1 && it.label == NULL,
		  "a table without labels keeps none");
	freq_free(f);

	/* labels survive conversion and merges */
	{
		FreqTable  *a = freq_create(20, true);
		FreqTable  *b = freq_create(20, true);
		char		txt[32];
		int			i;
		int			j;
		bool		ok = true;
		FreqItem	top[5];
		int			ntop;

		for (i = 0; i < 15; i++)
			for (j = 0; j <= i; j++)
			{
				snprintf(txt, sizeof(txt), "value %d", i);
				freq_add(a, mix64(i), txt, (int) strlen(txt));
				freq_add(b, mix64(i + 10), txt, (int) strlen(txt));
			}
		freq_merge(a, b);		/* 25 distinct > 20: sketch */
		ntop = freq_top(a, top, 5);
		for (i = 0; i < ntop; i++)
		{
			int			id = -1;

			for (j = 0; j < 40; j++)
				if (mix64(j) == top[i].hash)
					id = j;
			snprintf(txt, sizeof(txt), "value %d", id >= 10 && id < 15 ? id : (id > 14 ? id - 10 : id));
			ok &= top[i].label != NULL && strcmp(top[i].label, txt) == 0;
		}
		check(!freq_is_exact(a) && ntop == 5 && ok,
			  "labels survive a merge that converts to a sketch");
		freq_free(a);
		freq_free(b);
	}
}

/* Serialize f into a fresh buffer. */
static char *
image_of(const FreqTable *f, size_t *len)
{
	char	   *buf;

	*len = freq_serialized_size(f);
	buf = malloc(*len + 1);
	freq_serialize(f, buf);
	return buf;
}

/* Do two tables agree on everything a caller can ask? */
static bool
same_table(const FreqTable *a, const FreqTable *b)
{
	FreqItem	ta[300];
	FreqItem	tb[300];
	int			na = freq_top(a, ta, 300);
	int			nb = freq_top(b, tb, 300);
	int			i;

	if (freq_is_exact(a) != freq_is_exact(b) || freq_total(a) != freq_total(b) ||
		freq_distinct(a) != freq_distinct(b) || na != nb)
		return false;
	for (i = 0; i < na; i++)
	{
		if (ta[i].hash != tb[i].hash || ta[i].count != tb[i].count)
			return false;
		if ((ta[i].label == NULL) != (tb[i].label == NULL) ||
			(ta[i].label && strcmp(ta[i].label, tb[i].label) != 0))
			return false;
	}
	return true;
}

/* Round trip one table, then keep feeding both copies. */
static void
check_round_trip(const char *name, FreqTable *f)
{
	size_t		len;
	size_t		len2;
	char	   *buf = image_of(f, &len);
	FreqTable  *c = freq_deserialize(buf, len);
	char	   *buf2;
	int			i;

	if (!check(c != NULL, "%s: deserialize accepts its own image (%zu bytes)", name, len))
	{
		free(buf);
		return;
	}
	check(same_table(f, c), "%s: round trip keeps totals, distinct, top values and labels", name);
	buf2 = image_of(c, &len2);
	check(len == len2, "%s: re-serialized size is the same", name);
	for (i = 0; i < 100000; i++)
	{
		char		txt[16];
		uint64_t	h = mix64(i % 5000 == 0 ? 1 : i);

		snprintf(txt, sizeof(txt), "v%d", i);
		freq_add(f, h, txt, (int) strlen(txt));
		freq_add(c, h, txt, (int) strlen(txt));
	}
	check(same_table(f, c), "%s: the copy keeps counting like the original", name);
	free(buf);
	free(buf2);
	freq_free(c);
}

/* Round trips of exact and sketched tables, with and without labels. */
static void
test_round_trip(void)
{
	FreqTable  *f;
	int			i;

	f = freq_create(FREQ_DEFAULT_LIMIT, true);
	for (i = 0; i < 1000; i++)
	{
		const char *t = repeat("", "\xc3\xa9", i % 150);

		freq_add(f, mix64(i % 300), t, (int) strlen(t));
	}
	freq_add(f, 99, NULL, 0);
	check_round_trip("exact with labels", f);
	freq_free(f);
	f = freq_create(-1, false);
	for (i = 0; i < 5000; i++)
		freq_add(f, mix64(i % 777), NULL, 0);
	check_round_trip("exact without labels", f);
	freq_free(f);
	f = freq_create(1000, true);
	for (i = 0; i < 20000; i++)
	{
		char		txt[16];

		snprintf(txt, sizeof(txt), "w%d", i % 3 ? i : 3);
		freq_add(f, mix64(i % 3 ? i : 3), txt, (int) strlen(txt));
	}
	check_round_trip("sketch with labels", f);
	freq_free(f);
	f = freq_create(10, false);
	check_round_trip("empty", f);
	freq_free(f);
}

/* Is a damaged image refused?  Frees a table if one came back. */
static bool
refused(const char *buf, size_t len)
{
	FreqTable  *f = freq_deserialize(buf, len);

	if (f == NULL)
		return true;
	freq_free(f);
	return false;
}

/* Offset of entry i in an image (entries follow the 30-byte header). */
static size_t
entry_offset(const char *buf, int i)
{
	size_t		off = HDR_SIZE;

	while (i-- > 0)
	{
		int32_t		len;

		memcpy(&len, buf + off + 16, 4);
		off += 20 + (len > 0 ? len : 0);
	}
	return off;
}

/* Check that buf with `size` bytes at `off` set to *val is refused. */
static void
check_patch(const char *what, const char *buf, size_t len, size_t off,
			const void *val, size_t size)
{
	char	   *p = malloc(len);

	memcpy(p, buf, len);
	memcpy(p + off, val, size);
	check(refused(p, len), "deserialize refuses %s", what);
	free(p);
}

/*
 * Image of a table with the exact flag, total and entries given, and the
 * HyperLogLog h (NULL for none): a hand-made image.
 */
static char *
make_image(bool exact, int64_t total, int nentries, const uint64_t *keys,
		   const int64_t *counts, const Hll *h, size_t *len)
{
	char	   *buf = malloc(HDR_SIZE + 20 * nentries + 8 + (h ? hll_serialized_size(h) : 0));
	char	   *p = buf;
	uint32_t	magic = 0x46524531;
	int64_t		limit = 1000;
	uint8_t		labels = 0;
	uint8_t		ex = exact;
	int64_t		size = nentries;
	int64_t		hlen = h ? (int64_t) hll_serialized_size(h) : 0;
	int32_t		nolabel = -1;
	int			i;

	memcpy(p, &magic, 4), p += 4;
	memcpy(p, &limit, 8), p += 8;
	memcpy(p, &labels, 1), p += 1;
	memcpy(p, &ex, 1), p += 1;
	memcpy(p, &total, 8), p += 8;
	memcpy(p, &size, 8), p += 8;
	for (i = 0; i < nentries; i++)
	{
		memcpy(p, &keys[i], 8), p += 8;
		memcpy(p, &counts[i], 8), p += 8;
		memcpy(p, &nolabel, 4), p += 4;
	}
	memcpy(p, &hlen, 8), p += 8;
	if (h)
		hll_serialize(h, p), p += hlen;
	*len = p - buf;
	return buf;
}

/* Damaged images. */
static void
test_bad_images(void)
{
	FreqTable  *ex = freq_create(100, true);
	FreqTable  *sk = freq_create(100, true);
	char	   *ebuf;
	char	   *sbuf;
	size_t		elen;
	size_t		slen;
	size_t		cut;
	bool		all = true;
	int64_t		i64;
	int32_t		i32;
	uint8_t		u8;
	uint64_t	key;
	int			i;

	for (i = 0; i < 50; i++)
		freq_add(ex, mix64(i % 10), "label", 5);
	freq_add(ex, mix64(77), NULL, 0);
	for (i = 0; i < 2000; i++)
		freq_add(sk, mix64(i % 3 ? i : 0), "abc", 3);
	ebuf = image_of(ex, &elen);
	sbuf = image_of(sk, &slen);
	check(freq_is_exact(ex) && !freq_is_exact(sk), "test images: one exact, one sketched");

	for (cut = 0; cut < elen; cut++)
		all &= refused(ebuf, cut);
	for (cut = 0; cut < slen; cut++)
		all &= refused(sbuf, cut);
	check(all, "deserialize refuses every truncation of both images");
	{
		char	   *p = malloc(slen + 1);

		memcpy(p, sbuf, slen);
		p[slen] = 0;
		check(refused(p, slen + 1), "deserialize refuses a trailing byte");
		free(p);
	}
	i32 = 0x12345678;
	check_patch("a bad magic", ebuf, elen, 0, &i32, 4);
	u8 = 2;
	check_patch("a labels flag of 2", ebuf, elen, OFF_LABELS, &u8, 1);
	check_patch("an exact flag of 2", ebuf, elen, OFF_EXACT, &u8, 1);
	i64 = -1;
	check_patch("a negative total", ebuf, elen, OFF_TOTAL, &i64, 8);
	i64 = INT64_MAX;
	check_patch("an impossible entry count", ebuf, elen, OFF_SIZE, &i64, 8);
	i64 = 0;
	check_patch("an entry count of 0", ebuf, elen, entry_offset(ebuf, 2) + 8, &i64, 8);
	i64 = -5;
	check_patch("a negative entry count", ebuf, elen, entry_offset(ebuf, 2) + 8, &i64, 8);
	memcpy(&key, ebuf + entry_offset(ebuf, 0), 8);
	check_patch("a duplicate key", ebuf, elen, entry_offset(ebuf, 3), &key, 8);
	i32 = -2;
	check_patch("a label length of -2", ebuf, elen, entry_offset(ebuf, 1) + 16, &i32, 4);
	i32 = 6;
	check_patch("a label length past the entry", ebuf, elen, entry_offset(ebuf, 1) + 16, &i32, 4);
	u8 = 0;
	check_patch("a NUL inside a label", ebuf, elen, entry_offset(ebuf, 1) + 22, &u8, 1);
	u8 = 0;
	check_patch("labels in a table that keeps none", ebuf, elen, OFF_LABELS, &u8, 1);
	u8 = 1;
	check_patch("the exact flag on a sketched image", sbuf, slen, OFF_EXACT, &u8, 1);
	u8 = 0;
	check_patch("a sketched image without its HyperLogLog", ebuf, elen, OFF_EXACT, &u8, 1);
	i64 = 49;
	check_patch("an exact image whose counts do not add up to the total",
				ebuf, elen, OFF_TOTAL, &i64, 8);
	memcpy(&i64, sbuf + OFF_TOTAL, 8);
	i64 = 100;
	check_patch("a sketched image whose counts exceed the total",
				sbuf, slen, OFF_TOTAL, &i64, 8);

	/* hand-made images */
	{
		uint64_t	keys[300];
		int64_t		counts[300];
		Hll		   *h16 = hll_create(HLL_DEFAULT_P);
		Hll		   *h4 = hll_create(4);
		size_t		len;
		char	   *img;

		for (i = 0; i < 300; i++)
		{
			keys[i] = mix64(i);
			counts[i] = 1;
			hll_add(h16, keys[i]);
			hll_add(h4, keys[i]);
		}
		img = make_image(false, 300, 256, keys, counts, h16, &len);
		check(!refused(img, len), "a hand-made sketched image with 256 counters is accepted");
		free(img);
		img = make_image(false, 300, 257, keys, counts, h16, &len);
		check(refused(img, len), "deserialize refuses a sketched image with 257 counters");
		free(img);
		img = make_image(false, 300, 10, keys, counts, h4, &len);
		check(refused(img, len),
			  "deserialize refuses a sketched image whose HyperLogLog has p = 4");
		free(img);
		img = make_image(true, 300, 300, keys, counts, NULL, &len);
		check(!refused(img, len), "a hand-made exact image is accepted");
		free(img);
		counts[0] = INT64_MAX;
		img = make_image(true, INT64_MAX, 2, keys, counts, NULL, &len);
		check(refused(img, len), "deserialize refuses counts whose sum overflows");
		free(img);
		hll_free(h16);
		hll_free(h4);
	}
	freq_free(ex);
	freq_free(sk);
	free(ebuf);
	free(sbuf);
}

/* Run every test. */
int
main(void)
{
	test_exact();
	test_sketch();
	test_conversion_bound();
	test_merges();
	test_labels();
	test_round_trip();
	test_bad_images();
	return unit_status();
}

/*-------------------------------------------------------------------------
 *
 * test_kll.c
 *	  Unit tests of the KLL quantile sketch (kll.c).
 *
 * A million values from several distributions (uniform, exponential, few
 * distinct values, sorted ascending and descending) go into sketches with
 * the default k.  Every quantile 0.01 .. 0.99 must land within 1% of its
 * rank, measured against a sorted copy of the data (a value repeated many
 * times covers a range of ranks; landing anywhere in it is exact).  Below
 * capacity the sketch must answer exactly like percentile_cont.  Merges
 * of 2 and 8 partial sketches must meet the same bound, serialization must
 * round-trip, and the deserializer must refuse damaged images.
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"

#include "profile/kll.h"

#define NVALUES		1000000
#define MAX_RANK_ERR 0.01

/* Byte offsets in a serialized image (see kll_serialize). */
#define OFF_K		4
#define OFF_NLEVELS 8
#define OFF_EXACT	12
#define OFF_COUNT	13
#define OFF_MIN		21
#define OFF_MAX		29
#define OFF_LEVELS	73	/* after rng, sample_level, block_n, block_pick, candidate */

/* Number of sorted[] entries < x. */
static int64_t
lower_bound(const double *sorted, int64_t n, double x)
{
	int64_t		lo = 0;
	int64_t		hi = n;

	while (lo < hi)
	{
		int64_t		mid = (lo + hi) / 2;

		if (sorted[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Number of sorted[] entries <= x. */
static int64_t
upper_bound(const double *sorted, int64_t n, double x)
{
	int64_t		lo = 0;
	int64_t		hi = n;

	while (lo < hi)
	{
		int64_t		mid = (lo + hi) / 2;

		if (sorted[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Largest rank error, as a fraction of n, of the sketch's quantiles
 * 0.01 .. 0.99: zero when q*n falls within the ranks the answer covers.
 */
static double
max_quantile_error(const KllSketch *s, const double *sorted, int64_t n)
{
	double		worst = 0.0;
	int			j;

	for (j = 1; j <= 99; j++)
	{
		double		q = j / 100.0;
		double		v = kll_quantile(s, q);
		double		target = q * n;
		double		lo = (double) lower_bound(sorted, n, v);
		double		hi = (double) upper_bound(sorted, n, v);
		double		err = 0.0;

		if (target < lo)
			err = (lo - target) / n;
		else if (target > hi)
			err = (target - hi) / n;
		if (isnan(v))
			err = 1.0;
		if (err > worst)
			worst = err;
	}
	return worst;
}

/* Largest error of kll_rank (inclusive and not), as a fraction of n. */
static double
max_rank_error(const KllSketch *s, const double *sorted, int64_t n)
{
	double		worst = 0.0;
	int			j;

	for (j = 0; j <= 100; j++)
	{
		double		x = sorted[j == 100 ? n - 1 : (int64_t) j * n / 100];
		double		e1 = fabs(kll_rank(s, x, true) - upper_bound(sorted, n, x)) / n;
		double		e2 = fabs(kll_rank(s, x, false) - lower_bound(sorted, n, x)) / n;

		if (e1 > worst)
			worst = e1;
		if (e2 > worst)
			worst = e2;
	}
	return worst;
}

/* Sorted copy of x[0..n). */
static double *
sorted_copy(const double *x, int64_t n)
{
	double	   *s = malloc(sizeof(double) * n);

	memcpy(s, x, sizeof(double) * n);
	qsort(s, n, sizeof(double), cmp_double_asc);
	return s;
}

/* Sketch of x[from..to) with the default k. */
static KllSketch *
sketch_of(const double *x, int64_t from, int64_t to)
{
	KllSketch  *s = kll_create(KLL_DEFAULT_K);
	int64_t		i;

	for (i = from; i < to; i++)
		kll_add(s, x[i]);
	return s;
}

/* Do two sketches give the same answers (quantiles, ranks, count)? */
static bool
same_answers(const KllSketch *a, const KllSketch *b)
{
	int			j;

	if (kll_count(a) != kll_count(b) || kll_is_exact(a) != kll_is_exact(b))
		return false;
	for (j = 0; j <= 1000; j++)
	{
		double		qa = kll_quantile(a, j / 1000.0);
		double		qb = kll_quantile(b, j / 1000.0);

		if (!(qa == qb || (isnan(qa) && isnan(qb))))
			return false;
		if (kll_rank(a, qa, true) != kll_rank(b, qa, true) ||
			kll_rank(a, qa, false) != kll_rank(b, qa, false))
			return false;
	}
	return true;
}

/* Serialize s into a fresh buffer; *len gets its size. */
static char *
image_of(const KllSketch *s, size_t *len)
{
	char	   *buf;

	*len = kll_serialized_size(s);
	buf = malloc(*len + 16);
	kll_serialize(s, buf);
	return buf;
}

/* Serialize, deserialize, and compare; also the re-serialized bytes. */
static void
check_round_trip(const char *name, const KllSketch *s)
{
	size_t		len;
	size_t		len2;
	char	   *buf = image_of(s, &len);
	KllSketch  *t = kll_deserialize(buf, len);
	char	   *buf2;

	if (!check(t != NULL, "%s: deserialize accepts its own image (%zu bytes)", name, len))
	{
		free(buf);
		return;
	}
	check(same_answers(s, t), "%s: round trip gives the same quantiles, ranks and count", name);
	buf2 = image_of(t, &len2);
	check(len == len2 && memcmp(buf, buf2, len) == 0,
		  "%s: re-serializing the copy gives identical bytes", name);
	free(buf2);
	kll_free(t);
	free(buf);
}

/* Accuracy on one distribution of NVALUES values. */
static void
check_distribution(const char *name, const double *x)
{
	double	   *sorted = sorted_copy(x, NVALUES);
	KllSketch  *s = sketch_of(x, 0, NVALUES);
	double		qerr = max_quantile_error(s, sorted, NVALUES);
	double		rerr = max_rank_error(s, sorted, NVALUES);

	check(kll_count(s) == NVALUES && !kll_is_exact(s),
		  "%s: count is %d and the sketch is approximate", name, NVALUES);
	check(qerr <= MAX_RANK_ERR,
		  "%s: quantiles 0.01..0.99 within 1%% rank error (worst %.5f)", name, qerr);
	check(rerr <= MAX_RANK_ERR,
		  "%s: kll_rank within 1%% of n (worst %.5f)", name, rerr);
	check(kll_quantile(s, 0.0) == sorted[0] && kll_quantile(s, 1.0) == sorted[NVALUES - 1],
		  "%s: quantiles 0 and 1 are the exact min and max", name);
	check(kll_rank(s, sorted[0] - 1.0, true) == 0.0 &&
		  kll_rank(s, sorted[NVALUES - 1] + 1.0, true) == (double) NVALUES,
		  "%s: rank below the min is 0, above the max is n", name);
	check(kll_serialized_size(s) < 64 * 1024,
		  "%s: the sketch stays small (%zu bytes serialized)", name, kll_serialized_size(s));
	kll_free(s);
	free(sorted);
}

/* Merges of 2 and 8 partial sketches, contiguous slices of x. */
static void
check_merges(const char *name, const double *x)
{
	double	   *sorted = sorted_copy(x, NVALUES);
	KllSketch  *part[8];
	KllSketch  *a;
	KllSketch  *b;
	KllSketch  *empty;
	double		err;
	int			i;
	int			step;

	/* two uneven halves */
	a = sketch_of(x, 0, NVALUES / 3);
	b = sketch_of(x, NVALUES / 3, NVALUES);
	kll_merge(a, b);
	err = max_quantile_error(a, sorted, NVALUES);
	check(kll_count(a) == NVALUES && err <= MAX_RANK_ERR,
		  "%s: merge of 2 partial sketches within 1%% rank error (worst %.5f)", name, err);
	check(kll_count(b) == NVALUES - NVALUES / 3, "%s: merge leaves the source unchanged", name);
	check(max_rank_error(a, sorted, NVALUES) <= MAX_RANK_ERR,
		  "%s: kll_rank of the 2-way merge within 1%% of n", name);
	check(kll_quantile(a, 0.0) == sorted[0] && kll_quantile(a, 1.0) == sorted[NVALUES - 1],
		  "%s: merged min and max are exact", name);
	/* merging into an empty sketch copies the answers */
	empty = kll_create(KLL_DEFAULT_K);
	kll_merge(empty, a);
	check(kll_count(empty) == NVALUES &&
		  max_quantile_error(empty, sorted, NVALUES) <= MAX_RANK_ERR,
		  "%s: merge into an empty sketch keeps the bound", name);
	kll_free(empty);
	kll_free(a);
	kll_free(b);

	/* eight slices, merged as a tree */
	for (i = 0; i < 8; i++)
		part[i] = sketch_of(x, (int64_t) i * NVALUES / 8, (int64_t) (i + 1) * NVALUES / 8);
	for (step = 1; step < 8; step *= 2)
		for (i = 0; i + step < 8; i += 2 * step)
			kll_merge(part[i], part[i + step]);
	err = max_quantile_error(part[0], sorted, NVALUES);
	check(kll_count(part[0]) == NVALUES && err <= MAX_RANK_ERR,
		  "%s: tree merge of 8 partial sketches within 1%% rank error (worst %.5f)", name, err);
	for (i = 0; i < 8; i++)
		kll_free(part[i]);

	/* eight slices, merged one after the other into the first */
	for (i = 0; i < 8; i++)
		part[i] = sketch_of(x, (int64_t) i * NVALUES / 8, (int64_t) (i + 1) * NVALUES / 8);
	for (i = 1; i < 8; i++)
		kll_merge(part[0], part[i]);
	err = max_quantile_error(part[0], sorted, NVALUES);
	check(kll_count(part[0]) == NVALUES && err <= MAX_RANK_ERR &&
		  max_rank_error(part[0], sorted, NVALUES) <= MAX_RANK_ERR,
		  "%s: sequential merge of 8 partial sketches within 1%% (worst %.5f)", name, err);
	for (i = 0; i < 8; i++)
		kll_free(part[i]);
	free(sorted);
}

/* percentile_cont on a sorted array. */
static double
percentile_cont(const double *sorted, int n, double q)
{
	double		pos = q * (n - 1);
	int			lo = (int) floor(pos);
	int			hi = lo + 1 < n ? lo + 1 : lo;

	return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/* Does an exact sketch answer like percentile_cont on sorted[0..n)? */
static bool
matches_percentile_cont(const KllSketch *s, const double *sorted, int n)
{
	int			j;

	for (j = 0; j <= 1000; j++)
	{
		double		q = j / 1000.0;

		if (kll_quantile(s, q) != percentile_cont(sorted, n, q))
			return false;
	}
	for (j = 0; j < n; j += 7)
		if (kll_rank(s, sorted[j], true) != upper_bound(sorted, n, sorted[j]) ||
			kll_rank(s, sorted[j], false) != lower_bound(sorted, n, sorted[j]))
			return false;
	return true;
}

/* Exact mode: below capacity the sketch is percentile_cont. */
static void
test_exact_mode(void)
{
	uint64_t	seed = 99;
	int			n = KLL_DEFAULT_K - 1;
	double	   *x = malloc(sizeof(double) * 2 * KLL_DEFAULT_K);
	double	   *sorted;
	KllSketch  *s = kll_create(KLL_DEFAULT_K);
	KllSketch  *a;
	KllSketch  *b;
	int			i;

	for (i = 0; i < 2 * KLL_DEFAULT_K; i++)
		x[i] = floor(rand_unit(&seed) * 500.0) / 4.0 - 30.0;	/* with ties */
	for (i = 0; i < n; i++)
		kll_add(s, x[i]);
	sorted = sorted_copy(x, n);
	check(kll_is_exact(s) && kll_count(s) == n,
		  "exact mode: %d values (k - 1) are kept exactly", n);
	check(matches_percentile_cont(s, sorted, n),
		  "exact mode: 1001 quantiles equal percentile_cont, ranks are exact counts");
	check_round_trip("exact mode", s);
	kll_add(s, x[n]);
	check(!kll_is_exact(s) && kll_count(s) == n + 1,
		  "exact mode ends when level 0 reaches k values");
	kll_free(s);
	free(sorted);

	/* merge of two exact sketches that still fit: exact */
	a = sketch_of(x, 0, 400);
	b = sketch_of(x, 400, 900);
	kll_merge(a, b);
	sorted = sorted_copy(x, 900);
	check(kll_is_exact(a) && matches_percentile_cont(a, sorted, 900),
		  "merge of exact sketches that fit stays exact and equals percentile_cont");
	kll_free(a);
	kll_free(b);
	free(sorted);

	/* tiny cases */
	s = kll_create(KLL_DEFAULT_K);
	check(isnan(kll_quantile(s, 0.5)) && kll_rank(s, 1.0, true) == 0.0 && kll_count(s) == 0,
		  "empty sketch: quantile NaN, rank 0, count 0");
	check_round_trip("empty sketch", s);
	kll_add(s, 7.25);
	check(kll_quantile(s, 0.0) == 7.25 && kll_quantile(s, 0.3) == 7.25 &&
		  kll_quantile(s, 1.0) == 7.25,
		  "one value: every quantile is that value");
	kll_add(s, 1.0);
	kll_add(s, 3.0);
	check(kll_quantile(s, 0.25) == 2.0 && kll_quantile(s, 0.5) == 3.0 &&
		  kll_quantile(s, 0.75) == 5.125,
		  "{1, 3, 7.25}: quantiles 0.25/0.5/0.75 are 2, 3, 5.125");
	check(isnan(kll_quantile(s, NAN)), "quantile NaN is NaN");
	check(kll_quantile(s, -1.0) == 1.0 && kll_quantile(s, 2.0) == 7.25,
		  "quantiles outside [0, 1] clamp to min and max");
	kll_free(s);

	/* neighbours whose difference overflows a double */
	s = kll_create(KLL_DEFAULT_K);
	kll_add(s, -1.5e308);
	kll_add(s, 1.5e308);
	check(kll_quantile(s, 0.5) == 0.0 && kll_quantile(s, 0.25) == -7.5e307,
		  "{-1.5e308, 1.5e308}: median 0, quartile -7.5e307 (no overflow)");
	kll_free(s);
	free(x);
}

/* Same values in the same order: the same sketch, also after a round trip. */
static void
test_determinism(void)
{
	uint64_t	seed = 5;
	KllSketch  *a = kll_create(KLL_DEFAULT_K);
	KllSketch  *b = kll_create(KLL_DEFAULT_K);
	KllSketch  *c;
	size_t		len;
	char	   *buf;
	int			i;

	for (i = 0; i < 200000; i++)
	{
		double		v = rand_unit(&seed);

		kll_add(a, v);
		kll_add(b, v);
	}
	buf = image_of(a, &len);
	c = kll_deserialize(buf, len);
	for (i = 0; i < 300000; i++)
	{
		double		v = rand_unit(&seed);

		kll_add(a, v);
		kll_add(b, v);
		if (c)
			kll_add(c, v);
	}
	check(same_answers(a, b), "same input twice gives the same sketch");
	check(c != NULL && same_answers(a, c),
		  "a deserialized sketch continues exactly like the original");
	if (c)
		kll_free(c);
	kll_free(a);
	kll_free(b);
	free(buf);
}

/* Is a damaged image refused?  Frees a sketch if one came back. */
static bool
refused(const char *buf, size_t len)
{
	KllSketch  *s = kll_deserialize(buf, len);

	if (s == NULL)
		return true;
	kll_free(s);
	return false;
}

/* Copy of an image with `size` bytes at `off` replaced by *val. */
static char *
patched(const char *buf, size_t len, size_t off, const void *val, size_t size)
{
	char	   *copy = malloc(len + 1);

	memcpy(copy, buf, len);
	memcpy(copy + off, val, size);
	return copy;
}

/* Check one patched image is refused. */
static void
check_patch(const char *what, const char *buf, size_t len, size_t off,
			const void *val, size_t size)
{
	char	   *p = patched(buf, len, off, val, size);

	check(refused(p, len), "deserialize refuses %s", what);
	free(p);
}

/* Damaged images: truncated, extended, corrupted fields. */
static void
test_bad_images(void)
{
	uint64_t	seed = 3;
	KllSketch  *exact = kll_create(64);
	KllSketch  *approx = kll_create(64);
	char	   *ebuf;
	char	   *abuf;
	char	   *p;
	size_t		elen;
	size_t		alen;
	size_t		cut;
	bool		all;
	int32_t		i32;
	int64_t		i64;
	double		d;
	uint8_t		u8;
	int			i;

	for (i = 0; i < 40; i++)
		kll_add(exact, rand_unit(&seed));
	for (i = 0; i < 20000; i++)
		kll_add(approx, rand_unit(&seed));
	ebuf = image_of(exact, &elen);
	abuf = image_of(approx, &alen);
	check(kll_is_exact(exact) && !kll_is_exact(approx), "test images: one exact, one compacted");

	all = true;
	for (cut = 0; cut < elen; cut++)
		all &= refused(ebuf, cut);
	for (cut = 0; cut < alen; cut++)
		all &= refused(abuf, cut);
	check(all, "deserialize refuses every truncation of both images");
	p = malloc(alen + 1);
	memcpy(p, abuf, alen);
	p[alen] = 0;
	check(refused(p, alen + 1), "deserialize refuses a trailing byte");
	free(p);

	i32 = 0x12345678;
	check_patch("a bad magic", abuf, alen, 0, &i32, 4);
	i32 = 7;
	check_patch("k below the minimum", abuf, alen, OFF_K, &i32, 4);
	i32 = 65537;
	check_patch("k above the maximum", abuf, alen, OFF_K, &i32, 4);
	i32 = 0;
	check_patch("zero levels", ebuf, elen, OFF_NLEVELS, &i32, 4);
	i32 = 60;
	check_patch("60 levels", abuf, alen, OFF_NLEVELS, &i32, 4);
	u8 = 2;
	check_patch("an exact flag of 2", ebuf, elen, OFF_EXACT, &u8, 1);
	i64 = -1;
	check_patch("a negative count", ebuf, elen, OFF_COUNT, &i64, 8);
	memcpy(&i64, abuf + OFF_COUNT, 8);
	i64++;
	check_patch("a count that is not the total weight", abuf, alen, OFF_COUNT, &i64, 8);
	d = NAN;
	check_patch("a NaN item", ebuf, elen, OFF_LEVELS + 4 + 8 * 3, &d, 8);
	d = INFINITY;
	check_patch("an infinite item", abuf, alen, OFF_LEVELS + 4 + 8 * 0, &d, 8);
	d = 2.0;
	check_patch("min above max", ebuf, elen, OFF_MIN, &d, 8);
	d = NAN;
	check_patch("a NaN max", ebuf, elen, OFF_MAX, &d, 8);
	d = 0.5;
	check_patch("an item above the max", ebuf, elen, OFF_MAX, &d, 8);

	/*
	 * The exact flag on a compacted image: the weights add up, but items
	 * sit above level 0, and the exact quantile path would index past
	 * them.
	 */
	u8 = 1;
	check_patch("the exact flag on a compacted image", abuf, alen, OFF_EXACT, &u8, 1);

	/* hand-made: exact, two levels, 3 + 1 items, count 3 + 2 */
	{
		char		img[OFF_LEVELS + 4 + 3 * 8 + 4 + 8];
		char	   *q = img;
		uint32_t	magic;
		int32_t		k = 64;
		int32_t		nl = 2;
		uint8_t		ex = 1;
		int64_t		count = 5;
		double		mn = 1.0;
		double		mx = 4.0;
		uint64_t	rng = 12345;
		int32_t		sample_level = 0;
		int64_t		block = 0;
		double		candidate = 0.0;
		int32_t		n0 = 3;
		int32_t		n1 = 1;
		double		items[4] = {1.0, 2.0, 3.0, 4.0};

		memcpy(&magic, ebuf, 4);
		memcpy(q, &magic, 4), q += 4;
		memcpy(q, &k, 4), q += 4;
		memcpy(q, &nl, 4), q += 4;
		memcpy(q, &ex, 1), q += 1;
		memcpy(q, &count, 8), q += 8;
		memcpy(q, &mn, 8), q += 8;
		memcpy(q, &mx, 8), q += 8;
		memcpy(q, &rng, 8), q += 8;
		memcpy(q, &sample_level, 4), q += 4;
		memcpy(q, &block, 8), q += 8;
		memcpy(q, &block, 8), q += 8;
		memcpy(q, &candidate, 8), q += 8;
		memcpy(q, &n0, 4), q += 4;
		memcpy(q, items, 24), q += 24;
		memcpy(q, &n1, 4), q += 4;
		memcpy(q, items + 3, 8), q += 8;
		check(refused(img, sizeof(img)),
			  "deserialize refuses an exact image holding an item at level 1");
		ex = 0;
		memcpy(img + OFF_EXACT, &ex, 1);
		check(!refused(img, sizeof(img)),
			  "the same image without the exact flag is accepted");
	}
	kll_free(exact);
	kll_free(approx);
	free(ebuf);
	free(abuf);
}

/* Run every test. */
int
main(void)
{
	double	   *x = malloc(sizeof(double) * NVALUES);
	uint64_t	seed = 1;
	int64_t		i;

	for (i = 0; i < NVALUES; i++)
		x[i] = rand_unit(&seed);
	check_distribution("uniform", x);
	check_merges("uniform", x);
	for (i = 0; i < NVALUES; i++)
		x[i] = -log(1.0 - rand_unit(&seed)) * 1000.0;
	check_distribution("exponential", x);
	for (i = 0; i < NVALUES; i++)
		x[i] = floor(rand_unit(&seed) * rand_unit(&seed) * 12.0);
	check_distribution("12 distinct values, skewed", x);
	check_merges("12 distinct values, skewed", x);
	for (i = 0; i < NVALUES; i++)
		x[i] = (double) i * 0.5 - 1000.0;
	check_distribution("sorted ascending", x);
	check_merges("sorted ascending", x);
	for (i = 0; i < NVALUES; i++)
		x[i] = 1e9 - (double) i;
	check_distribution("sorted descending", x);
	check_merges("sorted descending", x);
	{
		KllSketch  *s = sketch_of(x, 0, NVALUES);

		check_round_trip("1M sorted descending", s);
		kll_free(s);
	}
	free(x);
	test_exact_mode();
	test_determinism();
	test_bad_images();
	return unit_status();
}

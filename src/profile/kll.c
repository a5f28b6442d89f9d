/*-------------------------------------------------------------------------
 *
 * kll.c
 *	  KLL quantile sketch (Karnin, Lang, Liberty 2016).
 *
 * Values live in levels; an item at level h stands for 2^h input values.
 * Level h may hold about k * (2/3)^(H-1-h) items (H levels), so the top
 * level is the largest and the total stays near 3k items whatever the
 * input size.  When a level is full it is sorted and every other item
 * (starting at a pseudo-random offset) moves up one level with twice the
 * weight; the rank error this introduces is about 1/k per compaction
 * "layer", which for k = 1024 keeps answers well within 1% of rank.
 *
 * Once the sketch is tall, its bottom levels hold only a few dozen items
 * each and every value would be sorted and merged up through all of them:
 * that cost more than the rest of a profile column.  As the KLL paper
 * suggests, levels whose capacity falls below KLL_SAMPLER_CAPACITY are
 * replaced by a sampler: of each block of 2^s consecutive values (s the
 * sample level) one, at a position drawn uniformly when the block starts,
 * enters level s with weight 2^s.  The rank error this adds is that of
 * compacting those levels, and a value costs a counter increment.
 *
 * The offset comes from a xorshift generator with a fixed seed, so the same
 * values in the same order always give the same sketch.  Until the first
 * compaction every value is kept with weight 1 and the sketch is exact:
 * quantiles then interpolate like percentile_cont.  The true minimum and
 * maximum are tracked separately, so quantile 0 and 1 are always exact.
 *
 *-------------------------------------------------------------------------
 */
#include "kll.h"

#include <math.h>

#define KLL_MAGIC		0x4b4c4c32	/* "KLL2" */
#define KLL_MAX_LEVELS	60
#define KLL_MIN_K		8
#define KLL_MAX_K		65536
#define KLL_SAMPLER_CAPACITY 64	/* smaller levels give way to the sampler */

typedef struct KllLevel
{
	double	   *items;
	int			n;
	int			alloc;
} KllLevel;

struct KllSketch
{
	int			k;
	int			nlevels;
	bool		exact;
	int64		count;			/* total weight */
	double		min;
	double		max;
	uint64		rng;
	int			sample_level;	/* values enter here, one per block */
	int64		block_n;		/* values seen in the current block */
	int64		block_pick;		/* position (from 0) the block keeps */
	double		candidate;		/* the block's value at block_pick, so far */
	int			capacity[KLL_MAX_LEVELS];	/* per level, for nlevels */
	KllLevel	levels[KLL_MAX_LEVELS];
};

typedef struct WeightedItem
{
	double		value;
	int64		weight;
} WeightedItem;

/*
 * Set the number of levels and the capacity of each: k * (2/3)^(H-1-h),
 * at least 8.  Cached because kll_add checks level 0 on every value, and a
 * pow() per value cost more than the sketch itself.
 */
static void
kll_set_levels(KllSketch *s, int nlevels)
{
	int			h;

	s->nlevels = nlevels;
	for (h = 0; h < nlevels; h++)
	{
		double		cap = s->k * pow(2.0 / 3.0, nlevels - 1 - h);

		s->capacity[h] = cap < 8 ? 8 : (int) ceil(cap);
	}
}

/* Create an empty sketch with accuracy parameter k. */
KllSketch *
kll_create(int k)
{
	KllSketch  *s = am_alloc0(sizeof(KllSketch));

	s->k = k < KLL_MIN_K ? KLL_MIN_K : (k > KLL_MAX_K ? KLL_MAX_K : k);
	kll_set_levels(s, 1);
	s->exact = true;
	s->rng = UINT64_C(0x2545f4914f6cdd1d);
	return s;
}

void
kll_free(KllSketch *s)
{
	int			h;

	for (h = 0; h < s->nlevels; h++)
		if (s->levels[h].items)
			am_free(s->levels[h].items);
	am_free(s);
}

/* Capacity of level h: geometric in the distance from the top level. */
static inline int
kll_level_capacity(const KllSketch *s, int h)
{
	return s->capacity[h];
}

/* Append v to level h, growing its array. */
static void
kll_level_push(KllLevel *lv, double v)
{
	if (lv->n == lv->alloc)
	{
		int			alloc = lv->alloc ? lv->alloc * 2 : 64;

		lv->items = lv->items ? am_realloc(lv->items, sizeof(double) * alloc) :
			am_alloc(sizeof(double) * alloc);
		lv->alloc = alloc;
	}
	lv->items[lv->n++] = v;
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/*
 * Sort finite doubles ascending.  Compaction sorts a level every few dozen
 * values, mostly short runs: an inlined quicksort with an insertion-sort
 * finish is several times faster than qsort's comparator calls there.
 */
static void
sort_doubles(double *a, int n)
{
	int			i;

	while (n > 24)
	{
		double		x = a[0];
		double		y = a[n / 2];
		double		z = a[n - 1];
		double		pivot = x < y ? (y < z ? y : (x < z ? z : x)) :
			(x < z ? x : (y < z ? z : y));
		int			lo = 0;
		int			hi = n - 1;

		while (lo <= hi)
		{
			while (a[lo] < pivot)
				lo++;
			while (a[hi] > pivot)
				hi--;
			if (lo <= hi)
			{
				double		t = a[lo];

				a[lo++] = a[hi];
				a[hi--] = t;
			}
		}
		/* recurse into the smaller part, loop on the larger */
		if (hi + 1 < n - lo)
		{
			sort_doubles(a, hi + 1);
			a += lo;
			n -= lo;
		}
		else
		{
			sort_doubles(a + lo, n - lo);
			n = hi + 1;
		}
	}
	for (i = 1; i < n; i++)
	{
		double		v = a[i];
		int			j = i;

		while (j > 0 && a[j - 1] > v)
		{
			a[j] = a[j - 1];
			j--;
		}
		a[j] = v;
	}
}

/* Next deterministic pseudo-random 64 bits (xorshift64*). */
static uint64
kll_random(KllSketch *s)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * UINT64_C(0x2545f4914f6cdd1d);
}

/* One pseudo-random bit. */
static int
kll_random_bit(KllSketch *s)
{
	return (int) (kll_random(s) >> 63);
}

/*
 * Merge the sorted run run[0], run[2], run[4], ... (m items) into the
 * sorted level lv, in place from the back.
 */
static void
kll_level_merge_run(KllLevel *lv, const double *run, int m)
{
	int			i = lv->n - 1;
	int			j = m - 1;
	int			k = lv->n + m - 1;

	if (lv->alloc < lv->n + m)
	{
		int			alloc = lv->alloc > 32 ? lv->alloc * 2 : 64;

		if (alloc < lv->n + m)
			alloc = lv->n + m;
		lv->items = lv->items ? am_realloc(lv->items, sizeof(double) * alloc) :
			am_alloc(sizeof(double) * alloc);
		lv->alloc = alloc;
	}
	while (j >= 0)
	{
		if (i >= 0 && lv->items[i] > run[2 * j])
			lv->items[k--] = lv->items[i--];
		else
			lv->items[k--] = run[2 * j--];
	}
	lv->n += m;
}

/*
 * Halve level h into level h+1; an odd item out stays at level h.
 *
 * Levels above the sample level are kept sorted: the promoted half of a
 * sorted level is itself sorted, so it merges into the next level in
 * linear time, and only the level values arrive at ever needs a sort.
 */
static void
kll_compact_level(KllSketch *s, int h)
{
	KllLevel   *lv = &s->levels[h];
	int			n = lv->n;
	int			keep = n % 2;
	int			i;

	if (h + 1 >= s->nlevels)
		kll_set_levels(s, s->nlevels + 1);
	if (n < 2)
		return;					/* nothing to promote (raising the sample level) */
	if (h <= s->sample_level)
		sort_doubles(lv->items, n);
	i = keep + kll_random_bit(s);
	kll_level_merge_run(&s->levels[h + 1], lv->items + i, (n - i + 1) / 2);
	/* the smallest item keeps weight 2^h when the count is odd */
	lv->n = keep;
	s->exact = false;
}

/* Compact every level that is over its capacity, bottom up. */
static void
kll_compress(KllSketch *s)
{
	int			h;

	for (h = 0; h < s->nlevels && h + 1 < KLL_MAX_LEVELS; h++)
		if (s->levels[h].n >= kll_level_capacity(s, h))
			kll_compact_level(s, h);
}

/* A pseudo-random double uniform in [0, 1). */
static double
kll_random_unit(KllSketch *s)
{
	return (double) (kll_random(s) >> 11) * (1.0 / 9007199254740992.0);
}

/* The sample level the current height calls for. */
static int
kll_wanted_sample_level(const KllSketch *s)
{
	int			h = 0;

	while (h + 1 < s->nlevels && s->capacity[h] < KLL_SAMPLER_CAPACITY)
		h++;
	return h;
}

/*
 * Raise the sample level to what the height calls for: each level given
 * up is compacted into the one above (an odd item stays behind, still
 * counted at its weight).  The current block grows to the new size; its
 * pick, drawn for the old size, stays a valid (if early) position.
 */
static void
kll_raise_sample_level(KllSketch *s)
{
	int			want = kll_wanted_sample_level(s);

	while (s->sample_level < want)
	{
		kll_compact_level(s, s->sample_level);
		s->sample_level++;
	}
	kll_compress(s);
}

/* Put a value into the level values enter, compacting as needed. */
static void
kll_insert(KllSketch *s, double v)
{
	int			h = s->sample_level;

	kll_level_push(&s->levels[h], v);
	if (s->levels[h].n >= kll_level_capacity(s, h))
	{
		kll_compress(s);
		if (kll_wanted_sample_level(s) > s->sample_level)
			kll_raise_sample_level(s);
	}
}

/* One value of the stream: straight in, or through the sampler's block. */
static void
kll_offer(KllSketch *s, double v)
{
	if (s->sample_level == 0)
	{
		kll_insert(s, v);
		return;
	}
	if (s->block_n == 0)
		s->block_pick = (int64) (kll_random_unit(s) *
								 (double) ((int64) 1 << s->sample_level));
	/* up to the pick, the latest value stands in for an unfinished block */
	if (s->block_n <= s->block_pick)
		s->candidate = v;
	if (++s->block_n == ((int64) 1 << s->sample_level))
	{
		s->block_n = 0;
		kll_insert(s, s->candidate);
	}
}

/*
 * A sketch stays exact only while it holds every value at weight 1 in
 * level 0: a merge (or a raised sample level) can leave a sketch flagged
 * exact whose items no longer add up to its count, which quantiles and the
 * serialized image must not see.
 */
static void
settle_exact(KllSketch *s)
{
	int64		n0;

	if (!s->exact)
		return;
	n0 = s->nlevels > 0 ? s->levels[0].n : 0;
	for (int h = 1; h < s->nlevels; h++)
		if (s->levels[h].n > 0)
			n0 = -1;
	if (n0 != s->count || s->block_n != 0)
		s->exact = false;
}

void
kll_add(KllSketch *s, double v)
{
	if (s->count == 0 || v < s->min)
		s->min = v;
	if (s->count == 0 || v > s->max)
		s->max = v;
	s->count++;
	kll_offer(s, v);
	if (s->exact && s->sample_level > 0)
		settle_exact(s);
}

/* dst absorbs src's items level by level, then compacts what overflows. */
void
kll_merge(KllSketch *dst, const KllSketch *src)
{
	int			h;
	int			i;

	if (src->count == 0)
		return;
	if (dst->count == 0 || src->min < dst->min)
		dst->min = src->min;
	if (dst->count == 0 || src->max > dst->max)
		dst->max = src->max;
	if (src->nlevels > dst->nlevels)
		kll_set_levels(dst, src->nlevels);
	for (h = 0; h < src->nlevels; h++)
	{
		for (i = 0; i < src->levels[h].n; i++)
			kll_level_push(&dst->levels[h], src->levels[h].items[i]);
		if (h > 0)
			sort_doubles(dst->levels[h].items, dst->levels[h].n);
	}
	dst->count += src->count;
	dst->exact = dst->exact && src->exact;
	kll_compress(dst);
	kll_compress(dst);
	if (kll_wanted_sample_level(dst) > dst->sample_level)
		kll_raise_sample_level(dst);
	/* src's unfinished block stands for block_n values equal to its pick */
	for (i = 0; i < src->block_n; i++)
		kll_offer(dst, src->candidate);
	settle_exact(dst);
}

int64
kll_count(const KllSketch *s)
{
	return s->count;
}

bool
kll_is_exact(const KllSketch *s)
{
	return s->exact;
}

static int
cmp_weighted(const void *a, const void *b)
{
	return cmp_double(&((const WeightedItem *) a)->value,
					  &((const WeightedItem *) b)->value);
}

/* All items with their weights, sorted by value; caller frees. */
static WeightedItem *
kll_sorted_items(const KllSketch *s, int *n_out)
{
	int			n = 0;
	int			h;
	int			i;
	WeightedItem *items;

	for (h = 0; h < s->nlevels; h++)
		n += s->levels[h].n;
	items = am_alloc(sizeof(WeightedItem) * (n + 1));
	n = 0;
	for (h = 0; h < s->nlevels; h++)
		for (i = 0; i < s->levels[h].n; i++)
		{
			items[n].value = s->levels[h].items[i];
			items[n++].weight = (int64) 1 << h;
		}
	if (s->block_n > 0)
	{
		items[n].value = s->candidate;
		items[n++].weight = s->block_n;
	}
	qsort(items, n, sizeof(WeightedItem), cmp_weighted);
	*n_out = n;
	return items;
}

/*
 * Value at quantile q.  Exact mode interpolates between neighbours at
 * position (n-1)q like percentile_cont; otherwise the first item whose
 * cumulative weight passes q*(n-1).
 */
double
kll_quantile(const KllSketch *s, double q)
{
	WeightedItem *items;
	int			n;
	double		target;
	double		result;
	int64		cum = 0;
	int			i;

	if (s->count == 0 || isnan(q))
		return NAN;
	if (q <= 0.0)
		return s->min;
	if (q >= 1.0)
		return s->max;
	items = kll_sorted_items(s, &n);
	if (n == 0)
	{
		/* a decoded sketch whose count and items disagree */
		am_free(items);
		return NAN;
	}
	target = q * (double) (s->count - 1);
	if (s->exact)
	{
		/* (clamped: count and the items can disagree in a decoded sketch) */
		int			lo = (int) fmin(floor(target), (double) (n - 1));
		int			hi = lo + 1 < n ? lo + 1 : lo;
		double		frac = target - lo;
		double		diff = items[hi].value - items[lo].value;

		result = items[lo].value + frac * diff;
		/* neighbours such as -1e308 and 1e308 overflow the difference */
		if (isinf(diff))
			result = items[lo].value * (1.0 - frac) + items[hi].value * frac;
		if (frac == 0.0)
			result = items[lo].value;
	}
	else
	{
		result = items[n - 1].value;
		for (i = 0; i < n; i++)
		{
			cum += items[i].weight;
			if ((double) cum > target)
			{
				result = items[i].value;
				break;
			}
		}
	}
	am_free(items);
	return result;
}

/* Weighted count of items <= x (inclusive) or < x. */
double
kll_rank(const KllSketch *s, double x, bool inclusive)
{
	double		rank = 0.0;
	int			h;
	int			i;

	for (h = 0; h < s->nlevels; h++)
	{
		double		w = (double) ((int64) 1 << h);

		for (i = 0; i < s->levels[h].n; i++)
		{
			double		v = s->levels[h].items[i];

			if (v < x || (inclusive && v == x))
				rank += w;
		}
	}
	if (s->block_n > 0 &&
		(s->candidate < x || (inclusive && s->candidate == x)))
		rank += (double) s->block_n;
	return rank;
}

/* ---------- serialization: little-endian flat image ---------- */

size_t
kll_serialized_size(const KllSketch *s)
{
	size_t		size = 4 + 4 + 4 + 1 + 8 + 8 + 8 + 8 + 4 + 8 + 8 + 8;
	int			h;

	for (h = 0; h < s->nlevels; h++)
		size += 4 + sizeof(double) * s->levels[h].n;
	return size;
}

#define PUT(p, v)	do { memcpy((p), &(v), sizeof(v)); (p) += sizeof(v); } while (0)

void
kll_serialize(const KllSketch *s, char *buf)
{
	char	   *p = buf;
	uint32		magic = KLL_MAGIC;
	uint8		exact = s->exact;
	int			h;

	PUT(p, magic);
	PUT(p, s->k);
	PUT(p, s->nlevels);
	PUT(p, exact);
	PUT(p, s->count);
	PUT(p, s->min);
	PUT(p, s->max);
	PUT(p, s->rng);
	PUT(p, s->sample_level);
	PUT(p, s->block_n);
	PUT(p, s->block_pick);
	PUT(p, s->candidate);
	for (h = 0; h < s->nlevels; h++)
	{
		PUT(p, s->levels[h].n);
		/* an empty level may have no array: memcpy from NULL is undefined */
		if (s->levels[h].n > 0)
			memcpy(p, s->levels[h].items, sizeof(double) * s->levels[h].n);
		p += sizeof(double) * s->levels[h].n;
	}
}

/* Bounds-checked reader over a byte image. */
typedef struct Reader
{
	const char *p;
	size_t		left;
} Reader;

static bool
take(Reader *r, void *out, size_t n)
{
	if (r->left < n)
		return false;
	memcpy(out, r->p, n);
	r->p += n;
	r->left -= n;
	return true;
}

KllSketch *
kll_deserialize(const char *buf, size_t len)
{
	Reader		r = {buf, len};
	uint32		magic;
	int			k;
	int			nlevels;
	uint8		exact;
	KllSketch  *s;
	int64		weight = 0;
	int			h;
	int			i;

	if (!take(&r, &magic, 4) || magic != KLL_MAGIC ||
		!take(&r, &k, 4) || k < KLL_MIN_K || k > KLL_MAX_K ||
		!take(&r, &nlevels, 4) || nlevels < 1 || nlevels > KLL_MAX_LEVELS - 1 ||
		!take(&r, &exact, 1) || exact > 1)
		return NULL;
	s = kll_create(k);
	kll_set_levels(s, nlevels);
	s->exact = exact;
	if (!take(&r, &s->count, 8) || !take(&r, &s->min, 8) ||
		!take(&r, &s->max, 8) || !take(&r, &s->rng, 8) || s->count < 0 ||
		!take(&r, &s->sample_level, 4) || !take(&r, &s->block_n, 8) ||
		!take(&r, &s->block_pick, 8) || !take(&r, &s->candidate, 8) ||
		s->sample_level < 0 || s->sample_level >= nlevels || s->sample_level > 40 ||
		s->block_n < 0 || s->block_n >= ((int64) 1 << s->sample_level) ||
		s->block_pick < 0 || s->block_pick >= ((int64) 1 << s->sample_level) ||
		(s->block_n > 0 && (exact || !isfinite(s->candidate) ||
							s->candidate < s->min || s->candidate > s->max)))
		goto bad;
	weight = s->block_n;
	for (h = 0; h < nlevels; h++)
	{
		int			n;

		if (!take(&r, &n, 4) || n < 0 || (size_t) n > r.left / sizeof(double))
			goto bad;
		for (i = 0; i < n; i++)
		{
			double		v;

			take(&r, &v, sizeof(v));
			/* every item is an input value, so it lies within [min, max] */
			if (!isfinite(v) || v < s->min || v > s->max)
				goto bad;
			kll_level_push(&s->levels[h], v);
		}
		if (h > 40 && n > 0)
			goto bad;
		/*
		 * Levels above the sample level are sorted (compaction merges into
		 * them); every image kll_serialize writes has them so.
		 */
		if (h > s->sample_level)
			for (i = 1; i < n; i++)
				if (s->levels[h].items[i - 1] > s->levels[h].items[i])
					goto bad;

		/*
		 * An exact sketch keeps every value at weight 1, and kll_quantile's
		 * exact path indexes its items by rank up to count - 1: an image
		 * claiming exact with items above level 0 has fewer items than its
		 * count and would be read past the end.
		 */
		if (exact && h > 0 && n > 0)
			goto bad;
		/* refuse a total weight that overflows int64 (huge crafted images) */
		if ((int64) n > (INT64_MAX - weight) >> h)
			goto bad;
		weight += (int64) n << h;
	}
	if (r.left != 0 || weight != s->count ||
		(s->count > 0 && !(isfinite(s->min) && isfinite(s->max) &&
						   s->min <= s->max)))
		goto bad;
	return s;
bad:
	kll_free(s);
	return NULL;
}

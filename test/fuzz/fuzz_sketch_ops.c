/*-------------------------------------------------------------------------
 *
 * fuzz_sketch_ops.c
 *	  libFuzzer harness that runs programs of sketch operations and checks
 *	  the results against an exact model.
 *
 * The input is read as a program (of at most MAX_STEPS steps) over two KLL
 * sketches, two frequency tables and two HyperLogLogs: add a value, add
 * many, merge one into the other, serialize and deserialize (the copy
 * replaces the original), or start afresh with a new k, limit or
 * precision.  Beside each sketch the harness keeps what went into it, and
 * checks after every step (cheaply) and at the end or on a 0xFF step
 * (fully):
 *
 * - KLL: count, exact min and max, ordered quantiles within them, ranks
 *	 within [0, count]; in exact mode, percentile_cont and exact ranks; in
 *	 full checks, rank error within 5% when every sketch merged had
 *	 k >= 200; the number of retained items stays within about 5k.
 * - frequency table: the exact total; in exact mode every count exact; in
 *	 sketch mode Misra-Gries counts are lower bounds within
 *	 total/(capacity+1); in full checks every value above that is
 *	 reported and the distinct count is exactly the HyperLogLog of all
 *	 values added; labels are the value's text cut on a UTF-8 boundary.
 * - HyperLogLog: the same registers as a sketch built from the set of
 *	 values added.
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

#include "profile/freq.h"
#include "profile/hll.h"
#include "profile/kll.h"

#define DOMAIN			1024	/* frequency/HLL values are 0 .. DOMAIN-1 */
#define MAX_KLL_VALUES	20000	/* model size cap per KLL sketch */
#define MAX_STEPS		256		/* longer programs only cost time */

typedef struct KllSlot
{
	KllSketch  *s;
	int			k;				/* the sketch's own k */
	int			min_k;			/* smallest k of anything merged in */
	double	   *vals;
	int64_t		n;
	int64_t		alloc;
} KllSlot;

typedef struct FreqSlot
{
	FreqTable  *f;
	bool		labels;
	int64_t		total;
	int64_t		counts[DOMAIN];
} FreqSlot;

typedef struct HllSlot
{
	Hll		   *h;
	int			p;
	bool		seen[DOMAIN];
} HllSlot;

static KllSlot kslot[2];
static FreqSlot fslot[2];
static HllSlot hslot[2];

/* value v's hash, and the reverse lookup table */
typedef struct HashOf
{
	uint64_t	hash;
	int			v;
} HashOf;
static HashOf by_hash[DOMAIN];

/* qsort comparator for HashOf by hash. */
FUZZ_NO_COVERAGE
static int
cmp_hashof(const void *a, const void *b)
{
	uint64_t	x = ((const HashOf *) a)->hash;
	uint64_t	y = ((const HashOf *) b)->hash;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/* The value whose hash is h, or -1. */
FUZZ_NO_COVERAGE
static int
value_of(uint64_t h)
{
	HashOf		key = {h, 0};
	HashOf	   *hit = bsearch(&key, by_hash, DOMAIN, sizeof(HashOf), cmp_hashof);

	return hit ? hit->v : -1;
}

/* qsort comparator for doubles. */
FUZZ_NO_COVERAGE
static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/* Text of value v: up to 366 bytes of 1- to 4-byte characters. */
FUZZ_NO_COVERAGE
static int
label_of(int v, char *buf)
{
	static const char *units[] = {"a", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
	const char *u = units[v % 4];
	int			len = sprintf(buf, "v%d:", v);
	int			i;

	for (i = 0; i < v % 90; i++)
		len += sprintf(buf + len, "%s", u);
	return len;
}

/* The label freq.c should keep for v: cut at 200 bytes on a boundary. */
FUZZ_NO_COVERAGE
static void
expected_label(int v, char *out)
{
	char		buf[512];
	int			len = label_of(v, buf);

	if (len > FREQ_LABEL_MAX)
	{
		len = FREQ_LABEL_MAX;
		while (len > 0 && ((unsigned char) buf[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(out, buf, len);
	out[len] = '\0';
}

/* ---------- KLL ---------- */

/* Record v in slot's model. */
FUZZ_NO_COVERAGE
static void
kmodel_add(KllSlot *k, double v)
{
	if (k->n == k->alloc)
	{
		k->alloc = k->alloc ? 2 * k->alloc : 1024;
		k->vals = realloc(k->vals, sizeof(double) * k->alloc);
	}
	k->vals[k->n++] = v;
}

/* Count of sorted[] entries < x (or <= x). */
FUZZ_NO_COVERAGE
static int64_t
count_below(const double *sorted, int64_t n, double x, bool inclusive)
{
	int64_t		lo = 0;
	int64_t		hi = n;

	while (lo < hi)
	{
		int64_t		mid = (lo + hi) / 2;

		if (sorted[mid] < x || (inclusive && sorted[mid] == x))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* percentile_cont as kll.c computes it in exact mode. */
FUZZ_NO_COVERAGE
static double
percentile_cont(const double *sorted, int64_t n, double q)
{
	double		target = q * (double) (n - 1);
	int64_t		lo = (int64_t) floor(target);
	int64_t		hi = lo + 1 < n ? lo + 1 : lo;
	double		frac = target - lo;
	double		diff = sorted[hi] - sorted[lo];

	if (q <= 0.0)
		return sorted[0];
	if (q >= 1.0)
		return sorted[n - 1];
	if (frac == 0.0)
		return sorted[lo];
	if (isinf(diff))
		return sorted[lo] * (1.0 - frac) + sorted[hi] * frac;
	return sorted[lo] + frac * diff;
}

/* Check one KLL sketch against its model; `full` adds accuracy checks. */
FUZZ_NO_COVERAGE
static void
check_kll(KllSlot *k, bool full)
{
	KllSketch  *s = k->s;
	int64_t		n = k->n;
	double	   *sorted;
	double		lo;
	double		hi;
	double		scale;
	double		prev;
	size_t		items;
	int			steps;
	int			j;

	FUZZ_CHECK(kll_count(s) == n);
	/* level capacities add up to ~3k + 8 per level; allow transients */
	items = (kll_serialized_size(s) - 45) / 8;
	FUZZ_CHECK(items <= (size_t) 5 * k->k + 16 * 60);
	if (n == 0)
	{
		FUZZ_CHECK(isnan(kll_quantile(s, 0.5)));
		return;
	}
	if (!full && !kll_is_exact(s))
	{
		/* cheap checks: ordered, within the extremes */
		lo = kll_quantile(s, 0.0);
		hi = kll_quantile(s, 1.0);
		scale = fabs(lo) + fabs(hi);
		prev = lo;
		for (j = 1; j <= 4; j++)
		{
			double		v = kll_quantile(s, j / 4.0);

			FUZZ_CHECK(leq_within(prev, v, scale) && leq_within(v, hi, scale));
			prev = v;
		}
		FUZZ_CHECK(kll_rank(s, hi, true) == (double) n);
		FUZZ_CHECK(kll_rank(s, lo, false) == 0.0);
		return;
	}
	sorted = malloc(sizeof(double) * n);
	memcpy(sorted, k->vals, sizeof(double) * n);
	qsort(sorted, n, sizeof(double), cmp_double);
	lo = sorted[0];
	hi = sorted[n - 1];
	scale = fabs(lo) + fabs(hi);
	FUZZ_CHECK(kll_quantile(s, 0.0) == lo && kll_quantile(s, 1.0) == hi);
	prev = lo;
	steps = full ? 40 : 8;
	for (j = 0; j <= steps; j++)
	{
		double		q = (double) j / steps;
		double		v = kll_quantile(s, q);
		double		r1 = kll_rank(s, v, false);
		double		r2 = kll_rank(s, v, true);

		FUZZ_CHECK(leq_within(lo, v, scale) && leq_within(v, hi, scale));
		FUZZ_CHECK(leq_within(prev, v, scale));
		FUZZ_CHECK(0.0 <= r1 && r1 <= r2 && r2 <= (double) n);
		prev = v;
		if (kll_is_exact(s))
		{
			FUZZ_CHECK(v == percentile_cont(sorted, n, q));
			FUZZ_CHECK(r1 == (double) count_below(sorted, n, v, false));
			FUZZ_CHECK(r2 == (double) count_below(sorted, n, v, true));
		}
		else if (k->min_k >= 200 && n >= 1000 && j > 0 && j < steps)
		{
			/* rank error within 5%: KLL promises ~1% at k = 200 */
			double		target = q * n;
			double		below = (double) count_below(sorted, n, v, false);
			double		upto = (double) count_below(sorted, n, v, true);

			FUZZ_CHECK(target >= below - 0.05 * n && target <= upto + 0.05 * n);
		}
	}
	free(sorted);
}

/* Fresh KLL sketch with accuracy k. */
static void
kll_reset(KllSlot *k, int kk)
{
	if (k->s)
		kll_free(k->s);
	k->s = kll_create(kk);
	k->k = kk < 8 ? 8 : kk;
	k->min_k = k->k;
	k->n = 0;
}

/* ---------- frequency tables ---------- */

/*
 * Check one table against its model.  Between steps only the top 32
 * values are checked (freq_top is quadratic in what it returns); `full`
 * checks all of them, that every heavy hitter is reported, and the
 * HyperLogLog's distinct count.
 */
FUZZ_NO_COVERAGE
static void
check_freq(FreqSlot *fs, bool full)
{
	static FreqItem top[DOMAIN + 1];
	FreqTable  *f = fs->f;
	int			want = full ? DOMAIN + 1 : 32;
	int			ntop = freq_top(f, top, want);
	int64_t		distinct = 0;
	double		slack = (double) fs->total / (FREQ_MG_CAPACITY + 1);
	bool		reported[DOMAIN] = {false};
	int			v;
	int			j;

	FUZZ_CHECK(freq_total(f) == fs->total);
	for (v = 0; v < DOMAIN; v++)
		distinct += fs->counts[v] > 0;
	for (j = 0; j < ntop; j++)
	{
		char		label[512];

		v = value_of(top[j].hash);
		FUZZ_CHECK(v >= 0);
		reported[v] = true;
		FUZZ_CHECK(top[j].count > 0 && top[j].count <= fs->counts[v]);
		if (freq_is_exact(f))
			FUZZ_CHECK(top[j].count == fs->counts[v]);
		else
			FUZZ_CHECK(top[j].count >= fs->counts[v] - slack);
		if (j > 0)
			FUZZ_CHECK(top[j].count <= top[j - 1].count);
		if (top[j].label)
		{
			FUZZ_CHECK(fs->labels);
			expected_label(v, label);
			FUZZ_CHECK(strcmp(top[j].label, label) == 0);
		}
	}
	if (freq_is_exact(f))
	{
		FUZZ_CHECK(freq_distinct(f) == (double) distinct);
		FUZZ_CHECK(ntop == (distinct < want ? distinct : want));
	}
	else if (full)
	{
		FUZZ_CHECK(ntop <= FREQ_MG_CAPACITY);
		for (v = 0; v < DOMAIN; v++)
			if (fs->counts[v] > slack)
				FUZZ_CHECK(reported[v]);
	}
	if (full && !freq_is_exact(f))
	{
		Hll		   *h = hll_create(HLL_DEFAULT_P);

		for (v = 0; v < DOMAIN; v++)
			if (fs->counts[v] > 0)
				hll_add(h, mix64(v));
		FUZZ_CHECK(freq_distinct(f) == hll_estimate(h));
		hll_free(h);
	}
}

/* Add value v to a table and its model. */
static void
freq_add_value(FreqSlot *fs, int v)
{
	char		label[512];
	int			len = label_of(v, label);

	freq_add(fs->f, mix64(v), label, len);
	fs->total++;
	fs->counts[v]++;
}

/* Fresh table. */
static void
freq_reset(FreqSlot *fs, int64_t limit, bool labels)
{
	if (fs->f)
		freq_free(fs->f);
	fs->f = freq_create(limit, labels);
	fs->labels = labels;
	fs->total = 0;
	memset(fs->counts, 0, sizeof(fs->counts));
}

/* ---------- HyperLogLog ---------- */

/* The HyperLogLog must equal one built from the model's set. */
FUZZ_NO_COVERAGE
static void
check_hll(HllSlot *hs, bool full)
{
	Hll		   *ref = hll_create(hs->p);
	size_t		len = hll_serialized_size(hs->h);
	char	   *a;
	char	   *b;
	int			v;

	for (v = 0; v < DOMAIN; v++)
		if (hs->seen[v])
			hll_add(ref, mix64(v));
	FUZZ_CHECK(hll_serialized_size(ref) == len);
	a = malloc(len);
	b = malloc(len);
	hll_serialize(hs->h, a);
	hll_serialize(ref, b);
	FUZZ_CHECK(memcmp(a, b, len) == 0);
	if (full)
		FUZZ_CHECK(hll_estimate(hs->h) == hll_estimate(ref));
	free(a);
	free(b);
	hll_free(ref);
}

/* Fresh HyperLogLog with precision p. */
static void
hll_reset(HllSlot *hs, int p)
{
	if (hs->h)
		hll_free(hs->h);
	hs->h = hll_create(p);
	hs->p = p < 4 ? 4 : (p > 18 ? 18 : p);
	memset(hs->seen, 0, sizeof(hs->seen));
}

/* ---------- the program ---------- */

/* A double from 8 input bytes; non-finite bit patterns become integers. */
static double
next_double(Cursor *c)
{
	uint64_t	bits = next_bytes(c, 8);
	double		v;

	memcpy(&v, &bits, 8);
	if (!isfinite(v))
		v = (double) (int32_t) bits;
	return v;
}

/* Run one step; returns false at the end of the input. */
static bool
step(Cursor *c)
{
	uint8_t		op;
	int			i;
	int			j;
	int			t;

	if (c->left == 0)
		return false;
	op = next_u8(c);
	op = op == 0xFF ? 14 : op % 14;	/* full checks are slow: keep them rare */
	i = next_u8(c) & 1;
	j = 1 - i;
	switch (op)
	{
		case 0:				/* KLL: add one value from the input */
			if (kslot[i].n < MAX_KLL_VALUES)
			{
				double		v = next_double(c);

				kll_add(kslot[i].s, v);
				kmodel_add(&kslot[i], v);
			}
			check_kll(&kslot[i], false);
			break;
		case 1:				/* KLL: add many values, shape from the input */
			{
				int			count = 1 + next_u8(c) * 8;
				int			shape = next_u8(c);

				for (t = 0; t < count && kslot[i].n < MAX_KLL_VALUES; t++)
				{
					double		v;

					switch (shape % 4)
					{
						case 0:
							v = (double) (mix64(shape * 100000 + t) % 1000);
							break;
						case 1:
							v = (double) (kslot[i].n);	/* ascending */
							break;
						case 2:
							v = -(double) (kslot[i].n); /* descending */
							break;
						default:
							v = (double) (shape % 3);	/* duplicates */
							break;
					}
					kll_add(kslot[i].s, v);
					kmodel_add(&kslot[i], v);
				}
				check_kll(&kslot[i], false);
			}
			break;
		case 2:				/* KLL: merge j into i */
			if (kslot[i].n + kslot[j].n <= MAX_KLL_VALUES)
			{
				kll_merge(kslot[i].s, kslot[j].s);
				for (t = 0; t < kslot[j].n; t++)
					kmodel_add(&kslot[i], kslot[j].vals[t]);
				if (kslot[j].min_k < kslot[i].min_k)
					kslot[i].min_k = kslot[j].min_k;
				check_kll(&kslot[i], false);
				check_kll(&kslot[j], false);
			}
			break;
		case 3:				/* KLL: round trip, the copy replaces it */
			{
				size_t		len = kll_serialized_size(kslot[i].s);
				char	   *buf = malloc(len);
				char	   *buf2 = malloc(len);
				KllSketch  *copy;

				kll_serialize(kslot[i].s, buf);
				copy = kll_deserialize(buf, len);
				FUZZ_CHECK(copy != NULL);
				FUZZ_CHECK(kll_serialized_size(copy) == len);
				kll_serialize(copy, buf2);
				FUZZ_CHECK(memcmp(buf, buf2, len) == 0);
				kll_free(kslot[i].s);
				kslot[i].s = copy;
				free(buf);
				free(buf2);
				check_kll(&kslot[i], false);
			}
			break;
		case 4:				/* KLL: start afresh with k = 8 .. 1028 */
			kll_reset(&kslot[i], 8 + next_u8(c) * 4);
			break;
		case 5:				/* freq: add one value */
			freq_add_value(&fslot[i], (int) (next_bytes(c, 2) % DOMAIN));
			check_freq(&fslot[i], false);
			break;
		case 6:				/* freq: add many, skewed towards small values */
			{
				int			count = 1 + next_u8(c) * 8;
				uint64_t	seed = next_u8(c);

				for (t = 0; t < count; t++)
				{
					uint64_t	r = mix64(seed * 100000 + t);

					freq_add_value(&fslot[i], (int) ((r % DOMAIN) * ((r >> 32) % DOMAIN) / DOMAIN));
				}
				check_freq(&fslot[i], false);
			}
			break;
		case 7:				/* freq: merge j into i */
			freq_merge(fslot[i].f, fslot[j].f);
			fslot[i].total += fslot[j].total;
			for (t = 0; t < DOMAIN; t++)
				fslot[i].counts[t] += fslot[j].counts[t];
			check_freq(&fslot[i], false);
			check_freq(&fslot[j], false);
			break;
		case 8:				/* freq: round trip, the copy replaces it */
			{
				size_t		len = freq_serialized_size(fslot[i].f);
				char	   *buf = malloc(len);
				FreqTable  *copy;

				freq_serialize(fslot[i].f, buf);
				copy = freq_deserialize(buf, len);
				FUZZ_CHECK(copy != NULL);
				FUZZ_CHECK(freq_serialized_size(copy) == len);
				freq_free(fslot[i].f);
				fslot[i].f = copy;
				free(buf);
				check_freq(&fslot[i], false);
			}
			break;
		case 9:				/* freq: start afresh */
			{
				uint8_t		b = next_u8(c);
				int64_t		limit = b < 200 ? (int64_t) (b % 40) - 1 : (int64_t) (b - 200) * 20;

				freq_reset(&fslot[i], limit, next_u8(c) & 1);
			}
			break;
		case 10:				/* HLL: add values */
			{
				int			count = 1 + next_u8(c) % 32;

				for (t = 0; t < count; t++)
				{
					int			v = (int) (next_bytes(c, 2) % DOMAIN);

					hll_add(hslot[i].h, mix64(v));
					hslot[i].seen[v] = true;
				}
				check_hll(&hslot[i], false);
			}
			break;
		case 11:				/* HLL: merge j into i (same precision only) */
			hll_merge(hslot[i].h, hslot[j].h);
			if (hslot[i].p == hslot[j].p)
				for (t = 0; t < DOMAIN; t++)
					hslot[i].seen[t] |= hslot[j].seen[t];
			check_hll(&hslot[i], false);
			break;
		case 12:				/* HLL: round trip */
			{
				size_t		len = hll_serialized_size(hslot[i].h);
				char	   *buf = malloc(len);
				Hll		   *copy;

				hll_serialize(hslot[i].h, buf);
				copy = hll_deserialize(buf, len);
				FUZZ_CHECK(copy != NULL);
				hll_free(hslot[i].h);
				hslot[i].h = copy;
				free(buf);
				check_hll(&hslot[i], false);
			}
			break;
		case 13:				/* HLL: start afresh with p = 4 .. 14 */
			hll_reset(&hslot[i], 4 + next_u8(c) % 11);
			break;
		default:				/* full checks of everything */
			for (t = 0; t < 2; t++)
			{
				check_kll(&kslot[t], true);
				check_freq(&fslot[t], true);
				check_hll(&hslot[t], true);
			}
			break;
	}
	return true;
}

/* Run one program, then check everything and free the sketches. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool initialised = false;
	Cursor		c = {data, size};
	int			steps = 0;
	int			t;

	if (!initialised)
	{
		for (t = 0; t < DOMAIN; t++)
		{
			by_hash[t].hash = mix64(t);
			by_hash[t].v = t;
		}
		qsort(by_hash, DOMAIN, sizeof(HashOf), cmp_hashof);
		initialised = true;
	}
	for (t = 0; t < 2; t++)
	{
		kll_reset(&kslot[t], t == 0 ? 16 : 256);
		freq_reset(&fslot[t], t == 0 ? 20 : 300, t == 0);
		hll_reset(&hslot[t], 10);
	}
	while (steps++ < MAX_STEPS && step(&c))
		;
	for (t = 0; t < 2; t++)
	{
		check_kll(&kslot[t], true);
		check_freq(&fslot[t], true);
		check_hll(&hslot[t], true);
		kll_free(kslot[t].s);
		kslot[t].s = NULL;
		free(kslot[t].vals);
		kslot[t].vals = NULL;
		kslot[t].alloc = 0;
		freq_free(fslot[t].f);
		fslot[t].f = NULL;
		hll_free(hslot[t].h);
		hslot[t].h = NULL;
	}
	return 0;
}

/*-------------------------------------------------------------------------
 *
 * freq.c
 *	  Per-column value frequencies: an exact table that turns into a
 *	  HyperLogLog plus a Misra-Gries summary when it grows too large.
 *
 * Most columns worth reading top values from have few distinct values, and
 * for them everything stays exact: distinct count, top values, the mode.
 * A column with more than `limit` distinct values switches to sketches:
 *
 * - distinct count: HyperLogLog over the same 64-bit value hashes;
 * - heavy hitters: Misra-Gries with FREQ_MG_CAPACITY counters.  A full
 *	 summary meeting a new value decrements every counter (and the new
 *	 value) by one; that happens at most n / (capacity + 1) times, so the
 *	 cost is amortised O(1) per value and every count is a lower bound
 *	 within n / (capacity + 1) of the truth.
 *
 * The switch seeds Misra-Gries with the largest exact counts, which keeps
 * its invariant (anything left out counted no more than what was kept).
 * Both tables are open-addressing hash tables keyed by the value hash,
 * with count 0 marking an empty slot, so hash 0 is an ordinary key.
 *
 *-------------------------------------------------------------------------
 */
#include "freq.h"

#include "hll.h"

#define FREQ_MAGIC		0x46524531	/* "FRE1" */

/* One slot of the table; count 0 marks it empty. */
typedef struct FreqSlot
{
	uint64		key;
	int64		count;
} FreqSlot;

/* One open-addressing table of (hash, count, label). */
typedef struct FreqMap
{
	FreqSlot   *slots;			/* key and count side by side: one cache line */
	char	  **labels;			/* NULL unless labels are kept */
	uint64		mask;
	int64		size;
} FreqMap;

struct FreqTable
{
	int64		limit;			/* < 0: never convert */
	bool		keep_labels;
	bool		exact;
	int64		total;
	FreqMap		map;			/* exact table, or the Misra-Gries counters */
	Hll		   *hll;			/* sketch mode only */
};

/* ---------- the hash map ---------- */

static void
map_init(FreqMap *m, uint64 slots, bool labels)
{
	m->slots = am_alloc0(sizeof(FreqSlot) * slots);
	m->labels = labels ? am_alloc0(sizeof(char *) * slots) : NULL;
	m->mask = slots - 1;
	m->size = 0;
}

static void
map_destroy(FreqMap *m)
{
	uint64		i;

	if (m->labels)
	{
		for (i = 0; i <= m->mask; i++)
			if (m->labels[i])
				am_free(m->labels[i]);
		am_free(m->labels);
	}
	am_free(m->slots);
}

/* The slot a hash's probe starts at. */
static inline uint64
map_home(const FreqMap *m, uint64 hash)
{
	return (hash ^ (hash >> 32)) & m->mask;
}

/* Slot holding hash, or the empty slot where it would go. */
static uint64
map_find(const FreqMap *m, uint64 hash)
{
	uint64		i = map_home(m, hash);

	while (m->slots[i].count != 0 && m->slots[i].key != hash)
		i = (i + 1) & m->mask;
	return i;
}

/* Copy a label, cut at FREQ_LABEL_MAX bytes on a UTF-8 boundary. */
static char *
label_copy(const char *label, int len)
{
	char	   *copy;

	if (len > FREQ_LABEL_MAX)
	{
		len = FREQ_LABEL_MAX;
		while (len > 0 && ((unsigned char) label[len] & 0xC0) == 0x80)
			len--;
	}
	copy = am_alloc(len + 1);
	memcpy(copy, label, len);
	copy[len] = '\0';
	return copy;
}

static void map_reserve(FreqMap *m, int64 more);

/* Add count to hash; a new entry takes its label (already owned). */
static void
map_add(FreqMap *m, uint64 hash, int64 count, char *owned_label)
{
	uint64		i;

	map_reserve(m, 1);
	i = map_find(m, hash);
	if (m->slots[i].count == 0)
	{
		m->slots[i].key = hash;
		m->size++;
		if (m->labels)
			m->labels[i] = owned_label;
		else if (owned_label)
			am_free(owned_label);
	}
	else if (owned_label)
		am_free(owned_label);
	m->slots[i].count += count;
}

/* Move everything into a table of `slots` slots (a power of two). */
static void
map_resize(FreqMap *m, uint64 slots)
{
	FreqMap		old = *m;
	uint64		i;

	map_init(m, slots, old.labels != NULL);
	for (i = 0; i <= old.mask; i++)
		if (old.slots[i].count != 0)
			map_add(m, old.slots[i].key, old.slots[i].count, old.labels ? old.labels[i] : NULL);
	if (old.labels)
		am_free(old.labels);
	am_free(old.slots);
}

/*
 * Make room for `more` entries: the table stays at most 70% full.  Called
 * before each insert, and with the whole count before a bulk insert:
 * entries copied from another table come in its slot order, clustered by
 * hash, and poured into a table that grows as it goes they form long
 * probe runs (quadratic time).
 */
static void
map_reserve(FreqMap *m, int64 more)
{
	uint64		need = (uint64) (m->size + more);
	uint64		slots = m->mask + 1;

	while (need * 10 > slots * 7)
		slots *= 2;
	if (slots != m->mask + 1)
		map_resize(m, slots);
}

/*
 * Keep only counts above `cut`, lowered by it (the Misra-Gries reduction).
 * Rebuilds the table, which also clears the probe chains of removed keys.
 */
static void
map_reduce(FreqMap *m, int64 cut)
{
	FreqMap		old = *m;
	uint64		i;

	map_init(m, old.mask + 1, old.labels != NULL);
	for (i = 0; i <= old.mask; i++)
	{
		if (old.slots[i].count > cut)
			map_add(m, old.slots[i].key, old.slots[i].count - cut, old.labels ? old.labels[i] : NULL);
		else if (old.labels && old.labels[i])
			am_free(old.labels[i]);
	}
	if (old.labels)
		am_free(old.labels);
	am_free(old.slots);
}

/* The (n+1)-th largest count (0 if there are at most n entries). */
static int64
map_nth_count(const FreqMap *m, int n)
{
	int64	   *top = am_alloc(sizeof(int64) * (n + 1));
	int			filled = 0;
	int64		result;
	uint64		i;
	int			j;

	/* keep the n+1 largest counts in descending order */
	for (i = 0; i <= m->mask; i++)
	{
		int64		c = m->slots[i].count;

		if (c == 0 || (filled == n + 1 && c <= top[n]))
			continue;
		j = filled < n + 1 ? filled++ : n;
		while (j > 0 && top[j - 1] < c)
		{
			top[j] = top[j - 1];
			j--;
		}
		top[j] = c;
	}
	result = filled == n + 1 ? top[n] : 0;
	am_free(top);
	return result;
}

/* ---------- the table ---------- */

FreqTable *
freq_create(int64 limit, bool keep_labels)
{
	FreqTable  *f = am_alloc0(sizeof(FreqTable));

	f->limit = limit;
	f->keep_labels = keep_labels;
	f->exact = true;
	map_init(&f->map, 64, keep_labels);
	return f;
}

void
freq_free(FreqTable *f)
{
	map_destroy(&f->map);
	if (f->hll)
		hll_free(f->hll);
	am_free(f);
}

/* Trim a sketch-mode map back to FREQ_MG_CAPACITY counters. */
static void
freq_mg_trim(FreqTable *f)
{
	if (f->map.size > FREQ_MG_CAPACITY)
		map_reduce(&f->map, map_nth_count(&f->map, FREQ_MG_CAPACITY));
}

/* Switch from the exact table to HyperLogLog + Misra-Gries. */
static void
freq_to_sketch(FreqTable *f)
{
	uint64		i;

	if (!f->exact)
		return;
	f->hll = hll_create(HLL_DEFAULT_P);
	for (i = 0; i <= f->map.mask; i++)
		if (f->map.slots[i].count != 0)
			hll_add(f->hll, f->map.slots[i].key);
	f->exact = false;
	/*
	 * Keep the largest counts, lowered by the (capacity+1)-th largest: the
	 * Misra-Gries merge of the exact table into an empty summary.  Keeping
	 * them unlowered broke the n / (capacity + 1) bound: a dropped value
	 * seen `cut` times that keeps coming only wears the kept counters down
	 * from their full counts, and can end up to 2 * cut below its truth.
	 */
	if (f->map.size > FREQ_MG_CAPACITY)
	{
		int64		cut = map_nth_count(&f->map, FREQ_MG_CAPACITY);
		FreqMap		old = f->map;

		map_init(&f->map, 2 * FREQ_MG_CAPACITY, f->keep_labels);
		for (i = 0; i <= old.mask; i++)
		{
			if (old.slots[i].count > cut && f->map.size < FREQ_MG_CAPACITY)
				map_add(&f->map, old.slots[i].key, old.slots[i].count - cut,
						old.labels ? old.labels[i] : NULL);
			else if (old.labels && old.labels[i])
				am_free(old.labels[i]);
		}
		if (old.labels)
			am_free(old.labels);
		am_free(old.slots);
	}
}

/* Misra-Gries step for one value. */
static void
freq_mg_add(FreqTable *f, uint64 hash, const char *label, int label_len)
{
	uint64		i = map_find(&f->map, hash);

	if (f->map.slots[i].count != 0)
		f->map.slots[i].count++;
	else if (f->map.size < FREQ_MG_CAPACITY)
		map_add(&f->map, hash, 1,
				f->keep_labels && label ? label_copy(label, label_len) : NULL);
	else
		map_reduce(&f->map, 1);	/* the new value is decremented away too */
}

void
freq_add(FreqTable *f, uint64 hash, const char *label, int label_len)
{
	f->total++;
	if (!f->exact)
	{
		hll_add(f->hll, hash);
		freq_mg_add(f, hash, label, label_len);
		return;
	}
	{
		uint64		i = map_find(&f->map, hash);

		if (f->map.slots[i].count != 0)
		{
			f->map.slots[i].count++;
			return;
		}
	}
	map_add(&f->map, hash, 1,
			f->keep_labels && label ? label_copy(label, label_len) : NULL);
	if (f->limit >= 0 && f->map.size > f->limit)
		freq_to_sketch(f);
}

/*
 * A batch of values without labels.  A big exact table misses the cache on
 * nearly every value; asking for all the batch's slots first lets those
 * misses overlap instead of queueing one after the other.
 */
void
freq_add_hashes(FreqTable *f, const uint64 *hashes, int n)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		uint64		h = hashes[i];

		if (f->exact)
			__builtin_prefetch(&f->map.slots[map_home(&f->map, h)]);
		else
			hll_prefetch(f->hll, h);
	}
	for (i = 0; i < n; i++)
		freq_add(f, hashes[i], NULL, 0);
}

/* Add every entry of src's map into dst's map (labels copied). */
static void
freq_absorb_map(FreqTable *dst, const FreqMap *src)
{
	uint64		i;

	map_reserve(&dst->map, src->size);
	for (i = 0; i <= src->mask; i++)
		if (src->slots[i].count != 0)
			map_add(&dst->map, src->slots[i].key, src->slots[i].count,
					dst->keep_labels && src->labels && src->labels[i] ?
					label_copy(src->labels[i], strlen(src->labels[i])) : NULL);
}

void
freq_merge(FreqTable *dst, const FreqTable *src)
{
	uint64		i;

	dst->total += src->total;
	if (dst->exact && src->exact)
	{
		freq_absorb_map(dst, &src->map);
		if (dst->limit >= 0 && dst->map.size > dst->limit)
			freq_to_sketch(dst);
		return;
	}
	freq_to_sketch(dst);
	if (src->exact)
	{
		for (i = 0; i <= src->map.mask; i++)
			if (src->map.slots[i].count != 0)
				hll_add(dst->hll, src->map.slots[i].key);
	}
	else
		hll_merge(dst->hll, src->hll);
	/* Misra-Gries merge: add the counters, subtract the (cap+1)-th largest */
	freq_absorb_map(dst, &src->map);
	freq_mg_trim(dst);
}

bool
freq_is_exact(const FreqTable *f)
{
	return f->exact;
}

double
freq_distinct(const FreqTable *f)
{
	return f->exact ? (double) f->map.size : hll_estimate(f->hll);
}

int64
freq_total(const FreqTable *f)
{
	return f->total;
}

/* Does a rank before b (count desc, then hash asc)? */
static bool
item_before(const FreqItem *a, const FreqItem *b)
{
	return a->count > b->count || (a->count == b->count && a->hash < b->hash);
}

int
freq_top(const FreqTable *f, FreqItem *out, int n)
{
	int			filled = 0;
	uint64		i;
	int			j;

	if (n <= 0)
		return 0;
	for (i = 0; i <= f->map.mask; i++)
	{
		FreqItem	it;

		if (f->map.slots[i].count == 0)
			continue;
		it.hash = f->map.slots[i].key;
		it.count = f->map.slots[i].count;
		it.label = f->map.labels ? f->map.labels[i] : NULL;
		if (filled == n && !item_before(&it, &out[n - 1]))
			continue;
		j = filled < n ? filled++ : n - 1;
		while (j > 0 && item_before(&it, &out[j - 1]))
		{
			out[j] = out[j - 1];
			j--;
		}
		out[j] = it;
	}
	return filled;
}

size_t
freq_memory(const FreqTable *f)
{
	size_t		slots = f->map.mask + 1;
	size_t		size = sizeof(FreqTable) + slots * (sizeof(uint64) + sizeof(int64));

	if (f->map.labels)
		size += slots * sizeof(char *) + f->map.size * 32;
	if (f->hll)
		size += hll_serialized_size(f->hll);
	return size;
}

/* ---------- serialization ---------- */

size_t
freq_serialized_size(const FreqTable *f)
{
	size_t		size = 4 + 8 + 1 + 1 + 8 + 8 + 8;
	uint64		i;

	for (i = 0; i <= f->map.mask; i++)
		if (f->map.slots[i].count != 0)
			size += 8 + 8 + 4 + (f->map.labels && f->map.labels[i] ?
								 strlen(f->map.labels[i]) : 0);
	if (f->hll)
		size += hll_serialized_size(f->hll);
	return size;
}

#define PUT(p, v)	do { memcpy((p), &(v), sizeof(v)); (p) += sizeof(v); } while (0)

void
freq_serialize(const FreqTable *f, char *buf)
{
	char	   *p = buf;
	uint32		magic = FREQ_MAGIC;
	uint8		labels = f->keep_labels;
	uint8		exact = f->exact;
	int64		hll_len = f->hll ? (int64) hll_serialized_size(f->hll) : 0;
	uint64		i;

	PUT(p, magic);
	PUT(p, f->limit);
	PUT(p, labels);
	PUT(p, exact);
	PUT(p, f->total);
	PUT(p, f->map.size);
	for (i = 0; i <= f->map.mask; i++)
	{
		int32_t		len;

		if (f->map.slots[i].count == 0)
			continue;
		len = f->map.labels && f->map.labels[i] ? (int32_t) strlen(f->map.labels[i]) : -1;
		PUT(p, f->map.slots[i].key);
		PUT(p, f->map.slots[i].count);
		PUT(p, len);
		if (len > 0)
		{
			memcpy(p, f->map.labels[i], len);
			p += len;
		}
	}
	PUT(p, hll_len);
	if (f->hll)
		hll_serialize(f->hll, p);
}

/* Bounds-checked reads. */
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

/* Read one entry into f's map, adding its count to *sum; false if bad. */
static bool
freq_read_entry(Reader *r, FreqTable *f, int64 *sum)
{
	uint64		key;
	int64		count;
	int32_t		len;
	char	   *label = NULL;

	if (!take(r, &key, 8) || !take(r, &count, 8) || !take(r, &len, 4) ||
		count <= 0 || count > INT64_MAX - *sum ||
		len < -1 || len > FREQ_LABEL_MAX || (size_t) (len < 0 ? 0 : len) > r->left)
		return false;
	*sum += count;
	if (map_find(&f->map, key) <= f->map.mask && f->map.slots[map_find(&f->map, key)].count != 0)
		return false;			/* duplicate key */
	if (len >= 0)
	{
		/* only a table that keeps labels writes them */
		if (!f->keep_labels || memchr(r->p, '\0', len) != NULL)
			return false;
		label = label_copy(r->p, len);
		r->p += len;
		r->left -= len;
	}
	map_add(&f->map, key, count, label);
	return true;
}

FreqTable *
freq_deserialize(const char *buf, size_t len)
{
	Reader		r = {buf, len};
	uint32		magic;
	int64		limit;
	uint8		labels;
	uint8		exact;
	int64		total;
	int64		size;
	int64		hll_len;
	int64		sum = 0;
	int64		i;
	FreqTable  *f;

	if (!take(&r, &magic, 4) || magic != FREQ_MAGIC || !take(&r, &limit, 8) ||
		!take(&r, &labels, 1) || labels > 1 || !take(&r, &exact, 1) || exact > 1 ||
		!take(&r, &total, 8) || total < 0 || !take(&r, &size, 8) || size < 0 ||
		(size_t) size > r.left / 20)
		return NULL;
	f = freq_create(limit, labels);
	f->exact = exact;
	f->total = total;
	map_reserve(&f->map, size);
	for (i = 0; i < size; i++)
		if (!freq_read_entry(&r, f, &sum))
			goto bad;

	/*
	 * Exact counts add up to the total and Misra-Gries lower bounds stay
	 * within it; the sketch's HyperLogLog has the precision freq_to_sketch
	 * gives it, since hll_merge ignores a sketch of another precision.
	 */
	if (exact ? sum != total : sum > total)
		goto bad;
	if (!take(&r, &hll_len, 8) || hll_len < 0 || (size_t) hll_len != r.left ||
		(exact && hll_len != 0) ||
		(!exact && hll_len != 8 + ((int64) 1 << HLL_DEFAULT_P)) ||
		(!exact && size > FREQ_MG_CAPACITY))
		goto bad;
	if (!exact && (f->hll = hll_deserialize(r.p, hll_len)) == NULL)
		goto bad;
	return f;
bad:
	freq_free(f);
	return NULL;
}

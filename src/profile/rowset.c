/*-------------------------------------------------------------------------
 *
 * rowset.c
 *	  Open-addressing set of 128-bit row fingerprints.
 *
 * Fingerprints are already well mixed, so the low bits of h1 pick the
 * slot and linear probing is enough.  An all-zero slot means empty; the
 * (0, 0) fingerprint itself is remembered by a flag.  The table doubles at
 * 3/4 load, so it costs 21 to 43 bytes per distinct row.
 *
 *-------------------------------------------------------------------------
 */
#include "rowset.h"

#define ROWSET_MAGIC	0x524f5731	/* "ROW1" */

struct RowSet
{
	uint64	   *keys;			/* 2 per slot: h1, h2 */
	uint64		mask;			/* slots - 1 */
	int64		size;			/* distinct fingerprints, including (0,0) */
	bool		has_zero;
};

static void
rowset_alloc_slots(RowSet *s, uint64 slots)
{
	s->keys = am_alloc0(sizeof(uint64) * 2 * slots);
	s->mask = slots - 1;
}

RowSet *
rowset_create(void)
{
	RowSet	   *s = am_alloc0(sizeof(RowSet));

	rowset_alloc_slots(s, 1024);
	return s;
}

void
rowset_free(RowSet *s)
{
	am_free(s->keys);
	am_free(s);
}

/* The slot a fingerprint's probe starts at. */
static inline uint64
rowset_home(const RowSet *s, uint64 h1)
{
	return h1 & s->mask;
}

/* Insert into the table without growth checks; true if new. */
static bool
rowset_insert(RowSet *s, uint64 h1, uint64 h2)
{
	uint64		i = rowset_home(s, h1);

	for (;;)
	{
		uint64	   *slot = &s->keys[2 * i];

		if (slot[0] == 0 && slot[1] == 0)
		{
			slot[0] = h1;
			slot[1] = h2;
			return true;
		}
		if (slot[0] == h1 && slot[1] == h2)
			return false;
		i = (i + 1) & s->mask;
	}
}

/* Move everything into a table of `slots` slots (a power of two). */
static void
rowset_resize(RowSet *s, uint64 slots)
{
	uint64	   *old = s->keys;
	uint64		oldslots = s->mask + 1;
	uint64		i;

	rowset_alloc_slots(s, slots);
	for (i = 0; i < oldslots; i++)
		if (old[2 * i] != 0 || old[2 * i + 1] != 0)
			rowset_insert(s, old[2 * i], old[2 * i + 1]);
	am_free(old);
}

/*
 * Make room for `more` fingerprints: the table stays at most 3/4 full.
 * Called before each insert, and with the whole count before a bulk
 * insert: entries taken from another table arrive in its slot order,
 * sorted by their low hash bits, and poured into a smaller table that
 * grows as it goes they pile into long probe runs, turning a merge
 * quadratic (seconds for a parallel profile of a million rows).  Sized
 * first, each lands near its home slot.
 */
static void
rowset_reserve(RowSet *s, int64 more)
{
	uint64		need = (uint64) (s->size + more);
	uint64		slots = s->mask + 1;

	while (need * 4 > slots * 3)
		slots *= 2;
	if (slots != s->mask + 1)
		rowset_resize(s, slots);
}

bool
rowset_add(RowSet *s, uint64 h1, uint64 h2)
{
	if (h1 == 0 && h2 == 0)
	{
		if (s->has_zero)
			return false;
		s->has_zero = true;
		s->size++;
		return true;
	}
	rowset_reserve(s, 1);
	if (!rowset_insert(s, h1, h2))
		return false;
	s->size++;
	return true;
}

/*
 * A batch of fingerprints.  The set outgrows the caches within a few
 * hundred thousand rows; sized first and its slots requested in advance,
 * the batch's cache misses overlap instead of adding up.
 */
void
rowset_add_fingerprints(RowSet *s, const uint64 *h, int n)
{
	int			i;

	rowset_reserve(s, n);
	for (i = 0; i < n; i++)
		__builtin_prefetch(&s->keys[2 * rowset_home(s, h[2 * i])]);
	for (i = 0; i < n; i++)
		rowset_add(s, h[2 * i], h[2 * i + 1]);
}

void
rowset_merge(RowSet *dst, const RowSet *src)
{
	uint64		i;

	rowset_reserve(dst, src->size);
	if (src->has_zero)
		rowset_add(dst, 0, 0);
	for (i = 0; i <= src->mask; i++)
		if (src->keys[2 * i] != 0 || src->keys[2 * i + 1] != 0)
			rowset_add(dst, src->keys[2 * i], src->keys[2 * i + 1]);
}

int64
rowset_distinct(const RowSet *s)
{
	return s->size;
}

size_t
rowset_memory(const RowSet *s)
{
	return sizeof(RowSet) + sizeof(uint64) * 2 * (s->mask + 1);
}

/* Image: magic, has_zero, count of non-zero keys, then the keys. */
size_t
rowset_serialized_size(const RowSet *s)
{
	return 4 + 1 + 8 + 16 * (size_t) (s->size - (s->has_zero ? 1 : 0));
}

void
rowset_serialize(const RowSet *s, char *buf)
{
	uint32		magic = ROWSET_MAGIC;
	uint8		hz = s->has_zero;
	int64		n = s->size - (s->has_zero ? 1 : 0);
	char	   *p = buf + 13;
	uint64		i;

	memcpy(buf, &magic, 4);
	memcpy(buf + 4, &hz, 1);
	memcpy(buf + 5, &n, 8);
	for (i = 0; i <= s->mask; i++)
		if (s->keys[2 * i] != 0 || s->keys[2 * i + 1] != 0)
		{
			memcpy(p, &s->keys[2 * i], 16);
			p += 16;
		}
}

RowSet *
rowset_deserialize(const char *buf, size_t len)
{
	uint32		magic;
	uint8		hz;
	int64		n;
	int64		i;
	RowSet	   *s;

	if (len < 13)
		return NULL;
	memcpy(&magic, buf, 4);
	memcpy(&hz, buf + 4, 1);
	memcpy(&n, buf + 5, 8);
	if (magic != ROWSET_MAGIC || hz > 1 || n < 0 || (size_t) n != (len - 13) / 16 ||
		(len - 13) % 16 != 0)
		return NULL;
	s = rowset_create();
	rowset_reserve(s, n + hz);
	if (hz)
		rowset_add(s, 0, 0);
	for (i = 0; i < n; i++)
	{
		uint64		k[2];

		memcpy(k, buf + 13 + 16 * i, 16);
		if ((k[0] == 0 && k[1] == 0) || !rowset_add(s, k[0], k[1]))
		{
			rowset_free(s);
			return NULL;
		}
	}
	return s;
}

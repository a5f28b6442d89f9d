/*-------------------------------------------------------------------------
 *
 * fuzz_freq.c
 *	  libFuzzer harness for freq_deserialize and what a table it accepts
 *	  can be asked.
 *
 * Any bytes go to the deserializer.  When it accepts them, the table must
 * behave: top values ordered, positive counts adding up to the total (no
 * more than it in sketch mode), labels of at most FREQ_LABEL_MAX bytes; it
 * serializes back to an image of the same size; a fresh table that absorbs
 * it answers the same; merging a second copy doubles the counts.  Then
 * enough new values push it into sketch mode, and that image must be
 * accepted too, while the same image with one byte changed must either be
 * refused or give a table that behaves.  (A sketch-mode image carries a
 * 64 KB HyperLogLog, too big for the seed corpus, hence this route; the
 * seeds have small limits so that 3000 new values convert them.)
 * Seeds live in test/fuzz/corpus/freq/ (see make_corpus.c).
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

#include "profile/freq.h"

#define MAX_TOP 4096

/* Invariants of one table; returns its number of top entries. */
static int
check_table(const FreqTable *f, FreqItem *top)
{
	int			ntop = freq_top(f, top, MAX_TOP);
	double		d = freq_distinct(f);
	int64_t		sum = 0;
	int			j;

	FUZZ_CHECK(freq_total(f) >= 0);
	FUZZ_CHECK(!isnan(d) && d >= 0.0);
	FUZZ_CHECK(ntop >= 0 && ntop <= MAX_TOP);
	for (j = 0; j < ntop; j++)
	{
		FUZZ_CHECK(top[j].count > 0);
		FUZZ_CHECK(top[j].count <= freq_total(f) - sum);
		sum += top[j].count;
		if (j > 0)
			FUZZ_CHECK(top[j].count < top[j - 1].count ||
					   (top[j].count == top[j - 1].count && top[j].hash > top[j - 1].hash));
		if (top[j].label)
			FUZZ_CHECK(strlen(top[j].label) <= FREQ_LABEL_MAX);
	}
	if (freq_is_exact(f))
	{
		FUZZ_CHECK(sum == freq_total(f));
		if (d < MAX_TOP)
			FUZZ_CHECK(ntop == (int) d);
	}
	else
		FUZZ_CHECK(ntop <= FREQ_MG_CAPACITY);
	return ntop;
}

/* Do two tables give the same answers? */
static bool
same_table(const FreqTable *a, const FreqTable *b)
{
	static FreqItem ta[MAX_TOP];
	static FreqItem tb[MAX_TOP];
	int			na = check_table(a, ta);
	int			nb = check_table(b, tb);
	int			j;

	if (freq_total(a) != freq_total(b) || freq_distinct(a) != freq_distinct(b) ||
		freq_is_exact(a) != freq_is_exact(b) || na != nb)
		return false;
	for (j = 0; j < na; j++)
		if (ta[j].hash != tb[j].hash || ta[j].count != tb[j].count ||
			(ta[j].label && tb[j].label && strcmp(ta[j].label, tb[j].label) != 0))
			return false;
	return true;
}

/* Image of f; the deserializer must accept it and give the same table. */
static char *
check_image(const FreqTable *f, size_t *len)
{
	char	   *buf;
	FreqTable  *t;

	*len = freq_serialized_size(f);
	buf = malloc(*len);
	freq_serialize(f, buf);
	t = freq_deserialize(buf, *len);
	FUZZ_CHECK(t != NULL);
	FUZZ_CHECK(same_table(f, t));
	freq_free(t);
	return buf;
}

/* Exercise one accepted table. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FreqItem top[MAX_TOP];
	FreqTable  *f = freq_deserialize((const char *) data, size);
	FreqTable  *fresh;
	FreqTable  *copy;
	FreqTable  *damaged;
	char	   *buf;
	size_t		len;
	int64_t		total;
	uint64_t	h = 0;
	size_t		i;
	int			j;

	if (f == NULL)
		return 0;
	total = freq_total(f);
	check_table(f, top);
	FUZZ_CHECK(freq_serialized_size(f) == size);
	free(check_image(f, &len));

	/* absorbed into a fresh table that keeps labels and never converts */
	fresh = freq_create(-1, true);
	freq_merge(fresh, f);
	FUZZ_CHECK(same_table(fresh, f));
	freq_free(fresh);

	/* a second copy merged in: twice the total */
	if (total < (INT64_C(1) << 60))
	{
		copy = freq_deserialize((const char *) data, size);
		FUZZ_CHECK(copy != NULL);
		freq_merge(f, copy);
		FUZZ_CHECK(freq_total(f) == 2 * total);
		check_table(f, top);
		freq_free(copy);
	}

	/* new values: sketch mode unless the image's limit is high */
	for (j = 0; j < 3000; j++)
	{
		char		label[16];
		int			v = j < 1000 ? j % 10 : j;

		snprintf(label, sizeof(label), "v%d", v);
		freq_add(f, mix64(v), label, (int) strlen(label));
	}
	check_table(f, top);
	buf = check_image(f, &len);

	/* the same image with one byte changed, where the input says */
	for (i = 0; i < size; i++)
		h = mix64(h ^ data[i]);
	buf[h % len] ^= (char) (1 + (h >> 32) % 255);
	damaged = freq_deserialize(buf, len);
	if (damaged)
	{
		check_table(damaged, top);
		free(check_image(damaged, &len));
		freq_free(damaged);
	}
	free(buf);
	freq_free(f);
	return 0;
}

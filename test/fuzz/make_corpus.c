/*-------------------------------------------------------------------------
 *
 * make_corpus.c
 *	  Writes the seed corpora of the sketch fuzzers (test/fuzz/corpus/).
 *
 * Each seed is a valid image made by the code under test, small enough to
 * commit (all under 64 KB), covering the shapes worth mutating: empty,
 * exact, compacted at several k; HyperLogLogs at several precisions;
 * frequency tables with and without labels (UTF-8 labels cut at 200
 * bytes), with small limits so that the harness can push them into sketch
 * mode; row sets with and without the zero fingerprint.  The programs for
 * fuzz_sketch_ops are pseudo-random bytes.  Run from the repository root:
 *
 *	  cc -std=gnu11 -O2 -DAUTOML_STANDALONE -Isrc test/fuzz/make_corpus.c \
 *		src/profile/kll.c src/profile/hll.c src/profile/freq.c \
 *		src/profile/rowset.c -lm -o /tmp/make_corpus && /tmp/make_corpus
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "profile/freq.h"
#include "profile/hll.h"
#include "profile/kll.h"
#include "profile/rowset.h"

#define DIR "test/fuzz/corpus/"

/* splitmix64 finaliser. */
static uint64_t
mix64(uint64_t x)
{
	x += UINT64_C(0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

/* Write len bytes to DIR/sub/name, refusing anything of 64 KB or more. */
static void
put(const char *sub, const char *name, const char *buf, size_t len)
{
	char		path[256];
	FILE	   *f;

	if (len >= 64 * 1024)
	{
		fprintf(stderr, "%s/%s: %zu bytes is too big for a seed\n", sub, name, len);
		exit(1);
	}
	snprintf(path, sizeof(path), DIR "%s", sub);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), DIR "%s/%s", sub, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(buf, 1, len, f) != len || fclose(f) != 0)
	{
		perror(path);
		exit(1);
	}
}

/* KLL seed: k, n values of the given shape. */
static void
kll_seed(const char *name, int k, int n, int shape)
{
	KllSketch  *s = kll_create(k);
	size_t		len;
	char	   *buf;
	int			i;

	for (i = 0; i < n; i++)
	{
		double		v;

		switch (shape)
		{
			case 0:
				v = (double) (mix64(i) % 100000) / 7.0 - 5000.0;
				break;
			case 1:
				v = (double) (i % 5);
				break;
			default:
				v = -log((double) (mix64(i) >> 11) / 9007199254740992.0 + 1e-300);
				break;
		}
		kll_add(s, v);
	}
	len = kll_serialized_size(s);
	buf = malloc(len);
	kll_serialize(s, buf);
	put("kll", name, buf, len);
	free(buf);
	kll_free(s);
}

/* HLL seed: precision p, n distinct values. */
static void
hll_seed(const char *name, int p, int n)
{
	Hll		   *h = hll_create(p);
	size_t		len;
	char	   *buf;
	int			i;

	for (i = 0; i < n; i++)
		hll_add(h, mix64(i));
	len = hll_serialized_size(h);
	buf = malloc(len);
	hll_serialize(h, buf);
	put("hll", name, buf, len);
	free(buf);
	hll_free(h);
}

/* Frequency seed: limit, labels, n values over `distinct` ids. */
static void
freq_seed(const char *name, int64_t limit, bool labels, int n, int distinct)
{
	static const char *units[] = {"a", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
	FreqTable  *f = freq_create(limit, labels);
	size_t		len;
	char	   *buf;
	int			i;

	for (i = 0; i < n; i++)
	{
		int			v = (int) (mix64(i) % distinct) * (i % 3 == 0 ? 0 : 1);
		char		label[400];
		int			l = sprintf(label, "v%d", v);
		int			r;

		for (r = 0; r < v % 70 && l < 380; r++)
			l += sprintf(label + l, "%s", units[v % 4]);
		freq_add(f, mix64(v), i % 11 == 5 ? NULL : label, l);
	}
	len = freq_serialized_size(f);
	buf = malloc(len);
	freq_serialize(f, buf);
	put("freq", name, buf, len);
	free(buf);
	freq_free(f);
}

/* Row-set seed: n fingerprints, optionally (0, 0). */
static void
rowset_seed(const char *name, int n, bool zero)
{
	RowSet	   *s = rowset_create();
	size_t		len;
	char	   *buf;
	int			i;

	for (i = 0; i < n; i++)
		rowset_add(s, i % 7 == 3 ? 0 : mix64(i), mix64(i + 1000000));
	if (zero)
		rowset_add(s, 0, 0);
	len = rowset_serialized_size(s);
	buf = malloc(len);
	rowset_serialize(s, buf);
	put("rowset", name, buf, len);
	free(buf);
	rowset_free(s);
}

/* A pseudo-random program for fuzz_sketch_ops. */
static void
ops_seed(const char *name, uint64_t seed, size_t len)
{
	char	   *buf = malloc(len);
	size_t		i;

	for (i = 0; i < len; i++)
		buf[i] = (char) (mix64(seed * 1000003 + i) >> 56);
	put("sketch_ops", name, buf, len);
	free(buf);
}

/* Write every seed. */
int
main(void)
{
	mkdir(DIR, 0755);
	kll_seed("empty", KLL_DEFAULT_K, 0, 0);
	kll_seed("exact_10", KLL_DEFAULT_K, 10, 0);
	kll_seed("exact_k8", 8, 7, 1);
	kll_seed("k8_500", 8, 500, 0);
	kll_seed("k64_5000_dups", 64, 5000, 1);
	kll_seed("k200_100000_exp", 200, 100000, 2);
	kll_seed("k1024_1000000", KLL_DEFAULT_K, 1000000, 0);

	hll_seed("p4_empty", 4, 0);
	hll_seed("p4_50", 4, 50);
	hll_seed("p6_10000", 6, 10000);
	hll_seed("p10_1000", 10, 1000);
	hll_seed("p12_100000", 12, 100000);
	hll_seed("p14_1000", 14, 1000);

	freq_seed("empty", 100, true, 0, 1);
	freq_seed("labels_30", 100, true, 300, 30);
	freq_seed("labels_long", 200, true, 400, 90);
	freq_seed("nolabels_40", 50, false, 500, 40);
	freq_seed("never_convert", -1, false, 200, 120);
	freq_seed("limit_0", 0, true, 0, 1);

	rowset_seed("empty", 0, false);
	rowset_seed("zero_only", 0, true);
	rowset_seed("keys_20", 20, false);
	rowset_seed("keys_100_zero", 100, true);

	ops_seed("p64", 1, 64);
	ops_seed("p256", 2, 256);
	ops_seed("p1024", 3, 1024);
	ops_seed("p2048", 4, 2048);
	ops_seed("p300", 5, 300);
	return 0;
}

/*-------------------------------------------------------------------------
 *
 * kll.h
 *	  KLL quantile sketch: mergeable, bounded memory, rank error ~1/k.
 *
 * While no compaction has happened the sketch holds every value and answers
 * exactly (kll_is_exact), which keeps small-table profiles exact and
 * identical with and without parallel query.
 *
 *-------------------------------------------------------------------------
 */
#ifndef KLL_H
#define KLL_H

#include "../common/am_alloc.h"

typedef struct KllSketch KllSketch;

/* k controls accuracy; automl uses KLL_DEFAULT_K (rank error well under 1%). */
#define KLL_DEFAULT_K 1024

extern KllSketch *kll_create(int k);
extern void kll_free(KllSketch *s);
/* v must be finite; callers count NaN and infinities separately */
extern void kll_add(KllSketch *s, double v);
/* dst absorbs src; src is left unchanged */
extern void kll_merge(KllSketch *dst, const KllSketch *src);
extern int64 kll_count(const KllSketch *s);
extern bool kll_is_exact(const KllSketch *s);
/*
 * Value at quantile q in [0,1].  Exact mode: linear interpolation between
 * the closest ranks, the same definition as percentile_cont.  Approximate
 * mode: the weighted nearest-rank item.  Empty sketch: NaN.
 */
extern double kll_quantile(const KllSketch *s, double q);
/* Number of values <= x (or < x when !inclusive), estimated; exact in exact mode */
extern double kll_rank(const KllSketch *s, double x, bool inclusive);

/* Serialization: a flat little-endian byte image; deserialize validates it. */
extern size_t kll_serialized_size(const KllSketch *s);
extern void kll_serialize(const KllSketch *s, char *buf);
/* Returns NULL when buf is not a well-formed image of exactly len bytes. */
extern KllSketch *kll_deserialize(const char *buf, size_t len);

#endif							/* KLL_H */

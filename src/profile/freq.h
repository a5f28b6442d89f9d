/*-------------------------------------------------------------------------
 *
 * freq.h
 *	  Value frequencies of one column: exact while small, sketched beyond.
 *
 * A FreqTable counts every distinct value (by its 64-bit hash) exactly until
 * it holds `limit` distinct values.  Past that it turns into a HyperLogLog
 * (distinct count) plus a Misra-Gries summary (heavy hitters, count lower
 * bounds within n/(capacity+1)).  limit < 0 means never convert ("exact").
 *
 * Text-like columns keep a short label per value (the first bytes of the
 * value) so that top values can be shown; other kinds pass label NULL.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FREQ_H
#define FREQ_H

#include "../common/am_alloc.h"

typedef struct FreqTable FreqTable;

#define FREQ_DEFAULT_LIMIT		65536	/* text: exact top values are shown */
#define FREQ_VALUE_LIMIT		8192	/* other kinds: only counts are shown */
#define FREQ_MG_CAPACITY		256
#define FREQ_LABEL_MAX			200		/* bytes kept per label */

typedef struct FreqItem
{
	uint64		hash;
	int64		count;
	const char *label;			/* NUL-terminated, NULL if none */
} FreqItem;

extern FreqTable *freq_create(int64 limit, bool keep_labels);
extern void freq_free(FreqTable *f);
/* label/label_len: the value's text for labels (ignored if !keep_labels) */
extern void freq_add(FreqTable *f, uint64 hash, const char *label, int label_len);
/* freq_add of n label-less hashes, with their table slots prefetched */
extern void freq_add_hashes(FreqTable *f, const uint64 *hashes, int n);
extern void freq_merge(FreqTable *dst, const FreqTable *src);
extern bool freq_is_exact(const FreqTable *f);
/* number of distinct values: exact, or the HyperLogLog estimate */
extern double freq_distinct(const FreqTable *f);
/* total of all counts added (exact always) */
extern int64 freq_total(const FreqTable *f);
/*
 * The n most frequent values, most frequent first (ties: smaller hash
 * first, so the order is deterministic).  Returns how many were written.
 * Counts are exact in exact mode, lower bounds otherwise.
 */
extern int	freq_top(const FreqTable *f, FreqItem *out, int n);
/* bytes of memory held, for accounting */
extern size_t freq_memory(const FreqTable *f);

extern size_t freq_serialized_size(const FreqTable *f);
extern void freq_serialize(const FreqTable *f, char *buf);
/* Returns NULL when buf is not a well-formed image of exactly len bytes. */
extern FreqTable *freq_deserialize(const char *buf, size_t len);

#endif							/* FREQ_H */

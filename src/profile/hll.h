/*-------------------------------------------------------------------------
 *
 * hll.h
 *	  HyperLogLog distinct-count estimator over 64-bit hashes.
 *
 * Registers are one byte each; the estimate uses Ertl's improved estimator
 * (no empirical bias tables), so it is unbiased from tiny to huge counts.
 * Merging is a register-wise max, so the result does not depend on how a
 * parallel scan split the rows.
 *
 *-------------------------------------------------------------------------
 */
#ifndef HLL_H
#define HLL_H

#include "../common/am_alloc.h"

typedef struct Hll Hll;

/* precision p: 2^p registers; automl uses HLL_DEFAULT_P (std error ~0.4%) */
#define HLL_DEFAULT_P 16

extern Hll *hll_create(int p);
extern void hll_free(Hll *h);
/* hash must be a well-mixed 64-bit hash of the value */
extern void hll_add(Hll *h, uint64 hash);
extern void hll_prefetch(const Hll *h, uint64 hash);	/* before hll_add */
extern void hll_merge(Hll *dst, const Hll *src);	/* same p required */
extern double hll_estimate(const Hll *h);

extern size_t hll_serialized_size(const Hll *h);
extern void hll_serialize(const Hll *h, char *buf);
/* Returns NULL when buf is not a well-formed image of exactly len bytes. */
extern Hll *hll_deserialize(const char *buf, size_t len);

#endif							/* HLL_H */

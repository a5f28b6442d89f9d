/*-------------------------------------------------------------------------
 *
 * rowset.h
 *	  A set of 128-bit row fingerprints, for the exact duplicate-row count.
 *
 * duplicate_rows = rows - distinct rows.  Each row is reduced to a 128-bit
 * fingerprint of its column values; the chance that two different rows
 * share one is about n^2 / 2^129, nil for any table that fits a server.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ROWSET_H
#define ROWSET_H

#include "../common/am_alloc.h"

typedef struct RowSet RowSet;

extern RowSet *rowset_create(void);
extern void rowset_free(RowSet *s);
/* returns true if the fingerprint was new */
extern bool rowset_add(RowSet *s, uint64 h1, uint64 h2);
/* rowset_add of n fingerprints given as pairs h[2i], h[2i+1], prefetched */
extern void rowset_add_fingerprints(RowSet *s, const uint64 *h, int n);
extern void rowset_merge(RowSet *dst, const RowSet *src);
extern int64 rowset_distinct(const RowSet *s);
extern size_t rowset_memory(const RowSet *s);

extern size_t rowset_serialized_size(const RowSet *s);
extern void rowset_serialize(const RowSet *s, char *buf);
/* Returns NULL when buf is not a well-formed image of exactly len bytes. */
extern RowSet *rowset_deserialize(const char *buf, size_t len);

#endif							/* ROWSET_H */

/*-------------------------------------------------------------------------
 *
 * am_alloc.h
 *	  Allocation shim for the plain-C algorithm files.
 *
 * The sketches and numeric kernels are plain C over arrays so that they can
 * be unit-tested outside the server (test/unit).  Inside the server they
 * allocate with palloc in CurrentMemoryContext, which the SQL-facing caller
 * chooses; in the unit tests (AUTOML_STANDALONE) they use malloc.
 *
 * Standalone builds may also define AUTOML_ALLOC_ARENA: allocations then go
 * to am_arena_alloc and friends, which the program itself provides.  The
 * model decoder fuzzer does, so that it can free in one call everything a
 * decoder allocated, as a memory context reset does in the server (the
 * decoders have no free function of their own).
 *
 *-------------------------------------------------------------------------
 */
#ifndef AM_ALLOC_H
#define AM_ALLOC_H

#ifdef AUTOML_STANDALONE
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
typedef int64_t int64;
typedef uint64_t uint64;
typedef uint32_t uint32;
typedef uint8_t uint8;
#ifdef AUTOML_ALLOC_ARENA
/* defined by the program (test/fuzz/fuzz_model_decode.c) */
extern void *am_arena_alloc(size_t sz);
extern void *am_arena_alloc0(size_t sz);
extern void *am_arena_realloc(void *p, size_t sz);
extern void am_arena_free(void *p);
#define am_alloc(sz)		am_arena_alloc(sz)
#define am_alloc0(sz)		am_arena_alloc0(sz)
#define am_realloc(p, sz)	am_arena_realloc((p), (sz))
#define am_free(p)			am_arena_free(p)
#else
#define am_alloc(sz)		malloc(sz)
#define am_alloc0(sz)		calloc(1, (sz))
#define am_realloc(p, sz)	realloc((p), (sz))
#define am_free(p)			free(p)
#endif							/* AUTOML_ALLOC_ARENA */
#else
#include "postgres.h"
#include "utils/memutils.h"
/* Huge variants: sketches and sets may legitimately pass 1 GB on big data. */
#define am_alloc(sz)		MemoryContextAllocHuge(CurrentMemoryContext, (sz))
#define am_alloc0(sz)		MemoryContextAllocExtended(CurrentMemoryContext, (sz), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO)
#define am_realloc(p, sz)	repalloc_huge((p), (sz))
#define am_free(p)			pfree(p)
#endif

#endif							/* AM_ALLOC_H */

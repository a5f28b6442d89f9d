/*-------------------------------------------------------------------------
 *
 * model_io.h
 *	  Reading and writing the binary image of a model (the bytea).
 *
 * Values are written little-endian whatever the host, so a model exported
 * on one server predicts identically on another.  The reader never trusts
 * the bytes: every read is bounds-checked, a failed read sets a sticky
 * error flag and returns zero, and counts are checked against the bytes
 * that remain before anything is allocated.  Callers test ml_reader_ok()
 * once at the end (and wherever a bad value would be used as an index).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MODEL_IO_H
#define MODEL_IO_H

#include "../common/am_alloc.h"

typedef struct MlWriter
{
	uint8	   *data;
	size_t		len;
	size_t		cap;
} MlWriter;

typedef struct MlReader
{
	const uint8 *data;
	size_t		len;
	size_t		pos;
	bool		ok;
} MlReader;

extern void ml_writer_init(MlWriter *w);
extern void ml_put_u8(MlWriter *w, uint8 v);
extern void ml_put_u32(MlWriter *w, uint32 v);
extern void ml_put_i32(MlWriter *w, int32_t v);
extern void ml_put_i64(MlWriter *w, int64 v);
extern void ml_put_f64(MlWriter *w, double v);
extern void ml_put_f64s(MlWriter *w, const double *v, size_t n);
extern void ml_put_i32s(MlWriter *w, const int32_t *v, size_t n);
extern void ml_put_bytes(MlWriter *w, const void *v, size_t n);
/* a string: u32 length then the bytes (no terminator); NULL is length 0xFFFFFFFF */
extern void ml_put_str(MlWriter *w, const char *s);

extern void ml_reader_init(MlReader *r, const void *data, size_t len);
extern uint8 ml_get_u8(MlReader *r);
extern uint32 ml_get_u32(MlReader *r);
extern int32_t ml_get_i32(MlReader *r);
extern int64 ml_get_i64(MlReader *r);
extern double ml_get_f64(MlReader *r);
/* read n values into dst (which has room for n) */
extern void ml_get_f64s(MlReader *r, double *dst, size_t n);
extern void ml_get_i32s(MlReader *r, int32_t *dst, size_t n);
extern void ml_get_bytes(MlReader *r, void *dst, size_t n);
/* a newly allocated, NUL-terminated copy; NULL for a stored NULL or on error */
extern char *ml_get_str(MlReader *r);
/*
 * A count of elements of elem_size bytes each that must still fit in the
 * remaining bytes and be at most max; 0 with the error flag set otherwise.
 * Use it before allocating an array read from the image.
 */
extern uint32 ml_get_count(MlReader *r, size_t elem_size, uint32 max);
/* marks the image bad (for checks of values read, such as an index range) */
extern void ml_reader_fail(MlReader *r);
static inline bool
ml_reader_ok(const MlReader *r)
{
	return r->ok;
}

/* CRC-32C (Castagnoli), the checksum PostgreSQL uses; see model_io.c */
extern uint32 ml_crc32c(const void *data, size_t len);

#endif							/* MODEL_IO_H */

/*-------------------------------------------------------------------------
 *
 * model_io.c
 *	  Bounds-checked little-endian reader and growable writer for model
 *	  images, and the CRC-32C that closes every image.
 *
 *-------------------------------------------------------------------------
 */
#include "model_io.h"

#ifdef AUTOML_STANDALONE
/*
 * Outside the server the unit tests and fuzzers link PostgreSQL's libpgport,
 * which exports the same CRC-32C implementation the server uses.
 */
extern uint32 (*pg_comp_crc32c) (uint32 crc, const void *data, size_t len);
#else
#include "port/pg_crc32c.h"
#endif

void
ml_writer_init(MlWriter *w)
{
	w->cap = 1024;
	w->len = 0;
	w->data = am_alloc(w->cap);
}

/* Make room for n more bytes, doubling the buffer. */
static uint8 *
writer_reserve(MlWriter *w, size_t n)
{
	if (w->len + n > w->cap)
	{
		size_t		cap = w->cap;

		while (w->len + n > cap)
			cap *= 2;
		w->data = am_realloc(w->data, cap);
		w->cap = cap;
	}
	w->len += n;
	return w->data + w->len - n;
}

void
ml_put_u8(MlWriter *w, uint8 v)
{
	*writer_reserve(w, 1) = v;
}

void
ml_put_u32(MlWriter *w, uint32 v)
{
	uint8	   *p = writer_reserve(w, 4);

	for (int i = 0; i < 4; i++)
		p[i] = (uint8) (v >> (8 * i));
}

void
ml_put_i32(MlWriter *w, int32_t v)
{
	ml_put_u32(w, (uint32) v);
}

static void
put_u64(MlWriter *w, uint64 v)
{
	uint8	   *p = writer_reserve(w, 8);

	for (int i = 0; i < 8; i++)
		p[i] = (uint8) (v >> (8 * i));
}

void
ml_put_i64(MlWriter *w, int64 v)
{
	put_u64(w, (uint64) v);
}

void
ml_put_f64(MlWriter *w, double v)
{
	uint64		bits;

	memcpy(&bits, &v, 8);
	put_u64(w, bits);
}

void
ml_put_f64s(MlWriter *w, const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ml_put_f64(w, v[i]);
}

void
ml_put_i32s(MlWriter *w, const int32_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ml_put_i32(w, v[i]);
}

void
ml_put_bytes(MlWriter *w, const void *v, size_t n)
{
	if (n > 0)
		memcpy(writer_reserve(w, n), v, n);
}

void
ml_put_str(MlWriter *w, const char *s)
{
	if (s == NULL)
	{
		ml_put_u32(w, 0xFFFFFFFFu);
		return;
	}
	ml_put_u32(w, (uint32) strlen(s));
	ml_put_bytes(w, s, strlen(s));
}

void
ml_reader_init(MlReader *r, const void *data, size_t len)
{
	r->data = data;
	r->len = len;
	r->pos = 0;
	r->ok = true;
}

void
ml_reader_fail(MlReader *r)
{
	r->ok = false;
	r->pos = r->len;
}

/* Pointer to the next n bytes, or NULL (and the error flag) past the end. */
static const uint8 *
reader_take(MlReader *r, size_t n)
{
	const uint8 *p;

	if (!r->ok || n > r->len - r->pos)
	{
		ml_reader_fail(r);
		return NULL;
	}
	p = r->data + r->pos;
	r->pos += n;
	return p;
}

uint8
ml_get_u8(MlReader *r)
{
	const uint8 *p = reader_take(r, 1);

	return p ? p[0] : 0;
}

uint32
ml_get_u32(MlReader *r)
{
	const uint8 *p = reader_take(r, 4);
	uint32		v = 0;

	if (p)
		for (int i = 0; i < 4; i++)
			v |= (uint32) p[i] << (8 * i);
	return v;
}

int32_t
ml_get_i32(MlReader *r)
{
	return (int32_t) ml_get_u32(r);
}

static uint64
get_u64(MlReader *r)
{
	const uint8 *p = reader_take(r, 8);
	uint64		v = 0;

	if (p)
		for (int i = 0; i < 8; i++)
			v |= (uint64) p[i] << (8 * i);
	return v;
}

int64
ml_get_i64(MlReader *r)
{
	return (int64) get_u64(r);
}

double
ml_get_f64(MlReader *r)
{
	uint64		bits = get_u64(r);
	double		v;

	memcpy(&v, &bits, 8);
	return v;
}

void
ml_get_f64s(MlReader *r, double *dst, size_t n)
{
	if (n > (r->len - r->pos) / 8)
	{
		ml_reader_fail(r);
		memset(dst, 0, n * sizeof(double));
		return;
	}
	for (size_t i = 0; i < n; i++)
		dst[i] = ml_get_f64(r);
}

void
ml_get_i32s(MlReader *r, int32_t *dst, size_t n)
{
	if (n > (r->len - r->pos) / 4)
	{
		ml_reader_fail(r);
		memset(dst, 0, n * sizeof(int32_t));
		return;
	}
	for (size_t i = 0; i < n; i++)
		dst[i] = ml_get_i32(r);
}

void
ml_get_bytes(MlReader *r, void *dst, size_t n)
{
	const uint8 *p = reader_take(r, n);

	if (p)
		memcpy(dst, p, n);
	else
		memset(dst, 0, n);
}

char *
ml_get_str(MlReader *r)
{
	uint32		n = ml_get_u32(r);
	const uint8 *p;
	char	   *s;

	if (n == 0xFFFFFFFFu || !r->ok)
		return NULL;
	p = reader_take(r, n);
	if (p == NULL)
		return NULL;
	s = am_alloc((size_t) n + 1);
	memcpy(s, p, n);
	s[n] = '\0';
	/* an embedded NUL would make the name differ from what was stored */
	if (strlen(s) != n)
		ml_reader_fail(r);
	return s;
}

uint32
ml_get_count(MlReader *r, size_t elem_size, uint32 max)
{
	uint32		n = ml_get_u32(r);

	if (!r->ok || n > max ||
		(elem_size > 0 && (uint64) n > (r->len - r->pos) / elem_size))
	{
		ml_reader_fail(r);
		return 0;
	}
	return n;
}

uint32
ml_crc32c(const void *data, size_t len)
{
#ifdef AUTOML_STANDALONE
	return pg_comp_crc32c(0xFFFFFFFFu, data, len) ^ 0xFFFFFFFFu;
#else
	pg_crc32c	crc;

	INIT_CRC32C(crc);
	COMP_CRC32C(crc, data, len);
	FIN_CRC32C(crc);
	return crc;
#endif
}

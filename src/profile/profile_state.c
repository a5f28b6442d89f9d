/*-------------------------------------------------------------------------
 *
 * profile_state.c
 *	  Build, merge and (de)serialize the one-scan profile state.
 *
 * One aggregate call receives a whole row and updates every column's
 * accumulators: counters, exact integer/temporal ranges, a KLL quantile
 * sketch, a frequency table (exact, then HyperLogLog + Misra-Gries), and
 * the 128-bit fingerprint of the row for the duplicate count.  Numeric
 * values are also buffered PROFILE_BATCH_ROWS rows at a time, so moments
 * and pairwise co-moments are computed per batch by two-pass sums and
 * merged with Chan's formulas (moments.c) instead of paying a division per
 * value and pair.
 *
 * Parallel query hands partial states between processes: serialize writes
 * a flat image (pq_send*), deserialize reads it back, combine merges two
 * states with the same formulas the batches use.  Column names, types and
 * options travel inside the state because the combine and final functions
 * never see a row.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "automl.h"
#include "profile/profile_state.h"

#define PROFILE_STATE_MAGIC		0x50524631	/* "PRF1" */
#define NULL_MARK				UINT64CONST(0x6e756c6c6d61726b)

/* Sketches and tables a column needs, by kind. */
static void
column_state_alloc(ColumnState *col, const ProfileOptions *opts)
{
	/*
	 * A high-cardinality numeric column fills its exact table only to throw
	 * it away for the sketches, once per state (per worker, in parallel):
	 * a smaller limit where no top values are shown saved 13% of the CPU.
	 */
	int64		limit = opts->exact ? -1 :
		col->type.kind == CK_TEXT ? FREQ_DEFAULT_LIMIT : FREQ_VALUE_LIMIT;

	if (col->type.kind == CK_NUMERIC || col->type.kind == CK_TEMPORAL)
		col->kll = kll_create(KLL_DEFAULT_K);
	extremes_init(&col->extremes);
	if (col->type.kind != CK_BOOL)
		col->freq = freq_create(limit, col->type.kind == CK_TEXT);
	col->min_length = PG_INT64_MAX;
	col->max_length = -1;
}

/*
 * Allocate the per-batch buffers: numeric values and pair co-moments, and
 * the hashes that wait for the frequency tables and the row set.
 */
static void
profile_state_alloc_numeric(ProfileState *st)
{
	int			npairs;
	int			i;

	st->ncorr = st->opts.correlations ?
		Min(st->nnumeric, st->opts.max_correlation_columns) : 0;
	npairs = st->ncorr * (st->ncorr - 1) / 2;
	st->batch = palloc(sizeof(double) * Max(st->nnumeric, 1) * PROFILE_BATCH_ROWS);
	st->batch_nan = palloc0(sizeof(bool) * Max(st->nnumeric, 1));
	st->pairs = palloc0(sizeof(CoMoments) * Max(npairs, 1));
	st->batch_rows = 0;
	st->value_hashes = palloc(sizeof(uint64) * Max(st->ncolumns, 1) * PROFILE_BATCH_ROWS);
	st->row_hashes = palloc(sizeof(uint64) * 2 * PROFILE_BATCH_ROWS);
	for (i = 0; i < st->ncolumns; i++)
	{
		st->columns[i].hashes = &st->value_hashes[i * PROFILE_BATCH_ROWS];
		st->columns[i].nhashes = 0;
	}
}

/* Create an empty state for rows of tupdesc, in mcxt. */
ProfileState *
profile_state_create(MemoryContext mcxt, TupleDesc tupdesc,
					 const ProfileOptions *opts)
{
	MemoryContext old = MemoryContextSwitchTo(mcxt);
	ProfileState *st = palloc0(sizeof(ProfileState));
	int			i;

	st->mcxt = mcxt;
	st->opts = *opts;
	st->tupdesc = CreateTupleDescCopy(tupdesc);
	st->columns = palloc0(sizeof(ColumnState) * Max(tupdesc->natts, 1));
	st->attnums = palloc0(sizeof(int) * Max(tupdesc->natts, 1));
	st->values = palloc(sizeof(Datum) * Max(tupdesc->natts, 1));
	st->nulls = palloc(sizeof(bool) * Max(tupdesc->natts, 1));
	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(tupdesc, i);
		ColumnState *col;

		if (attr->attisdropped)
			continue;
		col = &st->columns[st->ncolumns];
		st->attnums[st->ncolumns++] = i;
		col->name = pstrdup(NameStr(attr->attname));
		column_type_init(&col->type, attr, mcxt);
		col->num_index = col->type.kind == CK_NUMERIC ? st->nnumeric++ : -1;
		column_state_alloc(col, opts);
	}
	if (opts->duplicates)
		st->rows = rowset_create();
	profile_state_alloc_numeric(st);
	MemoryContextSwitchTo(old);
	return st;
}

/* Fold one column's hash into the row fingerprint. */
static inline void
fingerprint_fold(uint64 *h1, uint64 *h2, uint64 v, bool isnull)
{
	if (isnull)
	{
		*h1 = mix64(*h1 ^ NULL_MARK);
		*h2 = mix64(*h2 + 1);
	}
	else
	{
		*h1 = mix64(*h1 ^ v);
		*h2 = mix64((*h2 ^ ((v << 17) | (v >> 47))) + 2);
	}
}

/* Account one finite number: range and sketch. */
static inline void
numeric_add_finite(ColumnState *col, double v)
{
	if (!col->has_range || v < col->min)
		col->min = v;
	if (!col->has_range || v > col->max)
		col->max = v;
	col->has_range = true;
	if (v == 0.0)
		col->zeros++;
	else if (v < 0.0)
		col->negatives++;
	kll_add(col->kll, v);
	extremes_add(&col->extremes, v);
}

/* Exact int64 range for integers and temporal values. */
static inline void
int_range_add(ColumnState *col, int64 v)
{
	if (col->nonnull_count == 1 || v < col->imin)
		col->imin = v;
	if (col->nonnull_count == 1 || v > col->imax)
		col->imax = v;
}

/* A numeric value: returns the value's hash; v goes to the batch. */
static uint64
add_numeric(ProfileState *st, ColumnState *col, Datum d)
{
	double		v;
	uint64		h;

	switch (col->type.rep)
	{
		case VR_INT2:
		case VR_INT4:
		case VR_INT8:
			{
				int64		iv = col->type.rep == VR_INT2 ? DatumGetInt16(d) :
					col->type.rep == VR_INT4 ? DatumGetInt32(d) : DatumGetInt64(d);

				int_range_add(col, iv);
				v = (double) iv;
				h = mix64((uint64) iv);
				break;
			}
		case VR_FLOAT4:
			v = (double) DatumGetFloat4(d);
			h = hash_double(v);
			break;
		case VR_FLOAT8:
			v = DatumGetFloat8(d);
			h = hash_double(v);
			break;
		default:
			{
				MemoryContext old = MemoryContextSwitchTo(st->row_mcxt);

				v = column_numeric_to_double(d);
				h = column_hash_other(&col->type, d);
				MemoryContextSwitchTo(old);
				break;
			}
	}
	if (isnan(v))
		col->nan_count++;
	else if (isinf(v))
	{
		col->inf_count++;
		if (v < 0)
			col->negatives++;
	}
	else
		numeric_add_finite(col, v);
	st->batch[col->num_index * PROFILE_BATCH_ROWS + st->batch_rows] =
		isfinite(v) ? v : NAN;
	if (!isfinite(v))
		st->batch_nan[col->num_index] = true;
	return h;
}

/* A date or timestamp value, as microseconds since 2000-01-01. */
static uint64
add_temporal(ColumnState *col, Datum d)
{
	int64		raw;
	bool		finite;
	double		usecs;

	if (col->type.rep == VR_DATE)
	{
		DateADT		day = DatumGetDateADT(d);

		raw = day;
		finite = !DATE_NOT_FINITE(day);
		usecs = (double) day * USECS_PER_DAY;
	}
	else
	{
		Timestamp	ts = DatumGetTimestamp(d);

		raw = ts;
		finite = !TIMESTAMP_NOT_FINITE(ts);
		usecs = (double) ts;
	}
	int_range_add(col, raw);
	if (finite)
		kll_add(col->kll, usecs);
	else
		col->inf_count++;
	return mix64((uint64) raw);
}

/*
 * Length in characters.  Most strings are ASCII, where it is the byte
 * length; checking that eight bytes at a time is much cheaper than the
 * multibyte walk.
 */
static inline int64
string_char_length(const char *s, int len)
{
	int			i = 0;

	if (pg_database_encoding_max_length() == 1)
		return len;
	for (; i + 8 <= len; i += 8)
	{
		uint64		chunk;

		memcpy(&chunk, s + i, 8);
		if (chunk & UINT64CONST(0x8080808080808080))
			return pg_mbstrlen_with_len(s, len);
	}
	for (; i < len; i++)
		if ((unsigned char) s[i] & 0x80)
			return pg_mbstrlen_with_len(s, len);
	return len;
}

/* A string value: lengths, emptiness, frequency with its label. */
static uint64
add_string(ColumnState *col, const char *s, int len)
{
	uint64		h = hash_bytes_extended((const unsigned char *) s, len, 0);
	int64		chars = string_char_length(s, len);

	if (chars < col->min_length)
		col->min_length = chars;
	if (chars > col->max_length)
		col->max_length = chars;
	col->sum_length += chars;
	if (len == 0)
		col->empty_count++;
	freq_add(col->freq, h, s, len);
	return h;
}

/* A text-like value of any representation. */
static uint64
add_text(ProfileState *st, ColumnState *col, Datum d)
{
	MemoryContext old = MemoryContextSwitchTo(st->row_mcxt);
	const char *s;
	int			len;

	if (col->type.rep == VR_TEXT || col->type.rep == VR_BPCHAR)
	{
		struct varlena *t = PG_DETOAST_DATUM_PACKED(d);

		s = VARDATA_ANY(t);
		len = VARSIZE_ANY_EXHDR(t);
		/* char(n) compares, and counts its length, without the padding */
		if (col->type.rep == VR_BPCHAR)
			len = bpchartruelen((char *) s, len);
	}
	else
	{
		s = OutputFunctionCall(&col->type.proc, d);
		len = strlen(s);
	}
	MemoryContextSwitchTo(old);
	return add_string(col, s, len);
}

/* Update one column with a non-null value; returns the value's hash. */
static uint64
column_add_value(ProfileState *st, ColumnState *col, Datum d)
{
	uint64		h;

	col->nonnull_count++;
	switch (col->type.kind)
	{
		case CK_NUMERIC:
			h = add_numeric(st, col, d);
			break;
		case CK_TEMPORAL:
			h = add_temporal(col, d);
			break;
		case CK_TEXT:
			return add_text(st, col, d);
		case CK_BOOL:
			if (DatumGetBool(d))
				col->true_count++;
			else
				col->false_count++;
			return mix64(DatumGetBool(d) ? 1 : 0);
		default:
			{
				MemoryContext old = MemoryContextSwitchTo(st->row_mcxt);

				h = column_hash_other(&col->type, d);
				MemoryContextSwitchTo(old);
				break;
			}
	}
	col->hashes[col->nhashes++] = h;
	return h;
}

/*
 * Add one row (a composite datum of the state's row type).
 *
 * The sketches grow in the state's own context, but detoasted values,
 * output strings and numeric conversions are garbage after the row: they
 * go to the caller's context, which the executor resets per input row, so
 * a long scan does not pile them up in the aggregate's memory.
 */
void
profile_state_add_row(ProfileState *st, HeapTupleHeader row)
{
	HeapTupleData tuple;

	tuple.t_len = HeapTupleHeaderGetDatumLength(row);
	ItemPointerSetInvalid(&(tuple.t_self));
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = row;
	heap_deform_tuple(&tuple, st->tupdesc, st->values, st->nulls);
	profile_state_add_values(st);
}

/*
 * Add the row held in st->values and st->nulls (indexed by attribute
 * number), as profile_state_add_row or a column-wise caller filled them.
 */
void
profile_state_add_values(ProfileState *st)
{
	uint64		h1 = 0;
	uint64		h2 = UINT64CONST(0x9e3779b97f4a7c15);
	MemoryContext old;
	int			i;

	st->row_mcxt = CurrentMemoryContext;
	old = MemoryContextSwitchTo(st->mcxt);
	for (i = 0; i < st->ncolumns; i++)
	{
		ColumnState *col = &st->columns[i];
		int			att = st->attnums[i];
		uint64		h = 0;

		if (st->nulls[att])
		{
			col->null_count++;
			if (col->num_index >= 0)
			{
				st->batch[col->num_index * PROFILE_BATCH_ROWS + st->batch_rows] = NAN;
				st->batch_nan[col->num_index] = true;
			}
		}
		else
			h = column_add_value(st, col, st->values[att]);
		fingerprint_fold(&h1, &h2, h, st->nulls[att]);
	}
	if (st->rows)
	{
		st->row_hashes[2 * st->batch_rows] = h1;
		st->row_hashes[2 * st->batch_rows + 1] = h2;
	}
	st->row_count++;
	if (++st->batch_rows == PROFILE_BATCH_ROWS)
	{
		profile_state_flush(st);
		profile_state_check_memory(st);
	}
	MemoryContextSwitchTo(old);
}

/* Moments of one numeric column's batch, skipping NaN markers. */
static void
flush_column(ProfileState *st, ColumnState *col, double *tmp)
{
	const double *x = &st->batch[col->num_index * PROFILE_BATCH_ROWS];
	int			n = 0;
	int			r;

	if (!st->batch_nan[col->num_index])
	{
		moments_add_batch(&col->moments, x, st->batch_rows);
		return;
	}
	for (r = 0; r < st->batch_rows; r++)
		if (!isnan(x[r]))
			tmp[n++] = x[r];
	moments_add_batch(&col->moments, tmp, n);
}

/*
 * Summarise the buffered rows: numeric moments and co-moments, and the
 * hashes for the frequency tables and the row set, which go in a batch so
 * that their hash-table slots can be fetched from memory ahead of use.
 */
void
profile_state_flush(ProfileState *st)
{
	double		tmp[PROFILE_BATCH_ROWS];
	int			i;

	if (st->batch_rows == 0)
		return;
	for (i = 0; i < st->ncolumns; i++)
	{
		ColumnState *col = &st->columns[i];

		if (col->num_index >= 0)
			flush_column(st, col, tmp);
		if (col->nhashes > 0)
			freq_add_hashes(col->freq, col->hashes, col->nhashes);
		col->nhashes = 0;
	}
	if (st->rows)
		rowset_add_fingerprints(st->rows, st->row_hashes, st->batch_rows);
	comoments_add_matrix(st->pairs, st->batch, PROFILE_BATCH_ROWS,
						 st->ncorr, st->batch_rows);
	memset(st->batch_nan, 0, sizeof(bool) * Max(st->nnumeric, 1));
	st->batch_rows = 0;
}

/* Refuse to grow past automl.profile_max_memory. */
void
profile_state_check_memory(ProfileState *st)
{
	Size		used = MemoryContextMemAllocated(st->mcxt, true);
	Size		limit = (Size) automl_profile_max_memory_mb * 1024 * 1024;

	if (used > limit)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("profile state exceeds automl.profile_max_memory (%d MB)",
						automl_profile_max_memory_mb),
				 errdetail("The state holds %zu MB after %lld rows.",
						   used / (1024 * 1024), (long long) st->row_count),
				 errhint("Raise automl.profile_max_memory, or pass options {\"duplicates\": false} or {\"exact\": false}.")));
}

/* Merge the counters and accumulators of two columns of the same kind. */
static void
column_state_combine(ColumnState *dst, const ColumnState *src)
{
	if (src->nonnull_count > 0)
	{
		if (dst->nonnull_count == 0 || src->imin < dst->imin)
			dst->imin = src->imin;
		if (dst->nonnull_count == 0 || src->imax > dst->imax)
			dst->imax = src->imax;
	}
	if (src->has_range)
	{
		if (!dst->has_range || src->min < dst->min)
			dst->min = src->min;
		if (!dst->has_range || src->max > dst->max)
			dst->max = src->max;
		dst->has_range = true;
	}
	dst->null_count += src->null_count;
	dst->nonnull_count += src->nonnull_count;
	moments_merge(&dst->moments, &src->moments);
	dst->zeros += src->zeros;
	dst->negatives += src->negatives;
	dst->nan_count += src->nan_count;
	dst->inf_count += src->inf_count;
	dst->min_length = Min(dst->min_length, src->min_length);
	dst->max_length = Max(dst->max_length, src->max_length);
	dst->sum_length += src->sum_length;
	dst->empty_count += src->empty_count;
	dst->true_count += src->true_count;
	dst->false_count += src->false_count;
	extremes_merge(&dst->extremes, &src->extremes);
	if (dst->kll && src->kll)
		kll_merge(dst->kll, src->kll);
	if (dst->freq && src->freq)
		freq_merge(dst->freq, src->freq);
}

/* dst absorbs src; both describe the same row type. */
void
profile_state_combine(ProfileState *dst, ProfileState *src)
{
	MemoryContext old;
	int			npairs = dst->ncorr * (dst->ncorr - 1) / 2;
	int			i;

	if (dst->ncolumns != src->ncolumns || dst->ncorr != src->ncorr ||
		(dst->rows == NULL) != (src->rows == NULL))
		elog(ERROR, "cannot combine profile states of different shapes");
	profile_state_flush(dst);
	profile_state_flush(src);
	old = MemoryContextSwitchTo(dst->mcxt);
	for (i = 0; i < dst->ncolumns; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (dst->columns[i].type.kind != src->columns[i].type.kind)
			elog(ERROR, "cannot combine profile states of different column kinds");
		column_state_combine(&dst->columns[i], &src->columns[i]);
	}
	for (i = 0; i < npairs; i++)
		comoments_merge(&dst->pairs[i], &src->pairs[i]);
	if (dst->rows)
		rowset_merge(dst->rows, src->rows);
	dst->row_count += src->row_count;
	MemoryContextSwitchTo(old);
	profile_state_check_memory(dst);
}

/* ---------- serialization ---------- */

/* Write a length-prefixed blob produced by one of the sketch serializers. */
#define SEND_BLOB(buf, obj, sizefn, serfn) \
	do { \
		size_t	_len = (obj) ? sizefn(obj) : 0; \
		pq_sendint64((buf), (int64) _len); \
		if (_len > 0) \
		{ \
			enlargeStringInfo((buf), (int) _len); \
			serfn((obj), (buf)->data + (buf)->len); \
			(buf)->len += (int) _len; \
		} \
	} while (0)

static void
send_moments(StringInfo buf, const Moments *m)
{
	pq_sendint64(buf, m->n);
	pq_sendfloat8(buf, m->mean);
	pq_sendfloat8(buf, m->m2);
	pq_sendfloat8(buf, m->m3);
}

static void
send_extremes(StringInfo buf, const Extremes *e)
{
	int			i;

	pq_sendint32(buf, e->nlow);
	pq_sendint32(buf, e->nhigh);
	for (i = 0; i < e->nlow; i++)
		pq_sendfloat8(buf, e->low[i]);
	for (i = 0; i < e->nhigh; i++)
		pq_sendfloat8(buf, e->high[i]);
}

static void
send_column(StringInfo buf, const ColumnState *col)
{
	pq_sendstring(buf, col->name);
	pq_sendint32(buf, col->type.typid);
	pq_sendint32(buf, col->type.typmod);
	pq_sendint32(buf, col->type.kind);
	pq_sendint32(buf, col->type.rep);
	pq_sendint32(buf, col->num_index);
	pq_sendint64(buf, col->null_count);
	pq_sendint64(buf, col->nonnull_count);
	send_moments(buf, &col->moments);
	pq_sendbyte(buf, col->has_range);
	pq_sendfloat8(buf, col->min);
	pq_sendfloat8(buf, col->max);
	pq_sendint64(buf, col->imin);
	pq_sendint64(buf, col->imax);
	pq_sendint64(buf, col->zeros);
	pq_sendint64(buf, col->negatives);
	pq_sendint64(buf, col->nan_count);
	pq_sendint64(buf, col->inf_count);
	pq_sendint64(buf, col->min_length);
	pq_sendint64(buf, col->max_length);
	pq_sendfloat8(buf, col->sum_length);
	pq_sendint64(buf, col->empty_count);
	pq_sendint64(buf, col->true_count);
	pq_sendint64(buf, col->false_count);
	send_extremes(buf, &col->extremes);
	SEND_BLOB(buf, col->kll, kll_serialized_size, kll_serialize);
	SEND_BLOB(buf, col->freq, freq_serialized_size, freq_serialize);
}

static void
send_options(StringInfo buf, const ProfileOptions *o)
{
	pq_sendbyte(buf, o->exact);
	pq_sendbyte(buf, o->duplicates);
	pq_sendbyte(buf, o->correlations);
	pq_sendint32(buf, o->max_correlation_columns);
	pq_sendint32(buf, o->top_values);
	pq_sendint32(buf, o->histogram_bins);
}

/* The state as a bytea (after flushing the batch). */
bytea *
profile_state_serialize(ProfileState *st)
{
	StringInfoData buf;
	int			npairs;
	int			i;

	profile_state_flush(st);
	npairs = st->ncorr * (st->ncorr - 1) / 2;
	pq_begintypsend(&buf);
	pq_sendint32(&buf, PROFILE_STATE_MAGIC);
	send_options(&buf, &st->opts);
	pq_sendint32(&buf, st->ncolumns);
	pq_sendint32(&buf, st->nnumeric);
	pq_sendint32(&buf, st->ncorr);
	pq_sendint64(&buf, st->row_count);
	for (i = 0; i < st->ncolumns; i++)
		send_column(&buf, &st->columns[i]);
	for (i = 0; i < npairs; i++)
	{
		const CoMoments *c = &st->pairs[i];

		pq_sendint64(&buf, c->n);
		pq_sendfloat8(&buf, c->mean_x);
		pq_sendfloat8(&buf, c->mean_y);
		pq_sendfloat8(&buf, c->m2_x);
		pq_sendfloat8(&buf, c->m2_y);
		pq_sendfloat8(&buf, c->c_xy);
	}
	SEND_BLOB(&buf, st->rows, rowset_serialized_size, rowset_serialize);
	return pq_endtypsend(&buf);
}

/* Read a blob length and bytes; returns NULL for an empty blob. */
static const char *
recv_blob(StringInfo buf, size_t *len)
{
	int64		n = pq_getmsgint64(buf);

	if (n < 0 || n > buf->len - buf->cursor)
		elog(ERROR, "corrupt profile state: blob length %lld", (long long) n);
	*len = (size_t) n;
	return n > 0 ? pq_getmsgbytes(buf, (int) n) : NULL;
}

static void
recv_moments(StringInfo buf, Moments *m)
{
	m->n = pq_getmsgint64(buf);
	m->mean = pq_getmsgfloat8(buf);
	m->m2 = pq_getmsgfloat8(buf);
	m->m3 = pq_getmsgfloat8(buf);
}

#define RECV_BLOB(buf, target, deserfn, what) \
	do { \
		size_t	_len; \
		const char *_p = recv_blob((buf), &_len); \
		(target) = NULL; \
		if (_p != NULL && ((target) = deserfn(_p, _len)) == NULL) \
			elog(ERROR, "corrupt profile state: bad %s", (what)); \
	} while (0)

static void
recv_extremes(StringInfo buf, Extremes *e)
{
	int			i;

	e->nlow = (int) pq_getmsgint(buf, 4);
	e->nhigh = (int) pq_getmsgint(buf, 4);
	if (e->nlow < 0 || e->nlow > EXTREMES_K || e->nhigh < 0 || e->nhigh > EXTREMES_K)
		elog(ERROR, "corrupt profile state: bad extremes");
	for (i = 0; i < e->nlow; i++)
		e->low[i] = pq_getmsgfloat8(buf);
	for (i = 0; i < e->nhigh; i++)
		e->high[i] = pq_getmsgfloat8(buf);
	if (!extremes_is_valid(e))
		elog(ERROR, "corrupt profile state: bad extremes");
}

static void
recv_column(StringInfo buf, ColumnState *col)
{
	col->name = pstrdup(pq_getmsgstring(buf));
	col->type.typid = pq_getmsgint(buf, 4);
	col->type.typmod = (int32) pq_getmsgint(buf, 4);
	col->type.kind = pq_getmsgint(buf, 4);
	col->type.rep = pq_getmsgint(buf, 4);
	col->num_index = (int) pq_getmsgint(buf, 4);
	col->null_count = pq_getmsgint64(buf);
	col->nonnull_count = pq_getmsgint64(buf);
	recv_moments(buf, &col->moments);
	col->has_range = pq_getmsgbyte(buf);
	col->min = pq_getmsgfloat8(buf);
	col->max = pq_getmsgfloat8(buf);
	col->imin = pq_getmsgint64(buf);
	col->imax = pq_getmsgint64(buf);
	col->zeros = pq_getmsgint64(buf);
	col->negatives = pq_getmsgint64(buf);
	col->nan_count = pq_getmsgint64(buf);
	col->inf_count = pq_getmsgint64(buf);
	col->min_length = pq_getmsgint64(buf);
	col->max_length = pq_getmsgint64(buf);
	col->sum_length = pq_getmsgfloat8(buf);
	col->empty_count = pq_getmsgint64(buf);
	col->true_count = pq_getmsgint64(buf);
	col->false_count = pq_getmsgint64(buf);
	recv_extremes(buf, &col->extremes);
	RECV_BLOB(buf, col->kll, kll_deserialize, "quantile sketch");
	RECV_BLOB(buf, col->freq, freq_deserialize, "frequency table");
}

static void
recv_options(StringInfo buf, ProfileOptions *o)
{
	o->exact = pq_getmsgbyte(buf);
	o->duplicates = pq_getmsgbyte(buf);
	o->correlations = pq_getmsgbyte(buf);
	o->max_correlation_columns = pq_getmsgint(buf, 4);
	o->top_values = pq_getmsgint(buf, 4);
	o->histogram_bins = pq_getmsgint(buf, 4);
}

/* Rebuild a state from its bytea image, in mcxt. */
ProfileState *
profile_state_deserialize(MemoryContext mcxt, bytea *data)
{
	MemoryContext old = MemoryContextSwitchTo(mcxt);
	ProfileState *st = palloc0(sizeof(ProfileState));
	StringInfoData buf;
	int			npairs;
	int			i;

	buf.data = VARDATA_ANY(data);
	buf.len = VARSIZE_ANY_EXHDR(data);
	buf.maxlen = buf.len;
	buf.cursor = 0;
	if (pq_getmsgint(&buf, 4) != PROFILE_STATE_MAGIC)
		elog(ERROR, "corrupt profile state: bad magic");
	st->mcxt = mcxt;
	recv_options(&buf, &st->opts);
	st->ncolumns = pq_getmsgint(&buf, 4);
	st->nnumeric = pq_getmsgint(&buf, 4);
	st->ncorr = pq_getmsgint(&buf, 4);
	if (st->ncolumns < 0 || st->ncolumns > MaxHeapAttributeNumber ||
		st->nnumeric < 0 || st->nnumeric > st->ncolumns ||
		st->ncorr < 0 || st->ncorr > st->nnumeric)
		elog(ERROR, "corrupt profile state: bad column counts");
	st->row_count = pq_getmsgint64(&buf);
	st->columns = palloc0(sizeof(ColumnState) * Max(st->ncolumns, 1));
	for (i = 0; i < st->ncolumns; i++)
		recv_column(&buf, &st->columns[i]);
	profile_state_alloc_numeric(st);
	npairs = st->ncorr * (st->ncorr - 1) / 2;
	for (i = 0; i < npairs; i++)
	{
		CoMoments  *c = &st->pairs[i];

		c->n = pq_getmsgint64(&buf);
		c->mean_x = pq_getmsgfloat8(&buf);
		c->mean_y = pq_getmsgfloat8(&buf);
		c->m2_x = pq_getmsgfloat8(&buf);
		c->m2_y = pq_getmsgfloat8(&buf);
		c->c_xy = pq_getmsgfloat8(&buf);
	}
	RECV_BLOB(&buf, st->rows, rowset_deserialize, "row set");
	pq_getmsgend(&buf);
	MemoryContextSwitchTo(old);
	return st;
}

/*-------------------------------------------------------------------------
 *
 * fuzz_model_decode.c
 *	  libFuzzer harness for model_decode, the reader of the model images
 *	  that automl.import_model accepts as any bytea.
 *
 * The first input byte chooses the mode:
 *	 even	the rest is decoded as it is, checksum included;
 *	 odd	the rest is an image body, to which the harness appends its
 *			correct CRC-32C before decoding, as a crafted image would carry:
 *			this gets the fuzzer past the checksum and into every validation
 *			of preprocess_read and of each algorithm's read.
 * When the decoder accepts an image, the model must behave: a row of
 * zeros, a row of missing values (NaN) and a row of huge values predict a
 * probability vector (classification: each in [0, 1], summing to 1 within
 * 1e-6) or a number (regression; see check_value for when it must be
 * finite), an explanation (where the algorithm has one) adds up to the
 * raw output, feature importances are not negative, every kept category
 * is found by its label, the model encodes back to the very bytes it came
 * from, and that image decodes again to a model predicting bit for bit
 * the same.
 *
 * The decoders allocate with am_alloc and have no free function (in the
 * server a memory context reset frees a rejected image's pieces), so the
 * harness is built with AUTOML_ALLOC_ARENA and defines the arena below,
 * which frees everything after each input: LeakSanitizer stays quiet
 * without hiding a leak of the harness itself.  Seeds live in
 * test/fuzz/corpus/model_decode/ (see make_model_corpus.c), and
 * model_decode.dict lists the tokens of the format.
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

#include <sanitizer/asan_interface.h>

#include "ml/model.h"

#ifndef AUTOML_ALLOC_ARENA
#error "build with -DAUTOML_ALLOC_ARENA (see test/fuzz/run.sh)"
#endif

/* Rows predicted per model: zeros, missing values, huge values. */
#define NROWS		3
/* Largest number of features whose rows the harness builds. */
#define MAX_RAW		200000

/*
 * ---------------------------------------------------------------------
 * The arena: each block is preceded by a header linking it into one
 * doubly linked list of live blocks.  The header is poisoned while the
 * block is live, so that AddressSanitizer still reports a write just
 * before a block (the decoder's, not ours) instead of letting it corrupt
 * the list.
 * ---------------------------------------------------------------------
 */
typedef union ArenaHeader
{
	struct
	{
		union ArenaHeader *prev;
		union ArenaHeader *next;
		size_t		size;
	}			h;
	max_align_t align;			/* keeps the block after it aligned */
} ArenaHeader;

static ArenaHeader *arena_head;
static size_t arena_live;		/* blocks in the list */

/* Make a header readable and writable. */
static inline void
hdr_open(ArenaHeader *a)
{
	if (a)
		ASAN_UNPOISON_MEMORY_REGION(a, sizeof(ArenaHeader));
}

/* Poison a header again. */
static inline void
hdr_close(ArenaHeader *a)
{
	if (a)
		ASAN_POISON_MEMORY_REGION(a, sizeof(ArenaHeader));
}

/* Put a (open) header at the front of the list, and close it. */
static void
arena_link(ArenaHeader *a)
{
	a->h.prev = NULL;
	a->h.next = arena_head;
	hdr_open(arena_head);
	if (arena_head)
		arena_head->h.prev = a;
	hdr_close(arena_head);
	arena_head = a;
	arena_live++;
	hdr_close(a);
}

/* Take a (open) header out of the list; it stays open. */
static void
arena_unlink(ArenaHeader *a)
{
	ArenaHeader *prev = a->h.prev;
	ArenaHeader *next = a->h.next;

	hdr_open(prev);
	hdr_open(next);
	if (prev)
		prev->h.next = next;
	else
		arena_head = next;
	if (next)
		next->h.prev = prev;
	hdr_close(prev);
	hdr_close(next);
	arena_live--;
}

/* The header of a block handed out, opened. */
static ArenaHeader *
arena_header(void *p)
{
	ArenaHeader *a = (ArenaHeader *) p - 1;

	hdr_open(a);
	return a;
}

/* am_alloc: a block of sz bytes, linked into the arena. */
void *
am_arena_alloc(size_t sz)
{
	ArenaHeader *a;

	if (sz > SIZE_MAX - sizeof(ArenaHeader))
		abort();
	a = malloc(sizeof(ArenaHeader) + sz);
	if (a == NULL)
		abort();				/* am_alloc never returns NULL */
	a->h.size = sz;
	arena_link(a);
	return a + 1;
}

/* am_alloc0: a zeroed block. */
void *
am_arena_alloc0(size_t sz)
{
	void	   *p = am_arena_alloc(sz);

	memset(p, 0, sz);
	return p;
}

/* am_realloc: the block grown or shrunk to sz bytes (NULL: a new one). */
void *
am_arena_realloc(void *p, size_t sz)
{
	ArenaHeader *a;

	if (p == NULL)
		return am_arena_alloc(sz);
	if (sz > SIZE_MAX - sizeof(ArenaHeader))
		abort();
	a = arena_header(p);
	arena_unlink(a);
	a = realloc(a, sizeof(ArenaHeader) + sz);
	if (a == NULL)
		abort();
	a->h.size = sz;
	arena_link(a);
	return a + 1;
}

/* am_free: unlink and free one block. */
void
am_arena_free(void *p)
{
	ArenaHeader *a;

	if (p == NULL)
		return;
	a = arena_header(p);
	arena_unlink(a);
	free(a);
}

/* Free every live block. */
static void
am_arena_reset(void)
{
	while (arena_head)
	{
		ArenaHeader *a = arena_head;

		hdr_open(a);
		arena_unlink(a);
		free(a);
	}
	FUZZ_CHECK(arena_live == 0);
}

/*
 * ---------------------------------------------------------------------
 * Checks of an accepted model.
 * ---------------------------------------------------------------------
 */

/* Outputs of one prediction: one value, or nclasses probabilities. */
static int
out_width(const MlModel *m)
{
	return m->task == ML_CLASSIFICATION ? m->nclasses : 1;
}

/*
 * Is the algorithm's regression prediction a sum of products of stored
 * coefficients and design values (the linear family)?  Crafted finite
 * coefficients can make such a sum overflow, or even add +inf to -inf,
 * as IEEE arithmetic must; every other regression prediction is an
 * average or a sum of stored finite values and may at most overflow.
 */
static bool
alg_is_linear(const MlModel *m)
{
	return m->alg == &ml_linear_regression || m->alg == &ml_ridge ||
		m->alg == &ml_lasso || m->alg == &ml_elastic_net;
}

/*
 * One regression value.  Never NaN except for the linear family (see
 * alg_is_linear); finite for knn and the decision tree, whose prediction
 * is a (weighted) mean of stored finite values; the sums of a forest and
 * of boosting, and the linear dot product, may overflow to +-inf on
 * crafted magnitudes, which is the value IEEE arithmetic gives and what
 * the server returns as a float8.
 */
static void
check_value(const MlModel *m, double v)
{
	if (!alg_is_linear(m))
		FUZZ_CHECK(!isnan(v));
	if (m->alg == &ml_decision_tree || m->alg == &ml_knn)
		FUZZ_CHECK(isfinite(v));
}

/* nclasses probabilities: each in [0, 1], summing to 1 within 1e-6. */
static void
check_proba(const MlModel *m, const double *out)
{
	double		sum = 0.0;

	for (int c = 0; c < m->nclasses; c++)
	{
		FUZZ_CHECK(out[c] >= 0.0 && out[c] <= 1.0);
		sum += out[c];
	}
	FUZZ_CHECK(fabs(sum - 1.0) <= 1e-6);
	FUZZ_CHECK(model_argmax(out, m->nclasses) >= 0 &&
			   model_argmax(out, m->nclasses) < m->nclasses);
}

/*
 * Fill the NROWS raw rows of nfeatures values: zeros, missing values, and
 * huge values of alternating sign (far beyond any category index, and
 * dates billions of years away).
 */
static void
fill_rows(double *raw, int nfeatures)
{
	for (int f = 0; f < nfeatures; f++)
	{
		raw[f] = 0.0;
		raw[nfeatures + f] = NAN;
		raw[2 * nfeatures + f] = (f % 2 == 0 ? 1e300 : -1e300);
	}
}

/*
 * Explanation of the design row of the last prediction (automl.explain),
 * for every output index, when the algorithm has one: base + sum(contrib)
 * is its raw output, within rounding relative to the magnitudes added.
 */
static void
check_explain(const MlModel *m)
{
	int			p = m->pp->p;
	double	   *contrib;

	if (m->alg->explain == NULL)
		return;
	contrib = am_alloc(sizeof(double) * p);
	for (int o = 0; o < out_width(m); o++)
	{
		double		base = 0.0;
		double		sum;
		double		scale;
		double		raw;

		m->alg->explain(m->fitted, m->design, o, contrib, &base);
		if (m->alg->raw_output == NULL)
			continue;
		raw = m->alg->raw_output(m->fitted, m->design, o);
		sum = base;
		scale = fabs(base) + fabs(raw) + 1.0;
		for (int j = 0; j < p; j++)
		{
			sum += contrib[j];
			scale += fabs(contrib[j]);
		}
		if (isfinite(sum) && isfinite(scale) && isfinite(raw))
			FUZZ_CHECK(fabs(sum - raw) <= 1e-6 * scale);
	}
	am_free(contrib);
}

/* Predict the NROWS rows into out (NROWS x width) and check each. */
static void
predict_rows(MlModel *m, const double *raw, double *out)
{
	int			w = out_width(m);

	for (int r = 0; r < NROWS; r++)
	{
		double	   *o = out + (size_t) r * w;

		model_predict_raw(m, raw + (size_t) r * m->pp->nfeatures, o);
		if (m->task == ML_CLASSIFICATION)
			check_proba(m, o);
		else
			check_value(m, o[0]);
		check_explain(m);
	}
}

/*
 * Feature importance (automl.feature_importance): p values, none negative
 * or NaN (an infinite sum of crafted gains is allowed).
 */
static void
check_importance(const MlModel *m)
{
	int			p = m->pp->p;
	double	   *imp = am_alloc0(sizeof(double) * p);

	m->alg->importance(m->fitted, imp);
	for (int j = 0; j < p; j++)
		FUZZ_CHECK(imp[j] >= 0.0);
	am_free(imp);
}

/*
 * Category look-ups (predict.c turns a label into its index so): each kept
 * label is found, as an index with that label (labels may repeat in a
 * crafted image), and a label that is not kept gives ncats.
 */
static void
check_categories(const Preprocessor *pp)
{
	for (int f = 0; f < pp->nfeatures; f++)
	{
		const FeatureSpec *fs = &pp->features[f];
		bool		has_empty = false;

		if (fs->kind != FEAT_CATEGORICAL)
			continue;
		for (int c = 0; c < fs->ncats; c++)
		{
			int			i = preprocess_category_index(fs, fs->cats[c]);

			FUZZ_CHECK(i >= 0 && i < fs->ncats);
			FUZZ_CHECK(strcmp(fs->cats[i], fs->cats[c]) == 0);
			has_empty |= fs->cats[c][0] == '\0';
		}
		if (!has_empty)
			FUZZ_CHECK(preprocess_category_index(fs, "") == fs->ncats);
	}
}

/* Same double, bit for bit (a NaN of the linear family included). */
static bool
same_double(double a, double b)
{
	return memcmp(&a, &b, sizeof(double)) == 0 || (isnan(a) && isnan(b));
}

/*
 * An accepted model: predictions, then its image, which must be the bytes
 * decoded and must decode to a model predicting the same.
 */
static void
check_model(MlModel *m, const uint8_t *image, size_t len)
{
	int			w = out_width(m);
	int			nf;
	double	   *raw;
	double	   *out1;
	double	   *out2;
	uint8	   *again;
	size_t		again_len;
	MlModel    *m2;

	FUZZ_CHECK(m->pp != NULL && m->target != NULL && m->info != NULL &&
			   m->fitted != NULL);
	nf = m->pp->nfeatures;
	FUZZ_CHECK(nf >= 1 && nf <= MAX_RAW && m->pp->p >= 1);
	FUZZ_CHECK((m->task == ML_CLASSIFICATION) == (m->nclasses >= 2));
	raw = malloc(sizeof(double) * NROWS * nf);
	out1 = malloc(sizeof(double) * NROWS * w);
	out2 = malloc(sizeof(double) * NROWS * w);
	fill_rows(raw, nf);
	predict_rows(m, raw, out1);
	check_importance(m);
	check_categories(m->pp);

	again = model_encode(m, &again_len);
	FUZZ_CHECK(again_len == len && memcmp(again, image, len) == 0);
	m2 = model_decode(again, again_len);
	FUZZ_CHECK(m2 != NULL);
	FUZZ_CHECK(m2->task == m->task && m2->alg == m->alg &&
			   m2->nclasses == m->nclasses && m2->pp->p == m->pp->p);
	predict_rows(m2, raw, out2);
	for (int i = 0; i < NROWS * w; i++)
		FUZZ_CHECK(same_double(out1[i], out2[i]));

	free(raw);
	free(out1);
	free(out2);
}

/* Decode one input in the mode its first byte chooses. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *image;
	size_t		len;
	uint8_t    *owned = NULL;
	MlModel    *m;

	if (size < 1)
		return 0;
	len = size - 1;
	if ((data[0] & 1) == 0)
		image = data + 1;
	else
	{
		uint32		crc = ml_crc32c(data + 1, len);

		owned = malloc(len + 4);
		if (len > 0)
			memcpy(owned, data + 1, len);
		for (int i = 0; i < 4; i++)
			owned[len + i] = (uint8_t) (crc >> (8 * i));
		len += 4;
		image = owned;
	}
	m = model_decode(image, len);
	if (m != NULL)
		check_model(m, image, len);
	free(owned);
	am_arena_reset();
	return 0;
}

/*-------------------------------------------------------------------------
 *
 * preprocess.c
 *	  Imputation, date expansion, categorical encoding and standardisation,
 *	  fitted on the training rows and stored in the model.
 *
 * Plain C over arrays (see preprocess.h for the raw value of each kind);
 * the server side (dataset.c, predict.c) turns datums into raw values.
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>

#include "ml.h"
#include "preprocess.h"
#include "../common/order_stat.h"

/* Bounds on what a stored preprocessor may claim (validated on read). */
#define PP_MAX_FEATURES		100000
#define PP_MAX_LABEL		(1 << 20)
/* Rows the median imputation is computed on, at most. */
#define PP_MEDIAN_SAMPLE	100000

int
preprocess_date_parts(FeatureKind kind)
{
	/* year, month, day of month, ISO day of week; timestamps add the hour */
	if (kind == FEAT_DATE)
		return 4;
	if (kind == FEAT_TIMESTAMP)
		return 5;
	return 0;
}

static int
design_width(const FeatureSpec *f, bool one_hot)
{
	if (f->kind == FEAT_CATEGORICAL)
		return one_hot ? f->ncats + 1 : 1;
	return 1 + preprocess_date_parts(f->kind);
}

/*
 * Median of the non-missing training values; 0 when there are none.  Past
 * PP_MEDIAN_SAMPLE rows it is the median of an evenly spaced sample of
 * them: an imputation value needs no more precision, and the selection
 * would otherwise cost as much as the fit of a linear model.
 */
static double
column_median(const double *col, const int64 *idx, int64 n, double *scratch)
{
	int64		m = 0;
	int64		step = n > PP_MEDIAN_SAMPLE ? n / PP_MEDIAN_SAMPLE : 1;
	double		hi;

	for (int64 i = 0; i < n; i += step)
		if (!isnan(col[idx[i]]))
			scratch[m++] = col[idx[i]];
	if (m == 0)
		return 0.0;
	hi = select_kth(scratch, m, m / 2);
	if (m % 2 == 1)
		return hi;
	/* the lower middle is the largest value of the lower half */
	{
		double		lo = scratch[0];

		for (int64 i = 1; i < m / 2; i++)
			if (scratch[i] > lo)
				lo = scratch[i];
		return lo + (hi - lo) / 2;
	}
}

/* Most frequent of the codes 0..ncodes-1 among the training rows. */
static double
column_mode(const double *col, const int64 *idx, int64 n, int ncodes)
{
	int64	   *counts = am_alloc0(sizeof(int64) * (ncodes + 1));
	int			best = 0;

	for (int64 i = 0; i < n; i++)
	{
		double		v = col[idx[i]];

		if (!isnan(v) && v >= 0 && v <= ncodes)
			counts[(int) v]++;
	}
	for (int c = 1; c <= ncodes; c++)
		if (counts[c] > counts[best])
			best = c;
	am_free(counts);
	return best;
}

/*
 * Civil date of a day count since 1970-01-01 (proleptic Gregorian), by
 * splitting into 400-year eras of 146097 days.
 */
static void
civil_from_days(int64 z, int *year, int *month, int *day)
{
	int64		era,
				doe,
				yoe,
				doy,
				mp;

	z += 719468;				/* days from 0000-03-01 */
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*day = (int) (doy - (153 * mp + 2) / 5 + 1);
	*month = (int) (mp < 10 ? mp + 3 : mp - 9);
	*year = (int) (yoe + era * 400 + (*month <= 2));
}

/* Epoch seconds to the design values: epoch, year, month, day, dow[, hour] */
static void
date_expand(double secs, FeatureKind kind, double *out)
{
	double		days = floor(secs / 86400.0);
	int			y,
				m,
				d;

	out[0] = secs;
	/* beyond +-10^8 days the calendar parts carry no information */
	if (fabs(days) > 1e8)
		days = days > 0 ? 1e8 : -1e8;
	civil_from_days((int64) days, &y, &m, &d);
	out[1] = y;
	out[2] = m;
	out[3] = d;
	/* 1970-01-01 was a Thursday: ISO 4 */
	out[4] = (double) ((((int64) days % 7) + 7 + 3) % 7 + 1);
	if (kind == FEAT_TIMESTAMP)
		out[5] = floor((secs - days * 86400.0) / 3600.0);
}

/* Design values of one feature from one (imputed) raw value. */
static inline void
feature_encode(const FeatureSpec *f, bool one_hot, double v, double *out)
{
	switch (f->kind)
	{
		case FEAT_NUMERIC:
		case FEAT_BOOLEAN:
			out[0] = v;
			break;
		case FEAT_DATE:
		case FEAT_TIMESTAMP:
			date_expand(v, f->kind, out);
			break;
		case FEAT_CATEGORICAL:
			{
				int			code = (v >= 0 && v < f->ncats) ? (int) v : f->ncats;

				if (one_hot)
				{
					memset(out, 0, sizeof(double) * (f->ncats + 1));
					out[code] = 1.0;
				}
				else
					out[0] = code;
			}
			break;
	}
}

static inline double
raw_or_impute(const FeatureSpec *f, double v)
{
	return isnan(v) ? f->impute : v;
}

/* Sort the category indexes by label, for look-ups by binary search. */
static char **order_cats;

static int
cmp_cat_index(const void *a, const void *b)
{
	return strcmp(order_cats[*(const int *) a], order_cats[*(const int *) b]);
}

static void
build_cat_order(FeatureSpec *f)
{
	f->cat_order = am_alloc(sizeof(int) * (f->ncats + 1));
	for (int c = 0; c < f->ncats; c++)
		f->cat_order[c] = c;
	order_cats = f->cats;
	qsort(f->cat_order, f->ncats, sizeof(int), cmp_cat_index);
	order_cats = NULL;
}

int
preprocess_category_index(const FeatureSpec *f, const char *label)
{
	int			lo = 0,
				hi = f->ncats - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			c = strcmp(label, f->cats[f->cat_order[mid]]);

		if (c == 0)
			return f->cat_order[mid];
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return f->ncats;
}

/* Lay out the design columns; returns p. */
static int
layout(Preprocessor *pp)
{
	int			p = 0;

	for (int f = 0; f < pp->nfeatures; f++)
	{
		pp->features[f].design_offset = p;
		pp->features[f].design_width = design_width(&pp->features[f], pp->one_hot);
		p += pp->features[f].design_width;
	}
	return p;
}

/*
 * Mean and standard deviation of the design columns of a numeric, boolean
 * or date feature over the training rows; dates in two passes (deviations
 * summed around the mean, so epoch seconds near 1e9 keep their precision).
 * A constant column gets scale 1.
 */
static void
column_moments(const FeatureSpec *fs, const double *col, const int64 *idx,
			   int64 n, double *mean, double *scale)
{
	int			w = fs->design_width;
	double		vals[8];
	double		m2[8] = {0};

	if (n == 0)
		return;
	if (w == 1)
	{
		/*
		 * One pass of sums shifted by the first value, which lies within the
		 * data, so the subtraction below loses no more than two passes would.
		 */
		double		shift = raw_or_impute(fs, col[idx[0]]);
		double		s1 = 0,
					s2 = 0;

		for (int64 i = 0; i < n; i++)
		{
			double		d = raw_or_impute(fs, col[idx[i]]) - shift;

			s1 += d;
			s2 += d * d;
		}
		mean[0] = shift + s1 / n;
		m2[0] = s2 - s1 * s1 / n;
		if (m2[0] < 0)
			m2[0] = 0;
	}
	else
	{
		for (int64 i = 0; i < n; i++)
		{
			feature_encode(fs, true, raw_or_impute(fs, col[idx[i]]), vals);
			for (int k = 0; k < w; k++)
				mean[k] += vals[k];
		}
		for (int k = 0; k < w; k++)
			mean[k] /= n;
		for (int64 i = 0; i < n; i++)
		{
			feature_encode(fs, true, raw_or_impute(fs, col[idx[i]]), vals);
			for (int k = 0; k < w; k++)
				m2[k] += (vals[k] - mean[k]) * (vals[k] - mean[k]);
		}
	}
	for (int k = 0; k < w; k++)
	{
		double		sd = n > 1 ? sqrt(m2[k] / (n - 1)) : 0.0;

		scale[k] = (sd > 0 && isfinite(sd)) ? sd : 1.0;
	}
}

void
preprocess_fit(Preprocessor *pp, double *const *raw,
			   const int64 *train_idx, int64 n_train)
{
	double	   *scratch = am_alloc(sizeof(double) *
								   ((n_train < 2 * PP_MEDIAN_SAMPLE ? n_train : 2 * PP_MEDIAN_SAMPLE) + 1));

	for (int f = 0; f < pp->nfeatures; f++)
	{
		FeatureSpec *fs = &pp->features[f];

		ML_CHECK_INTERRUPTS();
		if (fs->kind == FEAT_CATEGORICAL)
			fs->impute = column_mode(raw[f], train_idx, n_train, fs->ncats);
		else if (fs->kind == FEAT_BOOLEAN)
			fs->impute = column_mode(raw[f], train_idx, n_train, 1);
		else
			fs->impute = column_median(raw[f], train_idx, n_train, scratch);
		if (fs->kind == FEAT_CATEGORICAL)
			build_cat_order(fs);
	}
	am_free(scratch);
	pp->p = layout(pp);
	pp->center = NULL;
	pp->scale = NULL;
	if (!pp->one_hot)
		return;

	/* standardise every non-dummy design column on the training rows */
	pp->center = am_alloc0(sizeof(double) * pp->p);
	pp->scale = am_alloc(sizeof(double) * pp->p);
	for (int j = 0; j < pp->p; j++)
		pp->scale[j] = 1.0;
	for (int f = 0; f < pp->nfeatures && !pp->unscaled; f++)
	{
		const FeatureSpec *fs = &pp->features[f];

		ML_CHECK_INTERRUPTS();
		if (fs->kind != FEAT_CATEGORICAL)
			column_moments(fs, raw[f], train_idx, n_train,
						   pp->center + fs->design_offset,
						   pp->scale + fs->design_offset);
	}
}

void
preprocess_transform(const Preprocessor *pp, double *const *raw,
					 const int64 *idx, int64 m, double *out)
{
	for (int f = 0; f < pp->nfeatures; f++)
	{
		const FeatureSpec *fs = &pp->features[f];
		const double *col = raw[f];
		double	   *dst = out + (int64) fs->design_offset * m;

		ML_CHECK_INTERRUPTS();
		if (fs->kind == FEAT_NUMERIC || fs->kind == FEAT_BOOLEAN)
		{
			/* the common case, kept to one tight loop */
			double		c = pp->one_hot ? pp->center[fs->design_offset] : 0.0;
			double		s = pp->one_hot ? pp->scale[fs->design_offset] : 1.0;

			for (int64 i = 0; i < m; i++)
				dst[i] = (raw_or_impute(fs, col[idx[i]]) - c) / s;
			continue;
		}
		for (int64 i = 0; i < m; i++)
		{
			double		vals[PP_MAX_ONE_HOT + 1];
			int			w = fs->design_width;

			feature_encode(fs, pp->one_hot, raw_or_impute(fs, col[idx[i]]), vals);
			for (int k = 0; k < w; k++)
			{
				double		v = vals[k];

				if (pp->one_hot)
					v = (v - pp->center[fs->design_offset + k]) / pp->scale[fs->design_offset + k];
				dst[(int64) k * m + i] = v;
			}
		}
	}
}

void
preprocess_row(const Preprocessor *pp, const double *raw, double *design)
{
	for (int f = 0; f < pp->nfeatures; f++)
	{
		const FeatureSpec *fs = &pp->features[f];
		double	   *dst = design + fs->design_offset;

		feature_encode(fs, pp->one_hot, raw_or_impute(fs, raw[f]), dst);
		if (pp->one_hot)
			for (int k = 0; k < fs->design_width; k++)
				dst[k] = (dst[k] - pp->center[fs->design_offset + k]) /
					pp->scale[fs->design_offset + k];
	}
}

int *
preprocess_ncategories(const Preprocessor *pp)
{
	int		   *nc = am_alloc0(sizeof(int) * (pp->p > 0 ? pp->p : 1));

	if (!pp->one_hot)
		for (int f = 0; f < pp->nfeatures; f++)
			if (pp->features[f].kind == FEAT_CATEGORICAL)
				nc[pp->features[f].design_offset] = pp->features[f].ncats + 1;
	return nc;
}

void
preprocess_write(MlWriter *w, const Preprocessor *pp)
{
	ml_put_u8(w, pp->one_hot ? 1 : 0);
	ml_put_u32(w, (uint32) pp->nfeatures);
	for (int f = 0; f < pp->nfeatures; f++)
	{
		const FeatureSpec *fs = &pp->features[f];

		ml_put_str(w, fs->name);
		ml_put_str(w, fs->type_name);
		ml_put_u8(w, (uint8) fs->kind);
		ml_put_f64(w, fs->impute);
		if (fs->kind == FEAT_CATEGORICAL)
		{
			ml_put_u32(w, (uint32) fs->ncats);
			for (int c = 0; c < fs->ncats; c++)
				ml_put_str(w, fs->cats[c]);
		}
	}
	if (pp->one_hot)
	{
		ml_put_f64s(w, pp->center, pp->p);
		ml_put_f64s(w, pp->scale, pp->p);
	}
}

/* Read a non-NULL string no longer than PP_MAX_LABEL; NULL on error. */
static char *
read_label(MlReader *r)
{
	char	   *s = ml_get_str(r);

	if (s == NULL || strlen(s) > PP_MAX_LABEL)
	{
		ml_reader_fail(r);
		return NULL;
	}
	return s;
}

Preprocessor *
preprocess_read(MlReader *r)
{
	Preprocessor *pp = am_alloc0(sizeof(Preprocessor));
	uint8		one_hot = ml_get_u8(r);

	if (one_hot > 1)
		return NULL;
	pp->one_hot = one_hot == 1;
	/* a feature takes at least 4 + 4 + 1 + 8 bytes */
	pp->nfeatures = (int) ml_get_count(r, 17, PP_MAX_FEATURES);
	if (!ml_reader_ok(r) || pp->nfeatures == 0)
		return NULL;
	pp->features = am_alloc0(sizeof(FeatureSpec) * pp->nfeatures);
	for (int f = 0; f < pp->nfeatures; f++)
	{
		FeatureSpec *fs = &pp->features[f];
		uint8		kind;

		fs->name = read_label(r);
		fs->type_name = read_label(r);
		kind = ml_get_u8(r);
		fs->impute = ml_get_f64(r);
		if (!ml_reader_ok(r) || kind > FEAT_KIND_MAX || !isfinite(fs->impute))
			return NULL;
		fs->kind = (FeatureKind) kind;
		if (fs->kind == FEAT_CATEGORICAL)
		{
			fs->ncats = (int) ml_get_count(r, 4,
										   pp->one_hot ? PP_MAX_ONE_HOT : PP_MAX_ORDINAL);
			if (!ml_reader_ok(r))
				return NULL;
			fs->cats = am_alloc0(sizeof(char *) * (fs->ncats + 1));
			for (int c = 0; c < fs->ncats; c++)
				if ((fs->cats[c] = read_label(r)) == NULL)
					return NULL;
			if (fs->impute < 0 || fs->impute > fs->ncats || fs->impute != floor(fs->impute))
				return NULL;
			build_cat_order(fs);
		}
		else if (fs->kind == FEAT_BOOLEAN && fs->impute != 0 && fs->impute != 1)
			return NULL;
	}
	pp->p = layout(pp);
	if (pp->one_hot)
	{
		if ((uint64) pp->p * 16 > r->len - r->pos)
		{
			ml_reader_fail(r);
			return NULL;
		}
		pp->center = am_alloc(sizeof(double) * pp->p);
		pp->scale = am_alloc(sizeof(double) * pp->p);
		ml_get_f64s(r, pp->center, pp->p);
		ml_get_f64s(r, pp->scale, pp->p);
		for (int j = 0; j < pp->p; j++)
			if (!isfinite(pp->center[j]) || !isfinite(pp->scale[j]) || pp->scale[j] <= 0)
				return NULL;
	}
	return ml_reader_ok(r) ? pp : NULL;
}

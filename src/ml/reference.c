/*-------------------------------------------------------------------------
 *
 * reference.c
 *	  Reference distributions of the training features, and the PSI and
 *	  Kolmogorov-Smirnov comparisons of new data against them.
 *
 * Built at training time on an evenly spaced sample of at most REF_SAMPLE
 * training rows (the quantiles of a larger sample would not change the
 * verdicts, and sorting every row of a wide table would cost as much as
 * fitting a linear model).  Plain C over arrays.
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>

#include "ml.h"
#include "reference.h"

#define REF_SAMPLE		20000
#define REF_MIN_SHARE	1e-4
/* distinct quantiles below which a feature counts as discrete (no KS) */
#define REF_KS_MIN_DISTINCT 20

/* Bin of a value: the number of inner edges below it. */
int
reference_bin(const FeatureReference *fr, const FeatureSpec *fs, double v)
{
	int			lo = 0,
				hi = fr->nbins - 1;

	if (fs->kind == FEAT_CATEGORICAL)
	{
		int			c = (int) v;

		return (c >= 0 && c < fr->nbins) ? c : fr->nbins - 1;
	}
	/* first bin whose upper edge is >= v */
	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (v <= fr->edges[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Value at quantile q of sorted v[0..n) (linear interpolation). */
static double
sorted_quantile(const double *v, int64 n, double q)
{
	double		pos = q * (n - 1);
	int64		i = (int64) floor(pos);
	double		frac = pos - i;

	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + frac * (v[i + 1] - v[i]);
}

static void
feature_reference(FeatureReference *fr, const FeatureSpec *fs, const double *col,
				  const int64 *idx, int64 n, double *tmp)
{
	int64		step = n > REF_SAMPLE ? n / REF_SAMPLE : 1;
	int64		m = 0,
				total = 0;

	for (int64 i = 0; i < n; i += step, total++)
		if (!isnan(col[idx[i]]))
			tmp[m++] = col[idx[i]];
	fr->n = total;
	fr->missing = total > 0 ? (double) (total - m) / total : 0;
	if (fs->kind == FEAT_CATEGORICAL)
	{
		fr->nbins = fs->ncats + 1;
		fr->edges = NULL;
		fr->quantiles = NULL;
	}
	else
	{
		int			ne = 0;

		qsort(tmp, m, sizeof(double), ml_cmp_double);
		fr->quantiles = am_alloc(sizeof(double) * REF_QUANTILES);
		for (int q = 0; q < REF_QUANTILES; q++)
			fr->quantiles[q] = m > 0 ? sorted_quantile(tmp, m, q / (double) (REF_QUANTILES - 1)) : 0;
		fr->edges = am_alloc(sizeof(double) * REF_BINS);
		for (int b = 1; b < REF_BINS; b++)
		{
			double		e = fr->quantiles[b * (REF_QUANTILES - 1) / REF_BINS];

			if (m > 0 && (ne == 0 || e > fr->edges[ne - 1]) && e < fr->quantiles[REF_QUANTILES - 1])
				fr->edges[ne++] = e;
		}
		fr->nbins = ne + 1;
	}
	fr->share = am_alloc0(sizeof(double) * fr->nbins);
	for (int64 i = 0; i < m; i++)
		fr->share[reference_bin(fr, fs, tmp[i])] += 1.0;
	for (int b = 0; b < fr->nbins; b++)
		fr->share[b] = m > 0 ? fr->share[b] / m : 0;
}

Reference *
reference_build(const Preprocessor *pp, double *const *raw, const int64 *idx, int64 n)
{
	Reference  *ref = am_alloc0(sizeof(Reference));
	double	   *tmp = am_alloc(sizeof(double) * (n < 2 * REF_SAMPLE ? n + 1 : 2 * REF_SAMPLE + 1));

	ref->nfeatures = pp->nfeatures;
	ref->features = am_alloc0(sizeof(FeatureReference) * pp->nfeatures);
	for (int f = 0; f < pp->nfeatures; f++)
	{
		ML_CHECK_INTERRUPTS();
		feature_reference(&ref->features[f], &pp->features[f], raw[f], idx, n, tmp);
	}
	am_free(tmp);
	return ref;
}

void
reference_write(MlWriter *w, const Reference *ref)
{
	ml_put_u32(w, (uint32) ref->nfeatures);
	for (int f = 0; f < ref->nfeatures; f++)
	{
		const FeatureReference *fr = &ref->features[f];

		ml_put_i64(w, fr->n);
		ml_put_f64(w, fr->missing);
		ml_put_u32(w, (uint32) fr->nbins);
		ml_put_u8(w, fr->quantiles != NULL);
		if (fr->quantiles)
		{
			ml_put_f64s(w, fr->edges, fr->nbins - 1);
			ml_put_f64s(w, fr->quantiles, REF_QUANTILES);
		}
		ml_put_f64s(w, fr->share, fr->nbins);
	}
}

static bool
share_ok(double v)
{
	return v >= 0 && v <= 1;
}

Reference *
reference_read(MlReader *r, const Preprocessor *pp)
{
	Reference  *ref = am_alloc0(sizeof(Reference));

	ref->nfeatures = (int) ml_get_u32(r);
	if (!ml_reader_ok(r) || ref->nfeatures != pp->nfeatures)
		return NULL;
	ref->features = am_alloc0(sizeof(FeatureReference) * ref->nfeatures);
	for (int f = 0; f < ref->nfeatures; f++)
	{
		FeatureReference *fr = &ref->features[f];
		const FeatureSpec *fs = &pp->features[f];
		uint8		numeric;

		fr->n = ml_get_i64(r);
		fr->missing = ml_get_f64(r);
		fr->nbins = (int) ml_get_count(r, 8, fs->kind == FEAT_CATEGORICAL ? fs->ncats + 1 : REF_BINS);
		numeric = ml_get_u8(r);
		if (!ml_reader_ok(r) || fr->n < 0 || !share_ok(fr->missing) || fr->nbins < 1 ||
			numeric != (fs->kind != FEAT_CATEGORICAL) ||
			(fs->kind == FEAT_CATEGORICAL && fr->nbins != fs->ncats + 1))
			return NULL;
		if (numeric)
		{
			fr->edges = am_alloc(sizeof(double) * fr->nbins);
			fr->quantiles = am_alloc(sizeof(double) * REF_QUANTILES);
			ml_get_f64s(r, fr->edges, fr->nbins - 1);
			ml_get_f64s(r, fr->quantiles, REF_QUANTILES);
			for (int b = 0; b < fr->nbins - 1; b++)
				if (!isfinite(fr->edges[b]) || (b > 0 && !(fr->edges[b] > fr->edges[b - 1])))
					return NULL;
			for (int q = 0; q < REF_QUANTILES; q++)
				if (!isfinite(fr->quantiles[q]) || (q > 0 && fr->quantiles[q] < fr->quantiles[q - 1]))
					return NULL;
		}
		fr->share = am_alloc(sizeof(double) * fr->nbins);
		ml_get_f64s(r, fr->share, fr->nbins);
		for (int b = 0; b < fr->nbins; b++)
			if (!share_ok(fr->share[b]))
				return NULL;
	}
	return ml_reader_ok(r) ? ref : NULL;
}

static double
psi_term(double actual, double expected)
{
	actual = actual > REF_MIN_SHARE ? actual : REF_MIN_SHARE;
	expected = expected > REF_MIN_SHARE ? expected : REF_MIN_SHARE;
	return (actual - expected) * log(actual / expected);
}

double
reference_psi(const FeatureReference *fr, const int64 *counts, int64 missing, int64 n)
{
	double		psi = 0;

	if (n <= 0)
		return NAN;
	for (int b = 0; b < fr->nbins; b++)
		psi += psi_term((double) counts[b] / n, fr->share[b] * (1 - fr->missing));
	psi += psi_term((double) missing / n, fr->missing);
	return psi;
}

/*
 * The reference CDF at x, linear between the stored quantiles; a run of
 * equal quantiles is a jump, whose top (left = false) or bottom (left =
 * true, the limit from below) is returned.
 */
static double
reference_cdf(const FeatureReference *fr, double x, bool left)
{
	const double *q = fr->quantiles;
	int			below = 0,		/* quantiles < x */
				upto = 0;		/* quantiles <= x */
	double		denom = REF_QUANTILES - 1;

	while (below < REF_QUANTILES && q[below] < x)
		below++;
	upto = below;
	while (upto < REF_QUANTILES && q[upto] <= x)
		upto++;
	/* x is a quantile: the points (q[k], k / denom) at x span the jump */
	if (upto > below)
		return left ? below / denom : (upto - 1) / denom;
	if (below == 0)
		return 0;
	if (below == REF_QUANTILES)
		return 1;
	/* strictly between q[below - 1] and q[below] */
	return (below - 1 + (x - q[below - 1]) / (q[below] - q[below - 1])) / denom;
}

/* Kolmogorov's limiting distribution: P(K > lambda). */
static double
kolmogorov_tail(double lambda)
{
	double		sum = 0;

	if (lambda < 0.2)
		return 1.0;
	for (int k = 1; k <= 100; k++)
	{
		double		term = exp(-2.0 * k * k * lambda * lambda);

		sum += (k % 2 == 1 ? 2.0 : -2.0) * term;
		if (term < 1e-12)
			break;
	}
	return sum < 0 ? 0 : (sum > 1 ? 1 : sum);
}

double
reference_ks(const FeatureReference *fr, const double *v, int64 m, double *pvalue)
{
	double		d = 0;
	double		ne,
				sq;
	int			distinct = 1;
	int64		j = 0;

	*pvalue = NAN;
	if (fr->quantiles == NULL || m == 0 || fr->n == 0)
		return NAN;
	/* KS assumes a continuous distribution: discrete features get PSI only */
	for (int q = 1; q < REF_QUANTILES; q++)
		distinct += fr->quantiles[q] != fr->quantiles[q - 1];
	if (distinct < REF_KS_MIN_DISTINCT)
		return NAN;
	/* at each distinct new value, the two CDFs from the left and at it ... */
	for (int64 i = 0; i < m;)
	{
		int64		end = i;

		while (end < m && v[end] == v[i])
			end++;
		d = fmax(d, fabs((double) i / m - reference_cdf(fr, v[i], true)));
		d = fmax(d, fabs((double) end / m - reference_cdf(fr, v[i], false)));
		i = end;
	}
	/* ... and at each reference quantile, where the reference bends */
	for (int q = 0; q < REF_QUANTILES; q++)
	{
		while (j < m && v[j] <= fr->quantiles[q])
			j++;
		d = fmax(d, fabs((double) j / m - reference_cdf(fr, fr->quantiles[q], false)));
	}
	ne = (double) fr->n * (1 - fr->missing) * m / ((double) fr->n * (1 - fr->missing) + m);
	sq = sqrt(ne > 1 ? ne : 1);
	/* Stephens' small-sample correction of the asymptotic tail */
	*pvalue = kolmogorov_tail((sq + 0.12 + 0.11 / sq) * d);
	return d;
}

/*-------------------------------------------------------------------------
 *
 * trend.c
 *	  Trend tests, correlations and the comparison of a measure across
 *	  segments, with the distributions their p-values need.
 *
 * Distributions.  The normal cdf is erfc-based (no 1 - Phi cancellation in
 * the tails); its quantile is Wichura's AS 241.  The t and F tails are the
 * regularised incomplete beta I_x(a, b), computed by the continued fraction
 * of Numerical Recipes (modified Lentz) on the side of the mean where it
 * converges, the other side being 1 - I.  The factor x^a (1-x)^b / B(a, b)
 * in front of it is where precision is usually lost: lgamma(a + b) -
 * lgamma(a) - lgamma(b) cancels to ~1e-10 once a or b reaches 1e6.  So
 * when a parameter is large the Stirling series is written out and the big
 * terms cancelled algebraically (a log(x / x0) + b log((1-x) / (1-x0)) with
 * x0 = a / (a + b), each through log1p), and the caller passes both x and
 * 1 - x, each computed where it is accurate (t^2 / (df + t^2), not 1 -
 * df / (df + t^2)).  scipy agrees to 1e-13 on the unit tests' grid.
 *
 * Theil-Sen.  The slope is the median of the N pairwise slopes between
 * points with distinct x, as scipy.stats.theilslopes (which also gives the
 * intercept median(y) - slope median(x) and Sen's confidence interval:
 * order statistics of the slopes at ranks (N -+ z sigma) / 2).  Up to
 * TS_THEIL_SEN_DIRECT_MAX points the slopes are listed and sorted.  Above,
 * the k-th smallest slope is found without listing them, exactly:
 *
 *	- With points in increasing (x, y) order, the pairs i < j whose slope
 *	  is below t are the inversions of the order by y - t x.  A merge sort
 *	  counts them in O(n log n) (ties in x never count: within equal x the
 *	  order by y - t x is the order by y, whatever t).
 *	- The search starts from the quantiles, 2.5 binomial standard errors
 *	  either side of k / N, of 8n pairs drawn with a fixed seed (checked by
 *	  two counts; the whole range if they miss), then bisects t over the
 *	  doubles' bit patterns (at most 64 steps, ~3 in practice) until at
 *	  most 4n + 1024 slopes lie in [lo, hi).
 *	- Those slopes are listed in O(n + K) by insertion-sorting the order at
 *	  lo into the order at hi (every swap is one pair whose slope lies in
 *	  [lo, hi)), sorted, and the right one picked.
 *
 * The merges compare the keys y - t x, and where two keys are within their
 * rounding of each other take the sign of (y_i - y_j) - t (x_i - x_j),
 * wrong only for a slope within an ulp or so of t: the result is exact up
 * to that (1e-15 relative; equal to brute force in the unit tests, with
 * massive ties and epoch-second x).  Sorting is by radix on the doubles'
 * bits.  5,000 points with the interval (4 selections): ~12 ms; 20,000:
 * ~65 ms.  The direct method at its limit (256 points): under 1 ms.
 *
 * Mann-Kendall.  S = sum over i < j of sign(y_j - y_i) = N - T - 2 D with
 * T the tied pairs and D the inversions (merge sort again, O(n log n)).
 * Var(S) has the tie correction, Z the continuity correction and the
 * p-value is two-sided, as pymannkendall.original_test.
 *
 * Correlation.  Pearson with the corrected two-pass sums (Chan, Golub and
 * LeVeque); Spearman is Pearson of the average ranks.  Their p-values use
 * the t distribution with n - 2 df, as scipy: P = I_{1-r^2}((n-2)/2, 1/2).
 *
 * Segments.  Welford's update per segment gives counts, means and squared
 * deviations in one pass; the between-segment sum of squares is taken from
 * the segment means, so nothing subtracts large sums of squares.
 *
 *-------------------------------------------------------------------------
 */
#include "timeseries.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ml/ml.h"

#define LOG_SQRT_2PI	0.91893853320467274178	/* log(sqrt(2 pi)) */

/* the continued fraction stops when a step changes it by less than this */
#define INCBETA_EPS		1e-15

/* ---------- distributions ---------- */

double
ts_normal_cdf(double z)
{
	return 0.5 * erfc(-z / M_SQRT2);
}

/* Wichura's AS 241 (PPND16), as R's qnorm. */
double
ts_normal_quantile(double p)
{
	double		q,
				r,
				val;

	if (isnan(p) || p < 0.0 || p > 1.0)
		return NAN;
	if (p == 0.0)
		return -INFINITY;
	if (p == 1.0)
		return INFINITY;
	q = p - 0.5;
	if (fabs(q) <= 0.425)
	{
		r = 0.180625 - q * q;
		return q * (((((((r * 2509.0809287301226727 +
						  33430.575583588128105) * r + 67265.770927008700853) * r +
						45921.953931549871457) * r + 13731.693765509461125) * r +
					  1971.5909503065514427) * r + 133.14166789178437745) * r +
					3.387132872796366608)
			/ (((((((r * 5226.495278852545925 +
					 28729.085735721942674) * r + 39307.89580009271061) * r +
				   21213.794301586595867) * r + 5394.1960214247511077) * r +
				 687.1870074920579083) * r + 42.313330701600911252) * r + 1.0);
	}
	r = sqrt(-log(q < 0.0 ? p : 1.0 - p));
	if (r <= 5.0)
	{
		r -= 1.6;
		val = (((((((r * 7.7454501427834140764e-4 +
					 .0227238449892691845833) * r + .24178072517745061177) *
				   r + 1.27045825245236838258) * r +
				  3.64784832476320460504) * r + 5.7694972214606914055) *
				r + 4.6303378461565452959) * r +
			   1.42343711074968357734)
			/ (((((((r *
					 1.05075007164441684324e-9 + 5.475938084995344946e-4) *
					r + .0151986665636164571966) * r +
				   .14810397642748007459) * r + .68976733498510000455) *
				 r + 1.6763848301838038494) * r +
				2.05319162663775882187) * r + 1.0);
	}
	else
	{
		r -= 5.0;
		val = (((((((r * 2.01033439929228813265e-7 +
					 2.71155556874348757815e-5) * r +
					.0012426609473880784386) * r + .026532189526576123093) *
				  r + .29656057182850489123) * r +
				 1.7848265399172913358) * r + 5.4637849111641143699) *
			   r + 6.6579046435011037772)
			/ (((((((r *
					 2.04426310338993978564e-15 + 1.4215117583164458887e-7) *
					r + 1.8463183175100546818e-5) * r +
				   7.868691311456132591e-4) * r + .0148753612908506148525)
				 * r + .13692988092273580531) * r +
				.59983220655588793769) * r + 1.0);
	}
	return q < 0.0 ? -val : val;
}

/* Stirling remainder lgamma(z) - ((z - 1/2) log z - z + log sqrt(2 pi)). */
static double
stirling_delta(double z)
{
	double		z2;

	if (z < 10.0)
		return lgamma(z) - ((z - 0.5) * log(z) - z + LOG_SQRT_2PI);
	z2 = 1.0 / (z * z);
	return (1.0 / 12 - z2 * (1.0 / 360 - z2 * (1.0 / 1260 - z2 *
											   (1.0 / 1680 - z2 / 1188)))) / z;
}

/* log(x / x0) where d = x - x0 (small d: through log1p). */
static double
log_ratio(double x, double x0, double d)
{
	if (fabs(d) < 0.5 * x0)
		return log1p(d / x0);
	return log(x) - log(x0);
}

/*
 * log(x^a y^b / B(a, b)) with y = 1 - x, both given accurately.  See the
 * file header for why the large-parameter cases are written out.
 */
static double
incbeta_log_front(double x, double y, double a, double b)
{
	double		lx = x <= 0.5 ? log(x) : log1p(-y);
	double		ly = y <= 0.5 ? log(y) : log1p(-x);
	double		s = a + b;

	if (a >= 10.0 && b >= 10.0)
	{
		double		x0 = a / s;
		double		y0 = b / s;

		return a * log_ratio(x, x0, x <= 0.5 ? x - x0 : y0 - y)
			+ b * log_ratio(y, y0, y <= 0.5 ? y - y0 : x0 - x)
			+ 0.5 * log(a * (b / s)) - LOG_SQRT_2PI
			- stirling_delta(a) - stirling_delta(b) + stirling_delta(s);
	}
	if (a >= 10.0 || b >= 10.0)
	{
		double		big = a >= 10.0 ? a : b;
		double		small = a >= 10.0 ? b : a;
		/* lgamma(big) - lgamma(big + small), by Stirling */
		double		diff = -small * log(big) - (s - 0.5) * log1p(small / big)
			+ small + stirling_delta(big) - stirling_delta(s);

		return a * lx + b * ly - (lgamma(small) + diff);
	}
	return a * lx + b * ly - (lgamma(a) + lgamma(b) - lgamma(s));
}

/* Continued fraction of I_x(a, b) (Numerical Recipes' betacf). */
static double
incbeta_cf(double x, double a, double b)
{
	const double tiny = 1e-300;
	double		qab = a + b;
	double		qap = a + 1.0;
	double		qam = a - 1.0;
	double		c = 1.0;
	double		d = 1.0 - qab * x / qap;
	double		h;
	int			maxit = 1000 + (int) (20.0 * sqrt(a + b));

	if (fabs(d) < tiny)
		d = tiny;
	d = 1.0 / d;
	h = d;
	for (int m = 1; m <= maxit; m++)
	{
		double		m2 = 2.0 * m;
		double		aa = m * (b - m) * x / ((qam + m2) * (a + m2));
		double		del;

		d = 1.0 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1.0 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		h *= d * c;
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		d = 1.0 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1.0 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1.0) < INCBETA_EPS)
			break;
	}
	return h;
}

/*
 * I_x(a, b) into *lower and 1 - I_x(a, b) into *upper, given x and
 * y = 1 - x; the one computed directly is accurate to full relative
 * precision, the other is 1 minus it.
 */
static void
incbeta_both(double x, double y, double a, double b, double *lower,
			 double *upper)
{
	double		w;

	if (x <= 0.0)
	{
		*lower = 0.0;
		*upper = 1.0;
		return;
	}
	if (y <= 0.0)
	{
		*lower = 1.0;
		*upper = 0.0;
		return;
	}
	if (x < (a + 1.0) / (a + b + 2.0))
	{
		w = exp(incbeta_log_front(x, y, a, b)) * incbeta_cf(x, a, b) / a;
		w = fmin(fmax(w, 0.0), 1.0);
		*lower = w;
		*upper = 1.0 - w;
	}
	else
	{
		w = exp(incbeta_log_front(y, x, b, a)) * incbeta_cf(y, b, a) / b;
		w = fmin(fmax(w, 0.0), 1.0);
		*upper = w;
		*lower = 1.0 - w;
	}
}

double
ts_incbeta(double x, double a, double b)
{
	double		lower,
				upper;

	if (isnan(x) || isnan(a) || isnan(b) || a <= 0.0 || b <= 0.0 ||
		x < 0.0 || x > 1.0)
		return NAN;
	incbeta_both(x, 1.0 - x, a, b, &lower, &upper);
	return lower;
}

/* P(|T| >= |t|) for t with df degrees of freedom. */
double
ts_t_pvalue(double t, double df)
{
	double		t2,
				x,
				y,
				lower,
				upper;

	if (isnan(t) || isnan(df) || df <= 0.0)
		return NAN;
	t = fabs(t);
	if (isinf(t))
		return 0.0;
	if (t > 1e150)
	{
		/* t^2 would overflow; df / t^2 is tiny but not zero */
		x = (df / t) / t;
		y = 1.0;
	}
	else
	{
		t2 = t * t;
		x = df / (df + t2);
		y = t2 / (df + t2);
	}
	incbeta_both(x, y, 0.5 * df, 0.5, &lower, &upper);
	return lower;
}

double
ts_t_cdf(double t, double df)
{
	double		tail = 0.5 * ts_t_pvalue(t, df);

	if (isnan(tail))
		return NAN;
	return t < 0.0 ? tail : 1.0 - tail;
}

double
ts_f_sf(double f, double df1, double df2)
{
	double		x,
				y,
				lower,
				upper;

	if (isnan(f) || isnan(df1) || isnan(df2) || df1 <= 0.0 || df2 <= 0.0)
		return NAN;
	if (f <= 0.0)
		return 1.0;
	if (isinf(f))
		return 0.0;
	x = df2 / (df2 + df1 * f);
	y = df1 * f / (df2 + df1 * f);
	if (isnan(y))				/* df1 * f overflowed */
	{
		x = (df2 / df1) / f;
		y = 1.0;
	}
	incbeta_both(x, y, 0.5 * df2, 0.5 * df1, &lower, &upper);
	return lower;
}

/* ---------- shared helpers ---------- */

/* false (with a message) unless all n values are finite */
static bool
check_finite(const double *v, int64 n, const char *what, char *errbuf)
{
	for (int64 i = 0; i < n; i++)
	{
		if (!isfinite(v[i]))
		{
			snprintf(errbuf, TS_ERRBUF_SIZE,
					 "%s contains a NaN or infinite value at position %lld",
					 what, (long long) i + 1);
			return false;
		}
	}
	return true;
}

/* doubles mapped to integers in the same order, and back */
static int64
dbl_ord(double d)
{
	int64		i;

	memcpy(&i, &d, sizeof(i));
	return i >= 0 ? i : INT64_MIN - i;
}

static double
ord_dbl(int64 o)
{
	double		d;

	if (o < 0)
		o = INT64_MIN - o;
	memcpy(&d, &o, sizeof(d));
	return d;
}

/*
 * Sort v[0..n-1] ascending: insertion sort when short, else an LSD radix
 * sort of the order-preserving integer images, 8 bits a pass (O(n), no
 * comparator calls: qsort spent most of Theil-Sen's time in them).
 */
static void
sort_doubles(double *v, int64 n)
{
	uint64	   *a,
			   *b;

	if (n < 64)
	{
		for (int64 i = 1; i < n; i++)
		{
			double		t = v[i];
			int64		j = i - 1;

			while (j >= 0 && v[j] > t)
			{
				v[j + 1] = v[j];
				j--;
			}
			v[j + 1] = t;
		}
		return;
	}
	a = am_alloc(sizeof(uint64) * n);
	b = am_alloc(sizeof(uint64) * n);
	for (int64 i = 0; i < n; i++)
		a[i] = (uint64) dbl_ord(v[i]) ^ UINT64_C(0x8000000000000000);
	for (int shift = 0; shift < 64; shift += 8)
	{
		int64		count[257] = {0};
		uint64	   *t;

		for (int64 i = 0; i < n; i++)
			count[((a[i] >> shift) & 0xFF) + 1]++;
		if (count[((a[0] >> shift) & 0xFF) + 1] == n)
			continue;			/* all share this digit */
		for (int d = 0; d < 256; d++)
			count[d + 1] += count[d];
		for (int64 i = 0; i < n; i++)
			b[count[(a[i] >> shift) & 0xFF]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	for (int64 i = 0; i < n; i++)
		v[i] = ord_dbl((int64) (a[i] ^ UINT64_C(0x8000000000000000)));
	am_free(a);
	am_free(b);
}

/* Median of v[0..n-1] (n >= 1); v is reordered. */
static double
median_inplace(double *v, int64 n)
{
	sort_doubles(v, n);
	return (n & 1) ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/*
 * Sum over groups of equal values of t (t - 1) (2t + 5), the tie term of
 * the Kendall variance; sorted is in increasing order.
 */
static double
tie_term_kendall(const double *sorted, int64 n)
{
	double		sum = 0.0;
	int64		i = 0;

	while (i < n)
	{
		int64		j = i + 1;
		double		t;

		while (j < n && sorted[j] == sorted[i])
			j++;
		t = (double) (j - i);
		sum += t * (t - 1.0) * (2.0 * t + 5.0);
		i = j;
	}
	return sum;
}

/* Number of pairs with equal values, sorted in increasing order. */
static double
tied_pairs(const double *sorted, int64 n)
{
	double		sum = 0.0;
	int64		i = 0;

	while (i < n)
	{
		int64		j = i + 1;

		while (j < n && sorted[j] == sorted[i])
			j++;
		sum += 0.5 * (double) (j - i) * (double) (j - i - 1);
		i = j;
	}
	return sum;
}

/* ---------- Theil-Sen ---------- */

/*
 * The points in increasing (x, y) order; position in this order is the
 * final tie-break of every ordering below, so that pairs with equal x
 * never count as inverted.
 */
typedef struct KeyIdx
{
	double		key;			/* y - t x */
	int			idx;			/* position */
} KeyIdx;

typedef struct SlopeCtx
{
	int			n;
	const double *x;
	const double *y;
	double		max_abs_x;
	double		max_abs_y;
	int		   *perm;
	KeyIdx	   *ka;				/* merge sort buffers */
	KeyIdx	   *kb;
	double	   *cand;			/* slopes listed in [lo, hi) */
	int64		cand_cap;
	double	   *sample;			/* sorted slopes of sampled pairs */
	int64		nsample;
} SlopeCtx;

typedef struct XYPos
{
	double		x;
	double		y;
	int64		pos;
} XYPos;

static int
cmp_xy(const void *a, const void *b)
{
	const XYPos *p = a;
	const XYPos *q = b;

	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	if (p->y != q->y)
		return p->y < q->y ? -1 : 1;
	return p->pos < q->pos ? -1 : (p->pos > q->pos ? 1 : 0);
}

/*
 * u before v in the order by y - t x, ties by position.  The difference is
 * taken as (y_u - y_v) - t (x_u - x_v), not as a difference of the two
 * rounded keys: its sign is then wrong only for a slope within an ulp or
 * so of t, whereas keys near 1e6 would lose every slope below ~1e-10.
 */
static inline bool
before_at(const SlopeCtx *c, double t, int u, int v)
{
	double		d = (c->y[u] - c->y[v]) - t * (c->x[u] - c->x[v]);

	return d < 0.0 || (d == 0.0 && u < v);
}

/* Number of pairs i < j (positions) with slope below t; leaves perm sorted */
static int64
count_below(SlopeCtx *c, double t)
{
	int			n = c->n;
	KeyIdx	   *a = c->ka;
	KeyIdx	   *b = c->kb;
	int64		inv = 0;

	/*
	 * Two keys y - t x further apart than bound (four ulps of the largest
	 * |y| + |t x|, more than both keys' rounding) are in a certain order;
	 * closer ones are decided by before_at, the keys being too rough.
	 */
	double		bound = 4.0 * DBL_EPSILON * (c->max_abs_y + fabs(t) * c->max_abs_x);

	ML_CHECK_INTERRUPTS();
	for (int i = 0; i < n; i++)
	{
		a[i].key = c->y[i] - t * c->x[i];
		a[i].idx = i;
	}
	/* bottom-up merge sort counting inversions */
	for (int width = 1; width < n; width *= 2)
	{
		for (int lo = 0; lo < n; lo += 2 * width)
		{
			int			mid = lo + width < n ? lo + width : n;
			int			hi = lo + 2 * width < n ? lo + 2 * width : n;
			int			i = lo,
						j = mid,
						k = lo;

			while (i < mid && j < hi)
			{
				/* branch-free: which side moves is unpredictable */
				double		d = a[j].key - a[i].key;
				int			right = d < -bound;

				if (fabs(d) <= bound)	/* rare: too close for the keys */
					right = before_at(c, t, a[j].idx, a[i].idx);
				b[k++] = right ? a[j] : a[i];
				inv += right ? mid - i : 0;
				j += right;
				i += 1 - right;
			}
			while (i < mid)
				b[k++] = a[i++];
			while (j < hi)
				b[k++] = a[j++];
		}
		{
			KeyIdx	   *s = a;

			a = b;
			b = s;
		}
	}
	for (int i = 0; i < n; i++)
		c->perm[i] = a[i].idx;
	return inv;
}

/*
 * List into c->cand the slopes of the pairs whose order differs between
 * t = lo and t = hi (slopes in [lo, hi)); at most cand_cap are kept.
 */
static int64
list_between(SlopeCtx *c, double lo, double hi)
{
	int			n = c->n;
	int		   *p = c->perm;
	int64		k = 0;

	count_below(c, lo);			/* perm: order at lo */
	for (int i = 1; i < n; i++)
	{
		int			v = p[i];
		int			j = i - 1;

		if ((i & 1023) == 0)
			ML_CHECK_INTERRUPTS();
		while (j >= 0 && before_at(c, hi, v, p[j]))
		{
			int			u = p[j];

			if (c->x[u] != c->x[v] && k < c->cand_cap)
				c->cand[k++] = (c->y[u] - c->y[v]) / (c->x[u] - c->x[v]);
			p[j + 1] = u;
			j--;
		}
		p[j + 1] = v;
	}
	return k;
}

/* splitmix64 step: the deterministic pair sampler */
static uint64
splitmix_next(uint64 *state)
{
	uint64		z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/*
 * Slopes of TS_THEIL_SEN_SAMPLE_PER_POINT * n pairs drawn with a fixed
 * seed, sorted: their quantiles bracket those of all the slopes.
 */
static void
sample_slopes(SlopeCtx *c)
{
	int64		want = TS_THEIL_SEN_SAMPLE_PER_POINT * (int64) c->n;
	uint64		state = UINT64_C(20240611);
	int64		k = 0;

	c->sample = am_alloc(sizeof(double) * want);
	for (int64 tries = 0; k < want && tries < 4 * want; tries++)
	{
		uint64		r = splitmix_next(&state);
		int			i = (int) ((r & 0xFFFFFFFF) % (uint64) c->n);
		int			j = (int) ((r >> 32) % (uint64) c->n);

		if (c->x[i] != c->x[j])
			c->sample[k++] = (c->y[j] - c->y[i]) / (c->x[j] - c->x[i]);
	}
	sort_doubles(c->sample, k);
	c->nsample = k;
}

/*
 * Starting interval for the k-th slope: the sample quantiles 2.5 binomial
 * standard errors either side of k / npairs (NaN side: no sample bound).
 */
static void
sample_bracket(const SlopeCtx *c, int64 k, int64 npairs, double *lo, double *hi)
{
	int64		s = c->nsample;
	double		q = ((double) k - 0.5) / (double) npairs;
	double		half = 2.5 * sqrt(q * (1.0 - q) / (double) s) + 2.0 / (double) s;
	double		ql = floor((q - half) * s);
	double		qh = ceil((q + half) * s);

	*lo = NAN;
	*hi = NAN;
	if (s < 100)
		return;
	if (ql >= 0.0)
		*lo = c->sample[(int64) ql];
	if (qh < (double) s)
		*hi = c->sample[(int64) qh];
}

/*
 * The k-th and (k+1)-th smallest pairwise slopes (k 1-based; the second
 * only when second is not NULL and k < npairs), searched in [min_slope,
 * max_slope], or first in the sample's bracket when use_sample.
 */
static void
select_slopes(SlopeCtx *c, int64 k, int64 npairs, double min_slope,
			  double max_slope, bool use_sample, double *first,
			  double *second)
{
	double		lo = min_slope;
	double		hi = nextafter(max_slope, INFINITY);
	int64		c_lo = -1;
	int64		c_hi = -1;
	int64		budget = c->cand_cap - 64;
	int64		need = second ? k + 1 : k;

	if (use_sample)
	{
		double		slo,
					shi;

		sample_bracket(c, k, npairs, &slo, &shi);
		if (!isnan(slo) && slo > lo)
		{
			int64		cnt = count_below(c, slo);

			if (cnt < k)
			{
				lo = slo;
				c_lo = cnt;
			}
		}
		if (!isnan(shi) && shi < hi)
		{
			/* just above the sampled slope, so that it is inside */
			double		h = nextafter(shi, INFINITY);
			int64		cnt = count_below(c, h);

			if (cnt >= need)
			{
				hi = h;
				c_hi = cnt;
			}
		}
	}
	if (c_lo < 0)
		c_lo = count_below(c, lo);
	if (c_hi < 0)
		c_hi = count_below(c, hi);

	/* rounding may shift the extreme slopes by an ulp: widen if it did */
	for (int w = 0; w < 4 && c_lo >= k; w++)
	{
		lo = lo - fabs(lo) - 1.0;
		c_lo = count_below(c, lo);
	}
	for (int w = 0; w < 4 && c_hi < need; w++)
	{
		hi = hi + fabs(hi) + 1.0;
		c_hi = count_below(c, hi);
	}
	for (;;)
	{
		int64		lo_o = dbl_ord(lo);
		int64		hi_o = dbl_ord(hi);
		int64		mid_o = (lo_o & hi_o) + ((lo_o ^ hi_o) >> 1);
		double		mid = ord_dbl(mid_o);
		int64		cm;

		if (c_hi - c_lo <= budget)
		{
			int64		nc = list_between(c, lo, hi);
			int64		r = k - c_lo;	/* 1-based rank within [lo, hi) */

			if (nc == 0)
				break;
			sort_doubles(c->cand, nc);
			r = r < 1 ? 1 : (r > nc ? nc : r);
			*first = c->cand[r - 1];
			if (second)
				*second = r < nc ? c->cand[r] : *first;
			return;
		}
		if (mid_o == lo_o || mid_o == hi_o || isnan(mid))
			break;
		cm = count_below(c, mid);
		/* keep k inside [lo, hi); the (k+1)-th too while possible */
		if (cm < k)
		{
			lo = mid;
			c_lo = cm;
		}
		else if (cm >= need || !second)
		{
			hi = mid;
			c_hi = cm;
		}
		else
		{
			/* k-th below mid, (k+1)-th at or above: select them apart */
			select_slopes(c, k, npairs, lo, nextafter(mid, -INFINITY), false, first, NULL);
			select_slopes(c, k + 1, npairs, mid, nextafter(hi, -INFINITY), false, second, NULL);
			return;
		}
	}
	/* [lo, hi) holds only one double (massive ties): that is the slope */
	*first = lo;
	if (second)
		*second = lo;
}

/* Slopes of all pairs with distinct x, sorted (the direct method). */
static double *
all_slopes(const double *x, const double *y, int n, int64 npairs)
{
	double	   *s = am_alloc(sizeof(double) * (npairs > 0 ? npairs : 1));
	int64		k = 0;

	for (int i = 0; i < n; i++)
	{
		ML_CHECK_INTERRUPTS();
		for (int j = i + 1; j < n; j++)
			if (x[j] != x[i])
				s[k++] = (y[j] - y[i]) / (x[j] - x[i]);
	}
	sort_doubles(s, k);
	return s;
}

/* Extreme pairwise slopes: they join neighbouring distinct x (sorted). */
static void
slope_range(const double *x, const double *y, int n, double *min_slope,
			double *max_slope)
{
	int			g = 0;
	double		prev_min = 0,
				prev_max = 0,
				prev_x = 0;
	bool		have_prev = false;

	*min_slope = INFINITY;
	*max_slope = -INFINITY;
	while (g < n)
	{
		int			h = g;
		double		gmin = y[g],
					gmax = y[g];

		while (h < n && x[h] == x[g])
		{
			gmin = fmin(gmin, y[h]);
			gmax = fmax(gmax, y[h]);
			h++;
		}
		if (have_prev)
		{
			double		dx = x[g] - prev_x;

			*min_slope = fmin(*min_slope, (gmin - prev_max) / dx);
			*max_slope = fmax(*max_slope, (gmax - prev_min) / dx);
		}
		prev_min = gmin;
		prev_max = gmax;
		prev_x = x[g];
		have_prev = true;
		g = h;
	}
}

bool
ts_theil_sen(const double *x, const double *y, int64 n, double conf_level,
			 TsTheilSen *out, char *errbuf)
{
	XYPos	   *pts;
	double	   *xs,
			   *ys,
			   *tmp;
	double		npairs_all,
				ties_x,
				sigsq,
				medx,
				medy;
	int64		npairs,
				k;
	int			ni;
	SlopeCtx	c;
	double	   *direct = NULL;
	double		min_slope = 0.0,
				max_slope = 0.0;

	out->slope = out->intercept = out->slope_low = out->slope_high = NAN;
	out->npairs = 0;
	if (n < 2 || n > INT_MAX / 2)
	{
		snprintf(errbuf, TS_ERRBUF_SIZE,
				 "theil-sen needs between 2 and %d points, got %lld",
				 INT_MAX / 2, (long long) n);
		return false;
	}
	if ((x && !check_finite(x, n, "x", errbuf)) || !check_finite(y, n, "y", errbuf))
		return false;
	ni = (int) n;

	/* points in (x, y) order */
	pts = am_alloc(sizeof(XYPos) * ni);
	for (int i = 0; i < ni; i++)
	{
		pts[i].x = x ? x[i] : (double) i;
		pts[i].y = y[i];
		pts[i].pos = i;
	}
	qsort(pts, ni, sizeof(XYPos), cmp_xy);
	xs = am_alloc(sizeof(double) * ni);
	ys = am_alloc(sizeof(double) * ni);
	for (int i = 0; i < ni; i++)
	{
		xs[i] = pts[i].x;
		ys[i] = pts[i].y;
	}
	am_free(pts);

	npairs_all = 0.5 * (double) n * (double) (n - 1);
	ties_x = tied_pairs(xs, n);
	npairs = (int64) (npairs_all - ties_x);
	if (npairs <= 0)
	{
		snprintf(errbuf, TS_ERRBUF_SIZE, "theil-sen needs at least two distinct x values");
		am_free(xs);
		am_free(ys);
		return false;
	}
	out->npairs = npairs;

	memset(&c, 0, sizeof(c));
	if (n <= TS_THEIL_SEN_DIRECT_MAX)
		direct = all_slopes(xs, ys, ni, npairs);
	else
	{
		c.n = ni;
		c.x = xs;
		c.y = ys;
		c.perm = am_alloc(sizeof(int) * ni);
		c.ka = am_alloc(sizeof(KeyIdx) * ni);
		c.kb = am_alloc(sizeof(KeyIdx) * ni);
		for (int i = 0; i < ni; i++)
		{
			c.max_abs_x = fmax(c.max_abs_x, fabs(xs[i]));
			c.max_abs_y = fmax(c.max_abs_y, fabs(ys[i]));
		}
		/* slopes listed at the end of a search: 4 per point, 4M at most */
		c.cand_cap = (ni < (1 << 18) ? 4 * (int64) ni : (int64) 1 << 22) + 1024 + 64;
		c.cand = am_alloc(sizeof(double) * c.cand_cap);
		slope_range(xs, ys, ni, &min_slope, &max_slope);
		sample_slopes(&c);
	}

	/* the median slope */
	k = (npairs + 1) / 2;
	if (direct)
		out->slope = (npairs & 1) ? direct[k - 1] : 0.5 * (direct[k - 1] + direct[k]);
	else if (npairs & 1)
		select_slopes(&c, k, npairs, min_slope, max_slope, true, &out->slope, NULL);
	else
	{
		double		a,
					b;

		select_slopes(&c, k, npairs, min_slope, max_slope, true, &a, &b);
		out->slope = 0.5 * (a + b);
	}

	/* intercept through the medians ('separate' in scipy) */
	tmp = am_alloc(sizeof(double) * ni);
	memcpy(tmp, xs, sizeof(double) * ni);
	medx = median_inplace(tmp, n);
	memcpy(tmp, ys, sizeof(double) * ni);
	medy = median_inplace(tmp, n);
	out->intercept = medy - out->slope * medx;

	/* Sen's (1968) confidence interval: tmp holds y sorted, xs is sorted */
	sigsq = ((double) n * (n - 1) * (2.0 * n + 5.0)
			 - tie_term_kendall(xs, n) - tie_term_kendall(tmp, n)) / 18.0;
	if (conf_level > 0.0 && conf_level < 1.0 && sigsq >= 0.0)
	{
		double		alpha = conf_level > 0.5 ? 1.0 - conf_level : conf_level;
		double		z = ts_normal_quantile(alpha / 2.0);
		double		sigma = sqrt(sigsq);
		/* rint: round half to even, as numpy.round */
		int64		ru = (int64) rint((npairs - z * sigma) / 2.0);
		int64		rl = (int64) rint((npairs + z * sigma) / 2.0) - 1;

		ru = ru < npairs - 1 ? ru : npairs - 1;
		rl = rl > 0 ? rl : 0;
		if (direct)
		{
			out->slope_low = direct[rl];
			out->slope_high = direct[ru];
		}
		else
		{
			select_slopes(&c, rl + 1, npairs, min_slope, max_slope, true, &out->slope_low, NULL);
			select_slopes(&c, ru + 1, npairs, min_slope, max_slope, true, &out->slope_high, NULL);
		}
	}

	am_free(tmp);
	if (direct)
		am_free(direct);
	else
	{
		am_free(c.perm);
		am_free(c.ka);
		am_free(c.kb);
		am_free(c.cand);
		am_free(c.sample);
	}
	am_free(xs);
	am_free(ys);
	return true;
}

/* ---------- Mann-Kendall ---------- */

/* Sort v[0..n-1] in place, returning the number of strict inversions. */
static int64
sort_count_inversions(double *v, double *buf, int64 n)
{
	double	   *a = v;
	double	   *b = buf;
	int64		inv = 0;

	for (int64 width = 1; width < n; width *= 2)
	{
		ML_CHECK_INTERRUPTS();
		for (int64 lo = 0; lo < n; lo += 2 * width)
		{
			int64		mid = lo + width < n ? lo + width : n;
			int64		hi = lo + 2 * width < n ? lo + 2 * width : n;
			int64		i = lo,
						j = mid,
						k = lo;

			while (i < mid && j < hi)
			{
				if (a[j] < a[i])
				{
					inv += mid - i;
					b[k++] = a[j++];
				}
				else
					b[k++] = a[i++];
			}
			while (i < mid)
				b[k++] = a[i++];
			while (j < hi)
				b[k++] = a[j++];
		}
		{
			double	   *s = a;

			a = b;
			b = s;
		}
	}
	if (a != v)
		memcpy(v, a, sizeof(double) * n);
	return inv;
}

bool
ts_mann_kendall(const double *y, int64 n, TsMannKendall *out, char *errbuf)
{
	double	   *v,
			   *buf;
	double		npairs,
				ties,
				inv,
				s,
				var_s;

	out->s = out->var_s = out->z = out->p_value = out->tau = NAN;
	if (n < 3)
	{
		snprintf(errbuf, TS_ERRBUF_SIZE,
				 "mann-kendall needs at least 3 points, got %lld", (long long) n);
		return false;
	}
	if (!check_finite(y, n, "y", errbuf))
		return false;

	v = am_alloc(sizeof(double) * n);
	buf = am_alloc(sizeof(double) * n);
	memcpy(v, y, sizeof(double) * n);
	inv = (double) sort_count_inversions(v, buf, n);
	npairs = 0.5 * (double) n * (double) (n - 1);
	ties = tied_pairs(v, n);
	s = npairs - ties - 2.0 * inv;
	var_s = ((double) n * (n - 1) * (2.0 * n + 5.0) - tie_term_kendall(v, n)) / 18.0;
	am_free(v);
	am_free(buf);

	out->s = s;
	out->var_s = var_s;
	out->tau = s / npairs;
	if (var_s <= 0.0 || s == 0.0)
		out->z = 0.0;
	else
		out->z = (s > 0.0 ? s - 1.0 : s + 1.0) / sqrt(var_s);
	out->p_value = erfc(fabs(out->z) / M_SQRT2);
	return true;
}

/* ---------- correlation ---------- */

/* r, t and p from the corrected two-pass sums */
static void
correlation_from(const double *x, const double *y, int64 n, TsCorrelation *out)
{
	double		mx = 0.0,
				my = 0.0,
				sx = 0.0,
				sy = 0.0,
				sxx = 0.0,
				syy = 0.0,
				sxy = 0.0,
				r,
				den,
				df = (double) n - 2.0;

	for (int64 i = 0; i < n; i++)
	{
		mx += x[i];
		my += y[i];
	}
	mx /= n;
	my /= n;
	for (int64 i = 0; i < n; i++)
	{
		double		dx = x[i] - mx;
		double		dy = y[i] - my;

		sx += dx;
		sy += dy;
		sxx += dx * dx;
		syy += dy * dy;
		sxy += dx * dy;
	}
	sxx -= sx * sx / n;
	syy -= sy * sy / n;
	sxy -= sx * sy / n;

	out->n = n;
	if (!(sxx > 0.0) || !(syy > 0.0))
	{
		out->r = out->t = out->p_value = NAN;
		return;
	}
	/* one square root when the product is representable: r = 1 exactly */
	den = sxx * syy;
	if (isfinite(den) && den >= DBL_MIN)
		r = sxy / sqrt(den);
	else
		r = sxy / (sqrt(sxx) * sqrt(syy));
	r = fmax(-1.0, fmin(1.0, r));
	out->r = r;
	if (n == 2)
	{
		out->t = NAN;
		out->p_value = 1.0;
	}
	else if (fabs(r) == 1.0)
	{
		out->t = r * INFINITY;
		out->p_value = 0.0;
	}
	else
	{
		double		onem = (1.0 - r) * (1.0 + r);
		double		lower,
					upper;

		out->t = r * sqrt(df / onem);
		incbeta_both(onem, r * r, 0.5 * df, 0.5, &lower, &upper);
		out->p_value = lower;
	}
}

bool
ts_pearson(const double *x, const double *y, int64 n, TsCorrelation *out,
		   char *errbuf)
{
	out->r = out->t = out->p_value = NAN;
	out->n = n;
	if (n < 2)
	{
		snprintf(errbuf, TS_ERRBUF_SIZE,
				 "correlation needs at least 2 pairs, got %lld", (long long) n);
		return false;
	}
	if (!check_finite(x, n, "x", errbuf) || !check_finite(y, n, "y", errbuf))
		return false;
	correlation_from(x, y, n, out);
	return true;
}

typedef struct ValPos
{
	double		v;
	int64		pos;
} ValPos;

static int
cmp_valpos(const void *a, const void *b)
{
	const ValPos *p = a;
	const ValPos *q = b;

	if (p->v != q->v)
		return p->v < q->v ? -1 : 1;
	return p->pos < q->pos ? -1 : (p->pos > q->pos ? 1 : 0);
}

double
ts_rank_average(const double *x, int64 n, double *rank)
{
	ValPos	   *vp = am_alloc(sizeof(ValPos) * (n > 0 ? n : 1));
	double		ties = 0.0;
	int64		i = 0;

	for (int64 k = 0; k < n; k++)
	{
		vp[k].v = x[k];
		vp[k].pos = k;
	}
	qsort(vp, n, sizeof(ValPos), cmp_valpos);
	while (i < n)
	{
		int64		j = i + 1;
		double		avg,
					t;

		while (j < n && vp[j].v == vp[i].v)
			j++;
		/* ranks i+1 .. j share their mean */
		avg = 0.5 * ((double) (i + 1) + (double) j);
		for (int64 k = i; k < j; k++)
			rank[vp[k].pos] = avg;
		t = (double) (j - i);
		ties += t * t * t - t;
		i = j;
	}
	am_free(vp);
	return ties;
}

bool
ts_spearman(const double *x, const double *y, int64 n, TsCorrelation *out,
			char *errbuf)
{
	double	   *rx,
			   *ry;

	out->r = out->t = out->p_value = NAN;
	out->n = n;
	if (n < 2)
	{
		snprintf(errbuf, TS_ERRBUF_SIZE,
				 "correlation needs at least 2 pairs, got %lld", (long long) n);
		return false;
	}
	if (!check_finite(x, n, "x", errbuf) || !check_finite(y, n, "y", errbuf))
		return false;
	rx = am_alloc(sizeof(double) * n);
	ry = am_alloc(sizeof(double) * n);
	ts_rank_average(x, n, rx);
	ts_rank_average(y, n, ry);
	correlation_from(rx, ry, n, out);
	am_free(rx);
	am_free(ry);
	return true;
}

/* ---------- a measure across segments ---------- */

bool
ts_segment_anova(const double *values, const int *segment, int64 n,
				 int nsegments, TsSegment *seg, TsAnova *out, char *errbuf)
{
	int64	   *cnt;
	double	   *mean,
			   *m2;
	double		total = 0.0,
				ssb = 0.0,
				ssw = 0.0;
	int			k = 0;

	memset(out, 0, sizeof(*out));
	out->mean = out->f = out->p_value = out->eta_squared = NAN;
	if (nsegments < 1)
	{
		snprintf(errbuf, TS_ERRBUF_SIZE, "nsegments must be at least 1");
		return false;
	}
	if (!check_finite(values, n, "values", errbuf))
		return false;
	for (int64 i = 0; i < n; i++)
	{
		if (segment[i] < 0 || segment[i] >= nsegments)
		{
			snprintf(errbuf, TS_ERRBUF_SIZE,
					 "segment %d at position %lld is outside 0..%d",
					 segment[i], (long long) i + 1, nsegments - 1);
			return false;
		}
	}

	cnt = am_alloc0(sizeof(int64) * nsegments);
	mean = am_alloc0(sizeof(double) * nsegments);
	m2 = am_alloc0(sizeof(double) * nsegments);
	for (int64 i = 0; i < n; i++)
	{
		int			g = segment[i];
		double		d = values[i] - mean[g];

		if ((i & 0xFFFFF) == 0)
			ML_CHECK_INTERRUPTS();
		cnt[g]++;
		mean[g] += d / cnt[g];
		m2[g] += d * (values[i] - mean[g]);
	}

	/* overall mean from the segment means, then the two sums of squares */
	for (int g = 0; g < nsegments; g++)
		if (cnt[g] > 0)
		{
			total += (double) cnt[g] * mean[g];
			k++;
		}
	out->n = n;
	out->k = k;
	if (n > 0)
	{
		double		grand = total / n;

		/* refine by the mean offset, as the corrected two-pass sum */
		double		off = 0.0;

		for (int g = 0; g < nsegments; g++)
			if (cnt[g] > 0)
				off += (double) cnt[g] * (mean[g] - grand);
		grand += off / n;
		out->mean = grand;
		for (int g = 0; g < nsegments; g++)
			if (cnt[g] > 0)
			{
				double		d = mean[g] - grand;

				ssb += (double) cnt[g] * d * d;
				ssw += m2[g];
			}
	}
	out->ss_between = ssb;
	out->ss_within = ssw;
	out->df_between = k - 1;
	out->df_within = (double) n - k;
	if (ssb + ssw > 0.0)
		out->eta_squared = ssb / (ssb + ssw);
	if (k >= 2 && n > k)
	{
		if (ssw > 0.0)
		{
			out->f = (ssb / out->df_between) / (ssw / out->df_within);
			out->p_value = ts_f_sf(out->f, out->df_between, out->df_within);
		}
		else if (ssb > 0.0)
		{
			out->f = INFINITY;
			out->p_value = 0.0;
		}
	}

	if (seg)
		for (int g = 0; g < nsegments; g++)
		{
			seg[g].count = cnt[g];
			seg[g].mean = cnt[g] > 0 ? mean[g] : NAN;
			seg[g].stddev = cnt[g] > 1 ? sqrt(m2[g] / (cnt[g] - 1)) : NAN;
		}
	am_free(cnt);
	am_free(mean);
	am_free(m2);
	return true;
}

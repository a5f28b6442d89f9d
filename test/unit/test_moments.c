/*-------------------------------------------------------------------------
 *
 * test_moments.c
 *	  Unit tests of the batched moments and co-moments (moments.c).
 *
 * The NIST StRD univariate "numerical accuracy" sets are the classic trap
 * for naive variance formulas: values near 1e6 or 1e7 that differ only in
 * the first decimal.  The certified results are exact decimals; we require
 * them to 1e-9 (relative for the mean, absolute for the standard deviation),
 * whether the values arrive in batches of 256 or as partial states merged
 * in several orders.  Skewness and correlation are checked against direct
 * two-pass computations in long double.
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"

#include "profile/moments.h"

#define BATCH	256

/* Feed x[0..n) to m in batches of `batch` values. */
static void
feed(Moments *m, const double *x, int n, int batch)
{
	int			i;

	for (i = 0; i < n; i += batch)
		moments_add_batch(m, x + i, n - i < batch ? n - i : batch);
}

/* Standard deviation of a summary (NaN when undefined). */
static double
sd_of(const Moments *m)
{
	return sqrt(moments_variance(m));
}

/* NumAcc3/NumAcc4 shape: centre, then centre -/+ 0.1 alternating. */
static double *
numacc_data(double lo, double mid, double hi, int n)
{
	double	   *x = malloc(sizeof(double) * n);
	int			i;

	x[0] = mid;
	for (i = 1; i < n; i++)
		x[i] = (i % 2) ? lo : hi;
	return x;
}

/*
 * Merge partial states of x (cut at cuts[0..ncuts)) in forward, reverse
 * and tree order; each must match the one-stream summary `ref`.
 */
static void
check_merges(const char *name, const double *x, int n, const Moments *ref)
{
	int			cuts[] = {0, 1, 2, 259, 700, n};
	int			nparts = 5;
	Moments		part[5];
	Moments		fwd = {0};
	Moments		rev = {0};
	Moments		left = {0};
	Moments		right = {0};
	double		tol_mean = 1e-12 * fabs(ref->mean);
	int			i;

	for (i = 0; i < nparts; i++)
	{
		memset(&part[i], 0, sizeof(Moments));
		feed(&part[i], x + cuts[i], cuts[i + 1] - cuts[i], BATCH);
	}
	for (i = 0; i < nparts; i++)
		moments_merge(&fwd, &part[i]);
	for (i = nparts - 1; i >= 0; i--)
		moments_merge(&rev, &part[i]);
	/* tree: (p0 + p3) + (p4 + (p2 + p1)) */
	moments_merge(&left, &part[0]);
	moments_merge(&left, &part[3]);
	moments_merge(&right, &part[4]);
	{
		Moments		t = part[2];

		moments_merge(&t, &part[1]);
		moments_merge(&right, &t);
	}
	moments_merge(&left, &right);

	check(fwd.n == n && rev.n == n && left.n == n,
		  "%s: merged partial states count all %d values", name, n);
	check(fabs(fwd.mean - ref->mean) <= tol_mean &&
		  fabs(rev.mean - ref->mean) <= tol_mean &&
		  fabs(left.mean - ref->mean) <= tol_mean,
		  "%s: merged mean (forward, reverse, tree) equals one-stream mean to 1e-12", name);
	check(fabs(sd_of(&fwd) - sd_of(ref)) <= 2e-12 &&
		  fabs(sd_of(&rev) - sd_of(ref)) <= 2e-12 &&
		  fabs(sd_of(&left) - sd_of(ref)) <= 2e-12,
		  "%s: merged sd (forward, reverse, tree) equals one-stream sd to ~1e-12 (diffs %.3g %.3g %.3g)",
		  name, sd_of(&fwd) - sd_of(ref), sd_of(&rev) - sd_of(ref),
		  sd_of(&left) - sd_of(ref));
}

/* One NIST set: certified mean and sd, batched and merged. */
static void
check_nist(const char *name, const double *x, int n, double mean, double sd)
{
	Moments		m = {0};
	Moments		one = {0};

	feed(&m, x, n, BATCH);
	check(m.n == n, "%s: count is %d", name, n);
	check(fabs(m.mean - mean) <= 1e-9 * mean,
		  "%s: mean %.10f within 1e-9 (relative) of certified %.1f",
		  name, m.mean, mean);
	check(fabs(sd_of(&m) - sd) <= 1e-9,
		  "%s: sd %.15f within 1e-9 of certified %.1f", name, sd_of(&m), sd);
	/* one batch of everything: the two-pass path alone */
	feed(&one, x, n, n);
	check(fabs(sd_of(&one) - sd) <= 1e-9,
		  "%s: single-batch sd %.15f within 1e-9 of certified", name, sd_of(&one));
	/* one value at a time: nothing but merges */
	memset(&one, 0, sizeof(one));
	feed(&one, x, n, 1);
	check(fabs(sd_of(&one) - sd) <= 1e-9 && fabs(one.mean - mean) <= 1e-9 * mean,
		  "%s: value-at-a-time merges keep mean and sd within 1e-9", name);
	if (n > 700)
		check_merges(name, x, n, &m);
}

/* Adjusted Fisher-Pearson skewness computed directly, in long double. */
static double
direct_skewness(const double *x, int n)
{
	long double mean = 0;
	long double m2 = 0;
	long double m3 = 0;
	long double g1;
	int			i;

	for (i = 0; i < n; i++)
		mean += x[i];
	mean /= n;
	for (i = 0; i < n; i++)
	{
		long double d = x[i] - mean;

		m2 += d * d;
		m3 += d * d * d;
	}
	g1 = (m3 / n) / powl(m2 / n, 1.5L);
	return (double) (g1 * sqrtl((long double) n * (n - 1)) / (n - 2));
}

/* Skewness: skewed, symmetric and degenerate data. */
static void
test_skewness(void)
{
	int			n = 20000;
	double	   *x = malloc(sizeof(double) * n);
	uint64_t	seed = 42;
	Moments		m = {0};
	Moments		a = {0};
	Moments		b = {0};
	double		want;
	double		got;
	int			i;

	/* exponential around a large offset: skewness 2 in theory */
	for (i = 0; i < n; i++)
		x[i] = 1e6 - 50.0 * log(1.0 - rand_unit(&seed));
	feed(&m, x, n, BATCH);
	want = direct_skewness(x, n);
	got = moments_skewness(&m);
	check(fabs(got - want) <= 1e-9 * fabs(want),
		  "skewness of offset exponential data %.12f matches direct %.12f", got, want);
	check(got > 1.8 && got < 2.2, "skewness of exponential data is near 2 (%.3f)", got);
	feed(&a, x, 7777, BATCH);
	feed(&b, x + 7777, n - 7777, BATCH);
	moments_merge(&b, &a);
	check(fabs(moments_skewness(&b) - want) <= 1e-9 * fabs(want),
		  "skewness of merged uneven partial states matches direct");

	/* negative skew: mirror the data */
	for (i = 0; i < n; i++)
		x[i] = -x[i];
	memset(&m, 0, sizeof(m));
	feed(&m, x, n, BATCH);
	check(fabs(moments_skewness(&m) + want) <= 1e-9 * fabs(want),
		  "mirrored data has the opposite skewness");
	free(x);

	/* symmetric NumAcc3 data: zero skewness */
	x = numacc_data(1000000.1, 1000000.2, 1000000.3, 1001);
	memset(&m, 0, sizeof(m));
	feed(&m, x, 1001, BATCH);
	check(fabs(moments_skewness(&m)) < 1e-6,
		  "symmetric NumAcc3 data has skewness ~0 (%.3g)", moments_skewness(&m));
	free(x);

	/* small, hand-checked: 1, 2, 10 */
	{
		double		v[] = {1, 2, 10};

		memset(&m, 0, sizeof(m));
		feed(&m, v, 3, BATCH);
		check(fabs(moments_skewness(&m) - direct_skewness(v, 3)) < 1e-12,
			  "skewness of {1, 2, 10} is %.12f", moments_skewness(&m));
	}
	/* undefined cases */
	{
		double		v[] = {5, 5, 5, 5};
		Moments		e = {0};

		memset(&m, 0, sizeof(m));
		feed(&m, v, 4, BATCH);
		check(isnan(moments_skewness(&m)), "skewness of a constant column is NaN");
		check(moments_variance(&m) == 0.0, "variance of a constant column is 0");
		feed(&e, v, 2, BATCH);
		check(isnan(moments_skewness(&e)), "skewness of two values is NaN");
	}
}

/* n < 2: variance and correlation undefined. */
static void
test_small_n(void)
{
	Moments		m = {0};
	CoMoments	c = {0};
	double		v = 3.5;
	double		w = 7.0;

	check(isnan(moments_variance(&m)) && isnan(moments_skewness(&m)),
		  "empty summary: variance and skewness are NaN");
	moments_add_batch(&m, &v, 1);
	check(m.n == 1 && m.mean == 3.5, "one value: count 1, mean is the value");
	check(isnan(moments_variance(&m)), "one value: variance is NaN");
	moments_add_batch(&m, &v, 0);
	check(m.n == 1, "an empty batch changes nothing");
	check(isnan(comoments_correlation(&c)), "empty co-moments: correlation is NaN");
	comoments_add_batch(&c, &v, &w, 1, false);
	check(c.n == 1 && isnan(comoments_correlation(&c)),
		  "one pair: correlation is NaN");
	/* values near DBL_MAX: their plain sum overflows, the mean must not */
	{
		double		big[] = {1.5e308, 1.5e308, 1.6e308};
		double		wide[] = {-1e308, 1e308};
		Moments		b = {0};
		Moments		r = {0};

		moments_add_batch(&b, big, 3);
		check(isfinite(b.mean) && fabs(b.mean - 1.5333333333333333e308) < 1e294,
			  "mean of three values near DBL_MAX is finite (%g)", b.mean);
		moments_add_batch(&r, wide, 2);
		check(r.mean == 0.0, "mean of -1e308 and 1e308 is 0");
	}
}

/* Pearson r over complete pairs, two passes in long double. */
static double
direct_correlation(const double *x, const double *y, int n, int64_t *count)
{
	long double sx = 0;
	long double sy = 0;
	long double mx;
	long double my;
	long double vx = 0;
	long double vy = 0;
	long double cxy = 0;
	int64_t		cnt = 0;
	int			i;

	for (i = 0; i < n; i++)
		if (!isnan(x[i]) && !isnan(y[i]))
		{
			sx += x[i];
			sy += y[i];
			cnt++;
		}
	mx = sx / cnt;
	my = sy / cnt;
	for (i = 0; i < n; i++)
		if (!isnan(x[i]) && !isnan(y[i]))
		{
			vx += (x[i] - mx) * (x[i] - mx);
			vy += (y[i] - my) * (y[i] - my);
			cxy += (x[i] - mx) * (y[i] - my);
		}
	*count = cnt;
	return (double) (cxy / sqrtl(vx * vy));
}

/* Feed pairs in batches, flagging batches that hold a NaN. */
static void
cofeed(CoMoments *c, const double *x, const double *y, int n, int batch)
{
	int			i;
	int			j;

	for (i = 0; i < n; i += batch)
	{
		int			len = n - i < batch ? n - i : batch;
		bool		any_nan = false;

		for (j = 0; j < len; j++)
			any_nan |= isnan(x[i + j]) || isnan(y[i + j]);
		comoments_add_batch(c, x + i, y + i, len, any_nan);
	}
}

/* Correlation against the direct computation, with NULLs and merges. */
static void
test_correlation(void)
{
	int			n = 30000;
	double	   *x = malloc(sizeof(double) * n);
	double	   *y = malloc(sizeof(double) * n);
	uint64_t	seed = 7;
	CoMoments	c = {0};
	CoMoments	a = {0};
	CoMoments	b = {0};
	CoMoments	flag = {0};
	int64_t		cnt;
	double		want;
	int			i;

	for (i = 0; i < n; i++)
	{
		x[i] = 1e6 + 10.0 * rand_unit(&seed);
		y[i] = -5e5 + 0.3 * (x[i] - 1e6) + 2.0 * rand_unit(&seed);
		if (i % 37 == 5)
			x[i] = NAN;
		if (i % 53 == 11)
			y[i] = NAN;
	}
	want = direct_correlation(x, y, n, &cnt);
	cofeed(&c, x, y, n, BATCH);
	check(c.n == cnt, "co-moments count only complete pairs (%lld)", (long long) cnt);
	check(fabs(comoments_correlation(&c) - want) <= 1e-10,
		  "correlation %.12f matches two-pass direct %.12f",
		  comoments_correlation(&c), want);
	cofeed(&a, x + 12345, y + 12345, n - 12345, 100);
	cofeed(&b, x, y, 12345, 1000);
	comoments_merge(&a, &b);
	check(a.n == cnt && fabs(comoments_correlation(&a) - comoments_correlation(&c)) <= 1e-12,
		  "correlation of merged uneven partial states equals one-stream");

	/* all-valid data: the any_nan shortcut gives the same result */
	for (i = 0; i < n; i++)
	{
		if (isnan(x[i]))
			x[i] = 1e6;
		if (isnan(y[i]))
			y[i] = -5e5;
	}
	memset(&c, 0, sizeof(c));
	for (i = 0; i < n; i += BATCH)
	{
		comoments_add_batch(&c, x + i, y + i, n - i < BATCH ? n - i : BATCH, false);
		comoments_add_batch(&flag, x + i, y + i, n - i < BATCH ? n - i : BATCH, true);
	}
	check(c.n == n && flag.n == n &&
		  comoments_correlation(&c) == comoments_correlation(&flag),
		  "any_nan=false and any_nan=true agree on valid data");

	/* exact linear relations */
	for (i = 0; i < n; i++)
		y[i] = 4.0 - 2.0 * x[i];
	memset(&c, 0, sizeof(c));
	cofeed(&c, x, y, n, BATCH);
	check(fabs(comoments_correlation(&c) + 1.0) < 1e-12 &&
		  comoments_correlation(&c) >= -1.0,
		  "y = 4 - 2x: correlation is -1 (and not below)");
	for (i = 0; i < n; i++)
		y[i] = 17.0;
	memset(&c, 0, sizeof(c));
	cofeed(&c, x, y, n, BATCH);
	check(isnan(comoments_correlation(&c)), "constant y: correlation is NaN");
	for (i = 0; i < 10; i++)
		x[i] = NAN;
	memset(&c, 0, sizeof(c));
	comoments_add_batch(&c, x, y, 10, true);
	check(c.n == 0 && isnan(comoments_correlation(&c)),
		  "a batch of only NULL pairs adds nothing");
	free(x);
	free(y);
}

/* Run every test. */
int
main(void)
{
	double		acc1[] = {10000001, 10000003, 10000002};
	double	   *x;

	check_nist("NumAcc1", acc1, 3, 10000002.0, 1.0);
	{
		Moments		m = {0};

		feed(&m, acc1, 3, BATCH);
		check(m.mean == 10000002.0 && moments_variance(&m) == 1.0,
			  "NumAcc1: mean and variance are exact");
	}
	x = numacc_data(1000000.1, 1000000.2, 1000000.3, 1001);
	check_nist("NumAcc3", x, 1001, 1000000.2, 0.1);
	free(x);
	x = numacc_data(10000000.1, 10000000.2, 10000000.3, 1001);
	check_nist("NumAcc4", x, 1001, 10000000.2, 0.1);
	free(x);
	test_skewness();
	test_small_n();
	test_correlation();
	return unit_status();
}

/*-------------------------------------------------------------------------
 *
 * test_split.c
 *	  Unit tests of the seeded train/test split (src/ml/split.c).
 *
 * Every split must be a partition of 0..n-1 into two ascending lists; the
 * test part must have round(n * fraction) rows (at most n - 1) and, for
 * classification, each class within one row of its share; the same seed
 * must give the same split and another seed another one; and each row
 * must land in the test part with the same probability over seeds.
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"

#include "ml/split.h"

/* The two parts of one split, with room for n indices each. */
typedef struct Split
{
	int64	   *train;
	int64	   *test;
	int64		ntrain;
	int64		ntest;
} Split;

/* Run split_train_test into a newly allocated Split. */
static Split
do_split(const double *y, int64 n, MlTask task, int k, double f, uint64 seed)
{
	Split		s;

	s.train = malloc(sizeof(int64) * (n > 0 ? n : 1));
	s.test = malloc(sizeof(int64) * (n > 0 ? n : 1));
	split_train_test(y, n, task, k, f, seed, s.train, &s.ntrain, s.test, &s.ntest);
	return s;
}

/* Free the index arrays of s. */
static void
free_split(Split *s)
{
	free(s->train);
	free(s->test);
}

/* Both parts ascending, disjoint, and together exactly 0..n-1. */
static bool
is_partition(const Split *s, int64 n)
{
	char	   *seen = calloc(n > 0 ? n : 1, 1);
	bool		ok = s->ntrain + s->ntest == n && s->ntrain >= 0 && s->ntest >= 0;

	for (int part = 0; part < 2 && ok; part++)
	{
		const int64 *idx = part == 0 ? s->train : s->test;
		int64		m = part == 0 ? s->ntrain : s->ntest;

		for (int64 i = 0; i < m && ok; i++)
		{
			if (idx[i] < 0 || idx[i] >= n || seen[idx[i]] ||
				(i > 0 && idx[i] <= idx[i - 1]))
				ok = false;
			else
				seen[idx[i]] = 1;
		}
	}
	free(seen);
	return ok;
}

/* Same test rows in a and b. */
static bool
same_split(const Split *a, const Split *b)
{
	return a->ntest == b->ntest && a->ntrain == b->ntrain &&
		memcmp(a->test, b->test, sizeof(int64) * a->ntest) == 0;
}

/* Count of test rows of class c. */
static int64
test_of_class(const Split *s, const double *y, int c)
{
	int64		m = 0;

	for (int64 i = 0; i < s->ntest; i++)
		if (y[s->test[i]] == c)
			m++;
	return m;
}

/* n class labels with counts[c] rows of class c, in a shuffled order. */
static double *
labels(const int64 *counts, int k, int64 *n_out, uint64_t seed)
{
	int64		n = 0;
	double	   *y;
	int64		at = 0;

	for (int c = 0; c < k; c++)
		n += counts[c];
	y = malloc(sizeof(double) * (n > 0 ? n : 1));
	for (int c = 0; c < k; c++)
		for (int64 i = 0; i < counts[c]; i++)
			y[at++] = c;
	for (int64 i = n - 1; i > 0; i--)
	{
		int64		j = (int64) (rand64(&seed) % (uint64_t) (i + 1));
		double		t = y[i];

		y[i] = y[j];
		y[j] = t;
	}
	*n_out = n;
	return y;
}

/* Regression: sizes, partition, determinism, another seed. */
static void
test_regression(void)
{
	int64		ns[] = {3, 10, 999, 1000, 100001};
	double		fs[] = {0.2, 0.25, 0.5, 0.9};

	for (int a = 0; a < 5; a++)
	{
		for (int b = 0; b < 4; b++)
		{
			int64		n = ns[a];
			Split		s = do_split(NULL, n, ML_REGRESSION, 0, fs[b], 42);
			Split		again = do_split(NULL, n, ML_REGRESSION, 0, fs[b], 42);
			Split		other = do_split(NULL, n, ML_REGRESSION, 0, fs[b], 43);
			int64		want = (int64) floor(n * fs[b] + 0.5);

			if (want > n - 1)
				want = n - 1;
			check(is_partition(&s, n) && s.ntest == want,
				  "regression n=%lld f=%g: a partition with %lld test rows (want %lld)",
				  (long long) n, fs[b], (long long) s.ntest, (long long) want);
			check(same_split(&s, &again), "regression n=%lld f=%g: same seed, same split",
				  (long long) n, fs[b]);
			if (n >= 100)
				check(!same_split(&s, &other), "regression n=%lld f=%g: seeds 42 and 43 differ",
					  (long long) n, fs[b]);
			free_split(&s);
			free_split(&again);
			free_split(&other);
		}
	}
}

/* Stratified: each class within one row of its share; exact small case. */
static void
test_stratified(void)
{
	int64		c1[] = {600, 300, 100};
	int64		c2[] = {7, 5, 3};
	int64		c3[] = {5000, 37, 12345, 2, 611};
	struct
	{
		const int64 *counts;
		int			k;
		double		f;
	}			cases[] = {
		{c1, 3, 0.25}, {c1, 3, 0.1}, {c2, 3, 0.3}, {c3, 5, 0.2}, {c3, 5, 0.33},
	};

	for (int t = 0; t < 5; t++)
	{
		int64		n;
		double	   *y = labels(cases[t].counts, cases[t].k, &n, 7 + t);
		Split		s = do_split(y, n, ML_CLASSIFICATION, cases[t].k, cases[t].f, 1);
		int64		ntest = (int64) floor(n * cases[t].f + 0.5);
		bool		ok = true;
		int64		total = 0;

		for (int c = 0; c < cases[t].k; c++)
		{
			int64		m = test_of_class(&s, y, c);
			double		quota = (double) cases[t].counts[c] * ntest / n;

			total += m;
			if (fabs(m - quota) >= 1.0 || cases[t].counts[c] - m < 1)
				ok = false;
			note("case %d class %d: %lld of %lld rows in test (quota %.3f)", t, c,
				 (long long) m, (long long) cases[t].counts[c], quota);
		}
		check(is_partition(&s, n) && ok && total == ntest,
			  "stratified case %d (n=%lld, f=%g): %lld test rows, every class within one "
			  "row of its share", t, (long long) n, cases[t].f, (long long) s.ntest);
		free(y);
		free_split(&s);
	}

	/* 7, 5, 3 rows at 0.3: 5 test rows; quotas 2.33, 1.67, 1 -> 2, 2, 1 */
	{
		int64		n;
		double	   *y = labels(c2, 3, &n, 99);
		Split		s = do_split(y, n, ML_CLASSIFICATION, 3, 0.3, 5);

		check(test_of_class(&s, y, 0) == 2 && test_of_class(&s, y, 1) == 2 &&
			  test_of_class(&s, y, 2) == 1, "7/5/3 rows at 0.3: 2, 2, 1 test rows by largest remainder");
		free(y);
		free_split(&s);
	}
}

/* Stratified splits: determinism and seeds. */
static void
test_stratified_seeds(void)
{
	int64		counts[] = {700, 200, 100};
	int64		n;
	double	   *y = labels(counts, 3, &n, 3);
	Split		a = do_split(y, n, ML_CLASSIFICATION, 3, 0.2, 12345);
	Split		b = do_split(y, n, ML_CLASSIFICATION, 3, 0.2, 12345);
	Split		c = do_split(y, n, ML_CLASSIFICATION, 3, 0.2, 12346);

	check(same_split(&a, &b), "stratified: same seed, same split");
	check(!same_split(&a, &c), "stratified: another seed, another split");
	check(a.ntest == c.ntest && test_of_class(&a, y, 2) == test_of_class(&c, y, 2),
		  "stratified: the sizes do not depend on the seed");
	free(y);
	free_split(&a);
	free_split(&b);
	free_split(&c);
}

/* Tiny inputs, tiny classes, odd fractions and bad class indices. */
static void
test_edges(void)
{
	double		y1[] = {0};
	double		y2[] = {0, 1};
	double		y2same[] = {1, 1};
	double		ypairs[] = {0, 1, 2, 3, 3, 2, 1, 0};
	double		ybad[] = {0, 1, 5, 0, 1, -1, 0.5, 1, 0, 1};
	int64		one_row[] = {10, 10, 1};
	int64		n;
	double	   *y;
	Split		s;

	s = do_split(NULL, 0, ML_REGRESSION, 0, 0.2, 1);
	check(s.ntrain == 0 && s.ntest == 0, "n=0: both parts empty");
	free_split(&s);

	s = do_split(y1, 1, ML_CLASSIFICATION, 2, 0.5, 1);
	check(is_partition(&s, 1) && s.ntrain == 1 && s.ntest == 0,
		  "n=1: the row is in training, the test part is empty");
	free_split(&s);
	s = do_split(NULL, 1, ML_REGRESSION, 0, 0.99, 1);
	check(s.ntrain == 1 && s.ntest == 0, "n=1 regression f=0.99: one training row");
	free_split(&s);

	s = do_split(NULL, 2, ML_REGRESSION, 0, 0.5, 1);
	check(is_partition(&s, 2) && s.ntrain == 1 && s.ntest == 1, "n=2 f=0.5: one row each");
	free_split(&s);
	s = do_split(NULL, 2, ML_REGRESSION, 0, 0.2, 1);
	check(s.ntrain == 2 && s.ntest == 0, "n=2 f=0.2 (n*f < 1/2): empty test part");
	free_split(&s);
	s = do_split(y2, 2, ML_CLASSIFICATION, 2, 0.5, 1);
	check(s.ntrain == 2 && s.ntest == 0,
		  "n=2, two classes of one row: both in training, empty test part");
	free_split(&s);
	s = do_split(y2same, 2, ML_CLASSIFICATION, 2, 0.5, 1);
	check(is_partition(&s, 2) && s.ntrain == 1 && s.ntest == 1,
		  "n=2, one class of two rows: one row each");
	free_split(&s);

	/* four classes of two rows at 0.9: 7 wanted, each class keeps one */
	s = do_split(ypairs, 8, ML_CLASSIFICATION, 4, 0.9, 1);
	check(is_partition(&s, 8) && s.ntest == 4 && test_of_class(&s, ypairs, 0) == 1 &&
		  test_of_class(&s, ypairs, 3) == 1,
		  "classes of two rows at f=0.9: one training row each (%lld test rows)",
		  (long long) s.ntest);
	free_split(&s);

	/* a class with a single row stays in training, whatever the seed */
	y = labels(one_row, 3, &n, 11);
	{
		bool		ok = true;

		for (uint64 seed = 0; seed < 50; seed++)
		{
			s = do_split(y, n, ML_CLASSIFICATION, 3, 0.5, seed);
			/* 11 test rows: quotas 5.24, 5.24, 0.52 -> 6, 5, 0 */
			if (!is_partition(&s, n) || test_of_class(&s, y, 2) != 0 ||
				test_of_class(&s, y, 0) != 6 || test_of_class(&s, y, 1) != 5)
				ok = false;
			free_split(&s);
		}
		check(ok, "10/10/1 rows at 0.5, 50 seeds: the single row in training, 6+5 test rows");
	}
	free(y);

	/* fractions outside (0, 1) are clamped */
	s = do_split(NULL, 10, ML_REGRESSION, 0, 0.0, 1);
	check(s.ntrain == 10 && s.ntest == 0, "f=0: everything in training");
	free_split(&s);
	s = do_split(NULL, 10, ML_REGRESSION, 0, 1.0, 1);
	check(s.ntrain == 1 && s.ntest == 9, "f=1: one training row");
	free_split(&s);

	/* invalid class indices (5, -1, 0.5) go to training */
	s = do_split(ybad, 10, ML_CLASSIFICATION, 2, 0.5, 1);
	check(is_partition(&s, 10) && s.ntest > 0 &&
		  test_of_class(&s, ybad, 5) == 0 && test_of_class(&s, ybad, -1) == 0,
		  "invalid class indices stay in training");
	for (int64 i = 0; i < s.ntest; i++)
		if (ybad[s.test[i]] == 0.5)
			check(false, "row with class 0.5 in the test part");
	free_split(&s);
}

/* Over many seeds every row is a test row about f of the time. */
static void
test_uniform(void)
{
	int			n = 10;
	int			runs = 20000;
	double		f = 0.3;
	int			hits[10] = {0};
	double		y[10] = {0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
	int			hits_c[10] = {0};
	double		worst = 0;
	double		worst_c = 0;

	for (int r = 0; r < runs; r++)
	{
		Split		s = do_split(NULL, n, ML_REGRESSION, 0, f, (uint64) r);
		Split		c = do_split(y, n, ML_CLASSIFICATION, 2, 0.4, (uint64) r);

		for (int64 i = 0; i < s.ntest; i++)
			hits[s.test[i]]++;
		for (int64 i = 0; i < c.ntest; i++)
			hits_c[c.test[i]]++;
		free_split(&s);
		free_split(&c);
	}
	for (int i = 0; i < n; i++)
	{
		worst = fmax(worst, fabs((double) hits[i] / runs - f));
		worst_c = fmax(worst_c, fabs((double) hits_c[i] / runs - 0.4));
	}
	/* 4.5 standard deviations of a binomial(20000, 0.3) share: 0.0146 */
	check(worst < 0.0146, "regression: each row in test %.4f..%.4f of the time (f=0.3)",
		  f - worst, f + worst);
	check(worst_c < 0.0156, "stratified: each row in test within %.4f of 0.4", worst_c);
}

/* A million rows: fast, a partition, exact class shares. */
static void
test_large(void)
{
	int64		counts[] = {900000, 99000, 1000};
	int64		n;
	double	   *y = labels(counts, 3, &n, 1);
	Split		s = do_split(y, n, ML_CLASSIFICATION, 3, 0.2, 42);

	check(is_partition(&s, n) && s.ntest == 200000 && test_of_class(&s, y, 0) == 180000 &&
		  test_of_class(&s, y, 1) == 19800 && test_of_class(&s, y, 2) == 200,
		  "1M rows, 90/9.9/0.1%% classes at 0.2: 180000/19800/200 test rows");
	free(y);
	free_split(&s);
}

int
main(void)
{
	test_regression();
	test_stratified();
	test_stratified_seeds();
	test_edges();
	test_uniform();
	test_large();
	return unit_status();
}

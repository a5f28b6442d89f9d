/*-------------------------------------------------------------------------
 *
 * test_metrics.c
 *	  Unit tests of the evaluation metrics (src/ml/metrics.c).
 *
 * The expected values are scikit-learn 1.2.1's, computed once with Debian's
 * python3-sklearn under /usr/bin/python3 on the hand-made arrays below and
 * pasted with 17 significant digits.  For each regression case:
 *
 *	  r2_score(y, p), mean_squared_error(y, p, squared=False),
 *	  mean_absolute_error(y, p)
 *
 * and for each classification case, with P the probability matrix (a binary
 * case given as the class-1 column s is P = column_stack([1 - s, s])) and
 * yp = np.argmax(P, axis=1) (the first maximum, like metrics.c):
 *
 *	  accuracy_score(y, yp),
 *	  precision_score / recall_score / f1_score(y, yp, average="macro",
 *												zero_division=0),
 *	  log_loss(y, P, eps=1e-15, labels=range(K)),
 *	  roc_auc_score(y, P[:, 1]) when K = 2, else
 *	  roc_auc_score(y, P, multi_class="ovr", average="macro", labels=range(K))
 *
 * where roc_auc_score raising "Only one class present in y_true" is
 * expected as NaN.  Agreement is asserted to 1e-12.  Beyond these, the ROC
 * area is checked against a brute-force count of pairs on data with many
 * ties, and r2 against a long-double two-pass computation on a million
 * values sitting on a large offset.
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"

#include "ml/metrics.h"

#define TOL 1e-12

/* |got - want| <= TOL, or both NaN. */
static bool
close_to(double got, double want)
{
	if (isnan(want))
		return isnan(got);
	return fabs(got - want) <= TOL;
}

/* Check one regression case against sklearn's r2, rmse, mae. */
static void
check_regression(const char *name, const double *y, const double *p, int n,
				 double r2, double rmse, double mae)
{
	MlRegressionMetrics m;

	metrics_regression(y, p, n, &m);
	check(close_to(m.r2, r2), "%s: r2 %.17g (sklearn %.17g)", name, m.r2, r2);
	check(close_to(m.rmse, rmse), "%s: rmse %.17g (sklearn %.17g)", name, m.rmse, rmse);
	check(close_to(m.mae, mae), "%s: mae %.17g (sklearn %.17g)", name, m.mae, mae);
}

/* sklearn's values of one classification case, in struct order. */
typedef struct Expected
{
	double		v[6];
} Expected;

/* Check one classification case against sklearn's values. */
static void
check_classification(const char *name, const double *y, const double *proba,
					 int n, int k, Expected e)
{
	MlClassificationMetrics m;
	const char *names[6] = {"accuracy", "precision", "recall", "f1", "log_loss", "roc_auc"};
	double		got[6];

	metrics_classification(y, proba, n, k, &m);
	got[0] = m.accuracy;
	got[1] = m.precision;
	got[2] = m.recall;
	got[3] = m.f1;
	got[4] = m.log_loss;
	got[5] = m.roc_auc;
	for (int i = 0; i < 6; i++)
		check(close_to(got[i], e.v[i]), "%s: %s %.17g (sklearn %.17g)",
			  name, names[i], got[i], e.v[i]);
}

/* Binary probabilities [1 - s, s] from class-1 scores s. */
static double *
binary_proba(const double *s, int n)
{
	double	   *p = malloc(sizeof(double) * 2 * n);

	for (int i = 0; i < n; i++)
	{
		p[2 * i] = 1.0 - s[i];
		p[2 * i + 1] = s[i];
	}
	return p;
}

/* Regression cases against scikit-learn. */
static void
test_regression_sklearn(void)
{
	double		y1[] = {3, -0.5, 2, 7, 4.2};
	double		p1[] = {2.5, 0.0, 2, 8, 4.1};
	/* values around 1e6: the mean must not lose the small deviations */
	double		y2[] = {1e6 + 0.5, 1e6 - 1.25, 1e6 + 3.0, 1e6, 1e6 - 0.75, 1e6 + 2.0,
	1e6 + 0.125, 1e6 - 2.5};
	double		p2[] = {1e6 + 0.25, 1e6 - 1.0, 1e6 + 2.5, 1e6 + 0.5, 1e6 - 0.5, 1e6 + 1.5,
	1e6, 1e6 - 2.0};
	double		y3[] = {-2.0, 0.0, 1.5, 10.0, 3.25, -7.5};
	double		p3[] = {-1.0, 0.5, 1.0, 4.0, 3.0, -6.0};

	check_regression("r1", y1, p1, 5,
					 0.95064069037656906, 0.54954526656136349, 0.4200000000000001);
	check_regression("r2 (offset 1e6)", y2, p2, 8,
					 0.94399490862805713, 0.38780230143721428, 0.359375);
	check_regression("r3", y3, p3, 6,
					 0.76368020775366352, 2.5759302526789556, 1.625);
}

/* Constant targets, one row, no rows. */
static void
test_regression_edges(void)
{
	double		c[] = {0.1, 0.1, 0.1};
	double		c_off[] = {0.1, 0.1, 0.2};
	double		one_y[] = {4.0};
	double		one_p[] = {1.0};
	MlRegressionMetrics m;

	/* sklearn: r2_score([2,2,2], [2,2,2]) = 1.0, r2_score([2,2,2], [2,2,2.5]) = 0.0 */
	metrics_regression(c, c, 3, &m);
	check(m.r2 == 1.0 && m.rmse == 0.0 && m.mae == 0.0,
		  "constant y, exact predictions: r2 = 1 (got %g)", m.r2);
	metrics_regression(c, c_off, 3, &m);
	check(m.r2 == 0.0 && m.rmse > 0.0, "constant y, inexact predictions: r2 = 0 (got %g)", m.r2);

	metrics_regression(one_y, one_p, 1, &m);
	check(isnan(m.r2) && m.rmse == 3.0 && m.mae == 3.0,
		  "one row: r2 NaN as in sklearn, rmse = mae = 3 (got %g %g %g)", m.r2, m.rmse, m.mae);

	metrics_regression(NULL, NULL, 0, &m);
	check(isnan(m.r2) && isnan(m.rmse) && isnan(m.mae), "no rows: every metric NaN");
}

/* Classification cases against scikit-learn. */
static void
test_classification_sklearn(void)
{
	/* binary; tied scores 0.4 (x3) and 0.5 (x2) across the classes; 0.5 is
	 * an argmax tie, predicted as class 0 */
	double		y1[] = {0, 0, 1, 1, 0, 1, 1, 0, 1, 0};
	double		s1[] = {0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.9, 0.2, 0.5, 0.5};
	/* three classes, class 2 never predicted (argmax ties go to class 1) */
	double		y2[] = {0, 1, 2, 2, 1, 0, 2, 1, 0, 2};
	double		p2[] = {0.7, 0.2, 0.1, 0.3, 0.6, 0.1, 0.2, 0.5, 0.3, 0.45, 0.25, 0.3,
		0.1, 0.8, 0.1, 0.5, 0.3, 0.2, 0.3, 0.35, 0.35, 0.4, 0.4, 0.2,
	0.6, 0.1, 0.3, 0.2, 0.4, 0.4};
	/* four classes, probabilities of exactly 0 and 1 (clipped by log_loss),
	 * class 3 predicted but never true: in the macro labels, and its
	 * one-vs-rest AUC is undefined */
	double		y3[] = {0, 1, 2, 0, 1, 2, 0, 2};
	double		p3[] = {1.0, 0.0, 0.0, 0.0, 0.0, 0.2, 0.3, 0.5, 0.1, 0.1, 0.8, 0.0,
		0.25, 0.25, 0.25, 0.25, 0.0, 1.0, 0.0, 0.0, 0.3, 0.0, 0.1, 0.6,
	0.05, 0.9, 0.05, 0.0, 0.2, 0.2, 0.6, 0.0};
	/* three classes, all present: one-vs-rest AUC with ties */
	double		y4[] = {0, 1, 2, 1, 0, 2, 2, 1, 0, 1, 2, 0};
	double		p4[] = {0.5, 0.3, 0.2, 0.2, 0.5, 0.3, 0.2, 0.3, 0.5, 0.5, 0.3, 0.2,
		0.4, 0.4, 0.2, 0.1, 0.3, 0.6, 0.3, 0.3, 0.4, 0.2, 0.6, 0.2,
	0.6, 0.2, 0.2, 0.3, 0.4, 0.3, 0.2, 0.2, 0.6, 0.4, 0.3, 0.3};
	/* binary, only class 1 in y: AUC undefined */
	double		y5[] = {1, 1, 1, 1};
	double		s5[] = {0.9, 0.3, 0.6, 0.5};
	double	   *p1 = binary_proba(s1, 10);
	double	   *p5 = binary_proba(s5, 4);

	check_classification("c1 binary, ties", y1, p1, 10, 2, (Expected)
	{
		{
			0.69999999999999996, 0.8125, 0.69999999999999996,
			0.67032967032967039, 0.50310665989687764, 0.78000000000000003
		}
	});
	check_classification("c2 3 classes, one never predicted", y2, p2, 10, 3, (Expected)
	{
		{
			0.5, 0.33333333333333331, 0.55555555555555547,
			0.41666666666666669, 0.7584966120243728, 0.96230158730158732
		}
	});
	check_classification("c3 4 classes, 0/1 probabilities", y3, p3, 8, 4, (Expected)
	{
		{
			0.625, 0.625, 0.45833333333333326,
			0.52500000000000002, 1.1285023518977799, NAN
		}
	});
	check_classification("c4 3 classes, one-vs-rest AUC", y4, p4, 12, 3, (Expected)
	{
		{
			0.91666666666666663, 0.93333333333333324, 0.91666666666666663,
			0.91534391534391535, 0.74932331404719621, 0.93229166666666663
		}
	});
	check_classification("c5 binary, one class present", y5, p5, 4, 2, (Expected)
	{
		{
			0.5, 0.5, 0.25, 0.33333333333333331, 0.62832653107742464, NAN
		}
	});
	free(p1);
	free(p5);
}

/* No rows, and rows with class indices outside 0..K-1 left out. */
static void
test_classification_edges(void)
{
	MlClassificationMetrics m;
	MlClassificationMetrics ref;
	double		y[] = {0, 1, 7, 1, -1, 0.5, 0};
	double		s[] = {0.2, 0.7, 0.9, 0.4, 0.1, 0.3, 0.6};
	double		yv[] = {0, 1, 1, 0};
	double		sv[] = {0.2, 0.7, 0.4, 0.6};
	double	   *p = binary_proba(s, 7);
	double	   *pv = binary_proba(sv, 4);

	metrics_classification(NULL, NULL, 0, 2, &m);
	check(isnan(m.accuracy) && isnan(m.precision) && isnan(m.recall) && isnan(m.f1) &&
		  isnan(m.log_loss) && isnan(m.roc_auc), "no rows: every metric NaN");

	metrics_classification(y, p, 7, 2, &m);
	metrics_classification(yv, pv, 4, 2, &ref);
	check(m.accuracy == ref.accuracy && m.f1 == ref.f1 && m.log_loss == ref.log_loss &&
		  m.roc_auc == ref.roc_auc,
		  "rows with an invalid class index are left out (accuracy %g, auc %g)",
		  m.accuracy, m.roc_auc);
	free(p);
	free(pv);
}

/* Brute-force ROC AUC: pairs with the positive ranked higher, ties half. */
static double
brute_auc(const double *y, const double *s, int n)
{
	double		wins = 0;
	double		pairs = 0;

	for (int i = 0; i < n; i++)
	{
		if (y[i] != 1)
			continue;
		for (int j = 0; j < n; j++)
		{
			if (y[j] != 0)
				continue;
			pairs++;
			wins += s[i] > s[j] ? 1.0 : (s[i] == s[j] ? 0.5 : 0.0);
		}
	}
	return wins / pairs;
}

/* AUC on random data with heavy ties agrees with counting pairs. */
static void
test_auc_brute_force(void)
{
	int			sizes[] = {2, 3, 17, 500, 3000};
	int			levels[] = {2, 5, 1000000};

	for (int a = 0; a < 5; a++)
	{
		for (int b = 0; b < 3; b++)
		{
			int			n = sizes[a];
			uint64_t	st = 1000 + a * 10 + b;
			double	   *y = malloc(sizeof(double) * n);
			double	   *s = malloc(sizeof(double) * n);
			double	   *p;
			MlClassificationMetrics m;
			double		want;

			for (int i = 0; i < n; i++)
			{
				y[i] = rand_unit(&st) < 0.3 ? 1 : 0;
				/* quantised scores, loosely related to the class */
				s[i] = floor((0.6 * rand_unit(&st) + 0.4 * y[i]) * levels[b]) / levels[b];
			}
			y[0] = 0;
			y[n - 1] = 1;
			p = binary_proba(s, n);
			metrics_classification(y, p, n, 2, &m);
			want = brute_auc(y, s, n);
			check(fabs(m.roc_auc - want) <= 1e-12,
				  "AUC n=%d, %d score levels: %.15f (pairs %.15f)", n, levels[b],
				  m.roc_auc, want);
			free(y);
			free(s);
			free(p);
		}
	}
}

/* r2/rmse of a million values on a 1e9 offset against long double. */
static void
test_regression_stability(void)
{
	int			n = 1000000;
	double	   *y = malloc(sizeof(double) * n);
	double	   *p = malloc(sizeof(double) * n);
	uint64_t	st = 77;
	long double sy = 0;
	long double sst = 0;
	long double sse = 0;
	long double mean;
	double		r2;
	double		rmse;
	MlRegressionMetrics m;

	for (int i = 0; i < n; i++)
	{
		y[i] = 1e9 + rand_unit(&st) * 10.0;
		p[i] = y[i] + (rand_unit(&st) - 0.5) * 0.1;
		sy += y[i];
	}
	mean = sy / n;
	for (int i = 0; i < n; i++)
	{
		sst += ((long double) y[i] - mean) * ((long double) y[i] - mean);
		sse += ((long double) y[i] - p[i]) * ((long double) y[i] - p[i]);
	}
	r2 = (double) (1.0L - sse / sst);
	rmse = (double) sqrtl(sse / n);
	metrics_regression(y, p, n, &m);
	check(fabs(m.r2 - r2) <= 1e-12, "1M rows on 1e9: r2 %.15f (long double %.15f)", m.r2, r2);
	check(fabs(m.rmse - rmse) <= 1e-12 * rmse, "1M rows on 1e9: rmse %.15g (long double %.15g)",
		  m.rmse, rmse);
	free(y);
	free(p);
}

int
main(void)
{
	test_regression_sklearn();
	test_regression_edges();
	test_classification_sklearn();
	test_classification_edges();
	test_auc_brute_force();
	test_regression_stability();
	return unit_status();
}

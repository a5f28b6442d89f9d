/*-------------------------------------------------------------------------
 *
 * metrics.c
 *	  Regression and classification metrics, as scikit-learn defines them.
 *
 * Regression (metrics_regression):
 *	  r2	1 - sum((y - pred)^2) / sum((y - mean(y))^2), sklearn's r2_score.
 *			When y is constant the ratio is undefined; like r2_score (with
 *			its default force_finite=True) we return 1.0 if every prediction
 *			is exact and 0.0 otherwise.  "Constant" is tested on the values
 *			themselves, not on a computed variance, so that rounding in the
 *			mean cannot turn it into a huge negative score.  With fewer than
 *			two rows r2 is NaN, as in r2_score.
 *	  rmse	sqrt(mean((y - pred)^2)); mae  mean(|y - pred|).
 *
 * Classification (metrics_classification), from class indices and the
 * predicted probabilities; the predicted class is the argmax (lowest index
 * on ties):
 *	  accuracy	fraction of rows predicted right.
 *	  precision, recall, f1
 *				per-class values averaged with equal weight over the classes
 *				that occur in y or in the predictions (sklearn's default
 *				labels), average='macro', zero_division=0: a class never
 *				predicted has precision 0, and f1 = 2tp / (2tp + fp + fn),
 *				0 when tp = 0 (the same value as sklearn's 2pr / (p + r)).
 *	  log_loss	mean of -log(p[true class]) after clipping every probability
 *				to [1e-15, 1 - 1e-15] and renormalising each row to sum 1,
 *				as sklearn's log_loss with eps=1e-15 (its default before 1.2;
 *				1.2 and later clip at the double epsilon, 2.2e-16, which only
 *				differs for probabilities below 1e-15).
 *	  roc_auc	binary: the area under the ROC curve of the class-1
 *				probability, computed as the Mann-Whitney statistic with
 *				ties counted one half, which is exactly the trapezoidal area
 *				that roc_auc_score integrates.  More than two classes: the
 *				unweighted mean of the one-vs-rest areas (roc_auc_score with
 *				multi_class='ovr', average='macro').  NaN when a class has no
 *				row in y (sklearn raises an error there).
 *
 * Undefined values are NaN; the JSON writer (common/json_out.c) writes
 * them as null.  With n = 0 every metric is NaN.  A row whose class index
 * is not an integer in 0..nclasses-1 (which the caller never passes) is
 * left out of every classification metric.
 *
 * Sums use Neumaier's compensated summation, so that a million squared
 * errors of different magnitudes lose no more than a rounding or two; the
 * ROC area sorts once per class, O(n log n), and counts in integers.
 *
 *-------------------------------------------------------------------------
 */
#include "metrics.h"

#include <math.h>
#include <stdlib.h>

/* A compensated running sum (Neumaier's variant of Kahan summation). */
typedef struct MlSum
{
	double		sum;
	double		comp;
} MlSum;

/* Add x to the running sum s. */
static inline void
msum_add(MlSum *s, double x)
{
	double		t = s->sum + x;

	if (fabs(s->sum) >= fabs(x))
		s->comp += (s->sum - t) + x;
	else
		s->comp += (x - t) + s->sum;
	s->sum = t;
}

/* The value of the running sum s. */
static inline double
msum_value(const MlSum *s)
{
	return s->sum + s->comp;
}

/* A score and whether its row belongs to the positive class. */
typedef struct ScoredRow
{
	double		score;
	bool		positive;
} ScoredRow;

/* qsort comparator of ScoredRow by score, ascending, NaN last. */
static int
scored_row_cmp(const void *a, const void *b)
{
	double		x = ((const ScoredRow *) a)->score;
	double		y = ((const ScoredRow *) b)->score;

	if (x < y)
		return -1;
	if (x > y)
		return 1;
	/* equal, or at least one NaN: order NaN after numbers */
	return (int) isnan(x) - (int) isnan(y);
}

/*
 * Class index of y, or -1 when y is not an integer in 0..nclasses-1.
 */
static inline int
class_of(double y, int nclasses)
{
	if (!(y >= 0.0 && y < (double) nclasses))
		return -1;
	if (y != floor(y))
		return -1;
	return (int) y;
}

/* Predicted class of one row of probabilities: argmax, lowest on ties. */
static inline int
argmax(const double *p, int nclasses)
{
	int			best = 0;

	for (int c = 1; c < nclasses; c++)
		if (p[c] > p[best])
			best = c;
	return best;
}

/* r2, rmse and mae of n predictions (see the head of the file). */
void
metrics_regression(const double *y, const double *pred, int64 n,
				   MlRegressionMetrics *out)
{
	MlSum		sy = {0, 0};
	MlSum		sse = {0, 0};
	MlSum		sae = {0, 0};
	MlSum		sst = {0, 0};
	bool		constant = true;
	double		mean;
	double		ss_res;

	out->r2 = out->rmse = out->mae = NAN;
	if (n <= 0)
		return;

	for (int64 i = 0; i < n; i++)
	{
		double		e = y[i] - pred[i];

		msum_add(&sy, y[i]);
		msum_add(&sse, e * e);
		msum_add(&sae, fabs(e));
		if (y[i] != y[0])
			constant = false;
	}
	ss_res = msum_value(&sse);
	out->rmse = sqrt(ss_res / (double) n);
	out->mae = msum_value(&sae) / (double) n;
	if (n < 2)
		return;					/* r2_score: undefined below two rows */

	if (constant)
	{
		out->r2 = ss_res == 0.0 ? 1.0 : 0.0;
		return;
	}
	mean = msum_value(&sy) / (double) n;
	for (int64 i = 0; i < n; i++)
	{
		double		d = y[i] - mean;

		msum_add(&sst, d * d);
	}
	out->r2 = 1.0 - ss_res / msum_value(&sst);
}

/*
 * Area under the ROC curve of column `col` of the probabilities for the rows
 * of class `col` against the rest (rows = n valid entries prepared in
 * `rows`, whose positive flags the caller set).  The Mann-Whitney count:
 * each (positive, negative) pair scores 1 when the positive row has the
 * higher score and 1/2 on a tie; kept doubled so that it stays an integer.
 */
static double
roc_auc_sorted(ScoredRow *rows, int64 n)
{
	uint64		npos = 0;
	uint64		nneg = 0;
	uint64		twice_u = 0;
	int64		i = 0;

	qsort(rows, (size_t) n, sizeof(ScoredRow), scored_row_cmp);
	while (i < n)
	{
		uint64		pos = 0;
		uint64		neg = 0;
		int64		j = i;

		/* one group of tied scores */
		while (j < n && (rows[j].score == rows[i].score || j == i))
		{
			if (rows[j].positive)
				pos++;
			else
				neg++;
			j++;
		}
		twice_u += 2 * nneg * pos + pos * neg;
		npos += pos;
		nneg += neg;
		i = j;
	}
	if (npos == 0 || nneg == 0)
		return NAN;
	return (double) twice_u / (2.0 * (double) npos * (double) nneg);
}

/*
 * ROC AUC from the valid rows: binary on the class-1 probability, or the
 * one-vs-rest macro average for more classes.
 */
static double
roc_auc(const double *y, const double *proba, int64 n, int nclasses)
{
	ScoredRow  *rows = am_alloc(sizeof(ScoredRow) * (size_t) (n > 0 ? n : 1));
	int			first = nclasses == 2 ? 1 : 0;
	MlSum		total = {0, 0};

	for (int c = first; c < nclasses; c++)
	{
		int64		m = 0;
		double		auc;

		ML_CHECK_INTERRUPTS();
		for (int64 i = 0; i < n; i++)
		{
			int			k = class_of(y[i], nclasses);

			if (k < 0)
				continue;
			rows[m].score = proba[i * nclasses + c];
			rows[m].positive = k == c;
			m++;
		}
		auc = roc_auc_sorted(rows, m);
		if (isnan(auc))
		{
			am_free(rows);
			return NAN;
		}
		msum_add(&total, auc);
	}
	am_free(rows);
	return msum_value(&total) / (double) (nclasses - first);
}

/*
 * Mean log loss of the valid rows: each row's probabilities clipped to
 * [eps, 1 - eps] and renormalised to sum 1.
 */
static double
log_loss(const double *y, const double *proba, int64 n, int nclasses,
		 int64 nvalid)
{
	MlSum		loss = {0, 0};

	for (int64 i = 0; i < n; i++)
	{
		const double *p = proba + i * nclasses;
		int			k = class_of(y[i], nclasses);
		double		rowsum = 0.0;
		double		pk = 0.0;

		if (k < 0)
			continue;
		for (int c = 0; c < nclasses; c++)
		{
			double		v = fmin(fmax(p[c], ML_LOG_LOSS_EPS), 1.0 - ML_LOG_LOSS_EPS);

			rowsum += v;
			if (c == k)
				pk = v;
		}
		msum_add(&loss, -log(pk / rowsum));
	}
	return msum_value(&loss) / (double) nvalid;
}

/*
 * Accuracy, macro precision/recall/f1, log loss and ROC AUC of n rows of
 * predicted probabilities (see the head of the file).
 */
void
metrics_classification(const double *y, const double *proba, int64 n,
					   int nclasses, MlClassificationMetrics *out)
{
	int64	   *tp;
	int64	   *npred;
	int64	   *ntrue;
	int64		nvalid = 0;
	int64		correct = 0;
	MlSum		prec = {0, 0};
	MlSum		rec = {0, 0};
	MlSum		f1 = {0, 0};
	int			nlabels = 0;

	out->accuracy = out->precision = out->recall = out->f1 = NAN;
	out->log_loss = out->roc_auc = NAN;
	if (n <= 0 || nclasses < 1)
		return;

	tp = am_alloc0(sizeof(int64) * nclasses);
	npred = am_alloc0(sizeof(int64) * nclasses);
	ntrue = am_alloc0(sizeof(int64) * nclasses);
	for (int64 i = 0; i < n; i++)
	{
		int			k = class_of(y[i], nclasses);
		int			p;

		if (k < 0)
			continue;
		p = argmax(proba + i * nclasses, nclasses);
		nvalid++;
		ntrue[k]++;
		npred[p]++;
		if (p == k)
		{
			tp[k]++;
			correct++;
		}
	}

	if (nvalid > 0)
	{
		for (int c = 0; c < nclasses; c++)
		{
			int64		fp = npred[c] - tp[c];
			int64		fn = ntrue[c] - tp[c];

			if (ntrue[c] == 0 && npred[c] == 0)
				continue;		/* not a label of this evaluation */
			nlabels++;
			msum_add(&prec, npred[c] > 0 ? (double) tp[c] / (double) npred[c] : 0.0);
			msum_add(&rec, ntrue[c] > 0 ? (double) tp[c] / (double) ntrue[c] : 0.0);
			msum_add(&f1, tp[c] > 0 ?
					 (double) (2 * tp[c]) / (double) (2 * tp[c] + fp + fn) : 0.0);
		}
		out->accuracy = (double) correct / (double) nvalid;
		out->precision = msum_value(&prec) / nlabels;
		out->recall = msum_value(&rec) / nlabels;
		out->f1 = msum_value(&f1) / nlabels;
		out->log_loss = log_loss(y, proba, n, nclasses, nvalid);
		if (nclasses >= 2)
			out->roc_auc = roc_auc(y, proba, n, nclasses);
	}
	am_free(tp);
	am_free(npred);
	am_free(ntrue);
}

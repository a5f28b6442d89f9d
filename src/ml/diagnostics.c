/*-------------------------------------------------------------------------
 *
 * diagnostics.c
 *	  What the model report draws, computed once on the held-out rows at
 *	  training time: the confusion matrix, the ROC curve (two classes), or
 *	  predicted against actual values (regression).
 *
 * Bounded whatever the data: the confusion matrix only up to
 * DIAG_MAX_CLASSES classes, at most DIAG_ROC_POINTS points of the ROC
 * curve and DIAG_RESIDUALS evenly spaced rows of the residual plot.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "lib/stringinfo.h"

#include "common/json_out.h"
#include "ml/model.h"
#include "ml/train.h"

#define DIAG_MAX_CLASSES	50
#define DIAG_ROC_POINTS		200
#define DIAG_RESIDUALS		500

/* Sort order of row indexes by decreasing score. */
static const double *sort_scores;

static int
cmp_score_desc(const void *a, const void *b)
{
	double		x = sort_scores[*(const int64 *) a],
				y = sort_scores[*(const int64 *) b];

	return x > y ? -1 : x < y;
}

/* ROC points (false positive rate, true positive rate), from (0,0) to (1,1). */
static void
roc_curve_json(JsonWriter *w, const double *y, const double *proba, int64 n)
{
	int64	   *order = palloc(sizeof(int64) * n);
	double	   *score = palloc(sizeof(double) * n);
	int64		pos = 0,
				neg = 0,
				tp = 0,
				fp = 0;
	int64		step;

	for (int64 i = 0; i < n; i++)
	{
		order[i] = i;
		score[i] = proba[i * 2 + 1];
		if (y[i] == 1)
			pos++;
		else
			neg++;
	}
	if (pos == 0 || neg == 0)
		return;
	sort_scores = score;
	qsort(order, n, sizeof(int64), cmp_score_desc);
	sort_scores = NULL;
	step = Max(1, n / DIAG_ROC_POINTS);
	jw_key(w, "roc_curve");
	jw_begin_array(w);
	jw_begin_array(w);
	jw_double(w, 0);
	jw_double(w, 0);
	jw_end_array(w);
	for (int64 i = 0; i < n; i++)
	{
		if (y[order[i]] == 1)
			tp++;
		else
			fp++;
		/* a point at the end of each run of equal scores, thinned */
		if ((i + 1 == n || score[order[i + 1]] != score[order[i]]) &&
			((i + 1) % step == 0 || i + 1 == n))
		{
			jw_begin_array(w);
			jw_double(w, (double) fp / neg);
			jw_double(w, (double) tp / pos);
			jw_end_array(w);
		}
	}
	jw_end_array(w);
}

char *
diagnostics_json(MlTask task, int nclasses, const double *y, const double *pred, int64 n)
{
	StringInfoData buf;
	JsonWriter	w;

	initStringInfo(&buf);
	jw_init(&w, &buf);
	jw_begin_object(&w);
	if (task == ML_CLASSIFICATION && n > 0)
	{
		if (nclasses <= DIAG_MAX_CLASSES)
		{
			int64	   *cm = palloc0(sizeof(int64) * nclasses * nclasses);

			for (int64 i = 0; i < n; i++)
			{
				int			actual = (int) y[i];

				if (actual >= 0 && actual < nclasses)
					cm[actual * nclasses + model_argmax(pred + i * nclasses, nclasses)]++;
			}
			jw_key(&w, "confusion_matrix");
			jw_begin_array(&w);
			for (int a = 0; a < nclasses; a++)
			{
				jw_begin_array(&w);
				for (int p = 0; p < nclasses; p++)
					jw_int64(&w, cm[a * nclasses + p]);
				jw_end_array(&w);
			}
			jw_end_array(&w);
		}
		if (nclasses == 2)
			roc_curve_json(&w, y, pred, n);
	}
	else if (task == ML_REGRESSION && n > 0)
	{
		int64		step = Max(1, n / DIAG_RESIDUALS);

		jw_key(&w, "residuals");
		jw_begin_array(&w);
		for (int64 i = 0; i < n; i += step)
		{
			jw_begin_array(&w);
			jw_double(&w, pred[i]);
			jw_double(&w, y[i]);
			jw_end_array(&w);
		}
		jw_end_array(&w);
	}
	jw_end_object(&w);
	return buf.data;
}

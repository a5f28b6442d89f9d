/*-------------------------------------------------------------------------
 *
 * anomaly_text.c
 *	  Severity bands and the sentences that explain an anomaly.
 *
 * An explanation is for a person reading an alert: the value, how far it
 * is from what is usual in the method's own unit (MADs, IQRs, robust
 * standard deviations, isolation depth), and the usual range, with numbers
 * rounded the way a report would print them.
 *
 * Severity bands, by method (score and threshold as detect_anomalies
 * returns them):
 *	robust_zscore, seasonal: |z| below 5 low, below 8 medium, else high
 *	iqr: distance beyond the fence below 1.5 IQR low, below 3 medium, else high
 *	mahalanobis: robust distance below 1.5 x the threshold low, below 2x
 *	  medium, else high
 *	isolation_forest: score below threshold + 0.1 low, below + 0.2 medium,
 *	  else high
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "anomaly/anomaly_text.h"
#include "common/html_buf.h"

const char *
anomaly_severity(AnomalyMethod method, double score, double threshold)
{
	double		medium,
				high;

	switch (method)
	{
		case AM_ROBUST_ZSCORE:
		case AM_SEASONAL:
			medium = 5;
			high = 8;
			break;
		case AM_IQR:
			medium = 1.5;
			high = 3;
			break;
		case AM_MAHALANOBIS:
			medium = 1.5 * threshold;
			high = 2 * threshold;
			break;
		default:
			medium = threshold + 0.1;
			high = threshold + 0.2;
			break;
	}
	score = fabs(score);
	return score >= high ? "high" : score >= medium ? "medium" : "low";
}

void
anomaly_fmt_number(char *out, size_t outlen, double v)
{
	double		a = fabs(v);

	if (!isfinite(v))
		snprintf(out, outlen, "%s", isnan(v) ? "NULL" : v > 0 ? "Infinity" : "-Infinity");
	else if (a >= 1e15 || (a > 0 && a < 1e-3))
	{
		snprintf(out, outlen, "%.3g", v);
		hb_trim_exponent(out);
	}
	else if (a >= 1000)
		hb_fmt_integer(out, outlen, (long long) llround(v));
	else if (a >= 100 || v == floor(v))
		snprintf(out, outlen, "%.0f", v);
	else
	{
		char	   *dot;
		size_t		n;

		snprintf(out, outlen, a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", v);
		/* 14.20 -> 14.2, 0.500 -> 0.5 */
		dot = strchr(out, '.');
		n = strlen(out);
		while (dot && n > 0 && out[n - 1] == '0')
			out[--n] = '\0';
		if (n > 0 && out[n - 1] == '.')
			out[--n] = '\0';
	}
}

void
anomaly_fmt_drivers(char *out, size_t outlen, char *const *names,
					const double *share, int ncols, int max_names)
{
	int			used[64];
	int			nused = 0;
	size_t		o = 0;

	out[0] = '\0';
	while (nused < max_names && nused < 64)
	{
		int			best = -1;

		for (int j = 0; j < ncols; j++)
		{
			bool		taken = false;

			for (int k = 0; k < nused; k++)
				taken |= used[k] == j;
			if (!taken && isfinite(share[j]) && share[j] >= 0.05 &&
				(best < 0 || share[j] > share[best]))
				best = j;
		}
		if (best < 0)
			break;
		used[nused++] = best;
	}
	for (int k = 0; k < nused && o < outlen; k++)
	{
		int			j = used[k];

		o += snprintf(out + o, outlen - o, "%s%s (%.0f%%)",
					  k == 0 ? "" : k == nused - 1 ? " and " : ", ",
					  names[j], 100 * share[j]);
	}
}

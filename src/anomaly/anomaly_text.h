/*-------------------------------------------------------------------------
 *
 * anomaly_text.h
 *	  Severity bands and the sentences that explain an anomaly.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ANOMALY_TEXT_H
#define ANOMALY_TEXT_H

#include <stddef.h>

typedef enum AnomalyMethod
{
	AM_ROBUST_ZSCORE,
	AM_IQR,
	AM_MAHALANOBIS,
	AM_ISOLATION_FOREST,
	AM_SEASONAL
} AnomalyMethod;

/* "low", "medium" or "high" for a score of method (see docs/anomalies.md) */
extern const char *anomaly_severity(AnomalyMethod method, double score, double threshold);

/* A number as people read it: 98,120 / 14.2 / 0.035 / -1,030 / 1.2e-07 */
extern void anomaly_fmt_number(char *out, size_t outlen, double v);

/*
 * "a, b (64%) and c (25%)": the columns with the largest shares, at most
 * max_names of them, skipping shares under 5%.
 */
extern void anomaly_fmt_drivers(char *out, size_t outlen, char *const *names,
								const double *share, int ncols, int max_names);

#endif							/* ANOMALY_TEXT_H */

/*-------------------------------------------------------------------------
 *
 * robust_cov.h
 *	  Robust location and covariance (Minimum Covariance Determinant) and
 *	  the Mahalanobis distances they give.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ROBUST_COV_H
#define ROBUST_COV_H

#include "common/am_alloc.h"
#include "ml/model_io.h"

typedef struct RobustCov
{
	int			p;
	double	   *mean;			/* p */
	double	   *chol;			/* p x p lower Cholesky factor of the covariance */
	double	   *sd;				/* p: square roots of the covariance's diagonal */
	double		threshold;		/* distance above which a row is anomalous */
} RobustCov;

/*
 * Fit on the complete rows of x (column-major, n x p): FastMCD with
 * consistency correction and one reweighting step.  NULL with errbuf set
 * when the covariance is singular (a constant or collinear column).
 */
extern RobustCov *robust_cov_fit(const double *const *cols, int64 n, int p, uint64 seed,
								 double tail, char *errbuf, size_t errlen);
/* Robust distance of a row (NaN coordinates count as the centre). */
extern double robust_cov_distance(const RobustCov *rc, const double *row, double *work);
/* Each coordinate's share (summing to 1) of a row's squared distance. */
extern void robust_cov_attribution(const RobustCov *rc, const double *row, double *share,
								   double *work);

extern void robust_cov_write(MlWriter *w, const RobustCov *rc);
extern RobustCov *robust_cov_read(MlReader *r, int p);

/* Quantile q of the chi-square distribution with df degrees of freedom. */
extern double chi2_quantile(double q, double df);

#endif							/* ROBUST_COV_H */

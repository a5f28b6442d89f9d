/*-------------------------------------------------------------------------
 *
 * detector_alg.h
 *	  Anomaly detectors as model algorithms (task ML_ANOMALY).
 *
 *-------------------------------------------------------------------------
 */
#ifndef DETECTOR_ALG_H
#define DETECTOR_ALG_H

#include "ml/ml.h"

extern const MlAlgorithm ml_robust_zscore;
extern const MlAlgorithm ml_iqr;
extern const MlAlgorithm ml_mahalanobis;
extern const MlAlgorithm ml_isolation_forest;

#endif							/* DETECTOR_ALG_H */

/*-------------------------------------------------------------------------
 *
 * split.h
 *	  Seeded train/test split of the rows of a training set.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ML_SPLIT_H
#define ML_SPLIT_H

#include "ml.h"

/*
 * Split rows 0..n-1 into a training and a test part, about test_fraction of
 * the rows in the test part; classification is stratified on the class
 * index y[i] (0..nclasses-1).  train_idx and test_idx must each have room
 * for n indices; they receive the row numbers of each part in ascending
 * order, and *n_train + *n_test = n.  The same arguments and seed give the
 * same split on every platform.  See split.c for the rounding rules: there
 * is always at least one training row when n >= 1, and the test part can
 * be empty when n * test_fraction < 1/2 (or when every class has one row).
 */
extern void split_train_test(const double *y, int64 n, MlTask task,
							 int nclasses, double test_fraction, uint64 seed,
							 int64 *train_idx, int64 *n_train,
							 int64 *test_idx, int64 *n_test);

#endif							/* ML_SPLIT_H */

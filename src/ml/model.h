/*-------------------------------------------------------------------------
 *
 * model.h
 *	  A trained model: preprocessing, classes and the fitted algorithm,
 *	  and its binary image (the bytea stored in automl.models).
 *
 * The image (docs/model-format.md):
 *	 magic "AMLM" | format version u32 | task u8 | algorithm id u8 |
 *	 target string | class count u32 | numeric classes u8 | class labels |
 *	 info string (JSON: hyperparams, metrics, score, train_rows,
 *	 training_seconds) | preprocessor | reference flag u8 and reference
 *	 (reference.h) | algorithm body |
 *	 CRC-32C u32 of everything before it
 * all little-endian.  model_decode checks the checksum first and then
 * validates every field, so a corrupt or hostile image is refused, never
 * followed.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MODEL_H
#define MODEL_H

#include "ml.h"
#include "preprocess.h"
#include "reference.h"

#define MODEL_MAGIC			0x4D4C4D41	/* "AMLM" little-endian */
#define MODEL_FORMAT_VERSION 1
#define MODEL_MAX_CLASSES	1000

typedef struct MlModel
{
	MlTask		task;
	const MlAlgorithm *alg;
	char	   *target;
	int			nclasses;		/* 0 for regression */
	char	  **classes;		/* labels, by class index */
	bool		classes_numeric;	/* labels are numbers (predict returns them) */
	double	   *class_values;	/* the numbers, when classes_numeric */
	char	   *info;			/* JSON text describing the training */
	Preprocessor *pp;
	Reference  *ref;			/* training distributions, or NULL */
	void	   *fitted;			/* the algorithm's model */
	double	   *design;			/* scratch row of pp->p values */
} MlModel;

/* Image of m, allocated with am_alloc; *len receives its size. */
extern uint8 *model_encode(const MlModel *m, size_t *len);
/* The model of an image, or NULL when it is corrupt. */
extern MlModel *model_decode(const void *data, size_t len);

/*
 * Predict one row of raw feature values (preprocess.h): out receives one
 * value (regression) or nclasses probabilities.
 */
extern void model_predict_raw(MlModel *m, const double *raw, double *out);

/* Class index with the highest probability (the lowest index on ties). */
extern int	model_argmax(const double *proba, int nclasses);

#endif							/* MODEL_H */

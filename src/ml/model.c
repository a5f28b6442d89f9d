/*-------------------------------------------------------------------------
 *
 * model.c
 *	  Encoding, decoding and row prediction of a trained model.
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>

#include "model.h"

#define MODEL_MAX_LABEL	(1 << 16)

uint8 *
model_encode(const MlModel *m, size_t *len)
{
	MlWriter	w;

	ml_writer_init(&w);
	ml_put_u32(&w, MODEL_MAGIC);
	ml_put_u32(&w, MODEL_FORMAT_VERSION);
	ml_put_u8(&w, (uint8) m->task);
	ml_put_u8(&w, (uint8) m->alg->id);
	ml_put_str(&w, m->target);
	ml_put_u32(&w, (uint32) m->nclasses);
	ml_put_u8(&w, m->classes_numeric ? 1 : 0);
	for (int c = 0; c < m->nclasses; c++)
		ml_put_str(&w, m->classes[c]);
	ml_put_str(&w, m->info);
	preprocess_write(&w, m->pp);
	ml_put_u8(&w, m->ref != NULL);
	if (m->ref)
		reference_write(&w, m->ref);
	m->alg->write(&w, m->fitted);
	ml_put_u32(&w, ml_crc32c(w.data, w.len));
	*len = w.len;
	return w.data;
}

/* The number a numeric class label stands for; false if it is not one. */
static bool
label_number(const char *s, double *v)
{
	char	   *end;

	if (*s == '\0')
		return false;
	/* boolean targets: predict returns 0 and 1 */
	if (strcmp(s, "false") == 0 || strcmp(s, "true") == 0)
	{
		*v = s[0] == 't' ? 1.0 : 0.0;
		return true;
	}
	*v = strtod(s, &end);
	return *end == '\0' && isfinite(*v);
}

MlModel *
model_decode(const void *data, size_t len)
{
	MlReader	r;
	MlModel    *m;
	uint8		task,
				alg_id,
				numeric;
	uint32		stored_crc;

	/* magic, version, task, algorithm, checksum at the least */
	if (len < 14)
		return NULL;
	ml_reader_init(&r, data, len - 4);
	{
		MlReader	tail;

		ml_reader_init(&tail, (const uint8 *) data + len - 4, 4);
		stored_crc = ml_get_u32(&tail);
	}
	if (ml_get_u32(&r) != MODEL_MAGIC ||
		ml_get_u32(&r) != MODEL_FORMAT_VERSION ||
		ml_crc32c(data, len - 4) != stored_crc)
		return NULL;

	m = am_alloc0(sizeof(MlModel));
	task = ml_get_u8(&r);
	alg_id = ml_get_u8(&r);
	if (task > ML_ANOMALY || (m->alg = ml_algorithm_by_id(alg_id)) == NULL)
		return NULL;
	m->task = (MlTask) task;
	if ((m->task == ML_REGRESSION && !m->alg->regression) ||
		(m->task == ML_CLASSIFICATION && !m->alg->classification) ||
		(m->task == ML_ANOMALY) != m->alg->anomaly)
		return NULL;
	m->target = ml_get_str(&r);
	m->nclasses = (int) ml_get_count(&r, 4, MODEL_MAX_CLASSES);
	numeric = ml_get_u8(&r);
	if (!ml_reader_ok(&r) || m->target == NULL || numeric > 1 ||
		(m->task == ML_CLASSIFICATION) != (m->nclasses >= 2) ||
		(m->task != ML_CLASSIFICATION && m->nclasses != 0))
		return NULL;
	m->classes_numeric = numeric == 1;
	m->classes = am_alloc0(sizeof(char *) * (m->nclasses + 1));
	m->class_values = am_alloc0(sizeof(double) * (m->nclasses + 1));
	for (int c = 0; c < m->nclasses; c++)
	{
		m->classes[c] = ml_get_str(&r);
		if (m->classes[c] == NULL || strlen(m->classes[c]) > MODEL_MAX_LABEL)
			return NULL;
		if (m->classes_numeric && !label_number(m->classes[c], &m->class_values[c]))
			return NULL;
	}
	m->info = ml_get_str(&r);
	if (m->info == NULL)
		return NULL;
	m->pp = preprocess_read(&r);
	/* the encoding is the algorithm's: one-hot and standardised, or not */
	if (m->pp == NULL || m->pp->one_hot != m->alg->one_hot)
		return NULL;
	switch (ml_get_u8(&r))
	{
		case 0:
			m->ref = NULL;
			break;
		case 1:
			if ((m->ref = reference_read(&r, m->pp)) == NULL)
				return NULL;
			break;
		default:
			return NULL;
	}
	m->fitted = m->alg->read(&r, m->pp->p, m->task, m->nclasses);
	/* every byte up to the checksum must belong to the model */
	if (m->fitted == NULL || !ml_reader_ok(&r) || r.pos != r.len)
		return NULL;
	m->design = am_alloc(sizeof(double) * m->pp->p);
	return m;
}

void
model_predict_raw(MlModel *m, const double *raw, double *out)
{
	preprocess_row(m->pp, raw, m->design);
	m->alg->predict(m->fitted, m->design, out);
}

int
model_argmax(const double *proba, int nclasses)
{
	int			best = 0;

	for (int c = 1; c < nclasses; c++)
		if (proba[c] > proba[best])
			best = c;
	return best;
}

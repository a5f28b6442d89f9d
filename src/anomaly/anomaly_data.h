/*-------------------------------------------------------------------------
 *
 * anomaly_data.h
 *	  The numeric columns of a relation, read once into arrays, with a way
 *	  back to each row's key (for detect_anomalies, detectors, insights).
 *
 *-------------------------------------------------------------------------
 */
#ifndef ANOMALY_DATA_H
#define ANOMALY_DATA_H

#include "postgres.h"

#include "storage/itemptr.h"
#include "utils/array.h"

typedef struct AnomalyData
{
	Oid			relid;
	char	   *relname;		/* quoted, schema-qualified */
	int			ncols;
	char	  **names;			/* column names */
	double	  **cols;			/* cols[j][i]: value of column j in row i; NaN = NULL */
	char	   *time_name;		/* options.time_column, or NULL */
	double	   *time;			/* its values, seconds since 1970 (NaN = NULL) */
	int64		n;				/* rows read */
	int64		cap;
	/* the way back to a row: its ctid (tables), else its key text */
	bool		by_ctid;
	ItemPointerData *tids;
	char	  **keys;
	char	   *key_sql;		/* SQL expression of the key jsonb of a row */
	Size		max_bytes;
	MemoryContext cxt;
} AnomalyData;

/*
 * Read relation's columns (NULL: every numeric column but the primary
 * key's, those named id or ending in _id, and the time column) and
 * time_column (may be NULL).  ERRORs name
 * unknown (42703) and non-numeric (42804) columns.
 */
extern AnomalyData *anomaly_data_load(Oid relid, ArrayType *columns,
									  const char *time_column);

/* Leave out the columns that do not vary (constant or all NULL). */
extern void anomaly_data_drop_flat(AnomalyData *d);

/* The key jsonb text of rows[0..k-1] (row indexes), in that order. */
extern char **anomaly_data_keys(AnomalyData *d, const int64 *rows, int k);

#endif							/* ANOMALY_DATA_H */

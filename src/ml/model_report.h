/*-------------------------------------------------------------------------
 *
 * model_report.h
 *	  Render a trained model's report document (JSON text) as a
 *	  self-contained HTML page.
 *
 * Plain C over jansson, with no PostgreSQL headers, so that the renderer
 * can be unit-tested and fuzzed outside the server (test/unit,
 * test/fuzz).  The page is malloc'd; the caller frees it with free().
 * The document's keys are described at the head of model_report.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MODEL_REPORT_H
#define MODEL_REPORT_H

#include <stddef.h>

/*
 * Render model_json (len bytes, need not be NUL-terminated) as an HTML
 * page.  Returns a malloc'd NUL-terminated string, or NULL with *errmsg set
 * to a static string saying why (missing input, invalid JSON, not an
 * object, too large, out of memory).  errmsg may be NULL.
 */
extern char *model_report_html(const char *model_json, size_t len,
							   const char **errmsg);

#endif							/* MODEL_REPORT_H */

/*-------------------------------------------------------------------------
 *
 * report_html.h
 *	  Render a stored profile (its JSON text) as a self-contained HTML page.
 *
 * Plain C over jansson, with no PostgreSQL headers, so that the renderer
 * can be unit-tested and fuzzed outside the server (test/unit,
 * test/fuzz).  The page is malloc'd; the caller frees it with free().
 *
 *-------------------------------------------------------------------------
 */
#ifndef REPORT_HTML_H
#define REPORT_HTML_H

#include <stddef.h>

/*
 * Render profile_json (len bytes, need not be NUL-terminated) as an HTML
 * page.  Returns a malloc'd NUL-terminated string, or NULL with *errmsg set
 * to a static string saying why (invalid JSON, not an object, too large,
 * out of memory).
 */
extern char *profile_report_html(const char *profile_json, size_t len,
								 const char **errmsg);

#endif							/* REPORT_HTML_H */

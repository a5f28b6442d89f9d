/*-------------------------------------------------------------------------
 *
 * html_buf.h
 *	  The output buffer, HTML escaping, small JSON helpers and the entry
 *	  point shared by the HTML renderers (src/profile/report_html.c,
 *	  src/ml/model_report.c).
 *
 * Plain C over jansson, with no PostgreSQL headers, so that the renderers
 * can be unit-tested and fuzzed outside the server (test/unit,
 * test/fuzz).  The buffer is malloc'd; its owner frees data with free().
 *
 *-------------------------------------------------------------------------
 */
#ifndef HTML_BUF_H
#define HTML_BUF_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * A growable output buffer holding at most max bytes (plus a NUL).  err is
 * set by the first failure ("report too large", "out of memory") and
 * sticks: every later append is a no-op, so writers need no error paths.
 * data stays NULL until the first append.
 */
typedef struct HtmlBuf
{
	char	   *data;
	size_t		len;
	size_t		cap;
	size_t		max;
	const char *err;
} HtmlBuf;

/* Appending; fmt and s are trusted text (ours, not the document's) */
extern void hb_init(HtmlBuf *b, size_t max);
extern void hb_putn(HtmlBuf *b, const char *s, size_t n);
extern void hb_puts(HtmlBuf *b, const char *s);
extern void hb_printf(HtmlBuf *b, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));

/* Untrusted text and values, escaped and cut after maxchars characters */
extern void hb_escape(HtmlBuf *b, const char *s, size_t n, size_t maxchars);
extern void hb_escape_json(HtmlBuf *b, json_t *v, size_t maxchars,
						   const char *fallback);
extern void hb_put_value(HtmlBuf *b, json_t *v, size_t maxchars,
						 void (*fmt) (char *, size_t, double),
						 const char *none);

/*
 * A renderer: its output cap, the function writing the page for a parsed
 * JSON object, and its static reasons for refusing input.
 */
typedef struct HtmlPage
{
	size_t		max_output;
	void		(*render) (HtmlBuf *b, json_t *root);
	const char *missing;		/* the text is NULL */
	const char *not_json;		/* the text does not parse */
	const char *not_object;		/* it parses, but not to an object */
} HtmlPage;

extern char *hb_render_page(const HtmlPage *page, const char *text,
							size_t len, const char **errmsg);

/* Reading the document: absent or mistyped reads as absent */
extern bool hb_num(json_t *obj, const char *key, double *out);
extern const char *hb_str(json_t *obj, const char *key);

/* Number formatting into out (outlen bytes, always NUL-terminated) */
extern void hb_fmt_integer(char *out, size_t outlen, long long v);
extern void hb_trim_exponent(char *s);
extern void hb_fmt_percent(char *out, size_t outlen, double f,
						   const char *none);

#endif							/* HTML_BUF_H */

/*-------------------------------------------------------------------------
 *
 * html_buf.c
 *	  The output buffer, HTML escaping, small JSON helpers and the entry
 *	  point shared by the profile report (src/profile/report_html.c) and
 *	  the model report (src/ml/model_report.c).
 *
 * Both renderers read a stored document that users can change, so they
 * treat it as hostile, and both are fuzzed outside the server.  What they
 * share lives here:
 *
 * - HtmlBuf, a malloc'd growable buffer capped at a maximum size chosen by
 *   each renderer.  Its first failure (too large, out of memory) sticks and
 *   turns every later append into a no-op, so the section writers need no
 *   error paths of their own.
 *
 * - hb_escape(), through which every string from the document goes: it
 *   escapes & < > " ', replaces control characters and cuts long strings
 *   at a UTF-8 character boundary.
 *
 * - Type-checking accessors over jansson, so that a key that is missing or
 *   of the wrong type reads as absent, and numbers that are checked with
 *   isfinite() before they reach the page.
 *
 * - hb_render_page(), the whole of each renderer's entry point: parse the
 *   document (only input that is not JSON, or JSON that is not an object,
 *   is refused), render it into a buffer with the renderer's cap, and hand
 *   back the page or a static reason.
 *
 * Plain C, no PostgreSQL headers: the same object is linked into the
 * server and into the unit tests and fuzzers.
 *
 *-------------------------------------------------------------------------
 */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/html_buf.h"

/* The first allocation; the buffer doubles from there. */
#define HB_INITIAL_SIZE		16384

/* ---------------------------------------------------------------------
 * The output buffer
 * ---------------------------------------------------------------------
 */

/* Start an empty buffer that refuses to grow beyond max bytes. */
void
hb_init(HtmlBuf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max < SIZE_MAX / 4 ? max : SIZE_MAX / 4;
	b->err = NULL;
}

/* Make room for extra more bytes plus the NUL; false once failed. */
static bool
hb_reserve(HtmlBuf *b, size_t extra)
{
	size_t		need;
	size_t		newcap;
	char	   *p;

	if (b->err)
		return false;
	if (extra > b->max || b->len > b->max - extra)
	{
		b->err = "report too large";
		return false;
	}
	need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	newcap = b->cap ? b->cap : HB_INITIAL_SIZE;
	while (newcap < need)
		newcap *= 2;			/* need <= max + 1 <= SIZE_MAX / 4 + 1 */
	if (newcap > b->max + 1)
		newcap = b->max + 1;
	p = realloc(b->data, newcap);
	if (p == NULL)
	{
		b->err = "out of memory";
		return false;
	}
	b->data = p;
	b->cap = newcap;
	return true;
}

/* Append n bytes. */
void
hb_putn(HtmlBuf *b, const char *s, size_t n)
{
	if (!hb_reserve(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* Append a NUL-terminated string (trusted: ours, not the document's). */
void
hb_puts(HtmlBuf *b, const char *s)
{
	hb_putn(b, s, strlen(s));
}

/* Append printf-style output; only ever fed trusted formats and numbers. */
void
hb_printf(HtmlBuf *b, const char *fmt,...)
{
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !hb_reserve(b, (size_t) n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t) n;
}

/* ---------------------------------------------------------------------
 * HTML escaping
 * ---------------------------------------------------------------------
 */

/* The HTML for one byte of text, or NULL if it is copied as is. */
static const char *
hb_escape_byte(unsigned char c)
{
	switch (c)
	{
		case '&':
			return "&amp;";
		case '<':
			return "&lt;";
		case '>':
			return "&gt;";
		case '"':
			return "&quot;";
		case '\'':
			return "&#39;";
		case '\t':
		case '\n':
		case '\r':
			return " ";
		default:
			return (c < 0x20 || c == 0x7f) ? "\xEF\xBF\xBD" : NULL;
	}
}

/*
 * Append s (n bytes) HTML-escaped, cut after maxchars UTF-8 characters
 * with an ellipsis.  Cuts fall before a lead byte, so valid UTF-8 (all
 * that jansson accepts) stays valid.
 */
void
hb_escape(HtmlBuf *b, const char *s, size_t n, size_t maxchars)
{
	size_t		chars = 0;
	size_t		run = 0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		unsigned char c = (unsigned char) s[i];
		const char *rep;

		if ((c & 0xC0) != 0x80 && chars++ == maxchars)
		{
			hb_putn(b, s + run, i - run);
			hb_puts(b, "\xE2\x80\xA6");
			return;
		}
		rep = hb_escape_byte(c);
		if (rep == NULL)
			continue;
		hb_putn(b, s + run, i - run);
		hb_puts(b, rep);
		run = i + 1;
	}
	hb_putn(b, s + run, n - run);
}

/* Append a JSON string escaped and cut, or fallback if v is no string. */
void
hb_escape_json(HtmlBuf *b, json_t *v, size_t maxchars, const char *fallback)
{
	if (json_is_string(v))
		hb_escape(b, json_string_value(v), json_string_length(v), maxchars);
	else
		hb_puts(b, fallback);
}

/*
 * Append a JSON scalar: a number formatted by fmt, a string escaped and
 * cut, true or false; none (trusted HTML) for anything else.
 */
void
hb_put_value(HtmlBuf *b, json_t *v, size_t maxchars,
			 void (*fmt) (char *, size_t, double), const char *none)
{
	char		tmp[64];

	if (json_is_number(v))
	{
		fmt(tmp, sizeof(tmp), json_number_value(v));
		hb_puts(b, tmp);
	}
	else if (json_is_string(v))
		hb_escape_json(b, v, maxchars, "");
	else if (json_is_true(v))
		hb_puts(b, "true");
	else if (json_is_false(v))
		hb_puts(b, "false");
	else
		hb_puts(b, none);
}

/* ---------------------------------------------------------------------
 * Reading the document
 * ---------------------------------------------------------------------
 */

/*
 * Parse text (len bytes) as a JSON object; NULL with *why set to not_json
 * or not_object otherwise.  Integers are read as doubles: jsonb prints a
 * double such as 1e100 as a 101-digit integer, which jansson would
 * otherwise reject as "too big integer".
 */
static json_t *
hb_parse_object(const char *text, size_t len, const char *not_json,
				const char *not_object, const char **why)
{
	json_error_t jerr;
	json_t	   *root;

	root = json_loadb(text, len, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL,
					  &jerr);
	if (root == NULL)
	{
		*why = not_json;
		return NULL;
	}
	if (!json_is_object(root))
	{
		json_decref(root);
		*why = not_object;
		return NULL;
	}
	return root;
}

/* The finite number at obj[key] into *out; false if absent or not one. */
bool
hb_num(json_t *obj, const char *key, double *out)
{
	json_t	   *v = json_object_get(obj, key);

	if (!json_is_number(v) || !isfinite(json_number_value(v)))
		return false;
	*out = json_number_value(v);
	return true;
}

/* The string at obj[key], or NULL. */
const char *
hb_str(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* ---------------------------------------------------------------------
 * Number formatting
 * ---------------------------------------------------------------------
 */

/* An integer with thousands separators. */
void
hb_fmt_integer(char *out, size_t outlen, long long v)
{
	char		digits[32];
	size_t		nd;
	size_t		o = 0;
	size_t		i;
	bool		neg = v < 0;

	snprintf(digits, sizeof(digits), "%llu",
			 neg ? 0ULL - (unsigned long long) v : (unsigned long long) v);
	nd = strlen(digits);
	if (neg && o + 1 < outlen)
		out[o++] = '-';
	for (i = 0; i < nd && o + 2 < outlen; i++)
	{
		if (i > 0 && (nd - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

/* Shorten a printf exponent in place: "1.5e+09" -> "1.5e9". */
void
hb_trim_exponent(char *s)
{
	char	   *e = strchr(s, 'e');
	char	   *from;

	if (e == NULL)
		return;
	from = e + 1;
	if (*from == '-')
		e++;					/* keep the sign */
	if (*from == '+' || *from == '-')
		from++;
	while (*from == '0' && from[1] != '\0')
		from++;
	memmove(e + 1, from, strlen(from) + 1);
}

/*
 * A fraction (0..1) as a percentage that never rounds to 0% or 100%; none
 * (the renderer's word for a missing value) when f is not finite.
 */
void
hb_fmt_percent(char *out, size_t outlen, double f, const char *none)
{
	if (!isfinite(f))
		snprintf(out, outlen, "%s", none);
	else if (f <= 0)
		snprintf(out, outlen, "0%%");
	else if (f >= 1)
		snprintf(out, outlen, "100%%");
	else if (f < 0.001)
		snprintf(out, outlen, "&lt;0.1%%");
	else if (f > 0.999)
		snprintf(out, outlen, "&gt;99.9%%");
	else
		snprintf(out, outlen, "%.1f%%", f * 100);
}

/* ---------------------------------------------------------------------
 * The page
 * ---------------------------------------------------------------------
 */

/*
 * Render text (len bytes, need not be NUL-terminated) with page: a
 * malloc'd NUL-terminated page, or NULL with *errmsg (when errmsg is not
 * NULL) set to a static reason: one of page's, or the buffer's ("report
 * too large", "out of memory").
 */
char *
hb_render_page(const HtmlPage *page, const char *text, size_t len,
			   const char **errmsg)
{
	HtmlBuf		b;
	const char *why = NULL;
	json_t	   *root;

	hb_init(&b, page->max_output);
	if (text == NULL)
		why = page->missing;
	else if ((root = hb_parse_object(text, len, page->not_json,
									 page->not_object, &why)) != NULL)
	{
		page->render(&b, root);
		json_decref(root);
		why = b.err;
	}
	if (why != NULL)
	{
		free(b.data);
		if (errmsg)
			*errmsg = why;
		return NULL;
	}
	return b.data;
}

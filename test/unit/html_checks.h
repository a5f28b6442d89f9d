/*-------------------------------------------------------------------------
 *
 * html_checks.h
 *	  Checks shared by the unit tests of the two HTML renderers
 *	  (test_report_html.c, test_report_model.c): counted checks, substring
 *	  searches, page shape, and a growable text for large inputs.
 *
 *-------------------------------------------------------------------------
 */
#ifndef HTML_CHECKS_H
#define HTML_CHECKS_H

#include <ctype.h>

#include "unit.h"

static int	checks = 0;

/* One check through unit.h, counted for the summary line. */
static void
expect(bool ok, const char *what)
{
	checks++;
	check(ok, "%s", what);
}

/* Occurrences of needle in haystack (non-overlapping). */
static size_t
count_of(const char *haystack, const char *needle)
{
	size_t		n = 0;
	size_t		len = strlen(needle);
	const char *p = haystack;

	while ((p = strstr(p, needle)) != NULL)
	{
		n++;
		p += len;
	}
	return n;
}

/* Whether needle occurs in haystack, ignoring ASCII case. */
static bool
contains_ci(const char *haystack, const char *needle)
{
	size_t		n = strlen(needle);
	const char *p;

	for (p = haystack; *p; p++)
	{
		size_t		i;

		for (i = 0; i < n && p[i] &&
			 tolower((unsigned char) p[i]) == tolower((unsigned char) needle[i]);
			 i++)
			;
		if (i == n)
			return true;
	}
	return false;
}

/* Whether html is a whole page: doctype first, closing tag last. */
static bool
is_page(const char *html)
{
	size_t		n;

	if (html == NULL || strncmp(html, "<!DOCTYPE html>", 15) != 0)
		return false;
	n = strlen(html);
	return n > 8 && strcmp(html + n - 8, "</html>\n") == 0;
}

/* A growable JSON text for the large inputs. */
typedef struct Text
{
	char	   *s;
	size_t		len;
	size_t		cap;
} Text;

/* Append to a Text (aborts on out of memory: a test, not the renderer). */
static void
text_add(Text *t, const char *s)
{
	size_t		n = strlen(s);

	if (t->len + n + 1 > t->cap)
	{
		t->cap = (t->len + n + 1) * 2;
		t->s = realloc(t->s, t->cap);
		if (t->s == NULL)
			abort();
	}
	memcpy(t->s + t->len, s, n + 1);
	t->len += n;
}

#endif							/* HTML_CHECKS_H */

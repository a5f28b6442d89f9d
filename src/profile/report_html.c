/*-------------------------------------------------------------------------
 *
 * report_html.c
 *	  The HTML page behind automl.profile_report(): a header with the
 *	  quality score, the issue list, a card per column and the correlations.
 *
 * Why it is built this way:
 *
 * - Plain C over jansson, no PostgreSQL headers.  The input is a stored
 *   jsonb that any role with write access to automl.profiles can change,
 *   so the renderer treats it as hostile and is fuzzed outside the server
 *   with libFuzzer and the sanitizers (test/fuzz/fuzz_report_html.c).
 *
 * - Every lookup goes through jansson's type-checking accessors, so a
 *   missing key or a key of the wrong type reads as "absent": that part of
 *   the page is skipped or shows "n/a", never an error.  Only input that is
 *   not JSON, or JSON that is not an object, is refused.
 *
 * - Numbers are parsed with JSON_DECODE_INT_AS_REAL: jsonb prints a double
 *   such as 1e100 as a 101-digit integer, which jansson would otherwise
 *   reject as "too big integer".  Every double is checked with isfinite()
 *   before it reaches text or an SVG coordinate.
 *
 * - Every string from the JSON goes through hb_escape()
 *   (src/common/html_buf.c, shared with the model report), which escapes
 *   & < > " ', replaces control characters, and cuts long strings at a
 *   UTF-8 character boundary.
 *
 * - The work is bounded: at most RH_MAX_COLUMNS cards, RH_MAX_BINS bars per
 *   histogram, RH_MAX_TOP top values, RH_MAX_ISSUES issues, RH_MAX_CORR
 *   correlations, RH_MAX_CHARS characters per string; the page itself is
 *   capped at RH_MAX_OUTPUT bytes.  The output goes to a growable buffer
 *   (HtmlBuf, src/common/html_buf.c) whose first failure (too large, out
 *   of memory) sticks and turns every later append into a no-op, so the
 *   section writers need no error paths of their own.
 *
 * - The page is self-contained: inline CSS, inline SVG, no scripts and no
 *   external resources.  Histogram bars carry an SVG <title> as a tooltip.
 *
 *-------------------------------------------------------------------------
 */
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/html_buf.h"
#include "profile/report_html.h"

#define RH_MAX_OUTPUT	((size_t) 64 * 1024 * 1024)
#define RH_MAX_COLUMNS	2000
#define RH_MAX_BINS		100
#define RH_MAX_TOP		10
#define RH_MAX_ISSUES	5000
#define RH_MAX_CORR		1000
#define RH_MAX_CHARS	200
#define RH_LABEL_CHARS	40
#define RH_MAX_CHIPS	16

/* Histogram geometry, in SVG user units. */
#define HIST_W			320.0
#define HIST_H			112.0
#define HIST_X0			2.0
#define HIST_X1			318.0
#define HIST_TOP		6.0
#define HIST_BASE		90.0

/* What kind of card a column gets, guessed from the keys it carries. */
typedef enum RhKind
{
	RH_NUMERIC,
	RH_TEMPORAL,
	RH_TEXT,
	RH_BOOLEAN,
	RH_OTHER
} RhKind;

/* One issue badge on a column card: the first issue of a type, and how many. */
typedef struct RhChip
{
	json_t	   *issue;
	size_t		count;
} RhChip;

static const char *const rh_kind_names[] = {
	"numeric", "date/time", "text", "boolean", "other"
};

/* The style sheet, one rule (or a few short ones) per string. */
static const char *const rh_css[] = {
	":root{--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--soft:#eaeef2;"
	"--bg:#f6f8fa;--card:#fff;--accent:#0969da;--good:#1a7f37;"
	"--warn:#bf8700;--bad:#cf222e}\n",
	"*{box-sizing:border-box}\n",
	"body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',"
	"Roboto,sans-serif;color:var(--fg);background:var(--bg)}\n",
	"main{max-width:1240px;margin:0 auto;padding:24px}\n",
	".top{display:flex;gap:28px;align-items:center;background:var(--card);"
	"border:1px solid var(--line);border-radius:12px;padding:20px 24px}\n",
	".top .lead{flex:1;min-width:0}\n",
	".eyebrow{font-size:12px;letter-spacing:.06em;text-transform:uppercase;"
	"color:var(--muted)}\n",
	"h1{font-size:24px;margin:2px 0 4px;overflow-wrap:anywhere}\n",
	".meta{color:var(--muted);font-size:13px}\n",
	".tiles{display:flex;gap:10px;flex-wrap:wrap;margin-top:14px}\n",
	".tile{border:1px solid var(--line);border-radius:8px;padding:6px 14px;"
	"min-width:110px}\n",
	".k{font-size:11px;letter-spacing:.04em;text-transform:uppercase;"
	"color:var(--muted)}\n",
	".tile .v{font-size:19px;font-weight:600;font-variant-numeric:"
	"tabular-nums}\n",
	".gauge{flex:none;text-align:center}\n",
	".gauge .k{margin-top:2px}\n",
	"section{margin-top:28px}\n",
	"h2{font-size:17px;margin:0 0 10px}\n",
	"h2 small{font-weight:400;color:var(--muted);font-size:13px}\n",
	"table{border-collapse:separate;border-spacing:0;width:100%;"
	"background:var(--card);border:1px solid var(--line);"
	"border-radius:12px;overflow:hidden}\n",
	"th,td{text-align:left;padding:8px 12px;border-bottom:1px solid "
	"var(--soft);vertical-align:top}\n",
	"tr:last-child td{border-bottom:0}\n",
	"th{font-size:12px;color:var(--muted);font-weight:600;"
	"background:var(--bg)}\n",
	"td.num{font-variant-numeric:tabular-nums;white-space:nowrap}\n",
	".mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"
	"monospace;font-size:12.5px}\n",
	".muted{color:var(--muted)}\n",
	".badge{display:inline-block;padding:1px 9px;border-radius:999px;"
	"font-size:12px;font-weight:600;color:#fff;white-space:nowrap}\n",
	".sev-high{background:var(--bad)}\n",
	".sev-medium{background:var(--warn)}\n",
	".sev-low{background:var(--accent)}\n",
	".sev-other{background:#6e7781}\n",
	".grid{display:grid;grid-template-columns:repeat(auto-fill,"
	"minmax(min(350px,100%),1fr));gap:16px}\n",
	".card{background:var(--card);border:1px solid var(--line);"
	"border-radius:12px;padding:14px 16px;min-width:0}\n",
	".card header{display:flex;justify-content:space-between;gap:10px;"
	"align-items:baseline}\n",
	".card h3{font-size:15px;margin:0;overflow-wrap:anywhere}\n",
	".kind{font-size:11px;color:var(--muted);border:1px solid var(--line);"
	"border-radius:999px;padding:0 8px;white-space:nowrap}\n",
	".type{color:var(--muted);margin-top:1px;overflow-wrap:anywhere}\n",
	".chips{margin-top:8px;display:flex;flex-wrap:wrap;gap:4px}\n",
	".chips .badge{font-weight:500;font-size:11px}\n",
	".row{display:flex;justify-content:space-between;gap:8px;"
	"font-size:13px;margin-top:10px}\n",
	".bar{height:8px;background:var(--soft);border-radius:4px;"
	"overflow:hidden;display:flex;margin-top:4px}\n",
	".bar span{display:block;height:100%}\n",
	".b-null{background:#8c959f}.b-true{background:var(--good)}"
	".b-false{background:#fa7a18}.b-r{background:var(--accent)}"
	".b-neg{background:var(--bad)}\n",
	".stats{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));"
	"gap:8px 12px;margin:12px 0 4px}\n",
	".stat .v{font-size:13.5px;font-variant-numeric:tabular-nums;font-weight:500;"
	"overflow-wrap:anywhere}\n",
	".time{font-size:12px;color:var(--muted);font-weight:400}\n",
	".q{width:100%;border:0;border-radius:0;margin-top:8px;"
	"table-layout:fixed}\n",
	".q th,.q td{padding:2px 1px;text-align:center;border:0;"
	"background:none;font-size:11.5px;overflow:hidden;"
	"text-overflow:ellipsis;white-space:nowrap}\n",
	".q td{font-variant-numeric:tabular-nums}\n",
	".sub{margin-top:12px;font-size:12px;color:var(--muted)}\n",
	"svg.hist{width:100%;height:auto;display:block;margin-top:4px}\n",
	"svg.hist rect{fill:#54aeff}\n",
	"svg.hist rect:hover{fill:var(--accent)}\n",
	"svg.hist line{stroke:#8c959f;stroke-width:1}\n",
	"svg text{font:10.5px system-ui,sans-serif;fill:var(--muted)}\n",
	".empty{color:var(--muted);font-style:italic;font-size:13px;"
	"margin-top:8px}\n",
	".tv{position:relative;display:flex;justify-content:space-between;"
	"gap:10px;padding:2px 8px;margin-top:3px;border-radius:4px;"
	"font-size:13px;overflow:hidden;background:var(--bg)}\n",
	".tv i{position:absolute;left:0;top:0;bottom:0;background:#ddf4ff}\n",
	".tv b,.tv span{position:relative}\n",
	".tv b{font-weight:400;overflow:hidden;text-overflow:ellipsis;"
	"white-space:nowrap;min-width:0}\n",
	".tv span{flex:none;color:var(--muted);"
	"font-variant-numeric:tabular-nums}\n",
	".legend{display:flex;gap:14px;font-size:12px;color:var(--muted);"
	"margin-top:6px;flex-wrap:wrap}\n",
	".dot{display:inline-block;width:9px;height:9px;border-radius:2px;"
	"margin-right:4px;vertical-align:-1px}\n",
	".rbar{width:120px;display:inline-flex;vertical-align:middle;"
	"margin:0 0 0 10px}\n",
	"footer{margin:28px 0 8px;color:var(--muted);font-size:12px;"
	"text-align:center}\n",
	".scroll{overflow-x:auto;border-radius:12px}\n",
	".scroll table{min-width:560px}\n",
	"@media (max-width:640px){main{padding:12px}.top{flex-direction:column;"
	"align-items:flex-start;padding:16px}}\n",
	NULL
};

/* ---------------------------------------------------------------------
 * Reading the profile
 * ---------------------------------------------------------------------
 */

/* Whether two JSON values are strings with the same contents. */
static bool
rh_same_string(json_t *a, json_t *b)
{
	return json_is_string(a) && json_is_string(b) &&
		json_string_length(a) == json_string_length(b) &&
		memcmp(json_string_value(a), json_string_value(b),
			   json_string_length(a)) == 0;
}

/* Whether obj has any of the given keys (NULL-terminated list). */
static bool
rh_has_any(json_t *obj, const char *const *keys)
{
	for (; *keys; keys++)
		if (json_object_get(obj, *keys) != NULL)
			return true;
	return false;
}

/* Guess a column's kind from its keys (robust to domains and typmods). */
static RhKind
rh_column_kind(json_t *col)
{
	static const char *const boolean[] = {"true_count", "false_count", NULL};
	static const char *const text[] = {"top_values", "mean_length",
	"min_length", "max_length", "empty_count", NULL};
	static const char *const numeric[] = {"mean", "stddev", "quantiles",
	"nan_count", "zeros", "negatives", "skewness", NULL};
	static const char *const temporal[] = {"histogram", "min", "max", NULL};

	if (rh_has_any(col, boolean))
		return RH_BOOLEAN;
	if (rh_has_any(col, text))
		return RH_TEXT;
	if (rh_has_any(col, numeric))
		return RH_NUMERIC;
	if (rh_has_any(col, temporal))
		return RH_TEMPORAL;
	return RH_OTHER;
}

/* ---------------------------------------------------------------------
 * Number formatting
 * ---------------------------------------------------------------------
 */

/* A statistic: integers with separators below 1e10, else %.6g. */
static void
fmt_number(char *out, size_t outlen, double v)
{
	if (!isfinite(v))
		snprintf(out, outlen, "n/a");
	else if (v == floor(v) && fabs(v) < 1e10)
		hb_fmt_integer(out, outlen, (long long) v);
	else
		snprintf(out, outlen, "%.6g", v);
}

/*
 * A compact number for axis labels and narrow cells: small integers as
 * they are, thousands to trillions with a k/M/B/T suffix, else %.4g.
 */
static void
fmt_compact(char *out, size_t outlen, double v)
{
	static const char *const suffix[] = {"k", "M", "B", "T"};
	double		a = fabs(v);
	int			i = 0;

	if (!isfinite(v))
		snprintf(out, outlen, "n/a");
	else if (a < 1e5 && v == floor(v))
		snprintf(out, outlen, "%.0f", v == 0 ? 0.0 : v);
	else if (a < 1e5 || a >= 1e15)
	{
		snprintf(out, outlen, "%.4g", v);
		hb_trim_exponent(out);
	}
	else
	{
		for (v /= 1e3; fabs(v) >= 999.95 && i < 3; i++)
			v /= 1e3;
		snprintf(out, outlen, "%.4g%s", v, suffix[i]);
	}
}

/* A fraction clamped to [0, 1] for bar widths; 0 if not finite. */
static double
clamp01(double f)
{
	if (!isfinite(f) || f < 0)
		return 0;
	return f > 1 ? 1 : f;
}

/* Append a JSON value: number, string (escaped), boolean, or "n/a". */
static void
put_value(HtmlBuf *b, json_t *v, size_t maxchars)
{
	hb_put_value(b, v, maxchars, fmt_number,
				 "<span class=\"muted\">n/a</span>");
}

/* ---------------------------------------------------------------------
 * Small page parts
 * ---------------------------------------------------------------------
 */

/* One labelled statistic in a card's stats grid. */
static void
put_stat(HtmlBuf *b, const char *label, json_t *v)
{
	hb_printf(b, "<div class=\"stat\"><div class=\"k\">%s</div>"
			  "<div class=\"v\">", label);
	put_value(b, v, RH_LABEL_CHARS);
	hb_puts(b, "</div></div>\n");
}

/* One segment of a .bar, fraction f of its width. */
static void
put_bar_segment(HtmlBuf *b, const char *cls, double f)
{
	f = clamp01(f);
	if (f > 0)
		hb_printf(b, "<span class=\"%s\" style=\"width:%.2f%%\"></span>",
				  cls, f * 100);
}

/* A severity badge; unknown severities are shown (escaped) in grey. */
static void
put_severity(HtmlBuf *b, json_t *sev, json_t *label)
{
	const char *s = json_string_value(sev);
	const char *cls = "sev-other";

	if (s && strcmp(s, "high") == 0)
		cls = "sev-high";
	else if (s && strcmp(s, "medium") == 0)
		cls = "sev-medium";
	else if (s && strcmp(s, "low") == 0)
		cls = "sev-low";
	hb_printf(b, "<span class=\"badge %s\">", cls);
	hb_escape_json(b, label, RH_LABEL_CHARS, "n/a");
	hb_puts(b, "</span>");
}

/* Rank of a severity for ordering: 0 high, 1 medium, 2 low, 3 other. */
static int
severity_rank(json_t *issue)
{
	const char *s = hb_str(issue, "severity");

	if (s == NULL)
		return 3;
	if (strcmp(s, "high") == 0)
		return 0;
	if (strcmp(s, "medium") == 0)
		return 1;
	return strcmp(s, "low") == 0 ? 2 : 3;
}

/* Colour of a quality score: green, amber or red. */
static const char *
score_colour(double score)
{
	if (score >= 0.8)
		return "#1a7f37";
	return score >= 0.5 ? "#bf8700" : "#cf222e";
}

/* ---------------------------------------------------------------------
 * Header
 * ---------------------------------------------------------------------
 */

/* The document head: charset, title naming the relation, the CSS. */
static void
render_head(HtmlBuf *b, json_t *root)
{
	const char *const *css;

	hb_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
			"<meta charset=\"utf-8\">\n"
			"<meta name=\"viewport\" content=\"width=device-width, "
			"initial-scale=1\">\n<title>Profile of ");
	hb_escape_json(b, json_object_get(root, "relation"), RH_MAX_CHARS,
				   "a relation");
	hb_puts(b, "</title>\n<style>\n");
	for (css = rh_css; *css; css++)
		hb_puts(b, *css);
	hb_puts(b, "</style>\n</head>\n<body>\n<main>\n");
}

/* The quality score as a ring gauge coloured by the score. */
static void
render_gauge(HtmlBuf *b, json_t *root)
{
	const double circ = 2 * 3.14159265358979 * 50;
	double		score;
	bool		known = hb_num(root, "quality_score", &score);
	double		f = known ? clamp01(score) : 0;

	hb_puts(b, "<div class=\"gauge\"><svg width=\"128\" height=\"128\" "
			"viewBox=\"0 0 128 128\" role=\"img\" aria-label=\"quality score\">"
			"<circle cx=\"64\" cy=\"64\" r=\"50\" fill=\"none\" "
			"stroke=\"#eaeef2\" stroke-width=\"12\"/>");
	if (f > 0)
		hb_printf(b, "<circle cx=\"64\" cy=\"64\" r=\"50\" fill=\"none\" "
				  "stroke=\"%s\" stroke-width=\"12\" stroke-linecap=\"round\" "
				  "stroke-dasharray=\"%.2f %.2f\" "
				  "transform=\"rotate(-90 64 64)\"/>",
				  score_colour(f), f * circ, circ);
	if (known)
		hb_printf(b, "<text x=\"64\" y=\"72\" text-anchor=\"middle\" "
				  "style=\"font:600 23px system-ui,sans-serif;fill:%s\">"
				  "%.3g</text>", score_colour(f), score);
	else
		hb_puts(b, "<text x=\"64\" y=\"70\" text-anchor=\"middle\" "
				"style=\"font:600 20px system-ui,sans-serif\">n/a</text>");
	hb_puts(b, "</svg><div class=\"k\">quality score</div></div>\n");
}

/* One header tile: a label and a count. */
static void
render_tile(HtmlBuf *b, const char *label, json_t *v, const char *note)
{
	hb_printf(b, "<div class=\"tile\"><div class=\"k\">%s</div>"
			  "<div class=\"v\">", label);
	put_value(b, v, RH_LABEL_CHARS);
	hb_printf(b, "</div>%s</div>\n", note);
}

/* The duplicate rows tile, with their share of the rows. */
static void
render_duplicates_tile(HtmlBuf *b, json_t *root)
{
	double		dup;
	double		rows;
	char		pct[32];
	char		note[80] = "";

	if (hb_num(root, "duplicate_rows", &dup) &&
		hb_num(root, "row_count", &rows) && rows > 0)
	{
		hb_fmt_percent(pct, sizeof(pct), dup / rows, "n/a");
		snprintf(note, sizeof(note), "<div class=\"meta\">%s of rows</div>",
				 pct);
	}
	render_tile(b, "duplicate rows", json_object_get(root, "duplicate_rows"),
				note);
}

/* The issues tile: how many of each severity. */
static void
render_issue_tile(HtmlBuf *b, json_t *root)
{
	json_t	   *issues = json_object_get(root, "issues");
	size_t		n = json_array_size(issues);
	size_t		count[4] = {0, 0, 0, 0};
	size_t		i;

	for (i = 0; i < n && i < RH_MAX_ISSUES; i++)
		count[severity_rank(json_array_get(issues, i))]++;
	hb_printf(b, "<div class=\"tile\"><div class=\"k\">issues</div>"
			  "<div class=\"v\">%zu</div><div class=\"meta\">"
			  "%zu high &middot; %zu medium &middot; %zu low</div></div>\n",
			  n, count[0], count[1], count[2]);
}

/* The page header: relation, when, the counts and the quality gauge. */
static void
render_header(HtmlBuf *b, json_t *root)
{
	hb_puts(b, "<header class=\"top\"><div class=\"lead\">"
			"<div class=\"eyebrow\">data profile</div><h1>");
	hb_escape_json(b, json_object_get(root, "relation"), RH_MAX_CHARS,
				   "(unknown relation)");
	hb_puts(b, "</h1><div class=\"meta\">schema ");
	hb_escape_json(b, json_object_get(root, "schema"), RH_MAX_CHARS, "n/a");
	hb_puts(b, " &middot; profiled at ");
	hb_escape_json(b, json_object_get(root, "profiled_at"), RH_LABEL_CHARS,
				   "n/a");
	hb_puts(b, "</div>\n<div class=\"tiles\">\n");
	render_tile(b, "rows", json_object_get(root, "row_count"), "");
	render_tile(b, "columns", json_object_get(root, "column_count"), "");
	render_duplicates_tile(b, root);
	render_issue_tile(b, root);
	hb_puts(b, "</div></div>\n");
	render_gauge(b, root);
	hb_puts(b, "</header>\n");
}

/* Under a list cut at its limit: how much of it is shown. */
static void
render_shown_note(HtmlBuf *b, size_t shown, size_t total, const char *what)
{
	hb_printf(b, "<p class=\"sub\">Showing the first %zu of %zu %s.</p>\n",
			  shown, total, what);
}

/* ---------------------------------------------------------------------
 * Issues
 * ---------------------------------------------------------------------
 */

/* One issue as a table row. */
static void
render_issue_row(HtmlBuf *b, json_t *issue)
{
	json_t	   *col = json_object_get(issue, "column");
	json_t	   *rel = json_object_get(issue, "related_column");

	hb_puts(b, "<tr><td>");
	put_severity(b, json_object_get(issue, "severity"),
				 json_object_get(issue, "severity"));
	hb_puts(b, "</td><td>");
	if (json_is_string(col))
	{
		hb_escape_json(b, col, RH_LABEL_CHARS, "");
		if (json_is_string(rel))
		{
			hb_puts(b, " &harr; ");
			hb_escape_json(b, rel, RH_LABEL_CHARS, "");
		}
	}
	else
		hb_puts(b, "<span class=\"muted\">(table)</span>");
	hb_puts(b, "</td><td class=\"mono\">");
	hb_escape_json(b, json_object_get(issue, "issue_type"), RH_LABEL_CHARS,
				   "n/a");
	hb_puts(b, "</td><td>");
	hb_escape_json(b, json_object_get(issue, "description"), RH_MAX_CHARS,
				   "");
	hb_puts(b, "</td></tr>\n");
}

/* The issue table, high severity first, input order within a severity. */
static void
render_issues(HtmlBuf *b, json_t *root)
{
	json_t	   *issues = json_object_get(root, "issues");
	size_t		n = json_array_size(issues);
	size_t		shown = n < RH_MAX_ISSUES ? n : RH_MAX_ISSUES;
	int			rank;
	size_t		i;

	hb_printf(b, "<section><h2>Issues <small>%zu</small></h2>\n", n);
	if (n == 0)
	{
		hb_puts(b, "<p class=\"empty\">No issues found.</p></section>\n");
		return;
	}
	hb_puts(b, "<div class=\"scroll\"><table><thead><tr><th>severity</th>"
			"<th>column</th><th>issue</th><th>description</th></tr></thead>"
			"<tbody>\n");
	for (rank = 0; rank < 4; rank++)
		for (i = 0; i < shown; i++)
			if (severity_rank(json_array_get(issues, i)) == rank)
				render_issue_row(b, json_array_get(issues, i));
	hb_puts(b, "</tbody></table></div>\n");
	if (shown < n)
		render_shown_note(b, shown, n, "issues");
	hb_puts(b, "</section>\n");
}

/* ---------------------------------------------------------------------
 * Histogram
 * ---------------------------------------------------------------------
 */

/* A histogram bound as a label: compact number, or a shortened ISO date. */
static void
put_bound_label(HtmlBuf *b, json_t *v)
{
	char		tmp[64];
	const char *s = json_string_value(v);
	size_t		n = json_string_length(v);
	size_t		i;

	if (json_is_number(v))
	{
		fmt_compact(tmp, sizeof(tmp), json_number_value(v));
		hb_puts(b, tmp);
		return;
	}
	if (s == NULL)
	{
		hb_puts(b, "n/a");
		return;
	}
	/* "2026-01-16T01:16:53.588003+00:00" -> "2026-01-16 01:16" */
	for (i = 0; i < n && i < 16 && (unsigned char) s[i] < 0x80; i++)
		tmp[i] = (i == 10 && s[i] == 'T') ? ' ' : s[i];
	if (i == n || i == 16)
		hb_escape(b, tmp, i, 16);
	else
		hb_escape(b, s, n, 16);
}

/* A bound in full for a tooltip. */
static void
put_bound_full(HtmlBuf *b, json_t *v)
{
	char		tmp[64];

	if (json_is_number(v))
	{
		snprintf(tmp, sizeof(tmp), "%.6g", json_number_value(v));
		hb_puts(b, isfinite(json_number_value(v)) ? tmp : "n/a");
	}
	else
		hb_escape_json(b, v, RH_LABEL_CHARS, "n/a");
}

/* Count of bin i: a finite non-negative number, else 0. */
static double
bin_count(json_t *counts, size_t i)
{
	json_t	   *v = json_array_get(counts, i);
	double		c = json_is_number(v) ? json_number_value(v) : 0;

	return (isfinite(c) && c > 0) ? c : 0;
}

/* One bar with its tooltip "[lo, hi): count". */
static void
render_bin(HtmlBuf *b, json_t *hist, size_t i, size_t nbins, double maxc)
{
	json_t	   *bounds = json_object_get(hist, "bounds");
	double		c = bin_count(json_object_get(hist, "counts"), i);
	double		bw = (HIST_X1 - HIST_X0) / (double) nbins;
	double		gap = bw > 4 ? 1 : 0;
	double		h = c / maxc * (HIST_BASE - HIST_TOP);
	char		tmp[64];

	if (c > 0 && h < 1.5)
		h = 1.5;				/* keep a lone outlier visible */
	if (!isfinite(h) || !isfinite(bw) || h <= 0)
		return;
	hb_printf(b, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\">"
			  "<title>[", HIST_X0 + (double) i * bw + gap / 2, HIST_BASE - h,
			  bw - gap, h);
	put_bound_full(b, json_array_get(bounds, i));
	hb_puts(b, ", ");
	put_bound_full(b, json_array_get(bounds, i + 1));
	fmt_number(tmp, sizeof(tmp), c);
	hb_printf(b, "%s: %s</title></rect>", i + 1 == nbins ? "]" : ")", tmp);
}

/* An SVG histogram of hist.counts over hist.bounds, bars scaled to max. */
static void
render_histogram(HtmlBuf *b, json_t *hist)
{
	json_t	   *bounds = json_object_get(hist, "bounds");
	json_t	   *counts = json_object_get(hist, "counts");
	size_t		nbins = json_array_size(counts);
	double		maxc = 0;
	size_t		i;

	if (nbins > RH_MAX_BINS)
		nbins = RH_MAX_BINS;
	for (i = 0; i < nbins; i++)
		if (bin_count(counts, i) > maxc)
			maxc = bin_count(counts, i);
	if (nbins == 0 || maxc <= 0)
	{
		hb_puts(b, "<p class=\"empty\">No histogram.</p>\n");
		return;
	}
	hb_printf(b, "<svg class=\"hist\" viewBox=\"0 0 %.0f %.0f\" "
			  "role=\"img\" aria-label=\"histogram\">", HIST_W, HIST_H);
	for (i = 0; i < nbins; i++)
		render_bin(b, hist, i, nbins, maxc);
	hb_printf(b, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/>",
			  HIST_X0, HIST_BASE + 0.5, HIST_X1, HIST_BASE + 0.5);
	hb_printf(b, "<text x=\"%.0f\" y=\"%.0f\">", HIST_X0, HIST_BASE + 16);
	put_bound_label(b, json_array_get(bounds, 0));
	hb_printf(b, "</text><text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">",
			  HIST_X1, HIST_BASE + 16);
	put_bound_label(b, json_array_get(bounds, nbins));
	hb_puts(b, "</text></svg>\n");
}

/* ---------------------------------------------------------------------
 * Column cards
 * ---------------------------------------------------------------------
 */

/* The card's title: name, kind and type. */
static void
render_card_title(HtmlBuf *b, json_t *col, RhKind kind)
{
	hb_puts(b, "<article class=\"card\"><header><h3>");
	hb_escape_json(b, json_object_get(col, "name"), RH_MAX_CHARS,
				   "(unnamed)");
	hb_printf(b, "</h3><span class=\"kind\">%s</span></header>\n"
			  "<div class=\"type mono\">", rh_kind_names[kind]);
	hb_escape_json(b, json_object_get(col, "type"), RH_LABEL_CHARS, "n/a");
	hb_puts(b, "</div>\n");
}

/* Remember issue under its type in chips[]; false when there is no room. */
static bool
chip_add(RhChip *chips, size_t *nchips, json_t *issue)
{
	json_t	   *type = json_object_get(issue, "issue_type");
	size_t		i;

	for (i = 0; i < *nchips; i++)
		if (rh_same_string(json_object_get(chips[i].issue, "issue_type"),
						   type))
		{
			chips[i].count++;
			return true;
		}
	if (*nchips == RH_MAX_CHIPS)
		return false;
	chips[*nchips].issue = issue;
	chips[*nchips].count = 1;
	(*nchips)++;
	return true;
}

/*
 * Badges for the issues that name this column (as column or related_column),
 * one per issue type with a count when it repeats (a column correlated with
 * many others).
 */
static void
render_card_chips(HtmlBuf *b, json_t *root, json_t *col)
{
	json_t	   *issues = json_object_get(root, "issues");
	json_t	   *name = json_object_get(col, "name");
	size_t		n = json_array_size(issues);
	RhChip		chips[RH_MAX_CHIPS];
	size_t		nchips = 0;
	size_t		i;

	if (!json_is_string(name))
		return;
	for (i = 0; i < n && i < RH_MAX_ISSUES; i++)
	{
		json_t	   *issue = json_array_get(issues, i);

		if ((rh_same_string(json_object_get(issue, "column"), name) ||
			 rh_same_string(json_object_get(issue, "related_column"), name)) &&
			!chip_add(chips, &nchips, issue))
			break;
	}
	if (nchips == 0)
		return;
	hb_puts(b, "<div class=\"chips\">");
	for (i = 0; i < nchips; i++)
	{
		put_severity(b, json_object_get(chips[i].issue, "severity"),
					 json_object_get(chips[i].issue, "issue_type"));
		if (chips[i].count > 1)
			hb_printf(b, "<span class=\"muted\">&times;%zu</span>",
					  chips[i].count);
	}
	hb_puts(b, "</div>\n");
}

/* NULLs (count, fraction, bar) and distinct values: on every card. */
static void
render_card_common(HtmlBuf *b, json_t *col)
{
	double		frac;
	char		pct[32] = "n/a";
	json_t	   *exact = json_object_get(col, "distinct_exact");

	if (hb_num(col, "null_fraction", &frac))
		hb_fmt_percent(pct, sizeof(pct), frac, "n/a");
	else
		frac = 0;
	hb_puts(b, "<div class=\"row\"><span><span class=\"k\">nulls</span> ");
	put_value(b, json_object_get(col, "null_count"), RH_LABEL_CHARS);
	hb_printf(b, " <span class=\"muted\">(%s)</span></span>"
			  "<span><span class=\"k\">distinct</span> %s", pct,
			  json_is_false(exact) ? "&asymp;" : "");
	put_value(b, json_object_get(col, "distinct_count"), RH_LABEL_CHARS);
	hb_puts(b, "</span></div>\n<div class=\"bar\">");
	put_bar_segment(b, "b-null", frac);
	hb_puts(b, "</div>\n");
}

/* The quantiles p01..p99 as a compact two-row table. */
static void
render_quantiles(HtmlBuf *b, json_t *col)
{
	static const char *const keys[] = {"p01", "p05", "p25", "p50", "p75",
	"p95", "p99"};
	json_t	   *q = json_object_get(col, "quantiles");
	char		tmp[64];
	size_t		i;

	if (!json_is_object(q))
		return;
	hb_puts(b, "<table class=\"q\"><tr>");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		hb_printf(b, "<th>p%d</th>", atoi(keys[i] + 1));
	hb_puts(b, "</tr><tr>");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
	{
		double		v;

		if (hb_num(q, keys[i], &v))
			fmt_compact(tmp, sizeof(tmp), v);
		else
			snprintf(tmp, sizeof(tmp), "n/a");
		hb_printf(b, "<td title=\"%s\">%s</td>", tmp, tmp);
	}
	hb_puts(b, "</tr></table>\n");
}

/* Numeric card body: moments, counts, quantiles, histogram. */
static void
render_numeric(HtmlBuf *b, json_t *col)
{
	hb_puts(b, "<div class=\"stats\">\n");
	put_stat(b, "min", json_object_get(col, "min"));
	put_stat(b, "mean", json_object_get(col, "mean"));
	put_stat(b, "max", json_object_get(col, "max"));
	put_stat(b, "stddev", json_object_get(col, "stddev"));
	put_stat(b, "skewness", json_object_get(col, "skewness"));
	put_stat(b, "zeros", json_object_get(col, "zeros"));
	put_stat(b, "negatives", json_object_get(col, "negatives"));
	put_stat(b, "NaN", json_object_get(col, "nan_count"));
	put_stat(b, "&plusmn;infinity", json_object_get(col, "inf_count"));
	hb_puts(b, "</div>\n");
	render_quantiles(b, col);
	render_histogram(b, json_object_get(col, "histogram"));
}

/*
 * A date/time statistic: an ISO 8601 timestamp is split into the date and,
 * on a second smaller line, the time; anything else is shown as is.
 */
static void
put_temporal_stat(HtmlBuf *b, const char *label, json_t *v)
{
	const char *s = json_string_value(v);
	size_t		n = json_string_length(v);

	if (s == NULL || n <= 11 || s[10] != 'T')
	{
		put_stat(b, label, v);
		return;
	}
	hb_printf(b, "<div class=\"stat\"><div class=\"k\">%s</div>"
			  "<div class=\"v\">", label);
	hb_escape(b, s, 10, 10);
	hb_puts(b, "<div class=\"time\">");
	hb_escape(b, s + 11, n - 11, RH_LABEL_CHARS);
	hb_puts(b, "</div></div></div>\n");
}

/* Date/time card body: range, infinities, histogram with ISO labels. */
static void
render_temporal(HtmlBuf *b, json_t *col)
{
	hb_puts(b, "<div class=\"stats\">\n");
	put_temporal_stat(b, "min", json_object_get(col, "min"));
	put_temporal_stat(b, "max", json_object_get(col, "max"));
	put_stat(b, "&plusmn;infinity", json_object_get(col, "inf_count"));
	hb_puts(b, "</div>\n");
	render_histogram(b, json_object_get(col, "histogram"));
}

/* One top value: a bar of its share of total, the value, its count. */
static void
render_top_value(HtmlBuf *b, json_t *tv, double total)
{
	json_t	   *value = json_object_get(tv, "value");
	double		c = 0;
	bool		known = hb_num(tv, "count", &c);
	bool		share = known && total > 0;
	char		cnt[64] = "n/a";
	char		pct[32];

	if (known)
		fmt_number(cnt, sizeof(cnt), c);
	hb_printf(b, "<div class=\"tv\"><i style=\"width:%.2f%%\"></i><b>",
			  share ? clamp01(c / total) * 100 : 0.0);
	if (json_is_string(value) && json_string_length(value) == 0)
		hb_puts(b, "<em class=\"muted\">(empty string)</em>");
	else
		put_value(b, value, RH_MAX_CHARS);
	hb_printf(b, "</b><span>%s", cnt);
	if (share)
	{
		hb_fmt_percent(pct, sizeof(pct), c / total, "n/a");
		hb_printf(b, " &middot; %s", pct);
	}
	hb_puts(b, "</span></div>\n");
}

/* Text card body: lengths, empties, top values as horizontal bars. */
static void
render_text(HtmlBuf *b, json_t *root, json_t *col)
{
	json_t	   *top = json_object_get(col, "top_values");
	size_t		n = json_array_size(top);
	double		rows = 0;
	double		nulls = 0;
	size_t		i;

	hb_puts(b, "<div class=\"stats\">\n");
	put_stat(b, "min length", json_object_get(col, "min_length"));
	put_stat(b, "mean length", json_object_get(col, "mean_length"));
	put_stat(b, "max length", json_object_get(col, "max_length"));
	put_stat(b, "empty strings", json_object_get(col, "empty_count"));
	hb_puts(b, "</div>\n");
	if (n == 0)
		return;
	hb_printf(b, "<div class=\"sub\">top values%s</div>\n",
			  json_is_false(json_object_get(col, "top_values_exact")) ?
			  " (approximate counts, lower bounds)" : "");
	hb_num(root, "row_count", &rows);
	hb_num(col, "null_count", &nulls);
	for (i = 0; i < n && i < RH_MAX_TOP; i++)
		render_top_value(b, json_array_get(top, i), rows - nulls);
}

/* Boolean card body: a true/false/null bar and its legend. */
static void
render_boolean(HtmlBuf *b, json_t *col)
{
	double		t = 0;
	double		f = 0;
	double		nul = 0;
	double		total;
	char		pt[32];
	char		pf[32];

	hb_num(col, "true_count", &t);
	hb_num(col, "false_count", &f);
	hb_num(col, "null_count", &nul);
	t = t > 0 ? t : 0;
	f = f > 0 ? f : 0;
	nul = nul > 0 ? nul : 0;
	total = t + f + nul;
	hb_fmt_percent(pt, sizeof(pt), total > 0 ? t / total : 0, "n/a");
	hb_fmt_percent(pf, sizeof(pf), total > 0 ? f / total : 0, "n/a");
	hb_puts(b, "<div class=\"sub\">values</div><div class=\"bar\" "
			"style=\"height:14px\">");
	if (total > 0 && isfinite(total))
	{
		put_bar_segment(b, "b-true", t / total);
		put_bar_segment(b, "b-false", f / total);
		put_bar_segment(b, "b-null", nul / total);
	}
	hb_puts(b, "</div>\n<div class=\"legend\"><span><i class=\"dot b-true\">"
			"</i>true ");
	put_value(b, json_object_get(col, "true_count"), RH_LABEL_CHARS);
	hb_printf(b, " (%s)</span><span><i class=\"dot b-false\"></i>false ", pt);
	put_value(b, json_object_get(col, "false_count"), RH_LABEL_CHARS);
	hb_printf(b, " (%s)</span><span><i class=\"dot b-null\"></i>null ", pf);
	put_value(b, json_object_get(col, "null_count"), RH_LABEL_CHARS);
	hb_puts(b, "</span></div>\n");
}

/* One column card. */
static void
render_column(HtmlBuf *b, json_t *root, json_t *col)
{
	RhKind		kind = rh_column_kind(col);

	render_card_title(b, col, kind);
	render_card_chips(b, root, col);
	render_card_common(b, col);
	switch (kind)
	{
		case RH_NUMERIC:
			render_numeric(b, col);
			break;
		case RH_TEMPORAL:
			render_temporal(b, col);
			break;
		case RH_TEXT:
			render_text(b, root, col);
			break;
		case RH_BOOLEAN:
			render_boolean(b, col);
			break;
		case RH_OTHER:
			break;
	}
	hb_puts(b, "</article>\n");
}

/* The grid of column cards, at most RH_MAX_COLUMNS of them. */
static void
render_columns(HtmlBuf *b, json_t *root)
{
	json_t	   *cols = json_object_get(root, "columns");
	size_t		n = json_array_size(cols);
	size_t		i;

	hb_printf(b, "<section><h2>Columns <small>%zu</small></h2>\n", n);
	if (n == 0)
	{
		hb_puts(b, "<p class=\"empty\">No columns.</p></section>\n");
		return;
	}
	hb_puts(b, "<div class=\"grid\">\n");
	for (i = 0; i < n && i < RH_MAX_COLUMNS; i++)
		render_column(b, root, json_array_get(cols, i));
	hb_puts(b, "</div>\n");
	if (n > RH_MAX_COLUMNS)
		render_shown_note(b, RH_MAX_COLUMNS, n, "columns");
	hb_puts(b, "</section>\n");
}

/* ---------------------------------------------------------------------
 * Correlations
 * ---------------------------------------------------------------------
 */

/* One correlation row: the two columns and r with a bar of |r|. */
static void
render_correlation_row(HtmlBuf *b, json_t *pair)
{
	json_t	   *cols = json_object_get(pair, "columns");
	double		r;
	bool		known = hb_num(pair, "pearson_r", &r);

	hb_puts(b, "<tr><td>");
	hb_escape_json(b, json_array_get(cols, 0), RH_LABEL_CHARS, "n/a");
	hb_puts(b, "</td><td>");
	hb_escape_json(b, json_array_get(cols, 1), RH_LABEL_CHARS, "n/a");
	hb_puts(b, "</td><td class=\"num\">");
	if (!known)
	{
		hb_puts(b, "<span class=\"muted\">n/a</span></td></tr>\n");
		return;
	}
	hb_printf(b, fabs(r) <= 1 ? "%+.3f" : "%.4g", r);
	hb_puts(b, "<span class=\"bar rbar\">");
	put_bar_segment(b, r < 0 ? "b-neg" : "b-r", fabs(r));
	hb_puts(b, "</span></td></tr>\n");
}

/* The correlation table, when there are any. */
static void
render_correlations(HtmlBuf *b, json_t *root)
{
	json_t	   *corr = json_object_get(root, "correlations");
	size_t		n = json_array_size(corr);
	size_t		i;

	if (n == 0)
		return;
	hb_printf(b, "<section><h2>Correlations <small>Pearson r, |r| &gt; 0.5"
			  "</small></h2>\n<div class=\"scroll\"><table><thead><tr>"
			  "<th>column</th><th>column</th><th>r</th></tr></thead><tbody>\n");
	for (i = 0; i < n && i < RH_MAX_CORR; i++)
		render_correlation_row(b, json_array_get(corr, i));
	hb_puts(b, "</tbody></table></div>\n");
	if (n > RH_MAX_CORR)
		render_shown_note(b, RH_MAX_CORR, n, "pairs");
	hb_puts(b, "</section>\n");
}

/* ---------------------------------------------------------------------
 * Entry point
 * ---------------------------------------------------------------------
 */

/* The whole page for a parsed profile object. */
static void
render_page(HtmlBuf *b, json_t *root)
{
	render_head(b, root);
	render_header(b, root);
	render_issues(b, root);
	render_columns(b, root);
	render_correlations(b, root);
	hb_puts(b, "<footer>Generated by automl.profile_report()</footer>\n"
			"</main>\n</body>\n</html>\n");
}

/* The page, its cap and its reasons for refusing a document. */
static const HtmlPage rh_page = {
	RH_MAX_OUTPUT, render_page,
	"profile is missing",
	"profile is not valid JSON",
	"profile is not a JSON object"
};

/*
 * Render the profile JSON text as an HTML page: malloc'd, or NULL with
 * *errmsg set to a static reason.
 */
char *
profile_report_html(const char *profile_json, size_t len, const char **errmsg)
{
	return hb_render_page(&rh_page, profile_json, len, errmsg);
}

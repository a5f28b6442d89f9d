/*-------------------------------------------------------------------------
 *
 * test_report_html.c
 *	  Unit tests of the profile HTML renderer (src/profile/report_html.c).
 *
 * The renderer is plain C over jansson, so it is tested here without a
 * server: a real profile (produced by automl.profile() on a small table
 * with a hostile column name, options {"histogram_bins": 3,
 * "top_values": 2}) must render a complete page, and input of every wrong
 * shape must render something or be refused with a reason, never crash.
 * The inputs are C strings kept short; the large ones are built in code.
 *
 *	  cc -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
 *		-DAUTOML_STANDALONE -Isrc test/unit/test_report_html.c \
 *		src/profile/report_html.c src/common/html_buf.c -ljansson -lm && ./a.out
 *
 * Prints "ok - ..." / "not ok - ..." per check (unit.h) and a last line
 * "report_html: N passed, M failed"; exits non-zero if any check failed.
 *
 *-------------------------------------------------------------------------
 */
#include "html_checks.h"


#include "profile/report_html.h"

/* automl.profile('rep_unit', ...) on the dev server, verbatim. */
static const char real_sample[] =
	"{\"issues\":[{\"column\":\"id\",\"severity\":\"low\","
	"\"issue_type\":\"unique\",\"description\":\"all 5 non-null values are distinct: an identifier,"
	" not a feature\"},{\"column\":\"amount\",\"severity\":\"medium\","
	"\"issue_type\":\"missing_values\",\"description\":\"1 of 5 values (20.0%) are NULL\"},"
	"{\"column\":\"amount\",\"severity\":\"low\",\"issue_type\":\"unique\","
	"\"description\":\"all 4 non-null values are distinct: an identifier,"
	" not a feature\"},{\"column\":\"amount\",\"severity\":\"medium\","
	"\"issue_type\":\"outliers\",\"description\":\"1 of 4 values (25.00%) lie outside the Tukey fences [-1.5,"
	" 8.5]; min 1.5, max 10\"},{\"column\":\"ok\",\"severity\":\"medium\","
	"\"issue_type\":\"missing_values\",\"description\":\"1 of 5 values (20.0%) are NULL\"},"
	"{\"column\":\"at\",\"severity\":\"medium\",\"issue_type\":\"missing_values\","
	"\"description\":\"1 of 5 values (20.0%) are NULL\"}],"
	"\"schema\":\"public\",\"columns\":[{\"max\":5,\"min\":1,"
	"\"mean\":3,\"name\":\"id\",\"type\":\"integer\",\"zeros\":0,"
	"\"stddev\":1.5811388300841898,\"skewness\":0,\"histogram\":{\"bounds\":[1,"
	"2.333333333333333,3.6666666666666665,5],\"counts\":[2,"
	"1,2]},\"inf_count\":0,\"nan_count\":0,\"negatives\":0,"
	"\"quantiles\":{\"p01\":1.04,\"p05\":1.2,\"p25\":2,\"p50\":3,"
	"\"p75\":4,\"p95\":4.8,\"p99\":4.96},\"null_count\":0,"
	"\"null_fraction\":0,\"distinct_count\":5,\"distinct_exact\":true,"
	"\"quantiles_exact\":true},{\"name\":\"<script>alert(1)</script>\","
	"\"type\":\"text\",\"max_length\":3,\"min_length\":3,\"null_count\":0,"
	"\"top_values\":[{\"count\":3,\"value\":\"a&b\"},{\"count\":1,"
	"\"value\":\"<i>\"}],\"empty_count\":0,\"mean_length\":3,"
	"\"null_fraction\":0,\"distinct_count\":3,\"distinct_exact\":true,"
	"\"top_values_exact\":true},{\"max\":10,\"min\":1.5,\"mean\":4.25,"
	"\"name\":\"amount\",\"type\":\"numeric\",\"zeros\":0,"
	"\"stddev\":3.8837267325770144,\"skewness\":1.843646962700703,"
	"\"histogram\":{\"bounds\":[1.5,4.333333333333334,7.166666666666667,"
	"10],\"counts\":[3,0,1]},\"inf_count\":0,\"nan_count\":0,"
	"\"negatives\":0,\"quantiles\":{\"p01\":1.53,\"p05\":1.65,"
	"\"p25\":2.25,\"p50\":2.75,\"p75\":4.75,\"p95\":8.949999999999998,"
	"\"p99\":9.79},\"null_count\":1,\"null_fraction\":0.2,"
	"\"distinct_count\":4,\"distinct_exact\":true,\"quantiles_exact\":true},"
	"{\"name\":\"ok\",\"type\":\"boolean\",\"null_count\":1,"
	"\"true_count\":3,\"false_count\":1,\"null_fraction\":0.2,"
	"\"distinct_count\":2,\"distinct_exact\":true},{\"max\":\"2024-04-01\","
	"\"min\":\"2024-01-01\",\"name\":\"at\",\"type\":\"date\","
	"\"histogram\":{\"bounds\":[\"2024-01-01\",\"2024-01-31\","
	"\"2024-03-01\",\"2024-04-01\"],\"counts\":[1,2,1]},\"inf_count\":0,"
	"\"null_count\":1,\"null_fraction\":0.2,\"distinct_count\":4,"
	"\"distinct_exact\":true}],\"relation\":\"rep_unit\",\"row_count\":5,"
	"\"profiled_at\":\"2026-11-23T17:24:14.677446+00:00\","
	"\"column_count\":5,\"correlations\":[],\"quality_score\":0.76,"
	"\"duplicate_rows\":0}";

/* Render a NUL-terminated JSON text; *why gets the reason on failure. */
static char *
render(const char *json, const char **why)
{
	*why = NULL;
	return profile_report_html(json, strlen(json), why);
}

/* Whether a non-finite number slipped into an attribute or a style. */
static bool
has_nonfinite(const char *html)
{
	static const char *const bad[] = {"\"nan", "\"-nan", "\"inf", "\"-inf",
	":nan", ":-nan", ":inf", ":-inf", "nan%", "inf%", "nan\"", "inf\"", NULL};
	int			i;

	for (i = 0; bad[i]; i++)
		if (contains_ci(html, bad[i]))
			return true;
	return false;
}

/* Whether any script element or event handler could reach the page. */
static bool
has_active_content(const char *html)
{
	return contains_ci(html, "<script") ||
		contains_ci(html, "javascript:") ||
		contains_ci(html, " onerror") ||
		contains_ci(html, " onload");
}

/* The real sample: a full page with an SVG histogram per numeric column. */
static void
test_real_sample(void)
{
	const char *why;
	char	   *html = render(real_sample, &why);

	expect(html != NULL, "real sample renders");
	if (html == NULL)
		return;
	expect(is_page(html), "real sample is a whole page (doctype .. </html>)");
	expect(strstr(html, "<meta charset=\"utf-8\">") != NULL,
		   "real sample declares utf-8");
	expect(strstr(html, "<title>Profile of rep_unit</title>") != NULL,
		   "title names the relation");
	/* id and amount are numeric, at is a date: three histograms */
	expect(count_of(html, "<svg class=\"hist\"") == 3,
		   "an svg histogram per numeric and date column");
	expect(count_of(html, "<article class=\"card\">") == 5,
		   "a card per column");
	expect(count_of(html, "<rect ") == 8,
		   "one bar per non-empty bin (2+1+2, 3+1, 1+2+1)");
	expect(strstr(html, "0.76") != NULL, "quality score shown");
	expect(strstr(html, "2024-01-01") != NULL, "ISO bound as a label");
	expect(!has_active_content(html), "hostile column name is not a script");
	expect(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;") != NULL,
		   "hostile column name appears escaped");
	expect(strstr(html, "a&amp;b") != NULL && strstr(html, "a&b") == NULL,
		   "top value with & escaped");
	expect(!has_nonfinite(html), "real sample has no nan/inf in attributes");
	expect(strstr(html, "http") == NULL && strstr(html, "src=") == NULL,
		   "no external resources");
	free(html);
}

/* Text that is not JSON is refused with a reason. */
static void
test_invalid_json(void)
{
	static const char *const inputs[] = {"", "{", "nul", "{\"a\":}",
	"{\"a\":1}x", "\xff\xfe{}", "{\"s\":\"\xc3\x28\"}", "{\"s\":\"\\u0000\"}",
	"{\"n\":1e400}", NULL};
	bool		all = true;
	int			i;

	for (i = 0; inputs[i]; i++)
	{
		const char *why;
		char	   *html = render(inputs[i], &why);

		if (html != NULL || why == NULL ||
			strcmp(why, "profile is not valid JSON") != 0)
			all = false;
		free(html);
	}
	expect(all, "invalid JSON -> NULL + \"profile is not valid JSON\"");
}

/* JSON that is not an object is refused with a reason. */
static void
test_not_object(void)
{
	static const char *const inputs[] = {"[]", "5", "\"x\"", "null", "true",
	"[{\"columns\":[]}]", NULL};
	bool		all = true;
	int			i;

	for (i = 0; inputs[i]; i++)
	{
		const char *why;
		char	   *html = render(inputs[i], &why);

		if (html != NULL || why == NULL ||
			strcmp(why, "profile is not a JSON object") != 0)
			all = false;
		free(html);
	}
	expect(all, "non-object JSON -> NULL + \"profile is not a JSON object\"");
}

/* Objects of the wrong shape render a page, with no nan/inf and no script. */
static void
test_wrong_shapes(void)
{
	static const char *const inputs[] = {
		"{}",
		"{\"columns\": 5}",
		"{\"columns\":[{\"histogram\":{\"bounds\":[1,\"x\"],"
		"\"counts\":[-5]}}]}",
		"{\"columns\":[5, null, \"x\", [], {}, {\"name\":null}]}",
		"{\"relation\":5,\"schema\":[],\"profiled_at\":{},\"row_count\":\"x\","
		"\"quality_score\":\"x\",\"duplicate_rows\":-3,\"column_count\":-1}",
		"{\"issues\":[1,null,{\"severity\":5},{\"severity\":\"<b>\","
		"\"column\":[],\"issue_type\":{},\"description\":7}]}",
		"{\"correlations\":[5,{\"columns\":5,\"pearson_r\":\"x\"},"
		"{\"columns\":[1],\"pearson_r\":-7}]}",
		"{\"columns\":[{\"name\":\"t\",\"top_values\":[1,{\"value\":{},"
		"\"count\":\"x\"},{\"value\":\"\",\"count\":-4}],\"null_count\":9}],"
		"\"row_count\":3}",
		"{\"columns\":[{\"true_count\":-1,\"false_count\":1e308,"
		"\"null_count\":1e308}]}",
		"{\"row_count\":1e308,\"quality_score\":-1e308,\"columns\":[{"
		"\"mean\":1e308,\"min\":-1e308,\"quantiles\":{\"p50\":1e308},"
		"\"histogram\":{\"bounds\":[-1e308,1e308],\"counts\":[1e308,1e308,"
		"1e308]}}]}",
		"{\"columns\":[{\"histogram\":{\"bounds\":{},\"counts\":{}}},"
		"{\"histogram\":[1,2]},{\"histogram\":{\"counts\":[0,0,0]}},"
		"{\"histogram\":{\"bounds\":[true,null,[]],\"counts\":[1,\"2\",3]}}]}",
		"{\"columns\":[{\"min\":\"2024-01-01T\",\"max\":\"T\","
		"\"histogram\":{\"bounds\":[\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9T\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"],\"counts\":[1]}}]}",
		"{\"quality_score\":0.3,\"columns\":[],\"issues\":[]}",
		NULL
	};
	bool		pages = true;
	bool		clean = true;
	int			i;

	for (i = 0; inputs[i]; i++)
	{
		const char *why;
		char	   *html = render(inputs[i], &why);

		if (!is_page(html))
		{
			note("input %d did not render: %s", i, why ? why : "?");
			pages = false;
		}
		else if (has_nonfinite(html) || has_active_content(html))
		{
			note("input %d: nan/inf or script in output", i);
			clean = false;
		}
		free(html);
	}
	expect(pages, "wrong-shape objects render a page");
	expect(clean, "wrong-shape objects: no nan/inf, no script");
}

/* The five HTML-special characters and control characters are escaped. */
static void
test_escaping(void)
{
	const char *why;
	char	   *html = render("{\"relation\":\"<r&\\\"'>\",\"columns\":[{"
							  "\"name\":\"a&<>\\\"'b\\u0001\\n\"}]}", &why);

	expect(html != NULL &&
		   strstr(html, "a&amp;&lt;&gt;&quot;&#39;b\xEF\xBF\xBD ") != NULL,
		   "& < > \" ' escaped, control characters replaced");
	expect(html != NULL &&
		   strstr(html, "<title>Profile of &lt;r&amp;&quot;&#39;&gt;</title>")
		   != NULL, "relation escaped in the title");
	free(html);
}

/* Histograms, top values, strings and columns are capped. */
static void
test_caps(void)
{
	Text		t = {NULL, 0, 0};
	const char *why;
	char	   *html;
	char		xs[5001];
	int			i;

	text_add(&t, "{\"columns\":[{\"mean\":1,\"histogram\":{\"counts\":[");
	for (i = 0; i < 500; i++)
		text_add(&t, i ? ",1" : "1");
	text_add(&t, "]}},{\"name\":\"");
	memset(xs, 'x', 5000);
	xs[5000] = '\0';
	text_add(&t, xs);
	text_add(&t, "\",\"top_values\":[");
	for (i = 0; i < 50; i++)
		text_add(&t, i ? ",{\"value\":\"v\",\"count\":1}" :
				 "{\"value\":\"v\",\"count\":1}");
	text_add(&t, "]}]}");
	html = profile_report_html(t.s, t.len, &why);
	expect(html != NULL && count_of(html, "<rect ") == 100,
		   "histogram capped at 100 bars");
	expect(html != NULL && count_of(html, "<div class=\"tv\">") == 10,
		   "top values capped at 10");
	xs[201] = '\0';
	expect(html != NULL && strstr(html, xs) == NULL &&
		   strstr(html, "\xE2\x80\xA6") != NULL,
		   "long strings cut at 200 characters with an ellipsis");
	free(html);
	free(t.s);
}

/* More than 2000 columns: the first 2000 are shown, with a note. */
static void
test_many_columns(void)
{
	Text		t = {NULL, 0, 0};
	const char *why;
	char	   *html;
	int			i;

	text_add(&t, "{\"columns\":[");
	for (i = 0; i < 2500; i++)
		text_add(&t, i ? ",{}" : "{}");
	text_add(&t, "]}");
	html = profile_report_html(t.s, t.len, &why);
	expect(html != NULL &&
		   count_of(html, "<article class=\"card\">") == 2000 &&
		   strstr(html, "Showing the first 2000 of 2500 columns") != NULL,
		   "columns capped at 2000 with a note");
	free(html);
	free(t.s);
}

/* A page past 64 MB is refused with "report too large". */
static void
test_too_large(void)
{
	Text		t = {NULL, 0, 0};
	const char *why = NULL;
	char	   *html;
	const char *bound = "\"&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&\"";
	int			i;
	int			j;

	text_add(&t, "{\"columns\":[");
	for (i = 0; i < 2000; i++)
	{
		text_add(&t, i ? ",{\"histogram\":{\"bounds\":[" :
				 "{\"histogram\":{\"bounds\":[");
		for (j = 0; j <= 100; j++)
		{
			text_add(&t, j ? "," : "");
			text_add(&t, bound);
		}
		text_add(&t, "],\"counts\":[");
		for (j = 0; j < 100; j++)
			text_add(&t, j ? ",1" : "1");
		text_add(&t, "]}}");
	}
	text_add(&t, "]}");
	html = profile_report_html(t.s, t.len, &why);
	expect(html == NULL && why != NULL &&
		   strcmp(why, "report too large") == 0,
		   "page past 64 MB -> NULL + \"report too large\"");
	free(html);
	free(t.s);
}

/* Odd calls: only len bytes are read; NULL input and NULL errmsg are safe. */
static void
test_odd_calls(void)
{
	const char *why = NULL;
	char	   *html;

	html = profile_report_html("{}garbage", 2, &why);
	expect(is_page(html), "only len bytes are read");
	free(html);
	html = profile_report_html(NULL, 0, &why);
	expect(html == NULL && why != NULL, "NULL input -> NULL + errmsg");
	html = profile_report_html("[", 1, NULL);
	expect(html == NULL, "NULL errmsg pointer is allowed");
}

/* Run every test; the last line is the summary. */
int
main(void)
{
	test_real_sample();
	test_invalid_json();
	test_not_object();
	test_wrong_shapes();
	test_escaping();
	test_caps();
	test_many_columns();
	test_too_large();
	test_odd_calls();
	printf("report_html: %d passed, %d failed\n",
		   checks - unit_failures, unit_failures);
	return unit_status();
}

/*-------------------------------------------------------------------------
 *
 * test_report_model.c
 *	  Unit tests of the model report renderer (src/ml/model_report.c).
 *
 * The renderer is plain C over jansson, so it is tested here without a
 * server: a full classification and a full regression document must
 * render every section they have data for and no other, hostile names
 * must come out escaped, every structural oddity (missing keys, nulls,
 * wrong types, non-finite or absurd coordinates) must still give a whole,
 * balanced page, and the large inputs (1000 classes, 10,000 trials) must
 * stay bounded.  Text that is not a JSON object is refused: NULL and a
 * reason, which the SQL wrapper reports as an error.
 *
 *	  cc -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
 *		-DAUTOML_STANDALONE -Isrc test/unit/test_report_model.c \
 *		src/ml/model_report.c src/common/html_buf.c -ljansson -lm && ./a.out
 *
 * Prints "ok - ..." / "not ok - ..." per check (unit.h) and a last line
 * "report_model: N passed, M failed"; exits non-zero if any check failed.
 *
 *-------------------------------------------------------------------------
 */
#include "html_checks.h"


#include "ml/model_report.h"

/* A binary classifier with every section. */
static const char classifier[] =
	"{\"model\":{\"model_name\":\"churn\",\"version\":3,\"model_id\":12,"
	"\"task\":\"classification\",\"algorithm\":\"gradient_boosting\","
	"\"target\":\"churned\",\"train_rows\":8000,\"training_seconds\":1.2,"
	"\"created_at\":\"2026-11-23 10:00:00+00\",\"created_by\":\"alice\","
	"\"deployed\":true,\"size_bytes\":12345,\"hyperparams\":{"
	"\"n_estimators\":300,\"learning_rate\":0.05,\"growth\":\"depthwise\","
	"\"nested\":{\"a\":[1,2]}}},"
	"\"metrics\":{\"accuracy\":0.958,\"precision\":0.9581,\"recall\":null,"
	"\"f1\":0.9579,\"log_loss\":0.1213,\"roc_auc\":0.9776,"
	"\"train_rows\":8000,\"test_rows\":1000,\"dropped_rows\":0},"
	"\"classes\":[\"false\",\"true\"],"
	"\"confusion_matrix\":[[510,12],[30,448]],"
	"\"roc_curve\":[[0,0],[0.02,0.6],[0.1,0.9],[0.4,0.98],[1,1]],"
	"\"importance\":[{\"feature\":\"spend\",\"importance\":0.41},"
	"{\"feature\":\"tenure\",\"importance\":0.35},"
	"{\"feature\":\"region\",\"importance\":0.24}],"
	"\"leaderboard\":[{\"trial\":4,\"algorithm\":\"gradient_boosting\","
	"\"hyperparams\":{\"max_depth\":6},\"score\":0.95,\"fit_seconds\":1.1,"
	"\"status\":\"ok\"},{\"trial\":1,\"algorithm\":\"ridge\","
	"\"hyperparams\":{},\"score\":0.91,\"fit_seconds\":0.03,"
	"\"status\":\"pruned\"},{\"trial\":2,\"algorithm\":\"knn\","
	"\"score\":null,\"fit_seconds\":60,\"status\":\"timeout\"}],"
	"\"search\":{\"metric\":\"accuracy\",\"folds\":5,\"trials\":23,"
	"\"budget_seconds\":60,\"seconds\":41.2,\"stopped\":\"budget\"}}";

/* A regressor with residuals and no search. */
static const char regressor[] =
	"{\"model\":{\"model_name\":\"price\",\"version\":1,"
	"\"task\":\"regression\","
	"\"algorithm\":\"ridge\",\"deployed\":false,\"training_seconds\":185,"
	"\"size_bytes\":812},"
	"\"metrics\":{\"r2\":0.89,\"rmse\":124873.21,\"mae\":0.5},"
	"\"residuals\":[[1,1.2],[2,1.8],[3,3.3],[4,3.9],[5,5.5]],"
	"\"importance\":[{\"feature\":\"sqft\",\"importance\":1}]}";

/* Every section id the page can carry, in page order. */
static const char *const all_ids[] = {"metrics", "confusion", "roc",
"residuals", "residual-hist", "importance", "hyperparams", "search",
"leaderboard", NULL};

/* Render a NUL-terminated JSON text; *why gets the reason on failure. */
static char *
render(const char *json, const char **why)
{
	*why = NULL;
	return model_report_html(json, strlen(json), why);
}

/* Whether the page has the element with id="id". */
static bool
has_id(const char *html, const char *id)
{
	char		needle[64];

	snprintf(needle, sizeof(needle), "id=\"%s\"", id);
	return strstr(html, needle) != NULL;
}

/* Whether exactly the ids in want (NULL-terminated) are on the page. */
static bool
has_exactly(const char *html, const char *const *want)
{
	int			i;
	int			j;

	for (i = 0; all_ids[i]; i++)
	{
		bool		wanted = false;

		for (j = 0; want[j]; j++)
			wanted = wanted || strcmp(want[j], all_ids[i]) == 0;
		if (has_id(html, all_ids[i]) != wanted)
		{
			note("section %s: %s", all_ids[i], wanted ? "missing" :
				 "unexpected");
			return false;
		}
	}
	return true;
}

/*
 * Whether a tag (between < and >) carries an event handler attribute:
 * " on" and letters, then "=".  Escaped text from the document has no <,
 * so only the renderer's own tags are looked at.
 */
static bool
has_handler(const char *html)
{
	const char *p = html;

	while ((p = strchr(p, '<')) != NULL)
	{
		const char *end = strchr(p, '>');
		const char *q;

		if (end == NULL)
			return false;
		for (q = p; q + 3 < end; q++)
		{
			const char *r = q + 3;

			if (q[0] != ' ' || tolower((unsigned char) q[1]) != 'o' ||
				tolower((unsigned char) q[2]) != 'n')
				continue;
			while (r < end && isalpha((unsigned char) *r))
				r++;
			if (r > q + 3 && *r == '=')
				return true;
		}
		p = end + 1;
	}
	return false;
}

/* Whether any script element or event handler could reach the page. */
static bool
has_active_content(const char *html)
{
	return contains_ci(html, "<script") ||
		contains_ci(html, "javascript:") ||
		has_handler(html);
}

/*
 * Whether every geometry attribute (x, y, x1, y1, x2, y2, cx, cy, r,
 * width, height) holds a finite number within the charts' extent.
 */
static bool
coords_sane(const char *html)
{
	static const char *const attrs[] = {" x=\"", " y=\"", " x1=\"", " y1=\"",
	" x2=\"", " y2=\"", " cx=\"", " cy=\"", " r=\"", " width=\"",
	" height=\"", NULL};
	int			i;

	for (i = 0; attrs[i]; i++)
	{
		const char *p = html;

		while ((p = strstr(p, attrs[i])) != NULL)
		{
			char	   *end;
			double		v;

			p += strlen(attrs[i]);
			v = strtod(p, &end);
			if (end == p || *end != '"' || !isfinite(v) || v < -100 ||
				v > 5000)
			{
				note("bad coordinate %.40s", p - strlen(attrs[i]));
				return false;
			}
		}
	}
	return true;
}

/* Whether a path's "d" holds only finite numbers within the charts. */
static bool
paths_sane(const char *html)
{
	const char *p = html;

	while ((p = strstr(p, " d=\"")) != NULL)
	{
		p += 4;
		while (*p && *p != '"')
		{
			char	   *end;
			double		v;

			if (*p == 'M' || *p == 'L' || *p == 'Z' || *p == ' ')
			{
				p++;
				continue;
			}
			v = strtod(p, &end);
			if (end == p || !isfinite(v) || v < -100 || v > 5000)
				return false;
			p = end;
		}
	}
	return true;
}

/* Whether a non-finite number slipped into an attribute or a style. */
static bool
has_nonfinite(const char *html)
{
	static const char *const bad[] = {"=\"nan", "=\"-nan", "=\"inf",
	"=\"-inf", ":nan", ":-nan", ":inf", ":-inf", "nan%", "inf%", "nan\"",
	"inf\"", " nan ", " inf ", NULL};
	int			i;

	for (i = 0; bad[i]; i++)
		if (contains_ci(html, bad[i]))
			return true;
	return false;
}

/* Whether every & starts an entity: &name; or &#digits;. */
static bool
entities_ok(const char *html)
{
	const char *p = html;

	while ((p = strchr(p, '&')) != NULL)
	{
		const char *q = p + 1;

		if (*q == '#')
			q++;
		while (isalnum((unsigned char) *q))
			q++;
		if (*q != ';' || q == p + 1)
			return false;
		p = q;
	}
	return true;
}

/* The element name at p (after '<' or '</') into name. */
static void
tag_name(const char *p, char *name, size_t len)
{
	size_t		i = 0;

	while (i + 1 < len && (isalnum((unsigned char) p[i]) || p[i] == '-'))
	{
		name[i] = (char) tolower((unsigned char) p[i]);
		i++;
	}
	name[i] = '\0';
}

/* Whether an element has no end tag in HTML. */
static bool
is_void(const char *name)
{
	return strcmp(name, "meta") == 0 || strcmp(name, "br") == 0 ||
		strcmp(name, "hr") == 0 || strcmp(name, "img") == 0 ||
		strcmp(name, "link") == 0 || strcmp(name, "input") == 0;
}

/*
 * Whether the tags are balanced: every end tag closes the innermost open
 * element, SVG elements may close themselves, and nothing stays open.
 * The style sheet is skipped as raw text.
 */
static bool
tags_balanced(const char *html)
{
	char		stack[256][16];
	int			depth = 0;
	const char *p = html;

	while ((p = strchr(p, '<')) != NULL)
	{
		const char *end = strchr(p, '>');
		char		name[16];

		if (end == NULL)
			return false;
		if (p[1] == '!')
		{
			p = end + 1;
			continue;
		}
		if (p[1] == '/')
		{
			tag_name(p + 2, name, sizeof(name));
			if (depth == 0 || strcmp(stack[depth - 1], name) != 0)
			{
				note("unbalanced </%s> at depth %d", name, depth);
				return false;
			}
			depth--;
		}
		else
		{
			tag_name(p + 1, name, sizeof(name));
			if (name[0] == '\0' || depth == 256)
				return false;
			if (end[-1] != '/' && !is_void(name))
				strcpy(stack[depth++], name);
			if (strcmp(name, "style") == 0 &&
				(end = strstr(end, "</style>")) == NULL)
				return false;
			if (strcmp(name, "style") == 0)
				end--;
		}
		p = end + 1;
	}
	return depth == 0;
}

/* Whether a page passes every structural check. */
static bool
page_clean(const char *html)
{
	return is_page(html) && !has_active_content(html) &&
		!has_nonfinite(html) && coords_sane(html) && paths_sane(html) &&
		entities_ok(html) && tags_balanced(html);
}

/* The full classifier: every classification section and no regression. */
static void
test_classifier(void)
{
	static const char *const want[] = {"metrics", "confusion", "roc",
	"importance", "hyperparams", "search", "leaderboard", NULL};
	const char *why;
	char	   *html = render(classifier, &why);

	expect(html != NULL, "classifier renders");
	if (html == NULL)
		return;
	expect(page_clean(html), "classifier: whole, balanced, clean page");
	expect(has_exactly(html, want), "classifier: exactly its sections");
	expect(strstr(html, "<title>Model report: churn v3</title>") != NULL,
		   "title names the model and version");
	expect(strstr(html, "b-dep\">deployed") != NULL, "deployed badge");
	expect(strstr(html, "alice") && strstr(html, "2026-11-23 10:00:00+00"),
		   "created by and at");
	expect(strstr(html, "12.1 kB") != NULL, "size 12345 -> 12.1 kB");
	expect(strstr(html, "1.20 s") != NULL, "training time 1.2 -> 1.20 s");
	expect(strstr(html, "0.9580") != NULL, "accuracy with four decimals");
	expect(strstr(html, "recall</div><div class=\"v\"><span class=\"muted\">"
				  "&mdash;") != NULL, "null metric shown as a dash");
	expect(count_of(html, "class=\"cell\"") == 4, "2x2 confusion cells");
	expect(strstr(html, ">510<") && strstr(html, ">448<") &&
		   strstr(html, "97.7%"), "cells show counts and row shares");
	expect(strstr(html, "AUC 0.9776") != NULL, "AUC from the metrics");
	expect(strstr(html, "class=\"diag\"") != NULL, "ROC diagonal");
	expect(count_of(html, "class=\"ib") == 3, "one bar per feature");
	expect(strstr(html, "41.0%") != NULL, "importance as a share");
	expect(count_of(html, "class=\"win\"") == 1 &&
		   strstr(html, "b-best\">best") != NULL, "one winner highlighted");
	expect(strstr(html, "b-pruned\">pruned") && strstr(html,
													   "b-timeout\">timeout"),
		   "status badges");
	expect(strstr(html, "max_depth=6") != NULL, "trial hyperparameters");
	expect(strstr(html, "time budget") != NULL, "stopped by the budget");
	expect(strstr(html, "{&quot;a&quot;:[1,2]}") != NULL,
		   "nested hyperparameter as escaped JSON");
	expect(strstr(html, "http") == NULL && strstr(html, "src=") == NULL,
		   "no external resources");
	free(html);
}

/* The regressor: residual plots, no confusion matrix, ROC or search. */
static void
test_regressor(void)
{
	static const char *const want[] = {"metrics", "residuals",
	"residual-hist", "importance", NULL};
	const char *why;
	char	   *html = render(regressor, &why);

	expect(html != NULL && page_clean(html), "regressor: clean page");
	if (html == NULL)
		return;
	expect(has_exactly(html, want), "regressor: exactly its sections");
	expect(count_of(html, "class=\"pt\"") == 5, "one point per residual");
	expect(strstr(html, "124,873") != NULL, "rmse 124873.21 -> 124,873");
	expect(strstr(html, "0.5000") == NULL && strstr(html, ">0.5<") != NULL,
		   "mae 0.5 with significant digits");
	expect(strstr(html, "3m 05s") != NULL, "185 s -> 3m 05s");
	expect(strstr(html, "812 B") != NULL, "812 bytes");
	expect(strstr(html, "not deployed") != NULL, "not deployed badge");
	expect(strstr(html, "R&sup2;") != NULL, "gauge and card say R²");
	expect(strstr(html, "class=\"card wide\" id=\"importance\"") != NULL,
		   "the odd last card spans the row");
	free(html);
}

/* Each section alone: it appears, and no other does. */
static void
test_sections_alone(void)
{
	static const struct
	{
		const char *json;
		const char *id;
	}			cases[] = {
		{"{\"metrics\":{\"r2\":0.5}}", "metrics"},
		{"{\"confusion_matrix\":[[1]]}", "confusion"},
		{"{\"roc_curve\":[[0,0],[1,1]]}", "roc"},
		{"{\"importance\":[{\"feature\":\"a\",\"importance\":1}]}",
		"importance"},
		{"{\"model\":{\"hyperparams\":{\"k\":5}}}", "hyperparams"},
		{"{\"search\":{\"folds\":3}}", "search"},
		{NULL, NULL}
	};
	bool		all = true;
	int			i;

	for (i = 0; cases[i].json; i++)
	{
		const char *want[] = {cases[i].id, NULL};
		const char *why;
		char	   *html = render(cases[i].json, &why);

		if (html == NULL || !page_clean(html) || !has_exactly(html, want))
		{
			note("case %d (%s) failed", i, cases[i].id);
			all = false;
		}
		free(html);
	}
	expect(all, "each section alone appears, and no other");
}

/* The leaderboard's metric and the search's stop reason are named. */
static void
test_search_words(void)
{
	const char *why;
	char	   *html = render("{\"leaderboard\":[{\"trial\":1,\"metric\":"
							  "\"rmse\",\"status\":\"ok\"}],\"search\":{"
							  "\"stopped\":\"trials\"},\"metrics\":{\"r2\":1,"
							  "\"search\":{\"stopped\":\"trials\"}}}", &why);

	expect(html != NULL && strstr(html, "score (rmse)") != NULL,
		   "score column named after the trials' metric");
	expect(html != NULL && strstr(html, "trial limit") != NULL,
		   "stopped by the trial limit");
	expect(html != NULL && count_of(html, "class=\"metric\"") == 1,
		   "no metric card for an object member of metrics");
	free(html);
}

/* Empty and degenerate documents: the header only, no section. */
static void
test_minimal(void)
{
	static const char *const inputs[] = {
		"{}",
		"{\"model\":null,\"metrics\":null,\"classes\":null,"
		"\"confusion_matrix\":null,\"roc_curve\":null,\"residuals\":null,"
		"\"importance\":null,\"leaderboard\":null,\"search\":null}",
		"{\"model\":{},\"metrics\":{},\"confusion_matrix\":[],"
		"\"roc_curve\":[[0,0]],\"residuals\":[],\"importance\":[]}",
		"{\"metrics\":{\"nested\":{\"a\":1},\"list\":[1]}}",
		"{\"model\":5,\"metrics\":[],\"confusion_matrix\":{},\"roc_curve\":"
		"\"x\",\"residuals\":[[null,1],[\"a\",2],[1]],\"importance\":{},"
		"\"leaderboard\":{},\"search\":[]}",
		NULL
	};
	static const char *const none[] = {NULL};
	bool		all = true;
	int			i;

	for (i = 0; inputs[i]; i++)
	{
		const char *why;
		char	   *html = render(inputs[i], &why);

		if (html == NULL || !page_clean(html) || !has_exactly(html, none) ||
			!has_id(html, "model"))
		{
			note("input %d: %s", i, html ? "wrong sections" : why);
			all = false;
		}
		free(html);
	}
	expect(all, "empty and null documents: a page with the header only");
}

/* Wrong types and odd values everywhere render a clean page. */
static void
test_wrong_shapes(void)
{
	static const char *const inputs[] = {
		"{\"model\":{\"model_name\":5,\"version\":\"x\",\"model_id\":[],"
		"\"task\":7,\"deployed\":\"yes\",\"train_rows\":-1e308,"
		"\"training_seconds\":-3,\"size_bytes\":1e300,\"created_at\":{},"
		"\"hyperparams\":[1,2]}}",
		"{\"metrics\":{\"accuracy\":\"high\",\"r2\":-1e308,\"rmse\":1e308,"
		"\"x\":{},\"y\":[1],\"z\":true}}",
		"{\"confusion_matrix\":[[1e308,-5],\"x\",[null,{}]],"
		"\"classes\":[null,5,true]}",
		"{\"confusion_matrix\":[[]],\"classes\":[]}",
		"{\"roc_curve\":[[1e308,-1e308],[-5,7],[0.5,\"x\"],[0.5,0.5,9],"
		"[2,2]]}",
		"{\"residuals\":[[1e308,-1e308],[-1e308,1e308],[0,0]]}",
		"{\"residuals\":[[5,5],[5,5],[5,5]]}",
		"{\"residuals\":[[1e300,1e300],[1e300,1e300]]}",
		"{\"residuals\":[[1e-310,2e-310],[3e-310,1e-310]]}",
		"{\"residuals\":[[0,1e308]]}",
		"{\"importance\":[{\"feature\":null,\"importance\":-1e308},"
		"{\"importance\":1e308},5,[],{\"feature\":{},\"importance\":\"x\"}]}",
		"{\"importance\":[{\"feature\":\"a\",\"importance\":0},"
		"{\"feature\":\"b\",\"importance\":0}]}",
		"{\"leaderboard\":[5,null,{\"status\":5,\"score\":\"x\","
		"\"fit_seconds\":-1,\"hyperparams\":[1]},{\"status\":\"weird\","
		"\"fit_seconds\":1e308,\"hyperparams\":{\"a\":null,\"b\":{},"
		"\"c\":[],\"d\":true,\"e\":1e308}}]}",
		"{\"leaderboard\":[{\"status\":\"failed\"}],\"search\":{\"metric\":5,"
		"\"stopped\":null,\"seconds\":1e308,\"budget_seconds\":-1e308}}",
		NULL
	};
	bool		all = true;
	int			i;

	for (i = 0; inputs[i]; i++)
	{
		const char *why;
		char	   *html = render(inputs[i], &why);

		if (html == NULL || !page_clean(html))
		{
			note("input %d: %s", i, html ? "not clean" : why);
			all = false;
		}
		free(html);
	}
	expect(all, "wrong shapes and absurd numbers: clean pages");
}

/* Every string from the document comes out escaped. */
static void
test_hostile_names(void)
{
#define EVIL "<script>alert(1)</script>\\\"'&<svg onload=x>"
	static const char doc[] =
		"{\"model\":{\"model_name\":\"" EVIL "\",\"version\":\"" EVIL "\","
		"\"model_id\":\"" EVIL "\",\"task\":\"" EVIL "\",\"algorithm\":\""
		EVIL "\",\"target\":\"" EVIL "\",\"created_at\":\"" EVIL "\","
		"\"created_by\":\"" EVIL "\",\"hyperparams\":{\"" EVIL "\":\"" EVIL
		"\",\"n\":{\"" EVIL "\":1}}},"
		"\"metrics\":{\"" EVIL "\":\"" EVIL "\",\"accuracy\":\"" EVIL "\"},"
		"\"classes\":[\"" EVIL "\",\"" EVIL "\"],"
		"\"confusion_matrix\":[[1,2],[3,4]],"
		"\"importance\":[{\"feature\":\"" EVIL "\",\"importance\":1}],"
		"\"leaderboard\":[{\"trial\":\"" EVIL "\",\"algorithm\":\"" EVIL
		"\",\"status\":\"" EVIL "\",\"hyperparams\":{\"" EVIL "\":\"" EVIL
		"\"}}],\"search\":{\"metric\":\"" EVIL "\",\"stopped\":\"" EVIL
		"\"}}";
#undef EVIL
	const char *why;
	char	   *html = render(doc, &why);

	expect(has_active_content("<p><svg onload=x>") &&
		   !has_active_content("<p>&lt;svg onload=x&gt;</p>"),
		   "the active content check tells tags from escaped text");
	expect(html != NULL && page_clean(html),
		   "hostile names: clean page, no <script, no event handler");
	expect(html != NULL &&
		   count_of(html, "&lt;script&gt;alert(1)&lt;/script&gt;") >= 15,
		   "hostile names appear escaped everywhere");
	expect(html != NULL && strstr(html, "&quot;&#39;&amp;&lt;svg") != NULL,
		   "quotes and ampersands escaped");
	free(html);
}

/* Control characters, long strings and UTF-8 are handled. */
static void
test_text(void)
{
	const char *why;
	char	   *html;
	char		json[2048];
	char		xs[1001];

	memset(xs, 'x', 1000);
	xs[1000] = '\0';
	snprintf(json, sizeof(json), "{\"model\":{\"model_name\":\"a\\u0001b\\n"
			 "\\u00e9\\u540d\",\"target\":\"%s\"}}", xs);
	html = render(json, &why);
	expect(html != NULL &&
		   strstr(html, "a\xEF\xBF\xBD" "b \xC3\xA9\xE5\x90\x8D") != NULL,
		   "control characters replaced, UTF-8 kept");
	xs[41] = '\0';
	expect(html != NULL && strstr(html, xs) == NULL &&
		   strstr(html, "\xE2\x80\xA6") != NULL,
		   "long strings cut with an ellipsis");
	free(html);
}

/* Text that is not a JSON object is refused with a reason. */
static void
test_invalid(void)
{
	static const char *const bad_json[] = {"", "{", "nul", "{\"a\":}",
	"{\"a\":1}x", "\xff{}", "{\"s\":\"\xc3\x28\"}", "{\"s\":\"\\u0000\"}",
	"{\"n\":1e400}", NULL};
	static const char *const not_object[] = {"[]", "5", "\"x\"", "null",
	"[{\"model\":{}}]", NULL};
	bool		all = true;
	const char *why = NULL;
	char	   *html;
	int			i;

	for (i = 0; bad_json[i]; i++)
	{
		html = render(bad_json[i], &why);
		all = all && html == NULL && why != NULL &&
			strcmp(why, "model report is not valid JSON") == 0;
		free(html);
	}
	expect(all, "invalid JSON -> NULL + \"model report is not valid JSON\"");
	all = true;
	for (i = 0; not_object[i]; i++)
	{
		html = render(not_object[i], &why);
		all = all && html == NULL && why != NULL &&
			strcmp(why, "model report is not a JSON object") == 0;
		free(html);
	}
	expect(all, "non-object -> NULL + \"model report is not a JSON object\"");
	html = model_report_html(NULL, 0, &why);
	expect(html == NULL && why != NULL, "NULL input -> NULL + reason");
	html = model_report_html("[", 1, NULL);
	expect(html == NULL, "NULL errmsg pointer is allowed");
	html = model_report_html("{}garbage", 2, &why);
	expect(is_page(html), "only len bytes are read");
	free(html);
}

/* 1000 classes: 20 drawn, with a note; the page stays small. */
static void
test_many_classes(void)
{
	Text		t = {NULL, 0, 0};
	const char *why;
	char	   *html;
	char		tmp[64];
	int			r;
	int			c;

	text_add(&t, "{\"classes\":[");
	for (r = 0; r < 1000; r++)
	{
		snprintf(tmp, sizeof(tmp), "%s\"<c%d>\"", r ? "," : "", r);
		text_add(&t, tmp);
	}
	text_add(&t, "],\"confusion_matrix\":[");
	for (r = 0; r < 1000; r++)
	{
		text_add(&t, r ? ",[" : "[");
		for (c = 0; c < 1000; c++)
			text_add(&t, (r == c ? ",9" : ",1") + (c == 0));
		text_add(&t, "]");
	}
	text_add(&t, "]}");
	html = model_report_html(t.s, t.len, &why);
	expect(html != NULL && page_clean(html), "1000 classes: clean page");
	expect(html != NULL && count_of(html, "class=\"cell\"") == 400 &&
		   strstr(html, "Showing the first 20 of 1,000 classes.") != NULL,
		   "1000 classes: 20 x 20 cells drawn, with a note");
	expect(html != NULL && strlen(html) < 512 * 1024,
		   "1000 classes: page under 512 kB");
	free(html);
	free(t.s);
}

/* 10,000 trials: 100 rows, with a note; the page stays small. */
static void
test_many_trials(void)
{
	Text		t = {NULL, 0, 0};
	const char *why;
	char	   *html;
	char		tmp[256];
	int			i;

	text_add(&t, "{\"leaderboard\":[");
	for (i = 0; i < 10000; i++)
	{
		snprintf(tmp, sizeof(tmp), "%s{\"trial\":%d,\"algorithm\":\"ridge\","
				 "\"hyperparams\":{\"alpha\":%d,\"note\":\"%0100d\"},"
				 "\"score\":%g,\"fit_seconds\":0.01,\"status\":\"ok\"}",
				 i ? "," : "", i + 1, i, i, 1.0 - i * 1e-5);
		text_add(&t, tmp);
	}
	text_add(&t, "]}");
	html = model_report_html(t.s, t.len, &why);
	expect(html != NULL && page_clean(html), "10,000 trials: clean page");
	expect(html != NULL && count_of(html, "<tr") == 101 &&
		   strstr(html, "Showing the first 100 of 10,000 trials.") != NULL,
		   "10,000 trials: 100 rows drawn, with a note");
	expect(html != NULL && count_of(html, "class=\"win\"") == 1,
		   "10,000 trials: one winner");
	expect(html != NULL && strlen(html) < 256 * 1024,
		   "10,000 trials: page under 256 kB");
	free(html);
	free(t.s);
}

/* Long curves, many residuals and features are sampled or capped. */
static void
test_caps(void)
{
	Text		t = {NULL, 0, 0};
	const char *why;
	char	   *html;
	char		tmp[128];
	int			i;

	text_add(&t, "{\"roc_curve\":[");
	for (i = 0; i <= 50000; i++)
	{
		snprintf(tmp, sizeof(tmp), "%s[%g,%g]", i ? "," : "", i / 50000.0,
				 sqrt(i / 50000.0));
		text_add(&t, tmp);
	}
	text_add(&t, "],\"residuals\":[");
	for (i = 0; i < 20000; i++)
	{
		snprintf(tmp, sizeof(tmp), "%s[%d,%d]", i ? "," : "", i, i + i % 7);
		text_add(&t, tmp);
	}
	text_add(&t, "],\"importance\":[");
	for (i = 0; i < 45; i++)
	{
		snprintf(tmp, sizeof(tmp), "%s{\"feature\":\"f%d\",\"importance\":"
				 "%g}", i ? "," : "", i, 1 / 45.0);
		text_add(&t, tmp);
	}
	text_add(&t, "]}");
	html = model_report_html(t.s, t.len, &why);
	expect(html != NULL && page_clean(html), "long arrays: clean page");
	expect(html != NULL && count_of(html, "class=\"pt\"") <= 1000 &&
		   count_of(html, "class=\"pt\"") >= 900,
		   "residual points sampled to at most 1000");
	expect(html != NULL && count_of(html, " L") <= 2 * 1000 + 4,
		   "ROC curve sampled to at most 1000 points");
	expect(html != NULL && strstr(html, "AUC 0.6667") != NULL,
		   "AUC computed from the curve when the metrics have none");
	expect(html != NULL && count_of(html, "class=\"ib") == 30 &&
		   strstr(html, "and 15 more features.") != NULL,
		   "importance capped at 30 bars, with a note");
	expect(html != NULL && strlen(html) < 512 * 1024,
		   "long arrays: page under 512 kB");
	free(html);
	free(t.s);
}

/* Run every test; the last line is the summary. */
int
main(void)
{
	test_classifier();
	test_regressor();
	test_sections_alone();
	test_search_words();
	test_minimal();
	test_wrong_shapes();
	test_hostile_names();
	test_text();
	test_invalid();
	test_many_classes();
	test_many_trials();
	test_caps();
	printf("report_model: %d passed, %d failed\n",
		   checks - unit_failures, unit_failures);
	return unit_status();
}

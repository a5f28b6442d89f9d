/*-------------------------------------------------------------------------
 *
 * model_report.c
 *	  The HTML page of a trained model: a header naming the model, its
 *	  metrics, the evaluation charts (confusion matrix, ROC curve, residual
 *	  plots), feature importance, the hyperparameters and the model search
 *	  with its leaderboard.
 *
 * The document (built on the SQL side; every key may be missing or null,
 * and a missing section is simply not shown):
 *
 *	 {"model": {"model_name", "version", "model_id", "task", "algorithm",
 *				"target", "train_rows", "training_seconds", "created_at",
 *				"created_by", "deployed", "size_bytes", "hyperparams": {...}},
 *	  "metrics": {"accuracy", "precision", "recall", "f1", "log_loss",
 *				  "roc_auc", "r2", "rmse", "mae", "train_rows", "test_rows",
 *				  "dropped_rows", and any other scalar member},
 *	  "classes": [label, ...],
 *	  "confusion_matrix": [[count, ...], ...]	rows actual, columns predicted
 *	  "roc_curve": [[fpr, tpr], ...],
 *	  "residuals": [[predicted, actual], ...],
 *	  "importance": [{"feature", "importance"}, ...],	sorted, largest first
 *	  "leaderboard": [{"trial", "algorithm", "hyperparams", "score",
 *					   "fit_seconds", "status", "metric"}, ...],	best first
 *	  "search": {"metric", "folds", "trials", "budget_seconds", "seconds",
 *				 "stopped": "budget" | "trials" | "converged" | ...}}
 *
 * Members that are objects or arrays inside "metrics" (such as a copy of
 * the search) get no card.  The leaderboard's score column is named after
 * search.metric, else after the first trial's metric.
 *
 * Why it is built this way (as src/profile/report_html.c, whose look it
 * shares):
 *
 * - Plain C over jansson, no PostgreSQL headers, so that it is unit-tested
 *   and fuzzed outside the server (test/unit/test_report_model.c,
 *   test/fuzz/fuzz_model_report.c).  Names of models, features and class
 *   labels come from users, so the document is treated as hostile.
 *
 * - Every lookup goes through jansson's type-checking accessors: a key
 *   that is missing or of the wrong type reads as absent.  Only input that
 *   is not JSON, or JSON that is not an object, is refused (NULL and a
 *   reason); the SQL wrapper turns that into an error.
 *
 * - Numbers are parsed with JSON_DECODE_INT_AS_REAL (jsonb prints 1e100 as
 *   a 101-digit integer).  Every double is checked with isfinite() before
 *   it is printed, and chart coordinates are clamped to +-1e300 and then
 *   to the plot area, so that no NaN, infinity or far-away point reaches
 *   the SVG.
 *
 * - Every string from the document goes through hb_escape()
 *   (src/common/html_buf.c, shared with the profile report), which escapes
 *   & < > " ', replaces control characters and cuts long strings at a
 *   UTF-8 character boundary.  No string from the document is ever put in
 *   an attribute: tooltips are SVG <title> elements.
 *
 * - The work is bounded whatever the input: at most MR_MAX_CLASSES classes
 *   drawn, MR_MAX_POINTS points per chart (evenly sampled), MR_MAX_FEATURES
 *   bars, MR_MAX_TRIALS leaderboard rows, MR_MAX_PARAMS hyperparameters,
 *   MR_MAX_METRICS metric cards; the page is capped at MR_MAX_OUTPUT bytes.
 *   Output goes to a growable buffer (HtmlBuf, src/common/html_buf.c)
 *   whose first failure sticks and turns every later append into a no-op.
 *
 * - The page is self-contained: inline CSS and SVG, no scripts, no
 *   external resources.
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
#include "ml/model_report.h"

#define MR_MAX_OUTPUT	((size_t) 16 * 1024 * 1024)
#define MR_MAX_CLASSES	20
#define MR_MAX_ROW_SCAN	100000
#define MR_MAX_POINTS	1000
#define MR_MAX_FEATURES	30
#define MR_MAX_TRIALS	100
#define MR_MAX_PARAMS	200
#define MR_MAX_METRICS	40
#define MR_MAX_CHARS	200
#define MR_LABEL_CHARS	40
#define MR_PARAM_CHARS	140
#define MR_ABSURD		1e300
#define MR_HIST_BINS	24

/* Geometry of the square charts (ROC, predicted vs actual), SVG units. */
#define SQ_W			400.0
#define SQ_H			388.0
#define SQ_X0			56.0
#define SQ_X1			388.0
#define SQ_Y0			12.0
#define SQ_Y1			344.0

/* Geometry of the feature importance bars. */
#define IMP_W			560.0
#define IMP_LABEL		184.0
#define IMP_BAR			300.0
#define IMP_ROW			24.0

/* A linear axis: data range [lo, hi] drawn over SVG positions [p0, p1]. */
typedef struct MrAxis
{
	double		lo;
	double		hi;
	double		p0;
	double		p1;
} MrAxis;

/* How a metric's value is printed. */
typedef enum MrFormat
{
	MR_FRACTION,				/* 0..1, four decimals and a bar */
	MR_DECIMAL,					/* four decimals */
	MR_SIGNIFICANT,				/* four significant digits */
	MR_ERROR,					/* an error in the target's unit */
	MR_COUNT					/* integer with separators */
} MrFormat;

/* A metric the page knows: key, label, format and a hint below it. */
typedef struct MrMetric
{
	const char *key;
	const char *label;
	MrFormat	format;
	const char *hint;
} MrMetric;

/* The metrics in the order of their cards; others follow in input order. */
static const MrMetric mr_metrics[] = {
	{"accuracy", "accuracy", MR_FRACTION, "share predicted right"},
	{"precision", "precision", MR_FRACTION, "macro average"},
	{"recall", "recall", MR_FRACTION, "macro average"},
	{"f1", "F1 score", MR_FRACTION, "macro average"},
	{"roc_auc", "ROC AUC", MR_FRACTION, "0.5 is chance"},
	{"log_loss", "log loss", MR_DECIMAL, "lower is better"},
	{"r2", "R&sup2;", MR_DECIMAL, "1 is a perfect fit"},
	{"rmse", "RMSE", MR_ERROR, "root mean squared error"},
	{"mae", "MAE", MR_ERROR, "mean absolute error"},
	{"train_rows", "train rows", MR_COUNT, "rows fitted on"},
	{"test_rows", "test rows", MR_COUNT, "rows held out"},
	{"dropped_rows", "dropped rows", MR_COUNT, "rows left out"},
	{"rows_read", "rows read", MR_COUNT, "sampled from the table"},
	{NULL, NULL, MR_DECIMAL, NULL}
};

/* The style sheet, one rule (or a few short ones) per string. */
static const char *const mr_css[] = {
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
	"h1{font-size:24px;margin:2px 0 4px;display:flex;flex-wrap:wrap;"
	"align-items:center;gap:4px 10px}\n",
	"h1 .name{overflow-wrap:anywhere;min-width:0}\n",
	".ver{font-size:13px;font-weight:600;color:var(--muted);border:1px solid "
	"var(--line);border-radius:999px;padding:1px 9px}\n",
	".meta{color:var(--muted);font-size:13px;overflow-wrap:anywhere}\n",
	".tiles{display:flex;gap:10px;flex-wrap:wrap;margin-top:14px}\n",
	".tile{border:1px solid var(--line);border-radius:8px;padding:6px 14px;"
	"min-width:104px;max-width:100%}\n",
	".k{font-size:11px;letter-spacing:.04em;text-transform:uppercase;"
	"color:var(--muted)}\n",
	".tile .v{font-size:17px;font-weight:600;font-variant-numeric:"
	"tabular-nums;overflow-wrap:anywhere}\n",
	".gauge{flex:none;text-align:center}\n",
	".gauge .k{margin-top:2px}\n",
	"section{margin-top:28px}\n",
	"h2{font-size:17px;margin:0 0 10px}\n",
	"h2 small,h3 small{font-weight:400;color:var(--muted);font-size:13px}\n",
	".mgrid{display:grid;grid-template-columns:repeat(auto-fill,"
	"minmax(158px,1fr));gap:12px}\n",
	".metric{background:var(--card);border:1px solid var(--line);"
	"border-radius:12px;padding:12px 16px;min-width:0}\n",
	".metric .v{font-size:22px;font-weight:600;font-variant-numeric:"
	"tabular-nums;margin-top:2px;overflow-wrap:anywhere}\n",
	".metric .k{overflow-wrap:anywhere}\n",
	".hint{font-size:12px;color:var(--muted);margin-top:2px}\n",
	".bar{height:6px;background:var(--soft);border-radius:3px;"
	"overflow:hidden;margin-top:8px}\n",
	".bar span{display:block;height:100%;background:var(--accent)}\n",
	".cards{display:grid;grid-template-columns:repeat(auto-fit,"
	"minmax(min(470px,100%),1fr));gap:16px}\n",
	".card{background:var(--card);border:1px solid var(--line);"
	"border-radius:12px;padding:16px 18px;min-width:0}\n",
	".card.wide{grid-column:1/-1}\n",
	".card h3{font-size:15px;margin:0}\n",
	".sub{margin-top:4px;font-size:12px;color:var(--muted);"
	"overflow-wrap:anywhere}\n",
	".note{margin-top:10px;font-size:12px;color:var(--muted)}\n",
	"svg.chart{display:block;width:100%;height:auto;margin:12px auto 0}\n",
	"svg text{font:11px system-ui,sans-serif;fill:var(--muted)}\n",
	"svg .gl{stroke:var(--soft);stroke-width:1}\n",
	"svg .ax{stroke:#8c959f;stroke-width:1}\n",
	"svg .diag{stroke:#8c959f;stroke-width:1.2;stroke-dasharray:5 4;"
	"fill:none}\n",
	"svg .zero{stroke:var(--bad);stroke-width:1.2;stroke-dasharray:4 3}\n",
	"svg .curve{fill:none;stroke:var(--accent);stroke-width:2.2;"
	"stroke-linejoin:round}\n",
	"svg .area{fill:#ddf4ff;fill-opacity:.75}\n",
	"svg .pt{fill:var(--accent);fill-opacity:.42}\n",
	"svg .hb{fill:#54aeff}\n",
	"svg .hb:hover,svg .ib:hover{fill:var(--accent)}\n",
	"svg .ib{fill:#54aeff}\n",
	"svg .ib.neg{fill:#ff8182}\n",
	"svg .at{font-size:12px;font-weight:600;fill:var(--fg)}\n",
	"svg .lab{font-size:12px;fill:var(--fg)}\n",
	"svg .cnt{font-weight:600;fill:var(--fg)}\n",
	"svg .cnt.inv{fill:#fff}\n",
	"svg .pct{fill:var(--muted)}\n",
	"svg .pct.inv{fill:#eaf2ff}\n",
	"svg .cell{stroke:#fff;stroke-width:2}\n",
	"table{border-collapse:separate;border-spacing:0;width:100%;"
	"background:var(--card);border:1px solid var(--line);"
	"border-radius:12px;overflow:hidden}\n",
	"th,td{text-align:left;padding:7px 12px;border-bottom:1px solid "
	"var(--soft);vertical-align:top}\n",
	"tr:last-child td{border-bottom:0}\n",
	"th{font-size:12px;color:var(--muted);font-weight:600;"
	"background:var(--bg);white-space:nowrap}\n",
	"td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;"
	"white-space:nowrap}\n",
	".mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"
	"monospace;font-size:12.5px;overflow-wrap:anywhere}\n",
	".card table{border:0;border-radius:0;margin-top:10px}\n",
	".card td,.card th{padding:6px 8px}\n",
	".card th{background:none;border-bottom:1px solid var(--line)}\n",
	"tr.win td{background:#dafbe1}\n",
	".muted{color:var(--muted)}\n",
	".nw{white-space:nowrap}\n",
	".badge{display:inline-block;padding:1px 9px;border-radius:999px;"
	"font-size:12px;font-weight:600;color:#fff;white-space:nowrap;"
	"vertical-align:1px}\n",
	".b-ok,.b-dep{background:var(--good)}.b-failed{background:var(--bad)}"
	".b-timeout{background:var(--warn)}.b-pruned,.b-other{background:"
	"#6e7781}.b-best{background:var(--accent);margin-left:6px}\n",
	".b-undep{background:none;color:var(--muted);border:1px solid "
	"var(--line);font-weight:500}\n",
	".scroll{overflow-x:auto;border-radius:12px}\n",
	".scroll table{min-width:640px}\n",
	".empty{color:var(--muted);font-style:italic;font-size:13px}\n",
	"footer{margin:28px 0 8px;color:var(--muted);font-size:12px;"
	"text-align:center}\n",
	"@media (max-width:640px){main{padding:12px}.top{flex-direction:column;"
	"align-items:flex-start;padding:16px}}\n",
	NULL
};

/* ---------------------------------------------------------------------
 * Reading the document
 * ---------------------------------------------------------------------
 */

/* Whether obj[key] is a string equal to s. */
static bool
mr_str_is(json_t *obj, const char *key, const char *s)
{
	const char *v = hb_str(obj, key);

	return v != NULL && strcmp(v, s) == 0;
}

/* A coordinate kept within +-MR_ABSURD, so that sums and halves stay finite. */
static double
mr_clamp_coord(double v)
{
	if (v > MR_ABSURD)
		return MR_ABSURD;
	return v < -MR_ABSURD ? -MR_ABSURD : v;
}

/* Point i of arr, a [x, y] pair of finite numbers (clamped); else false. */
static bool
mr_pair(json_t *arr, size_t i, double *x, double *y)
{
	json_t	   *p = json_array_get(arr, i);
	json_t	   *vx = json_array_get(p, 0);
	json_t	   *vy = json_array_get(p, 1);

	if (!json_is_number(vx) || !json_is_number(vy) ||
		!isfinite(json_number_value(vx)) || !isfinite(json_number_value(vy)))
		return false;
	*x = mr_clamp_coord(json_number_value(vx));
	*y = mr_clamp_coord(json_number_value(vy));
	return true;
}

/*
 * The index after i when n items are sampled every stride-th: the last
 * item is always visited, then n ends the loop.
 */
static size_t
mr_sample_next(size_t i, size_t n, size_t stride)
{
	if (i + 1 >= n)
		return n;
	return (n - 1 - i > stride) ? i + stride : n - 1;
}

/* The stride that visits at most cap of n items. */
static size_t
mr_stride(size_t n, size_t cap)
{
	return n > cap ? (n + cap - 2) / (cap - 1) : 1;
}

/* ---------------------------------------------------------------------
 * Number formatting
 * ---------------------------------------------------------------------
 */

/* A count: integers with separators below 1e15, else %.4g. */
static void
fmt_count(char *out, size_t outlen, double v)
{
	if (!isfinite(v))
		snprintf(out, outlen, "&mdash;");
	else if (v == floor(v) && fabs(v) < 1e15)
		hb_fmt_integer(out, outlen, (long long) v);
	else
	{
		snprintf(out, outlen, "%.4g", v);
		hb_trim_exponent(out);
	}
}

/*
 * A short number for axis labels and narrow cells: 25000 -> "25k",
 * 0.25 -> "0.25", 1e20 -> "1e20".
 */
static void
fmt_short(char *out, size_t outlen, double v)
{
	static const char *const suffix[] = {"k", "M", "B", "T"};
	double		a = fabs(v);
	int			i = 0;

	if (!isfinite(v))
		snprintf(out, outlen, "&mdash;");
	else if (a < 1e4)
		snprintf(out, outlen, "%.4g", v == 0 ? 0.0 : v);
	else if (a < 1e15)
	{
		for (v /= 1e3; fabs(v) >= 999.5 && i < 3; i++)
			v /= 1e3;
		snprintf(out, outlen, "%.3g%s", v, suffix[i]);
	}
	else
		snprintf(out, outlen, "%.3g", v);
	if (a > 0 && (a < 1e-4 || a >= 1e15))
		hb_trim_exponent(out);
}

/* A value with four significant digits, shortened when large. */
static void
fmt_significant(char *out, size_t outlen, double v)
{
	if (isfinite(v) && fabs(v) >= 1e4)
		fmt_short(out, outlen, v);
	else if (isfinite(v))
	{
		snprintf(out, outlen, "%.4g", v == 0 ? 0.0 : v);
		hb_trim_exponent(out);
	}
	else
		snprintf(out, outlen, "&mdash;");
}

/*
 * An error in the target's unit: four significant digits, but whole with
 * separators from 10,000 to a billion ("124,873", not "1.249e5").
 */
static void
fmt_error(char *out, size_t outlen, double v)
{
	if (isfinite(v) && fabs(v) >= 1e4 && fabs(v) < 1e9)
		hb_fmt_integer(out, outlen, (long long) llround(v));
	else
		fmt_significant(out, outlen, v);
}

/* A score or metric with four decimals, or shorter when it is large. */
static void
fmt_decimal(char *out, size_t outlen, double v)
{
	if (isfinite(v) && fabs(v) < 1e4)
		snprintf(out, outlen, "%.4f", v == 0 ? 0.0 : v);
	else
		fmt_significant(out, outlen, v);
}

/* A duration: "30 ms", "1.24 s", "41.2 s", "3m 05s", "2h 10m". */
static void
fmt_seconds(char *out, size_t outlen, double s)
{
	if (!isfinite(s) || s < 0 || s >= 1e9)
	{
		fmt_significant(out, outlen, s);
		if (isfinite(s))
			strncat(out, " s", outlen - strlen(out) - 1);
	}
	else if (s == 0)
		snprintf(out, outlen, "0 s");
	else if (s < 0.001)
		snprintf(out, outlen, "&lt;1 ms");
	else if (s < 0.9995)
		snprintf(out, outlen, "%.0f ms", s * 1000);
	else if (s < 9.995)
		snprintf(out, outlen, "%.2f s", s);
	else if (s < 59.95)
		snprintf(out, outlen, "%.1f s", s);
	else if (s < 3599.5)
	{
		long		whole = lround(s);

		snprintf(out, outlen, "%ldm %02lds", whole / 60, whole % 60);
	}
	else
	{
		long		minutes = lround(s / 60);

		snprintf(out, outlen, "%ldh %02ldm", minutes / 60, minutes % 60);
	}
}

/* A size in bytes: "812 B", "12.1 kB", "3.4 MB". */
static void
fmt_bytes(char *out, size_t outlen, double v)
{
	static const char *const unit[] = {"kB", "MB", "GB", "TB", "PB"};
	int			i = 0;

	if (!isfinite(v) || v < 0 || v >= 1e18)
	{
		fmt_count(out, outlen, v);
		return;
	}
	if (v < 1024)
	{
		snprintf(out, outlen, "%.0f B", v);
		return;
	}
	for (v /= 1024; v >= 1023.95 && i < 4; i++)
		v /= 1024;
	snprintf(out, outlen, v < 9.995 ? "%.2f %s" : "%.1f %s", v, unit[i]);
}

/* A fraction clamped to [0, 1]; 0 if not finite. */
static double
clamp01(double f)
{
	if (isnan(f) || f < 0)
		return 0;
	return f > 1 ? 1 : f;
}

/* A number of the document as is: whole as a count, else 4 digits. */
static void
fmt_scalar(char *out, size_t outlen, double x)
{
	if (x == floor(x))
		fmt_count(out, outlen, x);
	else
		fmt_significant(out, outlen, x);
}

/* Append a JSON scalar: number, string (escaped), boolean, or a dash. */
static void
put_value(HtmlBuf *b, json_t *v, size_t maxchars)
{
	hb_put_value(b, v, maxchars, fmt_scalar,
				 "<span class=\"muted\">&mdash;</span>");
}

/*
 * Append a JSON scalar as plain text for SVG <text> and <title>, which
 * cannot hold HTML elements: a dash when v is no scalar.
 */
static void
put_text(HtmlBuf *b, json_t *v, size_t maxchars)
{
	if (json_is_string(v) || json_is_number(v) || json_is_boolean(v))
		put_value(b, v, maxchars);
	else
		hb_puts(b, "&mdash;");
}

/* Append a number formatted by fmt, or a muted dash when v is none. */
static void
put_number(HtmlBuf *b, json_t *v, void (*fmt) (char *, size_t, double))
{
	char		tmp[64];

	if (!json_is_number(v) || !isfinite(json_number_value(v)))
	{
		put_value(b, json_is_number(v) ? NULL : v, MR_LABEL_CHARS);
		return;
	}
	fmt(tmp, sizeof(tmp), json_number_value(v));
	hb_puts(b, tmp);
}

/* Append up to n bytes of s to out (length *o), cut before a lead byte. */
static void
text_add(char *out, size_t outlen, size_t *o, const char *s, size_t n)
{
	if (*o + 1 >= outlen)
		return;
	if (n > outlen - 1 - *o)
	{
		n = outlen - 1 - *o;
		while (n > 0 && ((unsigned char) s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out + *o, s, n);
	*o += n;
	out[*o] = '\0';
}

/* Append a NUL-terminated string with text_add. */
static void
text_adds(char *out, size_t outlen, size_t *o, const char *s)
{
	text_add(out, outlen, o, s, strlen(s));
}

/*
 * Append a JSON value as compact, unescaped text ("{"a":[1,2]}") into
 * out, until out is full; below depth 8 a container shows as {...}.
 */
static void
text_add_json(char *out, size_t outlen, size_t *o, json_t *v, int depth)
{
	char		tmp[64];
	const char *key;
	json_t	   *item;
	size_t		i;

	if (json_is_string(v))
	{
		text_adds(out, outlen, o, "\"");
		text_add(out, outlen, o, json_string_value(v), json_string_length(v));
		text_adds(out, outlen, o, "\"");
	}
	else if (json_is_number(v))
	{
		snprintf(tmp, sizeof(tmp), "%.10g", json_number_value(v));
		text_adds(out, outlen, o, tmp);
	}
	else if ((json_is_object(v) || json_is_array(v)) && depth >= 8)
		text_adds(out, outlen, o, json_is_object(v) ? "{...}" : "[...]");
	else if (json_is_object(v))
	{
		text_adds(out, outlen, o, "{");
		i = 0;
		json_object_foreach(v, key, item)
		{
			if (*o + 1 >= outlen)
				break;
			text_adds(out, outlen, o, i++ ? ",\"" : "\"");
			text_adds(out, outlen, o, key);
			text_adds(out, outlen, o, "\":");
			text_add_json(out, outlen, o, item, depth + 1);
		}
		text_adds(out, outlen, o, "}");
	}
	else if (json_is_array(v))
	{
		text_adds(out, outlen, o, "[");
		for (i = 0; i < json_array_size(v) && *o + 1 < outlen; i++)
		{
			text_adds(out, outlen, o, i ? "," : "");
			text_add_json(out, outlen, o, json_array_get(v, i), depth + 1);
		}
		text_adds(out, outlen, o, "]");
	}
	else
		text_adds(out, outlen, o, json_is_true(v) ? "true" :
				  json_is_false(v) ? "false" : "null");
}

/* Under a list cut at its limit: how much of it is shown. */
static void
put_shown_note(HtmlBuf *b, size_t shown, size_t total, const char *what)
{
	char		t[32];

	hb_fmt_integer(t, sizeof(t), (long long) total);
	hb_printf(b, "<p class=\"note\">Showing the first %zu of %s %s.</p>\n",
			  shown, t, what);
}

/* ---------------------------------------------------------------------
 * Header
 * ---------------------------------------------------------------------
 */

/* The version as "v3", or nothing when there is none. */
static void
put_version(HtmlBuf *b, json_t *model)
{
	json_t	   *v = json_object_get(model, "version");

	if (json_is_number(v) || json_is_string(v))
	{
		hb_puts(b, "v");
		put_value(b, v, MR_LABEL_CHARS);
	}
}

/* The document head: charset, a title naming the model, the CSS. */
static void
render_head(HtmlBuf *b, json_t *model)
{
	const char *const *css;

	hb_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
			"<meta charset=\"utf-8\">\n"
			"<meta name=\"viewport\" content=\"width=device-width, "
			"initial-scale=1\">\n<title>Model report: ");
	hb_escape_json(b, json_object_get(model, "model_name"), MR_MAX_CHARS,
				   "unnamed model");
	if (json_object_get(model, "version") != NULL)
		hb_puts(b, " ");
	put_version(b, model);
	hb_puts(b, "</title>\n<style>\n");
	for (css = mr_css; *css; css++)
		hb_puts(b, *css);
	hb_puts(b, "</style>\n</head>\n<body>\n<main>\n");
}

/* Colour of a score in 0..1: green, amber or red. */
static const char *
score_colour(double score)
{
	if (score >= 0.8)
		return "#1a7f37";
	return score >= 0.5 ? "#bf8700" : "#cf222e";
}

/*
 * The headline score as a ring gauge: accuracy for a classifier, R² for a
 * regressor (whichever the metrics have, when the task is unknown).
 */
static void
render_gauge(HtmlBuf *b, json_t *root)
{
	const double circ = 2 * 3.14159265358979 * 50;
	json_t	   *metrics = json_object_get(root, "metrics");
	bool		regression = mr_str_is(json_object_get(root, "model"), "task",
									   "regression");
	const char *key = regression ? "r2" : "accuracy";
	const char *label = regression ? "R&sup2;" : "accuracy";
	double		score;
	double		f;

	if (!hb_num(metrics, key, &score))
	{
		if (regression || hb_str(json_object_get(root, "model"), "task") ||
			!hb_num(metrics, "r2", &score))
			return;
		label = "R&sup2;";
	}
	f = clamp01(score);
	hb_puts(b, "<div class=\"gauge\"><svg width=\"128\" height=\"128\" "
			"viewBox=\"0 0 128 128\" role=\"img\" aria-label=\"score\">"
			"<circle cx=\"64\" cy=\"64\" r=\"50\" fill=\"none\" "
			"stroke=\"#eaeef2\" stroke-width=\"12\"/>");
	if (f > 0)
		hb_printf(b, "<circle cx=\"64\" cy=\"64\" r=\"50\" fill=\"none\" "
				  "stroke=\"%s\" stroke-width=\"12\" stroke-linecap=\"round\" "
				  "stroke-dasharray=\"%.2f %.2f\" "
				  "transform=\"rotate(-90 64 64)\"/>",
				  score_colour(f), f * circ, circ);
	hb_printf(b, "<text x=\"64\" y=\"72\" text-anchor=\"middle\" "
			  "style=\"font:600 23px system-ui,sans-serif;fill:%s\">",
			  score_colour(score));
	if (fabs(score) < 10)
		hb_printf(b, "%.3f", score == 0 ? 0.0 : score);
	else
	{
		char		tmp[64];

		fmt_short(tmp, sizeof(tmp), score);
		hb_puts(b, tmp);
	}
	hb_printf(b, "</text></svg><div class=\"k\">%s</div></div>\n", label);
}

/* One header tile when model[key] is present: a label and a value. */
static void
render_tile(HtmlBuf *b, json_t *model, const char *key, const char *label,
			void (*fmt) (char *, size_t, double))
{
	json_t	   *v = json_object_get(model, key);

	if (v == NULL)
		return;
	hb_printf(b, "<div class=\"tile\"><div class=\"k\">%s</div>"
			  "<div class=\"v\">", label);
	if (fmt != NULL)
		put_number(b, v, fmt);
	else
		put_value(b, v, MR_LABEL_CHARS);
	hb_puts(b, "</div></div>\n");
}

/* The line under the name: model id, when and by whom it was created. */
static void
render_header_meta(HtmlBuf *b, json_t *model)
{
	json_t	   *id = json_object_get(model, "model_id");
	json_t	   *at = json_object_get(model, "created_at");
	json_t	   *by = json_object_get(model, "created_by");
	const char *sep = "";

	if (id == NULL && !json_is_string(at) && !json_is_string(by))
		return;
	hb_puts(b, "<div class=\"meta\">");
	if (id != NULL)
	{
		hb_puts(b, "model id ");
		put_value(b, id, MR_LABEL_CHARS);
		sep = " &middot; ";
	}
	if (json_is_string(at) || json_is_string(by))
		hb_printf(b, "%screated", sep);
	if (json_is_string(at))
	{
		hb_puts(b, " ");
		hb_escape_json(b, at, MR_LABEL_CHARS, "");
	}
	if (json_is_string(by))
	{
		hb_puts(b, " by ");
		hb_escape_json(b, by, MR_LABEL_CHARS * 2, "");
	}
	hb_puts(b, "</div>\n");
}

/* The page header: name, version, badges, meta line, tiles and gauge. */
static void
render_header(HtmlBuf *b, json_t *root)
{
	json_t	   *model = json_object_get(root, "model");
	json_t	   *deployed = json_object_get(model, "deployed");

	hb_puts(b, "<header class=\"top\" id=\"model\"><div class=\"lead\">"
			"<div class=\"eyebrow\">model report</div>\n"
			"<h1><span class=\"name\">");
	hb_escape_json(b, json_object_get(model, "model_name"), MR_MAX_CHARS,
				   "(unnamed model)");
	hb_puts(b, "</span>");
	if (json_object_get(model, "version") != NULL)
	{
		hb_puts(b, "<span class=\"ver\">");
		put_version(b, model);
		hb_puts(b, "</span>");
	}
	if (json_is_true(deployed))
		hb_puts(b, "<span class=\"badge b-dep\">deployed</span>");
	else if (json_is_false(deployed))
		hb_puts(b, "<span class=\"badge b-undep\">not deployed</span>");
	hb_puts(b, "</h1>\n");
	render_header_meta(b, model);
	hb_puts(b, "<div class=\"tiles\">\n");
	render_tile(b, model, "task", "task", NULL);
	render_tile(b, model, "algorithm", "algorithm", NULL);
	render_tile(b, model, "target", "target", NULL);
	render_tile(b, model, "train_rows", "training rows", fmt_count);
	render_tile(b, model, "training_seconds", "training time", fmt_seconds);
	render_tile(b, model, "size_bytes", "model size", fmt_bytes);
	hb_puts(b, "</div></div>\n");
	render_gauge(b, root);
	hb_puts(b, "</header>\n");
}

/* ---------------------------------------------------------------------
 * Metrics
 * ---------------------------------------------------------------------
 */

/* The value of one metric card in the metric's format, a bar for 0..1. */
static void
put_metric_value(HtmlBuf *b, json_t *v, MrFormat format)
{
	static void (*const fmts[]) (char *, size_t, double) = {
		fmt_decimal, fmt_decimal, fmt_significant, fmt_error, fmt_count
	};
	double		x = json_number_value(v);

	hb_puts(b, "<div class=\"v\">");
	if (json_is_number(v))
		put_number(b, v, fmts[format]);
	else
		put_value(b, v, MR_LABEL_CHARS);
	hb_puts(b, "</div>");
	if (format == MR_FRACTION && json_is_number(v) && isfinite(x))
		hb_printf(b, "<div class=\"bar\"><span style=\"width:%.2f%%\">"
				  "</span></div>", clamp01(x) * 100);
}

/* One card of a known metric. */
static void
render_known_metric(HtmlBuf *b, const MrMetric *m, json_t *v)
{
	hb_printf(b, "<div class=\"metric\"><div class=\"k\">%s</div>", m->label);
	put_metric_value(b, v, m->format);
	hb_printf(b, "<div class=\"hint\">%s</div></div>\n", m->hint);
}

/* Whether key is one of the metrics with their own card. */
static bool
is_known_metric(const char *key)
{
	const MrMetric *m;

	for (m = mr_metrics; m->key; m++)
		if (strcmp(m->key, key) == 0)
			return true;
	return false;
}

/*
 * The metric cards: the known metrics present in the object (null shows a
 * dash), then any other scalar members, at most MR_MAX_METRICS cards.  A
 * section that got no card is taken back out of the page.
 */
static void
render_metrics(HtmlBuf *b, json_t *root)
{
	json_t	   *metrics = json_object_get(root, "metrics");
	size_t		start = b->len;
	const MrMetric *m;
	const char *key;
	json_t	   *v;
	int			cards = 0;

	if (!json_is_object(metrics) || json_object_size(metrics) == 0)
		return;
	hb_puts(b, "<section id=\"metrics\"><h2>Metrics <small>on the held-out "
			"test rows</small></h2>\n<div class=\"mgrid\">\n");
	for (m = mr_metrics; m->key; m++)
		if ((v = json_object_get(metrics, m->key)) != NULL)
		{
			render_known_metric(b, m, v);
			cards++;
		}
	json_object_foreach(metrics, key, v)
	{
		if (cards >= MR_MAX_METRICS)
			break;
		if (is_known_metric(key) || json_is_object(v) || json_is_array(v))
			continue;
		hb_puts(b, "<div class=\"metric\"><div class=\"k\">");
		hb_escape(b, key, strlen(key), MR_LABEL_CHARS);
		hb_puts(b, "</div>");
		put_metric_value(b, v, MR_SIGNIFICANT);
		hb_puts(b, "</div>\n");
		cards++;
	}
	hb_puts(b, "</div></section>\n");
	if (cards == 0 && b->err == NULL)
	{
		b->len = start;
		b->data[start] = '\0';
	}
}

/* ---------------------------------------------------------------------
 * Chart helpers
 * ---------------------------------------------------------------------
 */

/*
 * Fit axis a to the data range [lo, hi] (within +-MR_ABSURD), widened
 * when empty and padded by pad of its width on each side.
 */
static void
axis_fit(MrAxis *a, double lo, double hi, double pad)
{
	double		w;

	if (!(lo <= hi))
	{
		lo = 0;
		hi = 1;
	}
	if (hi == lo)
	{
		w = fabs(lo) * 0.05 > 0.5 ? fabs(lo) * 0.05 : 0.5;
		lo -= w;
		hi += w;
	}
	w = (hi - lo) * pad;
	a->lo = lo - w;
	a->hi = hi + w;
}

/* The SVG position of v on axis a, clamped to the axis. */
static double
axis_pos(const MrAxis *a, double v)
{
	double		f = (v * 0.5 - a->lo * 0.5) / (a->hi * 0.5 - a->lo * 0.5);

	return a->p0 + clamp01(f) * (a->p1 - a->p0);
}

/* A round tick step (1, 2 or 5 times a power of ten) for about n ticks. */
static double
nice_step(double span, int n, double min_step)
{
	double		raw = span / n;
	double		mag;
	double		norm;
	double		step;

	if (!(raw > 0) || !isfinite(raw))
		return min_step > 0 ? min_step : 1;
	mag = pow(10, floor(log10(raw)));
	norm = raw / mag;
	step = (norm < 1.5 ? 1 : norm < 3.5 ? 2 : norm < 7.5 ? 5 : 10) * mag;
	if (!(step > 0) || !isfinite(step))
		step = raw;
	return step < min_step ? min_step : step;
}

/*
 * Grid lines and labels at round values along axis a: vertical lines and
 * labels under the plot when vertical, else horizontal lines and labels
 * left of it.  other0..other1 is the span of the lines across the plot.
 */
static void
put_ticks(HtmlBuf *b, const MrAxis *a, bool vertical, double other0,
		  double other1, double min_step)
{
	double		step = nice_step(a->hi - a->lo, 5, min_step);
	double		first = ceil(a->lo / step) * step;
	double		prev = 0;
	int			i;

	if (!isfinite(first))
		return;
	for (i = 0; i < 12; i++)
	{
		double		v = first + i * step;
		double		p;
		char		tmp[64];

		if (v > a->hi || (i > 0 && v == prev))
			break;
		prev = v;
		if (fabs(v) < step * 1e-6)
			v = 0;
		p = axis_pos(a, v);
		fmt_short(tmp, sizeof(tmp), v);
		if (vertical)
			hb_printf(b, "<line class=\"gl\" x1=\"%.1f\" y1=\"%.1f\" "
					  "x2=\"%.1f\" y2=\"%.1f\"/><text x=\"%.1f\" y=\"%.1f\" "
					  "text-anchor=\"middle\">%s</text>", p, other0, p,
					  other1, p, other1 + 16, tmp);
		else
			hb_printf(b, "<line class=\"gl\" x1=\"%.1f\" y1=\"%.1f\" "
					  "x2=\"%.1f\" y2=\"%.1f\"/><text x=\"%.1f\" y=\"%.1f\" "
					  "text-anchor=\"end\">%s</text>", other0, p, other1, p,
					  other0 - 7, p + 4, tmp);
	}
}

/* The frame of a square chart: axis lines and both axis titles. */
static void
put_square_frame(HtmlBuf *b, const char *xtitle, const char *ytitle)
{
	hb_printf(b, "<line class=\"ax\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			  "y2=\"%.1f\"/><line class=\"ax\" x1=\"%.1f\" y1=\"%.1f\" "
			  "x2=\"%.1f\" y2=\"%.1f\"/>", SQ_X0, SQ_Y1, SQ_X1, SQ_Y1,
			  SQ_X0, SQ_Y0, SQ_X0, SQ_Y1);
	hb_printf(b, "<text class=\"at\" x=\"%.1f\" y=\"%.1f\" "
			  "text-anchor=\"middle\">%s</text>", (SQ_X0 + SQ_X1) / 2,
			  SQ_H - 6, xtitle);
	hb_printf(b, "<text class=\"at\" x=\"14\" y=\"%.1f\" "
			  "text-anchor=\"middle\" transform=\"rotate(-90 14 %.1f)\">%s"
			  "</text>", (SQ_Y0 + SQ_Y1) / 2, (SQ_Y0 + SQ_Y1) / 2, ytitle);
}

/* The opening tag of a chart SVG of w x h units, shown at most w px wide. */
static void
put_svg_open(HtmlBuf *b, double w, double h, const char *label)
{
	hb_printf(b, "<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" "
			  "style=\"max-width:%.0fpx\" role=\"img\" aria-label=\"%s\">",
			  w, h, w, label);
}

/* Open a chart card (wide when it is alone in its grid row). */
static void
put_card_open(HtmlBuf *b, const char *id, bool wide)
{
	hb_printf(b, "<article class=\"card%s\" id=\"%s\">", wide ? " wide" : "",
			  id);
}

/* ---------------------------------------------------------------------
 * Confusion matrix
 * ---------------------------------------------------------------------
 */

/* Count in cell (r, c): a finite non-negative number, else 0. */
static double
cm_cell(json_t *cm, size_t r, size_t c)
{
	json_t	   *v = json_array_get(json_array_get(cm, r), c);
	double		x = json_is_number(v) ? json_number_value(v) : 0;

	return (isfinite(x) && x > 0) ? (x < MR_ABSURD ? x : MR_ABSURD) : 0;
}

/* Sum of row r (at most MR_MAX_ROW_SCAN cells): the actual class's size. */
static double
cm_row_total(json_t *cm, size_t r)
{
	json_t	   *row = json_array_get(cm, r);
	size_t		n = json_array_size(row);
	double		sum = 0;
	size_t		c;

	for (c = 0; c < n && c < MR_MAX_ROW_SCAN; c++)
		sum += cm_cell(cm, r, c);
	return sum;
}

/* Class label i, escaped and cut; its index when classes has none. */
static void
put_class(HtmlBuf *b, json_t *classes, size_t i, size_t maxchars)
{
	json_t	   *v = json_array_get(classes, i);

	if (json_is_string(v) || json_is_number(v) || json_is_boolean(v))
		put_value(b, v, maxchars);
	else
		hb_printf(b, "class %zu", i);
}

/* Fill colour of a cell: blue on the diagonal, red off it, by intensity t. */
static void
cm_colour(char *out, size_t outlen, bool diagonal, double t)
{
	const int	base[3] = {246, 248, 250};
	const int	blue[3] = {9, 105, 218};
	const int	red[3] = {207, 34, 46};
	const int  *to = diagonal ? blue : red;
	int			rgb[3];
	int			i;

	for (i = 0; i < 3; i++)
		rgb[i] = (int) lround(base[i] + (to[i] - base[i]) * t);
	snprintf(out, outlen, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

/*
 * One cell: its colour by the share of its actual class (square root, so
 * that small error shares stay visible), the count and, when the cell is
 * large, that share; a tooltip spells it out.
 */
static void
render_cm_cell(HtmlBuf *b, json_t *root, size_t r, size_t c, double total,
			   double x, double y, double cell)
{
	json_t	   *classes = json_object_get(root, "classes");
	json_t	   *cm = json_object_get(root, "confusion_matrix");
	double		count = cm_cell(cm, r, c);
	double		share = total > 0 ? count / total : 0;
	double		t = sqrt(clamp01(share));
	const char *inv = t > 0.55 ? " inv" : "";
	char		fill[16];
	char		num[64];
	char		pct[32];

	cm_colour(fill, sizeof(fill), r == c, t);
	hb_printf(b, "<g><rect class=\"cell\" x=\"%.1f\" y=\"%.1f\" "
			  "width=\"%.1f\" height=\"%.1f\" rx=\"3\" fill=\"%s\"/>",
			  x, y, cell, cell, fill);
	fmt_count(num, sizeof(num), count);
	hb_fmt_percent(pct, sizeof(pct), share, "&mdash;");
	hb_puts(b, "<title>actual ");
	put_class(b, classes, r, MR_LABEL_CHARS);
	hb_puts(b, ", predicted ");
	put_class(b, classes, c, MR_LABEL_CHARS);
	hb_printf(b, ": %s (%s of actual)</title>", num, pct);
	if (cell >= 26)
	{
		double		fs = cell >= 70 ? 18 : cell >= 40 ? 13 : 10;

		if (cell < 70)
			fmt_short(num, sizeof(num), count);
		hb_printf(b, "<text class=\"cnt%s\" x=\"%.1f\" y=\"%.1f\" "
				  "text-anchor=\"middle\" style=\"font-size:%.0fpx\">%s"
				  "</text>", inv, x + cell / 2,
				  y + cell / 2 + fs * 0.35 - (cell >= 70 ? 7 : 0), fs, num);
		if (cell >= 70)
			hb_printf(b, "<text class=\"pct%s\" x=\"%.1f\" y=\"%.1f\" "
					  "text-anchor=\"middle\">%s</text>", inv, x + cell / 2,
					  y + cell / 2 + 18, pct);
	}
	hb_puts(b, "</g>");
}

/* The class labels along the top (rotated when cells are narrow). */
static void
render_cm_top_labels(HtmlBuf *b, json_t *classes, size_t n, double x0,
					 double top, double cell, bool rotate)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		double		x = x0 + (i + 0.5) * cell;

		if (rotate)
			hb_printf(b, "<text class=\"lab\" x=\"%.1f\" y=\"%.1f\" "
					  "transform=\"rotate(-45 %.1f %.1f)\"%s>", x - 2, top - 6,
					  x - 2, top - 6,
					  cell < 30 ? " style=\"font-size:10px\"" : "");
		else
			hb_printf(b, "<text class=\"lab\" x=\"%.1f\" y=\"%.1f\" "
					  "text-anchor=\"middle\">", x, top - 8);
		put_class(b, classes, i, rotate ? 12 : (size_t) (cell / 8));
		hb_puts(b, "</text>");
	}
}

/* Characters of class label i as drawn at the left (at most 14). */
static size_t
class_label_chars(json_t *classes, size_t i)
{
	json_t	   *v = json_array_get(classes, i);
	const char *s = json_string_value(v);
	size_t		n = json_string_length(v);
	size_t		chars = 0;
	size_t		k;

	if (json_is_number(v) || json_is_boolean(v))
		return 8;
	if (s == NULL)
		return 8 + (i >= 10) + (i >= 100);
	for (k = 0; k < n && chars <= 14; k++)
		if (((unsigned char) s[k] & 0xC0) != 0x80)
			chars++;
	return chars < 14 ? chars : 15;
}

/*
 * The SVG heat map of the first n classes: the left margin fits the
 * longest row label, the cells share about 380 units.
 */
static void
render_cm_svg(HtmlBuf *b, json_t *root, size_t n)
{
	json_t	   *classes = json_object_get(root, "classes");
	json_t	   *cm = json_object_get(root, "confusion_matrix");
	double		cell = 380.0 / n < 140 ? 380.0 / n : 140;
	bool		rotate = n > 4;
	double		left = 0;
	double		top = 0;
	double		grid = cell * n;
	size_t		r;
	size_t		c;

	/* a character is about 7 units wide; rotated 45 degrees, 4.6 high */
	for (r = 0; r < n; r++)
	{
		size_t		chars = class_label_chars(classes, r);
		size_t		top_chars = chars < 13 ? chars : 13;

		left = fmax(left, chars * 7.0);
		top = fmax(top, top_chars * 4.6);
	}
	left += 40;
	top = rotate ? top + 36 : 44;
	put_svg_open(b, left + grid + (rotate ? 64 : 12), top + grid + 8,
				 "confusion matrix");
	hb_printf(b, "<text class=\"at\" x=\"%.1f\" y=\"14\" "
			  "text-anchor=\"middle\">Predicted</text>", left + grid / 2);
	hb_printf(b, "<text class=\"at\" x=\"14\" y=\"%.1f\" "
			  "text-anchor=\"middle\" transform=\"rotate(-90 14 %.1f)\">"
			  "Actual</text>", top + grid / 2, top + grid / 2);
	render_cm_top_labels(b, classes, n, left, top, cell, rotate);
	for (r = 0; r < n; r++)
	{
		double		total = cm_row_total(cm, r);
		double		y = top + r * cell;

		hb_printf(b, "<text class=\"lab\" x=\"%.1f\" y=\"%.1f\" "
				  "text-anchor=\"end\">", left - 8, y + cell / 2 + 4);
		put_class(b, classes, r, 14);
		hb_puts(b, "</text>");
		for (c = 0; c < n; c++)
			render_cm_cell(b, root, r, c, total, left + c * cell, y, cell);
	}
	hb_puts(b, "</svg>\n");
}

/*
 * The confusion matrix card: rows are the actual classes, columns the
 * predicted ones, at most MR_MAX_CLASSES of each.
 */
static void
render_confusion(HtmlBuf *b, json_t *root, bool wide)
{
	json_t	   *cm = json_object_get(root, "confusion_matrix");
	size_t		n = json_array_size(cm);
	size_t		shown = n < MR_MAX_CLASSES ? n : MR_MAX_CLASSES;
	double		total = 0;
	size_t		r;
	char		tmp[64];

	put_card_open(b, "confusion", wide);
	hb_puts(b, "<h3>Confusion matrix</h3>\n<div class=\"sub\">rows: actual "
			"&middot; columns: predicted &middot; colour: share of the actual "
			"class");
	if (shown == n)
	{
		for (r = 0; r < n; r++)
			total += cm_row_total(cm, r);
		fmt_count(tmp, sizeof(tmp), total);
		hb_printf(b, " &middot; %s test rows", tmp);
	}
	hb_puts(b, "</div>\n");
	render_cm_svg(b, root, shown);
	if (shown < n)
		put_shown_note(b, shown, n, "classes");
	hb_puts(b, "</article>\n");
}

/* ---------------------------------------------------------------------
 * ROC curve
 * ---------------------------------------------------------------------
 */

/* The area under the curve by the trapezoid rule, within [0, 1]. */
static double
roc_area(json_t *curve)
{
	size_t		n = json_array_size(curve);
	double		px = 0;
	double		py = 0;
	bool		have = false;
	double		area = 0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		double		x;
		double		y;

		if (!mr_pair(curve, i, &x, &y))
			continue;
		x = clamp01(x);
		y = clamp01(y);
		if (have)
			area += (x - px) * (y + py) / 2;
		px = x;
		py = y;
		have = true;
	}
	return clamp01(area);
}

/* How many points of arr are valid [x, y] pairs. */
static size_t
count_pairs(json_t *arr)
{
	size_t		n = json_array_size(arr);
	size_t		valid = 0;
	size_t		i;
	double		x;
	double		y;

	for (i = 0; i < n; i++)
		if (mr_pair(arr, i, &x, &y))
			valid++;
	return valid;
}

/*
 * The curve as one path through at most MR_MAX_POINTS points (in their
 * order, clamped to the unit square), then the same path closed down to
 * the x axis as the shaded area under it.
 */
static void
render_roc_path(HtmlBuf *b, json_t *curve, const MrAxis *ax, const MrAxis *ay,
				bool area)
{
	size_t		n = json_array_size(curve);
	size_t		stride = mr_stride(n, MR_MAX_POINTS);
	double		first = 0;
	double		last = 0;
	bool		any = false;
	size_t		i;

	hb_printf(b, "<path class=\"%s\" d=\"", area ? "area" : "curve");
	for (i = 0; i < n; i = mr_sample_next(i, n, stride))
	{
		double		x;
		double		y;

		if (!mr_pair(curve, i, &x, &y))
			continue;
		last = axis_pos(ax, clamp01(x));
		if (!any)
			first = last;
		hb_printf(b, "%s%.1f %.1f", any ? " L" : "M", last,
				  axis_pos(ay, clamp01(y)));
		any = true;
	}
	if (area)
		hb_printf(b, " L%.1f %.1f L%.1f %.1fZ", last, ay->p0, first, ay->p0);
	hb_puts(b, "\"/>");
}

/* The ROC curve card, with the diagonal and the AUC in its title. */
static void
render_roc(HtmlBuf *b, json_t *root, bool wide)
{
	json_t	   *curve = json_object_get(root, "roc_curve");
	MrAxis		ax = {0, 1, SQ_X0, SQ_X1};
	MrAxis		ay = {0, 1, SQ_Y1, SQ_Y0};
	double		auc;
	char		tmp[64];

	if (!hb_num(json_object_get(root, "metrics"), "roc_auc", &auc))
		auc = roc_area(curve);
	put_card_open(b, "roc", wide);
	hb_printf(b, "<h3>ROC curve <small>AUC %.4f</small></h3>\n", auc);
	fmt_count(tmp, sizeof(tmp), (double) count_pairs(curve));
	hb_printf(b, "<div class=\"sub\">true positive rate against false "
			  "positive rate over every threshold &middot; %s points</div>\n",
			  tmp);
	put_svg_open(b, SQ_W, SQ_H, "ROC curve");
	put_ticks(b, &ax, true, SQ_Y0, SQ_Y1, 0);
	put_ticks(b, &ay, false, SQ_X0, SQ_X1, 0);
	render_roc_path(b, curve, &ax, &ay, true);
	hb_printf(b, "<line class=\"diag\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			  "y2=\"%.1f\"/>", SQ_X0, SQ_Y1, SQ_X1, SQ_Y0);
	render_roc_path(b, curve, &ax, &ay, false);
	put_square_frame(b, "False positive rate", "True positive rate");
	hb_puts(b, "</svg>\n</article>\n");
}

/* ---------------------------------------------------------------------
 * Residuals
 * ---------------------------------------------------------------------
 */

/*
 * The range of the sampled points' coordinates into *lo, *hi: both
 * coordinates when resid is false (one scale for predicted and actual),
 * else of actual - predicted.  Returns how many points are valid.
 */
static size_t
residual_range(json_t *pts, bool resid, double *lo, double *hi)
{
	size_t		n = json_array_size(pts);
	size_t		stride = mr_stride(n, MR_MAX_POINTS);
	size_t		valid = 0;
	size_t		i;

	*lo = INFINITY;
	*hi = -INFINITY;
	for (i = 0; i < n; i = mr_sample_next(i, n, stride))
	{
		double		p;
		double		a;
		double		v0;
		double		v1;

		if (!mr_pair(pts, i, &p, &a))
			continue;
		v0 = resid ? a - p : fmin(p, a);
		v1 = resid ? a - p : fmax(p, a);
		*lo = fmin(*lo, v0);
		*hi = fmax(*hi, v1);
		valid++;
	}
	return valid;
}

/* Predicted against actual: a scatter of the sampled points and y = x. */
static void
render_scatter(HtmlBuf *b, json_t *root, bool wide)
{
	json_t	   *pts = json_object_get(root, "residuals");
	size_t		n = json_array_size(pts);
	size_t		stride = mr_stride(n, MR_MAX_POINTS);
	MrAxis		ax = {0, 1, SQ_X0, SQ_X1};
	MrAxis		ay = {0, 1, SQ_Y1, SQ_Y0};
	double		lo;
	double		hi;
	size_t		valid = residual_range(pts, false, &lo, &hi);
	size_t		i;
	char		tmp[64];

	axis_fit(&ax, lo, hi, 0.04);
	ay.lo = ax.lo;
	ay.hi = ax.hi;
	put_card_open(b, "residuals", wide);
	fmt_count(tmp, sizeof(tmp), (double) valid);
	hb_printf(b, "<h3>Predicted vs actual</h3>\n<div class=\"sub\">%s "
			  "test rows%s &middot; points on the dashed line are "
			  "predicted exactly</div>\n", tmp, stride > 1 ? " (sampled)" : "");
	put_svg_open(b, SQ_W, SQ_H, "predicted against actual");
	put_ticks(b, &ax, true, SQ_Y0, SQ_Y1, 0);
	put_ticks(b, &ay, false, SQ_X0, SQ_X1, 0);
	for (i = 0; i < n; i = mr_sample_next(i, n, stride))
	{
		double		p;
		double		a;

		if (mr_pair(pts, i, &p, &a))
			hb_printf(b, "<circle class=\"pt\" cx=\"%.1f\" cy=\"%.1f\" "
					  "r=\"2.6\"/>", axis_pos(&ax, p), axis_pos(&ay, a));
	}
	hb_printf(b, "<line class=\"diag\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			  "y2=\"%.1f\"/>", SQ_X0, SQ_Y1, SQ_X1, SQ_Y0);
	put_square_frame(b, "Predicted", "Actual");
	hb_puts(b, "</svg>\n</article>\n");
}

/* Bin counts of actual - predicted over axis ax into counts[]. */
static void
residual_bins(json_t *pts, const MrAxis *ax, double *counts)
{
	size_t		n = json_array_size(pts);
	size_t		stride = mr_stride(n, MR_MAX_POINTS);
	size_t		i;

	for (i = 0; i < n; i = mr_sample_next(i, n, stride))
	{
		double		p;
		double		a;
		double		f;
		int			k;

		if (!mr_pair(pts, i, &p, &a))
			continue;
		f = clamp01(((a - p) * 0.5 - ax->lo * 0.5) /
					(ax->hi * 0.5 - ax->lo * 0.5));
		k = (int) (f * MR_HIST_BINS);
		counts[k < MR_HIST_BINS ? k : MR_HIST_BINS - 1]++;
	}
}

/* One histogram bar with its tooltip "[lo, hi): count". */
static void
render_residual_bar(HtmlBuf *b, const MrAxis *ax, const MrAxis *ay, int k,
					double count)
{
	double		w = (ax->hi - ax->lo) / MR_HIST_BINS;
	double		lo = ax->lo + k * w;
	double		x0 = axis_pos(ax, lo);
	double		x1 = axis_pos(ax, lo + w);
	double		y = axis_pos(ay, count);
	char		a[64];
	char		c[64];
	char		n[64];

	if (count <= 0)
		return;
	fmt_short(a, sizeof(a), lo);
	fmt_short(c, sizeof(c), lo + w);
	fmt_count(n, sizeof(n), count);
	hb_printf(b, "<rect class=\"hb\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			  "height=\"%.1f\"><title>[%s, %s): %s</title></rect>",
			  x0 + 0.5, y, x1 - x0 > 1.5 ? x1 - x0 - 1 : 0.5, ay->p0 - y,
			  a, c, n);
}

/* The distribution of actual - predicted, with a line at zero. */
static void
render_residual_hist(HtmlBuf *b, json_t *root, bool wide)
{
	json_t	   *pts = json_object_get(root, "residuals");
	double		counts[MR_HIST_BINS] = {0};
	MrAxis		ax = {0, 1, SQ_X0, SQ_X1};
	MrAxis		ay = {0, 1, SQ_Y1, SQ_Y0};
	double		lo;
	double		hi;
	double		maxc = 0;
	int			k;

	residual_range(pts, true, &lo, &hi);
	axis_fit(&ax, lo, hi, 0.02);
	residual_bins(pts, &ax, counts);
	for (k = 0; k < MR_HIST_BINS; k++)
		maxc = counts[k] > maxc ? counts[k] : maxc;
	axis_fit(&ay, 0, maxc, 0);
	ay.hi = maxc > 0 ? maxc * 1.08 : 1;
	put_card_open(b, "residual-hist", wide);
	hb_puts(b, "<h3>Residuals <small>actual &minus; predicted</small></h3>\n"
			"<div class=\"sub\">centred on the red line at zero when the "
			"model is unbiased</div>\n");
	put_svg_open(b, SQ_W, SQ_H, "residual histogram");
	put_ticks(b, &ax, true, SQ_Y0, SQ_Y1, 0);
	put_ticks(b, &ay, false, SQ_X0, SQ_X1, 1);
	for (k = 0; k < MR_HIST_BINS; k++)
		render_residual_bar(b, &ax, &ay, k, counts[k]);
	if (ax.lo < 0 && ax.hi > 0)
		hb_printf(b, "<line class=\"zero\" x1=\"%.1f\" y1=\"%.1f\" "
				  "x2=\"%.1f\" y2=\"%.1f\"/>", axis_pos(&ax, 0), SQ_Y0,
				  axis_pos(&ax, 0), SQ_Y1);
	put_square_frame(b, "Residual", "Test rows");
	hb_puts(b, "</svg>\n</article>\n");
}

/* ---------------------------------------------------------------------
 * Feature importance
 * ---------------------------------------------------------------------
 */

/* Importance of entry i: a finite number (clamped), else 0. */
static double
importance_of(json_t *imp, size_t i)
{
	double		v = 0;

	if (!hb_num(json_array_get(imp, i), "importance", &v))
		return 0;
	return mr_clamp_coord(v);
}

/* An importance as a percentage when all are shares, else 4 digits. */
static void
fmt_importance(char *out, size_t outlen, double v, bool shares)
{
	if (shares)
		hb_fmt_percent(out, outlen, v, "&mdash;");
	else
		fmt_significant(out, outlen, v);
}

/* One bar: the feature name (full in a tooltip), the bar, the value. */
static void
render_importance_bar(HtmlBuf *b, json_t *entry, double v, double maxabs,
					  double y, bool shares)
{
	json_t	   *name = json_object_get(entry, "feature");
	double		w = maxabs > 0 ? fabs(v) / maxabs * IMP_BAR : 0;
	char		tmp[64];

	if (v != 0 && w < 1.5)
		w = 1.5;
	fmt_importance(tmp, sizeof(tmp), v, shares);
	hb_puts(b, "<g><title>");
	put_text(b, name, MR_MAX_CHARS);
	hb_printf(b, ": %s</title><text class=\"lab\" x=\"%.1f\" y=\"%.1f\" "
			  "text-anchor=\"end\">", tmp, IMP_LABEL - 10, y + 15);
	put_text(b, name, 24);
	hb_printf(b, "</text><rect class=\"ib%s\" x=\"%.1f\" y=\"%.1f\" "
			  "width=\"%.1f\" height=\"%.1f\" rx=\"2\"/><text x=\"%.1f\" "
			  "y=\"%.1f\">%s</text></g>", v < 0 ? " neg" : "", IMP_LABEL,
			  y + 4, w, IMP_ROW - 8, IMP_LABEL + w + 6, y + 15, tmp);
}

/* Feature importance as horizontal bars, the first MR_MAX_FEATURES. */
static void
render_importance(HtmlBuf *b, json_t *root, bool wide)
{
	json_t	   *imp = json_object_get(root, "importance");
	size_t		n = json_array_size(imp);
	size_t		shown = n < MR_MAX_FEATURES ? n : MR_MAX_FEATURES;
	double		maxabs = 0;
	bool		shares = true;
	size_t		i;

	for (i = 0; i < shown; i++)
	{
		double		v = importance_of(imp, i);

		maxabs = fabs(v) > maxabs ? fabs(v) : maxabs;
		shares = shares && v >= 0 && v <= 1;
	}
	put_card_open(b, "importance", wide);
	hb_printf(b, "<h3>Feature importance <small>%zu feature%s</small></h3>\n"
			  "<div class=\"sub\">%s</div>\n", n, n == 1 ? "" : "s",
			  shares ? "share of the model's total importance" :
			  "importance as reported by the model");
	put_svg_open(b, IMP_W, shown * IMP_ROW + 8, "feature importance");
	hb_printf(b, "<line class=\"ax\" x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" "
			  "y2=\"%.1f\"/>", IMP_LABEL, IMP_LABEL, shown * IMP_ROW + 4);
	for (i = 0; i < shown; i++)
		render_importance_bar(b, json_array_get(imp, i), importance_of(imp, i),
							  maxabs, i * IMP_ROW, shares);
	hb_puts(b, "</svg>\n");
	if (shown < n)
		hb_printf(b, "<p class=\"note\">and %zu more feature%s.</p>\n",
				  n - shown, n - shown == 1 ? "" : "s");
	hb_puts(b, "</article>\n");
}

/* ---------------------------------------------------------------------
 * Hyperparameters
 * ---------------------------------------------------------------------
 */

/* One hyperparameter value: numbers in full, nested values as JSON. */
static void
put_param_value(HtmlBuf *b, json_t *v)
{
	if (json_is_number(v) && isfinite(json_number_value(v)))
		hb_printf(b, "%.10g", json_number_value(v));
	else if (json_is_object(v) || json_is_array(v))
	{
		char		text[1024];
		size_t		o = 0;

		text_add_json(text, sizeof(text), &o, v, 0);
		hb_escape(b, text, o, MR_MAX_CHARS);
	}
	else
		put_value(b, v, MR_MAX_CHARS);
}

/* The model's hyperparameters as a two-column table. */
static void
render_hyperparams(HtmlBuf *b, json_t *root, bool wide)
{
	json_t	   *hp = json_object_get(json_object_get(root, "model"),
									 "hyperparams");
	size_t		n = json_object_size(hp);
	size_t		i = 0;
	const char *key;
	json_t	   *v;

	put_card_open(b, "hyperparams", wide);
	hb_printf(b, "<h3>Hyperparameters <small>%zu</small></h3>\n"
			  "<table><thead><tr><th>name</th><th>value</th></tr></thead>"
			  "<tbody>\n", n);
	json_object_foreach(hp, key, v)
	{
		if (i++ == MR_MAX_PARAMS)
			break;
		hb_puts(b, "<tr><td class=\"mono\">");
		hb_escape(b, key, strlen(key), MR_LABEL_CHARS * 2);
		hb_puts(b, "</td><td class=\"mono\">");
		put_param_value(b, v);
		hb_puts(b, "</td></tr>\n");
	}
	hb_puts(b, "</tbody></table>\n");
	if (n > MR_MAX_PARAMS)
		put_shown_note(b, MR_MAX_PARAMS, n, "hyperparameters");
	hb_puts(b, "</article>\n");
}

/* ---------------------------------------------------------------------
 * The evaluation grid
 * ---------------------------------------------------------------------
 */

/* The cards of the grid, in their order. */
typedef enum MrCard
{
	MR_CARD_CONFUSION,
	MR_CARD_ROC,
	MR_CARD_SCATTER,
	MR_CARD_RESIDUAL_HIST,
	MR_CARD_IMPORTANCE,
	MR_CARD_HYPERPARAMS,
	MR_NCARDS
} MrCard;

/* Whether the document has the data of a card. */
static bool
card_present(json_t *root, MrCard card)
{
	switch (card)
	{
		case MR_CARD_CONFUSION:
			return json_array_size(json_object_get(root,
												   "confusion_matrix")) > 0;
		case MR_CARD_ROC:
			return count_pairs(json_object_get(root, "roc_curve")) >= 2;
		case MR_CARD_SCATTER:
		case MR_CARD_RESIDUAL_HIST:
			return count_pairs(json_object_get(root, "residuals")) > 0;
		case MR_CARD_IMPORTANCE:
			return json_array_size(json_object_get(root, "importance")) > 0;
		case MR_CARD_HYPERPARAMS:
			return json_object_size(json_object_get(json_object_get(root,
																	"model"),
													"hyperparams")) > 0;
		case MR_NCARDS:
			break;
	}
	return false;
}

/* Render one card. */
static void
render_card(HtmlBuf *b, json_t *root, MrCard card, bool wide)
{
	switch (card)
	{
		case MR_CARD_CONFUSION:
			render_confusion(b, root, wide);
			break;
		case MR_CARD_ROC:
			render_roc(b, root, wide);
			break;
		case MR_CARD_SCATTER:
			render_scatter(b, root, wide);
			break;
		case MR_CARD_RESIDUAL_HIST:
			render_residual_hist(b, root, wide);
			break;
		case MR_CARD_IMPORTANCE:
			render_importance(b, root, wide);
			break;
		case MR_CARD_HYPERPARAMS:
			render_hyperparams(b, root, wide);
			break;
		case MR_NCARDS:
			break;
	}
}

/*
 * The cards present, two to a row; the last one spans the row when it
 * would be alone in it.
 */
static void
render_cards(HtmlBuf *b, json_t *root)
{
	bool		present[MR_NCARDS];
	int			count = 0;
	int			seen = 0;
	int			c;

	for (c = 0; c < MR_NCARDS; c++)
		if ((present[c] = card_present(root, (MrCard) c)))
			count++;
	if (count == 0)
		return;
	hb_puts(b, "<section><h2>Evaluation</h2>\n<div class=\"cards\">\n");
	for (c = 0; c < MR_NCARDS; c++)
		if (present[c])
		{
			seen++;
			render_card(b, root, (MrCard) c, count % 2 == 1 && seen == count);
		}
	hb_puts(b, "</div></section>\n");
}

/* ---------------------------------------------------------------------
 * Model search and leaderboard
 * ---------------------------------------------------------------------
 */

/* One search tile when search[key] is present. */
static void
render_search_tile(HtmlBuf *b, json_t *search, const char *key,
				   const char *label, void (*fmt) (char *, size_t, double))
{
	json_t	   *v = json_object_get(search, key);

	if (v == NULL)
		return;
	hb_printf(b, "<div class=\"tile\"><div class=\"k\">%s</div>"
			  "<div class=\"v\">", label);
	if (fmt != NULL)
		put_number(b, v, fmt);
	else if (mr_str_is(search, key, "budget"))
		hb_puts(b, "time budget");
	else if (mr_str_is(search, key, "trials"))
		hb_puts(b, "trial limit");
	else
		put_value(b, v, MR_LABEL_CHARS);
	hb_puts(b, "</div></div>\n");
}

/* A status badge: ok, pruned, failed, timeout or another (escaped). */
static void
put_status(HtmlBuf *b, json_t *status)
{
	static const char *const known[] = {"ok", "pruned", "failed", "timeout",
	NULL};
	const char *s = json_string_value(status);
	int			i;

	if (s == NULL)
	{
		hb_puts(b, "<span class=\"muted\">&mdash;</span>");
		return;
	}
	for (i = 0; known[i]; i++)
		if (strcmp(s, known[i]) == 0)
		{
			hb_printf(b, "<span class=\"badge b-%s\">%s</span>", s, s);
			return;
		}
	hb_puts(b, "<span class=\"badge b-other\">");
	hb_escape_json(b, status, MR_LABEL_CHARS, "");
	hb_puts(b, "</span>");
}

/* One "key=value" of a trial's hyperparameters, unescaped, into out. */
static void
summary_param(char *out, size_t outlen, size_t *o, const char *key, json_t *v)
{
	if (*o > 0)
		text_adds(out, outlen, o, ", ");
	text_adds(out, outlen, o, key);
	text_adds(out, outlen, o, "=");
	if (json_is_string(v))
		text_add(out, outlen, o, json_string_value(v), json_string_length(v));
	else
		text_add_json(out, outlen, o, v, 0);
}

/* A trial's hyperparameters as "a=1, b=x", escaped and cut. */
static void
put_params_summary(HtmlBuf *b, json_t *hp)
{
	char		out[512];
	size_t		o = 0;
	const char *key;
	json_t	   *v;

	out[0] = '\0';
	json_object_foreach(hp, key, v)
	{
		if (o + 1 >= sizeof(out))
			break;
		summary_param(out, sizeof(out), &o, key, v);
	}
	if (o == 0)
		hb_puts(b, "<span class=\"muted\">&mdash;</span>");
	else
		hb_escape(b, out, o, MR_PARAM_CHARS);
}

/* Whether a trial finished (status ok or none): only such can win. */
static bool
trial_finished(json_t *trial)
{
	json_t	   *status = json_object_get(trial, "status");

	return json_is_object(trial) &&
		(!json_is_string(status) || mr_str_is(trial, "status", "ok"));
}

/* One leaderboard row; the winner is highlighted. */
static void
render_trial(HtmlBuf *b, json_t *trial, size_t rank, bool winner)
{
	hb_printf(b, "<tr%s><td class=\"num\">%zu</td><td class=\"num\">",
			  winner ? " class=\"win\"" : "", rank);
	put_value(b, json_object_get(trial, "trial"), MR_LABEL_CHARS);
	hb_puts(b, "</td><td class=\"nw\">");
	hb_escape_json(b, json_object_get(trial, "algorithm"), MR_LABEL_CHARS,
				   "<span class=\"muted\">&mdash;</span>");
	if (winner)
		hb_puts(b, "<span class=\"badge b-best\">best</span>");
	hb_puts(b, "</td><td class=\"num\">");
	put_number(b, json_object_get(trial, "score"), fmt_decimal);
	hb_puts(b, "</td><td class=\"num\">");
	put_number(b, json_object_get(trial, "fit_seconds"), fmt_seconds);
	hb_puts(b, "</td><td>");
	put_status(b, json_object_get(trial, "status"));
	hb_puts(b, "</td><td class=\"mono\">");
	put_params_summary(b, json_object_get(trial, "hyperparams"));
	hb_puts(b, "</td></tr>\n");
}

/* The leaderboard table, best first, at most MR_MAX_TRIALS rows. */
static void
render_leaderboard(HtmlBuf *b, json_t *root)
{
	json_t	   *board = json_object_get(root, "leaderboard");
	json_t	   *metric = json_object_get(json_object_get(root, "search"),
										 "metric");
	size_t		n = json_array_size(board);
	size_t		shown = n < MR_MAX_TRIALS ? n : MR_MAX_TRIALS;
	size_t		winner = shown;
	size_t		i;

	if (n == 0)
	{
		hb_puts(b, "<p class=\"empty\" id=\"leaderboard\">No trials were "
				"recorded.</p>\n");
		return;
	}
	for (i = 0; i < shown && winner == shown; i++)
		if (trial_finished(json_array_get(board, i)))
			winner = i;
	/* the search's metric, else the one the best trial was scored by */
	if (!json_is_string(metric))
		metric = json_object_get(json_array_get(board, 0), "metric");
	hb_puts(b, "<div class=\"scroll\" id=\"leaderboard\"><table><thead><tr>"
			"<th class=\"num\">rank</th><th class=\"num\">trial</th>"
			"<th>algorithm</th><th class=\"num\">score");
	if (json_is_string(metric))
	{
		hb_puts(b, " (");
		hb_escape_json(b, metric, MR_LABEL_CHARS, "");
		hb_puts(b, ")");
	}
	hb_puts(b, "</th><th class=\"num\">fit time</th><th>status</th>"
			"<th>hyperparameters</th></tr></thead><tbody>\n");
	for (i = 0; i < shown; i++)
		render_trial(b, json_array_get(board, i), i + 1, i == winner);
	hb_puts(b, "</tbody></table></div>\n");
	if (shown < n)
		put_shown_note(b, shown, n, "trials");
}

/* The model search: its summary tiles, then the leaderboard. */
static void
render_search(HtmlBuf *b, json_t *root)
{
	json_t	   *search = json_object_get(root, "search");
	json_t	   *board = json_object_get(root, "leaderboard");

	if (!json_is_object(search) && !json_is_array(board))
		return;
	hb_puts(b, "<section id=\"search\"><h2>Model search</h2>\n");
	if (json_is_object(search) && json_object_size(search) > 0)
	{
		hb_puts(b, "<div class=\"tiles\" style=\"margin:0 0 14px\">\n");
		render_search_tile(b, search, "metric", "metric", NULL);
		render_search_tile(b, search, "folds", "folds", fmt_count);
		render_search_tile(b, search, "trials", "trials", fmt_count);
		render_search_tile(b, search, "budget_seconds", "budget",
						   fmt_seconds);
		render_search_tile(b, search, "seconds", "elapsed", fmt_seconds);
		render_search_tile(b, search, "stopped", "stopped by", NULL);
		hb_puts(b, "</div>\n");
	}
	if (json_is_array(board))
		render_leaderboard(b, root);
	hb_puts(b, "</section>\n");
}

/* ---------------------------------------------------------------------
 * Entry point
 * ---------------------------------------------------------------------
 */

/* The whole page for a parsed document. */
static void
render_page(HtmlBuf *b, json_t *root)
{
	render_head(b, json_object_get(root, "model"));
	render_header(b, root);
	render_metrics(b, root);
	render_cards(b, root);
	render_search(b, root);
	hb_puts(b, "<footer>Generated by automl</footer>\n</main>\n</body>\n"
			"</html>\n");
}

/* The page, its cap and its reasons for refusing a document. */
static const HtmlPage mr_page = {
	MR_MAX_OUTPUT, render_page,
	"model report is missing",
	"model report is not valid JSON",
	"model report is not a JSON object"
};

/*
 * Render the model document as an HTML page: malloc'd, or NULL with
 * *errmsg set to a static reason.
 */
char *
model_report_html(const char *model_json, size_t len, const char **errmsg)
{
	return hb_render_page(&mr_page, model_json, len, errmsg);
}

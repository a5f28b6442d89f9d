/*-------------------------------------------------------------------------
 *
 * fuzz_model_report.c
 *	  libFuzzer harness for the model report renderer.
 *
 * The report document carries names that users chose (models, features,
 * class labels, hyperparameters), so the renderer must survive any bytes
 * and never let markup through.  The harness feeds the input to
 * model_report_html() as is (not NUL-terminated: the renderer must read
 * only len bytes), checks that a refusal says why, that a page is whole,
 * holds no script element and no non-finite SVG coordinate, and frees it;
 * AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer do the
 * rest.  Seeds live in test/fuzz/corpus/model_report/, the keys of the
 * document in test/fuzz/model_report.dict.
 *
 *	  clang -g -O1 -fsanitize=fuzzer,address,undefined -DAUTOML_STANDALONE \
 *		-Isrc test/fuzz/fuzz_model_report.c src/ml/model_report.c \
 *		-ljansson -lm -o fuzz_model_report
 *	  mkdir -p /tmp/fuzz_work
 *	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ./fuzz_model_report \
 *		-dict=test/fuzz/model_report.dict -max_total_time=180 -timeout=10 \
 *		/tmp/fuzz_work test/fuzz/corpus/model_report
 *
 * (new inputs go to the first directory, so the seeds stay as they are).
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>

#include "fuzz_common.h"
#include "ml/model_report.h"

/* Whether needle occurs in haystack, ignoring ASCII case. */
FUZZ_NO_COVERAGE static bool
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

/*
 * Whether an attribute holds a non-finite number: no string from the
 * document is ever put in an attribute (and its quotes are escaped), so
 * ="nan or "width:inf can only come from a coordinate or a bar width.
 */
FUZZ_NO_COVERAGE static bool
has_nonfinite_attr(const char *html)
{
	return contains_ci(html, "=\"nan") || contains_ci(html, "=\"-nan") ||
		contains_ci(html, "=\"inf") || contains_ci(html, "=\"-inf") ||
		contains_ci(html, "\"width:nan") || contains_ci(html, "\"width:-nan") ||
		contains_ci(html, "\"width:inf") || contains_ci(html, "\"width:-inf");
}

/* Render one input and check the page. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = NULL;
	char	   *html;
	size_t		n;

	html = model_report_html((const char *) data, size, &why);
	FUZZ_CHECK(html != NULL || why != NULL);
	if (html != NULL)
	{
		n = strlen(html);
		FUZZ_CHECK(strncmp(html, "<!DOCTYPE html>", 15) == 0);
		FUZZ_CHECK(n > 8 && strcmp(html + n - 8, "</html>\n") == 0);
		FUZZ_CHECK(!contains_ci(html, "<script"));
		FUZZ_CHECK(!has_nonfinite_attr(html));
	}
	free(html);
	return 0;
}

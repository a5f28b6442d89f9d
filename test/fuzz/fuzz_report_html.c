/*-------------------------------------------------------------------------
 *
 * fuzz_report_html.c
 *	  libFuzzer harness for the profile HTML renderer.
 *
 * The stored profile is a jsonb that any role able to write
 * automl.profiles can change, so the renderer must survive any bytes.  The
 * harness feeds the input to profile_report_html() as is (not
 * NUL-terminated: the renderer must read only len bytes) and frees the
 * page; AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer do
 * the checking.  Seeds live in test/fuzz/corpus/report_html/.
 *
 *	  clang -g -O1 -fsanitize=fuzzer,address,undefined -DAUTOML_STANDALONE \
 *		-Isrc test/fuzz/fuzz_report_html.c src/profile/report_html.c \
 *		-ljansson -lm -o fuzz_report_html
 *	  mkdir -p /tmp/fuzz_work
 *	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ./fuzz_report_html \
 *		-max_total_time=180 -timeout=10 /tmp/fuzz_work \
 *		test/fuzz/corpus/report_html
 *
 * (new inputs go to the first directory, so the seeds stay as they are).
 *
 *-------------------------------------------------------------------------
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profile/report_html.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Render one input; a page must be NUL-terminated, a refusal must say why. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = NULL;
	char	   *html;

	html = profile_report_html((const char *) data, size, &why);
	if (html == NULL && why == NULL)
		abort();
	if (html != NULL && strncmp(html, "<!DOCTYPE html>", 15) != 0)
		abort();
	free(html);
	return 0;
}

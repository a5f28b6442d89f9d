/*-------------------------------------------------------------------------
 *
 * test_infer.c
 *	  Unit tests of import type inference (src/ingest/infer.c).
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"

#include "ingest/infer.h"

static void
expect(const char *s, InferType t)
{
	InferType	got = infer_value(s, strlen(s));

	check(got == t, "'%s' is %s (got %s)", s, infer_type_name(t), infer_type_name(got));
}

static InferType
column(const char *const *values, int n)
{
	InferType	t = INFER_NONE;

	for (int i = 0; i < n; i++)
		if (!infer_is_null(values[i], strlen(values[i]), NULL, 0))
			t = infer_join(t, infer_value(values[i], strlen(values[i])));
	return t;
}

int
main(void)
{
	/* values */
	expect("true", INFER_BOOLEAN);
	expect("FALSE", INFER_BOOLEAN);
	expect("yes", INFER_BOOLEAN);
	expect("t", INFER_BOOLEAN);
	expect("1", INFER_INT4);
	expect("-2147483648", INFER_INT4);
	expect("2147483648", INFER_INT8);
	expect("-9223372036854775808", INFER_INT8);
	expect("9223372036854775808", INFER_NUMERIC);
	expect("123456789012345678901234567890", INFER_NUMERIC);
	expect("+42", INFER_INT4);
	expect("007", INFER_TEXT);
	expect("0", INFER_INT4);
	expect("3.14", INFER_NUMERIC);
	expect("-.5", INFER_NUMERIC);
	expect("5.", INFER_NUMERIC);
	expect("1e10", INFER_FLOAT8);
	expect("-2.5E-3", INFER_FLOAT8);
	expect("Infinity", INFER_FLOAT8);
	expect("NaN", INFER_FLOAT8);
	expect("1e", INFER_TEXT);
	expect(".", INFER_TEXT);
	expect("-", INFER_TEXT);
	expect("1,000", INFER_TEXT);
	expect(" 1", INFER_TEXT);
	expect("2024-02-29", INFER_DATE);
	expect("2023-02-29", INFER_TEXT);
	expect("2024/12/31", INFER_DATE);
	expect("2024-13-01", INFER_TEXT);
	expect("2024-06-01 10:20", INFER_TIMESTAMPTZ);
	expect("2024-06-01T10:20:30Z", INFER_TIMESTAMPTZ);
	expect("2024-06-01T10:20:30.123456+02:00", INFER_TIMESTAMPTZ);
	expect("2024-06-01 10:20:30-0530", INFER_TIMESTAMPTZ);
	expect("2024-06-01 25:00", INFER_TEXT);
	expect("2024-06-01T10:2", INFER_TEXT);
	expect("hello", INFER_TEXT);
	expect("", INFER_TEXT);

	/* NULL markers */
	check(infer_is_null("NA", 2, NULL, 0) && infer_is_null("", 0, NULL, 0) &&
		  infer_is_null("N/A", 3, NULL, 0) && !infer_is_null("na", 2, NULL, 0),
		  "default NULL markers: '', NA, N/A, NULL, null (case matters)");
	{
		const char *const mine[] = {"-"};

		check(infer_is_null("-", 1, mine, 1) && !infer_is_null("NA", 2, mine, 1),
			  "custom NULL markers replace the defaults");
	}

	/* columns: widening instead of failing */
	{
		const char *const a[] = {"1", "2", "3000000000"};
		const char *const b[] = {"1", "2.5", "NA"};
		const char *const c[] = {"1", "x"};
		const char *const d[] = {"2024-01-01", "2024-01-02 10:00"};
		const char *const e[] = {"NA", "", "NULL"};
		const char *const f[] = {"1", "1e3"};
		const char *const g[] = {"true", "1"};

		check(column(a, 3) == INFER_INT8, "int4 widens to int8");
		check(column(b, 3) == INFER_NUMERIC, "int4 widens to numeric; NA is NULL");
		check(column(c, 2) == INFER_TEXT, "a word makes the column text");
		check(column(d, 2) == INFER_TIMESTAMPTZ, "date widens to timestamptz");
		check(column(e, 3) == INFER_NONE && strcmp(infer_type_name(INFER_NONE), "text") == 0,
			  "an all-NULL column is text");
		check(column(f, 2) == INFER_FLOAT8, "an exponent makes the column float8");
		check(column(g, 2) == INFER_TEXT, "booleans and numbers together are text");
	}
	return unit_status();
}

/*-------------------------------------------------------------------------
 *
 * infer.c
 *	  Column type inference for imported text values.
 *
 * A column's type is the join of its values' types, so it is found in one
 * pass and widens instead of failing when a later value does not fit
 * (int4 -> int8 -> numeric -> text).  The recognisers accept what
 * PostgreSQL's input functions accept for the forms files use, and no
 * more, so that every inferred type loads:
 *	boolean		true/false, t/f, yes/no, y/n (any case); not 1/0, which are
 *				numbers
 *	int4, int8	an optional sign and decimal digits, by range; a leading
 *				zero (an identifier such as 007 or a zip code) is text
 *	numeric		digits with a decimal point; integers beyond int8
 *	float8		exponent notation, Infinity, NaN
 *	date		YYYY-MM-DD (also YYYY/MM/DD), a real calendar day
 *	timestamptz	a date, T or a space, hh:mm[:ss[.fraction]], and an
 *				optional Z or +hh[:mm] / -hh[:mm]
 * Anything else is text.  Leading and trailing blanks are not trimmed: a
 * value with them is text, as COPY would keep it.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "ingest/infer.h"

static const char *const default_nulls[] = {"", "NA", "N/A", "NULL", "null"};

bool
infer_is_null(const char *s, size_t len, const char *const *markers, int nmarkers)
{
	/* called for every field: no strlen unless the first byte matches */
	if (markers == NULL)
	{
		if (len == 0)
			return true;
		if (s[0] != 'N' && s[0] != 'n')
			return false;
		markers = default_nulls;
		nmarkers = (int) (sizeof(default_nulls) / sizeof(default_nulls[0]));
	}
	for (int i = 0; i < nmarkers; i++)
		if ((len == 0 ? markers[i][0] == '\0' : markers[i][0] == s[0]) &&
			strlen(markers[i]) == len && memcmp(markers[i], s, len) == 0)
			return true;
	return false;
}

static bool
word_is(const char *s, size_t len, const char *w)
{
	return strlen(w) == len && strncasecmp(s, w, len) == 0;
}

static bool
is_boolean(const char *s, size_t len)
{
	static const char *const words[] = {"true", "false", "t", "f", "yes", "no", "y", "n"};

	/* most values are not: decide on the first byte */
	if (len == 0 || len > 5 || strchr("tTfFyYnN", s[0]) == NULL)
		return false;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (word_is(s, len, words[i]))
			return true;
	return false;
}

/* Integer (sign, digits): INFER_INT4/INT8/NUMERIC, or NONE if not one. */
static InferType
integer_type(const char *s, size_t len)
{
	size_t		i = 0,
				digits;
	bool		neg = false;
	uint64_t	v = 0;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	digits = len - i;
	if (digits == 0)
		return INFER_NONE;
	for (size_t k = i; k < len; k++)
		if (!isdigit((unsigned char) s[k]))
			return INFER_NONE;
	if (digits > 1 && s[i] == '0')
		return INFER_TEXT;		/* 007, 01234: an identifier, keep it */
	if (digits > 19)
		return INFER_NUMERIC;
	for (size_t k = i; k < len; k++)
	{
		uint64_t	d = (uint64_t) (s[k] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return INFER_NUMERIC;
		v = v * 10 + d;
	}
	if (neg ? v <= (uint64_t) 2147483648ULL : v <= 2147483647ULL)
		return INFER_INT4;
	if (neg ? v <= (uint64_t) 9223372036854775808ULL : v <= 9223372036854775807ULL)
		return INFER_INT8;
	return INFER_NUMERIC;
}

/* Decimal (digits '.' digits, optional exponent): NUMERIC, FLOAT8 or NONE. */
static InferType
decimal_type(const char *s, size_t len)
{
	size_t		i = 0;
	size_t		before = 0,
				after = 0;
	bool		point = false;

	if (strchr("nNiI+-", s[0]) != NULL &&
		(word_is(s, len, "nan") || word_is(s, len, "infinity") || word_is(s, len, "-infinity") ||
		 word_is(s, len, "+infinity") || word_is(s, len, "inf") || word_is(s, len, "-inf")))
		return INFER_FLOAT8;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	while (i < len && isdigit((unsigned char) s[i]))
		i++, before++;
	if (i < len && s[i] == '.')
	{
		point = true;
		i++;
		while (i < len && isdigit((unsigned char) s[i]))
			i++, after++;
	}
	if (before + after == 0)
		return INFER_NONE;
	if (i == len)
		return point ? INFER_NUMERIC : INFER_NONE;
	if (s[i] != 'e' && s[i] != 'E')
		return INFER_NONE;
	i++;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i == len)
		return INFER_NONE;
	while (i < len && isdigit((unsigned char) s[i]))
		i++;
	return i == len ? INFER_FLOAT8 : INFER_NONE;
}

static int
digits_at(const char *s, size_t len, size_t at, size_t n)
{
	int			v = 0;

	if (at + n > len)
		return -1;
	for (size_t k = at; k < at + n; k++)
	{
		if (!isdigit((unsigned char) s[k]))
			return -1;
		v = v * 10 + (s[k] - '0');
	}
	return v;
}

/* Length of a valid YYYY-MM-DD (or /) at the start of s, else 0. */
static size_t
date_prefix(const char *s, size_t len)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int			y = digits_at(s, len, 0, 4),
				m,
				d;
	bool		leap;

	if (y < 1 || len < 10 || (s[4] != '-' && s[4] != '/') || s[7] != s[4])
		return 0;
	m = digits_at(s, len, 5, 2);
	d = digits_at(s, len, 8, 2);
	if (m < 1 || m > 12 || d < 1)
		return 0;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[m - 1] + (m == 2 && leap))
		return 0;
	return 10;
}

/* hh:mm[:ss[.f]] [Z|+hh[:mm]|-hh[:mm]] covering all of s[0..len-1]. */
static bool
time_suffix(const char *s, size_t len)
{
	size_t		i = 0;
	int			h = digits_at(s, len, 0, 2),
				mi;

	if (h < 0 || h > 24 || len < 5 || s[2] != ':')
		return false;
	mi = digits_at(s, len, 3, 2);
	if (mi < 0 || mi > 59)
		return false;
	i = 5;
	if (i < len && s[i] == ':')
	{
		int			sec = digits_at(s, len, 6, 2);

		if (sec < 0 || sec > 60)
			return false;
		i = 8;
		if (i < len && s[i] == '.')
		{
			i++;
			if (i == len || !isdigit((unsigned char) s[i]))
				return false;
			while (i < len && isdigit((unsigned char) s[i]))
				i++;
		}
	}
	if (i < len && s[i] == ' ')
		i++;
	if (i == len)
		return true;
	if (s[i] == 'Z' && i + 1 == len)
		return true;
	if (s[i] == '+' || s[i] == '-')
	{
		int			oh = digits_at(s, len, i + 1, 2);

		if (oh < 0 || oh > 15)
			return false;
		i += 3;
		if (i == len)
			return true;
		if (s[i] == ':')
			i++;
		return digits_at(s, len, i, 2) >= 0 && digits_at(s, len, i, 2) <= 59 && i + 2 == len;
	}
	return false;
}

InferType
infer_value(const char *s, size_t len)
{
	InferType	t;
	size_t		d;

	if (len == 0)
		return INFER_TEXT;
	if (is_boolean(s, len))
		return INFER_BOOLEAN;
	if ((t = integer_type(s, len)) != INFER_NONE)
		return t;
	if ((t = decimal_type(s, len)) != INFER_NONE)
		return t;
	if ((d = date_prefix(s, len)) > 0)
	{
		if (d == len)
			return INFER_DATE;
		if ((s[d] == 'T' || s[d] == ' ') && time_suffix(s + d + 1, len - d - 1))
			return INFER_TIMESTAMPTZ;
	}
	return INFER_TEXT;
}

static bool
is_number(InferType t)
{
	return t == INFER_INT4 || t == INFER_INT8 || t == INFER_NUMERIC || t == INFER_FLOAT8;
}

InferType
infer_join(InferType a, InferType b)
{
	if (a == INFER_NONE)
		return b;
	if (b == INFER_NONE || a == b)
		return a;
	if (a == INFER_JSONB || b == INFER_JSONB)
		return INFER_JSONB;
	if (is_number(a) && is_number(b))
		return (a == INFER_FLOAT8 || b == INFER_FLOAT8) ? INFER_FLOAT8 : (a > b ? a : b);
	if ((a == INFER_DATE || a == INFER_TIMESTAMPTZ) && (b == INFER_DATE || b == INFER_TIMESTAMPTZ))
		return INFER_TIMESTAMPTZ;
	return INFER_TEXT;
}

const char *
infer_type_name(InferType t)
{
	switch (t)
	{
		case INFER_BOOLEAN:
			return "boolean";
		case INFER_INT4:
			return "integer";
		case INFER_INT8:
			return "bigint";
		case INFER_NUMERIC:
			return "numeric";
		case INFER_FLOAT8:
			return "double precision";
		case INFER_DATE:
			return "date";
		case INFER_TIMESTAMPTZ:
			return "timestamp with time zone";
		case INFER_JSONB:
			return "jsonb";
		default:
			return "text";
	}
}

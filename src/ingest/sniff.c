/*-------------------------------------------------------------------------
 *
 * sniff.c
 *	  The dialect of a CSV text: byte order mark, delimiter, header.
 *
 * Files come from spreadsheets in several regional dialects: commas,
 * semicolons (where the comma is the decimal mark), tabs, pipes.  The
 * delimiter is the candidate that splits the first SNIFF_LINES records
 * (quotes respected, so a quoted "a,b" does not count) into the same
 * number of fields, more than one, the most often; ties go to the larger
 * field count, then to the order , ; tab |.
 *
 * A header is assumed when every field of the first record is a non-empty
 * word (type text) and some column is not text below it, or, for an
 * all-text table, when no first-record value recurs in its column below
 * (column names are not data).  options can override every guess.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "ingest/infer.h"
#include "ingest/sniff.h"

#define MAX_SNIFF_FIELDS 1601		/* a table's 1600 columns, and one more */

static const char candidates[] = {',', ';', '\t', '|'};

/*
 * Split the record starting at *pos by delim into fields (start, length;
 * quotes stripped from the bounds only); returns the field count (capped)
 * and moves *pos past the record.  0 at the end of the text.
 */
static int
next_record(const char *t, size_t len, size_t *pos, char delim,
			size_t *fstart, size_t *flen, int maxf)
{
	size_t		i = *pos;
	int			n = 0;
	bool		quoted = false;
	size_t		start = i;

	if (i >= len)
		return 0;
	for (;; i++)
	{
		bool		end = i >= len || (!quoted && (t[i] == '\n' || t[i] == '\r'));

		if (!end && t[i] == '"')
		{
			quoted = !quoted;
			continue;
		}
		if (end || (!quoted && t[i] == delim))
		{
			if (n < maxf)
			{
				size_t		s = start,
							e = i;

				if (e > s && t[s] == '"' && t[e - 1] == '"' && e - s >= 2)
					s++, e--;
				fstart[n] = s;
				flen[n] = e - s;
			}
			n++;
			start = i + 1;
			if (end)
				break;
		}
	}
	/* past the line end (CR LF, LF or CR) */
	if (i < len && t[i] == '\r')
		i++;
	if (i < len && t[i] == '\n')
		i++;
	*pos = i;
	return n;
}

void
csv_sniff(const char *text, size_t len, CsvDialect *d)
{
	size_t		fstart[MAX_SNIFF_FIELDS],
				flen[MAX_SNIFF_FIELDS];
	int			best_score = -1;

	memset(d, 0, sizeof(*d));
	d->delimiter = ',';
	if (len >= 3 && (unsigned char) text[0] == 0xEF && (unsigned char) text[1] == 0xBB &&
		(unsigned char) text[2] == 0xBF)
		d->skip = 3;
	{
		const char *nl = memchr(text + d->skip, '\n', len - d->skip);

		d->crlf = nl != NULL && nl > text + d->skip && nl[-1] == '\r';
	}

	/* the delimiter: the most records with the same field count (> 1) */
	for (size_t c = 0; c < sizeof(candidates); c++)
	{
		size_t		pos = d->skip;
		int			first = -1,
					same = 0,
					n;

		for (int line = 0; line < SNIFF_LINES &&
			 (n = next_record(text, len, &pos, candidates[c], fstart, flen, MAX_SNIFF_FIELDS)) > 0; line++)
		{
			if (first < 0)
				first = n;
			if (n == first)
				same++;
		}
		if (first > 1)
		{
			int			score = same * 1000 + (first > 999 ? 999 : first);

			if (score > best_score)
			{
				best_score = score;
				d->delimiter = candidates[c];
			}
		}
	}

	/* the header */
	{
		size_t		pos = d->skip;
		int			n = next_record(text, len, &pos, d->delimiter, fstart, flen, MAX_SNIFF_FIELDS);
		size_t		hs[MAX_SNIFF_FIELDS],
					hl[MAX_SNIFF_FIELDS];
		bool		typed[MAX_SNIFF_FIELDS] = {false};
		bool		recurs = false;
		bool		any_typed = false;
		int			rows = 0;

		if (n <= 0 || n > MAX_SNIFF_FIELDS)
			return;
		for (int j = 0; j < n; j++)
		{
			InferType	t = infer_value(text + fstart[j], flen[j]);

			/* a number or an empty name is data; x, y, t, n are names */
			if (flen[j] == 0 || !(t == INFER_TEXT || (t == INFER_BOOLEAN && flen[j] == 1)))
				return;
			hs[j] = fstart[j];
			hl[j] = flen[j];
		}
		for (int line = 0; line < SNIFF_LINES; line++)
		{
			int			m = next_record(text, len, &pos, d->delimiter, fstart, flen, MAX_SNIFF_FIELDS);

			if (m <= 0)
				break;
			rows++;
			for (int j = 0; j < n && j < m && j < MAX_SNIFF_FIELDS; j++)
			{
				if (flen[j] > 0 && !infer_is_null(text + fstart[j], flen[j], NULL, 0) &&
					infer_value(text + fstart[j], flen[j]) != INFER_TEXT)
					typed[j] = true;
				if (flen[j] == hl[j] && memcmp(text + fstart[j], text + hs[j], hl[j]) == 0)
					recurs = true;
			}
		}
		for (int j = 0; j < n; j++)
			any_typed |= typed[j];
		d->header = rows == 0 || any_typed || !recurs;
	}
}

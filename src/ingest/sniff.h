/*-------------------------------------------------------------------------
 *
 * sniff.h
 *	  The dialect of a CSV text: byte order mark, delimiter, header.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SNIFF_H
#define SNIFF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct CsvDialect
{
	size_t		skip;			/* bytes of a UTF-8 byte order mark to skip */
	char		delimiter;		/* ',', ';', '\t' or '|' */
	bool		header;			/* the first record names the columns */
	bool		crlf;			/* records end in CR LF */
} CsvDialect;

/* Lines of the text's start that sniffing reads at most */
#define SNIFF_LINES 50

/* Guess the dialect of text[0..len-1] from its first lines. */
extern void csv_sniff(const char *text, size_t len, CsvDialect *d);

#endif							/* SNIFF_H */

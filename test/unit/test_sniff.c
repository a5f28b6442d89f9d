/*-------------------------------------------------------------------------
 *
 * test_sniff.c
 *	  Unit tests of CSV dialect sniffing (src/ingest/sniff.c).
 *
 *-------------------------------------------------------------------------
 */
#include "unit.h"

#include "ingest/sniff.h"

static CsvDialect
sniff(const char *s)
{
	CsvDialect	d;

	csv_sniff(s, strlen(s), &d);
	return d;
}

int
main(void)
{
	CsvDialect	d;

	d = sniff("id,name,amount\n1,ann,3.5\n2,bob,4\n");
	check(d.delimiter == ',' && d.header && !d.crlf && d.skip == 0, "commas, a header, LF");
	d = sniff("id;amount\r\n1;3,5\r\n2;4,25\r\n");
	check(d.delimiter == ';' && d.header && d.crlf, "semicolons with decimal commas, CR LF");
	d = sniff("a\tb\tc\n1\t2\t3\n");
	check(d.delimiter == '\t' && d.header, "tabs");
	d = sniff("x|y\n1|2\n3|4\n");
	check(d.delimiter == '|' && d.header, "pipes");
	d = sniff("\xEF\xBB\xBFname,age\nann,31\n");
	check(d.skip == 3 && d.header && d.delimiter == ',', "a UTF-8 byte order mark is skipped");
	d = sniff("1,2,3\n4,5,6\n");
	check(!d.header, "numbers in the first record: no header");
	d = sniff("\"a, b\",c\n\"x, y\",z\n\"p, q\",r\n");
	check(d.delimiter == ',', "a quoted delimiter does not count");
	d = sniff("red,apple\nred,cherry\ngreen,pear\n");
	check(!d.header, "all text, a first-record value recurs below: data, no header");
	d = sniff("colour,fruit\nred,apple\ngreen,pear\n");
	check(d.header, "all text, no first-record value recurs: a header");
	d = sniff("name,age\n");
	check(d.header, "a header with no rows is a header");
	d = sniff("");
	check(d.delimiter == ',' && !d.header, "empty text: the defaults");
	d = sniff("just one column\nand another line\n");
	check(d.delimiter == ',', "one column: the default delimiter");
	return unit_status();
}

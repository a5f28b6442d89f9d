#ifndef REPORT_HTML_H
#define REPORT_HTML_H
#include <stddef.h>
extern char *profile_report_html(const char *profile_json, size_t len, const char **errmsg);
#endif

/*
 * log.c - the kernel's one-line notices (umk_log).  The oops path, the
 * other half of kernel.h's logging, is in oops.c.
 */
#include "../kernel.h"
#include <stdarg.h>

int umk_verbose;

void umk_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("umk: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

// SPDX-License-Identifier: MIT
/*
 * Built only when the handlers are linked against musl (meson.build): the
 * distribution's libbz2.a was compiled against glibc with _FORTIFY_SOURCE
 * and calls glibc's checked fprintf in its (never expected) assertion and
 * verbose paths.  Map it to the plain one.  In a running handler any write
 * to stderr is refused by seccomp, which kills the handler: an assertion
 * inside libbz2 ends as a reported crash, as it would with glibc.
 */
#include <stdarg.h>
#include <stdio.h>

int __fprintf_chk(FILE *fp, int flag, const char *fmt, ...);

int __fprintf_chk(FILE *fp, int flag, const char *fmt, ...)
{
	va_list ap;
	int n;

	(void)flag;
	va_start(ap, fmt);
	n = vfprintf(fp, fmt, ap);
	va_end(ap);
	return n;
}

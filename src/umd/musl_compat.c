// SPDX-License-Identifier: MIT
/*
 * Built only when the handlers are linked against musl (meson.build): the
 * distribution's static archives (libbz2.a; libbpf.a and libelf.a in the
 * bpf handler) were compiled against glibc with _FORTIFY_SOURCE and call
 * glibc's checked functions, and libelf calls fcntl64.  Map each to the
 * plain one; the checks they would add are the compiler's object-size
 * guesses, not bounds the callers rely on.  In a running handler any write
 * to stderr is refused by seccomp, which kills the handler: an assertion
 * inside those libraries ends as a reported crash, as it would with glibc.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int __fprintf_chk(FILE *fp, int flag, const char *fmt, ...);
int __snprintf_chk(char *s, size_t n, int flag, size_t slen, const char *fmt, ...);
int __sprintf_chk(char *s, int flag, size_t slen, const char *fmt, ...);
int __vsnprintf_chk(char *s, size_t n, int flag, size_t slen, const char *fmt, va_list ap);
int __vfprintf_chk(FILE *fp, int flag, const char *fmt, va_list ap);
int __vdprintf_chk(int fd, int flag, const char *fmt, va_list ap);
char *__strcat_chk(char *d, const char *s, size_t dlen);
char *__strcpy_chk(char *d, const char *s, size_t dlen);
char *__realpath_chk(const char *path, char *resolved, size_t rlen);
int fcntl64(int fd, int cmd, ...);

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

int __snprintf_chk(char *s, size_t n, int flag, size_t slen, const char *fmt, ...)
{
	va_list ap;
	int r;

	(void)flag;
	(void)slen;
	va_start(ap, fmt);
	r = vsnprintf(s, n, fmt, ap);
	va_end(ap);
	return r;
}

/* Only called where the compiler knew the destination's size: bound by it. */
int __sprintf_chk(char *s, int flag, size_t slen, const char *fmt, ...)
{
	va_list ap;
	int r;

	(void)flag;
	va_start(ap, fmt);
	r = vsnprintf(s, slen, fmt, ap);
	va_end(ap);
	return r;
}

int __vsnprintf_chk(char *s, size_t n, int flag, size_t slen, const char *fmt, va_list ap)
{
	(void)flag;
	(void)slen;
	return vsnprintf(s, n, fmt, ap);
}

int __vfprintf_chk(FILE *fp, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	return vfprintf(fp, fmt, ap);
}

int __vdprintf_chk(int fd, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	return vdprintf(fd, fmt, ap);
}

char *__strcat_chk(char *d, const char *s, size_t dlen)
{
	(void)dlen;
	return strcat(d, s);
}

char *__strcpy_chk(char *d, const char *s, size_t dlen)
{
	(void)dlen;
	return strcpy(d, s);
}

char *__realpath_chk(const char *path, char *resolved, size_t rlen)
{
	(void)rlen;
	return realpath(path, resolved);
}

int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	return fcntl(fd, cmd, arg);
}

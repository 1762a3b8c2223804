// SPDX-License-Identifier: MIT
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int dg_verbose;

/* errno is left as the caller had it: "dg_err(...); return -errno;" */
static void vlog(const char *fmt, va_list ap)
{
	int e = errno;

	fputs("digestguard ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	errno = e;
}

void dg_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void dg_info(const char *fmt, ...)
{
	va_list ap;

	if (dg_verbose < 1)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void dg_debug(const char *fmt, ...)
{
	va_list ap;

	if (dg_verbose < 2)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

int dg_errf(char *buf, size_t len, int r, const char *fmt, ...)
{
	va_list ap;
	int e = errno;	/* left as the caller had it, as dg_err() does */

	if (buf && len) {
		va_start(ap, fmt);
		vsnprintf(buf, len, fmt, ap);
		va_end(ap);
	}
	errno = e;
	return r;
}

const char *dg_strerror(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case EBADMSG: return "malformed input";
	case ENOMSG: return "no signature in the input";
	case E2BIG: return "over a limit";
	case EOPNOTSUPP: return "valid but unsupported";
	case ENODATA: return "truncated input";
	case EKEYREJECTED: return "bad signature";
	case ENOKEY: return "no trusted key";
	case ETIMEDOUT: return "handler timed out";
	case ECHILD: return "handler died";
	default: return strerror(err);
	}
}

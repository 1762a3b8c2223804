/* SPDX-License-Identifier: MIT */
#ifndef DG_LOG_H
#define DG_LOG_H

#include <stdarg.h>
#include <stddef.h>

extern int dg_verbose;

/* Messages go to stderr after "digestguard ": @fmt starts with the
 * command's words, "enforce: ..." prints "digestguard enforce: ...", as
 * the CLI's own messages read.  errno is left as it was, so that
 * "dg_err(...); return -errno;" returns the caller's error. */
void dg_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void dg_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void dg_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Format a message into the caller's buffer (@buf may be NULL) and return
 * @r: `return dg_errf(err, errlen, -EBADMSG, "tag %u out of range", tag);`
 */
int dg_errf(char *buf, size_t len, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A short text for our negative errno codes, in the project's words. */
const char *dg_strerror(int err);

#endif

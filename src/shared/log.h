/* SPDX-License-Identifier: MIT */
#ifndef DG_LOG_H
#define DG_LOG_H

#include <stdarg.h>

extern int dg_verbose;

/* Messages go to stderr prefixed with the program name. */
void dg_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void dg_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void dg_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A short text for our negative errno codes, in the project's words. */
const char *dg_strerror(int err);

#endif

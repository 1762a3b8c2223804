/* SPDX-License-Identifier: MIT */
/*
 * Shared by the LD_PRELOAD fault shims of tests/integ/enforce_*_faults.sh
 * (built by enf_shim in enforce_lib.bash): a fault of KIND is armed while
 * the file $DG_TEST_FAULTS/KIND exists, and each call the shim fails or
 * watches is one line in $DG_TEST_FAULTS/calls.  A shim's source includes
 * this file first.
 */
#ifndef DG_FAULT_SHIM_H
#define DG_FAULT_SHIM_H

/* First in every shim: RTLD_NEXT and the *64 functions need it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int armed(const char *kind)
{
	const char *d = getenv("DG_TEST_FAULTS");
	char p[4096];

	if (!d)
		return 0;
	snprintf(p, sizeof(p), "%s/%s", d, kind);
	return access(p, F_OK) == 0;
}

/* The fault of @kind is spent: not armed any more. */
static __attribute__((unused)) void disarm(const char *kind)
{
	const char *d = getenv("DG_TEST_FAULTS");
	char p[4096];

	if (!d)
		return;
	snprintf(p, sizeof(p), "%s/%s", d, kind);
	unlink(p);
}

/* Append @what to the calls file; errno is kept. */
static void note(const char *what)
{
	const char *d = getenv("DG_TEST_FAULTS");
	char p[4096];
	int fd, e = errno;

	if (!d)
		return;
	snprintf(p, sizeof(p), "%s/calls", d);
	fd = open(p, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0) {
		dprintf(fd, "%s\n", what);
		close(fd);
	}
	errno = e;
}

/* What @fd refers to (its /proc/self/fd link) in @l of @len, or "". */
static __attribute__((unused)) const char *fd_target(int fd, char *l, size_t len)
{
	char p[64];
	ssize_t n;

	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	n = readlink(p, l, len - 1);
	l[n < 0 ? 0 : n] = '\0';
	return l;
}

#endif

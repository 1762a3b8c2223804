/* SPDX-License-Identifier: MIT */
/*
 * Self-tests of libumd against the embedded sample handler.  Shared by
 * `digestguard umd selftest` and the unit test suite so that the installed
 * binary is checked the same way CI checks the tree.
 */
#ifndef DG_SELFTEST_H
#define DG_SELFTEST_H

#include <stddef.h>

struct dg_umd_blob;

struct dg_selftest {
	const char *name;
	const char *what;
	/* 0 on success; otherwise fills @msg with what went wrong. */
	int (*run)(const struct dg_umd_blob *blob, char *msg, size_t msglen);
};

extern const struct dg_selftest dg_selftests[];
extern const size_t dg_selftests_count;

/* Number of open fds and live children of this process. */
int dg_count_fds(void);
int dg_count_children(void);
/* 1 when every id on the "Uid:" or "Gid:" (@key) line of /proc/PID/status
 * is @id. */
int dg_proc_ids_are(int pid, const char *key, long id);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef DG_SANDBOX_H
#define DG_SANDBOX_H

#include <stdint.h>
#include <sys/types.h>

struct dg_sandbox_cfg {
	const char *name;
	uint64_t rlimit_as;
	uint64_t rlimit_cpu;
	int namespaces;		/* try user/pid/net/ipc/uts/mount/cgroup */
	/*
	 * Optional: makes @exec_fd ready (fills and seals it) while the child
	 * sets up its namespaces; the child execs only after it returned 0.
	 * A negative return is dg_sandbox_spawn()'s, the child killed.
	 */
	int (*prepare_exec)(void *arg);
	void *prepare_arg;
};

struct dg_sandbox_proc {
	pid_t pid;
	int pidfd;
	int namespaces;		/* 1 if the child got its namespaces */
};

/*
 * Start the executable in @exec_fd (a sealed memfd) as a sandboxed child
 * whose only open fd is @chan at DG_HANDLER_FD.  The caller keeps its own
 * end of the channel.  Returns 0 or -errno.
 */
int dg_sandbox_spawn(const struct dg_sandbox_cfg *cfg, int exec_fd, int chan,
		     struct dg_sandbox_proc *out);

#endif

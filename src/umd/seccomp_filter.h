/* SPDX-License-Identifier: MIT */
#ifndef DG_SECCOMP_FILTER_H
#define DG_SECCOMP_FILTER_H

/*
 * Install the handler's seccomp allowlist.  Anything not listed kills the
 * whole process (SECCOMP_RET_KILL_PROCESS), which the manager reports as
 * "killed by SIGSYS".  Requires no_new_privs.  Returns 0 or -errno.
 */
int dg_seccomp_install(int channel_fd);

#endif

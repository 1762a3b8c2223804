/* SPDX-License-Identifier: MIT */
#ifndef DG_LANDLOCK_H
#define DG_LANDLOCK_H

/*
 * Restrict the calling process with a Landlock ruleset that handles every
 * filesystem and network right the kernel knows and grants none, and scopes
 * signals and abstract unix sockets to the process's own domain.  Returns
 * the ABI version applied (> 0), 0 when the kernel has no Landlock, or
 * -errno.  Requires no_new_privs.
 */
int dg_landlock_apply(void);

#endif

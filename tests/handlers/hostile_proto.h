/* SPDX-License-Identifier: MIT */
#ifndef DG_HOSTILE_PROTO_H
#define DG_HOSTILE_PROTO_H

enum hostile_msg {
	H_NOP = 0x100,		/* harmless: proves the handler answers */
	H_OPEN_FILE,
	H_READ_PROC_MAPS,
	H_SOCKET,
	H_CONNECT,
	H_PTRACE,		/* arg: pid */
	H_KILL_PARENT,		/* arg: the manager's pid */
	H_KILL_INIT,
	H_EXECVE,
	H_MMAP_EXEC,
	H_MPROTECT_EXEC,
	H_FORK,
	H_RAISE_RLIMIT,
	H_WRITE_OTHER_FD,	/* arg: fd */
	H_UNSHARE,
	H_MOUNT,
	H_WRITE_REQUEST,	/* make the (bulk, shared) request bytes writable */
	H_KILL_PGRP,		/* arg: the manager's process group; SIGUSR1 to it */
	H_KILL_OWN_PGRP,	/* kill(0, SIGUSR1): the handler's own process group */
	H_READ_KEY,		/* arg: a key in the manager's session keyring */
	H_DUMPABLE_AT_START,	/* succeeds if the handler was dumpable (ptraceable
				 * by its uid) when it began, before its runtime ran */
};

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Exit statuses of a handler process that failed on its own, so that the
 * manager can say why ("exited with status 122: could not pivot into an
 * empty root") instead of leaving a number.
 */
#ifndef DG_EXITCODES_H
#define DG_EXITCODES_H

enum dg_umd_exit {
	DG_EXIT_CHANNEL = 3,		/* read/write on the channel failed */
	DG_EXIT_PROTOCOL = 4,		/* the manager sent a malformed frame */
	DG_EXIT_NOMEM = 5,		/* no memory for a request */
	DG_EXIT_KEYRING = 116,		/* loader: joining a new session keyring failed */
	DG_EXIT_SETPGID = 117,		/* loader: setpgid failed */
	DG_EXIT_SELF_SANDBOX = 119,	/* runtime: Landlock/seccomp/MDWE failed */
	DG_EXIT_UNSHARE = 118,		/* loader: unshare of mount/net/ipc/uts/cgroup failed */
	DG_EXIT_SYNC = 120,		/* loader: no go-ahead from the manager */
	DG_EXIT_SETID = 121,		/* loader: becoming nobody (setresuid/setresgid) failed */
	DG_EXIT_ROOT = 122,		/* loader: empty root (mount/pivot), or chdir("/"), failed */
	DG_EXIT_PDEATHSIG = 123,	/* loader: PR_SET_PDEATHSIG failed */
	DG_EXIT_FDS = 124,		/* loader: arranging fds failed */
	DG_EXIT_RLIMIT = 125,		/* loader: setrlimit failed */
	DG_EXIT_PRCTL = 126,		/* loader: no_new_privs/dumpable failed */
	DG_EXIT_CAPS = 127,		/* loader: dropping capabilities failed */
	DG_EXIT_EXEC = 128,		/* loader: execveat of the memfd failed */
};

#endif

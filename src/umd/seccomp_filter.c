// SPDX-License-Identifier: MIT
/*
 * The handler's seccomp allowlist, written as a table in the manner of
 * OpenSSH's sandbox-seccomp-filter.c.  Raw BPF instead of libseccomp: the
 * handler is a static executable, and the whole policy fits on one screen.
 *
 * Allowed, and why:
 *   read, write, readv, writev,  only on the channel fd (arg0 checked);
 *   recvmsg                      recvmsg takes the bulk memfd (SCM_RIGHTS)
 *   close                        drop the received fd after mapping it
 *   mmap, mprotect               only without PROT_EXEC (arg2 checked)
 *   brk, munmap, mremap, madvise malloc
 *   exit, exit_group             leaving
 *   rt_sigreturn                 return from a signal frame
 *   clock_gettime, getrandom     no side effects
 * Everything else, including open, socket, connect, ptrace, kill, execve,
 * clone/fork, prlimit and setrlimit, is a kill.
 */
#include "seccomp_filter.h"

#include <errno.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#if defined(__x86_64__)
#define DG_AUDIT_ARCH AUDIT_ARCH_X86_64
#define DG_X32_BIT 0x40000000u
#elif defined(__aarch64__)
#define DG_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "add the audit arch for this architecture"
#endif

#define ARG_LO(n) (offsetof(struct seccomp_data, args[n]))
#define LD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))

/* Allow syscall nr unconditionally. */
#define SC_ALLOW(nr)                                              \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1),          \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

/* Allow nr when the low 32 bits of arg equal val (fds are unsigned int). */
#define SC_ALLOW_ARG_EQ(nr, arg, val)                             \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 4),          \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(arg)),          \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (val), 0, 1),         \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),             \
	LD_NR

/* Allow nr when (arg & mask) == 0, e.g. mmap without PROT_EXEC. */
#define SC_ALLOW_ARG_CLEAR(nr, arg, mask)                         \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 4),          \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(arg)),          \
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, (mask), 1, 0),       \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),             \
	LD_NR

int dg_seccomp_install(int fd)
{
	const unsigned int cfd = (unsigned int)fd;
	struct sock_filter filter[] = {
		/* Right architecture, no x32 aliases. */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, DG_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		LD_NR,
#ifdef DG_X32_BIT
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, DG_X32_BIT, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
#endif
		SC_ALLOW_ARG_EQ(__NR_read, 0, cfd),
		SC_ALLOW_ARG_EQ(__NR_write, 0, cfd),
		SC_ALLOW_ARG_EQ(__NR_readv, 0, cfd),
		SC_ALLOW_ARG_EQ(__NR_writev, 0, cfd),
		SC_ALLOW_ARG_EQ(__NR_recvmsg, 0, cfd),
		SC_ALLOW(__NR_close),
		SC_ALLOW_ARG_CLEAR(__NR_mmap, 2, PROT_EXEC),
		SC_ALLOW_ARG_CLEAR(__NR_mprotect, 2, PROT_EXEC),
		SC_ALLOW(__NR_brk),
		SC_ALLOW(__NR_munmap),
		SC_ALLOW(__NR_mremap),
		SC_ALLOW(__NR_madvise),
		SC_ALLOW(__NR_exit),
		SC_ALLOW(__NR_exit_group),
		SC_ALLOW(__NR_rt_sigreturn),
		SC_ALLOW(__NR_clock_gettime),
		SC_ALLOW(__NR_getrandom),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	struct sock_fprog prog = {
		.len = (unsigned short)(sizeof(filter) / sizeof(filter[0])),
		.filter = filter,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return -errno;
	return 0;
}

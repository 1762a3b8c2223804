// SPDX-License-Identifier: MIT
/*
 * Test-only hostile handler: each request type tries one thing a sandboxed
 * parser must not be able to do.  If the attempt returns, the answer is
 * le32 result (0 on success) and le32 errno, so the test can tell "failed"
 * from "succeeded"; if the sandbox kills the process, the manager reports it.
 *
 * Built twice: "hostile" with the full runtime, and "hostile_nsc" without
 * the seccomp layer (HOSTILE_NO_SECCOMP), to show that the other layers
 * (namespaces, empty root, Landlock, rlimits, no capabilities) hold by
 * themselves.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <netinet/in.h>
#include <unistd.h>
#include <linux/keyctl.h>

#include <digestguard/handler.h>

#include "buf.h"
#include "cursor.h"
#include "hostile_proto.h"

/*
 * Dumpable state at the first code after execve, before dg_handler_main()
 * makes the process non-dumpable: while it is 1, any process of the
 * handler's uid may ptrace it or take its channel with pidfd_getfd().
 */
static int dumpable_at_start = -1;

__attribute__((constructor)) static void record_dumpable(void)
{
	dumpable_at_start = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
}

static int attempt(uint16_t type, struct dg_cur *c)
{
	const uint8_t *req = c->p;
	uint32_t arg = 0;

	cur_le32(c, &arg);
	switch (type) {
	case H_NOP:
		return 0;
	case H_OPEN_FILE:
		return open("/etc/passwd", O_RDONLY);
	case H_READ_PROC_MAPS:
		return open("/proc/self/maps", O_RDONLY);
	case H_SOCKET:
		return socket(AF_INET, SOCK_STREAM, 0);
	case H_CONNECT: {
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(22),
					  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		int s = socket(AF_INET, SOCK_STREAM, 0);

		if (s < 0)
			return s;
		return connect(s, (struct sockaddr *)&sa, sizeof(sa));
	}
	case H_PTRACE:
		return (int)ptrace(PTRACE_ATTACH, (pid_t)arg, NULL, NULL);
	case H_KILL_PARENT:
		return kill((pid_t)arg, SIGKILL);
	case H_KILL_INIT:
		return kill(1, SIGKILL);
	case H_EXECVE: {
		char *argv[] = { "/bin/sh", "-c", "true", NULL };

		return execve("/bin/sh", argv, NULL);
	}
	case H_MMAP_EXEC: {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		return p == MAP_FAILED ? -1 : 0;
	}
	case H_MPROTECT_EXEC: {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return -1;
		return mprotect(p, 4096, PROT_READ | PROT_EXEC);
	}
	case H_FORK:
		/* Raw syscall: glibc's fork() also runs atfork handlers. */
		{
			long r = syscall(__NR_clone, SIGCHLD, 0, 0, 0, 0);

			if (r == 0)
				_exit(0);
			return r < 0 ? -1 : 0;
		}
	case H_RAISE_RLIMIT: {
		struct rlimit r = { 1024, 1024 };

		return setrlimit(RLIMIT_NOFILE, &r);
	}
	case H_WRITE_OTHER_FD:
		return (int)write((int)arg, "x", 1);
	case H_UNSHARE:
		return (int)syscall(__NR_unshare, 0x10000000 /* CLONE_NEWUSER */);
	case H_MOUNT:
		return (int)syscall(__NR_mount, "none", "/", "tmpfs", 0, NULL);
	case H_WRITE_REQUEST: {
		/* A large request is a read-only shared mapping of the manager's
		 * memfd: making it writable must fail. */
		uintptr_t page = (uintptr_t)req & ~(uintptr_t)4095;

		return mprotect((void *)page, 4096, PROT_READ | PROT_WRITE);
	}
	case H_KILL_PGRP:
		return kill(-(pid_t)arg, SIGUSR1);
	case H_KILL_OWN_PGRP:
		return kill(0, SIGUSR1);
	case H_READ_KEY: {
		/* By its id, then by a search of the handler's own keyrings. */
		char b[64];
		long k;
		int e;

		if (syscall(__NR_keyctl, KEYCTL_READ, (long)(int32_t)arg, b, sizeof(b)) >= 0)
			return 0;
		e = errno;
		k = syscall(__NR_request_key, "user", "dg-test-secret", NULL, 0L);
		if (k >= 0 && syscall(__NR_keyctl, KEYCTL_READ, k, b, sizeof(b)) >= 0)
			return 0;
		errno = e;
		return -1;
	}
	case H_DUMPABLE_AT_START:
		if (dumpable_at_start == 0) {
			errno = EPERM;
			return -1;
		}
		return 0;
	default:
		errno = EOPNOTSUPP;
		return -1;
	}
}

static int handle(uint16_t type, const uint8_t *req, size_t len, struct dg_buf *ans,
		  void *ctx)
{
	struct dg_cur c = cur_init(req, len);
	int r, e;

	(void)ctx;
	errno = 0;
	r = attempt(type, &c);
	e = errno;
	if (dg_buf_put_le32(ans, r < 0 ? 1u : 0u) < 0)
		return -ENOMEM;
	return dg_buf_put_le32(ans, (uint32_t)e);
}

int main(void)
{
#ifdef HOSTILE_NO_SECCOMP
	return dg_handler_main_flags("hostile_nsc", handle, NULL, DG_HANDLER_TEST_NO_SECCOMP);
#else
	return dg_handler_main("hostile", handle, NULL);
#endif
}

// SPDX-License-Identifier: MIT
/* mmap + SHA-256 with SIGBUS recovery. */
#include "filehash.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "sha256.h"

static sigjmp_buf bus_jmp;
static volatile sig_atomic_t bus_armed;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (bus_armed)
		siglongjmp(bus_jmp, 1);
	/* Not ours: the default action, as if we had no handler. */
	signal(sig, SIG_DFL);
	raise(sig);
}

static int install_handler(void)
{
	static int done;
	struct sigaction sa;

	if (done)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL) < 0)
		return -errno;
	done = 1;
	return 0;
}

int dg_enf_hash_fd(int fd, uint64_t size, uint64_t max, uint8_t out[32])
{
	struct dg_sha256 s;
	uint8_t *volatile map = NULL;
	int r;

	if (size > max || size > SIZE_MAX)
		return -E2BIG;
	if (size == 0) {
		dg_sha256("", 0, out);
		return 0;
	}
	r = install_handler();
	if (r < 0)
		return r;
	map = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	if (map == MAP_FAILED)
		return -errno;
	madvise(map, (size_t)size, MADV_SEQUENTIAL);
	dg_sha256_init(&s);
	if (sigsetjmp(bus_jmp, 1)) {
		/* The file got shorter than statx said: not one version. */
		bus_armed = 0;
		munmap(map, (size_t)size);
		return -ESTALE;
	}
	bus_armed = 1;
	dg_sha256_update(&s, map, (size_t)size);
	bus_armed = 0;
	dg_sha256_final(&s, out);
	munmap(map, (size_t)size);
	return 0;
}

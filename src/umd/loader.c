// SPDX-License-Identifier: MIT
#include "loader.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sha256.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010u	/* Linux 6.3: ask for an executable memfd */
#endif

#define LOADER_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)
#define LOADER_CHUNK (64u << 10)	/* hash and write in cache-sized pieces */
/*
 * Execute, never read, for anyone without CAP_DAC_OVERRIDE, which the handler
 * has given up before its execve: an executable its own uid cannot read
 * makes the kernel start it non-dumpable (would_dump()).  Otherwise execve
 * resets it to dumpable, and until the runtime's PR_SET_DUMPABLE 0 any
 * process of the handler's uid could ptrace it or take its channel with
 * pidfd_getfd(): for a root manager without namespaces, every other
 * process running as nobody.
 */
#define LOADER_MODE 0111

int dg_loader_memfd_create(const char *name)
{
	/* vm.memfd_noexec=1 makes memfds non-executable unless MFD_EXEC. */
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);

	if (fd < 0 && errno == EINVAL)
		fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	return fd < 0 ? -errno : fd;
}

int dg_loader_memfd_fill(int fd, const uint8_t *blob, size_t len, const uint8_t sha256[32])
{
	struct dg_sha256 h;
	uint8_t got[32];
	size_t off = 0;

	/*
	 * Hash exactly the bytes the kernel accepted into the file, chunk by
	 * chunk while they are in cache; once sealed, the file cannot differ
	 * from them.  (Reading the file back would hash the same bytes twice.)
	 */
	dg_sha256_init(&h);
	while (off < len) {
		size_t n = len - off < LOADER_CHUNK ? len - off : LOADER_CHUNK;
		ssize_t w = write(fd, blob + off, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		dg_sha256_update(&h, blob + off, (size_t)w);
		off += (size_t)w;
	}
	if (fchmod(fd, LOADER_MODE) < 0 || fcntl(fd, F_ADD_SEALS, LOADER_SEALS) < 0)
		return -errno;
	dg_sha256_final(&h, got);
	return memcmp(got, sha256, sizeof(got)) ? -EKEYREJECTED : 0;
}

int dg_loader_memfd(const char *name, const uint8_t *blob, size_t len,
		    const uint8_t sha256[32])
{
	int fd = dg_loader_memfd_create(name), r;

	if (fd < 0)
		return fd;
	r = dg_loader_memfd_fill(fd, blob, len, sha256);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

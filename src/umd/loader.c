// SPDX-License-Identifier: MIT
#include "loader.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sha256.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010u	/* Linux 6.3: ask for an executable memfd */
#endif

#define LOADER_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

int dg_loader_memfd(const char *name, const uint8_t *blob, size_t len,
		    const uint8_t sha256[32])
{
	uint8_t got[32];
	size_t off = 0;
	void *map;
	int fd, r;

	/* vm.memfd_noexec=1 makes memfds non-executable unless MFD_EXEC. */
	fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t w = write(fd, blob + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			r = w < 0 ? -errno : -EIO;
			goto fail;
		}
		off += (size_t)w;
	}
	if (fcntl(fd, F_ADD_SEALS, LOADER_SEALS) < 0) {
		r = -errno;
		goto fail;
	}
	/* Hash what will be executed, not the source we copied from. */
	map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		r = -errno;
		goto fail;
	}
	dg_sha256(map, len, got);
	munmap(map, len);
	if (memcmp(got, sha256, sizeof(got)) != 0) {
		r = -EKEYREJECTED;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return r;
}

/* SPDX-License-Identifier: MIT */
#ifndef DG_LOADER_H
#define DG_LOADER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Copy an embedded handler into a memfd, seal it against every change, and
 * check the SHA-256 of the bytes written into it against @sha256.  Returns the memfd
 * (O_CLOEXEC) or -EKEYREJECTED on a hash mismatch, -errno otherwise.
 */
int dg_loader_memfd(const char *name, const uint8_t *blob, size_t len,
		    const uint8_t sha256[32]);

/*
 * The same in two steps, so that the copy can run while a child already
 * sets up its sandbox: an empty memfd (O_CLOEXEC) or -errno; then fill,
 * seal and check it (0, -EKEYREJECTED on a hash mismatch, or -errno).
 */
int dg_loader_memfd_create(const char *name);
int dg_loader_memfd_fill(int fd, const uint8_t *blob, size_t len, const uint8_t sha256[32]);

#endif

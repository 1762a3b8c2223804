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

#endif

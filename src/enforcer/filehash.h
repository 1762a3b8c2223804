/* SPDX-License-Identifier: MIT */
/* SHA-256 of a whole file behind an fd, for the enforcer's hot path. */
#ifndef DG_ENF_FILEHASH_H
#define DG_ENF_FILEHASH_H

#include <stddef.h>
#include <stdint.h>

/*
 * Hash the first @size bytes of @fd (the size statx reported).  The file is
 * mapped, not copied: at SHA-NI speed a copy through read() would cost a
 * tenth of the time again.  A file shrunk under us (SIGBUS on the mapping)
 * gives -ESTALE instead of killing the process; @size over @max gives
 * -E2BIG.  Not reentrant: one caller thread per process.
 */
int dg_enf_hash_fd(int fd, uint64_t size, uint64_t max, uint8_t out[32]);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * In-memory decompression of apt index files (gzip, xz, lz4 frame, bzip2),
 * told by their magic bytes, and of a .deb's data.tar (gzip, xz, bzip2,
 * zstd, lzma_alone), told by the member's name.  Memory functions only: it
 * runs inside the handler's seccomp sandbox.
 */
#ifndef DG_DEB_DECOMPRESS_H
#define DG_DEB_DECOMPRESS_H

#include <stddef.h>
#include <stdint.h>

struct dg_buf;

/*
 * The compression (DEB_COMP_*) that @in of @len bytes starts with, by its
 * magic bytes; DEB_COMP_NONE for plain text; -EOPNOTSUPP (with the name of
 * the format in @err) for a compression apt knows and this handler does not
 * (zstd, lz4's legacy format, compress(1)).
 */
int deb_compression_detect(const uint8_t *in, size_t len, char *err, size_t errlen);

/*
 * Whether @in (@len bytes) starts the way data compressed with @comp does:
 * its magic bytes and none of the others' (for DEB_COMP_NONE, none at
 * all); lzma_alone, which has no magic, by a header liblzma would read.
 * 1 or 0.
 */
int deb_compression_magic_agrees(int comp, const uint8_t *in, size_t len);

/*
 * Decompress @in (@len bytes, compressed with @comp) and append the output
 * to @out; messages start with @what ("Packages", "data.tar.xz").  More
 * than @max bytes of output is -E2BIG; truncated input -ENODATA; corrupt
 * input, or bytes after the last stream that do not start another,
 * -EBADMSG.  Concatenated gzip members, xz streams, lz4 frames, bzip2
 * streams and zstd frames are read as one output, as `gzip -d` and the
 * others do; lzma_alone is one stream.  On failure @out may hold part of
 * the output; the caller discards it.
 */
int deb_decompress(const char *what, int comp, const uint8_t *in, size_t len, size_t max,
		   struct dg_buf *out, char *err, size_t errlen);

/* "gzip", "xz", "lz4", "bzip2", "zstd", "lzma" or "plain" for messages. */
const char *deb_compression_name(int comp);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Whole files in and out: one read of a regular file under a size cap, and
 * output that is never half-written.
 */
#ifndef DG_FILE_H
#define DG_FILE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Read the regular file @path, at most @max bytes, into a malloc'd buffer
 * (*@out, *@len; free() it).  On failure a negative errno and "PATH:
 * reason" in @err: -E2BIG over @max, -EINVAL not a regular file.
 */
int dg_file_read(const char *path, size_t max, uint8_t **out, size_t *len, char *err,
		 size_t errlen);

/*
 * dg_file_read() with @flags: DG_FILE_READ_SHRINK_OK takes a file cut
 * back while it is read as the shorter file (*@len what was there) instead
 * of failing with -EIO.
 */
#define DG_FILE_READ_SHRINK_OK (1u << 0)
int dg_file_read_flags(const char *path, size_t max, unsigned int flags, uint8_t **out,
		       size_t *len, char *err, size_t errlen);

/* write(2) all of @data to @fd. */
int dg_file_write_all(int fd, const void *data, size_t len);

/* Write @data to @path: temporary file in the same directory, fsync, rename. */
int dg_file_write_atomic(const char *path, const void *data, size_t len);

/*
 * An output file (-o): a regular file, or a new one, is replaced atomically;
 * through a symlink, the file it points at (the link stays).  Anything else
 * that exists (/dev/null, /dev/stdout, a FIFO) is written into: renaming a
 * temporary file over it would replace the device node itself.  So is the
 * file standard output already is (/dev/stdout redirected to a file):
 * through fd 1, at its offset.
 */
int dg_file_write_output(const char *path, const void *data, size_t len);

#endif

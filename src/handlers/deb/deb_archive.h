/* SPDX-License-Identifier: MIT */
/*
 * A .deb's data member (deb(5)): the ar archive's members, the data.tar's
 * decompression and every header of its tar stream, as DEB_REQ_ARCHIVE
 * answers them (deb_proto.h).  Pure functions over untrusted bytes, built
 * into the sandboxed deb handler and, for unit tests and fuzzing, into a
 * normal library.
 */
#ifndef DG_DEB_ARCHIVE_H
#define DG_DEB_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

struct dg_buf;

/*
 * Find the data member of the .deb @deb (@len bytes), decompress it (at
 * most DEB_TAR_MAX bytes) and append the DEB_REQ_ARCHIVE answer, one
 * record per tar header, to @ans.  Returns 0 or a negative errno with the
 * reason, naming the member or the tar header's offset, in @err; nothing
 * is appended on failure.
 */
int deb_archive_parse(const uint8_t *deb, size_t len, struct dg_buf *ans,
		      char *err, size_t errlen);

/*
 * deb_archive_parse() with the tar stream's limit @tar_max instead of
 * DEB_TAR_MAX, so that tests and the fuzzer reach it cheaply.
 */
int deb_archive_parse_max(const uint8_t *deb, size_t len, size_t tar_max,
			  struct dg_buf *ans, char *err, size_t errlen);

#endif

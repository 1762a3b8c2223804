/* SPDX-License-Identifier: MIT */
/*
 * apt index parser: Release (Date, Valid-Until, the SHA256 entries) and
 * Packages (one record per binary package).  Pure functions over untrusted
 * bytes (no I/O), built into the sandboxed deb handler and, for unit tests
 * and fuzzing, into a normal library.  Answers follow deb_proto.h.
 */
#ifndef DG_DEB_PARSE_H
#define DG_DEB_PARSE_H

#include <stddef.h>
#include <stdint.h>

struct dg_buf;

/*
 * Parse the Release text @text of @len bytes and append the
 * DEB_REQ_RELEASE answer to @ans.  Returns 0 or a negative errno with the
 * reason, naming the line, in @err; nothing is appended on failure.
 */
int deb_release_parse(const uint8_t *text, size_t len, struct dg_buf *ans,
		      char *err, size_t errlen);

/*
 * Decompress (when its magic bytes say so) and parse the Packages file
 * @req of @len bytes, and append the DEB_REQ_PACKAGES answer to @ans; the
 * decompressed text may be at most @text_max bytes (-E2BIG).  The handler
 * passes DEB_TEXT_MAX; tests pass less to reach the limit cheaply.
 * Returns 0 or a negative errno with the reason in @err.
 */
int deb_packages_parse(const uint8_t *req, size_t len, size_t text_max,
		       struct dg_buf *ans, char *err, size_t errlen);

/*
 * One DEB_REQ_RELEASE, DEB_REQ_PACKAGES or DEB_REQ_ARCHIVE request
 * (deb_archive.h) of type @type: the handler's entry point.  -EOPNOTSUPP
 * for another type.
 */
int deb_parse_request(uint16_t type, const uint8_t *req, size_t len,
		      struct dg_buf *ans, char *err, size_t errlen);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * RPM package structure parser: lead, signature header, main header, payload
 * boundary.  Pure functions over untrusted bytes (no I/O), built into the
 * sandboxed handler and, for unit tests and fuzzing, into a normal library.
 */
#ifndef DG_RPM_PARSE_H
#define DG_RPM_PARSE_H

#include <stddef.h>
#include <stdint.h>

struct dg_buf;

/*
 * Limits on untrusted input.  The index counts are rpm's own (rpm 4.18
 * lib/header.c hdrblobVerifyLengths(): HEADER_TAGS_MAX 0xffff, 32 in the
 * signature header; rpm refuses a header over them, so must we); the data
 * sizes are below rpm's (256 MiB, 64 MiB for the signature header).
 */
#define RPM_INDEX_MAX 65535u		/* main header index entries */
#define RPM_DATA_MAX (48u << 20)	/* main header data store */
#define RPM_SIG_INDEX_MAX 32u		/* signature header index entries */
#define RPM_SIG_DATA_MAX (1u << 20)	/* signature header data store */
#define RPM_ARRAY_MAX 0xfffffu		/* items of one entry, BIN excepted: rpm's
					   HEADER_ARRAY_MAX (hdrchkArray()) */
#define RPM_STRING_MAX (1u << 20)	/* one string, without its NUL */
#define RPM_PATH_MAX 4096u		/* one BASENAMES/DIRNAMES/OLDFILENAMES item */
#define RPM_STRINGS_MAX (4u << 20)	/* string records in one answer */

/*
 * Parse the first @len bytes @pkg of a package file of @file_size bytes and
 * append the RPM_REQ_PARSE answer (rpm_proto.h) to @ans.  Returns 0 or a
 * negative errno with the reason in @err (naming the tag where there is one).
 */
int rpm_parse(const uint8_t *pkg, size_t len, uint64_t file_size,
	      struct dg_buf *ans, char *err, size_t errlen);

/* The same for a whole RPM_REQ_PARSE request (le64 file_size + bytes). */
int rpm_parse_request(const uint8_t *req, size_t len, struct dg_buf *ans,
		      char *err, size_t errlen);

#endif

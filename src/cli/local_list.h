/* SPDX-License-Identifier: MIT */
/*
 * The lines of `digestguard db import --local FILE` (docs/db.md): the
 * operator's own allowlist in sha256sum(1) format.  Apart from db.c so that
 * tests/unit/test_local_list.c and fuzz/local_list_fuzz.c reach it.
 */
#ifndef DG_CLI_LOCAL_LIST_H
#define DG_CLI_LOCAL_LIST_H

#include <stddef.h>
#include <stdint.h>

#include <digestguard/db.h>

/* Bound on one line (trusted input, but a typo must not hurt): a name of
 * DG_DB_NAME_MAX bytes and the rest of a --tag line, with room to spare. */
#define LOCAL_LINE_MAX	(DG_DB_NAME_MAX + 80)

/*
 * One line as getline() read it: @len bytes at @line, line ending
 * included, with a NUL at @line[@len].  sha256sum's "HEX  PATH" or
 * "HEX *PATH", or its --tag form "SHA256 (PATH) = HEX"; a leading
 * backslash marks a path escaped as GNU sha256sum writes it (\\ and \r are
 * decoded, \n refused: a database name holds no newline).  Lines that are
 * empty or start with '#' are skipped.
 *
 * Returns 1 with the digest in @d and *@path pointing at the decoded path
 * inside @line (edited in place; not checked to be absolute), 0 for a line
 * to skip, or a negative errno with the reason, without the file and line,
 * in @why: -E2BIG for a line over LOCAL_LINE_MAX, -EBADMSG otherwise.
 */
int cli_local_line(char *line, size_t len, uint8_t d[32], char **path, char *why,
		   size_t whysz);

#endif

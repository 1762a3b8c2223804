// SPDX-License-Identifier: MIT
/* Lines of a `db import --local` list (local_list.h). */
#include "local_list.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hex.h"

/*
 * One line (no line ending, no escape marker) into @d and *@path:
 * sha256sum(1)'s "HEX  PATH" or "HEX *PATH", or its --tag form
 * "SHA256 (PATH) = HEX" (what `rpm digests --tag` prints too).  Returns 0,
 * or -EBADMSG for another shape.  The path is not unescaped here.
 */
static int local_fields(char *p, uint8_t d[32], char **path)
{
	static const char tag[] = "SHA256 (", mid[] = ") = ";
	size_t len = strlen(p), tl = sizeof(tag) - 1, ml = sizeof(mid) - 1;

	if (len > tl + ml + 64 && !strncmp(p, tag, tl) &&
	    !strncmp(p + len - 64 - ml, mid, ml) && !dg_unhex_n(p + len - 64, d, 32)) {
		p[len - 64 - ml] = '\0';	/* the path ends at ") = " */
		*path = p + tl;
		return 0;
	}
	if (len < 67 || dg_unhex_n(p, d, 32) || p[64] != ' ' || (p[65] != ' ' && p[65] != '*'))
		return -EBADMSG;
	*path = p + 66;
	return 0;
}

int cli_local_line(char *line, size_t len, uint8_t d[32], char **path, char *why,
		   size_t whysz)
{
	char *p = line;
	int escaped;

	if (len > LOCAL_LINE_MAX) {
		snprintf(why, whysz, "line of %zu bytes exceeds limit %d", len, LOCAL_LINE_MAX);
		return -E2BIG;
	}
	if (len != strlen(line)) {
		snprintf(why, whysz, "NUL byte in line");
		return -EBADMSG;
	}
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	if (!len || line[0] == '#')
		return 0;
	escaped = line[0] == '\\';
	p += escaped;
	if (local_fields(p, d, path) < 0) {
		snprintf(why, whysz, "expected 64 hex digits, two spaces and a path, "
			 "or SHA256 (PATH) = HEX (sha256sum format)");
		return -EBADMSG;
	}
	if (escaped) {	/* GNU coreutils: \\, \n and (9.0 on) \r inside the name */
		char *r = *path, *w = *path;

		for (; *r; r++) {
			if (*r != '\\') {
				*w++ = *r;
				continue;
			}
			if (r[1] == '\\' || r[1] == 'r') {
				*w++ = r[1] == 'r' ? '\r' : '\\';
				r++;
			} else if (r[1] == 'n') {
				/* the database stores no newline in a name (db.h) */
				snprintf(why, whysz, "path with a newline cannot be stored");
				return -EBADMSG;
			} else {
				snprintf(why, whysz, "escape '\\%c' in path not supported",
					 r[1] ? r[1] : ' ');
				return -EBADMSG;
			}
		}
		*w = '\0';
	}
	return 1;
}

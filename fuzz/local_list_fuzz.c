// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: cli_local_line() (src/cli/local_list.c), the lines of
 * `db import --local FILE`.  The input is the file; it is cut into lines
 * as getline() cuts it (each with its '\n', NUL-terminated after it) and
 * every line is parsed, as db.c does.  An accepted line gives a path inside
 * the line, without a newline; a refused one a reason.
 * Corpus: fuzz/seed-local_list.sh.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "local_list.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t at = 0;

	while (at < size) {
		const uint8_t *nl = memchr(data + at, '\n', size - at);
		size_t n = nl ? (size_t)(nl - (data + at)) + 1 : size - at;
		char *line = malloc(n + 1), *path = NULL, why[128];
		uint8_t d[32];
		int r;

		if (!line)
			abort();
		memcpy(line, data + at, n);
		line[n] = '\0';
		why[0] = '\0';
		r = cli_local_line(line, n, d, &path, why, sizeof(why));
		if (r == 1) {
			if (!path || path < line || path >= line + n ||
			    strlen(path) >= n || strchr(path, '\n'))
				abort();
		} else if (r == 0) {
			if (why[0])
				abort();
		} else if ((r != -EBADMSG && r != -E2BIG) || !why[0]) {
			abort();
		}
		free(line);
		at += n;
	}
	return 0;
}

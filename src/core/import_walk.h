/* SPDX-License-Identifier: MIT */
/*
 * Internal to the core: what importing packages of any format into a
 * digest database shares (src/core/rpm/rpm_import.c,
 * src/core/deb/deb_import.c): walking the operator's files and
 * directories, and quoting a name from a package for a message.
 */
#ifndef DG_IMPORT_WALK_H
#define DG_IMPORT_WALK_H

#include <stddef.h>

/* Limits on what a directory walk may hold (operator input, still bounded). */
#define IMPORT_DEPTH_MAX 32
/* Bytes of a name quoted in a message (escaped, then "..."). */
#define IMPORT_QUOTE_MAX 64

struct import_walk {
	const char *suffix;		/* ".rpm", ".deb": the files a directory gives */
	int strict;			/* stop at the first failure */
	/* One package; a non-zero return stops the walk and is returned. */
	int (*one)(const char *path, void *ctx);
	/* A path that could not be walked (counted as a skipped package). */
	void (*skipped)(const char *msg, void *ctx);
	void *ctx;
};

/*
 * @path: a package, or a directory whose files named *@suffix
 * (recursively, in name order) are packages.  A path or directory that
 * cannot be read is reported through ->skipped and, with ->strict, stops
 * the walk with its error.  Returns 0 or the first error that stopped it.
 */
int import_walk(const char *path, const struct import_walk *w);

/*
 * Room for one more element of @elem bytes in the array *@arr of *@n used
 * of *@cap (doubling, from 64), at most @max elements: 0, -E2BIG or
 * -ENOMEM (the array unchanged).
 */
int import_grow(void **arr, size_t n, size_t *cap, size_t elem, size_t max);

/*
 * @s for a message: backslash and control characters escaped (\n, \xHH),
 * cut after IMPORT_QUOTE_MAX bytes of @s with "...".  The names come from
 * a signed package, but a signature says who built it, not that its names
 * are fit for a terminal.
 */
void import_quote_name(const char *s, char *out, size_t n);

#endif

/* SPDX-License-Identifier: MIT */
/* Helpers shared by the database's reader, builder and state files. */
#ifndef DG_DB_INTERNAL_H
#define DG_DB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <digestguard/db.h>

#include "log.h"	/* dg_errf(): messages into the caller's buffer */

/*
 * A name the builder stores (source or path): at most DG_DB_NAME_MAX bytes
 * and no newline, read within @room bytes; its length to @len (may be
 * NULL).  Emptiness is the caller's rule.  dg_db_verify() applies the same,
 * so what verifies can be merged.
 */
static inline int dg_db_name_ok(const char *s, size_t room, size_t *len)
{
	size_t n = strnlen(s, room < DG_DB_NAME_MAX + 1 ? room : DG_DB_NAME_MAX + 1);

	if (n > DG_DB_NAME_MAX || memchr(s, '\n', n))
		return 0;
	if (len)
		*len = n;
	return 1;
}

/* Index of the source owning @ref; -EBADMSG outside every region. */
int dg_db_source_index(const struct dg_db *db, dg_db_ref ref, uint32_t *idx);

/*
 * Test hook: milliseconds to sleep between writing a generation's
 * temporary file and renaming it, from $DIGESTGUARD_TEST_COMMIT_DELAY_MS
 * (lets tests kill -9 a writer at the worst moment).
 */
void dg_db_test_delay(void);

/*
 * Refuse a state directory that users other than its owner could write
 * (they could replace `current`), or whose owner is neither root nor us.
 * -EPERM with a message naming @dir.
 */
struct stat;
int dg_db_state_safe(const char *dir, const struct stat *st, char *msg, size_t msglen);

/*
 * The complete file image of @b as generation @generation (malloc'd), in
 * format @version: DGDB_VERSION, or 1 (for tests of reading old files;
 * -EOPNOTSUPP when a digest has more than one reference).
 */
int dg_db_builder_image(struct dg_db_builder *b, uint64_t generation, uint32_t version,
			uint8_t **out, size_t *outlen, char *msg, size_t msglen);

/* Write the header checksum of image @img (after changing its header). */
void dg_db_seal_header(uint8_t *img);

#endif

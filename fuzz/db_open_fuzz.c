// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: dg_db_open() and every reader on arbitrary file bytes.
 * The database is our own output, but it sits on disk: a damaged file must
 * give a clear error, never a crash or a read outside the mapping.  The
 * harness fixes up the header checksum (and, unless the fuzzer sets the top
 * byte of the size field, the file size; unless it sets the lowest bit of
 * the body hash, the body hash) so that mutations reach the checks behind
 * them.  Oracles for a file that passes dg_db_verify(): it
 * finds each of its entries with the entry's own reference; its entries'
 * references add up to the count stats give; merged into a builder and
 * written out again (what `db import` does with `current`), it gives a file
 * that verifies, with the same digests and the same first references.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <digestguard/db.h>

#include "db_format.h"
#include "db_internal.h"
#include "sha256.h"

#define CHECK_ENTRIES_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1, memfd2 = -1;
static uint8_t img[1 << 20];

/* @db (verified) merged and written again: the same digests, each with
 * the same first (source, path) and no more references than before. */
static void check_merge(const struct dg_db *db, const struct dg_db_stats *st)
{
	struct dg_db_builder *b = dg_db_builder_new(DG_DB_SHA256);
	struct dg_db *again = NULL;
	struct dg_db_stats st2;
	uint8_t *out = NULL;
	size_t len = 0;
	char path[64], msg[512];
	uint64_t i;
	int err;

	if (!b)
		return;
	err = dg_db_builder_merge(b, db);
	if (err == -EINVAL || err == -ENOMEM) {	/* a name the builder refuses */
		dg_db_builder_free(b);
		return;
	}
	if (err || dg_db_builder_image(b, st->generation + 1, DGDB_VERSION, &out, &len,
				       msg, sizeof(msg)))
		__builtin_trap();
	dg_db_builder_free(b);
	if (memfd2 < 0)
		memfd2 = memfd_create("db_open_fuzz2", MFD_CLOEXEC);
	if (memfd2 < 0 || ftruncate(memfd2, 0) < 0 ||
	    pwrite(memfd2, out, len, 0) != (ssize_t)len) {
		free(out);
		return;
	}
	free(out);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd2);
	if (dg_db_open(path, &again, msg, sizeof(msg)) || dg_db_verify(again, msg, sizeof(msg)))
		__builtin_trap();	/* a valid file merged into an invalid one */
	dg_db_stats(again, &st2);
	if (st2.count != st->count || st2.references > st->references)
		__builtin_trap();
	for (i = 0; i < st->count && i < CHECK_ENTRIES_MAX; i++) {
		const uint8_t *d1, *d2;
		const char *s1, *p1, *s2, *p2;
		dg_db_ref r1, r2;

		dg_db_entry(db, i, &d1, &r1);
		dg_db_entry(again, i, &d2, &r2);
		if (memcmp(d1, d2, 32) || dg_db_source(db, r1, &s1, &p1) ||
		    dg_db_source(again, r2, &s2, &p2) || strcmp(s1, s2) || strcmp(p1, p2))
			__builtin_trap();
	}
	dg_db_close(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dg_db *db = NULL;
	struct dg_db_stats st;
	char path[64], msg[512];
	uint64_t i, refs = 0;
	uint32_t s;
	int verified;

	if (size > sizeof(img))
		return 0;
	if (memfd < 0)
		memfd = memfd_create("db_open_fuzz", MFD_CLOEXEC);
	if (memfd < 0)
		return 0;
	memcpy(img, data, size);
	/* Valid header checksums (version 1 or 2 layout), so mutations
	 * reach the section checks and the body. */
	if (size >= DGDB_HEADER_SIZE ||
	    (size >= DGDB_HEADER_SIZE_V1 && dgdb_get32(img + H_VERSION) == 1)) {
		uint32_t hs = dgdb_get32(img + H_VERSION) == 1 ? DGDB_HEADER_SIZE_V1 :
			      DGDB_HEADER_SIZE;

		if (img[H_FILE_SIZE + 7] == 0)
			dgdb_put64(img + H_FILE_SIZE, size);
		/* and, unless the fuzzer sets its lowest bit, the body hash:
		 * else every changed body byte stops dg_db_verify() at the
		 * checksum, and the checks behind it are never reached */
		if (size >= hs && !(img[H_BODY_HASH] & 1))
			dg_sha256(img + hs, size - hs, img + H_BODY_HASH);
		dg_db_seal_header(img);
	}
	if (ftruncate(memfd, 0) < 0 || pwrite(memfd, img, size, 0) != (ssize_t)size)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	if (dg_db_open(path, &db, msg, sizeof(msg)))
		return 0;
	dg_db_stats(db, &st);
	verified = dg_db_verify(db, msg, sizeof(msg)) == 0;
	for (i = 0; i < st.count && i < CHECK_ENTRIES_MAX; i++) {
		const uint8_t *d;
		const char *pkg, *p;
		dg_db_ref ref, got = 0;

		uint64_t at, k;

		dg_db_entry(db, i, &d, &ref);
		if (!dg_db_source(db, ref, &pkg, &p) && strlen(pkg) + strlen(p) == (size_t)-1)
			__builtin_trap();
		if (dg_db_lookup(db, d, &got) != 1 || got != ref) {
			if (verified)
				__builtin_trap();
		}
		if ((dg_db_find(db, d, &at) != 1 || at != i) && verified)
			__builtin_trap();
		refs++;
		for (k = 1; !dg_db_entry_ref(db, i, k, &got); k++, refs++) {
			if (got == ref && verified)
				__builtin_trap();	/* verify refuses a repeated first reference */
			if (dg_db_source(db, got, &pkg, &p) && verified)
				__builtin_trap();
		}
	}
	for (s = 0; s < st.sources; s++) {
		const char *name;

		if (dg_db_source_name(db, s, &name) || strlen(name) == (size_t)-1)
			__builtin_trap();
	}
	/* every further reference belongs to exactly one entry */
	if (verified && st.count <= CHECK_ENTRIES_MAX && refs != st.references)
		__builtin_trap();
	if (verified)
		check_merge(db, &st);
	dg_db_lookup(db, img + (size >= 32 ? size - 32 : 0) , NULL);
	dg_db_close(db);
	return 0;
}

// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: dg_db_open() and every reader on arbitrary file bytes.
 * The database is our own output, but it sits on disk: a damaged file must
 * give a clear error, never a crash or a read outside the mapping.  The
 * harness fixes up the header checksum (and, unless the fuzzer sets the top
 * byte of the size field, the file size) so that mutations reach the field
 * checks behind them.  Oracle: a file that passes dg_db_verify() finds each
 * of its entries with the entry's own reference.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <digestguard/db.h>

#include "db_format.h"
#include "db_internal.h"
#include "sha256.h"

#define CHECK_ENTRIES_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;
static uint8_t img[1 << 20];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dg_db *db = NULL;
	struct dg_db_stats st;
	char path[64], msg[512];
	uint64_t i;
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
		if (img[H_FILE_SIZE + 7] == 0)
			dgdb_put64(img + H_FILE_SIZE, size);
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
		for (k = 1; !dg_db_entry_ref(db, i, k, &got); k++) {
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
	dg_db_lookup(db, img + (size >= 32 ? size - 32 : 0) , NULL);
	dg_db_close(db);
	return 0;
}

// SPDX-License-Identifier: MIT
/* The digest database: build, open, look up, validate, switch generations. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <digestguard/db.h>

#include "db_format.h"
#include "db_internal.h"
#include "sha256.h"
#include "readdir_fault.h"
#include "tap.h"

static char tmpdir[] = "/tmp/dg-test-db.XXXXXX";
static char msg[512];

/* Deterministic "random" digests: SHA-256 of a counter. */
static void digest_of(uint64_t i, uint8_t d[32])
{
	dg_sha256(&i, sizeof(i), d);
}

static char *tpath(const char *name)
{
	static char p[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", tmpdir, name);
	return p[k];
}

/* Build @n digests digest_of(0..n-1) from two sources into @file. */
static int build_file(const char *file, uint64_t n, uint64_t generation)
{
	struct dg_db_builder *b = dg_db_builder_new(DG_DB_SHA256);
	uint32_t s1, s2;
	uint64_t i;
	int err;

	if (!b)
		return -ENOMEM;
	err = dg_db_builder_add_source(b, "bash-5.2.15-3.el9.x86_64", &s1);
	if (!err)
		err = dg_db_builder_add_source(b, "local", &s2);
	for (i = 0; i < n && !err; i++) {
		uint8_t d[32];
		char path[64];

		digest_of(i, d);
		snprintf(path, sizeof(path), "/usr/bin/f%llu", (unsigned long long)i);
		err = dg_db_builder_add(b, d, DG_DB_SHA256, i % 2 ? s2 : s1, path);
	}
	if (!err)
		err = dg_db_builder_write(b, file, generation, msg, sizeof(msg));
	dg_db_builder_free(b);
	return err;
}

static int write_all(const char *file, const uint8_t *data, size_t len)
{
	FILE *f = fopen(file, "wb");

	if (!f)
		return -errno;
	fwrite(data, 1, len, f);
	fclose(f);
	return 0;
}

static void rehash_header(uint8_t *img)
{
	dg_db_seal_header(img);
}

/* Open a modified copy of a good 100-entry file; returns dg_db_open's result. */
static int open_mutated(void (*mutate)(uint8_t *img, size_t *len))
{
	const char *good = tpath("good.dgdb"), *bad = tpath("bad.dgdb");
	struct dg_db *db = NULL;
	uint8_t *img;
	size_t len;
	int err;

	if (build_file(good, 100, 1) || tap_read_file(good, &img, &len))
		return -999;
	mutate(img, &len);
	write_all(bad, img, len);
	free(img);
	msg[0] = '\0';
	err = dg_db_open(bad, &db, msg, sizeof(msg));
	dg_db_close(db);
	return err;
}

TEST(test_db_empty_database_opens_and_finds_nothing)
{
	struct dg_db_builder *b = dg_db_builder_new(DG_DB_SHA256);
	struct dg_db *db = NULL;
	struct dg_db_stats st;
	uint8_t d[32] = { 0 };
	int err;

	err = dg_db_builder_write(b, tpath("empty.dgdb"), 7, msg, sizeof(msg));
	dg_db_builder_free(b);
	CHECK(err == 0, "write: %s", msg);
	err = dg_db_open(tpath("empty.dgdb"), &db, msg, sizeof(msg));
	CHECK(err == 0, "open: %s", msg);
	if (err)
		return;
	dg_db_stats(db, &st);
	CHECK(st.count == 0 && st.generation == 7, "count %llu gen %llu",
	      (unsigned long long)st.count, (unsigned long long)st.generation);
	CHECK(dg_db_lookup(db, d, NULL) == 0, "empty database found a digest");
	memset(d, 0xff, sizeof(d));
	CHECK(dg_db_lookup(db, d, NULL) == 0, "empty database found a digest");
	CHECK(dg_db_verify(db, msg, sizeof(msg)) == 0, "verify: %s", msg);
	dg_db_close(db);
}

TEST(test_db_lookup_finds_every_present_digest_with_its_source)
{
	struct dg_db *db = NULL;
	uint64_t i, bad = 0;
	int err;

	err = build_file(tpath("a.dgdb"), 20000, 1);
	CHECK(err == 0, "build: %s", msg);
	err = dg_db_open(tpath("a.dgdb"), &db, msg, sizeof(msg));
	CHECK(err == 0, "open: %s", msg);
	if (err)
		return;
	for (i = 0; i < 20000; i++) {
		uint8_t d[32];
		dg_db_ref ref;
		const char *pkg, *path;
		char want[64];

		digest_of(i, d);
		snprintf(want, sizeof(want), "/usr/bin/f%llu", (unsigned long long)i);
		if (dg_db_lookup(db, d, &ref) != 1 || dg_db_source(db, ref, &pkg, &path) ||
		    strcmp(pkg, i % 2 ? "local" : "bash-5.2.15-3.el9.x86_64") ||
		    strcmp(path, want))
			bad++;
	}
	CHECK(bad == 0, "%llu of 20000 present digests not found or wrong source",
	      (unsigned long long)bad);
	CHECK(dg_db_verify(db, msg, sizeof(msg)) == 0, "verify: %s", msg);
	dg_db_close(db);
}

TEST(test_db_lookup_rejects_absent_digests_and_near_misses)
{
	struct dg_db *db = NULL;
	uint64_t i, found = 0;
	int err;

	build_file(tpath("a.dgdb"), 20000, 1);
	err = dg_db_open(tpath("a.dgdb"), &db, msg, sizeof(msg));
	CHECK(err == 0, "open: %s", msg);
	if (err)
		return;
	for (i = 20000; i < 40000; i++) {
		uint8_t d[32];

		digest_of(i, d);
		found += dg_db_lookup(db, d, NULL);
		digest_of(i - 20000, d);	/* present ones, one bit off */
		d[31] ^= 1;
		found += dg_db_lookup(db, d, NULL);
		d[31] ^= 1;
		d[0] ^= 0x80;
		found += dg_db_lookup(db, d, NULL);
		d[0] ^= 0x80;
		d[8] ^= 1;	/* first byte after the 64-bit prefix */
		found += dg_db_lookup(db, d, NULL);
	}
	CHECK(found == 0, "%llu absent digests reported present", (unsigned long long)found);
	dg_db_close(db);
}

TEST(test_db_first_and_last_possible_digests_are_found)
{
	struct dg_db_builder *b = dg_db_builder_new(DG_DB_SHA256);
	struct dg_db *db = NULL;
	uint8_t lo[32], hi[32], mid[32];
	uint32_t s;
	uint64_t i;
	int err;

	memset(lo, 0, 32);
	memset(hi, 0xff, 32);
	dg_db_builder_add_source(b, "edge-1-1.noarch", &s);
	dg_db_builder_add(b, hi, DG_DB_SHA256, s, "/hi");
	for (i = 0; i < 1000; i++) {
		digest_of(i, mid);
		dg_db_builder_add(b, mid, DG_DB_SHA256, s, NULL);
	}
	dg_db_builder_add(b, lo, DG_DB_SHA256, s, "/lo");
	err = dg_db_builder_write(b, tpath("edge.dgdb"), 1, msg, sizeof(msg));
	dg_db_builder_free(b);
	CHECK(err == 0, "write: %s", msg);
	err = dg_db_open(tpath("edge.dgdb"), &db, msg, sizeof(msg));
	CHECK(err == 0, "open: %s", msg);
	if (err)
		return;
	CHECK(dg_db_lookup(db, lo, NULL) == 1, "all-zero digest (first entry) not found");
	CHECK(dg_db_lookup(db, hi, NULL) == 1, "all-ones digest (last entry) not found");
	{
		const uint8_t *first, *last;
		struct dg_db_stats st;

		dg_db_stats(db, &st);
		dg_db_entry(db, 0, &first, NULL);
		dg_db_entry(db, st.count - 1, &last, NULL);
		CHECK(!memcmp(first, lo, 32) && !memcmp(last, hi, 32), "table not sorted at the ends");
		CHECK(dg_db_entry(db, st.count, &first, NULL) == -ERANGE, "entry past the end accepted");
	}
	lo[31] = 1;
	hi[31] = 0xfe;
	CHECK(dg_db_lookup(db, lo, NULL) == 0 && dg_db_lookup(db, hi, NULL) == 0,
	      "neighbours of the first/last entry found");
	dg_db_close(db);
}

TEST(test_db_digests_sharing_a_64bit_prefix_are_told_apart)
{
	struct dg_db_builder *b = dg_db_builder_new(DG_DB_SHA256);
	struct dg_db *db = NULL;
	uint8_t d[32];
	uint32_t s;
	int i, found = 0, err;

	dg_db_builder_add_source(b, "p", &s);
	for (i = 0; i < 50; i += 2) {	/* even last bytes present */
		memset(d, 0x42, 32);
		d[31] = (uint8_t)i;
		dg_db_builder_add(b, d, DG_DB_SHA256, s, NULL);
	}
	err = dg_db_builder_write(b, tpath("pfx.dgdb"), 1, msg, sizeof(msg));
	dg_db_builder_free(b);
	err = err ? err : dg_db_open(tpath("pfx.dgdb"), &db, msg, sizeof(msg));
	CHECK(err == 0, "%s", msg);
	if (err)
		return;
	for (i = 0; i < 50; i++) {
		memset(d, 0x42, 32);
		d[31] = (uint8_t)i;
		if (dg_db_lookup(db, d, NULL) == (i % 2 == 0))
			found++;
	}
	CHECK(found == 50, "%d of 50 answers right", found);
	dg_db_close(db);
}

TEST(test_db_duplicate_digest_lookup_gives_its_first_source)
{
	struct dg_db_builder *b = dg_db_builder_new(DG_DB_SHA256);
	struct dg_db *db = NULL;
	struct dg_db_stats st;
	const char *pkg = NULL, *path = NULL;
	dg_db_ref ref;
	uint8_t d[32];
	uint32_t s1, s2, again;
	int err;

	digest_of(1, d);
	dg_db_builder_add_source(b, "first-1-1.x86_64", &s1);
	dg_db_builder_add_source(b, "second-1-1.x86_64", &s2);
	dg_db_builder_add_source(b, "first-1-1.x86_64", &again);
	CHECK(again == s1, "same source name got a second id");
	dg_db_builder_add(b, d, DG_DB_SHA256, s1, "/a");
	dg_db_builder_add(b, d, DG_DB_SHA256, s2, "/b");
	err = dg_db_builder_write(b, tpath("dup.dgdb"), 1, msg, sizeof(msg));
	dg_db_builder_free(b);
	err = err ? err : dg_db_open(tpath("dup.dgdb"), &db, msg, sizeof(msg));
	CHECK(err == 0, "%s", msg);
	if (err)
		return;
	dg_db_stats(db, &st);
	CHECK(st.count == 1 && st.sources == 2, "count %llu sources %u",
	      (unsigned long long)st.count, st.sources);
	CHECK(dg_db_lookup(db, d, &ref) == 1 && dg_db_source(db, ref, &pkg, &path) == 0,
	      "lookup failed");
	CHECK(pkg && path && !strcmp(pkg, "first-1-1.x86_64") && !strcmp(path, "/a"),
	      "got %s %s", pkg ? pkg : "-", path ? path : "-");
	dg_db_close(db);
}

/* Every (source, path) of a digest, first first, each once. */
static int refs_of(const struct dg_db *db, const uint8_t *d, char *out, size_t outlen)
{
	const char *pkg, *path;
	dg_db_ref ref;
	uint64_t i, k;
	size_t used = 0;

	out[0] = '\0';
	if (dg_db_find(db, d, &i) != 1)
		return -ENOENT;
	for (k = 0; !dg_db_entry_ref(db, i, k, &ref); k++) {
		if (dg_db_source(db, ref, &pkg, &path))
			return -EBADMSG;
		used += (size_t)snprintf(out + used, outlen - used, "%s%s:%s", k ? " " : "", pkg, path);
		if (used >= outlen)
			return -E2BIG;
	}
	return (int)k;
}

TEST(test_db_digest_of_several_sources_keeps_every_reference)
{
	struct dg_db_builder *b = dg_db_builder_new(DG_DB_SHA256), *b2 = NULL;
	struct dg_db *db = NULL, *db2 = NULL;
	struct dg_db_stats st;
	char got[256];
	uint8_t d[32], other[32];
	dg_db_ref ref;
	uint32_t s1, s2;
	int err;

	digest_of(1, d);
	digest_of(2, other);
	dg_db_builder_add_source(b, "one-1-1.noarch", &s1);
	dg_db_builder_add_source(b, "two-1-1.noarch", &s2);
	dg_db_builder_add(b, d, DG_DB_SHA256, s1, "/usr/bin/a");
	dg_db_builder_add(b, other, DG_DB_SHA256, s1, "/usr/bin/other");
	dg_db_builder_add(b, d, DG_DB_SHA256, s2, "/usr/bin/b");
	dg_db_builder_add(b, d, DG_DB_SHA256, s1, "/usr/bin/a");	/* again: kept once */
	dg_db_builder_add(b, d, DG_DB_SHA256, s1, "/usr/bin/c");
	dg_db_builder_add(b, d, DG_DB_SHA256, s2, NULL);
	err = dg_db_builder_write(b, tpath("multi.dgdb"), 1, msg, sizeof(msg));
	dg_db_builder_free(b);
	err = err ? err : dg_db_open(tpath("multi.dgdb"), &db, msg, sizeof(msg));
	CHECK(err == 0, "%s", msg);
	if (err)
		return;
	dg_db_stats(db, &st);
	CHECK(st.count == 2 && st.references == 5 && st.version == DGDB_VERSION,
	      "count %llu references %llu version %u", (unsigned long long)st.count,
	      (unsigned long long)st.references, st.version);
	CHECK(dg_db_verify(db, msg, sizeof(msg)) == 0, "%s", msg);
	/* the first added is what lookups give; the rest in file order */
	CHECK(refs_of(db, d, got, sizeof(got)) == 4 &&
	      !strcmp(got, "one-1-1.noarch:/usr/bin/a one-1-1.noarch:/usr/bin/c "
			   "two-1-1.noarch: two-1-1.noarch:/usr/bin/b"), "got %s", got);
	CHECK(refs_of(db, other, got, sizeof(got)) == 1 &&
	      !strcmp(got, "one-1-1.noarch:/usr/bin/other"), "got %s", got);
	CHECK(dg_db_entry_ref(db, 2, 0, &ref) == -ERANGE, "entry past the end accepted");
	/* merged into a new generation: nothing lost, the first stays first */
	b2 = dg_db_builder_new(DG_DB_SHA256);
	err = dg_db_builder_merge(b2, db);
	err = err ? err : dg_db_builder_write(b2, tpath("multi2.dgdb"), 2, msg, sizeof(msg));
	dg_db_builder_free(b2);
	err = err ? err : dg_db_open(tpath("multi2.dgdb"), &db2, msg, sizeof(msg));
	CHECK(err == 0, "%s", msg);
	if (!err) {
		char again[256];

		refs_of(db, d, got, sizeof(got));
		CHECK(refs_of(db2, d, again, sizeof(again)) == 4 && !strcmp(got, again),
		      "after merge: %s, before: %s", again, got);
		dg_db_close(db2);
	}
	dg_db_close(db);
}

/* Files of format version 1 (one reference per digest) still open. */
TEST(test_db_reads_format_version_1)
{
	struct dg_db_builder *b = dg_db_builder_new(DG_DB_SHA256);
	struct dg_db *db = NULL;
	struct dg_db_stats st;
	const char *pkg = "", *path = "";
	uint8_t *img = NULL, d[32];
	dg_db_ref ref;
	size_t len;
	uint32_t s1;
	int i, err, found = 0;

	dg_db_builder_add_source(b, "old-1-1.noarch", &s1);
	for (i = 0; i < 300; i++) {
		char p[32];

		digest_of((uint64_t)i, d);
		snprintf(p, sizeof(p), "/usr/share/old/%d", i);
		dg_db_builder_add(b, d, DG_DB_SHA256, s1, p);
	}
	err = dg_db_builder_image(b, 7, 1, &img, &len, msg, sizeof(msg));
	CHECK(err == 0, "%s", msg);
	if (!err) {
		write_all(tpath("v1.dgdb"), img, len);
		free(img);
		img = NULL;
	}
	err = err ? err : dg_db_open(tpath("v1.dgdb"), &db, msg, sizeof(msg));
	CHECK(err == 0, "version 1 file refused: %s", msg);
	if (!err) {
		dg_db_stats(db, &st);
		CHECK(st.version == 1 && st.count == 300 && st.references == 300 &&
		      st.generation == 7, "version %u count %llu references %llu", st.version,
		      (unsigned long long)st.count, (unsigned long long)st.references);
		CHECK(dg_db_verify(db, msg, sizeof(msg)) == 0, "%s", msg);
		for (i = 0; i < 300; i++) {
			digest_of((uint64_t)i, d);
			found += dg_db_lookup(db, d, &ref) == 1 &&
				 !dg_db_source(db, ref, &pkg, &path) && !strcmp(pkg, "old-1-1.noarch");
		}
		CHECK(found == 300, "%d of 300 found", found);
		CHECK(dg_db_entry_ref(db, 0, 1, &ref) == -ERANGE, "a second reference in a v1 file");
		dg_db_close(db);
	}
	/* a digest with two references cannot be written as version 1 */
	digest_of(0, d);
	dg_db_builder_add(b, d, DG_DB_SHA256, s1, "/usr/share/old/copy");
	msg[0] = '\0';
	CHECK(dg_db_builder_image(b, 8, 1, &img, &len, msg, sizeof(msg)) == -EOPNOTSUPP &&
	      strstr(msg, "1 more"), "got '%s'", msg);
	free(img);
	dg_db_builder_free(b);
}

/* dg_db_verify() checks the further references too. */
static void more_mutate(uint8_t *img, uint64_t slot, int field, uint32_t v)
{
	uint64_t off = dgdb_get64(img + H_MORE_OFF) + 8 * slot + 4 * (uint64_t)field;
	uint64_t size = dgdb_get64(img + H_FILE_SIZE);

	dgdb_put32(img + off, v);
	dg_sha256(img + DGDB_HEADER_SIZE, size - DGDB_HEADER_SIZE, img + H_BODY_HASH);
	dg_db_seal_header(img);
}

TEST(test_db_verify_checks_further_references)
{
	struct dg_db_builder *b = dg_db_builder_new(DG_DB_SHA256);
	uint8_t *img = NULL, *bad;
	uint32_t s1, s2, first_ref;
	uint64_t refs_off;
	size_t len;
	int i, err;
	struct {
		const char *what;
		uint64_t slot;
		int field;
		int value;	/* -1: the entry's first reference, -2: past the strings */
	} cases[] = {
		{ "entry past the digests", 0, 0, 1000 },
		{ "out of order", 0, 0, 1 },
		{ "repeats the first reference", 0, 1, -1 },
		{ "reference outside the strings", 1, 1, -2 },
	};

	dg_db_builder_add_source(b, "a", &s1);
	dg_db_builder_add_source(b, "b", &s2);
	for (i = 0; i < 3; i++) {
		uint8_t d[32];

		digest_of((uint64_t)i, d);
		dg_db_builder_add(b, d, DG_DB_SHA256, s1, "/x");
		dg_db_builder_add(b, d, DG_DB_SHA256, s2, "/y");
	}
	err = dg_db_builder_image(b, 1, DGDB_VERSION, &img, &len, msg, sizeof(msg));
	dg_db_builder_free(b);
	CHECK(err == 0 && dgdb_get64(img + H_MORE_COUNT) == 3, "%s", msg);
	if (err)
		return;
	refs_off = dgdb_get64(img + H_REFS_OFF);
	first_ref = dgdb_get32(img + refs_off);
	for (i = 0; i < (int)(sizeof(cases) / sizeof(cases[0])); i++) {
		struct dg_db *db = NULL;
		uint32_t v = cases[i].value == -1 ? first_ref :
			     cases[i].value == -2 ? (uint32_t)dgdb_get64(img + H_STRINGS_SIZE) :
			     (uint32_t)cases[i].value;

		bad = malloc(len);
		memcpy(bad, img, len);
		more_mutate(bad, cases[i].slot, cases[i].field, v);
		write_all(tpath("more-bad.dgdb"), bad, len);
		free(bad);
		err = dg_db_open(tpath("more-bad.dgdb"), &db, msg, sizeof(msg));
		CHECK(err == 0, "%s: %s", cases[i].what, msg);
		if (err)
			continue;
		msg[0] = '\0';
		CHECK(dg_db_verify(db, msg, sizeof(msg)) == -EBADMSG, "%s: verify passed", cases[i].what);
		printf("# %s: %s\n", cases[i].what, msg);
		dg_db_close(db);
	}
	free(img);
}

/* What dg_db_verify() passes, a merge can store: names no import writes
 * (a newline in a path or a source name) are refused. */
TEST(test_db_verify_refuses_names_no_import_stores)
{
	static const char *const what[] = { "/usr/bin/abc", "pkg-one" };
	size_t w;

	for (w = 0; w < 2; w++) {
		struct dg_db_builder *b = dg_db_builder_new(DG_DB_SHA256);
		struct dg_db *db = NULL;
		uint8_t *img = NULL, *at, d[32];
		uint64_t size;
		size_t len;
		uint32_t s1;
		int err;

		dg_db_builder_add_source(b, "pkg-one", &s1);
		digest_of(3, d);
		dg_db_builder_add(b, d, DG_DB_SHA256, s1, "/usr/bin/abc");
		err = dg_db_builder_image(b, 1, DGDB_VERSION, &img, &len, msg, sizeof(msg));
		dg_db_builder_free(b);
		CHECK(err == 0, "%s", msg);
		if (err)
			continue;
		at = memmem(img, len, what[w], strlen(what[w]) + 1);
		CHECK(at != NULL, "%s not in the image", what[w]);
		if (!at) {
			free(img);
			continue;
		}
		at[3] = '\n';
		size = dgdb_get64(img + H_FILE_SIZE);
		dg_sha256(img + DGDB_HEADER_SIZE, size - DGDB_HEADER_SIZE, img + H_BODY_HASH);
		dg_db_seal_header(img);
		write_all(tpath("names.dgdb"), img, len);
		free(img);
		err = dg_db_open(tpath("names.dgdb"), &db, msg, sizeof(msg));
		CHECK(err == 0, "%s", msg);
		if (err)
			continue;
		msg[0] = '\0';
		CHECK(dg_db_verify(db, msg, sizeof(msg)) == -EBADMSG && strstr(msg, "no import stores"),
		      "a newline in %s: verify said '%s'", w ? "a source name" : "a path", msg);
		dg_db_close(db);
	}
}

TEST(test_db_entry_without_path_reports_empty_path)
{
	struct dg_db_builder *b = dg_db_builder_new(DG_DB_SHA256);
	struct dg_db *db = NULL;
	const char *pkg = NULL, *path = NULL;
	dg_db_ref ref;
	uint8_t d[32];
	uint32_t s1, s2;
	int err;

	dg_db_builder_add_source(b, "one", &s1);
	dg_db_builder_add_source(b, "two", &s2);
	digest_of(5, d);
	dg_db_builder_add(b, d, DG_DB_SHA256, s2, NULL);
	err = dg_db_builder_write(b, tpath("nopath.dgdb"), 1, msg, sizeof(msg));
	dg_db_builder_free(b);
	err = err ? err : dg_db_open(tpath("nopath.dgdb"), &db, msg, sizeof(msg));
	CHECK(err == 0, "%s", msg);
	if (err)
		return;
	CHECK(dg_db_lookup(db, d, &ref) == 1 && dg_db_source(db, ref, &pkg, &path) == 0,
	      "lookup failed");
	CHECK(pkg && !strcmp(pkg, "two") && path && !*path, "got '%s' '%s'", pkg, path);
	CHECK(dg_db_source(db, 0xffffffffu, &pkg, &path) == -EBADMSG,
	      "reference outside the string table accepted");
	dg_db_close(db);
}

/* Many versions of a package ship the same paths: stored once, linked after. */
TEST(test_db_same_path_in_several_sources_is_stored_once)
{
	static const char path[] = "/usr/lib64/libexample.so.1.2.3";
	struct dg_db_builder *b = dg_db_builder_new(DG_DB_SHA256);
	struct dg_db *db = NULL;
	uint8_t *img = NULL;
	size_t len = 0, copies = 0, i;
	uint32_t s[5];
	int k, good = 0, err;

	for (k = 0; k < 5; k++) {
		char name[64];
		uint8_t d[32];

		snprintf(name, sizeof(name), "example-1.%d-1.x86_64", k);
		dg_db_builder_add_source(b, name, &s[k]);
		digest_of(1000 + (uint64_t)k, d);
		dg_db_builder_add(b, d, DG_DB_SHA256, s[k], path);
	}
	err = dg_db_builder_write(b, tpath("links.dgdb"), 1, msg, sizeof(msg));
	dg_db_builder_free(b);
	err = err ? err : dg_db_open(tpath("links.dgdb"), &db, msg, sizeof(msg));
	CHECK(err == 0, "%s", msg);
	if (err)
		return;
	for (k = 0; k < 5; k++) {
		const char *pkg, *p;
		char want[64];
		uint8_t d[32];
		dg_db_ref ref;

		digest_of(1000 + (uint64_t)k, d);
		snprintf(want, sizeof(want), "example-1.%d-1.x86_64", k);
		if (dg_db_lookup(db, d, &ref) == 1 && !dg_db_source(db, ref, &pkg, &p) &&
		    !strcmp(pkg, want) && !strcmp(p, path))
			good++;
	}
	CHECK(good == 5, "%d of 5 entries resolved to their package and the shared path", good);
	CHECK(dg_db_verify(db, msg, sizeof(msg)) == 0, "verify: %s", msg);
	dg_db_close(db);
	tap_read_file(tpath("links.dgdb"), &img, &len);
	for (i = 0; img && i + sizeof(path) <= len; i++)
		copies += !memcmp(img + i, path, sizeof(path) - 1);
	free(img);
	CHECK(copies == 1, "path stored %zu times", copies);
}

TEST(test_db_builder_rejects_bad_names_and_other_algorithms)
{
	struct dg_db_builder *b = dg_db_builder_new(DG_DB_SHA256);
	uint8_t d[32] = { 1 };
	uint32_t s;

	CHECK(dg_db_builder_add_source(b, "", &s) == -EINVAL, "empty source name accepted");
	CHECK(dg_db_builder_add_source(b, "a\nb", &s) == -EINVAL, "newline in name accepted");
	CHECK(dg_db_builder_add_source(b, "ok", &s) == 0, "good name rejected");
	CHECK(dg_db_builder_add(b, d, (enum dg_db_algo)2, s, NULL) == -EOPNOTSUPP,
	      "other algorithm accepted");
	CHECK(dg_db_builder_add(b, d, DG_DB_SHA256, s + 1, NULL) == -EINVAL,
	      "unknown source id accepted");
	CHECK(dg_db_builder_add(b, d, DG_DB_SHA256, s, "/x\n") == -EINVAL,
	      "newline in path accepted");
	CHECK(dg_db_builder_add(b, d, DG_DB_SHA256, s, "\001x") == -EINVAL,
	      "path starting with the link marker accepted");
	CHECK(dg_db_builder_new((enum dg_db_algo)9) == NULL, "builder for unknown algorithm");
	dg_db_builder_free(b);
}

static void cut_to_header(uint8_t *img, size_t *len) { (void)img; *len = 100; }
static void cut_last_byte(uint8_t *img, size_t *len) { (void)img; *len -= 1; }
static void cut_to_zero(uint8_t *img, size_t *len) { (void)img; *len = 0; }
static void add_trailing(uint8_t *img, size_t *len) { img[*len] = 0; *len += 1; }
static void bad_magic(uint8_t *img, size_t *len) { (void)len; img[0] = 'X'; }
static void flip_header_byte(uint8_t *img, size_t *len) { (void)len; img[H_COUNT] ^= 1; }
static void bad_version(uint8_t *img, size_t *len)
{
	(void)len;
	dgdb_put32(img + H_VERSION, 99);
	rehash_header(img);
}
static void huge_count(uint8_t *img, size_t *len)
{
	(void)len;
	dgdb_put64(img + H_COUNT, 1ull << 40);
	rehash_header(img);
}
static void count_past_file(uint8_t *img, size_t *len)
{
	(void)len;
	dgdb_put64(img + H_COUNT, 1u << 20);
	rehash_header(img);
}
static void strings_off_past_end(uint8_t *img, size_t *len)
{
	(void)len;
	dgdb_put64(img + H_STRINGS_OFF, ~0ull - 3);
	rehash_header(img);
}
static void sections_overlap(uint8_t *img, size_t *len)
{
	(void)len;
	dgdb_put64(img + H_REFS_OFF, DGDB_HEADER_SIZE);
	rehash_header(img);
}
static void huge_index_bits(uint8_t *img, size_t *len)
{
	(void)len;
	dgdb_put32(img + H_INDEX_BITS, 40);
	rehash_header(img);
}
static void unterminated_strings(uint8_t *img, size_t *len)
{
	img[*len - 1] = 'x';
}

TEST(test_db_open_rejects_truncated_files_with_a_message)
{
	int err = open_mutated(cut_to_header);

	CHECK(err == -ENODATA && strstr(msg, "truncated"), "header cut: %d %s", err, msg);
	err = open_mutated(cut_last_byte);
	CHECK(err == -ENODATA && strstr(msg, "truncated"), "last byte cut: %d %s", err, msg);
	err = open_mutated(cut_to_zero);
	CHECK(err == -ENODATA && strstr(msg, "bad.dgdb"), "empty: %d %s", err, msg);
}

TEST(test_db_open_rejects_trailing_data)
{
	int err = open_mutated(add_trailing);

	CHECK(err == -EBADMSG && strstr(msg, "trailing"), "%d %s", err, msg);
}

TEST(test_db_open_rejects_bad_magic)
{
	int err = open_mutated(bad_magic);

	CHECK(err == -EBADMSG && strstr(msg, "not a digestguard database"), "%d %s", err, msg);
}

TEST(test_db_open_rejects_corrupt_header_checksum)
{
	int err = open_mutated(flip_header_byte);

	CHECK(err == -EBADMSG && strstr(msg, "header checksum"), "%d %s", err, msg);
}

TEST(test_db_open_rejects_unsupported_version)
{
	int err = open_mutated(bad_version);

	CHECK(err == -EOPNOTSUPP && strstr(msg, "version 99"), "%d %s", err, msg);
}

TEST(test_db_open_rejects_header_fields_beyond_the_file)
{
	int err = open_mutated(huge_count);

	CHECK(err == -E2BIG && strstr(msg, "exceeds limit"), "count 2^40: %d %s", err, msg);
	err = open_mutated(count_past_file);
	CHECK(err == -EBADMSG && strstr(msg, "section"), "count past file: %d %s", err, msg);
	err = open_mutated(strings_off_past_end);
	CHECK(err == -EBADMSG && strstr(msg, "section"), "strings offset: %d %s", err, msg);
	err = open_mutated(sections_overlap);
	CHECK(err == -EBADMSG && strstr(msg, "section"), "overlap: %d %s", err, msg);
	err = open_mutated(huge_index_bits);
	CHECK(err == -E2BIG, "index bits 40: %d %s", err, msg);
	err = open_mutated(unterminated_strings);
	CHECK(err == -EBADMSG && strstr(msg, "string table"), "strings: %d %s", err, msg);
}

TEST(test_db_open_of_missing_database_says_so)
{
	struct dg_db *db = NULL;
	int err;

	mkdir(tpath("nostate"), 0755);
	err = dg_db_open(tpath("nostate"), &db, msg, sizeof(msg));
	CHECK(err == -ENOENT && strstr(msg, "no database"), "%d %s", err, msg);
	CHECK(db == NULL, "handle returned on failure");
}

/*
 * Every single-byte corruption of the body of a small database either
 * fails dg_db_verify() or leaves lookups working; none crashes (ASan).
 */
TEST(test_db_corrupt_body_never_crashes_and_verify_catches_it)
{
	const char *good = tpath("good2.dgdb"), *bad = tpath("bad2.dgdb");
	uint8_t *img;
	size_t len, off;
	unsigned caught = 0, opened = 0;

	if (build_file(good, 64, 1) || tap_read_file(good, &img, &len)) {
		CHECK(0, "build failed: %s", msg);
		return;
	}
	for (off = DGDB_HEADER_SIZE; off < len; off += 3) {
		struct dg_db *db = NULL;
		uint64_t i;

		img[off] ^= 0x5a;
		write_all(bad, img, len);
		img[off] ^= 0x5a;
		if (dg_db_open(bad, &db, msg, sizeof(msg)))
			continue;
		opened++;
		for (i = 0; i < 70; i++) {
			uint8_t d[32];
			dg_db_ref ref;
			const char *pkg, *path;

			digest_of(i, d);
			if (dg_db_lookup(db, d, &ref) == 1 && !dg_db_source(db, ref, &pkg, &path))
				(void)(strlen(pkg) + strlen(path));
		}
		if (dg_db_verify(db, msg, sizeof(msg)))
			caught++;
		dg_db_close(db);
	}
	free(img);
	CHECK(opened > 0 && caught == opened, "verify missed %u of %u corruptions",
	      opened - caught, opened);
}

static int count_files(const char *dir, const char *needle)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strstr(de->d_name, needle))
			n++;
	closedir(d);
	return n;
}

static int commit_n(const char *state, uint64_t first, uint64_t n, unsigned flags,
		    uint64_t *gen)
{
	struct dg_db_builder *b = dg_db_builder_new(DG_DB_SHA256);
	uint32_t s;
	uint64_t i;
	int err;

	dg_db_builder_add_source(b, "local", &s);
	for (i = first; i < first + n; i++) {
		uint8_t d[32];

		digest_of(i, d);
		dg_db_builder_add(b, d, DG_DB_SHA256, s, "/p");
	}
	err = dg_db_builder_commit(b, state, flags, gen, msg, sizeof(msg));
	dg_db_builder_free(b);
	return err;
}

TEST(test_db_commit_refuses_an_empty_state_dir_name)
{
	uint64_t gen = 0;
	int err;

	msg[0] = '\0';
	err = commit_n("", 0, 1, 0, &gen);
	CHECK(err == -EINVAL, "got %d %s", err, msg);
	CHECK(strstr(msg, "state directory") && strstr(msg, "empty"), "reason: %s", msg);
}

/* The generations are numbered from the directory's listing: one that
 * breaks off must stop the commit, not number from what was read. */
TEST(test_db_commit_stops_when_the_state_dir_cannot_be_listed)
{
	char state[sizeof(tmpdir) + 32];
	uint64_t gen = 0;
	int err;

	snprintf(state, sizeof(state), "%s/readdir-eio", tmpdir);
	CHECK(mkdir(state, 0700) == 0, "%s: %s", state, strerror(errno));
	CHECK(commit_n(state, 0, 1, 0, &gen) == 0 && gen == 1, "first commit: %s", msg);
	readdir_fails = 1;
	err = commit_n(state, 1, 1, DG_DB_COMMIT_MERGE, &gen);
	readdir_fails = 0;
	CHECK(err == -EIO && strstr(msg, state) && strstr(msg, strerror(EIO)),
	      "got %d: %s", err, msg);
	CHECK(commit_n(state, 1, 1, DG_DB_COMMIT_MERGE, &gen) == 0 && gen == 2,
	      "then, listed again: generation %llu: %s", (unsigned long long)gen, msg);
}

TEST(test_db_reader_notices_a_new_generation_and_switches)
{
	const char *state = tpath("state-switch");
	struct dg_db *db = NULL;
	struct dg_db_stats st;
	uint8_t d0[32], d1[32];
	uint64_t gen = 0;
	int err;

	digest_of(100, d0);
	digest_of(200, d1);
	err = commit_n(state, 100, 10, 0, &gen);
	CHECK(err == 0 && gen == 1, "first commit: %d gen %llu %s", err,
	      (unsigned long long)gen, msg);
	err = dg_db_open(state, &db, msg, sizeof(msg));
	CHECK(err == 0, "open: %s", msg);
	if (err)
		return;
	CHECK(dg_db_changed(db) == 0, "unchanged state reported changed");
	CHECK(dg_db_reopen(&db, msg, sizeof(msg)) == 0, "reopen without change switched");
	err = commit_n(state, 200, 10, 0, &gen);
	CHECK(err == 0 && gen == 2, "second commit: %d gen %llu", err, (unsigned long long)gen);
	CHECK(dg_db_changed(db) == 1, "new generation not noticed");
	/* the old mapping still answers until we switch */
	CHECK(dg_db_lookup(db, d0, NULL) == 1 && dg_db_lookup(db, d1, NULL) == 0,
	      "old generation changed under the reader");
	CHECK(dg_db_reopen(&db, msg, sizeof(msg)) == 1, "reopen did not switch: %s", msg);
	dg_db_stats(db, &st);
	CHECK(st.generation == 2, "generation %llu after switch", (unsigned long long)st.generation);
	CHECK(dg_db_lookup(db, d0, NULL) == 0 && dg_db_lookup(db, d1, NULL) == 1,
	      "replace commit kept old entries or lost new ones");
	dg_db_close(db);
}

/*
 * A generation rewritten in place (cp over it, a restore from backup) keeps
 * its inode: the reader must still notice, or it goes on trusting header
 * fields it validated for other bytes under the same mapping.
 */
TEST(test_db_reader_notices_a_generation_rewritten_in_place)
{
	const char *file = tpath("inplace.dgdb"), *other = tpath("inplace-new.dgdb");
	struct dg_db *db = NULL;
	struct dg_db_stats st;
	uint8_t *img = NULL;
	size_t len = 0;
	int err;

	CHECK(build_file(file, 100, 1) == 0 && build_file(other, 100, 2) == 0 &&
	      tap_read_file(other, &img, &len) == 0, "building: %s", msg);
	err = dg_db_open(file, &db, msg, sizeof(msg));
	CHECK(err == 0, "open: %s", msg);
	if (err || !img) {
		free(img);
		return;
	}
	usleep(20000);	/* past the coarse clock tick of file timestamps */
	write_all(file, img, len);	/* same size, same inode */
	free(img);
	CHECK(dg_db_changed(db) == 1, "in-place rewrite not noticed");
	CHECK(dg_db_reopen(&db, msg, sizeof(msg)) == 1, "reopen did not switch: %s", msg);
	dg_db_stats(db, &st);
	CHECK(st.generation == 2, "generation %llu after rewrite", (unsigned long long)st.generation);
	dg_db_close(db);
}

TEST(test_db_commit_merge_keeps_the_previous_entries)
{
	const char *state = tpath("state-merge");
	struct dg_db *db = NULL;
	struct dg_db_stats st;
	uint64_t gen, i, found = 0;
	int err;

	commit_n(state, 0, 500, 0, &gen);
	err = commit_n(state, 400, 500, DG_DB_COMMIT_MERGE, &gen);
	CHECK(err == 0, "merge commit: %s", msg);
	err = dg_db_open(state, &db, msg, sizeof(msg));
	CHECK(err == 0, "open: %s", msg);
	if (err)
		return;
	dg_db_stats(db, &st);
	CHECK(st.count == 900 && st.generation == 2, "count %llu gen %llu",
	      (unsigned long long)st.count, (unsigned long long)st.generation);
	for (i = 0; i < 900; i++) {
		uint8_t d[32];

		digest_of(i, d);
		found += dg_db_lookup(db, d, NULL);
	}
	CHECK(found == 900, "%llu of 900 found", (unsigned long long)found);
	CHECK(dg_db_verify(db, msg, sizeof(msg)) == 0, "verify: %s", msg);
	dg_db_close(db);
}

/* What the current generation of @state holds; 0 if it opens and verifies. */
static int state_stats(const char *state, struct dg_db_stats *st)
{
	struct dg_db *db = NULL;
	int err = dg_db_open(state, &db, msg, sizeof(msg));

	if (!err)
		err = dg_db_stats(db, st);
	if (!err)
		err = dg_db_verify(db, msg, sizeof(msg));
	dg_db_close(db);
	return err;
}

/*
 * A version 1 `current` merges into version 2, every old entry kept; the
 * same import again adds nothing: the next generation has the same size.
 */
TEST(test_db_commit_merge_turns_version_1_into_2_and_repeats_add_nothing)
{
	const char *state = tpath("state-v1");
	struct dg_db_builder *b = dg_db_builder_new(DG_DB_SHA256);
	struct dg_db_stats st2, st3;
	uint8_t *img = NULL, d[32];
	size_t len;
	uint32_t s;
	uint64_t gen = 0, i;
	int err;

	dg_db_builder_add_source(b, "old-1-1.noarch", &s);
	for (i = 0; i < 50; i++) {
		digest_of(i, d);
		dg_db_builder_add(b, d, DG_DB_SHA256, s, "/usr/share/old");
	}
	err = dg_db_builder_image(b, 1, 1, &img, &len, msg, sizeof(msg));
	dg_db_builder_free(b);
	mkdir(state, 0755);
	CHECK(err == 0 && !write_all(tpath("state-v1/gen-0000000000000001.dgdb"), img, len) &&
	      !symlink("gen-0000000000000001.dgdb", tpath("state-v1/current")), "setup: %s", msg);
	free(img);
	for (i = 0; i < 2 && !err; i++) {
		b = dg_db_builder_new(DG_DB_SHA256);
		dg_db_builder_add_source(b, "local", &s);
		digest_of(7, d);	/* an old digest at a new path */
		dg_db_builder_add(b, d, DG_DB_SHA256, s, "/opt/copy");
		digest_of(1000, d);
		dg_db_builder_add(b, d, DG_DB_SHA256, s, "/opt/new");
		err = dg_db_builder_commit(b, state, DG_DB_COMMIT_MERGE, &gen, msg, sizeof(msg));
		dg_db_builder_free(b);
		CHECK(err == 0, "merge %llu: %s", (unsigned long long)i, msg);
		err = err ? err : state_stats(state, i ? &st3 : &st2);
	}
	CHECK(err == 0 && gen == 3, "%s (generation %llu)", msg, (unsigned long long)gen);
	if (err)
		return;
	CHECK(st2.version == 2 && st2.count == 51 && st2.references == 52,
	      "version %u count %llu references %llu", st2.version,
	      (unsigned long long)st2.count, (unsigned long long)st2.references);
	CHECK(st3.count == st2.count && st3.references == st2.references &&
	      st3.file_size == st2.file_size, "second merge grew: %llu -> %llu bytes",
	      (unsigned long long)st2.file_size, (unsigned long long)st3.file_size);
}

TEST(test_db_commit_prunes_to_the_last_generations_and_stale_temp_files)
{
	const char *state = tpath("state-prune");
	char stale[300];
	uint64_t gen = 0;
	int i, fd;

	for (i = 0; i < 6; i++)
		commit_n(state, (uint64_t)i, 1, 0, &gen);
	CHECK(gen == 6, "generation %llu after 6 commits", (unsigned long long)gen);
	CHECK(count_files(state, ".dgdb") == DG_DB_KEEP, "%d generation files kept",
	      count_files(state, ".dgdb"));
	snprintf(stale, sizeof(stale), "%s/gen-0000000000000007.dgdb.tmp.abcdef", state);
	fd = open(stale, O_CREAT | O_WRONLY, 0644);
	if (fd >= 0)
		close(fd);
	CHECK(count_files(state, ".tmp.") == 1, "stale temp file not created");
	commit_n(state, 9, 1, 0, &gen);
	CHECK(count_files(state, ".tmp.") == 0, "stale temp file left behind");
	CHECK(gen == 7, "generation %llu", (unsigned long long)gen);
}

TEST(test_db_reopen_keeps_the_old_generation_when_the_new_one_is_corrupt)
{
	const char *state = tpath("state-corrupt");
	char cur[300];
	struct dg_db *db = NULL;
	uint8_t d[32];
	uint64_t gen;
	FILE *f;
	int err;

	commit_n(state, 0, 10, 0, &gen);
	err = dg_db_open(state, &db, msg, sizeof(msg));
	CHECK(err == 0, "open: %s", msg);
	if (err)
		return;
	/* someone points current at garbage */
	snprintf(cur, sizeof(cur), "%s/garbage", state);
	f = fopen(cur, "w");
	fputs("not a database at all, but long enough to pass the size check ......"
	      "...................................................................."
	      "....................................................................", f);
	fclose(f);
	snprintf(cur, sizeof(cur), "%s/current", state);
	unlink(cur);
	CHECK(symlink("garbage", cur) == 0, "symlink");
	err = dg_db_reopen(&db, msg, sizeof(msg));
	CHECK(err == -EBADMSG && strstr(msg, "bad magic"), "reopen: %d %s", err, msg);
	digest_of(3, d);
	CHECK(dg_db_lookup(db, d, NULL) == 1, "old generation lost after a failed reopen");
	dg_db_close(db);
}

TEST(test_db_commit_merge_refuses_a_corrupt_current)
{
	const char *state = tpath("state-refuse");
	char cur[300];
	uint64_t gen;
	int err, fd;

	commit_n(state, 0, 10, 0, &gen);
	snprintf(cur, sizeof(cur), "%s/gen-0000000000000001.dgdb", state);
	fd = open(cur, O_WRONLY);
	CHECK(fd >= 0 && write(fd, "XX", 2) == 2, "corrupting");
	if (fd >= 0)
		close(fd);
	err = commit_n(state, 20, 10, DG_DB_COMMIT_MERGE, &gen);
	CHECK(err == -EBADMSG && strstr(msg, "--replace"), "%d %s", err, msg);
	err = commit_n(state, 20, 10, 0, &gen);
	CHECK(err == 0 && gen == 2, "replace after corruption: %d %s", err, msg);
}

/*
 * One flipped bit in the digest table leaves the file openable (the header
 * checksum covers only the header): a merge must verify the whole current
 * generation, not copy the damaged digest into a freshly sealed one.
 */
TEST(test_db_commit_merge_refuses_a_flipped_digest_in_the_current)
{
	const char *state = tpath("state-flip");
	char cur[300];
	uint8_t d[32], *img = NULL, *hit;
	struct dg_db *db = NULL;
	struct stat st;
	uint64_t gen;
	size_t len;
	int err;

	commit_n(state, 0, 10, 0, &gen);
	snprintf(cur, sizeof(cur), "%s/gen-0000000000000001.dgdb", state);
	digest_of(3, d);
	if (tap_read_file(cur, &img, &len) || !(hit = memmem(img, len, d, 32))) {
		CHECK(0, "digest 3 not found in %s", cur);
		free(img);
		return;
	}
	hit[7] ^= 0x01;
	write_all(cur, img, len);
	free(img);
	err = dg_db_open(state, &db, msg, sizeof(msg));
	CHECK(err == 0, "the damaged file should still open: %s", msg);
	if (!err)
		CHECK(dg_db_verify(db, msg, sizeof(msg)) == -EBADMSG, "verify missed the flip");
	dg_db_close(db);
	err = commit_n(state, 20, 10, DG_DB_COMMIT_MERGE, &gen);
	CHECK(err == -EBADMSG && strstr(msg, "damaged current generation") && strstr(msg, "--replace"),
	      "merge into a damaged current: %d %s", err, msg);
	snprintf(cur, sizeof(cur), "%s/gen-0000000000000002.dgdb", state);
	CHECK(stat(cur, &st) < 0 && errno == ENOENT, "a generation 2 was written");
}

TEST(test_db_commit_nonempty_refuses_an_empty_generation)
{
	const char *state = tpath("state-empty");
	char cur[300];
	struct stat st;
	uint64_t gen = 0;
	int err;

	err = commit_n(state, 0, 0, DG_DB_COMMIT_NONEMPTY, &gen);
	CHECK(err == -ENODATA && strstr(msg, "no digest"), "empty first commit: %d %s", err, msg);
	err = commit_n(state, 0, 5, DG_DB_COMMIT_NONEMPTY, &gen);
	CHECK(err == 0 && gen == 1, "non-empty commit: %d %s", err, msg);
	/* merged with the current, the new generation is not empty */
	err = commit_n(state, 0, 0, DG_DB_COMMIT_NONEMPTY | DG_DB_COMMIT_MERGE, &gen);
	CHECK(err == 0 && gen == 2, "empty input merged: %d %s", err, msg);
	/* replace with nothing: refused, generation 2 stays current */
	err = commit_n(state, 0, 0, DG_DB_COMMIT_NONEMPTY, &gen);
	CHECK(err == -ENODATA, "empty replace: %d %s", err, msg);
	snprintf(cur, sizeof(cur), "%s/gen-0000000000000003.dgdb", state);
	CHECK(stat(cur, &st) < 0, "generation 3 written");
	/* without the flag an empty generation is still possible */
	err = commit_n(state, 0, 0, 0, &gen);
	CHECK(err == 0 && gen == 3, "empty replace without the flag: %d %s", err, msg);
}

TEST(test_db_refuses_a_state_dir_others_can_write)
{
	const char *state = tpath("state-open");
	struct dg_db *db = NULL;
	uint64_t gen;
	int err;

	commit_n(state, 0, 3, 0, &gen);
	chmod(state, 0777);
	err = commit_n(state, 5, 3, 0, &gen);
	CHECK(err == -EPERM && strstr(msg, "writable by other users"), "commit: %d %s", err, msg);
	err = dg_db_open(state, &db, msg, sizeof(msg));
	CHECK(err == -EPERM && strstr(msg, "state-open"), "open: %d %s", err, msg);
	dg_db_close(db);
	chmod(state, 0755);
	err = dg_db_open(state, &db, msg, sizeof(msg));
	CHECK(err == 0, "open after chmod 0755: %s", msg);
	dg_db_close(db);
}

TEST(test_db_open_does_not_hang_on_a_fifo_as_current)
{
	const char *state = tpath("state-fifo");
	char cur[300];
	struct dg_db *db = NULL;
	int err;

	mkdir(state, 0755);
	snprintf(cur, sizeof(cur), "%s/current", state);
	CHECK(mkfifo(cur, 0644) == 0, "mkfifo");
	alarm(10);	/* watchdog: a blocking open() would hang here */
	err = dg_db_open(state, &db, msg, sizeof(msg));
	alarm(0);
	CHECK(err == -EBADMSG && strstr(msg, "not a regular file"), "%d %s", err, msg);
}

/*
 * A writer commits generation after generation while this process opens
 * `current` over and over: every open must succeed and see a complete,
 * verified generation (never missing, never half written).
 */
TEST(test_db_readers_never_see_a_partial_generation)
{
	const char *state = tpath("state-race");
	uint64_t gen, opens = 0, bad = 0;
	pid_t pid;
	int status = 0;

	commit_n(state, 0, 2000, 0, &gen);
	pid = fork();
	if (pid == 0) {
		int i, err = 0;

		alarm(60);
		for (i = 1; i <= 12 && !err; i++)
			err = commit_n(state, (uint64_t)i * 100, 2000, 0, &gen);
		_exit(err ? 1 : 0);
	}
	CHECK(pid > 0, "fork");
	if (pid <= 0)
		return;
	alarm(60);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		struct dg_db *db = NULL;
		struct dg_db_stats st;

		opens++;
		if (dg_db_open(state, &db, msg, sizeof(msg)) ||
		    dg_db_verify(db, msg, sizeof(msg))) {
			if (!bad++)
				printf("# %s\n", msg);
		} else {
			dg_db_stats(db, &st);
			if (st.count != 2000 && !bad++)
				printf("# generation %llu has %llu entries\n",
				       (unsigned long long)st.generation,
				       (unsigned long long)st.count);
		}
		dg_db_close(db);
	}
	alarm(0);
	printf("# %llu opens while 12 generations were committed\n", (unsigned long long)opens);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer failed");
	CHECK(bad == 0 && opens > 0, "%llu of %llu opens saw a broken database",
	      (unsigned long long)bad, (unsigned long long)opens);
	gen = 0;
	{
		struct dg_db *db = NULL;
		struct dg_db_stats st;

		if (!dg_db_open(state, &db, msg, sizeof(msg))) {
			dg_db_stats(db, &st);
			gen = st.generation;
		}
		dg_db_close(db);
	}
	CHECK(gen == 13, "final generation %llu, expected 13", (unsigned long long)gen);
}

TEST(test_db_hash_file_matches_sha256)
{
	const char *p = tpath("hashme");
	uint8_t d[32], want[32];

	write_all(p, (const uint8_t *)"abc", 3);
	CHECK(dg_db_hash_file(p, d) == 0, "hash failed");
	dg_sha256("abc", 3, want);
	CHECK(!memcmp(d, want, 32), "digest differs");
	CHECK(d[0] == 0xba && d[1] == 0x78 && d[31] == 0xad, "not SHA-256(\"abc\") (FIPS 180-2 B.1)");
	CHECK(dg_db_hash_file(tpath("missing"), d) == -ENOENT, "missing file hashed");
}

/*
 * Read-only shared file mappings (what dg_db_open() makes) get a PROT_NONE
 * guard page right after them: a read past the end of a file whose size is
 * a multiple of the page size then faults, which ASan cannot see in a file
 * mapping (the rest of the last page reads as zeros, and the next page is
 * often another mapping).  This executable's mmap() is the one the
 * statically linked reader calls; everything else is passed through.
 */
static unsigned guarded_maps;

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	long pg = sysconf(_SC_PAGESIZE);

	if (fd >= 0 && !addr && !off && prot == PROT_READ && (flags & MAP_SHARED) && len) {
		size_t span = (len + (size_t)pg - 1) / (size_t)pg * (size_t)pg;
		long base = syscall(SYS_mmap, NULL, span + (size_t)pg, PROT_NONE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (base == -1)
			return MAP_FAILED;
		guarded_maps++;
		return (void *)syscall(SYS_mmap, base, len, prot, flags | MAP_FIXED, fd, off);
	}
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

/*
 * A small image with every section in use: several sources, digests with
 * further references (`more`), entries without a path, and paths shared
 * between sources (link records).  @version 1 gets one reference per
 * digest (version 1 has no `more`).  Padded (one path's length) to a
 * multiple of the page size, so the guard page follows its last byte.
 */
static int build_rich_image_pad(uint32_t version, size_t pad, uint8_t **img, size_t *len)
{
	struct dg_db_builder *b = dg_db_builder_new(DG_DB_SHA256);
	char padpath[DG_DB_NAME_MAX + 1];
	uint8_t d[32];
	uint32_t s[3];
	uint64_t i;
	int err;

	if (!b)
		return -ENOMEM;
	err = dg_db_builder_add_source(b, "one-1-1.noarch", &s[0]);
	err = err ? err : dg_db_builder_add_source(b, "two-2-2.x86_64", &s[1]);
	err = err ? err : dg_db_builder_add_source(b, DG_DB_SOURCE_LOCAL, &s[2]);
	for (i = 0; i < 24 && !err; i++) {
		char path[64];

		digest_of(i, d);
		snprintf(path, sizeof(path), "/usr/lib/x86_64-linux-gnu/ld-%llu.so",
			 (unsigned long long)(i % 7));
		err = dg_db_builder_add(b, d, DG_DB_SHA256, s[i % 3], i % 5 ? path : NULL);
		if (!err && version >= 2 && i % 4 == 0)
			err = dg_db_builder_add(b, d, DG_DB_SHA256, s[(i + 1) % 3], path);
		if (!err && version >= 2 && i % 8 == 0)
			err = dg_db_builder_add(b, d, DG_DB_SHA256, s[(i + 2) % 3], "/bin/sh");
	}
	memset(padpath, 'p', pad);
	padpath[0] = '/';
	padpath[pad] = '\0';
	digest_of(1000, d);
	if (!err)
		err = dg_db_builder_add(b, d, DG_DB_SHA256, s[2], padpath);
	if (!err)
		err = dg_db_builder_image(b, 5, version, img, len, msg, sizeof(msg));
	dg_db_builder_free(b);
	return err;
}

static int build_rich_image(uint32_t version, uint8_t **img, size_t *len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), pad = 1;
	int tries, err = 0;

	for (tries = 0; tries < 4; tries++) {
		err = build_rich_image_pad(version, pad, img, len);
		if (err || *len % pg == 0)
			return err;
		free(*img);
		*img = NULL;
		pad += pg - *len % pg;
		if (pad > DG_DB_NAME_MAX)
			pad -= pg;	/* cannot grow that far: drop a page instead */
	}
	snprintf(msg, sizeof(msg), "no padding makes a multiple of the page size");
	return -EINVAL;
}

/* The guard page works: a read right after such a file's mapping faults. */
TEST(test_db_guard_page_after_the_mapping_faults)
{
	const char *f = tpath("guard.dgdb");
	struct dg_db *db = NULL;
	uint8_t *img = NULL, *map;
	size_t len;
	pid_t pid;
	int fd, st = 0;

	if (build_rich_image(DGDB_VERSION, &img, &len)) {
		CHECK(0, "build: %s", msg);
		return;
	}
	write_all(f, img, len);
	free(img);
	guarded_maps = 0;
	CHECK(dg_db_open(f, &db, msg, sizeof(msg)) == 0 && guarded_maps == 1,
	      "open %s, %u guarded maps", msg, guarded_maps);
	dg_db_close(db);
	fd = open(f, O_RDONLY);
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	CHECK(map != MAP_FAILED, "mmap: %s", strerror(errno));
	if (map == MAP_FAILED)
		return;
	pid = fork();
	if (pid == 0) {
		volatile uint8_t c = map[len - 1];
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, 2);	/* no ASan SEGV report in the TAP output */

		c = map[len];	/* the first byte past the file */
		(void)c;
		_exit(0);
	}
	waitpid(pid, &st, 0);
	/* SIGSEGV; under ASan its SEGV report, then SIGABRT (abort_on_error)
	 * or exit status 1.  Only a read that worked gets to _exit(0). */
	CHECK(pid > 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0),
	      "a read past the file did not fault (status %d)", st);
	munmap(map, len);
}

/*
 * Everything a reader of an opened database may call, over every entry,
 * reference and source, plus absent digests at both ends of the key space.
 * Under ASan/UBSan (the build-asan run of this test) a read outside the
 * mapping or an overflow stops the test.
 */
static void exercise(const struct dg_db *db)
{
	static const uint8_t edges[3][32] = { { 0 }, { [0 ... 31] = 0xff }, { [0] = 0x80 } };
	struct dg_db_stats st;
	const char *pkg, *path;
	const uint8_t *d;
	dg_db_ref ref;
	uint64_t i, k, at;
	uint32_t si;
	size_t sink = 0;

	dg_db_stats(db, &st);
	for (i = 0; i < st.count; i++) {
		if (dg_db_entry(db, i, &d, &ref) < 0)
			break;
		(void)dg_db_find(db, d, &at);
		if (dg_db_lookup(db, d, &ref) == 1 && !dg_db_source(db, ref, &pkg, &path))
			sink += strlen(pkg) + strlen(path);
		for (k = 0; k <= st.references && !dg_db_entry_ref(db, i, k, &ref); k++)
			if (!dg_db_source(db, ref, &pkg, &path))
				sink += strlen(pkg) + strlen(path);
	}
	for (si = 0; si < st.sources && !dg_db_source_name(db, si, &pkg); si++)
		sink += strlen(pkg);
	for (i = 0; i < 3; i++)
		(void)dg_db_lookup(db, edges[i], &ref);
	for (i = 0; i < 40; i++) {
		uint8_t a[32];

		digest_of(i, a);
		if (dg_db_lookup(db, a, &ref) == 1 && !dg_db_source(db, ref, &pkg, &path))
			sink += strlen(pkg) + strlen(path);
	}
	(void)dg_db_verify(db, msg, sizeof(msg));
	(void)sink;
}

/*
 * Open @img[0..len) as a file; on success exercise it.  Returns the open's
 * result; a refusal must name the file.
 */
static int open_image(const uint8_t *img, size_t len, unsigned *unnamed)
{
	const char *bad = tpath("mut.dgdb");
	struct dg_db *db = NULL;
	int err;

	write_all(bad, img, len);
	msg[0] = '\0';
	err = dg_db_open(bad, &db, msg, sizeof(msg));
	if (err) {
		if (!strstr(msg, "mut.dgdb"))
			(*unnamed)++;
		return err;
	}
	exercise(db);
	dg_db_close(db);
	return 0;
}

/* Every truncation of a real file (v1 and v2) is refused, naming the file. */
TEST(test_db_every_truncation_is_refused_naming_the_file)
{
	uint32_t v;

	for (v = 1; v <= DGDB_VERSION; v++) {
		unsigned opened = 0, unnamed = 0;
		uint8_t *img = NULL;
		size_t len, cut;

		if (build_rich_image(v, &img, &len)) {
			CHECK(0, "build v%u: %s", v, msg);
			continue;
		}
		for (cut = 0; cut < len; cut++)
			if (open_image(img, cut, &unnamed) == 0)
				opened++;
		CHECK(opened == 0 && unnamed == 0,
		      "version %u, %zu bytes: %u truncations opened, %u refusals without the file name",
		      v, len, opened, unnamed);
		CHECK(open_image(img, len, &unnamed) == 0, "the whole file: %s", msg);
		free(img);
	}
}

/*
 * Every header byte changed (three ways) and the header checksum made to
 * match again, as a writer with a bug or a forger would: each result is
 * refused naming the file or opens and reads within the mapping.  Then
 * every header field set to values around the file's edges and the
 * 32/64-bit limits.
 */
TEST(test_db_resealed_header_corruption_never_reads_outside_the_file)
{
	static const uint8_t flips[] = { 0x01, 0x80, 0xff };
	static const unsigned fields32[] = { H_VERSION, H_HEADER_SIZE, H_ALGO, H_DIGEST_LEN,
					     H_INDEX_BITS, H_SOURCE_COUNT };
	static const unsigned fields64[] = { H_GENERATION, H_COUNT, H_FILE_SIZE, H_DIGESTS_OFF,
					     H_REFS_OFF, H_INDEX_OFF, H_SOURCES_OFF, H_STRINGS_OFF,
					     H_STRINGS_SIZE, H_FPS_OFF, H_MORE_OFF, H_MORE_COUNT };
	uint32_t v;

	for (v = 1; v <= DGDB_VERSION; v++) {
		unsigned opened = 0, refused = 0, unnamed = 0;
		uint32_t hash_at = v == 1 ? H_HEADER_HASH_V1 : H_HEADER_HASH;
		uint8_t *img = NULL, *work;
		size_t len, off, f, x;

		if (build_rich_image(v, &img, &len)) {
			CHECK(0, "build v%u: %s", v, msg);
			continue;
		}
		work = malloc(len);
		for (off = 0; off < hash_at; off++) {
			for (f = 0; f < sizeof(flips); f++) {
				memcpy(work, img, len);
				work[off] ^= flips[f];
				dg_db_seal_header(work);
				if (open_image(work, len, &unnamed) == 0)
					opened++;
				else
					refused++;
			}
		}
		for (f = 0; f < sizeof(fields32) / sizeof(fields32[0]) + sizeof(fields64) / sizeof(fields64[0]); f++) {
			int wide = f >= sizeof(fields32) / sizeof(fields32[0]);
			unsigned at = wide ? fields64[f - sizeof(fields32) / sizeof(fields32[0])] : fields32[f];
			const uint64_t vals[] = { 0, 1, 2, 4, 7, 8, 31, 32, 33, len - 8, len - 1, len, len + 1,
						  len + 8, 1ull << 31, UINT32_MAX - 3, UINT32_MAX,
						  1ull << 32, (1ull << 32) + 8, 1ull << 63, UINT64_MAX - 7,
						  UINT64_MAX };

			if (wide && at + 8 > hash_at)
				continue;	/* H_MORE_* are the v1 checksum */
			for (x = 0; x < sizeof(vals) / sizeof(vals[0]); x++) {
				memcpy(work, img, len);
				if (wide)
					dgdb_put64(work + at, vals[x]);
				else
					dgdb_put32(work + at, (uint32_t)vals[x]);
				dg_db_seal_header(work);
				if (open_image(work, len, &unnamed) == 0)
					opened++;
				else
					refused++;
			}
		}
		printf("# version %u: %u resealed header changes opened, %u refused\n", v, opened,
		       refused);
		CHECK(unnamed == 0 && refused > 0 && opened > 0,
		      "version %u: %u opened, %u refused, %u refusals without the file name",
		      v, opened, refused, unnamed);
		free(work);
		free(img);
	}
}

/*
 * Every body byte of a file with further references and link records
 * changed: no read outside the mapping, and dg_db_verify() (what a merge
 * runs) catches each change that opens.
 */
TEST(test_db_every_body_byte_corruption_is_caught_by_verify)
{
	uint8_t *img = NULL;
	size_t len, off;
	unsigned opened = 0, missed = 0, unnamed = 0;

	if (build_rich_image(DGDB_VERSION, &img, &len)) {
		CHECK(0, "build: %s", msg);
		return;
	}
	for (off = DGDB_HEADER_SIZE; off < len; off++) {
		const char *bad = tpath("mut.dgdb");
		struct dg_db *db = NULL;

		img[off] ^= 0xa5;
		write_all(bad, img, len);
		img[off] ^= 0xa5;
		if (dg_db_open(bad, &db, msg, sizeof(msg))) {
			if (!strstr(msg, "mut.dgdb"))
				unnamed++;
			continue;
		}
		opened++;
		exercise(db);
		if (dg_db_verify(db, msg, sizeof(msg)) == 0)
			missed++;
		dg_db_close(db);
	}
	free(img);
	CHECK(opened > 0 && missed == 0 && unnamed == 0,
	      "verify missed %u of %u corruptions; %u refusals without the file name",
	      missed, opened, unnamed);
}

int main(void)
{
	char cmd[300];
	int rc;

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	RUN(test_db_empty_database_opens_and_finds_nothing);
	RUN(test_db_commit_stops_when_the_state_dir_cannot_be_listed);
	RUN(test_db_lookup_finds_every_present_digest_with_its_source);
	RUN(test_db_lookup_rejects_absent_digests_and_near_misses);
	RUN(test_db_first_and_last_possible_digests_are_found);
	RUN(test_db_digests_sharing_a_64bit_prefix_are_told_apart);
	RUN(test_db_duplicate_digest_lookup_gives_its_first_source);
	RUN(test_db_digest_of_several_sources_keeps_every_reference);
	RUN(test_db_reads_format_version_1);
	RUN(test_db_verify_checks_further_references);
	RUN(test_db_verify_refuses_names_no_import_stores);
	RUN(test_db_entry_without_path_reports_empty_path);
	RUN(test_db_same_path_in_several_sources_is_stored_once);
	RUN(test_db_builder_rejects_bad_names_and_other_algorithms);
	RUN(test_db_open_rejects_truncated_files_with_a_message);
	RUN(test_db_open_rejects_trailing_data);
	RUN(test_db_open_rejects_bad_magic);
	RUN(test_db_open_rejects_corrupt_header_checksum);
	RUN(test_db_open_rejects_unsupported_version);
	RUN(test_db_open_rejects_header_fields_beyond_the_file);
	RUN(test_db_open_of_missing_database_says_so);
	RUN(test_db_corrupt_body_never_crashes_and_verify_catches_it);
	RUN(test_db_guard_page_after_the_mapping_faults);
	RUN(test_db_every_truncation_is_refused_naming_the_file);
	RUN(test_db_resealed_header_corruption_never_reads_outside_the_file);
	RUN(test_db_every_body_byte_corruption_is_caught_by_verify);
	RUN(test_db_reader_notices_a_new_generation_and_switches);
	RUN(test_db_reader_notices_a_generation_rewritten_in_place);
	RUN(test_db_commit_merge_keeps_the_previous_entries);
	RUN(test_db_commit_merge_turns_version_1_into_2_and_repeats_add_nothing);
	RUN(test_db_commit_prunes_to_the_last_generations_and_stale_temp_files);
	RUN(test_db_reopen_keeps_the_old_generation_when_the_new_one_is_corrupt);
	RUN(test_db_commit_merge_refuses_a_corrupt_current);
	RUN(test_db_commit_merge_refuses_a_flipped_digest_in_the_current);
	RUN(test_db_commit_nonempty_refuses_an_empty_generation);
	RUN(test_db_refuses_a_state_dir_others_can_write);
	RUN(test_db_open_does_not_hang_on_a_fifo_as_current);
	RUN(test_db_readers_never_see_a_partial_generation);
	RUN(test_db_hash_file_matches_sha256);
	RUN(test_db_commit_refuses_an_empty_state_dir_name);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	rc = system(cmd);
	(void)rc;
	return tap_done();
}

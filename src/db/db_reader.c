// SPDX-License-Identifier: MIT
/*
 * Reading a database generation: map read-only, validate the header against
 * the file size before trusting any offset, look digests up.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <digestguard/db.h>

#include "cleanup.h"
#include "db_format.h"
#include "db_internal.h"
#include "filever.h"
#include "sha256.h"

struct dg_db {
	uint8_t *map;
	size_t size;
	char *open_arg;		/* what the caller passed (dir or file) */
	char *watch;		/* path stat()ed for changes: DIR/current or the file */
	char *path;		/* the mapped file, symlinks resolved */
	struct stat st;		/* of the mapped file when opened (dg_db_changed) */
	/* validated header fields and section pointers */
	uint64_t generation, build_time, count, strings_size, more_count;
	uint32_t version, header_size, algo, digest_len, index_bits, nsources;
	const uint8_t *digests;
	const uint32_t *refs;
	const uint32_t *more;		/* pairs: entry, ref (version 2) */
	const uint32_t *index;
	const uint16_t *fps;
	const uint32_t *sources;	/* pairs: name_off, region_start */
	const char *strings;
};

const char *dg_db_algo_name(uint32_t algo)
{
	switch (algo) {
	case DG_DB_SHA256: return "sha256";
	default: return "unknown";
	}
}

/* [off, off + n * elem) lies inside [lo, size), aligned; end stored in @end. */
static int section_ok(uint64_t off, uint64_t n, uint64_t elem, uint64_t lo,
		      uint64_t size, uint64_t *end)
{
	uint64_t len;

	if (off < lo || off > size || off % 4)
		return 0;
	if (elem && n > (size - off) / elem)
		return 0;
	len = n * elem;
	*end = off + len;
	return 1;
}

static int validate(struct dg_db *db, const char *name, char *msg, size_t msglen)
{
	const uint8_t *h = db->map;
	uint8_t hash[32];
	uint64_t file_size, digests_off, refs_off, index_off, fps_off, more_off = 0;
	uint64_t sources_off, strings_off, end, nindex;
	uint32_t i, version, header_size, want_size, hash_at;

	if (db->size < DGDB_HEADER_SIZE_V1) {
		dg_errf(msg, msglen, 0, "%s: truncated: %zu bytes, the header alone needs %d",
			  name, db->size, DGDB_HEADER_SIZE_V1);
		return -ENODATA;
	}
	if (memcmp(h + H_MAGIC, DGDB_MAGIC, DGDB_MAGIC_LEN)) {
		dg_errf(msg, msglen, 0, "%s: not a digestguard database (bad magic)", name);
		return -EBADMSG;
	}
	version = dgdb_get32(h + H_VERSION);
	if (version != 1 && version != DGDB_VERSION) {
		dg_errf(msg, msglen, 0, "%s: database format version %u not supported (this build reads 1 and %d)",
			  name, version, DGDB_VERSION);
		return -EOPNOTSUPP;
	}
	want_size = version == 1 ? DGDB_HEADER_SIZE_V1 : DGDB_HEADER_SIZE;
	hash_at = version == 1 ? H_HEADER_HASH_V1 : H_HEADER_HASH;
	header_size = dgdb_get32(h + H_HEADER_SIZE);
	if (header_size != want_size) {
		dg_errf(msg, msglen, 0, "%s: header size %u, expected %u for version %u", name,
			  header_size, want_size, version);
		return -EBADMSG;
	}
	if (db->size < header_size) {
		dg_errf(msg, msglen, 0, "%s: truncated: %zu bytes, the header alone needs %u",
			  name, db->size, header_size);
		return -ENODATA;
	}
	db->version = version;
	db->header_size = header_size;
	dg_sha256(h, hash_at, hash);
	if (memcmp(hash, h + hash_at, 16)) {
		dg_errf(msg, msglen, 0, "%s: header checksum mismatch (corrupt header)", name);
		return -EBADMSG;
	}
	file_size = dgdb_get64(h + H_FILE_SIZE);
	if (file_size > db->size) {
		dg_errf(msg, msglen, 0, "%s: truncated: %zu bytes, header says %llu",
			  name, db->size, (unsigned long long)file_size);
		return -ENODATA;
	}
	if (file_size < db->size) {
		dg_errf(msg, msglen, 0, "%s: %zu bytes, header says %llu (trailing data)",
			  name, db->size, (unsigned long long)file_size);
		return -EBADMSG;
	}
	db->algo = dgdb_get32(h + H_ALGO);
	db->digest_len = dgdb_get32(h + H_DIGEST_LEN);
	if (db->algo != DG_DB_SHA256 || db->digest_len != DG_DB_SHA256_LEN) {
		dg_errf(msg, msglen, 0, "%s: digest algorithm %u length %u not supported",
			  name, db->algo, db->digest_len);
		return -EOPNOTSUPP;
	}
	db->generation = dgdb_get64(h + H_GENERATION);
	db->build_time = dgdb_get64(h + H_BUILD_TIME);
	db->count = dgdb_get64(h + H_COUNT);
	db->index_bits = dgdb_get32(h + H_INDEX_BITS);
	db->nsources = dgdb_get32(h + H_SOURCE_COUNT);
	db->strings_size = dgdb_get64(h + H_STRINGS_SIZE);
	if (version >= 2) {
		more_off = dgdb_get64(h + H_MORE_OFF);
		db->more_count = dgdb_get64(h + H_MORE_COUNT);
	}
	if (db->count >= DGDB_COUNT_MAX || db->more_count >= DGDB_COUNT_MAX) {
		dg_errf(msg, msglen, 0, "%s: digest count %llu (further references %llu) exceeds limit %llu",
			name, (unsigned long long)db->count, (unsigned long long)db->more_count,
			DGDB_COUNT_MAX - 1);
		return -E2BIG;
	}
	if (db->index_bits > DGDB_INDEX_BITS_MAX) {
		dg_errf(msg, msglen, 0, "%s: index bits %u exceed limit %d", name,
			  db->index_bits, DGDB_INDEX_BITS_MAX);
		return -E2BIG;
	}
	if (db->nsources > DGDB_SOURCES_MAX) {
		dg_errf(msg, msglen, 0, "%s: source count %u exceeds limit %u", name,
			  db->nsources, DGDB_SOURCES_MAX);
		return -E2BIG;
	}
	if (db->strings_size == 0 || db->strings_size > DGDB_STRINGS_MAX) {
		dg_errf(msg, msglen, 0, "%s: string table size %llu outside 1..%llu", name,
			  (unsigned long long)db->strings_size, DGDB_STRINGS_MAX);
		return -EBADMSG;
	}
	digests_off = dgdb_get64(h + H_DIGESTS_OFF);
	refs_off = dgdb_get64(h + H_REFS_OFF);
	index_off = dgdb_get64(h + H_INDEX_OFF);
	fps_off = dgdb_get64(h + H_FPS_OFF);
	sources_off = dgdb_get64(h + H_SOURCES_OFF);
	strings_off = dgdb_get64(h + H_STRINGS_OFF);
	nindex = (1ull << db->index_bits) + 1;
	/* Sections in order, each inside the file and after the previous one. */
	end = header_size;
	if (!section_ok(digests_off, db->count, db->digest_len, end, file_size, &end) ||
	    !section_ok(refs_off, db->count, 4, end, file_size, &end) ||
	    !section_ok(index_off, nindex, 4, end, file_size, &end) ||
	    !section_ok(fps_off, db->count, 2, end, file_size, &end) ||
	    (version >= 2 && !section_ok(more_off, db->more_count, 8, end, file_size, &end)) ||
	    !section_ok(sources_off, db->nsources, 8, end, file_size, &end) ||
	    !section_ok(strings_off, db->strings_size, 1, end, file_size, &end)) {
		dg_errf(msg, msglen, 0, "%s: section offsets outside the file or out of order (corrupt header)",
			  name);
		return -EBADMSG;
	}
	db->digests = db->map + digests_off;
	db->refs = (const uint32_t *)(db->map + refs_off);
	db->index = (const uint32_t *)(db->map + index_off);
	db->fps = (const uint16_t *)(db->map + fps_off);
	db->more = (const uint32_t *)(db->map + more_off);
	db->sources = (const uint32_t *)(db->map + sources_off);
	db->strings = (const char *)(db->map + strings_off);
	if (db->strings[db->strings_size - 1] != '\0') {
		dg_errf(msg, msglen, 0, "%s: string table not terminated", name);
		return -EBADMSG;
	}
	/* Sources: names inside the table, regions ascending (dg_db_source
	 * bisects them).  O(sources), a few thousand. */
	for (i = 0; i < db->nsources; i++) {
		uint32_t name_off = db->sources[2 * i], start = db->sources[2 * i + 1];

		if (name_off >= db->strings_size || start >= db->strings_size ||
		    (i && start <= db->sources[2 * i - 1])) {
			dg_errf(msg, msglen, 0, "%s: source %u: offsets outside the string table or out of order",
				  name, i);
			return -EBADMSG;
		}
	}
	return 0;
}

/* The file to map for @arg: DIR/current for a directory, else @arg. */
static int resolve(const char *arg, char **watch, char *msg, size_t msglen)
{
	struct stat st;

	if (stat(arg, &st) < 0) {
		int err = -errno;

		dg_errf(msg, msglen, 0, "%s: %s", arg, strerror(errno));
		return err;
	}
	if (S_ISDIR(st.st_mode)) {
		int err = dg_db_state_safe(arg, &st, msg, msglen);

		if (err)
			return err;
		if (asprintf(watch, "%s/current", arg) < 0)
			return -ENOMEM;
	} else {
		*watch = strdup(arg);
		if (!*watch)
			return -ENOMEM;
	}
	return 0;
}

int dg_db_open(const char *path, struct dg_db **out, char *msg, size_t msglen)
{
	_cleanup_close_ int fd = -1;
	struct dg_db *db;
	struct stat st;
	void *map;
	int err;

	*out = NULL;
	db = calloc(1, sizeof(*db));
	if (!db)
		return -ENOMEM;
	db->open_arg = strdup(path);
	if (!db->open_arg) {
		err = -ENOMEM;
		goto fail;
	}
	err = resolve(path, &db->watch, msg, msglen);
	if (err)
		goto fail;
	/* O_NONBLOCK: a FIFO planted as `current` must not hang us. */
	fd = open(db->watch, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		char to[256];
		ssize_t tn;

		err = -errno;
		if (errno == ENOENT &&
		    (tn = readlink(db->watch, to, sizeof(to) - 1)) > 0) {
			/* A link to nothing is a damaged database, not none. */
			to[tn] = '\0';
			err = -EBADMSG;
			dg_errf(msg, msglen, 0, "%s points at %s, which does not exist (restore it, "
				"or start a fresh database with 'digestguard db import --replace')",
				db->watch, to);
		} else if (err == -ENOENT)
			dg_errf(msg, msglen, 0, "%s: no database (run 'digestguard db import' first)",
				  path);
		else
			dg_errf(msg, msglen, 0, "%s: %s", db->watch, strerror(errno));
		goto fail;
	}
	if (fstat(fd, &st) < 0) {
		err = -errno;
		dg_errf(msg, msglen, 0, "%s: %s", db->watch, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EBADMSG;
		dg_errf(msg, msglen, 0, "%s: not a regular file", db->watch);
		goto fail;
	}
	db->st = st;
	db->path = realpath(db->watch, NULL);
	if (!db->path)
		db->path = strdup(db->watch);
	if (!db->path) {
		err = -ENOMEM;
		goto fail;
	}
	if ((uint64_t)st.st_size > SIZE_MAX || st.st_size == 0) {
		err = st.st_size ? -E2BIG : -ENODATA;
		dg_errf(msg, msglen, 0, "%s: %s", db->path,
			  st.st_size ? "file too large to map" : "empty file (truncated)");
		goto fail;
	}
	db->size = (size_t)st.st_size;
	map = mmap(NULL, db->size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		err = -errno;
		dg_errf(msg, msglen, 0, "%s: mmap: %s", db->path, strerror(errno));
		goto fail;
	}
	db->map = map;
	err = validate(db, db->path, msg, msglen);
	if (err)
		goto fail;
	*out = db;
	return 0;
fail:
	dg_db_close(db);
	return err;
}

void dg_db_close(struct dg_db *db)
{
	if (!db)
		return;
	if (db->map)
		munmap(db->map, db->size);
	free(db->open_arg);
	free(db->watch);
	free(db->path);
	free(db);
}

/* Any bucket, any fingerprint collisions: compare every digest in it. */
static int lookup_slow(const struct dg_db *db, const uint8_t *digest, uint64_t lo,
		       uint64_t hi, uint64_t *at)
{
	uint64_t i;

	for (i = lo; i < hi; i++) {
		if (!memcmp(db->digests + i * DG_DB_SHA256_LEN, digest, DG_DB_SHA256_LEN)) {
			*at = i;
			return 1;
		}
	}
	return 0;
}

/*
 * Top index_bits bits -> a bucket of ~4-8 entries -> count the 16-bit
 * fingerprints below the key's (2 bytes per entry, usually one cache line,
 * and the fingerprint array is small enough to stay cached) -> only on a
 * fingerprint match, compare the 32-byte digest.  An absent digest rarely
 * touches the digest table at all.  Index values are clamped: a damaged
 * index can give a wrong answer, never a read outside the tables.
 */
static inline int lookup_at(const struct dg_db *db, const uint8_t *digest, uint64_t *at)
{
	uint64_t key = dgdb_prefix64(digest);
	uint64_t k = db->index_bits ? key >> (64 - db->index_bits) : 0;
	uint16_t kfp = dgdb_fp(key, db->index_bits);
	uint64_t lo = db->index[k], hi = db->index[k + 1], pos, i;

	hi = hi < db->count ? hi : db->count;
	lo = lo < hi ? lo : hi;
	pos = lo;
	for (i = lo; i < hi; i++)
		pos += db->fps[i] < kfp;
	if (pos >= hi || db->fps[pos] != kfp)
		return 0;
	if (!memcmp(db->digests + pos * DG_DB_SHA256_LEN, digest, DG_DB_SHA256_LEN)) {
		*at = pos;
		return 1;
	}
	/* Same fingerprint, other digest: the rest of the run (rare). */
	return lookup_slow(db, digest, pos + 1, hi, at);
}

int dg_db_lookup(const struct dg_db *db, const uint8_t *digest, dg_db_ref *ref)
{
	uint64_t at;

	if (!lookup_at(db, digest, &at))
		return 0;
	if (ref)
		*ref = db->refs[at];
	return 1;
}

int dg_db_find(const struct dg_db *db, const uint8_t *digest, uint64_t *i)
{
	uint64_t at;

	return lookup_at(db, digest, i ? i : &at);
}

int dg_db_source_index(const struct dg_db *db, dg_db_ref ref, uint32_t *idx)
{
	uint32_t lo = 0, hi = db->nsources;

	if (ref >= db->strings_size || !db->nsources || ref < db->sources[1])
		return -EBADMSG;
	/* last source whose region starts at or before ref */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (db->sources[2 * mid + 1] <= ref)
			lo = mid;
		else
			hi = mid;
	}
	*idx = lo;
	return 0;
}

int dg_db_source(const struct dg_db *db, dg_db_ref ref, const char **pkg,
		 const char **path)
{
	uint32_t s, target = ref;
	int err = dg_db_source_index(db, ref, &s);

	if (err)
		return err;
	if ((uint8_t)db->strings[ref] == DGDB_PATH_LINK) {
		/* a path stored once for several sources (db_format.h) */
		if (db->strings_size - ref < DGDB_PATH_LINK_LEN)
			return -EBADMSG;
		target = dgdb_get32((const uint8_t *)db->strings + ref + 1);
		if (target >= db->strings_size ||
		    (uint8_t)db->strings[target] == DGDB_PATH_LINK)
			return -EBADMSG;
	}
	if (pkg)
		*pkg = db->strings + db->sources[2 * s];
	if (path)
		*path = db->strings + target;
	return 0;
}

int dg_db_stats(const struct dg_db *db, struct dg_db_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->generation = db->generation;
	st->count = db->count;
	st->build_time = db->build_time;
	st->file_size = db->size;
	st->algo = db->algo;
	st->digest_len = db->digest_len;
	st->sources = db->nsources;
	st->index_bits = db->index_bits;
	st->strings_size = db->strings_size;
	st->references = db->count + db->more_count;
	st->version = db->version;
	memcpy(st->sources_hash, db->map + H_SOURCES_HASH, 32);
	return 0;
}

const char *dg_db_path(const struct dg_db *db)
{
	return db->path;
}

int dg_db_entry(const struct dg_db *db, uint64_t i, const uint8_t **digest,
		dg_db_ref *ref)
{
	if (i >= db->count)
		return -ERANGE;
	if (digest)
		*digest = db->digests + i * db->digest_len;
	if (ref)
		*ref = db->refs[i];
	return 0;
}

/* First index in `more` whose entry is >= @i. */
static uint64_t more_lower_bound(const struct dg_db *db, uint64_t i)
{
	uint64_t lo = 0, hi = db->more_count;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (db->more[2 * mid] < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int dg_db_entry_ref(const struct dg_db *db, uint64_t i, uint64_t k, dg_db_ref *ref)
{
	uint64_t m;

	if (i >= db->count)
		return -ERANGE;
	if (k == 0) {
		*ref = db->refs[i];
		return 0;
	}
	m = more_lower_bound(db, i) + (k - 1);
	if (m >= db->more_count || m < k - 1 || db->more[2 * m] != i)
		return -ERANGE;
	*ref = db->more[2 * m + 1];
	return 0;
}

int dg_db_source_name(const struct dg_db *db, uint32_t i, const char **name)
{
	if (i >= db->nsources)
		return -ERANGE;
	*name = db->strings + db->sources[2 * i];
	return 0;
}

/* @ref resolves (inside the table, a valid link) to a storable path (empty:
 * an entry without one). */
static int ref_ok(const struct dg_db *db, dg_db_ref ref)
{
	const char *p;

	return !dg_db_source(db, ref, NULL, &p) &&
	       dg_db_name_ok(p, db->strings_size - (size_t)(p - db->strings), NULL);
}

/* The further references: ascending (entry, ref) pairs, each a valid
 * reference of an existing entry and not its first one again. */
static int verify_more(const struct dg_db *db, char *msg, size_t msglen)
{
	uint64_t m;

	for (m = 0; m < db->more_count; m++) {
		uint32_t e = db->more[2 * m], r = db->more[2 * m + 1];

		if (e >= db->count || r == db->refs[e] ||
		    (m && (db->more[2 * m - 2] > e ||
			   (db->more[2 * m - 2] == e && db->more[2 * m - 1] >= r)))) {
			dg_errf(msg, msglen, 0, "%s: further reference %llu (digest %u) out of order, repeated or past the digests",
				db->path, (unsigned long long)m, e);
			return -EBADMSG;
		}
		if (!ref_ok(db, r)) {
			dg_errf(msg, msglen, 0, "%s: digest %u: source reference %u outside the string table, a bad link or a path no import stores",
				db->path, e, r);
			return -EBADMSG;
		}
	}
	return 0;
}

int dg_db_verify(const struct dg_db *db, char *msg, size_t msglen)
{
	uint8_t hash[32];
	uint64_t i, nb = 1ull << db->index_bits;
	uint64_t b = 0;

	dg_sha256(db->map + db->header_size, db->size - db->header_size, hash);
	if (memcmp(hash, db->map + H_BODY_HASH, 32)) {
		dg_errf(msg, msglen, 0, "%s: body checksum mismatch (corrupt file)", db->path);
		return -EBADMSG;
	}
	/* What verifies can be merged: names an import would store. */
	for (i = 0; i < db->nsources; i++) {
		uint32_t off = db->sources[2 * i];
		size_t len;

		if (!dg_db_name_ok(db->strings + off, db->strings_size - off, &len) || !len) {
			dg_errf(msg, msglen, 0, "%s: source %llu: a name no import stores (empty, a newline, over %d bytes)",
				db->path, (unsigned long long)i, DG_DB_NAME_MAX);
			return -EBADMSG;
		}
	}
	for (i = 0; i < db->count; i++) {
		const uint8_t *d = db->digests + i * db->digest_len;
		uint64_t k = db->index_bits ? dgdb_prefix64(d) >> (64 - db->index_bits) : 0;

		if (db->fps[i] != dgdb_fp(dgdb_prefix64(d), db->index_bits)) {
			dg_errf(msg, msglen, 0, "%s: fingerprint of digest %llu wrong",
				  db->path, (unsigned long long)i);
			return -EBADMSG;
		}
		if (i && memcmp(d - db->digest_len, d, db->digest_len) >= 0) {
			dg_errf(msg, msglen, 0, "%s: digest %llu out of order or duplicate",
				  db->path, (unsigned long long)i);
			return -EBADMSG;
		}
		while (b <= k) {	/* index[b] must be the first digest of bucket >= b */
			if (db->index[b] != i) {
				dg_errf(msg, msglen, 0, "%s: prefix index entry %llu wrong",
					  db->path, (unsigned long long)b);
				return -EBADMSG;
			}
			b++;
		}
		if (!ref_ok(db, db->refs[i])) {
			dg_errf(msg, msglen, 0, "%s: digest %llu: source reference %u outside the string table, a bad link or a path no import stores",
				  db->path, (unsigned long long)i, db->refs[i]);
			return -EBADMSG;
		}
	}
	for (; b <= nb; b++) {
		if (db->index[b] != db->count) {
			dg_errf(msg, msglen, 0, "%s: prefix index entry %llu wrong",
				  db->path, (unsigned long long)b);
			return -EBADMSG;
		}
	}
	return verify_more(db, msg, msglen);
}

void dg_db_release_pages(const struct dg_db *db)
{
	/* A shared, read-only file mapping: MADV_DONTNEED only drops our
	 * page table entries; the file's pages and their data stay. */
	(void)madvise(db->map, db->size, MADV_DONTNEED);
}

int dg_db_changed(const struct dg_db *db)
{
	struct stat st;

	if (stat(db->watch, &st) < 0)
		return -errno;
	return !dg_same_file_version(&st, &db->st);
}

int dg_db_reopen(struct dg_db **dbp, char *msg, size_t msglen)
{
	struct dg_db *fresh;
	int err = dg_db_changed(*dbp);

	if (err <= 0) {
		if (err < 0)
			dg_errf(msg, msglen, 0, "%s: %s", (*dbp)->watch, strerror(-err));
		return err;
	}
	err = dg_db_open((*dbp)->open_arg, &fresh, msg, msglen);
	if (err)
		return err;
	dg_db_close(*dbp);
	*dbp = fresh;
	return 1;
}

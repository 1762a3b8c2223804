/* SPDX-License-Identifier: MIT */
/*
 * The digest database (DESIGN.md §6, docs/db.md).
 *
 * A state directory (default /var/lib/digestguard, overridden by --state or
 * $DIGESTGUARD_STATE) holds one file per generation, gen-NNNNNNNNNNNNNNNN.dgdb,
 * and a symlink `current` naming the newest one.  A writer builds a new file
 * under a temporary name, fsyncs it, renames it to its generation name,
 * then renames a fresh symlink over `current` and fsyncs the directory: a
 * reader sees either the old or the new generation, never a half-written one.
 * The last DG_DB_KEEP generations are kept; older ones are pruned.
 *
 * A file holds a sorted table of fixed-width SHA-256 digests, a prefix index
 * over it, one 32-bit source reference per digest, the further references
 * of digests that several sources or paths hold, a source table (package
 * "name-version-release.arch", or "local") and a string table with the
 * paths, deduplicated per source.  Readers mmap the file read-only and
 * validate the header against the file size before trusting any offset.
 *
 * All functions return 0 (or a non-negative value) on success and a negative
 * errno on failure: -EBADMSG corrupt file, -E2BIG over a limit, -EOPNOTSUPP
 * unsupported algorithm/version, -ENODATA truncated file, -ENOENT no database.
 * Functions taking @msg/@msglen (both may be NULL/0) write a one-line reason
 * naming the file there on failure.
 */
#ifndef DIGESTGUARD_DB_H
#define DIGESTGUARD_DB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct dg_db;		/* opaque: an open, mapped generation */
struct dg_db_builder;	/* opaque: a generation being built */

/* Digest algorithms.  A database holds one algorithm (fixed-width table). */
enum dg_db_algo {
	DG_DB_SHA256 = 1,
};

#define DG_DB_SHA256_LEN	32
#define DG_DB_DIGEST_MAX	32
/* Default state directory and the environment variable overriding it. */
#define DG_DB_STATE_DEFAULT	"/var/lib/digestguard"
#define DG_DB_STATE_ENV		"DIGESTGUARD_STATE"
/* Generations kept in the state directory after a commit. */
#define DG_DB_KEEP		3
/* Source name recorded for `db import --local`. */
#define DG_DB_SOURCE_LOCAL	"local"

/* A reference to the source of one digest (package and path); 32 bits. */
typedef uint32_t dg_db_ref;

/*
 * The state directory to use: @opt if not NULL (from --state), else
 * $DIGESTGUARD_STATE if set and non-empty, else DG_DB_STATE_DEFAULT.
 */
const char *dg_db_state_dir(const char *opt);

/* ---- building a generation ---- */

/* A new, empty builder for @algo (only DG_DB_SHA256 for now); NULL on ENOMEM. */
struct dg_db_builder *dg_db_builder_new(enum dg_db_algo algo);

/*
 * Register a source (package "name-version-release.arch", or "local") and
 * store its id in @id.  Registering the same name again returns the same id.
 * Names are 1..DG_DB_NAME_MAX bytes without NUL or newline.
 */
#define DG_DB_NAME_MAX		4096
int dg_db_builder_add_source(struct dg_db_builder *b, const char *name, uint32_t *id);

/*
 * Add one digest of @algo (must match the builder's) from source @source_id
 * found at @path (may be NULL: no path recorded; at most DG_DB_NAME_MAX
 * bytes).  A digest added from several sources or at several paths keeps
 * each (source, path) once; the first added is the reference
 * dg_db_lookup() gives, the others follow it (dg_db_entry_ref()).
 */
int dg_db_builder_add(struct dg_db_builder *b, const uint8_t *digest,
		      enum dg_db_algo algo, uint32_t source_id, const char *path);

/* Copy every entry, with all its references, and every source of @db
 * into @b (same algorithm). */
int dg_db_builder_merge(struct dg_db_builder *b, const struct dg_db *db);

/* Entries added so far (before deduplication). */
size_t dg_db_builder_count(const struct dg_db_builder *b);

/* Flags for dg_db_builder_commit(). */
/* Under the state lock, first merge the entries of the current generation:
 * the new generation holds old + new (what `db import` does by default). */
#define DG_DB_COMMIT_MERGE	(1u << 0)
/* Refuse (-ENODATA, nothing written) a generation that would hold no
 * digest: `db import --replace` of an input that yielded nothing must not
 * empty the live database (`--allow-empty` clears this flag). */
#define DG_DB_COMMIT_NONEMPTY	(1u << 1)

/*
 * Write the builder's entries as a new generation into @state_dir (created
 * if missing, mode 0755), atomically switch `current` to it, fsync the
 * directory, prune generations older than the last DG_DB_KEEP and stale
 * temporary files.  Writers are serialised by flock() on @state_dir/lock.
 * With DG_DB_COMMIT_MERGE the current generation is checked whole with
 * dg_db_verify() first and a damaged one is refused (-EBADMSG): merging
 * would re-seal its damage as a valid new generation.
 * On any error `current` still names the previous generation.  The new
 * generation number goes to @generation (may be NULL).
 */
int dg_db_builder_commit(struct dg_db_builder *b, const char *state_dir,
			 unsigned int flags, uint64_t *generation,
			 char *msg, size_t msglen);

/*
 * Write the builder's entries as a standalone database file at @path
 * (temporary file + fsync + rename), with generation number @generation.
 */
int dg_db_builder_write(struct dg_db_builder *b, const char *path,
			uint64_t generation, char *msg, size_t msglen);

void dg_db_builder_free(struct dg_db_builder *b);

/* ---- reading ---- */

/*
 * Open a database: @path is a state directory (its `current` is opened) or
 * a database file.  The file is mapped read-only and its header validated
 * against the file size; a corrupt or truncated file fails with a reason in
 * @msg, never a crash.  Open + first lookup takes well under a millisecond.
 */
int dg_db_open(const char *path, struct dg_db **out, char *msg, size_t msglen);

void dg_db_close(struct dg_db *db);

/*
 * Look up @digest (dg_db_stats().digest_len bytes).  Returns 1 and stores
 * the source reference in @ref (may be NULL) when present, 0 when absent.
 * Safe on any mapped file: a damaged index can give a wrong answer, never
 * an out-of-bounds read (dg_db_verify() detects damage).
 */
int dg_db_lookup(const struct dg_db *db, const uint8_t *digest, dg_db_ref *ref);

/*
 * Resolve @ref into its source name (@pkg) and path (@path, "" if none was
 * recorded); either out pointer may be NULL.  The strings live in the
 * mapping: valid until dg_db_close().  -EBADMSG for a reference outside
 * the file.
 */
int dg_db_source(const struct dg_db *db, dg_db_ref ref, const char **pkg,
		 const char **path);

struct dg_db_stats {
	uint64_t generation;
	uint64_t count;		/* distinct digests */
	uint64_t build_time;	/* seconds since the epoch (SOURCE_DATE_EPOCH if set) */
	uint64_t file_size;
	uint32_t algo;		/* enum dg_db_algo */
	uint32_t digest_len;
	uint32_t sources;	/* source table entries */
	uint32_t index_bits;	/* prefix index: 2^index_bits buckets */
	uint64_t strings_size;	/* bytes of source names and paths */
	uint64_t references;	/* (digest, source, path) entries: count + the further ones */
	uint32_t version;	/* file format version */
	uint8_t sources_hash[32];	/* SHA-256 of the sorted source names, '\n'-joined */
};

int dg_db_stats(const struct dg_db *db, struct dg_db_stats *st);

/* Name of an algorithm ("sha256"), or "unknown". */
const char *dg_db_algo_name(uint32_t algo);

/* Path of the mapped file (after following `current`). */
const char *dg_db_path(const struct dg_db *db);

/*
 * Entry @i (0 <= i < count) in digest order: its digest and reference.
 * For export and merge.  -ERANGE past the end.
 */
int dg_db_entry(const struct dg_db *db, uint64_t i, const uint8_t **digest,
		dg_db_ref *ref);

/*
 * Where @digest is: 1 and its entry number in @i (may be NULL), 0 when
 * absent.  For dg_db_entry_ref().
 */
int dg_db_find(const struct dg_db *db, const uint8_t *digest, uint64_t *i);

/*
 * Reference @k of entry @i: k = 0 is the one dg_db_entry() and
 * dg_db_lookup() give; a digest that several sources or paths hold has
 * more (k = 1, 2, ...).  -ERANGE when entry @i has no reference @k, so
 * `for (k = 0; !dg_db_entry_ref(db, i, k, &ref); k++)` visits them all.
 */
int dg_db_entry_ref(const struct dg_db *db, uint64_t i, uint64_t k, dg_db_ref *ref);

/* Source @i (0 <= i < sources): its name.  -ERANGE past the end. */
int dg_db_source_name(const struct dg_db *db, uint32_t i, const char **name);

/*
 * Check the whole file: body hash recorded in the header, digests sorted
 * and unique, index consistent, every reference inside the string table.
 * O(file size); for `db stats --verify` and tests, not for every open.
 */
int dg_db_verify(const struct dg_db *db, char *msg, size_t msglen);

/*
 * Cheap check for a long-running reader (the enforcer): 1 if the state
 * directory's `current` now names a different file than the one mapped,
 * or the same file rewritten in place (its size or ctime changed), 0 if
 * not, negative errno if it cannot tell (one stat() call).
 */
int dg_db_changed(const struct dg_db *db);

/*
 * Open the file `current` names now and, only on success, replace *@db
 * with it (the old mapping is closed).  On failure *@db is left as it was,
 * so lookups continue against the previous generation.  Returns 1 if it
 * switched, 0 if `current` had not changed, negative errno on failure.
 */
int dg_db_reopen(struct dg_db **db, char *msg, size_t msglen);

/*
 * Take the pages this process has touched through @db out of its page
 * tables (they stay in the page cache; a later lookup faults them in
 * again): for a handle kept in reserve, such as the enforcer's supervisor
 * keeps for its next worker, so that it costs no resident memory.
 */
void dg_db_release_pages(const struct dg_db *db);

/* Hash a file with SHA-256 (for `db check`); @digest gets 32 bytes. */
int dg_db_hash_file(const char *path, uint8_t digest[32]);
int dg_db_hash_fd(int fd, uint8_t digest[32]);

#ifdef __cplusplus
}
#endif

#endif

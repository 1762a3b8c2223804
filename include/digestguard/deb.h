/* SPDX-License-Identifier: MIT */
/*
 * Debian's apt chain: a signed InRelease lists the SHA-256 and size of each
 * Packages file, a Packages file lists those of each .deb.  The sandboxed
 * deb handler parses the InRelease (with the pgp handler's parser) and the
 * Packages files (decompressing them); the core verifies the signature,
 * re-checks every span the handler reports against the verified text
 * (docs/deb.md), hashes the Packages text itself and each .deb.
 *
 * Typical use: dg_deb_new(), dg_deb_keyring_add_file() for each keyring,
 * dg_deb_load_inrelease() (or dg_deb_load_release() for a Release with a
 * detached Release.gpg), dg_deb_load_packages() for each Packages file,
 * then dg_deb_check_file() per .deb.  Functions return 0 or a negative
 * errno; dg_deb_last_error() names the input and the reason.
 */
#ifndef DIGESTGUARD_DEB_H
#define DIGESTGUARD_DEB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct dg_deb;

/* Without namespaces for the handler (tests in containers without them). */
#define DG_DEB_NO_NAMESPACES (1u << 0)

/* Create a context: an empty keyring, no InRelease, no Packages. */
int dg_deb_new(unsigned int flags, struct dg_deb **out);

/* NULL is allowed. */
void dg_deb_free(struct dg_deb *deb);

/*
 * Add the OpenPGP certificates of @path (binary or armored, one or many):
 * the count added (0: nothing usable in it, the reason in
 * dg_deb_last_error()), or -errno.
 */
int dg_deb_keyring_add_file(struct dg_deb *deb, const char *path);

/* Certificates in the keyring. */
size_t dg_deb_keyring_count(const struct dg_deb *deb);

/*
 * Reference time for Date and Valid-Until (Unix seconds); 0, the default,
 * is the current time.
 */
void dg_deb_set_now(struct dg_deb *deb, int64_t now);

/*
 * How many seconds a Release's Date may lie ahead of the reference time
 * before it is refused as "not valid yet" (apt's Acquire::Max-FutureTime,
 * whose default this is); -EINVAL when negative.
 */
#define DG_DEB_MAX_FUTURE_DEFAULT 10
int dg_deb_set_max_future(struct dg_deb *deb, int64_t seconds);

/*
 * Verify the InRelease @data (named @name in messages) against the
 * keyring and take its SHA256 list.  -EKEYREJECTED: no good signature (or
 * -ENOKEY: none by a key of the keyring); -EKEYEXPIRED: its Valid-Until
 * has passed, or its Date is still to come; -EBADMSG / -EOPNOTSUPP: the
 * handler could not parse it, or its answer failed a re-check.  Several
 * may be loaded (the suites of a sources.list: bookworm, bookworm-updates,
 * bookworm-security); a Packages file may be listed in any of them.
 */
int dg_deb_load_inrelease(struct dg_deb *deb, const char *name, const void *data, size_t len);

/* dg_deb_load_inrelease() of the file @path (named so in messages). */
int dg_deb_load_inrelease_file(struct dg_deb *deb, const char *path);

/*
 * Like dg_deb_load_inrelease() for the other form apt accepts: a Release
 * file @data and its detached signature @sig (binary or armored, named
 * @sig_name in messages), as in an archive's dists/SUITE/Release and
 * Release.gpg.
 */
int dg_deb_load_release(struct dg_deb *deb, const char *name, const void *data, size_t len,
			const char *sig_name, const void *sig, size_t sig_len);

/*
 * dg_deb_load_release() of the file @path with the signature in the file
 * @sig_path (NULL: @path with ".gpg" appended, apt's name for it).
 */
int dg_deb_load_release_file(struct dg_deb *deb, const char *path, const char *sig_path);

/* After dg_deb_load_inrelease(): what the last one loaded found. */
struct dg_deb_release_info {
	uint8_t signer_fpr[32];	/* the signing (sub)key of the first good signature */
	size_t fpr_len;		/* 20 (v4) or 32 (v6) */
	int64_t date;		/* Date, or INT64_MIN when it has none */
	int64_t valid_until;	/* Valid-Until, or INT64_MAX when it has none */
	size_t n_entries;	/* lines of its SHA256 field */
};
int dg_deb_release_info(const struct dg_deb *deb, struct dg_deb_release_info *info);

/*
 * Parse the Packages file @data (plain, gzip, xz, lz4 or bzip2) in the
 * handler; its decompressed text must have the SHA-256 and size of an
 * entry of a loaded InRelease whose path ends in "Packages" (-ENOKEY
 * otherwise: the file is not a signed one; -EINVAL before any InRelease).  *@entry_path (when not NULL)
 * receives that entry's path, valid until dg_deb_free().  Several
 * Packages files may be loaded; a .deb may be listed in any of them.
 */
int dg_deb_load_packages(struct dg_deb *deb, const char *name, const void *data, size_t len,
			 const char **entry_path);

/* dg_deb_load_packages() of the file @path (named so in messages). */
int dg_deb_load_packages_file(struct dg_deb *deb, const char *path, const char **entry_path);

/* A .deb as its Packages paragraph describes it (NUL-terminated copies). */
struct dg_deb_pkg {
	char *package;
	char *version;
	char *architecture;
	char *filename;
	const char *packages_name;	/* the Packages file it is listed in */
	uint64_t size;
	uint8_t sha256[32];
};

/*
 * Hash the file @path (SHA-256, read once, never mapped) and look it up:
 * 0 and *@pkg filled when a paragraph of a loaded Packages file has its
 * SHA-256 and size; -ENOKEY when none has; -errno when it cannot be read
 * (the reason in dg_deb_last_error()).  Free @pkg with dg_deb_pkg_free().
 */
int dg_deb_check_file(struct dg_deb *deb, const char *path, struct dg_deb_pkg *pkg);

/* Look up a SHA-256 and size already computed; as dg_deb_check_file(). */
int dg_deb_lookup(struct dg_deb *deb, const uint8_t sha256[32], uint64_t size,
		  struct dg_deb_pkg *pkg);

/* A regular file of a .deb's data.tar, as dg_deb_files() gives it. */
struct dg_deb_file {
	const char *path;	/* "/usr/bin/hello": rooted, without "./" */
	uint8_t sha256[32];	/* of its contents, computed by the core */
	uint64_t size;
	uint32_t mode;		/* permission bits (07777) */
};

/* Called per file; a non-zero return stops the walk and is returned. */
typedef int (*dg_deb_file_fn)(const struct dg_deb_file *f, void *ctx);

/*
 * dg_deb_check_file() of @path, then, only when it is listed, its data
 * member parsed (and decompressed) by the handler, the tar stream
 * re-checked and @fn called for each regular file with the SHA-256 the
 * core computes of its bytes; a hard link with its target's (what its
 * target path holds at that point of the archive, a regular file, or the
 * package fails).  A path that comes more than once is listed once, with
 * its last entry's contents, as extraction leaves it.  Symbolic links,
 * directories and devices are not listed.  @pkg as dg_deb_check_file()
 * fills it.  -ENOKEY when @path is not listed (nothing is parsed),
 * -EBADMSG / -EOPNOTSUPP / -E2BIG when its archive is not one the handler
 * reads or its answer fails a re-check, or @fn's return.
 */
int dg_deb_files(struct dg_deb *deb, const char *path, struct dg_deb_pkg *pkg,
		 dg_deb_file_fn fn, void *ctx);

/* Called for each package or input that fails (the message names it). */
typedef void (*dg_deb_error_fn)(const char *msg, void *ctx);

/* Called per file of an imported package; @source is "package_version_arch". */
typedef int (*dg_deb_import_fn)(const char *source, const struct dg_deb_file *f, void *ctx);

struct dg_deb_import_stats {
	size_t packages;	/* packages imported */
	size_t failed;		/* packages (or inputs) reported and skipped */
	size_t files;		/* file records passed to the callback */
};

/*
 * Import @path: a .deb, or a directory whose *.deb files (recursively, in
 * name order) are imported.  Each package is checked against the loaded
 * chain and its files collected first (dg_deb_files()); only a package
 * that passed completely reaches @fn, so a bad package adds nothing.  A
 * failing package is reported through @on_err and skipped; with @strict
 * the import stops at the first failure and returns its error.  Returns 0,
 * the first error of @fn, or (strict) the package's error.
 */
int dg_deb_import(struct dg_deb *deb, const char *path, int strict, dg_deb_import_fn fn,
		  dg_deb_error_fn on_err, void *ctx, struct dg_deb_import_stats *st);

/*
 * Load an apt lists directory (/var/lib/apt/lists): every *_InRelease in
 * @dir and every *_Release with its *_Release.gpg (unless an *_InRelease
 * of the same name is there: apt uses that one), then every *_Packages file
 * (plain, .gz, .xz, .lz4, .bz2) in it.  *@n_inrelease counts both forms.
 * One that does not verify or is not listed is reported through @on_err
 * and skipped (with @strict: the load stops with its error).  *@n_inrelease
 * and *@n_packages count the ones loaded.  When no InRelease or no
 * Packages file could be loaded: -ENOENT if @dir holds none of that kind
 * (or cannot be read: its -errno), -EKEYREJECTED if it holds some but none
 * verified or was listed.
 */
int dg_deb_load_lists(struct dg_deb *deb, const char *dir, int strict, dg_deb_error_fn on_err,
		      void *ctx, size_t *n_inrelease, size_t *n_packages);

/* Free the strings of @pkg (and zero it); NULL is allowed. */
void dg_deb_pkg_free(struct dg_deb_pkg *pkg);

/* The reason for the last failure, naming the input (never NULL). */
const char *dg_deb_last_error(const struct dg_deb *deb);

#ifdef __cplusplus
}
#endif
#endif

/* SPDX-License-Identifier: MIT */
/*
 * RPM package verification and file digests (trusted core).
 *
 * The package's lead, signature header and main header are parsed only by
 * the sandboxed rpm handler (src/handlers/rpm/).  The core re-checks every
 * span of its answer against the original bytes (it reads the fixed 16-byte
 * intros and index entries itself), computes the header digests with
 * OpenSSL over the main header region of the ORIGINAL bytes, verifies the
 * header OpenPGP signatures through <digestguard/pgp.h>, and hands out a
 * file digest only when its bytes lie inside the FILEDIGESTS data of a main
 * header covered by a good signature.  The verdict follows
 * `rpmkeys --checksig`: the same items, in the same order and words
 * (docs/rpm.md).
 *
 * All functions return 0 on success and a negative errno on failure:
 * -EBADMSG malformed package, -E2BIG over a limit, -EOPNOTSUPP valid but
 * unsupported (or refused by policy, e.g. MD5 file digests), -ENODATA
 * truncated, -EKEYREJECTED bad signature or digest, -ENOKEY no trusted key.
 * Only exactly 0 means verified.
 */
#ifndef DIGESTGUARD_RPM_H
#define DIGESTGUARD_RPM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct dg_rpm;	/* opaque: keyring, policy, the (lazily started) rpm handler */

/* Policy flags. */
#define DG_RPM_PAYLOAD		(1u << 0)	/* also check the payload digests
						   (and legacy header+payload items) */
#define DG_RPM_ALLOW_WEAK	(1u << 1)	/* accept MD5 and SHA-1 file digests */
#define DG_RPM_NO_NAMESPACES	(1u << 2)	/* start the handler without namespaces */

/* Result codes of one item, as rpm names them. */
enum dg_rpm_rc {
	DG_RPM_OK = 0,
	DG_RPM_BAD,
	DG_RPM_NOKEY,
	DG_RPM_NOTTRUSTED,
	DG_RPM_NOTFOUND,
};

/* Item kinds (rpm's RPMSIG_*_TYPE). */
#define DG_RPM_DIGEST		1
#define DG_RPM_SIGNATURE	2

#define DG_RPM_ITEMS_MAX	32

/* One digest or signature as `rpmkeys -Kv` prints it. */
struct dg_rpm_item {
	int kind;		/* DG_RPM_DIGEST or DG_RPM_SIGNATURE */
	int range;		/* 1 header, 2 payload, 3 header+payload */
	enum dg_rpm_rc rc;
	char descr[96];		/* "Header V4 RSA/SHA512 Signature, key ID 89d3c62c" */
	char msg[288];		/* detail as rpm prints it, "" if none ("Expected ... != ...",
				   two SHA-512 values in hex) */
	char why[192];		/* our reason when it failed (printed with -v -v), or "" */
};

/* What dg_rpm_verify() found. */
struct dg_rpm_report {
	struct dg_rpm_item items[DG_RPM_ITEMS_MAX];	/* printed items, rpm order */
	size_t n_items;
	int seen;		/* DG_RPM_DIGEST | DG_RPM_SIGNATURE seen */
	int bad;		/* ... of which some failed */
	int ok;			/* rpmkeys would print "OK" */
	int signed_ok;		/* a header signature verified over the main header */
	char nevra[512];	/* name-[epoch:]version-release.arch, when parsed */
	char error[320];	/* why the package could not be read, "" if it could */
	int error_is_item;	/* error[] only repeats the first failed item */
};

/* A context with an empty keyring and @flags (DG_RPM_*). */
int dg_rpm_new(unsigned int flags, struct dg_rpm **out);

void dg_rpm_free(struct dg_rpm *rpm);

/*
 * Add the OpenPGP certificates in @path (binary or armored); how many it
 * gave (certificates, revocations), or -errno.  On 0 or an error,
 * dg_rpm_last_error() says why ("" when there is nothing to say).
 */
int dg_rpm_add_keyring(struct dg_rpm *rpm, const char *path);

/* The reason of the last dg_rpm_add_keyring() that gave nothing, or "". */
const char *dg_rpm_last_error(const struct dg_rpm *rpm);

/*
 * Certificates in the keyring (each with a primary key that has a valid
 * self-signature; revoked ones too).  Revocations waiting for a certificate
 * that never came do not count.
 */
size_t dg_rpm_keyring_count(const struct dg_rpm *rpm);

/*
 * Verify the package at @path like `rpmkeys --checksig` (header only, or
 * header and payload with DG_RPM_PAYLOAD).  Returns 0 when rpmkeys would say
 * OK; @rep (required) gets the items and, on failure, the reason.
 */
int dg_rpm_verify(struct dg_rpm *rpm, const char *path, struct dg_rpm_report *rep);

/*
 * Called by dg_rpm_verify_each() for package @i (@path) with what
 * dg_rpm_verify() returned (@r) and its report; non-zero stops the run.
 */
typedef int (*dg_rpm_result_fn)(size_t i, const char *path, int r,
				const struct dg_rpm_report *rep, void *ctx);

/*
 * dg_rpm_verify() for each of the @n packages in @paths, on up to @workers
 * threads (0: one per CPU this process may run on; 1: the calling thread
 * only).  Each extra thread has its own rpm handler and shares @rpm's
 * keyring and policy, read-only.  @fn gets every result on the calling
 * thread, in input order, so output is the same for any number of workers.
 * Returns 0, or the first non-zero return of @fn (after which no further
 * result is delivered), or a negative errno when the workers cannot start.
 */
int dg_rpm_verify_each(struct dg_rpm *rpm, const char *const *paths, size_t n,
		       unsigned int workers, dg_rpm_result_fn fn, void *ctx);

/* One regular file of a verified package. */
struct dg_rpm_file {
	const char *nevra;	/* package name-[epoch:]version-release.arch */
	const char *path;	/* absolute path */
	const char *hex;	/* lower-case hex digest, from the signed header */
	int algo;		/* OpenPGP hash id: 8 SHA-256, 10 SHA-512, ... */
	const uint8_t *digest;	/* the digest as bytes */
	size_t digest_len;
	uint32_t mode;		/* st_mode from FILEMODES */
};

typedef int (*dg_rpm_file_fn)(const struct dg_rpm_file *f, void *ctx);

/*
 * Verify @path (as dg_rpm_verify(); a good header signature is required,
 * an unsigned package fails with -ENOKEY) and call @fn for each regular
 * file that is not %ghost, in header order.  A non-zero return of @fn
 * stops and is returned.  MD5 and SHA-1 file digests (and a missing
 * FILEDIGESTALGO, which means MD5) fail with -EOPNOTSUPP unless the
 * context has DG_RPM_ALLOW_WEAK.
 */
int dg_rpm_files(struct dg_rpm *rpm, const char *path, dg_rpm_file_fn fn, void *ctx,
		 struct dg_rpm_report *rep);

/* Called for each package that fails in dg_rpm_import() (message names it). */
typedef void (*dg_rpm_error_fn)(const char *msg, void *ctx);

struct dg_rpm_import_stats {
	size_t packages;	/* packages imported */
	size_t failed;		/* packages reported and skipped */
	size_t files;		/* file records passed to the callback */
};

/*
 * Import @path: a package, or a directory whose *.rpm files (recursively,
 * in name order) are imported.  Each package is verified and its regular
 * files collected first; only a package that passed completely reaches
 * @fn, so a bad package adds nothing.  A package whose file digests are
 * not @want_algo (OpenPGP hash id; 0: any) fails.  A failing package is
 * reported through @on_err and skipped; with @strict the import stops at
 * the first failure and returns its error.  Returns 0, the first error of
 * @fn, or (strict) the package's error.
 */
int dg_rpm_import(struct dg_rpm *rpm, const char *path, int want_algo, int strict,
		  dg_rpm_file_fn fn, dg_rpm_error_fn on_err, void *ctx,
		  struct dg_rpm_import_stats *st);

/* Describe the context's policy in one line (printed by the CLI with -v). */
void dg_rpm_policy_describe(const struct dg_rpm *rpm, char *buf, size_t len);

/* rpm's name for a hash algorithm id ("SHA256"), "UNKNOWN" otherwise. */
const char *dg_rpm_hash_name(int algo);

#ifdef __cplusplus
}
#endif
#endif

/* SPDX-License-Identifier: MIT */
/*
 * OpenPGP verification (trusted core).
 *
 * Untrusted OpenPGP bytes (certificates, signatures, messages) are parsed
 * only by the sandboxed pgp handler (src/handlers/pgp/), started lazily
 * through libumd on the first call that needs it.  The core re-checks every
 * span and claim of the handler's answer against the original input
 * (DESIGN.md §5), computes fingerprints itself, and verifies signatures with
 * OpenSSL over bytes of the original input (or of its own strict re-decoding
 * of ASCII armor), never over bytes the handler produced.  See
 * docs/pgp-verify.md for the algorithms, the default policy and the
 * re-checks.
 *
 * All functions return 0 (or a non-negative count) on success and a negative
 * errno on failure: -EBADMSG malformed input, -E2BIG over a limit,
 * -EOPNOTSUPP valid but unsupported, -ENODATA truncated, -ENOMSG well-formed
 * but holding no signature at all, -EKEYREJECTED bad signature, -ENOKEY no
 * trusted key.  Callers must treat only exactly 0 as
 * "verified".  dg_pgp_last_error() gives the reason in words.
 */
#ifndef DIGESTGUARD_PGP_H
#define DIGESTGUARD_PGP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque: a keyring, a policy and a (lazily started) pgp handler. */
struct dg_pgp;

/* Signature modes (RFC 9580 §5.2.1: type 0x00 binary, 0x01 text). */
enum dg_pgp_mode {
	DG_PGP_MODE_BINARY = 0,
	DG_PGP_MODE_TEXT = 1,
};

/* Largest fingerprint: v6 is SHA-256 (32 bytes), v4 is SHA-1 (20 bytes). */
#define DG_PGP_FPR_MAX 32

/*
 * Verification policy.  dg_pgp_new() installs the defaults:
 * rsa_min_bits 2048, allow_sha1 0, allow_md5 0, not_before INT64_MIN,
 * not_after INT64_MAX, now 0 (the current time).
 */
struct dg_pgp_policy {
	unsigned int rsa_min_bits;	/* RSA keys smaller than this are rejected */
	int allow_sha1;			/* accept SHA-1 data signatures (default no) */
	int allow_md5;			/* accept MD5 data signatures (default no) */
	int64_t not_before;		/* reject signatures created before (Unix s) */
	int64_t not_after;		/* reject signatures created after (Unix s) */
	int64_t now;			/* reference time for expiry; 0: time(NULL) */
	int armored_only;		/* detached signatures: ASCII-armored PGP
					 * SIGNATURE blocks, not a line outside them
					 * (apt's rule for a Release.gpg) */
};

/* One signature found in the input and what became of it. */
struct dg_pgp_sig {
	int status;			/* 0 good, else negative errno */
	char reason[192];		/* why it failed ("" when good) */
	int version;			/* signature packet version: 4 or 6 */
	int type;			/* signature type (0x00 binary, 0x01 text) */
	int mode;			/* enum dg_pgp_mode */
	int pk_algo;			/* RFC 9580 §9.1 public-key algorithm id */
	int hash_algo;			/* RFC 9580 §9.5 hash algorithm id */
	int64_t created;		/* signature creation time (Unix seconds) */
	/* Set only when status == 0: computed by the core from the key. */
	uint8_t signer_fpr[DG_PGP_FPR_MAX];	/* signing (sub)key */
	uint8_t primary_fpr[DG_PGP_FPR_MAX];	/* its certificate's primary key */
	size_t fpr_len;			/* signer_fpr's: 20 (v4) or 32 (v6) */
	size_t primary_fpr_len;		/* primary_fpr's: a certificate may mix
					   key versions (a v4 subkey under a v6
					   primary key, or the other way round) */
	/* Issuer as the signature claims it (for "no key" messages only). */
	uint8_t issuer[DG_PGP_FPR_MAX];
	size_t issuer_len;		/* 8 (key ID), 20 or 32; 0 if none */
};

struct dg_pgp_result {
	struct dg_pgp_sig *sigs;	/* one per signature packet, in order */
	size_t n_sigs;
	size_t n_good;			/* signatures with status == 0 */
};

/* Create a context with an empty keyring and the default policy. */
int dg_pgp_new(struct dg_pgp **out);

/*
 * Optional: start the sandboxed parser now, so that it starts on another
 * CPU while the caller goes on (with dg_pgp_prehash_fd(), or loading the
 * crypto library); without it, it starts on first use.
 * A failure here is reported again, with its context, by the first call
 * that needs the parser.
 */
int dg_pgp_prestart(struct dg_pgp *pgp);

/*
 * Optional: have the crypto library build its tables for the common
 * algorithms now (~0.25 ms), which the first verification would otherwise
 * do.  Thread-safe; meant for a thread that has the time.
 */
void dg_pgp_crypto_warm(void);

/*
 * A context for another thread that uses the keyring and policy of @src
 * without copying them (certificates are only read while verifying), with
 * its own handler (started when needed) and error message.  @src must
 * outlive it and keep its keyring and policy unchanged meanwhile; adding
 * certificates to the new context fails with -EPERM.
 */
int dg_pgp_new_shared(const struct dg_pgp *src, struct dg_pgp **out);

/* Free the context, stopping its handler; NULL is allowed. */
void dg_pgp_free(struct dg_pgp *pgp);

/* Read or replace the policy (copied). */
void dg_pgp_get_policy(const struct dg_pgp *pgp, struct dg_pgp_policy *pol);
void dg_pgp_set_policy(struct dg_pgp *pgp, const struct dg_pgp_policy *pol);

/* Describe the policy in one line (printed by the CLI with -v). */
void dg_pgp_policy_describe(const struct dg_pgp_policy *pol, char *buf, size_t len);

/*
 * Add the certificates in @data (binary or ASCII-armored, one or many) to
 * the keyring.  @name names the input in messages.  Certificates whose
 * self-signatures do not verify are skipped (with the reason in
 * dg_pgp_last_error()); subkeys without a valid binding signature are not
 * used.  Copies of a certificate already in the keyring are merged into it,
 * and a key revocation standing alone is kept for its certificate.
 * Returns how many of these the input gave (certificates added or merged,
 * revocations taken); 0 is not an error when the input held nothing
 * usable; -EBADMSG when it was not OpenPGP.
 */
int dg_pgp_keyring_add_mem(struct dg_pgp *pgp, const char *name,
			   const void *data, size_t len);

/* Same for the contents of the file at @path. */
int dg_pgp_keyring_add_file(struct dg_pgp *pgp, const char *path);

/* Number of certificates in the keyring. */
size_t dg_pgp_keyring_count(const struct dg_pgp *pgp);

/*
 * THE simple entry point: verify the detached signature(s) in @sig
 * (binary or armored) over the @data_len bytes at @data against the
 * keyring.  Returns 0 when at least one signature is good, otherwise the
 * error of the first signature (-EKEYREJECTED, -ENOKEY, -EOPNOTSUPP, ...)
 * or of the input.  @res may be NULL; when given, it receives one entry per
 * signature and must be released with dg_pgp_result_free() (also on error).
 */
int dg_pgp_verify_detached(struct dg_pgp *pgp, const void *sig, size_t sig_len,
			   const void *data, size_t data_len,
			   struct dg_pgp_result *res);

/*
 * Name the signature input of the detached verifications that follow in
 * their error messages, e.g. the file it came from (default "signature";
 * NULL restores it).  Copied; a name over 255 bytes is cut.
 */
void dg_pgp_set_signature_name(struct dg_pgp *pgp, const char *name);

/*
 * dg_pgp_verify_detached() for binary signature packets @sig whose
 * PGP_REQ_PARSE answer (pgp_proto.h) another sandboxed handler already
 * produced (the rpm handler does, for the header signatures): @parsed,
 * @parsed_len bytes, untrusted, takes the place of the pgp handler's answer
 * and is re-checked against @sig exactly like it, so a lying answer fails
 * just as a lying pgp handler's does.  With @parsed NULL, or @sig armored,
 * the same as dg_pgp_verify_detached().
 * @data_sha256, when not NULL, is an OpenSSL EVP_MD_CTX that has hashed
 * exactly the @data_len bytes at @data with SHA-256 and was not finalised:
 * a v4 binary SHA-256 signature continues a copy of it instead of hashing
 * @data again (the caller wants that digest itself too, as RPM does).
 */
int dg_pgp_verify_detached_parsed(struct dg_pgp *pgp, const void *sig, size_t sig_len,
				  const void *parsed, size_t parsed_len,
				  const void *data, size_t data_len,
				  const void *data_sha256, struct dg_pgp_result *res);

/*
 * Send the requests of @pgp to the handler of @umd instead of starting the
 * pgp handler: one that answers the pgp handler's requests (pgp_proto.h)
 * with the same parser, such as the rpm handler, so that one sandboxed
 * process serves both.  The caller owns @umd and keeps it alive while @pgp
 * may use it; NULL goes back to the pgp handler.
 */
struct dg_umd;
void dg_pgp_set_handler(struct dg_pgp *pgp, struct dg_umd *umd);

/*
 * Like dg_pgp_verify_detached() with the data read from @fd until EOF
 * from where @fd stands (a regular file with pread(), its position left
 * alone; read, never mapped), hashed as it streams; the data never goes to
 * the handler.
 */
int dg_pgp_verify_detached_fd(struct dg_pgp *pgp, const void *sig, size_t sig_len,
			      int fd, struct dg_pgp_result *res);

/*
 * Start hashing the data at @fd with SHA-256 on a thread of its own
 * (started off the caller's CPU while the handler of dg_pgp_prestart() sets
 * up), so that the caller can go on with other work meanwhile; returns 1
 * when the hash ahead started, 0 when it did not (@fd neither a regular
 * file nor a pipe or socket, an empty file, or no thread).  @fd must stay
 * open until dg_pgp_verify_detached_fd(), dg_pgp_set_handler() or
 * dg_pgp_free(), which stop the thread.  That verification on the same
 * file (same inode and size) continues the hash as it stands for v4 binary
 * SHA-256 signatures; signatures of any other kind hash the whole file as
 * usual.  A pipe or socket is read ahead (up to 16 MiB kept in memory):
 * those bytes are gone from it, and only dg_pgp_verify_detached_fd() of
 * the same @fd gets them (signatures of other kinds hash them from memory,
 * then read on); dg_pgp_set_handler() keeps them for it, a verification of
 * another descriptor or dg_pgp_free() drops them.
 */
int dg_pgp_prehash_fd(struct dg_pgp *pgp, int fd);

/*
 * How many bytes the last dg_pgp_verify_detached_fd() found hashed ahead
 * (0 when there was no usable hash ahead).
 */
size_t dg_pgp_prehash_used(const struct dg_pgp *pgp);

/*
 * Verify a signed message: an inline-signed OpenPGP message (binary or
 * armored; one-pass or prefixed signatures, compressed or not) or a
 * cleartext-signed message (RFC 9580 §7), detected from its first bytes.
 * On success (0, at least one good signature) and also on -EKEYREJECTED /
 * -ENOKEY, *@body (when @body is not NULL) receives a malloc'ed copy of the
 * signed content (the literal data, or the cleartext with dash-escapes
 * removed and line ends as RFC 9580 §7 gives them) and *@body_len its
 * length; free() it.
 */
int dg_pgp_verify_message(struct dg_pgp *pgp, const void *msg, size_t len,
			  struct dg_pgp_result *res, uint8_t **body, size_t *body_len);

/*
 * dg_pgp_verify_message() in two steps, so that the message's parse (in the
 * handler: decompression, armor, packets; the core's re-checks) need not
 * wait for the certificates, nor they for it.  dg_pgp_message_parse()
 * parses @msg into *@out (NULL on error); @msg must stay unchanged and
 * alive until dg_pgp_message_free().  dg_pgp_message_verify() then checks
 * its signatures against the keyring as it stands, with the results and
 * *@body of dg_pgp_verify_message(); it may be called more than once.
 */
struct dg_pgp_message;
int dg_pgp_message_parse(struct dg_pgp *pgp, const void *msg, size_t len,
			 struct dg_pgp_message **out);
int dg_pgp_message_verify(struct dg_pgp *pgp, const struct dg_pgp_message *m,
			  struct dg_pgp_result *res, uint8_t **body, size_t *body_len);
/*
 * Write the signed content of @m (what dg_pgp_message_verify() gives as
 * *body) to @out, without a copy in between; 0, or -errno when a write
 * fails.  Only after a verification said it is signed.
 */
int dg_pgp_message_write(const struct dg_pgp_message *m, FILE *out);
/* NULL is allowed. */
void dg_pgp_message_free(struct dg_pgp_message *m);

/* Release the signatures in @res (and zero it); NULL is allowed. */
void dg_pgp_result_free(struct dg_pgp_result *res);

/* The reason for the last failure, naming the input (never NULL). */
const char *dg_pgp_last_error(const struct dg_pgp *pgp);

/* Upper-case hex of a fingerprint into @out (at least 2 * len + 1 bytes). */
void dg_pgp_fpr_hex(const uint8_t *fpr, size_t len, char *out);

/* Names for algorithm ids ("RSA", "Ed25519", "SHA256", ...; "unknown"). */
const char *dg_pgp_pk_algo_name(int algo);
const char *dg_pgp_hash_algo_name(int algo);
/* Packet type names ("signature", "user ID", ...; "unknown"). */
const char *dg_pgp_packet_name(int tag);

/* The cryptographic library in use, e.g. "OpenSSL 3.0.x ...". */
const char *dg_pgp_crypto_version(void);

#ifdef __cplusplus
}
#endif
#endif

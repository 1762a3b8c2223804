/* SPDX-License-Identifier: MIT */
/*
 * Trusted OpenPGP core: the model the core builds after re-checking a
 * handler's answer, and the crypto helpers that use it.  Every span here
 * has been checked to lie inside its base buffer (the original input or
 * the core's own re-decoding of armor); nothing points into handler output.
 */
#ifndef DG_PGP_INTERNAL_H
#define DG_PGP_INTERNAL_H

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/evp.h>

#include <digestguard/pgp.h>

#include "sha256.h"

/* RFC 9580 §9.1 public-key algorithms. */
enum {
	PGP_PK_RSA = 1, PGP_PK_RSA_E = 2, PGP_PK_RSA_S = 3,
	PGP_PK_ELGAMAL = 16, PGP_PK_DSA = 17, PGP_PK_ECDH = 18, PGP_PK_ECDSA = 19,
	PGP_PK_EDDSA_LEGACY = 22, PGP_PK_X25519 = 25, PGP_PK_X448 = 26,
	PGP_PK_ED25519 = 27, PGP_PK_ED448 = 28,
};

/* RFC 9580 §9.5 hash algorithms. */
enum {
	PGP_H_MD5 = 1, PGP_H_SHA1 = 2, PGP_H_RIPEMD160 = 3, PGP_H_SHA256 = 8,
	PGP_H_SHA384 = 9, PGP_H_SHA512 = 10, PGP_H_SHA224 = 11,
	PGP_H_SHA3_256 = 12, PGP_H_SHA3_512 = 14,
};

/* RFC 9580 §5.2.1 signature types. */
enum {
	PGP_SIG_BINARY = 0x00, PGP_SIG_TEXT = 0x01, PGP_SIG_STANDALONE = 0x02,
	PGP_SIG_CERT_GENERIC = 0x10, PGP_SIG_CERT_POSITIVE = 0x13,
	PGP_SIG_SUBKEY_BINDING = 0x18, PGP_SIG_PRIMARY_BINDING = 0x19,
	PGP_SIG_DIRECT_KEY = 0x1f, PGP_SIG_KEY_REVOCATION = 0x20,
	PGP_SIG_SUBKEY_REVOCATION = 0x28, PGP_SIG_CERT_REVOCATION = 0x30,
};

/* RFC 9580 §5.2.3.7 signature subpacket types the core acts on. */
enum {
	PGP_SP_CREATED = 2, PGP_SP_SIG_EXPIRES = 3, PGP_SP_EXPORTABLE = 4,
	PGP_SP_TRUST = 5, PGP_SP_REGEXP = 6, PGP_SP_REVOCABLE = 7,
	PGP_SP_KEY_EXPIRES = 9, PGP_SP_PREF_SYM = 11, PGP_SP_REVOKER = 12,
	PGP_SP_ISSUER = 16, PGP_SP_NOTATION = 20, PGP_SP_PREF_HASH = 21,
	PGP_SP_PREF_COMP = 22, PGP_SP_KS_PREFS = 23, PGP_SP_PREF_KS = 24,
	PGP_SP_PRIMARY_UID = 25, PGP_SP_POLICY = 26, PGP_SP_KEY_FLAGS = 27,
	PGP_SP_SIGNER_UID = 28, PGP_SP_REVOCATION_REASON = 29,
	PGP_SP_FEATURES = 30, PGP_SP_TARGET = 31, PGP_SP_EMBEDDED = 32,
	PGP_SP_ISSUER_FPR = 33, PGP_SP_INTENDED_RCPT = 35,
	PGP_SP_PREF_AEAD = 39,
};

#define PGP_KF_CERTIFY 0x01
#define PGP_KF_SIGN 0x02

/* A checked range of a base buffer. */
struct pgp_span {
	uint32_t off;
	uint32_t len;
};

/* Bytes of one field as a pointer + length into a checked base buffer. */
struct pgp_bytes {
	const uint8_t *p;
	size_t len;
};

#define PGP_KEY_FIELDS_MAX 4
#define PGP_SIG_MPIS_MAX 2

/* A public key or subkey packet after re-checking. */
struct pgp_key {
	int version;		/* 4 or 6 */
	int algo;
	int64_t created;
	struct pgp_bytes body;	/* the whole packet body: fingerprint input */
	/* Key material: MPI values (without their bit count), OIDs (without
	 * their length byte) and native fields, per RFC 9580 §5.5.5. */
	struct pgp_bytes field[PGP_KEY_FIELDS_MAX];
	int n_fields;
	uint8_t fpr[DG_PGP_FPR_MAX];
	size_t fpr_len;
	EVP_PKEY *pkey;		/* NULL for algorithms that cannot sign */
	unsigned int bits;	/* key size for policy (RSA modulus bits) */
	int load_err;		/* why pkey is NULL (negative errno) */
	char load_why[96];
};

/*
 * The keys every well-formed issuer subpacket of a signature names (Issuer
 * Key ID, RFC 9580 §5.2.3.12; Issuer Fingerprint, §5.2.3.35, as the key ID
 * it contains), hashed area first, each once.  They only choose the keys
 * to try: the unhashed ones are not signed, anyone can add some, so a key
 * is a candidate when any of them names it (as Sequoia has it), never
 * excluded because the first one names another key.  More than
 * PGP_ISSUERS_MAX: @over, and any key may be the issuer, as when there is
 * none.  Key IDs, not fingerprints: a pgp_pkt per packet of an input
 * holds one (PGP_PACKETS_MAX of them), and a key ID that two keys share
 * costs one more trial, never a verdict.
 */
#define PGP_ISSUERS_MAX 8
struct pgp_issuers {
	uint8_t id[PGP_ISSUERS_MAX][8];
	uint8_t n;
	bool over;
};

/* A signature packet after re-checking, with its decoded subpackets. */
struct pgp_sig {
	int version;		/* 4 or 6 (3 is reported as unsupported) */
	int type, pk_algo, hash_algo;
	struct pgp_bytes hashed;	/* version byte .. end of hashed area */
	struct pgp_bytes salt;		/* v6 only */
	uint8_t left16[2];
	struct pgp_bytes mpi[PGP_SIG_MPIS_MAX];	/* or one native field */
	int n_mpi;
	/* Hashed-area values (unhashed values only where noted). */
	bool has_created;
	int64_t created;
	uint32_t sig_expires;		/* seconds after creation; 0 never */
	bool has_key_expires;
	uint32_t key_expires;		/* seconds after key creation; 0 never */
	bool has_key_flags;
	uint8_t key_flags;
	bool has_reason;
	uint8_t reason;			/* RFC 9580 §5.2.3.31 */
	bool primary_uid;
	bool unknown_critical;		/* an unknown critical subpacket */
	int unknown_critical_type;
	int bad_subpacket;		/* type of a malformed hashed time subpacket, or 0 */
	/* Issuer: fingerprint (hashed or unhashed) or key ID (either area). */
	uint8_t issuer_fpr[DG_PGP_FPR_MAX];
	size_t issuer_fpr_len;
	uint8_t issuer_id[8];
	bool has_issuer_id;
	struct pgp_issuers issuers;	/* all of them, for candidate keys */
	/* Embedded signature (back-signature), packet body bytes. */
	struct pgp_bytes embedded;
	/* The whole packet body, for messages and embedded re-parsing. */
	struct pgp_bytes body;
};

/* One One-Pass Signature packet (RFC 9580 §5.4). */
struct pgp_ops {
	int version, type, hash_algo, pk_algo, nested;
	struct pgp_bytes salt;		/* v6 only, from the packet's own bytes */
	const char *malformed;		/* why it does not parse (RFC 9580 §5.2.5):
					   its signature does not count */
};

/* What a packet turned out to be, after re-checking. */
enum pgp_pkt_kind {
	PGP_K_OTHER = 0, PGP_K_KEY, PGP_K_SIG, PGP_K_UID, PGP_K_UAT,
	PGP_K_OPS, PGP_K_LITERAL, PGP_K_COMPRESSED,
};

struct pgp_pkt {
	int tag;
	int kind;			/* enum pgp_pkt_kind */
	uint32_t flags;			/* PGP_PKT_F_* as claimed (informative) */
	bool partial;
	struct pgp_bytes body;		/* non-partial packets only */
	struct pgp_key key;		/* PGP_K_KEY */
	bool key_secret, key_subkey, key_unsupported;
	const char *key_malformed;	/* why it is no key, or NULL;
					   key_unsupported then too */
	struct pgp_sig sig;		/* PGP_K_SIG */
	bool sig_unsupported;
	const char *sig_malformed;	/* why it is no signature (RFC 9580 §5.2.5),
					   or NULL; sig_unsupported then too */
	struct pgp_ops ops;		/* PGP_K_OPS */
	uint8_t lit_format;		/* PGP_K_LITERAL */
	struct pgp_bytes *lit;		/* data pieces, in order */
	size_t n_lit;
	uint8_t comp_algo;		/* PGP_K_COMPRESSED */
	const uint8_t *comp;		/* HANDLER OUTPUT: re-parse, never trust;
					   inside the answer (pgp_packets.ans) */
	size_t comp_len;
};

/*
 * Packets a reader skips in a message or a signature file: marker (RFC 9580
 * §5.8), trust (§5.10: only meaningful in a local keyring), padding
 * (§5.15), and the unknown, non-critical types 40 to 63 (§4.3).
 */
static inline bool pgp_skippable_tag(int tag)
{
	return tag == 10 || tag == 12 || tag == 21 || tag >= 40;
}

/* Unassigned types below 40 are critical: the sequence is rejected (§4.3). */
static inline bool pgp_unknown_critical_tag(int tag)
{
	return tag == 0 || tag == 15 || tag == 16 || (tag >= 22 && tag < 40);
}

/* Why signature @s is invalid for a critical hashed subpacket the core does
 * not act on: a critical notation (RFC 9580 §5.2.3.24: it applies to that
 * notation), or an unknown subpacket type (§5.2.3.7). */
static inline void pgp_unknown_critical_why(const struct pgp_sig *s, char *why, size_t wl)
{
	if (s->unknown_critical_type == PGP_SP_NOTATION)
		snprintf(why, wl, "critical notation not understood (subpacket 20)");
	else if (s->unknown_critical_type == PGP_SP_TARGET)
		snprintf(why, wl, "critical signature target not supported (subpacket 31)");
	else if (s->unknown_critical_type == PGP_SP_PREF_AEAD)
		snprintf(why, wl, "critical preferred AEAD ciphersuites not supported (subpacket 39)");
	else
		snprintf(why, wl, "unknown critical subpacket %d", s->unknown_critical_type);
}

/* The re-checked packets of one input. */
struct pgp_packets {
	struct pgp_pkt *v;
	size_t n;
	uint32_t ans_flags;		/* PGP_ANS_F_* as claimed */
	uint8_t *ans;			/* owned: the answer, when comp points into it */
};

/* One re-checked armor block: the core's own decoded bytes. */
struct pgp_armor_block {
	int kind;			/* PGP_ARMOR_* (from the BEGIN line) */
	uint64_t start, stop;		/* BEGIN line's start, END line's end */
	uint8_t *data;			/* decoded by the core */
	size_t len;
};

struct pgp_armor {
	struct pgp_armor_block *v;
	size_t n;
};

/* A re-checked cleartext signed message. */
struct pgp_cleartext {
	struct pgp_bytes *lines;	/* signed text lines (RFC 9580 §7.2) */
	bool *crlf;			/* line i ends in CR LF (else LF) */
	size_t n_lines;
	struct pgp_bytes sigblock;	/* armored signature block */
	int *hashes;			/* Hash: header values (0: unknown) */
	size_t n_hashes;
	bool text_outside;
	bool other_header;
};

/* --- pgp_recheck.c: decode a handler answer and re-check every claim ---- */

/*
 * A compressed packet's decompressed bytes stay in @ans (pgp_pkt.comp points
 * there): @ans must outlive @out, or be handed to it as out->ans, which
 * pgp_packets_free() frees.
 */
int pgp_recheck_parse(const uint8_t *in, size_t in_len, const uint8_t *ans,
		      size_t ans_len, struct pgp_packets *out, char *why, size_t wl);
void pgp_packets_free(struct pgp_packets *p);

int pgp_recheck_dearmor(const uint8_t *in, size_t in_len, const uint8_t *ans,
			size_t ans_len, struct pgp_armor *out, char *why, size_t wl);
void pgp_armor_free(struct pgp_armor *a);

int pgp_recheck_cleartext(const uint8_t *in, size_t in_len, const uint8_t *ans,
			  size_t ans_len, struct pgp_cleartext *out, char *why, size_t wl);
void pgp_cleartext_free(struct pgp_cleartext *c);

/* --- certificates and the context (pgp_keyring.c, pgp_verify.c) -------- */

/* A verified self-signature or binding, kept for evaluation at time T. */
struct pgp_bind {
	int64_t created;
	int64_t sig_expires_at;		/* absolute; 0 never */
	bool has_key_expires;
	uint32_t key_expires;		/* seconds after key creation; 0 never */
	bool has_flags;
	uint8_t flags;
	bool backsig;			/* signing subkey: valid 0x19 back-signature, */
	int64_t backsig_created;	/* ... made then */
	int64_t backsig_expires_at;	/* ... in force until then (absolute; 0 never) */
	bool direct;			/* direct-key signature (0x1F) */
	bool primary_uid;
	bool has_uid;			/* binds a user ID or attribute ... */
	uint8_t uid_hash[32];		/* ... with this SHA-256 of its body */
};

/* A verified certification revocation (0x30) of one user ID. */
struct pgp_uidrev {
	int64_t created;
	uint8_t uid_hash[32];
};

/* A verified revocation (RFC 9580 §5.2.3.31: hard or soft). */
struct pgp_rev {
	int64_t created;
	bool hard;
	uint8_t reason;
};

/* Most bindings, revocations or user ID revocations one key keeps. */
#define PGP_BINDS_MAX 1024u

struct pgp_ckey {
	struct pgp_key key;		/* body owned (key.body points to own copy) */
	struct pgp_bind *binds;
	size_t n_binds;
	struct pgp_rev *revs;
	size_t n_revs;
	struct pgp_uidrev *uidrevs;	/* primary key: revoked user IDs */
	size_t n_uidrevs;
};

struct pgp_cert {
	struct pgp_ckey primary;
	struct pgp_ckey *subs;
	size_t n_subs;
};

struct dg_umd_answer;

/* How the core reaches the handler; tests substitute a lying transport. */
typedef int (*pgp_call_fn)(struct dg_pgp *pgp, void *ctx, uint16_t type,
			   const uint8_t *req, size_t len, uint8_t **ans, size_t *ans_len);

struct dg_pgp {
	struct dg_umd *umd;		/* started on the first request */
	struct dg_pgp_policy pol;
	struct pgp_cert **certs;
	size_t n_certs;
	/* Keyring pieces waiting for their certificate, which may come in a
	 * later block or file: copies without a valid self-signature (kept for
	 * their revocations), and key revocation signatures standing alone
	 * (`gpg --gen-revoke` output), as packet bodies with their issuer. */
	struct pgp_cert **limbo;
	size_t n_limbo;
	/* Certificates skipped because their primary key is unusable
	 * (load_why says why), kept to name them when one of their keys made
	 * a signature (at most PGP_SKIPPED_MAX). */
	struct pgp_cert **skipped;
	size_t n_skipped;
	struct pgp_lone_rev {
		uint8_t *body;
		size_t len;
		struct pgp_issuers issuers;	/* of the signature */
	} *lone;
	size_t n_lone;
	bool certs_shared;		/* dg_pgp_new_shared(): certs, limbo, skipped are another's */
	/* Key signature checks left for the keyring input being loaded
	 * (PGP_KEYSIG_BUDGET units per input, pgp_keysig_cost()); keysig_over:
	 * one was refused. */
	size_t keysig_left;
	bool keysig_over;
	char err[768];
	char sig_name[256];		/* dg_pgp_set_signature_name() */
	pgp_call_fn call;
	void *call_ctx;
	struct dg_umd *ext_umd;		/* dg_pgp_set_handler(): not ours */
	/* dg_pgp_verify_detached_parsed(): the next PARSE of exactly these
	 * input bytes (same pointer) at depth 0 re-checks this answer instead
	 * of calling a handler.  HANDLER OUTPUT, untrusted. */
	const uint8_t *pre_in;
	size_t pre_in_len;
	const uint8_t *pre_ans;
	size_t pre_ans_len;
	/* dg_pgp_prehash_fd(): the data file and a SHA-256 context over the
	 * first @done bytes of the data, which @thread extends until @stop;
	 * read @done, @sha and @failed only after it was joined. */
	struct pgp_ahead {
		pthread_t thread;	/* hashes until done or @stop */
		int running;		/* @thread to be joined */
		atomic_int stop;
		cpu_set_t all;		/* the thread's CPUs once it runs */
		int steered;		/* it starts off the caller's CPU */
		int fd;			/* -1: none; the thread only reads it */
		int failed;		/* the thread's read fell short: unused */
		dev_t dev;
		ino_t ino;
		uint8_t *buf;		/* one step's bytes; a pipe's, all so far */
		off_t start;		/* where the data starts in the file */
		size_t len, done;	/* data size; bytes hashed */
		struct dg_sha256 sha;	/* over the file's first @done bytes */
		int pipe;		/* @fd is a pipe or socket: read(), the
					   bytes kept in @buf (the data's prefix) */
		size_t cap;		/* pipe: @buf's size */
		int wake[2];		/* pipe: ahead_stop() writes, the thread polls */
		int eof;		/* pipe: the thread read to its end */
	} ahead;
	size_t ahead_used;		/* dg_pgp_prehash_used() */
};

/* Set the context's error message (returns @err). */
int pgp_errorf(struct dg_pgp *pgp, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* How every re-check failure that means "the handler lied" begins. */
#define PGP_ANSWER_REJECTED "handler answer rejected"

/* Send @in as request @type (nesting @depth) and get the raw answer. */
int pgp_handler_request(struct dg_pgp *pgp, uint16_t type, uint32_t depth,
			const uint8_t *in, size_t len, uint8_t **ans, size_t *ans_len);

/* The default transport: the embedded pgp handler through libumd. */
int pgp_umd_call(struct dg_pgp *pgp, void *ctx, uint16_t type, const uint8_t *req,
		 size_t len, uint8_t **ans, size_t *ans_len);

/* PARSE binary packets @in into @out (re-checked). */
int pgp_parse_checked(struct dg_pgp *pgp, const char *name, const uint8_t *in,
		      size_t len, uint32_t depth, struct pgp_packets *out);

/* PARSE @in (DEARMOR first when it is armored) into one packet list per
 * binary input; the caller frees with pgp_inputs_free(). */
struct pgp_inputs {
	struct pgp_packets *v;
	uint8_t **bufs;			/* core-decoded armor bodies, owned */
	size_t n;
	int armor_kind;			/* of the first block, or -1 for binary */
	bool other_kind;		/* a block of another kind than the first */
	bool text_outside;		/* armored, with a line (even an empty
					 * one) outside its blocks */
};
int pgp_load_packets(struct dg_pgp *pgp, const char *name, const uint8_t *in,
		     size_t len, uint32_t depth, struct pgp_inputs *out);
void pgp_inputs_free(struct pgp_inputs *in);

/*
 * The issuer @s names (its fingerprint, else its key ID) into @out; returns
 * the length: 0 none, 8 key ID, 20 or 32 fingerprint.
 */
size_t pgp_sig_issuer(const struct pgp_sig *s, uint8_t out[DG_PGP_FPR_MAX]);
/* Could @k be the issuer @iss of @len bytes?  (No issuer: any key could.) */
bool pgp_issuer_may_be(const uint8_t *iss, size_t len, const struct pgp_key *k);
/* Add the key ID @id to @is, once. */
void pgp_issuers_add(struct pgp_issuers *is, const uint8_t id[8]);
/* Does an issuer subpacket in @is name @k? */
bool pgp_issuers_name(const struct pgp_issuers *is, const struct pgp_key *k);
/* Could @k have made a signature with issuers @is (any of them names it,
 * or there are none, or too many to keep)? */
bool pgp_issuers_may_be(const struct pgp_issuers *is, const struct pgp_key *k);

void pgp_cert_free(struct pgp_cert *c);
/* Build certificates from @pk, verifying their self-signatures. */
int pgp_certs_from_packets(struct dg_pgp *pgp, const char *name,
			   const struct pgp_packets *pk);

/* --- pgp_crypto.c ------------------------------------------------------ */

const EVP_MD *pgp_hash_md(int hash_algo);

/* v6 salt size for a hash algorithm (RFC 9580 §9.5), 0 if unknown. */
size_t pgp_hash_salt_len(int hash_algo);

/*
 * Build the OpenSSL key for @k from its material fields.  Returns 0,
 * -EOPNOTSUPP (algorithm or curve unsupported, or cannot sign) or -EBADMSG
 * (material does not decode); @why gets the reason.
 */
int pgp_key_load(struct pgp_key *k, char *why, size_t why_len);

/* Compute @k's fingerprint from its body (v4 SHA-1, v6 SHA-256). */
int pgp_key_fingerprint(struct pgp_key *k);

/*
 * Verify @s's signature material over @digest with @k.  Returns 0 or
 * -EKEYREJECTED; -EOPNOTSUPP / -EBADMSG with @why for material problems.
 */
int pgp_sig_verify_digest(const struct pgp_key *k, const struct pgp_sig *s,
			  const uint8_t *digest, size_t digest_len,
			  char *why, size_t why_len);

/* --- pgp_hash.c -------------------------------------------------------- */

/* A signature hash in progress (RFC 9580 §5.2.4). */
struct pgp_hasher {
	EVP_MD_CTX *ctx;
	int text;		/* canonicalize line ends to CRLF */
	int pending_cr;		/* text mode: last byte was CR */
	/* SHA-256 continued from the hash ahead (pgp_hasher_continue()):
	 * then @sha takes every byte and @ctx none. */
	bool own;
	struct dg_sha256 sha;
};

/* Start hashing for @s: context for its hash algorithm, v6 salt first. */
int pgp_hasher_init(struct pgp_hasher *h, const struct pgp_sig *s, int text);
/*
 * Go on from @sha, a SHA-256 state over the first document bytes that
 * libdg_shared's SHA-256 computed (the hash ahead of dg_pgp_prehash_fd):
 * only for a SHA-256 binary v4 signature, where those bytes come first.
 */
void pgp_hasher_continue(struct pgp_hasher *h, const struct dg_sha256 *sha);
/* Feed document bytes (text mode converts bare LF to CRLF). */
int pgp_hasher_data(struct pgp_hasher *h, const void *p, size_t n);
/*
 * The prefix RFC 9580 §5.2.4 puts before a key body when hashing it into a
 * version @version signature (0x99 + 2-byte length for v4, 0x9B + 4-byte
 * length for v6), or into a fingerprint (@version: the key's own).
 */
int pgp_key_hash_prefix(const struct pgp_key *k, int version, uint8_t hdr[5], size_t *hl);
/*
 * Hash key @k into a signature of version @sig_version, framed as that
 * version frames keys (RFC 9580 §5.2.4: "When a v4 signature is made over
 * a key", 0x99; a v6 signature, 0x9B), which is not @k's own version in a
 * binding of a v4 subkey by a v6 primary key, or the other way round.
 */
int pgp_hasher_key(struct pgp_hasher *h, const struct pgp_key *k, int sig_version);
/* Hash a user ID (0xB4) or user attribute (0xD1) with its 4-byte length. */
int pgp_hasher_uid(struct pgp_hasher *h, uint8_t tag, const void *p, size_t n);
/* Add the trailer and finish into @dg. */
int pgp_hasher_finish(struct pgp_hasher *h, const struct pgp_sig *s,
		      uint8_t dg[EVP_MAX_MD_SIZE], unsigned int *dl);
/* Check left-16 and the hash size rules, then verify @s over @dg with @k. */
int pgp_check_digest(const struct pgp_sig *s, const struct pgp_key *k,
		     const uint8_t *dg, unsigned int dl, char *why, size_t wl);
/* Add the trailer, finish, check left-16, and verify the signature. */
int pgp_hasher_finish_verify(struct pgp_hasher *h, const struct pgp_sig *s,
			     const struct pgp_key *k, char *why, size_t why_len);
void pgp_hasher_free(struct pgp_hasher *h);

/* --- pgp_armor.c: strict re-decoding on the trusted side ---------------- */

/*
 * Decode base64 from the lines at @lines (each a span of @base, no line
 * ends), appending to a new malloc'ed buffer.  Strict: only the base64
 * alphabet, '=' padding only at the very end, no bits left over.
 */
int pgp_b64_decode_lines(const uint8_t *base, size_t base_len,
			 const struct pgp_span *lines, size_t n_lines,
			 uint8_t **out, size_t *out_len, char *why, size_t why_len);
uint32_t pgp_armor_crc24(const uint8_t *p, size_t n);

#endif

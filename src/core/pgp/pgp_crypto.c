// SPDX-License-Identifier: MIT
/*
 * OpenSSL glue: OpenPGP key material to EVP_PKEY, fingerprints, and
 * signature checks over a finished digest (RFC 9580 §5.2.3, §5.5.4).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "pgp_internal.h"

/* Bounds on key material the core will hand to OpenSSL. */
#define PGP_RSA_BITS_MAX 16384u
#define PGP_RSA_E_BYTES_MAX 8u

static void why_set(char *why, size_t len, const char *fmt, const char *arg)
{
	if (why && len)
		snprintf(why, len, fmt, arg);
}

const EVP_MD *pgp_hash_md(int hash_algo)
{
	switch (hash_algo) {
	case PGP_H_MD5: return EVP_md5();
	case PGP_H_SHA1: return EVP_sha1();
	case PGP_H_SHA224: return EVP_sha224();
	case PGP_H_SHA256: return EVP_sha256();
	case PGP_H_SHA384: return EVP_sha384();
	case PGP_H_SHA512: return EVP_sha512();
	case PGP_H_SHA3_256: return EVP_sha3_256();
	case PGP_H_SHA3_512: return EVP_sha3_512();
	default: return NULL;
	}
}

/*
 * OpenSSL 3 builds each provider's method tables on first use; the CLI
 * has them built on a thread of its own while the handler starts.  One
 * fetch per operation kind builds that kind's table for all algorithms.
 * About 0.25 ms when the CLI's OPENSSL_init_crypto() skipped the legacy
 * name tables and error strings, 0.75 ms otherwise (the first fetch copies
 * every legacy name, the first key object loads the error strings).
 */
void dg_pgp_crypto_warm(void)
{
	/* The Ed25519 base point: the first key object has one-time set-up
	 * of its own, whatever the key. */
	static const uint8_t ed25519_base[32] = {
		0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	};

	EVP_MD_free(EVP_MD_fetch(NULL, "SHA2-256", NULL));
	EVP_KEYMGMT_free(EVP_KEYMGMT_fetch(NULL, "ED25519", NULL));
	EVP_SIGNATURE_free(EVP_SIGNATURE_fetch(NULL, "ED25519", NULL));
	EVP_PKEY_free(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, ed25519_base,
						  sizeof(ed25519_base)));
}

size_t pgp_hash_salt_len(int hash_algo)
{
	switch (hash_algo) {
	case PGP_H_SHA224: case PGP_H_SHA256: case PGP_H_SHA3_256: return 16;
	case PGP_H_SHA384: return 24;
	case PGP_H_SHA512: case PGP_H_SHA3_512: return 32;
	default: return 0;
	}
}

const char *dg_pgp_hash_algo_name(int algo)
{
	switch (algo) {
	case PGP_H_MD5: return "MD5";
	case PGP_H_SHA1: return "SHA1";
	case PGP_H_RIPEMD160: return "RIPEMD160";
	case PGP_H_SHA224: return "SHA224";
	case PGP_H_SHA256: return "SHA256";
	case PGP_H_SHA384: return "SHA384";
	case PGP_H_SHA512: return "SHA512";
	case PGP_H_SHA3_256: return "SHA3-256";
	case PGP_H_SHA3_512: return "SHA3-512";
	default: return "unknown";
	}
}

const char *dg_pgp_pk_algo_name(int algo)
{
	switch (algo) {
	case PGP_PK_RSA: return "RSA";
	case PGP_PK_RSA_E: return "RSA (encrypt-only)";
	case PGP_PK_RSA_S: return "RSA (sign-only)";
	case PGP_PK_ELGAMAL: return "Elgamal";
	case PGP_PK_DSA: return "DSA";
	case PGP_PK_ECDH: return "ECDH";
	case PGP_PK_ECDSA: return "ECDSA";
	case PGP_PK_EDDSA_LEGACY: return "EdDSALegacy";
	case PGP_PK_X25519: return "X25519";
	case PGP_PK_X448: return "X448";
	case PGP_PK_ED25519: return "Ed25519";
	case PGP_PK_ED448: return "Ed448";
	default: return "unknown";
	}
}

const char *dg_pgp_packet_name(int tag)
{
	static const char *const n[] = {
		[1] = "public-key encrypted session key", [2] = "signature",
		[3] = "symmetric-key encrypted session key", [4] = "one-pass signature",
		[5] = "secret key", [6] = "public key", [7] = "secret subkey",
		[8] = "compressed data", [9] = "symmetrically encrypted data",
		[10] = "marker", [11] = "literal data", [12] = "trust", [13] = "user ID",
		[14] = "public subkey", [17] = "user attribute",
		[18] = "sym. encrypted and integrity protected data",
		[19] = "modification detection code", [20] = "reserved (AEAD)",
		[21] = "padding",
	};

	return tag >= 0 && (size_t)tag < sizeof(n) / sizeof(n[0]) && n[tag] ? n[tag] : "unknown";
}

const char *dg_pgp_crypto_version(void)
{
	return OpenSSL_version(OPENSSL_VERSION);
}

void dg_pgp_fpr_hex(const uint8_t *fpr, size_t len, char *out)
{
	static const char hx[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hx[fpr[i] >> 4];
		out[2 * i + 1] = hx[fpr[i] & 15];
	}
	out[2 * len] = '\0';
}

int pgp_key_fingerprint(struct pgp_key *k)
{
	uint8_t hdr[5];
	unsigned int n = 0;
	EVP_MD_CTX *ctx;
	size_t hl;
	int ok, r;

	if (k->version != 4 && k->version != 6)
		return -EOPNOTSUPP;
	r = pgp_key_hash_prefix(k, k->version, hdr, &hl);
	if (r < 0)
		return r;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	ok = EVP_DigestInit_ex(ctx, k->version == 4 ? EVP_sha1() : EVP_sha256(), NULL) &&
	     EVP_DigestUpdate(ctx, hdr, hl) &&
	     EVP_DigestUpdate(ctx, k->body.p, k->body.len) &&
	     EVP_DigestFinal_ex(ctx, k->fpr, &n);
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -EIO;
	k->fpr_len = n;
	return 0;
}

/* DER contents of the curve OIDs we accept (RFC 9580 §9.2). */
static const uint8_t oid_p256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static const uint8_t oid_p384[] = { 0x2b, 0x81, 0x04, 0x00, 0x22 };
static const uint8_t oid_p521[] = { 0x2b, 0x81, 0x04, 0x00, 0x23 };
static const uint8_t oid_ed25519[] = { 0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x0f, 0x01 };

static int oid_is(const struct pgp_bytes *b, const uint8_t *oid, size_t len)
{
	return b->len == len && !memcmp(b->p, oid, len);
}

/* A name for a curve OID digestguard does not take (RFC 9580 §9.2 and the
 * curves gpg makes), or "OID " and its hex. */
static const char *curve_name(const struct pgp_bytes *oid, char *buf, size_t n)
{
	static const struct { const char *name; uint8_t len, oid[9]; } known[] = {
		{ "brainpoolP256r1", 9, { 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07 } },
		{ "brainpoolP384r1", 9, { 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0b } },
		{ "brainpoolP512r1", 9, { 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0d } },
		{ "secp256k1", 5, { 0x2b, 0x81, 0x04, 0x00, 0x0a } },
	};
	size_t i, o;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (oid_is(oid, known[i].oid, known[i].len))
			return known[i].name;
	o = (size_t)snprintf(buf, n, "OID ");
	for (i = 0; i < oid->len && o + 3 <= n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%02x", oid->p[i]);
	return buf;
}

static int load_rsa(struct pgp_key *k, char *why, size_t wl)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	BIGNUM *n = NULL, *e = NULL;
	int r = -EBADMSG;

	if (k->n_fields != 2 || !k->field[0].len || !k->field[1].len) {
		why_set(why, wl, "%s", "RSA key needs n and e");
		return -EBADMSG;
	}
	if (k->field[0].len > PGP_RSA_BITS_MAX / 8 || k->field[1].len > PGP_RSA_E_BYTES_MAX) {
		why_set(why, wl, "%s", "RSA key material over limit");
		return -E2BIG;
	}
	n = BN_bin2bn(k->field[0].p, (int)k->field[0].len, NULL);
	e = BN_bin2bn(k->field[1].p, (int)k->field[1].len, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (!n || !e || !bld ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    !(params = OSSL_PARAM_BLD_to_param(bld)) ||
	    !(pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) ||
	    EVP_PKEY_fromdata_init(pctx) <= 0 ||
	    EVP_PKEY_fromdata(pctx, &k->pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
		why_set(why, wl, "%s", "RSA key material rejected by OpenSSL");
		goto out;
	}
	k->bits = (unsigned int)BN_num_bits(n);
	r = 0;
out:
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return r;
}

static int load_ec(struct pgp_key *k, const char *group, char *why, size_t wl)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	int r = -EBADMSG;

	bld = OSSL_PARAM_BLD_new();
	if (!bld ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
					      k->field[1].p, k->field[1].len) ||
	    !(params = OSSL_PARAM_BLD_to_param(bld)) ||
	    !(pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) ||
	    EVP_PKEY_fromdata_init(pctx) <= 0 ||
	    EVP_PKEY_fromdata(pctx, &k->pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
		why_set(why, wl, "ECDSA %s public point rejected by OpenSSL", group);
		goto out;
	}
	k->bits = (unsigned int)EVP_PKEY_get_bits(k->pkey);
	r = 0;
out:
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return r;
}

static int load_raw(struct pgp_key *k, int type, const uint8_t *p, size_t len,
		    size_t want, const char *name, char *why, size_t wl)
{
	if (len != want) {
		why_set(why, wl, "%s public key has the wrong size", name);
		return -EBADMSG;
	}
	k->pkey = EVP_PKEY_new_raw_public_key(type, NULL, p, len);
	if (!k->pkey) {
		why_set(why, wl, "%s public key rejected by OpenSSL", name);
		return -EBADMSG;
	}
	k->bits = (unsigned int)(want * 8);
	return 0;
}

int pgp_key_load(struct pgp_key *k, char *why, size_t wl)
{
	switch (k->algo) {
	case PGP_PK_RSA:
	case PGP_PK_RSA_S:
		return load_rsa(k, why, wl);
	case PGP_PK_ECDSA:
		if (k->n_fields != 2) {
			why_set(why, wl, "%s", "ECDSA key needs a curve and a point");
			return -EBADMSG;
		}
		if (oid_is(&k->field[0], oid_p256, sizeof(oid_p256)))
			return load_ec(k, "P-256", why, wl);
		if (oid_is(&k->field[0], oid_p384, sizeof(oid_p384)))
			return load_ec(k, "P-384", why, wl);
		if (oid_is(&k->field[0], oid_p521, sizeof(oid_p521)))
			return load_ec(k, "P-521", why, wl);
		{
			char name[64];

			why_set(why, wl, "ECDSA curve %s not supported",
				curve_name(&k->field[0], name, sizeof(name)));
		}
		return -EOPNOTSUPP;
	case PGP_PK_EDDSA_LEGACY:
		/* RFC 9580 §5.5.5.5: OID, then an MPI of 0x40 || 32-byte point;
		 * MUST NOT be used with v6 keys. */
		if (k->version != 4) {
			why_set(why, wl, "%s", "EdDSALegacy is not allowed in v6 keys");
			return -EBADMSG;
		}
		if (k->n_fields != 2 || !oid_is(&k->field[0], oid_ed25519, sizeof(oid_ed25519))) {
			why_set(why, wl, "%s", "EdDSALegacy key is not on Ed25519");
			return -EOPNOTSUPP;
		}
		if (k->field[1].len != 33 || k->field[1].p[0] != 0x40) {
			why_set(why, wl, "%s", "EdDSALegacy point lacks the 0x40 prefix");
			return -EBADMSG;
		}
		return load_raw(k, EVP_PKEY_ED25519, k->field[1].p + 1, 32, 32,
				"EdDSALegacy", why, wl);
	case PGP_PK_ED25519:
		if (k->n_fields != 1)
			return -EBADMSG;
		return load_raw(k, EVP_PKEY_ED25519, k->field[0].p, k->field[0].len, 32,
				"Ed25519", why, wl);
	case PGP_PK_ED448:
		if (k->n_fields != 1)
			return -EBADMSG;
		return load_raw(k, EVP_PKEY_ED448, k->field[0].p, k->field[0].len, 57,
				"Ed448", why, wl);
	case PGP_PK_RSA_E: case PGP_PK_ELGAMAL: case PGP_PK_ECDH:
	case PGP_PK_X25519: case PGP_PK_X448:
		why_set(why, wl, "%s keys cannot sign", dg_pgp_pk_algo_name(k->algo));
		return -EOPNOTSUPP;
	default:
		why_set(why, wl, "public-key algorithm %s not supported",
			dg_pgp_pk_algo_name(k->algo));
		return -EOPNOTSUPP;
	}
}

/* Left-pad @b to @width bytes into @out; -EBADMSG when it is wider. */
static int pad_to(const struct pgp_bytes *b, size_t width, uint8_t *out)
{
	if (b->len > width)
		return -EBADMSG;
	memset(out, 0, width - b->len);
	memcpy(out + width - b->len, b->p, b->len);
	return 0;
}

static int verify_rsa(const struct pgp_key *k, const struct pgp_sig *s,
		      const uint8_t *dg, size_t dl, char *why, size_t wl)
{
	uint8_t sig[PGP_RSA_BITS_MAX / 8];
	size_t width = (size_t)EVP_PKEY_get_size(k->pkey);
	EVP_PKEY_CTX *ctx;
	int r;

	if (s->n_mpi != 1 || width > sizeof(sig) || pad_to(&s->mpi[0], width, sig) < 0) {
		why_set(why, wl, "%s", "RSA signature value is wider than the modulus");
		return -EBADMSG;
	}
	ctx = EVP_PKEY_CTX_new(k->pkey, NULL);
	if (!ctx)
		return -ENOMEM;
	r = EVP_PKEY_verify_init(ctx) > 0 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
	    EVP_PKEY_CTX_set_signature_md(ctx, pgp_hash_md(s->hash_algo)) > 0 &&
	    EVP_PKEY_verify(ctx, sig, width, dg, dl) == 1;
	EVP_PKEY_CTX_free(ctx);
	return r ? 0 : -EKEYREJECTED;
}

static int verify_ecdsa(const struct pgp_key *k, const struct pgp_sig *s,
			const uint8_t *dg, size_t dl, char *why, size_t wl)
{
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *sv = NULL;
	unsigned char *der = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	int derlen, ok = 0;

	if (s->n_mpi != 2 || s->mpi[0].len > 66 || s->mpi[1].len > 66) {
		why_set(why, wl, "%s", "ECDSA signature needs r and s of curve size");
		return -EBADMSG;
	}
	es = ECDSA_SIG_new();
	r = BN_bin2bn(s->mpi[0].p, (int)s->mpi[0].len, NULL);
	sv = BN_bin2bn(s->mpi[1].p, (int)s->mpi[1].len, NULL);
	if (!es || !r || !sv || !ECDSA_SIG_set0(es, r, sv)) {
		BN_free(r);
		BN_free(sv);
		ECDSA_SIG_free(es);
		return -ENOMEM;
	}
	derlen = i2d_ECDSA_SIG(es, &der);
	ECDSA_SIG_free(es);
	if (derlen <= 0)
		return -ENOMEM;
	ctx = EVP_PKEY_CTX_new(k->pkey, NULL);
	if (ctx && EVP_PKEY_verify_init(ctx) > 0 &&
	    EVP_PKEY_verify(ctx, der, (size_t)derlen, dg, dl) == 1)
		ok = 1;
	EVP_PKEY_CTX_free(ctx);
	OPENSSL_free(der);
	return ok ? 0 : -EKEYREJECTED;
}

static int verify_eddsa(const struct pgp_key *k, const uint8_t *sig, size_t sl,
			const uint8_t *dg, size_t dl)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	int ok;

	if (!m)
		return -ENOMEM;
	/* EdDSA in OpenPGP signs the hash digest as the message (pure mode). */
	ok = EVP_DigestVerifyInit(m, NULL, NULL, NULL, k->pkey) > 0 &&
	     EVP_DigestVerify(m, sig, sl, dg, dl) == 1;
	EVP_MD_CTX_free(m);
	return ok ? 0 : -EKEYREJECTED;
}

int pgp_sig_verify_digest(const struct pgp_key *k, const struct pgp_sig *s,
			  const uint8_t *dg, size_t dl, char *why, size_t wl)
{
	uint8_t rs[64];

	if (!k->pkey) {
		why_set(why, wl, "%s", k->load_why[0] ? k->load_why : "key cannot sign");
		return k->load_err ? k->load_err : -EOPNOTSUPP;
	}
	if (s->pk_algo != k->algo &&
	    !(k->algo == PGP_PK_RSA && s->pk_algo == PGP_PK_RSA_S) &&
	    !(k->algo == PGP_PK_RSA_S && s->pk_algo == PGP_PK_RSA)) {
		why_set(why, wl, "%s", "signature algorithm does not match the key");
		return -EKEYREJECTED;
	}
	switch (k->algo) {
	case PGP_PK_RSA:
	case PGP_PK_RSA_S:
		return verify_rsa(k, s, dg, dl, why, wl);
	case PGP_PK_ECDSA:
		return verify_ecdsa(k, s, dg, dl, why, wl);
	case PGP_PK_EDDSA_LEGACY:
		/* r and s are MPIs of the 32-byte halves (RFC 9580 §5.2.3.3). */
		if (s->n_mpi != 2 || pad_to(&s->mpi[0], 32, rs) < 0 ||
		    pad_to(&s->mpi[1], 32, rs + 32) < 0) {
			why_set(why, wl, "%s", "EdDSALegacy signature needs r and s of 32 bytes");
			return -EBADMSG;
		}
		return verify_eddsa(k, rs, 64, dg, dl);
	case PGP_PK_ED25519:
		if (s->n_mpi != 1 || s->mpi[0].len != 64) {
			why_set(why, wl, "%s", "Ed25519 signature must be 64 bytes");
			return -EBADMSG;
		}
		return verify_eddsa(k, s->mpi[0].p, 64, dg, dl);
	case PGP_PK_ED448:
		if (s->n_mpi != 1 || s->mpi[0].len != 114) {
			why_set(why, wl, "%s", "Ed448 signature must be 114 bytes");
			return -EBADMSG;
		}
		return verify_eddsa(k, s->mpi[0].p, 114, dg, dl);
	default:
		why_set(why, wl, "%s", "algorithm cannot sign");
		return -EOPNOTSUPP;
	}
}

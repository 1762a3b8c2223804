// SPDX-License-Identifier: MIT
/*
 * Signature hashing, RFC 9580 §5.2.4: (v6: salt), the signed document or
 * key/user-ID framing, the hashed part of the signature packet, then the
 * trailer (version, 0xFF, 4-byte length).  Text-mode signatures hash the
 * document with line ends converted to CRLF (§5.2.1.2).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pgp_internal.h"

/* One update, to whichever hash this hasher runs. */
static int hupdate(struct pgp_hasher *h, const void *p, size_t n)
{
	if (h->own) {
		dg_sha256_update(&h->sha, p, n);
		return 1;
	}
	return EVP_DigestUpdate(h->ctx, p, n);
}

void pgp_hasher_continue(struct pgp_hasher *h, const struct dg_sha256 *sha)
{
	h->own = true;
	h->sha = *sha;
}

int pgp_hasher_init(struct pgp_hasher *h, const struct pgp_sig *s, int text)
{
	const EVP_MD *md = pgp_hash_md(s->hash_algo);

	memset(h, 0, sizeof(*h));
	if (!md)
		return -EOPNOTSUPP;
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx)
		return -ENOMEM;
	h->text = text;
	if (EVP_DigestInit_ex(h->ctx, md, NULL) != 1) {
		EVP_MD_CTX_free(h->ctx);
		h->ctx = NULL;
		return -EOPNOTSUPP;
	}
	if (s->version == 6 && EVP_DigestUpdate(h->ctx, s->salt.p, s->salt.len) != 1) {
		EVP_MD_CTX_free(h->ctx);
		h->ctx = NULL;
		return -EIO;
	}
	return 0;
}

int pgp_hasher_data(struct pgp_hasher *h, const void *data, size_t n)
{
	const uint8_t *p = data, *lf;

	if (!h->text)
		return hupdate(h, p, n) == 1 ? 0 : -EIO;
	while (n) {
		lf = memchr(p, '\n', n);
		if (!lf) {
			if (hupdate(h, p, n) != 1)
				return -EIO;
			h->pending_cr = p[n - 1] == '\r';
			return 0;
		}
		/* Bytes before the LF, then CRLF unless a CR already precedes. */
		if (lf > p && hupdate(h, p, (size_t)(lf - p)) != 1)
			return -EIO;
		if (lf > p ? lf[-1] == '\r' : h->pending_cr) {
			if (hupdate(h, "\n", 1) != 1)
				return -EIO;
		} else if (hupdate(h, "\r\n", 2) != 1) {
			return -EIO;
		}
		h->pending_cr = 0;
		n -= (size_t)(lf - p) + 1;
		p = lf + 1;
	}
	return 0;
}

int pgp_key_hash_prefix(const struct pgp_key *k, int version, uint8_t hdr[5], size_t *hl)
{
	if (version == 4) {
		if (k->body.len > 0xffff)
			return -EBADMSG;
		hdr[0] = 0x99;
		hdr[1] = (uint8_t)(k->body.len >> 8);
		hdr[2] = (uint8_t)k->body.len;
		*hl = 3;
	} else {
		if (k->body.len > 0xffffffffu)
			return -EBADMSG;
		hdr[0] = 0x9b;
		hdr[1] = (uint8_t)(k->body.len >> 24);
		hdr[2] = (uint8_t)(k->body.len >> 16);
		hdr[3] = (uint8_t)(k->body.len >> 8);
		hdr[4] = (uint8_t)k->body.len;
		*hl = 5;
	}
	return 0;
}

int pgp_hasher_key(struct pgp_hasher *h, const struct pgp_key *k, int sig_version)
{
	uint8_t hdr[5];
	size_t hl;
	int r = pgp_key_hash_prefix(k, sig_version, hdr, &hl);

	if (r < 0)
		return r;
	if (hupdate(h, hdr, hl) != 1 ||
	    hupdate(h, k->body.p, k->body.len) != 1)
		return -EIO;
	return 0;
}

int pgp_hasher_uid(struct pgp_hasher *h, uint8_t tag, const void *p, size_t n)
{
	uint8_t hdr[5] = { tag, (uint8_t)(n >> 24), (uint8_t)(n >> 16),
			   (uint8_t)(n >> 8), (uint8_t)n };

	if (hupdate(h, hdr, 5) != 1 || hupdate(h, p, n) != 1)
		return -EIO;
	return 0;
}

int pgp_hasher_finish(struct pgp_hasher *h, const struct pgp_sig *s,
		      uint8_t dg[EVP_MAX_MD_SIZE], unsigned int *dl)
{
	uint8_t trailer[6];

	if (s->hashed.len > 0xffffffffu)
		return -EBADMSG;
	trailer[0] = (uint8_t)s->version;
	trailer[1] = 0xff;
	trailer[2] = (uint8_t)(s->hashed.len >> 24);
	trailer[3] = (uint8_t)(s->hashed.len >> 16);
	trailer[4] = (uint8_t)(s->hashed.len >> 8);
	trailer[5] = (uint8_t)s->hashed.len;
	if (hupdate(h, s->hashed.p, s->hashed.len) != 1 || hupdate(h, trailer, 6) != 1)
		return -EIO;
	if (h->own) {
		dg_sha256_final(&h->sha, dg);
		*dl = 32;
		return 0;
	}
	if (EVP_DigestFinal_ex(h->ctx, dg, dl) != 1)
		return -EIO;
	return 0;
}

int pgp_check_digest(const struct pgp_sig *s, const struct pgp_key *k,
		     const uint8_t *dg, unsigned int dl, char *why, size_t wl)
{
	if (dl < 2 || dg[0] != s->left16[0] || dg[1] != s->left16[1]) {
		snprintf(why, wl, "digest does not match the signature's left 16 bits");
		return -EKEYREJECTED;
	}
	/*
	 * The hash-size rules below keep a weak hash from making a signature
	 * that grants something.  A key or subkey revocation only takes
	 * validity away: one over a shorter hash (gpg 2.2 makes EdDSA ones
	 * over SHA-1 when asked) still counts, as in Sequoia.  A user ID
	 * revocation (0x30) is not exempt: it can bring an older binding back.
	 */
	if (s->type == PGP_SIG_KEY_REVOCATION || s->type == PGP_SIG_SUBKEY_REVOCATION)
		return pgp_sig_verify_digest(k, s, dg, dl, why, wl);
	/* RFC 9580 §5.2.3.4/5: Ed25519 needs >= 256-bit, Ed448 >= 512-bit hashes. */
	if (k->algo == PGP_PK_ED448 && dl < 64) {
		snprintf(why, wl, "Ed448 signature with a hash shorter than 512 bits");
		return -EKEYREJECTED;
	}
	if (k->algo == PGP_PK_ED25519 && dl < 32) {
		snprintf(why, wl, "Ed25519 signature with a hash shorter than 256 bits");
		return -EKEYREJECTED;
	}
	/* §5.2.3.2/3: ECDSA and EdDSALegacy need a hash at least the curve's
	 * size, except that 512 bits do for P-521. */
	if ((k->algo == PGP_PK_ECDSA || k->algo == PGP_PK_EDDSA_LEGACY) &&
	    dl * 8u < (k->bits < 512 ? k->bits : 512)) {
		snprintf(why, wl, "%s signature on a %u-bit curve with a %u-bit hash (at least %u needed)",
			 k->algo == PGP_PK_ECDSA ? "ECDSA" : "EdDSALegacy", k->bits, dl * 8u,
			 k->bits < 512 ? k->bits : 512);
		return -EKEYREJECTED;
	}
	return pgp_sig_verify_digest(k, s, dg, dl, why, wl);
}

int pgp_hasher_finish_verify(struct pgp_hasher *h, const struct pgp_sig *s,
			     const struct pgp_key *k, char *why, size_t wl)
{
	uint8_t dg[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;
	int r = pgp_hasher_finish(h, s, dg, &dl);

	return r < 0 ? r : pgp_check_digest(s, k, dg, dl, why, wl);
}

void pgp_hasher_free(struct pgp_hasher *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

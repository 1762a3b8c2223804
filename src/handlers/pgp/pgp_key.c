// SPDX-License-Identifier: MIT
/* Public-key packets v4/v6 (RFC 9580 §5.5) and algorithm-specific fields. */
#include <errno.h>
#include <string.h>

#include "cursor.h"
#include "pgp_parse.h"

#define PGP_MPI_BITS_MAX 16384u	/* RSA-16384; larger is not a real key */

enum field_spec { F_END, F_MPI, F_OID, F_KDF, F_N32, F_N56, F_N57, F_N64, F_N114 };

struct algo_fields {
	uint8_t algo;
	uint8_t key[5];
	uint8_t sig[3];
};

/* RFC 9580 §5.5.5 (keys) and §5.2.3 (signatures). */
static const struct algo_fields algo_table[] = {
	{ 1, { F_MPI, F_MPI }, { F_MPI } },			/* RSA */
	{ 2, { F_MPI, F_MPI }, { F_MPI } },			/* RSA encrypt-only */
	{ 3, { F_MPI, F_MPI }, { F_MPI } },			/* RSA sign-only */
	{ 16, { F_MPI, F_MPI, F_MPI }, { F_MPI, F_MPI } },	/* Elgamal */
	{ 17, { F_MPI, F_MPI, F_MPI, F_MPI }, { F_MPI, F_MPI } }, /* DSA */
	{ 18, { F_OID, F_MPI, F_KDF }, { F_END } },		/* ECDH */
	{ 19, { F_OID, F_MPI }, { F_MPI, F_MPI } },		/* ECDSA */
	{ 22, { F_OID, F_MPI }, { F_MPI, F_MPI } },		/* EdDSALegacy */
	{ 25, { F_N32 }, { F_END } },				/* X25519 */
	{ 26, { F_N56 }, { F_END } },				/* X448 */
	{ 27, { F_N32 }, { F_N64 } },				/* Ed25519 */
	{ 28, { F_N57 }, { F_N114 } },				/* Ed448 */
};

static int put_field(struct pgp_ans *a, uint8_t kind, uint16_t bits,
		     const uint8_t *whole, size_t wlen, const uint8_t *val, size_t vlen)
{
	int r = dg_buf_put_u8(a->b, kind);

	if (!r)
		r = dg_buf_put_u8(a->b, 0);
	if (!r)
		r = dg_buf_put_le16(a->b, bits);
	if (r < 0)
		return pgp_ans_err(a, r);
	r = pgp_ans_span(a, whole, wlen);
	if (!r)
		r = pgp_ans_span(a, val, vlen);
	return r;
}

int pgp_fields(struct pgp_ans *a, struct dg_cur *c, uint8_t algo, int sig, int v6,
	       uint32_t index)
{
	static const size_t native_len[] = {
		[F_N32] = 32, [F_N56] = 56, [F_N57] = 57, [F_N64] = 64, [F_N114] = 114,
	};
	const struct algo_fields *t = NULL;
	const uint8_t *spec;
	struct dg_cur v;
	size_t i, n, nspec;
	int r, count = 0;

	for (i = 0; i < sizeof(algo_table) / sizeof(algo_table[0]); i++)
		if (algo_table[i].algo == algo)
			t = &algo_table[i];
	if (!t)
		return -EOPNOTSUPP;
	spec = sig ? t->sig : t->key;
	nspec = sig ? sizeof(t->sig) : sizeof(t->key);
	if (sig && spec[0] == F_END)
		return pgp_fail(a->e, -EBADMSG,
				"packet %u: algorithm %u cannot make signatures", index, algo);
	for (i = 0; i < nspec && spec[i] != F_END; i++) {
		const uint8_t *start = c->p;
		uint16_t bits = 0;
		uint8_t l8, kind;

		switch (spec[i]) {
		case F_MPI:
			kind = PGP_FIELD_MPI;
			if (cur_be16(c, &bits) < 0)
				goto short_;
			n = (bits + 7u) / 8u;
			/* One that runs past its packet is malformed, not big:
			 * a signature with it is ignored (RFC 9580 §5.2.5). */
			if (n > c->len)
				goto short_;
			if (bits > PGP_MPI_BITS_MAX)
				return pgp_fail(a->e, -E2BIG,
						"packet %u: MPI of %u bits exceeds limit %u",
						index, bits, PGP_MPI_BITS_MAX);
			break;
		case F_OID:
		case F_KDF:
			kind = spec[i] == F_OID ? PGP_FIELD_OID : PGP_FIELD_KDF;
			if (cur_u8(c, &l8) < 0)
				goto short_;
			if (l8 == 0 || l8 == 0xFF)
				return pgp_fail(a->e, -EBADMSG,
						"packet %u: reserved %s length %u", index,
						spec[i] == F_OID ? "OID" : "KDF", l8);
			n = l8;
			break;
		default:
			kind = PGP_FIELD_NATIVE;
			n = native_len[spec[i]];
			break;
		}
		if (cur_take(c, n, &v) < 0)
			goto short_;
		/* The bit count starts at the most significant set bit. */
		if (v6 && kind == PGP_FIELD_MPI && !pgp_mpi_canonical(v.p, bits))
			return pgp_fail(a->e, -EBADMSG,
					"packet %u: MPI %zu of %u bits is not in canonical form "
					"(v6 packet, RFC 9580 section 3.2)", index, i, bits);
		r = put_field(a, kind, bits, start, (size_t)(c->p - start), v.p, v.len);
		if (r < 0)
			return r;
		count++;
	}
	return count;
short_:
	return pgp_fail(a->e, -ENODATA, "packet %u: key material truncated", index);
}

/* The parsed fields of a KEY record, filled in by key_body(). */
struct key_rec {
	uint32_t created, matlen;
	uint8_t algo;
	uint16_t flags;
	size_t keylen;
	int nfield;
};

/*
 * A v4/v6 key packet body after its version octet (@c), into @k and FIELD
 * entries.  -EBADMSG and -ENODATA mean that the packet is malformed;
 * anything else is a limit or the answer's own failure.
 */
static int key_body(struct pgp_ans *a, uint32_t index, uint8_t version, const uint8_t *body,
		    struct dg_cur c, struct key_rec *k)
{
	struct dg_cur mat;
	int r;

	if (cur_be32(&c, &k->created) < 0 || cur_u8(&c, &k->algo) < 0)
		return pgp_fail(a->e, -ENODATA, "packet %u: key header truncated", index);
	if (version == 6) {
		if (cur_be32(&c, &k->matlen) < 0)
			return pgp_fail(a->e, -ENODATA, "packet %u: key header truncated", index);
		if (cur_take(&c, k->matlen, &mat) < 0)
			return pgp_fail(a->e, -ENODATA,
					"packet %u: key material length %u exceeds packet",
					index, k->matlen);
	} else {
		mat = c;
	}
	k->nfield = pgp_fields(a, &mat, k->algo, 0, version == 6, index);
	if (k->nfield == -EOPNOTSUPP) {
		k->flags |= PGP_KEY_F_UNKNOWN_ALGO;
		k->nfield = 0;
		if (version == 6) {
			/* v6 says how long the material is. */
			r = put_field(a, PGP_FIELD_OPAQUE, 0, mat.p, mat.len, mat.p, mat.len);
			if (r < 0)
				return r;
			k->nfield = 1;
		}
		/* v4: the public part's end is unknown, so a secret key's
		 * public part is the whole body. */
		mat.len = 0;
	} else if (k->nfield < 0) {
		return k->nfield;
	}
	if (version == 6 && mat.len)
		return pgp_fail(a->e, -EBADMSG, "packet %u: %zu bytes after the v6 key material",
				index, mat.len);
	if (version == 4)
		c = mat;
	if (k->flags & PGP_KEY_F_SECRET) {
		/* Secret keys: only the public prefix is reported. */
		if (!(k->flags & PGP_KEY_F_UNKNOWN_ALGO && version == 4))
			k->keylen = (size_t)(c.p - body);
	} else if (c.len) {
		return pgp_fail(a->e, -EBADMSG,
				"packet %u: %zu trailing bytes after the key material", index,
				c.len);
	}
	return 0;
}

/*
 * A key packet that does not parse (truncated, material that does not fit
 * its algorithm or its packet) is one key that is not used, not a broken
 * input: anyone can append packets to a certificate, and a keyring must
 * not stop verifying because someone appended junk (RFC 9580 §5.2.5 says
 * the same of signatures; unknown versions and algorithms are skipped
 * alike).  It becomes a KEY record with PGP_KEY_F_MALFORMED, its version
 * octet and (v4/v6 with the octets) algorithm octet, the whole body as key
 * body and nothing else; the core finds the defect itself before it
 * believes the claim.  Limits (-E2BIG) still fail the whole answer.
 */
int pgp_key_record(struct pgp_ans *a, uint32_t index, uint8_t tag,
		   const uint8_t *body, size_t len)
{
	struct dg_cur c = cur_init(body, len);
	struct key_rec k = { .keylen = len };
	uint8_t version = 0;
	size_t mark, fixed;
	int r = 0;

	if (tag == 5 || tag == 7) {
		k.flags |= PGP_KEY_F_SECRET;
		a->flags |= PGP_ANS_F_SECRET_KEY;
	}
	if (tag == 7 || tag == 14)
		k.flags |= PGP_KEY_F_SUBKEY;
	r = pgp_ans_rec_begin_fixed(a, PGP_REC_KEY, PGP_REC_KEY_FIXED, &mark, &fixed);
	if (r < 0)
		return r;

	if (cur_u8(&c, &version) < 0) {
		r = pgp_fail(a->e, -ENODATA, "packet %u: empty key packet", index);
	} else if (version == 4 || version == 6) {
		r = key_body(a, index, version, body, c, &k);
	} else {
		k.flags |= PGP_KEY_F_UNSUPPORTED;
		a->flags |= PGP_ANS_F_UNSUPPORTED;
	}
	if (r == -EBADMSG || r == -ENODATA) {
		a->b->len = fixed + PGP_REC_KEY_FIXED;
		k.flags = (uint16_t)((k.flags & (PGP_KEY_F_SECRET | PGP_KEY_F_SUBKEY)) |
				     PGP_KEY_F_MALFORMED);
		k.algo = len >= 6 ? body[5] : 0;
		k.created = k.matlen = 0;
		k.keylen = len;
		k.nfield = 0;
		a->e->msg[0] = '\0';
		r = 0;
	}
	if (r < 0)
		return r;
	{
		uint8_t *f = a->b->data + fixed;

		put_le32(f + 0, index);
		f[4] = version;
		f[5] = k.algo;
		put_le16(f + 6, k.flags);
		put_le32(f + 8, k.created);
		put_le32(f + 12, k.matlen);
		put_le32(f + 16, (uint32_t)(body - a->base));
		put_le32(f + 20, (uint32_t)k.keylen);
		put_le32(f + 24, (uint32_t)k.nfield);
	}
	return pgp_ans_rec_end(a, mark);
}

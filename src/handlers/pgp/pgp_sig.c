// SPDX-License-Identifier: MIT
/* Signature packets v3/v4/v6 with subpackets (RFC 9580 §5.2), one-pass
 * signatures (§5.4). */
#include <errno.h>
#include <string.h>

#include "cursor.h"
#include "pgp_parse.h"

int pgp_v6_salt_len(uint8_t hash_algo)
{
	switch (hash_algo) {
	case 8: case 11: case 12:	/* SHA2-256, SHA2-224, SHA3-256 */
		return 16;
	case 9:				/* SHA2-384 */
		return 24;
	case 10: case 14:		/* SHA2-512, SHA3-512 */
		return 32;
	default:
		return -1;
	}
}

/* Subpacket types RFC 9580 §5.2.3.7 defines (the handler "knows" them). */
static int sub_known(uint8_t type)
{
	switch (type) {
	case 2: case 3: case 4: case 5: case 6: case 7: case 9: case 11:
	case 12: case 16: case 20: case 21: case 22: case 23: case 24:
	case 25: case 26: case 27: case 28: case 29: case 30: case 31:
	case 32: case 33: case 35: case 39:
		return 1;
	default:
		return 0;
	}
}

struct sig_state {
	uint32_t index;
	uint32_t nsub;
	uint32_t flags;
	uint32_t created;
	const uint8_t *issuer;
	size_t issuer_len;
	int issuer_fpr;
};

/* Walk one subpacket area, appending SUBPACKET entries. */
static int subpackets(struct pgp_ans *a, struct sig_state *s, struct dg_cur area,
		      int hashed)
{
	while (area.len) {
		const uint8_t *start = area.p;
		uint8_t o1, o2, type, hdrlen, fl = 0;
		uint32_t n;
		struct dg_cur body;
		int r;

		if (s->nsub >= PGP_SUBPACKETS_MAX)
			return pgp_fail(a->e, -E2BIG,
					"packet %u: subpacket count exceeds limit %u",
					s->index, PGP_SUBPACKETS_MAX);
		if (cur_u8(&area, &o1) < 0)
			goto short_;
		if (o1 < 192) {
			n = o1;
			hdrlen = 2;
		} else if (o1 < 255) {
			if (cur_u8(&area, &o2) < 0)
				goto short_;
			n = ((uint32_t)(o1 - 192) << 8) + o2 + 192;
			hdrlen = 3;
		} else {
			if (cur_be32(&area, &n) < 0)
				goto short_;
			hdrlen = 6;
		}
		if (n == 0)
			return pgp_fail(a->e, -EBADMSG,
					"packet %u: subpacket %u has length 0", s->index, s->nsub);
		if (cur_u8(&area, &type) < 0 || cur_take(&area, n - 1, &body) < 0)
			goto short_;
		if (type & 0x80)
			fl |= PGP_SUB_F_CRITICAL;
		type &= 0x7f;
		if (hashed)
			fl |= PGP_SUB_F_HASHED;
		if (sub_known(type))
			fl |= PGP_SUB_F_KNOWN;
		/* the unhashed area is not signed: anyone can add one.  The
		 * core carries out neither a signature target (31) nor AEAD
		 * preferences (39): critical, they invalidate it too. */
		if ((fl & PGP_SUB_F_CRITICAL) && hashed &&
		    (!(fl & PGP_SUB_F_KNOWN) || type == 31 || type == 39))
			s->flags |= PGP_SIG_F_UNKNOWN_CRITICAL;
		/* Of several creation times the last counts (RFC 9580 §5.2.4.1
		 * "SHOULD use the last"; Sequoia and openpgp.js do); the core
		 * does the same. */
		if (type == 2 && hashed && body.len == 4) {
			s->created = (uint32_t)body.p[0] << 24 | (uint32_t)body.p[1] << 16 |
				     (uint32_t)body.p[2] << 8 | body.p[3];
			s->flags |= PGP_SIG_F_HAS_CREATED;
		}
		/*
		 * Only a well-formed Issuer Fingerprint counts (v4: 1 + 20 bytes,
		 * v6: 1 + 32), as in the core's re-check; a malformed one must not
		 * hide a later Issuer Key ID subpacket.
		 */
		if (type == 33 && !s->issuer_fpr &&
		    ((body.len == 21 && body.p[0] == 4) || (body.len == 33 && body.p[0] == 6))) {
			s->issuer = body.p;
			s->issuer_len = body.len;
			s->issuer_fpr = 1;
		} else if (type == 16 && !s->issuer && body.len == 8) {
			s->issuer = body.p;
			s->issuer_len = body.len;
		}
		r = dg_buf_put_le32(a->b, (uint32_t)(start - a->base));
		if (!r)
			r = dg_buf_put_u8(a->b, hdrlen);
		if (!r)
			r = dg_buf_put_u8(a->b, type);
		if (!r)
			r = dg_buf_put_u8(a->b, fl);
		if (!r)
			r = dg_buf_put_u8(a->b, 0);
		if (r < 0)
			return pgp_ans_err(a, r);
		r = pgp_ans_span(a, body.p, body.len);
		if (r < 0)
			return r;
		s->nsub++;
	}
	return 0;
short_:
	return pgp_fail(a->e, -EBADMSG, "packet %u: subpacket %u overruns its area",
			s->index, s->nsub);
}

/*
 * The body of a SIG record after its fixed part, which starts at @fixed in
 * the answer buffer and is filled in last.  -EBADMSG and -ENODATA mean
 * that the packet is malformed; anything else is a limit or the answer's
 * own failure.
 */
static int sig_body(struct pgp_ans *a, uint32_t index, const uint8_t *body, size_t len,
		    size_t fixed)
{
	struct dg_cur c = cur_init(body, len), hashed = { body, 0 }, unhashed = { body, 0 };
	struct dg_cur left = { body, 0 }, salt = { body, 0 }, prefix = { body, 0 };
	struct sig_state s = { .index = index };
	uint8_t version, type = 0, pk = 0, hash = 0, l5, slen;
	int r, nfield = 0;

	if (cur_u8(&c, &version) < 0)
		return pgp_fail(a->e, -ENODATA, "packet %u: empty signature packet", index);
	if (version == 3) {
		/* RFC 9580 §5.2.2: parsed for the record, never verified. */
		struct dg_cur keyid;

		if (cur_u8(&c, &l5) < 0 || l5 != 5)
			return pgp_fail(a->e, -EBADMSG,
					"packet %u: v3 signature hashed length must be 5", index);
		prefix.p = c.p;
		prefix.len = 5;
		if (cur_u8(&c, &type) < 0 || cur_be32(&c, &s.created) < 0 ||
		    cur_take(&c, 8, &keyid) < 0 || cur_u8(&c, &pk) < 0 ||
		    cur_u8(&c, &hash) < 0 || cur_take(&c, 2, &left) < 0)
			return pgp_fail(a->e, -ENODATA, "packet %u: v3 signature truncated", index);
		s.issuer = keyid.p;
		s.issuer_len = 8;
		s.flags |= PGP_SIG_F_UNSUPPORTED;
		a->flags |= PGP_ANS_F_UNSUPPORTED;
	} else if (version == 4 || version == 6) {
		uint32_t hl = 0, ul = 0;
		uint16_t h16;

		if (cur_u8(&c, &type) < 0 || cur_u8(&c, &pk) < 0 || cur_u8(&c, &hash) < 0)
			return pgp_fail(a->e, -ENODATA, "packet %u: signature truncated", index);
		if (version == 4) {
			if (cur_be16(&c, &h16) < 0)
				goto short_;
			hl = h16;
		} else if (cur_be32(&c, &hl) < 0) {
			goto short_;
		}
		if (cur_take(&c, hl, &hashed) < 0)
			return pgp_fail(a->e, -ENODATA,
					"packet %u: hashed subpacket area of %u bytes exceeds packet",
					index, hl);
		prefix.p = body;
		prefix.len = (size_t)(c.p - body);
		if (version == 4) {
			if (cur_be16(&c, &h16) < 0)
				goto short_;
			ul = h16;
		} else if (cur_be32(&c, &ul) < 0) {
			goto short_;
		}
		if (cur_take(&c, ul, &unhashed) < 0)
			return pgp_fail(a->e, -ENODATA,
					"packet %u: unhashed subpacket area of %u bytes exceeds packet",
					index, ul);
		if (cur_take(&c, 2, &left) < 0)
			goto short_;
		if (version == 6) {
			int want = pgp_v6_salt_len(hash);

			if (cur_u8(&c, &slen) < 0 || cur_take(&c, slen, &salt) < 0)
				goto short_;
			if (want >= 0 && slen != want)
				return pgp_fail(a->e, -EBADMSG,
						"packet %u: v6 salt of %u bytes, hash %u needs %d",
						index, slen, hash, want);
		}
		r = subpackets(a, &s, hashed, 1);
		if (!r)
			r = subpackets(a, &s, unhashed, 0);
		if (r < 0)
			return r;
	} else {
		s.flags |= PGP_SIG_F_UNSUPPORTED;
		a->flags |= PGP_ANS_F_UNSUPPORTED;
		c.len = 0;
	}
	if (c.len) {
		struct dg_cur mat = c;

		/* Bytes after the material are left out of it, as Sequoia
		 * and GnuPG do (docs/pgp-differences.md): they are not signed,
		 * and a revocation with some must not lose its force. */
		nfield = pgp_fields(a, &mat, pk, 1, version == 6, index);
		if (nfield == -EOPNOTSUPP) {
			s.flags |= PGP_SIG_F_UNKNOWN_ALGO;
			nfield = 0;
		} else if (nfield < 0) {
			return nfield;
		}
	} else if (!(s.flags & PGP_SIG_F_UNSUPPORTED)) {
		goto short_;
	}
	if (s.flags & PGP_SIG_F_UNKNOWN_CRITICAL)
		a->flags |= PGP_ANS_F_SIG_UNKNOWN_CRITICAL;
	{
		uint8_t *f = a->b->data + fixed;

		put_le32(f + 0, index);
		f[4] = version;
		f[5] = type;
		f[6] = pk;
		f[7] = hash;
		put_le32(f + 8, s.flags);
		put_le32(f + 12, s.created);
#define PUT_SPAN(o, p_, n_) do { put_le32(f + (o), (uint32_t)((p_) - a->base)); \
				 put_le32(f + (o) + 4, (uint32_t)(n_)); } while (0)
		PUT_SPAN(16, prefix.p, prefix.len);
		PUT_SPAN(24, hashed.p, hashed.len);
		PUT_SPAN(32, unhashed.p, unhashed.len);
		PUT_SPAN(40, left.p, left.len);
		PUT_SPAN(48, salt.p, salt.len);
		if (s.issuer)
			PUT_SPAN(56, s.issuer, s.issuer_len);
#undef PUT_SPAN
		put_le32(f + 64, s.nsub);
		put_le32(f + 68, (uint32_t)nfield);
	}
	return 0;
short_:
	return pgp_fail(a->e, -ENODATA, "packet %u: signature truncated", index);
}

/*
 * A malformed signature packet is one signature that does not count, not a
 * broken input: RFC 9580 §5.2.5 says to ignore it "for validation purposes"
 * and not to "halt processing on the packet stream or reject other
 * signatures in the same packet stream".  It becomes a SIG record with
 * PGP_SIG_F_MALFORMED, the version octet and, when the packet has them, the
 * type and algorithm octets, and nothing else; the core finds the defect
 * itself before it believes the claim.  Limits (-E2BIG) still fail the
 * whole answer.
 */
int pgp_sig_record(struct pgp_ans *a, uint32_t index, const uint8_t *body,
		   size_t len)
{
	size_t mark, fixed;
	uint8_t *f;
	int r;

	r = pgp_ans_rec_begin_fixed(a, PGP_REC_SIG, PGP_REC_SIG_FIXED, &mark, &fixed);
	if (r < 0)
		return r;
	r = sig_body(a, index, body, len, fixed);
	if (r == -EBADMSG || r == -ENODATA) {
		a->b->len = fixed + PGP_REC_SIG_FIXED;
		f = a->b->data + fixed;
		memset(f, 0, PGP_REC_SIG_FIXED);
		put_le32(f + 0, index);
		if (len >= 1)
			f[4] = body[0];
		if (len >= 4 && body[0] != 3) {
			f[5] = body[1];
			f[6] = body[2];
			f[7] = body[3];
		}
		put_le32(f + 8, PGP_SIG_F_MALFORMED);
		a->e->msg[0] = '\0';
		r = 0;
	}
	if (r < 0)
		return r;
	return pgp_ans_rec_end(a, mark);
}

/*
 * A one-pass signature packet (RFC 9580 §5.4): its fields, or -EBADMSG /
 * -ENODATA when it does not parse.
 */
static int ops_fields(struct pgp_ans *a, uint32_t index, const uint8_t *body, size_t len,
		      uint8_t f[5], struct dg_cur *issuer, struct dg_cur *salt)
{
	struct dg_cur c = cur_init(body, len);
	uint8_t slen;

	if (cur_u8(&c, &f[0]) < 0 || cur_u8(&c, &f[1]) < 0 ||
	    cur_u8(&c, &f[2]) < 0 || cur_u8(&c, &f[3]) < 0)
		goto short_;
	if (f[0] == 3) {
		if (cur_take(&c, 8, issuer) < 0)
			goto short_;
	} else if (f[0] == 6) {
		int want = pgp_v6_salt_len(f[2]);

		if (cur_u8(&c, &slen) < 0 || cur_take(&c, slen, salt) < 0 ||
		    cur_take(&c, 32, issuer) < 0)
			goto short_;
		if (want >= 0 && slen != want)
			return pgp_fail(a->e, -EBADMSG,
					"packet %u: v6 salt of %u bytes, hash %u needs %d",
					index, slen, f[2], want);
	} else {
		return pgp_fail(a->e, -EBADMSG,
				"packet %u: one-pass signature version %u unknown", index, f[0]);
	}
	if (cur_u8(&c, &f[4]) < 0)
		goto short_;
	if (c.len)
		return pgp_fail(a->e, -EBADMSG,
				"packet %u: %zu trailing bytes in one-pass signature", index, c.len);
	return 0;
short_:
	return pgp_fail(a->e, -ENODATA, "packet %u: one-pass signature truncated", index);
}

/*
 * A one-pass signature that does not parse makes the signature it announces
 * one that does not count (RFC 9580 §5.2.5 names "a signature packet (or
 * its corresponding One-Pass Signature packet)"), not a broken message: an
 * OPS record with PGP_OPS_F_MALFORMED, the octets it has, no spans.
 */
int pgp_ops_record(struct pgp_ans *a, uint32_t index, const uint8_t *body,
		   size_t len)
{
	struct dg_cur issuer = { body, 0 }, salt = { body, 0 };
	uint8_t f[5] = { 0, 0, 0, 0, 1 }, flags = 0;
	size_t mark;
	int r;

	r = ops_fields(a, index, body, len, f, &issuer, &salt);
	if (r == -EBADMSG || r == -ENODATA) {
		memset(f, 0, sizeof(f));
		memcpy(f, body, len < 4 ? len : 4);
		f[4] = 1;
		issuer.len = salt.len = 0;
		flags = PGP_OPS_F_MALFORMED;
		a->e->msg[0] = '\0';
	} else if (r < 0) {
		return r;
	}
	r = pgp_ans_rec_begin(a, PGP_REC_OPS, &mark);
	if (r < 0)
		return r;
	r = dg_buf_put_le32(a->b, index);
	if (!r)
		r = dg_buf_put(a->b, (uint8_t[]){ f[0], f[1], f[2], f[3], f[4], flags, 0, 0 }, 8);
	if (r < 0)
		return pgp_ans_err(a, r);
	r = pgp_ans_span(a, issuer.p, issuer.len);
	if (!r)
		r = pgp_ans_span(a, salt.p, salt.len);
	if (r < 0)
		return r;
	return pgp_ans_rec_end(a, mark);
}

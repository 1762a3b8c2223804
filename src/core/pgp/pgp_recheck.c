// SPDX-License-Identifier: MIT
/*
 * Re-checking the pgp handler's answers (DESIGN.md §5, pgp_proto.h).
 *
 * The answer is untrusted: it is read only through the bounded cursor, every
 * count is bounded by the record length before it sizes a loop or an
 * allocation, and every span must lie inside the input.  Beyond bounds, the
 * core re-derives each structural claim from the ORIGINAL input bytes with
 * fixed-size reads only: packet framing octets, the fixed fields of key and
 * signature packets, the tiling of subpackets and of key/signature material,
 * and the values of the subpackets it acts on.  A claim that does not match
 * rejects the whole answer with -EBADMSG and a message saying which.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <endian.h>

#include "cursor.h"
#include "pgp_frame.h"
#include "pgp_internal.h"
#include "../../handlers/pgp/pgp_proto.h"

/* Bounds the core applies to answers on top of the handler's own. */
#define RC_PACKETS_MAX PGP_PACKETS_MAX
#define RC_BLOCKS_MAX PGP_ARMOR_BLOCKS_MAX
#define RC_CT_HASHES_MAX 16u	/* cleartext Hash: values (the handler's limit) */

static int fail(char *why, size_t wl, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *why, size_t wl, int err, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(why, wl, PGP_ANSWER_REJECTED ": ");

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < wl)
		vsnprintf(why + n, wl - (size_t)n, fmt, ap);
	va_end(ap);
	return err;
}

#define BAD(...) fail(why, wl, -EBADMSG, __VA_ARGS__)

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int get_span(struct dg_cur *c, size_t in_len, struct pgp_span *s)
{
	if (cur_le32(c, &s->off) < 0 || cur_le32(c, &s->len) < 0)
		return -ENODATA;
	if ((uint64_t)s->off + s->len > in_len)
		return -ERANGE;
	return 0;
}

static uint32_t span_end(const struct pgp_span *s)
{
	return s->off + s->len;
}

static struct pgp_bytes bytes_of(const uint8_t *in, const struct pgp_span *s)
{
	struct pgp_bytes b = { in + s->off, s->len };

	return b;
}

static int span_eq(const struct pgp_span *a, uint64_t off, uint64_t len)
{
	return a->off == off && a->len == len;
}

/* Answer header; leaves @recs at the first record. */
static int ans_open(const uint8_t *ans, size_t ans_len, uint16_t req, size_t in_len,
		    uint32_t *flags, uint32_t *nrec, struct dg_cur *recs,
		    char *why, size_t wl)
{
	struct dg_cur c = cur_init(ans, ans_len);
	uint32_t magic, ilen, res;
	uint16_t ver, type;

	if (cur_le32(&c, &magic) < 0 || cur_le16(&c, &ver) < 0 || cur_le16(&c, &type) < 0 ||
	    cur_le32(&c, flags) < 0 || cur_le32(&c, nrec) < 0 || cur_le32(&c, &ilen) < 0 ||
	    cur_le32(&c, &res) < 0)
		return BAD("answer shorter than its %d-byte header", PGP_ANS_HDR_LEN);
	if (magic != PGP_ANS_MAGIC || ver != PGP_PROTO_VERSION || type != req)
		return BAD("answer magic/version/type mismatch (type 0x%x for request 0x%x)",
			   type, req);
	if (ilen != in_len)
		return BAD("answer is about %u input bytes, the input has %zu", ilen, in_len);
	if (*nrec > PGP_ANS_RECORDS_MAX)
		return fail(why, wl, -E2BIG, "answer record count %u exceeds limit %u",
			    *nrec, PGP_ANS_RECORDS_MAX);
	*recs = c;
	return 0;
}

static int rec_next(struct dg_cur *recs, uint16_t *type, struct dg_cur *body,
		    char *why, size_t wl)
{
	uint16_t res;
	uint32_t len;

	if (cur_le16(recs, type) < 0 || cur_le16(recs, &res) < 0 || cur_le32(recs, &len) < 0 ||
	    cur_take(recs, len, body) < 0)
		return BAD("record runs past the end of the answer");
	return 0;
}

/* Body length must be fixed + count * size exactly (64-bit arithmetic). */
static int arr_len_ok(const struct dg_cur *body, size_t fixed, uint64_t count, size_t size)
{
	return (uint64_t)body->len == fixed + count * size;
}

/* ---------------------------------------------------------------- PARSE */

static int is_partial_ok(int tag)
{
	return tag == 8 || tag == 9 || tag == 11 || tag == 18 || tag == 20;
}

/*
 * Decode the framing octets at @hdr of the input ourselves and compare with
 * what the handler said.  Returns the body length (or the first chunk's
 * length for partial packets) in *@len.
 */
static int check_header(const uint8_t *in, size_t in_len, const struct pgp_span *hdr,
			int claimed_tag, int claimed_fmt, int *partial, uint64_t *len,
			char *why, size_t wl)
{
	struct dg_cur c = cur_init(in + hdr->off, hdr->len);
	struct pgp_frame f;
	int r = pgp_frame_decode(&c, &f), tag, fmt;

	*partial = 0;
	if (r == -EPROTO || (r < 0 && !hdr->len))
		return BAD("packet at %u: header octet lacks bit 7", hdr->off);
	if (r < 0)
		return BAD("packet at %u: header span too short", hdr->off);
	tag = f.tag;
	fmt = f.fmt;
	*partial = f.kind == PGP_FRAME_PARTIAL;
	/* indeterminate: to the end of the input */
	*len = f.kind == PGP_FRAME_INDETERMINATE ? in_len - span_end(hdr) : f.len;
	if (c.len)
		return BAD("packet at %u: header span is %u bytes, framing needs %u",
			   hdr->off, hdr->len, hdr->len - (uint32_t)c.len);
	if (tag != claimed_tag || fmt != claimed_fmt)
		return BAD("packet at %u: claimed tag %d, framing says %d", hdr->off,
			   claimed_tag, tag);
	return 0;
}

/* A growable list of the current packet's chunk data spans. */
struct chunks {
	struct pgp_span *v;
	size_t n, cap;
};

static int check_chunks(const uint8_t *in, struct dg_cur *body, uint32_t nchunk,
			const struct pgp_span *hdr, const struct pgp_span *pbody,
			uint64_t first_len, size_t in_len, struct chunks *ch,
			char *why, size_t wl)
{
	uint64_t pos = (uint64_t)hdr->off + 1;
	uint32_t i;

	if (nchunk > PGP_CHUNKS_MAX)
		return fail(why, wl, -E2BIG, "chunk count %u exceeds limit %u", nchunk,
			    PGP_CHUNKS_MAX);
	if (nchunk > ch->cap) {
		struct pgp_span *v = realloc(ch->v, nchunk * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ch->v = v;
		ch->cap = nchunk;
	}
	ch->n = 0;
	for (i = 0; i < nchunk; i++) {
		struct pgp_span lh, data;
		uint64_t dlen;
		int last = 0;
		uint8_t l1;

		if (get_span(body, in_len, &lh) < 0 || get_span(body, in_len, &data) < 0)
			return BAD("chunk %u span outside the input", i);
		if (lh.off != pos || lh.len == 0)
			return BAD("chunk %u does not follow the previous one", i);
		l1 = in[lh.off];
		if (i == 0) {
			if (lh.len != 1)
				return BAD("chunk 0 length octets differ from the header");
			if (first_len < PGP_PARTIAL_FIRST_MIN)
				return BAD("first partial chunk of %llu bytes, RFC 9580 §4.2.1.4 "
					   "wants at least %u", (unsigned long long)first_len,
					   PGP_PARTIAL_FIRST_MIN);
			dlen = first_len;
		} else if (l1 < 192) {
			last = 1;
			dlen = l1;
			if (lh.len != 1)
				return BAD("chunk %u length octets miscounted", i);
		} else if (l1 < 224) {
			last = 1;
			if (lh.len != 2)
				return BAD("chunk %u length octets miscounted", i);
			dlen = ((uint64_t)(l1 - 192) << 8) + in[lh.off + 1] + 192;
		} else if (l1 == 255) {
			last = 1;
			if (lh.len != 5)
				return BAD("chunk %u length octets miscounted", i);
			dlen = be32(in + lh.off + 1);
		} else {
			if (lh.len != 1)
				return BAD("chunk %u length octets miscounted", i);
			dlen = 1u << (l1 & 0x1f);
		}
		if (last != (i == nchunk - 1))
			return BAD("chunk %u: %s", i, last ? "final length before the last chunk"
						       : "last chunk has a partial length");
		if (!span_eq(&data, span_end(&lh), dlen))
			return BAD("chunk %u data span does not match its length octets", i);
		ch->v[ch->n++] = data;
		pos = span_end(&data);
	}
	if (pos != span_end(pbody) || pbody->off != span_end(hdr))
		return BAD("chunks do not tile the partial packet at %u", hdr->off);
	return 0;
}

/* Expected field kinds per public-key algorithm (RFC 9580 §5.5.5). */
static const char *key_layout(int algo, size_t *native)
{
	*native = 0;
	switch (algo) {
	case PGP_PK_RSA: case PGP_PK_RSA_E: case PGP_PK_RSA_S: return "MM";
	case PGP_PK_DSA: return "MMMM";
	case PGP_PK_ELGAMAL: return "MMM";
	case PGP_PK_ECDSA: case PGP_PK_EDDSA_LEGACY: return "OM";
	case PGP_PK_ECDH: return "OMK";
	case PGP_PK_X25519: *native = 32; return "N";
	case PGP_PK_X448: *native = 56; return "N";
	case PGP_PK_ED25519: *native = 32; return "N";
	case PGP_PK_ED448: *native = 57; return "N";
	default: return NULL;
	}
}

static const char *sig_layout(int algo, size_t *native)
{
	*native = 0;
	switch (algo) {
	case PGP_PK_RSA: case PGP_PK_RSA_S: return "M";
	case PGP_PK_DSA: case PGP_PK_ECDSA: case PGP_PK_EDDSA_LEGACY: return "MM";
	case PGP_PK_ED25519: *native = 64; return "N";
	case PGP_PK_ED448: *native = 114; return "N";
	default: return NULL;
	}
}

/*
 * Read @n FIELD entries and check that they follow each other from @start
 * with the kinds of @layout, up to @end (@to_end: exactly to @end; else
 * the bytes after the last field are no material, as for signatures);
 * store value bytes in @vals (up to @max).  In a v6 packet (@v6) every MPI
 * must be canonical: its bit count starts at the most significant set bit
 * (RFC 9580 §3.2).
 */
static int check_fields(const uint8_t *in, size_t in_len, struct dg_cur *body,
			uint32_t n, uint64_t start, uint64_t end, bool to_end, const char *layout,
			size_t native, bool v6, struct pgp_bytes *vals, size_t max,
			const char *what, char *why, size_t wl)
{
	uint64_t pos = start;
	uint32_t i;

	if (!layout || strlen(layout) != n)
		return BAD("%s: %u material fields, the algorithm has %zu", what, n,
			   layout ? strlen(layout) : 0);
	for (i = 0; i < n; i++) {
		struct pgp_span whole, val;
		uint8_t kind, res;
		uint16_t bits;
		uint64_t vlen;

		if (cur_u8(body, &kind) < 0 || cur_u8(body, &res) < 0 ||
		    cur_le16(body, &bits) < 0 || get_span(body, in_len, &whole) < 0 ||
		    get_span(body, in_len, &val) < 0)
			return BAD("%s: field %u span outside the input", what, i);
		if (whole.off != pos || span_end(&whole) > end)
			return BAD("%s: field %u does not follow the previous one", what, i);
		switch (layout[i]) {
		case 'M':
			if (kind != PGP_FIELD_MPI || whole.len < 2)
				return BAD("%s: field %u is not an MPI", what, i);
			vlen = ((uint64_t)(in[whole.off] << 8 | in[whole.off + 1]) + 7) / 8;
			if (bits != (in[whole.off] << 8 | in[whole.off + 1]) ||
			    !span_eq(&whole, whole.off, 2 + vlen) ||
			    !span_eq(&val, (uint64_t)whole.off + 2, vlen))
				return BAD("%s: MPI %u length does not match its bit count", what, i);
			if (v6 && !pgp_mpi_canonical(in + whole.off + 2, bits))
				return BAD("%s: MPI %u of a v6 packet is not in canonical form", what, i);
			break;
		case 'O':
		case 'K':
			if (kind != (layout[i] == 'O' ? PGP_FIELD_OID : PGP_FIELD_KDF) || whole.len < 1)
				return BAD("%s: field %u has the wrong kind", what, i);
			vlen = in[whole.off];
			if (vlen == 0 || vlen == 0xff || !span_eq(&whole, whole.off, 1 + vlen) ||
			    !span_eq(&val, (uint64_t)whole.off + 1, vlen))
				return BAD("%s: field %u length octet mismatch", what, i);
			break;
		default:	/* 'N' */
			if (kind != PGP_FIELD_NATIVE || whole.len != native ||
			    !span_eq(&val, whole.off, whole.len))
				return BAD("%s: native field %u must be %zu bytes", what, i, native);
			break;
		}
		if (i < max)
			vals[i] = bytes_of(in, &val);
		pos = span_end(&whole);
	}
	if (to_end && pos != end)
		return BAD("%s: material fields do not reach the end of the packet", what);
	return 0;
}

/*
 * Walks the material fields of @layout (key_layout()/sig_layout() letters:
 * M MPI, O OID, K KDF parameters, N @native octets) from @c, as the
 * handler's pgp_fields() reads them; NULL, or why they do not parse.
 * Limits (the MPI size) are not defects: over one, the handler fails the
 * whole answer instead.
 */
static const char *material_defect(struct dg_cur *c, const char *layout, size_t native, bool v6,
				   bool sig)
{
	const char *short_ = sig ? "signature material truncated" : "key material truncated";
	size_t i;

	for (i = 0; layout[i]; i++) {
		uint16_t bits;
		uint8_t l8;

		switch (layout[i]) {
		case 'M':
			if (cur_be16(c, &bits) < 0 || c->len < (bits + 7u) / 8u)
				return short_;
			if (v6 && !pgp_mpi_canonical(c->p, bits))
				return "MPI not in canonical form (v6 packet)";
			cur_skip(c, (bits + 7u) / 8u);
			break;
		case 'O': case 'K':
			if (cur_u8(c, &l8) < 0)
				return short_;
			if (l8 == 0 || l8 == 0xFF)
				return layout[i] == 'O' ? "reserved OID length" : "reserved KDF length";
			if (cur_skip(c, l8) < 0)
				return short_;
			break;
		default:
			if (cur_skip(c, native) < 0)
				return short_;
			break;
		}
	}
	return NULL;
}

/*
 * Why a key packet body @b of @n bytes (tag @tag) is malformed by the rules
 * the handler applies (pgp_key.c), or NULL when it is a well-formed key or
 * one of a version the handler does not read.  Checks a
 * PGP_KEY_F_MALFORMED claim: a handler that called a good subkey
 * malformed would have it ignored.
 */
static const char *key_defect(const uint8_t *b, size_t n, int tag)
{
	struct dg_cur c = cur_init(b, n), mat;
	bool secret = tag == 5 || tag == 7;
	const char *layout, *why;
	uint32_t created, matlen;
	uint8_t ver, algo;
	size_t native;

	if (cur_u8(&c, &ver) < 0)
		return "empty key packet";
	if (ver != 4 && ver != 6)
		return NULL;
	if (cur_be32(&c, &created) < 0 || cur_u8(&c, &algo) < 0 ||
	    (ver == 6 && cur_be32(&c, &matlen) < 0))
		return "key header truncated";
	if (ver == 6 && cur_take(&c, matlen, &mat) < 0)
		return "key material length exceeds the packet";
	if (ver == 4)
		mat = c;
	layout = key_layout(algo, &native);
	if (!layout)
		return ver == 6 && !secret && c.len ? "trailing bytes after the key material" :
		       NULL;
	why = material_defect(&mat, layout, native, ver == 6, false);
	if (why)
		return why;
	if (ver == 6 && mat.len)
		return "bytes after the v6 key material";
	if (!secret && (ver == 4 ? mat.len : c.len))
		return "trailing bytes after the key material";
	return NULL;
}

static int rec_key(const uint8_t *in, size_t in_len, struct dg_cur *body,
		   struct pgp_pkt *pk, char *why, size_t wl)
{
	uint8_t ver = 0, algo = 0;
	uint16_t flags = 0;
	uint32_t created = 0, matlen = 0, nfield = 0, idx = 0;
	struct pgp_span kb;
	const uint8_t *k;
	uint64_t mstart;
	size_t native;
	int r;

	if (body->len < PGP_REC_KEY_FIXED)
		return BAD("KEY record too short");
	cur_le32(body, &idx);
	cur_u8(body, &ver);
	cur_u8(body, &algo);
	cur_le16(body, &flags);
	cur_le32(body, &created);
	cur_le32(body, &matlen);
	if (get_span(body, in_len, &kb) < 0)
		return BAD("KEY record: key body span outside the input");
	cur_le32(body, &nfield);
	if (!arr_len_ok(body, 0, nfield, PGP_FIELD_LEN))
		return BAD("KEY record length does not match its %u fields", nfield);
	if (pk->tag != 5 && pk->tag != 6 && pk->tag != 7 && pk->tag != 14)
		return BAD("KEY record for a packet with tag %d", pk->tag);
	if (kb.off != (uint32_t)(pk->body.p - in) ||
	    ((pk->tag == 6 || pk->tag == 14) ? kb.len != pk->body.len : kb.len > pk->body.len))
		return BAD("key body span is not the packet body");
	pk->kind = PGP_K_KEY;
	pk->key_secret = pk->tag == 5 || pk->tag == 7;
	pk->key_subkey = pk->tag == 7 || pk->tag == 14;
	k = in + kb.off;
	if (flags & PGP_KEY_F_MALFORMED) {
		if (kb.len != pk->body.len || created || matlen || nfield ||
		    (flags & ~(PGP_KEY_F_MALFORMED | PGP_KEY_F_SECRET | PGP_KEY_F_SUBKEY)))
			return BAD("malformed-key record carries a time, fields or other flags");
		if (kb.len ? k[0] != ver : ver != 0)
			return BAD("key version claim %u does not match the packet", ver);
		if (algo != (kb.len >= 6 ? k[5] : 0))
			return BAD("key algorithm claim does not match the packet");
		pk->key_malformed = key_defect(k, kb.len, pk->tag);
		if (!pk->key_malformed)
			return BAD("key claimed malformed, but the packet is a well-formed v%u key or of another version",
				   ver);
		pk->key_unsupported = true;
		pk->key.version = ver;
		return 0;
	}
	if (kb.len < 1 || k[0] != ver)
		return BAD("key version claim %u does not match the packet", ver);
	if (ver != 4 && ver != 6) {
		pk->key_unsupported = true;
		pk->key.version = ver;
		return 0;
	}
	if (kb.len < (ver == 4 ? 6u : 10u))
		return BAD("key packet too short for its version");
	if (be32(k + 1) != created || k[5] != algo)
		return BAD("key creation time or algorithm claim does not match the packet");
	mstart = (uint64_t)kb.off + (ver == 4 ? 6 : 10);
	if (ver == 6 && (be32(k + 6) != matlen || matlen != kb.len - 10))
		return BAD("v6 key material length does not match the packet");
	pk->key.version = ver;
	pk->key.algo = algo;
	pk->key.created = created;
	pk->key.body = bytes_of(in, &kb);
	if (!key_layout(algo, &native)) {
		/* Unknown algorithm: usable only as fingerprint input. */
		pk->key.n_fields = 0;
		body->len = 0;
		return pgp_key_fingerprint(&pk->key);
	}
	r = check_fields(in, in_len, body, nfield, mstart, span_end(&kb), true, key_layout(algo, &native),
			 native, ver == 6, pk->key.field, PGP_KEY_FIELDS_MAX, "key", why, wl);
	if (r < 0)
		return r;
	pk->key.n_fields = (int)nfield;
	return pgp_key_fingerprint(&pk->key);
}

/*
 * Subpacket types whose meaning is carried out here, so that a critical
 * one may stand (RFC 9580 §5.2.3.7).  Signature Target (31) and Preferred
 * AEAD Ciphersuites (39) are defined by the RFC but not acted on: a
 * critical one makes the signature invalid, as in gpgv, sqv and sqop (a
 * data signature that names a target signature is not a signature over
 * the data alone).
 */
static bool subpacket_known(int type)
{
	switch (type) {
	case PGP_SP_CREATED: case PGP_SP_SIG_EXPIRES: case PGP_SP_EXPORTABLE:
	case PGP_SP_TRUST: case PGP_SP_REGEXP: case PGP_SP_REVOCABLE:
	case PGP_SP_KEY_EXPIRES: case PGP_SP_PREF_SYM: case PGP_SP_REVOKER:
	case PGP_SP_ISSUER: case PGP_SP_PREF_HASH: case PGP_SP_PREF_COMP:
	case PGP_SP_KS_PREFS: case PGP_SP_PREF_KS: case PGP_SP_PRIMARY_UID:
	case PGP_SP_POLICY: case PGP_SP_KEY_FLAGS: case PGP_SP_SIGNER_UID:
	case PGP_SP_REVOCATION_REASON: case PGP_SP_FEATURES:
	case PGP_SP_EMBEDDED: case PGP_SP_ISSUER_FPR: case PGP_SP_INTENDED_RCPT:
		return true;
	default:	/* includes notations (20): a critical one is unknown to us */
		return false;
	}
}

void pgp_issuers_add(struct pgp_issuers *is, const uint8_t id[8])
{
	size_t i;

	for (i = 0; i < is->n; i++)
		if (!memcmp(is->id[i], id, 8))
			return;
	if (is->n >= PGP_ISSUERS_MAX) {
		is->over = true;
		return;
	}
	memcpy(is->id[is->n++], id, 8);
}

/* Decode one subpacket value we act on (RFC 9580 §5.2.3.x). */
static int sub_value(struct pgp_sig *s, int type, bool crit, bool hashed,
		     const uint8_t *p, uint32_t n, uint32_t *first_issuer, uint32_t off)
{
	if (hashed && crit && !subpacket_known(type) && !s->unknown_critical) {
		s->unknown_critical = true;
		s->unknown_critical_type = type;
	}
	switch (type) {
	case PGP_SP_CREATED:
		if (!hashed)
			return 0;
		if (n != 4)
			return -EBADMSG;
		/* The last one counts, as for the expiration times and key
		 * flags (RFC 9580 §5.2.4.1: "SHOULD use the last subpacket"). */
		s->has_created = true;
		s->created = be32(p);
		return 0;
	case PGP_SP_SIG_EXPIRES:
		if (!hashed)
			return 0;
		if (n != 4)
			return -EBADMSG;
		s->sig_expires = be32(p);
		return 0;
	case PGP_SP_KEY_EXPIRES:
		if (!hashed)
			return 0;
		if (n != 4)
			return -EBADMSG;
		s->has_key_expires = true;
		s->key_expires = be32(p);
		return 0;
	case PGP_SP_KEY_FLAGS:
		/* Empty: no capabilities at all (RFC 9580 §5.2.3.29). */
		if (hashed) {
			s->has_key_flags = true;
			s->key_flags = n >= 1 ? p[0] : 0;
		}
		return 0;
	case PGP_SP_REVOCATION_REASON:
		if (hashed && n >= 1) {
			s->has_reason = true;
			s->reason = p[0];
		}
		return 0;
	case PGP_SP_PRIMARY_UID:
		if (hashed && n >= 1)
			s->primary_uid = p[0] != 0;
		return 0;
	case PGP_SP_ISSUER_FPR:
		if ((n == 21 && p[0] == 4) || (n == 33 && p[0] == 6)) {
			/* the key ID: a v4 fingerprint's last 8 octets, a v6 one's first */
			pgp_issuers_add(&s->issuers, p[0] == 4 ? p + 1 + 12 : p + 1);
			if (!s->issuer_fpr_len) {
				memcpy(s->issuer_fpr, p + 1, n - 1);
				s->issuer_fpr_len = n - 1;
				first_issuer[0] = off;
			}
		}
		return 0;
	case PGP_SP_ISSUER:
		if (n == 8)
			pgp_issuers_add(&s->issuers, p);
		if (n == 8 && !s->has_issuer_id) {
			memcpy(s->issuer_id, p, 8);
			s->has_issuer_id = true;
		}
		if (n == 8 && first_issuer[1] == UINT32_MAX) {
			first_issuer[1] = off;
		}
		return 0;
	case PGP_SP_EMBEDDED:
		if (!s->embedded.p) {
			s->embedded.p = p;
			s->embedded.len = n;
		}
		return 0;
	default:
		return 0;
	}
}

/*
 * Where the parts of a v4 or v6 signature packet body lie (offsets from the
 * body's first octet), as the core reads them: rec_sig() compares the
 * handler's spans with these, sig_defect() confirms a malformed claim.
 */
struct sig_shape {
	uint32_t hoff, hlen;	/* hashed subpacket area */
	uint32_t uoff, ulen;	/* unhashed subpacket area */
	uint32_t l16;		/* left 16 bits of the digest */
	uint32_t soff;		/* v6 salt, @saltlen octets */
	uint8_t saltlen;
	uint32_t mstart;	/* signature material, to the end of the body */
};

/* Reads @b[0..@n) (version 4 or 6 in b[0]); NULL, or why it does not parse. */
static const char *sig_shape(const uint8_t *b, size_t n, struct sig_shape *sh)
{
	struct dg_cur c = cur_init(b, n);
	uint32_t len, *off[2] = { &sh->hoff, &sh->uoff }, *lp[2] = { &sh->hlen, &sh->ulen };
	uint16_t len16;
	uint8_t ver;
	int i;

	if (cur_u8(&c, &ver) < 0 || cur_skip(&c, 3) < 0)
		return "signature truncated";
	for (i = 0; i < 2; i++) {
		if (ver == 4 ? cur_be16(&c, &len16) < 0 : cur_be32(&c, &len) < 0)
			return "signature truncated";
		if (ver == 4)
			len = len16;
		*off[i] = (uint32_t)cur_off(&c, b);
		*lp[i] = len;
		if (cur_skip(&c, len) < 0)
			return i ? "unhashed subpacket area runs past the packet" :
				   "hashed subpacket area runs past the packet";
	}
	sh->l16 = (uint32_t)cur_off(&c, b);
	if (cur_skip(&c, 2) < 0)
		return "signature truncated";
	sh->saltlen = 0;
	if (ver == 6 && (cur_u8(&c, &sh->saltlen) < 0 || cur_skip(&c, sh->saltlen) < 0))
		return "v6 salt runs past the packet";
	sh->soff = (uint32_t)cur_off(&c, b) - sh->saltlen;
	sh->mstart = (uint32_t)cur_off(&c, b);
	return NULL;
}

/*
 * Reads the length octets of the subpacket at the start of @area (RFC 9580
 * §5.2.3.7): its length, type octet included, in *@n, the octets' count in
 * *@lb.  -ENODATA when they run out of the area.
 */
static int sub_len(struct dg_cur *area, uint32_t *lb, uint32_t *n)
{
	uint8_t o1, o2;

	if (cur_u8(area, &o1) < 0)
		return -ENODATA;
	if (o1 < 192) {
		*lb = 1;
		*n = o1;
	} else if (o1 < 255) {
		if (cur_u8(area, &o2) < 0)
			return -ENODATA;
		*lb = 2;
		*n = ((uint32_t)(o1 - 192) << 8) + o2 + 192;
	} else {
		if (cur_be32(area, n) < 0)
			return -ENODATA;
		*lb = 5;
	}
	return 0;
}

/* Check that the SUBPACKET entries tile @area exactly and decode them. */
static int check_area(const uint8_t *in, size_t in_len, struct dg_cur *body, uint32_t *left,
		      const struct pgp_span *area, bool hashed, struct pgp_sig *s,
		      uint32_t *first_issuer, char *why, size_t wl)
{
	struct dg_cur a = cur_init(in + area->off, area->len);

	while (a.len) {
		uint32_t start = area->off + (area->len - (uint32_t)a.len), n, lb, sstart;
		uint8_t hdrlen, type, flags, res, t;
		struct pgp_span sb;
		bool crit;

		if (!*left)
			return BAD("subpackets do not tile the %s area", hashed ? "hashed" : "unhashed");
		(*left)--;
		if (cur_le32(body, &sstart) < 0 || cur_u8(body, &hdrlen) < 0 ||
		    cur_u8(body, &type) < 0 || cur_u8(body, &flags) < 0 ||
		    cur_u8(body, &res) < 0 || get_span(body, in_len, &sb) < 0)
			return BAD("subpacket entry outside the input");
		if (sstart != start)
			return BAD("subpacket at %u does not start where the previous ended (%u)",
				   sstart, start);
		if (sub_len(&a, &lb, &n) < 0)
			return BAD("subpacket length at %u runs out of the area", start);
		if (n < 1 || cur_skip(&a, n) < 0)
			return BAD("subpacket at %u overruns its area", start);
		t = in[start + lb];
		crit = t & 0x80;
		if (hdrlen != lb + 1 || type != (t & 0x7f) ||
		    !!(flags & PGP_SUB_F_CRITICAL) != crit ||
		    !!(flags & PGP_SUB_F_HASHED) != hashed ||
		    !span_eq(&sb, (uint64_t)start + lb + 1, n - 1))
			return BAD("subpacket at %u: type, flags or body span differ from the packet",
				   start);
		/*
		 * A hashed time subpacket of the wrong size is in the input as the
		 * handler says: the signature is malformed, the answer is not.
		 */
		if (sub_value(s, t & 0x7f, crit, hashed, in + sb.off, sb.len, first_issuer,
			      sb.off) < 0 && !s->bad_subpacket)
			s->bad_subpacket = t & 0x7f;
	}
	return 0;
}

/*
 * Why a v4/v6 signature packet body @b of @n bytes is malformed by the
 * rules the handler applies (pgp_sig.c), or NULL when it is a well-formed
 * signature.  Checks a PGP_SIG_F_MALFORMED claim: a handler that called a
 * good revocation or a newer self-signature malformed would have it
 * ignored.  Limits (subpacket count, MPI size) are not defects: over one,
 * the handler fails the whole answer instead.
 */
static const char *sig_defect(const uint8_t *b, size_t n)
{
	struct sig_shape sh;
	struct dg_cur c, area[2];
	const char *layout, *why;
	size_t i, want, native = 0;
	uint8_t ver, pka;

	if (n < 4)
		return "signature truncated";
	ver = b[0];
	pka = b[2];
	why = sig_shape(b, n, &sh);
	if (why)
		return why;
	want = pgp_hash_salt_len(b[3]);
	if (ver == 6 && want && sh.saltlen != want)
		return "v6 salt size does not match the hash algorithm";
	area[0] = cur_init(b + sh.hoff, sh.hlen);
	area[1] = cur_init(b + sh.uoff, sh.ulen);
	for (i = 0; i < 2; i++)
		while (area[i].len) {
			uint32_t lb, sl;

			if (sub_len(&area[i], &lb, &sl) < 0)
				return "subpacket overruns its area";
			if (sl == 0)
				return "subpacket of length 0";
			if (cur_skip(&area[i], sl) < 0)
				return "subpacket overruns its area";
		}
	c = cur_init(b + sh.mstart, n - sh.mstart);
	if (!c.len)
		return "signature material missing";
	switch (pka) {
	case PGP_PK_RSA_E:
		layout = "M";
		break;
	case PGP_PK_ELGAMAL:
		layout = "MM";
		break;
	case PGP_PK_ECDH: case PGP_PK_X25519: case PGP_PK_X448:
		return "the algorithm cannot make signatures";
	default:
		layout = sig_layout(pka, &native);
		if (!layout)
			return NULL;	/* material of an unknown algorithm: not split */
	}
	/* bytes after the material are not material */
	return material_defect(&c, layout, native, ver == 6, true);
}

static int rec_sig(const uint8_t *in, size_t in_len, struct dg_cur *body,
		   struct pgp_pkt *pk, char *why, size_t wl)
{
	uint8_t ver = 0, type = 0, pka = 0, ha = 0;
	uint32_t flags = 0, created = 0, nsub = 0, nfield = 0, idx = 0, first_issuer[2];
	struct pgp_span pre, hs, us, l16, salt, iss;
	struct pgp_sig *s = &pk->sig;
	const char *shape_why;
	struct sig_shape sh;
	const uint8_t *b;
	uint64_t boff, mstart;
	size_t native;
	int r;

	if (body->len < PGP_REC_SIG_FIXED)
		return BAD("SIG record too short");
	cur_le32(body, &idx);
	cur_u8(body, &ver);
	cur_u8(body, &type);
	cur_u8(body, &pka);
	cur_u8(body, &ha);
	cur_le32(body, &flags);
	cur_le32(body, &created);
	if (get_span(body, in_len, &pre) < 0 || get_span(body, in_len, &hs) < 0 ||
	    get_span(body, in_len, &us) < 0 || get_span(body, in_len, &l16) < 0 ||
	    get_span(body, in_len, &salt) < 0 || get_span(body, in_len, &iss) < 0)
		return BAD("SIG record: a span lies outside the input");
	cur_le32(body, &nsub);
	cur_le32(body, &nfield);
	if (!arr_len_ok(body, 0, (uint64_t)nsub * PGP_SUBPACKET_LEN + (uint64_t)nfield * PGP_FIELD_LEN, 1))
		return BAD("SIG record length does not match %u subpackets and %u fields",
			   nsub, nfield);
	if (nsub > PGP_SUBPACKETS_MAX)
		return fail(why, wl, -E2BIG, "subpacket count %u exceeds limit %u", nsub,
			    PGP_SUBPACKETS_MAX);
	if (pk->tag != 2)
		return BAD("SIG record for a packet with tag %d", pk->tag);
	pk->kind = PGP_K_SIG;
	s->body = pk->body;
	b = pk->body.p;
	boff = (uint64_t)(b - in);
	if (flags & PGP_SIG_F_MALFORMED) {
		if (nsub || nfield || created || pre.len || hs.len || us.len || l16.len ||
		    salt.len || iss.len)
			return BAD("malformed-signature record carries spans, counts or a time");
		if (pk->body.len ? b[0] != ver : ver != 0)
			return BAD("signature version claim %u does not match the packet", ver);
		s->version = ver;
		if (pk->body.len >= 4 && ver != 3) {	/* for messages only */
			s->type = b[1];
			s->pk_algo = b[2];
			s->hash_algo = b[3];
		}
		pk->sig_unsupported = true;
		/* Other versions are never verified: nothing to hide there. */
		if (ver == 4 || ver == 6) {
			pk->sig_malformed = sig_defect(b, pk->body.len);
			if (!pk->sig_malformed)
				return BAD("signature claimed malformed, but the packet is a well-formed v%u signature",
					   ver);
		} else {
			pk->sig_malformed = "signature packet does not parse";
		}
		body->len = 0;
		return 0;
	}
	if (pk->body.len < 1 || b[0] != ver)
		return BAD("signature version claim %u does not match the packet", ver);
	s->version = ver;
	if (ver != 4 && ver != 6) {
		/* v3 and others: reported, never verified (RFC 9580 §5.2.2). */
		pk->sig_unsupported = true;
		if (ver == 3 && pk->body.len >= 17) {
			s->type = b[2];
			s->created = be32(b + 3);
			s->has_created = true;
			s->pk_algo = b[15];
			s->hash_algo = b[16];
			memcpy(s->issuer_id, b + 7, 8);
			s->has_issuer_id = true;
			pgp_issuers_add(&s->issuers, b + 7);
		}
		body->len = 0;
		return 0;
	}
	if (pk->body.len < 4)
		return BAD("signature packet truncated");
	s->type = b[1];
	s->pk_algo = b[2];
	s->hash_algo = b[3];
	shape_why = sig_shape(b, pk->body.len, &sh);
	if (shape_why)
		return BAD("%s", shape_why);
	if (type != s->type || pka != s->pk_algo || ha != s->hash_algo)
		return BAD("signature type/algorithm claims do not match the packet");
	if (!span_eq(&pre, boff, sh.hoff + sh.hlen))
		return BAD("signed-region span [%u,+%u) is not the packet's hashed part [%llu,+%u)",
			   pre.off, pre.len, (unsigned long long)boff, sh.hoff + sh.hlen);
	if (!span_eq(&hs, boff + sh.hoff, sh.hlen))
		return BAD("hashed area span does not match the packet");
	if (!span_eq(&us, boff + sh.uoff, sh.ulen))
		return BAD("unhashed area span does not match the packet");
	if (!span_eq(&l16, boff + sh.l16, 2))
		return BAD("left-16 span does not match the packet");
	if (ver == 6) {
		if (!span_eq(&salt, boff + sh.soff, sh.saltlen))
			return BAD("salt span does not match the packet");
		if (sh.saltlen != pgp_hash_salt_len(ha))
			pk->sig_unsupported = true;	/* unknown hash or wrong size */
	} else if (salt.len) {
		return BAD("salt span on a v4 signature");
	}
	mstart = boff + sh.mstart;
	s->hashed = bytes_of(in, &pre);
	s->salt = bytes_of(in, &salt);
	s->left16[0] = in[l16.off];
	s->left16[1] = in[l16.off + 1];

	first_issuer[0] = first_issuer[1] = UINT32_MAX;
	r = check_area(in, in_len, body, &nsub, &hs, true, s, first_issuer, why, wl);
	if (r == 0)
		r = check_area(in, in_len, body, &nsub, &us, false, s, first_issuer, why, wl);
	if (r < 0)
		return r;
	if (nsub)
		return BAD("%u subpacket entries beyond the areas", nsub);
	if (s->bad_subpacket)
		pk->sig_unsupported = true;	/* job_start() says why */
	if (!s->has_created)
		pk->sig_unsupported = true;	/* RFC 9580 §5.2.3.11: MUST be hashed */
	if ((flags & PGP_SIG_F_HAS_CREATED) && created != s->created)
		return BAD("creation time claim %u differs from the subpacket's %lld",
			   created, (long long)s->created);
	if (iss.len) {
		uint32_t want = s->issuer_fpr_len ? first_issuer[0] : first_issuer[1];

		if (want == UINT32_MAX || iss.off != want)
			return BAD("issuer claim does not point at the first issuer subpacket");
		if (s->issuer_fpr_len ? iss.len != s->issuer_fpr_len + 1 : iss.len != 8)
			return BAD("issuer claim length does not match its subpacket");
	}
	if (!sig_layout(pka, &native)) {
		pk->sig_unsupported = true;
		body->len = 0;
		return 0;
	}
	r = check_fields(in, in_len, body, nfield, mstart, boff + pk->body.len, false,
			 sig_layout(pka, &native), native, s->version == 6, s->mpi,
			 PGP_SIG_MPIS_MAX, "signature", why, wl);
	if (r < 0)
		return r;
	s->n_mpi = (int)nfield;
	return 0;
}

/*
 * Why a one-pass signature packet body @b of @n bytes does not parse by the
 * handler's rules (pgp_sig.c), or NULL when it does: confirms a
 * PGP_OPS_F_MALFORMED claim, which would make its signature not count.
 */
static const char *ops_defect(const uint8_t *b, size_t n)
{
	size_t want;

	if (n < 4)
		return "one-pass signature truncated";
	if (b[0] == 3)
		return n < 13 ? "one-pass signature truncated" :
		       n > 13 ? "trailing bytes in the one-pass signature" : NULL;
	if (b[0] != 6)
		return "one-pass signature version unknown";
	if (n < 5 || n < 5u + b[4] + 32u + 1u)
		return "one-pass signature truncated";
	if (n > 5u + b[4] + 32u + 1u)
		return "trailing bytes in the one-pass signature";
	want = pgp_hash_salt_len(b[2]);
	return want && b[4] != want ? "v6 salt size does not match the hash algorithm" : NULL;
}

static int rec_ops(const uint8_t *in, struct dg_cur *body, struct pgp_pkt *pk,
		   char *why, size_t wl)
{
	uint32_t idx = 0;
	uint8_t ver = 0, type = 0, ha = 0, pka = 0, nested = 0, flags = 0;
	const uint8_t *b = pk->body.p;
	size_t n = pk->body.len;
	const char *defect = ops_defect(b, n);

	if (body->len < PGP_REC_OPS_FIXED || pk->tag != 4)
		return BAD("OPS record malformed or for tag %d", pk->tag);
	(void)in;
	cur_le32(body, &idx);
	cur_u8(body, &ver);
	cur_u8(body, &type);
	cur_u8(body, &ha);
	cur_u8(body, &pka);
	cur_u8(body, &nested);
	cur_u8(body, &flags);
	pk->kind = PGP_K_OPS;
	if (flags & PGP_OPS_F_MALFORMED) {
		pk->ops.malformed = defect;
		if (!defect)
			return BAD("one-pass signature claimed malformed, but the packet parses");
		pk->ops.version = n > 0 ? b[0] : 0;
		pk->ops.nested = 1;
		return 0;
	}
	if (n < 4 || b[0] != ver || b[1] != type || b[2] != ha || b[3] != pka ||
	    b[n - 1] != nested)
		return BAD("one-pass signature claims do not match the packet");
	/* v3: 13 octets; v6 (RFC 9580 §5.4): salt size, salt, 32-octet
	 * fingerprint, flag; anything else was to be claimed malformed. */
	if (defect)
		return BAD("one-pass signature packet does not parse (%s), the answer says it does",
			   defect);
	pk->ops.version = ver;
	pk->ops.type = type;
	pk->ops.hash_algo = ha;
	pk->ops.pk_algo = pka;
	pk->ops.nested = nested;
	pk->ops.salt = ver == 6 ? (struct pgp_bytes){ b + 5, b[4] } : (struct pgp_bytes){ 0 };
	return 0;
}

static int rec_literal(const uint8_t *in, size_t in_len, struct dg_cur *body,
		       struct pgp_pkt *pk, const struct chunks *ch, char *why, size_t wl)
{
	uint32_t idx = 0, date = 0, ndata = 0, i;
	uint8_t fmt = 0, res[3];
	struct pgp_span fn, first;
	const uint8_t *p;
	uint64_t hdr;

	if (body->len < PGP_REC_LITERAL_FIXED || pk->tag != 11)
		return BAD("LITERAL record malformed or for tag %d", pk->tag);
	cur_le32(body, &idx);
	cur_u8(body, &fmt);
	cur_bytes(body, res, 3);
	cur_le32(body, &date);
	if (get_span(body, in_len, &fn) < 0)
		return BAD("literal file name span outside the input");
	cur_le32(body, &ndata);
	if (!arr_len_ok(body, 0, ndata, PGP_SPAN_LEN))
		return BAD("LITERAL record length does not match %u data spans", ndata);
	pk->kind = PGP_K_LITERAL;
	if (pk->partial) {
		if (!ch->n)
			return BAD("partial literal packet without chunks");
		first = ch->v[0];
		if (ndata != ch->n)
			return BAD("literal has %u data spans for %zu chunks", ndata, ch->n);
	} else {
		first.off = (uint32_t)(pk->body.p - in);
		first.len = (uint32_t)pk->body.len;
		if (ndata != 1)
			return BAD("literal has %u data spans, expected 1", ndata);
	}
	p = in + first.off;
	if (first.len < 2 || (uint64_t)first.len < 6u + p[1])
		return BAD("literal header does not fit its first chunk");
	hdr = 6u + p[1];
	if (p[0] != fmt || !span_eq(&fn, (uint64_t)first.off + 2, p[1]) ||
	    be32(p + 2 + p[1]) != date)
		return BAD("literal format, file name or date claims do not match the packet");
	pk->lit = calloc(ndata, sizeof(*pk->lit));
	if (!pk->lit)
		return -ENOMEM;
	for (i = 0; i < ndata; i++) {
		struct pgp_span d;

		if (get_span(body, in_len, &d) < 0)
			return BAD("literal data span outside the input");
		if (i == 0 ? !span_eq(&d, first.off + hdr, first.len - hdr)
			   : !span_eq(&d, ch->v[i].off, ch->v[i].len))
			return BAD("literal data span %u is not the packet's content", i);
		pk->lit[i] = bytes_of(in, &d);
	}
	pk->n_lit = ndata;
	pk->lit_format = fmt;
	return 0;
}

static int rec_compressed(const uint8_t *in, struct dg_cur *body, struct pgp_pkt *pk,
			  const struct chunks *ch, char *why, size_t wl)
{
	uint32_t idx = 0, outlen = 0;
	uint8_t algo = 0, res[3];
	const uint8_t *first;

	if (body->len < PGP_REC_COMPRESSED_FIXED || pk->tag != 8)
		return BAD("COMPRESSED record malformed or for tag %d", pk->tag);
	cur_le32(body, &idx);
	cur_u8(body, &algo);
	cur_bytes(body, res, 3);
	cur_le32(body, &outlen);
	if (body->len != outlen)
		return BAD("COMPRESSED record length does not match outlen %u", outlen);
	if (outlen > PGP_DECOMPRESSED_MAX)
		return fail(why, wl, -E2BIG, "decompressed size %u exceeds limit %u", outlen,
			    PGP_DECOMPRESSED_MAX);
	pk->kind = PGP_K_COMPRESSED;
	first = pk->partial ? (ch->n && ch->v[0].len ? in + ch->v[0].off : NULL)
			    : (pk->body.len ? pk->body.p : NULL);
	if (!first || *first != algo)
		return BAD("compression algorithm claim does not match the packet");
	pk->comp_algo = algo;
	pk->comp = body->p;	/* in the answer: no copy of up to 64 MiB */
	pk->comp_len = outlen;
	return 0;
}

/* Every packet whose tag calls for an extra record must have got one. */
static int close_packet(const struct pgp_pkt *pk, char *why, size_t wl)
{
	int want;

	switch (pk->tag) {
	case 5: case 6: case 7: case 14: want = PGP_K_KEY; break;
	case 2: want = PGP_K_SIG; break;
	case 4: want = PGP_K_OPS; break;
	case 11: want = PGP_K_LITERAL; break;
	case 8: want = PGP_K_COMPRESSED; break;
	case 13: want = PGP_K_UID; break;
	case 17: want = PGP_K_UAT; break;
	default: want = PGP_K_OTHER; break;
	}
	if (pk->kind != want)
		return BAD("packet with tag %d lacks its %s record", pk->tag,
			   want == PGP_K_SIG ? "SIG" : want == PGP_K_KEY ? "KEY" : "detail");
	return 0;
}

void pgp_packets_free(struct pgp_packets *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		free(p->v[i].lit);
		EVP_PKEY_free(p->v[i].key.pkey);
	}
	free(p->v);
	free(p->ans);
	memset(p, 0, sizeof(*p));
}

int pgp_recheck_parse(const uint8_t *in, size_t in_len, const uint8_t *ans,
		      size_t ans_len, struct pgp_packets *out, char *why, size_t wl)
{
	struct chunks ch = { 0 };
	struct dg_cur recs, body;
	uint32_t nrec = 0, i;
	uint64_t pos = 0;
	size_t cap = 0;
	uint16_t type = 0;
	int r;

	memset(out, 0, sizeof(*out));
	if (in_len > UINT32_MAX)
		return fail(why, wl, -E2BIG, "input of %zu bytes", in_len);
	r = ans_open(ans, ans_len, PGP_REQ_PARSE, in_len, &out->ans_flags, &nrec, &recs, why, wl);
	if (r < 0)
		return r;
	for (i = 0; i < nrec; i++) {
		struct pgp_pkt *pk = out->n ? &out->v[out->n - 1] : NULL;
		uint32_t idx = 0;

		if ((r = rec_next(&recs, &type, &body, why, wl)) < 0)
			goto err;
		if (type == PGP_REC_PACKET) {
			struct pgp_span hdr, pb;
			uint8_t tag = 0, fmt = 0;
			uint16_t flags = 0;
			uint32_t nchunk = 0;
			uint64_t len = 0;
			int partial;

			if (pk && (r = close_packet(pk, why, wl)) < 0)
				goto err;
			if (body.len < PGP_REC_PACKET_FIXED) {
				r = BAD("PACKET record too short");
				goto err;
			}
			cur_le32(&body, &idx);
			cur_u8(&body, &tag);
			cur_u8(&body, &fmt);
			cur_le16(&body, &flags);
			if (get_span(&body, in_len, &hdr) < 0 || get_span(&body, in_len, &pb) < 0) {
				r = BAD("packet %u: span outside the input", idx);
				goto err;
			}
			cur_le32(&body, &nchunk);
			if (!arr_len_ok(&body, 0, nchunk, PGP_CHUNK_LEN)) {
				r = BAD("PACKET record length does not match %u chunks", nchunk);
				goto err;
			}
			if (idx != out->n || hdr.off != pos || pb.off != span_end(&hdr)) {
				r = BAD("packet %u does not follow packet %zu (at %llu)", idx, out->n,
					(unsigned long long)pos);
				goto err;
			}
			if (out->n >= RC_PACKETS_MAX) {
				r = fail(why, wl, -E2BIG, "packet count exceeds limit %u", RC_PACKETS_MAX);
				goto err;
			}
			r = check_header(in, in_len, &hdr, tag, fmt, &partial, &len, why, wl);
			if (r < 0)
				goto err;
			if (partial) {
				if (!is_partial_ok(tag)) {
					r = BAD("partial body length on a packet with tag %d", tag);
					goto err;
				}
				r = check_chunks(in, &body, nchunk, &hdr, &pb, len, in_len, &ch, why, wl);
				if (r < 0)
					goto err;
			} else if (nchunk || !span_eq(&pb, pb.off, len)) {
				r = BAD("packet %u body span differs from its length octets", idx);
				goto err;
			} else {
				ch.n = 0;
			}
			if (out->n == cap) {
				size_t ncap = cap ? cap * 2 : 16;
				struct pgp_pkt *v = realloc(out->v, ncap * sizeof(*v));

				if (!v) {
					r = -ENOMEM;
					goto err;
				}
				out->v = v;
				cap = ncap;
			}
			pk = &out->v[out->n++];
			memset(pk, 0, sizeof(*pk));
			pk->tag = tag;
			pk->flags = flags;
			pk->partial = partial;
			if (!partial)
				pk->body = bytes_of(in, &pb);
			if (tag == 17)
				pk->kind = PGP_K_UAT;
			pos = span_end(&pb);
			continue;
		}
		if (type != PGP_REC_KEY && type != PGP_REC_SIG && type != PGP_REC_OPS &&
		    type != PGP_REC_LITERAL && type != PGP_REC_COMPRESSED && type != PGP_REC_USERID)
			continue;	/* a later protocol addition: skip */
		if (!pk || body.len < 4) {
			r = BAD("record type 0x%x before any packet", type);
			goto err;
		}
		memcpy(&idx, body.p, 4);
		idx = le32toh(idx);
		if (idx != out->n - 1 || pk->kind != PGP_K_OTHER ||
		    (pk->partial && type != PGP_REC_LITERAL && type != PGP_REC_COMPRESSED)) {
			r = BAD("record type 0x%x for packet %u is out of place", type, idx);
			goto err;
		}
		switch (type) {
		case PGP_REC_KEY: r = rec_key(in, in_len, &body, pk, why, wl); break;
		case PGP_REC_SIG: r = rec_sig(in, in_len, &body, pk, why, wl); break;
		case PGP_REC_OPS: r = rec_ops(in, &body, pk, why, wl); break;
		case PGP_REC_LITERAL: r = rec_literal(in, in_len, &body, pk, &ch, why, wl); break;
		case PGP_REC_COMPRESSED: r = rec_compressed(in, &body, pk, &ch, why, wl); break;
		default: {	/* USERID */
			struct pgp_span u;

			cur_skip(&body, 4);
			if (body.len != PGP_REC_USERID_FIXED - 4 || pk->tag != 13 ||
			    get_span(&body, in_len, &u) < 0 ||
			    u.off != (uint32_t)(pk->body.p - in) || u.len != pk->body.len)
				r = BAD("user ID span is not the packet body");
			else
				pk->kind = PGP_K_UID;
			break;
		}
		}
		if (r < 0)
			goto err;
	}
	if (recs.len) {
		r = BAD("%zu bytes after the last record", recs.len);
		goto err;
	}
	if (out->n && (r = close_packet(&out->v[out->n - 1], why, wl)) < 0)
		goto err;
	if (pos != in_len) {
		r = BAD("packets cover %llu of %zu input bytes", (unsigned long long)pos, in_len);
		goto err;
	}
	free(ch.v);
	return 0;
err:
	free(ch.v);
	pgp_packets_free(out);
	return r;
}

/* -------------------------------------------------------------- DEARMOR */

/* Blanks that base64 decoding ignores (RFC 9580 §6), as the handler's. */
static bool is_blank(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool only_ws(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_blank(p[i]) && p[i] != '\n')
			return false;
	return true;
}

static bool at_line_start(const uint8_t *in, uint32_t off)
{
	return off == 0 || in[off - 1] == '\n';
}

/*
 * Scan the framing after a BEGIN line, from the end of its text: its line
 * ending, then header lines, then blank lines.  Returns where that stops
 * (at the first other line or at @to), or @from when the BEGIN line ending
 * is not there.  *@ok says whether the lines seen form a valid header
 * region: a blank line after the headers, which may be missing only when
 * there are none (gpg and the handler accept a body right after BEGIN).
 */
static uint64_t header_scan(const uint8_t *in, uint64_t from, uint64_t to, bool *ok)
{
	const uint8_t *p = in + from, *end = in + to, *nl;
	bool blank_seen = false, header_seen = false;

	*ok = false;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && *p == '\r')
		p++;
	if (p >= end || *p != '\n')
		return from;
	p++;
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
		if (only_ws(p, (size_t)(nl - p)))
			blank_seen = true;
		else if (blank_seen || !memchr(p, ':', (size_t)(nl - p)))
			break;
		else
			header_seen = true;
		p = nl + 1;
	}
	*ok = blank_seen || !header_seen;
	return (uint64_t)(p - in);
}

/*
 * [@from, @to) must be: the rest of the BEGIN line's ending, then header
 * lines ("Key: value", never blank), then blank lines (at least one when
 * there are headers) up to the first body line, whose leading blanks base64
 * ignores.  Base64 never holds ':', and nothing but blank lines may follow
 * a blank line, so this pins the first body line: a handler cannot make the
 * core skip or add data lines (RFC 9580 §6.2).  Armor only: in a cleartext
 * message blank lines after the first are signed text (see ct_headers()).
 */
static bool header_region_ok(const uint8_t *in, uint64_t from, uint64_t to)
{
	uint64_t h;
	bool ok;

	if (from >= to)
		return false;
	h = header_scan(in, from, to, &ok);
	while (h < to && is_blank(in[h]))
		h++;
	return h == to && ok;
}

/*
 * A malformed checksum line the handler flagged (PGP_ARMOR_F_CRC_BAD, no
 * span; RFC 9580 §6.1 forbids rejecting for it): between @from and @to
 * only blank lines, then one line starting with '=' (after blanks), then
 * blanks.  Returns
 * where that line ends, or 0.
 */
static uint64_t bad_crc_line_end(const uint8_t *in, uint64_t from, uint64_t to)
{
	const uint8_t *p = in + from, *end = in + to, *nl, *q;

	while (p < end && (is_blank(*p) || *p == '\n'))
		p++;
	if (p >= end || *p != '=')
		return 0;
	/* The '=' starts its line, after blanks at most. */
	for (q = p; q > in + from && is_blank(q[-1]); q--)
		;
	if (q > in + from ? q[-1] != '\n' : !at_line_start(in, (uint32_t)from))
		return 0;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl || !only_ws(nl, (size_t)(end - nl)))
		return 0;
	return (uint64_t)(nl - in);
}

/*
 * The first armor BEGIN line in [@from, @to) of the input, or @to.  The
 * core runs it over every gap the answer leaves before, between and after
 * its blocks: a handler must not silently leave out a block (a
 * certificate, a signature, a revocation).  A BEGIN line is what the
 * handler's dearmor decodes as one (pgp_armor.c armor_label()): at a line
 * start, "-----BEGIN PGP ", and, without the line ending (one CR) and
 * trailing spaces/tabs, ending in "-----".  Other lines there are text
 * outside the armor, which nobody decodes.  Lines inside a reported block
 * are pinned by one_block().  Linear in @to - @from; a line in a gap ends
 * before @to (the next block starts a line).
 */
static uint64_t unreported_begin(const uint8_t *in, uint64_t from, uint64_t to)
{
	static const char pre[] = "-----BEGIN PGP ", dashes[] = "-----";
	const size_t pl = sizeof(pre) - 1, dl = sizeof(dashes) - 1;
	const uint8_t *p, *nl;
	uint64_t o = from;
	size_t n;

	if (o < to && o && in[o - 1] != '\n') {
		nl = memchr(in + o, '\n', (size_t)(to - o));
		if (!nl)
			return to;
		o = (uint64_t)(nl - in) + 1;
	}
	while (o < to) {
		p = in + o;
		nl = memchr(p, '\n', (size_t)(to - o));
		n = nl ? (size_t)(nl - p) : (size_t)(to - o);
		if (n && p[n - 1] == '\r')
			n--;
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n >= pl + dl && !memcmp(p, pre, pl) && !memcmp(p + n - dl, dashes, dl))
			return o;
		if (!nl)
			break;
		o = (uint64_t)(nl - in) + 1;
	}
	return to;
}

static int armor_kind(const uint8_t *p, size_t n, size_t skip)
{
	static const struct { const char *s; int k; } kinds[] = {
		{ "MESSAGE-----", PGP_ARMOR_MESSAGE },
		{ "PUBLIC KEY BLOCK-----", PGP_ARMOR_PUBLIC_KEY },
		{ "PRIVATE KEY BLOCK-----", PGP_ARMOR_PRIVATE_KEY },
		{ "SIGNATURE-----", PGP_ARMOR_SIGNATURE },
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t l = strlen(kinds[i].s);

		if (n >= skip + l && !memcmp(p + skip, kinds[i].s, l) && only_ws(p + skip + l, n - skip - l))
			return kinds[i].k;
	}
	return PGP_ARMOR_UNKNOWN;
}

void pgp_armor_free(struct pgp_armor *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->n; i++)
		free(a->v[i].data);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

static int b64_crc(const uint8_t *p, uint32_t *crc)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		uint8_t c = p[i];
		int d;

		if (c >= 'A' && c <= 'Z') d = c - 'A';
		else if (c >= 'a' && c <= 'z') d = c - 'a' + 26;
		else if (c >= '0' && c <= '9') d = c - '0' + 52;
		else if (c == '+') d = 62;
		else if (c == '/') d = 63;
		else return -EBADMSG;
		v = v << 6 | (uint32_t)d;
	}
	*crc = v;
	return 0;
}

static int one_block(const uint8_t *in, size_t in_len, struct dg_cur *body, uint64_t *pos,
		     struct dg_cur *recs, struct pgp_armor_block *blk, uint32_t want_idx,
		     char *why, size_t wl)
{
	uint32_t idx = 0, crc = 0, dlen = 0, nhdr = 0, nline = 0, i, dblk = 0;
	uint8_t kind = 0, flags = 0;
	uint16_t res = 0;
	struct pgp_span begin, end, crcs, *lines = NULL;
	struct dg_cur dbody;
	uint16_t type = 0;
	uint64_t lpos, hidden;
	char sub[160];
	int r;

	if (body->len < PGP_REC_ARMOR_FIXED)
		return BAD("ARMOR record too short");
	cur_le32(body, &idx);
	cur_u8(body, &kind);
	cur_u8(body, &flags);
	cur_le16(body, &res);
	cur_le32(body, &crc);
	if (get_span(body, in_len, &begin) < 0 || get_span(body, in_len, &end) < 0 ||
	    get_span(body, in_len, &crcs) < 0)
		return BAD("armor block %u: span outside the input", idx);
	cur_le32(body, &dlen);
	cur_le32(body, &nhdr);
	cur_le32(body, &nline);
	if (!arr_len_ok(body, 0, (uint64_t)nhdr * PGP_ARMOR_HDR_LEN + (uint64_t)nline * PGP_SPAN_LEN, 1))
		return BAD("ARMOR record length does not match %u headers and %u lines", nhdr, nline);
	if (idx != want_idx || begin.off < *pos || !at_line_start(in, begin.off))
		return BAD("armor block %u is out of order", idx);
	if ((hidden = unreported_begin(in, *pos, begin.off)) < begin.off)
		return BAD("armor BEGIN line at byte %llu, before block %u, is not reported "
			   "as a block", (unsigned long long)hidden, idx);
	if (begin.len < 15 || memcmp(in + begin.off, "-----BEGIN PGP ", 15) ||
	    armor_kind(in + begin.off, begin.len, 15) != kind)
		return BAD("armor block %u: BEGIN line or kind claim does not match", idx);
	if (end.off <= span_end(&begin) || !at_line_start(in, end.off) || end.len < 13 ||
	    memcmp(in + end.off, "-----END PGP ", 13) ||
	    armor_kind(in + end.off, end.len, 13) != kind)
		return BAD("armor block %u: END line does not match", idx);
	for (i = 0; i < nhdr; i++) {
		struct pgp_span k, v;

		if (get_span(body, in_len, &k) < 0 || get_span(body, in_len, &v) < 0 ||
		    k.off < span_end(&begin) || span_end(&v) > end.off)
			return BAD("armor block %u: header span outside the block", idx);
	}
	lines = calloc(nline ? nline : 1, sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	lpos = span_end(&begin);
	for (i = 0; i < nline; i++) {
		if (get_span(body, in_len, &lines[i]) < 0 || lines[i].off < lpos ||
		    span_end(&lines[i]) > end.off || lines[i].len == 0) {
			r = BAD("armor block %u: line %u out of place", idx, i);
			goto out;
		}
		if (i == 0 ? !header_region_ok(in, span_end(&begin), lines[0].off)
			   : !only_ws(in + lpos, lines[i].off - lpos)) {
			r = BAD("armor block %u: text between begin/body line %u is not armor framing",
				idx, i);
			goto out;
		}
		lpos = span_end(&lines[i]);
	}
	if (nline == 0) {
		/* No body: the headers (if any) and blank lines come next. */
		bool ok;
		uint64_t h = header_scan(in, lpos, end.off, &ok);

		if (h > lpos && !ok) {
			r = BAD("armor block %u: text after BEGIN is not armor framing", idx);
			goto out;
		}
		lpos = h;
	}
	if (crcs.len) {
		uint32_t mine;

		/* The checksum line is framing: it must sit between the body and
		 * END, and a claimed value must be what the line says.  Its value
		 * never decides anything (RFC 9580 §6.1: MUST NOT reject an object
		 * for a missing, malformed or wrong CRC24). */
		if (crcs.len != 4 || crcs.off < lpos + 1 || span_end(&crcs) > end.off ||
		    in[crcs.off - 1] != '=' || !only_ws(in + lpos, crcs.off - 1 - lpos) ||
		    (b64_crc(in + crcs.off, &mine) == 0 && mine != crc)) {
			r = BAD("armor block %u: checksum line claim does not match", idx);
			goto out;
		}
		lpos = span_end(&crcs);
	} else if (flags & PGP_ARMOR_F_CRC_BAD) {
		uint64_t e = bad_crc_line_end(in, lpos, end.off);

		if (!e && !only_ws(in + lpos, end.off - lpos)) {
			r = BAD("armor block %u: checksum line claim does not match", idx);
			goto out;
		}
		if (e)
			lpos = e;
	}
	if (!only_ws(in + lpos, end.off - lpos)) {
		r = BAD("armor block %u: text between the body and the END line", idx);
		goto out;
	}
	r = pgp_b64_decode_lines(in, in_len, lines, nline, &blk->data, &blk->len, sub, sizeof(sub));
	if (r < 0) {
		fail(why, wl, r, "armor block %u: %s", idx, sub);
		goto out;
	}
	/* The ARMOR_DATA record must carry exactly the bytes we decoded. */
	if ((r = rec_next(recs, &type, &dbody, why, wl)) < 0)
		goto out;
	if (type != PGP_REC_ARMOR_DATA || cur_le32(&dbody, &dblk) < 0 || dblk != idx ||
	    dbody.len != dlen || dlen != blk->len || memcmp(dbody.p, blk->data, dlen)) {
		r = BAD("armor block %u: decoded bytes differ from the core's own decoding", idx);
		goto out;
	}
	blk->kind = kind;
	blk->start = begin.off;
	blk->stop = span_end(&end);
	*pos = span_end(&end);
	r = 0;
out:
	free(lines);
	return r;
}

int pgp_recheck_dearmor(const uint8_t *in, size_t in_len, const uint8_t *ans,
			size_t ans_len, struct pgp_armor *out, char *why, size_t wl)
{
	uint32_t flags = 0, nrec = 0, i;
	struct dg_cur recs, body;
	uint64_t pos = 0, hidden;
	uint16_t type = 0;
	int r;

	memset(out, 0, sizeof(*out));
	if (in_len > UINT32_MAX)
		return fail(why, wl, -E2BIG, "input of %zu bytes", in_len);
	r = ans_open(ans, ans_len, PGP_REQ_DEARMOR, in_len, &flags, &nrec, &recs, why, wl);
	if (r < 0)
		return r;
	for (i = 0; i < nrec; i++) {
		if ((r = rec_next(&recs, &type, &body, why, wl)) < 0)
			goto err;
		if (type == PGP_REC_ARMOR_DATA) {
			r = BAD("ARMOR_DATA record without its ARMOR record");
			goto err;
		}
		if (type != PGP_REC_ARMOR)
			continue;
		if (out->n >= RC_BLOCKS_MAX) {
			r = fail(why, wl, -E2BIG, "armor block count exceeds limit %u", RC_BLOCKS_MAX);
			goto err;
		}
		if (!(out->n & 15)) {
			struct pgp_armor_block *v = realloc(out->v, (out->n + 16) * sizeof(*v));

			if (!v) {
				r = -ENOMEM;
				goto err;
			}
			out->v = v;
		}
		memset(&out->v[out->n], 0, sizeof(out->v[0]));
		r = one_block(in, in_len, &body, &pos, &recs, &out->v[out->n], (uint32_t)out->n, why, wl);
		out->n++;
		if (r < 0)
			goto err;
		i++;	/* the ARMOR_DATA record */
	}
	if (recs.len) {
		r = BAD("%zu bytes after the last record", recs.len);
		goto err;
	}
	if (!out->n) {
		r = BAD("no armor block reported");
		goto err;
	}
	if ((hidden = unreported_begin(in, pos, in_len)) < in_len) {
		r = BAD("armor BEGIN line at byte %llu, after the last block, is not reported "
			"as a block", (unsigned long long)hidden);
		goto err;
	}
	return 0;
err:
	pgp_armor_free(out);
	return r;
}

/* ------------------------------------------------------------ CLEARTEXT */

static int hash_by_name(const uint8_t *p, size_t n)
{
	static const struct { const char *s; int a; } names[] = {
		{ "MD5", PGP_H_MD5 }, { "SHA1", PGP_H_SHA1 }, { "RIPEMD160", PGP_H_RIPEMD160 },
		{ "SHA256", PGP_H_SHA256 }, { "SHA384", PGP_H_SHA384 },
		{ "SHA512", PGP_H_SHA512 }, { "SHA224", PGP_H_SHA224 },
		{ "SHA3-256", PGP_H_SHA3_256 }, { "SHA3-512", PGP_H_SHA3_512 },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].s) == n && !memcmp(names[i].s, p, n))
			return names[i].a;
	return 0;
}

static bool only_sp_tab(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t')
			return false;
	return true;
}

/* A blank line (without its LF) as the handler sees one: spaces and tabs,
 * then at most one CR. */
static bool ct_blank(const uint8_t *p, size_t n)
{
	return only_sp_tab(p, n && p[n - 1] == '\r' ? n - 1 : n);
}

/* The Hash: header values, as the core reads them from the input. */
struct ct_hdrs {
	int algo[RC_CT_HASHES_MAX];	/* 0: unknown name */
	struct pgp_span name[RC_CT_HASHES_MAX];
	size_t n;
	uint64_t end;			/* first byte after the blank line */
};

/*
 * Read the cleartext armor headers from the input ourselves, from the end
 * of the BEGIN line's text at @from, never past @to: the BEGIN line's
 * ending, header lines, then "exactly one empty line not included into the
 * message digest" (RFC 9580 §7.1).  What follows that line is signed text,
 * blank lines included; a handler that took more blank lines as framing
 * would make the core verify other text than was signed.
 *
 * Only printable-ASCII "Hash: " lines are accepted (GnuPG refuses other
 * headers too): a control character such as a vertical tab could make
 * unsigned text look like part of the message to a human (CVE-2019-11841).
 * Their comma-separated values, spaces trimmed (a tab is a control
 * character here), are collected as the handler's pgp_cleartext() reports
 * them, unknown names as 0 (refused later by verify_cleartext()).
 */
static int ct_headers(const uint8_t *in, uint64_t from, uint64_t to, struct ct_hdrs *h,
		      char *why, size_t wl)
{
	const uint8_t *p = in + from, *end = in + to, *nl, *v, *e;
	size_t n, t, i;

	h->n = 0;
	h->end = 0;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && *p == '\r')
		p++;
	if (p >= end || *p != '\n')
		return BAD("BEGIN PGP SIGNED MESSAGE line does not end where claimed");
	p++;
	for (;;) {
		nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
		if (!nl)
			return BAD("no blank line ends the cleartext headers before the "
				   "signature block");
		n = (size_t)(nl - p);
		if (ct_blank(p, n)) {
			h->end = (uint64_t)(nl + 1 - in);
			return 0;
		}
		if (p[n - 1] == '\r')	/* n > 0: the line is not blank */
			n--;
		for (i = 0; i < n && p[i] >= 0x20 && p[i] <= 0x7e; i++)
			;
		for (t = n; t && p[t - 1] == ' '; t--)
			;
		if (i < n || t < 6 || memcmp(p, "Hash: ", 6)) {
			snprintf(why, wl, "cleartext header other than 'Hash: ' or with control "
				 "characters (RFC 9580 §7.1)");
			return -EBADMSG;
		}
		for (v = p + 6, e = p + t; v < e;) {
			const uint8_t *comma = memchr(v, ',', (size_t)(e - v));
			const uint8_t *vs = v, *ve = comma ? comma : e;

			while (vs < ve && *vs == ' ')
				vs++;
			while (ve > vs && ve[-1] == ' ')
				ve--;
			if (vs == ve)
				return BAD("empty Hash: header value at byte %llu",
					   (unsigned long long)(vs - in));
			if (h->n >= RC_CT_HASHES_MAX)
				return fail(why, wl, -E2BIG, "Hash: value count exceeds limit %u",
					    RC_CT_HASHES_MAX);
			h->algo[h->n] = hash_by_name(vs, (size_t)(ve - vs));
			h->name[h->n].off = (uint32_t)(vs - in);
			h->name[h->n].len = (uint32_t)(ve - vs);
			h->n++;
			v = comma ? comma + 1 : e;
		}
		p = nl + 1;
	}
}

void pgp_cleartext_free(struct pgp_cleartext *c)
{
	if (!c)
		return;
	free(c->lines);
	free(c->crlf);
	free(c->hashes);
	memset(c, 0, sizeof(*c));
}

static const char ct_begin[] = "-----BEGIN PGP SIGNED MESSAGE-----";
static const char sig_begin[] = "-----BEGIN PGP SIGNATURE-----";
static const char sig_end[] = "-----END PGP SIGNATURE-----";

int pgp_recheck_cleartext(const uint8_t *in, size_t in_len, const uint8_t *ans,
			  size_t ans_len, struct pgp_cleartext *out, char *why, size_t wl)
{
	uint32_t aflags = 0, nrec = 0, flags = 0, nhash = 0, nline = 0, nout = 0, i;
	struct pgp_span begin, sb;
	struct dg_cur recs, body;
	struct ct_hdrs hdrs;
	uint64_t pos, sb_end;
	uint16_t type;
	int r;

	memset(out, 0, sizeof(*out));
	if (in_len > UINT32_MAX)
		return fail(why, wl, -E2BIG, "input of %zu bytes", in_len);
	r = ans_open(ans, ans_len, PGP_REQ_CLEARTEXT, in_len, &aflags, &nrec, &recs, why, wl);
	if (r < 0)
		return r;
	if (nrec != 1 || rec_next(&recs, &type, &body, why, wl) < 0 ||
	    type != PGP_REC_CLEARTEXT || recs.len || body.len < PGP_REC_CLEARTEXT_FIXED)
		return BAD("cleartext answer must be exactly one CLEARTEXT record");
	cur_le32(&body, &flags);
	if (get_span(&body, in_len, &begin) < 0 || get_span(&body, in_len, &sb) < 0)
		return BAD("cleartext span outside the input");
	cur_le32(&body, &nhash);
	cur_le32(&body, &nline);
	cur_le32(&body, &nout);
	if (!arr_len_ok(&body, 0, (uint64_t)nhash * PGP_CT_HASH_LEN +
			(uint64_t)nline * PGP_CT_LINE_LEN + (uint64_t)nout * PGP_SPAN_LEN, 1))
		return BAD("CLEARTEXT record length does not match its arrays");
	if (nline > PGP_CLEARTEXT_LINES_MAX)
		return fail(why, wl, -E2BIG, "cleartext line count %u exceeds limit %u", nline,
			    PGP_CLEARTEXT_LINES_MAX);
	/* The span holds the line's text, never its ending: a span over
	 * following blank lines would hide signed empty lines in framing. */
	if (!at_line_start(in, begin.off) || begin.len < sizeof(ct_begin) - 1 ||
	    memcmp(in + begin.off, ct_begin, sizeof(ct_begin) - 1) ||
	    !only_sp_tab(in + begin.off + sizeof(ct_begin) - 1, begin.len - (sizeof(ct_begin) - 1)))
		return BAD("BEGIN PGP SIGNED MESSAGE line claim does not match the input");
	/* The block may end in trailing blanks after the END line's text. */
	sb_end = span_end(&sb);
	while (sb_end > sb.off && (in[sb_end - 1] == ' ' || in[sb_end - 1] == '\t' ||
				   in[sb_end - 1] == '\r'))
		sb_end--;
	if (sb.off <= span_end(&begin) || !at_line_start(in, sb.off) ||
	    sb_end - sb.off < sizeof(sig_begin) - 1 + sizeof(sig_end) - 1 ||
	    memcmp(in + sb.off, sig_begin, sizeof(sig_begin) - 1) ||
	    memcmp(in + sb_end - (sizeof(sig_end) - 1), sig_end, sizeof(sig_end) - 1))
		return BAD("signature block claim does not match the input");
	r = ct_headers(in, span_end(&begin), sb.off, &hdrs, why, wl);
	if (r < 0)
		return r;
	out->hashes = calloc(hdrs.n ? hdrs.n : 1, sizeof(*out->hashes));
	out->lines = calloc(nline ? nline : 1, sizeof(*out->lines));
	out->crlf = calloc(nline ? nline : 1, sizeof(*out->crlf));
	if (!out->hashes || !out->lines || !out->crlf) {
		pgp_cleartext_free(out);
		return -ENOMEM;
	}
	/* The Hash: values decide which hashes verify_cleartext() accepts:
	 * the core uses its own reading; the claim must be that, value by
	 * value (none left out, none added). */
	if (nhash != hdrs.n) {
		r = BAD("answer reports %u Hash: header values, the header lines hold %zu",
			nhash, hdrs.n);
		goto err;
	}
	for (i = 0; i < nhash; i++) {
		struct pgp_span name;
		uint8_t algo = 0, res[3];

		cur_u8(&body, &algo);
		cur_bytes(&body, res, 3);
		if (get_span(&body, in_len, &name) < 0 ||
		    !span_eq(&name, hdrs.name[i].off, hdrs.name[i].len) ||
		    algo != hdrs.algo[i]) {
			r = BAD("Hash: header value %u claim does not match the header lines", i);
			goto err;
		}
		out->hashes[i] = hdrs.algo[i];
	}
	out->n_hashes = hdrs.n;
	pos = hdrs.end;
	for (i = 0; i < nline; i++) {
		struct pgp_span raw, text;
		const uint8_t *p;
		uint64_t skip;

		if (get_span(&body, in_len, &raw) < 0 || get_span(&body, in_len, &text) < 0) {
			r = BAD("cleartext line %u span outside the input", i);
			goto err;
		}
		if (i == 0) {
			if (raw.off != pos) {
				r = BAD("cleartext line 0 does not follow the blank line that "
					"ends the armor headers");
				goto err;
			}
		} else if (!((raw.off == pos + 1 && in[pos] == '\n') ||
			     (raw.off == pos + 2 && in[pos] == '\r' && in[pos + 1] == '\n'))) {
			r = BAD("cleartext line %u does not follow line %u", i, i - 1);
			goto err;
		} else {
			out->crlf[i - 1] = raw.off == pos + 2;
		}
		p = in + raw.off;
		/* A line may end in a lone CR only when CR LF follows it (else
		 * that CR was the line end's). */
		if (memchr(p, '\n', raw.len) ||
		    (raw.len && p[raw.len - 1] == '\r' &&
		     !(span_end(&raw) < in_len && in[span_end(&raw)] == '\r')) ||
		    (raw.len >= 5 && !memcmp(p, "-----", 5))) {
			r = BAD("cleartext line %u is not a single signed text line", i);
			goto err;
		}
		skip = raw.len >= 2 && p[0] == '-' && p[1] == ' ' ? 2 : 0;
		if (text.off != raw.off + skip || span_end(&text) > span_end(&raw) ||
		    !only_ws(in + span_end(&text), span_end(&raw) - span_end(&text)) ||
		    memchr(in + span_end(&text), '\r', span_end(&raw) - span_end(&text)) ||
		    (text.len && (in[span_end(&text) - 1] == ' ' || in[span_end(&text) - 1] == '\t'))) {
			r = BAD("cleartext line %u: hashed text is not the line without dash-escape "
				"and trailing whitespace", i);
			goto err;
		}
		out->lines[i] = bytes_of(in, &text);
		pos = span_end(&raw);
	}
	out->n_lines = nline;
	/* The last line ends right before the signature block; with no line,
	 * the blank line after the headers does. */
	if (nline ? !((sb.off == pos + 1 && in[pos] == '\n') ||
		      (sb.off == pos + 2 && in[pos] == '\r' && in[pos + 1] == '\n'))
		  : sb.off != pos) {
		r = BAD("signed text does not end right before the signature block");
		goto err;
	}
	if (nline)
		out->crlf[nline - 1] = sb.off == pos + 2;
	for (i = 0; i < nout; i++) {
		struct pgp_span o;

		if (get_span(&body, in_len, &o) < 0 ||
		    (o.off >= begin.off && span_end(&o) <= span_end(&sb))) {
			r = BAD("text-outside span lies inside the signed message");
			goto err;
		}
	}
	/* Our own view of text outside the message, whatever was claimed. */
	out->text_outside = nout || !only_ws(in, begin.off) ||
			    !only_ws(in + span_end(&sb), in_len - span_end(&sb));
	out->other_header = flags & PGP_CT_F_OTHER_HEADER;
	out->sigblock = bytes_of(in, &sb);
	return 0;
err:
	pgp_cleartext_free(out);
	return r;
}

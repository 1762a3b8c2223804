// SPDX-License-Identifier: MIT
/*
 * Signed BPF objects (bpf_proto.h): the 40-byte header, then the loader's
 * instructions, its metadata and a detached CMS SignedData (RFC 5652 §5)
 * over the instructions.  The signature is read as DER (X.690 §10) and
 * nothing looser: definite lengths in their shortest form, every element
 * filling its parent exactly, strings in primitive form.  BER's other forms
 * (indefinite lengths, constructed strings) are -EOPNOTSUPP, so a signer
 * that streams is told what to change; anything no encoder may write is
 * -EBADMSG.  The handler only locates the pieces; the core verifies the
 * signature and re-checks every span it is given.
 *
 * The grammar is walked by one function per production, never recursively,
 * so the nesting depth is the grammar's: the deepest element read, a signed
 * attribute's type, is eight levels down (ContentInfo, [0], SignedData,
 * signerInfos, SignerInfo, signedAttrs, Attribute).  What is skipped
 * (certificates, crls, unsignedAttrs, attribute values, algorithm
 * parameters other than the ones checked) is stepped over as one element
 * without looking inside.
 */
#include "bpf_parse.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cursor.h"
#include "bpf_proto.h"
#include "log.h"

/* X.690 §8.1.3.5: we read at most this many length octets (4 GiB). */
#define DER_LEN_OCTETS_MAX	4u
/* Elements of SignedData.digestAlgorithms (RFC 5652 §5.1). */
#define CMS_DIGEST_ALGS_MAX	8u
/* SignerInfos counted before giving up (one is supported). */
#define CMS_SIGNERS_MAX		16u
/* Attributes in SignerInfo.signedAttrs (openssl writes 4 or 5). */
#define CMS_SIGNED_ATTRS_MAX	32u
/* An OID in a message: this many characters of its dotted form. */
#define OID_TEXT_MAX		80u

/* Universal tags (X.690 §8.1.2) and the context tags CMS uses. */
#define DER_INTEGER		0x02u
#define DER_OCTET_STRING	0x04u
#define DER_NULL		0x05u
#define DER_OID			0x06u
#define DER_SEQUENCE		0x30u
#define DER_SET			0x31u
#define DER_CONSTRUCTED		0x20u
#define DER_CTX0_PRIM		0x80u	/* [0] IMPLICIT of a primitive type */
#define DER_CTX0_CONS		0xa0u	/* [0] constructed / EXPLICIT */
#define DER_CTX1_CONS		0xa1u
#define DER_TAG_NUMBER_MASK	0x1fu	/* 0x1f: the high-tag-number form */

/* Content octets of the OIDs we know (X.690 §8.19). */
static const uint8_t oid_signed_data[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02 };
static const uint8_t oid_data[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01 };

struct oid_map {
	uint8_t enc[9];
	uint8_t enc_len;
	uint32_t id;	/* BPF_MD_* or BPF_PK_* */
	uint32_t md;	/* the digest a signature algorithm names, or 0 */
};

/* RFC 5754 §2 (SHA-2 under 2.16.840.1.101.3.4.2). */
static const struct oid_map digest_algs[] = {
	{ { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 }, 9, BPF_MD_SHA256, 0 },
	{ { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02 }, 9, BPF_MD_SHA384, 0 },
	{ { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03 }, 9, BPF_MD_SHA512, 0 },
};

/* RFC 3370 §3.2 / RFC 5754 §3.2 (RSA), RFC 5758 §3.2 (ECDSA). */
static const struct oid_map sig_algs[] = {
	{ { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 }, 9, BPF_PK_RSA, 0 },
	{ { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b }, 9, BPF_PK_RSA, BPF_MD_SHA256 },
	{ { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c }, 9, BPF_PK_RSA, BPF_MD_SHA384 },
	{ { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d }, 9, BPF_PK_RSA, BPF_MD_SHA512 },
	{ { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02 }, 8, BPF_PK_ECDSA, BPF_MD_SHA256 },
	{ { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03 }, 8, BPF_PK_ECDSA, BPF_MD_SHA384 },
	{ { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04 }, 8, BPF_PK_ECDSA, BPF_MD_SHA512 },
};

struct span {
	uint32_t off, len;
};

/* The header's fields, read before any is trusted. */
struct bpf_hdr {
	uint8_t magic[8];
	uint32_t version, flags, nr_maps, nr_progs, insns_len, data_len, sig_len, reserved;
};

/* What the answer says, filled as the parse goes and written at the end. */
struct bpf_sig {
	uint16_t flags;
	uint32_t nr_maps, nr_progs;
	struct span insns, data, sig, sid, value, attrs;
	uint32_t md, pk;
};

/* The parse's context: spans are offsets into @base, the whole request. */
struct cms {
	const uint8_t *base;
	char *err;
	size_t errlen;
	struct bpf_sig *out;
};

/* One DER element. */
struct der {
	uint8_t tag;
	struct dg_cur val;	/* the contents */
	struct dg_cur all;	/* identifier, length and contents */
};

static struct span span_of(const struct cms *m, const struct dg_cur *c)
{
	struct span s = { (uint32_t)cur_off(c, m->base), (uint32_t)c->len };

	return s;
}

/* ---- the header ------------------------------------------------------- */

static int hdr_read(const uint8_t *in, size_t len, struct bpf_hdr *h, char *err, size_t errlen)
{
	struct dg_cur c = cur_init(in, len);

	if (len < BPF_SIGNED_HDR_LEN)
		return dg_errf(err, errlen, -ENODATA,
			       "signed object: %zu bytes, shorter than its %u-byte header",
			       len, BPF_SIGNED_HDR_LEN);
	cur_bytes(&c, h->magic, sizeof(h->magic));
	cur_le32(&c, &h->version);
	cur_le32(&c, &h->flags);
	cur_le32(&c, &h->nr_maps);
	cur_le32(&c, &h->nr_progs);
	cur_le32(&c, &h->insns_len);
	cur_le32(&c, &h->data_len);
	cur_le32(&c, &h->sig_len);
	cur_le32(&c, &h->reserved);
	return 0;
}

static int hdr_check(const struct bpf_hdr *h, char *err, size_t errlen)
{
	if (memcmp(h->magic, BPF_SIGNED_MAGIC, sizeof(h->magic)))
		return dg_errf(err, errlen, -EBADMSG, "signed object: bad magic (not %s)",
			       BPF_SIGNED_MAGIC);
	if (h->version != BPF_SIGNED_VERSION)
		return dg_errf(err, errlen, -EOPNOTSUPP,
			       "signed object: version %" PRIu32 " is not supported (%u)",
			       h->version, BPF_SIGNED_VERSION);
	if (h->flags)
		return dg_errf(err, errlen, -EOPNOTSUPP,
			       "signed object: flags 0x%" PRIx32 " are not supported (0)", h->flags);
	if (h->reserved)
		return dg_errf(err, errlen, -EBADMSG,
			       "signed object: reserved field is 0x%" PRIx32 ", not 0", h->reserved);
	if (h->nr_maps > BPF_MAPS_MAX)
		return dg_errf(err, errlen, -E2BIG,
			       "signed object: %" PRIu32 " maps exceed limit %u", h->nr_maps, BPF_MAPS_MAX);
	if (!h->nr_progs)
		return dg_errf(err, errlen, -EBADMSG, "signed object: no programs");
	if (h->nr_progs > BPF_PROGS_MAX)
		return dg_errf(err, errlen, -E2BIG, "signed object: %" PRIu32
			       " programs exceed limit %u", h->nr_progs, BPF_PROGS_MAX);
	if (!h->insns_len)
		return dg_errf(err, errlen, -EBADMSG, "signed object: no instructions");
	if (h->insns_len > BPF_INSNS_MAX)
		return dg_errf(err, errlen, -E2BIG, "signed object: %" PRIu32
			       " bytes of instructions exceed limit %u", h->insns_len, BPF_INSNS_MAX);
	if (h->insns_len % 8)
		return dg_errf(err, errlen, -EBADMSG, "signed object: instructions of %" PRIu32
			       " bytes, not a multiple of 8", h->insns_len);
	if (h->data_len > BPF_DATA_MAX)
		return dg_errf(err, errlen, -E2BIG, "signed object: %" PRIu32
			       " bytes of metadata exceed limit %u", h->data_len, BPF_DATA_MAX);
	if (!h->sig_len)
		return dg_errf(err, errlen, -EBADMSG, "signed object: no signature");
	if (h->sig_len > BPF_SIG_MAX)
		return dg_errf(err, errlen, -E2BIG, "signed object: signature of %" PRIu32
			       " bytes exceeds limit %u", h->sig_len, BPF_SIG_MAX);
	return 0;
}

/* Split the body into its three parts; the lengths are capped already. */
static int body_split(const uint8_t *in, size_t len, const struct bpf_hdr *h,
		      struct dg_cur *insns, struct dg_cur *data, struct dg_cur *sig,
		      char *err, size_t errlen)
{
	uint64_t want = (uint64_t)BPF_SIGNED_HDR_LEN + h->insns_len + h->data_len + h->sig_len;
	struct dg_cur c = cur_init(in, len);

	if (len < want)
		return dg_errf(err, errlen, -ENODATA,
			       "signed object: %zu bytes, its header announces %" PRIu64, len, want);
	if (len > want)
		return dg_errf(err, errlen, -EBADMSG,
			       "signed object: %" PRIu64 " bytes after the signature", len - want);
	cur_skip(&c, BPF_SIGNED_HDR_LEN);
	cur_take(&c, h->insns_len, insns);
	cur_take(&c, h->data_len, data);
	cur_take(&c, h->sig_len, sig);
	return 0;
}

/* ---- DER -------------------------------------------------------------- */

static const char *tag_name(uint8_t tag)
{
	switch (tag) {
	case DER_INTEGER: return "INTEGER";
	case DER_OCTET_STRING: return "OCTET STRING";
	case DER_NULL: return "NULL";
	case DER_OID: return "OBJECT IDENTIFIER";
	case DER_SEQUENCE: return "SEQUENCE";
	case DER_SET: return "SET";
	case DER_CTX0_PRIM: return "[0] primitive";
	case DER_CTX0_CONS: return "[0]";
	case DER_CTX1_CONS: return "[1]";
	default: return "element";
	}
}

/* X.690 §8.1.3 and §10.1: the length octets, definite and shortest. */
static int der_len(struct cms *m, struct dg_cur *c, const char *what, size_t *len)
{
	uint8_t b, n, i;
	uint32_t v = 0;

	if (cur_u8(c, &b) < 0)
		return dg_errf(m->err, m->errlen, -EBADMSG, "signature: %s has no length", what);
	if (b < 0x80) {
		*len = b;
		return 0;
	}
	if (b == 0x80)
		return dg_errf(m->err, m->errlen, -EOPNOTSUPP,
			       "signature: %s has an indefinite length (BER), only DER is supported",
			       what);
	n = b & 0x7f;
	if (n > DER_LEN_OCTETS_MAX)
		return dg_errf(m->err, m->errlen, -E2BIG,
			       "signature: %s has %u length octets, more than %u", what, n,
			       DER_LEN_OCTETS_MAX);
	for (i = 0; i < n; i++) {
		if (cur_u8(c, &b) < 0)
			return dg_errf(m->err, m->errlen, -EBADMSG,
				       "signature: %s has a cut length", what);
		if (i == 0 && !b)
			return dg_errf(m->err, m->errlen, -EBADMSG,
				       "signature: %s has a length with a leading zero octet (not DER)",
				       what);
		v = v << 8 | b;
	}
	if (v < 0x80)
		return dg_errf(m->err, m->errlen, -EBADMSG,
			       "signature: %s has length %" PRIu32 " in the long form (not DER)",
			       what, v);
	*len = v;
	return 0;
}

/* The next element of @c, whatever its tag.  It must fit in @c. */
static int der_next(struct cms *m, struct dg_cur *c, const char *what, struct der *e)
{
	struct dg_cur start = *c;
	size_t len = 0;
	int r;

	if (cur_u8(c, &e->tag) < 0)
		return dg_errf(m->err, m->errlen, -EBADMSG, "signature: %s is missing", what);
	if ((e->tag & DER_TAG_NUMBER_MASK) == DER_TAG_NUMBER_MASK)
		return dg_errf(m->err, m->errlen, -EBADMSG,
			       "signature: %s has a multi-octet tag (0x%02x), which CMS never uses",
			       what, e->tag);
	r = der_len(m, c, what, &len);
	if (r < 0)
		return r;
	if (cur_take(c, len, &e->val) < 0)
		return dg_errf(m->err, m->errlen, -EBADMSG,
			       "signature: %s of %zu bytes overruns its parent (%zu bytes left)",
			       what, len, c->len);
	e->all = cur_init(start.p, start.len - c->len);
	return 0;
}

/* The next element of @c, which must have tag @tag. */
static int der_expect(struct cms *m, struct dg_cur *c, uint8_t tag, const char *what,
		      struct der *e)
{
	int r = der_next(m, c, what, e);

	if (r < 0)
		return r;
	if (e->tag != tag)
		return dg_errf(m->err, m->errlen, -EBADMSG,
			       "signature: %s has tag 0x%02x, not %s (0x%02x)", what, e->tag,
			       tag_name(tag), tag);
	return 0;
}

/* X.690 §10.2: every element fills its parent. */
static int der_end(struct cms *m, const struct dg_cur *c, const char *what)
{
	if (c->len)
		return dg_errf(m->err, m->errlen, -EBADMSG,
			       "signature: %zu bytes after the last element of %s", c->len, what);
	return 0;
}

/* Of a string type, the primitive form (DER) or the constructed (BER). */
static int der_expect_string(struct cms *m, struct dg_cur *c, uint8_t tag, const char *what,
			     struct der *e)
{
	int r = der_next(m, c, what, e);

	if (r < 0)
		return r;
	if (e->tag == (tag | DER_CONSTRUCTED))
		return dg_errf(m->err, m->errlen, -EOPNOTSUPP,
			       "signature: %s is a constructed string (BER), only DER is supported",
			       what);
	if (e->tag != tag)
		return dg_errf(m->err, m->errlen, -EBADMSG,
			       "signature: %s has tag 0x%02x, not %s (0x%02x)", what, e->tag,
			       tag_name(tag), tag);
	return 0;
}

/* X.690 §8.19: subidentifiers in base 128, shortest form, last one ended. */
static int oid_check(struct cms *m, const struct dg_cur *oid, const char *what)
{
	size_t i;

	if (!oid->len)
		return dg_errf(m->err, m->errlen, -EBADMSG, "signature: %s is an empty OID", what);
	for (i = 0; i < oid->len; i++)
		if (oid->p[i] == 0x80 && (i == 0 || !(oid->p[i - 1] & 0x80)))
			return dg_errf(m->err, m->errlen, -EBADMSG,
				       "signature: %s has an OID arc with a leading 0x80 (not DER)",
				       what);
	if (oid->p[oid->len - 1] & 0x80)
		return dg_errf(m->err, m->errlen, -EBADMSG,
			       "signature: %s has an OID whose last arc is cut", what);
	return 0;
}

static int der_expect_oid(struct cms *m, struct dg_cur *c, const char *what, struct dg_cur *oid)
{
	struct der e;
	int r = der_expect(m, c, DER_OID, what, &e);

	if (r < 0)
		return r;
	r = oid_check(m, &e.val, what);
	if (r < 0)
		return r;
	*oid = e.val;
	return 0;
}

static int oid_is(const struct dg_cur *oid, const uint8_t *enc, size_t n)
{
	return oid->len == n && !memcmp(oid->p, enc, n);
}

/*
 * The dotted form of a checked OID, for messages: an arc that does not fit
 * in 64 bits is shown as "...", and the text is cut at @n bytes.
 */
static void oid_text(const struct dg_cur *oid, char *buf, size_t n)
{
	size_t i, at = 0;
	uint64_t v = 0;
	int first = 1, big = 0, w;

	buf[0] = '\0';
	for (i = 0; i < oid->len && at < n; i++) {
		if (v >> 57)
			big = 1;
		v = v << 7 | (oid->p[i] & 0x7f);
		if (oid->p[i] & 0x80)
			continue;
		if (big)
			w = snprintf(buf + at, n - at, "%s...", first ? "" : ".");
		else if (first)
			w = snprintf(buf + at, n - at, "%u.%" PRIu64, v < 80 ? (unsigned)(v / 40) : 2u,
				     v < 80 ? v % 40 : v - 80);
		else
			w = snprintf(buf + at, n - at, ".%" PRIu64, v);
		if (w < 0)
			return;
		at += (size_t)w;
		first = 0;
		big = 0;
		v = 0;
	}
}

/* A small non-negative INTEGER in its shortest form (X.690 §8.3.2). */
static int der_uint_small(struct cms *m, struct dg_cur *c, const char *what, uint32_t *v)
{
	struct der e;
	size_t i;
	int r = der_expect(m, c, DER_INTEGER, what, &e);

	if (r < 0)
		return r;
	if (!e.val.len)
		return dg_errf(m->err, m->errlen, -EBADMSG, "signature: %s is an empty INTEGER", what);
	if (e.val.len > 1 && ((e.val.p[0] == 0 && !(e.val.p[1] & 0x80)) ||
			      (e.val.p[0] == 0xff && (e.val.p[1] & 0x80))))
		return dg_errf(m->err, m->errlen, -EBADMSG,
			       "signature: %s is an INTEGER not in its shortest form (not DER)", what);
	if (e.val.p[0] & 0x80)
		return dg_errf(m->err, m->errlen, -EBADMSG, "signature: %s is negative", what);
	*v = UINT32_MAX;	/* larger than any version: the caller names it */
	if (e.val.len <= 4)
		for (*v = 0, i = 0; i < e.val.len; i++)
			*v = *v << 8 | e.val.p[i];
	return 0;
}

/* RFC 5280 §4.1.1.2: AlgorithmIdentifier ::= SEQUENCE { OID, ANY OPTIONAL }. */
static int der_alg_id(struct cms *m, struct dg_cur *c, const char *what, struct dg_cur *oid,
		      struct der *params, int *has_params)
{
	struct der seq;
	int r = der_expect(m, c, DER_SEQUENCE, what, &seq);

	if (r < 0)
		return r;
	r = der_expect_oid(m, &seq.val, what, oid);
	if (r < 0)
		return r;
	*has_params = seq.val.len > 0;
	if (*has_params) {
		r = der_next(m, &seq.val, what, params);
		if (r < 0)
			return r;
	}
	return der_end(m, &seq.val, what);
}

/* RFC 5754 §2-3: the parameters of the algorithms we accept are absent or NULL. */
static int params_absent_or_null(struct cms *m, const struct der *params, int has_params,
				 const char *what)
{
	if (has_params && (params->tag != DER_NULL || params->val.len))
		return dg_errf(m->err, m->errlen, -EBADMSG,
			       "signature: %s parameters are neither absent nor NULL", what);
	return 0;
}

static const struct oid_map *oid_find(const struct dg_cur *oid, const struct oid_map *map,
				      size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (oid_is(oid, map[i].enc, map[i].enc_len))
			return &map[i];
	return NULL;
}

static int oid_unsupported(struct cms *m, const struct dg_cur *oid, const char *what,
			   const char *supported)
{
	char text[OID_TEXT_MAX];

	oid_text(oid, text, sizeof(text));
	return dg_errf(m->err, m->errlen, -EOPNOTSUPP, "signature: %s %s is not supported (%s)",
		       what, text, supported);
}

/* ---- CMS (RFC 5652) --------------------------------------------------- */

/* §5.1: each element an AlgorithmIdentifier; which ones does not matter. */
static int cms_digest_algs(struct cms *m, struct dg_cur *c)
{
	const char *what = "SignedData digestAlgorithms";
	struct der set, params;
	struct dg_cur oid;
	unsigned n = 0;
	int r, has;

	r = der_expect(m, c, DER_SET, what, &set);
	if (r < 0)
		return r;
	while (set.val.len) {
		if (++n > CMS_DIGEST_ALGS_MAX)
			return dg_errf(m->err, m->errlen, -E2BIG,
				       "signature: %s holds more than %u algorithms", what,
				       CMS_DIGEST_ALGS_MAX);
		r = der_alg_id(m, &set.val, what, &oid, &params, &has);
		if (r < 0)
			return r;
	}
	return 0;
}

/* §5.2: EncapsulatedContentInfo of id-data, without eContent (detached). */
static int cms_encap_content(struct cms *m, struct dg_cur *c)
{
	const char *what = "SignedData encapContentInfo";
	struct dg_cur oid;
	struct der seq;
	int r;

	r = der_expect(m, c, DER_SEQUENCE, what, &seq);
	if (r < 0)
		return r;
	r = der_expect_oid(m, &seq.val, "encapContentInfo eContentType", &oid);
	if (r < 0)
		return r;
	if (!oid_is(&oid, oid_data, sizeof(oid_data)))
		return oid_unsupported(m, &oid, "encapContentInfo eContentType", "id-data");
	if (seq.val.len && seq.val.p[0] == DER_CTX0_CONS)
		return dg_errf(m->err, m->errlen, -EOPNOTSUPP,
			       "signature: signature is not detached (encapContentInfo holds eContent)");
	return der_end(m, &seq.val, what);
}

/* §10.2.4 IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber INTEGER }. */
static int cms_issuer_serial(struct cms *m, const struct der *sid)
{
	const char *what = "SignerInfo issuerAndSerialNumber";
	struct dg_cur c = sid->val;
	struct der e;
	int r;

	r = der_expect(m, &c, DER_SEQUENCE, "SignerInfo issuer", &e);
	if (r < 0)
		return r;
	r = der_expect(m, &c, DER_INTEGER, "SignerInfo serialNumber", &e);
	if (r < 0)
		return r;
	if (!e.val.len)
		return dg_errf(m->err, m->errlen, -EBADMSG,
			       "signature: SignerInfo serialNumber is an empty INTEGER");
	return der_end(m, &c, what);
}

/*
 * §5.3 SignerIdentifier: issuerAndSerialNumber with version 1,
 * [0] IMPLICIT SubjectKeyIdentifier with version 3.
 */
static int cms_sid(struct cms *m, struct dg_cur *c, uint32_t version)
{
	struct der sid;
	int r;

	r = der_next(m, c, "SignerInfo sid", &sid);
	if (r < 0)
		return r;
	if (sid.tag == DER_SEQUENCE) {
		if (version != 1)
			return dg_errf(m->err, m->errlen, -EBADMSG,
				       "signature: SignerInfo version %" PRIu32
				       " with an issuerAndSerialNumber (RFC 5652 §5.3: 1)", version);
		r = cms_issuer_serial(m, &sid);
		if (r < 0)
			return r;
		m->out->sid = span_of(m, &sid.all);
		return 0;
	}
	if (sid.tag == DER_CTX0_CONS)
		return dg_errf(m->err, m->errlen, -EOPNOTSUPP,
			       "signature: SignerInfo subjectKeyIdentifier is a constructed string (BER), "
			       "only DER is supported");
	if (sid.tag != DER_CTX0_PRIM)
		return dg_errf(m->err, m->errlen, -EBADMSG,
			       "signature: SignerInfo sid has tag 0x%02x, neither issuerAndSerialNumber "
			       "(0x30) nor subjectKeyIdentifier (0x80)", sid.tag);
	if (version != 3)
		return dg_errf(m->err, m->errlen, -EBADMSG,
			       "signature: SignerInfo version %" PRIu32
			       " with a subjectKeyIdentifier (RFC 5652 §5.3: 3)", version);
	if (!sid.val.len)
		return dg_errf(m->err, m->errlen, -EBADMSG,
			       "signature: SignerInfo subjectKeyIdentifier is empty");
	m->out->flags |= BPF_SIG_F_SID_KEYID;
	m->out->sid = span_of(m, &sid.val);
	return 0;
}

static int cms_digest_alg(struct cms *m, struct dg_cur *c)
{
	const char *what = "SignerInfo digestAlgorithm";
	const struct oid_map *a;
	struct dg_cur oid;
	struct der params;
	int r, has;

	r = der_alg_id(m, c, what, &oid, &params, &has);
	if (r < 0)
		return r;
	a = oid_find(&oid, digest_algs, sizeof(digest_algs) / sizeof(digest_algs[0]));
	if (!a)
		return oid_unsupported(m, &oid, what, "SHA-256, SHA-384, SHA-512");
	r = params_absent_or_null(m, &params, has, what);
	if (r < 0)
		return r;
	m->out->md = a->id;
	return 0;
}

/* §5.3 SignedAttributes ::= SET SIZE (1..MAX) OF Attribute, §5.3 Attribute. */
static int cms_signed_attrs(struct cms *m, const struct der *attrs)
{
	struct dg_cur c = attrs->val, oid;
	struct der attr, values;
	unsigned n = 0;
	int r;

	if (!c.len)
		return dg_errf(m->err, m->errlen, -EBADMSG, "signature: SignerInfo signedAttrs is empty");
	while (c.len) {
		if (++n > CMS_SIGNED_ATTRS_MAX)
			return dg_errf(m->err, m->errlen, -E2BIG,
				       "signature: SignerInfo signedAttrs holds more than %u attributes",
				       CMS_SIGNED_ATTRS_MAX);
		r = der_expect(m, &c, DER_SEQUENCE, "SignerInfo signed attribute", &attr);
		if (r < 0)
			return r;
		r = der_expect_oid(m, &attr.val, "SignerInfo signed attribute type", &oid);
		if (r < 0)
			return r;
		r = der_expect(m, &attr.val, DER_SET, "SignerInfo signed attribute values", &values);
		if (r < 0)
			return r;
		r = der_end(m, &attr.val, "a signed attribute");
		if (r < 0)
			return r;
	}
	m->out->flags |= BPF_SIG_F_SIGNED_ATTRS;
	m->out->attrs = span_of(m, &attrs->all);
	return 0;
}

static int cms_sig_alg(struct cms *m, struct dg_cur *c)
{
	const char *what = "SignerInfo signatureAlgorithm";
	const struct oid_map *a;
	struct dg_cur oid;
	struct der params;
	char text[OID_TEXT_MAX];
	int r, has;

	r = der_alg_id(m, c, what, &oid, &params, &has);
	if (r < 0)
		return r;
	a = oid_find(&oid, sig_algs, sizeof(sig_algs) / sizeof(sig_algs[0]));
	if (!a)
		return oid_unsupported(m, &oid, what,
				       "rsaEncryption, sha256/384/512WithRSAEncryption, ecdsa-with-SHA256/384/512");
	r = params_absent_or_null(m, &params, has, what);
	if (r < 0)
		return r;
	/* One digest for both: the answer carries the digestAlgorithm only. */
	if (a->md && a->md != m->out->md) {
		oid_text(&oid, text, sizeof(text));
		return dg_errf(m->err, m->errlen, -EBADMSG,
			       "signature: SignerInfo signatureAlgorithm %s names another digest than digestAlgorithm",
			       text);
	}
	m->out->pk = a->id;
	return 0;
}

/* §5.3 SignerInfo. */
static int cms_signer_info(struct cms *m, struct der *si, uint32_t sd_version)
{
	struct dg_cur c = si->val;
	struct der e;
	uint32_t version;
	int r;

	r = der_uint_small(m, &c, "SignerInfo version", &version);
	if (r < 0)
		return r;
	if (version != 1 && version != 3)
		return dg_errf(m->err, m->errlen, -EOPNOTSUPP,
			       "signature: SignerInfo version %" PRIu32 " is not supported (1, 3)",
			       version);
	/* §5.1: a version 3 SignerInfo makes the SignedData version 3. */
	if (version == 3 && sd_version != 3)
		return dg_errf(m->err, m->errlen, -EBADMSG,
			       "signature: SignedData version %" PRIu32
			       " holds a version 3 SignerInfo (RFC 5652 §5.1: 3)", sd_version);
	r = cms_sid(m, &c, version);
	if (r < 0)
		return r;
	r = cms_digest_alg(m, &c);
	if (r < 0)
		return r;
	if (c.len && c.p[0] == DER_CTX0_CONS) {
		r = der_next(m, &c, "SignerInfo signedAttrs", &e);
		if (r < 0)
			return r;
		r = cms_signed_attrs(m, &e);
		if (r < 0)
			return r;
	}
	r = cms_sig_alg(m, &c);
	if (r < 0)
		return r;
	r = der_expect_string(m, &c, DER_OCTET_STRING, "SignerInfo signature", &e);
	if (r < 0)
		return r;
	if (!e.val.len)
		return dg_errf(m->err, m->errlen, -EBADMSG, "signature: SignerInfo signature is empty");
	m->out->value = span_of(m, &e.val);
	if (c.len && c.p[0] == DER_CTX1_CONS) {
		r = der_next(m, &c, "SignerInfo unsignedAttrs", &e);
		if (r < 0)
			return r;
	}
	return der_end(m, &c, "SignerInfo");
}

/* §5.1 signerInfos: exactly one SignerInfo. */
static int cms_signer_infos(struct cms *m, struct dg_cur *c, uint32_t sd_version)
{
	const char *what = "SignedData signerInfos";
	struct der set, si, other;
	unsigned n = 1;
	int r;

	r = der_expect(m, c, DER_SET, what, &set);
	if (r < 0)
		return r;
	if (!set.val.len)
		return dg_errf(m->err, m->errlen, -EBADMSG, "signature: %s is empty", what);
	r = der_expect(m, &set.val, DER_SEQUENCE, "SignerInfo", &si);
	if (r < 0)
		return r;
	while (set.val.len && n < CMS_SIGNERS_MAX) {
		r = der_next(m, &set.val, "SignerInfo", &other);
		if (r < 0)
			return r;
		n++;
	}
	if (n > 1)
		return dg_errf(m->err, m->errlen, -EOPNOTSUPP,
			       "signature: %s holds %s%u SignerInfos, only one is supported", what,
			       set.val.len ? "more than " : "", n);
	return cms_signer_info(m, &si, sd_version);
}

/* §5.1 SignedData. */
static int cms_signed_data(struct cms *m, struct dg_cur *c)
{
	struct der sd, e;
	uint32_t version;
	int r;

	r = der_expect(m, c, DER_SEQUENCE, "SignedData", &sd);
	if (r < 0)
		return r;
	r = der_uint_small(m, &sd.val, "SignedData version", &version);
	if (r < 0)
		return r;
	if (version != 1 && version != 3)
		return dg_errf(m->err, m->errlen, -EOPNOTSUPP,
			       "signature: SignedData version %" PRIu32 " is not supported (1, 3)",
			       version);
	r = cms_digest_algs(m, &sd.val);
	if (r < 0)
		return r;
	r = cms_encap_content(m, &sd.val);
	if (r < 0)
		return r;
	if (sd.val.len && sd.val.p[0] == DER_CTX0_CONS) {
		r = der_next(m, &sd.val, "SignedData certificates", &e);
		if (r < 0)
			return r;
		m->out->flags |= BPF_SIG_F_CERTS;
	}
	if (sd.val.len && sd.val.p[0] == DER_CTX1_CONS) {
		r = der_next(m, &sd.val, "SignedData crls", &e);
		if (r < 0)
			return r;
	}
	r = cms_signer_infos(m, &sd.val, version);
	if (r < 0)
		return r;
	r = der_end(m, &sd.val, "SignedData");
	if (r < 0)
		return r;
	return der_end(m, c, "ContentInfo content [0]");
}

/* §3 ContentInfo of type signedData, filling the signature exactly. */
static int cms_content_info(struct cms *m, const struct dg_cur *sig)
{
	struct dg_cur c = *sig, oid;
	struct der ci, content;
	int r;

	r = der_expect(m, &c, DER_SEQUENCE, "ContentInfo", &ci);
	if (r < 0)
		return r;
	if (c.len)
		return dg_errf(m->err, m->errlen, -EBADMSG,
			       "signature: %zu bytes after the ContentInfo", c.len);
	r = der_expect_oid(m, &ci.val, "ContentInfo contentType", &oid);
	if (r < 0)
		return r;
	if (!oid_is(&oid, oid_signed_data, sizeof(oid_signed_data)))
		return oid_unsupported(m, &oid, "ContentInfo contentType", "signedData");
	r = der_expect(m, &ci.val, DER_CTX0_CONS, "ContentInfo content", &content);
	if (r < 0)
		return r;
	r = cms_signed_data(m, &content.val);
	if (r < 0)
		return r;
	m->out->sig = span_of(m, sig);
	return der_end(m, &ci.val, "ContentInfo");
}

/* ---- the answer ------------------------------------------------------- */

static int put_span(struct dg_buf *b, struct span s)
{
	int r = dg_buf_put_le32(b, s.off);

	return r < 0 ? r : dg_buf_put_le32(b, s.len);
}

/* bpf_proto.h "ANSWER (type 0x0501 | DG_MSG_ANSWER)", 72 bytes. */
static int answer_put(struct dg_buf *ans, const struct bpf_sig *s, char *err, size_t errlen)
{
	size_t start = ans->len;
	int r;

	if ((r = dg_buf_reserve(ans, BPF_SIG_ANS_LEN)) < 0 ||
	    (r = dg_buf_put_le32(ans, BPF_SIG_MAGIC)) < 0 ||
	    (r = dg_buf_put_le16(ans, BPF_ANS_VERSION)) < 0 ||
	    (r = dg_buf_put_le16(ans, s->flags)) < 0 ||
	    (r = dg_buf_put_le32(ans, s->nr_maps)) < 0 ||
	    (r = dg_buf_put_le32(ans, s->nr_progs)) < 0 ||
	    (r = put_span(ans, s->insns)) < 0 ||
	    (r = put_span(ans, s->data)) < 0 ||
	    (r = put_span(ans, s->sig)) < 0 ||
	    (r = put_span(ans, s->sid)) < 0 ||
	    (r = put_span(ans, s->value)) < 0 ||
	    (r = dg_buf_put_le32(ans, s->md)) < 0 ||
	    (r = dg_buf_put_le32(ans, s->pk)) < 0 ||
	    (r = put_span(ans, s->attrs)) < 0) {
		ans->len = start;
		return dg_errf(err, errlen, r, "answer: cannot append %u bytes", BPF_SIG_ANS_LEN);
	}
	return 0;
}

int bpf_parse_signed(const uint8_t *in, size_t len, struct dg_buf *ans,
		     char *err, size_t errlen)
{
	struct dg_cur insns = { 0 }, data = { 0 }, sig = { 0 };
	struct bpf_sig s = { 0 };
	struct cms m = { .base = in, .err = err, .errlen = errlen, .out = &s };
	struct bpf_hdr h;
	int r;

	r = hdr_read(in, len, &h, err, errlen);
	if (r < 0)
		return r;
	r = hdr_check(&h, err, errlen);
	if (r < 0)
		return r;
	r = body_split(in, len, &h, &insns, &data, &sig, err, errlen);
	if (r < 0)
		return r;
	r = cms_content_info(&m, &sig);
	if (r < 0)
		return r;
	s.nr_maps = h.nr_maps;
	s.nr_progs = h.nr_progs;
	s.insns = span_of(&m, &insns);
	s.data = span_of(&m, &data);
	return answer_put(ans, &s, err, errlen);
}

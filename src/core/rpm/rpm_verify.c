// SPDX-License-Identifier: MIT
/*
 * Package digests and signatures, decided the way `rpmkeys --checksig` does
 * (rpm lib/rpmvs.c, re-implemented): every digest/signature tag becomes an
 * item with a kind, a byte range (header, payload, both) and rpm's disabler
 * bit; items are sorted by range, signatures first, then by id; digests
 * inside a header whose signature verified count as signature strength; a
 * missing item is printed only when the level still needs its range; a
 * failing item is forgiven when its alternative verified.  All hashing is
 * done here with OpenSSL over spans of the original bytes; signatures go
 * to the verifier (the OpenPGP core) with the same spans.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include <digestguard/pgp.h>

#include "cursor.h"
#include "pgp_frame.h"
#include "rpm_core.h"
#include "../../handlers/rpm/rpm_proto.h"
#include "../../handlers/rpm/rpm_sig.h"	/* RPM_OPENPGP_SIG_MAX, as the handler decodes */

/* rpm's RPMSIG_* ranges and the RPMVSF_* bits that order items. */
#define R_HEADER 1
#define R_PAYLOAD 2
#define VSF_NOSHA1HEADER (1u << 8)
#define VSF_NOSHA256HEADER (1u << 9)
#define VSF_NODSAHEADER (1u << 10)
#define VSF_NORSAHEADER (1u << 11)
#define VSF_NOOPENPGP (1u << 12)
#define VSF_NOSHA3_256HEADER (1u << 13)
#define VSF_NOPAYLOAD (1u << 16)
#define VSF_NOMD5 (1u << 17)
#define VSF_NODSA (1u << 18)
#define VSF_NORSA (1u << 19)

/* OpenPGP algorithm ids (RFC 9580 §9.1, §9.5). */
#define PGP_PK_RSA 1
#define PGP_PK_DSA 17
#define PGP_HASH_MD5 1
#define PGP_HASH_SHA1 2
#define PGP_HASH_SHA256 8
#define PGP_HASH_SHA3_256 12
#define PGP_TAG_SIGNATURE 2	/* RFC 9580 §5.2 */
/* rpm's pgpPrtParams() refuses OpenPGP data over this (RPM_MAX_OPENPGP_BYTES). */
#define RPM_OPENPGP_BYTES_MAX 65535u


struct item_def {
	uint32_t tag;
	int hdr, kind, range, hash, sigalgo, wrapped, alt;
	uint32_t disabler;
};

/* In rpm's insertion order (rpmvfyitems[], then the payload digests). */
static const struct item_def defs[] = {
	{ RPMSIGTAG_PGP, RPM_HDR_SIG, DG_RPM_SIGNATURE, R_HEADER | R_PAYLOAD, 0, PGP_PK_RSA, 0, 0, VSF_NORSA },
	{ RPMSIGTAG_MD5, RPM_HDR_SIG, DG_RPM_DIGEST, R_HEADER | R_PAYLOAD, PGP_HASH_MD5, 0, 0, 0, VSF_NOMD5 },
	{ RPMSIGTAG_GPG, RPM_HDR_SIG, DG_RPM_SIGNATURE, R_HEADER | R_PAYLOAD, 0, PGP_PK_DSA, 0, 0, VSF_NODSA },
	{ RPMSIGTAG_DSAHEADER, RPM_HDR_SIG, DG_RPM_SIGNATURE, R_HEADER, 0, PGP_PK_DSA, 0, 0, VSF_NODSAHEADER },
	{ RPMSIGTAG_RSAHEADER, RPM_HDR_SIG, DG_RPM_SIGNATURE, R_HEADER, 0, PGP_PK_RSA, 0, 0, VSF_NORSAHEADER },
	{ RPMSIGTAG_SHA1HEADER, RPM_HDR_SIG, DG_RPM_DIGEST, R_HEADER, PGP_HASH_SHA1, 0, 0, 0, VSF_NOSHA1HEADER },
	{ RPMSIGTAG_SHA256HEADER, RPM_HDR_SIG, DG_RPM_DIGEST, R_HEADER, PGP_HASH_SHA256, 0, 0, 0, VSF_NOSHA256HEADER },
	{ RPMSIGTAG_OPENPGP, RPM_HDR_SIG, DG_RPM_SIGNATURE, R_HEADER, 0, 0, 0, 0, VSF_NOOPENPGP },
	{ RPMSIGTAG_SHA3_256HEADER, RPM_HDR_SIG, DG_RPM_DIGEST, R_HEADER, PGP_HASH_SHA3_256, 0, 0, 0, VSF_NOSHA3_256HEADER },
	{ RPMTAG_PAYLOADDIGEST, RPM_HDR_MAIN, DG_RPM_DIGEST, R_PAYLOAD, PGP_HASH_SHA256, 0, 1, 0, VSF_NOPAYLOAD },
	{ RPMTAG_PAYLOADDIGESTALT, RPM_HDR_MAIN, DG_RPM_DIGEST, R_PAYLOAD, PGP_HASH_SHA256, 0, 1, 1, VSF_NOPAYLOAD },
};

struct item {
	const struct item_def *d;
	int rc, strength, has_ctx, hash;
	int id;
	const uint8_t *val;	/* digest (hex string or MD5 bytes) or signature */
	size_t val_len;
	uint8_t *owned;		/* decoded base64 signature */
	const uint8_t *pre;	/* the handler's pre-parsed answer for val, or NULL */
	size_t pre_len;
	struct rpm_siginfo si;
	char msg[288], why[192];	/* msg: as dg_rpm_item.msg */
};

const char *dg_rpm_hash_name(int algo)
{
	const char *n = dg_pgp_hash_algo_name(algo);

	return strcmp(n, "unknown") ? n : "UNKNOWN";	/* rpm's spelling */
}

static const char *pk_name(int algo)
{
	switch (algo) {
	case 1: return "RSA";
	case 2: return "RSA(Encrypt-Only)";
	case 3: return "RSA(Sign-Only)";
	case 16: return "Elgamal(Encrypt-Only)";
	case 17: return "DSA";
	case 18: return "Elliptic Curve";
	case 19: return "ECDSA";
	case 20: return "Elgamal";
	case 22: return "EdDSA";
	case 27: return "Ed25519";
	case 28: return "Ed448";
	}
	return "Unknown public key algorithm";
}

static const EVP_MD *evp_for(int algo)
{
	switch (algo) {
	case 1: return EVP_md5();
	case 2: return EVP_sha1();
	case 8: return EVP_sha256();
	case 9: return EVP_sha384();
	case 10: return EVP_sha512();
	case 11: return EVP_sha224();
	case 12: return EVP_sha3_256();
	case 14: return EVP_sha3_512();
	}
	return NULL;
}

static void hexify(const uint8_t *p, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hx[p[i] >> 4];
		out[2 * i + 1] = hx[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Strict base64 (RFC 4648 §4, padding required, no whitespace). */
static int b64_decode(const char *s, size_t n, uint8_t **out, size_t *out_len)
{
	static const char al[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint8_t *o;
	size_t i, k = 0;

	if (n == 0 || n % 4 || n / 4 * 3 > RPM_OPENPGP_SIG_MAX)
		return -EBADMSG;
	o = malloc(n / 4 * 3);
	if (!o)
		return -ENOMEM;
	for (i = 0; i < n; i += 4) {
		uint32_t v = 0;
		int j, pad = 0;

		for (j = 0; j < 4; j++) {
			const char *q;

			if (s[i + j] == '=' && i + 4 == n && j >= 2) {
				pad++;
				v <<= 6;
				continue;
			}
			q = s[i + j] ? strchr(al, s[i + j]) : NULL;
			if (!q || pad) {
				free(o);
				return -EBADMSG;
			}
			v = v << 6 | (uint32_t)(q - al);
		}
		o[k++] = (uint8_t)(v >> 16);
		if (pad < 2)
			o[k++] = (uint8_t)(v >> 8);
		if (pad < 1)
			o[k++] = (uint8_t)v;
	}
	*out = o;
	*out_len = k;
	return 0;
}

/*
 * How rpm names the header of an item in its messages (lib/rpmvs.c
 * rpmvsAppend()): "header" when the header holds entries outside its
 * region (or has no region), "package" when the region covers it all, as
 * in every package file's main header.
 */
static const char *origin(const struct rpm_pkg *pkg, int hdr)
{
	uint32_t off = hdr == RPM_HDR_SIG ? pkg->sig_off : pkg->main_off;
	uint32_t rtag = hdr == RPM_HDR_SIG ? RPMTAG_HEADERSIGNATURES : RPMTAG_HEADERIMMUTABLE;
	struct dg_cur c = cur_init(pkg->buf, pkg->buf_len), ent;
	uint32_t il, dl, tag, roff, rneg;

	/* Intro (magic, reserved, il, dl), then the first entry (tag, type,
	 * offset, count): the region tag, its trailer inside the data. */
	if (cur_skip(&c, off + 8) < 0 || cur_be32(&c, &il) < 0 || cur_be32(&c, &dl) < 0 ||
	    il == 0 || dl < RPM_ENTRY_SIZE)
		return "header";
	ent = c;
	if (cur_be32(&c, &tag) < 0 || tag != rtag || cur_skip(&c, 4) < 0 ||
	    cur_be32(&c, &roff) < 0 || roff > dl - RPM_ENTRY_SIZE)
		return "header";
	/* The trailer's offset field is -(entries in the region) * 16. */
	if (cur_skip(&ent, (size_t)il * RPM_ENTRY_SIZE + roff + 8) < 0 || cur_be32(&ent, &rneg) < 0)
		return "header";
	return il > (uint32_t)-rneg / RPM_ENTRY_SIZE ? "header" : "package";
}

/* The bytes an item's range covers, or -ENODATA when not available. */
static int range_bytes(const struct rpm_pkg *pkg, const struct rpm_verifier *v, int range,
		       const uint8_t **p, size_t *n)
{
	if (range == R_HEADER) {
		*p = pkg->buf + pkg->main_off;
		*n = pkg->main_len;
		return 0;
	}
	if (!v->whole || v->whole_len != pkg->file_size)
		return -ENODATA;
	if (range == R_PAYLOAD) {
		*p = v->whole + pkg->payload_off;
		*n = (size_t)(pkg->file_size - pkg->payload_off);
	} else {
		*p = v->whole + pkg->main_off;
		*n = (size_t)(pkg->file_size - pkg->main_off);
	}
	/* The header inside the whole file must be the bytes we checked. */
	if (range != R_PAYLOAD && memcmp(v->whole + pkg->main_off, pkg->buf + pkg->main_off,
					 pkg->main_len))
		return -EBADMSG;
	return 0;
}

static int is_hex(const uint8_t *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
			return 0;
	return 1;
}

/* Finish a copy of @hdr256 (SHA-256 of the main header so far) into @dig. */
static int finish_copy(const EVP_MD_CTX *hdr256, uint8_t *dig, unsigned int *dlen)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c && EVP_MD_CTX_copy_ex(c, hdr256) == 1 && EVP_DigestFinal_ex(c, dig, dlen) == 1;

	EVP_MD_CTX_free(c);
	return ok;
}

static void verify_digest(const struct rpm_pkg *pkg, const struct rpm_verifier *v,
			  const EVP_MD_CTX *hdr256, struct item *it)
{
	const EVP_MD *md = evp_for(it->hash);
	uint8_t dig[EVP_MAX_MD_SIZE];
	char want[2 * EVP_MAX_MD_SIZE + 1], got[2 * EVP_MAX_MD_SIZE + 1];
	unsigned int dlen = 0;
	const uint8_t *p;
	size_t n;

	if (hdr256 && it->d->tag == RPMSIGTAG_SHA256HEADER) {
		if (!finish_copy(hdr256, dig, &dlen))
			md = NULL;
	} else if (md && (range_bytes(pkg, v, it->d->range, &p, &n) < 0 ||
			  !EVP_Digest(p, n, dig, &dlen, md, NULL))) {
		md = NULL;
	}
	if (!md) {
		it->rc = DG_RPM_NOTFOUND;
		snprintf(it->why, sizeof(it->why), "cannot compute %s here", dg_rpm_hash_name(it->hash));
		return;
	}
	hexify(dig, dlen, got);
	if (it->d->tag == RPMSIGTAG_MD5) {
		hexify(it->val, it->val_len, want);
	} else {
		memcpy(want, it->val, it->val_len);
		want[it->val_len] = '\0';
	}
	if (strcasecmp(want, got) == 0) {
		it->rc = DG_RPM_OK;
	} else {
		it->rc = DG_RPM_BAD;
		snprintf(it->msg, sizeof(it->msg), "Expected %s != %s", want, got);
		snprintf(it->why, sizeof(it->why), "%s digest mismatch", dg_rpm_hash_name(it->hash));
	}
}

/*
 * Whether the value @p, @n is what rpm's pgpPrtParams() takes as a
 * signature: OpenPGP packets framed as its decodePkt() frames them (header
 * octet with bit 7; new format: one-, two- or five-octet lengths, no
 * partial ones; old format: one, two or four length octets, not the
 * indeterminate length) whose body ends inside the value, and signature
 * packets only: rpm reads one and refuses the value unless that packet is
 * its end.  We take several signature packets (docs/rpm.md), but nothing
 * else, before or after: a marker or padding packet, which the OpenPGP
 * core would skip, makes the value BAD as rpm has it.  RFC 9580 §4.2.
 * Nor may the value be longer than rpm reads (RPM_OPENPGP_BYTES_MAX):
 * anyone can grow a signature's unhashed area.
 * 0, or -EBADMSG / -E2BIG with the reason in @why.
 */
static int signature_packets_only(const uint8_t *p, size_t n, char *why, size_t whylen)
{
	struct dg_cur c = cur_init(p, n);
	unsigned int k;

	if (n > RPM_OPENPGP_BYTES_MAX) {
		snprintf(why, whylen, "signature value of %zu bytes exceeds rpm's limit of %u",
			 n, RPM_OPENPGP_BYTES_MAX);
		return -E2BIG;
	}
	for (k = 0; c.len; k++) {
		struct pgp_frame f;
		int r = pgp_frame_decode(&c, &f);

		if (r == -EPROTO) {
			snprintf(why, whylen, "%s", k == 0 ? "not binary OpenPGP packets (ASCII armor?)" :
				 "bytes after the signature packet that are not an OpenPGP packet");
			return -EBADMSG;
		}
		/* rpm's decodePkt() takes no partial or indeterminate length */
		if (r < 0 || f.kind != PGP_FRAME_FIXED || cur_skip(&c, f.len) < 0) {
			snprintf(why, whylen, "OpenPGP packet %u: length not as rpm reads it "
				 "(partial, indeterminate, or past the value's end)", k + 1);
			return -EBADMSG;
		}
		if (f.tag != PGP_TAG_SIGNATURE) {
			if (k == 0)
				snprintf(why, whylen, "the first OpenPGP packet is not a signature");
			else
				snprintf(why, whylen, "OpenPGP packet %u (tag %d) after the signature "
					 "packet; rpm wants the signature to end the value", k + 1, f.tag);
			return -EBADMSG;
		}
	}
	return 0;
}

static void verify_signature(const struct rpm_pkg *pkg, const struct rpm_verifier *v,
			     const EVP_MD_CTX *hdr256, struct item *it)
{
	const uint8_t *p;
	size_t n;
	int r;

	if (range_bytes(pkg, v, it->d->range, &p, &n) < 0) {
		it->rc = DG_RPM_NOTFOUND;
		return;
	}
	/*
	 * rpm's pgpPrtParams() reads binary packets and wants a signature
	 * packet and nothing else; anything else is BAD, where the OpenPGP
	 * core would dearmor text or skip a marker packet and verify the
	 * signature.
	 */
	if (it->val_len == 0 ||
	    signature_packets_only(it->val, it->val_len, it->why, sizeof(it->why)) < 0) {
		it->rc = DG_RPM_BAD;
		snprintf(it->msg, sizeof(it->msg), "%s tag %u: invalid OpenPGP signature",
			 origin(pkg, it->d->hdr), it->d->tag);
		if (it->val_len == 0)
			snprintf(it->why, sizeof(it->why), "empty signature value");
		return;
	}
	if (!v->fn) {
		it->rc = DG_RPM_NOKEY;
		snprintf(it->why, sizeof(it->why), "no OpenPGP verifier in this build");
		return;
	}
	r = v->fn(v->ctx, it->val, it->val_len, it->pre, it->pre_len, p, n,
		  it->d->range == R_HEADER ? hdr256 : NULL, &it->si);
	if (it->si.reason[0])
		snprintf(it->why, sizeof(it->why), "%s", it->si.reason);
	if (r == 0 && it->si.parsed && it->si.sig_type != 0) {
		it->rc = DG_RPM_BAD;
		snprintf(it->why, sizeof(it->why), "signature type 0x%02x is not a binary signature",
			 it->si.sig_type);
	} else if (r == 0) {
		it->rc = DG_RPM_OK;
	} else if (r == -ENOKEY) {
		it->rc = DG_RPM_NOKEY;
	} else if (r == -EOPNOTSUPP && it->d->tag == RPMSIGTAG_OPENPGP) {
		/* An algorithm we do not have in a multi-signature tag: absent. */
		it->rc = DG_RPM_NOTFOUND;
	} else {
		it->rc = DG_RPM_BAD;
		/* Not even one signature packet in the value: rpm's words. */
		if (!it->si.parsed)
			snprintf(it->msg, sizeof(it->msg), "%s tag %u: invalid OpenPGP signature",
				 origin(pkg, it->d->hdr), it->d->tag);
	}
}

static void describe(const struct item *it, struct dg_rpm_item *out)
{
	const char *rn = it->d->range == R_HEADER ? "Header " :
			 it->d->range == R_PAYLOAD ? "Payload " : "";

	out->kind = it->d->kind;
	out->range = it->d->range;
	out->rc = it->rc;
	snprintf(out->msg, sizeof(out->msg), "%s", it->msg);
	snprintf(out->why, sizeof(out->why), "%s", it->why);
	if (it->d->kind == DG_RPM_DIGEST) {
		snprintf(out->descr, sizeof(out->descr), "%s%s%s digest", rn,
			 dg_rpm_hash_name(it->hash), it->d->alt ? " ALT" : "");
	} else if (it->si.parsed) {
		snprintf(out->descr, sizeof(out->descr),
			 "%sV%d %s/%s Signature, key ID %02x%02x%02x%02x", rn, it->si.version,
			 pk_name(it->si.pk_algo), dg_rpm_hash_name(it->si.hash_algo),
			 it->si.keyid[4], it->si.keyid[5], it->si.keyid[6], it->si.keyid[7]);
	} else {
		snprintf(out->descr, sizeof(out->descr), "%s%s signature", rn,
			 it->d->sigalgo ? pk_name(it->d->sigalgo) : "OpenPGP");
	}
}

/* rpm's sinfoCmp(): range, signatures first, id, disabler (both descending). */
static int item_cmp(const struct item *a, const struct item *b)
{
	if (a->d->range != b->d->range)
		return a->d->range - b->d->range;
	if (a->d->kind != b->d->kind)
		return b->d->kind - a->d->kind;
	if (a->id != b->id)
		return b->id > a->id ? 1 : -1;
	if (a->d->disabler != b->d->disabler)
		return b->d->disabler > a->d->disabler ? 1 : -1;
	return 0;
}

/*
 * Set up the items for one tag (or one NOTFOUND item if absent/disabled).
 * Each item's hash is its definition's: rpm computes PAYLOADDIGEST and
 * PAYLOADDIGESTALT with SHA-256 whatever PAYLOADDIGESTALGO says (lib/rpmvs.c,
 * in 4.18 as in 6.x; rpmbuild always writes 8), so a payload digest made
 * with another algorithm is BAD, as rpm reports it (mut/payload-algo-*).
 */
static int add_items(const struct rpm_pkg *pkg, const struct item_def *d, int disabled,
		     struct item *items, size_t *n)
{
	const struct rpm_tagref *t = rpm_pkg_tag(pkg, d->hdr, d->tag);
	/* One item per string of a string array, else one for the tag. */
	uint32_t i, k, count = t && !disabled && t->first_string != RPM_NO_STRING ? t->count : 1;

	/* rpm 4.18 (the peer we match) has no items for these newer tags:
	 * they appear only when present. */
	if (!t && (d->tag == RPMSIGTAG_OPENPGP || d->tag == RPMSIGTAG_SHA3_256HEADER))
		return 0;

	for (i = 0; i < count; i++) {
		struct item *it;
		uint32_t slen;
		const char *s;

		if (*n >= DG_RPM_ITEMS_MAX)
			return -E2BIG;
		it = &items[(*n)++];
		memset(it, 0, sizeof(*it));
		it->d = d;
		it->strength = d->kind;
		it->hash = d->hash;
		if (!t || disabled) {
			it->rc = DG_RPM_NOTFOUND;
			continue;
		}
		it->rc = DG_RPM_OK;
		if (t->first_string != RPM_NO_STRING) {
			s = rpm_pkg_string(pkg, t, i, &slen);
			it->val = (const uint8_t *)s;
			it->val_len = slen;
		} else {
			it->val = pkg->buf + t->data_off;
			it->val_len = t->data_len;
		}
		if (d->kind == DG_RPM_DIGEST) {
			int ok = d->tag == RPMSIGTAG_MD5 ? it->val_len == 16 :
				 it->val_len % 2 == 0 && it->val_len >= 40 &&
				 it->val_len <= 2 * EVP_MAX_MD_SIZE && is_hex(it->val, it->val_len);

			if (!ok) {
				it->rc = DG_RPM_BAD;
				snprintf(it->msg, sizeof(it->msg), "%s: tag %u: invalid hex",
					 origin(pkg, d->hdr), d->tag);
				snprintf(it->why, sizeof(it->why), "%s", it->msg);
				continue;
			}
		} else if (d->tag == RPMSIGTAG_OPENPGP) {
			if (b64_decode((const char *)it->val, it->val_len, &it->owned,
				       &it->val_len) < 0) {
				it->rc = DG_RPM_BAD;
				snprintf(it->why, sizeof(it->why),
					 "OPENPGP item %u is not strict base64", i);
				it->val_len = 0;
				continue;
			}
			it->val = it->owned;
		}
		if (d->kind == DG_RPM_SIGNATURE)
			for (k = 0; k < pkg->n_presigs; k++)
				if (pkg->presigs[k].tag == d->tag && pkg->presigs[k].item == i) {
					it->pre = pkg->presigs[k].ans;
					it->pre_len = pkg->presigs[k].ans_len;
				}
		it->has_ctx = 1;
		it->id = (int)(d->tag << 16 | i);
	}
	return 0;
}

int rpm_verify_pkg(const struct rpm_pkg *pkg, const struct rpm_verifier *v,
		   struct dg_rpm_report *rep)
{
	struct item items[DG_RPM_ITEMS_MAX];
	int verified[3] = { 0, 0, 0 }, range = 0;
	int vfylevel = DG_RPM_DIGEST, needpayload = !(v->flags & DG_RPM_PAYLOAD);
	size_t n = 0, i, j;
	int r = 0, failed = 0;
	EVP_MD_CTX *hdr256 = NULL;

	rep->n_items = 0;
	rep->seen = rep->bad = rep->ok = rep->signed_ok = 0;
	for (i = 0; i < sizeof(defs) / sizeof(defs[0]) && r == 0; i++)
		r = add_items(pkg, &defs[i], needpayload && (defs[i].range & R_PAYLOAD),
			      items, &n);
	if (r < 0) {
		snprintf(rep->error, sizeof(rep->error), "%s: more than %d digests and signatures",
			 pkg->name, DG_RPM_ITEMS_MAX);
		goto out;
	}
	/* Stable insertion sort by rpm's order. */
	for (i = 1; i < n; i++) {
		struct item t = items[i];

		for (j = i; j > 0 && item_cmp(&items[j - 1], &t) > 0; j--)
			items[j] = items[j - 1];
		items[j] = t;
	}
	/*
	 * SHA256HEADER and a v4 SHA-256 header signature both hash the main
	 * header first: hash it once, finish a copy for the digest and let the
	 * OpenPGP core continue another with the signature trailer.
	 */
	for (i = 0; i < n; i++)
		if (items[i].has_ctx && items[i].d->tag == RPMSIGTAG_SHA256HEADER) {
			hdr256 = EVP_MD_CTX_new();
			if (hdr256 && (EVP_DigestInit_ex(hdr256, EVP_sha256(), NULL) != 1 ||
				       EVP_DigestUpdate(hdr256, pkg->buf + pkg->main_off,
							pkg->main_len) != 1)) {
				EVP_MD_CTX_free(hdr256);
				hdr256 = NULL;	/* then each hashes on its own */
			}
			break;
		}
	for (i = 0; i < n; i++) {
		struct item *it = &items[i];

		if (it->d->wrapped && (verified[DG_RPM_SIGNATURE] & R_HEADER))
			it->strength = DG_RPM_SIGNATURE;
		if (it->has_ctx) {
			if (it->d->kind == DG_RPM_DIGEST)
				verify_digest(pkg, v, hdr256, it);
			else
				verify_signature(pkg, v, hdr256, it);
			if (it->rc == DG_RPM_OK) {
				verified[it->d->kind] |= it->d->range;
				verified[it->strength] |= it->d->range;
			}
		}
		range |= it->d->range;
	}
	/* rpm rejects partially signed packages unconditionally. */
	if (verified[DG_RPM_SIGNATURE])
		vfylevel |= DG_RPM_SIGNATURE;
	if (needpayload)
		range &= ~R_PAYLOAD;
	for (i = 0; i < n; i++) {
		struct item *it = &items[i];
		int strength = it->d->kind | it->strength, required = 0;

		if (it->rc == DG_RPM_BAD) {
			for (j = 0; j < n; j++)
				if (items[j].id != it->id && items[j].d->disabler == it->d->disabler)
					break;
			if (j < n && items[j].rc == DG_RPM_OK)
				it->rc = DG_RPM_NOTFOUND;
		}
		if (vfylevel & strength & DG_RPM_DIGEST)
			required |= range & ~verified[DG_RPM_DIGEST] & it->d->range;
		if (vfylevel & strength & DG_RPM_SIGNATURE)
			required |= range & ~verified[DG_RPM_SIGNATURE] & it->d->range;
		if (!required && it->rc == DG_RPM_NOTFOUND)
			continue;
		describe(it, &rep->items[rep->n_items++]);
		rep->seen |= it->d->kind;
		if (it->rc != DG_RPM_OK) {
			rep->bad |= it->d->kind;
			failed = 1;
		}
		if (it->rc == DG_RPM_OK && it->d->kind == DG_RPM_SIGNATURE &&
		    it->d->range == R_HEADER)
			rep->signed_ok = 1;
	}
	rep->ok = !failed;
	r = failed ? -EKEYREJECTED : 0;
	for (i = 0; i < rep->n_items && failed; i++)
		if (rep->items[i].rc == DG_RPM_NOKEY) {
			r = -ENOKEY;
			break;
		}
	for (i = 0; i < rep->n_items && r < 0 && !rep->error[0]; i++) {
		if (rep->items[i].rc == DG_RPM_OK)
			continue;
		snprintf(rep->error, sizeof(rep->error), "%s: %s: %s%s%s", pkg->name,
			 rep->items[i].descr,
			 rep->items[i].rc == DG_RPM_NOKEY ? "NOKEY" :
			 rep->items[i].rc == DG_RPM_NOTFOUND ? "NOTFOUND" : "BAD",
			 rep->items[i].why[0] ? ": " : "", rep->items[i].why);
		rep->error_is_item = 1;
	}
out:
	EVP_MD_CTX_free(hdr256);
	for (i = 0; i < n; i++)
		free(items[i].owned);
	return r;
}

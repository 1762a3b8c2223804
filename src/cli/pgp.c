// SPDX-License-Identifier: MIT
/*
 * digestguard pgp dump [--json] FILE
 *
 * Packets as the sandboxed parser saw them: the file goes to the embedded
 * pgp handler through libumd, and the answer (pgp_proto.h) is printed, like
 * `gpg --list-packets` or `sq packet dump`.  This is a debugging view of
 * what the handler CLAIMS: values are printed as the handler decoded them
 * (spans are bounds-checked against the file, nothing is verified).  Key
 * fingerprints are computed here over the key body span the handler
 * reported, and labelled so; issuer IDs are the bytes of the subpackets the
 * handler pointed at, unverified.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include <digestguard/pgp.h>
#include <digestguard/umd.h>

#include "utc.h"
#include "blobs.h"
#include "cli.h"
#include "cursor.h"
#include "frame.h"
#include "log.h"
#include "pgp_proto.h"

#define PGP_DUMP_INPUT_MAX (DG_FRAME_MAX_DEFAULT - PGP_REQ_HDR_LEN)
#define PGP_DUMP_TIMEOUT_MS 10000

struct dump {
	struct dg_umd *umd;
	const char *file;
	int json;
	int comma[16];	/* JSON: does the current container need a comma */
	int level;
};

/* ------------------------------------------------------------ names */

#define tag_name(t) dg_pgp_packet_name(t)

/* Algorithm names: the core's, so every command says the same. */
#define pk_name(a) dg_pgp_pk_algo_name(a)
#define hash_name(h) dg_pgp_hash_algo_name(h)

static const char *sigtype_name(uint8_t t)
{
	switch (t) {
	case 0x00: return "binary document";
	case 0x01: return "canonical text document";
	case 0x02: return "standalone";
	case 0x10: return "generic certification";
	case 0x11: return "persona certification";
	case 0x12: return "casual certification";
	case 0x13: return "positive certification";
	case 0x18: return "subkey binding";
	case 0x19: return "primary key binding";
	case 0x1F: return "direct key";
	case 0x20: return "key revocation";
	case 0x28: return "subkey revocation";
	case 0x30: return "certification revocation";
	case 0x40: return "timestamp";
	case 0x50: return "third-party confirmation";
	default: return "unknown";
	}
}

static const char *sub_name(uint8_t t)
{
	switch (t) {
	case 2: return "signature creation time";
	case 3: return "signature expiration time";
	case 4: return "exportable certification";
	case 5: return "trust signature";
	case 6: return "regular expression";
	case 7: return "revocable";
	case 9: return "key expiration time";
	case 11: return "preferred symmetric ciphers";
	case 12: return "revocation key";
	case 16: return "issuer key ID";
	case 20: return "notation data";
	case 21: return "preferred hash algorithms";
	case 22: return "preferred compression algorithms";
	case 23: return "key server preferences";
	case 24: return "preferred key server";
	case 25: return "primary user ID";
	case 26: return "policy URI";
	case 27: return "key flags";
	case 28: return "signer's user ID";
	case 29: return "reason for revocation";
	case 30: return "features";
	case 31: return "signature target";
	case 32: return "embedded signature";
	case 33: return "issuer fingerprint";
	case 35: return "intended recipient fingerprint";
	case 39: return "preferred AEAD ciphersuites";
	default: return "unknown";
	}
}

static const char *armor_name(uint8_t k)
{
	switch (k) {
	case PGP_ARMOR_MESSAGE: return "MESSAGE";
	case PGP_ARMOR_PUBLIC_KEY: return "PUBLIC KEY BLOCK";
	case PGP_ARMOR_PRIVATE_KEY: return "PRIVATE KEY BLOCK";
	case PGP_ARMOR_SIGNATURE: return "SIGNATURE";
	default: return "unknown";
	}
}

/* ---------------------------------------------------------- output */

/* Untrusted bytes: printable ASCII as is, everything else escaped, so a
 * user ID cannot write terminal control sequences or break the JSON. */
static void put_text(const uint8_t *p, size_t n, int json)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t ch = p[i];

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch >= 0x20 && ch < 0x7f)
			putchar(ch);
		else if (json)
			printf("\\u%04x", ch);
		else
			printf("\\x%02x", ch);
	}
}

static void put_hex(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%02X", p[i]);
}

static void put_time(uint32_t t)
{
	char b[DG_UTC_LEN];

	if (dg_utc_format(b, t) == 0)
		printf("%s", b);
	else
		printf("%u", t);
}

/* JSON helpers: key/value pairs inside the current object or array. */
static void j_sep(struct dump *d)
{
	if (d->comma[d->level])
		putchar(',');
	d->comma[d->level] = 1;
}

static void j_open(struct dump *d, const char *key, char br)
{
	j_sep(d);
	if (key)
		printf("\"%s\":", key);
	putchar(br);
	if (d->level < 15)
		d->level++;
	d->comma[d->level] = 0;
}

static void j_close(struct dump *d, char br)
{
	putchar(br);
	if (d->level > 0)
		d->level--;
}

static void j_num(struct dump *d, const char *key, uint64_t v)
{
	j_sep(d);
	printf("\"%s\":%llu", key, (unsigned long long)v);
}

static void j_str(struct dump *d, const char *key, const char *v)
{
	j_sep(d);
	printf("\"%s\":\"", key);
	put_text((const uint8_t *)v, strlen(v), 1);
	putchar('"');
}

static void j_bytes(struct dump *d, const char *key, const uint8_t *p, size_t n)
{
	j_sep(d);
	printf("\"%s\":\"", key);
	put_text(p, n, 1);
	putchar('"');
}

static void j_hex(struct dump *d, const char *key, const uint8_t *p, size_t n)
{
	j_sep(d);
	printf("\"%s\":\"", key);
	put_hex(p, n);
	putchar('"');
}

static void j_bool(struct dump *d, const char *key, int v)
{
	j_sep(d);
	printf("\"%s\":%s", key, v ? "true" : "false");
}

/* ------------------------------------------------ answer reading */

struct answer {
	struct dg_umd_answer raw;
	const uint8_t *in;	/* the input the spans refer to */
	size_t inlen;
	uint32_t flags, nrec;
	struct dg_cur recs;
};

struct rec {
	uint16_t type;
	const uint8_t *p;
	size_t len;
};

static int next_rec(struct answer *a, struct rec *r)
{
	uint16_t t, res;
	uint32_t l;
	struct dg_cur b;

	if (!a->recs.len)
		return 1;
	if (cur_le16(&a->recs, &t) < 0 || cur_le16(&a->recs, &res) < 0 ||
	    cur_le32(&a->recs, &l) < 0 || cur_take(&a->recs, l, &b) < 0)
		return -EBADMSG;
	r->type = t;
	r->p = b.p;
	r->len = b.len;
	return 0;
}

static uint32_t g32(const struct rec *r, size_t off)
{
	return off + 4 <= r->len ? (uint32_t)r->p[off] | (uint32_t)r->p[off + 1] << 8 |
				   (uint32_t)r->p[off + 2] << 16 | (uint32_t)r->p[off + 3] << 24
				 : 0;
}

static uint8_t g8(const struct rec *r, size_t off)
{
	return off < r->len ? r->p[off] : 0;
}

/* A span at @off of @r, bounds-checked against the input; NULL if bad. */
static const uint8_t *gspan(const struct answer *a, const struct rec *r, size_t off,
			    uint32_t *n)
{
	uint32_t o = g32(r, off), l = g32(r, off + 4);

	if (off + 8 > r->len || (uint64_t)o + l > a->inlen)
		return NULL;
	*n = l;
	return a->in + o;
}

/* Does @r hold @fixed bytes plus @count elements of @elem bytes? */
static int rec_fits(const struct rec *r, size_t fixed, uint64_t count, size_t elem)
{
	return r->len >= fixed && (uint64_t)r->len >= fixed + count * elem;
}

static int call(struct dump *d, uint16_t type, const uint8_t *in, size_t len,
		uint32_t depth, uint16_t flags, struct answer *a)
{
	struct dg_cur c;
	uint32_t magic, ilen, res;
	uint16_t ver, rtype;
	uint8_t *req;
	int r;

	memset(a, 0, sizeof(*a));
	req = malloc(len + PGP_REQ_HDR_LEN);
	if (!req)
		return -ENOMEM;
	pgp_req_hdr_put_flags(req, depth, flags);
	memcpy(req + PGP_REQ_HDR_LEN, in, len);
	r = dg_umd_call(d->umd, type, req, len + PGP_REQ_HDR_LEN, &a->raw);
	free(req);
	if (r < 0) {
		fprintf(stderr, "digestguard pgp dump: %s: %s\n", d->file,
			dg_umd_last_error(d->umd));
		return r;
	}
	a->in = in;
	a->inlen = len;
	c = cur_init(a->raw.data, a->raw.len);
	if (cur_le32(&c, &magic) < 0 || cur_le16(&c, &ver) < 0 || cur_le16(&c, &rtype) < 0 ||
	    cur_le32(&c, &a->flags) < 0 || cur_le32(&c, &a->nrec) < 0 ||
	    cur_le32(&c, &ilen) < 0 || cur_le32(&c, &res) < 0 || magic != PGP_ANS_MAGIC ||
	    ver != PGP_PROTO_VERSION || rtype != type || ilen != len) {
		fprintf(stderr, "digestguard pgp dump: %s: malformed answer header from the handler\n",
			d->file);
		dg_umd_answer_free(&a->raw);
		return -EBADMSG;
	}
	a->recs = c;
	return 0;
}

static int bad_answer(struct dump *d, const char *what)
{
	fprintf(stderr, "digestguard pgp dump: %s: handler answer malformed: %s\n", d->file, what);
	return -EBADMSG;
}

/* ------------------------------------------------------- packets */

static void dump_fields(struct dump *d, const struct answer *a, const struct rec *r,
			size_t off, uint32_t n)
{
	static const char *const kinds[] = { "?", "MPI", "OID", "KDF", "native", "opaque" };
	uint32_t i, vl;

	if (d->json)
		j_open(d, "fields", '[');
	else
		printf("\tfields:");
	for (i = 0; i < n; i++, off += PGP_FIELD_LEN) {
		uint8_t k = g8(r, off);
		const char *kn = k < 6 ? kinds[k] : "?";
		const uint8_t *v = gspan(a, r, off + 12, &vl);

		if (!v)
			vl = 0;
		if (d->json) {
			j_open(d, NULL, '{');
			j_str(d, "kind", kn);
			if (k == PGP_FIELD_MPI)
				j_num(d, "bits", g8(r, off + 2) | (uint32_t)g8(r, off + 3) << 8);
			j_num(d, "length", vl);
			j_close(d, '}');
		} else if (k == PGP_FIELD_MPI) {
			printf(" MPI(%u bits)", g8(r, off + 2) | (uint32_t)g8(r, off + 3) << 8);
		} else {
			printf(" %s(%u bytes)", kn, vl);
		}
	}
	if (d->json)
		j_close(d, ']');
	else
		printf("\n");
}

static void dump_key(struct dump *d, const struct answer *a, const struct rec *r)
{
	uint32_t kl, nf = g32(r, 24);
	const uint8_t *kb = gspan(a, r, 16, &kl);
	uint8_t ver = g8(r, 4), algo = g8(r, 5), fpr[32];
	uint16_t fl = (uint16_t)(g8(r, 6) | g8(r, 7) << 8);
	unsigned int fn = 0;

	if (!rec_fits(r, PGP_REC_KEY_FIXED, nf, PGP_FIELD_LEN) || !kb) {
		bad_answer(d, "key record");
		return;
	}
	if ((ver == 4 || ver == 6) && !(fl & PGP_KEY_F_MALFORMED)) {
		uint8_t pre[5];
		size_t pl;
		EVP_MD_CTX *c = EVP_MD_CTX_new();

		if (ver == 4) {
			pre[0] = 0x99, pre[1] = (uint8_t)(kl >> 8), pre[2] = (uint8_t)kl;
			pl = 3;
		} else {
			pre[0] = 0x9B, pre[1] = (uint8_t)(kl >> 24), pre[2] = (uint8_t)(kl >> 16);
			pre[3] = (uint8_t)(kl >> 8), pre[4] = (uint8_t)kl;
			pl = 5;
		}
		if (!c || !EVP_DigestInit_ex(c, ver == 4 ? EVP_sha1() : EVP_sha256(), NULL) ||
		    !EVP_DigestUpdate(c, pre, pl) || !EVP_DigestUpdate(c, kb, kl) ||
		    !EVP_DigestFinal_ex(c, fpr, &fn))
			fn = 0;
		EVP_MD_CTX_free(c);
	}
	if (d->json) {
		j_num(d, "version", ver);
		j_num(d, "algo", algo);
		j_str(d, "algo_name", pk_name(algo));
		j_num(d, "created", g32(r, 8));
		j_bool(d, "secret", fl & PGP_KEY_F_SECRET);
		j_bool(d, "unsupported", fl & PGP_KEY_F_UNSUPPORTED);
		j_bool(d, "malformed", fl & PGP_KEY_F_MALFORMED);
		if (fn)
			j_hex(d, "fingerprint_computed_over_reported_span", fpr, fn);
		dump_fields(d, a, r, PGP_REC_KEY_FIXED, nf);
		return;
	}
	if (fl & PGP_KEY_F_MALFORMED) {
		printf("\tversion %u: MALFORMED key packet (does not parse; a subkey is not "
		       "used, a primary key makes the certificate unusable)\n", ver);
		return;
	}
	if (fl & PGP_KEY_F_UNSUPPORTED) {
		/* The handler reads nothing past the version of such a key:
		 * no algorithm or time to show. */
		printf("\tversion %u: UNSUPPORTED key version (only v4 and v6 keys are read)\n",
		       ver);
		return;
	}
	printf("\tversion %u, algo %u (%s), created %u (", ver, algo, pk_name(algo), g32(r, 8));
	put_time(g32(r, 8));
	printf(")%s%s\n", fl & PGP_KEY_F_SECRET ? ", SECRET (secret part not parsed)" : "",
	       fl & PGP_KEY_F_UNKNOWN_ALGO ? ", unknown algorithm" : "");
	if (fn) {
		printf("\tfingerprint ");
		put_hex(fpr, fn);
		printf(" (computed here over the key body span the handler reported)\n");
		printf("\tkey ID ");
		put_hex(ver == 4 ? fpr + 12 : fpr, 8);
		printf("\n");
	}
	dump_fields(d, a, r, PGP_REC_KEY_FIXED, nf);
}

/*
 * An issuer claim as the subpacket holds it: a key ID (8 bytes), or an
 * issuer fingerprint (type 33) with its key version octet first.  The
 * fingerprint is shown without that octet, as a key's own fingerprint is.
 */
static void put_issuer(struct dump *d, const char *key, const uint8_t *iss, uint32_t il)
{
	int ver = (il == 21 && iss[0] == 4) || (il == 33 && iss[0] == 6) ? iss[0] : 0;

	if (d->json) {
		j_hex(d, key, ver ? iss + 1 : iss, ver ? il - 1 : il);
		if (ver)
			j_num(d, "issuer_key_version", (uint32_t)ver);
		return;
	}
	if (ver)
		printf("v%d ", ver);
	put_hex(ver ? iss + 1 : iss, ver ? il - 1 : il);
}

static void dump_sig(struct dump *d, const struct answer *a, const struct rec *r)
{
	uint32_t ns = g32(r, 64), nf = g32(r, 68), fl = g32(r, 8), i, il, sl;
	const uint8_t *iss = gspan(a, r, 56, &il), *salt = gspan(a, r, 48, &sl);
	uint8_t ver = g8(r, 4), type = g8(r, 5), pk = g8(r, 6), h = g8(r, 7);

	if (!rec_fits(r, PGP_REC_SIG_FIXED, (uint64_t)ns * PGP_SUBPACKET_LEN + (uint64_t)nf * PGP_FIELD_LEN, 1)) {
		bad_answer(d, "signature record");
		return;
	}
	if (d->json) {
		j_num(d, "version", ver);
		j_num(d, "sigtype", type);
		j_str(d, "sigtype_name", sigtype_name(type));
		j_num(d, "pk_algo", pk);
		j_str(d, "pk_algo_name", pk_name(pk));
		j_num(d, "hash_algo", h);
		j_str(d, "hash_algo_name", hash_name(h));
		if (fl & PGP_SIG_F_HAS_CREATED)
			j_num(d, "created", g32(r, 12));
		j_bool(d, "unsupported", fl & PGP_SIG_F_UNSUPPORTED);
		j_bool(d, "malformed", fl & PGP_SIG_F_MALFORMED);
		j_bool(d, "unknown_critical_subpacket", fl & PGP_SIG_F_UNKNOWN_CRITICAL);
		if (salt && sl)
			j_hex(d, "salt", salt, sl);
		if (iss && il)
			put_issuer(d, "issuer_claimed", iss, il);
		j_open(d, "subpackets", '[');
	} else {
		if (fl & PGP_SIG_F_MALFORMED) {
			printf("\tversion %u: MALFORMED signature packet (does not parse; ignored,"
			       " never verified: RFC 9580 §5.2.5)\n", ver);
			return;
		}
		if (fl & PGP_SIG_F_UNSUPPORTED && ver != 3 && ver != 4 && ver != 6) {
			printf("\tversion %u: UNSUPPORTED signature version (only v4 and v6 are read;"
			       " never verified)\n", ver);
			return;
		}
		printf("\tversion %u, type 0x%02x (%s), pk algo %u (%s), hash algo %u (%s)\n",
		       ver, type, sigtype_name(type), pk, pk_name(pk), h, hash_name(h));
		if (fl & PGP_SIG_F_HAS_CREATED) {
			printf("\tcreated %u (", g32(r, 12));
			put_time(g32(r, 12));
			printf(")\n");
		}
		if (fl & PGP_SIG_F_UNSUPPORTED)
			printf("\tUNSUPPORTED signature version: never verified\n");
		if (fl & PGP_SIG_F_UNKNOWN_CRITICAL)
			printf("\tINVALID: a critical subpacket not understood or not carried out (RFC 9580 §5.2.3.7)\n");
		if (salt && sl) {
			printf("\tsalt ");
			put_hex(salt, sl);
			printf("\n");
		}
		if (iss && il) {
			printf("\tissuer ");
			put_issuer(d, NULL, iss, il);
			printf(" (claimed by the signature, not verified)\n");
		}
	}
	for (i = 0; i < ns; i++) {
		size_t off = PGP_REC_SIG_FIXED + (size_t)i * PGP_SUBPACKET_LEN;
		uint8_t st = g8(r, off + 5), sf = g8(r, off + 6);
		uint32_t bl;
		const uint8_t *b = gspan(a, r, off + 8, &bl);

		if (!b)
			bl = 0;
		if (d->json) {
			j_open(d, NULL, '{');
			j_num(d, "type", st);
			j_str(d, "name", sub_name(st));
			j_bool(d, "hashed", sf & PGP_SUB_F_HASHED);
			j_bool(d, "critical", sf & PGP_SUB_F_CRITICAL);
			j_num(d, "length", bl);
			if (b && (st == 16 || st == 33))
				j_hex(d, "value_claimed", b, bl);
			else if (b && st == 28)
				j_bytes(d, "value", b, bl);
			j_close(d, '}');
			continue;
		}
		printf("\t%s subpkt %u (%s)%s len %u", sf & PGP_SUB_F_HASHED ? "hashed" : "unhashed",
		       st, sub_name(st), sf & PGP_SUB_F_CRITICAL ? " CRITICAL" : "", bl);
		if (b && (st == 16 || st == 33)) {
			printf(": ");
			put_hex(b, bl);
			printf(" (claimed)");
		} else if (b && (st == 2 || st == 3 || st == 9) && bl == 4) {
			uint32_t t = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
				     (uint32_t)b[2] << 8 | b[3];

			printf(": %u", t);
		} else if (b && st == 28) {
			printf(": \"");
			put_text(b, bl, 0);
			printf("\"");
		}
		printf("\n");
	}
	if (d->json)
		j_close(d, ']');
	dump_fields(d, a, r, PGP_REC_SIG_FIXED + (size_t)ns * PGP_SUBPACKET_LEN, nf);
}

static int dump_packets(struct dump *d, const uint8_t *in, size_t len, uint32_t depth);

static int dump_record(struct dump *d, struct answer *a, const struct rec *r,
		       uint32_t depth, int *open)
{
	uint32_t n, l;
	const uint8_t *p;

	switch (r->type) {
	case PGP_REC_PACKET: {
		uint32_t hl, bl;
		const uint8_t *h = gspan(a, r, 8, &hl), *b = gspan(a, r, 16, &bl);
		uint8_t tag = g8(r, 4), fl = g8(r, 6);

		if (!h || !b || r->len < PGP_REC_PACKET_FIXED)
			return bad_answer(d, "packet record");
		if (d->json) {
			if (*open)
				j_close(d, '}');
			j_open(d, NULL, '{');
			*open = 1;
			j_num(d, "index", g32(r, 0));
			j_num(d, "tag", tag);
			j_str(d, "name", tag_name(tag));
			j_str(d, "format", g8(r, 5) ? "new" : "old");
			j_num(d, "offset", (uint64_t)(h - a->in));
			j_num(d, "header_length", hl);
			j_num(d, "body_length", bl);
			if (fl & PGP_PKT_F_PARTIAL)
				j_num(d, "partial_chunks", g32(r, 24));
			if (fl & PGP_PKT_F_UNKNOWN)
				j_bool(d, "critical_unknown", fl & PGP_PKT_F_CRITICAL);
		} else {
			printf("%*s# off=%zu hlen=%u plen=%u tag=%u %s%s%s\n", (int)depth * 2, "",
			       (size_t)(h - a->in), hl, bl, tag, g8(r, 5) ? "new-ctb" : "old-ctb",
			       fl & PGP_PKT_F_PARTIAL ? " partial" : "",
			       fl & PGP_PKT_F_INDETERMINATE ? " indeterminate" : "");
			printf("%*s:%s packet:%s%s\n", (int)depth * 2, "", tag_name(tag),
			       fl & PGP_PKT_F_UNKNOWN ? (fl & PGP_PKT_F_CRITICAL ?
				       " (unknown, CRITICAL)" : " (unknown, skipped)") : "",
			       fl & PGP_PKT_F_BAD_MARKER ? " (bad marker)" : "");
			if (fl & PGP_PKT_F_PARTIAL)
				printf("\t%u partial body chunks\n", g32(r, 24));
		}
		return 0;
	}
	case PGP_REC_KEY:
		dump_key(d, a, r);
		return 0;
	case PGP_REC_SIG:
		dump_sig(d, a, r);
		return 0;
	case PGP_REC_USERID:
		p = gspan(a, r, 4, &l);
		if (!p)
			return bad_answer(d, "user ID span");
		if (d->json) {
			j_bytes(d, "user_id", p, l);
		} else {
			printf("\t\"");
			put_text(p, l, 0);
			printf("\"\n");
		}
		return 0;
	case PGP_REC_OPS: {
		uint32_t il;
		const uint8_t *iss = gspan(a, r, 12, &il);

		if (!iss || r->len < PGP_REC_OPS_FIXED)
			return bad_answer(d, "one-pass record");
		if (d->json) {
			j_num(d, "version", g8(r, 4));
			j_num(d, "sigtype", g8(r, 5));
			j_num(d, "hash_algo", g8(r, 6));
			j_num(d, "pk_algo", g8(r, 7));
			put_issuer(d, "issuer_claimed", iss, il);
			j_bool(d, "last", g8(r, 8));
			j_bool(d, "malformed", g8(r, 9) & PGP_OPS_F_MALFORMED);
		} else if (g8(r, 9) & PGP_OPS_F_MALFORMED) {
			printf("\tversion %u: MALFORMED one-pass signature packet (does not parse; the"
			       " signature it announces does not count: RFC 9580 §5.2.5)\n", g8(r, 4));
		} else {
			printf("\tversion %u, type 0x%02x, hash %u (%s), pk %u (%s), last=%u\n\tissuer ",
			       g8(r, 4), g8(r, 5), g8(r, 6), hash_name(g8(r, 6)), g8(r, 7),
			       pk_name(g8(r, 7)), g8(r, 8));
			put_issuer(d, NULL, iss, il);
			printf(" (claimed)\n");
		}
		return 0;
	}
	case PGP_REC_LITERAL: {
		uint32_t fnl, i, total = 0, dl;
		const uint8_t *fn = gspan(a, r, 12, &fnl);

		n = g32(r, 20);
		if (!fn || !rec_fits(r, PGP_REC_LITERAL_FIXED, n, 8))
			return bad_answer(d, "literal record");
		for (i = 0; i < n; i++) {
			if (!gspan(a, r, PGP_REC_LITERAL_FIXED + 8 * (size_t)i, &dl))
				return bad_answer(d, "literal data span");
			total += dl;
		}
		if (d->json) {
			char f[2] = { (char)g8(r, 4), 0 };

			j_str(d, "literal_format", f);
			j_bytes(d, "filename", fn, fnl);
			j_num(d, "date", g32(r, 8));
			j_num(d, "data_length", total);
		} else {
			printf("\tformat '%c', filename \"", g8(r, 4) >= 0x20 && g8(r, 4) < 0x7f ?
			       g8(r, 4) : '?');
			put_text(fn, fnl, 0);
			printf("\", date %u, %u data bytes in %u span(s)\n", g32(r, 8), total, n);
		}
		return 0;
	}
	case PGP_REC_COMPRESSED: {
		uint32_t ol = g32(r, 8);

		if (!rec_fits(r, PGP_REC_COMPRESSED_FIXED, ol, 1) ||
		    r->len != PGP_REC_COMPRESSED_FIXED + (size_t)ol)
			return bad_answer(d, "compressed record");
		/* The handler refuses compressed data this deep (pgp_proto.h);
		 * one that claims some would have us recurse without end. */
		if (depth + 1 >= PGP_NEST_MAX)
			return bad_answer(d, "compressed data nested deeper than the handler's limit");
		if (d->json) {
			j_num(d, "compression_algo", g8(r, 4));
			j_num(d, "decompressed_length", ol);
			j_open(d, "packets", '[');
		} else {
			printf("\talgo %u, %u bytes decompressed by the handler:\n", g8(r, 4), ol);
		}
		{
			int rr = dump_packets(d, r->p + PGP_REC_COMPRESSED_FIXED, ol, depth + 1);

			if (d->json)
				j_close(d, ']');
			return rr;
		}
	}
	default:
		return 0;	/* unknown record types are skipped (pgp_proto.h) */
	}
}

static int dump_packets(struct dump *d, const uint8_t *in, size_t len, uint32_t depth)
{
	struct answer a;
	struct rec r;
	int rr, open = 0;

	rr = call(d, PGP_REQ_PARSE, in, len, depth, 0, &a);
	if (rr < 0)
		return rr;
	if (!d->json && (a.flags & PGP_ANS_F_UNKNOWN_CRITICAL_PACKET))
		printf("# unknown critical packet present: the sequence is invalid (RFC 9580 §4.3)\n");
	while ((rr = next_rec(&a, &r)) == 0) {
		rr = dump_record(d, &a, &r, depth, &open);
		if (rr < 0)
			break;
	}
	if (open)
		j_close(d, '}');
	dg_umd_answer_free(&a.raw);
	return rr < 0 ? rr : 0;
}

/* ------------------------------------------------------ armor, cleartext */

static int dump_armor(struct dump *d, const uint8_t *in, size_t len)
{
	struct answer a;
	struct rec r;
	int rr;

	/* RFC 9580 §6.1: a wrong CRC24 footer is shown, not fatal. */
	rr = call(d, PGP_REQ_DEARMOR, in, len, 0, PGP_REQ_F_LENIENT_CRC, &a);
	if (rr < 0)
		return rr;
	if (d->json)
		j_open(d, "armor", '[');
	else if (a.flags & PGP_ANS_F_TEXT_OUTSIDE)
		printf("# text outside the armor (ignored)\n");
	while ((rr = next_rec(&a, &r)) == 0) {
		if (r.type == PGP_REC_ARMOR) {
			uint32_t nh = g32(&r, 40), nl = g32(&r, 44), i, kl, vl;

			if (!rec_fits(&r, PGP_REC_ARMOR_FIXED, 2ull * nh + nl, 8)) {
				rr = bad_answer(d, "armor record");
				break;
			}
			if (d->json) {
				j_open(d, NULL, '{');
				j_num(d, "block", g32(&r, 0));
				j_str(d, "kind", armor_name(g8(&r, 4)));
				j_bool(d, "crc", g8(&r, 5) & PGP_ARMOR_F_CRC);
				j_bool(d, "crc_bad", g8(&r, 5) & PGP_ARMOR_F_CRC_BAD);
				j_num(d, "decoded_length", g32(&r, 36));
				j_open(d, "packets", '[');
			} else {
				printf("# armor block %u: %s, %u header(s), %u base64 line(s), %s, "
				       "%u bytes\n", g32(&r, 0), armor_name(g8(&r, 4)), nh, nl,
				       g8(&r, 5) & PGP_ARMOR_F_CRC ? "CRC24 ok" :
				       g8(&r, 5) & PGP_ARMOR_F_CRC_BAD ?
				       "CRC24 WRONG (ignored, RFC 9580 §6.1)" : "no CRC24",
				       g32(&r, 36));
				for (i = 0; i < nh; i++) {
					const uint8_t *k = gspan(&a, &r, PGP_REC_ARMOR_FIXED + 16 * (size_t)i, &kl);
					const uint8_t *v = gspan(&a, &r, PGP_REC_ARMOR_FIXED + 16 * (size_t)i + 8, &vl);

					if (!k || !v)
						continue;
					printf("#   ");
					put_text(k, kl, 0);
					printf(": ");
					put_text(v, vl, 0);
					printf("\n");
				}
			}
		} else if (r.type == PGP_REC_ARMOR_DATA) {
			if (r.len < 4) {
				rr = bad_answer(d, "armor data record");
				break;
			}
			/* The answer's bytes: the core would re-decode the
			 * base64 spans itself; a dump shows what it got. */
			rr = dump_packets(d, r.p + 4, r.len - 4, 0);
			if (d->json) {
				j_close(d, ']');
				j_close(d, '}');
			}
			if (rr < 0)
				break;
		}
	}
	if (d->json)
		j_close(d, ']');
	dg_umd_answer_free(&a.raw);
	return rr < 0 ? rr : 0;
}

static int dump_cleartext(struct dump *d, const uint8_t *in, size_t len)
{
	struct answer a;
	struct rec r;
	int rr;

	rr = call(d, PGP_REQ_CLEARTEXT, in, len, 0, 0, &a);
	if (rr < 0)
		return rr;
	while ((rr = next_rec(&a, &r)) == 0) {
		uint32_t nh, nl, no, i, sl, hl;
		const uint8_t *sig;

		if (r.type != PGP_REC_CLEARTEXT)
			continue;
		nh = g32(&r, 20);
		nl = g32(&r, 24);
		no = g32(&r, 28);
		sig = gspan(&a, &r, 12, &sl);
		if (!sig || !rec_fits(&r, PGP_REC_CLEARTEXT_FIXED,
				      12ull * nh + 16ull * nl + 8ull * no, 1)) {
			rr = bad_answer(d, "cleartext record");
			break;
		}
		if (d->json) {
			j_open(d, "cleartext", '{');
			j_num(d, "lines", nl);
			j_num(d, "outside_spans", no);
			j_open(d, "hash", '[');
		} else {
			printf("# cleartext signed message: %u signed line(s)%s\n", nl,
			       no ? ", TEXT OUTSIDE the signed message (not signed)" : "");
		}
		for (i = 0; i < nh; i++) {
			const uint8_t *h = gspan(&a, &r, PGP_REC_CLEARTEXT_FIXED + 12 * (size_t)i + 4, &hl);

			if (!h)
				continue;
			if (d->json) {
				j_sep(d);
				putchar('"');
				put_text(h, hl, 1);
				putchar('"');
			} else {
				printf("#   Hash: ");
				put_text(h, hl, 0);
				printf("\n");
			}
		}
		if (d->json) {
			j_close(d, ']');
			j_close(d, '}');
		}
		rr = dump_armor(d, sig, sl);
		break;
	}
	dg_umd_answer_free(&a.raw);
	return rr < 0 ? rr : 0;
}

/* ---------------------------------------------------------- command */

/* Read @path ("-": standard input), at most PGP_DUMP_INPUT_MAX bytes. */
static uint8_t *read_file(const char *path, size_t *len)
{
	bool in = !strcmp(path, "-");
	FILE *f = in ? stdin : fopen(path, "rb");
	struct stat st;
	uint8_t *b = NULL;
	size_t n = 0, cap = 0;

	if (!f) {
		fprintf(stderr, "digestguard pgp dump: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "digestguard pgp dump: %s: is a directory\n", path);
		if (!in)
			fclose(f);
		return NULL;
	}
	for (;;) {
		size_t got;

		if (n == cap) {
			uint8_t *nb;

			if (cap >= PGP_DUMP_INPUT_MAX) {
				fprintf(stderr, "digestguard pgp dump: %s: larger than the limit of %u bytes\n",
					path, PGP_DUMP_INPUT_MAX);
				free(b);
				if (!in)
					fclose(f);
				return NULL;
			}
			cap = cap ? cap * 2 : 65536;
			if (cap > PGP_DUMP_INPUT_MAX)
				cap = PGP_DUMP_INPUT_MAX;
			nb = realloc(b, cap + 1);
			if (!nb) {
				free(b);
				if (!in)
					fclose(f);
				return NULL;
			}
			b = nb;
		}
		got = fread(b + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "digestguard pgp dump: %s: read error: %s\n", path, strerror(errno));
		free(b);
		b = NULL;
	}
	if (!in)
		fclose(f);
	*len = n;
	return b;
}

static int cmd_dump(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "no-namespaces", no_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	struct dump d = { 0 };
	struct dg_umd_desc desc = {
		DG_UMD_DESC_BLOB(&dg_blob_pgp),
		.timeout_ms = PGP_DUMP_TIMEOUT_MS,
		.flags = DG_UMD_FRESH_PER_CALL,
	};
	uint8_t *in;
	size_t len;
	int c, r;

	optind = 1;
	opterr = 0;
	/* Options anywhere before "--" (GNU getopt permutes). */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			d.json = 1;
			break;
		case 'N':
			desc.flags |= DG_UMD_NO_NAMESPACES;
			break;
		default:
			/* '?' also for a value given to a long option that takes
			 * none (--json=1): glibc then sets optopt to its val. */
			if (optopt && argv[optind - 1][1] == '-')
				fprintf(stderr, "digestguard pgp dump: option '%.*s' takes no value\n",
					(int)strcspn(argv[optind - 1], "="), argv[optind - 1]);
			else
				fprintf(stderr, "digestguard pgp dump: unknown option '%s'\n",
					argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		if (optind < argc)
			fprintf(stderr, "digestguard pgp dump: unexpected argument '%s' (one FILE only)\n",
				argv[optind + 1]);
		else
			fprintf(stderr, "digestguard pgp dump: missing FILE (or - for standard input)\n");
		fprintf(stderr, "usage: digestguard pgp dump [--json] [--no-namespaces] FILE|-\n");
		return EXIT_USAGE;
	}
	d.file = argv[optind];
	in = read_file(d.file, &len);
	if (!in)
		return EXIT_USAGE;
	if (!len) {
		fprintf(stderr, "digestguard pgp dump: %s: empty input\n", d.file);
		free(in);
		return EXIT_USAGE;
	}
	r = dg_umd_new(&desc, &d.umd);
	if (r < 0) {
		fprintf(stderr, "digestguard pgp dump: cannot set up the pgp handler: %s\n",
			strerror(-r));
		free(in);
		return EXIT_USAGE;
	}
	if (d.json) {
		j_open(&d, NULL, '{');
		j_str(&d, "file", d.file);
		j_str(&d, "note", "values as the sandboxed handler reported them; nothing verified");
	}
	if (len && (in[0] & 0x80)) {
		if (d.json)
			j_open(&d, "packets", '[');
		r = dump_packets(&d, in, len, 0);
		if (d.json)
			j_close(&d, ']');
	} else if (len >= 34 && memmem(in, len, "-----BEGIN PGP SIGNED MESSAGE-----", 34)) {
		r = dump_cleartext(&d, in, len);
	} else {
		r = dump_armor(&d, in, len);
	}
	if (d.json) {
		/* A consumer must not take a partial listing for the whole. */
		j_bool(&d, "complete", r >= 0);
		j_close(&d, '}');
		printf("\n");
	}
	fflush(stdout);
	dg_umd_free(d.umd);
	free(in);
	return r < 0 ? EXIT_USAGE : EXIT_OK;
}

static const struct cli_cmd pgp_cmds[] = {
	{ "dump", "[--json] [--no-namespaces] FILE|-",
	  "print OpenPGP packets as the sandboxed parser sees them (nothing verified)",
	  cmd_dump },
	{ NULL, NULL, NULL, NULL },
};

const struct cli_object cli_pgp = {
	"pgp", "inspect OpenPGP data through the sandboxed parser", pgp_cmds, NULL, NULL,
};

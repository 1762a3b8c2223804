// SPDX-License-Identifier: MIT
/*
 * The bpf handler's parser of signed BPF objects (bpf_proto.h), in process.
 * The objects are made at test time by openssl's CMS signer
 * (tests/data/bpf/gen-cms.sh): each kind of signer identifier, signed
 * attributes, certificates, three digests, RSA and ECDSA parse into the
 * answer with spans that point at the right bytes; openssl's forms we do
 * not take (attached content, SHA-1) and broken headers are rejected with
 * the right errno and reason.  The signature's DER is then edited here,
 * element by element with the lengths around fixed, for the rules openssl
 * never breaks; and every truncation and many byte flips must fail
 * cleanly.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "hex.h"
#include "sha256.h"
#include "tap.h"
#include "fixture_gen.h"
#include "cursor.h"
#include "../../src/handlers/bpf/bpf_parse.h"
#include "../../src/handlers/bpf/bpf_proto.h"

#ifndef DG_SRCDIR
#define DG_SRCDIR "."
#endif

#define INSNS_LEN 264u	/* gen-cms.sh */
#define DATA_LEN 24u
#define SIG_OFF (BPF_SIGNED_HDR_LEN + INSNS_LEN + DATA_LEN)
#define SIG_EDIT_MAX 4096u

static char dir[] = "/tmp/dg-bpf-test.XXXXXX";
static struct fixture_gen gen;	/* gen-cms.sh */
static char err[256];
static struct dg_buf ans;

/* The answer's fields (bpf_proto.h), read back. */
struct answer {
	uint32_t magic, nr_maps, nr_progs, md, pk;
	uint16_t version, flags;
	uint32_t insns[2], data[2], sig[2], sid[2], value[2], attrs[2];
};


static void rd_span(const uint8_t *p, uint32_t s[2])
{
	s[0] = get_le32(p);
	s[1] = get_le32(p + 4);
}

static int parse(const uint8_t *in, size_t len)
{
	dg_buf_free(&ans);
	err[0] = '\0';
	return bpf_parse_signed(in, len, &ans, err, sizeof(err));
}

static void answer_read(const uint8_t *p, struct answer *a)
{
	a->magic = get_le32(p);
	a->version = (uint16_t)(p[4] | p[5] << 8);
	a->flags = (uint16_t)(p[6] | p[7] << 8);
	a->nr_maps = get_le32(p + 8);
	a->nr_progs = get_le32(p + 12);
	rd_span(p + 16, a->insns);
	rd_span(p + 24, a->data);
	rd_span(p + 32, a->sig);
	rd_span(p + 40, a->sid);
	rd_span(p + 48, a->value);
	a->md = get_le32(p + 56);
	a->pk = get_le32(p + 60);
	rd_span(p + 64, a->attrs);
}

static int span_in(const uint32_t s[2], size_t len)
{
	return (uint64_t)s[0] + s[1] <= len;
}

/* @inner lies inside @outer. */
static int span_within(const uint32_t inner[2], const uint32_t outer[2])
{
	return inner[0] >= outer[0] && (uint64_t)inner[0] + inner[1] <= (uint64_t)outer[0] + outer[1];
}

/* What every accepted answer promises whatever the signer did. */
static void check_common(const uint8_t *in, size_t len, const struct answer *a)
{
	CHECK(ans.len == BPF_SIG_ANS_LEN, "answer of %zu bytes", ans.len);
	CHECK(a->magic == BPF_SIG_MAGIC && a->version == BPF_ANS_VERSION, "magic/version");
	CHECK(a->nr_maps == 2 && a->nr_progs == 1, "maps %u progs %u", a->nr_maps, a->nr_progs);
	CHECK(a->insns[0] == BPF_SIGNED_HDR_LEN && a->insns[1] == INSNS_LEN, "insns span %u+%u",
	      a->insns[0], a->insns[1]);
	CHECK(a->data[0] == BPF_SIGNED_HDR_LEN + INSNS_LEN && a->data[1] == DATA_LEN,
	      "data span %u+%u", a->data[0], a->data[1]);
	CHECK(a->sig[0] == SIG_OFF && a->sig[0] + a->sig[1] == len, "sig span %u+%u of %zu",
	      a->sig[0], a->sig[1], len);
	CHECK(a->sig[1] >= 2 && in[a->sig[0]] == 0x30, "the signature starts a SEQUENCE");
	CHECK(span_within(a->sid, a->sig) && a->sid[1] > 0, "sid span %u+%u", a->sid[0], a->sid[1]);
	CHECK(span_within(a->value, a->sig) && a->value[1] > 0, "value span %u+%u",
	      a->value[0], a->value[1]);
	CHECK(a->value[0] >= a->sid[0] + a->sid[1], "the value comes after the sid");
	CHECK(!memcmp(in + BPF_SIGNED_HDR_LEN, "\xb7\0\0\0\0\0\0\0", 8), "insns bytes");
	CHECK(!memcmp(in + a->data[0], "digestguard bpf metadata", DATA_LEN), "data bytes");
}

/* ---- the fixtures ----------------------------------------------------- */

static char *fx(const char *name)
{
	return tap_path(dir, name);
}

struct fixture {
	uint8_t *p;
	size_t len;
	struct answer a;
	int r;
};

static int load(const char *name, struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	if (tap_read_file(fx(name), &f->p, &f->len) < 0)
		return -1;
	f->r = parse(f->p, f->len);
	if (f->r == 0 && ans.len >= BPF_SIG_ANS_LEN)
		answer_read(ans.data, &f->a);
	return 0;
}

/* The bytes at @s equal the hex digits in fixture file @name. */
static int span_is_hex_file(const uint8_t *in, const uint32_t s[2], const char *name)
{
	uint8_t want[64];
	char hex[160] = "";
	size_t n;
	FILE *fp = fopen(fx(name), "r");

	if (!fp)
		return 0;
	if (!fgets(hex, sizeof(hex), fp))
		hex[0] = '\0';
	fclose(fp);
	n = strcspn(hex, "\n");
	if (!n || n % 2 || n / 2 > sizeof(want) || dg_unhex_n(hex, want, n / 2) < 0)
		return 0;
	return s[1] == n / 2 && !memcmp(in + s[0], want, n / 2);
}

/* The length a DER element at @p says it has, header included (test side). */
static size_t tlv_size(const uint8_t *p, size_t *hdr)
{
	size_t n, i, len = 0;

	if (p[1] < 0x80) {
		*hdr = 2;
		return 2 + (size_t)p[1];
	}
	n = p[1] & 0x7f;
	for (i = 0; i < n; i++)
		len = len << 8 | p[2 + i];
	*hdr = 2 + n;
	return *hdr + len;
}

#define LOAD_GOOD(f, name)                                                        \
	do {                                                                      \
		FIXTURE_NEED(&gen);                                               \
		CHECK(load(name, f) == 0, "read %s", name);                       \
		if ((f)->r != 0) {                                                \
			CHECK((f)->r == 0, "%s: %d %s", name, (f)->r, err);       \
			free((f)->p);                                             \
			return;                                                   \
		}                                                                 \
	} while (0)

TEST(test_fixture_generator_succeeds)
{
	FIXTURE_GEN_CASE(&gen);
}

TEST(test_rsa_keyid_signature_answers_every_field)
{
	struct fixture f;
	uint8_t *p7s;
	size_t p7s_len, hdr;

	LOAD_GOOD(&f, "rsa-keyid.bin");
	check_common(f.p, f.len, &f.a);
	CHECK(f.a.flags == BPF_SIG_F_SID_KEYID, "flags 0x%x", f.a.flags);
	CHECK(f.a.md == BPF_MD_SHA256 && f.a.pk == BPF_PK_RSA, "md %u pk %u", f.a.md, f.a.pk);
	CHECK(span_is_hex_file(f.p, f.a.sid, "rsa.ski"), "sid span %u+%u is not the certificate's SKI",
	      f.a.sid[0], f.a.sid[1]);
	CHECK(f.p[f.a.sid[0] - 2] == 0x80 && f.p[f.a.sid[0] - 1] == f.a.sid[1],
	      "sid span is the contents of a [0] primitive");
	CHECK(f.a.value[1] == 256, "RSA-2048 signature of %u bytes", f.a.value[1]);
	CHECK(f.a.value[0] + f.a.value[1] == f.len, "the signature value ends the object");
	CHECK(f.p[f.a.value[0] - 4] == 0x04, "value span is an OCTET STRING's contents");
	CHECK(f.a.attrs[0] == 0 && f.a.attrs[1] == 0, "no signed attributes span");
	CHECK(tap_read_file(fx("rsa-keyid.p7s"), &p7s, &p7s_len) == 0, "read p7s");
	CHECK(p7s_len == f.a.sig[1] && !memcmp(f.p + f.a.sig[0], p7s, p7s_len),
	      "signature span is openssl's DER");
	CHECK(tlv_size(f.p + f.a.sig[0], &hdr) == f.a.sig[1], "the ContentInfo fills the span");
	free(p7s);
	free(f.p);
}

TEST(test_answer_is_appended_after_existing_bytes)
{
	struct fixture f;
	int r;

	LOAD_GOOD(&f, "rsa-keyid.bin");
	dg_buf_free(&ans);
	dg_buf_put(&ans, "prefix", 6);
	r = bpf_parse_signed(f.p, f.len, &ans, err, sizeof(err));
	CHECK(r == 0 && ans.len == 6 + BPF_SIG_ANS_LEN && !memcmp(ans.data, "prefix", 6) &&
	      get_le32(ans.data + 6) == BPF_SIG_MAGIC, "r %d len %zu", r, ans.len);
	free(f.p);
}

TEST(test_issuer_and_serial_sid_spans_the_whole_sequence)
{
	struct fixture f;
	const char *cn = "digestguard bpf test rsa";
	size_t hdr;
	const uint8_t *sid;

	LOAD_GOOD(&f, "rsa-issuer.bin");
	check_common(f.p, f.len, &f.a);
	sid = f.p + f.a.sid[0];
	CHECK(f.a.flags == 0, "flags 0x%x", f.a.flags);
	CHECK(sid[0] == 0x30 && tlv_size(sid, &hdr) == f.a.sid[1],
	      "sid span is one SEQUENCE, tag included");
	/* serial 4096: INTEGER 02 02 10 00, last in IssuerAndSerialNumber */
	CHECK(!memcmp(sid + f.a.sid[1] - 4, "\x02\x02\x10\x00", 4), "serial number at the end");
	CHECK(memmem(sid, f.a.sid[1], cn, strlen(cn)) != NULL, "issuer CN inside the sid");
	CHECK(f.a.md == BPF_MD_SHA256 && f.a.pk == BPF_PK_RSA && f.a.value[1] == 256, "algorithms");
	CHECK(f.p[f.a.sid[0] - 3] == 0x02 && f.p[f.a.sid[0] - 1] == 1, "SignerInfo version 1");
	free(f.p);
}

TEST(test_signed_attributes_are_flagged_with_their_span)
{
	/* messageDigest (1.2.840.113549.1.9.4) SET { OCTET STRING sha256(insns) } */
	static const uint8_t md_oid[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04,
					  0x31, 0x22, 0x04, 0x20 };
	uint8_t want[sizeof(md_oid) + 32];
	struct fixture f;
	size_t hdr;

	LOAD_GOOD(&f, "rsa-attrs.bin");
	check_common(f.p, f.len, &f.a);
	CHECK(f.a.flags == (BPF_SIG_F_SID_KEYID | BPF_SIG_F_SIGNED_ATTRS), "flags 0x%x", f.a.flags);
	CHECK(span_within(f.a.attrs, f.a.sig), "attrs span %u+%u", f.a.attrs[0], f.a.attrs[1]);
	CHECK(f.p[f.a.attrs[0]] == 0xa0 && tlv_size(f.p + f.a.attrs[0], &hdr) == f.a.attrs[1],
	      "attrs span is the [0] element, tag included");
	CHECK(f.a.attrs[0] > f.a.sid[0] && f.a.attrs[0] + f.a.attrs[1] < f.a.value[0],
	      "signedAttrs between sid and signature");
	memcpy(want, md_oid, sizeof(md_oid));
	dg_sha256(f.p + BPF_SIGNED_HDR_LEN, INSNS_LEN, want + sizeof(md_oid));
	CHECK(memmem(f.p + f.a.attrs[0], f.a.attrs[1], want, sizeof(want)) != NULL,
	      "messageDigest of the instructions inside the attrs span");
	CHECK(span_is_hex_file(f.p, f.a.sid, "rsa.ski"), "sid is the SKI");
	free(f.p);
}

TEST(test_certificates_are_skipped_and_flagged)
{
	struct fixture f;

	LOAD_GOOD(&f, "rsa-certs.bin");
	check_common(f.p, f.len, &f.a);
	CHECK(f.a.flags == (BPF_SIG_F_SID_KEYID | BPF_SIG_F_CERTS), "flags 0x%x", f.a.flags);
	CHECK(span_is_hex_file(f.p, f.a.sid, "rsa.ski"), "sid is the SKI");
	CHECK(f.a.md == BPF_MD_SHA256 && f.a.pk == BPF_PK_RSA && f.a.value[1] == 256, "algorithms");
	free(f.p);
}

static void check_digest(const char *name, uint32_t md)
{
	struct fixture f;

	LOAD_GOOD(&f, name);
	check_common(f.p, f.len, &f.a);
	CHECK(f.a.md == md && f.a.pk == BPF_PK_RSA, "%s: md %u pk %u", name, f.a.md, f.a.pk);
	CHECK(f.a.flags == BPF_SIG_F_SID_KEYID && f.a.value[1] == 256, "flags, value length");
	free(f.p);
}

TEST(test_sha384_digest_is_reported)
{
	check_digest("rsa-sha384.bin", BPF_MD_SHA384);
}

TEST(test_sha512_digest_is_reported)
{
	check_digest("rsa-sha512.bin", BPF_MD_SHA512);
}

TEST(test_ecdsa_p256_signature_is_reported)
{
	struct fixture f;
	size_t hdr;

	LOAD_GOOD(&f, "ec-p256.bin");
	check_common(f.p, f.len, &f.a);
	CHECK(f.a.flags == BPF_SIG_F_SID_KEYID, "flags 0x%x", f.a.flags);
	CHECK(f.a.md == BPF_MD_SHA256 && f.a.pk == BPF_PK_ECDSA, "md %u pk %u", f.a.md, f.a.pk);
	CHECK(span_is_hex_file(f.p, f.a.sid, "ec.ski"), "sid is the EC certificate's SKI");
	/* Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }, P-256: 8 to 72 bytes */
	CHECK(f.p[f.a.value[0]] == 0x30 && tlv_size(f.p + f.a.value[0], &hdr) == f.a.value[1] &&
	      f.a.value[1] >= 8 && f.a.value[1] <= 72, "value is an ECDSA-Sig-Value of %u bytes",
	      f.a.value[1]);
	free(f.p);
}

static void check_rejected(const char *name, int want, const char *why)
{
	struct fixture f;

	FIXTURE_NEED(&gen);
	CHECK(load(name, &f) == 0, "read %s", name);
	CHECK(f.r == want, "%s: %d, not %d (%s)", name, f.r, want, err);
	CHECK(strstr(err, why) != NULL, "%s: message '%s' lacks '%s'", name, err, why);
	CHECK(ans.len == 0, "a failed parse appended %zu bytes", ans.len);
	free(f.p);
}

TEST(test_attached_content_is_not_supported)
{
	check_rejected("attached.bin", -EOPNOTSUPP, "signature is not detached");
}

TEST(test_sha1_digest_is_not_supported_and_named)
{
	check_rejected("sha1.bin", -EOPNOTSUPP,
		       "SignerInfo digestAlgorithm 1.3.14.3.2.26 is not supported (SHA-256, SHA-384, SHA-512)");
}

TEST(test_truncated_file_gives_enodata)
{
	check_rejected("truncated.bin", -ENODATA, "header announces");
}

TEST(test_trailing_byte_is_rejected)
{
	check_rejected("trailing.bin", -EBADMSG, "1 bytes after the signature");
}

TEST(test_bad_magic_is_rejected)
{
	check_rejected("bad-magic.bin", -EBADMSG, "magic");
}

TEST(test_bad_version_is_not_supported)
{
	check_rejected("bad-version.bin", -EOPNOTSUPP, "version 2");
}

TEST(test_instructions_not_a_multiple_of_8_are_rejected)
{
	check_rejected("insns-not-8.bin", -EBADMSG, "260 bytes, not a multiple of 8");
}

/* ---- the header, edited in memory ------------------------------------- */

static uint8_t *good;
static size_t good_len;

static int header_case(uint32_t off, uint32_t v, int want, const char *why)
{
	uint8_t *p = malloc(good_len);
	int r;

	memcpy(p, good, good_len);
	put_le32(p + off, v);
	r = parse(p, good_len);
	free(p);
	CHECK(r == want && strstr(err, why), "field at %u = %u: %d '%s', want %d '%s'", off, v, r,
	      err, want, why);
	return r;
}

TEST(test_header_fields_are_checked_against_their_caps)
{
	FIXTURE_NEED(&gen);
	if (!good) {
		CHECK(good, "rsa-keyid.bin did not parse (test_rsa_keyid_signature_answers_every_field says why)");
		return;
	}
	header_case(12, 1, -EOPNOTSUPP, "flags 0x1");
	header_case(16, BPF_MAPS_MAX + 1, -E2BIG, "65 maps exceed limit 64");
	header_case(20, 0, -EBADMSG, "no programs");
	header_case(20, BPF_PROGS_MAX + 1, -E2BIG, "33 programs exceed limit 32");
	header_case(24, 0, -EBADMSG, "no instructions");
	header_case(24, BPF_INSNS_MAX + 8, -E2BIG, "exceed limit 8000000");
	header_case(28, BPF_DATA_MAX + 1, -E2BIG, "metadata exceed limit");
	header_case(32, 0, -EBADMSG, "no signature");
	header_case(32, BPF_SIG_MAX + 1, -E2BIG, "exceeds limit 65536");
	header_case(36, 1, -EBADMSG, "reserved");
	/* within the caps but more than the file holds */
	header_case(28, DATA_LEN + 8, -ENODATA, "header announces");
	header_case(32, 0xffff, -ENODATA, "header announces");
	header_case(28, DATA_LEN - 1, -EBADMSG, "1 bytes after the signature");
	/* the most maps and programs are fine */
	CHECK(header_case(16, BPF_MAPS_MAX, 0, "") == 0 && get_le32(ans.data + 8) == BPF_MAPS_MAX,
	      "64 maps");
	CHECK(header_case(20, BPF_PROGS_MAX, 0, "") == 0 && get_le32(ans.data + 12) == BPF_PROGS_MAX,
	      "32 programs");
	CHECK(header_case(16, 0, 0, "") == 0, "no maps");
}

TEST(test_every_truncation_fails_cleanly)
{
	size_t n;
	int r, bad = 0;

	FIXTURE_NEED(&gen);
	if (!good) {
		CHECK(good, "rsa-keyid.bin did not parse (test_rsa_keyid_signature_answers_every_field says why)");
		return;
	}
	for (n = 0; n < good_len; n++) {
		/* a copy of exactly n bytes, so ASan sees any read past it */
		uint8_t *p = malloc(n ? n : 1);

		memcpy(p, good, n);
		r = parse(p, n);
		free(p);
		if (r != -ENODATA || ans.len || !err[0]) {
			if (!bad++)
				CHECK(0, "%zu bytes: %d '%s', answer %zu bytes", n, r, err, ans.len);
		}
	}
	CHECK(!bad, "%d truncations misparsed", bad);
}

TEST(test_every_header_byte_flip_is_caught)
{
	static const uint8_t masks[] = { 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff };
	size_t off, k;
	int r, bad = 0, accepted = 0;

	FIXTURE_NEED(&gen);
	if (!good) {
		CHECK(good, "rsa-keyid.bin did not parse (test_rsa_keyid_signature_answers_every_field says why)");
		return;
	}
	for (off = 0; off < BPF_SIGNED_HDR_LEN; off++)
		for (k = 0; k < sizeof(masks); k++) {
			uint8_t *p = malloc(good_len);

			memcpy(p, good, good_len);
			p[off] ^= masks[k];
			r = parse(p, good_len);
			/* nr_maps (2) and nr_progs (1) may become other counts within the caps */
			if (r == 0 && off >= 16 && off < 24 && ans.len == BPF_SIG_ANS_LEN &&
			    get_le32(ans.data + 8) == get_le32(p + 16) && get_le32(ans.data + 12) == get_le32(p + 20))
				accepted++;
			else if (r == 0 || ans.len || !err[0])
				bad++;
			free(p);
		}
	CHECK(!bad, "%d header flips accepted or unreported", bad);
	/* 2 -> 0, 3, 6, 10, 18, 34 maps; 1 -> 3, 5, 9, 17 programs */
	CHECK(accepted == 10, "%d flips of the counts accepted, not 10", accepted);
}

/* ---- the signature's DER, edited in memory ---------------------------- */

/* The ContentInfo of rsa-keyid.bin and where its elements are. */
static uint8_t sig0[SIG_EDIT_MAX];
static size_t sig0_len;

/* Offset of child @idx of the constructed element at @pos (test side). */
static size_t child(const uint8_t *s, size_t pos, int idx)
{
	size_t hdr, c;

	tlv_size(s + pos, &hdr);
	c = pos + hdr;
	while (idx-- > 0) {
		size_t h;

		c += tlv_size(s + c, &h);
	}
	return c;
}

#define E_CONTENT child(sig0, 0, 1)
#define E_SD child(sig0, E_CONTENT, 0)
#define E_SD_VERSION child(sig0, E_SD, 0)
#define E_ENCAP child(sig0, E_SD, 2)
#define E_SIGNERS child(sig0, E_SD, 3)
#define E_SI child(sig0, E_SIGNERS, 0)
#define E_SI_VERSION child(sig0, E_SI, 0)
#define E_SID child(sig0, E_SI, 1)
#define E_DIGEST child(sig0, E_SI, 2)
#define E_SIGALG child(sig0, E_SI, 3)
#define E_VALUE child(sig0, E_SI, 4)

static size_t put_len(uint8_t *p, size_t len)
{
	if (len < 0x80) {
		p[0] = (uint8_t)len;
		return 1;
	}
	if (len < 0x100) {
		p[0] = 0x81;
		p[1] = (uint8_t)len;
		return 2;
	}
	p[0] = 0x82;
	p[1] = (uint8_t)(len >> 8);
	p[2] = (uint8_t)len;
	return 3;
}

/*
 * Replace @del bytes at @off of @s (@len bytes, room for SIG_EDIT_MAX) with
 * @ins, and re-encode, shortest, the length of every element around the
 * edit, down to @depth levels (an insertion at an element's end goes into
 * it only within @depth).  Returns the new length.
 */
static size_t sig_edit(uint8_t *s, size_t len, size_t off, size_t del, const void *ins, size_t n,
		       int depth)
{
	size_t anc[16], na = 0, pos = 0, end = len, hdr, sz, i;
	long delta = (long)n - (long)del;	/* growth of what the next ancestor holds */
	uint8_t lb[4];

	while (pos < end && na < (size_t)depth && na < 16) {
		sz = tlv_size(s + pos, &hdr);
		if ((s[pos] & 0x20) && off >= pos + hdr && off + del <= pos + sz) {
			anc[na++] = pos;
			end = pos + sz;
			pos += hdr;
			continue;
		}
		pos += sz;
	}
	memmove(s + off + n, s + off + del, len - off - del);
	memcpy(s + off, ins, n);
	len = (size_t)((long)len + delta);
	for (i = na; i-- > 0;) {
		size_t contents = tlv_size(s + anc[i], &hdr) - hdr;
		size_t nl = put_len(lb, (size_t)((long)contents + delta));

		memmove(s + anc[i] + 1 + nl, s + anc[i] + hdr, len - anc[i] - hdr);
		memcpy(s + anc[i] + 1, lb, nl);
		len = len - hdr + 1 + nl;
		delta += (long)(1 + nl) - (long)hdr;
	}
	return len;
}

/* Parse the good object with @s as its signature. */
static int parse_sig(const uint8_t *s, size_t n)
{
	uint8_t *p = malloc(SIG_OFF + n);
	int r;

	memcpy(p, good, SIG_OFF);
	put_le32(p + 32, (uint32_t)n);
	memcpy(p + SIG_OFF, s, n);
	r = parse(p, SIG_OFF + n);
	free(p);
	return r;
}

/* Edit a copy of sig0 and parse it. */
static int edited(size_t off, size_t del, const void *ins, size_t n, int depth)
{
	static uint8_t s[SIG_EDIT_MAX];

	memcpy(s, sig0, sig0_len);
	return parse_sig(s, sig_edit(s, sig0_len, off, del, ins, n, depth));
}

static size_t whole(size_t pos)
{
	size_t hdr;

	return tlv_size(sig0 + pos, &hdr);
}

#define DER_CASE(call, want, why)                                                    \
	do {                                                                         \
		int r_ = (call);                                                     \
		CHECK(r_ == (want) && strstr(err, (why)) &&                          \
		      ans.len == (r_ ? 0u : BPF_SIG_ANS_LEN),                        \
		      "%s: %d '%s', want %d '%s'", #call, r_, err, (want), (why));   \
	} while (0)

#define NEED_SIG0()                                            \
	do {                                                   \
		FIXTURE_NEED(&gen);                            \
		if (!sig0_len) {                               \
			CHECK(sig0_len, "no rsa-keyid.bin");   \
			return;                                \
		}                                              \
	} while (0)

TEST(test_sig_edit_helper_round_trips)
{
	NEED_SIG0();
	/* replacing an element by itself changes nothing */
	DER_CASE(edited(E_DIGEST, whole(E_DIGEST), sig0 + E_DIGEST, whole(E_DIGEST), 99), 0, "");
	DER_CASE(parse_sig(sig0, sig0_len), 0, "");
}

TEST(test_ber_indefinite_length_is_not_supported)
{
	uint8_t s[SIG_EDIT_MAX + 8];
	size_t hdr;

	NEED_SIG0();
	tlv_size(sig0, &hdr);
	s[0] = 0x30;
	s[1] = 0x80;
	memcpy(s + 2, sig0 + hdr, sig0_len - hdr);
	s[2 + sig0_len - hdr] = 0;
	s[3 + sig0_len - hdr] = 0;
	DER_CASE(parse_sig(s, sig0_len - hdr + 4), -EOPNOTSUPP,
		 "ContentInfo has an indefinite length (BER)");
}

TEST(test_length_not_in_shortest_form_is_rejected)
{
	uint8_t s[SIG_EDIT_MAX + 8];
	size_t hdr;

	NEED_SIG0();
	tlv_size(sig0, &hdr);
	/* 30 82 01 73 -> 30 83 00 01 73 */
	s[0] = 0x30;
	s[1] = 0x83;
	s[2] = 0;
	memcpy(s + 3, sig0 + 2, sig0_len - 2);
	DER_CASE(parse_sig(s, sig0_len + 1), -EBADMSG, "leading zero octet");
	/* a short length in the long form: digestAlgorithm 30 0b -> 30 81 0b */
	memcpy(s, sig0 + E_DIGEST, whole(E_DIGEST));
	memmove(s + 2, s + 1, whole(E_DIGEST) - 1);
	s[1] = 0x81;
	DER_CASE(edited(E_DIGEST, whole(E_DIGEST), s, whole(E_DIGEST) + 1, 99), -EBADMSG,
		 "SignerInfo digestAlgorithm has length 11 in the long form");
	/* more than four length octets */
	s[0] = 0x30;
	s[1] = 0x85;
	memset(s + 2, 0, 3);
	memcpy(s + 5, sig0 + 2, sig0_len - 2);
	DER_CASE(parse_sig(s, sig0_len + 3), -E2BIG, "5 length octets");
}

TEST(test_bytes_after_the_content_info_are_rejected)
{
	uint8_t s[SIG_EDIT_MAX + 1];

	NEED_SIG0();
	memcpy(s, sig0, sig0_len);
	s[sig0_len] = 0;
	DER_CASE(parse_sig(s, sig0_len + 1), -EBADMSG, "1 bytes after the ContentInfo");
}

TEST(test_trailing_bytes_inside_each_sequence_are_rejected)
{
	static const uint8_t nul[] = { 0x05, 0x00 };

	NEED_SIG0();
	/* at the end of SignerInfo, SignedData, ContentInfo, [0] */
	DER_CASE(edited(E_VALUE + whole(E_VALUE), 0, nul, 2, 5), -EBADMSG,
		 "2 bytes after the last element of SignerInfo");
	DER_CASE(edited(E_SIGNERS + whole(E_SIGNERS), 0, nul, 2, 3), -EBADMSG,
		 "2 bytes after the last element of SignedData");
	DER_CASE(edited(E_CONTENT + whole(E_CONTENT), 0, nul, 2, 1), -EBADMSG,
		 "2 bytes after the last element of ContentInfo");
	DER_CASE(edited(E_SD + whole(E_SD), 0, nul, 2, 2), -EBADMSG,
		 "2 bytes after the last element of ContentInfo content [0]");
	/* inside the digestAlgorithm: NULL parameters are fine, a second NULL is not */
	DER_CASE(edited(E_DIGEST + whole(E_DIGEST), 0, nul, 2, 6), 0, "");
	{
		uint8_t two[] = { 0x05, 0x00, 0x05, 0x00 };

		DER_CASE(edited(E_DIGEST + whole(E_DIGEST), 0, two, 4, 6), -EBADMSG,
			 "after the last element of SignerInfo digestAlgorithm");
	}
	/* the signature value (04 82 01 00) claiming 16 bytes more than its parent holds */
	{
		uint8_t s[SIG_EDIT_MAX];

		memcpy(s, sig0, sig0_len);
		s[E_VALUE + 3] = 0x10;
		DER_CASE(parse_sig(s, sig0_len), -EBADMSG,
			 "SignerInfo signature of 272 bytes overruns its parent (256 bytes left)");
	}
}

TEST(test_signer_info_count_must_be_one)
{
	NEED_SIG0();
	DER_CASE(edited(E_SI, whole(E_SI), "", 0, 99), -EBADMSG, "signerInfos is empty");
	DER_CASE(edited(E_SI, 0, sig0 + E_SI, whole(E_SI), 4), -EOPNOTSUPP,
		 "holds 2 SignerInfos, only one is supported");
}

TEST(test_versions_are_checked)
{
	static const uint8_t v1[] = { 0x02, 0x01, 0x01 }, v2[] = { 0x02, 0x01, 0x02 };
	static const uint8_t v3_long[] = { 0x02, 0x02, 0x00, 0x03 }, vneg[] = { 0x02, 0x01, 0xfd };
	static const uint8_t vbig[] = { 0x02, 0x05, 0x01, 0x00, 0x00, 0x00, 0x03 };

	NEED_SIG0();
	DER_CASE(edited(E_SD_VERSION, 3, v2, 3, 99), -EOPNOTSUPP, "SignedData version 2 is not supported");
	DER_CASE(edited(E_SD_VERSION, 3, v1, 3, 99), -EBADMSG, "holds a version 3 SignerInfo");
	DER_CASE(edited(E_SD_VERSION, 3, v3_long, 4, 99), -EBADMSG, "not in its shortest form");
	DER_CASE(edited(E_SD_VERSION, 3, vneg, 3, 99), -EBADMSG, "SignedData version is negative");
	DER_CASE(edited(E_SD_VERSION, 3, vbig, 7, 99), -EOPNOTSUPP, "is not supported (1, 3)");
	DER_CASE(edited(E_SI_VERSION, 3, v2, 3, 99), -EOPNOTSUPP, "SignerInfo version 2 is not supported");
	DER_CASE(edited(E_SI_VERSION, 3, v1, 3, 99), -EBADMSG,
		 "SignerInfo version 1 with a subjectKeyIdentifier");
}

TEST(test_signer_identifier_forms)
{
	uint8_t s[64];
	size_t n = whole(E_SID);

	NEED_SIG0();
	memcpy(s, sig0 + E_SID, n);
	s[0] = 0xa0;	/* constructed [0]: BER's constructed string */
	DER_CASE(edited(E_SID, n, s, n, 99), -EOPNOTSUPP, "subjectKeyIdentifier is a constructed string");
	s[0] = 0x81;
	DER_CASE(edited(E_SID, n, s, n, 99), -EBADMSG, "sid has tag 0x81");
	DER_CASE(edited(E_SID, n, "\x80\x00", 2, 99), -EBADMSG, "subjectKeyIdentifier is empty");
}

TEST(test_content_types_are_checked)
{
	/* envelopedData 1.2.840.113549.1.7.3 */
	static const uint8_t env[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03 };
	/* an eContent [0] { OCTET STRING "x" } */
	static const uint8_t econtent[] = { 0xa0, 0x03, 0x04, 0x01, 'x' };
	size_t ctype, etype;

	NEED_SIG0();
	ctype = child(sig0, 0, 0);
	etype = child(sig0, E_ENCAP, 0);
	DER_CASE(edited(ctype, whole(ctype), env, sizeof(env), 99), -EOPNOTSUPP,
		 "ContentInfo contentType 1.2.840.113549.1.7.3 is not supported (signedData)");
	DER_CASE(edited(etype, whole(etype), env, sizeof(env), 99), -EOPNOTSUPP,
		 "encapContentInfo eContentType 1.2.840.113549.1.7.3 is not supported (id-data)");
	DER_CASE(edited(etype + whole(etype), 0, econtent, sizeof(econtent), 4), -EOPNOTSUPP,
		 "signature is not detached");
}

TEST(test_optional_crls_and_unsigned_attrs_are_skipped)
{
	/* an empty crls [1], and an unsignedAttrs [1] holding one attribute */
	static const uint8_t crls[] = { 0xa1, 0x00 };
	static const uint8_t unsigned_attrs[] = { 0xa1, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x2a, 0x03, 0x04,
						  0x31, 0x01, 0x05 };

	NEED_SIG0();
	DER_CASE(edited(E_ENCAP + whole(E_ENCAP), 0, crls, 2, 3), 0, "");
	CHECK(ans.len == BPF_SIG_ANS_LEN && (ans.data[6] | ans.data[7] << 8) == BPF_SIG_F_SID_KEYID,
	      "flags after crls");
	DER_CASE(edited(E_VALUE + whole(E_VALUE), 0, unsigned_attrs, sizeof(unsigned_attrs), 5), 0,
		 "");
	/* crls before certificates: out of order */
	{
		uint8_t both[] = { 0xa1, 0x00, 0xa0, 0x00 };

		DER_CASE(edited(E_ENCAP + whole(E_ENCAP), 0, both, 4, 3), -EBADMSG,
			 "signerInfos has tag 0xa0, not SET");
	}
}

TEST(test_signature_algorithms)
{
	/* sha256WithRSAEncryption, NULL; sha384WithRSAEncryption; RSASSA-PSS */
	static const uint8_t rsa256[] = { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
					  0x01, 0x01, 0x0b, 0x05, 0x00 };
	static const uint8_t rsa384[] = { 0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
					  0x01, 0x01, 0x0c };
	static const uint8_t pss[] = { 0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
				       0x01, 0x01, 0x0a };
	/* rsaEncryption with an INTEGER as parameters */
	static const uint8_t rsa_int[] = { 0x30, 0x0e, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
					   0x01, 0x01, 0x01, 0x02, 0x01, 0x00 };
	size_t n;

	NEED_SIG0();
	n = whole(E_SIGALG);
	DER_CASE(edited(E_SIGALG, n, rsa256, sizeof(rsa256), 99), 0, "");
	CHECK(ans.len == BPF_SIG_ANS_LEN && get_le32(ans.data + 60) == BPF_PK_RSA, "sha256WithRSA is RSA");
	DER_CASE(edited(E_SIGALG, n, rsa384, sizeof(rsa384), 99), -EBADMSG,
		 "signatureAlgorithm 1.2.840.113549.1.1.12 names another digest");
	DER_CASE(edited(E_SIGALG, n, pss, sizeof(pss), 99), -EOPNOTSUPP,
		 "SignerInfo signatureAlgorithm 1.2.840.113549.1.1.10 is not supported");
	DER_CASE(edited(E_SIGALG, n, rsa_int, sizeof(rsa_int), 99), -EBADMSG,
		 "parameters are neither absent nor NULL");
}

TEST(test_signature_value_forms)
{
	uint8_t s[SIG_EDIT_MAX];
	size_t n;

	NEED_SIG0();
	n = whole(E_VALUE);
	DER_CASE(edited(E_VALUE, n, "\x04\x00", 2, 99), -EBADMSG, "SignerInfo signature is empty");
	memcpy(s, sig0 + E_VALUE, n);
	s[0] = 0x24;
	DER_CASE(edited(E_VALUE, n, s, n, 99), -EOPNOTSUPP,
		 "SignerInfo signature is a constructed string (BER)");
	s[0] = 0x03;
	DER_CASE(edited(E_VALUE, n, s, n, 99), -EBADMSG, "signature has tag 0x03, not OCTET STRING");
}

TEST(test_malformed_oids_and_tags)
{
	/* sha256 with a leading 0x80 in an arc; cut last arc; an empty OID */
	static const uint8_t lead[] = { 0x30, 0x0c, 0x06, 0x0a, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
					0x02, 0x80, 0x01 };
	static const uint8_t cut[] = { 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
				       0x02, 0x81 };
	static const uint8_t empty[] = { 0x30, 0x02, 0x06, 0x00 };
	/* SHA-224 2.16.840.1.101.3.4.2.4, an arc past 64 bits */
	static const uint8_t sha224[] = { 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
					  0x04, 0x02, 0x04 };
	static const uint8_t huge[] = { 0x30, 0x0e, 0x06, 0x0c, 0x2a, 0x82, 0x80, 0x80, 0x80, 0x80, 0x80,
					0x80, 0x80, 0x80, 0x80, 0x01 };
	static const uint8_t hightag[] = { 0x30, 0x04, 0x1f, 0x20, 0x01, 0x00 };
	size_t n;

	NEED_SIG0();
	n = whole(E_DIGEST);
	DER_CASE(edited(E_DIGEST, n, lead, sizeof(lead), 99), -EBADMSG, "leading 0x80");
	DER_CASE(edited(E_DIGEST, n, cut, sizeof(cut), 99), -EBADMSG, "last arc is cut");
	DER_CASE(edited(E_DIGEST, n, empty, sizeof(empty), 99), -EBADMSG, "empty OID");
	DER_CASE(edited(E_DIGEST, n, sha224, sizeof(sha224), 99), -EOPNOTSUPP,
		 "digestAlgorithm 2.16.840.1.101.3.4.2.4 is not supported");
	DER_CASE(edited(E_DIGEST, n, huge, sizeof(huge), 99), -EOPNOTSUPP,
		 "digestAlgorithm 1.2.... is not supported");
	DER_CASE(edited(E_DIGEST, n, hightag, sizeof(hightag), 99), -EBADMSG, "multi-octet tag");
}

TEST(test_every_signature_byte_flip_fails_cleanly_or_keeps_promises)
{
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	uint8_t s[SIG_EDIT_MAX];
	struct answer a;
	size_t off, k;
	int r, bad = 0, ok = 0;

	NEED_SIG0();
	for (off = 0; off < sig0_len; off++)
		for (k = 0; k < sizeof(masks); k++) {
			memcpy(s, sig0, sig0_len);
			s[off] ^= masks[k];
			r = parse_sig(s, sig0_len);
			if (r < 0) {
				if (ans.len || !err[0])
					bad++;
				continue;
			}
			ok++;
			answer_read(ans.data, &a);
			if (ans.len != BPF_SIG_ANS_LEN || !span_within(a.sid, a.sig) ||
			    !span_within(a.value, a.sig) || !span_in(a.sig, SIG_OFF + sig0_len) ||
			    a.sig[0] != SIG_OFF || a.sig[1] != sig0_len)
				bad++;
		}
	CHECK(!bad, "%d flips broke a promise", bad);
	/* flips inside the SKI and the signature value parse */
	CHECK(ok >= (int)(3 * (256 + 20)), "only %d flips accepted", ok);
}

/* ---- main ------------------------------------------------------------- */

static void cleanup(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
}

static void load_good(void)
{
	struct fixture f;

	if (gen.status != FIXTURE_GEN_OK || load("rsa-keyid.bin", &f) < 0)
		return;
	if (f.r != 0 || f.len <= SIG_OFF || f.len - SIG_OFF > SIG_EDIT_MAX - 64) {
		free(f.p);
		return;
	}
	good = f.p;
	good_len = f.len;
	sig0_len = good_len - SIG_OFF;
	memcpy(sig0, good + SIG_OFF, sig0_len);
}

int main(void)
{
	char cmd[2 * PATH_MAX];

	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	snprintf(cmd, sizeof(cmd), "timeout 120 bash '%s/tests/data/bpf/gen-cms.sh' '%s'",
		 DG_SRCDIR, dir);
	fixture_gen_run(&gen, "gen-cms.sh", cmd, fx("gen.stderr"), fx("rsa-keyid.bin"));
	load_good();

	RUN(test_fixture_generator_succeeds);
	RUN(test_rsa_keyid_signature_answers_every_field);
	RUN(test_answer_is_appended_after_existing_bytes);
	RUN(test_issuer_and_serial_sid_spans_the_whole_sequence);
	RUN(test_signed_attributes_are_flagged_with_their_span);
	RUN(test_certificates_are_skipped_and_flagged);
	RUN(test_sha384_digest_is_reported);
	RUN(test_sha512_digest_is_reported);
	RUN(test_ecdsa_p256_signature_is_reported);
	RUN(test_attached_content_is_not_supported);
	RUN(test_sha1_digest_is_not_supported_and_named);
	RUN(test_truncated_file_gives_enodata);
	RUN(test_trailing_byte_is_rejected);
	RUN(test_bad_magic_is_rejected);
	RUN(test_bad_version_is_not_supported);
	RUN(test_instructions_not_a_multiple_of_8_are_rejected);
	RUN(test_header_fields_are_checked_against_their_caps);
	RUN(test_every_truncation_fails_cleanly);
	RUN(test_every_header_byte_flip_is_caught);
	RUN(test_sig_edit_helper_round_trips);
	RUN(test_ber_indefinite_length_is_not_supported);
	RUN(test_length_not_in_shortest_form_is_rejected);
	RUN(test_bytes_after_the_content_info_are_rejected);
	RUN(test_trailing_bytes_inside_each_sequence_are_rejected);
	RUN(test_signer_info_count_must_be_one);
	RUN(test_versions_are_checked);
	RUN(test_signer_identifier_forms);
	RUN(test_content_types_are_checked);
	RUN(test_optional_crls_and_unsigned_attrs_are_skipped);
	RUN(test_signature_algorithms);
	RUN(test_signature_value_forms);
	RUN(test_malformed_oids_and_tags);
	RUN(test_every_signature_byte_flip_fails_cleanly_or_keeps_promises);

	free(good);
	dg_buf_free(&ans);
	cleanup();
	return tap_done();
}

// SPDX-License-Identifier: MIT
/*
 * Liar handlers (DESIGN.md §5): genuine answers of the real pgp handler,
 * forged one claim at a time, fed to the core's re-check functions and
 * through a lying transport to the public API.  Each forgery must be
 * rejected with -EBADMSG (or -E2BIG) and a message saying which claim.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <digestguard/pgp.h>

#include "pgp_internal.h"
#include "pgp_proto.h"
#include "tap.h"
#include "fixture_gen.h"

#ifndef DG_SRCDIR
#define DG_SRCDIR "."
#endif

static char dir[] = "/tmp/dg-pgp-liar.XXXXXX";
static struct fixture_gen gen;		/* gen-verify.sh */
static struct fixture_gen gen_empty;	/* empty.clear.asc: an empty text clearsigned */
static struct dg_pgp *honest;	/* talks to the real handler */

static char *path_of(const char *name)
{
	return tap_path(dir, name);
}

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Body of the @nth record of @type in an answer, and its length. */
static uint8_t *find_rec(uint8_t *ans, size_t len, uint16_t type, int nth, uint32_t *blen)
{
	size_t off = PGP_ANS_HDR_LEN;

	while (off + PGP_REC_HDR_LEN <= len) {
		uint16_t t = (uint16_t)(ans[off] | ans[off + 1] << 8);
		uint32_t l = rd32(ans + off + 4);

		if (t == type && nth-- == 0) {
			*blen = l;
			return ans + off + PGP_REC_HDR_LEN;
		}
		off += PGP_REC_HDR_LEN + l;
	}
	return NULL;
}

/* A genuine answer for @in from the real handler. */
static int genuine(uint16_t type, const uint8_t *in, size_t len, uint8_t **ans, size_t *alen)
{
	int r = pgp_handler_request(honest, type, 0, in, len, ans, alen);

	if (r < 0)
		printf("# handler: %s\n", dg_pgp_last_error(honest));
	return r;
}

typedef void (*forge_fn)(uint8_t *ans, size_t len);
/* A forgery that may shorten the answer (records or entries left out). */
typedef void (*forge_len_fn)(uint8_t *ans, size_t *len);

/* PARSE @file, forge the answer (@forge, or @forge_len when it changes the
 * answer's length), re-check; expect rejection naming @words. */
static void parse_liar_with(const char *file, forge_fn forge, forge_len_fn forge_len,
			    const char *words)
{
	struct pgp_packets pk;
	uint8_t *in = NULL, *ans = NULL;
	size_t len = 0, alen = 0;
	char why[384] = "";
	int r;

	if (tap_read_file(path_of(file), &in, &len) < 0 || genuine(PGP_REQ_PARSE, in, len, &ans, &alen) < 0) {
		CHECK(0, "could not get a genuine answer for %s", file);
		free(in);
		return;
	}
	r = pgp_recheck_parse(in, len, ans, alen, &pk, why, sizeof(why));
	CHECK(r == 0, "the genuine answer passes: %s", why);
	if (r == 0)
		pgp_packets_free(&pk);
	if (forge)
		forge(ans, alen);
	else
		forge_len(ans, &alen);
	why[0] = '\0';
	r = pgp_recheck_parse(in, len, ans, alen, &pk, why, sizeof(why));
	CHECK(r == -EBADMSG || r == -E2BIG, "forged answer returned %d (%s)", r, why);
	CHECK(strstr(why, words) != NULL, "message '%s' lacks '%s'", why, words);
	if (r == 0)
		pgp_packets_free(&pk);
	free(in);
	free(ans);
}

static void parse_liar(const char *file, forge_fn forge, const char *words)
{
	parse_liar_with(file, forge, NULL, words);
}

#define SIG_REC(a, l, n) find_rec(a, l, PGP_REC_SIG, n, &bl)

static void forge_signed_region_short(uint8_t *a, size_t l)
{
	uint32_t bl;
	uint8_t *s = SIG_REC(a, l, 0);

	wr32(s + 20, rd32(s + 20) - 1);	/* hashed_prefix.len */
}

static void forge_signed_region_outside(uint8_t *a, size_t l)
{
	uint32_t bl;
	uint8_t *s = SIG_REC(a, l, 0);

	wr32(s + 16, 0xffffff00u);	/* hashed_prefix.off */
}

static void forge_subpacket_start(uint8_t *a, size_t l)
{
	uint32_t bl;
	uint8_t *s = SIG_REC(a, l, 0);

	wr32(s + 72, rd32(s + 72) + 1);	/* first subpacket's start */
}

static void forge_subpackets_swapped(uint8_t *a, size_t l)
{
	uint32_t bl;
	uint8_t *s = SIG_REC(a, l, 0), tmp[PGP_SUBPACKET_LEN];

	memcpy(tmp, s + 72, PGP_SUBPACKET_LEN);
	memcpy(s + 72, s + 72 + PGP_SUBPACKET_LEN, PGP_SUBPACKET_LEN);
	memcpy(s + 72 + PGP_SUBPACKET_LEN, tmp, PGP_SUBPACKET_LEN);
}

static void forge_subpacket_type(uint8_t *a, size_t l)
{
	uint32_t bl;
	uint8_t *s = SIG_REC(a, l, 0);
	uint32_t n = rd32(s + 64), i;

	/* Claim the creation-time subpacket is a key-expiration one. */
	for (i = 0; i < n; i++)
		if (s[72 + 16 * i + 5] == PGP_SP_CREATED)
			s[72 + 16 * i + 5] = PGP_SP_KEY_EXPIRES;
}

static void forge_subpacket_hashed_flag(uint8_t *a, size_t l)
{
	uint32_t bl;
	uint8_t *s = SIG_REC(a, l, 0);
	uint32_t n = rd32(s + 64);

	/* The last subpacket (an unhashed issuer) claimed as hashed. */
	s[72 + 16 * (n - 1) + 6] ^= PGP_SUB_F_HASHED;
}

static void forge_issuer(uint8_t *a, size_t l)
{
	uint32_t bl;
	uint8_t *s = SIG_REC(a, l, 0);

	wr32(s + 56, rd32(s + 56) + 1);	/* issuer span points one byte later */
}

static void forge_created(uint8_t *a, size_t l)
{
	uint32_t bl;
	uint8_t *s = SIG_REC(a, l, 0);

	wr32(s + 12, rd32(s + 12) + 86400);	/* claimed creation time */
}

static void forge_sig_material(uint8_t *a, size_t l)
{
	uint32_t bl;
	uint8_t *s = SIG_REC(a, l, 0);
	uint32_t nsub = rd32(s + 64);
	uint8_t *f = s + 72 + 16 * nsub;

	wr32(f + 16, rd32(f + 16) - 1);	/* first MPI value one byte short */
}

static void forge_key_body(uint8_t *a, size_t l)
{
	uint32_t bl;
	uint8_t *k = find_rec(a, l, PGP_REC_KEY, 0, &bl);

	wr32(k + 20, rd32(k + 20) - 1);	/* keybody.len: forged fingerprint input */
}

static void forge_key_field(uint8_t *a, size_t l)
{
	uint32_t bl;
	uint8_t *k = find_rec(a, l, PGP_REC_KEY, 0, &bl);

	wr32(k + 28 + 4, rd32(k + 28 + 4) + 1);	/* first field's whole.off */
}

static void forge_key_created(uint8_t *a, size_t l)
{
	uint32_t bl;
	uint8_t *k = find_rec(a, l, PGP_REC_KEY, 0, &bl);

	wr32(k + 8, rd32(k + 8) - 3600);
}

static void forge_packet_tag(uint8_t *a, size_t l)
{
	uint32_t bl;
	uint8_t *p = find_rec(a, l, PGP_REC_PACKET, 0, &bl);

	p[4] = 13;	/* a signature packet claimed to be a user ID */
}

static void forge_packet_body(uint8_t *a, size_t l)
{
	uint32_t bl;
	uint8_t *p = find_rec(a, l, PGP_REC_PACKET, 0, &bl);

	wr32(p + 20, rd32(p + 20) - 1);	/* body.len */
}

/* Offset of the last record of @type (with flag bits @flag in the octet at
 * body offset 6, when not 0) in answer @a, or 0. */
static size_t last_rec(const uint8_t *a, size_t l, uint16_t type, uint8_t flag)
{
	size_t off = PGP_ANS_HDR_LEN, last = 0;

	while (off + PGP_REC_HDR_LEN <= l) {
		if ((a[off] | a[off + 1] << 8) == type &&
		    (!flag || (a[off + PGP_REC_HDR_LEN + 6] & flag)))
			last = off;
		off += PGP_REC_HDR_LEN + rd32(a + off + 4);
	}
	return last;
}

/* Cut the record at @at down to its first @keep body bytes. */
static void rec_cut(uint8_t *a, size_t *l, size_t at, uint32_t keep)
{
	uint32_t bl = rd32(a + at + 4);
	uint8_t *f = a + at + PGP_REC_HDR_LEN;

	memmove(f + keep, f + bl, *l - (at + PGP_REC_HDR_LEN + bl));
	wr32(a + at + 4, keep);
	*l -= bl - keep;
}

static void forge_hide_revocation(uint8_t *a, size_t l)
{
	size_t last = last_rec(a, l, PGP_REC_SIG, 0);

	/* The last SIG record (the appended revocation) becomes a record
	 * type the core does not know and would skip. */
	if (last) {
		a[last] = 0x77;
		a[last + 1] = 0x77;
	}
}

/*
 * The last SIG record (the appended hard revocation) becomes what an honest
 * handler sends for a malformed signature (RFC 9580 §5.2.5): the fixed part
 * with PGP_SIG_F_MALFORMED, the version and algorithm octets, no spans and
 * no entries.  Believed, it would make the core ignore the revocation.
 */
static void forge_revocation_claimed_malformed(uint8_t *a, size_t *l)
{
	size_t last = last_rec(a, *l, PGP_REC_SIG, 0);
	uint8_t *f = a + last + PGP_REC_HDR_LEN;

	if (!last)
		return;
	memset(f + 8, 0, PGP_REC_SIG_FIXED - 8);
	wr32(f + 8, PGP_SIG_F_MALFORMED);
	rec_cut(a, l, last, PGP_REC_SIG_FIXED);
}

/*
 * The KEY record of sub.pub's subkey becomes what an honest handler sends
 * for a key packet that does not parse: PGP_KEY_F_MALFORMED, the version
 * and algorithm octets, the whole body, no time, no fields.  Believed, it
 * would make the core drop a well-formed subkey.
 */
static void forge_subkey_claimed_malformed(uint8_t *a, size_t *l)
{
	size_t at = last_rec(a, *l, PGP_REC_KEY, PGP_KEY_F_SUBKEY);
	uint8_t *f = a + at + PGP_REC_HDR_LEN;

	if (!at)
		return;
	f[6] = (uint8_t)(PGP_KEY_F_MALFORMED | PGP_KEY_F_SUBKEY);
	f[7] = 0;
	wr32(f + 8, 0);		/* created */
	wr32(f + 12, 0);	/* matlen */
	wr32(f + 24, 0);	/* nfield */
	rec_cut(a, l, at, PGP_REC_KEY_FIXED);
}

/* The OPS record of a well-formed one-pass signature claimed malformed:
 * believed, it would make the signature it announces not count. */
static void forge_ops_claimed_malformed(uint8_t *a, size_t l)
{
	uint32_t bl;
	uint8_t *o = find_rec(a, l, PGP_REC_OPS, 0, &bl);

	if (!o)
		return;
	o[9] |= PGP_OPS_F_MALFORMED;
	memset(o + 12, 0, 16);	/* no spans, as an honest malformed record */
}

static void forge_input_len(uint8_t *a, size_t l)
{
	(void)l;
	wr32(a + 16, rd32(a + 16) + 1);
}

static void forge_record_count(uint8_t *a, size_t l)
{
	(void)l;
	wr32(a + 12, rd32(a + 12) + 1);
}

#define NEED_GPG() FIXTURE_NEED(&gen)

TEST(test_fixture_generator_succeeds)
{
	FIXTURE_GEN_CASE(&gen);
}

TEST(test_liar_signed_region_span_shorter_than_packet)
{
	NEED_GPG();
	parse_liar("ed.bin.sig", forge_signed_region_short, "signed-region span");
}

TEST(test_liar_signed_region_span_outside_input)
{
	NEED_GPG();
	parse_liar("ed.bin.sig", forge_signed_region_outside, "outside the input");
}

TEST(test_liar_subpacket_start_not_tiling)
{
	NEED_GPG();
	parse_liar("ed.bin.sig", forge_subpacket_start, "does not start where");
}

TEST(test_liar_subpackets_reordered)
{
	NEED_GPG();
	parse_liar("ed.bin.sig", forge_subpackets_swapped, "does not start where");
}

TEST(test_liar_subpacket_type_forged)
{
	NEED_GPG();
	parse_liar("ed.bin.sig", forge_subpacket_type, "differ from the packet");
}

TEST(test_liar_unhashed_subpacket_claimed_hashed)
{
	NEED_GPG();
	parse_liar("ed.bin.sig", forge_subpacket_hashed_flag, "differ from the packet");
}

TEST(test_liar_issuer_span_forged)
{
	NEED_GPG();
	parse_liar("ed.bin.sig", forge_issuer, "issuer claim");
}

TEST(test_liar_creation_time_forged)
{
	NEED_GPG();
	parse_liar("ed.bin.sig", forge_created, "creation time claim");
}

TEST(test_liar_signature_mpi_span_forged)
{
	NEED_GPG();
	parse_liar("ed.bin.sig", forge_sig_material, "MPI");
}

/*
 * A v6 signature packet (RFC 9580 §5.2.3), built here: RSA over SHA-256, a
 * creation time, a 16-byte salt and one 256-byte MPI whose value starts
 * with 0x7f, so 2047 bits is canonical and 2048 is not (RFC 9580 §3.2).
 * Only the structure matters: the re-check verifies no signature.
 */
static size_t v6_rsa_sig(uint8_t *out, uint16_t mpi_bits)
{
	uint8_t *p = out;
	size_t i;

	*p++ = 0xC2;		/* new format, tag 2 */
	*p++ = 0xFF;		/* five-octet length, filled in below */
	p += 4;
	*p++ = 6;		/* version */
	*p++ = 0x00;		/* binary document */
	*p++ = 1;		/* RSA */
	*p++ = 8;		/* SHA-256 */
	*p++ = 0, *p++ = 0, *p++ = 0, *p++ = 6;	/* hashed area: 6 bytes */
	*p++ = 5, *p++ = 2;	/* creation time subpacket */
	*p++ = 0x65, *p++ = 0x53, *p++ = 0xf1, *p++ = 0x00;
	*p++ = 0, *p++ = 0, *p++ = 0, *p++ = 0;	/* no unhashed area */
	*p++ = 0xab, *p++ = 0xcd;	/* left 16 bits */
	*p++ = 16;		/* salt size for SHA-256 */
	for (i = 0; i < 16; i++)
		*p++ = (uint8_t)i;
	*p++ = (uint8_t)(mpi_bits >> 8), *p++ = (uint8_t)mpi_bits;
	*p++ = 0x7f;
	for (i = 1; i < 256; i++)
		*p++ = 0x5a;
	i = (size_t)(p - out) - 6;
	out[2] = (uint8_t)(i >> 24), out[3] = (uint8_t)(i >> 16);
	out[4] = (uint8_t)(i >> 8), out[5] = (uint8_t)i;
	return (size_t)(p - out);
}

/* A handler that lets a non-canonical MPI of a v6 signature through (and
 * claims its bit count) is caught by the core's own check. */
TEST(test_liar_v6_non_canonical_mpi_let_through)
{
	uint8_t good[400], bad[400], *ans = NULL, *ans2 = NULL, *f, *sr;
	size_t gl = v6_rsa_sig(good, 2047), bl2 = v6_rsa_sig(bad, 2048), alen = 0, alen2 = 0;
	struct pgp_packets pk;
	char why[384] = "";
	uint32_t bl;
	int r;

	/* Honest: one malformed signature (RFC 9580 §5.2.5), which the core
	 * finds malformed for the same reason. */
	r = genuine(PGP_REQ_PARSE, bad, bl2, &ans2, &alen2);
	CHECK(r == 0, "the honest handler answers for the non-canonical MPI: %s",
	      dg_pgp_last_error(honest));
	if (r == 0) {
		sr = SIG_REC(ans2, alen2, 0);
		CHECK(sr && (rd32(sr + 8) & PGP_SIG_F_MALFORMED), "the honest answer says malformed");
		r = pgp_recheck_parse(bad, bl2, ans2, alen2, &pk, why, sizeof(why));
		CHECK(r == 0 && pk.n == 1 && pk.v[0].sig_malformed &&
		      strstr(pk.v[0].sig_malformed, "canonical"),
		      "the core confirms: %d %s", r, r == 0 && pk.n ? pk.v[0].sig_malformed : why);
		if (r == 0)
			pgp_packets_free(&pk);
	}
	free(ans2);
	if (genuine(PGP_REQ_PARSE, good, gl, &ans, &alen) < 0) {
		CHECK(0, "no genuine answer for the canonical v6 signature");
		return;
	}
	r = pgp_recheck_parse(good, gl, ans, alen, &pk, why, sizeof(why));
	CHECK(r == 0, "the genuine answer passes: %s", why);
	if (r == 0)
		pgp_packets_free(&pk);
	sr = SIG_REC(ans, alen, 0);
	f = sr ? sr + PGP_REC_SIG_FIXED + 16 * rd32(sr + 64) : NULL;
	CHECK(f && (f[2] | f[3] << 8) == 2047, "the answer claims the MPI's 2047 bits");
	if (f) {
		f[2] = 2048 & 0xff;	/* the liar claims the bad packet's count */
		f[3] = 2048 >> 8;
	}
	why[0] = '\0';
	r = pgp_recheck_parse(bad, bl2, ans, alen, &pk, why, sizeof(why));
	CHECK(r == -EBADMSG && strstr(why, "canonical"), "forged answer returned %d (%s)", r, why);
	if (r == 0)
		pgp_packets_free(&pk);
	free(ans);
}

TEST(test_liar_key_body_span_forged_fingerprint_input)
{
	NEED_GPG();
	parse_liar("ed.pub", forge_key_body, "key body span");
}

TEST(test_liar_key_material_field_shifted)
{
	NEED_GPG();
	parse_liar("ed.pub", forge_key_field, "does not follow");
}

TEST(test_liar_key_creation_time_forged)
{
	NEED_GPG();
	parse_liar("ed.pub", forge_key_created, "creation time");
}

TEST(test_liar_packet_tag_forged)
{
	NEED_GPG();
	parse_liar("ed.bin.sig", forge_packet_tag, "claimed tag");
}

TEST(test_liar_packet_body_span_forged)
{
	NEED_GPG();
	parse_liar("ed.bin.sig", forge_packet_body, "body span");
}

/*
 * A literal packet with partial body lengths, its first chunk @first (512
 * or 256) and its second 768 - @first bytes, then a final chunk of 16: the
 * same 788 bytes either way but for where the second length octet sits.
 */
static void partial_literal(uint8_t *m, unsigned first)
{
	size_t i;

	m[0] = 0xCB;				/* new format, tag 11 */
	m[1] = first == 512 ? 0xE9 : 0xE8;	/* 2^9 or 2^8 */
	m[2] = 'b', m[3] = 0;			/* binary, no file name */
	m[4] = m[5] = m[6] = m[7] = 0;		/* date */
	m[2 + first] = first == 512 ? 0xE8 : 0xE9;
	m[2 + 768 + 1] = 16;			/* final chunk */
	for (i = 8; i < 788; i++)
		if (i != 2 + first && i != 771)
			m[i] = (uint8_t)('a' + i % 26);
}

/* A handler that lets a first partial chunk of 256 bytes through (RFC
 * 9580 §4.2.1.4 wants 512): the core counts the first chunk itself. */
TEST(test_liar_short_first_partial_chunk_let_through)
{
	uint8_t good[788], bad[788], *ans = NULL, *ans2 = NULL, *pr, *lr;
	size_t alen = 0, alen2 = 0;
	struct pgp_packets pk;
	char why[384] = "";
	uint32_t bl;
	int r;

	partial_literal(good, 512);
	partial_literal(bad, 256);
	r = genuine(PGP_REQ_PARSE, bad, sizeof(bad), &ans2, &alen2);
	CHECK(r < 0 && strstr(dg_pgp_last_error(honest), "4.2.1.4"),
	      "the honest handler refuses the short first chunk: %d %s", r,
	      dg_pgp_last_error(honest));
	free(ans2);
	if (genuine(PGP_REQ_PARSE, good, sizeof(good), &ans, &alen) < 0) {
		CHECK(0, "no genuine answer for the 512-byte first chunk");
		return;
	}
	r = pgp_recheck_parse(good, sizeof(good), ans, alen, &pk, why, sizeof(why));
	CHECK(r == 0, "the genuine answer passes: %s", why);
	if (r == 0)
		pgp_packets_free(&pk);
	pr = find_rec(ans, alen, PGP_REC_PACKET, 0, &bl);
	lr = find_rec(ans, alen, PGP_REC_LITERAL, 0, &bl);
	CHECK(pr && lr && rd32(pr + 24) == 3 && rd32(lr + 20) == 3,
	      "the answer has 3 chunks and 3 data pieces");
	if (!pr || !lr) {
		free(ans);
		return;
	}
	/* The liar describes the 256/512 split: chunk 0's data, chunk 1's
	 * length octet and data, and the literal data pieces in them. */
	wr32(pr + 28 + 12, 256);		/* chunk 0 data.len */
	wr32(pr + 44 + 0, 258);			/* chunk 1 lenhdr.off */
	wr32(pr + 44 + 8, 259);			/* chunk 1 data.off */
	wr32(pr + 44 + 12, 512);		/* chunk 1 data.len */
	wr32(lr + 24 + 4, 250);			/* piece 0 len (after 6 header bytes) */
	wr32(lr + 32 + 0, 259);			/* piece 1 off */
	wr32(lr + 32 + 4, 512);			/* piece 1 len */
	why[0] = '\0';
	r = pgp_recheck_parse(bad, sizeof(bad), ans, alen, &pk, why, sizeof(why));
	CHECK(r == -EBADMSG && strstr(why, "4.2.1.4"), "forged answer returned %d (%s)", r, why);
	if (r == 0)
		pgp_packets_free(&pk);
	free(ans);
}

TEST(test_liar_revocation_signature_hidden)
{
	NEED_GPG();
	parse_liar("rv.hard.pub", forge_hide_revocation, "lacks its SIG record");
}

TEST(test_liar_revocation_claimed_malformed)
{
	NEED_GPG();
	parse_liar_with("rv.hard.pub", NULL, forge_revocation_claimed_malformed,
			"claimed malformed");
}

TEST(test_liar_subkey_claimed_malformed)
{
	NEED_GPG();
	parse_liar_with("sub.pub", NULL, forge_subkey_claimed_malformed, "claimed malformed");
}

/* A v4 public subkey packet, EdDSALegacy, its OID of 9 octets cut at 3. */
static const uint8_t malformed_subkey[] = { 0xCE, 10, 4, 0x65, 0x53, 0xF1, 0x00, 22, 9,
					    0x2B, 0x06, 0x01 };

/*
 * ed.pub with a key packet @pkt appended (or put first): a subkey whose
 * OID runs past the packet, or a primary key cut in its header.
 */
static size_t with_key_packet(uint8_t *out, size_t cap, const uint8_t *pkt, size_t plen,
			      bool first)
{
	uint8_t *in = NULL;
	size_t len = 0;

	if (tap_read_file(path_of("ed.pub"), &in, &len) < 0 || len + plen > cap) {
		free(in);
		return 0;
	}
	memcpy(out + (first ? plen : 0), in, len);
	memcpy(out + (first ? 0 : len), pkt, plen);
	free(in);
	return len + plen;
}

/* RFC 9580 §5.2.5's rule for signatures, for keys: a subkey that does
 * not parse is one key not used, not a broken certificate (anyone can
 * append one), and the core confirms the defect itself. */
TEST(test_malformed_subkey_is_skipped_and_confirmed)
{
	uint8_t in[8192], *ans = NULL, *k;
	size_t len = with_key_packet(in, sizeof(in), malformed_subkey, sizeof(malformed_subkey), false);
	size_t alen = 0, i;
	struct pgp_packets pk;
	struct dg_pgp *pgp = NULL;
	char why[384] = "";
	const char *m = NULL;
	uint32_t bl;
	int r;

	NEED_GPG();
	if (!len || genuine(PGP_REQ_PARSE, in, len, &ans, &alen) < 0) {
		CHECK(0, "no genuine answer for ed.pub with a malformed subkey");
		return;
	}
	k = find_rec(ans, alen, PGP_REC_KEY, 1, &bl);
	CHECK(k && (k[6] & PGP_KEY_F_MALFORMED) && (k[6] & PGP_KEY_F_SUBKEY) && k[5] == 22,
	      "the honest handler says: malformed subkey, algorithm 22");
	r = pgp_recheck_parse(in, len, ans, alen, &pk, why, sizeof(why));
	CHECK(r == 0, "the core accepts the answer: %s", why);
	if (r == 0) {
		for (i = 0; i < pk.n; i++)
			if (pk.v[i].kind == PGP_K_KEY && pk.v[i].key_subkey)
				m = pk.v[i].key_malformed;
		CHECK(m && strstr(m, "key material truncated"), "the core finds: %s", m ? m : "(none)");
		pgp_packets_free(&pk);
	}
	free(ans);
	dg_pgp_new(&pgp);
	r = dg_pgp_keyring_add_mem(pgp, "ed.pub+junk", in, len);
	CHECK(r == 1 && dg_pgp_keyring_count(pgp) == 1, "the certificate loads: %d %s", r,
	      dg_pgp_last_error(pgp));
	dg_pgp_free(pgp);
}

/* A primary key that does not parse makes the input broken, as for every
 * peer: the certificates after it are not loaded either. */
TEST(test_malformed_primary_key_fails_the_input)
{
	static const uint8_t pri[] = { 0xC6, 3, 4, 0x65, 0x53 };
	uint8_t in[8192];
	size_t len = with_key_packet(in, sizeof(in), pri, sizeof(pri), true);
	struct dg_pgp *pgp = NULL;
	int r;

	NEED_GPG();
	dg_pgp_new(&pgp);
	r = dg_pgp_keyring_add_mem(pgp, "junk+ed.pub", in, len);
	CHECK(len && r == -EBADMSG && dg_pgp_keyring_count(pgp) == 0, "returned %d", r);
	CHECK(strstr(dg_pgp_last_error(pgp), "junk+ed.pub: packet 0: primary key packet is malformed (key header truncated)"),
	      "message: %s", dg_pgp_last_error(pgp));
	dg_pgp_free(pgp);
}

TEST(test_liar_one_pass_signature_claimed_malformed)
{
	NEED_GPG();
	parse_liar("ed.plain.gpg", forge_ops_claimed_malformed, "claimed malformed");
}

TEST(test_liar_answer_about_other_input_length)
{
	NEED_GPG();
	parse_liar("ed.bin.sig", forge_input_len, "input bytes");
}

TEST(test_liar_record_count_overstated)
{
	NEED_GPG();
	parse_liar("ed.bin.sig", forge_record_count, "past the end");
}

/* ---- DEARMOR and CLEARTEXT answers ---- */

static void armor_liar_file(const char *file, forge_fn forge, const char *words)
{
	struct pgp_armor arm;
	uint8_t *in = NULL, *ans = NULL;
	size_t len = 0, alen = 0;
	char why[384] = "";
	int r;

	if (tap_read_file(path_of(file), &in, &len) < 0 || genuine(PGP_REQ_DEARMOR, in, len, &ans, &alen) < 0) {
		CHECK(0, "no genuine DEARMOR answer");
		free(in);
		return;
	}
	r = pgp_recheck_dearmor(in, len, ans, alen, &arm, why, sizeof(why));
	CHECK(r == 0, "genuine answer passes: %s", why);
	if (r == 0)
		pgp_armor_free(&arm);
	forge(ans, alen);
	why[0] = '\0';
	r = pgp_recheck_dearmor(in, len, ans, alen, &arm, why, sizeof(why));
	CHECK(r == -EBADMSG, "forged answer returned %d (%s)", r, why);
	CHECK(strstr(why, words) != NULL, "message '%s' lacks '%s'", why, words);
	if (r == 0)
		pgp_armor_free(&arm);
	free(in);
	free(ans);
}

static void armor_liar(forge_fn forge, const char *words)
{
	armor_liar_file("ed.asc.sig", forge, words);
}

static void forge_armor_data(uint8_t *a, size_t l)
{
	uint32_t bl;
	uint8_t *d = find_rec(a, l, PGP_REC_ARMOR_DATA, 0, &bl);

	d[4 + 10] ^= 0x40;	/* the handler's decoded bytes differ */
}

static void forge_armor_line_skipped(uint8_t *a, size_t l)
{
	uint32_t bl;
	uint8_t *r = find_rec(a, l, PGP_REC_ARMOR, 0, &bl);
	uint32_t nhdr = rd32(r + 40), nline = rd32(r + 44);
	uint8_t *lines = r + 48 + 16 * nhdr;

	/* Drop the first body line by making the list start at the second. */
	if (nline >= 2)
		memcpy(lines, lines + 8, 8);
}

static void forge_armor_crc(uint8_t *a, size_t l)
{
	uint32_t bl;
	uint8_t *r = find_rec(a, l, PGP_REC_ARMOR, 0, &bl);

	wr32(r + 8, rd32(r + 8) ^ 1);
}

TEST(test_liar_armor_decoded_bytes_differ)
{
	NEED_GPG();
	armor_liar(forge_armor_data, "core's own decoding");
}

TEST(test_liar_armor_body_line_skipped)
{
	NEED_GPG();
	armor_liar(forge_armor_line_skipped, "not armor framing");
}

TEST(test_liar_armor_crc_claim_forged)
{
	NEED_GPG();
	armor_liar(forge_armor_crc, "checksum");
}

/*
 * Leave armor block @k out of a DEARMOR answer: its ARMOR and ARMOR_DATA
 * records become a record type the core skips, and the later blocks are
 * renumbered, so that the answer is a consistent account of the others.
 */
static void hide_armor_block(uint8_t *a, size_t l, uint32_t k)
{
	size_t off = PGP_ANS_HDR_LEN;

	while (off + PGP_REC_HDR_LEN <= l) {
		uint8_t *h = a + off, *b = h + PGP_REC_HDR_LEN;
		uint16_t t = (uint16_t)(h[0] | h[1] << 8);
		uint32_t bl = rd32(h + 4);

		if ((t == PGP_REC_ARMOR || t == PGP_REC_ARMOR_DATA) && bl >= 4) {
			if (rd32(b) == k)
				h[0] = h[1] = 0x77;
			else if (rd32(b) > k)
				wr32(b, rd32(b) - 1);
		}
		off += PGP_REC_HDR_LEN + bl;
	}
}

static void forge_armor_drop_first(uint8_t *a, size_t l)
{
	hide_armor_block(a, l, 0);
}

static void forge_armor_drop_middle(uint8_t *a, size_t l)
{
	hide_armor_block(a, l, 1);
}

static void forge_armor_drop_last(uint8_t *a, size_t l)
{
	uint32_t bl, n = 0;

	while (find_rec(a, l, PGP_REC_ARMOR, (int)n, &bl))
		n++;
	if (n)
		hide_armor_block(a, l, n - 1);
}

/* ring.asc: four armored certificates, one after the other. */
TEST(test_liar_armor_first_block_of_keyring_dropped)
{
	NEED_GPG();
	armor_liar_file("ring.asc", forge_armor_drop_first, "not reported as a block");
}

TEST(test_liar_armor_middle_block_of_keyring_dropped)
{
	NEED_GPG();
	armor_liar_file("ring.asc", forge_armor_drop_middle, "not reported as a block");
}

TEST(test_liar_armor_last_block_of_keyring_dropped)
{
	NEED_GPG();
	armor_liar_file("ring.asc", forge_armor_drop_last, "not reported as a block");
}

/* CLEARTEXT @in, forge the answer (@forge or @forge_len), re-check. */
static void ct_liar_in(const uint8_t *in, size_t len, forge_fn forge, forge_len_fn forge_len,
		       const char *words)
{
	struct pgp_cleartext ct;
	uint8_t *ans = NULL;
	size_t alen = 0;
	char why[384] = "";
	int r;

	if (!in || genuine(PGP_REQ_CLEARTEXT, in, len, &ans, &alen) < 0) {
		CHECK(0, "no genuine CLEARTEXT answer");
		return;
	}
	r = pgp_recheck_cleartext(in, len, ans, alen, &ct, why, sizeof(why));
	CHECK(r == 0, "genuine answer passes: %s", why);
	if (r == 0)
		pgp_cleartext_free(&ct);
	if (forge)
		forge(ans, alen);
	else
		forge_len(ans, &alen);
	why[0] = '\0';
	r = pgp_recheck_cleartext(in, len, ans, alen, &ct, why, sizeof(why));
	CHECK(r == -EBADMSG, "forged answer returned %d (%s)", r, why);
	CHECK(strstr(why, words) != NULL, "message '%s' lacks '%s'", why, words);
	if (r == 0)
		pgp_cleartext_free(&ct);
	free(ans);
}

static void ct_liar(forge_fn forge, const char *words)
{
	uint8_t *in = NULL;
	size_t len = 0;

	if (tap_read_file(path_of("ed.clear.asc"), &in, &len) < 0) {
		CHECK(0, "no ed.clear.asc");
		return;
	}
	ct_liar_in(in, len, forge, NULL, words);
	free(in);
}

static uint8_t *ct_line(uint8_t *a, size_t l, uint32_t i)
{
	uint32_t bl;
	uint8_t *r = find_rec(a, l, PGP_REC_CLEARTEXT, 0, &bl);

	return r + 32 + 12 * rd32(r + 20) + 16 * i;
}

static void forge_ct_text_short(uint8_t *a, size_t l)
{
	uint8_t *ln = ct_line(a, l, 0);

	wr32(ln + 12, rd32(ln + 12) - 1);	/* text.len: drops a character */
}

static void forge_ct_line_dropped(uint8_t *a, size_t l)
{
	uint8_t *l0 = ct_line(a, l, 0), *l1 = ct_line(a, l, 1);

	memcpy(l0, l1, 16);	/* line 0 claimed to be line 1: line 0 vanishes */
}

static void forge_ct_sigblock(uint8_t *a, size_t l)
{
	uint32_t bl;
	uint8_t *r = find_rec(a, l, PGP_REC_CLEARTEXT, 0, &bl);

	wr32(r + 12, rd32(r + 12) + 1);
}

TEST(test_liar_cleartext_hashed_text_truncated)
{
	NEED_GPG();
	ct_liar(forge_ct_text_short, "hashed text");
}

TEST(test_liar_cleartext_line_dropped)
{
	NEED_GPG();
	ct_liar(forge_ct_line_dropped, "does not follow");
}

TEST(test_liar_cleartext_signature_block_moved)
{
	NEED_GPG();
	ct_liar(forge_ct_sigblock, "signature block");
}

#define NEED_EMPTY() FIXTURE_NEED(&gen_empty)

TEST(test_empty_text_clearsigned)
{
	FIXTURE_GEN_CASE(&gen_empty);
}

/* A copy of @file with the first @from replaced by @to, or NULL. */
static uint8_t *edited(const char *file, const char *from, const char *to, size_t *len)
{
	size_t ml = 0, fl = strlen(from), tl = strlen(to), at;
	uint8_t *m = NULL, *out;
	char *h;

	if (tap_read_file(path_of(file), &m, &ml) < 0)
		return NULL;
	m[ml] = '\0';
	h = strstr((char *)m, from);
	if (!h || !(out = malloc(ml - fl + tl + 1))) {
		free(m);
		return NULL;
	}
	at = (size_t)((uint8_t *)h - m);
	memcpy(out, m, at);
	memcpy(out + at, to, tl);
	memcpy(out + at + tl, m + at + fl, ml - at - fl);
	*len = ml - fl + tl;
	out[*len] = '\0';
	free(m);
	return out;
}

/* ct_liar_in() over ed.clear.asc with @from replaced by @to. */
static void ct_liar_edited(const char *from, const char *to, forge_len_fn forge,
			   const char *words)
{
	size_t len = 0;
	uint8_t *in = edited("ed.clear.asc", from, to, &len);

	ct_liar_in(in, len, NULL, forge, words);
	free(in);
}

/* Cut @n bytes at @at out of a CLEARTEXT answer (its only record). */
static void ct_cut(uint8_t *a, size_t *l, uint8_t *at, size_t n)
{
	uint8_t *rec = a + PGP_ANS_HDR_LEN;

	memmove(at, at + n, (size_t)(a + *l - (at + n)));
	wr32(rec + 4, rd32(rec + 4) - (uint32_t)n);
	*l -= n;
}

/* Leave out signed text line 0: the core would hash from line 1 on. */
static void forge_ct_drop_first_line(uint8_t *a, size_t *l)
{
	uint32_t bl;
	uint8_t *r = find_rec(a, *l, PGP_REC_CLEARTEXT, 0, &bl), *l0 = ct_line(a, *l, 0);

	wr32(r + 24, rd32(r + 24) - 1);	/* nline */
	ct_cut(a, l, l0, PGP_CT_LINE_LEN);
}

/* The BEGIN span taken over its LF, so that the next (blank) line looks
 * like the BEGIN line's ending; line 0 left out. */
static void forge_ct_begin_swallows_line(uint8_t *a, size_t *l)
{
	uint32_t bl;
	uint8_t *r = find_rec(a, *l, PGP_REC_CLEARTEXT, 0, &bl);

	wr32(r + 8, rd32(r + 8) + 1);	/* begin.len */
	forge_ct_drop_first_line(a, l);
}

/* Report no Hash: header values at all. */
static void forge_ct_no_hash(uint8_t *a, size_t *l)
{
	uint32_t bl;
	uint8_t *r = find_rec(a, *l, PGP_REC_CLEARTEXT, 0, &bl);
	uint32_t nhash = rd32(r + 20);

	wr32(r + 20, 0);
	ct_cut(a, l, r + 32, (size_t)nhash * PGP_CT_HASH_LEN);
}

/* RFC 9580 §7: exactly one blank line ends the headers; the next blank
 * line is signed text.  ed.clear.asc with one more blank line is a message
 * whose text starts with an empty line (its signature does not match). */
TEST(test_liar_cleartext_leading_empty_line_dropped)
{
	NEED_GPG();
	ct_liar_edited("SHA256\n\n", "SHA256\n\n\n", forge_ct_drop_first_line, "does not follow");
}

TEST(test_liar_cleartext_begin_span_swallows_empty_line)
{
	NEED_GPG();
	/* No headers: BEGIN, the blank line, an empty text line, ... */
	ct_liar_edited("Hash: SHA256\n\n", "\n\n", forge_ct_begin_swallows_line,
		       "BEGIN PGP SIGNED MESSAGE line");
}

TEST(test_liar_cleartext_empty_line_claimed_as_framing)
{
	uint8_t *in = NULL;
	size_t len = 0;

	NEED_EMPTY();
	/* gpg writes the empty text as one empty line after the blank one. */
	tap_read_file(path_of("empty.clear.asc"), &in, &len);
	ct_liar_in(in, len, NULL, forge_ct_drop_first_line, "does not end right before");
	free(in);
}

TEST(test_liar_cleartext_hash_values_dropped)
{
	NEED_GPG();
	ct_liar_edited("Hash: SHA256\n", "Hash: SHA512\n", forge_ct_no_hash, "Hash: header values");
}

/* ---- through the public API with a lying transport ---- */

struct lie {
	uint16_t type;		/* request type to forge */
	forge_fn forge;
	int calls;
	forge_len_fn forge_len;	/* instead of forge */
};

static int lying_call(struct dg_pgp *pgp, void *ctx, uint16_t type, const uint8_t *req,
		      size_t len, uint8_t **ans, size_t *alen)
{
	struct lie *l = ctx;
	int r = pgp_umd_call(pgp, NULL, type, req, len, ans, alen);

	if (r == 0 && type == l->type && (l->forge || l->forge_len)) {
		if (l->forge)
			l->forge(*ans, *alen);
		else
			l->forge_len(*ans, alen);
		l->calls++;
	}
	return r;
}

/* A context whose handler calls go through @lie. */
static struct dg_pgp *liar_ctx(struct lie *lie)
{
	struct dg_pgp *pgp = NULL;

	if (dg_pgp_new(&pgp) < 0)
		return NULL;
	pgp->call = lying_call;
	pgp->call_ctx = lie;
	return pgp;
}

/*
 * An empty Key Flags subpacket means "no capabilities" (RFC 9580
 * §5.2.3.29), not "no key flags": the core must not read it as absent,
 * which would leave the primary key signing-capable.
 */
TEST(test_empty_key_flags_subpacket_means_no_capabilities)
{
	static const uint8_t in[] = {
		0xc2, 34,			/* new format, tag 2, 34 bytes */
		4, 0x13, 22, 8,			/* v4, positive cert., EdDSA, SHA256 */
		0, 8,				/* hashed: */
		5, 2, 0x65, 0x53, 0xf1, 0x00,	/*   creation time */
		1, 27,				/*   key flags, empty */
		0, 10,				/* unhashed: */
		9, 16, 1, 2, 3, 4, 5, 6, 7, 8,	/*   issuer key ID */
		0xab, 0xcd,			/* left 16 bits */
		0, 8, 1, 0, 8, 1,		/* r, s */
	};
	struct pgp_packets pk = { 0 };
	uint8_t *ans = NULL;
	size_t alen = 0;
	char why[384] = "";
	int r;

	if (genuine(PGP_REQ_PARSE, in, sizeof(in), &ans, &alen) < 0) {
		CHECK(0, "no genuine answer for the crafted signature");
		return;
	}
	r = pgp_recheck_parse(in, sizeof(in), ans, alen, &pk, why, sizeof(why));
	CHECK(r == 0 && pk.n == 1 && pk.v[0].kind == PGP_K_SIG, "re-check: %d %s", r, why);
	if (r == 0 && pk.n == 1) {
		CHECK(pk.v[0].sig.has_key_flags, "empty key flags read as absent");
		CHECK(pk.v[0].sig.key_flags == 0, "key flags 0x%02x", pk.v[0].sig.key_flags);
		pgp_packets_free(&pk);
	}
	free(ans);
}

TEST(test_liar_through_api_forged_signature_region_is_rejected)
{
	struct lie lie = { PGP_REQ_PARSE, forge_signed_region_short, 0, NULL };
	struct dg_pgp_result res = { 0 };
	struct dg_pgp *pgp = NULL;
	uint8_t *sig, *data;
	size_t sl, dl;
	int r;

	NEED_GPG();
	dg_pgp_new(&pgp);
	CHECK(dg_pgp_keyring_add_file(pgp, path_of("ed.pub")) == 1, "honest keyring load");
	pgp->call = lying_call;
	pgp->call_ctx = &lie;
	tap_read_file(path_of("ed.bin.sig"), &sig, &sl);
	tap_read_file(path_of("data.txt"), &data, &dl);
	r = dg_pgp_verify_detached(pgp, sig, sl, data, dl, &res);
	CHECK(r == -EBADMSG && lie.calls == 1, "returned %d after %d forgeries", r, lie.calls);
	CHECK(strstr(dg_pgp_last_error(pgp), "handler answer rejected"), "message: %s",
	      dg_pgp_last_error(pgp));
	CHECK(res.n_good == 0, "nothing verified");
	dg_pgp_result_free(&res);
	dg_pgp_free(pgp);
	free(sig);
	free(data);
}

/* Load rv.hard.pub (a hard-revoked key) through @lie: refused, with
 * @words in the message, and no certificate kept. */
static void keyring_liar(struct lie *lie, const char *words)
{
	struct dg_pgp *pgp = liar_ctx(lie);
	int r;

	if (!pgp) {
		CHECK(0, "no context");
		return;
	}
	r = dg_pgp_keyring_add_file(pgp, path_of("rv.hard.pub"));
	CHECK(r == -EBADMSG && lie->calls >= 1, "returned %d after %d forgeries: %s", r,
	      lie->calls, dg_pgp_last_error(pgp));
	CHECK(strstr(dg_pgp_last_error(pgp), words), "message '%s' lacks '%s'",
	      dg_pgp_last_error(pgp), words);
	CHECK(dg_pgp_keyring_count(pgp) == 0, "no certificate added");
	dg_pgp_free(pgp);
}

TEST(test_liar_through_api_keyring_with_hidden_revocation_is_rejected)
{
	struct lie lie = { PGP_REQ_PARSE, forge_hide_revocation, 0, NULL };

	NEED_GPG();
	keyring_liar(&lie, "lacks its SIG record");
}

TEST(test_liar_through_api_keyring_with_revocation_claimed_malformed_is_rejected)
{
	struct lie lie = { PGP_REQ_PARSE, NULL, 0, forge_revocation_claimed_malformed };

	NEED_GPG();
	keyring_liar(&lie, "claimed malformed");
}

TEST(test_armor_keyring_honest_handler_loads_every_block)
{
	struct dg_pgp *pgp = NULL;
	int r;

	NEED_GPG();
	dg_pgp_new(&pgp);
	r = dg_pgp_keyring_add_file(pgp, path_of("ring.asc"));
	CHECK(r == 4 && dg_pgp_keyring_count(pgp) == 4, "returned %d, %zu certificates: %s", r,
	      dg_pgp_keyring_count(pgp), dg_pgp_last_error(pgp));
	dg_pgp_free(pgp);
}

TEST(test_liar_through_api_keyring_with_dropped_armor_block_is_rejected)
{
	struct lie lie = { PGP_REQ_DEARMOR, forge_armor_drop_last, 0, NULL };
	struct dg_pgp *pgp = NULL;
	int r;

	NEED_GPG();
	pgp = liar_ctx(&lie);
	r = dg_pgp_keyring_add_file(pgp, path_of("ring.asc"));
	CHECK(r == -EBADMSG && lie.calls == 1, "returned %d after %d forgeries: %s", r, lie.calls,
	      dg_pgp_last_error(pgp));
	CHECK(strstr(dg_pgp_last_error(pgp), PGP_ANSWER_REJECTED) &&
	      strstr(dg_pgp_last_error(pgp), "ring.asc"), "message: %s", dg_pgp_last_error(pgp));
	CHECK(dg_pgp_keyring_count(pgp) == 0, "no certificate added");
	dg_pgp_free(pgp);
}

/* A handler that refuses the @at-th request of @type (1: the first). */
struct refusal {
	uint16_t type;
	int at, seen;
};

static int refusing_call(struct dg_pgp *pgp, void *ctx, uint16_t type, const uint8_t *req,
			 size_t len, uint8_t **ans, size_t *alen)
{
	struct refusal *rf = ctx;

	if (type == rf->type && ++rf->seen == rf->at)
		return pgp_errorf(pgp, -EBADMSG, "liar: refusing request %d on purpose", rf->seen);
	return pgp_umd_call(pgp, NULL, type, req, len, ans, alen);
}

/*
 * A key revocation that came before its certificate waits as packet bytes
 * and is parsed again once the certificate arrives.  A handler that
 * refuses (or garbles) that second parse must not make the core drop the
 * revocation: the load fails, and the revoked key verifies nothing.
 */
TEST(test_liar_through_api_lone_revocation_reparse_refused_is_not_dropped)
{
	/* PARSE 1: rv.pub itself; PARSE 2: the waiting revocation. */
	struct refusal rf = { PGP_REQ_PARSE, 2, 0 };
	struct dg_pgp_result res = { 0 };
	struct dg_pgp *pgp = NULL;
	uint8_t *sig = NULL, *data = NULL;
	size_t sl = 0, dl = 0;
	int r;

	NEED_GPG();
	dg_pgp_new(&pgp);
	r = dg_pgp_keyring_add_file(pgp, path_of("rv.hard.rev"));
	CHECK(r == 1 && dg_pgp_keyring_count(pgp) == 0, "the lone revocation waits: %d (%s)", r,
	      dg_pgp_last_error(pgp));
	pgp->call = refusing_call;
	pgp->call_ctx = &rf;
	r = dg_pgp_keyring_add_file(pgp, path_of("rv.pub"));
	CHECK(rf.seen >= 2, "the revocation was not parsed again (%d PARSE requests)", rf.seen);
	CHECK(r < 0, "certificate load with the revocation refused returned %d (%s)", r,
	      dg_pgp_last_error(pgp));
	CHECK(strstr(dg_pgp_last_error(pgp), "revocation") != NULL, "message: %s",
	      dg_pgp_last_error(pgp));
	pgp->call = pgp_umd_call;
	pgp->call_ctx = NULL;
	tap_read_file(path_of("rv.before.sig"), &sig, &sl);
	tap_read_file(path_of("data.txt"), &data, &dl);
	r = dg_pgp_verify_detached(pgp, sig, sl, data, dl, &res);
	CHECK(r != 0 && res.n_good == 0, "a signature by the revoked key verified: %d (%s)", r,
	      dg_pgp_last_error(pgp));
	dg_pgp_result_free(&res);
	dg_pgp_free(pgp);
	free(sig);
	free(data);
}

/* dg_pgp_verify_message() of @msg with ed.pub trusted, through @lie
 * (NULL: the real handler).  *@good: signatures verified; @err: message. */
static int verify_msg(const uint8_t *msg, size_t len, struct lie *lie, size_t *good,
		      char *err, size_t el)
{
	struct dg_pgp_result res = { 0 };
	struct dg_pgp *pgp = NULL;
	int r;

	*good = 0;
	snprintf(err, el, "no message");
	if (!msg || dg_pgp_new(&pgp) < 0)
		return -ENOMEM;
	if (dg_pgp_keyring_add_file(pgp, path_of("ed.pub")) != 1) {
		snprintf(err, el, "keyring: %s", dg_pgp_last_error(pgp));
		dg_pgp_free(pgp);
		return -ENOKEY;
	}
	if (lie) {
		pgp->call = lying_call;
		pgp->call_ctx = lie;
	}
	r = dg_pgp_verify_message(pgp, msg, len, &res, NULL, NULL);
	*good = res.n_good;
	snprintf(err, el, "%s", dg_pgp_last_error(pgp));
	dg_pgp_result_free(&res);
	dg_pgp_free(pgp);
	return r;
}

TEST(test_liar_through_api_cleartext_leading_empty_line_dropped_does_not_verify)
{
	struct lie lie = { PGP_REQ_CLEARTEXT, NULL, 0, forge_ct_drop_first_line };
	size_t len = 0, good;
	char err[768];
	uint8_t *in;
	int r;

	NEED_GPG();
	in = edited("ed.clear.asc", "SHA256\n\n", "SHA256\n\n\n", &len);
	r = verify_msg(in, len, NULL, &good, err, sizeof(err));
	CHECK(r == -EKEYREJECTED && good == 0, "honest: %d, %zu good (%s)", r, good, err);
	r = verify_msg(in, len, &lie, &good, err, sizeof(err));
	CHECK(r == -EBADMSG && good == 0 && lie.calls == 1, "liar: %d, %zu good after %d forgeries (%s)",
	      r, good, lie.calls, err);
	CHECK(strstr(err, PGP_ANSWER_REJECTED) != NULL, "message: %s", err);
	free(in);
}

/* The header names SHA512, the signature uses SHA256. */
TEST(test_liar_through_api_cleartext_hash_values_dropped_does_not_verify)
{
	struct lie lie = { PGP_REQ_CLEARTEXT, NULL, 0, forge_ct_no_hash };
	size_t len = 0, good;
	char err[768];
	uint8_t *in;
	int r;

	NEED_GPG();
	in = edited("ed.clear.asc", "Hash: SHA256\n", "Hash: SHA512\n", &len);
	r = verify_msg(in, len, NULL, &good, err, sizeof(err));
	CHECK(r == -EKEYREJECTED && good == 0 && strstr(err, "not announced"),
	      "honest: %d, %zu good (%s)", r, good, err);
	r = verify_msg(in, len, &lie, &good, err, sizeof(err));
	CHECK(r == -EBADMSG && good == 0 && lie.calls == 1, "liar: %d, %zu good after %d forgeries (%s)",
	      r, good, lie.calls, err);
	CHECK(strstr(err, PGP_ANSWER_REJECTED) != NULL, "message: %s", err);
	free(in);
}

/* The core's own reading of the Hash: values agrees with the handler's:
 * several headers, several values each, spaces around them. */
TEST(test_cleartext_several_hash_headers_still_verify)
{
	static const int want[] = { PGP_H_SHA512, PGP_H_SHA1, PGP_H_SHA256 };
	struct pgp_cleartext ct;
	uint8_t *in, *ans = NULL;
	size_t len = 0, alen = 0, good;
	char err[768] = "";
	int r;

	NEED_GPG();
	in = edited("ed.clear.asc", "Hash: SHA256\n", "Hash: SHA512\nHash: SHA1,  SHA256 \n", &len);
	if (!in || genuine(PGP_REQ_CLEARTEXT, in, len, &ans, &alen) < 0) {
		CHECK(0, "no genuine CLEARTEXT answer");
		free(in);
		return;
	}
	r = pgp_recheck_cleartext(in, len, ans, alen, &ct, err, sizeof(err));
	CHECK(r == 0, "genuine answer passes: %s", err);
	if (r == 0) {
		CHECK(ct.n_hashes == 3 && !memcmp(ct.hashes, want, sizeof(want)),
		      "%zu Hash: values", ct.n_hashes);
		pgp_cleartext_free(&ct);
	}
	r = verify_msg(in, len, NULL, &good, err, sizeof(err));
	CHECK(r == 0 && good == 1, "%d, %zu good (%s)", r, good, err);
	free(ans);
	free(in);
}

/* Empty signed text: with no text line at all (one blank line, then the
 * signature block) the header rules are the same (CVE-2019-11841). */
TEST(test_cleartext_empty_text_with_control_char_header_is_rejected)
{
	static const char *hdr[] = {
		"\nComment: pay mallory\v  (signed by ed)\n\n-----BEGIN PGP SIGNATURE-----",
		"\nComment: pay mallory\v  (signed by ed)\n\n\n-----BEGIN PGP SIGNATURE-----",
	};
	struct pgp_cleartext ct;
	uint8_t *in, *ans;
	size_t len, alen, good, i;
	char err[768];
	int r;

	NEED_EMPTY();
	for (i = 0; i < sizeof(hdr) / sizeof(hdr[0]); i++) {
		in = edited("empty.clear.asc", "\n\n\n-----BEGIN PGP SIGNATURE-----", hdr[i], &len);
		ans = NULL;
		alen = 0;
		if (!in || genuine(PGP_REQ_CLEARTEXT, in, len, &ans, &alen) < 0) {
			CHECK(0, "no genuine CLEARTEXT answer");
			free(in);
			return;
		}
		err[0] = '\0';
		r = pgp_recheck_cleartext(in, len, ans, alen, &ct, err, sizeof(err));
		CHECK(r == -EBADMSG && strstr(err, "cleartext header"), "re-check %zu: %d (%s)", i, r, err);
		if (r == 0)
			pgp_cleartext_free(&ct);
		r = verify_msg(in, len, NULL, &good, err, sizeof(err));
		CHECK(r == -EBADMSG && good == 0 && strstr(err, "cleartext header"),
		      "variant %zu: %d, %zu good (%s)", i, r, good, err);
		free(ans);
		free(in);
	}
}

TEST(test_cleartext_empty_text_still_verifies)
{
	struct pgp_cleartext ct;
	uint8_t *in = NULL, *one, *ans = NULL;
	size_t len = 0, olen = 0, alen = 0, good;
	char err[768] = "";
	int r;

	NEED_EMPTY();
	tap_read_file(path_of("empty.clear.asc"), &in, &len);
	r = verify_msg(in, len, NULL, &good, err, sizeof(err));
	CHECK(r == 0 && good == 1, "as gpg wrote it: %d, %zu good (%s)", r, good, err);
	/* No text line at all: the blank line is followed by the signature. */
	one = edited("empty.clear.asc", "\n\n\n-----BEGIN PGP SIGNATURE-----",
		     "\n\n-----BEGIN PGP SIGNATURE-----", &olen);
	if (!one || genuine(PGP_REQ_CLEARTEXT, one, olen, &ans, &alen) < 0) {
		CHECK(0, "no genuine CLEARTEXT answer");
	} else {
		r = pgp_recheck_cleartext(one, olen, ans, alen, &ct, err, sizeof(err));
		CHECK(r == 0 && ct.n_lines == 0, "re-check: %d (%s)", r, err);
		if (r == 0)
			pgp_cleartext_free(&ct);
		r = verify_msg(one, olen, NULL, &good, err, sizeof(err));
		CHECK(r == 0 && good == 1, "no text line: %d, %zu good (%s)", r, good, err);
	}
	free(ans);
	free(one);
	free(in);
}

static int garbage_call(struct dg_pgp *pgp, void *ctx, uint16_t type, const uint8_t *req,
			size_t len, uint8_t **ans, size_t *alen)
{
	(void)pgp;
	(void)ctx;
	(void)type;
	(void)req;
	(void)len;
	*alen = 4096;
	*ans = malloc(*alen);
	memset(*ans, 0xa5, *alen);
	return 0;
}

TEST(test_liar_garbage_answer_is_rejected)
{
	struct dg_pgp *pgp = NULL;
	int r;

	NEED_GPG();
	dg_pgp_new(&pgp);
	pgp->call = garbage_call;
	r = dg_pgp_keyring_add_file(pgp, path_of("ed.pub"));
	CHECK(r == -EBADMSG, "returned %d: %s", r, dg_pgp_last_error(pgp));
	CHECK(strstr(dg_pgp_last_error(pgp), "ed.pub") && strstr(dg_pgp_last_error(pgp), "magic"),
	      "message names the input and the reason: %s", dg_pgp_last_error(pgp));
	dg_pgp_free(pgp);
}

/* DG_WRITE_FUZZ_SEEDS=DIR: write genuine (input, answer) pairs as seeds for
 * fuzz/core_pgp_recheck_fuzz.c (u8 request, le32 input length, input, answer). */
static void write_seeds(const char *out)
{
	static const struct { const char *file; uint16_t type; uint8_t sel; } s[] = {
		{ "ed.bin.sig", PGP_REQ_PARSE, 0 }, { "ed.pub", PGP_REQ_PARSE, 0 },
		{ "rv.hard.pub", PGP_REQ_PARSE, 0 }, { "sub.pub", PGP_REQ_PARSE, 0 },
		{ "ed.inline.gpg", PGP_REQ_PARSE, 0 }, { "rsa.bin.sig", PGP_REQ_PARSE, 0 },
		{ "p256.pub", PGP_REQ_PARSE, 0 }, { "ring.gpg", PGP_REQ_PARSE, 0 },
		{ "ed.asc.sig", PGP_REQ_DEARMOR, 1 }, { "ring.asc", PGP_REQ_DEARMOR, 1 },
		{ "ed.clear.asc", PGP_REQ_CLEARTEXT, 2 },
	};
	size_t i;

	/* Three more, whose genuine answers carry malformed records: ed.bin.sig
	 * with its unhashed area longer than the packet, ed.plain.gpg with its
	 * one-pass signature of version 5, ed.pub with a malformed subkey. */
	for (i = 0; i < sizeof(s) / sizeof(s[0]) + 3; i++) {
		bool malformed = i >= sizeof(s) / sizeof(s[0]);
		bool ops = i == sizeof(s) / sizeof(s[0]) + 1;
		bool key = i == sizeof(s) / sizeof(s[0]) + 2;
		const char *file = key ? "ed.pub" : ops ? "ed.plain.gpg" :
				   malformed ? "ed.bin.sig" : s[i].file;
		uint8_t *in = NULL, *ans = NULL, hdr[5];
		size_t len = 0, alen = 0;
		char fn[PATH_MAX];
		FILE *f;

		if (tap_read_file(path_of(file), &in, &len) < 0) {
			free(in);
			continue;
		}
		if (key) {
			uint8_t *more = realloc(in, len + sizeof(malformed_subkey));

			if (!more) {
				free(in);
				continue;
			}
			in = more;
			memcpy(in + len, malformed_subkey, sizeof(malformed_subkey));
			len += sizeof(malformed_subkey);
		} else if (malformed && len > 8) {
			/* new or old format header: the body starts after it */
			size_t b = in[0] & 0x40 ? (in[1] < 192 ? 2 : in[1] < 224 ? 3 : 6) :
				   (size_t)1 << (in[0] & 3);
			size_t uo = (in[0] & 0x40 ? b : b + 1) + 6;

			if (ops) {
				in[uo - 6] = 5;	/* the one-pass signature's version */
			} else if (uo + 2 < len) {
				uo += (size_t)in[uo - 2] << 8 | in[uo - 1];
				in[uo] = 0xff;
				in[uo + 1] = 0xf0;
			}
		}
		if (genuine(malformed ? PGP_REQ_PARSE : s[i].type, in, len, &ans, &alen) < 0) {
			free(in);
			continue;
		}
		hdr[0] = malformed ? 0 : s[i].sel;
		wr32(hdr + 1, (uint32_t)len);
		snprintf(fn, sizeof(fn), "%s/seed-%s%s", out, malformed ? "malformed-" : "", file);
		f = fopen(fn, "wb");
		if (f) {
			fwrite(hdr, 1, 5, f);
			fwrite(in, 1, len, f);
			fwrite(ans, 1, alen, f);
			fclose(f);
		}
		free(in);
		free(ans);
	}
}

int main(void)
{
	char cmd[2 * PATH_MAX];

	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	snprintf(cmd, sizeof(cmd),
		 "timeout 120 sh '%s/tests/data/pgp-core/gen-verify.sh' '%s'",
		 DG_SRCDIR, dir);
	fixture_gen_run(&gen, "gen-verify.sh", cmd, path_of("gen.stderr"), path_of("ok"));
	if (gen.status == FIXTURE_GEN_OK) {
		/* An empty text clearsigned with the ed key gen-verify.sh made
		 * (its agent stopped again afterwards). */
		snprintf(cmd, sizeof(cmd),
			 "cd '%s' && : >empty.txt && export GNUPGHOME='%s/gnupg' && "
			 "timeout 60 gpg --batch --quiet --no-tty -u ed@example.org --clearsign "
			 "-o empty.clear.asc empty.txt; r=$?; "
			 "gpgconf --kill gpg-agent 2>/dev/null; exit $r", dir, dir);
		fixture_gen_run(&gen_empty, "gpg --clearsign of an empty text", cmd,
				path_of("empty.stderr"), path_of("empty.clear.asc"));
	} else {
		gen_empty = gen;
	}
	if (dg_pgp_new(&honest) < 0)
		return 1;
	if (getenv("DG_WRITE_FUZZ_SEEDS") && gen.status == FIXTURE_GEN_OK)
		write_seeds(getenv("DG_WRITE_FUZZ_SEEDS"));

	RUN(test_fixture_generator_succeeds);
	RUN(test_empty_text_clearsigned);
	RUN(test_liar_signed_region_span_shorter_than_packet);
	RUN(test_liar_signed_region_span_outside_input);
	RUN(test_liar_subpacket_start_not_tiling);
	RUN(test_liar_subpackets_reordered);
	RUN(test_liar_subpacket_type_forged);
	RUN(test_liar_unhashed_subpacket_claimed_hashed);
	RUN(test_liar_issuer_span_forged);
	RUN(test_liar_creation_time_forged);
	RUN(test_liar_signature_mpi_span_forged);
	RUN(test_liar_v6_non_canonical_mpi_let_through);
	RUN(test_liar_key_body_span_forged_fingerprint_input);
	RUN(test_liar_key_material_field_shifted);
	RUN(test_liar_key_creation_time_forged);
	RUN(test_liar_packet_tag_forged);
	RUN(test_liar_packet_body_span_forged);
	RUN(test_liar_short_first_partial_chunk_let_through);
	RUN(test_liar_revocation_signature_hidden);
	RUN(test_liar_revocation_claimed_malformed);
	RUN(test_liar_subkey_claimed_malformed);
	RUN(test_malformed_subkey_is_skipped_and_confirmed);
	RUN(test_malformed_primary_key_fails_the_input);
	RUN(test_liar_one_pass_signature_claimed_malformed);
	RUN(test_liar_answer_about_other_input_length);
	RUN(test_liar_record_count_overstated);
	RUN(test_liar_armor_decoded_bytes_differ);
	RUN(test_liar_armor_body_line_skipped);
	RUN(test_liar_armor_crc_claim_forged);
	RUN(test_liar_armor_first_block_of_keyring_dropped);
	RUN(test_liar_armor_middle_block_of_keyring_dropped);
	RUN(test_liar_armor_last_block_of_keyring_dropped);
	RUN(test_liar_cleartext_hashed_text_truncated);
	RUN(test_liar_cleartext_line_dropped);
	RUN(test_liar_cleartext_signature_block_moved);
	RUN(test_liar_cleartext_leading_empty_line_dropped);
	RUN(test_liar_cleartext_begin_span_swallows_empty_line);
	RUN(test_liar_cleartext_empty_line_claimed_as_framing);
	RUN(test_liar_cleartext_hash_values_dropped);
	RUN(test_empty_key_flags_subpacket_means_no_capabilities);
	RUN(test_liar_through_api_forged_signature_region_is_rejected);
	RUN(test_liar_through_api_keyring_with_hidden_revocation_is_rejected);
	RUN(test_liar_through_api_keyring_with_revocation_claimed_malformed_is_rejected);
	RUN(test_armor_keyring_honest_handler_loads_every_block);
	RUN(test_liar_through_api_keyring_with_dropped_armor_block_is_rejected);
	RUN(test_liar_through_api_lone_revocation_reparse_refused_is_not_dropped);
	RUN(test_liar_through_api_cleartext_leading_empty_line_dropped_does_not_verify);
	RUN(test_liar_through_api_cleartext_hash_values_dropped_does_not_verify);
	RUN(test_cleartext_several_hash_headers_still_verify);
	RUN(test_cleartext_empty_text_with_control_char_header_is_rejected);
	RUN(test_cleartext_empty_text_still_verifies);
	RUN(test_liar_garbage_answer_is_rejected);
	dg_pgp_free(honest);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}

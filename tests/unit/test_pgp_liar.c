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

#ifndef DG_SRCDIR
#define DG_SRCDIR "."
#endif

static char dir[] = "/tmp/dg-pgp-liar.XXXXXX";
static int have_gpg;
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

/* PARSE @file, forge the answer, re-check; expect rejection naming @words. */
static void parse_liar(const char *file, forge_fn forge, const char *words)
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
	forge(ans, alen);
	why[0] = '\0';
	r = pgp_recheck_parse(in, len, ans, alen, &pk, why, sizeof(why));
	CHECK(r == -EBADMSG || r == -E2BIG, "forged answer returned %d (%s)", r, why);
	CHECK(strstr(why, words) != NULL, "message '%s' lacks '%s'", why, words);
	if (r == 0)
		pgp_packets_free(&pk);
	free(in);
	free(ans);
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

static void forge_hide_revocation(uint8_t *a, size_t l)
{
	size_t off = PGP_ANS_HDR_LEN;
	uint8_t *last = NULL;

	/* The last SIG record (the appended revocation) becomes a record
	 * type the core does not know and would skip. */
	while (off + PGP_REC_HDR_LEN <= l) {
		if ((a[off] | a[off + 1] << 8) == PGP_REC_SIG)
			last = a + off;
		off += PGP_REC_HDR_LEN + rd32(a + off + 4);
	}
	if (last) {
		last[0] = 0x77;
		last[1] = 0x77;
	}
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

#define NEED_GPG() do { if (!have_gpg) SKIP("gpg fixtures not generated (is gpg installed?)"); } while (0)

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

TEST(test_liar_revocation_signature_hidden)
{
	NEED_GPG();
	parse_liar("rv.hard.pub", forge_hide_revocation, "lacks its SIG record");
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

static void armor_liar(void (*forge)(uint8_t *, size_t), const char *words)
{
	struct pgp_armor arm;
	uint8_t *in = NULL, *ans = NULL;
	size_t len = 0, alen = 0;
	char why[384] = "";
	int r;

	if (tap_read_file(path_of("ed.asc.sig"), &in, &len) < 0 || genuine(PGP_REQ_DEARMOR, in, len, &ans, &alen) < 0) {
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

static void ct_liar(void (*forge)(uint8_t *, size_t), const char *words)
{
	struct pgp_cleartext ct;
	uint8_t *in = NULL, *ans = NULL;
	size_t len = 0, alen = 0;
	char why[384] = "";
	int r;

	if (tap_read_file(path_of("ed.clear.asc"), &in, &len) < 0 ||
	    genuine(PGP_REQ_CLEARTEXT, in, len, &ans, &alen) < 0) {
		CHECK(0, "no genuine CLEARTEXT answer");
		free(in);
		return;
	}
	r = pgp_recheck_cleartext(in, len, ans, alen, &ct, why, sizeof(why));
	CHECK(r == 0, "genuine answer passes: %s", why);
	if (r == 0)
		pgp_cleartext_free(&ct);
	forge(ans, alen);
	why[0] = '\0';
	r = pgp_recheck_cleartext(in, len, ans, alen, &ct, why, sizeof(why));
	CHECK(r == -EBADMSG, "forged answer returned %d (%s)", r, why);
	CHECK(strstr(why, words) != NULL, "message '%s' lacks '%s'", why, words);
	if (r == 0)
		pgp_cleartext_free(&ct);
	free(in);
	free(ans);
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

/* ---- through the public API with a lying transport ---- */

struct lie {
	uint16_t type;		/* request type to forge */
	forge_fn forge;
	int calls;
};

static int lying_call(struct dg_pgp *pgp, void *ctx, uint16_t type, const uint8_t *req,
		      size_t len, uint8_t **ans, size_t *alen)
{
	struct lie *l = ctx;
	int r = pgp_umd_call(pgp, NULL, type, req, len, ans, alen);

	if (r == 0 && type == l->type && l->forge) {
		l->forge(*ans, *alen);
		l->calls++;
	}
	return r;
}

TEST(test_liar_through_api_forged_signature_region_is_rejected)
{
	struct lie lie = { PGP_REQ_PARSE, forge_signed_region_short, 0 };
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

TEST(test_liar_through_api_keyring_with_hidden_revocation_is_rejected)
{
	struct lie lie = { PGP_REQ_PARSE, forge_hide_revocation, 0 };
	struct dg_pgp *pgp = NULL;
	int r;

	NEED_GPG();
	dg_pgp_new(&pgp);
	pgp->call = lying_call;
	pgp->call_ctx = &lie;
	r = dg_pgp_keyring_add_file(pgp, path_of("rv.hard.pub"));
	CHECK(r == -EBADMSG, "returned %d: %s", r, dg_pgp_last_error(pgp));
	CHECK(dg_pgp_keyring_count(pgp) == 0, "no certificate added");
	dg_pgp_free(pgp);
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

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		uint8_t *in = NULL, *ans = NULL, hdr[5];
		size_t len = 0, alen = 0;
		char fn[PATH_MAX];
		FILE *f;

		if (tap_read_file(path_of(s[i].file), &in, &len) < 0 || genuine(s[i].type, in, len, &ans, &alen) < 0) {
			free(in);
			continue;
		}
		hdr[0] = s[i].sel;
		wr32(hdr + 1, (uint32_t)len);
		snprintf(fn, sizeof(fn), "%s/seed-%s", out, s[i].file);
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
		 "timeout 120 sh '%s/tests/data/pgp-core/gen-verify.sh' '%s' >/dev/null 2>&1",
		 DG_SRCDIR, dir);
	have_gpg = system(cmd) == 0 && access(path_of("ok"), F_OK) == 0;
	if (!have_gpg)
		printf("# fixture generation failed; cases skip\n");
	if (dg_pgp_new(&honest) < 0)
		return 1;
	if (getenv("DG_WRITE_FUZZ_SEEDS") && have_gpg)
		write_seeds(getenv("DG_WRITE_FUZZ_SEEDS"));

	RUN(test_liar_signed_region_span_shorter_than_packet);
	RUN(test_liar_signed_region_span_outside_input);
	RUN(test_liar_subpacket_start_not_tiling);
	RUN(test_liar_subpackets_reordered);
	RUN(test_liar_subpacket_type_forged);
	RUN(test_liar_unhashed_subpacket_claimed_hashed);
	RUN(test_liar_issuer_span_forged);
	RUN(test_liar_creation_time_forged);
	RUN(test_liar_signature_mpi_span_forged);
	RUN(test_liar_key_body_span_forged_fingerprint_input);
	RUN(test_liar_key_material_field_shifted);
	RUN(test_liar_key_creation_time_forged);
	RUN(test_liar_packet_tag_forged);
	RUN(test_liar_packet_body_span_forged);
	RUN(test_liar_revocation_signature_hidden);
	RUN(test_liar_answer_about_other_input_length);
	RUN(test_liar_record_count_overstated);
	RUN(test_liar_armor_decoded_bytes_differ);
	RUN(test_liar_armor_body_line_skipped);
	RUN(test_liar_armor_crc_claim_forged);
	RUN(test_liar_cleartext_hashed_text_truncated);
	RUN(test_liar_cleartext_line_dropped);
	RUN(test_liar_cleartext_signature_block_moved);
	RUN(test_liar_through_api_forged_signature_region_is_rejected);
	RUN(test_liar_through_api_keyring_with_hidden_revocation_is_rejected);
	RUN(test_liar_garbage_answer_is_rejected);
	dg_pgp_free(honest);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}

// SPDX-License-Identifier: MIT
/*
 * The trusted OpenPGP core in-process, with the real embedded pgp handler:
 * inputs made at test time by gpg (tests/data/pgp-core/gen-verify.sh), and
 * the RFC 9580 / rpgp samples by path.  Expected fingerprints come from gpg
 * itself (--with-colons), never typed in.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <digestguard/pgp.h>
#include <digestguard/umd.h>

#include "blobs.h"
#include "tap.h"
#include "fixture_gen.h"

#ifndef DG_SRCDIR
#define DG_SRCDIR "."
#endif

static char dir[] = "/tmp/dg-pgp-verify.XXXXXX";
static struct fixture_gen gen;	/* gen-verify.sh */
static char corpus[PATH_MAX];

static char *path_of(const char *name)
{
	return tap_path(dir, name);
}

/* Line @line (0 = primary) of NAME.fprs, as gpg printed it. */
static void gpg_fpr(const char *name, int line, char out[2 * DG_PGP_FPR_MAX + 1])
{
	char fn[64], buf[128];
	FILE *f;
	int i = 0;

	out[0] = '\0';
	snprintf(fn, sizeof(fn), "%s.fprs", name);
	f = fopen(path_of(fn), "r");
	if (!f)
		return;
	while (fgets(buf, sizeof(buf), f)) {
		if (i++ == line) {
			buf[strcspn(buf, "\n")] = '\0';
			snprintf(out, 2 * DG_PGP_FPR_MAX + 1, "%s", buf);
			break;
		}
	}
	fclose(f);
}

/* A context with the certificates of the files in @rings (NULL-ended). */
static struct dg_pgp *ctx_with(const char *const *rings)
{
	struct dg_pgp *pgp = NULL;

	if (dg_pgp_new(&pgp) < 0)
		return NULL;
	for (; *rings; rings++)
		if (dg_pgp_keyring_add_file(pgp, (*rings)[0] == '/' ? *rings : path_of(*rings)) < 0)
			printf("# keyring %s: %s\n", *rings, dg_pgp_last_error(pgp));
	return pgp;
}

/* Verify fixture signature @sig over fixture @data with @pgp's keyring. */
static int verify_ctx(struct dg_pgp *pgp, const char *sig, const char *data,
		      struct dg_pgp_result *res)
{
	uint8_t *s = NULL, *d = NULL;
	size_t sl = 0, dl = 0;
	int r = -EIO;

	if (tap_read_file(path_of(sig), &s, &sl) == 0 && tap_read_file(path_of(data), &d, &dl) == 0)
		r = dg_pgp_verify_detached(pgp, s, sl, d, dl, res);
	if (r < 0)
		printf("# %s over %s: %s\n", sig, data, dg_pgp_last_error(pgp));
	free(s);
	free(d);
	return r;
}

/* The same, the result thrown away. */
static int verify_with(struct dg_pgp *pgp, const char *sig, const char *data)
{
	struct dg_pgp_result res = { 0 };
	int r = verify_ctx(pgp, sig, data, &res);

	dg_pgp_result_free(&res);
	return r;
}

/* The same with the keyring files @rings (NULL-ended) and policy @pol. */
static int verify_rings(const char *const *rings, const char *sig, const char *data,
			struct dg_pgp_result *res, struct dg_pgp_policy *pol)
{
	struct dg_pgp *pgp = ctx_with(rings);
	int r;

	if (!pgp)
		return -EIO;
	if (pol) {
		struct dg_pgp_policy p;

		dg_pgp_get_policy(pgp, &p);
		p.allow_sha1 = pol->allow_sha1;
		p.rsa_min_bits = pol->rsa_min_bits ? pol->rsa_min_bits : p.rsa_min_bits;
		p.not_after = pol->not_after ? pol->not_after : p.not_after;
		dg_pgp_set_policy(pgp, &p);
	}
	r = verify_ctx(pgp, sig, data, res);
	dg_pgp_free(pgp);
	return r;
}

/* The same with one keyring file. */
static int verify(const char *ring, const char *sig, const char *data,
		  struct dg_pgp_result *res, struct dg_pgp_policy *pol)
{
	const char *rings[] = { ring, NULL };

	return verify_rings(rings, sig, data, res, pol);
}

static int good_by(const struct dg_pgp_result *res, const char *key, int signer_line)
{
	char want_s[2 * DG_PGP_FPR_MAX + 1], want_p[2 * DG_PGP_FPR_MAX + 1];
	char got_s[2 * DG_PGP_FPR_MAX + 1], got_p[2 * DG_PGP_FPR_MAX + 1];

	if (res->n_good < 1)
		return 0;
	gpg_fpr(key, signer_line, want_s);
	gpg_fpr(key, 0, want_p);
	dg_pgp_fpr_hex(res->sigs[0].signer_fpr, res->sigs[0].fpr_len, got_s);
	dg_pgp_fpr_hex(res->sigs[0].primary_fpr, res->sigs[0].primary_fpr_len, got_p);
	if (strcmp(want_s, got_s) || strcmp(want_p, got_p)) {
		printf("# signer %s primary %s, gpg says %s %s\n", got_s, got_p, want_s, want_p);
		return 0;
	}
	return 1;
}

#define NEED_GPG() FIXTURE_NEED(&gen)

TEST(test_fixture_generator_succeeds)
{
	FIXTURE_GEN_CASE(&gen);
}

TEST(test_ed25519_binary_signature_verifies_with_gpg_fingerprint)
{
	struct dg_pgp_result res = { 0 };

	NEED_GPG();
	CHECK(verify("ed.pub", "ed.bin.sig", "data.txt", &res, NULL) == 0, "verified");
	CHECK(good_by(&res, "ed", 0), "fingerprints equal gpg's");
	CHECK(res.n_sigs == 1 && res.sigs[0].mode == DG_PGP_MODE_BINARY &&
	      res.sigs[0].created == 1700000100, "mode binary, created at the faked time");
	dg_pgp_result_free(&res);
}

TEST(test_text_mode_signature_verifies_over_lf_and_crlf_data)
{
	struct dg_pgp_result res = { 0 };

	NEED_GPG();
	CHECK(verify("ed.pub", "ed.txt.sig", "data.txt", &res, NULL) == 0, "LF data");
	CHECK(res.n_good == 1 && res.sigs[0].mode == DG_PGP_MODE_TEXT, "mode text");
	dg_pgp_result_free(&res);
	CHECK(verify("ed.pub", "ed.txt.sig", "data.crlf", &res, NULL) == 0,
	      "CRLF data hashes the same canonical text");
	dg_pgp_result_free(&res);
	CHECK(verify("ed.pub", "ed.bin.sig", "data.crlf", &res, NULL) == -EKEYREJECTED,
	      "a binary signature does not canonicalize");
	dg_pgp_result_free(&res);
}

TEST(test_armored_detached_signature_verifies)
{
	struct dg_pgp_result res = { 0 };

	NEED_GPG();
	CHECK(verify("ed.pub", "ed.asc.sig", "data.txt", &res, NULL) == 0, "verified");
	CHECK(good_by(&res, "ed", 0), "fingerprints");
	dg_pgp_result_free(&res);
}

TEST(test_rsa2048_signature_verifies)
{
	struct dg_pgp_result res = { 0 };

	NEED_GPG();
	CHECK(verify("rsa.pub", "rsa.bin.sig", "data.txt", &res, NULL) == 0, "verified");
	CHECK(good_by(&res, "rsa", 0), "fingerprints");
	dg_pgp_result_free(&res);
}

TEST(test_ecdsa_p256_signature_verifies)
{
	struct dg_pgp_result res = { 0 };

	NEED_GPG();
	CHECK(verify("p256.pub", "p256.bin.sig", "data.txt", &res, NULL) == 0, "verified");
	CHECK(good_by(&res, "p256", 0), "fingerprints");
	dg_pgp_result_free(&res);
}

TEST(test_signing_subkey_reports_subkey_and_primary_fingerprints)
{
	struct dg_pgp_result res = { 0 };

	NEED_GPG();
	CHECK(verify("sub.pub", "sub.bin.sig", "data.txt", &res, NULL) == 0, "verified");
	CHECK(good_by(&res, "sub", 1), "signer is the subkey, primary the certificate");
	CHECK(memcmp(res.sigs[0].signer_fpr, res.sigs[0].primary_fpr, 20) != 0, "they differ");
	dg_pgp_result_free(&res);
}

TEST(test_tampered_data_rejected)
{
	struct dg_pgp_result res = { 0 };
	const char *rings[] = { "ed.pub", NULL };
	struct dg_pgp *pgp;
	uint8_t *s, *d;
	size_t sl, dl;

	NEED_GPG();
	pgp = ctx_with(rings);
	tap_read_file(path_of("ed.bin.sig"), &s, &sl);
	tap_read_file(path_of("data.txt"), &d, &dl);
	d[0] ^= 1;
	CHECK(dg_pgp_verify_detached(pgp, s, sl, d, dl, &res) == -EKEYREJECTED, "rejected");
	CHECK(res.n_sigs == 1 && res.sigs[0].status == -EKEYREJECTED && !res.n_good, "status");
	dg_pgp_result_free(&res);
	dg_pgp_free(pgp);
	free(s);
	free(d);
}

/*
 * A hashed Signature Creation Time (05 02 + 4 bytes) rewritten in place as a
 * 2-byte Signature Expiration Time (03 03 + 2 bytes) and an empty private
 * subpacket (01 65): the framing stays valid, the signature is malformed.
 * The parser reports it as it is; the core must call the signature bad,
 * not the parser a liar.
 */
TEST(test_wrong_size_time_subpacket_makes_the_signature_bad)
{
	static const uint8_t bad[6] = { 0x03, 0x03, 0x00, 0x00, 0x01, 0x65 };
	struct dg_pgp_result res = { 0 };
	const char *rings[] = { "ed.pub", NULL };
	struct dg_pgp *pgp;
	uint8_t *s, *d, *h;
	size_t sl, dl, i, hl;
	int done = 0;

	NEED_GPG();
	pgp = ctx_with(rings);
	tap_read_file(path_of("ed.bin.sig"), &s, &sl);
	tap_read_file(path_of("data.txt"), &d, &dl);
	/* Old-format tag 2, 1-byte length: version, type, algos, hashed length. */
	CHECK(sl > 8 && s[0] == 0x88 && s[2] == 4, "gpg wrote an old-format v4 signature");
	h = s + 8;
	hl = (size_t)s[6] << 8 | s[7];
	for (i = 0; i + 6 <= hl && 8 + hl <= sl; i += (size_t)h[i] + 1)
		if (h[i] == 5 && h[i + 1] == 2) {
			memcpy(h + i, bad, sizeof(bad));
			done = 1;
			break;
		}
	CHECK(done, "found the creation time subpacket");
	CHECK(dg_pgp_verify_detached(pgp, s, sl, d, dl, &res) < 0, "not verified");
	CHECK(!strstr(dg_pgp_last_error(pgp), "handler answer rejected"),
	      "the core does not call the parser a liar");
	CHECK(res.n_sigs == 1 &&
	      strstr(res.sigs[0].reason, "hashed subpacket type 3 has the wrong size"),
	      "the signature's reason names the malformed subpacket");
	printf("# %s\n", dg_pgp_last_error(pgp));
	dg_pgp_result_free(&res);
	dg_pgp_free(pgp);
	free(s);
	free(d);
}

TEST(test_signature_by_unknown_key_gives_enokey)
{
	struct dg_pgp_result res = { 0 };

	NEED_GPG();
	CHECK(verify("rsa.pub", "ed.bin.sig", "data.txt", &res, NULL) == -ENOKEY, "no key");
	CHECK(res.n_sigs == 1 && res.sigs[0].issuer_len == 20, "issuer fingerprint reported");
	dg_pgp_result_free(&res);
}

TEST(test_sha1_data_signature_rejected_by_default_allowed_by_policy)
{
	struct dg_pgp_result res = { 0 };
	struct dg_pgp_policy pol = { .allow_sha1 = 1 };

	NEED_GPG();
	CHECK(verify("rsa.pub", "rsa.sha1.sig", "data.txt", &res, NULL) == -EKEYREJECTED,
	      "rejected by default");
	CHECK(res.n_sigs == 1 && strstr(res.sigs[0].reason, "SHA1"), "reason names SHA1: %s",
	      res.n_sigs ? res.sigs[0].reason : "");
	dg_pgp_result_free(&res);
	CHECK(verify("rsa.pub", "rsa.sha1.sig", "data.txt", &res, &pol) == 0, "allowed");
	dg_pgp_result_free(&res);
}

TEST(test_rsa1024_key_rejected_by_default_policy)
{
	struct dg_pgp_result res = { 0 };
	struct dg_pgp_policy pol = { .rsa_min_bits = 1024 };

	NEED_GPG();
	CHECK(verify("rsa1k.pub", "rsa1k.bin.sig", "data.txt", &res, NULL) == -EKEYREJECTED,
	      "rejected");
	CHECK(res.n_sigs && strstr(res.sigs[0].reason, "RSA-1024"), "reason: %s",
	      res.n_sigs ? res.sigs[0].reason : "");
	dg_pgp_result_free(&res);
	CHECK(verify("rsa1k.pub", "rsa1k.bin.sig", "data.txt", &res, &pol) == 0,
	      "accepted with a 1024-bit policy");
	dg_pgp_result_free(&res);
}

TEST(test_expired_signature_rejected)
{
	struct dg_pgp_result res = { 0 };

	NEED_GPG();
	CHECK(verify("ed.pub", "ed.sigexp.sig", "data.txt", &res, NULL) == -EKEYREJECTED,
	      "a signature that expired a day after 2023-11-14");
	dg_pgp_result_free(&res);
}

TEST(test_signature_older_than_key_rejected)
{
	struct dg_pgp_result res = { 0 };

	NEED_GPG();
	CHECK(verify("ed.pub", "ed.early.sig", "data.txt", &res, NULL) == -EKEYREJECTED,
	      "no binding existed when it was made");
	dg_pgp_result_free(&res);
}

TEST(test_not_after_policy_rejects_newer_signature)
{
	struct dg_pgp_result res = { 0 };
	struct dg_pgp_policy pol = { .not_after = 1700000050 };

	NEED_GPG();
	CHECK(verify("ed.pub", "ed.bin.sig", "data.txt", &res, &pol) == -EKEYREJECTED,
	      "made at +100 s, limit +50 s");
	dg_pgp_result_free(&res);
}

TEST(test_policy_description_says_the_creation_time_bounds_in_words)
{
	struct dg_pgp_policy pol = { .rsa_min_bits = 2048, .not_before = INT64_MIN,
				     .not_after = INT64_MAX };
	char d[512];

	dg_pgp_policy_describe(&pol, d, sizeof(d));
	CHECK(strstr(d, "; no limit on signature creation times") && !strchr(d, '['), "%s", d);
	pol.not_before = 1700000000;
	dg_pgp_policy_describe(&pol, d, sizeof(d));
	CHECK(strstr(d, "; signatures created at or after 2023-11-14T22:13:20Z"), "%s", d);
	pol.not_after = 1700000050;
	dg_pgp_policy_describe(&pol, d, sizeof(d));
	CHECK(strstr(d, "; signatures created from 2023-11-14T22:13:20Z to 2023-11-14T22:14:10Z"),
	      "%s", d);
	pol.not_before = INT64_MIN;
	dg_pgp_policy_describe(&pol, d, sizeof(d));
	CHECK(strstr(d, "; signatures created at or before 2023-11-14T22:14:10Z"), "%s", d);
}

TEST(test_soft_revocation_keeps_earlier_signature_valid)
{
	struct dg_pgp_result res = { 0 };

	NEED_GPG();
	CHECK(verify("rv.soft.pub", "rv.before.sig", "data.txt", &res, NULL) == 0,
	      "signed before 'superseded'");
	dg_pgp_result_free(&res);
}

TEST(test_soft_revocation_rejects_later_signature)
{
	struct dg_pgp_result res = { 0 };

	NEED_GPG();
	CHECK(verify("rv.soft.pub", "rv.after.sig", "data.txt", &res, NULL) == -EKEYREJECTED,
	      "signed after 'superseded'");
	CHECK(res.n_sigs && strstr(res.sigs[0].reason, "soft"), "reason: %s",
	      res.n_sigs ? res.sigs[0].reason : "");
	dg_pgp_result_free(&res);
}

TEST(test_hard_revocation_rejects_every_signature)
{
	struct dg_pgp_result res = { 0 };

	NEED_GPG();
	CHECK(verify("rv.hard.pub", "rv.before.sig", "data.txt", &res, NULL) == -EKEYREJECTED,
	      "signed before 'compromised'");
	dg_pgp_result_free(&res);
	CHECK(verify("rv.hard.pub", "rv.after.sig", "data.txt", &res, NULL) == -EKEYREJECTED,
	      "signed after 'compromised'");
	CHECK(res.n_sigs && strstr(res.sigs[0].reason, "hard"), "reason: %s",
	      res.n_sigs ? res.sigs[0].reason : "");
	dg_pgp_result_free(&res);
}

/* @rings holds rv's certificate and its hard revocation in some layout. */
static void check_revoked_by(const char *const *rings, const char *layout)
{
	struct dg_pgp_result res = { 0 };

	CHECK(verify_rings(rings, "rv.before.sig", "data.txt", &res, NULL) == -EKEYREJECTED,
	      "hard revocation %s", layout);
	CHECK(res.n_sigs && strstr(res.sigs[0].reason, "hard"), "%s: reason: %s", layout,
	      res.n_sigs ? res.sigs[0].reason : "");
	dg_pgp_result_free(&res);
}

TEST(test_revocation_in_its_own_armor_block_counts)
{
	const char *rings[] = { "rv.hard.blocks.asc", NULL };

	NEED_GPG();
	check_revoked_by(rings, "in a second armor block of the keyring file");
}

TEST(test_revocation_in_a_separate_file_counts_in_either_order)
{
	const char *after[] = { "rv.pub", "rv.hard.rev", NULL };
	const char *before[] = { "rv.hard.rev", "rv.pub", NULL };
	const char *armored[] = { "rv.hard.rev.asc", "rv.pub.asc", NULL };

	NEED_GPG();
	check_revoked_by(after, "in a file after the certificate's");
	check_revoked_by(before, "in a file before the certificate's");
	check_revoked_by(armored, "armored, in a file before the certificate's");
}

TEST(test_old_copy_of_a_certificate_does_not_hide_its_revocation)
{
	const char *one_file[] = { "rv.dup.gpg", NULL };
	const char *two_files[] = { "rv.hard.pub", "rv.pub", NULL };
	struct dg_pgp_result res = { 0 };
	const char *rings[] = { "rv.pub", "rv.pub.asc", NULL };
	struct dg_pgp *pgp;

	NEED_GPG();
	check_revoked_by(one_file, "with an old copy first in the same file");
	check_revoked_by(two_files, "with an old copy in a later file");
	/* Two copies are one certificate, and an unrevoked one still works. */
	pgp = ctx_with(rings);
	CHECK(pgp && dg_pgp_keyring_count(pgp) == 1, "two copies make %zu certificates",
	      pgp ? dg_pgp_keyring_count(pgp) : 0);
	dg_pgp_free(pgp);
	CHECK(verify_rings(rings, "rv.before.sig", "data.txt", &res, NULL) == 0 &&
	      good_by(&res, "rv", 0), "unrevoked copies verify");
	dg_pgp_result_free(&res);
}

/* Header and body length of the OpenPGP packet at @p (old or new format);
 * 0 when it does not fit in @n. */
static size_t pkt_at(const uint8_t *p, size_t n, size_t *hlen)
{
	size_t bl;

	if (n < 2 || !(p[0] & 0x80))
		return 0;
	if (p[0] & 0x40) {	/* new format, one- or two-octet lengths only */
		if (p[1] < 192) {
			*hlen = 2, bl = p[1];
		} else if (p[1] < 224 && n >= 3) {
			*hlen = 3, bl = ((size_t)(p[1] - 192) << 8) + p[2] + 192;
		} else {
			return 0;
		}
	} else if ((p[0] & 3) == 0) {
		*hlen = 2, bl = p[1];
	} else if ((p[0] & 3) == 1 && n >= 3) {
		*hlen = 3, bl = (size_t)p[1] << 8 | p[2];
	} else {
		return 0;
	}
	return *hlen + bl <= n ? *hlen + bl : 0;
}

/* Load @len bytes as one keyring input into a fresh context. */
static struct dg_pgp *ctx_mem(const uint8_t *buf, size_t len, int *r)
{
	struct dg_pgp *pgp = NULL;

	if (dg_pgp_new(&pgp) < 0)
		return NULL;
	*r = dg_pgp_keyring_add_mem(pgp, "test keyring", buf, len);
	return pgp;
}

/*
 * Lone revocations wait for their certificate in a bounded list: the same
 * one given again takes no place, and when the list is full the load
 * fails instead of dropping one (a revocation dropped is a revoked key
 * that verifies).
 */
TEST(test_lone_revocations_are_deduplicated_and_never_dropped)
{
	uint8_t *rev = NULL, *pub = NULL, *buf;
	size_t rl = 0, pl = 0, i, hl;
	struct dg_pgp *pgp;
	int r = 0;

	NEED_GPG();
	if (tap_read_file(path_of("rv.hard.rev"), &rev, &rl) < 0 ||
	    tap_read_file(path_of("rv.pub"), &pub, &pl) < 0 || !pkt_at(rev, rl, &hl)) {
		CHECK(0, "fixtures");
		goto out;
	}
	/* 70 times the same revocation, then the certificate: still revoked. */
	buf = malloc(70 * rl + pl);
	for (i = 0; i < 70; i++)
		memcpy(buf + i * rl, rev, rl);
	memcpy(buf + 70 * rl, pub, pl);
	pgp = ctx_mem(buf, 70 * rl + pl, &r);
	CHECK(r > 0, "load: %d %s", r, dg_pgp_last_error(pgp));
	CHECK(verify_with(pgp, "rv.before.sig", "data.txt") == -EKEYREJECTED,
	      "the repeated revocation still revokes");
	dg_pgp_free(pgp);
	/* 65 different ones (the last byte of the signature changed): the 65th
	 * cannot wait, and the load says so. */
	for (i = 0; i < 65; i++) {
		memcpy(buf + i * rl, rev, rl);
		buf[i * rl + rl - 1] ^= (uint8_t)(i + 1);
	}
	pgp = ctx_mem(buf, 65 * rl, &r);
	CHECK(r == -E2BIG && strstr(dg_pgp_last_error(pgp), "wait for their certificate"),
	      "full list: %d %s", r, dg_pgp_last_error(pgp));
	dg_pgp_free(pgp);
	free(buf);
out:
	free(rev);
	free(pub);
}

/*
 * A lone primary key packet is no certificate, whatever comes with it: next
 * to a copy whose self-signature is broken it verifies nothing, next to a
 * good copy it verifies, in either order (copies are merged).
 */
TEST(test_lone_key_counts_only_with_a_valid_copy_in_either_order)
{
	uint8_t *pub = NULL, *buf = NULL;
	size_t pl = 0, off, hl, kl, n;
	struct dg_pgp *pgp;
	int r = 0, order, broken;

	NEED_GPG();
	if (tap_read_file(path_of("ed.pub"), &pub, &pl) < 0 || !(kl = pkt_at(pub, pl, &hl))) {
		CHECK(0, "fixture ed.pub");
		free(pub);
		return;
	}
	buf = malloc(kl + pl);
	for (broken = 0; buf && broken < 2; broken++)
		for (order = 0; order < 2; order++) {
			uint8_t *copy = buf + (order ? 0 : kl), *lone = buf + (order ? pl : 0);

			memcpy(lone, pub, kl);
			memcpy(copy, pub, pl);
			/* the broken copy: its signatures' last byte changed */
			for (off = 0; broken && off < pl && (n = pkt_at(pub + off, pl - off, &hl));
			     off += n)
				if (((pub[off] & 0x40) ? pub[off] & 0x3f : (pub[off] >> 2) & 0xf) == 2)
					copy[off + n - 1] ^= 0x55;
			pgp = ctx_mem(buf, kl + pl, &r);
			CHECK((verify_with(pgp, "ed.bin.sig", "data.txt") == 0) == !broken,
			      "%s copy %s: %s", broken ? "broken" : "good",
			      order ? "first" : "after the lone key", dg_pgp_last_error(pgp));
			dg_pgp_free(pgp);
		}
	free(buf);
	free(pub);
}

/* Bindings past the bound are dropped, not the load and not the subkey:
 * 1100 copies of a certificate with a signing subkey still verify. */
TEST(test_binding_overflow_keeps_the_certificate_usable)
{
	uint8_t *pub = NULL, *buf;
	size_t pl = 0, i;
	struct dg_pgp *pgp;
	int r = 0;

	NEED_GPG();
	if (tap_read_file(path_of("sub.pub"), &pub, &pl) < 0) {
		CHECK(0, "fixture sub.pub");
		return;
	}
	buf = malloc(1100 * pl);
	for (i = 0; i < 1100; i++)
		memcpy(buf + i * pl, pub, pl);
	pgp = ctx_mem(buf, 1100 * pl, &r);
	CHECK(r > 0 && dg_pgp_keyring_count(pgp) == 1, "load: %d, %zu certificates: %s", r,
	      dg_pgp_keyring_count(pgp), dg_pgp_last_error(pgp));
	CHECK(verify_with(pgp, "sub.bin.sig", "data.txt") == 0, "the subkey still signs");
	dg_pgp_free(pgp);
	free(buf);
	free(pub);
}

TEST(test_revoked_user_id_no_longer_decides_expiration)
{
	struct dg_pgp_result res = { 0 };

	NEED_GPG();
	CHECK(verify("ur.pub", "ur.late.sig", "data.txt", &res, NULL) == -EKEYREJECTED,
	      "the revoked primary user ID's old self-signature kept the key alive");
	CHECK(res.n_sigs && strstr(res.sigs[0].reason, "expired"), "reason: %s",
	      res.n_sigs ? res.sigs[0].reason : "");
	dg_pgp_result_free(&res);
	CHECK(verify("ur.pub", "ur.early.sig", "data.txt", &res, NULL) == 0 &&
	      good_by(&res, "ur", 0), "made before the expiration, by the remaining user ID");
	dg_pgp_result_free(&res);
}

TEST(test_keyrings_binary_and_armored_load_every_certificate)
{
	const char *bin[] = { "ring.gpg", NULL }, *asc[] = { "ring.asc", NULL };
	struct dg_pgp *a, *b;

	NEED_GPG();
	a = ctx_with(bin);
	b = ctx_with(asc);
	CHECK(a && dg_pgp_keyring_count(a) == 4, "binary: %zu", a ? dg_pgp_keyring_count(a) : 0);
	CHECK(b && dg_pgp_keyring_count(b) == 4, "armored: %zu", b ? dg_pgp_keyring_count(b) : 0);
	dg_pgp_free(a);
	dg_pgp_free(b);
}

TEST(test_two_signatures_one_good_one_unknown_key)
{
	struct dg_pgp_result res = { 0 };

	NEED_GPG();
	CHECK(verify("ed.pub", "two.sig", "data.txt", &res, NULL) == 0, "one good is enough");
	CHECK(res.n_sigs == 2 && res.n_good == 1 && res.sigs[1].status == -ENOKEY,
	      "n_sigs %zu n_good %zu", res.n_sigs, res.n_good);
	dg_pgp_result_free(&res);
}

/* A message fixture and the content it signs. */
struct signed_msg {
	uint8_t *m, *want;
	size_t ml, wl;
};

static void signed_msg_read(struct signed_msg *sm, const char *file, const char *want_body)
{
	memset(sm, 0, sizeof(*sm));
	tap_read_file(path_of(file), &sm->m, &sm->ml);
	tap_read_file(path_of(want_body), &sm->want, &sm->wl);
}

static void signed_msg_free(struct signed_msg *sm)
{
	free(sm->m);
	free(sm->want);
}

static void message_case(const char *file, const char *want_body)
{
	const char *rings[] = { "ed.pub", NULL };
	struct dg_pgp_result res = { 0 };
	struct dg_pgp *pgp = ctx_with(rings);
	struct signed_msg sm;
	uint8_t *body = NULL;
	size_t bl = 0;

	signed_msg_read(&sm, file, want_body);
	CHECK(dg_pgp_verify_message(pgp, sm.m, sm.ml, &res, &body, &bl) == 0, "%s: %s", file,
	      dg_pgp_last_error(pgp));
	CHECK(res.n_good == 1 && good_by(&res, "ed", 0), "signer");
	CHECK(body && bl == sm.wl && !memcmp(body, sm.want, sm.wl),
	      "body is the signed file (%zu bytes)", bl);
	free(body);
	signed_msg_free(&sm);
	dg_pgp_result_free(&res);
	dg_pgp_free(pgp);
}

TEST(test_inline_compressed_message_verifies_and_yields_body)
{
	NEED_GPG();
	message_case("ed.inline.gpg", "data.txt");
}

/*
 * The two-step API: a message parsed before any certificate is known
 * verifies once the key is added, as often as asked, with the same body;
 * the cleartext kind as well.
 */
static void parse_then_verify(const char *file, const char *want_body)
{
	struct dg_pgp_message *pm = NULL;
	struct dg_pgp_result res = { 0 };
	struct dg_pgp *pgp = NULL;
	struct signed_msg sm;
	int r, i;

	signed_msg_read(&sm, file, want_body);
	CHECK(dg_pgp_new(&pgp) == 0, "context");
	r = pgp ? dg_pgp_message_parse(pgp, sm.m, sm.ml, &pm) : -ENOMEM;
	CHECK(r == 0 && pm, "%s parsed with an empty keyring: %s", file,
	      pgp ? dg_pgp_last_error(pgp) : "no context");
	if (!pm)
		goto out;
	r = dg_pgp_message_verify(pgp, pm, &res, NULL, NULL);
	CHECK(r == -ENOKEY && res.n_sigs == 1 && res.n_good == 0,
	      "%s without its key: %d, %zu signatures", file, r, res.n_sigs);
	dg_pgp_result_free(&res);
	CHECK(dg_pgp_keyring_add_file(pgp, path_of("ed.pub")) > 0, "key added after the parse");
	for (i = 1; i <= 2; i++) {
		uint8_t *body = NULL;
		size_t bl = 0;

		r = dg_pgp_message_verify(pgp, pm, &res, &body, &bl);
		CHECK(r == 0 && res.n_good == 1 && good_by(&res, "ed", 0),
		      "%s verify %d: %s", file, i, dg_pgp_last_error(pgp));
		CHECK(body && bl == sm.wl && !memcmp(body, sm.want, sm.wl),
		      "%s verify %d: body (%zu bytes)", file, i, bl);
		free(body);
		dg_pgp_result_free(&res);
	}
	/* The same content, written out without a copy. */
	{
		char *w = NULL;
		size_t wn = 0;
		FILE *f = open_memstream(&w, &wn);

		CHECK(f && dg_pgp_message_write(pm, f) == 0 && fclose(f) == 0, "%s written", file);
		CHECK(w && wn == sm.wl && !memcmp(w, sm.want, sm.wl),
		      "%s: written content (%zu bytes)", file, wn);
		free(w);
	}
out:
	dg_pgp_message_free(pm);
	signed_msg_free(&sm);
	dg_pgp_free(pgp);
}

TEST(test_message_parsed_before_its_key_verifies_after)
{
	NEED_GPG();
	parse_then_verify("ed.inline.gpg", "data.txt");
	parse_then_verify("ed.inline.asc", "data.txt");
	parse_then_verify("ed.clear.asc", "data.txt");
	dg_pgp_message_free(NULL);
}

TEST(test_inline_armored_message_verifies)
{
	NEED_GPG();
	message_case("ed.inline.asc", "data.txt");
}

TEST(test_inline_message_with_partial_body_lengths_verifies)
{
	NEED_GPG();
	message_case("ed.partial.gpg", "big.head");
}

TEST(test_cleartext_message_verifies_and_yields_text)
{
	NEED_GPG();
	message_case("ed.clear.asc", "data.txt");
}

/* Packet boundaries of trusted, gpg-made bytes (old and new framing). */
static size_t split_packets(const uint8_t *p, size_t n, size_t off[8], size_t len[8])
{
	size_t k = 0, i = 0;

	while (i < n && k < 8) {
		size_t h, l;

		if (p[i] & 0x40) {	/* new format, no partial lengths here */
			if (p[i + 1] < 192) {
				h = 2;
				l = p[i + 1];
			} else if (p[i + 1] < 224) {
				h = 3;
				l = ((size_t)(p[i + 1] - 192) << 8) + p[i + 2] + 192;
			} else {
				h = 6;
				l = (size_t)p[i + 2] << 24 | (size_t)p[i + 3] << 16 | (size_t)p[i + 4] << 8 | p[i + 5];
			}
		} else {
			int lt = p[i] & 3;

			h = lt == 0 ? 2 : lt == 1 ? 3 : 5;
			l = lt == 0 ? p[i + 1] : lt == 1 ? (size_t)p[i + 1] << 8 | p[i + 2]
				: (size_t)p[i + 1] << 24 | (size_t)p[i + 2] << 16 | (size_t)p[i + 3] << 8 | p[i + 4];
		}
		off[k] = i;
		len[k++] = h + l;
		i += h + l;
	}
	return k;
}

/* Verify the packets of ed.plain.gpg (O L S) rearranged as @order. */
static int rearranged(const char *order)
{
	const char *rings[] = { "ed.pub", NULL };
	struct dg_pgp *pgp = ctx_with(rings);
	size_t off[8], len[8], n, o = 0;
	uint8_t *m, buf[4096];
	size_t ml;
	int r;

	tap_read_file(path_of("ed.plain.gpg"), &m, &ml);
	n = split_packets(m, ml, off, len);
	if (n != 3) {
		printf("# ed.plain.gpg has %zu packets, expected O L S\n", n);
		free(m);
		dg_pgp_free(pgp);
		return 1;
	}
	for (; *order; order++) {
		int k = *order == 'O' ? 0 : *order == 'L' ? 1 : 2;

		memcpy(buf + o, m + off[k], len[k]);
		o += len[k];
	}
	r = dg_pgp_verify_message(pgp, buf, o, NULL, NULL, NULL);
	if (r < 0)
		printf("# %s\n", dg_pgp_last_error(pgp));
	free(m);
	dg_pgp_free(pgp);
	return r;
}

TEST(test_inline_message_grammar_is_enforced)
{
	NEED_GPG();
	CHECK(rearranged("OLS") == 0, "one-pass signed message");
	CHECK(rearranged("SL") == 0, "signature-prefixed message");
	CHECK(rearranged("OL") == -EBADMSG, "one-pass signature without its signature");
	CHECK(rearranged("OOLS") == -EBADMSG, "two one-pass signatures, one signature");
	CHECK(rearranged("LS") == -EBADMSG, "trailing signature without a one-pass signature");
	CHECK(rearranged("OLLS") == -EBADMSG, "two literal packets");
}

/* ed.clear.asc with its "Hash: SHA256" line replaced by @hdr. */
static int cleartext_with_header(const char *hdr)
{
	const char *rings[] = { "ed.pub", NULL };
	struct dg_pgp *pgp = ctx_with(rings);
	uint8_t *m, *out;
	size_t ml;
	char *h;
	int r;

	tap_read_file(path_of("ed.clear.asc"), &m, &ml);
	m[ml] = '\0';
	h = strstr((char *)m, "Hash: SHA256\n");
	if (!h) {
		free(m);
		dg_pgp_free(pgp);
		return 1;
	}
	out = malloc(ml + strlen(hdr) + 1);
	memcpy(out, m, (size_t)((uint8_t *)h - m));
	strcpy((char *)out + ((uint8_t *)h - m), hdr);
	strcat((char *)out, h + strlen("Hash: SHA256"));
	r = dg_pgp_verify_message(pgp, out, strlen((char *)out), NULL, NULL, NULL);
	if (r < 0)
		printf("# %s\n", dg_pgp_last_error(pgp));
	free(out);
	free(m);
	dg_pgp_free(pgp);
	return r;
}

TEST(test_cleartext_misleading_headers_rejected)
{
	NEED_GPG();
	CHECK(cleartext_with_header("Hash: SHA256") == 0, "the unmodified message verifies");
	CHECK(cleartext_with_header("Hash: SHA256\vThis text is part of the header.") == -EBADMSG,
	      "vertical tab smuggling text into the header");
	CHECK(cleartext_with_header("Hash: SHA256, NOTAHASH") == -EBADMSG, "unknown hash name");
	CHECK(cleartext_with_header("Comment: hi\nHash: SHA256") == -EBADMSG,
	      "a header other than Hash:");
	CHECK(cleartext_with_header("Hash: SHA512") == -EKEYREJECTED,
	      "signature hash not announced by the Hash: header");
}

/* @src with every LF replaced by @eol (e.g. "  \n" or "\r\n"), after @prefix. */
static uint8_t *rewrite(const char *src, const char *prefix, const char *eol, size_t *out_len)
{
	uint8_t *m, *o;
	size_t ml, i, n;

	tap_read_file(path_of(src), &m, &ml);
	o = malloc(strlen(prefix) + ml * strlen(eol) + 1);
	n = strlen(prefix);
	memcpy(o, prefix, n);
	for (i = 0; i < ml; i++) {
		if (m[i] == '\n') {
			memcpy(o + n, eol, strlen(eol));
			n += strlen(eol);
		} else {
			o[n++] = m[i];
		}
	}
	free(m);
	*out_len = n;
	return o;
}

TEST(test_armor_with_trailing_blanks_verifies)
{
	const char *rings[] = { "ed.pub", NULL };
	struct dg_pgp *pgp;
	uint8_t *sig, *d;
	size_t sl, dl;

	NEED_GPG();
	pgp = ctx_with(rings);
	sig = rewrite("ed.asc.sig", "", " \t \n", &sl);
	tap_read_file(path_of("data.txt"), &d, &dl);
	CHECK(dg_pgp_verify_detached(pgp, sig, sl, d, dl, NULL) == 0,
	      "RFC 9580 §6: whitespace at line ends is ignored: %s", dg_pgp_last_error(pgp));
	free(sig);
	free(d);
	dg_pgp_free(pgp);
}

static int message_body(const uint8_t *m, size_t ml, const char *want)
{
	const char *rings[] = { "ed.pub", NULL };
	struct dg_pgp *pgp = ctx_with(rings);
	uint8_t *body = NULL;
	size_t bl = 0;
	int r = dg_pgp_verify_message(pgp, m, ml, NULL, &body, &bl);

	if (r < 0)
		printf("# %s\n", dg_pgp_last_error(pgp));
	else if (bl != strlen(want) || memcmp(body, want, bl))
		r = 1;
	free(body);
	dg_pgp_free(pgp);
	return r;
}

TEST(test_cleartext_text_before_is_allowed_and_not_output)
{
	uint8_t *m;
	size_t ml;

	NEED_GPG();
	m = rewrite("ed.clear.asc", "This line is not signed.\n\n", "\n", &ml);
	CHECK(message_body(m, ml, "line one\nline two\n") == 0, "only the signed text");
	free(m);
}

TEST(test_cleartext_crlf_keeps_its_line_endings)
{
	uint8_t *m;
	size_t ml;

	NEED_GPG();
	m = rewrite("ed.clear.asc", "", "\r\n", &ml);
	CHECK(message_body(m, ml, "line one\r\nline two\r\n") == 0, "CRLF kept, as sqop prints");
	free(m);
}

TEST(test_detached_fd_streams_pipe_and_mapped_file)
{
	const char *rings[] = { "ed.pub", NULL };
	struct dg_pgp *pgp;
	struct dg_pgp_result res = { 0 };
	uint8_t *s;
	size_t sl;
	int fd, p[2];
	pid_t pid;

	NEED_GPG();
	pgp = ctx_with(rings);
	tap_read_file(path_of("big.sig"), &s, &sl);
	fd = open(path_of("big.bin"), O_RDONLY);
	CHECK(dg_pgp_verify_detached_fd(pgp, s, sl, fd, &res) == 0, "mapped file: %s",
	      dg_pgp_last_error(pgp));
	close(fd);
	dg_pgp_result_free(&res);
	CHECK(pipe(p) == 0, "pipe");
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 1);
		execlp("cat", "cat", path_of("big.bin"), (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	alarm(30);
	CHECK(dg_pgp_verify_detached_fd(pgp, s, sl, p[0], &res) == 0, "pipe: %s",
	      dg_pgp_last_error(pgp));
	alarm(0);
	close(p[0]);
	waitpid(pid, NULL, 0);
	dg_pgp_result_free(&res);
	dg_pgp_free(pgp);
	free(s);
}

/*
 * dg_pgp_verify_detached_fd() after dg_pgp_prehash_fd(), in sopv's order
 * (launch, hash ahead, load keys, verify).  How much is hashed ahead depends
 * on how fast the handler starts; every verdict must be the same whatever
 * it is, and across the cases some bytes must have been hashed ahead.
 */
static int prehashed_verify(const char *sig, const char *data, const char *swap_in,
			    size_t *ahead)
{
	struct dg_pgp_result res = { 0 };
	struct dg_pgp *pgp = NULL;
	uint8_t *s = NULL;
	size_t sl = 0;
	int fd, r;

	if (dg_pgp_new(&pgp) < 0 || tap_read_file(path_of(sig), &s, &sl) < 0)
		return -EIO;
	fd = open(path_of(data), O_RDONLY | O_CLOEXEC);
	if (fd < 0 || dg_pgp_prestart(pgp) < 0) {
		r = -EIO;
		goto out;
	}
	(void)dg_pgp_prehash_fd(pgp, fd);
	if (swap_in) {
		/* Another file behind the same descriptor number. */
		int other = open(path_of(swap_in), O_RDONLY | O_CLOEXEC);

		if (other < 0 || dup2(other, fd) < 0) {
			r = -EIO;
			goto out;
		}
		close(other);
	}
	r = dg_pgp_keyring_add_file(pgp, path_of("ed.pub"));
	if (r >= 0)
		r = dg_pgp_verify_detached_fd(pgp, s, sl, fd, &res);
	*ahead += dg_pgp_prehash_used(pgp);
	if (r < 0)
		printf("# %s over %s: %s\n", sig, swap_in ? swap_in : data, dg_pgp_last_error(pgp));
out:
	if (fd >= 0)
		close(fd);
	dg_pgp_result_free(&res);
	dg_pgp_free(pgp);
	free(s);
	return r;
}

/* One way of verifying with a hash ahead: the signature, the data file, an
 * argument of that way's own. */
typedef int (*prehash_way)(const char *sig, const char *data, int arg, size_t *ahead);

/* The verdicts every way must give. */
static void prehash_cases(prehash_way way, int arg, size_t *ahead, const char *how)
{
	CHECK(way("big.sig", "big.bin", arg, ahead) == 0,
	      "%s: SHA-256 signature over the data hashed ahead verifies", how);
	CHECK(way("big.sha512.sig", "big.bin", arg, ahead) == 0,
	      "%s: SHA-512 signature: the SHA-256 hash ahead is not used, the data is hashed",
	      how);
	CHECK(way("big.txt.sig", "big.bin", arg, ahead) == 0,
	      "%s: text-mode signature: hashed with line ends made CRLF, not from the hash ahead",
	      how);
	CHECK(way("big.sig", "big.badhead", arg, ahead) == -EKEYREJECTED,
	      "%s: first byte changed: rejected", how);
	CHECK(way("big.sig", "big.badtail", arg, ahead) == -EKEYREJECTED,
	      "%s: last byte changed: rejected", how);
}

static int file_way(const char *sig, const char *data, int unused, size_t *ahead)
{
	(void)unused;
	return prehashed_verify(sig, data, NULL, ahead);
}

TEST(test_prehash_ahead_gives_the_same_verdicts)
{
	size_t ahead = 0;
	int round;

	NEED_GPG();
	for (round = 0; round < 3; round++) {
		prehash_cases(file_way, 0, &ahead, "file");
		CHECK(prehashed_verify("big.sig", "big.badhead", "big.bin", &ahead) == 0,
		      "another file behind the same fd: the hash ahead of the first is dropped");
	}
	CHECK(ahead > 0, "verifications found bytes hashed ahead (%zu)", ahead);
}

/*
 * prehashed_verify() with @data through a pipe from cat: the hash ahead
 * reads the pipe and keeps what it took; after @settle_ms (for the thread
 * to get ahead) the verification takes that and reads on.
 */
static int prehashed_pipe_verify(const char *sig, const char *data, int settle_ms,
				 size_t *ahead)
{
	struct dg_pgp_result res = { 0 };
	struct dg_pgp *pgp = NULL;
	uint8_t *s = NULL;
	size_t sl = 0;
	int p[2], r = -EIO;
	pid_t pid;

	if (dg_pgp_new(&pgp) < 0 || tap_read_file(path_of(sig), &s, &sl) < 0 ||
	    pipe2(p, O_CLOEXEC) < 0)
		goto out;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		execlp("cat", "cat", path_of(data), (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	alarm(30);
	if (pid > 0 && dg_pgp_prestart(pgp) == 0 && dg_pgp_prehash_fd(pgp, p[0]) == 1) {
		if (settle_ms)
			usleep((useconds_t)settle_ms * 1000);
		r = dg_pgp_keyring_add_file(pgp, path_of("ed.pub"));
		if (r >= 0)
			r = dg_pgp_verify_detached_fd(pgp, s, sl, p[0], &res);
		*ahead += dg_pgp_prehash_used(pgp);
		if (r < 0)
			printf("# %s over %s from a pipe: %s\n", sig, data, dg_pgp_last_error(pgp));
	}
	alarm(0);
	close(p[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
out:
	dg_pgp_result_free(&res);
	dg_pgp_free(pgp);
	free(s);
	return r;
}

TEST(test_prehash_of_a_pipe_gives_the_same_verdicts)
{
	size_t ahead = 0;

	NEED_GPG();
	prehash_cases(prehashed_pipe_verify, 0, &ahead, "pipe");
	prehash_cases(prehashed_pipe_verify, 50, &ahead, "pipe, 50 ms ahead");
	CHECK(ahead > 0, "verifications found bytes read ahead (%zu)", ahead);
}

/* Truncates and restores the file behind @arg while a verification reads it. */
struct shrinker {
	const char *path;
	const uint8_t *data;
	size_t len;
	atomic_int stop;
};

static void *shrink_main(void *arg)
{
	struct shrinker *k = arg;

	while (!atomic_load(&k->stop)) {
		int fd = open(k->path, O_WRONLY | O_CLOEXEC);

		if (fd < 0)
			break;
		if (ftruncate(fd, 4096) < 0 || pwrite(fd, k->data, k->len, 0) != (ssize_t)k->len) {
			close(fd);
			break;
		}
		close(fd);
	}
	return NULL;
}

/*
 * The data file is read, never mapped: a file shrunk by someone else while
 * it is hashed must give a verdict, not kill the verifier with SIGBUS (as
 * reading a mapping past the new end does).  In a child, so that a SIGBUS
 * is seen as such; 40 verifications against a writer that truncates the
 * file over and over (the mapping version died within a few).
 */
TEST(test_data_file_shrinking_under_the_verifier_gives_a_verdict)
{
	char tmpl[] = "/tmp/dg-shrink.XXXXXX";
	uint8_t *s = NULL, *d = NULL;
	size_t sl = 0, dl = 0;
	int status = 0, fd;
	pid_t pid;

	NEED_GPG();
	CHECK(tap_read_file(path_of("big.sig"), &s, &sl) == 0 &&
	      tap_read_file(path_of("big.bin"), &d, &dl) == 0, "fixtures read");
	fd = mkstemp(tmpl);
	CHECK(fd >= 0 && write(fd, d, dl) == (ssize_t)dl, "copy of big.bin written");
	close(fd);
	pid = fork();
	if (pid == 0) {
		struct shrinker k = { tmpl, d, dl, 0 };
		struct dg_pgp *pgp = NULL;
		pthread_t th;
		int i, bad = 0;

		alarm(120);
		if (dg_pgp_new(&pgp) < 0 || dg_pgp_keyring_add_file(pgp, path_of("ed.pub")) <= 0 ||
		    pthread_create(&th, NULL, shrink_main, &k) != 0)
			_exit(3);
		for (i = 0; i < 40; i++) {
			struct dg_pgp_result res = { 0 };
			int vfd = open(tmpl, O_RDONLY | O_CLOEXEC), r;

			if (vfd < 0)
				_exit(4);
			r = dg_pgp_verify_detached_fd(pgp, s, sl, vfd, &res);
			if (r != 0 && r != -EKEYREJECTED)
				bad++;
			dg_pgp_result_free(&res);
			close(vfd);
		}
		atomic_store(&k.stop, 1);
		pthread_join(th, NULL);
		dg_pgp_free(pgp);
		_exit(bad ? 5 : 0);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid, "child ran");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "40 verifications of a shrinking file: each a verdict (status %s %d)",
	      WIFSIGNALED(status) ? "signal" : "exit",
	      WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	unlink(tmpl);
	free(s);
	free(d);
}

/*
 * A hash ahead started with a caller's handler (dg_pgp_set_handler) is
 * dropped when the handler is switched, so the caller may free its handler
 * first, and the context still verifies with its own handler afterwards.
 */
/* ed.pub into @pgp's keyring, then @sig over the data behind @fd. */
static int add_ed_and_verify(struct dg_pgp *pgp, const uint8_t *sig, size_t sig_len, int fd)
{
	struct dg_pgp_result res = { 0 };
	int r = dg_pgp_keyring_add_file(pgp, path_of("ed.pub"));

	if (r == 0)
		return -ENOKEY;
	if (r > 0)
		r = dg_pgp_verify_detached_fd(pgp, sig, sig_len, fd, &res);
	dg_pgp_result_free(&res);
	return r;
}

/*
 * The hash ahead starts only on a regular file with data in it or a pipe,
 * and a context freed before any verification stops and joins its thread
 * (the ASan build would report the thread's buffer otherwise), also one
 * waiting for a pipe's writer.
 */
TEST(test_prehash_needs_a_file_or_pipe_and_stops_with_the_context)
{
	struct dg_pgp *pgp = NULL;
	uint8_t *s = NULL;
	size_t sl = 0;
	int fd, p[2], r;

	NEED_GPG();
	CHECK(dg_pgp_new(&pgp) == 0 && dg_pgp_prestart(pgp) == 0, "context, handler launched");
	CHECK(pipe(p) == 0, "pipe");
	/* A writer that never writes: the reader waits, and stops at once. */
	alarm(10);
	CHECK(dg_pgp_prehash_fd(pgp, p[0]) == 1, "hash ahead of a pipe started");
	dg_pgp_free(pgp);
	alarm(0);
	pgp = NULL;
	CHECK(dg_pgp_new(&pgp) == 0 && dg_pgp_prestart(pgp) == 0, "context, handler launched");
	close(p[0]);
	close(p[1]);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0 && dg_pgp_prehash_fd(pgp, fd) == 0, "no hash ahead of a character device");
	close(fd);
	fd = open(path_of("big.bin"), O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0 && dg_pgp_prehash_fd(pgp, fd) == 1, "hash ahead of a regular file started");
	dg_pgp_free(pgp);
	/* The same file in a new context: the verification takes the hash ahead. */
	CHECK(dg_pgp_new(&pgp) == 0 && tap_read_file(path_of("big.sig"), &s, &sl) == 0,
	      "context, signature");
	CHECK(dg_pgp_prehash_fd(pgp, fd) == 1, "hash ahead started again");
	r = add_ed_and_verify(pgp, s, sl, fd);
	CHECK(r == 0, "keyring, then verifies (%s)", dg_pgp_last_error(pgp));
	dg_pgp_free(pgp);
	close(fd);
	free(s);
}

TEST(test_switching_handlers_drops_the_hash_ahead)
{
	struct dg_umd_desc d = {
		DG_UMD_DESC_BLOB(&dg_blob_pgp),
	};
	struct dg_pgp *pgp = NULL;
	struct dg_umd *u = NULL;
	uint8_t *s = NULL;
	size_t sl = 0;
	int fd, r;

	NEED_GPG();
	CHECK(dg_umd_new(&d, &u) == 0 && dg_umd_launch(u) == 0, "caller's pgp handler launched");
	CHECK(dg_pgp_new(&pgp) == 0, "context");
	dg_pgp_set_handler(pgp, u);
	fd = open(path_of("big.bin"), O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0 && tap_read_file(path_of("big.sig"), &s, &sl) == 0, "fixtures open");
	(void)dg_pgp_prehash_fd(pgp, fd);
	dg_pgp_set_handler(pgp, NULL);
	dg_umd_free(u);
	r = add_ed_and_verify(pgp, s, sl, fd);
	CHECK(r == 0, "keyring through the context's own handler, then verifies after the switch (%s)",
	      dg_pgp_last_error(pgp));
	dg_pgp_free(pgp);
	close(fd);
	free(s);
}

TEST(test_garbage_signature_is_bad_data)
{
	const char *rings[] = { NULL };
	struct dg_pgp *pgp = ctx_with(rings);
	static const uint8_t junk[] = "this is not OpenPGP at all\n";
	struct dg_pgp_result res = { 0 };
	int r = dg_pgp_verify_detached(pgp, junk, sizeof(junk) - 1, "x", 1, &res);

	CHECK(r == -EBADMSG || r == -ENODATA, "returned %d: %s", r, dg_pgp_last_error(pgp));
	CHECK(res.n_sigs == 0, "no signatures");
	CHECK(!strncmp(dg_pgp_last_error(pgp), "signature: ", 11),
	      "the error names the input \"signature\" by default: %s", dg_pgp_last_error(pgp));
	dg_pgp_result_free(&res);
	/* named by the caller, e.g. after its file; NULL restores the default */
	dg_pgp_set_signature_name(pgp, "/srv/Release.gpg");
	r = dg_pgp_verify_detached(pgp, junk, sizeof(junk) - 1, "x", 1, &res);
	CHECK(r < 0 && !strncmp(dg_pgp_last_error(pgp), "/srv/Release.gpg: ", 18),
	      "the error names the input as the caller did: %s", dg_pgp_last_error(pgp));
	dg_pgp_result_free(&res);
	dg_pgp_set_signature_name(pgp, NULL);
	r = dg_pgp_verify_detached(pgp, junk, sizeof(junk) - 1, "x", 1, &res);
	CHECK(r < 0 && !strncmp(dg_pgp_last_error(pgp), "signature: ", 11),
	      "the default is back: %s", dg_pgp_last_error(pgp));
	dg_pgp_result_free(&res);
	dg_pgp_free(pgp);
}

/* ---- third-party samples by path ---- */

static int corpus_file(const char *rel, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", corpus, rel);
	return access(out, R_OK) == 0;
}

/*
 * RFC 9580 A.1 is a bare key: a lone public key packet, no user ID, no
 * self-signature.  It is no certificate (as for every peer), so the A.2
 * signature has no valid key; the reason names the certificate by the
 * fingerprint A.1 gives in its text, which the core computed.
 */
TEST(test_rfc9580_a1_bare_key_is_not_a_certificate)
{
	char key[PATH_MAX], sig[PATH_MAX], data[PATH_MAX];
	const char *rings[] = { key, NULL };
	struct dg_pgp_result res = { 0 };
	struct dg_pgp *pgp;
	uint8_t *s, *d;
	size_t sl, dl;
	int r;

	if (!corpus_file("rfc9580/A.1-v4-ed25519legacy-key.asc", key, sizeof(key)) ||
	    !corpus_file("rfc9580/A.2-v4-ed25519legacy-sig.asc", sig, sizeof(sig)) ||
	    !corpus_file("rfc9580/A.2-signed-data.txt", data, sizeof(data)))
		SKIP("corpus pgp/rfc9580 absent");
	pgp = ctx_with(rings);
	tap_read_file(sig, &s, &sl);
	tap_read_file(data, &d, &dl);
	r = dg_pgp_verify_detached(pgp, s, sl, d, dl, &res);
	CHECK(r < 0 && res.n_sigs == 1 && res.n_good == 0, "returned %d, %zu good", r, res.n_good);
	CHECK(res.n_sigs == 1 &&
	      strstr(res.sigs[0].reason, "C959BDBAFA32A2F89A153B678CFDE12197965A9A, which was "
					  "skipped: no valid self-signature"),
	      "reason: %s", res.n_sigs ? res.sigs[0].reason : "(none)");
	dg_pgp_result_free(&res);
	dg_pgp_free(pgp);
	free(s);
	free(d);
}

static void corpus_message(const char *certrel, const char *msgrel, int want)
{
	char cert[PATH_MAX], msg[PATH_MAX];
	const char *rings[] = { cert, NULL };
	struct dg_pgp_result res = { 0 };
	struct dg_pgp *pgp;
	uint8_t *m, *body = NULL;
	size_t ml, bl;
	int r;

	if (!corpus_file(certrel, cert, sizeof(cert)) || !corpus_file(msgrel, msg, sizeof(msg)))
		SKIP("corpus file absent");
	pgp = ctx_with(rings);
	tap_read_file(msg, &m, &ml);
	r = dg_pgp_verify_message(pgp, m, ml, &res, &body, &bl);
	CHECK(r == want, "%s: returned %d, want %d: %s", msgrel, r, want, dg_pgp_last_error(pgp));
	CHECK(want != 0 || (res.n_good >= 1 && res.sigs[0].version == 6), "a v6 signature");
	free(body);
	free(m);
	dg_pgp_result_free(&res);
	dg_pgp_free(pgp);
}

TEST(test_rfc9580_a6_cleartext_v6_verifies)
{
	corpus_message("rfc9580/A.3-v6-cert.asc", "rfc9580/A.6-cleartext-signed-message.asc", 0);
}

TEST(test_rfc9580_a7_inline_v6_verifies)
{
	corpus_message("rfc9580/A.3-v6-cert.asc", "rfc9580/A.7-inline-signed-message.asc", 0);
}

TEST(test_rpgp_v6_ed448_cleartext_verifies)
{
	corpus_message("rpgp-rfc9580/v6-ed448-x448/cert.asc", "rpgp-rfc9580/v6-ed448-x448/csf.asc", 0);
}

TEST(test_rpgp_v6_rsa_cleartext_verifies)
{
	corpus_message("rpgp-rfc9580/v6-rsa/cert.asc", "rpgp-rfc9580/v6-rsa/csf.asc", 0);
}

TEST(test_rpgp_v6_nist_cleartext_verifies)
{
	corpus_message("rpgp-rfc9580/v6-nistp/cert.asc", "rpgp-rfc9580/v6-nistp/csf.asc", 0);
}

TEST(test_v6_key_with_legacy_eddsa_is_refused)
{
	corpus_message("rpgp-rfc9580/v6-legacy_illegal/tsk.asc",
		       "rpgp-rfc9580/v6-legacy_illegal/csf.asc", -ENOKEY);
}

TEST(test_certificate_with_forged_self_signatures_is_not_used)
{
	/* gnupg's forged keyring: user IDs and a subkey whose binding
	 * signatures were made by another key.  Not a bare key. */
	corpus_message("gnupg/keys/forged-keyring.gpg",
		       "gnupg/signed-messages/forged-keyring-msg_signed_asc.asc", -ENOKEY);
}

static void cleanup(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
}

int main(void)
{
	char cmd[2 * PATH_MAX];
	const char *c = getenv("DG_CORPORA");

	snprintf(corpus, sizeof(corpus), "%s/pgp", c && *c ? c : DG_SRCDIR "/../shared/corpora");
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	snprintf(cmd, sizeof(cmd), "timeout 120 sh '%s/tests/data/pgp-core/gen-verify.sh' '%s'",
		 DG_SRCDIR, dir);
	fixture_gen_run(&gen, "gen-verify.sh", cmd, path_of("gen.stderr"), path_of("ok"));

	RUN(test_fixture_generator_succeeds);
	RUN(test_ed25519_binary_signature_verifies_with_gpg_fingerprint);
	RUN(test_text_mode_signature_verifies_over_lf_and_crlf_data);
	RUN(test_armored_detached_signature_verifies);
	RUN(test_rsa2048_signature_verifies);
	RUN(test_ecdsa_p256_signature_verifies);
	RUN(test_signing_subkey_reports_subkey_and_primary_fingerprints);
	RUN(test_tampered_data_rejected);
	RUN(test_wrong_size_time_subpacket_makes_the_signature_bad);
	RUN(test_signature_by_unknown_key_gives_enokey);
	RUN(test_sha1_data_signature_rejected_by_default_allowed_by_policy);
	RUN(test_rsa1024_key_rejected_by_default_policy);
	RUN(test_expired_signature_rejected);
	RUN(test_signature_older_than_key_rejected);
	RUN(test_not_after_policy_rejects_newer_signature);
	RUN(test_policy_description_says_the_creation_time_bounds_in_words);
	RUN(test_soft_revocation_keeps_earlier_signature_valid);
	RUN(test_soft_revocation_rejects_later_signature);
	RUN(test_hard_revocation_rejects_every_signature);
	RUN(test_revocation_in_its_own_armor_block_counts);
	RUN(test_revocation_in_a_separate_file_counts_in_either_order);
	RUN(test_old_copy_of_a_certificate_does_not_hide_its_revocation);
	RUN(test_revoked_user_id_no_longer_decides_expiration);
	RUN(test_lone_revocations_are_deduplicated_and_never_dropped);
	RUN(test_lone_key_counts_only_with_a_valid_copy_in_either_order);
	RUN(test_binding_overflow_keeps_the_certificate_usable);
	RUN(test_keyrings_binary_and_armored_load_every_certificate);
	RUN(test_two_signatures_one_good_one_unknown_key);
	RUN(test_inline_compressed_message_verifies_and_yields_body);
	RUN(test_inline_armored_message_verifies);
	RUN(test_message_parsed_before_its_key_verifies_after);
	RUN(test_inline_message_with_partial_body_lengths_verifies);
	RUN(test_cleartext_message_verifies_and_yields_text);
	RUN(test_inline_message_grammar_is_enforced);
	RUN(test_cleartext_misleading_headers_rejected);
	RUN(test_armor_with_trailing_blanks_verifies);
	RUN(test_cleartext_text_before_is_allowed_and_not_output);
	RUN(test_cleartext_crlf_keeps_its_line_endings);
	RUN(test_detached_fd_streams_pipe_and_mapped_file);
	RUN(test_prehash_ahead_gives_the_same_verdicts);
	RUN(test_prehash_of_a_pipe_gives_the_same_verdicts);
	RUN(test_data_file_shrinking_under_the_verifier_gives_a_verdict);
	RUN(test_prehash_needs_a_file_or_pipe_and_stops_with_the_context);
	RUN(test_switching_handlers_drops_the_hash_ahead);
	RUN(test_garbage_signature_is_bad_data);
	RUN(test_rfc9580_a1_bare_key_is_not_a_certificate);
	RUN(test_rfc9580_a6_cleartext_v6_verifies);
	RUN(test_rfc9580_a7_inline_v6_verifies);
	RUN(test_rpgp_v6_ed448_cleartext_verifies);
	RUN(test_rpgp_v6_rsa_cleartext_verifies);
	RUN(test_rpgp_v6_nist_cleartext_verifies);
	RUN(test_v6_key_with_legacy_eddsa_is_refused);
	RUN(test_certificate_with_forged_self_signatures_is_not_used);
	cleanup();
	return tap_done();
}

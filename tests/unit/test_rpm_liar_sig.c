// SPDX-License-Identifier: MIT
/*
 * Liar answers about the header signatures the rpm handler pre-parses
 * (RPM_ANS_F_PGP, rpm_proto.h), with a real OpenPGP signature (made by gpg
 * over the main header of a package built in memory) and the real OpenPGP
 * core: the pre-parsed answer saves the second round trip, but a lying one
 * can never make a bad signature pass, because the pgp core re-checks it
 * against the signature bytes exactly as it re-checks the pgp handler's,
 * and the rpm core re-checks where each pre-parsed record claims to belong.
 * The keyring goes through the rpm handler too (dg_pgp_set_handler()).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <digestguard/pgp.h>
#include <digestguard/umd.h>

#include "blobs.h"
#include "buf.h"
#include "cursor.h"
#include "tap.h"
#include "fixture_gen.h"
#include "test_rpm_pkg.h"
#include "../../src/core/rpm/rpm_core.h"
#include "../../src/handlers/pgp/pgp_parse.h"
#include "../../src/handlers/rpm/rpm_parse.h"

static char dir[] = "/tmp/dg-rpm-liar-sig.XXXXXX";
static struct fixture_gen gen;	/* gpg, in make_signatures() */
static uint8_t *sig, *other;	/* gpg's signatures over the main header */
static size_t sig_len, other_len;
/* More of gpg's: text mode (0x01) over the main header by the same key,
 * binary by the same key over other bytes (BAD), binary by a key not in
 * the keyring over the main header (NOKEY). */
static uint8_t *text, *bad, *stranger;
static size_t text_len, bad_len, stranger_len;
/* The good signature ASCII-armored (gpg --armor): rpm reads only binary
 * packets in a signature tag. */
static uint8_t *armored;
static size_t armored_len;
static char err[320];

static char *path_of(const char *name)
{
	return tap_path(dir, name);
}

#define NEED_GPG() FIXTURE_NEED(&gen)

TEST(test_fixture_generator_succeeds)
{
	FIXTURE_GEN_CASE(&gen);
}

struct fixture {
	struct tp_pkg tp;
	struct dg_buf ans;
	struct rpm_pkg pkg;
	struct dg_umd *umd;	/* the rpm handler, serving the pgp core too */
	struct dg_pgp *pgp;
	uint64_t calls;		/* handler calls after the keyring was loaded */
};

static uint64_t handler_calls(const struct fixture *f)
{
	struct dg_umd_stats st;

	dg_umd_stats(f->umd, &st);
	return st.calls;
}

/* The fixture with @n bytes @s in RSAHEADER. */
static int setup_sig(struct fixture *f, const uint8_t *s, size_t n);

static int setup(struct fixture *f)
{
	return setup_sig(f, sig, sig_len);
}

static int setup_sig(struct fixture *f, const uint8_t *s, size_t n)
{
	struct dg_umd_desc d = {
		DG_UMD_DESC_BLOB(&dg_blob_rpm), .timeout_ms = 5000,
	};
	int r;

	memset(f, 0, sizeof(*f));
	tp_build_sig(&f->tp, s, n);
	r = rpm_parse(f->tp.bytes, f->tp.len, f->tp.len, &f->ans, err, sizeof(err));
	if (r < 0) {
		printf("# honest parse failed: %s\n", err);
		return r;
	}
	f->pkg.name = "liar.rpm";
	f->pkg.buf = f->tp.bytes;
	f->pkg.buf_len = f->tp.main_off + f->tp.main_len;
	f->pkg.file_size = f->tp.len;
	if ((r = dg_umd_new(&d, &f->umd)) < 0 || (r = dg_pgp_new(&f->pgp)) < 0)
		return r;
	dg_pgp_set_handler(f->pgp, f->umd);
	r = dg_pgp_keyring_add_file(f->pgp, path_of("key.pub"));
	if (r != 1) {
		printf("# keyring: %d %s\n", r, dg_pgp_last_error(f->pgp));
		return -EINVAL;
	}
	f->calls = handler_calls(f);
	return 0;
}

static void teardown(struct fixture *f)
{
	rpm_pkg_release(&f->pkg);
	dg_buf_free(&f->ans);
	dg_pgp_free(f->pgp);
	dg_umd_free(f->umd);
	free(f->tp.bytes);
}

static uint32_t ans32(const struct fixture *f, size_t off)
{
	struct dg_cur c = cur_init(f->ans.data + off, 4);
	uint32_t v = 0;

	cur_le32(&c, &v);
	return v;
}

/* Answer offset of the pre-parsed signature section (its count). */
static size_t sigs_off(const struct fixture *f)
{
	return RPM_ANS_FIXED + (size_t)ans32(f, 64) * RPM_ANS_TAG_SIZE +
	       (size_t)ans32(f, 68) * RPM_ANS_STR_SIZE;
}

/* Index of the tag record of signature header tag @tag. */
static uint32_t tag_index(const struct fixture *f, uint32_t tag)
{
	uint32_t n = ans32(f, 64), i;

	for (i = 0; i < n; i++) {
		size_t o = RPM_ANS_FIXED + (size_t)i * RPM_ANS_TAG_SIZE;

		if (f->ans.data[o] == RPM_HDR_SIG && ans32(f, o + 4) == tag)
			return i;
	}
	return UINT32_MAX;
}

/* Body of the SIG record inside the first pre-parsed pgp answer. */
static uint8_t *pgp_sig_rec(struct fixture *f)
{
	size_t a = sigs_off(f) + 4 + 12, end = a + ans32(f, sigs_off(f) + 4 + 8);
	size_t off = a + PGP_ANS_HDR_LEN;

	while (off + PGP_REC_HDR_LEN <= end) {
		uint16_t t = (uint16_t)(f->ans.data[off] | f->ans.data[off + 1] << 8);

		if (t == PGP_REC_SIG)
			return f->ans.data + off + PGP_REC_HDR_LEN;
		off += PGP_REC_HDR_LEN + ans32(f, off + 4);
	}
	return NULL;
}

static int check(struct fixture *f)
{
	err[0] = '\0';
	rpm_pkg_release(&f->pkg);
	return rpm_check_answer(&f->pkg, f->ans.data, f->ans.len, err, sizeof(err));
}

/* Re-check and verify with the OpenPGP core; the first item's reason in @why. */
static int verify(struct fixture *f, struct dg_rpm_report *rep)
{
	struct rpm_verifier v = { .fn = rpm_pgp_sigverify, .ctx = f->pgp };
	int r = check(f);

	memset(rep, 0, sizeof(*rep));
	if (r < 0) {
		snprintf(rep->error, sizeof(rep->error), "%s", err);
		return r;
	}
	return rpm_verify_pkg(&f->pkg, &v, rep);
}

/* The signature item of @rep. */
static const struct dg_rpm_item *sig_item(const struct dg_rpm_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n_items; i++)
		if (rep->items[i].kind == DG_RPM_SIGNATURE)
			return &rep->items[i];
	return NULL;
}

TEST(test_rpm_liar_sig_honest_preparse_verifies_in_one_round_trip)
{
	struct fixture f;
	struct dg_rpm_report rep;
	int r;

	NEED_GPG();
	r = setup(&f);
	CHECK(r == 0, "setup: %d", r);
	CHECK(f.ans.data[6] & RPM_ANS_F_PGP, "flag RPM_ANS_F_PGP set");
	CHECK(ans32(&f, sigs_off(&f)) == 1, "one pre-parsed signature");
	r = r ? r : verify(&f, &rep);
	CHECK(r == 0 && rep.ok && rep.signed_ok, "verify: %d %s", r, rep.error);
	CHECK(f.pkg.n_presigs == 1 && f.pkg.presigs[0].tag == RPMSIGTAG_RSAHEADER,
	      "the re-checked pre-parsed record names RSAHEADER");
	CHECK(handler_calls(&f) == f.calls, "no handler call for the signature (%llu more)",
	      (unsigned long long)(handler_calls(&f) - f.calls));
	teardown(&f);
}

TEST(test_rpm_liar_sig_without_preparse_the_core_asks_the_handler)
{
	struct fixture f;
	struct dg_rpm_report rep;
	int r;

	NEED_GPG();
	r = setup(&f);
	/* A handler that says nothing about the signatures: the old protocol. */
	f.ans.data[6] &= (uint8_t)~RPM_ANS_F_PGP;
	f.ans.len = sigs_off(&f);
	r = r ? r : verify(&f, &rep);
	CHECK(r == 0 && rep.ok && rep.signed_ok, "verify: %d %s", r, rep.error);
	CHECK(handler_calls(&f) == f.calls + 1, "one PGP_REQ_PARSE call (%llu)",
	      (unsigned long long)(handler_calls(&f) - f.calls));
	teardown(&f);
}

TEST(test_rpm_liar_sig_tampered_header_with_honest_preparse_is_bad)
{
	struct fixture f;
	struct dg_rpm_report rep;
	const struct dg_rpm_item *it;
	int r;

	NEED_GPG();
	r = setup(&f);
	/* NAME "tp" becomes "up" after signing; the answer stays honest. */
	f.tp.bytes[f.tp.main_off + 16 + 12 * 16] ^= 1;
	dg_buf_reset(&f.ans);
	r = r ? r : rpm_parse(f.tp.bytes, f.tp.len, f.tp.len, &f.ans, err, sizeof(err));
	r = r ? r : verify(&f, &rep);
	it = sig_item(&rep);
	CHECK(r == -EKEYREJECTED && !rep.ok && !rep.signed_ok, "verify: %d", r);
	CHECK(it && it->rc == DG_RPM_BAD, "signature item BAD");
	teardown(&f);
}

/* hashed_prefix.len one short of the truth */
static void forge_signed_region(struct fixture *f, uint8_t *s)
{
	put_le32(s + 20, ans32(f, (size_t)(s + 20 - f->ans.data)) - 1);
}

/* pkalgo: RSA, for an EdDSA signature */
static void forge_algorithm(struct fixture *f, uint8_t *s)
{
	(void)f;
	s[6] = 1;
}

/* Forge the SIG record of the pre-parsed answer; the core must refuse. */
static void sig_rec_liar(void (*forge)(struct fixture *, uint8_t *))
{
	struct fixture f;
	struct dg_rpm_report rep;
	const struct dg_rpm_item *it;
	uint8_t *s;
	int r;

	r = setup(&f);
	s = r ? NULL : pgp_sig_rec(&f);
	CHECK(s != NULL, "SIG record in the pre-parsed answer");
	if (s)
		forge(&f, s);
	r = r ? r : verify(&f, &rep);
	it = sig_item(&rep);
	CHECK(r == -EKEYREJECTED && !rep.signed_ok, "verify: %d", r);
	CHECK(it && it->rc == DG_RPM_BAD && strstr(it->why, "handler answer rejected"),
	      "reason: %s", it ? it->why : "(no item)");
	teardown(&f);
}

TEST(test_rpm_liar_sig_forged_signed_region_is_rejected)
{
	NEED_GPG();
	sig_rec_liar(forge_signed_region);
}

TEST(test_rpm_liar_sig_forged_algorithm_is_rejected)
{
	NEED_GPG();
	sig_rec_liar(forge_algorithm);
}

TEST(test_rpm_liar_sig_answer_about_another_signature_is_rejected)
{
	struct fixture f;
	struct dg_rpm_report rep;
	struct dg_buf oa = { 0 };
	struct pgp_err e = { { 0 } };
	const struct dg_rpm_item *it;
	size_t so;
	int r;

	NEED_GPG();
	r = setup(&f);
	/* The honest answer for gpg's other signature (a notation longer),
	 * claimed for this one. */
	r = r ? r : pgp_parse_packets(other, other_len, 0, &oa, &e);
	so = sigs_off(&f);
	f.ans.len = so + 4 + 8;
	r = r ? r : dg_buf_put_le32(&f.ans, (uint32_t)oa.len);
	r = r ? r : dg_buf_put(&f.ans, oa.data, oa.len);
	r = r ? r : verify(&f, &rep);
	it = sig_item(&rep);
	CHECK(r == -EKEYREJECTED && !rep.signed_ok, "verify: %d %s", r, rep.error);
	CHECK(it && it->rc == DG_RPM_BAD && strstr(it->why, "handler answer rejected"),
	      "reason: %s", it ? it->why : "(no item)");
	dg_buf_free(&oa);
	teardown(&f);
}

TEST(test_rpm_liar_sig_sha256_signature_continues_the_header_hash)
{
	struct fixture f;
	struct rpm_siginfo si;
	const uint8_t *hdr;
	EVP_MD_CTX *good = EVP_MD_CTX_new(), *elsewhere = EVP_MD_CTX_new();
	int r;

	NEED_GPG();
	r = setup(&f);
	hdr = f.tp.bytes + f.tp.main_off;
	EVP_DigestInit_ex(good, EVP_sha256(), NULL);
	EVP_DigestUpdate(good, hdr, f.tp.main_len);
	EVP_DigestInit_ex(elsewhere, EVP_sha256(), NULL);
	EVP_DigestUpdate(elsewhere, hdr, f.tp.main_len - 1);
	memset(&si, 0, sizeof(si));
	r = r ? r : rpm_pgp_sigverify(f.pgp, sig, sig_len, NULL, 0, hdr, f.tp.main_len, good, &si);
	CHECK(r == 0 && si.hash_algo == 8, "with the header's own SHA-256 state: %d (hash %d)", r,
	      si.hash_algo);
	/* The state is what gets verified: one over other bytes must fail,
	 * though the data pointer still shows the right header. */
	memset(&si, 0, sizeof(si));
	r = rpm_pgp_sigverify(f.pgp, sig, sig_len, NULL, 0, hdr, f.tp.main_len, elsewhere, &si);
	CHECK(r == -EKEYREJECTED, "with a state over other bytes: %d", r);
	EVP_MD_CTX_free(good);
	EVP_MD_CTX_free(elsewhere);
	teardown(&f);
}

/*
 * Verify a package whose RSAHEADER holds the packets @a then @b (one tag,
 * two signature packets): the verdict, the signature item's description
 * into @descr and its reason into @why.
 */
static int verify_two(const uint8_t *a, size_t al, const uint8_t *b, size_t bl,
		      struct dg_rpm_report *rep, char *descr, char *why)
{
	struct fixture f;
	const struct dg_rpm_item *it;
	uint8_t *both = malloc(al + bl);
	int r;

	memcpy(both, a, al);
	if (bl)
		memcpy(both + al, b, bl);
	r = setup_sig(&f, both, al + bl);
	r = r ? r : verify(&f, rep);
	it = sig_item(rep);
	snprintf(descr, 192, "%s", it ? it->descr : "(no signature item)");
	snprintf(why, 192, "%s", it ? it->why : "");
	teardown(&f);
	free(both);
	return r;
}

/* The description of the signature item of a package signed with @s alone. */
static void descr_of(const uint8_t *s, size_t n, char *descr)
{
	struct fixture f;
	struct dg_rpm_report rep;
	const struct dg_rpm_item *it;

	descr[0] = '\0';
	if (setup_sig(&f, s, n) == 0) {
		verify(&f, &rep);
		it = sig_item(&rep);
		snprintf(descr, 192, "%s", it ? it->descr : "");
	}
	teardown(&f);
}

TEST(test_rpm_liar_sig_good_text_after_bad_binary_is_not_binary)
{
	struct dg_rpm_report rep;
	char descr[192], why[192];
	int r;

	NEED_GPG();
	/* Text alone verifies in the core, and rpm refuses its type. */
	r = verify_two(text, text_len, NULL, 0, &rep, descr, why);
	CHECK(r == -EKEYREJECTED && strstr(why, "0x01 is not a binary signature"),
	      "text alone: %d %s", r, why);
	/* The packet that verified is the text one: the tag is not binary,
	 * however good the first packet's type looks. */
	r = verify_two(bad, bad_len, text, text_len, &rep, descr, why);
	CHECK(r == -EKEYREJECTED && !rep.ok && !rep.signed_ok, "bad binary + good text: %d", r);
	CHECK(strstr(why, "0x01 is not a binary signature") != NULL, "reason: %s", why);
}

TEST(test_rpm_liar_sig_good_binary_after_text_is_accepted)
{
	struct dg_rpm_report rep;
	char descr[192], why[192], want[192];
	int r;

	NEED_GPG();
	descr_of(sig, sig_len, want);
	r = verify_two(text, text_len, sig, sig_len, &rep, descr, why);
	CHECK(r == 0 && rep.ok && rep.signed_ok, "good text + good binary: %d %s", r, rep.error);
	CHECK(!strcmp(descr, want), "descr '%s', want '%s'", descr, want);
}

TEST(test_rpm_liar_sig_good_binary_after_bad_reports_its_key_id)
{
	struct dg_rpm_report rep;
	char descr[192], why[192], want[192], theirs[192];
	int r;

	NEED_GPG();
	descr_of(sig, sig_len, want);
	descr_of(stranger, stranger_len, theirs);
	CHECK(strstr(want, "key ID") && strcmp(want, theirs), "two keys: '%s' vs '%s'", want,
	      theirs);
	/* A stranger's signature (no key) first: the key ID shown must be the
	 * one that verified. */
	r = verify_two(stranger, stranger_len, sig, sig_len, &rep, descr, why);
	CHECK(r == 0 && rep.ok && rep.signed_ok, "stranger + good: %d %s", r, rep.error);
	CHECK(!strcmp(descr, want), "descr '%s', want '%s'", descr, want);
	/* A bad signature by the same key first. */
	r = verify_two(bad, bad_len, sig, sig_len, &rep, descr, why);
	CHECK(r == 0 && rep.ok && rep.signed_ok, "bad + good: %d %s", r, rep.error);
	CHECK(!strcmp(descr, want), "descr '%s', want '%s'", descr, want);
	/* Neither verifies: the first packet is reported, as before. */
	r = verify_two(stranger, stranger_len, bad, bad_len, &rep, descr, why);
	CHECK(r == -ENOKEY && !rep.signed_ok && !strcmp(descr, theirs), "stranger + bad: %d '%s'",
	      r, descr);
}

/*
 * A signature tag holding an armored signature: rpm 4.18's pgpPrtParams()
 * reads binary packets only and reports the item BAD ("invalid OpenPGP
 * signature"); the core must not dearmor it into a good one.  The same
 * signature in binary verifies (the honest case above).
 */
TEST(test_rpm_liar_sig_armored_signature_value_is_bad)
{
	struct fixture f;
	struct dg_rpm_report rep;
	const struct dg_rpm_item *it;
	int r;

	NEED_GPG();
	r = setup_sig(&f, armored, armored_len);
	CHECK(r == 0 && armored_len > 0 && armored[0] == '-', "setup: %d", r);
	r = r ? r : verify(&f, &rep);
	it = sig_item(&rep);
	CHECK(r == -EKEYREJECTED && !rep.ok && !rep.signed_ok, "verify: %d %s", r, rep.error);
	CHECK(it && it->rc == DG_RPM_BAD && strstr(it->msg, "tag 268: invalid OpenPGP signature"),
	      "item: %s (%s)", it ? it->msg : "(no item)", it ? it->why : "");
	teardown(&f);
}

/* RSAHEADER holding @pre (@pre_len bytes) then the good signature. */
static void verify_after(const uint8_t *pre, size_t pre_len, struct dg_rpm_report *rep,
			 char *msg, char *why)
{
	struct fixture f;
	const struct dg_rpm_item *it;
	uint8_t *v = malloc(pre_len + sig_len);
	int r;

	memcpy(v, pre, pre_len);
	memcpy(v + pre_len, sig, sig_len);
	r = setup_sig(&f, v, pre_len + sig_len);
	memset(rep, 0, sizeof(*rep));
	if (r == 0)
		verify(&f, rep);
	it = sig_item(rep);
	snprintf(msg, 192, "%s", it ? it->msg : "(no signature item)");
	snprintf(why, 192, "%s", it ? it->why : "");
	teardown(&f);
	free(v);
}

/*
 * rpm 4.18's pgpPrtParams() wants a signature packet first and reports
 * anything else BAD ("invalid OpenPGP signature"), though a signature
 * follows: a marker packet (RFC 9580 §5.8), or the signature inside a
 * compressed packet (§5.6, algorithm 0: stored).
 */
TEST(test_rpm_liar_sig_signature_value_not_starting_with_a_signature_is_bad)
{
	static const uint8_t marker[] = { 0xc0 | 10, 3, 'P', 'G', 'P' };
	struct dg_rpm_report rep;
	char msg[192], why[192];
	uint8_t z[3];

	NEED_GPG();
	verify_after(marker, sizeof(marker), &rep, msg, why);
	CHECK(!rep.ok && !rep.signed_ok && strstr(msg, "tag 268: invalid OpenPGP signature"),
	      "marker first: ok=%d %s (%s)", rep.ok, msg, why);
	CHECK(sig_len + 1 < 192, "signature of %zu bytes fits a one-octet length", sig_len);
	z[0] = 0xc0 | 8;
	z[1] = (uint8_t)(sig_len + 1);
	z[2] = 0;
	verify_after(z, sizeof(z), &rep, msg, why);
	CHECK(!rep.ok && !rep.signed_ok && strstr(msg, "tag 268: invalid OpenPGP signature"),
	      "compressed: ok=%d %s (%s)", rep.ok, msg, why);
}

/* Bend the first pre-parsed record: field at @field (0 record, 4 item,
 * 8 length) becomes @v; the re-check must refuse it naming @what. */
static void bend_record(size_t field, uint32_t v, const char *what)
{
	struct fixture f;
	int r;

	r = setup(&f);
	CHECK(r == 0, "setup: %d", r);
	if (r == 0) {
		put_le32(f.ans.data + sigs_off(&f) + 4 + field, v);
		r = check(&f);
	}
	CHECK(r == -EBADMSG && strstr(err, what), "r=%d: %s", r, err);
	teardown(&f);
}

TEST(test_rpm_liar_sig_rejects_preparse_of_a_digest_tag)
{
	struct fixture f;
	uint32_t t;
	int r;

	NEED_GPG();
	r = setup(&f);
	t = tag_index(&f, RPMSIGTAG_SHA256HEADER);
	CHECK(t != UINT32_MAX, "SHA256HEADER record");
	put_le32(f.ans.data + sigs_off(&f) + 4, t);
	r = r ? r : check(&f);
	CHECK(r == -EBADMSG && strstr(err, "not a signature tag"), "r=%d: %s", r, err);
	teardown(&f);
}

TEST(test_rpm_liar_sig_rejects_record_index_out_of_range)
{
	NEED_GPG();
	bend_record(0, 9999, "not a signature tag");
}

TEST(test_rpm_liar_sig_rejects_value_index_out_of_range)
{
	NEED_GPG();
	bend_record(4, 1, "names value 1 of tag 268 (RSAHEADER), which has 1");
}

TEST(test_rpm_liar_sig_rejects_length_past_answer)
{
	NEED_GPG();
	bend_record(8, 0xfffffff0u, "runs past the answer");
}

TEST(test_rpm_liar_sig_rejects_duplicate_and_overstated_count)
{
	struct fixture f;
	size_t so, rl;
	int r;

	NEED_GPG();
	r = setup(&f);
	so = sigs_off(&f);
	rl = f.ans.len - so - 4;
	/* The same record twice. */
	put_le32(f.ans.data + so, 2);
	r = r ? r : dg_buf_reserve(&f.ans, rl);	/* the copy's source must not move */
	r = r ? r : dg_buf_put(&f.ans, f.ans.data + so + 4, rl);
	r = r ? r : check(&f);
	CHECK(r == -EBADMSG && strstr(err, "pre-parsed twice"), "duplicate: %d %s", r, err);
	/* Bytes after the last record. */
	put_le32(f.ans.data + so, 1);
	r = check(&f);
	CHECK(r == -EBADMSG && strstr(err, "after the last record"), "trailing: %d %s", r, err);
	/* A count the bytes cannot hold. */
	f.ans.len = so + 4 + rl;
	put_le32(f.ans.data + so, 2);
	r = check(&f);
	CHECK(r == -EBADMSG && strstr(err, "runs past the answer"), "overstated: %d %s", r, err);
	put_le32(f.ans.data + so, 0xffffffffu);
	r = check(&f);
	CHECK(r == -EBADMSG && strstr(err, "count"), "huge count: %d %s", r, err);
	teardown(&f);
}

/* gpg: a key and two signatures over the package's main header (exit 77,
 * a skip, only when gpg is not installed). */
static void make_signatures(void)
{
	struct tp_pkg tp;
	char cmd[4 * PATH_MAX];
	FILE *fp;

	tp_build(&tp, TP_GOODSIG);
	fp = fopen(path_of("hdr"), "wb");
	if (!fp) {
		fixture_gen_fail(&gen, "%s: %s", path_of("hdr"), strerror(errno));
		free(tp.bytes);
		return;
	}
	fwrite(tp.bytes + tp.main_off, 1, tp.main_len, fp);
	fclose(fp);
	free(tp.bytes);
	snprintf(cmd, sizeof(cmd),
		 "command -v gpg >/dev/null || { echo 'gpg is not installed' >&2; exit 77; }; "
		 "cd '%s' && export GNUPGHOME='%s/gnupg' && mkdir -m 700 gnupg && "
		 "G='gpg --batch --quiet --no-tty --pinentry-mode loopback --passphrase \"\"' && "
		 "timeout 60 $G --quick-gen-key 'rpm liar <liar@rpm.test>' ed25519 sign never && "
		 "$G --export liar@rpm.test >key.pub && "
		 "$G -u liar@rpm.test --detach-sign -o hdr.sig hdr && "
		 "$G -u liar@rpm.test --sig-notation n@rpm.test=another-signature "
		 "--detach-sign -o other.sig hdr && "
		 "$G -u liar@rpm.test --textmode --detach-sign -o text.sig hdr && "
		 "$G -u liar@rpm.test --armor --detach-sign -o armored.sig hdr && "
		 "cp hdr not-hdr && printf x >>not-hdr && "
		 "$G -u liar@rpm.test --detach-sign -o bad.sig not-hdr && "
		 "timeout 60 $G --quick-gen-key 'rpm stranger <stranger@rpm.test>' ed25519 sign never && "
		 "$G -u stranger@rpm.test --detach-sign -o stranger.sig hdr; r=$?; "
		 "gpgconf --kill gpg-agent; exit $r",
		 dir, dir);
	fixture_gen_run(&gen, "gpg", cmd, path_of("gpg.stderr"), path_of("stranger.sig"));
	if (gen.status != FIXTURE_GEN_OK)
		return;
	if (tap_read_file(path_of("hdr.sig"), &sig, &sig_len) < 0 ||
	    tap_read_file(path_of("other.sig"), &other, &other_len) < 0 ||
	    tap_read_file(path_of("text.sig"), &text, &text_len) < 0 ||
	    tap_read_file(path_of("bad.sig"), &bad, &bad_len) < 0 ||
	    tap_read_file(path_of("stranger.sig"), &stranger, &stranger_len) < 0 ||
	    tap_read_file(path_of("armored.sig"), &armored, &armored_len) < 0)
		fixture_gen_fail(&gen, "gpg exited 0 but a signature file is unreadable");
	else if (sig_len == other_len)
		fixture_gen_fail(&gen, "the signature with a notation is no longer than the one without");
}

int main(void)
{
	char cmd[PATH_MAX + 16];

	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	make_signatures();
	RUN(test_fixture_generator_succeeds);
	RUN(test_rpm_liar_sig_honest_preparse_verifies_in_one_round_trip);
	RUN(test_rpm_liar_sig_without_preparse_the_core_asks_the_handler);
	RUN(test_rpm_liar_sig_tampered_header_with_honest_preparse_is_bad);
	RUN(test_rpm_liar_sig_forged_signed_region_is_rejected);
	RUN(test_rpm_liar_sig_forged_algorithm_is_rejected);
	RUN(test_rpm_liar_sig_answer_about_another_signature_is_rejected);
	RUN(test_rpm_liar_sig_sha256_signature_continues_the_header_hash);
	RUN(test_rpm_liar_sig_good_text_after_bad_binary_is_not_binary);
	RUN(test_rpm_liar_sig_good_binary_after_text_is_accepted);
	RUN(test_rpm_liar_sig_good_binary_after_bad_reports_its_key_id);
	RUN(test_rpm_liar_sig_armored_signature_value_is_bad);
	RUN(test_rpm_liar_sig_signature_value_not_starting_with_a_signature_is_bad);
	RUN(test_rpm_liar_sig_rejects_preparse_of_a_digest_tag);
	RUN(test_rpm_liar_sig_rejects_record_index_out_of_range);
	RUN(test_rpm_liar_sig_rejects_value_index_out_of_range);
	RUN(test_rpm_liar_sig_rejects_length_past_answer);
	RUN(test_rpm_liar_sig_rejects_duplicate_and_overstated_count);
	free(sig);
	free(other);
	free(text);
	free(bad);
	free(stranger);
	free(armored);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}

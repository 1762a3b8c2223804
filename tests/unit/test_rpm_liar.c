// SPDX-License-Identifier: MIT
/*
 * Liar handler answers fed to the trusted RPM core's re-check
 * (rpm_check_answer): each forged claim is rejected with a clear message,
 * so that even a fully compromised rpm handler cannot make the core accept
 * a digest outside the signed main header.  The honest answer comes from
 * the real parser (in process); each case bends one field of it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cursor.h"
#include "tap.h"
#include "test_rpm_pkg.h"
#include "../../src/core/rpm/rpm_core.h"
#include "../../src/handlers/rpm/rpm_parse.h"

static char err[320];

/* Accepts exactly TP_GOODSIG over exactly the bytes it was given. */
static const uint8_t *expect_data;
static size_t expect_len;

static int fake_verify(void *ctx, const uint8_t *sig, size_t sig_len, const uint8_t *parsed,
		       size_t parsed_len, const uint8_t *data, size_t data_len,
		       const void *data_sha256, struct rpm_siginfo *info)
{
	(void)ctx;
	(void)parsed;
	(void)parsed_len;
	(void)data_sha256;
	info->parsed = 1;
	info->version = 4;
	info->pk_algo = 1;
	info->hash_algo = 8;
	memcpy(info->keyid, "\1\2\3\4\5\6\7\x8", 8);
	if (sig_len != strlen(TP_GOODSIG) || memcmp(sig, TP_GOODSIG, sig_len))
		return -EKEYREJECTED;
	if (data_len != expect_len || memcmp(data, expect_data, data_len))
		return -EKEYREJECTED;
	return 0;
}

struct fixture {
	struct tp_pkg tp;
	struct dg_buf ans;
	struct rpm_pkg pkg;
};

static void setup(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	tp_build(&f->tp, TP_GOODSIG);
	expect_data = f->tp.bytes + f->tp.main_off;
	expect_len = f->tp.main_len;
	if (rpm_parse(f->tp.bytes, f->tp.len, f->tp.len, &f->ans, err, sizeof(err)) < 0)
		printf("# honest parse failed: %s\n", err);
	f->pkg.name = "liar.rpm";
	f->pkg.buf = f->tp.bytes;
	f->pkg.buf_len = f->tp.main_off + f->tp.main_len;
	f->pkg.file_size = f->tp.len;
}

static void teardown(struct fixture *f)
{
	rpm_pkg_release(&f->pkg);
	dg_buf_free(&f->ans);
	free(f->tp.bytes);
}

static uint32_t ans32(const struct fixture *f, size_t off)
{
	struct dg_cur c = cur_init(f->ans.data + off, 4);
	uint32_t v = 0;

	cur_le32(&c, &v);
	return v;
}

/* Answer offset of the tag record for (@hdr, @tag). */
static size_t tag_rec(const struct fixture *f, int hdr, uint32_t tag)
{
	uint32_t n = ans32(f, 64), i;

	for (i = 0; i < n; i++) {
		size_t o = RPM_ANS_FIXED + (size_t)i * RPM_ANS_TAG_SIZE;

		if (f->ans.data[o] == hdr && ans32(f, o + 4) == tag)
			return o;
	}
	return 0;
}

/* Answer offset of string record @i. */
static size_t str_rec(const struct fixture *f, uint32_t i)
{
	return RPM_ANS_FIXED + (size_t)ans32(f, 64) * RPM_ANS_TAG_SIZE + (size_t)i * RPM_ANS_STR_SIZE;
}

static int check(struct fixture *f)
{
	err[0] = '\0';
	return rpm_check_answer(&f->pkg, f->ans.data, f->ans.len, err, sizeof(err));
}

static int count_file(const struct dg_rpm_file *file, void *ctx)
{
	char *seen = ctx;

	strncat(seen, file->path, 64);
	strncat(seen, "=", 2);
	strncat(seen, file->hex, 65);
	strncat(seen, ";", 2);
	return 0;
}

TEST(test_rpm_liar_honest_answer_yields_only_signed_digest)
{
	struct fixture f;
	struct rpm_verifier v = { .fn = fake_verify };
	struct dg_rpm_report rep;
	char seen[512] = "", want[512];
	int r;

	setup(&f);
	r = check(&f);
	CHECK(r == 0, "honest answer rejected: %s", err);
	memset(&rep, 0, sizeof(rep));
	r = r ? r : rpm_verify_pkg(&f.pkg, &v, &rep);
	CHECK(r == 0 && rep.ok && rep.signed_ok, "verify: %d %s", r, rep.error);
	r = r ? r : rpm_pkg_files(&f.pkg, 0, count_file, seen, err, sizeof(err));
	snprintf(want, sizeof(want), "/usr/a=%s;", f.tp.digest_a);
	CHECK(r == 0 && !strcmp(seen, want), "files: %d '%s' (%s)", r, seen, err);
	teardown(&f);
}

/* A handler that let through a lead rpm refuses: the core reads it itself. */
TEST(test_rpm_liar_rejects_a_lead_rpm_would_refuse)
{
	struct fixture f;
	int r;

	setup(&f);
	f.tp.bytes[4] = 5;		/* package version 5 */
	r = check(&f);
	CHECK(r == -EOPNOTSUPP && strstr(err, "unsupported package version 5"), "%d %s", r, err);
	f.tp.bytes[4] = 3;		/* version 3 is read, as by rpm */
	r = check(&f);
	CHECK(r == 0, "version 3: %d %s", r, err);
	rpm_pkg_release(&f.pkg);
	f.tp.bytes[79] = 1;		/* signature type 1, not header-style */
	r = check(&f);
	CHECK(r == -EOPNOTSUPP && strstr(err, "unsupported signature type 1"), "%d %s", r, err);
	teardown(&f);
}

TEST(test_rpm_liar_rejects_digest_not_in_header)
{
	struct fixture f;
	size_t t, s;
	uint32_t first;

	setup(&f);
	/* Point file 0's digest string at the payload, where the attacker put
	 * 64 hex digits of their choosing. */
	t = tag_rec(&f, RPM_HDR_MAIN, RPMTAG_FILEDIGESTS);
	first = ans32(&f, t + 28);
	s = str_rec(&f, first);
	put_le32(f.ans.data + s, (uint32_t)(f.tp.len - sizeof(TP_PAYLOAD) + 15));
	put_le32(f.ans.data + s + 4, 64);
	CHECK(check(&f) == -EBADMSG, "accepted: %s", err);
	CHECK(strstr(err, "FILEDIGESTS") && strstr(err, "string 0"), "message: %s", err);
	teardown(&f);
}

TEST(test_rpm_liar_rejects_digest_span_outside_filedigests)
{
	struct fixture f;
	size_t t, s, tb;
	uint32_t first, firstb;

	setup(&f);
	/* File 0's digest "is" BASENAMES' first string: inside the signed
	 * header, but not inside FILEDIGESTS. */
	t = tag_rec(&f, RPM_HDR_MAIN, RPMTAG_FILEDIGESTS);
	tb = tag_rec(&f, RPM_HDR_MAIN, RPMTAG_BASENAMES);
	first = ans32(&f, t + 28);
	firstb = ans32(&f, tb + 28);
	s = str_rec(&f, first);
	memcpy(f.ans.data + s, f.ans.data + str_rec(&f, firstb), 8);
	CHECK(check(&f) == -EBADMSG, "accepted: %s", err);
	CHECK(strstr(err, "FILEDIGESTS") != NULL, "message: %s", err);
	teardown(&f);
}

TEST(test_rpm_liar_rejects_filedigests_data_moved)
{
	struct fixture f;
	size_t t;

	setup(&f);
	/* The FILEDIGESTS record claims its data lives 8 bytes later. */
	t = tag_rec(&f, RPM_HDR_MAIN, RPMTAG_FILEDIGESTS);
	put_le32(f.ans.data + t + 20, ans32(&f, t + 20) + 8);
	CHECK(check(&f) == -EBADMSG, "accepted: %s", err);
	CHECK(strstr(err, "FILEDIGESTS") && strstr(err, "not where the index entry points"),
	      "message: %s", err);
	teardown(&f);
}

TEST(test_rpm_liar_rejects_entry_of_another_tag)
{
	struct fixture f;
	size_t t, tb;

	setup(&f);
	/* FILEDIGESTS claims BASENAMES' index entry. */
	t = tag_rec(&f, RPM_HDR_MAIN, RPMTAG_FILEDIGESTS);
	tb = tag_rec(&f, RPM_HDR_MAIN, RPMTAG_BASENAMES);
	put_le32(f.ans.data + t + 16, ans32(&f, tb + 16));
	CHECK(check(&f) == -EBADMSG, "accepted: %s", err);
	CHECK(strstr(err, "differs from the index entry"), "message: %s", err);
	teardown(&f);
}

TEST(test_rpm_liar_rejects_region_signature_does_not_cover)
{
	struct fixture f;

	setup(&f);
	/* Claim a main header region 16 bytes shorter: the signature would be
	 * checked over different bytes than the header's own intro declares. */
	put_le32(f.ans.data + 44, ans32(&f, 44) - 16);
	CHECK(check(&f) == -EBADMSG, "accepted: %s", err);
	CHECK(strstr(err, "main header region") && strstr(err, "own intro"), "message: %s", err);
	teardown(&f);
}

TEST(test_rpm_liar_rejects_shifted_main_header)
{
	struct fixture f;

	setup(&f);
	put_le32(f.ans.data + 40, ans32(&f, 40) + 8);
	CHECK(check(&f) == -EBADMSG, "accepted: %s", err);
	CHECK(strstr(err, "main header region"), "message: %s", err);
	teardown(&f);
}

TEST(test_rpm_liar_rejects_hidden_signature_tag)
{
	struct fixture f;
	size_t t;

	setup(&f);
	/* Rename RSAHEADER to DSAHEADER in the claim: the entry says 268. */
	t = tag_rec(&f, RPM_HDR_SIG, RPMSIGTAG_RSAHEADER);
	put_le32(f.ans.data + t + 4, RPMSIGTAG_DSAHEADER);
	CHECK(check(&f) == -EBADMSG, "accepted: %s", err);
	teardown(&f);

	/* Drop the FILEDIGESTS record entirely (n_tags - 1, records shifted). */
	setup(&f);
	{
		uint32_t n = ans32(&f, 64);
		size_t td = tag_rec(&f, RPM_HDR_MAIN, RPMTAG_FILEDIGESTS);

		memmove(f.ans.data + td, f.ans.data + td + RPM_ANS_TAG_SIZE,
			f.ans.len - td - RPM_ANS_TAG_SIZE);
		f.ans.len -= RPM_ANS_TAG_SIZE;
		put_le32(f.ans.data + 64, n - 1);
	}
	CHECK(check(&f) == -EBADMSG, "accepted: %s", err);
	CHECK(strstr(err, "left out") && strstr(err, "FILEDIGESTS"), "message: %s", err);
	teardown(&f);
}

TEST(test_rpm_liar_rejects_string_swallowing_nul)
{
	struct fixture f;
	size_t t, s;

	setup(&f);
	t = tag_rec(&f, RPM_HDR_MAIN, RPMTAG_BASENAMES);
	s = str_rec(&f, ans32(&f, t + 28));
	put_le32(f.ans.data + s + 4, ans32(&f, s + 4) + 2);	/* "a\0d" */
	CHECK(check(&f) == -EBADMSG, "accepted: %s", err);
	CHECK(strstr(err, "BASENAMES"), "message: %s", err);
	teardown(&f);
}

TEST(test_rpm_liar_rejects_wrong_file_size_and_payload)
{
	struct fixture f;

	setup(&f);
	put_le64(f.ans.data + 16, f.tp.len + 1);
	CHECK(check(&f) == -EBADMSG && strstr(err, "file size"), "accepted: %s", err);
	teardown(&f);
	setup(&f);
	put_le64(f.ans.data + 56, f.tp.len - 4);
	CHECK(check(&f) == -EBADMSG && strstr(err, "payload"), "accepted: %s", err);
	teardown(&f);
}

TEST(test_rpm_liar_rejects_huge_counts)
{
	struct fixture f;

	setup(&f);
	put_le32(f.ans.data + 64, 0xffffffffu);
	CHECK(check(&f) == -EBADMSG, "accepted: %s", err);
	teardown(&f);
	setup(&f);
	put_le32(f.ans.data + 68, 0x7fffffffu);
	CHECK(check(&f) == -EBADMSG, "accepted: %s", err);
	teardown(&f);
	setup(&f);
	{
		size_t t = tag_rec(&f, RPM_HDR_MAIN, RPMTAG_BASENAMES);

		put_le32(f.ans.data + t + 28, 0xfffffff0u);	/* first_string */
	}
	CHECK(check(&f) == -EBADMSG, "accepted: %s", err);
	teardown(&f);
}

TEST(test_rpm_liar_rejects_truncated_answer)
{
	struct fixture f;
	size_t n;
	int bad = 0;

	setup(&f);
	for (n = 0; n < f.ans.len; n++) {
		if (rpm_check_answer(&f.pkg, f.ans.data, n, err, sizeof(err)) != -EBADMSG)
			bad++;
		rpm_pkg_release(&f.pkg);
	}
	CHECK(bad == 0, "%d truncated answers not rejected", bad);
	teardown(&f);
}

TEST(test_rpm_liar_tampered_header_fails_signature)
{
	struct fixture f;
	struct rpm_verifier v = { .fn = fake_verify };
	struct dg_rpm_report rep;
	uint8_t *copy;
	int r;

	/* The handler is honest, but the file's header changed after signing:
	 * the core's own digest and signature checks over its bytes fail. */
	setup(&f);
	copy = malloc(f.tp.len);
	memcpy(copy, f.tp.bytes, f.tp.len);
	expect_data = copy + f.tp.main_off;
	/* NAME "tp" becomes "up": the first byte of the main header's data. */
	f.tp.bytes[f.tp.main_off + 16 + 12 * 16] ^= 1;
	dg_buf_reset(&f.ans);
	r = rpm_parse(f.tp.bytes, f.tp.len, f.tp.len, &f.ans, err, sizeof(err));
	r = r ? r : check(&f);
	CHECK(r == 0, "tampered but well-formed header must parse: %s", err);
	memset(&rep, 0, sizeof(rep));
	r = rpm_verify_pkg(&f.pkg, &v, &rep);
	CHECK(r == -EKEYREJECTED && !rep.ok && !rep.signed_ok, "verify: %d", r);
	CHECK(rep.n_items >= 2 && rep.items[0].kind == DG_RPM_SIGNATURE &&
	      rep.items[0].rc == DG_RPM_BAD && rep.items[1].rc == DG_RPM_BAD,
	      "signature and SHA256 digest BAD");
	CHECK(strstr(rep.error, "BAD") != NULL, "error: %s", rep.error);
	free(copy);
	teardown(&f);
}

TEST(test_rpm_liar_weak_file_digests_refused)
{
	struct fixture f;
	char seen[512] = "";
	uint8_t *algo;
	size_t t;
	int r;

	setup(&f);
	CHECK(check(&f) == 0, "%s", err);
	t = tag_rec(&f, RPM_HDR_MAIN, RPMTAG_FILEDIGESTALGO);
	algo = f.tp.bytes + ans32(&f, t + 20);
	algo[3] = 2;	/* SHA-1: the hex lengths then disagree too, but policy comes first */
	r = rpm_pkg_files(&f.pkg, 0, count_file, seen, err, sizeof(err));
	CHECK(r == -EOPNOTSUPP && strstr(err, "SHA1") && strstr(err, "--allow-weak"),
	      "r=%d %s", r, err);
	algo[3] = 8;
	teardown(&f);
}

/*
 * A header whose third file is malformed (an out-of-range DIRINDEXES item,
 * a FILEDIGESTS item that is not hex): the package fails, and no file of
 * it reaches the callback, not even the good first one (`rpm digests`
 * prints from the callback).
 */
TEST(test_rpm_liar_malformed_file_yields_no_file_at_all)
{
	struct fixture f;
	char seen[512];
	uint8_t *p[2], save;
	size_t t;
	int r, k;

	setup(&f);
	CHECK(check(&f) == 0, "%s", err);
	/* File 2 ("g") stops being %ghost, so that it is listed. */
	t = tag_rec(&f, RPM_HDR_MAIN, RPMTAG_FILEFLAGS);
	f.tp.bytes[ans32(&f, t + 20) + 11] = 0;
	t = tag_rec(&f, RPM_HDR_MAIN, RPMTAG_DIRINDEXES);
	p[0] = f.tp.bytes + ans32(&f, t + 20) + 11;	/* 1: DIRNAMES has one */
	t = tag_rec(&f, RPM_HDR_MAIN, RPMTAG_FILEDIGESTS);
	p[1] = f.tp.bytes + f.pkg.strs[ans32(&f, t + 28) + 2].off + 5;	/* 'g' */
	for (k = 0; k < 2; k++) {
		save = *p[k];
		*p[k] = k == 0 ? 1 : 'g';
		seen[0] = '\0';
		err[0] = '\0';
		r = rpm_pkg_files(&f.pkg, 0, count_file, seen, err, sizeof(err));
		CHECK(r == -EBADMSG && !seen[0], "case %d: r=%d files '%s' (%s)", k, r, seen, err);
		*p[k] = save;
	}
	seen[0] = '\0';
	r = rpm_pkg_files(&f.pkg, 0, count_file, seen, err, sizeof(err));
	CHECK(r == 0 && strstr(seen, "/usr/a=") && strstr(seen, "/usr/g="), "restored: %d '%s'",
	      r, seen);
	teardown(&f);
}

/* rpm's RPMTAG_ENCODING, a string tag the core does not use. */
#define TP_TAG_ENCODING 5062

TEST(test_rpm_liar_rejects_filedigestalgo_without_a_value)
{
	static const char *const encs[] = { "u", "ut", "utf", "utf-" };
	struct fixture f;
	char seen[512] = "";
	uint8_t *hdrs = NULL, *ent;
	uint32_t dl = 0, data;
	size_t t = 0, i;
	int r = -1;

	/*
	 * A main header whose data size is 1 modulo 4 (an ENCODING string
	 * of the right length at its end), so that the last aligned offset,
	 * dl - 1, is one byte before the end of the headers the core read: a
	 * FILEDIGESTALGO there with count 0 (the handler refuses that, a liar
	 * need not) must not be read as 4 bytes.
	 */
	memset(&f, 0, sizeof(f));
	for (i = 0; i < 4; i++) {
		const struct tp_ent e = {
			TP_TAG_ENCODING, RPM_TYPE_STRING, 1, encs[i], strlen(encs[i]) + 1,
		};

		free(f.tp.bytes);
		tp_build_ext(&f.tp, TP_GOODSIG, strlen(TP_GOODSIG), &e, 1);
		dl = get_be32(f.tp.bytes + f.tp.main_off + 12);
		if (dl % 4 == 1)
			break;
	}
	CHECK(dl % 4 == 1, "main header data size %u", dl);
	f.pkg.name = "liar.rpm";
	f.pkg.buf_len = f.tp.main_off + f.tp.main_len;
	f.pkg.file_size = f.tp.len;
	if (dl % 4 == 1)
		r = rpm_parse(f.tp.bytes, f.tp.len, f.tp.len, &f.ans, err, sizeof(err));
	CHECK(r == 0, "honest parse: %s", err);
	if (r == 0)
		t = tag_rec(&f, RPM_HDR_MAIN, RPMTAG_FILEDIGESTALGO);
	CHECK(t != 0, "FILEDIGESTALGO record");
	if (t) {
		data = (uint32_t)f.tp.main_off + 16 +
		       16 * get_be32(f.tp.bytes + f.tp.main_off + 8);
		/* Entry and record agree: count 0, data at dl - 1, no bytes. */
		ent = f.tp.bytes + ans32(&f, t + 16);
		tp_be32(ent + 8, dl - 1);
		tp_be32(ent + 12, 0);
		put_le32(f.ans.data + t + 12, 0);
		put_le32(f.ans.data + t + 20, data + dl - 1);
		put_le32(f.ans.data + t + 24, 0);
		/* The core holds exactly the headers (rpm.c load()): copy them
		 * to a buffer of that size, so that ASan sees a read past it. */
		hdrs = malloc(f.pkg.buf_len);
		memcpy(hdrs, f.tp.bytes, f.pkg.buf_len);
		f.pkg.buf = hdrs;
		r = check(&f);
		CHECK(r == 0, "count-0 FILEDIGESTALGO passes the re-check: %s", err);
		err[0] = '\0';
		r = r ? r : rpm_pkg_files(&f.pkg, 0, count_file, seen, err, sizeof(err));
		CHECK(r == -EBADMSG && strstr(err, "liar.rpm: FILEDIGESTALGO") && !seen[0],
		      "r=%d '%s' files '%s'", r, err, seen);
	}
	teardown(&f);
	free(hdrs);
}

/*
 * DG_WRITE_FUZZ_SEEDS=DIR: write the honest (package, answer) pair of the
 * test package, and of each file named in DG_FUZZ_SEED_RPMS (blank-
 * separated), as seeds for fuzz/core_rpm_recheck_fuzz.c (le32 package
 * length, package, answer).
 */
static void write_seed(const char *dir, const char *name, const uint8_t *pkg, size_t len)
{
	struct dg_buf ans = { .max = 64u << 20 };
	char fn[4096];
	uint8_t hdr[4];
	FILE *f;

	if (rpm_parse(pkg, len, len, &ans, err, sizeof(err)) < 0) {
		printf("# %s: no seed: %s\n", name, err);
		dg_buf_free(&ans);
		return;
	}
	hdr[0] = (uint8_t)len, hdr[1] = (uint8_t)(len >> 8);
	hdr[2] = (uint8_t)(len >> 16), hdr[3] = (uint8_t)(len >> 24);
	snprintf(fn, sizeof(fn), "%s/seed-%s", dir, name);
	f = fopen(fn, "wb");
	if (f) {
		fwrite(hdr, 1, 4, f);
		fwrite(pkg, 1, len, f);
		fwrite(ans.data, 1, ans.len, f);
		fclose(f);
	}
	dg_buf_free(&ans);
}

static void write_seeds(const char *dir)
{
	char *list = getenv("DG_FUZZ_SEED_RPMS") ? strdup(getenv("DG_FUZZ_SEED_RPMS")) : NULL;
	char *save = NULL, *path;
	struct tp_pkg tp;

	tp_build(&tp, TP_GOODSIG);
	write_seed(dir, "test.rpm", tp.bytes, tp.len);
	free(tp.bytes);
	for (path = list ? strtok_r(list, " ", &save) : NULL; path; path = strtok_r(NULL, " ", &save)) {
		FILE *f = fopen(path, "rb");
		uint8_t *b = malloc(1u << 20);
		size_t n = f && b ? fread(b, 1, 1u << 20, f) : 0;
		const char *base = strrchr(path, '/');

		if (n)
			write_seed(dir, base ? base + 1 : path, b, n);
		if (f)
			fclose(f);
		free(b);
	}
	free(list);
}

int main(void)
{
	if (getenv("DG_WRITE_FUZZ_SEEDS"))
		write_seeds(getenv("DG_WRITE_FUZZ_SEEDS"));
	RUN(test_rpm_liar_honest_answer_yields_only_signed_digest);
	RUN(test_rpm_liar_rejects_a_lead_rpm_would_refuse);
	RUN(test_rpm_liar_rejects_digest_not_in_header);
	RUN(test_rpm_liar_rejects_digest_span_outside_filedigests);
	RUN(test_rpm_liar_rejects_filedigests_data_moved);
	RUN(test_rpm_liar_rejects_entry_of_another_tag);
	RUN(test_rpm_liar_rejects_region_signature_does_not_cover);
	RUN(test_rpm_liar_rejects_shifted_main_header);
	RUN(test_rpm_liar_rejects_hidden_signature_tag);
	RUN(test_rpm_liar_rejects_string_swallowing_nul);
	RUN(test_rpm_liar_rejects_wrong_file_size_and_payload);
	RUN(test_rpm_liar_rejects_huge_counts);
	RUN(test_rpm_liar_rejects_truncated_answer);
	RUN(test_rpm_liar_tampered_header_fails_signature);
	RUN(test_rpm_liar_weak_file_digests_refused);
	RUN(test_rpm_liar_rejects_filedigestalgo_without_a_value);
	RUN(test_rpm_liar_malformed_file_yields_no_file_at_all);
	return tap_done();
}

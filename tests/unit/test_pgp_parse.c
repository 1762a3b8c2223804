// SPDX-License-Identifier: MIT
/*
 * The OpenPGP handler's parse code, in process (ASan/UBSan apply), against
 * inputs that real gpg generates at test time (tests/data/pgp/seed-fuzz.sh)
 * and the third-party samples in $DG_CORPORA/pgp (unset: ../shared/corpora
 * or /work/shared/corpora; skipped when absent).  Every answer is also checked with pgp_answer_validate().
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "buf.h"
#include "cursor.h"
#include "pgp_parse.h"
#include "tap.h"
#include "fixture_gen.h"

#ifndef DG_SRCDIR
#define DG_SRCDIR "."
#endif

static char fx[256];	/* fixture directory */
static uint16_t req_flags;	/* PGP_REQ_F_* for call() */
static const char *corpora;
static char corpora_dir[4096];
static char no_corpora[4096 + 8] = "DG_CORPORA unset, and no ../shared/corpora/pgp nor /work/shared/corpora/pgp";

struct res {
	int r;
	struct pgp_err e;
	struct dg_buf ans;
	uint8_t *req;		/* header + input; input at req + 16 */
	size_t inlen;
};

static const uint8_t *in_of(const struct res *x)
{
	return x->req + PGP_REQ_HDR_LEN;
}

static uint32_t u32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void res_free(struct res *x)
{
	dg_buf_free(&x->ans);
	free(x->req);
	memset(x, 0, sizeof(*x));
}

/* Run one request in process; on success also validate the answer. */
static int call(struct res *x, uint16_t type, const void *in, size_t len, uint32_t depth)
{
	memset(x, 0, sizeof(*x));
	x->req = malloc(len + PGP_REQ_HDR_LEN);
	if (!x->req)
		return -ENOMEM;
	pgp_req_hdr_put_flags(x->req, depth, req_flags);
	if (len)
		memcpy(x->req + PGP_REQ_HDR_LEN, in, len);
	x->inlen = len;
	x->r = pgp_handle_request(type, x->req, len + PGP_REQ_HDR_LEN, &x->ans, &x->e);
	if (x->r == 0) {
		struct pgp_err ve = { { 0 } };

		if (pgp_answer_validate(x->ans.data, x->ans.len, in_of(x), len, &ve) < 0) {
			printf("# answer breaks pgp_proto.h: %s\n", ve.msg);
			x->r = -EPROTO;
		}
	} else {
		printf("# (expected or not) error %d: %s\n", x->r, x->e.msg);
	}
	return x->r;
}

/* The @nth record of @type (counting from 0), or NULL. */
static const uint8_t *rec(const struct res *x, uint16_t type, uint32_t nth, uint32_t *len)
{
	const uint8_t *p = x->ans.data + PGP_ANS_HDR_LEN;
	uint32_t n = u32(x->ans.data + 12), i;

	for (i = 0; i < n; i++) {
		uint16_t t = (uint16_t)(p[0] | p[1] << 8);
		uint32_t l = u32(p + 4);

		if (t == type && nth-- == 0) {
			if (len)
				*len = l;
			return p + PGP_REC_HDR_LEN;
		}
		p += PGP_REC_HDR_LEN + l;
	}
	return NULL;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		b = malloc((size_t)n + 1);
		if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
			free(b);
			b = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return b;
}

static uint8_t *fixture(const char *name, size_t *len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", fx, name);
	return slurp(path, len);
}

static struct fixture_gen gen;	/* seed-fuzz.sh */
#define NEED_GPG() FIXTURE_NEED(&gen)

TEST(test_fixture_generator_succeeds)
{
	FIXTURE_GEN_CASE(&gen);
}

/* Dearmor @name and return a copy of block @blk's decoded bytes. */
static uint8_t *dearmored(const uint8_t *in, size_t len, uint32_t blk, size_t *out)
{
	struct res x;
	const uint8_t *d;
	uint32_t dl;
	uint8_t *copy = NULL;

	if (call(&x, PGP_REQ_DEARMOR, in, len, 0) == 0 &&
	    (d = rec(&x, PGP_REC_ARMOR_DATA, blk, &dl))) {
		copy = malloc(dl + 1);
		memcpy(copy, d + 4, dl - 4);
		*out = dl - 4;
	}
	res_free(&x);
	return copy;
}

/* ---------------------------------------------------------------- armor */

/* gpg's armored RSA signature (*@al bytes) and its decoding (*@dec, *@dl),
 * for the tests that decode an edited copy and compare. */
static uint8_t *armored_sig(size_t *al, uint8_t **dec, size_t *dl)
{
	uint8_t *asc = fixture("sig-rsa.asc", al);

	CHECK(asc != NULL, "fixture");
	*dec = asc ? dearmored(asc, *al, 0, dl) : NULL;
	return asc;
}

TEST(test_armor_decodes_to_the_same_bytes_as_gpg_binary_export)
{
	size_t al, bl, dl = 0;
	uint8_t *asc, *bin, *dec;

	NEED_GPG();
	asc = fixture("key-ed25519.asc", &al);
	bin = fixture("key-ed25519.gpg", &bl);
	dec = asc ? dearmored(asc, al, 0, &dl) : NULL;
	CHECK(dec && bin && dl == bl && memcmp(dec, bin, bl) == 0,
	      "armored export decodes to %zu bytes, binary export has %zu", dl, bl);
	free(asc);
	free(bin);
	free(dec);
}

TEST(test_armor_reports_crc_and_base64_line_spans)
{
	struct res x;
	size_t al;
	uint8_t *asc;
	const uint8_t *a;
	uint32_t i, nl, nh;

	NEED_GPG();
	asc = fixture("sig-rsa.asc", &al);
	CHECK(asc && call(&x, PGP_REQ_DEARMOR, asc, al, 0) == 0, "dearmor");
	a = x.r == 0 ? rec(&x, PGP_REC_ARMOR, 0, NULL) : NULL;
	CHECK(a && a[4] == PGP_ARMOR_SIGNATURE, "kind SIGNATURE");
	CHECK(a && (a[5] & PGP_ARMOR_F_CRC) && u32(a + 32) == 4 &&
	      in_of(&x)[u32(a + 28) - 1] == '=', "CRC line reported");
	nh = a ? u32(a + 40) : 0;
	nl = a ? u32(a + 44) : 0;
	CHECK(nl >= 2, "several base64 lines");
	for (i = 0; a && i < nl; i++) {
		const uint8_t *s = a + PGP_REC_ARMOR_FIXED + 16 * nh + 8 * i;
		const uint8_t *p = in_of(&x) + u32(s);

		CHECK(u32(s + 4) > 0 && memchr(p, '\n', u32(s + 4)) == NULL &&
		      (p[u32(s + 4)] == '\n' || p[u32(s + 4)] == '\r'),
		      "line %u span is exactly the base64 text", i);
	}
	res_free(&x);
	free(asc);
}

/*
 * RFC 9580 §6: base64 decoding ignores whitespace.  The same armor with
 * its body lines indented, split by blanks and a tab, and the checksum line
 * indented decodes to the same bytes; each blank-free run is a span of its
 * own, so the spans hold base64 characters only.
 */
TEST(test_armor_blanks_in_body_are_ignored)
{
	struct res x;
	size_t al, dl = 0, dl2 = 0, i, o = 0;
	uint8_t *asc, *ws = NULL, *dec = NULL, *dec2 = NULL;
	const uint8_t *a;
	uint32_t nl = 0, nh = 0, k;
	int bol = 0, body = 0, crc = 0;

	NEED_GPG();
	if (!(asc = armored_sig(&al, &dec, &dl)))
		return;
	ws = malloc(al * 3 + 8);
	/* Indent every body line (after the blank line that ends the armor
	 * headers, up to END) with "  \t", and put " \t " after every 10th
	 * character of a base64 line (not inside the checksum line: where the
	 * 10th characters fall depends on the signature's length). */
	for (i = 0; i < al; i++) {
		if (bol)
			crc = asc[i] == '=';
		if (bol && asc[i] == '\n' && !body)
			body = 1;	/* the blank line after the headers */
		else if (bol && asc[i] == '-')
			body = 0;	/* the END line */
		else if (bol && body)
			ws[o++] = ' ', ws[o++] = ' ', ws[o++] = '\t';
		ws[o++] = asc[i];
		bol = asc[i] == '\n';
		if (body && !crc && !bol && i % 10 == 0 && i + 1 < al && asc[i + 1] != '\n' &&
		    asc[i + 1] != '\r')
			ws[o++] = ' ', ws[o++] = '\t', ws[o++] = ' ';
	}
	dec2 = dearmored(ws, o, 0, &dl2);
	CHECK(dec && dec2 && dl == dl2 && memcmp(dec, dec2, dl) == 0,
	      "blanks ignored: %zu bytes decoded, %zu without blanks", dl2, dl);
	CHECK(call(&x, PGP_REQ_DEARMOR, ws, o, 0) == 0, "dearmor with blanks");
	a = x.r == 0 ? rec(&x, PGP_REC_ARMOR, 0, NULL) : NULL;
	CHECK(a && (a[5] & PGP_ARMOR_F_CRC), "indented CRC line read and matching");
	if (a) {
		nh = u32(a + 40);
		nl = u32(a + 44);
	}
	for (k = 0; a && k < nl; k++) {
		const uint8_t *s = a + PGP_REC_ARMOR_FIXED + 16 * nh + 8 * k;
		const uint8_t *p = in_of(&x) + u32(s);
		uint32_t j, n = u32(s + 4), bad = n == 0;

		for (j = 0; j < n; j++)
			bad |= p[j] == ' ' || p[j] == '\t' || p[j] == '\r' || p[j] == '\n';
		CHECK(!bad, "span %u holds base64 characters only", k);
	}
	res_free(&x);
	free(asc);
	free(ws);
	free(dec);
	free(dec2);
}

/*
 * The checksum written on the line of the last data ("...Cg===JqL8"), as
 * every peer reads it (RFC 9580 §6.1: no rejection for the checksum): the
 * same bytes decoded, the checksum read and matching, its span the four
 * characters after the '=' that follows the data's span.
 */
TEST(test_armor_checksum_on_last_data_line)
{
	struct res x;
	size_t al, dl = 0, dl2 = 0, i, o = 0;
	uint8_t *asc, *glued = NULL, *dec = NULL, *dec2 = NULL;
	const uint8_t *a, *last;
	uint32_t nl, nh;

	NEED_GPG();
	if (!(asc = armored_sig(&al, &dec, &dl)))
		return;
	glued = malloc(al);
	/* Drop the line ending before the checksum line. */
	for (i = 0; glued && i < al; i++) {
		if (asc[i] == '\n' && i + 1 < al && asc[i + 1] == '=' && o && glued[o - 1] != '\n')
			continue;
		glued[o++] = asc[i];
	}
	CHECK(glued && o == al - 1, "one line ending dropped (%zu of %zu bytes)", o, al);
	dec2 = glued ? dearmored(glued, o, 0, &dl2) : NULL;
	CHECK(dec && dec2 && dl == dl2 && !memcmp(dec, dec2, dl), "same bytes decoded");
	CHECK(glued && call(&x, PGP_REQ_DEARMOR, glued, o, 0) == 0, "dearmor");
	a = glued && x.r == 0 ? rec(&x, PGP_REC_ARMOR, 0, NULL) : NULL;
	CHECK(a && (a[5] & PGP_ARMOR_F_CRC) && u32(a + 32) == 4, "checksum read and matching");
	if (a) {
		nh = u32(a + 40);
		nl = u32(a + 44);
		last = a + PGP_REC_ARMOR_FIXED + 16 * nh + 8 * (nl - 1);
		CHECK(nl && u32(a + 28) == u32(last) + u32(last + 4) + 1 &&
		      in_of(&x)[u32(a + 28) - 1] == '=',
		      "the checksum follows the last data span after its '='");
	}
	if (glued)
		res_free(&x);
	free(asc);
	free(glued);
	free(dec);
	free(dec2);
}

TEST(test_armor_crc_mismatch_rejected)
{
	struct res x;
	size_t al;
	uint8_t *asc, *eq;

	NEED_GPG();
	asc = fixture("sig-rsa.asc", &al);
	eq = asc ? (uint8_t *)strstr((char *)asc, "\n=") : NULL;
	CHECK(eq != NULL, "fixture has a CRC line");
	if (!eq)
		return;
	eq[2] = eq[2] == 'A' ? 'B' : 'A';
	CHECK(call(&x, PGP_REQ_DEARMOR, asc, al, 0) == -EBADMSG &&
	      strstr(x.e.msg, "CRC24"), "error names the CRC: %s", x.e.msg);
	res_free(&x);
	free(asc);
}

TEST(test_armor_crc_mismatch_flagged_when_lenient)
{
	size_t al;
	uint8_t *asc, *eq;
	struct res x;
	const uint8_t *a;

	NEED_GPG();
	asc = fixture("sig-rsa.asc", &al);
	eq = asc ? (uint8_t *)strstr((char *)asc, "\n=") : NULL;
	if (!eq) {
		free(asc);
		SKIP("fixture without a CRC line");
	}
	eq[2] = eq[2] == 'A' ? 'B' : 'A';
	req_flags = PGP_REQ_F_LENIENT_CRC;
	CHECK(call(&x, PGP_REQ_DEARMOR, asc, al, 0) == 0, "RFC 9580 §6.1: not rejected");
	a = x.r ? NULL : rec(&x, PGP_REC_ARMOR, 0, NULL);
	CHECK(a && (a[5] & PGP_ARMOR_F_CRC_BAD) && !(a[5] & PGP_ARMOR_F_CRC) && u32(a + 32) == 4,
	      "wrong CRC flagged, its span still reported");
	res_free(&x);
	/* A malformed footer: flagged, no span. */
	eq[3] = '*';
	CHECK(call(&x, PGP_REQ_DEARMOR, asc, al, 0) == 0, "malformed footer not rejected");
	a = x.r ? NULL : rec(&x, PGP_REC_ARMOR, 0, NULL);
	CHECK(a && (a[5] & PGP_ARMOR_F_CRC_BAD) && u32(a + 32) == 0, "flagged without span");
	res_free(&x);
	req_flags = 0;
	CHECK(call(&x, PGP_REQ_DEARMOR, asc, al, 0) == -EBADMSG, "strict by default");
	res_free(&x);
	free(asc);
}

TEST(test_armor_without_crc_line_accepted)
{
	static const char in[] = "-----BEGIN PGP MESSAGE-----\n\nyAVQR1A=\n-----END PGP MESSAGE-----\n";
	struct res x;
	const uint8_t *a;

	CHECK(call(&x, PGP_REQ_DEARMOR, in, strlen(in), 0) == 0, "no CRC is fine (RFC 9580 §6.1)");
	a = x.r ? NULL : rec(&x, PGP_REC_ARMOR, 0, NULL);
	CHECK(a && !(a[5] & PGP_ARMOR_F_CRC) && u32(a + 36) == 5, "5 bytes, no CRC flag");
	res_free(&x);
}

TEST(test_armor_text_outside_and_several_blocks)
{
	static const char in[] = "junk before\n-----BEGIN PGP MESSAGE-----\nComment: x\n\n"
				 "yAVQR1A=\n-----END PGP MESSAGE-----\nbetween\n"
				 "-----BEGIN PGP SIGNATURE-----\n\nyAVQR1A=\n-----END PGP SIGNATURE-----\n";
	struct res x;
	const uint8_t *a0, *a1;

	CHECK(call(&x, PGP_REQ_DEARMOR, in, strlen(in), 0) == 0, "two blocks");
	a0 = x.r ? NULL : rec(&x, PGP_REC_ARMOR, 0, NULL);
	a1 = x.r ? NULL : rec(&x, PGP_REC_ARMOR, 1, NULL);
	CHECK(a0 && a1 && u32(a1) == 1 && a1[4] == PGP_ARMOR_SIGNATURE, "second block");
	CHECK(a0 && u32(a0 + 40) == 1, "one armor header");
	CHECK(x.r == 0 && (u32(x.ans.data + 8) & PGP_ANS_F_TEXT_OUTSIDE), "outside text flagged");
	res_free(&x);
}

TEST(test_armor_end_label_mismatch_rejected)
{
	static const char in[] = "-----BEGIN PGP MESSAGE-----\n\nyAVQR1A=\n-----END PGP SIGNATURE-----\n";
	struct res x;

	CHECK(call(&x, PGP_REQ_DEARMOR, in, strlen(in), 0) == -EBADMSG, "mismatch");
	res_free(&x);
}

TEST(test_armor_missing_end_is_enodata)
{
	static const char in[] = "-----BEGIN PGP MESSAGE-----\n\nyAVQR1A=\n";
	struct res x;

	CHECK(call(&x, PGP_REQ_DEARMOR, in, strlen(in), 0) == -ENODATA, "truncated armor");
	res_free(&x);
}

TEST(test_armor_bad_base64_rejected)
{
	static const char *bad[] = {
		"-----BEGIN PGP MESSAGE-----\n\nyA=VQR1A\n-----END PGP MESSAGE-----\n",
		"-----BEGIN PGP MESSAGE-----\n\nyAVQR1B=\n-----END PGP MESSAGE-----\n",
		"-----BEGIN PGP MESSAGE-----\n\nyAV*R1A=\n-----END PGP MESSAGE-----\n",
		"-----BEGIN PGP MESSAGE-----\n\nyAVQR1\n-----END PGP MESSAGE-----\n",
	};
	struct res x;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(call(&x, PGP_REQ_DEARMOR, bad[i], strlen(bad[i]), 0) == -EBADMSG,
		      "case %zu", i);
		res_free(&x);
	}
}

TEST(test_armor_line_over_limit_gives_e2big)
{
	size_t n = PGP_ARMOR_LINE_MAX + 4, off;
	char *in = malloc(n + 100);
	struct res x;

	off = (size_t)sprintf(in, "-----BEGIN PGP MESSAGE-----\n\n");
	memset(in + off, 'A', n);
	off += n;
	off += (size_t)sprintf(in + off, "\n-----END PGP MESSAGE-----\n");
	CHECK(call(&x, PGP_REQ_DEARMOR, in, off, 0) == -E2BIG &&
	      strstr(x.e.msg, "limit"), "message names the limit: %s", x.e.msg);
	res_free(&x);
	free(in);
}

/* -------------------------------------------------------------- packets */

/* Tag sequence as `gpg --list-packets` names them. */
static int gpg_tags(const char *file, uint8_t *tags, int max)
{
	static const struct { const char *name; uint8_t tag; } names[] = {
		{ ":public key packet:", 6 }, { ":public sub key packet:", 14 },
		{ ":secret key packet:", 5 }, { ":secret sub key packet:", 7 },
		{ ":user ID packet:", 13 }, { ":signature packet:", 2 },
		{ ":onepass_sig packet:", 4 }, { ":literal data packet:", 11 },
		{ ":compressed packet:", 8 },
	};
	char cmd[600], line[1024];
	FILE *p;
	int n = 0;
	size_t i;

	snprintf(cmd, sizeof(cmd), "gpg --homedir %s/gh --batch --list-packets %s 2>/dev/null",
		 fx, file);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p))
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strncmp(line, names[i].name, strlen(names[i].name)) && n < max)
				tags[n++] = names[i].tag;
	pclose(p);
	return n;
}

/* Our tag sequence, descending into compressed data like gpg does. */
static int our_tags_in(const uint8_t *in, size_t len, uint32_t depth, uint8_t *tags, int n,
		       int max)
{
	struct res x;
	const uint8_t *p;
	uint32_t i, ci = 0;

	if (call(&x, PGP_REQ_PARSE, in, len, depth) < 0)
		return -1;
	for (i = 0; n >= 0 && n < max && (p = rec(&x, PGP_REC_PACKET, i, NULL)); i++) {
		tags[n++] = p[4];
		if (p[4] == 8) {
			const uint8_t *c = rec(&x, PGP_REC_COMPRESSED, ci++, NULL);

			n = c ? our_tags_in(c + 12, u32(c + 8), depth + 1, tags, n, max) : -1;
		}
	}
	res_free(&x);
	return n;
}

static int our_tags(const struct res *x, uint8_t *tags, int max)
{
	const uint8_t *p;
	int n = 0;

	while (n < max && (p = rec(x, PGP_REC_PACKET, (uint32_t)n, NULL)))
		tags[n++] = p[4];
	return n;
}

TEST(test_packets_match_gpg_list_packets)
{
	static const char *files[] = { "key-ed25519.gpg", "key-rsa.gpg", "secret-ed25519.gpg",
				       "sig-ed25519.gpg", "inline-zlib.gpg" };
	uint8_t a[64], b[64];
	size_t i, len;

	NEED_GPG();
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[512];
		uint8_t *in = fixture(files[i], &len);
		struct res x;
		int na, nb;

		snprintf(path, sizeof(path), "%s/%s", fx, files[i]);
		CHECK(in && call(&x, PGP_REQ_PARSE, in, len, 0) == 0, "%s parses", files[i]);
		na = x.r ? -1 : our_tags_in(in, len, 0, a, 0, 64);
		nb = gpg_tags(path, b, 64);
		CHECK(na > 0 && na == nb && !memcmp(a, b, (size_t)na),
		      "%s: %d packets, gpg lists %d", files[i], na, nb);
		res_free(&x);
		free(in);
	}
}

static int digest(const char *alg, const uint8_t *pre, size_t pl, const uint8_t *p, size_t n,
		  uint8_t *out)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int ol = 0;
	int ok = c && EVP_DigestInit_ex(c, EVP_get_digestbyname(alg), NULL) &&
		 EVP_DigestUpdate(c, pre, pl) && EVP_DigestUpdate(c, p, n) &&
		 EVP_DigestFinal_ex(c, out, &ol);

	EVP_MD_CTX_free(c);
	return ok ? (int)ol : -1;
}

static void hex(const uint8_t *p, int n, char *out)
{
	int i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02X", p[i]);
}

/* Fingerprint over the key body span, as the core computes it. */
static int key_fpr(const struct res *x, uint32_t nth, char *out)
{
	const uint8_t *k = rec(x, PGP_REC_KEY, nth, NULL);
	uint8_t pre[5], md[32];
	uint32_t off, len;
	int n;

	if (!k)
		return -1;
	off = u32(k + 16);
	len = u32(k + 20);
	if (k[4] == 4) {
		pre[0] = 0x99, pre[1] = (uint8_t)(len >> 8), pre[2] = (uint8_t)len;
		n = digest("SHA1", pre, 3, in_of(x) + off, len, md);
	} else {
		pre[0] = 0x9B, pre[1] = (uint8_t)(len >> 24), pre[2] = (uint8_t)(len >> 16);
		pre[3] = (uint8_t)(len >> 8), pre[4] = (uint8_t)len;
		n = digest("SHA256", pre, 5, in_of(x) + off, len, md);
	}
	if (n > 0)
		hex(md, n, out);
	return n;
}

TEST(test_key_body_span_gives_gpg_fingerprints)
{
	char cmd[600], line[512], want[3][80], got[80];
	size_t len;
	uint8_t *in;
	struct res x;
	FILE *p;
	int n = 0, i;

	NEED_GPG();
	snprintf(cmd, sizeof(cmd), "gpg --homedir %s/gh --batch --with-colons --import-options "
		 "show-only --import %s/key-ed25519.gpg 2>/dev/null", fx, fx);
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p))
		if (!strncmp(line, "fpr:", 4) && n < 3 && sscanf(line, "fpr:::::::::%79[0-9A-F]", want[n]) == 1)
			n++;
	if (p)
		pclose(p);
	CHECK(n == 2, "gpg shows primary and subkey fingerprints (%d)", n);
	in = fixture("key-ed25519.gpg", &len);
	CHECK(in && call(&x, PGP_REQ_PARSE, in, len, 0) == 0, "parse");
	for (i = 0; x.r == 0 && i < n; i++) {
		CHECK(key_fpr(&x, (uint32_t)i, got) == 20 && !strcmp(got, want[i]),
		      "key %d: %s vs gpg %s", i, got, want[i]);
	}
	res_free(&x);
	free(in);
}

TEST(test_secret_key_reported_with_its_public_part)
{
	size_t sl, pl;
	uint8_t *s, *p;
	struct res xs, xp;
	const uint8_t *ks, *kp;

	NEED_GPG();
	s = fixture("secret-ed25519.gpg", &sl);
	p = fixture("key-ed25519.gpg", &pl);
	CHECK(s && call(&xs, PGP_REQ_PARSE, s, sl, 0) == 0, "secret parses");
	CHECK(p && call(&xp, PGP_REQ_PARSE, p, pl, 0) == 0, "public parses");
	ks = xs.r ? NULL : rec(&xs, PGP_REC_KEY, 0, NULL);
	kp = xp.r ? NULL : rec(&xp, PGP_REC_KEY, 0, NULL);
	CHECK(xs.r == 0 && (u32(xs.ans.data + 8) & PGP_ANS_F_SECRET_KEY), "answer flag");
	CHECK(ks && kp && (ks[6] & PGP_KEY_F_SECRET) && u32(ks + 20) == u32(kp + 20) &&
	      !memcmp(in_of(&xs) + u32(ks + 16), in_of(&xp) + u32(kp + 16), u32(kp + 20)),
	      "secret key's public part equals the public key body");
	res_free(&xs);
	res_free(&xp);
	free(s);
	free(p);
}

TEST(test_signature_fields_and_subpackets_reported)
{
	size_t len;
	uint8_t *in;
	struct res x;
	const uint8_t *s;

	NEED_GPG();
	in = fixture("sig-ed25519.gpg", &len);
	CHECK(in && call(&x, PGP_REQ_PARSE, in, len, 0) == 0, "parse");
	s = x.r ? NULL : rec(&x, PGP_REC_SIG, 0, NULL);
	CHECK(s && s[4] == 4 && s[5] == 0x00 && s[6] == 22, "v4 binary sig by EdDSALegacy");
	CHECK(s && (u32(s + 8) & PGP_SIG_F_HAS_CREATED) && u32(s + 12) == 1700000000,
	      "creation time from the hashed subpacket");
	CHECK(s && u32(s + 60) == 21 && in_of(&x)[u32(s + 56)] == 4, "issuer fingerprint v4");
	CHECK(s && u32(s + 64) >= 2 && u32(s + 68) == 2, "subpackets and two MPIs");
	CHECK(s && u32(s + 20) == 6 + u32(s + 28), "hashed prefix = 6 + hashed area");
	res_free(&x);
	free(in);
}

TEST(test_unknown_critical_subpacket_flagged)
{
	size_t len;
	uint8_t *in;
	struct res x, y;
	const uint8_t *s;

	NEED_GPG();
	in = fixture("sig-ed25519.gpg", &len);
	CHECK(in && call(&x, PGP_REQ_PARSE, in, len, 0) == 0, "parse");
	s = x.r ? NULL : rec(&x, PGP_REC_SIG, 0, NULL);
	CHECK(s && !(u32(s + 8) & PGP_SIG_F_UNKNOWN_CRITICAL), "not flagged before");
	if (s) {
		/* Turn the first hashed subpacket into critical type 100. */
		const uint8_t *sub = s + PGP_REC_SIG_FIXED;

		in[u32(sub) + sub[4] - 1] = 0x80 | 100;
	}
	CHECK(call(&y, PGP_REQ_PARSE, in, len, 0) == 0, "still parses");
	s = y.r ? NULL : rec(&y, PGP_REC_SIG, 0, NULL);
	CHECK(s && (u32(s + 8) & PGP_SIG_F_UNKNOWN_CRITICAL) &&
	      (u32(y.ans.data + 8) & PGP_ANS_F_SIG_UNKNOWN_CRITICAL), "flagged");
	CHECK(s && s[PGP_REC_SIG_FIXED + 5] == 100 &&
	      (s[PGP_REC_SIG_FIXED + 6] & PGP_SUB_F_CRITICAL) &&
	      !(s[PGP_REC_SIG_FIXED + 6] & PGP_SUB_F_KNOWN), "subpacket entry");
	res_free(&x);
	res_free(&y);
	free(in);
}

/* In the unhashed area, which anyone can add to, an unknown critical
 * subpacket does not make the signature invalid (the core's rule too). */
TEST(test_unknown_critical_unhashed_subpacket_not_flagged)
{
	size_t len;
	uint8_t *in;
	struct res x, y;
	const uint8_t *s, *sub = NULL;
	uint32_t i;

	NEED_GPG();
	in = fixture("sig-ed25519.gpg", &len);
	CHECK(in && call(&x, PGP_REQ_PARSE, in, len, 0) == 0, "parse");
	s = x.r ? NULL : rec(&x, PGP_REC_SIG, 0, NULL);
	for (i = 0; s && i < u32(s + 64) && !sub; i++)
		if (!(s[PGP_REC_SIG_FIXED + 16 * i + 6] & PGP_SUB_F_HASHED))
			sub = s + PGP_REC_SIG_FIXED + 16 * i;
	CHECK(sub != NULL, "gpg's signature has an unhashed subpacket");
	if (sub)
		in[u32(sub) + sub[4] - 1] = 0x80 | 100;
	CHECK(call(&y, PGP_REQ_PARSE, in, len, 0) == 0, "still parses");
	s = y.r ? NULL : rec(&y, PGP_REC_SIG, 0, NULL);
	CHECK(s && !(u32(s + 8) & PGP_SIG_F_UNKNOWN_CRITICAL) &&
	      !(u32(y.ans.data + 8) & PGP_ANS_F_SIG_UNKNOWN_CRITICAL), "not flagged");
	for (i = 0, sub = NULL; s && i < u32(s + 64) && !sub; i++)
		if (s[PGP_REC_SIG_FIXED + 16 * i + 5] == 100)
			sub = s + PGP_REC_SIG_FIXED + 16 * i;
	CHECK(sub && (sub[6] & PGP_SUB_F_CRITICAL) && !(sub[6] & PGP_SUB_F_HASHED),
	      "the entry says critical, unhashed");
	res_free(&x);
	res_free(&y);
	free(in);
}

TEST(test_partial_body_lengths_joined)
{
	size_t len, dl;
	uint8_t *in, *data, *joined;
	struct res x;
	const uint8_t *pk, *lit = NULL;
	uint32_t i, n = 0, nd, total = 0;

	NEED_GPG();
	in = fixture("inline-partial.gpg", &len);
	data = fixture("big.txt", &dl);
	CHECK(in && data && call(&x, PGP_REQ_PARSE, in, len, 0) == 0, "parse");
	for (i = 0; x.r == 0 && (pk = rec(&x, PGP_REC_PACKET, i, NULL)); i++)
		if (pk[4] == 11) {
			CHECK((pk[6] & PGP_PKT_F_PARTIAL) && u32(pk + 24) >= 2,
			      "literal packet uses %u partial chunks", u32(pk + 24));
			n++;
		}
	CHECK(n == 1, "one literal packet");
	lit = x.r ? NULL : rec(&x, PGP_REC_LITERAL, 0, NULL);
	nd = lit ? u32(lit + 20) : 0;
	joined = malloc(dl + 1);
	for (i = 0; lit && i < nd; i++) {
		uint32_t o = u32(lit + 24 + 8 * i), l = u32(lit + 28 + 8 * i);

		if (total + l <= dl)
			memcpy(joined + total, in_of(&x) + o, l);
		total += l;
	}
	CHECK(lit && nd >= 2 && total == dl && !memcmp(joined, data, dl),
	      "joined literal data (%u bytes in %u spans) equals the input file", total, nd);
	free(joined);
	res_free(&x);
	free(in);
	free(data);
}

/* Decompress @file, reparse the output at depth 1, compare literal data. */
static void check_compressed(const char *file, uint8_t algo)
{
	size_t len, dl;
	uint8_t *in = fixture(file, &len), *data = fixture("data.txt", &dl);
	struct res x, y;
	const uint8_t *c, *lit;
	uint32_t cl;
	uint8_t t[8];

	CHECK(in && call(&x, PGP_REQ_PARSE, in, len, 0) == 0, "%s parses", file);
	c = x.r ? NULL : rec(&x, PGP_REC_COMPRESSED, 0, &cl);
	CHECK(c && c[4] == algo, "%s: algorithm %u", file, algo);
	if (!c) {
		res_free(&x);
		free(in);
		free(data);
		return;
	}
	CHECK(call(&y, PGP_REQ_PARSE, c + 12, u32(c + 8), 1) == 0, "decompressed bytes parse");
	CHECK(our_tags(&y, t, 8) == 3 && t[0] == 4 && t[1] == 11 && t[2] == 2,
	      "one-pass sig, literal, sig");
	lit = y.r ? NULL : rec(&y, PGP_REC_LITERAL, 0, NULL);
	CHECK(lit && u32(lit + 20) == 1 && u32(lit + 28) == dl &&
	      !memcmp(in_of(&y) + u32(lit + 24), data, dl), "literal data equals data.txt");
	CHECK(lit && u32(lit + 16) == 8 && !memcmp(in_of(&y) + u32(lit + 12), "data.txt", 8),
	      "file name");
	res_free(&x);
	res_free(&y);
	free(in);
	free(data);
}

TEST(test_compressed_zlib_decompressed)
{
	NEED_GPG();
	check_compressed("inline-zlib.gpg", 2);
}

TEST(test_compressed_zip_decompressed)
{
	NEED_GPG();
	check_compressed("inline-zip.gpg", 1);
}

TEST(test_compressed_bzip2_decompressed)
{
	NEED_GPG();
	check_compressed("inline-bzip2.gpg", 3);
}

TEST(test_nesting_over_limit_gives_e2big)
{
	/* An "uncompressed" compressed packet holding a marker packet. */
	static const uint8_t in[] = { 0xC8, 0x06, 0x00, 0xCA, 0x03, 'P', 'G', 'P' };
	struct res x;

	CHECK(call(&x, PGP_REQ_PARSE, in, sizeof(in), PGP_NEST_MAX - 2) == 0, "below the cap");
	res_free(&x);
	CHECK(call(&x, PGP_REQ_PARSE, in, sizeof(in), PGP_NEST_MAX - 1) == -E2BIG &&
	      strstr(x.e.msg, "nesting"), "at the cap: %s", x.e.msg);
	res_free(&x);
}

TEST(test_decompressed_size_over_limit_gives_e2big)
{
	size_t n = PGP_DECOMPRESSED_MAX + 4096;
	uLongf zl = compressBound(n);
	uint8_t *zeros = calloc(1, n), *pkt = malloc(zl + 16);
	struct res x;

	CHECK(zeros && pkt && compress2(pkt + 7, &zl, zeros, n, 9) == Z_OK, "zlib");
	pkt[0] = 0xC8;	/* new format, tag 8, 5-octet length */
	pkt[1] = 0xFF;
	pkt[2] = (uint8_t)((zl + 1) >> 24), pkt[3] = (uint8_t)((zl + 1) >> 16);
	pkt[4] = (uint8_t)((zl + 1) >> 8), pkt[5] = (uint8_t)(zl + 1);
	pkt[6] = 2;
	CHECK(call(&x, PGP_REQ_PARSE, pkt, zl + 7, 0) == -E2BIG &&
	      strstr(x.e.msg, "decompressed size exceeds limit"), "bomb: %s", x.e.msg);
	res_free(&x);
	free(zeros);
	free(pkt);
}

TEST(test_packet_over_limit_gives_e2big)
{
	static const uint8_t in[] = { 0xCB, 0xFF, 0x02, 0x00, 0x00, 0x00, 'b' };
	struct res x;

	CHECK(call(&x, PGP_REQ_PARSE, in, sizeof(in), 0) == -E2BIG &&
	      strstr(x.e.msg, "exceeds limit"), "%s", x.e.msg);
	res_free(&x);
}

TEST(test_packet_count_over_limit_gives_e2big)
{
	size_t n = (size_t)PGP_PACKETS_MAX + 1, i;
	uint8_t *in = malloc(2 * n);
	struct res x;

	for (i = 0; i < n; i++)
		in[2 * i] = 0xD5, in[2 * i + 1] = 0;	/* empty padding packets */
	CHECK(call(&x, PGP_REQ_PARSE, in, 2 * n - 2, 0) == 0, "exactly at the limit");
	res_free(&x);
	CHECK(call(&x, PGP_REQ_PARSE, in, 2 * n, 0) == -E2BIG &&
	      strstr(x.e.msg, "packet count exceeds limit"), "%s", x.e.msg);
	res_free(&x);
	free(in);
}

TEST(test_truncated_packet_gives_enodata)
{
	size_t len;
	uint8_t *in;
	struct res x;

	NEED_GPG();
	in = fixture("key-rsa.gpg", &len);
	CHECK(in && call(&x, PGP_REQ_PARSE, in, len - 7, 0) == -ENODATA, "cut short");
	res_free(&x);
	free(in);
}

TEST(test_subpacket_count_over_limit_gives_e2big)
{
	size_t n = PGP_SUBPACKETS_MAX + 1, hl = 2 * n, bl = 4 + 2 + hl + 2 + 2 + 2, off = 0;
	uint8_t *p = malloc(bl + 6);
	struct res x;
	size_t i;

	p[off++] = 0xC2;
	p[off++] = 0xFF;
	p[off++] = (uint8_t)(bl >> 24), p[off++] = (uint8_t)(bl >> 16);
	p[off++] = (uint8_t)(bl >> 8), p[off++] = (uint8_t)bl;
	p[off++] = 4, p[off++] = 0, p[off++] = 1, p[off++] = 8;
	p[off++] = (uint8_t)(hl >> 8), p[off++] = (uint8_t)hl;
	for (i = 0; i < n; i++)
		p[off++] = 1, p[off++] = 20;	/* empty notation-type subpackets */
	p[off++] = 0, p[off++] = 0;	/* no unhashed */
	p[off++] = 0xAB, p[off++] = 0xCD;	/* left 16 */
	p[off++] = 0, p[off++] = 0;	/* MPI of 0 bits */
	CHECK(call(&x, PGP_REQ_PARSE, p, off, 0) == -E2BIG &&
	      strstr(x.e.msg, "subpacket count exceeds limit"), "%s", x.e.msg);
	res_free(&x);
	free(p);
}

TEST(test_v3_signature_parsed_and_marked_unsupported)
{
	static const uint8_t in[] = {
		0x88, 0x16, 3, 5, 0x00, 0x65, 0x53, 0xF1, 0x00,	/* v3, type 0, time */
		1, 2, 3, 4, 5, 6, 7, 8, 1, 8, 0xAB, 0xCD,	/* key ID, RSA, SHA256, left16 */
		0x00, 0x01, 0x01,				/* MPI: 1 bit */
	};
	struct res x;
	const uint8_t *s;

	CHECK(call(&x, PGP_REQ_PARSE, in, sizeof(in), 0) == 0, "parses");
	s = x.r ? NULL : rec(&x, PGP_REC_SIG, 0, NULL);
	CHECK(s && s[4] == 3 && (u32(s + 8) & PGP_SIG_F_UNSUPPORTED) &&
	      u32(s + 12) == 0x6553F100 && u32(s + 60) == 8 && u32(s + 20) == 5,
	      "v3 fields, unsupported flag, 5-octet hashed prefix");
	res_free(&x);
}

TEST(test_unknown_packets_skipped_with_criticality)
{
	/* marker, unknown non-critical tag 60, unknown critical tag 30, padding */
	static const uint8_t in[] = { 0xCA, 0x03, 'P', 'G', 'P', 0xFC, 0x01, 0x00,
				      0xDE, 0x02, 1, 2, 0xD5, 0x02, 0, 0 };
	struct res x;
	const uint8_t *p1, *p2;

	CHECK(call(&x, PGP_REQ_PARSE, in, sizeof(in), 0) == 0, "parses");
	p1 = x.r ? NULL : rec(&x, PGP_REC_PACKET, 1, NULL);
	p2 = x.r ? NULL : rec(&x, PGP_REC_PACKET, 2, NULL);
	CHECK(p1 && p1[4] == 60 && (p1[6] & PGP_PKT_F_UNKNOWN) && !(p1[6] & PGP_PKT_F_CRITICAL),
	      "tag 60 skipped");
	CHECK(p2 && p2[4] == 30 && (p2[6] & PGP_PKT_F_CRITICAL), "tag 30 critical");
	CHECK(x.r == 0 && (u32(x.ans.data + 8) & PGP_ANS_F_UNKNOWN_CRITICAL_PACKET), "flag");
	res_free(&x);
}

TEST(test_partial_length_on_signature_rejected)
{
	static const uint8_t in[] = { 0xC2, 0xE0, 4 };
	struct res x;

	CHECK(call(&x, PGP_REQ_PARSE, in, sizeof(in), 0) == -EBADMSG, "partial sig");
	res_free(&x);
}

TEST(test_indeterminate_length_only_on_data_packets)
{
	static const uint8_t sig[] = { 0x8B, 4, 0, 1, 8 };	/* old format tag 2, type 3 */
	static const uint8_t lit[] = { 0xAF, 'b', 0, 0, 0, 0, 0, 'h', 'i' };	/* tag 11 */
	struct res x;
	const uint8_t *p;

	CHECK(call(&x, PGP_REQ_PARSE, sig, sizeof(sig), 0) == -EBADMSG, "signature");
	res_free(&x);
	CHECK(call(&x, PGP_REQ_PARSE, lit, sizeof(lit), 0) == 0, "literal data");
	p = x.r ? NULL : rec(&x, PGP_REC_LITERAL, 0, NULL);
	CHECK(p && u32(p + 28) == 2 && !memcmp(in_of(&x) + u32(p + 24), "hi", 2), "content");
	res_free(&x);
}

TEST(test_request_header_checked)
{
	uint8_t req[20] = { 0 };
	struct pgp_err e = { { 0 } };
	struct dg_buf b = { 0 };

	CHECK(pgp_handle_request(PGP_REQ_PARSE, req, sizeof(req), &b, &e) == -EBADMSG,
	      "bad magic");
	pgp_req_hdr_put(req, 0);
	req[6] = 0x80;
	e.msg[0] = 0;
	CHECK(pgp_handle_request(PGP_REQ_PARSE, req, sizeof(req), &b, &e) == -EOPNOTSUPP,
	      "unknown flag");
	e.msg[0] = 0;
	CHECK(pgp_handle_request(0x1ff, req, 8, &b, &e) == -EBADMSG, "short header");
	dg_buf_free(&b);
}

/* The validator the fuzzers rely on must catch forged claims. */
TEST(test_validator_rejects_forged_spans)
{
	static const uint8_t in[] = { 0xCA, 0x03, 'P', 'G', 'P', 0xCD, 0x05, 'a', 'l', 'i', 'c', 'e' };
	static const size_t pokes[] = { 8, 16, 20 };	/* header.off, body.off, body.len */
	struct res x;
	uint8_t *p;
	size_t i;

	CHECK(call(&x, PGP_REQ_PARSE, in, sizeof(in), 0) == 0, "parses");
	for (i = 0; x.r == 0 && i < sizeof(pokes) / sizeof(pokes[0]); i++) {
		struct pgp_err e = { { 0 } };

		p = (uint8_t *)rec(&x, PGP_REC_PACKET, 1, NULL);
		p[pokes[i]]++;
		CHECK(pgp_answer_validate(x.ans.data, x.ans.len, in, sizeof(in), &e) == -EBADMSG,
		      "poke %zu accepted", i);
		p[pokes[i]]--;
	}
	if (x.r == 0) {
		struct pgp_err e = { { 0 } };

		x.ans.data[12]++;	/* nrec */
		CHECK(pgp_answer_validate(x.ans.data, x.ans.len, in, sizeof(in), &e) == -EBADMSG,
		      "record count");
	}
	res_free(&x);
}

/* ------------------------------------------------------------ cleartext */

TEST(test_cleartext_dash_escapes_and_trailing_whitespace)
{
	size_t cl, tl, i, o = 0;
	uint8_t *cs, *txt;
	struct res x;
	const uint8_t *r, *ln;
	char *want, *got;
	uint32_t nh, nl;

	NEED_GPG();
	cs = fixture("clearsigned.asc", &cl);
	txt = fixture("clear.txt", &tl);
	CHECK(cs && txt && call(&x, PGP_REQ_CLEARTEXT, cs, cl, 0) == 0, "parses");
	r = x.r ? NULL : rec(&x, PGP_REC_CLEARTEXT, 0, NULL);
	if (!r) {
		res_free(&x);
		return;
	}
	nh = u32(r + 20);
	nl = u32(r + 24);
	CHECK(nh == 1 && r[32] == 8 && u32(r + 40) == 6 &&
	      !memcmp(in_of(&x) + u32(r + 36), "SHA256", 6), "Hash: SHA256");
	CHECK(u32(r + 28) == 0 && !(u32(r) & PGP_CT_F_TEXT_OUTSIDE), "nothing outside");
	/* RFC 9580 §7.2 applied to the original file: trailing spaces and
	 * tabs removed from every line, lines joined with CR LF. */
	want = malloc(2 * tl + 1);
	got = malloc(2 * cl + 1);
	for (i = 0; i <= tl; i++) {
		size_t s = i, e;

		while (i < tl && txt[i] != '\n')
			i++;
		e = i;
		while (e > s && (txt[e - 1] == ' ' || txt[e - 1] == '\t'))
			e--;
		memcpy(want + o, txt + s, e - s);
		o += e - s;
		if (i < tl)
			want[o++] = '\r', want[o++] = '\n';
	}
	ln = r + PGP_REC_CLEARTEXT_FIXED + 12 * nh;
	{
		size_t g = 0;

		for (i = 0; i < nl; i++) {
			if (i)
				got[g++] = '\r', got[g++] = '\n';
			memcpy(got + g, in_of(&x) + u32(ln + 16 * i + 8), u32(ln + 16 * i + 12));
			g += u32(ln + 16 * i + 12);
		}
		CHECK(g == o && !memcmp(got, want, o), "signed text (%zu bytes) equals the "
		      "whitespace-trimmed original (%zu bytes)", g, o);
	}
	CHECK(!memcmp(in_of(&x) + u32(r + 12), "-----BEGIN PGP SIGNATURE-----", 29) &&
	      !memcmp(in_of(&x) + u32(r + 12) + u32(r + 16) - 27,
		      "-----END PGP SIGNATURE-----", 27), "signature block span");
	free(want);
	free(got);
	res_free(&x);
	free(cs);
	free(txt);
}

TEST(test_cleartext_signature_block_dearmors_and_parses)
{
	size_t cl, dl = 0;
	uint8_t *cs, *dec = NULL;
	struct res x, y;
	const uint8_t *r;

	NEED_GPG();
	cs = fixture("clearsigned.asc", &cl);
	CHECK(cs && call(&x, PGP_REQ_CLEARTEXT, cs, cl, 0) == 0, "parses");
	r = x.r ? NULL : rec(&x, PGP_REC_CLEARTEXT, 0, NULL);
	if (r)
		dec = dearmored(in_of(&x) + u32(r + 12), u32(r + 16), 0, &dl);
	CHECK(dec && call(&y, PGP_REQ_PARSE, dec, dl, 0) == 0 &&
	      rec(&y, PGP_REC_SIG, 0, NULL) && rec(&y, PGP_REC_SIG, 0, NULL)[5] == 0x01,
	      "one canonical-text signature");
	res_free(&x);
	res_free(&y);
	free(dec);
	free(cs);
}

TEST(test_cleartext_text_outside_reported)
{
	size_t cl;
	uint8_t *cs, *in;
	struct res x;
	const uint8_t *r;
	static const char pre[] = "unsigned junk\n", post[] = "\ntrailing junk\n";

	NEED_GPG();
	cs = fixture("clearsigned.asc", &cl);
	in = malloc(cl + 64);
	memcpy(in, pre, strlen(pre));
	memcpy(in + strlen(pre), cs, cl);
	memcpy(in + strlen(pre) + cl, post, strlen(post));
	CHECK(call(&x, PGP_REQ_CLEARTEXT, in, cl + strlen(pre) + strlen(post), 0) == 0, "parses");
	r = x.r ? NULL : rec(&x, PGP_REC_CLEARTEXT, 0, NULL);
	CHECK(r && (u32(r) & PGP_CT_F_TEXT_OUTSIDE) && u32(r + 28) == 2, "two outside spans");
	CHECK(r && u32(x.ans.data + 8) & PGP_ANS_F_TEXT_OUTSIDE, "answer flag");
	res_free(&x);
	free(in);
	free(cs);
}

/*
 * A line that starts with '-' is dash-escaped or armor (RFC 9580 §7.2);
 * lines of dashes alone too, which every peer reads as text
 * (docs/pgp-differences.md lenient-armor).
 */
TEST(test_cleartext_undashed_line_rejected)
{
	static const char *const lines[] = { "-bad", "-", "--", "----", "-\r" };
	char in[256];
	struct res x;
	size_t i;

	for (i = 0; i < 2 * sizeof(lines) / sizeof(lines[0]); i++) {
		int escaped = i % 2 == 0;

		snprintf(in, sizeof(in), "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n"
			 "text\n%s%s\n-----BEGIN PGP SIGNATURE-----\n\nyAVQR1A=\n"
			 "-----END PGP SIGNATURE-----\n", escaped ? "- " : "", lines[i / 2]);
		CHECK(call(&x, PGP_REQ_CLEARTEXT, in, strlen(in), 0) == (escaped ? 0 : -EBADMSG),
		      "lines[%zu] %s", i / 2, escaped ? "dash-escaped: parsed" : "not dash-escaped: rejected");
		res_free(&x);
	}
}

/* ------------------------------------------------ third-party corpora */

TEST(test_rfc9580_v6_salt_parsed)
{
	char path[512];
	size_t len, dl = 0;
	uint8_t *in, *dec = NULL;
	struct res x;
	const uint8_t *s, *k;
	char fpr[80] = "";

	if (!corpora)
		SKIP(no_corpora);
	snprintf(path, sizeof(path), "%s/rfc9580/A.3-v6-cert.asc", corpora);
	in = slurp(path, &len);
	if (in)
		dec = dearmored(in, len, 0, &dl);
	CHECK(dec && call(&x, PGP_REQ_PARSE, dec, dl, 0) == 0, "v6 cert parses");
	k = x.r ? NULL : rec(&x, PGP_REC_KEY, 0, NULL);
	CHECK(k && k[4] == 6 && k[5] == 27 && u32(k + 12) == 32 && u32(k + 24) == 1,
	      "v6 Ed25519 key, 32-byte native field");
	/* RFC 9580 A.3 prints the primary key's fingerprint. */
	CHECK(x.r == 0 && key_fpr(&x, 0, fpr) == 32 &&
	      !strcmp(fpr, "CB186C4F0609A697E4D52DFA6C722B0C1F1E27C18A56708F6525EC27BAD9ACC9"),
	      "v6 fingerprint %s", fpr);
	s = x.r ? NULL : rec(&x, PGP_REC_SIG, 0, NULL);
	CHECK(s && s[4] == 6 && s[7] == 10 && u32(s + 52) == 32 && u32(s + 68) == 1,
	      "v6 sig: 32-byte salt for SHA2-512, native 64-byte signature");
	CHECK(s && u32(s + 60) == 33, "v6 issuer fingerprint subpacket");
	res_free(&x);
	free(dec);
	free(in);
}

TEST(test_rfc9580_v6_secret_key_has_the_certs_fingerprints)
{
	static const char *files[] = { "A.3-v6-cert.asc", "A.4-v6-secret-key.asc" };
	char path[512], fpr[2][2][80];
	size_t len, dl = 0;
	int f, k;

	if (!corpora)
		SKIP(no_corpora);
	memset(fpr, 0, sizeof(fpr));
	for (f = 0; f < 2; f++) {
		uint8_t *in, *dec = NULL;
		struct res x;

		snprintf(path, sizeof(path), "%s/rfc9580/%s", corpora, files[f]);
		in = slurp(path, &len);
		if (in)
			dec = dearmored(in, len, 0, &dl);
		CHECK(dec && call(&x, PGP_REQ_PARSE, dec, dl, 0) == 0, "%s parses", files[f]);
		for (k = 0; x.r == 0 && k < 2; k++)
			CHECK(key_fpr(&x, (uint32_t)k, fpr[f][k]) == 32, "%s key %d", files[f], k);
		CHECK(f == 0 || (x.r == 0 && (u32(x.ans.data + 8) & PGP_ANS_F_SECRET_KEY)),
		      "secret flagged");
		res_free(&x);
		free(dec);
		free(in);
	}
	for (k = 0; k < 2; k++)
		CHECK(fpr[0][k][0] && !strcmp(fpr[0][k], fpr[1][k]), "key %d: %s vs %s", k,
		      fpr[0][k], fpr[1][k]);
}

TEST(test_rfc9580_v6_inline_message_one_pass_salt)
{
	char path[512];
	size_t len, dl = 0;
	uint8_t *in, *dec = NULL;
	struct res x;
	const uint8_t *o;

	if (!corpora)
		SKIP(no_corpora);
	snprintf(path, sizeof(path), "%s/rfc9580/A.7-inline-signed-message.asc", corpora);
	in = slurp(path, &len);
	if (in)
		dec = dearmored(in, len, 0, &dl);
	CHECK(dec && call(&x, PGP_REQ_PARSE, dec, dl, 0) == 0, "parses");
	o = x.r ? NULL : rec(&x, PGP_REC_OPS, 0, NULL);
	CHECK(o && o[4] == 6 && u32(o + 16) == 32 && (int)u32(o + 24) == pgp_v6_salt_len(o[6]) &&
	      u32(o + 24) > 0, "v6 OPS salt (%u bytes for hash %u) + fpr", o ? u32(o + 24) : 0,
	      o ? o[6] : 0);
	res_free(&x);
	free(dec);
	free(in);
}

/* Every corpus file parses to a valid answer or fails cleanly. */
static int walk(const char *dir, int *ok, int *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char path[1024];
		struct stat st;
		size_t len;
		uint8_t *in;
		struct res x;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk(path, ok, err);
			continue;
		}
		if (st.st_size > (16 << 20) || !(in = slurp(path, &len)))
			continue;
		if (len && (in[0] & 0x80))
			call(&x, PGP_REQ_PARSE, in, len, 0);
		else if (len > 34 && memmem(in, len, "-----BEGIN PGP SIGNED MESSAGE-----", 34))
			call(&x, PGP_REQ_CLEARTEXT, in, len, 0);
		else
			call(&x, PGP_REQ_DEARMOR, in, len, 0);
		if (x.r == 0) {
			const uint8_t *ad;
			uint32_t bi, dl;

			(*ok)++;
			/* Dearmored blocks: their packets too. */
			for (bi = 0; (ad = rec(&x, PGP_REC_ARMOR_DATA, bi, &dl)); bi++) {
				struct res y;

				if (call(&y, PGP_REQ_PARSE, ad + 4, dl - 4, 0) == 0)
					(*ok)++;
				else if (y.r == -EPROTO || !y.e.msg[0])
					(*err)++;
				else
					printf("# %s block %u: %s\n", path, bi, y.e.msg);
				res_free(&y);
			}
		} else
			printf("# %s: %s\n", path, x.e.msg);
		if (x.r == -EPROTO || (x.r && !x.e.msg[0]))
			printf("# %s: invalid answer or error without message (%d)\n", path, x.r),
				(*err)++;
		res_free(&x);
		free(in);
	}
	closedir(d);
	return 0;
}

TEST(test_corpus_files_answer_validly_or_fail_with_a_message)
{
	int ok = 0, err = 0;

	if (!corpora)
		SKIP(no_corpora);
	walk(corpora, &ok, &err);
	printf("# %d corpus files parsed\n", ok);
	CHECK(ok > 10 && err == 0, "%d ok, %d bad", ok, err);
}

int main(void)
{
	char cmd[700];
	struct stat st;

	setvbuf(stdout, NULL, _IONBF, 0);
	snprintf(fx, sizeof(fx), "/tmp/dg-pgp-test-XXXXXX");
	if (!mkdtemp(fx)) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	snprintf(cmd, sizeof(cmd), "timeout 120 bash '%s/tests/data/pgp/seed-fuzz.sh' '%s' && "
		 "mkdir -m 700 '%s/gh'", DG_SRCDIR, fx, fx);
	fixture_gen_run(&gen, "seed-fuzz.sh", cmd, tap_path(fx, "gen.stderr"), tap_path(fx, "gh"));
	/* $DG_CORPORA (tests/run.sh sets it) when set, else the usual places */
	if (getenv("DG_CORPORA") && *getenv("DG_CORPORA")) {
		snprintf(corpora_dir, sizeof(corpora_dir), "%s/pgp", getenv("DG_CORPORA"));
		if (stat(corpora_dir, &st) == 0)
			corpora = corpora_dir;
		snprintf(no_corpora, sizeof(no_corpora), "no %s", corpora_dir);
	} else if (stat(DG_SRCDIR "/../shared/corpora/pgp", &st) == 0) {
		corpora = DG_SRCDIR "/../shared/corpora/pgp";
	} else if (stat("/work/shared/corpora/pgp", &st) == 0) {
		corpora = "/work/shared/corpora/pgp";
	}

	RUN(test_fixture_generator_succeeds);
	RUN(test_armor_decodes_to_the_same_bytes_as_gpg_binary_export);
	RUN(test_armor_reports_crc_and_base64_line_spans);
	RUN(test_armor_blanks_in_body_are_ignored);
	RUN(test_armor_checksum_on_last_data_line);
	RUN(test_armor_crc_mismatch_rejected);
	RUN(test_armor_crc_mismatch_flagged_when_lenient);
	RUN(test_armor_without_crc_line_accepted);
	RUN(test_armor_text_outside_and_several_blocks);
	RUN(test_armor_end_label_mismatch_rejected);
	RUN(test_armor_missing_end_is_enodata);
	RUN(test_armor_bad_base64_rejected);
	RUN(test_armor_line_over_limit_gives_e2big);
	RUN(test_packets_match_gpg_list_packets);
	RUN(test_key_body_span_gives_gpg_fingerprints);
	RUN(test_secret_key_reported_with_its_public_part);
	RUN(test_signature_fields_and_subpackets_reported);
	RUN(test_unknown_critical_subpacket_flagged);
	RUN(test_unknown_critical_unhashed_subpacket_not_flagged);
	RUN(test_partial_body_lengths_joined);
	RUN(test_compressed_zlib_decompressed);
	RUN(test_compressed_zip_decompressed);
	RUN(test_compressed_bzip2_decompressed);
	RUN(test_nesting_over_limit_gives_e2big);
	RUN(test_decompressed_size_over_limit_gives_e2big);
	RUN(test_packet_over_limit_gives_e2big);
	RUN(test_packet_count_over_limit_gives_e2big);
	RUN(test_truncated_packet_gives_enodata);
	RUN(test_subpacket_count_over_limit_gives_e2big);
	RUN(test_v3_signature_parsed_and_marked_unsupported);
	RUN(test_unknown_packets_skipped_with_criticality);
	RUN(test_partial_length_on_signature_rejected);
	RUN(test_indeterminate_length_only_on_data_packets);
	RUN(test_request_header_checked);
	RUN(test_validator_rejects_forged_spans);
	RUN(test_cleartext_dash_escapes_and_trailing_whitespace);
	RUN(test_cleartext_signature_block_dearmors_and_parses);
	RUN(test_cleartext_text_outside_reported);
	RUN(test_cleartext_undashed_line_rejected);
	RUN(test_rfc9580_v6_salt_parsed);
	RUN(test_rfc9580_v6_secret_key_has_the_certs_fingerprints);
	RUN(test_rfc9580_v6_inline_message_one_pass_salt);
	RUN(test_corpus_files_answer_validly_or_fail_with_a_message);
	snprintf(cmd, sizeof(cmd), "gpgconf --homedir %s/gh --kill all >/dev/null 2>&1; rm -rf %s",
		 fx, fx);
	(void)!system(cmd);
	return tap_done();
}

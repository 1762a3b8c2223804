/* SPDX-License-Identifier: MIT */
/*
 * Builds small RPM packages in memory for the rpm unit and liar tests: the
 * structure (lead, headers with region tags, index, data) is written by
 * this code from a list of entries, so each test can bend one rule.
 */
#ifndef DG_TEST_RPM_PKG_H
#define DG_TEST_RPM_PKG_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "../../src/handlers/rpm/rpm_proto.h"

struct tp_ent {
	uint32_t tag, type, count;
	const void *data;
	size_t len;
};

static inline void tp_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline size_t tp_align(uint32_t type)
{
	return type == RPM_TYPE_INT16 ? 2 : type == RPM_TYPE_INT32 ? 4 :
	       type == RPM_TYPE_INT64 ? 8 : 1;
}

/* A header: region entry @region (0: none) first, then @e, data in order. */
static inline uint8_t *tp_header(uint32_t region, const struct tp_ent *e, size_t n,
				 size_t *out_len)
{
	size_t il = n + (region ? 1 : 0), dl = 0, i, k = 0;
	size_t offs[64];
	uint8_t *h, *idx, *data;

	for (i = 0; i < n; i++) {
		dl = (dl + tp_align(e[i].type) - 1) / tp_align(e[i].type) * tp_align(e[i].type);
		offs[i] = dl;
		dl += e[i].len;
	}
	if (region)
		dl += 16;
	h = calloc(1, 16 + il * 16 + dl);
	memcpy(h, "\x8e\xad\xe8\x01\0\0\0\0", 8);
	tp_be32(h + 8, (uint32_t)il);
	tp_be32(h + 12, (uint32_t)dl);
	idx = h + 16;
	data = idx + il * 16;
	if (region) {
		tp_be32(idx, region);
		tp_be32(idx + 4, RPM_TYPE_BIN);
		tp_be32(idx + 8, (uint32_t)(dl - 16));
		tp_be32(idx + 12, 16);
		tp_be32(data + dl - 16, region);
		tp_be32(data + dl - 12, RPM_TYPE_BIN);
		tp_be32(data + dl - 8, (uint32_t)-(int32_t)(il * 16));
		tp_be32(data + dl - 4, 16);
		k = 1;
	}
	for (i = 0; i < n; i++, k++) {
		tp_be32(idx + 16 * k, e[i].tag);
		tp_be32(idx + 16 * k + 4, e[i].type);
		tp_be32(idx + 16 * k + 8, (uint32_t)offs[i]);
		tp_be32(idx + 16 * k + 12, e[i].count);
		memcpy(data + offs[i], e[i].data, e[i].len);
	}
	*out_len = 16 + il * 16 + dl;
	return h;
}

/* lead + signature header (padded to 8) + main header + payload. */
static inline uint8_t *tp_package(const uint8_t *sig, size_t sig_len, const uint8_t *hdr,
				  size_t hdr_len, const void *payload, size_t payload_len,
				  size_t *out_len)
{
	size_t pad = (8 - (96 + sig_len) % 8) % 8;
	size_t n = 96 + sig_len + pad + hdr_len + payload_len;
	uint8_t *p = calloc(1, n);

	memcpy(p, "\xed\xab\xee\xdb\x03\x00", 6);
	memcpy(p + 10, "tp-1-1", 6);
	p[79] = RPM_SIGTYPE_HEADERSIG;
	memcpy(p + 96, sig, sig_len);
	memcpy(p + 96 + sig_len + pad, hdr, hdr_len);
	memcpy(p + 96 + sig_len + pad + hdr_len, payload, payload_len);
	*out_len = n;
	return p;
}

static inline void tp_sha256_hex(const void *p, size_t n, char out[65])
{
	uint8_t d[32];
	unsigned int dl;
	int i;

	EVP_Digest(p, n, d, &dl, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* The standard test package: 3 files (regular, directory, %ghost). */
/* The fake verifiers' good signature: it is framed as one signature packet
 * (0xc2: OpenPGP format, tag 2; 0x1c: a body of 28 bytes), as the core
 * requires of a signature tag's value before it verifies, but is no
 * OpenPGP. */
#define TP_GOODSIG "\xc2\x1c" "GOODSIG-over-the-main-header"
#define TP_PAYLOAD "payload bytes: " \
	"0000000000000000000000000000000000000000000000000000000000000000"

struct tp_pkg {
	uint8_t *bytes;
	size_t len;
	size_t main_off, main_len;
	char digest_a[65];
};

/*
 * The standard package with @sig_len bytes @sig in RSAHEADER and the
 * @n_extra entries @extra after the standard ones in the main header.
 */
static inline void tp_build_ext(struct tp_pkg *tp, const void *sig, size_t sig_len,
				const struct tp_ent *extra, size_t n_extra)
{
	static const uint8_t modes[6] = { 0x81, 0xa4, 0x41, 0xed, 0x81, 0xa4 };
	static const uint8_t fflags[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 64 };
	static const uint8_t dirix[12] = { 0 };
	static const uint8_t algo[4] = { 0, 0, 0, 8 };
	char digests[65 + 1 + 65];
	uint8_t *hdr, *sh;
	size_t hl, sl;
	char hex[65];

	tp_sha256_hex("a\n", 2, tp->digest_a);
	memcpy(digests, tp->digest_a, 65);
	digests[65] = '\0';
	tp_sha256_hex("g\n", 2, digests + 66);
	{
		const struct tp_ent m[] = {
			{ RPMTAG_NAME, RPM_TYPE_STRING, 1, "tp", 3 },
			{ RPMTAG_VERSION, RPM_TYPE_STRING, 1, "1", 2 },
			{ RPMTAG_RELEASE, RPM_TYPE_STRING, 1, "1", 2 },
			{ RPMTAG_ARCH, RPM_TYPE_STRING, 1, "noarch", 7 },
			{ RPMTAG_FILEMODES, RPM_TYPE_INT16, 3, modes, 6 },
			{ RPMTAG_FILEDIGESTS, RPM_TYPE_STRING_ARRAY, 3, digests, sizeof(digests) },
			{ RPMTAG_FILEFLAGS, RPM_TYPE_INT32, 3, fflags, 12 },
			{ RPMTAG_DIRINDEXES, RPM_TYPE_INT32, 3, dirix, 12 },
			{ RPMTAG_BASENAMES, RPM_TYPE_STRING_ARRAY, 3, "a\0d\0g", 6 },
			{ RPMTAG_DIRNAMES, RPM_TYPE_STRING_ARRAY, 1, "/usr/", 6 },
			{ RPMTAG_FILEDIGESTALGO, RPM_TYPE_INT32, 1, algo, 4 },
		};
		struct tp_ent all[sizeof(m) / sizeof(m[0]) + 8];
		size_t n = sizeof(m) / sizeof(m[0]);

		memcpy(all, m, sizeof(m));
		if (n_extra > 8)
			n_extra = 8;
		if (n_extra)
			memcpy(all + n, extra, n_extra * sizeof(*extra));
		hdr = tp_header(RPMTAG_HEADERIMMUTABLE, all, n + n_extra, &hl);
	}
	tp_sha256_hex(hdr, hl, hex);
	{
		const struct tp_ent s[] = {
			{ RPMSIGTAG_RSAHEADER, RPM_TYPE_BIN, (uint32_t)sig_len, sig, sig_len },
			{ RPMSIGTAG_SHA256HEADER, RPM_TYPE_STRING, 1, hex, 65 },
		};
		sh = tp_header(RPMTAG_HEADERSIGNATURES, s, 2, &sl);
	}
	tp->bytes = tp_package(sh, sl, hdr, hl, TP_PAYLOAD, sizeof(TP_PAYLOAD), &tp->len);
	tp->main_len = hl;
	tp->main_off = tp->len - sizeof(TP_PAYLOAD) - hl;
	free(hdr);
	free(sh);
}

/* The standard package with @sig_len bytes @sig in RSAHEADER. */
static inline void tp_build_sig(struct tp_pkg *tp, const void *sig, size_t sig_len)
{
	tp_build_ext(tp, sig, sig_len, NULL, 0);
}

static inline void tp_build(struct tp_pkg *tp, const char *sigtext)
{
	tp_build_sig(tp, sigtext, strlen(sigtext));
}

#endif

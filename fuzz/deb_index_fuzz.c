// SPDX-License-Identifier: MIT
/*
 * Fuzz the deb handler's parser: the first byte chooses the request (2:
 * DEB_REQ_ARCHIVE; else even: DEB_REQ_RELEASE, odd: DEB_REQ_PACKAGES), the
 * rest is its bytes.  Whenever the parser accepts, its answer must hold
 * what deb_proto.h promises about the text (the claims the core
 * re-checks): every span inside the text, hashes of 64 hexadecimal digits,
 * sizes equal to the digits at their span, record values inside their
 * paragraph; for a .deb, the data member inside the request, tar headers
 * one after the other with their checksums right, paths where their kind
 * says.  A broken promise aborts.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "../src/handlers/deb/deb_archive.h"
#include "../src/handlers/deb/deb_parse.h"
#include "../src/handlers/deb/deb_proto.h"

/* Smaller than DEB_TEXT_MAX: a bomb costs the fuzzer seconds, not minutes. */
#define FUZZ_TEXT_MAX (16u << 20)
/* The same for DEB_TAR_MAX. */
#define FUZZ_TAR_MAX (16u << 20)
#define FUZZ_REQ_ARCHIVE 2

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void fail(const char *what)
{
	fprintf(stderr, "deb answer breaks its promise: %s\n", what);
	abort();
}

static void check_span(uint32_t off, uint32_t len, size_t text_len, const char *what)
{
	if ((uint64_t)off + len > text_len)
		fail(what);
}

static void check_hex64(const uint8_t *p)
{
	int i;

	for (i = 0; i < DEB_SHA256_HEX; i++)
		if (!isxdigit(p[i]))
			fail("hash is not hexadecimal");
}

static void check_size(const uint8_t *p, uint32_t len, uint64_t want)
{
	uint64_t n = 0;
	uint32_t i;

	if (len < 1 || len > DEB_SIZE_DIGITS_MAX)
		fail("size span length");
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			fail("size is not decimal");
		n = n * 10 + (uint64_t)(p[i] - '0');
	}
	if (n != want)
		fail("size differs from its digits");
}

static void check_release(const uint8_t *t, size_t tl, const uint8_t *a, size_t al)
{
	uint32_t n, i, flags;

	if (al < DEB_REL_FIXED || rd32(a) != DEB_REL_MAGIC || (rd32(a + 4) & 0xffff) != DEB_ANS_VERSION)
		fail("release fixed part");
	flags = rd32(a + 4) >> 16;
	n = rd32(a + 48);
	if (al != DEB_REL_FIXED + (size_t)n * DEB_REL_ENTRY_SIZE || n == 0 || n > DEB_REL_ENTRIES_MAX)
		fail("release entry count");
	check_span(rd32(a + 24), rd32(a + 28), tl, "Date span");
	check_span(rd32(a + 32), rd32(a + 36), tl, "Valid-Until span");
	if (!(flags & DEB_REL_F_DATE) && (rd64(a + 8) || rd32(a + 28)))
		fail("Date without its flag");
	if (!(flags & DEB_REL_F_VALID_UNTIL) && (rd64(a + 16) || rd32(a + 36)))
		fail("Valid-Until without its flag");
	check_span(rd32(a + 40), rd32(a + 44), tl, "SHA256 field span");
	if (rd32(a + 44) < 7 || strncasecmp((const char *)t + rd32(a + 40), "SHA256:", 7))
		fail("SHA256 field span does not start with its name");
	for (i = 0; i < n; i++) {
		const uint8_t *e = a + DEB_REL_FIXED + (size_t)i * DEB_REL_ENTRY_SIZE;
		uint32_t line = rd32(e + 8), hash = rd32(e + 12), path = rd32(e + 24), plen = rd32(e + 28), k;

		check_span(line, 1, tl, "entry line");
		if (t[line] != ' ' && t[line] != '\t')
			fail("entry line does not start with a space or tab");
		if (line < rd32(a + 40) || (uint64_t)path + plen > (uint64_t)rd32(a + 40) + rd32(a + 44))
			fail("entry outside the SHA256 field");
		check_span(hash, DEB_SHA256_HEX, tl, "hash span");
		check_hex64(t + hash);
		check_span(rd32(e + 16), rd32(e + 20), tl, "size span");
		check_size(t + rd32(e + 16), rd32(e + 20), rd64(e));
		check_span(path, plen, tl, "path span");
		if (!plen)
			fail("empty path");
		for (k = 0; k < plen; k++)
			if (t[path + k] == ' ' || t[path + k] == '\t' || t[path + k] == '\n')
				fail("blank in path");
	}
}

static void check_packages(const uint8_t *req, size_t rl, const uint8_t *a, size_t al)
{
	uint32_t n, i, flags;
	const uint8_t *t;
	uint64_t tl;
	int f;

	if (al < DEB_PKG_FIXED || rd32(a) != DEB_PKG_MAGIC || (rd32(a + 4) & 0xffff) != DEB_ANS_VERSION)
		fail("packages fixed part");
	flags = rd32(a + 4) >> 16;
	tl = rd64(a + 16);
	n = rd32(a + 24);
	if (n > DEB_PKG_RECORDS_MAX || tl > FUZZ_TEXT_MAX)
		fail("packages counts");
	if (flags & DEB_PKG_F_TEXT) {
		if (a[8] == DEB_COMP_NONE || al != DEB_PKG_FIXED + (size_t)n * DEB_PKG_RECORD_SIZE + tl)
			fail("packages answer length with text");
		t = a + DEB_PKG_FIXED + (size_t)n * DEB_PKG_RECORD_SIZE;
	} else {
		if (a[8] != DEB_COMP_NONE || tl != rl || al != DEB_PKG_FIXED + (size_t)n * DEB_PKG_RECORD_SIZE)
			fail("packages answer length without text");
		t = req;
	}
	for (i = 0; i < n; i++) {
		const uint8_t *r = a + DEB_PKG_FIXED + (size_t)i * DEB_PKG_RECORD_SIZE;
		uint32_t po = rd32(r + 8), pl = rd32(r + 12);

		check_span(po, pl, tl, "paragraph span");
		if (po && t[po - 1] != '\n')
			fail("paragraph does not start a line");
		for (f = 0; f < DEB_FIELDS; f++) {
			uint32_t vo = rd32(r + 16 + 8 * f), vl = rd32(r + 20 + 8 * f);

			check_span(vo, vl, tl, "value span");
			if (!vl || vo < po || (uint64_t)vo + vl > (uint64_t)po + pl)
				fail("value outside its paragraph");
			if (memchr(t + vo, '\n', vl))
				fail("value spans lines");
		}
		if (rd32(r + 20 + 8 * DEB_FIELD_SHA256) != DEB_SHA256_HEX)
			fail("SHA256 span length");
		check_hex64(t + rd32(r + 16 + 8 * DEB_FIELD_SHA256));
		check_size(t + rd32(r + 16 + 8 * DEB_FIELD_SIZE), rd32(r + 20 + 8 * DEB_FIELD_SIZE), rd64(r));
	}
}

static int is_ext(uint8_t type)
{
	return type == 'L' || type == 'K' || type == 'x' || type == 'g';
}

static int has_nul(const uint8_t *p, size_t n)
{
	return memchr(p, '\0', n) != NULL;
}

/* The unsigned sum with the checksum field as spaces, against that field. */
static void check_tar_checksum(const uint8_t *h)
{
	uint64_t sum = 0, want = 0;
	size_t i;

	for (i = 0; i < DEB_TAR_BLOCK; i++)
		sum += i >= 148 && i < 156 ? ' ' : h[i];
	for (i = 148; i < 156 && h[i] >= '0' && h[i] <= '7'; i++)
		want = want * 8 + (uint64_t)(h[i] - '0');
	if (i == 148 || sum != want)
		fail("tar header checksum");
}

/*
 * The data of the extension header of type @type among the ones just before
 * record @i (back to the previous entry), as [*off, *end); 0 without one.
 */
static int ext_before(const uint8_t *a, uint32_t i, uint8_t type, uint64_t *off, uint64_t *end)
{
	while (i-- > 0) {
		const uint8_t *r = a + DEB_ARC_FIXED + (size_t)i * DEB_ARC_RECORD_SIZE;

		if (r[53] != DEB_PATH_NONE || !is_ext(r[52]) || r[52] == 'g')
			return 0;
		if (r[52] == type) {
			*off = rd64(r) + DEB_TAR_BLOCK;
			*end = *off + rd64(r + 8);
			return 1;
		}
	}
	return 0;
}

static void check_archive(const uint8_t *deb, size_t dl, const uint8_t *a, size_t al)
{
	uint64_t moff, msize, tl, next = 0;
	const uint8_t *t;
	uint32_t n, i, flags;

	if (al < DEB_ARC_FIXED || rd32(a) != DEB_ARC_MAGIC || (rd32(a + 4) & 0xffff) != DEB_ANS_VERSION)
		fail("archive fixed part");
	flags = rd32(a + 4) >> 16;
	if (flags & ~DEB_ARC_F_TEXT || a[8] > DEB_COMP_LZMA || a[8] == DEB_COMP_LZ4 ||
	    rd32(a + 8) >> 8 || rd32(a + 12) || rd32(a + 44))
		fail("archive flags, compression or reserved bytes");
	moff = rd64(a + 16);
	msize = rd64(a + 24);
	tl = rd64(a + 32);
	n = rd32(a + 40);
	if (moff < 8 || moff > dl || msize > dl - moff || DEB_AR_HEADER > dl - moff - msize)
		fail("data member outside the request");
	if (deb[moff + 58] != '`' || deb[moff + 59] != '\n' || memcmp(deb + moff, "data.tar", 8))
		fail("data member header");
	if (n > DEB_TAR_HEADERS_MAX || tl > FUZZ_TAR_MAX)
		fail("archive counts");
	if (flags & DEB_ARC_F_TEXT) {
		if (a[8] == DEB_COMP_NONE || al != DEB_ARC_FIXED + (size_t)n * DEB_ARC_RECORD_SIZE + tl)
			fail("archive answer length with text");
		t = a + DEB_ARC_FIXED + (size_t)n * DEB_ARC_RECORD_SIZE;
	} else {
		if (a[8] != DEB_COMP_NONE || tl != msize || al != DEB_ARC_FIXED + (size_t)n * DEB_ARC_RECORD_SIZE)
			fail("archive answer length without text");
		t = deb + moff + DEB_AR_HEADER;
	}
	for (i = 0; i < n; i++) {
		const uint8_t *r = a + DEB_ARC_FIXED + (size_t)i * DEB_ARC_RECORD_SIZE, *h;
		uint64_t hdr = rd64(r), size = rd64(r + 8), ao = rd64(r + 16), bo = rd64(r + 24);
		uint64_t ro = rd64(r + 32), eo, ee;
		uint32_t alen = rd32(r + 40), blen = rd32(r + 44), k;

		if (hdr != next || hdr % DEB_TAR_BLOCK || tl < DEB_TAR_BLOCK || hdr > tl - DEB_TAR_BLOCK ||
		    size > tl - hdr - DEB_TAR_BLOCK)
			fail("tar header offset or size");
		next = hdr + DEB_TAR_BLOCK + (size + DEB_TAR_BLOCK - 1) / DEB_TAR_BLOCK * DEB_TAR_BLOCK;
		if (next > tl)
			fail("tar entry not whole");
		h = t + hdr;
		check_tar_checksum(h);
		if (r[52] != h[156])
			fail("typeflag differs from the header's");
		for (k = 54; k < DEB_ARC_RECORD_SIZE; k++)
			if (r[k])
				fail("record reserved bytes");
		if ((r[53] == DEB_PATH_NONE) != is_ext(r[52]))
			fail("path kind for the type");
		if (r[53] != DEB_PATH_PREFIX && (bo || blen))
			fail("b span without a prefix");
		if (r[53] != DEB_PATH_PAX && ro)
			fail("rec_offset without a pax path");
		switch (r[53]) {
		case DEB_PATH_NONE:
			if (ao || alen)
				fail("a span on an extension header");
			break;
		case DEB_PATH_NAME:
			if (ao != hdr || !alen || alen > 100 || has_nul(h, alen) || (alen < 100 && h[alen]))
				fail("name span");
			break;
		case DEB_PATH_PREFIX:
			if (ao != hdr + 345 || !alen || alen > 155 || has_nul(h + 345, alen) ||
			    (alen < 155 && h[345 + alen]) || memcmp(h + 257, "ustar", 6))
				fail("prefix span");
			if (bo != hdr || !blen || blen > 100 || has_nul(h, blen) || (blen < 100 && h[blen]))
				fail("prefix name span");
			break;
		case DEB_PATH_LONG:
			if (!ext_before(a, i, 'L', &eo, &ee) || ao != eo || !alen || ao + alen >= ee ||
			    has_nul(t + ao, alen) || t[ao + alen])
				fail("long name span");
			break;
		case DEB_PATH_PAX:
			if (!ext_before(a, i, 'x', &eo, &ee) || ro < eo || ao < ro + 7 || !alen ||
			    ao + alen >= ee || memcmp(t + ao - 6, " path=", 6) || t[ao + alen] != '\n' ||
			    has_nul(t + ao, alen) || t[ro] < '1' || t[ro] > '9')
				fail("pax path span");
			break;
		default:
			fail("unknown path kind");
		}
	}
	/* The end of the stream, or the end-of-archive block and zeros. */
	if (next != tl)
		for (; next < tl; next++)
			if (t[next])
				fail("bytes after the last header that are no end-of-archive block");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dg_buf ans = { 0 };
	char err[256];
	int r;

	if (size < 1)
		return 0;
	if (data[0] == FUZZ_REQ_ARCHIVE) {
		r = deb_archive_parse_max(data + 1, size - 1, FUZZ_TAR_MAX, &ans, err, sizeof(err));
		if (r == 0)
			check_archive(data + 1, size - 1, ans.data, ans.len);
	} else if (data[0] & 1) {
		r = deb_packages_parse(data + 1, size - 1, FUZZ_TEXT_MAX, &ans, err, sizeof(err));
		if (r == 0)
			check_packages(data + 1, size - 1, ans.data, ans.len);
	} else {
		r = deb_release_parse(data + 1, size - 1, &ans, err, sizeof(err));
		if (r == 0)
			check_release(data + 1, size - 1, ans.data, ans.len);
	}
	if (r < 0 && (ans.len || !err[0]))
		fail("a failed parse left bytes in the answer or gave no reason");
	dg_buf_free(&ans);
	return 0;
}

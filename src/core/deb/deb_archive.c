// SPDX-License-Identifier: MIT
/*
 * Re-checks of the deb handler's DEB_REQ_ARCHIVE answer (deb_proto.h) and
 * the file list the core makes from it.  The .deb itself was found in a
 * verified Packages file before it went to the handler; the core re-walks
 * its fixed 60-byte ar headers to confirm the data member, and every
 * 512-byte tar header of the stream (checksum, size, type, the chain of
 * offsets), then hashes each regular file's bytes itself.
 *
 * What the core cannot check is the decompression of a compressed data
 * member: Debian signs the .deb, not its decompressed tar (docs/deb.md,
 * "Trust").  The stream is held to tar's own structure, and only a .deb
 * the archive signed is ever decompressed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deb_core.h"
#include "sha256.h"
#include "../../handlers/deb/deb_proto.h"

#define DEB_AR_NAME 16
#define DEB_AR_SIZE_OFF 48
#define DEB_AR_SIZE_LEN 10
#define DEB_AR_FMAG_OFF 58
#define DEB_TAR_NAME_LEN 100
#define DEB_TAR_MODE_OFF 100
#define DEB_TAR_SIZE_OFF 124
#define DEB_TAR_CHKSUM_OFF 148
#define DEB_TAR_TYPE_OFF 156
#define DEB_TAR_MAGIC_OFF 257
#define DEB_TAR_PREFIX_OFF 345
#define DEB_TAR_PREFIX_LEN 155
#define DEB_PATH_MAX 4096

/* The data member's name for each compression (deb(5)). */
static const char *member_name(int comp)
{
	switch (comp) {
	case DEB_COMP_NONE: return "data.tar";
	case DEB_COMP_GZIP: return "data.tar.gz";
	case DEB_COMP_XZ: return "data.tar.xz";
	case DEB_COMP_BZIP2: return "data.tar.bz2";
	case DEB_COMP_ZSTD: return "data.tar.zst";
	case DEB_COMP_LZMA: return "data.tar.lzma";
	default: return NULL;
	}
}

/* An ar name field holds @name, then an optional '/', then spaces. */
static int ar_name_is(const uint8_t *f, const char *name)
{
	size_t n = strlen(name), i;

	if (n > DEB_AR_NAME || memcmp(f, name, n))
		return 0;
	i = n;
	if (i < DEB_AR_NAME && f[i] == '/')
		i++;
	for (; i < DEB_AR_NAME; i++)
		if (f[i] != ' ')
			return 0;
	return 1;
}

/* Decimal digits then spaces, at least one digit; 0 or -1. */
static int ar_size(const uint8_t *f, uint64_t *v)
{
	uint64_t x = 0;
	size_t i = 0;

	while (i < DEB_AR_SIZE_LEN && f[i] >= '0' && f[i] <= '9') {
		x = x * 10 + (uint64_t)(f[i] - '0');
		i++;
	}
	if (i == 0)
		return -1;
	for (; i < DEB_AR_SIZE_LEN; i++)
		if (f[i] != ' ')
			return -1;
	*v = x;
	return 0;
}

/*
 * Walk the ar headers from the magic: the first member is debian-binary
 * ("2." ...), and one header starts at @hoff, names the data member of
 * @comp and has size @size.
 */
static int check_ar(const uint8_t *deb, size_t len, uint64_t hoff, uint64_t size, int comp,
		    char *err, size_t errlen)
{
	const char *want = member_name(comp);
	size_t off = sizeof(DEB_AR_MAGIC) - 1;
	unsigned idx = 0;

	if (!want)
		return deb_reject(err, errlen, "unknown data member compression %d", comp);
	if (len < off || memcmp(deb, DEB_AR_MAGIC, off))
		return deb_reject(err, errlen, "the .deb has no ar magic");
	while (len - off >= DEB_AR_HEADER) {
		const uint8_t *h = deb + off;
		uint64_t sz;

		if (h[DEB_AR_FMAG_OFF] != '`' || h[DEB_AR_FMAG_OFF + 1] != '\n' ||
		    ar_size(h + DEB_AR_SIZE_OFF, &sz) < 0 || sz > len - off - DEB_AR_HEADER)
			return deb_reject(err, errlen, "ar header %u at %zu is malformed", idx, off);
		if (idx == 0 && (!ar_name_is(h, "debian-binary") || sz < 2 ||
				 memcmp(h + DEB_AR_HEADER, "2.", 2)))
			return deb_reject(err, errlen, "the first ar member is not debian-binary 2.x");
		if (off == hoff) {
			if (!ar_name_is(h, want) || sz != size)
				return deb_reject(err, errlen, "the ar member at %zu is not %s of %llu bytes",
					    off, want, (unsigned long long)size);
			return 0;
		}
		off += DEB_AR_HEADER + (size_t)sz;
		if (sz & 1)
			off++;
		if (off > len)
			break;
		idx++;
	}
	return deb_reject(err, errlen, "no ar header at offset %llu", (unsigned long long)hoff);
}

/* A tar numeric field: octal digits (leading spaces, ended by NUL or
 * space) or base-256 (first byte's bit 7 set); 0 or -1. */
static int tar_number(const uint8_t *f, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i = 0;

	if (f[0] & 0x80) {
		if (f[0] != 0x80)	/* negative, or more than 64 bits */
			return -1;
		for (i = 1; i < n; i++) {
			if (x >> 56)
				return -1;
			x = x << 8 | f[i];
		}
		*v = x;
		return 0;
	}
	while (i < n && f[i] == ' ')
		i++;
	if (i == n || f[i] < '0' || f[i] > '7')
		return -1;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (x >> 60)
			return -1;
		x = x << 3 | (uint64_t)(f[i] - '0');
	}
	if (i < n && f[i] != 0 && f[i] != ' ')
		return -1;
	*v = x;
	return 0;
}

/* The header's checksum field equals the sum of its bytes (the field as
 * spaces), as POSIX ustar defines it. */
static int tar_checksum_ok(const uint8_t *h)
{
	uint64_t want, sum = 0;
	size_t i;

	if (tar_number(h + DEB_TAR_CHKSUM_OFF, 8, &want) < 0)
		return 0;
	for (i = 0; i < DEB_TAR_BLOCK; i++)
		sum += i >= DEB_TAR_CHKSUM_OFF && i < DEB_TAR_CHKSUM_OFF + 8 ? ' ' : h[i];
	return sum == want;
}

/* [@off, @off + @len) is a whole NUL-ended (or @field-filling) string
 * field starting at @start of @field bytes, with no NUL inside. */
static int field_string(const uint8_t *t, uint64_t start, size_t field, uint64_t off,
			uint64_t len)
{
	if (off != start || len == 0 || len > field)
		return 0;
	if (memchr(t + off, 0, (size_t)len))
		return 0;
	return len == field || t[off + len] == 0;
}

/*
 * @rec_off starts the last "path=" record of the pax data [@d, @e) of the
 * header before, walked record by record ("LEN key=value\n"), and
 * [@a, @a + @alen) is its value.
 */
static int pax_path(const uint8_t *t, uint64_t d, uint64_t e, uint64_t rec_off, uint64_t a,
		    uint64_t alen)
{
	uint64_t r = d;
	int found = 0;

	while (r < e) {
		uint64_t len = 0, k = r;

		while (k < e && t[k] >= '0' && t[k] <= '9' && k - r < 20) {
			len = len * 10 + (uint64_t)(t[k] - '0');
			k++;
		}
		if (k == r || k >= e || t[k] != ' ' || len <= k + 1 - r || len > e - r ||
		    t[r + len - 1] != '\n')
			return 0;
		k++;
		if (e - k >= 5 && !memcmp(t + k, "path=", 5)) {
			if (r != rec_off && found)	/* a later path record */
				return 0;
			if (r == rec_off) {
				if (a != k + 5 || alen == 0 || a + alen != r + len - 1 ||
				    memchr(t + a, 0, (size_t)alen))
					return 0;
				found = 1;
			}
		}
		r += len;
	}
	return found;
}

static int is_file_type(uint8_t type)
{
	return type == '0' || type == 0 || type == '7';
}

static int is_extension(uint8_t type)
{
	return type == 'L' || type == 'K' || type == 'x' || type == 'g';
}

int deb_check_archive(const uint8_t *deb, size_t deb_len, const uint8_t *ans, size_t ans_len,
		      struct deb_tar *out, char *err, size_t errlen)
{
	uint64_t hoff, msize, tlen, expect = 0, prev_off = 0, prev_size = 0;
	uint8_t prev_type = 0xff;
	uint32_t n, i, flags;
	int comp, r;

	memset(out, 0, sizeof(*out));
	if (ans_len < DEB_ARC_FIXED)
		return deb_reject(err, errlen, "archive answer of %zu bytes", ans_len);
	flags = (uint32_t)ans[6] | (uint32_t)ans[7] << 8;
	comp = ans[8];
	if (deb_le32(ans) != DEB_ARC_MAGIC || (ans[4] | ans[5] << 8) != DEB_ANS_VERSION ||
	    (flags & ~DEB_ARC_F_TEXT))
		return deb_reject(err, errlen, "archive answer has a wrong magic, version or flags");
	for (i = 9; i < 16; i++)
		if (ans[i])
			return deb_reject(err, errlen, "archive answer has reserved bytes set");
	hoff = deb_le64(ans + 16);
	msize = deb_le64(ans + 24);
	tlen = deb_le64(ans + 32);
	n = deb_le32(ans + 40);
	if (deb_le32(ans + 44) || n > DEB_TAR_HEADERS_MAX || tlen > DEB_TAR_MAX)
		return deb_reject(err, errlen, "archive answer over a limit or with reserved bytes");
	r = check_ar(deb, deb_len, hoff, msize, comp, err, errlen);
	if (r < 0)
		return r;
	if ((size_t)(ans_len - DEB_ARC_FIXED) / DEB_ARC_RECORD_SIZE < n)
		return deb_reject(err, errlen, "archive answer of %zu bytes for %u records", ans_len, n);
	if (flags & DEB_ARC_F_TEXT) {
		if (comp == DEB_COMP_NONE ||
		    ans_len - DEB_ARC_FIXED - (size_t)n * DEB_ARC_RECORD_SIZE != tlen)
			return deb_reject(err, errlen, "archive answer's tar stream does not fit its length");
		out->tar = ans + DEB_ARC_FIXED + (size_t)n * DEB_ARC_RECORD_SIZE;
	} else {
		if (comp != DEB_COMP_NONE || tlen != msize ||
		    ans_len != DEB_ARC_FIXED + (size_t)n * DEB_ARC_RECORD_SIZE)
			return deb_reject(err, errlen, "archive answer's length does not fit the member");
		out->tar = deb + hoff + DEB_AR_HEADER;
	}
	out->tar_len = (size_t)tlen;
	out->recs = ans + DEB_ARC_FIXED;
	out->n = n;
	out->compression = comp;
	for (i = 0; i < n; i++) {
		const uint8_t *rc = out->recs + (size_t)i * DEB_ARC_RECORD_SIZE, *h;
		uint64_t off = deb_le64(rc), size = deb_le64(rc + 8), a = deb_le64(rc + 16), b = deb_le64(rc + 24);
		uint64_t rec = deb_le64(rc + 32), alen = deb_le32(rc + 40), blen = deb_le32(rc + 44), v;
		uint8_t type = rc[52], kind = rc[53];
		size_t k;
		int ok;

		for (k = 54; k < DEB_ARC_RECORD_SIZE; k++)
			if (rc[k])
				return deb_reject(err, errlen, "tar record %u has reserved bytes set", i);
		if (off != expect || off > tlen || tlen - off < DEB_TAR_BLOCK)
			return deb_reject(err, errlen, "tar record %u: no header at %llu", i,
				    (unsigned long long)off);
		h = out->tar + off;
		if (!tar_checksum_ok(h) || h[DEB_TAR_TYPE_OFF] != type ||
		    tar_number(h + DEB_TAR_SIZE_OFF, 12, &v) < 0 || v != size ||
		    tar_number(h + DEB_TAR_MODE_OFF, 8, &v) < 0 || v != deb_le32(rc + 48) ||
		    size > tlen - off - DEB_TAR_BLOCK)
			return deb_reject(err, errlen, "tar header %u at %llu is not what the record says",
				    i, (unsigned long long)off);
		switch (kind) {
		case DEB_PATH_NONE:
			ok = !is_file_type(type);
			break;
		case DEB_PATH_NAME:
			ok = field_string(out->tar, off, DEB_TAR_NAME_LEN, a, alen) && !blen;
			break;
		case DEB_PATH_PREFIX:
			ok = !memcmp(h + DEB_TAR_MAGIC_OFF, "ustar", 5) &&
			     field_string(out->tar, off + DEB_TAR_PREFIX_OFF, DEB_TAR_PREFIX_LEN, a,
					  alen) &&
			     field_string(out->tar, off, DEB_TAR_NAME_LEN, b, blen);
			break;
		case DEB_PATH_LONG:
			ok = prev_type == 'L' && a == prev_off + DEB_TAR_BLOCK && alen &&
			     alen < prev_size && !memchr(out->tar + a, 0, (size_t)alen) &&
			     out->tar[a + alen] == 0 && !blen;
			break;
		case DEB_PATH_PAX:
			ok = prev_type == 'x' && !blen &&
			     pax_path(out->tar, prev_off + DEB_TAR_BLOCK,
				      prev_off + DEB_TAR_BLOCK + prev_size, rec, a, alen);
			break;
		default:
			ok = 0;
		}
		if (!ok || (is_extension(type) && kind != DEB_PATH_NONE))
			return deb_reject(err, errlen, "tar record %u at %llu: its path claim does not hold",
				    i, (unsigned long long)off);
		prev_type = type;
		prev_off = off;
		prev_size = size;
		expect = off + DEB_TAR_BLOCK + ((size + DEB_TAR_BLOCK - 1) / DEB_TAR_BLOCK) *
			 DEB_TAR_BLOCK;
	}
	/* Nothing hidden after the last header: the end, or a zero block. */
	if (expect < tlen) {
		size_t k;

		if (tlen - expect < DEB_TAR_BLOCK)
			return deb_reject(err, errlen, "tar stream ends inside a block");
		for (k = 0; k < DEB_TAR_BLOCK; k++)
			if (out->tar[expect + k])
				return deb_reject(err, errlen, "tar header at %llu not reported",
					    (unsigned long long)expect);
	} else if (expect > tlen) {
		return deb_reject(err, errlen, "the last tar entry runs past the stream");
	}
	if (n && is_extension(prev_type))
		return deb_reject(err, errlen, "the tar stream ends with an extension header");
	return 0;
}

/* The record's path, "/"-rooted without "./": 0, or -1 when it has a
 * control character, a ".." component or is too long. */
static int record_path(const struct deb_tar *t, const uint8_t *rc, char *out, size_t outlen)
{
	uint64_t a = deb_le64(rc + 16), b = deb_le64(rc + 24), alen = deb_le32(rc + 40), blen = deb_le32(rc + 44);
	char raw[DEB_PATH_MAX];
	const char *p, *c;
	size_t n = 0, i;

	if (alen + blen + 2 > sizeof(raw))
		return -1;
	memcpy(raw, t->tar + a, (size_t)alen);
	n = (size_t)alen;
	if (rc[53] == DEB_PATH_PREFIX) {
		raw[n++] = '/';
		memcpy(raw + n, t->tar + b, (size_t)blen);
		n += (size_t)blen;
	}
	raw[n] = '\0';
	for (i = 0; i < n; i++)
		if ((unsigned char)raw[i] < 0x20 || raw[i] == 0x7f)
			return -1;
	p = raw;
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	while (*p == '/')
		p++;
	for (c = p; *c; ) {
		size_t seg = strcspn(c, "/");

		if (seg == 2 && c[0] == '.' && c[1] == '.')
			return -1;
		c += seg;
		while (*c == '/')
			c++;
	}
	if (!*p || strlen(p) + 2 > outlen)
		return -1;
	snprintf(out, outlen, "/%s", p);
	return 0;
}

int deb_tar_each_file(const struct deb_tar *t, dg_deb_file_fn fn, void *ctx, char *err,
		      size_t errlen)
{
	char path[DEB_PATH_MAX];
	size_t i;
	int r;

	for (i = 0; i < t->n; i++) {
		const uint8_t *rc = t->recs + i * DEB_ARC_RECORD_SIZE;
		struct dg_deb_file f;
		uint64_t off = deb_le64(rc);

		if (!is_file_type(rc[52]))
			continue;
		if (record_path(t, rc, path, sizeof(path)) < 0) {
			snprintf(err, errlen, "tar entry at %llu: a path with a control character, "
				 "a \"..\" component or over %d bytes", (unsigned long long)off,
				 DEB_PATH_MAX);
			return -EBADMSG;
		}
		memset(&f, 0, sizeof(f));
		f.path = path;
		f.size = deb_le64(rc + 8);
		f.mode = deb_le32(rc + 48) & 07777;
		dg_sha256(t->tar + off + DEB_TAR_BLOCK, (size_t)f.size, f.sha256);
		r = fn(&f, ctx);
		if (r)
			return r;
	}
	return 0;
}

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
#define DEB_TAR_LINK_OFF 157		/* linkname, 100 bytes like the name */
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

/* An ar name field starting with @prefix, then [.a-z0-9] up to an optional
 * '/' and spaces ("control.tar.xz", "data.tar/"). */
static int ar_name_starts(const uint8_t *f, const char *prefix)
{
	size_t n = strlen(prefix), i;

	if (memcmp(f, prefix, n))
		return 0;
	for (i = n; i < DEB_AR_NAME && f[i] != '/' && f[i] != ' '; i++)
		if (!(f[i] == '.' || (f[i] >= 'a' && f[i] <= 'z') || (f[i] >= '0' && f[i] <= '9')))
			return 0;
	return 1;
}

/*
 * Walk the ar headers from the magic in deb(5)'s order, as dpkg-deb reads
 * them: debian-binary ("2." ...), members named "_..." (skipped),
 * control.tar[.EXT], "_..." again, then the first data.tar[.EXT] — the one
 * dpkg installs, which must be the member at @hoff, named for @comp, of
 * @size bytes.  A decoy data member after it cannot be taken instead.
 */
static int check_ar(const uint8_t *deb, size_t len, uint64_t hoff, uint64_t size, int comp,
		    char *err, size_t errlen)
{
	enum { WANT_BINARY, WANT_CONTROL, WANT_DATA } state = WANT_BINARY;
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
		if (state == WANT_BINARY) {
			if (!ar_name_is(h, "debian-binary") || sz < 2 ||
			    memcmp(h + DEB_AR_HEADER, "2.", 2))
				return deb_reject(err, errlen,
						  "the first ar member is not debian-binary 2.x");
			state = WANT_CONTROL;
		} else if (h[0] == '_') {
			/* deb(5): members for other tools, between the known ones */
		} else if (state == WANT_CONTROL) {
			if (!ar_name_starts(h, "control.tar"))
				return deb_reject(err, errlen, "ar member %u is not control.tar", idx);
			state = WANT_DATA;
		} else {
			if (!ar_name_starts(h, "data.tar") || off != hoff || !ar_name_is(h, want) ||
			    sz != size)
				return deb_reject(err, errlen, "the data member is the one at %zu, not "
						  "%s of %llu bytes at %llu", off, want,
						  (unsigned long long)size, (unsigned long long)hoff);
			return 0;
		}
		off += DEB_AR_HEADER + (size_t)sz;
		if (sz & 1)
			off++;
		if (off > len)
			break;
		idx++;
	}
	return deb_reject(err, errlen, "the .deb has no data member");
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

/* What the pax records of an 'x' header say of the entry after it. */
struct pax_info {
	int has_path, has_size, has_link;
	int has_sparse;			/* a GNU.sparse.* record */
	uint64_t path_rec;		/* the last "path=" record's first byte */
	uint64_t path, path_len;	/* its value */
	uint64_t size;			/* the last "size=" value */
	uint64_t link, link_len;	/* the last "linkpath=" value */
};

/*
 * Walk the pax records "LEN key=value\n" of [@d, @e) as tar does, each
 * at the end of the one before: 0, or -1 when they do not tile the data
 * (a LEN too large, no '\n' at a record's end, a size that is no number).
 */
static int pax_scan(const uint8_t *t, uint64_t d, uint64_t e, struct pax_info *pi)
{
	uint64_t r = d;

	memset(pi, 0, sizeof(*pi));
	while (r < e) {
		uint64_t len = 0, k = r, end, v = 0, j;

		for (; k < e && t[k] >= '0' && t[k] <= '9'; k++) {
			len = len * 10 + (uint64_t)(t[k] - '0');
			if (len > e - r)	/* bounded before the next digit: no overflow */
				return -1;
		}
		if (k == r || k >= e || t[k] != ' ' || len <= k + 1 - r || t[r + len - 1] != '\n')
			return -1;
		k++;
		end = r + len - 1;	/* the '\n' */
		if (end - k >= 11 && !memcmp(t + k, "GNU.sparse.", 11))
			pi->has_sparse = 1;
		if (end - k >= 5 && !memcmp(t + k, "path=", 5)) {
			pi->has_path = 1;
			pi->path_rec = r;
			pi->path = k + 5;
			pi->path_len = end - (k + 5);
		} else if (end - k >= 9 && !memcmp(t + k, "linkpath=", 9)) {
			pi->has_link = 1;
			pi->link = k + 9;
			pi->link_len = end - (k + 9);
		} else if (end - k >= 5 && !memcmp(t + k, "size=", 5)) {
			if (end - (k + 5) == 0 || end - (k + 5) > 20)
				return -1;
			for (j = k + 5; j < end; j++) {
				if (t[j] < '0' || t[j] > '9' || v > (UINT64_MAX - (uint64_t)(t[j] - '0')) / 10)
					return -1;
				v = v * 10 + (uint64_t)(t[j] - '0');
			}
			pi->has_size = 1;
			pi->size = v;
		}
		r += len;
	}
	return 0;
}

static int is_file_type(uint8_t type)
{
	return type == '0' || type == 0 || type == '7';
}

static int is_extension(uint8_t type)
{
	return type == 'L' || type == 'K' || type == 'x' || type == 'g';
}

/* The types deb_proto.h allows: files, links, devices, directories, FIFOs. */
static int is_known_type(uint8_t type)
{
	return is_extension(type) || type == 0 || (type >= '0' && type <= '7');
}

/*
 * The pax records of the 'x' or 'g' header at @off (@size bytes of data)
 * say nothing tar reads otherwise: no GNU.sparse.* record (tar renames
 * and expands such an entry), and in a 'g' header no path, linkpath or
 * size (tar applies them to every later entry).  0 or -1.
 */
static int pax_header_ok(const uint8_t *t, uint64_t off, uint64_t size, uint8_t type)
{
	struct pax_info pi;

	if (pax_scan(t, off + DEB_TAR_BLOCK, off + DEB_TAR_BLOCK + size, &pi) < 0 || pi.has_sparse)
		return -1;
	if (type == 'g' && (pi.has_path || pi.has_link || pi.has_size))
		return -1;
	return 0;
}

/*
 * The extension headers just before record @i: the nearest 'x', 'L' and
 * 'K' record of the run of them (-1: none).  The run ends at any other
 * header, or at a second 'x' or 'L' (repeated 'K' headers are skipped).
 */
static void extensions_before(const struct deb_tar *t, size_t i, int64_t *x, int64_t *l,
			      int64_t *k)
{
	int64_t j;

	*x = *l = *k = -1;
	for (j = (int64_t)i - 1; j >= 0; j--) {
		uint8_t type = t->recs[(size_t)j * DEB_ARC_RECORD_SIZE + 52];

		if (type == 'x' && *x < 0)
			*x = j;
		else if (type == 'L' && *l < 0)
			*l = j;
		else if (type == 'K' && *k < 0)
			*k = j;
		else if (type != 'K')
			break;
	}
}

/*
 * The path kind of the entry of record @i (of @size bytes): a pax path
 * record of the 'x' header among the extension headers just before it,
 * else the 'L' header's long name there, else the ustar prefix and name
 * (POSIX "ustar\0" magic and a prefix), else the name.  Those earlier
 * records were re-checked already.  -1 when the pax records are malformed
 * or their size is not the header's.
 */
static int expected_kind(const struct deb_tar *t, uint32_t i, uint64_t size, int *kind,
			 uint64_t *pax_rec, uint64_t *pax_a, uint64_t *pax_len, uint64_t *long_a,
			 uint64_t *long_size)
{
	const uint8_t *h = t->tar + deb_le64(t->recs + (size_t)i * DEB_ARC_RECORD_SIZE);
	int64_t x, l, k;

	extensions_before(t, i, &x, &l, &k);
	if (x >= 0) {
		const uint8_t *rc = t->recs + (size_t)x * DEB_ARC_RECORD_SIZE;
		uint64_t d = deb_le64(rc) + DEB_TAR_BLOCK;
		struct pax_info pi;

		if (pax_scan(t->tar, d, d + deb_le64(rc + 8), &pi) < 0 ||
		    (pi.has_size && pi.size != size))
			return -1;
		if (pi.has_path) {
			*kind = DEB_PATH_PAX;
			*pax_rec = pi.path_rec;
			*pax_a = pi.path;
			*pax_len = pi.path_len;
			return 0;
		}
	}
	if (l >= 0) {
		const uint8_t *rc = t->recs + (size_t)l * DEB_ARC_RECORD_SIZE;

		*kind = DEB_PATH_LONG;
		*long_a = deb_le64(rc) + DEB_TAR_BLOCK;
		*long_size = deb_le64(rc + 8);
		return 0;
	}
	*kind = !memcmp(h + DEB_TAR_MAGIC_OFF, "ustar\0", 6) && h[DEB_TAR_PREFIX_OFF] ?
		DEB_PATH_PREFIX : DEB_PATH_NAME;
	return 0;
}

int deb_check_archive(const uint8_t *deb, size_t deb_len, const uint8_t *ans, size_t ans_len,
		      struct deb_tar *out, char *err, size_t errlen)
{
	uint64_t hoff, msize, tlen, expect = 0, pax_rec = 0, pax_a = 0, pax_len = 0, long_a = 0;
	uint64_t long_size = 0;
	uint8_t last_type = 0xff;
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
		if (!is_known_type(type))
			return deb_reject(err, errlen, "tar record %u at %llu: type 0x%02x is none of "
					  "deb_proto.h's", i, (unsigned long long)off, type);
		if ((type == 'x' || type == 'g') && pax_header_ok(out->tar, off, size, type) < 0)
			return deb_reject(err, errlen, "tar record %u at %llu: its pax records are "
					  "malformed, sparse, or global ones tar applies to every later "
					  "entry", i, (unsigned long long)off);
		if (type == 'g' && is_extension(last_type) && last_type != 'g')
			return deb_reject(err, errlen, "tar record %u at %llu: a 'g' header between an "
					  "extension header and its entry", i, (unsigned long long)off);
		if (is_extension(type)) {
			ok = kind == DEB_PATH_NONE && !a && !b && !alen && !blen && !rec;
		} else {
			int want = DEB_PATH_NAME;

			/* The path as tar and dpkg read it, derived here, not taken
			 * from the answer: a pax path, else a GNU long name, else the
			 * ustar prefix and name, else the name. */
			if (expected_kind(out, i, size, &want, &pax_rec, &pax_a, &pax_len, &long_a,
					  &long_size) < 0)
				return deb_reject(err, errlen, "tar record %u at %llu: the extension "
						  "headers before it are malformed", i,
						  (unsigned long long)off);
			switch (kind == want ? kind : -1) {
			case DEB_PATH_NAME:
				ok = field_string(out->tar, off, DEB_TAR_NAME_LEN, a, alen) && !blen;
				break;
			case DEB_PATH_PREFIX:
				ok = field_string(out->tar, off + DEB_TAR_PREFIX_OFF, DEB_TAR_PREFIX_LEN,
						  a, alen) &&
				     field_string(out->tar, off, DEB_TAR_NAME_LEN, b, blen);
				break;
			case DEB_PATH_LONG:
				ok = a == long_a && alen && alen < long_size && !blen &&
				     !memchr(out->tar + a, 0, (size_t)alen) && out->tar[a + alen] == 0;
				break;
			case DEB_PATH_PAX:
				ok = rec == pax_rec && a == pax_a && alen == pax_len && alen && !blen &&
				     !memchr(out->tar + a, 0, (size_t)alen);
				break;
			default:
				ok = 0;
			}
		}
		if (!ok)
			return deb_reject(err, errlen, "tar record %u at %llu: its path claim does not hold",
				    i, (unsigned long long)off);
		/*
		 * GNU tar and dpkg read no data for a link, device, directory
		 * or FIFO: the next header follows this one whatever its size
		 * field says, so a size would hide the entries it covers.  A
		 * regular file whose path ends in '/' is a directory to tar and
		 * a file to dpkg.  Neither is taken.
		 */
		if (!is_extension(type)) {
			uint64_t end = kind == DEB_PATH_PREFIX ? b + blen : a + alen;

			if (is_file_type(type) && out->tar[end - 1] == '/')
				return deb_reject(err, errlen, "tar record %u at %llu: a regular file "
						  "whose path ends in '/'", i, (unsigned long long)off);
			if (!is_file_type(type) && size)
				return deb_reject(err, errlen, "tar record %u at %llu: type 0x%02x, which "
						  "tar reads no data for, with a size of %llu", i,
						  (unsigned long long)off, type, (unsigned long long)size);
		}
		last_type = type;
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
	if (n && is_extension(last_type))
		return deb_reject(err, errlen, "the tar stream ends with an extension header");
	return 0;
}

/*
 * @raw (@n bytes) as the path tar extracts it to, "/"-rooted and in one
 * spelling, into @out: its components joined by single slashes, without
 * empty and "." ones (so "./usr//bin/" is "/usr/bin").  0, or -1 when it
 * has a NUL or control character, a ".." component, no name or is too
 * long.
 */
static int rooted_path(const char *raw, size_t n, char *out, size_t outlen)
{
	const char *c = raw, *end = raw + n;
	size_t i, o = 0;

	for (i = 0; i < n; i++)
		if ((unsigned char)raw[i] < 0x20 || raw[i] == 0x7f)
			return -1;
	while (c < end) {
		const char *slash = memchr(c, '/', (size_t)(end - c));
		size_t seg = slash ? (size_t)(slash - c) : (size_t)(end - c);

		if (seg == 2 && c[0] == '.' && c[1] == '.')
			return -1;
		if (seg && !(seg == 1 && c[0] == '.')) {
			if (o + 1 + seg + 1 > outlen)
				return -1;
			out[o++] = '/';
			memcpy(out + o, c, seg);
			o += seg;
		}
		c += seg + (slash != NULL);
	}
	if (!o)
		return -1;
	out[o] = '\0';
	return 0;
}

/* The record's path, rooted as rooted_path() makes it. */
static int record_path(const struct deb_tar *t, const uint8_t *rc, char *out, size_t outlen)
{
	uint64_t a = deb_le64(rc + 16), b = deb_le64(rc + 24), alen = deb_le32(rc + 40), blen = deb_le32(rc + 44);
	char raw[DEB_PATH_MAX];
	size_t n;

	if (alen + blen + 2 > sizeof(raw))
		return -1;
	memcpy(raw, t->tar + a, (size_t)alen);
	n = (size_t)alen;
	if (rc[53] == DEB_PATH_PREFIX) {
		raw[n++] = '/';
		memcpy(raw + n, t->tar + b, (size_t)blen);
		n += (size_t)blen;
	}
	return rooted_path(raw, n, out, outlen);
}

/* A hard link target rooted as rooted_path() makes it; -1 also when it
 * ends in '/', which tar cannot link to ("Not a directory"). */
static int rooted_target(const char *raw, size_t n, char *out, size_t outlen)
{
	if (n && raw[n - 1] == '/')
		return -1;
	return rooted_path(raw, n, out, outlen);
}

/*
 * The target of the hard link of record @i, rooted as rooted_target() makes
 * it, as tar reads it: the last "linkpath=" record of a pax 'x' header
 * among the extension headers just before, else the data of a GNU 'K'
 * header there (up to its first NUL), else the header's linkname field
 * (up to its first NUL or all 100 bytes).  Every one of those headers and
 * sizes was re-checked by deb_check_archive().  0, or -1.
 */
static int link_target(const struct deb_tar *t, size_t i, char *out, size_t outlen)
{
	const uint8_t *h = t->tar + deb_le64(t->recs + i * DEB_ARC_RECORD_SIZE);
	int64_t x, l, k;
	const uint8_t *v;
	size_t n;

	extensions_before(t, i, &x, &l, &k);
	if (x >= 0) {
		const uint8_t *rc = t->recs + (size_t)x * DEB_ARC_RECORD_SIZE;
		uint64_t d = deb_le64(rc) + DEB_TAR_BLOCK;
		struct pax_info pi;

		if (pax_scan(t->tar, d, d + deb_le64(rc + 8), &pi) < 0)
			return -1;
		if (pi.has_link) {
			if (pi.link_len >= DEB_PATH_MAX || memchr(t->tar + pi.link, 0, (size_t)pi.link_len))
				return -1;
			return rooted_target((const char *)t->tar + pi.link, (size_t)pi.link_len, out,
					     outlen);
		}
	}
	if (k >= 0) {
		const uint8_t *rc = t->recs + (size_t)k * DEB_ARC_RECORD_SIZE;
		uint64_t size = deb_le64(rc + 8);

		v = t->tar + deb_le64(rc) + DEB_TAR_BLOCK;
		n = strnlen((const char *)v, size < DEB_PATH_MAX ? (size_t)size : DEB_PATH_MAX);
		if (n == DEB_PATH_MAX)
			return -1;
		return rooted_target((const char *)v, n, out, outlen);
	}
	v = h + DEB_TAR_LINK_OFF;
	return rooted_target((const char *)v, strnlen((const char *)v, DEB_TAR_NAME_LEN), out, outlen);
}

/* An entry of the stream that names a path (any type but an extension). */
struct file_ent {
	char *path;
	size_t rec;
	int hashed;		/* sha256 holds its digest (a regular file, hashed) */
	size_t file;		/* a hard link resolved: its file's position + 1 */
	uint8_t sha256[32];
};

/* The entries of a stream sorted by path, then by record. */
struct file_index {
	struct file_ent *e;
	size_t n;
};

static int ent_cmp(const void *a, const void *b)
{
	const struct file_ent *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	return c ? c : (x->rec > y->rec) - (x->rec < y->rec);
}

static void index_free(struct file_index *ix)
{
	size_t i;

	for (i = 0; i < ix->n; i++)
		free(ix->e[i].path);
	free(ix->e);
	memset(ix, 0, sizeof(*ix));
}

/*
 * Index every entry of @t that names a well-formed path, whatever its
 * type: 0 or -ENOMEM.  Built once per stream: whether a later entry
 * replaces one, and what a hard link's target names, are then searches
 * instead of walks of the other records.
 */
static int index_build(const struct deb_tar *t, struct file_index *ix)
{
	char path[DEB_PATH_MAX];
	size_t i;

	memset(ix, 0, sizeof(*ix));
	ix->e = calloc(t->n ? t->n : 1, sizeof(*ix->e));
	if (!ix->e)
		return -ENOMEM;
	for (i = 0; i < t->n; i++) {
		const uint8_t *rc = t->recs + i * DEB_ARC_RECORD_SIZE;

		if (is_extension(rc[52]) || record_path(t, rc, path, sizeof(path)) < 0)
			continue;
		ix->e[ix->n].rec = i;
		ix->e[ix->n].path = strdup(path);
		if (!ix->e[ix->n++].path) {
			index_free(ix);
			return -ENOMEM;
		}
	}
	qsort(ix->e, ix->n, sizeof(*ix->e), ent_cmp);
	return 0;
}

/*
 * The position of the first entry not below (@path, @i) in the index: the
 * entry of record @i itself when @i names @path.
 */
static size_t index_pos(const struct file_index *ix, const char *path, size_t i)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ix->e[mid].path, path);

		if (c < 0 || (c == 0 && ix->e[mid].rec < i))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Whether an entry after record @i (which names @path) names it again. */
static int superseded(const struct file_index *ix, const char *path, size_t i)
{
	size_t pos = index_pos(ix, path, i);

	return pos + 1 < ix->n && !strcmp(ix->e[pos + 1].path, path);
}

/*
 * The regular file that hard link record @i (named @path in messages)
 * stands for, its digest in ->sha256: 0, or -EBADMSG with the reason in
 * @err.  Tar links to what the target path holds when the link is
 * extracted, the last entry of that path before it: a regular file, or a
 * hard link to follow in turn, which was resolved before (links are
 * resolved in the stream's order, and remembered: a chain of links costs
 * one step each).  Each file is hashed once however many links name it.
 */
static int resolve_link(const struct deb_tar *t, struct file_index *ix, size_t i,
			const char *path, struct file_ent **out, char *err, size_t errlen)
{
	unsigned long long off = deb_le64(t->recs + i * DEB_ARC_RECORD_SIZE);
	char target[DEB_PATH_MAX];
	struct file_ent *e;
	size_t at = i, pos;
	uint8_t type;

	do {
		if (link_target(t, at, target, sizeof(target)) < 0) {
			snprintf(err, errlen, "tar entry at %llu (%.200s): a hard link whose target "
				 "is empty, has a control character, a \"..\" component, ends in '/' "
				 "or is over %d bytes", off, path, DEB_PATH_MAX);
			return -EBADMSG;
		}
		pos = index_pos(ix, target, at);
		if (pos == 0 || strcmp(ix->e[pos - 1].path, target))
			goto none;
		e = &ix->e[pos - 1];
		if (e->file)
			e = &ix->e[e->file - 1];
		at = e->rec;
		type = t->recs[at * DEB_ARC_RECORD_SIZE + 52];
	} while (type == '1');
	if (!is_file_type(type))
		goto none;
	if (!e->hashed) {
		const uint8_t *rc = t->recs + at * DEB_ARC_RECORD_SIZE;

		dg_sha256(t->tar + deb_le64(rc) + DEB_TAR_BLOCK, (size_t)deb_le64(rc + 8),
			  e->sha256);
		e->hashed = 1;
	}
	pos = index_pos(ix, path, i);
	if (pos < ix->n && ix->e[pos].rec == i)
		ix->e[pos].file = (size_t)(e - ix->e) + 1;
	*out = e;
	return 0;
none:
	snprintf(err, errlen, "tar entry at %llu (%.200s): a hard link to %.200s, which is no "
		 "regular file before it in the archive", off, path, target);
	return -EBADMSG;
}

static const char *type_name(uint8_t type)
{
	switch (type) {
	case '1': return "hard link";
	case '2': return "symbolic link";
	case '3': case '4': return "device";
	case '5': return "directory";
	case '6': return "FIFO";
	default: return "regular file";
	}
}

/*
 * Whether the tree the stream makes holds together where tar writes it:
 * no entry below a path an earlier entry made anything but a directory
 * (tar cannot write through a file, "Not a directory"; through a symbolic
 * link it writes elsewhere than the path says, or fails on the
 * placeholder it leaves for one to an absolute or ".." target), and no
 * entry other than a directory where earlier entries are below it (tar
 * cannot replace a directory that is not empty).  0, or -EBADMSG with
 * the reason in @err.
 */
static int tree_holds(const struct deb_tar *t, const struct file_index *ix, char *err,
		      size_t errlen)
{
	char up[DEB_PATH_MAX];
	size_t k, j, pos, n;

	for (k = 0; k < ix->n; k++) {
		const struct file_ent *e = &ix->e[k];
		unsigned long long off = deb_le64(t->recs + e->rec * DEB_ARC_RECORD_SIZE);
		uint8_t type = t->recs[e->rec * DEB_ARC_RECORD_SIZE + 52], ut;
		char *slash;

		n = strlen(e->path);
		memcpy(up, e->path, n + 1);
		for (slash = strchr(up + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
			*slash = '\0';
			pos = index_pos(ix, up, e->rec);
			if (pos && !strcmp(ix->e[pos - 1].path, up)) {
				ut = t->recs[ix->e[pos - 1].rec * DEB_ARC_RECORD_SIZE + 52];
				if (ut != '5') {
					snprintf(err, errlen, "tar entry at %llu (%.200s): %.200s is a "
						 "%s there, not a directory", off, e->path, up,
						 type_name(ut));
					return -EBADMSG;
				}
			}
			*slash = '/';
		}
		if (type == '5' || n + 2 > sizeof(up))
			continue;
		up[n] = '/';
		up[n + 1] = '\0';
		for (j = index_pos(ix, up, 0); j < ix->n && !strncmp(ix->e[j].path, up, n + 1); j++)
			if (ix->e[j].rec < e->rec) {
				snprintf(err, errlen, "tar entry at %llu (%.200s): a %s where earlier "
					 "entries are below it (%.200s)", off, e->path, type_name(type),
					 ix->e[j].path);
				return -EBADMSG;
			}
	}
	return 0;
}

int deb_tar_each_file(const struct deb_tar *t, dg_deb_file_fn fn, void *ctx, char *err,
		      size_t errlen)
{
	struct file_index ix = { 0 };
	char path[DEB_PATH_MAX];
	size_t i;
	int r;

	/*
	 * What is listed is what extraction leaves: an entry is skipped when
	 * a later one of the same path replaces it, and a hard link has the
	 * contents of the file its target names at that point.
	 */
	r = index_build(t, &ix);
	if (!r)
		r = tree_holds(t, &ix, err, errlen);
	for (i = 0; i < t->n && !r; i++) {
		const uint8_t *rc = t->recs + i * DEB_ARC_RECORD_SIZE, *file = rc;
		struct file_ent *target = NULL;
		struct dg_deb_file f;

		if (!is_file_type(rc[52]) && rc[52] != '1')
			continue;
		if (record_path(t, rc, path, sizeof(path)) < 0) {
			snprintf(err, errlen, "tar entry at %llu: an empty path, or one with a "
				 "control character, a \"..\" component or over %d bytes",
				 (unsigned long long)deb_le64(rc), DEB_PATH_MAX);
			r = -EBADMSG;
			break;
		}
		/* a link must resolve even when replaced: extraction makes it */
		if (rc[52] == '1') {
			r = resolve_link(t, &ix, i, path, &target, err, errlen);
			if (r < 0)
				break;
			file = t->recs + target->rec * DEB_ARC_RECORD_SIZE;
		}
		if (superseded(&ix, path, i))
			continue;
		memset(&f, 0, sizeof(f));
		f.path = path;
		f.size = deb_le64(file + 8);
		f.mode = deb_le32(file + 48) & 07777;
		if (target)
			memcpy(f.sha256, target->sha256, sizeof(f.sha256));
		else
			dg_sha256(t->tar + deb_le64(file) + DEB_TAR_BLOCK, (size_t)f.size, f.sha256);
		r = fn(&f, ctx);
	}
	index_free(&ix);
	return r;
}

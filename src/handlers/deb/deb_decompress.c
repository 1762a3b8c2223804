// SPDX-License-Identifier: MIT
/*
 * The four compressions apt reads its Packages lists in (apt's
 * apt-pkg/aptconfiguration.cc: gz, xz, lz4, bz2; zstd and lzma are left to
 * -EOPNOTSUPP), each with its library's in-memory streaming API: the handler
 * has no files, and one loop per format keeps the output under the caller's
 * limit whatever the input claims about its own size.
 */
#include "deb_decompress.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include <bzlib.h>
#include <lz4frame.h>
#include <lzma.h>
#include <zlib.h>

#include "buf.h"
#include "deb_proto.h"
#include "log.h"

/*
 * Output grows by at most this much per library call: small enough that a
 * bomb is stopped within a step of the limit, large enough that a 256 MiB
 * text takes ~1000 calls.
 */
#define DEB_DECOMP_STEP (256u << 10)
/*
 * xz's decoder allocates its dictionary as the stream header says: `xz -9`
 * needs 65 MiB, so this leaves room for any preset and refuses a header
 * that asks the sandbox for gigabytes.
 */
#define DEB_XZ_MEMLIMIT (256u << 20)

static const uint8_t magic_gzip[] = { 0x1f, 0x8b };
static const uint8_t magic_xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };
static const uint8_t magic_lz4[] = { 0x04, 0x22, 0x4d, 0x18 };	/* LZ4F_MAGICNUMBER, le32 */
static const uint8_t magic_bzip2[] = { 'B', 'Z', 'h' };
static const uint8_t magic_zstd[] = { 0x28, 0xb5, 0x2f, 0xfd };
static const uint8_t magic_lz4_legacy[] = { 0x02, 0x21, 0x4c, 0x18 };
static const uint8_t magic_compress[] = { 0x1f, 0x9d };

static int starts_with(const uint8_t *in, size_t len, const uint8_t *m, size_t n)
{
	return len >= n && !memcmp(in, m, n);
}

const char *deb_compression_name(int comp)
{
	switch (comp) {
	case DEB_COMP_NONE: return "plain";
	case DEB_COMP_GZIP: return "gzip";
	case DEB_COMP_XZ: return "xz";
	case DEB_COMP_LZ4: return "lz4";
	case DEB_COMP_BZIP2: return "bzip2";
	}
	return "?";
}

int deb_compression_detect(const uint8_t *in, size_t len, char *err, size_t errlen)
{
	if (starts_with(in, len, magic_gzip, sizeof(magic_gzip)))
		return DEB_COMP_GZIP;
	if (starts_with(in, len, magic_xz, sizeof(magic_xz)))
		return DEB_COMP_XZ;
	if (starts_with(in, len, magic_lz4, sizeof(magic_lz4)))
		return DEB_COMP_LZ4;
	/* "BZh" and the block size digit: bzip2's own check of a stream. */
	if (starts_with(in, len, magic_bzip2, sizeof(magic_bzip2)) && len > 3 &&
	    in[3] >= '1' && in[3] <= '9')
		return DEB_COMP_BZIP2;
	if (starts_with(in, len, magic_zstd, sizeof(magic_zstd)))
		return dg_errf(err, errlen, -EOPNOTSUPP, "Packages: zstd compression is not supported");
	if (starts_with(in, len, magic_lz4_legacy, sizeof(magic_lz4_legacy)))
		return dg_errf(err, errlen, -EOPNOTSUPP,
			       "Packages: lz4 legacy format is not supported (only the frame format)");
	if (starts_with(in, len, magic_compress, sizeof(magic_compress)))
		return dg_errf(err, errlen, -EOPNOTSUPP,
			       "Packages: compress (.Z) compression is not supported");
	return DEB_COMP_NONE;
}

static int text_over(int comp, size_t max, char *err, size_t errlen)
{
	return dg_errf(err, errlen, -E2BIG, "Packages: %s text exceeds limit %zu bytes",
		       deb_compression_name(comp), max);
}

/*
 * Room for the next call: at most one byte past @max in all, so that output
 * over the limit is seen without decompressing (or allocating) further.
 */
static int next_room(int comp, struct dg_buf *out, size_t start, size_t max,
		     size_t *room, char *err, size_t errlen)
{
	size_t made = out->len - start;
	int r;

	if (made > max)
		return text_over(comp, max, err, errlen);
	*room = max - made < DEB_DECOMP_STEP ? max - made + 1 : DEB_DECOMP_STEP;
	r = dg_buf_reserve(out, *room);
	if (r == -E2BIG)	/* the answer buffer's own limit (the frame size) */
		return dg_errf(err, errlen, r, "Packages: %s text of over %zu bytes does not fit in an answer",
			       deb_compression_name(comp), made);
	if (r < 0)
		return dg_errf(err, errlen, r, "Packages: out of memory decompressing %s",
			       deb_compression_name(comp));
	return 0;
}

static int gunzip(const uint8_t *in, size_t len, size_t max, struct dg_buf *out,
		  char *err, size_t errlen)
{
	size_t start = out->len, room;
	z_stream z;
	int zr, r = 0;

	memset(&z, 0, sizeof(z));
	/* 16: gzip members only (RFC 1952); a zlib stream is no gzip member. */
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return dg_errf(err, errlen, -ENOMEM, "Packages: gzip: inflateInit2 failed");
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	for (;;) {
		r = next_room(DEB_COMP_GZIP, out, start, max, &room, err, errlen);
		if (r < 0)
			break;
		z.next_out = out->data + out->len;
		z.avail_out = (uInt)room;
		zr = inflate(&z, Z_NO_FLUSH);
		out->len += room - z.avail_out;
		if (out->len - start > max) {
			r = text_over(DEB_COMP_GZIP, max, err, errlen);
			break;
		}
		if (zr == Z_STREAM_END) {
			/* `gzip -d` reads concatenated members as one text (RFC 1952 §2.2). */
			if (!z.avail_in)
				break;
			inflateReset(&z);
			continue;
		}
		if (zr == Z_OK)
			continue;
		if (zr == Z_BUF_ERROR && !z.avail_in)
			r = dg_errf(err, errlen, -ENODATA, "Packages: gzip data truncated after %zu bytes of text",
				    out->len - start);
		else if (zr == Z_MEM_ERROR)
			r = dg_errf(err, errlen, -ENOMEM, "Packages: out of memory decompressing gzip");
		else
			r = dg_errf(err, errlen, -EBADMSG, "Packages: gzip data corrupt at input byte %zu: %s",
				    len - z.avail_in, z.msg ? z.msg : "invalid data");
		break;
	}
	inflateEnd(&z);
	return r;
}

static int unxz(const uint8_t *in, size_t len, size_t max, struct dg_buf *out,
		char *err, size_t errlen)
{
	lzma_stream s = LZMA_STREAM_INIT;
	size_t start = out->len, room;
	lzma_ret lr;
	int r = 0;

	/* LZMA_CONCATENATED: several streams and stream padding, as `xz -d`
	 * reads them; single-threaded, the sandbox allows no threads. */
	lr = lzma_stream_decoder(&s, DEB_XZ_MEMLIMIT, LZMA_CONCATENATED);
	if (lr != LZMA_OK)
		return dg_errf(err, errlen, -ENOMEM, "Packages: xz: decoder set-up failed (%d)", (int)lr);
	s.next_in = in;
	s.avail_in = len;
	for (;;) {
		r = next_room(DEB_COMP_XZ, out, start, max, &room, err, errlen);
		if (r < 0)
			break;
		s.next_out = out->data + out->len;
		s.avail_out = room;
		/* All input is here: LZMA_FINISH lets a truncated stream end as
		 * LZMA_BUF_ERROR instead of waiting for more. */
		lr = lzma_code(&s, LZMA_FINISH);
		out->len += room - s.avail_out;
		if (out->len - start > max) {
			r = text_over(DEB_COMP_XZ, max, err, errlen);
			break;
		}
		if (lr == LZMA_STREAM_END)
			break;
		if (lr == LZMA_OK)
			continue;
		switch (lr) {
		case LZMA_BUF_ERROR:
			r = dg_errf(err, errlen, -ENODATA, "Packages: xz data truncated after %zu bytes of text",
				    out->len - start);
			break;
		case LZMA_MEM_ERROR:
			r = dg_errf(err, errlen, -ENOMEM, "Packages: out of memory decompressing xz");
			break;
		case LZMA_MEMLIMIT_ERROR:
			r = dg_errf(err, errlen, -E2BIG, "Packages: xz stream needs more than %u bytes of memory",
				    DEB_XZ_MEMLIMIT);
			break;
		case LZMA_OPTIONS_ERROR:
			r = dg_errf(err, errlen, -EOPNOTSUPP, "Packages: xz stream uses unsupported options");
			break;
		default:
			r = dg_errf(err, errlen, -EBADMSG, "Packages: xz data corrupt at input byte %zu (%s)",
				    len - s.avail_in, lr == LZMA_FORMAT_ERROR ? "not an xz stream" : "bad data");
		}
		break;
	}
	lzma_end(&s);
	return r;
}

static int unlz4(const uint8_t *in, size_t len, size_t max, struct dg_buf *out,
		 char *err, size_t errlen)
{
	LZ4F_dctx *d = NULL;
	size_t start = out->len, room, pos = 0, hint;
	int r = 0;

	if (LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION)))
		return dg_errf(err, errlen, -ENOMEM, "Packages: lz4: cannot create a decompression context");
	for (;;) {
		size_t dst, src = len - pos;

		r = next_room(DEB_COMP_LZ4, out, start, max, &room, err, errlen);
		if (r < 0)
			break;
		dst = room;
		hint = LZ4F_decompress(d, out->data + out->len, &dst, in + pos, &src, NULL);
		if (LZ4F_isError(hint)) {
			r = dg_errf(err, errlen, -EBADMSG, "Packages: lz4 data corrupt near input byte %zu: %s",
				    pos, LZ4F_getErrorName(hint));
			break;
		}
		pos += src;
		out->len += dst;
		if (out->len - start > max) {
			r = text_over(DEB_COMP_LZ4, max, err, errlen);
			break;
		}
		/* 0: a frame ended, and the context is ready for the next one
		 * (`lz4 -d` reads concatenated and skippable frames too). */
		if (hint == 0 && pos == len)
			break;
		if (src == 0 && dst == 0) {
			if (pos == len)
				r = dg_errf(err, errlen, -ENODATA,
					    "Packages: lz4 data truncated after %zu bytes of text",
					    out->len - start);
			else
				r = dg_errf(err, errlen, -EBADMSG,
					    "Packages: lz4 decoder stuck at input byte %zu", pos);
			break;
		}
	}
	LZ4F_freeDecompressionContext(d);
	return r;
}

static int bunzip2(const uint8_t *in, size_t len, size_t max, struct dg_buf *out,
		   char *err, size_t errlen)
{
	size_t start = out->len, room;
	bz_stream z;
	int zr, r = 0;

	memset(&z, 0, sizeof(z));
	if (BZ2_bzDecompressInit(&z, 0, 0) != BZ_OK)
		return dg_errf(err, errlen, -ENOMEM, "Packages: bzip2: BZ2_bzDecompressInit failed");
	z.next_in = (char *)(uintptr_t)in;
	z.avail_in = (unsigned int)len;
	for (;;) {
		r = next_room(DEB_COMP_BZIP2, out, start, max, &room, err, errlen);
		if (r < 0)
			break;
		z.next_out = (char *)out->data + out->len;
		z.avail_out = (unsigned int)room;
		zr = BZ2_bzDecompress(&z);
		out->len += room - z.avail_out;
		if (out->len - start > max) {
			r = text_over(DEB_COMP_BZIP2, max, err, errlen);
			break;
		}
		if (zr == BZ_STREAM_END) {
			char *next = z.next_in;
			unsigned int left = z.avail_in;

			if (!left)
				break;
			/* `bzip2 -d` reads concatenated streams (pbzip2 writes them). */
			BZ2_bzDecompressEnd(&z);
			memset(&z, 0, sizeof(z));
			if (BZ2_bzDecompressInit(&z, 0, 0) != BZ_OK) {
				r = dg_errf(err, errlen, -ENOMEM, "Packages: bzip2: BZ2_bzDecompressInit failed");
				break;
			}
			z.next_in = next;
			z.avail_in = left;
			continue;
		}
		if (zr == BZ_MEM_ERROR) {
			r = dg_errf(err, errlen, -ENOMEM, "Packages: out of memory decompressing bzip2");
			break;
		}
		if (zr != BZ_OK) {
			r = dg_errf(err, errlen, -EBADMSG, "Packages: bzip2 data corrupt at input byte %zu",
				    len - z.avail_in);
			break;
		}
		/* All input read and room left over, yet no end of stream. */
		if (!z.avail_in && z.avail_out) {
			r = dg_errf(err, errlen, -ENODATA, "Packages: bzip2 data truncated after %zu bytes of text",
				    out->len - start);
			break;
		}
	}
	BZ2_bzDecompressEnd(&z);
	return r;
}

int deb_decompress(int comp, const uint8_t *in, size_t len, size_t max,
		   struct dg_buf *out, char *err, size_t errlen)
{
	/* The libraries count input in unsigned int. */
	if (len > UINT_MAX)
		return dg_errf(err, errlen, -E2BIG, "Packages: %zu bytes of %s input exceed %u",
			       len, deb_compression_name(comp), UINT_MAX);
	switch (comp) {
	case DEB_COMP_GZIP:
		return gunzip(in, len, max, out, err, errlen);
	case DEB_COMP_XZ:
		return unxz(in, len, max, out, err, errlen);
	case DEB_COMP_LZ4:
		return unlz4(in, len, max, out, err, errlen);
	case DEB_COMP_BZIP2:
		return bunzip2(in, len, max, out, err, errlen);
	}
	return dg_errf(err, errlen, -EOPNOTSUPP, "Packages: unknown compression %d", comp);
}

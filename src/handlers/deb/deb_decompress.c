// SPDX-License-Identifier: MIT
/*
 * The four compressions apt reads its Packages lists in (apt's
 * apt-pkg/aptconfiguration.cc: gz, xz, lz4, bz2; a zstd Packages file is
 * -EOPNOTSUPP), and the two more a .deb's data.tar may have (deb(5): zst
 * and the legacy lzma_alone), each with its library's in-memory streaming
 * API: the handler has no files, and one loop per format keeps the output
 * under the caller's limit whatever the input claims about its own size.
 */
#include "deb_decompress.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include <bzlib.h>
#include <lz4frame.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

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
/*
 * zstd's window, as a power of two: 2^27 (128 MiB) is the library's own
 * default limit and what `zstd -d` accepts without --long; dpkg-deb writes
 * data.tar.zst well inside it.  A frame asking for more is -E2BIG.
 */
#define DEB_ZSTD_WINDOWLOG_MAX 27
/* lzma_alone (.lzma) header: properties byte, dictionary size (le32),
 * uncompressed size (le64); the properties byte is (pb * 5 + lp) * 9 + lc
 * with lc <= 8, lp <= 4, pb <= 4. */
#define DEB_LZMA_HEADER 13
#define DEB_LZMA_PROPS_MAX (9 * 5 * 5 - 1)

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
	case DEB_COMP_ZSTD: return "zstd";
	case DEB_COMP_LZMA: return "lzma";
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

int deb_compression_magic_agrees(int comp, const uint8_t *in, size_t len)
{
	int by_magic = DEB_COMP_NONE;

	if (starts_with(in, len, magic_gzip, sizeof(magic_gzip)))
		by_magic = DEB_COMP_GZIP;
	else if (starts_with(in, len, magic_xz, sizeof(magic_xz)))
		by_magic = DEB_COMP_XZ;
	else if (starts_with(in, len, magic_lz4, sizeof(magic_lz4)))
		by_magic = DEB_COMP_LZ4;
	else if (starts_with(in, len, magic_bzip2, sizeof(magic_bzip2)) && len > 3 &&
		 in[3] >= '1' && in[3] <= '9')
		by_magic = DEB_COMP_BZIP2;
	else if (starts_with(in, len, magic_zstd, sizeof(magic_zstd)))
		by_magic = DEB_COMP_ZSTD;
	/* lzma_alone has no magic: a header that liblzma would read, and none
	 * of the others' magic. */
	if (comp == DEB_COMP_LZMA)
		return by_magic == DEB_COMP_NONE && len >= DEB_LZMA_HEADER &&
		       in[0] <= DEB_LZMA_PROPS_MAX;
	return by_magic == comp;
}

static int text_over(const char *what, int comp, size_t max, char *err, size_t errlen)
{
	return dg_errf(err, errlen, -E2BIG, "%s: decompressed %s data exceeds limit %zu bytes",
		       what, deb_compression_name(comp), max);
}

/*
 * Room for the next call: at most one byte past @max in all, so that output
 * over the limit is seen without decompressing (or allocating) further.
 */
static int next_room(const char *what, int comp, struct dg_buf *out, size_t start, size_t max,
		     size_t *room, char *err, size_t errlen)
{
	size_t made = out->len - start;
	int r;

	if (made > max)
		return text_over(what, comp, max, err, errlen);
	*room = max - made < DEB_DECOMP_STEP ? max - made + 1 : DEB_DECOMP_STEP;
	r = dg_buf_reserve(out, *room);
	if (r == -E2BIG)	/* the answer buffer's own limit (the frame size) */
		return dg_errf(err, errlen, r, "%s: decompressed %s data of over %zu bytes does not fit in an answer",
			       what, deb_compression_name(comp), made);
	if (r < 0)
		return dg_errf(err, errlen, r, "%s: out of memory decompressing %s",
			       what, deb_compression_name(comp));
	return 0;
}

static int gunzip(const char *what, const uint8_t *in, size_t len, size_t max, struct dg_buf *out,
		  char *err, size_t errlen)
{
	size_t start = out->len, room;
	z_stream z;
	int zr, r = 0;

	memset(&z, 0, sizeof(z));
	/* 16: gzip members only (RFC 1952); a zlib stream is no gzip member. */
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return dg_errf(err, errlen, -ENOMEM, "%s: gzip: inflateInit2 failed", what);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	for (;;) {
		r = next_room(what, DEB_COMP_GZIP, out, start, max, &room, err, errlen);
		if (r < 0)
			break;
		z.next_out = out->data + out->len;
		z.avail_out = (uInt)room;
		zr = inflate(&z, Z_NO_FLUSH);
		out->len += room - z.avail_out;
		if (out->len - start > max) {
			r = text_over(what, DEB_COMP_GZIP, max, err, errlen);
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
			r = dg_errf(err, errlen, -ENODATA, "%s: gzip data truncated after %zu bytes of output", what,
				    out->len - start);
		else if (zr == Z_MEM_ERROR)
			r = dg_errf(err, errlen, -ENOMEM, "%s: out of memory decompressing gzip", what);
		else
			r = dg_errf(err, errlen, -EBADMSG, "%s: gzip data corrupt at input byte %zu: %s", what,
				    len - z.avail_in, z.msg ? z.msg : "invalid data");
		break;
	}
	inflateEnd(&z);
	return r;
}

/* xz, and the lzma_alone format of data.tar.lzma with the same loop. */
static int unxz(const char *what, int comp, const uint8_t *in, size_t len, size_t max,
		struct dg_buf *out, char *err, size_t errlen)
{
	const char *name = deb_compression_name(comp);
	lzma_stream s = LZMA_STREAM_INIT;
	size_t start = out->len, room;
	lzma_ret lr;
	int r = 0;

	/* LZMA_CONCATENATED: several streams and stream padding, as `xz -d`
	 * reads them; single-threaded, the sandbox allows no threads.  An
	 * lzma_alone file is one stream (`xz -d --format=lzma`). */
	if (comp == DEB_COMP_LZMA)
		lr = lzma_alone_decoder(&s, DEB_XZ_MEMLIMIT);
	else
		lr = lzma_stream_decoder(&s, DEB_XZ_MEMLIMIT, LZMA_CONCATENATED);
	if (lr != LZMA_OK)
		return dg_errf(err, errlen, -ENOMEM, "%s: %s: decoder set-up failed (%d)", what, name, (int)lr);
	s.next_in = in;
	s.avail_in = len;
	for (;;) {
		r = next_room(what, comp, out, start, max, &room, err, errlen);
		if (r < 0)
			break;
		s.next_out = out->data + out->len;
		s.avail_out = room;
		/* All input is here: LZMA_FINISH lets a truncated stream end as
		 * LZMA_BUF_ERROR instead of waiting for more. */
		lr = lzma_code(&s, LZMA_FINISH);
		out->len += room - s.avail_out;
		if (out->len - start > max) {
			r = text_over(what, comp, max, err, errlen);
			break;
		}
		if (lr == LZMA_STREAM_END) {
			if (s.avail_in)
				r = dg_errf(err, errlen, -EBADMSG, "%s: %zu bytes after the %s stream",
					    what, (size_t)s.avail_in, name);
			break;
		}
		if (lr == LZMA_OK)
			continue;
		switch (lr) {
		case LZMA_BUF_ERROR:
			r = dg_errf(err, errlen, -ENODATA, "%s: %s data truncated after %zu bytes of output",
				    what, name, out->len - start);
			break;
		case LZMA_MEM_ERROR:
			r = dg_errf(err, errlen, -ENOMEM, "%s: out of memory decompressing %s", what, name);
			break;
		case LZMA_MEMLIMIT_ERROR:
			r = dg_errf(err, errlen, -E2BIG, "%s: %s stream needs more than %u bytes of memory",
				    what, name, DEB_XZ_MEMLIMIT);
			break;
		case LZMA_OPTIONS_ERROR:
			r = dg_errf(err, errlen, -EOPNOTSUPP, "%s: %s stream uses unsupported options",
				    what, name);
			break;
		default:
			r = dg_errf(err, errlen, -EBADMSG, "%s: %s data corrupt at input byte %zu (%s)",
				    what, name, len - s.avail_in,
				    lr == LZMA_FORMAT_ERROR ? "not of that format" : "bad data");
		}
		break;
	}
	lzma_end(&s);
	return r;
}

static int unlz4(const char *what, const uint8_t *in, size_t len, size_t max, struct dg_buf *out,
		 char *err, size_t errlen)
{
	LZ4F_dctx *d = NULL;
	size_t start = out->len, room, pos = 0, hint;
	int r = 0;

	if (LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION)))
		return dg_errf(err, errlen, -ENOMEM, "%s: lz4: cannot create a decompression context", what);
	for (;;) {
		size_t dst, src = len - pos;

		r = next_room(what, DEB_COMP_LZ4, out, start, max, &room, err, errlen);
		if (r < 0)
			break;
		dst = room;
		hint = LZ4F_decompress(d, out->data + out->len, &dst, in + pos, &src, NULL);
		if (LZ4F_isError(hint)) {
			r = dg_errf(err, errlen, -EBADMSG, "%s: lz4 data corrupt near input byte %zu: %s", what,
				    pos, LZ4F_getErrorName(hint));
			break;
		}
		pos += src;
		out->len += dst;
		if (out->len - start > max) {
			r = text_over(what, DEB_COMP_LZ4, max, err, errlen);
			break;
		}
		/* 0: a frame ended, and the context is ready for the next one
		 * (`lz4 -d` reads concatenated and skippable frames too). */
		if (hint == 0 && pos == len)
			break;
		if (src == 0 && dst == 0) {
			if (pos == len)
				r = dg_errf(err, errlen, -ENODATA,
					    "%s: lz4 data truncated after %zu bytes of output", what,
					    out->len - start);
			else
				r = dg_errf(err, errlen, -EBADMSG,
					    "%s: lz4 decoder stuck at input byte %zu", what, pos);
			break;
		}
	}
	LZ4F_freeDecompressionContext(d);
	return r;
}

static int bunzip2(const char *what, const uint8_t *in, size_t len, size_t max, struct dg_buf *out,
		   char *err, size_t errlen)
{
	size_t start = out->len, room;
	bz_stream z;
	int zr, r = 0;

	memset(&z, 0, sizeof(z));
	if (BZ2_bzDecompressInit(&z, 0, 0) != BZ_OK)
		return dg_errf(err, errlen, -ENOMEM, "%s: bzip2: BZ2_bzDecompressInit failed", what);
	z.next_in = (char *)(uintptr_t)in;
	z.avail_in = (unsigned int)len;
	for (;;) {
		r = next_room(what, DEB_COMP_BZIP2, out, start, max, &room, err, errlen);
		if (r < 0)
			break;
		z.next_out = (char *)out->data + out->len;
		z.avail_out = (unsigned int)room;
		zr = BZ2_bzDecompress(&z);
		out->len += room - z.avail_out;
		if (out->len - start > max) {
			r = text_over(what, DEB_COMP_BZIP2, max, err, errlen);
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
				r = dg_errf(err, errlen, -ENOMEM, "%s: bzip2: BZ2_bzDecompressInit failed", what);
				break;
			}
			z.next_in = next;
			z.avail_in = left;
			continue;
		}
		if (zr == BZ_MEM_ERROR) {
			r = dg_errf(err, errlen, -ENOMEM, "%s: out of memory decompressing bzip2", what);
			break;
		}
		if (zr != BZ_OK) {
			r = dg_errf(err, errlen, -EBADMSG, "%s: bzip2 data corrupt at input byte %zu", what,
				    len - z.avail_in);
			break;
		}
		/* All input read and room left over, yet no end of stream. */
		if (!z.avail_in && z.avail_out) {
			r = dg_errf(err, errlen, -ENODATA, "%s: bzip2 data truncated after %zu bytes of output", what,
				    out->len - start);
			break;
		}
	}
	BZ2_bzDecompressEnd(&z);
	return r;
}

static int unzstd(const char *what, const uint8_t *in, size_t len, size_t max,
		  struct dg_buf *out, char *err, size_t errlen)
{
	ZSTD_inBuffer src = { in, len, 0 };
	size_t start = out->len, room, ret;
	ZSTD_DCtx *d;
	int r = 0;

	d = ZSTD_createDCtx();
	if (!d)
		return dg_errf(err, errlen, -ENOMEM, "%s: zstd: cannot create a decompression context", what);
	ret = ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, DEB_ZSTD_WINDOWLOG_MAX);
	if (ZSTD_isError(ret)) {
		ZSTD_freeDCtx(d);
		return dg_errf(err, errlen, -ENOMEM, "%s: zstd: %s", what, ZSTD_getErrorName(ret));
	}
	for (;;) {
		ZSTD_outBuffer dst;

		r = next_room(what, DEB_COMP_ZSTD, out, start, max, &room, err, errlen);
		if (r < 0)
			break;
		dst.dst = out->data + out->len;
		dst.size = room;
		dst.pos = 0;
		ret = ZSTD_decompressStream(d, &dst, &src);
		out->len += dst.pos;
		if (out->len - start > max) {
			r = text_over(what, DEB_COMP_ZSTD, max, err, errlen);
			break;
		}
		if (ZSTD_isError(ret)) {
			switch (ZSTD_getErrorCode(ret)) {
			case ZSTD_error_frameParameter_windowTooLarge:
				r = dg_errf(err, errlen, -E2BIG, "%s: zstd frame needs a window over 2^%d bytes",
					    what, DEB_ZSTD_WINDOWLOG_MAX);
				break;
			case ZSTD_error_memory_allocation:
				r = dg_errf(err, errlen, -ENOMEM, "%s: out of memory decompressing zstd", what);
				break;
			default:
				r = dg_errf(err, errlen, -EBADMSG, "%s: zstd data corrupt near input byte %zu: %s",
					    what, src.pos, ZSTD_getErrorName(ret));
			}
			break;
		}
		/* 0: a frame ended and is flushed; `zstd -d` reads concatenated
		 * and skippable frames too, so go on while input is left. */
		if (ret == 0 && src.pos == src.size)
			break;
		/* Room left over and all input read: the frame needs more. */
		if (src.pos == src.size && dst.pos < dst.size) {
			r = dg_errf(err, errlen, -ENODATA, "%s: zstd data truncated after %zu bytes of output",
				    what, out->len - start);
			break;
		}
	}
	ZSTD_freeDCtx(d);
	return r;
}

int deb_decompress(const char *what, int comp, const uint8_t *in, size_t len, size_t max,
		   struct dg_buf *out, char *err, size_t errlen)
{
	/* The libraries count input in unsigned int. */
	if (len > UINT_MAX)
		return dg_errf(err, errlen, -E2BIG, "%s: %zu bytes of %s input exceed %u", what,
			       len, deb_compression_name(comp), UINT_MAX);
	switch (comp) {
	case DEB_COMP_GZIP:
		return gunzip(what, in, len, max, out, err, errlen);
	case DEB_COMP_XZ:
	case DEB_COMP_LZMA:
		return unxz(what, comp, in, len, max, out, err, errlen);
	case DEB_COMP_LZ4:
		return unlz4(what, in, len, max, out, err, errlen);
	case DEB_COMP_BZIP2:
		return bunzip2(what, in, len, max, out, err, errlen);
	case DEB_COMP_ZSTD:
		return unzstd(what, in, len, max, out, err, errlen);
	}
	return dg_errf(err, errlen, -EOPNOTSUPP, "%s: unknown compression %d", what, comp);
}

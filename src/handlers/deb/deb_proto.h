/* SPDX-License-Identifier: MIT */
/*
 * Wire format between the trusted core (src/core/deb/) and the sandboxed deb
 * handler (src/handlers/deb/), for the apt chain InRelease -> Packages ->
 * .deb.  All integers are little-endian.  Every offset in an answer is an
 * absolute offset into the text the answer describes: the request's bytes,
 * or the decompressed text carried in the answer itself (DEB_PKG_F_TEXT).
 *
 * The answer is untrusted: the core re-checks every claim against that text
 * (docs/deb.md, "Re-checks") and hashes the text itself, so a handler that
 * decompresses wrongly is caught by the Release file's SHA-256.  Changes
 * must be additive.
 *
 * Text format (deb822, Debian Policy §5.1): paragraphs of "Name: value"
 * fields, separated by empty lines; a line that starts with a space or a
 * tab continues the field above.  Field names are compared without regard
 * to case.  Only '\n' ends a line; a '\r' is part of the line.
 *
 * REQUEST DEB_REQ_RELEASE (type 0x0400)
 *   the bytes of a Release file: the signed text of an InRelease as the
 *   core rebuilt it after the signature was verified, or a Release file.
 *   It must be one paragraph (an empty line, or a line of spaces and tabs
 *   only, before the end is -EBADMSG) with exactly one SHA256 field.
 *
 * ANSWER (type 0x0400 | DG_MSG_ANSWER)
 *   off  size  field
 *   0    4     magic DEB_REL_MAGIC ("DEBr" read as le32)
 *   4    2     version DEB_ANS_VERSION (1)
 *   6    2     flags: DEB_REL_F_* below
 *   8    8     Date as seconds since the epoch (with DEB_REL_F_DATE)
 *   16   8     Valid-Until, the same way (with DEB_REL_F_VALID_UNTIL)
 *   24   8     Date value span: u32 offset, u32 length (0, 0 without it)
 *   32   8     Valid-Until value span, the same way
 *   40   8     SHA256 field span: from the first byte of its name to the end
 *              of its last continuation line, that line's '\n' included when
 *              there is one
 *   48   4     n_entries: entries that follow
 *   52   4     reserved, 0
 *   56   32*n_entries entries, one per continuation line of the SHA256
 *              field, in text order:
 *                0   8  size (the decimal number at the size span)
 *                8   4  line_offset: the line's first byte (a space or tab)
 *                12  4  hash_offset: 64 hexadecimal digits
 *                16  4  size_offset
 *                20  4  size_length (1 to 20 digits)
 *                24  4  path_offset
 *                28  4  path_length (no space, tab or '\n' in the path)
 *              A line is: spaces/tabs, hash, spaces/tabs, size,
 *              spaces/tabs, path, then optional spaces/tabs up to its end.
 *
 *   Dates are accepted in the form Debian's archive tools write, RFC 2822
 *   with a zone of "UTC", "GMT" or "+0000" ("Sat, 11 Jul 2026 10:16:37
 *   UTC"; a one-digit day may have a leading zero or not); any other form
 *   of either field is -EOPNOTSUPP.  The core prints the number back in the
 *   same form and compares it with the span, so it parses no date itself.
 *
 * REQUEST DEB_REQ_PACKAGES (type 0x0401)
 *   the bytes of a Packages file, plain or compressed: gzip, xz, lz4
 *   (frame format, as apt keeps its lists) or bzip2, told by the magic
 *   bytes.  The decompressed text is at most DEB_TEXT_MAX bytes (-E2BIG).
 *
 * ANSWER (type 0x0401 | DG_MSG_ANSWER)
 *   off  size  field
 *   0    4     magic DEB_PKG_MAGIC ("DEBp")
 *   4    2     version DEB_ANS_VERSION (1)
 *   6    2     flags: DEB_PKG_F_* below
 *   8    1     compression: DEB_COMP_* below
 *   9    7     reserved, 0
 *   16   8     text_length: the decompressed text's length (the request's
 *              length when it was not compressed)
 *   24   4     n_records: records that follow
 *   28   4     n_skipped: paragraphs without one of the six fields below
 *              (not reported otherwise)
 *   32   64*n_records records, one per paragraph that has all six fields,
 *              in text order:
 *                0   8  size (the Size field's decimal value)
 *                8   8  paragraph span: u32 offset of its first byte (0,
 *                       or just after an empty line), u32 length up to
 *                       the end of its last line, '\n' included when there
 *                       is one; no empty line inside
 *                16  48 value spans (u32 offset, u32 length) of the
 *                       fields, in the order of DEB_FIELD_*: Package,
 *                       Version, Architecture, Filename, Size, SHA256.
 *                       A value starts after the field's ':' and the
 *                       spaces/tabs after it, and ends before the
 *                       spaces/tabs at the end of its line; these six
 *                       fields are one line each (a continuation line
 *                       after any of them is -EBADMSG).  SHA256 is 64
 *                       hexadecimal digits, Size 1 to 20 decimal digits.
 *   With DEB_PKG_F_TEXT: text_length bytes of decompressed text follow the
 *   records, and the spans are offsets into them; without it the spans are
 *   offsets into the request.
 *
 * REQUEST DEB_REQ_ARCHIVE (type 0x0402)
 *   the bytes of a .deb (an ar archive, deb(5)), which the core has already
 *   found listed in a verified Packages file.  Its members: "debian-binary"
 *   first, holding "2." and more; "control.tar[.EXT]"; "data.tar[.EXT]"
 *   with EXT one of gz, xz, bz2, lzma, zst, or none.  The handler finds the
 *   data member, decompresses it (at most DEB_TAR_MAX bytes, -E2BIG) and
 *   reports every 512-byte header of the tar stream (POSIX ustar, GNU and
 *   pax extensions) in stream order, up to the end-of-archive block.
 *
 * ANSWER (type 0x0402 | DG_MSG_ANSWER)
 *   off  size  field
 *   0    4     magic DEB_ARC_MAGIC ("DEBa")
 *   4    2     version DEB_ANS_VERSION (1)
 *   6    2     flags: DEB_ARC_F_TEXT when the tar stream follows the
 *              records (the member was compressed)
 *   8    1     the data member's compression: DEB_COMP_*
 *   9    7     reserved, 0
 *   16   8     offset of the data member's 60-byte ar header in the .deb
 *   24   8     size of the data member (its ar header's size field); its
 *              bytes start right after the header
 *   32   8     tar_length: the tar stream's length (the member's size
 *              when it is not compressed)
 *   40   4     n_headers: records that follow
 *   44   4     reserved, 0
 *   48   64*n_headers records, one per tar header, in stream order:
 *                0   8  header_offset in the tar stream (the first is 0;
 *                       each next one is header_offset + 512 + size
 *                       rounded up to a multiple of 512)
 *                8   8  size: the header's size field (octal, or base-256
 *                       when its first byte has bit 7 set)
 *                16  8  a_offset  \ the entry's path, in the tar stream,
 *                24  8  b_offset  |  by path_kind below
 *                32  8  rec_offset/ (DEB_PATH_PAX: the record's first byte)
 *                40  4  a_length
 *                44  4  b_length
 *                48  4  mode (the mode field, octal)
 *                52  1  typeflag (the header's byte 156 as it is)
 *                53  1  path_kind: DEB_PATH_* below
 *                54  10 reserved, 0
 *              path_kind:
 *                DEB_PATH_NONE   an extension header ('L', 'K', 'x', 'g')
 *                                or one the path does not matter for
 *                DEB_PATH_NAME   a = the name field (header + 0), up to its
 *                                first NUL or all 100 bytes
 *                DEB_PATH_PREFIX a = the prefix field (header + 345, up to
 *                                155 bytes), b = the name field; the path
 *                                is a "/" b (ustar magic "ustar" at 257)
 *                DEB_PATH_LONG   a = the data of the 'L' header just
 *                                before, up to its first NUL
 *                DEB_PATH_PAX    a = the value of a "LEN path=VALUE\n"
 *                                record (starting at rec_offset) in the
 *                                data of the 'x' header just before; the
 *                                last path record there
 *   With DEB_ARC_F_TEXT: tar_length bytes of tar stream follow the records.
 *   A stream that ends without an end-of-archive block is accepted (as tar
 *   does, with a warning) when the last entry is whole.
 *
 * REQUEST PGP_REQ_DEARMOR, PGP_REQ_PARSE, PGP_REQ_CLEARTEXT (pgp_proto.h)
 *   The deb handler also answers the pgp handler's requests with the same
 *   parser, so that `deb verify` runs one sandboxed process: the core sends
 *   it the keyring and the InRelease.
 *
 * A handler error is an ERROR frame: -EBADMSG (malformed; the message
 * names the line), -E2BIG (over a limit), -ENODATA (truncated compressed
 * data), -EOPNOTSUPP (an unknown compression or date form).
 */
#ifndef DG_DEB_PROTO_H
#define DG_DEB_PROTO_H

#include <stdint.h>

enum dg_deb_msg {
	DEB_REQ_RELEASE = 0x0400,
	DEB_REQ_PACKAGES = 0x0401,
	DEB_REQ_ARCHIVE = 0x0402,
};

#define DEB_ANS_VERSION 1
#define DEB_REL_MAGIC 0x72424544u	/* "DEBr" */
#define DEB_PKG_MAGIC 0x70424544u	/* "DEBp" */
#define DEB_REL_FIXED 56		/* bytes before the entries */
#define DEB_REL_ENTRY_SIZE 32
#define DEB_PKG_FIXED 32		/* bytes before the records */
#define DEB_PKG_RECORD_SIZE 64

/* Release answer flags. */
#define DEB_REL_F_DATE (1u << 0)
#define DEB_REL_F_VALID_UNTIL (1u << 1)

/* Packages answer flags. */
#define DEB_PKG_F_TEXT (1u << 0)	/* the decompressed text follows the records */

enum {
	DEB_COMP_NONE = 0,
	DEB_COMP_GZIP = 1,
	DEB_COMP_XZ = 2,
	DEB_COMP_LZ4 = 3,
	DEB_COMP_BZIP2 = 4,
	DEB_COMP_ZSTD = 5,	/* data.tar.zst only */
	DEB_COMP_LZMA = 6,	/* data.tar.lzma (lzma_alone) only */
};

#define DEB_ARC_MAGIC 0x61424544u	/* "DEBa" */
#define DEB_ARC_FIXED 48		/* bytes before the records */
#define DEB_ARC_RECORD_SIZE 64
#define DEB_ARC_F_TEXT (1u << 0)
#define DEB_AR_MAGIC "!<arch>\n"
#define DEB_AR_HEADER 60
#define DEB_TAR_BLOCK 512
#define DEB_TAR_MAX (896u << 20)	/* decompressed data.tar (frames: 1 GiB) */
#define DEB_TAR_HEADERS_MAX (1u << 20)	/* headers of one data.tar */

enum {
	DEB_PATH_NONE = 0,
	DEB_PATH_NAME = 1,
	DEB_PATH_PREFIX = 2,
	DEB_PATH_LONG = 3,
	DEB_PATH_PAX = 4,
};

/* The six fields of a Packages record, in the order of their spans. */
enum {
	DEB_FIELD_PACKAGE = 0,
	DEB_FIELD_VERSION,
	DEB_FIELD_ARCHITECTURE,
	DEB_FIELD_FILENAME,
	DEB_FIELD_SIZE,
	DEB_FIELD_SHA256,
	DEB_FIELDS
};

static inline const char *deb_field_name(int f)
{
	static const char *const names[DEB_FIELDS] = {
		"Package", "Version", "Architecture", "Filename", "Size", "SHA256",
	};

	return f >= 0 && f < DEB_FIELDS ? names[f] : "?";
}

/* Limits on untrusted input, the same on both sides. */
#define DEB_TEXT_MAX (256u << 20)	/* decompressed Packages text */
#define DEB_REL_ENTRIES_MAX 65536u	/* SHA256 lines of one Release */
#define DEB_PKG_RECORDS_MAX (1u << 20)	/* paragraphs of one Packages */
#define DEB_SIZE_DIGITS_MAX 20
#define DEB_SHA256_HEX 64

#endif

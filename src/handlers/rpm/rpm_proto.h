/* SPDX-License-Identifier: MIT */
/*
 * Wire format between the trusted core (src/core/rpm/) and the sandboxed rpm
 * handler (src/handlers/rpm/).  All integers in the request and the answer
 * are little-endian (the RPM bytes themselves are big-endian; the handler
 * reports what it read, never converted data).  Every offset in the answer
 * is an absolute offset into the request's package bytes, which start at
 * file offset 0, so spans are also file offsets.
 *
 * The answer is untrusted: the core re-checks every claim against the
 * original bytes (docs/rpm.md, "Re-checks").  Changes must be additive.
 *
 * REQUEST RPM_REQ_PARSE (type 0x0300)
 *   off  size  field
 *   0    8     file_size: size of the whole package file in bytes
 *   8    n     the first n bytes of the package (n <= file_size); they must
 *              hold the lead, the signature header and the main header
 *
 * ANSWER (type 0x0300 | DG_MSG_ANSWER)
 *   off  size  field
 *   0    4     magic RPM_ANS_MAGIC ("RPMa" read as le32)
 *   4    2     version RPM_ANS_VERSION (1)
 *   6    2     flags: RPM_ANS_F_* below
 *   8    1     lead major version (3 or 4)
 *   9    1     lead minor version
 *   10   2     lead signature_type (5 = header-style signature)
 *   12   4     reserved, 0
 *   16   8     file_size (echo of the request)
 *   24   16    signature header: u32 offset, u32 length (16-byte intro +
 *              16 * index_count + data_size), u32 index_count, u32 data_size
 *   40   16    main header: same four fields
 *   56   8     payload_offset (= main offset + main length); the payload
 *              is [payload_offset, file_size)
 *   64   4     n_tags: number of tag records that follow
 *   68   4     n_strings: number of string records after the tag records
 *   72   32*n_tags   tag records:
 *                0   1  header: RPM_HDR_SIG (0) or RPM_HDR_MAIN (1)
 *                1   3  reserved, 0
 *                4   4  tag number
 *                8   4  type (RPM_TYPE_*)
 *                12  4  count
 *                16  4  entry_offset: file offset of the tag's 16-byte
 *                       index entry (be32 tag, type, offset, count)
 *                20  4  data_offset: file offset of the tag's data
 *                24  4  data_length in bytes (strings: including every
 *                       terminating NUL)
 *                28  4  first_string: index of the tag's first string
 *                       record (STRING, STRING_ARRAY, I18NSTRING types;
 *                       `count` records, in order, tiling the data),
 *                       RPM_NO_STRING for other types
 *   ...  8*n_strings string records: u32 offset, u32 length (without the NUL)
 *   With flag RPM_ANS_F_PGP (absent: the section is absent too):
 *   ...  4     n_sigs: number of pre-parsed signature records that follow
 *   ...  n_sigs pre-parsed signature records, back to back:
 *                0   4  tag_record: index of the tag record (above) of an
 *                       OpenPGP signature tag of the signature header
 *                       (RSAHEADER, DSAHEADER, OPENPGP, PGP, GPG)
 *                4   4  item: which value of the tag: 0 for a BIN tag, the
 *                       string's index for OPENPGP
 *                8   4  ans_len
 *                12  ans_len  the PGP_REQ_PARSE answer (pgp_proto.h) of the
 *                       pgp handler's parser for the value's bytes at depth 0:
 *                       the tag's data (BIN), or the base64-decoded string
 *                       (OPENPGP); its spans are offsets into those bytes
 *              At most one record per (tag_record, item), at most
 *              RPM_PGP_SIGS_MAX (rpm_sig.h) records.  A value that does not
 *              parse has no record: the core then asks the parser itself
 *              (PGP_REQ_PARSE, which this handler also answers) and
 *              reports its error.  The core re-checks each answer against
 *              the signature bytes it reads (or decodes) itself, exactly as
 *              it re-checks the pgp handler's.
 *
 * REQUEST PGP_REQ_DEARMOR, PGP_REQ_PARSE, PGP_REQ_CLEARTEXT (pgp_proto.h)
 *   The rpm handler also answers the pgp handler's requests, with the same
 *   parser, so that `rpm verify` needs one sandboxed process, not two: the
 *   core sends it the keyring and any signature without a pre-parsed record.
 *
 * Only the tags the core uses are reported (rpm_tag_wanted() lists them),
 * every instance of each in either header.  A handler error is an ERROR
 * frame with -EBADMSG (malformed, the message names the tag), -E2BIG (over
 * a limit), -ENODATA (truncated) or -EOPNOTSUPP (not a header-signed
 * package).
 */
#ifndef DG_RPM_PROTO_H
#define DG_RPM_PROTO_H

#include <stdint.h>

enum dg_rpm_msg {
	RPM_REQ_PARSE = 0x0300,
};

#define RPM_ANS_MAGIC 0x614d5052u	/* "RPMa" */
#define RPM_ANS_VERSION 1
#define RPM_ANS_FIXED 72	/* bytes before the tag records */
#define RPM_ANS_TAG_SIZE 32
#define RPM_ANS_STR_SIZE 8
#define RPM_REQ_FIXED 8
#define RPM_NO_STRING 0xffffffffu

/* Answer flags. */
#define RPM_ANS_F_SIG_REGION (1u << 0)	/* signature header has a region (62) */
#define RPM_ANS_F_MAIN_REGION (1u << 1)	/* main header has an immutable region (63) */
#define RPM_ANS_F_PGP (1u << 2)		/* pre-parsed signatures follow the strings */

enum { RPM_HDR_SIG = 0, RPM_HDR_MAIN = 1 };

/* Fixed layout facts (rpm lib/rpmlead.c, lib/header.c). */
#define RPM_LEAD_SIZE 96
#define RPM_INTRO_SIZE 16	/* magic 8e ad e8 01, 4 reserved, be32 il, be32 dl */
#define RPM_ENTRY_SIZE 16
#define RPM_SIGTYPE_HEADERSIG 5

/* Header entry data types. */
enum {
	RPM_TYPE_NULL = 0,
	RPM_TYPE_CHAR = 1,
	RPM_TYPE_INT8 = 2,
	RPM_TYPE_INT16 = 3,
	RPM_TYPE_INT32 = 4,
	RPM_TYPE_INT64 = 5,
	RPM_TYPE_STRING = 6,
	RPM_TYPE_BIN = 7,
	RPM_TYPE_STRING_ARRAY = 8,
	RPM_TYPE_I18NSTRING = 9,
};

/* Region tags. */
#define RPMTAG_HEADERIMAGE 61
#define RPMTAG_HEADERSIGNATURES 62
#define RPMTAG_HEADERIMMUTABLE 63

/* Signature header tags. */
#define RPMSIGTAG_DSAHEADER 267		/* OpenPGP signature over the main header */
#define RPMSIGTAG_RSAHEADER 268		/* (RSA, or any algorithm in practice) */
#define RPMSIGTAG_SHA1HEADER 269	/* hex SHA-1 of the main header */
#define RPMSIGTAG_LONGSIZE 270
#define RPMSIGTAG_SHA256HEADER 273	/* hex SHA-256 of the main header */
#define RPMSIGTAG_OPENPGP 278		/* v6: base64 OpenPGP signatures */
#define RPMSIGTAG_SHA3_256HEADER 279
#define RPMSIGTAG_SIZE 1000
#define RPMSIGTAG_PGP 1002		/* legacy RSA over header + payload */
#define RPMSIGTAG_MD5 1004		/* legacy MD5 over header + payload */
#define RPMSIGTAG_GPG 1005		/* legacy DSA over header + payload */

/* Main header tags. */
#define RPMTAG_NAME 1000
#define RPMTAG_VERSION 1001
#define RPMTAG_RELEASE 1002
#define RPMTAG_EPOCH 1003
#define RPMTAG_ARCH 1022
#define RPMTAG_OLDFILENAMES 1027
#define RPMTAG_FILESIZES 1028
#define RPMTAG_FILEMODES 1030
#define RPMTAG_FILEDIGESTS 1035
#define RPMTAG_FILEFLAGS 1037
#define RPMTAG_DIRINDEXES 1116
#define RPMTAG_BASENAMES 1117
#define RPMTAG_DIRNAMES 1118
#define RPMTAG_LONGFILESIZES 5008
#define RPMTAG_FILEDIGESTALGO 5011
#define RPMTAG_PAYLOADDIGEST 5092
#define RPMTAG_PAYLOADDIGESTALGO 5093
#define RPMTAG_PAYLOADDIGESTALT 5097

/* File flags (rpm's rpmfileAttrs). */
#define RPMFILE_GHOST (1u << 6)

/* Tags the handler reports, by header. */
static inline int rpm_tag_wanted(int hdr, uint32_t tag)
{
	if (hdr == RPM_HDR_SIG) {
		switch (tag) {
		case RPMSIGTAG_DSAHEADER: case RPMSIGTAG_RSAHEADER:
		case RPMSIGTAG_SHA1HEADER: case RPMSIGTAG_SHA256HEADER:
		case RPMSIGTAG_OPENPGP: case RPMSIGTAG_SHA3_256HEADER:
		case RPMSIGTAG_PGP: case RPMSIGTAG_MD5: case RPMSIGTAG_GPG:
			return 1;
		}
		return 0;
	}
	switch (tag) {
	case RPMTAG_NAME: case RPMTAG_VERSION: case RPMTAG_RELEASE:
	case RPMTAG_EPOCH: case RPMTAG_ARCH: case RPMTAG_OLDFILENAMES:
	case RPMTAG_FILESIZES: case RPMTAG_FILEMODES: case RPMTAG_FILEDIGESTS:
	case RPMTAG_FILEFLAGS: case RPMTAG_DIRINDEXES: case RPMTAG_BASENAMES:
	case RPMTAG_DIRNAMES: case RPMTAG_LONGFILESIZES:
	case RPMTAG_FILEDIGESTALGO: case RPMTAG_PAYLOADDIGEST:
	case RPMTAG_PAYLOADDIGESTALGO: case RPMTAG_PAYLOADDIGESTALT:
		return 1;
	}
	return 0;
}

/* The type each reported tag must have (checked by both sides). */
static inline int rpm_tag_type(int hdr, uint32_t tag)
{
	if (hdr == RPM_HDR_SIG) {
		switch (tag) {
		case RPMSIGTAG_SHA1HEADER: case RPMSIGTAG_SHA256HEADER:
		case RPMSIGTAG_SHA3_256HEADER:
			return RPM_TYPE_STRING;
		case RPMSIGTAG_OPENPGP:
			return RPM_TYPE_STRING_ARRAY;
		default:
			return RPM_TYPE_BIN;
		}
	}
	switch (tag) {
	case RPMTAG_NAME: case RPMTAG_VERSION: case RPMTAG_RELEASE:
	case RPMTAG_ARCH:
		return RPM_TYPE_STRING;
	case RPMTAG_EPOCH: case RPMTAG_FILESIZES: case RPMTAG_FILEFLAGS:
	case RPMTAG_DIRINDEXES: case RPMTAG_FILEDIGESTALGO:
	case RPMTAG_PAYLOADDIGESTALGO:
		return RPM_TYPE_INT32;
	case RPMTAG_FILEMODES:
		return RPM_TYPE_INT16;
	case RPMTAG_LONGFILESIZES:
		return RPM_TYPE_INT64;
	default:
		return RPM_TYPE_STRING_ARRAY;
	}
}

/* Short names for messages. */
static inline const char *rpm_tag_name(int hdr, uint32_t tag)
{
	if (hdr == RPM_HDR_SIG) {
		switch (tag) {
		case RPMTAG_HEADERSIGNATURES: return "HEADERSIGNATURES";
		case RPMSIGTAG_DSAHEADER: return "DSAHEADER";
		case RPMSIGTAG_RSAHEADER: return "RSAHEADER";
		case RPMSIGTAG_SHA1HEADER: return "SHA1HEADER";
		case RPMSIGTAG_SHA256HEADER: return "SHA256HEADER";
		case RPMSIGTAG_OPENPGP: return "OPENPGP";
		case RPMSIGTAG_SHA3_256HEADER: return "SHA3_256HEADER";
		case RPMSIGTAG_PGP: return "PGP";
		case RPMSIGTAG_MD5: return "MD5";
		case RPMSIGTAG_GPG: return "GPG";
		}
		return "?";
	}
	switch (tag) {
	case RPMTAG_HEADERIMMUTABLE: return "HEADERIMMUTABLE";
	case RPMTAG_NAME: return "NAME";
	case RPMTAG_VERSION: return "VERSION";
	case RPMTAG_RELEASE: return "RELEASE";
	case RPMTAG_EPOCH: return "EPOCH";
	case RPMTAG_ARCH: return "ARCH";
	case RPMTAG_OLDFILENAMES: return "OLDFILENAMES";
	case RPMTAG_FILESIZES: return "FILESIZES";
	case RPMTAG_FILEMODES: return "FILEMODES";
	case RPMTAG_FILEDIGESTS: return "FILEDIGESTS";
	case RPMTAG_FILEFLAGS: return "FILEFLAGS";
	case RPMTAG_DIRINDEXES: return "DIRINDEXES";
	case RPMTAG_BASENAMES: return "BASENAMES";
	case RPMTAG_DIRNAMES: return "DIRNAMES";
	case RPMTAG_LONGFILESIZES: return "LONGFILESIZES";
	case RPMTAG_FILEDIGESTALGO: return "FILEDIGESTALGO";
	case RPMTAG_PAYLOADDIGEST: return "PAYLOADDIGEST";
	case RPMTAG_PAYLOADDIGESTALGO: return "PAYLOADDIGESTALGO";
	case RPMTAG_PAYLOADDIGESTALT: return "PAYLOADDIGESTALT";
	}
	return "?";
}

#endif

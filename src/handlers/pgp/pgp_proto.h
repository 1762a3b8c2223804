/* SPDX-License-Identifier: MIT */
/*
 * Wire format between the trusted core and the sandboxed OpenPGP handler
 * (src/handlers/pgp/).  Stable: later changes are ADDITIVE only (new request
 * types, new record types, new fields appended at the END of a record body,
 * new flag bits).  A reader must therefore accept a record whose length is
 * larger than the size it knows and ignore the extra bytes, and must skip
 * record types it does not know.
 *
 * Everything is little-endian.  A "span" is 8 bytes {u32 off, u32 len}: a
 * byte range of the request's INPUT (see below).  Every span the handler
 * returns is a claim: the core checks off + len <= input_len (in 64-bit
 * arithmetic) and re-checks the structural claim the span makes before it
 * hashes or verifies anything (DESIGN.md §5).  A span with len 0 may have
 * any off <= input_len (usually 0) and means "absent".
 *
 * ---------------------------------------------------------------------
 * REQUEST  (frame type PGP_REQ_*, payload = header + input)
 * ---------------------------------------------------------------------
 *   off size
 *     0   4  magic  PGP_REQ_MAGIC  ("PGPQ" as bytes)
 *     4   2  version PGP_PROTO_VERSION
 *     6   2  flags  PGP_REQ_F_* (unknown bits are rejected, -EOPNOTSUPP)
 *     8   4  depth  compressed-data nesting depth of this input: 0 for a
 *                   file, parent depth + 1 for the decompressed bytes of a
 *                   PGP_REC_COMPRESSED answer sent back for parsing.  A
 *                   compressed packet found at depth >= PGP_NEST_MAX - 1 is
 *                   refused with -E2BIG.
 *    12   4  reserved, 0
 *    16   .  INPUT: the untrusted bytes.  All offsets in the answer are
 *                   relative to the first INPUT byte (request offset 16).
 *
 * ---------------------------------------------------------------------
 * ANSWER   (frame type PGP_REQ_* | DG_MSG_ANSWER)
 * ---------------------------------------------------------------------
 *   off size
 *     0   4  magic  PGP_ANS_MAGIC  ("PGPA")
 *     4   2  version PGP_PROTO_VERSION
 *     6   2  request type (PGP_REQ_*) this answers
 *     8   4  flags  PGP_ANS_F_* (summary of noteworthy things seen)
 *    12   4  nrec   number of records that follow (<= PGP_ANS_RECORDS_MAX)
 *    16   4  input_len  length of the INPUT the handler saw
 *    20   4  reserved, 0
 *    24   .  nrec records, back to back, nothing after the last one
 *
 * Record = 8-byte header {u16 type PGP_REC_*, u16 reserved 0, u32 len}
 * followed by exactly len body bytes.  Record bodies below list "off size"
 * relative to the body.  "span" = 8 bytes as above.  Arrays at the end of a
 * body have their count in a fixed field; the body length MUST equal the
 * fixed size + count * element size (+ trailing bytes only where stated)
 * for this version, so the core can validate a record with one comparison.
 *
 * Errors are not answers: the handler sends an ERROR frame with -EBADMSG
 * (malformed), -E2BIG (over a PGP_*_MAX limit, message names the limit),
 * -ENODATA (truncated), -EOPNOTSUPP (valid but unsupported, e.g. unknown
 * request flag), and a message "what: why" via dg_handler_error().
 *
 * =====================================================================
 * PGP_REQ_DEARMOR: INPUT is ASCII armor (RFC 9580 §6), one or more blocks
 * (e.g. several concatenated "PUBLIC KEY BLOCK"s).  Text before the first,
 * between and after blocks is allowed and reported (PGP_ANS_F_TEXT_OUTSIDE);
 * no block at all -> -EBADMSG.  A present CRC24 that does not match the
 * decoded bytes, or a malformed checksum line -> -EBADMSG, unless the
 * request has PGP_REQ_F_LENIENT_CRC: RFC 9580 §6.1 says an implementation
 * MUST NOT reject an object whose CRC24 footer is present, missing,
 * malformed or wrong, so with that flag the block is answered and flagged
 * PGP_ARMOR_F_CRC_BAD instead (a malformed line then gets no crc_span).
 * Answer, per block, in order:
 *
 *   PGP_REC_ARMOR      one per block
 *     0  4 block     index of this block (0, 1, ...)
 *     4  1 kind      PGP_ARMOR_* from the BEGIN line
 *     5  1 flags     PGP_ARMOR_F_*
 *     6  2 reserved
 *     8  4 crc       CRC24 from the checksum line (0 when absent)
 *    12  s begin     the "-----BEGIN PGP ...-----" line, without line
 *                    ending and trailing spaces/tabs
 *    20  s end       the "-----END PGP ...-----" line, likewise
 *    28  s crc_span  the 4 base64 chars after '=' on the checksum line
 *                    (len 0 when there is no checksum line)
 *    36  4 decoded_len  length of the PGP_REC_ARMOR_DATA bytes
 *    40  4 nhdr      number of armor headers
 *    44  4 nline     number of base64 body lines (pieces: see below)
 *    48  nhdr  x {s key, s value}   "Key: Value" header lines: key without
 *                    the ": ", value without trailing whitespace
 *    ..  nline x {s line}   each base64 body line: only the base64
 *                    characters (A-Z a-z 0-9 + / and '=' padding), no line
 *                    ending, no leading or trailing whitespace; a line with
 *                    blanks (space, tab, CR) inside, which base64 decoding
 *                    ignores (RFC 9580 §6), gives one span per blank-free
 *                    piece; the spans are in order, do not overlap, and only
 *                    blanks and line endings lie between them.
 *    body len = 48 + 16*nhdr + 8*nline
 *
 *   PGP_REC_ARMOR_DATA one per block, right after its PGP_REC_ARMOR
 *     0  4 block
 *     4  . decoded bytes (decoded_len of them) -- HANDLER OUTPUT
 *    body len = 4 + decoded_len
 *
 *   Re-check: concatenate the base64 line spans of the block, decode them
 *   with a strict decoder (no whitespace, padding only at the end), compare
 *   with ARMOR_DATA byte for byte, and when crc_span is present decode it
 *   and compare with CRC24 (RFC 9580 §6.1) of the decoded bytes.  After that
 *   the decoded bytes are the core's own trusted copy; send THEM (not the
 *   answer buffer) in the next PGP_REQ_PARSE.
 *
 * =====================================================================
 * PGP_REQ_PARSE: INPUT is binary OpenPGP packets (first octet has bit 7
 * set).  Packets are framed by old or new format headers (RFC 9580 §4.2),
 * partial body lengths and old-format indeterminate lengths allowed only on
 * data packets (literal, compressed, SED, SEIPD, reserved-20), the first
 * partial chunk at least 512 octets (RFC 9580 §4.2.1.4; the core counts it
 * again), every chunk reported.  Answer, per packet, in order:
 *
 *   PGP_REC_PACKET     one per packet, always first for that packet
 *     0  4 index     packet number in this input (0, 1, ...)
 *     4  1 tag       packet type ID (RFC 9580 §5)
 *     5  1 format    0 old (legacy) framing, 1 new framing
 *     6  2 flags     PGP_PKT_F_*
 *     8  s header    the framing octets (tag octet + length octets;
 *                    for partial packets: tag octet + FIRST length octet(s))
 *    16  s body      non-partial: exactly the body.  Partial: from the first
 *                    chunk's data through the last chunk's data, INCLUDING
 *                    the inner length octets (see PGP_REC_CHUNK).
 *                    header.off + header.len == body.off, and packets tile
 *                    the input: next packet's header.off == body.off+body.len
 *    24  4 nchunk    0 for non-partial packets, else number of chunks
 *    28  nchunk x {s lenhdr, s data}  for partial packets: chunk i's length
 *                    octets (chunk 0: the same bytes as the tail of
 *                    `header` after the tag octet) and its data.  Together
 *                    they tile [header.off + 1, body.off + body.len).
 *    body len = 28 + 16*nchunk
 *
 *   Then, depending on the tag, at most one of:
 *
 *   PGP_REC_KEY        tags 5 (secret key), 6 (public key), 7 (secret
 *                      subkey), 14 (public subkey)
 *     0  4 index     packet index
 *     4  1 version   4 or 6 (3/5/other: flag PGP_KEY_F_UNSUPPORTED,
 *                    nfield = 0; a packet that does not parse: flag
 *                    PGP_KEY_F_MALFORMED, created = matlen = nfield = 0,
 *                    keybody = the whole body, version 0 when empty)
 *     5  1 algo      public-key algorithm ID (RFC 9580 §9.1)
 *     6  2 flags     PGP_KEY_F_*
 *     8  4 created   creation time (seconds since epoch)
 *    12  4 matlen    v6: the 4-octet key material length field; v4: 0
 *    16  s keybody   the public key part: for tags 6/14 exactly the packet
 *                    body; for 5/7 the leading public part of the body.
 *                    Fingerprint input: v4 SHA-1(0x99 || be16 len ||
 *                    keybody), v6 SHA-256(0x9B || be32 len || keybody).
 *    24  4 nfield    number of key material fields
 *    28  nfield x FIELD (below), in on-the-wire order; they tile the
 *                    key material exactly, which ends at keybody's end
 *    body len = 28 + 20*nfield
 *
 *   FIELD (20 bytes), used by keys and signatures
 *     0  1 kind      PGP_FIELD_*
 *     1  1 reserved
 *     2  2 bits      MPI: the bit count from its 2-octet prefix; else 0
 *     4  s whole     the field including its length prefix
 *    12  s value     the value bytes only (MPI magnitude, OID bytes, KDF
 *                    parameter bytes, native octets)
 *
 *   PGP_REC_SIG        tag 2
 *     0  4 index     packet index
 *     4  1 version   3, 4 or 6 (other: PGP_SIG_F_UNSUPPORTED, rest 0);
 *                    a packet that does not parse: PGP_SIG_F_MALFORMED,
 *                    then version, sigtype, pkalgo, hashalgo are its first
 *                    octets (when it has them) and everything else is 0
 *     5  1 sigtype   signature type (RFC 9580 §5.2.1)
 *     6  1 pkalgo
 *     7  1 hashalgo
 *     8  4 flags     PGP_SIG_F_*
 *    12  4 created   from the hashed Signature Creation Time subpacket (v4/
 *                    v6; PGP_SIG_F_HAS_CREATED) or the v3 field; else 0
 *    16  s hashed_prefix  the packet bytes that the hash covers, before
 *                    the trailer: v4/v6 body[0 .. end of hashed area]
 *                    (version, type, algos, count, hashed subpackets);
 *                    v3: the 5 octets sigtype + creation time.  The core
 *                    appends the trailer itself (v4: 04 FF be32(len),
 *                    v6: 06 FF be32(len); RFC 9580 §5.2.4).
 *    24  s hashed    hashed subpacket data (without its length count)
 *    32  s unhashed  unhashed subpacket data (without its length count)
 *    40  s left16    the 2 octets of the hash's left 16 bits
 *    48  s salt      v6 salt (len = salt size, which must match hashalgo),
 *                    len 0 otherwise
 *    56  s issuer    v3: the 8-octet key ID field; v4/v6: body of the first
 *                    Issuer Fingerprint subpacket (version octet + fpr) if
 *                    any, else of the first Issuer Key ID subpacket, else
 *                    len 0.  Convenience only: it points into a subpacket
 *                    the core can check itself.
 *    64  4 nsub      number of subpackets (hashed first, then unhashed)
 *    68  4 nfield    number of signature material fields
 *    72  nsub x SUBPACKET (below)
 *    ..  nfield x FIELD (above), which follow each other from the end
 *                    of the salt (v6) or left16; bytes after the last one
 *                    are not material (ignored, as by Sequoia and GnuPG)
 *    body len = 72 + 16*nsub + 20*nfield
 *
 *   SUBPACKET (16 bytes)
 *     0  4 start     offset of the subpacket's first length octet
 *     4  1 hdrlen    length octets + the type octet (2, 3 or 6)
 *     5  1 type      subpacket type without the critical bit
 *     6  1 flags     PGP_SUB_F_*
 *     7  1 reserved
 *     8  s body      after the type octet; body.off == start + hdrlen.
 *                    Subpackets of one area tile it exactly: the first
 *                    starts at area.off, each next one at body.off+body.len,
 *                    the last ends at area.off + area.len.
 *
 *   PGP_REC_OPS        tag 4 (one-pass signature)
 *     0  4 index
 *     4  1 version   3 or 6
 *     5  1 sigtype
 *     6  1 hashalgo
 *     7  1 pkalgo
 *     8  1 nested    the "last"/nested flag octet as sent (0 = another OPS
 *                    follows that covers this one)
 *     9  1 flags     PGP_OPS_F_*: MALFORMED (the packet does not parse, RFC
 *                    9580 §5.2.5): the first four fields are its first
 *                    octets as far as it has them, nested 1, no spans
 *    10  2 reserved
 *    12  s issuer    v3: 8-octet key ID; v6: 32-octet fingerprint
 *    20  s salt      v6 salt, len 0 for v3
 *    body len = 28
 *
 *   PGP_REC_LITERAL    tag 11
 *     0  4 index
 *     4  1 format    'b', 't', 'u', 'm', 'l', '1' (as sent)
 *     5  3 reserved
 *     8  4 date
 *    12  s filename  (len 0..255)
 *    20  4 ndata     number of data spans
 *    24  ndata x {s data}  the literal content, in order: for a non-partial
 *                    packet one span (body after the filename and date);
 *                    for a partial packet the content part of each chunk.
 *                    The header fields must lie in the first chunk.
 *    body len = 24 + 8*ndata
 *
 *   PGP_REC_COMPRESSED tag 8
 *     0  4 index
 *     4  1 algo      0 uncompressed, 1 ZIP (raw deflate), 2 ZLIB, 3 BZip2
 *     5  3 reserved
 *     8  4 outlen    decompressed length (<= PGP_DECOMPRESSED_MAX)
 *    12  . the decompressed bytes -- HANDLER OUTPUT, not a span.  The core
 *                    treats them as a NEW input: it sends them back in a
 *                    PGP_REQ_PARSE with depth + 1 and trusts only
 *                    signatures it verifies over them (e.g. an OPS/literal/
 *                    SIG sequence whose SIG verifies over its literal data).
 *    body len = 12 + outlen
 *
 *   PGP_REC_USERID     tag 13
 *     0  4 index
 *     4  s uid       the user ID (== packet body).  Tag 17 (user attribute)
 *                    gets no extra record; its PACKET body span is what a
 *                    certification hashes (0xD1 || be32 len || body).
 *    body len = 12
 *
 *   Other tags (marker 10, padding 21, trust 12, encrypted 1/3/9/18/20,
 *   MDC 19, unknown) get only the PACKET record and flags.
 *
 * =====================================================================
 * PGP_REQ_CLEARTEXT: INPUT is a cleartext signed message (RFC 9580 §7).
 * Answer: exactly one record.
 *
 *   PGP_REC_CLEARTEXT
 *     0  4 flags     PGP_CT_F_*
 *     4  s begin     "-----BEGIN PGP SIGNED MESSAGE-----" line
 *    12  s sigblock  from "-----BEGIN PGP SIGNATURE-----" through the end
 *                    of the "-----END PGP SIGNATURE-----" line: send it (as
 *                    the core's own copy) in PGP_REQ_DEARMOR then PARSE
 *    20  4 nhash     number of Hash: header values
 *    24  4 nline     number of signed text lines
 *    28  4 nout      number of spans of text outside the signed message
 *    32  nhash x {u8 hashalgo (0 if name unknown), u8 reserved[3], s name}
 *                    each comma-separated value of every "Hash:" header
 *                    (e.g. "SHA256"), whitespace trimmed
 *    ..  nline x {s raw, s text}  raw: the whole line without its line
 *                    ending; text: what is hashed (RFC 9580 §7.2): raw
 *                    without the dash-escape "- " prefix and without
 *                    trailing spaces/tabs.  text lies in raw: text.off ==
 *                    raw.off (+2 when raw starts with "- "), and the rest
 *                    of raw after text is only spaces/tabs.  The signed
 *                    text is the text spans joined with CR LF, with no
 *                    line ending after the last one.
 *    ..  nout x {s text}  non-empty text before BEGIN or after the END
 *                    line (also flagged PGP_CT_F_TEXT_OUTSIDE).  Never
 *                    part of the signed text.
 *    body len = 32 + 12*nhash + 16*nline + 8*nout
 */
#ifndef DG_PGP_PROTO_H
#define DG_PGP_PROTO_H

#include <stdint.h>

#define PGP_PROTO_VERSION 1
#define PGP_REQ_MAGIC 0x51504750u	/* "PGPQ" as bytes on the wire */
#define PGP_ANS_MAGIC 0x41504750u	/* "PGPA" as bytes on the wire */
#define PGP_REQ_HDR_LEN 16
#define PGP_ANS_HDR_LEN 24
#define PGP_REC_HDR_LEN 8
#define PGP_SPAN_LEN 8

/* Request types (frame types, >= DG_MSG_USER). */
enum pgp_req_type {
	PGP_REQ_DEARMOR = 0x0100,
	PGP_REQ_PARSE = 0x0101,
	PGP_REQ_CLEARTEXT = 0x0102,
};

/* Request header flags. */
#define PGP_REQ_F_LENIENT_CRC	(1u << 0)	/* DEARMOR: a bad CRC24 footer is
						   flagged, not rejected (§6.1) */
#define PGP_REQ_F_KNOWN		PGP_REQ_F_LENIENT_CRC

/* Record types. */
enum pgp_rec_type {
	PGP_REC_ARMOR = 0x0001,
	PGP_REC_ARMOR_DATA = 0x0002,
	PGP_REC_PACKET = 0x0010,
	PGP_REC_KEY = 0x0011,
	PGP_REC_SIG = 0x0012,
	PGP_REC_OPS = 0x0013,
	PGP_REC_LITERAL = 0x0014,
	PGP_REC_COMPRESSED = 0x0015,
	PGP_REC_USERID = 0x0016,
	PGP_REC_CLEARTEXT = 0x0020,
};

/* Fixed record body sizes (before the arrays) and array element sizes. */
#define PGP_REC_ARMOR_FIXED 48
#define PGP_REC_PACKET_FIXED 28
#define PGP_REC_KEY_FIXED 28
#define PGP_REC_SIG_FIXED 72
#define PGP_REC_OPS_FIXED 28
#define PGP_REC_LITERAL_FIXED 24
#define PGP_REC_COMPRESSED_FIXED 12
#define PGP_REC_USERID_FIXED 12
#define PGP_REC_CLEARTEXT_FIXED 32
#define PGP_FIELD_LEN 20
#define PGP_SUBPACKET_LEN 16
#define PGP_CHUNK_LEN 16
#define PGP_ARMOR_HDR_LEN 16
#define PGP_CT_HASH_LEN 12
#define PGP_CT_LINE_LEN 16

/* Answer flags (header). */
#define PGP_ANS_F_TEXT_OUTSIDE		(1u << 0)	/* text around armor/cleartext */
#define PGP_ANS_F_SECRET_KEY		(1u << 1)	/* a secret (sub)key packet */
#define PGP_ANS_F_UNKNOWN_PACKET	(1u << 2)	/* unknown non-critical tag skipped */
#define PGP_ANS_F_UNKNOWN_CRITICAL_PACKET (1u << 3)	/* unknown tag < 40 */
#define PGP_ANS_F_SIG_UNKNOWN_CRITICAL	(1u << 4)	/* some sig: see PGP_SIG_F_ */
#define PGP_ANS_F_UNSUPPORTED		(1u << 5)	/* some key/sig unsupported */
#define PGP_ANS_F_ENCRYPTED		(1u << 6)	/* encrypted packets present */

/* PGP_REC_ARMOR kinds and flags. */
enum pgp_armor_kind {
	PGP_ARMOR_UNKNOWN = 0,
	PGP_ARMOR_MESSAGE = 1,		/* PGP MESSAGE */
	PGP_ARMOR_PUBLIC_KEY = 2,	/* PGP PUBLIC KEY BLOCK */
	PGP_ARMOR_PRIVATE_KEY = 3,	/* PGP PRIVATE KEY BLOCK */
	PGP_ARMOR_SIGNATURE = 4,	/* PGP SIGNATURE */
};
#define PGP_ARMOR_F_CRC		(1u << 0)	/* checksum line present (and matched) */
#define PGP_ARMOR_F_CRC_BAD	(1u << 1)	/* checksum line malformed or wrong
						   (only with PGP_REQ_F_LENIENT_CRC) */

/* PGP_REC_PACKET flags. */
#define PGP_PKT_F_PARTIAL	(1u << 0)	/* partial body lengths, see chunks */
#define PGP_PKT_F_INDETERMINATE	(1u << 1)	/* old format length type 3: to end */
#define PGP_PKT_F_UNKNOWN	(1u << 2)	/* tag unknown to the handler, skipped */
#define PGP_PKT_F_CRITICAL	(1u << 3)	/* ... and critical (tag < 40, §4.3) */
#define PGP_PKT_F_NOT_PARSED	(1u << 4)	/* known but not parsed (encrypted, trust) */
#define PGP_PKT_F_BAD_MARKER	(1u << 5)	/* marker packet body is not "PGP" */

/* PGP_REC_KEY flags. */
#define PGP_KEY_F_SECRET	(1u << 0)	/* tag 5/7: secret part not reported */
#define PGP_KEY_F_SUBKEY	(1u << 1)	/* tag 7/14 */
#define PGP_KEY_F_UNSUPPORTED	(1u << 2)	/* version not 4/6: no fields */
#define PGP_KEY_F_UNKNOWN_ALGO	(1u << 3)	/* fields unknown (v4: none listed,
						   v6: one FIELD_OPAQUE) */
#define PGP_KEY_F_MALFORMED	(1u << 4)	/* v4/v6 key that does not parse:
						   version, algo (0 when the
						   packet has no such octet), the
						   whole body, nothing else */

/* PGP_REC_SIG flags. */
#define PGP_SIG_F_UNSUPPORTED	(1u << 0)	/* v3 or unknown version: never verify */
#define PGP_SIG_F_UNKNOWN_CRITICAL (1u << 1)	/* unknown hashed subpacket with
						   the critical bit: the signature
						   is INVALID (RFC 9580 §5.2.3.7);
						   informative, the core finds it */
#define PGP_SIG_F_HAS_CREATED	(1u << 2)	/* created came from a hashed subpacket */
#define PGP_SIG_F_UNKNOWN_ALGO	(1u << 3)	/* material not split into fields */
#define PGP_SIG_F_MALFORMED	(1u << 4)	/* the packet does not parse as a
						   signature (RFC 9580 §5.2.5):
						   version, type and algorithm
						   octets only, every span and
						   count 0 */

/* PGP_REC_OPS flags. */
#define PGP_OPS_F_MALFORMED	(1u << 0)	/* does not parse: its signature
						   does not count */

/* SUBPACKET flags. */
#define PGP_SUB_F_CRITICAL	(1u << 0)
#define PGP_SUB_F_HASHED	(1u << 1)	/* in the hashed area */
#define PGP_SUB_F_KNOWN		(1u << 2)	/* type known to the handler */

/* FIELD kinds. */
enum pgp_field_kind {
	PGP_FIELD_MPI = 1,	/* 2-octet bit count, then ceil(bits/8) octets */
	PGP_FIELD_OID = 2,	/* 1-octet length (not 0 or 0xFF), then the OID */
	PGP_FIELD_KDF = 3,	/* 1-octet length, then ECDH KDF parameters */
	PGP_FIELD_NATIVE = 4,	/* fixed size for the algorithm, no prefix */
	PGP_FIELD_OPAQUE = 5,	/* v6 key material of an unknown algorithm */
};

/* PGP_REC_CLEARTEXT flags. */
#define PGP_CT_F_TEXT_OUTSIDE	(1u << 0)	/* nout > 0 */
#define PGP_CT_F_NO_HASH_HEADER	(1u << 1)	/* no Hash: header (allowed) */
#define PGP_CT_F_UNKNOWN_HASH	(1u << 2)	/* a Hash: value the handler
						   does not know */
#define PGP_CT_F_OTHER_HEADER	(1u << 3)	/* a header other than Hash:
						   (RFC 9580 §7 says reject;
						   the core decides) */

/*
 * Limits the handler enforces (-E2BIG, message names the limit).  The
 * input itself is bounded by the frame maximum (64 MiB by default).
 */
#define PGP_PACKET_MAX		(16u << 20)	/* one packet body, all chunks */
#define PGP_PACKETS_MAX		(1u << 18)	/* packets per input */
#define PGP_CHUNKS_MAX		(1u << 16)	/* partial chunks per packet */
#define PGP_PARTIAL_FIRST_MIN	512u		/* RFC 9580 §4.2.1.4: first partial chunk */
#define PGP_SUBPACKETS_MAX	512u		/* subpackets per signature */
#define PGP_ARMOR_LINE_MAX	1024u		/* armor line length, w/o EOL */
#define PGP_ARMOR_HEADERS_MAX	64u		/* armor header lines per block */
#define PGP_ARMOR_BLOCKS_MAX	4096u		/* armor blocks per input */
#define PGP_CLEARTEXT_LINE_MAX	(1u << 20)	/* one signed text line */
#define PGP_CLEARTEXT_LINES_MAX	(1u << 22)	/* signed text lines */
#define PGP_NEST_MAX		4u		/* compressed nesting depth */
#define PGP_DECOMPRESSED_MAX	(32u << 20)	/* decompressed bytes */
#define PGP_ANS_RECORDS_MAX	(1u << 22)	/* records per answer */

/* Build a request header with PGP_REQ_F_* @flags at nesting @depth. */
static inline void pgp_req_hdr_put_flags(uint8_t out[PGP_REQ_HDR_LEN], uint32_t depth,
					 uint16_t flags)
{
	const uint32_t w[4] = { PGP_REQ_MAGIC,
				(uint32_t)PGP_PROTO_VERSION | (uint32_t)flags << 16, depth, 0 };
	int i, j;

	for (i = 0; i < 4; i++)
		for (j = 0; j < 4; j++)
			out[i * 4 + j] = (uint8_t)(w[i] >> (8 * j));
}

/*
 * Whether an MPI of @bits bits whose value octets start at @value is in
 * canonical form: its bit count starts at the most significant set bit
 * (RFC 9580 §3.2, a MUST for v6 packets).  @value is read only when @bits
 * is not 0 (the value then has at least one octet).  The handler, the
 * core's re-check and its check of a malformed-signature claim all ask
 * this.
 */
static inline int pgp_mpi_canonical(const uint8_t *value, uint16_t bits)
{
	return !bits || (value[0] >> ((bits - 1u) % 8u)) == 1;
}

/* Build a request header without flags at nesting @depth. */
static inline void pgp_req_hdr_put(uint8_t out[PGP_REQ_HDR_LEN], uint32_t depth)
{
	pgp_req_hdr_put_flags(out, depth, 0);
}

#endif

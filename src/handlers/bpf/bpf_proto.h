/* SPDX-License-Identifier: MIT */
/*
 * Wire format between the trusted core (src/bpf/) and the sandboxed bpf
 * handler (src/handlers/bpf/), for signed BPF programs (DESIGN.md §8,
 * docs/bpf.md).  All integers are little-endian.  Every span is a u32
 * offset and a u32 length into the request's bytes.  Changes must be
 * additive.
 *
 * THE SIGNED OBJECT (the file `bpf sign` writes and `bpf verify` and
 * `bpf load` read)
 *   off  size  field
 *   0    8     magic BPF_SIGNED_MAGIC, "DGBPFSIG"
 *   8    4     version BPF_SIGNED_VERSION (1)
 *   12   4     flags, 0
 *   16   4     nr_maps: maps the loader creates (the loader's context
 *              holds one struct bpf_map_desc per map)
 *   20   4     nr_progs: programs it loads (one struct bpf_prog_desc each)
 *   24   4     insns_len: the loader program, in bytes, a multiple of 8,
 *              at most BPF_INSNS_MAX
 *   28   4     data_len: the metadata (the loader's map value), at most
 *              BPF_DATA_MAX
 *   32   4     sig_len: the signature, at most BPF_SIG_MAX
 *   36   4     reserved, 0
 *   (another version or flags: -EOPNOTSUPP; reserved not 0, nr_progs 0,
 *   insns_len or sig_len 0: -EBADMSG; over a cap: -E2BIG)
 *   40         insns_len bytes of instructions, data_len bytes of metadata,
 *              sig_len bytes of signature, back to back, and nothing after.
 *   The signature is PKCS#7/CMS SignedData, DER, detached, over the
 *   instructions only: the instructions begin with the hash check the core
 *   writes (docs/bpf.md), whose immediates are the SHA-256 of the metadata,
 *   so the one signature covers both (the upstream "trusted hash chain").
 *
 * REQUEST BPF_REQ_GEN (type 0x0500)
 *   the bytes of a BPF ELF object (clang -target bpf).  The handler opens
 *   it with libbpf and records its loading as a loader program
 *   (bpf_object__gen_loader(), the "light skeleton" form): no system call
 *   reaches the kernel.
 *
 * ANSWER (type 0x0500 | DG_MSG_ANSWER)
 *   off  size  field
 *   0    4     magic BPF_GEN_MAGIC ("BPFg" read as le32)
 *   4    2     version BPF_ANS_VERSION (1)
 *   6    2     flags, 0
 *   8    4     nr_maps
 *   12   4     nr_progs
 *   16   4     insns_len (a multiple of 8, at most BPF_INSNS_MAX)
 *   20   4     data_len (at most BPF_DATA_MAX)
 *   24   4     names_len: the names block's length
 *   28   4     reserved, 0
 *   32         insns_len bytes of loader instructions, data_len bytes of
 *              metadata, then names_len bytes: for each program then each
 *              map, its name and a NUL (what libbpf calls it, for the
 *              signer's summary only).
 *   On failure the error text carries libbpf's own messages.
 *
 * REQUEST BPF_REQ_SIGNED (type 0x0501)
 *   the bytes of a signed object (above).
 *
 * ANSWER (type 0x0501 | DG_MSG_ANSWER)
 *   off  size  field
 *   0    4     magic BPF_SIG_MAGIC ("BPFs")
 *   4    2     version BPF_ANS_VERSION (1)
 *   6    2     flags: BPF_SIG_F_* below
 *   8    4     nr_maps
 *   12   4     nr_progs
 *   16   8     insns span
 *   24   8     data span
 *   32   8     signature span: the whole CMS ContentInfo
 *   40   8     signer identifier span: with BPF_SIG_F_SID_KEYID the
 *              contents of the [0] IMPLICIT subjectKeyIdentifier (tag 0x80,
 *              not empty); without
 *              it the whole IssuerAndSerialNumber SEQUENCE (tag included)
 *   48   8     signature value span: the contents of SignerInfo.signature
 *              (for ECDSA the DER Ecdsa-Sig-Value, as OpenSSL verifies it)
 *   56   4     digest algorithm: BPF_MD_* (SignerInfo.digestAlgorithm)
 *   60   4     signature algorithm: BPF_PK_* (SignerInfo.signatureAlgorithm)
 *   64   8     signed attributes span (the [0] element, tag included), with
 *              BPF_SIG_F_SIGNED_ATTRS; 0, 0 without
 *
 *   The CMS is read as DER: definite lengths in their shortest form;
 *   ContentInfo(signedData) holding SignedData with version 1 or 3, an
 *   encapContentInfo of type id-data without eContent (detached),
 *   filling the signature span exactly,
 *   optional certificates [0] and crls [1] (skipped), and exactly one
 *   SignerInfo.  Anything else is -EBADMSG (malformed) or -EOPNOTSUPP
 *   (valid but another form), with the reason.
 */
#ifndef DG_BPF_PROTO_H
#define DG_BPF_PROTO_H

#define BPF_REQ_GEN		0x0500
#define BPF_REQ_SIGNED		0x0501

#define BPF_SIGNED_MAGIC	"DGBPFSIG"
#define BPF_SIGNED_VERSION	1u
#define BPF_SIGNED_HDR_LEN	40u

#define BPF_GEN_MAGIC		0x67465042u	/* "BPFg" */
#define BPF_SIG_MAGIC		0x73465042u	/* "BPFs" */
#define BPF_ANS_VERSION		1u
#define BPF_GEN_HDR_LEN		32u
#define BPF_SIG_ANS_LEN		72u

/* Caps on what a signed object or an ELF object may hold. */
#define BPF_OBJ_MAX		(64u << 20)	/* ELF object given to sign */
#define BPF_INSNS_MAX		(1000000u * 8u)	/* BPF_COMPLEXITY_LIMIT_INSNS */
#define BPF_DATA_MAX		(64u << 20)
#define BPF_SIG_MAX		(64u << 10)
#define BPF_NAMES_MAX		(1u << 20)
#define BPF_MAPS_MAX		64u		/* libbpf's gen loader: MAX_USED_MAPS */
#define BPF_PROGS_MAX		32u		/* MAX_USED_PROGS */

/* BPF_REQ_SIGNED answer flags */
#define BPF_SIG_F_SID_KEYID	(1u << 0)	/* signer named by subjectKeyIdentifier */
#define BPF_SIG_F_SIGNED_ATTRS	(1u << 1)	/* SignerInfo has signedAttrs */
#define BPF_SIG_F_CERTS		(1u << 2)	/* SignedData carries certificates */

/* Digest algorithms (OIDs 2.16.840.1.101.3.4.2.1/2/3). */
#define BPF_MD_SHA256		1u
#define BPF_MD_SHA384		2u
#define BPF_MD_SHA512		3u

/* Signature algorithms: rsaEncryption (1.2.840.113549.1.1.1) and
 * sha256/384/512WithRSAEncryption (…1.1.11/12/13) are BPF_PK_RSA;
 * ecdsa-with-SHA256/384/512 (1.2.840.10045.4.3.2/3/4) are BPF_PK_ECDSA. */
#define BPF_PK_RSA		1u
#define BPF_PK_ECDSA		2u

#endif

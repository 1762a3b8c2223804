/* SPDX-License-Identifier: MIT */
/*
 * The hash check the core puts in front of every signed loader, and the
 * re-check of a signed object's layout against what the handler reported.
 */
#ifndef DG_BPF_CHAIN_H
#define DG_BPF_CHAIN_H

#include <stddef.h>
#include <stdint.h>

/* Instructions of the hash check (docs/bpf.md, "The hash check"). */
#define BPF_CHECK_INSNS 34u
#define BPF_CHECK_LEN (BPF_CHECK_INSNS * 8u)

/* What the loader returns when the metadata map is not the signed one. */
#define BPF_CHECK_FAILED_ERRNO 129	/* EKEYREJECTED */

/*
 * Write the hash check for metadata of SHA-256 @meta_sha into @out, for a
 * loader whose context holds @nr_maps map and @nr_progs program
 * descriptors: the numbers are in its first instruction, so that the
 * signature covers the layout the core reads the loader's answers from.
 */
void bpf_chain_check_insns(const uint8_t meta_sha[32], uint32_t nr_maps, uint32_t nr_progs,
			   uint8_t out[BPF_CHECK_LEN]);

/* The signed object's fixed header, as bpf_proto.h lays it out. */
void bpf_chain_header(uint8_t out[40], uint32_t nr_maps, uint32_t nr_progs,
		      uint32_t insns_len, uint32_t data_len, uint32_t sig_len);

/* The parts of a signed object, as the core re-checked them. */
struct bpf_chain_parts {
	uint32_t nr_maps, nr_progs;
	const uint8_t *insns, *data, *sig;
	uint32_t insns_len, data_len, sig_len;
	const uint8_t *keyid;		/* NULL when named by issuer and serial */
	size_t keyid_len;
	const uint8_t *sigval;		/* SignerInfo.signature */
	size_t sigval_len;
	unsigned int md;		/* BPF_MD_* */
	unsigned int pk;		/* BPF_PK_* */
	uint8_t data_sha[32];
	uint8_t insns_sha[32];		/* the maps' excl_prog_hash */
};

/*
 * Re-check the BPF_REQ_SIGNED answer @ans for the file @file against the
 * file itself: every span inside it and where the layout puts it, the
 * header's own numbers, and that the loader begins with the hash check of
 * this very metadata.  0 and @out filled, or -EBADMSG with the reason in
 * @err.
 */
int bpf_chain_recheck(const uint8_t *file, size_t len, const uint8_t *ans, size_t ans_len,
		      struct bpf_chain_parts *out, char *err, size_t errlen);

#endif

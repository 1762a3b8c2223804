// SPDX-License-Identifier: MIT
/*
 * The trusted hash chain, core side.
 *
 * The hash check (34 instructions, before libbpf's loader):
 *
 *	r0 = nr_maps | nr_progs << 16	the context's layout, signed: the
 *					core reads the loader's fds by it
 *	r6 = r1				keep the context
 *	r1 = map[0] (BPF_PSEUDO_MAP_IDX: the struct bpf_map itself)
 *	r2 = *(u32 *)(r1 + 32)		map->excl: made with excl_prog_hash
 *	if r2 != 1 goto fail
 *	4 times, i = 0..3:
 *	r1 = map[0]
 *	r2 = *(u64 *)(r1 + 8 * i)	map->sha, set when the frozen map's
 *	r3 = H_meta word i (ld_imm64)	hash was asked for
 *	if r2 != r3 goto fail
 *	r1 = r6
 *	goto +2				into libbpf's loader
 *   fail:
 *	r0 = -EKEYREJECTED
 *	exit
 *
 * After its first instruction, that is the check libbpf emits with
 * gen_hash (kernel 6.18 and later), written here because the
 * distribution's libbpf (1.1) predates it.  The header's counts are not
 * signed; the first instruction is, and the re-check requires the two to
 * agree: an edited count would make the core read a program's fd where
 * the loader wrote a map's.
 */
#include "bpf_chain.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/bpf.h>

#include "../handlers/bpf/bpf_proto.h"
#include "cursor.h"
#include "sha256.h"

#define MAP_SHA_OFF 0	/* offsetof(struct bpf_map, sha) */
#define MAP_EXCL_OFF 32	/* offsetof(struct bpf_map, excl) */

static uint8_t *put_insn(uint8_t *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off,
			 int32_t imm)
{
	p[0] = code;
	p[1] = (uint8_t)((src << 4) | dst);
	put_le16(p + 2, (uint16_t)off);
	put_le32(p + 4, (uint32_t)imm);
	return p + 8;
}

static uint8_t *put_ld_imm64(uint8_t *p, uint8_t dst, uint8_t src, uint64_t v)
{
	p = put_insn(p, BPF_LD | BPF_IMM | BPF_DW, dst, src, 0, (int32_t)(uint32_t)v);
	return put_insn(p, 0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
}

void bpf_chain_check_insns(const uint8_t meta_sha[32], uint32_t nr_maps, uint32_t nr_progs,
			   uint8_t out[BPF_CHECK_LEN])
{
	uint8_t *p = out, *jumps[5];
	int nj = 0, i;

	/* both at most BPF_MAPS_MAX, BPF_PROGS_MAX: 16 bits each */
	p = put_insn(p, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0,
		     (int32_t)((nr_maps & 0xffff) | (nr_progs & 0x7fff) << 16));
	p = put_insn(p, BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0);
	p = put_ld_imm64(p, 1, BPF_PSEUDO_MAP_IDX, 0);
	p = put_insn(p, BPF_LDX | BPF_MEM | BPF_W, 2, 1, MAP_EXCL_OFF, 0);
	jumps[nj++] = p;
	p = put_insn(p, BPF_JMP | BPF_JNE | BPF_K, 2, 0, 0, 1);
	for (i = 0; i < 4; i++) {
		uint64_t w;

		/* The kernel compares the map's bytes as a host u64. */
		memcpy(&w, meta_sha + 8 * i, 8);
		p = put_ld_imm64(p, 1, BPF_PSEUDO_MAP_IDX, 0);
		p = put_insn(p, BPF_LDX | BPF_MEM | BPF_DW, 2, 1, (int16_t)(MAP_SHA_OFF + 8 * i), 0);
		p = put_ld_imm64(p, 3, 0, w);
		jumps[nj++] = p;
		p = put_insn(p, BPF_JMP | BPF_JNE | BPF_X, 2, 3, 0, 0);
	}
	p = put_insn(p, BPF_ALU64 | BPF_MOV | BPF_X, 1, 6, 0, 0);
	p = put_insn(p, BPF_JMP | BPF_JA, 0, 0, 2, 0);
	/* fail: each jump goes to the instruction after it plus its offset */
	for (i = 0; i < nj; i++)
		put_le16(jumps[i] + 2, (uint16_t)((p - jumps[i]) / 8 - 1));
	p = put_insn(p, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, -BPF_CHECK_FAILED_ERRNO);
	put_insn(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

void bpf_chain_header(uint8_t out[40], uint32_t nr_maps, uint32_t nr_progs,
		      uint32_t insns_len, uint32_t data_len, uint32_t sig_len)
{
	memcpy(out, BPF_SIGNED_MAGIC, 8);
	put_le32(out + 8, BPF_SIGNED_VERSION);
	put_le32(out + 12, 0);
	put_le32(out + 16, nr_maps);
	put_le32(out + 20, nr_progs);
	put_le32(out + 24, insns_len);
	put_le32(out + 28, data_len);
	put_le32(out + 32, sig_len);
	put_le32(out + 36, 0);
}

struct span {
	uint32_t off, len;
};

static struct span span_at(const uint8_t *p)
{
	return (struct span){ get_le32(p), get_le32(p + 4) };
}

/* @s lies inside [@lo, @hi) of a file of @len bytes. */
static int span_within(struct span s, size_t lo, size_t hi)
{
	return s.off >= lo && s.len <= hi - lo && s.off - lo <= hi - lo - s.len;
}

int bpf_chain_recheck(const uint8_t *file, size_t len, const uint8_t *ans, size_t ans_len,
		      struct bpf_chain_parts *out, char *err, size_t errlen)
{
	uint8_t hdr[40], check[BPF_CHECK_LEN];
	struct span ins, dat, sig, sid, val, attrs;
	uint32_t flags, md, pk;

	memset(out, 0, sizeof(*out));
	if (ans_len != BPF_SIG_ANS_LEN || get_le32(ans) != BPF_SIG_MAGIC ||
	    get_le16(ans + 4) != BPF_ANS_VERSION) {
		snprintf(err, errlen, "handler answer of %zu bytes is not a signed-object answer",
			 ans_len);
		return -EBADMSG;
	}
	flags = get_le16(ans + 6);
	ins = span_at(ans + 16);
	dat = span_at(ans + 24);
	sig = span_at(ans + 32);
	sid = span_at(ans + 40);
	val = span_at(ans + 48);
	md = get_le32(ans + 56);
	pk = get_le32(ans + 60);
	attrs = span_at(ans + 64);
	/* The layout is fixed: header, loader, metadata, signature, end. */
	if (len < BPF_SIGNED_HDR_LEN || ins.off != BPF_SIGNED_HDR_LEN ||
	    !span_within(ins, BPF_SIGNED_HDR_LEN, len) ||
	    dat.off != ins.off + ins.len || !span_within(dat, dat.off, len) ||
	    sig.off != dat.off + dat.len || !span_within(sig, sig.off, len) ||
	    (size_t)sig.off + sig.len != len) {
		snprintf(err, errlen, "handler reported parts that do not tile the file");
		return -EBADMSG;
	}
	if (ins.len == 0 || ins.len % 8 || ins.len > BPF_INSNS_MAX || dat.len > BPF_DATA_MAX ||
	    sig.len == 0 || sig.len > BPF_SIG_MAX) {
		snprintf(err, errlen, "handler reported parts over the limits");
		return -EBADMSG;
	}
	/* The kernel hashes an array map's values padded to 8 bytes: other
	 * lengths could never match the hash the loader checks. */
	if (dat.len % 8) {
		snprintf(err, errlen, "metadata of %u bytes: not a multiple of 8", dat.len);
		return -EBADMSG;
	}
	/* The header must say what the handler says. */
	bpf_chain_header(hdr, get_le32(ans + 8), get_le32(ans + 12), ins.len, dat.len, sig.len);
	if (memcmp(hdr, file, sizeof(hdr)) || get_le32(ans + 8) > BPF_MAPS_MAX ||
	    get_le32(ans + 12) == 0 || get_le32(ans + 12) > BPF_PROGS_MAX) {
		snprintf(err, errlen, "the header does not match the handler's answer");
		return -EBADMSG;
	}
	if (!span_within(sid, sig.off, len) || !span_within(val, sig.off, len) || val.len == 0 ||
	    ((flags & BPF_SIG_F_SIGNED_ATTRS) ? !span_within(attrs, sig.off, len)
					      : (attrs.off || attrs.len)) ||
	    ((flags & BPF_SIG_F_SID_KEYID) && (sid.len == 0 || sid.len > 64)) ||
	    md < BPF_MD_SHA256 || md > BPF_MD_SHA512 || (pk != BPF_PK_RSA && pk != BPF_PK_ECDSA)) {
		snprintf(err, errlen, "handler reported a signer outside the signature");
		return -EBADMSG;
	}
	if (flags & BPF_SIG_F_SIGNED_ATTRS) {
		snprintf(err, errlen, "the signature has signed attributes: the kernel's form "
			 "signs the loader itself (sign with digestguard bpf sign)");
		return -EOPNOTSUPP;
	}
	out->nr_maps = get_le32(ans + 8);
	out->nr_progs = get_le32(ans + 12);
	out->insns = file + ins.off;
	out->insns_len = ins.len;
	out->data = file + dat.off;
	out->data_len = dat.len;
	out->sig = file + sig.off;
	out->sig_len = sig.len;
	if (flags & BPF_SIG_F_SID_KEYID) {
		out->keyid = file + sid.off;
		out->keyid_len = sid.len;
	}
	out->sigval = file + val.off;
	out->sigval_len = val.len;
	out->md = md;
	out->pk = pk;
	/* The chain: the signed loader must hash-check exactly this metadata. */
	dg_sha256(out->data, out->data_len, out->data_sha);
	bpf_chain_check_insns(out->data_sha, out->nr_maps, out->nr_progs, check);
	if (ins.len <= BPF_CHECK_LEN || memcmp(out->insns + 8, check + 8, BPF_CHECK_LEN - 8)) {
		snprintf(err, errlen, "the loader does not begin with the hash check of this "
			 "metadata (SHA-256 of the %u bytes of metadata differs, or the loader "
			 "was not made by digestguard bpf sign)", dat.len);
		return -EKEYREJECTED;
	}
	if (memcmp(out->insns, check, 8)) {
		/* The header's numbers, or the instruction itself, changed. */
		uint32_t imm = get_le32(out->insns + 4), lm = imm & 0xffff, lp = imm >> 16;

		if (memcmp(out->insns, check, 4) || lm > BPF_MAPS_MAX || lp == 0 ||
		    lp > BPF_PROGS_MAX) {
			snprintf(err, errlen, "the loader does not begin with the hash check "
				 "(its first instruction is not the one digestguard bpf sign "
				 "writes)");
			return -EKEYREJECTED;
		}
		snprintf(err, errlen, "the header's %u maps and %u programs are not the numbers "
			 "the signed loader was made for (%u maps and %u programs)", out->nr_maps,
			 out->nr_progs, lm, lp);
		return -EKEYREJECTED;
	}
	dg_sha256(out->insns, out->insns_len, out->insns_sha);
	return 0;
}

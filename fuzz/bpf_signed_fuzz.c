// SPDX-License-Identifier: MIT
/*
 * Fuzz the bpf handler's parser of signed BPF objects (BPF_REQ_SIGNED):
 * the input is the request.  Whenever the parser accepts, its answer must
 * hold what bpf_proto.h promises (the claims the core re-checks): the
 * header's counts within their caps, the instructions, metadata and
 * signature back to back up to the end of the request, the signer
 * identifier, signature value and signed attributes inside the signature,
 * each where its flag says, known algorithm ids.  A broken promise aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "../src/handlers/bpf/bpf_parse.h"
#include "../src/handlers/bpf/bpf_proto.h"

#define KNOWN_FLAGS (BPF_SIG_F_SID_KEYID | BPF_SIG_F_SIGNED_ATTRS | BPF_SIG_F_CERTS)

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void fail(const char *what)
{
	fprintf(stderr, "bpf answer breaks its promise: %s\n", what);
	abort();
}

/* The span at @a lies inside [@lo, @hi) and is not empty. */
static void check_inside(const uint8_t *a, uint64_t lo, uint64_t hi, const char *what)
{
	uint64_t off = rd32(a), len = rd32(a + 4);

	if (!len || off < lo || off + len > hi)
		fail(what);
}

static void check_answer(const uint8_t *in, size_t len, const uint8_t *a, size_t al)
{
	uint32_t flags, sig_off, sig_end;

	if (al != BPF_SIG_ANS_LEN || rd32(a) != BPF_SIG_MAGIC || (rd32(a + 4) & 0xffff) != BPF_ANS_VERSION)
		fail("fixed part");
	flags = rd32(a + 4) >> 16;
	if (flags & ~KNOWN_FLAGS)
		fail("unknown flags");
	if (rd32(a + 8) > BPF_MAPS_MAX || !rd32(a + 12) || rd32(a + 12) > BPF_PROGS_MAX)
		fail("counts");
	if (rd32(a + 8) != rd32(in + 16) || rd32(a + 12) != rd32(in + 20))
		fail("counts differ from the header's");
	if (rd32(a + 16) != BPF_SIGNED_HDR_LEN || rd32(a + 20) != rd32(in + 24) ||
	    !rd32(a + 20) || rd32(a + 20) % 8 || rd32(a + 20) > BPF_INSNS_MAX)
		fail("instructions span");
	if (rd32(a + 24) != BPF_SIGNED_HDR_LEN + rd32(a + 20) || rd32(a + 28) != rd32(in + 28) ||
	    rd32(a + 28) > BPF_DATA_MAX)
		fail("metadata span");
	sig_off = rd32(a + 32);
	if (sig_off != rd32(a + 24) + rd32(a + 28) || !rd32(a + 36) || rd32(a + 36) > BPF_SIG_MAX ||
	    (uint64_t)sig_off + rd32(a + 36) != len)
		fail("signature span");
	sig_end = sig_off + rd32(a + 36);
	if (in[sig_off] != 0x30)
		fail("signature does not start with a SEQUENCE");
	check_inside(a + 40, sig_off, sig_end, "signer identifier span");
	if (flags & BPF_SIG_F_SID_KEYID) {
		if (in[rd32(a + 40) - 2] != 0x80)
			fail("subjectKeyIdentifier span not after a [0] primitive");
	} else if (in[rd32(a + 40)] != 0x30) {
		fail("issuerAndSerialNumber span does not start with a SEQUENCE");
	}
	check_inside(a + 48, sig_off, sig_end, "signature value span");
	if (rd32(a + 48) < rd32(a + 40) + rd32(a + 44))
		fail("signature value before the signer identifier");
	if (rd32(a + 56) < BPF_MD_SHA256 || rd32(a + 56) > BPF_MD_SHA512)
		fail("digest algorithm");
	if (rd32(a + 60) != BPF_PK_RSA && rd32(a + 60) != BPF_PK_ECDSA)
		fail("signature algorithm");
	if (flags & BPF_SIG_F_SIGNED_ATTRS) {
		check_inside(a + 64, sig_off, sig_end, "signed attributes span");
		if (in[rd32(a + 64)] != 0xa0 || rd32(a + 64) < rd32(a + 40) + rd32(a + 44) ||
		    rd32(a + 64) + rd32(a + 68) > rd32(a + 48))
			fail("signed attributes not a [0] between sid and signature");
	} else if (rd32(a + 64) || rd32(a + 68)) {
		fail("signed attributes span without its flag");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dg_buf ans = { 0 };
	char err[256];
	int r;

	err[0] = '\0';
	r = bpf_parse_signed(data, size, &ans, err, sizeof(err));
	if (r == 0)
		check_answer(data, size, ans.data, ans.len);
	else if (r > 0 || ans.len || !err[0])
		fail("a failed parse left bytes in the answer or gave no reason");
	dg_buf_free(&ans);
	return 0;
}

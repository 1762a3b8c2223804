// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the trusted core's re-check of the bpf handler's
 * answer for a signed object (src/bpf/bpf_chain.c).  A compromised handler
 * controls the answer and the object is the attacker's until the signature
 * is checked, so both must survive any bytes.
 *   data = u8 mode || rest
 *   mode even: answer = the first BPF_SIG_ANS_LEN bytes of rest, file = the others
 *   mode odd:  file = rest, answer = the honest parser's (bpf_parse.c); for
 *              mode > 1 its byte ((mode >> 1) - 1) % BPF_SIG_ANS_LEN xor-ed
 *              with the file's last byte: one lie on an answer that passes
 * An accepted answer must name parts inside the file and a loader that
 * begins with the hash check of the metadata.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpf_chain.h"
#include "bpf_parse.h"
#include "bpf_proto.h"
#include "buf.h"
#include "sha256.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int inside(const uint8_t *p, size_t n, const uint8_t *file, size_t len)
{
	return p >= file && n <= len && (size_t)(p - file) <= len - n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dg_buf honest = { 0 };
	struct bpf_chain_parts p;
	const uint8_t *file, *ans;
	uint8_t lie[BPF_SIG_ANS_LEN], check[BPF_CHECK_LEN], sha[32];
	size_t len, alen;
	char err[512];

	if (size < 1)
		return 0;
	if (!(data[0] & 1)) {
		if (size < 1 + BPF_SIG_ANS_LEN)
			return 0;
		ans = data + 1;
		alen = BPF_SIG_ANS_LEN;
		file = data + 1 + BPF_SIG_ANS_LEN;
		len = size - 1 - BPF_SIG_ANS_LEN;
	} else {
		file = data + 1;
		len = size - 1;
		if (bpf_parse_signed(file, len, &honest, err, sizeof(err)) < 0 ||
		    honest.len != BPF_SIG_ANS_LEN) {
			dg_buf_free(&honest);
			return 0;
		}
		memcpy(lie, honest.data, sizeof(lie));
		if (len && data[0] > 1)
			lie[((data[0] >> 1) - 1) % BPF_SIG_ANS_LEN] ^= file[len - 1];
		ans = lie;
		alen = sizeof(lie);
	}
	if (bpf_chain_recheck(file, len, ans, alen, &p, err, sizeof(err)) == 0) {
		if (!inside(p.insns, p.insns_len, file, len) || !inside(p.data, p.data_len, file, len) ||
		    !inside(p.sig, p.sig_len, file, len) ||
		    !inside(p.sigval, p.sigval_len, p.sig, p.sig_len) ||
		    (p.keyid && !inside(p.keyid, p.keyid_len, p.sig, p.sig_len)))
			abort();
		dg_sha256(p.data, p.data_len, sha);
		bpf_chain_check_insns(sha, p.nr_maps, p.nr_progs, check);
		if (memcmp(sha, p.data_sha, 32) || p.insns_len <= BPF_CHECK_LEN ||
		    memcmp(p.insns, check, BPF_CHECK_LEN))
			abort();
	}
	dg_buf_free(&honest);
	return 0;
}

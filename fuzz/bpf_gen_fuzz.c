// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: BPF_REQ_GEN of the bpf handler (src/handlers/bpf/
 * bpf_gen.c), libbpf opening an ELF object from memory and recording its
 * loading.  The ELF parser is libbpf's and libelf's; what is ours is the
 * glue: the caps, the answer, the error text.  An accepted object must give
 * an answer whose numbers add up to its length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpf_gen.h"
#include "bpf_proto.h"
#include "buf.h"
#include "cursor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dg_buf ans = { 0 };
	char err[1280];

	err[0] = '\0';
	if (bpf_gen_loader(data, size, &ans, err, sizeof(err)) == 0) {
		const uint8_t *a = ans.data;

		if (ans.len < BPF_GEN_HDR_LEN || get_le32(a) != BPF_GEN_MAGIC ||
		    (uint64_t)BPF_GEN_HDR_LEN + get_le32(a + 16) + get_le32(a + 20) +
		    get_le32(a + 24) != ans.len || get_le32(a + 16) % 8 || get_le32(a + 12) == 0)
			abort();
	} else if (!err[0] || ans.len) {
		abort();
	}
	dg_buf_free(&ans);
	return 0;
}

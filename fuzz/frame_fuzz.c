// SPDX-License-Identifier: MIT
/* libFuzzer target: the frame decoder on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dg_frame_hdr h;
	const uint8_t *pl;
	uint8_t re[DG_FRAME_HDR_LEN];

	if (dg_frame_parse(data, size, 1u << 20, &h, &pl) == 0) {
		/* A frame that parses must re-encode to the same header bytes
		 * and its payload must lie inside the input. */
		dg_frame_encode(re, &h);
		if (memcmp(re, data, DG_FRAME_HDR_LEN) != 0)
			__builtin_trap();
		if (pl < data || (size_t)(pl - data) + h.len != size)
			__builtin_trap();
	}
	if (size >= DG_FRAME_HDR_LEN && dg_frame_decode(data, 64, &h) == 0 && h.len > 64)
		__builtin_trap();
	return 0;
}

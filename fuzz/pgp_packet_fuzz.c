// SPDX-License-Identifier: MIT
/* libFuzzer target: the pgp handler's packet request on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "pgp_fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pgp_fuzz_one(PGP_REQ_PARSE, data, size, 0);
	return 0;
}

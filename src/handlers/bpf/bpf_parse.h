/* SPDX-License-Identifier: MIT */
/*
 * The bpf handler's parser of signed BPF objects (bpf_proto.h), built into
 * the handler and, for tests and fuzzing, into a normal library.
 */
#ifndef DG_BPF_PARSE_H
#define DG_BPF_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * Parse the signed object @in (@len bytes) and append the BPF_REQ_SIGNED
 * answer to @ans.  Returns 0, or a negative errno with the reason in @err:
 * -EBADMSG malformed, -EOPNOTSUPP another valid form, -E2BIG over a cap,
 * -ENODATA truncated.
 */
int bpf_parse_signed(const uint8_t *in, size_t len, struct dg_buf *ans,
		     char *err, size_t errlen);

#endif

// SPDX-License-Identifier: MIT
/*
 * The sandboxed bpf handler: BPF_REQ_GEN (an ELF object to a loader
 * program, with libbpf) and BPF_REQ_SIGNED (a signed object's layout and
 * its CMS signature), bpf_proto.h.
 */
#include <errno.h>
#include <stdint.h>

#include <digestguard/handler.h>

#include "bpf_gen.h"
#include "bpf_parse.h"
#include "bpf_proto.h"

static int bpf_handle(uint16_t type, const uint8_t *req, size_t len,
		      struct dg_buf *ans, void *ctx)
{
	char err[1280];
	int r;

	(void)ctx;
	if (type == BPF_REQ_GEN)
		r = bpf_gen_loader(req, len, ans, err, sizeof(err));
	else if (type == BPF_REQ_SIGNED)
		r = bpf_parse_signed(req, len, ans, err, sizeof(err));
	else {
		dg_handler_error("unknown request type 0x%x", type);
		return -EOPNOTSUPP;
	}
	if (r < 0)
		dg_handler_error("%s", err);
	return r;
}

int main(void)
{
	return dg_handler_main("bpf", bpf_handle, NULL);
}

// SPDX-License-Identifier: MIT
/* The sandboxed OpenPGP handler: see pgp_proto.h for its requests. */
#include <stdint.h>

#include <digestguard/handler.h>

#include "buf.h"
#include "pgp_parse.h"

static int pgp_handle(uint16_t type, const uint8_t *req, size_t len,
		      struct dg_buf *ans, void *ctx)
{
	struct pgp_err e = { { 0 } };
	int r;

	(void)ctx;
	r = pgp_handle_request(type, req, len, ans, &e);
	if (r < 0)
		dg_handler_error("%s", e.msg);
	return r;
}

int main(void)
{
	return dg_handler_main("pgp", pgp_handle, NULL);
}

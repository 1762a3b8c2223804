// SPDX-License-Identifier: MIT
/*
 * The pgp handler's requests answered inside a handler (the pgp handler
 * itself, and the rpm and deb handlers, which carry its parser): the
 * parser's message goes out with the ERROR frame.
 */
#include <digestguard/handler.h>

#include "pgp_parse.h"

int pgp_is_request(uint16_t type)
{
	return type == PGP_REQ_DEARMOR || type == PGP_REQ_PARSE || type == PGP_REQ_CLEARTEXT;
}

int pgp_handle(uint16_t type, const uint8_t *req, size_t len, struct dg_buf *ans, void *ctx)
{
	struct pgp_err e = { { 0 } };
	int r;

	(void)ctx;
	r = pgp_handle_request(type, req, len, ans, &e);
	if (r < 0)
		dg_handler_error("%s", e.msg);
	return r;
}

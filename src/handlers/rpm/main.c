// SPDX-License-Identifier: MIT
/*
 * The sandboxed rpm handler: RPM_REQ_PARSE -> spans (rpm_proto.h), and the
 * pgp handler's requests (pgp_proto.h) with the pgp handler's own parser.
 */
#include <errno.h>
#include <stdint.h>

#include <digestguard/handler.h>

#include "pgp_parse.h"
#include "rpm_parse.h"
#include "rpm_proto.h"

static int rpm_handle(uint16_t type, const uint8_t *req, size_t len,
		      struct dg_buf *ans, void *ctx)
{
	char err[256];
	int r;

	if (pgp_is_request(type))
		return pgp_handle(type, req, len, ans, ctx);
	if (type != RPM_REQ_PARSE) {
		dg_handler_error("unknown request type 0x%x", type);
		return -EOPNOTSUPP;
	}
	r = rpm_parse_request(req, len, ans, err, sizeof(err));
	if (r < 0)
		dg_handler_error("%s", err);
	return r;
}

int main(void)
{
	return dg_handler_main("rpm", rpm_handle, NULL);
}

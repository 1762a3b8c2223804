// SPDX-License-Identifier: MIT
/*
 * The sandboxed deb handler: DEB_REQ_RELEASE, DEB_REQ_PACKAGES and
 * DEB_REQ_ARCHIVE (deb_proto.h), and the pgp handler's requests
 * (pgp_proto.h) with the pgp handler's own parser, so that `deb verify`
 * runs one handler process for the keyring, the InRelease and the
 * Packages lists.
 */
#include <errno.h>
#include <stdint.h>

#include <digestguard/handler.h>

#include "deb_parse.h"
#include "deb_proto.h"
#include "pgp_parse.h"

static int deb_handle(uint16_t type, const uint8_t *req, size_t len,
		      struct dg_buf *ans, void *ctx)
{
	char err[256];
	int r;

	if (pgp_is_request(type))
		return pgp_handle(type, req, len, ans, ctx);
	if (type != DEB_REQ_RELEASE && type != DEB_REQ_PACKAGES && type != DEB_REQ_ARCHIVE) {
		dg_handler_error("unknown request type 0x%x", type);
		return -EOPNOTSUPP;
	}
	r = deb_parse_request(type, req, len, ans, err, sizeof(err));
	if (r < 0)
		dg_handler_error("%s", err);
	return r;
}

int main(void)
{
	return dg_handler_main("deb", deb_handle, NULL);
}

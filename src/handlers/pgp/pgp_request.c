// SPDX-License-Identifier: MIT
/* Request header check and dispatch (pgp_proto.h). */
#include <errno.h>

#include "cursor.h"
#include "pgp_parse.h"

int pgp_handle_request(uint16_t type, const uint8_t *req, size_t len,
		       struct dg_buf *ans, struct pgp_err *e)
{
	struct dg_cur c = cur_init(req, len);
	uint32_t magic, depth, reserved;
	uint16_t version, flags;
	int r;

	if (cur_le32(&c, &magic) < 0 || cur_le16(&c, &version) < 0 ||
	    cur_le16(&c, &flags) < 0 || cur_le32(&c, &depth) < 0 ||
	    cur_le32(&c, &reserved) < 0)
		return pgp_fail(e, -EBADMSG, "request of %zu bytes is shorter than its %u-byte header",
				len, PGP_REQ_HDR_LEN);
	if (magic != PGP_REQ_MAGIC || version != PGP_PROTO_VERSION)
		return pgp_fail(e, -EBADMSG, "request header: bad magic 0x%08x or version %u",
				magic, version);
	if ((flags & ~PGP_REQ_F_KNOWN) || reserved)
		return pgp_fail(e, -EOPNOTSUPP, "request header: unknown flags 0x%x", flags);
	switch (type) {
	case PGP_REQ_DEARMOR:
		r = pgp_dearmor(c.p, c.len, flags, ans, e);
		break;
	case PGP_REQ_PARSE:
		r = pgp_parse_packets(c.p, c.len, depth, ans, e);
		break;
	case PGP_REQ_CLEARTEXT:
		r = pgp_cleartext(c.p, c.len, ans, e);
		break;
	default:
		return pgp_fail(e, -EOPNOTSUPP, "unknown request type 0x%x", type);
	}
	if (r < 0 && !e->msg[0])
		pgp_fail(e, r, "%s", r == -ENOMEM ? "out of memory" : "parse failed");
	return r;
}

// SPDX-License-Identifier: MIT
#include "frame.h"

#include <errno.h>

#include "cursor.h"

void dg_frame_encode(uint8_t out[DG_FRAME_HDR_LEN], const struct dg_frame_hdr *h)
{
	put_le32(out, h->magic);
	put_le16(out + 4, h->version);
	put_le16(out + 6, h->type);
	put_le32(out + 8, h->id);
	put_le32(out + 12, h->len);
}

int dg_frame_decode(const uint8_t in[DG_FRAME_HDR_LEN], uint32_t max,
		    struct dg_frame_hdr *h)
{
	struct dg_cur c = cur_init(in, DG_FRAME_HDR_LEN);
	struct dg_frame_hdr t;

	cur_le32(&c, &t.magic);
	cur_le16(&c, &t.version);
	cur_le16(&c, &t.type);
	cur_le32(&c, &t.id);
	cur_le32(&c, &t.len);
	if (t.magic != DG_FRAME_MAGIC || t.version != DG_FRAME_VERSION)
		return -EBADMSG;
	if (t.len > max)
		return -E2BIG;
	*h = t;
	return 0;
}

int dg_frame_parse(const uint8_t *buf, size_t len, uint32_t max,
		   struct dg_frame_hdr *h, const uint8_t **payload)
{
	struct dg_cur c = cur_init(buf, len), hdr, body;
	int r;

	if (cur_take(&c, DG_FRAME_HDR_LEN, &hdr) < 0)
		return -ENODATA;
	r = dg_frame_decode(hdr.p, max, h);
	if (r < 0)
		return r;
	if (cur_take(&c, h->len, &body) < 0)
		return -ENODATA;
	if (c.len != 0)
		return -EBADMSG;	/* trailing bytes */
	*payload = body.p;
	return 0;
}

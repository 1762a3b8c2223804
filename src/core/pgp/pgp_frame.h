// SPDX-License-Identifier: MIT
/*
 * The framing of one OpenPGP packet (RFC 9580 §4.2), decoded by the core
 * itself: the pgp re-check compares it with the handler's claims, the rpm
 * core walks a signature tag's packets with it.  Header only, bounded by
 * the cursor.
 */
#ifndef DG_CORE_PGP_FRAME_H
#define DG_CORE_PGP_FRAME_H

#include <errno.h>
#include <stdint.h>

#include "cursor.h"

enum pgp_frame_len {
	PGP_FRAME_FIXED,		/* len is the body's */
	PGP_FRAME_PARTIAL,		/* len is the first chunk's (new format) */
	PGP_FRAME_INDETERMINATE,	/* old format 3: to the end of the input */
};

struct pgp_frame {
	int tag;
	int fmt;			/* 1: OpenPGP (new) format, 0: legacy */
	enum pgp_frame_len kind;
	uint64_t len;
};

/*
 * Decode the packet header at @c and move past it.  0; -EPROTO if the
 * header octet lacks bit 7; -ENODATA if the header runs out of @c.
 */
static inline int pgp_frame_decode(struct dg_cur *c, struct pgp_frame *f)
{
	uint8_t b = 0, l1 = 0, l2 = 0;
	uint16_t v16 = 0;
	uint32_t v32 = 0;

	if (cur_u8(c, &b) < 0)
		return -ENODATA;
	if (!(b & 0x80))
		return -EPROTO;
	f->fmt = !!(b & 0x40);
	f->kind = PGP_FRAME_FIXED;
	if (f->fmt) {
		f->tag = b & 0x3f;
		if (cur_u8(c, &l1) < 0)
			return -ENODATA;
		if (l1 < 192) {
			f->len = l1;
		} else if (l1 < 224) {
			if (cur_u8(c, &l2) < 0)
				return -ENODATA;
			f->len = ((uint64_t)(l1 - 192) << 8) + l2 + 192;
		} else if (l1 == 255) {
			if (cur_be32(c, &v32) < 0)
				return -ENODATA;
			f->len = v32;
		} else {
			f->kind = PGP_FRAME_PARTIAL;
			f->len = 1u << (l1 & 0x1f);
		}
		return 0;
	}
	f->tag = (b >> 2) & 0xf;
	switch (b & 3) {
	case 0:
		if (cur_u8(c, &l1) < 0)
			return -ENODATA;
		f->len = l1;
		break;
	case 1:
		if (cur_be16(c, &v16) < 0)
			return -ENODATA;
		f->len = v16;
		break;
	case 2:
		if (cur_be32(c, &v32) < 0)
			return -ENODATA;
		f->len = v32;
		break;
	default:
		f->kind = PGP_FRAME_INDETERMINATE;
		f->len = 0;
		break;
	}
	return 0;
}

#endif

/* SPDX-License-Identifier: MIT */
/*
 * UMD frame codec (docs/protocol.md).  A frame is a 16-byte little-endian
 * header {u32 magic, u16 version, u16 type, u32 id, u32 len} followed by
 * exactly len payload bytes.  Decoding checks the header alone, before the
 * payload is allocated or read, so an announced length over the negotiated
 * maximum is refused without allocating it.
 */
#ifndef DG_FRAME_H
#define DG_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define DG_FRAME_MAGIC 0x4d554744u	/* "DGUM" as bytes on the wire */
#define DG_FRAME_VERSION 1
#define DG_FRAME_HDR_LEN 16
#define DG_FRAME_MAX_DEFAULT (64u << 20)
/* Hard ceiling for any negotiated maximum (len is a u32 on the wire). */
#define DG_FRAME_MAX_LIMIT (1u << 30)

/* Message types shared by all handlers; handler types start at 0x100. */
enum dg_frame_type {
	DG_MSG_HELLO = 0x0001,	/* req: u32 max_frame; ans: u32 max, name */
	DG_MSG_BULK = 0x0002,	/* req: u16 type, u16 0, u32 len; data in the bulk memfd */
	DG_MSG_ERROR = 0x7fff,	/* ans only: i32 -errno, utf-8 message */
	DG_MSG_USER = 0x0100,	/* first handler-specific type */
	DG_MSG_ANSWER = 0x8000,	/* bit set in every answer's type */
};

struct dg_frame_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t id;
	uint32_t len;
};

void dg_frame_encode(uint8_t out[DG_FRAME_HDR_LEN], const struct dg_frame_hdr *h);

/*
 * Decode and validate a header: magic, version, len <= max.
 * Returns 0, -EBADMSG (bad magic/version) or -E2BIG (len over max).
 */
int dg_frame_decode(const uint8_t in[DG_FRAME_HDR_LEN], uint32_t max,
		    struct dg_frame_hdr *h);

/*
 * Parse a whole buffer holding exactly one frame (header + payload, no
 * trailing bytes); used by the fuzzer and by tests.  On success *payload
 * points into @buf.
 */
int dg_frame_parse(const uint8_t *buf, size_t len, uint32_t max,
		   struct dg_frame_hdr *h, const uint8_t **payload);

#endif

/* SPDX-License-Identifier: MIT */
/* Growable byte buffer for building answers and outputs (trusted bytes). */
#ifndef DG_BUF_H
#define DG_BUF_H

#include <stddef.h>
#include <stdint.h>

struct dg_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t max;	/* 0: no limit; otherwise appends beyond fail -E2BIG */
};

/* Make room for @extra more bytes; 0 or -ENOMEM / -E2BIG. */
int dg_buf_reserve(struct dg_buf *b, size_t extra);
int dg_buf_put(struct dg_buf *b, const void *p, size_t n);
int dg_buf_put_u8(struct dg_buf *b, uint8_t v);
int dg_buf_put_le16(struct dg_buf *b, uint16_t v);
int dg_buf_put_le32(struct dg_buf *b, uint32_t v);
int dg_buf_put_le64(struct dg_buf *b, uint64_t v);
/* Length-prefixed (le32) byte string. */
int dg_buf_put_str(struct dg_buf *b, const void *p, size_t n);
void dg_buf_reset(struct dg_buf *b);
void dg_buf_free(struct dg_buf *b);

#endif

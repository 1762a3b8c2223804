// SPDX-License-Identifier: MIT
#include "buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"

int dg_buf_reserve(struct dg_buf *b, size_t extra)
{
	size_t need, ncap;
	uint8_t *n;

	if (extra > SIZE_MAX - b->len)
		return -E2BIG;
	need = b->len + extra;
	if (b->max && need > b->max)
		return -E2BIG;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if (b->max && ncap > b->max)
		ncap = b->max;
	n = realloc(b->data, ncap);
	if (!n)
		return -ENOMEM;
	b->data = n;
	b->cap = ncap;
	return 0;
}

int dg_buf_put(struct dg_buf *b, const void *p, size_t n)
{
	int r = dg_buf_reserve(b, n);

	if (r < 0)
		return r;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int dg_buf_put_u8(struct dg_buf *b, uint8_t v)
{
	return dg_buf_put(b, &v, 1);
}

int dg_buf_put_le16(struct dg_buf *b, uint16_t v)
{
	uint8_t t[2];

	put_le16(t, v);
	return dg_buf_put(b, t, sizeof(t));
}

int dg_buf_put_le32(struct dg_buf *b, uint32_t v)
{
	uint8_t t[4];

	put_le32(t, v);
	return dg_buf_put(b, t, sizeof(t));
}

int dg_buf_put_le64(struct dg_buf *b, uint64_t v)
{
	uint8_t t[8];

	put_le64(t, v);
	return dg_buf_put(b, t, sizeof(t));
}

int dg_buf_put_str(struct dg_buf *b, const void *p, size_t n)
{
	int r;

	if (n > UINT32_MAX)
		return -E2BIG;
	r = dg_buf_put_le32(b, (uint32_t)n);
	return r < 0 ? r : dg_buf_put(b, p, n);
}

void dg_buf_reset(struct dg_buf *b)
{
	b->len = 0;
}

void dg_buf_free(struct dg_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

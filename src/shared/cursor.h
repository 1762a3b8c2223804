/* SPDX-License-Identifier: MIT */
/*
 * Bounded reader over untrusted bytes.  Every read from input that an
 * attacker may have written goes through these helpers: they compare the
 * requested size against what remains (never pointer arithmetic against an
 * end pointer), and fail with -ENODATA without moving when it is short.
 */
#ifndef DG_CURSOR_H
#define DG_CURSOR_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct dg_cur {
	const uint8_t *p;
	size_t len;
};

static inline struct dg_cur cur_init(const void *p, size_t len)
{
	struct dg_cur c = { .p = p, .len = len };
	return c;
}

/* Offset of the cursor's position inside @base (which it must point into). */
static inline size_t cur_off(const struct dg_cur *c, const void *base)
{
	return (size_t)(c->p - (const uint8_t *)base);
}

static inline int cur_skip(struct dg_cur *c, size_t n)
{
	if (n > c->len)
		return -ENODATA;
	c->p += n;
	c->len -= n;
	return 0;
}

/* Split off the next @n bytes into @sub. */
static inline int cur_take(struct dg_cur *c, size_t n, struct dg_cur *sub)
{
	if (n > c->len)
		return -ENODATA;
	sub->p = c->p;
	sub->len = n;
	c->p += n;
	c->len -= n;
	return 0;
}

static inline int cur_bytes(struct dg_cur *c, void *out, size_t n)
{
	if (n > c->len)
		return -ENODATA;
	if (n)
		memcpy(out, c->p, n);
	c->p += n;
	c->len -= n;
	return 0;
}

static inline int cur_u8(struct dg_cur *c, uint8_t *v)
{
	if (c->len < 1)
		return -ENODATA;
	*v = c->p[0];
	c->p++;
	c->len--;
	return 0;
}

static inline int cur_be16(struct dg_cur *c, uint16_t *v)
{
	if (c->len < 2)
		return -ENODATA;
	*v = (uint16_t)((unsigned)c->p[0] << 8 | c->p[1]);
	c->p += 2;
	c->len -= 2;
	return 0;
}

static inline int cur_be32(struct dg_cur *c, uint32_t *v)
{
	if (c->len < 4)
		return -ENODATA;
	*v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
	     (uint32_t)c->p[2] << 8 | c->p[3];
	c->p += 4;
	c->len -= 4;
	return 0;
}

static inline int cur_le16(struct dg_cur *c, uint16_t *v)
{
	if (c->len < 2)
		return -ENODATA;
	*v = (uint16_t)(c->p[0] | (unsigned)c->p[1] << 8);
	c->p += 2;
	c->len -= 2;
	return 0;
}

static inline int cur_le32(struct dg_cur *c, uint32_t *v)
{
	if (c->len < 4)
		return -ENODATA;
	*v = c->p[0] | (uint32_t)c->p[1] << 8 | (uint32_t)c->p[2] << 16 |
	     (uint32_t)c->p[3] << 24;
	c->p += 4;
	c->len -= 4;
	return 0;
}

static inline int cur_le64(struct dg_cur *c, uint64_t *v)
{
	uint32_t lo, hi;

	if (c->len < 8)
		return -ENODATA;
	cur_le32(c, &lo);
	cur_le32(c, &hi);
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

static inline int cur_be64(struct dg_cur *c, uint64_t *v)
{
	uint32_t hi, lo;

	if (c->len < 8)
		return -ENODATA;
	cur_be32(c, &hi);
	cur_be32(c, &lo);
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

/*
 * Big-endian load at a position the caller has already bounds-checked
 * (e.g. inside a span it verified); prefer cur_be32() everywhere else.
 */
static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Little-endian loads, under the same rule as get_be32(). */
static inline uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Little-endian stores for building frames and answers (trusted output). */
static inline void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

#endif

// SPDX-License-Identifier: MIT
/*
 * Packet framing (RFC 9580 §4.2): old and new format headers, partial body
 * lengths, and the packets that are not keys or signatures: literal data,
 * compressed data (ZIP, ZLIB, BZip2), user IDs, marker, padding, unknown.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bzlib.h>
#include <zlib.h>

#include "cursor.h"
#include "pgp_parse.h"

struct chunk {
	const uint8_t *lenhdr;
	size_t lenhdr_len;
	const uint8_t *data;
	size_t len;
};

struct packet {
	uint32_t index;
	uint8_t tag, format;
	uint16_t flags;
	const uint8_t *hdr;
	size_t hdr_len;
	const uint8_t *body;	/* framed body, incl. inner length octets */
	size_t body_len;
	struct chunk *chunks;	/* partial packets only */
	uint32_t nchunk;
	size_t content_len;	/* sum of chunk data */
};

/* Tags that may use partial body lengths (RFC 9580 §4.2.1.4). */
static int may_be_partial(uint8_t tag)
{
	return tag == 8 || tag == 9 || tag == 11 || tag == 18 || tag == 20;
}

static int known_tag(uint8_t tag)
{
	return (tag >= 1 && tag <= 14) || tag == 17 || tag == 18 || tag == 19 ||
	       tag == 20 || tag == 21;
}

/* New-format length octets; *partial set for a partial chunk. */
static int new_len(struct dg_cur *c, uint32_t *n, int *partial)
{
	uint8_t o1, o2;

	*partial = 0;
	if (cur_u8(c, &o1) < 0)
		return -ENODATA;
	if (o1 < 192) {
		*n = o1;
	} else if (o1 < 224) {
		if (cur_u8(c, &o2) < 0)
			return -ENODATA;
		*n = ((uint32_t)(o1 - 192) << 8) + o2 + 192;
	} else if (o1 < 255) {
		*n = 1u << (o1 & 0x1f);
		*partial = 1;
	} else if (cur_be32(c, n) < 0) {
		return -ENODATA;
	}
	return 0;
}

static int frame_packet(struct pgp_ans *a, struct dg_cur *c, struct packet *p)
{
	const uint8_t *start = c->p;
	uint8_t o, lt;
	uint32_t n = 0;
	int partial = 0;
	struct dg_cur body;

	if (cur_u8(c, &o) < 0)
		return -ENODATA;
	if (!(o & 0x80))
		return pgp_fail(a->e, -EBADMSG,
				"packet %u at offset %zu: header octet 0x%02x lacks bit 7",
				p->index, (size_t)(start - a->base), o);
	if (o & 0x40) {
		p->format = 1;
		p->tag = o & 0x3f;
		if (new_len(c, &n, &partial) < 0)
			goto short_;
	} else {
		p->format = 0;
		p->tag = (o >> 2) & 0x0f;
		lt = o & 3;
		if (lt == 0) {
			uint8_t v;

			if (cur_u8(c, &v) < 0)
				goto short_;
			n = v;
		} else if (lt == 1) {
			uint16_t v;

			if (cur_be16(c, &v) < 0)
				goto short_;
			n = v;
		} else if (lt == 2) {
			if (cur_be32(c, &n) < 0)
				goto short_;
		} else {
			/* Indeterminate: to the end of the input. */
			p->flags |= PGP_PKT_F_INDETERMINATE;
			n = (uint32_t)(c->len > UINT32_MAX ? UINT32_MAX : c->len);
		}
	}
	if (p->tag == 0)
		return pgp_fail(a->e, -EBADMSG, "packet %u: reserved packet tag 0", p->index);
	/* Like partial lengths, "to the end of the input" only makes sense
	 * for data packets (RFC 9580 §4.2.2.4 legacy length type 3). */
	if ((p->flags & PGP_PKT_F_INDETERMINATE) && !may_be_partial(p->tag))
		return pgp_fail(a->e, -EBADMSG,
				"packet %u: indeterminate length on packet type %u",
				p->index, p->tag);
	p->hdr = start;
	p->hdr_len = (size_t)(c->p - start);
	p->body = c->p;
	if (!partial) {
		if (n > PGP_PACKET_MAX)
			return pgp_fail(a->e, -E2BIG,
					"packet %u: body of %u bytes exceeds limit %u",
					p->index, n, PGP_PACKET_MAX);
		if (cur_take(c, n, &body) < 0)
			return pgp_fail(a->e, -ENODATA,
					"packet %u: body of %u bytes, only %zu left",
					p->index, n, c->len);
		p->body_len = n;
		p->content_len = n;
		return 0;
	}
	if (!may_be_partial(p->tag))
		return pgp_fail(a->e, -EBADMSG,
				"packet %u: partial body length on packet type %u",
				p->index, p->tag);
	if (n < PGP_PARTIAL_FIRST_MIN)
		return pgp_fail(a->e, -EBADMSG,
				"packet %u: first partial chunk of %u bytes, RFC 9580 section 4.2.1.4 "
				"wants at least %u", p->index, n, PGP_PARTIAL_FIRST_MIN);
	p->flags |= PGP_PKT_F_PARTIAL;
	/* The first length octet belongs to the header too. */
	{
		const uint8_t *lh = start + 1;
		size_t cap = 16, total = 0;

		p->chunks = malloc(cap * sizeof(*p->chunks));
		if (!p->chunks)
			return -ENOMEM;
		for (;;) {
			struct chunk *ch;

			if (p->nchunk >= PGP_CHUNKS_MAX)
				return pgp_fail(a->e, -E2BIG,
						"packet %u: partial chunk count exceeds limit %u",
						p->index, PGP_CHUNKS_MAX);
			if (n > PGP_PACKET_MAX - total)
				return pgp_fail(a->e, -E2BIG,
						"packet %u: body exceeds limit %u",
						p->index, PGP_PACKET_MAX);
			if (p->nchunk == cap) {
				struct chunk *nc = realloc(p->chunks, 2 * cap * sizeof(*nc));

				if (!nc)
					return -ENOMEM;
				p->chunks = nc;
				cap *= 2;
			}
			ch = &p->chunks[p->nchunk++];
			ch->lenhdr = lh;
			ch->lenhdr_len = (size_t)(c->p - lh);
			if (cur_take(c, n, &body) < 0)
				return pgp_fail(a->e, -ENODATA,
						"packet %u: partial chunk of %u bytes, only %zu left",
						p->index, n, c->len);
			ch->data = body.p;
			ch->len = n;
			total += n;
			if (!partial)
				break;
			lh = c->p;
			if (new_len(c, &n, &partial) < 0)
				return pgp_fail(a->e, -ENODATA,
						"packet %u: partial body ends without a final length",
						p->index);
		}
		p->body_len = (size_t)(c->p - p->body);
		p->content_len = total;
	}
	return 0;
short_:
	return pgp_fail(a->e, -ENODATA, "packet %u: header truncated", p->index);
}

static int packet_record(struct pgp_ans *a, const struct packet *p)
{
	size_t mark;
	uint32_t i;
	int r;

	r = pgp_ans_rec_begin(a, PGP_REC_PACKET, &mark);
	if (r < 0)
		return r;
	r = dg_buf_put_le32(a->b, p->index);
	if (!r)
		r = dg_buf_put_u8(a->b, p->tag);
	if (!r)
		r = dg_buf_put_u8(a->b, p->format);
	if (!r)
		r = dg_buf_put_le16(a->b, p->flags);
	if (r < 0)
		return pgp_ans_err(a, r);
	r = pgp_ans_span(a, p->hdr, p->hdr_len);
	if (!r)
		r = pgp_ans_span(a, p->body, p->body_len);
	if (!r)
		r = dg_buf_put_le32(a->b, p->nchunk);
	for (i = 0; !r && i < p->nchunk; i++) {
		r = pgp_ans_span(a, p->chunks[i].lenhdr, p->chunks[i].lenhdr_len);
		if (!r)
			r = pgp_ans_span(a, p->chunks[i].data, p->chunks[i].len);
	}
	if (r < 0)
		return pgp_ans_err(a, r);
	return pgp_ans_rec_end(a, mark);
}

/* Literal data (RFC 9580 §5.9). */
static int literal_record(struct pgp_ans *a, const struct packet *p)
{
	struct dg_cur c, name;
	uint8_t fmt, nlen;
	uint32_t date, i;
	size_t mark;
	int r;

	c = p->nchunk ? cur_init(p->chunks[0].data, p->chunks[0].len)
		      : cur_init(p->body, p->body_len);
	if (cur_u8(&c, &fmt) < 0 || cur_u8(&c, &nlen) < 0 ||
	    cur_take(&c, nlen, &name) < 0 || cur_be32(&c, &date) < 0)
		return pgp_fail(a->e, p->nchunk ? -EBADMSG : -ENODATA,
				"packet %u: literal data header %s", p->index,
				p->nchunk ? "does not fit in the first partial chunk" : "truncated");
	r = pgp_ans_rec_begin(a, PGP_REC_LITERAL, &mark);
	if (r < 0)
		return r;
	r = dg_buf_put_le32(a->b, p->index);
	if (!r)
		r = dg_buf_put(a->b, (uint8_t[]){ fmt, 0, 0, 0 }, 4);
	if (!r)
		r = dg_buf_put_le32(a->b, date);
	if (r < 0)
		return pgp_ans_err(a, r);
	r = pgp_ans_span(a, name.p, name.len);
	if (r < 0)
		return r;
	if (!p->nchunk) {
		r = dg_buf_put_le32(a->b, 1);
		if (r < 0)
			return pgp_ans_err(a, r);
		r = pgp_ans_span(a, c.p, c.len);
	} else {
		r = dg_buf_put_le32(a->b, p->nchunk);
		if (r < 0)
			return pgp_ans_err(a, r);
		r = pgp_ans_span(a, c.p, c.len);
		for (i = 1; !r && i < p->nchunk; i++)
			r = pgp_ans_span(a, p->chunks[i].data, p->chunks[i].len);
	}
	if (r < 0)
		return r;
	return pgp_ans_rec_end(a, mark);
}

static int inflate_into(struct pgp_ans *a, uint32_t index, const uint8_t *in,
			size_t len, int raw)
{
	z_stream z;
	int zr, ret = 0;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, raw ? -15 : 15) != Z_OK)
		return pgp_fail(a->e, -ENOMEM, "packet %u: inflateInit failed", index);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	do {
		size_t room = 64u << 10;
		size_t used = a->b->len;
		int r;

		r = dg_buf_reserve(a->b, room);
		if (r < 0) {
			ret = pgp_ans_err(a, r);
			goto out;
		}
		z.next_out = a->b->data + used;
		z.avail_out = (uInt)room;
		zr = inflate(&z, Z_NO_FLUSH);
		a->b->len = used + (room - z.avail_out);
		if (zr == Z_STREAM_END)
			break;
		if (zr != Z_OK) {
			ret = pgp_fail(a->e, zr == Z_BUF_ERROR ? -ENODATA : -EBADMSG,
				       "packet %u: %s data %s", index, raw ? "ZIP" : "ZLIB",
				       zr == Z_BUF_ERROR ? "truncated" : "corrupt");
			goto out;
		}
		if (z.total_out > PGP_DECOMPRESSED_MAX) {
			ret = pgp_fail(a->e, -E2BIG,
				       "packet %u: decompressed size exceeds limit %u",
				       index, PGP_DECOMPRESSED_MAX);
			goto out;
		}
	} while (1);
	if (z.total_out > PGP_DECOMPRESSED_MAX)
		ret = pgp_fail(a->e, -E2BIG, "packet %u: decompressed size exceeds limit %u",
			       index, PGP_DECOMPRESSED_MAX);
	else if (z.avail_in)
		ret = pgp_fail(a->e, -EBADMSG,
			       "packet %u: %u bytes after the end of the compressed stream",
			       index, z.avail_in);
out:
	inflateEnd(&z);
	return ret;
}

static int bunzip_into(struct pgp_ans *a, uint32_t index, const uint8_t *in, size_t len)
{
	bz_stream z;
	uint64_t total = 0;
	int zr, ret = 0;

	memset(&z, 0, sizeof(z));
	if (BZ2_bzDecompressInit(&z, 0, 0) != BZ_OK)
		return pgp_fail(a->e, -ENOMEM, "packet %u: BZ2 init failed", index);
	z.next_in = (char *)(uintptr_t)in;
	z.avail_in = (unsigned int)len;
	for (;;) {
		size_t room = 64u << 10, used = a->b->len;
		int r = dg_buf_reserve(a->b, room);

		if (r < 0) {
			ret = pgp_ans_err(a, r);
			goto out;
		}
		z.next_out = (char *)a->b->data + used;
		z.avail_out = (unsigned int)room;
		zr = BZ2_bzDecompress(&z);
		a->b->len = used + (room - z.avail_out);
		total += room - z.avail_out;
		if (total > PGP_DECOMPRESSED_MAX) {
			ret = pgp_fail(a->e, -E2BIG,
				       "packet %u: decompressed size exceeds limit %u",
				       index, PGP_DECOMPRESSED_MAX);
			goto out;
		}
		if (zr == BZ_STREAM_END)
			break;
		if (zr != BZ_OK) {
			ret = pgp_fail(a->e, -EBADMSG, "packet %u: BZip2 data corrupt", index);
			goto out;
		}
		if (!z.avail_in && z.avail_out) {
			ret = pgp_fail(a->e, -ENODATA, "packet %u: BZip2 data truncated", index);
			goto out;
		}
	}
	if (z.avail_in)
		ret = pgp_fail(a->e, -EBADMSG,
			       "packet %u: %u bytes after the end of the compressed stream",
			       index, z.avail_in);
out:
	BZ2_bzDecompressEnd(&z);
	return ret;
}

/* Compressed data (RFC 9580 §5.6): the decompressed bytes are handler
 * output; the core parses them again as a new input at depth + 1. */
static int compressed_record(struct pgp_ans *a, const struct packet *p, uint32_t depth)
{
	_Static_assert(PGP_DECOMPRESSED_MAX <= UINT32_MAX, "outlen is a u32");
	const uint8_t *data;
	uint8_t *joined = NULL;
	size_t len, mark, out0;
	uint8_t algo;
	uint32_t i;
	int r;

	if (depth + 1 >= PGP_NEST_MAX)
		return pgp_fail(a->e, -E2BIG,
				"packet %u: compressed data nesting exceeds limit %u",
				p->index, PGP_NEST_MAX);
	if (p->nchunk) {
		size_t o = 0;

		joined = malloc(p->content_len ? p->content_len : 1);
		if (!joined)
			return -ENOMEM;
		for (i = 0; i < p->nchunk; i++) {
			memcpy(joined + o, p->chunks[i].data, p->chunks[i].len);
			o += p->chunks[i].len;
		}
		data = joined;
		len = p->content_len;
	} else {
		data = p->body;
		len = p->body_len;
	}
	if (len < 1) {
		free(joined);
		return pgp_fail(a->e, -ENODATA, "packet %u: empty compressed packet", p->index);
	}
	algo = data[0];
	r = pgp_ans_rec_begin(a, PGP_REC_COMPRESSED, &mark);
	if (!r) {
		r = dg_buf_put_le32(a->b, p->index);
		if (!r)
			r = dg_buf_put(a->b, (uint8_t[]){ algo, 0, 0, 0 }, 4);
		if (!r)
			r = dg_buf_put_le32(a->b, 0);	/* outlen, patched */
		r = r < 0 ? pgp_ans_err(a, r) : 0;
	}
	out0 = a->b->len;
	if (!r) {
		switch (algo) {
		case 0:
			if (len - 1 > PGP_DECOMPRESSED_MAX)
				r = pgp_fail(a->e, -E2BIG,
					     "packet %u: decompressed size exceeds limit %u",
					     p->index, PGP_DECOMPRESSED_MAX);
			else if ((r = dg_buf_put(a->b, data + 1, len - 1)) < 0)
				r = pgp_ans_err(a, r);
			break;
		case 1:
		case 2:
			r = inflate_into(a, p->index, data + 1, len - 1, algo == 1);
			break;
		case 3:
			r = bunzip_into(a, p->index, data + 1, len - 1);
			break;
		default:
			r = pgp_fail(a->e, -EOPNOTSUPP,
				     "packet %u: compression algorithm %u unknown", p->index, algo);
		}
	}
	free(joined);
	if (r < 0)
		return r;
	pgp_ans_patch32(a, out0 - 4, (uint32_t)(a->b->len - out0));
	return pgp_ans_rec_end(a, mark);
}

static int userid_record(struct pgp_ans *a, const struct packet *p)
{
	size_t mark;
	int r = pgp_ans_rec_begin(a, PGP_REC_USERID, &mark);

	if (!r)
		r = dg_buf_put_le32(a->b, p->index) < 0 ? pgp_ans_err(a, -E2BIG) : 0;
	if (!r)
		r = pgp_ans_span(a, p->body, p->body_len);
	if (!r)
		r = pgp_ans_rec_end(a, mark);
	return r;
}

static int one_packet(struct pgp_ans *a, struct packet *p, uint32_t depth)
{
	int r;

	if (!known_tag(p->tag)) {
		p->flags |= PGP_PKT_F_UNKNOWN;
		if (p->tag < 40) {
			p->flags |= PGP_PKT_F_CRITICAL;
			a->flags |= PGP_ANS_F_UNKNOWN_CRITICAL_PACKET;
		} else {
			a->flags |= PGP_ANS_F_UNKNOWN_PACKET;
		}
	}
	switch (p->tag) {
	case 1: case 3: case 9: case 18: case 20:
		p->flags |= PGP_PKT_F_NOT_PARSED;
		a->flags |= PGP_ANS_F_ENCRYPTED;
		break;
	case 12: case 19:
		p->flags |= PGP_PKT_F_NOT_PARSED;
		break;
	case 10:
		if (p->body_len != 3 || memcmp(p->body, "PGP", 3))
			p->flags |= PGP_PKT_F_BAD_MARKER;
		break;
	default:
		break;
	}
	r = packet_record(a, p);
	if (r < 0)
		return r;
	switch (p->tag) {
	case 2:
		return pgp_sig_record(a, p->index, p->body, p->body_len);
	case 4:
		return pgp_ops_record(a, p->index, p->body, p->body_len);
	case 5: case 6: case 7: case 14:
		return pgp_key_record(a, p->index, p->tag, p->body, p->body_len);
	case 8:
		return compressed_record(a, p, depth);
	case 11:
		return literal_record(a, p);
	case 13:
		return userid_record(a, p);
	default:
		return 0;
	}
}

int pgp_parse_packets(const uint8_t *in, size_t len, uint32_t depth,
		      struct dg_buf *ans, struct pgp_err *e)
{
	struct dg_cur c = cur_init(in, len);
	struct pgp_ans a;
	uint32_t index = 0;
	int r;

	r = pgp_ans_begin(&a, ans, PGP_REQ_PARSE, in, len, e);
	if (r < 0)
		return r;
	if (depth >= PGP_NEST_MAX)
		return pgp_fail(e, -E2BIG, "nesting depth %u exceeds limit %u", depth,
				PGP_NEST_MAX);
	if (!len)
		return pgp_fail(e, -ENODATA, "no packets: input is empty");
	while (c.len) {
		struct packet p = { .index = index };

		if (index >= PGP_PACKETS_MAX)
			return pgp_fail(e, -E2BIG, "packet count exceeds limit %u",
					PGP_PACKETS_MAX);
		r = frame_packet(&a, &c, &p);
		if (!r)
			r = one_packet(&a, &p, depth);
		free(p.chunks);
		if (r < 0)
			return r;
		index++;
	}
	return pgp_ans_finish(&a);
}

// SPDX-License-Identifier: MIT
/* Building answers in the pgp_proto.h layout. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "pgp_parse.h"

int pgp_fail(struct pgp_err *e, int err, const char *fmt, ...)
{
	va_list ap;

	/* The first (innermost) message wins: it names the real reason. */
	if (e && !e->msg[0]) {
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return err;
}

int pgp_ans_err(struct pgp_ans *a, int r)
{
	if (r == -E2BIG)
		return pgp_fail(a->e, r, "answer exceeds the frame maximum of %zu bytes",
				a->b->max);
	if (r == -ENOMEM)
		return pgp_fail(a->e, r, "out of memory building the answer");
	return r;
}

int pgp_ans_begin(struct pgp_ans *a, struct dg_buf *b, uint16_t type,
		  const uint8_t *in, size_t len, struct pgp_err *e)
{
	int r;

	a->b = b;
	a->e = e;
	a->base = in;
	a->nrec = 0;
	a->flags = 0;
	if (len > UINT32_MAX)
		return pgp_fail(e, -E2BIG, "input of %zu bytes exceeds limit %u",
				len, UINT32_MAX);
	a->start = b->len;
	r = dg_buf_put_le32(b, PGP_ANS_MAGIC);
	if (!r)
		r = dg_buf_put_le16(b, PGP_PROTO_VERSION);
	if (!r)
		r = dg_buf_put_le16(b, type);
	if (!r)
		r = dg_buf_put_le32(b, 0);	/* flags, patched */
	if (!r)
		r = dg_buf_put_le32(b, 0);	/* nrec, patched */
	if (!r)
		r = dg_buf_put_le32(b, (uint32_t)len);
	if (!r)
		r = dg_buf_put_le32(b, 0);
	return r < 0 ? pgp_ans_err(a, r) : 0;
}

int pgp_ans_rec_begin(struct pgp_ans *a, uint16_t type, size_t *mark)
{
	int r;

	if (a->nrec >= PGP_ANS_RECORDS_MAX)
		return pgp_fail(a->e, -E2BIG, "answer record count exceeds limit %u",
				PGP_ANS_RECORDS_MAX);
	*mark = a->b->len;
	r = dg_buf_put_le16(a->b, type);
	if (!r)
		r = dg_buf_put_le16(a->b, 0);
	if (!r)
		r = dg_buf_put_le32(a->b, 0);	/* len, patched */
	return r < 0 ? pgp_ans_err(a, r) : 0;
}

int pgp_ans_rec_begin_fixed(struct pgp_ans *a, uint16_t type, size_t n, size_t *mark,
			    size_t *fixed)
{
	int r = pgp_ans_rec_begin(a, type, mark);

	if (r < 0)
		return r;
	*fixed = a->b->len;
	r = dg_buf_reserve(a->b, n);
	if (r < 0)
		return pgp_ans_err(a, r);
	memset(a->b->data + *fixed, 0, n);
	a->b->len += n;
	return 0;
}

int pgp_ans_rec_end(struct pgp_ans *a, size_t mark)
{
	size_t body = a->b->len - mark - PGP_REC_HDR_LEN;

	if (body > UINT32_MAX)
		return pgp_fail(a->e, -E2BIG, "answer record too large");
	put_le32(a->b->data + mark + 4, (uint32_t)body);
	a->nrec++;
	return 0;
}

int pgp_ans_finish(struct pgp_ans *a)
{
	put_le32(a->b->data + a->start + 8, a->flags);
	put_le32(a->b->data + a->start + 12, a->nrec);
	return 0;
}

int pgp_ans_span(struct pgp_ans *a, const uint8_t *p, size_t n)
{
	int r = dg_buf_put_le32(a->b, (uint32_t)(p - a->base));

	if (!r)
		r = dg_buf_put_le32(a->b, (uint32_t)n);
	return r < 0 ? pgp_ans_err(a, r) : 0;
}

int pgp_ans_nospan(struct pgp_ans *a)
{
	int r = dg_buf_put_le64(a->b, 0);

	return r < 0 ? pgp_ans_err(a, r) : 0;
}

void pgp_ans_patch32(struct pgp_ans *a, size_t pos, uint32_t v)
{
	put_le32(a->b->data + pos, v);
}

// SPDX-License-Identifier: MIT
/*
 * Cleartext signature framework (RFC 9580 §7): the BEGIN PGP SIGNED MESSAGE
 * line, "Hash:" headers, a blank line, dash-escaped text, then an armored
 * signature block.  Strict: text outside is reported, never signed text.
 */
#include <errno.h>
#include <string.h>

#include "cursor.h"
#include "pgp_line.h"
#include "pgp_parse.h"

#define CT_HASH_VALUES_MAX 16u

static const char ct_begin[] = "-----BEGIN PGP SIGNED MESSAGE-----";
static const char sig_begin[] = "-----BEGIN PGP SIGNATURE-----";
static const char sig_end[] = "-----END PGP SIGNATURE-----";

static int line_is(const struct pgp_line *l, const char *s)
{
	return l->len == strlen(s) && !memcmp(l->p, s, l->len);
}

static uint8_t hash_id(const uint8_t *p, size_t n)
{
	static const struct { const char *name; uint8_t id; } h[] = {
		{ "MD5", 1 }, { "SHA1", 2 }, { "RIPEMD160", 3 }, { "SHA256", 8 },
		{ "SHA384", 9 }, { "SHA512", 10 }, { "SHA224", 11 },
		{ "SHA3-256", 12 }, { "SHA3-512", 14 },
	};
	size_t i;

	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++)
		if (strlen(h[i].name) == n && !memcmp(h[i].name, p, n))
			return h[i].id;
	return 0;
}

static int put_outside(struct pgp_ans *a, struct dg_buf *out, const uint8_t *p, size_t n)
{
	int r;

	r = dg_buf_put_le32(out, (uint32_t)(p - a->base));
	if (!r)
		r = dg_buf_put_le32(out, (uint32_t)n);
	return r < 0 ? pgp_ans_err(a, r) : 0;
}

int pgp_cleartext(const uint8_t *in, size_t len, struct dg_buf *ans, struct pgp_err *e)
{
	struct dg_cur c = cur_init(in, len);
	struct dg_buf outside = { 0 };
	struct pgp_ans a;
	struct pgp_line l, begin = { 0 };
	const uint8_t *pre = NULL, *post = NULL, *sigstart = NULL;
	size_t mark, fixed, lineno = 0;
	uint32_t nhash = 0, nline = 0, nout = 0, flags = PGP_CT_F_NO_HASH_HEADER;
	int r;

	r = pgp_ans_begin(&a, ans, PGP_REQ_CLEARTEXT, in, len, e);
	if (r < 0)
		return r;
	/* Text before the BEGIN line. */
	for (;;) {
		const uint8_t *at = c.p;

		if (pgp_next_line(&c, &l)) {
			r = pgp_fail(e, -EBADMSG, "no BEGIN PGP SIGNED MESSAGE line");
			goto out;
		}
		lineno++;
		if (line_is(&l, ct_begin)) {
			begin = l;
			if (pre && (r = put_outside(&a, &outside, pre, (size_t)(at - pre))) < 0)
				goto out;
			if (pre)
				nout++;
			break;
		}
		if (l.len && !pre)
			pre = at;
	}
	r = pgp_ans_rec_begin(&a, PGP_REC_CLEARTEXT, &mark);
	if (r < 0)
		goto out;
	fixed = a.b->len;
	r = dg_buf_reserve(a.b, PGP_REC_CLEARTEXT_FIXED);
	if (r < 0) {
		r = pgp_ans_err(&a, r);
		goto out;
	}
	memset(a.b->data + fixed, 0, PGP_REC_CLEARTEXT_FIXED);
	a.b->len += PGP_REC_CLEARTEXT_FIXED;

	/* Armor headers: "Hash: A, B" (RFC 9580 §7.1), until a blank line. */
	for (;;) {
		const uint8_t *v, *end;

		if (pgp_next_line(&c, &l)) {
			r = pgp_fail(e, -ENODATA, "line %zu: input ends in the headers", lineno);
			goto out;
		}
		lineno++;
		if (l.raw > PGP_ARMOR_LINE_MAX) {
			r = pgp_fail(e, -E2BIG, "line %zu: header line of %zu bytes exceeds limit %u",
				     lineno, l.raw, PGP_ARMOR_LINE_MAX);
			goto out;
		}
		if (!l.len)
			break;
		if (l.len < 6 || memcmp(l.p, "Hash: ", 6)) {
			if (!memchr(l.p, ':', l.len)) {
				r = pgp_fail(e, -EBADMSG,
					     "line %zu: malformed header (no blank line after BEGIN?)",
					     lineno);
				goto out;
			}
			flags |= PGP_CT_F_OTHER_HEADER;
			continue;
		}
		flags &= ~PGP_CT_F_NO_HASH_HEADER;
		v = l.p + 6;
		end = l.p + l.len;
		while (v < end) {
			const uint8_t *comma = memchr(v, ',', (size_t)(end - v));
			const uint8_t *ve = comma ? comma : end, *vs = v;
			uint8_t id;

			while (vs < ve && (*vs == ' ' || *vs == '\t'))
				vs++;
			while (ve > vs && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			if (vs == ve) {
				r = pgp_fail(e, -EBADMSG, "line %zu: empty Hash: value", lineno);
				goto out;
			}
			if (nhash >= CT_HASH_VALUES_MAX) {
				r = pgp_fail(e, -E2BIG, "Hash: value count exceeds limit %u",
					     CT_HASH_VALUES_MAX);
				goto out;
			}
			id = hash_id(vs, (size_t)(ve - vs));
			if (!id)
				flags |= PGP_CT_F_UNKNOWN_HASH;
			r = dg_buf_put(a.b, (uint8_t[]){ id, 0, 0, 0 }, 4);
			if (r < 0) {
				r = pgp_ans_err(&a, r);
				goto out;
			}
			r = pgp_ans_span(&a, vs, (size_t)(ve - vs));
			if (r < 0)
				goto out;
			nhash++;
			v = comma ? comma + 1 : end;
		}
	}
	/* Signed text (RFC 9580 §7.2), until the signature's BEGIN line. */
	for (;;) {
		const uint8_t *at = c.p, *t;
		size_t tlen;

		if (pgp_next_line(&c, &l)) {
			r = pgp_fail(e, -ENODATA, "no BEGIN PGP SIGNATURE line");
			goto out;
		}
		lineno++;
		if (line_is(&l, sig_begin)) {
			sigstart = at;
			break;
		}
		if (l.raw > PGP_CLEARTEXT_LINE_MAX) {
			r = pgp_fail(e, -E2BIG, "line %zu: text line of %zu bytes exceeds limit %u",
				     lineno, l.raw, PGP_CLEARTEXT_LINE_MAX);
			goto out;
		}
		if (nline >= PGP_CLEARTEXT_LINES_MAX) {
			r = pgp_fail(e, -E2BIG, "text line count exceeds limit %u",
				     PGP_CLEARTEXT_LINES_MAX);
			goto out;
		}
		t = l.p;
		tlen = l.len;
		if (l.raw && l.p[0] == '-') {
			if (l.raw < 2 || l.p[1] != ' ') {
				r = pgp_fail(e, -EBADMSG,
					     "line %zu: starts with '-' but is not dash-escaped",
					     lineno);
				goto out;
			}
			t += 2;
			tlen = l.len >= 2 ? l.len - 2 : 0;
		}
		r = pgp_ans_span(&a, l.p, l.raw);
		if (!r)
			r = pgp_ans_span(&a, t, tlen);
		if (r < 0)
			goto out;
		nline++;
	}
	/* The armored signature, through its END line. */
	for (;;) {
		if (pgp_next_line(&c, &l)) {
			r = pgp_fail(e, -ENODATA, "no END PGP SIGNATURE line");
			goto out;
		}
		lineno++;
		if (line_is(&l, sig_end))
			break;
	}
	{
		const uint8_t *sigend = l.p + l.raw;

		while (c.len) {
			const uint8_t *at = c.p;

			pgp_next_line(&c, &l);
			if (l.len && !post)
				post = at;
		}
		if (post) {
			r = put_outside(&a, &outside, post, (size_t)(c.p - post));
			if (r < 0)
				goto out;
			nout++;
		}
		if (nout) {
			flags |= PGP_CT_F_TEXT_OUTSIDE;
			a.flags |= PGP_ANS_F_TEXT_OUTSIDE;
		}
		r = dg_buf_put(a.b, outside.data, outside.len);
		if (r < 0) {
			r = pgp_ans_err(&a, r);
			goto out;
		}
		uint8_t *f = a.b->data + fixed;

		put_le32(f + 0, flags);
		put_le32(f + 4, (uint32_t)(begin.p - in));
		put_le32(f + 8, (uint32_t)begin.len);
		put_le32(f + 12, (uint32_t)(sigstart - in));
		put_le32(f + 16, (uint32_t)(sigend - sigstart));
		put_le32(f + 20, nhash);
		put_le32(f + 24, nline);
		put_le32(f + 28, nout);
	}
	r = pgp_ans_rec_end(&a, mark);
	if (!r)
		r = pgp_ans_finish(&a);
out:
	dg_buf_free(&outside);
	return r;
}

// SPDX-License-Identifier: MIT
/*
 * ASCII armor (RFC 9580 §6): BEGIN line, armor headers, blank line, base64
 * body, optional "=XXXX" CRC24 line, END line with the same label.  Several
 * blocks may follow each other; text around them is reported, never decoded.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "pgp_line.h"
#include "pgp_parse.h"

#define CRC24_INIT 0xB704CEu
#define CRC24_POLY 0x1864CFBu

/* Table-driven CRC24 (RFC 9580 §6.1): the bitwise loop was most of the
 * dearmor time.  The table is built once; concurrent first calls write the
 * same values. */
static uint32_t crc24_table[256];
static int crc24_ready;

static void crc24_init(void)
{
	uint32_t i, c;
	int b;

	for (i = 0; i < 256; i++) {
		c = i << 16;
		for (b = 0; b < 8; b++) {
			c <<= 1;
			if (c & 0x1000000u)
				c ^= CRC24_POLY;
		}
		crc24_table[i] = c & 0xFFFFFFu;
	}
	crc24_ready = 1;
}

uint32_t pgp_crc24(const uint8_t *p, size_t n)
{
	uint32_t crc = CRC24_INIT;
	size_t i;

	if (!crc24_ready)
		crc24_init();
	for (i = 0; i < n; i++)
		crc = (crc << 8 ^ crc24_table[(crc >> 16 ^ p[i]) & 0xFF]) & 0xFFFFFFu;
	return crc;
}

static int has_prefix(const struct pgp_line *l, const char *s)
{
	size_t n = strlen(s);

	return l->len >= n && !memcmp(l->p, s, n);
}

/* "-----BEGIN PGP X-----" / "-----END PGP X-----": the label X or NULL. */
static const uint8_t *armor_label(const struct pgp_line *l, const char *what,
				  size_t *n)
{
	size_t pre = strlen(what);

	if (!has_prefix(l, what) || l->len < pre + 5 ||
	    memcmp(l->p + l->len - 5, "-----", 5))
		return NULL;
	*n = l->len - pre - 5;
	return l->p + pre;
}

static uint8_t armor_kind(const uint8_t *lab, size_t n)
{
	static const struct { const char *s; uint8_t kind; } kinds[] = {
		{ "MESSAGE", PGP_ARMOR_MESSAGE },
		{ "PUBLIC KEY BLOCK", PGP_ARMOR_PUBLIC_KEY },
		{ "PRIVATE KEY BLOCK", PGP_ARMOR_PRIVATE_KEY },
		{ "SIGNATURE", PGP_ARMOR_SIGNATURE },
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strlen(kinds[i].s) == n && !memcmp(kinds[i].s, lab, n))
			return kinds[i].kind;
	return PGP_ARMOR_UNKNOWN;
}

/* Base64 alphabet value + 1 (0: not in the alphabet). */
#define B64(ch, v) [ch] = (v) + 1
static const uint8_t b64_tab[256] = {
	B64('A', 0), B64('B', 1), B64('C', 2), B64('D', 3), B64('E', 4), B64('F', 5),
	B64('G', 6), B64('H', 7), B64('I', 8), B64('J', 9), B64('K', 10), B64('L', 11),
	B64('M', 12), B64('N', 13), B64('O', 14), B64('P', 15), B64('Q', 16), B64('R', 17),
	B64('S', 18), B64('T', 19), B64('U', 20), B64('V', 21), B64('W', 22), B64('X', 23),
	B64('Y', 24), B64('Z', 25), B64('a', 26), B64('b', 27), B64('c', 28), B64('d', 29),
	B64('e', 30), B64('f', 31), B64('g', 32), B64('h', 33), B64('i', 34), B64('j', 35),
	B64('k', 36), B64('l', 37), B64('m', 38), B64('n', 39), B64('o', 40), B64('p', 41),
	B64('q', 42), B64('r', 43), B64('s', 44), B64('t', 45), B64('u', 46), B64('v', 47),
	B64('w', 48), B64('x', 49), B64('y', 50), B64('z', 51), B64('0', 52), B64('1', 53),
	B64('2', 54), B64('3', 55), B64('4', 56), B64('5', 57), B64('6', 58), B64('7', 59),
	B64('8', 60), B64('9', 61), B64('+', 62), B64('/', 63),
};
#undef B64

static int b64_val(uint8_t ch)
{
	return (int)b64_tab[ch] - 1;
}

/* Strict streaming base64 decoder: padding only in the final quad. */
struct b64 {
	uint32_t acc;
	unsigned int n, pad;
	int done;
};

static int b64_feed(struct b64 *s, const uint8_t *p, size_t n, struct dg_buf *out)
{
	uint32_t acc = s->acc;
	unsigned int q = s->n, pad = s->pad;
	uint8_t *o;
	size_t i;
	int r;

	/* One reservation per line: a call completes at most n / 4 + 1 quads. */
	r = dg_buf_reserve(out, (n / 4 + 1) * 3);
	if (r < 0)
		return r;
	o = out->data + out->len;
	for (i = 0; i < n; i++) {
		uint8_t v = b64_tab[p[i]];

		if (s->done)
			return -EBADMSG;
		if (p[i] == '=') {
			if (q < 2)
				return -EBADMSG;
			pad++;
			acc <<= 6;
		} else {
			if (!v || pad)
				return -EBADMSG;
			acc = acc << 6 | (uint32_t)(v - 1);
		}
		if (++q < 4)
			continue;
		/* Non-canonical encodings (bits set under the padding) are
		 * rejected so that exactly one text decodes to given bytes. */
		if ((pad == 1 && (acc & 0xFF)) || (pad == 2 && (acc & 0xFFFF)))
			return -EBADMSG;
		*o++ = (uint8_t)(acc >> 16);
		if (pad < 2)
			*o++ = (uint8_t)(acc >> 8);
		if (pad < 1)
			*o++ = (uint8_t)acc;
		if (pad)
			s->done = 1;
		acc = 0;
		q = 0;
	}
	out->len = (size_t)(o - out->data);
	s->acc = acc;
	s->n = q;
	s->pad = pad;
	return 0;
}

/* Blanks that base64 decoding ignores (RFC 9580 §6: "MUST ignore all
 * whitespace"; gpg, Sequoia and openpgp.js take space, tab and CR). */
static int is_blank(uint8_t ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* @l without its leading blanks (trailing ones are already cut off). */
static struct pgp_line trim_lead(const struct pgp_line *l)
{
	struct pgp_line t = *l;

	while (t.len && is_blank(t.p[0])) {
		t.p++;
		t.len--;
		t.raw--;
	}
	return t;
}

/* Base64 characters, '=' and blanks, at least one of them not a blank. */
static int is_b64_line(const struct pgp_line *l)
{
	size_t i, n = 0;

	for (i = 0; i < l->len; i++) {
		if (is_blank(l->p[i]))
			continue;
		if (b64_val(l->p[i]) < 0 && l->p[i] != '=')
			return 0;
		n++;
	}
	return n > 0;
}

/*
 * Whether body line @t ends in a checksum glued to the last data, as in
 * "...AA===7Pxe": its last five characters are "=" and four base64 ones,
 * and what comes before them completes the base64 quads (with padding or
 * without).  A line of valid base64 never has a "=" before other
 * characters, so no data line is taken for one.  Sets @foot to "=XXXX".
 */
static int glued_footer(const struct b64 *st, const struct pgp_line *t, struct pgp_line *foot)
{
	size_t i, n = 0;

	if (t->len < 6 || t->p[t->len - 5] != '=')
		return 0;
	for (i = t->len - 4; i < t->len; i++)
		if (b64_val(t->p[i]) < 0)
			return 0;
	for (i = 0; i < t->len - 5; i++)
		if (!is_blank(t->p[i]))
			n++;
	if (!n || (st->n + n) % 4)
		return 0;
	foot->p = t->p + t->len - 5;
	foot->len = 5;
	foot->raw = 5;
	return 1;
}

/*
 * Decode the base64 of body line @t of block @index: each run of non-blank
 * characters is fed to @st and reported as a span of its own, so the core
 * decodes exactly those bytes and finds only blanks between them.  @t
 * starts with a non-blank and ends without blanks.
 */
static int b64_line(struct pgp_ans *a, struct b64 *st, const struct pgp_line *t,
		    struct dg_buf *out, uint32_t *nspan, uint32_t index)
{
	size_t i = 0, j;
	int r;

	while (i < t->len) {
		for (j = i; j < t->len && !is_blank(t->p[j]); j++)
			;
		r = b64_feed(st, t->p + i, j - i, out);
		if (r == -E2BIG)
			return pgp_fail(a->e, r, "armor block %u: decoded size exceeds limit %zu",
					index, out->max);
		if (r < 0)
			return pgp_fail(a->e, r == -ENOMEM ? r : -EBADMSG,
					"armor block %u: invalid base64 data", index);
		r = pgp_ans_span(a, t->p + i, j - i);
		if (r < 0)
			return r;
		(*nspan)++;
		for (i = j; i < t->len && is_blank(t->p[i]); i++)
			;
	}
	return 0;
}

/* Parse one block whose BEGIN line is @begin; @c is after it. */
static int armor_block(struct pgp_ans *a, struct dg_cur *c, const struct pgp_line *begin,
		       uint32_t index, unsigned int rflags)
{
	const int lenient = !!(rflags & PGP_REQ_F_LENIENT_CRC);
	struct dg_buf out = { .max = PGP_PACKET_MAX * 4u };
	struct pgp_line l, t, foot, crcl = { 0 }, endl = { 0 };
	const uint8_t *lab, *elab;
	size_t lablen, elablen, mark, fixed, dmark;
	uint32_t nhdr = 0, nline = 0, crc = 0;
	struct b64 st = { 0 };
	int r, in_headers = 1;
	uint8_t kind, flags = 0;

	lab = armor_label(begin, "-----BEGIN PGP ", &lablen);
	kind = armor_kind(lab, lablen);
	if (lablen == strlen("SIGNED MESSAGE") && !memcmp(lab, "SIGNED MESSAGE", lablen))
		return pgp_fail(a->e, -EOPNOTSUPP,
				"armor block %u is a cleartext signed message (use the cleartext request)",
				index);
	r = pgp_ans_rec_begin_fixed(a, PGP_REC_ARMOR, PGP_REC_ARMOR_FIXED, &mark, &fixed);
	if (r < 0)
		return r;

	for (;;) {
		if (pgp_next_line(c, &l)) {
			r = pgp_fail(a->e, -ENODATA, "armor block %u: no END line", index);
			goto out;
		}
		if (l.raw > PGP_ARMOR_LINE_MAX) {
			r = pgp_fail(a->e, -E2BIG, "armor block %u: line of %zu bytes exceeds limit %u",
				     index, l.raw, PGP_ARMOR_LINE_MAX);
			goto out;
		}
		if (in_headers) {
			const uint8_t *colon;
			size_t kl;

			if (!l.len) {
				in_headers = 0;
				continue;
			}
			colon = memchr(l.p, ':', l.len);
			/* "Key: Value"; the value may be empty ("Comment: ", its
			 * blank cut off with the trailing ones, RFC 9580 §6.2.2). */
			kl = colon ? (size_t)(colon - l.p) : 0;
			if (kl && (kl + 1 < l.len || l.raw > l.len) && colon[1] == ' ') {
				if (nhdr >= PGP_ARMOR_HEADERS_MAX) {
					r = pgp_fail(a->e, -E2BIG,
						     "armor block %u: header count exceeds limit %u",
						     index, PGP_ARMOR_HEADERS_MAX);
					goto out;
				}
				r = pgp_ans_span(a, l.p, kl);
				if (!r)
					r = pgp_ans_span(a, colon + 2,
							 l.len > kl + 2 ? l.len - kl - 2 : 0);
				if (r < 0)
					goto out;
				nhdr++;
				continue;
			}
			/* No blank line after BEGIN: accepted when no header
			 * was seen and the line is base64 (gpg does too). */
			if (nhdr || (!is_b64_line(&l) && !has_prefix(&l, "-----END PGP "))) {
				r = pgp_fail(a->e, -EBADMSG, "armor block %u: malformed armor header line",
					     index);
				goto out;
			}
			in_headers = 0;
		}
		/* Blank lines in the body carry no data; gpg skips them and
		 * real keys have them (gnupg tests/openpgp keys).  Blanks at
		 * the start of a body line are ignored too; the END line must
		 * start its line (RFC 9580 §6.2). */
		t = trim_lead(&l);
		if (!t.len)
			continue;
		if (has_prefix(&l, "-----END PGP ")) {
			endl = l;
			break;
		}
		foot = t;
		if (t.p[0] != '=' && glued_footer(&st, &t, &foot)) {
			/* The last data and "=XXXX" on one line, as GnuPG,
			 * Sequoia and openpgp.js read it: a misplaced footer
			 * (RFC 9580 §6.1 forbids rejecting for one). */
			t.len = (size_t)(foot.p - t.p);
			r = b64_line(a, &st, &t, &out, &nline, index);
			if (r < 0)
				goto out;
		}
		if (foot.p[0] == '=') {
			int i, v, ok = foot.len == 5;

			for (i = 1; ok && i < 5; i++) {
				v = b64_val(foot.p[i]);
				ok = v >= 0;
				crc = crc << 6 | (uint32_t)(ok ? v : 0);
			}
			if (ok) {
				crcl = foot;
			} else if (lenient) {
				/* RFC 9580 §6.1: a malformed CRC24 footer must not
				 * cause rejection; report it, give it no span. */
				flags |= PGP_ARMOR_F_CRC_BAD;
				crc = 0;
			} else {
				r = pgp_fail(a->e, -EBADMSG, "armor block %u: malformed checksum line",
					     index);
				goto out;
			}
			if (pgp_next_line(c, &l) || !has_prefix(&l, "-----END PGP ")) {
				r = pgp_fail(a->e, -EBADMSG,
					     "armor block %u: checksum line not followed by END line", index);
				goto out;
			}
			endl = l;
			break;
		}
		if (!is_b64_line(&t)) {
			r = pgp_fail(a->e, -EBADMSG, "armor block %u: invalid base64 line", index);
			goto out;
		}
		r = b64_line(a, &st, &t, &out, &nline, index);
		if (r < 0)
			goto out;
	}
	if (st.n) {
		r = pgp_fail(a->e, -EBADMSG, "armor block %u: base64 data ends mid-quad", index);
		goto out;
	}
	elab = armor_label(&endl, "-----END PGP ", &elablen);
	if (!elab || elablen != lablen || memcmp(elab, lab, lablen)) {
		r = pgp_fail(a->e, -EBADMSG, "armor block %u: END line does not match BEGIN line",
			     index);
		goto out;
	}
	if (crcl.p) {
		if (crc == pgp_crc24(out.data, out.len)) {
			flags |= PGP_ARMOR_F_CRC;
		} else if (lenient) {
			flags |= PGP_ARMOR_F_CRC_BAD;
		} else {
			r = pgp_fail(a->e, -EBADMSG,
				     "armor block %u: CRC24 mismatch (armor says %06x, data has %06x)",
				     index, crc, pgp_crc24(out.data, out.len));
			goto out;
		}
	}
	{
		uint8_t *f = a->b->data + fixed;

		put_le32(f + 0, index);
		f[4] = kind;
		f[5] = flags;
		put_le32(f + 8, crc);
		put_le32(f + 12, (uint32_t)(begin->p - a->base));
		put_le32(f + 16, (uint32_t)begin->len);
		put_le32(f + 20, (uint32_t)(endl.p - a->base));
		put_le32(f + 24, (uint32_t)endl.len);
		if (crcl.p) {
			put_le32(f + 28, (uint32_t)(crcl.p + 1 - a->base));
			put_le32(f + 32, 4);
		}
		put_le32(f + 36, (uint32_t)out.len);
		put_le32(f + 40, nhdr);
		put_le32(f + 44, nline);
	}
	r = pgp_ans_rec_end(a, mark);
	if (!r)
		r = pgp_ans_rec_begin(a, PGP_REC_ARMOR_DATA, &dmark);
	if (!r)
		r = dg_buf_put_le32(a->b, index);
	if (!r)
		r = dg_buf_put(a->b, out.data, out.len);
	if (r < 0) {
		r = pgp_ans_err(a, r);
		goto out;
	}
	r = pgp_ans_rec_end(a, dmark);
out:
	dg_buf_free(&out);
	return r;
}

int pgp_dearmor(const uint8_t *in, size_t len, unsigned int flags, struct dg_buf *ans,
		struct pgp_err *e)
{
	struct dg_cur c = cur_init(in, len);
	struct pgp_ans a;
	struct pgp_line l;
	uint32_t nblock = 0;
	size_t lablen;
	int r;

	r = pgp_ans_begin(&a, ans, PGP_REQ_DEARMOR, in, len, e);
	if (r < 0)
		return r;
	while (!pgp_next_line(&c, &l)) {
		if (armor_label(&l, "-----BEGIN PGP ", &lablen)) {
			if (nblock >= PGP_ARMOR_BLOCKS_MAX)
				return pgp_fail(e, -E2BIG, "armor block count exceeds limit %u",
						PGP_ARMOR_BLOCKS_MAX);
			if (l.raw > PGP_ARMOR_LINE_MAX)
				return pgp_fail(e, -E2BIG,
						"armor block %u: line of %zu bytes exceeds limit %u",
						nblock, l.raw, PGP_ARMOR_LINE_MAX);
			r = armor_block(&a, &c, &l, nblock, flags);
			if (r < 0)
				return r;
			nblock++;
		} else if (l.len) {
			a.flags |= PGP_ANS_F_TEXT_OUTSIDE;
		}
	}
	if (!nblock)
		return pgp_fail(e, -EBADMSG,
				"neither OpenPGP packets (no packet tag at its start) nor ASCII armor (no \"-----BEGIN PGP\" line)");
	return pgp_ans_finish(&a);
}

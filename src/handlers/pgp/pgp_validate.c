// SPDX-License-Identifier: MIT
/*
 * Structural self-check of an answer against its input, for unit tests and
 * fuzz targets (not linked into the handler's request path).  It asserts
 * the invariants pgp_proto.h promises the core: record sizes, every span
 * inside the input, packets tiling the input, chunks tiling a packet,
 * subpackets tiling their area, cleartext text inside its raw line.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "pgp_parse.h"

struct vspan {
	uint32_t off, len;
};

static struct vspan span_at(const uint8_t *p)
{
	struct vspan s = {
		p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24,
		p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24,
	};
	return s;
}

static uint32_t u32_at(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#define BAD(...) do { snprintf(e->msg, sizeof(e->msg), __VA_ARGS__); return -EBADMSG; } while (0)

static int in_input(struct vspan s, uint32_t input_len)
{
	return (uint64_t)s.off + s.len <= input_len;
}

/* Check a FIELD array of @n entries at @p: spans inside, tiling. */
static int check_fields(const uint8_t *p, uint32_t n, uint32_t input_len,
			uint64_t *end, struct pgp_err *e)
{
	uint32_t i;

	for (i = 0; i < n; i++, p += PGP_FIELD_LEN) {
		struct vspan w = span_at(p + 4), v = span_at(p + 12);

		if (!in_input(w, input_len) || v.off < w.off ||
		    (uint64_t)v.off + v.len != (uint64_t)w.off + w.len)
			BAD("field %u: value not at the end of its field", i);
		if (i && w.off != *end)
			BAD("field %u: fields do not tile", i);
		*end = (uint64_t)w.off + w.len;
	}
	return 0;
}

int pgp_answer_validate(const uint8_t *ans, size_t len, const uint8_t *in,
			size_t input_len, struct pgp_err *e)
{
	struct dg_cur c = cur_init(ans, len);
	uint32_t magic, flags, nrec, ilen, res, i;
	uint16_t version, type;
	uint64_t next_pkt = 0;

	if (cur_le32(&c, &magic) < 0 || cur_le16(&c, &version) < 0 ||
	    cur_le16(&c, &type) < 0 || cur_le32(&c, &flags) < 0 ||
	    cur_le32(&c, &nrec) < 0 || cur_le32(&c, &ilen) < 0 || cur_le32(&c, &res) < 0)
		BAD("answer header truncated");
	if (magic != PGP_ANS_MAGIC || version != PGP_PROTO_VERSION || ilen != input_len)
		BAD("answer header: magic/version/input_len wrong");
	for (i = 0; i < nrec; i++) {
		uint16_t rt, rr;
		uint32_t rl;
		struct dg_cur body;
		const uint8_t *b;

		if (cur_le16(&c, &rt) < 0 || cur_le16(&c, &rr) < 0 || cur_le32(&c, &rl) < 0 ||
		    cur_take(&c, rl, &body) < 0)
			BAD("record %u truncated", i);
		b = body.p;
		switch (rt) {
		case PGP_REC_ARMOR: {
			uint32_t nh, nl, k;
			uint64_t prev = 0;

			if (rl < PGP_REC_ARMOR_FIXED)
				BAD("armor record short");
			nh = u32_at(b + 40);
			nl = u32_at(b + 44);
			if (rl != PGP_REC_ARMOR_FIXED + 16ull * nh + 8ull * nl)
				BAD("armor record length");
			for (k = 0; k < 3; k++)
				if (!in_input(span_at(b + 12 + 8 * k), ilen))
					BAD("armor span outside");
			for (k = 0; k < 2 * nh + nl; k++) {
				struct vspan s = span_at(b + PGP_REC_ARMOR_FIXED + 8ull * k);

				if (!in_input(s, ilen))
					BAD("armor header/line span outside");
				if (k >= 2 * nh) {
					if (s.off < prev || !s.len)
						BAD("base64 lines overlap or are empty");
					prev = (uint64_t)s.off + s.len;
				}
			}
			break;
		}
		case PGP_REC_ARMOR_DATA:
			if (rl < 4)
				BAD("armor data short");
			break;
		case PGP_REC_PACKET: {
			struct vspan h, bd;
			uint32_t nch, k;
			uint64_t pos;

			if (rl < PGP_REC_PACKET_FIXED)
				BAD("packet record short");
			h = span_at(b + 8);
			bd = span_at(b + 16);
			nch = u32_at(b + 24);
			if (rl != PGP_REC_PACKET_FIXED + 16ull * nch)
				BAD("packet record length");
			if (!in_input(h, ilen) || !in_input(bd, ilen) || h.off != next_pkt ||
			    (uint64_t)h.off + h.len != bd.off || !h.len)
				BAD("packet %u does not tile the input", u32_at(b));
			if (in[h.off] < 0x80)
				BAD("packet %u header octet", u32_at(b));
			next_pkt = (uint64_t)bd.off + bd.len;
			pos = (uint64_t)h.off + 1;
			for (k = 0; k < nch; k++) {
				struct vspan lh = span_at(b + 28 + 16 * k), d = span_at(b + 36 + 16 * k);

				if (lh.off != pos || (uint64_t)lh.off + lh.len != d.off ||
				    !in_input(d, ilen))
					BAD("packet %u chunk %u does not tile", u32_at(b), k);
				pos = (uint64_t)d.off + d.len;
			}
			if (nch && pos != next_pkt)
				BAD("packet %u chunks do not end at body end", u32_at(b));
			break;
		}
		case PGP_REC_KEY: {
			struct vspan kb;
			uint32_t nf;
			uint64_t end = 0;

			if (rl < PGP_REC_KEY_FIXED)
				BAD("key record short");
			kb = span_at(b + 16);
			nf = u32_at(b + 24);
			if (rl != PGP_REC_KEY_FIXED + 20ull * nf || !in_input(kb, ilen))
				BAD("key record length/span");
			if (check_fields(b + PGP_REC_KEY_FIXED, nf, ilen, &end, e) < 0)
				return -EBADMSG;
			if (nf && (end > (uint64_t)kb.off + kb.len || end < kb.off))
				BAD("key fields outside key body");
			if (nf && !(b[6] & PGP_KEY_F_SECRET) &&
			    end != (uint64_t)kb.off + kb.len)
				BAD("public key fields do not end at key body end");
			break;
		}
		case PGP_REC_SIG: {
			struct vspan hs, us;
			uint32_t ns, nf, k;
			uint64_t pos = 0, end = 0, hend = 0, uend = 0;

			if (rl < PGP_REC_SIG_FIXED)
				BAD("sig record short");
			ns = u32_at(b + 64);
			nf = u32_at(b + 68);
			if (rl != PGP_REC_SIG_FIXED + 16ull * ns + 20ull * nf)
				BAD("sig record length");
			for (k = 0; k < 6; k++)
				if (!in_input(span_at(b + 16 + 8 * k), ilen))
					BAD("sig span %u outside", k);
			hs = span_at(b + 24);
			us = span_at(b + 32);
			for (k = 0; k < ns; k++) {
				const uint8_t *s = b + PGP_REC_SIG_FIXED + 16 * k;
				struct vspan sb = span_at(s + 8);
				int hashed = s[6] & PGP_SUB_F_HASHED;
				struct vspan area = hashed ? hs : us;

				if (k == 0 || (hashed != (int)(s[-16 + 6] & PGP_SUB_F_HASHED)))
					pos = area.off;
				if (u32_at(s) != pos || sb.off != pos + s[4] ||
				    (uint64_t)sb.off + sb.len > (uint64_t)area.off + area.len)
					BAD("subpacket %u does not tile its area", k);
				pos = (uint64_t)sb.off + sb.len;
				if (hashed)
					hend = pos;
				else
					uend = pos;
			}
			if ((hs.len && hend != (uint64_t)hs.off + hs.len) ||
			    (us.len && uend != (uint64_t)us.off + us.len))
				BAD("subpackets do not fill their areas");
			if (check_fields(b + PGP_REC_SIG_FIXED + 16ull * ns, nf, ilen, &end, e) < 0)
				return -EBADMSG;
			break;
		}
		case PGP_REC_OPS:
			if (rl != PGP_REC_OPS_FIXED || !in_input(span_at(b + 12), ilen) ||
			    !in_input(span_at(b + 20), ilen))
				BAD("ops record");
			break;
		case PGP_REC_LITERAL: {
			uint32_t nd = u32_at(b + 20), k;

			if (rl < PGP_REC_LITERAL_FIXED || rl != PGP_REC_LITERAL_FIXED + 8ull * nd ||
			    !in_input(span_at(b + 12), ilen))
				BAD("literal record");
			for (k = 0; k < nd; k++)
				if (!in_input(span_at(b + 24 + 8 * k), ilen))
					BAD("literal data span outside");
			break;
		}
		case PGP_REC_COMPRESSED:
			if (rl < PGP_REC_COMPRESSED_FIXED ||
			    rl != PGP_REC_COMPRESSED_FIXED + (uint64_t)u32_at(b + 8))
				BAD("compressed record length");
			break;
		case PGP_REC_USERID:
			if (rl != PGP_REC_USERID_FIXED || !in_input(span_at(b + 4), ilen))
				BAD("userid record");
			break;
		case PGP_REC_CLEARTEXT: {
			uint32_t nh, nl, no, k;
			const uint8_t *p;

			if (rl < PGP_REC_CLEARTEXT_FIXED)
				BAD("cleartext record short");
			nh = u32_at(b + 20);
			nl = u32_at(b + 24);
			no = u32_at(b + 28);
			if (rl != PGP_REC_CLEARTEXT_FIXED + 12ull * nh + 16ull * nl + 8ull * no)
				BAD("cleartext record length");
			if (!in_input(span_at(b + 4), ilen) || !in_input(span_at(b + 12), ilen))
				BAD("cleartext spans outside");
			p = b + PGP_REC_CLEARTEXT_FIXED;
			for (k = 0; k < nh; k++, p += 12)
				if (!in_input(span_at(p + 4), ilen))
					BAD("hash name outside");
			for (k = 0; k < nl; k++, p += 16) {
				struct vspan raw = span_at(p), t = span_at(p + 8);
				uint64_t q;

				if (!in_input(raw, ilen) || !in_input(t, ilen))
					BAD("text line outside");
				if (raw.len >= 2 && in[raw.off] == '-' && in[raw.off + 1] == ' ') {
					if (t.off != raw.off + 2)
						BAD("dash-escaped line %u text start", k);
				} else if (t.off != raw.off) {
					BAD("line %u text start", k);
				}
				if ((uint64_t)t.off + t.len > (uint64_t)raw.off + raw.len)
					BAD("line %u text past raw", k);
				for (q = (uint64_t)t.off + t.len; q < (uint64_t)raw.off + raw.len; q++)
					if (in[q] != ' ' && in[q] != '\t')
						BAD("line %u: non-whitespace cut", k);
			}
			for (k = 0; k < no; k++, p += 8)
				if (!in_input(span_at(p), ilen))
					BAD("outside span outside");
			break;
		}
		default:
			BAD("unknown record type %u", rt);
		}
	}
	if (c.len)
		BAD("%zu bytes after the last record", c.len);
	if (type == PGP_REQ_PARSE && next_pkt != ilen)
		BAD("packets do not cover the input");
	return 0;
}

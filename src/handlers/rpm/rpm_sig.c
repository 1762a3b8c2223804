// SPDX-License-Identifier: MIT
/*
 * Pre-parsing the header signatures (rpm_sig.h).  The result is a claim
 * like every other part of the answer: the core re-checks each pgp answer
 * against the signature bytes it reads itself (pgp core, pgp_recheck.c),
 * exactly as it does the pgp handler's.
 */
#include "rpm_sig.h"

#include <errno.h>
#include <string.h>

#include "buf.h"
#include "cursor.h"
#include "pgp_parse.h"

static int b64_value(uint8_t ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

int rpm_b64_decode(const uint8_t *s, size_t n, uint8_t *out, size_t *out_len)
{
	size_t i, k = 0;

	if (n == 0 || n % 4 || n / 4 * 3 > RPM_OPENPGP_SIG_MAX)
		return -EBADMSG;
	for (i = 0; i < n; i += 4) {
		uint32_t v = 0;
		int j, pad = 0, x;

		for (j = 0; j < 4; j++) {
			/* '=' only in the last two places of the last quad. */
			if (s[i + j] == '=' && i + 4 == n && j >= 2) {
				pad++;
				v <<= 6;
				continue;
			}
			x = b64_value(s[i + j]);
			if (x < 0 || pad)
				return -EBADMSG;
			v = v << 6 | (uint32_t)x;
		}
		out[k++] = (uint8_t)(v >> 16);
		if (pad < 2)
			out[k++] = (uint8_t)(v >> 8);
		if (pad < 1)
			out[k++] = (uint8_t)v;
	}
	*out_len = k;
	return 0;
}

int rpm_sig_preparse(uint32_t record, uint32_t item, const uint8_t *sig, size_t len,
		     struct dg_buf *out)
{
	struct pgp_err e = { { 0 } };
	size_t mark = out->len, alen;
	int r;

	/* Binary packets only (bit 7 of the first octet), as the core sends. */
	if (len == 0 || !(sig[0] & 0x80))
		return 0;
	/* Record head, then the pgp answer appended in place (no copy). */
	r = dg_buf_put_le32(out, record);
	if (r == 0)
		r = dg_buf_put_le32(out, item);
	if (r == 0)
		r = dg_buf_put_le32(out, 0);	/* ans_len, patched below */
	if (r < 0)
		return r;
	r = pgp_parse_packets(sig, len, 0, out, &e);
	alen = out->len - mark - 12;
	if (r < 0 || alen > RPM_PGP_ANS_MAX) {
		out->len = mark;	/* no record: the core asks the parser itself */
		return r == -ENOMEM ? r : 0;
	}
	put_le32(out->data + mark + 8, (uint32_t)alen);
	return 1;
}

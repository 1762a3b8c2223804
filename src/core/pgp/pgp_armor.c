// SPDX-License-Identifier: MIT
/*
 * The trusted side's own strict re-decoding of ASCII armor (RFC 9580 §6).
 * The handler finds the armor lines; the core decodes the base64 of those
 * lines of the ORIGINAL input itself, so the bytes it then verifies over are
 * its own, not the handler's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgp_internal.h"

/* A decoded armor body is at most 3/4 of the input; bound it anyway. */
#define PGP_ARMOR_DECODED_MAX (256u << 20)

uint32_t pgp_armor_crc24(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xB704CEu;
	size_t i;
	int b;

	for (i = 0; i < n; i++) {
		crc ^= (uint32_t)p[i] << 16;
		for (b = 0; b < 8; b++) {
			crc <<= 1;
			if (crc & 0x1000000u)
				crc ^= 0x1864CFBu;
		}
	}
	return crc & 0xFFFFFFu;
}

static int b64val(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int pgp_b64_decode_lines(const uint8_t *base, size_t base_len,
			 const struct pgp_span *lines, size_t n_lines,
			 uint8_t **out, size_t *out_len, char *why, size_t wl)
{
	size_t total = 0, i, j, o = 0;
	uint32_t acc = 0;
	int nacc = 0, pad = 0;
	uint8_t *buf;

	for (i = 0; i < n_lines; i++) {
		if (lines[i].off > base_len || lines[i].len > base_len - lines[i].off) {
			snprintf(why, wl, "armor line %zu lies outside the input", i + 1);
			return -EBADMSG;
		}
		total += lines[i].len;
		if (total > PGP_ARMOR_DECODED_MAX) {
			snprintf(why, wl, "armor body exceeds limit %u bytes", PGP_ARMOR_DECODED_MAX);
			return -E2BIG;
		}
	}
	buf = malloc(total / 4 * 3 + 3);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < n_lines; i++) {
		const uint8_t *p = base + lines[i].off;

		for (j = 0; j < lines[i].len; j++) {
			int v = b64val(p[j]);

			if (p[j] == '=') {
				pad++;
				continue;
			}
			if (v < 0 || pad) {
				snprintf(why, wl, "armor line %zu: %s", i + 1,
					 v < 0 ? "character outside the base64 alphabet"
					       : "data after '=' padding");
				free(buf);
				return -EBADMSG;
			}
			acc = acc << 6 | (uint32_t)v;
			if (++nacc == 4) {
				buf[o++] = (uint8_t)(acc >> 16);
				buf[o++] = (uint8_t)(acc >> 8);
				buf[o++] = (uint8_t)acc;
				nacc = 0;
				acc = 0;
			}
		}
	}
	/* Padding must complete the last quantum exactly, with no stray bits. */
	if ((nacc == 0 && pad != 0) || nacc == 1 || (nacc && nacc + pad != 4) ||
	    (nacc == 2 && (acc & 0xf)) || (nacc == 3 && (acc & 0x3))) {
		snprintf(why, wl, "armor body has a malformed base64 ending");
		free(buf);
		return -EBADMSG;
	}
	if (nacc == 2) {
		buf[o++] = (uint8_t)(acc >> 4);
	} else if (nacc == 3) {
		buf[o++] = (uint8_t)(acc >> 10);
		buf[o++] = (uint8_t)(acc >> 2);
	}
	*out = buf;
	*out_len = o;
	return 0;
}

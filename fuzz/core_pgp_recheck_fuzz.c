// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the trusted core's re-check of pgp handler answers
 * (src/core/pgp/pgp_recheck.c).  A compromised handler controls the answer
 * completely, so these functions must survive any bytes.
 *   data = u8 request (0 PARSE, 1 DEARMOR, 2 CLEARTEXT) || le32 input length
 *          || input || answer
 * Seeds: genuine answers of the real handler (DG_WRITE_FUZZ_SEEDS=DIR
 * tests/unit/test_pgp_liar writes them).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pgp_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int inside(const uint8_t *in, size_t len, const uint8_t *p, size_t n)
{
	return !n || (p >= in && n <= len && (size_t)(p - in) <= len - n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *in, *ans;
	size_t in_len, ans_len, i, k;
	char why[256];
	uint32_t l;

	if (size < 5)
		return 0;
	l = data[1] | (uint32_t)data[2] << 8 | (uint32_t)data[3] << 16 | (uint32_t)data[4] << 24;
	in = data + 5;
	in_len = l < size - 5 ? l : size - 5;
	ans = in + in_len;
	ans_len = size - 5 - in_len;
	switch (data[0] % 3) {
	case 0: {
		struct pgp_packets pk;

		if (pgp_recheck_parse(in, in_len, ans, ans_len, &pk, why, sizeof(why)) == 0) {
			/* Whatever passes the re-check points into the input only
			 * (decompressed contents: into the answer). */
			for (i = 0; i < pk.n; i++) {
				const struct pgp_pkt *p = &pk.v[i];

				if (!inside(in, in_len, p->body.p, p->body.len) ||
				    !inside(in, in_len, p->key.body.p, p->key.body.len) ||
				    !inside(in, in_len, p->sig.hashed.p, p->sig.hashed.len))
					__builtin_trap();
				for (k = 0; k < p->n_lit; k++)
					if (!inside(in, in_len, p->lit[k].p, p->lit[k].len))
						__builtin_trap();
				/* Decompressed contents: inside the answer, not copied. */
				if (p->comp_len && !inside(ans, ans_len, p->comp, p->comp_len))
					__builtin_trap();
			}
			pgp_packets_free(&pk);
		}
		break;
	}
	case 1: {
		struct pgp_armor a;

		if (pgp_recheck_dearmor(in, in_len, ans, ans_len, &a, why, sizeof(why)) == 0) {
			/* Decoded data is never longer than 3/4 of the input. */
			for (i = 0; i < a.n; i++)
				if (a.v[i].len > in_len)
					__builtin_trap();
			pgp_armor_free(&a);
		}
		break;
	}
	default: {
		struct pgp_cleartext ct;

		if (pgp_recheck_cleartext(in, in_len, ans, ans_len, &ct, why, sizeof(why)) == 0) {
			for (i = 0; i < ct.n_lines; i++)
				if (!inside(in, in_len, ct.lines[i].p, ct.lines[i].len))
					__builtin_trap();
			if (!inside(in, in_len, ct.sigblock.p, ct.sigblock.len))
				__builtin_trap();
			pgp_cleartext_free(&ct);
		}
		break;
	}
	}
	return 0;
}

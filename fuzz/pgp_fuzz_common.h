/* SPDX-License-Identifier: MIT */
/* Shared body of the pgp fuzz targets: run a request, and when it succeeds
 * insist that the answer keeps the promises of pgp_proto.h and that the
 * trusted core's re-check does not reject it as a lie: an honest answer the
 * core calls forged means the parser and the core read the bytes
 * differently (a signature that would wrongly fail, or worse), so it aborts
 * like a crash. */
#ifndef DG_PGP_FUZZ_COMMON_H
#define DG_PGP_FUZZ_COMMON_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include "buf.h"
#include "pgp_internal.h"
#include "pgp_parse.h"

/* The core's re-check of an honest answer of request @type must pass. */
static void pgp_fuzz_core_agrees(uint16_t type, const uint8_t *in, size_t len,
				 const uint8_t *ans, size_t ans_len)
{
	struct pgp_packets pk;
	struct pgp_armor a;
	struct pgp_cleartext ct;
	char why[384] = "";
	int r;

	switch (type) {
	case PGP_REQ_PARSE:
		r = pgp_recheck_parse(in, len, ans, ans_len, &pk, why, sizeof(why));
		if (r == 0)
			pgp_packets_free(&pk);
		break;
	case PGP_REQ_DEARMOR:
		r = pgp_recheck_dearmor(in, len, ans, ans_len, &a, why, sizeof(why));
		if (r == 0)
			pgp_armor_free(&a);
		break;
	case PGP_REQ_CLEARTEXT:
		r = pgp_recheck_cleartext(in, len, ans, ans_len, &ct, why, sizeof(why));
		if (r == 0)
			pgp_cleartext_free(&ct);
		break;
	default:
		return;
	}
	/*
	 * The core may refuse content by its own policy (e.g. a cleartext
	 * header other than Hash:), with its own message; "handler answer
	 * rejected" means it read the bytes differently from the parser.
	 */
	if (r < 0 && !strncmp(why, PGP_ANSWER_REJECTED, sizeof(PGP_ANSWER_REJECTED) - 1)) {
		fprintf(stderr, "honest answer (request %u) failed the core re-check: %s\n",
			type, why);
		abort();
	}
}

static int pgp_fuzz_one(uint16_t type, const uint8_t *data, size_t size, uint32_t depth)
{
	struct dg_buf ans = { .max = 64u << 20 };
	struct pgp_err e = { { 0 } };
	uint8_t *req = malloc(size + PGP_REQ_HDR_LEN);
	int r;

	if (!req)
		return -ENOMEM;
	/* Odd-sized armor inputs also exercise the lenient CRC24 mode. */
	pgp_req_hdr_put_flags(req, depth, type == PGP_REQ_DEARMOR && (size & 1) ?
				  PGP_REQ_F_LENIENT_CRC : 0);
	if (size)
		memcpy(req + PGP_REQ_HDR_LEN, data, size);
	r = pgp_handle_request(type, req, size + PGP_REQ_HDR_LEN, &ans, &e);
	if (r == 0) {
		struct pgp_err ve = { { 0 } };

		if (pgp_answer_validate(ans.data, ans.len, req + PGP_REQ_HDR_LEN, size, &ve) < 0)
			__builtin_trap();
		pgp_fuzz_core_agrees(type, data, size, ans.data, ans.len);
		/* Decompressed output is a new input: parse it too. */
		if (type == PGP_REQ_PARSE) {
			const uint8_t *p = ans.data + PGP_ANS_HDR_LEN;
			uint32_t n, i;

			memcpy(&n, ans.data + 12, 4);	/* little-endian host */
			for (i = 0; i < n; i++) {
				uint16_t t = (uint16_t)(p[0] | p[1] << 8);
				uint32_t l;

				memcpy(&l, p + 4, 4);
				if (t == PGP_REC_COMPRESSED) {
					uint32_t ol;

					memcpy(&ol, p + 8 + 8, 4);
					pgp_fuzz_one(PGP_REQ_PARSE, p + 8 + 12, ol, depth + 1);
				}
				p += 8 + l;
			}
		}
	} else if (!e.msg[0] || r >= 0) {
		/* Every error carries a message naming the reason. */
		__builtin_trap();
	}
	free(req);
	dg_buf_free(&ans);
	return r;
}

#endif

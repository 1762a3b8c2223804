// SPDX-License-Identifier: MIT
/*
 * The real embedded pgp handler, sandboxed and driven through libumd: on
 * garbage, truncated and oversized inputs it answers clean errors
 * (-EBADMSG / -E2BIG / -ENODATA / -EOPNOTSUPP, each with a message) and
 * never crashes or hangs; valid inputs give answers that keep pgp_proto.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include <digestguard/umd.h>

#include "blobs.h"
#include "pgp_parse.h"
#include "tap.h"

#define CALL_TIMEOUT_MS 5000

static struct dg_umd *umd;

/* A marker packet and a user ID packet: the smallest valid input. */
static const uint8_t valid[] = { 0xCA, 0x03, 'P', 'G', 'P', 0xCD, 0x05, 'a', 'l', 'i', 'c', 'e' };

static int call(uint16_t type, const void *in, size_t len, uint32_t depth,
		struct dg_umd_answer *a)
{
	uint8_t *req = malloc(len + PGP_REQ_HDR_LEN);
	int r;

	if (!req)
		return -ENOMEM;
	pgp_req_hdr_put(req, depth);
	if (len)
		memcpy(req + PGP_REQ_HDR_LEN, in, len);
	r = dg_umd_call(umd, type, req, len + PGP_REQ_HDR_LEN, a);
	free(req);
	return r;
}

/* A clean error: one of ours, with a message, and no crash or hang. */
static int clean_error(int r)
{
	const char *m = dg_umd_last_error(umd);

	return (r == -EBADMSG || r == -E2BIG || r == -ENODATA || r == -EOPNOTSUPP) &&
	       m && m[0] && !strstr(m, "died") && !strstr(m, "did not answer");
}

static int valid_call_works(void)
{
	struct dg_umd_answer a = { 0 };
	struct pgp_err e = { { 0 } };
	int ok = call(PGP_REQ_PARSE, valid, sizeof(valid), 0, &a) == 0 &&
		 pgp_answer_validate(a.data, a.len, valid, sizeof(valid), &e) == 0;

	dg_umd_answer_free(&a);
	return ok;
}

TEST(test_handler_answers_valid_packets)
{
	CHECK(valid_call_works(), "marker + user ID: %s", dg_umd_last_error(umd));
}

/* xorshift: reproducible garbage without a seed file. */
static uint32_t rnd_state = 0x12345678;
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

TEST(test_handler_rejects_garbage_cleanly)
{
	static const uint16_t types[] = { PGP_REQ_DEARMOR, PGP_REQ_PARSE, PGP_REQ_CLEARTEXT };
	uint8_t buf[512];
	struct dg_umd_stats st;
	int i, bad = 0, ok = 0;

	for (i = 0; i < 60; i++) {
		struct dg_umd_answer a = { 0 };
		size_t n = rnd() % sizeof(buf), k;
		int r;

		for (k = 0; k < n; k++)
			buf[k] = (uint8_t)rnd();
		if (i % 3 == 1 && n)
			buf[0] |= 0x80;	/* look like a packet header */
		r = call(types[i % 3], buf, n, 0, &a);
		dg_umd_answer_free(&a);
		if (r == 0)
			ok++;
		else if (!clean_error(r)) {
			bad++;
			printf("# case %d: %d %s\n", i, r, dg_umd_last_error(umd));
		}
	}
	dg_umd_stats(umd, &st);
	CHECK(bad == 0, "%d unclean failures (%d accepted)", bad, ok);
	CHECK(valid_call_works(), "still serving: %s", dg_umd_last_error(umd));
}

TEST(test_handler_rejects_mutated_packets_cleanly)
{
	uint8_t buf[sizeof(valid)];
	int i, bad = 0;

	for (i = 0; i < 40; i++) {
		struct dg_umd_answer a = { 0 };
		int r;

		memcpy(buf, valid, sizeof(buf));
		buf[rnd() % sizeof(buf)] = (uint8_t)rnd();
		buf[rnd() % sizeof(buf)] ^= (uint8_t)(1u << (rnd() % 8));
		r = call(PGP_REQ_PARSE, buf, sizeof(buf), 0, &a);
		if (r == 0) {
			struct pgp_err e = { { 0 } };

			if (pgp_answer_validate(a.data, a.len, buf, sizeof(buf), &e) < 0) {
				bad++;
				printf("# case %d: invalid answer: %s\n", i, e.msg);
			}
		} else if (!clean_error(r)) {
			bad++;
			printf("# case %d: %d %s\n", i, r, dg_umd_last_error(umd));
		}
		dg_umd_answer_free(&a);
	}
	CHECK(bad == 0, "%d bad outcomes", bad);
}

TEST(test_handler_truncated_input_gives_enodata)
{
	struct dg_umd_answer a = { 0 };
	int r = call(PGP_REQ_PARSE, valid, sizeof(valid) - 2, 0, &a);

	CHECK(r == -ENODATA && strstr(dg_umd_last_error(umd), "only"),
	      "%d: %s", r, dg_umd_last_error(umd));
	dg_umd_answer_free(&a);
}

TEST(test_handler_oversized_packet_gives_e2big)
{
	static const uint8_t in[] = { 0xCB, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 'b', 0 };
	struct dg_umd_answer a = { 0 };
	int r = call(PGP_REQ_PARSE, in, sizeof(in), 0, &a);

	CHECK(r == -E2BIG && strstr(dg_umd_last_error(umd), "exceeds limit"),
	      "%d: %s", r, dg_umd_last_error(umd));
	dg_umd_answer_free(&a);
}

TEST(test_handler_decompression_bomb_gives_e2big)
{
	size_t n = PGP_DECOMPRESSED_MAX + 4096;
	uLongf zl = compressBound(n);
	uint8_t *zeros = calloc(1, n), *pkt = malloc(zl + 8);
	struct dg_umd_answer a = { 0 };
	int r = -1;

	if (zeros && pkt && compress2(pkt + 7, &zl, zeros, n, 9) == Z_OK) {
		pkt[0] = 0xC8;
		pkt[1] = 0xFF;
		pkt[2] = (uint8_t)((zl + 1) >> 24), pkt[3] = (uint8_t)((zl + 1) >> 16);
		pkt[4] = (uint8_t)((zl + 1) >> 8), pkt[5] = (uint8_t)(zl + 1);
		pkt[6] = 2;	/* ZLIB */
		r = call(PGP_REQ_PARSE, pkt, zl + 7, 0, &a);
	}
	CHECK(r == -E2BIG && strstr(dg_umd_last_error(umd), "decompressed size"),
	      "%d: %s", r, dg_umd_last_error(umd));
	dg_umd_answer_free(&a);
	free(zeros);
	free(pkt);
}

TEST(test_handler_nesting_cap_gives_e2big)
{
	static const uint8_t in[] = { 0xC8, 0x06, 0x00, 0xCA, 0x03, 'P', 'G', 'P' };
	struct dg_umd_answer a = { 0 };
	int r = call(PGP_REQ_PARSE, in, sizeof(in), PGP_NEST_MAX - 1, &a);

	CHECK(r == -E2BIG && strstr(dg_umd_last_error(umd), "nesting"),
	      "%d: %s", r, dg_umd_last_error(umd));
	dg_umd_answer_free(&a);
}

TEST(test_handler_armor_line_cap_gives_e2big)
{
	size_t n = PGP_ARMOR_LINE_MAX * 2, off;
	char *in = malloc(n + 100);
	struct dg_umd_answer a = { 0 };
	int r;

	off = (size_t)sprintf(in, "-----BEGIN PGP MESSAGE-----\n\n");
	memset(in + off, 'A', n);
	off += n;
	off += (size_t)sprintf(in + off, "\n-----END PGP MESSAGE-----\n");
	r = call(PGP_REQ_DEARMOR, in, off, 0, &a);
	CHECK(r == -E2BIG && strstr(dg_umd_last_error(umd), "limit"), "%d: %s", r,
	      dg_umd_last_error(umd));
	dg_umd_answer_free(&a);
	free(in);
}

TEST(test_handler_bad_request_header_rejected)
{
	struct dg_umd_answer a = { 0 };
	int r = dg_umd_call(umd, PGP_REQ_PARSE, "short", 5, &a);

	CHECK(clean_error(r) && strstr(dg_umd_last_error(umd), "header"), "%d: %s", r,
	      dg_umd_last_error(umd));
	dg_umd_answer_free(&a);
	r = dg_umd_call(umd, 0x1ff, valid, sizeof(valid), &a);
	CHECK(r == -EBADMSG || r == -EOPNOTSUPP, "unknown type: %d", r);
	dg_umd_answer_free(&a);
}

TEST(test_handler_empty_input_rejected)
{
	struct dg_umd_answer a = { 0 };
	int r = call(PGP_REQ_PARSE, "", 0, 0, &a);

	CHECK(r == -ENODATA && dg_umd_last_error(umd)[0], "%d: %s", r, dg_umd_last_error(umd));
	dg_umd_answer_free(&a);
	r = call(PGP_REQ_CLEARTEXT, "", 0, 0, &a);
	CHECK(clean_error(r), "%d: %s", r, dg_umd_last_error(umd));
	dg_umd_answer_free(&a);
}

TEST(test_handler_never_crashed)
{
	struct dg_umd_stats st;

	dg_umd_stats(umd, &st);
	printf("# %llu starts, %llu calls answered, %llu failures (handler errors that libumd "
	       "counts as kills)\n", (unsigned long long)st.starts,
	       (unsigned long long)st.calls, (unsigned long long)st.failures);
	CHECK(valid_call_works(), "serving at the end: %s", dg_umd_last_error(umd));
}

int main(void)
{
	struct dg_umd_desc d = {
		DG_UMD_DESC_BLOB(&dg_blob_pgp), .timeout_ms = CALL_TIMEOUT_MS,
	};

	setvbuf(stdout, NULL, _IONBF, 0);
	alarm(120);	/* watchdog: the whole program */
	if (dg_umd_new(&d, &umd) < 0) {
		printf("not ok 1 - test_handler_setup\n1..1\n");
		return 1;
	}
	RUN(test_handler_answers_valid_packets);
	RUN(test_handler_rejects_garbage_cleanly);
	RUN(test_handler_rejects_mutated_packets_cleanly);
	RUN(test_handler_truncated_input_gives_enodata);
	RUN(test_handler_oversized_packet_gives_e2big);
	RUN(test_handler_decompression_bomb_gives_e2big);
	RUN(test_handler_nesting_cap_gives_e2big);
	RUN(test_handler_armor_line_cap_gives_e2big);
	RUN(test_handler_bad_request_header_rejected);
	RUN(test_handler_empty_input_rejected);
	RUN(test_handler_never_crashed);
	dg_umd_free(umd);
	return tap_done();
}

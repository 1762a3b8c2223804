// SPDX-License-Identifier: MIT
/*
 * Test-only handler that answers with malformed frames, one kind per
 * request type; L_ECHO answers correctly so recovery can be checked.
 * Built again with -DLIAR_PGP (liar_pgp): then it also answers the pgp
 * handler's PARSE requests, with lies the trusted side must bound.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <digestguard/handler.h>

#include "buf.h"
#include "cursor.h"
#include "frame.h"
#include "liar_proto.h"
#ifdef LIAR_PGP
#include "pgp_proto.h"
#endif

static void raw(const void *p, size_t n)
{
	if (write(DG_HANDLER_FD, p, n) != (ssize_t)n)
		_exit(9);
}

static void hdr(uint32_t magic, uint16_t version, uint16_t type, uint32_t id, uint32_t len)
{
	struct dg_frame_hdr h = { magic, version, type, id, len };
	uint8_t b[DG_FRAME_HDR_LEN];

	dg_frame_encode(b, &h);
	raw(b, sizeof(b));
}

static __attribute__((noreturn)) void block(void)
{
	uint8_t b;

	for (;;)
		if (read(DG_HANDLER_FD, &b, 1) <= 0)
			_exit(0);
}

/*
 * No sleeping under seccomp (nanosleep is not allowed): spin until @ms
 * have passed on @clock, CLOCK_MONOTONIC for wall time or
 * CLOCK_PROCESS_CPUTIME_ID for CPU time (the same amount of work however
 * busy the machine is).
 */
static void spin_on(clockid_t clock, uint32_t ms)
{
	struct timespec t0, t;
	uint64_t passed;

	clock_gettime(clock, &t0);
	do {
		clock_gettime(clock, &t);
		passed = (uint64_t)(t.tv_sec - t0.tv_sec) * 1000 +
			 (uint64_t)((t.tv_nsec - t0.tv_nsec) / 1000000);
	} while (passed < ms);
}

static void spin_ms(uint32_t ms)
{
	spin_on(CLOCK_MONOTONIC, ms);
}

/*
 * Answer this request, then drain the channel @step bytes every @pause_ms:
 * slowly enough that the manager's next large request cannot be written
 * in one go, fast enough that every socket buffer it waits for frees up
 * well within its deadline.
 */
static __attribute__((noreturn)) void slow_reader(uint16_t at, uint32_t id, struct dg_cur *c)
{
	static uint8_t sink[64u << 10];
	uint32_t step = 0, pause_ms = 0;

	cur_le32(c, &step);
	cur_le32(c, &pause_ms);
	if (!step || step > sizeof(sink))
		step = sizeof(sink);
	hdr(DG_FRAME_MAGIC, DG_FRAME_VERSION, at, id, 2);
	raw("ok", 2);
	for (;;) {
		spin_ms(pause_ms);
		if (read(DG_HANDLER_FD, sink, step) <= 0)
			_exit(0);
	}
}

#ifdef LIAR_PGP
/*
 * The pgp handler's protocol (pgp_proto.h), lying: every PARSE input is one
 * compressed packet whose "decompressed" contents are the input again, at
 * whatever depth the request says.  The real handler refuses compressed
 * data at depth PGP_NEST_MAX - 1; a trusted side that follows the answers
 * without a bound of its own would recurse forever.
 */
static int pgp_nest_forever(const uint8_t *req, size_t len, struct dg_buf *ans)
{
	const uint8_t *in = req + PGP_REQ_HDR_LEN;
	uint32_t n;
	int r = 0;

	if (len < PGP_REQ_HDR_LEN + 2 || len - PGP_REQ_HDR_LEN > UINT32_MAX / 2)
		return -EBADMSG;
	n = (uint32_t)(len - PGP_REQ_HDR_LEN);
	r |= dg_buf_put_le32(ans, PGP_ANS_MAGIC);
	r |= dg_buf_put_le16(ans, PGP_PROTO_VERSION);
	r |= dg_buf_put_le16(ans, PGP_REQ_PARSE);
	r |= dg_buf_put_le32(ans, 0);		/* flags */
	r |= dg_buf_put_le32(ans, 2);		/* nrec */
	r |= dg_buf_put_le32(ans, n);		/* input_len */
	r |= dg_buf_put_le32(ans, 0);
	/* PACKET: index 0, tag 8 (compressed), new format, header [0,2) */
	r |= dg_buf_put_le16(ans, PGP_REC_PACKET);
	r |= dg_buf_put_le16(ans, 0);
	r |= dg_buf_put_le32(ans, PGP_REC_PACKET_FIXED);
	r |= dg_buf_put_le32(ans, 0);
	r |= dg_buf_put_u8(ans, 8);
	r |= dg_buf_put_u8(ans, 1);
	r |= dg_buf_put_le16(ans, 0);
	r |= dg_buf_put_le32(ans, 0);
	r |= dg_buf_put_le32(ans, 2);
	r |= dg_buf_put_le32(ans, 2);
	r |= dg_buf_put_le32(ans, n - 2);
	r |= dg_buf_put_le32(ans, 0);		/* nchunk */
	/* COMPRESSED: algo 0, "decompressed" = this very input */
	r |= dg_buf_put_le16(ans, PGP_REC_COMPRESSED);
	r |= dg_buf_put_le16(ans, 0);
	r |= dg_buf_put_le32(ans, PGP_REC_COMPRESSED_FIXED + n);
	r |= dg_buf_put_le32(ans, 0);
	r |= dg_buf_put_le32(ans, 0);
	r |= dg_buf_put_le32(ans, n);
	r |= dg_buf_put(ans, in, n);
	return r < 0 ? -ENOMEM : 0;
}
#endif

static int handle(uint16_t type, const uint8_t *req, size_t len, struct dg_buf *ans,
		  void *ctx)
{
	uint32_t id = dg_handler_current_id();
	uint16_t at = type | DG_MSG_ANSWER;
	struct dg_cur c = cur_init(req, len);
	uint32_t v = 0;
	uint8_t err[8];

	(void)ctx;
#ifdef LIAR_PGP
	if (type == PGP_REQ_PARSE)
		return pgp_nest_forever(req, len, ans);
#endif
	switch (type) {
	case L_ECHO:
		return dg_buf_put(ans, req, len);
	case L_BAD_MAGIC:
		hdr(0xdeadbeef, DG_FRAME_VERSION, at, id, 0);
		block();
	case L_BAD_VERSION:
		hdr(DG_FRAME_MAGIC, 9, at, id, 0);
		block();
	case L_WRONG_ID:
		hdr(DG_FRAME_MAGIC, DG_FRAME_VERSION, at, id + 1, 0);
		block();
	case L_WRONG_TYPE:
		hdr(DG_FRAME_MAGIC, DG_FRAME_VERSION, (uint16_t)(at + 1), id, 0);
		block();
	case L_OVER_MAX:
		hdr(DG_FRAME_MAGIC, DG_FRAME_VERSION, at, id, 0xfffffff0u);
		block();
	case L_TRUNCATED:
		hdr(DG_FRAME_MAGIC, DG_FRAME_VERSION, at, id, 100);
		raw("0123456789", 10);
		_exit(0);
	case L_SHORT_HEADER:
		raw("DGUM\1\0", 6);
		_exit(0);
	case L_TRAILING: {
		/* One write, so the manager sees the extra bytes with the frame. */
		struct dg_frame_hdr h = { DG_FRAME_MAGIC, DG_FRAME_VERSION, at, id, 4 };
		uint8_t b[DG_FRAME_HDR_LEN + 9];

		dg_frame_encode(b, &h);
		memcpy(b + DG_FRAME_HDR_LEN, "abcdEXTRA", 9);
		raw(b, sizeof(b));
		block();
	}
	case L_TRAILING_LATE:
		/* A correct answer, then more bytes in a later write, once the
		 * manager has most likely returned the answer. */
		hdr(DG_FRAME_MAGIC, DG_FRAME_VERSION, at, id, 4);
		raw("abcd", 4);
		spin_ms(20);
		raw("LATE", 4);
		block();
	case L_EOF:
		_exit(0);
	case L_BAD_ERRNO:
		put_le32(err, 5);	/* errno must be negative */
		hdr(DG_FRAME_MAGIC, DG_FRAME_VERSION, DG_MSG_ERROR, id, 4);
		raw(err, 4);
		block();
	case L_SLOW_DRIP:
		/* A valid header, then the payload never completes. */
		hdr(DG_FRAME_MAGIC, DG_FRAME_VERSION, at, id, 8);
		raw("1234", 4);
		block();
	case L_HANDLER_ERROR:
		dg_handler_error("liar: refusing this input on purpose");
		return -EBADMSG;
	case L_SLOW_READER:
		slow_reader(at, id, &c);
	case L_ANSWER_THEN_EXIT:
		hdr(DG_FRAME_MAGIC, DG_FRAME_VERSION, at, id, 4);
		raw("abcd", 4);
		_exit(0);
	case L_FAKE_ERRNO:
		cur_le32(&c, &v);
		dg_handler_error("liar: pretending errno %d", (int32_t)v);
		return (int32_t)v;
	case L_HUGE_ANSWER:
		cur_le32(&c, &v);
		hdr(DG_FRAME_MAGIC, DG_FRAME_VERSION, at, id, v);
		block();
	case L_BYTEWISE: {
		/* Every byte its own write, 1 ms apart: the manager gets the
		 * header and the payload in as many pieces. */
		struct dg_frame_hdr h = { DG_FRAME_MAGIC, DG_FRAME_VERSION, at, id,
					  (uint32_t)len };
		uint8_t b[DG_FRAME_HDR_LEN];
		size_t i;

		dg_frame_encode(b, &h);
		for (i = 0; i < sizeof(b) + len; i++) {
			raw(i < sizeof(b) ? b + i : req + i - sizeof(b), 1);
			spin_ms(1);
		}
		block();	/* answered: the test asks nothing more */
	}
	case L_SPIN:
		/* An honest parser that works hard: CPU time, a correct answer. */
		cur_le32(&c, &v);
		spin_on(CLOCK_PROCESS_CPUTIME_ID, v);
		return dg_buf_put(ans, "ok", 2);
	default:
		return -EOPNOTSUPP;
	}
}

int main(void)
{
	return dg_handler_main("liar", handle, NULL);
}

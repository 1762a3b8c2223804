// SPDX-License-Identifier: MIT
#include "frame.h"
#include "cursor.h"
#include "sha256.h"
#include "tap.h"

#include <stdlib.h>

static void mk(uint8_t *b, uint32_t magic, uint16_t ver, uint32_t len)
{
	struct dg_frame_hdr h = { magic, ver, 0x100, 7, len };

	dg_frame_encode(b, &h);
}

TEST(test_frame_header_layout_is_little_endian)
{
	uint8_t b[DG_FRAME_HDR_LEN];
	static const uint8_t want[] = { 'D', 'G', 'U', 'M', 1, 0, 0x00, 0x01,
					7, 0, 0, 0, 0x34, 0x12, 0, 0 };

	mk(b, DG_FRAME_MAGIC, DG_FRAME_VERSION, 0x1234);
	CHECK(memcmp(b, want, sizeof(want)) == 0, "bytes differ from docs/protocol.md");
}

TEST(test_frame_round_trip)
{
	uint8_t b[DG_FRAME_HDR_LEN];
	struct dg_frame_hdr h;

	mk(b, DG_FRAME_MAGIC, DG_FRAME_VERSION, 4096);
	CHECK(dg_frame_decode(b, 4096, &h) == 0, "decode");
	CHECK(h.type == 0x100 && h.id == 7 && h.len == 4096, "fields");
}

TEST(test_frame_rejects_oversized_len)
{
	uint8_t b[DG_FRAME_HDR_LEN];
	struct dg_frame_hdr h = { 0 };

	mk(b, DG_FRAME_MAGIC, DG_FRAME_VERSION, 4097);
	CHECK(dg_frame_decode(b, 4096, &h) == -E2BIG, "len over max");
	CHECK(h.len == 0, "output untouched on failure");
	mk(b, DG_FRAME_MAGIC, DG_FRAME_VERSION, 0xffffffffu);
	CHECK(dg_frame_decode(b, DG_FRAME_MAX_DEFAULT, &h) == -E2BIG, "len 4 GiB");
}

TEST(test_frame_rejects_bad_magic_and_version)
{
	uint8_t b[DG_FRAME_HDR_LEN];
	struct dg_frame_hdr h;

	mk(b, DG_FRAME_MAGIC ^ 1, DG_FRAME_VERSION, 1);
	CHECK(dg_frame_decode(b, 100, &h) == -EBADMSG, "bad magic");
	mk(b, DG_FRAME_MAGIC, DG_FRAME_VERSION + 1, 1);
	CHECK(dg_frame_decode(b, 100, &h) == -EBADMSG, "bad version");
}

TEST(test_frame_parse_rejects_truncated_and_trailing)
{
	uint8_t b[DG_FRAME_HDR_LEN + 5];
	const uint8_t *pl;
	struct dg_frame_hdr h;

	mk(b, DG_FRAME_MAGIC, DG_FRAME_VERSION, 4);
	memcpy(b + DG_FRAME_HDR_LEN, "abcd!", 5);
	CHECK(dg_frame_parse(b, sizeof(b) - 1, 100, &h, &pl) == 0, "exact frame");
	CHECK(dg_frame_parse(b, sizeof(b), 100, &h, &pl) == -EBADMSG, "trailing byte");
	CHECK(dg_frame_parse(b, sizeof(b) - 2, 100, &h, &pl) == -ENODATA, "short payload");
	CHECK(dg_frame_parse(b, 10, 100, &h, &pl) == -ENODATA, "short header");
}

TEST(test_sha256_matches_fips_vectors)
{
	static const uint8_t abc[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde,
		0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
		0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad };
	/* SHA-256 of one million 'a' (FIPS 180-2 appendix B.3). */
	static const uint8_t mil[32] = {
		0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92, 0x81, 0xa1, 0xc7, 0xe2,
		0x84, 0xd7, 0x3e, 0x67, 0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97, 0x20, 0x0e,
		0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0 };
	uint8_t out[32], *m = malloc(1000000);
	struct dg_sha256 s;
	int i;

	dg_sha256("abc", 3, out);
	CHECK(memcmp(out, abc, 32) == 0, "abc");
	memset(m, 'a', 1000000);
	dg_sha256(m, 1000000, out);
	CHECK(memcmp(out, mil, 32) == 0, "million a, one update");
	dg_sha256_init(&s);
	for (i = 0; i < 1000000; i += 999)
		dg_sha256_update(&s, m + i, 1000000 - i < 999 ? (size_t)(1000000 - i) : 999);
	dg_sha256_final(&s, out);
	CHECK(memcmp(out, mil, 32) == 0, "million a, odd-sized updates");
	free(m);
}

int main(void)
{
	RUN(test_frame_header_layout_is_little_endian);
	RUN(test_frame_round_trip);
	RUN(test_frame_rejects_oversized_len);
	RUN(test_frame_rejects_bad_magic_and_version);
	RUN(test_frame_parse_rejects_truncated_and_trailing);
	RUN(test_sha256_matches_fips_vectors);
	return tap_done();
}

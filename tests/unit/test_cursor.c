// SPDX-License-Identifier: MIT
#include "cursor.h"
#include "buf.h"
#include "tap.h"

static const uint8_t data[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09 };

TEST(test_cursor_reads_big_and_little_endian)
{
	struct dg_cur c = cur_init(data, sizeof(data));
	uint32_t be = 0, le = 0;
	uint16_t s;

	CHECK(cur_be32(&c, &be) == 0 && be == 0x01020304, "be32 %x", be);
	CHECK(cur_le32(&c, &le) == 0 && le == 0x08070605, "le32 %x", le);
	CHECK(cur_be16(&c, &s) == -ENODATA, "be16 with one byte left must fail");
	CHECK(c.len == 1 && c.p[0] == 0x09, "failed read must not move the cursor");
}

TEST(test_cursor_take_refuses_more_than_remains)
{
	struct dg_cur c = cur_init(data, sizeof(data)), sub;

	CHECK(cur_take(&c, 10, &sub) == -ENODATA, "take 10 of 9");
	CHECK(cur_take(&c, SIZE_MAX, &sub) == -ENODATA, "take SIZE_MAX must not wrap");
	CHECK(cur_take(&c, 9, &sub) == 0 && sub.len == 9 && c.len == 0, "take all");
	CHECK(cur_skip(&c, 1) == -ENODATA, "skip past end");
}

TEST(test_cursor_u64_and_offsets)
{
	struct dg_cur c = cur_init(data, sizeof(data));
	uint64_t v;

	CHECK(cur_skip(&c, 1) == 0, "skip");
	CHECK(cur_be64(&c, &v) == 0 && v == 0x0203040506070809ull, "be64 %llx",
	      (unsigned long long)v);
	CHECK(cur_off(&c, data) == 9, "offset");
}

TEST(test_buf_respects_its_maximum)
{
	struct dg_buf b = { .max = 8 };

	CHECK(dg_buf_put(&b, "12345678", 8) == 0, "fill to max");
	CHECK(dg_buf_put_u8(&b, 1) == -E2BIG, "one more byte over max");
	CHECK(b.len == 8, "length unchanged after refusal");
	dg_buf_free(&b);
	CHECK(dg_buf_reserve(&b, SIZE_MAX) != 0, "SIZE_MAX reserve must fail");
	dg_buf_free(&b);
}

int main(void)
{
	RUN(test_cursor_reads_big_and_little_endian);
	RUN(test_cursor_take_refuses_more_than_remains);
	RUN(test_cursor_u64_and_offsets);
	RUN(test_buf_respects_its_maximum);
	return tap_done();
}

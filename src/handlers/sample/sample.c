// SPDX-License-Identifier: MIT
/* Sample user mode driver: see sample_proto.h. */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include <digestguard/handler.h>

#include "buf.h"
#include "cursor.h"
#include "sample_proto.h"

#define SAMPLE_SIZED_MAX (64u << 20)

/* A pointer the compiler cannot see through, to crash on purpose. */
volatile int *volatile crash_ptr;

static int sample_handle(uint16_t type, const uint8_t *req, size_t len,
			 struct dg_buf *ans, void *ctx)
{
	struct dg_cur c = cur_init(req, len);
	uint32_t n, i;
	int r;

	(void)ctx;
	switch (type) {
	case SAMPLE_ECHO:
		return dg_buf_put(ans, req, len);
	case SAMPLE_SIZED:
		if (cur_le32(&c, &n) < 0 || c.len) {
			dg_handler_error("sized request must be exactly 4 bytes, got %zu", len);
			return -EBADMSG;
		}
		if (n > SAMPLE_SIZED_MAX) {
			dg_handler_error("sized request for %u bytes exceeds limit %u",
					 n, SAMPLE_SIZED_MAX);
			return -E2BIG;
		}
		r = dg_buf_reserve(ans, n);
		if (r < 0)
			return r;
		for (i = 0; i < n; i++)
			ans->data[i] = sample_byte(i, n);
		ans->len = n;
		return 0;
	case SAMPLE_SINK:
		return dg_buf_put_le32(ans, (uint32_t)len);
	case SAMPLE_CRASH:
		*crash_ptr = 1;
		return -EFAULT;
	case SAMPLE_HANG:
		/* Block on the channel: the manager sends nothing until we answer. */
		for (;;) {
			uint8_t b;

			if (read(DG_HANDLER_FD, &b, 1) <= 0)
				return -EIO;
		}
	default:
		dg_handler_error("unknown request type 0x%x", type);
		return -EOPNOTSUPP;
	}
}

int main(void)
{
	return dg_handler_main("sample", sample_handle, NULL);
}

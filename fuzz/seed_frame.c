// SPDX-License-Identifier: MIT
/*
 * Writes the seeds of the frame fuzz target (fuzz/frame_fuzz.c) with the
 * frame encoder the manager and the handlers use (src/shared/frame.c), and
 * checks that the decoder gives each seed the verdict it was made for.
 * Built and run by fuzz/seed-frame.sh.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "frame.h"

#define SEED_MAX 64

static int failed;

/* Write OUTDIR/NAME: header H, then LEN bytes of PL (of which the header may
 * announce more or fewer), the first CUT bytes only when CUT is not 0; the
 * decoder (1 MiB maximum, as the fuzz target) must return WANT. */
static void seed(const char *dir, const char *name, struct dg_frame_hdr h,
		 const void *pl, size_t len, size_t cut, int want)
{
	uint8_t buf[SEED_MAX];
	struct dg_frame_hdr got;
	const uint8_t *payload;
	size_t total = DG_FRAME_HDR_LEN + len;
	char path[4096];
	FILE *f;
	int r;

	if (total > sizeof(buf)) {
		fprintf(stderr, "seed_frame: %s: %zu bytes is too long\n", name, total);
		failed = 1;
		return;
	}
	dg_frame_encode(buf, &h);
	memcpy(buf + DG_FRAME_HDR_LEN, pl, len);
	if (cut)
		total = cut;
	r = dg_frame_parse(buf, total, 1u << 20, &got, &payload);
	if (r != want) {
		fprintf(stderr, "seed_frame: %s: the decoder returned %d, the seed is made for %d\n",
			name, r, want);
		failed = 1;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, total, f) != total || fclose(f)) {
		perror(path);
		failed = 1;
	}
}

int main(int argc, char **argv)
{
	const struct dg_frame_hdr user = { DG_FRAME_MAGIC, DG_FRAME_VERSION, DG_MSG_USER, 1, 0 };
	struct dg_frame_hdr h;
	uint8_t hello[4], err[4 + 9];
	const char *dir;

	if (argc != 2) {
		fprintf(stderr, "usage: seed_frame OUTDIR\n");
		return 2;
	}
	dir = argv[1];

	h = user;
	h.len = 5;
	seed(dir, "echo_hello", h, "hello", 5, 0, 0);
	seed(dir, "empty_payload", user, "", 0, 0, 0);

	/* The manager's hello: u32 maximum frame size. */
	h = (struct dg_frame_hdr){ DG_FRAME_MAGIC, DG_FRAME_VERSION, DG_MSG_HELLO, 1, sizeof(hello) };
	put_le32(hello, DG_FRAME_MAX_DEFAULT);
	seed(dir, "hello_req", h, hello, sizeof(hello), 0, 0);

	/* A handler's error answer: i32 -errno, message. */
	h = (struct dg_frame_hdr){ DG_FRAME_MAGIC, DG_FRAME_VERSION, DG_MSG_ERROR, 1, sizeof(err) };
	put_le32(err, (uint32_t)-EBADMSG);
	memcpy(err + 4, "bad input", 9);
	seed(dir, "error_answer", h, err, sizeof(err), 0, 0);

	h = user;
	h.magic = 0xdeadbeefu;
	seed(dir, "bad_magic", h, "", 0, 0, -EBADMSG);
	h = user;
	h.version = DG_FRAME_VERSION + 1;
	seed(dir, "bad_version", h, "", 0, 0, -EBADMSG);
	h = user;
	h.len = 0xfffffff0u;
	seed(dir, "over_max", h, "", 0, 0, -E2BIG);
	/* 4 bytes announced, 9 sent */
	h = user;
	h.len = 4;
	seed(dir, "trailing", h, "abcdEXTRA", 9, 0, -EBADMSG);
	/* 100 bytes announced, 3 sent */
	h = user;
	h.len = 100;
	seed(dir, "truncated", h, "abc", 3, 0, -ENODATA);
	/* the first 6 bytes of a header */
	seed(dir, "short_header", user, "", 0, 6, -ENODATA);
	return failed;
}

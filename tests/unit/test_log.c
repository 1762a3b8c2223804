// SPDX-License-Identifier: MIT
/* src/shared/log.c: the message functions leave errno as the caller had
 * it, so that "dg_err(...); return -errno;" returns the caller's error. */
#include <errno.h>
#include <stdio.h>

#include "log.h"
#include "tap.h"

TEST(test_dg_err_leaves_errno_alone)
{
	/* stderr on /dev/full: the write fails (ENOSPC), as a full disk or a
	 * closed pipe could make it fail, and must not show through errno */
	FILE *saved = stderr;

	stderr = fopen("/dev/full", "w");
	CHECK(stderr != NULL, "open /dev/full");
	if (!stderr) {
		stderr = saved;
		return;
	}
	setvbuf(stderr, NULL, _IONBF, 0);
	errno = EACCES;
	dg_err("test: %s", "a message that cannot be written");
	fclose(stderr);
	stderr = saved;
	CHECK(errno == EACCES, "errno %d after dg_err, was EACCES", errno);
}

TEST(test_dg_errf_leaves_errno_alone)
{
	char buf[8];
	int r;

	errno = ENOENT;
	/* a message longer than the buffer, and a wide character that cannot
	 * be converted (EILSEQ from vsnprintf) */
	r = dg_errf(buf, sizeof(buf), -EIO, "%s %ls", "longer than eight bytes", L"\xdcff");
	CHECK(r == -EIO, "returned %d", r);
	CHECK(errno == ENOENT, "errno %d after dg_errf, was ENOENT", errno);
}

int main(void)
{
	RUN(test_dg_err_leaves_errno_alone);
	RUN(test_dg_errf_leaves_errno_alone);
	return tap_done();
}

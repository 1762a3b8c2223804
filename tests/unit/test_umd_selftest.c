// SPDX-License-Identifier: MIT
/* The libumd self-tests (also run by `digestguard umd selftest`), as TAP. */
#include "tap.h"
#include "blobs.h"
#include "selftest.h"

int main(void)
{
	char msg[512];
	size_t i;

	for (i = 0; i < dg_selftests_count; i++) {
		msg[0] = '\0';
		tap_n++;
		if (dg_selftests[i].run(&dg_blob_sample, msg, sizeof(msg)) == 0) {
			printf("ok %d - test_umd_%s\n", tap_n, dg_selftests[i].name);
		} else {
			printf("not ok %d - test_umd_%s\n# %s\n", tap_n, dg_selftests[i].name, msg);
			tap_failed++;
		}
		fflush(stdout);
	}
	return tap_done();
}

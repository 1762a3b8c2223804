// SPDX-License-Identifier: MIT
/* libFuzzer target: the IMA measurement log reader (measure show/verify). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "imalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dg_cur c = cur_init(data, size);
	struct dg_ima_entry e;
	uint8_t pcr[32];
	size_t good = 0, seen = 0;
	char msg[256];
	FILE *null = fopen("/dev/null", "w");

	while (c.len && dg_ima_next(&c, &e, msg, sizeof(msg)) == 0) {
		/* Everything an entry points at lies inside the input. */
		if (e.tdata < data || e.tdata + e.tdata_len > data + size ||
		    e.digest < e.tdata || e.digest + e.digest_len > e.tdata + e.tdata_len ||
		    (const uint8_t *)e.path < e.tdata ||
		    (const uint8_t *)e.path + e.path_len >= e.tdata + e.tdata_len ||
		    e.path[e.path_len] != '\0')
			__builtin_trap();
		if (null)
			dg_ima_print_ascii(null, &e);
		seen = cur_off(&c, data);
	}
	/* The replay agrees with the entry walk on the valid prefix. */
	dg_ima_replay(data, size, pcr, NULL, &good, msg, sizeof(msg));
	if (good != seen)
		__builtin_trap();
	if (null)
		fclose(null);
	return 0;
}

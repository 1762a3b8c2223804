// SPDX-License-Identifier: MIT
/*
 * Fuzz the rpm handler's parser (lead, signature header, main header) and,
 * whenever it accepts an input, the trusted core's re-check of its answer:
 * an honest answer must always pass the re-check, so a disagreement aborts
 * (the parser and the core would then hold different views of the bytes).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "../src/core/rpm/rpm_core.h"
#include "../src/handlers/rpm/rpm_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dg_buf ans = { .max = 64u << 20 };
	struct rpm_pkg pkg = { 0 };
	char err[320];
	uint32_t sig_len, main_off, main_len;

	if (rpm_parse(data, size, size, &ans, err, sizeof(err)) == 0) {
		if (rpm_layout("fuzz", data, size, &sig_len, &main_off, &main_len,
			       err, sizeof(err)) < 0) {
			fprintf(stderr, "parser accepted, core layout refused: %s\n", err);
			abort();
		}
		pkg.name = "fuzz";
		pkg.buf = data;
		pkg.buf_len = (size_t)main_off + main_len;
		pkg.file_size = size;
		if (rpm_check_answer(&pkg, ans.data, ans.len, err, sizeof(err)) < 0) {
			fprintf(stderr, "honest answer failed the core re-check: %s\n", err);
			abort();
		}
		rpm_pkg_release(&pkg);
	}
	dg_buf_free(&ans);
	return 0;
}

// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the trusted core's re-check of rpm handler answers
 * (src/core/rpm/rpm_check.c) and what the core reads from an answer it
 * accepted (NEVRA, the header signature check, the file list).  A
 * compromised handler controls the answer completely, so all of this must
 * survive any bytes; the package bytes are the attacker's too.
 *   data = le32 package length || package || answer
 * Seeds: genuine (package, answer) pairs of the real parser
 * (DG_WRITE_FUZZ_SEEDS=DIR tests/unit/test_rpm_liar writes them).
 */
#include <stdint.h>
#include <string.h>

#include "../src/core/rpm/rpm_core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

/* Every signature "verifies": the file list is then reached too. */
static int accept_all(void *ctx, const uint8_t *sig, size_t sig_len, const uint8_t *parsed,
		      size_t parsed_len, const uint8_t *hdr, size_t hdr_len,
		      const void *hdr_sha256, struct rpm_siginfo *info)
{
	uint8_t x = 0;
	size_t i;

	(void)ctx;
	(void)parsed;
	(void)parsed_len;
	(void)hdr_sha256;
	/* Touch every byte the core hands over: they must lie inside. */
	for (i = 0; i < sig_len; i++)
		x ^= sig[i];
	for (i = 0; i < hdr_len; i++)
		x ^= hdr[i];
	sink ^= x;
	info->parsed = 1;
	info->version = 4;
	info->pk_algo = 1;
	info->hash_algo = 8;
	return 0;
}

static int each_file(const struct dg_rpm_file *f, void *ctx)
{
	size_t *n = ctx;

	*n += strlen(f->path) + strlen(f->hex);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpm_verifier v = { .fn = accept_all };
	struct rpm_pkg pkg = { 0 };
	struct dg_rpm_report rep;
	char err[320], nevra[512];
	size_t plen, n = 0;
	uint32_t l;

	if (size < 4)
		return 0;
	l = data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24;
	plen = l < size - 4 ? l : size - 4;
	pkg.name = "fuzz";
	pkg.buf = data + 4;
	pkg.buf_len = plen;
	pkg.file_size = plen;
	if (rpm_check_answer(&pkg, data + 4 + plen, size - 4 - plen, err, sizeof(err)) == 0) {
		memset(&rep, 0, sizeof(rep));
		(void)rpm_pkg_nevra(&pkg, nevra, sizeof(nevra));
		(void)rpm_verify_pkg(&pkg, &v, &rep);
		(void)rpm_pkg_files(&pkg, 0, each_file, &n, err, sizeof(err));
		(void)rpm_pkg_files(&pkg, DG_RPM_ALLOW_WEAK, each_file, &n, err, sizeof(err));
	}
	rpm_pkg_release(&pkg);
	return 0;
}

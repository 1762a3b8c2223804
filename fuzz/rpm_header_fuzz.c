// SPDX-License-Identifier: MIT
/*
 * Fuzz the rpm handler's parser (lead, signature header, main header) and,
 * whenever it accepts an input, the trusted core's re-check of its answer:
 * an honest answer must always pass the re-check, so a disagreement aborts
 * (the parser and the core would then hold different views of the bytes).
 * The same holds for each signature the parser pre-parsed (RPM_ANS_F_PGP):
 * the pgp core's re-check must accept the honest pgp answer against the
 * signature bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "pgp_internal.h"
#include "../src/core/rpm/rpm_core.h"
#include "../src/handlers/rpm/rpm_parse.h"
#include "../src/handlers/rpm/rpm_proto.h"
#include "../src/handlers/rpm/rpm_sig.h"

/* The pgp core re-checks each honest pre-parsed answer. */
static void check_presigs(const struct rpm_pkg *pkg)
{
	static uint8_t dec[RPM_OPENPGP_SIG_MAX];
	uint32_t i, slen;
	char why[384];

	for (i = 0; i < pkg->n_presigs; i++) {
		const struct rpm_presig *ps = &pkg->presigs[i];
		const struct rpm_tagref *t = rpm_pkg_tag(pkg, RPM_HDR_SIG, ps->tag);
		const uint8_t *in;
		size_t in_len;
		struct pgp_packets pk;

		if (!t)
			abort();
		if (t->first_string == RPM_NO_STRING) {
			in = pkg->buf + t->data_off;
			in_len = t->data_len;
		} else {
			const char *s = rpm_pkg_string(pkg, t, ps->item, &slen);

			if (!s || rpm_b64_decode((const uint8_t *)s, slen, dec, &in_len) < 0) {
				fprintf(stderr, "pre-parsed OPENPGP value %u does not decode\n", ps->item);
				abort();
			}
			in = dec;
		}
		why[0] = '\0';
		if (pgp_recheck_parse(in, in_len, ps->ans, ps->ans_len, &pk, why, sizeof(why)) < 0) {
			fprintf(stderr, "honest pre-parsed signature failed the pgp re-check: %s\n", why);
			abort();
		}
		pgp_packets_free(&pk);
	}
}

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
		check_presigs(&pkg);
		rpm_pkg_release(&pkg);
	}
	dg_buf_free(&ans);
	return 0;
}

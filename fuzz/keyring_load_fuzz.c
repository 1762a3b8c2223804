// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: a keyring load end to end, in one process: the pgp
 * handler's parser answers in place of the sandboxed handler, the core
 * re-checks the answer and assembles certificates from the packets
 * (bindings, revocations in and out of place, lone revocations, merged
 * copies, malformed and unsupported keys), then a detached signature made
 * of the input's own signature packets is checked against them, and the
 * input verified as a signed message.  The certificate and message logic
 * read attacker-ordered packets; they must survive any.
 */
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "pgp_internal.h"
#include "pgp_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* pgp_call_fn: the parser in this process instead of the sandbox. */
static int in_process(struct dg_pgp *pgp, void *ctx, uint16_t type, const uint8_t *req,
		      size_t len, uint8_t **ans, size_t *ans_len)
{
	struct dg_buf b = { .max = 64u << 20 };
	struct pgp_err e = { { 0 } };
	int r = pgp_handle_request(type, req, len, &b, &e);

	(void)ctx;
	if (r < 0) {
		dg_buf_free(&b);
		return pgp_errorf(pgp, r, "%s", e.msg);
	}
	*ans = b.data;
	*ans_len = b.len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t msg[] = "digestguard keyring fuzz\n";
	struct dg_pgp_result res = { 0 };
	struct dg_pgp *pgp = NULL;

	if (size > (1u << 20) || dg_pgp_new(&pgp) < 0)
		return 0;
	pgp->call = in_process;
	if (dg_pgp_keyring_add_mem(pgp, "fuzz", data, size) >= 0) {
		/* The same bytes as SIGNATURES: their signature packets are
		 * checked against the certificates just loaded. */
		dg_pgp_verify_detached(pgp, data, size, msg, sizeof(msg) - 1, &res);
		dg_pgp_result_free(&res);
	}
	/* And as a signed message (inline, compressed or cleartext) in two
	 * steps, its content written out. */
	{
		struct dg_pgp_message *pm = NULL;
		FILE *null = fopen("/dev/null", "w");

		if (null && dg_pgp_message_parse(pgp, data, size, &pm) == 0) {
			if (dg_pgp_message_verify(pgp, pm, &res, NULL, NULL) == 0)
				dg_pgp_message_write(pm, null);
			dg_pgp_result_free(&res);
		}
		dg_pgp_message_free(pm);
		if (null)
			fclose(null);
	}
	dg_pgp_free(pgp);
	return 0;
}

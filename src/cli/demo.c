// SPDX-License-Identifier: MIT
/* digestguard demo: the main job on built-in data, step by step. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <digestguard/pgp.h>
#include <digestguard/umd.h>

#include "blobs.h"
#include "cli.h"
#include "cursor.h"
#include "sample_proto.h"

static int step;

static void say(const char *title, const char *text)
{
	printf("\n[%d] %s\n    %s\n", ++step, title, text);
}

static int demo_umd(void)
{
	struct dg_umd_desc d = {
		.name = "sample", .blob = dg_blob_sample.data,
		.blob_len = dg_blob_sample.len, .blob_sha256 = dg_blob_sample.sha256,
		.timeout_ms = 500,
	};
	static const char hello[] = "hello from the trusted side";
	struct dg_umd_answer a;
	struct dg_umd_stats st;
	struct dg_umd *u;
	int r;

	say("Load a user mode driver",
	    "The sample parser is embedded in this binary. It is copied into a sealed\n"
	    "    memfd, its SHA-256 is checked against the build-time value, and it is\n"
	    "    started in a sandbox: new namespaces, an empty root, no capabilities,\n"
	    "    tight rlimits, Landlock, and a seccomp allowlist.");
	if ((r = dg_umd_new(&d, &u)) < 0 || (r = dg_umd_start(u)) < 0) {
		printf("    FAILED: %s\n", u ? dg_umd_last_error(u) : strerror(-r));
		return -1;
	}
	dg_umd_stats(u, &st);
	printf("    started pid %d in %.2f ms; namespaces: %s; Landlock ABI: %d\n",
	       dg_umd_pid(u), (double)st.last_start_ns / 1e6,
	       st.sandbox_namespaces ? "yes" : "no", st.sandbox_landlock);

	say("Talk to it through framed messages",
	    "Each request is a 16-byte header (magic, version, type, id, length) and a\n"
	    "    payload; the answer must carry the same id and fit the negotiated maximum.");
	if ((r = dg_umd_call(u, SAMPLE_ECHO, hello, sizeof(hello) - 1, &a)) < 0) {
		printf("    FAILED: %s\n", dg_umd_last_error(u));
		dg_umd_free(u);
		return -1;
	}
	printf("    sent \"%s\", got back \"%.*s\"\n", hello, (int)a.len, (const char *)a.data);
	dg_umd_answer_free(&a);

	say("A parser bug crashes only the parser",
	    "We ask the handler to crash. The manager notices, reaps it, reports the\n"
	    "    cause, and starts a fresh handler for the next request.");
	r = dg_umd_call(u, SAMPLE_CRASH, NULL, 0, &a);
	printf("    call returned %s: %s\n", r == -ECHILD ? "-ECHILD" : "unexpected",
	       dg_umd_last_error(u));
	r = dg_umd_call(u, SAMPLE_ECHO, "again", 5, &a);
	printf("    next call: %s (new pid %d)\n", r == 0 ? "answered" : "FAILED", dg_umd_pid(u));
	dg_umd_answer_free(&a);

	say("A hung parser is cut off at its deadline",
	    "The handler stops answering; after 500 ms the manager kills it.");
	r = dg_umd_call(u, SAMPLE_HANG, NULL, 0, &a);
	printf("    call returned %s: %s\n", r == -ETIMEDOUT ? "-ETIMEDOUT" : "unexpected",
	       dg_umd_last_error(u));
	dg_umd_stats(u, &st);
	printf("    starts %llu, restarts %llu, calls %llu\n",
	       (unsigned long long)st.starts, (unsigned long long)st.restarts,
	       (unsigned long long)st.calls);
	dg_umd_free(u);
	return 0;
}

/* Built by src/cli/demo-data/gen_pgp_demo.py (gpg) at build time. */
extern const unsigned char dg_demo_pgp_cert[], dg_demo_pgp_sig[], dg_demo_pgp_text[];
extern const size_t dg_demo_pgp_cert_len, dg_demo_pgp_sig_len, dg_demo_pgp_text_len;

static int demo_pgp(void)
{
	char hex[2 * DG_PGP_FPR_MAX + 1], pol[512];
	struct dg_pgp_policy p;
	struct dg_pgp_result res = { 0 };
	struct dg_pgp *pgp = NULL;
	unsigned char *bad;
	int r;

	say("Verify an OpenPGP signature",
	    "A certificate and a detached signature (made by gpg when digestguard was\n"
	    "    built) go to the sandboxed pgp handler; it answers with spans. The core\n"
	    "    re-checks every span against the original bytes, computes fingerprints\n"
	    "    itself, and verifies with OpenSSL over the original data.");
	if (!dg_demo_pgp_cert_len) {
		printf("    skipped: this binary was built without gpg, so it has no demo signature\n");
		return 0;
	}
	if (dg_pgp_new(&pgp) < 0)
		return -1;
	dg_pgp_get_policy(pgp, &p);
	dg_pgp_policy_describe(&p, pol, sizeof(pol));
	printf("    %s\n", pol);
	r = dg_pgp_keyring_add_mem(pgp, "demo certificate", dg_demo_pgp_cert, dg_demo_pgp_cert_len);
	printf("    keyring: %d certificate(s) with verified self-signatures\n", r < 0 ? 0 : r);
	r = dg_pgp_verify_detached(pgp, dg_demo_pgp_sig, dg_demo_pgp_sig_len, dg_demo_pgp_text,
				   dg_demo_pgp_text_len, &res);
	if (r == 0) {
		dg_pgp_fpr_hex(res.sigs[0].signer_fpr, res.sigs[0].fpr_len, hex);
		printf("    good %s/%s signature by %s\n", dg_pgp_pk_algo_name(res.sigs[0].pk_algo),
		       dg_pgp_hash_algo_name(res.sigs[0].hash_algo), hex);
	} else {
		printf("    FAILED: %s\n", dg_pgp_last_error(pgp));
	}
	dg_pgp_result_free(&res);
	bad = malloc(dg_demo_pgp_text_len);
	if (bad && r == 0) {
		memcpy(bad, dg_demo_pgp_text, dg_demo_pgp_text_len);
		bad[0] ^= 0x20;	/* one changed letter */
		r = dg_pgp_verify_detached(pgp, dg_demo_pgp_sig, dg_demo_pgp_sig_len, bad,
					   dg_demo_pgp_text_len, &res);
		printf("    the same text with one letter changed: %s (%s)\n",
		       r == -EKEYREJECTED ? "rejected" : "NOT REJECTED", dg_pgp_last_error(pgp));
		r = r == -EKEYREJECTED ? 0 : -1;
		dg_pgp_result_free(&res);
	}
	free(bad);
	dg_pgp_free(pgp);
	return r < 0 ? -1 : 0;
}

static int cmd_demo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("digestguard demo: untrusted formats are parsed only inside sandboxed\n"
	       "user mode drivers; the trusted side checks what they return.\n");
	if (demo_umd() < 0)
		return EXIT_FAIL;
	if (demo_pgp() < 0)
		return EXIT_FAIL;
	printf("\ndemo finished.\n");
	return EXIT_OK;
}

const struct cli_object cli_demo = {
	"demo", "run the main job on built-in demo data, step by step", NULL, cmd_demo,
};

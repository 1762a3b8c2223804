// SPDX-License-Identifier: MIT
/*
 * Malformed answers: each kind makes the call fail with -EBADMSG (or
 * -ETIMEDOUT for an answer that never completes), kills and replaces the
 * handler, and leaves the manager serving.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <unistd.h>

#include <digestguard/umd.h>

#include "blobs.h"
#include "liar_proto.h"
#include "selftest.h"
#include "tap.h"

extern const struct dg_umd_blob dg_blob_liar;

static struct dg_umd *liar(int timeout_ms)
{
	struct dg_umd_desc d = {
		.name = "liar", .blob = dg_blob_liar.data, .blob_len = dg_blob_liar.len,
		.blob_sha256 = dg_blob_liar.sha256, .timeout_ms = timeout_ms,
	};
	struct dg_umd *u = NULL;

	return dg_umd_new(&d, &u) < 0 ? NULL : u;
}

static int echo_ok(struct dg_umd *u)
{
	struct dg_umd_answer a;
	int r = dg_umd_call(u, L_ECHO, "ping", 4, &a);

	r = r == 0 && a.len == 4 && !memcmp(a.data, "ping", 4);
	dg_umd_answer_free(&a);
	return r;
}

static void expect_restarts(uint16_t type, int want, const char *words, unsigned restarts)
{
	struct dg_umd *u = liar(500);
	struct dg_umd_answer a;
	struct dg_umd_stats st;
	int r;

	CHECK(u && echo_ok(u), "liar handler starts and echoes");
	if (!u)
		return;
	r = dg_umd_call(u, type, "x", 1, &a);
	CHECK(r == want, "type 0x%x returned %d, want %d (%s)", type, r, want,
	      dg_umd_last_error(u));
	CHECK(strstr(dg_umd_last_error(u), words) != NULL,
	      "message '%s' lacks '%s'", dg_umd_last_error(u), words);
	CHECK(echo_ok(u), "manager serves the next call: %s", dg_umd_last_error(u));
	dg_umd_stats(u, &st);
	CHECK(st.restarts == restarts, "restarts %llu, want %u",
	      (unsigned long long)st.restarts, restarts);
	dg_umd_free(u);
}

/* Every malformed answer costs the handler its life: one restart. */
static void expect(uint16_t type, int want, const char *words)
{
	expect_restarts(type, want, words, 1);
}

TEST(test_answer_with_bad_magic_is_rejected) { expect(L_BAD_MAGIC, -EBADMSG, "bad frame header"); }
TEST(test_answer_with_bad_version_is_rejected) { expect(L_BAD_VERSION, -EBADMSG, "bad frame header"); }
TEST(test_answer_with_wrong_id_is_rejected) { expect(L_WRONG_ID, -EBADMSG, "does not match request id"); }
TEST(test_answer_with_wrong_type_is_rejected) { expect(L_WRONG_TYPE, -EBADMSG, "does not match request type"); }
TEST(test_answer_over_maximum_is_rejected) { expect(L_OVER_MAX, -EBADMSG, "over the maximum"); }
TEST(test_truncated_answer_is_rejected) { expect(L_TRUNCATED, -EBADMSG, "truncated"); }
TEST(test_short_header_then_eof_is_rejected) { expect(L_SHORT_HEADER, -EBADMSG, "truncated"); }
TEST(test_answer_with_trailing_bytes_is_rejected) { expect(L_TRAILING, -EBADMSG, "trailing"); }
/*
 * Bytes written after a complete answer may arrive after the manager has
 * returned that answer: they must fail the next call, before its request
 * is sent, and the handler must be replaced.
 */
TEST(test_late_trailing_bytes_fail_the_next_call)
{
	struct dg_umd *u = liar(500);
	struct dg_umd_answer a;
	struct dg_umd_stats st;
	int r, i;

	CHECK(u && echo_ok(u), "liar starts");
	if (!u)
		return;
	r = dg_umd_call(u, L_TRAILING_LATE, "x", 1, &a);
	if (r == 0)
		dg_umd_answer_free(&a);
	/* Either this call already saw them, or the next one must. */
	for (i = 0; i < 50 && r == 0; i++) {
		usleep(1000);
		r = dg_umd_call(u, L_ECHO, "x", 1, &a);
		if (r == 0)
			dg_umd_answer_free(&a);
	}
	CHECK(r == -EBADMSG, "late trailing bytes never rejected (r=%d)", r);
	CHECK(strstr(dg_umd_last_error(u), "after its last answer") ||
	      strstr(dg_umd_last_error(u), "trailing"), "message: %s", dg_umd_last_error(u));
	CHECK(echo_ok(u), "serves afterwards");
	dg_umd_stats(u, &st);
	CHECK(st.restarts == 1, "restarts %llu", (unsigned long long)st.restarts);
	dg_umd_free(u);
}

TEST(test_eof_without_answer_is_reported) { expect(L_EOF, -ECHILD, "exited with status 0"); }
TEST(test_error_frame_with_invalid_errno_is_rejected) { expect(L_BAD_ERRNO, -EBADMSG, "invalid errno"); }
TEST(test_answer_that_never_completes_times_out) { expect(L_SLOW_DRIP, -ETIMEDOUT, "did not answer within"); }
TEST(test_handler_error_is_passed_through_without_restart)
{
	/* A well-formed ERROR answer is the handler's verdict, not a fault. */
	expect_restarts(L_HANDLER_ERROR, -EBADMSG, "refusing this input on purpose", 0);
}

static long vm_peak_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPeak: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/*
 * An answer announcing ~4 GiB must be refused from its header alone: the
 * process's peak virtual size must not grow by anything like that (works
 * under ASan too, where an rlimit on the address space would not).
 */
TEST(test_oversized_answer_refused_before_allocation)
{
	struct dg_umd *u = liar(2000);
	struct dg_umd_answer a;
	long before, after;
	int r;

	CHECK(u && echo_ok(u), "liar starts");
	before = vm_peak_kb();
	r = u ? dg_umd_call(u, L_OVER_MAX, "x", 1, &a) : -1;
	after = vm_peak_kb();
	CHECK(r == -EBADMSG, "returned %d", r);
	CHECK(before > 0 && after - before < 256 * 1024,
	      "VmPeak grew from %ld to %ld kB", before, after);
	dg_umd_free(u);
}

TEST(test_malformed_answers_leak_nothing)
{
	static const uint16_t kinds[] = { L_BAD_MAGIC, L_TRUNCATED, L_TRAILING, L_EOF,
					  L_OVER_MAX, L_WRONG_ID };
	int fds = dg_count_fds(), kids = dg_count_children(), i;
	struct dg_umd *u = liar(500);
	struct dg_umd_answer a;

	for (i = 0; u && i < 60; i++)
		dg_umd_call(u, kinds[i % 6], "x", 1, &a);
	CHECK(u && echo_ok(u), "still serving");
	dg_umd_free(u);
	CHECK(dg_count_fds() == fds && dg_count_children() == kids,
	      "fds %d -> %d, children %d -> %d", fds, dg_count_fds(), kids,
	      dg_count_children());
}

int main(void)
{
	RUN(test_answer_with_bad_magic_is_rejected);
	RUN(test_answer_with_bad_version_is_rejected);
	RUN(test_answer_with_wrong_id_is_rejected);
	RUN(test_answer_with_wrong_type_is_rejected);
	RUN(test_answer_over_maximum_is_rejected);
	RUN(test_truncated_answer_is_rejected);
	RUN(test_short_header_then_eof_is_rejected);
	RUN(test_answer_with_trailing_bytes_is_rejected);
	RUN(test_late_trailing_bytes_fail_the_next_call);
	RUN(test_eof_without_answer_is_reported);
	RUN(test_error_frame_with_invalid_errno_is_rejected);
	RUN(test_answer_that_never_completes_times_out);
	RUN(test_handler_error_is_passed_through_without_restart);
	RUN(test_oversized_answer_refused_before_allocation);
	RUN(test_malformed_answers_leak_nothing);
	return tap_done();
}

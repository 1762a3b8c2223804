// SPDX-License-Identifier: MIT
/*
 * Malformed answers: each kind makes the call fail with -EBADMSG (or
 * -ETIMEDOUT for an answer that never completes), kills and replaces the
 * handler, and leaves the manager serving.  Also: a handler that exits or
 * speaks between calls never fails the next, unrelated request; a slow
 * reader cannot stretch a send past the deadline; a handler cannot fake
 * the manager's own error codes; a busy handler is replaced before its
 * life-long CPU time limit can cut an honest call short.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <digestguard/umd.h>

#include "blobs.h"
#include "cursor.h"
#include "frame.h"
#include "liar_proto.h"
#include "selftest.h"
#include "tap.h"

extern const struct dg_umd_blob dg_blob_liar;

static struct dg_umd *liar_max(int timeout_ms, uint32_t max_frame)
{
	struct dg_umd_desc d = {
		DG_UMD_DESC_BLOB(&dg_blob_liar), .timeout_ms = timeout_ms,
		.max_frame = max_frame,
	};
	struct dg_umd *u = NULL;

	return dg_umd_new(&d, &u) < 0 ? NULL : u;
}

static struct dg_umd *liar(int timeout_ms)
{
	return liar_max(timeout_ms, 0);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Wait, up to @ms, until handler @pid has exited (it stays a zombie until
 * the manager reaps it, so the pid is still its own); its files, the
 * channel among them, are closed before its pidfd says so.  0 or -errno.
 */
static int wait_exited(pid_t pid, int ms)
{
	struct pollfd p = { .events = POLLIN };
	int r;

	p.fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (p.fd < 0)
		return -errno;
	r = poll(&p, 1, ms);
	close(p.fd);
	return r > 0 ? 0 : r == 0 ? -ETIMEDOUT : -errno;
}

/*
 * Wait, up to @ms, until handler @pid sleeps (state S in /proc/PID/stat).
 * A liar that has answered and then writes more only runs (spins, writes)
 * until it blocks in its last read, so once it sleeps all it wrote is in
 * the channel.  0 or -errno.
 */
static int wait_sleeping(pid_t pid, int ms)
{
	uint64_t end = mono_ms() + (uint64_t)ms;
	char path[64], buf[512], *rp;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	do {
		f = fopen(path, "r");
		if (!f)
			return -errno;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		rp = strrchr(buf, ')');	/* the name in parentheses may hold anything */
		if (rp && rp[1] == ' ' && rp[2] == 'S')
			return 0;
		usleep(1000);
	} while (mono_ms() < end);
	return -ETIMEDOUT;
}

/* A call with a le32 argument; the answer, if any, is dropped. */
static int call_u32(struct dg_umd *u, uint16_t type, uint32_t v)
{
	struct dg_umd_answer a;
	uint8_t req[4];
	int r;

	put_le32(req, v);
	r = dg_umd_call(u, type, req, sizeof(req), &a);
	if (r == 0)
		dg_umd_answer_free(&a);
	return r;
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
/* The message names the length the answer announced (0xfffffff0). */
TEST(test_answer_over_maximum_is_rejected) { expect(L_OVER_MAX, -EBADMSG, "announces 4294967280 bytes, over the maximum"); }
TEST(test_truncated_answer_is_rejected) { expect(L_TRUNCATED, -EBADMSG, "truncated"); }
TEST(test_short_header_then_eof_is_rejected) { expect(L_SHORT_HEADER, -EBADMSG, "truncated"); }
TEST(test_answer_with_trailing_bytes_is_rejected) { expect(L_TRAILING, -EBADMSG, "trailing"); }
/*
 * Bytes written after a complete answer may arrive after the manager has
 * returned that answer.  They are found before the next request is sent:
 * that handler is killed and counted as a failure, and the next request,
 * which has nothing to do with them, goes to a fresh handler and succeeds.
 */
TEST(test_late_trailing_bytes_replace_the_handler_not_fail_the_next_call)
{
	struct dg_umd *u = liar(500);
	struct dg_umd_answer a;
	struct dg_umd_stats st;
	int r, pid;

	CHECK(u && echo_ok(u), "liar starts");
	if (!u)
		return;
	pid = dg_umd_pid(u);
	r = dg_umd_call(u, L_TRAILING_LATE, "x", 1, &a);
	/* This call may already see them with its answer (then it fails). */
	CHECK(r == 0 || r == -EBADMSG, "trailing-late call returned %d (%s)", r,
	      dg_umd_last_error(u));
	if (r == 0) {
		dg_umd_answer_free(&a);
		/* Let "LATE" (written 20 ms later) land first: a fixed 100 ms
		 * is not enough on a busy machine. */
		r = wait_sleeping(pid, 10000);
		CHECK(r == 0, "the handler did not block after its late bytes: %d", r);
	}
	CHECK(echo_ok(u), "the next call failed: %s", dg_umd_last_error(u));
	CHECK(dg_umd_pid(u) != pid, "the handler that sent stray bytes still serves");
	CHECK(strstr(dg_umd_last_error(u), "after its last answer") ||
	      strstr(dg_umd_last_error(u), "trailing"), "message: %s", dg_umd_last_error(u));
	dg_umd_stats(u, &st);
	CHECK(st.failures == 1 && st.restarts == 1, "failures %llu, restarts %llu",
	      (unsigned long long)st.failures, (unsigned long long)st.restarts);
	CHECK(echo_ok(u), "serves afterwards");
	dg_umd_free(u);
}

/*
 * A handler that exits after a complete answer is gone before the next
 * request: that request gets a fresh handler instead of "handler died".
 */
TEST(test_handler_exit_between_calls_does_not_fail_the_next_call)
{
	struct dg_umd *u = liar(500);
	struct dg_umd_answer a;
	struct dg_umd_stats st;
	int r, i, pid;

	CHECK(u && echo_ok(u), "liar starts");
	if (!u)
		return;
	for (i = 0; i < 3; i++) {
		pid = dg_umd_pid(u);
		r = dg_umd_call(u, L_ANSWER_THEN_EXIT, "x", 1, &a);
		CHECK(r == 0 && a.len == 4, "answer-then-exit call %d returned %d (%s)", i, r,
		      dg_umd_last_error(u));
		if (r == 0)
			dg_umd_answer_free(&a);
		/* Until it has exited: a fixed 50 ms is not enough on a busy
		 * machine (then the next call goes to it and fails). */
		r = wait_exited(pid, 10000);
		CHECK(r == 0, "handler %d did not exit after its answer: %d", pid, r);
		CHECK(echo_ok(u), "call %d after the exit failed: %s", i, dg_umd_last_error(u));
		CHECK(strstr(dg_umd_last_error(u), "exited") != NULL, "message: %s",
		      dg_umd_last_error(u));
	}
	dg_umd_stats(u, &st);
	CHECK(st.failures == 3 && st.restarts == 3, "failures %llu, restarts %llu",
	      (unsigned long long)st.failures, (unsigned long long)st.restarts);
	dg_umd_free(u);
}

/*
 * A handler that dies after its hello but before its first request is
 * replaced before the request is sent, as one that dies between calls is:
 * the first call does not fail for it.
 */
TEST(test_handler_dying_after_its_hello_does_not_fail_the_first_call)
{
	struct dg_umd *u = liar(2000);
	struct dg_umd_stats st;
	int pid, spins;

	CHECK(u && dg_umd_launch(u) == 0, "launch: %s", u ? dg_umd_last_error(u) : "no context");
	if (!u)
		return;
	pid = dg_umd_pid(u);
	/* its hello is in the channel (readable): "starting" ends */
	for (spins = 0; dg_umd_starting(u) && spins < 10000; spins++)
		usleep(1000);
	CHECK(!dg_umd_starting(u) && pid > 0, "the hello of handler %d never came", pid);
	kill(pid, SIGKILL);
	CHECK(wait_exited(pid, 10000) == 0, "handler %d did not die", pid);
	CHECK(echo_ok(u), "first call failed: %s", dg_umd_last_error(u));
	dg_umd_stats(u, &st);
	CHECK(st.starts == 2 && st.failures == 1 && dg_umd_pid(u) != pid,
	      "starts %llu, failures %llu, pid %d (was %d)", (unsigned long long)st.starts,
	      (unsigned long long)st.failures, dg_umd_pid(u), pid);
	dg_umd_free(u);
}

/*
 * The socket fds of this process, as a bit set over fds 0..1023: the
 * manager's channel is the one a new handler adds.
 */
static void socket_fds(uint8_t set[128])
{
	char path[64], l[64];
	ssize_t len;
	int fd;

	memset(set, 0, 128);
	for (fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		len = readlink(path, l, sizeof(l) - 1);
		if (len > 0 && (l[len] = '\0', !strncmp(l, "socket:", 7)))
			set[fd / 8] |= (uint8_t)(1u << (fd % 8));
	}
}

/* The one socket fd in @after but not in @before; -1 if not exactly one. */
static int new_socket_fd(const uint8_t before[128], const uint8_t after[128])
{
	int fd, found = -1;

	for (fd = 0; fd < 1024; fd++)
		if ((after[fd / 8] & ~before[fd / 8]) & (1u << (fd % 8))) {
			if (found >= 0)
				return -1;
			found = fd;
		}
	return found;
}

/*
 * A handler that takes its request a few KiB at a time must not hold the
 * manager in sendmsg() past the deadline.  The request is just under the
 * bulk threshold (256 KiB) so it goes through the socket.  The test shrinks
 * the manager's end of the channel to the smallest send buffer (SO_SNDBUF,
 * about 4.5 KiB): the reader then frees a buffer every ~50 ms, far within
 * the 300 ms deadline even on a busy machine, and taking the whole request
 * that way takes over 3 s.  So only an overall deadline on the send stops
 * it near 300 ms; a deadline per buffer (a blocking sendmsg() under
 * SO_SNDTIMEO, the bug of 881e06f) waits the 3 s out.  (With the default
 * buffer of ~210 KiB, only the last ~40 KiB had to wait, a buffer freed
 * every ~250 ms: under load that bug timed out too and the test could not
 * fail, and a working send could miss the old 500 ms bound.)
 * Not before 300 ms, and well before 3 s: under 1500 ms.
 */
TEST(test_slow_reader_cannot_stretch_a_send_past_the_deadline)
{
	size_t n = (256u << 10) - 1;
	uint8_t *big = calloc(1, n), req[8], before[128], after[128];
	struct dg_umd *u;
	struct dg_umd_answer a;
	struct dg_umd_stats st;
	uint64_t t0, dt;
	int r, fd, min = 1;

	socket_fds(before);
	u = liar(300);
	CHECK(u && big && echo_ok(u), "liar starts");
	if (!u || !big)
		goto out;
	put_le32(req, 4096);	/* 4 KiB every 25 ms */
	put_le32(req + 4, 25);
	r = dg_umd_call(u, L_SLOW_READER, req, sizeof(req), &a);
	CHECK(r == 0, "slow-reader call returned %d (%s)", r, dg_umd_last_error(u));
	if (r)
		goto out;
	dg_umd_answer_free(&a);
	socket_fds(after);
	fd = new_socket_fd(before, after);
	CHECK(fd >= 0, "the channel is not the one new socket fd of this process");
	if (fd < 0)
		goto out;
	r = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &min, sizeof(min));
	CHECK(r == 0, "SO_SNDBUF on the channel (fd %d): %s", fd, strerror(errno));
	t0 = mono_ms();
	r = dg_umd_call(u, L_ECHO, big, n, &a);
	dt = mono_ms() - t0;
	if (r == 0)
		dg_umd_answer_free(&a);
	CHECK(r == -ETIMEDOUT, "large request to a slow reader returned %d after %llu ms (%s)",
	      r, (unsigned long long)dt, dg_umd_last_error(u));
	CHECK(dt >= 300, "the call gave up after %llu ms, before its 300 ms deadline",
	      (unsigned long long)dt);
	CHECK(dt < 1500, "the call took %llu ms with a 300 ms deadline (a send that waits "
	      "for the slow reader takes over 3000 ms)", (unsigned long long)dt);
	CHECK(strstr(dg_umd_last_error(u), "take its request within 300 ms") != NULL,
	      "message: %s", dg_umd_last_error(u));
	CHECK(echo_ok(u), "serves afterwards: %s", dg_umd_last_error(u));
	dg_umd_stats(u, &st);
	CHECK(st.restarts == 1, "restarts %llu", (unsigned long long)st.restarts);
out:
	free(big);
	dg_umd_free(u);
}

/*
 * A correct answer that arrives one byte per write, header and payload
 * alike, is put together whole: a frame split across any number of reads.
 */
TEST(test_answer_in_one_byte_pieces_is_assembled)
{
	static const char msg[] = "split across forty reads";
	struct dg_umd *u = liar(2000);
	struct dg_umd_answer a;
	int r;

	CHECK(u && echo_ok(u), "liar starts");
	r = u ? dg_umd_call(u, L_BYTEWISE, msg, sizeof(msg) - 1, &a) : -1;
	CHECK(r == 0 && a.len == sizeof(msg) - 1 && !memcmp(a.data, msg, a.len),
	      "returned %d (%s)", r, u ? dg_umd_last_error(u) : "");
	if (r == 0)
		dg_umd_answer_free(&a);
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

/*
 * -ETIMEDOUT and -ECHILD say the manager killed the handler; -EKEYREJECTED
 * and -ENOKEY are verdicts only the trusted side gives.  A handler's ERROR
 * frame carrying one of them becomes -EPROTO, its message kept.
 */
TEST(test_handler_cannot_fake_the_managers_own_errors)
{
	static const int reserved[] = { -ETIMEDOUT, -ECHILD, -EKEYREJECTED, -ENOKEY };
	struct dg_umd *u = liar(2000);
	struct dg_umd_stats st;
	size_t i;
	int r;

	CHECK(u && echo_ok(u), "liar starts");
	for (i = 0; u && i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		r = call_u32(u, L_FAKE_ERRNO, (uint32_t)reserved[i]);
		CHECK(r == -EPROTO, "handler errno %d came back as %d (%s)", reserved[i], r,
		      dg_umd_last_error(u));
		CHECK(strstr(dg_umd_last_error(u), "pretending errno") &&
		      strstr(dg_umd_last_error(u), "reserved"), "message: %s",
		      dg_umd_last_error(u));
	}
	CHECK(u && echo_ok(u), "serves afterwards");
	if (u) {
		dg_umd_stats(u, &st);
		CHECK(st.restarts == 0, "restarts %llu", (unsigned long long)st.restarts);
	}
	dg_umd_free(u);
}

/* A parser's own verdicts reach the caller unchanged. */
TEST(test_handler_parser_errnos_pass_through)
{
	static const int mine[] = { -EBADMSG, -E2BIG, -ENODATA, -EOPNOTSUPP, -ENOMEM, -EIO,
				    -EINVAL };
	struct dg_umd *u = liar(2000);
	size_t i;
	int r;

	CHECK(u && echo_ok(u), "liar starts");
	for (i = 0; u && i < sizeof(mine) / sizeof(mine[0]); i++) {
		r = call_u32(u, L_FAKE_ERRNO, (uint32_t)mine[i]);
		CHECK(r == mine[i], "handler errno %d came back as %d (%s)", mine[i], r,
		      dg_umd_last_error(u));
	}
	dg_umd_free(u);
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

static long vm_size_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmSize: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/* Child of the test below: 0, or which step failed. */
static int enomem_child(void)
{
	struct dg_umd *u = liar_max(2000, DG_FRAME_MAX_LIMIT);
	struct rlimit old, rl;
	struct dg_umd_stats st;
	long kb;
	int r;

	if (!u || !echo_ok(u))
		return 10;
	kb = vm_size_kb();
	if (kb <= 0 || getrlimit(RLIMIT_AS, &old) < 0)
		return 11;
	/* Room for the manager, not for a 768 MiB answer. */
	rl = old;
	rl.rlim_cur = ((rlim_t)kb << 10) + (64u << 20);
	if (setrlimit(RLIMIT_AS, &rl) < 0)
		return 12;
	r = call_u32(u, L_HUGE_ANSWER, 768u << 20);
	setrlimit(RLIMIT_AS, &old);
	if (r != -ENOMEM) {
		printf("# huge answer returned %d: %s\n", r, dg_umd_last_error(u));
		return 1;
	}
	if (!strstr(dg_umd_last_error(u), "out of memory")) {
		printf("# message: %s\n", dg_umd_last_error(u));
		return 2;
	}
	if (dg_umd_pid(u) != 0) {
		printf("# the handler is still running with its frame half read\n");
		return 3;
	}
	if (!echo_ok(u)) {
		printf("# the next call failed: %s\n", dg_umd_last_error(u));
		return 4;
	}
	dg_umd_stats(u, &st);
	if (st.failures != 1 || st.restarts != 1) {
		printf("# failures %llu, restarts %llu\n", (unsigned long long)st.failures,
		       (unsigned long long)st.restarts);
		return 5;
	}
	dg_umd_free(u);
	return 0;
}

/*
 * No memory for an answer: the frame is half read, so the stream is out
 * of step; the handler must go, and the next call gets a fresh one.  Runs
 * in a child because it lowers RLIMIT_AS.
 */
TEST(test_answer_the_manager_cannot_allocate_kills_the_handler)
{
	int status = -1;

#if defined(__SANITIZE_ADDRESS__)
	SKIP("ASan's allocator aborts instead of returning NULL under RLIMIT_AS");
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	SKIP("ASan's allocator aborts instead of returning NULL under RLIMIT_AS");
#endif
#endif
	status = tap_in_child(enomem_child);
	CHECK(status == 0, "child: %d", status);
}

/*
 * RLIMIT_CPU counts a handler's whole life, not one call: a handler that
 * serves many honest, CPU-hungry calls must be replaced before a call
 * could take it over the limit, not killed in the middle of one (which
 * failed that call with -ECHILD, "killed by signal 9").  Limit 2 s,
 * 10 calls of 300 ms CPU time each: 3 s in all.  The deadline is over
 * half the limit, so the room kept for a call is half the limit: a
 * handler goes once it has used 1 s.  Any deadline over 1 s does the
 * same, so it is 30 s (was 5): with a tenth of a CPU, a call of 300 ms
 * CPU time takes 3 s of wall time, and a call must not time out.
 */
TEST(test_cpu_limit_replaces_a_busy_handler_between_calls_not_during_one)
{
	struct dg_umd_desc d = {
		DG_UMD_DESC_BLOB(&dg_blob_liar), .timeout_ms = 30000, .rlimit_cpu = 2,
	};
	struct dg_umd_stats st;
	struct dg_umd *u = NULL;
	int i, r = 0;

	CHECK(dg_umd_new(&d, &u) == 0 && echo_ok(u), "liar starts");
	for (i = 0; u && i < 10 && r == 0; i++) {
		r = call_u32(u, L_SPIN, 300);
		CHECK(r == 0, "call %d (300 ms of CPU time) returned %d: %s", i, r,
		      dg_umd_last_error(u));
	}
	if (u) {
		dg_umd_stats(u, &st);
		CHECK(st.failures == 0 && st.restarts == 0 && st.starts >= 2,
		      "starts %llu, restarts %llu, failures %llu", (unsigned long long)st.starts,
		      (unsigned long long)st.restarts, (unsigned long long)st.failures);
	}
	dg_umd_free(u);
}

/*
 * One call that alone takes more CPU time than the limit: the kernel
 * kills the handler (SIGKILL at the hard limit), and the message says it
 * was the CPU time limit, not just "killed".  The limit counts CPU time,
 * the deadline wall time: on a busy machine the handler may get a tenth
 * of a CPU, and 1 s of CPU time took over 10 s (the call timed out,
 * -ETIMEDOUT).  The deadline is only the backstop for a limit that does
 * not work: 60 s, which the call never waits out when it does.
 */
TEST(test_handler_killed_at_its_cpu_limit_is_reported_as_such)
{
	struct dg_umd_desc d = {
		DG_UMD_DESC_BLOB(&dg_blob_liar), .timeout_ms = 60000, .rlimit_cpu = 1,
	};
	struct dg_umd *u = NULL;
	int r;

	CHECK(dg_umd_new(&d, &u) == 0 && echo_ok(u), "liar starts");
	r = u ? call_u32(u, L_SPIN, 3000) : -1;
	CHECK(r == -ECHILD, "3 s of CPU time under a 1 s limit returned %d", r);
	CHECK(u && strstr(dg_umd_last_error(u), "CPU time limit of 1 s"), "message: %s",
	      u ? dg_umd_last_error(u) : "");
	CHECK(u && echo_ok(u), "serves afterwards");
	dg_umd_free(u);
}

/*
 * The deadline of a call is the one in force when it is made.  A handler
 * launched under a 1 ms deadline and held up before its hello (stopped
 * here for 200 ms, as a busy machine might) must have the 10 s its first
 * call was made with, not the 1 ms still set as the channel's receive
 * timeout (the call failed with -ETIMEDOUT "did not answer within ...
 * ms" a few ms in).  10 s, not 2: the hello and the echo after the 200 ms
 * stop must fit in it on a busy machine.
 */
TEST(test_a_raised_deadline_holds_for_a_hello_launched_under_a_shorter_one)
{
	struct dg_umd *u = liar(1);
	pid_t pid, waker = -1;
	uint64_t t0;
	int status;

	CHECK(u && dg_umd_launch(u) == 0, "launch: %s", u ? dg_umd_last_error(u) : "");
	pid = u ? dg_umd_pid(u) : 0;
	if (pid <= 0 || kill(pid, SIGSTOP) < 0)
		goto out;
	waker = fork();
	if (waker == 0) {
		usleep(200 * 1000);
		kill(pid, SIGCONT);
		_exit(0);
	}
	dg_umd_set_timeout(u, 10000);
	t0 = mono_ms();
	CHECK(echo_ok(u), "the first call failed after %llu ms: %s",
	      (unsigned long long)(mono_ms() - t0), dg_umd_last_error(u));
out:
	if (waker > 0)
		waitpid(waker, &status, 0);
	dg_umd_free(u);
}

/* Child of the test below: 0, or which step failed. */
static int dies_mid_request_child(void)
{
	size_t n = (256u << 10) - 1;	/* through the socket, more than it buffers */
	uint8_t *big = calloc(1, n);
	struct dg_umd *u = liar(5000);
	struct dg_umd_answer a;
	pid_t pid, killer;
	int r, status;

	signal(SIGPIPE, SIG_DFL);	/* what a caller that never thought of it has */
	if (!big || !u || !echo_ok(u))
		return 10;
	pid = dg_umd_pid(u);
	if (kill(pid, SIGSTOP) < 0)	/* takes nothing: the send fills the socket */
		return 11;
	killer = fork();
	if (killer == 0) {
		usleep(200 * 1000);
		kill(pid, SIGKILL);
		_exit(0);
	}
	r = dg_umd_call(u, L_ECHO, big, n, &a);
	waitpid(killer, &status, 0);
	if (r != -ECHILD || !strstr(dg_umd_last_error(u), "signal 9")) {
		printf("# returned %d: %s\n", r, dg_umd_last_error(u));
		return 1;
	}
	if (!echo_ok(u)) {
		printf("# the next call failed: %s\n", dg_umd_last_error(u));
		return 2;
	}
	dg_umd_free(u);
	free(big);
	return 0;
}

/*
 * A handler that dies while the manager is still writing its request: the
 * call fails with -ECHILD and the cause, and the manager, with SIGPIPE at
 * its default action, lives on (every send is MSG_NOSIGNAL).  In a child,
 * since this program ignores SIGPIPE.
 */
TEST(test_handler_dying_mid_request_costs_the_call_not_the_manager)
{
	int status = tap_in_child(dies_mid_request_child);

	CHECK(status == 0, "child: %d", status);
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
	alarm(300);	/* watchdog: every case has its own deadline, this is the backstop */
	signal(SIGPIPE, SIG_IGN);
	RUN(test_answer_with_bad_magic_is_rejected);
	RUN(test_answer_with_bad_version_is_rejected);
	RUN(test_answer_with_wrong_id_is_rejected);
	RUN(test_answer_with_wrong_type_is_rejected);
	RUN(test_answer_over_maximum_is_rejected);
	RUN(test_truncated_answer_is_rejected);
	RUN(test_short_header_then_eof_is_rejected);
	RUN(test_answer_with_trailing_bytes_is_rejected);
	RUN(test_late_trailing_bytes_replace_the_handler_not_fail_the_next_call);
	RUN(test_handler_exit_between_calls_does_not_fail_the_next_call);
	RUN(test_handler_dying_after_its_hello_does_not_fail_the_first_call);
	RUN(test_slow_reader_cannot_stretch_a_send_past_the_deadline);
	RUN(test_answer_in_one_byte_pieces_is_assembled);
	RUN(test_eof_without_answer_is_reported);
	RUN(test_error_frame_with_invalid_errno_is_rejected);
	RUN(test_answer_that_never_completes_times_out);
	RUN(test_handler_error_is_passed_through_without_restart);
	RUN(test_handler_cannot_fake_the_managers_own_errors);
	RUN(test_handler_parser_errnos_pass_through);
	RUN(test_oversized_answer_refused_before_allocation);
	RUN(test_answer_the_manager_cannot_allocate_kills_the_handler);
	RUN(test_cpu_limit_replaces_a_busy_handler_between_calls_not_during_one);
	RUN(test_handler_killed_at_its_cpu_limit_is_reported_as_such);
	RUN(test_a_raised_deadline_holds_for_a_hello_launched_under_a_shorter_one);
	RUN(test_handler_dying_mid_request_costs_the_call_not_the_manager);
	RUN(test_malformed_answers_leak_nothing);
	return tap_done();
}

// SPDX-License-Identifier: MIT
#include "selftest.h"

#include <errno.h>
#include <signal.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <digestguard/umd.h>

#include "blobs.h"
#include "cursor.h"
#include "frame.h"
#include "sample_proto.h"

/*
 * Report and fail.  Every self-test keeps its status in r; a check that
 * fails while r is still 0 from an earlier step must not end in "PASS".
 */
#define FAIL(...)                                        \
	do {                                             \
		snprintf(msg, msglen, __VA_ARGS__);      \
		if (r >= 0)                              \
			r = -EPROTO;                     \
		goto out;                                \
	} while (0)

static int open_umd(const struct dg_umd_blob *b, int timeout_ms, unsigned flags,
		    struct dg_umd **u)
{
	struct dg_umd_desc d = {
		DG_UMD_DESC_BLOB(b), .timeout_ms = timeout_ms, .flags = flags,
	};

	return dg_umd_new(&d, u);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Echo @n bytes of pseudo-random content and compare. */
static int echo_check(struct dg_umd *u, size_t n, unsigned seed, char *msg, size_t msglen)
{
	struct dg_umd_answer a;
	uint8_t *p = malloc(n ? n : 1);
	size_t i;
	int r;

	if (!p) {
		snprintf(msg, msglen, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		p[i] = (uint8_t)((i * 2654435761u + seed) >> 13);
	r = dg_umd_call(u, SAMPLE_ECHO, p, n, &a);
	if (r < 0)
		snprintf(msg, msglen, "echo of %zu bytes: %s", n, dg_umd_last_error(u));
	else if (a.len != n || (n && memcmp(a.data, p, n)))
		r = -EBADMSG, snprintf(msg, msglen, "echo of %zu bytes came back as %zu different bytes", n, a.len);
	dg_umd_answer_free(&a);
	free(p);
	return r;
}

static int sized_check(struct dg_umd *u, uint32_t n, char *msg, size_t msglen)
{
	struct dg_umd_answer a;
	uint8_t req[4];
	uint32_t i;
	int r;

	put_le32(req, n);
	r = dg_umd_call(u, SAMPLE_SIZED, req, 4, &a);
	if (r < 0) {
		snprintf(msg, msglen, "sized %u: %s", n, dg_umd_last_error(u));
		return r;
	}
	if (a.len != n)
		r = -EBADMSG;
	for (i = 0; !r && i < n; i++)
		if (a.data[i] != sample_byte(i, n))
			r = -EBADMSG;
	if (r)
		snprintf(msg, msglen, "sized %u: wrong answer content or length %zu", n, a.len);
	dg_umd_answer_free(&a);
	return r;
}

static int st_frame_sizes(const struct dg_umd_blob *b, char *msg, size_t msglen)
{
	static const size_t sizes[] = { 0, 1, 4095, 65536, 65537, 1u << 20, 16u << 20 };
	struct dg_umd *u = NULL;
	size_t i;
	int r = open_umd(b, 5000, 0, &u);

	if (r < 0)
		FAIL("dg_umd_new: %s", strerror(-r));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if ((r = echo_check(u, sizes[i], (unsigned)i, msg, msglen)) < 0)
			goto out;
out:
	dg_umd_free(u);
	return r;
}

/* One request in @n pieces cut from @p at @cuts (n - 1 of them), echoed. */
static int pieces_check(struct dg_umd *u, const uint8_t *p, size_t len, const size_t *cuts,
			int n, char *msg, size_t msglen)
{
	struct iovec v[DG_UMD_IOV_MAX];
	struct dg_umd_answer a;
	size_t at = 0;
	int i, r;

	for (i = 0; i < n; i++) {
		size_t end = i < n - 1 ? cuts[i] : len;

		v[i].iov_base = (void *)(p + at);
		v[i].iov_len = end - at;
		at = end;
	}
	r = dg_umd_callv(u, SAMPLE_ECHO, v, n, &a);
	if (r < 0)
		snprintf(msg, msglen, "%zu bytes in %d pieces: %s", len, n, dg_umd_last_error(u));
	else if (a.len != len || (len && memcmp(a.data, p, len)))
		r = -EBADMSG, snprintf(msg, msglen, "%zu bytes in %d pieces came back as %zu "
				       "different bytes", len, n, a.len);
	dg_umd_answer_free(&a);
	return r;
}

static int st_request_pieces(const struct dg_umd_blob *b, char *msg, size_t msglen)
{
	/* Over the socket (small) and through the bulk memfd (1 MiB), with an
	 * empty piece among them. */
	static const size_t small_cuts[] = { 5, 5, 100 }, big_cuts[] = { 8, 300000, 300000 };
	const size_t big = 1u << 20;
	struct iovec v[DG_UMD_IOV_MAX + 1] = { { 0 } };
	struct dg_umd_answer a;
	struct dg_umd *u = NULL;
	uint8_t *p = malloc(big);
	size_t i;
	int r = p ? open_umd(b, 5000, 0, &u) : -ENOMEM;

	if (r < 0)
		FAIL("set-up: %s", strerror(-r));
	for (i = 0; i < big; i++)
		p[i] = (uint8_t)((i * 2654435761u) >> 11);
	if ((r = pieces_check(u, p, 4000, small_cuts, 4, msg, msglen)) < 0 ||
	    (r = pieces_check(u, p, big, big_cuts, 4, msg, msglen)) < 0 ||
	    (r = pieces_check(u, p, 7, NULL, 1, msg, msglen)) < 0)
		goto out;
	r = dg_umd_callv(u, SAMPLE_ECHO, v, DG_UMD_IOV_MAX + 1, &a);
	if (r != -EINVAL)
		FAIL("%d pieces returned %d, expected -EINVAL", DG_UMD_IOV_MAX + 1, r);
	v[0].iov_len = 1;	/* a length without bytes */
	r = dg_umd_callv(u, SAMPLE_ECHO, v, 1, &a);
	if (r != -EINVAL)
		FAIL("a piece without a pointer returned %d, expected -EINVAL", r);
	r = pieces_check(u, p, 3, (const size_t[]){ 1 }, 2, msg, msglen);
out:
	dg_umd_free(u);
	free(p);
	return r;
}

static int st_sized_answer(const struct dg_umd_blob *b, char *msg, size_t msglen)
{
	struct dg_umd *u = NULL;
	int r = open_umd(b, 0, 0, &u);

	if (r < 0)
		FAIL("dg_umd_new: %s", strerror(-r));
	r = sized_check(u, 128u << 10, msg, msglen);
out:
	dg_umd_free(u);
	return r;
}

static int st_random_500(const struct dg_umd_blob *b, char *msg, size_t msglen)
{
	struct dg_umd *u = NULL;
	unsigned seed = 12345;
	int i, r = open_umd(b, 0, 0, &u);

	if (r < 0)
		FAIL("dg_umd_new: %s", strerror(-r));
	for (i = 0; i < 500; i++) {
		size_t n;

		seed = seed * 1103515245u + 12345u;
		/* Mostly small, sometimes up to 256 KiB: both read paths. */
		n = (seed >> 8) % (i % 10 == 0 ? (256u << 10) : 512u);
		if ((r = echo_check(u, n, seed, msg, msglen)) < 0)
			goto out;
	}
out:
	dg_umd_free(u);
	return r;
}

static int st_reload_cycles(const struct dg_umd_blob *b, char *msg, size_t msglen)
{
	struct dg_umd_stats st;
	struct dg_umd *u = NULL;
	int i, r = open_umd(b, 0, 0, &u);

	if (r < 0)
		FAIL("dg_umd_new: %s", strerror(-r));
	for (i = 0; i < 20; i++) {
		if ((r = dg_umd_start(u)) < 0)
			FAIL("start %d: %s", i, dg_umd_last_error(u));
		if ((r = echo_check(u, 100, (unsigned)i, msg, msglen)) < 0)
			goto out;
		dg_umd_stop(u);
		if (dg_umd_pid(u) != 0)
			FAIL("handler still running after stop");
	}
	dg_umd_stats(u, &st);
	if (st.starts != 20 || st.restarts != 0)
		FAIL("expected 20 starts, 0 restarts; got %llu, %llu",
		     (unsigned long long)st.starts, (unsigned long long)st.restarts);
out:
	dg_umd_free(u);
	return r;
}

static int st_crash_recovery(const struct dg_umd_blob *b, char *msg, size_t msglen)
{
	struct dg_umd_answer a;
	struct dg_umd_stats st;
	struct dg_umd *u = NULL;
	int r = open_umd(b, 0, 0, &u);

	if (r < 0)
		FAIL("dg_umd_new: %s", strerror(-r));
	if ((r = echo_check(u, 10, 1, msg, msglen)) < 0)
		goto out;
	r = dg_umd_call(u, SAMPLE_CRASH, NULL, 0, &a);
	if (r != -ECHILD)
		FAIL("crash request returned %d, expected -ECHILD", r);
	if (!strstr(dg_umd_last_error(u), "signal 11"))
		FAIL("crash not reported as SIGSEGV: %s", dg_umd_last_error(u));
	if ((r = echo_check(u, 10, 2, msg, msglen)) < 0)
		goto out;
	dg_umd_stats(u, &st);
	if (st.restarts != 1 || st.failures != 1)
		FAIL("expected 1 restart and 1 failure, got %llu and %llu",
		     (unsigned long long)st.restarts, (unsigned long long)st.failures);
	r = 0;
out:
	dg_umd_free(u);
	return r;
}

/* Large requests go through the bulk memfd; a new handler must get it again. */
static int st_bulk_after_restart(const struct dg_umd_blob *b, char *msg, size_t msglen)
{
	struct dg_umd_answer a;
	struct dg_umd *u = NULL;
	int i, r = open_umd(b, 5000, 0, &u);

	if (r < 0)
		FAIL("dg_umd_new: %s", strerror(-r));
	for (i = 0; i < 3; i++) {
		if ((r = echo_check(u, (1u << 20) + (size_t)i, (unsigned)i, msg, msglen)) < 0)
			goto out;
		if ((r = echo_check(u, 300u << 10, (unsigned)i + 7, msg, msglen)) < 0)
			goto out;
		r = dg_umd_call(u, SAMPLE_CRASH, NULL, 0, &a);
		if (r != -ECHILD)
			FAIL("crash %d returned %d", i, r);
	}
	r = 0;
out:
	dg_umd_free(u);
	return r;
}

/* A hanging request on @u (deadline 300 ms) is cut at its deadline. */
static int hang_is_cut(struct dg_umd *u, char *msg, size_t msglen)
{
	struct dg_umd_answer a;
	uint64_t t0 = mono_ms(), dt;
	int r = dg_umd_call(u, SAMPLE_HANG, NULL, 0, &a);

	dt = mono_ms() - t0;
	if (r != -ETIMEDOUT)
		FAIL("hang request returned %d, expected -ETIMEDOUT", r);
	if (dt < 290 || dt > 2000)	/* 2 s: a loaded machine may be slow to kill and reap it */
		FAIL("hang detected after %llu ms, deadline 300 ms", (unsigned long long)dt);
	r = 0;
out:
	return r;
}

static int st_hang_recovery(const struct dg_umd_blob *b, char *msg, size_t msglen)
{
	struct dg_umd *u = NULL;
	int r = open_umd(b, 300, 0, &u);

	if (r < 0)
		FAIL("dg_umd_new: %s", strerror(-r));
	if ((r = dg_umd_start(u)) < 0)
		FAIL("start: %s", dg_umd_last_error(u));
	if ((r = hang_is_cut(u, msg, msglen)) < 0 ||
	    (r = echo_check(u, 10, 3, msg, msglen)) < 0)
		goto out;
	r = 0;
out:
	dg_umd_free(u);
	return r;
}

static int st_oversized_request(const struct dg_umd_blob *b, char *msg, size_t msglen)
{
	struct dg_umd_desc d = {
		DG_UMD_DESC_BLOB(b), .max_frame = 4096,
	};
	struct dg_umd_answer a;
	struct dg_umd_stats st;
	struct dg_umd *u = NULL;
	static uint8_t big[4097];
	uint8_t req[4];
	int r = dg_umd_new(&d, &u);

	if (r < 0)
		FAIL("dg_umd_new: %s", strerror(-r));
	r = dg_umd_call(u, SAMPLE_ECHO, big, sizeof(big), &a);
	if (r != -E2BIG)
		FAIL("4097-byte request with maximum 4096 returned %d, expected -E2BIG", r);
	/* An answer over the maximum is the handler's error, not a crash. */
	put_le32(req, 5000);
	r = dg_umd_call(u, SAMPLE_SIZED, req, 4, &a);
	if (r != -E2BIG)
		FAIL("5000-byte answer with maximum 4096 returned %d, expected -E2BIG", r);
	if ((r = echo_check(u, 4096, 4, msg, msglen)) < 0)
		goto out;
	dg_umd_stats(u, &st);
	if (st.failures)
		FAIL("oversized request killed the handler");
	r = 0;
out:
	dg_umd_free(u);
	return r;
}

int dg_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

int dg_count_children(void)
{
	char path[64], buf[4096];
	FILE *f;
	int n = 0;
	size_t i, len;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", getpid());
	f = fopen(path, "re");
	if (!f)
		return -errno;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	for (i = 0; i < len; i++)
		if (buf[i] == ' ')
			n++;
	return n;
}

static int st_no_leaks_1000(const struct dg_umd_blob *b, char *msg, size_t msglen)
{
	struct dg_umd_answer a;
	struct dg_umd_stats st;
	struct dg_umd *u = NULL;
	int fds0 = dg_count_fds(), kids0 = dg_count_children(), fds1, kids1;
	/* A 2 s deadline for every call but the hangs: a loaded machine may
	 * take more than the hangs' 50 ms over a call and a restart. */
	int i, r = open_umd(b, 2000, 0, &u);
	int crashes = 0, hangs = 0;

	if (r < 0)
		FAIL("dg_umd_new: %s", strerror(-r));
	for (i = 0; i < 1000; i++) {
		if (i % 50 == 7) {
			r = dg_umd_call(u, SAMPLE_CRASH, NULL, 0, &a);
			if (r != -ECHILD)
				FAIL("call %d (crash) returned %d", i, r);
			crashes++;
		} else if (i % 100 == 31) {
			dg_umd_set_timeout(u, 50);
			r = dg_umd_call(u, SAMPLE_HANG, NULL, 0, &a);
			dg_umd_set_timeout(u, 2000);
			if (r != -ETIMEDOUT)
				FAIL("call %d (hang) returned %d", i, r);
			hangs++;
		} else if ((r = echo_check(u, (size_t)i, (unsigned)i, msg, msglen)) < 0) {
			goto out;
		}
	}
	dg_umd_stats(u, &st);
	if (st.restarts != (uint64_t)(crashes + hangs))
		FAIL("%d crashes + %d hangs but %llu restarts", crashes, hangs,
		     (unsigned long long)st.restarts);
	dg_umd_free(u);
	u = NULL;
	fds1 = dg_count_fds();
	kids1 = dg_count_children();
	if (fds1 != fds0 || kids1 != kids0)
		FAIL("fds %d -> %d, children %d -> %d", fds0, fds1, kids0, kids1);
	r = 0;
out:
	dg_umd_free(u);
	return r;
}

static int st_fresh_per_call(const struct dg_umd_blob *b, char *msg, size_t msglen)
{
	struct dg_umd_stats st;
	struct dg_umd *u = NULL;
	int i, r = open_umd(b, 0, DG_UMD_FRESH_PER_CALL, &u);

	if (r < 0)
		FAIL("dg_umd_new: %s", strerror(-r));
	for (i = 0; i < 5; i++)
		if ((r = echo_check(u, 64, (unsigned)i, msg, msglen)) < 0)
			goto out;
	dg_umd_stats(u, &st);
	if (st.starts != 5 || dg_umd_pid(u) != 0)
		FAIL("fresh-per-call made %llu starts for 5 calls",
		     (unsigned long long)st.starts);
	r = 0;
out:
	dg_umd_free(u);
	return r;
}

/*
 * dg_umd_launch returns before the hello; the first call completes it.  A
 * handler killed before its hello is reported "(during start-up)" by that
 * call, and the next call starts a fresh one.
 */
static int st_launch(const struct dg_umd_blob *b, char *msg, size_t msglen)
{
	struct dg_umd_answer a;
	struct dg_umd_stats st;
	struct dg_umd *u = NULL;
	uint64_t started;
	int pid, spins, tries, r = open_umd(b, 2000, 0, &u);

	if (r < 0)
		FAIL("dg_umd_new: %s", strerror(-r));
	if (dg_umd_starting(u))
		FAIL("dg_umd_starting is 1 before any launch");
	if ((r = dg_umd_launch(u)) < 0)
		FAIL("dg_umd_launch: %s", dg_umd_last_error(u));
	pid = dg_umd_pid(u);
	if (pid <= 0)
		FAIL("no handler pid after dg_umd_launch");
	if ((r = dg_umd_launch(u)) < 0 || dg_umd_pid(u) != pid)
		FAIL("a second dg_umd_launch did not leave the running handler alone");
	/* "starting" ends by itself once the hello is there, with no call. */
	for (spins = 0; dg_umd_starting(u) && spins < 2000; spins++)
		usleep(1000);
	if (dg_umd_starting(u))
		FAIL("dg_umd_starting still 1 after 2 s: the hello never arrived");
	if ((r = echo_check(u, 100, 3, msg, msglen)) < 0)
		goto out;
	dg_umd_stats(u, &st);
	if (st.starts != 1 || st.last_start_ns == 0 || st.sandbox_landlock == 0)
		FAIL("after launch + call: %llu starts, start-up %llu ns, landlock ABI %d",
		     (unsigned long long)st.starts, (unsigned long long)st.last_start_ns,
		     st.sandbox_landlock);
	if (dg_umd_starting(u))
		FAIL("dg_umd_starting is 1 after a call");
	/*
	 * A kill right after dg_umd_launch() usually lands before the hello,
	 * but on a busy machine the handler may get the CPU first and answer
	 * it (then the hello is read, last_start_ns changes, and the call
	 * fails otherwise).  Such an attempt shows nothing here: again, until
	 * one kill lands before the hello.
	 */
	for (tries = 0; tries < 20; tries++) {
		dg_umd_stop(u);
		dg_umd_stats(u, &st);
		started = st.last_start_ns;
		if ((r = dg_umd_launch(u)) < 0)
			FAIL("dg_umd_launch after stop: %s", dg_umd_last_error(u));
		kill(dg_umd_pid(u), SIGKILL);
		/* A handler that dies before its hello ends "starting" too (EOF). */
		for (spins = 0; dg_umd_starting(u) && spins < 2000; spins++)
			usleep(1000);
		if (dg_umd_starting(u))
			FAIL("dg_umd_starting still 1 2 s after the handler was killed");
		r = dg_umd_call(u, SAMPLE_ECHO, "x", 1, &a);
		if (r == 0)
			dg_umd_answer_free(&a);
		dg_umd_stats(u, &st);
		if (st.last_start_ns == started)
			break;	/* no hello was read: the kill came before it */
	}
	if (tries == 20)
		FAIL("in 20 attempts no kill landed before the handler's hello");
	if (r != -ECHILD || !strstr(dg_umd_last_error(u), "during start-up"))
		FAIL("call after a kill before the hello returned %d (%s), expected -ECHILD "
		     "during start-up", r, dg_umd_last_error(u));
	if ((r = echo_check(u, 10, 4, msg, msglen)) < 0)
		goto out;
	r = 0;
out:
	dg_umd_free(u);
	return r;
}

int dg_proc_ids_are(int pid, const char *key, long id)
{
	char path[64], line[256];
	long v[4] = { -1, -1, -1, -1 };
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) &&
		    sscanf(line + strlen(key), "%ld %ld %ld %ld", &v[0], &v[1], &v[2], &v[3]) == 4)
			found = 1;
	if (f)
		fclose(f);
	return found && v[0] == id && v[1] == id && v[2] == id && v[3] == id;
}

/*
 * The fallback for hosts without user namespaces starts a handler as any
 * user (as non-root it cannot drop the bounding set, and need not), and a
 * root manager's handler runs as nobody, not as root.
 */
static int st_no_namespaces(const struct dg_umd_blob *b, char *msg, size_t msglen)
{
	struct dg_umd_stats st;
	struct dg_umd *u = NULL;
	int r = open_umd(b, 0, DG_UMD_NO_NAMESPACES, &u);

	if (r < 0)
		FAIL("dg_umd_new: %s", strerror(-r));
	if ((r = echo_check(u, 100, 5, msg, msglen)) < 0)
		goto out;
	dg_umd_stats(u, &st);
	if (st.sandbox_namespaces)
		FAIL("DG_UMD_NO_NAMESPACES still gave the handler namespaces");
	if (geteuid() == 0 && (!dg_proc_ids_are(dg_umd_pid(u), "Uid:", 65534) ||
			       !dg_proc_ids_are(dg_umd_pid(u), "Gid:", 65534)))
		FAIL("root manager without namespaces: handler %d is not uid/gid 65534",
		     dg_umd_pid(u));
	if ((r = echo_check(u, 300u << 10, 6, msg, msglen)) < 0)
		goto out;
	r = 0;
out:
	dg_umd_free(u);
	return r;
}

static int st_tampered_blob(const struct dg_umd_blob *b, char *msg, size_t msglen)
{
	uint8_t bad[32];
	struct dg_umd_desc d = {
		.name = b->name, .blob = b->data, .blob_len = b->len, .blob_sha256 = bad,
	};
	struct dg_umd_answer a;
	struct dg_umd *u = NULL;
	int r;

	memcpy(bad, b->sha256, 32);
	bad[0] ^= 1;
	r = dg_umd_new(&d, &u);
	if (r < 0)
		FAIL("dg_umd_new: %s", strerror(-r));
	r = dg_umd_call(u, SAMPLE_ECHO, "x", 1, &a);
	if (r != -EKEYREJECTED)
		FAIL("handler with a wrong recorded hash returned %d, expected -EKEYREJECTED", r);
	r = dg_umd_launch(u);
	if (r != -EKEYREJECTED)
		FAIL("dg_umd_launch with a wrong recorded hash returned %d, expected -EKEYREJECTED", r);
	if (dg_umd_pid(u) != 0)
		FAIL("a handler was started despite the hash mismatch");
	r = 0;
out:
	dg_umd_free(u);
	return r;
}

/*
 * Out of fds after the handler's memfd was made but before its channel
 * was: the failed start keeps no memfd that was never filled and checked,
 * and the next start (fds back) runs the handler.
 */
static int st_fd_exhaustion(const struct dg_umd_blob *b, char *msg, size_t msglen)
{
	struct rlimit old, low;
	struct dg_umd *u = NULL;
	int r = open_umd(b, 2000, 0, &u), lowest, limited = 0;

	if (r < 0)
		FAIL("dg_umd_new: %s", strerror(-r));
	if (getrlimit(RLIMIT_NOFILE, &old) < 0 || (lowest = dup(0)) < 0)
		FAIL("getrlimit/dup: %s", strerror(errno));
	close(lowest);
	/* Room for the memfd only: the socketpair then fails. */
	low = old;
	low.rlim_cur = (rlim_t)lowest + 1;
	if (setrlimit(RLIMIT_NOFILE, &low) < 0)
		FAIL("setrlimit: %s", strerror(errno));
	limited = 1;
	r = dg_umd_start(u);
	setrlimit(RLIMIT_NOFILE, &old);
	limited = 0;
	if (r != -EMFILE)
		FAIL("start with one free fd returned %d (%s), expected -EMFILE", r,
		     dg_umd_last_error(u));
	if ((r = echo_check(u, 100, 9, msg, msglen)) < 0)
		goto out;
	r = 0;
out:
	if (limited)
		setrlimit(RLIMIT_NOFILE, &old);
	dg_umd_free(u);
	return r;
}

const struct dg_selftest dg_selftests[] = {
	{ "frame_sizes_round_trip", "echo 0, 1, 4095, 65536, 65537, 1 MiB, 16 MiB bytes", st_frame_sizes },
	{ "request_pieces", "requests of up to 4 pieces (socket and bulk memfd) arrive joined; more are refused", st_request_pieces },
	{ "sized_answer_128k", "a 128 KiB answer with the expected content", st_sized_answer },
	{ "random_500_requests", "500 requests of random sizes, content checked", st_random_500 },
	{ "load_unload_reload", "20 start/call/stop cycles", st_reload_cycles },
	{ "crash_recovery", "a crash is reported and the next call gets a fresh handler", st_crash_recovery },
	{ "bulk_after_restart", "1 MiB requests through the bulk memfd survive handler restarts", st_bulk_after_restart },
	{ "hang_recovery", "a hang is cut at the 300 ms deadline and recovered", st_hang_recovery },
	{ "oversized_rejected", "requests and answers over the maximum are refused", st_oversized_request },
	{ "no_leaks_1000_calls", "1000 calls with crashes and hangs leave no fds or children", st_no_leaks_1000 },
	{ "fresh_handler_per_call", "DG_UMD_FRESH_PER_CALL starts one handler per call", st_fresh_per_call },
	{ "launch_then_call", "dg_umd_launch returns before the hello; dg_umd_starting ends with it; a kill before it is reported at the first call", st_launch },
	{ "fd_exhaustion_recovers", "a start that runs out of fds keeps no unchecked memfd; the next one works", st_fd_exhaustion },
	{ "tampered_blob_refused", "a blob whose hash does not match is never executed", st_tampered_blob },
	{ "no_namespaces_fallback", "without namespaces a handler starts as any user; as root it runs as nobody", st_no_namespaces },
};
const size_t dg_selftests_count = sizeof(dg_selftests) / sizeof(dg_selftests[0]);

// SPDX-License-Identifier: MIT
/*
 * Hostile handlers against the sandbox.  For each forbidden action:
 *  - the full sandbox must kill the handler (seccomp, SIGSYS) or make the
 *    action fail, and the manager must report it and serve the next call;
 *  - without seccomp ("nsc"), the remaining layers must still make the
 *    action fail.  A case marked SECCOMP_ONLY (none today) would be
 *    reported as a skip naming seccomp as its only wall.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <digestguard/umd.h>

#include "blobs.h"
#include "cursor.h"
#include "hostile_proto.h"
#include "selftest.h"
#include "tap.h"

extern const struct dg_umd_blob dg_blob_hostile, dg_blob_hostile_nsc;

enum nsc_expect { MUST_FAIL, HARMLESS_IN_NS, SECCOMP_ONLY };

struct action {
	uint16_t type;
	const char *name;
	enum nsc_expect nsc;
	int arg_is_parent;	/* pass our pid */
	uint32_t arg;
};

static const struct action actions[] = {
	{ H_OPEN_FILE, "open_etc_passwd", MUST_FAIL, 0, 0 },
	{ H_READ_PROC_MAPS, "read_proc_self_maps", MUST_FAIL, 0, 0 },
	/* A socket in an empty network namespace reaches nothing. */
	{ H_SOCKET, "socket_inet", HARMLESS_IN_NS, 0, 0 },
	{ H_CONNECT, "connect_loopback", MUST_FAIL, 0, 0 },
	{ H_PTRACE, "ptrace_parent", MUST_FAIL, 1, 0 },
	{ H_KILL_PARENT, "kill_parent", MUST_FAIL, 1, 0 },
	/* pid 1 in the handler's pid namespace is the handler itself. */
	{ H_KILL_INIT, "kill_pid_1", HARMLESS_IN_NS, 0, 0 },
	{ H_EXECVE, "execve_bin_sh", MUST_FAIL, 0, 0 },
	{ H_MMAP_EXEC, "mmap_prot_exec", MUST_FAIL, 0, 0 },
	{ H_MPROTECT_EXEC, "mprotect_prot_exec", MUST_FAIL, 0, 0 },
	{ H_FORK, "fork_clone", MUST_FAIL, 0, 0 },
	{ H_RAISE_RLIMIT, "raise_rlimit_nofile", MUST_FAIL, 0, 0 },
	{ H_WRITE_OTHER_FD, "write_stdout", MUST_FAIL, 0, 1 },
	{ H_WRITE_OTHER_FD, "write_fd_2", MUST_FAIL, 0, 2 },
	{ H_UNSHARE, "unshare_user_ns", MUST_FAIL, 0, 0 },
	{ H_MOUNT, "mount_tmpfs", MUST_FAIL, 0, 0 },
};

static struct dg_umd *open_blob(const struct dg_umd_blob *b)
{
	struct dg_umd_desc d = {
		.name = b->name, .blob = b->data, .blob_len = b->len,
		.blob_sha256 = b->sha256, .timeout_ms = 2000,
	};
	struct dg_umd *u = NULL;

	return dg_umd_new(&d, &u) < 0 ? NULL : u;
}

/* 1: died, 0: answered (*failed, *err filled), -1: other error */
static int attempt(struct dg_umd *u, const struct action *a, int *failed, int *err)
{
	struct dg_umd_answer ans;
	uint8_t req[4];
	struct dg_cur c;
	uint32_t f = 0, e = 0;
	int r;

	put_le32(req, a->arg_is_parent ? (uint32_t)getpid() : a->arg);
	r = dg_umd_call(u, a->type, req, 4, &ans);
	if (r == -ECHILD)
		return 1;
	if (r < 0)
		return -1;
	c = cur_init(ans.data, ans.len);
	r = cur_le32(&c, &f) || cur_le32(&c, &e) ? -1 : 0;
	*failed = (int)f;
	*err = (int)e;
	dg_umd_answer_free(&ans);
	return r;
}

static int still_serves(struct dg_umd *u)
{
	struct dg_umd_answer ans;
	int r = dg_umd_call(u, H_NOP, NULL, 0, &ans);

	dg_umd_answer_free(&ans);
	return r == 0;
}

static void run_full(const struct action *a)
{
	struct dg_umd *u = open_blob(&dg_blob_hostile);
	int failed = 0, err = 0, r;

	tap_n++;
	if (!u || !still_serves(u)) {
		printf("not ok %d - test_sandbox_full_blocks_%s\n# handler did not start: %s\n",
		       tap_n, a->name, u ? dg_umd_last_error(u) : "alloc");
		tap_failed++;
		dg_umd_free(u);
		return;
	}
	r = attempt(u, a, &failed, &err);
	if (r == 1 && strstr(dg_umd_last_error(u), "signal 31") && still_serves(u)) {
		printf("ok %d - test_sandbox_full_blocks_%s\n# %s\n", tap_n, a->name,
		       dg_umd_last_error(u));
	} else if (r == 0 && failed && still_serves(u)) {
		printf("ok %d - test_sandbox_full_blocks_%s\n# failed with errno %d\n",
		       tap_n, a->name, err);
	} else {
		printf("not ok %d - test_sandbox_full_blocks_%s\n# r=%d failed=%d: %s\n",
		       tap_n, a->name, r, failed, dg_umd_last_error(u));
		tap_failed++;
	}
	dg_umd_free(u);
}

static void run_nsc(const struct action *a)
{
	struct dg_umd *u = open_blob(&dg_blob_hostile_nsc);
	struct dg_umd_stats st;
	int failed = 0, err = 0, r;

	tap_n++;
	if (!u || !still_serves(u)) {
		printf("not ok %d - test_sandbox_without_seccomp_%s\n# %s\n", tap_n, a->name,
		       u ? dg_umd_last_error(u) : "alloc");
		tap_failed++;
		dg_umd_free(u);
		return;
	}
	dg_umd_stats(u, &st);
	r = attempt(u, a, &failed, &err);
	if (a->nsc == SECCOMP_ONLY) {
		printf("ok %d - test_sandbox_without_seccomp_%s # SKIP only the seccomp "
		       "layer blocks this (attempt %s)\n", tap_n, a->name,
		       r == 0 && !failed ? "succeeded" : "failed");
	} else if (r == 0 && failed) {
		printf("ok %d - test_sandbox_without_seccomp_%s\n# failed with errno %d (%s)\n",
		       tap_n, a->name, err, strerror(err));
	} else if (a->nsc == HARMLESS_IN_NS && r == 0 && st.sandbox_namespaces) {
		printf("ok %d - test_sandbox_without_seccomp_%s\n# allowed but confined to the "
		       "handler's own namespaces\n", tap_n, a->name);
	} else {
		printf("not ok %d - test_sandbox_without_seccomp_%s\n# r=%d failed=%d: %s\n",
		       tap_n, a->name, r, failed, dg_umd_last_error(u));
		tap_failed++;
	}
	dg_umd_free(u);
}

/* Both variants: the bulk memfd reaches the handler read-only. */
TEST(test_sandbox_bulk_request_is_read_only_for_the_handler)
{
	const struct dg_umd_blob *blobs[] = { &dg_blob_hostile, &dg_blob_hostile_nsc };
	size_t n = 1u << 20, i;
	uint8_t *req = calloc(1, n);

	for (i = 0; req && i < 2; i++) {
		struct dg_umd *u = open_blob(blobs[i]);
		struct dg_umd_answer ans;
		struct dg_cur c;
		uint32_t failed = 0, err = 0;
		int r;

		put_le32(req, 0);
		r = u ? dg_umd_call(u, H_WRITE_REQUEST, req, n, &ans) : -1;
		CHECK(r == 0, "%s: call returned %d: %s", blobs[i]->name, r,
		      u ? dg_umd_last_error(u) : "");
		if (r == 0) {
			c = cur_init(ans.data, ans.len);
			cur_le32(&c, &failed);
			cur_le32(&c, &err);
			CHECK(failed == 1 && err == EACCES, "%s: mprotect RW on the request: "
			      "failed=%u errno=%u", blobs[i]->name, failed, err);
			dg_umd_answer_free(&ans);
		}
		dg_umd_free(u);
	}
	free(req);
}

TEST(test_sandbox_manager_survives_all_attacks_without_leaks)
{
	int fds = dg_count_fds(), kids = dg_count_children();
	struct dg_umd *u = open_blob(&dg_blob_hostile);
	struct dg_umd_stats st;
	size_t i;
	int failed, err;

	for (i = 0; u && i < sizeof(actions) / sizeof(actions[0]); i++)
		attempt(u, &actions[i], &failed, &err);
	CHECK(u && still_serves(u), "manager serves after every attack");
	if (u) {
		dg_umd_stats(u, &st);
		CHECK(st.restarts >= 10, "expected a restart per killed handler, got %llu",
		      (unsigned long long)st.restarts);
	}
	dg_umd_free(u);
	CHECK(dg_count_fds() == fds, "fds %d -> %d", fds, dg_count_fds());
	CHECK(dg_count_children() == kids, "children %d -> %d", kids, dg_count_children());
}

int main(void)
{
	size_t i;

	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		run_full(&actions[i]);
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		run_nsc(&actions[i]);
	RUN(test_sandbox_bulk_request_is_read_only_for_the_handler);
	RUN(test_sandbox_manager_survives_all_attacks_without_leaks);
	return tap_done();
}

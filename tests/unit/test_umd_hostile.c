// SPDX-License-Identifier: MIT
/*
 * Hostile handlers against the sandbox.  For each forbidden action:
 *  - the full sandbox must kill the handler (seccomp, SIGSYS) or make the
 *    action fail, and the manager must report it and serve the next call;
 *  - without seccomp ("nsc"), the remaining layers must still make the
 *    action fail.  A case marked SECCOMP_ONLY (none today) would be
 *    reported as a skip naming seccomp as its only wall.
 * Then what the loader sets up before exec, with and without namespaces:
 * the handler's own process group, a fresh session keyring,
 * and (without namespaces) nobody for a root manager, the manager's uid
 * otherwise.  Cases that change process-wide state run in a child.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/keyctl.h>

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

/*
 * Every call here must be answered (a timeout fails the case), none waits
 * out its deadline: 10 s (was 2), for a sandboxed start on a busy machine.
 */
static struct dg_umd *open_blob_flags(const struct dg_umd_blob *b, unsigned int flags)
{
	struct dg_umd_desc d = {
		DG_UMD_DESC_BLOB(b), .timeout_ms = 10000, .flags = flags,
	};
	struct dg_umd *u = NULL;

	return dg_umd_new(&d, &u) < 0 ? NULL : u;
}

static struct dg_umd *open_blob(const struct dg_umd_blob *b)
{
	return open_blob_flags(b, 0);
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

/* The without-seccomp handler, with and without namespaces. */
static const struct {
	const char *what;
	unsigned int flags;
} nsc_modes[] = {
	{ "namespaces", 0 },
	{ "no namespaces", DG_UMD_NO_NAMESPACES },
};
#define NSC_MODES (sizeof(nsc_modes) / sizeof(nsc_modes[0]))

/* Process group and session of @pid, from /proc/PID/stat. */
static int proc_pgrp_sid(int pid, long *pgrp, long *sid)
{
	char path[64], buf[1024], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* the name may hold anything but ends there */
	if (!p || sscanf(p + 1, " %*c %*d %ld %ld", pgrp, sid) != 2)
		return -EBADMSG;
	return 0;
}

/*
 * The handler leads a process group of its own: kill(0, sig)
 * or a signal to "its" group cannot reach the manager's group, whatever
 * the other layers (pid namespace, Landlock scoping, seccomp) do.
 */
TEST(test_sandbox_handler_has_its_own_process_group)
{
	const struct dg_umd_blob *blobs[] = { &dg_blob_hostile, &dg_blob_hostile_nsc };
	size_t i, m;

	for (i = 0; i < 2; i++)
		for (m = 0; m < NSC_MODES; m++) {
			struct dg_umd *u = open_blob_flags(blobs[i], nsc_modes[m].flags);
			long pgrp = -1, sid = -1;
			int pid;

			CHECK(u && still_serves(u), "%s (%s) does not start: %s", blobs[i]->name,
			      nsc_modes[m].what, u ? dg_umd_last_error(u) : "alloc");
			pid = u ? dg_umd_pid(u) : 0;
			if (pid > 0) {
				CHECK(proc_pgrp_sid(pid, &pgrp, &sid) == 0, "cannot read /proc/%d/stat",
				      pid);
				CHECK(pgrp == pid && pgrp != (long)getpgrp(),
				      "%s (%s): handler %d has session %ld, group %ld (manager: %ld, %ld)",
				      blobs[i]->name, nsc_modes[m].what, pid, sid, pgrp,
				      (long)getsid(0), (long)getpgrp());
			}
			dg_umd_free(u);
		}
}

static volatile sig_atomic_t usr1_seen;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_seen++;
}

/* Child: a manager leading its own group (so a regression hits nobody else). */
static int signal_child(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	int failed, err, bad = 0;
	size_t m;

	if (setpgid(0, 0) < 0 || sigaction(SIGUSR1, &sa, NULL) < 0)
		return 10;
	for (m = 0; m < NSC_MODES; m++) {
		const struct action kill_own = { H_KILL_OWN_PGRP, "kill_own_pgrp", MUST_FAIL, 0, 0 };
		const struct action kill_mgr = { H_KILL_PGRP, "kill_manager_pgrp", MUST_FAIL, 0,
						 (uint32_t)getpgrp() };
		struct dg_umd *u = open_blob_flags(&dg_blob_hostile_nsc, nsc_modes[m].flags);

		if (!u || !still_serves(u)) {
			printf("# hostile_nsc (%s) does not start\n", nsc_modes[m].what);
			dg_umd_free(u);
			bad = 11;
			continue;
		}
		/* A handler outside a pid namespace may die of its own SIGUSR1. */
		attempt(u, &kill_own, &failed, &err);
		attempt(u, &kill_mgr, &failed, &err);
		usleep(50 * 1000);
		if (usr1_seen) {
			printf("# hostile_nsc (%s): SIGUSR1 reached the manager %d times\n",
			       nsc_modes[m].what, (int)usr1_seen);
			bad = 1;
		}
		dg_umd_free(u);
	}
	return bad;
}

TEST(test_sandbox_signals_to_the_process_group_miss_the_manager)
{
	int r = tap_in_child(signal_child);

	CHECK(r == 0, "child returned %d", r);
}

/* Child: a manager whose session keyring holds a secret. */
static int keyring_child(void)
{
	const struct action rd = { H_READ_KEY, "read_manager_session_key", MUST_FAIL, 0, 0 };
	struct action a = rd;
	int failed, err, bad = 0;
	long key;
	char b[16];
	size_t m;

	/* A session keyring of the test's own, so the caller's is untouched. */
	if (syscall(__NR_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0)
		return errno == ENOSYS ? 77 : 10;
	key = syscall(__NR_add_key, "user", "dg-test-secret", "s3cret", 6,
		      KEY_SPEC_SESSION_KEYRING);
	if (key < 0 || syscall(__NR_keyctl, KEYCTL_READ, key, b, sizeof(b)) != 6)
		return 11;
	a.arg = (uint32_t)key;
	for (m = 0; m < NSC_MODES; m++) {
		struct dg_umd *u = open_blob_flags(&dg_blob_hostile_nsc, nsc_modes[m].flags);
		int r = u ? attempt(u, &a, &failed, &err) : -1;

		if (r != 0 || !failed) {
			printf("# hostile_nsc (%s) read the manager's key (r=%d failed=%d): %s\n",
			       nsc_modes[m].what, r, failed, u ? dg_umd_last_error(u) : "alloc");
			bad = 1;
		} else {
			printf("# hostile_nsc (%s): failed with errno %d (%s)\n",
			       nsc_modes[m].what, err, strerror(err));
		}
		dg_umd_free(u);
	}
	return bad;
}

/*
 * The handler gets a new, empty session keyring: without seccomp it still
 * cannot read (or find) a key in the manager's session keyring.
 */
TEST(test_sandbox_handler_cannot_read_the_managers_session_keyring)
{
	int r = tap_in_child(keyring_child);

	if (r == 77)
		SKIP("no keyring support in this kernel");
	CHECK(r == 0, "child returned %d", r);
}

/* The names in /proc/PID/fd, joined by spaces, sorted by number. */
static int proc_fds(int pid, char *out, size_t len)
{
	char path[64];
	struct dirent *e;
	int have[64] = { 0 }, i;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			i = atoi(e->d_name);
			have[i >= 0 && i < 64 ? i : 63] = 1;
		}
	closedir(d);
	out[0] = '\0';
	for (i = 0; i < 64; i++)
		if (have[i])
			snprintf(out + strlen(out), len - strlen(out), "%s%d", out[0] ? " " : "", i);
	return 0;
}

/* Soft and hard value of the /proc/PID/limits line that starts with @name. */
static int proc_limit(int pid, const char *name, char *soft, char *hard)
{
	char path[64], line[256];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/limits", pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, name, strlen(name)) &&
		    sscanf(line + 26, "%31s %31s", soft, hard) == 2)
			found = 1;
	if (f)
		fclose(f);
	return found ? 0 : -ENOENT;
}

/*
 * docs/sandbox.md's fd and rlimit rows, read from the running handler:
 * only the channel at fd 3, even when the manager holds an fd without
 * O_CLOEXEC and after the bulk memfd came with a request; and the limits
 * of the table (AS and CPU: the defaults for a 64 MiB frame and a 2 s
 * deadline).
 */
TEST(test_sandbox_handler_holds_only_the_channel_and_the_documented_rlimits)
{
	static const struct { const char *name, *value; } limits[] = {
		{ "Max open files", "4" }, { "Max file size", "0" },
		{ "Max processes", "0" }, { "Max core file size", "0" },
		{ "Max locked memory", "0" }, { "Max msgqueue size", "0" },
		{ "Max address space", "335544320" }, { "Max cpu time", "60" },
	};
	size_t big = 1u << 20, m, i;
	uint8_t *req = calloc(1, big);
	int leaky = open("/dev/null", O_RDONLY);	/* no O_CLOEXEC on purpose */

	CHECK(req && leaky >= 0, "set-up");
	for (m = 0; req && leaky >= 0 && m < NSC_MODES; m++) {
		struct dg_umd *u = open_blob_flags(&dg_blob_hostile, nsc_modes[m].flags);
		struct dg_umd_answer ans;
		char fds[256], soft[32], hard[32];
		int pid;

		put_le32(req, 0);
		CHECK(u && dg_umd_call(u, H_NOP, req, big, &ans) == 0, "(%s) bulk call: %s",
		      nsc_modes[m].what, u ? dg_umd_last_error(u) : "alloc");
		if (u && dg_umd_pid(u) > 0)
			dg_umd_answer_free(&ans);
		pid = u ? dg_umd_pid(u) : 0;
		if (pid > 0 && proc_fds(pid, fds, sizeof(fds)) == 0)
			CHECK(!strcmp(fds, "3"), "(%s) handler %d holds fds %s", nsc_modes[m].what,
			      pid, fds);
		else
			CHECK(0, "(%s) cannot list the handler's fds", nsc_modes[m].what);
		for (i = 0; pid > 0 && i < sizeof(limits) / sizeof(limits[0]); i++) {
			int r = proc_limit(pid, limits[i].name, soft, hard);

			CHECK(r == 0 && !strcmp(soft, limits[i].value) &&
			      !strcmp(hard, limits[i].value), "(%s) %s: %s %s, want %s",
			      nsc_modes[m].what, limits[i].name, r ? "?" : soft, r ? "?" : hard,
			      limits[i].value);
		}
		dg_umd_free(u);
	}
	if (leaky >= 0)
		close(leaky);
	free(req);
}

/*
 * execve makes a process dumpable again, and the runtime's PR_SET_DUMPABLE 0
 * comes only after: in between, any process of the handler's uid could
 * ptrace it or take its channel with pidfd_getfd() (for a root manager
 * without namespaces, every other process running as nobody).  The loader
 * makes the executable unreadable to the handler, so that it starts
 * non-dumpable; the hostile handler records the state in a constructor.
 */
TEST(test_sandbox_handler_is_not_dumpable_from_its_first_instruction)
{
	const struct action a = { H_DUMPABLE_AT_START, "dumpable_at_start", MUST_FAIL, 0, 0 };
	size_t m;

	for (m = 0; m < NSC_MODES; m++) {
		struct dg_umd *u = open_blob_flags(&dg_blob_hostile, nsc_modes[m].flags);
		int failed = 0, err = 0, r = u ? attempt(u, &a, &failed, &err) : -1;

		CHECK(r == 0 && failed && err == EPERM,
		      "hostile (%s): dumpable when it started (r=%d failed=%d): %s",
		      nsc_modes[m].what, r, failed, u ? dg_umd_last_error(u) : "alloc");
		dg_umd_free(u);
	}
}

/* Root without namespaces: the handler must not run as root. */
TEST(test_sandbox_no_namespaces_as_root_runs_the_handler_as_nobody)
{
	struct dg_umd *u;
	struct dg_umd_stats st;
	int pid;

	if (geteuid() != 0)
		SKIP("needs root");
	u = open_blob_flags(&dg_blob_hostile, DG_UMD_NO_NAMESPACES);
	CHECK(u && still_serves(u), "no-namespace handler does not start: %s",
	      u ? dg_umd_last_error(u) : "alloc");
	pid = u ? dg_umd_pid(u) : 0;
	if (pid > 0) {
		dg_umd_stats(u, &st);
		CHECK(st.sandbox_namespaces == 0, "namespaces were used");
		CHECK(dg_proc_ids_are(pid, "Uid:", 65534) && dg_proc_ids_are(pid, "Gid:", 65534),
		      "handler %d does not run as uid/gid 65534", pid);
	}
	dg_umd_free(u);
}

/* Child: become nobody (when root), then run handlers without namespaces. */
static int non_root_child(void)
{
	const struct dg_umd_blob *blobs[] = { &dg_blob_hostile, &dg_blob_hostile_nsc };
	size_t i;

	if (geteuid() == 0 &&
	    (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
	     setresuid(65534, 65534, 65534) < 0))
		return 10;
	for (i = 0; i < 2; i++) {
		struct dg_umd *u = open_blob_flags(blobs[i], DG_UMD_NO_NAMESPACES);

		if (!u || !still_serves(u) || !still_serves(u)) {
			printf("# %s without namespaces as uid %d: %s\n", blobs[i]->name,
			       (int)geteuid(), u ? dg_umd_last_error(u) : "alloc");
			dg_umd_free(u);
			return 1;
		}
		dg_umd_free(u);
	}
	return 0;
}

/* No CAP_SETPCAP: the bounding set cannot be dropped, and need not be. */
TEST(test_sandbox_no_namespaces_works_as_non_root)
{
	int r = tap_in_child(non_root_child);

	CHECK(r == 0, "child returned %d", r);
}

int main(void)
{
	size_t i;

	alarm(300);	/* watchdog */
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		run_full(&actions[i]);
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		run_nsc(&actions[i]);
	RUN(test_sandbox_bulk_request_is_read_only_for_the_handler);
	RUN(test_sandbox_manager_survives_all_attacks_without_leaks);
	RUN(test_sandbox_handler_has_its_own_process_group);
	RUN(test_sandbox_signals_to_the_process_group_miss_the_manager);
	RUN(test_sandbox_handler_cannot_read_the_managers_session_keyring);
	RUN(test_sandbox_handler_holds_only_the_channel_and_the_documented_rlimits);
	RUN(test_sandbox_handler_is_not_dumpable_from_its_first_instruction);
	RUN(test_sandbox_no_namespaces_as_root_runs_the_handler_as_nobody);
	RUN(test_sandbox_no_namespaces_works_as_non_root);
	return tap_done();
}

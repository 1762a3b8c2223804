// SPDX-License-Identifier: MIT
/* Loaders and interpreters recognised by content and database path. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "enforcer_int.h"
#include "readdir_fault.h"
#include "role.h"
#include "tap.h"

TEST(test_role_of_name_knows_loaders_and_interpreters)
{
	CHECK(dg_enf_role_of_name("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2") ==
	      DG_ROLE_LOADER, "glibc loader");
	CHECK(dg_enf_role_of_name("/lib/ld-musl-x86_64.so.1") == DG_ROLE_LOADER, "musl loader");
	CHECK(dg_enf_role_of_name("/usr/bin/dash") == DG_ROLE_INTERP, "dash");
	CHECK(dg_enf_role_of_name("/usr/bin/python3.12") == DG_ROLE_INTERP, "python prefix");
	CHECK(dg_enf_role_of_name("/usr/bin/tclsh8.6") == DG_ROLE_INTERP, "tclsh8.6");
	CHECK(dg_enf_role_of_name("/usr/bin/guile-3.0") == DG_ROLE_INTERP, "guile-3.0");
	CHECK(dg_enf_role_of_name("/bin/bash-static") == DG_ROLE_INTERP, "bash-static");
	CHECK(dg_enf_role_of_name("/usr/bin/cp") == 0, "cp is neither");
	CHECK(dg_enf_role_of_name("myloader") == 0, "a new name says nothing");
}

TEST(test_elf_without_pt_interp_is_a_loader)
{
	const char *ldso = "/lib64/ld-linux-x86-64.so.2";
	int fd = open("/proc/self/exe", O_RDONLY);

	CHECK(fd >= 0 && dg_enf_elf_is_loader(fd) == 0, "a dynamic program is not a loader");
	if (fd >= 0)
		close(fd);
	fd = open(ldso, O_RDONLY);
	if (fd < 0) {
		SKIP("no /lib64/ld-linux-x86-64.so.2");
		return;
	}
	CHECK(dg_enf_elf_is_loader(fd) == 1, "ld.so: ET_DYN without PT_INTERP");
	close(fd);
}

TEST(test_elf_check_rejects_non_elf_and_truncated_input)
{
	char p[] = "/tmp/dg-role-XXXXXX";
	int fd = mkstemp(p);

	CHECK(fd >= 0, "temp file");
	if (fd < 0)
		return;
	unlink(p);
	CHECK(dg_enf_elf_is_loader(fd) == 0, "empty file");
	CHECK(write(fd, "\177ELF\2\1\1", 7) == 7, "write");
	CHECK(dg_enf_elf_is_loader(fd) == 0, "truncated header");
	close(fd);
}

TEST(test_roles_table_records_replaces_and_fills)
{
	struct dg_enf_roles *t = dg_enf_roles_new();
	unsigned role = 0;
	uint64_t i;
	int r = 0;

	CHECK(t != NULL, "table");
	if (!t)
		return;
	CHECK(dg_enf_roles_get(t, 1, 2, &role) == 0, "empty");
	CHECK(dg_enf_roles_set(t, 1, 2, 0) == 0 && dg_enf_roles_get(t, 1, 2, &role) == 0,
	      "a role-less file takes no slot");
	CHECK(dg_enf_roles_set(t, 1, 2, DG_ROLE_LOADER) == 0 &&
	      dg_enf_roles_get(t, 1, 2, &role) == 1 && role == DG_ROLE_LOADER, "recorded");
	CHECK(dg_enf_roles_set(t, 1, 2, 0) == 0 && dg_enf_roles_get(t, 1, 2, &role) == 1 &&
	      role == 0, "a new version of the inode replaces the role");
	CHECK(dg_enf_roles_get(t, 2, 2, &role) == 0, "other device");
	for (i = 0; i < DG_ENF_ROLES_MAX + 1 && r == 0; i++)
		r = dg_enf_roles_set(t, 9, 100 + i, DG_ROLE_INTERP);
	CHECK(r == -ENOSPC, "full table: -ENOSPC, got %d", r);
	CHECK(dg_enf_roles_get(t, 9, 100, &role) == 1 && role == DG_ROLE_INTERP,
	      "earlier records kept");
	dg_enf_roles_free(t);
}

/*
 * A new table holding this test's own executable as a loader, then filled
 * with records of no running program (0xdead, 1000 + i).  NULL if that
 * could not be set up (and said so).
 */
static struct dg_enf_roles *full_table_with_own_exe(uint64_t *dev, uint64_t *ino)
{
	struct dg_enf_roles *t = dg_enf_roles_new();
	struct statx sx;
	uint64_t i;
	int r = 0;

	CHECK(t != NULL, "table");
	if (!t || statx(AT_FDCWD, "/proc/self/exe", 0, STATX_BASIC_STATS, &sx) < 0) {
		dg_enf_roles_free(t);
		return NULL;
	}
	*dev = (uint64_t)sx.stx_dev_major << 32 | sx.stx_dev_minor;
	*ino = sx.stx_ino;
	CHECK(dg_enf_roles_set(t, *dev, *ino, DG_ROLE_LOADER) == 0, "own exe recorded");
	for (i = 0; r == 0; i++)	/* inodes of no running program */
		r = dg_enf_roles_set(t, 0xdead, 1000 + i, DG_ROLE_INTERP);
	CHECK(r == -ENOSPC, "full");
	return t;
}

/*
 * A full table forgets the programs not running now and keeps the running
 * one (this test's own executable), so new execs can be recorded again.
 */
TEST(test_roles_table_compacts_to_running_programs)
{
	unsigned role = 0;
	uint64_t dev, ino;
	struct dg_enf_roles *t = full_table_with_own_exe(&dev, &ino);

	if (!t)
		return;
	CHECK(dg_enf_roles_compact(t) >= 1, "something kept");
	CHECK(dg_enf_roles_get(t, dev, ino, &role) == 1 && role == DG_ROLE_LOADER,
	      "the running program's record kept");
	CHECK(dg_enf_roles_get(t, 0xdead, 1000, &role) == 0, "the others forgotten");
	CHECK(dg_enf_roles_set(t, 0xdead, 5, DG_ROLE_INTERP) == 0, "room again");
	dg_enf_roles_free(t);
}

/*
 * A listing of /proc that breaks off is an error the caller sees, and
 * nothing is forgotten: the processes not listed may be running loaders
 * or shells whose records must stay.
 */
TEST(test_roles_compact_readdir_error_is_reported_and_forgets_nothing)
{
	unsigned role = 0;
	uint64_t dev, ino;
	struct dg_enf_roles *t = full_table_with_own_exe(&dev, &ino);
	int r;

	if (!t)
		return;
	readdir_fails = 1;
	r = (int)dg_enf_roles_compact(t);
	readdir_fails = 0;
	CHECK(r == -EIO, "readdir error: -EIO, got %d", r);
	CHECK(dg_enf_roles_get(t, dev, ino, &role) == 1 && role == DG_ROLE_LOADER,
	      "the running program's record kept");
	CHECK(dg_enf_roles_get(t, 0xdead, 1000, &role) == 1, "nothing forgotten");
	CHECK(dg_enf_roles_compact(t) >= 1, "the next compaction works");
	dg_enf_roles_free(t);
}

/*
 * A process that runs without a program interpreter (ld.so run as the
 * program) is told from /proc/PID/auxv, without opening its executable;
 * an ordinary dynamic program (this test) is not.
 */
TEST(test_runs_without_interp_from_auxv)
{
	const char *ldso = "/lib64/ld-linux-x86-64.so.2";
	char exe[256], p[64];
	struct timespec t0, t;
	pid_t pid;
	int got = -1;
	long waited_ms = 0;

	CHECK(dg_enf_runs_without_interp(getpid()) == 0, "a dynamic program has AT_BASE");
	if (access(ldso, X_OK) < 0 || access("/bin/sleep", X_OK) < 0)
		SKIP("no /lib64/ld-linux-x86-64.so.2 or /bin/sleep");
	pid = fork();
	if (pid == 0) {
		alarm(60);
		execl(ldso, ldso, "/bin/sleep", "30", (char *)NULL);
		_exit(127);
	}
	snprintf(p, sizeof(p), "/proc/%d/exe", (int)pid);
	/*
	 * Until the exec is done (10 s at most, of the 30 the child sleeps):
	 * /proc/PID/exe names ld.so from early in execve(), before the kernel
	 * has written the new auxv, so an answer read then is retried, not
	 * taken.
	 */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		ssize_t n = readlink(p, exe, sizeof(exe) - 1);
		struct timespec ts = { 0, 10000000 };

		if (n > 0) {
			exe[n] = '\0';
			if (strstr(exe, "ld-linux"))
				got = dg_enf_runs_without_interp(pid);
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		waited_ms = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (got == 1 || waited_ms > 10000)
			break;
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	CHECK(got == 1, "ld.so run as the program: %d after %ld ms", got, waited_ms);
}

/*
 * fanotify reports pid 0 for a process outside the reader's PID namespace:
 * what it runs cannot be known, so its opens are judged as a loader's and
 * an interpreter's (pid 0 used to be "no role": ld.so ./unlisted ran).
 */
TEST(test_opener_outside_our_pid_namespace_gets_every_role)
{
	struct dg_enf_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.roles = dg_enf_roles_new();
	CHECK(ctx.roles != NULL, "role table");
	CHECK(dg_enf_opener_role(&ctx, 0) == (DG_ROLE_LOADER | DG_ROLE_INTERP),
	      "pid 0: role %u", dg_enf_opener_role(&ctx, 0));
	dg_enf_roles_free(ctx.roles);
}

int main(void)
{
	RUN(test_role_of_name_knows_loaders_and_interpreters);
	RUN(test_elf_without_pt_interp_is_a_loader);
	RUN(test_elf_check_rejects_non_elf_and_truncated_input);
	RUN(test_roles_table_records_replaces_and_fills);
	RUN(test_runs_without_interp_from_auxv);
	RUN(test_roles_table_compacts_to_running_programs);
	RUN(test_roles_compact_readdir_error_is_reported_and_forgets_nothing);
	RUN(test_opener_outside_our_pid_namespace_gets_every_role);
	return tap_done();
}

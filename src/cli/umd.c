// SPDX-License-Identifier: MIT
/* digestguard umd selftest | bench | info */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <digestguard/umd.h>

#include "blobs.h"
#include "cli.h"
#include "cursor.h"
#include "sample_proto.h"
#include "selftest.h"

extern char **environ;

static int cmd_selftest(int argc, char **argv)
{
	char msg[512];
	size_t i, failed = 0;

	if (cli_no_args("umd selftest", argc, argv))
		return EXIT_USAGE;
	printf("libumd self-test against the embedded sample handler\n");
	for (i = 0; i < dg_selftests_count; i++) {
		const struct dg_selftest *t = &dg_selftests[i];

		msg[0] = '\0';
		if (t->run(&dg_blob_sample, msg, sizeof(msg)) == 0) {
			printf("  PASS  %-24s %s\n", t->name, t->what);
		} else {
			printf("  FAIL  %-24s %s\n        %s\n", t->name, t->what, msg);
			failed++;
		}
		fflush(stdout);
	}
	printf("%zu passed, %zu failed\n", dg_selftests_count - failed, failed);
	return failed ? EXIT_FAIL : EXIT_OK;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int full_io(int fd, void *p, size_t n, int wr)
{
	uint8_t *b = p;

	while (n) {
		ssize_t r = wr ? write(fd, b, n) : read(fd, b, n);

		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

/*
 * Baseline peer: a plain forked process on a plain socketpair, no framing.
 * mode 0: echo 64-byte messages; mode 1: read @n bytes, answer 4.
 */
static pid_t raw_peer(int *fd, int mode, size_t n)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		static uint8_t buf[1 << 16];

		close(sv[0]);
		for (;;) {
			if (mode == 0) {
				if (full_io(sv[1], buf, 64, 0) || full_io(sv[1], buf, 64, 1))
					_exit(0);
			} else {
				size_t left = n;

				while (left) {
					ssize_t r = read(sv[1], buf, left < sizeof(buf) ? left : sizeof(buf));

					if (r <= 0)
						_exit(0);
					left -= (size_t)r;
				}
				if (full_io(sv[1], buf, 4, 1))
					_exit(0);
			}
		}
	}
	close(sv[1]);
	*fd = sv[0];
	return pid;
}

static void raw_stop(int fd, pid_t pid)
{
	close(fd);
	waitpid(pid, NULL, 0);
}

static struct dg_umd *bench_umd(void)
{
	struct dg_umd_desc d = {
		DG_UMD_DESC_BLOB(&dg_blob_sample),
		.timeout_ms = 10000,
	};
	struct dg_umd *u;

	return dg_umd_new(&d, &u) < 0 ? NULL : u;
}

static double bench_raw_rtt(int n)
{
	uint8_t msg[64] = { 1 };
	double t0;
	int fd, i;
	pid_t pid = raw_peer(&fd, 0, 0);

	if (pid < 0)
		return -1;
	t0 = now_s();
	for (i = 0; i < n; i++)
		if (full_io(fd, msg, 64, 1) || full_io(fd, msg, 64, 0))
			break;
	t0 = (now_s() - t0) / n;
	raw_stop(fd, pid);
	return t0;
}

static double bench_umd_rtt(int n)
{
	struct dg_umd *u = bench_umd();
	struct dg_umd_answer a;
	uint8_t msg[64] = { 1 };
	double t0;
	int i;

	if (!u || dg_umd_start(u) < 0)
		return -1;
	t0 = now_s();
	for (i = 0; i < n; i++) {
		if (dg_umd_call(u, SAMPLE_ECHO, msg, 64, &a) < 0 || a.len != 64)
			return -1;
		dg_umd_answer_free(&a);
	}
	t0 = (now_s() - t0) / n;
	dg_umd_free(u);
	return t0;
}

static double bench_raw_tput(const uint8_t *big, size_t n, int reps)
{
	uint8_t ack[4];
	double t0;
	int fd, i;
	pid_t pid = raw_peer(&fd, 1, n);

	if (pid < 0)
		return -1;
	t0 = now_s();
	for (i = 0; i < reps; i++)
		if (full_io(fd, (void *)big, n, 1) || full_io(fd, ack, 4, 0))
			break;
	t0 = now_s() - t0;
	raw_stop(fd, pid);
	return (double)n * reps / t0;
}

static double bench_umd_tput(const uint8_t *big, size_t n, int reps)
{
	struct dg_umd *u = bench_umd();
	struct dg_umd_answer a;
	double t0;
	int i;

	if (!u || dg_umd_start(u) < 0)
		return -1;
	t0 = now_s();
	for (i = 0; i < reps; i++) {
		if (dg_umd_call(u, SAMPLE_SINK, big, n, &a) < 0 || a.len != 4)
			return -1;
		dg_umd_answer_free(&a);
	}
	t0 = now_s() - t0;
	dg_umd_free(u);
	return (double)n * reps / t0;
}

/* Spawn to first answer, with a fresh manager each time (memfd + hash too). */
static double bench_umd_cold(int n)
{
	double t0 = now_s();
	int i;

	for (i = 0; i < n; i++) {
		struct dg_umd *u = bench_umd();

		if (!u || dg_umd_start(u) < 0)
			return -1;
		dg_umd_free(u);
	}
	return (now_s() - t0) / n;
}

static double bench_bwrap_cold(int n)
{
	char *args[] = { "bwrap", "--unshare-all", "--die-with-parent", "--ro-bind",
			 "/", "/", "true", NULL };
	double t0 = now_s();
	int i, st;

	for (i = 0; i < n; i++) {
		pid_t pid;

		if (posix_spawnp(&pid, "bwrap", NULL, NULL, args, environ) != 0)
			return -1;
		if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			return -1;
	}
	return (now_s() - t0) / n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Cold starts of umd and bwrap alternate in rounds of ten, and the medians
 * are reported: namespace teardown of one run overlaps the next, and the
 * machine's load drifts, so back-to-back blocks would compare different
 * conditions.
 */
static void bench_cold_rounds(int n, double *umd, double *bw)
{
	double u[64], b[64];
	int rounds = n / 10 < 1 ? 1 : n / 10 > 64 ? 64 : n / 10, i;

	for (i = 0; i < rounds; i++) {
		u[i] = bench_umd_cold(10);
		b[i] = bench_bwrap_cold(10);
		if (u[i] <= 0 || b[i] <= 0) {
			*umd = u[i];
			*bw = b[i];
			return;
		}
	}
	qsort(u, (size_t)rounds, sizeof(double), cmp_double);
	qsort(b, (size_t)rounds, sizeof(double), cmp_double);
	*umd = u[rounds / 2];
	*bw = b[rounds / 2];
}

static int cmd_bench(int argc, char **argv)
{
	int rtt_n = 20000, cold_n = 100, reps = 20;
	size_t big_n = 16u << 20;
	double raw_rtt, umd_rtt, raw_tp, umd_tp, cold, bw;
	uint8_t *big;
	int ok = 1;

	if (argc > 1 && !strcmp(argv[1], "--quick")) {
		rtt_n = 2000, cold_n = 10, reps = 3;
		argc--, argv++;
	}
	if (cli_no_args("umd bench", argc, argv))
		return EXIT_USAGE;
	big = malloc(big_n);
	if (!big)
		return EXIT_FAIL;
	memset(big, 0x5a, big_n);
	/* Warm up both paths once. */
	bench_raw_rtt(1000);
	bench_umd_rtt(1000);
	raw_rtt = bench_raw_rtt(rtt_n);
	umd_rtt = bench_umd_rtt(rtt_n);
	raw_tp = bench_raw_tput(big, big_n, reps);
	umd_tp = bench_umd_tput(big, big_n, reps);
	bench_cold_rounds(cold_n, &cold, &bw);
	free(big);
	if (raw_rtt <= 0 || umd_rtt <= 0 || raw_tp <= 0 || umd_tp <= 0 || cold <= 0) {
		fprintf(stderr, "digestguard umd bench: a measurement failed\n");
		return EXIT_FAIL;
	}
	printf("64-byte round trip: raw socketpair %.2f us, umd %.2f us\n",
	       raw_rtt * 1e6, umd_rtt * 1e6);
	printf("16 MiB request:     raw socketpair %.0f MiB/s, umd %.0f MiB/s\n",
	       raw_tp / 1048576, umd_tp / 1048576);
	printf("cold start (median of rounds, alternating): umd %.3f ms", cold * 1e3);
	if (bw > 0)
		printf(", bwrap --unshare-all %.3f ms\n", bw * 1e3);
	else
		printf(", bwrap not available\n");
	printf("ratios (target):\n");
	printf("  rtt umd/raw        %.2f  (<= 1.50) %s\n", umd_rtt / raw_rtt,
	       umd_rtt / raw_rtt <= 1.5 ? "met" : (ok = 0, "MISSED"));
	printf("  throughput umd/raw %.2f  (>= 0.70) %s\n", umd_tp / raw_tp,
	       umd_tp / raw_tp >= 0.7 ? "met" : (ok = 0, "MISSED"));
	if (bw > 0)
		printf("  cold umd/bwrap     %.2f  (<= 1.00) %s\n", cold / bw,
		       cold / bw <= 1.0 ? "met" : (ok = 0, "MISSED"));
	return ok ? EXIT_OK : EXIT_FAIL;
}

/*
 * The namespaces the handler really is in: each /proc/PID/ns/X link that
 * differs from ours.  (Measured, not taken from the manager's flags, so a
 * sandbox regression shows here and in tests/integ/umd_cli.sh.)
 */
static void print_namespaces(pid_t pid)
{
	static const char *const kinds[] = {
		"user", "pid", "net", "ipc", "uts", "mnt", "cgroup",
	};
	const char *sep = "";
	char path[64];
	size_t i;

	printf("namespaces:  ");
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct stat a, b;

		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, kinds[i]);
		if (stat(path, &b) < 0) {
			printf("%s%s?", sep, kinds[i]);
		} else {
			snprintf(path, sizeof(path), "/proc/self/ns/%s", kinds[i]);
			if (stat(path, &a) < 0 || a.st_ino == b.st_ino)
				continue;
			printf("%s%s", sep, kinds[i]);
		}
		sep = ", ";
	}
	printf("%s\n", *sep ? "" : "none");
}

/* The "Cpus_allowed_list" of /proc/@pid/status (or "self"), "?" if unreadable. */
static void cpus_allowed(const char *pid, char *out, size_t len)
{
	char path[64], line[256];
	FILE *f;

	snprintf(out, len, "?");
	snprintf(path, sizeof(path), "/proc/%s/status", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Cpus_allowed_list:", 18)) {
			snprintf(out, len, "%s", line + 18 + strspn(line + 18, " \t"));
			out[strcspn(out, "\n")] = '\0';
			break;
		}
	fclose(f);
}

/*
 * The CPUs the handler may run on: the manager moves a starting handler off
 * its own CPU and the handler takes the full set back (sandbox.c), so this
 * must end up the manager's set.
 */
static void print_cpus(pid_t pid)
{
	char mine[128], theirs[128], p[16];

	snprintf(p, sizeof(p), "%d", (int)pid);
	cpus_allowed(p, theirs, sizeof(theirs));
	cpus_allowed("self", mine, sizeof(mine));
	if (!strcmp(mine, theirs))
		printf("cpus:        %s (same as the manager)\n", theirs);
	else
		printf("cpus:        %s (the manager has %s)\n", theirs, mine);
}

static int cmd_info(int argc, char **argv)
{
	struct dg_umd *u = bench_umd();
	struct dg_umd_stats st;
	size_t i;

	if (cli_no_args("umd info", argc, argv)) {
		dg_umd_free(u);
		return EXIT_USAGE;
	}
	if (!u || dg_umd_start(u) < 0) {
		fprintf(stderr, "digestguard umd info: %s\n",
			u ? dg_umd_last_error(u) : "out of memory");
		dg_umd_free(u);
		return EXIT_FAIL;
	}
	dg_umd_stats(u, &st);
	printf("handler:     sample (%zu bytes, sha256 ", dg_blob_sample.len);
	for (i = 0; i < 32; i++)
		printf("%02x", dg_blob_sample.sha256[i]);
	printf(")\n");
	print_namespaces((pid_t)dg_umd_pid(u));
	print_cpus((pid_t)dg_umd_pid(u));
	printf("landlock:    %s (ABI %d)\nstart-up:    %.3f ms\n",
	       st.sandbox_landlock ? "yes" : "no", st.sandbox_landlock,
	       (double)st.last_start_ns / 1e6);
	dg_umd_free(u);
	return EXIT_OK;
}

static const struct cli_cmd umd_cmds[] = {
	{ "selftest", "", "run libumd's self-tests against the embedded sample handler", cmd_selftest },
	{ "bench", "[--quick]", "round trip, throughput and cold start against raw socketpair and bwrap; exit 1 if a target is missed", cmd_bench },
	{ "info", "", "start the sample handler and show its sandbox", cmd_info },
	{ NULL, NULL, NULL, NULL },
};

const struct cli_object cli_umd = {
	"umd", "user mode driver manager: selftest, bench, info", umd_cmds, NULL, NULL,
};

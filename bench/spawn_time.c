// SPDX-License-Identifier: MIT
/*
 * Whole-process timing for bench/pgp.sh: run commands round-robin, each a
 * direct posix_spawn() (no shell) with standard output and error on
 * /dev/null, and print per command "NAME MEDIAN_S SD_S CPU_S" (CPU =
 * user + system of the child, from wait4()).
 *
 *   spawn_time RUNS NAME=ARGV... (arguments split at blanks; a last word
 *   "<FILE" redirects standard input from FILE)
 *
 * A small C harness, because the time a harness spends around each spawn is
 * added to every command alike and so pulls every ratio towards 1 (Python's
 * subprocess.run(), used before, added 0.2-0.3 ms per run on the test VM).
 * posix_spawn() is what hyperfine and Python use; fork() + exec() measured
 * the same ratios within noise.  Three warm-up rounds are not counted.  A
 * command that exits non-zero ends the run with exit status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define WARMUP	3
#define MAXCMD	16
#define MAXARG	64

struct cmd {
	const char *name;
	char *argv[MAXARG + 1];
	const char *in;
	double *wall, cpu;
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int parse(struct cmd *c, char *spec, int runs)
{
	char *eq = strchr(spec, '='), *tok, *save = NULL;
	int n = 0;

	if (!eq)
		return -1;
	*eq = '\0';
	c->name = spec;
	for (tok = strtok_r(eq + 1, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (tok[0] == '<') {
			c->in = tok + 1;
			continue;
		}
		if (n == MAXARG)
			return -1;
		c->argv[n++] = tok;
	}
	c->argv[n] = NULL;
	c->wall = calloc((size_t)runs, sizeof(double));
	return n && c->wall ? 0 : -1;
}

/* One run of @c: wall seconds, CPU seconds added to c->cpu when @count. */
static int run(struct cmd *c, int count, double *wall)
{
	posix_spawn_file_actions_t fa;
	struct rusage ru;
	double t0;
	pid_t pid;
	int st, err;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (c->in)
		posix_spawn_file_actions_addopen(&fa, 0, c->in, O_RDONLY, 0);
	t0 = now();
	err = posix_spawnp(&pid, c->argv[0], &fa, NULL, c->argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err) {
		fprintf(stderr, "spawn_time: %s: %s\n", c->argv[0], strerror(err));
		return -1;
	}
	if (wait4(pid, &st, 0, &ru) != pid)
		return -1;
	*wall = now() - t0;
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "spawn_time: %s exited with status %d\n", c->name,
			WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		return -1;
	}
	if (count)
		c->cpu += (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
			  (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	return 0;
}

int main(int argc, char **argv)
{
	struct cmd cmds[MAXCMD] = { 0 };
	int runs, ncmd = argc - 2, i, k;

	if (argc < 3 || ncmd > MAXCMD || (runs = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: spawn_time RUNS NAME=COMMAND... (at most %d)\n", MAXCMD);
		return 2;
	}
	for (k = 0; k < ncmd; k++) {
		if (parse(&cmds[k], argv[k + 2], runs)) {
			fprintf(stderr, "spawn_time: bad command spec '%s'\n", argv[k + 2]);
			return 2;
		}
	}
	for (i = 0; i < runs + WARMUP; i++) {
		for (k = 0; k < ncmd; k++) {
			double w;

			if (run(&cmds[k], i >= WARMUP, &w))
				return 1;
			if (i >= WARMUP)
				cmds[k].wall[i - WARMUP] = w;
		}
	}
	for (k = 0; k < ncmd; k++) {
		double sum = 0, sq = 0, mean, med;

		for (i = 0; i < runs; i++)
			sum += cmds[k].wall[i];
		mean = sum / runs;
		for (i = 0; i < runs; i++)
			sq += (cmds[k].wall[i] - mean) * (cmds[k].wall[i] - mean);
		qsort(cmds[k].wall, (size_t)runs, sizeof(double), cmp_double);
		med = runs % 2 ? cmds[k].wall[runs / 2] :
		      (cmds[k].wall[runs / 2 - 1] + cmds[k].wall[runs / 2]) / 2;
		printf("%s %.6f %.6f %.6f\n", cmds[k].name, med, sqrt(sq / runs), cmds[k].cpu / runs);
	}
	return 0;
}

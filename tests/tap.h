/* SPDX-License-Identifier: MIT */
/*
 * Minimal TAP for C tests: one behaviour per case, named after it.
 *   TEST(test_frame_rejects_oversized_len) { ... CHECK(cond, "why"); }
 *   int main(void) { RUN(test_frame_rejects_oversized_len); return tap_done(); }
 */
#ifndef DG_TAP_H
#define DG_TAP_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int tap_n, tap_failed, tap_case_failed __attribute__((unused));
static const char *tap_skip_reason __attribute__((unused));

#define TEST(name) static void name(void)

/* Fail the current case (it continues; the first failure is reported). */
#define CHECK(cond, ...)                                                      \
	do {                                                                  \
		if (!(cond)) {                                                \
			if (!tap_case_failed++) {                             \
				printf("# %s:%d: check failed: %s\n# ",       \
				       __FILE__, __LINE__, #cond);            \
				printf(__VA_ARGS__);                          \
				printf("\n");                                 \
			}                                                     \
		}                                                             \
	} while (0)

/* Skip the current case with a reason (printed, and counted as skipped). */
#define SKIP(reason)                        \
	do {                                \
		tap_skip_reason = (reason); \
		return;                     \
	} while (0)

#define RUN(fn)                                                              \
	do {                                                                 \
		tap_case_failed = 0;                                         \
		tap_skip_reason = NULL;                                      \
		fn();                                                        \
		tap_n++;                                                     \
		if (tap_skip_reason)                                         \
			printf("ok %d - %s # SKIP %s\n", tap_n, #fn,         \
			       tap_skip_reason);                             \
		else if (tap_case_failed)                                    \
			printf("not ok %d - %s\n", tap_n, #fn), tap_failed++; \
		else                                                         \
			printf("ok %d - %s\n", tap_n, #fn);                  \
		fflush(stdout);                                              \
	} while (0)

/* "@dir/@name" in one of four rotating buffers (so a call may take a few). */
static inline __attribute__((unused)) char *tap_path(const char *dir, const char *name)
{
	static char p[4][4096];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

/* Read a whole fixture file into a malloc()ed buffer (one spare byte). */
static inline __attribute__((unused)) int tap_read_file(const char *path, uint8_t **out,
							 size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return -errno;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	*out = malloc((size_t)n + 1);
	*len = fread(*out, 1, (size_t)n, f);
	fclose(f);
	return 0;
}

/*
 * Run @fn in a forked child with a 60 s alarm, for a case that changes
 * process-wide state (signal dispositions, credentials, rlimits): its
 * exit status, 128 + the signal that ended it, or -errno when fork failed.
 */
static inline __attribute__((unused)) int tap_in_child(int (*fn)(void))
{
	int status = -1;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		alarm(60);
		status = fn();
		fflush(stdout);
		_exit(status);
	}
	if (pid < 0)
		return -errno;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif

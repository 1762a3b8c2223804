/* SPDX-License-Identifier: MIT */
/*
 * Fixture generators run by unit tests (scripts in tests/data/, or a few
 * gpg commands): exit 0 means the fixtures are there; exit 77 means a tool
 * the generator needs is not installed (its last stderr line says which),
 * and the cases that need the fixtures skip with that reason; any other
 * outcome is a failure, never a skip: the cases fail, and one case shows
 * the tail of the generator's stderr.
 *
 *   static struct fixture_gen gen;
 *   fixture_gen_run(&gen, "gen-verify.sh", "timeout 120 sh ... DIR", "DIR/gen.err", "DIR/ok");
 *   TEST(test_fixture_generator_succeeds) { FIXTURE_GEN_CASE(&gen); }
 *   TEST(test_something) { FIXTURE_NEED(&gen); ... }
 *
 * Include after tap.h.
 */
#ifndef DG_FIXTURE_GEN_H
#define DG_FIXTURE_GEN_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define FIXTURE_GEN_TAIL_LINES 6	/* stderr lines shown for a failure */
#define FIXTURE_GEN_TAIL_BYTES 4096	/* read from the end of the log */
#define FIXTURE_GEN_LINE_MAX 240	/* each shown line cut to this */

enum fixture_gen_status { FIXTURE_GEN_NOT_RUN, FIXTURE_GEN_OK, FIXTURE_GEN_NO_TOOL, FIXTURE_GEN_FAILED };

struct fixture_gen {
	enum fixture_gen_status status;
	char what[320];		/* skip reason, or "NAME exited N" */
	char tail[FIXTURE_GEN_TAIL_LINES * (FIXTURE_GEN_LINE_MAX + 4) + 64];	/* "# "-prefixed lines */
};

/* The last FIXTURE_GEN_TAIL_LINES non-empty lines of LOG into g->tail,
 * each after "# " (the first one's "# " is CHECK's); the last one in LAST. */
static inline __attribute__((unused)) void fixture_gen_read_tail(struct fixture_gen *g, const char *log,
								  char *last, size_t last_size)
{
	char buf[FIXTURE_GEN_TAIL_BYTES + 1];
	const char *line[FIXTURE_GEN_TAIL_LINES];
	size_t n = 0, i, len = 0;
	long size;
	FILE *f = fopen(log, "rb");
	char *p, *nl;
	int k = 0;

	g->tail[0] = 0;
	if (last_size)
		last[0] = 0;
	if (!f) {
		snprintf(g->tail, sizeof(g->tail), "(no stderr log %s)", log);
		return;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	if (size > FIXTURE_GEN_TAIL_BYTES)
		fseek(f, size - FIXTURE_GEN_TAIL_BYTES, SEEK_SET);
	else
		rewind(f);
	n = fread(buf, 1, FIXTURE_GEN_TAIL_BYTES, f);
	fclose(f);
	buf[n] = 0;
	for (p = buf; p < buf + n; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = buf + n;
		*nl = 0;
		if (*p) {
			if (k == FIXTURE_GEN_TAIL_LINES) {
				memmove(line, line + 1, sizeof(line[0]) * (FIXTURE_GEN_TAIL_LINES - 1));
				k--;
			}
			line[k++] = p;
		}
	}
	if (!k) {
		snprintf(g->tail, sizeof(g->tail), "(it wrote nothing on stderr)");
		return;
	}
	for (i = 0; i < (size_t)k && len < sizeof(g->tail); i++)
		len += (size_t)snprintf(g->tail + len, sizeof(g->tail) - len, "%s%.*s",
					i ? "\n# " : "", FIXTURE_GEN_LINE_MAX, line[i]);
	if (last_size)
		snprintf(last, last_size, "%.*s", FIXTURE_GEN_LINE_MAX, line[k - 1]);
}

/* Mark G failed, saying why (for a step after the generator, in C). */
static inline __attribute__((unused, format(printf, 2, 3))) void fixture_gen_fail(struct fixture_gen *g,
										   const char *fmt, ...)
{
	va_list ap;

	g->status = FIXTURE_GEN_FAILED;
	va_start(ap, fmt);
	vsnprintf(g->what, sizeof(g->what), fmt, ap);
	va_end(ap);
}

/* Run CMD (a shell command list) with its stdout dropped and its stderr in
 * LOG; then DONE (a file the generator makes last; NULL: none) must exist. */
static inline __attribute__((unused)) void fixture_gen_run(struct fixture_gen *g, const char *name,
							    const char *cmd, const char *log,
							    const char *done)
{
	char full[8192], last[FIXTURE_GEN_LINE_MAX + 1];
	int st, rc;

	memset(g, 0, sizeof(*g));
	if ((size_t)snprintf(full, sizeof(full), "( %s ) >/dev/null 2>'%s'", cmd, log) >= sizeof(full)) {
		fixture_gen_fail(g, "%s: command too long", name);
		return;
	}
	fflush(stdout);
	st = system(full);
	fixture_gen_read_tail(g, log, last, sizeof(last));
	if (st == -1) {
		fixture_gen_fail(g, "%s: system(): %s", name, strerror(errno));
		return;
	}
	rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (rc == 77) {
		g->status = FIXTURE_GEN_NO_TOOL;
		snprintf(g->what, sizeof(g->what), "%s", last[0] ? last : "a tool the generator needs is missing");
	} else if (rc == 124) {
		fixture_gen_fail(g, "%s timed out", name);
	} else if (rc) {
		fixture_gen_fail(g, "%s exited %d", name, rc);
	} else if (done && access(done, F_OK) != 0) {
		fixture_gen_fail(g, "%s exited 0 without making %s", name, done);
	} else {
		g->status = FIXTURE_GEN_OK;
	}
}

/* The case that reports the generator itself: skips naming the missing
 * tool, or fails with the tail of the generator's stderr. */
#define FIXTURE_GEN_CASE(g)                                                           \
	do {                                                                          \
		if ((g)->status == FIXTURE_GEN_NO_TOOL)                               \
			SKIP((g)->what);                                              \
		CHECK((g)->status == FIXTURE_GEN_OK, "%s; its stderr ends:\n# %s",   \
		      (g)->status == FIXTURE_GEN_NOT_RUN ? "generator not run" : (g)->what, \
		      (g)->tail);                                                     \
	} while (0)

/* In a case that needs the fixtures: skip when a tool is missing, fail
 * and end the case when the generator failed. */
#define FIXTURE_NEED(g)                                                               \
	do {                                                                          \
		if ((g)->status == FIXTURE_GEN_NO_TOOL)                               \
			SKIP((g)->what);                                              \
		if ((g)->status != FIXTURE_GEN_OK) {                                  \
			CHECK((g)->status == FIXTURE_GEN_OK,                          \
			      "no fixtures: %s (the generator's own case shows its stderr)", \
			      (g)->status == FIXTURE_GEN_NOT_RUN ? "generator not run" : (g)->what); \
			return;                                                       \
		}                                                                     \
	} while (0)

#endif

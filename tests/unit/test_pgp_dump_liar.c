// SPDX-License-Identifier: MIT
/*
 * `digestguard pgp dump` against a lying pgp handler (tests/handlers/liar.c
 * built with -DLIAR_PGP): the dump prints what the handler claims, but the
 * trusted side must still bound what the handler makes it do.  The command
 * is compiled in here with the liar embedded in place of the pgp handler.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define dg_blob_pgp dg_blob_liar_pgp
#include "../../src/cli/pgp.c"
#undef dg_blob_pgp

#include "tap.h"

/* Seconds a dump may take before it counts as hung. */
#define DUMP_DEADLINE_S 20

/*
 * Run `pgp dump FILE` in a child (stdout discarded, stderr to @err) that
 * gets DUMP_DEADLINE_S seconds; its wait status.
 */
static int dump_in_child(const char *file, const char *err)
{
	int status = -1;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "dump", (char *)file, NULL };
		int null = open("/dev/null", O_WRONLY), e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (null < 0 || e < 0 || dup2(null, 1) < 0 || dup2(e, 2) < 0)
			_exit(100);
		alarm(DUMP_DEADLINE_S);
		_exit(cli_pgp.cmds[0].run(2, argv));
	}
	if (pid < 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/*
 * A handler that answers every PARSE with a compressed packet holding the
 * same input again would have the dump recurse without end (each level a
 * new handler: a hang, then a stack overflow).  The real handler refuses
 * compressed data at depth PGP_NEST_MAX - 1, so a deeper answer is a lie.
 */
TEST(test_dump_bounds_the_compressed_nesting_a_handler_claims)
{
	static const uint8_t in[] = { 0xc8, 0x02, 0x00, 0x00 };	/* tag 8, 2 bytes */
	char dir[] = "/tmp/dg-pgp-dump-liar.XXXXXX";
	char *file, *err;
	uint8_t *msg = NULL;
	size_t ml = 0;
	int status, fd;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	file = tap_path(dir, "nested.gpg");
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && write(fd, in, sizeof(in)) == (ssize_t)sizeof(in), "write %s", file);
	if (fd >= 0)
		close(fd);
	file = strdup(file);
	err = tap_path(dir, "stderr");
	status = dump_in_child(file, err);
	CHECK(!WIFSIGNALED(status), "the dump did not end: killed by signal %d after at most %d s",
	      WIFSIGNALED(status) ? WTERMSIG(status) : 0, DUMP_DEADLINE_S);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == EXIT_USAGE, "status 0x%x", status);
	tap_read_file(err, &msg, &ml);
	CHECK(msg && ml && memmem(msg, ml, "nested deeper", 13), "message: %.*s", (int)ml,
	      msg ? (const char *)msg : "");
	free(msg);
	unlink(err);
	unlink(file);
	rmdir(dir);
	free(file);
}

int main(void)
{
	alarm(120);	/* watchdog: the case has its own deadline, this is the backstop */
	signal(SIGPIPE, SIG_IGN);
	RUN(test_dump_bounds_the_compressed_nesting_a_handler_claims);
	return tap_done();
}

// SPDX-License-Identifier: MIT
/*
 * cli_local_line(), the line parser of `db import --local`, on what GNU
 * sha256sum prints (plain, -b, --tag, --zero) for files with odd names made
 * here: a backslash, a carriage return, a newline, a leading '*', ") = "
 * inside the name, a path whose escaped line is over the limit.  sha256sum runs at test time and each digest is checked
 * against the file's content hashed here, so no expected digest is written
 * down.  The lines are read with getline() from the output, as db.c reads
 * the list.  Edited copies of real lines give the error cases.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "local_list.h"
#include "sha256.h"
#include "tap.h"

#define LINES_MAX	32

static char dir[64];

static const char *const names[] = {
	"plain", "sp ace", "back\\slash", "car\rriage", "new\nline", "x) = y", "*star",
	"tab\tname", "\xc3\xbcnicode",
};
#define NNAMES	(sizeof(names) / sizeof(names[0]))
enum { PLAIN, SPACE, BACKSLASH, CR, NEWLINE, TAGSEP, STAR, TAB, UNICODE };

struct parsed {
	int r;
	uint8_t d[32];
	char path[4096];
	char why[128];
};

static void content_of(size_t i, char *buf, size_t cap)
{
	snprintf(buf, cap, "content of file %zu, \"%s\"\n", i, names[i]);
}

static void digest_of(size_t i, uint8_t d[32])
{
	char c[256];

	content_of(i, c, sizeof(c));
	dg_sha256(c, strlen(c), d);
}

static int make_files(void)
{
	size_t i;

	snprintf(dir, sizeof(dir), "/tmp/dg-local-list-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	for (i = 0; i < NNAMES; i++) {
		char c[256];
		FILE *f = fopen(tap_path(dir, names[i]), "w");

		if (!f)
			return -1;
		content_of(i, c, sizeof(c));
		fputs(c, f);
		if (fclose(f))
			return -1;
	}
	return 0;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(p);
}

/* stdout of @argv run in the directory, into @out (malloc()ed): its length, or -1. */
static ssize_t capture(const char *const *argv, char **out)
{
	size_t len = 0, cap = 4096;
	int pfd[2], st;
	pid_t pid;
	ssize_t r;

	if (pipe(pfd) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		if (chdir(dir) < 0)
			_exit(126);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	*out = malloc(cap);
	while (*out && (r = read(pfd[0], *out + len, cap - len)) > 0) {
		len += (size_t)r;
		if (len == cap)
			*out = realloc(*out, cap *= 2);
	}
	close(pfd[0]);
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) || !*out)
		return -1;
	return (ssize_t)len;
}

/*
 * stdout of `sha256sum OPTS... FILES...` for names[@which[0..n)] (absolute
 * paths, or names relative to the directory when @relative).
 */
static ssize_t sha256sum(const char *const *opts, const size_t *which, size_t n,
			 int relative, char **out)
{
	const char *argv[32];
	char paths[NNAMES][512];
	size_t k = 0, i;

	argv[k++] = "sha256sum";
	while (*opts)
		argv[k++] = *opts++;
	for (i = 0; i < n; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s%s%s", relative ? "" : dir,
			 relative ? "" : "/", names[which[i]]);
		argv[k++] = paths[i];
	}
	argv[k] = NULL;
	return capture(argv, out);
}

/* Each line of @buf, read as db.c reads a list, through cli_local_line(). */
static size_t parse_all(char *buf, size_t len, struct parsed *out)
{
	FILE *f = fmemopen(buf, len, "r");
	char *line = NULL;
	size_t cap = 0, k = 0;
	ssize_t n;

	if (!f)
		return 0;
	while (k < LINES_MAX && (n = getline(&line, &cap, f)) >= 0) {
		char *path = NULL;

		out[k].why[0] = '\0';
		out[k].path[0] = '\0';
		out[k].r = cli_local_line(line, (size_t)n, out[k].d, &path, out[k].why,
					  sizeof(out[k].why));
		if (out[k].r == 1)
			snprintf(out[k].path, sizeof(out[k].path), "%s", path);
		k++;
	}
	free(line);
	fclose(f);
	return k;
}

/* sha256sum @opts on names[@which], every line parsed into @p; how many. */
static size_t run(const char *const *opts, const size_t *which, size_t n, int relative,
		  struct parsed *p)
{
	char *out = NULL;
	ssize_t len = sha256sum(opts, which, n, relative, &out);
	size_t k;

	CHECK(len > 0, "sha256sum ran");
	k = len > 0 ? parse_all(out, (size_t)len, p) : 0;
	free(out);
	return k;
}

/* Line @p is names[@i] with its digest (absolute path unless @relative). */
static void check_entry(const struct parsed *p, size_t i, int relative, const char *how)
{
	uint8_t d[32];
	char want[512];

	digest_of(i, d);
	snprintf(want, sizeof(want), "%s%s%s", relative ? "" : dir, relative ? "" : "/",
		 names[i]);
	CHECK(p->r == 1, "%s, file %zu: %d (%s)", how, i, p->r, p->why);
	CHECK(!strcmp(p->path, want), "%s, file %zu: path \"%s\"", how, i, p->path);
	CHECK(!memcmp(p->d, d, 32), "%s, file %zu: digest differs from the content's", how, i);
}

static const size_t storable[] = { PLAIN, SPACE, BACKSLASH, CR, TAGSEP, STAR, TAB, UNICODE };
#define NSTORABLE	(sizeof(storable) / sizeof(storable[0]))

/* Every storable name, as sha256sum prints it with @opts, read back whole. */
static void reads_every_name(const char *const *opts, const char *what)
{
	struct parsed p[LINES_MAX];
	size_t i, k = run(opts, storable, NSTORABLE, 0, p);

	CHECK(k == NSTORABLE, "%zu lines", k);
	for (i = 0; i < k && i < NSTORABLE; i++)
		check_entry(&p[i], storable[i], 0, what);
}

TEST(test_local_line_reads_sha256sum_output)
{
	static const char *const opts[] = { NULL };

	reads_every_name(opts, "sha256sum");
}

TEST(test_local_line_reads_sha256sum_binary_output)
{
	static const char *const opts[] = { "-b", NULL };

	reads_every_name(opts, "sha256sum -b");
}

TEST(test_local_line_reads_sha256sum_tag_output)
{
	static const char *const opts[] = { "--tag", NULL };

	reads_every_name(opts, "sha256sum --tag");
}

TEST(test_local_line_keeps_a_leading_star_of_a_name)
{
	static const char *const text[] = { NULL }, *const bin[] = { "-b", NULL },
			  *const tag[] = { "--tag", NULL };
	static const size_t star[] = { STAR };
	struct parsed p[LINES_MAX];

	/* "HEX  *star" is the name *star; "HEX **star" too, in binary mode */
	CHECK(run(text, star, 1, 1, p) == 1, "one line");
	check_entry(&p[0], STAR, 1, "relative, text mode");
	CHECK(run(bin, star, 1, 1, p) == 1, "one line");
	check_entry(&p[0], STAR, 1, "relative, binary mode");
	CHECK(run(tag, star, 1, 1, p) == 1, "one line");
	check_entry(&p[0], STAR, 1, "relative, --tag");
}

TEST(test_local_line_refuses_an_escaped_newline)
{
	static const char *const text[] = { NULL }, *const tag[] = { "--tag", NULL };
	static const size_t nl[] = { NEWLINE };
	struct parsed p[LINES_MAX];

	CHECK(run(text, nl, 1, 0, p) == 1, "sha256sum escapes the newline: one line");
	CHECK(p[0].r == -EBADMSG && !strcmp(p[0].why, "path with a newline cannot be stored"),
	      "%d %s", p[0].r, p[0].why);
	CHECK(run(tag, nl, 1, 0, p) == 1, "--tag: one line");
	CHECK(p[0].r == -EBADMSG && !strcmp(p[0].why, "path with a newline cannot be stored"),
	      "--tag: %d %s", p[0].r, p[0].why);
}

TEST(test_local_line_refuses_zero_terminated_output)
{
	static const char *const zero[] = { "--zero", NULL },
			  *const tagzero[] = { "--tag", "--zero", NULL };
	struct parsed p[LINES_MAX];

	/* --zero ends records with NUL and escapes nothing: not a list */
	CHECK(run(zero, storable, NSTORABLE, 0, p) >= 1, "output");
	CHECK(p[0].r == -EBADMSG && !strcmp(p[0].why, "NUL byte in line"), "%d %s", p[0].r,
	      p[0].why);
	CHECK(run(tagzero, storable, 1, 0, p) >= 1, "output");
	CHECK(p[0].r == -EBADMSG && !strcmp(p[0].why, "NUL byte in line"), "--tag: %d %s",
	      p[0].r, p[0].why);
}

/* Real output edited by @edit before it is parsed; the first line's result. */
static struct parsed edited(const char *const *opts, size_t i,
			    void (*edit)(char *buf, size_t *len, size_t cap))
{
	struct parsed p[LINES_MAX];
	char *out = NULL, buf[4096];
	ssize_t len = sha256sum(opts, &i, 1, 0, &out);
	size_t n = len > 0 ? (size_t)len : 0;

	memset(p, 0, sizeof(p[0]));
	p[0].r = 1000;
	CHECK(len > 0 && n < sizeof(buf), "sha256sum ran");
	if (len > 0 && n < sizeof(buf)) {
		memcpy(buf, out, n);
		edit(buf, &n, sizeof(buf));
		CHECK(parse_all(buf, n, p) >= 1, "a line");
	}
	free(out);
	return p[0];
}

static void to_crlf(char *buf, size_t *len, size_t cap)
{
	if (*len && *len + 1 < cap && buf[*len - 1] == '\n') {
		buf[*len - 1] = '\r';
		buf[(*len)++] = '\n';
	}
}

TEST(test_local_line_strips_crlf)
{
	static const char *const text[] = { NULL }, *const tag[] = { "--tag", NULL };
	struct parsed p = edited(text, PLAIN, to_crlf);

	check_entry(&p, PLAIN, 0, "CRLF");
	p = edited(tag, BACKSLASH, to_crlf);
	check_entry(&p, BACKSLASH, 0, "CRLF, --tag, escaped");
}

TEST(test_local_line_skips_comments_and_blank_lines)
{
	char l1[] = "# made by sha256sum\n", l2[] = "\n", l3[] = "\r\n", l4[] = "";
	uint8_t d[32];
	char *path = NULL, why[128];

	CHECK(cli_local_line(l1, strlen(l1), d, &path, why, sizeof(why)) == 0, "comment");
	CHECK(cli_local_line(l2, strlen(l2), d, &path, why, sizeof(why)) == 0, "blank");
	CHECK(cli_local_line(l3, strlen(l3), d, &path, why, sizeof(why)) == 0, "CRLF only");
	CHECK(cli_local_line(l4, 0, d, &path, why, sizeof(why)) == 0, "last line, empty");
}

/* 63 hex digits: one cut at the line's start (plain form) or end (--tag). */
static void cut_head_digit(char *buf, size_t *len, size_t cap)
{
	(void)cap;
	memmove(buf + 10, buf + 11, --*len - 10);
}

static void cut_tail_digit(char *buf, size_t *len, size_t cap)
{
	(void)cap;
	memmove(buf + *len - 6, buf + *len - 5, 5);
	--*len;
}

static void bad_escape(char *buf, size_t *len, size_t cap)
{
	char *b = strstr(buf, "\\\\");	/* the name's escaped backslash */

	(void)len; (void)cap;
	if (b)
		b[1] = 't';
}

TEST(test_local_line_refuses_malformed_lines)
{
	static const char *const text[] = { NULL }, *const tag[] = { "--tag", NULL };
	static const char shape[] = "expected 64 hex digits, two spaces and a path, "
				    "or SHA256 (PATH) = HEX (sha256sum format)";
	struct parsed p;

	p = edited(text, PLAIN, cut_head_digit);
	CHECK(p.r == -EBADMSG && !strcmp(p.why, shape), "63 hex digits: %d %s", p.r, p.why);
	p = edited(tag, PLAIN, cut_tail_digit);
	CHECK(p.r == -EBADMSG && !strcmp(p.why, shape), "--tag cut: %d %s", p.r, p.why);
	p = edited(text, BACKSLASH, bad_escape);
	CHECK(p.r == -EBADMSG && !strcmp(p.why, "escape '\\t' in path not supported"),
	      "\\t: %d %s", p.r, p.why);
}

/*
 * A name of 2.3 KB fits the database (DG_DB_NAME_MAX), but sha256sum
 * doubles each of its backslashes: nine directories named with 250 of them
 * give a line over LOCAL_LINE_MAX, refused as such.
 */
TEST(test_local_line_refuses_an_escaped_line_over_the_limit)
{
	char deep[4096], *out = NULL;
	const char *argv[] = { "sha256sum", deep, NULL };
	struct parsed p[LINES_MAX];
	char want[128];
	size_t at, i;
	ssize_t len;
	FILE *f;

	at = (size_t)snprintf(deep, sizeof(deep), "%s", dir);
	for (i = 0; i < 9; i++) {
		deep[at++] = '/';
		memset(deep + at, '\\', 250);
		at += 250;
		deep[at] = '\0';
		CHECK(mkdir(deep, 0700) == 0, "mkdir level %zu", i);
	}
	snprintf(deep + at, sizeof(deep) - at, "/f");
	f = fopen(deep, "w");
	CHECK(f != NULL, "create %zu-byte path", strlen(deep));
	if (!f)
		return;
	fclose(f);
	len = capture(argv, &out);
	CHECK(len > LOCAL_LINE_MAX, "sha256sum printed %zd bytes", len);
	if (len > 0) {
		CHECK(parse_all(out, (size_t)len, p) == 1, "one line");
		snprintf(want, sizeof(want), "line of %zd bytes exceeds limit %d", len,
			 LOCAL_LINE_MAX);
		CHECK(p[0].r == -E2BIG && !strcmp(p[0].why, want), "%d %s (want %s)", p[0].r,
		      p[0].why, want);
	}
	free(out);
}

int main(void)
{
	int ok;

	if (access("/usr/bin/sha256sum", X_OK) && access("/bin/sha256sum", X_OK)) {
		printf("ok 1 - test_local_line # SKIP no sha256sum (GNU coreutils)\n1..1\n");
		return 0;
	}
	ok = make_files() == 0;
	if (!ok) {
		printf("not ok 1 - test_local_line_fixture (cannot make files in /tmp)\n1..1\n");
		return 1;
	}
	RUN(test_local_line_reads_sha256sum_output);
	RUN(test_local_line_reads_sha256sum_binary_output);
	RUN(test_local_line_reads_sha256sum_tag_output);
	RUN(test_local_line_keeps_a_leading_star_of_a_name);
	RUN(test_local_line_refuses_an_escaped_newline);
	RUN(test_local_line_refuses_zero_terminated_output);
	RUN(test_local_line_strips_crlf);
	RUN(test_local_line_skips_comments_and_blank_lines);
	RUN(test_local_line_refuses_malformed_lines);
	RUN(test_local_line_refuses_an_escaped_line_over_the_limit);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}

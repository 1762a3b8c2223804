// SPDX-License-Identifier: MIT
/*
 * The directories db import walks (src/core/import_walk.c for --rpm DIR
 * and --deb DIR, dg_deb_load_lists() for --apt-lists DIR): an empty one,
 * or one that is not there, gives a clean answer.  Run under UBSan by
 * `make check`, where sorting the names of an empty directory as
 * qsort(NULL, 0, ...) was reported as undefined behaviour.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <digestguard/deb.h>

#include "readdir_fault.h"
#include "tap.h"
#include "import_walk.h"

static char dir[] = "/tmp/dg-import-dirs.XXXXXX";

static void noted(const char *msg, void *ctx)
{
	snprintf(ctx, 256, "%s", msg);
}

static int count_one(const char *path, void *ctx)
{
	(void)path;
	++*(int *)ctx;
	return 0;
}

TEST(test_import_walk_of_an_empty_directory_finds_no_package)
{
	int seen = 0;
	const struct import_walk w = { .suffix = ".rpm", .one = count_one, .ctx = &seen };

	CHECK(import_walk(dir, &w) == 0, "import_walk of an empty directory failed");
	CHECK(seen == 0, "%d packages in an empty directory", seen);
}

/*
 * dg_deb_load_lists() of @path in a new context, readdir() failing when
 * @fail: its result, the counts in @nin/@npk and its error in @why.  1 when
 * no context could be made (a skip).
 */
static int load_lists(const char *path, int fail, size_t *nin, size_t *npk, char *why,
		      size_t wl)
{
	struct dg_deb *deb;
	int r;

	if (dg_deb_new(0, &deb) < 0)
		return 1;
	readdir_fails = fail;
	r = dg_deb_load_lists(deb, path, 0, NULL, NULL, nin, npk);
	readdir_fails = 0;
	snprintf(why, wl, "%s", dg_deb_last_error(deb));
	dg_deb_free(deb);
	return r;
}

TEST(test_apt_lists_of_an_empty_directory_is_enoent)
{
	size_t nin = 9, npk = 9;
	char why[512];
	int r = load_lists(dir, 0, &nin, &npk, why, sizeof(why));

	if (r == 1)
		SKIP("no deb context");
	CHECK(r == -ENOENT, "got %d (%s)", r, why);
	CHECK(nin == 0 && npk == 0, "%zu InRelease, %zu Packages in an empty directory", nin, npk);
	CHECK(strstr(why, dir) != NULL, "error does not name %s: %s", dir, why);
}

TEST(test_apt_lists_of_a_missing_directory_is_enoent)
{
	size_t nin, npk;
	char gone[sizeof(dir) + 8], why[512];
	int r;

	snprintf(gone, sizeof(gone), "%s/nosuch", dir);
	r = load_lists(gone, 0, &nin, &npk, why, sizeof(why));
	if (r == 1)
		SKIP("no deb context");
	CHECK(r == -ENOENT, "got %d (%s)", r, why);
}

/* A directory whose listing breaks off is not taken as a shorter one. */
TEST(test_import_walk_reports_a_read_error_not_a_shorter_directory)
{
	char why[256] = "", path[sizeof(dir) + 16];
	int seen = 0;
	struct import_walk w = { .suffix = ".rpm", .one = count_one, .ctx = &seen };
	FILE *f;

	snprintf(path, sizeof(path), "%s/a.rpm", dir);
	f = fopen(path, "w");
	CHECK(f && fclose(f) == 0, "%s: %s", path, strerror(errno));
	w.skipped = noted;
	w.ctx = why;
	readdir_fails = 1;
	CHECK(import_walk(dir, &w) == 0, "not strict: the directory is skipped, the walk goes on");
	CHECK(strstr(why, dir) && strstr(why, strerror(EIO)), "skip names %s and the error: '%s'",
	      dir, why);
	w.strict = 1;
	readdir_fails = 1;
	CHECK(import_walk(dir, &w) == -EIO, "strict: -EIO");
	readdir_fails = 0;
	w.strict = 0;
	w.skipped = NULL;
	w.ctx = &seen;
	CHECK(import_walk(dir, &w) == 0 && seen == 1, "without the error: %d package", seen);
	unlink(path);
}

TEST(test_apt_lists_report_a_read_error)
{
	size_t nin = 9, npk = 9;
	char why[512];
	int r = load_lists(dir, 1, &nin, &npk, why, sizeof(why));

	if (r == 1)
		SKIP("no deb context");
	CHECK(r == -EIO, "got %d (%s)", r, why);
	CHECK(strstr(why, dir) != NULL, "error does not name %s: %s", dir, why);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	RUN(test_import_walk_of_an_empty_directory_finds_no_package);
	RUN(test_apt_lists_of_an_empty_directory_is_enoent);
	RUN(test_apt_lists_of_a_missing_directory_is_enoent);
	RUN(test_import_walk_reports_a_read_error_not_a_shorter_directory);
	RUN(test_apt_lists_report_a_read_error);
	rmdir(dir);
	return tap_done();
}

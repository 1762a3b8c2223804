// SPDX-License-Identifier: MIT
/* The enforcer's decision cache: per inode, valid only for one version. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "tap.h"

static struct dg_enf_key key(uint64_t ino)
{
	struct dg_enf_key k = { .dev = 0x801, .ino = ino, .size = 4096,
				.mtime_ns = 1000, .ctime_ns = 2000 };
	return k;
}

TEST(test_cache_hit_for_the_same_version)
{
	struct dg_enf_cache *c = dg_enf_cache_new(0);
	struct dg_enf_key k = key(7);
	struct dg_enf_entry *e = dg_enf_cache_put(c, &k);

	e->have_digest = 1;
	e->digest[0] = 0xaa;
	e = dg_enf_cache_get(c, &k);
	CHECK(e && e->have_digest && e->digest[0] == 0xaa, "hit keeps the digest");
	dg_enf_cache_free(c);
}

TEST(test_cache_miss_after_any_version_change)
{
	struct dg_enf_cache *c = dg_enf_cache_new(0);
	struct dg_enf_key k = key(7), m;
	int i;

	for (i = 0; i < 3; i++) {
		dg_enf_cache_put(c, &k)->have_digest = 1;
		m = k;
		if (i == 0)
			m.size++;
		else if (i == 1)
			m.mtime_ns++;
		else
			m.ctime_ns++;
		CHECK(dg_enf_cache_get(c, &m) == NULL, "change %d must miss", i);
		/* and the old version is gone too: a write invalidates it */
		CHECK(dg_enf_cache_get(c, &k) == NULL, "old version dropped after change %d", i);
	}
	dg_enf_cache_free(c);
}

TEST(test_cache_does_not_reuse_what_was_read_within_the_racy_window)
{
	struct dg_enf_cache *c = dg_enf_cache_new(0);
	struct dg_enf_key k = key(9);
	int64_t read_start = 2000 + DG_ENF_RACY_NS;	/* ctime 2000 ns: just inside */
	struct dg_enf_entry *e = dg_enf_cache_put(c, &k);

	e->have_digest = 1;
	dg_enf_cache_mark_racy(e, read_start);
	CHECK(dg_enf_cache_get(c, &k) == NULL, "racy entry: read again next time");
	e = dg_enf_cache_put(c, &k);
	e->have_digest = 1;
	dg_enf_cache_mark_racy(e, read_start + 1);
	CHECK(dg_enf_cache_get(c, &k) == e, "timestamps older than the window: reused");
	k.mtime_ns = read_start;	/* a future-dated mtime is racy too */
	e = dg_enf_cache_put(c, &k);
	dg_enf_cache_mark_racy(e, read_start + 1);
	CHECK(dg_enf_cache_get(c, &k) == NULL, "mtime inside the window: not reused");
	dg_enf_cache_free(c);
}

/* The version of the file behind @fd, as the worker takes it. */
static struct dg_enf_key key_of_fd(int fd, uint32_t *uid, uint32_t *mode)
{
	struct dg_enf_key k;
	struct statx sx;

	memset(&k, 0, sizeof(k));
	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx) < 0)
		return k;
	k.dev = (uint64_t)sx.stx_dev_major << 32 | sx.stx_dev_minor;
	k.ino = sx.stx_ino;
	k.size = sx.stx_size;
	k.mtime_ns = sx.stx_mtime.tv_sec * 1000000000ll + sx.stx_mtime.tv_nsec;
	k.ctime_ns = sx.stx_ctime.tv_sec * 1000000000ll + sx.stx_ctime.tv_nsec;
	*uid = sx.stx_uid;
	*mode = sx.stx_mode;
	return k;
}

/*
 * A user who may write a file changes it through a shared mapping whose
 * page is already dirty: size, mtime and ctime stay as they were, so the
 * version key cannot tell.  What was read from such a file (digest, class,
 * lookup answer) must not be reused for the next event.
 */
TEST(test_cache_does_not_reuse_a_file_others_may_write)
{
	char path[] = "/tmp/dg-cache-XXXXXX";
	struct dg_enf_cache *c = dg_enf_cache_new(0);
	struct dg_enf_key before, after;
	struct dg_enf_entry *e;
	uint32_t uid = 0, mode = 0;
	volatile char *m;
	int fd = mkstemp(path);

	CHECK(fd >= 0 && write(fd, "AAAA", 4) == 4, "test file");
	if (geteuid() == 0)
		CHECK(fchown(fd, 65534, 65534) == 0, "owned by nobody");
	m = mmap(NULL, 4, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "shared writable mapping");
	m[0] = 'A';		/* the page is dirty from now on */
	before = key_of_fd(fd, &uid, &mode);
	e = dg_enf_cache_put(c, &before);
	e->have_digest = 1;
	/* Read long after its last change: not racy. */
	dg_enf_cache_mark_racy(e, before.ctime_ns + DG_ENF_RACY_NS + 1);
	dg_enf_cache_mark_writable(e, uid, mode);
	memcpy((char *)m, "\177ELF", 4);	/* other content, same page */
	after = key_of_fd(fd, &uid, &mode);
	CHECK(!memcmp(&before, &after, sizeof(before)), "the version key did not change");
	CHECK(dg_enf_cache_get(c, &after) == NULL, "what was read is not reused");
	/* A root-only file (owner root, no group/other write) is reused. */
	e = dg_enf_cache_put(c, &before);
	e->have_digest = 1;
	dg_enf_cache_mark_racy(e, before.ctime_ns + DG_ENF_RACY_NS + 1);
	dg_enf_cache_mark_writable(e, 0, S_IFREG | 0755);
	CHECK(dg_enf_cache_get(c, &before) == e, "root-only file: reused");
	munmap((void *)m, 4);
	close(fd);
	unlink(path);
	dg_enf_cache_free(c);
}

TEST(test_cache_keeps_inodes_apart)
{
	struct dg_enf_cache *c = dg_enf_cache_new(0);
	struct dg_enf_key a = key(1), b = key(2);

	dg_enf_cache_put(c, &a)->digest[0] = 1;
	dg_enf_cache_put(c, &b)->digest[0] = 2;
	b.dev = 0x802;
	CHECK(dg_enf_cache_get(c, &b) == NULL, "other device, same inode number");
	b.dev = 0x801;
	CHECK(dg_enf_cache_get(c, &a)->digest[0] == 1 && dg_enf_cache_get(c, &b)->digest[0] == 2,
	      "two inodes, two entries");
	dg_enf_cache_free(c);
}

TEST(test_cache_grows_and_keeps_every_entry)
{
	struct dg_enf_cache *c = dg_enf_cache_new(0);
	uint64_t i;
	int missing = 0;

	for (i = 1; i <= 20000; i++) {
		struct dg_enf_key k = key(i);

		dg_enf_cache_put(c, &k)->digest[0] = (uint8_t)i;
	}
	for (i = 1; i <= 20000; i++) {
		struct dg_enf_key k = key(i);
		struct dg_enf_entry *e = dg_enf_cache_get(c, &k);

		if (!e || e->digest[0] != (uint8_t)i)
			missing++;
	}
	CHECK(missing == 0, "%d entries lost", missing);
	CHECK(dg_enf_cache_count(c) == 20000, "count %zu", dg_enf_cache_count(c));
	dg_enf_cache_free(c);
}

TEST(test_cache_is_bounded)
{
	struct dg_enf_cache *c = dg_enf_cache_new(100);
	uint64_t i;

	for (i = 1; i <= 1000; i++) {
		struct dg_enf_key k = key(i);

		CHECK(dg_enf_cache_put(c, &k) != NULL, "put %llu", (unsigned long long)i);
	}
	CHECK(dg_enf_cache_count(c) <= 100, "count %zu over the bound", dg_enf_cache_count(c));
	dg_enf_cache_free(c);
}

int main(void)
{
	RUN(test_cache_hit_for_the_same_version);
	RUN(test_cache_miss_after_any_version_change);
	RUN(test_cache_does_not_reuse_what_was_read_within_the_racy_window);
	RUN(test_cache_does_not_reuse_a_file_others_may_write);
	RUN(test_cache_keeps_inodes_apart);
	RUN(test_cache_grows_and_keeps_every_entry);
	RUN(test_cache_is_bounded);
	return tap_done();
}

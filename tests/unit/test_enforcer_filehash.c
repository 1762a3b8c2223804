// SPDX-License-Identifier: MIT
/* The enforcer's file hashing: mapped, exact, and safe on a shrunk file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filehash.h"
#include "sha256.h"
#include "tap.h"

static int tmpfile_with(const uint8_t *p, size_t n)
{
	char path[] = "/tmp/dg-filehash-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	unlink(path);
	if (n && write(fd, p, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	return fd;
}

TEST(test_hash_fd_equals_sha256_of_the_content)
{
	size_t n = (3u << 20) + 123, i;
	uint8_t *p = malloc(n), want[32], got[32];
	int fd;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 2654435761u >> 13);
	fd = tmpfile_with(p, n);
	CHECK(fd >= 0, "temp file");
	dg_sha256(p, n, want);
	CHECK(dg_enf_hash_fd(fd, n, 1ull << 32, got) == 0, "hash");
	CHECK(!memcmp(got, want, 32), "digest differs");
	close(fd);
	free(p);
}

TEST(test_hash_fd_of_an_empty_file)
{
	uint8_t want[32], got[32];
	int fd = tmpfile_with(NULL, 0);

	dg_sha256("", 0, want);
	CHECK(dg_enf_hash_fd(fd, 0, 100, got) == 0 && !memcmp(got, want, 32), "empty");
	close(fd);
}

TEST(test_hash_fd_refuses_files_over_the_limit)
{
	uint8_t got[32];
	int fd = tmpfile_with((const uint8_t *)"abcdef", 6);

	CHECK(dg_enf_hash_fd(fd, 6, 5, got) == -E2BIG, "over the limit");
	close(fd);
}

TEST(test_hash_fd_survives_a_file_shorter_than_its_size)
{
	static uint8_t page[8192];
	uint8_t got[32], want[32];
	int fd = tmpfile_with(page, sizeof(page));

	/* statx said 1 MiB, the file has 8 KiB: the mapping faults (SIGBUS). */
	CHECK(dg_enf_hash_fd(fd, 1u << 20, 1u << 30, got) == -ESTALE, "shrunk file");
	/* and the process, and the next hash, are fine */
	dg_sha256(page, sizeof(page), want);
	CHECK(dg_enf_hash_fd(fd, sizeof(page), 1u << 30, got) == 0 && !memcmp(got, want, 32),
	      "hash after recovery");
	close(fd);
}

TEST(test_hash_fd_with_prefault_helper_survives_a_shrunk_file)
{
	static uint8_t page[8192];
	uint8_t got[32];
	int fd = tmpfile_with(page, sizeof(page));

	/* Big enough for the helper thread; it stops, the hasher recovers. */
	CHECK(dg_enf_hash_fd(fd, 64u << 20, 1u << 30, got) == -ESTALE, "shrunk big file");
	close(fd);
}

TEST(test_hash_fd_of_a_big_file_equals_sha256)
{
	size_t n = (20u << 20) + 7, i;
	uint8_t *p = malloc(n), want[32], got[32];
	int fd;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 40503u >> 7);
	fd = tmpfile_with(p, n);
	dg_sha256(p, n, want);
	CHECK(fd >= 0 && dg_enf_hash_fd(fd, n, 1ull << 32, got) == 0 && !memcmp(got, want, 32),
	      "20 MiB with the prefault helper");
	close(fd);
	free(p);
}

int main(void)
{
	RUN(test_hash_fd_equals_sha256_of_the_content);
	RUN(test_hash_fd_of_an_empty_file);
	RUN(test_hash_fd_refuses_files_over_the_limit);
	RUN(test_hash_fd_survives_a_file_shorter_than_its_size);
	RUN(test_hash_fd_with_prefault_helper_survives_a_shrunk_file);
	RUN(test_hash_fd_of_a_big_file_equals_sha256);
	return tap_done();
}

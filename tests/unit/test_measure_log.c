// SPDX-License-Identifier: MIT
/* IMA measurement log: encoding, bounded parsing, replay, the writer. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imalog.h"
#include "sha1.h"
#include "sha256.h"
#include "tap.h"

static char dir[] = "/tmp/dg-measure-XXXXXX";

static void digest_of(const char *s, uint8_t d[32])
{
	dg_sha256(s, strlen(s), d);
}

static struct dg_buf two_entries(void)
{
	struct dg_buf b = { 0 };
	uint8_t d[32];

	digest_of("one", d);
	dg_ima_encode(&b, d, "/bin/one");
	digest_of("two", d);
	dg_ima_encode(&b, d, "/bin/two");
	return b;
}

TEST(test_sha1_matches_fips_180_vectors)
{
	static const char *const in[] = {
		"abc", "", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	};
	static const char *const want[] = {
		"a9993e364706816aba3e25717850c26c9cd0d89d",
		"da39a3ee5e6b4b0d3255bfef95601890afd80709",
		"84983e441c3bd26ebaae4aa1f95129e5e54670f1",
	};
	uint8_t h[20];
	char hex[41];
	size_t i;

	for (i = 0; i < 3; i++) {
		dg_sha1(in[i], strlen(in[i]), h);
		dg_hex(hex, h, 20);
		CHECK(!strcmp(hex, want[i]), "sha1(%s) = %s", in[i], hex);
	}
}

TEST(test_encode_then_parse_round_trips)
{
	struct dg_buf b = two_entries();
	struct dg_cur c = cur_init(b.data, b.len);
	struct dg_ima_entry e;
	uint8_t d[32];
	char msg[256];

	CHECK(dg_ima_next(&c, &e, msg, sizeof(msg)) == 0, "%s", msg);
	digest_of("one", d);
	CHECK(e.pcr == 10 && !strcmp(e.tname, "ima-ng") && !strcmp(e.algo, "sha256"),
	      "header fields");
	CHECK(e.digest_len == 32 && !memcmp(e.digest, d, 32), "digest");
	CHECK(e.path_len == 8 && !strcmp(e.path, "/bin/one"), "path");
	CHECK(dg_ima_next(&c, &e, msg, sizeof(msg)) == 0 && !strcmp(e.path, "/bin/two"), "second");
	CHECK(c.len == 0, "consumed everything");
	dg_buf_free(&b);
}

TEST(test_replay_pcr_is_sha256_chain_over_template_data)
{
	struct dg_buf b = two_entries();
	struct dg_cur c = cur_init(b.data, b.len);
	struct dg_ima_entry e;
	uint8_t want[32] = { 0 }, got[32], h[32], cat[64];
	uint64_t n;
	char msg[256];

	while (c.len && dg_ima_next(&c, &e, msg, sizeof(msg)) == 0) {
		dg_sha256(e.tdata, e.tdata_len, h);
		memcpy(cat, want, 32);
		memcpy(cat + 32, h, 32);
		dg_sha256(cat, 64, want);
	}
	CHECK(dg_ima_replay(b.data, b.len, got, &n, NULL, msg, sizeof(msg)) == 0, "%s", msg);
	CHECK(n == 2, "2 entries, got %llu", (unsigned long long)n);
	CHECK(!memcmp(got, want, 32), "PCR differs from the manual chain");
	dg_buf_free(&b);
}

TEST(test_parse_rejects_every_truncation_with_enodata)
{
	struct dg_buf b = two_entries();
	size_t first, cut;
	struct dg_cur c = cur_init(b.data, b.len);
	struct dg_ima_entry e;
	char msg[256];

	dg_ima_next(&c, &e, msg, sizeof(msg));
	first = b.len - c.len;
	for (cut = 0; cut < first; cut++) {
		struct dg_cur t = cur_init(b.data, cut);

		if (cut == 0)
			continue;
		CHECK(dg_ima_next(&t, &e, msg, sizeof(msg)) == -ENODATA, "cut at %zu", cut);
		CHECK(t.len == cut, "cursor moved on failure at %zu", cut);
	}
	dg_buf_free(&b);
}

TEST(test_parse_rejects_oversized_template_data_length)
{
	struct dg_buf b = two_entries();
	struct dg_cur c;
	struct dg_ima_entry e;
	char msg[256];

	/* data_len follows pcr(4) sha1(20) name_len(4) "ima-ng"(6) */
	b.data[34] = 0xff; b.data[35] = 0xff; b.data[36] = 0xff; b.data[37] = 0x7f;
	c = cur_init(b.data, b.len);
	CHECK(dg_ima_next(&c, &e, msg, sizeof(msg)) == -E2BIG, "got %s", msg);
	dg_buf_free(&b);
}

TEST(test_parse_rejects_empty_template_name_saying_so)
{
	struct dg_buf b = two_entries();
	struct dg_cur c;
	struct dg_ima_entry e;
	char msg[256];

	/* name_len follows pcr(4) sha1(20): 0 is no name, not one over a limit */
	b.data[24] = b.data[25] = b.data[26] = b.data[27] = 0;
	c = cur_init(b.data, b.len);
	CHECK(dg_ima_next(&c, &e, msg, sizeof(msg)) == -EBADMSG, "got %s", msg);
	CHECK(strstr(msg, "empty") != NULL && !strstr(msg, "exceeds"), "reason: %s", msg);
	dg_buf_free(&b);
}

TEST(test_parse_rejects_oversized_template_name_length_with_e2big)
{
	struct dg_buf b = two_entries();
	struct dg_cur c;
	struct dg_ima_entry e;
	char msg[256];

	b.data[24] = 0x00; b.data[25] = 0x01; b.data[26] = 0; b.data[27] = 0;	/* 256 */
	c = cur_init(b.data, b.len);
	CHECK(dg_ima_next(&c, &e, msg, sizeof(msg)) == -E2BIG, "got %s", msg);
	CHECK(strstr(msg, "256 exceeds limit 255") != NULL, "reason: %s", msg);
	dg_buf_free(&b);
}

TEST(test_parse_rejects_template_digest_mismatch)
{
	struct dg_buf b = two_entries();
	struct dg_cur c;
	struct dg_ima_entry e;
	char msg[256];

	b.data[b.len - 2] ^= 1;	/* a byte of the last path */
	c = cur_init(b.data, b.len);
	CHECK(dg_ima_next(&c, &e, msg, sizeof(msg)) == 0, "first entry intact");
	CHECK(dg_ima_next(&c, &e, msg, sizeof(msg)) == -EBADMSG, "got %s", msg);
	CHECK(strstr(msg, "template digest") != NULL, "reason: %s", msg);
	dg_buf_free(&b);
}

TEST(test_parse_rejects_other_templates_and_pcrs)
{
	struct dg_buf b = two_entries();
	struct dg_cur c;
	struct dg_ima_entry e;
	char msg[256];

	b.data[28] = 'x';	/* "ima-ng" -> "xma-ng" */
	c = cur_init(b.data, b.len);
	CHECK(dg_ima_next(&c, &e, msg, sizeof(msg)) == -EOPNOTSUPP, "template: %s", msg);
	b.data[28] = 'i';
	b.data[0] = 24;
	c = cur_init(b.data, b.len);
	CHECK(dg_ima_next(&c, &e, msg, sizeof(msg)) == -EBADMSG, "pcr: %s", msg);
	dg_buf_free(&b);
}

TEST(test_violation_entry_extends_with_all_ones)
{
	struct dg_buf b = { 0 };
	uint8_t d[32] = { 0 }, got[32], want[32], cat[64];
	char msg[256];

	dg_ima_encode(&b, d, "/violated");
	memset(b.data + 4, 0, 20);	/* zero template digest: a violation */
	CHECK(dg_ima_replay(b.data, b.len, got, NULL, NULL, msg, sizeof(msg)) == 0, "%s", msg);
	memset(cat, 0, 32);
	memset(cat + 32, 0xff, 32);
	dg_sha256(cat, 64, want);
	CHECK(!memcmp(got, want, 32), "violation extends with 0xff");
	dg_buf_free(&b);
}

static int read_file(const char *p, uint8_t **out, size_t *n)
{
	struct stat st;
	int fd = open(p, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0)
		return -1;
	*n = (size_t)st.st_size;
	*out = malloc(*n + 1);
	if (!*out || read(fd, *out, *n) != (ssize_t)*n)
		return -1;
	close(fd);
	return 0;
}

TEST(test_log_open_writes_boot_aggregate_and_pcrs_file)
{
	char path[128], pcrs[140], msg[256], hex[65], line[128];
	struct dg_ima_log *l;
	uint8_t pcr[32], got[32], *data = NULL;
	uint64_t n;
	size_t len = 0;
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "%s/boot", dir);
	snprintf(pcrs, sizeof(pcrs), "%s.pcrs", path);
	CHECK(dg_ima_log_open(path, &l, msg, sizeof(msg)) == 0, "%s", msg);
	dg_ima_log_pcr(l, pcr, &n);
	dg_ima_log_close(l);
	CHECK(n == 1, "one entry");
	if (read_file(path, &data, &len) < 0) {
		CHECK(0, "read %s", path);
		return;
	}
	CHECK(dg_ima_replay(data, len, got, NULL, NULL, msg, sizeof(msg)) == 0 &&
	      !memcmp(got, pcr, 32), "replay equals the writer's PCR");
	CHECK(memmem(data, len, "boot_aggregate", 14) != NULL, "boot_aggregate entry");
	free(data);
	dg_hex(hex, pcr, 32);
	f = fopen(pcrs, "r");
	CHECK(f != NULL, "pcrs file exists");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "PCR-10: ", 8) && !strncmp(line + 8, hex, 64))
			found = 1;
	if (f)
		fclose(f);
	CHECK(found, "PCR-10 line carries the value");
}

TEST(test_log_measures_each_digest_and_path_once)
{
	char path[128], msg[256];
	struct dg_ima_log *l;
	uint8_t d[32];
	uint64_t n;
	uint8_t pcr[32];

	snprintf(path, sizeof(path), "%s/dedup", dir);
	CHECK(dg_ima_log_open(path, &l, msg, sizeof(msg)) == 0, "%s", msg);
	digest_of("x", d);
	CHECK(dg_ima_log_measure(l, d, "/a") == 1, "first measurement added");
	CHECK(dg_ima_log_measure(l, d, "/a") == 0, "same digest and path: not again");
	CHECK(dg_ima_log_measure(l, d, "/b") == 1, "another path is another entry");
	dg_ima_log_close(l);
	/* Reopening knows what is already there. */
	CHECK(dg_ima_log_open(path, &l, msg, sizeof(msg)) == 0, "%s", msg);
	CHECK(dg_ima_log_measure(l, d, "/a") == 0, "dedup survives a restart");
	dg_ima_log_pcr(l, pcr, &n);
	CHECK(n == 3, "boot_aggregate + 2, got %llu", (unsigned long long)n);
	dg_ima_log_close(l);
}

/* A new log at @path (boot_aggregate, then @file measured), closed; its
 * size in @st. */
static void log_of_one_file(const char *path, const char *file, struct stat *st)
{
	struct dg_ima_log *l;
	char msg[256];
	uint8_t d[32];

	CHECK(dg_ima_log_open(path, &l, msg, sizeof(msg)) == 0, "%s", msg);
	digest_of(file, d);
	dg_ima_log_measure(l, d, file);
	dg_ima_log_close(l);
	stat(path, st);
}

TEST(test_log_open_cuts_a_torn_tail_but_refuses_corruption)
{
	char path[128], msg[256];
	struct dg_ima_log *l;
	struct stat before, after;
	int fd;

	snprintf(path, sizeof(path), "%s/torn", dir);
	log_of_one_file(path, "/y", &before);
	fd = open(path, O_WRONLY | O_APPEND);
	CHECK(write(fd, "\x0a\0\0\0abc", 7) == 7, "append torn bytes");
	close(fd);
	CHECK(dg_ima_log_open(path, &l, msg, sizeof(msg)) == 0, "%s", msg);
	dg_ima_log_close(l);
	stat(path, &after);
	CHECK(after.st_size == before.st_size, "torn tail cut: %lld vs %lld",
	      (long long)after.st_size, (long long)before.st_size);
	/* A damaged entry in the middle is not silently dropped. */
	fd = open(path, O_WRONLY);
	CHECK(pwrite(fd, "\x30", 1, 4) == 1, "damage");
	close(fd);
	CHECK(dg_ima_log_open(path, &l, msg, sizeof(msg)) == -EBADMSG, "corrupt log refused");
}

/* A power loss can leave the file grown with zeros where entries were
 * never written: cut like a torn tail; one nonzero byte there is not. */
TEST(test_log_open_cuts_a_zero_tail_left_by_a_power_loss)
{
	static const uint8_t zeros[700];
	char path[128], msg[256];
	struct dg_ima_log *l;
	struct stat before, after;
	uint64_t n = 0;
	uint8_t pcr[32];
	int fd, r;

	snprintf(path, sizeof(path), "%s/zerotail", dir);
	log_of_one_file(path, "/z", &before);
	fd = open(path, O_WRONLY | O_APPEND);
	CHECK(write(fd, zeros, sizeof(zeros)) == (ssize_t)sizeof(zeros), "append zeros");
	close(fd);
	r = dg_ima_log_open(path, &l, msg, sizeof(msg));
	CHECK(r == 0, "zero tail: %s", msg);
	if (r != 0)
		return;
	dg_ima_log_pcr(l, pcr, &n);
	dg_ima_log_close(l);
	stat(path, &after);
	CHECK(n == 2 && after.st_size == before.st_size, "entries %llu, size %lld vs %lld",
	      (unsigned long long)n, (long long)after.st_size, (long long)before.st_size);
	fd = open(path, O_WRONLY);	/* not O_APPEND: pwrite() would append */
	CHECK(pwrite(fd, zeros, sizeof(zeros), before.st_size) == (ssize_t)sizeof(zeros), "zeros");
	CHECK(pwrite(fd, "\x01", 1, before.st_size + 600) == 1, "one byte");
	close(fd);
	CHECK(dg_ima_log_open(path, &l, msg, sizeof(msg)) == -EBADMSG, "not all zeros: refused");
}

TEST(test_log_short_write_is_cut_back_and_not_counted_as_measured)
{
	char path[128], msg[256];
	struct dg_ima_log *l;
	struct rlimit old, lim;
	struct stat before, after;
	uint8_t d[32], pcr[32], got[32], *data = NULL;
	size_t len = 0;
	int r;

	snprintf(path, sizeof(path), "%s/short", dir);
	CHECK(dg_ima_log_open(path, &l, msg, sizeof(msg)) == 0, "%s", msg);
	digest_of("p1", d);
	CHECK(dg_ima_log_measure(l, d, "/p1") == 1, "first entry");
	stat(path, &before);
	/* RLIMIT_FSIZE makes the next write() short: 20 bytes of the entry. */
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = (rlim_t)before.st_size + 20;
	setrlimit(RLIMIT_FSIZE, &lim);
	digest_of("p2", d);
	r = dg_ima_log_measure(l, d, "/p2");
	setrlimit(RLIMIT_FSIZE, &old);
	CHECK(r < 0, "short write is an error, got %d", r);
	stat(path, &after);
	CHECK(after.st_size == before.st_size, "log cut back to the entry's start: %lld vs %lld",
	      (long long)after.st_size, (long long)before.st_size);
	/* Not written, so not measured: the same (digest, path) is written next time. */
	CHECK(dg_ima_log_measure(l, d, "/p2") == 1, "entry written after a failed attempt");
	dg_ima_log_pcr(l, pcr, NULL);
	dg_ima_log_close(l);
	if (read_file(path, &data, &len) < 0) {
		CHECK(0, "read %s", path);
		return;
	}
	CHECK(dg_ima_replay(data, len, got, NULL, NULL, msg, sizeof(msg)) == 0, "log valid: %s",
	      msg);
	CHECK(!memcmp(got, pcr, 32), "replay equals the writer's PCR");
	CHECK(memmem(data, len, "/p2", 3) != NULL, "/p2 measured");
	free(data);
}

TEST(test_log_open_names_the_pcrs_file_when_it_cannot_be_written)
{
	char path[128], pcrs[160], msg[256] = "";
	struct dg_ima_log *l = NULL;
	int r;

	snprintf(path, sizeof(path), "%s/pcrs-blocked", dir);
	snprintf(pcrs, sizeof(pcrs), "%s.pcrs", path);
	CHECK(mkdir(pcrs, 0700) == 0, "mkdir %s", pcrs);	/* rename() over it fails */
	r = dg_ima_log_open(path, &l, msg, sizeof(msg));
	CHECK(r < 0, "open refused, got %d", r);
	CHECK(strstr(msg, pcrs) != NULL, "message names %s: %s", pcrs, msg);
	dg_ima_log_close(l);
	rmdir(pcrs);
}

TEST(test_log_stops_writing_when_truncated_by_someone_else)
{
	char path[128], msg[256];
	struct dg_ima_log *l;
	struct stat st;
	uint8_t d[32];
	int r;

	snprintf(path, sizeof(path), "%s/truncated", dir);
	CHECK(dg_ima_log_open(path, &l, msg, sizeof(msg)) == 0, "%s", msg);
	digest_of("t1", d);
	CHECK(dg_ima_log_measure(l, d, "/t1") == 1, "first entry");
	CHECK(truncate(path, 0) == 0, "truncate");
	digest_of("t2", d);
	r = dg_ima_log_measure(l, d, "/t2");
	CHECK(r == -ESTALE, "measure after truncation: %d", r);
	CHECK(stat(path, &st) == 0 && st.st_size == 0,
	      "nothing appended to the truncated log (a chain without boot_aggregate): %lld",
	      (long long)st.st_size);
	dg_ima_log_close(l);
}

TEST(test_log_stops_writing_when_replaced_by_someone_else)
{
	char path[128], other[160], msg[256];
	struct dg_ima_log *l;
	uint8_t d[32];
	int fd, r;

	snprintf(path, sizeof(path), "%s/replaced", dir);
	snprintf(other, sizeof(other), "%s/replaced.new", dir);
	CHECK(dg_ima_log_open(path, &l, msg, sizeof(msg)) == 0, "%s", msg);
	fd = open(other, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0, "create %s", other);
	close(fd);
	CHECK(rename(other, path) == 0, "rename over the log");
	digest_of("r1", d);
	r = dg_ima_log_measure(l, d, "/r1");
	CHECK(r == -ESTALE, "measure into the replaced (unlinked) log: %d", r);
	dg_ima_log_close(l);
}

static void on_alarm(int sig)
{
	(void)sig;
}

TEST(test_pcrs_temp_name_left_by_someone_else_is_not_opened)
{
	char path[128], tmp[160], msg[256] = "";
	struct dg_ima_log *l = NULL;
	struct sigaction sa, old;
	struct stat st;
	int r;

	snprintf(path, sizeof(path), "%s/fifo", dir);
	snprintf(tmp, sizeof(tmp), "%s.pcrs.tmp", path);
	CHECK(mkfifo(tmp, 0666) == 0, "mkfifo %s", tmp);
	/* Without SA_RESTART: an open() blocked on the FIFO fails with EINTR. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, &old);
	alarm(5);
	r = dg_ima_log_open(path, &l, msg, sizeof(msg));
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	CHECK(r == 0, "open with a FIFO at LOG.pcrs.tmp: %d %s", r, msg);
	snprintf(tmp, sizeof(tmp), "%s.pcrs", path);
	CHECK(stat(tmp, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == getuid(),
	      "%s is our own regular file", tmp);
	dg_ima_log_close(l);
}

TEST(test_log_open_says_a_symlink_is_not_followed)
{
	char path[128], target[160], msg[256] = "";
	struct dg_ima_log *l = NULL;
	struct stat st;
	int r;

	snprintf(path, sizeof(path), "%s/link", dir);
	snprintf(target, sizeof(target), "%s/link-target", dir);
	CHECK(symlink(target, path) == 0, "symlink");
	r = dg_ima_log_open(path, &l, msg, sizeof(msg));
	CHECK(r == -ELOOP, "refused: %d", r);
	CHECK(strstr(msg, path) && strstr(msg, "symbolic link (not followed)"), "message: %s", msg);
	CHECK(lstat(target, &st) < 0 && errno == ENOENT, "target not created");
	dg_ima_log_close(l);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_sha1_matches_fips_180_vectors);
	RUN(test_encode_then_parse_round_trips);
	RUN(test_replay_pcr_is_sha256_chain_over_template_data);
	RUN(test_parse_rejects_every_truncation_with_enodata);
	RUN(test_parse_rejects_oversized_template_data_length);
	RUN(test_parse_rejects_empty_template_name_saying_so);
	RUN(test_parse_rejects_oversized_template_name_length_with_e2big);
	RUN(test_parse_rejects_template_digest_mismatch);
	RUN(test_parse_rejects_other_templates_and_pcrs);
	RUN(test_violation_entry_extends_with_all_ones);
	RUN(test_log_open_writes_boot_aggregate_and_pcrs_file);
	RUN(test_log_measures_each_digest_and_path_once);
	RUN(test_log_open_cuts_a_torn_tail_but_refuses_corruption);
	RUN(test_log_open_cuts_a_zero_tail_left_by_a_power_loss);
	RUN(test_log_short_write_is_cut_back_and_not_counted_as_measured);
	RUN(test_log_open_names_the_pcrs_file_when_it_cannot_be_written);
	RUN(test_log_stops_writing_when_truncated_by_someone_else);
	RUN(test_log_stops_writing_when_replaced_by_someone_else);
	RUN(test_pcrs_temp_name_left_by_someone_else_is_not_opened);
	RUN(test_log_open_says_a_symlink_is_not_followed);
	{
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return tap_done();
}

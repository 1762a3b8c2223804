// SPDX-License-Identifier: MIT
/*
 * The state directory: generations gen-NNNNNNNNNNNNNNNN.dgdb, the symlink
 * `current`, the writers' lock.  A generation is written to a temporary
 * file, fsynced, renamed to its name; then a new symlink is renamed over
 * `current` and the directory fsynced.  A crash at any point leaves
 * `current` naming a complete generation; temporary files a crash leaves
 * behind are removed by the next writer (which holds the lock, so no other
 * writer can own them).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <digestguard/db.h>

#include "cleanup.h"
#include "db_format.h"
#include "db_internal.h"
#include "sha256.h"

#define GEN_PREFIX	"gen-"
#define GEN_SUFFIX	".dgdb"
#define TMP_MARK	".tmp."
#define TEST_DELAY_ENV	"DIGESTGUARD_TEST_COMMIT_DELAY_MS"
#define TEST_DELAY_MAX_MS	60000
#define HASH_BUF		(1u << 17)

const char *dg_db_state_dir(const char *opt)
{
	const char *env;

	if (opt && *opt)
		return opt;
	env = getenv(DG_DB_STATE_ENV);
	if (env && *env)
		return env;
	return DG_DB_STATE_DEFAULT;
}

int dg_db_state_safe(const char *dir, const struct stat *st, char *msg, size_t msglen)
{
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		dg_errf(msg, msglen, 0, "%s: writable by other users (mode %04o): refusing, anyone could replace the database",
			  dir, (unsigned)(st->st_mode & 07777));
		return -EPERM;
	}
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		dg_errf(msg, msglen, 0, "%s: owned by uid %u, neither root nor us: refusing",
			  dir, (unsigned)st->st_uid);
		return -EPERM;
	}
	return 0;
}

void dg_db_test_delay(void)
{
	const char *v = getenv(TEST_DELAY_ENV);
	long ms;
	struct timespec ts;

	if (!v || !*v)
		return;
	ms = strtol(v, NULL, 10);
	if (ms <= 0 || ms > TEST_DELAY_MAX_MS)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int full_write(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t r = write(fd, p, n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int fsync_dir_of(const char *path)
{
	_cleanup_free_ char *dir = strdup(path);
	_cleanup_close_ int fd = -1;
	char *slash;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		return -errno;
	return 0;
}

/* Write @p to @path: temporary file in the same directory, fsync, rename. */
static int write_atomic(const char *path, const uint8_t *p, size_t n,
			char *msg, size_t msglen)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	int err;

	if (asprintf(&tmp, "%s" TMP_MARK "XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		dg_errf(msg, msglen, 0, "%s: %s", tmp, strerror(errno));
		return err;
	}
	err = fchmod(fd, 0644) < 0 ? -errno : 0;
	if (!err)
		err = full_write(fd, p, n);
	if (!err && fsync(fd) < 0)
		err = -errno;
	if (!err && close(TAKE_FD(fd)) < 0)
		err = -errno;
	if (!err) {
		dg_db_test_delay();
		if (rename(tmp, path) < 0)
			err = -errno;
	}
	if (err) {
		dg_errf(msg, msglen, 0, "%s: %s", path, strerror(-err));
		unlink(tmp);
		return err;
	}
	return fsync_dir_of(path);
}

int dg_db_builder_write(struct dg_db_builder *b, const char *path,
			uint64_t generation, char *msg, size_t msglen)
{
	_cleanup_free_ uint8_t *img = NULL;
	size_t len;
	int err;

	err = dg_db_builder_image(b, generation, DGDB_VERSION, &img, &len, msg, msglen);
	if (err)
		return err;
	return write_atomic(path, img, len, msg, msglen);
}

static int mkdir_p(const char *dir)
{
	_cleanup_free_ char *p = strdup(dir);
	char *s;

	if (!p)
		return -ENOMEM;
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int parse_gen(const char *name, uint64_t *gen)
{
	size_t n = strlen(name);
	char *end;

	if (n != strlen(GEN_PREFIX) + 16 + strlen(GEN_SUFFIX) ||
	    strncmp(name, GEN_PREFIX, strlen(GEN_PREFIX)) ||
	    strcmp(name + n - strlen(GEN_SUFFIX), GEN_SUFFIX))
		return 0;
	errno = 0;
	*gen = strtoull(name + strlen(GEN_PREFIX), &end, 10);
	return !errno && end == name + n - strlen(GEN_SUFFIX);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Remove stale temporary files (we hold the lock) and list the generation
 * numbers present, sorted, into *@gens.
 */
static int scan_state(int dfd, uint64_t **gens, size_t *ngens)
{
	DIR *d;
	struct dirent *de;
	uint64_t *v = NULL, g;
	size_t n = 0, cap = 0;
	int dup_fd = dup(dfd);

	if (dup_fd < 0)
		return -errno;
	d = fdopendir(dup_fd);
	if (!d) {
		close(dup_fd);
		return -errno;
	}
	rewinddir(d);	/* the dup shares its offset with @dfd */
	/* errno cleared before each readdir(): NULL with errno set is an
	 * error, not the end (a generation must not go unseen) */
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strstr(de->d_name, TMP_MARK)) {
			unlinkat(dfd, de->d_name, 0);
			continue;
		}
		if (!parse_gen(de->d_name, &g))
			continue;
		if (n == cap) {
			uint64_t *nv;

			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n++] = g;
	}
	if (errno) {
		int e = errno;

		free(v);
		closedir(d);
		return -e;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_u64);
	*gens = v;
	*ngens = n;
	return 0;
}

static void prune(int dfd, uint64_t current)
{
	_cleanup_free_ uint64_t *gens = NULL;
	size_t n, i;
	char name[64];

	if (scan_state(dfd, &gens, &n) || n <= DG_DB_KEEP)
		return;
	for (i = 0; i < n - DG_DB_KEEP; i++) {
		if (gens[i] >= current)
			continue;
		snprintf(name, sizeof(name), GEN_PREFIX "%016llu" GEN_SUFFIX,
			 (unsigned long long)gens[i]);
		unlinkat(dfd, name, 0);	/* open readers keep their mapping */
	}
}

int dg_db_builder_commit(struct dg_db_builder *b, const char *state_dir,
			 unsigned int flags, uint64_t *generation,
			 char *msg, size_t msglen)
{
	_cleanup_close_ int dfd = -1, lock = -1;
	_cleanup_free_ uint64_t *gens = NULL;
	_cleanup_free_ char *lockp = NULL, *genp = NULL, *linkp = NULL, *curp = NULL;
	struct dg_db *cur = NULL;
	struct stat dst;
	char name[64], cmsg[512];
	uint64_t gen = 0;
	size_t ngens;
	int err;

	if (!*state_dir) {
		dg_errf(msg, msglen, 0, "state directory name is empty");
		return -EINVAL;
	}
	err = mkdir_p(state_dir);
	if (err) {
		dg_errf(msg, msglen, 0, "%s: cannot create: %s", state_dir, strerror(-err));
		return err;
	}
	dfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || asprintf(&lockp, "%s/lock", state_dir) < 0 ||
	    asprintf(&curp, "%s/current", state_dir) < 0) {
		err = dfd < 0 ? -errno : -ENOMEM;
		dg_errf(msg, msglen, 0, "%s: %s", state_dir, strerror(-err));
		return err;
	}
	if (fstat(dfd, &dst) < 0) {
		err = -errno;
		dg_errf(msg, msglen, 0, "%s: %s", state_dir, strerror(errno));
		return err;
	}
	err = dg_db_state_safe(state_dir, &dst, msg, msglen);
	if (err)
		return err;
	lock = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0) {
		err = -errno;
		dg_errf(msg, msglen, 0, "%s: %s", lockp, strerror(errno));
		return err;
	}
	err = scan_state(dfd, &gens, &ngens);
	if (err) {
		dg_errf(msg, msglen, 0, "%s: %s", state_dir, strerror(-err));
		return err;
	}
	if (ngens)
		gen = gens[ngens - 1];
	err = dg_db_open(curp, &cur, cmsg, sizeof(cmsg));
	if (!err) {
		struct dg_db_stats st;

		dg_db_stats(cur, &st);
		if (st.generation > gen)
			gen = st.generation;
		if (flags & DG_DB_COMMIT_MERGE) {
			/* Never re-seal damage: a flipped digest byte would come
			 * out as a valid entry of the new generation. */
			err = dg_db_verify(cur, cmsg, sizeof(cmsg));
			if (err) {
				dg_errf(msg, msglen, 0, "refusing to merge a damaged current generation: %s (restore it, or start a fresh database with --replace)",
					  cmsg);
			} else {
				err = dg_db_builder_merge(b, cur);
				if (err)
					dg_errf(msg, msglen, 0, "%s: merging the current generation: %s",
						  dg_db_path(cur), strerror(-err));
			}
		}
		dg_db_close(cur);
		if (err)
			return err;
	} else if (flags & DG_DB_COMMIT_MERGE) {
		struct stat lst;

		/* Never silently drop the old entries: "current" missing or
		 * dangling while generations exist is damage, not a new
		 * database. */
		if (err != -ENOENT) {
			dg_errf(msg, msglen, 0, "%s (use --replace to start a fresh database)", cmsg);
			return err;
		}
		if (ngens || fstatat(dfd, "current", &lst, AT_SYMLINK_NOFOLLOW) == 0) {
			dg_errf(msg, msglen, 0, "%s: \"current\" is missing or points at no generation, "
				  "but generations exist: restore it, or start a fresh database with --replace",
				  state_dir);
			return -ENOENT;
		}
	}
	if ((flags & DG_DB_COMMIT_NONEMPTY) && !dg_db_builder_count(b)) {
		dg_errf(msg, msglen, 0, "%s: the new generation would hold no digest: refusing to commit an empty database",
			  state_dir);
		return -ENODATA;
	}
	gen++;
	snprintf(name, sizeof(name), GEN_PREFIX "%016llu" GEN_SUFFIX, (unsigned long long)gen);
	if (asprintf(&genp, "%s/%s", state_dir, name) < 0 ||
	    asprintf(&linkp, "%s/current" TMP_MARK "%d", state_dir, (int)getpid()) < 0)
		return -ENOMEM;
	err = dg_db_builder_write(b, genp, gen, msg, msglen);
	if (err)
		return err;
	unlink(linkp);
	if (symlink(name, linkp) < 0 || rename(linkp, curp) < 0) {
		err = -errno;
		dg_errf(msg, msglen, 0, "%s: switching to %s: %s", curp, name, strerror(errno));
		unlink(linkp);
		return err;
	}
	if (fsync(dfd) < 0) {
		err = -errno;
		dg_errf(msg, msglen, 0, "%s: fsync: %s", state_dir, strerror(errno));
		return err;
	}
	prune(dfd, gen);
	if (generation)
		*generation = gen;
	return 0;
}

int dg_db_hash_fd(int fd, uint8_t digest[32])
{
	_cleanup_free_ uint8_t *buf = malloc(HASH_BUF);
	struct dg_sha256 s;
	ssize_t r;

	if (!buf)
		return -ENOMEM;
	dg_sha256_init(&s);
	for (;;) {
		r = read(fd, buf, HASH_BUF);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!r)
			break;
		dg_sha256_update(&s, buf, (size_t)r);
	}
	dg_sha256_final(&s, digest);
	return 0;
}

int dg_db_hash_file(const char *path, uint8_t digest[32])
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -errno;
	return dg_db_hash_fd(fd, digest);
}

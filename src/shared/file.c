// SPDX-License-Identifier: MIT
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

int dg_file_read_flags(const char *path, size_t max, unsigned int flags, uint8_t **out,
		       size_t *len, char *err, size_t errlen)
{
	uint8_t *buf = NULL;
	struct stat st;
	size_t got = 0;
	ssize_t n;
	int fd, r = 0;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		r = -EINVAL;
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		snprintf(err, errlen, "%s: larger than the limit of %zu bytes", path, max);
		r = -E2BIG;
		goto out;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
		r = -ENOMEM;
	}
	while (!r && got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 && (flags & DG_FILE_READ_SHRINK_OK))
			break;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			snprintf(err, errlen, "%s: %s", path,
				 n < 0 ? strerror(errno) : "shrank while read");
			break;
		}
		got += (size_t)n;
	}
out:
	if (fd >= 0)
		close(fd);
	if (r < 0) {
		free(buf);
		return r;
	}
	*out = buf;
	*len = got;
	return 0;
}

int dg_file_read(const char *path, size_t max, uint8_t **out, size_t *len, char *err,
		 size_t errlen)
{
	return dg_file_read_flags(path, max, 0, out, len, err, errlen);
}

int dg_file_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	size_t done = 0;

	while (done < len) {
		ssize_t r = write(fd, p + done, len - done);

		if (r < 0 && errno != EINTR)
			return -errno;
		if (r > 0)
			done += (size_t)r;
	}
	return 0;
}

int dg_file_write_atomic(const char *path, const void *data, size_t len)
{
	_cleanup_free_ char *tmp = NULL;
	int fd, err = 0;

	if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0644) < 0)
		err = -errno;
	if (!err)
		err = dg_file_write_all(fd, data, len);
	if (!err && fsync(fd) < 0)
		err = -errno;
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int dg_file_write_output(const char *path, const void *data, size_t len)
{
	_cleanup_free_ char *real = NULL;
	struct stat st, lst;
	int fd, err;

	if (stat(path, &st) < 0)
		return dg_file_write_atomic(path, data, len);
	/* -o /dev/stdout with standard output redirected to a file: write
	 * through fd 1 (its offset, O_APPEND for >>), not a new file renamed
	 * over the one the shell opened, which lost what was already in it */
	if (S_ISREG(st.st_mode) && fstat(STDOUT_FILENO, &lst) == 0 &&
	    lst.st_dev == st.st_dev && lst.st_ino == st.st_ino)
		return dg_file_write_all(STDOUT_FILENO, data, len);
	if (S_ISREG(st.st_mode)) {
		if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) && !(real = realpath(path, NULL)))
			return -errno;
		return dg_file_write_atomic(real ? real : path, data, len);
	}
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	err = dg_file_write_all(fd, data, len);
	if (close(fd) < 0 && !err)
		err = -errno;
	return err;
}

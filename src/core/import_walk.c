// SPDX-License-Identifier: MIT
/* Walking import inputs, and quoting package names (import_walk.h). */
#include "import_walk.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void import_quote_name(const char *s, char *out, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	size_t i, k = 0;

	for (i = 0; s[i] && k + 8 < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (i == IMPORT_QUOTE_MAX) {
			memcpy(out + k, "...", 3);
			k += 3;
			break;
		}
		if (ch == '\\' || ch == '\n' || ch == '\t') {
			out[k++] = '\\';
			out[k++] = ch == '\n' ? 'n' : ch == '\t' ? 't' : '\\';
		} else if (ch < 0x20 || ch == 0x7f) {
			out[k++] = '\\';
			out[k++] = 'x';
			out[k++] = hx[ch >> 4];
			out[k++] = hx[ch & 15];
		} else {
			out[k++] = (char)ch;
		}
	}
	out[k] = '\0';
}

int import_grow(void **arr, size_t n, size_t *cap, size_t elem, size_t max)
{
	size_t ncap;
	void *na;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	if (ncap > max)
		return -E2BIG;
	na = realloc(*arr, ncap * elem);
	if (!na)
		return -ENOMEM;
	*arr = na;
	*cap = ncap;
	return 0;
}

static int skip(const struct import_walk *w, int err, const char *path, const char *why)
{
	char msg[640];

	snprintf(msg, sizeof(msg), "%s: %s", path, why);
	if (w->skipped)
		w->skipped(msg, w->ctx);
	return w->strict ? err : 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_dir(const struct import_walk *w, const char *dir, int depth)
{
	size_t n = 0, cap = 0, i, sl = strlen(w->suffix);
	char **names = NULL;
	struct dirent *e;
	DIR *d;
	int r = 0, read_err;

	/* A directory skipped counts as skipped, like a package: the
	 * summary and "nothing imported" must not miss it. */
	if (depth > IMPORT_DEPTH_MAX)
		return skip(w, -E2BIG, dir, "directories nested deeper than the limit");
	d = opendir(dir);
	if (!d)
		return skip(w, -errno, dir, strerror(errno));
	/* NULL with errno set is a read error, not the end of the directory */
	while ((errno = 0, e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*nn));

			if (!nn) {
				r = -ENOMEM;
				break;
			}
			names = nn;
		}
		if (asprintf(&names[n], "%s/%s", dir, e->d_name) < 0) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	read_err = r == 0 ? errno : 0;
	closedir(d);
	if (read_err)	/* skipped as a whole, as a directory that cannot be opened */
		r = skip(w, -read_err, dir, strerror(read_err));
	else if (r == 0 && n)	/* qsort(NULL, 0, ...) is undefined: an empty directory */
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n && r == 0 && !read_err; i++) {
		struct stat st;
		size_t len = strlen(names[i]);

		if (lstat(names[i], &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			r = walk_dir(w, names[i], depth + 1);
		else if (S_ISREG(st.st_mode) && len > sl && !strcmp(names[i] + len - sl, w->suffix))
			r = w->one(names[i], w->ctx);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

int import_walk(const char *path, const struct import_walk *w)
{
	struct stat sb;

	if (stat(path, &sb) < 0)
		return skip(w, -errno, path, strerror(errno));
	return S_ISDIR(sb.st_mode) ? walk_dir(w, path, 0) : w->one(path, w->ctx);
}

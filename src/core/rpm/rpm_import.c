// SPDX-License-Identifier: MIT
/*
 * Importing packages into a digest database: walk files and directories,
 * verify each package, and hand over its file records only when the whole
 * package passed, so one bad package adds nothing.
 */
#include <digestguard/rpm.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Limits on what a directory walk may hold (operator input, still bounded). */
#define RPM_IMPORT_DEPTH_MAX 32
#define RPM_IMPORT_FILES_MAX (4u << 20)	/* file records held for one package */

struct rec {
	uint8_t digest[64];
	size_t digest_len;
	int algo;
	uint32_t mode;
	char *path;
	char *hex;
};

struct collect {
	struct rec *r;
	size_t n, cap;
	int want_algo;
	char nevra[512];
	int bad_algo;
};

static int collect_file(const struct dg_rpm_file *f, void *ctx)
{
	struct collect *c = ctx;
	struct rec *r;

	if (c->want_algo && f->algo != c->want_algo) {
		c->bad_algo = f->algo;
		return -EOPNOTSUPP;
	}
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;
		struct rec *nr;

		if (ncap > RPM_IMPORT_FILES_MAX)
			return -E2BIG;
		nr = realloc(c->r, ncap * sizeof(*nr));
		if (!nr)
			return -ENOMEM;
		c->r = nr;
		c->cap = ncap;
	}
	r = &c->r[c->n];
	memcpy(r->digest, f->digest, f->digest_len);
	r->digest_len = f->digest_len;
	r->algo = f->algo;
	r->mode = f->mode;
	r->path = strdup(f->path);
	r->hex = strdup(f->hex);
	if (!r->path || !r->hex) {
		free(r->path);
		free(r->hex);
		return -ENOMEM;
	}
	snprintf(c->nevra, sizeof(c->nevra), "%s", f->nevra);
	c->n++;
	return 0;
}

static void collect_reset(struct collect *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->r[i].path);
		free(c->r[i].hex);
	}
	c->n = 0;
	c->bad_algo = 0;
	c->nevra[0] = '\0';
}

struct walk {
	struct dg_rpm *rpm;
	int strict;
	dg_rpm_file_fn fn;
	dg_rpm_error_fn on_err;
	void *ctx;
	struct dg_rpm_import_stats *st;
	struct collect c;
	struct dg_rpm_report rep;
};

static void report(struct walk *w, const char *fmt, const char *a, const char *b)
{
	char msg[640];

	snprintf(msg, sizeof(msg), fmt, a, b);
	if (w->on_err)
		w->on_err(msg, w->ctx);
}

static int import_one(struct walk *w, const char *path)
{
	size_t i;
	int r;

	collect_reset(&w->c);
	r = dg_rpm_files(w->rpm, path, collect_file, &w->c, &w->rep);
	if (r == -EOPNOTSUPP && w->c.bad_algo)
		snprintf(w->rep.error, sizeof(w->rep.error),
			 "%s: file digests are %s; the database holds %s", path,
			 dg_rpm_hash_name(w->c.bad_algo), dg_rpm_hash_name(w->c.want_algo));
	if (r < 0) {
		w->st->failed++;
		report(w, "%s%s", w->rep.error[0] ? w->rep.error : path,
		       w->rep.error[0] ? "" : ": failed");
		return w->strict ? r : 0;
	}
	for (i = 0; i < w->c.n; i++) {
		const struct rec *rc = &w->c.r[i];
		struct dg_rpm_file f = {
			.nevra = w->rep.nevra, .path = rc->path, .hex = rc->hex,
			.algo = rc->algo, .digest = rc->digest, .digest_len = rc->digest_len,
			.mode = rc->mode,
		};

		r = w->fn(&f, w->ctx);
		if (r)
			return r;
		w->st->files++;
	}
	w->st->packages++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_dir(struct walk *w, const char *dir, int depth)
{
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *e;
	DIR *d;
	int r = 0;

	if (depth > RPM_IMPORT_DEPTH_MAX) {
		report(w, "%s: directories nested deeper than the limit%s", dir, "");
		return w->strict ? -E2BIG : 0;
	}
	d = opendir(dir);
	if (!d) {
		report(w, "%s: %s", dir, strerror(errno));
		return w->strict ? -errno : 0;
	}
	while ((e = readdir(d))) {
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
	closedir(d);
	if (r == 0)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n && r == 0; i++) {
		struct stat st;
		size_t len = strlen(names[i]);

		if (lstat(names[i], &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			r = walk_dir(w, names[i], depth + 1);
		else if (S_ISREG(st.st_mode) && len > 4 && !strcmp(names[i] + len - 4, ".rpm"))
			r = import_one(w, names[i]);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

int dg_rpm_import(struct dg_rpm *rpm, const char *path, int want_algo, int strict,
		  dg_rpm_file_fn fn, dg_rpm_error_fn on_err, void *ctx,
		  struct dg_rpm_import_stats *st)
{
	struct walk w = {
		.rpm = rpm, .strict = strict, .fn = fn, .on_err = on_err, .ctx = ctx, .st = st,
	};
	struct stat sb;
	int r;

	memset(st, 0, sizeof(*st));
	w.c.want_algo = want_algo;
	if (stat(path, &sb) < 0) {
		r = -errno;
		report(&w, "%s: %s", path, strerror(errno));
		st->failed++;
		return strict ? r : 0;
	}
	r = S_ISDIR(sb.st_mode) ? walk_dir(&w, path, 0) : import_one(&w, path);
	collect_reset(&w.c);
	free(w.c.r);
	return r;
}

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

#include <digestguard/db.h>

#include "../../db/db_format.h"	/* DGDB_PATH_LINK */
#include "../import_walk.h"

/* File records held for one package (operator input, still bounded). */
#define RPM_IMPORT_FILES_MAX (4u << 20)

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
	char bad_name[320];	/* why a name cannot go into the database */
};

/*
 * Names the digest database cannot hold (dg_db_builder_add_source() and
 * dg_db_builder_add() refuse them with -EINVAL, which would end the whole
 * import): all legal in RPM.  The reason goes to c->bad_name, the name last
 * (quoted, escaped), so that a cut message loses only the name's tail.
 */
static int name_unstorable(struct collect *c, const struct dg_rpm_file *f)
{
	const char *what = NULL, *name = f->path;
	size_t plen = strnlen(f->path, DG_DB_NAME_MAX + 1);
	char q[4 * IMPORT_QUOTE_MAX + 16];

	if (strchr(f->nevra, '\n')) {
		what = "package name holds a newline";
		name = f->nevra;
	} else if (plen > DG_DB_NAME_MAX) {
		import_quote_name(f->path, q, sizeof(q));
		snprintf(c->bad_name, sizeof(c->bad_name),
			 "file path of %zu bytes exceeds the digest database's limit of %d: \"%s\"",
			 strlen(f->path), DG_DB_NAME_MAX, q);
		return -E2BIG;
	} else if (memchr(f->path, '\n', plen)) {
		what = "file name holds a newline";
	} else if ((unsigned char)f->path[0] == DGDB_PATH_LINK) {
		what = "file name starts with byte 0x01";
	} else {
		return 0;
	}
	import_quote_name(name, q, sizeof(q));
	snprintf(c->bad_name, sizeof(c->bad_name),
		 "%s, which the digest database cannot store: \"%s\"", what, q);
	return -EOPNOTSUPP;
}

static int collect_file(const struct dg_rpm_file *f, void *ctx)
{
	struct collect *c = ctx;
	struct rec *r;
	int err;

	if (c->want_algo && f->algo != c->want_algo) {
		c->bad_algo = f->algo;
		return -EOPNOTSUPP;
	}
	err = name_unstorable(c, f);
	if (!err)
		err = import_grow((void **)&c->r, c->n, &c->cap, sizeof(*c->r), RPM_IMPORT_FILES_MAX);
	if (err)
		return err;
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
	c->bad_name[0] = '\0';
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

static int import_one(const char *path, void *ctx)
{
	struct walk *w = ctx;
	size_t i;
	int r;

	collect_reset(&w->c);
	r = dg_rpm_files(w->rpm, path, collect_file, &w->c, &w->rep);
	if (r == -EOPNOTSUPP && w->c.bad_algo)
		snprintf(w->rep.error, sizeof(w->rep.error),
			 "%s: file digests are %s; the database holds %s", path,
			 dg_rpm_hash_name(w->c.bad_algo), dg_rpm_hash_name(w->c.want_algo));
	else if (r < 0 && w->c.bad_name[0])
		snprintf(w->rep.error, sizeof(w->rep.error), "%s: %s", path, w->c.bad_name);
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

/* A path the walk could not read: reported and counted as skipped. */
static void walk_skipped(const char *msg, void *ctx)
{
	struct walk *w = ctx;

	w->st->failed++;
	if (w->on_err)
		w->on_err(msg, w->ctx);
}

int dg_rpm_import(struct dg_rpm *rpm, const char *path, int want_algo, int strict,
		  dg_rpm_file_fn fn, dg_rpm_error_fn on_err, void *ctx,
		  struct dg_rpm_import_stats *st)
{
	struct walk w = {
		.rpm = rpm, .strict = strict, .fn = fn, .on_err = on_err, .ctx = ctx, .st = st,
	};
	struct import_walk iw = {
		.suffix = ".rpm", .strict = strict, .one = import_one, .skipped = walk_skipped,
		.ctx = &w,
	};
	int r;

	memset(st, 0, sizeof(*st));
	w.c.want_algo = want_algo;
	r = import_walk(path, &iw);
	collect_reset(&w.c);
	free(w.c.r);
	return r;
}

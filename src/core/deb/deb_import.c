// SPDX-License-Identifier: MIT
/*
 * Importing .deb files into a digest database: walk files and
 * directories, check each package against the loaded apt chain, and hand
 * over its file records only when the whole package passed, so one bad
 * package adds nothing (as src/core/rpm/rpm_import.c does for RPM).
 */
#include <digestguard/deb.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../import_walk.h"

/* File records held for one package (operator input, still bounded). */
#define DEB_IMPORT_FILES_MAX (4u << 20)

struct collect {
	struct dg_deb_file *f;
	size_t n, cap;
};

static int collect_file(const struct dg_deb_file *f, void *ctx)
{
	struct collect *c = ctx;
	int err = import_grow((void **)&c->f, c->n, &c->cap, sizeof(*c->f), DEB_IMPORT_FILES_MAX);

	if (err)
		return err;
	c->f[c->n] = *f;
	c->f[c->n].path = strdup(f->path);
	if (!c->f[c->n].path)
		return -ENOMEM;
	c->n++;
	return 0;
}

static void collect_reset(struct collect *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free((char *)c->f[i].path);
	c->n = 0;
}

struct walk {
	struct dg_deb *deb;
	int strict;
	dg_deb_import_fn fn;
	dg_deb_error_fn on_err;
	void *ctx;
	struct dg_deb_import_stats *st;
	struct collect c;
};

static void report(struct walk *w, const char *msg)
{
	w->st->failed++;
	if (w->on_err)
		w->on_err(msg, w->ctx);
}

static int import_one(const char *path, void *ctx)
{
	struct walk *w = ctx;
	struct dg_deb_pkg pkg;
	char source[512], q[4 * IMPORT_QUOTE_MAX + 16];
	size_t i;
	int r;

	collect_reset(&w->c);
	r = dg_deb_files(w->deb, path, &pkg, collect_file, &w->c);
	if (r < 0) {
		report(w, dg_deb_last_error(w->deb));
		return w->strict ? r : 0;
	}
	/* Debian's own name for the file: package_version_architecture. */
	if (snprintf(source, sizeof(source), "%s_%s_%s", pkg.package, pkg.version,
		     pkg.architecture) >= (int)sizeof(source)) {
		char msg[640];

		import_quote_name(pkg.package, q, sizeof(q));
		snprintf(msg, sizeof(msg), "%s: package name \"%s\" and version too long", path, q);
		dg_deb_pkg_free(&pkg);
		report(w, msg);
		return w->strict ? -E2BIG : 0;
	}
	dg_deb_pkg_free(&pkg);
	for (i = 0; i < w->c.n; i++) {
		r = w->fn(source, &w->c.f[i], w->ctx);
		if (r)
			return r;
		w->st->files++;
	}
	w->st->packages++;
	return 0;
}

static void walk_skipped(const char *msg, void *ctx)
{
	report(ctx, msg);
}

int dg_deb_import(struct dg_deb *deb, const char *path, int strict, dg_deb_import_fn fn,
		  dg_deb_error_fn on_err, void *ctx, struct dg_deb_import_stats *st)
{
	struct walk w = {
		.deb = deb, .strict = strict, .fn = fn, .on_err = on_err, .ctx = ctx, .st = st,
	};
	struct import_walk iw = {
		.suffix = ".deb", .strict = strict, .one = import_one, .skipped = walk_skipped,
		.ctx = &w,
	};
	int r;

	memset(st, 0, sizeof(*st));
	r = import_walk(path, &iw);
	collect_reset(&w.c);
	free(w.c.f);
	return r;
}

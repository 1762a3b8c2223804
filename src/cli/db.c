// SPDX-License-Identifier: MIT
/* digestguard db import | lookup | check | stats | export (docs/db.md) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <digestguard/db.h>
#include <digestguard/deb.h>
#include <digestguard/pgp.h>
#include <digestguard/rpm.h>

#include "utc.h"
#include "cleanup.h"
#include "cli.h"
#include "file.h"
#include "hex.h"
#include "local_list.h"

#define IMPORTERS_MAX	256
#define KEYRINGS_MAX	32

static int map_exit(int err)
{
	if (!err)
		return EXIT_OK;
	if (err == -EKEYREJECTED || err == -ENOKEY)
		return EXIT_FAIL;
	return EXIT_USAGE;
}

static void print_hex(FILE *f, const uint8_t *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%02x", d[i]);
}

static int utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	for (; *p; p += n)
		if (!(n = cli_utf8_seq(p)))
			return 0;
	return 1;
}

/*
 * A name on a text line: control bytes, DEL and the backslash itself as
 * \xHH (like the enforcer's decision log and the IMA ascii log), so that a
 * file named "x: OK local\nfake" cannot forge a line of `db check`.
 */
static void put_name(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || c == '\\')
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

static int open_db(const char *state, struct dg_db **db, const char *cmd)
{
	char msg[512];
	const char *dir = dg_db_state_dir(state);
	int err = dg_db_open(dir, db, msg, sizeof(msg));

	/* Same words as `digestguard enforce` for a state dir never imported into. */
	if (err == -ENOENT)
		fprintf(stderr, "digestguard db %s: no database in %s (run 'digestguard db import%s%s' first)\n",
			cmd, dir, state ? " --state " : "", state ? state : "");
	else if (err)
		fprintf(stderr, "digestguard db %s: %s\n", cmd, msg);
	return err;
}

/* ---- import ---- */

struct import_ctx {
	struct dg_db_builder *b;
	const char *state;
	const char *keyrings[KEYRINGS_MAX];
	int nkeyrings;
	const char *debs;	/* --debs DIR, for --apt-lists */
	const char *inrelease[KEYRINGS_MAX];	/* --inrelease, for --deb */
	int ninrelease;
	const char *release[KEYRINGS_MAX];	/* --release (with FILE.gpg), for --deb */
	int nrelease;
	long long max_future;	/* --max-future-time, or -1 */
	const char *packages[KEYRINGS_MAX];	/* --packages, for --deb */
	int npackages;
	struct dg_deb *deb;	/* --deb, --apt-lists: the apt chain */
	size_t deb_imported;	/* .debs imported, over every --deb and --apt-lists */
	size_t deb_skipped;
	size_t added;		/* entries added by the importers */
	int strict;		/* --strict: one bad package fails the import */
	struct dg_rpm *rpm;	/* --rpm: verifier, made on first use */
	int progress;		/* stderr is a terminal: show a progress line */
	size_t pkgs_seen;	/* packages whose files reached rpm_add */
	size_t pkgs_failed;
	size_t rpm_imported;	/* packages imported, over every --rpm */
	size_t rpm_skipped;	/* packages (and unreadable directories) skipped */
	char last_nevra[256];
};

/* One updating line on a terminal; nothing when stderr is not one. */
static void import_progress(struct import_ctx *ctx, int done)
{
	if (!ctx->progress)
		return;
	fprintf(stderr, "\r%zu packages imported, %zu skipped, %zu digests%s",
		ctx->pkgs_seen, ctx->pkgs_failed, dg_db_builder_count(ctx->b),
		done ? "\n" : "");
	fflush(stderr);
}

/*
 * One importer per source kind: adds the digests of @arg to ctx->b and
 * returns 0 or a negative errno after printing a message naming the input.
 * To add one, write the function and put it in its slot of `importers`.
 */
typedef int (*importer_fn)(struct import_ctx *ctx, const char *arg);

/*
 * --local FILE: sha256sum(1) lines "HEX  PATH" (or "HEX *PATH", or the
 * --tag form "SHA256 (PATH) = HEX"; a leading backslash marks an escaped
 * path as GNU sha256sum writes it: \\ and \r are decoded, \n refused), '#'
 * comments and blank lines allowed.  Recorded as source "local".
 */
static int import_local(struct import_ctx *ctx, const char *file)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, lineno = 0, n = 0;
	uint32_t src;
	ssize_t len;
	int err;

	if (!strcmp(file, "-")) {
		int fd = dup(STDIN_FILENO);

		f = fd < 0 ? NULL : fdopen(fd, "r");
		if (!f && fd >= 0) {
			err = errno;
			close(fd);	/* fdopen() failed: the copy is still ours */
			errno = err;
		}
	} else {
		f = fopen(file, "re");
	}
	if (!f) {
		err = -errno;
		fprintf(stderr, "digestguard db import: %s: %s\n", file, strerror(-err));
		return err;
	}
	err = dg_db_builder_add_source(ctx->b, DG_DB_SOURCE_LOCAL, &src);
	if (err)
		return err;
	while ((len = getline(&line, &cap, f)) >= 0) {
		uint8_t d[32];
		char *path, why[128];
		int r;

		lineno++;
		r = cli_local_line(line, (size_t)len, d, &path, why, sizeof(why));
		if (r < 0) {
			fprintf(stderr, "digestguard db import: %s:%zu: %s\n", file, lineno, why);
			return r;
		}
		if (!r)
			continue;
		/* Exports key by path (Keylime, fapolicyd), and a relative one
		 * means nothing there: sha256sum was run on relative names. */
		if (path[0] != '/') {
			fprintf(stderr, "digestguard db import: %s:%zu: path \"", file, lineno);
			put_name(stderr, path);
			fprintf(stderr, "\" is not absolute (run sha256sum on absolute paths, e.g. sha256sum \"$PWD\"/FILE)\n");
			return -EINVAL;
		}
		err = dg_db_builder_add(ctx->b, d, DG_DB_SHA256, src, path);
		if (err) {
			fprintf(stderr, "digestguard db import: %s:%zu: %s\n", file, lineno,
				strerror(-err));
			return err;
		}
		n++;
	}
	if (ferror(f)) {	/* errno from getline(): EISDIR for a directory, EIO */
		err = errno ? -errno : -EIO;
		fprintf(stderr, "digestguard db import: %s: %s\n", file, strerror(-err));
		return err;
	}
	printf("%s: %zu digest%s (source \"%s\")\n", file, n, n == 1 ? "" : "s", DG_DB_SOURCE_LOCAL);
	ctx->added += n;
	return 0;
}

static void import_report(const char *msg, void *vctx)
{
	struct import_ctx *ctx = vctx;

	if (ctx->progress)
		fputc('\n', stderr);
	fprintf(stderr, "digestguard db import: %s\n", msg);
	ctx->pkgs_failed++;
	import_progress(ctx, 0);
}

/* One file of package @source into the builder, counting packages. */
static int add_file(struct import_ctx *ctx, const char *source, const uint8_t *digest,
		    const char *path)
{
	uint32_t src;
	int err = dg_db_builder_add_source(ctx->b, source, &src);

	if (strncmp(ctx->last_nevra, source, sizeof(ctx->last_nevra) - 1)) {
		snprintf(ctx->last_nevra, sizeof(ctx->last_nevra), "%s", source);
		ctx->pkgs_seen++;
		if (ctx->pkgs_seen % 16 == 1)
			import_progress(ctx, 0);
	}
	return err ? err : dg_db_builder_add(ctx->b, digest, DG_DB_SHA256, src, path);
}

static int rpm_add(const struct dg_rpm_file *f, void *vctx)
{
	return add_file(vctx, f->nevra, f->digest, f->path);
}

/* The verifier with every --keyring loaded, before any package is read. */
static int rpm_setup(struct import_ctx *ctx)
{
	int i, err;

	if (!ctx->nkeyrings) {
		fprintf(stderr, "digestguard db import: --rpm needs --keyring CERTS\n");
		return -EINVAL;
	}
	err = dg_rpm_new(0, &ctx->rpm);
	if (err) {
		fprintf(stderr, "digestguard db import: --rpm: %s\n", strerror(-err));
		return err;
	}
	for (i = 0; i < ctx->nkeyrings; i++) {
		err = cli_rpm_load_keyring("db import", ctx->rpm, ctx->keyrings[i]);
		if (err < 0)
			return err == -ENOKEY || err == -EKEYREJECTED ? -EBADMSG : err;
	}
	return cli_rpm_keyrings_usable("db import", ctx->rpm, ctx->keyrings, ctx->nkeyrings);
}

/*
 * An --rpm or --deb (or --debs) argument, named by option @opt, must exist
 * and be readable: a typo or an unmounted repository is the operator's
 * error, not a package to skip (with --replace it would empty the
 * database).  Packages inside a directory are still skipped one by one.
 */
static int package_input_ok(const char *opt, const char *path)
{
	struct stat st;
	DIR *d;
	int fd, err;

	if (stat(path, &st) < 0) {
		err = -errno;
		fprintf(stderr, "digestguard db import: --%s %s: %s\n", opt, path, strerror(errno));
		return err;
	}
	if (S_ISDIR(st.st_mode)) {
		d = opendir(path);
		if (!d) {
			err = -errno;
			fprintf(stderr, "digestguard db import: --%s %s: %s\n", opt, path, strerror(errno));
			return err;
		}
		closedir(d);
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "digestguard db import: --%s %s: not a regular file or directory\n", opt,
			path);
		return -EINVAL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "digestguard db import: --%s %s: %s\n", opt, path, strerror(errno));
		return err;
	}
	close(fd);
	return 0;
}

/*
 * --rpm FILE|DIR: packages verified against --keyring by the rpm core
 * (src/core/rpm/rpm_import.c); a bad package is reported and skipped
 * (nothing of it is added), --strict makes it fail the import.  Whether
 * anything was imported at all is judged by cmd_import() over every --rpm.
 */
static int import_rpm(struct import_ctx *ctx, const char *path)
{
	struct dg_rpm_import_stats st;
	int err;

	if (!ctx->rpm && (err = rpm_setup(ctx)))
		return err;
	ctx->progress = isatty(STDERR_FILENO);
	err = dg_rpm_import(ctx->rpm, path, 8 /* SHA-256 */, ctx->strict, rpm_add,
			    import_report, ctx, &st);
	import_progress(ctx, 1);
	printf("%s: %zu digests from %zu packages, %zu packages skipped\n", path, st.files,
	       st.packages, st.failed);
	if (!err && !st.packages && !st.failed)
		fprintf(stderr, "digestguard db import: --rpm %s: no *.rpm package found\n", path);
	ctx->added += st.files;
	ctx->rpm_imported += st.packages;
	ctx->rpm_skipped += st.failed;
	return err;
}

static int deb_add(const char *source, const struct dg_deb_file *f, void *vctx)
{
	return add_file(vctx, source, f->sha256, f->path);
}

/*
 * The apt chain with every --keyring, --inrelease, --release and
 * --packages loaded, before any package is read: a chain that does not
 * hold is the operator's error (a wrong keyring, an expired or foreign
 * InRelease).
 */
static int deb_setup(struct import_ctx *ctx)
{
	const struct cli_deb_chain chain = {
		.keyrings = ctx->keyrings, .n_keyrings = ctx->nkeyrings,
		.inrelease = ctx->inrelease, .n_inrelease = ctx->ninrelease,
		.release = ctx->release, .n_release = ctx->nrelease,
		.packages = ctx->packages, .n_packages = ctx->npackages,
		.max_future = ctx->max_future,
	};
	int code;

	if (!ctx->nkeyrings) {
		fprintf(stderr, "digestguard db import: --deb and --apt-lists need --keyring CERTS\n");
		return -EINVAL;
	}
	ctx->deb = cli_deb_open("db import", &chain, &code);
	/* A chain that says no is a verdict (exit 1), like a bad package. */
	return ctx->deb ? 0 : code == EXIT_FAIL ? -ENOKEY : -EINVAL;
}

/*
 * --deb FILE|DIR: .debs checked against the chain of --inrelease and
 * --packages (or of the lists of --apt-lists); a bad package is reported
 * and skipped, --strict makes it fail the import.
 */
static int import_deb(struct import_ctx *ctx, const char *path)
{
	struct dg_deb_import_stats st;
	int err;

	ctx->progress = isatty(STDERR_FILENO);
	err = dg_deb_import(ctx->deb, path, ctx->strict, deb_add, import_report, ctx, &st);
	import_progress(ctx, 1);
	printf("%s: %zu digests from %zu packages, %zu packages skipped\n", path, st.files,
	       st.packages, st.failed);
	if (!err && !st.packages && !st.failed)
		fprintf(stderr, "digestguard db import: %s: no *.deb package found\n", path);
	ctx->added += st.files;
	ctx->deb_imported += st.packages;
	ctx->deb_skipped += st.failed;
	return err;
}

/*
 * --apt-lists DIR --debs DIR: every InRelease (or Release with its
 * Release.gpg) and Packages file apt keeps in DIR (one that does not
 * verify is reported and skipped), then the .debs of --debs against them.
 */
static int import_apt_lists(struct import_ctx *ctx, const char *dir)
{
	size_t nin, npk;
	int err;

	if (!ctx->debs) {
		fprintf(stderr, "digestguard db import: --apt-lists %s needs --debs DIR\n", dir);
		return -EINVAL;
	}
	err = dg_deb_load_lists(ctx->deb, dir, ctx->strict, import_report, ctx, &nin, &npk);
	if (err) {
		fprintf(stderr, "digestguard db import: --apt-lists %s\n", dg_deb_last_error(ctx->deb));
		return err;	/* -EKEYREJECTED: exit 1, a chain that says no */
	}
	printf("%s: %zu signed Release files (InRelease, or Release with Release.gpg) and %zu "
	       "Packages files verified\n", dir, nin, npk);
	return import_deb(ctx, ctx->debs);
}

static const struct importer {
	const char *opt;	/* long option naming the input */
	importer_fn fn;
	const char *what;
} importers[] = {
	{ "local", import_local, "operator's allowlist, sha256sum format" },
	{ "rpm", import_rpm, "signed RPM packages (needs --keyring)" },
	{ "deb", import_deb, "Debian packages (needs --keyring, --inrelease or --release, --packages)" },
	{ "apt-lists", import_apt_lists, "apt lists directory (needs --keyring and --debs DIR)" },
};

/* One input of a `db import`, in command-line order. */
struct import_todo {
	const struct importer *imp;
	const char *arg;
};

enum {
	OPT_STATE = 1000, OPT_REPLACE, OPT_KEYRING, OPT_DEBS, OPT_STRICT, OPT_ALLOW_EMPTY,
	OPT_INRELEASE, OPT_RELEASE, OPT_MAX_FUTURE, OPT_PACKAGES, OPT_IMPORTER
};

#define IMPORT_USAGE "usage: digestguard db import [--state DIR] [--replace] [--allow-empty] (--local FILE... | --keyring CERTS [--strict] (--rpm FILE|DIR... | (--inrelease F... | --release F...) --packages F... --deb FILE|DIR... | --apt-lists DIR --debs DIR) [--max-future-time S])\n"

/*
 * The chain options are refused, not ignored, without an input that uses
 * them: "--local f --keyring k" or "--apt-lists D --packages P" is a
 * mistake the operator should hear of.
 */
static int unused_chain_option(const struct import_ctx *ctx,
			       const struct import_todo *todo, size_t ntodo)
{
	enum { RPM = 1, DEB = 2, LISTS = 4 };
	const struct {
		const char *opt;
		int given, used_by;
		const char *inputs;
	} chain[] = {
		{ "--keyring", ctx->nkeyrings > 0, RPM | DEB | LISTS, "--rpm, --deb or --apt-lists" },
		{ "--strict", ctx->strict, RPM | DEB | LISTS, "--rpm, --deb or --apt-lists" },
		{ "--max-future-time", ctx->max_future >= 0, DEB | LISTS, "--deb or --apt-lists" },
		{ "--inrelease", ctx->ninrelease > 0, DEB, "--deb" },
		{ "--release", ctx->nrelease > 0, DEB, "--deb" },
		{ "--packages", ctx->npackages > 0, DEB, "--deb" },
		{ "--debs", ctx->debs != NULL, LISTS, "--apt-lists" },
	};
	int have = 0;
	size_t i;

	for (i = 0; i < ntodo; i++)
		have |= todo[i].imp->fn == import_rpm ? RPM : todo[i].imp->fn == import_deb ? DEB :
			todo[i].imp->fn == import_apt_lists ? LISTS : 0;
	for (i = 0; i < ARRAY_SIZE(chain); i++)
		if (chain[i].given && !(have & chain[i].used_by)) {
			fprintf(stderr, "digestguard db import: %s is for %s, which this import "
				"does not have\n", chain[i].opt, chain[i].inputs);
			return -EINVAL;
		}
	return 0;
}

static int cmd_import(int argc, char **argv)
{
	struct option opts[ARRAY_SIZE(importers) + 12] = {
		{ "inrelease", required_argument, NULL, OPT_INRELEASE },
		{ "release", required_argument, NULL, OPT_RELEASE },
		{ "max-future-time", required_argument, NULL, OPT_MAX_FUTURE },
		{ "packages", required_argument, NULL, OPT_PACKAGES },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "allow-empty", no_argument, NULL, OPT_ALLOW_EMPTY },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "replace", no_argument, NULL, OPT_REPLACE },
		{ "keyring", required_argument, NULL, OPT_KEYRING },
		{ "debs", required_argument, NULL, OPT_DEBS },
		{ "help", no_argument, NULL, 'h' },
	};
	struct import_todo todo[IMPORTERS_MAX];
	struct import_ctx ctx = { .max_future = -1 };
	unsigned int flags = DG_DB_COMMIT_MERGE | DG_DB_COMMIT_NONEMPTY;
	size_t i, ntodo = 0, nrpm = 0, ndeb = 0;
	uint64_t gen;
	char msg[512];
	int c, err = 0;

	for (i = 0; i < ARRAY_SIZE(importers); i++)
		opts[11 + i] = (struct option){ importers[i].opt, required_argument, NULL,
					       OPT_IMPORTER + (int)i };
	optind = 0;
	/* "-": operands come back in place (c == 1), so that in
	 * "--rpm a.rpm b.rpm --local f" b.rpm goes with --rpm, not --local. */
	while ((c = getopt_long(argc, argv, "-h", opts, NULL)) != -1) {
		switch (c) {
		case 1:
			if (!ntodo || ntodo == IMPORTERS_MAX) {
				fprintf(stderr, "digestguard db import: '%s': which input kind? (--local FILE, --rpm FILE|DIR, --deb FILE|DIR)\n",
					optarg);
				return EXIT_USAGE;
			}
			todo[ntodo].imp = todo[ntodo - 1].imp;
			todo[ntodo++].arg = optarg;
			break;
		case OPT_STATE: ctx.state = optarg; break;
		case OPT_REPLACE: flags &= ~DG_DB_COMMIT_MERGE; break;
		case OPT_DEBS: ctx.debs = optarg; break;
		case OPT_INRELEASE:
			if (cli_push_arg("db import", "inrelease", ctx.inrelease, &ctx.ninrelease,
					 KEYRINGS_MAX, optarg) < 0)
				return EXIT_USAGE;
			break;
		case OPT_RELEASE:
			if (cli_push_arg("db import", "release", ctx.release, &ctx.nrelease,
					 KEYRINGS_MAX, optarg) < 0)
				return EXIT_USAGE;
			break;
		case OPT_MAX_FUTURE:
			ctx.max_future = cli_parse_max_future("db import", optarg);
			if (ctx.max_future < 0)
				return EXIT_USAGE;
			break;
		case OPT_PACKAGES:
			if (cli_push_arg("db import", "packages", ctx.packages, &ctx.npackages,
					 KEYRINGS_MAX, optarg) < 0)
				return EXIT_USAGE;
			break;
		case OPT_STRICT: ctx.strict = 1; break;
		case OPT_ALLOW_EMPTY: flags &= ~DG_DB_COMMIT_NONEMPTY; break;
		case OPT_KEYRING:
			if (cli_push_arg("db import", "keyring", ctx.keyrings, &ctx.nkeyrings,
					 KEYRINGS_MAX, optarg) < 0)
				return EXIT_USAGE;
			break;
		default:
			if (c >= OPT_IMPORTER && c < OPT_IMPORTER + (int)ARRAY_SIZE(importers)) {
				const struct importer *imp = &importers[c - OPT_IMPORTER];

				if (ntodo == IMPORTERS_MAX) {
					fprintf(stderr, "digestguard db import: more than %d inputs\n",
						IMPORTERS_MAX);
					return EXIT_USAGE;
				}
				todo[ntodo].imp = imp;
				todo[ntodo++].arg = optarg;
				break;
			}
			fputs(IMPORT_USAGE, stderr);
			return EXIT_USAGE;
		}
	}
	/* Operands after "--" belong to the last importer (--rpm a.rpm -- -b.rpm). */
	for (; optind < argc; optind++) {
		if (!ntodo || ntodo == IMPORTERS_MAX) {
			fprintf(stderr, "digestguard db import: '%s': which input kind? (--local FILE, "
				"--rpm FILE|DIR, --deb FILE|DIR)\n", argv[optind]);
			return EXIT_USAGE;
		}
		todo[ntodo].imp = todo[ntodo - 1].imp;
		todo[ntodo++].arg = argv[optind];
	}
	if (!ntodo) {
		fprintf(stderr, "digestguard db import: nothing to import: give --local FILE, "
			"--rpm FILE|DIR, --deb FILE|DIR or --apt-lists DIR (see --help)\n");
		return EXIT_USAGE;
	}
	if (unused_chain_option(&ctx, todo, ntodo) < 0)
		return EXIT_USAGE;
	ctx.b = dg_db_builder_new(DG_DB_SHA256);
	if (!ctx.b)
		return EXIT_USAGE;
	/* Operator errors first, before any package is verified. */
	for (i = 0; i < ntodo && !err; i++) {
		if (todo[i].imp->fn != import_rpm)
			continue;
		nrpm++;
		err = package_input_ok("rpm", todo[i].arg);
	}
	if (!err && nrpm)
		err = rpm_setup(&ctx);
	for (i = 0; i < ntodo && !err; i++) {
		if (todo[i].imp->fn != import_deb && todo[i].imp->fn != import_apt_lists)
			continue;
		ndeb++;
		if (todo[i].imp->fn == import_deb && (!(ctx.ninrelease + ctx.nrelease) ||
						       !ctx.npackages)) {
			fprintf(stderr, "digestguard db import: --deb needs --inrelease FILE (or "
				"--release FILE) and --packages FILE (or use --apt-lists DIR "
				"--debs DIR)\n");
			err = -EINVAL;
		}
	}
	/* Then the paths: a usage error (no --keyring: deb_setup()) first. */
	for (i = 0; i < ntodo && !err && ctx.nkeyrings; i++) {
		if (todo[i].imp->fn == import_deb)
			err = package_input_ok("deb", todo[i].arg);
		else if (todo[i].imp->fn == import_apt_lists && ctx.debs)
			err = package_input_ok("debs", ctx.debs);
	}
	if (!err && ndeb)
		err = deb_setup(&ctx);
	for (i = 0; i < ntodo && !err; i++)
		err = todo[i].imp->fn(&ctx, todo[i].arg);
	/*
	 * Skipping a bad package is for a repository with a few bad ones; when
	 * no package at all was imported (a wrong --keyring, a file that is no
	 * RPM) the operator is told and nothing is committed.
	 */
	if (!err && nrpm && !ctx.rpm_imported) {
		if (ctx.rpm_skipped) {
			fprintf(stderr, "digestguard db import: --rpm: no package imported: all %zu failed (see above; the right --keyring?)\n",
				ctx.rpm_skipped);
			err = -ENOKEY;
		} else {
			fprintf(stderr, "digestguard db import: --rpm: no package to import\n");
			err = -ENOENT;
		}
	}
	if (!err && ndeb && !ctx.deb_imported) {
		if (ctx.deb_skipped) {
			fprintf(stderr, "digestguard db import: --deb: no package imported: all %zu failed (see above; the right --inrelease and --packages?)\n",
				ctx.deb_skipped);
			err = -ENOKEY;
		} else {
			fprintf(stderr, "digestguard db import: --deb: no package to import\n");
			err = -ENOENT;
		}
	}
	/* An input without any digest changes nothing: no new generation
	 * (it would push an old one out of the rollback history). */
	if (!err && !ctx.added && (flags & DG_DB_COMMIT_NONEMPTY)) {
		fprintf(stderr, "digestguard db import: the input holds no digest; nothing committed"
			" (--allow-empty to commit anyway)\n");
		err = -ENODATA;
	}
	if (!err) {
		err = dg_db_builder_commit(ctx.b, dg_db_state_dir(ctx.state), flags, &gen,
					   msg, sizeof(msg));
		if (err)
			fprintf(stderr, "digestguard db import: %s%s\n", msg,
				err == -ENODATA ? " (--allow-empty to commit it anyway)" : "");
	}
	if (!err) {
		struct dg_db *db = NULL;
		struct dg_db_stats st;

		if (!open_db(ctx.state, &db, "import")) {
			dg_db_stats(db, &st);
			printf("generation %llu: %llu digest%s", (unsigned long long)gen,
			       (unsigned long long)st.count, st.count == 1 ? "" : "s");
			if (st.references != st.count)	/* identical files */
				printf(" in %llu entries", (unsigned long long)st.references);
			printf(" from %u source%s in %s\n", st.sources, st.sources == 1 ? "" : "s",
			       dg_db_path(db));
			dg_db_close(db);
		}
	} else {
		fprintf(stderr, "digestguard db import: nothing committed; the current generation is unchanged\n");
	}
	dg_db_builder_free(ctx.b);
	dg_rpm_free(ctx.rpm);
	dg_deb_free(ctx.deb);
	return map_exit(err);
}

/* ---- lookup ---- */

/* A digest as `db check` prints it ("sha256:HEX") or bare HEX. */
static const char *digest_arg(const char *s)
{
	return strncasecmp(s, "sha256:", 7) ? s : s + 7;
}

/* "SOURCE PATH" (or "SOURCE" for an entry without a path) and a newline,
 * as lookup and check print a reference. */
static void put_source(const char *pkg, const char *path)
{
	put_name(stdout, pkg);
	if (*path)
		putchar(' ');
	put_name(stdout, path);
	putchar('\n');
}

/* "source": ..., "path": ... of a reference, for --json. */
static void json_source(const char *pkg, const char *path)
{
	printf("\"source\": ");
	cli_json_str(stdout, pkg);
	printf(", \"path\": ");
	cli_json_str(stdout, path);
}

static int cmd_lookup(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *state = NULL;
	struct dg_db *db = NULL;
	int c, i, json = 0, missing = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 's')
			state = optarg;
		else if (c == 'j')
			json = 1;
		else
			return EXIT_USAGE;
	}
	if (optind >= argc) {
		fprintf(stderr, "digestguard db lookup: missing HEX (a SHA-256 digest)\n"
			"usage: digestguard db lookup [--state DIR] [--json] HEX...\n");
		return EXIT_USAGE;
	}
	for (i = optind; i < argc; i++) {
		uint8_t d[32];
		const char *h = digest_arg(argv[i]);

		if (strlen(h) != 64 || dg_unhex_n(h, d, 32)) {
			fprintf(stderr, "digestguard db lookup: '");
			put_name(stderr, argv[i]);
			fprintf(stderr, "': not a SHA-256 digest (64 hex digits, optionally after \"sha256:\")\n");
			return EXIT_USAGE;
		}
	}
	if (open_db(state, &db, "lookup"))
		return EXIT_USAGE;
	if (json)
		printf("[");
	for (i = optind; i < argc; i++) {
		const char *pkg = "", *path = "";
		uint8_t d[32];
		dg_db_ref ref;
		uint64_t at, k;
		int found;

		dg_unhex_n(digest_arg(argv[i]), d, 32);
		found = dg_db_find(db, d, &at) == 1;
		missing += !found;
		if (json) {
			printf("%s\n  {\"digest\": \"", i > optind ? "," : "");
			print_hex(stdout, d, 32);
			printf("\", \"found\": %s", found ? "true" : "false");
		} else if (!found) {
			print_hex(stdout, d, 32);
			printf(": not found\n");
		}
		/* Every source and path holding the digest, the first (the
		 * one the enforcer logs) first: a line each, or in JSON the
		 * first as "source"/"path" and all of them in "references". */
		for (k = 0; found && !dg_db_entry_ref(db, at, k, &ref); k++) {
			if (dg_db_source(db, ref, &pkg, &path))
				pkg = path = "?";
			if (json) {
				if (!k) {
					printf(", ");
					json_source(pkg, path);
					printf(", \"references\": [");
				}
				printf("%s{", k ? ", " : "");
				json_source(pkg, path);
				printf("}");
			} else {
				print_hex(stdout, d, 32);
				printf(": ");
				put_source(pkg, path);
			}
		}
		if (json)
			printf("%s}", found ? "]" : "");
	}
	if (json)
		printf("\n]\n");
	dg_db_close(db);
	return missing ? EXIT_FAIL : EXIT_OK;
}

/* ---- check ---- */

/* References of one digest scanned per checked file; a digest with more
 * (an empty file: thousands) gets a sorted index of its paths, built once. */
#define CHECK_SCAN_MAX	16

struct ref_path {
	const char *path;
	uint64_t k;		/* dg_db_entry_ref() number: the first wins a tie */
};

struct ref_index {
	uint64_t at;
	size_t n;
	struct ref_path *v;
};

static struct {
	struct dg_db *db;
	int missing, errors;
	int json;		/* --json: one array of objects */
	unsigned long printed;
	struct ref_index *idx;	/* ascending by entry */
	size_t nidx;
} chk;

static void check_err(const char *path, const char *why)
{
	fprintf(stderr, "digestguard db check: ");
	put_name(stderr, path);
	fprintf(stderr, ": %s\n", why);
	chk.errors++;
}

static int cmp_ref_path(const void *a, const void *b)
{
	const struct ref_path *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	return c ? c : (x->k > y->k) - (x->k < y->k);
}

/* The sorted paths of entry @at (created on first use); NULL on ENOMEM. */
static const struct ref_index *ref_index_of(uint64_t at)
{
	struct ref_index *x, *grown;
	size_t lo = 0, hi = chk.nidx, n = 0;
	dg_db_ref ref;
	uint64_t k;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (chk.idx[mid].at == at)
			return &chk.idx[mid];
		if (chk.idx[mid].at < at)
			lo = mid + 1;
		else
			hi = mid;
	}
	grown = realloc(chk.idx, (chk.nidx + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	chk.idx = grown;
	memmove(&chk.idx[lo + 1], &chk.idx[lo], (chk.nidx - lo) * sizeof(*grown));
	chk.nidx++;
	x = &chk.idx[lo];
	*x = (struct ref_index){ .at = at };
	for (k = 0; !dg_db_entry_ref(chk.db, at, k, &ref); k++)
		;
	x->v = malloc((k ? k : 1) * sizeof(*x->v));
	if (!x->v)
		return x;	/* n == 0: the caller reports the first reference */
	for (k = 0; !dg_db_entry_ref(chk.db, at, k, &ref); k++)
		if (!dg_db_source(chk.db, ref, NULL, &x->v[n].path))
			x->v[n++].k = k;
	qsort(x->v, n, sizeof(*x->v), cmp_ref_path);
	x->n = n;
	return x;
}

static void ref_index_free(void)
{
	size_t i;

	for (i = 0; i < chk.nidx; i++)
		free(chk.idx[i].v);
	free(chk.idx);
	chk.idx = NULL;
	chk.nidx = 0;
}

/* The number of the first reference of entry @at recorded at @path, or -1. */
static int64_t ref_at_path(uint64_t at, const char *path)
{
	const struct ref_index *x;
	const char *spath;
	dg_db_ref ref;
	size_t lo, hi;
	uint64_t k;

	/* a few: scan them (most digests have one) */
	for (k = 0; k < CHECK_SCAN_MAX && !dg_db_entry_ref(chk.db, at, k, &ref); k++)
		if (!dg_db_source(chk.db, ref, NULL, &spath) && !strcmp(spath, path))
			return (int64_t)k;
	if (k < CHECK_SCAN_MAX)
		return -1;
	x = ref_index_of(at);
	if (!x)
		return -1;
	for (lo = 0, hi = x->n; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(x->v[mid].path, path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < x->n && !strcmp(x->v[lo].path, path) ? (int64_t)x->v[lo].k : -1;
}

/*
 * The reference of entry @at to report for the file @path: the one
 * recorded at that very path when the digest has several, else at the
 * file it names (absolute, without ./, .. or symlinks: `db check f1`,
 * a link to a recorded file), else the first.
 */
static dg_db_ref ref_for_path(uint64_t at, const char *path)
{
	_cleanup_free_ char *real = NULL;
	dg_db_ref ref, first = 0;
	int64_t k;

	dg_db_entry_ref(chk.db, at, 0, &first);
	if (dg_db_entry_ref(chk.db, at, 1, &ref))
		return first;	/* one reference: nothing to choose */
	k = ref_at_path(at, path);
	if (k < 0) {
		real = realpath(path, NULL);
		if (real && strcmp(real, path))
			k = ref_at_path(at, real);
	}
	if (k < 0 || dg_db_entry_ref(chk.db, at, (uint64_t)k, &ref))
		return first;
	return ref;
}

static void check_one(const char *path)
{
	const char *pkg = "", *spath = "";
	uint8_t d[32];
	uint64_t at;
	int found, err = dg_db_hash_file(path, d);

	if (err) {
		check_err(path, strerror(-err));
		return;
	}
	found = dg_db_find(chk.db, d, &at) == 1 &&
		!dg_db_source(chk.db, ref_for_path(at, path), &pkg, &spath);
	chk.missing += !found;
	if (chk.json) {
		printf("%s\n  {\"file\": ", chk.printed++ ? "," : "");
		cli_json_str(stdout, path);
		printf(", \"digest\": \"sha256:");
		print_hex(stdout, d, 32);
		printf("\", \"found\": %s", found ? "true" : "false");
		if (found) {
			printf(", ");
			json_source(pkg, spath);
		}
		printf("}");
		return;
	}
	/* Names are escaped (put_name()): one file, one line. */
	put_name(stdout, path);
	if (found) {
		printf(": OK ");
		put_source(pkg, spath);
		return;
	}
	printf(": NOT FOUND sha256:");
	print_hex(stdout, d, 32);
	printf("\n");
}

static int walk_cb(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type == FTW_F && S_ISREG(st->st_mode))
		check_one(path);
	else if (type == FTW_DNR || type == FTW_NS)
		check_err(path, "cannot read");
	return 0;
}

/*
 * -r on an operand that is a symlink to a directory (/bin -> usr/bin on a
 * merged /usr) walks the directory it resolves to: nftw(FTW_PHYS) would
 * report the link itself, check nothing and let us exit 0 (glibc strips a
 * trailing slash, so "LINK/" does not help).  Links inside are still not
 * followed.
 */
static void check_tree(const char *dir)
{
	_cleanup_free_ char *real = NULL;
	struct stat lst;

	if (lstat(dir, &lst) == 0 && S_ISLNK(lst.st_mode)) {
		real = realpath(dir, NULL);
		if (!real) {
			check_err(dir, strerror(errno));
			return;
		}
		dir = real;
	}
	if (nftw(dir, walk_cb, 32, FTW_PHYS) < 0)
		check_err(dir, strerror(errno));
}

static int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "recursive", no_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *state = NULL;
	int c, i, recursive = 0, json = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "r", opts, NULL)) != -1) {
		if (c == 's')
			state = optarg;
		else if (c == 'r')
			recursive = 1;
		else if (c == 'j')
			json = 1;
		else
			return EXIT_USAGE;
	}
	if (optind >= argc) {
		fprintf(stderr, "digestguard db check: missing PATH\n"
			"usage: digestguard db check [--state DIR] [-r|--recursive] [--json] PATH...\n");
		return EXIT_USAGE;
	}
	memset(&chk, 0, sizeof(chk));
	chk.json = json;
	if (open_db(state, &chk.db, "check"))
		return EXIT_USAGE;
	if (json)
		printf("[");
	for (i = optind; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) < 0)
			check_err(argv[i], strerror(errno));
		else if (S_ISDIR(st.st_mode) && !recursive)
			check_err(argv[i], "is a directory (use -r)");
		else if (S_ISDIR(st.st_mode))
			check_tree(argv[i]);
		else if (S_ISREG(st.st_mode))
			check_one(argv[i]);
		else
			check_err(argv[i], "not a regular file");
	}
	if (json)
		printf("%s]\n", chk.printed ? "\n" : "");
	dg_db_close(chk.db);
	ref_index_free();
	if (chk.errors)
		return EXIT_USAGE;
	return chk.missing ? EXIT_FAIL : EXIT_OK;
}

/* ---- stats ---- */

static int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "verify", no_argument, NULL, 'V' },
		{ "sources", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	const char *state = NULL;
	struct dg_db *db = NULL;
	struct dg_db_stats st;
	char when[DG_UTC_LEN], msg[512];
	int c, json = 0, verify = 0, list = 0, verr = 0;
	uint32_t i;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': state = optarg; break;
		case 'j': json = 1; break;
		case 'V': verify = 1; break;
		case 'S': list = 1; break;
		default: return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "digestguard db stats: unexpected argument '%s'\n"
			"usage: digestguard db stats [--state DIR] [--json] [--verify] [--sources]\n",
			argv[optind]);
		return EXIT_USAGE;
	}
	if (open_db(state, &db, "stats"))
		return EXIT_USAGE;
	dg_db_stats(db, &st);
	if (verify) {
		verr = dg_db_verify(db, msg, sizeof(msg));
		if (verr)
			fprintf(stderr, "digestguard db stats: %s\n", msg);
	}
	dg_utc_format(when, (int64_t)st.build_time);
	if (json) {
		printf("{\n  \"state\": ");
		cli_json_str(stdout, dg_db_state_dir(state));
		printf(",\n  \"file\": ");
		cli_json_str(stdout, dg_db_path(db));
		printf(",\n  \"generation\": %llu,\n  \"count\": %llu,\n  \"algorithm\": \"%s\",\n"
		       "  \"build_time\": %llu,\n  \"build_time_utc\": \"%s\",\n  \"sources\": %u,\n"
		       "  \"file_size\": %llu,\n  \"bytes_per_entry\": %.1f,\n  \"references\": %llu,\n"
		       "  \"format_version\": %u,\n  \"sources_sha256\": \"",
		       (unsigned long long)st.generation, (unsigned long long)st.count,
		       dg_db_algo_name(st.algo), (unsigned long long)st.build_time, when,
		       st.sources, (unsigned long long)st.file_size,
		       st.count ? (double)st.file_size / (double)st.count : 0.0,
		       (unsigned long long)st.references, st.version);
		print_hex(stdout, st.sources_hash, 32);
		printf("\"");
		if (verify)
			printf(",\n  \"verified\": %s", verr ? "false" : "true");
		if (list) {
			printf(",\n  \"source_names\": [");
			for (i = 0; i < st.sources; i++) {
				const char *name;

				dg_db_source_name(db, i, &name);
				printf("%s", i ? ", " : "");
				cli_json_str(stdout, name);
			}
			printf("]");
		}
		printf("\n}\n");
	} else {
		printf("state:         ");
		put_name(stdout, dg_db_state_dir(state));
		printf("\nfile:          ");
		put_name(stdout, dg_db_path(db));
		printf("\ngeneration:    %llu\n"
		       "digests:       %llu\nalgorithm:     %s\nbuild time:    %s (%llu)\n"
		       "sources:       %u\nfile size:     %llu bytes\n",
		       (unsigned long long)st.generation, (unsigned long long)st.count,
		       dg_db_algo_name(st.algo), when, (unsigned long long)st.build_time,
		       st.sources, (unsigned long long)st.file_size);
		if (st.count)
			printf("bytes/entry:   %.1f\n", (double)st.file_size / (double)st.count);
		/* digests several sources or paths hold count once above */
		printf("references:    %llu\nformat:        version %u\n",
		       (unsigned long long)st.references, st.version);
		printf("sources hash:  ");
		print_hex(stdout, st.sources_hash, 32);
		printf("\n");
		if (verify)
			printf("verified:      %s\n", verr ? "NO (corrupt)" : "ok");
		for (i = 0; list && i < st.sources; i++) {
			const char *name;

			dg_db_source_name(db, i, &name);
			printf("source:        ");
			put_name(stdout, name);
			putchar('\n');
		}
	}
	dg_db_close(db);
	return verr ? EXIT_USAGE : EXIT_OK;
}

/* ---- export ---- */

struct xent {
	const char *path;
	const uint8_t *digest;
};

static int cmp_xent(const void *a, const void *b)
{
	const struct xent *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	return c ? c : memcmp(x->digest, y->digest, 32);
}

/* Drop repeats from the sorted @e; the new count. */
static size_t uniq_xent(struct xent *e, size_t n)
{
	size_t i, m = 0;

	for (i = 0; i < n; i++)
		if (!m || cmp_xent(&e[m - 1], &e[i]))
			e[m++] = e[i];
	return m;
}

/*
 * fapolicyd.trust(5): "PATH SIZE SHA256" per line, space separated, '#'
 * comments.  A blank inside a path is written as %20, as fapolicyd-cli
 * --file add does (1.1.x); newer fapolicyd still reads that older form.
 * So are control bytes and '%' itself.
 */
static void put_fapolicyd_path(FILE *out, const char *p)
{
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= ' ' || c == 0x7f || c == '%')
			fprintf(out, "%%%02X", c);
		else
			fputc(c, out);
	}
}

static int export_fapolicyd(FILE *out, const struct xent *e, size_t n,
			    const struct dg_db_stats *st, size_t *skipped)
{
	size_t i;

	fprintf(out, "# digestguard db export --format fapolicyd: generation %llu, %zu entries\n",
		(unsigned long long)st->generation, n);
	fprintf(out, "# sizes are those of the files on the exporting host\n");
	for (i = 0; i < n; i++) {
		struct stat sb;

		/* fapolicyd checks size before hash; we have no size in the
		 * database, so take it from the file here, when it exists. */
		if (e[i].path[0] != '/' || lstat(e[i].path, &sb) < 0 || !S_ISREG(sb.st_mode)) {
			(*skipped)++;
			continue;
		}
		put_fapolicyd_path(out, e[i].path);
		fprintf(out, " %llu ", (unsigned long long)sb.st_size);
		print_hex(out, e[i].digest, 32);
		fputc('\n', out);
	}
	return 0;
}

/*
 * Keylime runtime policy (meta.version 1): path -> list of digests.  A path
 * that is not UTF-8 cannot be a JSON key faithfully: skipped and counted.
 */
static int export_keylime(FILE *out, const struct xent *e, size_t n,
			  const struct dg_db_stats *st, size_t *skipped)
{
	const char *prev = NULL;
	char when[DG_UTC_LEN];
	size_t i;

	dg_utc_format(when, (int64_t)st->build_time);
	fprintf(out, "{\n  \"meta\": {\"version\": 1, \"generator\": 0, \"timestamp\": \"%s\"},\n"
		     "  \"release\": 0,\n  \"digests\": {", when);
	for (i = 0; i < n; i++) {
		int first = !prev || strcmp(prev, e[i].path);

		if (first && !utf8_valid(e[i].path)) {
			(*skipped)++;
			continue;
		}
		if (first) {
			fprintf(out, "%s\n    ", prev ? "]," : "");
			prev = e[i].path;
			cli_json_str(out, e[i].path);
			fprintf(out, ": [\"");
		} else {
			fprintf(out, ", \"");
		}
		print_hex(out, e[i].digest, 32);
		fputc('"', out);
	}
	fprintf(out, "%s\n  },\n  \"excludes\": [],\n  \"keyrings\": {},\n"
		     "  \"ima\": {\"ignored_keyrings\": [], \"log_hash_alg\": \"sha1\", \"dm_policy\": null},\n"
		     "  \"ima-buf\": {},\n  \"verification-keys\": \"\"\n}\n", prev ? "]" : "");
	return 0;
}

static int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *state = NULL, *format = NULL, *output = NULL;
	_cleanup_free_ struct xent *e = NULL;
	_cleanup_free_ char *buf = NULL;
	struct dg_db *db = NULL;
	struct dg_db_stats st;
	size_t n = 0, nopath = 0, skipped = 0, buflen = 0;
	uint64_t i;
	FILE *out;
	int c, err;

	optind = 0;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 's': state = optarg; break;
		case 'f': format = optarg; break;
		case 'o': output = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (optind < argc || !format ||
	    (strcmp(format, "fapolicyd") && strcmp(format, "keylime"))) {
		if (optind < argc)
			fprintf(stderr, "digestguard db export: unexpected argument '%s'\n", argv[optind]);
		else if (!format)
			fprintf(stderr, "digestguard db export: missing --format\n");
		else
			fprintf(stderr, "digestguard db export: unknown format '%s' (fapolicyd or keylime)\n",
				format);
		fprintf(stderr, "usage: digestguard db export [--state DIR] --format fapolicyd|keylime [-o|--output FILE]\n");
		return EXIT_USAGE;
	}
	if (open_db(state, &db, "export"))
		return EXIT_USAGE;
	dg_db_stats(db, &st);
	e = calloc(st.references ? st.references : 1, sizeof(*e));
	if (!e) {
		dg_db_close(db);
		return EXIT_USAGE;
	}
	for (i = 0; i < st.count; i++) {
		const uint8_t *digest;
		dg_db_ref ref;
		uint64_t k;

		dg_db_entry(db, i, &digest, NULL);
		/* every path that holds the digest: identical files (in one
		 * package or several) are each allowed by path */
		for (k = 0; n < st.references && !dg_db_entry_ref(db, i, k, &ref); k++) {
			const char *path;

			if (dg_db_source(db, ref, NULL, &path) || !*path) {
				nopath++;	/* both formats are keyed by path */
				continue;
			}
			e[n].digest = digest;
			e[n++].path = path;
		}
	}
	qsort(e, n, sizeof(*e), cmp_xent);
	n = uniq_xent(e, n);	/* the same path and content from several sources */
	out = open_memstream(&buf, &buflen);
	if (!out) {
		dg_db_close(db);
		return EXIT_USAGE;
	}
	if (!strcmp(format, "fapolicyd"))
		export_fapolicyd(out, e, n, &st, &skipped);
	else
		export_keylime(out, e, n, &st, &skipped);
	fclose(out);
	if (output) {
		err = dg_file_write_output(output, buf, buflen);
		if (err) {
			fprintf(stderr, "digestguard db export: %s: %s\n", output, strerror(-err));
			dg_db_close(db);
			return EXIT_USAGE;
		}
	} else if (fwrite(buf, 1, buflen, stdout) != buflen || fflush(stdout)) {
		dg_db_close(db);
		return EXIT_USAGE;
	}
	fprintf(stderr, "digestguard db export: %zu path entries of %llu digests exported as %s",
		n - skipped, (unsigned long long)st.count, format);
	if (nopath)
		fprintf(stderr, "; %zu skipped without a path", nopath);
	if (skipped && !strcmp(format, "fapolicyd"))
		fprintf(stderr, "; %zu skipped: not an absolute path of a regular file on this host (fapolicyd needs its size)",
			skipped);
	else if (skipped)
		fprintf(stderr, "; %zu skipped: path not UTF-8", skipped);
	fprintf(stderr, "\n");
	dg_db_close(db);
	return EXIT_OK;
}

static const struct cli_cmd db_cmds[] = {
	{ "import", "[--state DIR] [--replace] [--allow-empty] (--local FILE... | --keyring CERTS [--strict] (--rpm FILE|DIR... | (--inrelease F... | --release F...) --packages F... --deb FILE|DIR... | --apt-lists DIR --debs DIR) [--max-future-time S])",
	  "add digests to a new generation (old + new unless --replace)", cmd_import },
	{ "lookup", "[--state DIR] [--json] HEX...",
	  "look digests up; exit 0 if all are found, 1 otherwise", cmd_lookup },
	{ "check", "[--state DIR] [-r|--recursive] [--json] PATH...",
	  "hash files (directories with -r) and look them up; exit 1 if any is not found", cmd_check },
	{ "stats", "[--state DIR] [--json] [--verify] [--sources]",
	  "generation, count, algorithm, build time, sources, size, bytes/entry", cmd_stats },
	{ "export", "[--state DIR] --format fapolicyd|keylime [-o|--output FILE]",
	  "fapolicyd trust file lines or a Keylime runtime policy", cmd_export },
	{ NULL, NULL, NULL, NULL },
};

const struct cli_object cli_db = {
	"db", "digest database: import, lookup, check, stats, export", db_cmds, NULL, NULL,
};

// SPDX-License-Identifier: MIT
/*
 * digestguard deb verify | digests: the apt chain for local files.  A .deb is OK when
 * its SHA-256 and size are in a paragraph of a Packages file whose text is
 * listed in an InRelease signed by a key of the keyring and still valid:
 * what apt checks before it installs a downloaded package.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <digestguard/deb.h>
#include <digestguard/pgp.h>

#include "cli.h"
#include "hex.h"
#include "log.h"

#define DEB_KEYRINGS_MAX 16
#define DEB_PACKAGES_MAX 64

enum { OPT_KEYRING = 256, OPT_INRELEASE, OPT_RELEASE, OPT_PACKAGES, OPT_MAX_FUTURE, OPT_TAG,
       OPT_JSON };

static const struct option deb_long[] = {
	{ "keyring", required_argument, NULL, OPT_KEYRING },
	{ "inrelease", required_argument, NULL, OPT_INRELEASE },
	{ "release", required_argument, NULL, OPT_RELEASE },
	{ "max-future-time", required_argument, NULL, OPT_MAX_FUTURE },
	{ "packages", required_argument, NULL, OPT_PACKAGES },
	{ "tag", no_argument, NULL, OPT_TAG },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "verbose", no_argument, NULL, 'v' },
	{ NULL, 0, NULL, 0 },
};

/* "deb verify" or "deb digests", for messages. */
static const char *who = "deb";

struct deb_opts {
	const char *keyrings[DEB_KEYRINGS_MAX];
	int n_keyrings;
	const char *inrelease[DEB_PACKAGES_MAX];
	int n_inrelease;
	const char *release[DEB_PACKAGES_MAX];
	int n_release;
	long long max_future;	/* --max-future-time, or -1 */
	const char *packages[DEB_PACKAGES_MAX];
	int n_packages;
	int verbose;
	int tag;		/* digests --tag: BSD-style lines */
	int json;		/* verify --json: an array of objects */
};

long long cli_parse_max_future(const char *cmd, const char *arg)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (errno || end == arg || *end || v < 0 || v > 10000000000LL) {
		fprintf(stderr, "digestguard %s: --max-future-time '%s': not a number of seconds "
			"from 0 to 10000000000\n", cmd, arg);
		return -1;
	}
	return v;
}

/* Parse options; the index of the first .deb, or -1 on a usage error. */
static int parse_opts(int argc, char **argv, struct deb_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->verbose = dg_verbose;
	o->max_future = -1;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":v", deb_long, NULL)) != -1) {
		switch (c) {
		case OPT_KEYRING:
			if (cli_push_arg(who, "keyring", o->keyrings, &o->n_keyrings,
					 DEB_KEYRINGS_MAX, optarg) < 0)
				return -1;
			break;
		case OPT_INRELEASE:
			if (cli_push_arg(who, "inrelease", o->inrelease, &o->n_inrelease,
					 DEB_PACKAGES_MAX, optarg) < 0)
				return -1;
			break;
		case OPT_RELEASE:
			if (cli_push_arg(who, "release", o->release, &o->n_release,
					 DEB_PACKAGES_MAX, optarg) < 0)
				return -1;
			break;
		case OPT_MAX_FUTURE:
			o->max_future = cli_parse_max_future(who, optarg);
			if (o->max_future < 0)
				return -1;
			break;
		case OPT_PACKAGES:
			if (cli_push_arg(who, "packages", o->packages, &o->n_packages,
					 DEB_PACKAGES_MAX, optarg) < 0)
				return -1;
			break;
		case OPT_TAG:
			o->tag = 1;
			break;
		case OPT_JSON:
			o->json = 1;
			break;
		case 'v':
			o->verbose++;
			break;
		default:
			return cli_getopt_failed(who, c, argv);
		}
	}
	if (!o->n_keyrings || !(o->n_inrelease + o->n_release) || !o->n_packages) {
		fprintf(stderr, "digestguard %s: %s is required\n", who,
			!o->n_keyrings ? "--keyring CERTS" :
			!(o->n_inrelease + o->n_release) ? "--inrelease FILE (or --release FILE)" :
			"--packages FILE");
		return -1;
	}
	if (optind >= argc) {
		fprintf(stderr, "digestguard %s: no .deb given\n", who);
		return -1;
	}
	return optind;
}

static int load_keyrings(struct dg_deb *deb, const struct cli_deb_chain *o)
{
	int i, r;

	for (i = 0; i < o->n_keyrings; i++) {
		struct stat st;

		if (stat(o->keyrings[i], &st) < 0) {
			fprintf(stderr, "digestguard %s: --keyring %s: %s\n", who, o->keyrings[i],
				strerror(errno));
			return -1;
		}
		if (S_ISDIR(st.st_mode)) {
			fprintf(stderr, "digestguard %s: --keyring %s: is a directory (give "
				"certificate files)\n", who, o->keyrings[i]);
			return -1;
		}
		r = dg_deb_keyring_add_file(deb, o->keyrings[i]);
		if (r < 0) {
			const char *why = cli_without_name(dg_deb_last_error(deb),
							   o->keyrings[i]);

			fprintf(stderr, "digestguard %s: --keyring %s: cannot load: %s\n", who,
				o->keyrings[i], *why ? why : strerror(-r));
			return -1;
		}
	}
	if (dg_deb_keyring_count(deb) == 0) {
		fprintf(stderr, "digestguard %s: no usable OpenPGP certificate in the "
			"--keyring files\n", who);
		return -1;
	}
	return 0;
}

/*
 * Exit code of a chain failure: 1 when the files say no (no good signature,
 * not a signed Release, expired, a Packages file not listed), 2 when the
 * handler or the machine failed (it died, timed out, lied; no memory).
 */
static int chain_code(int r)
{
	switch (r) {
	case -ECHILD: case -ETIMEDOUT: case -EPROTO: case -ENOMEM: case -EIO: case -EINVAL:
		return EXIT_USAGE;
	default:
		return EXIT_FAIL;
	}
}

/* A file the core could not read is an input error; its verdicts are not. */
static int load_code(int r)
{
	switch (r) {
	case -ENOENT: case -EACCES: case -EISDIR: case -EINVAL: case -E2BIG:
		return EXIT_USAGE;
	default:
		return chain_code(r);
	}
}

/* -v: who signed the Release just loaded from @path. */
static void say_signer(const struct dg_deb *deb, const char *path)
{
	struct dg_deb_release_info info;
	char fpr[2 * 32 + 1];

	dg_deb_release_info(deb, &info);
	dg_pgp_fpr_hex(info.signer_fpr, info.fpr_len, fpr);
	fprintf(stderr, "digestguard %s: %s: signed by %s, %zu SHA256 entries\n", who, path, fpr,
		info.n_entries);
}

static int load_chain(struct dg_deb *deb, const struct cli_deb_chain *o)
{
	int i, r;

	if (o->max_future >= 0)
		dg_deb_set_max_future(deb, o->max_future);
	for (i = 0; i < o->n_inrelease + o->n_release; i++) {
		const char *path = i < o->n_inrelease ? o->inrelease[i] :
							o->release[i - o->n_inrelease];

		r = i < o->n_inrelease ? dg_deb_load_inrelease_file(deb, path) :
					 dg_deb_load_release_file(deb, path, NULL);
		if (r < 0) {
			fprintf(stderr, "digestguard %s: %s\n", who, dg_deb_last_error(deb));
			return load_code(r);
		}
		if (o->verbose)
			say_signer(deb, path);
	}
	for (i = 0; i < o->n_packages; i++) {
		const char *entry = NULL;

		r = dg_deb_load_packages_file(deb, o->packages[i], &entry);
		if (r < 0) {
			fprintf(stderr, "digestguard %s: %s\n", who, dg_deb_last_error(deb));
			return load_code(r);
		}
		if (o->verbose)
			fprintf(stderr, "digestguard %s: %s: listed as %s\n", who,
				o->packages[i], entry);
	}
	return EXIT_OK;
}

struct dg_deb *cli_deb_open(const char *cmd, const struct cli_deb_chain *chain, int *code)
{
	struct dg_deb *deb;
	int r;

	who = cmd;
	*code = EXIT_USAGE;
	r = dg_deb_new(0, &deb);
	if (r < 0) {
		fprintf(stderr, "digestguard %s: %s\n", who, strerror(-r));
		return NULL;
	}
	if (load_keyrings(deb, chain) < 0 || (*code = load_chain(deb, chain)) != EXIT_OK) {
		dg_deb_free(deb);
		return NULL;
	}
	return deb;
}

/*
 * Options, keyrings and the chain for command @name: the context and the
 * index of the first .deb, or NULL with *@code the exit code (after a
 * message).
 */
static struct dg_deb *open_chain(const char *name, int argc, char **argv, struct deb_opts *o,
				 int *first, int *code)
{
	struct cli_deb_chain chain;

	who = name;
	*code = EXIT_USAGE;
	*first = parse_opts(argc, argv, o);
	if (*first < 0)
		return NULL;
	if (cli_opt_only_for(who, o->tag, "--tag", name, "deb digests") < 0 ||
	    cli_opt_only_for(who, o->json, "--json", name, "deb verify") < 0)
		return NULL;
	chain = (struct cli_deb_chain){
		.keyrings = o->keyrings, .n_keyrings = o->n_keyrings,
		.inrelease = o->inrelease, .n_inrelease = o->n_inrelease,
		.release = o->release, .n_release = o->n_release,
		.packages = o->packages, .n_packages = o->n_packages,
		.max_future = o->max_future, .verbose = o->verbose,
	};
	return cli_deb_open(name, &chain, code);
}

/* The reason for @path, without its own leading "@path: ". */
static const char *reason_for(const struct dg_deb *deb, const char *path)
{
	return cli_without_name(dg_deb_last_error(deb), path);
}

/* One .deb as a JSON object: what was found, or why not. */
static void print_json(size_t i, const char *file, int r, const struct dg_deb_pkg *pkg,
		       const char *why)
{
	char hex[65];

	printf("%s\n  {\"file\": ", i ? "," : "");
	cli_json_str(stdout, file);
	printf(", \"ok\": %s", r == 0 ? "true" : "false");
	if (r == 0) {
		dg_hex(hex, pkg->sha256, 32);
		printf(", \"package\": ");
		cli_json_str(stdout, pkg->package);
		printf(", \"version\": ");
		cli_json_str(stdout, pkg->version);
		printf(", \"architecture\": ");
		cli_json_str(stdout, pkg->architecture);
		printf(", \"filename\": ");
		cli_json_str(stdout, pkg->filename);
		printf(", \"size\": %llu, \"sha256\": \"%s\", \"packages\": ",
		       (unsigned long long)pkg->size, hex);
		cli_json_str(stdout, pkg->packages_name);
	} else {
		printf(", \"error\": ");
		cli_json_str(stdout, why);
	}
	printf("}");
}

static int cmd_verify(int argc, char **argv)
{
	struct deb_opts o;
	struct dg_deb *deb;
	int first, i, r, code;

	/* A chain that does not hold leaves no .deb to judge. */
	deb = open_chain("deb verify", argc, argv, &o, &first, &code);
	if (!deb)
		return code;
	if (o.json)
		printf("[");
	for (i = first; i < argc; i++) {
		struct dg_deb_pkg pkg;

		r = dg_deb_check_file(deb, argv[i], &pkg);
		if (o.json)
			print_json((size_t)(i - first), argv[i], r, &pkg, reason_for(deb, argv[i]));
		if (r == 0) {
			if (!o.json)
				printf("%s: OK (%s %s %s)\n", argv[i], pkg.package, pkg.version,
				       pkg.architecture);
			if (o.verbose)
				fprintf(stderr, "digestguard %s: %s: listed in %s as %s\n", who,
					argv[i], pkg.packages_name, pkg.filename);
			dg_deb_pkg_free(&pkg);
			continue;
		}
		if (r != -ENOKEY) {
			/* Not read (missing, a directory) or a fault: an input error,
			 * as `rpm verify` says it; the reason names the file. */
			fflush(stdout);
			fprintf(stderr, "digestguard %s: %s\n", who, dg_deb_last_error(deb));
			code = EXIT_USAGE;
			continue;
		}
		if (!o.json)
			printf("%s: NOT OK (%s)\n", argv[i], reason_for(deb, argv[i]));
		if (code == EXIT_OK)
			code = EXIT_FAIL;
	}
	if (o.json)
		printf("\n]\n");
	fflush(stdout);
	dg_deb_free(deb);
	return code;
}

/* One package's lines, printed only when all of it was read. */
struct digests_out {
	const struct deb_opts *o;
	FILE *f;
};

/* sha256sum(1)'s line, or its --tag form, for one file. */
static int print_file(const struct dg_deb_file *f, void *ctx)
{
	struct digests_out *d = ctx;
	char hex[65];

	dg_hex(hex, f->sha256, 32);
	if (d->o->tag)
		fprintf(d->f, "SHA256 (%s) = %s\n", f->path, hex);
	else
		fprintf(d->f, "%s  %s\n", hex, f->path);
	return ferror(d->f) ? -ENOMEM : 0;
}

static int cmd_digests(int argc, char **argv)
{
	struct deb_opts o;
	struct dg_deb *deb;
	int first, i, r, code;

	deb = open_chain("deb digests", argc, argv, &o, &first, &code);
	if (!deb)
		return code;
	for (i = first; i < argc; i++) {
		struct digests_out d = { .o = &o };
		struct dg_deb_pkg pkg;
		char *lines = NULL;
		size_t len = 0;

		d.f = open_memstream(&lines, &len);
		r = d.f ? dg_deb_files(deb, argv[i], &pkg, print_file, &d) : -ENOMEM;
		if (d.f && fclose(d.f) && r == 0)
			r = -ENOMEM;
		if (r == 0) {
			/* A package that fails half way prints nothing. */
			if (fwrite(lines, 1, len, stdout) != len || fflush(stdout))
				code = EXIT_USAGE;
			if (o.verbose)
				fprintf(stderr, "digestguard %s: %s: %s %s %s, listed in %s\n", who,
					argv[i], pkg.package, pkg.version, pkg.architecture,
					pkg.packages_name);
			dg_deb_pkg_free(&pkg);
			free(lines);
			continue;
		}
		free(lines);
		fprintf(stderr, "digestguard %s: %s\n", who, dg_deb_last_error(deb));
		/* Not listed, or an archive the handler refused: a verdict; the
		 * file unreadable or a fault: an input error. */
		if (r == -ENOKEY || r == -EBADMSG || r == -EOPNOTSUPP || r == -E2BIG ||
		    r == -ENODATA) {
			if (code == EXIT_OK)
				code = EXIT_FAIL;
		} else {
			code = EXIT_USAGE;
		}
	}
	dg_deb_free(deb);
	return code;
}

static const struct cli_cmd deb_cmds[] = {
	{ "verify", "--keyring CERTS [--keyring ...] (--inrelease FILE | --release FILE) [...] "
	  "--packages FILE [--packages ...] [--max-future-time S] [-v] [--json] FILE.deb...",
	  "check each .deb against the signed apt chain InRelease -> Packages, as apt does", cmd_verify },
	{ "digests", "--keyring CERTS [--keyring ...] (--inrelease FILE | --release FILE) [...] "
	  "--packages FILE [--packages ...] [--max-future-time S] [--tag] [-v] FILE.deb...",
	  "after that check, print \"HEX  /path\" for each regular file (sha256sum format; "
	  "--tag: BSD style)", cmd_digests },
	{ NULL, NULL, NULL, NULL },
};

const struct cli_object cli_deb = {
	"deb", "Debian packages: check .deb files against signed apt indexes, list their file digests",
	deb_cmds, NULL, NULL,
};

// SPDX-License-Identifier: MIT
/*
 * digestguard deb verify: the apt chain for local files.  A .deb is OK when
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
#include "log.h"

#define DEB_KEYRINGS_MAX 16
#define DEB_PACKAGES_MAX 64
#define DEB_INRELEASE_MAX (64u << 20)
#define DEB_PACKAGES_FILE_MAX (256u << 20)	/* = DEB_TEXT_MAX: compressed is smaller */

enum { OPT_KEYRING = 256, OPT_INRELEASE, OPT_PACKAGES };

static const struct option deb_long[] = {
	{ "keyring", required_argument, NULL, OPT_KEYRING },
	{ "inrelease", required_argument, NULL, OPT_INRELEASE },
	{ "packages", required_argument, NULL, OPT_PACKAGES },
	{ "verbose", no_argument, NULL, 'v' },
	{ NULL, 0, NULL, 0 },
};

struct deb_opts {
	const char *keyrings[DEB_KEYRINGS_MAX];
	int n_keyrings;
	const char *inrelease[DEB_PACKAGES_MAX];
	int n_inrelease;
	const char *packages[DEB_PACKAGES_MAX];
	int n_packages;
	int verbose;
};

/* Parse options; the index of the first .deb, or -1 on a usage error. */
static int parse_opts(int argc, char **argv, struct deb_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->verbose = dg_verbose;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":v", deb_long, NULL)) != -1) {
		switch (c) {
		case OPT_KEYRING:
			if (o->n_keyrings >= DEB_KEYRINGS_MAX) {
				fprintf(stderr, "digestguard deb verify: more than %d --keyring\n",
					DEB_KEYRINGS_MAX);
				return -1;
			}
			o->keyrings[o->n_keyrings++] = optarg;
			break;
		case OPT_INRELEASE:
			if (o->n_inrelease >= DEB_PACKAGES_MAX) {
				fprintf(stderr, "digestguard deb verify: more than %d --inrelease\n",
					DEB_PACKAGES_MAX);
				return -1;
			}
			o->inrelease[o->n_inrelease++] = optarg;
			break;
		case OPT_PACKAGES:
			if (o->n_packages >= DEB_PACKAGES_MAX) {
				fprintf(stderr, "digestguard deb verify: more than %d --packages\n",
					DEB_PACKAGES_MAX);
				return -1;
			}
			o->packages[o->n_packages++] = optarg;
			break;
		case 'v':
			o->verbose++;
			break;
		case ':':
			fprintf(stderr, "digestguard deb verify: option '%s' needs a value\n",
				argv[optind - 1]);
			return -1;
		default:
			fprintf(stderr, "digestguard deb verify: unknown option '%s'\n",
				argv[optind - 1]);
			return -1;
		}
	}
	if (!o->n_keyrings || !o->n_inrelease || !o->n_packages) {
		fprintf(stderr, "digestguard deb verify: %s is required\n",
			!o->n_keyrings ? "--keyring CERTS" :
			!o->n_inrelease ? "--inrelease FILE" : "--packages FILE");
		return -1;
	}
	if (optind >= argc) {
		fprintf(stderr, "digestguard deb verify: no .deb given\n");
		return -1;
	}
	return optind;
}

/* Read the whole regular file @path, at most @max bytes; NULL after a message. */
static uint8_t *read_file(const char *opt, const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	struct stat st;
	size_t got;

	if (!f || fstat(fileno(f), &st) < 0) {
		fprintf(stderr, "digestguard deb verify: %s %s: %s\n", opt, path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "digestguard deb verify: %s %s: not a regular file\n", opt, path);
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		fprintf(stderr, "digestguard deb verify: %s %s: larger than the limit of %zu bytes\n",
			opt, path, max);
		goto out;
	}
	b = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!b) {
		fprintf(stderr, "digestguard deb verify: %s %s: out of memory\n", opt, path);
		goto out;
	}
	got = fread(b, 1, (size_t)st.st_size, f);
	if (got != (size_t)st.st_size || ferror(f)) {
		fprintf(stderr, "digestguard deb verify: %s %s: short read\n", opt, path);
		free(b);
		b = NULL;
		goto out;
	}
	*len = got;
out:
	if (f)
		fclose(f);
	return b;
}

static int load_keyrings(struct dg_deb *deb, const struct deb_opts *o)
{
	int i, r;

	for (i = 0; i < o->n_keyrings; i++) {
		struct stat st;

		if (stat(o->keyrings[i], &st) < 0) {
			fprintf(stderr, "digestguard deb verify: --keyring %s: %s\n", o->keyrings[i],
				strerror(errno));
			return -1;
		}
		if (S_ISDIR(st.st_mode)) {
			fprintf(stderr, "digestguard deb verify: --keyring %s: is a directory (give "
				"certificate files)\n", o->keyrings[i]);
			return -1;
		}
		r = dg_deb_keyring_add_file(deb, o->keyrings[i]);
		if (r < 0) {
			fprintf(stderr, "digestguard deb verify: --keyring %s: cannot load: %s\n",
				o->keyrings[i], dg_deb_last_error(deb));
			return -1;
		}
	}
	if (dg_deb_keyring_count(deb) == 0) {
		fprintf(stderr, "digestguard deb verify: no usable OpenPGP certificate in the "
			"--keyring files\n");
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

static int load_chain(struct dg_deb *deb, const struct deb_opts *o)
{
	uint8_t *data;
	size_t len = 0;
	int i, r;

	for (i = 0; i < o->n_inrelease; i++) {
		data = read_file("--inrelease", o->inrelease[i], DEB_INRELEASE_MAX, &len);
		if (!data)
			return EXIT_USAGE;
		r = dg_deb_load_inrelease(deb, o->inrelease[i], data, len);
		free(data);
		if (r < 0) {
			fprintf(stderr, "digestguard deb verify: %s\n", dg_deb_last_error(deb));
			return chain_code(r);
		}
		if (o->verbose) {
			struct dg_deb_release_info info;
			char fpr[2 * 32 + 1];

			dg_deb_release_info(deb, &info);
			dg_pgp_fpr_hex(info.signer_fpr, info.fpr_len, fpr);
			fprintf(stderr, "digestguard deb verify: %s: signed by %s, %zu SHA256 "
				"entries\n", o->inrelease[i], fpr, info.n_entries);
		}
	}
	for (i = 0; i < o->n_packages; i++) {
		const char *entry = NULL;

		data = read_file("--packages", o->packages[i], DEB_PACKAGES_FILE_MAX, &len);
		if (!data)
			return EXIT_USAGE;
		r = dg_deb_load_packages(deb, o->packages[i], data, len, &entry);
		free(data);
		if (r < 0) {
			fprintf(stderr, "digestguard deb verify: %s\n", dg_deb_last_error(deb));
			return chain_code(r);
		}
		if (o->verbose)
			fprintf(stderr, "digestguard deb verify: %s: listed as %s\n",
				o->packages[i], entry);
	}
	return EXIT_OK;
}

static int cmd_verify(int argc, char **argv)
{
	struct deb_opts o;
	struct dg_deb *deb;
	int first, i, r, code, chain_ok;

	first = parse_opts(argc, argv, &o);
	if (first < 0)
		return EXIT_USAGE;
	r = dg_deb_new(0, &deb);
	if (r < 0) {
		fprintf(stderr, "digestguard deb verify: %s\n", strerror(-r));
		return EXIT_USAGE;
	}
	if (load_keyrings(deb, &o) < 0) {
		dg_deb_free(deb);
		return EXIT_USAGE;
	}
	code = load_chain(deb, &o);
	chain_ok = code == EXIT_OK;
	/* A chain that does not hold leaves no .deb to judge. */
	for (i = first; chain_ok && i < argc; i++) {
		struct dg_deb_pkg pkg;

		r = dg_deb_check_file(deb, argv[i], &pkg);
		if (r == 0) {
			printf("%s: OK (%s %s %s)\n", argv[i], pkg.package, pkg.version,
			       pkg.architecture);
			if (o.verbose)
				fprintf(stderr, "digestguard deb verify: %s: listed in %s as %s\n",
					argv[i], pkg.packages_name, pkg.filename);
			dg_deb_pkg_free(&pkg);
			continue;
		}
		if (r != -ENOKEY) {
			/* Not read (missing, a directory) or a fault: an input error,
			 * as `rpm verify` says it; the reason names the file. */
			fflush(stdout);
			fprintf(stderr, "digestguard deb verify: %s\n", dg_deb_last_error(deb));
			code = EXIT_USAGE;
			continue;
		}
		/* The reason names the file first: print it after the name once. */
		{
			const char *why = dg_deb_last_error(deb);
			size_t n = strlen(argv[i]);

			if (!strncmp(why, argv[i], n) && !strncmp(why + n, ": ", 2))
				why += n + 2;
			printf("%s: NOT OK (%s)\n", argv[i], why);
		}
		if (code == EXIT_OK)
			code = EXIT_FAIL;
	}
	fflush(stdout);
	dg_deb_free(deb);
	return code;
}

static const struct cli_cmd deb_cmds[] = {
	{ "verify", "--keyring CERTS [--keyring ...] --inrelease FILE [--inrelease ...] "
	  "--packages FILE [--packages ...] [-v] FILE.deb...",
	  "check each .deb against the signed apt chain InRelease -> Packages, as apt does", cmd_verify },
	{ NULL, NULL, NULL, NULL },
};

const struct cli_object cli_deb = {
	"deb", "Debian packages: check .deb files against signed apt indexes", deb_cmds, NULL, NULL,
};

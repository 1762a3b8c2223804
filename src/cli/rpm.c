// SPDX-License-Identifier: MIT
/* digestguard rpm verify | digests */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <digestguard/pgp.h>
#include <digestguard/rpm.h>

#include "cli.h"
#include "log.h"

#define RPM_KEYRINGS_MAX 64

struct rpm_opts {
	const char *keyrings[RPM_KEYRINGS_MAX];
	int n_keyrings;
	unsigned int flags;
	int verbose;
	int tag;
	int json;
};

enum { OPT_KEYRING = 256, OPT_PAYLOAD, OPT_ALLOW_WEAK, OPT_TAG, OPT_JSON };

static const struct option rpm_long[] = {
	{ "keyring", required_argument, NULL, OPT_KEYRING },
	{ "payload", no_argument, NULL, OPT_PAYLOAD },
	{ "allow-weak", no_argument, NULL, OPT_ALLOW_WEAK },
	{ "tag", no_argument, NULL, OPT_TAG },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "verbose", no_argument, NULL, 'v' },
	{ NULL, 0, NULL, 0 },
};

/* Parse options; returns the index of the first file or -1 on a usage error. */
static int parse_opts(const char *cmd, int argc, char **argv, struct rpm_opts *o)
{
	char who[32];
	int c;

	snprintf(who, sizeof(who), "rpm %s", cmd);
	memset(o, 0, sizeof(*o));
	o->verbose = dg_verbose;
	optind = 0;	/* full re-initialisation: options may follow the files */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":v", rpm_long, NULL)) != -1) {
		switch (c) {
		case OPT_KEYRING:
			if (cli_push_arg(who, "keyring", o->keyrings, &o->n_keyrings,
					 RPM_KEYRINGS_MAX, optarg) < 0)
				return -1;
			break;
		case OPT_PAYLOAD:
			o->flags |= DG_RPM_PAYLOAD;
			break;
		case OPT_ALLOW_WEAK:
			o->flags |= DG_RPM_ALLOW_WEAK;
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
	/* One option table for both commands: refuse, not ignore, the other's. */
	if (cli_opt_only_for(who, o->json, "--json", who, "rpm verify") < 0 ||
	    cli_opt_only_for(who, o->tag, "--tag", who, "rpm digests") < 0 ||
	    cli_opt_only_for(who, !!(o->flags & DG_RPM_ALLOW_WEAK), "--allow-weak", who,
			     "rpm digests") < 0)
		return -1;
	if (optind >= argc) {
		fprintf(stderr, "digestguard rpm %s: no package given\n", cmd);
		return -1;
	}
	return optind;
}

/*
 * Load one --keyring file for command @cmd ("rpm verify", "db import").
 * A file that gives nothing (a signature, a v5 key, garbage, a directory)
 * is an error naming the file and the reason: accepting it would make
 * every package NOKEY without saying why.
 */
int cli_rpm_load_keyring(const char *cmd, struct dg_rpm *rpm, const char *file)
{
	const char *why;
	struct stat st;
	int r;

	if (stat(file, &st) < 0) {
		r = -errno;
		fprintf(stderr, "digestguard %s: --keyring %s: %s\n", cmd, file, strerror(errno));
		return r;
	}
	if (S_ISDIR(st.st_mode)) {
		fprintf(stderr, "digestguard %s: --keyring %s: is a directory (give certificate files)\n",
			cmd, file);
		return -EISDIR;
	}
	r = dg_rpm_add_keyring(rpm, file);
	if (r > 0)
		return r;
	why = cli_without_name(dg_rpm_last_error(rpm), file);
	if (r < 0)
		fprintf(stderr, "digestguard %s: --keyring %s: cannot load: %s\n", cmd, file,
			*why ? why : strerror(-r));
	else
		fprintf(stderr, "digestguard %s: --keyring %s: no usable OpenPGP certificate in it (%s)\n",
			cmd, file, *why ? why : "no public key with a valid self-signature");
	return r < 0 ? r : -EBADMSG;
}

/*
 * After every --keyring file: at least one certificate.  Files of
 * revocations alone each give something, but nothing to verify with unless
 * another file has their certificate.
 */
int cli_rpm_keyrings_usable(const char *cmd, const struct dg_rpm *rpm,
			    const char *const *files, int n)
{
	int i;

	if (dg_rpm_keyring_count(rpm) > 0)
		return 0;
	fprintf(stderr, "digestguard %s: --keyring", cmd);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s%s", i ? ", " : " ", files[i]);
	fprintf(stderr, ": no usable OpenPGP certificate in %s (only revocations, or keys "
		"without a valid self-signature)\n", n > 1 ? "these files together" : "it");
	return -EBADMSG;
}

static struct dg_rpm *open_ctx(const char *cmd, const struct rpm_opts *o, int need_keys)
{
	struct dg_rpm *rpm;
	char who[32];
	int i, r;

	snprintf(who, sizeof(who), "rpm %s", cmd);
	if (need_keys && o->n_keyrings == 0) {
		fprintf(stderr, "digestguard %s: --keyring CERTS is required\n", who);
		return NULL;
	}
	r = dg_rpm_new(o->flags, &rpm);
	if (r < 0) {
		fprintf(stderr, "digestguard rpm %s: %s\n", cmd, strerror(-r));
		return NULL;
	}
	for (i = 0; i < o->n_keyrings; i++) {
		if (cli_rpm_load_keyring(who, rpm, o->keyrings[i]) < 0) {
			dg_rpm_free(rpm);
			return NULL;
		}
	}
	if (o->n_keyrings && cli_rpm_keyrings_usable(who, rpm, o->keyrings, o->n_keyrings) < 0) {
		dg_rpm_free(rpm);
		return NULL;
	}
	if (o->verbose) {
		char pol[640];

		dg_rpm_policy_describe(rpm, pol, sizeof(pol));
		fprintf(stderr, "digestguard rpm %s: policy: %s\n", cmd, pol);
	}
	return rpm;
}

static const char *rc_word(enum dg_rpm_rc rc)
{
	switch (rc) {
	case DG_RPM_OK: return "OK";
	case DG_RPM_BAD: return "BAD";
	case DG_RPM_NOKEY: return "NOKEY";
	case DG_RPM_NOTTRUSTED: return "NOTTRUSTED";
	case DG_RPM_NOTFOUND: return "NOTFOUND";
	}
	return "UNKNOWN";
}

/* One file in rpmkeys --checksig's words (and -Kv's with -v). */
static void print_report(const char *file, const struct dg_rpm_report *rep, int verbose)
{
	size_t i;

	if (verbose) {
		printf("%s:\n", file);
		for (i = 0; i < rep->n_items; i++) {
			const struct dg_rpm_item *it = &rep->items[i];

			printf("    %s: %s", it->descr, rc_word(it->rc));
			if (it->msg[0])
				printf(" (%s)", it->msg);
			printf("\n");
			if (verbose > 1 && it->why[0] && it->rc != DG_RPM_OK)
				printf("      reason: %s\n", it->why);
		}
		return;
	}
	printf("%s:", file);
	if (rep->seen & DG_RPM_DIGEST)
		printf(" %s", rep->bad & DG_RPM_DIGEST ? "DIGESTS" : "digests");
	if (rep->seen & DG_RPM_SIGNATURE)
		printf(" %s", rep->bad & DG_RPM_SIGNATURE ? "SIGNATURES" : "signatures");
	printf(" %s\n", rep->ok ? "OK" : "NOT OK");
}

/* File names and the package's own strings need not be UTF-8. */
static void json_str(const char *s)
{
	cli_json_str(stdout, s);
}

/* One package as a JSON object (the array is printed by the caller). */
static void print_json(const char *file, const struct dg_rpm_report *rep, int r)
{
	size_t i;

	printf("{\"file\": ");
	json_str(file);
	printf(", \"ok\": %s, \"signed\": %s, \"digests\": \"%s\", \"signatures\": \"%s\"",
	       r == 0 ? "true" : "false", rep->signed_ok ? "true" : "false",
	       !(rep->seen & DG_RPM_DIGEST) ? "none" : rep->bad & DG_RPM_DIGEST ? "bad" : "ok",
	       !(rep->seen & DG_RPM_SIGNATURE) ? "none" : rep->bad & DG_RPM_SIGNATURE ? "bad" : "ok");
	printf(", \"nevra\": ");
	json_str(rep->nevra);
	printf(", \"error\": ");
	json_str(rep->error);
	printf(", \"items\": [");
	for (i = 0; i < rep->n_items; i++) {
		const struct dg_rpm_item *it = &rep->items[i];

		printf("%s{\"item\": ", i ? ", " : "");
		json_str(it->descr);
		printf(", \"result\": \"%s\", \"detail\": ", rc_word(it->rc));
		json_str(it->msg);
		printf(", \"reason\": ");
		json_str(it->why);
		printf("}");
	}
	printf("]}");
}

/* Errors that mean the input could not be read as a package (exit 2). */
static int input_error(int r)
{
	return r != 0 && r != -EKEYREJECTED && r != -ENOKEY;
}

struct verify_out {
	const struct rpm_opts *o;
	int worst;
};

/* One package's result, called in input order (dg_rpm_verify_each()). */
static int verify_print(size_t i, const char *file, int r, const struct dg_rpm_report *rep,
			void *ctx)
{
	struct verify_out *vo = ctx;

	if (vo->o->json) {
		printf("%s\n  ", i > 0 ? "," : "");
		print_json(file, rep, r);
		if (r != 0)
			vo->worst = input_error(r) && rep->n_items == 0 ? EXIT_USAGE :
				    vo->worst == EXIT_OK ? EXIT_FAIL : vo->worst;
		return 0;
	}
	if (input_error(r) && rep->n_items == 0) {
		printf("%s: NOT OK\n", file);
		fprintf(stderr, "digestguard rpm verify: %s\n", rep->error);
		vo->worst = EXIT_USAGE;
		return 0;
	}
	print_report(file, rep, vo->o->verbose);
	if (r != 0) {
		/* The report above already gave each failed item with its reason. */
		if (vo->o->verbose > 1 && rep->error[0] && !rep->error_is_item)
			fprintf(stderr, "digestguard rpm verify: %s\n", rep->error);
		if (vo->worst == EXIT_OK)
			vo->worst = EXIT_FAIL;
	}
	fflush(stdout);
	return 0;
}

static int cmd_verify(int argc, char **argv)
{
	struct rpm_opts o;
	struct verify_out vo = { .o = &o, .worst = EXIT_OK };
	struct dg_rpm *rpm;
	int first, r;

	first = parse_opts("verify", argc, argv, &o);
	if (first < 0 || !(rpm = open_ctx("verify", &o, 1)))
		return EXIT_USAGE;
	if (o.json)
		printf("[");
	/* One worker thread per CPU (each its own handler); output in order. */
	r = dg_rpm_verify_each(rpm, (const char *const *)argv + first, (size_t)(argc - first), 0,
			       verify_print, &vo);
	if (r < 0) {
		fprintf(stderr, "digestguard rpm verify: %s\n", strerror(-r));
		vo.worst = EXIT_USAGE;
	}
	if (o.json)
		printf("\n]\n");
	dg_rpm_free(rpm);
	return vo.worst;
}

struct print_ctx {
	int tag;
};

/* sha256sum's escaping: a leading backslash when the name holds \ or \n. */
static void print_name(const char *p)
{
	for (; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", stdout);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p == '\r')
			fputs("\\r", stdout);
		else
			putchar(*p);
	}
}

static int print_file(const struct dg_rpm_file *f, void *ctx)
{
	const struct print_ctx *pc = ctx;
	int esc = strpbrk(f->path, "\\\n\r") != NULL;

	if (esc)
		putchar('\\');
	if (pc->tag) {
		printf("%s (", dg_rpm_hash_name(f->algo));
		print_name(f->path);
		printf(") = %s\n", f->hex);
	} else {
		printf("%s  ", f->hex);
		print_name(f->path);
		putchar('\n');
	}
	return 0;
}

static int cmd_digests(int argc, char **argv)
{
	struct dg_rpm_report *rep = malloc(sizeof(*rep));
	struct rpm_opts o;
	struct print_ctx pc;
	struct dg_rpm *rpm;
	int i, first, r, worst = EXIT_OK;

	first = parse_opts("digests", argc, argv, &o);
	if (!rep || first < 0 || !(rpm = open_ctx("digests", &o, 1))) {
		free(rep);
		return EXIT_USAGE;
	}
	pc.tag = o.tag;
	for (i = first; i < argc; i++) {
		r = dg_rpm_files(rpm, argv[i], print_file, &pc, rep);
		fflush(stdout);
		if (r != 0) {
			fprintf(stderr, "digestguard rpm digests: %s\n",
				rep->error[0] ? rep->error : strerror(-r));
			worst = input_error(r) && r != -EOPNOTSUPP && worst != EXIT_FAIL ?
				EXIT_USAGE : EXIT_FAIL;
		}
	}
	dg_rpm_free(rpm);
	free(rep);
	return worst;
}

static const struct cli_cmd rpm_cmds[] = {
	{ "verify", "--keyring CERTS [--keyring ...] [--payload] [-v|--verbose] [--json] FILE.rpm...",
	  "check header digests and signatures like `rpmkeys --checksig` (--payload: the payload too)",
	  cmd_verify },
	{ "digests", "--keyring CERTS [--tag] [--allow-weak] [--payload] [-v] FILE.rpm...",
	  "after verification, print \"HEX  /path\" for each regular file (sha256sum format; --tag: BSD style)",
	  cmd_digests },
	{ NULL, NULL, NULL, NULL },
};

const struct cli_object cli_rpm = {
	"rpm", "RPM packages: verify signatures, list signed file digests", rpm_cmds, NULL, NULL,
};

// SPDX-License-Identifier: MIT
/* digestguard OBJECT COMMAND [OPTIONS] ARGS — bpftool-style dispatch. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"

#ifndef DG_VERSION
#define DG_VERSION "unknown"
#endif

int cli_no_args(const char *who, int argc, char **argv)
{
	if (argc < 2)
		return 0;
	fprintf(stderr, "digestguard %s: unexpected argument '%s' (see --help)\n", who, argv[1]);
	return EXIT_USAGE;
}

int cli_push_arg(const char *who, const char *opt, const char **list, int *n, int max,
		 const char *arg)
{
	if (*n >= max) {
		fprintf(stderr, "digestguard %s: more than %d --%s\n", who, max, opt);
		return -1;
	}
	list[(*n)++] = arg;
	return 0;
}

int cli_getopt_failed(const char *who, int c, char **argv)
{
	fprintf(stderr, c == ':' ? "digestguard %s: option '%s' needs a value\n" :
		"digestguard %s: unknown option '%s'\n", who, argv[optind - 1]);
	return -1;
}

int cli_opt_only_for(const char *who, int set, const char *opt, const char *cmd,
		     const char *owner)
{
	if (!set || !strcmp(cmd, owner))
		return 0;
	fprintf(stderr, "digestguard %s: option '%s' is for '%s'\n", who, opt, owner);
	return -1;
}

const char *cli_without_name(const char *why, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(why, name, n) && !strncmp(why + n, ": ", 2) ? why + n + 2 : why;
}

static int cmd_version(int argc, char **argv)
{
	if (cli_no_args("version", argc, argv))
		return EXIT_USAGE;
	printf("digestguard %s\n", DG_VERSION);
	return EXIT_OK;
}

static const struct cli_object cli_version = {
	"version", "print the version", NULL, cmd_version, NULL,
};

/* One line per object; each object lives in its own file. */
static const struct cli_object *const objects[] = {
	&cli_version,
	&cli_demo,
	&cli_umd,
	&cli_db,
	&cli_enforce,
	&cli_measure,
	&cli_rpm,
	&cli_deb,
	&cli_bpf,
	&cli_pgp,
	&cli_sopv,
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: digestguard [-v] OBJECT COMMAND [OPTIONS] ARGS\n"
		   "       digestguard OBJECT [COMMAND] --help\n"
		   "       digestguard help [OBJECT [COMMAND]]\n\nobjects:\n");
	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
		fprintf(f, "  %-10s %s\n", objects[i]->name, objects[i]->help);
	fprintf(f, "\nExit status: 0 success, 1 verification failed / denied / not found,\n"
		   "2 usage or input error.\n");
}

/*
 * Help is asked for only by the first argument: "--help" further on (a file
 * name, an option's value) must never turn a verification into a usage
 * text and exit 0.
 */
int cli_wants_help(int argc, char **argv)
{
	return argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"));
}

/*
 * Where @obj's options are explained: its man page (README.md lists them),
 * installed or, in the source tree, under docs/.
 */
static void object_see_also(const struct cli_object *obj, FILE *f)
{
	static const struct { const char *obj, *page; } pages[] = {
		{ "umd", "digestguard-umd.7" },	{ "db", "digestguard-db.8" },
		{ "enforce", "digestguard-enforce.8" }, { "measure", "digestguard-enforce.8" },
		{ "rpm", "digestguard-rpm.8" },	{ "deb", "digestguard-deb.8" },
		{ "bpf", "digestguard-bpf.8" },
	};
	const char *page = "digestguard.8";
	size_t i;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (!strcmp(pages[i].obj, obj->name))
			page = pages[i].page;
	fprintf(f, "\nEvery option explained: man %s %.*s (in the source tree: man -l docs/%s)\n",
		strrchr(page, '.') + 1, (int)(strrchr(page, '.') - page), page, page);
}

void cli_object_usage(const struct cli_object *obj, FILE *f)
{
	const struct cli_cmd *c;

	if (!obj->cmds) {
		if (obj->usage)
			fprintf(f, "%s", obj->usage);
		else
			fprintf(f, "usage: digestguard %s\n  %s\n", obj->name, obj->help);
		return;
	}
	fprintf(f, "usage: digestguard %s COMMAND\n\ncommands:\n", obj->name);
	for (c = obj->cmds; c->name; c++)
		fprintf(f, "  %s%s%s\n      %s\n", c->name, c->args[0] ? " " : "", c->args, c->help);
	object_see_also(obj, f);
}

static int run_object(const struct cli_object *obj, int argc, char **argv)
{
	static char who[96];
	const struct cli_cmd *c;

	if (obj == &cli_sopv)	/* SOP exit codes and its own --help */
		return obj->run(argc, argv);
	if (!obj->cmds) {
		/* "help" too, as for objects with commands, when it is all. */
		if (cli_wants_help(argc, argv) || (argc == 2 && !strcmp(argv[1], "help"))) {
			cli_object_usage(obj, stdout);
			return EXIT_OK;
		}
		return obj->run(argc, argv);
	}
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		if (argc < 2)
			fprintf(stderr, "digestguard %s: missing COMMAND\n\n", obj->name);
		cli_object_usage(obj, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (c = obj->cmds; c->name; c++) {
		if (strcmp(c->name, argv[1]))
			continue;
		if (cli_wants_help(argc - 1, argv + 1)) {
			printf("usage: digestguard %s %s%s%s\n  %s\n", obj->name, c->name,
			       c->args[0] ? " " : "", c->args, c->help);
			object_see_also(obj, stdout);
			return EXIT_OK;
		}
		/* getopt names argv[0] in its messages: the whole command. */
		snprintf(who, sizeof(who), "digestguard %s %s", obj->name, c->name);
		argv[1] = who;
		return c->run(argc - 1, argv + 1);
	}
	if (argv[1][0] == '-' && argv[1][1])
		fprintf(stderr, "digestguard %s: expected a command, not the option '%s' "
			"(options come after the command)\n\n", obj->name, argv[1]);
	else
		fprintf(stderr, "digestguard %s: unknown command '%s'\n\n", obj->name, argv[1]);
	cli_object_usage(obj, stderr);
	return EXIT_USAGE;
}

/*
 * `digestguard help OBJECT [COMMAND]` (as git and systemctl take it) is
 * `digestguard OBJECT [COMMAND] --help`; @argv[0] is OBJECT.
 */
static int help_for(int argc, char **argv)
{
	static char help[] = "--help";
	char *args[] = { argv[0], argc > 1 ? argv[1] : help, help, NULL };
	const struct cli_object *obj = NULL;
	size_t i;

	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
		if (!strcmp(objects[i]->name, argv[0]))
			obj = objects[i];
	if (!obj) {
		fprintf(stderr, "digestguard help: unknown object '%s'\n\n", argv[0]);
		usage(stderr);
		return EXIT_USAGE;
	}
	/* sopv has no command table but subcommands of its own. */
	if (argc > 2 || (argc > 1 && !obj->cmds && obj != &cli_sopv)) {
		fprintf(stderr, "digestguard help: unexpected argument '%s'\n", argv[argc - 1]);
		return EXIT_USAGE;
	}
	return run_object(obj, argc + 1, args);
}

/*
 * When the command wants OpenSSL ready (crypto.c):
 * - `sopv verify` and `sopv inline-verify` (also as dg-sopv) are one-shot
 *   verifications, where loading libcrypto is a large part of the run: they
 *   start their handler first and have the library made ready on another
 *   thread meanwhile (cli_crypto_preload);
 * - `enforce` before it runs: it forks workers and marks mounts, after
 *   which it must not load a library from disk;
 * - `bpf` and `demo` before they run, with OpenSSL's digest name table,
 *   which CMS signing (bpf sign) looks digests up in;
 * - everything else when it first calls OpenSSL (many never do).
 */
static enum cli_crypto_when crypto_when(int argc, char **argv, int as_sopv)
{
	int i = 1;

	if (as_sopv)
		i = 0;	/* argv[0] stands for "digestguard sopv" */
	else
		while (i < argc && (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")))
			i++;
	if (i >= argc)
		return CLI_CRYPTO_ON_USE;
	if (!strcmp(argv[i], "enforce"))
		return CLI_CRYPTO_NOW;
	/* bpf sign (also a step of the demo) makes CMS signatures: OpenSSL's
	 * CMS needs its digest names. */
	if (!strcmp(argv[i], "bpf") || !strcmp(argv[i], "demo"))
		return CLI_CRYPTO_NOW_NAMES;
	/* pgp dump prints as it goes: an unusable library must stop it
	 * before the first line, not halfway through (half a JSON text). */
	if (!strcmp(argv[i], "pgp") && i + 1 < argc && !strcmp(argv[i + 1], "dump") &&
	    !cli_wants_help(argc - i - 1, argv + i + 1))
		return CLI_CRYPTO_NOW;
	if ((i == 0 || !strcmp(argv[i], "sopv")) && i + 1 < argc &&
	    (!strcmp(argv[i + 1], "verify") || !strcmp(argv[i + 1], "inline-verify")))
		return CLI_CRYPTO_PRELOAD;
	return CLI_CRYPTO_ON_USE;
}

int main(int argc, char **argv)
{
	size_t i;

	/* Installed as dg-sopv: behave as `digestguard sopv`. */
	int as_sopv = argc > 0 && !strcmp(basename(argv[0]), "dg-sopv");

	cli_crypto_start(crypto_when(argc, argv, as_sopv));
	if (as_sopv)
		return run_object(&cli_sopv, argc, argv);
	while (argc > 1 && (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--verbose"))) {
		dg_verbose++;
		argv++;
		argc--;
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		if (argc > 2)
			return help_for(argc - 2, argv + 2);
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(0, NULL);
	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
		if (!strcmp(objects[i]->name, argv[1]))
			return run_object(objects[i], argc - 1, argv + 1);
	fprintf(stderr, "digestguard: unknown %s '%s'\n\n",
		argv[1][0] == '-' && argv[1][1] ? "option" : "object", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}

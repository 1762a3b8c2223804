/* SPDX-License-Identifier: MIT */
#ifndef DG_CLI_H
#define DG_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes (DESIGN.md §9). */
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

struct cli_cmd {
	const char *name;
	const char *args;	/* usage line after the command name */
	const char *help;	/* one line */
	int (*run)(int argc, char **argv);
};

struct cli_object {
	const char *name;
	const char *help;
	const struct cli_cmd *cmds;	/* NULL-terminated; NULL: a command itself */
	int (*run)(int argc, char **argv);
	const char *usage;	/* full usage for --help of a command-less object */
};

/* Print the usage of @obj to @f. */
void cli_object_usage(const struct cli_object *obj, FILE *f);
/* True when the first argument is -h or --help (main.c). */
int cli_wants_help(int argc, char **argv);
/* For a command without arguments: 0, or EXIT_USAGE after saying which
 * argument was not expected ("digestguard @who: ..."). */
int cli_no_args(const char *who, int argc, char **argv);
/* A repeated option's value @arg appended to @list (*@n of @max used): 0,
 * or -1 after "digestguard @who: more than @max --@opt". */
int cli_push_arg(const char *who, const char *opt, const char **list, int *n, int max,
		 const char *arg);
/*
 * getopt_long() (with a leading ':' in its option string) returned @c, ':'
 * or '?': says "digestguard @who: option '...' needs a value" or "...
 * unknown option '...'" and returns -1.
 */
int cli_getopt_failed(const char *who, int c, char **argv);
/*
 * An option of a table shared by several commands, given (@set) to
 * command @cmd but meant for @owner only: 0 when that is not so, else -1
 * after "digestguard @who: option '@opt' is for '@owner'".
 */
int cli_opt_only_for(const char *who, int set, const char *opt, const char *cmd,
		     const char *owner);
/* A library's message @why without its own leading "@name: ", for a line
 * that names @name already: say it once. */
const char *cli_without_name(const char *why, const char *name);
/* Length of the well-formed UTF-8 sequence at @s, 0 if none (json.c). */
size_t cli_utf8_seq(const unsigned char *s);
/* @s as a JSON string on @f: escapes, and U+FFFD for bytes that are not
 * UTF-8, so names with quotes, newlines or Latin-1 still give valid JSON. */
void cli_json_str(FILE *f, const char *s);

struct dg_rpm;
/* Load one --keyring file into @rpm, or say on stderr, for command @cmd,
 * why it gives no usable certificate (rpm.c).  The count or -errno. */
int cli_rpm_load_keyring(const char *cmd, struct dg_rpm *rpm, const char *file);
/* After all of them (@files, @n): 0 when the keyring holds a certificate,
 * else says so, naming the files, and returns -EBADMSG. */
int cli_rpm_keyrings_usable(const char *cmd, const struct dg_rpm *rpm,
			    const char *const *files, int n);

/*
 * OpenSSL (crypto.c).  main() calls cli_crypto_start() with when the
 * command wants it ready: NOW, before it runs (NOW_NAMES: with OpenSSL's
 * digest name table and error strings, for CMS); ON_USE, at its first OpenSSL
 * call (with a linked libcrypto: NOW, as it cannot wait); PRELOAD, when the
 * command calls cli_crypto_preload() to have it made ready on another
 * thread, then @warm run there, while it goes on (OpenSSL calls meanwhile
 * wait for it).  cli_crypto_load() makes it ready now.  A library that
 * cannot be loaded ends the process with 127 and the reason.
 */
enum cli_crypto_when { CLI_CRYPTO_NOW, CLI_CRYPTO_NOW_NAMES, CLI_CRYPTO_ON_USE, CLI_CRYPTO_PRELOAD };
void cli_crypto_start(enum cli_crypto_when when);
void cli_crypto_load(void);
void cli_crypto_preload(void (*warm)(void));
/* Load (deferred build) and initialise libcrypto; -1 with @msg on failure. */
int cli_crypto_open(uint64_t init_opts, char *msg, size_t msglen);

/* The files of an apt chain, as --keyring, --inrelease and --packages
 * name them (deb.c; `deb verify`, `deb digests`, `db import --deb`). */
struct cli_deb_chain {
	const char *const *keyrings;
	int n_keyrings;
	const char *const *inrelease;
	int n_inrelease;
	const char *const *release;	/* Release files, each with its FILE.gpg */
	int n_release;
	const char *const *packages;
	int n_packages;
	long long max_future;	/* seconds a Date may be ahead; -1: the default */
	int verbose;		/* each signer and Release entry on stderr */
};

/*
 * --max-future-time SECONDS: the number (0 to 10^10), or -1 after a
 * message naming @cmd and the value.
 */
long long cli_parse_max_future(const char *cmd, const char *arg);
/*
 * A deb context for command @cmd with the certificates of the keyrings
 * loaded (at least one usable) and the InRelease and Packages files
 * verified, in that order; or NULL after a message naming the file, with
 * *@code EXIT_FAIL when the files say no (no good signature, expired, not
 * listed) and EXIT_USAGE for a usage error, unreadable input or a fault.
 */
struct dg_deb;
struct dg_deb *cli_deb_open(const char *cmd, const struct cli_deb_chain *chain, int *code);

extern const struct cli_object cli_umd;
extern const struct cli_object cli_demo;
extern const struct cli_object cli_db;
extern const struct cli_object cli_enforce;
extern const struct cli_object cli_measure;
extern const struct cli_object cli_rpm;
extern const struct cli_object cli_pgp;
extern const struct cli_object cli_sopv;
extern const struct cli_object cli_deb;
extern const struct cli_object cli_bpf;

#endif

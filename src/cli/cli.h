/* SPDX-License-Identifier: MIT */
#ifndef DG_CLI_H
#define DG_CLI_H

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

struct dg_rpm;
/* Load one --keyring file into @rpm, or say on stderr, for command @cmd,
 * why it gives no usable certificate (rpm.c).  The count or -errno. */
int cli_rpm_load_keyring(const char *cmd, struct dg_rpm *rpm, const char *file);
/* After all of them (@files, @n): 0 when the keyring holds a certificate,
 * else says so, naming the files, and returns -EBADMSG. */
int cli_rpm_keyrings_usable(const char *cmd, const struct dg_rpm *rpm,
			    const char *const *files, int n);

extern const struct cli_object cli_umd;
extern const struct cli_object cli_demo;
extern const struct cli_object cli_db;
extern const struct cli_object cli_enforce;
extern const struct cli_object cli_measure;
extern const struct cli_object cli_rpm;
extern const struct cli_object cli_pgp;
extern const struct cli_object cli_sopv;

#endif

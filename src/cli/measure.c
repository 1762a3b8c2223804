// SPDX-License-Identifier: MIT
/* digestguard measure show | verify: IMA measurement logs (docs/enforcer.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "file.h"
#include "imalog.h"

/* A log bigger than this is refused rather than read. */
#define MEASURE_LOG_MAX ((size_t)4 << 30)

struct logbuf {
	const uint8_t *p;
	size_t n;
};

/*
 * Read the whole log (not mapped: the enforcer cuts back a half-written
 * entry with ftruncate(), and reading a mapping past the new end would kill
 * this process with SIGBUS).  Whole entries appended meanwhile are left for
 * the next run; a cut tail is just a shorter log.
 */
static int read_log(const char *cmd, const char *path, struct logbuf *m)
{
	char err[512];
	uint8_t *p;
	int r = dg_file_read_flags(path, MEASURE_LOG_MAX, DG_FILE_READ_SHRINK_OK, &p, &m->n, err,
				   sizeof(err));

	m->p = p;
	if (r < 0) {
		fprintf(stderr, "digestguard measure %s: %s\n", cmd, err);
		return -1;
	}
	return 0;
}

static void unread_log(struct logbuf *m)
{
	free((void *)m->p);
}

/*
 * A usage error of `measure @cmd`: @arg is an unknown option (@operand 0)
 * or one operand too many, or NULL when LOG is missing.  Returns EXIT_USAGE.
 */
static int arg_error(const char *cmd, const char *arg, int operand)
{
	if (!arg)
		fprintf(stderr, "digestguard measure %s: missing LOG\n", cmd);
	else if (operand)
		fprintf(stderr, "digestguard measure %s: unexpected argument '%s' (one LOG only)\n",
			cmd, arg);
	else
		fprintf(stderr, "digestguard measure %s: unknown option '%s'\n", cmd, arg);
	fprintf(stderr, "usage: digestguard measure %s\n", !strcmp(cmd, "show") ?
		"show [--json] LOG" : "verify [--json] LOG [--pcr HEX]");
	return EXIT_USAGE;
}

/*
 * The arguments of `measure @cmd`: one LOG (to @path), --json, and, when
 * @pcr is not NULL, --pcr HEX (or --pcr=HEX); `--` ends the options.
 * Returns 0 or EXIT_USAGE (the reason printed).
 */
static int parse_args(const char *cmd, int argc, char **argv, const char **path, int *json,
		      const char **pcr)
{
	int dashdash = 0, i;

	*path = NULL;
	*json = 0;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (dashdash || a[0] != '-' || !a[1]) {
			if (*path)
				return arg_error(cmd, a, 1);
			*path = a;
		} else if (!strcmp(a, "--")) {
			dashdash = 1;
		} else if (!strcmp(a, "--json")) {
			*json = 1;
		} else if (pcr && !strncmp(a, "--pcr=", 6)) {	/* --opt=VALUE, as elsewhere */
			*pcr = a + 6;
		} else if (pcr && !strcmp(a, "--pcr")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "digestguard measure verify: option '--pcr' needs a value\n"
					"usage: digestguard measure verify [--json] LOG [--pcr HEX]\n");
				return EXIT_USAGE;
			}
			*pcr = argv[++i];
		} else {
			return arg_error(cmd, a, 0);
		}
	}
	return *path ? 0 : arg_error(cmd, NULL, 0);
}

static int cmd_show(int argc, char **argv)
{
	const char *path;
	struct logbuf m;
	struct dg_cur c;
	uint64_t n = 0;
	int json, r = 0;

	if (parse_args("show", argc, argv, &path, &json, NULL))
		return EXIT_USAGE;
	if (read_log("show", path, &m) < 0)
		return EXIT_USAGE;
	c = cur_init(m.p, m.n);
	if (json)
		printf("[");
	while (c.len) {
		struct dg_ima_entry e;
		char msg[256], t[41], d[2 * DG_IMA_DIGEST_MAX + 1];

		r = dg_ima_next(&c, &e, msg, sizeof(msg));
		if (r < 0) {
			fflush(stdout);
			fprintf(stderr, "digestguard measure show: %s: entry %llu at offset %zu: %s\n",
				path, (unsigned long long)n + 1, cur_off(&c, m.p), msg);
			break;
		}
		n++;
		if (!json) {
			dg_ima_print_ascii(stdout, &e);
			continue;
		}
		dg_hex(t, e.tdigest, 20);
		dg_hex(d, e.digest, e.digest_len);
		printf("%s\n {\"pcr\": %u, \"template_hash\": \"sha1:%s\", \"template\": \"%s\", "
		       "\"digest\": \"%s:%s\", \"path\": ", n > 1 ? "," : "", e.pcr, t, e.tname,
		       e.algo, d);
		cli_json_str(stdout, e.path);	/* one NUL-terminated string (imalog.c) */
		printf("}");
	}
	if (json)
		printf("%s]\n", n ? "\n" : "");
	unread_log(&m);
	return r < 0 ? EXIT_USAGE : EXIT_OK;
}

static int cmd_verify(int argc, char **argv)
{
	const char *path = NULL, *want_hex = NULL;
	uint8_t pcr[32], want[32];
	char hex[65], msg[512];
	struct logbuf m;
	uint64_t n, k = 0;
	int json, prefix = 0, r;

	if (parse_args("verify", argc, argv, &path, &json, &want_hex))
		return EXIT_USAGE;
	if (want_hex && dg_unhex(want, sizeof(want), want_hex) < 0) {
		fprintf(stderr, "digestguard measure verify: --pcr needs 64 hex digits (SHA-256 "
			"bank), got '%s'\n", want_hex);
		return EXIT_USAGE;
	}
	if (read_log("verify", path, &m) < 0)
		return EXIT_USAGE;
	r = dg_ima_replay(m.p, m.n, pcr, &n, NULL, msg, sizeof(msg));
	/* A value that differs: is it the log's state after fewer entries
	 * (a TPM behind the log, or reset: none)?  Or none of its states? */
	prefix = r == 0 && want_hex && memcmp(pcr, want, 32) &&
		 dg_ima_replay_prefix(m.p, m.n, want, &k);
	unread_log(&m);
	if (r < 0) {
		fprintf(stderr, "digestguard measure verify: %s: %s\n", path, msg);
		return EXIT_FAIL;
	}
	dg_hex(hex, pcr, 32);
	if (json) {
		printf("{\"entries\": %llu, \"pcr\": 10, \"bank\": \"sha256\", \"value\": \"%s\"",
		       (unsigned long long)n, hex);
		if (want_hex)
			printf(", \"match\": %s", memcmp(pcr, want, 32) ? "false" : "true");
		if (prefix)
			printf(", \"matches_after_entries\": %llu", (unsigned long long)k);
		printf("}\n");
	} else {
		printf("%s: %llu entr%s, template digests OK\nPCR-10 sha256: %s\n", path,
		       (unsigned long long)n, n == 1 ? "y" : "ies", hex);
	}
	if (want_hex && memcmp(pcr, want, 32)) {
		if (!json && prefix && k == 0)
			printf("PCR-10 MISMATCH: expected %s\n  all zeros: nothing was "
			       "extended (a TPM reset, or another one)\n", want_hex);
		else if (!json && prefix)
			printf("PCR-10 MISMATCH: expected %s\n  the log gives it after its first %llu "
			       "of %llu entries: the PCR is %llu behind the log\n", want_hex,
			       (unsigned long long)k, (unsigned long long)n,
			       (unsigned long long)(n - k));
		else if (!json)
			printf("PCR-10 MISMATCH: expected %s\n  no prefix of the log gives it: "
			       "entries are missing from the log, or it is another log's or "
			       "TPM's value\n", want_hex);
		return EXIT_FAIL;
	}
	if (want_hex && !json)
		printf("PCR-10 matches\n");
	return EXIT_OK;
}

static const struct cli_cmd measure_cmds[] = {
	{ "show", "[--json] LOG", "print an IMA binary log like ascii_runtime_measurements",
	  cmd_show },
	{ "verify", "[--json] LOG [--pcr HEX]",
	  "replay the log, check template digests, print PCR 10 (sha256); exit 1 if --pcr differs",
	  cmd_verify },
	{ NULL, NULL, NULL, NULL },
};

const struct cli_object cli_measure = {
	"measure", "IMA measurement logs: show, verify", measure_cmds, NULL, NULL,
};

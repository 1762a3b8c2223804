// SPDX-License-Identifier: MIT
/* digestguard enforce: fanotify execution enforcer (docs/enforcer.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <digestguard/db.h>

#include "cli.h"
#include "enforcer.h"

static const char enforce_usage[] =
	"usage: digestguard enforce --state DIR --mark PATH... [--mark-filesystem PATH]\n"
	"         [--mode audit|enforce] [--on-error deny|allow] [--allow-empty]\n"
	"         [--measure LOG [--tpm TCTI]] [--log FILE] [--libs] [--scripts]\n"
	"         [--hash-max BYTES] [--event-timeout MS]\n"
	"       digestguard enforce help\n"
	"Options may come in any order; --opt VALUE and --opt=VALUE are the same.\n"
	"  --state DIR            state directory with the digest database (default\n"
	"                         $DIGESTGUARD_STATE or " DG_DB_STATE_DEFAULT "); it must\n"
	"                         exist and hold a generation ('digestguard db import')\n"
	"  --mark PATH...         a mount point (whole mount, in every mount namespace),\n"
	"                         a directory (its entries, not subdirectories) or a\n"
	"                         file; may be repeated\n"
	"  --mark-filesystem PATH the whole filesystem holding PATH (every mount of it)\n"
	"  --mode MODE            enforce (default): deny what is not allowlisted;\n"
	"                         audit: log, always allow\n"
	"  --on-error deny|allow  answer when hashing or the lookup fails (default deny)\n"
	"  --allow-empty          start even though DIR holds no usable database (every\n"
	"                         checked access then gets the --on-error answer until\n"
	"                         one is imported); without it that is refused, except\n"
	"                         with --mode audit, which only warns\n"
	"  --measure LOG          IMA-format measurement log (ima-ng, sha256, PCR 10);\n"
	"                         LOG.pcrs holds the PCR values for evmctl --pcrs\n"
	"  --tpm TCTI             also extend a TPM's PCR 10 (tpm2-tss TCTI, e.g.\n"
	"                         device:/dev/tpmrm0 or swtpm:host=127.0.0.1,port=2321);\n"
	"                         needs --measure\n"
	"  --log FILE             one line per decision (every exec is then decided;\n"
	"                         without it, and with only mount or filesystem marks,\n"
	"                         repeated execs of unchanged root-owned files are\n"
	"                         answered by the kernel: docs/enforcer.md)\n"
	"  --libs                 also check ELF files any process opens (shared libraries)\n"
	"  --scripts              also check #! files and files interpreters open\n"
	"  --hash-max BYTES       files larger than this are not hashed: the --on-error\n"
	"                         answer applies (default 4294967296, 4 GiB)\n"
	"  --event-timeout MS     a worker busy longer than this on one event is killed\n"
	"                         and the events it had not answered get the mode's answer\n"
	"                         (deny, audit: allow); 100..3600000, default 10000\n"
	"Prints \"ready\" once the marks are in place; SIGTERM/SIGINT stop it.\n"
	"Exit status: 0 after a clean stop; 2 usage error, unusable --mark, another\n"
	"instance; 1 no database in DIR, other start-up failures.\n";

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		return -EINVAL;
	*v = x;
	return 0;
}

/* The synopsis, not the whole help: the error line stays in sight. */
static int usage_error(const char *fmt, const char *arg)
{
	const char *opts = strstr(enforce_usage, "Options may come");

	fprintf(stderr, "digestguard enforce: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%.*s(options: digestguard enforce --help)\n",
		opts ? (int)(opts - enforce_usage) : 0, enforce_usage);
	return EXIT_USAGE;
}

/* Exit status for a negative errno from the enforcer (its message is out):
 * the caller's mistakes (a path that cannot be used as given: missing, a
 * directory, a symbolic link) are usage errors. */
static int run_status(int r)
{
	if (r == -EBUSY || r == -EPERM || r == -ENOENT || r == -EINVAL || r == -ENOTDIR ||
	    r == -EISDIR || r == -ELOOP)
		return EXIT_USAGE;
	return r < 0 ? EXIT_FAIL : EXIT_OK;
}

static int add_mark(struct dg_enf_config *cfg, const char *path, enum dg_enf_mark_kind kind)
{
	if (!path[0])
		return usage_error("%s", "--mark: empty path");
	if (cfg->nmarks == DG_ENF_MARKS_MAX)
		return usage_error("too many marks (limit 64) at %s", path);
	cfg->marks[cfg->nmarks].path = path;
	cfg->marks[cfg->nmarks++].kind = kind;
	return 0;
}

/*
 * A mistyped --state used to be created empty, and then every exec on the
 * marked mounts was denied ("database lookup: No such file or directory")
 * after a cheerful "ready".  So the state directory must exist and hold a
 * generation that opens; without one we refuse to start, unless the
 * operator says so (--allow-empty) or nothing is denied anyway (audit).
 * Returns 0 to go on, else the exit status.
 */
static int check_database(const struct dg_enf_config *cfg, int allow_empty)
{
	struct dg_db *db;
	struct stat st;
	char msg[512];
	const char *dir = cfg->state_dir;
	int r, e;

	/* The command that fills this directory: `db import` alone would use
	 * $DIGESTGUARD_STATE or the default, so name any other with --state. */
	const char *state_opt = strcmp(dir, dg_db_state_dir(NULL)) ? " --state " : "";
	const char *state_arg = *state_opt ? dir : "";

	e = stat(dir, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
	if (e) {
		/* Never created here: the lock lives in it, and creating a typo
		 * is what hid the mistake. */
		fprintf(stderr, "digestguard enforce: no database in %s: %s (run "
			"'digestguard db import%s%s' first)\n", dir, strerror(e), state_opt,
			state_arg);
		return EXIT_FAIL;
	}
	r = dg_db_open(dir, &db, msg, sizeof(msg));
	if (r == 0) {
		dg_db_close(db);
		return 0;
	}
	if (r == -ENOENT)
		snprintf(msg, sizeof(msg), "no database in %s (run 'digestguard db import%s%s' first)",
			 dir, state_opt, state_arg);
	if (!allow_empty && !cfg->audit) {
		fprintf(stderr, "digestguard enforce: %s\n"
			"digestguard enforce: refusing to start: every checked exec would be %s; "
			"give --allow-empty to start anyway, or --mode audit\n", msg,
			cfg->on_error_allow ? "allowed (--on-error allow)" : "denied");
		return EXIT_FAIL;
	}
	fprintf(stderr, "digestguard enforce: WARNING: %s\n"
		"digestguard enforce: WARNING: starting without a database (%s): until a "
		"generation appears every checked access is %s\n", msg,
		allow_empty ? "--allow-empty" : "--mode audit",
		cfg->audit ? "logged as a would-be denial and allowed" :
		cfg->on_error_allow ? "allowed (--on-error allow)" : "denied (--on-error deny)");
	return 0;
}

static int cmd_enforce(int argc, char **argv)
{
	struct dg_enf_config cfg = {
		.hash_max = DG_ENF_HASH_MAX_DEFAULT,
		.event_timeout_ms = DG_ENF_EVENT_TIMEOUT_MS,
	};
	const char *state = NULL;
	int allow_empty = 0;
	int i, r;

	if (argc == 2 && !strcmp(argv[1], "help")) {
		fputs(enforce_usage, stdout);
		return EXIT_OK;
	}
	for (i = 1; i < argc; i++) {
		char name[32];
		const char *a = argv[i], *v, *eq;
		uint64_t n;

		if (a[0] != '-' || !a[1] || (a[1] == '-' && !a[2]))
			return usage_error("unexpected argument '%s'", a);
		if (a[1] != '-')
			return usage_error("unknown option '%s'", a);
		/* --opt=VALUE is --opt VALUE (as in db and measure). */
		eq = strchr(a, '=');
		if (eq && (size_t)(eq - a) >= sizeof(name))
			return usage_error("unknown option '%s'", a);
		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - a) : (int)sizeof(name) - 1,
			 a);
		if (!strcmp(name, "--libs") || !strcmp(name, "--scripts") ||
		    !strcmp(name, "--allow-empty")) {
			if (eq)
				return usage_error("%s takes no value", name);
			if (name[2] == 'l')
				cfg.libs = 1;
			else if (name[2] == 's')
				cfg.scripts = 1;
			else
				allow_empty = 1;
			continue;
		}
		if (strcmp(name, "--state") && strcmp(name, "--mark") &&
		    strcmp(name, "--mark-filesystem") && strcmp(name, "--mode") &&
		    strcmp(name, "--on-error") && strcmp(name, "--measure") &&
		    strcmp(name, "--tpm") && strcmp(name, "--log") &&
		    strcmp(name, "--hash-max") && strcmp(name, "--event-timeout"))
			return usage_error("unknown option '%s'", a);
		if (eq) {
			v = eq + 1;
		} else {
			if (i + 1 >= argc)
				return usage_error("%s needs a value", name);
			v = argv[++i];
		}
		if (!v[0])
			return usage_error("%s: empty value", name);
		if (!strcmp(name, "--state")) {
			state = v;
		} else if (!strcmp(name, "--mark") || !strcmp(name, "--mark-filesystem")) {
			int fs = name[6] != '\0';

			if ((r = add_mark(&cfg, v, fs ? DG_MARK_FILESYSTEM : DG_MARK_AUTO)))
				return r;
			/* --mark PATH... takes every following non-option. */
			while (!fs && i + 1 < argc && argv[i + 1][0] != '-')
				if ((r = add_mark(&cfg, argv[++i], DG_MARK_AUTO)))
					return r;
		} else if (!strcmp(name, "--mode")) {
			if (!strcmp(v, "audit"))
				cfg.audit = 1;
			else if (!strcmp(v, "enforce"))
				cfg.audit = 0;
			else
				return usage_error("--mode must be audit or enforce, not '%s'", v);
		} else if (!strcmp(name, "--on-error")) {
			if (!strcmp(v, "allow"))
				cfg.on_error_allow = 1;
			else if (!strcmp(v, "deny"))
				cfg.on_error_allow = 0;
			else
				return usage_error("--on-error must be deny or allow, not '%s'", v);
		} else if (!strcmp(name, "--measure")) {
			cfg.measure_path = v;
		} else if (!strcmp(name, "--tpm")) {
			cfg.tpm_tcti = v;
		} else if (!strcmp(name, "--log")) {
			cfg.log_path = v;
		} else if (!strcmp(name, "--hash-max")) {
			if (parse_u64(v, &cfg.hash_max) < 0 || !cfg.hash_max)
				return usage_error("--hash-max: bad size '%s'", v);
		} else {	/* --event-timeout */
			if (parse_u64(v, &n) < 0 || n < 100 || n > 3600000)
				return usage_error("--event-timeout: '%s' is not 100..3600000 ms", v);
			cfg.event_timeout_ms = (unsigned)n;
		}
	}
	if (cfg.tpm_tcti && !cfg.measure_path)
		return usage_error("%s", "--tpm needs --measure LOG");
	if (!cfg.nmarks)
		return usage_error("%s", "nothing to watch: give --mark PATH");
	cfg.state_dir = dg_db_state_dir(state);
	/* Marks first: a bad --mark is a usage error whatever the state. */
	r = dg_enforcer_check_marks(&cfg);
	if (r == 0) {
		r = check_database(&cfg, allow_empty);
		if (r)
			return r;
		r = dg_enforcer_run(&cfg);
	}
	return run_status(r);
}

const struct cli_object cli_enforce = {
	"enforce",
	"execution enforcer (fanotify): allow only allowlisted executables on marked paths",
	NULL, cmd_enforce, enforce_usage,
};

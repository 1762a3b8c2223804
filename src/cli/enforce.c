// SPDX-License-Identifier: MIT
/* digestguard enforce: fanotify execution enforcer (docs/enforcer.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <digestguard/db.h>

#include "cli.h"
#include "enforcer.h"

static const char enforce_usage[] =
	"usage: digestguard enforce --state DIR --mark PATH... [--mark-filesystem PATH]\n"
	"         [--mode audit|enforce] [--on-error deny|allow] [--measure LOG]\n"
	"         [--tpm TCTI] [--log FILE] [--libs] [--scripts] [--hash-max BYTES]\n"
	"         [--event-timeout MS]\n"
	"  --mark PATH            a mount point (whole mount) or a directory (its entries)\n"
	"  --mark-filesystem PATH the whole filesystem holding PATH\n"
	"  --mode                 enforce (default): deny what is not allowlisted;\n"
	"                         audit: log, always allow\n"
	"  --on-error             when hashing or the lookup fails (default deny)\n"
	"  --measure LOG          IMA-format measurement log (ima-ng, sha256, PCR 10);\n"
	"                         LOG.pcrs holds the PCR values for evmctl --pcrs\n"
	"  --tpm TCTI             also extend a TPM's PCR 10 (tpm2-tss TCTI, e.g.\n"
	"                         device:/dev/tpmrm0 or swtpm:host=127.0.0.1,port=2321)\n"
	"  --log FILE             one line per decision\n"
	"  --libs                 also check ELF files any process opens (shared libraries)\n"
	"  --scripts              also check #! files and files interpreters open\n"
	"Prints \"ready\" once the marks are in place; SIGTERM/SIGINT stop it.\n";

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

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "digestguard enforce: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", enforce_usage);
	return EXIT_USAGE;
}

static int cmd_enforce(int argc, char **argv)
{
	struct dg_enf_config cfg = {
		.hash_max = DG_ENF_HASH_MAX_DEFAULT,
		.event_timeout_ms = DG_ENF_EVENT_TIMEOUT_MS,
	};
	const char *state = NULL;
	int i, r;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t n;

		if (!strcmp(a, "--libs")) {
			cfg.libs = 1;
			continue;
		}
		if (!strcmp(a, "--scripts")) {
			cfg.scripts = 1;
			continue;
		}
		if (a[0] != '-' || a[1] != '-')
			return usage_error("unexpected argument '%s'", a);
		if (!v)
			return usage_error("%s needs a value", a);
		i++;
		if (!strcmp(a, "--state")) {
			state = v;
		} else if (!strcmp(a, "--mark") || !strcmp(a, "--mark-filesystem")) {
			if (cfg.nmarks == DG_ENF_MARKS_MAX)
				return usage_error("too many marks (limit 64) at %s", v);
			cfg.marks[cfg.nmarks].path = v;
			cfg.marks[cfg.nmarks++].kind = a[6] ? DG_MARK_FILESYSTEM : DG_MARK_AUTO;
			/* --mark PATH... takes every following non-option. */
			while (a[6] == '\0' && i + 1 < argc && argv[i + 1][0] != '-') {
				if (cfg.nmarks == DG_ENF_MARKS_MAX)
					return usage_error("too many marks (limit 64) at %s",
							   argv[i + 1]);
				cfg.marks[cfg.nmarks].path = argv[++i];
				cfg.marks[cfg.nmarks++].kind = DG_MARK_AUTO;
			}
		} else if (!strcmp(a, "--mode")) {
			if (!strcmp(v, "audit"))
				cfg.audit = 1;
			else if (strcmp(v, "enforce"))
				return usage_error("--mode must be audit or enforce, not '%s'", v);
		} else if (!strcmp(a, "--on-error")) {
			if (!strcmp(v, "allow"))
				cfg.on_error_allow = 1;
			else if (strcmp(v, "deny"))
				return usage_error("--on-error must be deny or allow, not '%s'", v);
		} else if (!strcmp(a, "--measure")) {
			cfg.measure_path = v;
		} else if (!strcmp(a, "--tpm")) {
			cfg.tpm_tcti = v;
		} else if (!strcmp(a, "--log")) {
			cfg.log_path = v;
		} else if (!strcmp(a, "--hash-max")) {
			if (parse_u64(v, &cfg.hash_max) < 0 || !cfg.hash_max)
				return usage_error("--hash-max: bad size '%s'", v);
		} else if (!strcmp(a, "--event-timeout")) {
			if (parse_u64(v, &n) < 0 || n < 100 || n > 3600000)
				return usage_error("--event-timeout: '%s' is not 100..3600000 ms", v);
			cfg.event_timeout_ms = (unsigned)n;
		} else {
			return usage_error("unknown option '%s'", a);
		}
	}
	if (cfg.tpm_tcti && !cfg.measure_path)
		return usage_error("%s", "--tpm needs --measure LOG");
	if (!cfg.nmarks)
		return usage_error("%s", "nothing to watch: give --mark PATH");
	cfg.state_dir = dg_db_state_dir(state);
	r = dg_enforcer_run(&cfg);
	if (r == -EBUSY || r == -EPERM || r == -ENOENT || r == -EINVAL || r == -ENOTDIR)
		return EXIT_USAGE;
	return r < 0 ? EXIT_FAIL : EXIT_OK;
}

const struct cli_object cli_enforce = {
	"enforce",
	"execution enforcer (fanotify): allow only allowlisted executables on marked paths",
	NULL, cmd_enforce, enforce_usage,
};

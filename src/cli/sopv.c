// SPDX-License-Identifier: MIT
/*
 * digestguard sopv version | verify | inline-verify — the verification-only
 * subset of the Stateless OpenPGP CLI ("sopv 1.0"), with SOP exit codes.
 * Also run as `dg-sopv` (argv[0]).  Parsing happens in the sandboxed pgp
 * handler; the trusted core verifies (include/digestguard/pgp.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <digestguard/pgp.h>

#include "cli.h"
#include "log.h"

#ifndef DG_VERSION
#define DG_VERSION "unknown"
#endif

/* SOP exit codes (draft-dkg-openpgp-stateless-cli, "Failure Modes"). */
#define SOP_OK 0
#define SOP_GENERIC 1
#define SOP_NO_SIGNATURE 3
#define SOP_MISSING_ARG 19
#define SOP_UNSUPPORTED_OPTION 37
#define SOP_BAD_DATA 41
#define SOP_OUTPUT_EXISTS 59
#define SOP_MISSING_INPUT 61
#define SOP_UNSUPPORTED_SUBCOMMAND 69

/* Largest input read into memory (signatures, certificates, messages). */
#define SOPV_INPUT_MAX (64u << 20)

#define SOP_SPEC "draft-dkg-openpgp-stateless-cli-11"

static const char sopv_usage[] =
	"usage: digestguard sopv version [--extended|--backend|--sop-spec|--sopv]\n"
	"       digestguard sopv verify [--not-before=DATE] [--not-after=DATE] [--]"
	" SIGNATURES CERTS... <DATA\n"
	"       digestguard sopv inline-verify [--not-before=DATE] [--not-after=DATE]\n"
	"                   [--verifications-out=FILE] [--] CERTS... <MESSAGE\n"
	"       (also installed as dg-sopv)\n"
	"DATE: ISO 8601 (2024-01-31T12:00:00Z), 'now', or '-' (beginning/end of time).\n"
	"Inputs may be @FD:N or @ENV:NAME.  VERIFICATIONS lines:\n"
	"  TIMESTAMP SIGNING-FPR PRIMARY-FPR mode:binary|text\n"
	"Exit: 0 ok, 3 no valid signature, 19 missing argument, 37 unsupported option,\n"
	"41 bad data, 59 output exists, 61 missing input, 69 unsupported subcommand.\n"
	"  -v (before sopv) prints the policy and why each signature failed.";

static int sopv_err(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int sopv_err(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("sopv: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

/* Read all of @fd (at most SOPV_INPUT_MAX bytes). */
static int read_fd(int fd, uint8_t **out, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	uint8_t *b = malloc(cap);
	ssize_t r;

	if (!b)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			uint8_t *nb;

			if (cap >= SOPV_INPUT_MAX) {
				free(b);
				return -E2BIG;
			}
			cap *= 2;
			nb = realloc(b, cap);
			if (!nb) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(b);
			return -errno;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*out = b;
	*len = n;
	return 0;
}

/* Open an input designator: a path, @FD:N, or @ENV:NAME (read into memory). */
static int read_input(const char *name, uint8_t **out, size_t *len)
{
	int fd, r;

	if (!strncmp(name, "@ENV:", 5)) {
		const char *v = getenv(name + 5);

		if (!v)
			return -ENOENT;
		*len = strlen(v);
		*out = malloc(*len + 1);
		if (!*out)
			return -ENOMEM;
		memcpy(*out, v, *len + 1);
		return 0;
	}
	if (!strncmp(name, "@FD:", 4)) {
		char *end;
		long v = strtol(name + 4, &end, 10);

		if (*end || v < 0 || v > INT_MAX)
			return -ENOENT;
		return read_fd((int)v, out, len);
	}
	fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = read_fd(fd, out, len);
	close(fd);
	return r;
}

static int days_from_civil(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* ISO 8601: YYYY-MM-DD[THH:MM[:SS][.frac]][Z|+HH:MM|-HH:MM], also compact
 * YYYYMMDDTHHMMSSZ; "now"; "-" for @dash. */
static int parse_date(const char *s, int64_t dash, int64_t *out)
{
	int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0, n = 0, oh = 0, om = 0;
	const char *p;
	int64_t t;

	if (!strcmp(s, "-")) {
		*out = dash;
		return 0;
	}
	if (!strcmp(s, "now")) {
		*out = (int64_t)time(NULL);
		return 0;
	}
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 &&
	    sscanf(s, "%4d%2d%2d%n", &y, &mo, &d, &n) != 3)
		return -EINVAL;
	p = s + n;
	if (*p == 'T' || *p == ' ') {
		p++;
		n = 0;
		if (sscanf(p, "%2d:%2d%n", &h, &mi, &n) == 2) {
			p += n;
			if (*p == ':' && sscanf(p + 1, "%2d%n", &se, &n) == 1)
				p += 1 + n;
		} else if (sscanf(p, "%2d%2d%2d%n", &h, &mi, &se, &n) == 3) {
			p += n;
		} else {
			return -EINVAL;
		}
		if (*p == '.' || *p == ',')
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;

		n = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) != 2 &&
		    sscanf(p + 1, "%2d%2d%n", &oh, &om, &n) != 2)
			return -EINVAL;
		p += 1 + n;
		oh *= sign;
		om *= sign;
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -EINVAL;
	t = (int64_t)days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	*out = t - oh * 3600 - om * 60;
	return 0;
}

static void print_verifications(FILE *f, const struct dg_pgp_result *res)
{
	char a[2 * DG_PGP_FPR_MAX + 1], b[2 * DG_PGP_FPR_MAX + 1], ts[32];
	size_t i;

	for (i = 0; i < res->n_sigs; i++) {
		const struct dg_pgp_sig *s = &res->sigs[i];
		time_t t = (time_t)s->created;
		struct tm tm;

		if (s->status)
			continue;
		gmtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		dg_pgp_fpr_hex(s->signer_fpr, s->fpr_len, a);
		dg_pgp_fpr_hex(s->primary_fpr, s->fpr_len, b);
		fprintf(f, "%s %s %s mode:%s\n", ts, a, b,
			s->mode == DG_PGP_MODE_TEXT ? "text" : "binary");
	}
}

static void print_failures(const struct dg_pgp_result *res, int always)
{
	char hex[2 * DG_PGP_FPR_MAX + 1];
	size_t i;

	for (i = 0; i < res->n_sigs; i++) {
		const struct dg_pgp_sig *s = &res->sigs[i];

		if (!s->status || (!always && !dg_verbose))
			continue;
		dg_pgp_fpr_hex(s->issuer, s->issuer_len, hex);
		fprintf(stderr, "sopv: signature %zu (v%d %s/%s, issuer %s): %s\n", i + 1,
			s->version, dg_pgp_pk_algo_name(s->pk_algo),
			dg_pgp_hash_algo_name(s->hash_algo), s->issuer_len ? hex : "none",
			s->reason);
	}
}

/* Map a library error to a SOP exit code. */
static int sop_code(int r, const struct dg_pgp_result *res)
{
	if (res && res->n_sigs)
		return SOP_NO_SIGNATURE;
	switch (-r) {
	case EBADMSG: case ENODATA: case E2BIG: case EOPNOTSUPP:
		return SOP_BAD_DATA;
	case EKEYREJECTED: case ENOKEY:
		return SOP_NO_SIGNATURE;
	default:
		return SOP_GENERIC;
	}
}

struct opts {
	int64_t not_before, not_after;
	const char *verif_out;
	int first_arg;
};

/* Parse options of verify/inline-verify; returns 0 or an exit code. */
static int parse_opts(int argc, char **argv, int allow_out, struct opts *o)
{
	int i;

	o->not_before = INT64_MIN;
	o->not_after = (int64_t)time(NULL);
	o->verif_out = NULL;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		int64_t *dst = NULL, dash = 0;

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (strncmp(a, "--", 2) || !a[2])
			break;
		if (!strncmp(a, "--not-before", 12)) {
			dst = &o->not_before;
			dash = INT64_MIN;
			v = a + 12;
		} else if (!strncmp(a, "--not-after", 11)) {
			dst = &o->not_after;
			dash = INT64_MAX;
			v = a + 11;
		} else if (allow_out && !strncmp(a, "--verifications-out", 19)) {
			v = a + 19;
		} else if (!strcmp(a, "--debug")) {
			dg_verbose++;
			continue;
		} else {
			return sopv_err(SOP_UNSUPPORTED_OPTION, "unsupported option '%s'", a);
		}
		if (*v == '=') {
			v++;
		} else if (*v == '\0') {
			if (i + 1 >= argc)
				return sopv_err(SOP_MISSING_ARG, "option '%s' needs a value", a);
			v = argv[++i];
		} else {
			return sopv_err(SOP_UNSUPPORTED_OPTION, "unsupported option '%s'", a);
		}
		if (!dst) {
			o->verif_out = v;
		} else if (parse_date(v, dash, dst) < 0) {
			return sopv_err(SOP_GENERIC, "malformed ISO 8601 date '%s'", v);
		}
	}
	o->first_arg = i;
	return 0;
}

/* Load every CERTS argument into @pgp; returns 0 or an exit code. */
static int load_certs(struct dg_pgp *pgp, int argc, char **argv, int from)
{
	int i, r;

	for (i = from; i < argc; i++) {
		uint8_t *buf = NULL;
		size_t len = 0;

		r = read_input(argv[i], &buf, &len);
		if (r < 0)
			return sopv_err(r == -E2BIG ? SOP_BAD_DATA : SOP_MISSING_INPUT,
					"%s: %s", argv[i], strerror(-r));
		r = dg_pgp_keyring_add_mem(pgp, argv[i], buf, len);
		free(buf);
		if (r < 0)
			return sopv_err(sop_code(r, NULL), "%s", dg_pgp_last_error(pgp));
		if (r == 0 && dg_verbose)
			fprintf(stderr, "sopv: %s: no usable certificate (%s)\n", argv[i],
				dg_pgp_last_error(pgp));
	}
	return 0;
}

/*
 * sopv exits right after a command: leave the handler to the kernel (it has
 * PR_SET_PDEATHSIG SIGKILL and sees its channel close) instead of killing
 * and reaping it here, which costs milliseconds per run.  Sanitizer builds
 * free everything so leak checks stay meaningful.
 */
static void release_ctx(struct dg_pgp *pgp)
{
#if defined(__SANITIZE_ADDRESS__)
	dg_pgp_free(pgp);
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	dg_pgp_free(pgp);
#else
	(void)pgp;
#endif
#else
	(void)pgp;
#endif
}

static struct dg_pgp *new_ctx(const struct opts *o)
{
	struct dg_pgp_policy pol;
	struct dg_pgp *pgp;
	char desc[512];

	if (dg_pgp_new(&pgp) < 0)
		return NULL;
	/* Errors resurface, with context, at the first parse. */
	(void)dg_pgp_prestart(pgp);
	dg_pgp_get_policy(pgp, &pol);
	pol.not_before = o->not_before;
	pol.not_after = o->not_after;
	dg_pgp_set_policy(pgp, &pol);
	if (dg_verbose) {
		dg_pgp_policy_describe(&pol, desc, sizeof(desc));
		fprintf(stderr, "sopv: %s\n", desc);
	}
	return pgp;
}

static int cmd_verify(int argc, char **argv)
{
	struct dg_pgp_result res = { 0 };
	struct dg_pgp *pgp;
	struct opts o;
	uint8_t *sig = NULL;
	size_t sig_len = 0;
	int r, code;

	if ((code = parse_opts(argc, argv, 0, &o)))
		return code;
	if (argc - o.first_arg < 1)
		return sopv_err(SOP_MISSING_ARG, "verify needs SIGNATURES and CERTS");
	if (argc - o.first_arg < 2)
		return sopv_err(SOP_MISSING_ARG, "verify needs at least one CERTS file");
	pgp = new_ctx(&o);
	if (!pgp)
		return SOP_GENERIC;
	r = read_input(argv[o.first_arg], &sig, &sig_len);
	if (r < 0) {
		code = sopv_err(r == -E2BIG ? SOP_BAD_DATA : SOP_MISSING_INPUT, "%s: %s",
				argv[o.first_arg], strerror(-r));
	} else {
		/* Use the handler's start-up time to hash the data. */
		size_t ahead = dg_pgp_prehash_fd(pgp, STDIN_FILENO);

		if (dg_verbose)
			fprintf(stderr, "sopv: hashed %zu bytes of the data while the handler started\n",
				ahead);
		code = load_certs(pgp, argc, argv, o.first_arg + 1);
	}
	if (!code) {
		r = dg_pgp_verify_detached_fd(pgp, sig, sig_len, STDIN_FILENO, &res);
		if (r == 0) {
			print_verifications(stdout, &res);
			code = fflush(stdout) ? SOP_GENERIC : SOP_OK;
			print_failures(&res, 0);
		} else {
			code = sop_code(r, &res);
			print_failures(&res, 1);
			sopv_err(code, "%s", dg_pgp_last_error(pgp));
		}
	}
	dg_pgp_result_free(&res);
	release_ctx(pgp);
	free(sig);
	return code;
}

/* SOP refuses to overwrite an output file (OUTPUT_EXISTS): check early. */
static int check_output(const char *name)
{
	if (strncmp(name, "@FD:", 4) && access(name, F_OK) == 0)
		return sopv_err(SOP_OUTPUT_EXISTS, "%s: output file already exists", name);
	return 0;
}

/*
 * Write the VERIFICATIONS to @name: @FD:N directly; a path as a temporary
 * file in the same directory, fsync'ed, then link()ed into place, which
 * fails rather than overwrite a file that appeared meanwhile.
 */
static int write_output(const char *name, const struct dg_pgp_result *res)
{
	char tmp[PATH_MAX];
	const char *slash;
	FILE *f;
	int fd, r;

	if (!strncmp(name, "@FD:", 4)) {
		char *end;
		long v = strtol(name + 4, &end, 10);

		if (*end || v < 0 || v > INT_MAX || (fd = dup((int)v)) < 0 || !(f = fdopen(fd, "w")))
			return sopv_err(SOP_GENERIC, "%s: cannot write", name);
		print_verifications(f, res);
		return fclose(f) ? sopv_err(SOP_GENERIC, "%s: %s", name, strerror(errno)) : 0;
	}
	slash = strrchr(name, '/');
	snprintf(tmp, sizeof(tmp), "%.*s.dg-sopv.XXXXXX", slash ? (int)(slash - name + 1) : 0, name);
	fd = mkstemp(tmp);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		r = errno;
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return sopv_err(SOP_GENERIC, "%s: %s", name, strerror(r));
	}
	print_verifications(f, res);
	r = fflush(f) || fsync(fileno(f)) ? errno : 0;
	if (fclose(f) && !r)
		r = errno;
	if (!r && link(tmp, name) < 0)
		r = errno;
	unlink(tmp);
	if (r == EEXIST)
		return sopv_err(SOP_OUTPUT_EXISTS, "%s: output file already exists", name);
	return r ? sopv_err(SOP_GENERIC, "%s: %s", name, strerror(r)) : 0;
}

static int cmd_inline_verify(int argc, char **argv)
{
	struct dg_pgp_result res = { 0 };
	struct dg_pgp *pgp;
	struct opts o;
	uint8_t *msg = NULL, *body = NULL;
	size_t len = 0, body_len = 0;
	int r, code;

	if ((code = parse_opts(argc, argv, 1, &o)))
		return code;
	if (o.verif_out && (code = check_output(o.verif_out)))
		return code;
	if (argc - o.first_arg < 1)
		return sopv_err(SOP_MISSING_ARG, "inline-verify needs at least one CERTS file");
	pgp = new_ctx(&o);
	if (!pgp)
		return SOP_GENERIC;
	code = load_certs(pgp, argc, argv, o.first_arg);
	if (!code && (r = read_fd(STDIN_FILENO, &msg, &len)) < 0)
		code = sopv_err(r == -E2BIG ? SOP_BAD_DATA : SOP_GENERIC, "message: %s",
				strerror(-r));
	if (!code) {
		r = dg_pgp_verify_message(pgp, msg, len, &res, &body, &body_len);
		if (r == 0) {
			if (body_len && fwrite(body, 1, body_len, stdout) != body_len)
				code = SOP_GENERIC;
			if (fflush(stdout))
				code = SOP_GENERIC;
			if (o.verif_out && !code)
				code = write_output(o.verif_out, &res);
			print_failures(&res, 0);
		} else {
			code = sop_code(r, &res);
			print_failures(&res, 1);
			sopv_err(code, "%s", dg_pgp_last_error(pgp));
		}
	}
	free(body);
	free(msg);
	dg_pgp_result_free(&res);
	release_ctx(pgp);
	return code;
}

static int cmd_version(int argc, char **argv)
{
	if (argc < 2) {
		printf("digestguard-sopv %s\n", DG_VERSION);
		return SOP_OK;
	}
	if (argc > 2)
		return sopv_err(SOP_UNSUPPORTED_OPTION, "version takes at most one option");
	if (!strcmp(argv[1], "--extended")) {
		printf("digestguard-sopv %s\n"
		       "sopv 1.0 (verification-only subset of %s)\n"
		       "OpenPGP parsing: sandboxed pgp handler (libumd)\n"
		       "Cryptography: %s\n", DG_VERSION, SOP_SPEC, dg_pgp_crypto_version());
	} else if (!strcmp(argv[1], "--backend")) {
		printf("%s\n", dg_pgp_crypto_version());
	} else if (!strcmp(argv[1], "--sop-spec")) {
		printf("%s\n", SOP_SPEC);
	} else if (!strcmp(argv[1], "--sopv")) {
		printf("1.0\n");
	} else {
		return sopv_err(SOP_UNSUPPORTED_OPTION, "unsupported option '%s'", argv[1]);
	}
	return SOP_OK;
}

/* argv[0] is "sopv" (or "dg-sopv"), argv[1] the subcommand. */
static int cmd_sopv(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("%s\n", sopv_usage);
		return SOP_OK;
	}
	if (argc < 2) {
		fprintf(stderr, "%s\n", sopv_usage);
		return SOP_MISSING_ARG;
	}
	if (!strcmp(argv[1], "version"))
		return cmd_version(argc - 1, argv + 1);
	if (!strcmp(argv[1], "verify"))
		return cmd_verify(argc - 1, argv + 1);
	if (!strcmp(argv[1], "inline-verify"))
		return cmd_inline_verify(argc - 1, argv + 1);
	return sopv_err(SOP_UNSUPPORTED_SUBCOMMAND, "unsupported subcommand '%s'", argv[1]);
}

/* Dispatched by main.c to cmd_sopv directly (SOP exit codes, own --help). */
const struct cli_object cli_sopv = {
	"sopv", "verify OpenPGP signatures: Stateless OpenPGP sopv 1.0 (version, verify, inline-verify)",
	NULL, cmd_sopv, NULL,
};

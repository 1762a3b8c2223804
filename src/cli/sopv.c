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
#include <stdbool.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <digestguard/pgp.h>

#include "utc.h"
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
#define SOP_UNSUPPORTED_SPECIAL_PREFIX 71
#define SOP_AMBIGUOUS_INPUT 73
#define SOP_INCOMPATIBLE_OPTIONS 83

/* read_input() failures beyond -errno, mapped by input_code(). */
#define ERR_AMBIGUOUS (-ENOTUNIQ)	/* "@..." names a special designator and a file */
#define ERR_PREFIX (-EPROTONOSUPPORT)	/* "@..." but not @ENV: or @FD: */

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
	"DATE: ISO 8601 (2024-01-31T12:00:00Z, an offset such as +01:00, or no zone:\n"
	"UTC), 'now', or '-' (beginning/end of time).\n"
	"Inputs may be @FD:N or @ENV:NAME, the output @FD:N; other names that start\n"
	"with '@' are refused.  Inputs are read into memory, up to 64 MiB each\n"
	"(verify streams DATA from stdin and has no such limit).  VERIFICATIONS lines:\n"
	"  TIMESTAMP SIGNING-FPR PRIMARY-FPR mode:binary|text\n"
	"Exit: 0 ok, 3 no valid signature, 19 missing argument, 37 unsupported option,\n"
	"41 bad data, 59 output exists, 61 missing input, 69 unsupported subcommand,\n"
	"71 unsupported special prefix, 73 ambiguous input, 83 incompatible options.\n"
	"  --debug (before or after the subcommand), or -v before sopv, prints the\n"
	"  policy and why each signature failed.\n";

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
	struct stat st;
	uint8_t *b;
	off_t pos;
	ssize_t r;

	/* A regular file: room for what is left of it, and one byte to see
	 * the end (it may still grow; then as for a pipe). */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (pos = lseek(fd, 0, SEEK_CUR)) >= 0 &&
	    st.st_size > pos && (uintmax_t)(st.st_size - pos) < SOPV_INPUT_MAX)
		cap = (size_t)(st.st_size - pos) + 1;
	b = malloc(cap);
	if (!b)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			uint8_t *nb;

			if (cap >= SOPV_INPUT_MAX) {
				free(b);
				return -E2BIG;
			}
			cap = cap > SOPV_INPUT_MAX / 2 ? SOPV_INPUT_MAX : 2 * cap;
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

/* @FD:N's N (decimal digits only: no sign or blank), or -1 if @name is not that. */
static int fd_designator(const char *name)
{
	const char *p = name + 4;
	long v = 0;

	if (strncmp(name, "@FD:", 4) || !*p)
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || (v = v * 10 + (*p - '0')) > INT_MAX)
			return -1;
	}
	return (int)v;
}

/*
 * Open an input designator: a path, @FD:N, or @ENV:NAME (read into memory).
 * SOP: a name that starts with '@' and is also an existing file is
 * ambiguous (73); an '@' name other than @ENV:NAME and @FD:N is unsupported (71).
 */
static int read_input(const char *name, uint8_t **out, size_t *len)
{
	int fd, r;

	if (name[0] == '@' && access(name, F_OK) == 0)
		return ERR_AMBIGUOUS;
	if (name[0] == '@' && strncmp(name, "@ENV:", 5) && fd_designator(name) < 0)
		return ERR_PREFIX;	/* also "@FD:" without a number, as for the output */
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
	if ((fd = fd_designator(name)) >= 0)
		return read_fd(fd, out, len);
	fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = read_fd(fd, out, len);
	close(fd);
	return r;
}

/* Report a read_input() failure for @name; returns the SOP exit code. */
static int input_err(const char *name, int r)
{
	switch (r) {
	case -E2BIG:
		return sopv_err(SOP_BAD_DATA, "%s: larger than the %u MiB input limit", name,
				SOPV_INPUT_MAX >> 20);
	case ERR_AMBIGUOUS:
		return sopv_err(SOP_AMBIGUOUS_INPUT,
				"%s: names a special designator and an existing file", name);
	case ERR_PREFIX:
		return sopv_err(SOP_UNSUPPORTED_SPECIAL_PREFIX,
				"%s: unsupported special designator (only @ENV:NAME and @FD:N)", name);
	default:
		return sopv_err(SOP_MISSING_INPUT, "%s: %s", name,
				r == -ENOENT && !strncmp(name, "@ENV:", 5) ?
				"environment variable not set" : strerror(-r));
	}
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

/* Exactly @n decimal digits at *@p; advances *@p.  0 or -EINVAL. */
static int digits(const char **p, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -EINVAL;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && ((y % 4 == 0 && y % 100) || y % 400 == 0) ? 29 : d[m - 1];
}

/*
 * ISO 8601: YYYY-MM-DD[THH:MM[:SS][.frac][Z|+HH[:MM]|-HH[:MM]]], also
 * compact YYYYMMDD[THHMM[SS][Z|+HH[MM]]]; no zone means UTC.  "now"; "-"
 * for @dash.  A fraction of a second rounds up when @round_up (a
 * --not-before bound must not admit the second it starts in), down
 * otherwise.
 */
static int parse_date(const char *s, int64_t dash, bool round_up, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, se = 0, oh = 0, om = 0, sign = 1, frac = 0;
	bool compact, timed = false;
	const char *p = s;
	int64_t t;

	if (!strcmp(s, "-")) {
		*out = dash;
		return 0;
	}
	if (!strcmp(s, "now")) {
		*out = (int64_t)time(NULL);
		return 0;
	}
	if (digits(&p, 4, &y) < 0)
		return -EINVAL;
	compact = *p != '-';
	if ((!compact && *p++ != '-') || digits(&p, 2, &mo) < 0 ||
	    (!compact && *p++ != '-') || digits(&p, 2, &d) < 0)
		return -EINVAL;
	if (*p == 'T' || *p == 't') {
		p++;
		timed = true;
		if (digits(&p, 2, &h) < 0 || (!compact && *p++ != ':') || digits(&p, 2, &mi) < 0)
			return -EINVAL;
		if ((compact && *p >= '0' && *p <= '9') || (!compact && *p == ':')) {
			p += !compact;
			if (digits(&p, 2, &se) < 0)
				return -EINVAL;
			if (*p == '.' || *p == ',') {
				if (p[1] < '0' || p[1] > '9')
					return -EINVAL;
				for (p++; *p >= '0' && *p <= '9'; p++)
					frac |= *p != '0';
			}
		}
	}
	/* A zone belongs to a time of day; a ':' in an offset has minutes. */
	if (timed && (*p == 'Z' || *p == 'z')) {
		p++;
	} else if (timed && (*p == '+' || *p == '-')) {
		sign = *p++ == '-' ? -1 : 1;
		if (digits(&p, 2, &oh) < 0)
			return -EINVAL;
		if (*p == ':' && p[1])	/* "+01:" keeps its ':', which digits() refuses */
			p++;
		if (*p && digits(&p, 2, &om) < 0)
			return -EINVAL;
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
	    mi > 59 || se > 60 || oh > 23 || om > 59)
		return -EINVAL;
	t = (int64_t)days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	*out = t - sign * (oh * 3600 + om * 60) + (round_up && frac);
	return 0;
}

static void print_verifications(FILE *f, const struct dg_pgp_result *res)
{
	char a[2 * DG_PGP_FPR_MAX + 1], b[2 * DG_PGP_FPR_MAX + 1], ts[DG_UTC_LEN];
	size_t i;

	for (i = 0; i < res->n_sigs; i++) {
		const struct dg_pgp_sig *s = &res->sigs[i];
		if (s->status)
			continue;
		dg_utc_format(ts, s->created);
		dg_pgp_fpr_hex(s->signer_fpr, s->fpr_len, a);
		dg_pgp_fpr_hex(s->primary_fpr, s->primary_fpr_len, b);
		fprintf(f, "%s %s %s mode:%s\n", ts, a, b,
			s->mode == DG_PGP_MODE_TEXT ? "text" : "binary");
	}
}

/*
 * Each failed signature and why, after @name (the SIGNATURES input; NULL
 * for a message on stdin); returns how many reasons were printed.
 */
static int print_failures(const struct dg_pgp_result *res, const char *name, int always)
{
	char hex[2 * DG_PGP_FPR_MAX + 1];
	size_t i;
	int n = 0;

	for (i = 0; i < res->n_sigs; i++) {
		const struct dg_pgp_sig *s = &res->sigs[i];

		if (!s->status || (!always && !dg_verbose) || !s->reason[0])
			continue;
		n++;
		dg_pgp_fpr_hex(s->issuer, s->issuer_len, hex);
		fprintf(stderr, "sopv: %s%ssignature %zu (v%d %s/%s, issuer %s): %s\n",
			name ? name : "", name ? ": " : "", i + 1, s->version, dg_pgp_pk_algo_name(s->pk_algo),
			dg_pgp_hash_algo_name(s->hash_algo), s->issuer_len ? hex : "none",
			s->reason);
	}
	return n;
}

/*
 * Map a library error to a SOP exit code.  -ENOMSG (well-formed, but no
 * signature at all) is NO_SIGNATURE for a message (inline-verify) and
 * BAD_DATA for SIGNATURES that hold none (verify).
 */
static int sop_code(int r, const struct dg_pgp_result *res, bool message)
{
	if (res && res->n_sigs)
		return SOP_NO_SIGNATURE;
	switch (-r) {
	case ENOMSG:
		return message ? SOP_NO_SIGNATURE : SOP_BAD_DATA;
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
	char **pos;		/* the positional arguments, in order */
	int n_pos;
};

static bool is_help(const char *a)
{
	return !strcmp(a, "-h") || !strcmp(a, "--help");
}

/*
 * Parse the options of verify/inline-verify, anywhere before "--" (as sqop
 * and getopt_long do); the rest are positional.  Returns 0 or an exit code.
 */
static int parse_opts(int argc, char **argv, int allow_out, struct opts *o)
{
	bool opts_done = false;
	int i;

	o->not_before = INT64_MIN;
	o->not_after = (int64_t)time(NULL);
	o->verif_out = NULL;
	o->n_pos = 0;
	o->pos = calloc((size_t)argc, sizeof(*o->pos));
	if (!o->pos)
		return sopv_err(SOP_GENERIC, "%s", strerror(ENOMEM));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		int64_t *dst = NULL, dash = 0;
		bool round_up = false;

		if (opts_done || a[0] != '-' || !a[1]) {	/* "-" alone is a name */
			o->pos[o->n_pos++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			opts_done = true;
			continue;
		}
		if (!strncmp(a, "--not-before", 12)) {
			dst = &o->not_before;
			dash = INT64_MIN;
			round_up = true;
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
		if (!*v)
			return sopv_err(SOP_MISSING_ARG, "option '%s' needs a value", a);
		if (!dst) {
			o->verif_out = v;
		} else if (parse_date(v, dash, round_up, dst) < 0) {
			return sopv_err(SOP_GENERIC, "malformed ISO 8601 date '%s'", v);
		}
	}
	return 0;
}

/* The CERTS inputs, read before anything is parsed: a missing one is
 * MISSING_INPUT whatever else is wrong. */
struct certs {
	char **names;
	uint8_t **bufs;
	size_t *lens;
	int n;
};

static void certs_free(struct certs *c)
{
	int i;

	for (i = 0; c->bufs && i < c->n; i++)
		free(c->bufs[i]);
	free(c->bufs);
	free(c->lens);
	memset(c, 0, sizeof(*c));
}

static int read_certs(char **names, int n, struct certs *c)
{
	int i, r;

	c->names = names;
	c->n = n;
	c->bufs = calloc((size_t)n, sizeof(*c->bufs));
	c->lens = calloc((size_t)n, sizeof(*c->lens));
	if (!c->bufs || !c->lens)
		return sopv_err(SOP_GENERIC, "out of memory");
	for (i = 0; i < n; i++)
		if ((r = read_input(names[i], &c->bufs[i], &c->lens[i])) < 0)
			return input_err(names[i], r);
	return 0;
}

/*
 * Load the CERTS inputs read by read_certs() into @pgp; returns 0 or an
 * exit code.  An input that holds no certificate at all (nor a revocation
 * for one), such as a signature given by mistake, is BAD_DATA: ignoring it
 * would hide the mistake.
 */
static int load_certs(struct dg_pgp *pgp, const struct certs *c)
{
	int i, r;

	for (i = 0; i < c->n; i++) {
		r = dg_pgp_keyring_add_mem(pgp, c->names[i], c->bufs[i], c->lens[i]);
		if (r < 0)
			return sopv_err(sop_code(r, NULL, false), "%s", dg_pgp_last_error(pgp));
		/* Certificates that are there but unusable (an algorithm we do
		 * not have, no valid self-signature) are skipped, as by sqop;
		 * an input without any is not a CERTS input at all. */
		if (r == 0 && !strcmp(dg_pgp_last_error(pgp), "no error"))
			return sopv_err(SOP_BAD_DATA, "%s: holds no OpenPGP certificate", c->names[i]);
		if (r == 0 && dg_verbose)
			fprintf(stderr, "sopv: %s: no usable certificate (%s)\n", c->names[i],
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

/*
 * Standard input must be there to be read: a closed one (fd 0 would be
 * whatever file is opened next) or a directory is an error (1), as any
 * other input that cannot be read, not a signature that failed (3).
 */
static int stdin_check(const char *what)
{
	struct stat st;

	if (fstat(STDIN_FILENO, &st) < 0)
		return sopv_err(SOP_GENERIC, "%s: standard input: %s", what, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return sopv_err(SOP_GENERIC, "%s: standard input: %s", what, strerror(EISDIR));
	return 0;
}

/*
 * @data_fd >= 0: a detached verification of that data.  Its hash is then
 * started on a thread of its own (off this CPU while the handler sets up)
 * and libcrypto loaded here: the longer job keeps this CPU, the shorter
 * shares the handler's (docs/pgp-verify.md).
 */
static struct dg_pgp *new_ctx(const struct opts *o, int data_fd)
{
	struct dg_pgp_policy pol;
	struct dg_pgp *pgp;
	char desc[512];

	if (dg_pgp_new(&pgp) < 0)
		return NULL;
	/* The handler starts on one CPU, libcrypto loads on another (main.c
	 * left it to us); errors resurface, with context, at the first parse. */
	(void)dg_pgp_prestart(pgp);
	if (data_fd >= 0 && dg_pgp_prehash_fd(pgp, data_fd)) {
		cli_crypto_load();
		dg_pgp_crypto_warm();
	} else {
		cli_crypto_preload(dg_pgp_crypto_warm);
	}
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
	struct certs certs = { 0 };
	struct dg_pgp *pgp;
	struct opts o;
	uint8_t *sig = NULL;
	size_t sig_len = 0;
	int r, code;

	if (argc > 1 && is_help(argv[1])) {
		fputs(sopv_usage, stdout);
		return SOP_OK;
	}
	if ((code = parse_opts(argc, argv, 0, &o)))
		goto out_opts;
	if (o.n_pos < 1) {
		code = sopv_err(SOP_MISSING_ARG, "verify needs SIGNATURES and CERTS");
		goto out_opts;
	}
	if (o.n_pos < 2) {
		code = sopv_err(SOP_MISSING_ARG, "verify needs at least one CERTS file");
		goto out_opts;
	}
	if ((code = stdin_check("data")))
		goto out_opts;
	pgp = new_ctx(&o, STDIN_FILENO);
	if (!pgp) {
		code = SOP_GENERIC;
		goto out_opts;
	}
	r = read_input(o.pos[0], &sig, &sig_len);
	if (r < 0)
		code = input_err(o.pos[0], r);
	else if (!(code = read_certs(o.pos + 1, o.n_pos - 1, &certs)))
		code = load_certs(pgp, &certs);
	certs_free(&certs);
	if (!code) {
		/* its errors name the SIGNATURES file, as CERTS errors do */
		dg_pgp_set_signature_name(pgp, o.pos[0]);
		r = dg_pgp_verify_detached_fd(pgp, sig, sig_len, STDIN_FILENO, &res);
		if (dg_verbose)
			fprintf(stderr, "sopv: %zu bytes of the data were hashed ahead\n",
				dg_pgp_prehash_used(pgp));
		if (r == 0) {
			print_verifications(stdout, &res);
			code = fflush(stdout) ? SOP_GENERIC : SOP_OK;
			print_failures(&res, o.pos[0], 0);
		} else {
			code = sop_code(r, &res, false);
			if (!print_failures(&res, o.pos[0], 1))	/* else each reason is out */
				sopv_err(code, "%s", dg_pgp_last_error(pgp));
		}
	}
	dg_pgp_result_free(&res);
	release_ctx(pgp);
	free(sig);
out_opts:
	free(o.pos);
	return code;
}

/*
 * Check the --verifications-out name early: only @FD:N among the special
 * designators (71 for others, 73 when also a file), and SOP refuses to
 * overwrite a file (OUTPUT_EXISTS).
 */
static int check_output(const char *name)
{
	if (name[0] == '@' && access(name, F_OK) == 0)
		return sopv_err(SOP_AMBIGUOUS_INPUT,
				"%s: names a special designator and an existing file", name);
	if (name[0] == '@' && fd_designator(name) < 0)
		return sopv_err(SOP_UNSUPPORTED_SPECIAL_PREFIX,
				"%s: unsupported special designator for an output (only @FD:N)", name);
	if (name[0] == '@' && fcntl(fd_designator(name), F_GETFD) < 0)
		return sopv_err(SOP_GENERIC, "%s: %s", name, strerror(errno));
	if (name[0] != '@' && access(name, F_OK) == 0)
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
		if ((fd = fd_designator(name)) < 0 || (fd = dup(fd)) < 0 || !(f = fdopen(fd, "w"))) {
			if (fd >= 0)
				close(fd);
			return sopv_err(SOP_GENERIC, "%s: cannot write", name);
		}
		print_verifications(f, res);
		return fclose(f) ? sopv_err(SOP_GENERIC, "%s: %s", name, strerror(errno)) : 0;
	}
	slash = strrchr(name, '/');
	snprintf(tmp, sizeof(tmp), "%.*s.dg-sopv.XXXXXX", slash ? (int)(slash - name + 1) : 0, name);
	fd = mkstemp(tmp);
	/* mkstemp() makes 0600; the file gets what the umask allows. */
	if (fd >= 0) {
		mode_t m = umask(0);

		umask(m);
		(void)fchmod(fd, 0666 & ~m);	/* best effort: 0600 is safe too */
	}
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
	struct dg_pgp_message *pm = NULL;
	struct certs certs = { 0 };
	struct dg_pgp *pgp;
	struct opts o;
	uint8_t *msg = NULL;
	size_t len = 0;
	int r, code;

	if (argc > 1 && is_help(argv[1])) {
		fputs(sopv_usage, stdout);
		return SOP_OK;
	}
	if ((code = parse_opts(argc, argv, 1, &o)))
		goto out_opts;
	if (o.verif_out && (code = check_output(o.verif_out)))
		goto out_opts;
	if (o.n_pos < 1) {
		code = sopv_err(SOP_MISSING_ARG, "inline-verify needs at least one CERTS file");
		goto out_opts;
	}
	if ((code = stdin_check("message")))
		goto out_opts;
	pgp = new_ctx(&o, -1);
	if (!pgp) {
		code = SOP_GENERIC;
		goto out_opts;
	}
	/*
	 * The message is parsed (decompressed in the handler) before the
	 * certificates, which only the signatures' check needs; its reading
	 * overlaps the handler's start.  CERTS are read first all the same:
	 * a missing one is MISSING_INPUT whatever the message holds.
	 */
	if ((code = read_certs(o.pos, o.n_pos, &certs)))
		goto out;
	if ((r = read_fd(STDIN_FILENO, &msg, &len)) < 0)
		code = r == -E2BIG ?
		       sopv_err(SOP_GENERIC, "message: larger than the %u MiB limit of inline-verify "
				"(use verify with a detached signature)", SOPV_INPUT_MAX >> 20) :
		       sopv_err(SOP_GENERIC, "message: %s", strerror(-r));
	else if ((r = dg_pgp_message_parse(pgp, msg, len, &pm)) < 0)
		code = sopv_err(sop_code(r, NULL, true), "%s", dg_pgp_last_error(pgp));
	if (!code)
		code = load_certs(pgp, &certs);
	if (!code) {
		r = dg_pgp_message_verify(pgp, pm, &res, NULL, NULL);
		if (r == 0) {
			/* The VERIFICATIONS first: a message on stdout means success. */
			if (o.verif_out)
				code = write_output(o.verif_out, &res);
			if (!code && dg_pgp_message_write(pm, stdout) < 0)
				code = SOP_GENERIC;
			if (!code && fflush(stdout))
				code = SOP_GENERIC;
			print_failures(&res, NULL, 0);
		} else {
			code = sop_code(r, &res, true);
			if (!print_failures(&res, NULL, 1))	/* else each reason is out */
				sopv_err(code, "%s", dg_pgp_last_error(pgp));
		}
	}
out:
	certs_free(&certs);
	dg_pgp_message_free(pm);
	free(msg);
	dg_pgp_result_free(&res);
	release_ctx(pgp);
out_opts:
	free(o.pos);
	return code;
}

static int cmd_version(int argc, char **argv)
{
	const char *opt = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--debug")) {
			dg_verbose++;
			continue;
		}
		if (strcmp(argv[i], "--extended") && strcmp(argv[i], "--backend") &&
		    strcmp(argv[i], "--sop-spec") && strcmp(argv[i], "--sopv") &&
		    !(i == 1 && is_help(argv[i])))
			return sopv_err(SOP_UNSUPPORTED_OPTION, "unsupported option '%s'", argv[i]);
		/* SOP: "at most one" of them; two are incompatible, not unknown. */
		if (opt)
			return sopv_err(SOP_INCOMPATIBLE_OPTIONS, "version takes at most one of "
					"--extended, --backend, --sop-spec, --sopv ('%s' and '%s')",
					opt, argv[i]);
		opt = argv[i];
	}
	if (!opt) {
		printf("digestguard-sopv %s\n", DG_VERSION);
	} else if (!strcmp(opt, "--extended")) {
		printf("digestguard-sopv %s\n"
		       "sopv 1.0 (verification-only subset of %s)\n"
		       "OpenPGP parsing: sandboxed pgp handler (libumd)\n"
		       "Cryptography: %s\n", DG_VERSION, SOP_SPEC, dg_pgp_crypto_version());
	} else if (!strcmp(opt, "--backend")) {
		printf("%s\n", dg_pgp_crypto_version());
	} else if (!strcmp(opt, "--sop-spec")) {
		printf("%s\n", SOP_SPEC);
	} else if (!strcmp(opt, "--sopv")) {
		printf("1.0\n");
	} else {
		fputs(sopv_usage, stdout);	/* -h or --help, checked above */
	}
	return SOP_OK;
}

/*
 * argv[0] is "sopv" (or "dg-sopv"), then the common options (--debug; -h,
 * --help), then the subcommand.  Help is only ever the first argument of
 * sopv or of a subcommand: "--help" further on, as a file name after
 * "--" or as an option's value, must never turn a verification into a
 * usage text and exit 0.
 */
static int cmd_sopv(int argc, char **argv)
{
	while (argc > 1 && !strcmp(argv[1], "--debug")) {
		dg_verbose++;
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	/* "help" as for every other digestguard object (and sqop). */
	if (argc > 1 && (is_help(argv[1]) || !strcmp(argv[1], "help"))) {
		fputs(sopv_usage, stdout);
		return SOP_OK;
	}
	if (argc < 2) {
		sopv_err(SOP_MISSING_ARG, "missing subcommand (version, verify or inline-verify)");
		fputs(sopv_usage, stderr);
		return SOP_MISSING_ARG;
	}
	/* An option where the subcommand goes is an option we lack, not a
	 * subcommand: `sopv --armor verify` is 37, as `sopv verify --armor`. */
	if (argv[1][0] == '-' && argv[1][1])
		return sopv_err(SOP_UNSUPPORTED_OPTION, "unsupported option '%s'", argv[1]);
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
	NULL, cmd_sopv, sopv_usage,
};

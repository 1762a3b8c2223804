// SPDX-License-Identifier: MIT
/*
 * digestguard bpf sign | verify | load: signed BPF programs with a trusted
 * hash chain (DESIGN.md §8, docs/bpf.md, digestguard-bpf(8)).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include <digestguard/bpf.h>

#include "cli.h"
#include "hex.h"

enum { OPT_KEY = 1, OPT_CERT, OPT_OUT, OPT_PIN, OPT_USERSPACE, OPT_KEYRING, OPT_JSON };

static const struct option bpf_long[] = {
	{ "key", required_argument, NULL, OPT_KEY },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "output", required_argument, NULL, OPT_OUT },
	{ "pin", required_argument, NULL, OPT_PIN },
	{ "userspace-verified", no_argument, NULL, OPT_USERSPACE },
	{ "keyring", required_argument, NULL, OPT_KEYRING },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "verbose", no_argument, NULL, 'v' },
	{ NULL, 0, NULL, 0 },
};

struct bpf_opts {
	const char *key, *cert, *out, *pin, *keyring;
	int userspace, json, verbose;
};

/* @name is one of the space-separated words of @list. */
static int listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

/* Options (@allowed: their long names), then exactly one file; 0 or
 * EXIT_USAGE after a message. */
static int parse(int argc, char **argv, const char *allowed, struct bpf_opts *o)
{
	const char *who = argv[0];
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:v", bpf_long, NULL)) != -1) {
		const char *name = c == 'o' ? "output" : NULL;
		size_t i;

		for (i = 0; !name && bpf_long[i].name; i++)
			if (bpf_long[i].val == c)
				name = bpf_long[i].name;
		if (c == '?')
			return EXIT_USAGE;
		if (c == 'v')
			name = "verbose";
		if (!listed(allowed, name)) {
			fprintf(stderr, "%s: --%s is not an option of this command\n", who, name);
			return EXIT_USAGE;
		}
		switch (c) {
		case OPT_KEY: o->key = optarg; break;
		case OPT_CERT: o->cert = optarg; break;
		case 'o':
		case OPT_OUT: o->out = optarg; break;
		case OPT_PIN: o->pin = optarg; break;
		case OPT_USERSPACE: o->userspace = 1; break;
		case OPT_KEYRING: o->keyring = optarg; break;
		case OPT_JSON: o->json = 1; break;
		case 'v': o->verbose = 1; break;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "%s: expected one file, got %d\n", who, argc - optind);
		return EXIT_USAGE;
	}
	return 0;
}

static struct dg_bpf *open_ctx(const char *who)
{
	struct dg_bpf *bpf;
	int r = dg_bpf_new(0, &bpf);

	if (r < 0) {
		fprintf(stderr, "%s: %s\n", who, strerror(-r));
		return NULL;
	}
	return bpf;
}

/* Verdicts are 1, everything else (unreadable, malformed) 2. */
static int code_of(int r)
{
	return r == -EKEYREJECTED || r == -ENOKEY || r == -EKEYEXPIRED ? EXIT_FAIL : EXIT_USAGE;
}

static void print_hex(FILE *f, const uint8_t *p, size_t n)
{
	char h[129];

	dg_hex(h, p, n);
	fputs(h, f);
}

/* A name from the object (through the handler): bytes other than
 * printable ASCII as \xNN, so that none reaches the terminal as a control. */
static void print_name(const char *n)
{
	for (; *n; n++)
		if (*n > 0x20 && *n < 0x7f && *n != '\\')
			putchar(*n);
		else
			printf("\\x%02x", (unsigned char)*n);
}

static void print_info(const struct dg_bpf_info *in, int json)
{
	if (json) {
		printf("{\"programs\":%u,\"maps\":%u,\"loader_bytes\":%u,\"metadata_bytes\":%u,"
		       "\"signature_bytes\":%u,\"loader_sha256\":\"", in->nr_progs, in->nr_maps,
		       in->insns_len, in->data_len, in->sig_len);
		print_hex(stdout, in->insns_sha256, 32);
		printf("\",\"metadata_sha256\":\"");
		print_hex(stdout, in->data_sha256, 32);
		printf("\",\"signer_key_id\":\"");
		print_hex(stdout, in->keyid, in->keyid_len);
		printf("\",\"digest\":\"sha%u\"}\n", in->digest_bits);
		return;
	}
	printf("programs: %u\nmaps: %u\nloader: %u bytes, sha256 ", in->nr_progs, in->nr_maps,
	       in->insns_len);
	print_hex(stdout, in->insns_sha256, 32);
	printf("\nmetadata: %u bytes, sha256 ", in->data_len);
	print_hex(stdout, in->data_sha256, 32);
	printf("\nsignature: %u bytes, sha%u, key id ", in->sig_len, in->digest_bits);
	if (in->keyid_len)
		print_hex(stdout, in->keyid, in->keyid_len);
	else
		fputs("(issuer and serial)", stdout);
	putchar('\n');
}

static int cmd_sign(int argc, char **argv)
{
	struct dg_bpf_info info;
	struct bpf_opts o;
	struct dg_bpf *bpf;
	int r = parse(argc, argv, "key cert output verbose", &o);

	if (r)
		return r;
	if (!o.key || !o.cert || !o.out) {
		fprintf(stderr, "%s: --key, --cert and -o are required\n", argv[0]);
		return EXIT_USAGE;
	}
	bpf = open_ctx(argv[0]);
	if (!bpf)
		return EXIT_USAGE;
	r = dg_bpf_sign(bpf, argv[optind], o.key, o.cert, o.out, &info);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", argv[0], dg_bpf_last_error(bpf));
		dg_bpf_free(bpf);
		return code_of(r);
	}
	printf("%s: signed %u program%s and %u map%s into %s\n", argv[optind], info.nr_progs,
	       info.nr_progs == 1 ? "" : "s", info.nr_maps, info.nr_maps == 1 ? "" : "s", o.out);
	if (o.verbose) {
		const char *n = info.names;
		uint32_t i;

		for (i = 0; n && n < info.names + info.names_len; i++, n += strlen(n) + 1) {
			printf("  %s ", i < info.nr_progs ? "program" : "map");
			print_name(n);
			putchar('\n');
		}
		print_info(&info, 0);
	}
	dg_bpf_free(bpf);
	return EXIT_OK;
}

static int cmd_verify(int argc, char **argv)
{
	struct dg_bpf_info info;
	struct bpf_opts o;
	struct dg_bpf *bpf;
	int r = parse(argc, argv, "cert json verbose", &o);

	if (r)
		return r;
	if (!o.cert) {
		fprintf(stderr, "%s: --cert is required\n", argv[0]);
		return EXIT_USAGE;
	}
	bpf = open_ctx(argv[0]);
	if (!bpf)
		return EXIT_USAGE;
	r = dg_bpf_open(bpf, argv[optind], &info);
	if (r == 0)
		r = dg_bpf_verify(bpf, o.cert);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", argv[0], dg_bpf_last_error(bpf));
		if (!o.json && code_of(r) == EXIT_FAIL)
			printf("%s: BAD\n", argv[optind]);
		dg_bpf_free(bpf);
		return code_of(r);
	}
	if (o.json)
		print_info(&info, 1);
	else {
		printf("%s: OK (signature and hash chain verified in user space)\n", argv[optind]);
		if (o.verbose)
			print_info(&info, 0);
	}
	dg_bpf_free(bpf);
	return EXIT_OK;
}

static int keyring_id(const char *s, int32_t *id)
{
	char *end;
	long v;

	if (!strcmp(s, "builtin"))
		*id = 0;
	else if (!strcmp(s, "secondary"))
		*id = 1;
	else if (!strcmp(s, "platform"))
		*id = 2;
	else {
		errno = 0;
		v = strtol(s, &end, 0);
		if (errno || *end || end == s || v <= 2 || v > INT32_MAX)
			return -1;
		*id = (int32_t)v;
	}
	return 0;
}

/* bpftool's names for the common types; others by number. */
static const char *type_name(int prog, uint32_t t, char *buf, size_t n)
{
	static const char *const progs[] = {
		[BPF_PROG_TYPE_SOCKET_FILTER] = "socket_filter", [BPF_PROG_TYPE_KPROBE] = "kprobe",
		[BPF_PROG_TYPE_SCHED_CLS] = "sched_cls", [BPF_PROG_TYPE_TRACEPOINT] = "tracepoint",
		[BPF_PROG_TYPE_XDP] = "xdp", [BPF_PROG_TYPE_CGROUP_SKB] = "cgroup_skb",
		[BPF_PROG_TYPE_TRACING] = "tracing", [BPF_PROG_TYPE_LSM] = "lsm",
		[BPF_PROG_TYPE_SYSCALL] = "syscall",
	};
	static const char *const maps[] = {
		[BPF_MAP_TYPE_HASH] = "hash", [BPF_MAP_TYPE_ARRAY] = "array",
		[BPF_MAP_TYPE_PERCPU_HASH] = "percpu_hash", [BPF_MAP_TYPE_PERCPU_ARRAY] = "percpu_array",
		[BPF_MAP_TYPE_LRU_HASH] = "lru_hash", [BPF_MAP_TYPE_RINGBUF] = "ringbuf",
	};
	const char *const *tab = prog ? progs : maps;
	size_t len = prog ? sizeof(progs) / sizeof(progs[0]) : sizeof(maps) / sizeof(maps[0]);

	if (t < len && tab[t])
		return tab[t];
	snprintf(buf, n, "%u", t);
	return buf;
}

static int cmd_load(int argc, char **argv)
{
	struct dg_bpf_load_opts lo = { .trust = DG_BPF_TRUST_KERNEL };
	struct dg_bpf_loaded l;
	struct dg_bpf_info info;
	struct bpf_opts o;
	struct dg_bpf *bpf;
	char tb[16];
	uint32_t i;
	int r = parse(argc, argv, "pin userspace-verified cert keyring", &o);

	if (r)
		return r;
	if (o.userspace && !o.cert) {
		fprintf(stderr, "%s: --userspace-verified needs --cert CERT\n", argv[0]);
		return EXIT_USAGE;
	}
	if (o.keyring && (o.cert || o.userspace)) {
		fprintf(stderr, "%s: --keyring names the kernel's keyring: not with --cert or "
			"--userspace-verified\n", argv[0]);
		return EXIT_USAGE;
	}
	if (o.keyring && keyring_id(o.keyring, &lo.keyring_id) < 0) {
		fprintf(stderr, "%s: --keyring %s: not builtin, secondary, platform or a key "
			"serial number\n", argv[0], o.keyring);
		return EXIT_USAGE;
	}
	lo.trust = o.userspace ? DG_BPF_TRUST_USERSPACE : DG_BPF_TRUST_KERNEL;
	lo.cert_path = o.cert;
	lo.pin_dir = o.pin;
	bpf = open_ctx(argv[0]);
	if (!bpf)
		return EXIT_USAGE;
	r = dg_bpf_open(bpf, argv[optind], &info);
	if (r == 0 && o.userspace)
		r = dg_bpf_verify(bpf, o.cert);
	if (r == 0)
		r = dg_bpf_load(bpf, &lo, &l);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", argv[0], dg_bpf_last_error(bpf));
		dg_bpf_free(bpf);
		/* The kernel cannot check: an environment error, not a verdict. */
		return r == -EOPNOTSUPP ? EXIT_USAGE : code_of(r);
	}
	printf("%s: loaded %u program%s and %u map%s; signature verified %s\n", argv[optind],
	       l.nr_progs, l.nr_progs == 1 ? "" : "s", l.nr_maps, l.nr_maps == 1 ? "" : "s",
	       l.kernel_verified ? "by the kernel" :
	       "in user space by digestguard (the kernel did not check it)");
	for (i = 0; i < l.nr_progs; i++)
		printf("  program %s id %u type %s%s%s%s%s\n", l.progs[i].name, l.progs[i].id,
		       type_name(1, l.progs[i].type, tb, sizeof(tb)), o.pin ? " pinned " : "",
		       o.pin ? o.pin : "", o.pin ? "/" : "", o.pin ? l.progs[i].file : "");
	for (i = 0; i < l.nr_maps; i++)
		printf("  map %s id %u type %s%s%s%s%s\n", l.maps[i].name, l.maps[i].id,
		       type_name(0, l.maps[i].type, tb, sizeof(tb)), o.pin ? " pinned " : "",
		       o.pin ? o.pin : "", o.pin ? "/maps/" : "", o.pin ? l.maps[i].file : "");
	if (!o.pin)
		printf("not pinned (--pin DIR): unloaded when this command exits\n");
	dg_bpf_loaded_close(&l);
	dg_bpf_free(bpf);
	return EXIT_OK;
}

static const struct cli_cmd bpf_cmds[] = {
	{ "sign", "--key KEY --cert CERT [-v] OBJ.bpf.o -o|--output OUT",
	  "turn a BPF object into a loader program and its metadata (in the sandbox) and "
	  "sign them as one hash chain", cmd_sign },
	{ "verify", "--cert CERT [--json] [-v] OUT",
	  "check a signed object's layout, hash chain and signature in user space", cmd_verify },
	{ "load", "[--pin DIR] [--keyring builtin|secondary|platform|SERIAL | --cert CERT] "
	  "[--userspace-verified --cert CERT] OUT",
	  "load a signed object: the kernel verifies the signature (or digestguard, with "
	  "--userspace-verified), the loader checks the metadata's hash", cmd_load },
	{ NULL, NULL, NULL, NULL },
};

const struct cli_object cli_bpf = {
	.name = "bpf",
	.help = "signed BPF programs: sign, verify, load (trusted hash chain)",
	.cmds = bpf_cmds,
};

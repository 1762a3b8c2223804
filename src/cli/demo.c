// SPDX-License-Identifier: MIT
/* digestguard demo: the main job on built-in data, step by step. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ftw.h>
#include <unistd.h>

#include <digestguard/bpf.h>
#include <digestguard/db.h>
#include <digestguard/deb.h>
#include <digestguard/pgp.h>
#include <digestguard/rpm.h>
#include <digestguard/umd.h>

#include "blobs.h"
#include "cli.h"
#include "hex.h"
#include "cursor.h"
#include "file.h"
#include "sample_proto.h"

static int step;

static void say(const char *title, const char *text)
{
	printf("\n[%d] %s\n    %s\n", ++step, title, text);
}

static int demo_umd(void)
{
	struct dg_umd_desc d = {
		DG_UMD_DESC_BLOB(&dg_blob_sample),
		.timeout_ms = 500,
	};
	static const char hello[] = "hello from the trusted side";
	struct dg_umd_answer a;
	struct dg_umd_stats st;
	struct dg_umd *u;
	int r;

	say("Load a user mode driver",
	    "The sample parser is embedded in this binary. It is copied into a sealed\n"
	    "    memfd, its SHA-256 is checked against the build-time value, and it is\n"
	    "    started in a sandbox: new namespaces, an empty root, no capabilities,\n"
	    "    tight rlimits, Landlock, and a seccomp allowlist.");
	if ((r = dg_umd_new(&d, &u)) < 0 || (r = dg_umd_start(u)) < 0) {
		printf("    FAILED: %s\n", u ? dg_umd_last_error(u) : strerror(-r));
		return -1;
	}
	dg_umd_stats(u, &st);
	printf("    started pid %d in %.2f ms; namespaces: %s; Landlock ABI: %d\n",
	       dg_umd_pid(u), (double)st.last_start_ns / 1e6,
	       st.sandbox_namespaces ? "yes" : "no", st.sandbox_landlock);

	say("Talk to it through framed messages",
	    "Each request is a 16-byte header (magic, version, type, id, length) and a\n"
	    "    payload; the answer must carry the same id and fit the negotiated maximum.");
	if ((r = dg_umd_call(u, SAMPLE_ECHO, hello, sizeof(hello) - 1, &a)) < 0) {
		printf("    FAILED: %s\n", dg_umd_last_error(u));
		dg_umd_free(u);
		return -1;
	}
	printf("    sent \"%s\", got back \"%.*s\"\n", hello, (int)a.len, (const char *)a.data);
	dg_umd_answer_free(&a);

	say("A parser bug crashes only the parser",
	    "We ask the handler to crash. The manager notices, reaps it, reports the\n"
	    "    cause, and starts a fresh handler for the next request.");
	r = dg_umd_call(u, SAMPLE_CRASH, NULL, 0, &a);
	printf("    call returned %s: %s\n", r == -ECHILD ? "-ECHILD" : "unexpected",
	       dg_umd_last_error(u));
	r = dg_umd_call(u, SAMPLE_ECHO, "again", 5, &a);
	printf("    next call: %s (new pid %d)\n", r == 0 ? "answered" : "FAILED", dg_umd_pid(u));
	dg_umd_answer_free(&a);

	say("A hung parser is cut off at its deadline",
	    "The handler stops answering; after 500 ms the manager kills it.");
	r = dg_umd_call(u, SAMPLE_HANG, NULL, 0, &a);
	printf("    call returned %s: %s\n", r == -ETIMEDOUT ? "-ETIMEDOUT" : "unexpected",
	       dg_umd_last_error(u));
	dg_umd_stats(u, &st);
	/* Four calls were made: echo, crash, echo, hang. */
	printf("    handler starts %llu (restarts %llu); calls answered %llu of 4 "
	       "(the crash and the hang got errors)\n",
	       (unsigned long long)st.starts, (unsigned long long)st.restarts,
	       (unsigned long long)st.calls);
	dg_umd_free(u);
	return 0;
}

/* Built by src/cli/demo-data/gen_pgp_demo.py (gpg) at build time. */
extern const unsigned char dg_demo_pgp_cert[], dg_demo_pgp_sig[], dg_demo_pgp_text[];
extern const size_t dg_demo_pgp_cert_len, dg_demo_pgp_sig_len, dg_demo_pgp_text_len;

static int demo_pgp(void)
{
	char hex[2 * DG_PGP_FPR_MAX + 1], pol[512];
	struct dg_pgp_policy p;
	struct dg_pgp_result res = { 0 };
	struct dg_pgp *pgp = NULL;
	unsigned char *bad;
	int r;

	say("Verify an OpenPGP signature",
	    "A certificate and a detached signature (made by gpg when digestguard was\n"
	    "    built) go to the sandboxed pgp handler; it answers with spans. The core\n"
	    "    re-checks every span against the original bytes, computes fingerprints\n"
	    "    itself, and verifies with OpenSSL over the original data.");
	if (!dg_demo_pgp_cert_len) {
		printf("    skipped: this binary was built without gpg, so it has no demo signature\n");
		return 0;
	}
	if (dg_pgp_new(&pgp) < 0)
		return -1;
	dg_pgp_get_policy(pgp, &p);
	dg_pgp_policy_describe(&p, pol, sizeof(pol));
	printf("    %s\n", pol);
	r = dg_pgp_keyring_add_mem(pgp, "demo certificate", dg_demo_pgp_cert, dg_demo_pgp_cert_len);
	printf("    keyring: %d certificate(s) with verified self-signatures\n", r < 0 ? 0 : r);
	r = dg_pgp_verify_detached(pgp, dg_demo_pgp_sig, dg_demo_pgp_sig_len, dg_demo_pgp_text,
				   dg_demo_pgp_text_len, &res);
	if (r == 0) {
		dg_pgp_fpr_hex(res.sigs[0].signer_fpr, res.sigs[0].fpr_len, hex);
		printf("    good %s/%s signature by %s\n", dg_pgp_pk_algo_name(res.sigs[0].pk_algo),
		       dg_pgp_hash_algo_name(res.sigs[0].hash_algo), hex);
	} else {
		printf("    FAILED: %s\n", dg_pgp_last_error(pgp));
	}
	dg_pgp_result_free(&res);
	bad = malloc(dg_demo_pgp_text_len);
	if (bad && r == 0) {
		memcpy(bad, dg_demo_pgp_text, dg_demo_pgp_text_len);
		bad[0] ^= 0x20;	/* one changed letter */
		r = dg_pgp_verify_detached(pgp, dg_demo_pgp_sig, dg_demo_pgp_sig_len, bad,
					   dg_demo_pgp_text_len, &res);
		printf("    the same text with one letter changed: %s (%s)\n",
		       r == -EKEYREJECTED ? "rejected" : "NOT REJECTED", dg_pgp_last_error(pgp));
		r = r == -EKEYREJECTED ? 0 : -1;
		dg_pgp_result_free(&res);
	}
	free(bad);
	dg_pgp_free(pgp);
	return r < 0 ? -1 : 0;
}

extern const unsigned char dg_demo_rpm_key[], dg_demo_rpm_good[], dg_demo_rpm_bad[];
extern const size_t dg_demo_rpm_key_len, dg_demo_rpm_good_len, dg_demo_rpm_bad_len;
extern const unsigned char dg_demo_rpm_file0[], dg_demo_rpm_file1[];
extern const size_t dg_demo_rpm_file0_len, dg_demo_rpm_file1_len;
extern const char dg_demo_rpm_path0[], dg_demo_rpm_path1[];

/* Write @len bytes to DIR/NAME (temp + rename); the path goes to @out. */
static int demo_write(const char *dir, const char *name, const void *p, size_t len,
		      char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/%s", dir, name);
	return dg_file_write_atomic(out, p, len);
}

static int demo_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

struct demo_import {
	struct dg_db_builder *b;
	size_t added;
};

static int demo_add(const struct dg_rpm_file *f, void *ctx)
{
	struct demo_import *d = ctx;
	uint32_t src;
	int r = dg_db_builder_add_source(d->b, f->nevra, &src);

	if (!r)
		r = dg_db_builder_add(d->b, f->digest, DG_DB_SHA256, src, f->path);
	if (!r) {
		printf("    + %s  %s  (%s)\n", f->hex, f->path, f->nevra);
		d->added++;
	}
	return r;
}

static void demo_skip(const char *msg, void *ctx)
{
	(void)ctx;
	printf("    skipped: %s\n", msg);
}

static void demo_check(const struct dg_db *db, const char *path, const char *label)
{
	const char *pkg = NULL, *where = NULL;
	uint8_t digest[32];
	dg_db_ref ref;
	int r = dg_db_hash_file(path, digest);

	if (r < 0) {
		printf("    %-34s cannot hash: %s\n", label, strerror(-r));
		return;
	}
	if (dg_db_lookup(db, digest, &ref) == 1 && dg_db_source(db, ref, &pkg, &where) == 0)
		printf("    %-34s allowed: signed by %s as %s\n", label, pkg, where);
	else
		printf("    %-34s NOT in the database: would be denied\n", label);
}

/*
 * The start of a step on build-time data: 1 with a new temporary
 * directory in @dir, 0 when the data could not be made at build time
 * (@tools were missing: said so), -1 on failure (said so).
 */
static int demo_start(size_t have, const char *tools, char *dir)
{
	if (!have) {
		printf("    skipped: %s were not available at build time\n", tools);
		return 0;
	}
	if (!mkdtemp(dir)) {
		printf("    FAILED: cannot make a temporary directory: %s\n", strerror(errno));
		return -1;
	}
	return 1;
}

static int demo_rpm(void)
{
	char dir[] = "/tmp/digestguard-demo.XXXXXX";
	char key[4200], good[4200], bad[4200], state[4200], f0[4200], f1[4200], f2[4200];
	struct dg_rpm_report rep;
	struct dg_rpm_import_stats st;
	struct demo_import imp = { 0 };
	struct dg_rpm *rpm = NULL;
	struct dg_db *db = NULL;
	uint64_t gen = 0;
	char msg[512];
	int r, ret = -1;

	say("Verify signed RPM packages",
	    "A package (built and signed with rpmbuild/rpmsign when digestguard was\n"
	    "    built) and a copy with one header byte changed. The sandboxed rpm handler\n"
	    "    returns spans; the core checks header digests and the OpenPGP header\n"
	    "    signature over the original bytes, as `rpmkeys --checksig` would.");
	if ((r = demo_start(dg_demo_rpm_good_len, "rpmbuild/rpmsign/gpg", dir)) <= 0)
		return r;
	if (demo_write(dir, "packager.asc", dg_demo_rpm_key, dg_demo_rpm_key_len, key, sizeof(key)) ||
	    demo_write(dir, "dg-demo-1.0-1.noarch.rpm", dg_demo_rpm_good, dg_demo_rpm_good_len, good, sizeof(good)) ||
	    demo_write(dir, "dg-demo-tampered.rpm", dg_demo_rpm_bad, dg_demo_rpm_bad_len, bad, sizeof(bad))) {
		printf("    FAILED: cannot write the demo files in %s\n", dir);
		goto out;
	}
	if ((r = dg_rpm_new(0, &rpm)) < 0 || (r = dg_rpm_add_keyring(rpm, key)) < 0) {
		printf("    FAILED: keyring: %s\n", strerror(-r));
		goto out;
	}
	dg_rpm_verify(rpm, good, &rep);
	printf("    %s: %s\n", strrchr(good, '/') + 1, rep.ok ? "digests signatures OK" : rep.error);
	dg_rpm_verify(rpm, bad, &rep);
	printf("    %s: %s\n", strrchr(bad, '/') + 1,
	       rep.ok ? "digests signatures OK (unexpected!)" : "DIGESTS SIGNATURES NOT OK");

	say("Import the verified package's file digests into a new database generation",
	    "Only digests that lie inside the signed header reach the database; the\n"
	    "    tampered package is reported and skipped. The generation is written to a\n"
	    "    temporary file, fsynced and renamed: readers never see half of it.");
	snprintf(state, sizeof(state), "%s/state", dir);
	imp.b = dg_db_builder_new(DG_DB_SHA256);
	if (!imp.b)
		goto out;
	r = dg_rpm_import(rpm, good, 8, 0, demo_add, demo_skip, &imp, &st);
	if (!r)
		r = dg_rpm_import(rpm, bad, 8, 0, demo_add, demo_skip, &imp, &st);
	if (!r)
		r = dg_db_builder_commit(imp.b, state, 0, &gen, msg, sizeof(msg));
	if (r < 0) {
		printf("    FAILED: %s\n", r == -EIO ? msg : strerror(-r));
		goto out;
	}
	printf("    generation %llu of a new database (in a temporary directory): %zu digests\n",
	       (unsigned long long)gen, imp.added);

	say("Check files by their digest",
	    "What the enforcer does on every exec: hash the file, look the digest up.");
	if (dg_db_open(state, &db, msg, sizeof(msg)) < 0) {
		printf("    FAILED: %s\n", msg);
		goto out;
	}
	if (demo_write(dir, "dg-demo-hello", dg_demo_rpm_file0, dg_demo_rpm_file0_len, f0, sizeof(f0)) ||
	    demo_write(dir, "README", dg_demo_rpm_file1, dg_demo_rpm_file1_len, f1, sizeof(f1)) ||
	    demo_write(dir, "dg-demo-hello.patched", "#!/bin/sh\necho owned\n", 21, f2, sizeof(f2)))
		goto out;
	demo_check(db, f0, dg_demo_rpm_path0);
	demo_check(db, f1, dg_demo_rpm_path1);
	demo_check(db, f2, "a patched dg-demo-hello");
	ret = 0;
out:
	dg_db_close(db);
	dg_db_builder_free(imp.b);
	dg_rpm_free(rpm);
	/* Remove the temporary directory we made (and only that). */
	nftw(dir, demo_rm, 16, FTW_DEPTH | FTW_PHYS);
	return ret;
}

extern const unsigned char dg_demo_deb_key[], dg_demo_deb_inrelease[], dg_demo_deb_packages[];
extern const size_t dg_demo_deb_key_len, dg_demo_deb_inrelease_len, dg_demo_deb_packages_len;
extern const unsigned char dg_demo_deb_good[], dg_demo_deb_bad[];
extern const size_t dg_demo_deb_good_len, dg_demo_deb_bad_len;
extern const unsigned char dg_demo_deb_file0[], dg_demo_deb_file1[];
extern const size_t dg_demo_deb_file0_len, dg_demo_deb_file1_len;
extern const char dg_demo_deb_path0[], dg_demo_deb_path1[];

static int demo_deb_add(const char *source, const struct dg_deb_file *f, void *ctx)
{
	struct demo_import *d = ctx;
	uint32_t src;
	char hex[65];
	int r = dg_db_builder_add_source(d->b, source, &src);

	if (!r)
		r = dg_db_builder_add(d->b, f->sha256, DG_DB_SHA256, src, f->path);
	if (!r) {
		dg_hex(hex, f->sha256, 32);
		printf("    + %s  %s  (%s)\n", hex, f->path, source);
		d->added++;
	}
	return r;
}

static int demo_deb(void)
{
	char dir[] = "/tmp/digestguard-demo.XXXXXX";
	char key[4200], inr[4200], pk[4200], good[4200], bad[4200], state[4200];
	char f0[4200], f1[4200], msg[512];
	struct dg_deb_import_stats st;
	struct demo_import imp = { 0 };
	struct dg_deb_pkg pkg;
	struct dg_deb *deb = NULL;
	struct dg_db *db = NULL;
	const char *entry = NULL;
	uint64_t gen = 0;
	int r, ret = -1;

	say("Check Debian packages against a signed apt repository",
	    "An InRelease signed with the archive key lists a Packages file, which lists\n"
	    "    a .deb by SHA-256 (made with dpkg-deb, dpkg-scanpackages, apt-ftparchive\n"
	    "    and gpg when digestguard was built). The deb handler parses them; the\n"
	    "    core verifies the signature and every hash of the chain, as apt does.");
	if ((r = demo_start(dg_demo_deb_good_len, "dpkg-deb/apt-ftparchive/gpg", dir)) <= 0)
		return r;
	if (demo_write(dir, "archive-key.asc", dg_demo_deb_key, dg_demo_deb_key_len, key, sizeof(key)) ||
	    demo_write(dir, "InRelease", dg_demo_deb_inrelease, dg_demo_deb_inrelease_len, inr, sizeof(inr)) ||
	    demo_write(dir, "Packages", dg_demo_deb_packages, dg_demo_deb_packages_len, pk, sizeof(pk)) ||
	    demo_write(dir, "dg-demo-deb_1.0-1_all.deb", dg_demo_deb_good, dg_demo_deb_good_len, good, sizeof(good)) ||
	    demo_write(dir, "dg-demo-deb_substituted.deb", dg_demo_deb_bad, dg_demo_deb_bad_len, bad, sizeof(bad))) {
		printf("    FAILED: cannot write the demo files in %s\n", dir);
		goto out;
	}
	if ((r = dg_deb_new(0, &deb)) < 0 || (r = dg_deb_keyring_add_file(deb, key)) < 0 ||
	    (r = dg_deb_load_inrelease_file(deb, inr)) < 0 ||
	    (r = dg_deb_load_packages_file(deb, pk, &entry)) < 0) {
		printf("    FAILED: %s\n", deb ? dg_deb_last_error(deb) : strerror(-r));
		goto out;
	}
	printf("    InRelease: good signature; Packages: listed in it as %s\n", entry);
	r = dg_deb_check_file(deb, good, &pkg);
	printf("    %s: %s\n", strrchr(good, '/') + 1, r ? dg_deb_last_error(deb) : "OK");
	dg_deb_pkg_free(&pkg);
	r = dg_deb_check_file(deb, bad, &pkg);
	printf("    %s: %s\n", strrchr(bad, '/') + 1,
	       r ? "NOT OK (its SHA-256 is in no signed Packages)" : "OK (unexpected!)");
	dg_deb_pkg_free(&pkg);

	say("Import the listed package's file digests",
	    "The handler reads the .deb's data.tar; the core re-checks every tar header\n"
	    "    and hashes each file itself. The substituted package adds nothing.");
	snprintf(state, sizeof(state), "%s/state", dir);
	imp.b = dg_db_builder_new(DG_DB_SHA256);
	if (!imp.b)
		goto out;
	r = dg_deb_import(deb, good, 0, demo_deb_add, demo_skip, &imp, &st);
	if (!r)
		r = dg_deb_import(deb, bad, 0, demo_deb_add, demo_skip, &imp, &st);
	if (!r)
		r = dg_db_builder_commit(imp.b, state, 0, &gen, msg, sizeof(msg));
	if (r < 0) {
		printf("    FAILED: %s\n", r == -EIO ? msg : strerror(-r));
		goto out;
	}
	printf("    generation %llu of a new database (in a temporary directory): %zu digests\n",
	       (unsigned long long)gen, imp.added);
	if (dg_db_open(state, &db, msg, sizeof(msg)) < 0 ||
	    demo_write(dir, "dg-demo-deb", dg_demo_deb_file0, dg_demo_deb_file0_len, f0, sizeof(f0)) ||
	    demo_write(dir, "README", dg_demo_deb_file1, dg_demo_deb_file1_len, f1, sizeof(f1)))
		goto out;
	demo_check(db, f0, dg_demo_deb_path0);
	demo_check(db, f1, dg_demo_deb_path1);
	ret = 0;
out:
	dg_db_close(db);
	dg_db_builder_free(imp.b);
	dg_deb_free(deb);
	nftw(dir, demo_rm, 16, FTW_DEPTH | FTW_PHYS);
	return ret;
}

extern const unsigned char dg_demo_bpf_obj[], dg_demo_bpf_key[], dg_demo_bpf_cert[];
extern const size_t dg_demo_bpf_obj_len, dg_demo_bpf_key_len, dg_demo_bpf_cert_len;

/* Load @path with the kernel checking the signature, or, where it cannot,
 * after digestguard did; print what was made. */
static void demo_bpf_load(struct dg_bpf *bpf, const char *cert)
{
	struct dg_bpf_load_opts o = { .trust = DG_BPF_TRUST_KERNEL, .cert_path = cert };
	struct dg_bpf_loaded l;
	uint32_t i;
	int r;

	if (geteuid() != 0) {
		printf("    loading skipped: loading BPF programs needs root\n");
		return;
	}
	r = dg_bpf_load(bpf, &o, &l);
	if (r == -EOPNOTSUPP) {
		printf("    kernel: cannot verify BPF signatures here (no CONFIG_SYSTEM_DATA_VERIFICATION);\n"
		       "    verified in user space instead\n");
		o.trust = DG_BPF_TRUST_USERSPACE;
		r = dg_bpf_verify(bpf, cert);
		if (r == 0)
			r = dg_bpf_load(bpf, &o, &l);
	}
	if (r < 0) {
		printf("    not loaded: %s\n", dg_bpf_last_error(bpf));
		return;
	}
	printf("    loaded (signature checked %s); the loader checked the metadata hash:\n",
	       l.kernel_verified ? "by the kernel" : "by digestguard");
	for (i = 0; i < l.nr_progs; i++)
		printf("      program %s, id %u\n", l.progs[i].name, l.progs[i].id);
	for (i = 0; i < l.nr_maps; i++)
		printf("      map %s, id %u\n", l.maps[i].name, l.maps[i].id);
	dg_bpf_loaded_close(&l);
}

static int demo_bpf(void)
{
	char dir[] = "/tmp/digestguard-demo.XXXXXX";
	char obj[4200], key[4200], cert[4200], out[4200], bad[4200];
	struct dg_bpf_info info;
	struct dg_bpf *bpf = NULL;
	uint8_t *file = NULL;
	size_t len = 0;
	char why[512];
	int r, ret = -1;

	say("Sign and load a BPF program through a trusted hash chain",
	    "libbpf turns a BPF object (built with clang) into a loader program and its\n"
	    "    metadata inside the sandboxed bpf handler; the core puts a check of the\n"
	    "    metadata's SHA-256 in front of the loader and signs the loader (PKCS#7,\n"
	    "    as the kernel verifies BPF signatures). The kernel hashes the frozen\n"
	    "    metadata map; the signed loader compares before it loads anything.");
	if ((r = demo_start(dg_demo_bpf_obj_len, "clang/openssl", dir)) <= 0)
		return r;
	if (demo_write(dir, "demo.bpf.o", dg_demo_bpf_obj, dg_demo_bpf_obj_len, obj, sizeof(obj)) ||
	    demo_write(dir, "signer.key", dg_demo_bpf_key, dg_demo_bpf_key_len, key, sizeof(key)) ||
	    demo_write(dir, "signer.crt", dg_demo_bpf_cert, dg_demo_bpf_cert_len, cert, sizeof(cert))) {
		printf("    FAILED: cannot write the demo files in %s\n", dir);
		goto out;
	}
	snprintf(out, sizeof(out), "%s/demo.signed", dir);
	if ((r = dg_bpf_new(0, &bpf)) < 0 ||
	    (r = dg_bpf_sign(bpf, obj, key, cert, out, &info)) < 0) {
		printf("    FAILED: %s\n", bpf ? dg_bpf_last_error(bpf) : strerror(-r));
		goto out;
	}
	printf("    signed: %u program%s, %u map%s; loader %u bytes, metadata %u bytes\n",
	       info.nr_progs, info.nr_progs == 1 ? "" : "s", info.nr_maps,
	       info.nr_maps == 1 ? "" : "s", info.insns_len, info.data_len);
	r = dg_bpf_open(bpf, out, &info);
	if (r == 0)
		r = dg_bpf_verify(bpf, cert);
	printf("    demo.signed: %s\n", r ? dg_bpf_last_error(bpf) : "OK (signature and chain)");
	if (r)
		goto out;
	demo_bpf_load(bpf, cert);
	/* One byte of metadata changed: the signature still verifies (it covers
	 * the loader), the chain does not. */
	if (dg_file_read(out, 64u << 20, &file, &len, why, sizeof(why)) < 0 || len < 41) {
		printf("    FAILED: %s\n", why);
		goto out;
	}
	file[len - info.sig_len - 1] ^= 1;
	if (demo_write(dir, "changed.signed", file, len, bad, sizeof(bad)))
		goto out;
	r = dg_bpf_open(bpf, bad, &info);
	printf("    changed.signed (one metadata byte): %s\n",
	       r ? "refused: its metadata no longer has the hash the signed loader checks"
		 : "accepted (unexpected!)");
	ret = r ? 0 : -1;
out:
	free(file);
	dg_bpf_free(bpf);
	nftw(dir, demo_rm, 16, FTW_DEPTH | FTW_PHYS);
	return ret;
}

static int cmd_demo(int argc, char **argv)
{
	if (cli_no_args("demo", argc, argv))
		return EXIT_USAGE;
	printf("digestguard demo: untrusted formats are parsed only inside sandboxed\n"
	       "user mode drivers; the trusted side checks what they return.\n");
	if (demo_umd() < 0)
		return EXIT_FAIL;
	if (demo_pgp() < 0)
		return EXIT_FAIL;
	if (demo_rpm() < 0)
		return EXIT_FAIL;
	if (demo_deb() < 0)
		return EXIT_FAIL;
	if (demo_bpf() < 0)
		return EXIT_FAIL;
	printf("\ndemo finished.  Each step has a command: pgp dump, sopv verify,\n"
	       "rpm verify|digests, deb verify|digests, db import|check|lookup, enforce,\n"
	       "bpf sign|verify|load; 'digestguard OBJECT --help' and the man pages\n"
	       "(docs/digestguard.8, installed as digestguard(8)) say how.\n");
	return EXIT_OK;
}

const struct cli_object cli_demo = {
	"demo", "run the main job on built-in demo data, step by step", NULL, cmd_demo, NULL,
};

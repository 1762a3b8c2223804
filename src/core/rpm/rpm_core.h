/* SPDX-License-Identifier: MIT */
/*
 * Internals of the trusted RPM core, exposed for the unit and liar tests:
 * re-checking a handler answer (rpm_check.c), verifying digests and
 * signatures like rpmkeys (rpm_verify.c), extracting file digests
 * (rpm_files.c).  No function here does I/O or talks to the handler.
 */
#ifndef DG_RPM_CORE_H
#define DG_RPM_CORE_H

#include <stddef.h>
#include <stdint.h>

#include <digestguard/rpm.h>

/* A tag record of the answer, re-checked against the original bytes. */
struct rpm_tagref {
	int hdr;		/* RPM_HDR_SIG / RPM_HDR_MAIN */
	uint32_t tag, type, count;
	uint32_t entry_off, data_off, data_len;
	uint32_t first_string;	/* into rpm_pkg.strs, or RPM_NO_STRING */
};

struct rpm_str {
	uint32_t off, len;	/* file offset and length without the NUL */
};

/*
 * A signature value the handler pre-parsed (RPM_ANS_F_PGP): where it sits
 * is re-checked; the pgp answer itself is HANDLER OUTPUT, which only the
 * pgp core's re-check against the signature bytes may turn into facts.
 */
struct rpm_presig {
	uint32_t tag;		/* signature header tag (RSAHEADER, OPENPGP, ...) */
	uint32_t item;		/* 0, or the OPENPGP string's index */
	const uint8_t *ans;	/* points into the handler's answer */
	size_t ans_len;
};

/* A package whose layout and tags the core has re-checked. */
struct rpm_pkg {
	const char *name;		/* the input, for messages */
	const uint8_t *buf;		/* ORIGINAL bytes: the file's first buf_len */
	size_t buf_len;
	uint64_t file_size;
	uint32_t sig_off, sig_len;	/* computed by the core from the intros */
	uint32_t main_off, main_len, main_il, main_dl;
	uint64_t payload_off;
	struct rpm_tagref *tags;
	uint32_t n_tags;
	struct rpm_str *strs;
	uint32_t n_strs;
	struct rpm_presig *presigs;	/* point into the answer: keep it alive */
	uint32_t n_presigs;
};

/*
 * Where the main header ends, from the fixed lead and intros of @buf alone
 * (the core's own reading, used to size the request and to re-check the
 * answer).  0 or a negative errno with the reason in @err.
 */
int rpm_layout(const char *name, const uint8_t *buf, size_t len, uint32_t *sig_len,
	       uint32_t *main_off, uint32_t *main_len, char *err, size_t errlen);

/*
 * Re-check the handler's answer @ans against @pkg->buf (which the caller
 * set, with name, buf_len and file_size): the layout, every tag record
 * against its 16-byte index entry read from the original bytes, every
 * string record tiling its tag's data, and that no wanted tag was left out;
 * pre-parsed signature records must name a signature value of the signature
 * header, once each.  Fills the rest of @pkg (release with
 * rpm_pkg_release()); pkg->presigs point into @ans, which the caller keeps
 * until it is done with @pkg.
 */
int rpm_check_answer(struct rpm_pkg *pkg, const uint8_t *ans, size_t ans_len,
		     char *err, size_t errlen);

void rpm_pkg_release(struct rpm_pkg *pkg);

/* The re-checked record of @tag in header @hdr, or NULL. */
const struct rpm_tagref *rpm_pkg_tag(const struct rpm_pkg *pkg, int hdr, uint32_t tag);

/* String @i of @t (a re-checked string tag): pointer into pkg->buf, length. */
const char *rpm_pkg_string(const struct rpm_pkg *pkg, const struct rpm_tagref *t,
			   uint32_t i, uint32_t *len);

/* What a signature verifier tells about one signature. */
struct rpm_siginfo {
	int parsed;		/* version/algos/keyid below are known */
	int version, pk_algo, hash_algo, sig_type;
	uint8_t keyid[8];
	char reason[160];
};

/*
 * Verify the OpenPGP signature @sig over @data: 0 good, -ENOKEY no key,
 * -EOPNOTSUPP unsupported, another negative errno bad.  @parsed (NULL when
 * none) is the handler's pre-parsed answer for @sig, untrusted;
 * @data_sha256 (or NULL) an unfinished SHA-256 EVP_MD_CTX over exactly
 * @data (dg_pgp_verify_detached_parsed()).
 */
typedef int (*rpm_sigverify_fn)(void *ctx, const uint8_t *sig, size_t sig_len,
				const uint8_t *parsed, size_t parsed_len,
				const uint8_t *data, size_t data_len,
				const void *data_sha256, struct rpm_siginfo *info);

/* The OpenPGP core as the verifier: @ctx is a struct dg_pgp. */
int rpm_pgp_sigverify(void *ctx, const uint8_t *sig, size_t sig_len,
		      const uint8_t *parsed, size_t parsed_len,
		      const uint8_t *data, size_t data_len, const void *data_sha256,
		      struct rpm_siginfo *info);

struct rpm_verifier {
	rpm_sigverify_fn fn;
	void *ctx;
	unsigned int flags;		/* DG_RPM_* */
	const uint8_t *whole;		/* the whole file (DG_RPM_PAYLOAD), else NULL */
	size_t whole_len;
};

/* Verify @pkg like rpmkeys --checksig into @rep; 0 when it says OK. */
int rpm_verify_pkg(const struct rpm_pkg *pkg, const struct rpm_verifier *v,
		   struct dg_rpm_report *rep);

/*
 * A context for another thread: @rpm's flags, its keyring shared read-only
 * (dg_pgp_new_shared()), its own rpm handler.  Free it before @rpm.
 */
int rpm_ctx_new_worker(const struct dg_rpm *rpm, struct dg_rpm **out);

/*
 * name-[epoch:]version-release.arch of @pkg into @out: -ENODATA without a
 * NAME, VERSION or RELEASE; -E2BIG when one is over its limit (bytes with
 * the NUL) or the whole does not fit in @n.  No ARCH reads as noarch.
 */
#define RPM_NEVRA_FIELD_MAX 256	/* NAME, VERSION, RELEASE */
#define RPM_NEVRA_ARCH_MAX 64
int rpm_pkg_nevra(const struct rpm_pkg *pkg, char *out, size_t n);

/*
 * Call @fn for each regular, non-%ghost file of @pkg, whose main header the
 * caller has verified.  The digest algorithm policy (DG_RPM_ALLOW_WEAK in
 * @flags) is applied here.
 */
int rpm_pkg_files(const struct rpm_pkg *pkg, unsigned int flags, dg_rpm_file_fn fn,
		  void *ctx, char *err, size_t errlen);

#endif

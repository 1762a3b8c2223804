// SPDX-License-Identifier: MIT
/*
 * dg_rpm_*: read a package's headers, have the sandboxed rpm handler parse
 * them, re-check its answer, verify, and hand out file digests.
 *
 * The header bytes are read once into memory and every check and hash runs
 * over that copy, so a file changed while we read it cannot make us check
 * one header and trust another.  With DG_RPM_PAYLOAD the whole file is
 * read into memory (not mapped: a file truncated under a mapping would
 * raise SIGBUS in the trusted process); the header inside it must equal
 * the copy (rpm_verify.c checks).
 */
#include <digestguard/rpm.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <digestguard/umd.h>

#include "blobs.h"
#include "cursor.h"
#include "rpm_config.h"
#include "rpm_core.h"
#include "../../handlers/rpm/rpm_parse.h"
#include "../../handlers/rpm/rpm_proto.h"

#if DG_RPM_HAVE_PGP
#include <digestguard/pgp.h>
#endif

/* Headers (lead + both headers) larger than this are refused. */
#define RPM_HEADERS_MAX (56u << 20)
#define RPM_FIRST_READ (256u << 10)
#define RPM_HANDLER_TIMEOUT_MS 5000
/* --payload reads the whole package; larger ones are refused. */
#define RPM_PAYLOAD_READ_MAX (4ull << 30)

struct dg_rpm {
	unsigned int flags;
	struct dg_umd *umd;
#if DG_RPM_HAVE_PGP
	struct dg_pgp *pgp;
#endif
	char err[320];
};

#if DG_RPM_HAVE_PGP
/*
 * The packet a tag's verdict is about.  With several signature packets in
 * one tag, 0 from the core means that one of them verified: describe and
 * type-check that one, not the first.  A good binary signature (0x00, what
 * RPM signs the header with) is preferred to a good text-mode one, which
 * rpm_verify.c then refuses; when none verified, the first packet.
 */
static const struct dg_pgp_sig *verdict_sig(const struct dg_pgp_result *res)
{
	const struct dg_pgp_sig *good = NULL;
	size_t i;

	for (i = 0; i < res->n_sigs; i++) {
		if (res->sigs[i].status != 0)
			continue;
		if (res->sigs[i].type == 0x00)
			return &res->sigs[i];
		if (!good)
			good = &res->sigs[i];
	}
	return good ? good : &res->sigs[0];
}

int rpm_pgp_sigverify(void *ctx, const uint8_t *sig, size_t sig_len,
		      const uint8_t *parsed, size_t parsed_len,
		      const uint8_t *data, size_t data_len, const void *data_sha256,
		      struct rpm_siginfo *info)
{
	struct dg_pgp *pgp = ctx;
	struct dg_pgp_result res = { 0 };
	int r = dg_pgp_verify_detached_parsed(pgp, sig, sig_len, parsed, parsed_len,
					      data, data_len, data_sha256, &res);

	if (res.n_sigs > 0) {
		const struct dg_pgp_sig *s = verdict_sig(&res);
		size_t i;

		info->parsed = 1;
		info->version = s->version;
		info->pk_algo = s->pk_algo;
		info->hash_algo = s->hash_algo;
		info->sig_type = s->type;
		/* v4 key ID: last 8 bytes of the fingerprint; v6: first 8. */
		if (s->issuer_len == 8 || s->issuer_len == 32)
			memcpy(info->keyid, s->issuer, 8);
		else if (s->issuer_len == 20)
			memcpy(info->keyid, s->issuer + 12, 8);
		for (i = 0; i < res.n_sigs && r != 0; i++)
			if (res.sigs[i].reason[0]) {
				snprintf(info->reason, sizeof(info->reason), "%s", res.sigs[i].reason);
				break;
			}
	}
	if (r != 0 && !info->reason[0])
		snprintf(info->reason, sizeof(info->reason), "%s", dg_pgp_last_error(pgp));
	dg_pgp_result_free(&res);
	return r;
}
#endif

/* A context with @flags; its pgp core shares @keys' keyring when given. */
static int ctx_new(unsigned int flags, const struct dg_rpm *keys, struct dg_rpm **out)
{
	struct dg_umd_desc d = {
		DG_UMD_DESC_BLOB(&dg_blob_rpm),
		.timeout_ms = RPM_HANDLER_TIMEOUT_MS,
		.flags = flags & DG_RPM_NO_NAMESPACES ? DG_UMD_NO_NAMESPACES : 0,
	};
	struct dg_rpm *rpm = calloc(1, sizeof(*rpm));
	int r;

	(void)keys;	/* used only with the OpenPGP core */
	if (!rpm)
		return -ENOMEM;
	rpm->flags = flags;
	r = dg_umd_new(&d, &rpm->umd);
#if DG_RPM_HAVE_PGP
	if (r == 0)
		r = keys ? dg_pgp_new_shared(keys->pgp, &rpm->pgp) : dg_pgp_new(&rpm->pgp);
	/* The rpm handler also answers pgp requests (keyring, signatures it
	 * could not pre-parse): one sandboxed process instead of two. */
	if (r == 0)
		dg_pgp_set_handler(rpm->pgp, rpm->umd);
#endif
	if (r < 0) {
		dg_rpm_free(rpm);
		return r;
	}
	*out = rpm;
	return 0;
}

int dg_rpm_new(unsigned int flags, struct dg_rpm **out)
{
	return ctx_new(flags, NULL, out);
}

int rpm_ctx_new_worker(const struct dg_rpm *rpm, struct dg_rpm **out)
{
	return ctx_new(rpm->flags, rpm, out);
}

void dg_rpm_free(struct dg_rpm *rpm)
{
	if (!rpm)
		return;
#if DG_RPM_HAVE_PGP
	dg_pgp_free(rpm->pgp);
#endif
	dg_umd_free(rpm->umd);
	free(rpm);
}

int dg_rpm_add_keyring(struct dg_rpm *rpm, const char *path)
{
#if DG_RPM_HAVE_PGP
	int r = dg_pgp_keyring_add_file(rpm->pgp, path);
	const char *why = dg_pgp_last_error(rpm->pgp);

	/* "no error" on 0: nothing in it was OpenPGP material we could use. */
	snprintf(rpm->err, sizeof(rpm->err), "%s", r <= 0 && strcmp(why, "no error") ? why : "");
	return r;
#else
	(void)path;
	snprintf(rpm->err, sizeof(rpm->err), "OpenPGP verification is not in this build");
	return -EOPNOTSUPP;
#endif
}

const char *dg_rpm_last_error(const struct dg_rpm *rpm)
{
	return rpm->err;
}

size_t dg_rpm_keyring_count(const struct dg_rpm *rpm)
{
#if DG_RPM_HAVE_PGP
	return dg_pgp_keyring_count(rpm->pgp);
#else
	(void)rpm;
	return 0;
#endif
}

void dg_rpm_policy_describe(const struct dg_rpm *rpm, char *buf, size_t len)
{
	char pgp[256] = "no OpenPGP verifier in this build";

#if DG_RPM_HAVE_PGP
	struct dg_pgp_policy pol;

	dg_pgp_get_policy(rpm->pgp, &pol);
	dg_pgp_policy_describe(&pol, pgp, sizeof(pgp));
#endif
	if (!strncmp(pgp, "policy: ", 8))
		memmove(pgp, pgp + 8, strlen(pgp + 8) + 1);
	snprintf(buf, len,
		 "checks: %s; file digests: SHA-2/SHA-3%s; a good header signature is required for file digests; signatures: %s",
		 rpm->flags & DG_RPM_PAYLOAD ? "header and payload" : "header only",
		 rpm->flags & DG_RPM_ALLOW_WEAK ? ", MD5 and SHA-1 allowed (--allow-weak)" :
						  " (MD5, SHA-1 and no FILEDIGESTALGO refused)",
		 pgp);
}

/* Read exactly @n bytes at @off (short only at end of file). */
static int read_at(int fd, uint8_t *buf, size_t n, off_t off, size_t *got)
{
	*got = 0;
	while (*got < n) {
		ssize_t k = pread(fd, buf + *got, n - *got, off + (off_t)*got);

		if (k < 0)
			return -errno;
		if (k == 0)
			break;
		*got += (size_t)k;
	}
	return 0;
}

/*
 * Read the lead and both headers of @fd into a fresh buffer (8 spare bytes
 * in front for the request's file size).  Sizes come from the fixed intros.
 */
static int read_headers(const char *name, int fd, uint64_t size, uint8_t **out,
			size_t *out_len, char *err, size_t errlen)
{
	size_t want = size < RPM_FIRST_READ ? (size_t)size : RPM_FIRST_READ, have = 0, got;
	uint8_t *buf = NULL, *nb;
	uint32_t sig_len, main_off, main_len;
	int r;

	for (;;) {
		nb = realloc(buf, RPM_REQ_FIXED + want);
		if (!nb) {
			free(buf);
			return -ENOMEM;
		}
		buf = nb;
		r = read_at(fd, buf + RPM_REQ_FIXED + have, want - have, (off_t)have, &got);
		if (r < 0) {
			snprintf(err, errlen, "%s: read: %s", name, strerror(-r));
			break;
		}
		have += got;
		if (have < want) {	/* end of file before fstat's size */
			snprintf(err, errlen, "%s: file shrank while being read", name);
			r = -ENODATA;
			break;
		}
		r = rpm_layout(name, buf + RPM_REQ_FIXED, have, &sig_len, &main_off, &main_len,
			       err, errlen);
		if (r == 0 && (uint64_t)main_off + main_len <= have) {
			*out = buf;
			*out_len = (size_t)main_off + main_len;
			return 0;
		}
		if (r < 0 && r != -ENODATA)
			break;
		if (have >= size) {
			snprintf(err, errlen, "%s: truncated: the headers run past the end of the %llu-byte file",
				 name, (unsigned long long)size);
			r = -ENODATA;
			break;
		}
		want = r == 0 ? (size_t)main_off + main_len : have * 4;
		if (want > size)
			want = (size_t)size;
		if (want > RPM_HEADERS_MAX) {
			snprintf(err, errlen, "%s: headers of %zu bytes exceed limit %u", name,
				 want, RPM_HEADERS_MAX);
			r = -E2BIG;
			break;
		}
	}
	free(buf);
	return r;
}

struct loaded {
	struct rpm_pkg pkg;
	struct dg_umd_answer ans;	/* pkg.presigs point into it */
	uint8_t *req;		/* le64 size + header bytes; pkg.buf points inside */
	uint8_t *whole;		/* the whole file (DG_RPM_PAYLOAD) */
	size_t whole_len;
};

static void loaded_free(struct loaded *l)
{
	rpm_pkg_release(&l->pkg);
	dg_umd_answer_free(&l->ans);
	free(l->req);
	free(l->whole);
	memset(l, 0, sizeof(*l));
}

static int load(struct dg_rpm *rpm, const char *path, struct loaded *l,
		struct dg_rpm_report *rep)
{
	struct stat st;
	size_t hlen;
	int fd, r;

	memset(l, 0, sizeof(*l));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(rep->error, sizeof(rep->error), "%s: open failed: %s", path, strerror(errno));
		return r;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(rep->error, sizeof(rep->error), "%s: not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	r = read_headers(path, fd, (uint64_t)st.st_size, &l->req, &hlen, rep->error,
			 sizeof(rep->error));
	if (r == 0 && (rpm->flags & DG_RPM_PAYLOAD) && st.st_size > 0) {
		size_t got = 0;

		if ((uint64_t)st.st_size > RPM_PAYLOAD_READ_MAX) {
			r = -E2BIG;
			snprintf(rep->error, sizeof(rep->error), "%s: %lld bytes exceed the --payload limit %llu",
				 path, (long long)st.st_size, RPM_PAYLOAD_READ_MAX);
		} else if (!(l->whole = malloc((size_t)st.st_size))) {
			r = -ENOMEM;
			snprintf(rep->error, sizeof(rep->error), "%s: out of memory", path);
		} else if ((r = read_at(fd, l->whole, (size_t)st.st_size, 0, &got)) < 0 ||
			   got != (size_t)st.st_size) {
			snprintf(rep->error, sizeof(rep->error), "%s: %s", path,
				 r < 0 ? strerror(-r) : "file shrank while being read");
			r = r < 0 ? r : -ENODATA;
		} else {
			l->whole_len = got;
		}
	}
	close(fd);
	if (r < 0) {
		loaded_free(l);
		return r;
	}
	put_le64(l->req, (uint64_t)st.st_size);
	r = dg_umd_call(rpm->umd, RPM_REQ_PARSE, l->req, RPM_REQ_FIXED + hlen, &l->ans);
	if (r < 0) {
		snprintf(rep->error, sizeof(rep->error), "%s: %s", path, dg_umd_last_error(rpm->umd));
		loaded_free(l);
		return r;
	}
	l->pkg.name = path;
	l->pkg.buf = l->req + RPM_REQ_FIXED;
	l->pkg.buf_len = hlen;
	l->pkg.file_size = (uint64_t)st.st_size;
	r = rpm_check_answer(&l->pkg, l->ans.data, l->ans.len, rep->error, sizeof(rep->error));
	if (r < 0) {
		loaded_free(l);
		return r;
	}
	if (rpm_pkg_nevra(&l->pkg, rep->nevra, sizeof(rep->nevra)) < 0)
		rep->nevra[0] = '\0';
	return 0;
}

static int verify_loaded(struct dg_rpm *rpm, struct loaded *l, struct dg_rpm_report *rep)
{
	struct rpm_verifier v = {
		.flags = rpm->flags,
		.whole = l->whole,
		.whole_len = l->whole_len,
	};

#if DG_RPM_HAVE_PGP
	v.fn = rpm_pgp_sigverify;
	v.ctx = rpm->pgp;
#endif
	if ((rpm->flags & DG_RPM_PAYLOAD) && !l->whole)
		v.whole = (const uint8_t *)"", v.whole_len = 0;	/* empty file */
	return rpm_verify_pkg(&l->pkg, &v, rep);
}

int dg_rpm_verify(struct dg_rpm *rpm, const char *path, struct dg_rpm_report *rep)
{
	struct loaded l;
	int r;

	memset(rep, 0, sizeof(*rep));
	r = load(rpm, path, &l, rep);
	if (r < 0)
		return r;
	r = verify_loaded(rpm, &l, rep);
	loaded_free(&l);
	return r;
}

int dg_rpm_files(struct dg_rpm *rpm, const char *path, dg_rpm_file_fn fn, void *ctx,
		 struct dg_rpm_report *rep)
{
	struct loaded l;
	int r;

	memset(rep, 0, sizeof(*rep));
	r = load(rpm, path, &l, rep);
	if (r < 0)
		return r;
	r = verify_loaded(rpm, &l, rep);
	if (r == 0 && !rep->signed_ok) {
		snprintf(rep->error, sizeof(rep->error),
			 "%s: no header signature verified against the keyring", path);
		r = -ENOKEY;
	}
	if (r == 0)
		r = rpm_pkg_files(&l.pkg, rpm->flags, fn, ctx, rep->error, sizeof(rep->error));
	loaded_free(&l);
	return r;
}

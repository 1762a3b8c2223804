// SPDX-License-Identifier: MIT
/*
 * dg_deb_*: the apt chain InRelease -> Packages -> .deb.  The InRelease is
 * verified by the OpenPGP core (its requests answered by the deb handler,
 * which carries the pgp handler's parser: one sandboxed process); the
 * signed text it gives back is what the handler then parses as a Release.
 * Each Packages file goes to the handler as it is (compressed or not);
 * the core hashes the text the answer describes and accepts it only when
 * that SHA-256 and size are an entry of the verified Release.  A .deb is
 * hashed here, read once, and looked up by SHA-256 and size.
 */
#include <digestguard/deb.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include <digestguard/pgp.h>
#include <digestguard/umd.h>

#include "blobs.h"
#include "deb_core.h"
#include "file.h"
#include "sha256.h"
#include "../../handlers/deb/deb_proto.h"

/* The largest answer: a data.tar stream (DEB_TAR_MAX) and its records
 * (64 MiB at most), within the frame limit of libumd (1 GiB). */
#define DEB_FRAME_MAX (DEB_TAR_MAX + (128u << 20))
#define DEB_HANDLER_TIMEOUT_MS 60000	/* 1 GiB of xz is slow, not hung */
#define DEB_READ_BLOCK (256u << 10)
/* A .deb whose files are listed is read whole and sent in one request;
 * larger ones are refused. */
#define DEB_FILE_MAX DEB_TAR_MAX
#define DEB_INRELEASE_MAX (64u << 20)
#define DEB_SIG_MAX (1u << 20)	/* a Release.gpg: a few signatures */

/* One loaded Packages file: the request and answer its spans point into. */
struct deb_list {
	char *name;
	uint8_t *req;
	struct dg_umd_answer ans;
	struct deb_packages p;
};

/* One verified InRelease: its signed text and the re-checked SHA256 list. */
struct deb_signed {
	char *name;
	uint8_t *text;
	size_t len;
	struct deb_release rel;
	char **entry_paths;		/* NUL-terminated copies, per entry */
	struct dg_deb_release_info info;
};

struct dg_deb {
	struct dg_umd *umd;		/* InRelease (pgp requests), Release, Packages */
	struct dg_umd *arc_umd;		/* .deb archives: a fresh process per call */
	struct dg_pgp *pgp;
	int64_t now;
	int64_t max_future;		/* seconds a Date may be ahead of now */
	struct deb_signed *rels;
	size_t n_rels;
	struct deb_list *lists;
	size_t n_lists;
	char err[512];
};

static void set_err(struct dg_deb *deb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_err(struct dg_deb *deb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(deb->err, sizeof(deb->err), fmt, ap);
	va_end(ap);
}

/* Put "@name: " before the reason deb->err holds. */
static void prefix_err(struct dg_deb *deb, const char *name)
{
	char why[sizeof(deb->err)];

	memcpy(why, deb->err, sizeof(why));
	set_err(deb, "%s: %s", name, why);
}

int dg_deb_new(unsigned int flags, struct dg_deb **out)
{
	struct dg_umd_desc d = {
		DG_UMD_DESC_BLOB(&dg_blob_deb),
		.max_frame = DEB_FRAME_MAX,
		.timeout_ms = DEB_HANDLER_TIMEOUT_MS,
		.flags = flags & DG_DEB_NO_NAMESPACES ? DG_UMD_NO_NAMESPACES : 0,
	};
	struct dg_pgp_policy pol;
	struct dg_deb *deb = calloc(1, sizeof(*deb));
	int r;

	*out = NULL;
	if (!deb)
		return -ENOMEM;
	deb->max_future = DG_DEB_MAX_FUTURE_DEFAULT;
	r = dg_umd_new(&d, &deb->umd);
	/*
	 * The data.tar of a .deb is the one thing whose parse the core cannot
	 * check by a hash (Debian signs the compressed member, not what it
	 * decompresses to): it goes to a process that has read nothing else,
	 * only bytes the archive signed, instead of one that parsed the
	 * unverified InRelease and Packages files before.
	 */
	if (r == 0) {
		d.flags |= DG_UMD_FRESH_PER_CALL;
		r = dg_umd_new(&d, &deb->arc_umd);
	}
	if (r == 0)
		r = dg_pgp_new(&deb->pgp);
	if (r < 0) {
		dg_deb_free(deb);
		return r;
	}
	dg_pgp_set_handler(deb->pgp, deb->umd);
	/* apt (1.8 and later) takes a Release.gpg of armored signature
	 * blocks only: a binary one, or text around the blocks, is refused. */
	dg_pgp_get_policy(deb->pgp, &pol);
	pol.armored_only = 1;
	dg_pgp_set_policy(deb->pgp, &pol);
	*out = deb;
	return 0;
}

static void lists_free(struct dg_deb *deb)
{
	size_t i;

	for (i = 0; i < deb->n_lists; i++) {
		deb_packages_free(&deb->lists[i].p);
		dg_umd_answer_free(&deb->lists[i].ans);
		free(deb->lists[i].req);
		free(deb->lists[i].name);
	}
	free(deb->lists);
	deb->lists = NULL;
	deb->n_lists = 0;
}

static void signed_free(struct deb_signed *sg)
{
	size_t i;

	if (sg->entry_paths)
		for (i = 0; i < sg->rel.n; i++)
			free(sg->entry_paths[i]);
	free(sg->entry_paths);
	deb_release_free(&sg->rel);
	free(sg->text);
	free(sg->name);
	memset(sg, 0, sizeof(*sg));
}

static void releases_free(struct dg_deb *deb)
{
	size_t i;

	lists_free(deb);
	for (i = 0; i < deb->n_rels; i++)
		signed_free(&deb->rels[i]);
	free(deb->rels);
	deb->rels = NULL;
	deb->n_rels = 0;
}

void dg_deb_free(struct dg_deb *deb)
{
	if (!deb)
		return;
	releases_free(deb);
	dg_pgp_free(deb->pgp);
	dg_umd_free(deb->umd);
	dg_umd_free(deb->arc_umd);
	free(deb);
}

int dg_deb_keyring_add_file(struct dg_deb *deb, const char *path)
{
	int r = dg_pgp_keyring_add_file(deb->pgp, path);

	set_err(deb, "%s", dg_pgp_last_error(deb->pgp));
	return r;
}

size_t dg_deb_keyring_count(const struct dg_deb *deb)
{
	return dg_pgp_keyring_count(deb->pgp);
}

void dg_deb_set_now(struct dg_deb *deb, int64_t now)
{
	deb->now = now;
}

int dg_deb_set_max_future(struct dg_deb *deb, int64_t seconds)
{
	if (seconds < 0)
		return -EINVAL;
	deb->max_future = seconds;
	return 0;
}

static int64_t deb_now(const struct dg_deb *deb)
{
	return deb->now ? deb->now : (int64_t)time(NULL);
}

const char *dg_deb_last_error(const struct dg_deb *deb)
{
	return deb->err[0] ? deb->err : "no error";
}

static void fmt_time(int64_t t, char *buf, size_t len)
{
	if (!deb_format_date(t, 1, "UTC", buf, len))
		snprintf(buf, len, "%lld", (long long)t);
}

/* Date and Valid-Until against the reference time, as apt checks them. */
static int check_validity(struct dg_deb *deb, const struct deb_signed *sg)
{
	int64_t now = deb_now(deb);
	char when[64];

	if (sg->rel.valid_until != INT64_MAX && now > sg->rel.valid_until) {
		fmt_time(sg->rel.valid_until, when, sizeof(when));
		set_err(deb, "%s: expired: its Valid-Until (%s) has passed", sg->name, when);
		return -EKEYEXPIRED;
	}
	/* apt's Acquire::Max-FutureTime: a clock a little behind the
	 * archive's is no reason to refuse it. */
	if (sg->rel.date != INT64_MIN && sg->rel.date > now &&
	    sg->rel.date - now > deb->max_future) {
		fmt_time(sg->rel.date, when, sizeof(when));
		set_err(deb, "%s: not valid yet: its Date (%s) is %lld s in the future (more "
			"than the %lld s allowed)", sg->name, when, (long long)(sg->rel.date - now),
			(long long)deb->max_future);
		return -EKEYEXPIRED;
	}
	return 0;
}

/* The first good signature's signer. */
static void keep_signer(struct deb_signed *sg, const struct dg_pgp_result *res)
{
	size_t i;

	for (i = 0; i < res->n_sigs; i++)
		if (res->sigs[i].status == 0) {
			memcpy(sg->info.signer_fpr, res->sigs[i].signer_fpr, res->sigs[i].fpr_len);
			sg->info.fpr_len = res->sigs[i].fpr_len;
			return;
		}
}

/* Why no signature was good: the first one's reason, or the core's. */
static const char *sig_reason(const struct dg_deb *deb, const struct dg_pgp_result *res)
{
	size_t i;

	for (i = 0; i < res->n_sigs; i++)
		if (res->sigs[i].reason[0])
			return res->sigs[i].reason;
	return dg_pgp_last_error(deb->pgp);
}

/*
 * Verify @data: an InRelease (@sig NULL), whose signed text is kept, or a
 * Release with its detached signature @sig (named @sig_name), the file
 * itself kept.  0, or -errno with the reason set.
 */
static int verify_signed(struct dg_deb *deb, struct deb_signed *sg, const void *data, size_t len,
			 const char *sig_name, const void *sig, size_t sig_len)
{
	struct dg_pgp_result res = { 0 };
	int r;

	if (sig)
		r = dg_pgp_verify_detached(deb->pgp, sig, sig_len, data, len, &res);
	else
		r = dg_pgp_verify_message(deb->pgp, data, len, &res, &sg->text, &sg->len);
	if (r < 0) {
		if (sig)
			set_err(deb, "%s: no valid signature from the keyring in %s (%s)", sg->name,
				sig_name, sig_reason(deb, &res));
		else
			set_err(deb, "%s: no valid signature from the keyring (%s)", sg->name,
				sig_reason(deb, &res));
		dg_pgp_result_free(&res);
		return r;
	}
	keep_signer(sg, &res);
	dg_pgp_result_free(&res);
	if (sig && !sg->text) {	/* the caller's bytes, not given to us: a copy */
		sg->text = malloc(len ? len : 1);
		if (!sg->text)
			return -ENOMEM;
		memcpy(sg->text, data, len);
		sg->len = len;
	}
	return 0;
}

/* Parse and re-check the verified Release text of @sg. */
static int load_signed(struct dg_deb *deb, struct deb_signed *sg)
{
	struct dg_umd_answer ans = { 0 };
	char why[sizeof(deb->err)];
	size_t i;
	int r;

	r = dg_umd_call(deb->umd, DEB_REQ_RELEASE, sg->text, sg->len, &ans);
	if (r < 0) {
		set_err(deb, "%s: %s", sg->name, dg_umd_last_error(deb->umd));
		return r;
	}
	r = deb_check_release(sg->text, sg->len, ans.data, ans.len, &sg->rel, why, sizeof(why));
	dg_umd_answer_free(&ans);
	if (r < 0) {
		set_err(deb, "%s: %s", sg->name, why);
		return r;
	}
	sg->entry_paths = calloc(sg->rel.n ? sg->rel.n : 1, sizeof(*sg->entry_paths));
	for (i = 0; sg->entry_paths && i < sg->rel.n; i++) {
		sg->entry_paths[i] = strndup((const char *)sg->text + sg->rel.e[i].path_off,
					     sg->rel.e[i].path_len);
		if (!sg->entry_paths[i])
			break;
	}
	if (!sg->entry_paths || i < sg->rel.n) {
		set_err(deb, "%s: out of memory", sg->name);
		return -ENOMEM;
	}
	sg->info.date = sg->rel.date;
	sg->info.valid_until = sg->rel.valid_until;
	sg->info.n_entries = sg->rel.n;
	return check_validity(deb, sg);
}

/*
 * Verify and take one more signed Release (see verify_signed()).  With
 * @owned (a Release with @sig only), @data is that malloc'd buffer, which
 * becomes the kept text instead of a copy, and is freed on failure.
 */
static int add_signed(struct dg_deb *deb, const char *name, const void *data, size_t len,
		      uint8_t *owned, const char *sig_name, const void *sig, size_t sig_len)
{
	struct deb_signed *n, *sg;
	int r;

	n = realloc(deb->rels, (deb->n_rels + 1) * sizeof(*n));
	if (!n) {
		free(owned);
		return -ENOMEM;
	}
	deb->rels = n;
	sg = &deb->rels[deb->n_rels];
	memset(sg, 0, sizeof(*sg));
	sg->text = owned;
	sg->len = owned ? len : 0;
	sg->name = strdup(name);
	r = sg->name ? verify_signed(deb, sg, data, len, sig_name, sig, sig_len) : -ENOMEM;
	if (r == 0)
		r = load_signed(deb, sg);
	if (r < 0) {
		signed_free(sg);
		return r;
	}
	deb->n_rels++;
	deb->err[0] = '\0';
	return 0;
}

int dg_deb_load_inrelease(struct dg_deb *deb, const char *name, const void *data, size_t len)
{
	return add_signed(deb, name, data, len, NULL, NULL, NULL, 0);
}

int dg_deb_load_release(struct dg_deb *deb, const char *name, const void *data, size_t len,
			const char *sig_name, const void *sig, size_t sig_len)
{
	if (!sig)
		return -EINVAL;
	return add_signed(deb, name, data, len, NULL, sig_name ? sig_name : "its signature", sig,
			  sig_len);
}

int dg_deb_release_info(const struct dg_deb *deb, struct dg_deb_release_info *info)
{
	if (!deb->n_rels)
		return -ENOENT;
	*info = deb->rels[deb->n_rels - 1].info;
	return 0;
}

/* Entry path ends in "Packages" (the uncompressed index's name). */
static int is_packages_path(const char *p)
{
	size_t n = strlen(p);

	return (n == 8 || (n > 8 && p[n - 9] == '/')) && !strcmp(p + n - 8, "Packages");
}

/*
 * A Release entry of this SHA-256 and size: its path, or NULL.  With
 * @packages, only one whose path ends in "Packages"; with @want, only the
 * one of that path.
 */
static const char *release_entry(const struct dg_deb *deb, const uint8_t sha[32], uint64_t size,
				 int packages, const char *want)
{
	size_t k, i;

	for (k = 0; k < deb->n_rels; k++) {
		const struct deb_signed *sg = &deb->rels[k];

		for (i = 0; i < sg->rel.n; i++)
			if (sg->rel.e[i].size == size && !memcmp(sg->rel.e[i].sha256, sha, 32) &&
			    (!packages || is_packages_path(sg->entry_paths[i])) &&
			    (!want || !strcmp(sg->entry_paths[i], want)))
				return sg->entry_paths[i];
	}
	return NULL;
}

/*
 * When the file as given is itself a Release entry ("main/binary-amd64/
 * Packages.xz"), its text must be the entry of the same path without the
 * compression's suffix: a handler cannot hand back another signed list.
 * (apt's own lists are often recompressed with lz4, which no Release
 * lists; their text is held to a "Packages" entry only.)  0, or -1.
 */
static int same_list(const struct dg_deb *deb, const uint8_t *req, size_t len,
		     const uint8_t text_sha[32], size_t text_len, const char **entry)
{
	static const char *const sfx[] = { ".gz", ".xz", ".bz2", ".lz4", ".zst", ".lzma" };
	char want[4096];
	uint8_t sha[32];
	const char *given;
	size_t i, n;

	dg_sha256(req, len, sha);
	given = release_entry(deb, sha, len, 0, NULL);
	if (!given || is_packages_path(given))
		return 0;
	n = strlen(given);
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		size_t sl = strlen(sfx[i]);

		if (n > sl && n - sl < sizeof(want) && !strcmp(given + n - sl, sfx[i])) {
			memcpy(want, given, n - sl);
			want[n - sl] = '\0';
			*entry = release_entry(deb, text_sha, text_len, 1, want);
			return *entry ? 0 : -1;
		}
	}
	return -1;
}

/*
 * dg_deb_load_packages() of @req, which it takes over (kept, since the
 * spans of a plain text point into it, or freed).
 */
static int load_packages(struct dg_deb *deb, const char *name, uint8_t *req, size_t len,
			 const char **entry_path)
{
	struct deb_list *l, *nl;
	const char *e;
	uint8_t sha[32];
	int r;

	if (!deb->n_rels) {
		set_err(deb, "%s: no verified InRelease to check it against", name);
		free(req);
		return -EINVAL;
	}
	nl = realloc(deb->lists, (deb->n_lists + 1) * sizeof(*nl));
	if (!nl) {
		set_err(deb, "%s: out of memory", name);
		free(req);
		return -ENOMEM;
	}
	deb->lists = nl;
	l = &deb->lists[deb->n_lists];
	memset(l, 0, sizeof(*l));
	l->req = req;
	l->name = strdup(name);
	if (!l->name) {
		set_err(deb, "%s: out of memory", name);
		free(l->req);
		return -ENOMEM;
	}
	r = dg_umd_call(deb->umd, DEB_REQ_PACKAGES, l->req, len, &l->ans);
	if (r < 0) {
		set_err(deb, "%s: %s", name, dg_umd_last_error(deb->umd));
		goto fail;
	}
	r = deb_check_packages(l->req, len, l->ans.data, l->ans.len, &l->p, deb->err,
			       sizeof(deb->err));
	if (r < 0) {
		prefix_err(deb, name);
		goto fail;
	}
	/* The text the records point into is the signed one, or nothing is. */
	dg_sha256(l->p.text, l->p.text_len, sha);
	e = release_entry(deb, sha, l->p.text_len, 1, NULL);
	if (e && l->p.compression != DEB_COMP_NONE && same_list(deb, l->req, len, sha,
								l->p.text_len, &e) < 0) {
		set_err(deb, "%s: its decompressed text is not the list the file is signed as", name);
		r = -ENOKEY;
		goto fail;
	}
	if (!e) {
		set_err(deb, "%s: its %stext (%zu bytes) is not listed in %s", name,
			l->p.compression != DEB_COMP_NONE ? "decompressed " : "", l->p.text_len,
			deb->n_rels == 1 ? deb->rels[0].name : "any of the InRelease files");
		r = -ENOKEY;
		goto fail;
	}
	if (entry_path)
		*entry_path = e;
	deb->n_lists++;
	deb->err[0] = '\0';
	return 0;
fail:
	deb_packages_free(&l->p);
	dg_umd_answer_free(&l->ans);
	free(l->req);
	free(l->name);
	return r;
}

int dg_deb_load_packages(struct dg_deb *deb, const char *name, const void *data, size_t len,
			 const char **entry_path)
{
	uint8_t *req = malloc(len ? len : 1);

	if (!req)
		return -ENOMEM;
	memcpy(req, data, len);
	return load_packages(deb, name, req, len, entry_path);
}

int dg_deb_lookup(struct dg_deb *deb, const uint8_t sha256[32], uint64_t size,
		  struct dg_deb_pkg *pkg)
{
	size_t i;
	int r;

	memset(pkg, 0, sizeof(*pkg));
	for (i = 0; i < deb->n_lists; i++) {
		const struct deb_idx *x = deb_packages_find(&deb->lists[i].p, sha256, size);

		if (!x)
			continue;
		r = deb_check_record(&deb->lists[i].p, x->rec, pkg, deb->err, sizeof(deb->err));
		if (r < 0) {
			prefix_err(deb, deb->lists[i].name);
			return r;
		}
		/* Indexed by the same span; a record that says otherwise lied. */
		if (memcmp(pkg->sha256, sha256, 32) || pkg->size != size) {
			dg_deb_pkg_free(pkg);
			set_err(deb, "%s: handler answer rejected: record %u is not what it "
				"was indexed as", deb->lists[i].name, x->rec);
			return -EBADMSG;
		}
		pkg->packages_name = deb->lists[i].name;
		return 0;
	}
	set_err(deb, "not listed in %s", deb->n_lists == 1 ? deb->lists[0].name :
		"any of the Packages files");
	return -ENOKEY;
}

int dg_deb_check_file(struct dg_deb *deb, const char *path, struct dg_deb_pkg *pkg)
{
	struct dg_sha256 h;
	uint8_t sha[32], *buf;
	uint64_t size = 0;
	struct stat st;
	ssize_t n;
	int fd, r;

	memset(pkg, 0, sizeof(*pkg));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = -errno;
		set_err(deb, "%s: %s", path, strerror(-r));
		if (fd >= 0)
			close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		set_err(deb, "%s: not a regular file", path);
		return -EINVAL;
	}
	buf = malloc(DEB_READ_BLOCK);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	dg_sha256_init(&h);
	while ((n = read(fd, buf, DEB_READ_BLOCK)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			set_err(deb, "%s: %s", path, strerror(-r));
			free(buf);
			close(fd);
			return r;
		}
		dg_sha256_update(&h, buf, (size_t)n);
		size += (uint64_t)n;
	}
	free(buf);
	close(fd);
	dg_sha256_final(&h, sha);
	r = dg_deb_lookup(deb, sha, size, pkg);
	if (r == -ENOKEY)
		prefix_err(deb, path);
	return r;
}

/* Read the regular file @path whole (at most @max bytes). */
static int read_whole(struct dg_deb *deb, const char *path, size_t max, uint8_t **out,
		      size_t *len)
{
	return dg_file_read(path, max, out, len, deb->err, sizeof(deb->err));
}

int dg_deb_files(struct dg_deb *deb, const char *path, struct dg_deb_pkg *pkg,
		 dg_deb_file_fn fn, void *ctx)
{
	struct dg_umd_answer ans = { 0 };
	char why[sizeof(deb->err)];
	struct deb_tar t;
	uint8_t sha[32], *buf = NULL;
	size_t len = 0;
	int r;

	memset(pkg, 0, sizeof(*pkg));
	r = read_whole(deb, path, DEB_FILE_MAX, &buf, &len);
	if (r < 0)
		return r;
	/* The bytes looked up are the bytes parsed: one read, one copy. */
	dg_sha256(buf, len, sha);
	r = dg_deb_lookup(deb, sha, len, pkg);
	if (r < 0) {
		prefix_err(deb, path);
		goto out;
	}
	/* A handler of its own, started for this .deb alone (docs/deb.md,
	 * "Trust"). */
	r = dg_umd_call(deb->arc_umd, DEB_REQ_ARCHIVE, buf, len, &ans);
	if (r < 0) {
		set_err(deb, "%s: %s", path, dg_umd_last_error(deb->arc_umd));
		goto out;
	}
	r = deb_check_archive(buf, len, ans.data, ans.len, &t, why, sizeof(why));
	if (r == 0) {
		why[0] = '\0';
		r = deb_tar_each_file(&t, fn, ctx, why, sizeof(why));
	}
	if (r < 0)
		set_err(deb, "%s: %s", path, why[0] ? why : strerror(-r));
out:
	dg_umd_answer_free(&ans);
	free(buf);
	if (r != 0)
		dg_deb_pkg_free(pkg);
	else
		deb->err[0] = '\0';
	return r;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && !strcmp(s + n - k, suffix);
}

/*
 * An apt lists name: "..._InRelease" or "..._Release" (kind 0; its
 * signature is "..._Release.gpg"), "..._Packages[.EXT]" (1).
 */
static int list_kind(const char *name)
{
	static const char *const pk[] = { "_Packages", "_Packages.gz", "_Packages.xz",
					  "_Packages.lz4", "_Packages.bz2" };
	size_t i;

	if (ends_with(name, "_InRelease") || ends_with(name, "_Release"))
		return 0;
	for (i = 0; i < sizeof(pk) / sizeof(pk[0]); i++)
		if (ends_with(name, pk[i]))
			return 1;
	return -1;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in @dir of @kind, sorted; *@out NULL-free on error. */
static int list_names(const char *dir, int kind, char ***out, size_t *n)
{
	char **v = NULL, **nv;
	size_t cap = 0;
	struct dirent *e;
	DIR *d = opendir(dir);
	int r = 0;

	*n = 0;
	if (!d)
		return -errno;
	/* NULL with errno set is a read error, not the end of the list */
	while ((errno = 0, e = readdir(d)) != NULL) {
		if (list_kind(e->d_name) != kind)
			continue;
		if (*n == cap) {
			nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));
			if (!nv) {
				r = -ENOMEM;
				break;
			}
			v = nv;
		}
		if (asprintf(&v[*n], "%s/%s", dir, e->d_name) < 0) {
			r = -ENOMEM;
			break;
		}
		(*n)++;
	}
	if (r == 0 && errno)
		r = -errno;
	closedir(d);
	if (r == 0 && *n)	/* qsort(NULL, 0, ...) is undefined: no list */
		qsort(v, *n, sizeof(*v), cmp_name);
	*out = v;
	return r;
}

/* Whether "..._Release" @path has an "..._InRelease" beside it. */
static int has_inrelease(const char *path)
{
	size_t n = strlen(path) - strlen("Release");
	char *p = malloc(n + sizeof("InRelease"));
	int r;

	if (!p)
		return 0;
	memcpy(p, path, n);
	memcpy(p + n, "InRelease", sizeof("InRelease"));
	r = access(p, F_OK) == 0;
	free(p);
	return r;
}

int dg_deb_load_lists(struct dg_deb *deb, const char *dir, int strict, dg_deb_error_fn on_err,
		      void *ctx, size_t *n_inrelease, size_t *n_packages)
{
	size_t *count[2] = { n_inrelease, n_packages };
	size_t found[2] = { 0, 0 };
	int kind, r = 0;

	*n_inrelease = *n_packages = 0;
	for (kind = 0; kind < 2 && r == 0; kind++) {
		char **names = NULL;
		size_t n = 0, i;

		r = list_names(dir, kind, &names, &n);
		if (r < 0)
			set_err(deb, "%s: %s", dir, strerror(-r));
		found[kind] = n;
		for (i = 0; i < n && r == 0; i++) {
			if (kind)
				r = dg_deb_load_packages_file(deb, names[i], NULL);
			else if (ends_with(names[i], "_InRelease"))
				r = dg_deb_load_inrelease_file(deb, names[i]);
			else if (has_inrelease(names[i]))
				continue;	/* apt uses the InRelease then */
			else
				r = dg_deb_load_release_file(deb, names[i], NULL);
			if (r == 0) {
				(*count[kind])++;
			} else if (!strict) {
				if (on_err)
					on_err(deb->err, ctx);
				r = 0;
			}
		}
		for (i = 0; i < n; i++)
			free(names[i]);
		free(names);
	}
	if (r == 0 && (!*n_inrelease || !*n_packages)) {
		kind = !*n_inrelease ? 0 : 1;
		set_err(deb, "%s: no %s could be loaded", dir,
			!kind ? "*_InRelease (or *_Release with *_Release.gpg) file" :
				"*_Packages file listed in them");
		/* None there is an input error; some there, none of which
		 * verified or was listed, is the chain saying no. */
		r = found[kind] ? -EKEYREJECTED : -ENOENT;
	}
	return r;
}

int dg_deb_load_inrelease_file(struct dg_deb *deb, const char *path)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int r = read_whole(deb, path, DEB_INRELEASE_MAX, &buf, &len);

	if (r == 0)
		r = dg_deb_load_inrelease(deb, path, buf, len);
	free(buf);
	return r;
}

int dg_deb_load_release_file(struct dg_deb *deb, const char *path, const char *sig_path)
{
	uint8_t *buf = NULL, *sig = NULL;
	size_t len = 0, sig_len = 0;
	char *own = NULL;
	int r;

	if (!sig_path && asprintf(&own, "%s.gpg", path) < 0)
		return -ENOMEM;
	if (own)
		sig_path = own;
	r = read_whole(deb, path, DEB_INRELEASE_MAX, &buf, &len);
	if (r == 0)
		r = read_whole(deb, sig_path, DEB_SIG_MAX, &sig, &sig_len);
	/* The buffer read is the text kept: no second copy of the Release. */
	if (r == 0)
		r = add_signed(deb, path, buf, len, buf, sig_path, sig, sig_len);
	else
		free(buf);
	free(sig);
	free(own);
	return r;
}

int dg_deb_load_packages_file(struct dg_deb *deb, const char *path, const char **entry_path)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int r = read_whole(deb, path, DEB_TEXT_MAX, &buf, &len);

	/* The buffer read is the one kept: no second copy of the list. */
	return r < 0 ? r : load_packages(deb, path, buf, len, entry_path);
}

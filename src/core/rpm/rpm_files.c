// SPDX-License-Identifier: MIT
/*
 * File digests of a verified package.  Every value used here comes from a
 * tag that rpm_check_answer() re-checked against its own 16-byte index
 * entry inside the main header, so it lies inside the bytes the header
 * signature covers.  Fixed-width arrays (FILEMODES, FILEFLAGS, DIRINDEXES,
 * FILEDIGESTALGO) are read by the core directly at the entry's offset;
 * strings come from records that tile their tag's data.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cursor.h"
#include "hex.h"
#include "log.h"
#include "rpm_core.h"
#include "../../handlers/rpm/rpm_parse.h"
#include "../../handlers/rpm/rpm_proto.h"

#define PGP_HASH_MD5 1
#define PGP_HASH_SHA1 2


/* A main-header STRING tag as a C string into @out. */
static int get_string(const struct rpm_pkg *pkg, uint32_t tag, char *out, size_t n)
{
	const struct rpm_tagref *t = rpm_pkg_tag(pkg, RPM_HDR_MAIN, tag);
	uint32_t len;
	const char *s;

	if (!t || !(s = rpm_pkg_string(pkg, t, 0, &len)))
		return -ENODATA;
	if (len >= n)
		return -E2BIG;
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

int rpm_pkg_nevra(const struct rpm_pkg *pkg, char *out, size_t n)
{
	char name[RPM_NEVRA_FIELD_MAX], ver[RPM_NEVRA_FIELD_MAX], rel[RPM_NEVRA_FIELD_MAX];
	char arch[RPM_NEVRA_ARCH_MAX], epoch[16] = "";
	const struct rpm_tagref *e = rpm_pkg_tag(pkg, RPM_HDR_MAIN, RPMTAG_EPOCH);
	int r;

	r = get_string(pkg, RPMTAG_NAME, name, sizeof(name));
	if (r == 0)
		r = get_string(pkg, RPMTAG_VERSION, ver, sizeof(ver));
	if (r == 0)
		r = get_string(pkg, RPMTAG_RELEASE, rel, sizeof(rel));
	if (r < 0)
		return r;
	/* No ARCH is noarch; one too long for the name is not. */
	r = get_string(pkg, RPMTAG_ARCH, arch, sizeof(arch));
	if (r == -E2BIG)
		return r;
	if (r < 0)
		snprintf(arch, sizeof(arch), "noarch");
	if (e && e->count >= 1)
		snprintf(epoch, sizeof(epoch), "%u:", get_be32(pkg->buf + e->data_off));
	if ((size_t)snprintf(out, n, "%s-%s%s-%s.%s", name, epoch, ver, rel, arch) >= n)
		return -E2BIG;
	return 0;
}

static size_t algo_len(int algo)
{
	switch (algo) {
	case 1: return 16;
	case 2: return 20;
	case 8: return 32;
	case 9: return 48;
	case 10: return 64;
	case 11: return 28;
	case 12: return 32;
	case 14: return 64;
	}
	return 0;
}

/* A per-file tag must have exactly @n items. */
static const struct rpm_tagref *per_file(const struct rpm_pkg *pkg, uint32_t tag, uint32_t n,
					 int required, char *err, size_t errlen, int *r)
{
	const struct rpm_tagref *t = rpm_pkg_tag(pkg, RPM_HDR_MAIN, tag);

	if (!t) {
		if (required)
			*r = dg_errf(err, errlen, -EBADMSG, "%s: main header lacks %s",
				  pkg->name, rpm_tag_name(RPM_HDR_MAIN, tag));
		return NULL;
	}
	if (t->count != n) {
		*r = dg_errf(err, errlen, -EBADMSG, "%s: %s has %u items for %u files",
			  pkg->name, rpm_tag_name(RPM_HDR_MAIN, tag), t->count, n);
		return NULL;
	}
	return t;
}

/* What rpm_pkg_files() reads each file from. */
struct files {
	const struct rpm_pkg *pkg;
	const struct rpm_tagref *dig, *modes, *fflags, *base, *dirs, *dirix, *old;
	int algo;
	size_t dlen;
	char *nevra, *path, hex[2 * 64 + 1];
	uint8_t bin[64];
};

/*
 * File @i of the package into @f (path, digest, mode; its strings in @fs):
 * 1 for a regular file, 0 for one without a digest to take (not regular,
 * %ghost), negative errno (the reason in @err) for a malformed one.
 */
static int file_at(struct files *fs, uint32_t i, struct dg_rpm_file *f, char *err, size_t errlen)
{
	const struct rpm_pkg *pkg = fs->pkg;
	uint32_t mode = (uint32_t)pkg->buf[fs->modes->data_off + 2 * i] << 8 |
			pkg->buf[fs->modes->data_off + 2 * i + 1];
	uint32_t ff = fs->fflags ? get_be32(pkg->buf + fs->fflags->data_off + 4 * i) : 0;
	uint32_t hl, bl, dl;
	const char *h = rpm_pkg_string(pkg, fs->dig, i, &hl), *b, *d;

	if (!S_ISREG(mode) || (ff & RPMFILE_GHOST))
		return 0;
	if (hl != 2 * fs->dlen || dg_unhex_n(h, fs->bin, fs->dlen) < 0)
		return dg_errf(err, errlen, -EBADMSG, "%s: FILEDIGESTS item %u is not a %s digest in hex",
			       pkg->name, i, dg_rpm_hash_name(fs->algo));
	if (fs->base) {
		uint32_t di = get_be32(pkg->buf + fs->dirix->data_off + 4 * i);

		if (di >= fs->dirs->count)
			return dg_errf(err, errlen, -EBADMSG, "%s: DIRINDEXES item %u is %u, DIRNAMES has %u",
				       pkg->name, i, di, fs->dirs->count);
		d = rpm_pkg_string(pkg, fs->dirs, di, &dl);
		b = rpm_pkg_string(pkg, fs->base, i, &bl);
	} else {
		d = "";
		dl = 0;
		b = rpm_pkg_string(pkg, fs->old, i, &bl);
	}
	if (dl > RPM_PATH_MAX || bl > RPM_PATH_MAX)
		return dg_errf(err, errlen, -E2BIG, "%s: path of file %u too long", pkg->name, i);
	memcpy(fs->path, d, dl);
	memcpy(fs->path + dl, b, bl);
	fs->path[dl + bl] = '\0';
	if (fs->path[0] != '/')
		return dg_errf(err, errlen, -EBADMSG, "%s: file %u path is not absolute", pkg->name, i);
	hl = (uint32_t)(2 * fs->dlen);
	for (bl = 0; bl < hl; bl++)
		fs->hex[bl] = (char)(h[bl] >= 'A' && h[bl] <= 'F' ? h[bl] - 'A' + 'a' : h[bl]);
	fs->hex[hl] = '\0';
	f->nevra = fs->nevra;
	f->path = fs->path;
	f->hex = fs->hex;
	f->algo = fs->algo;
	f->digest = fs->bin;
	f->digest_len = fs->dlen;
	f->mode = mode;
	return 1;
}

int rpm_pkg_files(const struct rpm_pkg *pkg, unsigned int flags, dg_rpm_file_fn fn,
		  void *ctx, char *err, size_t errlen)
{
	const struct rpm_tagref *alg;
	struct files fs = { .pkg = pkg, .algo = PGP_HASH_MD5 };
	char nevra[512];
	int r;
	uint32_t nfiles, i, pass;

	r = rpm_pkg_nevra(pkg, nevra, sizeof(nevra));
	if (r == -E2BIG)
		return dg_errf(err, errlen, r, "%s: NAME, VERSION, RELEASE or ARCH too long for "
			       "a package name (limits %d, %d, %d, %d bytes; %zu in all)", pkg->name,
			       RPM_NEVRA_FIELD_MAX - 1, RPM_NEVRA_FIELD_MAX - 1,
			       RPM_NEVRA_FIELD_MAX - 1, RPM_NEVRA_ARCH_MAX - 1, sizeof(nevra) - 1);
	if (r < 0)
		return dg_errf(err, errlen, -EBADMSG, "%s: main header lacks NAME, VERSION or RELEASE",
			       pkg->name);
	fs.nevra = nevra;
	fs.base = rpm_pkg_tag(pkg, RPM_HDR_MAIN, RPMTAG_BASENAMES);
	fs.old = rpm_pkg_tag(pkg, RPM_HDR_MAIN, RPMTAG_OLDFILENAMES);
	nfiles = fs.base ? fs.base->count : fs.old ? fs.old->count : 0;
	if (nfiles == 0)
		return 0;	/* a package without files */
	alg = rpm_pkg_tag(pkg, RPM_HDR_MAIN, RPMTAG_FILEDIGESTALGO);
	if (alg) {
		/* The handler refuses count 0, a liar need not: never read a
		 * value the tag's data does not hold. */
		if (alg->type != RPM_TYPE_INT32 || alg->count < 1 || alg->data_len < 4)
			return dg_errf(err, errlen, -EBADMSG,
				    "%s: FILEDIGESTALGO has type %u and %u items, want one INT32",
				    pkg->name, alg->type, alg->count);
		fs.algo = (int)get_be32(pkg->buf + alg->data_off);
	}
	fs.dlen = algo_len(fs.algo);
	if (!fs.dlen)
		return dg_errf(err, errlen, -EOPNOTSUPP, "%s: file digest algorithm %d is not supported",
			    pkg->name, fs.algo);
	if ((fs.algo == PGP_HASH_MD5 || fs.algo == PGP_HASH_SHA1) && !(flags & DG_RPM_ALLOW_WEAK))
		return dg_errf(err, errlen, -EOPNOTSUPP,
			    "%s: file digests are %s%s; refused (--allow-weak accepts them)",
			    pkg->name, dg_rpm_hash_name(fs.algo),
			    alg ? "" : " (no FILEDIGESTALGO tag means MD5)");
	fs.dig = per_file(pkg, RPMTAG_FILEDIGESTS, nfiles, 1, err, errlen, &r);
	fs.modes = r ? NULL : per_file(pkg, RPMTAG_FILEMODES, nfiles, 1, err, errlen, &r);
	fs.fflags = r ? NULL : per_file(pkg, RPMTAG_FILEFLAGS, nfiles, 0, err, errlen, &r);
	fs.dirix = r || !fs.base ? NULL :
		   per_file(pkg, RPMTAG_DIRINDEXES, nfiles, 1, err, errlen, &r);
	fs.dirs = fs.base ? rpm_pkg_tag(pkg, RPM_HDR_MAIN, RPMTAG_DIRNAMES) : NULL;
	if (r < 0)
		return r;
	if (fs.base && !fs.dirs)
		return dg_errf(err, errlen, -EBADMSG, "%s: main header lacks DIRNAMES", pkg->name);
	fs.path = malloc(2 * RPM_PATH_MAX + 2);
	if (!fs.path)
		return dg_errf(err, errlen, -ENOMEM, "%s: out of memory", pkg->name);
	/*
	 * Two passes: the first checks every file, the second hands them
	 * out, so that a package refused at its last file has given none
	 * (`rpm digests` prints from @fn).
	 */
	for (pass = 0; pass < 2 && r == 0; pass++) {
		for (i = 0; i < nfiles && r == 0; i++) {
			struct dg_rpm_file f;

			r = file_at(&fs, i, &f, err, errlen);
			if (r > 0)
				r = pass == 1 ? fn(&f, ctx) : 0;
		}
	}
	free(fs.path);
	return r;
}

/* SPDX-License-Identifier: MIT */
/*
 * Internal to the deb core: the re-checks of the deb handler's answers
 * (deb_check.c), separate from the context (deb.c) so that tests and the
 * fuzz target can feed them any answer.
 */
#ifndef DG_DEB_CORE_H
#define DG_DEB_CORE_H

#include <stddef.h>
#include <stdint.h>

#include <digestguard/deb.h>

static inline uint32_t deb_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t deb_le64(const uint8_t *p)
{
	return (uint64_t)deb_le32(p) | (uint64_t)deb_le32(p + 4) << 32;
}

/* "handler answer rejected: " and the reason into @err; -EBADMSG. */
int deb_reject(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One line of the Release's SHA256 field, re-checked. */
struct deb_rel_entry {
	uint8_t sha256[32];
	uint64_t size;
	size_t path_off, path_len;	/* in the Release text */
};

struct deb_release {
	int64_t date;			/* INT64_MIN: no Date */
	int64_t valid_until;		/* INT64_MAX: no Valid-Until */
	struct deb_rel_entry *e;
	size_t n;
};

/*
 * Re-check the DEB_REQ_RELEASE answer @ans for the text @text (what was
 * sent): every span against the text, each entry line re-read by the
 * grammar of deb_proto.h, each date printed back and compared.  0 and
 * *@out filled (free with deb_release_free()), or -EBADMSG with @err.
 */
int deb_check_release(const uint8_t *text, size_t n, const uint8_t *ans, size_t ans_len,
		      struct deb_release *out, char *err, size_t errlen);
void deb_release_free(struct deb_release *r);

/* A SHA-256 and size of a Packages record, sorted for lookups. */
struct deb_idx {
	uint8_t sha256[32];
	uint64_t size;
	uint32_t rec;
};

struct deb_packages {
	const uint8_t *text;		/* the request, or the answer's text */
	size_t text_len;
	int compression;		/* DEB_COMP_* as the handler said */
	const uint8_t *records;		/* the answer's records */
	size_t n_records, n_skipped;
	struct deb_idx *idx;		/* n_records entries, by SHA-256 then size */
};

/*
 * Re-check the DEB_REQ_PACKAGES answer's layout for request @req and index
 * its records by the SHA-256 their SHA256 span holds.  @out points into
 * @req and @ans, which must outlive it.  A record's other fields are
 * re-checked when a lookup finds it (deb_check_record()).  0 or -EBADMSG.
 */
int deb_check_packages(const uint8_t *req, size_t req_len, const uint8_t *ans, size_t ans_len,
		       struct deb_packages *out, char *err, size_t errlen);
void deb_packages_free(struct deb_packages *p);

/* The first index entry with @sha256 and @size, or NULL. */
const struct deb_idx *deb_packages_find(const struct deb_packages *p, const uint8_t sha256[32],
					uint64_t size);

/*
 * Re-check record @rec in full (its paragraph, each of the six fields a
 * one-line "Name: value" of that paragraph, Size and SHA256 as indexed)
 * and fill @pkg's strings.  0, -EBADMSG with @err, or -ENOMEM.
 */
int deb_check_record(const struct deb_packages *p, uint32_t rec, struct dg_deb_pkg *pkg,
		     char *err, size_t errlen);

/* A re-checked DEB_REQ_ARCHIVE answer: the tar stream and its records. */
struct deb_tar {
	const uint8_t *tar;		/* in the answer, or the .deb's data member */
	size_t tar_len;
	const uint8_t *recs;		/* the answer's records */
	size_t n;
	int compression;		/* DEB_COMP_* of the data member */
};

/*
 * Re-check the DEB_REQ_ARCHIVE answer @ans for the .deb @deb: its ar
 * headers walked from the magic to the data member, every tar header of
 * the stream (checksum, size, mode, type, each at the offset the previous
 * one leads to), each path claim, nothing after the last.  @out points
 * into @deb and @ans.  0 or -EBADMSG with @err.
 */
int deb_check_archive(const uint8_t *deb, size_t deb_len, const uint8_t *ans, size_t ans_len,
		      struct deb_tar *out, char *err, size_t errlen);

/*
 * Call @fn for each regular file of a re-checked stream, with its path
 * ("/usr/bin/x") and the SHA-256 of its bytes; stops at @fn's first
 * non-zero return and returns it.  -EBADMSG with @err for a path with a
 * control character, a ".." component, or longer than 4 KiB.
 */
int deb_tar_each_file(const struct deb_tar *t, dg_deb_file_fn fn, void *ctx, char *err,
		      size_t errlen);

/*
 * The Release date form of deb_proto.h for @t ("Sat, 11 Jul 2026 10:16:37
 * UTC"); @lead_zero gives the day two digits.  Returns the length written.
 */
size_t deb_format_date(int64_t t, int lead_zero, const char *zone, char *out, size_t outlen);

#endif

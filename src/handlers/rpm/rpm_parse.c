// SPDX-License-Identifier: MIT
/*
 * RPM package structure (rpm's doc/manual/format_v4.md, format_v6.md):
 *   lead (96 bytes) | signature header, padded to 8 | main header | payload
 * A header is a 16-byte intro (magic 8e ad e8 01 00 00 00 00, be32 index
 * count il, be32 data size dl), il 16-byte index entries (be32 tag, type,
 * offset, count) and dl bytes of data.  Every entry is checked like rpm's
 * hdrblobVerifyInfo()/hdrblobVerifyRegion() do, stricter where rpm is lax:
 * data spans may not overlap.  The main header's tags must have rpm's types
 * (rpm_tagtypes.h, generated from rpm).
 */
#include "rpm_parse.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cursor.h"
#include "log.h"
#include "rpm_proto.h"
#include "rpm_sig.h"
#include "rpm_tagtypes.h"

static const uint8_t lead_magic[4] = { 0xed, 0xab, 0xee, 0xdb };
static const uint8_t header_magic[8] = { 0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0 };

struct rpm_entry {
	uint32_t tag, type, offset, count;
	uint32_t len;	/* data bytes, computed and checked */
};

/*
 * Headers of up to this many entries (every signature header, most main
 * headers) are parsed without a heap allocation: the handler's libc may
 * map and unmap memory for each request otherwise.
 */
#define RPM_HDR_SMALL_IL 256u

struct rpm_hdr {
	int kind;		/* RPM_HDR_SIG / RPM_HDR_MAIN */
	size_t off;		/* file offset of the intro */
	uint32_t il, dl;
	size_t data_off;	/* file offset of the data store */
	const uint8_t *data;
	struct rpm_entry *ent;	/* ent_small or a heap array (hdr_release()) */
	int region;
	struct rpm_entry ent_small[RPM_HDR_SMALL_IL];
};

struct span_ref {
	uint32_t off, len, idx;
};


static const char *hdr_name(int kind)
{
	return kind == RPM_HDR_SIG ? "signature header" : "main header";
}

/* rpm's entry for main header tag @tag, NULL when rpm has no type for it. */
static const struct rpm_tagtype *rpm_tagtype_find(uint32_t tag)
{
	size_t lo = 0, hi = sizeof(rpm_tagtypes) / sizeof(rpm_tagtypes[0]);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rpm_tagtypes[mid].tag == tag)
			return &rpm_tagtypes[mid];
		if (rpm_tagtypes[mid].tag < tag)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const char *type_name(uint32_t type)
{
	static const char *const names[] = {
		"NULL", "CHAR", "INT8", "INT16", "INT32", "INT64",
		"STRING", "BIN", "STRING_ARRAY", "I18NSTRING",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

/* "tag 1035 (FILEDIGESTS)" or "tag 1234" for messages. */
static const char *tag_label(int kind, uint32_t tag, char *buf, size_t n)
{
	const char *name = rpm_tag_name(kind, tag);
	const struct rpm_tagtype *t;

	/* Numbers name other tags in the signature header: rpm's names are
	 * for the main header only. */
	if (!strcmp(name, "?") && kind == RPM_HDR_MAIN && (t = rpm_tagtype_find(tag)))
		name = t->name;
	if (strcmp(name, "?"))
		snprintf(buf, n, "tag %d (%s)", (int32_t)tag, name);
	else
		snprintf(buf, n, "tag %d", (int32_t)tag);	/* signed, as rpm prints it */
	return buf;
}

static size_t type_size(uint32_t type)
{
	switch (type) {
	case RPM_TYPE_CHAR: case RPM_TYPE_INT8: case RPM_TYPE_BIN:
		return 1;
	case RPM_TYPE_INT16:
		return 2;
	case RPM_TYPE_INT32:
		return 4;
	case RPM_TYPE_INT64:
		return 8;
	}
	return 0;
}

static int is_string_type(uint32_t type)
{
	return type == RPM_TYPE_STRING || type == RPM_TYPE_STRING_ARRAY ||
	       type == RPM_TYPE_I18NSTRING;
}

static int is_path_tag(int kind, uint32_t tag)
{
	return kind == RPM_HDR_MAIN && (tag == RPMTAG_BASENAMES ||
	       tag == RPMTAG_DIRNAMES || tag == RPMTAG_OLDFILENAMES);
}

/*
 * Length of one NUL-terminated string at the start of @c (without the NUL),
 * at most @max; -EBADMSG when unterminated, -E2BIG when longer.
 */
static int string_len(const struct dg_cur *c, size_t max, uint32_t *out)
{
	size_t lim = c->len < max + 1 ? c->len : max + 1;
	const uint8_t *nul = memchr(c->p, 0, lim);

	if (!nul)
		return c->len > max ? -E2BIG : -EBADMSG;
	*out = (uint32_t)(nul - c->p);
	return 0;
}

/* Compute and check the data length of entry @e (rpm's dataLength()). */
static int entry_length(const struct rpm_hdr *h, struct rpm_entry *e,
			char *err, size_t errlen)
{
	struct dg_cur c = cur_init(h->data + e->offset, h->dl - e->offset);
	size_t max = is_path_tag(h->kind, e->tag) ? RPM_PATH_MAX : RPM_STRING_MAX;
	size_t sz = type_size(e->type), total = 0;
	char tl[48];
	uint32_t i, n;
	int r;

	if (!is_string_type(e->type)) {
		if (e->count > c.len / sz)
			return dg_errf(err, errlen, -EBADMSG,
				    "%s %s: %u items of %zu bytes at data offset %u run past the data size %u",
				    hdr_name(h->kind),
				    tag_label(h->kind, e->tag, tl, sizeof(tl)), e->count, sz, e->offset, h->dl);
		e->len = (uint32_t)(e->count * sz);
		return 0;
	}
	if (e->type == RPM_TYPE_STRING && e->count != 1)
		return dg_errf(err, errlen, -EBADMSG, "%s %s: string with count %u",
			    hdr_name(h->kind),
			    tag_label(h->kind, e->tag, tl, sizeof(tl)), e->count);
	/* Each string takes at least one byte: this bounds the loop. */
	if (e->count > c.len)
		return dg_errf(err, errlen, -EBADMSG,
			    "%s %s: %u strings cannot fit in %zu bytes",
			    hdr_name(h->kind),
			    tag_label(h->kind, e->tag, tl, sizeof(tl)), e->count, c.len);
	for (i = 0; i < e->count; i++) {
		r = string_len(&c, max, &n);
		if (r == -E2BIG)
			return dg_errf(err, errlen, r,
				    "%s %s: string %u longer than limit %zu",
				    hdr_name(h->kind),
				    tag_label(h->kind, e->tag, tl, sizeof(tl)), i, max);
		if (r < 0)
			return dg_errf(err, errlen, r,
				    "%s %s: string %u is not terminated inside the data",
				    hdr_name(h->kind),
				    tag_label(h->kind, e->tag, tl, sizeof(tl)), i);
		cur_skip(&c, (size_t)n + 1);
		total += (size_t)n + 1;
	}
	e->len = (uint32_t)total;
	return 0;
}

/* rpm's hdrblobVerifyRegion(): the region tag and its trailer. */
static int check_region(struct rpm_hdr *h, char *err, size_t errlen)
{
	uint32_t rtag = h->kind == RPM_HDR_SIG ? RPMTAG_HEADERSIGNATURES
					       : RPMTAG_HEADERIMMUTABLE;
	const struct rpm_entry *e = &h->ent[0];
	struct dg_cur c;
	uint32_t ttag, ttype, toff, tcount, ril, rdl;

	if (e->tag != rtag) {
		if (e->tag == RPMTAG_HEADERSIGNATURES || e->tag == RPMTAG_HEADERIMMUTABLE ||
		    e->tag == RPMTAG_HEADERIMAGE)
			return dg_errf(err, errlen, -EBADMSG, "%s: region tag %u in the wrong header",
				    hdr_name(h->kind), e->tag);
		return 0;	/* legacy header without a region, as rpm allows */
	}
	if (e->type != RPM_TYPE_BIN || e->count != RPM_ENTRY_SIZE)
		return dg_errf(err, errlen, -EBADMSG, "%s: region tag %u has type %u count %u, want 7 and 16",
			    hdr_name(h->kind), rtag, e->type, e->count);
	c = cur_init(h->data + e->offset, h->dl - e->offset);
	if (cur_be32(&c, &ttag) < 0 || cur_be32(&c, &ttype) < 0 ||
	    cur_be32(&c, &toff) < 0 || cur_be32(&c, &tcount) < 0)
		return dg_errf(err, errlen, -EBADMSG, "%s: region trailer runs past the data",
			    hdr_name(h->kind));
	/* Old packages carry HEADERIMAGE in the signature region trailer. */
	if (h->kind == RPM_HDR_SIG && ttag == RPMTAG_HEADERIMAGE)
		ttag = RPMTAG_HEADERSIGNATURES;
	if (ttag != rtag || ttype != RPM_TYPE_BIN || tcount != RPM_ENTRY_SIZE)
		return dg_errf(err, errlen, -EBADMSG, "%s: invalid region trailer (tag %u type %u count %u)",
			    hdr_name(h->kind), ttag, ttype, tcount);
	/* The trailer's offset is negative: minus the region's index bytes.
	 * As in rpm, a region of no entries is one (0 <= ril <= il): the
	 * signature header may have it, the main header must be all region. */
	toff = (uint32_t)-toff;
	if (toff % RPM_ENTRY_SIZE || toff / RPM_ENTRY_SIZE > h->il)
		return dg_errf(err, errlen, -EBADMSG, "%s: invalid region size %u",
			    hdr_name(h->kind), toff);
	ril = toff / RPM_ENTRY_SIZE;
	rdl = e->offset + RPM_ENTRY_SIZE;
	/* In a package file the main header is exactly its region (rpm: exact_size). */
	if (h->kind == RPM_HDR_MAIN && (ril != h->il || rdl != h->dl))
		return dg_errf(err, errlen, -EBADMSG,
			    "main header: immutable region covers %u of %u entries and %u of %u data bytes",
			    ril, h->il, rdl, h->dl);
	h->region = 1;
	return 0;
}

/*
 * rpm's hdrblobVerifyInfo(): after the region tag, each entry's data starts
 * at or after the end of the previous entry's ("Previous data must not
 * overlap"), so the data lies in index order.  rpm refuses a header where
 * it does not (tag[N]: BAD); check_overlap(), run first to name both tags
 * of an overlap, takes any order.
 */
static int check_order(const struct rpm_hdr *h, char *err, size_t errlen)
{
	uint64_t end = 0;
	char t1[48];
	uint32_t i;

	for (i = h->region ? 1 : 0; i < h->il; i++) {
		const struct rpm_entry *e = &h->ent[i];

		if (e->offset < end)
			return dg_errf(err, errlen, -EBADMSG,
				    "%s entry %u, %s: data offset %u before the end %llu of the previous entry's data",
				    hdr_name(h->kind), i,
				    tag_label(h->kind, e->tag, t1, sizeof(t1)), e->offset,
				    (unsigned long long)end);
		end = (uint64_t)e->offset + e->len;
	}
	return 0;
}

/*
 * rpm's hdrchkTagType(), which hdrblobVerifyInfo() applies to each entry of
 * a header read with its immutable region, after the region entry: a tag
 * rpm knows must have rpm's type (rpm_tagtypes.h), except that any string
 * type (STRING, STRING_ARRAY, I18NSTRING) may stand for another; a tag rpm
 * does not know, or knows without a type, may have any.  The return type
 * (scalar or array) is not compared, so counts are free.  rpm does not
 * type-check the signature header ("Can't typecheck signature header
 * tags"), nor a main header without a region (a legacy v3 header).
 */
static int check_tag_types(const struct rpm_hdr *h, char *err, size_t errlen)
{
	char tl[48], want[64];
	uint32_t i;

	if (h->kind != RPM_HDR_MAIN || !h->region)
		return 0;
	for (i = 1; i < h->il; i++) {
		const struct rpm_entry *e = &h->ent[i];
		const struct rpm_tagtype *t = rpm_tagtype_find(e->tag);

		if (!t || t->type == e->type)
			continue;
		if (is_string_type(t->type) && is_string_type(e->type))
			continue;
		snprintf(want, sizeof(want), is_string_type(t->type) ?
			 "a string type (rpm's type for the tag: %s)" : "%s (rpm's type for the tag)",
			 type_name(t->type));
		return dg_errf(err, errlen, -EBADMSG, "%s entry %u, %s: type %u (%s), want %s",
			       hdr_name(h->kind), i, tag_label(h->kind, e->tag, tl, sizeof(tl)),
			       e->type, type_name(e->type), want);
	}
	return 0;
}

static int cmp_span(const void *a, const void *b)
{
	const struct span_ref *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

static int check_overlap(const struct rpm_hdr *h, char *err, size_t errlen)
{
	struct span_ref small[RPM_HDR_SMALL_IL];
	struct span_ref *s = h->il <= RPM_HDR_SMALL_IL ? small : calloc(h->il, sizeof(*s));
	char t1[48], t2[48];
	uint32_t i;
	int r = 0;

	if (!s)
		return dg_errf(err, errlen, -ENOMEM, "out of memory");
	for (i = 0; i < h->il; i++) {
		s[i].off = h->ent[i].offset;
		s[i].len = h->ent[i].len;
		s[i].idx = i;
	}
	qsort(s, h->il, sizeof(*s), cmp_span);
	for (i = 1; i < h->il && !r; i++) {
		const struct span_ref *p = &s[i - 1], *q = &s[i];

		if ((uint64_t)p->off + p->len > q->off)
			r = dg_errf(err, errlen, -EBADMSG, "%s %s: data overlaps %s",
				 hdr_name(h->kind),
				 tag_label(h->kind, h->ent[q->idx].tag, t1, sizeof(t1)),
				 tag_label(h->kind, h->ent[p->idx].tag, t2, sizeof(t2)));
	}
	if (s != small)
		free(s);
	return r;
}

/* Parse and check the header at file offset @off. */
static int parse_header(const uint8_t *pkg, size_t len, size_t off, int kind,
			struct rpm_hdr *h, char *err, size_t errlen)
{
	uint32_t imax = kind == RPM_HDR_SIG ? RPM_SIG_INDEX_MAX : RPM_INDEX_MAX;
	uint32_t dmax = kind == RPM_HDR_SIG ? RPM_SIG_DATA_MAX : RPM_DATA_MAX;
	struct dg_cur c, intro, index, data;
	uint8_t magic[8];
	uint32_t i, j;
	char tl[48];
	int r;

	memset(h, 0, offsetof(struct rpm_hdr, ent_small));
	h->kind = kind;
	h->off = off;
	if (off > len)
		return dg_errf(err, errlen, -ENODATA, "%s at offset %zu: file ends at %zu",
			    hdr_name(kind), off, len);
	c = cur_init(pkg + off, len - off);
	if (cur_take(&c, RPM_INTRO_SIZE, &intro) < 0)
		return dg_errf(err, errlen, -ENODATA, "%s at offset %zu: truncated intro",
			    hdr_name(kind), off);
	cur_bytes(&intro, magic, sizeof(magic));
	cur_be32(&intro, &h->il);
	cur_be32(&intro, &h->dl);
	if (memcmp(magic, header_magic, sizeof(magic)))
		return dg_errf(err, errlen, -EBADMSG, "%s at offset %zu: bad magic",
			    hdr_name(kind), off);
	if (h->il < 1)
		return dg_errf(err, errlen, -EBADMSG, "%s: no index entries", hdr_name(kind));
	if (h->il > imax)
		return dg_errf(err, errlen, -E2BIG, "%s index count %u exceeds limit %u",
			    hdr_name(kind), h->il, imax);
	if (h->dl > dmax)
		return dg_errf(err, errlen, -E2BIG, "%s data size %u exceeds limit %u",
			    hdr_name(kind), h->dl, dmax);
	if (cur_take(&c, (size_t)h->il * RPM_ENTRY_SIZE, &index) < 0 ||
	    cur_take(&c, h->dl, &data) < 0)
		return dg_errf(err, errlen, -ENODATA,
			    "%s at offset %zu: truncated (needs %zu bytes, %zu available)",
			    hdr_name(kind), off,
			    RPM_INTRO_SIZE + (size_t)h->il * RPM_ENTRY_SIZE + h->dl, len - off);
	h->data = data.p;
	h->data_off = cur_off(&data, pkg);
	h->ent = h->il <= RPM_HDR_SMALL_IL ? h->ent_small : calloc(h->il, sizeof(*h->ent));
	if (!h->ent)
		return dg_errf(err, errlen, -ENOMEM, "out of memory");
	for (i = 0; i < h->il; i++) {
		struct rpm_entry *e = &h->ent[i];
		size_t align;

		cur_be32(&index, &e->tag);
		cur_be32(&index, &e->type);
		cur_be32(&index, &e->offset);
		cur_be32(&index, &e->count);
		/* rpm's hdrchkTag(); only a region tag may sit below 100, first.
		 * rpm's tags are signed: one with the top bit set is below. */
		if ((int32_t)e->tag < 100 && (i != 0 || (e->tag != RPMTAG_HEADERIMAGE &&
		    e->tag != RPMTAG_HEADERSIGNATURES && e->tag != RPMTAG_HEADERIMMUTABLE)))
			return dg_errf(err, errlen, -EBADMSG, "%s entry %u: invalid %s",
				    hdr_name(kind), i, tag_label(kind, e->tag, tl, sizeof(tl)));
		if (e->type < RPM_TYPE_CHAR || e->type > RPM_TYPE_I18NSTRING)
			return dg_errf(err, errlen, -EBADMSG, "%s %s: invalid type %u",
				    hdr_name(kind),
				    tag_label(kind, e->tag, tl, sizeof(tl)), e->type);
		if (e->count == 0)
			return dg_errf(err, errlen, -EBADMSG, "%s %s: count 0", hdr_name(kind),
			tag_label(kind, e->tag, tl, sizeof(tl)));
		/* rpm's hdrchkArray(), in both headers: only BIN may hold more. */
		if (e->type != RPM_TYPE_BIN && e->count > RPM_ARRAY_MAX)
			return dg_errf(err, errlen, -E2BIG, "%s %s: %u items exceed limit %u",
				    hdr_name(kind),
				    tag_label(kind, e->tag, tl, sizeof(tl)), e->count, RPM_ARRAY_MAX);
		if (e->offset >= h->dl)
			return dg_errf(err, errlen, -EBADMSG,
				    "%s %s: data offset %u outside the data size %u",
				    hdr_name(kind),
				    tag_label(kind, e->tag, tl, sizeof(tl)), e->offset, h->dl);
		align = type_size(e->type);
		if (align > 1 && e->offset % align)
			return dg_errf(err, errlen, -EBADMSG, "%s %s: data offset %u misaligned for type %u",
				    hdr_name(kind),
				    tag_label(kind, e->tag, tl, sizeof(tl)), e->offset, e->type);
		r = entry_length(h, e, err, errlen);
		if (r < 0)
			return r;
		if (!rpm_tag_wanted(kind, e->tag))
			continue;
		if (e->type != (uint32_t)rpm_tag_type(kind, e->tag))
			return dg_errf(err, errlen, -EBADMSG, "%s %s: type %u, expected %d",
				    hdr_name(kind),
				    tag_label(kind, e->tag, tl, sizeof(tl)), e->type, rpm_tag_type(kind, e->tag));
		for (j = 0; j < i; j++)
			if (h->ent[j].tag == e->tag)
				return dg_errf(err, errlen, -EBADMSG, "%s %s: duplicate",
					    hdr_name(kind),
					    tag_label(kind, e->tag, tl, sizeof(tl)));
	}
	r = check_region(h, err, errlen);
	if (r < 0)
		return r;
	r = check_tag_types(h, err, errlen);
	if (r < 0)
		return r;
	r = check_overlap(h, err, errlen);
	if (r < 0)
		return r;
	return check_order(h, err, errlen);
}

static void hdr_release(struct rpm_hdr *h)
{
	if (h->ent != h->ent_small)
		free(h->ent);
	h->ent = NULL;
}

static size_t hdr_len(const struct rpm_hdr *h)
{
	return RPM_INTRO_SIZE + (size_t)h->il * RPM_ENTRY_SIZE + h->dl;
}

static uint32_t count_wanted(const struct rpm_hdr *h)
{
	uint32_t i, n = 0;

	for (i = 0; i < h->il; i++)
		n += rpm_tag_wanted(h->kind, h->ent[i].tag) != 0;
	return n;
}

/*
 * Tag records for the wanted tags of @h into @ans at @tag_pos (space the
 * caller reserved for all of them; *n_tags so far), their string records
 * appended to @ans.
 */
static int emit_tags(const struct rpm_hdr *h, struct dg_buf *ans, size_t tag_pos,
		     uint32_t *n_tags, uint32_t *n_strs, char *err, size_t errlen)
{
	uint32_t i, k;
	int r = 0;

	for (i = 0; i < h->il; i++) {
		const struct rpm_entry *e = &h->ent[i];
		size_t entry_off = h->off + RPM_INTRO_SIZE + (size_t)i * RPM_ENTRY_SIZE;
		size_t data_off = h->data_off + e->offset;
		uint8_t *rec;

		if (!rpm_tag_wanted(h->kind, e->tag))
			continue;
		if (is_string_type(e->type)) {
			struct dg_cur c = cur_init(h->data + e->offset, e->len);
			uint8_t *w;

			if (e->count > RPM_STRINGS_MAX - *n_strs)
				return dg_errf(err, errlen, -E2BIG, "more than %u strings in the answer",
					    RPM_STRINGS_MAX);
			/* One reservation per tag, not two appends per string. */
			r = dg_buf_reserve(ans, (size_t)e->count * RPM_ANS_STR_SIZE);
			if (r < 0)
				return dg_errf(err, errlen, r, "answer too large");
			w = ans->data + ans->len;
			for (k = 0; k < e->count; k++) {
				/* entry_length() found count terminated strings in len. */
				const uint8_t *nul = memchr(c.p, 0, c.len);
				uint32_t n = (uint32_t)(nul - c.p);

				put_le32(w, (uint32_t)(data_off + (size_t)(c.p - (h->data + e->offset))));
				put_le32(w + 4, n);
				w += RPM_ANS_STR_SIZE;
				cur_skip(&c, (size_t)n + 1);
			}
			ans->len += (size_t)e->count * RPM_ANS_STR_SIZE;
		}
		rec = ans->data + tag_pos + (size_t)*n_tags * RPM_ANS_TAG_SIZE;
		memset(rec, 0, RPM_ANS_TAG_SIZE);
		rec[0] = (uint8_t)h->kind;
		put_le32(rec + 4, e->tag);
		put_le32(rec + 8, e->type);
		put_le32(rec + 12, e->count);
		put_le32(rec + 16, (uint32_t)entry_off);
		put_le32(rec + 20, (uint32_t)data_off);
		put_le32(rec + 24, e->len);
		put_le32(rec + 28, is_string_type(e->type) ? *n_strs : RPM_NO_STRING);
		if (is_string_type(e->type))
			*n_strs += e->count;
		(*n_tags)++;
	}
	return 0;
}

/* rpm's OpenPGP signature tags, whose values the pgp parser pre-parses. */
static int is_pgp_sig_tag(uint32_t tag)
{
	return tag == RPMSIGTAG_RSAHEADER || tag == RPMSIGTAG_DSAHEADER ||
	       tag == RPMSIGTAG_OPENPGP || tag == RPMSIGTAG_PGP || tag == RPMSIGTAG_GPG;
}

/*
 * The pre-parsed signature records of @h (the signature header): one per
 * value of each signature tag that parses as OpenPGP packets.  Tag records
 * are numbered as emit_tags() wrote them (wanted tags in index order).
 */
static int emit_sigs(const struct rpm_hdr *h, struct dg_buf *out, uint32_t *n_sigs,
		     char *err, size_t errlen)
{
	uint8_t *dec = NULL;
	uint32_t i, k, record = 0;
	int r = 0;

	for (i = 0; i < h->il && r >= 0; i++) {
		const struct rpm_entry *e = &h->ent[i];
		struct dg_cur c = cur_init(h->data + e->offset, e->len);

		if (!rpm_tag_wanted(h->kind, e->tag))
			continue;
		if (!is_pgp_sig_tag(e->tag)) {
			record++;
			continue;
		}
		for (k = 0; k < (e->type == RPM_TYPE_BIN ? 1 : e->count) && r >= 0; k++) {
			const uint8_t *nul;
			size_t n, dl = 0;

			if (*n_sigs >= RPM_PGP_SIGS_MAX)
				break;
			r = 0;	/* a value that does not decode adds no record */
			if (e->type == RPM_TYPE_BIN) {
				r = rpm_sig_preparse(record, 0, c.p, c.len, out);
			} else {
				/* A base64 string per value; strings are NUL-terminated (checked). */
				nul = memchr(c.p, 0, c.len);
				n = (size_t)(nul - c.p);
				if (!dec && !(dec = malloc(RPM_OPENPGP_SIG_MAX)))
					r = -ENOMEM;
				else if (rpm_b64_decode(c.p, n, dec, &dl) == 0)
					r = rpm_sig_preparse(record, k, dec, dl, out);
				cur_skip(&c, n + 1);
			}
			if (r > 0)
				(*n_sigs)++;
		}
		record++;
	}
	free(dec);
	if (r < 0)
		return dg_errf(err, errlen, r, "signature header: cannot pre-parse the signatures: %s",
			    r == -ENOMEM ? "out of memory" : "answer too large");
	return 0;
}

int rpm_parse(const uint8_t *pkg, size_t len, uint64_t file_size,
	      struct dg_buf *ans, char *err, size_t errlen)
{
	struct rpm_hdr sig, hdr;
	struct dg_cur c = cur_init(pkg, len), lead;
	uint8_t magic[4], major, minor, *fixed;
	uint16_t sigtype;
	uint32_t n_tags = 0, n_strs = 0, n_sigs = 0, flags = 0;
	size_t main_off, payload_off, start = ans->len, sigs_pos;
	int r;

	sig.ent = hdr.ent = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (len > file_size)
		return dg_errf(err, errlen, -EBADMSG, "request holds %zu bytes of a %llu-byte file",
			    len, (unsigned long long)file_size);
	if (len >= (size_t)UINT32_MAX)
		return dg_errf(err, errlen, -E2BIG, "request of %zu bytes exceeds 4 GiB", len);
	if (cur_take(&c, RPM_LEAD_SIZE, &lead) < 0)
		return dg_errf(err, errlen, -ENODATA, "lead: file of %zu bytes is shorter than 96",
			    len);
	cur_bytes(&lead, magic, 4);
	cur_u8(&lead, &major);
	cur_u8(&lead, &minor);
	if (memcmp(magic, lead_magic, 4))
		return dg_errf(err, errlen, -EBADMSG, "lead: not an RPM package (bad magic)");
	if (major < 3 || major > 4)
		return dg_errf(err, errlen, -EOPNOTSUPP, "lead: unsupported package version %u",
			    major);
	cur_skip(&lead, 2 + 2 + 66 + 2);	/* type, archnum, name, osnum */
	cur_be16(&lead, &sigtype);
	if (sigtype != RPM_SIGTYPE_HEADERSIG)
		return dg_errf(err, errlen, -EOPNOTSUPP, "lead: unsupported signature type %u",
			    sigtype);

	r = parse_header(pkg, len, RPM_LEAD_SIZE, RPM_HDR_SIG, &sig, err, errlen);
	if (r < 0)
		goto out;
	/* The signature header is padded to a multiple of 8 bytes. */
	main_off = RPM_LEAD_SIZE + hdr_len(&sig);
	main_off += (8 - main_off % 8) % 8;
	r = parse_header(pkg, len, main_off, RPM_HDR_MAIN, &hdr, err, errlen);
	if (r < 0)
		goto out;
	payload_off = main_off + hdr_len(&hdr);

	if (sig.region)
		flags |= RPM_ANS_F_SIG_REGION;
	if (hdr.region)
		flags |= RPM_ANS_F_MAIN_REGION;
	flags |= RPM_ANS_F_PGP;
	/* Written in place: the fixed part and the tag records first (their
	 * count is known), string records after them, then the signatures. */
	n_tags = count_wanted(&sig) + count_wanted(&hdr);
	r = dg_buf_reserve(ans, RPM_ANS_FIXED + (size_t)n_tags * RPM_ANS_TAG_SIZE);
	if (r < 0) {
		dg_errf(err, errlen, r, "answer too large");
		goto out;
	}
	ans->len += RPM_ANS_FIXED + (size_t)n_tags * RPM_ANS_TAG_SIZE;
	n_tags = 0;
	r = emit_tags(&sig, ans, start + RPM_ANS_FIXED, &n_tags, &n_strs, err, errlen);
	if (r == 0)
		r = emit_tags(&hdr, ans, start + RPM_ANS_FIXED, &n_tags, &n_strs, err, errlen);
	sigs_pos = ans->len;
	if (r == 0 && (r = dg_buf_put_le32(ans, 0)) < 0)
		dg_errf(err, errlen, r, "answer too large");
	if (r == 0)
		r = emit_sigs(&sig, ans, &n_sigs, err, errlen);
	if (r < 0)
		goto out;
	put_le32(ans->data + sigs_pos, n_sigs);

	fixed = ans->data + start;
	memset(fixed, 0, RPM_ANS_FIXED);
	put_le32(fixed + 0, RPM_ANS_MAGIC);
	put_le16(fixed + 4, RPM_ANS_VERSION);
	put_le16(fixed + 6, (uint16_t)flags);
	fixed[8] = major;
	fixed[9] = minor;
	put_le16(fixed + 10, sigtype);
	put_le64(fixed + 16, file_size);
	put_le32(fixed + 24, RPM_LEAD_SIZE);
	put_le32(fixed + 28, (uint32_t)hdr_len(&sig));
	put_le32(fixed + 32, sig.il);
	put_le32(fixed + 36, sig.dl);
	put_le32(fixed + 40, (uint32_t)main_off);
	put_le32(fixed + 44, (uint32_t)hdr_len(&hdr));
	put_le32(fixed + 48, hdr.il);
	put_le32(fixed + 52, hdr.dl);
	put_le64(fixed + 56, payload_off);
	put_le32(fixed + 64, n_tags);
	put_le32(fixed + 68, n_strs);
out:
	if (r < 0)
		ans->len = start;	/* nothing of a failed parse */
	hdr_release(&sig);
	hdr_release(&hdr);
	return r;
}

int rpm_parse_request(const uint8_t *req, size_t len, struct dg_buf *ans,
		      char *err, size_t errlen)
{
	struct dg_cur c = cur_init(req, len);
	uint64_t file_size;

	if (cur_le64(&c, &file_size) < 0)
		return dg_errf(err, errlen, -EBADMSG, "request shorter than %d bytes", RPM_REQ_FIXED);
	return rpm_parse(c.p, c.len, file_size, ans, err, errlen);
}

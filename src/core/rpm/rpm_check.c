// SPDX-License-Identifier: MIT
/*
 * Re-checking the rpm handler's answer (DESIGN.md §5).  The core trusts no
 * offset the handler sends: it computes the header layout from the fixed
 * lead and 16-byte intros itself, reads every claimed 16-byte index entry
 * from the original bytes and compares, checks that string records tile
 * their tag's data exactly (each ends in a NUL, none contains one), and
 * scans the fixed-width index itself so that no wanted tag can be hidden.
 * Variable-length data is never parsed here beyond those checks.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "log.h"
#include "rpm_core.h"
#include "../../handlers/rpm/rpm_parse.h"
#include "../../handlers/rpm/rpm_proto.h"
#include "../../handlers/rpm/rpm_sig.h"


/* At most this many distinct tags are wanted (rpm_tag_wanted()). */
#define RPM_WANTED_MAX 32

static const uint8_t header_magic[8] = { 0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0 };

static int read_intro(const char *name, const uint8_t *buf, size_t len, size_t off,
		      int kind, uint32_t *il, uint32_t *dl, uint32_t *total,
		      char *err, size_t errlen)
{
	const char *what = kind == RPM_HDR_SIG ? "signature header" : "main header";
	uint32_t imax = kind == RPM_HDR_SIG ? RPM_SIG_INDEX_MAX : RPM_INDEX_MAX;
	uint32_t dmax = kind == RPM_HDR_SIG ? RPM_SIG_DATA_MAX : RPM_DATA_MAX;
	uint64_t need;

	if (off > len || len - off < RPM_INTRO_SIZE)
		return dg_errf(err, errlen, -ENODATA, "%s: %s at offset %zu truncated",
			    name, what, off);
	if (memcmp(buf + off, header_magic, sizeof(header_magic)))
		return dg_errf(err, errlen, -EBADMSG, "%s: %s at offset %zu: bad magic",
			    name, what, off);
	*il = get_be32(buf + off + 8);
	*dl = get_be32(buf + off + 12);
	if (*il > imax)
		return dg_errf(err, errlen, -E2BIG, "%s: %s index count %u exceeds limit %u",
			    name, what, *il, imax);
	if (*dl > dmax)
		return dg_errf(err, errlen, -E2BIG, "%s: %s data size %u exceeds limit %u",
			    name, what, *dl, dmax);
	need = RPM_INTRO_SIZE + (uint64_t)*il * RPM_ENTRY_SIZE + *dl;
	*total = (uint32_t)need;
	return 0;
}

int rpm_layout(const char *name, const uint8_t *buf, size_t len, uint32_t *sig_len,
	       uint32_t *main_off, uint32_t *main_len, char *err, size_t errlen)
{
	static const uint8_t lead_magic[4] = { 0xed, 0xab, 0xee, 0xdb };
	uint32_t il, dl, off;
	int r;

	if (memcmp(buf, lead_magic, len < 4 ? len : 4))
		return dg_errf(err, errlen, -EBADMSG, "%s: not an RPM package (bad lead magic)", name);
	if (len < RPM_LEAD_SIZE)
		return dg_errf(err, errlen, -ENODATA, "%s: shorter than the 96-byte lead", name);
	/* What rpm reads (lib/rpmlead.c): version 3 or 4, header-style
	 * signature (5 at offset 78), as the handler claims. */
	if (buf[4] < 3 || buf[4] > 4)
		return dg_errf(err, errlen, -EOPNOTSUPP, "%s: lead: unsupported package version %u",
			       name, buf[4]);
	if ((buf[78] << 8 | buf[79]) != RPM_SIGTYPE_HEADERSIG)
		return dg_errf(err, errlen, -EOPNOTSUPP, "%s: lead: unsupported signature type %u",
			       name, (unsigned)(buf[78] << 8 | buf[79]));
	r = read_intro(name, buf, len, RPM_LEAD_SIZE, RPM_HDR_SIG, &il, &dl, sig_len, err, errlen);
	if (r < 0)
		return r;
	off = RPM_LEAD_SIZE + *sig_len;
	off += (8 - off % 8) % 8;
	*main_off = off;
	return read_intro(name, buf, len, off, RPM_HDR_MAIN, &il, &dl, main_len, err, errlen);
}

void rpm_pkg_release(struct rpm_pkg *pkg)
{
	free(pkg->tags);
	free(pkg->strs);
	free(pkg->presigs);
	pkg->tags = NULL;
	pkg->strs = NULL;
	pkg->presigs = NULL;
	pkg->n_tags = pkg->n_strs = pkg->n_presigs = 0;
}

const struct rpm_tagref *rpm_pkg_tag(const struct rpm_pkg *pkg, int hdr, uint32_t tag)
{
	uint32_t i;

	for (i = 0; i < pkg->n_tags; i++)
		if (pkg->tags[i].hdr == hdr && pkg->tags[i].tag == tag)
			return &pkg->tags[i];
	return NULL;
}

const char *rpm_pkg_string(const struct rpm_pkg *pkg, const struct rpm_tagref *t,
			   uint32_t i, uint32_t *len)
{
	const struct rpm_str *s;

	if (t->first_string == RPM_NO_STRING || i >= t->count)
		return NULL;
	s = &pkg->strs[t->first_string + i];
	*len = s->len;
	return (const char *)pkg->buf + s->off;
}

static size_t type_size(uint32_t type)
{
	switch (type) {
	case RPM_TYPE_CHAR: case RPM_TYPE_INT8: case RPM_TYPE_BIN: return 1;
	case RPM_TYPE_INT16: return 2;
	case RPM_TYPE_INT32: return 4;
	case RPM_TYPE_INT64: return 8;
	}
	return 0;
}

struct hdr_box {
	uint32_t off, il, dl;
	uint32_t index_off, data_off;	/* file offsets */
};

/* One tag record: its index entry, data span and strings. */
static int check_tag(const struct rpm_pkg *pkg, const struct hdr_box *h,
		     const struct rpm_tagref *t, char *err, size_t errlen)
{
	const char *hn = t->hdr == RPM_HDR_SIG ? "signature header" : "main header";
	const char *tn = rpm_tag_name(t->hdr, t->tag);
	const uint8_t *e;
	uint32_t rel, off, i, pos, end;
	size_t sz;

	if (!rpm_tag_wanted(t->hdr, t->tag))
		return dg_errf(err, errlen, -EBADMSG, "%s: handler reported unrequested %s tag %u",
			    pkg->name, hn, t->tag);
	if (t->entry_off < h->index_off || (rel = t->entry_off - h->index_off) % RPM_ENTRY_SIZE ||
	    rel / RPM_ENTRY_SIZE >= h->il)
		return dg_errf(err, errlen, -EBADMSG,
			    "%s: %s tag %u (%s): index entry offset %u is not an entry of that header",
			    pkg->name, hn, t->tag, tn, t->entry_off);
	e = pkg->buf + t->entry_off;
	off = get_be32(e + 8);
	if (get_be32(e) != t->tag || get_be32(e + 4) != t->type || get_be32(e + 12) != t->count)
		return dg_errf(err, errlen, -EBADMSG,
			    "%s: %s tag %u (%s): claim (type %u count %u) differs from the index entry (tag %u type %u count %u)",
			    pkg->name, hn, t->tag, tn, t->type, t->count, get_be32(e),
			    get_be32(e + 4), get_be32(e + 12));
	if (t->type != (uint32_t)rpm_tag_type(t->hdr, t->tag))
		return dg_errf(err, errlen, -EBADMSG, "%s: %s tag %u (%s): type %u, expected %d",
			    pkg->name, hn, t->tag, tn, t->type, rpm_tag_type(t->hdr, t->tag));
	if (off >= h->dl || t->data_off != h->data_off + off)
		return dg_errf(err, errlen, -EBADMSG,
			    "%s: %s tag %u (%s): data span at %u is not where the index entry points (%u + %u)",
			    pkg->name, hn, t->tag, tn, t->data_off, h->data_off, off);
	if (t->data_len > h->dl - off)
		return dg_errf(err, errlen, -EBADMSG,
			    "%s: %s tag %u (%s): data span of %u bytes runs outside the header",
			    pkg->name, hn, t->tag, tn, t->data_len);
	sz = type_size(t->type);
	if (sz) {
		if (t->first_string != RPM_NO_STRING || (uint64_t)t->count * sz != t->data_len ||
		    off % sz)
			return dg_errf(err, errlen, -EBADMSG,
				    "%s: %s tag %u (%s): data length %u does not match %u items of %zu bytes",
				    pkg->name, hn, t->tag, tn, t->data_len, t->count, sz);
		return 0;
	}
	/* String types: count records that tile the data exactly. */
	if (t->type == RPM_TYPE_STRING && t->count != 1)
		return dg_errf(err, errlen, -EBADMSG, "%s: %s tag %u (%s): string with count %u",
			    pkg->name, hn, t->tag, tn, t->count);
	if (t->first_string > pkg->n_strs || t->count > pkg->n_strs - t->first_string)
		return dg_errf(err, errlen, -EBADMSG,
			    "%s: %s tag %u (%s): string records %u+%u outside the answer",
			    pkg->name, hn, t->tag, tn, t->first_string, t->count);
	pos = t->data_off;
	end = t->data_off + t->data_len;
	for (i = 0; i < t->count; i++) {
		const struct rpm_str *s = &pkg->strs[t->first_string + i];

		if (s->off != pos || s->len >= end - pos || pkg->buf[s->off + s->len] != 0 ||
		    memchr(pkg->buf + s->off, 0, s->len))
			return dg_errf(err, errlen, -EBADMSG,
				    "%s: %s tag %u (%s): string %u at %u+%u is not the next NUL-terminated string of the tag's data",
				    pkg->name, hn, t->tag, tn, i, s->off, s->len);
		pos = s->off + s->len + 1;
	}
	if (pos != end)
		return dg_errf(err, errlen, -EBADMSG,
			    "%s: %s tag %u (%s): strings end at %u, the data at %u",
			    pkg->name, hn, t->tag, tn, pos, end);
	return 0;
}

static int is_pgp_sig_tag(uint32_t tag)
{
	return tag == RPMSIGTAG_RSAHEADER || tag == RPMSIGTAG_DSAHEADER ||
	       tag == RPMSIGTAG_OPENPGP || tag == RPMSIGTAG_PGP || tag == RPMSIGTAG_GPG;
}

/*
 * The pre-parsed signature section (RPM_ANS_F_PGP): each record names a
 * value of a re-checked signature tag, once; its pgp answer is kept as a
 * span of @c for the pgp core to re-check against the signature bytes.
 */
static int check_presigs(struct rpm_pkg *pkg, struct dg_cur *c, char *err, size_t errlen)
{
	uint32_t n = 0, i, j, rec, item, alen;
	struct dg_cur a;

	if (cur_le32(c, &n) < 0 || n > RPM_PGP_SIGS_MAX || n > c->len / 12)
		return dg_errf(err, errlen, -EBADMSG,
			    "%s: handler answer: pre-parsed signature count %u invalid for %zu bytes",
			    pkg->name, n, c->len);
	pkg->presigs = calloc(n ? n : 1, sizeof(*pkg->presigs));
	if (!pkg->presigs)
		return dg_errf(err, errlen, -ENOMEM, "%s: out of memory", pkg->name);
	for (i = 0; i < n; i++) {
		struct rpm_presig *ps = &pkg->presigs[i];
		const struct rpm_tagref *t;

		if (cur_le32(c, &rec) < 0 || cur_le32(c, &item) < 0 || cur_le32(c, &alen) < 0 ||
		    cur_take(c, alen, &a) < 0)
			return dg_errf(err, errlen, -EBADMSG,
				    "%s: handler answer: pre-parsed signature %u runs past the answer",
				    pkg->name, i);
		t = rec < pkg->n_tags ? &pkg->tags[rec] : NULL;
		if (!t || t->hdr != RPM_HDR_SIG || !is_pgp_sig_tag(t->tag))
			return dg_errf(err, errlen, -EBADMSG,
				    "%s: handler answer: pre-parsed signature %u names tag record %u, not a signature tag",
				    pkg->name, i, rec);
		if (item >= (t->first_string == RPM_NO_STRING ? 1 : t->count))
			return dg_errf(err, errlen, -EBADMSG,
				    "%s: handler answer: pre-parsed signature %u names value %u of tag %u (%s), which has %u",
				    pkg->name, i, item, t->tag, rpm_tag_name(RPM_HDR_SIG, t->tag),
				    t->first_string == RPM_NO_STRING ? 1 : t->count);
		for (j = 0; j < i; j++)
			if (pkg->presigs[j].tag == t->tag && pkg->presigs[j].item == item)
				return dg_errf(err, errlen, -EBADMSG,
					    "%s: handler answer: value %u of tag %u (%s) pre-parsed twice",
					    pkg->name, item, t->tag, rpm_tag_name(RPM_HDR_SIG, t->tag));
		ps->tag = t->tag;
		ps->item = item;
		ps->ans = a.p;
		ps->ans_len = a.len;
		pkg->n_presigs = i + 1;
	}
	if (c->len)
		return dg_errf(err, errlen, -EBADMSG, "%s: handler answer: %zu bytes after the last record",
			    pkg->name, c->len);
	return 0;
}

/* Every wanted tag in the original index must have been reported. */
static int check_complete(const struct rpm_pkg *pkg, int kind, const struct hdr_box *h,
			  char *err, size_t errlen)
{
	uint32_t i, wanted = 0, claimed = 0;

	for (i = 0; i < h->il; i++) {
		uint32_t eoff = h->index_off + i * RPM_ENTRY_SIZE;
		uint32_t tag = get_be32(pkg->buf + eoff);

		if (!rpm_tag_wanted(kind, tag))
			continue;
		wanted++;
		if (!rpm_pkg_tag(pkg, kind, tag) || rpm_pkg_tag(pkg, kind, tag)->entry_off != eoff)
			return dg_errf(err, errlen, -EBADMSG,
				    "%s: handler left out %s tag %u (%s) at index entry %u",
				    pkg->name, kind == RPM_HDR_SIG ? "signature header" : "main header",
				    tag, rpm_tag_name(kind, tag), i);
	}
	for (i = 0; i < pkg->n_tags; i++)
		claimed += pkg->tags[i].hdr == kind;
	if (claimed != wanted)
		return dg_errf(err, errlen, -EBADMSG, "%s: handler reported %u tags, the header has %u",
			    pkg->name, claimed, wanted);
	return 0;
}

int rpm_check_answer(struct rpm_pkg *pkg, const uint8_t *ans, size_t ans_len,
		     char *err, size_t errlen)
{
	struct dg_cur c = cur_init(ans, ans_len);
	struct hdr_box hs, hm;
	uint32_t magic = 0, n_tags = 0, n_strs = 0, v[8] = { 0 }, sig_len, main_off, main_len, i, j;
	uint16_t version = 0, flags = 0;
	uint64_t fsize = 0, payload_off = 0;
	int r;

	pkg->tags = NULL;
	pkg->strs = NULL;
	pkg->presigs = NULL;
	pkg->n_tags = pkg->n_strs = pkg->n_presigs = 0;
	r = rpm_layout(pkg->name, pkg->buf, pkg->buf_len, &sig_len, &main_off, &main_len,
		       err, errlen);
	if (r < 0)
		return r;
	if ((uint64_t)main_off + main_len > pkg->buf_len)
		return dg_errf(err, errlen, -ENODATA, "%s: main header ends at %llu, past the %zu bytes read",
			    pkg->name, (unsigned long long)main_off + main_len, pkg->buf_len);
	if (ans_len < RPM_ANS_FIXED)
		return dg_errf(err, errlen, -EBADMSG, "%s: handler answer of %zu bytes too short",
			    pkg->name, ans_len);
	cur_le32(&c, &magic);
	cur_le16(&c, &version);
	cur_le16(&c, &flags);
	cur_skip(&c, 8);
	cur_le64(&c, &fsize);
	for (i = 0; i < 8; i++)
		cur_le32(&c, &v[i]);
	cur_le64(&c, &payload_off);
	cur_le32(&c, &n_tags);
	cur_le32(&c, &n_strs);
	if (magic != RPM_ANS_MAGIC || version != RPM_ANS_VERSION)
		return dg_errf(err, errlen, -EBADMSG, "%s: handler answer has bad magic/version", pkg->name);
	if (fsize != pkg->file_size)
		return dg_errf(err, errlen, -EBADMSG, "%s: handler claims file size %llu, it is %llu",
			    pkg->name, (unsigned long long)fsize, (unsigned long long)pkg->file_size);
	/* The regions the signatures cover are the core's own computation. */
	if (v[0] != RPM_LEAD_SIZE || v[1] != sig_len)
		return dg_errf(err, errlen, -EBADMSG,
			    "%s: handler claims the signature header at %u+%u, it is at %u+%u",
			    pkg->name, v[0], v[1], RPM_LEAD_SIZE, sig_len);
	if (v[4] != main_off || v[5] != main_len)
		return dg_errf(err, errlen, -EBADMSG,
			    "%s: handler claims the main header region at %u+%u, the header's own intro gives %u+%u",
			    pkg->name, v[4], v[5], main_off, main_len);
	if (payload_off != (uint64_t)main_off + main_len || payload_off > pkg->file_size)
		return dg_errf(err, errlen, -EBADMSG, "%s: handler claims the payload at %llu, it starts at %llu",
			    pkg->name, (unsigned long long)payload_off,
			    (unsigned long long)main_off + main_len);
	hs.off = RPM_LEAD_SIZE;
	hs.il = get_be32(pkg->buf + hs.off + 8);
	hs.dl = get_be32(pkg->buf + hs.off + 12);
	hm.off = main_off;
	hm.il = get_be32(pkg->buf + hm.off + 8);
	hm.dl = get_be32(pkg->buf + hm.off + 12);
	if (v[2] != hs.il || v[3] != hs.dl || v[6] != hm.il || v[7] != hm.dl)
		return dg_errf(err, errlen, -EBADMSG, "%s: handler's index counts or data sizes differ from the intros",
			    pkg->name);
	hs.index_off = hs.off + RPM_INTRO_SIZE;
	hs.data_off = hs.index_off + hs.il * RPM_ENTRY_SIZE;
	hm.index_off = hm.off + RPM_INTRO_SIZE;
	hm.data_off = hm.index_off + hm.il * RPM_ENTRY_SIZE;
	if (n_tags > RPM_WANTED_MAX || n_tags > hs.il + hm.il || n_strs > RPM_STRINGS_MAX ||
	    (flags & RPM_ANS_F_PGP ?
	     c.len < (size_t)n_tags * RPM_ANS_TAG_SIZE + (size_t)n_strs * RPM_ANS_STR_SIZE :
	     c.len != (size_t)n_tags * RPM_ANS_TAG_SIZE + (size_t)n_strs * RPM_ANS_STR_SIZE))
		return dg_errf(err, errlen, -EBADMSG, "%s: handler answer length %zu does not match %u tags and %u strings",
			    pkg->name, ans_len, n_tags, n_strs);
	pkg->tags = calloc(n_tags ? n_tags : 1, sizeof(*pkg->tags));
	pkg->strs = calloc(n_strs ? n_strs : 1, sizeof(*pkg->strs));
	if (!pkg->tags || !pkg->strs) {
		rpm_pkg_release(pkg);
		return dg_errf(err, errlen, -ENOMEM, "%s: out of memory", pkg->name);
	}
	for (i = 0; i < n_tags; i++) {
		struct rpm_tagref *t = &pkg->tags[i];
		uint8_t hdr = 0;

		cur_u8(&c, &hdr);
		cur_skip(&c, 3);
		t->hdr = hdr;
		cur_le32(&c, &t->tag);
		cur_le32(&c, &t->type);
		cur_le32(&c, &t->count);
		cur_le32(&c, &t->entry_off);
		cur_le32(&c, &t->data_off);
		cur_le32(&c, &t->data_len);
		cur_le32(&c, &t->first_string);
	}
	for (i = 0; i < n_strs; i++) {
		cur_le32(&c, &pkg->strs[i].off);
		cur_le32(&c, &pkg->strs[i].len);
	}
	pkg->n_tags = n_tags;
	pkg->n_strs = n_strs;
	for (i = 0; i < n_tags; i++) {
		const struct rpm_tagref *t = &pkg->tags[i];

		if (t->hdr != RPM_HDR_SIG && t->hdr != RPM_HDR_MAIN) {
			r = dg_errf(err, errlen, -EBADMSG, "%s: handler answer names header %d",
				 pkg->name, t->hdr);
			goto bad;
		}
		for (j = 0; j < i; j++)
			if (pkg->tags[j].hdr == t->hdr && pkg->tags[j].tag == t->tag) {
				r = dg_errf(err, errlen, -EBADMSG, "%s: handler reported tag %u twice",
					 pkg->name, t->tag);
				goto bad;
			}
		r = check_tag(pkg, t->hdr == RPM_HDR_SIG ? &hs : &hm, t, err, errlen);
		if (r < 0)
			goto bad;
	}
	r = check_complete(pkg, RPM_HDR_SIG, &hs, err, errlen);
	if (r == 0)
		r = check_complete(pkg, RPM_HDR_MAIN, &hm, err, errlen);
	if (r == 0 && (flags & RPM_ANS_F_PGP))
		r = check_presigs(pkg, &c, err, errlen);
	if (r < 0)
		goto bad;
	pkg->sig_off = RPM_LEAD_SIZE;
	pkg->sig_len = sig_len;
	pkg->main_off = main_off;
	pkg->main_len = main_len;
	pkg->main_il = hm.il;
	pkg->main_dl = hm.dl;
	pkg->payload_off = payload_off;
	return 0;
bad:
	rpm_pkg_release(pkg);
	return r;
}

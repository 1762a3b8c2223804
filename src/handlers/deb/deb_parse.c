// SPDX-License-Identifier: MIT
/*
 * apt's index files in the deb822 format (Debian Policy §5.1; apt's
 * apt-pkg/tagfile.cc reads them): paragraphs of "Name: value" fields
 * separated by empty lines, a line starting with a space or a tab
 * continuing the field above.  Stricter than apt where apt is lax, so that
 * the core and the handler cannot read one text two ways:
 *   - only '\n' ends a line; a '\r' is an ordinary byte of the line, so a
 *     CRLF text fails wherever a value is checked (its values end in '\r');
 *   - a line of only spaces and tabs separates paragraphs, as in apt
 *     (tagfile.cc treats such a line as the end of a paragraph), rather
 *     than continue a field;
 *   - comment lines ('#'), which apt accepts only in sources.list-style
 *     files, are -EBADMSG here, as is a line that is neither a field nor a
 *     continuation, and a field name with a control byte or a space.
 */
#include "deb_parse.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "cursor.h"
#include "deb_archive.h"
#include "deb_decompress.h"
#include "deb_proto.h"
#include "log.h"

/* A package name in a message is cut to this many bytes. */
#define DEB_MSG_NAME_MAX 64u

enum line_kind { LINE_BLANK, LINE_CONT, LINE_FIELD };

struct deb_text {
	const char *what;	/* "Release" / "Packages", for messages */
	const uint8_t *base;
	struct dg_cur c;	/* what remains to be read */
	size_t line_no;		/* of the line read last, from 1 */
	char *err;
	size_t errlen;
};

struct deb_line {
	enum line_kind kind;
	size_t no;
	size_t off, end;	/* first byte; just after its '\n' (or the text's end) */
	struct dg_cur bytes;	/* the line without its '\n' */
	struct dg_cur name;	/* LINE_FIELD: the name */
	size_t val_off, val_len; /* LINE_FIELD: the value, trimmed of spaces/tabs */
};

static int is_blank(uint8_t b)
{
	return b == ' ' || b == '\t';
}

static int is_hex(uint8_t b)
{
	return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
}

static int is_digit(uint8_t b)
{
	return b >= '0' && b <= '9';
}

static int text_fail(const struct deb_text *t, size_t line, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int text_fail(const struct deb_text *t, size_t line, int r, const char *fmt, ...)
{
	char why[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return dg_errf(t->err, t->errlen, r, "%s line %zu: %s", t->what, line, why);
}

/* Case-insensitive, as deb822 compares field names. */
static int name_is(const struct dg_cur *name, const char *want)
{
	size_t n = strlen(want);

	return name->len == n && !strncasecmp((const char *)name->p, want, n);
}

/*
 * Read the next line into @l and classify it.  Returns 1, 0 at the end of
 * the text, or -EBADMSG for a line no deb822 paragraph may hold.
 */
static int text_line(struct deb_text *t, struct deb_line *l)
{
	const uint8_t *nl, *colon;
	struct dg_cur v;
	size_t n, i;

	if (!t->c.len)
		return 0;
	memset(l, 0, sizeof(*l));
	l->off = cur_off(&t->c, t->base);
	nl = memchr(t->c.p, '\n', t->c.len);
	n = nl ? (size_t)(nl - t->c.p) : t->c.len;
	cur_take(&t->c, n, &l->bytes);
	if (nl)
		cur_skip(&t->c, 1);
	l->end = cur_off(&t->c, t->base);
	l->no = ++t->line_no;

	for (i = 0; i < n && is_blank(l->bytes.p[i]); i++)
		;
	if (i == n) {
		l->kind = LINE_BLANK;
		return 1;
	}
	if (i > 0) {
		l->kind = LINE_CONT;
		return 1;
	}
	if (l->bytes.p[0] == '#')
		return text_fail(t, l->no, -EBADMSG, "comment lines are not allowed");
	colon = memchr(l->bytes.p, ':', n);
	if (!colon)
		return text_fail(t, l->no, -EBADMSG, "neither a field (no ':') nor a continuation line");
	l->name = cur_init(l->bytes.p, (size_t)(colon - l->bytes.p));
	if (!l->name.len)
		return text_fail(t, l->no, -EBADMSG, "empty field name");
	if (l->name.p[0] == '-')
		return text_fail(t, l->no, -EBADMSG, "field name starts with '-'");
	/* Policy §5.1: printable US-ASCII but space and colon. */
	for (i = 0; i < l->name.len; i++)
		if (l->name.p[i] < 0x21 || l->name.p[i] > 0x7e)
			return text_fail(t, l->no, -EBADMSG, "field name holds byte 0x%02x",
					 l->name.p[i]);
	v = l->bytes;
	cur_skip(&v, l->name.len + 1);
	while (v.len && is_blank(v.p[0]))
		cur_skip(&v, 1);
	while (v.len && is_blank(v.p[v.len - 1]))
		v.len--;
	l->val_off = cur_off(&v, t->base);
	l->val_len = v.len;
	l->kind = LINE_FIELD;
	return 1;
}

/* Split off the next run of bytes other than spaces and tabs. */
static void take_token(struct dg_cur *c, struct dg_cur *tok)
{
	size_t n = 0;

	while (c->len && is_blank(c->p[0]))
		cur_skip(c, 1);
	while (n < c->len && !is_blank(c->p[n]))
		n++;
	cur_take(c, n, tok);
}

static int all_hex64(const struct dg_cur *v)
{
	size_t i;

	if (v->len != DEB_SHA256_HEX)
		return 0;
	for (i = 0; i < v->len; i++)
		if (!is_hex(v->p[i]))
			return 0;
	return 1;
}

/* 1 to 20 decimal digits that fit in 64 bits: 0, -EBADMSG (with @why). */
static int parse_size(const struct dg_cur *v, uint64_t *out, const char **why)
{
	uint64_t n = 0;
	size_t i;

	if (v->len < 1 || v->len > DEB_SIZE_DIGITS_MAX) {
		*why = "is not 1 to 20 decimal digits";
		return -EBADMSG;
	}
	for (i = 0; i < v->len; i++) {
		unsigned d = (unsigned)(v->p[i] - '0');

		if (!is_digit(v->p[i])) {
			*why = "is not 1 to 20 decimal digits";
			return -EBADMSG;
		}
		if (n > (UINT64_MAX - d) / 10) {
			*why = "does not fit in 64 bits";
			return -EBADMSG;
		}
		n = n * 10 + d;
	}
	*out = n;
	return 0;
}

/* ---- Release ---------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil), so no timegm() and no time zone file is needed. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int read_digits(struct dg_cur *c, size_t n, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	if (c->len < n)
		return -1;
	for (i = 0; i < n; i++) {
		if (!is_digit(c->p[i]))
			return -1;
		v = v * 10 + (unsigned)(c->p[i] - '0');
	}
	cur_skip(c, n);
	*out = v;
	return 0;
}

static int read_lit(struct dg_cur *c, const char *s)
{
	size_t n = strlen(s);

	if (c->len < n || memcmp(c->p, s, n))
		return -1;
	cur_skip(c, n);
	return 0;
}

/* Index of the 3-byte name at @c in @names, advancing past it, or -1. */
static int read_name3(struct dg_cur *c, const char *const *names, int count)
{
	int i;

	for (i = 0; i < count; i++)
		if (c->len >= 3 && !memcmp(c->p, names[i], 3)) {
			cur_skip(c, 3);
			return i;
		}
	return -1;
}

/*
 * "Www, D Mmm YYYY HH:MM:SS ZONE", as apt-ftparchive, reprepro and dak
 * write it (RFC 2822 §3.3 with one space between the parts), the zone
 * UTC, GMT or +0000, the day with or without a leading zero.  The weekday
 * must be the date's: the core prints the number back with it.
 */
static int parse_date(const uint8_t *p, size_t n, uint64_t *out)
{
	static const char *const wdays[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	static const uint8_t mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	struct dg_cur c = cur_init(p, n);
	unsigned day, year, hh, mm, ss;
	int wday, mon, leap;
	int64_t days;

	if ((wday = read_name3(&c, wdays, 7)) < 0 || read_lit(&c, ", ") < 0)
		return -1;
	if (read_digits(&c, 2, &day) < 0 && read_digits(&c, 1, &day) < 0)
		return -1;
	if (read_lit(&c, " ") < 0 || (mon = read_name3(&c, months, 12)) < 0 ||
	    read_lit(&c, " ") < 0 || read_digits(&c, 4, &year) < 0 || read_lit(&c, " ") < 0 ||
	    read_digits(&c, 2, &hh) < 0 || read_lit(&c, ":") < 0 ||
	    read_digits(&c, 2, &mm) < 0 || read_lit(&c, ":") < 0 ||
	    read_digits(&c, 2, &ss) < 0 || read_lit(&c, " ") < 0)
		return -1;
	if (read_lit(&c, "UTC") < 0 && read_lit(&c, "GMT") < 0 && read_lit(&c, "+0000") < 0)
		return -1;
	if (c.len)
		return -1;
	leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	/* No leap second (60): the number could not be printed back as it. */
	if (year < 1970 || day < 1 || day > mdays[mon] || (mon == 1 && day == 29 && !leap) ||
	    hh > 23 || mm > 59 || ss > 59)
		return -1;
	days = days_from_civil(year, (unsigned)mon + 1, day);
	/* 1970-01-01 was a Thursday. */
	if ((days + 4) % 7 != wday)
		return -1;
	*out = (uint64_t)days * 86400 + hh * 3600u + mm * 60u + ss;
	return 0;
}

enum rel_field { REL_OTHER, REL_SHA256, REL_DATE, REL_VALID_UNTIL };

struct rel_date {
	int seen;
	size_t line;
	uint64_t secs;
	uint32_t off, len;
};

/*
 * One continuation line of the SHA256 field: spaces/tabs, hash,
 * spaces/tabs, size, spaces/tabs, path, spaces/tabs (deb_proto.h).
 */
static int release_entry(const struct deb_text *t, const struct deb_line *l, struct dg_buf *ans)
{
	struct dg_cur c = l->bytes, hash, size, path, rest;
	uint8_t e[DEB_REL_ENTRY_SIZE];
	const char *why = NULL;
	uint64_t n;
	size_t i;

	take_token(&c, &hash);
	take_token(&c, &size);
	take_token(&c, &path);
	take_token(&c, &rest);
	if (!all_hex64(&hash))
		return text_fail(t, l->no, -EBADMSG, "SHA256 entry: hash is not %d hexadecimal digits",
				 DEB_SHA256_HEX);
	if (!size.len)
		return text_fail(t, l->no, -EBADMSG, "SHA256 entry: no size after the hash");
	if (parse_size(&size, &n, &why) < 0)
		return text_fail(t, l->no, -EBADMSG, "SHA256 entry: size %s", why);
	if (!path.len)
		return text_fail(t, l->no, -EBADMSG, "SHA256 entry: no path after the size");
	if (rest.len)
		return text_fail(t, l->no, -EBADMSG, "SHA256 entry: more text after the path");
	/* Spaces and tabs end the path already; other control bytes (a '\r'
	 * of a CRLF text among them) name no file apt would fetch. */
	for (i = 0; i < path.len; i++)
		if (path.p[i] < 0x20 || path.p[i] == 0x7f)
			return text_fail(t, l->no, -EBADMSG, "SHA256 entry: path holds byte 0x%02x",
					 path.p[i]);
	put_le64(e + 0, n);
	put_le32(e + 8, (uint32_t)l->off);
	put_le32(e + 12, (uint32_t)cur_off(&hash, t->base));
	put_le32(e + 16, (uint32_t)cur_off(&size, t->base));
	put_le32(e + 20, (uint32_t)size.len);
	put_le32(e + 24, (uint32_t)cur_off(&path, t->base));
	put_le32(e + 28, (uint32_t)path.len);
	if (dg_buf_put(ans, e, sizeof(e)) < 0)
		return dg_errf(t->err, t->errlen, -E2BIG, "%s: answer too large", t->what);
	return 0;
}

static int release_date(const struct deb_text *t, const struct deb_line *l, const char *field,
			struct rel_date *d)
{
	if (d->seen)
		return text_fail(t, l->no, -EBADMSG, "second %s field (the first is on line %zu)",
				 field, d->line);
	if (parse_date(t->base + l->val_off, l->val_len, &d->secs) < 0)
		return text_fail(t, l->no, -EOPNOTSUPP,
				 "%s is not of the form \"Www, DD Mmm YYYY HH:MM:SS UTC\" (zone UTC, GMT or +0000)",
				 field);
	d->seen = 1;
	d->line = l->no;
	d->off = (uint32_t)l->val_off;
	d->len = (uint32_t)l->val_len;
	return 0;
}

static int release_walk(struct deb_text *t, struct dg_buf *ans, uint32_t *n_entries,
			size_t *sha_line, size_t *sha_off, size_t *sha_end,
			struct rel_date *date, struct rel_date *valid)
{
	enum rel_field cur = REL_OTHER;
	size_t blank_line = 0;
	struct deb_line l;
	int in_para = 0, r;

	while ((r = text_line(t, &l)) > 0) {
		if (l.kind == LINE_BLANK) {
			if (!in_para)
				return text_fail(t, l.no, -EBADMSG, "empty line before the paragraph");
			if (!blank_line)
				blank_line = l.no;
			continue;
		}
		if (blank_line)
			return text_fail(t, l.no, -EBADMSG,
					 "a second paragraph (after the empty line %zu); a Release is one",
					 blank_line);
		if (l.kind == LINE_CONT) {
			if (!in_para)
				return text_fail(t, l.no, -EBADMSG, "continuation line without a field above it");
			if (cur == REL_DATE || cur == REL_VALID_UNTIL)
				return text_fail(t, l.no, -EBADMSG, "%s continues on a second line",
						 cur == REL_DATE ? "Date" : "Valid-Until");
			if (cur != REL_SHA256)
				continue;
			if (*n_entries >= DEB_REL_ENTRIES_MAX)
				return text_fail(t, l.no, -E2BIG, "more than %u SHA256 entries",
						 DEB_REL_ENTRIES_MAX);
			r = release_entry(t, &l, ans);
			if (r < 0)
				return r;
			(*n_entries)++;
			*sha_end = l.end;
			continue;
		}
		in_para = 1;
		cur = REL_OTHER;
		if (name_is(&l.name, "SHA256")) {
			if (*sha_line)
				return text_fail(t, l.no, -EBADMSG,
						 "second SHA256 field (the first is on line %zu)", *sha_line);
			if (l.val_len)
				return text_fail(t, l.no, -EBADMSG,
						 "SHA256 has a value on its first line; its entries belong on the lines after it");
			cur = REL_SHA256;
			*sha_line = l.no;
			*sha_off = l.off;
			*sha_end = l.end;
		} else if (name_is(&l.name, "Date")) {
			cur = REL_DATE;
			r = release_date(t, &l, "Date", date);
		} else if (name_is(&l.name, "Valid-Until")) {
			cur = REL_VALID_UNTIL;
			r = release_date(t, &l, "Valid-Until", valid);
		}
		if (r < 0)
			return r;
	}
	return r;
}

int deb_release_parse(const uint8_t *text, size_t len, struct dg_buf *ans,
		      char *err, size_t errlen)
{
	struct deb_text t = { "Release", text, cur_init(text, len), 0, err, errlen };
	struct rel_date date = { 0 }, valid = { 0 };
	size_t start = ans->len, sha_line = 0, sha_off = 0, sha_end = 0;
	uint32_t n_entries = 0, flags = 0;
	uint8_t *fixed;
	int r;

	if (err && errlen)
		err[0] = '\0';
	/* Offsets in the answer are u32. */
	if (len > UINT32_MAX)
		return dg_errf(err, errlen, -E2BIG, "Release: %zu bytes exceed 4 GiB", len);
	r = dg_buf_reserve(ans, DEB_REL_FIXED);
	if (r < 0)
		return dg_errf(err, errlen, r, "Release: answer too large");
	ans->len += DEB_REL_FIXED;
	r = release_walk(&t, ans, &n_entries, &sha_line, &sha_off, &sha_end, &date, &valid);
	if (r == 0 && !sha_line)
		r = dg_errf(err, errlen, -EBADMSG, "Release: no SHA256 field");
	/* An empty SHA256 field lists no file the chain could go on to. */
	if (r == 0 && !n_entries)
		r = text_fail(&t, sha_line, -EBADMSG, "SHA256 field has no entries");
	if (r < 0) {
		ans->len = start;	/* nothing of a failed parse */
		return r;
	}
	if (date.seen)
		flags |= DEB_REL_F_DATE;
	if (valid.seen)
		flags |= DEB_REL_F_VALID_UNTIL;
	fixed = ans->data + start;
	memset(fixed, 0, DEB_REL_FIXED);
	put_le32(fixed + 0, DEB_REL_MAGIC);
	put_le16(fixed + 4, DEB_ANS_VERSION);
	put_le16(fixed + 6, (uint16_t)flags);
	put_le64(fixed + 8, date.secs);
	put_le64(fixed + 16, valid.secs);
	put_le32(fixed + 24, date.off);
	put_le32(fixed + 28, date.len);
	put_le32(fixed + 32, valid.off);
	put_le32(fixed + 36, valid.len);
	put_le32(fixed + 40, (uint32_t)sha_off);
	put_le32(fixed + 44, (uint32_t)(sha_end - sha_off));
	put_le32(fixed + 48, n_entries);
	return 0;
}

/* ---- Packages --------------------------------------------------------- */

struct pkg_para {
	size_t off, end;
	unsigned have;			/* bit per DEB_FIELD_* */
	size_t line[DEB_FIELDS];
	uint32_t voff[DEB_FIELDS], vlen[DEB_FIELDS];
	uint64_t size;
	int last;			/* DEB_FIELD_* the next continuation would extend, or -1 */
};

/*
 * The Package value of the paragraph at @off for a message, printable bytes
 * only; "" without one.  Read ahead without checks: the paragraph has not
 * been parsed to its end when a line in it fails.
 */
static void para_package(const struct deb_text *t, size_t off, char *out, size_t n)
{
	struct dg_cur c = cur_init(t->base + off, (size_t)(t->c.p - t->base) + t->c.len - off);
	static const char key[] = "Package:";
	size_t k = 0;

	out[0] = '\0';
	while (c.len) {
		const uint8_t *nl = memchr(c.p, '\n', c.len);
		struct dg_cur line = { NULL, 0 }, v;
		size_t i;

		cur_take(&c, nl ? (size_t)(nl - c.p) : c.len, &line);
		cur_skip(&c, nl ? 1 : 0);
		for (i = 0; i < line.len && is_blank(line.p[i]); i++)
			;
		if (i == line.len)
			return;		/* the paragraph's end */
		if (line.len < sizeof(key) - 1 || strncasecmp((const char *)line.p, key, sizeof(key) - 1))
			continue;
		v = line;
		cur_skip(&v, sizeof(key) - 1);
		while (v.len && is_blank(v.p[0]))
			cur_skip(&v, 1);
		for (i = 0; i < v.len && k + 1 < n && i < DEB_MSG_NAME_MAX && !is_blank(v.p[i]); i++)
			out[k++] = v.p[i] > 0x20 && v.p[i] < 0x7f ? (char)v.p[i] : '?';
		out[k] = '\0';
		return;
	}
}

static int pkg_fail(const struct deb_text *t, const struct pkg_para *pp, size_t line,
		    int r, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int pkg_fail(const struct deb_text *t, const struct pkg_para *pp, size_t line,
		    int r, const char *fmt, ...)
{
	char why[192], name[DEB_MSG_NAME_MAX + 1];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	para_package(t, pp->off, name, sizeof(name));
	if (name[0])
		return dg_errf(t->err, t->errlen, r, "Packages line %zu (package %s): %s",
			       line, name, why);
	return dg_errf(t->err, t->errlen, r, "Packages line %zu: %s", line, why);
}

static int field_index(const struct dg_cur *name)
{
	int f;

	for (f = 0; f < DEB_FIELDS; f++)
		if (name_is(name, deb_field_name(f)))
			return f;
	return -1;
}

static int pkg_field(const struct deb_text *t, struct pkg_para *pp, const struct deb_line *l)
{
	int f = field_index(&l->name);
	struct dg_cur v = cur_init(t->base + l->val_off, l->val_len);
	const char *why = NULL;

	pp->last = f;
	if (f < 0)
		return 0;
	if (pp->have & (1u << f))
		return pkg_fail(t, pp, l->no, -EBADMSG, "second %s field (the first is on line %zu)",
				deb_field_name(f), pp->line[f]);
	if (!v.len)
		return pkg_fail(t, pp, l->no, -EBADMSG, "%s is empty", deb_field_name(f));
	if (f == DEB_FIELD_SHA256 && !all_hex64(&v))
		return pkg_fail(t, pp, l->no, -EBADMSG, "SHA256 is not %d hexadecimal digits",
				DEB_SHA256_HEX);
	if (f == DEB_FIELD_SIZE && parse_size(&v, &pp->size, &why) < 0)
		return pkg_fail(t, pp, l->no, -EBADMSG, "Size %s", why);
	pp->have |= 1u << f;
	pp->line[f] = l->no;
	pp->voff[f] = (uint32_t)l->val_off;
	pp->vlen[f] = (uint32_t)l->val_len;
	return 0;
}

static int pkg_record(const struct pkg_para *pp, struct dg_buf *recs, uint32_t *n_rec,
		      uint32_t *n_skip)
{
	uint8_t rec[DEB_PKG_RECORD_SIZE];
	int f;

	if (pp->have != (1u << DEB_FIELDS) - 1) {
		(*n_skip)++;
		return 0;
	}
	put_le64(rec + 0, pp->size);
	put_le32(rec + 8, (uint32_t)pp->off);
	put_le32(rec + 12, (uint32_t)(pp->end - pp->off));
	for (f = 0; f < DEB_FIELDS; f++) {
		put_le32(rec + 16 + 8 * f, pp->voff[f]);
		put_le32(rec + 20 + 8 * f, pp->vlen[f]);
	}
	(*n_rec)++;
	return dg_buf_put(recs, rec, sizeof(rec));
}

/* The records of the Packages text @t into @recs. */
static int packages_walk(struct deb_text *t, struct dg_buf *recs, uint32_t *n_rec,
			 uint32_t *n_skip)
{
	struct pkg_para pp;
	struct deb_line l;
	size_t n_para = 0;
	int in_para = 0, r;

	memset(&pp, 0, sizeof(pp));
	while ((r = text_line(t, &l)) >= 0) {
		if (r == 0 || l.kind == LINE_BLANK) {
			int end = r == 0;

			if (in_para && (r = pkg_record(&pp, recs, n_rec, n_skip)) < 0)
				return dg_errf(t->err, t->errlen, r, "Packages: answer too large");
			in_para = 0;
			if (end)
				return 0;
			continue;
		}
		if (!in_para) {
			if (l.kind == LINE_CONT)
				return text_fail(t, l.no, -EBADMSG,
						 "continuation line without a field above it");
			if (++n_para > DEB_PKG_RECORDS_MAX)
				return text_fail(t, l.no, -E2BIG, "more than %u paragraphs",
						 DEB_PKG_RECORDS_MAX);
			memset(&pp, 0, sizeof(pp));
			pp.off = l.off;
			in_para = 1;
		}
		pp.end = l.end;
		if (l.kind == LINE_CONT) {
			if (pp.last >= 0)
				return pkg_fail(t, &pp, l.no, -EBADMSG,
						"%s continues on a second line; it must be one",
						deb_field_name(pp.last));
			continue;
		}
		r = pkg_field(t, &pp, &l);
		if (r < 0)
			return r;
	}
	return r;
}

int deb_packages_parse(const uint8_t *req, size_t len, size_t text_max,
		       struct dg_buf *ans, char *err, size_t errlen)
{
	struct dg_buf recs = { 0 };
	struct deb_text t = { "Packages", NULL, { NULL, 0 }, 0, err, errlen };
	size_t start = ans->len, text_start, text_len;
	uint32_t n_rec = 0, n_skip = 0, flags = 0;
	uint8_t *fixed;
	int comp, r;

	if (err && errlen)
		err[0] = '\0';
	if (len > UINT32_MAX)
		return dg_errf(err, errlen, -E2BIG, "Packages: %zu bytes exceed 4 GiB", len);
	comp = deb_compression_detect(req, len, err, errlen);
	if (comp < 0)
		return comp;
	r = dg_buf_reserve(ans, DEB_PKG_FIXED);
	if (r < 0)
		return dg_errf(err, errlen, r, "Packages: answer too large");
	ans->len += DEB_PKG_FIXED;
	text_start = ans->len;
	if (comp == DEB_COMP_NONE) {
		if (len > text_max) {
			r = dg_errf(err, errlen, -E2BIG, "Packages: text of %zu bytes exceeds limit %zu",
				    len, text_max);
			goto out;
		}
		t.base = req;
		text_len = len;
	} else {
		/* Decompressed in place, behind the fixed part; the records are
		 * moved in before it once they are counted. */
		r = deb_decompress("Packages", comp, req, len, text_max, ans, err, errlen);
		if (r < 0)
			goto out;
		t.base = ans->data + text_start;
		text_len = ans->len - text_start;
		flags |= DEB_PKG_F_TEXT;
	}
	t.c = cur_init(t.base, text_len);
	r = packages_walk(&t, &recs, &n_rec, &n_skip);
	if (r < 0)
		goto out;
	if (recs.len && (r = dg_buf_reserve(ans, recs.len)) < 0) {
		dg_errf(err, errlen, r, "Packages: answer too large");
		goto out;
	}
	if (flags & DEB_PKG_F_TEXT)
		memmove(ans->data + text_start + recs.len, ans->data + text_start, text_len);
	if (recs.len)
		memcpy(ans->data + text_start, recs.data, recs.len);
	ans->len += recs.len;

	fixed = ans->data + start;
	memset(fixed, 0, DEB_PKG_FIXED);
	put_le32(fixed + 0, DEB_PKG_MAGIC);
	put_le16(fixed + 4, DEB_ANS_VERSION);
	put_le16(fixed + 6, (uint16_t)flags);
	fixed[8] = (uint8_t)comp;
	put_le64(fixed + 16, text_len);
	put_le32(fixed + 24, n_rec);
	put_le32(fixed + 28, n_skip);
out:
	if (r < 0)
		ans->len = start;	/* nothing of a failed parse */
	dg_buf_free(&recs);
	return r;
}

int deb_parse_request(uint16_t type, const uint8_t *req, size_t len,
		      struct dg_buf *ans, char *err, size_t errlen)
{
	switch (type) {
	case DEB_REQ_RELEASE:
		return deb_release_parse(req, len, ans, err, errlen);
	case DEB_REQ_PACKAGES:
		return deb_packages_parse(req, len, DEB_TEXT_MAX, ans, err, errlen);
	case DEB_REQ_ARCHIVE:
		return deb_archive_parse(req, len, ans, err, errlen);
	}
	return dg_errf(err, errlen, -EOPNOTSUPP, "unknown request type 0x%x", type);
}

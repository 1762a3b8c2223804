// SPDX-License-Identifier: MIT
/*
 * Re-checks of the deb handler's answers (deb_proto.h).  The handler finds
 * things in a text; the core confirms each find in that text by the rule
 * the find must obey, reading only the bytes the span points at and the
 * line around them, and never searches the text for anything itself.  The
 * Release text is the signed content of a verified InRelease; the Packages
 * text is hashed by the caller and must match a Release entry, so both are
 * authenticated before a record is believed, and a handler that lies can
 * only make a lookup fail, never succeed wrongly.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "deb_core.h"
#include "hex.h"
#include "log.h"
#include "../../handlers/deb/deb_proto.h"

#define DEB_YEAR_SECONDS_MAX 253402300799LL	/* 9999-12-31T23:59:59Z */

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

int deb_reject(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(err, errlen, "handler answer rejected: ");
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

static int span_in(uint64_t off, uint64_t len, size_t lo, size_t hi)
{
	return off >= lo && off <= hi && len <= hi - off;
}

static int blank(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* 64 hexadecimal digits at @p into @out; 0 or -1. */
static int unhex32(const uint8_t *p, uint8_t out[32])
{
	return dg_unhex_n((const char *)p, out, 32) ? -1 : 0;
}

/* 1 to DEB_SIZE_DIGITS_MAX decimal digits that fit in 64 bits; 0 or -1. */
static int decimal(const uint8_t *p, size_t len, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (len == 0 || len > DEB_SIZE_DIGITS_MAX)
		return -1;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9' || x > (UINT64_MAX - (uint64_t)(p[i] - '0')) / 10)
			return -1;
		x = x * 10 + (uint64_t)(p[i] - '0');
	}
	*v = x;
	return 0;
}

/* Start of the line that holds @off, not before @lo. */
static size_t line_start(const uint8_t *t, size_t lo, size_t off)
{
	while (off > lo && t[off - 1] != '\n')
		off--;
	return off;
}

/* Offset of the '\n' that ends the line holding @off, or @hi. */
static size_t line_end(const uint8_t *t, size_t hi, size_t off)
{
	const uint8_t *nl = off < hi ? memchr(t + off, '\n', hi - off) : NULL;

	return nl ? (size_t)(nl - t) : hi;
}

/* The line [@ls, @le) is empty or spaces and tabs only. */
static int blank_line(const uint8_t *t, size_t ls, size_t le)
{
	for (; ls < le; ls++)
		if (!blank(t[ls]))
			return 0;
	return 1;
}

/* No empty or blank line in [@lo, @hi) (which starts a line). */
static int no_blank_line(const uint8_t *t, size_t lo, size_t hi)
{
	while (lo < hi) {
		size_t le = line_end(t, hi, lo);

		if (blank_line(t, lo, le))
			return 0;
		lo = le + 1;
	}
	return 1;
}

/*
 * [@off, @off + @len) is the whole value of a field @name whose line lies
 * in [@lo, @hi) of the text @t of @n bytes: the line starts with the name
 * and ':', then spaces and tabs up to the value, which has no blank at
 * either edge, then spaces and tabs to the line's end.  With @one_line the
 * next line is no continuation.
 */
static int field_value(const uint8_t *t, size_t n, size_t lo, size_t hi, uint64_t off,
		       uint64_t len, const char *name, int one_line)
{
	size_t nl = strlen(name), ls, le, i;

	if (!span_in(off, len, lo, hi) || len == 0)
		return 0;
	ls = line_start(t, lo, (size_t)off);
	if (ls != lo && t[ls - 1] != '\n')
		return 0;
	le = line_end(t, hi, (size_t)off);
	if (off + len > le || (size_t)off - ls < nl + 1)
		return 0;
	if (strncasecmp((const char *)t + ls, name, nl) || t[ls + nl] != ':')
		return 0;
	for (i = ls + nl + 1; i < off; i++)
		if (!blank(t[i]))
			return 0;
	if (blank(t[off]) || blank(t[off + len - 1]))
		return 0;
	for (i = (size_t)(off + len); i < le; i++)
		if (!blank(t[i]))
			return 0;
	/* A next line of blanks only ends the paragraph (as the handler and
	 * apt read it); one with more after its blank continues the field. */
	if (one_line && le + 1 < n && blank(t[le + 1]) &&
	    !blank_line(t, le + 1, line_end(t, n, le + 1)))
		return 0;
	return 1;
}

/*
 * Lines of [@lo, @hi) that start with field @name (any case, then ':'):
 * how many, and where the last one starts.  The core counts them itself,
 * so that a handler cannot leave out a field the text has.
 */
static size_t field_lines(const uint8_t *t, size_t lo, size_t hi, const char *name,
			  size_t *last)
{
	size_t nl = strlen(name), count = 0;

	while (lo < hi) {
		size_t le = line_end(t, hi, lo);

		if (le - lo > nl && !strncasecmp((const char *)t + lo, name, nl) &&
		    t[lo + nl] == ':') {
			count++;
			*last = lo;
		}
		lo = le + 1;
	}
	return count;
}

/* End of the first paragraph of [0, @n): its first blank line, or @n. */
static size_t first_paragraph_end(const uint8_t *t, size_t n)
{
	size_t lo = 0;

	while (lo < n) {
		size_t le = line_end(t, n, lo);

		if (blank_line(t, lo, le))
			return lo;
		lo = le + 1;
	}
	return n;
}

/* Days since 1970-01-01 to a civil date (H. Hinnant's algorithm). */
static void civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

size_t deb_format_date(int64_t t, int lead_zero, const char *zone, char *out, size_t outlen)
{
	static const char *const wday[] = { "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int64_t days, secs, y;
	unsigned m, d;
	int r;

	if (t < 0 || t > DEB_YEAR_SECONDS_MAX || outlen == 0)
		return 0;
	days = t / 86400;
	secs = t % 86400;
	civil(days, &y, &m, &d);
	r = snprintf(out, outlen, lead_zero ? "%s, %02u %s %04lld %02lld:%02lld:%02lld %s" :
			"%s, %u %s %04lld %02lld:%02lld:%02lld %s",
		     wday[days % 7], d, mon[m - 1], (long long)y, (long long)(secs / 3600),
		     (long long)(secs / 60 % 60), (long long)(secs % 60), zone);
	return r > 0 && (size_t)r < outlen ? (size_t)r : 0;
}

/* The value span holds @t in one of the forms deb_proto.h allows. */
static int date_matches(const uint8_t *v, size_t len, int64_t t)
{
	static const char *const zones[] = { "UTC", "GMT", "+0000" };
	char buf[64];
	size_t z, k, n;

	for (z = 0; z < sizeof(zones) / sizeof(zones[0]); z++)
		for (k = 0; k < 2; k++) {
			n = deb_format_date(t, (int)k, zones[z], buf, sizeof(buf));
			if (n && n == len && !memcmp(buf, v, n))
				return 1;
		}
	return 0;
}

/*
 * The Date or Valid-Until claim against the first paragraph [0, @pe): the
 * flag set exactly when the text has that field (once), the span its
 * value, the number its date.  Left out, an expired Release would pass.
 */
static int check_date(const uint8_t *text, size_t n, size_t pe, int have, uint64_t t,
		      uint64_t off, uint64_t len, const char *name, char *err, size_t errlen)
{
	size_t last = 0, count = field_lines(text, 0, pe, name, &last);

	if (count > 1)
		return deb_reject(err, errlen, "the Release has %zu %s fields", count, name);
	if (!have) {
		if (count)
			return deb_reject(err, errlen, "the answer leaves out the Release's %s", name);
		if (off || len)
			return deb_reject(err, errlen, "%s span without its flag", name);
		return 0;
	}
	if (!field_value(text, n, 0, pe, off, len, name, 1))
		return deb_reject(err, errlen, "%s span is not the value of a %s field", name, name);
	if (t > DEB_YEAR_SECONDS_MAX || !date_matches(text + off, (size_t)len, (int64_t)t))
		return deb_reject(err, errlen, "%s %llu does not match its text", name,
			    (unsigned long long)t);
	return 0;
}

void deb_release_free(struct deb_release *r)
{
	if (!r)
		return;
	free(r->e);
	memset(r, 0, sizeof(*r));
}

/*
 * One entry line re-read by the grammar: blanks, 64 hex digits, blanks,
 * the size, blanks, the path, blanks, then the line's end at or before
 * @fe.  Each position must be where the answer says.
 */
static int check_entry(const uint8_t *t, size_t fe, const uint8_t *a, struct deb_rel_entry *e)
{
	uint64_t size = deb_le64(a);
	size_t lo = deb_le32(a + 8), ho = deb_le32(a + 12), so = deb_le32(a + 16), sl = deb_le32(a + 20);
	size_t po = deb_le32(a + 24), pl = deb_le32(a + 28), i = lo, le = line_end(t, fe, lo);
	uint64_t v;

	while (i < le && blank(t[i]))
		i++;
	if (i == lo || i != ho || le - i < DEB_SHA256_HEX || unhex32(t + i, e->sha256) < 0)
		return 0;
	i += DEB_SHA256_HEX;
	if (i == le || !blank(t[i]))
		return 0;
	while (i < le && blank(t[i]))
		i++;
	if (i != so || sl > le - i || decimal(t + i, sl, &v) < 0 || v != size)
		return 0;
	i += sl;
	if (i == le || !blank(t[i]))
		return 0;
	while (i < le && blank(t[i]))
		i++;
	if (i != po || pl == 0 || pl > le - i)
		return 0;
	for (; i < po + pl; i++)
		if (blank(t[i]))
			return 0;
	for (; i < le; i++)
		if (!blank(t[i]))
			return 0;
	e->size = size;
	e->path_off = po;
	e->path_len = pl;
	return 1;
}

int deb_check_release(const uint8_t *text, size_t n, const uint8_t *ans, size_t ans_len,
		      struct deb_release *out, char *err, size_t errlen)
{
	uint16_t flags;
	uint64_t fo, fl, fe, first_end, prev = 0;
	uint32_t nent, i;
	size_t pe;
	int r;

	memset(out, 0, sizeof(*out));
	if (ans_len < DEB_REL_FIXED)
		return deb_reject(err, errlen, "Release answer of %zu bytes", ans_len);
	if (deb_le32(ans) != DEB_REL_MAGIC || le16(ans + 4) != DEB_ANS_VERSION)
		return deb_reject(err, errlen, "Release answer has a wrong magic or version");
	flags = le16(ans + 6);
	if (flags & ~(DEB_REL_F_DATE | DEB_REL_F_VALID_UNTIL))
		return deb_reject(err, errlen, "Release answer has unknown flags 0x%x", flags);
	nent = deb_le32(ans + 48);
	if (nent > DEB_REL_ENTRIES_MAX ||
	    ans_len != DEB_REL_FIXED + (size_t)nent * DEB_REL_ENTRY_SIZE)
		return deb_reject(err, errlen, "Release answer of %zu bytes for %u entries", ans_len, nent);
	pe = first_paragraph_end(text, n);
	r = check_date(text, n, pe, flags & DEB_REL_F_DATE, deb_le64(ans + 8), deb_le32(ans + 24),
		       deb_le32(ans + 28), "Date", err, errlen);
	if (!r)
		r = check_date(text, n, pe, flags & DEB_REL_F_VALID_UNTIL, deb_le64(ans + 16),
			       deb_le32(ans + 32), deb_le32(ans + 36), "Valid-Until", err, errlen);
	if (r < 0)
		return r;
	/* The SHA256 field: at a line start of the first paragraph, its first
	 * line blank after the name, ending at a line's end, complete. */
	fo = deb_le32(ans + 40);
	fl = deb_le32(ans + 44);
	fe = fo + fl;
	if (!span_in(fo, fl, 0, n) || fl < 7 || (fo && text[fo - 1] != '\n') ||
	    strncasecmp((const char *)text + fo, "SHA256:", 7) ||
	    (fe < n && text[fe - 1] != '\n') || (fe < n && blank(text[fe])) ||
	    !no_blank_line(text, 0, (size_t)fo))
		return deb_reject(err, errlen, "the SHA256 field span is not a whole field of the "
			    "first paragraph");
	first_end = line_end(text, (size_t)fe, (size_t)fo);
	if (!blank_line(text, (size_t)fo + 7, (size_t)first_end))
		return deb_reject(err, errlen, "the SHA256 field has a value on its first line");
	/* The one SHA256 field of the first paragraph, each line after its
	 * first a continuation: no other field's line inside the span. */
	{
		size_t last = 0, lo;

		if (fe > pe || field_lines(text, 0, pe, "SHA256", &last) != 1 || last != fo)
			return deb_reject(err, errlen, "the SHA256 field span is not the first "
					  "paragraph's only SHA256 field");
		for (lo = (size_t)first_end + 1; lo < fe; lo = line_end(text, (size_t)fe, lo) + 1)
			if (!blank(text[lo]) ||
			    blank_line(text, lo, line_end(text, (size_t)fe, lo)))
				return deb_reject(err, errlen, "the SHA256 field span holds a line "
						  "that is not one of its entries");
	}
	out->date = flags & DEB_REL_F_DATE ? (int64_t)deb_le64(ans + 8) : INT64_MIN;
	out->valid_until = flags & DEB_REL_F_VALID_UNTIL ? (int64_t)deb_le64(ans + 16) : INT64_MAX;
	out->e = calloc(nent ? nent : 1, sizeof(*out->e));
	if (!out->e)
		return dg_errf(err, errlen, -ENOMEM, "out of memory for %u Release entries", nent);
	for (i = 0; i < nent; i++) {
		const uint8_t *a = ans + DEB_REL_FIXED + (size_t)i * DEB_REL_ENTRY_SIZE;
		uint64_t lo = deb_le32(a + 8);

		/* A continuation line after the first, in order, each once. */
		if (lo <= first_end || lo >= fe || lo <= prev || text[lo - 1] != '\n' ||
		    !check_entry(text, (size_t)fe, a, &out->e[i])) {
			deb_release_free(out);
			return deb_reject(err, errlen, "SHA256 entry %u is not the line it claims to be", i);
		}
		prev = lo;
	}
	out->n = nent;
	return 0;
}

static int idx_cmp(const void *a, const void *b)
{
	const struct deb_idx *x = a, *y = b;
	int c = memcmp(x->sha256, y->sha256, sizeof(x->sha256));

	if (c)
		return c;
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return x->rec < y->rec ? -1 : x->rec > y->rec;
}

void deb_packages_free(struct deb_packages *p)
{
	if (!p)
		return;
	free(p->idx);
	memset(p, 0, sizeof(*p));
}

int deb_check_packages(const uint8_t *req, size_t req_len, const uint8_t *ans, size_t ans_len,
		       struct deb_packages *out, char *err, size_t errlen)
{
	uint16_t flags;
	uint64_t text_len;
	uint32_t nrec, i;
	size_t recs;
	int comp;

	memset(out, 0, sizeof(*out));
	if (ans_len < DEB_PKG_FIXED)
		return deb_reject(err, errlen, "Packages answer of %zu bytes", ans_len);
	if (deb_le32(ans) != DEB_PKG_MAGIC || le16(ans + 4) != DEB_ANS_VERSION)
		return deb_reject(err, errlen, "Packages answer has a wrong magic or version");
	flags = le16(ans + 6);
	comp = ans[8];
	text_len = deb_le64(ans + 16);
	nrec = deb_le32(ans + 24);
	if ((flags & ~DEB_PKG_F_TEXT) || comp > DEB_COMP_BZIP2)
		return deb_reject(err, errlen, "Packages answer has unknown flags or compression");
	for (i = 9; i < 16; i++)
		if (ans[i])
			return deb_reject(err, errlen, "Packages answer has reserved bytes set");
	if (nrec > DEB_PKG_RECORDS_MAX || text_len > DEB_TEXT_MAX)
		return deb_reject(err, errlen, "Packages answer over a limit (%u records, %llu bytes)",
			    nrec, (unsigned long long)text_len);
	recs = (size_t)nrec * DEB_PKG_RECORD_SIZE;
	if (flags & DEB_PKG_F_TEXT) {
		if (comp == DEB_COMP_NONE || ans_len - DEB_PKG_FIXED < recs ||
		    ans_len - DEB_PKG_FIXED - recs != text_len)
			return deb_reject(err, errlen, "Packages answer's text does not fit its length");
		out->text = ans + DEB_PKG_FIXED + recs;
	} else {
		if (comp != DEB_COMP_NONE || text_len != req_len || ans_len != DEB_PKG_FIXED + recs)
			return deb_reject(err, errlen, "Packages answer's length does not fit the request");
		out->text = req;
	}
	out->text_len = (size_t)text_len;
	out->compression = comp;
	out->records = ans + DEB_PKG_FIXED;
	out->n_records = nrec;
	out->n_skipped = deb_le32(ans + 28);
	out->idx = calloc(nrec ? nrec : 1, sizeof(*out->idx));
	if (!out->idx)
		return dg_errf(err, errlen, -ENOMEM, "out of memory for %u Packages records", nrec);
	for (i = 0; i < nrec; i++) {
		const uint8_t *r = out->records + (size_t)i * DEB_PKG_RECORD_SIZE;
		const uint8_t *s = r + 16 + 8 * DEB_FIELD_SHA256;
		uint64_t off = deb_le32(s), len = deb_le32(s + 4);

		if (len != DEB_SHA256_HEX || !span_in(off, len, 0, out->text_len) ||
		    unhex32(out->text + off, out->idx[i].sha256) < 0) {
			deb_packages_free(out);
			return deb_reject(err, errlen, "Packages record %u: its SHA256 span does not hold "
				    "64 hexadecimal digits", i);
		}
		out->idx[i].size = deb_le64(r);
		out->idx[i].rec = i;
	}
	qsort(out->idx, nrec, sizeof(*out->idx), idx_cmp);
	return 0;
}

const struct deb_idx *deb_packages_find(const struct deb_packages *p, const uint8_t sha256[32],
					uint64_t size)
{
	size_t lo = 0, hi = p->n_records;
	struct deb_idx key;

	memcpy(key.sha256, sha256, sizeof(key.sha256));
	key.size = size;
	key.rec = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (idx_cmp(&p->idx[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < p->n_records && !memcmp(p->idx[lo].sha256, sha256, 32) && p->idx[lo].size == size)
		return &p->idx[lo];
	return NULL;
}

void dg_deb_pkg_free(struct dg_deb_pkg *pkg)
{
	if (!pkg)
		return;
	free(pkg->package);
	free(pkg->version);
	free(pkg->architecture);
	free(pkg->filename);
	memset(pkg, 0, sizeof(*pkg));
}

/* A value for a message or a report: printable ASCII and UTF-8 only. */
static char *value_dup(const uint8_t *v, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (v[i] < 0x20 || v[i] == 0x7f)
			return NULL;
	return strndup((const char *)v, len);
}

int deb_check_record(const struct deb_packages *p, uint32_t rec, struct dg_deb_pkg *pkg,
		     char *err, size_t errlen)
{
	const uint8_t *r, *t = p->text;
	char **str[DEB_FIELDS] = { &pkg->package, &pkg->version, &pkg->architecture,
				   &pkg->filename, NULL, NULL };
	uint64_t po, pl, pe, v;
	int f;

	memset(pkg, 0, sizeof(*pkg));
	if (rec >= p->n_records)
		return deb_reject(err, errlen, "no Packages record %u", rec);
	r = p->records + (size_t)rec * DEB_PKG_RECORD_SIZE;
	po = deb_le32(r + 8);
	pl = deb_le32(r + 12);
	pe = po + pl;
	/* A whole paragraph: after an empty (or blank) line or at the start,
	 * to the end or an empty line, without an empty line inside (a span
	 * cut short would hide a second SHA256 line after it). */
	if (!span_in(po, pl, 0, p->text_len) || pl == 0 ||
	    (po && (t[po - 1] != '\n' ||
		    !blank_line(t, line_start(t, 0, (size_t)po - 1), (size_t)po - 1))) ||
	    (pe < p->text_len && (t[pe - 1] != '\n' ||
				  !blank_line(t, (size_t)pe, line_end(t, p->text_len, (size_t)pe)))) ||
	    !no_blank_line(t, (size_t)po, (size_t)pe))
		return deb_reject(err, errlen, "Packages record %u: its span is not a paragraph", rec);
	for (f = 0; f < DEB_FIELDS; f++) {
		const uint8_t *s = r + 16 + 8 * f;
		uint64_t off = deb_le32(s), len = deb_le32(s + 4);
		size_t last = 0;

		/* Each of the six once in the paragraph: with two SHA256 lines,
		 * say, a handler could choose which one the .deb must match. */
		if (!field_value(t, p->text_len, (size_t)po, (size_t)pe, off, len,
				 deb_field_name(f), 1) ||
		    field_lines(t, (size_t)po, (size_t)pe, deb_field_name(f), &last) != 1) {
			dg_deb_pkg_free(pkg);
			return deb_reject(err, errlen, "Packages record %u: its %s span is not that "
				    "field's value in the paragraph", rec, deb_field_name(f));
		}
		if (f == DEB_FIELD_SIZE) {
			if (decimal(t + off, (size_t)len, &v) < 0 || v != deb_le64(r)) {
				dg_deb_pkg_free(pkg);
				return deb_reject(err, errlen, "Packages record %u: Size does not match",
					    rec);
			}
			pkg->size = v;
		} else if (f == DEB_FIELD_SHA256) {
			if (len != DEB_SHA256_HEX || unhex32(t + off, pkg->sha256) < 0) {
				dg_deb_pkg_free(pkg);
				return deb_reject(err, errlen, "Packages record %u: SHA256 is not 64 "
					    "hexadecimal digits", rec);
			}
		} else if (!(*str[f] = value_dup(t + off, (size_t)len))) {
			dg_deb_pkg_free(pkg);
			return deb_reject(err, errlen, "Packages record %u: %s has control characters",
				    rec, deb_field_name(f));
		}
	}
	return 0;
}

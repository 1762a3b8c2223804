// SPDX-License-Identifier: MIT
/*
 * A .deb's data member and its tar stream, for DEB_REQ_ARCHIVE.
 *
 * ar (deb(5), ar(5)): "!<arch>\n", then members, each a 60-byte header
 * (name[16] space padded, GNU ar ending it with '/'; mtime[12], uid[6],
 * gid[6], mode[8]; size[10] decimal, space padded; "`\n") and its data,
 * padded with '\n' to an even offset.  deb(5) fixes the order:
 * "debian-binary" ("2." and more), control.tar[.EXT], data.tar[.EXT];
 * members named "_..." may stand between them; members after data.tar are
 * to be ignored.
 *
 * tar (POSIX.1-2017 pax, "ustar Interchange Format"; GNU tar's manual,
 * "Basic Tar Format"): 512-byte headers, each followed by its data padded
 * to a whole block, up to a block of zeros.  GNU 'L'/'K' headers carry the
 * long name/link name of the next entry, pax 'x' headers "LEN key=value\n"
 * records for the next entry, 'g' records for all later ones.
 *
 * Stricter than dpkg and GNU tar where they are lax, so that the core, the
 * handler and the tool that unpacks the package cannot read one .deb two
 * ways:
 *   - every ar member is read, to the end of the file: a second
 *     debian-binary, control.tar or data.tar is -EBADMSG (dpkg stops at
 *     the first data.tar; another reader may take the last);
 *   - numeric tar fields are octal digits from the field's first byte,
 *     ended by a NUL or a space, then only NULs and spaces (dpkg also skips
 *     leading spaces; GNU tar reads a field of digits only); the size may
 *     be base-256 (first byte 0x80, the value in the last 8 bytes); the
 *     checksum is the unsigned sum (GNU tar also takes the historic signed
 *     one);
 *   - after the end-of-archive block only zero bytes: tar stops reading
 *     there, `tar --ignore-zeros` would go on to what follows;
 *   - entry types are '0' (or NUL), '1' to '7', and 'L', 'K', 'x', 'g';
 *     any other (GNU sparse 'S', dump dir 'D', volume 'V', ...) is
 *     -EOPNOTSUPP, as are pax GNU.sparse.* records and a 'g' header that
 *     sets path, linkpath or size: tars read those as files, or as other
 *     names and sizes, in ways the records could not describe;
 *   - a pax size record must equal the header's size field, which the
 *     records' offsets follow;
 *   - a GNU header ("ustar  \0") must have an empty prefix field: GNU tar
 *     keeps times there and dpkg reads the name alone;
 *   - each extension header at most once before its entry, 'K' only
 *     before a link ('1', '2'), and no 'g' between an extension and its
 *     entry.
 */
#include "deb_archive.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cursor.h"
#include "deb_decompress.h"
#include "deb_proto.h"
#include "log.h"

/* Members of one .deb: dpkg-deb writes three; room for "_..." ones. */
#define DEB_AR_MEMBERS_MAX 64u
/* Data of one 'L', 'K', 'x' or 'g' header: far above any PATH_MAX. */
#define DEB_TAR_EXT_MAX (1u << 20)
/* Digits of a pax size value (a u64). */
#define DEB_PAX_SIZE_DIGITS_MAX 20

#define AR_MAGIC_LEN 8
#define AR_NAME_LEN 16
#define AR_SIZE 48
#define AR_SIZE_LEN 10
#define AR_FMAG 58

/* ustar header fields (POSIX.1-2017 pax, "ustar Interchange Format"). */
#define TAR_NAME 0
#define TAR_NAME_LEN 100
#define TAR_MODE 100
#define TAR_MODE_LEN 8
#define TAR_SIZE 124
#define TAR_SIZE_LEN 12
#define TAR_CHKSUM 148
#define TAR_CHKSUM_LEN 8
#define TAR_TYPEFLAG 156
#define TAR_MAGIC 257
#define TAR_PREFIX 345
#define TAR_PREFIX_LEN 155

struct ar_member {
	char name[AR_NAME_LEN + 1];	/* without padding and GNU's '/'; printable */
	size_t off;			/* of its header in the .deb */
	struct dg_cur data;
};

static const struct {
	const char *name;
	int comp;
} data_members[] = {
	{ "data.tar", DEB_COMP_NONE },
	{ "data.tar.gz", DEB_COMP_GZIP },
	{ "data.tar.xz", DEB_COMP_XZ },
	{ "data.tar.bz2", DEB_COMP_BZIP2 },
	{ "data.tar.lzma", DEB_COMP_LZMA },
	{ "data.tar.zst", DEB_COMP_ZSTD },
};

/* Extension headers read, waiting for the entry they describe. */
struct tar_pending {
	int have_l, have_k, have_x;
	uint64_t l_hdr, k_hdr, x_hdr;	/* their header offsets, for messages */
	uint64_t l_off;			/* the 'L' name */
	uint32_t l_len;
	int have_path;			/* the last pax path record */
	uint64_t path_rec, path_off;
	uint32_t path_len;
	int have_size;			/* a pax size record */
	uint64_t size;
};

struct tar_rec {
	uint64_t hdr, size, a_off, b_off, rec_off;
	uint32_t a_len, b_len, mode;
	uint8_t type, kind;
};

struct tar_walk {
	const char *what;		/* the member's name, for messages */
	const uint8_t *base;		/* the tar stream */
	size_t len;
	struct dg_buf *recs;
	uint32_t n;
	char *err;
	size_t errlen;
};

static int is_digit(uint8_t b)
{
	return b >= '0' && b <= '9';
}

static int all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Bytes of a NUL-padded field up to its first NUL, or all of it. */
static size_t field_len(const uint8_t *p, size_t n)
{
	const uint8_t *nul = memchr(p, '\0', n);

	return nul ? (size_t)(nul - p) : n;
}

/* "name" or "name.EXT". */
static int member_is(const char *name, const char *base)
{
	size_t n = strlen(base);

	return !strncmp(name, base, n) && (name[n] == '\0' || name[n] == '.');
}

/* ---- ar --------------------------------------------------------------- */

static int ar_fail(size_t idx, size_t off, char *err, size_t errlen, int r, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static int ar_fail(size_t idx, size_t off, char *err, size_t errlen, int r, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return dg_errf(err, errlen, r, "ar member %zu at offset %zu: %s", idx, off, why);
}

/* The member at @c, the @idx-th, into @m. */
static int ar_member_next(struct dg_cur *c, const uint8_t *deb, size_t idx, struct ar_member *m,
			  char *err, size_t errlen)
{
	struct dg_cur h;
	uint64_t size = 0;
	size_t n, i;
	uint8_t pad;

	m->off = cur_off(c, deb);
	if (cur_take(c, DEB_AR_HEADER, &h) < 0)
		return ar_fail(idx, m->off, err, errlen, -ENODATA, "header truncated (%zu of %d bytes)",
			       c->len, DEB_AR_HEADER);
	if (h.p[AR_FMAG] != '`' || h.p[AR_FMAG + 1] != '\n')
		return ar_fail(idx, m->off, err, errlen, -EBADMSG, "header does not end in \"`\\n\"");
	for (n = AR_NAME_LEN; n && h.p[n - 1] == ' '; n--)
		;
	if (n && h.p[n - 1] == '/')
		n--;
	/* Empty: GNU ar's symbol table ("/") or long-name table ("//"). */
	if (!n)
		return ar_fail(idx, m->off, err, errlen, -EBADMSG, "empty member name");
	for (i = 0; i < n; i++)
		if (h.p[i] < 0x21 || h.p[i] > 0x7e || h.p[i] == '/')
			return ar_fail(idx, m->off, err, errlen, -EBADMSG, "member name holds byte 0x%02x",
				       h.p[i]);
	memcpy(m->name, h.p, n);
	m->name[n] = '\0';
	for (i = 0; i < AR_SIZE_LEN && is_digit(h.p[AR_SIZE + i]); i++)
		size = size * 10 + (uint64_t)(h.p[AR_SIZE + i] - '0');
	if (!i)
		return ar_fail(idx, m->off, err, errlen, -EBADMSG, "size field is not decimal");
	for (; i < AR_SIZE_LEN; i++)
		if (h.p[AR_SIZE + i] != ' ')
			return ar_fail(idx, m->off, err, errlen, -EBADMSG,
				       "size field holds byte 0x%02x after its digits", h.p[AR_SIZE + i]);
	if (size > c->len)
		return ar_fail(idx, m->off, err, errlen, -ENODATA,
			       "\"%s\" truncated: %llu bytes, %zu left", m->name,
			       (unsigned long long)size, c->len);
	cur_take(c, (size_t)size, &m->data);
	/* ar(5): data padded to an even offset with '\n'. */
	if (size & 1) {
		if (cur_u8(c, &pad) < 0)
			return ar_fail(idx, m->off, err, errlen, -ENODATA,
				       "\"%s\": no padding byte after its odd size", m->name);
		if (pad != '\n')
			return ar_fail(idx, m->off, err, errlen, -EBADMSG,
				       "\"%s\": padding byte 0x%02x, not '\\n'", m->name, pad);
	}
	return 0;
}

/* The data member of @deb (deb(5) order) into @data, its compression into @comp. */
static int ar_find_data(const uint8_t *deb, size_t len, struct ar_member *data, int *comp,
			char *err, size_t errlen)
{
	enum { WANT_BINARY, WANT_CONTROL, WANT_DATA, AFTER_DATA } state = WANT_BINARY;
	struct dg_cur c = cur_init(deb, len), magic;
	struct ar_member m;
	size_t idx, k;
	int r;

	if (cur_take(&c, AR_MAGIC_LEN, &magic) < 0 || memcmp(magic.p, DEB_AR_MAGIC, AR_MAGIC_LEN))
		return dg_errf(err, errlen, -EBADMSG, "not an ar archive (no \"!<arch>\" magic)");
	for (idx = 0; c.len; idx++) {
		if (idx >= DEB_AR_MEMBERS_MAX)
			return dg_errf(err, errlen, -E2BIG, "ar member count exceeds limit %u",
				       DEB_AR_MEMBERS_MAX);
		r = ar_member_next(&c, deb, idx, &m, err, errlen);
		if (r < 0)
			return r;
		switch (state) {
		case WANT_BINARY:
			if (strcmp(m.name, "debian-binary"))
				return dg_errf(err, errlen, -EBADMSG,
					       "not a Debian binary package (first member \"%s\", not debian-binary)",
					       m.name);
			if (m.data.len < 2 || memcmp(m.data.p, "2.", 2))
				return dg_errf(err, errlen, -EBADMSG,
					       "not a Debian binary package (debian-binary does not start with \"2.\")");
			state = WANT_CONTROL;
			break;
		case WANT_CONTROL:
			if (m.name[0] == '_')
				break;
			if (!member_is(m.name, "control.tar"))
				return ar_fail(idx, m.off, err, errlen, -EBADMSG,
					       "\"%s\" where control.tar is due", m.name);
			state = WANT_DATA;
			break;
		case WANT_DATA:
			if (m.name[0] == '_')
				break;
			if (!member_is(m.name, "data.tar"))
				return ar_fail(idx, m.off, err, errlen, -EBADMSG,
					       "\"%s\" where data.tar is due", m.name);
			for (k = 0; k < sizeof(data_members) / sizeof(data_members[0]); k++)
				if (!strcmp(m.name, data_members[k].name))
					break;
			if (k == sizeof(data_members) / sizeof(data_members[0]))
				return ar_fail(idx, m.off, err, errlen, -EOPNOTSUPP,
					       "\"%s\": unknown compression (data.tar, .gz, .xz, .bz2, .lzma or .zst)",
					       m.name);
			*data = m;
			*comp = data_members[k].comp;
			state = AFTER_DATA;
			break;
		case AFTER_DATA:
			if (!strcmp(m.name, "debian-binary") || member_is(m.name, "control.tar") ||
			    member_is(m.name, "data.tar"))
				return ar_fail(idx, m.off, err, errlen, -EBADMSG,
					       "second package member \"%s\" (data member at offset %zu)",
					       m.name, data->off);
			break;
		}
	}
	if (state == WANT_BINARY)
		return dg_errf(err, errlen, -EBADMSG, "not a Debian binary package (no members)");
	if (state != AFTER_DATA)
		return dg_errf(err, errlen, -EBADMSG, "no %s member",
			       state == WANT_CONTROL ? "control.tar" : "data.tar");
	return 0;
}

/* ---- tar -------------------------------------------------------------- */

static int tar_fail(const struct tar_walk *w, uint64_t hdr, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int tar_fail(const struct tar_walk *w, uint64_t hdr, int r, const char *fmt, ...)
{
	char why[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return dg_errf(w->err, w->errlen, r, "%s: tar header at offset %llu: %s", w->what,
		       (unsigned long long)hdr, why);
}

/* Octal digits from the first byte, a NUL or space, then NULs and spaces. */
static int tar_octal(const uint8_t *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n && p[i] >= '0' && p[i] <= '7'; i++)
		v = v * 8 + (uint64_t)(p[i] - '0');	/* at most 12 digits: no overflow */
	if (!i || i == n)
		return -1;
	for (; i < n; i++)
		if (p[i] != '\0' && p[i] != ' ')
			return -1;
	*out = v;
	return 0;
}

/* The size field: octal, or GNU base-256 (0x80, then big-endian) that fits in 64 bits. */
static int tar_size(const uint8_t *p, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!(p[0] & 0x80))
		return tar_octal(p, TAR_SIZE_LEN, out);
	if (p[0] != 0x80 || p[1] || p[2] || p[3])
		return -1;	/* negative, or over 64 bits */
	for (i = 4; i < TAR_SIZE_LEN; i++)
		v = v << 8 | p[i];
	*out = v;
	return 0;
}

/* The header's sum, its checksum field counted as spaces. */
static uint64_t tar_sum(const uint8_t *h)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < DEB_TAR_BLOCK; i++)
		sum += i >= TAR_CHKSUM && i < TAR_CHKSUM + TAR_CHKSUM_LEN ? ' ' : h[i];
	return sum;
}

static int key_is(const struct dg_cur *key, const char *want)
{
	size_t n = strlen(want);

	return key->len == n && !memcmp(key->p, want, n);
}

/* A decimal u64 of 1 to 20 digits. */
static int pax_decimal(const struct dg_cur *v, uint64_t *out)
{
	uint64_t n = 0;
	size_t i;

	if (!v->len || v->len > DEB_PAX_SIZE_DIGITS_MAX)
		return -1;
	for (i = 0; i < v->len; i++) {
		unsigned d = (unsigned)(v->p[i] - '0');

		if (!is_digit(v->p[i]) || n > (UINT64_MAX - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	*out = n;
	return 0;
}

/*
 * The records "LEN key=value\n" of the pax header at @hdr (@d its data),
 * LEN counting the whole record (POSIX.1-2017 pax, "pax Extended Header");
 * the ones for the next entry into @x, or, @global, for all later ones
 * (checked, and otherwise ignored).
 */
static int pax_records(const struct tar_walk *w, uint64_t hdr, struct dg_cur d, int global,
		       struct tar_pending *x)
{
	while (d.len) {
		size_t rec_off = cur_off(&d, w->base), n = 0, i;
		struct dg_cur rec, key, val;
		const uint8_t *eq;
		uint64_t size;

		/* n stays below d.len + 1 (at most DEB_TAR_EXT_MAX): no overflow. */
		for (i = 0; i < d.len && is_digit(d.p[i]) && n <= d.len; i++)
			n = n * 10 + (size_t)(d.p[i] - '0');
		if (!i || i >= d.len || d.p[i] != ' ' || d.p[0] == '0')
			return tar_fail(w, hdr, -EBADMSG, "pax record at offset %zu does not start with its length",
					rec_off);
		if (n > d.len)
			return tar_fail(w, hdr, -EBADMSG,
					"pax record at offset %zu: length %zu runs past the header's data (%zu bytes left)",
					rec_off, n, d.len);
		if (n < i + 4)	/* digits, ' ', a key, '=', '\n' */
			return tar_fail(w, hdr, -EBADMSG, "pax record at offset %zu: length %zu is too short",
					rec_off, n);
		cur_take(&d, n, &rec);
		if (rec.p[n - 1] != '\n')
			return tar_fail(w, hdr, -EBADMSG,
					"pax record at offset %zu: length %zu does not match (no '\\n' at its end)",
					rec_off, n);
		key = cur_init(rec.p + i + 1, n - i - 2);
		eq = memchr(key.p, '=', key.len);
		if (!eq || eq == key.p)
			return tar_fail(w, hdr, -EBADMSG, "pax record at offset %zu has no key=value", rec_off);
		val = cur_init(eq + 1, key.len - (size_t)(eq - key.p) - 1);
		key.len = (size_t)(eq - key.p);
		if (memchr(key.p, '\0', key.len))
			return tar_fail(w, hdr, -EBADMSG, "pax record at offset %zu: NUL in its key", rec_off);
		if (key.len > 11 && !memcmp(key.p, "GNU.sparse.", 11))
			return tar_fail(w, hdr, -EOPNOTSUPP, "pax record at offset %zu: GNU sparse files are not supported",
					rec_off);
		if (key_is(&key, "path") || key_is(&key, "linkpath")) {
			if (global)
				return tar_fail(w, hdr, -EOPNOTSUPP,
						"global pax record at offset %zu sets %.*s for every later entry",
						rec_off, (int)key.len, (const char *)key.p);
			if (memchr(val.p, '\0', val.len))
				return tar_fail(w, hdr, -EBADMSG, "pax record at offset %zu: NUL inside the %.*s",
						rec_off, (int)key.len, (const char *)key.p);
			/* pax: an empty value would undo the keyword, not name a file. */
			if (!val.len)
				return tar_fail(w, hdr, -EBADMSG, "pax record at offset %zu: empty %.*s",
						rec_off, (int)key.len, (const char *)key.p);
			if (key_is(&key, "path")) {
				x->have_path = 1;
				x->path_rec = rec_off;
				x->path_off = cur_off(&val, w->base);
				x->path_len = (uint32_t)val.len;
			}
		} else if (key_is(&key, "size")) {
			if (global)
				return tar_fail(w, hdr, -EOPNOTSUPP,
						"global pax record at offset %zu sets size for every later entry",
						rec_off);
			if (pax_decimal(&val, &size) < 0)
				return tar_fail(w, hdr, -EBADMSG, "pax record at offset %zu: size is not decimal",
						rec_off);
			x->have_size = 1;
			x->size = size;
		}
	}
	return 0;
}

/* An 'L' or 'K' header at @hdr with data @d. */
static int tar_long(const struct tar_walk *w, uint64_t hdr, uint8_t type, const struct dg_cur *d,
		    struct tar_pending *x)
{
	int *have = type == 'L' ? &x->have_l : &x->have_k;
	uint64_t *first = type == 'L' ? &x->l_hdr : &x->k_hdr;
	const uint8_t *nul = memchr(d->p, '\0', d->len);

	if (*have)
		return tar_fail(w, hdr, -EBADMSG, "second '%c' header before one entry (the first at %llu)",
				type, (unsigned long long)*first);
	if (!nul)
		return tar_fail(w, hdr, -EBADMSG, "'%c' data holds no NUL-terminated name", type);
	if (nul == d->p)
		return tar_fail(w, hdr, -EBADMSG, "'%c' data holds an empty name", type);
	*have = 1;
	*first = hdr;
	if (type == 'L') {
		x->l_off = cur_off(d, w->base);
		x->l_len = (uint32_t)(nul - d->p);
	}
	return 0;
}

/* The path of the entry with header @h at @t->hdr, by deb_proto.h's path kinds. */
static int tar_entry_path(const struct tar_walk *w, const uint8_t *h, const struct tar_pending *x,
			  struct tar_rec *t)
{
	size_t name_len = field_len(h + TAR_NAME, TAR_NAME_LEN), prefix_len;

	if (x->have_k && t->type != '1' && t->type != '2')
		return tar_fail(w, t->hdr, -EBADMSG,
				"'K' header at %llu before an entry of type 0x%02x, not a link",
				(unsigned long long)x->k_hdr, t->type);
	if (x->have_size && x->size != t->size)
		return tar_fail(w, t->hdr, -EBADMSG, "pax size %llu (header at %llu) differs from the size field %llu",
				(unsigned long long)x->size, (unsigned long long)x->x_hdr,
				(unsigned long long)t->size);
	if (x->have_path) {
		t->kind = DEB_PATH_PAX;
		t->a_off = x->path_off;
		t->a_len = x->path_len;
		t->rec_off = x->path_rec;
		return 0;
	}
	if (x->have_l) {
		t->kind = DEB_PATH_LONG;
		t->a_off = x->l_off;
		t->a_len = x->l_len;
		return 0;
	}
	t->kind = DEB_PATH_NAME;
	t->a_off = t->hdr + TAR_NAME;
	t->a_len = (uint32_t)name_len;
	if (!memcmp(h + TAR_MAGIC, "ustar", 5)) {
		prefix_len = field_len(h + TAR_PREFIX, TAR_PREFIX_LEN);
		if (h[TAR_MAGIC + 5] == ' ') {
			/* GNU's "ustar  \0": atime, ctime and more where ustar has its prefix. */
			if (!all_zero(h + TAR_PREFIX, TAR_PREFIX_LEN))
				return tar_fail(w, t->hdr, -EBADMSG,
						"GNU header with bytes in the ustar prefix field");
		} else if (h[TAR_MAGIC + 5] != '\0') {
			return tar_fail(w, t->hdr, -EBADMSG, "magic \"ustar\" followed by byte 0x%02x",
					h[TAR_MAGIC + 5]);
		} else if (prefix_len) {
			t->kind = DEB_PATH_PREFIX;
			t->a_off = t->hdr + TAR_PREFIX;
			t->a_len = (uint32_t)prefix_len;
			t->b_off = t->hdr + TAR_NAME;
			t->b_len = (uint32_t)name_len;
		}
	}
	if (!name_len)
		return tar_fail(w, t->hdr, -EBADMSG, "entry has an empty name");
	return 0;
}

/*
 * GNU tar and dpkg read no data for a hard or symbolic link, a device, a
 * directory or a FIFO, whatever the size field says: the next header is
 * the block right after this one.  A size there would hide the entries it
 * covers from a walk that skips it, so it must be 0.  A regular file whose
 * path ends in '/' is a directory to tar and a file to dpkg: refused.
 */
static int tar_entry_data(const struct tar_walk *w, const struct tar_rec *t)
{
	int file = t->type == '0' || t->type == '\0' || t->type == '7';
	uint64_t end = t->kind == DEB_PATH_PREFIX ? t->b_off + t->b_len : t->a_off + t->a_len;

	if (file && w->base[end - 1] == '/')
		return tar_fail(w, t->hdr, -EBADMSG, "a regular file entry whose path ends in '/' "
				"(tar makes a directory of it, dpkg a file)");
	if (!file && t->size)
		return tar_fail(w, t->hdr, -EBADMSG, "entry type '%c' with a size of %llu: tar and "
				"dpkg read no data for it", t->type, (unsigned long long)t->size);
	return 0;
}

/* The end of the stream or the archive: no extension may wait for its entry. */
static int tar_end(const struct tar_walk *w, const struct tar_pending *x)
{
	if (x->have_l)
		return tar_fail(w, x->l_hdr, -EBADMSG, "'L' header not followed by an entry");
	if (x->have_k)
		return tar_fail(w, x->k_hdr, -EBADMSG, "'K' header not followed by an entry");
	if (x->have_x)
		return tar_fail(w, x->x_hdr, -EBADMSG, "'x' header not followed by an entry");
	return 0;
}

static int tar_emit(struct tar_walk *w, const struct tar_rec *t)
{
	uint8_t rec[DEB_ARC_RECORD_SIZE];

	memset(rec, 0, sizeof(rec));
	put_le64(rec + 0, t->hdr);
	put_le64(rec + 8, t->size);
	put_le64(rec + 16, t->a_off);
	put_le64(rec + 24, t->b_off);
	put_le64(rec + 32, t->rec_off);
	put_le32(rec + 40, t->a_len);
	put_le32(rec + 44, t->b_len);
	put_le32(rec + 48, t->mode);
	rec[52] = t->type;
	rec[53] = t->kind;
	if (dg_buf_put(w->recs, rec, sizeof(rec)) < 0)
		return dg_errf(w->err, w->errlen, -E2BIG, "%s: answer too large", w->what);
	w->n++;
	return 0;
}

/* One header (not the end-of-archive block) at @hdr, its data left in @c. */
static int tar_header(struct tar_walk *w, uint64_t hdr, const uint8_t *h, struct dg_cur *c,
		      struct tar_pending *x)
{
	struct tar_rec t;
	struct dg_cur data;
	uint64_t sum, size, mode;
	size_t pad;
	int r;

	if (w->n >= DEB_TAR_HEADERS_MAX)
		return tar_fail(w, hdr, -E2BIG, "header count exceeds limit %u", DEB_TAR_HEADERS_MAX);
	if (tar_octal(h + TAR_CHKSUM, TAR_CHKSUM_LEN, &sum) < 0)
		return tar_fail(w, hdr, -EBADMSG, "checksum field is not octal");
	if (sum != tar_sum(h))
		return tar_fail(w, hdr, -EBADMSG, "checksum %llo does not match the header's sum %llo",
				(unsigned long long)sum, (unsigned long long)tar_sum(h));
	if (tar_size(h + TAR_SIZE, &size) < 0)
		return tar_fail(w, hdr, -EBADMSG, "size field is neither octal nor base-256");
	if (tar_octal(h + TAR_MODE, TAR_MODE_LEN, &mode) < 0)
		return tar_fail(w, hdr, -EBADMSG, "mode field is not octal");
	if (size > c->len)
		return tar_fail(w, hdr, -ENODATA, "truncated: data of %llu bytes, %zu left",
				(unsigned long long)size, c->len);
	cur_take(c, (size_t)size, &data);
	pad = (DEB_TAR_BLOCK - data.len % DEB_TAR_BLOCK) % DEB_TAR_BLOCK;
	if (cur_skip(c, pad) < 0)
		return tar_fail(w, hdr, -ENODATA, "truncated: data padding of %zu bytes, %zu left",
				pad, c->len);

	memset(&t, 0, sizeof(t));
	t.hdr = hdr;
	t.size = size;
	t.mode = (uint32_t)mode;	/* at most 7 octal digits */
	t.type = h[TAR_TYPEFLAG];
	switch (t.type) {
	case 'L':
	case 'K':
	case 'x':
	case 'g':
		if (size > DEB_TAR_EXT_MAX)
			return tar_fail(w, hdr, -E2BIG, "'%c' data of %llu bytes exceeds limit %u",
					t.type, (unsigned long long)size, DEB_TAR_EXT_MAX);
		break;
	}
	switch (t.type) {
	case 'L':
	case 'K':
		r = tar_long(w, hdr, t.type, &data, x);
		break;
	case 'x':
		if (x->have_x)
			return tar_fail(w, hdr, -EBADMSG, "second 'x' header before one entry (the first at %llu)",
					(unsigned long long)x->x_hdr);
		x->have_x = 1;
		x->x_hdr = hdr;
		r = pax_records(w, hdr, data, 0, x);
		break;
	case 'g':
		if (x->have_l || x->have_k || x->have_x)
			return tar_fail(w, hdr, -EBADMSG, "'g' header between an extension header and its entry");
		r = pax_records(w, hdr, data, 1, x);
		break;
	case '0': case '\0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
		r = tar_entry_path(w, h, x, &t);
		if (!r)
			r = tar_entry_data(w, &t);
		memset(x, 0, sizeof(*x));
		break;
	default:
		return tar_fail(w, hdr, -EOPNOTSUPP,
				"entry type 0x%02x is not supported (only files, links, devices, directories, FIFOs)",
				t.type);
	}
	if (r < 0)
		return r;
	return tar_emit(w, &t);
}

static int tar_walk(struct tar_walk *w)
{
	struct dg_cur c = cur_init(w->base, w->len), h;
	struct tar_pending x;
	uint64_t hdr;
	size_t i;
	int r;

	memset(&x, 0, sizeof(x));
	for (;;) {
		hdr = cur_off(&c, w->base);
		/* No end-of-archive block: accepted, as tar does, after a whole entry. */
		if (!c.len)
			return tar_end(w, &x);
		if (cur_take(&c, DEB_TAR_BLOCK, &h) < 0)
			return tar_fail(w, hdr, -ENODATA, "truncated: %zu bytes, not a whole header", c.len);
		if (all_zero(h.p, DEB_TAR_BLOCK)) {
			for (i = 0; i < c.len; i++)
				if (c.p[i])
					return tar_fail(w, hdr, -EBADMSG,
							"byte 0x%02x at offset %zu after the end-of-archive block",
							c.p[i], cur_off(&c, w->base) + i);
			return tar_end(w, &x);
		}
		r = tar_header(w, hdr, h.p, &c, &x);
		if (r < 0)
			return r;
	}
}

/* ---- the answer ------------------------------------------------------- */

int deb_archive_parse_max(const uint8_t *deb, size_t len, size_t tar_max,
			  struct dg_buf *ans, char *err, size_t errlen)
{
	struct dg_buf recs = { 0 };
	struct tar_walk w;
	struct ar_member data;
	size_t start = ans->len, tar_start;
	uint32_t flags = 0;
	uint8_t *fixed;
	int comp = DEB_COMP_NONE, r;

	if (err && errlen)
		err[0] = '\0';
	memset(&data, 0, sizeof(data));
	r = ar_find_data(deb, len, &data, &comp, err, errlen);
	if (r < 0)
		return r;
	/* Told by the name; the bytes must agree. */
	if (!deb_compression_magic_agrees(comp, data.data.p, data.data.len)) {
		if (comp == DEB_COMP_NONE)
			return dg_errf(err, errlen, -EBADMSG, "data member \"%s\" holds compressed data",
				       data.name);
		return dg_errf(err, errlen, -EBADMSG, "data member \"%s\" does not hold %s data",
			       data.name, deb_compression_name(comp));
	}
	r = dg_buf_reserve(ans, DEB_ARC_FIXED);
	if (r < 0)
		return dg_errf(err, errlen, r, "answer too large");
	ans->len += DEB_ARC_FIXED;
	tar_start = ans->len;

	memset(&w, 0, sizeof(w));
	w.what = data.name;
	w.recs = &recs;
	w.err = err;
	w.errlen = errlen;
	if (comp == DEB_COMP_NONE) {
		if (data.data.len > tar_max) {
			r = dg_errf(err, errlen, -E2BIG, "%s: %zu bytes exceed limit %zu",
				    data.name, data.data.len, tar_max);
			goto out;
		}
		w.base = data.data.p;
		w.len = data.data.len;
	} else {
		/* Decompressed in place, behind the fixed part; the records are
		 * moved in before it once they are counted. */
		r = deb_decompress(data.name, comp, data.data.p, data.data.len, tar_max, ans, err, errlen);
		if (r < 0)
			goto out;
		w.base = ans->data + tar_start;
		w.len = ans->len - tar_start;
		flags |= DEB_ARC_F_TEXT;
	}
	r = tar_walk(&w);
	if (r < 0)
		goto out;
	if (recs.len && (r = dg_buf_reserve(ans, recs.len)) < 0) {
		dg_errf(err, errlen, r, "answer too large");
		goto out;
	}
	if (flags & DEB_ARC_F_TEXT)
		memmove(ans->data + tar_start + recs.len, ans->data + tar_start, w.len);
	if (recs.len)
		memcpy(ans->data + tar_start, recs.data, recs.len);
	ans->len += recs.len;

	fixed = ans->data + start;
	memset(fixed, 0, DEB_ARC_FIXED);
	put_le32(fixed + 0, DEB_ARC_MAGIC);
	put_le16(fixed + 4, DEB_ANS_VERSION);
	put_le16(fixed + 6, (uint16_t)flags);
	fixed[8] = (uint8_t)comp;
	put_le64(fixed + 16, data.off);
	put_le64(fixed + 24, data.data.len);
	put_le64(fixed + 32, w.len);
	put_le32(fixed + 40, w.n);
out:
	if (r < 0)
		ans->len = start;	/* nothing of a failed parse */
	dg_buf_free(&recs);
	return r;
}

int deb_archive_parse(const uint8_t *deb, size_t len, struct dg_buf *ans,
		      char *err, size_t errlen)
{
	return deb_archive_parse_max(deb, len, DEB_TAR_MAX, ans, err, errlen);
}

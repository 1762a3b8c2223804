// SPDX-License-Identifier: MIT
/*
 * The deb core's re-checks (src/core/deb/deb_check.c) against answers a
 * lying handler could send: each test builds the honest answer for a text
 * (spans found here by plain string search), shows that it passes, then
 * changes one claim and shows that the core refuses it.
 */
#include <string.h>

#include "tap.h"
#include "deb_core.h"
#include "sha256.h"
#include "../../src/handlers/deb/deb_proto.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t at(const char *text, const char *needle)
{
	const char *p = strstr(text, needle);

	return p ? (uint32_t)(p - text) : 0xffffffffu;
}

#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "abcdefABCDEF0123456789abcdefABCDEF0123456789abcdefABCDEF01234567"

static const char release[] =
	"Origin: Test\n"
	"Date: Tue, 14 Nov 2023 22:13:20 UTC\n"
	"Valid-Until: Fri, 1 Jan 2100 00:00:00 UTC\n"
	"MD5Sum:\n"
	" 00000000000000000000000000000000 10 main/binary-amd64/Packages\n"
	"SHA256:\n"
	" " H1 " 1234 main/binary-amd64/Packages\n"
	" " H2 "   99 main/binary-amd64/Packages.gz\n";

/* The honest answer for `release`, in @a (DEB_REL_FIXED + 2 entries). */
static size_t release_answer(uint8_t *a)
{
	uint32_t e1 = at(release, " " H1), e2 = at(release, " " H2);
	uint8_t *e;

	memset(a, 0, DEB_REL_FIXED + 2 * DEB_REL_ENTRY_SIZE);
	put32(a, DEB_REL_MAGIC);
	put16(a + 4, DEB_ANS_VERSION);
	put16(a + 6, DEB_REL_F_DATE | DEB_REL_F_VALID_UNTIL);
	put64(a + 8, 1700000000);
	put64(a + 16, 4102444800);
	put32(a + 24, at(release, "Tue,"));
	put32(a + 28, (uint32_t)strlen("Tue, 14 Nov 2023 22:13:20 UTC"));
	put32(a + 32, at(release, "Fri,"));
	put32(a + 36, (uint32_t)strlen("Fri, 1 Jan 2100 00:00:00 UTC"));
	put32(a + 40, at(release, "SHA256:"));
	put32(a + 44, (uint32_t)(strlen(release) - at(release, "SHA256:")));
	put32(a + 48, 2);
	e = a + DEB_REL_FIXED;
	put64(e, 1234);
	put32(e + 8, e1);
	put32(e + 12, e1 + 1);
	put32(e + 16, e1 + 66);
	put32(e + 20, 4);
	put32(e + 24, e1 + 71);
	put32(e + 28, (uint32_t)strlen("main/binary-amd64/Packages"));
	e += DEB_REL_ENTRY_SIZE;
	put64(e, 99);
	put32(e + 8, e2);
	put32(e + 12, e2 + 1);
	put32(e + 16, e2 + 68);
	put32(e + 20, 2);
	put32(e + 24, e2 + 71);
	put32(e + 28, (uint32_t)strlen("main/binary-amd64/Packages.gz"));
	return DEB_REL_FIXED + 2 * DEB_REL_ENTRY_SIZE;
}

/*
 * DG_WRITE_FUZZ_SEEDS=DIR: write (kind, text, answer) as a seed of
 * fuzz/core_deb_recheck_fuzz.c to DIR/NAME.
 */
static void write_seed_bin(const char *name, int kind, const uint8_t *text, size_t tl,
			   const uint8_t *a, size_t n)
{
	const char *dir = getenv("DG_WRITE_FUZZ_SEEDS");
	uint8_t hdr[5] = { (uint8_t)kind, (uint8_t)tl, (uint8_t)(tl >> 8), (uint8_t)(tl >> 16),
			   (uint8_t)(tl >> 24) };
	FILE *f;

	if (!dir || !(f = fopen(tap_path(dir, name), "wb")))
		return;
	fwrite(hdr, 1, sizeof(hdr), f);
	fwrite(text, 1, tl, f);
	fwrite(a, 1, n, f);
	fclose(f);
}

static void write_seed(const char *name, int kind, const char *text, const uint8_t *a, size_t n)
{
	write_seed_bin(name, kind, (const uint8_t *)text, strlen(text), a, n);
}

static int check_rel(const uint8_t *a, size_t len, struct deb_release *r)
{
	char err[256];
	int rc = deb_check_release((const uint8_t *)release, strlen(release), a, len, r,
				   err, sizeof(err));

	if (rc < 0)
		printf("# %s\n", err);
	return rc;
}

TEST(test_honest_release_answer_is_accepted)
{
	uint8_t a[256];
	size_t n = release_answer(a);
	struct deb_release r;

	write_seed("release", 0, release, a, n);
	CHECK(check_rel(a, n, &r) == 0, "refused");
	CHECK(r.n == 2 && r.e[0].size == 1234 && r.e[1].size == 99, "entries");
	CHECK(r.e[0].sha256[0] == 0x11 && r.e[1].sha256[0] == 0xab, "digests");
	CHECK(r.date == 1700000000 && r.valid_until == 4102444800, "dates");
	deb_release_free(&r);
}

TEST(test_release_entry_with_a_shifted_hash_is_refused)
{
	uint8_t a[256];
	size_t n = release_answer(a);
	struct deb_release r;

	put32(a + DEB_REL_FIXED + 12, at(release, " " H1) + 2);
	CHECK(check_rel(a, n, &r) == -EBADMSG, "accepted");
}

TEST(test_release_entry_with_another_size_is_refused)
{
	uint8_t a[256];
	size_t n = release_answer(a);
	struct deb_release r;

	put64(a + DEB_REL_FIXED, 1235);
	CHECK(check_rel(a, n, &r) == -EBADMSG, "accepted");
}

TEST(test_release_entry_from_the_md5sum_field_is_refused)
{
	uint8_t a[256];
	size_t n = release_answer(a);
	uint32_t l = at(release, " 00000000");
	struct deb_release r;

	put32(a + DEB_REL_FIXED + 8, l);
	CHECK(check_rel(a, n, &r) == -EBADMSG, "a line of MD5Sum taken as SHA256");
}

TEST(test_release_field_span_of_another_field_is_refused)
{
	uint8_t a[256];
	size_t n = release_answer(a);
	struct deb_release r;

	put32(a + 40, at(release, "MD5Sum:"));
	put32(a + 44, (uint32_t)(strlen(release) - at(release, "MD5Sum:")));
	CHECK(check_rel(a, n, &r) == -EBADMSG, "accepted");
}

TEST(test_release_field_span_cut_short_is_refused)
{
	uint8_t a[256];
	size_t n = release_answer(a);
	struct deb_release r;

	/* ends at the end of the first entry, but a continuation follows */
	put32(a + 44, at(release, " " H2) - at(release, "SHA256:"));
	CHECK(check_rel(a, n, &r) == -EBADMSG, "accepted");
}

TEST(test_release_date_that_differs_from_its_text_is_refused)
{
	uint8_t a[256];
	size_t n = release_answer(a);
	struct deb_release r;

	put64(a + 8, 1700000001);
	CHECK(check_rel(a, n, &r) == -EBADMSG, "Date accepted");
	n = release_answer(a);
	put64(a + 16, 4102444801);
	CHECK(check_rel(a, n, &r) == -EBADMSG, "Valid-Until accepted");
}

TEST(test_release_date_span_on_another_field_is_refused)
{
	uint8_t a[256];
	size_t n = release_answer(a);
	struct deb_release r;

	/* the Valid-Until value given as the Date */
	put64(a + 8, 4102444800);
	put32(a + 24, at(release, "Fri,"));
	put32(a + 28, (uint32_t)strlen("Fri, 1 Jan 2100 00:00:00 UTC"));
	CHECK(check_rel(a, n, &r) == -EBADMSG, "accepted");
}

TEST(test_release_answer_length_must_match_its_count)
{
	uint8_t a[256];
	size_t n = release_answer(a);
	struct deb_release r;

	CHECK(check_rel(a, n - 1, &r) == -EBADMSG, "short accepted");
	put32(a + 48, 3);
	CHECK(check_rel(a, n, &r) == -EBADMSG, "count accepted");
}

TEST(test_date_forms_print_back)
{
	char b[64];

	CHECK(deb_format_date(1700000000, 1, "UTC", b, sizeof(b)) &&
	      !strcmp(b, "Tue, 14 Nov 2023 22:13:20 UTC"), "%s", b);
	CHECK(deb_format_date(4102444800, 0, "+0000", b, sizeof(b)) &&
	      !strcmp(b, "Fri, 1 Jan 2100 00:00:00 +0000"), "%s", b);
	CHECK(deb_format_date(951782400, 1, "GMT", b, sizeof(b)) &&
	      !strcmp(b, "Tue, 29 Feb 2000 00:00:00 GMT"), "%s", b);
	CHECK(deb_format_date(-1, 1, "UTC", b, sizeof(b)) == 0, "before 1970");
}

static const char packages[] =
	"Package: hello\n"
	"Version: 1.0\n"
	"Architecture: amd64\n"
	"Filename: pool/h/hello_1.0_amd64.deb\n"
	"Size: 42\n"
	"SHA256: " H1 "\n"
	"Description: one\n"
	" more text\n"
	"\n"
	"Package: world\n"
	"Version: 2.0\n"
	"Architecture: all\n"
	"Filename: pool/w/world_2.0_all.deb\n"
	"Size: 7\n"
	"SHA256: " H2 "\n";

static void span(uint8_t *p, const char *value, const char *from)
{
	uint32_t base = at(packages, from);

	put32(p, base + at(packages + base, value));
	put32(p + 4, (uint32_t)strlen(value));
}

/* Honest answer for `packages`, not compressed. */
static size_t packages_answer(uint8_t *a)
{
	static const char *const v1[] = { "hello", "1.0", "amd64", "pool/h/hello_1.0_amd64.deb",
					  "42", H1 };
	static const char *const v2[] = { "world", "2.0", "all", "pool/w/world_2.0_all.deb",
					  "7", H2 };
	uint8_t *r;
	int f;

	memset(a, 0, DEB_PKG_FIXED + 2 * DEB_PKG_RECORD_SIZE);
	put32(a, DEB_PKG_MAGIC);
	put16(a + 4, DEB_ANS_VERSION);
	put64(a + 16, strlen(packages));
	put32(a + 24, 2);
	r = a + DEB_PKG_FIXED;
	put64(r, 42);
	put32(r + 8, 0);
	put32(r + 12, at(packages, "\n\nPackage: world") + 1);
	for (f = 0; f < DEB_FIELDS; f++)
		span(r + 16 + 8 * f, v1[f], "Package: hello");
	r += DEB_PKG_RECORD_SIZE;
	put64(r, 7);
	put32(r + 8, at(packages, "Package: world"));
	put32(r + 12, (uint32_t)(strlen(packages) - at(packages, "Package: world")));
	for (f = 0; f < DEB_FIELDS; f++)
		span(r + 16 + 8 * f, v2[f], "Package: world");
	return DEB_PKG_FIXED + 2 * DEB_PKG_RECORD_SIZE;
}

static int check_pkgs(const uint8_t *a, size_t n, struct deb_packages *p)
{
	char err[256];
	int rc = deb_check_packages((const uint8_t *)packages, strlen(packages), a, n, p,
				    err, sizeof(err));

	if (rc < 0)
		printf("# %s\n", err);
	return rc;
}

/* Look @sha/@size up and re-check the record: 0, -ENOENT or -EBADMSG. */
static int lookup(const uint8_t *a, size_t n, const char *hex, uint64_t size,
		  struct dg_deb_pkg *pkg)
{
	struct deb_packages p;
	const struct deb_idx *x;
	uint8_t sha[32];
	char err[256];
	int rc, i;

	memset(pkg, 0, sizeof(*pkg));
	if ((rc = check_pkgs(a, n, &p)) < 0)
		return rc;
	for (i = 0; i < 32; i++)
		sscanf(hex + 2 * i, "%2hhx", &sha[i]);
	x = deb_packages_find(&p, sha, size);
	rc = x ? deb_check_record(&p, x->rec, pkg, err, sizeof(err)) : -ENOENT;
	if (rc == -EBADMSG)
		printf("# %s\n", err);
	deb_packages_free(&p);
	return rc;
}

TEST(test_honest_packages_answer_finds_each_package)
{
	uint8_t a[512];
	size_t n = packages_answer(a);
	struct dg_deb_pkg pkg;

	write_seed("packages", 1, packages, a, n);
	CHECK(lookup(a, n, H1, 42, &pkg) == 0, "hello not found");
	CHECK(pkg.package && !strcmp(pkg.package, "hello") && !strcmp(pkg.architecture, "amd64") &&
	      !strcmp(pkg.filename, "pool/h/hello_1.0_amd64.deb"), "fields");
	dg_deb_pkg_free(&pkg);
	CHECK(lookup(a, n, H2, 7, &pkg) == 0, "world not found");
	CHECK(pkg.version && !strcmp(pkg.version, "2.0"), "version");
	dg_deb_pkg_free(&pkg);
	CHECK(lookup(a, n, H2, 8, &pkg) == -ENOENT, "another size found");
}

TEST(test_record_with_fields_of_two_paragraphs_is_refused)
{
	uint8_t a[512];
	size_t n = packages_answer(a);
	struct dg_deb_pkg pkg;

	/* hello's name and version given to world's digest */
	span(a + DEB_PKG_FIXED + DEB_PKG_RECORD_SIZE + 16, "hello", "Package: hello");
	CHECK(lookup(a, n, H2, 7, &pkg) == -EBADMSG, "mixed record accepted");
	/* and a paragraph span stretched over both */
	n = packages_answer(a);
	put32(a + DEB_PKG_FIXED + DEB_PKG_RECORD_SIZE + 8, 0);
	put32(a + DEB_PKG_FIXED + DEB_PKG_RECORD_SIZE + 12, (uint32_t)strlen(packages));
	span(a + DEB_PKG_FIXED + DEB_PKG_RECORD_SIZE + 16, "hello", "Package: hello");
	CHECK(lookup(a, n, H2, 7, &pkg) == -EBADMSG, "paragraph over an empty line accepted");
}

TEST(test_record_field_span_on_another_field_is_refused)
{
	uint8_t a[512];
	size_t n = packages_answer(a);
	struct dg_deb_pkg pkg;

	/* "one" of Description given as the Filename */
	span(a + DEB_PKG_FIXED + 16 + 8 * DEB_FIELD_FILENAME, "one", "Package: hello");
	CHECK(lookup(a, n, H1, 42, &pkg) == -EBADMSG, "accepted");
}

TEST(test_record_value_with_a_continuation_line_is_refused)
{
	uint8_t a[512];
	size_t n = packages_answer(a);
	struct dg_deb_pkg pkg;

	/* a value span inside a multi-line field: "one" is followed by " more text" */
	span(a + DEB_PKG_FIXED + 16 + 8 * DEB_FIELD_VERSION, "one", "Package: hello");
	CHECK(lookup(a, n, H1, 42, &pkg) == -EBADMSG, "accepted");
}

TEST(test_record_size_that_differs_from_its_text_is_refused)
{
	uint8_t a[512];
	size_t n = packages_answer(a);
	struct dg_deb_pkg pkg;

	put64(a + DEB_PKG_FIXED, 43);
	CHECK(lookup(a, n, H1, 43, &pkg) == -EBADMSG, "accepted");
}

TEST(test_packages_sha256_span_must_hold_hex_digits)
{
	uint8_t a[512];
	size_t n = packages_answer(a);
	struct deb_packages p;

	span(a + DEB_PKG_FIXED + 16 + 8 * DEB_FIELD_SHA256, "pool/h/hello_1.0_amd64.deb",
	     "Package: hello");
	CHECK(check_pkgs(a, n, &p) == -EBADMSG, "accepted");
	n = packages_answer(a);
	put32(a + DEB_PKG_FIXED + 16 + 8 * DEB_FIELD_SHA256, (uint32_t)strlen(packages) - 10);
	CHECK(check_pkgs(a, n, &p) == -EBADMSG, "a span past the end accepted");
}

TEST(test_packages_text_claims_are_checked)
{
	uint8_t a[512];
	size_t n = packages_answer(a);
	struct deb_packages p;

	/* plain text of another length than the request */
	put64(a + 16, strlen(packages) - 1);
	CHECK(check_pkgs(a, n, &p) == -EBADMSG, "length accepted");
	/* "decompressed" text announced but absent */
	n = packages_answer(a);
	put16(a + 6, DEB_PKG_F_TEXT);
	a[8] = DEB_COMP_GZIP;
	CHECK(check_pkgs(a, n, &p) == -EBADMSG, "missing text accepted");
	/* text carried while the request was plain */
	n = packages_answer(a);
	put16(a + 6, 0);
	a[8] = DEB_COMP_XZ;
	CHECK(check_pkgs(a, n, &p) == -EBADMSG, "compression without text accepted");
}

TEST(test_packages_text_in_the_answer_is_what_spans_point_into)
{
	uint8_t a[1024];
	size_t n = packages_answer(a), tl = strlen(packages);
	struct deb_packages p;
	struct dg_deb_pkg pkg;
	char err[256];

	/* as after decompression: the text follows the records */
	put16(a + 6, DEB_PKG_F_TEXT);
	a[8] = DEB_COMP_GZIP;
	memcpy(a + n, packages, tl);
	CHECK(deb_check_packages((const uint8_t *)"x", 1, a, n + tl, &p, err, sizeof(err)) == 0,
	      "%s", err);
	CHECK(p.text == a + n && p.text_len == tl, "text");
	CHECK(deb_check_record(&p, 0, &pkg, err, sizeof(err)) == 0, "%s", err);
	dg_deb_pkg_free(&pkg);
	deb_packages_free(&p);
}

/* The same answer for another text (spans found by search again). */
static int check_rel_text(const char *text, const uint8_t *a, size_t len)
{
	struct deb_release r;
	char err[256];
	int rc = deb_check_release((const uint8_t *)text, strlen(text), a, len, &r, err,
				   sizeof(err));

	if (rc < 0)
		printf("# %s\n", err);
	deb_release_free(&r);
	return rc;
}

TEST(test_release_answer_that_leaves_out_valid_until_is_refused)
{
	uint8_t a[256];
	size_t n = release_answer(a);

	/* an expired Release would pass if the core believed the absence */
	put16(a + 6, DEB_REL_F_DATE);
	put64(a + 16, 0);
	put32(a + 32, 0);
	put32(a + 36, 0);
	CHECK(check_rel_text(release, a, n) == -EBADMSG, "accepted");
}

TEST(test_release_field_span_over_another_field_is_refused)
{
	static const char text[] =
		"SHA256:\n"
		" " H1 " 1234 main/binary-amd64/Packages\n"
		"X-Other:\n"
		" " H2 "   99 main/binary-amd64/Packages\n";
	uint8_t a[256];
	uint32_t e2 = at(text, " " H2);
	uint8_t *e;

	memset(a, 0, sizeof(a));
	put32(a, DEB_REL_MAGIC);
	put16(a + 4, DEB_ANS_VERSION);
	put32(a + 40, 0);
	put32(a + 44, (uint32_t)strlen(text));
	put32(a + 48, 1);
	e = a + DEB_REL_FIXED;
	put64(e, 99);
	put32(e + 8, e2);
	put32(e + 12, e2 + 1);
	put32(e + 16, e2 + 68);
	put32(e + 20, 2);
	put32(e + 24, e2 + 71);
	put32(e + 28, (uint32_t)strlen("main/binary-amd64/Packages"));
	CHECK(check_rel_text(text, a, DEB_REL_FIXED + DEB_REL_ENTRY_SIZE) == -EBADMSG,
	      "an X-Other line taken as a SHA256 entry");
}

/*
 * The answer of one record for @text: the six values @v after the first
 * "Name: " of each (SHA256's after its @nth + 1st), the paragraph up to
 * @para_len bytes.  Then the lookup's re-check of it.
 */
static int one_record(const char *text, const char *const v[DEB_FIELDS], int nth,
		      size_t para_len)
{
	uint8_t a[512], *r;
	struct deb_packages p;
	struct dg_deb_pkg pkg;
	const char *sha = text;
	char err[256];
	int f, rc;

	memset(a, 0, sizeof(a));
	put32(a, DEB_PKG_MAGIC);
	put16(a + 4, DEB_ANS_VERSION);
	put64(a + 16, strlen(text));
	put32(a + 24, 1);
	r = a + DEB_PKG_FIXED;
	put64(r, strtoull(v[DEB_FIELD_SIZE], NULL, 10));
	put32(r + 12, (uint32_t)para_len);
	for (f = 0; f < DEB_FIELDS; f++) {
		const char *field = strstr(text, deb_field_name(f));

		/* the value right after "Name: " */
		put32(r + 16 + 8 * f, (uint32_t)(field + strlen(deb_field_name(f)) + 2 - text));
		put32(r + 20 + 8 * f, (uint32_t)strlen(v[f]));
	}
	for (f = 0; f <= nth; f++)
		sha = strstr(sha, "SHA256: ") + 8;
	put32(r + 16 + 8 * DEB_FIELD_SHA256, (uint32_t)(sha - text));
	rc = deb_check_packages((const uint8_t *)text, strlen(text), a,
				DEB_PKG_FIXED + DEB_PKG_RECORD_SIZE, &p, err, sizeof(err));
	if (rc == 0) {
		rc = deb_check_record(&p, 0, &pkg, err, sizeof(err));
		dg_deb_pkg_free(&pkg);
		deb_packages_free(&p);
	}
	if (rc < 0)
		printf("# %s\n", err);
	return rc;
}

TEST(test_paragraph_with_two_sha256_fields_is_refused)
{
	static const char text[] =
		"Package: a\nVersion: 1\nArchitecture: all\nFilename: a.deb\nSize: 7\n"
		"SHA256: " H1 "\nSHA256: " H2 "\n";
	static const char *const v[] = { "a", "1", "all", "a.deb", "7", H2 };

	static const char *const v1[] = { "a", "1", "all", "a.deb", "7", H1 };

	CHECK(one_record(text, v, 1, strlen(text)) == -EBADMSG,
	      "the second SHA256 of a paragraph chosen");
	/* the paragraph cut short before its second SHA256 line */
	CHECK(one_record(text, v1, 0, (size_t)at(text, "SHA256: " H2)) == -EBADMSG,
	      "a paragraph span that leaves out its second SHA256 line accepted");
}

TEST(test_blank_only_line_separates_paragraphs)
{
	/* apt and the handler read a line of blanks as a separator */
	static const char text[] =
		"Package: a\nVersion: 1\nArchitecture: all\nFilename: a.deb\nSize: 7\n"
		"SHA256: " H1 "\n \nPackage: b\n";
	static const char *const v[] = { "a", "1", "all", "a.deb", "7", H1 };

	CHECK(one_record(text, v, 0, (size_t)at(text, " \n")) == 0, "refused");
}

/* ---- DEB_REQ_ARCHIVE: a .deb built here, ar around a plain data.tar ---- */

struct tarb {
	uint8_t b[16384];
	size_t n;
};

/* A ustar header of @type for @name (or "" when @name is NULL) and @size. */
static size_t tar_header(struct tarb *t, const char *name, char type, size_t size)
{
	uint8_t *h = t->b + t->n;
	unsigned sum = 0;
	size_t i, at = t->n;

	memset(h, 0, 512);
	if (name)
		memcpy(h, name, strlen(name));
	memcpy(h + 100, "0000644", 7);
	memcpy(h + 108, "0000000", 7);
	memcpy(h + 116, "0000000", 7);
	snprintf((char *)h + 124, 12, "%011zo", size);
	memcpy(h + 136, "14524006520", 11);
	h[156] = (uint8_t)type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	t->n += 512;
	return at;
}

/* A hard link header ('1') for @name to @target (linkname field). */
static size_t tar_link(struct tarb *t, const char *name, const char *target)
{
	size_t at = tar_header(t, name, '1', 0), i;
	uint8_t *h = t->b + at;
	unsigned sum = 0;

	memcpy(h + 157, target, strlen(target));
	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	return at;
}

static void tar_data(struct tarb *t, const char *data, size_t size)
{
	memcpy(t->b + t->n, data, size);
	memset(t->b + t->n + size, 0, (512 - size % 512) % 512);
	t->n += (size + 511) / 512 * 512;
}

static void ar_member(uint8_t *deb, size_t *n, const char *name, const uint8_t *data, size_t size)
{
	char h[61];

	snprintf(h, sizeof(h), "%-16s%-12s%-6s%-6s%-8s%-10zu`\n", name, "0", "0", "0", "100644",
		 size);
	memcpy(deb + *n, h, 60);
	memcpy(deb + *n + 60, data, size);
	*n += 60 + size;
	if (size & 1)
		deb[(*n)++] = '\n';
}

/* The records of the stream below, in the answer's layout. */
struct arc_case {
	uint8_t deb[20000];
	size_t deb_len;
	uint8_t ans[1024];
	size_t ans_len;
	uint64_t data_hoff;
};

#define LONGNAME_ROOTED "/usr/share/" \
	"llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll"
#define LONGNAME "." LONGNAME_ROOTED

static void put_rec(uint8_t *r, uint64_t off, uint64_t size, uint64_t a, uint32_t alen, char type,
		    int kind)
{
	memset(r, 0, DEB_ARC_RECORD_SIZE);
	put64(r, off);
	put64(r + 8, size);
	put64(r + 16, a);
	put32(r + 40, alen);
	put32(r + 48, 0644);
	r[52] = (uint8_t)type;
	r[53] = (uint8_t)kind;
}

/*
 * A .deb around the data.tar @t (plain), and the answer's fixed part for
 * @n records: the records' place, which the caller fills.
 */
static uint8_t *arc_wrap(struct arc_case *c, const struct tarb *t, uint32_t n)
{
	memcpy(c->deb, "!<arch>\n", 8);
	c->deb_len = 8;
	ar_member(c->deb, &c->deb_len, "debian-binary", (const uint8_t *)"2.0\n", 4);
	ar_member(c->deb, &c->deb_len, "control.tar", t->b, 512);
	c->data_hoff = c->deb_len;
	ar_member(c->deb, &c->deb_len, "data.tar", t->b, t->n);
	memset(c->ans, 0, sizeof(c->ans));
	put32(c->ans, DEB_ARC_MAGIC);
	put16(c->ans + 4, DEB_ANS_VERSION);
	put64(c->ans + 16, c->data_hoff);
	put64(c->ans + 24, t->n);
	put64(c->ans + 32, t->n);
	put32(c->ans + 40, n);
	c->ans_len = DEB_ARC_FIXED + n * DEB_ARC_RECORD_SIZE;
	return c->ans + DEB_ARC_FIXED;
}

/* A .deb whose data.tar holds ./usr/bin/hi (3 bytes), a GNU long name
 * entry and a directory, and the honest answer for it. */
static void arc_build(struct arc_case *c)
{
	static struct tarb t;
	uint8_t *r;
	size_t h0, h1, h2, h3;

	memset(&t, 0, sizeof(t));
	h0 = tar_header(&t, "./usr/bin/hi", '0', 3);
	tar_data(&t, "hi\n", 3);
	h1 = tar_header(&t, "././@LongLink", 'L', strlen(LONGNAME) + 1);
	tar_data(&t, LONGNAME, strlen(LONGNAME) + 1);
	h2 = tar_header(&t, "./usr/share/llllllll", '0', 5);
	tar_data(&t, "long\n", 5);
	h3 = tar_header(&t, "./usr/", '5', 0);
	t.n += 1024;	/* end of archive */
	r = arc_wrap(c, &t, 4);
	put_rec(r, h0, 3, h0, (uint32_t)strlen("./usr/bin/hi"), '0', DEB_PATH_NAME);
	put_rec(r + 64, h1, strlen(LONGNAME) + 1, 0, 0, 'L', DEB_PATH_NONE);
	put_rec(r + 128, h2, 5, h1 + 512, (uint32_t)strlen(LONGNAME), '0', DEB_PATH_LONG);
	put_rec(r + 192, h3, 0, h3, (uint32_t)strlen("./usr/"), '5', DEB_PATH_NAME);
}

static int collect_paths(const struct dg_deb_file *f, void *ctx)
{
	char *out = ctx;

	strcat(out, f->path);
	strcat(out, "|");
	return 0;
}

/* The re-check, then (with @out) @fn for each file listed. */
static int check_arc_with(struct arc_case *c, dg_deb_file_fn fn, char *out)
{
	struct deb_tar t;
	char err[256];
	int r = deb_check_archive(c->deb, c->deb_len, c->ans, c->ans_len, &t, err, sizeof(err));

	if (r == 0 && out) {
		out[0] = '\0';
		r = deb_tar_each_file(&t, fn, out, err, sizeof(err));
	}
	if (r < 0)
		printf("# %s\n", err);
	return r;
}

static int check_arc(struct arc_case *c, char *paths)
{
	return check_arc_with(c, collect_paths, paths);
}

TEST(test_honest_archive_answer_lists_the_regular_files)
{
	static struct arc_case c;
	char paths[512];

	arc_build(&c);
	write_seed_bin("archive", 2, c.deb, c.deb_len, c.ans, c.ans_len);
	CHECK(check_arc(&c, paths) == 0, "refused");
	CHECK(!strcmp(paths, "/usr/bin/hi|" LONGNAME_ROOTED "|"), "%s", paths);
}

TEST(test_archive_record_that_skips_a_header_is_refused)
{
	static struct arc_case c;

	arc_build(&c);
	/* the long name's entry claimed right after the first file */
	memcpy(c.ans + DEB_ARC_FIXED + 64, c.ans + DEB_ARC_FIXED + 128, 64);
	put32(c.ans + 40, 3);
	memmove(c.ans + DEB_ARC_FIXED + 128, c.ans + DEB_ARC_FIXED + 192, 64);
	c.ans_len -= 64;
	CHECK(check_arc(&c, NULL) == -EBADMSG, "accepted");
}

TEST(test_archive_record_with_another_size_or_type_is_refused)
{
	static struct arc_case c;

	arc_build(&c);
	put64(c.ans + DEB_ARC_FIXED + 8, 4);
	CHECK(check_arc(&c, NULL) == -EBADMSG, "size accepted");
	arc_build(&c);
	c.ans[DEB_ARC_FIXED + 192 + 52] = '0';	/* the directory called a file */
	CHECK(check_arc(&c, NULL) == -EBADMSG, "type accepted");
}

TEST(test_archive_path_claims_are_checked)
{
	static struct arc_case c;

	arc_build(&c);
	/* a name span one byte short of its NUL */
	put32(c.ans + DEB_ARC_FIXED + 40, (uint32_t)strlen("./usr/bin/hi") - 1);
	CHECK(check_arc(&c, NULL) == -EBADMSG, "short name accepted");
	arc_build(&c);
	/* the long name claimed for the first entry, which has no 'L' before it */
	c.ans[DEB_ARC_FIXED + 53] = DEB_PATH_LONG;
	CHECK(check_arc(&c, NULL) == -EBADMSG, "long name without 'L' accepted");
	arc_build(&c);
	/* a regular file without a path */
	c.ans[DEB_ARC_FIXED + 128 + 53] = DEB_PATH_NONE;
	CHECK(check_arc(&c, NULL) == -EBADMSG, "file without a path accepted");
}

TEST(test_archive_data_after_the_last_header_is_refused)
{
	static struct arc_case c;

	arc_build(&c);
	put32(c.ans + 40, 3);	/* the directory's header left out */
	c.ans_len -= 64;
	CHECK(check_arc(&c, NULL) == -EBADMSG, "a hidden header accepted");
}

TEST(test_archive_member_claims_are_checked_against_the_ar_headers)
{
	static struct arc_case c;

	arc_build(&c);
	put64(c.ans + 16, c.data_hoff - 60 - 512);	/* control.tar's header */
	CHECK(check_arc(&c, NULL) == -EBADMSG, "control.tar taken as data");
	arc_build(&c);
	c.ans[8] = DEB_COMP_XZ;	/* a plain member called xz */
	CHECK(check_arc(&c, NULL) == -EBADMSG, "compression accepted");
	arc_build(&c);
	memcpy(c.deb + 8, "debian-binarx", 13);
	CHECK(check_arc(&c, NULL) == -EBADMSG, "first member not debian-binary accepted");
}

TEST(test_archive_header_with_a_bad_checksum_is_refused)
{
	static struct arc_case c;

	arc_build(&c);
	c.deb[c.data_hoff + 60 + 600] ^= 1;	/* "hi\n" sits at 512; this is padding */
	c.deb[c.data_hoff + 60 + 5] ^= 1;	/* a byte of the first header's name */
	CHECK(check_arc(&c, NULL) == -EBADMSG, "accepted");
}

TEST(test_archive_decoy_data_member_is_refused)
{
	static struct arc_case c;
	static const uint8_t empty[1024];
	static uint8_t stream[8192];
	size_t len;
	uint64_t decoy;

	/* dpkg reads the first data.tar: the real stream put in a second one
	 * after an empty first is a decoy, even with honest records */
	arc_build(&c);
	len = deb_le64(c.ans + 24);
	memcpy(stream, c.deb + c.data_hoff + 60, len);
	c.deb_len = c.data_hoff;
	ar_member(c.deb, &c.deb_len, "data.tar", empty, sizeof(empty));
	decoy = c.deb_len;
	ar_member(c.deb, &c.deb_len, "data.tar", stream, len);
	put64(c.ans + 16, decoy);
	CHECK(check_arc(&c, NULL) == -EBADMSG, "the decoy data member accepted");
}

TEST(test_archive_name_claimed_after_a_long_name_is_refused)
{
	static struct arc_case c;

	arc_build(&c);
	/* record 2 follows an 'L' header: its path is the long name */
	put_rec(c.ans + DEB_ARC_FIXED + 128, deb_le64(c.ans + DEB_ARC_FIXED + 128), 5,
		deb_le64(c.ans + DEB_ARC_FIXED + 128), (uint32_t)strlen("./usr/share/llllllll"), '0',
		DEB_PATH_NAME);
	CHECK(check_arc(&c, NULL) == -EBADMSG, "the name field taken over the long name");
}

TEST(test_archive_pax_length_that_overflows_is_refused)
{
	static struct tarb t;
	static struct arc_case c;
	static const char pax[] = "18446744073709551646 path=x\n";
	uint8_t *r;
	size_t hx, he;

	memset(&t, 0, sizeof(t));
	hx = tar_header(&t, "./PaxHeaders/x", 'x', strlen(pax));
	tar_data(&t, pax, strlen(pax));
	he = tar_header(&t, "./a", '0', 2);
	tar_data(&t, "a\n", 2);
	t.n += 1024;
	r = arc_wrap(&c, &t, 2);
	put_rec(r, hx, strlen(pax), 0, 0, 'x', DEB_PATH_NONE);
	put_rec(r + 64, he, 2, he, 3, '0', DEB_PATH_NAME);
	CHECK(check_arc(&c, NULL) == -EBADMSG, "a wrapped pax length accepted");
}

/*
 * An extension header of @type holding the pax record @rec ("LEN k=v\n"),
 * then ./usr/a ("aaa\n") of @atype, answered with the record kinds a
 * lying handler would give: none for the extension, the name for ./usr/a.
 */
static int ext_case(char type, const char *rec, char atype, char *paths)
{
	static struct tarb t;
	static struct arc_case c;
	uint8_t *r;
	size_t hx, he;

	memset(&t, 0, sizeof(t));
	hx = tar_header(&t, "./PaxHeaders/x", type, strlen(rec));
	tar_data(&t, rec, strlen(rec));
	he = tar_header(&t, "./usr/a", atype, 4);
	tar_data(&t, "aaa\n", 4);
	t.n += 1024;
	r = arc_wrap(&c, &t, 2);
	put_rec(r, hx, strlen(rec), 0, 0, type, DEB_PATH_NONE);
	put_rec(r + 64, he, 4, he, (uint32_t)strlen("./usr/a"), atype, DEB_PATH_NAME);
	if (type == 'g' && !strcmp(rec, "17 path=usr/evil\n"))
		write_seed_bin("archive-global-path", 2, c.deb, c.deb_len, c.ans, c.ans_len);
	paths[0] = '\0';
	return check_arc(&c, paths);
}

TEST(test_archive_records_tar_reads_otherwise_are_refused)
{
	static const char *const global_bad[] = {
		"17 path=usr/evil\n", "16 linkpath=usr\n", "11 size=10\n",
		"31 GNU.sparse.name=usr/renamed\n",
	};
	char paths[256];
	size_t i;

	CHECK(ext_case('g', "13 comment=c\n", '0', paths) == 0 && !strcmp(paths, "/usr/a|"),
	      "a harmless global header refused: %s", paths);
	CHECK(ext_case('x', "13 comment=c\n", '0', paths) == 0 && !strcmp(paths, "/usr/a|"),
	      "a harmless pax header refused: %s", paths);
	/* tar applies a global header's path, link path and size to every
	 * later entry; GNU.sparse.* renames and expands the entry */
	for (i = 0; i < sizeof(global_bad) / sizeof(global_bad[0]); i++)
		CHECK(ext_case('g', global_bad[i], '0', paths) == -EBADMSG, "global %s accepted: %s",
		      global_bad[i], paths);
	CHECK(ext_case('x', "31 GNU.sparse.name=usr/renamed\n", '0', paths) == -EBADMSG,
	      "GNU.sparse.name accepted: %s", paths);
	CHECK(ext_case('x', "22 GNU.sparse.major=1\n", '0', paths) == -EBADMSG,
	      "GNU.sparse.major accepted: %s", paths);
	/* types the handler never reports: sparse, unknown (tar extracts it
	 * as a regular file), GNU dump directory */
	CHECK(ext_case('g', "13 comment=c\n", 'S', paths) == -EBADMSG, "type S accepted");
	CHECK(ext_case('g', "13 comment=c\n", 'Z', paths) == -EBADMSG, "type Z accepted");
	CHECK(ext_case('g', "13 comment=c\n", 'D', paths) == -EBADMSG, "type D accepted");
}

/*
 * ./usr/d of type @first (a regular file holds "d\n"), then
 * ./usr/d/f ("f\n"), then, with @last, ./usr/d as a symbolic link.
 */
static int tree_case(char first, int last, char *paths)
{
	static struct tarb t;
	static struct arc_case c;
	size_t h0, h1, h2 = 0;
	uint8_t *r;

	memset(&t, 0, sizeof(t));
	h0 = tar_header(&t, first == '5' ? "./usr/d/" : "./usr/d", first, first == '0' ? 2 : 0);
	if (first == '0')
		tar_data(&t, "d\n", 2);
	h1 = tar_header(&t, "./usr/d/f", '0', 2);
	tar_data(&t, "f\n", 2);
	if (last)
		h2 = tar_header(&t, "./usr/d", '2', 0);
	t.n += 1024;
	r = arc_wrap(&c, &t, last ? 3 : 2);
	put_rec(r, h0, first == '0' ? 2 : 0, h0, first == '5' ? 8 : 7, first, DEB_PATH_NAME);
	put_rec(r + 64, h1, 2, h1, 9, '0', DEB_PATH_NAME);
	if (last)
		put_rec(r + 128, h2, 0, h2, 7, '2', DEB_PATH_NAME);
	if (first == '0')
		write_seed_bin("archive-entry-below-a-file", 2, c.deb, c.deb_len, c.ans, c.ans_len);
	paths[0] = '\0';
	return check_arc(&c, paths);
}

TEST(test_archive_tree_that_tar_cannot_make_is_refused)
{
	char paths[256];

	CHECK(tree_case('5', 0, paths) == 0 && !strcmp(paths, "/usr/d/f|"), "refused: %s", paths);
	/* tar: "Not a directory"; through a symbolic link it writes elsewhere */
	CHECK(tree_case('0', 0, paths) == -EBADMSG, "below a file accepted: %s", paths);
	CHECK(tree_case('2', 0, paths) == -EBADMSG, "below a symbolic link accepted: %s", paths);
	CHECK(tree_case('3', 0, paths) == -EBADMSG, "below a device accepted: %s", paths);
	/* tar cannot replace a directory that is not empty */
	CHECK(tree_case('5', 1, paths) == -EBADMSG, "a link over a full directory accepted: %s",
	      paths);
}

static int collect_digests(const struct dg_deb_file *f, void *ctx)
{
	char *out = ctx, hex[9];

	snprintf(hex, sizeof(hex), "%02x%02x%02x%02x", f->sha256[0], f->sha256[1], f->sha256[2],
		 f->sha256[3]);
	strcat(out, f->path);
	strcat(out, "=");
	strcat(out, hex);
	strcat(out, "|");
	return 0;
}

/*
 * ./usr/bin/hi ("hi\n"), then the hard link ./usr/bin/hey to @target,
 * then ./usr/bin/late ("late\n"); each path and digest through @paths.
 */
static int links_case(const char *target, char *paths)
{
	static struct tarb t;
	static struct arc_case c;
	size_t h0, h1, h2;
	uint8_t *r;

	memset(&t, 0, sizeof(t));
	h0 = tar_header(&t, "./usr/bin/hi", '0', 3);
	tar_data(&t, "hi\n", 3);
	h1 = tar_link(&t, "./usr/bin/hey", target);
	h2 = tar_header(&t, "./usr/bin/late", '0', 5);
	tar_data(&t, "late\n", 5);
	t.n += 1024;
	r = arc_wrap(&c, &t, 3);
	put_rec(r, h0, 3, h0, (uint32_t)strlen("./usr/bin/hi"), '0', DEB_PATH_NAME);
	put_rec(r + 64, h1, 0, h1, (uint32_t)strlen("./usr/bin/hey"), '1', DEB_PATH_NAME);
	put_rec(r + 128, h2, 5, h2, (uint32_t)strlen("./usr/bin/late"), '0', DEB_PATH_NAME);
	if (!strcmp(target, "./usr/bin/hi"))
		write_seed_bin("archive-hard-link", 2, c.deb, c.deb_len, c.ans, c.ans_len);
	if (!strcmp(target, "./usr/bin/hi/"))
		write_seed_bin("archive-hard-link-slash", 2, c.deb, c.deb_len, c.ans, c.ans_len);
	return check_arc_with(&c, collect_digests, paths);
}

TEST(test_hard_link_is_listed_with_its_targets_digest)
{
	char paths[512], want[512];
	uint8_t sha[32];
	const char *forms[] = { "./usr/bin/hi", "usr/bin/hi", "/usr/bin/hi" };
	size_t i;

	dg_sha256("hi\n", 3, sha);
	for (i = 0; i < 3; i++) {
		snprintf(want, sizeof(want), "/usr/bin/hi=%02x%02x%02x%02x|/usr/bin/hey=%02x%02x%02x%02x|",
			 sha[0], sha[1], sha[2], sha[3], sha[0], sha[1], sha[2], sha[3]);
		CHECK(links_case(forms[i], paths) == 0, "refused for target %s", forms[i]);
		paths[strlen(paths) - strlen("/usr/bin/late=........|")] = '\0';
		CHECK(!strcmp(paths, want), "target %s: %s, want %s", forms[i], paths, want);
	}
}

TEST(test_hard_link_to_no_earlier_file_is_refused)
{
	char paths[512];

	/* missing, extracted only later, escaping the root, a directory */
	CHECK(links_case("./usr/bin/nope", paths) == -EBADMSG, "a link to nothing accepted");
	CHECK(links_case("./usr/bin/late", paths) == -EBADMSG, "a link to a later file accepted");
	CHECK(links_case("../etc/shadow", paths) == -EBADMSG, "a link out of the root accepted");
	CHECK(links_case("./usr/bin/hey", paths) == -EBADMSG, "a link to itself accepted");
	CHECK(links_case("", paths) == -EBADMSG, "a link to no name accepted");
	/* tar cannot link to "file/" (Not a directory) */
	CHECK(links_case("./usr/bin/hi/", paths) == -EBADMSG, "a link to hi/ accepted: %s", paths);
}

/*
 * ./usr/bin/hi twice ("one\n", then "two\n"), the hard link @link1 to
 * @t1, ./usr/bin/hi once more ("three\n"), then the hard link
 * ./usr/bin/hey2 to @t2: each listed path and digest through @paths.
 */
static int dup_case(const char *link1, const char *t1, const char *t2, char *paths)
{
	static struct tarb t;
	static struct arc_case c;
	size_t h[5];
	uint8_t *r;

	memset(&t, 0, sizeof(t));
	h[0] = tar_header(&t, "./usr/bin/hi", '0', 4);
	tar_data(&t, "one\n", 4);
	h[1] = tar_header(&t, "usr//bin/./hi", '0', 4);
	tar_data(&t, "two\n", 4);
	h[2] = tar_link(&t, link1, t1);
	h[3] = tar_header(&t, "./usr/bin/hi", '0', 6);
	tar_data(&t, "three\n", 6);
	h[4] = tar_link(&t, "./usr/bin/hey2", t2);
	t.n += 1024;
	r = arc_wrap(&c, &t, 5);
	put_rec(r, h[0], 4, h[0], (uint32_t)strlen("./usr/bin/hi"), '0', DEB_PATH_NAME);
	put_rec(r + 64, h[1], 4, h[1], (uint32_t)strlen("usr//bin/./hi"), '0', DEB_PATH_NAME);
	put_rec(r + 128, h[2], 0, h[2], (uint32_t)strlen(link1), '1', DEB_PATH_NAME);
	put_rec(r + 192, h[3], 6, h[3], (uint32_t)strlen("./usr/bin/hi"), '0', DEB_PATH_NAME);
	put_rec(r + 256, h[4], 0, h[4], (uint32_t)strlen("./usr/bin/hey2"), '1', DEB_PATH_NAME);
	if (!strcmp(t2, "./usr/bin/hey"))
		write_seed_bin("archive-path-again", 2, c.deb, c.deb_len, c.ans, c.ans_len);
	return check_arc_with(&c, collect_digests, paths);
}

static void short_sha(const char *data, char out[9])
{
	uint8_t sha[32];

	dg_sha256(data, strlen(data), sha);
	snprintf(out, 9, "%02x%02x%02x%02x", sha[0], sha[1], sha[2], sha[3]);
}

TEST(test_a_path_that_comes_again_is_listed_as_extraction_leaves_it)
{
	char paths[512] = "", want[512], two[9], three[9];

	short_sha("two\n", two);
	short_sha("three\n", three);
	/* hey: the file hi was when it came (the second "hi", spelt otherwise);
	 * hi: its last contents; hey2 -> hey -> the second hi (a chain) */
	CHECK(dup_case("./usr/bin/hey", "usr/bin/hi", "./usr/bin/hey", paths) == 0,
	      "refused: %s", paths);
	snprintf(want, sizeof(want), "/usr/bin/hey=%s|/usr/bin/hi=%s|/usr/bin/hey2=%s|", two,
		 three, two);
	CHECK(!strcmp(paths, want), "%s, want %s", paths, want);
	/* a link to nothing is refused even when a later entry replaces it */
	paths[0] = '\0';
	CHECK(dup_case("./usr/bin/./hi/", "./usr/bin/nope", "/usr/bin/hi", paths) == -EBADMSG,
	      "a link to nothing accepted");
	paths[0] = '\0';
	CHECK(dup_case("./usr/bin/hey", "/usr/bin/hey2", "/usr/bin/hi", paths) == -EBADMSG,
	      "a link to a later link accepted");
}

/*
 * ./usr/a ("aaa\n"), then an entry of @type named @name (a link: to
 * ./usr/a) whose size field says @size, covering a whole entry
 * ./usr/hidden (one block of data): answered as a walk that skips @size
 * bytes sees it, 2 records.
 */
static int sized_case(const char *name, char type, size_t size, char *paths)
{
	static struct tarb t;
	static struct arc_case c;
	size_t h0, h1, i;
	unsigned sum = 0;
	uint8_t *r;
	char blk[512];

	memset(&t, 0, sizeof(t));
	memset(blk, 'H', sizeof(blk));
	h0 = tar_header(&t, "./usr/a", '0', 4);
	tar_data(&t, "aaa\n", 4);
	h1 = tar_header(&t, name, type, size);
	memcpy(t.b + h1 + 157, "./usr/a", 7);
	memset(t.b + h1 + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += t.b[h1 + i];
	snprintf((char *)t.b + h1 + 148, 8, "%06o", sum);
	if (size) {
		tar_header(&t, "./usr/hidden", '0', 512);
		tar_data(&t, blk, 512);
	}
	t.n = h1 + 512 + (size + 511) / 512 * 512 + 1024;
	r = arc_wrap(&c, &t, 2);
	put_rec(r, h0, 4, h0, (uint32_t)strlen("./usr/a"), '0', DEB_PATH_NAME);
	put_rec(r + 64, h1, size, h1, (uint32_t)strlen(name), type, DEB_PATH_NAME);
	if (type == '5' && size)
		write_seed_bin("archive-directory-with-size", 2, c.deb, c.deb_len, c.ans, c.ans_len);
	if (type == '0')
		write_seed_bin("archive-file-named-with-slash", 2, c.deb, c.deb_len, c.ans, c.ans_len);
	paths[0] = '\0';
	return check_arc(&c, paths);
}

TEST(test_entry_tar_reads_no_data_for_must_have_no_size)
{
	static const char types[] = "123456";
	char paths[512], name[32];
	size_t i;

	/* GNU tar and dpkg read the next header right after these: the
	 * entry the size covers would be extracted, and never listed */
	CHECK(sized_case("./usr/d/", '5', 0, paths) == 0 && !strcmp(paths, "/usr/a|"),
	      "an empty directory refused: %s", paths);
	CHECK(sized_case("./usr/t1", '1', 0, paths) == 0 && !strcmp(paths, "/usr/a|/usr/t1|"),
	      "a hard link refused: %s", paths);
	for (i = 0; types[i]; i++) {
		snprintf(name, sizeof(name), "./usr/t%c", types[i]);
		CHECK(sized_case(name, types[i], 1024, paths) == -EBADMSG,
		      "type %c with a size accepted: %s", types[i], paths);
	}
	/* a regular file named with a trailing '/': a directory to tar, a
	 * file to dpkg */
	CHECK(sized_case("./usr/f/", '0', 0, paths) == -EBADMSG, "./usr/f/ accepted: %s", paths);
	CHECK(sized_case("./usr/f/", '7', 0, paths) == -EBADMSG, "./usr/f/ (7) accepted: %s", paths);
	CHECK(sized_case("./usr/f/", '\0', 0, paths) == -EBADMSG, "./usr/f/ (NUL) accepted: %s", paths);
}

int main(void)
{
	RUN(test_honest_release_answer_is_accepted);
	RUN(test_release_entry_with_a_shifted_hash_is_refused);
	RUN(test_release_entry_with_another_size_is_refused);
	RUN(test_release_entry_from_the_md5sum_field_is_refused);
	RUN(test_release_field_span_of_another_field_is_refused);
	RUN(test_release_field_span_cut_short_is_refused);
	RUN(test_release_date_that_differs_from_its_text_is_refused);
	RUN(test_release_date_span_on_another_field_is_refused);
	RUN(test_release_answer_length_must_match_its_count);
	RUN(test_date_forms_print_back);
	RUN(test_honest_packages_answer_finds_each_package);
	RUN(test_record_with_fields_of_two_paragraphs_is_refused);
	RUN(test_record_field_span_on_another_field_is_refused);
	RUN(test_record_value_with_a_continuation_line_is_refused);
	RUN(test_record_size_that_differs_from_its_text_is_refused);
	RUN(test_packages_sha256_span_must_hold_hex_digits);
	RUN(test_packages_text_claims_are_checked);
	RUN(test_packages_text_in_the_answer_is_what_spans_point_into);
	RUN(test_honest_archive_answer_lists_the_regular_files);
	RUN(test_archive_record_that_skips_a_header_is_refused);
	RUN(test_archive_record_with_another_size_or_type_is_refused);
	RUN(test_archive_path_claims_are_checked);
	RUN(test_archive_data_after_the_last_header_is_refused);
	RUN(test_archive_member_claims_are_checked_against_the_ar_headers);
	RUN(test_archive_header_with_a_bad_checksum_is_refused);
	RUN(test_release_answer_that_leaves_out_valid_until_is_refused);
	RUN(test_release_field_span_over_another_field_is_refused);
	RUN(test_paragraph_with_two_sha256_fields_is_refused);
	RUN(test_blank_only_line_separates_paragraphs);
	RUN(test_archive_decoy_data_member_is_refused);
	RUN(test_hard_link_is_listed_with_its_targets_digest);
	RUN(test_hard_link_to_no_earlier_file_is_refused);
	RUN(test_a_path_that_comes_again_is_listed_as_extraction_leaves_it);
	RUN(test_archive_name_claimed_after_a_long_name_is_refused);
	RUN(test_archive_pax_length_that_overflows_is_refused);
	RUN(test_entry_tar_reads_no_data_for_must_have_no_size);
	RUN(test_archive_records_tar_reads_otherwise_are_refused);
	RUN(test_archive_tree_that_tar_cannot_make_is_refused);
	return tap_done();
}

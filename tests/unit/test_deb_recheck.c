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
static void write_seed(const char *name, int kind, const char *text, const uint8_t *a, size_t n)
{
	const char *dir = getenv("DG_WRITE_FUZZ_SEEDS");
	size_t tl = strlen(text);
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
	return tap_done();
}

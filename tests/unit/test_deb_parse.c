// SPDX-License-Identifier: MIT
/*
 * The deb handler's parser, in process: Release and Packages texts built
 * here parse into the answers of deb_proto.h with spans that point at the
 * values; every compression apt uses gives the records of the plain text;
 * each broken rule is rejected with the right errno and a message naming
 * the line.  The compressed inputs are made here with the libraries' own
 * encoders.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bzlib.h>
#include <lz4frame.h>
#include <lzma.h>
#include <zlib.h>

#include "buf.h"
#include "cursor.h"
#include "tap.h"
#include "../../src/handlers/deb/deb_parse.h"
#include "../../src/handlers/deb/deb_proto.h"

#define H1 "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
#define H2 "0ea55c28f8014d8886b6248fe3da5d588f55c0823847a6b4579f1131b051b5e2"
#define H3 "d1b2a59fbea7e20077af9f91b27e95e865061b270be03ff539ab3b73587882e8"

static char err[256];
static struct dg_buf ans;

static const char release_text[] =
	"Origin: Debian\n"
	"Label: Debian\n"
	"Suite: stable\n"
	"Version: 12.5\n"
	"Codename: bookworm\n"
	"Changelogs: https://metadata.ftp-master.debian.org/changelogs/@CHANGEPATH@_changelog\n"
	"Date: Sat, 10 Feb 2024 10:16:37 UTC\n"
	"Valid-Until:  Sat, 17 Feb 2024 10:16:37 UTC \n"
	"Acquire-By-Hash: yes\n"
	"No-Support-for-Architecture-all: Packages\n"
	"Architectures: all amd64 arm64\n"
	"Components: main contrib non-free-firmware\n"
	"Description: Debian 12.5 Released 10 February 2024\n"
	"MD5Sum:\n"
	" 0ed6d4c8891eb86358b94bb35d9e4da4  1484322 contrib/Contents-all\n"
	"SHA256:\n"
	" " H1 "  1484322 contrib/Contents-all\n"
	" " H2 "   738242 main/binary-amd64/Packages.xz\n"
	"\t" H3 "\t0 main/binary-all/Packages \t\n";

static const char packages_text[] =
	"Package: hello\n"
	"Version: 2.10-3\n"
	"Architecture: amd64\n"
	"Maintainer: Santiago Vila <sanvila@debian.org>\n"
	"Installed-Size: 280\n"
	"Depends: libc6 (>= 2.34)\n"
	"Filename: pool/main/h/hello/hello_2.10-3_amd64.deb\n"
	"Size: 53128\n"
	"SHA256: " H1 "\n"
	"Description: example package based on GNU hello\n"
	" The GNU hello program produces a familiar, friendly greeting.\n"
	" .\n"
	" Seriously, though: this is an example.\n"
	"\n"
	"Package: nosum\n"
	"Version: 1.0\n"
	"Architecture: all\n"
	"Filename: pool/main/n/nosum/nosum_1.0_all.deb\n"
	"Size: 1000\n"
	"\n"
	"Package: zlib1g\n"
	"Version: 1:1.2.13.dfsg-1\n"
	"Architecture: amd64\n"
	"Filename: pool/main/z/zlib/zlib1g_1.2.13.dfsg-1_amd64.deb\n"
	"Size:\t87440 \n"
	"SHA256: " H2;	/* the last line without its '\n' */

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static int span_is(const uint8_t *text, size_t text_len, uint32_t off, uint32_t len,
		   const char *want)
{
	return (size_t)off + len <= text_len && len == strlen(want) && !memcmp(text + off, want, len);
}

static int rel(const char *text)
{
	dg_buf_free(&ans);
	err[0] = '\0';
	return deb_release_parse((const uint8_t *)text, strlen(text), &ans, err, sizeof(err));
}

static int pkg(const void *req, size_t len, size_t max)
{
	dg_buf_free(&ans);
	err[0] = '\0';
	return deb_packages_parse(req, len, max, &ans, err, sizeof(err));
}

static int pkg_str(const char *text)
{
	return pkg(text, strlen(text), DEB_TEXT_MAX);
}

/* A Packages paragraph with all six fields, @sha and @size as given. */
static char *one_para(const char *sha_line, const char *size_line)
{
	static char t[1024];

	snprintf(t, sizeof(t),
		 "Package: p\nVersion: 1\nArchitecture: all\nFilename: pool/p_1_all.deb\n%s\n%s\n",
		 size_line, sha_line);
	return t;
}

/* ---- Release ---------------------------------------------------------- */

TEST(test_release_reports_entries_dates_and_field_span)
{
	const uint8_t *t = (const uint8_t *)release_text, *e;
	size_t tl = strlen(release_text);
	const char *sha = strstr(release_text, "SHA256:");
	static const char *const hashes[] = { H1, H2, H3 };
	static const char *const sizes[] = { "1484322", "738242", "0" };
	static const char *const paths[] = { "contrib/Contents-all",
		"main/binary-amd64/Packages.xz", "main/binary-all/Packages" };
	static const uint64_t nsizes[] = { 1484322, 738242, 0 };
	uint32_t i;
	int r = rel(release_text);

	CHECK(r == 0, "parse failed: %d %s", r, err);
	if (r)
		return;
	CHECK(ans.len == DEB_REL_FIXED + 3 * DEB_REL_ENTRY_SIZE, "answer length %zu", ans.len);
	CHECK(rd32(ans.data) == DEB_REL_MAGIC, "magic %x", rd32(ans.data));
	CHECK(rd32(ans.data + 4) == (DEB_ANS_VERSION | (DEB_REL_F_DATE | DEB_REL_F_VALID_UNTIL) << 16),
	      "version/flags %x", rd32(ans.data + 4));
	CHECK(rd64(ans.data + 8) == 1707560197, "Date %llu", (unsigned long long)rd64(ans.data + 8));
	CHECK(rd64(ans.data + 16) == 1708164997, "Valid-Until %llu",
	      (unsigned long long)rd64(ans.data + 16));
	CHECK(span_is(t, tl, rd32(ans.data + 24), rd32(ans.data + 28), "Sat, 10 Feb 2024 10:16:37 UTC"),
	      "Date span %u+%u", rd32(ans.data + 24), rd32(ans.data + 28));
	/* Spaces around the value are not part of it. */
	CHECK(span_is(t, tl, rd32(ans.data + 32), rd32(ans.data + 36), "Sat, 17 Feb 2024 10:16:37 UTC"),
	      "Valid-Until span %u+%u", rd32(ans.data + 32), rd32(ans.data + 36));
	/* The SHA256 field runs to the text's end, the last '\n' included. */
	CHECK(rd32(ans.data + 40) == (uint32_t)(sha - release_text) &&
	      rd32(ans.data + 44) == tl - (size_t)(sha - release_text),
	      "SHA256 span %u+%u", rd32(ans.data + 40), rd32(ans.data + 44));
	CHECK(rd32(ans.data + 48) == 3 && rd32(ans.data + 52) == 0, "n_entries %u", rd32(ans.data + 48));
	for (i = 0; i < 3; i++) {
		e = ans.data + DEB_REL_FIXED + DEB_REL_ENTRY_SIZE * i;
		CHECK(rd64(e) == nsizes[i], "entry %u size %llu", i, (unsigned long long)rd64(e));
		CHECK(t[rd32(e + 8)] == (i == 2 ? '\t' : ' ') && t[rd32(e + 8) - 1] == '\n',
		      "entry %u line offset %u", i, rd32(e + 8));
		CHECK(span_is(t, tl, rd32(e + 12), DEB_SHA256_HEX, hashes[i]), "entry %u hash", i);
		CHECK(span_is(t, tl, rd32(e + 16), rd32(e + 20), sizes[i]), "entry %u size span", i);
		CHECK(span_is(t, tl, rd32(e + 24), rd32(e + 28), paths[i]), "entry %u path span", i);
	}
}

TEST(test_release_accepts_day_with_and_without_leading_zero)
{
	const char *fmt = "Date: Sat, %s Feb 2024 00:00:00 %s\nSHA256:\n " H1 " 1 a\n";
	static const char *const days[] = { "3", "03" };
	static const char *const zones[] = { "UTC", "GMT", "+0000" };
	char t[256];
	int i, z, r;

	for (i = 0; i < 2; i++)
		for (z = 0; z < 3; z++) {
			snprintf(t, sizeof(t), fmt, days[i], zones[z]);
			r = rel(t);
			CHECK(r == 0 && rd64(ans.data + 8) == 1706918400, "%s: %d %s", t, r, err);
		}
}

TEST(test_release_converts_leap_day)
{
	int r = rel("Date: Tue, 29 Feb 2000 23:59:59 UTC\nSHA256:\n " H1 " 1 a\n");

	CHECK(r == 0 && rd64(ans.data + 8) == 951868799, "%d %s", r, err);
}

TEST(test_release_without_dates_has_no_date_flags)
{
	int r = rel("Suite: x\nSHA256:\n " H1 " 1 a");

	CHECK(r == 0, "%d %s", r, err);
	CHECK(r || (rd32(ans.data + 4) >> 16 == 0 && rd64(ans.data + 8) == 0 &&
		    rd32(ans.data + 24) == 0 && rd32(ans.data + 28) == 0),
	      "flags %x", r ? 0 : rd32(ans.data + 4) >> 16);
	/* No final '\n': the field span ends at the text's end. */
	CHECK(r || rd32(ans.data + 40) + rd32(ans.data + 44) == strlen("Suite: x\nSHA256:\n " H1 " 1 a"),
	      "SHA256 span");
}

TEST(test_release_accepts_trailing_empty_lines)
{
	int r = rel("SHA256:\n " H1 " 1 a\n\n \t\n\n");

	CHECK(r == 0, "%d %s", r, err);
	/* The field ends with its last entry line, not the empty lines. */
	CHECK(r || rd32(ans.data + 44) == strlen("SHA256:\n " H1 " 1 a\n"), "span %u", rd32(ans.data + 44));
}

TEST(test_release_rejects_second_paragraph)
{
	int r = rel("Suite: x\nSHA256:\n " H1 " 1 a\n\nSuite: y\n");

	CHECK(r == -EBADMSG && strstr(err, "line 5") && ans.len == 0, "%d %s", r, err);
}

TEST(test_release_rejects_second_paragraph_after_line_of_spaces)
{
	int r = rel("Suite: x\n \t \nSHA256:\n " H1 " 1 a\n");

	CHECK(r == -EBADMSG && strstr(err, "line 3"), "%d %s", r, err);
}

TEST(test_release_rejects_leading_empty_line)
{
	int r = rel("\nSHA256:\n " H1 " 1 a\n");

	CHECK(r == -EBADMSG && strstr(err, "line 1"), "%d %s", r, err);
}

TEST(test_release_rejects_duplicate_sha256_field)
{
	int r = rel("SHA256:\n " H1 " 1 a\nsha256:\n " H2 " 2 b\n");

	CHECK(r == -EBADMSG && strstr(err, "line 3") && strstr(err, "second SHA256"), "%d %s", r, err);
}

TEST(test_release_rejects_missing_sha256_field)
{
	int r = rel("Suite: x\nSHA1:\n 0123 1 a\n");

	CHECK(r == -EBADMSG && strstr(err, "no SHA256"), "%d %s", r, err);
}

TEST(test_release_rejects_sha256_field_without_entries)
{
	int r = rel("SHA256:\nSuite: x\n");

	CHECK(r == -EBADMSG && strstr(err, "line 1") && strstr(err, "no entries"), "%d %s", r, err);
}

TEST(test_release_rejects_sha256_value_on_its_first_line)
{
	int r = rel("SHA256: " H1 " 1 a\n");

	CHECK(r == -EBADMSG && strstr(err, "line 1"), "%d %s", r, err);
}

TEST(test_release_rejects_short_hash)
{
	int r = rel("SHA256:\n " H1 " 1 a\n 2cf24dba 1 b\n");

	CHECK(r == -EBADMSG && strstr(err, "line 3") && strstr(err, "64 hexadecimal"), "%d %s", r, err);
}

TEST(test_release_rejects_non_hex_hash)
{
	char t[256];
	int r;

	snprintf(t, sizeof(t), "SHA256:\n %.63sg 1 a\n", H1);
	r = rel(t);
	CHECK(r == -EBADMSG && strstr(err, "line 2") && strstr(err, "64 hexadecimal"), "%d %s", r, err);
}

TEST(test_release_rejects_size_over_20_digits)
{
	int r = rel("SHA256:\n " H1 " 123456789012345678901 a\n");

	CHECK(r == -EBADMSG && strstr(err, "line 2") && strstr(err, "1 to 20"), "%d %s", r, err);
}

TEST(test_release_rejects_size_over_64_bits)
{
	int r = rel("SHA256:\n " H1 " 18446744073709551616 a\n");

	CHECK(r == -EBADMSG && strstr(err, "64 bits"), "%d %s", r, err);
	r = rel("SHA256:\n " H1 " 18446744073709551615 a\n");
	CHECK(r == 0 && rd64(ans.data + DEB_REL_FIXED) == UINT64_MAX, "max: %d %s", r, err);
}

TEST(test_release_rejects_non_decimal_size)
{
	int r = rel("SHA256:\n " H1 " 12a a\n");

	CHECK(r == -EBADMSG && strstr(err, "size"), "%d %s", r, err);
}

TEST(test_release_rejects_entry_without_path)
{
	int r = rel("SHA256:\n " H1 " 1  \n");

	CHECK(r == -EBADMSG && strstr(err, "line 2") && strstr(err, "no path"), "%d %s", r, err);
	r = rel("SHA256:\n " H1 "\n");
	CHECK(r == -EBADMSG && strstr(err, "no size"), "no size: %d %s", r, err);
}

TEST(test_release_rejects_text_after_path)
{
	int r = rel("SHA256:\n " H1 " 1 a b\n");

	CHECK(r == -EBADMSG && strstr(err, "after the path"), "%d %s", r, err);
}

TEST(test_release_rejects_crlf_lines)
{
	/* '\r' is part of the line: "SHA256:\r" has a value on its first line. */
	int r = rel("Suite: x\r\nSHA256:\r\n " H1 " 1 a\r\n");

	CHECK(r == -EBADMSG && strstr(err, "line 2"), "%d %s", r, err);
	/* ... and a path may not end in it either. */
	r = rel("SHA256:\n " H1 " 1 a\r\n");
	CHECK(r == -EBADMSG && strstr(err, "0x0d"), "path: %d %s", r, err);
}

TEST(test_release_rejects_unsupported_date_form)
{
	static const char *const bad[] = {
		"Sat, 10 Feb 2024 10:16:37 +0100",	/* another zone */
		"Sat, 10 Feb 2024 10:16:37 CET",
		"Sat, 10 Feb 2024 10:16:37",		/* no zone */
		"Sat, 10 Feb 2024 10:16 UTC",
		"Sat,  10 Feb 2024 10:16:37 UTC",	/* two spaces */
		"Sat, 010 Feb 2024 10:16:37 UTC",
		"2024-02-10T10:16:37Z",			/* RFC 3339 */
		"Sun, 10 Feb 2024 10:16:37 UTC",	/* not the date's weekday */
		"Sat, 30 Feb 2024 10:16:37 UTC",
		"Thu, 29 Feb 2001 10:16:37 UTC",	/* not a leap year */
		"Sat, 10 Feb 2024 24:00:00 UTC",
		"Sat, 10 Feb 2024 23:59:60 UTC",	/* leap second */
		"sat, 10 feb 2024 10:16:37 UTC",
		"Wed, 31 Dec 1969 23:59:59 UTC",	/* before the epoch */
		"",
	};
	char t[256];
	size_t i;
	int r;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(t, sizeof(t), "Date: %s\nSHA256:\n " H1 " 1 a\n", bad[i]);
		r = rel(t);
		CHECK(r == -EOPNOTSUPP && strstr(err, "line 1") && strstr(err, "Date"),
		      "\"%s\": %d %s", bad[i], r, err);
	}
	r = rel("SHA256:\n " H1 " 1 a\nValid-Until: Sat, 10 Feb 2024 10:16:37 +0100\n");
	CHECK(r == -EOPNOTSUPP && strstr(err, "line 3") && strstr(err, "Valid-Until"), "%d %s", r, err);
}

TEST(test_release_rejects_duplicate_date)
{
	int r = rel("Date: Sat, 10 Feb 2024 10:16:37 UTC\nDATE: Sat, 10 Feb 2024 10:16:37 UTC\n"
		    "SHA256:\n " H1 " 1 a\n");

	CHECK(r == -EBADMSG && strstr(err, "line 2"), "%d %s", r, err);
}

TEST(test_release_rejects_date_continuation)
{
	int r = rel("Date: Sat, 10 Feb 2024 10:16:37 UTC\n more\nSHA256:\n " H1 " 1 a\n");

	CHECK(r == -EBADMSG && strstr(err, "line 2"), "%d %s", r, err);
}

TEST(test_release_rejects_comment_line)
{
	int r = rel("Suite: x\n# comment\nSHA256:\n " H1 " 1 a\n");

	CHECK(r == -EBADMSG && strstr(err, "line 2") && strstr(err, "comment"), "%d %s", r, err);
}

TEST(test_release_rejects_line_without_colon)
{
	int r = rel("Suite x\nSHA256:\n " H1 " 1 a\n");

	CHECK(r == -EBADMSG && strstr(err, "line 1"), "%d %s", r, err);
	r = rel("Su ite: x\nSHA256:\n " H1 " 1 a\n");
	CHECK(r == -EBADMSG && strstr(err, "0x20"), "space in name: %d %s", r, err);
}

/* ---- Packages --------------------------------------------------------- */

/* The records of @a against @text: the three paragraphs of packages_text. */
static void check_packages_answer(const uint8_t *a, size_t alen, const uint8_t *text,
				  size_t tl, uint16_t flags, uint8_t comp)
{
	static const char *const want[2][DEB_FIELDS] = {
		{ "hello", "2.10-3", "amd64", "pool/main/h/hello/hello_2.10-3_amd64.deb", "53128", H1 },
		{ "zlib1g", "1:1.2.13.dfsg-1", "amd64",
		  "pool/main/z/zlib/zlib1g_1.2.13.dfsg-1_amd64.deb", "87440", H2 },
	};
	const char *p2 = strstr(packages_text, "Package: zlib1g");
	const char *p1end = strstr(packages_text, "\n\nPackage: nosum") + 1;
	const uint8_t *rec;
	uint32_t i;
	int f;

	CHECK(alen >= DEB_PKG_FIXED, "answer length %zu", alen);
	if (alen < DEB_PKG_FIXED)
		return;
	CHECK(rd32(a) == DEB_PKG_MAGIC, "magic %x", rd32(a));
	CHECK(rd32(a + 4) == (DEB_ANS_VERSION | (uint32_t)flags << 16), "version/flags %x", rd32(a + 4));
	CHECK(a[8] == comp && !a[9] && !a[10] && !a[11] && !rd32(a + 12), "compression %u", a[8]);
	CHECK(rd64(a + 16) == tl, "text_length %llu", (unsigned long long)rd64(a + 16));
	CHECK(rd32(a + 24) == 2 && rd32(a + 28) == 1, "n_records %u n_skipped %u",
	      rd32(a + 24), rd32(a + 28));
	CHECK(alen == DEB_PKG_FIXED + 2 * DEB_PKG_RECORD_SIZE + ((flags & DEB_PKG_F_TEXT) ? tl : 0),
	      "answer length %zu", alen);
	if (rd32(a + 24) != 2 || alen < DEB_PKG_FIXED + 2 * DEB_PKG_RECORD_SIZE)
		return;
	for (i = 0; i < 2; i++) {
		rec = a + DEB_PKG_FIXED + DEB_PKG_RECORD_SIZE * i;
		CHECK(rd64(rec) == (i ? 87440 : 53128), "record %u size", i);
		for (f = 0; f < DEB_FIELDS; f++)
			CHECK(span_is(text, tl, rd32(rec + 16 + 8 * f), rd32(rec + 20 + 8 * f), want[i][f]),
			      "record %u %s span %u+%u", i, deb_field_name(f),
			      rd32(rec + 16 + 8 * f), rd32(rec + 20 + 8 * f));
	}
	rec = a + DEB_PKG_FIXED;
	CHECK(rd32(rec + 8) == 0 && rd32(rec + 12) == (uint32_t)(p1end - packages_text),
	      "paragraph 1 span %u+%u", rd32(rec + 8), rd32(rec + 12));
	rec += DEB_PKG_RECORD_SIZE;
	CHECK(rd32(rec + 8) == (uint32_t)(p2 - packages_text) &&
	      rd32(rec + 8) + rd32(rec + 12) == tl,
	      "paragraph 2 span %u+%u", rd32(rec + 8), rd32(rec + 12));
	if (flags & DEB_PKG_F_TEXT)
		CHECK(!memcmp(a + DEB_PKG_FIXED + 2 * DEB_PKG_RECORD_SIZE, packages_text, tl),
		      "decompressed text differs");
}

TEST(test_packages_plain_gives_records_and_counts_skipped)
{
	int r = pkg_str(packages_text);

	CHECK(r == 0, "%d %s", r, err);
	if (!r)
		check_packages_answer(ans.data, ans.len, (const uint8_t *)packages_text,
				      strlen(packages_text), 0, DEB_COMP_NONE);
}

TEST(test_packages_field_names_are_case_insensitive)
{
	char t[1024];
	int r;

	snprintf(t, sizeof(t), "package: p\nVERSION: 1\narchitecture: all\nFileName: f\n"
		 "size: 7\nsha256: %s\n", H1);
	r = pkg_str(t);
	CHECK(r == 0 && rd32(ans.data + 24) == 1 && rd32(ans.data + 28) == 0,
	      "%d %s", r, err);
}

TEST(test_packages_empty_text_has_no_records)
{
	int r = pkg_str("");

	CHECK(r == 0 && ans.len == DEB_PKG_FIXED && rd32(ans.data + 24) == 0 &&
	      rd32(ans.data + 28) == 0, "%d %s", r, err);
}

TEST(test_packages_line_of_spaces_separates_paragraphs)
{
	char t[2048];
	int r;

	snprintf(t, sizeof(t), "%s \t\n%s", one_para("SHA256: " H1, "Size: 1"),
		 one_para("SHA256: " H2, "Size: 2"));
	r = pkg_str(t);
	CHECK(r == 0 && rd32(ans.data + 24) == 2, "%d %s", r, err);
}

TEST(test_packages_accepts_continuation_of_other_fields)
{
	char t[1024];
	int r;

	snprintf(t, sizeof(t), "Description: x\n more\n .\n%s", one_para("SHA256: " H1, "Size: 1"));
	r = pkg_str(t);
	CHECK(r == 0 && rd32(ans.data + 24) == 1, "%d %s", r, err);
}

TEST(test_packages_rejects_crlf_sha256)
{
	/* '\r' is part of the line, so of the value: not 64 hex digits. */
	int r = pkg_str(one_para("SHA256: " H1 "\r", "Size: 1"));

	CHECK(r == -EBADMSG && strstr(err, "line 6") && strstr(err, "package p") &&
	      strstr(err, "SHA256 is not 64 hexadecimal digits"), "%d %s", r, err);
}

TEST(test_packages_rejects_continuation_after_needed_field)
{
	char t[1024];
	int r;

	snprintf(t, sizeof(t), "%s more\n", one_para("SHA256: " H1, "Size: 1"));
	r = pkg_str(t);
	CHECK(r == -EBADMSG && strstr(err, "line 7") && strstr(err, "SHA256 continues"), "%d %s", r, err);
}

TEST(test_packages_rejects_duplicate_needed_field)
{
	char t[1024];
	int r;

	snprintf(t, sizeof(t), "%sversion: 2\n", one_para("SHA256: " H1, "Size: 1"));
	r = pkg_str(t);
	CHECK(r == -EBADMSG && strstr(err, "line 7") && strstr(err, "second Version"), "%d %s", r, err);
}

TEST(test_packages_rejects_bad_sha256_naming_package_and_line)
{
	/* The Package field comes after the bad line: still named. */
	int r = pkg_str("Package: a\nVersion: 1\n\nSHA256: 0123\nPackage: b\n");

	CHECK(r == -EBADMSG && !strcmp(err, "Packages line 4 (package b): SHA256 is not 64 hexadecimal digits"),
	      "%d %s", r, err);
}

TEST(test_packages_rejects_bad_size)
{
	int r = pkg_str(one_para("SHA256: " H1, "Size: 123456789012345678901"));

	CHECK(r == -EBADMSG && strstr(err, "line 5") && strstr(err, "Size is not 1 to 20"), "%d %s", r, err);
	r = pkg_str(one_para("SHA256: " H1, "Size: -1"));
	CHECK(r == -EBADMSG && strstr(err, "Size"), "negative: %d %s", r, err);
	r = pkg_str(one_para("SHA256: " H1, "Size: 1 2"));
	CHECK(r == -EBADMSG && strstr(err, "Size"), "two numbers: %d %s", r, err);
}

TEST(test_packages_rejects_empty_needed_field)
{
	int r = pkg_str("Package:\nVersion: 1\n");

	CHECK(r == -EBADMSG && strstr(err, "line 1") && strstr(err, "Package is empty"), "%d %s", r, err);
}

TEST(test_packages_rejects_comment_line)
{
	char t[1024];
	int r;

	snprintf(t, sizeof(t), "%s\n#c\n", one_para("SHA256: " H1, "Size: 1"));
	r = pkg_str(t);
	CHECK(r == -EBADMSG && strstr(err, "line 8") && strstr(err, "comment"), "%d %s", r, err);
}

TEST(test_packages_rejects_continuation_starting_paragraph)
{
	int r = pkg_str("Package: a\n\n more\n");

	CHECK(r == -EBADMSG && strstr(err, "line 3"), "%d %s", r, err);
}

TEST(test_packages_failed_parse_appends_nothing)
{
	struct dg_buf b = { 0 };
	int r;

	dg_buf_put(&b, "xyz", 3);
	r = deb_packages_parse((const uint8_t *)"Package:\n", 9, DEB_TEXT_MAX, &b, err, sizeof(err));
	CHECK(r == -EBADMSG && b.len == 3, "%d len %zu", r, b.len);
	r = deb_release_parse((const uint8_t *)"Package:\n", 9, &b, err, sizeof(err));
	CHECK(r == -EBADMSG && b.len == 3, "release: %d len %zu", r, b.len);
	dg_buf_free(&b);
}

TEST(test_packages_plain_over_limit_is_e2big)
{
	size_t n = strlen(packages_text);
	int r = pkg(packages_text, n, n);

	CHECK(r == 0, "at the limit: %d %s", r, err);
	r = pkg(packages_text, n, n - 1);
	CHECK(r == -E2BIG, "over the limit: %d %s", r, err);
}

/* ---- compressed Packages ---------------------------------------------- */

static uint8_t *gz(const void *in, size_t len, size_t *out_len)
{
	z_stream z;
	uint8_t *out;
	size_t cap;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	cap = deflateBound(&z, (uLong)len);
	out = malloc(cap);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		abort();
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

static uint8_t *xz(const void *in, size_t len, size_t *out_len)
{
	size_t cap = lzma_stream_buffer_bound(len), pos = 0;
	uint8_t *out = malloc(cap);

	if (lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, in, len, out, &pos, cap) != LZMA_OK)
		abort();
	*out_len = pos;
	return out;
}

static uint8_t *lz4(const void *in, size_t len, size_t *out_len)
{
	LZ4F_preferences_t prefs;
	size_t cap, n;
	uint8_t *out;

	/* A content checksum, as `lz4` writes by default. */
	memset(&prefs, 0, sizeof(prefs));
	prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
	cap = LZ4F_compressFrameBound(len, &prefs);
	out = malloc(cap);
	n = LZ4F_compressFrame(out, cap, in, len, &prefs);
	if (LZ4F_isError(n))
		abort();
	*out_len = n;
	return out;
}

static uint8_t *bz2(const void *in, size_t len, size_t *out_len)
{
	unsigned int cap = (unsigned int)(len + len / 100 + 600);
	uint8_t *out = malloc(cap);

	if (BZ2_bzBuffToBuffCompress((char *)out, &cap, (char *)(uintptr_t)in, (unsigned int)len,
				     9, 0, 0) != BZ_OK)
		abort();
	*out_len = cap;
	return out;
}

typedef uint8_t *(*compress_fn)(const void *, size_t, size_t *);

static const struct {
	const char *name;
	compress_fn fn;
	uint8_t comp;
} comps[] = {
	{ "gzip", gz, DEB_COMP_GZIP },
	{ "xz", xz, DEB_COMP_XZ },
	{ "lz4", lz4, DEB_COMP_LZ4 },
	{ "bzip2", bz2, DEB_COMP_BZIP2 },
};

static void check_same_records(int k)
{
	size_t tl = strlen(packages_text), n;
	uint8_t *c = comps[k].fn(packages_text, tl, &n);
	int r = pkg(c, n, DEB_TEXT_MAX);

	CHECK(r == 0, "%s: %d %s", comps[k].name, r, err);
	if (!r)
		check_packages_answer(ans.data, ans.len, ans.data + DEB_PKG_FIXED + 2 * DEB_PKG_RECORD_SIZE,
				      tl, DEB_PKG_F_TEXT, comps[k].comp);
	free(c);
}

TEST(test_packages_gzip_gives_records_of_plain) { check_same_records(0); }
TEST(test_packages_xz_gives_records_of_plain) { check_same_records(1); }
TEST(test_packages_lz4_gives_records_of_plain) { check_same_records(2); }
TEST(test_packages_bzip2_gives_records_of_plain) { check_same_records(3); }

TEST(test_packages_concatenated_streams_are_one_text)
{
	size_t tl = strlen(packages_text), half = strstr(packages_text, "Package: nosum") - packages_text;
	size_t n1, n2;
	int k, r;

	for (k = 0; k < 4; k++) {
		uint8_t *a = comps[k].fn(packages_text, half, &n1);
		uint8_t *b = comps[k].fn(packages_text + half, tl - half, &n2);
		uint8_t *both = malloc(n1 + n2);

		memcpy(both, a, n1);
		memcpy(both + n1, b, n2);
		r = pkg(both, n1 + n2, DEB_TEXT_MAX);
		CHECK(r == 0, "%s: %d %s", comps[k].name, r, err);
		if (!r)
			check_packages_answer(ans.data, ans.len,
					      ans.data + DEB_PKG_FIXED + 2 * DEB_PKG_RECORD_SIZE,
					      tl, DEB_PKG_F_TEXT, comps[k].comp);
		free(a);
		free(b);
		free(both);
	}
}

/* Every cut of the compressed text (past the magic bytes) is -ENODATA. */
TEST(test_packages_truncated_compressed_data_is_enodata)
{
	size_t tl = strlen(packages_text), n, cut;
	int k, r;

	for (k = 0; k < 4; k++) {
		uint8_t *c = comps[k].fn(packages_text, tl, &n);

		for (cut = 6; cut < n; cut++) {
			r = pkg(c, cut, DEB_TEXT_MAX);
			if (r != -ENODATA) {
				CHECK(r == -ENODATA, "%s cut at %zu of %zu: %d %s", comps[k].name,
				      cut, n, r, err);
				break;
			}
		}
		free(c);
	}
}

TEST(test_packages_corrupt_compressed_data_is_ebadmsg)
{
	size_t tl = strlen(packages_text), n;
	int k, r;

	for (k = 0; k < 4; k++) {
		uint8_t *c = comps[k].fn(packages_text, tl, &n);

		/* The last bytes are a checksum (gzip: ISIZE; xz: the stream
		 * footer; lz4: the content checksum; bzip2: the stream CRC). */
		c[n - 2] ^= 0x55;
		r = pkg(c, n, DEB_TEXT_MAX);
		CHECK(r == -EBADMSG, "%s: %d %s", comps[k].name, r, err);
		free(c);
	}
}

TEST(test_packages_bytes_after_compressed_stream_are_ebadmsg)
{
	size_t tl = strlen(packages_text), n;
	int k, r;

	for (k = 0; k < 4; k++) {
		uint8_t *c = comps[k].fn(packages_text, tl, &n);
		uint8_t *more = malloc(n + 16);

		/* 16 bytes: fewer than an xz stream header (12) would be read as
		 * a truncated next stream, by `xz -d` too ("Unexpected end"). */
		memcpy(more, c, n);
		memcpy(more + n, "garbage!garbage!", 16);
		r = pkg(more, n + 16, DEB_TEXT_MAX);
		CHECK(r == -EBADMSG, "%s: %d %s", comps[k].name, r, err);
		free(c);
		free(more);
	}
}

/* 4 MiB of one byte is a few hundred bytes compressed. */
TEST(test_packages_decompression_bomb_is_e2big)
{
	size_t big = 4u << 20, n;
	uint8_t *text = malloc(big);
	int k, r;

	memset(text, 'a', big);
	for (k = 0; k < 4; k++) {
		uint8_t *c = comps[k].fn(text, big, &n);

		r = pkg(c, n, 64u << 10);
		CHECK(r == -E2BIG && strstr(err, "limit"), "%s (%zu bytes): %d %s", comps[k].name, n, r, err);
		free(c);
	}
	free(text);
}

TEST(test_packages_text_at_limit_is_accepted_one_over_is_e2big)
{
	size_t tl = strlen(packages_text), n;
	int k, r;

	for (k = 0; k < 4; k++) {
		uint8_t *c = comps[k].fn(packages_text, tl, &n);

		r = pkg(c, n, tl);
		CHECK(r == 0, "%s at the limit: %d %s", comps[k].name, r, err);
		r = pkg(c, n, tl - 1);
		CHECK(r == -E2BIG, "%s one over: %d %s", comps[k].name, r, err);
		free(c);
	}
}

TEST(test_packages_unsupported_compression_is_eopnotsupp)
{
	static const uint8_t zstd[] = { 0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0 };
	static const uint8_t lz4_legacy[] = { 0x02, 0x21, 0x4c, 0x18, 0, 0, 0, 0 };
	int r = pkg(zstd, sizeof(zstd), DEB_TEXT_MAX);

	CHECK(r == -EOPNOTSUPP && strstr(err, "zstd"), "%d %s", r, err);
	r = pkg(lz4_legacy, sizeof(lz4_legacy), DEB_TEXT_MAX);
	CHECK(r == -EOPNOTSUPP && strstr(err, "legacy"), "legacy lz4: %d %s", r, err);
}

TEST(test_parse_request_dispatches_by_type)
{
	int r;

	dg_buf_free(&ans);
	r = deb_parse_request(DEB_REQ_PACKAGES, (const uint8_t *)packages_text, strlen(packages_text),
			      &ans, err, sizeof(err));
	CHECK(r == 0 && rd32(ans.data) == DEB_PKG_MAGIC, "packages: %d %s", r, err);
	dg_buf_free(&ans);
	r = deb_parse_request(DEB_REQ_RELEASE, (const uint8_t *)release_text, strlen(release_text),
			      &ans, err, sizeof(err));
	CHECK(r == 0 && rd32(ans.data) == DEB_REL_MAGIC, "release: %d %s", r, err);
	dg_buf_free(&ans);
	r = deb_parse_request(0x0402, NULL, 0, &ans, err, sizeof(err));
	CHECK(r == -EOPNOTSUPP, "unknown type: %d", r);
}

int main(void)
{
	RUN(test_release_reports_entries_dates_and_field_span);
	RUN(test_release_accepts_day_with_and_without_leading_zero);
	RUN(test_release_converts_leap_day);
	RUN(test_release_without_dates_has_no_date_flags);
	RUN(test_release_accepts_trailing_empty_lines);
	RUN(test_release_rejects_second_paragraph);
	RUN(test_release_rejects_second_paragraph_after_line_of_spaces);
	RUN(test_release_rejects_leading_empty_line);
	RUN(test_release_rejects_duplicate_sha256_field);
	RUN(test_release_rejects_missing_sha256_field);
	RUN(test_release_rejects_sha256_field_without_entries);
	RUN(test_release_rejects_sha256_value_on_its_first_line);
	RUN(test_release_rejects_short_hash);
	RUN(test_release_rejects_non_hex_hash);
	RUN(test_release_rejects_size_over_20_digits);
	RUN(test_release_rejects_size_over_64_bits);
	RUN(test_release_rejects_non_decimal_size);
	RUN(test_release_rejects_entry_without_path);
	RUN(test_release_rejects_text_after_path);
	RUN(test_release_rejects_crlf_lines);
	RUN(test_release_rejects_unsupported_date_form);
	RUN(test_release_rejects_duplicate_date);
	RUN(test_release_rejects_date_continuation);
	RUN(test_release_rejects_comment_line);
	RUN(test_release_rejects_line_without_colon);
	RUN(test_packages_plain_gives_records_and_counts_skipped);
	RUN(test_packages_field_names_are_case_insensitive);
	RUN(test_packages_empty_text_has_no_records);
	RUN(test_packages_line_of_spaces_separates_paragraphs);
	RUN(test_packages_accepts_continuation_of_other_fields);
	RUN(test_packages_rejects_crlf_sha256);
	RUN(test_packages_rejects_continuation_after_needed_field);
	RUN(test_packages_rejects_duplicate_needed_field);
	RUN(test_packages_rejects_bad_sha256_naming_package_and_line);
	RUN(test_packages_rejects_bad_size);
	RUN(test_packages_rejects_empty_needed_field);
	RUN(test_packages_rejects_comment_line);
	RUN(test_packages_rejects_continuation_starting_paragraph);
	RUN(test_packages_failed_parse_appends_nothing);
	RUN(test_packages_plain_over_limit_is_e2big);
	RUN(test_packages_gzip_gives_records_of_plain);
	RUN(test_packages_xz_gives_records_of_plain);
	RUN(test_packages_lz4_gives_records_of_plain);
	RUN(test_packages_bzip2_gives_records_of_plain);
	RUN(test_packages_concatenated_streams_are_one_text);
	RUN(test_packages_truncated_compressed_data_is_enodata);
	RUN(test_packages_corrupt_compressed_data_is_ebadmsg);
	RUN(test_packages_bytes_after_compressed_stream_are_ebadmsg);
	RUN(test_packages_decompression_bomb_is_e2big);
	RUN(test_packages_text_at_limit_is_accepted_one_over_is_e2big);
	RUN(test_packages_unsupported_compression_is_eopnotsupp);
	RUN(test_parse_request_dispatches_by_type);
	dg_buf_free(&ans);
	return tap_done();
}

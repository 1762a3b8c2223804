// SPDX-License-Identifier: MIT
/*
 * The deb handler's parser, in process: Release and Packages texts built
 * here parse into the answers of deb_proto.h with spans that point at the
 * values; every compression apt uses gives the records of the plain text;
 * each broken rule is rejected with the right errno and a message naming
 * the line.  .deb archives (ar, tar with GNU and pax extensions) are
 * written here byte by byte, so every header's offset is known, and their
 * data.tar compressed with each compression deb(5) allows.  The compressed
 * inputs are made here with the libraries' own encoders.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bzlib.h>
#include <lz4frame.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "buf.h"
#include "cursor.h"
#include "tap.h"
#include "../../src/handlers/deb/deb_archive.h"
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

/* ---- .deb archives ---------------------------------------------------- */

static int all_zero_bytes(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

/*
 * A tiny tar and ar writer: the archives are built here, byte by byte as
 * GNU tar and dpkg-deb lay them out, so that every offset is known.
 */
enum { MAGIC_NONE, MAGIC_USTAR, MAGIC_GNU };

static void tar_octal_field(uint8_t *f, size_t n, uint64_t v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%0*llo", (int)(n - 1), (unsigned long long)v);
	memcpy(f, tmp, n - 1);
	f[n - 1] = '\0';
}

/* GNU tar's form: six digits, a NUL, a space. */
static void tar_set_checksum(uint8_t *h)
{
	unsigned sum = 0;
	char tmp[8];
	int i;

	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf(tmp, sizeof(tmp), "%06o", sum);
	memcpy(h + 148, tmp, 7);
}

/* One header and its data, padded to a block; returns the header's offset. */
static size_t tar_add(struct dg_buf *t, const char *name, const char *prefix, char type,
		      unsigned mode, const char *link, const void *data, size_t size, int magic)
{
	static const uint8_t zero[512];
	uint8_t h[512];
	size_t off = t->len;

	memset(h, 0, sizeof(h));
	memcpy(h, name, strnlen(name, 100));
	tar_octal_field(h + 100, 8, mode);
	tar_octal_field(h + 108, 8, 0);
	tar_octal_field(h + 116, 8, 0);
	tar_octal_field(h + 124, 12, size);
	tar_octal_field(h + 136, 12, 1700000000);
	h[156] = (uint8_t)type;
	if (link)
		memcpy(h + 157, link, strnlen(link, 100));
	if (magic == MAGIC_USTAR)
		memcpy(h + 257, "ustar\0" "00", 8);
	else if (magic == MAGIC_GNU)
		memcpy(h + 257, "ustar  \0", 8);
	if (prefix)
		memcpy(h + 345, prefix, strnlen(prefix, 155));
	tar_set_checksum(h);
	dg_buf_put(t, h, sizeof(h));
	if (size)
		dg_buf_put(t, data, size);
	if (size % 512)
		dg_buf_put(t, zero, 512 - size % 512);
	return off;
}

/* The end-of-archive blocks and padding to GNU tar's 10240-byte record. */
static void tar_finish(struct dg_buf *t)
{
	static const uint8_t zero[512];

	do
		dg_buf_put(t, zero, 512);
	while (t->len % 10240);
}

/* Append one pax record "LEN key=value\n" to @rec; returns its offset in @rec. */
static size_t pax_add(struct dg_buf *rec, const char *key, const void *val, size_t vlen)
{
	size_t n = strlen(key) + vlen + 3, len = n, off = rec->len;
	char digits[24];

	/* LEN counts its own digits. */
	while ((size_t)snprintf(digits, sizeof(digits), "%zu", len) + n != len)
		len = (size_t)snprintf(digits, sizeof(digits), "%zu", len) + n;
	dg_buf_put(rec, digits, strlen(digits));
	dg_buf_put(rec, " ", 1);
	dg_buf_put(rec, key, strlen(key));
	dg_buf_put(rec, "=", 1);
	dg_buf_put(rec, val, vlen);
	dg_buf_put(rec, "\n", 1);
	return off;
}

static void ar_add(struct dg_buf *a, const char *name, const void *data, size_t n)
{
	char h[64];

	snprintf(h, sizeof(h), "%-16s%-12s%-6s%-6s%-8s%-10zu`\n", name, "1700000000", "0", "0",
		 "100644", n);
	dg_buf_put(a, h, 60);
	if (n)
		dg_buf_put(a, data, n);
	if (n & 1)
		dg_buf_put(a, "\n", 1);
}

/* A .deb as dpkg-deb writes it, with @data as member @name; its header's offset in @data_off. */
static void deb_build(struct dg_buf *deb, const char *name, const void *data, size_t n,
		      size_t *data_off)
{
	dg_buf_free(deb);
	dg_buf_put(deb, "!<arch>\n", 8);
	ar_add(deb, "debian-binary", "2.0\n", 4);
	ar_add(deb, "control.tar.xz", "(not read)", 10);
	if (data_off)
		*data_off = deb->len;
	ar_add(deb, name, data, n);
}

static uint8_t *zst(const void *in, size_t len, size_t *out_len)
{
	size_t cap = ZSTD_compressBound(len), n;
	uint8_t *out = malloc(cap);

	n = ZSTD_compress(out, cap, in, len, 19);
	if (ZSTD_isError(n))
		abort();
	*out_len = n;
	return out;
}

/* lzma_alone, as `xz --format=lzma` (and dpkg-deb -Zlzma, once) writes it. */
static uint8_t *lzma_alone(const void *in, size_t len, size_t *out_len)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_options_lzma opt;
	size_t cap = len + len / 2 + 4096;
	uint8_t *out = malloc(cap);

	if (lzma_lzma_preset(&opt, 6) || lzma_alone_encoder(&s, &opt) != LZMA_OK)
		abort();
	s.next_in = in;
	s.avail_in = len;
	s.next_out = out;
	s.avail_out = cap;
	if (lzma_code(&s, LZMA_FINISH) != LZMA_STREAM_END)
		abort();
	*out_len = cap - s.avail_out;
	lzma_end(&s);
	return out;
}

static const struct {
	const char *member;
	compress_fn fn;
	uint8_t comp;
} data_comps[] = {
	{ "data.tar.gz", gz, DEB_COMP_GZIP },
	{ "data.tar.xz", xz, DEB_COMP_XZ },
	{ "data.tar.bz2", bz2, DEB_COMP_BZIP2 },
	{ "data.tar.zst", zst, DEB_COMP_ZSTD },
	{ "data.tar.lzma", lzma_alone, DEB_COMP_LZMA },
};
#define N_DATA_COMPS (sizeof(data_comps) / sizeof(data_comps[0]))

#define LONG_PATH "./usr/share/doc/digestguard-test/a-directory-name-long-enough/" \
	"to-need-more-than-the-hundred-bytes-of-the-name-field.txt"
#define PAX_PATH "./usr/share/pax/the-last-path-record-wins"

/* The reference data.tar: one header of every kind, and their offsets. */
struct ref_tar {
	struct dg_buf t;
	size_t dir, file, symlink, hardlink, l_hdr, l_entry, x_hdr, x_entry, g_hdr, prefixed;
	size_t pax_rec;		/* the last path record, in the 'x' header's data */
	size_t n;		/* headers */
};

static void ref_tar_build(struct ref_tar *r)
{
	struct dg_buf pax = { 0 }, glob = { 0 };
	char lname[sizeof(LONG_PATH)];

	memset(r, 0, sizeof(*r));
	r->dir = tar_add(&r->t, "./", NULL, '5', 0755, NULL, NULL, 0, MAGIC_GNU);
	r->file = tar_add(&r->t, "./usr/bin/hello", NULL, '0', 0755, NULL, "hello\n", 6, MAGIC_GNU);
	r->symlink = tar_add(&r->t, "./usr/bin/hi", NULL, '2', 0777, "hello", NULL, 0, MAGIC_GNU);
	r->hardlink = tar_add(&r->t, "./usr/bin/hello-again", NULL, '1', 0755, "./usr/bin/hello",
			      NULL, 0, MAGIC_GNU);
	/* GNU tar: "././@LongLink", the name and its NUL as data, then the
	 * entry with the name cut to 100 bytes. */
	r->l_hdr = tar_add(&r->t, "././@LongLink", NULL, 'L', 0644, NULL, LONG_PATH,
			   sizeof(LONG_PATH), MAGIC_GNU);
	memcpy(lname, LONG_PATH, sizeof(lname));
	r->l_entry = tar_add(&r->t, lname, NULL, '0', 0644, NULL, "long\n", 5, MAGIC_GNU);
	pax_add(&pax, "path", "./usr/share/pax/superseded", 26);
	pax_add(&pax, "mtime", "1700000000.5", 12);
	r->pax_rec = pax_add(&pax, "path", PAX_PATH, strlen(PAX_PATH));
	r->x_hdr = tar_add(&r->t, "./PaxHeaders/x", NULL, 'x', 0644, NULL, pax.data, pax.len,
			   MAGIC_USTAR);
	r->x_entry = tar_add(&r->t, "./usr/share/pax/the-last-p", NULL, '0', 0644, NULL, "", 0,
			     MAGIC_USTAR);
	pax_add(&glob, "comment", "made by test_deb_parse", 22);
	r->g_hdr = tar_add(&r->t, "pax_global_header", NULL, 'g', 0644, NULL, glob.data, glob.len,
			   MAGIC_USTAR);
	r->prefixed = tar_add(&r->t, "copyright", "./usr/share/doc/digestguard-test", '0', 0644, NULL,
			      "c\n", 2, MAGIC_USTAR);
	r->n = 10;
	tar_finish(&r->t);
	dg_buf_free(&pax);
	dg_buf_free(&glob);
}

/* The answer in @ans, its tar stream in @tar (@deb's member when not compressed). */
struct arc_view {
	const uint8_t *a, *tar;
	size_t tar_len;
	uint32_t n;
};

static int arc_view(const uint8_t *deb, struct arc_view *v)
{
	if (ans.len < DEB_ARC_FIXED)
		return -1;
	v->a = ans.data;
	v->n = rd32(ans.data + 40);
	v->tar_len = rd64(ans.data + 32);
	if (ans.len < DEB_ARC_FIXED + (size_t)v->n * DEB_ARC_RECORD_SIZE)
		return -1;
	if (rd32(ans.data + 4) >> 16 & DEB_ARC_F_TEXT)
		v->tar = ans.data + DEB_ARC_FIXED + (size_t)v->n * DEB_ARC_RECORD_SIZE;
	else
		v->tar = deb + rd64(ans.data + 16) + DEB_AR_HEADER;
	return 0;
}

static const uint8_t *arc_rec(const struct arc_view *v, uint32_t i)
{
	return v->a + DEB_ARC_FIXED + (size_t)i * DEB_ARC_RECORD_SIZE;
}

/* The path record @i names, as the core would put it together. */
static int arc_path_is(const struct arc_view *v, uint32_t i, uint8_t kind, const char *want)
{
	const uint8_t *r = arc_rec(v, i);
	uint64_t a = rd64(r + 16), b = rd64(r + 24);
	uint32_t al = rd32(r + 40), bl = rd32(r + 44);
	char path[512];

	if (r[53] != kind || a + al > v->tar_len || b + bl > v->tar_len || al + bl + 2 > sizeof(path))
		return 0;
	memcpy(path, v->tar + a, al);
	path[al] = '\0';
	if (kind == DEB_PATH_PREFIX) {
		path[al] = '/';
		memcpy(path + al + 1, v->tar + b, bl);
		path[al + 1 + bl] = '\0';
	}
	return !strcmp(path, want);
}

static int arc(const struct dg_buf *deb)
{
	dg_buf_free(&ans);
	err[0] = '\0';
	return deb_archive_parse(deb->data, deb->len, &ans, err, sizeof(err));
}

static int arc_max(const struct dg_buf *deb, size_t max)
{
	dg_buf_free(&ans);
	err[0] = '\0';
	return deb_archive_parse_max(deb->data, deb->len, max, &ans, err, sizeof(err));
}

/* Every record of the reference tar, from the answer in @ans. */
static void check_ref_answer(const struct ref_tar *ref, const struct dg_buf *deb, size_t data_off,
			     size_t member_size, uint8_t comp)
{
	static const char *const names[] = { "./", "./usr/bin/hello", "./usr/bin/hi",
		"./usr/bin/hello-again", NULL, LONG_PATH, NULL, PAX_PATH, NULL,
		"./usr/share/doc/digestguard-test/copyright" };
	static const uint8_t kinds[] = { DEB_PATH_NAME, DEB_PATH_NAME, DEB_PATH_NAME, DEB_PATH_NAME,
		DEB_PATH_NONE, DEB_PATH_LONG, DEB_PATH_NONE, DEB_PATH_PAX, DEB_PATH_NONE,
		DEB_PATH_PREFIX };
	static const char types[] = { '5', '0', '2', '1', 'L', '0', 'x', '0', 'g', '0' };
	static const unsigned modes[] = { 0755, 0755, 0777, 0755, 0644, 0644, 0644, 0644, 0644, 0644 };
	const size_t offs[] = { ref->dir, ref->file, ref->symlink, ref->hardlink, ref->l_hdr,
		ref->l_entry, ref->x_hdr, ref->x_entry, ref->g_hdr, ref->prefixed };
	struct arc_view v;
	uint16_t flags = comp == DEB_COMP_NONE ? 0 : DEB_ARC_F_TEXT;
	uint32_t i;

	if (arc_view(deb->data, &v) < 0) {
		CHECK(0, "answer of %zu bytes too short", ans.len);
		return;
	}
	CHECK(rd32(v.a) == DEB_ARC_MAGIC, "magic %x", rd32(v.a));
	CHECK(rd32(v.a + 4) == (DEB_ANS_VERSION | (uint32_t)flags << 16), "version/flags %x", rd32(v.a + 4));
	CHECK(v.a[8] == comp && !v.a[9] && !rd32(v.a + 12), "compression %u", v.a[8]);
	CHECK(rd64(v.a + 16) == data_off, "member offset %llu, want %zu",
	      (unsigned long long)rd64(v.a + 16), data_off);
	CHECK(rd64(v.a + 24) == member_size, "member size %llu", (unsigned long long)rd64(v.a + 24));
	CHECK(v.tar_len == ref->t.len, "tar_length %zu, want %zu", v.tar_len, ref->t.len);
	CHECK(v.n == ref->n && !rd32(v.a + 44), "n_headers %u", v.n);
	CHECK(ans.len == DEB_ARC_FIXED + (size_t)v.n * DEB_ARC_RECORD_SIZE + (flags ? v.tar_len : 0),
	      "answer length %zu", ans.len);
	if (v.n != ref->n || v.tar_len != ref->t.len)
		return;
	CHECK(!memcmp(v.tar, ref->t.data, v.tar_len), "tar stream differs");
	for (i = 0; i < v.n; i++) {
		const uint8_t *r = arc_rec(&v, i);

		CHECK(rd64(r) == offs[i], "record %u header_offset %llu, want %zu", i,
		      (unsigned long long)rd64(r), offs[i]);
		CHECK(r[52] == (uint8_t)types[i] && rd32(r + 48) == modes[i], "record %u type %c mode %o",
		      i, r[52], rd32(r + 48));
		CHECK(all_zero_bytes(r + 54, 10), "record %u reserved bytes", i);
		if (names[i])
			CHECK(arc_path_is(&v, i, kinds[i], names[i]), "record %u path (kind %u)", i, r[53]);
		else
			CHECK(r[53] == DEB_PATH_NONE && !rd64(r + 16) && !rd32(r + 40), "record %u kind %u",
			      i, r[53]);
	}
	/* Sizes: the field, so the next header follows. */
	CHECK(rd64(arc_rec(&v, 1) + 8) == 6 && rd64(arc_rec(&v, 4) + 8) == sizeof(LONG_PATH) &&
	      rd64(arc_rec(&v, 0) + 8) == 0, "sizes");
	/* The pax span: the last path record, its value inside it. */
	CHECK(rd64(arc_rec(&v, 7) + 32) == ref->x_hdr + 512 + ref->pax_rec &&
	      rd64(arc_rec(&v, 7) + 16) > rd64(arc_rec(&v, 7) + 32), "pax rec_offset %llu",
	      (unsigned long long)rd64(arc_rec(&v, 7) + 32));
	/* The 'L' data and the prefix field: exactly where they are. */
	CHECK(rd64(arc_rec(&v, 5) + 16) == ref->l_hdr + 512, "long name offset");
	CHECK(rd64(arc_rec(&v, 9) + 16) == ref->prefixed + 345 && rd64(arc_rec(&v, 9) + 24) == ref->prefixed,
	      "prefix offsets");
}

TEST(test_archive_plain_data_tar_reports_every_header)
{
	struct ref_tar ref;
	struct dg_buf deb = { 0 };
	size_t off;
	int r;

	ref_tar_build(&ref);
	deb_build(&deb, "data.tar", ref.t.data, ref.t.len, &off);
	r = arc(&deb);
	CHECK(r == 0, "%d %s", r, err);
	if (!r)
		check_ref_answer(&ref, &deb, off, ref.t.len, DEB_COMP_NONE);
	dg_buf_free(&ref.t);
	dg_buf_free(&deb);
}

static void check_compressed_ref(size_t k)
{
	struct ref_tar ref;
	struct dg_buf deb = { 0 };
	size_t off, n;
	uint8_t *c;
	int r;

	ref_tar_build(&ref);
	c = data_comps[k].fn(ref.t.data, ref.t.len, &n);
	deb_build(&deb, data_comps[k].member, c, n, &off);
	r = arc(&deb);
	CHECK(r == 0, "%s: %d %s", data_comps[k].member, r, err);
	if (!r)
		check_ref_answer(&ref, &deb, off, n, data_comps[k].comp);
	free(c);
	dg_buf_free(&ref.t);
	dg_buf_free(&deb);
}

TEST(test_archive_data_tar_gz_gives_records_of_plain) { check_compressed_ref(0); }
TEST(test_archive_data_tar_xz_gives_records_of_plain) { check_compressed_ref(1); }
TEST(test_archive_data_tar_bz2_gives_records_of_plain) { check_compressed_ref(2); }
TEST(test_archive_data_tar_zst_gives_records_of_plain) { check_compressed_ref(3); }
TEST(test_archive_data_tar_lzma_gives_records_of_plain) { check_compressed_ref(4); }

/* A .deb of @t as data.tar; its parse result. */
static int arc_tar(const struct dg_buf *t)
{
	struct dg_buf deb = { 0 };
	int r;

	deb_build(&deb, "data.tar", t->data, t->len, NULL);
	r = arc(&deb);
	dg_buf_free(&deb);
	return r;
}

TEST(test_archive_gnu_ar_names_and_underscore_members_are_accepted)
{
	struct ref_tar ref;
	struct dg_buf deb = { 0 };
	int r;

	ref_tar_build(&ref);
	dg_buf_put(&deb, "!<arch>\n", 8);
	ar_add(&deb, "debian-binary/", "2.0\n", 4);
	ar_add(&deb, "_gpgorigin", "sig", 3);
	ar_add(&deb, "control.tar/", "x", 1);
	ar_add(&deb, "data.tar/", ref.t.data, ref.t.len);
	ar_add(&deb, "_extra", "z", 1);
	r = arc(&deb);
	CHECK(r == 0 && rd32(ans.data + 40) == ref.n, "%d %s", r, err);
	dg_buf_free(&ref.t);
	dg_buf_free(&deb);
}

TEST(test_archive_stream_without_end_block_is_accepted_when_whole)
{
	struct dg_buf t = { 0 };
	int r;

	tar_add(&t, "./a", NULL, '0', 0644, NULL, "abc", 3, MAGIC_GNU);
	r = arc_tar(&t);
	CHECK(r == 0 && rd32(ans.data + 40) == 1 && rd64(ans.data + 32) == 1024, "%d %s", r, err);
	/* Cut inside the entry's data, or its padding: truncated. */
	t.len = 600;
	r = arc_tar(&t);
	CHECK(r == -ENODATA && strstr(err, "offset 0") && strstr(err, "truncated"), "data: %d %s", r, err);
	t.len = 1000;
	r = arc_tar(&t);
	CHECK(r == -ENODATA && strstr(err, "truncated"), "padding: %d %s", r, err);
	dg_buf_free(&t);
}

TEST(test_archive_truncated_header_is_enodata)
{
	struct dg_buf t = { 0 };
	int r;

	tar_add(&t, "./a", NULL, '0', 0644, NULL, "abc", 3, MAGIC_GNU);
	tar_add(&t, "./b", NULL, '0', 0644, NULL, "abc", 3, MAGIC_GNU);
	t.len = 1024 + 300;
	r = arc_tar(&t);
	CHECK(r == -ENODATA && strstr(err, "offset 1024") && strstr(err, "truncated"), "%d %s", r, err);
	dg_buf_free(&t);
}

TEST(test_archive_truncated_compressed_member_is_enodata)
{
	struct ref_tar ref;
	struct dg_buf deb = { 0 };
	size_t k, n;
	int r;

	ref_tar_build(&ref);
	for (k = 0; k < N_DATA_COMPS; k++) {
		uint8_t *c = data_comps[k].fn(ref.t.data, ref.t.len, &n);

		deb_build(&deb, data_comps[k].member, c, n - 10, NULL);
		r = arc(&deb);
		CHECK(r == -ENODATA && strstr(err, data_comps[k].member), "%s: %d %s",
		      data_comps[k].member, r, err);
		free(c);
	}
	dg_buf_free(&ref.t);
	dg_buf_free(&deb);
}

TEST(test_archive_bad_checksum_is_ebadmsg_naming_header)
{
	struct ref_tar ref;
	int r;

	ref_tar_build(&ref);
	ref.t.data[ref.file + 5] ^= 1;	/* in the name: the sum no longer matches */
	r = arc_tar(&ref.t);
	CHECK(r == -EBADMSG && strstr(err, "data.tar: tar header at offset 512:") && strstr(err, "checksum"),
	      "%d %s", r, err);
	dg_buf_free(&ref.t);
}

TEST(test_archive_base256_size_is_read)
{
	struct dg_buf t = { 0 };
	const uint8_t *rec;
	int r;

	tar_add(&t, "./a", NULL, '0', 0644, NULL, "abc", 3, MAGIC_GNU);
	memset(t.data + 124, 0, 12);
	t.data[124] = 0x80;
	t.data[135] = 3;
	tar_set_checksum(t.data);
	r = arc_tar(&t);
	rec = ans.data + DEB_ARC_FIXED;
	CHECK(r == 0 && rd64(rec + 8) == 3, "%d %s", r, err);
	/* Negative (0xff...) is no size. */
	t.data[124] = 0xff;
	tar_set_checksum(t.data);
	r = arc_tar(&t);
	CHECK(r == -EBADMSG && strstr(err, "size"), "negative: %d %s", r, err);
	dg_buf_free(&t);
}

TEST(test_archive_missing_debian_binary_is_ebadmsg)
{
	struct ref_tar ref;
	struct dg_buf deb = { 0 };
	int r;

	ref_tar_build(&ref);
	dg_buf_put(&deb, "!<arch>\n", 8);
	ar_add(&deb, "control.tar.xz", "x", 1);
	ar_add(&deb, "data.tar", ref.t.data, ref.t.len);
	r = arc(&deb);
	CHECK(r == -EBADMSG && strstr(err, "not a Debian binary package"), "%d %s", r, err);
	dg_buf_free(&deb);
	dg_buf_put(&deb, "!<arch>\n", 8);
	ar_add(&deb, "debian-binary", "3.0\n", 4);
	ar_add(&deb, "control.tar.xz", "x", 1);
	ar_add(&deb, "data.tar", ref.t.data, ref.t.len);
	r = arc(&deb);
	CHECK(r == -EBADMSG && strstr(err, "not a Debian binary package"), "version 3.0: %d %s", r, err);
	r = deb_archive_parse((const uint8_t *)"PK\3\4", 4, &ans, err, sizeof(err));
	CHECK(r == -EBADMSG && strstr(err, "not an ar archive"), "zip: %d %s", r, err);
	dg_buf_free(&ref.t);
	dg_buf_free(&deb);
}

TEST(test_archive_unknown_data_suffix_is_eopnotsupp)
{
	struct dg_buf deb = { 0 };
	int r;

	deb_build(&deb, "data.tar.lz4", "\x04\x22\x4d\x18", 4, NULL);
	r = arc(&deb);
	CHECK(r == -EOPNOTSUPP && strstr(err, "data.tar.lz4"), "%d %s", r, err);
	dg_buf_free(&deb);
}

TEST(test_archive_member_order_and_duplicates_are_ebadmsg)
{
	struct dg_buf deb = { 0 }, t = { 0 };
	int r;

	tar_finish(&t);
	deb_build(&deb, "data.tar", t.data, t.len, NULL);
	ar_add(&deb, "data.tar.xz", "x", 1);
	r = arc(&deb);
	CHECK(r == -EBADMSG && strstr(err, "second") && strstr(err, "data.tar.xz"), "second data: %d %s",
	      r, err);
	dg_buf_free(&deb);
	dg_buf_put(&deb, "!<arch>\n", 8);
	ar_add(&deb, "debian-binary", "2.0\n", 4);
	ar_add(&deb, "data.tar", t.data, t.len);
	r = arc(&deb);
	CHECK(r == -EBADMSG && strstr(err, "control.tar is due"), "no control: %d %s", r, err);
	dg_buf_free(&deb);
	dg_buf_put(&deb, "!<arch>\n", 8);
	ar_add(&deb, "debian-binary", "2.0\n", 4);
	ar_add(&deb, "control.tar", "x", 1);
	r = arc(&deb);
	CHECK(r == -EBADMSG && strstr(err, "no data.tar"), "no data: %d %s", r, err);
	dg_buf_free(&deb);
	dg_buf_free(&t);
}

TEST(test_archive_ar_odd_member_without_padding_is_enodata)
{
	struct dg_buf deb = { 0 }, t = { 0 };
	int r;

	tar_finish(&t);
	deb_build(&deb, "data.tar", t.data, t.len, NULL);
	ar_add(&deb, "_odd", "abc", 3);
	deb.len--;	/* the '\n' after the odd member */
	r = arc(&deb);
	CHECK(r == -ENODATA && strstr(err, "padding"), "%d %s", r, err);
	dg_buf_free(&deb);
	dg_buf_free(&t);
}

TEST(test_archive_compression_magic_must_agree_with_suffix)
{
	struct ref_tar ref;
	struct dg_buf deb = { 0 };
	size_t n;
	uint8_t *c;
	int r;

	ref_tar_build(&ref);
	c = gz(ref.t.data, ref.t.len, &n);
	deb_build(&deb, "data.tar.xz", c, n, NULL);
	r = arc(&deb);
	CHECK(r == -EBADMSG && strstr(err, "data.tar.xz") && strstr(err, "xz"), "%d %s", r, err);
	deb_build(&deb, "data.tar", c, n, NULL);
	r = arc(&deb);
	CHECK(r == -EBADMSG && strstr(err, "compressed"), "plain: %d %s", r, err);
	deb_build(&deb, "data.tar.lzma", c, n, NULL);
	r = arc(&deb);
	CHECK(r == -EBADMSG, "lzma: %d %s", r, err);
	free(c);
	dg_buf_free(&ref.t);
	dg_buf_free(&deb);
}

TEST(test_archive_over_limit_is_e2big)
{
	struct ref_tar ref;
	struct dg_buf deb = { 0 };
	size_t k, n;
	int r;

	ref_tar_build(&ref);
	deb_build(&deb, "data.tar", ref.t.data, ref.t.len, NULL);
	r = arc_max(&deb, ref.t.len);
	CHECK(r == 0, "plain at the limit: %d %s", r, err);
	r = arc_max(&deb, ref.t.len - 1);
	CHECK(r == -E2BIG && strstr(err, "limit"), "plain: %d %s", r, err);
	for (k = 0; k < N_DATA_COMPS; k++) {
		uint8_t *c = data_comps[k].fn(ref.t.data, ref.t.len, &n);

		deb_build(&deb, data_comps[k].member, c, n, NULL);
		r = arc_max(&deb, ref.t.len);
		CHECK(r == 0, "%s at the limit: %d %s", data_comps[k].member, r, err);
		r = arc_max(&deb, 4096);
		CHECK(r == -E2BIG && strstr(err, "limit 4096") && ans.len == 0, "%s: %d %s",
		      data_comps[k].member, r, err);
		free(c);
	}
	dg_buf_free(&ref.t);
	dg_buf_free(&deb);
}

TEST(test_archive_pax_length_mismatch_is_ebadmsg)
{
	struct dg_buf t = { 0 };
	static const char bad[] = "30 path=./usr/share/pax/a-path\n";	/* 31 bytes */
	int r;

	tar_add(&t, "./PaxHeaders/x", NULL, 'x', 0644, NULL, bad, strlen(bad), MAGIC_USTAR);
	tar_add(&t, "./a", NULL, '0', 0644, NULL, "", 0, MAGIC_USTAR);
	tar_finish(&t);
	r = arc_tar(&t);
	CHECK(r == -EBADMSG && strstr(err, "offset 0") && strstr(err, "pax record"), "%d %s", r, err);
	dg_buf_free(&t);
}

TEST(test_archive_pax_path_with_nul_is_ebadmsg)
{
	struct dg_buf t = { 0 }, pax = { 0 };
	int r;

	pax_add(&pax, "path", "./a\0b", 5);
	tar_add(&t, "./PaxHeaders/x", NULL, 'x', 0644, NULL, pax.data, pax.len, MAGIC_USTAR);
	tar_add(&t, "./a", NULL, '0', 0644, NULL, "", 0, MAGIC_USTAR);
	tar_finish(&t);
	r = arc_tar(&t);
	CHECK(r == -EBADMSG && strstr(err, "NUL inside the path"), "%d %s", r, err);
	dg_buf_free(&t);
	dg_buf_free(&pax);
}

TEST(test_archive_pax_size_must_match_header)
{
	struct dg_buf t = { 0 }, pax = { 0 };
	int r;

	pax_add(&pax, "size", "3", 1);
	tar_add(&t, "./PaxHeaders/x", NULL, 'x', 0644, NULL, pax.data, pax.len, MAGIC_USTAR);
	tar_add(&t, "./a", NULL, '0', 0644, NULL, "abc", 3, MAGIC_USTAR);
	tar_finish(&t);
	r = arc_tar(&t);
	CHECK(r == 0, "equal: %d %s", r, err);
	dg_buf_free(&t);
	tar_add(&t, "./PaxHeaders/x", NULL, 'x', 0644, NULL, pax.data, pax.len, MAGIC_USTAR);
	tar_add(&t, "./a", NULL, '0', 0644, NULL, "abcd", 4, MAGIC_USTAR);
	tar_finish(&t);
	r = arc_tar(&t);
	CHECK(r == -EBADMSG && strstr(err, "pax size 3"), "differs: %d %s", r, err);
	dg_buf_free(&t);
	dg_buf_free(&pax);
}

TEST(test_archive_global_pax_path_is_eopnotsupp)
{
	struct dg_buf t = { 0 }, pax = { 0 };
	int r;

	pax_add(&pax, "path", "./everything", 12);
	tar_add(&t, "pax_global_header", NULL, 'g', 0644, NULL, pax.data, pax.len, MAGIC_USTAR);
	tar_add(&t, "./a", NULL, '0', 0644, NULL, "", 0, MAGIC_USTAR);
	tar_finish(&t);
	r = arc_tar(&t);
	CHECK(r == -EOPNOTSUPP && strstr(err, "global"), "%d %s", r, err);
	dg_buf_free(&t);
	dg_buf_free(&pax);
}

TEST(test_archive_extension_without_entry_is_ebadmsg)
{
	struct dg_buf t = { 0 }, pax = { 0 };
	int r;

	/* 'L' as the last header, before the end block. */
	tar_add(&t, "./a", NULL, '0', 0644, NULL, "", 0, MAGIC_GNU);
	tar_add(&t, "././@LongLink", NULL, 'L', 0644, NULL, "./b", 4, MAGIC_GNU);
	tar_finish(&t);
	r = arc_tar(&t);
	CHECK(r == -EBADMSG && strstr(err, "offset 512") && strstr(err, "'L' header not followed"),
	      "L: %d %s", r, err);
	dg_buf_free(&t);
	/* 'x' as the last header of a stream without an end block. */
	pax_add(&pax, "path", "./b", 3);
	tar_add(&t, "./PaxHeaders/x", NULL, 'x', 0644, NULL, pax.data, pax.len, MAGIC_USTAR);
	r = arc_tar(&t);
	CHECK(r == -EBADMSG && strstr(err, "'x' header not followed"), "x: %d %s", r, err);
	dg_buf_free(&t);
	/* Two 'L' for one entry. */
	tar_add(&t, "././@LongLink", NULL, 'L', 0644, NULL, "./b", 4, MAGIC_GNU);
	tar_add(&t, "././@LongLink", NULL, 'L', 0644, NULL, "./c", 4, MAGIC_GNU);
	tar_add(&t, "./a", NULL, '0', 0644, NULL, "", 0, MAGIC_GNU);
	tar_finish(&t);
	r = arc_tar(&t);
	CHECK(r == -EBADMSG && strstr(err, "second 'L'"), "two L: %d %s", r, err);
	dg_buf_free(&t);
	dg_buf_free(&pax);
}

TEST(test_archive_bytes_after_end_block_are_ebadmsg)
{
	struct dg_buf t = { 0 };
	int r;

	tar_add(&t, "./a", NULL, '0', 0644, NULL, "", 0, MAGIC_GNU);
	tar_finish(&t);
	t.data[9000] = 'x';
	r = arc_tar(&t);
	CHECK(r == -EBADMSG && strstr(err, "offset 9000") && strstr(err, "end-of-archive"), "%d %s", r, err);
	dg_buf_free(&t);
}

TEST(test_archive_unsupported_entry_type_is_eopnotsupp)
{
	struct dg_buf t = { 0 };
	int r;

	tar_add(&t, "./a", NULL, 'S', 0644, NULL, "", 0, MAGIC_GNU);
	tar_finish(&t);
	r = arc_tar(&t);
	CHECK(r == -EOPNOTSUPP && strstr(err, "0x53"), "%d %s", r, err);
	dg_buf_free(&t);
}

/*
 * GNU tar and dpkg read no data for a link, device, directory or FIFO: a
 * size there hides the entry it covers from this walk.  A regular file
 * named with a trailing '/' is a directory to tar, a file to dpkg.
 */
TEST(test_archive_entry_without_data_must_have_no_size)
{
	static const char types[] = "123456";
	struct dg_buf t = { 0 }, in = { 0 };
	char name[16];
	size_t i;
	int r;

	tar_add(&in, "./usr/hidden", NULL, '0', 0644, NULL, "hidden\n", 7, MAGIC_USTAR);
	for (i = 0; types[i]; i++) {
		snprintf(name, sizeof(name), "./usr/t%c", types[i]);
		tar_add(&t, "./usr/a", NULL, '0', 0644, NULL, "aaa\n", 4, MAGIC_USTAR);
		tar_add(&t, name, NULL, types[i], 0644, types[i] <= '2' ? "./usr/a" : NULL, in.data,
			in.len, MAGIC_USTAR);
		tar_finish(&t);
		r = arc_tar(&t);
		CHECK(r == -EBADMSG && strstr(err, "offset 1024") && strstr(err, "no data"),
		      "type %c: %d %s", types[i], r, err);
		dg_buf_free(&t);
		tar_add(&t, name, NULL, types[i], 0644, types[i] <= '2' ? "./usr/a" : NULL, "", 0,
			MAGIC_USTAR);
		tar_finish(&t);
		r = arc_tar(&t);
		CHECK(r == 0, "type %c without data: %d %s", types[i], r, err);
		dg_buf_free(&t);
	}
	for (i = 0; i < 3; i++) {
		tar_add(&t, "./usr/d/", NULL, "0\0" "7"[i], 0644, NULL, "", 0, MAGIC_USTAR);
		tar_finish(&t);
		r = arc_tar(&t);
		CHECK(r == -EBADMSG && strstr(err, "ends in '/'"), "file type %d: %d %s", (int)i, r, err);
		dg_buf_free(&t);
	}
	dg_buf_free(&in);
}

TEST(test_archive_gnu_header_with_prefix_bytes_is_ebadmsg)
{
	struct dg_buf t = { 0 };
	int r;

	tar_add(&t, "copyright", "./usr/share/doc", '0', 0644, NULL, "", 0, MAGIC_GNU);
	tar_finish(&t);
	r = arc_tar(&t);
	CHECK(r == -EBADMSG && strstr(err, "prefix"), "%d %s", r, err);
	dg_buf_free(&t);
}

TEST(test_archive_empty_name_is_ebadmsg)
{
	struct dg_buf t = { 0 };
	int r;

	tar_add(&t, "", NULL, '0', 0644, NULL, "", 0, MAGIC_GNU);
	tar_finish(&t);
	r = arc_tar(&t);
	CHECK(r == -EBADMSG && strstr(err, "empty name"), "%d %s", r, err);
	dg_buf_free(&t);
}

TEST(test_archive_failed_parse_appends_nothing)
{
	struct dg_buf b = { 0 }, t = { 0 }, deb = { 0 };
	size_t n;
	uint8_t *c;
	int r;

	tar_add(&t, "./a", NULL, 'S', 0644, NULL, "", 0, MAGIC_GNU);
	tar_finish(&t);
	c = xz(t.data, t.len, &n);
	deb_build(&deb, "data.tar.xz", c, n, NULL);
	dg_buf_put(&b, "xyz", 3);
	r = deb_archive_parse(deb.data, deb.len, &b, err, sizeof(err));
	CHECK(r == -EOPNOTSUPP && b.len == 3, "%d len %zu", r, b.len);
	free(c);
	dg_buf_free(&b);
	dg_buf_free(&t);
	dg_buf_free(&deb);
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
	r = deb_parse_request(DEB_REQ_ARCHIVE, (const uint8_t *)"!<arch>\n", 8, &ans, err, sizeof(err));
	CHECK(r == -EBADMSG && strstr(err, "not a Debian binary package"), "archive: %d %s", r, err);
	dg_buf_free(&ans);
	r = deb_parse_request(0x0403, NULL, 0, &ans, err, sizeof(err));
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
	RUN(test_archive_plain_data_tar_reports_every_header);
	RUN(test_archive_data_tar_gz_gives_records_of_plain);
	RUN(test_archive_data_tar_xz_gives_records_of_plain);
	RUN(test_archive_data_tar_bz2_gives_records_of_plain);
	RUN(test_archive_data_tar_zst_gives_records_of_plain);
	RUN(test_archive_data_tar_lzma_gives_records_of_plain);
	RUN(test_archive_gnu_ar_names_and_underscore_members_are_accepted);
	RUN(test_archive_stream_without_end_block_is_accepted_when_whole);
	RUN(test_archive_truncated_header_is_enodata);
	RUN(test_archive_truncated_compressed_member_is_enodata);
	RUN(test_archive_bad_checksum_is_ebadmsg_naming_header);
	RUN(test_archive_base256_size_is_read);
	RUN(test_archive_missing_debian_binary_is_ebadmsg);
	RUN(test_archive_unknown_data_suffix_is_eopnotsupp);
	RUN(test_archive_member_order_and_duplicates_are_ebadmsg);
	RUN(test_archive_ar_odd_member_without_padding_is_enodata);
	RUN(test_archive_compression_magic_must_agree_with_suffix);
	RUN(test_archive_over_limit_is_e2big);
	RUN(test_archive_pax_length_mismatch_is_ebadmsg);
	RUN(test_archive_pax_path_with_nul_is_ebadmsg);
	RUN(test_archive_pax_size_must_match_header);
	RUN(test_archive_global_pax_path_is_eopnotsupp);
	RUN(test_archive_extension_without_entry_is_ebadmsg);
	RUN(test_archive_bytes_after_end_block_are_ebadmsg);
	RUN(test_archive_unsupported_entry_type_is_eopnotsupp);
	RUN(test_archive_gnu_header_with_prefix_bytes_is_ebadmsg);
	RUN(test_archive_entry_without_data_must_have_no_size);
	RUN(test_archive_empty_name_is_ebadmsg);
	RUN(test_archive_failed_parse_appends_nothing);
	RUN(test_parse_request_dispatches_by_type);
	dg_buf_free(&ans);
	return tap_done();
}

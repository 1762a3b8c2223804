// SPDX-License-Identifier: MIT
/*
 * The rpm handler's parser, in process: well-formed packages (built here
 * and from the shared corpus) parse; each broken rule is rejected with the
 * right errno and a message naming the tag or the limit.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cursor.h"
#include "tap.h"
#include "test_rpm_pkg.h"
#include "../../src/handlers/rpm/rpm_parse.h"
#include "../../src/handlers/rpm/rpm_tagtypes.h"

static char err[256];

static int parse(const uint8_t *p, size_t n)
{
	struct dg_buf ans = { 0 };
	int r = rpm_parse(p, n, n, &ans, err, sizeof(err));

	dg_buf_free(&ans);
	return r;
}

/* Index entry @i (0 = region) of the main header of @tp. */
static uint8_t *main_entry(struct tp_pkg *tp, int i)
{
	return tp->bytes + tp->main_off + 16 + 16 * i;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

TEST(test_rpm_parse_accepts_built_package)
{
	struct tp_pkg tp;
	struct dg_buf ans = { 0 };
	struct dg_cur c;
	uint32_t magic, n_tags = 0, n_strs = 0;
	int r;

	tp_build(&tp, TP_GOODSIG);
	r = rpm_parse(tp.bytes, tp.len, tp.len, &ans, err, sizeof(err));
	CHECK(r == 0, "parse failed: %d %s", r, err);
	c = cur_init(ans.data, ans.len);
	cur_le32(&c, &magic);
	CHECK(magic == RPM_ANS_MAGIC, "magic %x", magic);
	if (ans.len >= RPM_ANS_FIXED) {
		c = cur_init(ans.data + 64, 8);
		cur_le32(&c, &n_tags);
		cur_le32(&c, &n_strs);
	}
	/* 2 signature tags + 11 main tags; strings: 1+4 + 3+3+1 */
	CHECK(n_tags == 13, "n_tags %u", n_tags);
	CHECK(n_strs == 1 + 4 + 3 + 3 + 1, "n_strs %u", n_strs);
	/* + the pre-parsed signature count: 1, TP_GOODSIG is framed as an
	 * OpenPGP signature packet (of no version the parser knows), and its
	 * record after it */
	CHECK(ans.len > RPM_ANS_FIXED + 32u * n_tags + 8u * n_strs + 4u &&
	      get_le32(ans.data + RPM_ANS_FIXED + 32u * n_tags + 8u * n_strs) == 1,
	      "answer length %zu", ans.len);
	CHECK(ans.len >= 8 && (ans.data[6] & RPM_ANS_F_PGP), "flags 0x%x", ans.len >= 8 ? ans.data[6] : 0);
	dg_buf_free(&ans);
	free(tp.bytes);
}

TEST(test_rpm_parse_accepts_corpus_packages)
{
	/* $DG_CORPORA (tests/run.sh sets it) when set, else the usual places */
	const char *c = getenv("DG_CORPORA");
	static char dir[PATH_MAX], why[PATH_MAX + 32];
	struct dirent *e;
	DIR *d;
	int n = 0;

	if (c && *c) {
		snprintf(dir, sizeof(dir), "%s/rpm/RPMS", c);
		d = opendir(dir);
		snprintf(why, sizeof(why), "no %s", dir);
	} else {
		snprintf(dir, sizeof(dir), "%s", DG_SRCDIR "/../shared/corpora/rpm/RPMS");
		d = opendir(dir);
		if (!d)
			d = opendir(strcpy(dir, "/work/shared/corpora/rpm/RPMS"));
		snprintf(why, sizeof(why), "%s",
			 "DG_CORPORA unset, and neither ../shared/corpora/rpm/RPMS nor "
			 "/work/shared/corpora/rpm/RPMS present");
	}
	if (!d)
		SKIP(why);
	while ((e = readdir(d))) {
		char path[512];
		uint8_t *buf;
		FILE *f;
		long len;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "rb");
		if (!f)
			continue;
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		buf = malloc((size_t)len);
		if (fread(buf, 1, (size_t)len, f) == (size_t)len) {
			int r = parse(buf, (size_t)len);

			CHECK(r == 0, "%s: %d %s", e->d_name, r, err);
			n++;
		}
		fclose(f);
		free(buf);
	}
	closedir(d);
	CHECK(n > 10, "only %d corpus packages", n);
}

TEST(test_rpm_parse_rejects_bad_lead_magic)
{
	struct tp_pkg tp;

	tp_build(&tp, TP_GOODSIG);
	tp.bytes[0] ^= 1;
	CHECK(parse(tp.bytes, tp.len) == -EBADMSG, "%s", err);
	CHECK(strstr(err, "lead") != NULL, "%s", err);
	free(tp.bytes);
}

TEST(test_rpm_parse_rejects_old_signature_type)
{
	struct tp_pkg tp;

	tp_build(&tp, TP_GOODSIG);
	tp.bytes[79] = 1;
	CHECK(parse(tp.bytes, tp.len) == -EOPNOTSUPP, "%s", err);
	CHECK(strstr(err, "signature type 1") != NULL, "%s", err);
	free(tp.bytes);
}

TEST(test_rpm_parse_rejects_index_count_over_limit)
{
	struct tp_pkg tp;

	tp_build(&tp, TP_GOODSIG);
	tp_be32(tp.bytes + tp.main_off + 8, 70000);
	CHECK(parse(tp.bytes, tp.len) == -E2BIG, "%s", err);
	CHECK(strstr(err, "main header index count 70000 exceeds limit 65535") != NULL, "%s", err);
	free(tp.bytes);
}

TEST(test_rpm_parse_rejects_data_size_over_limit)
{
	struct tp_pkg tp;

	tp_build(&tp, TP_GOODSIG);
	tp_be32(tp.bytes + 96 + 12, RPM_SIG_DATA_MAX + 1);
	CHECK(parse(tp.bytes, tp.len) == -E2BIG, "%s", err);
	CHECK(strstr(err, "signature header data size") != NULL, "%s", err);
	free(tp.bytes);
}

TEST(test_rpm_parse_rejects_every_truncation)
{
	struct tp_pkg tp;
	size_t n;
	int bad = 0;

	tp_build(&tp, TP_GOODSIG);
	for (n = 0; n < tp.main_off + tp.main_len; n++) {
		int r = parse(tp.bytes, n);

		if (r != -ENODATA)
			bad++;
	}
	CHECK(bad == 0, "%d truncations not reported as -ENODATA", bad);
	CHECK(parse(tp.bytes, tp.main_off + tp.main_len) == 0, "header-only prefix: %s", err);
	free(tp.bytes);
}

TEST(test_rpm_parse_rejects_overlapping_entries)
{
	struct tp_pkg tp;

	tp_build(&tp, TP_GOODSIG);
	/* VERSION (entry 2) points at NAME's data. */
	memcpy(main_entry(&tp, 2) + 8, main_entry(&tp, 1) + 8, 4);
	CHECK(parse(tp.bytes, tp.len) == -EBADMSG, "%s", err);
	CHECK(strstr(err, "overlaps") && strstr(err, "NAME"), "%s", err);
	free(tp.bytes);
}

TEST(test_rpm_parse_rejects_data_out_of_index_order)
{
	struct tp_pkg tp;
	uint8_t e1[16];

	tp_build(&tp, TP_GOODSIG);
	/* NAME and VERSION swap index entries: no overlap, data out of order. */
	memcpy(e1, main_entry(&tp, 1), 16);
	memcpy(main_entry(&tp, 1), main_entry(&tp, 2), 16);
	memcpy(main_entry(&tp, 2), e1, 16);
	CHECK(parse(tp.bytes, tp.len) == -EBADMSG, "%s", err);
	CHECK(strstr(err, "entry 2, tag 1000 (NAME)") && strstr(err, "before the end"), "%s", err);
	free(tp.bytes);
}

TEST(test_rpm_parse_rejects_low_tag_first_without_region)
{
	struct tp_pkg tp;

	tp_build(&tp, TP_GOODSIG);
	tp_be32(main_entry(&tp, 0), 99);	/* not a region tag: rpm's hdrchkTag() */
	CHECK(parse(tp.bytes, tp.len) == -EBADMSG, "%s", err);
	CHECK(strstr(err, "entry 0: invalid tag 99") != NULL, "%s", err);
	free(tp.bytes);
}

TEST(test_rpm_parse_rejects_offset_out_of_range)
{
	struct tp_pkg tp;

	tp_build(&tp, TP_GOODSIG);
	tp_be32(main_entry(&tp, 6) + 8, 0x7ffffff0);	/* FILEDIGESTS */
	CHECK(parse(tp.bytes, tp.len) == -EBADMSG, "%s", err);
	CHECK(strstr(err, "tag 1035 (FILEDIGESTS)") != NULL, "%s", err);
	free(tp.bytes);
}

TEST(test_rpm_parse_rejects_count_past_data)
{
	struct tp_pkg tp;

	tp_build(&tp, TP_GOODSIG);
	tp_be32(main_entry(&tp, 5) + 12, 100000);	/* FILEMODES */
	CHECK(parse(tp.bytes, tp.len) == -EBADMSG, "%s", err);
	CHECK(strstr(err, "FILEMODES") != NULL, "%s", err);
	free(tp.bytes);
}

TEST(test_rpm_parse_rejects_unterminated_string)
{
	struct tp_pkg tp;
	uint32_t dl;

	tp_build(&tp, TP_GOODSIG);
	/* NAME points at the last data byte (the trailer's count, 0x10). */
	dl = rd32(tp.bytes + tp.main_off + 12);
	tp_be32(main_entry(&tp, 1) + 8, dl - 1);
	CHECK(parse(tp.bytes, tp.len) == -EBADMSG, "%s", err);
	CHECK(strstr(err, "NAME") && strstr(err, "not terminated"), "%s", err);
	free(tp.bytes);
}

TEST(test_rpm_parse_rejects_misaligned_int32)
{
	struct tp_pkg tp;

	tp_build(&tp, TP_GOODSIG);
	tp_be32(main_entry(&tp, 7) + 8, rd32(main_entry(&tp, 7) + 8) + 1);	/* FILEFLAGS */
	CHECK(parse(tp.bytes, tp.len) == -EBADMSG, "%s", err);
	CHECK(strstr(err, "FILEFLAGS") && strstr(err, "misaligned"), "%s", err);
	free(tp.bytes);
}

TEST(test_rpm_parse_rejects_wrong_type_for_filedigests)
{
	struct tp_pkg tp;

	tp_build(&tp, TP_GOODSIG);
	tp_be32(main_entry(&tp, 6) + 4, RPM_TYPE_BIN);
	CHECK(parse(tp.bytes, tp.len) == -EBADMSG, "%s", err);
	CHECK(strstr(err, "FILEDIGESTS") && strstr(err, "type 7"), "%s", err);
	free(tp.bytes);
}

/* The standard package with one more main header entry. */
static int parse_with(const struct tp_ent *extra)
{
	struct tp_pkg tp;
	int r;

	tp_build_ext(&tp, TP_GOODSIG, strlen(TP_GOODSIG), extra, 1);
	r = parse(tp.bytes, tp.len);
	free(tp.bytes);
	return r;
}

/* rpm's hdrchkTagType(): BUILDTIME is INT32 in rpm's table (tag[N]: BAD). */
TEST(test_rpm_parse_rejects_known_tag_with_wrong_type)
{
	const struct tp_ent e = { 1006, RPM_TYPE_STRING, 1, "1700000000", 11 };

	CHECK(parse_with(&e) == -EBADMSG, "%s", err);
	CHECK(strstr(err, "main header entry 12, tag 1006 (BUILDTIME): type 6 (STRING), want INT32"),
	      "%s", err);
}

TEST(test_rpm_parse_rejects_number_for_string_tag)
{
	static const uint8_t one[4] = { 0, 0, 0, 1 };
	const struct tp_ent e = { 1004, RPM_TYPE_INT32, 1, one, 4 };	/* SUMMARY */

	CHECK(parse_with(&e) == -EBADMSG, "%s", err);
	CHECK(strstr(err, "tag 1004 (SUMMARY): type 4 (INT32), want a string type") &&
	      strstr(err, "I18NSTRING"), "%s", err);
}

TEST(test_rpm_parse_rejects_int16_for_int32_tag)
{
	static const uint8_t v[2] = { 0, 1 };
	const struct tp_ent e = { 1006, RPM_TYPE_INT16, 1, v, 2 };

	CHECK(parse_with(&e) == -EBADMSG, "%s", err);
	CHECK(strstr(err, "BUILDTIME): type 3 (INT16), want INT32"), "%s", err);
}

/* rpm lets string types stand for one another, and does not count items. */
TEST(test_rpm_parse_accepts_string_types_for_one_another)
{
	const struct tp_ent summary = { 1004, RPM_TYPE_STRING, 1, "s", 2 };	/* I18NSTRING */
	const struct tp_ent license = { 1014, RPM_TYPE_STRING_ARRAY, 2, "a\0b", 4 };	/* STRING */
	const struct tp_ent provides = { 1047, RPM_TYPE_STRING, 1, "p", 2 };	/* STRING_ARRAY */

	CHECK(parse_with(&summary) == 0, "%s", err);
	CHECK(parse_with(&license) == 0, "%s", err);
	CHECK(parse_with(&provides) == 0, "%s", err);
}

TEST(test_rpm_parse_accepts_scalar_tag_with_several_items)
{
	static const uint8_t v[8] = { 0, 0, 0, 1, 0, 0, 0, 2 };
	const struct tp_ent e = { 1006, RPM_TYPE_INT32, 2, v, 8 };

	CHECK(parse_with(&e) == 0, "%s", err);
}

/* rpm permits unknown tags "for forward compatibility". */
TEST(test_rpm_parse_accepts_unknown_tag_with_any_type)
{
	const struct tp_ent e = { 20000, RPM_TYPE_BIN, 3, "xyz", 3 };
	const struct tp_ent e2 = { 5200, RPM_TYPE_STRING, 1, "x", 2 };

	CHECK(parse_with(&e) == 0, "%s", err);
	CHECK(parse_with(&e2) == 0, "%s", err);
}

/*
 * rpm does not type-check the signature header: a tag we do not use there
 * may have a type its number has in the main header's table (1007 is
 * PAYLOADSIZE, INT32, there; BUILDHOST, STRING, in the main header).
 */
TEST(test_rpm_parse_does_not_type_check_signature_header_as_main)
{
	static const uint8_t size[4] = { 0, 0, 0, 9 };
	static const struct tp_ent m[] = {
		{ RPMTAG_NAME, RPM_TYPE_STRING, 1, "tp", 3 },
	};
	const struct tp_ent s[] = {
		{ RPMSIGTAG_RSAHEADER, RPM_TYPE_BIN, 3, "sig", 3 },
		{ 1007, RPM_TYPE_INT32, 1, size, 4 },
	};
	uint8_t *hdr, *sh, *pkg;
	size_t hl, sl, n;

	hdr = tp_header(RPMTAG_HEADERIMMUTABLE, m, 1, &hl);
	sh = tp_header(RPMTAG_HEADERSIGNATURES, s, 2, &sl);
	pkg = tp_package(sh, sl, hdr, hl, "p", 1, &n);
	CHECK(parse(pkg, n) == 0, "%s", err);
	free(pkg);
	free(sh);
	free(hdr);
}

/* Nor a main header without a region (legacy): its types are not checked. */
TEST(test_rpm_parse_does_not_type_check_main_header_without_region)
{
	static const struct tp_ent m[] = {
		{ RPMTAG_NAME, RPM_TYPE_STRING, 1, "tp", 3 },
		{ 1006, RPM_TYPE_STRING, 1, "1700000000", 11 },
	};
	const struct tp_ent s[] = {
		{ RPMSIGTAG_RSAHEADER, RPM_TYPE_BIN, 3, "sig", 3 },
	};
	uint8_t *hdr, *sh, *pkg;
	size_t hl, sl, n;

	hdr = tp_header(0, m, 2, &hl);
	sh = tp_header(RPMTAG_HEADERSIGNATURES, s, 1, &sl);
	pkg = tp_package(sh, sl, hdr, hl, "p", 1, &n);
	CHECK(parse(pkg, n) == 0, "%s", err);
	/* ... while the same entries under a region are refused. */
	free(hdr);
	free(pkg);
	hdr = tp_header(RPMTAG_HEADERIMMUTABLE, m, 2, &hl);
	pkg = tp_package(sh, sl, hdr, hl, "p", 1, &n);
	CHECK(parse(pkg, n) == -EBADMSG && strstr(err, "BUILDTIME"), "%s", err);
	free(pkg);
	free(sh);
	free(hdr);
}

/* The types we want for the tags we use (rpm_proto.h) are rpm's. */
TEST(test_rpm_parse_wanted_main_tag_types_are_rpms)
{
	size_t i, n = 0;

	for (i = 0; i < sizeof(rpm_tagtypes) / sizeof(rpm_tagtypes[0]); i++) {
		const struct rpm_tagtype *t = &rpm_tagtypes[i];

		if (!rpm_tag_wanted(RPM_HDR_MAIN, t->tag))
			continue;
		CHECK((uint32_t)rpm_tag_type(RPM_HDR_MAIN, t->tag) == t->type,
		      "tag %u (%s): we want type %d, rpm has %u", t->tag, t->name,
		      rpm_tag_type(RPM_HDR_MAIN, t->tag), t->type);
		n++;
	}
	CHECK(n == 18, "%zu wanted main header tags in rpm's table", n);
	for (i = 1; i < sizeof(rpm_tagtypes) / sizeof(rpm_tagtypes[0]); i++)
		CHECK(rpm_tagtypes[i - 1].tag < rpm_tagtypes[i].tag, "table not sorted at %zu", i);
}

TEST(test_rpm_parse_rejects_duplicate_tag)
{
	struct tp_pkg tp;

	tp_build(&tp, TP_GOODSIG);
	tp_be32(main_entry(&tp, 2), RPMTAG_NAME);	/* VERSION becomes a second NAME */
	CHECK(parse(tp.bytes, tp.len) == -EBADMSG, "%s", err);
	CHECK(strstr(err, "NAME") && strstr(err, "duplicate"), "%s", err);
	free(tp.bytes);
}

TEST(test_rpm_parse_rejects_bad_region_trailer)
{
	struct tp_pkg tp;
	uint8_t *trailer;

	tp_build(&tp, TP_GOODSIG);
	trailer = tp.bytes + tp.main_off + tp.main_len - 16;
	tp_be32(trailer, RPMTAG_HEADERSIGNATURES);
	CHECK(parse(tp.bytes, tp.len) == -EBADMSG, "%s", err);
	CHECK(strstr(err, "region trailer") != NULL, "%s", err);
	free(tp.bytes);
}

TEST(test_rpm_parse_rejects_region_not_covering_header)
{
	struct tp_pkg tp;
	uint8_t *trailer;

	tp_build(&tp, TP_GOODSIG);
	trailer = tp.bytes + tp.main_off + tp.main_len - 16;
	tp_be32(trailer + 8, (uint32_t)-(int32_t)(16 * 5));	/* 5 of 12 entries */
	CHECK(parse(tp.bytes, tp.len) == -EBADMSG, "%s", err);
	CHECK(strstr(err, "immutable region covers 5 of 12") != NULL, "%s", err);
	free(tp.bytes);
}

TEST(test_rpm_parse_rejects_region_tag_in_wrong_header)
{
	struct tp_pkg tp;

	tp_build(&tp, TP_GOODSIG);
	tp_be32(main_entry(&tp, 0), RPMTAG_HEADERSIGNATURES);
	CHECK(parse(tp.bytes, tp.len) == -EBADMSG, "%s", err);
	CHECK(strstr(err, "wrong header") != NULL, "%s", err);
	free(tp.bytes);
}

TEST(test_rpm_parse_rejects_request_shorter_than_size_field)
{
	struct dg_buf ans = { 0 };

	CHECK(rpm_parse_request((const uint8_t *)"abc", 3, &ans, err, sizeof(err)) == -EBADMSG,
	      "%s", err);
	dg_buf_free(&ans);
}

TEST(test_rpm_parse_rejects_prefix_longer_than_file)
{
	struct tp_pkg tp;
	struct dg_buf ans = { 0 };

	tp_build(&tp, TP_GOODSIG);
	CHECK(rpm_parse(tp.bytes, tp.len, tp.len - 1, &ans, err, sizeof(err)) == -EBADMSG,
	      "%s", err);
	dg_buf_free(&ans);
	free(tp.bytes);
}

int main(void)
{
	RUN(test_rpm_parse_accepts_built_package);
	RUN(test_rpm_parse_accepts_corpus_packages);
	RUN(test_rpm_parse_rejects_bad_lead_magic);
	RUN(test_rpm_parse_rejects_old_signature_type);
	RUN(test_rpm_parse_rejects_index_count_over_limit);
	RUN(test_rpm_parse_rejects_data_size_over_limit);
	RUN(test_rpm_parse_rejects_every_truncation);
	RUN(test_rpm_parse_rejects_overlapping_entries);
	RUN(test_rpm_parse_rejects_data_out_of_index_order);
	RUN(test_rpm_parse_rejects_low_tag_first_without_region);
	RUN(test_rpm_parse_rejects_offset_out_of_range);
	RUN(test_rpm_parse_rejects_count_past_data);
	RUN(test_rpm_parse_rejects_unterminated_string);
	RUN(test_rpm_parse_rejects_misaligned_int32);
	RUN(test_rpm_parse_rejects_wrong_type_for_filedigests);
	RUN(test_rpm_parse_rejects_known_tag_with_wrong_type);
	RUN(test_rpm_parse_rejects_number_for_string_tag);
	RUN(test_rpm_parse_rejects_int16_for_int32_tag);
	RUN(test_rpm_parse_accepts_string_types_for_one_another);
	RUN(test_rpm_parse_accepts_scalar_tag_with_several_items);
	RUN(test_rpm_parse_accepts_unknown_tag_with_any_type);
	RUN(test_rpm_parse_does_not_type_check_signature_header_as_main);
	RUN(test_rpm_parse_does_not_type_check_main_header_without_region);
	RUN(test_rpm_parse_wanted_main_tag_types_are_rpms);
	RUN(test_rpm_parse_rejects_duplicate_tag);
	RUN(test_rpm_parse_rejects_bad_region_trailer);
	RUN(test_rpm_parse_rejects_region_not_covering_header);
	RUN(test_rpm_parse_rejects_region_tag_in_wrong_header);
	RUN(test_rpm_parse_rejects_request_shorter_than_size_field);
	RUN(test_rpm_parse_rejects_prefix_longer_than_file);
	return tap_done();
}

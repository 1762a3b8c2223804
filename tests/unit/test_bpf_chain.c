// SPDX-License-Identifier: MIT
/*
 * The trusted hash chain of signed BPF objects, core side (src/bpf/).
 *
 * First the re-check of the bpf handler's answer against answers a lying
 * handler could send: an honest answer for a signed object built here
 * passes, then each changed claim is refused.  Then, as root, the check
 * inside the loader program itself: the kernel runs the hash check the
 * core writes, which must let the signed metadata through and refuse any
 * other, whatever user space claimed.
 */
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>

#include <digestguard/bpf.h>

#include "tap.h"
#include "bpf_chain.h"
#include "cursor.h"
#include "bpf_internal.h"
#include "sha256.h"
#include "../../src/handlers/bpf/bpf_proto.h"

/* BPF_MOV64_IMM(r0, 0); BPF_EXIT_INSN(): the smallest loader. */
static const uint8_t tail_insns[16] = { 0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0 };
/* A multiple of 8 bytes, as the kernel hashes an array map's values. */
static const uint8_t meta[40] = "metadata the signed loader hash-checks";

#define INSNS_LEN (BPF_CHECK_LEN + sizeof(tail_insns))
#define DATA_LEN (sizeof(meta))
#define SIG_LEN 64u
#define FILE_LEN (BPF_SIGNED_HDR_LEN + INSNS_LEN + DATA_LEN + SIG_LEN)
#define SIG_OFF (BPF_SIGNED_HDR_LEN + INSNS_LEN + DATA_LEN)

static uint8_t file[FILE_LEN];

/* A signed object of 1 program and 0 maps; its "signature" is 64 bytes
 * whose parts the answer names (the re-check does not parse CMS). */
static void make_file(void)
{
	uint8_t sha[32];

	dg_sha256(meta, DATA_LEN, sha);
	bpf_chain_header(file, 0, 1, INSNS_LEN, DATA_LEN, SIG_LEN);
	bpf_chain_check_insns(sha, 0, 1, file + BPF_SIGNED_HDR_LEN);
	memcpy(file + BPF_SIGNED_HDR_LEN + BPF_CHECK_LEN, tail_insns, sizeof(tail_insns));
	memcpy(file + BPF_SIGNED_HDR_LEN + INSNS_LEN, meta, DATA_LEN);
	memset(file + SIG_OFF, 0x5a, SIG_LEN);
}

static void span(uint8_t *a, uint32_t off, uint32_t len)
{
	put_le32(a, off);
	put_le32(a + 4, len);
}

/* The honest BPF_REQ_SIGNED answer for `file`. */
static void honest(uint8_t a[BPF_SIG_ANS_LEN])
{
	memset(a, 0, BPF_SIG_ANS_LEN);
	put_le32(a, BPF_SIG_MAGIC);
	a[4] = BPF_ANS_VERSION;
	a[6] = BPF_SIG_F_SID_KEYID;
	put_le32(a + 8, 0);
	put_le32(a + 12, 1);
	span(a + 16, BPF_SIGNED_HDR_LEN, INSNS_LEN);
	span(a + 24, BPF_SIGNED_HDR_LEN + INSNS_LEN, DATA_LEN);
	span(a + 32, SIG_OFF, SIG_LEN);
	span(a + 40, SIG_OFF + 4, 20);
	span(a + 48, SIG_OFF + 30, 32);
	put_le32(a + 56, BPF_MD_SHA256);
	put_le32(a + 60, BPF_PK_RSA);
}

static int recheck(const uint8_t *a, size_t alen, char *err, size_t errlen)
{
	struct bpf_chain_parts p;

	return bpf_chain_recheck(file, FILE_LEN, a, alen, &p, err, errlen);
}

TEST(test_recheck_accepts_honest_answer)
{
	struct bpf_chain_parts p;
	uint8_t a[BPF_SIG_ANS_LEN], sha[32];
	char err[256] = "";
	int r;

	make_file();
	honest(a);
	r = bpf_chain_recheck(file, FILE_LEN, a, sizeof(a), &p, err, sizeof(err));
	CHECK(r == 0, "r=%d %s", r, err);
	CHECK(p.insns == file + 40 && p.insns_len == INSNS_LEN, "insns");
	CHECK(p.data == file + 40 + INSNS_LEN && p.data_len == DATA_LEN, "data");
	CHECK(p.keyid == file + SIG_OFF + 4 && p.keyid_len == 20, "keyid");
	CHECK(p.sigval == file + SIG_OFF + 30 && p.sigval_len == 32, "sigval");
	CHECK(p.nr_progs == 1 && p.nr_maps == 0, "counts");
	dg_sha256(file + 40, INSNS_LEN, sha);
	CHECK(!memcmp(p.insns_sha, sha, 32), "insns_sha is the loader's SHA-256");
}

/* One lie: offset @off of the answer set to the le32 @v. */
struct lie {
	const char *what;
	size_t off;
	uint32_t v;
	int want;
};

static const struct lie lies[] = {
	{ "wrong magic", 0, 0x12345678, -EBADMSG },
	{ "insns not after the header", 16, 48, -EBADMSG },
	{ "insns shorter, data where insns end", 20, INSNS_LEN - 8, -EBADMSG },
	{ "data longer than the file allows", 28, DATA_LEN + 1, -EBADMSG },
	{ "signature not to the end", 36, SIG_LEN - 1, -EBADMSG },
	{ "signature past the end", 36, SIG_LEN + 1, -EBADMSG },
	{ "two maps the header does not have", 8, 2, -EBADMSG },
	{ "no program", 12, 0, -EBADMSG },
	{ "key id outside the signature", 40, 10, -EBADMSG },
	{ "key id running past the end", 44, SIG_LEN, -EBADMSG },
	{ "key id of 65 bytes", 44, 65, -EBADMSG },
	{ "empty signature value", 52, 0, -EBADMSG },
	{ "signature value in the metadata", 48, BPF_SIGNED_HDR_LEN + INSNS_LEN, -EBADMSG },
	{ "unknown digest", 56, 9, -EBADMSG },
	{ "no digest", 56, 0, -EBADMSG },
	{ "unknown key type", 60, 7, -EBADMSG },
	{ "attribute span without the flag", 64, SIG_OFF, -EBADMSG },
};

TEST(test_recheck_refuses_each_lie)
{
	uint8_t a[BPF_SIG_ANS_LEN];
	char err[256];
	size_t i;

	make_file();
	for (i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		honest(a);
		put_le32(a + lies[i].off, lies[i].v);
		err[0] = '\0';
		int r = recheck(a, sizeof(a), err, sizeof(err));

		CHECK(r == lies[i].want && err[0], "%s: r=%d (want %d) %s", lies[i].what, r,
		      lies[i].want, err);
	}
}

TEST(test_recheck_refuses_short_and_long_answers)
{
	uint8_t a[BPF_SIG_ANS_LEN + 8];
	char err[256];

	make_file();
	honest(a);
	CHECK(recheck(a, BPF_SIG_ANS_LEN - 1, err, sizeof(err)) == -EBADMSG, "short");
	CHECK(recheck(a, BPF_SIG_ANS_LEN + 8, err, sizeof(err)) == -EBADMSG, "long");
}

TEST(test_recheck_refuses_signed_attributes)
{
	uint8_t a[BPF_SIG_ANS_LEN];
	char err[256];

	make_file();
	honest(a);
	a[6] |= BPF_SIG_F_SIGNED_ATTRS;
	span(a + 64, SIG_OFF + 2, 2);
	CHECK(recheck(a, sizeof(a), err, sizeof(err)) == -EOPNOTSUPP &&
	      strstr(err, "signed attributes"), "%s", err);
}

/* The chain: the loader's first instructions must check this metadata. */
TEST(test_recheck_refuses_changed_metadata)
{
	uint8_t a[BPF_SIG_ANS_LEN];
	char err[256];

	make_file();
	honest(a);
	file[BPF_SIGNED_HDR_LEN + INSNS_LEN] ^= 1;
	CHECK(recheck(a, sizeof(a), err, sizeof(err)) == -EKEYREJECTED &&
	      strstr(err, "hash check"), "%s", err);
}

TEST(test_recheck_refuses_changed_hash_check)
{
	uint8_t a[BPF_SIG_ANS_LEN];
	char err[256];
	size_t i;

	/* Any instruction of the check: e.g. the jump past it, or an immediate. */
	for (i = 0; i < BPF_CHECK_INSNS; i++) {
		make_file();
		honest(a);
		file[BPF_SIGNED_HDR_LEN + 8 * i + 4] ^= 0x10;
		CHECK(recheck(a, sizeof(a), err, sizeof(err)) == -EKEYREJECTED,
		      "instruction %zu changed, accepted", i);
	}
}

TEST(test_recheck_refuses_counts_the_loader_was_not_signed_for)
{
	uint8_t a[BPF_SIG_ANS_LEN];
	char err[256];

	/* Header and answer agree on 2 programs (or a map more); the signed
	 * loader was made for 0 maps and 1 program: the core would read its
	 * fds from the wrong places. */
	make_file();
	honest(a);
	put_le32(a + 12, 2);
	bpf_chain_header(file, 0, 2, INSNS_LEN, DATA_LEN, SIG_LEN);
	CHECK(recheck(a, sizeof(a), err, sizeof(err)) == -EKEYREJECTED &&
	      strstr(err, "0 maps and 2 programs are not the numbers"), "%s", err);
	make_file();
	honest(a);
	put_le32(a + 8, 1);
	bpf_chain_header(file, 1, 1, INSNS_LEN, DATA_LEN, SIG_LEN);
	CHECK(recheck(a, sizeof(a), err, sizeof(err)) == -EKEYREJECTED &&
	      strstr(err, "not the numbers"), "%s", err);
}

/* A changed first instruction is a loader not made by bpf sign, not a
 * header that disagrees: the message says which, and both numbers. */
TEST(test_recheck_names_a_changed_first_instruction)
{
	uint8_t a[BPF_SIG_ANS_LEN];
	char err[256];

	make_file();
	honest(a);
	file[BPF_SIGNED_HDR_LEN] ^= 1;	/* mov r0, imm is no longer a mov */
	CHECK(recheck(a, sizeof(a), err, sizeof(err)) == -EKEYREJECTED &&
	      strstr(err, "does not begin with the hash check") && !strstr(err, "header"),
	      "%s", err);
	make_file();
	honest(a);
	put_le32(a + 12, 2);
	bpf_chain_header(file, 0, 2, INSNS_LEN, DATA_LEN, SIG_LEN);
	CHECK(recheck(a, sizeof(a), err, sizeof(err)) == -EKEYREJECTED &&
	      strstr(err, "made for (0 maps and 1 programs)"), "%s", err);
}

TEST(test_recheck_refuses_unaligned_metadata)
{
	uint8_t a[BPF_SIG_ANS_LEN];
	char err[256];

	/* 39 bytes of metadata: the map's value would be padded to 40 and its
	 * hash would never be the signed one. */
	make_file();
	honest(a);
	put_le32(a + 28, DATA_LEN - 1);
	put_le32(a + 32, SIG_OFF - 1);
	put_le32(a + 36, SIG_LEN + 1);
	bpf_chain_header(file, 0, 1, INSNS_LEN, DATA_LEN - 1, SIG_LEN + 1);
	CHECK(recheck(a, sizeof(a), err, sizeof(err)) == -EBADMSG && strstr(err, "multiple of 8"),
	      "%s", err);
}

TEST(test_recheck_refuses_header_that_disagrees)
{
	uint8_t a[BPF_SIG_ANS_LEN];
	char err[256];

	make_file();
	honest(a);
	file[36] = 1;	/* reserved */
	CHECK(recheck(a, sizeof(a), err, sizeof(err)) == -EBADMSG, "reserved byte");
	make_file();
	file[8] = 2;	/* version */
	CHECK(recheck(a, sizeof(a), err, sizeof(err)) == -EBADMSG, "version");
}

/* --- the check inside the loader, run by the kernel ------------------- */

/* A context with `file` opened, its parts taken as the core would. */
static struct dg_bpf *opened(const uint8_t *data_in_map, char *why, size_t whylen)
{
	uint8_t a[BPF_SIG_ANS_LEN];
	struct dg_bpf *bpf;
	char err[256];

	if (dg_bpf_new(0, &bpf) < 0)
		return NULL;
	make_file();
	honest(a);
	if (bpf_chain_recheck(file, FILE_LEN, a, sizeof(a), &bpf->parts, err, sizeof(err))) {
		snprintf(why, whylen, "%s", err);
		dg_bpf_free(bpf);
		return NULL;
	}
	/* What reaches the map: the signed metadata, or other bytes with a
	 * matching hash recorded, as a core fooled about the metadata would. */
	bpf->parts.data = data_in_map;
	dg_sha256(data_in_map, DATA_LEN, bpf->parts.data_sha);
	bpf->parts.nr_progs = 0;	/* the smallest loader makes nothing */
	bpf->opened = 1;
	bpf->verified = 1;	/* as dg_bpf_verify() would have: the "signature" is 0x5a bytes */
	snprintf(bpf->path, sizeof(bpf->path), "test object");
	return bpf;
}

/*
 * Load `file` with @data_in_map in the metadata map, checked by @trust:
 * 1 and the result in *@r, or 0 when this machine cannot (the reason in
 * @skip).
 */
static int load_with(const uint8_t *data_in_map, enum dg_bpf_trust trust, int *r,
		     char *msg, size_t msglen, const char **skip)
{
	struct dg_bpf_load_opts o = { .trust = trust };
	struct dg_bpf_loaded l;
	struct dg_bpf *bpf;

	*skip = NULL;
	if (geteuid() != 0) {
		*skip = "loading BPF programs needs root";
		return 0;
	}
	bpf = opened(data_in_map, msg, msglen);
	if (!bpf) {
		*r = -EBADMSG;
		return 1;
	}
	*r = dg_bpf_load(bpf, &o, &l);
	snprintf(msg, msglen, "%s", dg_bpf_last_error(bpf));
	if (*r == 0)
		dg_bpf_loaded_close(&l);
	dg_bpf_free(bpf);
	if (*r == -E2BIG || (*r == -EINVAL && strstr(msg, "exclusive maps"))) {
		*skip = "this kernel has no exclusive maps (Linux 6.18)";
		return 0;
	}
	return 1;
}

TEST(test_loader_runs_with_signed_metadata)
{
	const char *skip;
	char msg[512] = "";
	int r;

	if (!load_with(meta, DG_BPF_TRUST_USERSPACE, &r, msg, sizeof(msg), &skip))
		SKIP(skip);
	CHECK(r == 0, "r=%d %s", r, msg);
}

TEST(test_loader_refuses_other_metadata)
{
	static const uint8_t other[DATA_LEN] = "other bytes, same length, no sig";
	const char *skip;
	char msg[512] = "";
	int r;

	if (!load_with(other, DG_BPF_TRUST_USERSPACE, &r, msg, sizeof(msg), &skip))
		SKIP(skip);
	CHECK(r == -EKEYREJECTED && strstr(msg, "refused the metadata map"), "r=%d %s", r, msg);
}

/* The kernel's signature check: unavailable here is said so; where it is
 * available, 64 bytes of 0x5a are no signature. */
TEST(test_kernel_mode_refuses_or_says_unavailable)
{
	const char *skip;
	char msg[512] = "";
	int r;

	if (!load_with(meta, DG_BPF_TRUST_KERNEL, &r, msg, sizeof(msg), &skip))
		SKIP(skip);
	CHECK((r == -EOPNOTSUPP && strstr(msg, "cannot verify")) || r == -EKEYREJECTED ||
	      r == -ENOKEY, "r=%d %s", r, msg);
}

/*
 * DG_BPF_TRUST_USERSPACE loads without a signature for the kernel: the
 * context itself must know that dg_bpf_verify() passed for the object
 * opened last, not take the caller's word for it.  Refused before any
 * bpf() call, so this needs no root.
 */
TEST(test_userspace_load_needs_a_verified_object)
{
	struct dg_bpf_load_opts o = { .trust = DG_BPF_TRUST_USERSPACE };
	struct dg_bpf_loaded l;
	struct dg_bpf *bpf;
	char why[256] = "";
	int r;

	bpf = opened(meta, why, sizeof(why));
	CHECK(bpf != NULL, "%s", why);
	if (!bpf)
		return;
	bpf->verified = 0;	/* opened, never verified */
	r = dg_bpf_load(bpf, &o, &l);
	if (r == 0)
		dg_bpf_loaded_close(&l);
	CHECK(r == -EPERM && strstr(dg_bpf_last_error(bpf), "not verified"), "r=%d %s", r,
	      dg_bpf_last_error(bpf));
	dg_bpf_free(bpf);
}

/*
 * The check's first test, map->excl: the signed metadata in a map anyone
 * may use (created without excl_prog_hash), frozen and hashed, is refused
 * by the loader all the same.  Raw bpf(2) here, as dg_bpf_load() only
 * makes exclusive maps.
 */
struct map_info_hash {		/* struct bpf_map_info up to hash_size, Linux 6.18 */
	struct bpf_map_info base;
	uint64_t hash;
	uint32_t hash_size, pad;
};

static long sys_bpf(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof(*a));
}

TEST(test_loader_refuses_a_map_not_exclusive_to_it)
{
	struct map_info_hash info = { 0 };
	uint8_t hash[32], ctx[24] = { 24 };
	union bpf_attr a;
	uint32_t key = 0;
	int map_fd, prog_fd;
	char log[4096] = "";

	if (geteuid() != 0)
		SKIP("loading BPF programs needs root");
	make_file();
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = DATA_LEN;
	a.max_entries = 1;
	map_fd = (int)sys_bpf(BPF_MAP_CREATE, &a);
	CHECK(map_fd >= 0, "map: %s", strerror(errno));
	if (map_fd < 0)
		return;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)map_fd;
	a.key = (uint64_t)(uintptr_t)&key;
	a.value = (uint64_t)(uintptr_t)meta;
	CHECK(sys_bpf(BPF_MAP_UPDATE_ELEM, &a) == 0, "update: %s", strerror(errno));
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)map_fd;
	CHECK(sys_bpf(BPF_MAP_FREEZE, &a) == 0, "freeze: %s", strerror(errno));
	info.hash = (uint64_t)(uintptr_t)hash;
	info.hash_size = 32;
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)map_fd;
	a.info.info_len = sizeof(info);
	a.info.info = (uint64_t)(uintptr_t)&info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) < 0) {
		close(map_fd);
		SKIP("this kernel does not hash maps (Linux 6.18)");
	}
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SYSCALL;
	a.prog_flags = BPF_F_SLEEPABLE;
	a.insns = (uint64_t)(uintptr_t)(file + BPF_SIGNED_HDR_LEN);
	a.insn_cnt = INSNS_LEN / 8;
	a.license = (uint64_t)(uintptr_t)"Dual BSD/GPL";
	a.fd_array = (uint64_t)(uintptr_t)&map_fd;
	a.log_level = 1;
	a.log_size = sizeof(log);
	a.log_buf = (uint64_t)(uintptr_t)log;
	prog_fd = (int)sys_bpf(BPF_PROG_LOAD, &a);
	CHECK(prog_fd >= 0, "loader: %s %s", strerror(errno), log);
	if (prog_fd >= 0) {
		memset(&a, 0, sizeof(a));
		a.test.prog_fd = (uint32_t)prog_fd;
		a.test.ctx_in = (uint64_t)(uintptr_t)ctx;
		a.test.ctx_size_in = sizeof(ctx);
		CHECK(sys_bpf(BPF_PROG_TEST_RUN, &a) == 0, "run: %s", strerror(errno));
		CHECK((int)a.test.retval == -BPF_CHECK_FAILED_ERRNO,
		      "a map not exclusive to the loader: loader returned %d", (int)a.test.retval);
		close(prog_fd);
	}
	close(map_fd);
}

int main(void)
{
	RUN(test_recheck_accepts_honest_answer);
	RUN(test_recheck_refuses_each_lie);
	RUN(test_recheck_refuses_short_and_long_answers);
	RUN(test_recheck_refuses_signed_attributes);
	RUN(test_recheck_refuses_changed_metadata);
	RUN(test_recheck_refuses_changed_hash_check);
	RUN(test_recheck_refuses_counts_the_loader_was_not_signed_for);
	RUN(test_recheck_names_a_changed_first_instruction);
	RUN(test_recheck_refuses_unaligned_metadata);
	RUN(test_recheck_refuses_header_that_disagrees);
	RUN(test_loader_runs_with_signed_metadata);
	RUN(test_loader_refuses_other_metadata);
	RUN(test_kernel_mode_refuses_or_says_unavailable);
	RUN(test_userspace_load_needs_a_verified_object);
	RUN(test_loader_refuses_a_map_not_exclusive_to_it);
	return tap_done();
}

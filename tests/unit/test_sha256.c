// SPDX-License-Identifier: MIT
/*
 * Both SHA-256 block functions of src/shared/sha256.c (generic C and x86
 * SHA-NI), each forced in turn through sha256_impl.h: the FIPS 180-4
 * examples (NIST CSRC "Examples with intermediate values"), then OpenSSL's
 * EVP SHA-256 on pseudo-random inputs, whole and in updates split at
 * pseudo-random points.  The SHA-NI half is skipped, with the reason, only
 * on a CPU without SHA-NI.  DG_TEST_SEED=N replays another input set.
 */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "sha256_impl.h"
#include "tap.h"

#define SMALL_MAX	8192		/* "several KiB" */
#define BIG_MIN		(1u << 20)
#define BIG_MAX		(4u << 20)

static uint64_t rng_state;

/* splitmix64: a reproducible stream from one printed seed. */
static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static size_t rng_below(size_t n)
{
	return n ? (size_t)(rng() % n) : 0;
}

static void rng_fill(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(rng() >> 56);
}

static void hex32(const uint8_t d[32], char out[65])
{
	static const char x[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = x[d[i] >> 4];
		out[2 * i + 1] = x[d[i] & 15];
	}
	out[64] = '\0';
}

static void openssl_sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
	unsigned int len = 0;

	if (!EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) || len != 32)
		memset(out, 0, 32);
}

/* Force @impl for one case; 0, or the case is skipped with the reason. */
static int use_impl(enum dg_sha256_impl impl)
{
	int err = dg_sha256_impl_force(impl);

	if (err == -EOPNOTSUPP && impl == DG_SHA256_IMPL_SHANI) {
		tap_skip_reason = "CPU lacks the SHA extensions (CPUID.(EAX=7,ECX=0):EBX[29] "
				  "or SSE4.1 clear), the SHA-NI block function cannot run here";
		return -1;
	}
	CHECK(err == 0, "dg_sha256_impl_force(%d) = %d", (int)impl, err);
	return err;
}

/* FIPS 180-4 §B / NIST CSRC SHA-256 examples. */
static void fips_vectors(void)
{
	static const struct { const char *msg; size_t repeat; const char *hex; } v[] = {
		{ "abc", 1,
		  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "", 1,
		  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 1,
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
		{ "a", 1000000,
		  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
	};
	size_t i, k;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct dg_sha256 s;
		uint8_t d[32];
		char hx[65];

		dg_sha256_init(&s);
		for (k = 0; k < v[i].repeat; k++)
			dg_sha256_update(&s, v[i].msg, strlen(v[i].msg));
		dg_sha256_final(&s, d);
		hex32(d, hx);
		CHECK(!strcmp(hx, v[i].hex), "vector %zu: %s, expected %s", i, hx, v[i].hex);
		if (v[i].repeat == 1) {
			dg_sha256(v[i].msg, strlen(v[i].msg), d);
			hex32(d, hx);
			CHECK(!strcmp(hx, v[i].hex), "one-shot vector %zu: %s", i, hx);
		}
	}
}

static int same_as_openssl(const uint8_t *p, size_t n, const uint8_t got[32],
			   const char *how)
{
	uint8_t want[32];
	char a[65], b[65];

	openssl_sha256(p, n, want);
	if (!memcmp(got, want, 32))
		return 1;
	hex32(got, a);
	hex32(want, b);
	CHECK(0, "%s, %zu bytes: %s, OpenSSL %s", how, n, a, b);
	return 0;
}

/* Every length 0..1100 (each padding case, 0..17 blocks), then random
 * lengths up to SMALL_MAX and a few of BIG_MIN..BIG_MAX, in one call. */
static void random_whole(void)
{
	uint8_t *buf = malloc(BIG_MAX), d[32];
	size_t n, i;

	CHECK(buf != NULL, "malloc");
	if (!buf)
		return;
	rng_fill(buf, BIG_MAX);
	for (n = 0; n <= 1100; n++) {
		size_t off = rng_below(64);	/* unaligned too */

		dg_sha256(buf + off, n, d);
		if (!same_as_openssl(buf + off, n, d, "every length"))
			break;
	}
	for (i = 0; i < 300; i++) {
		const uint8_t *p = buf + rng_below(BIG_MAX - SMALL_MAX);

		n = rng_below(SMALL_MAX + 1);
		dg_sha256(p, n, d);
		if (!same_as_openssl(p, n, d, "random length"))
			break;
	}
	for (i = 0; i < 3; i++) {
		n = BIG_MIN + rng_below(BIG_MAX - BIG_MIN + 1);
		dg_sha256(buf, n, d);
		if (!same_as_openssl(buf, n, d, "MiB length"))
			break;
	}
	free(buf);
}

/* Hash @p in updates cut at random points (empty ones included). */
static void hash_split(const uint8_t *p, size_t n, size_t max_piece, uint8_t d[32])
{
	struct dg_sha256 s;
	size_t at = 0;

	dg_sha256_init(&s);
	while (at < n) {
		size_t k = rng_below((n - at < max_piece ? n - at : max_piece) + 1);

		if (rng_below(8) == 0)
			k = 0;
		dg_sha256_update(&s, p + at, k);
		at += k;
	}
	dg_sha256_final(&s, d);
}

static void random_split(void)
{
	uint8_t *buf = malloc(BIG_MAX), d[32];
	size_t n, i;

	CHECK(buf != NULL, "malloc");
	if (!buf)
		return;
	for (i = 0; i < 400; i++) {
		n = rng_below(SMALL_MAX + 1);
		rng_fill(buf, n);
		/* small pieces cross block edges often; large ones take the
		 * multi-block path after a partial block */
		hash_split(buf, n, i % 2 ? 130 : n + 1, d);
		if (!same_as_openssl(buf, n, d, "split updates"))
			break;
	}
	for (i = 0; i < 2; i++) {
		n = BIG_MIN + rng_below(BIG_MAX - BIG_MIN + 1);
		rng_fill(buf, n);
		hash_split(buf, n, 256 << 10, d);
		if (!same_as_openssl(buf, n, d, "MiB in split updates"))
			break;
	}
	free(buf);
}

TEST(test_sha256_generic_matches_fips180_vectors)
{
	if (!use_impl(DG_SHA256_IMPL_GENERIC))
		fips_vectors();
	dg_sha256_impl_force(DG_SHA256_IMPL_AUTO);
}

TEST(test_sha256_shani_matches_fips180_vectors)
{
	if (!use_impl(DG_SHA256_IMPL_SHANI))
		fips_vectors();
	dg_sha256_impl_force(DG_SHA256_IMPL_AUTO);
}

TEST(test_sha256_generic_matches_openssl_on_random_lengths)
{
	if (!use_impl(DG_SHA256_IMPL_GENERIC))
		random_whole();
	dg_sha256_impl_force(DG_SHA256_IMPL_AUTO);
}

TEST(test_sha256_shani_matches_openssl_on_random_lengths)
{
	if (!use_impl(DG_SHA256_IMPL_SHANI))
		random_whole();
	dg_sha256_impl_force(DG_SHA256_IMPL_AUTO);
}

TEST(test_sha256_generic_matches_openssl_on_split_updates)
{
	if (!use_impl(DG_SHA256_IMPL_GENERIC))
		random_split();
	dg_sha256_impl_force(DG_SHA256_IMPL_AUTO);
}

TEST(test_sha256_shani_matches_openssl_on_split_updates)
{
	if (!use_impl(DG_SHA256_IMPL_SHANI))
		random_split();
	dg_sha256_impl_force(DG_SHA256_IMPL_AUTO);
}

TEST(test_sha256_impl_force_rejects_unknown_value)
{
	CHECK(dg_sha256_impl_force((enum dg_sha256_impl)42) == -EINVAL, "unknown impl");
	CHECK(dg_sha256_impl_available(DG_SHA256_IMPL_GENERIC) == 1, "generic always runs");
}

int main(void)
{
	const char *e = getenv("DG_TEST_SEED");
	uint64_t seed = e ? strtoull(e, NULL, 0) : 0x5a256d16e57ull;

	printf("# seed %#llx (DG_TEST_SEED to replay another)\n", (unsigned long long)seed);
	rng_state = seed;
	RUN(test_sha256_generic_matches_fips180_vectors);
	RUN(test_sha256_shani_matches_fips180_vectors);
	RUN(test_sha256_generic_matches_openssl_on_random_lengths);
	RUN(test_sha256_shani_matches_openssl_on_random_lengths);
	RUN(test_sha256_generic_matches_openssl_on_split_updates);
	RUN(test_sha256_shani_matches_openssl_on_split_updates);
	RUN(test_sha256_impl_force_rejects_unknown_value);
	return tap_done();
}

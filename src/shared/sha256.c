// SPDX-License-Identifier: MIT
/* FIPS 180-4 SHA-256, with an x86 SHA-NI block function when available. */
#include "sha256.h"
#include "sha256_impl.h"

#include <errno.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void blocks_generic(uint32_t h[8], const uint8_t *p, size_t nblk)
{
	while (nblk--) {
		uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
		int i;

		for (i = 0; i < 16; i++)
			w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
			       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
		for (i = 16; i < 64; i++) {
			uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
			uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);

			w[i] = w[i - 16] + s0 + w[i - 7] + s1;
		}
		a = h[0]; b = h[1]; c = h[2]; d = h[3];
		e = h[4]; f = h[5]; g = h[6]; hh = h[7];
		for (i = 0; i < 64; i++) {
			t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
			     ((e & f) ^ (~e & g)) + K[i] + w[i];
			t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
			     ((a & b) ^ (a & c) ^ (b & c));
			hh = g; g = f; f = e; e = d + t1;
			d = c; c = b; b = a; a = t1 + t2;
		}
		h[0] += a; h[1] += b; h[2] += c; h[3] += d;
		h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
		p += 64;
	}
}

#if defined(__x86_64__)
/* Intel SHA extensions: four rounds per sha256rnds2 pair. */
__attribute__((target("sha,sse4.1")))
static void blocks_shani(uint32_t h[8], const uint8_t *p, size_t nblk)
{
	const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i st0, st1, tmp, msg, m0, m1, m2, m3, abef, cdgh;

	tmp = _mm_loadu_si128((const __m128i *)&h[0]);
	st1 = _mm_loadu_si128((const __m128i *)&h[4]);
	tmp = _mm_shuffle_epi32(tmp, 0xB1);	/* CDAB */
	st1 = _mm_shuffle_epi32(st1, 0x1B);	/* EFGH */
	st0 = _mm_alignr_epi8(tmp, st1, 8);	/* ABEF */
	st1 = _mm_blend_epi16(st1, tmp, 0xF0);	/* CDGH */

	while (nblk--) {
		abef = st0;
		cdgh = st1;
		m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 0)), mask);
		m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), mask);
		m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), mask);
		m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), mask);

#define RND(mi, k)                                                          \
	msg = _mm_add_epi32(mi, _mm_loadu_si128((const __m128i *)&K[k]));   \
	st1 = _mm_sha256rnds2_epu32(st1, st0, msg);                         \
	msg = _mm_shuffle_epi32(msg, 0x0E);                                 \
	st0 = _mm_sha256rnds2_epu32(st0, st1, msg)
/* Schedule: next = msg2(msg1(a, b) + alignr(d, c, 4), d) */
#define SCHED(a, b, c, d)                                                   \
	a = _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32(a, b),  \
			_mm_alignr_epi8(d, c, 4)), d)

		RND(m0, 0);
		RND(m1, 4);
		RND(m2, 8);
		RND(m3, 12);
		for (int k = 16; k < 64; k += 16) {
			SCHED(m0, m1, m2, m3);
			RND(m0, k);
			SCHED(m1, m2, m3, m0);
			RND(m1, k + 4);
			SCHED(m2, m3, m0, m1);
			RND(m2, k + 8);
			SCHED(m3, m0, m1, m2);
			RND(m3, k + 12);
		}
#undef RND
#undef SCHED
		st0 = _mm_add_epi32(st0, abef);
		st1 = _mm_add_epi32(st1, cdgh);
		p += 64;
	}

	tmp = _mm_shuffle_epi32(st0, 0x1B);	/* FEBA */
	st1 = _mm_shuffle_epi32(st1, 0xB1);	/* DCHG */
	st0 = _mm_blend_epi16(tmp, st1, 0xF0);	/* DCBA */
	st1 = _mm_alignr_epi8(st1, tmp, 8);	/* ABEF */
	_mm_storeu_si128((__m128i *)&h[0], st0);
	_mm_storeu_si128((__m128i *)&h[4], st1);
}

static int have_shani(void)
{
	static int cached = -1;
	unsigned int a, b, c, d;

	if (cached < 0) {
		cached = 0;
		if (__get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29)) &&
		    __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 19)))
			cached = 1;
	}
	return cached;
}
#endif

/* What dg_sha256_impl_force() chose; only tests change it. */
static enum dg_sha256_impl forced = DG_SHA256_IMPL_AUTO;

int dg_sha256_impl_available(enum dg_sha256_impl impl)
{
	switch (impl) {
	case DG_SHA256_IMPL_AUTO:
	case DG_SHA256_IMPL_GENERIC:
		return 1;
	case DG_SHA256_IMPL_SHANI:
#if defined(__x86_64__)
		return have_shani();
#else
		return 0;
#endif
	}
	return 0;
}

int dg_sha256_impl_force(enum dg_sha256_impl impl)
{
	if (impl != DG_SHA256_IMPL_AUTO && impl != DG_SHA256_IMPL_GENERIC &&
	    impl != DG_SHA256_IMPL_SHANI)
		return -EINVAL;
	if (!dg_sha256_impl_available(impl))
		return -EOPNOTSUPP;
	forced = impl;
	return 0;
}

static void blocks(uint32_t h[8], const uint8_t *p, size_t nblk)
{
#if defined(__x86_64__)
	if (forced == DG_SHA256_IMPL_SHANI ||
	    (forced == DG_SHA256_IMPL_AUTO && have_shani())) {
		blocks_shani(h, p, nblk);
		return;
	}
#endif
	blocks_generic(h, p, nblk);
}

void dg_sha256_init(struct dg_sha256 *s)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(s->h, iv, sizeof(iv));
	s->total = 0;
	s->fill = 0;
}

void dg_sha256_update(struct dg_sha256 *s, const void *data, size_t n)
{
	const uint8_t *p = data;

	s->total += n;
	if (s->fill) {
		size_t k = 64 - s->fill < n ? 64 - s->fill : n;

		memcpy(s->buf + s->fill, p, k);
		s->fill += k;
		p += k;
		n -= k;
		if (s->fill < 64)
			return;
		blocks(s->h, s->buf, 1);
		s->fill = 0;
	}
	if (n >= 64) {
		blocks(s->h, p, n / 64);
		p += n & ~(size_t)63;
		n &= 63;
	}
	memcpy(s->buf, p, n);
	s->fill = n;
}

void dg_sha256_final(struct dg_sha256 *s, uint8_t out[32])
{
	uint64_t bits = s->total * 8;
	uint8_t pad[72] = { 0x80 };
	size_t padlen = (s->fill < 56 ? 56 : 120) - s->fill;
	int i;

	for (i = 0; i < 8; i++)
		pad[padlen + i] = (uint8_t)(bits >> (56 - 8 * i));
	dg_sha256_update(s, pad, padlen + 8);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->h[i];
	}
}

void dg_sha256(const void *p, size_t n, uint8_t out[32])
{
	struct dg_sha256 s;

	dg_sha256_init(&s);
	dg_sha256_update(&s, p, n);
	dg_sha256_final(&s, out);
}

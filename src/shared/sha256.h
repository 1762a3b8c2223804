/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 for the manager's check of embedded handler blobs.  The trusted
 * core uses OpenSSL; libumd keeps its own so that it links nothing but libc.
 * Uses the x86 SHA extensions when the CPU has them, the generic C block
 * function otherwise; tests/unit/test_sha256.c checks both against OpenSSL
 * on any CPU with SHA-NI (sha256_impl.h forces one; the product never does).
 */
#ifndef DG_SHA256_H
#define DG_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct dg_sha256 {
	uint32_t h[8];
	uint64_t total;
	uint8_t buf[64];
	size_t fill;
};

void dg_sha256_init(struct dg_sha256 *s);
void dg_sha256_update(struct dg_sha256 *s, const void *p, size_t n);
void dg_sha256_final(struct dg_sha256 *s, uint8_t out[32]);
void dg_sha256(const void *p, size_t n, uint8_t out[32]);

#endif

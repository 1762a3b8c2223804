/* SPDX-License-Identifier: MIT */
/*
 * SHA-1, only for the legacy 20-byte template-digest field that the IMA
 * binary measurement format carries in every entry header (the kernel's
 * binary_runtime_measurements, which `evmctl ima_measurement` checks).
 * Never used for a security decision: the PCR we report is the SHA-256 bank.
 */
#ifndef DG_ENF_SHA1_H
#define DG_ENF_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define DG_SHA1_LEN 20

void dg_sha1(const void *p, size_t n, uint8_t out[DG_SHA1_LEN]);

#endif

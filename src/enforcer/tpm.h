/* SPDX-License-Identifier: MIT */
/*
 * Extending a real TPM's PCR 10 with each measurement (--tpm TCTI), through
 * the TSS2 enhanced system API.  TCTI is a tpm2-tss TCTI configuration:
 * "device:/dev/tpmrm0", "swtpm:host=127.0.0.1,port=2321", ...
 */
#ifndef DG_ENF_TPM_H
#define DG_ENF_TPM_H

#include <stddef.h>
#include <stdint.h>

struct dg_tpm;

/* 0 or negative errno (-ENOSYS: built without tpm2-tss). */
int dg_tpm_open(const char *tcti, struct dg_tpm **out, char *msg, size_t msglen);
/* Extend @pcr's SHA-256 bank with @sha256 and its SHA-1 bank with @sha1. */
int dg_tpm_extend(struct dg_tpm *t, uint32_t pcr, const uint8_t sha1[20],
		  const uint8_t sha256[32], char *msg, size_t msglen);
/* Read @pcr's SHA-256 bank. */
int dg_tpm_read(struct dg_tpm *t, uint32_t pcr, uint8_t sha256[32], char *msg, size_t msglen);
void dg_tpm_close(struct dg_tpm *t);

#endif

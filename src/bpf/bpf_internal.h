/* SPDX-License-Identifier: MIT */
/* Internal to src/bpf/: the context shared by bpf.c and bpf_load.c. */
#ifndef DG_BPF_INTERNAL_H
#define DG_BPF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "bpf_chain.h"

struct dg_umd;

struct dg_bpf {
	struct dg_umd *umd;		/* the bpf handler, fresh per call */
	char err[1536];
	uint8_t *gen_answer;		/* last sign: keeps dg_bpf_info.names */
	/* The signed object opened last (dg_bpf_open()). */
	uint8_t *file;
	size_t file_len;
	char path[512];
	int opened;
	int verified;			/* dg_bpf_verify() passed for it */
	struct bpf_chain_parts parts;	/* pointers into file */
};

void bpf_set_err(struct dg_bpf *bpf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The DER of the certificate @path (PEM or DER), malloc'd, if its key
 * passes the policy dg_bpf_verify() applies (RSA >= 2048, P-256/384/521). */
int bpf_cert_der(struct dg_bpf *bpf, const char *path, uint8_t **der, size_t *len);

#endif

/* SPDX-License-Identifier: MIT */
/* Handler executables embedded at build time (tools/embed.py). */
#ifndef DG_BLOBS_H
#define DG_BLOBS_H

#include <stddef.h>
#include <stdint.h>

struct dg_umd_blob {
	const char *name;
	const uint8_t *data;
	size_t len;
	const uint8_t *sha256;
};

/*
 * The fields of a struct dg_umd_desc that name blob @b, for a designated
 * initializer: { DG_UMD_DESC_BLOB(&dg_blob_pgp), .timeout_ms = 500 }.
 */
#define DG_UMD_DESC_BLOB(b) \
	.name = (b)->name, .blob = (b)->data, .blob_len = (b)->len, .blob_sha256 = (b)->sha256

extern const struct dg_umd_blob dg_blob_sample;
extern const struct dg_umd_blob dg_blob_pgp;
extern const struct dg_umd_blob dg_blob_rpm;
extern const struct dg_umd_blob dg_blob_deb;
extern const struct dg_umd_blob dg_blob_bpf;

#endif

/* SPDX-License-Identifier: MIT */
/*
 * BPF_REQ_GEN (bpf_proto.h): record an ELF object's loading as a loader
 * program with libbpf's gen_loader, inside the handler.
 */
#ifndef DG_BPF_GEN_H
#define DG_BPF_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Append the BPF_REQ_GEN answer for the object @in to @ans; 0 or a
 * negative errno with the reason (libbpf's messages included) in @err. */
int bpf_gen_loader(const uint8_t *in, size_t len, struct dg_buf *ans,
		   char *err, size_t errlen);

#endif

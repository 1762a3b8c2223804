/* SPDX-License-Identifier: MIT */
/* Hex encoding of digests, one implementation for every command. */
#ifndef DG_HEX_H
#define DG_HEX_H

#include <stddef.h>
#include <stdint.h>

/* @n bytes at @p as 2n lower-case hex digits and a NUL into @out. */
void dg_hex(char *out, const uint8_t *p, size_t n);

/*
 * Decode exactly 2n hex digits (either case) at @s into @out; the caller
 * checks what follows them.  0, or -EBADMSG at the first non-hex digit.
 */
int dg_unhex_n(const char *s, uint8_t *out, size_t n);

#endif

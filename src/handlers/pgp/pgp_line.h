/* SPDX-License-Identifier: MIT */
/* Line splitting shared by the armor and cleartext parsers (RFC 9580 §6, §7). */
#ifndef DG_PGP_LINE_H
#define DG_PGP_LINE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cursor.h"

struct pgp_line {
	const uint8_t *p;
	size_t len;	/* without the line ending and trailing spaces/tabs */
	size_t raw;	/* without the line ending only */
};

/* Next line of @c (LF or CRLF ending, or the end of input); 1 at EOF. */
static inline int pgp_next_line(struct dg_cur *c, struct pgp_line *l)
{
	const uint8_t *nl;
	struct dg_cur sub = { 0 };
	size_t n;

	if (!c->len)
		return 1;
	nl = memchr(c->p, '\n', c->len);
	n = nl ? (size_t)(nl - c->p) : c->len;
	cur_take(c, n, &sub);
	if (nl)
		cur_skip(c, 1);
	if (sub.len && sub.p[sub.len - 1] == '\r')
		sub.len--;
	l->p = sub.p;
	l->raw = sub.len;
	while (sub.len && (sub.p[sub.len - 1] == ' ' || sub.p[sub.len - 1] == '\t'))
		sub.len--;
	l->len = sub.len;
	return 0;
}

#endif

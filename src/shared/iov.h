/* SPDX-License-Identifier: MIT */
#ifndef DG_IOV_H
#define DG_IOV_H

#include <stddef.h>
#include <sys/uio.h>

/* After a short writev/sendmsg of @n bytes, step past what was sent. */
static inline void dg_iov_advance(struct iovec **v, int *cnt, size_t n)
{
	while (*cnt && n >= (*v)->iov_len) {
		n -= (*v)->iov_len;
		(*v)++;
		(*cnt)--;
	}
	if (*cnt) {
		(*v)->iov_base = (char *)(*v)->iov_base + n;
		(*v)->iov_len -= n;
	}
}

#endif

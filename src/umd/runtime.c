// SPDX-License-Identifier: MIT
/*
 * Handler-side runtime: sandbox the process, then serve frames.  Nothing
 * here reads a byte from the channel before landlock and seccomp are in
 * force.
 */
#include <digestguard/handler.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "buf.h"
#include "cursor.h"
#include "exitcodes.h"
#include "frame.h"
#include "iov.h"
#include "landlock.h"
#include "seccomp_filter.h"

#define RT_INBUF (64u << 10)
#define RT_ERRMSG_MAX 512
#define RT_PR_SET_MDWE 65	/* not in Debian 12's headers */
#define RT_PR_MDWE_REFUSE_EXEC_GAIN 1

static char errmsg[RT_ERRMSG_MAX];
static int landlock_abi;
static uint32_t current_id;
static uint8_t inbuf[RT_INBUF];
/*
 * Large requests land in a buffer kept across requests: freeing and
 * re-faulting 16 MiB per request costs more than the copy itself.
 */
static uint8_t *bigbuf;
static size_t bigcap;
/* Read-only mapping of the manager's bulk memfd (DG_MSG_BULK requests). */
static const uint8_t *bulk_map;
static size_t bulk_len;
static uint32_t max_frame = DG_FRAME_MAX_DEFAULT;

void dg_handler_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
	va_end(ap);
}

uint32_t dg_handler_current_id(void)
{
	return current_id;
}

static int read_some(void *p, size_t n, size_t *got)
{
	ssize_t r;

	do
		r = read(DG_HANDLER_FD, p, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	*got = (size_t)r;
	return 0;
}

/*
 * First read of a frame: recvmsg, because the manager attaches the bulk
 * memfd to the first DG_MSG_BULK frame.  The fd is mapped read-only once
 * and closed; any other or further fd is closed unused.
 */
static int read_head(void *p, size_t n, size_t *got)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct iovec v = { .iov_base = p, .iov_len = n };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1,
			    .msg_control = cm.buf, .msg_controllen = sizeof(cm.buf) };
	struct cmsghdr *c;
	ssize_t r;

	do
		r = recvmsg(DG_HANDLER_FD, &m, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		int fd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len != CMSG_LEN(sizeof(int)))
			continue;
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
		if (!bulk_map) {
			void *map = mmap(NULL, max_frame, PROT_READ, MAP_SHARED, fd, 0);

			if (map != MAP_FAILED) {
				bulk_map = map;
				bulk_len = max_frame;
			}
		}
		close(fd);
	}
	*got = (size_t)r;
	return 0;
}

static int read_full(uint8_t *p, size_t n)
{
	size_t got = 0;
	int r;

	while (n) {
		r = read_some(p, n, &got);
		if (r < 0)
			return r;
		if (!got)
			return -ENODATA;
		p += got;
		n -= got;
	}
	return 0;
}

static int write_frame(uint16_t type, uint32_t id, const uint8_t *p, size_t len)
{
	struct dg_frame_hdr h = {
		.magic = DG_FRAME_MAGIC, .version = DG_FRAME_VERSION,
		.type = type, .id = id, .len = (uint32_t)len,
	};
	uint8_t hdr[DG_FRAME_HDR_LEN];
	struct iovec iov[2] = {
		{ .iov_base = hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)p, .iov_len = len },
	};
	struct iovec *v = iov;
	int cnt = len ? 2 : 1;
	ssize_t w;

	dg_frame_encode(hdr, &h);
	while (cnt) {
		w = writev(DG_HANDLER_FD, v, cnt);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		dg_iov_advance(&v, &cnt, (size_t)w);
	}
	return 0;
}

static int send_error(uint32_t id, int err)
{
	uint8_t b[4 + RT_ERRMSG_MAX];
	size_t n;

	if (!errmsg[0])
		snprintf(errmsg, sizeof(errmsg), "%s", strerror(-err));
	n = strnlen(errmsg, RT_ERRMSG_MAX - 1);
	put_le32(b, (uint32_t)err);
	memcpy(b + 4, errmsg, n);
	return write_frame(DG_MSG_ERROR, id, b, 4 + n);
}

static int sandbox_self(unsigned int flags)
{
	int r;

	/* The loader left only the channel; be certain before anything else. */
	if (syscall(__NR_close_range, 0, DG_HANDLER_FD - 1, 0) < 0 ||
	    syscall(__NR_close_range, DG_HANDLER_FD + 1, ~0u, 0) < 0)
		return -errno;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	/*
	 * Memory-deny-write-execute (Linux 6.3): no mapping may become
	 * executable after the fact.  W^X even without seccomp.
	 */
	if (prctl(RT_PR_SET_MDWE, RT_PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) < 0 &&
	    errno != EINVAL)
		return -errno;
	/* First malloc may ask for randomness or map arenas: do it now. */
	free(malloc(1));
	r = dg_landlock_apply();
	if (r < 0)
		return r;
	landlock_abi = r;
	if (flags & DG_HANDLER_TEST_NO_SECCOMP)
		return 0;
	return dg_seccomp_install(DG_HANDLER_FD);
}

int dg_handler_main(const char *name, dg_handler_fn handle, void *ctx)
{
	return dg_handler_main_flags(name, handle, ctx, 0);
}

int dg_handler_main_flags(const char *name, dg_handler_fn handle, void *ctx,
			  unsigned int flags)
{
	struct dg_buf ans = { 0 };

	if (sandbox_self(flags) < 0)
		return DG_EXIT_SELF_SANDBOX;
	for (;;) {
		struct dg_frame_hdr h;
		size_t have = 0, got = 0;
		uint8_t *payload, *heap = NULL;
		int r;

		while (have < DG_FRAME_HDR_LEN) {
			if ((have ? read_some(inbuf + have, RT_INBUF - have, &got) :
				    read_head(inbuf, RT_INBUF, &got)) < 0)
				return DG_EXIT_CHANNEL;
			if (!got)
				return have ? DG_EXIT_CHANNEL : 0;	/* manager closed: done */
			have += got;
		}
		if (dg_frame_decode(inbuf, max_frame, &h) < 0)
			return DG_EXIT_PROTOCOL;
		if ((size_t)h.len + DG_FRAME_HDR_LEN <= RT_INBUF) {
			payload = inbuf + DG_FRAME_HDR_LEN;
			if (have > DG_FRAME_HDR_LEN + (size_t)h.len)
				return DG_EXIT_PROTOCOL;
			if (read_full(inbuf + have, DG_FRAME_HDR_LEN + h.len - have) < 0)
				return DG_EXIT_CHANNEL;
		} else {
			if (h.len > bigcap) {
				free(bigbuf);
				bigcap = 0;
				bigbuf = malloc(h.len);
				if (!bigbuf)
					return DG_EXIT_NOMEM;
				bigcap = h.len;
			}
			heap = bigbuf;
			memcpy(heap, inbuf + DG_FRAME_HDR_LEN, have - DG_FRAME_HDR_LEN);
			if (read_full(heap + have - DG_FRAME_HDR_LEN,
				      h.len - (have - DG_FRAME_HDR_LEN)) < 0)
				return DG_EXIT_CHANNEL;
			payload = heap;
		}

		current_id = h.id;
		dg_buf_reset(&ans);
		ans.max = max_frame;
		errmsg[0] = '\0';
		if (h.type == DG_MSG_HELLO) {
			struct dg_cur c = cur_init(payload, h.len);
			uint32_t want;

			if (cur_le32(&c, &want) == 0 && want && want <= DG_FRAME_MAX_LIMIT &&
			    !bulk_map)
				max_frame = want;
			r = dg_buf_put_le32(&ans, max_frame);
			if (!r)
				r = dg_buf_put_le32(&ans, (uint32_t)landlock_abi);
			if (!r)
				r = dg_buf_put(&ans, name, strlen(name));
		} else if (h.type == DG_MSG_BULK) {
			struct dg_cur c = cur_init(payload, h.len);
			uint16_t btype = 0, pad;
			uint32_t blen = 0;

			if (cur_le16(&c, &btype) < 0 || cur_le16(&c, &pad) < 0 ||
			    cur_le32(&c, &blen) < 0 || !bulk_map || blen > bulk_len ||
			    btype < DG_MSG_USER || (btype & DG_MSG_ANSWER))
				return DG_EXIT_PROTOCOL;	/* the manager is trusted: this is a bug */
			h.type = btype;
			r = handle(btype, bulk_map, blen, &ans, ctx);
		} else if (h.type < DG_MSG_USER || (h.type & DG_MSG_ANSWER)) {
			dg_handler_error("unknown request type 0x%x", h.type);
			r = -EOPNOTSUPP;
		} else {
			r = handle(h.type, payload, h.len, &ans, ctx);
		}
		if (r < 0 && r > -4096)
			r = send_error(h.id, r);
		else if (r < 0)
			r = send_error(h.id, -EINVAL);
		else
			r = write_frame(h.type | DG_MSG_ANSWER, h.id, ans.data, ans.len);
		if (r < 0)
			return DG_EXIT_CHANNEL;
	}
}

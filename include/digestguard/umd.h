/* SPDX-License-Identifier: MIT */
/*
 * libumd: user mode drivers in user space.
 *
 * A handler is a static executable embedded in the trusted program.  The
 * manager copies it into a sealed memfd, checks its SHA-256 against the value
 * recorded at build time, and starts it with fexecve() inside a sandbox
 * (namespaces, empty root, no capabilities, rlimits, Landlock, seccomp).  The
 * two sides talk through framed messages on a socketpair (docs/protocol.md).
 * Every call has a deadline; a handler that crashes, hangs or answers
 * malformed frames is killed by pidfd, reaped, and replaced on the next call.
 *
 * All functions return 0 (or a non-negative count) on success and a negative
 * errno on failure, like libbpf.
 */
#ifndef DIGESTGUARD_UMD_H
#define DIGESTGUARD_UMD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct dg_umd;	/* opaque handle */

/* Start a fresh handler for every call (one untrusted input per process). */
#define DG_UMD_FRESH_PER_CALL	(1u << 0)
/* Skip user/pid/net/... namespaces (only for environments without userns;
 * seccomp, Landlock and rlimits still apply; a root manager's handler then
 * runs as uid/gid 65534). */
#define DG_UMD_NO_NAMESPACES	(1u << 1)

struct dg_umd_desc {
	const char *name;		/* for messages, e.g. "pgp" */
	const uint8_t *blob;		/* embedded static executable */
	size_t blob_len;
	const uint8_t *blob_sha256;	/* 32 bytes recorded at build time */
	uint32_t max_frame;		/* 0: DG_FRAME_MAX_DEFAULT (64 MiB) */
	int timeout_ms;			/* per call; 0: 2000 */
	uint64_t rlimit_as;		/* bytes; 0: max_frame * 4 + 64 MiB */
	uint64_t rlimit_cpu;		/* seconds, over the handler's whole life;
					 * 0: 60, or twice the deadline if longer.
					 * A handler is replaced before a call that
					 * could take it over this limit. */
	unsigned int flags;		/* DG_UMD_* */
};

struct dg_umd_stats {
	uint64_t starts;	/* handler processes started */
	uint64_t restarts;	/* starts after a kill (crash, hang, bad frame) */
	uint64_t calls;		/* calls answered without error frames */
	uint64_t failures;	/* handlers killed or lost: crash, hang, bad frame,
				 * or exit or stray bytes between calls */
	uint64_t bytes_out;	/* payload bytes sent */
	uint64_t bytes_in;	/* payload bytes received */
	uint64_t last_start_ns;	/* spawn to first (hello) answer */
	int sandbox_namespaces;	/* 1 if the last start got namespaces */
	int sandbox_landlock;	/* Landlock ABI in force, 0 if none */
};

/* An answer owned by the caller: release with dg_umd_answer_free(). */
struct dg_umd_answer {
	uint16_t type;		/* request type | DG_MSG_ANSWER */
	uint8_t *data;
	size_t len;
};

/* Allocate a manager for the handler in @desc (nothing is started). */
int dg_umd_new(const struct dg_umd_desc *desc, struct dg_umd **out);

/*
 * Start the handler now instead of on the first call.  A running handler
 * is kept, unless it went away or sent bytes since its last answer: then
 * it is reaped (a failure in the stats) and a fresh one started.
 */
int dg_umd_start(struct dg_umd *umd);

/*
 * Start the handler and return without waiting for its hello: once the
 * child's root is empty (a short wait, at most 100 ms, that lets the RCU
 * grace period of that step run on this CPU), the rest of the sandbox
 * set-up, the exec and the handler's own start-up run on another CPU while
 * the caller goes on (e.g. loading its crypto library).  The first call (or
 * dg_umd_start) reads and checks the handler's hello; a handler that fails
 * to start is reported there, "(during start-up)".
 */
int dg_umd_launch(struct dg_umd *umd);

/*
 * 1 while a launched handler is still setting up (its hello has not
 * arrived), else 0; never blocks.  A caller with work that does not need
 * the handler can do it in pieces while this says 1: time it would
 * otherwise spend waiting in its first call.
 */
int dg_umd_starting(struct dg_umd *umd);

/*
 * Send request @type (>= DG_MSG_USER) with @len bytes and get the answer,
 * both within the deadline.  Returns 0 and fills @ans; or:
 *  - the handler's own error (an ERROR frame) as its negative errno, with
 *    the handler's message in dg_umd_last_error(); the handler runs on.
 *    Codes that carry the manager's own meanings cannot come from a
 *    handler: -ETIMEDOUT, -ECHILD, -EKEYREJECTED and -ENOKEY in an ERROR
 *    frame are returned as -EPROTO (message kept).  A parser's verdicts
 *    (-EBADMSG, -E2BIG, -ENODATA, -EOPNOTSUPP, ...) pass through.
 *  - -ETIMEDOUT when the handler did not take the request or answer by
 *    the deadline, -ECHILD when it died, -EBADMSG on a malformed answer,
 *    -ENOMEM when the manager has no memory for the answer, another
 *    -errno when the channel fails while a request or answer is under
 *    way: the handler was killed and reaped, and the next call starts a
 *    fresh one;
 *  - -E2BIG when @len exceeds the maximum (nothing sent).
 * A handler that exited or sent stray bytes since its last answer is
 * replaced before the request is sent; the request does not fail for it.
 */
int dg_umd_call(struct dg_umd *umd, uint16_t type, const void *req, size_t len,
		struct dg_umd_answer *ans);

/* The most pieces dg_umd_callv() takes. */
#define DG_UMD_IOV_MAX 4

/*
 * dg_umd_call() of a request made of the @n (at most DG_UMD_IOV_MAX)
 * pieces at @req, sent as one frame in their order: a header and the
 * caller's input, say, without joining them in a buffer first.  -EINVAL
 * for more pieces.
 */
int dg_umd_callv(struct dg_umd *umd, uint16_t type, const struct iovec *req, int n,
		 struct dg_umd_answer *ans);

/*
 * Human-readable reason for the last failed call, or for the last handler
 * replaced before a call (never NULL).
 */
const char *dg_umd_last_error(const struct dg_umd *umd);

/* Stop the handler (SIGKILL via pidfd, reap); a later call restarts it. */
int dg_umd_stop(struct dg_umd *umd);

/* Stop and free; NULL is allowed. */
void dg_umd_free(struct dg_umd *umd);

void dg_umd_stats(const struct dg_umd *umd, struct dg_umd_stats *st);

/* Current handler pid (0 when none), for tests and diagnostics. */
int dg_umd_pid(const struct dg_umd *umd);

/* Set the per-call deadline in milliseconds (> 0). */
void dg_umd_set_timeout(struct dg_umd *umd, int timeout_ms);

void dg_umd_answer_free(struct dg_umd_answer *ans);

#ifdef __cplusplus
}
#endif
#endif

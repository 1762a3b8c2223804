/* SPDX-License-Identifier: MIT */
/*
 * Handler runtime: the side of libumd that runs inside the sandbox.
 *
 * A handler's main() calls dg_handler_main() with a callback.  Before it
 * reads the first byte from the channel, the runtime closes every fd but the
 * channel, makes the process non-dumpable, applies Landlock (no filesystem,
 * signal and abstract-socket scoping) and installs the seccomp allowlist.
 * Then it loops: read a request frame, call @handle, write the answer
 * frame (or an ERROR frame carrying the callback's negative errno and the
 * message set with dg_handler_error()).
 */
#ifndef DIGESTGUARD_HANDLER_H
#define DIGESTGUARD_HANDLER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct dg_buf;

/* The channel's fd number inside the handler. */
#define DG_HANDLER_FD 3

/*
 * Called once per request.  @req/@len are the untrusted request bytes
 * (valid until return); append the answer to @ans.  Return 0 or a
 * negative errno (then @ans is discarded and an ERROR frame is sent).
 * Use the parser codes (-EBADMSG, -E2BIG, -ENODATA, -EOPNOTSUPP, -ENOMEM);
 * -ETIMEDOUT, -ECHILD, -EKEYREJECTED and -ENOKEY are the manager's and
 * reach the caller as -EPROTO.
 */
typedef int (*dg_handler_fn)(uint16_t type, const uint8_t *req, size_t len,
			     struct dg_buf *ans, void *ctx);

/* Run the handler loop; returns the process exit status. */
int dg_handler_main(const char *name, dg_handler_fn handle, void *ctx);

/*
 * For the sandbox's own tests only: run without the seccomp layer, to show
 * that the other layers hold by themselves.  Never used by a real handler.
 */
#define DG_HANDLER_TEST_NO_SECCOMP (1u << 0)
int dg_handler_main_flags(const char *name, dg_handler_fn handle, void *ctx,
			  unsigned int flags);

/* Set the message sent with the ERROR frame for the current request. */
void dg_handler_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Id of the request being handled (for handlers that write raw frames). */
uint32_t dg_handler_current_id(void);

#ifdef __cplusplus
}
#endif
#endif

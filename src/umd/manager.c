// SPDX-License-Identifier: MIT
/*
 * The trusted side of libumd: start handlers, frame requests, read answers
 * under a deadline, and kill/reap/replace a handler that misbehaves.
 *
 * Receiving uses SO_RCVTIMEO on the channel rather than poll(): the common
 * small call is then one sendmsg and one recv, which is what keeps a round
 * trip close to a raw socketpair's.  Sending is non-blocking and waits in
 * poll() for the time left: a blocking sendmsg waits up to SO_SNDTIMEO for
 * each socket buffer it fills, so a handler that frees one buffer just in
 * time could hold a large send for many times the deadline.
 */
#include <digestguard/umd.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cursor.h"
#include "exitcodes.h"
#include "frame.h"
#include "iov.h"
#include "loader.h"
#include "sandbox.h"

#define UMD_STAGE (64u << 10)	/* first read of an answer lands here */
#define UMD_ERRMSG_MAX 512	/* longest handler error message kept */
#define UMD_TIMEOUT_DEFAULT_MS 2000
#define UMD_CPU_DEFAULT_S 60	/* RLIMIT_CPU; at least twice the deadline */
/*
 * Requests from this size up travel through a memfd shared with the handler
 * (read-only on its side) instead of the socket: one copy instead of two.
 */
#define UMD_BULK_MIN (256u << 10)

struct dg_umd {
	struct dg_umd_desc d;
	char name[32];
	int exec_fd;		/* sealed, hash-checked memfd; made once */
	int exec_filled;	/* exec_fd holds the checked handler */
	int fill_err;		/* the last fill_exec() failed */
	int sock;		/* our end of the channel, -1 when stopped */
	int pidfd;
	pid_t pid;
	uint32_t next_id;
	uint32_t max;		/* negotiated maximum frame payload */
	int cur_timeout_ms;	/* what SO_RCVTIMEO holds now */
	int sending;		/* a timeout now is in sending, not in answering */
	int killed;		/* the next start is a restart */
	int bulk_fd;		/* memfd for large requests (ours, read-write) */
	int bulk_ro;		/* the same file opened read-only, for the handler */
	uint8_t *bulk_map;	/* bulk_fd mapped read-write (NULL: use pwrite) */
	size_t bulk_hw;		/* bulk_fd's bytes written so far: they have pages */
	int bulk_sent;		/* the running handler has bulk_ro */
	int hello_pending;	/* launched; its hello answer not read yet */
	uint32_t hello_id;
	uint64_t start_ns;	/* when the running handler was launched */
	struct dg_umd_stats st;
	char err[UMD_ERRMSG_MAX + 128];
	uint8_t stage[UMD_STAGE];
};

static void set_err(struct dg_umd *u, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_err(struct dg_umd *u, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(u->err, sizeof(u->err), "%s: ", u->name);

	va_start(ap, fmt);
	vsnprintf(u->err + n, sizeof(u->err) - (size_t)n, fmt, ap);
	va_end(ap);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int dg_umd_new(const struct dg_umd_desc *desc, struct dg_umd **out)
{
	struct dg_umd *u;

	if (!desc || !desc->blob || !desc->blob_len || !desc->blob_sha256 || !out)
		return -EINVAL;
	if (desc->max_frame > DG_FRAME_MAX_LIMIT)
		return -E2BIG;
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->d = *desc;
	snprintf(u->name, sizeof(u->name), "%s", desc->name ? desc->name : "umd");
	u->d.name = u->name;
	if (!u->d.max_frame)
		u->d.max_frame = DG_FRAME_MAX_DEFAULT;
	if (u->d.timeout_ms <= 0)
		u->d.timeout_ms = UMD_TIMEOUT_DEFAULT_MS;
	if (!u->d.rlimit_as)
		u->d.rlimit_as = (uint64_t)u->d.max_frame * 4 + (64u << 20);
	if (!u->d.rlimit_cpu) {
		/* Room for a whole call in a handler that has used up to half
		 * of it (cpu_room()). */
		uint64_t two_deadlines = 2 * ((uint64_t)u->d.timeout_ms + 999) / 1000;

		u->d.rlimit_cpu = two_deadlines > UMD_CPU_DEFAULT_S ? two_deadlines :
								      UMD_CPU_DEFAULT_S;
	}
	u->exec_fd = -1;
	u->bulk_fd = -1;
	u->bulk_ro = -1;
	u->sock = -1;
	u->pidfd = -1;
	u->max = u->d.max_frame;
	snprintf(u->err, sizeof(u->err), "%s: no error", u->name);
	*out = u;
	return 0;
}

static const char *exit_reason(int status)
{
	switch (status) {
	case 0: return "it stopped without answering";
	case DG_EXIT_CHANNEL: return "channel I/O failed";
	case DG_EXIT_PROTOCOL: return "it received a malformed frame";
	case DG_EXIT_NOMEM: return "out of memory";
	case DG_EXIT_SELF_SANDBOX: return "it could not apply Landlock/seccomp to itself";
	case DG_EXIT_SYNC: return "no go-ahead from the manager";
	case DG_EXIT_SETID: return "could not become nobody (uid/gid 65534)";
	case DG_EXIT_ROOT: return "could not pivot into an empty root (or chdir to /)";
	case DG_EXIT_SETPGID: return "could not start a process group of its own (setpgid)";
	case DG_EXIT_KEYRING: return "could not join a new session keyring";
	case DG_EXIT_PDEATHSIG: return "PR_SET_PDEATHSIG failed";
	case DG_EXIT_FDS: return "could not arrange its file descriptors";
	case DG_EXIT_RLIMIT: return "setrlimit failed";
	case DG_EXIT_PRCTL: return "no_new_privs/dumpable failed";
	case DG_EXIT_CAPS: return "could not drop capabilities";
	case DG_EXIT_UNSHARE: return "could not create its mount/network/ipc/uts/cgroup namespaces";
	case DG_EXIT_EXEC: return "execveat of the sealed memfd failed";
	default: return "unexpected status";
	}
}

static const char *sig_reason(int sig)
{
	switch (sig) {
	case SIGSYS: return "seccomp: forbidden system call";
	case SIGSEGV: return "invalid memory access";
	case SIGXCPU: return "CPU time limit";
	case SIGKILL: return "killed";
	case SIGABRT: return "aborted";
	default: return "signal";
	}
}

/* waitid() on the handler's pidfd, with its resource usage (glibc's has none). */
static int wait_handler(struct dg_umd *u, siginfo_t *si, int options, struct rusage *ru)
{
	memset(si, 0, sizeof(*si));
	return (int)syscall(__NR_waitid, P_PIDFD, u->pidfd, si, options, ru);
}

/* CPU time a reaped handler used, in microseconds (user + system). */
static uint64_t cpu_us(const struct rusage *ru)
{
	return (uint64_t)ru->ru_utime.tv_sec * 1000000u + (uint64_t)ru->ru_utime.tv_usec +
	       (uint64_t)ru->ru_stime.tv_sec * 1000000u + (uint64_t)ru->ru_stime.tv_usec;
}

/*
 * The kernel sends SIGKILL (SIGXCPU below a higher hard limit) at
 * RLIMIT_CPU.  It checks its tick-sampled CPU time; rusage gives the
 * scheduler's exact figure, which can be lower (0.94 s for a kill at a
 * 1 s limit on a busy machine here): 3/4 of the limit counts, and the
 * message gives both figures.
 */
static int hit_cpu_limit(const struct dg_umd *u, const siginfo_t *si, const struct rusage *ru)
{
	return (si->si_status == SIGKILL || si->si_status == SIGXCPU) &&
	       u->d.rlimit_cpu <= UINT64_MAX / 1000000u &&
	       cpu_us(ru) >= u->d.rlimit_cpu * 750000u;
}

/*
 * Kill (if alive) and reap; describe how it ended in *how.  @grace_ms: how
 * long to wait for a handler that is already on its way out (we saw EOF) so
 * that its own cause of death, not our kill, is reported.
 */
static void reap(struct dg_umd *u, char *how, size_t howlen, int grace_ms)
{
	struct pollfd pfd = { .fd = u->pidfd, .events = POLLIN };
	struct rusage ru;
	siginfo_t si;

	if (u->pidfd < 0)
		return;
	if (grace_ms > 0)
		poll(&pfd, 1, grace_ms);
	/* Did it already end by itself?  Then report that, not our kill. */
	if (wait_handler(u, &si, WEXITED | WNOHANG, &ru) < 0 || si.si_pid == 0) {
		syscall(__NR_pidfd_send_signal, u->pidfd, SIGKILL, NULL, 0);
		while (wait_handler(u, &si, WEXITED, &ru) < 0 && errno == EINTR)
			;
		if (how)
			snprintf(how, howlen, "killed by the manager");
	} else if (how) {
		if (si.si_code == CLD_EXITED)
			snprintf(how, howlen, "exited with status %d: %s", si.si_status,
				 exit_reason(si.si_status));
		else if (hit_cpu_limit(u, &si, &ru))
			snprintf(how, howlen, "killed by signal %d (CPU time limit of %llu s "
				 "reached: %.2f s used)", si.si_status,
				 (unsigned long long)u->d.rlimit_cpu, (double)cpu_us(&ru) / 1e6);
		else
			snprintf(how, howlen, "killed by signal %d (%s)", si.si_status,
				 sig_reason(si.si_status));
	}
	close(u->pidfd);
	u->pidfd = -1;
	u->pid = 0;
	u->bulk_sent = 0;
	if (u->sock >= 0)
		close(u->sock);
	u->sock = -1;
	u->hello_pending = 0;
}

static int set_timeouts(struct dg_umd *u, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	int r;

	if (tv.tv_sec == 0 && tv.tv_usec == 0)
		tv.tv_usec = 1000;
	if (setsockopt(u->sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		r = -errno;
		set_err(u, "cannot set the channel's receive timeout: %s", strerror(-r));
		return r;
	}
	u->cur_timeout_ms = ms;
	return 0;
}

/* Before each blocking step: -ETIMEDOUT once the deadline passed. */
static int arm_deadline(struct dg_umd *u, uint64_t deadline)
{
	uint64_t now = now_ns();
	int left;

	if (now >= deadline)
		return -ETIMEDOUT;
	left = (int)((deadline - now + 999999) / 1000000);
	if (left < u->cur_timeout_ms)
		return set_timeouts(u, left);
	return 0;
}

/* Wait until the channel takes more bytes; -ETIMEDOUT at the deadline. */
static int wait_writable(struct dg_umd *u, uint64_t deadline)
{
	struct pollfd pfd = { .fd = u->sock, .events = POLLOUT };

	for (;;) {
		uint64_t now = now_ns();
		int r;

		if (now >= deadline)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, (int)((deadline - now + 999999) / 1000000));
		if (r > 0)
			return 0;	/* writable, or POLLERR/POLLHUP: sendmsg says which */
		if (r < 0 && errno != EINTR) {
			r = -errno;
			set_err(u, "poll on the channel: %s", strerror(-r));
			return r;
		}
		/* Timed out or interrupted: the loop recomputes what is left. */
	}
}

/*
 * Send the iovecs by the deadline; @pass_fd >= 0 rides along with the first
 * byte.  -ECHILD when the handler is gone (EPIPE, ECONNRESET); any other
 * failure is the manager's own, with its errno and u->err saying so.
 */
static int send_all(struct dg_umd *u, struct iovec *v, int cnt, uint64_t deadline,
		    int pass_fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cm;
	int r;

	while (cnt) {
		struct msghdr m = { .msg_iov = v, .msg_iovlen = (size_t)cnt };
		ssize_t w;

		if (pass_fd >= 0) {
			struct cmsghdr *c;

			memset(&cm, 0, sizeof(cm));
			m.msg_control = cm.buf;
			m.msg_controllen = sizeof(cm.buf);
			c = CMSG_FIRSTHDR(&m);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
		}
		w = sendmsg(u->sock, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0) {
			pass_fd = -1;
			dg_iov_advance(&v, &cnt, (size_t)w);
			if (cnt && now_ns() >= deadline)
				return -ETIMEDOUT;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w == 0 || errno == EAGAIN || errno == EWOULDBLOCK) {
			r = wait_writable(u, deadline);
			if (r < 0)
				return r;
			continue;
		}
		if (errno == EPIPE || errno == ECONNRESET)
			return -ECHILD;
		r = -errno;
		set_err(u, "cannot send a request to the handler: %s", strerror(-r));
		return r;
	}
	return 0;
}

/* recv up to n bytes (at least 1); 0 on EOF mapped to -ECHILD. */
static ssize_t recv_some(struct dg_umd *u, void *p, size_t n, uint64_t deadline)
{
	ssize_t r;

	for (;;) {
		r = recv(u->sock, p, n, 0);
		if (r > 0)
			return r;
		if (r == 0)
			return -ECHILD;
		if (errno == EINTR) {
			if (arm_deadline(u, deadline) < 0)
				return -ETIMEDOUT;
			continue;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			/*
			 * The receive timeout ran out, not necessarily the
			 * deadline: a hello read under a deadline raised
			 * since the launch set the timeout.  Wait on for
			 * the time left.
			 */
			uint64_t now = now_ns();

			if (now >= deadline ||
			    set_timeouts(u, (int)((deadline - now + 999999) / 1000000)) < 0)
				return -ETIMEDOUT;
			continue;
		}
		return -ECHILD;
	}
}

/*
 * Read one answer frame for request @id.  Anything unexpected is -EBADMSG
 * with u->err saying what; the caller then kills the handler.
 */
static int read_answer(struct dg_umd *u, uint32_t id, uint16_t type,
		       uint64_t deadline, struct dg_umd_answer *ans)
{
	struct dg_frame_hdr h;
	size_t have = 0, total, n;
	uint8_t *data;
	ssize_t r;
	int e;

	while (have < DG_FRAME_HDR_LEN) {
		/* Also before the first recv: the send may have used up time. */
		if ((e = arm_deadline(u, deadline)) < 0)
			return e;
		r = recv_some(u, u->stage + have, UMD_STAGE - have, deadline);
		if (r < 0) {
			if (r == -ECHILD && have)
				set_err(u, "answer truncated: EOF inside the frame header");
			return r == -ECHILD && have ? -EBADMSG : (int)r;
		}
		have += (size_t)r;
	}
	e = dg_frame_decode(u->stage, u->max, &h);
	if (e == -E2BIG) {
		/* @h is untouched on failure: read len, the header's last field. */
		struct dg_cur lc = cur_init(u->stage + DG_FRAME_HDR_LEN - 4, 4);
		uint32_t announced = 0;

		cur_le32(&lc, &announced);
		set_err(u, "answer announces %u bytes, over the maximum %u",
			announced, u->max);
		return -EBADMSG;
	}
	if (e < 0) {
		set_err(u, "answer has a bad frame header (magic or version)");
		return -EBADMSG;
	}
	if (h.id != id) {
		set_err(u, "answer id %u does not match request id %u", h.id, id);
		return -EBADMSG;
	}
	if (h.type != (type | DG_MSG_ANSWER) && h.type != DG_MSG_ERROR) {
		set_err(u, "answer type 0x%x does not match request type 0x%x",
			h.type, type);
		return -EBADMSG;
	}
	total = DG_FRAME_HDR_LEN + (size_t)h.len;
	if (have > total) {
		set_err(u, "answer has %zu trailing bytes after the frame",
			have - total);
		return -EBADMSG;
	}
	data = malloc(h.len ? h.len : 1);
	if (!data) {
		set_err(u, "out of memory for a %u-byte answer", h.len);
		return -ENOMEM;
	}
	n = have - DG_FRAME_HDR_LEN;
	memcpy(data, u->stage + DG_FRAME_HDR_LEN, n);
	while (n < h.len) {
		if ((e = arm_deadline(u, deadline)) < 0) {
			free(data);
			return e;
		}
		r = recv_some(u, data + n, h.len - n, deadline);
		if (r < 0) {
			free(data);
			if (r == -ECHILD) {
				set_err(u, "answer truncated: EOF after %zu of %u bytes",
					n, h.len);
				return -EBADMSG;
			}
			return (int)r;
		}
		n += (size_t)r;
	}
	ans->type = h.type;
	ans->data = data;
	ans->len = h.len;
	return 0;
}

/*
 * Codes a handler may not give (include/digestguard/umd.h): -ETIMEDOUT and
 * -ECHILD mean the manager killed the handler, -EKEYREJECTED and -ENOKEY
 * are verdicts only the trusted side, which verifies, may give.
 */
static int reserved_errno(int err)
{
	return err == -ETIMEDOUT || err == -ECHILD || err == -EKEYREJECTED ||
	       err == -ENOKEY;
}

/*
 * Turn an ERROR frame into the handler's errno and message.  *malformed is
 * set when the frame itself is broken (then the handler must go), as
 * opposed to a well-formed "this input is bad" answer.  A reserved errno
 * becomes -EPROTO, with the handler's message kept.
 */
static int error_frame(struct dg_umd *u, struct dg_umd_answer *ans, int *malformed)
{
	struct dg_cur c = cur_init(ans->data, ans->len);
	char msg[UMD_ERRMSG_MAX + 1];
	uint32_t v;
	int32_t err;
	size_t i, n;

	*malformed = 1;
	if (cur_le32(&c, &v) < 0) {
		set_err(u, "error answer shorter than its errno field");
		return -EBADMSG;
	}
	err = (int32_t)v;
	if (err >= 0 || err < -4095) {
		set_err(u, "error answer carries an invalid errno %d", err);
		return -EBADMSG;
	}
	*malformed = 0;
	n = c.len < UMD_ERRMSG_MAX ? c.len : UMD_ERRMSG_MAX;
	for (i = 0; i < n; i++)	/* printable ASCII only: it reaches a terminal */
		msg[i] = c.p[i] >= 0x20 && c.p[i] < 0x7f ? (char)c.p[i] : '?';
	msg[n] = '\0';
	if (reserved_errno(err)) {
		set_err(u, "handler error with errno %d, which is reserved to the manager "
			"(reported as -EPROTO): %s", err, n ? msg : strerror(-err));
		return -EPROTO;
	}
	set_err(u, "%s", n ? msg : strerror(-err));
	return err;
}

static void fail_handler(struct dg_umd *u, int err)
{
	char how[96] = "";
	char prev[sizeof(u->err)];

	memcpy(prev, u->err, sizeof(prev));
	reap(u, how, sizeof(how), err == -ECHILD ? 200 : 0);
	u->killed = 1;
	u->st.failures++;
	if (err == -ETIMEDOUT)
		set_err(u, "handler did not %s within %d ms; %s",
			u->sending ? "take its request" : "answer", u->d.timeout_ms, how);
	else if (err == -ECHILD)
		set_err(u, "handler died (%s)", how);
	else	/* u->err already says what went wrong */
		snprintf(u->err, sizeof(u->err), "%s; handler %s", prev, how);
}

/*
 * Before a request, with nothing of it sent yet: a handler between calls
 * has nothing to say.  If it is gone (EOF: it exited) or has spoken
 * (trailing bytes of its last answer that came late, or unsolicited
 * ones), kill and reap it, count a failure, and return 0 so that the
 * caller starts a fresh handler: the new request has nothing to do with
 * it and must not fail for it.  1 when the handler is idle and usable.
 */
static int idle_handler_usable(struct dg_umd *u)
{
	char how[96] = "";
	uint8_t b;
	ssize_t n = recv(u->sock, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	int e = n < 0 ? errno : 0, gone = n == 0 || e == ECONNRESET;

	if (n < 0 && (e == EAGAIN || e == EWOULDBLOCK || e == EINTR))
		return 1;
	/* A handler on its way out: let it finish, to report its own end. */
	reap(u, how, sizeof(how), gone ? 200 : 0);
	u->killed = 1;
	u->st.failures++;
	if (n > 0)
		set_err(u, "handler sent bytes after its last answer (trailing or "
			"unsolicited); it was %s and replaced", how);
	else if (gone)
		set_err(u, "handler went away between calls (%s); replaced it", how);
	else
		set_err(u, "channel to the idle handler failed (%s); it was %s and "
			"replaced", strerror(e), how);
	return 0;
}

/*
 * RLIMIT_CPU counts a handler's whole life, not one call: a handler that
 * served many calls would be killed in the middle of an honest one.  It
 * cannot start threads or processes (seccomp, RLIMIT_NPROC 0), so a call
 * costs it at most its deadline in CPU time: 1 while that still fits
 * under the limit (or half the limit, for a deadline longer than that), 0
 * when the handler should be replaced before the call.  Its age bounds its
 * CPU time, so the clock is read only for a handler old enough to matter.
 */
static int cpu_room(const struct dg_umd *u)
{
	uint64_t limit = u->d.rlimit_cpu * 1000000000u;
	uint64_t need = (uint64_t)u->d.timeout_ms * 1000000u;
	/* The process's CPUCLOCK_PROF, what RLIMIT_CPU is checked against. */
	clockid_t clk = (clockid_t)((~(unsigned int)u->pid) << 3);
	struct timespec ts;

	if (u->d.rlimit_cpu > UINT64_MAX / 1000000000u)
		return 1;	/* no limit to speak of */
	if (need > limit / 2)
		need = limit / 2;
	if (now_ns() - u->start_ns + need < limit)
		return 1;
	if (clock_gettime(clk, &ts) < 0)
		return 1;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec + need < limit;
}

/* Create the bulk memfd (sparse, max_frame bytes) and its read-only twin. */
static int bulk_setup(struct dg_umd *u)
{
	char path[64];
	int r;

	if (u->bulk_fd >= 0)
		return 0;
	u->bulk_fd = memfd_create("dg-umd-bulk", MFD_CLOEXEC);
	if (u->bulk_fd < 0)
		return -errno;
	u->bulk_hw = 0;
	if (ftruncate(u->bulk_fd, u->d.max_frame) < 0)
		goto fail;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", u->bulk_fd);
	u->bulk_ro = open(path, O_RDONLY | O_CLOEXEC);
	if (u->bulk_ro < 0)
		goto fail;
	/* Copying into a mapping that stays is about twice as fast as pwrite()
	 * once the pages exist (no per-page lookup); pwrite() if it fails. */
	u->bulk_map = mmap(NULL, u->d.max_frame, PROT_READ | PROT_WRITE, MAP_SHARED,
			   u->bulk_fd, 0);
	if (u->bulk_map == MAP_FAILED)
		u->bulk_map = NULL;
	return 0;
fail:
	r = -errno;	/* before close() can change errno */
	close(u->bulk_fd);
	u->bulk_fd = -1;
	return r;
}

/* @len bytes at @p into the bulk file at @at, with pwrite(). */
static int bulk_pwrite(struct dg_umd *u, const uint8_t *p, size_t len, size_t at)
{
	size_t off = 0;

	while (off < len) {
		ssize_t w = pwrite(u->bulk_fd, p + off, len - off, (off_t)(at + off));

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -EIO;
		off += (size_t)w;
	}
	return 0;
}

/*
 * The request's pieces, one after the other, into the bulk file.  Through
 * the mapping where earlier requests gave the file its pages (a copy, ~20
 * times faster than pwrite() there), with pwrite() past them: a first
 * write through a shared mapping takes a page fault per page, pwrite()
 * allocates them in one call (1 MiB: 0.3 against 0.6 ms here).
 */
static int bulk_write(struct dg_umd *u, const struct iovec *req, int n)
{
	size_t at = 0;
	int i, r;

	for (i = 0; i < n; i++) {
		const uint8_t *p = req[i].iov_base;
		size_t len = req[i].iov_len, mapped = 0;

		if (u->bulk_map && at < u->bulk_hw) {
			/* only we can resize the file: no SIGBUS */
			mapped = u->bulk_hw - at < len ? u->bulk_hw - at : len;
			memcpy(u->bulk_map + at, p, mapped);
		}
		if (len > mapped && (r = bulk_pwrite(u, p + mapped, len - mapped, at + mapped)) < 0)
			return r;
		at += len;
	}
	if (at > u->bulk_hw)
		u->bulk_hw = at;
	return 0;
}

/*
 * Send one request frame of @len bytes, the @n pieces at @req; its id goes
 * to *@id for read_answer().
 */
static int send_request(struct dg_umd *u, uint16_t type, const struct iovec *req, int n,
			size_t len, uint64_t deadline, uint32_t *id)
{
	uint8_t hdr[DG_FRAME_HDR_LEN], bulk[8];
	struct dg_frame_hdr h = {
		.magic = DG_FRAME_MAGIC, .version = DG_FRAME_VERSION,
		.type = type, .id = ++u->next_id, .len = (uint32_t)len,
	};
	struct iovec v[1 + DG_UMD_IOV_MAX] = { { .iov_base = hdr, .iov_len = sizeof(hdr) } };
	int r, i, cnt = 1, pass_fd = -1;

	if (u->cur_timeout_ms != u->d.timeout_ms) {
		r = set_timeouts(u, u->d.timeout_ms);	/* sets u->err; nothing sent yet */
		if (r < 0)
			return r;
	}
	if (len >= UMD_BULK_MIN && type != DG_MSG_HELLO &&
	    !(u->d.flags & DG_UMD_FRESH_PER_CALL) && bulk_setup(u) == 0 &&
	    bulk_write(u, req, n) == 0) {
		/* The handler reads the bytes from its read-only mapping. */
		put_le16(bulk, type);
		put_le16(bulk + 2, 0);
		put_le32(bulk + 4, (uint32_t)len);
		h.type = DG_MSG_BULK;
		h.len = sizeof(bulk);
		v[cnt].iov_base = bulk;
		v[cnt++].iov_len = sizeof(bulk);
		if (!u->bulk_sent)
			pass_fd = u->bulk_ro;
	} else {
		for (i = 0; i < n; i++)
			if (req[i].iov_len)
				v[cnt++] = req[i];
	}
	dg_frame_encode(hdr, &h);
	u->sending = 1;
	r = send_all(u, v, cnt, deadline, pass_fd);
	if (r < 0)
		fail_handler(u, r);
	u->sending = 0;
	if (r < 0)
		return r;
	if (pass_fd >= 0)
		u->bulk_sent = 1;
	*id = h.id;
	return 0;
}

static uint64_t deadline_from_now(const struct dg_umd *u)
{
	return now_ns() + (uint64_t)u->d.timeout_ms * 1000000u;
}

/* Receive the answer to request @id, @type; kills the handler on failure. */
static int recv_answer(struct dg_umd *u, uint32_t id, uint16_t type, size_t len,
		       uint64_t deadline, struct dg_umd_answer *ans)
{
	int r = read_answer(u, id, type, deadline, ans);

	/* Even -ENOMEM: the frame is half read, the stream out of step. */
	if (r < 0) {
		fail_handler(u, r);
		return r;
	}
	u->st.bytes_out += len;
	u->st.bytes_in += ans->len;
	return 0;
}

static int call_raw(struct dg_umd *u, uint16_t type, const struct iovec *req, int n,
		    size_t len, struct dg_umd_answer *ans)
{
	uint64_t deadline = deadline_from_now(u);
	uint32_t id;
	int r = send_request(u, type, req, n, len, deadline, &id);

	return r < 0 ? r : recv_answer(u, id, type, len, deadline, ans);
}

static void startup_err(struct dg_umd *u)
{
	char prev[sizeof(u->err)];

	memcpy(prev, u->err, sizeof(prev));
	snprintf(u->err, sizeof(u->err), "%s (during start-up)", prev);
}

/* Read and check the hello that dg_umd_launch() sent. */
static int finish_hello(struct dg_umd *u)
{
	struct dg_umd_answer ans = { 0 };
	struct dg_cur c;
	uint32_t max, abi;
	int r;

	u->hello_pending = 0;
	r = recv_answer(u, u->hello_id, DG_MSG_HELLO, 4, deadline_from_now(u), &ans);
	if (r < 0) {
		startup_err(u);
		if (u->sock >= 0)
			reap(u, NULL, 0, 0);
		return r;
	}
	c = cur_init(ans.data, ans.len);
	if (ans.type != (DG_MSG_HELLO | DG_MSG_ANSWER) || cur_le32(&c, &max) < 0 ||
	    cur_le32(&c, &abi) < 0 || max == 0 || max > u->d.max_frame) {
		dg_umd_answer_free(&ans);
		set_err(u, "handler answered start-up with a malformed hello");
		reap(u, NULL, 0, 0);
		u->killed = 1;
		u->st.failures++;	/* a bad frame, as fail_handler() counts one */
		return -EBADMSG;
	}
	u->max = max;
	u->st.sandbox_landlock = (int)abi;
	u->st.last_start_ns = now_ns() - u->start_ns;
	dg_umd_answer_free(&ans);
	return 0;
}

int dg_umd_start(struct dg_umd *u)
{
	int r = dg_umd_launch(u);

	if (r < 0 || !u->hello_pending)
		return r;
	r = finish_hello(u);
	/*
	 * Gone (or speaking out of turn) after its hello, before any request:
	 * replaced once, as a handler between calls is, so that the request
	 * does not fail for it.  One that dies before its hello is a start-up
	 * failure (no loop of starts for a handler that cannot start).
	 */
	if (r == 0 && !idle_handler_usable(u)) {
		r = dg_umd_launch(u);
		if (r == 0 && u->hello_pending)
			r = finish_hello(u);
	}
	return r;
}

/* dg_sandbox_spawn() callback: copy the embedded handler into the memfd. */
static int fill_exec(void *arg)
{
	struct dg_umd *u = arg;
	int r = dg_loader_memfd_fill(u->exec_fd, u->d.blob, u->d.blob_len, u->d.blob_sha256);

	u->exec_filled = r == 0;
	u->fill_err = r < 0;
	return r;
}

/* A memfd not (or not rightly) filled is never kept: start over next time. */
static void drop_unfilled(struct dg_umd *u)
{
	if (u->exec_fd >= 0 && !u->exec_filled) {
		close(u->exec_fd);
		u->exec_fd = -1;
	}
}

int dg_umd_launch(struct dg_umd *u)
{
	struct dg_sandbox_cfg cfg = {
		.name = u->name, .rlimit_as = u->d.rlimit_as,
		.rlimit_cpu = u->d.rlimit_cpu,
		.namespaces = !(u->d.flags & DG_UMD_NO_NAMESPACES),
	};
	struct dg_sandbox_proc p;
	uint8_t hello[4];
	int sv[2], r;

	/* A running handler serves on, unless it went away or spoke out of turn. */
	if (u->sock >= 0 && (u->hello_pending || idle_handler_usable(u))) {
		if (u->hello_pending || cpu_room(u))
			return 0;
		/* Not a failure: it did its work, and has no time left for more. */
		reap(u, NULL, 0, 0);
		set_err(u, "handler replaced before a call that could take it over its "
			"CPU time limit of %llu s", (unsigned long long)u->d.rlimit_cpu);
	}
	u->start_ns = now_ns();
	if (u->exec_fd < 0) {
		/* Made once; filled while the first child sets up (fill_exec). */
		r = dg_loader_memfd_create(u->name);
		if (r < 0) {
			set_err(u, "cannot load handler into a memfd: %s", strerror(-r));
			return r;
		}
		u->exec_fd = r;
		u->exec_filled = u->fill_err = 0;
	}
	if (!u->exec_filled) {
		cfg.prepare_exec = fill_exec;
		cfg.prepare_arg = u;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		r = -errno;
		set_err(u, "socketpair: %s", strerror(-r));
		drop_unfilled(u);
		return r;
	}
	r = dg_sandbox_spawn(&cfg, u->exec_fd, sv[1], &p);
	close(sv[1]);
	drop_unfilled(u);
	if (r < 0) {
		close(sv[0]);
		if (r == -EKEYREJECTED)
			set_err(u, "embedded handler does not match its build-time SHA-256");
		else if (u->fill_err)
			set_err(u, "cannot load handler into a memfd: %s", strerror(-r));
		else
			set_err(u, "cannot start sandboxed handler: %s", strerror(-r));
		return r;
	}
	u->sock = sv[0];
	u->pid = p.pid;
	u->pidfd = p.pidfd;
	u->cur_timeout_ms = 0;
	u->max = u->d.max_frame;
	u->st.starts++;
	if (u->killed)
		u->st.restarts++;
	u->killed = 0;
	u->st.sandbox_namespaces = p.namespaces;

	put_le32(hello, u->d.max_frame);
	r = send_request(u, DG_MSG_HELLO, &(struct iovec){ hello, sizeof(hello) }, 1,
			 sizeof(hello), deadline_from_now(u),
			 &u->hello_id);
	if (r < 0) {
		startup_err(u);
		if (u->sock >= 0)
			reap(u, NULL, 0, 0);
		return r;
	}
	u->hello_pending = 1;
	return 0;
}

int dg_umd_starting(struct dg_umd *u)
{
	struct pollfd pfd;

	if (!u || !u->hello_pending || u->sock < 0)
		return 0;
	pfd.fd = u->sock;
	pfd.events = POLLIN;
	pfd.revents = 0;
	/* Readable (the hello, or EOF from a handler that failed) ends it. */
	return poll(&pfd, 1, 0) == 0;
}

int dg_umd_call(struct dg_umd *u, uint16_t type, const void *req, size_t len,
		struct dg_umd_answer *ans)
{
	struct iovec v = { .iov_base = (void *)req, .iov_len = len };

	if (len && !req)
		return -EINVAL;
	return dg_umd_callv(u, type, &v, 1, ans);
}

int dg_umd_callv(struct dg_umd *u, uint16_t type, const struct iovec *req, int n,
		 struct dg_umd_answer *ans)
{
	size_t len = 0;
	int r, i;

	if (!u || !ans || n < 0 || n > DG_UMD_IOV_MAX || (n && !req))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (req[i].iov_len && !req[i].iov_base)
			return -EINVAL;
		if (req[i].iov_len > SIZE_MAX - len)
			return -E2BIG;
		len += req[i].iov_len;
	}
	memset(ans, 0, sizeof(*ans));
	if (type < DG_MSG_USER || (type & DG_MSG_ANSWER)) {
		set_err(u, "request type 0x%x is reserved", type);
		return -EINVAL;
	}
	if (len > u->d.max_frame) {
		set_err(u, "request of %zu bytes exceeds the maximum frame %u",
			len, u->d.max_frame);
		return -E2BIG;
	}
	if ((u->d.flags & DG_UMD_FRESH_PER_CALL) && u->sock >= 0)
		reap(u, NULL, 0, 0);
	r = dg_umd_start(u);
	if (r < 0)
		return r;
	if (len > u->max) {
		/* The handler may have settled on less than we offered. */
		set_err(u, "request of %zu bytes exceeds the handler's maximum frame %u",
			len, u->max);
		return -E2BIG;
	}
	r = call_raw(u, type, req, n, len, ans);
	if (r < 0)
		return r;
	if (ans->type == DG_MSG_ERROR) {
		int malformed;

		r = error_frame(u, ans, &malformed);
		dg_umd_answer_free(ans);
		if (malformed)
			fail_handler(u, r);
		else if (u->d.flags & DG_UMD_FRESH_PER_CALL)
			reap(u, NULL, 0, 0);
		return r;
	}
	u->st.calls++;
	if (u->d.flags & DG_UMD_FRESH_PER_CALL)
		reap(u, NULL, 0, 0);
	return 0;
}

const char *dg_umd_last_error(const struct dg_umd *u)
{
	return u ? u->err : "no handler";
}

int dg_umd_stop(struct dg_umd *u)
{
	if (!u)
		return -EINVAL;
	reap(u, NULL, 0, 0);
	return 0;
}

void dg_umd_free(struct dg_umd *u)
{
	if (!u)
		return;
	reap(u, NULL, 0, 0);
	if (u->exec_fd >= 0)
		close(u->exec_fd);
	if (u->bulk_map)
		munmap(u->bulk_map, u->d.max_frame);
	if (u->bulk_fd >= 0)
		close(u->bulk_fd);
	if (u->bulk_ro >= 0)
		close(u->bulk_ro);
	free(u);
}

void dg_umd_stats(const struct dg_umd *u, struct dg_umd_stats *st)
{
	*st = u->st;
}

int dg_umd_pid(const struct dg_umd *u)
{
	return u && u->sock >= 0 ? (int)u->pid : 0;
}

void dg_umd_set_timeout(struct dg_umd *u, int timeout_ms)
{
	if (timeout_ms > 0)
		u->d.timeout_ms = timeout_ms;
}

void dg_umd_answer_free(struct dg_umd_answer *ans)
{
	if (!ans)
		return;
	free(ans->data);
	ans->data = NULL;
	ans->len = 0;
}

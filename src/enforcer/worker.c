// SPDX-License-Identifier: MIT
/*
 * The worker: reads fanotify permission events, decides, answers, then
 * logs and measures.  Single-threaded on the hot path; the database reload
 * runs in its own thread (allowlist.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "allowlist.h"
#include "cache.h"
#include "enforcer_int.h"
#include "filehash.h"
#include "imalog.h"
#include "log.h"
#include "sha256.h"
#include "tpm.h"

enum verdict { V_ALLOW, V_DENY };

struct worker {
	struct dg_enf_ctx *ctx;
	const struct dg_enf_config *cfg;
	struct dg_enf_cache *cache;
	struct dg_enf_allow *allow;
	struct dg_ima_log *ima;
	struct dg_tpm *tpm;
	pid_t self;
	/* The exec event just answered: its own FAN_OPEN_PERM follows. */
	pid_t last_exec_pid;
	struct dg_enf_key last_exec_key;
	/* Generation the per-file ignore marks were made under. */
	uint32_t marks_gen;
	int per_file_ignore;
};

/* What one event came to, for the log line written after the answer. */
struct outcome {
	enum verdict v;
	int logged;		/* write a log line */
	int hashed;		/* measure */
	const char *what;	/* exec, ld.so, lib, script */
	const char *reason;
	char detail[160];
	uint8_t digest[32];
	int have_digest;
	int mark_ignore;	/* allowlisted: put the per-file ignore mark */
	uint64_t hash_ns, hash_cpu_ns;
};

uint64_t dg_enf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* CPU time of this thread: hashing speed that other load does not skew. */
static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int dg_enf_respond(int gfd, int fd, int allow)
{
	struct fanotify_response r = { .fd = fd, .response = allow ? FAN_ALLOW : FAN_DENY };

	if (write(gfd, &r, sizeof(r)) != sizeof(r))
		return -errno;
	return 0;
}

void dg_enf_log(int log_fd, const char *fmt, ...)
{
	char line[PATH_MAX + 512];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n, m;

	if (log_fd < 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = (int)strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
	n += snprintf(line + n, sizeof(line) - (size_t)n, ".%06ldZ ", ts.tv_nsec / 1000);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	/* O_APPEND and one write(): lines from both processes never interleave. */
	if (write(log_fd, line, (size_t)n) < 0)
		return;
}

static int key_of(int fd, struct dg_enf_key *k, mode_t *mode)
{
	struct statx sx;

	/* The i_version change cookie (STATX_CHANGE_COOKIE) is kernel-internal:
	 * statx does not report it to user space, so ctime carries the version. */
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS, &sx) < 0)
		return -errno;
	memset(k, 0, sizeof(*k));
	k->dev = (uint64_t)sx.stx_dev_major << 32 | sx.stx_dev_minor;
	k->ino = sx.stx_ino;
	k->size = sx.stx_size;
	k->mtime_ns = sx.stx_mtime.tv_sec * 1000000000ll + sx.stx_mtime.tv_nsec;
	k->ctime_ns = sx.stx_ctime.tv_sec * 1000000000ll + sx.stx_ctime.tv_nsec;
	*mode = sx.stx_mode;
	return 0;
}

static int same_key(const struct dg_enf_key *a, const struct dg_enf_key *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* SHA-256 of the whole file behind @fd, then check it did not change. */
static int hash_fd(struct worker *w, int fd, const struct dg_enf_key *k, uint8_t out[32])
{
	struct dg_enf_key after;
	mode_t mode;
	int r;

	r = dg_enf_hash_fd(fd, k->size, w->cfg->hash_max, out);
	if (r < 0)
		return r;
	/* A write during hashing: the digest matches no single version. */
	if (key_of(fd, &after, &mode) < 0 || !same_key(&after, k))
		return -ESTALE;
	return 0;
}

enum dg_enf_class dg_enf_classify(int fd)
{
	uint8_t m[4];
	ssize_t n = pread(fd, m, sizeof(m), 0);

	if (n == 4 && !memcmp(m, "\177ELF", 4))
		return DG_CLASS_ELF;
	if (n >= 2 && m[0] == '#' && m[1] == '!')
		return DG_CLASS_SCRIPT;
	return DG_CLASS_OTHER;
}

static int exe_of(pid_t pid, char *out, size_t len)
{
	char p[64];
	ssize_t n;

	snprintf(p, sizeof(p), "/proc/%d/exe", (int)pid);
	n = readlink(p, out, len - 1);
	if (n < 0)
		return -errno;
	out[n] = '\0';
	return 0;
}

static const char *base_of(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* The process is the dynamic loader run as a program ("ld.so ./bin"). */
static int is_ldso(const char *exe)
{
	const char *b = base_of(exe);

	return !strncmp(b, "ld-linux", 8) || !strncmp(b, "ld.so", 5) ||
	       !strncmp(b, "ld-musl", 7) || !strncmp(b, "ld64.so", 7);
}

static int is_interpreter(const char *exe)
{
	static const char *const exact[] = {
		"sh", "bash", "dash", "zsh", "ksh", "ksh93", "mksh", "ash", "busybox",
		"csh", "tcsh", "fish", "awk", "gawk", "mawk", "nawk", "node", "nodejs",
		"tclsh", "wish", "Rscript", "pwsh", "guile", NULL,
	};
	static const char *const prefix[] = { "python", "perl", "ruby", "php", "lua", NULL };
	const char *b = base_of(exe);
	size_t i;

	for (i = 0; exact[i]; i++)
		if (!strcmp(b, exact[i]))
			return 1;
	for (i = 0; prefix[i]; i++)
		if (!strncmp(b, prefix[i], strlen(prefix[i])))
			return 1;
	return 0;
}

const char *dg_enf_open_check(const struct dg_enf_config *cfg, pid_t pid,
			      enum dg_enf_class cls)
{
	char exe[PATH_MAX];
	int have_exe = -1;

	if (cls == DG_CLASS_ELF) {
		if (cfg->libs)
			return "lib";
		have_exe = exe_of(pid, exe, sizeof(exe));
		if (have_exe == 0 && is_ldso(exe))
			return "ld.so";
	}
	if (!cfg->scripts)
		return NULL;
	if (cls == DG_CLASS_SCRIPT)
		return "script";
	if (cls == DG_CLASS_ELF)
		return NULL;
	if (have_exe < 0)
		have_exe = exe_of(pid, exe, sizeof(exe));
	return have_exe == 0 && is_interpreter(exe) ? "script" : NULL;
}

static void on_error(struct worker *w, struct outcome *o, const char *why, int err)
{
	o->v = w->cfg->on_error_allow ? V_ALLOW : V_DENY;
	o->reason = w->cfg->on_error_allow ? "error-allowed" : "error-denied";
	snprintf(o->detail, sizeof(o->detail), "%s: %s", why, strerror(-err));
	o->logged = 1;
}

static void decide(struct worker *w, const struct fanotify_event_metadata *ev,
		   struct outcome *o)
{
	const struct dg_enf_config *cfg = w->cfg;
	int exec = !!(ev->mask & FAN_OPEN_EXEC_PERM);
	struct dg_enf_entry *e;
	struct dg_enf_key k;
	const char *source = NULL;
	uint32_t gen;
	mode_t mode;
	int r;

	memset(o, 0, sizeof(*o));
	o->v = V_ALLOW;
	o->what = exec ? "exec" : "open";
	if (ev->pid == w->self || ev->pid == w->ctx->supervisor)
		return;		/* our own accesses: never wait on ourselves */
	r = key_of(ev->fd, &k, &mode);
	if (r < 0) {
		on_error(w, o, "statx", r);
		return;
	}
	if (!S_ISREG(mode))
		return;
	if (!exec && ev->pid == w->last_exec_pid && same_key(&k, &w->last_exec_key))
		return;		/* the FAN_OPEN_PERM of an exec just allowed */
	e = dg_enf_cache_get(w->cache, &k);
	if (!exec) {
		enum dg_enf_class cls = e ? e->cls : DG_CLASS_UNKNOWN;

		if (cls == DG_CLASS_UNKNOWN) {
			cls = dg_enf_classify(ev->fd);
			if (!e)
				e = dg_enf_cache_put(w->cache, &k);
			if (e)
				e->cls = (uint8_t)cls;
		}
		o->what = dg_enf_open_check(cfg, ev->pid, cls);
		if (!o->what)
			return;
	}
	o->logged = 1;
	if (!e)
		e = dg_enf_cache_put(w->cache, &k);
	if (e && e->have_digest) {
		memcpy(o->digest, e->digest, 32);
	} else {
		uint64_t t0 = dg_enf_now_ns(), c0 = thread_cpu_ns();

		r = hash_fd(w, ev->fd, &k, o->digest);
		o->hash_ns = dg_enf_now_ns() - t0;
		o->hash_cpu_ns = thread_cpu_ns() - c0;
		atomic_fetch_add(&w->ctx->j->hashed, 1);
		if (r < 0) {
			on_error(w, o, r == -E2BIG ? "file over the hash size limit" :
				 r == -ESTALE ? "file changed while hashing" : "hash", r);
			if (e)
				e->key.size = UINT64_MAX;	/* never reuse */
			return;
		}
		o->hashed = 1;
		if (e) {
			memcpy(e->digest, o->digest, 32);
			e->have_digest = 1;
		}
	}
	o->have_digest = 1;
	gen = dg_enf_allow_refresh(w->allow);
	if (e && e->gen == gen && e->gen) {
		r = e->found;
	} else {
		r = dg_enf_allow_lookup(w->allow, o->digest, &gen, &source);
		if (r >= 0 && e) {
			e->found = (int8_t)r;
			e->gen = gen;
		}
	}
	if (r < 0) {
		on_error(w, o, "database lookup", r);
	} else if (r == 1) {
		o->v = V_ALLOW;
		o->reason = "allowlisted";
		if (w->per_file_ignore && e && e->ignore_gen != w->marks_gen) {
			o->mark_ignore = 1;
			e->ignore_gen = w->marks_gen;
		}
		if (source)
			snprintf(o->detail, sizeof(o->detail), "source=%s", source);
	} else {
		o->v = V_DENY;
		o->reason = "not-in-database";
	}
	if (exec && o->v == V_ALLOW) {
		w->last_exec_pid = ev->pid;
		w->last_exec_key = k;
	}
}

static const char *hash_us(const struct outcome *o, const struct fanotify_event_metadata *ev)
{
	static char b[64];
	struct stat st;

	snprintf(b, sizeof(b), " size=%lld hash_us=%llu hash_cpu_us=%llu",
		 fstat(ev->fd, &st) == 0 ? (long long)st.st_size : -1LL,
		 (unsigned long long)(o->hash_ns / 1000),
		 (unsigned long long)(o->hash_cpu_ns / 1000));
	return b;
}

#ifndef FAN_MARK_EVICTABLE
#define FAN_MARK_EVICTABLE 0x00000200	/* Linux 5.19 */
#endif

/*
 * After an allowlisted decision: an ignore mark for FAN_OPEN_PERM on the
 * file, so the FAN_OPEN_PERM that follows every exec of it (and ld.so or
 * library opens of it) is not even generated — half the events of an
 * exec.  Only for files no one but root can change (owner root, not
 * group/other writable: a write by anyone else is impossible, and the
 * kernel clears the ignore mask on a modification anyway); evictable, so
 * it pins no inode; all dropped whenever the generation changes.  Execs
 * themselves (FAN_OPEN_EXEC_PERM) are never ignored.
 */
static void ignore_allowlisted(struct worker *w, const struct fanotify_event_metadata *ev)
{
	struct stat st;

	if (!w->per_file_ignore || fstat(ev->fd, &st) < 0 || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)))
		return;
	if (fanotify_mark(w->ctx->gfd, FAN_MARK_ADD | FAN_MARK_IGNORED_MASK | FAN_MARK_EVICTABLE,
			  FAN_OPEN_PERM, ev->fd, NULL) < 0)
		w->per_file_ignore = 0;	/* e.g. no FAN_MARK_EVICTABLE: never pin */
}

/* A new generation may revoke files we ignore: drop every per-file mark. */
static void sync_ignore_marks(struct worker *w)
{
	uint32_t gen = dg_enf_allow_refresh(w->allow);

	if (!w->per_file_ignore || gen == w->marks_gen)
		return;
	/* Only our own marks are inode marks here (ctx->per_file_ignore). */
	fanotify_mark(w->ctx->gfd, FAN_MARK_FLUSH, 0, AT_FDCWD, "/");
	dg_enf_ignore_own_dirs(w->ctx->gfd, w->cfg);
	w->marks_gen = gen;
}

static void after(struct worker *w, const struct fanotify_event_metadata *ev,
		  const struct outcome *o, int answered_allow)
{
	char fdp[64], path[PATH_MAX], hex[65];
	ssize_t n;

	if (o->mark_ignore)
		ignore_allowlisted(w, ev);

	if (!o->logged || (w->ctx->log_fd < 0 && !(w->ima && o->hashed)))
		return;
	snprintf(fdp, sizeof(fdp), "/proc/self/fd/%d", ev->fd);
	n = readlink(fdp, path, sizeof(path) - 1);
	if (n < 0)
		n = snprintf(path, sizeof(path), "?");
	path[n] = '\0';
	if (w->ima && o->hashed) {
		int r = dg_ima_log_measure(w->ima, o->digest, path);

		if (r < 0)
			dg_enf_log(w->ctx->log_fd, "error measure path=%s: %s", path,
				   strerror(-r));
	}
	if (o->have_digest)
		dg_hex(hex, o->digest, 32);
	else
		strcpy(hex, "-");
	/* hash_us only when this event hashed the file (a cache miss). */
	dg_enf_log(w->ctx->log_fd, "%s %s pid=%d path=%s sha256=%s reason=%s%s%s%s",
		   o->v == V_DENY ? (answered_allow ? "audit-deny" : "deny") : "allow",
		   o->what, (int)ev->pid, path, hex, o->reason ? o->reason : "-",
		   o->detail[0] ? " " : "", o->detail, o->hashed ? hash_us(o, ev) : "");
}

static int handle_batch(struct worker *w, const uint8_t *buf, size_t len)
{
	struct dg_enf_journal *j = w->ctx->j;
	const struct fanotify_event_metadata *ev;
	size_t i, nev = 0;
	size_t rest = len;

	/* First journal every fd of the batch, then decide. */
	for (ev = (const void *)buf; FAN_EVENT_OK(ev, rest); ev = FAN_EVENT_NEXT(ev, rest)) {
		if (ev->vers != FANOTIFY_METADATA_VERSION)
			return -EPROTO;
		if (nev < DG_JOURNAL_SLOTS)
			atomic_store(&j->fds[nev], ev->fd);
		nev++;
	}
	atomic_store(&j->nslots, (uint32_t)(nev < DG_JOURNAL_SLOTS ? nev : DG_JOURNAL_SLOTS));
	atomic_store(&j->busy_since_ns, dg_enf_now_ns());
	atomic_store(&j->reading, 0);
	sync_ignore_marks(w);
	rest = len;
	i = 0;
	for (ev = (const void *)buf; FAN_EVENT_OK(ev, rest);
	     ev = FAN_EVENT_NEXT(ev, rest), i++) {
		struct outcome o;
		int allow;

		if (ev->fd < 0)
			continue;	/* FAN_NOFD: queue overflow notice */
		decide(w, ev, &o);
		allow = o.v != V_DENY || w->cfg->audit;
		if (dg_enf_respond(w->ctx->gfd, ev->fd, allow) < 0)
			atomic_fetch_add(&j->errors, 1);
		if (i < DG_JOURNAL_SLOTS)
			atomic_store(&j->fds[i], -1);
		atomic_fetch_add(&j->events, 1);
		atomic_fetch_add(allow ? &j->allowed : &j->denied, 1);
		after(w, ev, &o, allow);
		close(ev->fd);
	}
	atomic_store(&j->busy_since_ns, 0);
	atomic_store(&j->nslots, 0);
	return 0;
}

int dg_enf_worker_main(struct dg_enf_ctx *ctx)
{
	/* Sized so one read() returns at most DG_JOURNAL_SLOTS events. */
	static uint8_t evbuf[DG_JOURNAL_SLOTS * sizeof(struct fanotify_event_metadata)]
		__attribute__((aligned(8)));
	/* marks_gen: no epoch yet, so the first batch flushes what an earlier
	 * worker may have marked under an older generation. */
	struct worker w = { .ctx = ctx, .cfg = ctx->cfg, .self = getpid(),
			    .per_file_ignore = ctx->per_file_ignore, .marks_gen = UINT32_MAX };
	char msg[512] = "";
	sigset_t ss;
	int sfd, stopping = 0, rc = 0;

	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sfd = signalfd(-1, &ss, SFD_CLOEXEC | SFD_NONBLOCK);
	w.cache = dg_enf_cache_new(0);
	if (sfd < 0 || !w.cache) {
		dg_err("enforce worker: out of resources");
		return 70;
	}
	if (dg_enf_allow_open(ctx->cfg->state_dir, &w.allow, msg, sizeof(msg)) < 0) {
		dg_err("enforce worker: %s", msg);
		return 70;
	}
	if (ctx->cfg->tpm_tcti && dg_tpm_open(ctx->cfg->tpm_tcti, &w.tpm, msg, sizeof(msg)) < 0) {
		dg_err("enforce worker: %s", msg);
		return 70;
	}
	if (ctx->cfg->measure_path &&
	    dg_ima_log_open_tpm(ctx->cfg->measure_path, w.tpm, &w.ima, msg, sizeof(msg)) < 0) {
		dg_err("enforce worker: %s", msg);
		return 70;
	}
	for (;;) {
		struct pollfd p[2] = { { ctx->gfd, POLLIN, 0 }, { sfd, POLLIN, 0 } };
		ssize_t n;

		if (!stopping && poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = 71;
			break;
		}
		if (p[1].revents) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) == sizeof(si))
				stopping = 1;
		}
		atomic_store(&ctx->j->reading, 1);
		n = read(ctx->gfd, evbuf, sizeof(evbuf));
		if (n <= 0) {
			atomic_store(&ctx->j->reading, 0);
			if (n < 0 && errno == EAGAIN) {
				if (stopping)
					break;	/* drained: every read event is answered */
				continue;
			}
			if (n < 0 && errno == EINTR)
				continue;
			rc = 71;
			break;
		}
		if (handle_batch(&w, evbuf, (size_t)n) < 0) {
			dg_err("enforce worker: unexpected fanotify metadata version");
			rc = 72;
			break;
		}
	}
	dg_ima_log_close(w.ima);
	dg_tpm_close(w.tpm);
	dg_enf_allow_close(w.allow);
	dg_enf_cache_free(w.cache);
	close(sfd);
	return rc;
}

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
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include "allowlist.h"
#include "cache.h"
#include "enforcer_int.h"
#include "filehash.h"
#include "imalog.h"
#include "log.h"
#include "role.h"
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
	/* Generation the per-file ignore marks were made under, and the
	 * epoch of the marks in place (each flush starts a new one). */
	uint32_t marks_gen;
	uint32_t marks_epoch;
	/* FAN_ATTRIB watch (FAN_REPORT_FID group, inode marks) on every file
	 * we put an ignore mark on: a change of owner, mode or ACL flushes
	 * them all.  -1: none, and so no ignore marks either. */
	int afd;
	int per_file_ignore;
	int exec_ignore;		/* ctx->exec_ignore, until a mark fails */
	int fd_dir;			/* /proc/self/fd, or -1 */
	/* CLOCK_REALTIME before the current event's file was read. */
	int64_t content_t0;
	/* --tpm: connected by tpm_thread, attached by the event loop. */
	pthread_t tpm_thread;
	int have_tpm_thread;
	int tpm_efd;			/* eventfd: the thread is done */
	struct dg_tpm *_Atomic tpm_ready;
	char tpm_msg[512];
	/* Lost or never made: the next connection attempt, and the wait
	 * after a failed one (1 s, doubling up to TPM_RETRY_MAX_NS). */
	uint64_t tpm_retry_ns;
	uint64_t tpm_backoff_ns;
	int no_fd_err;			/* errno last said (no_fd_event) */
};

#define TPM_CATCH_UP_BATCH 16	/* extends between two event batches */
#define TPM_RETRY_MIN_NS 1000000000ull
#define TPM_RETRY_MAX_NS 60000000000ull

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
	int role_known;		/* an exec whose role was recorded: @role */
	unsigned role;
	uint64_t hash_ns, hash_cpu_ns;
	struct dg_enf_key key;	/* the file version decided */
	int have_key;
	unsigned path_role;	/* role the database path implies */
	ssize_t path_len;	/* fd_path(): 0 not read yet, -1 failed, else @path's */
	char path[PATH_MAX];	/* last: decide() clears what comes before */
};
/* A field after @path would keep the previous event's value: a stale
 * have_key and path_role gave an exec that failed to hash the roles of
 * the program decided before it. */
_Static_assert(offsetof(struct outcome, path) + PATH_MAX == sizeof(struct outcome),
	       "struct outcome: path must be the last field (decide() clears only what precedes it)");

uint64_t dg_enf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int64_t dg_enf_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
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
	static int lost;
	char line[DG_ENF_LOG_PATH_MAX + 512];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n, m, e;

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
	/* O_APPEND and one write(): lines from both processes never
	 * interleave; on a full disk no half line is left for the next one
	 * to continue into a line nobody wrote. */
	e = dg_append_record(log_fd, line, (size_t)n, -1);
	/* Once per process: the operator learns that lines are missing. */
	if (e < 0 && !lost) {
		lost = 1;
		dg_err("enforce: decision log: %s: lines are lost while it cannot be written",
		       strerror(-e));
	}
}

static void key_from_statx(const struct statx *sx, struct dg_enf_key *k)
{
	memset(k, 0, sizeof(*k));
	k->dev = (uint64_t)sx->stx_dev_major << 32 | sx->stx_dev_minor;
	k->ino = sx->stx_ino;
	k->size = sx->stx_size;
	k->mtime_ns = sx->stx_mtime.tv_sec * 1000000000ll + sx->stx_mtime.tv_nsec;
	k->ctime_ns = sx->stx_ctime.tv_sec * 1000000000ll + sx->stx_ctime.tv_nsec;
}

static int key_of(int fd, struct dg_enf_key *k, mode_t *mode, uid_t *uid)
{
	struct statx sx;

	/* The i_version change cookie (STATX_CHANGE_COOKIE) is kernel-internal:
	 * statx does not report it to user space, so ctime carries the version. */
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS, &sx) < 0)
		return -errno;
	key_from_statx(&sx, k);
	*mode = sx.stx_mode;
	if (uid)
		*uid = sx.stx_uid;
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
	if (key_of(fd, &after, &mode, NULL) < 0 || !same_key(&after, k))
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

int dg_enf_dev_marked(const struct dg_enf_ctx *ctx, uint64_t dev)
{
	size_t i;

	for (i = 0; i < ctx->nmark_devs; i++)
		if (ctx->mark_devs[i] == dev)
			return 1;
	return 0;
}

int dg_enf_open_needs_role(const struct dg_enf_config *cfg, enum dg_enf_class cls)
{
	if (cls == DG_CLASS_ELF)
		return !cfg->libs;
	return cfg->scripts && cls != DG_CLASS_SCRIPT;
}

const char *dg_enf_open_check(const struct dg_enf_config *cfg, enum dg_enf_class cls,
			      unsigned role)
{
	if (cls == DG_CLASS_ELF) {
		if (cfg->libs)
			return "lib";
		if (role & DG_ROLE_LOADER)
			return "ld.so";
		/* --scripts: an interpreter opening any unknown file, an ELF
		 * file too (ctypes, a script that is really a binary). */
		return cfg->scripts && (role & DG_ROLE_INTERP) ? "script" : NULL;
	}
	if (!cfg->scripts)
		return NULL;
	if (cls == DG_CLASS_SCRIPT)
		return "script";
	return (role & DG_ROLE_INTERP) ? "script" : NULL;
}

static void on_error(struct worker *w, struct outcome *o, const char *why, int err)
{
	o->v = w->cfg->on_error_allow ? V_ALLOW : V_DENY;
	o->reason = w->cfg->on_error_allow ? "error-allowed" : "error-denied";
	snprintf(o->detail, sizeof(o->detail), "%s: %s", why, strerror(-err));
	o->logged = 1;
}

/*
 * The digest of @e's file version behind @fd: from the cache, or hashed
 * now (then @o, if not NULL, gets the timings and o->hashed).  0 or
 * negative errno.
 */
static int entry_digest(struct worker *w, int fd, const struct dg_enf_key *k,
			struct dg_enf_entry *e, uint8_t out[32], struct outcome *o)
{
	uint64_t t0, c0;
	int r;

	if (e && e->have_digest) {
		memcpy(out, e->digest, 32);
		return 0;
	}
	t0 = dg_enf_now_ns();
	c0 = thread_cpu_ns();
	r = hash_fd(w, fd, k, out);
	if (o) {
		o->hash_ns = dg_enf_now_ns() - t0;
		o->hash_cpu_ns = thread_cpu_ns() - c0;
	}
	atomic_fetch_add(&w->ctx->j->hashed, 1);
	if (r < 0) {
		if (e)
			dg_enf_cache_forget(e);
		return r;
	}
	if (o)
		o->hashed = 1;
	if (e) {
		memcpy(e->digest, out, 32);
		e->have_digest = 1;
	}
	return 0;
}

/*
 * Look @digest up in the current generation (cached per generation in
 * @e): 1 allowlisted, 0 not, negative errno.  @path_role gets the roles
 * the database's paths for the digest imply (all of them: the same
 * content may be recorded under several names).
 */
static uint32_t sync_ignore_marks(struct worker *w);

static int entry_lookup(struct worker *w, struct dg_enf_entry *e, const uint8_t digest[32],
			const char **source, unsigned *path_role)
{
	uint32_t gen = sync_ignore_marks(w);
	unsigned roles = 0;
	int r;

	*source = NULL;
	if (e && e->gen == gen && e->gen) {
		*path_role = e->path_role;
		return e->found;
	}
	r = dg_enf_allow_lookup(w->allow, digest, &gen, source, NULL, &roles);
	if (w->per_file_ignore && gen != w->marks_gen)
		sync_ignore_marks(w);	/* a newer one came meanwhile */
	*path_role = r == 1 ? roles : 0;
	if (r >= 0 && e) {
		e->found = (int8_t)r;
		e->gen = gen;
		e->path_role = (uint8_t)*path_role;
	}
	return r;
}

static int elf_loader(int fd, struct dg_enf_entry *e)
{
	if (e && e->elf_checked)
		return e->elf_loader;
	if (!e)
		return dg_enf_elf_is_loader(fd);
	e->elf_loader = (uint8_t)dg_enf_elf_is_loader(fd);
	e->elf_checked = 1;
	return e->elf_loader;
}

/*
 * The role (role.h) of the program @pid runs.  Recorded, by content, when
 * we allowed its exec.  An executable on no marked filesystem never raised
 * an exec event; it is never opened or hashed here either (its filesystem
 * may be a FUSE or NFS mount that never answers, which would hang every
 * permission event): it is a loader when it runs without a program
 * interpreter (ld.so itself, or a static program; from /proc/PID/auxv),
 * and an interpreter only by its name.  One on a marked filesystem that is
 * not recorded was started before this enforcer: only its name is left.
 * The supervisor judges the same way while no worker runs.
 */
unsigned dg_enf_opener_role(const struct dg_enf_ctx *ctx, pid_t pid)
{
	struct statx sx;
	unsigned name_role, role;
	uint64_t dev;

	/* pid 0: a process outside our PID namespace (fanotify gives pids as
	 * the reader sees them).  What it runs cannot be known, so its opens
	 * are checked as a loader's and an interpreter's. */
	if (pid <= 0)
		return DG_ROLE_LOADER | DG_ROLE_INTERP;
	if (dg_enf_exe_of(pid, &sx, &dev, &name_role) < 0)
		return name_role;
	if (dg_enf_roles_get(ctx->roles, dev, sx.stx_ino, &role))
		return role | name_role;
	if (dg_enf_dev_marked(ctx, dev) || !S_ISREG(sx.stx_mode))
		return name_role;
	return (dg_enf_runs_without_interp(pid) ? DG_ROLE_LOADER : 0) | name_role;
}

/*
 * The path of the event's file (readlink of our fd for it), read once per
 * event: the role by name and the log line both want it.  Through an open
 * /proc/self/fd, so each call resolves one name, not four.  Its length, or
 * -1 (then "?").
 */
static ssize_t fd_path(struct worker *w, int fd, struct outcome *o)
{
	static const char dir[] = "/proc/self/fd/";
	char full[sizeof(dir) + 16];
	ssize_t n;

	if (o->path_len)
		return o->path_len;
	snprintf(full, sizeof(full), "%s%d", dir, fd);
	/* Relative to the open directory, or the whole path without it. */
	n = readlinkat(w->fd_dir >= 0 ? w->fd_dir : AT_FDCWD,
		       w->fd_dir >= 0 ? full + sizeof(dir) - 1 : full,
		       o->path, sizeof(o->path) - 1);
	if (n < 0) {
		strcpy(o->path, "?");
		return o->path_len = -1;
	}
	o->path[n] = '\0';
	return o->path_len = n;
}

/*
 * Before the answer that lets an exec run: record what the program is,
 * so its later opens are checked by content (role.h).  -ENOSPC if the
 * role table is full; the error of dg_enf_roles_compact() (-EIO, say)
 * if /proc could not be read to make room.
 */
static int record_exec(struct worker *w, const struct fanotify_event_metadata *ev,
		       struct outcome *o)
{
	struct dg_enf_entry *e = dg_enf_cache_get(w->cache, &o->key);
	unsigned role = o->path_role;
	ssize_t n = fd_path(w, ev->fd, o);

	if (n >= 0)
		role |= dg_enf_role_of_name(o->path);
	if (elf_loader(ev->fd, e))
		role |= DG_ROLE_LOADER;
	if (dg_enf_roles_set(w->ctx->roles, o->key.dev, o->key.ino, role) == -ENOSPC) {
		/* Full: forget the programs that are not running any more. */
		int r = dg_enf_roles_compact(w->ctx->roles);

		if (r < 0)
			return r;
		if (dg_enf_roles_set(w->ctx->roles, o->key.dev, o->key.ino, role) < 0)
			return -ENOSPC;
	}
	o->role = role;
	o->role_known = n >= 0;	/* the name was seen too */
	return 0;
}

/*
 * Open for writing by anyone right now (a writable mapping too), or not
 * known: a read lease cannot be had then.  A SIGIO for a lease broken
 * during the probe is ignored (worker main).
 */
static int open_for_writing(int fd)
{
	if (fcntl(fd, F_SETLEASE, F_RDLCK) < 0)
		return 1;
	fcntl(fd, F_SETLEASE, F_UNLCK);
	return 0;
}

/*
 * After reading @e's file (its class or its digest): what makes the read
 * unfit for reuse (cache.h).  Racy timestamps; users other than root who
 * may write it; and anyone who holds it open for writing already, though
 * only root may open it so now: a writable mapping made before a chown or
 * chmod keeps changing the content without a new version.
 */
static void mark_read(struct worker *w, struct dg_enf_entry *e, int fd, uid_t uid, mode_t mode)
{
	dg_enf_cache_mark_racy(e, w->content_t0);
	dg_enf_cache_mark_writable(e, uid, mode);
	if (!e->others_write && open_for_writing(fd))
		e->others_write = 1;
}

static void decide_file(struct worker *w, const struct fanotify_event_metadata *ev,
			struct outcome *o)
{
	const struct dg_enf_config *cfg = w->cfg;
	int exec = !!(ev->mask & FAN_OPEN_EXEC_PERM);
	struct dg_enf_entry *e;
	struct dg_enf_key k;
	const char *source = NULL;
	unsigned path_role = 0;
	mode_t mode;
	uid_t uid;
	int r;

	/* Taken before the file is read: racy entries (cache.h) are judged
	 * against it. */
	w->content_t0 = dg_enf_realtime_ns();
	r = key_of(ev->fd, &k, &mode, &uid);
	if (r < 0) {
		on_error(w, o, "statx", r);
		return;
	}
	if (!S_ISREG(mode))
		return;
	o->key = k;
	o->have_key = 1;
	/* pid 0 (outside our PID namespace) names no one process. */
	if (!exec && ev->pid > 0 && ev->pid == w->last_exec_pid &&
	    same_key(&k, &w->last_exec_key)) {
		w->last_exec_pid = 0;	/* once: later opens are checked again */
		return;		/* the FAN_OPEN_PERM of an exec just allowed */
	}
	e = dg_enf_cache_get(w->cache, &k);
	if (!exec) {
		enum dg_enf_class cls = e ? e->cls : DG_CLASS_UNKNOWN;
		unsigned role = 0;

		if (cls == DG_CLASS_UNKNOWN) {
			cls = dg_enf_classify(ev->fd);
			if (!e)
				e = dg_enf_cache_put(w->cache, &k);
			if (e) {
				e->cls = (uint8_t)cls;
				mark_read(w, e, ev->fd, uid, mode);
			}
		}
		if (dg_enf_open_needs_role(cfg, cls)) {
			role = dg_enf_opener_role(w->ctx, ev->pid);
			/* It may have added entries: @e can have moved. */
			e = dg_enf_cache_get(w->cache, &k);
		}
		o->what = dg_enf_open_check(cfg, cls, role);
		if (!o->what)
			return;
	}
	o->logged = 1;
	if (!e)
		e = dg_enf_cache_put(w->cache, &k);
	r = entry_digest(w, ev->fd, &k, e, o->digest, o);
	if (r < 0) {
		on_error(w, o, r == -E2BIG ? "file over the hash size limit" :
			 r == -ESTALE ? "file changed while hashing" : "hash", r);
		return;
	}
	if (e)
		mark_read(w, e, ev->fd, uid, mode);
	o->have_digest = 1;
	r = entry_lookup(w, e, o->digest, &source, &path_role);
	o->path_role = path_role;
	if (r < 0) {
		on_error(w, o, "database lookup", r);
	} else if (r == 1) {
		o->v = V_ALLOW;
		o->reason = "allowlisted";
		/* Not for a racy version either: a change may hide in its
		 * timestamps, and the mark would outlive it. */
		if (w->per_file_ignore && e && !e->racy &&
		    (e->ignore_gen != w->marks_epoch ||
		     (exec && w->exec_ignore && e->ignore_exec_gen != w->marks_epoch))) {
			o->mark_ignore = 1;
			e->ignore_gen = w->marks_epoch;
		}
		if (source)
			snprintf(o->detail, sizeof(o->detail), "source=%s", source);
	} else {
		o->v = V_DENY;
		o->reason = "not-in-database";
	}
	/* Not for a racy version: its content may change before the open. */
	if (exec && o->v == V_ALLOW && !(e && e->racy)) {
		w->last_exec_pid = ev->pid;
		w->last_exec_key = k;
	}
}

static void decide(struct worker *w, const struct fanotify_event_metadata *ev,
		   struct outcome *o)
{
	int r;

	memset(o, 0, offsetof(struct outcome, path));	/* not the 4 KiB buffer */
	o->v = V_ALLOW;
	o->what = ev->mask & FAN_OPEN_EXEC_PERM ? "exec" : "open";
	if (ev->pid == w->self || ev->pid == w->ctx->supervisor)
		return;		/* our own accesses: never wait on ourselves */
	decide_file(w, ev, o);
	/* A program about to run: its role is known before it can open anything. */
	if ((ev->mask & FAN_OPEN_EXEC_PERM) && o->have_key &&
	    (o->v == V_ALLOW || w->cfg->audit) && (r = record_exec(w, ev, o)) < 0) {
		on_error(w, o, r == -ENOSPC ? "loader/interpreter table full" :
			 "loader/interpreter table full, /proc not readable to make room", r);
		if (o->v == V_DENY && w->last_exec_pid == ev->pid)
			w->last_exec_pid = 0;
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
 * Filesystems whose every change goes through this kernel's VFS, so that
 * the kernel clears an ignore mask when the file's content changes (a
 * write raises FS_MODIFY): not NFS, CIFS, FUSE, 9p or virtiofs (changed on
 * another host or by a daemon), nor overlayfs (layers changed beneath it).
 */
static int fs_changes_seen_here(int fd)
{
	struct statfs sf;

	if (fstatfs(fd, &sf) < 0)
		return 0;
	switch ((unsigned long)sf.f_type) {
	case TMPFS_MAGIC: case RAMFS_MAGIC: case EXT4_SUPER_MAGIC: case XFS_SUPER_MAGIC:
	case BTRFS_SUPER_MAGIC: case F2FS_SUPER_MAGIC: case SQUASHFS_MAGIC:
	case EROFS_SUPER_MAGIC_V1:
		return 1;
	default:
		return 0;
	}
}

static void flush_ignore_marks(struct worker *w);

/*
 * No more ignore marks: those in place go too.  Once marks are off,
 * sync_ignore_marks no longer flushes on a new generation, and marks an
 * earlier worker made have no FAN_ATTRIB watch of ours: left alone, a
 * revoked file would keep running without an event.
 */
static void stop_ignore_marks(struct worker *w)
{
	if (w->per_file_ignore)
		flush_ignore_marks(w);
	w->per_file_ignore = w->exec_ignore = 0;
}

/*
 * After an allowlisted decision: an ignore mark for FAN_OPEN_PERM on the
 * file, so the FAN_OPEN_PERM that follows every exec of it (and ld.so or
 * library opens of it) is not even generated — half the events of an
 * exec.  Only for files no one but root can change (owner root, not
 * group/other writable, which an ACL granting write would make them: a
 * write by anyone else is impossible, and the kernel clears the ignore
 * mask on a modification anyway) on a filesystem whose changes this
 * kernel sees; evictable, so it pins no inode; all dropped whenever the
 * generation changes.
 *
 * The kernel's allow cache (ctx->exec_ignore): after an allowed exec of
 * such a file that has no role (not a loader, not an interpreter: role.h,
 * whose records each exec must renew) and lives on a filesystem whose
 * changes this kernel sees, the mark covers FAN_OPEN_EXEC_PERM too: later
 * execs of the unchanged file run without an event, as IMA skips an
 * unchanged file it has appraised.  What can still change it without
 * FS_MODIFY (a shared writable mapping, the block device) needs root,
 * which DESIGN.md §2 leaves out of reach.  Any write(2) clears the mark;
 * so do a new generation (sync_ignore_marks, before any answer under it)
 * and the inode's eviction.
 *
 * "Only root can change it" must also hold while the mark lives, and the
 * kernel clears an ignore mask on FS_MODIFY only, which a store through a
 * shared writable mapping never raises.  So: no mark while anyone holds
 * the file open for writing (a read lease cannot be had then: the probe
 * below), and a FAN_ATTRIB watch on the file, whose event (chown, chmod,
 * setfacl: whatever could let someone else open it for writing) flushes
 * every mark (flush_ignore_marks).  The chmod's event reaches us after
 * the chmod: a writer that opens, stores and runs the file within that
 * moment is not seen (docs/enforcer.md).
 */
static void ignore_allowlisted(struct worker *w, const struct fanotify_event_metadata *ev,
			       const struct outcome *o)
{
	int exec_cache = (ev->mask & FAN_OPEN_EXEC_PERM) && w->exec_ignore;
	uint64_t mask = FAN_OPEN_PERM;
	struct dg_enf_entry *e;
	struct dg_enf_key k;
	struct stat st;
	mode_t mode;

	if (exec_cache && (e = dg_enf_cache_get(w->cache, &o->key)))
		e->ignore_exec_gen = w->marks_epoch;	/* decided: not again */
	if (!w->per_file_ignore || fstat(ev->fd, &st) < 0 ||
	    !dg_enf_root_writes_only(st.st_uid, st.st_mode) || !fs_changes_seen_here(ev->fd))
		return;
	if (exec_cache && o->role_known && o->role == 0)
		mask |= FAN_OPEN_EXEC_PERM;
	/* Open for writing somewhere (a writable mapping too): no mark. */
	if (open_for_writing(ev->fd))
		return;
	/* Watched for owner, mode and ACL changes first, or no mark (e.g. a
	 * filesystem without file handles). */
	if (w->afd < 0 || fanotify_mark(w->afd, FAN_MARK_ADD | FAN_MARK_EVICTABLE, FAN_ATTRIB,
					 ev->fd, NULL) < 0)
		return;
	if (fanotify_mark(w->ctx->gfd, FAN_MARK_ADD | FAN_MARK_IGNORED_MASK | FAN_MARK_EVICTABLE,
			  mask, ev->fd, NULL) < 0) {
		stop_ignore_marks(w);	/* e.g. no FAN_MARK_EVICTABLE: never pin */
		return;
	}
	/*
	 * A change (by root) between our read and the mark raised its
	 * FS_MODIFY before there was a mask to clear, and a chown or chmod
	 * its FS_ATTRIB before the watch: either shows in the key (mtime,
	 * ctime) instead, and the mark goes again.  A later change clears it.
	 */
	if (key_of(ev->fd, &k, &mode, NULL) < 0 || !same_key(&k, &o->key))
		fanotify_mark(w->ctx->gfd, FAN_MARK_REMOVE | FAN_MARK_IGNORED_MASK, mask, ev->fd, NULL);
}

/* Every per-file ignore mark and FAN_ATTRIB watch goes; a new epoch. */
static void flush_ignore_marks(struct worker *w)
{
	/* Only our own marks are inode marks here (ctx->per_file_ignore). */
	fanotify_mark(w->ctx->gfd, FAN_MARK_FLUSH, 0, AT_FDCWD, "/");
	dg_enf_ignore_own_dirs(w->ctx->gfd, w->cfg);
	if (w->afd >= 0)
		fanotify_mark(w->afd, FAN_MARK_FLUSH, 0, AT_FDCWD, "/");
	w->marks_epoch++;
}

/*
 * A new generation may revoke files we ignore: drop every per-file mark.
 * Called before each batch, after each lookup that met a newer generation
 * (so no answer under a generation leaves an older one's marks behind),
 * and when the reload thread says one is pending (so marks go even while
 * no event comes).  Returns the generation in use.
 */
static uint32_t sync_ignore_marks(struct worker *w)
{
	uint32_t gen = dg_enf_allow_refresh(w->allow);

	if (!w->per_file_ignore || gen == w->marks_gen)
		return gen;
	flush_ignore_marks(w);
	w->marks_gen = gen;
	return gen;
}

/* FAN_ATTRIB on a file we put an ignore mark on: every mark goes. */
static void attrib_changed(struct worker *w)
{
	uint8_t buf[4096] __attribute__((aligned(8)));
	int any = 0;

	while (read(w->afd, buf, sizeof(buf)) > 0)
		any = 1;
	if (any)
		flush_ignore_marks(w);
}

void dg_enf_log_escape(char *out, size_t outlen, const char *in)
{
	static const char hexd[] = "0123456789abcdef";
	size_t o = 0;

	if (!outlen)
		return;
	for (; *in; in++) {
		unsigned char ch = (unsigned char)*in;

		/* File names are attacker-chosen: a newline would forge a line,
		 * a space a field (" reason=allowlisted"). */
		if (ch <= 0x20 || ch == 0x7f || ch == '\\') {
			if (o + 4 >= outlen)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hexd[ch >> 4];
			out[o++] = hexd[ch & 15];
		} else {
			if (o + 1 >= outlen)
				break;
			out[o++] = (char)ch;
		}
	}
	out[o] = '\0';
}

/*
 * Connecting to the TPM may open files (a TCTI host name goes through NSS
 * and /etc/hosts) that can be on a marked mount: done by this thread, the
 * event loop stays free to answer those opens (our own pid: allowed).
 */
static void *tpm_thread(void *arg)
{
	struct worker *w = arg;
	struct dg_tpm *t = NULL;
	uint64_t one = 1;

	if (dg_tpm_open(w->cfg->tpm_tcti, &t, w->tpm_msg, sizeof(w->tpm_msg)) == 0)
		atomic_store(&w->tpm_ready, t);
	if (write(w->tpm_efd, &one, sizeof(one)) < 0)
		return NULL;
	return NULL;
}

/* Start connecting (once at start-up, again after the TPM was lost). */
static int tpm_connect(struct worker *w)
{
	if (w->have_tpm_thread || w->tpm)
		return 0;
	if (pthread_create(&w->tpm_thread, NULL, tpm_thread, w) != 0)
		return -EAGAIN;
	w->have_tpm_thread = 1;
	return 0;
}

/* A failed connection or attach: try again later, waiting longer each time. */
static void tpm_retry_later(struct worker *w)
{
	uint64_t b = w->tpm_backoff_ns ? w->tpm_backoff_ns : TPM_RETRY_MIN_NS;

	w->tpm_retry_ns = dg_enf_now_ns() + b;
	w->tpm_backoff_ns = b * 2 > TPM_RETRY_MAX_NS ? TPM_RETRY_MAX_NS : b * 2;
}

/* In the event loop: take the TPM over and bring it up to the log. */
static void tpm_attach(struct worker *w)
{
	struct dg_tpm *t;
	uint64_t v;
	char msg[512];

	if (read(w->tpm_efd, &v, sizeof(v)) < 0)
		return;
	pthread_join(w->tpm_thread, NULL);
	w->have_tpm_thread = 0;
	t = atomic_exchange(&w->tpm_ready, NULL);
	if (!t) {
		tpm_retry_later(w);
		dg_err("enforce worker: %s; measuring without the TPM, retrying in %llu s",
		       w->tpm_msg, (unsigned long long)((w->tpm_retry_ns - dg_enf_now_ns()) / 1000000000ull + 1));
		dg_enf_log(w->ctx->log_fd, "error tpm: %s", w->tpm_msg);
		return;
	}
	if (w->ima && dg_ima_log_attach_tpm(w->ima, t, msg, sizeof(msg)) < 0) {
		tpm_retry_later(w);
		dg_err("enforce worker: %s; measuring without the TPM, retrying later", msg);
		dg_enf_log(w->ctx->log_fd, "error tpm: %s", msg);
		dg_tpm_close(t);
		return;
	}
	w->tpm = t;
	w->tpm_backoff_ns = 0;
	dg_enf_log(w->ctx->log_fd, "tpm attached");
}

/*
 * After a measurement: a TPM that fell behind the log (its extend failed:
 * the TPM restarted, the connection dropped) is let go, and a new
 * connection made; attaching it extends the missing entries.  Meanwhile
 * entries are only in the log, as the TPM only ever holds a prefix of it.
 */
static void tpm_check(struct worker *w)
{
	const char *why;

	if (!w->tpm || !dg_ima_log_tpm_behind(w->ima, &why))
		return;
	dg_err("enforce worker: TPM: %s; reconnecting", why);
	dg_enf_log(w->ctx->log_fd, "error tpm: %s; reconnecting", why);
	dg_ima_log_detach_tpm(w->ima);
	dg_tpm_close(w->tpm);
	w->tpm = NULL;
	w->tpm_retry_ns = 0;
	if (tpm_connect(w) < 0)
		tpm_retry_later(w);
}

/* Until the next connection attempt is due (0: now), or -1: none. */
static int tpm_connect_ms(const struct worker *w)
{
	uint64_t now;

	if (!w->cfg->tpm_tcti || w->tpm || w->have_tpm_thread || !w->tpm_retry_ns)
		return -1;
	now = dg_enf_now_ns();
	return now >= w->tpm_retry_ns ? 0 : (int)((w->tpm_retry_ns - now) / 1000000u + 1);
}

/* An attached TPM still behind the log: another catch-up batch is due. */
static int tpm_step_due(const struct worker *w)
{
	return w->tpm && w->ima && dg_ima_log_tpm_pending(w->ima);
}

/* Poll timeout: 0 while a catch-up batch is due, else tpm_connect_ms(). */
static int tpm_poll_ms(const struct worker *w)
{
	return tpm_step_due(w) ? 0 : tpm_connect_ms(w);
}

/*
 * One catch-up batch (TPM_CATCH_UP_BATCH extends) between event batches,
 * under the watchdog like an event batch; a failed extend lets the TPM go
 * (tpm_check).
 */
static void tpm_step(struct worker *w)
{
	atomic_store(&w->ctx->j->busy_since_ns, dg_enf_now_ns());
	if (dg_ima_log_tpm_step(w->ima) == 0 && !dg_ima_log_tpm_pending(w->ima))
		dg_enf_log(w->ctx->log_fd, "tpm caught up");
	atomic_store(&w->ctx->j->busy_since_ns, 0);
	tpm_check(w);
}

static void after(struct worker *w, const struct fanotify_event_metadata *ev,
		  struct outcome *o, int answered_allow)
{
	static char epath[DG_ENF_LOG_PATH_MAX];
	const char *path = o->path;
	char hex[65];

	if (o->logged && w->ima && o->hashed) {
		uint8_t pcr[32];
		uint64_t before, now;
		int r;

		fd_path(w, ev->fd, o);
		dg_ima_log_pcr(w->ima, pcr, &before);
		r = dg_ima_log_measure(w->ima, o->digest, path);
		if (r < 0) {
			dg_enf_log_escape(epath, sizeof(epath), path);
			dg_enf_log(w->ctx->log_fd, "error measure path=%s: %s", epath,
				   strerror(-r));
			dg_ima_log_pcr(w->ima, pcr, &now);
			/*
			 * Not written (a full disk): measured at the next
			 * event, which must hash the file again, so neither
			 * cache may keep it.  A log another process changed
			 * takes no entry until a restart (ESTALE): no use.
			 */
			if (now == before && r != -ESTALE) {
				struct dg_enf_entry *e = dg_enf_cache_get(w->cache, &o->key);

				if (e)
					dg_enf_cache_forget(e);
				o->mark_ignore = 0;
			}
		}
		tpm_check(w);
	}
	if (o->mark_ignore)
		ignore_allowlisted(w, ev, o);

	if (!o->logged || w->ctx->log_fd < 0)
		return;
	fd_path(w, ev->fd, o);
	dg_enf_log_escape(epath, sizeof(epath), path);
	if (o->have_digest)
		dg_hex(hex, o->digest, 32);
	else
		strcpy(hex, "-");
	/* hash_us only when this event hashed the file (a cache miss). */
	dg_enf_log(w->ctx->log_fd, "%s %s pid=%d path=%s sha256=%s reason=%s%s%s%s",
		   o->v == V_DENY ? (answered_allow ? "audit-deny" : "deny") : "allow",
		   o->what, (int)ev->pid, epath, hex, o->reason ? o->reason : "-",
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
		/* The watchdog's limit is per event: a batch of slow decisions
		 * that each finish in time is progress, not a hang. */
		atomic_store(&j->busy_since_ns, dg_enf_now_ns());
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

/*
 * read() failed for an event whose fd the kernel could not create (our fd
 * table full: EMFILE; ENFILE, ENOMEM; or opening the file failed): the
 * kernel has denied that event itself (fanotify_read(), audit mode or
 * not), and the events behind it are still queued.  Go on with them: an
 * exit would lose the decision cache, and a failure that lasts would
 * become a crash loop in which the supervisor denies every exec unhashed.
 */
static void no_fd_event(struct worker *w, int err)
{
	dg_enf_log(w->ctx->log_fd, "deny event reason=no-fd: %s (denied by the kernel)",
		   strerror(err));
	atomic_fetch_add(&w->ctx->j->events, 1);
	atomic_fetch_add(&w->ctx->j->denied, 1);
	atomic_fetch_add(&w->ctx->j->errors, 1);
	if (err != w->no_fd_err) {
		w->no_fd_err = err;
		dg_err("enforce worker: an event's file could not be opened (%s): the kernel "
		       "denied it", strerror(err));
	}
}

int dg_enf_worker_main(struct dg_enf_ctx *ctx)
{
	/* Sized so one read() returns at most DG_JOURNAL_SLOTS events. */
	static uint8_t evbuf[DG_JOURNAL_SLOTS * sizeof(struct fanotify_event_metadata)]
		__attribute__((aligned(8)));
	/* marks_gen: no epoch yet, so the first batch flushes what an earlier
	 * worker may have marked under an older generation. */
	struct worker w = { .ctx = ctx, .cfg = ctx->cfg, .self = getpid(),
			    .per_file_ignore = ctx->per_file_ignore,
			    .exec_ignore = ctx->exec_ignore, .marks_gen = UINT32_MAX, .afd = -1,
			    .fd_dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC) };
	char msg[512] = "";
	sigset_t ss;
	int sfd, stopping = 0, rc = 0;

	/* Start-up is under the supervisor's watchdog too, with the longer
	 * start-up deadline (a large log is replayed): a worker that hangs
	 * before its event loop would otherwise hang every exec. */
	atomic_store(&ctx->j->starting, 1);
	atomic_store(&ctx->j->busy_since_ns, dg_enf_now_ns());
	w.tpm_efd = -1;
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sfd = signalfd(-1, &ss, SFD_CLOEXEC | SFD_NONBLOCK);
	w.cache = dg_enf_cache_new(0);
	if (sfd < 0 || !w.cache) {
		dg_err("enforce worker: out of resources");
		return 70;
	}
	if (dg_enf_allow_open(ctx->cfg->state_dir, ctx->db_last, &w.allow, msg, sizeof(msg)) < 0) {
		dg_err("enforce worker: %s", msg);
		return 70;
	}
	if (msg[0] && ctx->db_last) {
		dg_err("enforce worker: %s: new database generation not used, still deciding with "
		       "the previous one: %s", ctx->cfg->state_dir, msg);
		dg_enf_log(ctx->log_fd, "error database: %s; deciding with the previous generation",
			   msg);
	}
	/* The log in our own (ignored) directory; the TPM comes later. */
	if (ctx->cfg->measure_path &&
	    dg_ima_log_open(ctx->cfg->measure_path, &w.ima, msg, sizeof(msg)) < 0) {
		dg_err("enforce worker: %s", msg);
		return 70;
	}
	/* A long catch-up (after an outage) goes in batches between events. */
	if (w.ima)
		dg_ima_log_set_tpm_batch(w.ima, TPM_CATCH_UP_BATCH);
	if (ctx->cfg->tpm_tcti) {
		w.tpm_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (w.tpm_efd < 0 || tpm_connect(&w) < 0) {
			dg_err("enforce worker: cannot start the TPM thread");
			return 70;
		}
	}
	/* A lease broken during a probe (open_for_writing) must not end us. */
	signal(SIGIO, SIG_IGN);
	if (w.per_file_ignore) {
		/* No watch for owner and mode changes: no ignore marks. */
		w.afd = fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_FID | FAN_CLOEXEC | FAN_NONBLOCK,
				      O_RDONLY | O_CLOEXEC);
		if (w.afd < 0) {
			dg_err("enforce worker: no FAN_ATTRIB watch (%s): every open is decided",
			       strerror(errno));
			stop_ignore_marks(&w);
		}
	}
	/* Marks an earlier worker made under an older generation go now. */
	sync_ignore_marks(&w);
	atomic_store(&ctx->j->busy_since_ns, 0);
	atomic_store(&ctx->j->starting, 0);
	for (;;) {
		struct pollfd p[5] = { { ctx->gfd, POLLIN, 0 }, { sfd, POLLIN, 0 },
				       { dg_enf_allow_fd(w.allow), POLLIN, 0 },
				       { w.afd, POLLIN, 0 }, { w.tpm_efd, POLLIN, 0 } };
		ssize_t n;

		int pr = stopping ? 0 : poll(p, w.have_tpm_thread ? 5 : 4, tpm_poll_ms(&w));

		if (pr < 0) {
			if (errno == EINTR)
				continue;
			rc = 71;
			break;
		}
		/* TPM work that is due: also when events keep poll() from
		 * timing out (a busy system would starve it). */
		if (!stopping && tpm_connect_ms(&w) == 0 && tpm_connect(&w) < 0)
			tpm_retry_later(&w);
		if (!stopping && tpm_step_due(&w))
			tpm_step(&w);
		if (pr == 0 && !stopping)
			continue;
		if (p[1].revents) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) == sizeof(si))
				stopping = 1;
		}
		if (p[2].revents) {
			uint64_t v;

			/* A new generation: its marks go before it answers. */
			if (read(p[2].fd, &v, sizeof(v)) < 0) {
				/* EAGAIN: drained already */
			}
			sync_ignore_marks(&w);
			if (!(p[0].revents & POLLIN))
				continue;
		}
		if (p[3].revents) {
			/* An owner or mode change: the marks go before any answer. */
			attrib_changed(&w);
			if (!(p[0].revents & POLLIN))
				continue;
		}
		if (w.have_tpm_thread && p[4].revents) {
			/* PCR read and catch-up talk to the TPM: watched too. */
			atomic_store(&ctx->j->starting, 1);
			atomic_store(&ctx->j->busy_since_ns, dg_enf_now_ns());
			tpm_attach(&w);
			atomic_store(&ctx->j->busy_since_ns, 0);
			atomic_store(&ctx->j->starting, 0);
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
			if (n < 0 && errno != EBADF && errno != EINVAL && errno != EFAULT) {
				no_fd_event(&w, errno);
				continue;
			}
			rc = 71;
			break;
		}
		if (handle_batch(&w, evbuf, (size_t)n) < 0) {
			dg_err("enforce worker: unexpected fanotify metadata version");
			rc = 72;
			break;
		}
	}
	if (w.have_tpm_thread) {
		/* Still connecting: do not wait on a TPM that does not answer. */
		pthread_detach(w.tpm_thread);
	}
	dg_ima_log_close(w.ima);
	dg_tpm_close(w.tpm);
	dg_enf_allow_close(w.allow);
	dg_enf_cache_free(w.cache);
	if (w.fd_dir >= 0)
		close(w.fd_dir);
	if (w.afd >= 0)
		close(w.afd);
	close(sfd);
	return rc;
}

// SPDX-License-Identifier: MIT
/*
 * The supervisor: single-instance lock, fanotify group and marks, the
 * journal page, the worker's lifecycle, and clean stop on SIGTERM/SIGINT.
 * It never reads events while a worker runs; it answers events only for a
 * dead worker (from the journal) or while a crashing worker backs off.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <digestguard/db.h>

#include "enforcer_int.h"
#include "filever.h"
#include "imalog.h"
#include "log.h"
#include "role.h"
#include "tpm.h"

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif
/* Inode number of the initial PID namespace (include/linux/proc_ns.h). */
#define PROC_PID_INIT_INO	0xEFFFFFFCu
#ifndef FAN_MARK_IGNORE
#define FAN_MARK_IGNORE 0x00000400
#endif

/* Events on marked objects we ask for (docs/enforcer.md "What is checked"). */
#define ENF_MASK		(FAN_OPEN_EXEC_PERM | FAN_OPEN_PERM)
/* Time a stopping worker gets to drain the queue before SIGKILL. */
#define STOP_GRACE_MS		5000
/* Backoff for a worker that keeps dying right after start. */
#define RESTART_BACKOFF_MAX_MS	2000
/* How long the supervisor waits for a look at an event's file (probe). */
#define PROBE_TIMEOUT_MS	250

/*
 * The supervisor's own look at an event's file while no worker runs (a
 * regular file? ELF, script or other?) is made by a thread, with a
 * deadline: on a hung network or FUSE mount the look does not come back,
 * and the supervisor, and every marked exec with it, must not wait for
 * it.  Past the deadline the thread stays on that file (with its own dup
 * of the fd) and every event is answered by policy, unread, until it is
 * back.
 */
struct probe {
	pthread_mutex_t mu;
	pthread_cond_t cv;		/* CLOCK_MONOTONIC */
	int started;
	int fd;				/* the next file to look at; -1: none */
	int want_cls;			/* ... and whether to read its first bytes */
	int busy;			/* a look is out (maybe past its deadline) */
	int done;			/* ... and came back with: */
	int regular;
	enum dg_enf_class cls;
};

struct sup {
	const struct dg_enf_config *cfg;
	struct dg_enf_ctx ctx;
	int sfd, lock_fd;
	pid_t worker;
	uint64_t worker_started_ns;
	unsigned fast_fails, restarts;
	int stopping;
	/* `current` as it was when it last failed to open: not tried again
	 * until it changes (track_generation). */
	struct stat db_failed;
	struct probe probe;
};

static void *probe_main(void *arg)
{
	struct probe *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		enum dg_enf_class cls = DG_CLASS_UNKNOWN;
		struct stat st;
		int fd, regular;

		while (p->fd < 0)
			pthread_cond_wait(&p->cv, &p->mu);
		fd = p->fd;
		p->fd = -1;
		pthread_mutex_unlock(&p->mu);
		/* A file fstat() fails on is judged as a regular one. */
		regular = fstat(fd, &st) != 0 || S_ISREG(st.st_mode);
		if (regular && p->want_cls)
			cls = dg_enf_classify(fd);
		close(fd);
		pthread_mutex_lock(&p->mu);
		p->regular = regular;
		p->cls = cls;
		p->done = 1;
		p->busy = 0;
		pthread_cond_broadcast(&p->cv);
	}
	return NULL;
}

static void probe_init(struct probe *p)
{
	pthread_condattr_t ca;

	pthread_mutex_init(&p->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cv, &ca);
	pthread_condattr_destroy(&ca);
	p->fd = -1;
}

/*
 * Is the file of @fd a regular file, and (@want_cls) what class?  0 with
 * the answer; -ETIMEDOUT past the deadline, -EBUSY while an earlier look
 * is still out, another negative errno when no look could be made.
 */
static int probe(struct probe *p, int fd, int want_cls, int *regular, enum dg_enf_class *cls)
{
	struct timespec dl;
	int r = 0;

	pthread_mutex_lock(&p->mu);
	if (p->busy) {
		pthread_mutex_unlock(&p->mu);
		return -EBUSY;
	}
	if (!p->started) {
		pthread_attr_t a;
		pthread_t t;

		pthread_attr_init(&a);
		pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
		r = -pthread_create(&t, &a, probe_main, p);
		pthread_attr_destroy(&a);
		if (r < 0) {
			pthread_mutex_unlock(&p->mu);
			return r;
		}
		p->started = 1;
	}
	p->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (p->fd < 0) {
		r = -errno;
		pthread_mutex_unlock(&p->mu);
		return r;
	}
	p->want_cls = want_cls;
	p->busy = 1;
	p->done = 0;
	pthread_cond_broadcast(&p->cv);
	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_nsec += PROBE_TIMEOUT_MS * 1000000L;
	dl.tv_sec += dl.tv_nsec / 1000000000L;
	dl.tv_nsec %= 1000000000L;
	while (!p->done && r == 0)
		r = -pthread_cond_timedwait(&p->cv, &p->mu, &dl);
	if (p->done) {
		*regular = p->regular;
		*cls = p->cls;
		r = 0;
	} else {
		r = -ETIMEDOUT;
	}
	pthread_mutex_unlock(&p->mu);
	return r;
}

static int take_lock(const char *state, int *fd_out)
{
	char path[PATH_MAX], pid[32];
	int fd, n;

	/* Not created: a mistyped --state must fail, not start empty. */
	snprintf(path, sizeof(path), "%s/enforce.lock", state);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		dg_err("enforce: %s: %s", path, strerror(errno));
		return -errno;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		n = (int)read(fd, pid, sizeof(pid) - 1);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		dg_err("enforce: another enforcer (pid %s) holds %s", pid[0] ? pid : "?", path);
		close(fd);
		return -EBUSY;
	}
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		dg_err("enforce: %s: cannot record our pid", path);
		close(fd);
		return -EIO;
	}
	*fd_out = fd;
	return 0;
}

/* A mark resolved to what fanotify_mark() gets. */
struct mark_plan {
	char path[PATH_MAX];
	unsigned int flags;
	uint64_t mask;
	const char *kind;
};

/*
 * 1 if the mount at @path shows its whole filesystem (its root in
 * /proc/self/mountinfo, field 4, is "/"), 0 if it shows a subtree (a bind
 * mount of a directory) or this cannot be told.
 */
static int mount_shows_whole_fs(const char *path)
{
	struct statx sx;
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	int whole = 0;

	if (statx(AT_FDCWD, path, 0, STATX_MNT_ID, &sx) < 0 || !(sx.stx_mask & STATX_MNT_ID))
		return 0;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return 0;
	while (getline(&line, &cap, f) > 0) {
		unsigned long long id;
		char root[16];

		/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT ..." (proc(5)) */
		if (sscanf(line, "%llu %*u %*s %15s", &id, root) == 2 && id == sx.stx_mnt_id) {
			whole = !strcmp(root, "/");
			break;
		}
	}
	free(line);
	fclose(f);
	return whole;
}

static int is_mount_root(const struct statx *sx)
{
	return (sx->stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	       (sx->stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* Resolve @m: the real path, and mount, filesystem, directory or file mark. */
static int plan_mark(const struct dg_enf_mark *m, struct mark_plan *p)
{
	const char *opt = m->kind == DG_MARK_FILESYSTEM ? "--mark-filesystem" : "--mark";
	struct statx sx;

	p->flags = FAN_MARK_ADD;
	p->mask = ENF_MASK;
	if (!realpath(m->path, p->path)) {
		dg_err("enforce: %s %s: %s", opt, m->path, strerror(errno));
		return -errno;
	}
	if (statx(AT_FDCWD, p->path, 0, STATX_BASIC_STATS, &sx) < 0) {
		dg_err("enforce: %s %s: %s", opt, p->path, strerror(errno));
		return -errno;
	}
	if (m->kind == DG_MARK_FILESYSTEM) {
		p->flags |= FAN_MARK_FILESYSTEM;
		p->kind = "filesystem";
	} else if (is_mount_root(&sx) && mount_shows_whole_fs(p->path)) {
		/*
		 * The operator named a mount point that shows its whole
		 * filesystem: a filesystem mark covers the same files, and
		 * also every other view of them.  A mount mark would not
		 * cover a bind mount elsewhere, nor the copy of the mount in
		 * a new mount namespace, which any user can make where
		 * unprivileged user namespaces are allowed
		 * (`unshare -Urm ./unlisted` ran it without an event).
		 */
		p->flags |= FAN_MARK_FILESYSTEM;
		p->kind = "mount (its whole filesystem, in every mount namespace)";
	} else if (is_mount_root(&sx)) {
		/* A bind mount of a subtree: the filesystem mark would reach
		 * beyond what the operator named.  Warned about at start. */
		p->flags |= FAN_MARK_MOUNT;
		p->kind = "mount (a subtree of its filesystem: not its copies in other "
			  "mount namespaces; see docs/enforcer.md)";
	} else if (S_ISDIR(sx.stx_mode)) {
		p->flags |= FAN_MARK_ONLYDIR;
		p->mask |= FAN_EVENT_ON_CHILD;
		p->kind = "directory (its entries, not subdirectories)";
	} else if (S_ISREG(sx.stx_mode)) {
		p->kind = "file";
	} else {
		dg_err("enforce: %s %s: not a directory, mount point or file", opt, p->path);
		return -EINVAL;
	}
	return 0;
}

/*
 * Every mark must be possible before a worker starts or anything is
 * marked, so a bad --mark fails at once with its path.  The test marks go
 * on a throwaway group of the same class with the same flags and mask (the
 * kernel refuses permission events on some filesystems): nothing reads it,
 * so an event in that window waits until the close below answers it (allow:
 * nothing was enforced yet anyway).  We open nothing meanwhile.
 */
int dg_enforcer_check_marks(const struct dg_enf_config *cfg)
{
	struct mark_plan p;
	size_t i;
	int fd, r = 0;

	for (i = 0; i < cfg->nmarks; i++)
		if ((r = plan_mark(&cfg->marks[i], &p)) < 0)
			return r;
	fd = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		dg_err("enforce: fanotify_init: %s%s", strerror(errno),
		       errno == EPERM ? " (needs CAP_SYS_ADMIN)" : "");
		return r;
	}
	for (i = 0; i < cfg->nmarks && r == 0; i++) {
		if ((r = plan_mark(&cfg->marks[i], &p)) < 0)
			break;
		if (fanotify_mark(fd, p.flags, p.mask, AT_FDCWD, p.path) < 0) {
			r = -errno;
			dg_err("enforce: cannot mark %s %s: %s", p.kind, p.path, strerror(errno));
		}
	}
	close(fd);
	return r;
}

static int add_mark(int gfd, const struct dg_enf_mark *m)
{
	struct mark_plan p;
	int r = plan_mark(m, &p);

	if (r < 0)
		return r;
	if (fanotify_mark(gfd, p.flags, p.mask, AT_FDCWD, p.path) < 0) {
		dg_err("enforce: cannot mark %s %s: %s", p.kind, p.path, strerror(errno));
		return -errno;
	}
	fprintf(stderr, "digestguard enforce: marked %s %s\n", p.kind, p.path);
	return 0;
}

/* The directory of our own file @path (@path itself when @is_dir). */
static void own_dir(char buf[PATH_MAX], const char *path, int is_dir)
{
	char *slash;

	snprintf(buf, PATH_MAX, "%s", path);
	if (!is_dir) {
		slash = strrchr(buf, '/');
		if (!slash)
			snprintf(buf, PATH_MAX, ".");
		else if (slash == buf)
			buf[1] = '\0';
		else
			*slash = '\0';
	}
}

/* The --mark path on the filesystem of device @dev, or NULL. */
static const char *marked_fs(const struct dg_enf_config *cfg, dev_t dev)
{
	struct stat m;
	size_t i;

	for (i = 0; i < cfg->nmarks; i++)
		if (stat(cfg->marks[i].path, &m) == 0 && m.st_dev == dev)
			return cfg->marks[i].path;
	return NULL;
}

/*
 * A file directly in our own directory @dir (left out of the watch) that
 * users other than root may write: -EPERM, naming it.  Only root can add
 * a file there or make one writable by others later (the directory is
 * root's alone): what is there now is what others can use.  Not
 * subdirectories: the ignore mark covers the directory's own entries only.
 */
static int own_dir_files_root_only(const char *dir, const char *what, const char *mark)
{
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);
	int r = 0;

	if (!d)
		return 0;	/* the open of our own file there says why */
	while (r == 0 && (errno = 0, de = readdir(d)) != NULL) {
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || dg_enf_root_writes_only(st.st_uid, st.st_mode))
			continue;
		dg_err("enforce: %s/%s (in the directory of %s) may be written by users other than "
		       "root (owner uid %u, mode %04o), and the directory is on the filesystem of "
		       "--mark %s: what they put in it would run unchecked (the enforcer's own "
		       "directories are left out of the watch); remove it, or use a directory "
		       "holding only root's files", dir, de->d_name, what, (unsigned)st.st_uid,
		       (unsigned)(st.st_mode & 07777), mark);
		r = -EPERM;
	}
	if (r == 0 && errno) {	/* a listing cut short checked only part of it */
		r = -errno;
		dg_err("enforce: %s (the directory of %s): %s", dir, what, strerror(-r));
	}
	closedir(d);
	return r;
}

/*
 * Our own directories are left out of the watch (ignore_dir_of): on a
 * marked filesystem, one that users other than root may write would let
 * them run anything they put there (--log /tmp/x.log with /tmp marked),
 * and so would a file in it that they may write.
 */
static int own_dir_root_only(const struct dg_enf_config *cfg, const char *path, int is_dir,
			     const char *what)
{
	char buf[PATH_MAX];
	const char *mark;
	struct stat d;

	if (!path)
		return 0;
	own_dir(buf, path, is_dir);
	if (stat(buf, &d) < 0 || !(mark = marked_fs(cfg, d.st_dev)))
		return 0;
	if (dg_enf_root_writes_only(d.st_uid, d.st_mode))
		return own_dir_files_root_only(buf, what, mark);
	dg_err("enforce: %s (the directory of %s) is on the filesystem of --mark %s, and users "
	       "other than root may write it: what they put there would run unchecked (the "
	       "enforcer's own directories are left out of the watch); use a directory only "
	       "root can write", buf, what, mark);
	return -EPERM;
}

/*
 * Our own files (state directory, logs) are opened by the worker's event
 * loop thread itself; a permission event for them would wait on that very
 * thread.  An ignore mark on their directory keeps such events from being
 * generated at all.
 */
static int ignore_dir_of(int gfd, const struct dg_enf_config *cfg, const char *path,
			 int is_dir)
{
	char buf[PATH_MAX];
	const char *mark;
	struct stat d;
	int e;

	if (!path)
		return 0;
	own_dir(buf, path, is_dir);
	if (fanotify_mark(gfd, FAN_MARK_ADD | FAN_MARK_IGNORE | FAN_MARK_IGNORED_SURV_MODIFY |
			  FAN_MARK_ONLYDIR, ENF_MASK | FAN_EVENT_ON_CHILD, AT_FDCWD, buf) == 0)
		return 0;
	e = errno;
	/* Without FAN_MARK_IGNORE (Linux < 6.0) our own files must not be on
	 * a marked filesystem: the worker would wait on itself. */
	if (stat(buf, &d) < 0 || !(mark = marked_fs(cfg, d.st_dev)))
		return 0;
	dg_err("enforce: %s is on the filesystem of --mark %s and cannot be excluded from the "
	       "watch here (no FAN_MARK_IGNORE: %s); put the state directory and logs elsewhere",
	       buf, mark, strerror(e));
	return -EINVAL;
}

void dg_enf_ignore_own_dirs(int gfd, const struct dg_enf_config *cfg)
{
	ignore_dir_of(gfd, cfg, cfg->state_dir, 1);
	ignore_dir_of(gfd, cfg, cfg->measure_path, 0);
	ignore_dir_of(gfd, cfg, cfg->log_path, 0);
}

/* 1 if @m will be a mount or filesystem mark (not an inode mark). */
static int is_sb_or_mount_mark(const struct dg_enf_mark *m)
{
	struct statx sx;

	if (m->kind == DG_MARK_FILESYSTEM)
		return 1;
	return statx(AT_FDCWD, m->path, 0, STATX_BASIC_STATS, &sx) == 0 && is_mount_root(&sx);
}

/*
 * Keep the newest generation that opens (ctx.db_last) for the next worker.
 * A worker that starts while `current` is damaged (a bad import, a disk
 * error) must decide with the generation the one before it had, as a
 * running worker does (allowlist.c): with no database, every checked exec
 * got the --on-error answer, and under --on-error allow every unknown exec
 * ran after a worker restart.  Checked between the watchdog's polls (a
 * stat() unless `current` changed); our state directory raises no events
 * (ignore_dir_of).
 */
static void track_generation(struct sup *s)
{
	char path[PATH_MAX], msg[256];
	struct dg_db *db;
	struct stat st;

	if (s->ctx.db_last && dg_db_changed(s->ctx.db_last) == 0)
		return;
	snprintf(path, sizeof(path), "%s/current", s->cfg->state_dir);
	if (stat(path, &st) < 0)
		return;
	if (dg_same_file_version(&st, &s->db_failed))
		return;		/* failed as it is: the worker said why */
	if (dg_db_open(s->cfg->state_dir, &db, msg, sizeof(msg)) < 0) {
		s->db_failed = st;
		return;
	}
	memset(&s->db_failed, 0, sizeof(s->db_failed));
	/* In reserve: what the open touched need not stay resident here
	 * (large folios made that 4 MiB of a 1 M-entry database). */
	dg_db_release_pages(db);
	dg_db_close(s->ctx.db_last);
	s->ctx.db_last = db;
}

/* Answer every event a dead worker left: journal slots, then the sweep. */
static unsigned recover(struct sup *s)
{
	struct dg_enf_journal *j = s->ctx.j;
	int allow = s->cfg->audit;
	unsigned answered = 0;
	uint32_t i, n = atomic_load(&j->nslots);

	if (n > DG_JOURNAL_SLOTS)
		n = DG_JOURNAL_SLOTS;
	for (i = 0; i < n; i++) {
		int fd = atomic_load(&j->fds[i]);

		if (fd < 0)
			continue;
		if (dg_enf_respond(s->ctx.gfd, fd, allow) == 0) {
			answered++;
			dg_enf_log(s->ctx.log_fd, "%s event fd=%d reason=worker-died",
				   allow ? "allow" : "deny", fd);
		}
		atomic_store(&j->fds[i], -1);
	}
	if (atomic_load(&j->reading)) {
		int fd;

		/* Died inside read(): fds the journal never saw. */
		for (fd = 0; fd < DG_WORKER_NOFILE; fd++)
			if (dg_enf_respond(s->ctx.gfd, fd, allow) == 0) {
				answered++;
				dg_enf_log(s->ctx.log_fd, "%s event fd=%d reason=worker-died-in-read",
					   allow ? "allow" : "deny", fd);
			}
	}
	atomic_store(&j->reading, 0);
	atomic_store(&j->nslots, 0);
	atomic_store(&j->busy_since_ns, 0);
	return answered;
}

/*
 * Without a worker: answer queued events by policy (enforce: deny) when
 * they are events the worker would check; plain opens are let through.
 * A file that cannot be looked at in time (probe) is answered by policy.
 */
static void answer_queued(struct sup *s)
{
	static uint8_t buf[DG_JOURNAL_SLOTS * sizeof(struct fanotify_event_metadata)]
		__attribute__((aligned(8)));
	int allow = s->cfg->audit;
	ssize_t n;

	while ((n = read(s->ctx.gfd, buf, sizeof(buf))) > 0) {
		const struct fanotify_event_metadata *ev;
		size_t rest = (size_t)n;

		for (ev = (const void *)buf; FAN_EVENT_OK(ev, rest); ev = FAN_EVENT_NEXT(ev, rest)) {
			int exec = !!(ev->mask & FAN_OPEN_EXEC_PERM), regular = 1, own, looked;
			enum dg_enf_class cls = DG_CLASS_UNKNOWN;

			if (ev->fd < 0)
				continue;
			/* Our own opens, and what the worker would not check. */
			own = ev->pid == getpid();
			looked = !own && probe(&s->probe, ev->fd, !exec, &regular, &cls) == 0;
			if (own || (looked && (!regular ||
			    (!exec && !dg_enf_open_check(s->cfg, cls, dg_enf_open_needs_role(s->cfg, cls) ?
							 dg_enf_opener_role(&s->ctx, ev->pid) : 0))))) {
				dg_enf_respond(s->ctx.gfd, ev->fd, 1);
				close(ev->fd);
				continue;
			}
			dg_enf_respond(s->ctx.gfd, ev->fd, allow);
			dg_enf_log(s->ctx.log_fd, "%s %s pid=%d reason=no-worker%s",
				   allow ? "allow" : "deny", exec ? "exec" : "open", (int)ev->pid,
				   looked ? "" : " (file not read in time)");
			close(ev->fd);
		}
	}
}

static int start_worker(struct sup *s)
{
	pid_t pid = fork();

	if (pid < 0) {
		dg_err("enforce: fork: %s", strerror(errno));
		return -errno;
	}
	if (pid == 0) {
		struct rlimit rl = { DG_WORKER_NOFILE, DG_WORKER_NOFILE };

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != s->ctx.supervisor)
			_exit(0);
		close(s->sfd);
		/* The sweep after a crash covers fd numbers below this. */
		setrlimit(RLIMIT_NOFILE, &rl);
		_exit(dg_enf_worker_main(&s->ctx));
	}
	s->worker = pid;
	s->worker_started_ns = dg_enf_now_ns();
	fprintf(stderr, "digestguard enforce: worker %d started\n", (int)pid);
	return 0;
}

static int handle_signals(struct sup *s)
{
	struct signalfd_siginfo si;

	while (read(s->sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			s->stopping = 1;
	}
	return 0;
}

/* Reap the worker; after a death (not a requested stop) recover + restart. */
static void reap(struct sup *s)
{
	int st;
	pid_t p;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		unsigned n;

		if (p != s->worker)
			continue;
		s->worker = 0;
		n = recover(s);
		if (!s->stopping) {
			fprintf(stderr, "digestguard enforce: worker %d %s %d; answered %u pending "
				"event(s) with %s\n", (int)p,
				WIFSIGNALED(st) ? "killed by signal" : "exited with",
				WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st), n,
				s->cfg->audit ? "FAN_ALLOW" : "FAN_DENY");
			dg_enf_log(s->ctx.log_fd, "worker %d died; %u pending event(s) answered",
				   (int)p, n);
		}
	}
}

static void backoff_then_restart(struct sup *s)
{
	uint64_t now = dg_enf_now_ns(), until;
	unsigned delay_ms;

	if (now - s->worker_started_ns < 1000000000ull)
		s->fast_fails++;
	else
		s->fast_fails = 0;
	/* One early death is not a crash loop; repeated ones back off. */
	delay_ms = s->fast_fails > 1 ? 100u << (s->fast_fails < 6 ? s->fast_fails - 1 : 5) : 0;
	if (delay_ms > RESTART_BACKOFF_MAX_MS)
		delay_ms = RESTART_BACKOFF_MAX_MS;
	until = now + (uint64_t)delay_ms * 1000000ull;
	while (!s->stopping && dg_enf_now_ns() < until) {
		struct pollfd p[2] = { { s->ctx.gfd, POLLIN, 0 }, { s->sfd, POLLIN, 0 } };

		if (poll(p, 2, 50) > 0) {
			if (p[0].revents)
				answer_queued(s);
			if (p[1].revents)
				handle_signals(s);
		}
	}
	if (!s->stopping) {
		s->restarts++;
		track_generation(s);
		start_worker(s);
	}
}

static void stop(struct sup *s)
{
	uint64_t deadline;

	/* 1. No new events: remove every mark (pending ones stay queued). */
	fanotify_mark(s->ctx.gfd, FAN_MARK_FLUSH | FAN_MARK_MOUNT, 0, AT_FDCWD, "/");
	fanotify_mark(s->ctx.gfd, FAN_MARK_FLUSH | FAN_MARK_FILESYSTEM, 0, AT_FDCWD, "/");
	fanotify_mark(s->ctx.gfd, FAN_MARK_FLUSH, 0, AT_FDCWD, "/");
	/* 2. The worker decides what is queued, then exits. */
	if (s->worker > 0) {
		kill(s->worker, SIGTERM);
		deadline = dg_enf_now_ns() + STOP_GRACE_MS * 1000000ull;
		while (s->worker > 0 && dg_enf_now_ns() < deadline) {
			reap(s);
			if (s->worker > 0)
				usleep(10000);
		}
		if (s->worker > 0) {
			kill(s->worker, SIGKILL);
			while (s->worker > 0) {
				reap(s);
				if (s->worker > 0)
					usleep(1000);
			}
		}
	}
	/* 3. Whatever raced with the flush is answered by policy, not by close(). */
	answer_queued(s);
}

int dg_enforcer_run(const struct dg_enf_config *cfg)
{
	struct sup s = { .cfg = cfg, .sfd = -1, .lock_fd = -1 };
	struct dg_enf_journal *j;
	sigset_t ss;
	size_t i;
	int r, mfd;

	s.ctx.cfg = cfg;
	s.ctx.log_fd = -1;
	s.ctx.supervisor = getpid();
	probe_init(&s.probe);
	/*
	 * Load what libc loads lazily before any mark exists: the first
	 * gmtime_r() (every log line) reads the time zone file, and an open
	 * of our own on a marked mount would wait for our own answer.
	 * Workers inherit it across fork().
	 */
	tzset();
	r = dg_enforcer_check_marks(cfg);
	if (r < 0)
		return r;
	r = take_lock(cfg->state_dir, &s.lock_fd);
	if (r < 0)
		return r;
	fprintf(stderr, "digestguard enforce: mode %s, on-error %s, state %s%s%s%s%s\n",
		cfg->audit ? "audit (log, always allow)" : "enforce",
		cfg->on_error_allow ? "allow" : "deny", cfg->state_dir,
		cfg->libs ? ", --libs" : "", cfg->scripts ? ", --scripts" : "",
		cfg->measure_path ? ", measuring to " : "",
		cfg->measure_path ? cfg->measure_path : "");
	{
		struct stat ns;

		/* fanotify reports a process outside our PID namespace as pid 0. */
		if (stat("/proc/self/ns/pid", &ns) == 0 && ns.st_ino != PROC_PID_INIT_INO)
			fprintf(stderr, "digestguard enforce: WARNING: not in the initial PID "
				"namespace: processes outside it are seen as pid 0, and their "
				"opens are checked as a loader's and an interpreter's (--libs, "
				"--scripts); run the enforcer in the host's PID namespace\n");
	}
	if (cfg->log_path) {
		s.ctx.log_fd = open(cfg->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC |
				    O_NOFOLLOW, 0600);
		if (s.ctx.log_fd < 0) {
			int e = errno;

			/* O_NOFOLLOW's ELOOP is a link here, not a loop: said as
			 * --measure says it (imalog.c) */
			dg_err("enforce: --log %s: %s", cfg->log_path, e == ELOOP ?
			       "is a symbolic link (not followed)" : strerror(e));
			return -e;
		}
	}
	if (cfg->measure_path) {
		struct dg_ima_log *l;
		char msg[512];
		uint8_t pcr[32];
		char hex[65];
		uint64_t n;

		struct dg_tpm *tpm = NULL;

		if (cfg->tpm_tcti && (r = dg_tpm_open(cfg->tpm_tcti, &tpm, msg, sizeof(msg))) < 0) {
			dg_err("enforce: --tpm %s", msg);
			return r;
		}
		/* Validate (and create) before any mark exists; with a TPM, its
		 * PCR 10 must match the log's replay. */
		r = dg_ima_log_open_tpm(cfg->measure_path, tpm, &l, msg, sizeof(msg));
		if (r < 0) {
			dg_err("enforce: --measure %s", msg);
			dg_tpm_close(tpm);
			return r;
		}
		dg_ima_log_pcr(l, pcr, &n);
		dg_ima_log_close(l);
		/* The worker opens its own connection (swtpm serves one at a
		 * time); the TCTI module stays loaded (tpm.c pins it). */
		dg_tpm_close(tpm);
		dg_hex(hex, pcr, 32);
		fprintf(stderr, "digestguard enforce: measurement log %s: %llu entr%s, "
			"PCR-10 %s%s%s\n", cfg->measure_path, (unsigned long long)n,
			n == 1 ? "y" : "ies", hex,
			cfg->tpm_tcti ? ", extending the TPM at " : "",
			cfg->tpm_tcti ? cfg->tpm_tcti : "");
	}
	mfd = memfd_create("digestguard-journal", MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, sizeof(*j)) < 0) {
		dg_err("enforce: journal: %s", strerror(errno));
		return -errno;
	}
	j = mmap(NULL, sizeof(*j), PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	close(mfd);
	if (j == MAP_FAILED) {
		dg_err("enforce: journal: %s", strerror(errno));
		return -errno;
	}
	for (i = 0; i < DG_JOURNAL_SLOTS; i++)
		atomic_store(&j->fds[i], -1);
	s.ctx.j = j;
	s.ctx.gfd = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK |
				  FAN_UNLIMITED_QUEUE | FAN_UNLIMITED_MARKS,
				  O_RDONLY | O_LARGEFILE | O_CLOEXEC);
	if (s.ctx.gfd < 0) {
		r = -errno;
		dg_err("enforce: fanotify_init: %s%s", strerror(errno),
		       errno == EPERM ? " (needs CAP_SYS_ADMIN)" : "");
		return r;
	}
	if ((r = own_dir_root_only(cfg, cfg->state_dir, 1, "--state")) < 0 ||
	    (r = own_dir_root_only(cfg, cfg->measure_path, 0, "--measure")) < 0 ||
	    (r = own_dir_root_only(cfg, cfg->log_path, 0, "--log")) < 0 ||
	    (r = ignore_dir_of(s.ctx.gfd, cfg, cfg->state_dir, 1)) < 0 ||
	    (r = ignore_dir_of(s.ctx.gfd, cfg, cfg->measure_path, 0)) < 0 ||
	    (r = ignore_dir_of(s.ctx.gfd, cfg, cfg->log_path, 0)) < 0)
		return r;
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGCHLD);
	sigaddset(&ss, SIGHUP);		/* a lost terminal must not end enforcement */
	sigaddset(&ss, SIGPIPE);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	sigdelset(&ss, SIGPIPE);
	s.sfd = signalfd(-1, &ss, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s.sfd < 0)
		return -errno;
	s.ctx.per_file_ignore = 1;
	for (i = 0; i < cfg->nmarks; i++)
		if (!is_sb_or_mount_mark(&cfg->marks[i]))
			s.ctx.per_file_ignore = 0;
	s.ctx.exec_ignore = s.ctx.per_file_ignore && !cfg->log_path;
	s.ctx.roles = dg_enf_roles_new();
	if (!s.ctx.roles) {
		dg_err("enforce: role table: %s", strerror(errno));
		return -ENOMEM;
	}
	for (i = 0; i < cfg->nmarks; i++) {
		struct statx sx;

		/* stat, not open: the devices whose files we must never open
		 * ourselves once marked (role.h). */
		if (statx(AT_FDCWD, cfg->marks[i].path, 0, STATX_BASIC_STATS, &sx) == 0)
			s.ctx.mark_devs[s.ctx.nmark_devs++] =
				(uint64_t)sx.stx_dev_major << 32 | sx.stx_dev_minor;
	}
	track_generation(&s);
	/* The worker runs before the first mark: no event waits for nobody. */
	r = start_worker(&s);
	if (r < 0)
		return r;
	for (i = 0; i < cfg->nmarks; i++) {
		r = add_mark(s.ctx.gfd, &cfg->marks[i]);
		if (r < 0) {
			s.stopping = 1;
			stop(&s);
			return r;
		}
	}
	printf("ready\n");
	fflush(stdout);
	dg_sd_notify("READY=1\nSTATUS=enforcing");
	while (!s.stopping) {
		struct pollfd p = { s.sfd, POLLIN, 0 };
		uint64_t busy;
		unsigned limit_ms;

		/* Check the worker's progress often enough for the event timeout. */
		if (poll(&p, 1, cfg->event_timeout_ms / 4 < 250 ? (int)cfg->event_timeout_ms / 4 : 250) > 0)
			handle_signals(&s);
		reap(&s);
		if (s.stopping)
			break;
		track_generation(&s);
		if (s.worker == 0) {
			backoff_then_restart(&s);
			continue;
		}
		busy = atomic_load(&j->busy_since_ns);
		limit_ms = atomic_load(&j->starting) ? DG_ENF_START_TIMEOUT_MS(cfg->event_timeout_ms)
						     : cfg->event_timeout_ms;
		if (busy && dg_enf_now_ns() - busy > (uint64_t)limit_ms * 1000000ull) {
			fprintf(stderr, "digestguard enforce: worker %d stuck for over %u ms%s; "
				"killing it\n", (int)s.worker, limit_ms,
				atomic_load(&j->starting) ? " starting up" : "");
			kill(s.worker, SIGKILL);
		}
	}
	dg_sd_notify("STOPPING=1");
	stop(&s);
	fprintf(stderr, "digestguard enforce: stopped: %llu events, %llu allowed, %llu denied, "
		"%llu hashed, %u worker restart(s)\n",
		(unsigned long long)atomic_load(&j->events),
		(unsigned long long)atomic_load(&j->allowed),
		(unsigned long long)atomic_load(&j->denied),
		(unsigned long long)atomic_load(&j->hashed), s.restarts);
	close(s.ctx.gfd);
	dg_db_close(s.ctx.db_last);
	if (s.ctx.log_fd >= 0)
		close(s.ctx.log_fd);
	close(s.sfd);
	close(s.lock_fd);
	return 0;
}

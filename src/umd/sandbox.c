// SPDX-License-Identifier: MIT
/*
 * Start a handler in its sandbox.  Order matters and follows bubblewrap:
 * clone3 into a new user and pid namespace with a pidfd; the parent maps
 * the child's root to nobody (when the parent is root) and releases it; the
 * child starts a session of its own, joins a new empty session keyring,
 * switches to that uid, unshares its mount, ipc, uts and cgroup namespaces,
 * pivots into an empty read-only tmpfs, tells the parent so, unshares its
 * network namespace, sets rlimits, empties its capability sets, locks
 * securebits, sets no_new_privs and a parent-death signal, moves the
 * channel to fd 3, closes everything else and execs the sealed memfd.  The
 * handler then adds Landlock and seccomp itself (runtime.c) before it reads
 * a byte.
 *
 * Without namespaces (DG_UMD_NO_NAMESPACES, or no user namespaces here) a
 * root manager's child becomes nobody itself; a non-root manager's child
 * keeps the manager's uid and cannot touch its bounding set (no
 * CAP_SETPCAP), which no_new_privs and empty capability sets make moot.
 *
 * Between clone3 and exec the child makes raw system calls only: the
 * parent may have threads, and glibc's set*id wrappers would try to signal
 * threads that exist only in the parent.
 *
 * The child, not the parent, creates the costly namespaces (a network
 * namespace alone takes ~0.5 ms here): done in clone3 they would hold the
 * manager up, done in the child they run on another CPU while the manager
 * goes on with its own start-up.  They are owned by the handler's user
 * namespace either way, since clone3 creates the user namespace first.
 *
 * "Another CPU" is not left to chance: a new task may be queued on its
 * parent's CPU and wait there while the parent keeps running (1-2 ms in
 * one start out of three here, with the other CPU idle).  The parent moves
 * the child off its own CPU before the go-ahead, and the child gives itself
 * the parent's full CPU set back just before its exec.
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <linux/sched.h>
#include <linux/securebits.h>

#include <digestguard/handler.h>

#include "cpus.h"
#include "exitcodes.h"

#define NOBODY_ID 65534		/* uid and gid "nobody" */
#define NOBODY_MAP "0 65534 1\n"	/* handler root -> nobody outside */
#define CLONE_NS_FLAGS (CLONE_NEWUSER | CLONE_NEWPID)	/* only at clone time */
#define CHILD_NS_FLAGS (CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | \
			CLONE_NEWCGROUP)	/* unshared by the child, then... */
#define CHILD_NET_FLAGS CLONE_NEWNET	/* ...this, once its root is empty */
#define ROOT_WAIT_MS 100	/* the manager's wait for the child's empty root */

static long sys_clone3(struct clone_args *a)
{
	return syscall(__NR_clone3, a, sizeof(*a));
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

/*
 * Child, still holding capabilities inside its user namespace: forbid any
 * further user namespace.  Every other kind needs CAP_SYS_ADMIN in the
 * owning user namespace, which the handler gives up before exec, so a new
 * user namespace is the only way to a fresh capability set.  The limit is
 * per user namespace: this touches only the handler's own.
 */
static void child_no_more_namespaces(void)
{
	int fd = open("/proc/sys/user/max_user_namespaces", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, "0", 1) < 0) {
		/* best effort: seccomp refuses unshare/clone anyway */
	}
	close(fd);
}

/* Child: replace / by an empty read-only tmpfs. */
static int child_empty_root(void)
{
	static const char *const spots[] = { "/tmp", "/mnt", "/run", "/dev" };
	size_t i;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -1;
	for (i = 0; i < sizeof(spots) / sizeof(spots[0]); i++)
		if (mount("dg-empty", spots[i], "tmpfs",
			  MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "size=4k,nr_inodes=1,mode=0555") == 0)
			break;
	if (i == sizeof(spots) / sizeof(spots[0]))
		return -1;
	if (chdir(spots[i]) < 0)
		return -1;
	/* pivot_root(".", ".") stacks the old root on top; detach it. */
	if (syscall(__NR_pivot_root, ".", ".") < 0)
		return -1;
	if (umount2(".", MNT_DETACH) < 0)
		return -1;
	return chdir("/");
}

/*
 * Child: leave the manager's session keyring for a new, empty, anonymous
 * one.  Keys in the inherited keyring are "possessed" by the handler, and
 * possession grants reading them whatever the uid.  Done before the uid
 * changes, so the keyring counts against the manager's key quota, not
 * nobody's (shared by every handler of a root manager).
 */
static int child_new_session_keyring(void)
{
	if (syscall(__NR_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) >= 0)
		return 0;
	if (errno == ENOSYS)
		return 0;	/* a kernel without keyrings: nothing to inherit */
	/*
	 * keyctl refused as a whole (a container's seccomp profile answers
	 * EPERM): the handler inherits that refusal, so the manager's keyring
	 * is out of its reach as well.  Any other failure stops the start.
	 */
	if (errno == EPERM &&
	    syscall(__NR_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0) < 0 &&
	    errno == EPERM)
		return 0;
	return -1;
}

/*
 * Child of a root manager without a user namespace: become nobody, as a
 * namespaced handler is from outside.  SECBIT_NO_SETUID_FIXUP keeps the
 * capabilities for the steps that still need them (rlimits, the bounding
 * set, securebits); child_drop_caps() then empties every set.  Before
 * PR_SET_PDEATHSIG, which a change of uid resets.
 */
static int child_become_nobody(void)
{
	if (prctl(PR_SET_SECUREBITS, SECBIT_NO_SETUID_FIXUP, 0, 0, 0) < 0 && errno != EPERM)
		return -1;
	if (syscall(__NR_setresgid, NOBODY_ID, NOBODY_ID, NOBODY_ID) < 0 ||
	    syscall(__NR_setgroups, 0, NULL) < 0 ||
	    syscall(__NR_setresuid, NOBODY_ID, NOBODY_ID, NOBODY_ID) < 0)
		return -1;
	return 0;
}

/* 1 if @cap is in our effective set, 0 if not, -1 if capget failed. */
static int child_has_cap(int cap)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = { { 0 } };

	if (syscall(__NR_capget, &hdr, data) < 0)
		return -1;
	return !!(data[cap / 32].effective & (1u << (cap % 32)));
}

static int child_drop_caps(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = { { 0 } };
	int cap;

	for (cap = 0; cap <= 63; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
			continue;
		/* Past the kernel's last capability (numbers are contiguous). */
		if (errno == EINVAL)
			break;
		/*
		 * No CAP_SETPCAP (a non-root manager without a user namespace):
		 * the bounding set cannot change, and need not.  It only limits
		 * what an execve could grant, and with no_new_privs and empty
		 * capability sets an execve grants nothing (no setuid-root, no
		 * file capabilities).
		 */
		if (errno == EPERM && child_has_cap(CAP_SETPCAP) == 0)
			break;
		return -1;
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	/* Root inside the namespace must not regain capabilities on exec. */
	if (prctl(PR_SET_SECUREBITS,
		  SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
		  SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
		  SECBIT_KEEP_CAPS_LOCKED |
		  SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
		  0, 0, 0) < 0 && errno != EPERM)
		return -1;
	return (int)syscall(__NR_capset, &hdr, data);
}

static int child_rlimits(const struct dg_sandbox_cfg *cfg)
{
	const struct { int res; rlim_t v; } lim[] = {
		{ RLIMIT_NOFILE, DG_HANDLER_FD + 1 },
		{ RLIMIT_FSIZE, 0 },
		{ RLIMIT_NPROC, 0 },
		{ RLIMIT_CORE, 0 },
		{ RLIMIT_MEMLOCK, 0 },
		{ RLIMIT_MSGQUEUE, 0 },
		{ RLIMIT_AS, cfg->rlimit_as },
		{ RLIMIT_CPU, cfg->rlimit_cpu },
	};
	size_t i;

	for (i = 0; i < sizeof(lim) / sizeof(lim[0]); i++) {
		struct rlimit r = { lim[i].v, lim[i].v };

		if (setrlimit(lim[i].res, &r) < 0)
			return -1;
	}
	return 0;
}

/* CPUs the child may use, and the same without the parent's current one. */
struct steer {
	cpu_set_t all, away, here;
	int on;
};

static void steer_init(struct steer *st)
{
	st->on = dg_cpus_away(&st->all, &st->here, &st->away);
}

static __attribute__((noreturn)) void child_main(const struct dg_sandbox_cfg *cfg,
						  int exec_fd, int chan, int sync_fd,
						  int ns, int mapped, int nobody,
						  const struct steer *st)
{
	char *const argv[] = { (char *)cfg->name, NULL };
	char *const envp[] = { NULL };
	char c;

	if (sync_fd >= 0) {
		/* Wait until the parent has written our uid/gid maps. */
		if (read(sync_fd, &c, 1) != 1)
			_exit(DG_EXIT_SYNC);
	}
	/*
	 * A process group of its own: a pid namespace hides other processes
	 * but not the process group, so kill(0, sig) would otherwise signal
	 * the manager's group.  Not a session of its own (setsid): with
	 * scheduler autogroups (Debian's default) a new session is a new
	 * scheduling group, which made every round trip ~15% slower; a
	 * handler has no terminal to leave (no fd, no file access).
	 */
	if (syscall(__NR_setpgid, 0, 0) < 0)
		_exit(DG_EXIT_SETPGID);
	if (child_new_session_keyring() < 0)
		_exit(DG_EXIT_KEYRING);
	if (mapped) {
		if (syscall(__NR_setresgid, 0, 0, 0) < 0 ||
		    syscall(__NR_setgroups, 0, NULL) < 0 ||
		    syscall(__NR_setresuid, 0, 0, 0) < 0)
			_exit(DG_EXIT_SETID);
	}
	if (nobody && child_become_nobody() < 0)
		_exit(DG_EXIT_SETID);
	if (ns && unshare(CHILD_NS_FLAGS) < 0)
		_exit(DG_EXIT_UNSHARE);
	if (ns)
		child_no_more_namespaces();
	if (ns && child_empty_root() < 0)
		_exit(DG_EXIT_ROOT);
	/* The manager waits for this byte (root_done()); not an error if it
	 * stopped waiting. */
	if (sync_fd >= 0 && write(sync_fd, "r", 1) < 0) {
	}
	if (ns && unshare(CHILD_NET_FLAGS) < 0)
		_exit(DG_EXIT_UNSHARE);
	/* No empty root to pivot into: at least hold no directory of the manager's. */
	if (!ns && chdir("/") < 0)
		_exit(DG_EXIT_ROOT);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		_exit(DG_EXIT_PDEATHSIG);
	if (sync_fd >= 0) {
		/* The second byte: the executable is written and sealed. */
		if (read(sync_fd, &c, 1) != 1)
			_exit(DG_EXIT_SYNC);
		close(sync_fd);
	}
	/* Channel to fd 3, the executable above it, nothing else. */
	if (exec_fd == DG_HANDLER_FD) {
		int t = fcntl(exec_fd, F_DUPFD_CLOEXEC, DG_HANDLER_FD + 1);

		if (t < 0)
			_exit(DG_EXIT_FDS);
		exec_fd = t;
	}
	if (chan != DG_HANDLER_FD && dup2(chan, DG_HANDLER_FD) < 0)
		_exit(DG_EXIT_FDS);
	if (exec_fd != DG_HANDLER_FD + 1) {
		if (dup3(exec_fd, DG_HANDLER_FD + 1, O_CLOEXEC) < 0)
			_exit(DG_EXIT_FDS);
		exec_fd = DG_HANDLER_FD + 1;
	}
	syscall(__NR_close_range, 0, DG_HANDLER_FD - 1, 0);
	syscall(__NR_close_range, DG_HANDLER_FD + 2, ~0u, 0);
	if (fcntl(DG_HANDLER_FD, F_SETFD, 0) < 0)
		_exit(DG_EXIT_FDS);
	if (child_rlimits(cfg) < 0)
		_exit(DG_EXIT_RLIMIT);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(DG_EXIT_PRCTL);
	if (child_drop_caps() < 0)
		_exit(DG_EXIT_CAPS);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		_exit(DG_EXIT_PRCTL);
	/* Set up away from the parent's CPU; the handler may use every CPU. */
	if (st->on)
		syscall(__NR_sched_setaffinity, 0, sizeof(st->all), &st->all);
	syscall(__NR_execveat, exec_fd, "", argv, envp, AT_EMPTY_PATH);
	_exit(DG_EXIT_EXEC);
}

/*
 * Wait, at most ROOT_WAIT_MS, until the child says its root is empty (or
 * is gone).  The detach of its old root waits for an RCU grace period,
 * whose kernel thread needs a CPU: with the manager busy on its own (the
 * caller's next job, libcrypto to load, say) and the child's taken by its
 * set-up, that thread waited up to 1 ms in most starts on 2 CPUs.  While
 * the manager sleeps here it runs at once.  The network namespace, the
 * costly part, comes after, in parallel with the caller.
 */
static void root_done(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c;

	if (poll(&pfd, 1, ROOT_WAIT_MS) == 1 && read(fd, &c, 1) < 0) {
		/* EOF or an error: the child is gone; its exit status says why */
	}
}

/* One go-ahead byte; 0 also when the child is already gone (EPIPE). */
static int go_ahead(int fd, char c)
{
	ssize_t w;

	do
		w = send(fd, &c, 1, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	return w == 1 || (w < 0 && (errno == EPIPE || errno == ECONNRESET)) ? 0 : -1;
}

int dg_sandbox_spawn(const struct dg_sandbox_cfg *cfg, int exec_fd, int chan,
		     struct dg_sandbox_proc *out)
{
	int pidfd = -1, sync[2] = { -1, -1 }, ns = cfg->namespaces, mapped = 0, nobody, r;
	int root = geteuid() == 0;
	struct steer st = { .on = 0 };
	struct clone_args a;
	long pid;

	if (ns) {
		/* A socket, not a pipe: send(MSG_NOSIGNAL) to a child that died
		 * meanwhile is EPIPE, where write() to a pipe raises SIGPIPE. */
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sync) < 0)
			return -errno;
		mapped = root;
		steer_init(&st);
	} else if (cfg->prepare_exec && (r = cfg->prepare_exec(cfg->prepare_arg)) < 0) {
		return r;
	}
	memset(&a, 0, sizeof(a));
	a.flags = CLONE_PIDFD | (ns ? CLONE_NS_FLAGS : 0);
	a.pidfd = (uint64_t)(uintptr_t)&pidfd;
	a.exit_signal = SIGCHLD;
	pid = sys_clone3(&a);
	if (pid < 0 && ns && (errno == EPERM || errno == EINVAL || errno == ENOSPC ||
			      errno == EUSERS)) {
		/* No user namespaces here: run with the in-process protections. */
		close(sync[0]);
		close(sync[1]);
		sync[0] = sync[1] = -1;
		ns = mapped = st.on = 0;
		if (cfg->prepare_exec && (r = cfg->prepare_exec(cfg->prepare_arg)) < 0)
			return r;
		a.flags = CLONE_PIDFD;
		pid = sys_clone3(&a);
	}
	if (pid < 0) {
		r = -errno;
		goto fail;
	}
	nobody = !ns && root;
	if (pid == 0) {
		if (sync[1] >= 0)
			close(sync[1]);
		child_main(cfg, exec_fd, chan, sync[0], ns, mapped, nobody, &st);
	}
	if (ns) {
		char path[64];

		close(sync[0]);
		sync[0] = -1;
		/* Best effort: a cpuset may refuse, and then the scheduler decides. */
		if (st.on)
			sched_setaffinity((pid_t)pid, sizeof(st.away), &st.away);
		if (mapped) {
			snprintf(path, sizeof(path), "/proc/%ld/uid_map", pid);
			r = write_file(path, NOBODY_MAP);
			snprintf(path, sizeof(path), "/proc/%ld/gid_map", pid);
			if (!r)
				r = write_file(path, NOBODY_MAP);
			if (r < 0)
				goto kill;
		}
		/*
		 * A go-ahead that finds the child gone (it failed a set-up step
		 * and exited) is not an error here: the caller reads EOF for the
		 * hello and reports the child's exit status, which says which
		 * step failed.
		 */
		if (go_ahead(sync[1], 'g') < 0) {
			r = -EIO;
			goto kill;
		}
		/* The child unshares and builds its root meanwhile. */
		if (cfg->prepare_exec && (r = cfg->prepare_exec(cfg->prepare_arg)) < 0)
			goto kill;
		if (go_ahead(sync[1], 'x') < 0) {
			r = -EIO;
			goto kill;
		}
		/* Back on this CPU after the wait, not on the child's. */
		if (st.on)
			sched_setaffinity(0, sizeof(st.here), &st.here);
		root_done(sync[1]);
		if (st.on)
			sched_setaffinity(0, sizeof(st.all), &st.all);
		close(sync[1]);
	}
	out->pid = (pid_t)pid;
	out->pidfd = pidfd;
	out->namespaces = ns;
	return 0;
kill:
	{
		siginfo_t si;

		syscall(__NR_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		while (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0 && errno == EINTR)
			;	/* a signal must not leave the child a zombie */
	}
	close(pidfd);
fail:
	if (sync[0] >= 0)
		close(sync[0]);
	if (sync[1] >= 0)
		close(sync[1]);
	return r;
}

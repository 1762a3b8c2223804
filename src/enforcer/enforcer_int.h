/* SPDX-License-Identifier: MIT */
/* Internals shared by the supervisor and the worker. */
#ifndef DG_ENF_INT_H
#define DG_ENF_INT_H

#include <sys/types.h>

#include "enforcer.h"
#include "journal.h"

struct dg_db;

struct dg_enf_ctx {
	const struct dg_enf_config *cfg;
	int gfd;			/* fanotify group */
	struct dg_enf_journal *j;
	pid_t supervisor;
	int log_fd;			/* --log, or -1 */
	/*
	 * Every mark is a mount or filesystem mark, so flushing the group's
	 * inode marks drops only our own ignore marks: the worker may then put
	 * a per-file ignore mark for FAN_OPEN_PERM on allowlisted files.
	 */
	int per_file_ignore;
	/*
	 * The kernel's allow cache: the ignore mark of an allowlisted file
	 * may also cover FAN_OPEN_EXEC_PERM (worker.c, ignore_allowlisted).
	 * Needs per_file_ignore; off with --log, which promises a line for
	 * every exec.
	 */
	int exec_ignore;
	/* The newest generation that opened (supervisor.c, track_generation):
	 * a worker that starts while `current` is damaged decides with it. */
	struct dg_db *db_last;
	/* Roles of allowed executables, shared with every worker (role.h). */
	struct dg_enf_roles *roles;
	/* Devices of the marked objects: a file on another device can be
	 * opened by us without raising an event we would have to answer. */
	uint64_t mark_devs[DG_ENF_MARKS_MAX];
	size_t nmark_devs;
};

/*
 * Put the ignore marks on the directories of our own files again (after
 * the worker flushed the group's inode marks).
 */
void dg_enf_ignore_own_dirs(int gfd, const struct dg_enf_config *cfg);

/* The worker: returns its exit status. */
int dg_enf_worker_main(struct dg_enf_ctx *ctx);

/* Write one fanotify response; 0 or negative errno. */
int dg_enf_respond(int gfd, int fd, int allow);

/* A path in the decision log: every byte may need 4 ("\x0a"). */
#define DG_ENF_LOG_PATH_MAX	(4 * 4096 + 1)
/* Start-up and TPM attach (log replay, catch-up) may take longer than one
 * event: ten event timeouts, at least 30 s. */
#define DG_ENF_START_TIMEOUT_MS(ev) ((ev) * 10u > 30000u ? (ev) * 10u : 30000u)

/*
 * Copy @in to @out for the decision log: control bytes, space, DEL and
 * backslash as "\xHH", so a file name can neither end a line nor add a
 * field.  Truncated (whole escapes only) to @outlen - 1 bytes.
 */
void dg_enf_log_escape(char *out, size_t outlen, const char *in);

/* Append one line (timestamp added) to the decision log. */
void dg_enf_log(int log_fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

uint64_t dg_enf_now_ns(void);
/* CLOCK_REALTIME in ns: the clock file timestamps come from. */
int64_t dg_enf_realtime_ns(void);

#include "cache.h"

/* File class from its first bytes (pread on the event fd). */
enum dg_enf_class dg_enf_classify(int fd);

/*
 * Whether deciding a FAN_OPEN_PERM of a file of class @cls needs the
 * opener's role (role.h): 1 or 0.
 */
int dg_enf_open_needs_role(const struct dg_enf_config *cfg, enum dg_enf_class cls);

/*
 * Whether a FAN_OPEN_PERM (not an exec) of a file of class @cls by a
 * process whose executable has @role (DG_ROLE_*) is checked: ELF files
 * with --libs or when the opener is a dynamic loader run as a program;
 * with --scripts, #! files and anything an interpreter opens.  Returns
 * what it is ("lib", "ld.so", "script") or NULL.
 */
const char *dg_enf_open_check(const struct dg_enf_config *cfg, enum dg_enf_class cls,
			      unsigned role);

/* 1 if @dev is the device of a marked object (ctx->mark_devs). */
int dg_enf_dev_marked(const struct dg_enf_ctx *ctx, uint64_t dev);
/* The role (role.h) of the program @pid runs, without opening it (worker.c). */
unsigned dg_enf_opener_role(const struct dg_enf_ctx *ctx, pid_t pid);

#endif

/* SPDX-License-Identifier: MIT */
/* Internals shared by the supervisor and the worker. */
#ifndef DG_ENF_INT_H
#define DG_ENF_INT_H

#include <sys/types.h>

#include "enforcer.h"
#include "journal.h"

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

/* Append one line (timestamp added) to the decision log. */
void dg_enf_log(int log_fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

uint64_t dg_enf_now_ns(void);

#include "cache.h"

/* File class from its first bytes (pread on the event fd). */
enum dg_enf_class dg_enf_classify(int fd);

/*
 * Whether a FAN_OPEN_PERM (not an exec) by @pid of a file of class @cls is
 * checked: ELF files with --libs or when the opener is the dynamic loader
 * run as a program; with --scripts, #! files and anything an interpreter
 * opens.  Returns what it is ("lib", "ld.so", "script") or NULL.
 */
const char *dg_enf_open_check(const struct dg_enf_config *cfg, pid_t pid,
			      enum dg_enf_class cls);

#endif

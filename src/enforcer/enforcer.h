/* SPDX-License-Identifier: MIT */
/*
 * fanotify execution enforcer (DESIGN.md §7, docs/enforcer.md).
 *
 * A supervisor process owns the fanotify group, the marks and the lock; a
 * forked worker reads permission events, journals each event's fd number
 * in a shared memory page before deciding, answers, then logs.  When the
 * worker dies, the supervisor answers every event the journal shows as
 * pending (FAN_DENY in enforce mode) and starts a new worker.
 */
#ifndef DG_ENF_ENFORCER_H
#define DG_ENF_ENFORCER_H

#include <stddef.h>
#include <stdint.h>

#define DG_ENF_MARKS_MAX	64
/* Files larger than this are not hashed: the --on-error policy applies. */
#define DG_ENF_HASH_MAX_DEFAULT	(4ull << 30)
/* A worker busy on one batch for longer is killed (its events denied). */
#define DG_ENF_EVENT_TIMEOUT_MS	10000

enum dg_enf_mark_kind {
	DG_MARK_AUTO,		/* mount mark if a mount point, else directory */
	DG_MARK_FILESYSTEM,	/* FAN_MARK_FILESYSTEM: only when asked */
};

struct dg_enf_mark {
	const char *path;
	enum dg_enf_mark_kind kind;
};

struct dg_enf_config {
	const char *state_dir;
	struct dg_enf_mark marks[DG_ENF_MARKS_MAX];
	size_t nmarks;
	int audit;		/* log, always allow */
	int on_error_allow;	/* hashing or lookup failed: allow (else deny) */
	const char *measure_path;	/* IMA log, or NULL */
	const char *log_path;	/* decision log, or NULL */
	const char *tpm_tcti;	/* extend this TPM's PCR 10 too, or NULL */
	int libs;		/* check ELF files any process opens */
	int scripts;		/* check files interpreters open, and #! files */
	uint64_t hash_max;
	unsigned event_timeout_ms;
};

/*
 * Check that every mark in @cfg names an existing mount point, directory
 * or file and that fanotify accepts the mark (a throwaway group of the
 * same class, flags and mask), before anything is started.  0 or negative
 * errno (message naming the path on stderr).  dg_enforcer_run() does this
 * first too.
 */
int dg_enforcer_check_marks(const struct dg_enf_config *cfg);

/*
 * Run until SIGTERM/SIGINT.  Prints "ready" on stdout once the marks are in
 * place (and READY=1 to $NOTIFY_SOCKET).  Returns 0 after a clean stop,
 * negative errno when it could not start (message on stderr).  The state
 * directory must exist (it is not created); a missing database there is
 * not checked here: lookups fail (the --on-error answer) until one appears.
 */
int dg_enforcer_run(const struct dg_enf_config *cfg);

/* sd_notify(3)'s datagram protocol: send @state to $NOTIFY_SOCKET if set. */
int dg_sd_notify(const char *state);

#endif

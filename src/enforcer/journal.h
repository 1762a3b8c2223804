/* SPDX-License-Identifier: MIT */
/*
 * Journal shared between supervisor and worker (a MAP_SHARED memfd page).
 *
 * The kernel matches a fanotify response to its pending event by the fd
 * number the reader got (fanotify_user.c: process_access_response), so the
 * supervisor can answer a dead worker's events with those numbers even
 * though the fds themselves died with the worker.  The worker writes
 * every fd number of a batch here before deciding any of them and clears a
 * slot only after answering it, so a slot that is still set after the
 * worker's death is an event nobody answered.  Events the worker had read
 * but not yet journaled (it died inside read()) are covered by @reading:
 * then the supervisor answers every fd number below the worker's
 * RLIMIT_NOFILE; numbers that match nothing fail harmlessly with ENOENT.
 */
#ifndef DG_ENF_JOURNAL_H
#define DG_ENF_JOURNAL_H

#include <stdatomic.h>
#include <stdint.h>

/* Events per read(): the read buffer holds at most this many. */
#define DG_JOURNAL_SLOTS	256
/* The worker's fd limit, so the supervisor knows the range to sweep. */
#define DG_WORKER_NOFILE	1024

struct dg_enf_journal {
	_Atomic uint32_t reading;	/* inside read(): fds not yet journaled */
	_Atomic uint32_t nslots;
	_Atomic int32_t fds[DG_JOURNAL_SLOTS];	/* -1: answered */
	_Atomic uint64_t busy_since_ns;	/* CLOCK_MONOTONIC; 0 idle */
	/* 1 while busy starting up or attaching the TPM (replaying a large
	 * measurement log, catching a TPM up): a longer deadline applies. */
	_Atomic uint32_t starting;
	_Atomic uint64_t events, allowed, denied, errors, hashed;
};

#endif

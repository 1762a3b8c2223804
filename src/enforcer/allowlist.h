/* SPDX-License-Identifier: MIT */
/*
 * The enforcer's view of the digest database: the current generation for
 * lookups, and a reload thread that opens each new generation as soon as
 * `current` changes (inotify on the state directory, and a poll as a
 * fallback) and hands it over through one atomic pointer.  The event loop
 * switches at its next lookup, so a new generation is picked up without a
 * restart, without a lock on the hot path and without stalling events.
 */
#ifndef DG_ENF_ALLOWLIST_H
#define DG_ENF_ALLOWLIST_H

#include <stddef.h>
#include <stdint.h>

struct dg_enf_allow;
struct dg_db;

/* Interval of the fallback poll for a changed `current`. */
#define DG_ENF_RELOAD_POLL_MS	500

/*
 * Open the state directory's current generation (a missing database is not
 * an error: lookups then fail with -ENOENT until one appears) and start the
 * reload thread.  When `current` does not open and @fallback is not NULL
 * (the newest generation that opened before, which the supervisor keeps
 * for a new worker), @fallback is used instead and becomes ours to close
 * (also when this fails); otherwise it is left alone.  @msg gets the
 * reason `current` did not open.
 */
int dg_enf_allow_open(const char *state_dir, struct dg_db *fallback,
		      struct dg_enf_allow **out, char *msg, size_t msglen);

/*
 * Look @digest up in the newest generation: 1 present, 0 absent, negative
 * errno if there is no database.  @gen (may be NULL) gets a local number
 * that changes whenever the generation does; @source the source name and
 * @path the path of the digest's first reference ("" if none); both may be
 * NULL and stay valid until the next lookup or refresh.  @roles (may be
 * NULL) gets the DG_ROLE_* bits (role.h) that the names of all the paths
 * the content is recorded under imply.
 */
int dg_enf_allow_lookup(struct dg_enf_allow *a, const uint8_t digest[32], uint32_t *gen,
			const char **source, const char **path, unsigned *roles);

/*
 * An eventfd that becomes readable when the thread has a new generation
 * pending, so that an event loop can switch (and drop what it derived from
 * the old one) without waiting for its next event; read it to re-arm.
 */
int dg_enf_allow_fd(const struct dg_enf_allow *a);

/* Switch to a pending generation now; returns the local generation number. */
uint32_t dg_enf_allow_refresh(struct dg_enf_allow *a);

/* Database generation number (from the file header) in use, 0 if none. */
uint64_t dg_enf_allow_db_generation(struct dg_enf_allow *a);

void dg_enf_allow_close(struct dg_enf_allow *a);

#endif

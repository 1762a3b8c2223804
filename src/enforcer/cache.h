/* SPDX-License-Identifier: MIT */
/*
 * Decision cache of the enforcer: one entry per inode, valid only while the
 * file's identity and version are unchanged.  The version is what a write
 * must change: size, mtime and ctime (nanoseconds; the kernel's multigrain
 * timestamps make back-to-back writes distinct).  The i_version change
 * cookie would be better still, but statx does not export it to user space
 * (STATX_CHANGE_COOKIE is kernel-internal).  A lookup that finds the same inode with
 * another version drops the old entry: a write to an allowed file makes the
 * next exec hash it again.
 */
#ifndef DG_ENF_CACHE_H
#define DG_ENF_CACHE_H

#include <stddef.h>
#include <stdint.h>

/* Entries before the whole cache is dropped (bounded memory). */
#define DG_ENF_CACHE_MAX	(1u << 20)

enum dg_enf_class {
	DG_CLASS_UNKNOWN = 0,
	DG_CLASS_ELF,		/* starts with \x7fELF */
	DG_CLASS_SCRIPT,	/* starts with #! */
	DG_CLASS_OTHER,
};

struct dg_enf_key {
	uint64_t dev, ino, size;
	int64_t mtime_ns, ctime_ns;
};

struct dg_enf_entry {
	struct dg_enf_key key;
	uint8_t digest[32];
	uint8_t cls;		/* enum dg_enf_class */
	uint8_t have_digest;
	int8_t found;		/* db answer for generation @gen: 1, 0 */
	uint32_t gen;		/* allowlist generation @found belongs to, 0 none */
	uint32_t ignore_gen;	/* worker's ignore-mark epoch when marked */
};

struct dg_enf_cache;

struct dg_enf_cache *dg_enf_cache_new(size_t max);
void dg_enf_cache_free(struct dg_enf_cache *c);

/*
 * The entry for @k's inode if its version matches @k; NULL otherwise (an
 * entry of an older version is dropped).
 */
struct dg_enf_entry *dg_enf_cache_get(struct dg_enf_cache *c, const struct dg_enf_key *k);

/* A fresh entry for @k (replacing any entry of the inode); NULL on ENOMEM. */
struct dg_enf_entry *dg_enf_cache_put(struct dg_enf_cache *c, const struct dg_enf_key *k);

size_t dg_enf_cache_count(const struct dg_enf_cache *c);

#endif

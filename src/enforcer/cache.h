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
#include <sys/stat.h>

/*
 * Racy entries (git's "racily clean" rule): on a filesystem whose
 * timestamps are coarser than the time between two writes (ext4 with
 * 128-byte inodes and vfat: 1-2 s; NFS; kernels without multigrain
 * timestamps: a clock tick), a same-size rewrite can leave size, mtime
 * and ctime exactly as they were.  What was read from a file whose mtime
 * or ctime is not older than DG_ENF_RACY_NS before the read started is
 * therefore used for that one event only, never reused: the next event
 * reads the file again, until its timestamps are safely in the past.
 * statx does not report a filesystem's timestamp granularity, so the
 * window is the coarsest in common use (vfat's 2 s mtime).
 */
#define DG_ENF_RACY_NS		(2ll * 1000000000ll)

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
	uint8_t elf_checked;	/* @elf_loader is known */
	uint8_t elf_loader;	/* ET_DYN without PT_INTERP (role.h) */
	uint8_t path_role;	/* role of the database path, generation @gen */
	uint8_t racy;		/* content read too soon after a change: no reuse */
	uint8_t others_write;	/* users other than root may write it: no reuse */
	int8_t found;		/* db answer for generation @gen: 1, 0 */
	uint32_t gen;		/* allowlist generation @found belongs to, 0 none */
	uint32_t ignore_gen;	/* worker's ignore-mark epoch when marked */
	uint32_t ignore_exec_gen;	/* ... when an exec's mark was decided */
};

struct dg_enf_cache;

struct dg_enf_cache *dg_enf_cache_new(size_t max);
void dg_enf_cache_free(struct dg_enf_cache *c);

/*
 * The entry for @k's inode if its version matches @k and it is not racy;
 * NULL otherwise (an entry of an older version, or a racy one, is dropped).
 */
struct dg_enf_entry *dg_enf_cache_get(struct dg_enf_cache *c, const struct dg_enf_key *k);

/*
 * What was read from @e's file is not used again: the next
 * dg_enf_cache_get() of its inode misses (a failed hash, a measurement
 * that could not be written).  @e itself stays valid for this event.
 */
void dg_enf_cache_forget(struct dg_enf_entry *e);

/* A fresh entry for @k (replacing any entry of the inode); NULL on ENOMEM. */
struct dg_enf_entry *dg_enf_cache_put(struct dg_enf_cache *c, const struct dg_enf_key *k);

/*
 * After reading @e's file (class, digest): mark @e racy if its mtime or
 * ctime is not older than @read_start_ns (CLOCK_REALTIME, taken before the
 * read) minus DG_ENF_RACY_NS.
 */
void dg_enf_cache_mark_racy(struct dg_enf_entry *e, int64_t read_start_ns);

/*
 * After reading @e's file: mark @e not reusable when users other than root
 * may write the file (@uid not 0, or group/other write bits in @mode, which
 * an ACL granting write sets too).  Such a user changes the content through
 * a shared writable mapping without a new version: once a page is dirty,
 * further stores to it change neither size, mtime nor ctime.  What was
 * read is used for that one event only, as for a racy entry.
 */
void dg_enf_cache_mark_writable(struct dg_enf_entry *e, uint32_t uid, uint32_t mode);

/* 1 if only root may write a file of owner @uid and @mode (no group or
 * other write bit, which an ACL granting write sets too). */
static inline int dg_enf_root_writes_only(uint32_t uid, uint32_t mode)
{
	return uid == 0 && !(mode & (S_IWGRP | S_IWOTH));
}

size_t dg_enf_cache_count(const struct dg_enf_cache *c);

#endif

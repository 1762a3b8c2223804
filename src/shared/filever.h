/* SPDX-License-Identifier: MIT */
/* Telling a file's versions apart from two stat()s of its path. */
#ifndef DG_FILEVER_H
#define DG_FILEVER_H

#include <sys/stat.h>

/*
 * Whether @a and @b show the same version of the same file: a rename brings
 * another inode, a rewrite in place (cp over it) keeps the inode but not
 * the size or the ctime.
 */
static inline int dg_same_file_version(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

#endif

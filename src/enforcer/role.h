/* SPDX-License-Identifier: MIT */
/*
 * Which processes are dynamic loaders or interpreters (docs/enforcer.md
 * "Loaders and interpreters").  A process is classified by what its
 * executable *is*, not by what it is called: a byte-identical copy of ld.so
 * or of a shell under another name has the same allowlisted digest and
 * must be checked the same way.
 *
 * A file's role comes from
 *   - the path the database records for its digest (the package's
 *     /usr/lib/.../ld-linux-x86-64.so.2, /usr/bin/dash),
 *   - its content: an ELF file of type ET_DYN without PT_INTERP is a
 *     dynamic loader (or a static-pie program: treated as one), and
 *   - the name it runs under (the old rule, kept: a name only ever adds).
 *
 * The role of every file the worker allows to execute is recorded, before
 * the answer, in a table keyed by (device, inode) that lives in shared
 * memory owned by the supervisor, so it outlives a worker restart and the
 * decision cache's resets.  A running executable cannot be written
 * (ETXTBSY), so its inode still has the content its last allowed exec had,
 * whatever happened to its name, mode or timestamps since.
 */
#ifndef DG_ENF_ROLE_H
#define DG_ENF_ROLE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DG_ROLE_LOADER		1u	/* runs other ELF files: ld.so */
#define DG_ROLE_INTERP		2u	/* reads code from files: sh, python */

/* Executables with a role recorded; an exec that cannot be recorded is
 * answered by --on-error. */
#define DG_ENF_ROLES_MAX	8192

/* Role implied by the last component of @path (loader or interpreter name). */
unsigned dg_enf_role_of_name(const char *path);

/*
 * 1 if @fd is an ELF file of type ET_DYN without a PT_INTERP program
 * header (what ld.so is), 0 if not or unreadable.  Reads the ELF and
 * program headers with pread(); bounded by DG_ENF_ELF_PHNUM_MAX.
 */
#define DG_ENF_ELF_PHNUM_MAX	256
int dg_enf_elf_is_loader(int fd);

struct dg_enf_roles;

/* A table in a MAP_SHARED anonymous mapping (inherited by the worker). */
struct dg_enf_roles *dg_enf_roles_new(void);
void dg_enf_roles_free(struct dg_enf_roles *t);

/*
 * When the table is full: keep only the records of programs running now
 * (/proc/PID/exe of every process, by statx without syncing, so no
 * filesystem is asked), forget the rest.  A program that is not running
 * needs no record: its next exec records it again.  Returns how many
 * records were kept, or a negative errno (/proc cannot be opened or its
 * listing breaks off, -ENOMEM) with nothing forgotten: the table stays
 * full and the next record is refused.  The one writer (the worker)
 * calls it.
 */
int dg_enf_roles_compact(struct dg_enf_roles *t);

/* 1 and @role if (@dev, @ino) is recorded, 0 if not. */
int dg_enf_roles_get(const struct dg_enf_roles *t, uint64_t dev, uint64_t ino,
		     unsigned *role);

/*
 * Record @role for (@dev, @ino), replacing an older record of the inode.
 * A role-less file is only recorded over an existing record.  0, or
 * -ENOSPC when the table is full.
 */
int dg_enf_roles_set(struct dg_enf_roles *t, uint64_t dev, uint64_t ino, unsigned role);

/*
 * The executable of @pid without opening it: stat() of /proc/PID/exe
 * (opening it could raise a permission event the caller itself has to
 * answer).  @dev/@ino identify it; @name_role is dg_enf_role_of_name() of
 * its path.  0 or negative errno.
 */
struct statx;
int dg_enf_exe_of(pid_t pid, struct statx *sx, uint64_t *dev, unsigned *name_role);

/*
 * 1 if @pid runs without a program interpreter (AT_BASE is 0 in its
 * auxiliary vector): ld.so run as the program, or a static program.  Read
 * from /proc/PID/auxv, i.e. from the kernel, never from the executable's
 * filesystem, which may be a FUSE or NFS mount that never answers.
 */
int dg_enf_runs_without_interp(pid_t pid);

#endif

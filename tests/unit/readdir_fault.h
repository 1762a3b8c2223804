/* SPDX-License-Identifier: MIT */
/*
 * readdir() with a read error on demand, for unit tests of code that lists
 * directories: while readdir_fails is set, every listing returns its first
 * entry and then NULL with errno EIO.  This program's definition comes
 * before the C library's for every caller linked into it (with 64-bit file
 * offsets, dirent.h renames it readdir64, as it does the callers' calls).
 * Include it in one file of a test program only.
 */
#ifndef DG_TEST_READDIR_FAULT_H
#define DG_TEST_READDIR_FAULT_H

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>

static int readdir_fails;

struct dirent *readdir(DIR *d)
{
	static struct dirent *(*real)(DIR *);
	static int calls;

	if (!real)
		real = (struct dirent *(*)(DIR *))dlsym(RTLD_NEXT, "readdir");
	if (readdir_fails && ++calls > 1) {
		errno = EIO;
		return NULL;
	}
	if (!readdir_fails)
		calls = 0;
	return real(d);
}

#endif

// SPDX-License-Identifier: MIT
/* Loader and interpreter recognition by content (role.h). */
#include "role.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

static const char *base_of(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

unsigned dg_enf_role_of_name(const char *path)
{
	static const char *const interp[] = {
		"sh", "bash", "dash", "zsh", "ksh", "ksh93", "mksh", "ash", "busybox",
		"csh", "tcsh", "fish", "awk", "gawk", "mawk", "nawk", "node", "nodejs",
		"Rscript", "pwsh", NULL,
	};
	/* Also under versioned names: python3.11, tclsh8.6, wish8.6, guile-3.0. */
	static const char *const interp_prefix[] = {
		"python", "perl", "ruby", "php", "lua", "tclsh", "wish", "guile", NULL,
	};
	static const char *const loader_prefix[] = {
		"ld-linux", "ld.so", "ld-musl", "ld64.so", NULL,
	};
	const char *b = base_of(path);
	char name[64];
	size_t i, n = strlen(b);

	for (i = 0; loader_prefix[i]; i++)
		if (!strncmp(b, loader_prefix[i], strlen(loader_prefix[i])))
			return DG_ROLE_LOADER;
	/* bash-static, zsh-static, mksh-static: the same shells. */
	if (n > 7 && n - 7 < sizeof(name) && !strcmp(b + n - 7, "-static")) {
		memcpy(name, b, n - 7);
		name[n - 7] = '\0';
		b = name;
	}
	for (i = 0; interp[i]; i++)
		if (!strcmp(b, interp[i]))
			return DG_ROLE_INTERP;
	for (i = 0; interp_prefix[i]; i++)
		if (!strncmp(b, interp_prefix[i], strlen(interp_prefix[i])))
			return DG_ROLE_INTERP;
	return 0;
}

/* pread() offsets are off_t: a program header table must end below this. */
_Static_assert(sizeof(off_t) == sizeof(int64_t), "64-bit file offsets");
#define ELF_OFF_MAX	((uint64_t)INT64_MAX)

int dg_enf_elf_is_loader(int fd)
{
	union { Elf64_Ehdr e64; Elf32_Ehdr e32; } h;
	uint64_t phoff;
	unsigned phnum, phentsize, i, type;
	ssize_t n;
	int is64;

	n = pread(fd, &h, sizeof(h), 0);
	if (n < EI_NIDENT || memcmp(h.e64.e_ident, ELFMAG, SELFMAG))
		return 0;
	is64 = h.e64.e_ident[EI_CLASS] == ELFCLASS64;
	if (!is64 && h.e64.e_ident[EI_CLASS] != ELFCLASS32)
		return 0;
	/* The whole header of the file's class, or e_phentsize and e_phnum
	 * (bytes 54..57 of an Elf64_Ehdr) would be read from a file of 52..57
	 * bytes as whatever the stack held. */
	if ((size_t)n < (is64 ? sizeof(h.e64) : sizeof(h.e32)))
		return 0;
	/* Host byte order only: a foreign-endian file does not run here. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (h.e64.e_ident[EI_DATA] != ELFDATA2LSB)
		return 0;
#else
	if (h.e64.e_ident[EI_DATA] != ELFDATA2MSB)
		return 0;
#endif
	type = is64 ? h.e64.e_type : h.e32.e_type;
	phoff = is64 ? h.e64.e_phoff : h.e32.e_phoff;
	phnum = is64 ? h.e64.e_phnum : h.e32.e_phnum;
	phentsize = is64 ? h.e64.e_phentsize : h.e32.e_phentsize;
	if (type != ET_DYN || phnum == 0 || phnum > DG_ENF_ELF_PHNUM_MAX ||
	    phentsize != (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)))
		return 0;
	/* The table must lie at a file offset: an e_phoff near 2^64 would wrap
	 * the sum below to the file's start, past 2^63 make off_t negative. */
	if (phoff > ELF_OFF_MAX - (uint64_t)phnum * phentsize)
		return 0;
	for (i = 0; i < phnum; i++) {
		uint32_t pt;	/* p_type: the first field of both Phdr forms */

		if (pread(fd, &pt, sizeof(pt), (off_t)(phoff + (uint64_t)i * phentsize)) !=
		    (ssize_t)sizeof(pt))
			return 0;
		if (pt == PT_INTERP)
			return 0;
	}
	return 1;
}

struct role_slot {
	_Atomic uint32_t used;		/* set last: a torn write is never seen */
	_Atomic uint32_t role;
	uint64_t dev, ino;
};

struct dg_enf_roles {
	struct role_slot slot[DG_ENF_ROLES_MAX];
};

struct dg_enf_roles *dg_enf_roles_new(void)
{
	void *p = mmap(NULL, sizeof(struct dg_enf_roles), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void dg_enf_roles_free(struct dg_enf_roles *t)
{
	if (t)
		munmap(t, sizeof(*t));
}

static size_t home_of(uint64_t dev, uint64_t ino)
{
	uint64_t h = (ino ^ (dev << 32 | dev >> 32)) * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 32) % DG_ENF_ROLES_MAX;
}

int dg_enf_roles_get(const struct dg_enf_roles *t, uint64_t dev, uint64_t ino,
		     unsigned *role)
{
	size_t i = home_of(dev, ino), n;

	if (!t)
		return 0;
	for (n = 0; n < DG_ENF_ROLES_MAX; n++, i = (i + 1) % DG_ENF_ROLES_MAX) {
		const struct role_slot *s = &t->slot[i];

		if (!atomic_load_explicit(&s->used, memory_order_acquire))
			return 0;
		if (s->dev == dev && s->ino == ino) {
			*role = atomic_load(&s->role);
			return 1;
		}
	}
	return 0;
}

int dg_enf_roles_set(struct dg_enf_roles *t, uint64_t dev, uint64_t ino, unsigned role)
{
	size_t i = home_of(dev, ino), n;

	if (!t)
		return role ? -ENOSPC : 0;
	for (n = 0; n < DG_ENF_ROLES_MAX; n++, i = (i + 1) % DG_ENF_ROLES_MAX) {
		struct role_slot *s = &t->slot[i];

		if (!atomic_load_explicit(&s->used, memory_order_acquire)) {
			if (!role)
				return 0;	/* nothing to forget */
			s->dev = dev;
			s->ino = ino;
			atomic_store(&s->role, role);
			atomic_store_explicit(&s->used, 1, memory_order_release);
			return 0;
		}
		if (s->dev == dev && s->ino == ino) {
			atomic_store(&s->role, role);
			return 0;
		}
	}
	return role ? -ENOSPC : 0;
}

int dg_enf_exe_of(pid_t pid, struct statx *sx, uint64_t *dev, unsigned *name_role)
{
	char p[64], exe[PATH_MAX];
	ssize_t n;

	snprintf(p, sizeof(p), "/proc/%d/exe", (int)pid);
	*name_role = 0;
	n = readlink(p, exe, sizeof(exe) - 1);
	if (n >= 0) {
		exe[n] = '\0';
		*name_role = dg_enf_role_of_name(exe);
	}
	/* statx follows the magic link without opening the file; DONT_SYNC
	 * takes the attributes the kernel has, without asking a FUSE or NFS
	 * server that might never answer. */
	if (statx(AT_FDCWD, p, AT_STATX_DONT_SYNC, STATX_BASIC_STATS, sx) < 0)
		return -errno;
	*dev = (uint64_t)sx->stx_dev_major << 32 | sx->stx_dev_minor;
	return 0;
}

int dg_enf_runs_without_interp(pid_t pid)
{
	uint64_t av[2 * 64];
	char p[64];
	ssize_t n;
	size_t i;
	int fd;

	snprintf(p, sizeof(p), "/proc/%d/auxv", (int)pid);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, av, sizeof(av));
	close(fd);
	for (i = 0; n > 0 && i + 1 < (size_t)n / sizeof(av[0]) && av[i] != AT_NULL; i += 2)
		if (av[i] == AT_BASE)
			return av[i + 1] == 0;
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return x[0] != y[0] ? (x[0] < y[0] ? -1 : 1) : x[1] != y[1] ? (x[1] < y[1] ? -1 : 1) : 0;
}

int dg_enf_roles_compact(struct dg_enf_roles *t)
{
	struct { uint64_t dev, ino; unsigned role; } *keep;
	uint64_t (*live)[2] = NULL, k[2];
	size_t nlive = 0, caplive = 0, nkeep = 0, i;
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (!t)
		return 0;
	d = opendir("/proc");
	if (!d)
		return -errno;
	/* errno cleared before each readdir(): NULL with errno set is an
	 * error, not the end; a partial list of running programs would make
	 * the table forget loaders and shells that still run. */
	while ((errno = 0, de = readdir(d)) != NULL) {
		struct statx sx;
		char p[64];

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(p, sizeof(p), "/proc/%s/exe", de->d_name);
		if (statx(AT_FDCWD, p, AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &sx) < 0)
			continue;
		if (nlive == caplive) {
			size_t nc = caplive ? 2 * caplive : 1024;
			void *nv = realloc(live, nc * sizeof(*live));

			if (!nv) {
				r = -ENOMEM;
				break;
			}
			live = nv;
			caplive = nc;
		}
		live[nlive][0] = (uint64_t)sx.stx_dev_major << 32 | sx.stx_dev_minor;
		live[nlive][1] = sx.stx_ino;
		nlive++;
	}
	if (r == 0 && errno)
		r = -errno;
	closedir(d);
	if (r < 0) {
		free(live);
		return r;	/* nothing forgotten */
	}
	if (live)
		qsort(live, nlive, sizeof(*live), key_cmp);
	keep = calloc(DG_ENF_ROLES_MAX, sizeof(*keep));
	if (!keep) {
		free(live);
		return -ENOMEM;	/* nothing forgotten */
	}
	for (i = 0; i < DG_ENF_ROLES_MAX; i++) {
		struct role_slot *s = &t->slot[i];

		if (!atomic_load(&s->used))
			continue;
		k[0] = s->dev;
		k[1] = s->ino;
		if (live && bsearch(k, live, nlive, sizeof(*live), key_cmp)) {
			keep[nkeep].dev = s->dev;
			keep[nkeep].ino = s->ino;
			keep[nkeep].role = atomic_load(&s->role);
			nkeep++;
		}
	}
	for (i = 0; i < DG_ENF_ROLES_MAX; i++)
		atomic_store(&t->slot[i].used, 0);
	for (i = 0; i < nkeep; i++)
		dg_enf_roles_set(t, keep[i].dev, keep[i].ino, keep[i].role);
	free(keep);
	free(live);
	return (int)nkeep;
}

// SPDX-License-Identifier: MIT
/*
 * Landlock without the uapi header: Debian 12's linux-libc-dev predates the
 * network rules (ABI 4) and scoping (ABI 6), so the few constants we need
 * are spelled out here from include/uapi/linux/landlock.h.
 */
#include "landlock.h"

#include <errno.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LL_CREATE_RULESET_VERSION (1u << 0)
#define LL_NR_CREATE 444
#define LL_NR_RESTRICT 446

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

static uint64_t fs_rights(int abi)
{
	uint64_t r = (1ull << 13) - 1;	/* ABI 1: execute .. make_sym */

	if (abi >= 2)
		r |= 1ull << 13;	/* refer */
	if (abi >= 3)
		r |= 1ull << 14;	/* truncate */
	if (abi >= 5)
		r |= 1ull << 15;	/* ioctl_dev */
	return r;
}

int dg_landlock_apply(void)
{
	struct ll_ruleset_attr attr = { 0 };
	size_t size = sizeof(attr.handled_access_fs);
	long abi;
	int fd, r;

	abi = syscall(LL_NR_CREATE, NULL, 0, LL_CREATE_RULESET_VERSION);
	if (abi < 0)
		return (errno == ENOSYS || errno == EOPNOTSUPP) ? 0 : -errno;
	attr.handled_access_fs = fs_rights((int)abi);
	if (abi >= 4) {
		attr.handled_access_net = 3;	/* bind_tcp | connect_tcp */
		size = 2 * sizeof(uint64_t);
	}
	if (abi >= 6) {
		attr.scoped = 3;	/* abstract_unix_socket | signal */
		size = sizeof(attr);
	}
	fd = (int)syscall(LL_NR_CREATE, &attr, size, 0);
	if (fd < 0)
		return -errno;
	r = (int)syscall(LL_NR_RESTRICT, fd, 0);
	r = r < 0 ? -errno : (int)abi;
	close(fd);
	return r;
}

// SPDX-License-Identifier: MIT
/*
 * sd_notify(3) without libsystemd: one datagram with "READY=1" (or any
 * state) to the AF_UNIX socket named by $NOTIFY_SOCKET; '@' is the
 * abstract namespace.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "enforcer.h"

int dg_sd_notify(const char *state)
{
	const char *e = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n;
	ssize_t w;
	int fd;

	if (!e || !*e)
		return 0;
	n = strlen(e);
	if (n >= sizeof(sa.sun_path))
		return -E2BIG;
	if (e[0] != '/' && e[0] != '@')
		return -EINVAL;
	memcpy(sa.sun_path, e, n);
	if (e[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	w = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n));
	n = w < 0 ? (size_t)errno : 0;
	close(fd);
	return w < 0 ? -(int)n : 1;
}

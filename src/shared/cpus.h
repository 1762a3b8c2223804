/* SPDX-License-Identifier: MIT */
/* CPU sets for starting a new task off the caller's CPU (src/umd/sandbox.c,
 * the pgp core's hash-ahead thread). */
#ifndef DG_CPUS_H
#define DG_CPUS_H

#include <sched.h>
#include <stdbool.h>

/*
 * The caller's allowed CPUs in @all, the CPU it runs on in @here (when not
 * NULL), and the others in @away; false when they cannot be read or no
 * other CPU is allowed.
 */
static inline bool dg_cpus_away(cpu_set_t *all, cpu_set_t *here, cpu_set_t *away)
{
	int cur = sched_getcpu();

	if (cur < 0 || cur >= CPU_SETSIZE || sched_getaffinity(0, sizeof(*all), all) < 0 ||
	    !CPU_ISSET(cur, all) || CPU_COUNT(all) < 2)
		return false;
	*away = *all;
	CPU_CLR(cur, away);
	if (here) {
		CPU_ZERO(here);
		CPU_SET(cur, here);
	}
	return true;
}

#endif

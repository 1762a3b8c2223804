/* SPDX-License-Identifier: MIT */
/*
 * Internal to libdg_shared and its tests: which SHA-256 block function
 * dg_sha256_update() uses.  By default the CPU decides (SHA-NI when CPUID
 * has it); a test forces one so that both are checked on any machine that
 * can run them.  Nothing in the product calls dg_sha256_impl_force(), and
 * no environment variable or option reaches it.
 */
#ifndef DG_SHA256_IMPL_H
#define DG_SHA256_IMPL_H

enum dg_sha256_impl {
	DG_SHA256_IMPL_AUTO,	/* SHA-NI if the CPU has it, else generic */
	DG_SHA256_IMPL_GENERIC,	/* portable C, FIPS 180-4 §6.2.2 */
	DG_SHA256_IMPL_SHANI,	/* x86 SHA extensions */
};

/* 1 if @impl can run on this CPU (AUTO and GENERIC always can), else 0. */
int dg_sha256_impl_available(enum dg_sha256_impl impl);

/*
 * Use @impl for every later block of every context in the process (not
 * thread-safe against concurrent hashing: call it between hashes).
 * 0, -EOPNOTSUPP if the CPU lacks it, -EINVAL for an unknown value.
 */
int dg_sha256_impl_force(enum dg_sha256_impl impl);

#endif

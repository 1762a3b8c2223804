// SPDX-License-Identifier: MIT
/*
 * OpenSSL start-up for the CLI: the options every command runs with, and
 * for the commands that want it, a start on another thread.
 *
 * A trusted verifier does not let openssl.cnf (or OPENSSL_CONF from the
 * environment) load provider modules or change defaults: our policy is our
 * own (docs/pgp.md).  Skipping the file also saves ~0.5 ms per run, and the
 * process exits without OpenSSL's clean-up pass.
 *
 * Nor does it need OpenSSL's legacy name tables (every cipher and digest
 * registered under its old names, copied into the name map at the first
 * fetch) or its error strings: algorithms are taken by EVP_sha256()-style
 * pointers and fetched by their provider names, and no message prints an
 * OpenSSL error string.  Skipping both takes the first fetch and the first
 * key object from ~0.7 ms to ~0.2 ms.
 *
 * With a linked libcrypto, cli_crypto_open() only initialises it; in the
 * deferred build (crypto_defer.c) it loads it first.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/crypto.h>

#include "cli.h"

#define CRYPTO_INIT_OPTS (OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ATEXIT | \
			  OPENSSL_INIT_NO_ADD_ALL_CIPHERS | OPENSSL_INIT_NO_ADD_ALL_DIGESTS | \
			  OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS)
#define CRYPTO_EXIT_UNLOADABLE 127	/* as the dynamic loader's own failure */

/* OpenSSL's CMS code (bpf sign) finds digests by their legacy names. */
#define CRYPTO_NAMES_OPTS (CRYPTO_INIT_OPTS & ~(uint64_t)(OPENSSL_INIT_NO_ADD_ALL_DIGESTS | \
			   OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS))

static uint64_t crypto_opts = CRYPTO_INIT_OPTS;
static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static char crypto_msg[256];
static int crypto_failed;

#ifndef DG_CRYPTO_DEFERRED
int cli_crypto_open(uint64_t init_opts, char *msg, size_t msglen)
{
	if (OPENSSL_init_crypto(init_opts, NULL))
		return 0;
	snprintf(msg, msglen, "OPENSSL_init_crypto failed");
	return -1;
}
#endif

static void crypto_load_once(void)
{
	crypto_failed = cli_crypto_open(crypto_opts, crypto_msg, sizeof(crypto_msg)) < 0;
}

void cli_crypto_load(void)
{
	pthread_once(&crypto_once, crypto_load_once);
	if (crypto_failed) {
		fprintf(stderr, "digestguard: cannot load the crypto library: %s\n", crypto_msg);
		exit(CRYPTO_EXIT_UNLOADABLE);
	}
}

void cli_crypto_start(enum cli_crypto_when when)
{
	switch (when) {
	case CLI_CRYPTO_NOW:
		cli_crypto_load();
		break;
	case CLI_CRYPTO_NOW_NAMES:
		crypto_opts = CRYPTO_NAMES_OPTS;
		cli_crypto_load();
		break;
	case CLI_CRYPTO_ON_USE:
#ifndef DG_CRYPTO_DEFERRED
		/* Linked: OpenSSL would initialise itself, with its defaults,
		 * at the first call. */
		cli_crypto_load();
#endif
		break;
	case CLI_CRYPTO_PRELOAD:
		break;
	}
}

/*
 * The preload thread is detached and may still be in dlopen() or the
 * warm-up when the command ends (an early error, or a verification that
 * built the same tables itself).  exit() is safe meanwhile: ld.so's
 * clean-up waits for a dlopen() under way, OPENSSL_INIT_NO_ATEXIT leaves
 * OpenSSL no exit handler, libcrypto's only destructor is the compiler's
 * default one, and exit_group() ends the thread.
 */
static void (*crypto_warm)(void);

/*
 * fork() waits for the preload thread: a child forked while it is inside
 * dlopen() would inherit ld.so's half-made link map (its first OpenSSL call
 * jumped to an unrelocated address), and one forked during the warm-up an
 * OpenSSL lock held by a thread it does not have.  clone3() for a handler
 * runs no fork handlers and does not wait.
 */
static pthread_mutex_t preload_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t preload_done = PTHREAD_COND_INITIALIZER;
static int preload_running;	/* under preload_lock */
static int preload_started;	/* one preload per process: its fork handlers once */

static void preload_fork_prepare(void)
{
	pthread_mutex_lock(&preload_lock);
	while (preload_running)
		pthread_cond_wait(&preload_done, &preload_lock);
}

static void preload_fork_after(void)
{
	pthread_mutex_unlock(&preload_lock);
}

static void *preload_thread(void *unused)
{
	(void)unused;
	pthread_once(&crypto_once, crypto_load_once);
	if (!crypto_failed && crypto_warm)
		crypto_warm();
	pthread_mutex_lock(&preload_lock);
	preload_running = 0;
	pthread_cond_broadcast(&preload_done);
	pthread_mutex_unlock(&preload_lock);
	return NULL;
}

void cli_crypto_preload(void (*warm)(void))
{
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t t;

#ifndef DG_CRYPTO_DEFERRED
	/* Linked: initialise here, so that no OpenSSL call on this thread
	 * can initialise it first with the default options. */
	cli_crypto_load();
#endif
	if (preload_started || pthread_attr_init(&attr))
		return;
	preload_started = 1;
	if (pthread_atfork(preload_fork_prepare, preload_fork_after, preload_fork_after)) {
		pthread_attr_destroy(&attr);
		return;
	}
	crypto_warm = warm;
	preload_running = 1;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* Signals stay with the main thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	/* Without a thread the first call that needs it loads it. */
	if (pthread_create(&t, &attr, preload_thread, NULL) != 0) {
		crypto_warm = NULL;
		preload_running = 0;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
}

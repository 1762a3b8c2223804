// SPDX-License-Identifier: MIT
/*
 * libcrypto loaded when it is needed, not when the executable starts.
 *
 * Relocating libcrypto.so.3 (3,500 symbol and 17,000 relative relocations,
 * 130 page faults) costs ~0.8 ms of CPU here before main() runs, longer
 * than the whole OpenPGP handler takes to start.  In this build (meson
 * option defer_crypto, the default with a shared libcrypto) the executable
 * does not name libcrypto at all: it defines every OpenSSL function it
 * calls (crypto_syms.h) as a forwarder that makes sure the library is
 * loaded, then jumps to the library's function.  cli_crypto_open() loads it
 * with dlopen(), resolves each function at the version the code was built
 * against, and runs OPENSSL_init_crypto(); a command that wants the library
 * soon starts that on a thread of its own (cli_crypto_preload) while it
 * starts its handler.  Everything else loads it before it runs (main.c), so
 * nothing changes for commands that fork or mark mounts.
 *
 * The forwarders are internal to the executable (not exported: nothing was
 * linked against libcrypto), so libcrypto's own calls are never routed
 * through them.
 */
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cli.h"

#if OPENSSL_VERSION_MAJOR != 3
#error "crypto_defer.c loads libcrypto.so.3 and its OPENSSL_3.0.0 symbols"
#endif
#define CRYPTO_SONAME "libcrypto.so.3"
#define CRYPTO_SYMVER "OPENSSL_3.0.0"

static struct {
#define F(ret, name, params, args) ret (*name) params;
#define V(name, params, args) void (*name) params;
#include "crypto_syms.h"
#undef F
#undef V
} fn;

/* Set (release) once every pointer in fn is valid. */
static atomic_bool fn_ready;

int cli_crypto_open(uint64_t init_opts, char *msg, size_t msglen)
{
	void *h = dlopen(CRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(msg, msglen, "%s", dlerror());
		return -1;
	}
#define RESOLVE(name)                                                          \
	do {                                                                   \
		*(void **)&fn.name = dlvsym(h, #name, CRYPTO_SYMVER);          \
		if (!fn.name) {                                                \
			snprintf(msg, msglen, "%s has no %s@%s", CRYPTO_SONAME, \
				 #name, CRYPTO_SYMVER);                        \
			return -1;                                             \
		}                                                              \
	} while (0);
#define F(ret, name, params, args) RESOLVE(name)
#define V(name, params, args) RESOLVE(name)
#include "crypto_syms.h"
#undef F
#undef V
#undef RESOLVE
	if (!fn.OPENSSL_init_crypto(init_opts, NULL)) {
		snprintf(msg, msglen, "%s: OPENSSL_init_crypto failed", CRYPTO_SONAME);
		return -1;
	}
	atomic_store_explicit(&fn_ready, true, memory_order_release);
	return 0;
}

static inline void need(void)
{
	if (!atomic_load_explicit(&fn_ready, memory_order_acquire))
		cli_crypto_load();	/* waits for a load under way; exits if it failed */
}

#define F(ret, name, params, args) \
	ret name params { need(); return fn.name args; }
#define V(name, params, args) \
	void name params { need(); fn.name args; }
#include "crypto_syms.h"
#undef F
#undef V

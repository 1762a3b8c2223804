#!/usr/bin/env bash
# When the CLI loads libcrypto (src/cli/crypto.c, crypto_defer.c): in the
# default build the executable does not name libcrypto.so.3 and loads it
# with dlopen() when a command needs it; a library that lacks what we need
# is named in a message, and commands that do not need it still run.
. "$(dirname "$0")/lib.bash"

opt() {	# NAME: the value of a meson build option of $BUILD
	python3 -c 'import json, sys
for o in json.load(open(sys.argv[1])):
    if o["name"] == sys.argv[2]: print(str(o["value"]).lower())' \
		"$BUILD/meson-info/intro-buildoptions.json" "$1"
}
# loads CMD...: how often CMD dlopen()s libcrypto.so.3, from ld.so's trace
# (its output and status are not looked at; stdin /dev/null unless redirected)
loads() { LD_DEBUG=files wd 30 "$@" 2>&1 >/dev/null |
	grep -c 'file=libcrypto\.so\.3 .*dynamically loaded' || true; }

if [ "$(opt static_crypto)" = true ] || [ "$(opt defer_crypto)" != true ]; then
	reason="this build links libcrypto (static_crypto=$(opt static_crypto), defer_crypto=$(opt defer_crypto))"
	readelf -d "$DG" | grep -q 'NEEDED.*libcrypto' || [ "$(opt static_crypto)" = true ] &&
		ok linked_build_has_libcrypto || nok linked_build_has_libcrypto "$(readelf -d "$DG" | grep NEEDED)"
	skip deferred_loading "$reason"
	done_testing; exit
fi

if readelf -d "$DG" | grep -q 'NEEDED.*libcrypto'; then
	nok executable_does_not_name_libcrypto "$(readelf -d "$DG" | grep NEEDED)"
else
	ok executable_does_not_name_libcrypto
fi

# --- which commands load it --------------------------------------------------
exec </dev/null
[ "$(loads "$DG" --help)" = 0 ] && ok help_does_not_load_libcrypto ||
	nok help_does_not_load_libcrypto
[ "$(loads "$DG" umd info)" = 0 ] && ok umd_info_does_not_load_libcrypto ||
	nok umd_info_does_not_load_libcrypto
H=$(printf x | sha256sum | cut -d' ' -f1)
printf '%s  /usr/bin/x\n' "$H" >"$T/list"
if wd 30 "$DG" db import --state "$T/db" --local "$T/list" >/dev/null 2>"$T/err"; then
	[ "$(loads "$DG" db lookup --state "$T/db" "$H")" = 0 ] && wd 30 "$DG" db lookup --state "$T/db" "$H" >/dev/null &&
		ok db_lookup_does_not_load_libcrypto || nok db_lookup_does_not_load_libcrypto
else
	nok db_import_local "$(cat "$T/err")"
fi
[ "$(loads "$DG" sopv version --extended)" = 1 ] && ok sopv_version_extended_loads_it ||
	nok sopv_version_extended_loads_it
# enforce loads it before it forks workers or marks anything, even for --help
[ "$(loads "$DG" enforce --help)" = 1 ] && ok enforce_loads_it_before_it_runs ||
	nok enforce_loads_it_before_it_runs

export GNUPGHOME=$T/gnupg SOURCE_DATE_EPOCH=1700000000
mkdir -m 700 "$GNUPGHOME"
g() { gpg --batch --yes --quiet --faked-system-time "$SOURCE_DATE_EPOCH!" \
	--pinentry-mode loopback --passphrase '' "$@"; }
if ! out=$(g --quick-gen-key "crypto loading <t@fixtures.digestguard.test>" ed25519 sign never 2>&1 &&
	g --export -o "$T/cert.pgp" 2>&1 && head -c 100000 /dev/urandom >"$T/data" &&
	g --digest-algo SHA256 -o "$T/data.sig" --detach-sign "$T/data" 2>&1); then
	nok fixture_made "$out"
	done_testing; exit
fi
gpgconf --kill all >/dev/null 2>&1 || true
fpr=$(gpg --with-colons --fingerprint 2>/dev/null | awk -F: '/^fpr/ { print $10; exit }')

wd 30 "$DG" sopv verify "$T/data.sig" "$T/cert.pgp" <"$T/data" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] && grep -q " $fpr $fpr mode:binary\$" "$T/out" && ok sopv_verify_with_deferred_libcrypto ||
	nok sopv_verify_with_deferred_libcrypto "rc=$rc" "$(cat "$T/out" "$T/err")"
n_loads=$(loads "$DG" sopv verify "$T/data.sig" "$T/cert.pgp" <"$T/data")
[ "$n_loads" = 1 ] && ok sopv_verify_loads_it_once_with_dlopen ||
	nok sopv_verify_loads_it_once_with_dlopen "loads: $n_loads"
# The same with the tampered data: the verdict does not depend on loading.
{ cat "$T/data"; echo x; } >"$T/data.bad"
wd 30 "$DG" sopv verify "$T/data.sig" "$T/cert.pgp" <"$T/data.bad" >/dev/null 2>&1
rc=$?
[ $rc = 3 ] && ok sopv_verify_tampered_is_3 || nok sopv_verify_tampered_is_3 "rc=$rc"

# --- fork() while the preload thread loads it --------------------------------
# No command forks after cli_crypto_preload() today (handlers start with
# clone3 and exec); this checks that a fork() would wait for the load
# instead of giving its child ld.so's half-made link map.
cat >"$T/fork.c" <<'EOF'
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "cli.h"
static void warm(void) { EVP_MD_free(EVP_MD_fetch(NULL, "SHA2-256", NULL)); }
int main(int argc, char **argv)
{
	int i, n = argc > 1 ? atoi(argv[1]) : 1, bad = 0, st;

	for (i = 0; i < n; i++) {
		pid_t p = fork();

		if (p == 0) {	/* a process that preloads, then forks at once */
			cli_crypto_preload(warm);
			if ((p = fork()) == 0) {
				EVP_MD *md;

				alarm(10);
				md = EVP_MD_fetch(NULL, "SHA2-256", NULL);
				_exit(!(md && EVP_sha256()));
			}
			_exit(waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st));
		}
		bad += waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st);
	}
	return bad ? 1 : 0;
}
EOF
if out=$(cc -D_GNU_SOURCE -DDG_CRYPTO_DEFERRED -I"$SRC/src/cli" -I"$SRC/include" -I"$SRC/src/shared" \
	-o "$T/fork" "$T/fork.c" "$SRC/src/cli/crypto.c" "$SRC/src/cli/crypto_defer.c" -lpthread -ldl 2>&1); then
	wd 300 "$T/fork" 1000 && ok fork_during_preload_waits_for_the_load ||
		nok fork_during_preload_waits_for_the_load "a child forked during the preload failed"
else
	nok fork_harness_built "$out"
fi

# --- a libcrypto.so.3 without what we need ---------------------------------
mkdir "$T/fake"
echo 'int dg_fake_libcrypto;' >"$T/fake.c"
if ! out=$(cc -shared -fPIC -Wl,-soname,libcrypto.so.3 -o "$T/fake/libcrypto.so.3" "$T/fake.c" 2>&1); then
	nok fake_library_built "$out"
	done_testing; exit
fi
LD_LIBRARY_PATH=$T/fake wd 30 "$DG" sopv verify "$T/data.sig" "$T/cert.pgp" <"$T/data" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 127 ] && ok unusable_libcrypto_exits_127 || nok unusable_libcrypto_exits_127 "rc=$rc" "$(cat "$T/err")"
grep -q '^digestguard: cannot load the crypto library: libcrypto.so.3 has no [A-Za-z_0-9]*@OPENSSL_3.0.0$' "$T/err" &&
	ok unusable_libcrypto_is_named_with_the_missing_function ||
	nok unusable_libcrypto_is_named_with_the_missing_function "$(cat "$T/err")"
[ ! -s "$T/out" ] && ok unusable_libcrypto_prints_no_verification ||
	nok unusable_libcrypto_prints_no_verification "$(cat "$T/out")"
# pgp dump prints as it goes: nothing at all, not half a dump
LD_LIBRARY_PATH=$T/fake wd 30 "$DG" pgp dump --json "$T/cert.pgp" >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 127 ] && [ ! -s "$T/out" ] && ok pgp_dump_with_unusable_libcrypto_prints_nothing ||
	nok pgp_dump_with_unusable_libcrypto_prints_nothing "rc=$rc" "$(head -c 200 "$T/out")"
LD_LIBRARY_PATH=$T/fake wd 30 "$DG" pgp dump --help >/dev/null 2>&1 && ok pgp_dump_help_runs_without_a_usable_libcrypto ||
	nok pgp_dump_help_runs_without_a_usable_libcrypto
LD_LIBRARY_PATH=$T/fake wd 30 "$DG" --help >/dev/null 2>&1 && ok help_runs_without_a_usable_libcrypto ||
	nok help_runs_without_a_usable_libcrypto
LD_LIBRARY_PATH=$T/fake wd 30 "$DG" rpm verify --help >/dev/null 2>"$T/err" && ok rpm_help_runs_without_a_usable_libcrypto ||
	nok rpm_help_runs_without_a_usable_libcrypto "$(cat "$T/err")"
done_testing

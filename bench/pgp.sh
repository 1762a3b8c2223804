#!/usr/bin/env bash
# OpenPGP detached-signature verification, whole process each time, against
# sqv and gpgv with the same key, signature and data (measured in the same
# run), and hashing throughput against `openssl dgst -sha256`.  Then, for
# information (no target), `sopv inline-verify` of a 1 MiB inline-signed
# message, compressed (gpg's default, ZIP) and not, against `sqop
# inline-verify` and `gpgv -o`.
#
#   bench/pgp.sh [RUNS_1MIB]        (default 200 runs of each 1 MiB command)
#
# Ratios printed last; targets: 1 MiB digestguard/sqv <= 1.0,
# digestguard/gpgv <= 0.5; 256 MiB digestguard throughput / openssl
# throughput >= 0.9. Key (Ed25519, SHA-256 signatures) and data are made in
# a temp dir. Until `digestguard sopv` exists the peers are still measured
# and the script says "digestguard: not built".
set -euo pipefail
cd "$(dirname "$0")/.."
DG=${DG:-build/src/cli/digestguard}
runs=${1:-200}
big_runs=${BENCH_BIG_RUNS:-10}
for t in gpg gpgv sqv sqop openssl awk ${CC:-cc}; do
	command -v $t >/dev/null || { echo "bench/pgp.sh: needs $t (make deps)" >&2; exit 2; }
done

tmp=$(mktemp -d /tmp/dg-bench-pgp.XXXXXX)
export GNUPGHOME=$tmp/gnupg
cleanup() { gpgconf --kill all >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
mkdir -m 700 "$GNUPGHOME"

have_dg=0
if [ -x "$DG" ] && "$DG" sopv version >/dev/null 2>&1; then have_dg=1; fi

# --- key, data, signatures ----------------------------------------------
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
g() { gpg --batch --yes --quiet --faked-system-time "$SOURCE_DATE_EPOCH!" \
	--pinentry-mode loopback --passphrase '' "$@" 2>/dev/null; }
g --quick-gen-key "bench <bench@fixtures.digestguard.test>" ed25519 sign never
g --export -o "$tmp/cert.pgp"
head -c $((1 << 20)) /dev/urandom >"$tmp/1m.bin"
head -c $((256 << 20)) /dev/urandom >"$tmp/256m.bin"
for f in 1m 256m; do g --digest-algo SHA256 -o "$tmp/$f.sig" --detach-sign "$tmp/$f.bin"; done
g --digest-algo SHA256 -o "$tmp/1m.z.gpg" --sign "$tmp/1m.bin"
g --digest-algo SHA256 -z 0 -o "$tmp/1m.0.gpg" --sign "$tmp/1m.bin"
gpgconf --kill all >/dev/null 2>&1 || true

# every command must verify before it is timed
verify_ok() { "$@" >/dev/null 2>&1 || { echo "bench/pgp.sh: does not verify: $*" >&2; exit 1; }; }
for f in 1m 256m; do
	verify_ok sqv --keyring "$tmp/cert.pgp" "$tmp/$f.sig" "$tmp/$f.bin"
	verify_ok gpgv --keyring "$tmp/cert.pgp" "$tmp/$f.sig" "$tmp/$f.bin"
	[ $have_dg = 0 ] || verify_ok sh -c "\"$DG\" sopv verify \"$tmp/$f.sig\" \"$tmp/cert.pgp\" <\"$tmp/$f.bin\""
done
for f in 1m.z 1m.0; do
	verify_ok sh -c "sqop inline-verify \"$tmp/cert.pgp\" <\"$tmp/$f.gpg\""
	verify_ok gpgv --keyring "$tmp/cert.pgp" -o /dev/null "$tmp/$f.gpg"
	[ $have_dg = 0 ] || verify_ok sh -c "\"$DG\" sopv inline-verify \"$tmp/cert.pgp\" <\"$tmp/$f.gpg\""
done

# --- timing --------------------------------------------------------------
# rounds RUNS NAME=COMMAND...: run the commands round-robin RUNS times (after
# 3 warm-up rounds), each a direct posix_spawn with no shell (stdin
# redirected when the line ends in "<FILE"), so changes in machine load hit
# every command alike. Prints "NAME MEDIAN_S SD_S CPU_S" per command, CPU =
# user+system. The harness is C (bench/spawn_time.c): its own time per run
# is in every figure and pulls the ratios towards 1.
${CC:-cc} -O2 -o "$tmp/spawn_time" bench/spawn_time.c -lm
rounds() {
	"$tmp/spawn_time" "$@"
}
calc() { awk "BEGIN { print ($1) }"; }
# med[] holds the median wall time (robust against a busy machine), cpu[]
# the mean user+system time of the process and its children
declare -A med sd cpu
measure() {	# RUNS NAME=COMMAND...
	local n=$1 name m s c; shift
	while read -r name m s c; do
		med[$name]=$m sd[$name]=$s cpu[$name]=$c
		printf '  %-20s median %8.2f ms  sd %6.2f ms  cpu %8.2f ms  (%s runs)\n' "$name" \
			"$(calc "$m * 1000")" "$(calc "$s * 1000")" "$(calc "$c * 1000")" "$n"
	done < <(rounds "$n" "$@") || exit 1
}

echo "bench/pgp.sh: detached signature verification, whole process, $(date -u +%FT%TZ)"
echo "  key Ed25519, SHA-256 signature; $(nproc) CPUs; $(uname -r); load average $(cut -d' ' -f1-3 /proc/loadavg)"
dgc=()
echo "1 MiB:"
[ $have_dg = 1 ] && dgc=("dg-1m=$DG sopv verify $tmp/1m.sig $tmp/cert.pgp <$tmp/1m.bin")
measure "$runs" "${dgc[@]}" \
	"sqv-1m=sqv --keyring $tmp/cert.pgp $tmp/1m.sig $tmp/1m.bin" \
	"gpgv-1m=gpgv --keyring $tmp/cert.pgp $tmp/1m.sig $tmp/1m.bin"
echo "256 MiB:"
[ $have_dg = 1 ] && dgc=("dg-256m=$DG sopv verify $tmp/256m.sig $tmp/cert.pgp <$tmp/256m.bin")
measure "$big_runs" "${dgc[@]}" \
	"openssl-sha256-256m=openssl dgst -sha256 $tmp/256m.bin" \
	"sqv-256m=sqv --keyring $tmp/cert.pgp $tmp/256m.sig $tmp/256m.bin" \
	"gpgv-256m=gpgv --keyring $tmp/cert.pgp $tmp/256m.sig $tmp/256m.bin"

mibs() { calc "256 / ${med[$1]}"; }
printf '  throughput: openssl %.0f MiB/s, sqv %.0f MiB/s, gpgv %.0f MiB/s' \
	"$(mibs openssl-sha256-256m)" "$(mibs sqv-256m)" "$(mibs gpgv-256m)"
[ $have_dg = 1 ] && printf ', digestguard %.0f MiB/s' "$(mibs dg-256m)"
echo
echo "ratios (median wall time):"
if [ $have_dg = 0 ]; then
	echo "  digestguard: not built ($DG sopv version failed)"
	exit 0
fi
r1=$(calc "${med[dg-1m]} / ${med[sqv-1m]}")
r2=$(calc "${med[dg-1m]} / ${med[gpgv-1m]}")
r3=$(calc "${med[openssl-sha256-256m]} / ${med[dg-256m]}")
verdict() { if [ "$(calc "$1")" = 1 ]; then echo met; else echo MISSED; fi; }
printf '  1 MiB   digestguard/sqv  time       %.2f  (target <= 1.0: %s)\n' "$r1" "$(verdict "$r1 <= 1.0")"
printf '  1 MiB   digestguard/gpgv time       %.2f  (target <= 0.5: %s)\n' "$r2" "$(verdict "$r2 <= 0.5")"
printf '  256 MiB digestguard/openssl MiB/s   %.2f  (target >= 0.9: %s)\n' "$r3" "$(verdict "$r3 >= 0.9")"
printf '  (cpu time: 1 MiB dg/sqv %.2f, dg/gpgv %.2f; 256 MiB openssl/dg %.2f)\n' \
	"$(calc "${cpu[dg-1m]} / ${cpu[sqv-1m]}")" "$(calc "${cpu[dg-1m]} / ${cpu[gpgv-1m]}")" \
	"$(calc "${cpu[openssl-sha256-256m]} / ${cpu[dg-256m]}")"

echo "inline-signed message, 1 MiB, signed content written out (for information, no target):"
for f in 1m.z 1m.0; do
	dgc=()
	[ $have_dg = 1 ] && dgc=("dg-inline-$f=$DG sopv inline-verify $tmp/cert.pgp <$tmp/$f.gpg")
	measure "$(( (runs + 1) / 2 ))" "${dgc[@]}" \
		"sqop-inline-$f=sqop inline-verify $tmp/cert.pgp <$tmp/$f.gpg" \
		"gpgv-inline-$f=gpgv --keyring $tmp/cert.pgp -o /dev/null $tmp/$f.gpg"
done
for f in 1m.z 1m.0; do
	case $f in 1m.z) what="compressed  ";; *) what="uncompressed";; esac
	printf '  %s digestguard/sqop %.2f, digestguard/gpgv %.2f\n' "$what" \
		"$(calc "${med[dg-inline-$f]} / ${med[sqop-inline-$f]}")" \
		"$(calc "${med[dg-inline-$f]} / ${med[gpgv-inline-$f]}")"
done

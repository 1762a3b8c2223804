#!/usr/bin/env bash
# Generate OpenPGP inputs with real gpg, reproducibly (SOURCE_DATE_EPOCH,
# --faked-system-time), into OUTDIR.  Used by tests/unit/test_pgp_parse.c
# at test time and to seed the fuzz corpora:
#   tests/data/pgp/seed-fuzz.sh OUTDIR            # fixtures only
#   tests/data/pgp/seed-fuzz.sh --seed-corpus     # also copy into fuzz/corpus/pgp_*
set -euo pipefail
seed=0
if [ "${1:-}" = --seed-corpus ]; then seed=1; shift; fi
out=${1:-$(mktemp -d)}
mkdir -p "$out"
# Exit 77 (a skip) without gpg; any other failure names the line and ends
# with what gpg said.
command -v gpg >/dev/null || { echo "seed-fuzz.sh: gpg not installed" >&2; exit 77; }

export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
home=$(mktemp -d)
trap 'gpgconf --homedir "$home" --kill all >/dev/null 2>&1 || true; rm -rf "$home"' EXIT
set -E	# the ERR trap in functions too
trap 'echo "seed-fuzz.sh: line $LINENO failed; gpg said:" >&2; tail -n 5 "$home/gpg.log" >&2 2>/dev/null' ERR
chmod 700 "$home"
g() { gpg --homedir "$home" --batch --quiet --no-tty --pinentry-mode loopback \
	--passphrase '' --faked-system-time "$SOURCE_DATE_EPOCH!" "$@" 2>>"$home/gpg.log"; }

g --quick-gen-key 'Ed Test <ed@example.org>' ed25519 sign,cert never
g --quick-gen-key 'Rsa Test <rsa@example.org>' rsa2048 sign,cert never
fpr_ed=$(g --with-colons --list-keys ed@example.org | awk -F: '/^fpr/{print $10; exit}')
fpr_rsa=$(g --with-colons --list-keys rsa@example.org | awk -F: '/^fpr/{print $10; exit}')
g --quick-add-key "$fpr_ed" cv25519 encr never

g --export ed@example.org >"$out/key-ed25519.gpg"
g --armor --export ed@example.org >"$out/key-ed25519.asc"
g --export rsa@example.org >"$out/key-rsa.gpg"
g --armor --export >"$out/keyring-two.asc"
g --export-secret-keys ed@example.org >"$out/secret-ed25519.gpg"

printf 'hello, signed world\n' >"$out/data.txt"
# Text that needs dash-escaping and has trailing whitespace (RFC 9580 §7.2).
printf 'First line  \n- dashed line\n-----BEGIN PGP SIGNATURE----- lookalike\nfrom here\t\n\nlast' >"$out/clear.txt"
head -c 20000 /dev/zero | tr '\0' 'x' >"$out/big.txt"

g -u "$fpr_ed" --detach-sign -o "$out/sig-ed25519.gpg" "$out/data.txt"
g -u "$fpr_rsa" --armor --detach-sign -o "$out/sig-rsa.asc" "$out/data.txt"
g -u "$fpr_ed" --clearsign -o "$out/clearsigned.asc" "$out/clear.txt"
g -u "$fpr_ed" --sign --compress-algo zlib -o "$out/inline-zlib.gpg" "$out/data.txt"
g -u "$fpr_ed" --sign --compress-algo zip -o "$out/inline-zip.gpg" "$out/data.txt"
g -u "$fpr_ed" --sign --compress-algo bzip2 -o "$out/inline-bzip2.gpg" "$out/data.txt"
g -u "$fpr_ed" --armor --sign --compress-algo none -o "$out/inline-plain.asc" "$out/data.txt"
# From a pipe gpg does not know the size: partial body lengths.
g -u "$fpr_ed" --sign --compress-algo none <"$out/big.txt" >"$out/inline-partial.gpg"
g -u "$fpr_ed" --sign --compress-algo zlib <"$out/big.txt" >"$out/inline-partial-zlib.gpg"

if [ $seed = 1 ]; then
	root=$(cd "$(dirname "$0")/../../.." && pwd)
	mkdir -p "$root"/fuzz/corpus/pgp_{armor,packet,cleartext}
	for f in "$out"/*.asc; do cp "$f" "$root/fuzz/corpus/pgp_armor/seed-$(basename "$f")"; done
	for f in "$out"/*.gpg; do cp "$f" "$root/fuzz/corpus/pgp_packet/seed-$(basename "$f")"; done
	cp "$out/clearsigned.asc" "$root/fuzz/corpus/pgp_cleartext/seed-clearsigned.asc"
fi
echo "$out"

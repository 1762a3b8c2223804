#!/usr/bin/env bash
# Signed packages with names RPM allows but the digest database cannot store
# (DG_DB_NAME_MAX, no newline): the unsigned fixture from gen.sh with one
# main-header string rewritten, its header digests (SHA1HEADER, SHA256HEADER,
# MD5, SIZE) redone so that rpmsign accepts it, then signed by rpmsign with a
# fresh key; rpmkeys verifies the results (the names are legal in RPM).
#   tests/data/rpm/gen-names.sh FIXDIR      (FIXDIR from gen.sh)
# Writes FIXDIR/names/: names.asc (the key), good.rpm (unchanged, signed),
# newline-file.rpm (a BASENAMES item with a newline), newline-name.rpm (NAME
# with a newline), long-path.rpm (a regular file whose full path has more
# than 4096 bytes: a DIRNAMES item of 4094).  Exit 77 (skip) when
# gpg/rpmsign/python3 are missing.
set -euo pipefail
fx=${1:?usage: gen-names.sh FIXDIR}
here=$(cd "$(dirname "$0")" && pwd)
exec 9>"$fx.lock"	# gen.sh's lock: FIXDIR is not remade meanwhile
flock 9
stamp=$(cat "$here/gen-names.sh" "$here/rpmhdr.py" "$fx/.stamp" | sha256sum | cut -d' ' -f1)
[ "$(cat "$fx/names/.stamp" 2>/dev/null)" = "$stamp" ] && exit 0
for t in gpg rpmsign python3; do
	command -v $t >/dev/null || { echo "gen-names.sh: $t not installed" >&2; exit 77; }
done
export SOURCE_DATE_EPOCH=1700000000 LC_ALL=C.UTF-8 TZ=UTC
out=$fx/names
rm -rf "$out"; mkdir -p "$out"
work=$(mktemp -d /tmp/dg-rpm-names.XXXXXX)
trap 'gpgconf --homedir "$work/gnupg" --kill all 2>/dev/null || true; rm -rf "$work"' EXIT
export GNUPGHOME=$work/gnupg
mkdir -m 700 "$GNUPGHOME"
g() { gpg --batch --quiet --pinentry-mode loopback --passphrase '' "$@"; }
timeout 60 gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
	--quick-gen-key "DG RPM names <names@rpm.test>" ed25519 sign never
fpr=$(g --with-colons --list-keys names@rpm.test | awk -F: '/^fpr:/{print $10; exit}')
g --armor --export names@rpm.test >"$out/names.asc"

# rewrite SRC DST TAG OLD NEW: string OLD of main-header tag TAG becomes NEW
# (Python escapes allowed); later data moves by the length difference,
# which must keep alignment (a multiple of 8).
rewrite() {
	PYTHONPATH=$here python3 - "$@" <<'PY'
import sys
import rpmhdr
src, dst, tag = sys.argv[1], sys.argv[2], int(sys.argv[3])
old = sys.argv[4].encode()
new = sys.argv[5].encode().decode('unicode_escape').encode('latin-1')
delta = len(new) - len(old)
assert delta % 8 == 0, delta
pk = rpmhdr.Package(src)
ents, data = pk.ents, bytearray(pk.data)
at = None
for t, ty, o, c in ents:
    if t != tag:
        continue
    p = o
    for _ in range(c):
        z = data.index(b'\0', p)
        if bytes(data[p:z]) == old:
            at = p
            break
        p = z + 1
assert at is not None, 'string not found'
data[at:at + len(old)] = new
for e in ents:
    if e[2] > at:
        e[2] += delta
hdr = rpmhdr.header(ents, data)
pk.write(dst, pk.reseal(hdr, 'gen-names.sh', in_place_check=True), hdr)
PY
}
sign() {	# file
	rpmsign --define "__gpg /usr/bin/gpg" --define "_gpg_name $fpr" \
		--addsign "$1" >/dev/null 2>"$work/sign.log" ||
		{ cat "$work/sign.log" >&2; exit 1; }
}

cp "$fx/unsigned.rpm" "$out/good.rpm"
rewrite "$fx/unsigned.rpm" "$out/newline-file.rpm" 1117 "name with space.txt" 'name with\nspace.txt'
rewrite "$fx/unsigned.rpm" "$out/newline-name.rpm" 1000 "unsigned" 'unsi\nned'
# "/usr/share/dgtest/sub/" (22 bytes) becomes 4094 bytes (8 * 509 more,
# each item within the handler's 4096): link-a's full path has 4100.
long="/usr/share/dgtest/$(head -c 4071 /dev/zero | tr '\0' d)/sub/"
rewrite "$fx/unsigned.rpm" "$out/long-path.rpm" 1118 "/usr/share/dgtest/sub/" "$long"
for p in good newline-file newline-name long-path; do
	sign "$out/$p.rpm"
done
echo "$stamp" >"$out/.stamp"

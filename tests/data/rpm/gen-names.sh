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
stamp=$(cat "$here/gen-names.sh" "$fx/.stamp" | sha256sum | cut -d' ' -f1)
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
	python3 - "$@" <<'PY'
import hashlib, struct, sys
src, dst, tag = sys.argv[1], sys.argv[2], int(sys.argv[3])
old = sys.argv[4].encode()
new = sys.argv[5].encode().decode('unicode_escape').encode('latin-1')
delta = len(new) - len(old)
assert delta % 8 == 0, delta
d = bytes(open(src, 'rb').read())
sil, sdl = struct.unpack('>II', d[104:112])
moff = 96 + 16 + 16 * sil + sdl
moff += (8 - moff % 8) % 8
il, dl = struct.unpack('>II', d[moff + 8:moff + 16])
ents = [list(struct.unpack('>IIII', d[moff + 16 + 16 * i:moff + 32 + 16 * i])) for i in range(il)]
data = bytearray(d[moff + 16 + 16 * il:moff + 16 + 16 * il + dl])
payload = d[moff + 16 + 16 * il + dl:]
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
hdr = b'\x8e\xad\xe8\x01\0\0\0\0' + struct.pack('>II', il, dl + delta) + \
      b''.join(struct.pack('>IIII', *e) for e in ents) + bytes(data)
# The signature header's digests over the new main header, in place.
sig = bytearray(d[96:96 + 16 + 16 * sil + sdl])
sdata = 16 + 16 * sil
for i in range(sil):
    t, ty, o, c = struct.unpack('>IIII', sig[16 + 16 * i:32 + 16 * i])
    val = {269: hashlib.sha1(hdr).hexdigest().encode(),
           273: hashlib.sha256(hdr).hexdigest().encode()}.get(t)
    if val is not None:
        assert sig[sdata + o + len(val)] == 0
        sig[sdata + o:sdata + o + len(val)] = val
    elif t == 1004:
        sig[sdata + o:sdata + o + 16] = hashlib.md5(hdr + payload).digest()
    elif t == 1000:
        sig[sdata + o:sdata + o + 4] = struct.pack('>I', len(hdr) + len(payload))
    elif t in (268, 267, 270, 1002, 1005, 278):
        sys.exit('gen-names.sh: %s is already signed' % src)
pad = d[96 + len(sig):moff]
open(dst, 'wb').write(d[:96] + bytes(sig) + pad + hdr + payload)
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

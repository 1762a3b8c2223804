#!/usr/bin/env bash
# Generate the RPM fixtures with the real tools (gpg, rpmbuild, rpmsign):
#   tests/data/rpm/gen.sh OUTDIR
# Writes OUTDIR/keys/*.asc, OUTDIR/*.rpm and OUTDIR/cases.txt (one line per
# package: "FILE KEYRING-FILE WHAT").  Reproducible inputs (SOURCE_DATE_EPOCH,
# fixed user IDs, clamped mtimes); keys are fresh each run.  Cached: when
# OUTDIR/.stamp holds this script's SHA-256, nothing is done.
# Exit 77 (skip) when rpmbuild/rpmsign/gpg are missing.
set -euo pipefail
out=${1:?usage: gen.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
# One generator at a time per OUTDIR (rpm_cli.sh and rpm_diff.sh both call
# it; run side by side they removed each other's fixtures); the lock file
# sits beside OUTDIR, which is removed and made again.
mkdir -p "$(dirname "$out")"
exec 9>"$out.lock"
flock 9
stamp=$(cat "$here/gen.sh" "$here/rpmhdr.py" "$here/../pgp/pgppkt.py" | sha256sum | cut -d' ' -f1)
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ]; then
	exit 0
fi
for t in gpg rpmbuild rpmsign python3; do
	command -v $t >/dev/null || { echo "gen.sh: $t not installed" >&2; exit 77; }
done
export SOURCE_DATE_EPOCH=1700000000 LC_ALL=C.UTF-8 TZ=UTC
rm -rf "$out"
mkdir -p "$out/keys"
work=$(mktemp -d /tmp/dg-rpm-gen.XXXXXX)
trap 'gpgconf --homedir "$work/gnupg" --kill all 2>/dev/null || true; rm -rf "$work"' EXIT
export GNUPGHOME=$work/gnupg
mkdir -m 700 "$GNUPGHOME"
echo "allow-loopback-pinentry" >"$GNUPGHOME/gpg-agent.conf"
g() { gpg --batch --quiet --pinentry-mode loopback --passphrase '' "$@"; }

fpr_of() { g --with-colons --list-keys "$1" | awk -F: '/^fpr:/{print $10; exit}'; }
newkey() {	# name algo usage
	g --quick-gen-key "DG RPM $1 <$1@rpm.test>" "$2" "$3" never
	fpr_of "$1@rpm.test"
}
rsa=$(newkey rsa rsa3072 sign)
eddsa=$(newkey eddsa ed25519 sign)
other=$(newkey other rsa3072 sign)
sub=$(newkey subkey ed25519 cert)
g --quick-add-key "$sub" rsa3072 sign never
for k in rsa eddsa other subkey; do
	g --armor --export "$k@rpm.test" >"$out/keys/$k.asc"
done

# One source tree with the awkward cases: a directory, a symlink, a %ghost
# file, hard links, names with spaces and non-ASCII characters.
mkdir -p "$work/top/SPECS"
cat >"$work/top/SPECS/dgtest.spec" <<'SPEC'
Name: %{pkgname}
Version: 1.0
Release: %{?pkgrel}%{!?pkgrel:1}
Summary: digestguard test package DGMARKER
License: MIT
BuildArch: noarch
%description
digestguard RPM test fixture.
%install
mkdir -p %{buildroot}/usr/share/dgtest/sub %{buildroot}/usr/bin
printf 'hello %s\n' %{pkgname} > %{buildroot}/usr/share/dgtest/hello.txt
printf '#!/bin/sh\necho hi\n' > %{buildroot}/usr/bin/dgtest-%{pkgname}
chmod 755 %{buildroot}/usr/bin/dgtest-%{pkgname}
printf 'with space\n' > "%{buildroot}/usr/share/dgtest/name with space.txt"
printf 'unicode\n' > "%{buildroot}/usr/share/dgtest/grüße-ü.txt"
printf 'linked\n' > %{buildroot}/usr/share/dgtest/sub/link-a
ln %{buildroot}/usr/share/dgtest/sub/link-a %{buildroot}/usr/share/dgtest/sub/link-b
ln -s hello.txt %{buildroot}/usr/share/dgtest/symlink
: > %{buildroot}/usr/share/dgtest/empty
%files
%dir /usr/share/dgtest
%dir /usr/share/dgtest/sub
/usr/share/dgtest/hello.txt
/usr/bin/dgtest-%{pkgname}
"/usr/share/dgtest/name with space.txt"
/usr/share/dgtest/grüße-ü.txt
/usr/share/dgtest/sub/link-a
/usr/share/dgtest/sub/link-b
/usr/share/dgtest/symlink
/usr/share/dgtest/empty
%ghost /usr/share/dgtest/ghost.log
SPEC

build() {	# pkgname [rpmbuild args...]
	local name=$1; shift
	rpmbuild -bb --quiet --define "_topdir $work/top" --define "pkgname $name" \
		--define "debug_package %{nil}" --define "_build_id_links none" \
		--define "__os_install_post %{nil}" --define "_buildhost dg.test" \
		--define "use_source_date_epoch_as_buildtime 1" \
		--define "clamp_mtime_to_source_date_epoch 1" \
		"$@" "$work/top/SPECS/dgtest.spec" >/dev/null 2>"$work/build.log" ||
		{ cat "$work/build.log" >&2; exit 1; }
	cp "$work/top/RPMS/noarch/$name-1.0-1.noarch.rpm" "$out/$name.rpm"
}
sign() {	# file fingerprint [rpmsign option...]
	rpmsign --define "__gpg /usr/bin/gpg" --define "_gpg_name $2" "${@:3}" \
		--addsign "$1" >/dev/null 2>"$work/sign.log" ||
		{ cat "$work/sign.log" >&2; exit 1; }
}
flip() {	# file, python expression for the offset given data d
	poke "$1" "$2" "d[off] ^ 0x01"
}
poke() {	# file, offset expression, new byte expression (d: data, off: offset)
	python3 - "$1" "$2" "$3" <<'PY'
import sys
path, expr, val = sys.argv[1], sys.argv[2], sys.argv[3]
d = bytearray(open(path, 'rb').read())
off = eval(expr, {'d': d})
d[off] = eval(val, {'d': d, 'off': off})
open(path, 'wb').write(d)
PY
}

build unsigned
build rsa && sign "$out/rsa.rpm" "$rsa"
build eddsa && sign "$out/eddsa.rpm" "$eddsa"
build subkey && sign "$out/subkey.rpm" "$sub"
build wrongkey && sign "$out/wrongkey.rpm" "$other"
build sha512 --define "_binary_filedigest_algorithm 10" && sign "$out/sha512.rpm" "$rsa"
build md5 --define "_binary_filedigest_algorithm 1" && sign "$out/md5.rpm" "$rsa"
build corrupt-header && sign "$out/corrupt-header.rpm" "$rsa"
flip "$out/corrupt-header.rpm" "d.index(b'DGMARKER') + 7"
build corrupt-payload && sign "$out/corrupt-payload.rpm" "$rsa"
flip "$out/corrupt-payload.rpm" "len(d) - 40"
# rpm's wording for values it cannot use: a payload digest that is not hex
# (in an unsigned package, whose main header is exactly its region), and a
# header signature that is not an OpenPGP packet (length octet broken)
# a release of 300 characters: valid for rpm, over our package-name limit
rpmbuild -bb --quiet --define "_topdir $work/top" --define "pkgname longrelease" \
	--define "pkgrel $(printf 'r%.0s' $(seq 300))" --define "_rpmfilename longrelease.rpm" \
	--buildroot "$work/br" \
	--define "debug_package %{nil}" --define "_build_id_links none" \
	--define "__os_install_post %{nil}" --define "_buildhost dg.test" \
	--define "use_source_date_epoch_as_buildtime 1" \
	--define "clamp_mtime_to_source_date_epoch 1" \
	"$work/top/SPECS/dgtest.spec" >/dev/null 2>"$work/build.log" ||
	{ cat "$work/build.log" >&2; exit 1; }
cp "$work/top/RPMS/longrelease.rpm" "$out/longrelease.rpm" && sign "$out/longrelease.rpm" "$rsa"
cp "$out/unsigned.rpm" "$out/bad-payloaddigest.rpm"
pd=$(rpm -qp --nosignature --nodigest --qf '%{PAYLOADDIGEST}' "$out/unsigned.rpm")
poke "$out/bad-payloaddigest.rpm" "d.index(b'$pd')" "ord('z')"
cp "$out/rsa.rpm" "$out/bad-sigpacket.rpm"
rh=$(rpm -qp --nosignature --nodigest --qf '%{RSAHEADER}' "$out/rsa.rpm")
poke "$out/bad-sigpacket.rpm" "d.index(bytes.fromhex('$rh')) + 1" "0x05"
# rpm refuses a header whose data is not in index order (hdrblobVerifyInfo):
# the signature header's RSAHEADER and SHA1HEADER entries swapped; the
# signature over the main header still verifies.  In mut/: tests that take
# every top-level package count them.
mkdir -p "$out/mut"
cp "$out/rsa.rpm" "$out/mut/sig-disorder.rpm"
python3 - "$out/mut/sig-disorder.rpm" <<'PY'
import sys
path = sys.argv[1]
d = bytearray(open(path, 'rb').read())
a, b = 96 + 16 + 16, 96 + 16 + 32	# signature header index entries 1 and 2
d[a:a + 16], d[b:b + 16] = d[b:b + 16], d[a:a + 16]
open(path, 'wb').write(d)
PY
# rpm's hdrchkTag() compares a tag as a signed 32-bit number, so one with
# the top bit set is "below 100" and the header is refused: the signature
# header's RSAHEADER entry (index 1) with tag 0x8000010c.
cp "$out/rsa.rpm" "$out/mut/sig-negative-tag.rpm"
python3 - "$out/mut/sig-negative-tag.rpm" <<'PY'
import sys
path = sys.argv[1]
d = bytearray(open(path, 'rb').read())
e = 96 + 16 + 16		# signature header index entry 1
assert d[e:e + 4] == (268).to_bytes(4, 'big'), 'entry 1 is not RSAHEADER'
d[e] |= 0x80
open(path, 'wb').write(d)
PY
# The issuer key ID that gpg writes into the unhashed area of the RSA header
# signature (not signed), one bit changed: rpm looks the key up by it and
# reports NOKEY; the signed issuer fingerprint still names the key.
cp "$out/rsa.rpm" "$out/mut/sig-keyid-unhashed.rpm"
kid=$(rpm -qp --nosignature --nodigest --qf '%{RSAHEADER:pgpsig}' "$out/rsa.rpm" | sed 's/.*Key ID //')
poke "$out/mut/sig-keyid-unhashed.rpm" "d.index(bytes.fromhex('0910$kid')) + 2" "d[off] ^ 1"
# The same subpacket's type made 127 with the critical bit (0xff): an
# unknown critical subpacket, but in the unhashed (unsigned) area.
cp "$out/rsa.rpm" "$out/mut/sig-unhashed-critical.rpm"
poke "$out/mut/sig-unhashed-critical.rpm" "d.index(bytes.fromhex('0910$kid')) + 1" "0xff"
# rpm checks the type of every main header tag it knows (hdrchkTagType() in
# hdrblobVerifyInfo()): the unsigned package with BUILDTIME (INT32) stored as
# the STRING "1700000000", the main header laid out again (data offsets,
# alignment, region trailer) and the signature header's digests redone, so
# that the type is the only fault; and, as the control rpm takes, the same
# string under tag 4999, which rpm does not know.
retype() {	# SRC DST TAG NEWTAG: TAG's INT32 value, a STRING under NEWTAG ("": unchanged)
	PYTHONPATH=$here python3 - "$@" <<'PY'
import struct, sys
import rpmhdr
src, dst, tag, newtag = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
pk = rpmhdr.Package(src)
ents = pk.ents
assert ents[0][0] == 63 and ents[0][2] == pk.dl - 16, 'main header region'
vals = []
for e in ents[1:]:
    val = rpmhdr.value(pk.data, e)
    if e[0] == tag and newtag:
        assert e[1] == 4 and e[3] == 1, e
        e[0], e[1] = int(newtag), 6
        val = b'%d\0' % struct.unpack('>I', val)[0]
    vals.append(val)
new = rpmhdr.layout(ents, vals) + pk.data[pk.dl - 16:]
hdr = rpmhdr.header(ents, new)
pk.write(dst, pk.reseal(hdr, 'gen.sh'), hdr)
PY
}
# The layout is rpmbuild's: laid out again unchanged, the package is the same.
retype "$out/unsigned.rpm" "$work/relaid.rpm" 1006 ""
cmp -s "$out/unsigned.rpm" "$work/relaid.rpm" ||
	{ echo "gen.sh: retype does not lay out the main header as rpmbuild does" >&2; exit 1; }
retype "$out/unsigned.rpm" "$out/mut/main-badtype.rpm" 1006 1006
retype "$out/unsigned.rpm" "$out/mut/main-unknowntag.rpm" 1006 4999
# rpm reads a signature tag as binary OpenPGP packets, a signature packet
# first (pgpPrtParams()): rsa.rpm's RSAHEADER replaced by the same signature
# ASCII-armored (armor), or after a marker packet (marker), the signature
# header laid out again (data in index order, aligned, region trailer
# last); rpm reports the item BAD, and so must we.
resign_value() {	# SRC DST armor|marker|trailing-marker|trailing-padding|twice
	PYTHONPATH=$here:$here/../pgp python3 - "$@" <<'PY'
import base64, struct, sys
import rpmhdr
from pgppkt import crc24
src, dst, how = sys.argv[1], sys.argv[2], sys.argv[3]
pk = rpmhdr.Package(src)


def change(val):
    if how == 'marker':	# RFC 9580 §5.8
        return bytes([0xc0 | 10, 3]) + b'PGP' + val
    if how == 'trailing-marker':
        return val + bytes([0xc0 | 10, 3]) + b'PGP'
    if how == 'trailing-padding':	# RFC 9580 §5.14
        return val + bytes([0xc0 | 21, 4]) + b'\0\0\0\0'
    if how == 'twice':	# the same signature packet again
        return val + val
    b64 = base64.b64encode(val).decode()
    return ('-----BEGIN PGP SIGNATURE-----\n\n' +
            ''.join(b64[i:i + 64] + '\n' for i in range(0, len(b64), 64)) + '=' +
            base64.b64encode(crc24(val).to_bytes(3, 'big')).decode() +
            '\n-----END PGP SIGNATURE-----\n').encode()


pk.write(dst, rpmhdr.sig_header_with(pk, 268, change), rpmhdr.header(pk.ents, pk.data))
PY
}
resign_value "$out/rsa.rpm" "$out/mut/sig-armored.rpm" armor
resign_value "$out/rsa.rpm" "$out/mut/sig-marker.rpm" marker
# rpm's pgpPrtParams() wants the signature packet to end the value: one
# followed by a marker or a padding packet (which an OpenPGP
# implementation skips) is BAD for rpm, and must be for us.
resign_value "$out/rsa.rpm" "$out/mut/sig-trailing-marker.rpm" trailing-marker
resign_value "$out/rsa.rpm" "$out/mut/sig-trailing-padding.rpm" trailing-padding
# Two signature packets in RSAHEADER (the same one twice): rpm refuses
# the value, we take it (known-differences.txt; anyone can append one).
resign_value "$out/rsa.rpm" "$out/mut/sig-two-packets.rpm" twice
# rpm's limits on a header's index (hdrblobVerifyLengths(): 32 entries in
# the signature header, 65535 in the main header) and on the items of one
# entry (hdrchkArray(): 0xfffff, BIN excepted): entries of tags rpm does not
# know added to rsa.rpm's signature header (not signed: anyone can), or to
# the unsigned package's main header (its digests redone), each at the
# limit (rpm takes it) and one over it (rpm refuses it).
grow() {	# SRC DST sig|main ENTRIES [ITEMS]: ENTRIES in all; one INT8 entry of ITEMS
	PYTHONPATH=$here python3 - "$@" <<'PY'
import struct, sys
import rpmhdr
src, dst, which, total = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
items = int(sys.argv[5]) if len(sys.argv) > 5 else 0
pk = rpmhdr.Package(src)
ents, data, rtag = (pk.sig_ents, pk.sig_data, 62) if which == 'sig' else (pk.ents, pk.data, 63)
assert ents[0][0] == rtag and ents[0][2] == len(data) - 16, 'region'
vals = [rpmhdr.value(data, e) for e in ents[1:]]
if items:	# an INT8 (2) array under a tag rpm does not know
    ents.append([100000, 2, 0, items])
    vals.append(b'\x01' * items)
k = 0
while len(ents) < total:	# one byte each, BIN (7), tags rpm does not know
    ents.append([100001 + k, 7, 0, 1])
    vals.append(b'\x01')
    k += 1
new = rpmhdr.layout(ents, vals) + struct.pack('>IIiI', rtag, 7, -16 * len(ents), 16)
hdr = rpmhdr.header(ents, new)
if which == 'sig':
    pk.write(dst, hdr, rpmhdr.header(pk.ents, pk.data))
else:
    pk.write(dst, pk.reseal(hdr, 'gen.sh'), hdr)
PY
}
grow "$out/rsa.rpm" "$out/mut/sig-32-entries.rpm" sig 32
grow "$out/rsa.rpm" "$out/mut/sig-33-entries.rpm" sig 33
grow "$out/unsigned.rpm" "$out/mut/main-65535-entries.rpm" main 65535
grow "$out/unsigned.rpm" "$out/mut/main-65536-entries.rpm" main 65536
grow "$out/unsigned.rpm" "$out/mut/main-0xfffff-items.rpm" main 0 $((0xfffff))
grow "$out/unsigned.rpm" "$out/mut/main-0x100000-items.rpm" main 0 $((0x100000))
# rpm's pgpPrtParams() refuses a signature value over 65535 bytes
# (RPM_MAX_OPENPGP_BYTES): rsa.rpm's RSAHEADER signature with an unknown,
# non-critical subpacket added to its unhashed (unsigned) area so that the
# value is 65535 bytes (rpm takes it) or 65536 (rpm says BAD), the
# signature header laid out again.
sig_bytes() {	# SRC DST BYTES
	PYTHONPATH=$here python3 - "$@" <<'PY'
import struct, sys
import rpmhdr
src, dst, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
pk = rpmhdr.Package(src)


def change(val):
    assert val[0] == 0x89, 'old format, two length octets'	# RFC 9580 §4.2.2
    body = val[3:3 + struct.unpack('>H', val[1:3])[0]]
    assert body[0] == 4, 'v4 signature'	# RFC 9580 §5.2.3
    at = 6 + struct.unpack('>H', body[4:6])[0]
    ul = struct.unpack('>H', body[at:at + 2])[0]
    # value: 0x8a, four length octets, the body with a subpacket of
    # five length octets, type 100 and g bytes added
    g = want - 5 - len(body) - 6
    unhashed = body[at + 2:at + 2 + ul] + b'\xff' + struct.pack('>I', g + 1) + b'\x64' + b'\0' * g
    assert g >= 0 and len(unhashed) <= 0xffff
    body = body[:at] + struct.pack('>H', len(unhashed)) + unhashed + body[at + 2 + ul:]
    val = b'\x8a' + struct.pack('>I', len(body)) + body
    assert len(val) == want
    return val


pk.write(dst, rpmhdr.sig_header_with(pk, 268, change), rpmhdr.header(pk.ents, pk.data))
PY
}
sig_bytes "$out/rsa.rpm" "$out/mut/sig-65535-bytes.rpm" 65535
sig_bytes "$out/rsa.rpm" "$out/mut/sig-65536-bytes.rpm" 65536
# A byte after the RSA signature's MPI, inside the signature packet (not
# signed): rpm refuses the signature (processMpis() wants the MPIs to end
# the packet); the OpenPGP core, like sqv and gpgv, ignores the byte
# (known-differences.txt).
PYTHONPATH=$here python3 - "$out/rsa.rpm" "$out/mut/sig-trailing-body.rpm" <<'PY'
import struct, sys
import rpmhdr
src, dst = sys.argv[1], sys.argv[2]
pk = rpmhdr.Package(src)


def change(val):
    assert val[0] == 0x89, 'old format, two length octets'	# RFC 9580 §4.2.2
    body = val[3:3 + struct.unpack('>H', val[1:3])[0]] + b'\0'
    return b'\x89' + struct.pack('>H', len(body)) + body


pk.write(dst, rpmhdr.sig_header_with(pk, 268, change), rpmhdr.header(pk.ents, pk.data))
PY
# A signature header region of no entries (the trailer's offset 0): rpm
# takes it (hdrblobVerifyRegion() wants 0 <= ril <= il; the signature
# header, unlike the main one, need not be exactly its region).
cp "$out/rsa.rpm" "$out/mut/sig-region-empty.rpm"
python3 - "$out/mut/sig-region-empty.rpm" <<'PY'
import struct, sys
path = sys.argv[1]
d = bytearray(open(path, 'rb').read())
il = struct.unpack('>I', d[104:108])[0]
tag, typ, off, count = struct.unpack('>IIII', d[112:128])
assert tag == 62, 'signature header region'
t = 112 + 16 * il + off		# the region trailer: tag, type, -16 * ril, count
assert struct.unpack('>i', d[t + 8:t + 12])[0] == -16 * il
d[t + 8:t + 12] = struct.pack('>i', 0)
open(path, 'wb').write(d)
PY
# rpm computes PAYLOADDIGEST and PAYLOADDIGESTALT with SHA-256 whatever
# PAYLOADDIGESTALGO says (lib/rpmvs.c; rpmbuild always writes 8): the
# unsigned package with PAYLOADDIGESTALGO 10 (SHA-512) or 2 (SHA-1) and
# both payload digests made with that algorithm, its digests redone; rpm
# reports them BAD with --payload.
payload_algo() {	# SRC DST ALGO
	PYTHONPATH=$here python3 - "$@" <<'PY'
import hashlib, struct, sys
import rpmhdr
src, dst, algo = sys.argv[1], sys.argv[2], int(sys.argv[3])
pk = rpmhdr.Package(src)
ents = pk.ents
assert ents[0][0] == 63 and ents[0][2] == pk.dl - 16, 'main header region'
dig = hashlib.new({2: 'sha1', 10: 'sha512'}[algo], pk.payload).hexdigest().encode()
vals = []
for e in ents[1:]:
    val = rpmhdr.value(pk.data, e)
    if e[0] == 5093:	# PAYLOADDIGESTALGO
        assert val == struct.pack('>I', 8), val
        val = struct.pack('>I', algo)
    elif e[0] in (5092, 5097):	# PAYLOADDIGEST, PAYLOADDIGESTALT
        val = dig + b'\0'
    vals.append(val)
new = rpmhdr.layout(ents, vals) + pk.data[pk.dl - 16:]
hdr = rpmhdr.header(ents, new)
pk.write(dst, pk.reseal(hdr, 'gen.sh'), hdr)
PY
}
payload_algo "$out/unsigned.rpm" "$out/mut/payload-algo-sha512.rpm" 10
payload_algo "$out/unsigned.rpm" "$out/mut/payload-algo-sha1.rpm" 2
# A header signature over SHA-1 (rpmsign's _gpg_digest_algo): rpm 4.18
# accepts it, digestguard's OpenPGP policy refuses SHA-1 data signatures.
cp "$out/unsigned.rpm" "$out/mut/sha1-signature.rpm"
sign "$out/mut/sha1-signature.rpm" "$rsa" --define "_gpg_digest_algo sha1"

cat >"$out/cases.txt" <<CASES
unsigned.rpm rsa.asc no signature
rsa.rpm rsa.asc RSA-3072 header signature
eddsa.rpm eddsa.asc EdDSA header signature
subkey.rpm subkey.asc signed by an RSA signing subkey of an Ed25519 primary
wrongkey.rpm rsa.asc signed by a key not in the keyring
sha512.rpm rsa.asc SHA-512 file digests
md5.rpm rsa.asc MD5 file digests
corrupt-header.rpm rsa.asc one bit flipped in the signed main header
corrupt-payload.rpm rsa.asc one bit flipped in the payload
bad-payloaddigest.rpm rsa.asc payload digest that is not hex
bad-sigpacket.rpm rsa.asc header signature that is not an OpenPGP packet
longrelease.rpm rsa.asc a release of 300 characters
mut/sig-disorder.rpm rsa.asc signature header entries out of data order
mut/sig-negative-tag.rpm rsa.asc signature header tag with the top bit set (negative for rpm)
mut/sig-keyid-unhashed.rpm rsa.asc the unhashed issuer key ID of the header signature altered
mut/sig-unhashed-critical.rpm rsa.asc the unhashed issuer key ID subpacket of the header signature made an unknown critical one
mut/main-badtype.rpm rsa.asc unsigned, main header tag BUILDTIME (INT32) of type STRING
mut/main-unknowntag.rpm rsa.asc unsigned, main header tag 4999 (unknown to rpm) of type STRING
mut/sig-armored.rpm rsa.asc the RSA header signature ASCII-armored in RSAHEADER
mut/sig-marker.rpm rsa.asc a marker packet before the RSA header signature in RSAHEADER
mut/sig-trailing-marker.rpm rsa.asc a marker packet after the RSA header signature in RSAHEADER
mut/sig-trailing-padding.rpm rsa.asc a padding packet after the RSA header signature in RSAHEADER
mut/sig-two-packets.rpm rsa.asc the RSA header signature twice in RSAHEADER
mut/sha1-signature.rpm rsa.asc RSA header signature over SHA-1
mut/sig-32-entries.rpm rsa.asc signature header of 32 entries (rpm's limit)
mut/sig-33-entries.rpm rsa.asc signature header of 33 entries (over rpm's limit)
mut/main-65535-entries.rpm rsa.asc unsigned, main header of 65535 entries (rpm's limit)
mut/main-65536-entries.rpm rsa.asc unsigned, main header of 65536 entries (over rpm's limit)
mut/main-0xfffff-items.rpm rsa.asc unsigned, a main header INT8 entry of 0xfffff items (rpm's limit)
mut/main-0x100000-items.rpm rsa.asc unsigned, a main header INT8 entry of 0x100000 items (over rpm's limit)
mut/sig-65535-bytes.rpm rsa.asc RSAHEADER of 65535 bytes (rpm's limit; unhashed subpacket added)
mut/sig-65536-bytes.rpm rsa.asc RSAHEADER of 65536 bytes (over rpm's limit; unhashed subpacket added)
mut/sig-trailing-body.rpm rsa.asc a byte after the MPI inside the RSA header signature packet
mut/sig-region-empty.rpm rsa.asc signature header region trailer of no entries (offset 0)
mut/payload-algo-sha512.rpm rsa.asc unsigned, PAYLOADDIGESTALGO SHA-512 and payload digests made with it
mut/payload-algo-sha1.rpm rsa.asc unsigned, PAYLOADDIGESTALGO SHA-1 and payload digests made with it
CASES
echo "$stamp" >"$out/.stamp"

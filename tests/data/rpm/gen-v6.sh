#!/usr/bin/env bash
# An rpm-6 style package: the unsigned fixture from gen.sh re-signed with a
# v6 Ed25519 key (openpgp.js), its signature base64 in the OPENPGP tag (278)
# of a rewritten signature header.  rpm 4.18's rpmsign cannot write that tag,
# so the signature header is written here; the main header and payload are
# rpmbuild's, byte for byte, and the signature is openpgp.js's.
#   tests/data/rpm/gen-v6.sh FIXDIR      (FIXDIR from gen.sh)
# Writes FIXDIR/v6/{v6sig.rpm,v6.asc}.  openpgp.js: $OPENPGP_JS_DIR, else the
# pgp fixtures' copy in $BUILD/pgp-fixtures/npm, else npm install into
# FIXDIR/npm.  Exit 77 (skip) when none is available.
set -euo pipefail
fx=${1:?usage: gen-v6.sh FIXDIR}
here=$(cd "$(dirname "$0")" && pwd)
stamp=$(cat "$here/gen-v6.sh" "$here/sign-v6.mjs" "$fx/.stamp" | sha256sum | cut -d' ' -f1)
[ "$(cat "$fx/v6/.stamp" 2>/dev/null)" = "$stamp" ] && exit 0
command -v node >/dev/null || { echo "node is not installed" >&2; exit 77; }
js=${OPENPGP_JS_DIR:-}
if [ -z "$js" ] && [ -n "${BUILD:-}" ] && [ -d "$BUILD/pgp-fixtures/npm/node_modules/openpgp" ]; then
	js=$BUILD/pgp-fixtures/npm
fi
if [ -z "$js" ] && [ -n "${BUILD:-}" ] && [ -f "$BUILD/pgp-fixtures/v6-skipped.txt" ]; then
	# The pgp fixtures already failed to get openpgp.js: do not wait again.
	echo "openpgp.js unavailable: $(cat "$BUILD/pgp-fixtures/v6-skipped.txt")" >&2
	exit 77
fi
if [ -z "$js" ]; then
	js=$fx/npm
	if [ ! -d "$js/node_modules/openpgp" ]; then
		command -v npm >/dev/null || { echo "npm is not installed" >&2; exit 77; }
		timeout 180 npm install --prefix "$js" --no-package-lock --no-save --no-audit \
			--no-fund --loglevel=error openpgp@6.3.2 >"$fx/npm.log" 2>&1 ||
			{ echo "npm install openpgp failed: $(tail -n 2 "$fx/npm.log")" >&2; exit 77; }
	fi
fi
export SOURCE_DATE_EPOCH=1700000000
rm -rf "$fx/v6"; mkdir -p "$fx/v6"
python3 - "$fx/unsigned.rpm" "$fx/v6/header.bin" split <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
il, dl = struct.unpack('>II', d[104:112])
off = 96 + 16 + 16 * il + dl
off += (8 - off % 8) % 8
il2, dl2 = struct.unpack('>II', d[off + 8:off + 16])
open(sys.argv[2], 'wb').write(d[off:off + 16 + 16 * il2 + dl2])
PY
OPENPGP_JS_DIR=$js node "$here/sign-v6.mjs" "$fx/v6/v6.asc" "$fx/v6/sig.bin" <"$fx/v6/header.bin"
python3 - "$fx/unsigned.rpm" "$fx/v6/header.bin" "$fx/v6/sig.bin" "$fx/v6/v6sig.rpm" <<'PY'
import base64, hashlib, struct, sys
pkg = open(sys.argv[1], 'rb').read(); hdr = open(sys.argv[2], 'rb').read()
sig = open(sys.argv[3], 'rb').read(); out = sys.argv[4]
il, dl = struct.unpack('>II', pkg[104:112])
main_off = 96 + 16 + 16 * il + dl
main_off += (8 - main_off % 8) % 8
rest = pkg[main_off:]                      # main header + payload, untouched
# Signature header: region 62, OPENPGP (string array), SHA256HEADER (string),
# then the region trailer; entries sorted by tag as rpm writes them.
entries = [(273, 6, 1, hashlib.sha256(hdr).hexdigest().encode() + b'\0'),
           (278, 8, 1, base64.b64encode(sig) + b'\0')]
data = b''; index = []
for tag, typ, cnt, blob in entries:
    index.append(struct.pack('>IIII', tag, typ, len(data), cnt)); data += blob
ril = len(entries) + 1
trailer = struct.pack('>IIiI', 62, 7, -16 * ril, 16)
region = struct.pack('>IIII', 62, 7, len(data), 16)
data += trailer
sighdr = b'\x8e\xad\xe8\x01\0\0\0\0' + struct.pack('>II', ril, len(data)) + region + b''.join(index) + data
sighdr += b'\0' * ((8 - (96 + len(sighdr)) % 8) % 8)
open(out, 'wb').write(pkg[:96] + sighdr + rest)
PY
rm -f "$fx/v6/header.bin" "$fx/v6/sig.bin"
echo "$stamp" >"$fx/v6/.stamp"

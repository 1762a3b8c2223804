#!/usr/bin/env bash
# Seeds for the rpm_header fuzz target (fuzz/rpm_header_fuzz.c) at rpm's
# limits (rpm 4.18 hdrblobVerifyLengths(), hdrchkArray(), the region size
# of hdrblobVerifyRegion()): small packages written from their structure,
# each at a limit or one over it:
#   fuzz/seed-rpm_header.sh [OUTDIR]    (default: fuzz/corpus/rpm_header)
# Same bytes on every run (tests/integ/fuzz_seeds.sh checks).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/corpus/rpm_header}
mkdir -p "$out"
command -v python3 >/dev/null || { echo "python3 not installed" >&2; exit 77; }
python3 - "$out" <<'PY'
import struct, sys
out = sys.argv[1]

def header(rtag, ents, il_claim=None, ril=None):
    """Region entry @rtag first, then (tag, type, count, value) entries,
    data in index order (INT8/BIN: no alignment), region trailer last."""
    data, idx = b'', []
    for tag, ty, count, val in ents:
        idx.append(struct.pack('>IIII', tag, ty, len(data), count))
        data += val
    il = len(ents) + 1
    idx.insert(0, struct.pack('>IIII', rtag, 7, len(data), 16))
    data += struct.pack('>IIiI', rtag, 7, -16 * (il if ril is None else ril), 16)
    return (b'\x8e\xad\xe8\x01\0\0\0\0' +
            struct.pack('>II', il if il_claim is None else il_claim, len(data)) +
            b''.join(idx) + data)

def package(sig, main):
    lead = bytearray(96)
    lead[0:4] = b'\xed\xab\xee\xdb'
    lead[4] = 3
    lead[79] = 5	# header-style signature
    pad = b'\0' * ((8 - len(sig) % 8) % 8)
    return bytes(lead) + sig + pad + main

nvr = [(1000, 6, 1, b'n\0'), (1001, 6, 1, b'1\0'), (1002, 6, 1, b'1\0')]
main = header(63, nvr)
def sig(n):	# n entries in all: the region and n - 1 BIN entries of unknown tags
    return header(62, [(5000 + k, 7, 1, b'\x01') for k in range(n - 1)])
seeds = {
    'sig-32-entries': package(sig(32), main),
    'sig-33-entries': package(sig(33), main),
    # 65536 entries claimed by the intro alone: refused before the index is read
    'main-65536-entries': package(sig(1), header(63, nvr, il_claim=65536)),
    # INT8 arrays of 0xfffff and 0x100000 items claimed, one byte of data:
    # the first runs past the data, the second is over rpm's item limit
    'main-0xfffff-items': package(sig(1), header(63, nvr + [(100000, 2, 0xfffff, b'\x01')])),
    'main-0x100000-items': package(sig(1), header(63, nvr + [(100000, 2, 0x100000, b'\x01')])),
    # BIN has no item limit: a one-byte BIN entry claiming 0x100000 bytes
    'main-bin-0x100000': package(sig(1), header(63, nvr + [(100000, 7, 0x100000, b'\x01')])),
    # a region of no entries (trailer offset 0): rpm takes it in the
    # signature header, not in the main header (which must be all region)
    'sig-region-empty': package(header(62, [(5000, 7, 1, b'\x01')], ril=0), main),
    'main-region-empty': package(sig(1), header(63, nvr, ril=0)),
}
for name, b in seeds.items():
    open('%s/seed-%s' % (out, name), 'wb').write(b)
PY

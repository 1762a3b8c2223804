#!/usr/bin/env python3
"""Differential fuzzing against the peers: mutate inputs that verify, run
digestguard and a peer on each mutant, keep those where the verdicts differ.

  tools/mutdiff.py pgp|pgp-armor|pgp-v6|pgp-v6-struct|pgp-struct|rpm [--seed N] [--per N] [--out DIR]

pgp        binary detached signatures and their certificates of the pgp
           fixtures (gpg/*): one byte flipped, replaced, inserted, deleted,
           or the file cut short; `sopv verify` against `sqop verify`
pgp-armor  the armored detached, inline and cleartext fixtures (gpg/*), one
           text edit (blanks, dashes, '=', base64 letters, a copied run);
           against `sqop verify` / `sqop inline-verify`
pgp-v6     the v6 fixtures (openpgp.js-made keys and signatures, v6/*), one
           binary edit of a signature or certificate (armored ones decoded,
           edited and armored again with a correct checksum, so the edit
           reaches the packet parsers); `sopv verify` / `inline-verify`
           against openpgp.js (tests/data/pgp/gen-v6.mjs verify, which sqop
           cannot stand in for: it has no v6)
pgp-v6-struct  the v6 fixtures with pgp-struct's whole-packet edits of a
           certificate or detached signature; against openpgp.js
pgp-struct every detached and inline gpg/* case (good or not, but none
           that known-differences.txt lists for sqop), its certificates and
           signature file or message (a compressed message's inner packets,
           written uncompressed) as packets: one packet dropped, copied,
           moved, swapped with another, or taken from another fixture;
           against `sqop verify` / `inline-verify` (the order and company of
           packets is where certificate and message semantics live:
           bindings, revocations, subkeys, one-pass signatures)
rpm        the signed rpm fixtures, one edit in the lead or the headers;
           `rpm verify` (header only and --payload) against `rpmkeys -K`

Fixtures come from a build that ran the differential tests once
(BUILD/pgp-fixtures, BUILD/rpm-fixtures; BUILD defaults to ./build).  Each
difference is written to OUT/NNNN/ (inputs and both outputs) and listed; a
person decides whether it is a defect, a known difference
(tests/data/*/known-differences.txt) or a peer's quirk.  Not part of `make
check`: mutants are random and the peers' verdicts are not ours to pin.
This found, among others, the malformed-signature and the checksum-line
defects listed in docs/pgp-differences.md, the signed-tag check in
docs/rpm.md, and (pgp-v6: a certificate that lost its last subkey to a cut
packet) the `malformed-subkey` rule.
"""
import argparse
import atexit
import base64
import fnmatch
import os
import random
import shutil
import subprocess
import sys
import tempfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "data", "pgp"))
from pgppkt import crc24, packets  # noqa: E402
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))
DG = os.environ.get("DG", os.path.join(BUILD, "src/cli/digestguard"))


def run(cmd, stdin=None):
    try:
        with open(stdin, "rb") if stdin else open(os.devnull, "rb") as f:
            p = subprocess.run(cmd, stdin=f, capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return "timeout", b"", b""
    return p.returncode, p.stdout, p.stderr


def binary_edit(rnd, b, limit=None):
    b = bytearray(b)
    i = rnd.randrange(min(len(b), limit or len(b)))
    k = rnd.randrange(5)
    if k == 0:
        b[i] ^= 1 << rnd.randrange(8)
    elif k == 1:
        b[i] = rnd.choice([0, 1, 0x7F, 0x80, 0xFF, (b[i] + 1) & 255, (b[i] - 1) & 255])
    elif k == 2:
        del b[i:i + rnd.randrange(1, 4)]
    elif k == 3:
        b[i:i] = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 4)))
    elif limit is None:
        b = b[:i]
    else:
        b[i] = rnd.randrange(256)
    return bytes(b)


def text_edit(rnd, b):
    b = bytearray(b)
    i = rnd.randrange(len(b))
    k = rnd.randrange(5)
    if k == 0:
        b[i] ^= 1 << rnd.randrange(8)
    elif k == 1:
        b[i] = rnd.choice(b" \t\r\n-=:ABCxyz+/0")
    elif k == 2:
        del b[i:i + rnd.randrange(1, 4)]
    elif k == 3:
        b[i:i] = bytes(rnd.choice(b" \t\r\n-=:ABC+/") for _ in range(rnd.randrange(1, 3)))
    else:
        b[i:i] = b[rnd.randrange(len(b)):][:rnd.randrange(1, 40)]
    return bytes(b)


def manifest(fix, prefix="gpg/", multi=False):
    for line in open(os.path.join(fix, "manifest.tsv")):
        if not line.startswith("#"):
            f = line.rstrip("\n").split("\t")
            if f[0].startswith(prefix) and f[5] == "good" and (multi or " " not in f[4]):
                yield f


def armored_edit(rnd, b):
    """Decode the last armor block of @b, edit its bytes, armor them again."""
    lines = b.split(b"\n")
    begin = max(i for i, l in enumerate(lines) if l.startswith(b"-----BEGIN PGP"))
    end = next(i for i in range(begin + 1, len(lines)) if lines[i].startswith(b"-----END PGP"))
    blank = next(i for i in range(begin + 1, end) if not lines[i].strip())
    body = [l.strip() for l in lines[blank + 1:end] if l.strip() and not l.startswith(b"=")]
    data = binary_edit(rnd, base64.b64decode(b"".join(body)))
    enc = base64.b64encode(data)
    out = lines[:blank + 1] + [enc[i:i + 64] for i in range(0, len(enc), 64)]
    out += [b"=" + base64.b64encode(crc24(data).to_bytes(3, "big"))] + lines[end:]
    return b"\n".join(out)


def cases_v6(rnd, per, tmp, whole_packets=False):
    """Yields (name, inputs, dg command, opjs case line), the files of each mutant kept.
    @whole_packets: struct_edit() of a certificate or detached signature
    (written binary) instead of a byte edit."""
    fix = os.path.join(BUILD, "pgp-fixtures")
    rows = list(manifest(fix, "v6/", True))
    pool = []
    for name, kind, sig, data, certs, *_ in rows:
        for f in certs.split() + ([sig] if kind == "detached" else []):
            try:
                pool += packets_of(open(os.path.join(fix, f), "rb").read())
            except (ValueError, StopIteration):
                pass
    n = 0
    for name, kind, sig, data, certs, *_ in rows:
        certs = [os.path.join(fix, c) for c in certs.split()]
        sig = os.path.join(fix, sig)
        for _ in range(per):
            n += 1
            d = os.path.join(tmp, "%05d" % n)
            os.makedirs(d)
            s, cs = sig, list(certs)
            k = rnd.randrange(len(certs) + 2)
            if whole_packets and k < 2 and kind != "detached":
                k = 2 + rnd.randrange(len(certs))
            src = sig if k < 2 else certs[k - 2]
            dst = os.path.join(d, "sig" if k < 2 else "cert%d" % (k - 2))
            b = open(src, "rb").read()
            if whole_packets:
                out = struct_edit(rnd, packets_of(b), pool)
            else:
                out = armored_edit(rnd, b) if b"-----BEGIN PGP" in b else binary_edit(rnd, b)
            open(dst, "wb").write(out)
            if k < 2:
                s = dst
            else:
                cs[k - 2] = dst
            if kind == "detached":
                dat = os.path.join(fix, data)
                yield name, [s] + cs, ([DG, "sopv", "verify", s] + cs, dat), \
                    "\t".join([d, kind, s, dat, " ".join(cs), ""])
            else:
                yield name, [s] + cs, ([DG, "sopv", "inline-verify"] + cs, s), \
                    "\t".join([d, kind, s, "-", " ".join(cs), ""])


def dearmor(b):
    """The bytes of the last armor block of @b, or @b when it is binary."""
    if b"-----BEGIN PGP" not in b:
        return b
    lines = b.split(b"\n")
    begin = max(i for i, l in enumerate(lines) if l.startswith(b"-----BEGIN PGP"))
    end = next(i for i in range(begin + 1, len(lines)) if lines[i].startswith(b"-----END PGP"))
    blank = next(i for i in range(begin + 1, end) if not lines[i].strip())
    return base64.b64decode(b"".join(l.strip() for l in lines[blank + 1:end]
                                     if l.strip() and not l.startswith(b"=")))


def packets_of(b):
    """The whole packets (header and body) of @b, binary or armored."""
    return [w for t, w, x in packets(dearmor(b))]


def struct_edit(rnd, pkts, pool):
    """One edit of the packet list @pkts (whole packets' bytes)."""
    p = list(pkts)
    k = rnd.randrange(5)
    i = rnd.randrange(len(p))
    if k == 0 and len(p) > 1:
        del p[i]
    elif k == 1:
        p.insert(rnd.randrange(len(p) + 1), p[i])
    elif k == 2 and len(p) > 1:
        j = rnd.randrange(len(p))
        p[i], p[j] = p[j], p[i]
    elif k == 3 and len(p) > 1:
        p.insert(rnd.randrange(len(p)), p.pop(i))
    else:
        p.insert(rnd.randrange(len(p) + 1), rnd.choice(pool))
    return b"".join(p)


def cases_struct(rnd, per, tmp):
    fix = os.path.join(BUILD, "pgp-fixtures")
    skip = [l.split()[0] for l in open(os.path.join(ROOT, "tests/data/pgp/known-differences.txt"))
            if l.strip() and not l.startswith("#") and l.split()[1] == "sqop"]
    cases, pool = [], []
    for line in open(os.path.join(fix, "manifest.tsv")):
        f = line.rstrip("\n").split("\t")
        if line.startswith("#") or not f[0].startswith("gpg/") or f[1] not in ("detached", "inline") or \
                any(fnmatch.fnmatchcase(f[0], g) for g in skip):
            continue
        try:
            sig = packets(dearmor(open(os.path.join(fix, f[2]), "rb").read()))
            if len(sig) == 1 and sig[0][0] == 8 and sig[0][2][0] in (1, 2):	# ZIP, ZLIB
                b = sig[0][2]
                sig = packets(zlib.decompressobj(-15 if b[0] == 1 else 15).decompress(b[1:]))
            sig = [w for t, w, b in sig]
            certs = [packets_of(open(os.path.join(fix, c), "rb").read()) for c in f[4].split()]
        except (ValueError, StopIteration, zlib.error):
            continue	# not gpg's framing (a fixture that is broken on purpose)
        if not sig or not all(certs):
            continue
        cases.append((f[0], f[1], sig, certs, os.path.join(fix, f[3])))
        pool += sig + [w for c in certs for w in c]
    for name, kind, sig, certs, data in cases:
        for _ in range(per):
            s, cs = os.path.join(tmp, "sig"), [os.path.join(tmp, "cert%d" % i) for i in range(len(certs))]
            k = rnd.randrange(len(certs) + 1)
            open(s, "wb").write(struct_edit(rnd, sig, pool) if k == 0 else b"".join(sig))
            for i, c in enumerate(certs):
                open(cs[i], "wb").write(struct_edit(rnd, c, pool) if k == i + 1 else b"".join(c))
            if kind == "detached":
                yield name, [s] + cs, ([DG, "sopv", "verify", s] + cs, data), \
                    (["sqop", "verify", s] + cs, data)
            else:
                yield name, [s] + cs, ([DG, "sopv", "inline-verify"] + cs, s), \
                    (["sqop", "inline-verify"] + cs, s)


def opjs_verdicts(lines, tmp):
    """Runs one openpgp.js process over the case lines; {dir: (exit, output)}."""
    cases = os.path.join(tmp, "opjs.in")
    open(cases, "w").write("\n".join(lines) + "\n")
    env = dict(os.environ, OPENPGP_JS_DIR=os.path.join(BUILD, "pgp-fixtures", "npm"))
    with open(cases, "rb") as f:
        p = subprocess.run(["node", os.path.join(ROOT, "tests/data/pgp/gen-v6.mjs"), "verify"],
                           stdin=f, capture_output=True, env=env, timeout=3600)
    if p.returncode:
        sys.exit("mutdiff: openpgp.js failed: %s" % p.stderr.decode(errors="replace")[-500:])
    res = {}
    for line in p.stdout.decode().splitlines():
        f = line.split("\t")
        res[f[0]] = (0 if f[1] == "good" else 1, ("%s\n%s\n" % (f[2], f[3] if len(f) > 3 else "")).encode())
    return res


def cases_pgp(rnd, per, tmp, armor):
    fix = os.path.join(BUILD, "pgp-fixtures")
    for name, kind, sig, data, certs, *_ in manifest(fix):
        binary = kind == "detached" and not sig.endswith(".asc") and not certs.endswith(".asc")
        if binary == armor:
            continue
        sig, certs = os.path.join(fix, sig), os.path.join(fix, certs)
        data = os.path.join(fix, data) if kind == "detached" else None
        for _ in range(per):
            s, c = sig, certs
            if armor or rnd.random() < 0.5:
                s = os.path.join(tmp, "sig")
                edit = text_edit if armor else binary_edit
                open(s, "wb").write(edit(rnd, open(sig, "rb").read()))
            else:
                c = os.path.join(tmp, "cert")
                open(c, "wb").write(binary_edit(rnd, open(certs, "rb").read()))
            if kind == "detached":
                yield name, [s, c], ([DG, "sopv", "verify", s, c], data), (["sqop", "verify", s, c], data)
            else:
                yield name, [s, c], ([DG, "sopv", "inline-verify", c], s), (["sqop", "inline-verify", c], s)


def cases_rpm(rnd, per, tmp):
    fix = os.path.join(BUILD, "rpm-fixtures")
    for pkg, key in (("rsa.rpm", "rsa.asc"), ("eddsa.rpm", "eddsa.asc"),
                     ("subkey.rpm", "subkey.asc"), ("sha512.rpm", "rsa.asc"),
                     ("unsigned.rpm", "rsa.asc")):
        key = os.path.join(fix, "keys", key)
        db = tempfile.mkdtemp(prefix="rpmdb", dir=tmp)
        run(["rpmkeys", "--dbpath", db, "--import", key])
        orig = open(os.path.join(fix, pkg), "rb").read()
        end = min([orig.find(m, 96) for m in (b"\x28\xb5\x2f\xfd", b"\x1f\x8b", b"\xfd7zXZ")
                   if orig.find(m, 96) > 0] or [len(orig)])
        for _ in range(per):
            p = os.path.join(tmp, "pkg.rpm")
            open(p, "wb").write(binary_edit(rnd, orig, end))
            yield pkg, [p], ([DG, "rpm", "verify", "--keyring", key, p], None), \
                (["rpmkeys", "--dbpath", db, "-D", "_pkgverify_flags 0x2", "-K", p], None)
            yield pkg + " --payload", [p], ([DG, "rpm", "verify", "--payload", "--keyring", key, p], None), \
                (["rpmkeys", "--dbpath", db, "-K", p], None)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("what", choices=["pgp", "pgp-armor", "pgp-v6", "pgp-v6-struct", "pgp-struct", "rpm"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per", type=int, default=20, help="mutants per fixture")
    ap.add_argument("--out", default="mutdiff-out")
    a = ap.parse_args()
    fixtures, maker = (("rpm-fixtures", "tests/integ/rpm_diff.sh") if a.what == "rpm" else
                       ("pgp-fixtures", "tests/integ/pgp_diff.sh"))
    if not os.path.isfile(os.path.join(BUILD, fixtures, "rsa.rpm" if a.what == "rpm" else "manifest.tsv")):
        sys.exit("mutdiff: no fixtures in %s: run `make check`, or BUILD=%s bash %s, once first"
                 % (os.path.join(BUILD, fixtures), BUILD, maker))
    rnd = random.Random(a.seed)
    tmp = tempfile.mkdtemp(prefix="mutdiff.")
    atexit.register(shutil.rmtree, tmp, True)	# differing cases are copied to --out
    if a.what in ("pgp-v6", "pgp-v6-struct"):
        cases = list(cases_v6(rnd, a.per, tmp, a.what == "pgp-v6-struct"))
        peer = opjs_verdicts([c[3] for c in cases], tmp)
        cases = [(name, inputs, dcmd, (["openpgp.js", "verify", line], None, peer[line.split("\t")[0]]))
                 for name, inputs, dcmd, line in cases]
    elif a.what == "rpm":
        cases = cases_rpm(rnd, a.per, tmp)
    elif a.what == "pgp-struct":
        cases = cases_struct(rnd, a.per, tmp)
    else:
        cases = cases_pgp(rnd, a.per, tmp, a.what == "pgp-armor")
    seen = found = 0
    for name, inputs, (dcmd, din), (pcmd, pin, *done) in cases:
        seen += 1
        d = run(dcmd, din)
        p = (done[0][0], done[0][1], b"") if done else run(pcmd, pin)
        crashed = d[0] == "timeout" or (isinstance(d[0], int) and d[0] < 0)
        if (d[0] == 0) == (p[0] == 0) and not crashed:
            continue
        found += 1
        out = os.path.join(a.out, "%04d" % found)
        os.makedirs(out, exist_ok=True)
        for f in inputs:
            open(os.path.join(out, os.path.basename(f)), "wb").write(open(f, "rb").read())
        for who, r, cmd in (("digestguard", d, dcmd), ("peer", p, pcmd)):
            open(os.path.join(out, who + ".txt"), "wb").write(
                ("%s\nexit %s\n" % (" ".join(cmd), r[0])).encode() + r[1] + r[2])
        print("%s  %s: digestguard exit %s, %s exit %s" % (out, name, d[0], pcmd[0], p[0]), flush=True)
    print("%d mutants, %d with different verdicts (seed %d)" % (seen, found, a.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Differential fuzzing against the peers: mutate inputs that verify, run
digestguard and a peer on each mutant, keep those where the verdicts differ.

  tools/mutdiff.py pgp|pgp-armor|rpm [--seed N] [--per N] [--out DIR]

pgp        binary detached signatures and their certificates of the pgp
           fixtures (gpg/*): one byte flipped, replaced, inserted, deleted,
           or the file cut short; `sopv verify` against `sqop verify`
pgp-armor  the armored detached, inline and cleartext fixtures (gpg/*), one
           text edit (blanks, dashes, '=', base64 letters, a copied run);
           against `sqop verify` / `sqop inline-verify`
rpm        the signed rpm fixtures, one edit in the lead or the headers;
           `rpm verify` (header only and --payload) against `rpmkeys -K`

Fixtures come from a build that ran the differential tests once
(BUILD/pgp-fixtures, BUILD/rpm-fixtures; BUILD defaults to ./build).  Each
difference is written to OUT/NNNN/ (inputs and both outputs) and listed; a
person decides whether it is a defect, a known difference
(tests/data/*/known-differences.txt) or a peer's quirk.  Not part of `make
check`: mutants are random and the peers' verdicts are not ours to pin.
This found, among others, the malformed-signature and the checksum-line
defects listed in docs/pgp-differences.md and the signed-tag check in
docs/rpm.md.
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
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


def manifest(fix):
    for line in open(os.path.join(fix, "manifest.tsv")):
        if not line.startswith("#"):
            f = line.rstrip("\n").split("\t")
            if f[0].startswith("gpg/") and f[5] == "good" and " " not in f[4]:
                yield f


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
    ap.add_argument("what", choices=["pgp", "pgp-armor", "rpm"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per", type=int, default=20, help="mutants per fixture")
    ap.add_argument("--out", default="mutdiff-out")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    tmp = tempfile.mkdtemp(prefix="mutdiff.")
    cases = cases_rpm(rnd, a.per, tmp) if a.what == "rpm" else \
        cases_pgp(rnd, a.per, tmp, a.what == "pgp-armor")
    seen = found = 0
    for name, inputs, (dcmd, din), (pcmd, pin) in cases:
        seen += 1
        d, p = run(dcmd, din), run(pcmd, pin)
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

#!/usr/bin/env python3
"""Semantic differential fuzzing: random, correctly signed certificates and
detached signatures, checked by digestguard and by a peer.

  tools/semdiff.py [--seed N] [--count N] [--out DIR] [--peer sqop|sqv|gpgv|opjs] [--key-version 4|6]
                   [--inline | --cleartext]
                   [--calm P] [--force WHAT=VALUE]... [--avoid PATTERN]... [--hide-known]

mutdiff.py edits bytes and packets of fixtures that verify, so almost every
edit of signed bytes ends in a bad signature that every implementation
rejects.  Here every signature is made afresh (with OpenSSL through
python3-cryptography), so the cases reach what lies behind a good signature:
a v4 certificate (v6 with --key-version 6, against openpgp.js) of one
primary key (v4: EdDSALegacy mostly, or RSA-1024/2048/3072 or ECDSA
P-256/384/521, each key drawn on its own), one or two user IDs with one or two
self-signatures each, maybe a direct-key signature, zero to two subkeys with
binding signatures (and back-signatures, good, bad or missing), maybe key,
subkey or user ID revocations with reasons; then a detached signature by
the primary key or a subkey.  Creation and expiration times, key flags,
critical bits, unknown subpackets, issuer subpackets and the signature type
are drawn at random around the present time.  A case differs when the
verdicts differ, or when both verify and name different keys.  Each
difference is written to OUT/NNNN/ (cert, sig, data, what the case drew,
both outputs) for a person to sort, as with mutdiff.py.  Not part of `make
check`: the peers' verdicts on random cases are not ours to pin.
Needs python3-cryptography (Debian package).
"""
import argparse
import atexit
import base64
import fnmatch
import hashlib
import json
import os
import random
import shutil
import sys
import tempfile
import time
import zlib

from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import hashes, serialization

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "data", "pgp"))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from mutdiff import opjs_verdicts, run  # noqa: E402
from pgppkt import crc24, packet  # noqa: E402
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))
DG = os.environ.get("DG", os.path.join(BUILD, "src/cli/digestguard"))

ED25519_OID = bytes.fromhex("2b06010401da470f01")
DAY = 86400
FUZZ_MESSAGE = b"digestguard keyring fuzz\n"	# as in fuzz/keyring_load_fuzz.c
HASHES = {2: hashlib.sha1, 8: hashlib.sha256, 9: hashlib.sha384, 10: hashlib.sha512,
          11: hashlib.sha224, 12: hashlib.sha3_256, 14: hashlib.sha3_512}
PREHASHED = {2: hashes.SHA1, 8: hashes.SHA256, 9: hashes.SHA384, 10: hashes.SHA512,
             11: hashes.SHA224, 12: hashes.SHA3_256, 14: hashes.SHA3_512}
YEAR = 365 * DAY
# v4 key algorithms besides EdDSALegacy (primary.alg, subN.alg): RSA keys
# come from a pool made once from a fixed seed (RSA key generation is slow),
# ECDSA keys from the case's random stream.
CURVES = {"p256": (ec.SECP256R1, bytes.fromhex("2a8648ce3d030107")),
          "p384": (ec.SECP384R1, bytes.fromhex("2b81040022")),
          "p521": (ec.SECP521R1, bytes.fromhex("2b81040023"))}
ALGS = ["ed25519", "rsa2048", "p256", "rsa3072", "p384", "p521", "rsa1024"]
RSA_POOL = 6	# keys per RSA size (a case has at most three keys)
_rsa_pool = {}


def _prime(rnd, bits):
    """A random prime of @bits bits whose top two bits are set (Miller-Rabin
    with 40 bases drawn from @rnd): p * q then has twice the bits."""
    small = [p for p in range(3, 2000, 2) if all(p % d for d in range(3, int(p ** 0.5) + 1, 2))]
    while True:
        n = rnd.getrandbits(bits) | (3 << (bits - 2)) | 1
        if any(n % p == 0 for p in small):
            continue
        d, r = n - 1, 0
        while d % 2 == 0:
            d, r = d // 2, r + 1
        for _ in range(40):
            x = pow(rnd.randrange(2, n - 1), d, n)
            if x in (1, n - 1):
                continue
            for _ in range(r - 1):
                x = pow(x, 2, n)
                if x == n - 1:
                    break
            else:
                break
        else:
            return n


def rsa_key(bits, i):
    """The @i-th RSA key of @bits bits of the fixed pool (the same in every run)."""
    if (bits, i) not in _rsa_pool:
        rnd, e = random.Random("semdiff-rsa-%d-%d" % (bits, i)), 65537
        while True:
            p, q = _prime(rnd, bits // 2), _prime(rnd, bits // 2)
            phi = (p - 1) * (q - 1)
            if p != q and phi % e:
                break
        d = pow(e, -1, phi)
        _rsa_pool[bits, i] = rsa.RSAPrivateNumbers(
            p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p),
            rsa.RSAPublicNumbers(e, p * q)).private_key()
    return _rsa_pool[bits, i]


def mpi(b):
    b = b.lstrip(b"\0")
    return (len(b) and (len(b) - 1) * 8 + b[0].bit_length()).to_bytes(2, "big") + b


class Key:
    """A v4 key (EdDSALegacy 22, RSA 1 or ECDSA 19, as @alg says) or a v6
    Ed25519 (27) key."""

    def __init__(self, rnd, created, version=4, alg="ed25519", taken=None):
        # the hash gpg would take: ECDSA at least the curve's size (RFC 9580
        # §5.2.3.2; digestguard refuses shorter ones, docs/pgp-differences.md
        # ecdsa-short-hash)
        self.version, self.created, self.alg = version, created, alg
        self.hash = {"p384": 9, "p521": 10}.get(alg, 8)
        if alg.startswith("rsa"):
            # a pool key not yet in this case (the same material twice,
            # made at the same time, would be one key listed twice)
            taken = taken if taken is not None else set()
            i = rnd.choice([i for i in range(RSA_POOL) if (alg, i) not in taken])
            taken.add((alg, i))
            self.sk = rsa_key(int(alg[3:]), i)
            pub = self.sk.public_key().public_numbers()
            self.algo, self.size = 1, (pub.n.bit_length() + 7) // 8
            self.body = (b"\x04" + created.to_bytes(4, "big") + b"\x01" +
                         mpi(pub.n.to_bytes(self.size, "big")) + mpi(pub.e.to_bytes(3, "big")))
            self.fpr = hashlib.sha1(self.framed()).digest()
            return
        if alg in CURVES:
            curve, oid = CURVES[alg]
            self.sk = ec.derive_private_key(rnd.randrange(1, 1 << 250), curve())
            point = self.sk.public_key().public_bytes(serialization.Encoding.X962,
                                                      serialization.PublicFormat.UncompressedPoint)
            self.algo, self.size = 19, (curve.key_size + 7) // 8
            self.body = (b"\x04" + created.to_bytes(4, "big") + b"\x13" +
                         bytes([len(oid)]) + oid + mpi(point))
            self.fpr = hashlib.sha1(self.framed()).digest()
            return
        self.sk = Ed25519PrivateKey.from_private_bytes(rnd.randbytes(32))
        pk = self.sk.public_key().public_bytes(serialization.Encoding.Raw,
                                               serialization.PublicFormat.Raw)
        self.algo = 22 if version == 4 else 27
        if version == 4:
            self.body = (b"\x04" + created.to_bytes(4, "big") + b"\x16" +
                         bytes([len(ED25519_OID)]) + ED25519_OID + mpi(b"\x40" + pk))
            self.fpr = hashlib.sha1(self.framed()).digest()
        else:
            self.body = b"\x06" + created.to_bytes(4, "big") + b"\x1b" + len(pk).to_bytes(4, "big") + pk
            self.fpr = hashlib.sha256(self.framed()).digest()

    def framed(self):
        """The key as hashed into signatures over it."""
        if self.version == 4:
            return b"\x99" + len(self.body).to_bytes(2, "big") + self.body
        return b"\x9b" + len(self.body).to_bytes(4, "big") + self.body

    def with_uid(self, uid):
        """The key and user ID @uid as hashed into a certification of them
        (RFC 9580 §5.2.4)."""
        return self.framed() + b"\xb4" + len(uid).to_bytes(4, "big") + uid

    def keyid(self):
        return self.fpr[12:] if self.version == 4 else self.fpr[:8]

    def issuer_fpr(self):
        """The body of an issuer fingerprint subpacket naming this key."""
        return bytes([self.version]) + self.fpr


def sub(typ, body, critical=False):
    n = len(body) + 1
    if n < 192:
        head = bytes([n])
    elif n < 8384:
        head = bytes([((n - 192) >> 8) + 192, (n - 192) & 255])
    else:
        head = b"\xff" + n.to_bytes(4, "big")
    return head + bytes([typ | (0x80 if critical else 0)]) + body


SALT = {8: 16, 9: 24, 10: 32, 11: 16, 12: 16, 14: 32}	# v6 salt sizes, RFC 9580 §9.5


def sign(key, sigtype, prefix, hashed, unhashed, hash_algo=None):
    """A signature packet of @key's version by @key over @prefix (the hashed
    material before the signature's own fields), over @key's usual hash
    unless @hash_algo is given."""
    hash_algo = hash_algo or key.hash
    h = HASHES[hash_algo]()
    if key.version == 4:
        head = bytes([4, sigtype, key.algo, hash_algo]) + len(hashed).to_bytes(2, "big") + hashed
        h.update(prefix + head + b"\x04\xff" + len(head).to_bytes(4, "big"))
        digest = h.digest()
        if key.algo == 1:
            mpis = mpi(key.sk.sign(digest, padding.PKCS1v15(), utils.Prehashed(PREHASHED[hash_algo]())))
        elif key.algo == 19:
            r, s = utils.decode_dss_signature(key.sk.sign(digest, ec.ECDSA(utils.Prehashed(PREHASHED[hash_algo]()))))
            mpis = mpi(r.to_bytes(key.size, "big")) + mpi(s.to_bytes(key.size, "big"))
        else:
            s = key.sk.sign(digest)
            mpis = mpi(s[:32]) + mpi(s[32:])
        body = head + len(unhashed).to_bytes(2, "big") + unhashed + digest[:2] + mpis
        return packet(2, body)
    # v6: salted, four-octet area lengths, native signature (a salt
    # derived from the content keeps runs reproducible)
    salt = hashlib.sha512(prefix + hashed).digest()[:SALT.get(hash_algo, 16)]
    head = bytes([6, sigtype, 27, hash_algo]) + len(hashed).to_bytes(4, "big") + hashed
    h.update(salt + prefix + head + b"\x06\xff" + len(head).to_bytes(4, "big"))
    digest = h.digest()
    body = (head + len(unhashed).to_bytes(4, "big") + unhashed + digest[:2] +
            bytes([len(salt)]) + salt + key.sk.sign(digest))
    return packet(2, body)


class Case:
    """Draws one certificate and signature; self.log says what was drawn."""

    def __init__(self, rnd, now, force=None, avoid=(), version=4):
        self.rnd, self.now, self.log, self.force, self.avoid = rnd, now, [], force or {}, avoid
        self.version = version
        self.data = None	# the signed data's start (default: drawn)
        self.inline = False	# an inline-signed message instead of a detached signature
        self.cleartext = False	# a cleartext-signed message (RFC 9580 §7) instead
        self.calm = rnd.uniform(0.5, 0.95)

    def pick(self, what, choices, weights=None):
        """The first choice is the ordinary one, taken with probability
        self.calm (drawn per case), so that most cases are near a
        certificate that verifies and differ from it in a few places."""
        if what in self.force:
            v = next(c for c in choices if str(c) == self.force[what])
        elif self.rnd.random() < self.calm:
            v = choices[0]
        else:
            v = self.rnd.choices(choices, weights)[0]
            if any(fnmatch.fnmatchcase("%s=%s" % (what, v), a) for a in self.avoid):
                v = choices[0]
        self.log.append("%s=%s" % (what, v))
        return v

    def when(self, what, base):
        """A time near @base or the present (drawn as an offset name)."""
        off = self.pick(what, ["+1d", "-2y", "-1d", "0", "+1h", "+1y", "+2y", "now", "now-1h", "future"],
                        [3, 1, 2, 3, 1, 3, 2, 2, 2, 1])
        return {"-2y": base - 2 * YEAR, "-1d": base - DAY, "0": base, "+1h": base + 3600,
                "+1d": base + DAY, "+1y": base + YEAR, "+2y": base + 2 * YEAR,
                "now": self.now - 60, "now-1h": self.now - 3600,
                "future": self.now + 30 * DAY}[off]

    def alg(self, what):
        """A key algorithm (v4 only): EdDSALegacy mostly, or one of ALGS."""
        if self.version != 4:
            return "ed25519"
        return self.pick(what, ALGS, [6, 2, 2, 1, 1, 1, 1])

    def expiry(self, what):
        return self.pick(what, [None, 0, 3600, DAY, YEAR, 10 * YEAR], [6, 1, 1, 1, 2, 2])

    def extras(self, what, issuer):
        """Subpackets any signature may carry, hashed or not."""
        hashed, unhashed = [], []
        # (a v6 signature names its issuer by fingerprint only, RFC 9580 §5.2.3.12)
        modes = ["both", "hashed", "unhashed", "none", "fpr-only"]
        mode = self.pick(what + ".issuer", modes if self.version == 4 else modes[-1:] + modes[:-1],
                         [2, 3, 4, 1, 1])
        if mode in ("hashed", "both"):
            hashed.append(sub(16, issuer.keyid()))
        if mode == "unhashed":
            unhashed.append(sub(16, issuer.keyid()))
        if mode in ("fpr-only", "both"):
            hashed.append(sub(33, issuer.issuer_fpr()))
        unk = self.pick(what + ".unknown", [None, "hashed", "hashed-critical", "unhashed", "unhashed-critical"],
                        [17, 1, 1, 1, 1])
        if unk:
            (hashed if unk.startswith("hashed") else unhashed).append(sub(105, b"x", unk.endswith("critical")))
        nota = self.pick(what + ".notation", [None, "plain", "critical"], [18, 1, 1])
        if nota:
            name, value = b"test@example.org", b"v"
            hashed.append(sub(20, b"\x80\0\0\0" + len(name).to_bytes(2, "big") +
                              len(value).to_bytes(2, "big") + name + value, nota == "critical"))
        return hashed, unhashed

    def selfsig(self, what, primary, prefix, sigtype, subject):
        created = self.when(what + ".created", subject.created if subject else primary.created)
        hashed, unhashed = [sub(2, created.to_bytes(4, "big"))], []
        if self.pick(what + ".created-critical", [False, True], [3, 1]):
            hashed[0] = sub(2, created.to_bytes(4, "big"), True)
        exp = self.expiry(what + ".key-expires")
        if exp is not None and sigtype in (0x10, 0x11, 0x12, 0x13, 0x1F, 0x18):
            hashed.append(sub(9, exp.to_bytes(4, "big")))
        sexp = self.pick(what + ".sig-expires", [None, 3600, YEAR], [8, 1, 1])
        if sexp is not None:
            hashed.append(sub(3, sexp.to_bytes(4, "big")))
        if sigtype in (0x10, 0x11, 0x12, 0x13, 0x1F, 0x18):
            flags = self.pick(what + ".flags", [0x03, None, 0x01, 0x02, 0x0C, 0x00], [3, 2, 2, 3, 1, 1])
            if flags is not None:
                crit = self.pick(what + ".flags-critical", [False, True], [2, 1])
                hashed.append(sub(27, bytes([flags]), crit))
        if sigtype in (0x10, 0x11, 0x12, 0x13) and self.pick(what + ".primary-uid", [False, True], [3, 1]):
            hashed.append(sub(25, b"\x01"))
        if sigtype in (0x20, 0x28, 0x30):
            reason = self.pick(what + ".reason", [None, 0, 1, 2, 3, 32])
            if reason is not None:
                crit = self.pick(what + ".reason-critical", [False, True], [2, 1])
                hashed.append(sub(29, bytes([reason]) + b"test", crit))
        h, u = self.extras(what, primary)
        hashed += h
        unhashed += u
        if sigtype == 0x18 and subject is not None:
            back = self.pick(what + ".backsig", ["good", "none", "bad", "hashed", "wrong-key"],
                             [6, 2, 1, 1, 1])
            if back != "none":
                bcreated = self.when(what + ".backsig.created", subject.created)
                bh = [sub(2, bcreated.to_bytes(4, "big")), sub(33, subject.issuer_fpr())]
                bexp = self.pick(what + ".backsig.expires", [None, 3600, YEAR], [8, 1, 1])
                if bexp is not None:
                    bh.append(sub(3, bexp.to_bytes(4, "big")))
                signer = primary if back == "wrong-key" else subject
                bs = sign(signer, 0x19, prefix, b"".join(bh), sub(16, subject.keyid()) if subject.version == 4 else b"")
                body = bytearray(bs[6:])
                if back == "bad":
                    body[-1] ^= 1
                (hashed if back == "hashed" else unhashed).append(sub(32, bytes(body)))
        self.rnd.shuffle(hashed)
        return sign(primary, sigtype, prefix, b"".join(hashed), b"".join(unhashed)), created

    def data_sig(self, what, keys, signer, data):
        """A data signature over @data by keys[@signer]: (creation time, packet)."""
        screated = self.when(what + ".created", keys[signer].created)
        hashed = [sub(2, screated.to_bytes(4, "big"))]
        sexp = self.pick(what + ".expires", [None, 3600, YEAR], [8, 1, 1])
        if sexp is not None:
            hashed.append(sub(3, sexp.to_bytes(4, "big")))
        h, u = self.extras(what, keys[signer])
        hashed += h
        usual = keys[signer].hash
        halgo = self.pick(what + ".hash", [usual] + [h for h in (8, 10, 2, 9, 11, 12, 14) if h != usual],
                          [12, 2, 1, 1, 1, 1, 1])
        sigtype = self.pick(what + ".type", [0x01, 0x00] if self.cleartext else [0x00, 0x01], [4, 1])
        if sigtype == 0x01:	# text: line ends as CR LF (a lone CR is no line end here)
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        return screated, sign(keys[signer], sigtype, data, b"".join(hashed), b"".join(u), halgo), sigtype, halgo

    def message(self, parts, data):
        """An inline-signed message of the signatures @parts (key, packet,
        type, hash) over @data: one-pass signatures, a literal data packet
        and the signatures (or the old shape, signatures first), maybe
        compressed, maybe after a marker packet."""
        fmt = self.pick("lit.format", [b"b", b"t", b"u"])
        lit = packet(11, fmt + b"\x04name" + (0).to_bytes(4, "big") + data)
        shape = self.pick("msg.shape", ["one-pass", "signatures-first", "one-pass-all-last",
                                         "one-pass-one-missing"], [8, 1, 1, 1])
        if shape == "signatures-first":
            inner = b"".join(p[1] for p in parts) + lit
        else:
            ops = []
            for i, (key, _, stype, halgo) in enumerate(parts):
                last = 1 if i == len(parts) - 1 or shape == "one-pass-all-last" else 0
                ops.append(packet(4, bytes([3, stype, halgo, key.algo]) + key.keyid() + bytes([last])))
            if shape == "one-pass-one-missing":
                ops = ops[1:]
            # the signatures close in the reverse order of their one-pass packets
            inner = b"".join(ops) + lit + b"".join(p[1] for p in reversed(parts))
        comp = self.pick("msg.compression", [None, "zlib", "zip", "uncompressed"], [6, 2, 1, 1])
        if comp == "zlib":
            inner = packet(8, b"\x02" + zlib.compress(inner))
        elif comp == "zip":
            c = zlib.compressobj(wbits=-15)
            inner = packet(8, b"\x01" + c.compress(inner) + c.flush())
        elif comp == "uncompressed":
            inner = packet(8, b"\x00" + inner)
        if self.pick("msg.marker", [False, True], [6, 1]):
            inner = packet(10, b"PGP") + inner
        return inner

    TEXT = [b"semdiff text", b"", b"-", b"- dash", b"--", b"-----BEGIN PGP SIGNATURE-----",
            b"-----END PGP SIGNATURE-----", b"From me", b"trailing  ", b"tab\t", b" \t ", b"  leading",
            b"mid\rcr", b"nbsp\xc2\xa0", b"vt\x0b", b"\xff\xfe bytes", b"Hash: SHA1", b"x" * 300]

    def text_lines(self):
        """The lines of a cleartext message's text (without line ends)."""
        n = self.pick("text.lines", [2, 1, 3, 6, 0], [4, 2, 2, 1, 1])
        return [self.pick("text.line%d" % i, self.TEXT) for i in range(n)]

    def cleartext_message(self, parts, lines):
        """A cleartext-signed message (RFC 9580 §7) of @lines, dash-escaped,
        and the signatures @parts armored."""
        eol = self.pick("ct.eol", [b"\n", b"\r\n"], [3, 1])
        names = {2: b"SHA1", 8: b"SHA256", 9: b"SHA384", 10: b"SHA512", 11: b"SHA224",
                 12: b"SHA3-256", 14: b"SHA3-512"}
        used = sorted(set(p[3] for p in parts))
        head = [b"-----BEGIN PGP SIGNED MESSAGE-----"]
        hh = self.pick("ct.hash-header", ["all", "none", "one-each", "other", "lowercase", "spaced"],
                       [6, 2, 1, 1, 1, 1])
        if hh == "all":
            head.append(b"Hash: " + b",".join(names[h] for h in used))
        elif hh == "spaced":	# blanks after the commas and at the end
            head.append(b"Hash: " + b", ".join(names[h] for h in used) + b" ")
        elif hh == "one-each":
            head += [b"Hash: " + names[h] for h in used]
        elif hh == "other":
            head.append(b"Hash: " + (b"SHA512" if 10 not in used else b"SHA256"))
        elif hh == "lowercase":
            head.append(b"Hash: " + b",".join(names[h].lower() for h in used))
        extra = self.pick("ct.extra-header", [None, b"Comment: semdiff", b"NotDashEscaped: x",
                                              b"Charset: UTF-8"], [8, 1, 1, 1])
        if extra:
            head.append(extra)
        # the line that ends the headers: empty, or (RFC 4880) blanks only
        head.append(self.pick("ct.blank", [b"", b"  ", b"\t"], [8, 1, 1]))
        escape = self.pick("ct.escape", ["dashes", "dashes-and-from", "every-line", "dashes-but-short"],
                           [6, 1, 1, 1])
        body = []
        for l in lines:
            if escape == "every-line" or (escape == "dashes-and-from" and l.startswith(b"From ")):
                l = b"- " + l
            elif l.startswith(b"-") and not (escape == "dashes-but-short" and not l.startswith(b"-----")):
                l = b"- " + l
            body.append(l)	# "dashes-but-short": "-" and "- dash" lines left unescaped
        raw = b"".join(p[1] for p in parts)
        b64 = base64.b64encode(raw)
        arm = ([b"-----BEGIN PGP SIGNATURE-----", b""] + [b64[i:i + 64] for i in range(0, len(b64), 64)] +
               [b"=" + base64.b64encode(crc24(raw).to_bytes(3, "big")), b"-----END PGP SIGNATURE-----"])
        return eol.join(head + body + arm) + eol

    def build(self):
        rnd, now = self.rnd, self.now
        pcreated = self.pick("primary.created", [now - 3 * YEAR, now - 400 * DAY, now - 2 * DAY, now + 10 * DAY],
                             [6, 3, 2, 1])
        taken = set()	# RSA pool keys in this case
        primary = Key(rnd, pcreated, self.version, self.alg("primary.alg"), taken)
        out = [packet(6, primary.body)]
        keys = [primary]
        # v6 keys carry their properties in a direct-key signature (RFC 9580 §10.1.1)
        if self.pick("direct-key", [False, True] if self.version == 4 else [True, False], [4, 1]):
            out.append(self.selfsig("dk", primary, primary.framed(), 0x1F, None)[0])
        if self.pick("key-revocation", [False, True], [8, 1]):
            out.append(self.selfsig("krev", primary, primary.framed(), 0x20, None)[0])
        for u in range(self.pick("uids", [1, 0, 2], [8, 1, 2])):
            uid = b"User %d <u%d@example.org>" % (u, u)
            out.append(packet(13, uid))
            prefix = primary.with_uid(uid)
            for s in range(self.pick("uid%d.sigs" % u, [1, 2], [4, 1])):
                t = self.pick("uid%d.sig%d.type" % (u, s), [0x13, 0x10, 0x30], [8, 1, 1])
                out.append(self.selfsig("uid%d.sig%d" % (u, s), primary, prefix, t, None)[0])
        for k in range(self.pick("subkeys", [1, 0, 2], [5, 2, 2])):
            skey = Key(rnd, self.when("sub%d.created" % k, pcreated), self.version, self.alg("sub%d.alg" % k), taken)
            keys.append(skey)
            out.append(packet(14, skey.body))
            prefix = primary.framed() + skey.framed()
            for s in range(self.pick("sub%d.sigs" % k, [1, 0, 2], [6, 1, 1])):
                t = self.pick("sub%d.sig%d.type" % (k, s), [0x18, 0x28], [6, 1])
                out.append(self.selfsig("sub%d.sig%d" % (k, s), primary, prefix, t, skey)[0])
        signer = self.pick("signer", list(range(len(keys)))[::-1], [2] * (len(keys) - 1) + [1])
        if self.cleartext:	# the signed text: lines as RFC 9580 §7.2 makes them
            lines = self.text_lines()
            data = b"\r\n".join(l.rstrip(b" \t") for l in lines)
        else:
            data = self.data if self.data is not None else b"semdiff data %d\n" % rnd.randrange(1 << 30)
            data += self.pick("data.tail", [b"", b"a\r\nb\n", b"trailing blank \n", b"no line end",
                                            b"lone\rcr\n", b"\n\n"], [6, 1, 1, 1, 1, 1])
        screated, sig, stype, halgo = self.data_sig("sig", keys, signer, data)
        self.screated = screated
        parts = [(keys[signer], sig, stype, halgo)]
        if self.pick("sigs", [1, 2], [4, 1]) == 2:
            other = self.pick("sig2.signer", list(range(len(keys))))
            _, sig2, stype2, halgo2 = self.data_sig("sig2", keys, other, data)
            if self.pick("sig2.bad", [False, True], [3, 1]):
                sig2 = sig2[:-1] + bytes([sig2[-1] ^ 1])
            part2 = (keys[other], sig2, stype2, halgo2)
            parts = [part2] + parts if self.pick("sig2.first", [False, True]) else parts + [part2]
        sig = b"".join(p[1] for p in parts)
        if self.inline:
            sig = self.message(parts, data)
        if self.cleartext:
            sig = self.cleartext_message(parts, lines)
        # --not-before / --not-after around the signature's time (the
        # bounds are inclusive in the SOP spec)
        self.window = []
        for opt in ("--not-before", "--not-after"):
            off = self.pick("sig" + opt, [None, -1, 0, 1, -DAY, DAY], [6, 1, 1, 1, 1, 1])
            if off is not None:
                self.window += [opt, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(screated + off))]
        return b"".join(out), sig, data, keys


def probable_class(case, peer, dr, pr):
    """The known difference (docs/pgp-differences.md) a differing case most
    likely shows, from what it drew and what both sides said; None when no
    rule fits.  A guess to sort by, not a verdict: the case is written out
    either way."""
    drawn = dict(x.split("=", 1) for x in case.log)
    said = (dr[1] + dr[2]).decode(errors="replace")
    peer_said = (pr[1] + pr[2]).decode(errors="replace")
    if "-bit hash (at least" in said:
        return "ecdsa-short-hash" if "ECDSA" in said else "eddsa-short-hash"
    # each data signature: its signer's algorithm and its hash
    sigs = [(drawn.get("signer", "0"), drawn.get("sig.hash"))]
    if drawn.get("sigs") == "2":
        sigs.append((drawn.get("sig2.signer", "0"), drawn.get("sig2.hash")))
    algs = [(drawn.get("primary.alg" if n == "0" else "sub%d.alg" % (int(n) - 1), "ed25519"), int(h or 8))
            for n, h in sigs]
    if peer in ("sqop", "sqv", "gpgv") and any(h in (12, 14) for _, h in algs):
        return "no-sha3"
    hash_bits = {2: 160, 8: 256, 9: 384, 10: 512, 11: 224, 12: 256, 14: 512}
    need = {"ed25519": 256, "p256": 256, "p384": 384, "p521": 512}
    for alg, h in algs:
        if hash_bits[h] < need.get(alg, 0):	# a good signature refused without a message
            return "ecdsa-short-hash" if alg.startswith("p") else "eddsa-short-hash"
    if any(k.endswith(".issuer") and v == "none" for k, v in drawn.items()):
        return "issuer-less"
    if case.cleartext:	# docs/pgp-differences.md, the cleartext classes
        text = [v for k, v in drawn.items() if k.startswith("text.line")]
        if drawn.get("ct.hash-header") == "lowercase":
            return "hash-header-case"
        if peer == "sqop" and (drawn.get("ct.extra-header") != "None" or
                               drawn.get("ct.hash-header") == "spaced"):
            return "sqop-cleartext-headers"
        if any("\\r" in v for v in text):
            return "text-lone-cr"
        if peer == "opjs" and drawn.get("ct.hash-header") == "none":
            return "opjs-cleartext-no-hash"
        if peer == "opjs" and any(h in (12, 14) for _, h in algs):
            return "opjs-no-sha3-cleartext"
        if peer == "opjs" and any("\\x" in v for v in text):
            return "opjs-cleartext-utf8"
        if peer == "opjs" and drawn.get("ct.escape") == "every-line" and any(
                v.strip("b'").replace("\\t", "").strip() == "" for v in text):
            return "opjs-escaped-blank-line"
        if peer == "sqop" and "0" in (drawn.get("sig.type"), drawn.get("sig2.type")):
            return "sqop-cleartext-binary-signature"
        if (peer in ("sqop", "opjs") and drawn.get("ct.escape") == "dashes-but-short" and
                any(v.startswith("b'-") and not v.startswith("b'-----") for v in text)):
            return "lenient-armor"	# a "-" line neither escaped nor armor: the peer reads it
    if "panicked" in peer_said:
        return "peer-panic"
    if peer == "gpgv":
        c = gpgv_class(case, drawn, said, peer_said, dr[0] == 0, pr[0] == 0)
        if c:
            return c
    if case.version == 6 and peer == "opjs":
        if any(k.endswith(".issuer") and v in ("both", "hashed", "unhashed") for k, v in drawn.items()):
            return "opjs-v6-issuer-key-id"
        if any(k.startswith("uid") and k.endswith(".key-expires") for k in drawn):
            return "opjs-v6-user-id-expiration"
    sequoia = peer in ("sqop", "sqv")
    if peer == "sqop" and drawn.get("msg.shape") == "signatures-first":
        return "sqop-prefix-signature"
    # a soft key revocation and a self-signature drawn newer than it
    order = ["-2y", "0", "+1h", "+1d", "now-1h", "now", "+1y", "+2y", "future"]	# roughly
    if (peer != "opjs" and drawn.get("key-revocation") == "True" and drawn.get("krev.reason") in ("1", "3", "32")
            and any(k.startswith(("uid", "dk")) and k.endswith(".created") and v in order and
                    drawn.get("krev.created") in order and order.index(v) > order.index(drawn["krev.created"])
                    for k, v in drawn.items())):
        return "soft-revocation-reinstated"
    if sequoia and dr[0] == 0 and case.screated > case.now:
        return "sequoia-future-signature"
    # two self-signatures of one component, or the newest of two user IDs,
    # drawn at the same time
    times = {}
    for k, v in drawn.items():
        if k.endswith(".created") and k.count(".") == 2 and not k.startswith(("sig", "krev")):
            comp = k.split(".")[0]
            times.setdefault("uid" if comp.startswith("uid") else comp, []).append(v)
    if any(len(v) != len(set(v)) for v in times.values()):
        return "tied-self-signatures"
    # a self-signature, binding or back-signature older than its key
    if any(k.startswith(("uid", "dk", "sub", "krev")) and k.endswith(".created") and
           (k.count(".") >= 2 or k == "krev.created") and v in ("-1d", "-2y") for k, v in drawn.items()):
        return "signature-predates-key"
    # openpgp.js wants a v4 key's user ID bound, even with a direct-key signature
    if (peer == "opjs" and case.version == 4 and drawn.get("direct-key") == "True" and
            all(v in ("48",) for k, v in drawn.items() if k.startswith("uid") and k.endswith(".type"))):
        return "opjs-v4-needs-user-id"
    signer = int(drawn.get("signer", 0))
    by_primary = signer == 0 or (drawn.get("sigs") == "2" and drawn.get("sig2.signer") == "0")
    flags = lambda p: drawn.get(p + ".flags", "None")
    if drawn.get("direct-key") == "True" and flags("dk") != "None":
        if signer > 0 and sequoia and any(flags("sub%d.sig%d" % (signer - 1, i)) == "None" for i in range(2)):
            return "sequoia-direct-key-subkey-flags"
        if signer == 0 and (sequoia or peer == "opjs"):
            return "direct-key-flags"
    if by_primary and any(k.endswith(".type") and k.startswith("uid") and
                           flags(k[:-5]) == "None" for k in drawn):
        return "primary-without-key-flags"
    return None


def gpgv_class(case, drawn, said, peer_said, dg_good, gpgv_good):
    """probable_class() for gpgv 2.2, which checks far less of a
    certificate than a SOP verifier: mostly digestguard's reason says it."""
    if not dg_good and gpgv_good:
        rules = [("SHA1 data signatures are rejected", "sha1-accepted"),
                 ("revoked", "gpgv-revoked-key"),
                 ("expired at the signature time", "gpgv-expired-key"),
                 ("RSA-1024", "gpgv-rsa1024"),
                 ("back-)signature", "gpgv-backsig-expiry"),
                 ("no valid self-signature at the signature time", "binding-after-signature"),
                 ("no valid binding signature at the signature time", "binding-after-signature"),
                 ("primary key is not signing-capable", "binding-after-signature")]
        for words, cls in rules:
            if words in said:
                return cls
        if "after the accepted range" in said and case.screated > case.now:
            return "gpgv-future-signature"
        if "skipped: no valid self-signature" in said and all(
                v == "48" for k, v in drawn.items() if k.startswith("uid") and k.endswith(".type")):
            return "gpgv-revoked-user-id"
        if "subkey is not signing-capable" in said:	# its back-signature made after the data's
            return "gpgv-backsig-expiry"
    if dg_good and not gpgv_good:
        if "unknown critical bit" in peer_said:
            return "gpgv-unhashed-critical"
        if "Wrong key usage" in peer_said:	# it reads the newest binding's flags
            return "gpgv-newest-binding"
        if drawn.get("sigs") == "2" and "Good signature" in peer_said:	# and another it cannot check
            return "gpgv-stops-at-bad-signature"
        if "signature packet without keyid" in peer_said or (
                "Bad public key" in peer_said and any(
                    k.startswith(("uid", "sub", "dk")) and k.endswith(".issuer") and v == "fpr-only"
                    for k, v in drawn.items())):
            return "gpgv-issuer-key-id"
        if "Bad public key" in peer_said and any(
                k.startswith("sub") and k.endswith(".sig-expires") and v != "None" for k, v in drawn.items()):
            return "gpgv-binding-expired-since"
    return None


def signers(out):
    """The (signing, primary) fingerprints of VERIFICATIONS lines, once each
    (sqop names two identical signatures once, digestguard twice)."""
    return sorted(set(tuple(l.split()[1:3]) for l in out.decode(errors="replace").splitlines() if l.strip()))


def fuzz_seeds(a):
    """Seeds for the keyring_load fuzz target, which loads its input as a
    keyring and checks the input's signature packets over a fixed message:
    cases from here reach the certificate rules, which byte-level seeds
    rarely get past the signatures to."""
    rnd = random.Random(a.seed)
    os.makedirs(a.fuzz_seeds, exist_ok=True)
    for i in range(a.count):
        case = Case(rnd, int(time.time()), {"data.tail": "b''", "sig--not-before": "None",
                                             "sig--not-after": "None"}, a.avoid, a.key_version)
        case.data = FUZZ_MESSAGE
        c, s, d, keys = case.build()
        assert d == FUZZ_MESSAGE
        open(os.path.join(a.fuzz_seeds, "semdiff-%d-%05d" % (a.seed, i)), "wb").write(c + s)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--out", default="semdiff-out")
    ap.add_argument("--peer", choices=["sqop", "sqv", "gpgv", "opjs"], default="sqop")
    ap.add_argument("--key-version", type=int, choices=[4, 6], default=4,
                    help="v4 EdDSALegacy or v6 Ed25519 keys and signatures (v6: --peer opjs)")
    ap.add_argument("--fuzz-seeds", metavar="DIR",
                    help="run no peer: write --count seeds for fuzz/keyring_load_fuzz.c to DIR "
                    "(certificate and signature packets, signing its fixed message)")
    ap.add_argument("--inline", action="store_true",
                    help="an inline-signed message (one-pass signatures, literal data, maybe "
                    "compressed) instead of a detached signature; --peer sqop or opjs")
    ap.add_argument("--cleartext", action="store_true",
                    help="a cleartext-signed message (RFC 9580 §7: dash-escaped lines, Hash headers, "
                    "trailing whitespace, CR LF) instead of a detached signature; --peer sqop or opjs")
    ap.add_argument("--calm", type=float, help="probability of each ordinary choice (default: drawn per case)")
    ap.add_argument("--force", action="append", default=[], metavar="WHAT=VALUE",
                    help="always draw VALUE for WHAT (as case.json lists them), to pin a difference down")
    ap.add_argument("--avoid", action="append", default=[], metavar="PATTERN",
                    help="take the ordinary choice instead of a WHAT=VALUE matching PATTERN "
                    "(fnmatch, e.g. '*.issuer=none'), to leave a known difference out")
    ap.add_argument("--hide-known", action="store_true",
                    help="list only differences that no known class (probable_class()) explains; "
                    "every difference is still written to --out")
    a = ap.parse_args()
    if a.fuzz_seeds:
        return fuzz_seeds(a)
    message = a.inline or a.cleartext	# verified with inline-verify
    if message and a.peer not in ("sqop", "opjs"):
        ap.error("--inline, --cleartext: --peer sqop or opjs")
    if a.inline and a.cleartext:
        ap.error("--inline or --cleartext, not both")
    if a.key_version == 6 and message:
        ap.error("--inline and --cleartext make v4 messages only")
    if a.key_version == 6 and a.peer != "opjs":
        ap.error("v6 keys: only openpgp.js reads them (--peer opjs)")
    rnd = random.Random(a.seed)
    now = int(time.time())
    tmp = tempfile.mkdtemp(prefix="semdiff.")
    atexit.register(shutil.rmtree, tmp, True)	# differing cases are copied to --out
    cases = []
    for i in range(a.count):
        force = dict(f.split("=", 1) for f in a.force)
        if a.peer in ("gpgv", "opjs"):	# no time bounds to give them
            force.update({"sig--not-before": "None", "sig--not-after": "None"})
        case = Case(rnd, now, force, a.avoid, a.key_version)
        if a.calm is not None:
            case.calm = a.calm
        case.inline, case.cleartext = a.inline, a.cleartext
        c, s, d, keys = case.build()
        files = [os.path.join(tmp, "%05d" % i, n) for n in ("cert", "sig", "data")]
        os.makedirs(os.path.dirname(files[0]))
        for f, b in zip(files, (c, s, d)):
            open(f, "wb").write(b)
        cases.append((i, case, keys, files))
    if a.peer == "opjs":
        peer = opjs_verdicts(["\t".join([os.path.dirname(cert), "cleartext" if a.cleartext else "inline",
                                         sig, "-", cert, ""]) if message
                              else "\t".join([os.path.dirname(cert), "detached", sig, data, cert, ""])
                              for i, case, keys, (cert, sig, data) in cases], tmp)
    found = good = 0
    classes = {}
    for i, case, keys, (cert, sig, data) in cases:
        w, d = case.window, os.path.dirname(cert)
        if message:	# the message on stdin, the data on stdout, VERIFICATIONS to a file
            dcmd = [DG, "sopv", "inline-verify"] + w + ["--verifications-out", d + "/dg.out", cert]
            pcmd = {"sqop": ["sqop", "inline-verify"] + w + ["--verifications-out", d + "/peer.out", cert],
                    "opjs": ["openpgp.js", "inline-verify"]}[a.peer]
        else:
            dcmd = [DG, "sopv", "verify"] + w + [sig, cert]
            pcmd = {"sqop": ["sqop", "verify"] + w + [sig, cert],
                    "sqv": ["sqv"] + w + ["--keyring", cert, sig, data],
                    "gpgv": ["gpgv", "--keyring", cert, sig, data],
                    "opjs": ["openpgp.js", "verify"]}[a.peer]
        dr = run(dcmd, sig if message else data)
        pr = peer[d] + (b"",) if a.peer == "opjs" else run(pcmd, sig if message else data)
        crashed = dr[0] == "timeout" or (isinstance(dr[0], int) and dr[0] < 0)
        same = (dr[0] == 0) == (pr[0] == 0)
        if same and dr[0] == 0 and a.peer == "sqop":
            if message:	# the same verifications, the same data
                same = (signers(open(d + "/dg.out", "rb").read()) ==
                        signers(open(d + "/peer.out", "rb").read()) and dr[1] == pr[1])
            else:
                same = signers(dr[1]) == signers(pr[1])
        good += dr[0] == 0 and pr[0] == 0
        if same and not crashed:
            continue
        found += 1
        cls = probable_class(case, a.peer, dr, pr)
        classes[cls] = classes.get(cls, 0) + 1
        out = os.path.join(a.out, "%04d" % found)
        os.makedirs(out, exist_ok=True)
        for f in (cert, sig, data):
            open(os.path.join(out, os.path.basename(f)), "wb").write(open(f, "rb").read())
        open(os.path.join(out, "case.json"), "w").write(json.dumps(
            {"seed": a.seed, "index": i, "now": now, "probable_class": cls, "drawn": case.log,
             "keys": [k.fpr.hex().upper() for k in keys]}, indent=1) + "\n")
        for who, r, cmd in (("digestguard", dr, dcmd), ("peer", pr, pcmd)):
            open(os.path.join(out, who + ".txt"), "wb").write(
                ("%s\nexit %s\n" % (" ".join(cmd), r[0])).encode() + r[1] + r[2])
        if cls is None or not a.hide_known:
            print("%s  case %d: digestguard exit %s, %s exit %s%s" % (
                out, i, dr[0], a.peer, pr[0], "" if cls is None else "  (probably %s)" % cls), flush=True)
    print("%d cases, %d verified by both, %d with different verdicts (seed %d)"
          % (a.count, good, found, a.seed))
    if classes:
        print("by probable known difference: " + ", ".join(
            "%s %d" % (c or "none (look at these)", n)
            for c, n in sorted(classes.items(), key=lambda x: (x[0] is not None, x[0] or ""))))
    return 0


if __name__ == "__main__":
    sys.exit(main())

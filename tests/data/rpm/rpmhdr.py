# RPM package surgery for the fixture generators (gen.sh, gen-names.sh):
# split a package into lead, signature header, main header and payload,
# read and lay out header entries, redo the signature header's digests.
# Layout rules as rpmbuild writes them (lib/header.c): data in index order,
# each item aligned to its type, the region trailer last.
import hashlib
import struct
import sys

MAGIC = b'\x8e\xad\xe8\x01\0\0\0\0'
SIZE = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1}   # bytes per item, fixed types
ALIGN = {3: 2, 4: 4, 5: 8}


class Package:
    """A package read from PATH; main header entries as [tag, type, off, count]."""

    def __init__(self, path):
        d = open(path, 'rb').read()
        self.path, self.d = path, d
        self.sil, self.sdl = struct.unpack('>II', d[104:112])
        self.send = 96 + 16 + 16 * self.sil + self.sdl
        self.moff = self.send + (8 - self.send % 8) % 8
        self.sig_ents = entries(d, 112, self.sil)
        self.sig_data = d[112 + 16 * self.sil:self.send]
        m = self.moff
        self.il, self.dl = struct.unpack('>II', d[m + 8:m + 16])
        self.ents = entries(d, m + 16, self.il)
        self.data = d[m + 16 + 16 * self.il:m + 16 + 16 * self.il + self.dl]
        self.payload = d[m + 16 + 16 * self.il + self.dl:]

    def write(self, dst, sig, hdr):
        """Lead, @sig (the signature header, padded to 8 by us), @hdr, payload."""
        sig = bytes(sig) + b'\0' * ((8 - len(sig) % 8) % 8)
        open(dst, 'wb').write(self.d[:96] + sig + hdr + self.payload)

    def sig_header(self):
        """The signature header as it is, padding included."""
        return self.d[96:self.moff]

    def reseal(self, hdr, who, in_place_check=False):
        """The signature header (as bytearray, no padding) with SHA1HEADER,
        SHA256HEADER, MD5, SIZE and LONGSIZE redone over main header @hdr;
        exits when the package is signed (a signature would no longer match)."""
        sig = bytearray(self.d[96:self.send])
        sdata = 16 + 16 * self.sil
        for t, ty, o, c in self.sig_ents:
            val = {269: hashlib.sha1(hdr).hexdigest().encode(),
                   273: hashlib.sha256(hdr).hexdigest().encode()}.get(t)
            if val is not None:
                if in_place_check:
                    assert sig[sdata + o + len(val)] == 0
                sig[sdata + o:sdata + o + len(val)] = val
            elif t == 1004:
                sig[sdata + o:sdata + o + 16] = hashlib.md5(hdr + self.payload).digest()
            elif t == 1000:
                sig[sdata + o:sdata + o + 4] = struct.pack('>I', len(hdr) + len(self.payload))
            elif t == 270:
                sig[sdata + o:sdata + o + 8] = struct.pack('>Q', len(hdr) + len(self.payload))
            elif t in (267, 268, 278, 1002, 1005):
                sys.exit('%s: %s is already signed' % (who, self.path))
        return sig


def entries(d, at, n):
    return [list(struct.unpack('>IIII', d[at + 16 * i:at + 16 + 16 * i])) for i in range(n)]


def value(data, e):
    """The bytes of entry @e: fixed-size items, or @count NUL-ended strings."""
    t, ty, o, c = e
    if ty in SIZE:
        return data[o:o + SIZE[ty] * c]
    p = o
    for _ in range(c):
        p = data.index(b'\0', p) + 1
    return data[o:p]


def layout(ents, vals):
    """Data for entries @ents[1:] with values @vals, each aligned to its type;
    sets each entry's offset, and the region entry's to the trailer's."""
    new = bytearray()
    for e, val in zip(ents[1:], vals):
        while len(new) % ALIGN.get(e[1], 1):
            new.append(0)
        e[2] = len(new)
        new += val
    ents[0][2] = len(new)
    return new


def header(ents, data):
    return MAGIC + struct.pack('>II', len(ents), len(data)) + \
        b''.join(struct.pack('>IIII', *e) for e in ents) + bytes(data)


def sig_header_with(pk, tag, change):
    """Package @pk's signature header laid out again, with the value of
    entry @tag replaced by change(value) (its count set to the new length:
    BIN); the region trailer as rpmbuild writes it."""
    ents = pk.sig_ents
    assert ents[0][0] == 62 and ents[0][2] == pk.sdl - 16, 'signature header region'
    vals = []
    for e in ents[1:]:
        val = value(pk.sig_data, e)
        if e[0] == tag:
            val = change(val)
            e[3] = len(val)
        vals.append(val)
    new = layout(ents, vals) + struct.pack('>IIiI', 62, 7, -16 * pk.sil, 16)
    return header(ents, new)

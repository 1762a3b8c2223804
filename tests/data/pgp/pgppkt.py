# OpenPGP packet framing (RFC 9580 §4.2) for the fixture generators
# (gen-gpg.sh, rpm/gen.sh), the tests that edit gpg's output (sopv_cli.sh)
# and tools/mutdiff.py: split bytes into packets, frame a new one, the
# armor checksum.  Trusted test input only: what gpg wrote, so a
# malformed packet is an error, not a case.


def packets(d):
    """[(tag, whole packet bytes, body)] of d: old and new format headers,
    definite lengths, and the old format's indeterminate length (the rest
    of d); a partial length is refused."""
    out, i = [], 0
    while i < len(d):
        b = d[i]
        if b & 0x40:
            tag, n, h = b & 0x3f, d[i + 1], 2
            if 192 <= n < 224:
                n, h = ((n - 192) << 8) + d[i + 2] + 192, 3
            elif n == 255:
                n, h = int.from_bytes(d[i + 2:i + 6], "big"), 6
            elif n >= 224:
                raise ValueError("partial body length at offset %d" % i)
        elif b & 3 == 3:
            tag, n, h = (b >> 2) & 15, len(d) - i - 1, 1
        else:
            tag, h = (b >> 2) & 15, (2, 3, 5)[b & 3]
            n = int.from_bytes(d[i + 1:i + h], "big")
        if not b & 0x80 or i + h + n > len(d):
            raise ValueError("no packet or a truncated one at offset %d" % i)
        out.append((tag, d[i:i + h + n], d[i + h:i + h + n]))
        i += h + n
    return out


def packet(tag, body):
    """A new-format packet of type tag, with a five-octet length."""
    return bytes([0xC0 | tag, 0xFF]) + len(body).to_bytes(4, "big") + body


def crc24(b):
    """The armor checksum of RFC 9580 §6.1."""
    crc = 0xB704CE
    for x in b:
        crc ^= x << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF

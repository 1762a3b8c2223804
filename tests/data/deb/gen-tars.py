#!/usr/bin/env python3
# Write the data.tar streams of the "tar" suite (tests/data/deb/gen.sh):
#   tests/data/deb/gen-tars.py OUTDIR
# OUTDIR/NAME.tar, one per case below: streams no archiver writes (GNU tar
# and dpkg-deb cannot be told to), each header built here byte by byte as
# POSIX ustar, GNU tar and pax define it, to ask `dpkg-deb -x` (GNU tar)
# what it extracts from them.  tests/integ/deb_tar_diff.sh compares that
# with `digestguard deb digests`.  Deterministic: fixed names, modes and
# mtime.
import os
import sys

MTIME = 1700000000


def header(name, typeflag='0', size=0, link='', mode=0o644, magic=b'ustar\x0000', prefix=b''):
    h = bytearray(512)
    nb = name.encode()
    h[0:len(nb)] = nb
    h[100:108] = b'%07o\x00' % mode
    h[108:116] = b'0000000\x00'
    h[116:124] = b'0000000\x00'
    h[124:136] = b'%011o\x00' % size
    h[136:148] = b'%011o\x00' % MTIME
    h[156] = ord(typeflag)
    lb = link.encode()
    h[157:157 + len(lb)] = lb
    h[257:265] = magic
    h[345:345 + len(prefix)] = prefix
    h[148:156] = b'        '
    h[148:156] = b'%06o\x00 ' % sum(h)
    return bytes(h)


def pad(b):
    return b + b'\0' * (-len(b) % 512)


def entry(name, data=b'', typeflag='0', **kw):
    return header(name, typeflag, len(data), **kw) + pad(data)


def pax(records, typeflag='x', name='./PaxHeaders/entry'):
    body = b''
    for k, v in records:
        r = b' ' + k.encode() + b'=' + v.encode() + b'\n'
        n = len(r) + 1
        while len(str(n)) + len(r) != n:
            n = len(str(n)) + len(r)
        body += str(n).encode() + r
    return header(name, typeflag, len(body)) + pad(body)


END = b'\0' * 1024
DIRS = entry('./', typeflag='5', mode=0o755) + entry('./usr/', typeflag='5', mode=0o755)
A = entry('./usr/a', b'aaa\n')
# A whole entry, header and one block of data, inside another entry's data.
INNER = entry('./usr/hidden', b'H' * 512)

cases = {
    # An entry tar extracts without data (a hard link, a symbolic link, a
    # directory, a FIFO; a regular file whose name ends in '/', which tar
    # makes a directory) but whose size field is not 0: tar reads the
    # next header right after it, so what the size covers is extracted.
    'hardlink-with-size': A + header('./usr/b', '1', len(INNER), link='./usr/a') + INNER,
    'symlink-with-size': header('./usr/s', '2', len(INNER), link='a') + INNER + A,
    'directory-with-size': header('./usr/d/', '5', len(INNER), mode=0o755) + INNER + A,
    'fifo-with-size': header('./usr/p', '6', len(INNER)) + INNER + A,
    'file-slash-with-size': header('./usr/f/', '0', len(INNER)) + INNER + A,
    'hardlink-with-data': A + header('./usr/b', '1', 4, link='./usr/a') + pad(b'bbb\n'),
    # A regular file entry whose name ends in '/': tar makes a directory.
    'file-named-with-slash': entry('./usr/d/') + entry('./usr/d/f', b'f\n'),
    'oldfile-named-with-slash': entry('./usr/d/', typeflag='\0'),
    'contiguous-named-with-slash': entry('./usr/d/', typeflag='7'),
    # A size field that disagrees with the data after it: shorter (the
    # rest of the data is read as a header), longer (the stream ends
    # inside the data).  dpkg-deb -x fails on both.
    'size-field-short': header('./usr/short', '0', 4) + pad(b'abcd' + b'x' * 600),
    'size-field-long': header('./usr/long', '0', 4096) + pad(b'abcd'),
    # What tar extracts and digestguard lists alike.
    'contiguous-file': entry('./usr/c', b'ccc\n', typeflag='7'),
    'absolute-name': entry('/usr/abs', b'abs\n'),
    'v7-header': entry('usr/v7', b'v7\n', magic=b'\0' * 8, prefix=b'ignored'),
    'pax-then-long-name': pax([('mtime', '1')]) +
        entry('././@LongLink', b'usr/longname\0', typeflag='L') + A,
    'long-name-then-pax-path': entry('././@LongLink', b'usr/longname\0', typeflag='L') +
        pax([('path', 'usr/paxname')]) + A,
    'file-then-directory': entry('./usr/x', b'x\n') + entry('./usr/x/', typeflag='5', mode=0o755),
    'hardlink-named-with-slash': A + header('./usr/h/', '1', 0, link='./usr/a'),
    # A hard link to "./usr/a/": tar cannot link to it (Not a directory).
    'hardlink-target-with-slash': A + header('./usr/h', '1', 0, link='./usr/a/'),
    # A tree that does not hold: an entry below a regular file, below a
    # symbolic link to an absolute or ".." target (tar leaves a placeholder
    # file for it until the end), a symbolic link over a directory that is
    # not empty.  dpkg-deb -x fails on each.
    'entry-below-a-file': entry('./usr/d', b'file\n') + entry('./usr/d/f', b'f\n'),
    'entry-below-an-absolute-symlink': entry('./usr/l', typeflag='2', link='/tmp') +
        entry('./usr/l/p', b'p\n'),
    'entry-below-a-dotdot-symlink': entry('./usr/l', typeflag='2', link='../tmp') +
        entry('./usr/l/p', b'p\n'),
    'symlink-over-a-full-directory': entry('./usr/d/', typeflag='5', mode=0o755) +
        entry('./usr/d/f', b'f\n') + entry('./usr/d', typeflag='2', link='x'),
    # What digestguard refuses though tar extracts it (docs/deb.md).
    'global-pax-path': pax([('path', 'usr/global')], 'g', './GlobalHead') + A,
    'pax-sparse-name': pax([('GNU.sparse.name', 'usr/renamed')]) + A,
    'gnu-sparse-type': entry('./usr/s', b'sss\n', typeflag='S'),
    'unknown-type': entry('./usr/z', b'zzz\n', typeflag='Z'),
    'two-pax-headers': pax([('path', 'usr/first')]) + pax([('mtime', '1')]) + A,
    'pax-global-pax-entry': pax([('path', 'usr/fromx')]) + pax([('comment', 'c')], 'g', './G') + A,
    'gnu-magic-with-prefix': entry('a', b'x\n', magic=b'ustar  \0', prefix=b'usr'),
    'name-with-newline': entry('./usr/n\nl', b'nl\n'),
    'hardlink-to-symlink': A + entry('./usr/s', typeflag='2', link='a') +
        header('./usr/h', '1', 0, link='./usr/s'),
    # A file written through a symbolic link to a directory: tar writes it
    # where the link points, dpkg records it under the name in the archive.
    'file-through-symlinked-directory': entry('./usr/real/', typeflag='5', mode=0o755) +
        entry('./usr/lnk', typeflag='2', link='real') + entry('./usr/lnk/f', b'f\n'),
}

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for name, body in cases.items():
    with open(os.path.join(out, name + '.tar'), 'wb') as f:
        f.write(DIRS + body + END)

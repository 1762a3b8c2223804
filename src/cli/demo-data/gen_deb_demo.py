#!/usr/bin/env python3
"""Make the Debian demo data of `digestguard demo` at build time.

Runs gpg, dpkg-deb, dpkg-scanpackages and apt-ftparchive in a temporary
directory with a fixed time (SOURCE_DATE_EPOCH): an Ed25519 archive key, a
small package "dg-demo", the Packages file listing it, the InRelease
signing that, and the package built again with one file changed (what an
attacker would substitute); writes them, and the content of the package's
files, as C arrays.  Without the tools it writes empty arrays and the demo
says so.
usage: gen_deb_demo.py OUTPUT.c
"""
import os
import subprocess
import sys
import tempfile

from demo_c import carray, cstr, run, signing_key, stop_gpg, write

EPOCH = '1700000000'
# Valid-Until far ahead of the build: the demo runs on the build's output.
VALID_UNTIL = 'Fri, 01 Jan 2100 00:00:00 UTC'
DATE = 'Tue, 14 Nov 2023 22:13:20 UTC'
FILES = [
    ('/usr/bin/dg-demo-deb', b'#!/bin/sh\necho "hello from a signed Debian package"\n'),
    ('/usr/share/doc/dg-demo-deb/README', b'dg-demo-deb: a package for digestguard demo.\n'),
]
CONTROL = '''Package: dg-demo-deb
Version: 1.0-1
Architecture: all
Maintainer: digestguard demo <deb@digestguard.invalid>
Description: digestguard demo package
 A package listed in a signed apt repository for digestguard demo.
'''


def build(work, env, name, files):
    root = os.path.join(work, 'root-' + name)
    os.makedirs(os.path.join(root, 'DEBIAN'))
    with open(os.path.join(root, 'DEBIAN', 'control'), 'w') as f:
        f.write(CONTROL)
    for path, data in files:
        dest = root + path
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, 'wb') as f:
            f.write(data)
        os.chmod(dest, 0o755 if '/bin/' in path else 0o644)
    out = os.path.join(work, name)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    run(['dpkg-deb', '--root-owner-group', '-Zxz', '--build', root, out], env)
    return out


def make():
    with tempfile.TemporaryDirectory(prefix='dg-demo-deb.') as work:
        try:
            env, g, fpr, key = signing_key(
                work, EPOCH, 'digestguard demo archive <deb@digestguard.invalid>')
            good = build(work, env, 'pool/main/d/dg-demo-deb/dg-demo-deb_1.0-1_all.deb', FILES)
            bad = build(work, env, 'evil/dg-demo-deb_1.0-1_all.deb',
                        [(FILES[0][0], b'#!/bin/sh\necho "owned"\n'), FILES[1]])
            dist = os.path.join(work, 'dists', 'demo', 'main', 'binary-amd64')
            os.makedirs(dist)
            packages = run(['dpkg-scanpackages', 'pool'], env, cwd=work)
            with open(os.path.join(dist, 'Packages'), 'wb') as f:
                f.write(packages)
            o = 'APT::FTPArchive::Release::'
            release = run(['apt-ftparchive', '-o', o + 'Codename=demo', '-o', o + 'Suite=demo',
                           '-o', o + 'Date=' + DATE, '-o', o + 'ValidTime=1',
                           '-o', o + 'Valid-Until=' + VALID_UNTIL, 'release', 'dists/demo'],
                          env, cwd=work)
            inrelease = run(g + ['-u', fpr + '!', '--clearsign', '-o', '-'], env,
                            stdin=release)
            good_bytes = open(good, 'rb').read()
            bad_bytes = open(bad, 'rb').read()
        finally:
            stop_gpg(work)
    if good_bytes == bad_bytes:
        raise OSError('the substituted package is the same as the listed one')
    return key, inrelease, packages, good_bytes, bad_bytes


def main():
    out = sys.argv[1]
    try:
        key, inrelease, packages, good, bad = make()
    except (OSError, IndexError, subprocess.CalledProcessError) as e:
        print(f'gen_deb_demo: cannot build the demo repository ({e}); '
              'the demo will skip its Debian steps', file=sys.stderr)
        key = inrelease = packages = good = bad = b''
    text = ('/* Generated at build time by src/cli/demo-data/gen_deb_demo.py with gpg, '
            'dpkg-deb, dpkg-scanpackages and apt-ftparchive; do not edit. */\n'
            '#include <stddef.h>\n' +
            carray('dg_demo_deb_key', key) + carray('dg_demo_deb_inrelease', inrelease) +
            carray('dg_demo_deb_packages', packages) + carray('dg_demo_deb_good', good) +
            carray('dg_demo_deb_bad', bad))
    for i, (path, data) in enumerate(FILES):
        text += carray(f'dg_demo_deb_file{i}', data)
        text += f'const char dg_demo_deb_path{i}[] = {cstr(path)};\n'
    write(out, text)


if __name__ == '__main__':
    main()

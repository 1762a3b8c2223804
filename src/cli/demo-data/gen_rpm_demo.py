#!/usr/bin/env python3
"""Make the RPM demo data of `digestguard demo` at build time.

Runs gpg, rpmbuild and rpmsign in temporary directories with a fixed time
(SOURCE_DATE_EPOCH): an Ed25519 signing key, a small signed package
"dg-demo", and a copy with one header byte changed; writes them, and the
content of the package's files, as C arrays.  Without the tools it writes
empty arrays and the demo says so.
usage: gen_rpm_demo.py OUTPUT.c
"""
import os
import subprocess
import sys
import tempfile

from demo_c import carray, cstr, run, signing_key, stop_gpg, write

EPOCH = '1700000000'
FILES = [
    ('/usr/bin/dg-demo-hello', b'#!/bin/sh\necho "hello from a signed package"\n'),
    ('/usr/share/doc/dg-demo/README', b'dg-demo: a package signed for digestguard demo.\n'),
]
SUMMARY = 'digestguard demo package'
SPEC = f'''Name: dg-demo
Version: 1.0
Release: 1
Summary: {SUMMARY}
License: MIT
BuildArch: noarch
%description
A package signed at build time for digestguard demo.
%install
mkdir -p %{{buildroot}}/usr/bin %{{buildroot}}/usr/share/doc/dg-demo
install -m 755 %{{_sourcedir}}/hello %{{buildroot}}/usr/bin/dg-demo-hello
install -m 644 %{{_sourcedir}}/README %{{buildroot}}/usr/share/doc/dg-demo/README
%files
/usr/bin/dg-demo-hello
/usr/share/doc/dg-demo/README
'''


def make():
    with tempfile.TemporaryDirectory(prefix='dg-demo-rpm.') as work:
        try:
            env, g, fpr, key = signing_key(
                work, EPOCH, 'digestguard demo packager <rpm@digestguard.invalid>')
            top = os.path.join(work, 'top')
            for d in ('SPECS', 'SOURCES'):
                os.makedirs(os.path.join(top, d))
            with open(os.path.join(top, 'SPECS', 'dg-demo.spec'), 'w') as f:
                f.write(SPEC)
            for (path, data), src in zip(FILES, ('hello', 'README')):
                with open(os.path.join(top, 'SOURCES', src), 'wb') as f:
                    f.write(data)
            run(['rpmbuild', '-bb', '--quiet', '--define', f'_topdir {top}',
                 '--define', 'use_source_date_epoch_as_buildtime 1',
                 '--define', 'clamp_mtime_to_source_date_epoch 1',
                 '--define', '_buildhost digestguard.invalid',
                 os.path.join(top, 'SPECS', 'dg-demo.spec')], env)
            rpm = os.path.join(top, 'RPMS', 'noarch', 'dg-demo-1.0-1.noarch.rpm')
            run(['rpmsign', '--addsign', '--define', f'_gpg_name {fpr}',
                 '--define', '__gpg /usr/bin/gpg',
                 '--define', '_gpg_sign_cmd_extra_args --pinentry-mode loopback --passphrase ""',
                 rpm], env)
            good = open(rpm, 'rb').read()
        finally:
            stop_gpg(work)
    at = good.find(SUMMARY.encode())
    if at < 0:
        raise OSError('summary not found in the built package')
    bad = bytearray(good)
    bad[at] ^= 0x20     # 'd' -> 'D': one byte of the signed header
    return key, good, bytes(bad)




def main():
    out = sys.argv[1]
    try:
        key, good, bad = make()
    except (OSError, IndexError, subprocess.CalledProcessError) as e:
        print(f'gen_rpm_demo: cannot build the demo package ({e}); '
              'the demo will skip its RPM steps', file=sys.stderr)
        key, good, bad = b'', b'', b''
    text = ('/* Generated at build time by src/cli/demo-data/gen_rpm_demo.py with '
            'gpg, rpmbuild and rpmsign; do not edit. */\n#include <stddef.h>\n' +
            carray('dg_demo_rpm_key', key) + carray('dg_demo_rpm_good', good) +
            carray('dg_demo_rpm_bad', bad))
    for i, (path, data) in enumerate(FILES):
        text += carray(f'dg_demo_rpm_file{i}', data)
        text += f'const char dg_demo_rpm_path{i}[] = {cstr(path)};\n'
    write(out, text)


if __name__ == '__main__':
    main()

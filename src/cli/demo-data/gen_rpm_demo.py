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


def run(cmd, env, stdin=None):
    return subprocess.run(cmd, input=stdin, check=True, capture_output=True,
                          env=env).stdout


def make():
    with tempfile.TemporaryDirectory(prefix='dg-demo-rpm.') as work:
        env = dict(os.environ, GNUPGHOME=os.path.join(work, 'gnupg'),
                   SOURCE_DATE_EPOCH=EPOCH, LC_ALL='C', TZ='UTC')
        os.mkdir(env['GNUPGHOME'], 0o700)
        g = ['gpg', '--batch', '--quiet', '--no-tty', '--pinentry-mode', 'loopback',
             '--passphrase', '', '--faked-system-time', EPOCH + '!']
        try:
            run(g + ['--quick-gen-key', 'digestguard demo packager <rpm@digestguard.invalid>',
                     'ed25519', 'sign', 'never'], env)
            cols = run(g + ['--with-colons', '--list-keys'], env).decode()
            fpr = [l.split(':')[9] for l in cols.splitlines() if l.startswith('fpr:')][0]
            key = run(g + ['--armor', '--export', fpr], env)
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
            subprocess.run(['gpgconf', '--kill', 'all'], capture_output=True,
                           env=dict(os.environ, GNUPGHOME=os.path.join(work, 'gnupg')))
    at = good.find(SUMMARY.encode())
    if at < 0:
        raise OSError('summary not found in the built package')
    bad = bytearray(good)
    bad[at] ^= 0x20     # 'd' -> 'D': one byte of the signed header
    return key, good, bytes(bad)


def carray(name, data):
    body = ','.join('0x%02x' % b for b in data)
    return (f'const unsigned char {name}[] = {{ {body}{"," if data else ""} 0 }};\n'
            f'const size_t {name}_len = {len(data)};\n')


def cstr(s):
    return '"' + ''.join(c if c.isalnum() or c in '/-_. ' else '\\x%02x' % ord(c)
                         for c in s) + '"'


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
    tmp = out + '.tmp'
    with open(tmp, 'w') as f:
        f.write(text)
    os.replace(tmp, out)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Make the OpenPGP demo data of `digestguard demo` at build time.

Runs gpg in a temporary GNUPGHOME with a fixed (faked) time: an Ed25519
certificate, a short text, and its detached signature; writes them as C
arrays.  Without gpg it writes empty arrays and the demo says so.
usage: gen_pgp_demo.py OUTPUT.c
"""
import os
import subprocess
import sys
import tempfile

from demo_c import carray, write

TIME = '1700000000'
TEXT = (b'digestguard demo: this text is signed with OpenPGP.\n'
        b'The sandboxed handler parses the signature; the core verifies it.\n')


def gpg(home, *args, stdin=None):
    cmd = ['gpg', '--homedir', home, '--batch', '--quiet', '--no-tty',
           '--faked-system-time', TIME + '!'] + list(args)
    return subprocess.run(cmd, input=stdin, check=True, capture_output=True).stdout


def make():
    with tempfile.TemporaryDirectory(prefix='dg-demo-gpg.') as home:
        try:
            params = (b'%no-protection\nKey-Type: eddsa\nKey-Curve: ed25519\n'
                      b'Key-Usage: sign,cert\nName-Real: digestguard demo\n'
                      b'Name-Email: demo@digestguard.invalid\nExpire-Date: 0\n')
            gpg(home, '--gen-key', stdin=params)
            cert = gpg(home, '--export', 'demo@digestguard.invalid')
            data = os.path.join(home, 'data')
            with open(data, 'wb') as f:
                f.write(TEXT)
            sig = gpg(home, '--armor', '--detach-sign', '-o', '-', data)
            return cert, sig
        finally:
            subprocess.run(['gpgconf', '--homedir', home, '--kill', 'gpg-agent'],
                           capture_output=True)



def main():
    out = sys.argv[1]
    try:
        cert, sig = make()
    except (OSError, subprocess.CalledProcessError) as e:
        print(f'gen_pgp_demo: gpg unavailable ({e}); demo step will be skipped',
              file=sys.stderr)
        cert, sig = b'', b''
    text = ('/* Generated at build time by src/cli/demo-data/gen_pgp_demo.py '
            'with gpg; do not edit. */\n#include <stddef.h>\n' +
            carray('dg_demo_pgp_cert', cert) + carray('dg_demo_pgp_sig', sig) +
            carray('dg_demo_pgp_text', TEXT if cert else b''))
    write(out, text)


if __name__ == '__main__':
    main()

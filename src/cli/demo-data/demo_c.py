"""What the demo data generators (gen_*_demo.py) share: a signing key made
with gpg at a fixed time, and their C output (byte arrays, string
literals, a file written through a temporary name)."""
import os
import subprocess


def run(cmd, env, cwd=None, stdin=None):
    return subprocess.run(cmd, input=stdin, check=True, capture_output=True, env=env,
                          cwd=cwd).stdout


def signing_key(work, epoch, uid):
    """A fresh Ed25519 signing key in WORK/gnupg, made at EPOCH: the
    environment for the tools, gpg's argument list, the key's fingerprint
    and its armored certificate.  Stop its agent with stop_gpg(WORK)."""
    env = dict(os.environ, GNUPGHOME=os.path.join(work, 'gnupg'),
               SOURCE_DATE_EPOCH=epoch, LC_ALL='C', TZ='UTC')
    os.mkdir(env['GNUPGHOME'], 0o700)
    g = ['gpg', '--batch', '--quiet', '--no-tty', '--pinentry-mode', 'loopback',
         '--passphrase', '', '--faked-system-time', epoch + '!']
    run(g + ['--quick-gen-key', uid, 'ed25519', 'sign', 'never'], env)
    cols = run(g + ['--with-colons', '--list-keys'], env).decode()
    fpr = [l.split(':')[9] for l in cols.splitlines() if l.startswith('fpr:')][0]
    return env, g, fpr, run(g + ['--armor', '--export', fpr], env)


def stop_gpg(work):
    subprocess.run(['gpgconf', '--kill', 'all'], capture_output=True,
                   env=dict(os.environ, GNUPGHOME=os.path.join(work, 'gnupg')))


def carray(name, data):
    body = ','.join('0x%02x' % b for b in data)
    return (f'const unsigned char {name}[] = {{ {body}{"," if data else ""} 0 }};\n'
            f'const size_t {name}_len = {len(data)};\n')


def cstr(s):
    return '"' + ''.join(c if c.isalnum() or c in '/-_. ' else '\\x%02x' % ord(c)
                         for c in s) + '"'


def write(out, text):
    tmp = out + '.tmp'
    with open(tmp, 'w') as f:
        f.write(text)
    os.replace(tmp, out)

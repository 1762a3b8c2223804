#!/usr/bin/env python3
"""Make the signed-BPF demo data of `digestguard demo` at build time.

Compiles a small BPF object (a socket filter counting packets in a map)
with clang, and makes an RSA-2048 signing key and its X.509 certificate
with openssl; writes the three files as C arrays.  Without clang or
openssl it writes empty arrays and the demo says so.
usage: gen_bpf_demo.py OUTPUT.c
"""
import os
import subprocess
import sys
import tempfile

from demo_c import carray, write

SOURCE = r'''
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} packets SEC(".maps");

SEC("socket")
int count_packets(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&packets, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

char _license[] SEC("license") = "GPL";
'''


def make():
    with tempfile.TemporaryDirectory(prefix='dg-demo-bpf.') as work:
        src, obj = os.path.join(work, 'demo.bpf.c'), os.path.join(work, 'demo.bpf.o')
        key, crt = os.path.join(work, 'signer.key'), os.path.join(work, 'signer.crt')
        with open(src, 'w') as f:
            f.write(SOURCE)
        try:
            arch = subprocess.run(['gcc', '-print-multiarch'], check=True,
                                  capture_output=True, text=True).stdout.strip()
            subprocess.run(['clang', '-O2', '-g', '-target', 'bpf', '-I/usr/include/' + arch,
                            '-c', src, '-o', obj], check=True, capture_output=True)
            subprocess.run(['openssl', 'req', '-x509', '-new', '-nodes', '-days', '36500',
                            '-set_serial', '1', '-subj', '/CN=digestguard demo BPF signer',
                            '-newkey', 'rsa:2048', '-addext', 'subjectKeyIdentifier=hash',
                            '-keyout', key, '-out', crt], check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError) as e:
            print('gen_bpf_demo.py: no demo data: %s' % e, file=sys.stderr)
            return {}
        return {n: open(p, 'rb').read() for n, p in
                (('obj', obj), ('key', key), ('cert', crt))}


def main():
    d = make()
    text = '#include <stddef.h>\n'
    for name in ('obj', 'key', 'cert'):
        text += carray('dg_demo_bpf_' + name, d.get(name, b''))
    write(sys.argv[1], text)


if __name__ == '__main__':
    main()

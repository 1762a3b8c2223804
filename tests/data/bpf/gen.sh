#!/usr/bin/env bash
# Fixtures for the signed-BPF tests (tests/integ/bpf.sh):
#   tests/data/bpf/gen.sh OUTDIR
# BPF objects compiled by clang from the *.bpf.c here, and signing keys with
# X.509 certificates made by openssl:
#   rsa      RSA-2048, the signer of the tests
#   other    RSA-3072, another signer
#   ec       ECDSA P-256
#   weak     RSA-1024 (below digestguard's minimum)
#   weakec   ECDSA secp112r1 (a curve neither digestguard nor the kernel takes)
#   noski    RSA-2048 whose certificate has no subject key identifier
# Each as NAME.key (PEM private key) and NAME.crt (PEM certificate).
set -euo pipefail
out=$1
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1767225600}

arch_inc=/usr/include/$(gcc -print-multiarch)
for src in "$here"/*.bpf.c; do
	name=$(basename "$src" .c)
	clang -O2 -g -target bpf -I"$arch_inc" -c "$src" -o "$out/$name.o"
done

cert() {	# NAME KEYGEN-ARGS... (the last openssl req options after --)
	local name=$1; shift
	openssl req -x509 -new -nodes -days 3650 -set_serial 1 -subj "/CN=digestguard test $name" \
		-keyout "$out/$name.key" -out "$out/$name.crt" "$@" 2>/dev/null
}
cert rsa -newkey rsa:2048 -addext subjectKeyIdentifier=hash
cert other -newkey rsa:3072 -addext subjectKeyIdentifier=hash
cert ec -newkey ec -pkeyopt ec_paramgen_curve:P-256 -addext subjectKeyIdentifier=hash
cert weak -newkey rsa:1024 -addext subjectKeyIdentifier=hash
cert weakec -newkey ec -pkeyopt ec_paramgen_curve:secp112r1 -addext subjectKeyIdentifier=hash
cert noski -newkey rsa:2048 -addext subjectKeyIdentifier=none
# The DER form of the signer's certificate (bpf verify takes both).
openssl x509 -in "$out/rsa.crt" -outform DER -out "$out/rsa.der"
echo "bpf fixtures in $out"

#!/usr/bin/env bash
# Generate signed BPF objects (src/handlers/bpf/bpf_proto.h) with openssl's
# own CMS signer, for tests/unit/test_bpf_parse.c and the bpf_signed fuzz
# seeds:
#   tests/data/bpf/gen-cms.sh OUTDIR
# Each OUTDIR/NAME.bin is the 40-byte header, 33 instructions (264 bytes),
# 24 bytes of metadata and a detached DER CMS signature over the
# instructions; OUTDIR/NAME.p7s is that signature alone.
#   rsa-keyid    RSA-2048, SHA-256, signer named by subjectKeyIdentifier,
#                no signed attributes, no certificates (what `bpf sign` makes)
#   rsa-issuer   the same, named by issuer and serial number
#   rsa-attrs    with signed attributes
#   rsa-certs    with the signer's certificate
#   rsa-sha384, rsa-sha512   other digests
#   ec-p256      ECDSA P-256, SHA-256
#   attached     the instructions inside the CMS too (-nodetach): rejected
#   sha1         SHA-1 digest: rejected
#   truncated    rsa-keyid without its last byte
#   trailing     rsa-keyid and one byte more
#   bad-magic, bad-version, insns-not-8   broken headers
# OUTDIR/rsa.ski and OUTDIR/ec.ski: the certificates' subjectKeyIdentifier
# in hexadecimal, as `openssl x509 -ext subjectKeyIdentifier` prints it
# (without colons).  Keys are fresh each run (openssl cannot seed them);
# dates, serials and names are fixed.  Exit 77 (skip) without openssl.
set -euo pipefail
out=${1:?usage: gen-cms.sh OUTDIR}
command -v openssl >/dev/null || { echo "gen-cms.sh: openssl not installed" >&2; exit 77; }
export SOURCE_DATE_EPOCH=1700000000 LC_ALL=C TZ=UTC
umask 022
mkdir -p "$out"
work=$(mktemp -d /tmp/dg-bpf-gen.XXXXXX)
trap 'rm -rf "$work"' EXIT
set -E	# the ERR trap in functions too
trap 'echo "gen-cms.sh: line $LINENO failed" >&2' ERR

NR_MAPS=2 NR_PROGS=1
INSNS=264 DATA=24

cert() {	# NAME SERIAL KEYALG-ARGS...
	local name=$1 serial=$2
	shift 2
	openssl req -x509 -new -nodes "$@" -keyout "$work/$name.key" -out "$work/$name.pem" \
		-days 3650 -set_serial "$serial" -subj "/CN=digestguard bpf test $name" \
		-addext subjectKeyIdentifier=hash 2>"$work/req.log" ||
		{ cat "$work/req.log" >&2; return 1; }
	openssl x509 -in "$work/$name.pem" -noout -ext subjectKeyIdentifier |
		sed -n '2s/[ :]//gp' >"$out/$name.ski"
}
cert rsa 4096 -newkey rsa:2048
cert ec 4097 -newkey ec -pkeyopt ec_paramgen_curve:P-256

# 33 instructions, each "mov r0, 0" (b7 00 ...): only their bytes matter.
insn=$(printf '\\267\\000\\000\\000\\000\\000\\000\\000')
: >"$work/insns.bin"
for _ in $(seq $((INSNS / 8))); do printf "$insn" >>"$work/insns.bin"; done
printf 'digestguard bpf metadata' >"$work/data.bin"	# 24 bytes
[ "$(stat -c %s "$work/insns.bin")" = $INSNS ] && [ "$(stat -c %s "$work/data.bin")" = $DATA ]

le32() {	# VALUE: four little-endian bytes
	local v=$1 i
	for i in 0 8 16 24; do printf "\\$(printf %03o $(((v >> i) & 255)))"; done
}

# header MAGIC VERSION FLAGS INSNS_LEN SIG_LEN
header() {
	printf '%s' "$1"
	le32 "$2"; le32 "$3"; le32 $NR_MAPS; le32 $NR_PROGS
	le32 "$4"; le32 $DATA; le32 "$5"; le32 0
}

sign() {	# NAME KEY [openssl cms options...]
	local name=$1 key=$2
	shift 2
	openssl cms -sign -binary -outform DER -signer "$work/$key.pem" -inkey "$work/$key.key" \
		-in "$work/insns.bin" -out "$out/$name.p7s" "$@"
	{
		header DGBPFSIG 1 0 $INSNS "$(stat -c %s "$out/$name.p7s")"
		cat "$work/insns.bin" "$work/data.bin" "$out/$name.p7s"
	} >"$out/$name.bin"
}

sign rsa-keyid rsa -noattr -nocerts -keyid -md sha256
sign rsa-issuer rsa -noattr -nocerts -md sha256
sign rsa-attrs rsa -nocerts -keyid -md sha256
sign rsa-certs rsa -noattr -keyid -md sha256
sign rsa-sha384 rsa -noattr -nocerts -keyid -md sha384
sign rsa-sha512 rsa -noattr -nocerts -keyid -md sha512
sign ec-p256 ec -noattr -nocerts -keyid -md sha256
sign attached rsa -noattr -nocerts -keyid -md sha256 -nodetach
sign sha1 rsa -noattr -nocerts -keyid -md sha1

good=$out/rsa-keyid.bin
size=$(stat -c %s "$good")
sig_len=$(stat -c %s "$out/rsa-keyid.p7s")
head -c $((size - 1)) "$good" >"$out/truncated.bin"
{ cat "$good"; printf '\000'; } >"$out/trailing.bin"
body() { tail -c +41 "$good"; }
{ header DGBPFSIX 1 0 $INSNS "$sig_len"; body; } >"$out/bad-magic.bin"
{ header DGBPFSIG 2 0 $INSNS "$sig_len"; body; } >"$out/bad-version.bin"
# 260 bytes of instructions and the signature 4 bytes longer: the lengths
# still add up, only the multiple of 8 is wrong.
{ header DGBPFSIG 1 0 $((INSNS - 4)) $((sig_len + 4)); body; } >"$out/insns-not-8.bin"

#!/usr/bin/env bash
# Seeds of the core_bpf_recheck fuzz target (fuzz/core_bpf_recheck_fuzz.c):
# real signed objects: the bpf_gen seeds (clang objects, built by
# fuzz/seed-bpf_gen.sh so that their bytes do not depend on where the
# checkout is) signed by `digestguard bpf sign` with the RSA-2048 key of the
# bpf tests (tests/data/bpf/gen.sh, openssl), each twice:
#   seed-NAME-honest       mode 0x01 || object: the honest parser's answer,
#                          which the re-check must accept
#   seed-NAME-zero-answer  mode 0x06 || 72 zero bytes || object: an answer
#                          of zeros from a lying handler
#   seed-NAME-first-insn   mode 0x01 || object whose loader's first
#                          instruction (mov r0, counts: 0xb7) is made 0xb6:
#                          refused as a loader without the hash check
# The key is new on every run, so the signature bytes differ between runs.
#   fuzz/seed-core_bpf_recheck.sh [OUTDIR]   (default: fuzz/corpus/core_bpf_recheck)
# DG names the digestguard binary (default: build/src/cli/digestguard).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/corpus/core_bpf_recheck}
dg=${DG:-$here/../build/src/cli/digestguard}
for t in clang openssl; do
	command -v $t >/dev/null || { echo "$t not installed" >&2; exit 77; }
done
[ -x "$dg" ] || { echo "$dg: not built (make, or set DG)" >&2; exit 77; }
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$here/../tests/data/bpf/gen.sh" "$tmp" >/dev/null
ans_len=72	# BPF_SIG_ANS_LEN, src/handlers/bpf/bpf_proto.h
for name in counter multi; do
	"$dg" bpf sign --key "$tmp/rsa.key" --cert "$tmp/rsa.crt" \
		"$here/corpus/bpf_gen/seed-$name.bpf-elf" -o "$tmp/$name.signed"
	"$dg" bpf verify --cert "$tmp/rsa.crt" "$tmp/$name.signed" >/dev/null
	{ printf '\001'; cat "$tmp/$name.signed"; } >"$out/seed-$name-honest"
	{ printf '\006'; head -c $ans_len /dev/zero; cat "$tmp/$name.signed"; } >"$out/seed-$name-zero-answer"
	{ printf '\001'; head -c 40 "$tmp/$name.signed"; printf '\266'
	  tail -c +42 "$tmp/$name.signed"; } >"$out/seed-$name-first-insn"
done
ls "$out"

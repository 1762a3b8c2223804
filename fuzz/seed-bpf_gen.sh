#!/usr/bin/env bash
# The seeds of the bpf_gen fuzz target, fuzz/corpus/bpf_gen/seed-NAME.bpf-elf:
# the objects tests/data/bpf/gen.sh makes (clang -O2 -g -target bpf from
# tests/data/bpf/NAME.bpf.c, the same flags), built so that the bytes do
# not depend on where the checkout is: compiled in tests/data/bpf under the
# relative name, with the directory mapped in the debug info (DWARF and
# BTF) to /work/main/tests/data/bpf, the directory the checked-in seeds were
# first built in.  With Debian's clang 14.0.6 the result is byte-identical
# to the checked-in seeds; another clang gives other bytes (--check says so).
#   fuzz/seed-bpf_gen.sh [OUTDIR]   write seeds (default: fuzz/corpus/bpf_gen)
#   fuzz/seed-bpf_gen.sh --check    rebuild into a temporary directory and
#                                   compare with the checked-in seeds
# (Not *.o: .gitignore keeps those out of the tree.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../tests/data/bpf" && pwd)
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
command -v clang >/dev/null || { echo "clang not installed" >&2; exit 77; }
if [ $check = 1 ]; then
	out=$(mktemp -d)
	trap 'rm -rf "$out"' EXIT
else
	out=${1:-$here/corpus/bpf_gen}
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
fi

arch_inc=/usr/include/$(gcc -print-multiarch)
cd "$src"
for c in *.bpf.c; do
	name=${c%.c}
	clang -O2 -g -target bpf -I"$arch_inc" -fdebug-prefix-map="$src=/work/main/tests/data/bpf" \
		-c "$c" -o "$out/seed-$name-elf"
done
if [ $check = 1 ]; then
	rc=0
	for f in "$out"/seed-*; do
		if cmp -s "$f" "$here/corpus/bpf_gen/${f##*/}"; then
			echo "same: ${f##*/}"
		else
			echo "differs: ${f##*/} ($(clang --version | head -n 1))"
			rc=1
		fi
	done
	exit $rc
fi
ls "$out"

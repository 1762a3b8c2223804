#!/usr/bin/env bash
# Seeds for the elf_role fuzz target (fuzz/elf_role_fuzz.c), from real ELF
# files of this system and of its toolchain:
#   fuzz/seed-elf_role.sh [OUTDIR]      (default: fuzz/corpus/elf_role)
# dg_enf_elf_is_loader() reads the ELF header and the program header table
# only, so each seed is its file cut after the table: a few hundred bytes
# instead of the binary, the same answer.  Truncated copies (mid-header,
# mid-table) come from ld.so.  A file that is missing here is left out.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/corpus/elf_role}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# cut SRC NAME [BYTES]: the first BYTES of SRC (default: up to the end of
# its program header table) as seed-NAME.
cut_elf() {
	local src=$1 name=$2 n=${3:-}
	[ -r "$src" ] || { echo "skip $name: no $src" >&2; return 0; }
	if [ -z "$n" ]; then
		n=$(python3 - "$src" <<'EOF'
import struct, sys
h = open(sys.argv[1], 'rb').read(64)
if h[4] == 2:	# ELFCLASS64: e_phoff at 32, e_phentsize/e_phnum at 54
    phoff, = struct.unpack_from('<Q', h, 32); ent, num = struct.unpack_from('<HH', h, 54)
else:		# ELFCLASS32: e_phoff at 28, e_phentsize/e_phnum at 42
    phoff, = struct.unpack_from('<I', h, 28); ent, num = struct.unpack_from('<HH', h, 42)
print(max(phoff + ent * num, 64 if h[4] == 2 else 52))
EOF
)
	fi
	head -c "$n" "$src" >"$out/seed-$name"
}

ldso=/lib64/ld-linux-x86-64.so.2
cut_elf "$ldso" ld-linux-x86-64.so.2			# ET_DYN, no PT_INTERP: loader
cut_elf /bin/true true					# PIE with PT_INTERP
cut_elf /lib/ld-musl-x86_64.so.1 ld-musl-x86_64.so.1	# musl's loader (libc and ld.so in one)
cut_elf "$(readlink -f /lib/x86_64-linux-gnu/libz.so.1 2>/dev/null || echo /nonexistent)" libz.so.1
cut_elf "$ldso" ld-linux-cut-ident 12			# shorter than e_ident
cut_elf "$ldso" ld-linux-cut-header 60			# 64-bit header cut before e_phnum
cut_elf "$ldso" ld-linux-cut-table 300			# table cut mid-entry

# Static programs (ET_EXEC; static-pie is ET_DYN without PT_INTERP), and
# 32-bit ELF linked by ld -m elf_i386, which needs no 32-bit libc.
printf 'int main(void) { return 0; }\n' >"$tmp/main.c"
printf 'int f(void) { return 1; }\nvoid _start(void) { for (;;); }\n' >"$tmp/free.c"
if command -v gcc >/dev/null; then
	gcc -O2 -static -o "$tmp/static" "$tmp/main.c" 2>/dev/null && cut_elf "$tmp/static" static
	gcc -O2 -static-pie -o "$tmp/static-pie" "$tmp/main.c" 2>/dev/null &&
		cut_elf "$tmp/static-pie" static-pie
	if gcc -m32 -fPIC -ffreestanding -c "$tmp/free.c" -o "$tmp/free32.o" 2>/dev/null; then
		ld -m elf_i386 -shared -o "$tmp/i386.so" "$tmp/free32.o" && cut_elf "$tmp/i386.so" i386.so
		ld -m elf_i386 -pie --dynamic-linker /lib/ld-linux.so.2 -o "$tmp/i386-pie" \
			"$tmp/free32.o" && cut_elf "$tmp/i386-pie" i386-pie
	fi
fi
command -v musl-gcc >/dev/null && musl-gcc -O2 -static -o "$tmp/musl-static" "$tmp/main.c" &&
	cut_elf "$tmp/musl-static" musl-static
# Not ELF at all: a script's first line.
head -c 64 "$here/run.sh" >"$out/seed-script"
ls "$out"

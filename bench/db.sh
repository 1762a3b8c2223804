#!/usr/bin/env bash
# Digest database benchmark: builds bench/db_bench.c against the build's
# libdg_db, makes a 1 M-entry database (synthetic SHA-256 digests through the
# builder API) in a temporary state directory and prints bytes/entry,
# lookups/s (one thread, random order, half present / half absent) and
# open + first lookup time, each against its DESIGN.md §6 target.
#   bench/db.sh [BUILD_DIR] [ENTRIES]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
entries=${2:-1000000}
lib="$build/src/db/libdg_db.a"
[ -f "$lib" ] || { echo "bench/db.sh: build first (no $lib): make build" >&2; exit 2; }
tmp=$(mktemp -d /tmp/dg-bench-db.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
${CC:-cc} -O2 -std=gnu11 -D_GNU_SOURCE -Iinclude -Isrc/shared bench/db_bench.c \
	"$lib" "$build/src/shared/libdg_shared.a" -o "$tmp/db_bench"
# Real package names and paths (digests synthetic) from dpkg's file lists.
list=
if ls /var/lib/dpkg/info/*.md5sums >/dev/null 2>&1; then
	awk '{ p = FILENAME; sub(/.*\//, "", p); sub(/\.md5sums$/, "", p); sub(/^[0-9a-f]+  /, "");
	       print p "\t/" $0 }' /var/lib/dpkg/info/*.md5sums >"$tmp/dpkg.list"
	list="$tmp/dpkg.list"
fi
cpu=${BENCH_CPU:-0}
echo "digestguard db bench (pinned to CPU $cpu), $(date -u +%FT%TZ), $(nproc) CPUs"
taskset -c "$cpu" "$tmp/db_bench" "$tmp" "$entries" $list

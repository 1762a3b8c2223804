#!/usr/bin/env bash
# Debian benchmark on this machine's apt lists and package cache, measured
# in one run against the real tools (no target is set for it):
#  1. file digests of N cached .debs: one `digestguard deb digests` call
#     (the chain checked once: the InRelease's signature, bookworm's 48 MiB
#     Packages hashed; then each .deb hashed, its data.tar read by the
#     handler, each file hashed by the core) vs `dpkg-deb -x` + `sha256sum`
#     of every extracted regular file (no chain at all); ratio
#     digestguard/peer, lower is better (docs/deb.md has figures);
#  2. `digestguard db import --apt-lists /var/lib/apt/lists --debs DIR`
#     of the same .debs: digests per second end to end.
#   bench/deb.sh [BUILD_DIR] [N]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
n=${2:-40}
dg=$PWD/$build/src/cli/digestguard
lists=/var/lib/apt/lists
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -x "$dg" ] || { echo "bench/deb.sh: build first (no $dg)" >&2; exit 2; }
for t in dpkg-deb sha256sum; do
	command -v $t >/dev/null || { echo "bench/deb.sh: $t not installed" >&2; exit 2; }
done
inr=$(ls "$lists"/*_dists_bookworm_InRelease 2>/dev/null | head -n 1)
pk=$(ls "${inr%_InRelease}"_main_binary-amd64_Packages* 2>/dev/null | head -n 1)
[ -n "$inr" ] && [ -n "$pk" ] && [ -f "$keyring" ] ||
	{ echo "bench/deb.sh: needs bookworm's InRelease and Packages in $lists (apt-get update)" >&2; exit 2; }
work=$(mktemp -d /tmp/dg-deb-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
# N cached .debs that bookworm main lists, 100 KB to 5 MB each.
mkdir -p "$work/debs"
# (exit 1: some cached .debs are older versions bookworm no longer lists)
"$dg" deb verify --keyring "$keyring" --inrelease "$inr" --packages "$pk" \
	$(find /var/cache/apt/archives -maxdepth 1 -name '*.deb' -size +100k -size -5M | sort) \
	>"$work/verify.out" 2>/dev/null || true
sed -n 's/: OK (.*//p' "$work/verify.out" | awk -v n="$n" 'NR <= n' |
	while read -r d; do cp "$d" "$work/debs/"; done
count=$(ls "$work/debs" | wc -l)
[ "$count" -gt 0 ] || { echo "bench/deb.sh: no listed .deb in /var/cache/apt/archives" >&2; exit 2; }
now() { date +%s.%N; }

echo "deb digests of $count cached .debs ($(du -sh "$work/debs" | cut -f1)), bookworm chain:"
t0=$(now)
"$dg" deb digests --keyring "$keyring" --inrelease "$inr" --packages "$pk" "$work"/debs/*.deb \
	>"$work/dg.out"
t1=$(now)
for d in "$work"/debs/*.deb; do
	rm -rf "$work/x"; mkdir "$work/x"
	dpkg-deb -x "$d" "$work/x"
	(cd "$work/x" && find . -type f -print0 | xargs -0 -r sha256sum)
done >"$work/peer.out"
t2=$(now)
dgt=$(echo "$t1 - $t0" | bc -l) peer=$(echo "$t2 - $t1" | bc -l)
printf '  digestguard %.2f s (%d files), dpkg-deb -x + sha256sum %.2f s (%d files): ratio %.2f\n' \
	"$dgt" "$(wc -l <"$work/dg.out")" "$peer" "$(wc -l <"$work/peer.out")" "$(echo "$dgt / $peer" | bc -l)"
# (the peer's count includes hard links, which deb digests does not list)

echo "db import --apt-lists $lists --debs of the same $count .debs:"
t0=$(now)
"$dg" db import --state "$work/state" --keyring "$keyring" --apt-lists "$lists" \
	--debs "$work/debs" >"$work/import.out" 2>"$work/import.err"
t1=$(now)
files=$(sed -n 's/.*: \([0-9]*\) digests from .*/\1/p' "$work/import.out")
secs=$(echo "$t1 - $t0" | bc -l)
printf '  %d digests in %.2f s (the 3 InRelease and Packages files included): %.0f digests/s\n' \
	"$files" "$secs" "$(echo "$files / $secs" | bc -l)"

#!/usr/bin/env bash
# libumd benchmark: 64-byte round trip and 16 MiB request throughput against a
# raw socketpair between two plain processes (measured by the same program,
# in the same run), and cold start against bubblewrap.
#
# Pinned to one CPU: on a small VM, cross-CPU wake-ups make a round trip vary
# 3x from run to run, which would drown the difference being measured.
set -euo pipefail
cd "$(dirname "$0")/.."
DG=${DG:-build/src/cli/digestguard}
[ -x "$DG" ] || { echo "build first: make build" >&2; exit 2; }
command -v bwrap >/dev/null || { echo "bench/umd.sh: needs bwrap (apt-get install bubblewrap)" >&2; exit 2; }
cpu=${BENCH_CPU:-0}
echo "digestguard umd bench (pinned to CPU $cpu), $(date -u +%FT%TZ)"
exec taskset -c "$cpu" "$DG" umd bench "$@"

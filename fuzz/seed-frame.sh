#!/usr/bin/env bash
# Seeds of the frame fuzz target (fuzz/frame_fuzz.c), written by the frame
# encoder of the manager and the handlers (fuzz/seed_frame.c, built here
# against src/shared/frame.c), each checked against the decoder's verdict:
# frames that parse (a user request, an empty payload, the manager's hello,
# a handler's error answer) and frames that must not (bad magic, bad
# version, a length over the maximum, trailing bytes, a truncated payload,
# a short header). The output does not depend on the machine.
#   fuzz/seed-frame.sh [OUTDIR]    (default: fuzz/corpus/frame)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/corpus/frame}
cc=${CC:-cc}
command -v "$cc" >/dev/null || { echo "$cc not installed" >&2; exit 77; }
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$cc" -O1 -Wall -Wextra -Werror -I"$here/../src/shared" -o "$tmp/seed_frame" \
	"$here/seed_frame.c" "$here/../src/shared/frame.c"
"$tmp/seed_frame" "$out"
ls "$out"

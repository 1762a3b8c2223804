#!/usr/bin/env bash
# Seeds for the local_list fuzz target (fuzz/local_list_fuzz.c): what GNU
# sha256sum prints for files with odd names (a backslash, a carriage
# return, a newline, a leading '*', ") = " inside the name), in each of its
# output forms, as `db import --local` reads it:
#   fuzz/seed-local_list.sh [OUTDIR]    (default: fuzz/corpus/local_list)
# The temporary directory's name is replaced by /srv/dg so that a rerun
# gives the same bytes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/corpus/local_list}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v sha256sum >/dev/null || { echo "sha256sum not installed" >&2; exit 77; }

names=(plain 'sp ace' 'back\slash' $'car\rriage' $'new\nline' 'x) = y' '*star' $'tab\tname')
i=0
for n in "${names[@]}"; do
	printf 'file %d\n' $i >"$tmp/$n"
	i=$((i + 1))
done
paths=()
for n in "${names[@]}"; do paths+=("$tmp/$n"); done

s() {	# NAME sha256sum-options...
	local name=$1; shift
	sha256sum "$@" | sed "s|$tmp|/srv/dg|g" >"$out/seed-$name"
}
s text "${paths[@]}"
s binary -b "${paths[@]}"
s tag --tag "${paths[@]}"
s zero --zero "${paths[@]}"
s tag-zero --tag --zero "${paths[@]}"
(cd "$tmp" && sha256sum -- "${names[@]}") >"$out/seed-relative"
# A storable name (2.3 KB) whose line, each backslash escaped, is over
# LOCAL_LINE_MAX: nine directories named with 250 backslashes.
deep=$tmp
for i in 1 2 3 4 5 6 7 8 9; do deep=$deep/$(printf '%*s' 250 '' | tr ' ' '\\'); done
mkdir -p "$deep" && printf 'deep\n' >"$deep/f"
s long-escaped "$deep/f"
# The same lines with a comment, a blank line and CRLF endings.
{ printf '# sha256sum output\n\n'; sed 's/$/\r/' "$out/seed-text"; } >"$out/seed-crlf-comments"
ls "$out"

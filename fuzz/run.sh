#!/usr/bin/env bash
# Run every libFuzzer target for MINUTES minutes each with ASan+UBSan (clang),
# growing fuzz/corpus/NAME; crashes land in fuzz/corpus/NAME too (as
# crash-*), so that `make check` replays them forever after.  Except
# bpf_gen: it fuzzes libbpf's own ELF parse, whose crashes go to
# fuzz/crashes/bpf_gen/, replayed through the sandboxed handler by
# tests/integ/bpf.sh (in process they would crash the replay).
#   fuzz/run.sh [MINUTES]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-1}
secs=$((minutes * 60))
[ "$secs" -gt 0 ] || secs=10	# 0 minutes: a 10-second smoke run per target
dir=build-fuzz
if [ ! -d $dir ]; then
	# fuzzer-no-link instruments the libraries too, so libFuzzer sees the
	# coverage of the parsers, not only of the target file.
	CC=clang meson setup $dir -Dfuzzing=true -Db_sanitize=address,undefined \
		-Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link >/dev/null
fi
ninja -C $dir >/dev/null
for f in $dir/fuzz/fuzz_*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	name=${f##*/fuzz_}
	echo "== fuzzing $name for $secs s"
	mkdir -p fuzz/corpus/$name
	crashes=fuzz/corpus/$name
	[ "$name" = bpf_gen ] && crashes=fuzz/crashes/bpf_gen
	dict=()
	case $name in pgp_armor|pgp_cleartext) dict=(-dict=fuzz/pgp_text.dict) ;; esac
	"$f" -max_total_time=$secs -artifact_prefix=$crashes/crash- \
		-print_final_stats=1 "${dict[@]}" fuzz/corpus/$name 2>&1 | tail -n 5
done

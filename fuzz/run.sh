#!/usr/bin/env bash
# Run every libFuzzer target for MINUTES minutes each with ASan+UBSan (clang),
# growing fuzz/corpus/NAME; crashes land in fuzz/corpus/NAME too (as
# crash-*), so that `make check` replays them forever after.
#   fuzz/run.sh [MINUTES]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-1}
dir=build-fuzz
if [ ! -d $dir ]; then
	CC=clang meson setup $dir -Dfuzzing=true -Db_sanitize=address,undefined \
		-Db_lundef=false >/dev/null
fi
ninja -C $dir >/dev/null
for f in $dir/fuzz/fuzz_*; do
	name=${f##*/fuzz_}
	echo "== fuzzing $name for $minutes min"
	mkdir -p fuzz/corpus/$name
	"$f" -max_total_time=$((minutes * 60)) -artifact_prefix=fuzz/corpus/$name/crash- \
		-print_final_stats=1 fuzz/corpus/$name 2>&1 | tail -n 5
done

#!/usr/bin/env bash
# The fuzz seeds that a script makes must still be what the script makes:
# a seed that no longer reaches the code it was made for (a format change
# after it was written) replays without finding anything.  The scripts
# whose output does not depend on the machine must reproduce the checked-in
# seeds byte for byte (bpf_gen: with the clang of Debian 12, which made
# them); core_bpf_recheck's seeds carry a signature by a new
# key on each run, so there the layout (every size) must match and the
# honest objects must pass `bpf verify` (the script checks that).
. "$(dirname "$0")/lib.bash"

# same_seeds NAME SCRIPT CORPUS GLOB: SCRIPT OUTDIR makes exactly CORPUS's
# files named GLOB (the others are inputs libFuzzer found)
same_seeds() {
	local name=$1 script=$2 corpus=$3 glob=$4 rc diffs=() f
	wd 120 bash "$script" "$T/$name" >"$T/$name.log" 2>&1; rc=$?
	if [ $rc = 77 ]; then skip "seeds_$name" "$(tail -n 1 "$T/$name.log")"; return; fi
	if [ $rc != 0 ]; then nok "seeds_$name" "$script exit $rc" "$(tail -n 5 "$T/$name.log")"; return; fi
	for f in "$corpus"/$glob; do cmp -s "$f" "$T/$name/${f##*/}" || diffs+=("differs or missing: ${f##*/}"); done
	for f in "$T/$name"/*; do [ -e "$corpus/${f##*/}" ] || diffs+=("not checked in: ${f##*/}"); done
	if [ ${#diffs[@]} = 0 ]; then ok "seeds_$name"; else nok "seeds_$name" "${diffs[@]}"; fi
}
same_seeds frame "$SRC/fuzz/seed-frame.sh" "$SRC/fuzz/corpus/frame" '*'
same_seeds local_list "$SRC/fuzz/seed-local_list.sh" "$SRC/fuzz/corpus/local_list" 'seed-*'
same_seeds rpm_header "$SRC/fuzz/seed-rpm_header.sh" "$SRC/fuzz/corpus/rpm_header" 'seed-*'
# clang's output depends on its version: the seeds were made by Debian 12's
out=$(wd 120 bash "$SRC/fuzz/seed-bpf_gen.sh" --check 2>&1); rc=$?
if [ $rc = 77 ]; then skip seeds_bpf_gen "$(tail -n 1 <<< "$out")"
elif [ $rc = 0 ]; then ok seeds_bpf_gen
else nok seeds_bpf_gen "seed-bpf_gen.sh --check exit $rc" "$out"; fi

if in_build seeds_core_bpf_recheck bpf --help; then
	out=$(DG=$DG wd 120 bash "$SRC/fuzz/seed-core_bpf_recheck.sh" "$T/cbr" 2>&1); rc=$?
	if [ $rc = 77 ]; then
		skip seeds_core_bpf_recheck "$(tail -n 1 <<< "$out")"
	elif [ $rc != 0 ]; then
		nok seeds_core_bpf_recheck "seed-core_bpf_recheck.sh exit $rc" "$(tail -n 5 <<< "$out")"
	else
		diffs=()
		for f in "$T"/cbr/*; do
			c=$SRC/fuzz/corpus/core_bpf_recheck/${f##*/}
			[ -e "$c" ] || { diffs+=("not checked in: ${f##*/}"); continue; }
			[ "$(stat -c %s "$f")" = "$(stat -c %s "$c")" ] ||
				diffs+=("${f##*/}: $(stat -c %s "$c") bytes checked in, $(stat -c %s "$f") made now")
			# the zero answer and the mode byte are the same on every run
			cmp -s -n 73 "$f" "$c" || diffs+=("${f##*/}: first 73 bytes differ")
		done
		if [ ${#diffs[@]} = 0 ]; then ok seeds_core_bpf_recheck; else nok seeds_core_bpf_recheck "${diffs[@]}"; fi
	fi
fi
done_testing

#!/usr/bin/env bash
# Run every test and print one closing line: "N passed, N failed[, N skipped]".
#   tests/run.sh BUILD_DIR [ASAN_BUILD_DIR]
# TAP producers: C programs build*/tests/unit/test_* and scripts tests/integ/*.sh
# (each script gets DG=path/to/digestguard and BUILD=dir in its environment).
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
asan=${2:-}
passed=0 failed=0 skipped=0
# Third-party corpora (../shared/corpora beside the checkout, or the
# workplace's copy); tests read $DG_CORPORA and skip with a reason if unset.
if [ -z "${DG_CORPORA:-}" ]; then
	for c in "$here/../shared/corpora" /work/shared/corpora; do
		[ -d "$c" ] && { DG_CORPORA=$(cd "$c" && pwd); break; }
	done
fi
export DG_CORPORA=${DG_CORPORA:-}
skips=() fails=()

run_tap() {	# label, command...
	local label=$1; shift
	local out rc line
	out=$(timeout --kill-after=10 600 "$@" 2>&1); rc=$?
	local saw=0 cases=0 plan= diag=0
	while IFS= read -r line; do
		# up to 8 diagnostic lines after a failing case go to the summary
		case $line in
		"#"*) if [ $diag -gt 0 ]; then fails+=("    $line"); diag=$((diag - 1)); fi;;
		*) diag=0;;
		esac
		case $line in
		"ok "*"# SKIP"*) skipped=$((skipped + 1)); saw=1
			skips+=("$label: ${line#ok }"); echo "$label: $line";;
		"ok "*) passed=$((passed + 1)); saw=1; echo "$label: $line";;
		"not ok "*) failed=$((failed + 1)); saw=1; echo "$label: $line"
			fails+=("$label: ${line#not ok }"); diag=8;;
		"#"*) echo "$label: $line";;
		1..[0-9]*) plan=${line#1..}; plan=${plan%% *};;
		esac
		case $line in "ok "*|"not ok "*) cases=$((cases + 1));; esac
	done <<< "$out"
	# A plan that disagrees with the cases seen: a producer lost count (a
	# case counted in a subshell, a loop reusing the counter) or stopped.
	if [ -n "$plan" ] && [ "$plan" != "$cases" ]; then
		failed=$((failed + 1)); fails+=("$label: plan 1..$plan but $cases cases")
		echo "$label: not ok - plan 1..$plan but $cases cases"
	fi
	if [ $saw = 0 ] || { [ $rc != 0 ] && ! grep -q '^not ok' <<< "$out"; }; then
		failed=$((failed + 1)); fails+=("$label: exited with status $rc without a failing case")
		echo "$label: not ok - exited with status $rc without a failing case"
		tail -n 20 <<< "$out" | sed "s|^|$label: # |"
		while IFS= read -r line; do fails+=("    # $line"); done < <(tail -n 8 <<< "$out")
	fi
}

for dir in "$build" $asan; do
	[ -d "$dir/tests/unit" ] || { echo "no unit tests in $dir"; failed=$((failed + 1)); fails+=("no unit tests in $dir"); continue; }
	for t in "$dir"/tests/unit/test_*; do
		[ -x "$t" ] && [ -f "$t" ] || continue
		run_tap "$(basename "$dir")/$(basename "$t")" "$t"
	done
	for t in "$dir"/fuzz/replay_*; do
		[ -x "$t" ] && [ -f "$t" ] || continue
		name=${t##*/replay_}
		run_tap "$(basename "$dir")/fuzz-$name" "$t" "$here/fuzz/corpus/$name"
	done
done

export DG="$here/$build/src/cli/digestguard" BUILD="$here/$build" SRC="$here"
for t in "$here"/tests/integ/*.sh; do
	[ -f "$t" ] || continue
	run_tap "integ/$(basename "$t" .sh)" bash "$t"
done

if [ $skipped -gt 0 ]; then
	echo "skipped, with reasons:"
	printf '  %s\n' "${skips[@]}"
fi
# The failures again, last: a log cut to its tail still names them (with
# the first lines of each case's diagnostics above, in the full log).
if [ $failed -gt 0 ]; then
	echo "failed:"
	printf '  %s\n' "${fails[@]}"
fi
if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
